/*
 * test_attrs.c: the user-attribute module.
 *
 * Three kinds of check. Statistical: a population of N = 200000 users is
 * sampled with a fixed seed and every share or mean is compared with its
 * exact expectation (fsn_attr_params_expect) and, where the article gives
 * one, with the article's figure. The tolerance is 5 standard errors: for
 * a share p measured over n users sigma = sqrt(p (1 - p) / n), and for a
 * share within a group (P(tier 3+ | prefers WeChat Pay)) n is the size of
 * that group, since given the group's size the count is binomial. For a
 * mean of per-user probabilities with dispersion phi the per-user variance
 * is phi mu (1 - mu); for activity it is exp(sigma^2) - 1. A correct
 * sampler fails one such check with probability about 6e-7, and the seed
 * is fixed, so a failure means a bug. Exact: identities that hold for
 * every user (the preferred method is bound, values in range), and
 * determinism (same seed, same bytes). Validation: each bad field is
 * rejected with its name in the message.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "fission/attrs.h"

#define N 200000u
#define SEED UINT64_C(20231111)

static fsn_attr_params_t defaults(void) {
    fsn_attr_params_t p;
    fsn_attr_params_default(&p);
    return p;
}

/* Sample n users with parameters p from a stream seeded with seed. */
static void sample(fsn_users_t *u, uint32_t n, const fsn_attr_params_t *p, uint64_t seed) {
    fsn_error_t err = {0};
    cr_assert_eq(fsn_users_init(u, n, &err), FSN_OK, "%s", err.msg);
    fsn_rng_t r;
    fsn_rng_seed(&r, seed);
    cr_assert_eq(fsn_users_sample(u, p, &r, &err), FSN_OK, "%s", err.msg);
}

static void summarise(const fsn_users_t *u, fsn_users_summary_t *s) {
    fsn_error_t err = {0};
    cr_assert_eq(fsn_users_summary(u, s, &err), FSN_OK, "%s", err.msg);
}

static void expect(const fsn_attr_params_t *p, fsn_users_summary_t *e) {
    fsn_error_t err = {0};
    cr_assert_eq(fsn_attr_params_expect(p, e, &err), FSN_OK, "%s", err.msg);
}

/* Standard error of a share p measured over n users. */
static double share_sigma(double p, double n) {
    return sqrt(p * (1.0 - p) / n);
}

/* Standard error of a mean of n per-user Beta draws with mean mu and
 * dispersion phi: per-user variance phi mu (1 - mu). */
static double beta_mean_sigma(double mu, double phi, double n) {
    return sqrt(phi * mu * (1.0 - mu) / n);
}

static void assert_near(double observed, double expected, double sigma, const char *what) {
    cr_assert(fabs(observed - expected) <= 5.0 * sigma,
              "%s: observed %.6f, expected %.6f, |diff| = %.6f > 5 sigma = %.6f", what, observed,
              expected, fabs(observed - expected), 5.0 * sigma);
}

/* ---- article figures and statistical checks --------------------------- */

Test(attrs, defaults_pass_their_own_check) {
    fsn_attr_params_t p = defaults();
    fsn_error_t err = {0};
    cr_assert_eq(fsn_attr_params_check(&p, &err), FSN_OK, "%s", err.msg);
}

Test(attrs, defaults_imply_the_article_figures_exactly) {
    fsn_attr_params_t p = defaults();
    fsn_users_summary_t e;
    expect(&p, &e);
    cr_assert_float_eq(e.pref_share[FSN_PAY_WECHAT], 0.42, 1e-12);
    cr_assert_float_eq(e.pref_share[FSN_PAY_ALIPAY], 0.53, 1e-12);
    cr_assert_float_eq(e.pref_share[FSN_PAY_UNIONPAY], 0.05, 1e-12);
    cr_assert_float_eq(e.low_tier_given_wechat, 0.62, 1e-12);
    cr_assert_float_eq(e.age_35_plus_share, 0.68, 1e-12);
    cr_assert_float_eq(e.stickiness_by_pref[FSN_PAY_WECHAT], 0.68, 1e-12);
    cr_assert_float_eq(e.stickiness_by_pref[FSN_PAY_ALIPAY], 0.82, 1e-12);
    cr_assert_float_eq(e.discount_by_pref[FSN_PAY_WECHAT], 0.32, 1e-12);
    cr_assert_float_eq(e.discount_by_pref[FSN_PAY_ALIPAY], 0.47, 1e-12);
    cr_assert_float_eq(e.activity_mean, 1.0, 1e-12);
    cr_assert(e.multi_bound_share > 0.5, "most users bind more than one method");
}

Test(attrs, preferred_method_shares_match_the_article_penetration) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    const double article[FSN_PAY_COUNT] = {0.42, 0.53, 0.05}; /* T1 */
    for (int m = 0; m < FSN_PAY_COUNT; m++)
        assert_near(s.pref_share[m], article[m], share_sigma(article[m], N), fsn_pay_name(m));
    fsn_users_destroy(&u);
}

Test(attrs, sixty_two_percent_of_wechat_pay_users_live_in_tier_three_and_below) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    /* Conditional share: sigma from the number of WeChat Pay users. */
    const double nw = s.count_pref[FSN_PAY_WECHAT];
    cr_assert(nw > 0.3 * N);
    assert_near(s.low_tier_given_wechat, 0.62, share_sigma(0.62, nw), "P(tier 3+ | WeChat Pay)");
    /* WeChat Pay leans towards the lower tiers, as the article says. */
    cr_assert(s.low_tier_given_wechat > s.tier_share[FSN_TIER_3PLUS] + 0.03);
    fsn_users_destroy(&u);
}

Test(attrs, tier_given_preferred_method_matches_the_joint_law) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s, e;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    expect(&p, &e);
    for (int m = 0; m < FSN_PAY_COUNT; m++)
        for (int t = 0; t < FSN_TIER_COUNT; t++) {
            const double q = e.tier_given_pref[m][t];
            assert_near(s.tier_given_pref[m][t], q, share_sigma(q, s.count_pref[m]),
                        fsn_tier_name(t));
        }
    fsn_users_destroy(&u);
}

Test(attrs, tier_shares_match_the_parameters) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    for (int t = 0; t < FSN_TIER_COUNT; t++)
        assert_near(s.tier_share[t], p.tier_share[t], share_sigma(p.tier_share[t], N),
                    fsn_tier_name(t));
    fsn_users_destroy(&u);
}

Test(attrs, age_shares_match_and_sixty_eight_percent_are_35_or_older) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    for (int a = 0; a < FSN_AGE_COUNT; a++)
        assert_near(s.age_share[a], p.age_share[a], share_sigma(p.age_share[a], N),
                    fsn_age_name(a));
    assert_near(s.age_35_plus_share, 0.68, share_sigma(0.68, N), "35+"); /* T2 text */
    fsn_users_destroy(&u);
}

Test(attrs, every_users_preferred_method_is_among_its_bound_methods) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    sample(&u, N, &p, SEED);
    for (uint32_t i = 0; i < u.n; i++) {
        cr_assert_lt(u.pref[i], FSN_PAY_COUNT);
        cr_assert(u.bound[i] & FSN_PAY_BIT(u.pref[i]), "user %u prefers %s but binds 0x%x", i,
                  fsn_pay_name(u.pref[i]), u.bound[i]);
        cr_assert_eq(u.bound[i] & ~FSN_PAY_MASK_ALL, 0);
    }
    fsn_users_destroy(&u);
}

Test(attrs, most_users_bind_more_than_one_method_at_the_expected_rates) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s, e;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    expect(&p, &e);
    cr_assert(s.multi_bound_share > 0.5);
    assert_near(s.multi_bound_share, e.multi_bound_share, share_sigma(e.multi_bound_share, N),
                "binding two or more");
    for (int m = 0; m < FSN_PAY_COUNT; m++)
        assert_near(s.bound_share[m], e.bound_share[m], share_sigma(e.bound_share[m], N),
                    fsn_pay_name(m));
    fsn_users_destroy(&u);
}

Test(attrs, stickiness_means_by_method_match_the_habit_inputs) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    for (int m = 0; m < FSN_PAY_COUNT; m++) {
        const double mu = p.stickiness_mean[m];
        assert_near(s.stickiness_by_pref[m], mu,
                    beta_mean_sigma(mu, p.stickiness_dispersion, s.count_pref[m]), fsn_pay_name(m));
    }
    /* T6: 68% for WeChat Pay users, 82% for Alipay users. */
    cr_assert_float_eq(p.stickiness_mean[FSN_PAY_WECHAT], 0.68, 1e-12);
    cr_assert_float_eq(p.stickiness_mean[FSN_PAY_ALIPAY], 0.82, 1e-12);
    fsn_users_destroy(&u);
}

Test(attrs, discount_sensitivity_means_by_method_match_the_habit_inputs) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    for (int m = 0; m < FSN_PAY_COUNT; m++) {
        const double mu = p.discount_mean[m];
        assert_near(s.discount_by_pref[m], mu,
                    beta_mean_sigma(mu, p.discount_dispersion, s.count_pref[m]), fsn_pay_name(m));
    }
    /* T6: 32% for WeChat Pay users, 47% for Alipay users. */
    cr_assert_float_eq(p.discount_mean[FSN_PAY_WECHAT], 0.32, 1e-12);
    cr_assert_float_eq(p.discount_mean[FSN_PAY_ALIPAY], 0.47, 1e-12);
    fsn_users_destroy(&u);
}

Test(attrs, price_sensitivity_is_higher_in_lower_tiers) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    for (int t = 0; t < FSN_TIER_COUNT; t++) {
        const double mu = p.price_sens_mean[t];
        assert_near(s.price_sens_by_tier[t], mu,
                    beta_mean_sigma(mu, p.price_sens_dispersion, s.count_tier[t]),
                    fsn_tier_name(t));
    }
    cr_assert_lt(s.price_sens_by_tier[FSN_TIER_1], s.price_sens_by_tier[FSN_TIER_2]);
    cr_assert_lt(s.price_sens_by_tier[FSN_TIER_2], s.price_sens_by_tier[FSN_TIER_3PLUS]);
    fsn_users_destroy(&u);
}

Test(attrs, activity_has_mean_one_and_a_lognormal_tail) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    const double sg = p.activity_sigma;
    /* Lognormal with mean 1: variance exp(sigma^2) - 1. */
    assert_near(s.activity_mean, 1.0, sqrt((exp(sg * sg) - 1.0) / N), "activity mean");
    /* P(A > 5) = P(Z > (ln 5 + sigma^2 / 2) / sigma), a share. */
    const double tail = 0.5 * erfc((log(5.0) + 0.5 * sg * sg) / sg / sqrt(2.0));
    uint32_t above = 0;
    for (uint32_t i = 0; i < u.n; i++) {
        cr_assert(u.activity[i] > 0.0f && isfinite(u.activity[i]));
        above += u.activity[i] > 5.0f;
    }
    assert_near((double)above / N, tail, share_sigma(tail, N), "P(activity > 5)");
    fsn_users_destroy(&u);
}

Test(attrs, every_value_lies_in_its_range) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    sample(&u, N, &p, SEED);
    for (uint32_t i = 0; i < u.n; i++) {
        cr_assert_lt(u.tier[i], FSN_TIER_COUNT);
        cr_assert_lt(u.age[i], FSN_AGE_COUNT);
        cr_assert(u.stickiness[i] >= 0.0f && u.stickiness[i] <= 1.0f);
        cr_assert(u.discount_sens[i] >= 0.0f && u.discount_sens[i] <= 1.0f);
        cr_assert(u.price_sens[i] >= 0.0f && u.price_sens[i] <= 1.0f);
    }
    fsn_users_destroy(&u);
}

/* ---- dispersion extremes ---------------------------------------------- */

Test(attrs, zero_dispersion_gives_every_user_the_mean) {
    fsn_attr_params_t p = defaults();
    p.stickiness_dispersion = 0.0;
    p.activity_sigma = 0.0;
    fsn_users_t u;
    sample(&u, 10000, &p, SEED);
    for (uint32_t i = 0; i < u.n; i++) {
        cr_assert_eq(u.stickiness[i], (float)p.stickiness_mean[u.pref[i]]);
        cr_assert_eq(u.activity[i], 1.0f);
    }
    fsn_users_destroy(&u);
}

Test(attrs, full_dispersion_turns_a_probability_into_a_flag_with_the_same_mean) {
    fsn_attr_params_t p = defaults();
    p.discount_dispersion = 1.0;
    fsn_users_t u;
    fsn_users_summary_t s;
    sample(&u, N, &p, SEED);
    summarise(&u, &s);
    for (uint32_t i = 0; i < u.n; i++)
        cr_assert(u.discount_sens[i] == 0.0f || u.discount_sens[i] == 1.0f);
    for (int m = 0; m < FSN_PAY_COUNT; m++) {
        const double mu = p.discount_mean[m];
        assert_near(s.discount_by_pref[m], mu, share_sigma(mu, s.count_pref[m]), fsn_pay_name(m));
    }
    fsn_users_destroy(&u);
}

/* ---- determinism ------------------------------------------------------ */

static int same_arrays(const fsn_users_t *a, const fsn_users_t *b, int *differing) {
    const size_t n = a->n;
    const int d[8] = {
        memcmp(a->tier, b->tier, n) != 0,
        memcmp(a->age, b->age, n) != 0,
        memcmp(a->bound, b->bound, n) != 0,
        memcmp(a->pref, b->pref, n) != 0,
        memcmp(a->stickiness, b->stickiness, n * sizeof(float)) != 0,
        memcmp(a->discount_sens, b->discount_sens, n * sizeof(float)) != 0,
        memcmp(a->price_sens, b->price_sens, n * sizeof(float)) != 0,
        memcmp(a->activity, b->activity, n * sizeof(float)) != 0,
    };
    int all_same = 1;
    for (int i = 0; i < 8; i++) {
        if (differing) differing[i] = d[i];
        if (d[i]) all_same = 0;
    }
    return all_same;
}

Test(attrs, the_same_seed_gives_byte_identical_arrays) {
    fsn_attr_params_t p = defaults();
    fsn_users_t a, b;
    sample(&a, 50000, &p, SEED);
    sample(&b, 50000, &p, SEED);
    cr_assert(same_arrays(&a, &b, NULL));
    fsn_users_destroy(&a);
    fsn_users_destroy(&b);
}

Test(attrs, a_different_seed_gives_different_arrays) {
    fsn_attr_params_t p = defaults();
    fsn_users_t a, b;
    int d[8];
    sample(&a, 50000, &p, SEED);
    sample(&b, 50000, &p, SEED + 1);
    same_arrays(&a, &b, d);
    for (int i = 0; i < 8; i++)
        cr_assert(d[i], "array %d is the same under another seed", i);
    fsn_users_destroy(&a);
    fsn_users_destroy(&b);
}

Test(attrs, sampling_advances_the_callers_stream) {
    fsn_attr_params_t p = defaults();
    fsn_error_t err = {0};
    fsn_users_t a, b;
    fsn_rng_t r;
    fsn_rng_seed(&r, SEED);
    cr_assert_eq(fsn_users_init(&a, 1000, &err), FSN_OK);
    cr_assert_eq(fsn_users_init(&b, 1000, &err), FSN_OK);
    cr_assert_eq(fsn_users_sample(&a, &p, &r, &err), FSN_OK);
    cr_assert_eq(fsn_users_sample(&b, &p, &r, &err), FSN_OK);
    cr_assert_neq(memcmp(a.activity, b.activity, 1000 * sizeof(float)), 0);
    fsn_users_destroy(&a);
    fsn_users_destroy(&b);
}

Test(attrs, changing_one_attribute_leaves_the_draws_of_the_others_unchanged) {
    fsn_attr_params_t p = defaults(), q = defaults();
    q.activity_sigma = 0.5;
    q.stickiness_mean[FSN_PAY_ALIPAY] = 0.9;
    fsn_users_t a, b;
    int d[8];
    sample(&a, 20000, &p, SEED);
    sample(&b, 20000, &q, SEED);
    same_arrays(&a, &b, d);
    /* tier, age, bound, pref, stickiness, discount, price, activity */
    const int expect_diff[8] = {0, 0, 0, 0, 1, 0, 0, 1};
    for (int i = 0; i < 8; i++)
        cr_assert_eq(d[i], expect_diff[i], "array %d", i);
    fsn_users_destroy(&a);
    fsn_users_destroy(&b);
}

/* ---- validation ------------------------------------------------------- */

typedef struct bad_field {
    const char *field; /* what err.msg must name */
    size_t offset;     /* of the double to spoil */
    double value;      /* new value, or added to the default if relative */
    int relative;
} bad_field_t;

#define AT(member) offsetof(fsn_attr_params_t, member)

static const bad_field_t bad_fields[] = {
    {"tier_share[1]", AT(tier_share[1]), 1.5, 0},
    {"tier_share[0]", AT(tier_share[0]), -0.01, 0},
    {"tier_share[2]", AT(tier_share[2]), NAN, 0},
    {"tier_share sums", AT(tier_share[0]), 1e-8, 1},
    {"age_share[3]", AT(age_share[3]), 2.0, 0},
    {"age_share sums", AT(age_share[0]), 0.01, 1},
    {"pref_by_tier[2][1]", AT(pref_by_tier[2][1]), -0.2, 0},
    {"pref_by_tier[1] sums", AT(pref_by_tier[1][0]), 0.01, 1},
    {"bind_extra[2]", AT(bind_extra[2]), 1.01, 0},
    {"stickiness_mean[0]", AT(stickiness_mean[0]), 1.2, 0},
    {"stickiness_dispersion", AT(stickiness_dispersion), -0.1, 0},
    {"discount_mean[1]", AT(discount_mean[1]), NAN, 0},
    {"discount_dispersion", AT(discount_dispersion), 1.5, 0},
    {"price_sens_mean[2]", AT(price_sens_mean[2]), -1.0, 0},
    {"price_sens_dispersion", AT(price_sens_dispersion), INFINITY, 0},
    {"activity_sigma", AT(activity_sigma), -0.5, 0},
    {"activity_sigma", AT(activity_sigma), 4.5, 0},
    {"activity_sigma", AT(activity_sigma), NAN, 0},
};

Test(attrs, params_check_rejects_each_bad_field_and_names_it) {
    for (size_t i = 0; i < sizeof bad_fields / sizeof bad_fields[0]; i++) {
        const bad_field_t *b = &bad_fields[i];
        fsn_attr_params_t p = defaults();
        double *x = (double *)((char *)&p + b->offset);
        *x = b->relative ? *x + b->value : b->value;
        fsn_error_t err = {0};
        cr_assert_eq(fsn_attr_params_check(&p, &err), FSN_EINVAL, "%s accepted", b->field);
        cr_assert_eq(err.code, FSN_EINVAL);
        cr_assert(strstr(err.msg, b->field), "message \"%s\" does not name %s", err.msg, b->field);
        cr_assert(strstr(err.msg, "expected"), "message \"%s\" gives no expected range", err.msg);
    }
}

Test(attrs, shares_may_miss_one_by_less_than_1e_9) {
    fsn_attr_params_t p = defaults();
    fsn_error_t err = {0};
    p.tier_share[0] += 1e-12;
    p.pref_by_tier[2][2] -= 1e-12;
    cr_assert_eq(fsn_attr_params_check(&p, &err), FSN_OK, "%s", err.msg);
}

Test(attrs, sampling_with_bad_params_fails_and_touches_nothing) {
    fsn_attr_params_t p = defaults();
    p.bind_extra[1] = 7.0;
    fsn_users_t u;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_users_init(&u, 100, &err), FSN_OK);
    fsn_rng_t r, r0;
    fsn_rng_seed(&r, SEED);
    r0 = r;
    cr_assert_eq(fsn_users_sample(&u, &p, &r, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "bind_extra[1]"), "%s", err.msg);
    cr_assert_eq(memcmp(&r, &r0, sizeof r), 0);
    for (uint32_t i = 0; i < u.n; i++)
        cr_assert_eq(u.bound[i], 0);
    fsn_users_destroy(&u);
}

/* ---- fitting the joint tier / payment law ----------------------------- */

Test(attrs, fitting_with_the_tier_share_as_target_makes_tier_and_method_independent) {
    fsn_attr_params_t p = defaults();
    const double pen[FSN_PAY_COUNT] = {0.42, 0.53, 0.05};
    fsn_error_t err = {0};
    cr_assert_eq(fsn_attr_params_fit_pref(&p, pen, p.tier_share[FSN_TIER_3PLUS], &err), FSN_OK,
                 "%s", err.msg);
    for (int t = 0; t < FSN_TIER_COUNT; t++)
        for (int m = 0; m < FSN_PAY_COUNT; m++)
            cr_assert_float_eq(p.pref_by_tier[t][m], pen[m], 1e-12);
}

Test(attrs, fitting_rejects_figures_no_table_can_meet) {
    fsn_attr_params_t p = defaults();
    p.tier_share[0] = 0.5;
    p.tier_share[1] = 0.3;
    p.tier_share[2] = 0.2; /* 0.62 x 0.42 = 0.26 of users cannot fit in 0.2 */
    fsn_attr_params_t before = p;
    const double pen[FSN_PAY_COUNT] = {0.42, 0.53, 0.05};
    fsn_error_t err = {0};
    cr_assert_eq(fsn_attr_params_fit_pref(&p, pen, 0.62, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "low_tier_given_wechat"), "%s", err.msg);
    cr_assert_eq(memcmp(&p, &before, sizeof p), 0, "params changed on failure");

    const double bad[FSN_PAY_COUNT] = {0.5, 0.5, 0.5};
    cr_assert_eq(fsn_attr_params_fit_pref(&p, bad, 0.5, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "pref_share sums"), "%s", err.msg);
    cr_assert_eq(fsn_attr_params_fit_pref(&p, pen, 1.5, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "low_tier_given_wechat"), "%s", err.msg);
}

Test(attrs, fitting_meets_other_targets_exactly) {
    fsn_attr_params_t p = defaults();
    const double pen[FSN_PAY_COUNT] = {0.30, 0.60, 0.10};
    fsn_error_t err = {0};
    cr_assert_eq(fsn_attr_params_fit_pref(&p, pen, 0.70, &err), FSN_OK, "%s", err.msg);
    fsn_users_summary_t e;
    expect(&p, &e);
    for (int m = 0; m < FSN_PAY_COUNT; m++)
        cr_assert_float_eq(e.pref_share[m], pen[m], 1e-12);
    cr_assert_float_eq(e.low_tier_given_wechat, 0.70, 1e-12);
}

/* ---- summary, sizes, names -------------------------------------------- */

Test(attrs, summary_rejects_corrupted_users_and_names_them) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s;
    fsn_error_t err = {0};
    sample(&u, 100, &p, SEED);
    u.tier[5] = 9;
    cr_assert_eq(fsn_users_summary(&u, &s, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "user 5") && strstr(err.msg, "tier"), "%s", err.msg);
    u.tier[5] = 0;
    u.bound[7] = (uint8_t)(FSN_PAY_MASK_ALL & ~FSN_PAY_BIT(u.pref[7]));
    cr_assert_eq(fsn_users_summary(&u, &s, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "user 7") && strstr(err.msg, "bound"), "%s", err.msg);
    fsn_users_destroy(&u);
}

Test(attrs, zero_users_work_and_undefined_shares_are_nan) {
    fsn_attr_params_t p = defaults();
    fsn_users_t u;
    fsn_users_summary_t s;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_users_init(&u, 0, &err), FSN_OK);
    cr_assert_eq(u.n, 0);
    cr_assert_null(u.tier);
    cr_assert_eq(fsn_users_bytes(&u), 0);
    fsn_rng_t r;
    fsn_rng_seed(&r, SEED);
    cr_assert_eq(fsn_users_sample(&u, &p, &r, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(fsn_users_summary(&u, &s, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(s.n, 0);
    cr_assert(isnan(s.pref_share[0]) && isnan(s.low_tier_given_wechat) && isnan(s.activity_mean));
    fsn_users_destroy(&u);
}

Test(attrs, destroy_accepts_null_and_a_destroyed_struct) {
    fsn_users_t u;
    fsn_error_t err = {0};
    fsn_users_destroy(NULL);
    cr_assert_eq(fsn_users_init(&u, 10, &err), FSN_OK);
    cr_assert_eq(fsn_users_bytes(&u), 200);
    fsn_users_destroy(&u);
    fsn_users_destroy(&u);
    cr_assert_eq(u.n, 0);
}

Test(attrs, names_round_trip_and_unknown_codes_are_named_unknown) {
    for (int m = 0; m < FSN_PAY_COUNT; m++)
        cr_assert_eq(fsn_pay_parse(fsn_pay_name(m)), m);
    for (int t = 0; t < FSN_TIER_COUNT; t++)
        cr_assert_eq(fsn_tier_parse(fsn_tier_name(t)), t);
    for (int a = 0; a < FSN_AGE_COUNT; a++)
        cr_assert_eq(fsn_age_parse(fsn_age_name(a)), a);
    cr_assert_str_eq(fsn_pay_name(FSN_PAY_WECHAT), "wechat");
    cr_assert_str_eq(fsn_tier_name(FSN_TIER_3PLUS), "tier3+");
    cr_assert_str_eq(fsn_age_name(FSN_AGE_45_PLUS), "45+");
    cr_assert_str_eq(fsn_pay_name(FSN_PAY_COUNT), "unknown");
    cr_assert_str_eq(fsn_tier_name(-1), "unknown");
    cr_assert_eq(fsn_pay_parse("paypal"), -1);
    cr_assert_eq(fsn_age_parse(NULL), -1);
}
