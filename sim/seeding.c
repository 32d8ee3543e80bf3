/*
 * seeding.c: ranking users for seeding, reading seed lists, and picking
 * each replicate's seeds.
 *
 * What this file holds. fsn_seed_rank orders every user by degree,
 * PageRank or coreness; fsn_seed_read turns a file of user ids into a
 * list of users; fsn_seeds_pick takes a replicate's seeds from one of
 * those lists, or draws them at random. The first two run once per
 * scenario, the last once per replicate, and the split follows from that:
 * everything that allocates, reads files or calls igraph is in the
 * once-per-scenario half, and the per-replicate half touches only memory
 * the caller hands it.
 *
 * Why the choices.
 *
 *   - Degree is ranked by a counting sort over the degree values, filled
 *     in increasing id order, so the order is stable and ties go to the
 *     smaller id for free, in O(n + max degree) rather than a sort.
 *     Coreness reuses it: a second stable counting sort, by coreness, of
 *     the degree order gives "coreness, then degree, then id".
 *
 *   - PageRank and coreness come from igraph (PRPACK; Batagelj-Zaversnik)
 *     on a copy of the CSR, made just for the call and destroyed before
 *     return. Around the calls igraph's error handler is replaced by
 *     igraph_error_handler_ignore (which unwinds igraph's clean-up stack
 *     without printing or aborting) and warnings are silenced; both are
 *     restored on the way out. igraph's reason string is not kept: its
 *     handler takes no context, and keeping it would need storage shared
 *     across calls, so the message carries igraph_strerror only. Neither
 *     algorithm draws random numbers, so igraph's generator is left alone.
 *     igraph's handlers and clean-up stack are process globals (Debian
 *     builds it without thread safety), hence the one-thread contract.
 *
 *   - PageRank values of symmetric users (the leaves of a star) may differ
 *     in their last bits, which would make "ties by smaller id" a matter
 *     of rounding. Values are compared on a grid of 1e-12, well below
 *     PRPACK's tolerance of 1e-10 on a vector summing to 1, so rounding
 *     noise ties and the id decides.
 *
 *   - RANDOM uses Floyd's algorithm: exactly count draws and count marks
 *     whatever n is, so a replicate on ten million users pays for its
 *     fifty seeds only. The marks are cleared by walking out[], not mark.
 *     TIER uses reservoir sampling over one scan, because the tier's
 *     users are not listed anywhere and building that list per replicate
 *     would allocate; the scan is O(n) but needs no memory at all.
 *
 *   - The seed file reader maps labels through a sorted copy of
 *     (label, user) pairs, binary-searched per line, because labels are
 *     arbitrary 64-bit ids in the graph's (possibly reordered) user order.
 *
 * Measured on G(n, m) with 1e6 users and 1e7 ties: the degree rank takes
 * 0.01 s, PageRank 8.1 s and coreness 3.7 s (most of it igraph building
 * its copy of the graph), 1.1 GB peak with the graph; picking 100 random
 * seeds takes 0.3 us.
 */
#include "fission/seeding.h"

#include <errno.h>
#include <igraph.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- names ---------------------------------------------------------- */

static const char *const seed_names[FSN_SEED_KIND_COUNT] = {"random", "degree", "pagerank",
                                                           "kcore",  "tier",   "file"};

const char *fsn_seed_kind_name(int kind) {
    if (kind < 0 || kind >= FSN_SEED_KIND_COUNT) return "unknown";
    return seed_names[kind];
}

int fsn_seed_kind_parse(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < FSN_SEED_KIND_COUNT; i++)
        if (strcmp(name, seed_names[i]) == 0) return i;
    return -1;
}

/* ---- degree order --------------------------------------------------- */

/* Stable counting sort of the ids in src[0 .. n-1] by key[id] descending
 * into dst. key values are at most kmax. */
static fsn_err_t counting_sort_desc(uint32_t n, const fsn_vid_t *src, const uint32_t *key,
                                    uint32_t kmax, fsn_vid_t *dst, const char *what,
                                    fsn_error_t *err) {
    /* start[k] = number of users with a key above k: where key k begins. */
    uint64_t *start = calloc((size_t)kmax + 2, sizeof *start);
    if (!start)
        return fsn_error_set(err, FSN_ENOMEM, "seed rank: out of memory sorting %u users by %s",
                             n, what);
    for (uint32_t i = 0; i < n; i++) start[key[src[i]]]++;
    uint64_t above = 0;
    for (uint64_t k = (uint64_t)kmax + 1; k-- > 0;) {
        uint64_t c = start[k];
        start[k] = above;
        above += c;
    }
    for (uint32_t i = 0; i < n; i++) dst[start[key[src[i]]]++] = src[i];
    free(start);
    return FSN_OK;
}

/* Degrees into deg[], largest into *dmax. */
static void degrees(const fsn_csr_t *g, uint32_t *deg, uint32_t *dmax) {
    uint32_t mx = 0;
    for (fsn_vid_t v = 0; v < g->n; v++) {
        deg[v] = fsn_csr_degree(g, v);
        if (deg[v] > mx) mx = deg[v];
    }
    *dmax = mx;
}

/* rank = users by degree descending, ids ascending within a degree. ids
 * is scratch of n entries; deg receives the degrees. */
static fsn_err_t rank_degree(const fsn_csr_t *g, fsn_vid_t *rank, fsn_vid_t *ids, uint32_t *deg,
                             fsn_error_t *err) {
    uint32_t dmax;
    degrees(g, deg, &dmax);
    for (fsn_vid_t v = 0; v < g->n; v++) ids[v] = v;
    return counting_sort_desc(g->n, ids, deg, dmax, rank, "degree", err);
}

/* ---- igraph --------------------------------------------------------- */

typedef struct ig_scope {
    igraph_error_handler_t *old_error;
    igraph_warning_handler_t *old_warning;
} ig_scope_t;

static void ig_enter(ig_scope_t *s) {
    s->old_error = igraph_set_error_handler(igraph_error_handler_ignore);
    s->old_warning = igraph_set_warning_handler(igraph_warning_handler_ignore);
}

static void ig_leave(ig_scope_t *s) {
    igraph_set_warning_handler(s->old_warning);
    igraph_set_error_handler(s->old_error);
}

static fsn_err_t ig_fail(fsn_error_t *err, const char *kind, const char *what,
                         igraph_error_t ie) {
    fsn_err_t code = ie == IGRAPH_ENOMEM ? FSN_ENOMEM : FSN_ELIB;
    return fsn_error_set(err, code, "seed rank %s: %s failed: %s", kind, what,
                         igraph_strerror(ie));
}

/* Copy the CSR into *ig (each tie once, from its smaller end, in CSR
 * order) and, if weights is not NULL, initialise it to the strengths of
 * those ties in the same order. Inside an ig_scope. */
static fsn_err_t ig_from_csr(const fsn_csr_t *g, igraph_t *ig, igraph_vector_t *weights,
                             const char *kind, fsn_error_t *err) {
    igraph_vector_int_t edges;
    igraph_error_t ie = igraph_vector_int_init(&edges, (igraph_integer_t)(2 * g->m));
    if (ie != IGRAPH_SUCCESS) return ig_fail(err, kind, "igraph_vector_int_init", ie);
    if (weights) {
        ie = igraph_vector_init(weights, (igraph_integer_t)g->m);
        if (ie != IGRAPH_SUCCESS) {
            igraph_vector_int_destroy(&edges);
            return ig_fail(err, kind, "igraph_vector_init", ie);
        }
    }
    igraph_integer_t e = 0;
    for (fsn_vid_t v = 0; v < g->n; v++) {
        for (uint64_t i = g->offset[v]; i < g->offset[v + 1]; i++) {
            if (g->adj[i] <= v) continue;
            if (weights) VECTOR(*weights)[e] = (double)g->tie[i] / 255.0;
            VECTOR(edges)[2 * e] = v;
            VECTOR(edges)[2 * e + 1] = g->adj[i];
            e++;
        }
    }
    ie = igraph_create(ig, &edges, (igraph_integer_t)g->n, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&edges);
    if (ie != IGRAPH_SUCCESS) {
        if (weights) igraph_vector_destroy(weights);
        return ig_fail(err, kind, "igraph_create", ie);
    }
    return FSN_OK;
}

/* ---- PageRank ------------------------------------------------------- */

/* Values compared on this grid: see the essay at the top. */
#define PAGERANK_GRID 1e-12

typedef struct pr_key {
    int64_t q; /* value / PAGERANK_GRID, rounded */
    fsn_vid_t v;
} pr_key_t;

static int pr_key_cmp(const void *a, const void *b) {
    const pr_key_t *x = a, *y = b;
    if (x->q != y->q) return x->q > y->q ? -1 : 1;
    return (x->v > y->v) - (x->v < y->v);
}

static fsn_err_t rank_pagerank(const fsn_csr_t *g, fsn_vid_t *rank, fsn_error_t *err) {
    const char *kind = "pagerank";
    pr_key_t *key = malloc((size_t)g->n * sizeof *key);
    if (!key)
        return fsn_error_set(err, FSN_ENOMEM, "seed rank pagerank: out of memory for %u users",
                             g->n);
    ig_scope_t s;
    ig_enter(&s);
    igraph_t ig;
    igraph_vector_t w, pr;
    fsn_err_t rc = ig_from_csr(g, &ig, &w, kind, err);
    if (rc) goto out_scope;
    igraph_error_t ie = igraph_vector_init(&pr, 0);
    if (ie != IGRAPH_SUCCESS) {
        rc = ig_fail(err, kind, "igraph_vector_init", ie);
        goto out_graph;
    }
    ie = igraph_pagerank(&ig, IGRAPH_PAGERANK_ALGO_PRPACK, &pr, NULL, igraph_vss_all(),
                         IGRAPH_UNDIRECTED, 0.85, &w, NULL);
    if (ie != IGRAPH_SUCCESS) {
        rc = ig_fail(err, kind, "igraph_pagerank", ie);
    } else {
        for (fsn_vid_t v = 0; v < g->n; v++) {
            key[v].q = (int64_t)llround(VECTOR(pr)[v] / PAGERANK_GRID);
            key[v].v = v;
        }
    }
    igraph_vector_destroy(&pr);
out_graph:
    igraph_vector_destroy(&w);
    igraph_destroy(&ig);
out_scope:
    ig_leave(&s);
    if (!rc) {
        qsort(key, g->n, sizeof *key, pr_key_cmp);
        for (fsn_vid_t i = 0; i < g->n; i++) rank[i] = key[i].v;
    }
    free(key);
    return rc;
}

/* ---- coreness ------------------------------------------------------- */

static fsn_err_t rank_kcore(const fsn_csr_t *g, fsn_vid_t *rank, fsn_error_t *err) {
    const char *kind = "kcore";
    uint32_t *core = malloc((size_t)g->n * sizeof *core);
    uint32_t *deg = malloc((size_t)g->n * sizeof *deg);
    fsn_vid_t *tmp = malloc((size_t)g->n * sizeof *tmp);
    fsn_err_t rc = FSN_OK;
    if (!core || !deg || !tmp) {
        rc = fsn_error_set(err, FSN_ENOMEM, "seed rank kcore: out of memory for %u users", g->n);
        goto out;
    }
    ig_scope_t s;
    ig_enter(&s);
    igraph_t ig;
    rc = ig_from_csr(g, &ig, NULL, kind, err);
    if (!rc) {
        igraph_vector_int_t c;
        igraph_error_t ie = igraph_vector_int_init(&c, 0);
        if (ie != IGRAPH_SUCCESS) rc = ig_fail(err, kind, "igraph_vector_int_init", ie);
        if (!rc) {
            ie = igraph_coreness(&ig, &c, IGRAPH_ALL);
            if (ie != IGRAPH_SUCCESS) rc = ig_fail(err, kind, "igraph_coreness", ie);
            else
                for (fsn_vid_t v = 0; v < g->n; v++) core[v] = (uint32_t)VECTOR(c)[v];
            igraph_vector_int_destroy(&c);
        }
        igraph_destroy(&ig);
    }
    ig_leave(&s);
    if (rc) goto out;
    /* Degree order first (rank as scratch), then stable by coreness. */
    rc = rank_degree(g, tmp, rank, deg, err);
    if (rc) goto out;
    uint32_t cmax = 0;
    for (fsn_vid_t v = 0; v < g->n; v++)
        if (core[v] > cmax) cmax = core[v];
    rc = counting_sort_desc(g->n, tmp, core, cmax, rank, "coreness", err);
out:
    free(core);
    free(deg);
    free(tmp);
    return rc;
}

/* ---- the rank entry point ------------------------------------------- */

fsn_err_t fsn_seed_rank(const fsn_csr_t *g, fsn_seed_kind_t kind, fsn_vid_t *rank,
                        fsn_error_t *err) {
    FSN_REQUIRE(g && (rank || g->n == 0));
    if (kind != FSN_SEED_DEGREE && kind != FSN_SEED_PAGERANK && kind != FSN_SEED_KCORE)
        return fsn_error_set(err, FSN_EINVAL,
                             "seed rank: kind %s (%d) is not a ranking; expected degree, "
                             "pagerank or kcore",
                             fsn_seed_kind_name((int)kind), (int)kind);
    if (g->n == 0) return FSN_OK;
    if (kind == FSN_SEED_PAGERANK) return rank_pagerank(g, rank, err);
    if (kind == FSN_SEED_KCORE) return rank_kcore(g, rank, err);

    fsn_vid_t *ids = malloc((size_t)g->n * sizeof *ids);
    uint32_t *deg = malloc((size_t)g->n * sizeof *deg);
    fsn_err_t rc;
    if (!ids || !deg)
        rc = fsn_error_set(err, FSN_ENOMEM, "seed rank degree: out of memory for %u users", g->n);
    else
        rc = rank_degree(g, rank, ids, deg, err);
    free(ids);
    free(deg);
    return rc;
}

/* ---- the seed file -------------------------------------------------- */

/* Record "PATH:LINE: <message>". */
static fsn_err_t fail_at(fsn_error_t *err, fsn_err_t code, const char *path, unsigned long line,
                         const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static fsn_err_t fail_at(fsn_error_t *err, fsn_err_t code, const char *path, unsigned long line,
                         const char *fmt, ...) {
    char buf[FSN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return fsn_error_set(err, code, "%s:%lu: %s", path, line, buf);
}

/* strerror without the shared static buffer (XSI strerror_r). */
static const char *errno_text(int e, char *buf, size_t cap) {
    if (strerror_r(e, buf, cap) != 0) snprintf(buf, cap, "error %d", e);
    return buf;
}

typedef struct label_ix {
    uint64_t label;
    fsn_vid_t v;
} label_ix_t;

static int label_ix_cmp(const void *a, const void *b) {
    const label_ix_t *x = a, *y = b;
    if (x->label != y->label) return x->label < y->label ? -1 : 1;
    return (x->v > y->v) - (x->v < y->v);
}

/* The user labelled id, or -1. */
static int64_t label_find(const label_ix_t *ix, uint32_t n, uint64_t id) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ix[mid].label < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && ix[lo].label == id ? (int64_t)ix[lo].v : -1;
}

/* Parse a whole decimal number filling s[0 .. len-1]; 0 on success. */
static int parse_u64(const char *s, size_t len, uint64_t *out) {
    if (len == 0) return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (UINT64_MAX - d) / 10) return -1;
        x = x * 10 + d;
    }
    *out = x;
    return 0;
}

static int is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

fsn_err_t fsn_seed_read(const char *path, const fsn_csr_t *g, fsn_vid_t **ids, size_t *count,
                        fsn_error_t *err) {
    FSN_REQUIRE(path && g && ids && count);
    *ids = NULL;
    *count = 0;
    char eb[128];
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return fsn_error_set(err, FSN_EIO, "%s: cannot open: %s", path,
                             errno_text(e, eb, sizeof eb));
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return fsn_error_set(err, FSN_EIO, "%s: cannot open: %s", path,
                             errno_text(EISDIR, eb, sizeof eb));
    }

    fsn_err_t rc = FSN_OK;
    label_ix_t *ix = NULL;
    uint8_t *seen = calloc((size_t)g->n + 1, 1);
    fsn_vid_t *out = NULL;
    size_t len = 0, cap = 0;
    char *line = NULL;
    size_t line_cap = 0;
    unsigned long lineno = 0;
    if (!seen) {
        rc = fsn_error_set(err, FSN_ENOMEM, "%s: out of memory for %u users", path, g->n);
        goto out;
    }
    if (g->label) {
        ix = malloc((size_t)g->n * sizeof *ix + 1);
        if (!ix) {
            rc = fsn_error_set(err, FSN_ENOMEM, "%s: out of memory indexing %u user ids", path,
                               g->n);
            goto out;
        }
        for (fsn_vid_t v = 0; v < g->n; v++) ix[v] = (label_ix_t){g->label[v], v};
        qsort(ix, g->n, sizeof *ix, label_ix_cmp);
    }

    ssize_t got;
    while ((got = getline(&line, &line_cap, f)) != -1) {
        lineno++;
        size_t n = (size_t)got;
        char *hash = memchr(line, '#', n);
        if (hash) n = (size_t)(hash - line);
        size_t a = 0;
        while (a < n && is_blank(line[a])) a++;
        while (n > a && is_blank(line[n - 1])) n--;
        if (a == n) continue;
        uint64_t id;
        if (parse_u64(line + a, n - a, &id) != 0) {
            rc = fail_at(err, FSN_EPARSE, path, lineno,
                         "expected a user id (a whole number below 2^64), got '%.*s%s'",
                         (int)(n - a > 40 ? 40 : n - a), line + a, n - a > 40 ? "..." : "");
            goto out;
        }
        int64_t v = -1;
        if (ix) v = label_find(ix, g->n, id);
        else if (id < g->n) v = (int64_t)id;
        if (v < 0) {
            if (ix)
                rc = fail_at(err, FSN_EPARSE, path, lineno, "user id %llu is not in the graph",
                             (unsigned long long)id);
            else
                rc = fail_at(err, FSN_EPARSE, path, lineno,
                             "user id %llu is not in the graph (ids are 0 to %lld)",
                             (unsigned long long)id, (long long)g->n - 1);
            goto out;
        }
        if (seen[v]) continue;
        seen[v] = 1;
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 64;
            fsn_vid_t *p = realloc(out, nc * sizeof *p);
            if (!p) {
                rc = fsn_error_set(err, FSN_ENOMEM, "%s: out of memory for %zu user ids", path,
                                   nc);
                goto out;
            }
            out = p;
            cap = nc;
        }
        out[len++] = (fsn_vid_t)v;
    }
    if (ferror(f)) {
        int e = errno;
        rc = fsn_error_set(err, FSN_EIO, "%s: cannot read: %s", path,
                           errno_text(e, eb, sizeof eb));
        goto out;
    }
    if (len == 0) {
        rc = fail_at(err, FSN_EPARSE, path, lineno ? lineno : 1, "no user ids in the file");
        goto out;
    }
out:
    free(line);
    free(ix);
    free(seen);
    fclose(f);
    if (rc) {
        free(out);
        return rc;
    }
    *ids = out;
    *count = len;
    return FSN_OK;
}

/* ---- picking -------------------------------------------------------- */

/* Floyd's algorithm: for j = n - k .. n - 1, draw t uniform in [0, j];
 * take t unless already taken, else take j (never taken before, since
 * only values <= the current j have been drawn). Every k-subset is
 * equally likely. */
static uint32_t pick_random(uint32_t n, uint32_t k, fsn_rng_t *r, uint8_t *mark,
                            fsn_vid_t *out) {
    if (k > n) k = n;
    for (uint32_t j = n - k, i = 0; j < n; j++, i++) {
        fsn_vid_t t = (fsn_vid_t)fsn_rng_below(r, (uint64_t)j + 1);
        if (mark[t]) t = j;
        mark[t] = 1;
        out[i] = t;
    }
    for (uint32_t i = 0; i < k; i++) mark[out[i]] = 0;
    return k;
}

/* Reservoir sampling (Algorithm R) of the users of one tier. */
static uint32_t pick_tier(const fsn_users_t *users, uint32_t n, int tier, uint32_t k,
                          fsn_rng_t *r, fsn_vid_t *out) {
    uint64_t seen = 0;
    uint32_t got = 0;
    for (fsn_vid_t v = 0; v < n; v++) {
        if (users->tier[v] != (uint8_t)tier) continue;
        if (got < k) {
            out[got++] = v;
        } else {
            uint64_t j = fsn_rng_below(r, seen + 1);
            if (j < k) out[j] = v;
        }
        seen++;
    }
    return got;
}

fsn_err_t fsn_seeds_pick(const fsn_seeding_t *s, const fsn_csr_t *g, const fsn_users_t *users,
                         fsn_rng_t *r, uint8_t *mark, fsn_vid_t *out, uint32_t *got,
                         fsn_error_t *err) {
    FSN_REQUIRE(s && g && got && (mark || g->n == 0) && (out || s->count == 0));
    *got = 0;
    switch (s->kind) {
    case FSN_SEED_RANDOM:
        FSN_REQUIRE(r);
        *got = pick_random(g->n, s->count, r, mark, out);
        return FSN_OK;
    case FSN_SEED_TIER:
        if (!users)
            return fsn_error_set(err, FSN_EINVAL, "seeds tier: no user attributes given");
        if (users->n != g->n)
            return fsn_error_set(err, FSN_EINVAL,
                                 "seeds tier: attributes are for %u users, the graph has %u",
                                 users->n, g->n);
        if (s->tier < 0 || s->tier >= FSN_TIER_COUNT)
            return fsn_error_set(err, FSN_EINVAL, "seeds tier: tier %d, expected 0 to %d",
                                 s->tier, FSN_TIER_COUNT - 1);
        FSN_REQUIRE(r);
        *got = pick_tier(users, g->n, s->tier, s->count, r, out);
        return FSN_OK;
    case FSN_SEED_DEGREE:
    case FSN_SEED_PAGERANK:
    case FSN_SEED_KCORE:
    case FSN_SEED_FILE:
        break;
    default:
        return fsn_error_set(err, FSN_EINVAL, "seeds: unknown seeding kind %d", (int)s->kind);
    }

    const char *name = fsn_seed_kind_name((int)s->kind);
    if (!s->list && s->list_len > 0)
        return fsn_error_set(err, FSN_EINVAL, "seeds %s: no list given", name);
    uint32_t k = 0;
    fsn_err_t rc = FSN_OK;
    for (size_t i = 0; i < s->list_len && k < s->count; i++) {
        fsn_vid_t v = s->list[i];
        if (v >= g->n) {
            rc = fsn_error_set(err, FSN_EINVAL,
                               "seeds %s: list entry %zu is user %u, the graph has %u users",
                               name, i, v, g->n);
            break;
        }
        if (mark[v]) continue;
        mark[v] = 1;
        out[k++] = v;
    }
    for (uint32_t i = 0; i < k; i++) mark[out[i]] = 0;
    if (rc) return rc;
    *got = k;
    return FSN_OK;
}
