/*
 * models/sir.c: the Markovian SIR-equivalent sharing process on the engine.
 *
 * Per-user state is one 16-bit word: "none" for a user nobody has shared
 * to yet, the earliest arrival time of a share already scheduled (in a
 * 16-bit code, rounded up), or "has the link" once the user is infected
 * or recovered (both block a new share). One 2-byte array, read at random
 * a few times per infection, keeps the working set of a 1e5-user run at
 * 0.2 MB and of a 1e6-user run at 2 MB. The arrival code is only used to
 * prune, and only ever errs towards keeping a share: a share pruned by
 * it is later than one already on its way, and the event itself carries
 * the exact double time (see sw_code).
 *
 * On a graph that fits in cache the run is bound by instructions and
 * mispredicted branches, not memory: the share loop therefore tests its
 * receivers without branching (which shares survive is a coin toss) and
 * keeps the random stream in registers. On a larger graph the handler
 * waits on its receivers' state words, so the engine's three prefetch
 * stages fetch, for the coming events, the user's row bounds, then its
 * friend list, then its first friends' state words. Shares that lost
 * their race are named to the engine by a moot test and dropped before
 * they are sorted, prefetched for or run.
 */
#include "fission/models/sir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { EV_INFECT = 0 };

/* Shares held back beyond two rows before they must be posted. */
#define PEND_EXTRA 1024

/* Prefetch friends' state words (stage 2) when the state array is at
 * least this large. Below, it sits in a core's L2 cache (1 MiB on the
 * machine measured, 0.5 to 2 MiB on current x86 cores), the handler's
 * loads of it hit, and the prefetches cost more than they save:
 * measured with bench_sir, 6% slower at 1e5 users (0.4 MB of state, as
 * floats then; 0.2 MB now) and 17% faster at 1e6 (4 MB then; 2 MB now,
 * still twice the L2). */
#define FRIEND_PREFETCH_BYTES ((size_t)1 << 20)

struct fsn_sir {
    const fsn_csr_t *g;
    fsn_engine_t *eng;
    uint32_t type0;
    uint16_t *arrival;          /* state words, see sw_code */
    uint32_t *off32;            /* the row starts as 32-bit words, or NULL */
    int prefetch_friends;       /* stage 2 prefetching on (a large graph) */
    double beta, gamma;
    double inv_gamma;           /* 1 / gamma: a multiplication per infection, not a division */
    fsn_rng_t *rng;
    uint32_t infected;
    uint32_t initial;           /* users infected at time 0 */
    double *inf_t, *rec_t;      /* infection times (in order), recovery times */
    double *sortbuf;            /* radix-sort scratch, n times */
    fsn_vid_t *who;             /* shares drawn and not yet posted: receivers, */
    double *when;               /* and arrival times (pend_cap each) */
    size_t row_max;             /* the largest degree + 1 */
    size_t pend_cap;
    fsn_sir_traj_t traj;
};

/* User v's row of friends: [*lo, *hi) in g->adj. From the model's
 * 32-bit copy of the row starts when the graph has fewer than 2^32 ties
 * (half the bytes of the graph's own: at 1e5 users 0.4 MB instead of
 * 0.8 MB, which leaves more of a core's L2 cache to the state words the
 * share loop reads at random); the test of which is perfectly
 * predicted. */
static inline void rows_at(const uint32_t *off32, const uint64_t *offset, uint32_t v, uint64_t *lo,
                           uint64_t *hi) {
    if (off32) {
        *lo = off32[v];
        *hi = off32[v + 1];
    } else {
        *lo = offset[v];
        *hi = offset[v + 1];
    }
}

static inline void row_bounds(const fsn_sir_t *m, uint32_t v, uint64_t *lo, uint64_t *hi) {
    rows_at(m->off32, m->g->offset, v, lo, hi);
}

/* State words. 0: has the link; SW_NONE: nobody has shared yet;
 * otherwise the code of the earliest arrival time on its way: the time
 * rounded up to 10 bits of mantissa, a code c of 1 to SW_HUGE - 1 being
 * the double of bit pattern (c + SW_OFFSET) << 42 (code 1 is 2^-14, the
 * largest about 2^50; 0.1% apart). Times below 2^-14 take code 1, times
 * beyond the range SW_HUGE, which stands for no time at all (it never
 * prunes). So the time of a word is never below the earliest arrival on
 * its way, and comparing codes is comparing times rounded up: a share
 * whose code is above the word is strictly later than a share on its
 * way (pruned); one whose code is at most the word may be earlier (kept,
 * and the word becomes its code). At 1e5 users the state array is 0.2 MB
 * instead of the 0.4 MB of a float per user (the float's rounding up cost
 * as much as the code's), which leaves more of a core's L2 cache to the
 * other data the run reads at random. */
#define SW_NONE 0xFFFFu
#define SW_HUGE 0xFFFEu
#define SW_OFFSET ((INT64_C(1023) - 14) * 1024 - 1)
#define SW_SHIFT 42 /* 52 - 10: a code keeps 10 bits of mantissa */

/* The code of a time x >= 0 (finite): its bit pattern rounded up to 10
 * bits of mantissa, offset, clamped to [1, SW_HUGE]. The clamp is done
 * on the time, by a minimum and a maximum (one instruction each, no
 * branch), to [SW_T1, SW_THUGE], the times whose codes are exactly 1 and
 * SW_HUGE (their low 42 bits are zero, so rounding up leaves them): the
 * codes are those of the clamped bit pattern, since rounding up is
 * monotone. The offset is folded into the rounding constant: for a
 * clamped time the sum is the code times 2^42 plus less than 2^42,
 * never negative. Equal to the code of fsn_engine_set_moot_code's
 * contract with shift SW_SHIFT and offset SW_OFFSET (test_sir.c checks
 * it through fsn_sir_time_code). */
#define SW_T1_BITS ((uint64_t)(1 + SW_OFFSET) << SW_SHIFT)
#define SW_THUGE_BITS ((uint64_t)(SW_HUGE + SW_OFFSET) << SW_SHIFT)
static inline uint32_t sw_code(double x) {
    uint64_t b;
    const uint64_t lob = SW_T1_BITS, hib = SW_THUGE_BITS;
    double lo, hi;
    memcpy(&lo, &lob, sizeof lo);
    memcpy(&hi, &hib, sizeof hi);
#if defined(__SSE2__)
    /* As intrinsics: written as selects, gcc splits the three cases into
     * branches. */
    x = _mm_cvtsd_f64(_mm_min_sd(_mm_max_sd(_mm_set_sd(x), _mm_set_sd(lo)), _mm_set_sd(hi)));
#else
    x = x > lo ? x : lo;
    x = x < hi ? x : hi;
#endif
    memcpy(&b, &x, sizeof b);
    return (uint32_t)((b + ((UINT64_C(1) << SW_SHIFT) - 1) - ((uint64_t)SW_OFFSET << SW_SHIFT)) >> SW_SHIFT);
}

/* A standard exponential from a generator held in locals (the caller's
 * copy of the model's stream): the fast path of fsn_rng_exp1 with the
 * state in registers, since stores to the model's arrays could
 * otherwise alias it and force a reload and a store per draw. */
static inline double exp1_local(fsn_rng_t *r) {
    uint64_t u = fsn_rng_next(r);
    unsigned i = (unsigned)(u & 255);
    uint64_t j = u >> 11;
    if (__builtin_expect(j < fsn_zig_ke[i], 1)) return (double)j * fsn_zig_we[i];
    fsn_rng_t tmp = *r; /* only the rare slow path sees an address */
    double x = fsn_rng_exp1_slow(&tmp, u);
    *r = tmp;
    return x;
}

/* The model's state that an infection reads and writes, copied into a
 * local for a run of events (see on_infect): in registers or on the
 * stack, where the model's fields would be loaded again after every
 * store to an array (which the compiler cannot tell from the fields). */
typedef struct sir_hot {
    uint16_t *arrival;
    const uint32_t *off32;      /* NULL: the graph's 64-bit row starts */
    const uint64_t *offset;
    const fsn_vid_t *adj;
    double *inf_t, *rec_t;
    fsn_vid_t *who;
    double *when;
    size_t np;                  /* shares drawn, kept and not yet posted */
    size_t room;                /* pend_cap less the largest degree + 1 */
    double pmin;                /* at most the earliest of them (+inf if none) */
    double inv_gamma, beta;
    uint32_t infected, type;
    fsn_rng_t rng;
} sir_hot_t;

static inline __attribute__((always_inline)) void hot_load(const fsn_sir_t *m, sir_hot_t *h) {
    h->arrival = m->arrival;
    h->off32 = m->off32;
    h->offset = m->g->offset;
    h->adj = m->g->adj;
    h->inf_t = m->inf_t;
    h->rec_t = m->rec_t;
    h->who = m->who;
    h->when = m->when;
    h->np = 0;
    h->room = m->pend_cap - m->row_max;
    h->pmin = INFINITY;
    h->inv_gamma = m->inv_gamma;
    h->beta = m->beta;
    h->infected = m->infected;
    h->type = m->type0 + EV_INFECT;
    h->rng = *m->rng;
}

static inline __attribute__((always_inline)) void hot_store(fsn_sir_t *m, const sir_hot_t *h) {
    m->infected = h->infected;
    *m->rng = h->rng;
}

/* User v gets the link at time t: note it, draw how long interest lasts,
 * send the shares that will arrive before then. Inlined into the event
 * handler (one call per event, not two) and into fsn_sir_run. */
static inline __attribute__((always_inline)) void infect(sir_hot_t *h, fsn_vid_t v, double t) {
    uint16_t *const arrival = h->arrival;
    arrival[v] = 0;
    fsn_rng_t rng = h->rng;
    const double rtime = exp1_local(&rng) * h->inv_gamma;
    h->inf_t[h->infected] = t;
    h->rec_t[h->infected] = t + rtime;
    h->infected++;
    /* Each friend independently receives a share before interest is
     * lost, after tau ~ Exp(beta) if tau < r. Rather than test every
     * friend, jump from one receiver to the next: with c = beta r and
     * Y ~ Exp(rate c), floor(Y) is the number of friends skipped
     * (geometric with success 1 - exp(-c)) and, independently, Y - floor(Y)
     * is distributed as tau / r given tau < r. One ziggurat draw per
     * receiver gives both; no logarithm, and the work is the shares sent,
     * not the degree. Shares that would arrive after one already on its
     * way are pruned by the arrival time. */
    const double inv_c = 1.0 / (h->beta * rtime);
    uint64_t lo, hi;
    rows_at(h->off32, h->offset, v, &lo, &hi);
    const uint64_t deg = hi - lo;
    const fsn_vid_t *row = h->adj + lo;
    /* The stage-1 prefetch brought the row's first and last lines; a
     * long row's others (a hub's: the jumps land on a few in each) are
     * requested here at once, so their misses overlap. */
    for (uint64_t i = 16; i + 16 < deg; i += 16) __builtin_prefetch(row + i);
    /* One pass draws the receivers and tests each against its arrival
     * word, with no branch but the loop's own: which shares survive is
     * a coin toss, so the arrival word is always written (its old value
     * or the new time) and survivors are compacted into a batch, posted
     * afterwards. The arrival loads of successive receivers do not
     * depend on each other and overlap in the out-of-order window. A
     * share survives if it arrives before any on its way: the word is
     * none, or the code of a later time. A friend listed twice sees the
     * first one's store. The batch has room for a whole row (the
     * model's arrays of the largest degree), so the loop does not test
     * whether it is full. */
    fsn_vid_t *const who = h->who;
    double *const when = h->when;
    /* The friends not yet passed: from p on, rem of them (an integer
     * held as a double, exact below 2^53, so the test against a draw
     * needs no conversion). */
    const fsn_vid_t *p = row;
    double rem = (double)deg;
    size_t np = h->np;
    double pmin = h->pmin;
    while (rem > 0) { /* past the last friend, no draw is needed */
        const double y = exp1_local(&rng) * inv_c;
        if (!(y < rem)) break;
        const int64_t skip = (int64_t)y; /* floor: 0 <= y < rem */
        const double fskip = (double)skip;
        const fsn_vid_t w = p[skip];
        p += skip + 1;
        rem -= fskip + 1.0;
        const double at = t + rtime * (y - fskip);
        const uint32_t up = sw_code(at), aw = arrival[w];
        const uint32_t keep = up <= aw, mask = 0u - keep;
        arrival[w] = (uint16_t)((up & mask) | (aw & ~mask));
        who[np] = w;
        when[np] = at;
        np += keep;
        /* A bound on the earliest share held back: over every share
         * drawn, kept or not (a minimum, no select; lower is safe). */
        pmin = at < pmin ? at : pmin;
    }
    h->np = np;
    h->pmin = pmin;
    h->rng = rng;
}

/* Post the shares held back, in the order they were drawn (so with the
 * sequence numbers they would have had posted one by one). */
static inline fsn_err_t flush(sir_hot_t *h, fsn_engine_t *eng) {
    const fsn_err_t rc = fsn_engine_post_n(eng, 0, h->type, h->np, h->when, h->who);
    h->np = 0;
    h->pmin = INFINITY;
    return rc;
}

/* The moot test (the engine drops a share when the share's queue window
 * opens, before sorting and running it): the receiver has the link (its
 * word is 0), so the share would do nothing. A quarter of the shares at
 * 1e5 lose their race, and nearly all of them have lost it by the time
 * their window opens: comparing the word's arrival code with the
 * share's (fsn_engine_set_moot_code, an earlier share still on its way)
 * dropped 1,500 more of 20.2 million events at 1e5 and 9 more of 8.3
 * million at 1e6, for 19 more instructions per infection; the codes
 * prune at the share's draw instead. The engine's calendar queue runs
 * the test inline (fsn_engine_set_moot_zero). */
/* An infection event, and the ones that follow it: while the next event
 * due is another share of this model, the handler takes it from the
 * engine (fsn_engine_take_posted) and handles it in the same call, with
 * the model's state and random stream in locals (sir_hot_t) rather than
 * loaded and stored per event; a run of events ends at the open window's
 * end or when the engine has anything else to do. */
static fsn_err_t on_infect(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    fsn_sir_t *m = model;
    double t = ev->time;
    uint32_t v = ev->a;
    fsn_err_t rc = FSN_OK;
    sir_hot_t h;
    hot_load(m, &h);
    int have = 1; /* (t, v) is an event to handle */
    for (;;) {
        if (have && h.arrival[v] != 0) { /* 0: lost the race to an earlier share */
            if (h.np > h.room) {
                rc = flush(&h, eng);
                if (rc) break;
            }
            infect(&h, v, t);
        }
        /* The shares drawn are held back while the next event comes
         * before all of them: the queue is then as if they were posted,
         * and the engine hands over the same events. When it does not,
         * they are posted and the engine asked again. */
        have = fsn_engine_take_posted(eng, h.type, h.pmin, &t, &v);
        if (have) continue;
        if (h.np == 0) {
            /* Nothing held back: the bound came from shares drawn and
             * not kept, and only the engine's own refusal counts. */
            if (h.pmin == INFINITY) break;
            h.pmin = INFINITY;
            continue;
        }
        rc = flush(&h, eng);
        if (rc) break;
    }
    hot_store(m, &h);
    return rc;
}

/* An upcoming event's user: first its row start (its state word was
 * read by the moot test when its window opened; the engine fetches the
 * row start itself, by address: fsn_engine_set_prefetch_array), then
 * (once the row bounds are in cache) its row (the engine again, by
 * address, from the 32-bit row starts: fsn_engine_set_prefetch_rows;
 * this hook only when the graph has 2^32 ties or more), then (once the
 * row is in
 * cache, one event ahead) the state words of its first friends, which
 * the handler will test as receivers: on a large graph these are the
 * handler's worst misses. Eight friends, by a fixed count with the
 * index clamped to the row (no loop exit to mispredict); a user who
 * already has the link (its event will do nothing) gets none. The
 * third stage only pays when the state words outgrow a core's own
 * cache (see FRIEND_PREFETCH_BYTES); below, it is skipped. Stage 1, the
 * common one, is tested first. */
static void prefetch_infect(const void *model, uint32_t v, int stage) {
    const fsn_sir_t *m = model;
    if (stage == 1) {
        /* The row's first and last cache lines (all of it up to a
         * degree of 17; no loop, whose exit would be mispredicted). */
        uint64_t lo, hi;
        row_bounds(m, v, &lo, &hi);
        /* The last friend's place (the first line for an empty row at
         * the start: no address before the array is formed). */
        __builtin_prefetch(m->g->adj + lo);
        __builtin_prefetch(m->g->adj + (hi - (hi != 0)));
    } else if (stage == 2) {
        const uint16_t *arrival = m->arrival;
        if (arrival[v] == 0) return; /* stage 2 comes only with prefetch_friends */
        uint64_t lo, hi;
        row_bounds(m, v, &lo, &hi);
        const uint64_t deg = hi - lo;
        if (deg == 0) return;
        const fsn_vid_t *row = m->g->adj + lo;
        const uint64_t last = deg - 1;
        for (uint64_t i = 0; i < 8; i++) __builtin_prefetch(&arrival[row[i < last ? i : last]]);
    } else {
        /* Stage 0, should the engine not fetch it by address. */
        if (m->off32) __builtin_prefetch(&m->off32[v]);
        else __builtin_prefetch(&m->g->offset[v]);
    }
}

static const fsn_event_type_t sir_events[] = {{"infect", on_infect, prefetch_infect}};
static const fsn_model_type_t sir_model = {"sir", 1, sir_events};

/* Sort finite doubles ascending. Each time's key is its place on a grid
 * of 2^24 steps over [smallest, largest]: floor((x - smallest) x scale),
 * a monotone map (a subtraction and a multiplication by a positive
 * constant, then a floor, each keep order), so ordering by key orders
 * the times except among those sharing a key. Two LSD passes of 12-bit
 * digits (both counted in one pass; 16 KB of counts each) order them by
 * key, stably; one insertion pass then puts times sharing a key in exact
 * order. The grid follows the data: at 1e5 recoveries about one
 * neighbour in 200 shares a key, at 1e6 one in 20, and the insertion
 * pass moves little. The key is recomputed in each pass (three
 * instructions) rather than stored. Fewer passes than a radix sort of
 * the bit patterns, which needs three 11-bit digits for the 32 bits
 * that tell times apart. Returns where the sorted times are: t or tmp.
 * O(n). */
#define SORT_BITS 12
#define SORT_DIGITS (1u << SORT_BITS)
static inline uint32_t sort_key(double x, double mn, double scale) {
    /* In [0, 2^24): the product is at most 2^24 - 1 up to rounding,
     * and its floor at most 2^24 - 1; the mask keeps it there anyway. */
    return (uint32_t)(int64_t)((x - mn) * scale) & ((UINT32_C(1) << (2 * SORT_BITS)) - 1);
}

static const double *sort_times(double *t, double *tmp, size_t n) {
    if (n < 2) return t;
    double mn = t[0], mx = t[0];
    for (size_t i = 1; i < n; i++) {
        mn = t[i] < mn ? t[i] : mn;
        mx = t[i] > mx ? t[i] : mx;
    }
    const double scale = mx > mn ? (double)((UINT32_C(1) << (2 * SORT_BITS)) - 1) / (mx - mn) : 0.0;
    uint32_t lo[SORT_DIGITS], hi[SORT_DIGITS];
    memset(lo, 0, sizeof lo);
    memset(hi, 0, sizeof hi);
    for (size_t i = 0; i < n; i++) {
        const uint32_t k = sort_key(t[i], mn, scale);
        lo[k & (SORT_DIGITS - 1)]++;
        hi[k >> SORT_BITS]++;
    }
    uint32_t slo = 0, shi = 0;
    for (uint32_t d = 0; d < SORT_DIGITS; d++) {
        const uint32_t cl = lo[d], ch = hi[d];
        lo[d] = slo;
        hi[d] = shi;
        slo += cl;
        shi += ch;
    }
    for (size_t i = 0; i < n; i++) {
        const double x = t[i];
        tmp[lo[sort_key(x, mn, scale) & (SORT_DIGITS - 1)]++] = x;
    }
    for (size_t i = 0; i < n; i++) {
        const double x = tmp[i];
        t[hi[sort_key(x, mn, scale) >> SORT_BITS]++] = x;
    }
    for (size_t i = 1; i < n; i++) {
        const double x = t[i];
        size_t j = i;
        while (j > 0 && t[j - 1] > x) {
            t[j] = t[j - 1];
            j--;
        }
        t[j] = x;
    }
    return t;
}

/* One step of a trajectory merge chain: the earlier of the next
 * infection and the next recovery (the infection on a tie) becomes entry
 * pf, its time and S count. Inlined: a and b stay in registers. */
static inline __attribute__((always_inline)) void merge_front(const double *restrict inf, const double *restrict rec,
                                                              double *restrict time, uint32_t *restrict ts,
                                                              uint32_t n, size_t *a, size_t *b, size_t pf) {
    const double x = inf[*a], y = rec[*b];
    const size_t take = x <= y;
    time[pf] = take ? x : y;
    *a += take;
    *b += 1 - take;
    ts[pf] = n - (uint32_t)*a;
}

/* The number of infections after the initial ones among the first k
 * entries of the merge of I = inf[init..ni) and R = rec[0..ni) (an
 * infection first on a tie): the largest a with I[a - 1] <= R[k - a], by
 * bisection (the test holds for small a and fails for large). O(log n). */
static size_t merge_split(const double *inf, const double *rec, size_t init, size_t ni, size_t k) {
    const size_t nI = ni - init, nR = ni;
    size_t lo = k > nR ? k - nR : 0, hi = k < nI ? k : nI;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo + 1) / 2, b = k - mid;
        const double r = b < nR ? rec[b] : INFINITY;
        if (inf[init + mid - 1] <= r) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* Interleave the infections (already in time order) with the sorted
 * recoveries into the S/I/R trajectory. */
static void build_trajectory(fsn_sir_t *m) {
    const double *rec = sort_times(m->rec_t, m->sortbuf, m->infected);
    fsn_sir_traj_t *tr = &m->traj;
    const uint32_t n = m->g->n;
    const size_t ni = m->infected, init = m->initial;
    /* Entry 0: the initial state, as igraph_sir has it (one first user
     * there; here any number, all at time 0). */
    tr->time[0] = 0.0;
    tr->s[0] = n - (uint32_t)init;
    tr->i[0] = (uint32_t)init;
    tr->r[0] = 0;
    /* Then the e = (ni - init) + ni events in order: the infections after
     * the initial ones and the recoveries, an infection before a
     * recovery at the same time. Which list goes next is a coin toss to
     * the branch predictor, so the merge selects instead of branching;
     * and since each choice depends on the one before (a chain of a
     * load, a compare and an add per entry), the merge runs as four
     * independent chains in one loop, each from the start of a quarter
     * of the entries (where it stands in both lists found by bisection,
     * merge_split), on locals (the counts' stores could alias the
     * model's fields); the last quarter takes the odd entries left. A
     * user recovers after its infection, so no chain runs out of
     * recoveries (the merge ends with one); past the last infection a
     * chain reads the +inf placed after it. After a infections
     * (the initial ones included) and b recoveries: S = n - a,
     * I = a - b, R = b. 0.84 to 0.77 ms for 92,500 infections with the
     * sort (two chains from both ends before). */
    double *restrict inf = m->inf_t;
    inf[ni] = INFINITY;
    double *restrict time = tr->time;
    uint32_t *restrict ts = tr->s, *restrict ti = tr->i, *restrict trr = tr->r;
    const size_t e = (ni - init) + ni, q = e / 4;
    size_t a[4], b[4], p[4];
    for (size_t j = 0; j < 4; j++) {
        const size_t k = j * q, x = j ? merge_split(inf, rec, init, ni, k) : 0;
        a[j] = init + x;
        b[j] = k - x;
        p[j] = 1 + k;
    }
    size_t a0 = a[0], b0 = b[0], a1 = a[1], b1 = b[1], a2 = a[2], b2 = b[2], a3 = a[3], b3 = b[3];
    size_t p0 = p[0], p1 = p[1], p2 = p[2], p3 = p[3];
    for (size_t k = 0; k < q; k++) {
        merge_front(inf, rec, time, ts, n, &a0, &b0, p0++);
        merge_front(inf, rec, time, ts, n, &a1, &b1, p1++);
        merge_front(inf, rec, time, ts, n, &a2, &b2, p2++);
        merge_front(inf, rec, time, ts, n, &a3, &b3, p3++);
    }
    for (size_t k = 4 * q; k < e; k++) merge_front(inf, rec, time, ts, n, &a3, &b3, p3++);
    /* I and R follow from S and the entry's index p: a = n - S events
     * were infections, and a + b = init + p. A loop with no chain: the
     * compiler runs it on vectors. */
    const uint32_t i0 = (uint32_t)init;
    for (size_t k = 0; k <= e; k++) {
        const uint32_t a_k = n - ts[k], b_k = i0 + (uint32_t)k - a_k;
        ti[k] = a_k - b_k;
        trr[k] = b_k;
    }
    tr->len = e + 1;
}

void fsn_sir_free(fsn_sir_t *m) {
    if (!m) return;
    free(m->arrival);
    free(m->off32);
    free(m->inf_t);
    free(m->rec_t);
    free(m->sortbuf);
    free(m->who);
    free(m->when);
    free(m->traj.time);
    free(m->traj.s);
    free(m->traj.i);
    free(m->traj.r);
    free(m);
}

fsn_sir_t *fsn_sir_new(const fsn_csr_t *g, fsn_engine_t *eng) {
    FSN_REQUIRE(g && eng);
    fsn_sir_t *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->g = g;
    m->prefetch_friends = (size_t)g->n * sizeof *m->arrival >= FRIEND_PREFETCH_BYTES;
    m->eng = eng;
    size_t n = g->n ? g->n : 1, cap = 2 * n + 1;
    m->arrival = malloc(n * sizeof *m->arrival);
    if (g->offset[g->n] < UINT32_MAX) {
        m->off32 = malloc((size_t)(g->n + 1) * sizeof *m->off32);
        if (!m->off32) {
            fsn_sir_free(m);
            return NULL;
        }
        for (size_t v = 0; v <= g->n; v++) m->off32[v] = (uint32_t)g->offset[v];
    }
    m->inf_t = malloc((n + 1) * sizeof *m->inf_t); /* + 1: build_trajectory's sentinel */
    m->rec_t = malloc(n * sizeof *m->rec_t);
    m->sortbuf = malloc(n * sizeof *m->sortbuf);
    /* An infection posts at most one share per entry of its row (and the
     * loop writes one place past those it keeps). */
    uint64_t maxdeg = 0;
    for (size_t v = 0; v < g->n; v++)
        if (g->offset[v + 1] - g->offset[v] > maxdeg) maxdeg = g->offset[v + 1] - g->offset[v];
    /* Room to hold back the shares of a run of infections: a whole row
     * more than the flush threshold, so that an infection never checks
     * whether it is full. */
    if (maxdeg < SIZE_MAX / sizeof(double) / 4 - PEND_EXTRA) {
        m->row_max = (size_t)maxdeg + 1;
        m->pend_cap = 2 * m->row_max + PEND_EXTRA;
        m->who = malloc(m->pend_cap * sizeof *m->who);
        m->when = malloc(m->pend_cap * sizeof *m->when);
    }
    /* Stage 0 (the row starts, 8 events ahead) only when the row starts
     * outgrow a core's L2 cache, as for the friends' words: at 1e5 users
     * (0.4 MB) it gained nothing measurable, at 1e6 (4 MB) 30%. */
    const int starts_big = (size_t)(g->n + 1) * (m->off32 ? sizeof *m->off32 : sizeof *g->offset) >=
                           FRIEND_PREFETCH_BYTES;
    m->traj.time = malloc(cap * sizeof *m->traj.time);
    m->traj.s = malloc(cap * sizeof *m->traj.s);
    m->traj.i = malloc(cap * sizeof *m->traj.i);
    m->traj.r = malloc(cap * sizeof *m->traj.r);
    if (!m->arrival || !m->inf_t || !m->rec_t || !m->sortbuf || !m->who || !m->when || !m->traj.time ||
        !m->traj.s ||
        !m->traj.i || !m->traj.r || fsn_engine_add_model(eng, &sir_model, m, &m->type0) != FSN_OK ||
        fsn_engine_set_moot_zero(eng, m->type0 + EV_INFECT, m->arrival) != FSN_OK ||
        fsn_engine_set_prefetch_stages(eng, m->type0 + EV_INFECT,
                                       2u | (starts_big ? 1u : 0u) | (m->prefetch_friends ? 4u : 0u)) !=
            FSN_OK ||
        fsn_engine_set_prefetch_array(eng, m->type0 + EV_INFECT,
                                      !starts_big ? NULL
                                      : m->off32  ? (const void *)m->off32
                                                  : (const void *)g->offset,
                                      m->off32 ? sizeof *m->off32 : sizeof *g->offset) != FSN_OK ||
        fsn_engine_set_prefetch_rows(eng, m->type0 + EV_INFECT, m->off32, g->adj,
                                     sizeof *g->adj) != FSN_OK) {
        fsn_sir_free(m);
        return NULL;
    }
    return m;
}

fsn_err_t fsn_sir_run(fsn_sir_t *m, double beta, double gamma, const fsn_vid_t *first,
                      size_t nfirst, fsn_rng_t *rng, const fsn_sir_traj_t **traj) {
    FSN_REQUIRE(m && rng && (first || nfirst == 0));
    if (!(beta > 0) || !isfinite(beta) || !(gamma > 0) || !isfinite(gamma) || nfirst == 0)
        return FSN_EINVAL;
    for (size_t k = 0; k < nfirst; k++)
        if (first[k] >= m->g->n) return FSN_EINVAL;
    fsn_engine_reset(m->eng);
    for (uint32_t v = 0; v < m->g->n; v++) m->arrival[v] = SW_NONE;
    m->beta = beta;
    m->gamma = gamma;
    m->inv_gamma = 1.0 / gamma;
    m->rng = rng;
    m->infected = 0;
    m->traj.len = 0;
    fsn_err_t rc = FSN_OK;
    sir_hot_t h;
    hot_load(m, &h);
    for (size_t k = 0; k < nfirst && rc == FSN_OK; k++) {
        if (h.arrival[first[k]] == 0) continue; /* listed twice */
        if (h.np > h.room) rc = flush(&h, m->eng);
        if (rc == FSN_OK) infect(&h, first[k], 0.0);
    }
    if (rc == FSN_OK) rc = flush(&h, m->eng);
    hot_store(m, &h);
    if (rc) return rc;
    m->initial = m->infected;
    rc = fsn_engine_run(m->eng, INFINITY);
    if (rc) return rc;
    build_trajectory(m);
    if (traj) *traj = &m->traj;
    return FSN_OK;
}

uint32_t fsn_sir_final_size(const fsn_sir_t *m) { return m->infected; }

uint32_t fsn_sir_time_code(double t) { return sw_code(t); }
