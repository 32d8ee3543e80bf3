/*
 * sensitivity.h: global sensitivity analysis, the whole API.
 *
 * Which of a scenario's parameters drive a metric, and how much? Two
 * classical answers, each a design (where to run the model) and an
 * estimator (what to compute from the outputs):
 *
 *   Sobol indices (variance-based). A Saltelli design of N(k+2) points;
 *   S1_i is the share of the output's variance due to factor i alone,
 *   ST_i the share in which factor i plays any part (alone or through
 *   interactions). Estimators: Saltelli et al. (2010) for S1, Jansen
 *   (1999) for ST.
 *
 *   Morris elementary effects (screening). r trajectories of k+1 points
 *   on a p-level grid (Morris 1991); per factor, mu (mean effect), mu*
 *   (mean absolute effect, Campolongo et al. 2007) and sigma (spread of
 *   the effects: non-linearity or interactions). Cheap: r(k+1) runs.
 *
 * Designs are in the unit cube: coordinate j of a point is a fraction of
 * factor j's range, and the caller maps it to lo + u (hi - lo). The
 * estimators take the model's outputs in the design's row order. Every
 * bootstrap resample and every random choice comes from fission's rng
 * (rng.h), keyed by the seed passed in, so results are deterministic.
 *
 * Failed points. An output that is NaN (a point whose runs failed) does
 * not stop the analysis: the Sobol estimators drop every base row j for
 * which any of f(A_j), f(B_j), f(AB_1,j) .. f(AB_k,j) is NaN, and the
 * Morris estimators drop every trajectory that holds a NaN; the count
 * kept is returned. Infinite outputs are treated like NaN.
 *
 * The library never prints; no function keeps state between calls; each
 * allocates what it needs once, up front, and frees it before returning.
 * docs/SENSITIVITY.md explains the indices, the formulas and the costs.
 */
#ifndef FISSION_SENSITIVITY_H
#define FISSION_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "fission/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest number of factors of a Saltelli design: A and B come from
 * one Sobol sequence of dimension 2k, and GSL's Sobol generator has at
 * most 40 dimensions. */
#define FSN_SALTELLI_MAX_FACTORS 20

/* ------------------------------------------------------------------ */
/* Designs                                                            */
/* ------------------------------------------------------------------ */

/*
 * Number of points of a Saltelli design: n_base * (k + 2). Returns 0 if
 * the product (or the number of doubles, times k) overflows size_t.
 * Cost: O(1).
 */
size_t fsn_saltelli_points(size_t n_base, size_t k);

/*
 * Fill u[row * k + j], row < n_base (k + 2), j < k, with the Saltelli
 * (2010) design, in blocks of n_base rows, in this order:
 *   rows [0, n)               A
 *   rows [n, 2n)              B
 *   rows [(2+i) n, (3+i) n)   AB_i (i = 0 .. k-1): A with column i from B
 * (n = n_base). Row r of A and row r of B are the first and last k
 * coordinates of point r + 1 of the Sobol sequence of dimension 2k
 * (gsl_qrng_sobol): point 0, all zeros, is not used (GSL's generator
 * never emits it; its first point is (1/2, ..., 1/2)).
 * Every value is in [0, 1). The design is a pure function of (n_base, k):
 * no seed. Powers of two for n_base keep the Sobol balance properties.
 * Errors: FSN_EINVAL if n_base == 0, k == 0 or k > FSN_SALTELLI_MAX_FACTORS;
 * FSN_ERANGE if fsn_saltelli_points overflows; FSN_ENOMEM if GSL cannot
 * allocate its generator (with GSL's error handler off, fsn_rng_gsl_quiet;
 * otherwise GSL aborts). u is unspecified on error.
 * Cost: O(n_base k^2) time, O(k) extra memory. u must hold
 * fsn_saltelli_points(n_base, k) * k doubles.
 */
fsn_err_t fsn_saltelli_design(size_t n_base, size_t k, double *u, fsn_error_t *err);

/*
 * Number of points of a Morris design: r * (k + 1); 0 on overflow (as
 * fsn_saltelli_points). Cost: O(1).
 */
size_t fsn_morris_points(size_t r, size_t k);

/* Morris's step for p levels: p / (2 (p - 1)). levels >= 2. O(1). */
double fsn_morris_delta(unsigned levels);

/*
 * Fill u[row * k + j] with r Morris (1991) trajectories of k + 1
 * consecutive rows each (trajectory t is rows t(k+1) .. t(k+1)+k).
 * Values lie on the p-level grid {0, 1/(p-1), ..., 1} (p = levels; note
 * that 1 is a grid value). In each trajectory, factor j takes two grid
 * values lo_j and lo_j + delta, delta = p / (2(p-1)), with lo_j drawn
 * uniformly from the p/2 levels that leave room for the step; it starts
 * at one of them (chosen at random: the step is +delta or -delta) and
 * moves to the other once, at a step whose position is given by a random
 * permutation of the factors. So consecutive rows differ in exactly one
 * coordinate, by exactly +-delta (up to rounding of j/(p-1)), and each
 * coordinate changes once per trajectory.
 * Randomness: a stream of rng.h keyed by seed; the same (r, k, levels,
 * seed) give the same design, bit for bit.
 * Errors: FSN_EINVAL if r == 0, k == 0, or levels is odd or < 2;
 * FSN_ERANGE if fsn_morris_points overflows. u is unspecified on error.
 * Cost: O(r k^2) time (the rows are written out), no allocation.
 * u must hold fsn_morris_points(r, k) * k doubles.
 */
fsn_err_t fsn_morris_design(size_t r, size_t k, unsigned levels, uint64_t seed, double *u,
                            fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Estimators                                                         */
/* ------------------------------------------------------------------ */

/*
 * Bootstrap settings shared by the estimators: boot resamples (0: no
 * intervals, which are then NaN), a two-sided percentile interval at
 * level (in (0, 1), e.g. 0.95), the resamples drawn from the rng stream
 * keyed by seed.
 */
typedef struct fsn_boot_opts {
    size_t boot;
    double level;
    uint64_t seed;
} fsn_boot_opts_t;

/* Sobol indices of one factor. *_lo, *_hi: bootstrap percentile interval;
 * *_se: the bootstrap standard deviation of the estimate (NaN without
 * bootstrap). All NaN when the output does not vary (V = 0, or its
 * standard deviation is below 1e-12 of its mean's magnitude: rounding). */
typedef struct fsn_sobol_index {
    double S1, S1_lo, S1_hi, S1_se;
    double ST, ST_lo, ST_hi, ST_se;
} fsn_sobol_index_t;

/*
 * Sobol indices from the outputs y[0 .. n_base (k+2) - 1] of a Saltelli
 * design (fsn_saltelli_design's row order). With f the output centred by
 * the pooled mean of f(A), f(B) (which leaves the estimators' expectations
 * unchanged and makes them insensitive to the output's offset), over the
 * N kept base rows:
 *   V     = variance of the 2N pooled values f(A), f(B) (divisor 2N)
 *   S1_i  = mean_j f(B_j) (f(AB_i,j) - f(A_j)) / V        (Saltelli 2010)
 *   ST_i  = mean_j (f(A_j) - f(AB_i,j))^2 / (2 V)         (Jansen 1999)
 * The bootstrap resamples the N kept base rows with replacement (each row
 * carries its k + 2 outputs) and recomputes all indices. Estimates are
 * not clipped to [0, 1]: small negative S1 means "zero within noise".
 * Rows with a non-finite output are dropped (see the file comment);
 * *n_used (may be NULL) receives N.
 * Errors: FSN_EINVAL if n_base or k is 0, opts->level is not in (0, 1),
 * or fewer than 2 base rows remain (the message names the first dropped
 * base row); FSN_ERANGE on size overflow; FSN_ENOMEM.
 * Cost: O(n_base k (1 + boot)) time; O(n_base + boot k) memory,
 * allocated once.
 */
fsn_err_t fsn_sobol_indices(size_t n_base, size_t k, const double *y, const fsn_boot_opts_t *opts,
                            fsn_sobol_index_t *out /* k */, size_t *n_used, fsn_error_t *err);

/* Morris measures of one factor, with bootstrap percentile intervals
 * (NaN without bootstrap). sigma is NaN with fewer than 2 trajectories. */
typedef struct fsn_morris_index {
    double mu, mu_lo, mu_hi;
    double mu_star, mu_star_lo, mu_star_hi;
    double sigma, sigma_lo, sigma_hi;
} fsn_morris_index_t;

/*
 * Morris measures from a design u (r trajectories, fsn_morris_design's
 * layout, levels as generated) and its outputs y[0 .. r(k+1) - 1].
 * In each trajectory, the step from row m to row m+1 changes one factor
 * i by d = u[m+1][i] - u[m][i] = +-delta; its elementary effect is
 *   EE_i = (y[m+1] - y[m]) / d                 (scale == NULL)
 * i.e. the change of the output per unit-cube step (an effect over the
 * factor's whole range), comparable across factors of different units;
 * with scale (k ranges hi - lo, each > 0), EE_i = (y[m+1] - y[m]) /
 * (d scale[i]), the change per natural unit of the factor. Then, over
 * the R kept trajectories, mu_i = mean EE_i, mu*_i = mean |EE_i|,
 * sigma_i = sample standard deviation of EE_i (divisor R - 1). The
 * bootstrap resamples whole trajectories.
 * Trajectories holding a non-finite output are dropped; *r_used (may be
 * NULL) receives R.
 * Errors: FSN_EINVAL if r or k is 0, levels is odd or < 2, opts->level
 * is not in (0, 1), a scale is not finite and > 0, u is not a Morris
 * design (consecutive rows in a trajectory must differ in exactly one
 * coordinate, by delta up to 1e-9, each coordinate once: the message
 * names the row), or no trajectory remains; FSN_ERANGE; FSN_ENOMEM.
 * Cost: O(r k^2 + r k boot) time; O(r k + boot k) memory, allocated once.
 */
fsn_err_t fsn_morris_indices(size_t r, size_t k, unsigned levels, const double *u,
                             const double *y, const double *scale, const fsn_boot_opts_t *opts,
                             fsn_morris_index_t *out /* k */, size_t *r_used, fsn_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_SENSITIVITY_H */
