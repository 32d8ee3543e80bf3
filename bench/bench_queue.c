/*
 * bench_queue.c: priority queues for the engine's event order, compared.
 *
 * Every structure here is a private copy written for this program (the
 * engine's own queue is not called), and every one orders 24-byte entries
 * exactly as sim/engine.c does: by the 128-bit integer (time bits, key)
 * with key = (priority + 128) << 56 | sequence << 16 | type, that is by
 * time, then priority, then insertion sequence. The structures:
 *
 *   binary     implicit heap, d = 2 (gcc compiles its child select to cmov)
 *   4-ary      implicit heap, d = 4: the engine's sift_up and sift_down,
 *              verbatim; the reference of the ratios
 *   4-ary bf   the same heap with the tournament's winning index computed
 *              from the compare bits, so that no conditional jump is left
 *              in it (see minfull4bf)
 *   8-ary bf   implicit heap, d = 8, two such tournaments and a final one
 *   pairing    pairing heap, two-pass pop, nodes from a pool (no malloc)
 *   calendar   calendar queue (Brown 1988): sorted bucket lists, resize
 *              when the count doubles or halves, bucket width three times
 *              the mean sampled separation of the earliest events
 *   radix      radix heap on the time bits (times never go below the last
 *              popped time), ties on time in a binary heap on the key,
 *              buckets as stacks of blocks from one pool
 *
 * Workloads (each event is pushed once and popped once; the times are per
 * event, that is per push + pop pair):
 *
 *   hold N     the classic hold model: N events at Exp(1) times, then M
 *              holds (pop the first, push it again at now + Exp(1)); the
 *              remaining times stay i.i.d. Exp(1), so the queue is in its
 *              steady state from the start. Only the holds are timed.
 *   cascade P  a branching cascade: 1000 first events at Exp(1.5) times
 *              with priorities in [-2, 2], then every popped event pushes
 *              Poisson(3) children at now + Exp(1.5) until 1.5 P pushes
 *              are spent, after which the queue drains. The queue grows
 *              to about P and empties.
 *   cascade-t0 P  the same cascade with its 1000 first events all at
 *              t = 0 (a launch: ties on time, broken by priority and then
 *              sequence).
 *
 * The random draws are made before the clock starts (xoshiro256** from
 * fission/rng.h), so the times measure the queues and the loop only; the
 * clock is the thread's CPU time, which leaves out the time the thread
 * waits for a core on a loaded machine (not the cache other processes
 * evict). Each measured run hashes the sequence it pops; every structure
 * must pop the same sequence as the 4-ary heap, and before any timing a
 * tie-heavy workload (times on a grid, a third of the first events at
 * t = 0, priorities, events scheduled at exactly now with a smaller
 * priority than the one running) is checked pop by pop against a
 * linear-scan queue. Any difference exits 1.
 *
 * Repetitions are interleaved (rep 1 runs every structure, then rep 2, in
 * a rotated order), and the tables give the median time per event and
 * the median over repetitions of the ratio t(4-ary) / t(structure)
 * within a repetition, so > 1 is faster than the engine's heap. Extra
 * untimed runs print the counters of the calendar queue and the radix
 * heap.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fission/rng.h"

static const char *const USAGE =
    "usage: bench_queue [--quick] [--reps R] [--ops M] [--sizes N1,N2,...]\n"
    "                   [--peaks P1,P2,...] [--seed S] [--no-hold] [--no-cascade]\n"
    "\n"
    "Compares priority queues (binary, 4-ary, 8-ary heaps, pairing heap, calendar\n"
    "queue, radix heap) under the engine's event order (time, priority, sequence)\n"
    "on the hold model and on a growing-then-draining cascade, and prints CPU ns\n"
    "per event (one push and one pop) and the speed of each relative to the\n"
    "engine's 4-ary heap. The default run takes about a minute.\n"
    "\n"
    "  --quick        short run: sizes 1e3,1e4,1e5, 4e5 holds, peak 1e5, 3 reps\n"
    "  --reps R       interleaved repetitions per configuration (default 3)\n"
    "  --ops M        holds per hold-model run (default 2e6)\n"
    "  --sizes LIST   hold-model queue sizes (default 1e3,1e4,1e5,1e6)\n"
    "  --peaks LIST   cascade peak sizes, each run with spread first events and\n"
    "                 with all first events at t = 0 (default 1e5,1e6)\n"
    "  --seed S       seed of the random draws (default 2024)\n"
    "  --no-hold, --no-cascade   skip a workload\n"
    "\n"
    "Exit status: 0 on success, 1 if the structures disagree on the popped\n"
    "sequence (or run out of memory), 2 on a usage error.\n";

/* ---- entries and their order (as in sim/engine.c) ----------------------- */

typedef unsigned __int128 u128;

typedef struct qentry {
    uint64_t tbits; /* bit pattern of the time, >= +0.0 */
    uint64_t key;   /* (priority + 128) << 56 | sequence << 16 | type */
    uint32_t slot;
    uint32_t a;
} qentry_t;

_Static_assert(sizeof(qentry_t) == 24, "24-byte entries, as in the engine");

#define NIL UINT32_MAX

static inline u128 qkey(const qentry_t *e) { return ((u128)e->tbits << 64) | e->key; }

static inline uint64_t time_bits(double t) {
    t += 0.0;
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    return b;
}

static inline double bits_time(uint64_t b) {
    double t;
    memcpy(&t, &b, sizeof t);
    return t;
}

static inline qentry_t make_entry(double t, int prio, uint64_t seq) {
    qentry_t e;
    e.tbits = time_bits(t);
    e.key = ((uint64_t)(prio + 128) << 56) | (seq << 16) | (seq & 7);
    e.slot = (uint32_t)seq;
    e.a = (uint32_t)(seq * 0x9E3779B1u);
    return e;
}

static void die_nomem(void) {
    fprintf(stderr, "bench_queue: out of memory\n");
    exit(1);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die_nomem();
    memset(p, 0, n); /* touch the pages before any clock starts */
    return p;
}

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n);
    if (!p) die_nomem();
    return p;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- d-ary implicit heaps ------------------------------------------------ */

typedef struct dheap {
    qentry_t *h;
    size_t n, cap;
} dheap_t;

static void dheap_init(dheap_t *q, size_t cap) {
    q->h = xmalloc(cap * sizeof *q->h);
    q->n = 0;
    q->cap = cap;
}

static void dheap_free(dheap_t *q) { free(q->h); }

static inline void dheap_reserve(dheap_t *q) {
    if (q->n == q->cap) {
        q->cap *= 2;
        q->h = xrealloc(q->h, q->cap * sizeof *q->h);
    }
}

/* The smallest of the D full children from index c: its index, and its
 * key in *bk. */
static inline size_t minfull2(const qentry_t *h, size_t c, u128 *bk) {
    u128 k0 = qkey(&h[c]), k1 = qkey(&h[c + 1]);
    *bk = k1 < k0 ? k1 : k0;
    return k1 < k0 ? c + 1 : c;
}

/* The engine's tournament, verbatim. */
static inline size_t minfull4(const qentry_t *h, size_t c, u128 *bk) {
    u128 k0 = qkey(&h[c]), k1 = qkey(&h[c + 1]);
    u128 k2 = qkey(&h[c + 2]), k3 = qkey(&h[c + 3]);
    size_t b01 = k1 < k0 ? c + 1 : c, b23 = k3 < k2 ? c + 3 : c + 2;
    u128 m01 = k1 < k0 ? k1 : k0, m23 = k3 < k2 ? k3 : k2;
    *bk = m23 < m01 ? m23 : m01;
    return m23 < m01 ? b23 : b01;
}

/* The same tournament with the winner's index computed from the compare
 * bits. gcc 12 -O3 compiles the two index selects of minfull4 (b01, b23)
 * to conditional jumps, taken at random and so mispredicted about half
 * the time (cachegrind's branch simulation: 6.8 mispredictions per pop
 * in sift_down_4 against 1.1 here, hold model at N = 1e4); this version
 * compiles to cmov, setb and arithmetic only. */
static inline size_t minfull4bf(const qentry_t *h, size_t c, u128 *bk) {
    u128 k0 = qkey(&h[c]), k1 = qkey(&h[c + 1]);
    u128 k2 = qkey(&h[c + 2]), k3 = qkey(&h[c + 3]);
    size_t l01 = k1 < k0, l23 = k3 < k2;
    u128 m01 = l01 ? k1 : k0, m23 = l23 ? k3 : k2;
    size_t l = m23 < m01;
    *bk = l ? m23 : m01;
    size_t m = 0 - l; /* all ones when the right pair wins */
    return c + (l << 1) + ((l23 & m) | (l01 & ~m));
}

static inline size_t minfull8bf(const qentry_t *h, size_t c, u128 *bk) {
    u128 ka, kb;
    size_t a = minfull4bf(h, c, &ka), b = minfull4bf(h, c + 4, &kb);
    size_t l = kb < ka;
    *bk = l ? kb : ka;
    return a + ((b - a) & (0 - l));
}

/* sift_up / sift_down / push / pop for arity D, named N, with MINF the
 * tournament among D full children; dh4 is the engine's code. */
#define DEFINE_DHEAP(N, D, MINF)                                                                   \
    static void sift_up_##N(qentry_t *h, size_t i) {                                               \
        qentry_t e = h[i];                                                                         \
        u128 ek = qkey(&e);                                                                        \
        while (i > 0) {                                                                            \
            size_t p = (i - 1) / D;                                                                \
            if (!(ek < qkey(&h[p]))) break;                                                        \
            h[i] = h[p];                                                                           \
            i = p;                                                                                 \
        }                                                                                          \
        h[i] = e;                                                                                  \
    }                                                                                              \
    static void sift_down_##N(qentry_t *h, size_t n, size_t i) {                                   \
        qentry_t e = h[i];                                                                         \
        const u128 ek = qkey(&e);                                                                  \
        for (;;) {                                                                                 \
            size_t c = i * D + 1, best;                                                            \
            u128 bk;                                                                               \
            if (c + (D - 1) < n) {                                                                 \
                best = MINF(h, c, &bk);                                                            \
            } else if (c < n) {                                                                    \
                best = c;                                                                          \
                bk = qkey(&h[c]);                                                                  \
                for (size_t j = c + 1; j < n; j++) {                                               \
                    u128 kj = qkey(&h[j]);                                                         \
                    if (kj < bk) {                                                                 \
                        bk = kj;                                                                   \
                        best = j;                                                                  \
                    }                                                                              \
                }                                                                                  \
            } else {                                                                               \
                break;                                                                             \
            }                                                                                      \
            if (!(bk < ek)) break;                                                                 \
            h[i] = h[best];                                                                        \
            i = best;                                                                              \
        }                                                                                          \
        h[i] = e;                                                                                  \
    }                                                                                              \
    static inline void dh##N##_push(dheap_t *q, const qentry_t *e) {                               \
        dheap_reserve(q);                                                                          \
        q->h[q->n] = *e;                                                                           \
        sift_up_##N(q->h, q->n++);                                                                 \
    }                                                                                              \
    static inline int dh##N##_pop(dheap_t *q, qentry_t *out) {                                     \
        if (q->n == 0) return 0;                                                                   \
        *out = q->h[0];                                                                            \
        size_t n = --q->n;                                                                         \
        if (n > 0) {                                                                               \
            q->h[0] = q->h[n];                                                                     \
            sift_down_##N(q->h, n, 0);                                                             \
        }                                                                                          \
        return 1;                                                                                  \
    }                                                                                              \
    static void dh##N##_init(dheap_t *q, size_t cap) { dheap_init(q, cap); }                       \
    static void dh##N##_free(dheap_t *q) { dheap_free(q); }                                        \
    static void dh##N##_zero(dheap_t *q) {}                                                        \
    static void dh##N##_describe(const dheap_t *q, size_t peak, char *buf, size_t len) {}

DEFINE_DHEAP(2, 2, minfull2)
DEFINE_DHEAP(4, 4, minfull4)
DEFINE_DHEAP(4b, 4, minfull4bf)
DEFINE_DHEAP(8, 8, minfull8bf)

/* ---- pairing heap -------------------------------------------------------- */

typedef struct pnode {
    qentry_t e;
    uint32_t child, next; /* first child; next sibling */
} pnode_t;

typedef struct pheap {
    pnode_t *nd;
    uint32_t *freel;
    size_t nfree, used, cap;
    uint32_t root;
} pheap_t;

static void ph_init(pheap_t *q, size_t cap) {
    q->nd = xmalloc(cap * sizeof *q->nd);
    q->freel = xmalloc(cap * sizeof *q->freel);
    q->nfree = q->used = 0;
    q->cap = cap;
    q->root = NIL;
}

static void ph_free(pheap_t *q) {
    free(q->nd);
    free(q->freel);
}

/* Nodes come from a LIFO free list, as the engine's slots do. */
static inline uint32_t pool_take(uint32_t *freel, size_t *nfree, size_t *used, size_t cap) {
    if (*nfree) return freel[--*nfree];
    if (*used == cap) return NIL;
    return (uint32_t)(*used)++;
}

static void ph_grow(pheap_t *q) {
    q->cap *= 2;
    q->nd = xrealloc(q->nd, q->cap * sizeof *q->nd);
    q->freel = xrealloc(q->freel, q->cap * sizeof *q->freel);
}

/* Make the larger of two roots the first child of the smaller. */
static inline uint32_t ph_link(pnode_t *nd, uint32_t a, uint32_t b) {
    if (qkey(&nd[b].e) < qkey(&nd[a].e)) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    nd[b].next = nd[a].child;
    nd[a].child = b;
    return a;
}

/* Two-pass merge of a sibling list: link pairs left to right (stacking the
 * results), then link the stack right to left. */
static inline uint32_t ph_merge_pairs(pnode_t *nd, uint32_t first) {
    if (first == NIL) return NIL;
    uint32_t stack = NIL;
    while (first != NIL) {
        uint32_t a = first, b = nd[a].next;
        if (b == NIL) {
            nd[a].next = stack;
            stack = a;
            break;
        }
        first = nd[b].next;
        uint32_t m = ph_link(nd, a, b);
        nd[m].next = stack;
        stack = m;
    }
    uint32_t r = stack;
    stack = nd[r].next;
    while (stack != NIL) {
        uint32_t nx = nd[stack].next;
        r = ph_link(nd, r, stack);
        stack = nx;
    }
    nd[r].next = NIL;
    return r;
}

static inline void ph_push(pheap_t *q, const qentry_t *e) {
    uint32_t x = pool_take(q->freel, &q->nfree, &q->used, q->cap);
    if (x == NIL) {
        ph_grow(q);
        x = pool_take(q->freel, &q->nfree, &q->used, q->cap);
    }
    q->nd[x].e = *e;
    q->nd[x].child = q->nd[x].next = NIL;
    q->root = q->root == NIL ? x : ph_link(q->nd, q->root, x);
}

static void ph_zero(pheap_t *q) {}
static void ph_describe(const pheap_t *q, size_t peak, char *buf, size_t len) {}

static inline int ph_pop(pheap_t *q, qentry_t *out) {
    uint32_t r = q->root;
    if (r == NIL) return 0;
    *out = q->nd[r].e;
    q->root = ph_merge_pairs(q->nd, q->nd[r].child);
    q->freel[q->nfree++] = r;
    return 1;
}

/* ---- calendar queue (Brown 1988) ----------------------------------------- */

typedef struct cnode {
    qentry_t e;
    uint32_t next;
} cnode_t;

/*
 * Bucket of a time: its "virtual bucket" vb = floor(t / width), in bucket
 * vb mod nb (nb a power of two). Each bucket is a list sorted by the full
 * key. Every pending event has vb >= cur_vb (the vb of the last popped
 * time), so scanning from cur_vb, the first bucket whose head has exactly
 * the expected vb holds the minimum; after a whole year without one, the
 * minimum is found by a direct search of the heads. Integer virtual
 * buckets replace Brown's floating bucket tops, so no rounding can skip
 * an event.
 */
typedef struct calq {
    cnode_t *nd;
    uint32_t *freel;
    size_t nfree, used, cap;
    uint32_t *head;
    size_t nb, head_cap;
    uint64_t mask, cur_vb;
    double width, inv_w, last_t;
    size_t n, top, bot;
    int resize_ok;
    /* diagnostics */
    uint64_t pops, scanned, direct, inserts, walked, resizes;
} calq_t;

static void cq_init(calq_t *q, size_t cap) {
    memset(q, 0, sizeof *q);
    q->nd = xmalloc(cap * sizeof *q->nd);
    q->freel = xmalloc(cap * sizeof *q->freel);
    q->cap = cap;
    q->head_cap = 2;
    q->head = xmalloc(q->head_cap * sizeof *q->head);
    q->nb = 2;
    q->mask = 1;
    q->head[0] = q->head[1] = NIL;
    q->width = 1.0;
    q->inv_w = 1.0;
    q->top = 4;
    q->bot = 0;
    q->resize_ok = 1;
}

static void cq_free(calq_t *q) {
    free(q->nd);
    free(q->freel);
    free(q->head);
}

static inline uint64_t cq_vb_of(double t, double inv_w) {
    double x = t * inv_w; /* monotone in t, so vb never inverts the order */
    return x < 1.8e19 ? (uint64_t)x : UINT64_MAX;
}

static inline void cq_insert(calq_t *q, uint32_t x) {
    uint64_t b = cq_vb_of(bits_time(q->nd[x].e.tbits), q->inv_w) & q->mask;
    u128 k = qkey(&q->nd[x].e);
    uint32_t *pp = &q->head[b];
    uint64_t steps = 0;
    while (*pp != NIL && qkey(&q->nd[*pp].e) < k) {
        pp = &q->nd[*pp].next;
        steps++;
    }
    q->nd[x].next = *pp;
    *pp = x;
    q->inserts++;
    q->walked += steps;
}

static int cq_pop_raw(calq_t *q, qentry_t *out) {
    if (q->n == 0) return 0;
    uint32_t x = NIL;
    uint64_t vb = 0, b = 0;
    for (size_t i = 0; i < q->nb; i++) {
        vb = q->cur_vb + i;
        b = vb & q->mask;
        uint32_t h = q->head[b];
        if (h != NIL && cq_vb_of(bits_time(q->nd[h].e.tbits), q->inv_w) == vb) {
            x = h;
            q->scanned += i + 1;
            break;
        }
    }
    if (x == NIL) { /* a whole year empty: direct search */
        q->direct++;
        q->scanned += q->nb;
        for (size_t j = 0; j < q->nb; j++) {
            uint32_t h = q->head[j];
            if (h != NIL && (x == NIL || qkey(&q->nd[h].e) < qkey(&q->nd[x].e))) {
                x = h;
                b = j;
            }
        }
        vb = cq_vb_of(bits_time(q->nd[x].e.tbits), q->inv_w);
    }
    q->head[b] = q->nd[x].next;
    *out = q->nd[x].e;
    q->freel[q->nfree++] = x;
    q->n--;
    q->pops++;
    q->cur_vb = vb;
    q->last_t = bits_time(out->tbits);
    return 1;
}

static void cq_push_raw(calq_t *q, const qentry_t *e) {
    uint32_t x = pool_take(q->freel, &q->nfree, &q->used, q->cap);
    if (x == NIL) {
        q->cap *= 2;
        q->nd = xrealloc(q->nd, q->cap * sizeof *q->nd);
        q->freel = xrealloc(q->freel, q->cap * sizeof *q->freel);
        x = pool_take(q->freel, &q->nfree, &q->used, q->cap);
    }
    q->nd[x].e = *e;
    cq_insert(q, x);
    q->n++;
}

/* Brown's width: pop a few of the earliest events (5 + n/10, at most 25),
 * average their separations, average again over those below twice the
 * first average, times 3; push them back. Ties (zero separations) would
 * give a zero width: fall back on the plain average, then on the old
 * width. */
static double cq_new_width(calq_t *q) {
    if (q->n < 2) return q->width;
    size_t ns = q->n <= 5 ? q->n : 5 + q->n / 10;
    if (ns > 25) ns = 25;
    qentry_t s[25];
    uint64_t cur_vb = q->cur_vb;
    double last_t = q->last_t;
    uint64_t pops = q->pops, scanned = q->scanned, direct = q->direct;
    uint64_t inserts = q->inserts, walked = q->walked;
    for (size_t i = 0; i < ns; i++) cq_pop_raw(q, &s[i]);
    for (size_t i = 0; i < ns; i++) cq_push_raw(q, &s[i]);
    q->cur_vb = cur_vb;
    q->last_t = last_t;
    q->pops = pops;
    q->scanned = scanned;
    q->direct = direct;
    q->inserts = inserts;
    q->walked = walked;
    double t0 = bits_time(s[0].tbits), t1 = bits_time(s[ns - 1].tbits);
    double avg = (t1 - t0) / (double)(ns - 1), sum = 0.0;
    size_t c = 0;
    for (size_t i = 1; i < ns; i++) {
        double d = bits_time(s[i].tbits) - bits_time(s[i - 1].tbits);
        if (d < 2.0 * avg) {
            sum += d;
            c++;
        }
    }
    double w = c ? 3.0 * sum / (double)c : 0.0;
    if (!(w > 0.0)) w = 3.0 * avg;
    if (!(w > 0.0) || !isfinite(w)) w = q->width;
    return w;
}

static void cq_resize(calq_t *q, size_t nb) {
    q->resize_ok = 0;
    double w = cq_new_width(q);
    uint32_t all = NIL;
    for (size_t b = 0; b < q->nb; b++)
        for (uint32_t x = q->head[b], nx; x != NIL; x = nx) {
            nx = q->nd[x].next;
            q->nd[x].next = all;
            all = x;
        }
    if (nb > q->head_cap) {
        q->head_cap = nb;
        free(q->head);
        q->head = xmalloc(nb * sizeof *q->head);
    }
    for (size_t b = 0; b < nb; b++) q->head[b] = NIL;
    q->nb = nb;
    q->mask = nb - 1;
    q->width = w;
    q->inv_w = 1.0 / w;
    q->cur_vb = cq_vb_of(q->last_t, q->inv_w);
    uint64_t inserts = q->inserts, walked = q->walked;
    for (uint32_t x = all, nx; x != NIL; x = nx) {
        nx = q->nd[x].next;
        cq_insert(q, x);
    }
    q->inserts = inserts;
    q->walked = walked;
    q->top = 2 * nb;
    q->bot = nb >= 8 ? nb / 2 - 2 : 0;
    q->resizes++;
    q->resize_ok = 1;
}

static inline void cal_push(calq_t *q, const qentry_t *e) {
    cq_push_raw(q, e);
    if (q->n > q->top && q->resize_ok) cq_resize(q, 2 * q->nb);
}

static inline int cal_pop(calq_t *q, qentry_t *out) {
    if (!cq_pop_raw(q, out)) return 0;
    if (q->n < q->bot && q->resize_ok) cq_resize(q, q->nb / 2);
    return 1;
}

static void cal_init(calq_t *q, size_t cap) { cq_init(q, cap); }
static void cal_free(calq_t *q) { cq_free(q); }

static void cal_zero(calq_t *q) {
    q->pops = q->scanned = q->direct = q->inserts = q->walked = q->resizes = 0;
}

static void cal_describe(const calq_t *q, size_t peak, char *buf, size_t len) {
    snprintf(buf, len,
             "%zu buckets of width %.3g at the end, %llu resizes; per pop %.2f buckets "
             "scanned, %.2g direct searches; per push %.2f list steps",
             q->nb, q->width, (unsigned long long)q->resizes,
             (double)q->scanned / (double)q->pops, (double)q->direct / (double)q->pops,
             (double)q->walked / (double)q->inserts);
}

/* ---- radix heap on the time bits ----------------------------------------- */

/*
 * Times are never below the last popped time, and the bits of
 * non-negative doubles order as the values, so an event goes to bucket
 * 64 - clz(tbits ^ last) (bucket 0: same time as the last pop). Popping
 * from an empty bucket 0 takes the lowest non-empty bucket, makes its
 * smallest time (kept per bucket) the new `last` and moves its entries
 * into lower buckets. The full key is not monotone (an event scheduled at
 * exactly now may have a smaller priority than the one running), so
 * bucket 0 is a binary heap on the full key rather than a list.
 *
 * Buckets are stacks of 64-entry blocks from one shared pool with a free
 * list: as `now` advances through the binades of the time, the bulk of
 * the events passes from bucket to bucket, and separate growable arrays
 * would each keep the capacity of their own peak (an earlier version
 * held 11 to 22 entries of capacity per live event on the hold model).
 * With blocks, memory is at most the live events plus one partial block
 * per bucket, and a steady state allocates nothing.
 */
#define RX_BLK 64

typedef struct rblock {
    uint32_t next, n;
    qentry_t v[RX_BLK];
} rblock_t;

typedef struct radixq {
    rblock_t *blk;
    size_t nblk, cap_blk;
    uint32_t free_blk;
    uint32_t head[65];    /* top block of each bucket (NIL: empty) */
    uint64_t bmin[65];    /* smallest time bits in each bucket */
    dheap_t h0;
    uint64_t last, occ;   /* occ bit i-1: bucket i non-empty */
    uint64_t pops, moved; /* diagnostics */
    size_t blk_used, blk_peak;
} radixq_t;

static void rx_init(radixq_t *q, size_t cap) {
    memset(q, 0, sizeof *q);
    q->cap_blk = cap / RX_BLK + 66;
    q->blk = xmalloc(q->cap_blk * sizeof *q->blk);
    q->free_blk = NIL;
    for (int i = 0; i < 65; i++) q->head[i] = NIL;
    dheap_init(&q->h0, 64);
}

static void rx_free(radixq_t *q) {
    free(q->blk);
    dheap_free(&q->h0);
}

static inline uint32_t rx_take_block(radixq_t *q) {
    uint32_t b = q->free_blk;
    if (b != NIL) {
        q->free_blk = q->blk[b].next;
    } else {
        if (q->nblk == q->cap_blk) {
            q->cap_blk *= 2;
            q->blk = xrealloc(q->blk, q->cap_blk * sizeof *q->blk);
        }
        b = (uint32_t)q->nblk++;
    }
    q->blk_used++;
    q->blk_peak = q->blk_used > q->blk_peak ? q->blk_used : q->blk_peak;
    return b;
}

static inline void rx_put(radixq_t *q, const qentry_t *e) {
    uint64_t d = e->tbits ^ q->last;
    if (d == 0) {
        dh2_push(&q->h0, e);
        return;
    }
    unsigned i = 64u - (unsigned)__builtin_clzll(d);
    uint32_t h = q->head[i];
    if (h == NIL || q->blk[h].n == RX_BLK) {
        uint32_t nb = rx_take_block(q);
        q->blk[nb].next = h;
        q->blk[nb].n = 0;
        q->head[i] = h = nb;
        if (!(q->occ & (UINT64_C(1) << (i - 1)))) q->bmin[i] = UINT64_MAX;
        q->occ |= UINT64_C(1) << (i - 1);
    }
    rblock_t *B = &q->blk[h];
    B->v[B->n++] = *e;
    q->bmin[i] = e->tbits < q->bmin[i] ? e->tbits : q->bmin[i];
}

static inline void rx_push(radixq_t *q, const qentry_t *e) { rx_put(q, e); }

static inline int rx_pop(radixq_t *q, qentry_t *out) {
    if (q->h0.n == 0) {
        if (!q->occ) return 0;
        unsigned i = (unsigned)__builtin_ctzll(q->occ) + 1u;
        q->last = q->bmin[i];
        q->occ &= ~(UINT64_C(1) << (i - 1));
        uint32_t b = q->head[i];
        q->head[i] = NIL;
        while (b != NIL) { /* every entry goes to a bucket below i */
            rblock_t *B = &q->blk[b];
            for (uint32_t k = 0; k < B->n; k++) rx_put(q, &B->v[k]);
            q->moved += B->n;
            uint32_t nx = B->next;
            B->next = q->free_blk;
            q->free_blk = b;
            q->blk_used--;
            b = nx;
        }
    }
    q->pops++;
    return dh2_pop(&q->h0, out);
}

static void rx_zero(radixq_t *q) { q->pops = q->moved = 0; }

static void rx_describe(const radixq_t *q, size_t peak, char *buf, size_t len) {
    snprintf(buf, len,
             "per pop %.2f entries moved down; at most %zu blocks in use, %.2f entries of "
             "room per event at the peak",
             (double)q->moved / (double)q->pops, q->blk_peak,
             (double)(q->blk_peak * RX_BLK + q->h0.cap) / (double)peak);
}

/* ---- linear scan: the oracle of the check --------------------------------- */

typedef struct lin {
    qentry_t *v;
    size_t n, cap;
} lin_t;

static void lin_init(lin_t *q, size_t cap) {
    q->v = xmalloc(cap * sizeof *q->v);
    q->n = 0;
    q->cap = cap;
}

static void lin_free(lin_t *q) { free(q->v); }

static inline void lin_push(lin_t *q, const qentry_t *e) {
    if (q->n == q->cap) {
        q->cap *= 2;
        q->v = xrealloc(q->v, q->cap * sizeof *q->v);
    }
    q->v[q->n++] = *e;
}

static inline int lin_pop(lin_t *q, qentry_t *out) {
    if (q->n == 0) return 0;
    size_t best = 0;
    for (size_t i = 1; i < q->n; i++)
        if (qkey(&q->v[i]) < qkey(&q->v[best])) best = i;
    *out = q->v[best];
    q->v[best] = q->v[--q->n];
    return 1;
}

/* ---- workloads ------------------------------------------------------------ */

/* Hash of a popped sequence, and a check that time never goes back. */
typedef struct csum {
    uint64_t h, last, count;
    int bad;
} csum_t;

static inline void csum_add(csum_t *c, const qentry_t *e) {
    c->h = (c->h ^ e->tbits) * UINT64_C(0x9E3779B97F4A7C15);
    c->h = (c->h ^ e->key) * UINT64_C(0xBF58476D1CE4E5B9);
    c->bad |= e->tbits < c->last;
    c->last = e->tbits;
    c->count++;
}

typedef struct hold_in {
    size_t n, ops;
    const double *pre; /* n initial times */
    const double *del; /* ops delays */
} hold_in_t;

#define CASC_SEEDS 1000

typedef struct casc_in {
    size_t cap;           /* pushes after the first events */
    const double *seed_t; /* CASC_SEEDS first times */
    const int *seed_prio; /* CASC_SEEDS priorities */
    const uint8_t *kids;  /* children of the k-th popped event */
    const double *del;    /* delay of the j-th child */
} casc_in_t;

/* A tie-heavy workload, recorded pop by pop. */
typedef struct check_in {
    size_t n0, steps;
    const double *pre;
    const int *pre_prio;
    const double *del;  /* per step: delay, 0 for "at now" */
    const int *prio;    /* per step */
    const uint8_t *nch; /* per step: 0, 1 or 2 pushes */
} check_in_t;

typedef struct run_out {
    double secs;
    csum_t sum;
    size_t events, peak;
    char *diag; /* if not NULL: the structure's counters, for the notes */
    size_t diag_len;
} run_out_t;

#define DEFINE_RUNNERS(P, T)                                                                       \
    static void P##_hold(const hold_in_t *in, run_out_t *out) {                                    \
        T q;                                                                                       \
        P##_init(&q, in->n + 64);                                                                  \
        uint64_t seq = 0;                                                                          \
        for (size_t i = 0; i < in->n; i++) {                                                       \
            qentry_t e = make_entry(in->pre[i], 0, ++seq);                                         \
            P##_push(&q, &e);                                                                      \
        }                                                                                          \
        csum_t sum = {0, 0, 0, 0};                                                                 \
        const double *del = in->del;                                                               \
        if (out->diag) P##_zero(&q);                                                               \
        double t0 = now_s();                                                                       \
        for (size_t i = 0; i < in->ops; i++) {                                                     \
            qentry_t e;                                                                            \
            if (!P##_pop(&q, &e)) {                                                                \
                sum.bad = 1;                                                                       \
                break;                                                                             \
            }                                                                                      \
            csum_add(&sum, &e);                                                                    \
            qentry_t f = make_entry(bits_time(e.tbits) + del[i], 0, ++seq);                        \
            P##_push(&q, &f);                                                                      \
        }                                                                                          \
        out->secs = now_s() - t0;                                                                  \
        out->sum = sum;                                                                            \
        out->events = in->ops;                                                                     \
        out->peak = in->n;                                                                         \
        if (out->diag) P##_describe(&q, out->peak, out->diag, out->diag_len);                      \
        P##_free(&q);                                                                              \
    }                                                                                              \
    static void P##_cascade(const casc_in_t *in, run_out_t *out) {                                 \
        T q;                                                                                       \
        P##_init(&q, in->cap + CASC_SEEDS + 64);                                                   \
        uint64_t seq = 0;                                                                          \
        size_t pushes = 0, pops = 0, size = CASC_SEEDS, peak = CASC_SEEDS;                         \
        csum_t sum = {0, 0, 0, 0};                                                                 \
        const double *del = in->del;                                                               \
        double t0 = now_s();                                                                       \
        for (size_t s = 0; s < CASC_SEEDS; s++) {                                                  \
            qentry_t e = make_entry(in->seed_t[s], in->seed_prio[s], ++seq);                       \
            P##_push(&q, &e);                                                                      \
        }                                                                                          \
        qentry_t e;                                                                                \
        while (P##_pop(&q, &e)) {                                                                  \
            csum_add(&sum, &e);                                                                    \
            double now = bits_time(e.tbits);                                                       \
            size_t k = in->kids[pops++];                                                           \
            if (k > in->cap - pushes) k = in->cap - pushes;                                        \
            for (size_t j = 0; j < k; j++) {                                                       \
                qentry_t f = make_entry(now + del[pushes++], 0, ++seq);                            \
                P##_push(&q, &f);                                                                  \
            }                                                                                      \
            size += k - 1;                                                                         \
            peak = size > peak ? size : peak;                                                      \
        }                                                                                          \
        out->secs = now_s() - t0;                                                                  \
        out->sum = sum;                                                                            \
        out->events = pops;                                                                        \
        out->peak = peak;                                                                          \
        if (out->diag) P##_describe(&q, out->peak, out->diag, out->diag_len);                      \
        P##_free(&q);                                                                              \
    }                                                                                              \
    DEFINE_CHECK(P, T)

/* The check workload: every pop recorded. */
#define DEFINE_CHECK(P, T)                                                                         \
    static size_t P##_check(const check_in_t *in, qentry_t *rec) {                                 \
        T q;                                                                                       \
        P##_init(&q, 16);                                                                          \
        uint64_t seq = 0;                                                                          \
        size_t m = 0;                                                                              \
        for (size_t i = 0; i < in->n0; i++) {                                                      \
            qentry_t e = make_entry(in->pre[i], in->pre_prio[i], ++seq);                           \
            P##_push(&q, &e);                                                                      \
        }                                                                                          \
        qentry_t e;                                                                                \
        for (size_t i = 0; i < in->steps && P##_pop(&q, &e); i++) {                                \
            rec[m++] = e;                                                                          \
            for (unsigned j = 0; j < in->nch[i]; j++) {                                            \
                qentry_t f = make_entry(bits_time(e.tbits) + in->del[i], in->prio[i] + (int)j,     \
                                        ++seq);                                                    \
                P##_push(&q, &f);                                                                  \
            }                                                                                      \
        }                                                                                          \
        while (P##_pop(&q, &e)) rec[m++] = e;                                                      \
        P##_free(&q);                                                                              \
        return m;                                                                                  \
    }

DEFINE_RUNNERS(dh2, dheap_t)
DEFINE_RUNNERS(dh4, dheap_t)
DEFINE_RUNNERS(dh4b, dheap_t)
DEFINE_RUNNERS(dh8, dheap_t)
DEFINE_RUNNERS(ph, pheap_t)
DEFINE_RUNNERS(cal, calq_t)
DEFINE_RUNNERS(rx, radixq_t)
DEFINE_CHECK(lin, lin_t)

typedef struct impl {
    const char *name;
    void (*hold)(const hold_in_t *, run_out_t *);
    void (*cascade)(const casc_in_t *, run_out_t *);
    size_t (*check)(const check_in_t *, qentry_t *);
} impl_t;

#define REF 1 /* the 4-ary heap */

static const impl_t IMPLS[] = {
    {"binary", dh2_hold, dh2_cascade, dh2_check},   {"4-ary", dh4_hold, dh4_cascade, dh4_check},
    {"4-ary bf", dh4b_hold, dh4b_cascade, dh4b_check},
    {"8-ary bf", dh8_hold, dh8_cascade, dh8_check},    {"pairing", ph_hold, ph_cascade, ph_check},
    {"calendar", cal_hold, cal_cascade, cal_check}, {"radix", rx_hold, rx_cascade, rx_check},
};
#define NIMPL ((int)(sizeof IMPLS / sizeof IMPLS[0]))

/* ---- driver ----------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int parse_list(const char *s, double *out, int max) {
    int k = 0;
    char *end;
    while (*s && k < max) {
        out[k] = strtod(s, &end);
        if (end == s || !(out[k] >= 1)) return -1;
        k++;
        s = end;
        if (*s == ',') s++;
        else if (*s) return -1;
    }
    return k;
}

static int poisson(fsn_rng_t *r, double mean) {
    double l = exp(-mean), p = 1.0;
    int k = -1;
    do {
        k++;
        p *= fsn_rng_uniform(r);
    } while (p > l);
    return k;
}

#define MAXCFG 16
#define MAXREP 64

typedef struct row {
    char label[32];
    size_t events, peak;
    double ns[NIMPL];  /* median ns per event */
    double rel[NIMPL]; /* median of t(4-ary) / t(impl) */
    char diag_cal[240], diag_rx[240];
} row_t;

/* Run every structure reps times, interleaved and rotated, on one input. */
static int measure(row_t *row, int reps, const hold_in_t *hin, const casc_in_t *cin) {
    double secs[NIMPL][MAXREP];
    uint64_t ref_h = 0, ref_count = 0; /* the 4-ary heap's, from the first repetition */
    for (int r = 0; r < reps; r++) {
        run_out_t out[NIMPL];
        memset(out, 0, sizeof out);
        for (int k = 0; k < NIMPL; k++) {
            int s = (k + r) % NIMPL;
            if (hin) IMPLS[s].hold(hin, &out[s]);
            else IMPLS[s].cascade(cin, &out[s]);
            secs[s][r] = out[s].secs;
        }
        if (r == 0) {
            ref_h = out[REF].sum.h;
            ref_count = out[REF].sum.count;
        }
        for (int s = 0; s < NIMPL; s++) {
            const csum_t *c = &out[s].sum;
            if (c->bad || c->h != ref_h || c->count != ref_count) {
                fprintf(stderr,
                        "bench_queue: %s, %s popped a different sequence from the 4-ary heap "
                        "(%llu pops, hash %016llx; 4-ary: %llu pops, hash %016llx%s)\n",
                        row->label, IMPLS[s].name, (unsigned long long)c->count,
                        (unsigned long long)c->h, (unsigned long long)ref_count,
                        (unsigned long long)ref_h, c->bad ? "; time went back" : "");
                return 1;
            }
        }
        row->events = out[REF].events;
        row->peak = out[REF].peak;
    }
    for (int s = 0; s < NIMPL; s++) {
        double v[MAXREP], q[MAXREP];
        for (int r = 0; r < reps; r++) {
            v[r] = 1e9 * secs[s][r] / (double)row->events;
            q[r] = secs[REF][r] / secs[s][r];
        }
        row->ns[s] = median(v, reps);
        row->rel[s] = median(q, reps);
    }
    return 0;
}

/* Tie-heavy check against the linear scan, pop by pop. */
static int check_all(uint64_t seed, size_t *pops_out) {
    const size_t n0 = 1500, steps = 30000;
    fsn_rng_t r;
    fsn_rng_seed(&r, seed ^ 0xc0ffee);
    double *pre = xmalloc(n0 * sizeof *pre), *del = xmalloc(steps * sizeof *del);
    int *pre_prio = xmalloc(n0 * sizeof *pre_prio), *prio = xmalloc(steps * sizeof *prio);
    uint8_t *nch = xmalloc(steps);
    for (size_t i = 0; i < n0; i++) {
        /* a third at t = 0 (a launch), the rest on a grid of 0.25 */
        pre[i] = i % 3 == 0 ? 0.0 : floor(4.0 * fsn_rng_exp(&r, 1.0)) / 4.0;
        pre_prio[i] = (int)fsn_rng_below(&r, 5) - 2;
    }
    for (size_t i = 0; i < steps; i++) {
        /* 20% at exactly now, some with a smaller priority than the running event */
        del[i] = fsn_rng_below(&r, 5) == 0 ? 0.0 : floor(4.0 * fsn_rng_exp(&r, 1.0)) / 4.0;
        prio[i] = (int)fsn_rng_below(&r, 5) - 3;
        nch[i] = (uint8_t)fsn_rng_below(&r, 3);
    }
    check_in_t in = {n0, steps, pre, pre_prio, del, prio, nch};
    size_t cap = n0 + 2 * steps + 16;
    qentry_t *want = xmalloc(cap * sizeof *want), *got = xmalloc(cap * sizeof *got);
    size_t m = lin_check(&in, want);
    int rc = 0;
    for (int s = 0; s < NIMPL && !rc; s++) {
        size_t g = IMPLS[s].check(&in, got);
        if (g != m) {
            fprintf(stderr, "bench_queue: check: %s popped %zu events, expected %zu\n",
                    IMPLS[s].name, g, m);
            rc = 1;
        }
        for (size_t i = 0; i < m && !rc; i++)
            if (qkey(&got[i]) != qkey(&want[i])) {
                fprintf(stderr, "bench_queue: check: %s differs from the linear scan at pop %zu\n",
                        IMPLS[s].name, i);
                rc = 1;
            }
    }
    *pops_out = m;
    free(pre);
    free(del);
    free(pre_prio);
    free(prio);
    free(nch);
    free(want);
    free(got);
    return rc;
}

static void cpu_name(char *buf, size_t len) {
    snprintf(buf, len, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            char *p = strchr(line, ':');
            if (p) {
                p += 1 + (p[1] == ' ');
                p[strcspn(p, "\n")] = 0;
                snprintf(buf, len, "%s", p);
            }
            break;
        }
    fclose(f);
}

/* The counters of the calendar queue and the radix heap, on one extra
 * untimed run each. */
static void describe(row_t *row, const hold_in_t *hin, const casc_in_t *cin) {
    for (int s = 0; s < NIMPL; s++) {
        char *buf = !strcmp(IMPLS[s].name, "calendar") ? row->diag_cal
                    : !strcmp(IMPLS[s].name, "radix")  ? row->diag_rx
                                                       : NULL;
        if (!buf) continue;
        run_out_t out;
        memset(&out, 0, sizeof out);
        out.diag = buf;
        out.diag_len = sizeof row->diag_cal;
        if (hin) IMPLS[s].hold(hin, &out);
        else IMPLS[s].cascade(cin, &out);
    }
}

static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_tables(const row_t *rows, int nrows, int reps) {
    printf("\nns per event (one push + one pop; thread CPU time), median of %d:\n\n", reps);
    printf("| workload         |      peak |");
    for (int s = 0; s < NIMPL; s++) printf(" %8s |", IMPLS[s].name);
    printf("\n|------------------|----------:|");
    for (int s = 0; s < NIMPL; s++) printf("---------:|");
    printf("\n");
    for (int i = 0; i < nrows; i++) {
        printf("| %-16s | %9zu |", rows[i].label, rows[i].peak);
        for (int s = 0; s < NIMPL; s++) printf(" %8.1f |", rows[i].ns[s]);
        printf("\n");
    }
    printf("\nspeed relative to the 4-ary heap, t(4-ary) / t(structure), median of %d "
           "(> 1: faster):\n\n",
           reps);
    printf("| workload         |");
    for (int s = 0; s < NIMPL; s++) printf(" %8s |", IMPLS[s].name);
    printf("\n|------------------|");
    for (int s = 0; s < NIMPL; s++) printf("---------:|");
    printf("\n");
    for (int i = 0; i < nrows; i++) {
        printf("| %-16s |", rows[i].label);
        for (int s = 0; s < NIMPL; s++) printf(" %8.2f |", rows[i].rel[s]);
        printf("\n");
    }
    printf("\ncalendar queue (one extra untimed run each):\n");
    for (int i = 0; i < nrows; i++) printf("  %-16s %s\n", rows[i].label, rows[i].diag_cal);
    printf("\nradix heap (one extra untimed run each):\n");
    for (int i = 0; i < nrows; i++) printf("  %-16s %s\n", rows[i].label, rows[i].diag_rx);
}

int main(int argc, char **argv) {
    double sizes[MAXCFG] = {1e3, 1e4, 1e5, 1e6}, peaks[MAXCFG] = {1e5, 1e6};
    int nsizes = 4, npeaks = 2, reps = 3, do_hold = 1, do_casc = 1;
    double ops = 2e6;
    uint64_t seed = 2024;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--quick")) {
            sizes[0] = 1e3, sizes[1] = 1e4, sizes[2] = 1e5, nsizes = 3;
            peaks[0] = 1e5, npeaks = 1;
            ops = 4e5;
            reps = 3;
        } else if (!strcmp(a, "--reps") && more) {
            reps = atoi(argv[++i]);
        } else if (!strcmp(a, "--ops") && more) {
            ops = strtod(argv[++i], NULL);
        } else if (!strcmp(a, "--sizes") && more) {
            nsizes = parse_list(argv[++i], sizes, MAXCFG);
        } else if (!strcmp(a, "--peaks") && more) {
            npeaks = parse_list(argv[++i], peaks, MAXCFG);
        } else if (!strcmp(a, "--seed") && more) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(a, "--no-hold")) {
            do_hold = 0;
        } else if (!strcmp(a, "--no-cascade")) {
            do_casc = 0;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            return 0;
        } else {
            fputs(USAGE, stderr);
            return 2;
        }
    }
    if (nsizes < 0 || npeaks < 0 || reps < 1 || reps > MAXREP || !(ops >= 1)) {
        fputs(USAGE, stderr);
        return 2;
    }

    char cpu[128], date[64];
    cpu_name(cpu, sizeof cpu);
    time_t tt = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&tt));
    printf("# bench_queue, %s, %s, gcc %s\n", date, cpu, __VERSION__);
    printf("# hold: %.0f holds per run; cascade: %d first events, Poisson(3) children at "
           "Exp(1.5); seed %llu\n",
           ops, CASC_SEEDS, (unsigned long long)seed);

    size_t checked;
    if (check_all(seed, &checked)) return 1;
    printf("# check: all %d structures pop the same %zu events as a linear scan "
           "(ties on time, priorities, events at now)\n",
           NIMPL, checked);
    fflush(stdout);

    row_t rows[3 * MAXCFG];
    int nrows = 0;
    fsn_rng_t rng;
    double t_start = wall_s(), c_start = now_s();
    if (do_hold)
        for (int c = 0; c < nsizes; c++) {
            size_t n = (size_t)sizes[c], m = (size_t)ops;
            fsn_rng_seed(&rng, seed + (uint64_t)c);
            double *pre = xmalloc(n * sizeof *pre), *del = xmalloc(m * sizeof *del);
            for (size_t i = 0; i < n; i++) pre[i] = fsn_rng_exp(&rng, 1.0);
            for (size_t i = 0; i < m; i++) del[i] = fsn_rng_exp(&rng, 1.0);
            hold_in_t in = {n, m, pre, del};
            row_t *row = &rows[nrows++];
            memset(row, 0, sizeof *row);
            snprintf(row->label, sizeof row->label, "hold %.0e", sizes[c]);
            fprintf(stderr, "bench_queue: %s ...\n", row->label);
            if (measure(row, reps, &in, NULL)) return 1;
            describe(row, &in, NULL);
            free(pre);
            free(del);
        }
    if (do_casc)
        for (int c = 0; c < npeaks; c++) {
            size_t cap = (size_t)(1.5 * peaks[c]);
            fsn_rng_seed(&rng, seed + 1000 + (uint64_t)c);
            double *st = xmalloc(CASC_SEEDS * sizeof *st), *t0 = xmalloc(CASC_SEEDS * sizeof *t0);
            int *sp = xmalloc(CASC_SEEDS * sizeof *sp);
            uint8_t *kids = xmalloc(cap + CASC_SEEDS);
            double *del = xmalloc(cap * sizeof *del);
            for (size_t i = 0; i < CASC_SEEDS; i++) {
                st[i] = fsn_rng_exp(&rng, 1.5);
                sp[i] = (int)fsn_rng_below(&rng, 5) - 2;
            }
            for (size_t i = 0; i < cap + CASC_SEEDS; i++) {
                int k = poisson(&rng, 3.0);
                kids[i] = (uint8_t)(k > 255 ? 255 : k);
            }
            for (size_t i = 0; i < cap; i++) del[i] = fsn_rng_exp(&rng, 1.5);
            /* The same cascade twice: first events spread, then all at t = 0. */
            for (int v = 0; v < 2; v++) {
                casc_in_t in = {cap, v ? t0 : st, sp, kids, del};
                row_t *row = &rows[nrows++];
                memset(row, 0, sizeof *row);
                snprintf(row->label, sizeof row->label, "%s %.0e", v ? "cascade-t0" : "cascade",
                         peaks[c]);
                fprintf(stderr, "bench_queue: %s ...\n", row->label);
                if (measure(row, reps, NULL, &in)) return 1;
                describe(row, NULL, &in);
            }
            free(st);
            free(t0);
            free(sp);
            free(kids);
            free(del);
        }
    print_tables(rows, nrows, reps);
    printf("\n# %.0f s (%.0f s CPU); every structure popped the same sequence as the 4-ary "
           "heap in every run\n",
           wall_s() - t_start, now_s() - c_start);
    return 0;
}
