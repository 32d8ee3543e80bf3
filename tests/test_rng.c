/*
 * test_rng.c: known-answer vectors, the GSL binding, stream independence.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <math.h>

#include "fission/rng.h"

/* Reference output of xoshiro256** from state {1, 2, 3, 4}, as printed by
 * the authors' reference implementation (xoshiro256starstar.c). */
static const uint64_t kat_1234[10] = {
    11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL, 1216172134540287360ULL,
    607988272756665600ULL, 16172922978634559625ULL, 8476171486693032832ULL,
    10595114339597558777ULL, 2904607092377533576ULL};

Test(rng, xoshiro256ss_matches_the_reference_vectors) {
    fsn_rng_t r = {{1, 2, 3, 4}};
    for (int i = 0; i < 10; i++) cr_assert_eq(fsn_rng_next(&r), kat_1234[i], "draw %d", i);
}

Test(rng, seeding_uses_splitmix64_reference_outputs) {
    /* SplitMix64 from seed 0 gives 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
     * 0x06c45d188009454f, 0xf88bb8a8724c81ec (the reference sequence). */
    fsn_rng_t r;
    fsn_rng_seed(&r, 0);
    cr_assert_eq(r.s[0], 0xe220a8397b1dcdafULL);
    cr_assert_eq(r.s[1], 0x6e789e6aa1b965f4ULL);
    cr_assert_eq(r.s[2], 0x06c45d188009454fULL);
    cr_assert_eq(r.s[3], 0xf88bb8a8724c81ecULL);
}

Test(rng, gsl_type_draws_the_same_numbers_as_the_inline_generator) {
    gsl_rng *g = gsl_rng_alloc(fsn_rng_xoshiro256ss);
    cr_assert_not_null(g);
    gsl_rng_set(g, 42);
    fsn_rng_t r;
    fsn_rng_seed(&r, 42);
    cr_assert_str_eq(gsl_rng_name(g), "xoshiro256**");
    cr_assert_eq(gsl_rng_max(g), UINT64_MAX);
    for (int i = 0; i < 100; i++) cr_assert_eq((uint64_t)gsl_rng_get(g), fsn_rng_next(&r));
    for (int i = 0; i < 100; i++) {
        double u = gsl_rng_uniform(g);
        cr_assert(u >= 0.0 && u < 1.0);
        cr_assert_eq(u, fsn_rng_uniform(&r));
    }
    gsl_rng_free(g);
}

/* gsl_ran_* samplers run on the generator: the mean of 1e6 Exp(mean 2)
 * draws is within 5 standard errors (sd 2 / sqrt(1e6) = 0.002) of 2. */
Test(rng, gsl_samplers_draw_from_the_generator_with_the_right_mean) {
    gsl_rng *g = fsn_rng_gsl_alloc_stream(1, 2, 3);
    cr_assert_not_null(g);
    double sum = 0;
    const int n = 1000000;
    for (int i = 0; i < n; i++) sum += gsl_ran_exponential(g, 2.0);
    cr_assert_float_eq(sum / n, 2.0, 5 * 2.0 / sqrt(n));
    gsl_rng_free(g);
}

Test(rng, streams_depend_only_on_seed_point_and_replicate) {
    fsn_rng_t a, b, c;
    fsn_rng_seed_stream(&a, 1, 2, 3);
    fsn_rng_seed_stream(&b, 1, 2, 3);
    fsn_rng_seed_stream(&c, 1, 3, 2);
    for (int i = 0; i < 4; i++) cr_assert_eq(a.s[i], b.s[i]);
    int same = 1;
    for (int i = 0; i < 4; i++) same &= a.s[i] == c.s[i];
    cr_assert_not(same, "swapping point and replicate must change the stream");
}

/* Neighbouring streams (same seed, replicates r and r + 1) must be
 * uncorrelated: the sample correlation of n paired uniforms has standard
 * error 1 / sqrt(n); require |rho| < 5 / sqrt(n) for each pair. Also the
 * count of equal top bytes must be binomial(n, 1/256) within 5 sigma. */
Test(rng, adjacent_streams_are_not_correlated) {
    const int n = 200000;
    for (uint64_t rep = 0; rep < 8; rep++) {
        fsn_rng_t x, y;
        fsn_rng_seed_stream(&x, 12345, 0, rep);
        fsn_rng_seed_stream(&y, 12345, 0, rep + 1);
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        long same_byte = 0;
        for (int i = 0; i < n; i++) {
            uint64_t bx = fsn_rng_next(&x), by = fsn_rng_next(&y);
            same_byte += (bx >> 56) == (by >> 56);
            double u = (double)(bx >> 11) * 0x1.0p-53, v = (double)(by >> 11) * 0x1.0p-53;
            sx += u;
            sy += v;
            sxx += u * u;
            syy += v * v;
            sxy += u * v;
        }
        double cov = sxy / n - (sx / n) * (sy / n);
        double rho = cov / sqrt((sxx / n - (sx / n) * (sx / n)) * (syy / n - (sy / n) * (sy / n)));
        cr_assert_lt(fabs(rho), 5.0 / sqrt(n), "replicates %llu and %llu: rho = %g",
                     (unsigned long long)rep, (unsigned long long)rep + 1, rho);
        double p = 1.0 / 256, mean = n * p, sd = sqrt(n * p * (1 - p));
        cr_assert_lt(fabs(same_byte - mean), 5 * sd);
    }
}

Test(rng, substreams_differ_by_purpose_and_do_not_advance_the_parent) {
    fsn_rng_t r, a, b;
    fsn_rng_seed(&r, 9);
    fsn_rng_t copy = r;
    fsn_rng_substream(&a, &r, 1);
    fsn_rng_substream(&b, &r, 2);
    for (int i = 0; i < 4; i++) cr_assert_eq(r.s[i], copy.s[i]);
    cr_assert_neq(fsn_rng_next(&a), fsn_rng_next(&b));
}

/* fsn_rng_below is unbiased: counts over 7 bins of 7e5 draws each within
 * 5 sigma of 1e5 (sigma = sqrt(n p (1 - p))). */
Test(rng, below_is_uniform_over_its_range) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 3);
    long count[7] = {0};
    const long n = 700000;
    for (long i = 0; i < n; i++) count[fsn_rng_below(&r, 7)]++;
    double sd = sqrt(n * (1.0 / 7) * (6.0 / 7));
    for (int k = 0; k < 7; k++) cr_assert_lt(fabs(count[k] - n / 7.0), 5 * sd);
}

Test(rng, jump_moves_far_and_deterministically) {
    fsn_rng_t a = {{1, 2, 3, 4}}, b = {{1, 2, 3, 4}};
    fsn_rng_jump(&a);
    fsn_rng_jump(&b);
    cr_assert_eq(fsn_rng_next(&a), fsn_rng_next(&b));
    fsn_rng_t c = {{1, 2, 3, 4}};
    cr_assert_neq(fsn_rng_next(&a), fsn_rng_next(&c));
}

/* The ziggurat exponential against Exp(1): over n = 2e6 draws the mean
 * (sd 1) and the second moment (sd sqrt(24 - 4) = sqrt(20)) are within 5
 * standard errors, and the tail shares P(X > x) = exp(-x) for x in
 * {0.1, 0.5, 1, 2, 4, 8} (crossing layer edges and the tail layer) are
 * within 5 binomial sigmas. */
Test(rng, ziggurat_exponential_has_the_exponential_distribution) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 2024);
    const long n = 2000000;
    const double xs[6] = {0.1, 0.5, 1.0, 2.0, 4.0, 8.0};
    long above[6] = {0};
    double s1 = 0, s2 = 0;
    for (long i = 0; i < n; i++) {
        double x = fsn_rng_exp1(&r);
        cr_assert(x >= 0 && isfinite(x));
        s1 += x;
        s2 += x * x;
        for (int k = 0; k < 6; k++) above[k] += x > xs[k];
    }
    cr_assert_lt(fabs(s1 / n - 1.0), 5.0 / sqrt((double)n));
    cr_assert_lt(fabs(s2 / n - 2.0), 5.0 * sqrt(20.0) / sqrt((double)n));
    for (int k = 0; k < 6; k++) {
        double p = exp(-xs[k]), sd = sqrt(n * p * (1 - p));
        cr_assert_lt(fabs(above[k] - n * p), 5 * sd + 1, "P(X > %g): %ld vs %g", xs[k], above[k],
                     n * p);
    }
}
