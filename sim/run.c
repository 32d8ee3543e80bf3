/*
 * run.c: the replicate driver.
 *
 * Work is shared dynamically: threads take the next replicate index from
 * an atomic counter, so a slow replicate does not hold a fixed share of
 * the work hostage. Determinism does not depend on who takes what: a
 * replicate's stream is a function of (seed, 0, r) alone and its result
 * goes to out[r]. The first sharers are drawn from the replicate's own
 * stream, so they differ between replicates (the uncertainty a campaign
 * strategist faces about who picks the link up first); they are K
 * distinct users, a uniform K-subset drawn by Floyd's algorithm.
 */
#include "fission/run.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fission/engine.h"
#include "fission/models/ic.h"
#include "fission/models/sir.h"
#include "fission/rng.h"

void fsn_run_cfg_default(fsn_run_cfg_t *cfg) {
    FSN_REQUIRE(cfg);
    cfg->reps = 20;
    cfg->seed = 1;
    cfg->threads = 0;
    cfg->first_sharers = 10;
    cfg->beta = 0.02;
    cfg->gamma = 1.0;
    cfg->model = FSN_CASCADE_SIR;
    cfg->T = 0.02;
    cfg->mean_delay = 1.0;
}

uint32_t fsn_run_cores(void) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (uint32_t)c : 1u;
}

typedef struct shared {
    const fsn_csr_t *g;
    const fsn_run_cfg_t *cfg;
    fsn_run_rep_t *out;
    fsn_err_t *rep_rc;
    atomic_ullong next;  /* 64 bits: reps + threads claims cannot wrap */
} shared_t;

static void summarise(const fsn_sir_traj_t *tr, fsn_run_rep_t *o) {
    o->reached = tr->r[tr->len - 1] + tr->i[tr->len - 1];
    o->peak_sharers = 0;
    o->t_peak = 0;
    o->t_half = 0;
    int half_done = 0;
    for (size_t k = 0; k < tr->len; k++) {
        if (tr->i[k] > o->peak_sharers) {
            o->peak_sharers = tr->i[k];
            o->t_peak = tr->time[k];
        }
        if (!half_done && 2.0 * (double)(tr->i[k] + tr->r[k]) >= (double)o->reached) {
            o->t_half = tr->time[k];
            half_done = 1;
        }
    }
    o->duration = tr->time[tr->len - 1];
}

/* K distinct users, uniformly: Floyd's algorithm. mark (n bytes, all 0)
 * is left all 0 again. O(K). */
static void draw_first(fsn_rng_t *rng, uint32_t n, uint32_t k, uint8_t *mark, fsn_vid_t *first) {
    uint32_t idx = 0;
    for (uint32_t j = n - k; j < n; j++) {
        uint32_t t = (uint32_t)fsn_rng_below(rng, (uint64_t)j + 1);
        if (mark[t]) t = j;
        mark[t] = 1;
        first[idx++] = (fsn_vid_t)t;
    }
    for (uint32_t i = 0; i < k; i++) mark[first[i]] = 0;
}

static void *worker(void *arg) {
    shared_t *sh = arg;
    const fsn_run_cfg_t *cfg = sh->cfg;
    const int ic = cfg->model == FSN_CASCADE_IC;
    fsn_engine_t *eng = fsn_engine_new(1024);
    fsn_sir_t *m = eng && !ic ? fsn_sir_new(sh->g, eng) : NULL;
    fsn_ic_t *mi = eng && ic ? fsn_ic_new(sh->g, eng) : NULL;
    fsn_vid_t *first = malloc(cfg->first_sharers * sizeof *first);
    uint8_t *mark = calloc(sh->g->n, 1);
    /* A thread that cannot get its memory takes no replicate: the others
     * run them, so success does not depend on the number of threads.
     * Replicates nobody runs keep the FSN_ENOMEM they start with. */
    while ((m || mi) && first && mark) {
        unsigned long long r = atomic_fetch_add(&sh->next, 1ull);
        if (r >= cfg->reps) break;
        fsn_rng_t rng;
        fsn_rng_seed_stream(&rng, cfg->seed, 0, r);
        draw_first(&rng, sh->g->n, cfg->first_sharers, mark, first);
        fsn_err_t rc;
        if (ic) {
            fsn_ic_result_t res;
            rc = fsn_ic_run(mi, cfg->T, cfg->mean_delay, first, cfg->first_sharers, &rng, &res);
            sh->rep_rc[r] = rc;
            if (rc) continue;
            fsn_run_rep_t *o = &sh->out[r];
            memset(o, 0, sizeof *o);
            o->reached = res.reached;
            o->depth = res.depth;
            o->duration = res.duration;
        } else {
            const fsn_sir_traj_t *tr;
            rc = fsn_sir_run(m, cfg->beta, cfg->gamma, first, cfg->first_sharers, &rng, &tr);
            sh->rep_rc[r] = rc;
            if (rc) continue;
            summarise(tr, &sh->out[r]);
        }
        sh->out[r].events = fsn_engine_events_run(eng);
    }
    free(first);
    free(mark);
    fsn_sir_free(m);
    fsn_ic_free(mi);
    fsn_engine_free(eng);
    return NULL;
}

fsn_err_t fsn_run_cascade(const fsn_csr_t *g, const fsn_run_cfg_t *cfg, fsn_run_rep_t *out,
                          fsn_error_t *err) {
    FSN_REQUIRE(g && cfg && out);
    if (cfg->reps < 1) return fsn_error_set(err, FSN_EINVAL, "reps must be >= 1, got %u", cfg->reps);
    if (g->n == 0) return fsn_error_set(err, FSN_EINVAL, "the graph has no users");
    if (cfg->first_sharers < 1 || cfg->first_sharers > g->n)
        return fsn_error_set(err, FSN_EINVAL, "first sharers must be in [1, %u], got %u", g->n,
                             cfg->first_sharers);
    if (cfg->model != FSN_CASCADE_SIR && cfg->model != FSN_CASCADE_IC)
        return fsn_error_set(err, FSN_EINVAL, "unknown cascade model %d", (int)cfg->model);
    if (cfg->model == FSN_CASCADE_IC && !(cfg->T >= 0 && cfg->T <= 1))
        return fsn_error_set(err, FSN_EINVAL, "T must be in [0, 1], got %g", cfg->T);
    if (cfg->model == FSN_CASCADE_IC && (!(cfg->mean_delay > 0) || !isfinite(cfg->mean_delay)))
        return fsn_error_set(err, FSN_EINVAL, "the mean delay must be a finite number > 0, got %g",
                             cfg->mean_delay);
    if (!(cfg->beta > 0) || !isfinite(cfg->beta))
        return fsn_error_set(err, FSN_EINVAL, "beta must be a finite number > 0, got %g", cfg->beta);
    if (!(cfg->gamma > 0) || !isfinite(cfg->gamma))
        return fsn_error_set(err, FSN_EINVAL, "gamma must be a finite number > 0, got %g",
                             cfg->gamma);
    uint32_t nt = cfg->threads ? cfg->threads : fsn_run_cores();
    if (nt > cfg->reps) nt = cfg->reps;
    shared_t sh = {.g = g, .cfg = cfg, .out = out};
    atomic_init(&sh.next, 0ull);
    sh.rep_rc = calloc(cfg->reps, sizeof *sh.rep_rc);
    pthread_t *tid = calloc(nt, sizeof *tid);
    if (!sh.rep_rc || !tid) {
        free(sh.rep_rc);
        free(tid);
        return fsn_error_set(err, FSN_ENOMEM, "out of memory starting %u threads", nt);
    }
    memset(out, 0, cfg->reps * sizeof *out);
    for (uint32_t r = 0; r < cfg->reps; r++) sh.rep_rc[r] = FSN_ENOMEM;
    uint32_t started = 0;
    for (uint32_t t = 1; t < nt; t++) {
        if (pthread_create(&tid[t], NULL, worker, &sh) != 0) break;
        started = t;
    }
    worker(&sh); /* the calling thread works too */
    for (uint32_t t = 1; t <= started; t++) pthread_join(tid[t], NULL);
    fsn_err_t rc = FSN_OK;
    for (uint32_t r = 0; r < cfg->reps && !rc; r++)
        if (sh.rep_rc[r])
            rc = fsn_error_set(err, sh.rep_rc[r], "replicate %u failed: %s", r,
                               fsn_err_name(sh.rep_rc[r]));
    free(sh.rep_rc);
    free(tid);
    return rc;
}
