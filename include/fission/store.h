/*
 * store.h: a sweep's results store, the whole API.
 *
 * A sweep (sweep.h) runs thousands of (point, replicate) units; each
 * finished unit is a row in one SQLite file, DIR/sweep.db, written in
 * short transactions so that a sweep killed at any moment (kill -9, a
 * cluster's time limit, a power cut after the last commit) keeps every
 * unit committed before it, and --resume runs only the missing ones.
 * docs/SWEEPS.md describes the schema with sqlite3, pandas and R
 * snippets:
 *
 *   meta(key TEXT PRIMARY KEY, value TEXT)       format, sweep file, hash, base scenario, ...
 *   axes(axis INTEGER PRIMARY KEY, path, kind, lo, hi, is_integer)
 *   metrics(metric INTEGER PRIMARY KEY, name)    the kept metrics, in column order
 *   points(point INTEGER PRIMARY KEY, "<axis path>"...)   each point's axis values
 *   point_units(point, axis, u, PRIMARY KEY(point, axis)) unit-cube coordinates
 *   runs(point, rep, seed, events, "<metric>"..., PRIMARY KEY(point, rep))
 *   failures(point, rep, message, PRIMARY KEY(point, rep))
 *   timings(point, rep, seconds, PRIMARY KEY(point, rep))  wall clock only here
 *
 * Every table but timings depends only on the sweep file and the code:
 * the same sweep gives the same rows whatever the threads, processes or
 * the order units finished in (fsn_store_dump shows it). A NaN metric
 * (a rate with no denominator) is NULL.
 *
 * Threads: a store handle belongs to one thread (the sweep's main
 * thread writes; readers open their own handles). This module is the
 * only one that includes SQLite.
 */
#ifndef FISSION_STORE_H
#define FISSION_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "fission/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FSN_STORE_FORMAT "1"

typedef struct fsn_store fsn_store_t;

/* ------------------------------------------------------------------ */
/* Reading (the sensitivity analysis, plots, anyone)                  */
/* ------------------------------------------------------------------ */

/* Open path read-only. Errors: FSN_EIO naming the path (missing file,
 * not SQLite), FSN_EINVAL if it is not a fission sweep store (no meta
 * table or another format), FSN_ENOMEM. O(1). */
fsn_err_t fsn_store_open_readonly(const char *path, fsn_store_t **out, fsn_error_t *err);

/* Close (committing any open transaction of a writer). NULL accepted. */
void fsn_store_close(fsn_store_t *s);

typedef struct fsn_store_info {
    char design[16];          /* "grid", "random", "lhs", "sobol", "saltelli", "morris" */
    size_t naxes, npoints;
    size_t size;              /* the design's size parameter ("points": N for saltelli,
                                 r for morris, the point count otherwise; grid: 0) */
    size_t nmetrics;          /* kept metrics (runs' metric columns) */
    unsigned levels;          /* morris levels (0 for other designs) */
    uint32_t reps;            /* replicates per point */
    uint64_t seed;            /* the sweep's base seed */
} fsn_store_info_t;

/* The sweep's shape. FSN_EIO on an SQLite failure. O(axes + 1). */
fsn_err_t fsn_store_info(fsn_store_t *s, fsn_store_info_t *out, fsn_error_t *err);

/* Axis axis's path (into path, cap bytes, truncated) and its range
 * (lo, hi: the range or distribution bounds; for a list of values their
 * smallest and largest number, NaN for text values). lo/hi may be NULL.
 * FSN_EINVAL if axis >= naxes. O(1). */
fsn_err_t fsn_store_axis(fsn_store_t *s, size_t axis, char *path, size_t cap, double *lo, double *hi,
                         fsn_error_t *err);

/* Kept metric m's dotted name. FSN_EINVAL if m >= nmetrics. O(1). */
fsn_err_t fsn_store_metric_name(fsn_store_t *s, size_t m, char *name, size_t cap, fsn_error_t *err);

/* Every point's unit-cube coordinates: u[p * naxes + j], p in point
 * order (npoints x naxes doubles, the caller's). O(points x axes). */
fsn_err_t fsn_store_point_units(fsn_store_t *s, double *u, fsn_error_t *err);

/* The mean of metric (a kept metric's name) over each point's stored
 * runs, skipping NULL (NaN) values: out[p] for p < npoints, NaN where a
 * point has no run (or no finite value). FSN_EINVAL naming an unknown
 * metric. O(runs). */
fsn_err_t fsn_store_point_means(fsn_store_t *s, const char *metric, double *out, fsn_error_t *err);

/* A meta value by key into buf (cap bytes, truncated); FSN_EINVAL if the
 * key is absent. O(log keys). */
fsn_err_t fsn_store_meta(fsn_store_t *s, const char *key, char *buf, size_t cap, fsn_error_t *err);

/* Runs stored. O(runs). */
fsn_err_t fsn_store_run_count(fsn_store_t *s, uint64_t *count, fsn_error_t *err);

/*
 * Write dir/runs.csv and dir/points.csv (atomically, fsn_write_atomic):
 *   runs.csv:   point,rep,seed,events,<metrics...>   one row per stored run,
 *               ordered by point then rep;
 *   points.csv: point,<axis paths...>,reps, then for each metric m
 *               m.mean,m.ci_lo,m.ci_hi   one row per point in order: reps
 *               is the number of stored runs, the mean and 95% Student t
 *               interval over the runs' finite values (fsn_stats_summarize;
 *               the interval is the mean with one value).
 * Numbers in the round-trip format (text.h); NaN and missing values are
 * empty fields; names with commas or quotes are quoted (RFC 4180).
 * Byte-identical for equal store contents. Errors: FSN_EIO naming the
 * file, FSN_ENOMEM. O(runs x metrics); memory O(file size).
 */
fsn_err_t fsn_store_export(fsn_store_t *s, const char *dir, fsn_error_t *err);

/* A canonical text dump of every table except timings, rows ordered by
 * their keys: equal for equal contents whatever the insertion order
 * (tests compare stores with it). *text malloc'ed. O(store size). */
fsn_err_t fsn_store_dump(fsn_store_t *s, char **text, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Writing (the sweep command)                                        */
/* ------------------------------------------------------------------ */

typedef struct fsn_store_axis_spec {
    const char *path;         /* scenario key path, as --set takes it */
    const char *kind;         /* "values", "range", "uniform", "loguniform" */
    double lo, hi;
    int is_integer;
} fsn_store_axis_spec_t;

/* Everything a new store records before any run. */
typedef struct fsn_store_spec {
    const char *const *meta_keys;     /* nmeta extra meta entries (sweep file text, */
    const char *const *meta_values;   /* its hash as "sweep_hash", base scenario, version...) */
    size_t nmeta;
    const char *design;
    size_t size;
    unsigned levels;
    uint32_t reps;
    uint64_t seed;
    const fsn_store_axis_spec_t *axes;
    size_t naxes;
    size_t npoints;
    const double *u;                  /* npoints x naxes */
    const double *values;             /* npoints x naxes: each point's axis values */
    const char *const *texts;         /* NULL, or npoints x naxes: a text value (a
                                         categorical axis of names), NULL entries numeric */
    const char *const *metrics;       /* kept metric names, in column order */
    size_t nmetrics;
} fsn_store_spec_t;

/*
 * Create a store at path (its folder must exist) holding the spec, in
 * one transaction, so a store is either absent or complete. An existing
 * file that is not a store with runs is replaced; one with runs is
 * refused: FSN_ESTATE "PATH already holds N runs of a sweep; use
 * --resume to continue it, or another --out". Journal: WAL with
 * synchronous NORMAL (a commit survives the process being killed). The
 * writer holds an exclusive lock on PATH.lock until fsn_store_close (or
 * its process's end): a second writer on the same path gets FSN_ESTATE
 * "PATH is in use by another running sweep ...".
 * Errors: FSN_EIO naming the path, FSN_ESTATE, FSN_EINVAL (two axes or
 * metrics with one name), FSN_ENOMEM. O(points x axes).
 */
fsn_err_t fsn_store_create(const char *path, const fsn_store_spec_t *spec, fsn_store_t **out,
                           fsn_error_t *err);

/*
 * Reopen a store to add the missing runs. hash is the sweep's hash
 * (meta "sweep_hash"); a different one is FSN_ESTATE "PATH was made by
 * another sweep file (hash ..., this one ...)". The failures recorded
 * by an earlier run are cleared (their units run again). Takes the
 * writer's lock as fsn_store_create. Errors as fsn_store_open_readonly,
 * FSN_ESTATE (another sweep, or the store in use).
 */
fsn_err_t fsn_store_open_resume(const char *path, const char *hash, fsn_store_t **out, fsn_error_t *err);

/* done[p * reps + r] = 1 for each stored run (npoints x reps bytes,
 * zeroed first); *count their number (may be NULL). O(runs). */
fsn_err_t fsn_store_done(fsn_store_t *s, uint8_t *done, uint64_t *count, fsn_error_t *err);

/* Add one run (metrics: nmetrics values in column order; NaN stored as
 * NULL) and its wall time. Opens a transaction if none is; the run is
 * durable after the next fsn_store_commit. FSN_EIO on SQLite failure
 * (a duplicate (point, rep) included). O(metrics). */
fsn_err_t fsn_store_put_run(fsn_store_t *s, uint64_t point, uint32_t rep, uint64_t events,
                            const double *metrics, double seconds, fsn_error_t *err);

/* Record a unit that failed (its message); it is not a run. O(1). */
fsn_err_t fsn_store_put_failure(fsn_store_t *s, uint64_t point, uint32_t rep, const char *msg,
                                fsn_error_t *err);

/* Commit the open transaction (if any). FSN_EIO. Cost: one fsync-less
 * WAL append (synchronous NORMAL). */
fsn_err_t fsn_store_commit(fsn_store_t *s, fsn_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_STORE_H */
