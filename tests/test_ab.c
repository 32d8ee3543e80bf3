/*
 * test_ab.c: comparing two designs: the paired statistics, common random
 * numbers, matching metrics across designs, the money block and the
 * files.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fission/ab.h"
#include "fission/scenario.h"

/* A small group buy on 1500 users over four days. */
static const char *group_text =
    "{\"name\": \"g\", \"graph\": {\"generator\": \"wechat\", \"n\": 1500, \"mean_degree\": 16, \"seed\": 2},"
    " \"campaigns\": [{\"name\": \"tuan\", \"type\": \"group\", \"price\": 199, \"budget\": 0,"
    "   \"group\": {\"size\": 3, \"deadline\": 24, \"price\": 149, \"coupon\": 10},"
    "   \"seeding\": {\"strategy\": \"random\", \"count\": 40}}],"
    " \"run\": {\"horizon\": 96, \"replicates\": 10, \"seed\": 1}}";

/* The same graph with a bargain instead. */
static const char *bargain_text =
    "{\"name\": \"b\", \"graph\": {\"generator\": \"wechat\", \"n\": 1500, \"mean_degree\": 16, \"seed\": 2},"
    " \"campaigns\": [{\"name\": \"kanjia\", \"type\": \"bargain\", \"price\": 199, \"budget\": 0,"
    "   \"bargain\": {\"floor\": 20, \"deadline\": 24},"
    "   \"seeding\": {\"strategy\": \"random\", \"count\": 40}}],"
    " \"run\": {\"horizon\": 96, \"replicates\": 10, \"seed\": 1}}";

static void parse(fsn_scenario_t *sc, const char *text, const char *const *sets, size_t nsets) {
    fsn_diags_t d;
    fsn_err_t rc = fsn_scenario_parse(sc, text, strlen(text), "test.json", NULL, sets, nsets, &d);
    cr_assert_eq(rc, FSN_OK, "%s", d.count ? d.msg[0] : "?");
}

static fsn_scenario_t *sa, *sb;
static fsn_csr_t g;

static void setup(void) {
    sa = malloc(sizeof *sa);
    sb = malloc(sizeof *sb);
    cr_assert(sa && sb);
    parse(sa, group_text, NULL, 0);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_scenario_graph(sa, &g, &err), FSN_OK, "%s", err.msg);
}

static void teardown(void) {
    fsn_csr_destroy(&g);
    free(sa);
    free(sb);
}

TestSuite(ab, .init = setup, .fini = teardown, .timeout = 120);

Test(ab, identical_samples_differ_by_exactly_nothing) {
    double a[6] = {1, 2, 3, 4, 5, 6};
    fsn_paired_stat_t s;
    fsn_paired_stats(a, a, 6, NAN, &s);
    cr_assert_eq(s.n, 6);
    cr_assert_eq(s.diff, 0.0);
    cr_assert_eq(s.sd_diff, 0.0);
    cr_assert_eq(s.ci_lo, 0.0);
    cr_assert_eq(s.ci_hi, 0.0);
    cr_assert_eq(s.p, 1.0);
    cr_assert_eq(s.significant, 0);
    cr_assert_float_eq(s.rel, 0.0, 1e-15);
}

Test(ab, a_constant_shift_is_exact_and_significant) {
    double a[5] = {10, 20, 30, 40, 50}, b[5] = {12, 22, 32, 42, 52};
    fsn_paired_stat_t s;
    fsn_paired_stats(a, b, 5, NAN, &s);
    cr_assert_eq(s.diff, 2.0);
    cr_assert_eq(s.ci_lo, 2.0);
    cr_assert_eq(s.ci_hi, 2.0);
    cr_assert_eq(s.p, 0.0);
    cr_assert(s.significant);
    cr_assert_float_eq(s.rel, 2.0 / 30.0, 1e-12);
}

Test(ab, pairs_with_a_missing_value_are_left_out) {
    double a[4] = {1, NAN, 3, 4}, b[4] = {2, 5, INFINITY, 6};
    fsn_paired_stat_t s;
    fsn_paired_stats(a, b, 4, NAN, &s);
    cr_assert_eq(s.n, 2);
    cr_assert_float_eq(s.diff, 1.5, 1e-12);   /* (1 + 2) / 2 */
}

Test(ab, the_paired_interval_and_p_value_are_the_t_test_s) {
    /* differences 1, 2, 3, 4, 5: mean 3, sd sqrt(2.5), se sqrt(0.5) */
    double a[5] = {0, 0, 0, 0, 0}, b[5] = {1, 2, 3, 4, 5};
    fsn_paired_stat_t s;
    fsn_paired_stats(a, b, 5, NAN, &s);
    double se = sqrt(0.5), t = gsl_cdf_tdist_Pinv(0.975, 4);
    cr_assert_float_eq(s.sd_diff, sqrt(2.5), 1e-12);
    cr_assert_float_eq(s.ci_lo, 3 - t * se, 1e-12);
    cr_assert_float_eq(s.ci_hi, 3 + t * se, 1e-12);
    cr_assert_float_eq(s.p, 2 * gsl_cdf_tdist_Q(3 / se, 4), 1e-12);
}

Test(ab, replicates_needed_follow_the_power_formula) {
    /* differences +-1 alternating (and mean 0): sd = sqrt(n / (n - 1)) */
    double a[10] = {0}, b[10];
    for (int i = 0; i < 10; i++) b[i] = i % 2 ? 1 : -1;
    fsn_paired_stat_t s;
    fsn_paired_stats(a, b, 10, 0.25, &s);
    double sd = sqrt(10.0 / 9.0), z = 1.959963984540054 + 0.8416212335729143;
    cr_assert_float_eq(s.sd_diff, sd, 1e-12);
    cr_assert_eq(s.reps_needed, ceil(pow(z * sd / 0.25, 2)), "got %g", s.reps_needed);
    /* the default delta: 5% of |mean A| */
    double a2[4] = {100, 100, 100, 100}, b2[4] = {101, 99, 102, 98};
    fsn_paired_stats(a2, b2, 4, NAN, &s);
    cr_assert_float_eq(s.delta, 5.0, 1e-12);
}

Test(ab, a_design_against_itself_is_significant_in_five_percent_of_samples) {
    /* Under no difference the paired t test rejects with probability
     * exactly 0.05 for normal differences. Over K = 4000 samples of 10
     * pairs, the rejection rate is a mean of Bernoulli(0.05): its sd is
     * sqrt(0.05 x 0.95 / 4000) = 0.00345, so 4.5 sigma is 0.0155. */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12345);
    const int K = 4000;
    int hits = 0;
    for (int k = 0; k < K; k++) {
        double a[10], b[10];
        for (int i = 0; i < 10; i++) {
            double shared = gsl_ran_gaussian(r, 30);   /* what CRN shares */
            a[i] = 100 + shared + gsl_ran_gaussian(r, 1);
            b[i] = 100 + shared + gsl_ran_gaussian(r, 1);
        }
        fsn_paired_stat_t s;
        fsn_paired_stats(a, b, 10, NAN, &s);
        hits += s.significant;
    }
    gsl_rng_free(r);
    double rate = (double)hits / K;
    cr_assert(fabs(rate - 0.05) <= 4.5 * sqrt(0.05 * 0.95 / K), "rejection rate %g", rate);
}

Test(ab, the_simulated_design_against_itself_on_other_streams_rejects_rarely) {
    /* The same design on independent streams (seed s and s + 1000): the
     * paired test's rejection rate over K = 120 seeds, with 10 replicates
     * each, is a mean of Bernoulli(~0.05) (the metric is a count of
     * buyers, near normal); sd sqrt(0.05 x 0.95 / 120) = 0.0199, 4.5 sigma
     * 0.0895: the rate must be at most 0.14. */
    const int K = 120;
    int hits = 0;
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 10;
    cfg.threads = 2;
    for (int k = 0; k < K; k++) {
        fsn_run_result_t r1, r2;
        fsn_error_t err = {0};
        cfg.seed = 1 + (uint64_t)k;
        cr_assert_eq(fsn_run_campaigns(&g, &sa->users, &sa->behaviour, sa->campaigns, sa->ncampaigns, &cfg, 0, &r1, &err), FSN_OK, "%s", err.msg);
        cfg.seed = 1001 + (uint64_t)k;
        cr_assert_eq(fsn_run_campaigns(&g, &sa->users, &sa->behaviour, sa->campaigns, sa->ncampaigns, &cfg, 0, &r2, &err), FSN_OK, "%s", err.msg);
        fsn_ab_cfg_t ac;
        fsn_ab_cfg_default(&ac);
        ac.reps = 10;
        fsn_ab_result_t ab;
        cr_assert_eq(fsn_ab_compare(&r1, sa->campaigns, 1, &r2, sa->campaigns, 1, "a", "b", &ac, &ab, &err), FSN_OK, "%s", err.msg);
        hits += fsn_ab_find(&ab, "money.buyers")->st.significant;
        fsn_ab_result_destroy(&ab);
        fsn_run_result_destroy(&r1);
        fsn_run_result_destroy(&r2);
    }
    double rate = (double)hits / K;
    cr_assert(rate <= 0.05 + 4.5 * sqrt(0.05 * 0.95 / K), "rejection rate %g", rate);
}

Test(ab, the_same_design_twice_on_common_random_numbers_differs_by_exactly_zero) {
    parse(sb, group_text, NULL, 0);
    fsn_ab_cfg_t cfg;
    fsn_ab_cfg_default(&cfg);
    cfg.reps = 6;
    fsn_ab_result_t ab;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_ab_run(&g, sa, sb, &cfg, &ab, &err), FSN_OK, "%s", err.msg);
    cr_assert_gt(ab.nrows, FSN_AB_MONEY_ROWS);
    for (size_t i = 0; i < ab.nrows; i++) {
        const fsn_paired_stat_t *s = &ab.rows[i].st;
        if (s->n == 0) continue;   /* a metric undefined in every replicate */
        cr_assert_eq(s->diff, 0.0, "%s differs by %g", ab.rows[i].name, s->diff);
        cr_assert_eq(s->significant, 0, "%s", ab.rows[i].name);
    }
    cr_assert(fsn_ab_find(&ab, "money.gmv")->st.mean_a > 0, "the campaign sold nothing");
    cr_assert(strstr(ab.verdict, "no significant difference"), "%s", ab.verdict);
    fsn_ab_result_destroy(&ab);
}

Test(ab, a_design_with_more_clicks_is_found_better) {
    /* B: every channel's click probability at 0.9 (A: the defaults) */
    const char *sets[] = {"behaviour.sharing.click.private=0.9", "behaviour.sharing.click.group_chat=0.9",
                          "behaviour.sharing.click.moments=0.9"};
    parse(sb, group_text, sets, 3);
    fsn_ab_cfg_t cfg;
    fsn_ab_cfg_default(&cfg);
    cfg.reps = 8;
    fsn_ab_result_t ab;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_ab_run(&g, sa, sb, &cfg, &ab, &err), FSN_OK, "%s", err.msg);
    const fsn_ab_row_t *clicked = fsn_ab_find(&ab, "campaign.tuan.clicked");
    cr_assert_not_null(clicked);
    cr_assert_gt(clicked->st.diff, 0, "clicks fell: %g", clicked->st.diff);
    cr_assert(clicked->st.significant, "p = %g", clicked->st.p);
    const fsn_ab_row_t *buyers = fsn_ab_find(&ab, "money.buyers");
    cr_assert_gt(buyers->st.diff, 0);
    cr_assert(buyers->st.significant, "p = %g", buyers->st.p);
    fsn_ab_result_destroy(&ab);
}

Test(ab, a_lower_group_price_with_no_budget_limit_sells_to_more_buyers) {
    const char *sets[] = {"campaigns[0].group.price=59"};
    parse(sb, group_text, sets, 1);
    fsn_ab_cfg_t cfg;
    fsn_ab_cfg_default(&cfg);
    cfg.reps = 10;
    fsn_ab_result_t ab;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_ab_run(&g, sa, sb, &cfg, &ab, &err), FSN_OK, "%s", err.msg);
    const fsn_ab_row_t *sub = fsn_ab_find(&ab, "money.subsidy");
    cr_assert_gt(sub->st.diff, 0, "a deeper discount must cost more subsidy");
    cr_assert(sub->st.significant, "p = %g", sub->st.p);
    fsn_ab_result_destroy(&ab);
}

Test(ab, differently_named_campaigns_are_paired_by_position) {
    parse(sb, bargain_text, NULL, 0);
    fsn_ab_cfg_t cfg;
    fsn_ab_cfg_default(&cfg);
    cfg.reps = 4;
    fsn_ab_result_t ab;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_ab_run(&g, sa, sb, &cfg, &ab, &err), FSN_OK, "%s", err.msg);
    const fsn_ab_row_t *r = fsn_ab_find(&ab, "campaign[0].gmv");
    cr_assert_not_null(r);
    cr_assert_str_eq(r->name_a, "campaign.tuan.gmv");
    cr_assert_str_eq(r->name_b, "campaign.kanjia.gmv");
    /* what only one design has is listed with the other side missing */
    r = fsn_ab_find(&ab, "campaign[0].groups_filled");
    cr_assert_not_null(r);
    cr_assert_str_eq(r->name_b, "");
    cr_assert(isnan(r->st.mean_b));
    r = fsn_ab_find(&ab, "campaign[0].bargains_won");
    cr_assert_not_null(r);
    cr_assert_str_eq(r->name_a, "");
    /* the money block is the campaign's own money, summed */
    cr_assert_float_eq(fsn_ab_find(&ab, "money.gmv")->st.mean_a, fsn_ab_find(&ab, "campaign[0].gmv")->st.mean_a, 1e-9);
    cr_assert_float_eq(fsn_ab_find(&ab, "money.net_gmv")->st.mean_b,
                       fsn_ab_find(&ab, "campaign[0].net_gmv")->st.mean_b, 1e-9);
    /* the same metric name in both (not a campaign metric) keeps its name */
    cr_assert_not_null(fsn_ab_find(&ab, "pay.wechat.orders"));
    fsn_ab_result_destroy(&ab);
}

Test(ab, a_delta_naming_no_metric_is_refused_with_a_suggestion) {
    parse(sb, group_text, NULL, 0);
    fsn_ab_delta_t d = {"money.net_gvm", 100};
    fsn_ab_cfg_t cfg;
    fsn_ab_cfg_default(&cfg);
    cfg.reps = 2;
    cfg.deltas = &d;
    cfg.ndeltas = 1;
    fsn_ab_result_t ab;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_ab_run(&g, sa, sb, &cfg, &ab, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "money.net_gvm") && strstr(err.msg, "money.net_gmv"), "%s", err.msg);
}

Test(ab, the_first_differing_graph_key_is_named) {
    const char *sets[] = {"graph.n=1600"};
    parse(sb, group_text, sets, 1);
    char where[128];
    cr_assert_eq(fsn_ab_section_diff(sa, sb, "graph", where, sizeof where), 1);
    cr_assert_str_eq(where, "graph.n");
    parse(sb, bargain_text, NULL, 0);
    cr_assert_eq(fsn_ab_section_diff(sa, sb, "graph", where, sizeof where), 0);
    cr_assert_eq(fsn_ab_section_diff(sa, sb, "users", where, sizeof where), 0);
    const char *u[] = {"users.tier_share.tier1=0.2", "users.tier_share.tier3+=0.5"};
    parse(sb, group_text, u, 2);
    cr_assert_eq(fsn_ab_section_diff(sa, sb, "users", where, sizeof where), 1);
    cr_assert_str_eq(where, "users.tier_share.tier1");
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strdup(buf);
}

Test(ab, the_files_are_the_same_bytes_with_one_or_two_threads) {
    parse(sb, bargain_text, NULL, 0);
    char dir[2][64];
    for (int t = 0; t < 2; t++) {
        snprintf(dir[t], sizeof dir[t], "/tmp/fission_ab_XXXXXX");
        cr_assert_not_null(mkdtemp(dir[t]));
        fsn_ab_cfg_t cfg;
        fsn_ab_cfg_default(&cfg);
        cfg.reps = 4;
        cfg.threads = (uint32_t)t + 1;
        fsn_ab_result_t ab;
        fsn_error_t err = {0};
        cr_assert_eq(fsn_ab_run(&g, sa, sb, &cfg, &ab, &err), FSN_OK, "%s", err.msg);
        cr_assert_eq(fsn_ab_write(dir[t], &ab, &err), FSN_OK, "%s", err.msg);
        fsn_ab_result_destroy(&ab);
    }
    const char *files[] = {"ab.csv", "ab.json"};
    for (int f = 0; f < 2; f++) {
        char p0[128], p1[128];
        snprintf(p0, sizeof p0, "%s/%s", dir[0], files[f]);
        snprintf(p1, sizeof p1, "%s/%s", dir[1], files[f]);
        char *a = slurp(p0), *b = slurp(p1);
        cr_assert_str_eq(a, b, "%s differs", files[f]);
        if (f == 0) cr_assert(!strncmp(a, "section,metric,", 15));
        free(a);
        free(b);
        remove(p0);
        remove(p1);
    }
    rmdir(dir[0]);
    rmdir(dir[1]);
}
