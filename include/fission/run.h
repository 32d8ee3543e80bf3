/*
 * run.h: replicates of a campaign on a graph, in parallel, reproducibly.
 *
 * For now the campaign is the pure sharing cascade (models/sir.h): a
 * budget of first sharers (distinct users) picked at random, each user
 * who has the link sharing it to each friend at rate beta per day until
 * losing interest at rate gamma per day. Replicate r draws everything
 * from the stream (seed, 0, r), and writes its figures to out[r], so the
 * results are the same whatever the number of threads and whichever
 * thread ran what.
 * Each thread owns one engine and one model; the graph is shared
 * read-only and no igraph call happens here.
 */
#ifndef FISSION_RUN_H
#define FISSION_RUN_H

#include <stdint.h>

#include "fission/attrs.h"
#include "fission/campaign.h"
#include "fission/error.h"
#include "fission/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which pure cascade fsn_run_cascade runs. */
typedef enum fsn_cascade_model {
    FSN_CASCADE_SIR = 0,      /* Markovian SIR-equivalent (models/sir.h): beta, gamma */
    FSN_CASCADE_IC = 1        /* independent cascade (models/ic.h): T, mean_delay */
} fsn_cascade_model_t;

typedef struct fsn_run_cfg {
    uint32_t reps;            /* replicates (>= 1) */
    uint64_t seed;            /* base seed */
    uint32_t threads;         /* 0: one per online core */
    uint32_t first_sharers;   /* users given the link at t = 0 (>= 1, <= n) */
    double beta;              /* share rate per friend, per day (> 0) */
    double gamma;             /* rate of losing interest, per day (> 0) */
    fsn_cascade_model_t model;
    double T;                 /* IC: probability a share is taken up, [0, 1] */
    double mean_delay;        /* IC: mean days from a share to its uptake (> 0) */
} fsn_run_cfg_t;

/* The figures of one replicate. */
typedef struct fsn_run_rep {
    uint32_t reached;         /* users who got the link and shared it on */
    uint32_t peak_sharers;    /* most users sharing at once */
    double t_peak;            /* day of the peak */
    double t_half;            /* day half of the final reach was reached */
    double duration;          /* SIR: day the last user lost interest; IC: day of the last uptake */
    uint32_t depth;           /* IC: longest chain of shares (SIR: 0, not tracked) */
    uint64_t events;          /* engine events run */
} fsn_run_rep_t;

/* Defaults: 20 replicates, seed 1, all cores, 10 first sharers, SIR
 * with beta 0.02 and gamma 1; for IC, T 0.02 and mean delay 1 day. For
 * IC, peak_sharers, t_peak and t_half are not defined and are 0. */
void fsn_run_cfg_default(fsn_run_cfg_t *cfg);

/*
 * Run cfg->reps replicates of the cascade on g, filling out[0 .. reps-1].
 * Errors: FSN_EINVAL naming the bad setting; FSN_ENOMEM; on a replicate's
 * failure the error of the lowest failing replicate is returned.
 * Cost: reps x (O(n) + O(events x log pending)) over the threads; memory
 * per thread O(n + pending events).
 */
fsn_err_t fsn_run_cascade(const fsn_csr_t *g, const fsn_run_cfg_t *cfg, fsn_run_rep_t *out,
                          fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Campaign replicates                                                */
/* ------------------------------------------------------------------ */

/*
 * The metrics of cfg->reps replicates of a campaign world. values holds
 * reps x nmetrics numbers, row r for replicate r, in the order of names;
 * series holds, per replicate, ncamps x FSN_SERIES_COUNT x nbins counts
 * (fsn_world_series's layout). Owned by the result.
 */
typedef struct fsn_run_result {
    uint32_t reps;
    size_t nmetrics;
    char (*names)[64];
    double *values;
    size_t ncamps, nbins;
    uint32_t *series;
    uint64_t *events;          /* engine events of each replicate */
    uint8_t *done;             /* 1 for each replicate that ran to the end */
    uint32_t reps_done;        /* how many did (reps unless interrupted) */
    int interrupted;           /* 1 if a stop request left some not run */
    double seconds;            /* wall time of the replicates */
    uint32_t threads;          /* threads that ran them */
} fsn_run_result_t;

void fsn_run_result_destroy(fsn_run_result_t *res);

/*
 * Run cfg->reps replicates (cfg->reps, seed and threads are read; the
 * cascade fields are not) of the campaigns on g. Replicate r draws
 * everything from the stream (seed, point, r): the users' attributes
 * (from ap), who is a customer, the random seeds, every decision. So the
 * result is the same to the bit whatever the number of threads.
 * Seedings by degree, PageRank or k-core are ranked once here, in the
 * calling thread (igraph), before the threads start; a FILE seeding must
 * come with its list. wp and the campaigns are checked here
 * (fsn_world_params_check on a copy), so a bad value is an FSN_EINVAL
 * naming it.
 * Errors: FSN_EINVAL (message), FSN_ENOMEM, a replicate's failure (the
 * lowest failing replicate's message). Cost: reps x O(n + events) over
 * the threads; memory per thread one world and one set of users (about
 * 50 + 4 x campaigns bytes per user plus the event queue).
 */
fsn_err_t fsn_run_campaigns(const fsn_csr_t *g, const fsn_attr_params_t *ap,
                            const fsn_world_params_t *wp, const fsn_campaign_t *camps,
                            size_t ncamps, const fsn_run_cfg_t *cfg, uint64_t point,
                            fsn_run_result_t *res, fsn_error_t *err);

/*
 * Hooks into a run, for traces, progress and interruption. Every member
 * may be NULL. begin and end run on the worker thread of replicate rep,
 * just before and after it (end also after a failure, with its code);
 * begin may set an observer on fsn_world_engine(w). A non-zero return
 * fails the replicate with that code and message. done is called after a
 * replicate ended well, from any worker thread: it must be thread-safe.
 * When *stop becomes non-zero (a signal handler may set it), no further
 * replicate starts; those running finish; the result says interrupted
 * and which ones are done. None of this changes what a replicate
 * computes.
 */
typedef struct fsn_run_hooks {
    void *ctx;
    fsn_err_t (*begin)(void *ctx, uint32_t rep, fsn_world_t *w, fsn_error_t *err);
    fsn_err_t (*end)(void *ctx, uint32_t rep, fsn_world_t *w, fsn_err_t rc, fsn_error_t *err);
    void (*done)(void *ctx, uint32_t rep, uint64_t events);
    const volatile int *stop;
} fsn_run_hooks_t;

/* fsn_run_campaigns with hooks (NULL: none). An interrupted run returns
 * FSN_OK with res->interrupted set; the values of replicates not done
 * are NaN and their series zero. */
fsn_err_t fsn_run_campaigns_hooked(const fsn_csr_t *g, const fsn_attr_params_t *ap,
                                   const fsn_world_params_t *wp, const fsn_campaign_t *camps,
                                   size_t ncamps, const fsn_run_cfg_t *cfg, uint64_t point,
                                   const fsn_run_hooks_t *hooks, fsn_run_result_t *res,
                                   fsn_error_t *err);

/*
 * One replicate on a world the caller holds, exactly as
 * fsn_run_campaigns_hooked runs replicate rep of point: the stream
 * (seed, point, rep), the users' attributes sampled into u from its
 * users substream (ap), the world run from its run substream. w must
 * have been made by fsn_world_new over u (and a graph of u->n users)
 * with parameters that passed fsn_world_params_check and campaigns whose
 * rank and file seedings carry their lists. On success the figures are
 * in fsn_world_metrics(w) and fsn_world_events(w). Used by sweeps, which
 * schedule (point, replicate) units themselves. Thread-safe for distinct
 * w and u. Errors: as fsn_users_sample and fsn_world_run.
 * Cost O(n + events x log pending).
 */
fsn_err_t fsn_run_replicate(fsn_world_t *w, fsn_users_t *u, const fsn_attr_params_t *ap, uint64_t seed,
                            uint64_t point, uint32_t rep, fsn_error_t *err);

/* Online cores (at least 1). */
uint32_t fsn_run_cores(void);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_RUN_H */
