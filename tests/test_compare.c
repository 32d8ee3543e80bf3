/*
 * test_compare.c: intervals, the comparison's arithmetic, and calibration
 * recovering known parameters.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fission/calibrate.h"
#include "fission/compare.h"
#include "fission/rng.h"
#include "fission/sample.h"
#include "fission/stats.h"

/* 4000 samples of 10 normal values: the 95% t interval of the mean
 * should contain the true mean in 95% of them. The count is binomial
 * (4000, 0.95): SE of the share = sqrt(0.95 x 0.05 / 4000) = 0.00345; we
 * allow 5 SE = 0.0172. A z interval (1.96 instead of t(9) = 2.262) would
 * cover about 91.9% and fail. */
Test(stats, the_t_interval_of_the_mean_covers_the_true_mean_95_percent_of_the_time) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 20261126);
    const int samples = 4000, n = 10;
    double x[10], scratch[10];
    int covered = 0;
    for (int s = 0; s < samples; s++) {
        for (int i = 0; i < n; i++) x[i] = 3.0 + 2.0 * fsn_sample_normal(&r);
        fsn_summary_t sm;
        fsn_stats_summarize(x, n, scratch, &sm);
        covered += sm.ci_lo <= 3.0 && 3.0 <= sm.ci_hi;
    }
    double share = (double)covered / samples;
    cr_assert(fabs(share - 0.95) <= 5 * sqrt(0.95 * 0.05 / samples), "coverage %g", share);
}

static fsn_figure_t fig(const char *id, const char *metric, double value, double tol, int relative, int at_most) {
    fsn_figure_t f;
    memset(&f, 0, sizeof f);
    snprintf(f.id, sizeof f.id, "%s", id);
    snprintf(f.metric, sizeof f.metric, "%s", metric);
    snprintf(f.unit, sizeof f.unit, "share");
    f.value = value;
    f.tol = tol;
    f.relative = relative;
    f.at_most = at_most;
    f.simulated = 1;
    return f;
}

Test(compare, deviations_z_scores_and_tolerances_follow_their_definitions) {
    fsn_figure_t figs[7] = {
        fig("a", "m.a", 0.20, 0.04, 0, 0),      /* 0.23: within (0.03 <= 0.04) */
        fig("b", "m.b", 0.20, 0.04, 0, 0),      /* 0.25: out */
        fig("c", "m.c", 300, 0.05, 1, 0),       /* 314: within 5% (15) */
        fig("d", "m.d", 300, 0.05, 1, 0),       /* 280: out (20 > 15) */
        fig("e", "m.e", 0.007, 0.002, 0, 1),    /* 0.001: within an upper bound however far below */
        fig("f", "m.missing", 0.5, 0.1, 0, 0),  /* no such metric */
        fig("g", "", 0.5, 0, 0, 0),             /* not simulated */
    };
    figs[6].simulated = 0;
    fsn_reference_t ref = {7, figs, ""};
    fsn_metric_stat_t s[5] = {
        {"m.a", 10, 0.23, 0.01, 0.21, 0.25}, {"m.b", 10, 0.25, 0.005, 0.24, 0.26}, {"m.c", 10, 314, 2, 310, 318},
        {"m.d", 10, 280, 4, 271, 289},       {"m.e", 10, 0.001, 0.0005, 0.0, 0.002}};
    fsn_metric_stats_t st = {5, s};
    fsn_compare_row_t rows[7];
    size_t counts[4];
    fsn_compare(&ref, &st, rows, counts);
    cr_assert_eq(rows[0].status, FSN_CMP_WITHIN);
    cr_assert_float_eq(rows[0].dev, 0.03, 1e-12);
    cr_assert_float_eq(rows[0].z, 3.0, 1e-9);
    cr_assert_eq(rows[1].status, FSN_CMP_OUT);
    cr_assert_float_eq(rows[1].z, 10.0, 1e-9);
    cr_assert_eq(rows[2].status, FSN_CMP_WITHIN);
    cr_assert_eq(rows[3].status, FSN_CMP_OUT);
    cr_assert_float_eq(rows[3].z, -5.0, 1e-9);
    cr_assert_eq(rows[4].status, FSN_CMP_WITHIN);
    cr_assert_eq(rows[5].status, FSN_CMP_MISSING);
    cr_assert_eq(rows[6].status, FSN_CMP_NOT_SIMULATED);
    cr_assert_eq(counts[FSN_CMP_WITHIN], 3);
    cr_assert_eq(counts[FSN_CMP_OUT], 2);
    cr_assert_eq(counts[FSN_CMP_MISSING], 1);
    cr_assert_eq(counts[FSN_CMP_NOT_SIMULATED], 1);
    /* the objective counts squared deviations in tolerances, 100 for a
     * figure not measured, nothing below an upper bound */
    double j = fsn_calib_objective(&ref, &st, 0);
    double expect = pow(0.03 / 0.04, 2) + pow(0.05 / 0.04, 2) + pow(14 / 15.0, 2) + pow(20 / 15.0, 2) + 0 + 100;
    cr_assert_float_eq(j, expect, 1e-9);
    /* the hinge adds W (|d| - 0.9)^2 for the figures beyond 0.9 tolerances
     * only: 1.25, 0.933 and 1.333 tolerances here, not 0.75 */
    j = fsn_calib_objective(&ref, &st, 50);
    expect += 50 * (pow(0.05 / 0.04 - 0.9, 2) + pow(14 / 15.0 - 0.9, 2) + pow(20 / 15.0 - 0.9, 2));
    cr_assert_float_eq(j, expect, 1e-9);
}

Test(compare, the_article_reference_file_loads_and_every_simulated_figure_names_a_metric) {
    fsn_reference_t ref;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_reference_load(&ref, FISSION_TEST_DATA "/../../scenarios/reference/article-2023.json", &err), FSN_OK,
                 "%s", err.msg);
    size_t sim = 0;
    for (size_t i = 0; i < ref.n; i++) {
        if (!ref.fig[i].simulated) {
            cr_assert(ref.fig[i].reason[0], "%s has no reason", ref.fig[i].id);
            continue;
        }
        sim++;
        cr_assert(ref.fig[i].metric[0] && isfinite(ref.fig[i].value) && ref.fig[i].tol > 0, "%s", ref.fig[i].id);
    }
    cr_assert_geq(sim, 30);
    fsn_reference_destroy(&ref);
}

/* A small scenario whose app figures depend smoothly on two parameters. */
static const char *base =
    "{\"graph\": {\"generator\": \"wechat\", \"n\": 2000, \"mean_degree\": 10},"
    " \"campaigns\": [{\"type\": \"link\", \"seeding\": {\"count\": 5}}],"
    " \"run\": {\"horizon\": 240}}";

Test(calibrate, recovers_the_parameters_a_synthetic_reference_was_made_with, .timeout = 120) {
    /* 1. simulate with known values */
    const char *truth[] = {"behaviour.visits.visit_rate=1.6", "behaviour.decisions.buy_base=-1.8"};
    fsn_scenario_t *sc = malloc(sizeof *sc);
    fsn_diags_t *d = malloc(sizeof *d);
    cr_assert(sc && d);
    cr_assert_eq(fsn_scenario_parse(sc, base, strlen(base), "synthetic.json", ".", truth, 2, d), FSN_OK, "%s", d->msg[0]);
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_scenario_graph(sc, &g, &err), FSN_OK, "%s", err.msg);
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 4;
    cfg.seed = 11;
    cfg.threads = 2;
    fsn_run_result_t res;
    cr_assert_eq(fsn_run_campaigns(&g, &sc->users, &sc->behaviour, sc->campaigns, sc->ncampaigns, &cfg, 0, &res, &err),
                 FSN_OK, "%s", err.msg);
    fsn_metric_stats_t st;
    cr_assert_eq(fsn_metric_stats_from_result(&res, &st, &err), FSN_OK);
    /* 2. a reference made of what it gave */
    const char *metrics[] = {"channel.app.opens_per_month", "channel.app.conversion", "channel.mini_program.conversion"};
    fsn_figure_t figs[3];
    for (int i = 0; i < 3; i++) {
        double v = NAN;
        for (size_t k = 0; k < st.n; k++)
            if (!strcmp(st.s[k].name, metrics[i])) v = st.s[k].mean;
        cr_assert(isfinite(v), "%s", metrics[i]);
        figs[i] = fig(metrics[i], metrics[i], v, 0.02 * v, 0, 0);
    }
    fsn_reference_t ref = {3, figs, ""};
    /* 3. calibrate from elsewhere, with the same replicates and seed:
     * common random numbers make the objective exactly 0 at the truth */
    fsn_free_param_t fp[2] = {{"behaviour.visits.visit_rate", 0.2, 5, 0.8}, {"behaviour.decisions.buy_base", -5, 1, -3.0}};
    fsn_calib_cfg_t cc;
    fsn_calib_cfg_default(&cc);
    cc.reps = 4;
    cc.seed = 11;
    cc.threads = 2;
    cc.max_evals = 150;
    cc.size_tol = 1e-4;
    fsn_calib_result_t out;
    cr_assert_eq(fsn_calibrate(base, strlen(base), "synthetic.json", ".", NULL, 0, &g, &ref, fp, 2, &cc, NULL, NULL, &out, &err),
                 FSN_OK, "%s", err.msg);
    cr_log_info("fitted visit_rate %g (1.6), buy_base %g (-1.8), J %g after %zu evaluations", out.params[0],
                out.params[1], out.objective, out.evals);
    /* within 5% of each truth: the figures were matched to 2%, and both
     * parameters move them at least proportionally */
    cr_assert(fabs(out.params[0] - 1.6) < 0.05 * 1.6, "visit_rate %g", out.params[0]);
    cr_assert(fabs(out.params[1] + 1.8) < 0.05 * 1.8, "buy_base %g", out.params[1]);
    cr_assert_lt(out.objective, 1.0);
    double v;
    cr_assert_eq(fsn_scenario_get_number(out.scenario, "behaviour.visits.visit_rate", &v), FSN_OK);
    cr_assert_float_eq(v, out.params[0], 1e-12);
    fsn_calib_result_destroy(&out);
    fsn_metric_stats_destroy(&st);
    fsn_run_result_destroy(&res);
    fsn_csr_destroy(&g);
    free(sc);
    free(d);
}

Test(calibrate, refuses_a_graph_key_an_integer_key_and_an_unknown_path) {
    fsn_scenario_t *sc = malloc(sizeof *sc);
    fsn_diags_t *d = malloc(sizeof *d);
    cr_assert_eq(fsn_scenario_parse(sc, base, strlen(base), "x.json", ".", NULL, 0, d), FSN_OK);
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_scenario_graph(sc, &g, &err), FSN_OK);
    fsn_figure_t f = fig("x", "channel.app.conversion", 0.1, 0.01, 0, 0);
    fsn_reference_t ref = {1, &f, ""};
    fsn_calib_cfg_t cc;
    fsn_calib_cfg_default(&cc);
    const char *paths[] = {"graph.n", "behaviour.sharing.private_friends", "behaviour.sharing.clik"};
    const char *words[] = {"graph", "integer", "no such"};
    for (int i = 0; i < 3; i++) {
        fsn_free_param_t fp = {"", 0, 10, NAN};
        snprintf(fp.path, sizeof fp.path, "%s", paths[i]);
        fsn_calib_result_t out;
        cr_assert_eq(fsn_calibrate(base, strlen(base), "x.json", ".", NULL, 0, &g, &ref, &fp, 1, &cc, NULL, NULL, &out, &err),
                     FSN_EINVAL);
        cr_assert(strstr(err.msg, paths[i]) && strstr(err.msg, words[i]), "%s", err.msg);
    }
    fsn_csr_destroy(&g);
    free(sc);
    free(d);
}
