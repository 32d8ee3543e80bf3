/*
 * stats.c: replicate summaries through GSL.
 *
 * Kept deliberately small: the statistics layer proper (comparison with
 * the article, calibration) builds on it. Sorting uses gsl_sort so that
 * quantiles come from GSL's own definition.
 */
#include "fission/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

void fsn_stats_summarize(const double *x, size_t n, double *scratch, fsn_summary_t *out) {
    FSN_REQUIRE(out && (n == 0 || (x && scratch)));
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0) {
        out->mean = out->sd = out->se = out->ci_lo = out->ci_hi = NAN;
        out->min = out->p05 = out->p50 = out->p95 = out->max = NAN;
        return;
    }
    memcpy(scratch, x, n * sizeof *x);
    gsl_sort(scratch, 1, n);
    out->mean = gsl_stats_mean(scratch, 1, n);
    out->min = scratch[0];
    out->max = scratch[n - 1];
    out->p05 = gsl_stats_quantile_from_sorted_data(scratch, 1, n, 0.05);
    out->p50 = gsl_stats_quantile_from_sorted_data(scratch, 1, n, 0.50);
    out->p95 = gsl_stats_quantile_from_sorted_data(scratch, 1, n, 0.95);
    if (n < 2) {
        out->sd = out->se = 0;
        out->ci_lo = out->ci_hi = out->mean;
        return;
    }
    out->sd = gsl_stats_sd_m(scratch, 1, n, out->mean);
    out->se = out->sd / sqrt((double)n);
    double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
    out->ci_lo = out->mean - t * out->se;
    out->ci_hi = out->mean + t * out->se;
}
