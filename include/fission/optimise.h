/*
 * optimise.h: searching campaign levers for the best design, the whole API.
 *
 * A lever is a scenario path with a range of values: a real range
 * ("campaigns[0].group.deadline" in [6, 72] hours), an integer range
 * ("campaigns[0].group.size" in 2..10: only whole numbers are ever
 * evaluated) or a list of categories ("campaigns[0].seeding.strategy" in
 * random, degree, pagerank). A design is one value per lever. The search
 * maximises (or minimises) the mean of an objective over replicates,
 * subject to constraints "mean of metric <= bound" (or its one-sided
 * upper confidence bound, at a level the caller picks).
 *
 * The search knows nothing of the simulator: it calls an evaluation
 * function with a design and gets back the replicate values of the
 * objective and of every constraint metric. fission's command binds it to
 * the campaign world, with every evaluation on the same random streams
 * (common random numbers), so two designs' replicate r are paired and the
 * runners-up come with a paired interval of their gap to the best. The
 * tests bind it to closed-form responses.
 *
 * Method (docs/DESIGNS.md): the start design first; then, if every lever
 * is an integer or a category and the grid has at most enumerate_max
 * designs, every design of the grid; otherwise a space-filling design of
 * Sobol points (GSL's gsl_qrng_sobol) followed by a pattern search
 * (compass search) from the best design found: poll each lever up and
 * down by its step (every other category for a category), move to the
 * best improving neighbour, halve the steps when none improves (integer
 * steps stop at 1), stop when the real steps are below 1/100 of the
 * ranges (a noisy objective gains nothing from finer steps); then again
 * from the next best Sobol design, and so on while the budget lasts
 * (one lever at a time can stall where only a joint move improves).
 * Designs are rounded to their integer and category values before
 * evaluation and cached by that rounded point, so
 * a design asked twice costs one evaluation.
 */
#ifndef FISSION_OPTIMISE_H
#define FISSION_OPTIMISE_H

#include <stddef.h>
#include <stdint.h>

#include "fission/ab.h"
#include "fission/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fsn_lever_kind {
    FSN_LEVER_REAL = 0,       /* any number in [lo, hi] */
    FSN_LEVER_INT = 1,        /* whole numbers lo..hi (lo, hi whole) */
    FSN_LEVER_CAT = 2         /* one of cats[0 .. ncats-1]; the design holds its index */
} fsn_lever_kind_t;

#define FSN_LEVER_CATS_MAX 16
#define FSN_LEVERS_MAX 32

typedef struct fsn_lever {
    char path[256];
    fsn_lever_kind_t kind;
    double lo, hi;            /* REAL, INT: lo < hi (INT: lo <= hi) */
    size_t ncats;             /* CAT: 1 .. FSN_LEVER_CATS_MAX */
    char cats[FSN_LEVER_CATS_MAX][48];
    double start;             /* the start value (CAT: index); NaN: the middle (CAT: 0) */
} fsn_lever_t;

typedef struct fsn_opt_cfg {
    uint32_t reps;            /* replicate values per evaluation (>= 2) */
    size_t budget;            /* distinct evaluations at most (>= 1) */
    int maximise;             /* 1: maximise the objective, 0: minimise */
    double confidence;        /* 0: a constraint holds if its mean <= bound; in (0.5, 1):
                                 if its one-sided upper confidence bound at this level does */
    size_t initial;           /* Sobol points (0: max(2 x levers + 2, budget / 3)) */
    size_t enumerate_max;     /* enumerate an all-integer/category grid of at most this
                                 many designs (0: the budget) */
    /* If set, read before every new evaluation: nonzero ends the search
     * as a spent budget does, and the result covers the designs evaluated
     * so far (a signal handler's flag; NULL by default). */
    const volatile int *stop;
} fsn_opt_cfg_t;

void fsn_opt_cfg_default(fsn_opt_cfg_t *cfg);   /* 8 reps, budget 60, maximise, mean constraints */

/*
 * The evaluation: design x (one value per lever, integers whole, a
 * category its index) into obj[0 .. reps-1] (the objective's replicate
 * values) and con[j x reps + r] (constraint j's). NaN values are allowed
 * (a replicate where the metric is undefined) and left out. Return
 * FSN_EINVAL, with a message, for a design the model refuses (the search
 * records it as invalid and goes on); any other error stops the search.
 */
typedef fsn_err_t (*fsn_opt_eval_fn)(void *ctx, const double *x, double *obj, double *con, fsn_error_t *err);

typedef struct fsn_opt_point {
    double *x;                /* the design (nlev values) */
    double *obj;              /* reps values */
    double *con;              /* ncon x reps values */
    double *con_mean, *con_ub;    /* ncon each: mean and one-sided upper bound */
    double mean, ci_lo, ci_hi;    /* the objective: mean and 95% t interval */
    int valid;                /* evaluated, and the objective has a finite value */
    int feasible;             /* valid and every constraint holds */
    double violation;         /* sum of constraint excesses, each over max(|bound|, 1) */
    const char *phase;        /* "start", "grid", "sobol", "poll" */
    char why[FSN_ERROR_MSG_MAX];   /* an invalid design: why */
} fsn_opt_point_t;

enum { FSN_OPT_RUNNERS = 5 };

typedef struct fsn_opt_result {
    size_t nlev, ncon;
    uint32_t reps;
    size_t npoints;           /* distinct designs evaluated, in order */
    fsn_opt_point_t *pts;
    size_t requests;          /* designs asked for, cache hits included */
    long best;                /* index of the best design (feasible first), -1 if none valid */
    long start;               /* index of the start design */
    fsn_paired_stat_t best_vs_start;   /* paired: best minus start (a = start, b = best) */
    size_t nrunners;
    size_t runners[FSN_OPT_RUNNERS];   /* the next best designs, best first */
    fsn_paired_stat_t runner_diff[FSN_OPT_RUNNERS];   /* paired: runner minus best */
    const char *method;       /* "enumeration" or "sobol+pattern" */
    int stopped;              /* 1 if cfg->stop ended the search early */
    /* pools behind the points */
    double *pool;
} fsn_opt_result_t;

void fsn_opt_result_destroy(fsn_opt_result_t *r);

/* Called after each new evaluation (index into r->pts). */
typedef void (*fsn_opt_progress_fn)(void *ctx, const fsn_opt_result_t *r, size_t index);

/*
 * Search. levers[0 .. nlev-1] (1 .. FSN_LEVERS_MAX); bounds[0 .. ncon-1]
 * the constraints' upper bounds. Errors: FSN_EINVAL (a bad lever: empty
 * range, non-whole integer bounds, no categories; reps < 2; budget 0; a
 * confidence outside {0} U (0.5, 1)); FSN_ENOMEM; any error of fn other
 * than FSN_EINVAL. Deterministic: the same fn gives the same designs in
 * the same order. Cost: at most budget calls of fn, plus
 * O(budget x (levers + reps x (1 + constraints))) and a sort.
 */
fsn_err_t fsn_optimise(const fsn_lever_t *levers, size_t nlev, const double *bounds, size_t ncon,
                       const fsn_opt_cfg_t *cfg, fsn_opt_eval_fn fn, void *ctx, fsn_opt_progress_fn progress,
                       void *pctx, fsn_opt_result_t *out, fsn_error_t *err);

/* Is design a better than design b (feasible first; then the objective,
 * or the smaller violation among infeasible ones; earlier on a tie)? */
int fsn_opt_better(const fsn_opt_result_t *r, size_t a, size_t b, int maximise);

/* A lever's value as text: a category's name, a whole number, or a real
 * in round-trip form. */
void fsn_lever_value_text(const fsn_lever_t *lv, double x, char *buf, size_t size);

/*
 * Write dir/explored.csv (one row per design evaluated) and
 * dir/optimise.json (the search, the best design, the runners-up), both
 * atomically; objective and con_names name the metrics, bounds the
 * constraints. Errors: FSN_EIO naming the file, FSN_ENOMEM. O(points).
 */
fsn_err_t fsn_opt_write(const char *dir, const fsn_opt_result_t *r, const fsn_lever_t *levers,
                        const char *objective, int maximise, const char *const *con_names, const double *bounds,
                        double confidence, fsn_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_OPTIMISE_H */
