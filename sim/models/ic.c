/*
 * models/ic.c: the independent cascade on the engine.
 *
 * Per-user state is a double and a generation. The double is +inf for a
 * user nobody has shared to yet, the exact arrival time of the earliest
 * share on its way, or -1 once the user is active. The generation is,
 * while a share is on its way, that of the earliest one, and once the
 * user is active, its own. The SIR model keeps a float arrival time
 * rounded up, which is enough to prune; here the earliest share must
 * also name the generation the user will get, so the comparison must be
 * exact: a later share that rounds to the same float would otherwise
 * overwrite the generation of the one that arrives first. The prune test
 * reads only the double; the generation is written on a post and read on
 * an activation, never on a pruned share.
 *
 * Shares in time order: the engine runs activations by time, and the
 * first event to fire for a user is the earliest share ever posted to it
 * (a later post that beats a pending one is earlier still; one that does
 * not is never posted). Every event after that finds the user active
 * and does nothing. So activation times come out in order and the last
 * one is the duration.
 */
#include "fission/models/ic.h"

#include <math.h>
#include <stdlib.h>

enum { EV_ACTIVATE = 0 };

struct fsn_ic {
    const fsn_csr_t *g;
    fsn_engine_t *eng;
    uint32_t type0;
    double *arrival;
    uint32_t *gen;
    double mean_delay;
    double inv_lambda;          /* 1 / -log(1 - T): scale of the geometric jumps */
    int shares;                 /* 0 when T = 0: nobody shares */
    fsn_rng_t *rng;
    uint32_t reached, depth;
    double last;
    fsn_error_t err;
};

/* User v gets the link at time t, g hops from a seed: note it, send the
 * shares that succeed. */
static fsn_err_t activate(fsn_ic_t *m, fsn_engine_t *eng, fsn_vid_t v, double t, uint32_t g) {
    m->arrival[v] = -1.0;
    m->gen[v] = g;
    m->reached++;
    if (g > m->depth) m->depth = g;
    m->last = t;
    if (!m->shares) return FSN_OK;
    /* The friends skipped before the next successful share number
     * floor(E / lambda) with E ~ Exp(1) and lambda = -log(1 - T), since
     * P(floor(E / lambda) >= k) = exp(-k lambda) = (1 - T)^k: the geometric
     * law of the failures before a success. One ziggurat draw per
     * successful share (plus one that runs off the end of the row), no
     * logarithm, and the work is the shares that succeed, not the degree.
     * At T = 1 the scale is 0 and every friend is reached. Each success
     * then draws its delay. Shares that would arrive after one already on
     * the way are pruned by the arrival time. */
    fsn_rng_t *rng = m->rng;
    const double inv_lambda = m->inv_lambda, mean_delay = m->mean_delay;
    const fsn_csr_t *gr = m->g;
    const uint64_t lo = gr->offset[v];
    const int64_t d = (int64_t)(gr->offset[v + 1] - lo);
    const fsn_vid_t *row = gr->adj + lo;
    const uint32_t child = g + 1;
    /* Two passes over a small batch, as in the SIR model: draw the
     * receivers and prefetch their arrival words, then test and post. */
    enum { BATCH = 16 };
    fsn_vid_t who[BATCH];
    double when[BATCH];
    int64_t k = 0;
    while (k < d) {
        int nb = 0;
        while (k < d && nb < BATCH) {
            double y = fsn_rng_exp1(rng) * inv_lambda;
            if (!(y < (double)(d - k))) {
                k = d;
                break;
            }
            int64_t skip = (int64_t)y; /* floor: y >= 0, and below 2^63 here */
            k += skip;
            fsn_vid_t w = row[k++];
            __builtin_prefetch(&m->arrival[w]);
            who[nb] = w;
            when[nb] = t + mean_delay * fsn_rng_exp1(rng);
            nb++;
        }
        for (int j = 0; j < nb; j++) {
            fsn_vid_t w = who[j];
            double aw = m->arrival[w], at = when[j];
            if (aw < 0 || at >= aw) continue;
            m->arrival[w] = at;
            m->gen[w] = child;
            fsn_err_t rc = fsn_engine_post(eng, at, 0, m->type0 + EV_ACTIVATE, w);
            if (rc) return rc;
        }
    }
    return FSN_OK;
}

static fsn_err_t on_activate(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    fsn_ic_t *m = model;
    if (m->arrival[ev->a] < 0) return FSN_OK; /* already active */
    return activate(m, eng, ev->a, ev->time, m->gen[ev->a]);
}

/* An upcoming event's user: first its state and row bounds, then the
 * start of its row. */
static void prefetch_activate(const void *model, uint32_t v, int stage) {
    const fsn_ic_t *m = model;
    if (stage == 0) {
        __builtin_prefetch(&m->arrival[v]);
        __builtin_prefetch(&m->gen[v]);
        __builtin_prefetch(&m->g->offset[v]);
    } else if (stage == 1) {
        const fsn_vid_t *p = m->g->adj + m->g->offset[v], *end = m->g->adj + m->g->offset[v + 1];
        for (int i = 0; i < 4 && p < end; i++, p += 16) __builtin_prefetch(p);
    }
}

static const fsn_event_type_t ic_events[] = {{"activate", on_activate, prefetch_activate}};
static const fsn_model_type_t ic_model = {"ic", 1, ic_events};

void fsn_ic_free(fsn_ic_t *m) {
    if (!m) return;
    free(m->arrival);
    free(m->gen);
    free(m);
}

fsn_ic_t *fsn_ic_new(const fsn_csr_t *g, fsn_engine_t *eng) {
    FSN_REQUIRE(g && eng);
    fsn_ic_t *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->g = g;
    m->eng = eng;
    size_t n = g->n ? g->n : 1;
    m->arrival = malloc(n * sizeof *m->arrival);
    m->gen = malloc(n * sizeof *m->gen);
    if (!m->arrival || !m->gen || fsn_engine_add_model(eng, &ic_model, m, &m->type0) != FSN_OK) {
        fsn_ic_free(m);
        return NULL;
    }
    for (uint32_t v = 0; v < g->n; v++) {
        m->arrival[v] = INFINITY;
        m->gen[v] = UINT32_MAX;
    }
    return m;
}

fsn_err_t fsn_ic_run(fsn_ic_t *m, double T, double mean_delay, const fsn_vid_t *first,
                     size_t nfirst, fsn_rng_t *rng, fsn_ic_result_t *out) {
    FSN_REQUIRE(m && rng && (first || nfirst == 0));
    fsn_error_clear(&m->err);
    if (!(T >= 0 && T <= 1))
        return fsn_error_set(&m->err, FSN_EINVAL, "T = %g: the transmissibility must be in [0, 1]",
                             T);
    if (!(mean_delay > 0) || !isfinite(mean_delay))
        return fsn_error_set(&m->err, FSN_EINVAL,
                             "mean_delay = %g: the mean delay must be > 0 and finite", mean_delay);
    if (nfirst == 0)
        return fsn_error_set(&m->err, FSN_EINVAL, "nfirst = 0: at least one seed is needed");
    for (size_t k = 0; k < nfirst; k++)
        if (first[k] >= m->g->n)
            return fsn_error_set(&m->err, FSN_EINVAL,
                                 "first[%zu] = %lu: a seed must be below n = %lu", k,
                                 (unsigned long)first[k], (unsigned long)m->g->n);
    fsn_engine_reset(m->eng);
    for (uint32_t v = 0; v < m->g->n; v++) {
        m->arrival[v] = INFINITY;
        m->gen[v] = UINT32_MAX;
    }
    m->mean_delay = mean_delay;
    m->shares = T > 0;
    m->inv_lambda = T < 1 ? -1.0 / log1p(-T) : 0.0;
    m->rng = rng;
    m->reached = 0;
    m->depth = 0;
    m->last = 0.0;
    fsn_err_t rc = FSN_OK;
    for (size_t k = 0; k < nfirst && !rc; k++)
        if (m->arrival[first[k]] >= 0) rc = activate(m, m->eng, first[k], 0.0, 0);
    if (!rc) rc = fsn_engine_run(m->eng, INFINITY);
    if (rc) {
        /* A handler's code (the queue could not grow) or the engine's. */
        return fsn_error_set(&m->err, rc, "independent cascade: %s after %lu users reached",
                             fsn_err_name(rc), (unsigned long)m->reached);
    }
    if (out) {
        out->reached = m->reached;
        out->depth = m->depth;
        out->duration = m->last;
    }
    return FSN_OK;
}

uint32_t fsn_ic_generation(const fsn_ic_t *m, fsn_vid_t v) {
    FSN_REQUIRE(m && v < m->g->n);
    return m->arrival[v] < 0 ? m->gen[v] : UINT32_MAX;
}

const fsn_error_t *fsn_ic_error(const fsn_ic_t *m) { return &m->err; }
