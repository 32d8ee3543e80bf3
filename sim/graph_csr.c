/*
 * graph_csr.c: the staging edge list and the compact adjacency (CSR).
 *
 * Every graph, generated or read, ends here. The CSR is what the hot loop
 * of a simulation reads, shared read-only by all replicates, so it is laid
 * out for the reader: one array of 32-bit neighbour ids, parallel byte
 * arrays of tie strength and tie kind, and 64-bit row offsets (ten million
 * users at mean degree 50 need 5e8 entries; larger graphs pass 2^32).
 *
 * Building consumes the staging list so that at most one copy of the ties
 * exists besides the CSR: edges are scattered into rows by a counting
 * pass, the staging arrays are freed, then each row is sorted (packed as
 * 64-bit keys neighbour|strength|kind, so the sort moves one word) and
 * duplicates are merged in place keeping the strongest tie. Because both
 * directions of a tie carry the same (strength, kind) pairs, the merge
 * keeps the two directions consistent.
 *
 * The BFS relabelling exists for speed, measured by bench/bench_sir: on a
 * Barabasi-Albert graph of 1e6 users, friends with nearby ids make the
 * per-user state arrays of a cascade hit the cache far more often.
 */
#include "fission/graph.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const tie_kind_names[FSN_TIE_KIND_COUNT] = {
    "other", "family", "colleague", "classmate", "friend", "weak"};

const char *fsn_tie_kind_name(int kind) {
    if (kind < 0 || kind >= FSN_TIE_KIND_COUNT) return "unknown";
    return tie_kind_names[kind];
}

void fsn_edges_init(fsn_edges_t *e, uint32_t n) {
    FSN_REQUIRE(e);
    memset(e, 0, sizeof *e);
    e->n = n;
}

void fsn_edges_destroy(fsn_edges_t *e) {
    if (!e) return;
    free(e->u);
    free(e->v);
    free(e->tie);
    free(e->kind);
    uint32_t n = e->n;
    memset(e, 0, sizeof *e);
    e->n = n;
}

fsn_err_t fsn_edges_reserve(fsn_edges_t *e, size_t cap) {
    FSN_REQUIRE(e);
    if (cap <= e->cap) return FSN_OK;
    fsn_vid_t *u = realloc(e->u, cap * sizeof *u);
    if (!u) return FSN_ENOMEM;
    e->u = u;
    fsn_vid_t *v = realloc(e->v, cap * sizeof *v);
    if (!v) return FSN_ENOMEM;
    e->v = v;
    fsn_tie_t *t = realloc(e->tie, cap * sizeof *t);
    if (!t) return FSN_ENOMEM;
    e->tie = t;
    uint8_t *k = realloc(e->kind, cap);
    if (!k) return FSN_ENOMEM;
    e->kind = k;
    e->cap = cap;
    return FSN_OK;
}

fsn_err_t fsn_edges_push(fsn_edges_t *e, fsn_vid_t u, fsn_vid_t v, fsn_tie_t tie,
                         uint8_t kind) {
    FSN_REQUIRE(e && u < e->n && v < e->n);
    if (e->len == e->cap) {
        size_t cap = e->cap ? e->cap + e->cap / 2 : 1024;
        fsn_err_t rc = fsn_edges_reserve(e, cap);
        if (rc) return rc;
    }
    e->u[e->len] = u;
    e->v[e->len] = v;
    e->tie[e->len] = tie;
    e->kind[e->len] = kind;
    e->len++;
    return FSN_OK;
}

/* ---- row sorting on packed keys ------------------------------------ */

static inline uint64_t pack(fsn_vid_t w, fsn_tie_t t, uint8_t k) {
    return ((uint64_t)w << 16) | ((uint64_t)t << 8) | k;
}

static void sort_u64(uint64_t *a, size_t n) {
    /* Hoare quicksort, median of three moved to a[0] (so both parts are
     * never empty), insertion sort below 24 elements, recursion on the
     * smaller part (depth O(log n)). Rows are short; a hub's row is still
     * O(d log d) expected. */
    while (n > 24) {
        size_t mid = n / 2, last = n - 1, med;
        if (a[0] < a[mid]) med = a[mid] < a[last] ? mid : (a[0] < a[last] ? last : 0);
        else med = a[0] < a[last] ? 0 : (a[mid] < a[last] ? last : mid);
        uint64_t pivot = a[med];
        a[med] = a[0];
        a[0] = pivot;
        ptrdiff_t i = -1, j = (ptrdiff_t)n;
        for (;;) {
            do i++; while (a[i] < pivot);
            do j--; while (a[j] > pivot);
            if (i >= j) break;
            uint64_t t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        size_t left = (size_t)j + 1;
        if (left < n - left) {
            sort_u64(a, left);
            a += left;
            n -= left;
        } else {
            sort_u64(a + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        uint64_t t = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > t) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = t;
    }
}

/* Sort each row, merge duplicates (keep the largest packed value, which is
 * the strongest tie), compact in place and fix offsets and m. */
static fsn_err_t csr_sort_rows(fsn_csr_t *g) {
    /* 64 bits: before duplicates merge, a row can pass 2^32 entries. */
    uint64_t maxdeg = 0;
    for (uint32_t v = 0; v < g->n; v++) {
        uint64_t d = g->offset[v + 1] - g->offset[v];
        if (d > maxdeg) maxdeg = d;
    }
    if (maxdeg > SIZE_MAX / sizeof(uint64_t)) return FSN_ENOMEM;
    uint64_t *buf = malloc((size_t)(maxdeg ? maxdeg : 1) * sizeof *buf);
    if (!buf) return FSN_ENOMEM;
    uint64_t w = 0;
    for (uint32_t v = 0; v < g->n; v++) {
        uint64_t lo = g->offset[v], hi = g->offset[v + 1];
        size_t d = (size_t)(hi - lo);
        for (size_t i = 0; i < d; i++)
            buf[i] = pack(g->adj[lo + i], g->tie[lo + i], g->kind[lo + i]);
        sort_u64(buf, d);
        g->offset[v] = w;
        for (size_t i = 0; i < d; i++) {
            if (i + 1 < d && (buf[i + 1] >> 16) == (buf[i] >> 16)) continue;
            g->adj[w] = (fsn_vid_t)(buf[i] >> 16);
            g->tie[w] = (fsn_tie_t)(buf[i] >> 8);
            g->kind[w] = (uint8_t)buf[i];
            w++;
        }
    }
    g->offset[g->n] = w;
    g->m = w / 2;
    free(buf);
    /* Shrink to fit; a failed shrink keeps the larger block, which is fine. */
    if (w > 0) {
        void *p = realloc(g->adj, w * sizeof *g->adj);
        if (p) g->adj = p;
        p = realloc(g->tie, w);
        if (p) g->tie = p;
        p = realloc(g->kind, w);
        if (p) g->kind = p;
    }
    return FSN_OK;
}

static fsn_err_t csr_alloc(fsn_csr_t *g, uint32_t n, uint64_t entries) {
    memset(g, 0, sizeof *g);
    g->n = n;
    g->offset = calloc((size_t)n + 1, sizeof *g->offset);
    g->adj = malloc((entries ? entries : 1) * sizeof *g->adj);
    g->tie = malloc(entries ? entries : 1);
    g->kind = malloc(entries ? entries : 1);
    if (!g->offset || !g->adj || !g->tie || !g->kind) {
        fsn_csr_destroy(g);
        return FSN_ENOMEM;
    }
    return FSN_OK;
}

fsn_err_t fsn_csr_from_edges(fsn_csr_t *g, fsn_edges_t *e, fsn_error_t *err) {
    FSN_REQUIRE(g && e);
    memset(g, 0, sizeof *g);
    uint64_t entries = 0;
    for (size_t i = 0; i < e->len; i++)
        if (e->u[i] != e->v[i]) entries += 2;
    fsn_err_t rc = csr_alloc(g, e->n, entries);
    if (rc) {
        fsn_edges_destroy(e);
        return fsn_error_set(err, rc, "out of memory building a graph of %u users and %llu ties",
                             e->n, (unsigned long long)(entries / 2));
    }
    /* Counting pass: offset[v + 1] = degree, then prefix sums. */
    for (size_t i = 0; i < e->len; i++) {
        if (e->u[i] == e->v[i]) continue;
        g->offset[e->u[i] + 1]++;
        g->offset[e->v[i] + 1]++;
    }
    for (uint32_t v = 0; v < g->n; v++) g->offset[v + 1] += g->offset[v];
    /* Scatter using offset[v] as a cursor, then shift back. */
    for (size_t i = 0; i < e->len; i++) {
        fsn_vid_t a = e->u[i], b = e->v[i];
        if (a == b) continue;
        uint64_t pa = g->offset[a]++, pb = g->offset[b]++;
        g->adj[pa] = b;
        g->tie[pa] = e->tie[i];
        g->kind[pa] = e->kind[i];
        g->adj[pb] = a;
        g->tie[pb] = e->tie[i];
        g->kind[pb] = e->kind[i];
    }
    for (uint32_t v = g->n; v > 0; v--) g->offset[v] = g->offset[v - 1];
    g->offset[0] = 0;
    fsn_edges_destroy(e);
    rc = csr_sort_rows(g);
    if (rc) {
        fsn_csr_destroy(g);
        return fsn_error_set(err, rc, "out of memory sorting the adjacency rows");
    }
    return FSN_OK;
}

void fsn_csr_destroy(fsn_csr_t *g) {
    if (!g) return;
    free(g->offset);
    free(g->adj);
    free(g->tie);
    free(g->kind);
    free(g->label);
    memset(g, 0, sizeof *g);
}

size_t fsn_csr_bytes(const fsn_csr_t *g) {
    size_t e = (size_t)(2 * g->m);
    size_t b = ((size_t)g->n + 1) * sizeof *g->offset + e * (sizeof *g->adj + 2);
    if (g->label) b += (size_t)g->n * sizeof *g->label;
    return b;
}

int64_t fsn_csr_find(const fsn_csr_t *g, fsn_vid_t u, fsn_vid_t v) {
    FSN_REQUIRE(g && u < g->n);
    uint64_t lo = g->offset[u], hi = g->offset[u + 1];
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (g->adj[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    if (lo < g->offset[u + 1] && g->adj[lo] == v) return (int64_t)lo;
    return -1;
}

/* ---- BFS relabelling ------------------------------------------------ */

static int cmp_deg_desc(const void *a, const void *b) {
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : (x > y ? -1 : 0);
}

fsn_err_t fsn_csr_reorder_bfs(fsn_csr_t *g, fsn_vid_t *perm_out, fsn_error_t *err) {
    FSN_REQUIRE(g);
    uint32_t n = g->n;
    if (n == 0) return FSN_OK;
    fsn_err_t rc = FSN_OK;
    fsn_csr_t h = {0};
    /* order[] holds (degree << 32 | ~id) so a descending sort gives the
     * highest degree first and, among equals, the smallest id first. */
    uint64_t *order = malloc((size_t)n * sizeof *order);
    fsn_vid_t *perm = malloc((size_t)n * sizeof *perm);
    fsn_vid_t *queue = malloc((size_t)n * sizeof *queue);
    if (!order || !perm || !queue) {
        rc = fsn_error_set(err, FSN_ENOMEM, "out of memory relabelling %u users", n);
        goto cleanup;
    }
    for (uint32_t v = 0; v < n; v++) {
        order[v] = ((uint64_t)fsn_csr_degree(g, v) << 32) | (uint32_t)~v;
        perm[v] = FSN_VID_MAX;
    }
    qsort(order, n, sizeof *order, cmp_deg_desc);
    uint32_t next = 0;
    for (uint32_t s = 0; s < n; s++) {
        fsn_vid_t start = ~(uint32_t)order[s];
        if (perm[start] != FSN_VID_MAX) continue;
        uint32_t head = next, tail = next;
        queue[tail++] = start;
        perm[start] = next++;
        while (head < tail) {
            fsn_vid_t v = queue[head++];
            for (uint64_t i = g->offset[v]; i < g->offset[v + 1]; i++) {
                fsn_vid_t w = g->adj[i];
                if (perm[w] == FSN_VID_MAX) {
                    perm[w] = next++;
                    queue[tail++] = w;
                }
            }
        }
    }
    /* queue[new] = old, since ids were handed out in queue order. */
    rc = csr_alloc(&h, n, 2 * g->m);
    if (rc) {
        rc = fsn_error_set(err, rc, "out of memory relabelling %u users", n);
        goto cleanup;
    }
    if (g->label) {
        h.label = malloc((size_t)n * sizeof *h.label);
        if (!h.label) {
            rc = fsn_error_set(err, FSN_ENOMEM, "out of memory relabelling %u users", n);
            goto cleanup;
        }
    }
    uint64_t w = 0;
    for (uint32_t nv = 0; nv < n; nv++) {
        fsn_vid_t old = queue[nv];
        h.offset[nv] = w;
        for (uint64_t i = g->offset[old]; i < g->offset[old + 1]; i++, w++) {
            h.adj[w] = perm[g->adj[i]];
            h.tie[w] = g->tie[i];
            h.kind[w] = g->kind[i];
        }
        if (h.label) h.label[nv] = g->label[old];
    }
    h.offset[n] = w;
    h.m = g->m;
    rc = csr_sort_rows(&h);
    if (rc) {
        rc = fsn_error_set(err, rc, "out of memory relabelling %u users", n);
        goto cleanup;
    }
    if (perm_out) memcpy(perm_out, perm, (size_t)n * sizeof *perm);
    fsn_csr_destroy(g);
    *g = h;
    memset(&h, 0, sizeof h);
cleanup:
    fsn_csr_destroy(&h);
    free(order);
    free(perm);
    free(queue);
    return rc;
}
