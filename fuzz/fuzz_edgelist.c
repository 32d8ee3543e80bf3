/*
 * fuzz_edgelist.c: libFuzzer harness for the edge-list reader.
 *
 * fsn_graph_read_edgelist reads a file by path, so each input is written
 * to one temporary file, created once per process and rewritten in place
 * (pwrite then ftruncate). On success the CSR must be well formed: at
 * least one tie, offsets starting at 0, monotone and ending at 2m, every
 * neighbour a user id below n, rows strictly ascending and without
 * self-loops, every tie present in both directions with one strength,
 * and one label per user. Anything else aborts. On failure the CSR must
 * be left zeroed and the message must not be empty.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fission/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];
static int fd = -1;

static void remove_file(void) {
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
}

static void open_file(void) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/fission-fuzz-edgelist-XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0) {
        perror("fuzz_edgelist: mkstemp");
        abort();
    }
    atexit(remove_file);
}

static void check(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "fuzz_edgelist: bad CSR: %s\n", what);
        abort();
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void check_csr(const fsn_csr_t *g) {
    check(g->n >= 2, "fewer than two users");
    check(g->m >= 1, "no ties");
    check(g->offset && g->adj && g->tie && g->kind, "missing arrays");
    check(g->label != NULL, "no labels");
    check(g->offset[0] == 0, "offset[0] != 0");
    for (uint32_t v = 0; v < g->n; v++) {
        check(g->offset[v] <= g->offset[v + 1], "offsets not monotone");
        for (uint64_t i = g->offset[v]; i < g->offset[v + 1]; i++) {
            fsn_vid_t u = g->adj[i];
            check(u < g->n, "neighbour id >= n");
            check(u != v, "self-loop");
            check(i == g->offset[v] || g->adj[i - 1] < u, "row not strictly ascending");
            check(g->kind[i] == FSN_TIE_OTHER, "tie kind is not 'other'");
            int64_t j = fsn_csr_find(g, u, v);
            check(j >= 0, "tie missing in the other direction");
            check(g->tie[j] == g->tie[i], "tie strength differs between directions");
        }
    }
    check(g->offset[g->n] == 2 * g->m, "offset[n] != 2m");
    uint64_t *sorted = malloc(g->n * sizeof *sorted);
    if (!sorted) return;
    memcpy(sorted, g->label, g->n * sizeof *sorted);
    qsort(sorted, g->n, sizeof *sorted, cmp_u64);
    for (uint32_t v = 1; v < g->n; v++) check(sorted[v - 1] != sorted[v], "two users with one label");
    free(sorted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (fd < 0) open_file();
    size_t done = 0;
    while (done < size) {
        ssize_t k = pwrite(fd, data + done, size - done, (off_t)done);
        if (k <= 0) {
            perror("fuzz_edgelist: pwrite");
            abort();
        }
        done += (size_t)k;
    }
    if (ftruncate(fd, (off_t)size) != 0) {
        perror("fuzz_edgelist: ftruncate");
        abort();
    }
    fsn_csr_t g;
    memset(&g, 0xa5, sizeof g);
    fsn_error_t err;
    memset(&err, 0, sizeof err);
    fsn_err_t rc = fsn_graph_read_edgelist(&g, path, &err);
    if (rc == FSN_OK) {
        check_csr(&g);
        fsn_csr_destroy(&g);
    } else {
        static const fsn_csr_t zero;
        check(memcmp(&g, &zero, sizeof g) == 0, "CSR not zeroed after an error");
        check(err.msg[0] != 0, "error without a message");
    }
    return 0;
}
