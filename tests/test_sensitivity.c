/*
 * test_sensitivity.c: the Saltelli and Morris designs (exact layout
 * checks) and the Sobol and Morris estimators (exact answers on linear
 * functions, standard-error-derived tolerances on the Ishigami function).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fission/rng.h"
#include "fission/sensitivity.h"

/* ------------------------------------------------------------------ */
/* Saltelli design                                                    */
/* ------------------------------------------------------------------ */

Test(saltelli, point_count_is_n_times_k_plus_two) {
    cr_assert_eq(fsn_saltelli_points(16, 3), 80);
    cr_assert_eq(fsn_saltelli_points(1, 1), 3);
    cr_assert_eq(fsn_saltelli_points(SIZE_MAX / 2, 3), 0, "overflow gives 0");
}

Test(saltelli, blocks_are_a_b_then_a_with_one_column_from_b) {
    const size_t n = 64, k = 4, np = fsn_saltelli_points(n, k);
    double *u = malloc(np * k * sizeof *u);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_saltelli_design(n, k, u, &err), FSN_OK, "%s", err.msg);
    const double *A = u, *B = u + n * k;
    for (size_t i = 0; i < np * k; i++) cr_assert(u[i] >= 0.0 && u[i] < 1.0, "value %zu = %g", i, u[i]);
    /* First row of A/B is Sobol point 1, (1/2, ..., 1/2): point 0 (zeros) unused. */
    for (size_t j = 0; j < k; j++) {
        cr_assert_eq(A[j], 0.5);
        cr_assert_eq(B[j], 0.5);
    }
    for (size_t i = 0; i < k; i++) {
        const double *AB = u + (2 + i) * n * k;
        for (size_t r = 0; r < n; r++)
            for (size_t j = 0; j < k; j++) {
                double want = j == i ? B[r * k + j] : A[r * k + j];
                cr_assert_eq(AB[r * k + j], want, "AB_%zu row %zu col %zu", i, r, j);
            }
    }
    /* A and B are different halves of the sequence: apart from the
     * first three points where the Sobol directions of dimensions j and k + j
     * coincide, their rows differ. */
    for (size_t r = 3; r < n; r++) cr_assert(memcmp(A + r * k, B + r * k, k * sizeof *A) != 0, "row %zu", r);
    /* The 2k-dimensional points are a Sobol sequence: points 0 .. 63 put
     * exactly 32 in [0, 1/2) in every coordinate, so points 1 .. 63 (the
     * first 63 rows, point 0 being zeros) put exactly 31 there. */
    for (size_t j = 0; j < k; j++) {
        size_t lowA = 0, lowB = 0;
        for (size_t r = 0; r < 63; r++) lowA += A[r * k + j] < 0.5, lowB += B[r * k + j] < 0.5;
        cr_assert_eq(lowA, 31, "A col %zu", j);
        cr_assert_eq(lowB, 31, "B col %zu", j);
    }
    free(u);
}

Test(saltelli, bad_sizes_are_rejected_with_a_message) {
    double u[64];
    fsn_error_t err = {0};
    cr_assert_eq(fsn_saltelli_design(0, 2, u, &err), FSN_EINVAL);
    cr_assert_eq(fsn_saltelli_design(4, 0, u, &err), FSN_EINVAL);
    cr_assert_eq(fsn_saltelli_design(4, FSN_SALTELLI_MAX_FACTORS + 1, u, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "at most 20"), "%s", err.msg);
}

/* ------------------------------------------------------------------ */
/* Morris design                                                      */
/* ------------------------------------------------------------------ */

static void check_morris_design(size_t r, size_t k, unsigned p, const double *u) {
    const double delta = fsn_morris_delta(p);
    for (size_t i = 0; i < fsn_morris_points(r, k) * k; i++) {
        double g = u[i] * (p - 1);
        cr_assert(fabs(g - round(g)) < 1e-9 && u[i] >= 0.0 && u[i] <= 1.0, "value %zu = %g off the grid", i, u[i]);
    }
    for (size_t t = 0; t < r; t++) {
        int moved[32] = {0};
        for (size_t m = 0; m < k; m++) {
            const double *a = u + (t * (k + 1) + m) * k, *b = a + k;
            size_t nch = 0, which = 0;
            for (size_t j = 0; j < k; j++)
                if (a[j] != b[j]) nch++, which = j;
            cr_assert_eq(nch, 1, "trajectory %zu step %zu changes %zu coordinates", t, m, nch);
            cr_assert_float_eq(fabs(b[which] - a[which]), delta, 1e-12);
            cr_assert(!moved[which], "factor %zu moved twice in trajectory %zu", which, t);
            moved[which] = 1;
        }
    }
}

Test(morris_design, each_trajectory_moves_each_factor_once_by_delta_on_the_grid) {
    const unsigned levels[] = {2, 4, 6, 10};
    for (size_t l = 0; l < 4; l++) {
        const size_t r = 50, k = 5;
        double *u = malloc(fsn_morris_points(r, k) * k * sizeof *u);
        fsn_error_t err = {0};
        cr_assert_eq(fsn_morris_design(r, k, levels[l], 7, u, &err), FSN_OK, "%s", err.msg);
        check_morris_design(r, k, levels[l], u);
        free(u);
    }
    cr_assert_float_eq(fsn_morris_delta(4), 2.0 / 3.0, 1e-15);
    cr_assert_eq(fsn_morris_points(10, 4), 50);
}

Test(morris_design, same_seed_gives_the_same_design_and_another_seed_another) {
    const size_t r = 20, k = 6, n = fsn_morris_points(r, k) * k;
    double *u1 = malloc(n * sizeof *u1), *u2 = malloc(n * sizeof *u2), *u3 = malloc(n * sizeof *u3);
    cr_assert_eq(fsn_morris_design(r, k, 4, 11, u1, NULL), FSN_OK);
    cr_assert_eq(fsn_morris_design(r, k, 4, 11, u2, NULL), FSN_OK);
    cr_assert_eq(fsn_morris_design(r, k, 4, 12, u3, NULL), FSN_OK);
    cr_assert_eq(memcmp(u1, u2, n * sizeof *u1), 0);
    cr_assert_neq(memcmp(u1, u3, n * sizeof *u1), 0);
    free(u1), free(u2), free(u3);
}

Test(morris_design, start_levels_and_orders_are_spread_over_their_range) {
    /* 4 levels, 2000 trajectories, 3 factors: each start level of a factor
     * has probability 1/4 (count sd sqrt(2000 * 3/16) = 19.4, tolerance
     * 5 sd = 97 around 500), and each factor is moved first with
     * probability 1/3 (sd sqrt(2000 * 2/9) = 21.1, tolerance 106 around 667). */
    const size_t r = 2000, k = 3;
    double *u = malloc(fsn_morris_points(r, k) * k * sizeof *u);
    cr_assert_eq(fsn_morris_design(r, k, 4, 5, u, NULL), FSN_OK);
    size_t lev[3][4] = {{0}}, first[3] = {0};
    for (size_t t = 0; t < r; t++) {
        const double *a = u + t * (k + 1) * k;
        for (size_t j = 0; j < k; j++) lev[j][(size_t)lround(a[j] * 3)]++;
        for (size_t j = 0; j < k; j++)
            if (a[j] != a[k + j]) first[j]++;
    }
    for (size_t j = 0; j < k; j++) {
        for (size_t v = 0; v < 4; v++) cr_assert(labs((long)lev[j][v] - 500) <= 97, "factor %zu level %zu: %zu", j, v, lev[j][v]);
        cr_assert(labs((long)first[j] - 667) <= 106, "factor %zu first %zu times", j, first[j]);
    }
    free(u);
}

Test(morris_design, odd_or_too_few_levels_are_rejected) {
    double u[64];
    fsn_error_t err = {0};
    cr_assert_eq(fsn_morris_design(2, 2, 3, 1, u, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "even"), "%s", err.msg);
    cr_assert_eq(fsn_morris_design(2, 2, 0, 1, u, &err), FSN_EINVAL);
    cr_assert_eq(fsn_morris_design(0, 2, 4, 1, u, &err), FSN_EINVAL);
    cr_assert_eq(fsn_morris_design(2, 0, 4, 1, u, &err), FSN_EINVAL);
}

/* ------------------------------------------------------------------ */
/* Sobol indices on the Ishigami function                             */
/* ------------------------------------------------------------------ */

/* Ishigami (1990): f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i uniform on
 * [-pi, pi], a = 7, b = 0.1. Its variance decomposition is known:
 *   V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = 8 b^2 pi^8 / 225,
 *   V = V1 + V2 + V13, S1 = V1/V, S2 = V2/V, S3 = 0,
 *   ST1 = (V1 + V13)/V, ST2 = V2/V, ST3 = V13/V,
 * i.e. S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437. */
static const double ish_a = 7.0, ish_b = 0.1;
static const double PI = 3.14159265358979323846;

static double ishigami(const double *u) {
    double x1 = -PI + 2 * PI * u[0], x2 = -PI + 2 * PI * u[1], x3 = -PI + 2 * PI * u[2];
    double s2 = sin(x2);
    return sin(x1) + ish_a * s2 * s2 + ish_b * pow(x3, 4) * sin(x1);
}

static void ishigami_truth(double S1[3], double ST[3]) {
    double pi4 = pow(PI, 4), pi8 = pow(PI, 8);
    double V1 = 0.5 * pow(1 + ish_b * pi4 / 5, 2), V2 = ish_a * ish_a / 8, V13 = 8 * ish_b * ish_b * pi8 / 225;
    double V = V1 + V2 + V13;
    S1[0] = V1 / V, S1[1] = V2 / V, S1[2] = 0;
    ST[0] = (V1 + V13) / V, ST[1] = V2 / V, ST[2] = V13 / V;
}

/* Outputs of the Ishigami function over a Saltelli design of base size n. */
static double *ishigami_outputs(size_t n) {
    const size_t k = 3, np = fsn_saltelli_points(n, k);
    double *u = malloc(np * k * sizeof *u), *y = malloc(np * sizeof *y);
    cr_assert(u && y);
    cr_assert_eq(fsn_saltelli_design(n, k, u, NULL), FSN_OK);
    for (size_t r = 0; r < np; r++) y[r] = ishigami(u + r * k);
    free(u);
    return y;
}

Test(sobol, analytic_values_of_ishigami_are_the_published_ones) {
    double S1[3], ST[3];
    ishigami_truth(S1, ST);
    const double pS1[3] = {0.3139, 0.4424, 0}, pST[3] = {0.5576, 0.4424, 0.2437};
    for (int i = 0; i < 3; i++) {
        cr_assert_float_eq(S1[i], pS1[i], 1e-4, "S1_%d = %.5f", i + 1, S1[i]);
        cr_assert_float_eq(ST[i], pST[i], 1e-4, "ST_%d = %.5f", i + 1, ST[i]);
    }
}

/*
 * Tolerance. The estimators' standard error is estimated by the bootstrap
 * (fsn_sobol_index_t.S1_se, ST_se: the sd of 400 resampled estimates).
 * The bootstrap treats the base rows as independent draws, so for a Sobol
 * (quasi-random) design it overstates the error: a 5-SE tolerance is then
 * at least 5 sigma. So that a broken bootstrap cannot widen the tolerance
 * into a pass, the SE itself is bounded: at N = 2^13 the Monte Carlo SE of
 * these estimators on Ishigami is about 0.01 (their per-row variance is
 * O(1) in units of V^2), so every SE must be in (0, 0.03).
 */
Test(sobol, ishigami_indices_match_the_analytic_values_within_five_standard_errors) {
    const size_t n = 8192, k = 3;
    double *y = ishigami_outputs(n);
    fsn_boot_opts_t bo = {.boot = 400, .level = 0.95, .seed = 1};
    fsn_sobol_index_t ix[3];
    size_t used = 0;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, &used, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(used, n);
    double S1[3], ST[3];
    ishigami_truth(S1, ST);
    for (size_t i = 0; i < k; i++) {
        cr_log_info("x%zu: S1 %.4f [%.4f, %.4f] se %.4f (true %.4f); ST %.4f [%.4f, %.4f] se %.4f (true %.4f)",
                    i + 1, ix[i].S1, ix[i].S1_lo, ix[i].S1_hi, ix[i].S1_se, S1[i], ix[i].ST, ix[i].ST_lo,
                    ix[i].ST_hi, ix[i].ST_se, ST[i]);
        cr_assert(ix[i].S1_se > 0 && ix[i].S1_se < 0.03, "S1_%zu se %g", i + 1, ix[i].S1_se);
        cr_assert(ix[i].ST_se > 0 && ix[i].ST_se < 0.03, "ST_%zu se %g", i + 1, ix[i].ST_se);
        cr_assert(fabs(ix[i].S1 - S1[i]) <= 5 * ix[i].S1_se, "S1_%zu = %g, true %g", i + 1, ix[i].S1, S1[i]);
        cr_assert(fabs(ix[i].ST - ST[i]) <= 5 * ix[i].ST_se, "ST_%zu = %g, true %g", i + 1, ix[i].ST, ST[i]);
        /* The 95% intervals hold the truth (and the estimate). */
        cr_assert(ix[i].S1_lo <= S1[i] && S1[i] <= ix[i].S1_hi, "S1_%zu interval", i + 1);
        cr_assert(ix[i].ST_lo <= ST[i] && ST[i] <= ix[i].ST_hi, "ST_%zu interval", i + 1);
        cr_assert(ix[i].S1_lo <= ix[i].S1 && ix[i].S1 <= ix[i].S1_hi);
    }
    free(y);
}

/* Evaluating a design in the wrong order must break the estimates: the
 * same 5-SE check fails when the AB_1 and AB_2 outputs are swapped (S1_1
 * then estimates S1_2 = 0.44 instead of 0.31), and when A and B are
 * swapped (S1_i then estimates 1 - ST_i: 0.44 for x1). */
Test(sobol, outputs_in_the_wrong_block_order_fail_the_check) {
    const size_t n = 8192, k = 3;
    double *y = ishigami_outputs(n);
    double *tmp = malloc(n * sizeof *tmp);
    double S1[3], ST[3];
    ishigami_truth(S1, ST);
    fsn_boot_opts_t bo = {.boot = 200, .level = 0.95, .seed = 2};
    fsn_sobol_index_t ix[3];

    memcpy(tmp, y + 2 * n, n * sizeof *tmp); /* swap AB_1 and AB_2 */
    memcpy(y + 2 * n, y + 3 * n, n * sizeof *tmp);
    memcpy(y + 3 * n, tmp, n * sizeof *tmp);
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, NULL, NULL), FSN_OK);
    cr_assert(fabs(ix[0].S1 - S1[0]) > 5 * ix[0].S1_se, "S1_1 = %g", ix[0].S1);
    memcpy(y + 3 * n, y + 2 * n, n * sizeof *tmp); /* swap back */
    memcpy(y + 2 * n, tmp, n * sizeof *tmp);

    memcpy(tmp, y, n * sizeof *tmp); /* swap A and B */
    memcpy(y, y + n, n * sizeof *tmp);
    memcpy(y + n, tmp, n * sizeof *tmp);
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, NULL, NULL), FSN_OK);
    cr_assert(fabs(ix[0].S1 - S1[0]) > 5 * ix[0].S1_se, "S1_1 = %g", ix[0].S1);
    cr_assert_float_eq(ix[0].S1, 1 - ST[0], 5 * ix[0].S1_se, "S1_1 = %g", ix[0].S1);
    free(tmp), free(y);
}

/*
 * The bootstrap SE is an SE: on independent Monte Carlo designs (A and B
 * uniform from rng.h, laid out as Saltelli's blocks) the spread of the
 * estimates over M = 40 designs must match the mean bootstrap SE. The
 * sample sd of 40 values has a relative standard error of about
 * 1/sqrt(2 x 39) = 0.11, so at 5 sigma the ratio sd/SE must lie in
 * [0.45, 1.55] (the bootstrap's own noise, 200 resamples, adds 5%).
 */
Test(sobol, bootstrap_standard_errors_match_the_spread_over_independent_designs) {
    const size_t n = 1024, k = 3, M = 40, np = fsn_saltelli_points(n, k);
    double *u = malloc(np * k * sizeof *u), *y = malloc(np * sizeof *y);
    double est[40][6], se[6] = {0};
    fsn_rng_t g;
    fsn_rng_seed(&g, 77);
    for (size_t m = 0; m < M; m++) {
        for (size_t q = 0; q < 2 * n * k; q++) u[q] = fsn_rng_uniform(&g);
        for (size_t i = 0; i < k; i++)
            for (size_t r = 0; r < n; r++) {
                memcpy(u + ((2 + i) * n + r) * k, u + r * k, k * sizeof *u);
                u[((2 + i) * n + r) * k + i] = u[(n + r) * k + i];
            }
        for (size_t r = 0; r < np; r++) y[r] = ishigami(u + r * k);
        fsn_boot_opts_t bo = {.boot = 200, .level = 0.95, .seed = m};
        fsn_sobol_index_t ix[3];
        cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, NULL, NULL), FSN_OK);
        for (size_t i = 0; i < k; i++) {
            est[m][i] = ix[i].S1, est[m][3 + i] = ix[i].ST;
            se[i] += ix[i].S1_se / M, se[3 + i] += ix[i].ST_se / M;
        }
    }
    for (size_t c = 0; c < 6; c++) {
        double mean = 0, ss = 0;
        for (size_t m = 0; m < M; m++) mean += est[m][c] / M;
        for (size_t m = 0; m < M; m++) ss += (est[m][c] - mean) * (est[m][c] - mean);
        double sd = sqrt(ss / (M - 1));
        cr_log_info("%s_%zu: sd over designs %.4f, mean bootstrap SE %.4f", c < 3 ? "S1" : "ST", c % 3 + 1, sd, se[c]);
        cr_assert(sd / se[c] > 0.45 && sd / se[c] < 1.55, "%s_%zu: sd %g, SE %g", c < 3 ? "S1" : "ST", c % 3 + 1, sd,
                  se[c]);
    }
    free(u), free(y);
}

/* A quarter of the rows should give intervals about twice as wide
 * (width ~ 1 / sqrt(N)); we ask only that every one is wider. */
Test(sobol, intervals_narrow_as_the_base_size_grows) {
    const size_t k = 3;
    double *ys = ishigami_outputs(2048), *yl = ishigami_outputs(8192);
    fsn_boot_opts_t bo = {.boot = 400, .level = 0.95, .seed = 3};
    fsn_sobol_index_t s[3], l[3];
    cr_assert_eq(fsn_sobol_indices(2048, k, ys, &bo, s, NULL, NULL), FSN_OK);
    cr_assert_eq(fsn_sobol_indices(8192, k, yl, &bo, l, NULL, NULL), FSN_OK);
    for (size_t i = 0; i < k; i++) {
        cr_assert_lt(l[i].S1_hi - l[i].S1_lo, s[i].S1_hi - s[i].S1_lo, "S1_%zu", i + 1);
        cr_assert_lt(l[i].ST_hi - l[i].ST_lo, s[i].ST_hi - s[i].ST_lo, "ST_%zu", i + 1);
    }
    free(ys), free(yl);
}

Test(sobol, the_same_seed_gives_the_same_intervals) {
    double *y = ishigami_outputs(512);
    fsn_boot_opts_t bo = {.boot = 100, .level = 0.9, .seed = 9};
    fsn_sobol_index_t a[3], b[3], c[3];
    cr_assert_eq(fsn_sobol_indices(512, 3, y, &bo, a, NULL, NULL), FSN_OK);
    cr_assert_eq(fsn_sobol_indices(512, 3, y, &bo, b, NULL, NULL), FSN_OK);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    bo.seed = 10;
    cr_assert_eq(fsn_sobol_indices(512, 3, y, &bo, c, NULL, NULL), FSN_OK);
    cr_assert_eq(a[0].S1, c[0].S1, "the estimate does not depend on the seed");
    cr_assert_neq(a[0].S1_lo, c[0].S1_lo, "the interval does");
    free(y);
}

Test(sobol, an_additive_function_has_first_order_equal_to_total) {
    /* f = 2 u1 + u2 (no u3): V1 = 4/12, V2 = 1/12, so S1 = ST = (0.8, 0.2, 0);
     * the estimators are exact for ST3 and S1_3 (f(AB_3) = f(A)), and the
     * others carry only quadrature error (SE below 0.01 at N = 4096). */
    const size_t n = 4096, k = 3, np = fsn_saltelli_points(n, k);
    double *u = malloc(np * k * sizeof *u), *y = malloc(np * sizeof *y);
    cr_assert_eq(fsn_saltelli_design(n, k, u, NULL), FSN_OK);
    for (size_t r = 0; r < np; r++) y[r] = 1000 + 2 * u[r * k] + u[r * k + 1];
    fsn_boot_opts_t bo = {.boot = 200, .level = 0.95, .seed = 4};
    fsn_sobol_index_t ix[3];
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, NULL, NULL), FSN_OK);
    cr_assert_eq(ix[2].S1, 0.0);
    cr_assert_eq(ix[2].ST, 0.0);
    cr_assert_float_eq(ix[0].S1, 0.8, 5 * ix[0].S1_se + 1e-9);
    cr_assert_float_eq(ix[0].ST, 0.8, 5 * ix[0].ST_se + 1e-9);
    cr_assert_float_eq(ix[1].S1, 0.2, 5 * ix[1].S1_se + 1e-9);
    cr_assert_float_eq(ix[1].ST, 0.2, 5 * ix[1].ST_se + 1e-9);
    free(u), free(y);
}

Test(sobol, a_failed_point_drops_its_base_row_from_every_index) {
    const size_t n = 1024, k = 3;
    double *y = ishigami_outputs(n);
    fsn_boot_opts_t bo = {.boot = 0, .level = 0.95, .seed = 1};
    fsn_sobol_index_t ref[3], ix[3];
    /* A NaN anywhere in base row 5 drops the whole row: a NaN in AB_2,
     * then one more in A of the same row, give the same indices. */
    y[3 * n + 5] = NAN; /* AB_2, base row 5 */
    size_t used = 0;
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ref, &used, NULL), FSN_OK);
    cr_assert_eq(used, n - 1);
    cr_assert(isnan(ref[0].S1_lo), "no bootstrap, no interval");
    double keep = y[5];
    y[5] = NAN; /* also A of the same row: the same row is dropped, same result */
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, &used, NULL), FSN_OK);
    cr_assert_eq(used, n - 1);
    for (size_t i = 0; i < k; i++) cr_assert(ix[i].S1 == ref[i].S1 && ix[i].ST == ref[i].ST);
    y[5] = keep;
    /* Every row failed: an error naming the first. */
    for (size_t r = 0; r < n; r++) y[n + r] = NAN;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, &used, &err), FSN_EINVAL);
    cr_assert_eq(used, 0);
    cr_assert(strstr(err.msg, "base row 0, point 1024"), "%s", err.msg);
    free(y);
}

Test(sobol, a_constant_output_gives_nan_indices_and_a_bad_level_an_error) {
    const size_t n = 16, k = 2, np = fsn_saltelli_points(n, k);
    double y[64];
    for (size_t r = 0; r < np; r++) y[r] = 3.0;
    fsn_boot_opts_t bo = {.boot = 10, .level = 0.95, .seed = 1};
    fsn_sobol_index_t ix[2];
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, NULL, NULL), FSN_OK);
    cr_assert(isnan(ix[0].S1) && isnan(ix[1].ST) && isnan(ix[0].S1_lo));
    /* Constant up to rounding (3 and its neighbours): no indices either. */
    for (size_t r = 0; r < np; r++) y[r] = r % 3 == 0 ? nextafter(3.0, 4.0) : r % 3 == 1 ? 3.0 : nextafter(3.0, 2.0);
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, NULL, NULL), FSN_OK);
    cr_assert(isnan(ix[0].S1) && isnan(ix[1].ST), "S1 %g", ix[0].S1);
    /* A real but tiny spread around a small level is kept. */
    for (size_t r = 0; r < np; r++) y[r] = 1e-9 * (double)(r % 5);
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, NULL, NULL), FSN_OK);
    cr_assert(isfinite(ix[0].S1) && isfinite(ix[1].ST));
    fsn_error_t err = {0};
    bo.level = 1.0;
    cr_assert_eq(fsn_sobol_indices(n, k, y, &bo, ix, NULL, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "level"), "%s", err.msg);
}

/* ------------------------------------------------------------------ */
/* Morris measures                                                    */
/* ------------------------------------------------------------------ */

typedef double (*fn_t)(const double *u, const double *lo, const double *hi);

/* Design and outputs of f over r trajectories. */
static void morris_run(size_t r, size_t k, unsigned p, uint64_t seed, fn_t f, const double *lo, const double *hi,
                       double **u_out, double **y_out) {
    size_t np = fsn_morris_points(r, k);
    double *u = malloc(np * k * sizeof *u), *y = malloc(np * sizeof *y);
    cr_assert_eq(fsn_morris_design(r, k, p, seed, u, NULL), FSN_OK);
    for (size_t m = 0; m < np; m++) y[m] = f(u + m * k, lo, hi);
    *u_out = u, *y_out = y;
}

static const double lin_c[4] = {3.0, -2.0, 0.5, 0.0};

static double linear_unit(const double *u, const double *lo, const double *hi) {
    double s = 0;
    for (int i = 0; i < 4; i++) s += lin_c[i] * u[i];
    return s;
}

static double linear_scaled(const double *u, const double *lo, const double *hi) {
    double s = 0;
    for (int i = 0; i < 4; i++) s += lin_c[i] * (lo[i] + u[i] * (hi[i] - lo[i]));
    return s;
}

Test(morris, a_linear_function_has_mu_star_equal_to_its_coefficients_and_no_spread) {
    const size_t r = 12, k = 4;
    double *u, *y;
    morris_run(r, k, 4, 3, linear_unit, NULL, NULL, &u, &y);
    fsn_boot_opts_t bo = {.boot = 50, .level = 0.95, .seed = 1};
    fsn_morris_index_t ix[4];
    size_t used = 0;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_morris_indices(r, k, 4, u, y, NULL, &bo, ix, &used, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(used, r);
    for (size_t i = 0; i < k; i++) {
        cr_assert_float_eq(ix[i].mu_star, fabs(lin_c[i]), 1e-12, "mu*_%zu = %.17g", i, ix[i].mu_star);
        cr_assert_float_eq(ix[i].mu, lin_c[i], 1e-12);
        cr_assert(ix[i].sigma < 1e-12, "sigma_%zu = %g", i, ix[i].sigma);
        cr_assert_float_eq(ix[i].mu_star_lo, fabs(lin_c[i]), 1e-12);
        cr_assert_float_eq(ix[i].mu_star_hi, fabs(lin_c[i]), 1e-12);
    }
    free(u), free(y);
}

Test(morris, effects_scale_by_the_axis_range_when_ranges_are_given) {
    /* f = sum c_i x_i with x_i = lo_i + u_i (hi_i - lo_i): per unit-cube
     * step the effect is c_i times the range; per natural unit, c_i. */
    const size_t r = 8, k = 4;
    const double lo[4] = {0, -1, 10, 5}, hi[4] = {2, 1, 110, 6};
    double range[4];
    for (int i = 0; i < 4; i++) range[i] = hi[i] - lo[i];
    double *u, *y;
    morris_run(r, k, 6, 8, linear_scaled, lo, hi, &u, &y);
    fsn_boot_opts_t bo = {.boot = 0, .level = 0.95, .seed = 1};
    fsn_morris_index_t unit[4], nat[4];
    cr_assert_eq(fsn_morris_indices(r, k, 6, u, y, NULL, &bo, unit, NULL, NULL), FSN_OK);
    cr_assert_eq(fsn_morris_indices(r, k, 6, u, y, range, &bo, nat, NULL, NULL), FSN_OK);
    for (size_t i = 0; i < k; i++) {
        cr_assert_float_eq(unit[i].mu_star, fabs(lin_c[i]) * range[i], 1e-9);
        cr_assert_float_eq(nat[i].mu_star, fabs(lin_c[i]), 1e-12);
        cr_assert(isnan(nat[i].mu_star_lo), "no bootstrap, no interval");
    }
    double bad[4] = {1, 0, 1, 1};
    fsn_error_t err = {0};
    cr_assert_eq(fsn_morris_indices(r, k, 6, u, y, bad, &bo, nat, NULL, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "factor 1"), "%s", err.msg);
    free(u), free(y);
}

static double interacting(const double *u, const double *lo, const double *hi) {
    return u[0] + 4 * u[1] * u[2] + 2 * u[3];
}

Test(morris, an_interaction_gives_spread_only_to_the_interacting_factors) {
    /* EE of u2 is 4 u3 (and vice versa): it takes the values 0, 4/3, 8/3,
     * 4 (the grid times 4), so its sigma is positive unless all 30
     * trajectories happened to share one value of u3 (probability
     * 4 (1/4)^30 at most); u1 and u4 act alone: sigma 0 (up to rounding). */
    const size_t r = 30, k = 4;
    double *u, *y;
    morris_run(r, k, 4, 21, interacting, NULL, NULL, &u, &y);
    fsn_boot_opts_t bo = {.boot = 0, .level = 0.95, .seed = 1};
    fsn_morris_index_t ix[4];
    cr_assert_eq(fsn_morris_indices(r, k, 4, u, y, NULL, &bo, ix, NULL, NULL), FSN_OK);
    cr_assert(ix[0].sigma < 1e-12 && ix[3].sigma < 1e-12, "%g %g", ix[0].sigma, ix[3].sigma);
    cr_assert(ix[1].sigma > 0.5 && ix[2].sigma > 0.5, "%g %g", ix[1].sigma, ix[2].sigma);
    cr_assert_float_eq(ix[0].mu_star, 1.0, 1e-12);
    cr_assert_float_eq(ix[3].mu_star, 2.0, 1e-12);
    free(u), free(y);
}

static double ishigami_m(const double *u, const double *lo, const double *hi) { return ishigami(u); }

/*
 * Ishigami under Morris: x3 acts only through x3^4 sin x1, an even
 * function of x3 times a factor of mean 0, so its effects have mean 0 but
 * not absolute mean 0. Tolerances from the standard error over r
 * trajectories: SE(mu) = sigma / sqrt(r) and SE(mu*) <= sigma / sqrt(r)
 * (Var |EE| <= Var EE); so |mu_3| <= 5 SE(mu_3), and mu*_3 > 5 SE.
 */
Test(morris, ishigami_x3_matters_through_interaction_only) {
    const size_t r = 400, k = 3;
    double *u, *y;
    morris_run(r, k, 4, 5, ishigami_m, NULL, NULL, &u, &y);
    fsn_boot_opts_t bo = {.boot = 300, .level = 0.95, .seed = 6};
    fsn_morris_index_t ix[3];
    cr_assert_eq(fsn_morris_indices(r, k, 4, u, y, NULL, &bo, ix, NULL, NULL), FSN_OK);
    double se3 = ix[2].sigma / sqrt((double)r);
    cr_log_info("x3: mu %.3f mu* %.3f [%.3f, %.3f] sigma %.3f", ix[2].mu, ix[2].mu_star, ix[2].mu_star_lo,
                ix[2].mu_star_hi, ix[2].sigma);
    cr_assert(fabs(ix[2].mu) <= 5 * se3, "mu_3 = %g, se %g", ix[2].mu, se3);
    cr_assert(ix[2].mu_star > 5 * se3, "mu*_3 = %g, se %g", ix[2].mu_star, se3);
    cr_assert(ix[2].sigma > 0);
    cr_assert(ix[2].mu_star_lo > 0 && ix[2].mu_star_lo <= ix[2].mu_star && ix[2].mu_star <= ix[2].mu_star_hi);
    /* x2 acts alone (a sin^2 x2) and x1 mostly alone: both screened in. */
    cr_assert(ix[0].mu_star > 5 * ix[0].sigma / sqrt((double)r));
    cr_assert(ix[1].mu_star > 5 * ix[1].sigma / sqrt((double)r));
    free(u), free(y);
}

Test(morris, a_trajectory_with_a_failed_point_is_dropped) {
    const size_t r = 6, k = 4;
    double *u, *y;
    morris_run(r, k, 4, 3, linear_unit, NULL, NULL, &u, &y);
    y[2 * (k + 1) + 3] = NAN;
    fsn_boot_opts_t bo = {.boot = 20, .level = 0.95, .seed = 1};
    fsn_morris_index_t ix[4];
    size_t used = 0;
    cr_assert_eq(fsn_morris_indices(r, k, 4, u, y, NULL, &bo, ix, &used, NULL), FSN_OK);
    cr_assert_eq(used, r - 1);
    cr_assert_float_eq(ix[0].mu_star, 3.0, 1e-12);
    for (size_t m = 0; m < fsn_morris_points(r, k); m++) y[m] = NAN;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_morris_indices(r, k, 4, u, y, NULL, &bo, ix, &used, &err), FSN_EINVAL);
    cr_assert_eq(used, 0);
    free(u), free(y);
}

Test(morris, a_design_that_is_not_a_morris_design_is_rejected_naming_the_row) {
    const size_t r = 3, k = 4;
    double *u, *y;
    morris_run(r, k, 4, 3, linear_unit, NULL, NULL, &u, &y);
    fsn_boot_opts_t bo = {.boot = 0, .level = 0.95, .seed = 1};
    fsn_morris_index_t ix[4];
    fsn_error_t err = {0};
    /* Row 6 (trajectory 1, second row): a second coordinate changed. */
    size_t row = 6, j = 0;
    while (u[row * k + j] != u[(row - 1) * k + j]) j++;
    u[row * k + j] = u[(row - 1) * k + j] == 0 ? 1.0 / 3 : 0;
    cr_assert_eq(fsn_morris_indices(r, k, 4, u, y, NULL, &bo, ix, NULL, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "row 6 differs from row 5 in 2"), "%s", err.msg);
    /* Wrong levels: the step is not delta. */
    free(u), free(y);
    morris_run(r, k, 4, 3, linear_unit, NULL, NULL, &u, &y);
    cr_assert_eq(fsn_morris_indices(r, k, 6, u, y, NULL, &bo, ix, NULL, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "delta"), "%s", err.msg);
    cr_assert_eq(fsn_morris_indices(r, k, 5, u, y, NULL, &bo, ix, NULL, &err), FSN_EINVAL);
    free(u), free(y);
}
