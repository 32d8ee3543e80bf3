/*
 * stats.h: summaries of a metric over replicates.
 *
 * A run yields one value of each metric per replicate; users want the
 * mean, its uncertainty and the spread. fsn_stats_summarize computes them
 * with GSL: the 95% interval of the mean is Student's t (n - 1 degrees of
 * freedom), quantiles interpolate linearly between order statistics
 * (GSL's gsl_stats_quantile_from_sorted_data).
 */
#ifndef FISSION_STATS_H
#define FISSION_STATS_H

#include <stddef.h>

#include "fission/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fsn_summary {
    size_t n;
    double mean, sd, se;      /* sd with n - 1; se = sd / sqrt(n) */
    double ci_lo, ci_hi;      /* 95% t interval of the mean (= mean if n < 2) */
    double min, p05, p50, p95, max;
} fsn_summary_t;

/* Summarise x[0..n-1]. scratch must hold n doubles (it is sorted there);
 * x is not changed. n = 0 gives all NaN. O(n log n). */
void fsn_stats_summarize(const double *x, size_t n, double *scratch, fsn_summary_t *out);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_STATS_H */
