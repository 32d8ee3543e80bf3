/*
 * calibrate.h: fitting behaviour parameters to the article, the whole API.
 *
 * Calibration minimises the weighted squared deviations of the simulated
 * figures from the reference,
 *     J(theta) = sum over simulated figures of ((mean_i - value_i) / tol_i)^2,
 * where tol_i is the figure's tolerance in its own units (so J counts
 * tolerances: every figure within tolerance means each term <= 1), over
 * plus, if a hinge weight W > 0 is set,
 *     W x sum over figures beyond FSN_CALIB_HINGE_AT tolerances of (|d_i| - FSN_CALIB_HINGE_AT)^2
 * (d_i the deviation in tolerances), which makes the search bring every
 * figure inside its tolerance, with a margin, before it balances them;
 * over
 * free parameters named by their scenario paths (the --set paths), each in
 * a range [lo, hi]. A figure the run does not measure (no finite value)
 * adds a penalty of 100, so the search keeps away from parameters that
 * switch a mechanism off.
 *
 * Every evaluation runs the same replicates with the same seeds (common
 * random numbers): the same users, the same first sharers and the same
 * random streams, so J changes only through the parameters and is a
 * smooth enough function for a simplex. The search is GSL's Nelder-Mead
 * (gsl_multimin_fminimizer_nmsimplex2) on unbounded coordinates mapped to
 * each range by a logistic, so every point tried is inside its range.
 * The graph is built once; a free parameter may not be a graph key.
 */
#ifndef FISSION_CALIBRATE_H
#define FISSION_CALIBRATE_H

#include <stddef.h>

#include "fission/compare.h"
#include "fission/error.h"
#include "fission/graph.h"
#include "fission/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fsn_free_param {
    char path[256];          /* a number key of the scenario */
    double lo, hi;           /* lo < hi */
    double start;            /* in (lo, hi); NaN: the scenario's value */
} fsn_free_param_t;

typedef struct fsn_calib_cfg {
    uint32_t reps;           /* replicates per evaluation (>= 2) */
    uint64_t seed;
    uint32_t threads;        /* 0: all cores */
    size_t max_evals;        /* budget of evaluations */
    double size_tol;         /* stop when the simplex is this small (unbounded coordinates) */
    double step;             /* initial simplex step (unbounded coordinates) */
    double hinge;            /* W >= 0: weight of the penalty beyond FSN_CALIB_HINGE_AT tolerances (0: none) */
    /* If set, read after every evaluation: nonzero stops the search there
     * and the best point so far is the result (a signal handler's flag). */
    const volatile int *stop;
} fsn_calib_cfg_t;

/* Where the hinge penalty starts, in tolerances: a figure at 0.9 of its
 * tolerance or nearer is not penalised beyond its square. */
#define FSN_CALIB_HINGE_AT 0.9

void fsn_calib_cfg_default(fsn_calib_cfg_t *cfg);   /* 8 reps, seed 1, 300 evaluations, 1e-3, 0.5, no hinge, no stop flag */

/* Called after every evaluation (eval from 1) and when the best improves. */
typedef void (*fsn_calib_progress_fn)(void *ctx, size_t eval, double objective, double best,
                                      const double *params, size_t nparams);

typedef struct fsn_calib_result {
    double objective;        /* J at the best point */
    double *params;          /* best values, nparams */
    size_t evals;
    int stopped;             /* 1 if cfg->stop ended the search early */
    fsn_scenario_t *scenario;   /* the base scenario with the best values set (malloc'ed) */
} fsn_calib_result_t;

void fsn_calib_result_destroy(fsn_calib_result_t *r);

/*
 * Calibrate. text/len/file/base_dir/sets are as fsn_scenario_parse takes
 * them (the base scenario); g is its graph, built by the caller. Errors:
 * FSN_EINVAL (a bad free parameter: unknown path, not a number, an empty
 * range, a graph key; a base scenario that does not parse), FSN_ENOMEM.
 * Cost: evaluations x (reps x run).
 */
fsn_err_t fsn_calibrate(const char *text, size_t len, const char *file, const char *base_dir,
                        const char *const *sets, size_t nsets, const fsn_csr_t *g,
                        const fsn_reference_t *ref, const fsn_free_param_t *fp, size_t nfree,
                        const fsn_calib_cfg_t *cfg, fsn_calib_progress_fn progress, void *ctx,
                        fsn_calib_result_t *out, fsn_error_t *err);

/* J for given statistics (the objective above; hinge the weight W, 0 for
 * none). O(figures x metrics). */
double fsn_calib_objective(const fsn_reference_t *ref, const fsn_metric_stats_t *st, double hinge);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_CALIBRATE_H */
