/*
 * compare.h: the article's figures against a run, the whole API.
 *
 * The reference file (scenarios/reference/article-2023.json) lists every
 * figure of the article: its value, the simulator metric it corresponds
 * to and a tolerance, or why it is not simulated. A comparison takes the
 * statistics of a run's metrics (from a run in memory, or from a run
 * folder's summary.json) and gives, per figure, the simulated mean, its
 * 95% interval, the deviation, the z-score (deviation / standard error of
 * the mean) and whether the deviation is within the tolerance.
 *
 * Tolerances are the reference file's, by figure: absolute
 * (|mean - value| <= tol), relative (|mean - value| <= tol x value), or for
 * an upper bound in the article ("below 0.7%"), mean <= value + tol. The
 * z-score says whether a deviation is noise (|z| small) or real; the
 * tolerance says whether it matters. docs/METRICS.md explains both.
 */
#ifndef FISSION_COMPARE_H
#define FISSION_COMPARE_H

#include <stddef.h>

#include "fission/error.h"
#include "fission/run.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fsn_figure {
    char id[64];          /* "T4.group.conversion" */
    char table[16];       /* "T4", "T1 text" */
    char label[200];
    char unit[24];        /* "share", "CNY", "per month", ... */
    char metric[96];      /* the simulator's metric, "" if not simulated */
    char reason[240];     /* why not simulated */
    char note[240];
    double value;         /* NaN if the article gives none */
    int simulated;
    double tol;
    int relative;         /* tolerance relative to the value */
    int at_most;          /* the article gives an upper bound */
} fsn_figure_t;

typedef struct fsn_reference {
    size_t n;
    fsn_figure_t *fig;
    char source[256];
} fsn_reference_t;

/* Load a reference file. Errors (FSN_EIO, FSN_EPARSE, FSN_EINVAL) name
 * the file and the JSON path ("figures[3].tolerance: must be a number >=
 * 0"). The caller destroys ref. O(file). */
fsn_err_t fsn_reference_load(fsn_reference_t *ref, const char *path, fsn_error_t *err);
void fsn_reference_destroy(fsn_reference_t *ref);

/* One metric's statistics over replicates. */
typedef struct fsn_metric_stat {
    char name[64];
    size_t n;                     /* finite values */
    double mean, se, ci_lo, ci_hi;
} fsn_metric_stat_t;

typedef struct fsn_metric_stats {
    size_t n;
    fsn_metric_stat_t *s;
} fsn_metric_stats_t;

/* From a run in memory (done replicates, finite values; GSL t
 * intervals), or from a run folder's summary.json. O(reps x metrics). */
fsn_err_t fsn_metric_stats_from_result(const fsn_run_result_t *res, fsn_metric_stats_t *out, fsn_error_t *err);
fsn_err_t fsn_metric_stats_from_summary(const char *path, fsn_metric_stats_t *out, fsn_error_t *err);
void fsn_metric_stats_destroy(fsn_metric_stats_t *st);

typedef enum fsn_cmp_status {
    FSN_CMP_WITHIN = 0,       /* deviation within tolerance */
    FSN_CMP_OUT = 1,          /* outside */
    FSN_CMP_MISSING = 2,      /* the run has no finite value of the metric */
    FSN_CMP_NOT_SIMULATED = 3 /* the reference says why */
} fsn_cmp_status_t;

typedef struct fsn_compare_row {
    const fsn_figure_t *fig;
    fsn_cmp_status_t status;
    size_t n;
    double mean, se, ci_lo, ci_hi;
    double dev;               /* mean - value */
    double z;                 /* dev / se (NaN with fewer than 2 replicates) */
} fsn_compare_row_t;

/* Compare: rows[i] for ref->fig[i] (caller allocates ref->n). Counts of
 * each status go to counts[4] if not NULL. O(figures x metrics). */
void fsn_compare(const fsn_reference_t *ref, const fsn_metric_stats_t *st, fsn_compare_row_t *rows,
                 size_t counts[4]);

/* Write dir/compare.csv and dir/compare.json (atomically). */
fsn_err_t fsn_compare_write(const char *dir, const fsn_compare_row_t *rows, size_t n, fsn_error_t *err);

/* "within", "out", "not measured", "not simulated". */
const char *fsn_cmp_status_name(int s);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_COMPARE_H */
