/*
 * test_sample.c: the samplers' moments, the red packet's conservation and
 * fairness, the cut schedules' bounds and termination, parameter checks.
 *
 * Statistical tests use fixed seeds and a tolerance of 5 standard errors,
 * derived in the comment above each; at that width a correct sampler
 * fails about once in 1.7 million runs, while the biases these tests
 * guard against (a rounding error of half a fen, a wrong scale) exceed it
 * many times over.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "fission/sample.h"

/* ---- normal and gamma ---------------------------------------------- */

/* N(0, 1) over n = 1e6 draws. The mean has standard error 1 / sqrt(n).
 * The variance is estimated about the known mean, V = sum x^2 / n, whose
 * standard error is sqrt((mu4 - sigma^4) / n) = sqrt((3 - 1) / n) with the
 * normal's fourth moment mu4 = 3. */
Test(sample, normal_draws_have_mean_0_and_variance_1) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 11);
    const long n = 1000000;
    double s1 = 0, s2 = 0;
    for (long i = 0; i < n; i++) {
        double x = fsn_sample_normal(&r);
        cr_assert(isfinite(x));
        s1 += x;
        s2 += x * x;
    }
    cr_assert_lt(fabs(s1 / n), 5.0 / sqrt((double)n), "mean %g", s1 / n);
    cr_assert_lt(fabs(s2 / n - 1.0), 5.0 * sqrt(2.0 / n), "variance %g", s2 / n);
}

/* The normal's tails: P(|X| > 2) = 0.0455003 over n = 1e6 draws within 5
 * binomial sigmas sqrt(n p (1 - p)), so a uniform or logistic look-alike
 * with the right two moments still fails. */
Test(sample, normal_draws_have_normal_tails) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 12);
    const long n = 1000000;
    long beyond = 0;
    for (long i = 0; i < n; i++) beyond += fabs(fsn_sample_normal(&r)) > 2.0;
    double p = 0.04550026389635842, sd = sqrt(n * p * (1 - p));
    cr_assert_lt(fabs(beyond - n * p), 5 * sd, "%ld beyond 2 sigma, expected %g", beyond, n * p);
}

/* Gamma(k, 1) for k in {0.3, 1, 2.5, 7} (the k < 1 boost and the direct
 * method), n = 1e6 draws each. Mean k, variance k: the mean's standard
 * error is sqrt(k / n). The variance about the known mean has standard
 * error sqrt((mu4 - k^2) / n), with the gamma's central fourth moment
 * mu4 = 3 k^2 + 6 k, so sqrt((2 k^2 + 6 k) / n). */
Test(sample, gamma_draws_have_mean_k_and_variance_k) {
    const double ks[4] = {0.3, 1.0, 2.5, 7.0};
    const long n = 1000000;
    for (int j = 0; j < 4; j++) {
        double k = ks[j];
        fsn_rng_t r;
        fsn_rng_seed(&r, 100 + (uint64_t)j);
        double s1 = 0, s2 = 0;
        for (long i = 0; i < n; i++) {
            double x = fsn_sample_gamma(&r, k);
            cr_assert(x >= 0 && isfinite(x), "k = %g: draw %g", k, x);
            s1 += x;
            s2 += (x - k) * (x - k);
        }
        cr_assert_lt(fabs(s1 / n - k), 5.0 * sqrt(k / n), "k = %g: mean %g", k, s1 / n);
        cr_assert_lt(fabs(s2 / n - k), 5.0 * sqrt((2 * k * k + 6 * k) / n), "k = %g: variance %g",
                     k, s2 / n);
    }
}

/* ---- delays -------------------------------------------------------- */

static fsn_delay_t delay(fsn_delay_kind_t kind, double mean, double shape) {
    fsn_delay_t d = {.kind = kind, .mean = mean, .shape = shape};
    fsn_error_t err = {0};
    cr_assert_eq(fsn_delay_prepare(&d, &err), FSN_OK, "%s", err.msg);
    return d;
}

/* Each kind's sample mean over n = 1e6 draws within 5 standard errors
 * sd / sqrt(n) of the requested mean, with the law's own sd:
 *   exponential, mean 2:            sd = 2
 *   lognormal, mean 3, sigma 1:     sd = 3 sqrt(e^1 - 1) = 3.93
 *   gamma, mean 2, k = 0.5:         sd = 2 / sqrt(0.5) = 2.83
 *   gamma, mean 2, k = 3:           sd = 2 / sqrt(3) = 1.15
 * (the lognormal's fourth moment is finite, so the CLT holds). */
Test(sample, each_delay_kind_has_the_requested_mean) {
    struct {
        fsn_delay_t d;
        double sd;
    } cases[4] = {
        {delay(FSN_DELAY_EXP, 2.0, 0.0), 2.0},
        {delay(FSN_DELAY_LOGNORMAL, 3.0, 1.0), 3.0 * sqrt(exp(1.0) - 1.0)},
        {delay(FSN_DELAY_GAMMA, 2.0, 0.5), 2.0 / sqrt(0.5)},
        {delay(FSN_DELAY_GAMMA, 2.0, 3.0), 2.0 / sqrt(3.0)},
    };
    const long n = 1000000;
    for (int j = 0; j < 4; j++) {
        fsn_rng_t r;
        fsn_rng_seed(&r, 200 + (uint64_t)j);
        double sum = 0;
        for (long i = 0; i < n; i++) {
            double x = fsn_delay_draw(&cases[j].d, &r);
            cr_assert(x >= 0 && isfinite(x));
            sum += x;
        }
        cr_assert_lt(fabs(sum / n - cases[j].d.mean), 5.0 * cases[j].sd / sqrt((double)n),
                     "%s (shape %g): mean %g, expected %g",
                     fsn_delay_kind_name(cases[j].d.kind), cases[j].d.shape, sum / n,
                     cases[j].d.mean);
    }
}

Test(sample, fixed_delays_and_lognormal_with_sigma_0_are_exactly_the_mean) {
    fsn_delay_t fixed = delay(FSN_DELAY_FIXED, 1.5, 0.0);
    fsn_delay_t zero = delay(FSN_DELAY_FIXED, 0.0, 0.0);
    fsn_delay_t flat = delay(FSN_DELAY_LOGNORMAL, 4.0, 0.0);
    fsn_rng_t r;
    fsn_rng_seed(&r, 3);
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(fsn_delay_draw(&fixed, &r), 1.5);
        cr_assert_eq(fsn_delay_draw(&zero, &r), 0.0);
        cr_assert_float_eq(fsn_delay_draw(&flat, &r), 4.0, 1e-12);
    }
}

Test(sample, delays_with_huge_means_stay_finite) {
    fsn_delay_t ds[3] = {delay(FSN_DELAY_EXP, 1e308, 0.0), delay(FSN_DELAY_LOGNORMAL, 1e308, 5.0),
                         delay(FSN_DELAY_GAMMA, 1e308, 1e-300)};
    fsn_rng_t r;
    fsn_rng_seed(&r, 4);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 10000; i++) {
            double x = fsn_delay_draw(&ds[j], &r);
            cr_assert(x >= 0 && isfinite(x), "%s: %g", fsn_delay_kind_name(ds[j].kind), x);
        }
}

Test(sample, delay_prepare_rejects_bad_fields_and_names_them) {
    struct {
        int kind;
        double mean, shape;
        const char *field;
    } bad[] = {
        {-1, 1.0, 1.0, "kind"},
        {4, 1.0, 1.0, "kind"},
        {FSN_DELAY_EXP, 0.0, 0.0, "mean"},
        {FSN_DELAY_EXP, -1.0, 0.0, "mean"},
        {FSN_DELAY_EXP, NAN, 0.0, "mean"},
        {FSN_DELAY_LOGNORMAL, INFINITY, 1.0, "mean"},
        {FSN_DELAY_GAMMA, 0.0, 1.0, "mean"},
        {FSN_DELAY_FIXED, -0.5, 0.0, "mean"},
        {FSN_DELAY_FIXED, NAN, 0.0, "mean"},
        {FSN_DELAY_LOGNORMAL, 1.0, -0.1, "shape"},
        {FSN_DELAY_LOGNORMAL, 1.0, 5.1, "shape"},
        {FSN_DELAY_LOGNORMAL, 1.0, NAN, "shape"},
        {FSN_DELAY_GAMMA, 1.0, 0.0, "shape"},
        {FSN_DELAY_GAMMA, 1.0, -2.0, "shape"},
        {FSN_DELAY_GAMMA, 1.0, 2e6, "shape"},
        {FSN_DELAY_GAMMA, 1.0, INFINITY, "shape"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fsn_delay_t d = {.kind = (fsn_delay_kind_t)bad[i].kind, .mean = bad[i].mean,
                         .shape = bad[i].shape};
        fsn_error_t err = {0};
        cr_assert_eq(fsn_delay_prepare(&d, &err), FSN_EINVAL, "case %zu accepted", i);
        cr_assert_eq(err.code, FSN_EINVAL);
        cr_assert(strncmp(err.msg, "delay: ", 7) == 0, "message \"%s\" lacks the prefix", err.msg);
        cr_assert(strstr(err.msg, bad[i].field), "message \"%s\" does not name %s", err.msg,
                  bad[i].field);
        cr_assert(strstr(err.msg, "expected"), "message \"%s\" gives no expected range", err.msg);
    }
    /* The edges of each range are accepted, and ignored fields are not checked. */
    fsn_delay_t ok[] = {{.kind = FSN_DELAY_FIXED, .mean = 0.0, .shape = NAN},
                        {.kind = FSN_DELAY_EXP, .mean = 1e-9, .shape = -3.0},
                        {.kind = FSN_DELAY_LOGNORMAL, .mean = 1.0, .shape = 0.0},
                        {.kind = FSN_DELAY_LOGNORMAL, .mean = 1.0, .shape = 5.0},
                        {.kind = FSN_DELAY_GAMMA, .mean = 1.0, .shape = 1e6}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        cr_assert_eq(fsn_delay_prepare(&ok[i], NULL), FSN_OK, "case %zu rejected", i);
}

Test(sample, delay_kind_names_round_trip) {
    for (int k = 0; k < FSN_DELAY_KIND_COUNT; k++)
        cr_assert_eq(fsn_delay_kind_parse(fsn_delay_kind_name(k)), k);
    cr_assert_str_eq(fsn_delay_kind_name(FSN_DELAY_EXP), "exponential");
    cr_assert_str_eq(fsn_delay_kind_name(FSN_DELAY_LOGNORMAL), "lognormal");
    cr_assert_str_eq(fsn_delay_kind_name(FSN_DELAY_GAMMA), "gamma");
    cr_assert_str_eq(fsn_delay_kind_name(FSN_DELAY_FIXED), "fixed");
    cr_assert_str_eq(fsn_delay_kind_name(9), "unknown");
    cr_assert_eq(fsn_delay_kind_parse("Gamma"), -1);
    cr_assert_eq(fsn_delay_kind_parse(NULL), -1);
}

/* ---- red packet ---------------------------------------------------- */

#define MAX_CLAIMERS 200

Test(sample, redpacket_amounts_always_sum_to_the_total) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 21);
    int64_t out[MAX_CLAIMERS];
    for (int t = 0; t < 10000; t++) {
        uint32_t n = 1 + (uint32_t)fsn_rng_below(&r, MAX_CLAIMERS);
        /* A quarter of the packets hold exactly or barely 1 fen each. */
        int64_t extra = t % 4 == 0 ? (int64_t)fsn_rng_below(&r, 3)
                                   : (int64_t)fsn_rng_below(&r, 1000000);
        int64_t total = n + extra;
        cr_assert_eq(fsn_redpacket_split(total, n, &r, out, NULL), FSN_OK);
        int64_t sum = 0;
        for (uint32_t i = 0; i < n; i++) {
            cr_assert_geq(out[i], 1, "total %lld, n %u: out[%u] = %lld", (long long)total, n, i,
                          (long long)out[i]);
            sum += out[i];
        }
        cr_assert_eq(sum, total, "total %lld, n %u: amounts sum to %lld", (long long)total, n,
                     (long long)sum);
    }
}

/* Every grab but the last is at least 1 fen and strictly below twice the
 * current average (2 M / c), the bound WeChat's rule promises. */
Test(sample, redpacket_grabs_stay_below_twice_the_current_average) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 22);
    for (int t = 0; t < 200000; t++) {
        uint32_t c = 2 + (uint32_t)fsn_rng_below(&r, 50);
        int64_t m = c + (int64_t)fsn_rng_below(&r, t % 2 ? 20 : 100000);
        int64_t a = fsn_redpacket_grab(m, c, &r);
        cr_assert(a >= 1 && a * (int64_t)c < 2 * m, "M %lld, c %u: grab %lld", (long long)m, c,
                  (long long)a);
    }
}

/* Every position expects total / n. For each position k the sample mean
 * of N splits is compared with total / n, within 5 standard errors
 * sd_k / sqrt(N), where sd_k is the sample standard deviation of that
 * position (the exact variance depends on the path, and at N = 1e6 the
 * estimate is within 0.2% of it). Two packets: 10 CNY among 10 (2M / c
 * always whole at the first grab) and 37 fen among 5, where 2M / c is
 * fractional and the mean is small, so rounding a grab down or up by
 * half a fen would be hundreds of standard errors off. */
Test(sample, redpacket_every_position_expects_the_average_share) {
    const struct {
        int64_t total;
        uint32_t n;
        long splits;
    } cases[2] = {{1000, 10, 400000}, {37, 5, 1000000}};
    for (int j = 0; j < 2; j++) {
        fsn_rng_t r;
        fsn_rng_seed(&r, 23 + (uint64_t)j);
        uint32_t n = cases[j].n;
        double s1[10] = {0}, s2[10] = {0};
        int64_t out[10];
        for (long i = 0; i < cases[j].splits; i++) {
            cr_assert_eq(fsn_redpacket_split(cases[j].total, n, &r, out, NULL), FSN_OK);
            for (uint32_t k = 0; k < n; k++) {
                s1[k] += (double)out[k];
                s2[k] += (double)out[k] * (double)out[k];
            }
        }
        double N = (double)cases[j].splits, expect = (double)cases[j].total / n;
        for (uint32_t k = 0; k < n; k++) {
            double mean = s1[k] / N, sd = sqrt(s2[k] / N - mean * mean);
            cr_assert_lt(fabs(mean - expect), 5.0 * sd / sqrt(N),
                         "total %lld, n %u: position %u averages %g, expected %g (se %g)",
                         (long long)cases[j].total, n, k, mean, expect, sd / sqrt(N));
        }
    }
}

Test(sample, redpacket_with_one_claimer_gives_the_whole_total) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 24);
    int64_t out[1] = {0};
    cr_assert_eq(fsn_redpacket_split(12345, 1, &r, out, NULL), FSN_OK);
    cr_assert_eq(out[0], 12345);
    cr_assert_eq(fsn_redpacket_grab(1, 1, &r), 1);
    cr_assert_eq(fsn_redpacket_grab(INT64_MAX, 1, &r), INT64_MAX);
}

Test(sample, redpacket_with_one_fen_each_gives_everyone_one_fen) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 25);
    int64_t out[7];
    cr_assert_eq(fsn_redpacket_split(7, 7, &r, out, NULL), FSN_OK);
    for (int i = 0; i < 7; i++) cr_assert_eq(out[i], 1);
}

Test(sample, redpacket_grabs_from_huge_packets_do_not_overflow) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 26);
    int64_t out[3];
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(fsn_redpacket_split(INT64_MAX, 3, &r, out, NULL), FSN_OK);
        cr_assert(out[0] >= 1 && out[1] >= 1 && out[2] >= 1);
        cr_assert_eq(out[0] + (out[1] + out[2]), INT64_MAX);
    }
}

Test(sample, redpacket_split_rejects_fewer_fen_than_claimers_and_zero_claimers) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 27);
    int64_t out[5] = {-7, -7, -7, -7, -7};
    fsn_error_t err = {0};
    cr_assert_eq(fsn_redpacket_split(4, 5, &r, out, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "total_fen = 4"), "%s", err.msg);
    cr_assert(strstr(err.msg, "n = 5"), "%s", err.msg);
    cr_assert_eq(fsn_redpacket_split(-3, 1, &r, out, &err), FSN_EINVAL);
    fsn_error_clear(&err);
    cr_assert_eq(fsn_redpacket_split(100, 0, &r, out, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "n = 0"), "%s", err.msg);
    cr_assert_eq(fsn_redpacket_split(4, 5, &r, out, NULL), FSN_EINVAL);
    for (int i = 0; i < 5; i++) cr_assert_eq(out[i], -7, "out[%d] was written", i);
}

/* ---- bargain cuts -------------------------------------------------- */

static fsn_cut_schedule_t schedule(fsn_cut_kind_t kind) {
    fsn_cut_schedule_t s;
    fsn_cut_schedule_default(&s);
    s.kind = kind;
    return s;
}

/* Random valid schedules of every kind, random gaps: each cut lies in
 * [min(min_cut, gap), gap]. */
Test(sample, cuts_never_exceed_the_gap_nor_fall_below_the_min_cut) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 31);
    for (int t = 0; t < 300000; t++) {
        fsn_cut_schedule_t s = schedule((fsn_cut_kind_t)(t % FSN_CUT_KIND_COUNT));
        s.helpers = 1 + (uint32_t)fsn_rng_below(&r, 100);
        s.first_share = 1.0 - fsn_rng_uniform(&r);
        s.decay = 1.0 - fsn_rng_uniform(&r);
        s.jitter = fsn_rng_uniform(&r);
        s.min_cut_fen = 1 + (int64_t)fsn_rng_below(&r, t % 5 ? 3 : 500);
        cr_assert_eq(fsn_cut_schedule_check(&s, NULL), FSN_OK);
        int64_t initial = 1 + (int64_t)fsn_rng_below(&r, t % 7 ? 100000 : 10);
        if (t % 1000 == 0) initial = INT64_MAX - (int64_t)fsn_rng_below(&r, 10);
        int64_t gap = 1 + (int64_t)fsn_rng_below(&r, (uint64_t)initial);
        uint32_t helper = t % 3 ? (uint32_t)fsn_rng_below(&r, 50) : (uint32_t)fsn_rng_next(&r);
        int64_t c = fsn_cut_draw(&s, initial, gap, helper, &r);
        int64_t lo = s.min_cut_fen < gap ? s.min_cut_fen : gap;
        cr_assert(c >= lo && c <= gap, "%s: initial %lld, gap %lld, helper %u: cut %lld",
                  fsn_cut_kind_name(s.kind), (long long)initial, (long long)gap, helper,
                  (long long)c);
    }
}

/* Cutting from the list price until the floor ends for every kind, within
 * the bound each cut of >= 1 fen implies (no more helpers than fen). */
Test(sample, repeated_cuts_reach_the_floor_in_finitely_many_helpers_for_every_kind) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 32);
    const int64_t gaps[4] = {1, 7, 999, 10000};
    for (int kind = 0; kind < FSN_CUT_KIND_COUNT; kind++)
        for (int g = 0; g < 4; g++)
            for (int rep = 0; rep < 50; rep++) {
                fsn_cut_schedule_t s = schedule((fsn_cut_kind_t)kind);
                s.jitter = rep % 2 ? 1.0 : 0.5;
                s.decay = rep % 3 ? 0.7 : 0.05;
                int64_t gap = gaps[g];
                uint32_t h = 0;
                while (gap > 0) {
                    cr_assert_lt(h, gaps[g], "%s: more helpers than fen", fsn_cut_kind_name(kind));
                    gap -= fsn_cut_draw(&s, gaps[g], gap, h, &r);
                    h++;
                }
                cr_assert_eq(gap, 0, "%s: the price went below its floor", fsn_cut_kind_name(kind));
            }
}

static uint32_t helpers_to_floor(const fsn_cut_schedule_t *s, int64_t initial, fsn_rng_t *r) {
    int64_t gap = initial;
    uint32_t h = 0;
    while (gap > 0) gap -= fsn_cut_draw(s, initial, gap, h++, r);
    return h;
}

Test(sample, equal_cuts_need_exactly_the_helpers_when_the_gap_divides_evenly) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 33);
    for (uint32_t helpers = 1; helpers <= 40; helpers++)
        for (int64_t per = 1; per <= 300; per += 37) {
            fsn_cut_schedule_t s = schedule(FSN_CUT_EQUAL);
            s.helpers = helpers;
            cr_assert_eq(helpers_to_floor(&s, per * helpers, &r), helpers);
            /* An uneven gap needs no more helpers, only a smaller last cut. */
            cr_assert_leq(helpers_to_floor(&s, per * helpers + 1, &r), helpers);
        }
}

Test(sample, random_cuts_without_jitter_are_the_equal_cuts) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 34);
    fsn_cut_schedule_t eq = schedule(FSN_CUT_EQUAL), rnd = schedule(FSN_CUT_RANDOM);
    rnd.jitter = 0.0;
    for (int64_t gap = 10000; gap > 0; gap -= 613)
        cr_assert_eq(fsn_cut_draw(&rnd, 10000, gap, 3, &r), fsn_cut_draw(&eq, 10000, gap, 3, &r));
}

/* RANDOM cuts average the equal share: with G0 = 10000 and helpers = 8
 * the raw cut is uniform on 1250 (1 +- 0.5), sd = 625 / sqrt(3); rounding
 * up adds between 0 and 1 fen, so over n = 1e5 cuts the mean is within
 * 5 sd / sqrt(n) + 1 of 1250. */
Test(sample, random_cuts_average_the_equal_share) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 35);
    fsn_cut_schedule_t s = schedule(FSN_CUT_RANDOM);
    const long n = 100000;
    double sum = 0;
    for (long i = 0; i < n; i++) sum += (double)fsn_cut_draw(&s, 10000, 10000, 0, &r);
    cr_assert_lt(fabs(sum / n - 1250.0), 5.0 * 625.0 / sqrt(3.0) / sqrt((double)n) + 1.0,
                 "mean cut %g", sum / n);
}

/* The first SHRINKING cut is first_share of the gap times 1 +- jitter,
 * rounded up and capped at the gap: always within [ceil(f G (1 - j)),
 * min(ceil(f G (1 + j)), G)], and exact without jitter. Where the cap
 * cannot bind (f (1 + j) <= 1) it averages f G: the raw cut is uniform
 * with sd f G j / sqrt(3), so over n = 1e5 cuts the mean is within
 * 5 sd / sqrt(n) + 1 (the rounding up) of f G. */
Test(sample, shrinking_first_cut_is_first_share_of_the_gap_within_jitter) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 36);
    fsn_cut_schedule_t s = schedule(FSN_CUT_SHRINKING);
    const double shares[3] = {0.5, 0.2, 0.9};
    const int64_t g = 10000;
    const double jit = 0.5;
    for (int j = 0; j < 3; j++) {
        double f = shares[j], lo = ceil(f * g * (1 - jit)), hi = fmin(ceil(f * g * (1 + jit)), g);
        s.first_share = f;
        s.jitter = jit;
        const long n = 100000;
        double sum = 0;
        for (long i = 0; i < n; i++) {
            int64_t c = fsn_cut_draw(&s, g, g, 0, &r);
            cr_assert(c >= lo && c <= hi, "first_share %g: first cut %lld", f, (long long)c);
            sum += (double)c;
        }
        if (f * (1 + jit) <= 1.0)
            cr_assert_lt(fabs(sum / n - f * g), 5.0 * f * g * jit / sqrt(3.0) / sqrt((double)n) + 1,
                         "first_share %g: mean first cut %g", f, sum / n);
        s.jitter = 0.0;
        cr_assert_eq(fsn_cut_draw(&s, g, g, 0, &r), (int64_t)ceil(f * g));
    }
}

/* Later SHRINKING cuts shrink: the mean cut of helper h, taken from a
 * fixed gap, is first_share decay^h of it, so each helper's mean cut is
 * below the previous one's. */
Test(sample, shrinking_cuts_get_smaller_helper_after_helper) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 37);
    fsn_cut_schedule_t s = schedule(FSN_CUT_SHRINKING);
    double prev = INFINITY;
    for (uint32_t h = 1; h < 8; h++) {
        double sum = 0;
        for (int i = 0; i < 10000; i++) sum += (double)fsn_cut_draw(&s, 100000, 100000, h, &r);
        cr_assert_lt(sum / 10000, prev, "helper %u", h);
        prev = sum / 10000;
    }
}

/* The default schedule on a 100 CNY gap (10000 fen) needs about 1340
 * helpers on average, with a standard deviation of about 474 (measured:
 * after the big early cuts some 13% of the gap is left and goes almost a
 * fen at a time). The mean of N = 10000 runs has standard error
 * sd / sqrt(N) = 4.7; two independent batches must agree within 5
 * standard errors of their difference, 5 sqrt(2) sd / sqrt(N), with sd
 * estimated from the batches. */
Test(sample, default_schedule_needs_a_stable_mean_number_of_helpers) {
    fsn_cut_schedule_t s;
    fsn_cut_schedule_default(&s);
    cr_assert_eq(fsn_cut_schedule_check(&s, NULL), FSN_OK);
    const long n = 10000;
    double mean[2], var[2];
    for (int b = 0; b < 2; b++) {
        fsn_rng_t r;
        fsn_rng_seed(&r, 40 + (uint64_t)b);
        double s1 = 0, s2 = 0;
        for (long i = 0; i < n; i++) {
            double h = helpers_to_floor(&s, 10000, &r);
            s1 += h;
            s2 += h * h;
        }
        mean[b] = s1 / n;
        var[b] = s2 / n - mean[b] * mean[b];
    }
    double se = sqrt((var[0] + var[1]) / n);
    cr_assert_lt(fabs(mean[0] - mean[1]), 5.0 * se, "batches average %g and %g helpers", mean[0],
                 mean[1]);
    /* More than the shares alone would need (a few helpers), fewer than
     * one helper per fen. */
    cr_assert(mean[0] > 100 && mean[0] < 10000, "mean %g", mean[0]);
}

Test(sample, cut_schedule_check_rejects_bad_fields_and_names_them) {
    fsn_cut_schedule_t def;
    fsn_cut_schedule_default(&def);
    cr_assert_eq(def.kind, FSN_CUT_SHRINKING);
    cr_assert_eq(def.first_share, 0.5);
    cr_assert_eq(def.decay, 0.7);
    cr_assert_eq(def.jitter, 0.5);
    cr_assert_eq(def.helpers, 8);
    cr_assert_eq(def.min_cut_fen, 1);
    cr_assert_eq(fsn_cut_schedule_check(&def, NULL), FSN_OK);

    struct {
        fsn_cut_schedule_t s;
        const char *field;
    } bad[14];
    int nb = 0;
#define BAD(KIND, FIELD, VALUE)                                                                    \
    do {                                                                                           \
        bad[nb].s = def;                                                                           \
        bad[nb].s.kind = (fsn_cut_kind_t)(KIND);                                                   \
        bad[nb].s.FIELD = VALUE;                                                                   \
        bad[nb].field = #FIELD;                                                                    \
        nb++;                                                                                      \
    } while (0)
    BAD(3, kind, (fsn_cut_kind_t)3);
    BAD(-1, kind, (fsn_cut_kind_t)-1);
    BAD(FSN_CUT_EQUAL, helpers, 0);
    BAD(FSN_CUT_RANDOM, helpers, 0);
    BAD(FSN_CUT_EQUAL, min_cut_fen, 0);
    BAD(FSN_CUT_SHRINKING, min_cut_fen, -5);
    BAD(FSN_CUT_SHRINKING, first_share, 0.0);
    BAD(FSN_CUT_SHRINKING, first_share, 1.5);
    BAD(FSN_CUT_SHRINKING, first_share, NAN);
    BAD(FSN_CUT_SHRINKING, decay, 0.0);
    BAD(FSN_CUT_SHRINKING, decay, 1.01);
    BAD(FSN_CUT_SHRINKING, jitter, -0.1);
    BAD(FSN_CUT_RANDOM, jitter, 1.5);
    BAD(FSN_CUT_RANDOM, jitter, NAN);
#undef BAD
    for (int i = 0; i < nb; i++) {
        fsn_error_t err = {0};
        cr_assert_eq(fsn_cut_schedule_check(&bad[i].s, &err), FSN_EINVAL, "case %d (%s) accepted",
                     i, bad[i].field);
        cr_assert(strncmp(err.msg, "cut: ", 5) == 0, "message \"%s\" lacks the prefix", err.msg);
        cr_assert(strstr(err.msg, bad[i].field), "message \"%s\" does not name %s", err.msg,
                  bad[i].field);
        cr_assert(strstr(err.msg, "expected"), "message \"%s\" gives no expected range", err.msg);
    }
    /* Fields a kind ignores are not checked. */
    fsn_cut_schedule_t eq = def;
    eq.kind = FSN_CUT_EQUAL;
    eq.jitter = 7.0;
    eq.decay = -1.0;
    cr_assert_eq(fsn_cut_schedule_check(&eq, NULL), FSN_OK);
}

Test(sample, cut_kind_names_round_trip) {
    for (int k = 0; k < FSN_CUT_KIND_COUNT; k++)
        cr_assert_eq(fsn_cut_kind_parse(fsn_cut_kind_name(k)), k);
    cr_assert_str_eq(fsn_cut_kind_name(FSN_CUT_EQUAL), "equal");
    cr_assert_str_eq(fsn_cut_kind_name(FSN_CUT_RANDOM), "random");
    cr_assert_str_eq(fsn_cut_kind_name(FSN_CUT_SHRINKING), "shrinking");
    cr_assert_str_eq(fsn_cut_kind_name(-1), "unknown");
    cr_assert_eq(fsn_cut_kind_parse("bogus"), -1);
    cr_assert_eq(fsn_cut_kind_parse(NULL), -1);
}

/* ---- reproducibility ----------------------------------------------- */

Test(sample, the_same_seed_gives_the_same_draws) {
    fsn_delay_t d[4] = {delay(FSN_DELAY_EXP, 2.0, 0.0), delay(FSN_DELAY_LOGNORMAL, 2.0, 1.0),
                        delay(FSN_DELAY_GAMMA, 2.0, 0.5), delay(FSN_DELAY_GAMMA, 2.0, 3.0)};
    fsn_cut_schedule_t cut = schedule(FSN_CUT_SHRINKING);
    fsn_rng_t a, b, c;
    fsn_rng_seed(&a, 99);
    fsn_rng_seed(&b, 99);
    fsn_rng_seed(&c, 100);
    int differs = 0;
    int64_t pa[20], pb[20], pc[20];
    for (int i = 0; i < 1000; i++) {
        double xa = fsn_sample_normal(&a), xb = fsn_sample_normal(&b);
        cr_assert_eq(xa, xb);
        differs |= xa != fsn_sample_normal(&c);
        cr_assert_eq(fsn_sample_gamma(&a, 0.7), fsn_sample_gamma(&b, 0.7));
        fsn_sample_gamma(&c, 0.7);
        for (int j = 0; j < 4; j++) {
            cr_assert_eq(fsn_delay_draw(&d[j], &a), fsn_delay_draw(&d[j], &b));
            fsn_delay_draw(&d[j], &c);
        }
        cr_assert_eq(fsn_redpacket_split(1000, 20, &a, pa, NULL), FSN_OK);
        cr_assert_eq(fsn_redpacket_split(1000, 20, &b, pb, NULL), FSN_OK);
        cr_assert_eq(fsn_redpacket_split(1000, 20, &c, pc, NULL), FSN_OK);
        cr_assert_arr_eq(pa, pb, sizeof pa);
        differs |= memcmp(pa, pc, sizeof pa) != 0;
        cr_assert_eq(fsn_cut_draw(&cut, 10000, 5000, (uint32_t)i % 5, &a),
                     fsn_cut_draw(&cut, 10000, 5000, (uint32_t)i % 5, &b));
    }
    cr_assert(differs, "another seed must give other draws");
}
