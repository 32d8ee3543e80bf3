/*
 * sweep.h: parameter sweeps, the whole API.
 *
 * A sweep file (docs/SWEEPS.md) names a base scenario, fixed overrides,
 * axes (scenario key paths with their values, range or distribution), a
 * design that places points in the unit cube (grid, random, Latin
 * hypercube, Sobol, Saltelli, Morris), replicates per point, the metrics
 * to keep and a seed. Each point is the base scenario with one --set per
 * axis, so every scenario check and message applies to it.
 *
 * Execution is split so that the same pieces serve one process with
 * threads (fsn_sweep_exec) and a future MPI backend:
 *   - a unit is (point, replicate); replicate r of point p draws from the
 *     stream (seed, p, r), so results depend on neither threads nor order;
 *   - a unit source says which units to run (all, or those missing from
 *     a store), a result sink takes finished units (the store);
 *   - a point cache (fsn_sweep_cache_t, main thread only: it calls
 *     igraph) prepares points: their scenario, their graph (built once
 *     for all points sharing the graph's parameters) and seed rankings;
 *   - a runner (fsn_sweep_runner_t, one per worker thread) runs units of
 *     prepared points.
 *
 * Threads: a sweep (fsn_sweep_t) is read-only once loaded and may be
 * shared. The cache belongs to the thread that calls igraph. Runners are
 * per thread.
 */
#ifndef FISSION_SWEEP_H
#define FISSION_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "fission/error.h"
#include "fission/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fsn_design {
    FSN_DESIGN_GRID = 0,      /* every combination of the axes' values */
    FSN_DESIGN_RANDOM = 1,    /* independent uniform draws */
    FSN_DESIGN_LHS = 2,       /* Latin hypercube: one point per stratum per axis */
    FSN_DESIGN_SOBOL = 3,     /* Sobol' low-discrepancy sequence (GSL), k <= 40 */
    FSN_DESIGN_SALTELLI = 4,  /* Saltelli's A, B, AB_i blocks (sensitivity.h) */
    FSN_DESIGN_MORRIS = 5,    /* Morris elementary-effect trajectories (sensitivity.h) */
    FSN_DESIGN_COUNT = 6
} fsn_design_t;

/* "grid", "random", "lhs", "sobol", "saltelli", "morris"; -1 if unknown. */
const char *fsn_design_name(int d);
int fsn_design_parse(const char *s);

typedef enum fsn_axis_kind {
    FSN_AXIS_VALUES = 0,      /* a list of values (categorical on non-grid designs) */
    FSN_AXIS_RANGE = 1,       /* [lo, hi]: grid with steps, uniform otherwise */
    FSN_AXIS_UNIFORM = 2,     /* dist uniform on [lo, hi] */
    FSN_AXIS_LOGUNIFORM = 3   /* dist loguniform on [lo, hi], 0 < lo */
} fsn_axis_kind_t;

#define FSN_SWEEP_AXES_MAX 64
#define FSN_SWEEP_PATH_MAX 256

typedef struct fsn_sweep_axis {
    char path[FSN_SWEEP_PATH_MAX];
    fsn_axis_kind_t kind;
    double lo, hi;            /* range / distribution bounds; values: their min and max (NaN if text) */
    uint32_t steps;           /* range on a grid */
    size_t nvalues;
    double *values;           /* nvalues numbers (NaN for a text value) */
    char **texts;             /* nvalues JSON texts of the values, as --set takes them
                                 (NULL for numbers) */
    char **labels;            /* nvalues plain texts for the store and exports (a string
                                 itself, "true", "false"; NULL for numbers) */
    int is_integer;           /* the key is an integer (fsn_scenario_key_type) */
} fsn_sweep_axis_t;

typedef struct fsn_sweep {
    char file[FSN_SCENARIO_PATH_MAX];   /* the sweep file, as given */
    char base[FSN_SCENARIO_PATH_MAX];   /* the base scenario, resolved */
    char *text;                          /* the sweep file's text */
    char hash[17];                       /* 64-bit hash of the text and the extra sets, hex */
    char *base_text;                     /* the base scenario's text */
    size_t base_len;
    char base_dir[FSN_SCENARIO_PATH_MAX];
    char **sets;                         /* fixed overrides: the file's "set", then the caller's */
    size_t nsets;
    fsn_sweep_axis_t *axes;
    size_t naxes;
    fsn_design_t design;
    size_t size;                         /* points (random, lhs, sobol), N (saltelli), r (morris); grid 0 */
    unsigned levels;                     /* morris */
    uint32_t reps;
    uint64_t seed;
    char **metrics;                      /* kept metric names; NULL with all_metrics */
    size_t nmetrics;
    int all_metrics;
    size_t npoints;
    double *u;                           /* npoints x naxes unit-cube coordinates */
    double *values;                      /* npoints x naxes axis values */
    const char **vtexts;                 /* npoints x naxes value texts for --set (point into axes;
                                            NULL for numbers) */
    const char **vlabels;                /* npoints x naxes plain texts of those values */
} fsn_sweep_t;

/*
 * Load a sweep file: parse it (JSON with // and block comments, as
 * scenario files), check every key, read the base scenario's text,
 * generate the design and every point's axis values. sets are extra
 * PATH=VALUE overrides (the command line's --set), applied after the
 * file's "set"; they enter the hash. Errors go to d, each naming the
 * file and the JSON path ("sweep.json: axes[2].range: expected [lo, hi]
 * with lo < hi"); FSN_EPARSE (malformed JSON), FSN_EINVAL, FSN_EIO (the
 * file or the base cannot be read), FSN_ENOMEM; *out NULL then.
 * Saltelli and Morris need the sensitivity module; without it they are
 * FSN_EINVAL "not built". Cost O(file + points x axes).
 */
fsn_err_t fsn_sweep_load(const char *path, const char *const *sets, size_t nsets, fsn_sweep_t **out,
                         fsn_diags_t *d);

void fsn_sweep_free(fsn_sweep_t *sw);

/*
 * Fill u (n x k, row-major, in [0,1)) with design's points in the unit
 * cube. random and lhs draw from the stream (seed, 2^64-1, 0) (no unit
 * uses that point), sobol is gsl_qrng_sobol from its first point (k <=
 * 40), saltelli and morris call sensitivity.h. n must be
 * fsn_sweep_design_points(design, size, k). grid is not generated here.
 * FSN_EINVAL (k too large, design not built), FSN_ENOMEM. O(n k).
 */
fsn_err_t fsn_sweep_design_unit(fsn_design_t design, size_t size, size_t k, unsigned levels, uint64_t seed,
                                double *u, fsn_error_t *err);
size_t fsn_sweep_design_points(fsn_design_t design, size_t size, size_t k);

/* The --set strings of point p ("path=value" per axis, then the fixed
 * sets first): fills sets (room for nsets + naxes pointers) with strings
 * in buf (cap bytes). Returns the count, 0 if buf is too small. O(axes). */
size_t fsn_sweep_point_sets(const fsn_sweep_t *sw, size_t p, const char **sets, char *buf, size_t cap);

/* Point p's scenario: the base with the fixed sets and p's axis values.
 * Errors in d as fsn_scenario_parse's, each prefixed "SWEEP: point P: ".
 * O(base scenario). */
fsn_err_t fsn_sweep_point_scenario(const fsn_sweep_t *sw, size_t p, fsn_scenario_t *sc, fsn_diags_t *d);

/* Check every point's scenario before anything runs; the errors of the
 * first bad point in d. O(points x base scenario). */
fsn_err_t fsn_sweep_check(const fsn_sweep_t *sw, fsn_diags_t *d);

/* ------------------------------------------------------------------ */
/* Execution pieces                                                   */
/* ------------------------------------------------------------------ */

typedef struct fsn_sweep_unit {
    uint64_t point;
    uint32_t rep;
} fsn_sweep_unit_t;

/* Prepared points (main thread only: calls igraph). */
typedef struct fsn_sweep_cache fsn_sweep_cache_t;
typedef struct fsn_sweep_prep fsn_sweep_prep_t;

/* A cache keeping up to keep_graphs unused graphs (>= 1). NULL on
 * allocation failure. O(1). */
fsn_sweep_cache_t *fsn_sweep_cache_new(const fsn_sweep_t *sw, size_t keep_graphs);
void fsn_sweep_cache_free(fsn_sweep_cache_t *c);

/* Prepare point p (or take it prepared): its scenario, its graph (built
 * or read once for all points with the same graph section), rankings for
 * degree/PageRank/k-core seedings, seed files, checked parameters.
 * Reference counted: each get is paired with a put (any thread may put,
 * the free happens in the next main-thread call). Errors name the point.
 * Cost: the graph build if not cached, O(n log n) per ranking kind. */
fsn_err_t fsn_sweep_cache_get(fsn_sweep_cache_t *c, uint64_t p, fsn_sweep_prep_t **out, fsn_error_t *err);
void fsn_sweep_cache_put(fsn_sweep_cache_t *c, fsn_sweep_prep_t *pp);
/* Graphs built so far (for tests and the summary). */
size_t fsn_sweep_cache_graphs_built(const fsn_sweep_cache_t *c);

/* Every metric name of a prepared point's world (in world order), via a
 * probe world. names[i] malloc'ed array of malloc'ed strings; free with
 * fsn_sweep_names_free. O(n). */
fsn_err_t fsn_sweep_prep_metric_names(const fsn_sweep_prep_t *pp, char ***names, size_t *n, fsn_error_t *err);
void fsn_sweep_names_free(char **names, size_t n);

/* Resolve the sweep's kept metrics against a world's names: idx[m] the
 * world index of kept metric m (all of them with "all"). *nkept set;
 * idx malloc'ed. FSN_EINVAL "SWEEP: metrics[2]: unknown metric 'x'". */
fsn_err_t fsn_sweep_resolve_metrics(const fsn_sweep_t *sw, char *const *names, size_t n, size_t **idx,
                                    size_t *nkept, fsn_error_t *err);

/* A worker's runner: users and a world, rebuilt when the point changes. */
typedef struct fsn_sweep_runner fsn_sweep_runner_t;
fsn_sweep_runner_t *fsn_sweep_runner_new(void);
void fsn_sweep_runner_free(fsn_sweep_runner_t *r);

/* Run unit (pp's point, rep) on r; on success *metrics points at the
 * world's metrics (valid until the next call), *nmetrics their count and
 * *events the engine events. Thread-safe for distinct runners. Errors:
 * the replicate's (named by fsn_run_replicate). O(n + events). */
fsn_err_t fsn_sweep_runner_run(fsn_sweep_runner_t *r, const fsn_sweep_prep_t *pp, const fsn_sweep_t *sw,
                               uint32_t rep, const double **metrics, size_t *nmetrics, uint64_t *events,
                               fsn_error_t *err);

/* Which units to run, in order. next returns 1 and a unit, or 0. */
typedef struct fsn_sweep_source {
    void *ctx;
    int (*next)(void *ctx, fsn_sweep_unit_t *u);
} fsn_sweep_source_t;

/* A finished unit as a sink sees it. */
typedef struct fsn_sweep_outcome {
    fsn_sweep_unit_t unit;
    fsn_err_t rc;                 /* FSN_OK: metrics valid */
    const char *msg;              /* the failure's message */
    uint64_t events;
    double seconds;
    const double *metrics;        /* the world's metrics (every one, world order) */
    size_t nmetrics;
} fsn_sweep_outcome_t;

/* Where finished units go (called on the main thread only). put's error
 * stops the sweep; flush is called about every flush_seconds and at the
 * end. */
typedef struct fsn_sweep_sink {
    void *ctx;
    fsn_err_t (*put)(void *ctx, const fsn_sweep_outcome_t *o, fsn_error_t *err);
    fsn_err_t (*flush)(void *ctx, fsn_error_t *err);
} fsn_sweep_sink_t;

typedef struct fsn_sweep_exec_cfg {
    uint32_t threads;             /* 0: one per online core */
    const volatile int *stop;     /* non-zero: start no further unit */
    double flush_seconds;         /* 0: 1 s */
    void (*progress)(void *ctx, uint64_t done, uint64_t failed, double elapsed);  /* main thread, ~4/s */
    void *progress_ctx;
} fsn_sweep_exec_cfg_t;

typedef struct fsn_sweep_exec_stats {
    uint64_t done, failed;        /* units stored / failed */
    int interrupted;              /* a stop request left units not run */
    double seconds;
    uint32_t threads;
} fsn_sweep_exec_stats_t;

/*
 * Run the source's units on threads workers; the calling thread prepares
 * points ahead (graphs, rankings: igraph stays on it; at most threads + 1
 * distinct points queued, so graphs in memory stay bounded) and feeds
 * the sink. Units should come in point order (each point prepared once).
 * A unit that fails is passed to the sink with its error and the sweep
 * goes on. On a stop request the running units finish and are passed to
 * the sink, then it returns FSN_OK with st->interrupted set.
 * Errors: a point that cannot be prepared (its message), the sink's
 * error, FSN_ENOMEM. Cost: the units' runs over the threads.
 */
fsn_err_t fsn_sweep_exec(const fsn_sweep_t *sw, fsn_sweep_cache_t *cache, fsn_sweep_source_t *src,
                         fsn_sweep_sink_t *sink, const fsn_sweep_exec_cfg_t *cfg, fsn_sweep_exec_stats_t *st,
                         fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* MPI (built with FISSION_WITH_MPI; otherwise every call but          */
/* fsn_sweep_mpi_built fails with FSN_EINVAL "built without MPI")      */
/* ------------------------------------------------------------------ */

/* 1 if this library was built with MPI. */
int fsn_sweep_mpi_built(void);

/* MPI_Init_thread (MPI_THREAD_FUNNELED) unless done; this process's rank
 * and the world's size. FSN_ELIB if MPI cannot start. */
fsn_err_t fsn_sweep_mpi_init(int *rank, int *size, fsn_error_t *err);
void fsn_sweep_mpi_finalize(void);
/* MPI_Abort on the world (after an unrecoverable error on one rank). */
void fsn_sweep_mpi_abort(int code);
/* Rank 0's v, on every rank (a collective: every rank must call it). */
int fsn_sweep_mpi_bcast_int(int v);

/*
 * Rank 0: hand the source's units to the other ranks one request at a
 * time and pass their finished units to the sink (flushed about every
 * cfg->flush_seconds), until every other rank has said it is done. A
 * stop request (cfg->stop) answers further requests with "no more".
 * st->threads is the total of the workers' threads. Errors: the sink's
 * (the sweep then hands out no more units). Cost: one round trip per
 * unit; rank 0 sleeps 0.2 ms when idle rather than spinning.
 */
fsn_err_t fsn_sweep_mpi_serve(fsn_sweep_source_t *src, fsn_sweep_sink_t *sink, const fsn_sweep_exec_cfg_t *cfg,
                              fsn_sweep_exec_stats_t *st, fsn_error_t *err);

/* Any other rank: fsn_sweep_exec with cfg->threads threads on units
 * asked of rank 0, each finished unit sent back; then "done". */
fsn_err_t fsn_sweep_mpi_work(const fsn_sweep_t *sw, fsn_sweep_cache_t *cache, const fsn_sweep_exec_cfg_t *cfg,
                             fsn_sweep_exec_stats_t *st, fsn_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_SWEEP_H */
