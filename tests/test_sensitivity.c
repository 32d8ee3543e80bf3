/*
 * test_sensitivity.c: the Saltelli and Morris designs (exact layout
 * checks) and the Sobol and Morris estimators (exact answers on linear
 * functions, standard-error-derived tolerances on the Ishigami function).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
