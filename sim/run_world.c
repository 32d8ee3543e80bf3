/*
 * run_world.c: replicates of a campaign world, in parallel, reproducibly.
 *
 * The same pattern as the cascade driver (run.c): threads take replicate
 * indices from an atomic counter, each thread owns a world (engine,
 * per-user state) and a users struct, and replicate r writes only row r
 * of the result. Replicate r's stream is (seed, point, r); the users'
 * attributes come from one substream of it and the run from another, so
 * changing a behaviour parameter leaves the population unchanged (common
 * random numbers for comparisons). Nothing a replicate computes depends
 * on which thread ran it or when.
 *
 * igraph is called only here in the calling thread, before any worker
 * starts, to rank users for degree, PageRank and k-core seedings.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fission/run.h"
#include "fission/seeding.h"

typedef struct shared {
    const fsn_csr_t *g;
    const fsn_attr_params_t *ap;
    const fsn_world_params_t *wp;
    const fsn_campaign_t *camps;
    size_t nc;
    const fsn_run_cfg_t *cfg;
    uint64_t point;
    fsn_run_result_t *res;
    fsn_err_t *rc;
    fsn_error_t *errs;
    const fsn_run_hooks_t *hooks;
    atomic_ullong next;
} shared_t;

enum { SUB_USERS = 1, SUB_RUN = 2 };

static void *worker(void *arg) {
    shared_t *sh = arg;
    fsn_run_result_t *res = sh->res;
    fsn_users_t users;
    fsn_error_t e;
    if (fsn_users_init(&users, sh->g->n, &e)) return NULL;
    fsn_world_t *w = fsn_world_new(sh->g, &users, sh->wp, sh->camps, sh->nc, &e);
    /* a thread that cannot get its memory takes no replicate; the ones
     * nobody runs keep the FSN_ENOMEM they start with */
    const fsn_run_hooks_t *hk = sh->hooks;
    while (w) {
        if (hk && hk->stop && *hk->stop) break;
        unsigned long long r = atomic_fetch_add(&sh->next, 1ull);
        if (r >= res->reps) break;
        fsn_err_t rc = FSN_OK;
        if (hk && hk->begin) rc = hk->begin(hk->ctx, (uint32_t)r, w, &sh->errs[r]);
        if (!rc) rc = fsn_run_replicate(w, &users, sh->ap, sh->cfg->seed, sh->point, (uint32_t)r, &sh->errs[r]);
        if (hk && hk->end) {
            fsn_error_t e2 = {0};
            fsn_err_t rc2 = hk->end(hk->ctx, (uint32_t)r, w, rc, &e2);
            if (!rc && rc2) {
                rc = rc2;
                sh->errs[r] = e2;
            }
        }
        fsn_engine_set_observer(fsn_world_engine(w), NULL, NULL);
        sh->rc[r] = rc;
        if (rc) continue;
        memcpy(res->values + r * res->nmetrics, fsn_world_metrics(w), res->nmetrics * sizeof(double));
        for (size_t c = 0; c < sh->nc; c++)
            for (int s = 0; s < FSN_SERIES_COUNT; s++) {
                size_t nb;
                const uint32_t *src = fsn_world_series(w, c, s, &nb);
                memcpy(res->series + ((r * sh->nc + c) * FSN_SERIES_COUNT + (size_t)s) * res->nbins, src,
                       nb * sizeof *src);
            }
        res->events[r] = fsn_world_events(w);
        res->done[r] = 1;
        if (hk && hk->done) hk->done(hk->ctx, (uint32_t)r, res->events[r]);
    }
    fsn_world_free(w);
    fsn_users_destroy(&users);
    return NULL;
}

fsn_err_t fsn_run_replicate(fsn_world_t *w, fsn_users_t *u, const fsn_attr_params_t *ap, uint64_t seed,
                            uint64_t point, uint32_t rep, fsn_error_t *err) {
    FSN_REQUIRE(w && u && ap);
    fsn_rng_t base, ru, rr;
    fsn_rng_seed_stream(&base, seed, point, rep);
    fsn_rng_substream(&ru, &base, SUB_USERS);
    fsn_rng_substream(&rr, &base, SUB_RUN);
    fsn_err_t rc = fsn_users_sample(u, ap, &ru, err);
    if (!rc) rc = fsn_world_run(w, &rr, err);
    return rc;
}

void fsn_run_result_destroy(fsn_run_result_t *res) {
    if (!res) return;
    free(res->names);
    free(res->values);
    free(res->series);
    free(res->events);
    free(res->done);
    memset(res, 0, sizeof *res);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

fsn_err_t fsn_run_campaigns(const fsn_csr_t *g, const fsn_attr_params_t *ap,
                            const fsn_world_params_t *wp, const fsn_campaign_t *camps,
                            size_t ncamps, const fsn_run_cfg_t *cfg, uint64_t point,
                            fsn_run_result_t *res, fsn_error_t *err) {
    return fsn_run_campaigns_hooked(g, ap, wp, camps, ncamps, cfg, point, NULL, res, err);
}

fsn_err_t fsn_run_campaigns_hooked(const fsn_csr_t *g, const fsn_attr_params_t *ap,
                                   const fsn_world_params_t *wp, const fsn_campaign_t *camps,
                                   size_t ncamps, const fsn_run_cfg_t *cfg, uint64_t point,
                                   const fsn_run_hooks_t *hooks, fsn_run_result_t *res,
                                   fsn_error_t *err) {
    FSN_REQUIRE(g && ap && wp && cfg && res && (camps || ncamps == 0));
    memset(res, 0, sizeof *res);
    if (cfg->reps < 1) return fsn_error_set(err, FSN_EINVAL, "reps must be >= 1, got %u", cfg->reps);
    if (g->n == 0) return fsn_error_set(err, FSN_EINVAL, "the graph has no users");
    if (ncamps > FSN_CAMPAIGNS_MAX)
        return fsn_error_set(err, FSN_EINVAL, "%zu campaigns, expected at most %d", ncamps, FSN_CAMPAIGNS_MAX);
    fsn_err_t rc = fsn_attr_params_check(ap, err);
    if (rc) return rc;
    /* rankings, once, in this thread */
    fsn_campaign_t camp[FSN_CAMPAIGNS_MAX];
    fsn_vid_t *ranks[FSN_SEED_FILE + 1] = {0};
    if (ncamps) memcpy(camp, camps, ncamps * sizeof *camps);
    for (size_t c = 0; c < ncamps && !rc; c++) {
        fsn_seeding_t *s = &camp[c].seeding;
        if (s->kind == FSN_SEED_DEGREE || s->kind == FSN_SEED_PAGERANK || s->kind == FSN_SEED_KCORE) {
            if (!ranks[s->kind]) {
                ranks[s->kind] = malloc((size_t)g->n * sizeof(fsn_vid_t));
                if (!ranks[s->kind]) rc = fsn_error_set(err, FSN_ENOMEM, "seeding: out of memory");
                else rc = fsn_seed_rank(g, s->kind, ranks[s->kind], err);
            }
            s->list = ranks[s->kind];
            s->list_len = g->n;
        } else if (s->kind == FSN_SEED_FILE && !s->list) {
            rc = fsn_error_set(err, FSN_EINVAL, "campaigns[%zu].seeding: a file seeding without its list", c);
        }
    }
    /* the parameters as the worlds will use them: checked, the delay
     * prepared (a caller that skipped the check gets the message here) */
    fsn_world_params_t wpc = *wp;
    if (!rc) rc = fsn_world_params_check(&wpc, camp, ncamps, g, err);
    uint32_t nt = cfg->threads ? cfg->threads : fsn_run_cores();
    if (nt > cfg->reps) nt = cfg->reps;
    shared_t sh = {.g = g, .ap = ap, .wp = &wpc, .camps = camp, .nc = ncamps, .cfg = cfg, .point = point,
                   .res = res, .hooks = hooks};
    atomic_init(&sh.next, 0ull);
    pthread_t *tid = NULL;
    if (!rc) {
        /* names and sizes from a probe world's table (cheap: no run) */
        fsn_users_t probe_u;
        fsn_world_t *probe = NULL;
        if (!fsn_users_init(&probe_u, g->n, err)) {
            probe = fsn_world_new(g, &probe_u, &wpc, camp, ncamps, err);
            if (probe) {
                res->nmetrics = fsn_world_metric_count(probe);
                res->names = calloc(res->nmetrics, sizeof *res->names);
                if (res->names)
                    for (size_t i = 0; i < res->nmetrics; i++)
                        memcpy(res->names[i], fsn_world_metric_name(probe, i), sizeof res->names[i]);
                if (ncamps) fsn_world_series(probe, 0, 0, &res->nbins);
                else res->nbins = 0;
            }
            fsn_world_free(probe);
            fsn_users_destroy(&probe_u);
        }
        if (!probe) rc = err && err->code ? err->code : FSN_ENOMEM;
    }
    if (!rc) {
        res->reps = cfg->reps;
        res->ncamps = ncamps;
        res->threads = nt;
        res->values = malloc((size_t)cfg->reps * res->nmetrics * sizeof(double));
        res->series = calloc((size_t)cfg->reps * ncamps * FSN_SERIES_COUNT * (res->nbins ? res->nbins : 1), sizeof(uint32_t));
        res->events = calloc(cfg->reps, sizeof *res->events);
        res->done = calloc(cfg->reps, 1);
        sh.rc = malloc(cfg->reps * sizeof *sh.rc);
        sh.errs = calloc(cfg->reps, sizeof *sh.errs);
        tid = calloc(nt, sizeof *tid);
        if (!res->names || !res->values || !res->series || !res->events || !res->done || !sh.rc || !sh.errs ||
            !tid)
            rc = fsn_error_set(err, FSN_ENOMEM, "out of memory for %u replicates", cfg->reps);
    }
    if (!rc) {
        for (uint32_t r = 0; r < cfg->reps; r++) sh.rc[r] = FSN_ENOMEM;
        for (size_t k = 0; k < (size_t)cfg->reps * res->nmetrics; k++) res->values[k] = NAN;
        double t0 = now_s();
        uint32_t started = 0;
        for (uint32_t t = 1; t < nt; t++) {
            if (pthread_create(&tid[t], NULL, worker, &sh) != 0) break;
            started = t;
        }
        worker(&sh);
        for (uint32_t t = 1; t <= started; t++) pthread_join(tid[t], NULL);
        res->seconds = now_s() - t0;
        /* a replicate nobody took because of a stop request is not a
         * failure: it is reported as not done */
        const int stopped = hooks && hooks->stop && *hooks->stop;
        for (uint32_t r = 0; r < cfg->reps; r++) res->reps_done += res->done[r];
        for (uint32_t r = 0; r < cfg->reps && !rc; r++)
            if (sh.rc[r] && !(stopped && !res->done[r] && sh.rc[r] == FSN_ENOMEM && !sh.errs[r].msg[0])) {
                if (sh.errs[r].msg[0]) rc = fsn_error_set(err, sh.rc[r], "replicate %u: %s", r, sh.errs[r].msg);
                else rc = fsn_error_set(err, sh.rc[r], "replicate %u failed: %s", r, fsn_err_name(sh.rc[r]));
            }
    }
    if (!rc) res->interrupted = res->reps_done < res->reps;
    for (int k = 0; k <= FSN_SEED_FILE; k++) free(ranks[k]);
    free(sh.rc);
    free(sh.errs);
    free(tid);
    if (rc) fsn_run_result_destroy(res);
    return rc;
}
