/*
 * sensitivity.c: Saltelli and Morris designs, Sobol and Morris estimators.
 *
 * A sweep asks the model for outputs at design points; this file says
 * where those points are and what the outputs mean. It knows nothing of
 * scenarios or files: the designs are rows of the unit cube and the
 * estimators take plain arrays, so the same code serves the sweep, the
 * CLI and the tests (which check it against the Ishigami function, whose
 * indices are known in closed form).
 *
 * Saltelli design. A and B are the two halves of one Sobol sequence of
 * dimension 2k, so both are low-discrepancy and, taken together, their
 * rows are as uniform in 2k dimensions as the sequence allows; AB_i
 * copies A with column i from B. The estimators pair row j of every
 * block: that is why the row order is part of the contract.
 *
 * Sobol estimators. Saltelli (2010, table 2 (b)) for S1 and Jansen
 * (1999, table 2 (f) there) for ST: both were the best of the ones
 * compared in that paper, and Jansen's is a mean of squares, never
 * negative. The output is centred by the pooled mean of f(A), f(B)
 * before use: the expectations do not change (E[f(AB_i) - f(A)] = 0) but
 * an output with a large offset and a small spread no longer loses its
 * digits to cancellation, and the estimator's variance no longer grows
 * with the offset.
 *
 * Morris design. A trajectory starts at a random grid point and moves
 * one factor at a time by delta = p / (2(p-1)), in random order, each
 * factor once. Drawing the start level of a factor uniformly on all p
 * levels is the same as Morris's "base value below 1 - delta, random
 * sign": levels below p/2 step up, the others step down. The order is
 * drawn by sequential sampling without replacement over the factors not
 * yet moved, which needs no scratch array (a moved factor is one whose
 * value differs from the trajectory's first row).
 *
 * Bootstrap. Resamples are drawn from rng.h streams keyed by the seed,
 * base rows (Sobol) or trajectories (Morris) with replacement; each
 * index's interval is the percentile interval of its resampled values
 * (resamples that give a non-finite value, e.g. zero variance, are left
 * out of its interval). Every buffer is allocated once at the top of an
 * estimator; the loops do not allocate.
 */
#include "fission/sensitivity.h"

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fission/rng.h"

/* Purpose tags of the rng substreams (ASCII, so they read in a dump). */
#define TAG_MORRIS_DESIGN 0x4d4f52524953ULL /* "MORRIS" */
#define TAG_SOBOL_BOOT 0x534f424f4cULL      /* "SOBOL" */
#define TAG_MORRIS_BOOT 0x4d424f4f54ULL     /* "MBOOT" */

static void stream(fsn_rng_t *out, uint64_t seed, uint64_t tag) {
    fsn_rng_t base;
    fsn_rng_seed_stream(&base, seed, 0, 0);
    fsn_rng_substream(out, &base, tag);
}

/* a * b, or 0 if it overflows (or either is 0). */
static size_t mul_or0(size_t a, size_t b) {
    if (a == 0 || b == 0) return 0;
    if (a > SIZE_MAX / b) return 0;
    return a * b;
}

/* ------------------------------------------------------------------ */
/* Designs                                                            */
/* ------------------------------------------------------------------ */

size_t fsn_saltelli_points(size_t n_base, size_t k) {
    if (k > SIZE_MAX - 2) return 0;
    size_t n = mul_or0(n_base, k + 2);
    if (mul_or0(n, k) == 0 || mul_or0(n, k) > SIZE_MAX / sizeof(double)) return 0;
    return n;
}

fsn_err_t fsn_saltelli_design(size_t n_base, size_t k, double *u, fsn_error_t *err) {
    if (n_base == 0) return fsn_error_set(err, FSN_EINVAL, "saltelli design: the base size must be at least 1");
    if (k == 0) return fsn_error_set(err, FSN_EINVAL, "saltelli design: at least one factor is needed");
    if (k > FSN_SALTELLI_MAX_FACTORS)
        return fsn_error_set(err, FSN_EINVAL,
                             "saltelli design: %zu factors, at most %d are supported (a Sobol "
                             "sequence of dimension 2k <= 40)",
                             k, FSN_SALTELLI_MAX_FACTORS);
    size_t npts = fsn_saltelli_points(n_base, k);
    if (npts == 0)
        return fsn_error_set(err, FSN_ERANGE, "saltelli design: %zu x (%zu + 2) points is too many",
                             n_base, k);
    FSN_REQUIRE(u);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    if (!q) return fsn_error_set(err, FSN_ENOMEM, "saltelli design: cannot allocate a Sobol generator");
    double x[2 * FSN_SALTELLI_MAX_FACTORS];
    double *A = u, *B = u + n_base * k;
    for (size_t r = 0; r < n_base; r++) {
        /* GSL's Sobol generator starts at point 1: point 0 (all zeros)
         * is never emitted, so nothing needs skipping. */
        gsl_qrng_get(q, x);
        memcpy(A + r * k, x, k * sizeof *x);
        memcpy(B + r * k, x + k, k * sizeof *x);
    }
    gsl_qrng_free(q);
    for (size_t i = 0; i < k; i++) {
        double *AB = u + (2 + i) * n_base * k;
        for (size_t r = 0; r < n_base; r++) {
            memcpy(AB + r * k, A + r * k, k * sizeof *A);
            AB[r * k + i] = B[r * k + i];
        }
    }
    return FSN_OK;
}

size_t fsn_morris_points(size_t r, size_t k) {
    if (k > SIZE_MAX - 1) return 0;
    size_t n = mul_or0(r, k + 1);
    if (mul_or0(n, k) == 0 || mul_or0(n, k) > SIZE_MAX / sizeof(double)) return 0;
    return n;
}

double fsn_morris_delta(unsigned levels) {
    FSN_REQUIRE(levels >= 2);
    return (double)levels / (2.0 * (double)(levels - 1));
}

static fsn_err_t check_levels(unsigned levels, const char *who, fsn_error_t *err) {
    if (levels < 2 || levels % 2 != 0)
        return fsn_error_set(err, FSN_EINVAL,
                             "%s: levels must be an even number >= 2 (got %u)", who, levels);
    return FSN_OK;
}

fsn_err_t fsn_morris_design(size_t r, size_t k, unsigned levels, uint64_t seed, double *u,
                            fsn_error_t *err) {
    if (r == 0) return fsn_error_set(err, FSN_EINVAL, "morris design: at least one trajectory is needed");
    if (k == 0) return fsn_error_set(err, FSN_EINVAL, "morris design: at least one factor is needed");
    fsn_err_t e = check_levels(levels, "morris design", err);
    if (e) return e;
    size_t npts = fsn_morris_points(r, k);
    if (npts == 0)
        return fsn_error_set(err, FSN_ERANGE, "morris design: %zu x (%zu + 1) points is too many", r, k);
    FSN_REQUIRE(u);
    fsn_rng_t g;
    stream(&g, seed, TAG_MORRIS_DESIGN);
    const uint64_t p = levels, half = levels / 2;
    const double step = 1.0 / (double)(levels - 1);
    for (size_t t = 0; t < r; t++) {
        double *row0 = u + t * (k + 1) * k;
        for (size_t j = 0; j < k; j++) row0[j] = (double)fsn_rng_below(&g, p) * step;
        for (size_t m = 0; m < k; m++) {
            double *cur = row0 + m * k, *next = cur + k;
            memcpy(next, cur, k * sizeof *cur);
            /* The c-th (from 0) of the k - m factors not yet moved. */
            uint64_t c = fsn_rng_below(&g, (uint64_t)(k - m));
            size_t j = 0;
            for (;; j++) {
                if (cur[j] == row0[j]) {
                    if (c == 0) break;
                    c--;
                }
            }
            uint64_t s = (uint64_t)llround(row0[j] * (double)(levels - 1));
            uint64_t to = s < half ? s + half : s - half;
            next[j] = (double)to * step;
        }
    }
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Bootstrap intervals                                                */
/* ------------------------------------------------------------------ */

/* The percentile interval and standard deviation of the finite values in
 * col[0 .. n-1] (col is reordered). NaN when none is finite (or n = 0). */
static void boot_interval(double *col, size_t n, double level, double *lo, double *hi, double *se) {
    size_t m = 0;
    for (size_t b = 0; b < n; b++)
        if (isfinite(col[b])) col[m++] = col[b];
    if (m == 0) {
        *lo = *hi = NAN;
        if (se) *se = NAN;
        return;
    }
    gsl_sort(col, 1, m);
    double a = (1.0 - level) / 2.0;
    *lo = gsl_stats_quantile_from_sorted_data(col, 1, m, a);
    *hi = gsl_stats_quantile_from_sorted_data(col, 1, m, 1.0 - a);
    if (se) *se = m >= 2 ? gsl_stats_sd(col, 1, m) : NAN;
}

static fsn_err_t check_opts(const fsn_boot_opts_t *opts, const char *who, fsn_error_t *err) {
    FSN_REQUIRE(opts);
    if (!(opts->level > 0.0 && opts->level < 1.0))
        return fsn_error_set(err, FSN_EINVAL, "%s: the interval level must be in (0, 1) (got %g)", who,
                             opts->level);
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Sobol indices                                                      */
/* ------------------------------------------------------------------ */

/* S1[i], ST[i] over the base rows rows[0 .. nr-1] (repeats allowed). */
static void sobol_estimate(size_t n_base, size_t k, const double *y, const size_t *rows, size_t nr,
                           double *S1, double *ST) {
    const double *fA = y, *fB = y + n_base;
    double sum = 0;
    for (size_t q = 0; q < nr; q++) sum += fA[rows[q]] + fB[rows[q]];
    const double c = sum / (double)(2 * nr);
    double ss = 0;
    for (size_t q = 0; q < nr; q++) {
        double a = fA[rows[q]] - c, b = fB[rows[q]] - c;
        ss += a * a + b * b;
    }
    const double V = ss / (double)(2 * nr);
    for (size_t i = 0; i < k; i++) {
        const double *fAB = y + (2 + i) * n_base;
        double s1 = 0, st = 0;
        for (size_t q = 0; q < nr; q++) {
            size_t j = rows[q];
            double d = fAB[j] - fA[j];
            s1 += (fB[j] - c) * d;
            st += d * d;
        }
        /* An output whose spread is below rounding of its level (sd under
         * 1e-12 of |mean|) does not vary: its indices would be noise. */
        if (V > 1e-24 * c * c && V > 0) {
            S1[i] = s1 / (double)nr / V;
            ST[i] = st / (double)nr / (2.0 * V);
        } else {
            S1[i] = ST[i] = NAN;
        }
    }
}

fsn_err_t fsn_sobol_indices(size_t n_base, size_t k, const double *y, const fsn_boot_opts_t *opts,
                            fsn_sobol_index_t *out, size_t *n_used, fsn_error_t *err) {
    if (n_base == 0 || k == 0)
        return fsn_error_set(err, FSN_EINVAL, "sobol indices: empty design (base size %zu, %zu factors)",
                             n_base, k);
    fsn_err_t e = check_opts(opts, "sobol indices", err);
    if (e) return e;
    if (fsn_saltelli_points(n_base, k) == 0)
        return fsn_error_set(err, FSN_ERANGE, "sobol indices: design too large");
    FSN_REQUIRE(y && out);
    const size_t boot = opts->boot;
    size_t nres = mul_or0(boot, 2 * k);
    if (boot > 0 && (nres == 0 || nres > SIZE_MAX / sizeof(double)))
        return fsn_error_set(err, FSN_ERANGE, "sobol indices: %zu resamples is too many", boot);

    size_t *rows = malloc(2 * n_base * sizeof *rows);
    double *res = boot ? malloc(nres * sizeof *res) : NULL;
    double *pt = malloc(2 * k * sizeof *pt);
    if (!rows || (boot && !res) || !pt) {
        free(rows), free(res), free(pt);
        return fsn_error_set(err, FSN_ENOMEM, "sobol indices: out of memory");
    }
    size_t *draw = rows + n_base;

    /* Keep base rows whose k + 2 outputs are all finite. */
    size_t N = 0, first_bad = SIZE_MAX, first_bad_pt = 0;
    for (size_t j = 0; j < n_base; j++) {
        size_t bad = SIZE_MAX;
        for (size_t blk = 0; blk < k + 2 && bad == SIZE_MAX; blk++)
            if (!isfinite(y[blk * n_base + j])) bad = blk * n_base + j;
        if (bad == SIZE_MAX)
            rows[N++] = j;
        else if (first_bad == SIZE_MAX)
            first_bad = j, first_bad_pt = bad;
    }
    if (n_used) *n_used = N;
    if (N < 2) {
        free(rows), free(res), free(pt);
        return fsn_error_set(err, FSN_EINVAL,
                             "sobol indices: only %zu of %zu base rows have finite outputs at all "
                             "k + 2 of their points (at least 2 are needed; the first dropped is base "
                             "row %zu, point %zu)",
                             N, n_base, first_bad, first_bad_pt);
    }

    double *S1 = pt, *ST = pt + k;
    sobol_estimate(n_base, k, y, rows, N, S1, ST);
    for (size_t i = 0; i < k; i++) {
        out[i].S1 = S1[i];
        out[i].ST = ST[i];
        out[i].S1_lo = out[i].S1_hi = out[i].S1_se = NAN;
        out[i].ST_lo = out[i].ST_hi = out[i].ST_se = NAN;
    }
    if (boot > 0) {
        fsn_rng_t g;
        stream(&g, opts->seed, TAG_SOBOL_BOOT);
        for (size_t b = 0; b < boot; b++) {
            for (size_t q = 0; q < N; q++) draw[q] = rows[fsn_rng_below(&g, N)];
            sobol_estimate(n_base, k, y, draw, N, S1, ST);
            for (size_t i = 0; i < k; i++) {
                res[i * boot + b] = S1[i];
                res[(k + i) * boot + b] = ST[i];
            }
        }
        for (size_t i = 0; i < k; i++) {
            boot_interval(res + i * boot, boot, opts->level, &out[i].S1_lo, &out[i].S1_hi,
                          &out[i].S1_se);
            boot_interval(res + (k + i) * boot, boot, opts->level, &out[i].ST_lo, &out[i].ST_hi,
                          &out[i].ST_se);
        }
    }
    free(rows), free(res), free(pt);
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Morris measures                                                    */
/* ------------------------------------------------------------------ */

/* mu, mu*, sigma of each factor over trajectories tr[0 .. nt-1] of the
 * effects ee[t * k + i]. */
static void morris_estimate(size_t k, const double *ee, const size_t *tr, size_t nt, double *mu,
                            double *mus, double *sd) {
    for (size_t i = 0; i < k; i++) {
        double s = 0, sa = 0;
        for (size_t q = 0; q < nt; q++) {
            double v = ee[tr[q] * k + i];
            s += v;
            sa += fabs(v);
        }
        double m = s / (double)nt;
        double ss = 0;
        for (size_t q = 0; q < nt; q++) {
            double d = ee[tr[q] * k + i] - m;
            ss += d * d;
        }
        mu[i] = m;
        mus[i] = sa / (double)nt;
        sd[i] = nt >= 2 ? sqrt(ss / (double)(nt - 1)) : NAN;
    }
}

fsn_err_t fsn_morris_indices(size_t r, size_t k, unsigned levels, const double *u,
                             const double *y, const double *scale, const fsn_boot_opts_t *opts,
                             fsn_morris_index_t *out, size_t *r_used, fsn_error_t *err) {
    if (r == 0 || k == 0)
        return fsn_error_set(err, FSN_EINVAL, "morris indices: empty design (%zu trajectories, %zu factors)",
                             r, k);
    fsn_err_t e = check_levels(levels, "morris indices", err);
    if (e) return e;
    e = check_opts(opts, "morris indices", err);
    if (e) return e;
    if (fsn_morris_points(r, k) == 0 || mul_or0(r, k) == 0)
        return fsn_error_set(err, FSN_ERANGE, "morris indices: design too large");
    FSN_REQUIRE(u && y && out);
    if (scale)
        for (size_t i = 0; i < k; i++)
            if (!(isfinite(scale[i]) && scale[i] > 0))
                return fsn_error_set(err, FSN_EINVAL,
                                     "morris indices: the range of factor %zu must be finite and > 0 "
                                     "(got %g)",
                                     i, scale[i]);
    const size_t boot = opts->boot;
    size_t nres = mul_or0(boot, 3 * k);
    if (boot > 0 && (nres == 0 || nres > SIZE_MAX / sizeof(double)))
        return fsn_error_set(err, FSN_ERANGE, "morris indices: %zu resamples is too many", boot);

    double *ee = malloc(r * k * sizeof *ee);
    size_t *tr = malloc(2 * r * sizeof *tr);
    unsigned char *seen = malloc(k);
    double *res = boot ? malloc(nres * sizeof *res) : NULL;
    double *pt = malloc(3 * k * sizeof *pt);
    if (!ee || !tr || !seen || (boot && !res) || !pt) {
        free(ee), free(tr), free(seen), free(res), free(pt);
        return fsn_error_set(err, FSN_ENOMEM, "morris indices: out of memory");
    }
    size_t *draw = tr + r;
    const double delta = fsn_morris_delta(levels);

    /* Check the design and compute the effects of the kept trajectories. */
    size_t R = 0;
    for (size_t t = 0; t < r && !e; t++) {
        const double *ut = u + t * (k + 1) * k;
        const double *yt = y + t * (k + 1);
        int finite = 1;
        for (size_t m = 0; m <= k; m++) finite &= isfinite(yt[m]) != 0;
        memset(seen, 0, k);
        for (size_t m = 0; m < k && !e; m++) {
            const double *a = ut + m * k, *b = a + k;
            size_t which = SIZE_MAX, nchanged = 0;
            for (size_t i = 0; i < k; i++)
                if (a[i] != b[i]) nchanged++, which = i;
            size_t row = t * (k + 1) + m + 1;
            if (nchanged != 1)
                e = fsn_error_set(err, FSN_EINVAL,
                                  "morris indices: design row %zu differs from row %zu in %zu "
                                  "coordinates (a Morris trajectory changes exactly one)",
                                  row, row - 1, nchanged);
            else if (fabs(fabs(b[which] - a[which]) - delta) > 1e-9)
                e = fsn_error_set(err, FSN_EINVAL,
                                  "morris indices: design row %zu moves factor %zu by %g, not by "
                                  "delta = %g (%u levels)",
                                  row, which, b[which] - a[which], delta, levels);
            else if (seen[which])
                e = fsn_error_set(err, FSN_EINVAL,
                                  "morris indices: design row %zu moves factor %zu a second time in "
                                  "its trajectory",
                                  row, which);
            else {
                seen[which] = 1;
                if (finite) {
                    double d = b[which] - a[which];
                    if (scale) d *= scale[which];
                    ee[R * k + which] = (yt[m + 1] - yt[m]) / d;
                }
            }
        }
        if (finite && !e) tr[R] = R, R++;
    }
    if (!e && R == 0)
        e = fsn_error_set(err, FSN_EINVAL,
                          "morris indices: every one of the %zu trajectories holds a non-finite output", r);
    if (r_used) *r_used = R;
    if (e) {
        free(ee), free(tr), free(seen), free(res), free(pt);
        return e;
    }

    double *mu = pt, *mus = pt + k, *sd = pt + 2 * k;
    morris_estimate(k, ee, tr, R, mu, mus, sd);
    for (size_t i = 0; i < k; i++) {
        out[i].mu = mu[i];
        out[i].mu_star = mus[i];
        out[i].sigma = sd[i];
        out[i].mu_lo = out[i].mu_hi = NAN;
        out[i].mu_star_lo = out[i].mu_star_hi = NAN;
        out[i].sigma_lo = out[i].sigma_hi = NAN;
    }
    if (boot > 0) {
        fsn_rng_t g;
        stream(&g, opts->seed, TAG_MORRIS_BOOT);
        for (size_t b = 0; b < boot; b++) {
            for (size_t q = 0; q < R; q++) draw[q] = fsn_rng_below(&g, R);
            morris_estimate(k, ee, draw, R, mu, mus, sd);
            for (size_t i = 0; i < k; i++) {
                res[i * boot + b] = mu[i];
                res[(k + i) * boot + b] = mus[i];
                res[(2 * k + i) * boot + b] = sd[i];
            }
        }
        for (size_t i = 0; i < k; i++) {
            boot_interval(res + i * boot, boot, opts->level, &out[i].mu_lo, &out[i].mu_hi, NULL);
            boot_interval(res + (k + i) * boot, boot, opts->level, &out[i].mu_star_lo,
                          &out[i].mu_star_hi, NULL);
            boot_interval(res + (2 * k + i) * boot, boot, opts->level, &out[i].sigma_lo,
                          &out[i].sigma_hi, NULL);
        }
    }
    free(ee), free(tr), free(seen), free(res), free(pt);
    return FSN_OK;
}
