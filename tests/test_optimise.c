/*
 * test_optimise.c: the design search on closed-form responses, where the
 * optimum is known exactly: integer, real and category levers, the cache,
 * constraints (on the mean and on an upper confidence bound), invalid
 * designs, runners-up and bad input.
 *
 * The responses carry "common random numbers" noise: replicate r adds
 * the same z_r to every design, as the simulator's shared streams do, so
 * the mean is shifted but comparisons between designs are exact.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fission/optimise.h"

static double crn(uint32_t r) { return 3.0 * sin(1.7 * (double)r + 0.3); }

/* Expected margin of a group of size k when the joiners within the
 * deadline are Poisson(lambda(p)) at member price p: the group fills if at
 * least k - 1 join; then k members pay p - 50 each over cost, less a
 * fixed 80 for running the group. Fewer join at a higher price:
 * lambda(p) = 12 exp(-(p - 50) / 50). */
static double margin(double k, double p) {
    double lambda = 12 * exp(-(p - 50) / 50);
    double fill = gsl_cdf_poisson_Q((unsigned)(k - 2), lambda);   /* P(X > k - 2) = P(X >= k - 1) */
    return fill * (k * (p - 50) - 80);
}

typedef struct tctx {
    uint32_t reps;
    size_t calls;
    int mode;
    int refuse_above;   /* refuse k above this (0: none) */
    fsn_err_t fail;     /* return this from every call (0: none) */
} tctx_t;

/* mode 0: margin(k) at p = 100, one integer lever
 * mode 1: margin(k, p): integer k, real p
 * mode 2: -(x - 8)^2 with constraint x <= 5 (x real or integer)
 * mode 3: like 2, the constraint metric noisy (+-1 alternating)
 * mode 4: a category table plus an integer */
static fsn_err_t eval(void *ctx, const double *x, double *obj, double *con, fsn_error_t *err) {
    tctx_t *c = ctx;
    c->calls++;
    if (c->fail) return fsn_error_set(err, c->fail, "the model broke");
    if (c->refuse_above && x[0] > c->refuse_above) return fsn_error_set(err, FSN_EINVAL, "k = %g is too big", x[0]);
    for (uint32_t r = 0; r < c->reps; r++) {
        double f = 0;
        switch (c->mode) {
        case 0:
            cr_assert_eq(x[0], floor(x[0]), "a non-integer k was evaluated: %g", x[0]);
            f = margin(x[0], 100);
            break;
        case 1:
            cr_assert_eq(x[0], floor(x[0]), "a non-integer k was evaluated: %g", x[0]);
            f = margin(x[0], x[1]);
            break;
        case 2:
        case 3:
            f = -(x[0] - 8) * (x[0] - 8);
            con[r] = x[0] + (c->mode == 3 ? (r % 2 ? 1.0 : -1.0) : 0.0);
            break;
        case 4: {
            static const double table[3] = {3, 7, 5};
            f = table[(int)x[0]] - (x[1] - 2) * (x[1] - 2);
            break;
        }
        }
        obj[r] = f + crn(r);
    }
    return FSN_OK;
}

static void int_lever(fsn_lever_t *l, const char *path, double lo, double hi) {
    memset(l, 0, sizeof *l);
    snprintf(l->path, sizeof l->path, "%s", path);
    l->kind = FSN_LEVER_INT;
    l->lo = lo;
    l->hi = hi;
    l->start = NAN;
}

static void real_lever(fsn_lever_t *l, const char *path, double lo, double hi) {
    int_lever(l, path, lo, hi);
    l->kind = FSN_LEVER_REAL;
}

static double exact_argmax_k(double p, int lo, int hi) {
    int best = lo;
    for (int k = lo; k <= hi; k++)
        if (margin(k, p) > margin(best, p)) best = k;
    return best;
}

Test(optimise, a_small_integer_grid_is_enumerated_and_its_exact_optimum_found) {
    fsn_lever_t l;
    int_lever(&l, "k", 2, 20);
    fsn_opt_cfg_t cfg;
    fsn_opt_cfg_default(&cfg);
    cfg.reps = 4;
    cfg.budget = 40;
    tctx_t c = {4, 0, 0, 0, 0};
    fsn_opt_result_t r;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_OK, "%s", err.msg);
    cr_assert_str_eq(r.method, "enumeration");
    cr_assert_eq(r.npoints, 19, "the start is on the grid: 19 designs, got %zu", r.npoints);
    cr_assert_eq(c.calls, r.npoints, "every design evaluated once");
    cr_assert_gt(r.requests, r.npoints, "the grid asked again for the start design");
    cr_assert_geq(r.best, 0);
    cr_assert_eq(r.pts[r.best].x[0], exact_argmax_k(100, 2, 20));
    fsn_opt_result_destroy(&r);
}

Test(optimise, the_compass_search_finds_the_integer_optimum_on_a_smaller_budget) {
    fsn_lever_t l;
    int_lever(&l, "k", 2, 40);
    fsn_opt_cfg_t cfg;
    fsn_opt_cfg_default(&cfg);
    cfg.reps = 3;
    cfg.budget = 20;   /* below the 39 designs of the grid */
    tctx_t c = {3, 0, 0, 0, 0};
    fsn_opt_result_t r;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_OK, "%s", err.msg);
    cr_assert_str_eq(r.method, "sobol+pattern");
    cr_assert_leq(r.npoints, 20);
    cr_assert_eq(c.calls, r.npoints, "a design asked twice is not evaluated twice");
    cr_assert_eq(r.pts[r.best].x[0], exact_argmax_k(100, 2, 40));
    fsn_opt_result_destroy(&r);
}

Test(optimise, group_size_and_price_together_reach_the_exact_optimum) {
    /* the exact optimum by enumeration: every k, prices on a 0.01 grid */
    double fbest = -INFINITY, kbest = 0;
    for (int k = 2; k <= 12; k++)
        for (int i = 0; i <= 10000; i++) {
            double f = margin(k, 50 + i * 0.01);
            if (f > fbest) fbest = f, kbest = k;
        }
    fsn_lever_t l[2];
    int_lever(&l[0], "campaigns[0].group.size", 2, 12);
    real_lever(&l[1], "campaigns[0].group.price", 50, 150);
    fsn_opt_cfg_t cfg;
    fsn_opt_cfg_default(&cfg);
    cfg.reps = 3;
    cfg.budget = 120;
    tctx_t c = {3, 0, 1, 0, 0};
    fsn_opt_result_t r;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_optimise(l, 2, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_OK, "%s", err.msg);
    const double *x = r.pts[r.best].x;
    cr_assert_eq(x[0], kbest, "size %g, the optimum's is %g", x[0], kbest);
    /* the price: steps stop at 1/100 of the range (1 yuan); the margin is
     * flat at its top, so the value is within 0.2% of the best */
    cr_assert_geq(margin(x[0], x[1]), fbest - 0.002 * fbest, "margin %g at p = %g; best %g", margin(x[0], x[1]), x[1], fbest);
    /* the mean is the response plus the shared noise's mean */
    double zbar = (crn(0) + crn(1) + crn(2)) / 3;
    cr_assert_float_eq(r.pts[r.best].mean, margin(x[0], x[1]) + zbar, 1e-9);
    fsn_opt_result_destroy(&r);
}

Test(optimise, the_constrained_optimum_sits_on_the_constraint_boundary) {
    /* maximise -(x - 8)^2 subject to x <= 5: the optimum is x = 5 */
    double bound = 5;
    for (int kind = 0; kind < 2; kind++) {
        fsn_lever_t l;
        if (kind) int_lever(&l, "x", 0, 10);
        else real_lever(&l, "x", 0, 10);
        fsn_opt_cfg_t cfg;
        fsn_opt_cfg_default(&cfg);
        cfg.reps = 2;
        cfg.budget = 80;
        tctx_t c = {2, 0, 2, 0, 0};
        fsn_opt_result_t r;
        fsn_error_t err = {0};
        cr_assert_eq(fsn_optimise(&l, 1, &bound, 1, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_OK, "%s", err.msg);
        const fsn_opt_point_t *b = &r.pts[r.best];
        cr_assert(b->feasible);
        if (kind) cr_assert_eq(b->x[0], 5.0);
        /* real: the compass steps stop at 1/100 of the range, 0.1 */
        else cr_assert(b->x[0] <= 5 && b->x[0] >= 4.9, "x = %g", b->x[0]);
        /* designs beyond the boundary were tried and marked infeasible */
        int beyond = 0;
        for (size_t k = 0; k < r.npoints; k++)
            if (r.pts[k].x[0] > 5) {
                beyond++;
                cr_assert(!r.pts[k].feasible);
            }
        cr_assert_gt(beyond, 0);
        fsn_opt_result_destroy(&r);
    }
}

Test(optimise, an_upper_confidence_bound_constraint_keeps_further_from_the_boundary) {
    /* the constraint metric is x +- 1 over 8 replicates: mean x, se
     * sqrt(8/7)/sqrt(8) = 0.378; its 95% upper bound x + 1.895 x 0.378 =
     * x + 0.716: x = 5 meets "mean <= 5" but not "upper bound <= 5" */
    double bound = 5;
    fsn_lever_t l;
    int_lever(&l, "x", 0, 10);
    for (int conf = 0; conf < 2; conf++) {
        fsn_opt_cfg_t cfg;
        fsn_opt_cfg_default(&cfg);
        cfg.reps = 8;
        cfg.budget = 30;
        cfg.confidence = conf ? 0.95 : 0;
        tctx_t c = {8, 0, 3, 0, 0};
        fsn_opt_result_t r;
        fsn_error_t err = {0};
        cr_assert_eq(fsn_optimise(&l, 1, &bound, 1, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_OK, "%s", err.msg);
        const fsn_opt_point_t *b = &r.pts[r.best];
        cr_assert_eq(b->x[0], conf ? 4.0 : 5.0, "confidence %g: x = %g", cfg.confidence, b->x[0]);
        double se = sqrt(8.0 / 7.0) / sqrt(8.0);
        cr_assert_float_eq(b->con_ub[0], b->x[0] + (conf ? gsl_cdf_tdist_Pinv(0.95, 7) * se : 0), 1e-9);
        fsn_opt_result_destroy(&r);
    }
}

Test(optimise, categories_and_integers_are_searched_together) {
    fsn_lever_t l[2];
    memset(&l[0], 0, sizeof l[0]);
    snprintf(l[0].path, sizeof l[0].path, "campaigns[0].seeding.strategy");
    l[0].kind = FSN_LEVER_CAT;
    l[0].ncats = 3;
    snprintf(l[0].cats[0], sizeof l[0].cats[0], "random");
    snprintf(l[0].cats[1], sizeof l[0].cats[1], "degree");
    snprintf(l[0].cats[2], sizeof l[0].cats[2], "pagerank");
    l[0].start = NAN;
    int_lever(&l[1], "n", 0, 30);
    fsn_opt_cfg_t cfg;
    fsn_opt_cfg_default(&cfg);
    cfg.reps = 2;
    cfg.budget = 40;   /* 93 designs in the grid: searched, not enumerated */
    tctx_t c = {2, 0, 4, 0, 0};
    fsn_opt_result_t r;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_optimise(l, 2, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_OK, "%s", err.msg);
    cr_assert_str_eq(r.method, "sobol+pattern");
    cr_assert_eq(r.pts[r.best].x[0], 1.0);
    cr_assert_eq(r.pts[r.best].x[1], 2.0);
    char v[64];
    fsn_lever_value_text(&l[0], r.pts[r.best].x[0], v, sizeof v);
    cr_assert_str_eq(v, "degree");
    fsn_opt_result_destroy(&r);
}

Test(optimise, runners_up_come_with_their_exact_paired_gap_to_the_best) {
    fsn_lever_t l;
    int_lever(&l, "k", 2, 20);
    fsn_opt_cfg_t cfg;
    fsn_opt_cfg_default(&cfg);
    cfg.reps = 5;
    tctx_t c = {5, 0, 0, 0, 0};
    fsn_opt_result_t r;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(r.nrunners, FSN_OPT_RUNNERS);
    double kb = r.pts[r.best].x[0];
    double prev = 0;
    for (size_t i = 0; i < r.nrunners; i++) {
        const fsn_paired_stat_t *d = &r.runner_diff[i];
        double k = r.pts[r.runners[i]].x[0];
        cr_assert_neq(k, kb);
        /* the shared noise cancels: the gap is exact, with no spread */
        cr_assert_float_eq(d->diff, margin(k, 100) - margin(kb, 100), 1e-9);
        cr_assert_float_eq(d->sd_diff, 0, 1e-9);
        cr_assert_leq(d->diff, prev + 1e-12, "runners-up come best first");
        prev = d->diff;
    }
    fsn_opt_result_destroy(&r);
}

/* A progress callback that raises the stop flag after the fifth design. */
static volatile int stop_flag;
static void stop_after_five(void *ctx, const fsn_opt_result_t *r, size_t index) {
    (void)ctx;
    (void)index;
    if (r->npoints == 5) stop_flag = 1;
}

Test(optimise, a_raised_stop_flag_ends_the_search_with_the_designs_so_far) {
    fsn_lever_t l;
    int_lever(&l, "k", 2, 40);
    fsn_opt_cfg_t cfg;
    fsn_opt_cfg_default(&cfg);
    cr_assert_null(cfg.stop, "the default has no stop flag");
    cfg.reps = 3;
    cfg.budget = 30;
    stop_flag = 0;
    cfg.stop = &stop_flag;
    tctx_t c = {3, 0, 0, 0, 0};
    fsn_opt_result_t r;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, stop_after_five, NULL, &r, &err), FSN_OK, "%s",
                 err.msg);
    cr_assert_eq(r.stopped, 1);
    cr_assert_eq(r.npoints, 5, "%zu designs after the flag rose at 5", r.npoints);
    cr_assert_eq(c.calls, 5);
    cr_assert_geq(r.best, 0, "the best of the five is reported");
    fsn_opt_result_destroy(&r);
}

Test(optimise, designs_the_model_refuses_are_recorded_and_skipped) {
    fsn_lever_t l;
    int_lever(&l, "k", 2, 20);
    fsn_opt_cfg_t cfg;
    fsn_opt_cfg_default(&cfg);
    cfg.reps = 2;
    tctx_t c = {2, 0, 0, 3, 0};   /* k > 3 refused */
    fsn_opt_result_t r;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(r.pts[r.best].x[0], 3.0);
    int refused = 0;
    for (size_t k = 0; k < r.npoints; k++)
        if (!r.pts[k].valid) {
            refused++;
            cr_assert(strstr(r.pts[k].why, "too big"), "%s", r.pts[k].why);
        }
    cr_assert_eq(refused, 17);
    fsn_opt_result_destroy(&r);
}

Test(optimise, an_evaluation_failure_stops_the_search) {
    fsn_lever_t l;
    int_lever(&l, "k", 2, 20);
    fsn_opt_cfg_t cfg;
    fsn_opt_cfg_default(&cfg);
    tctx_t c = {cfg.reps, 0, 0, 0, FSN_EIO};
    fsn_opt_result_t r;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_EIO);
    cr_assert(strstr(err.msg, "broke"), "%s", err.msg);
    cr_assert_eq(c.calls, 1);
}

Test(optimise, bad_levers_and_settings_are_refused_by_name) {
    fsn_lever_t l;
    real_lever(&l, "campaigns[0].group.deadline", 10, 10);
    fsn_opt_cfg_t cfg;
    fsn_opt_cfg_default(&cfg);
    tctx_t c = {cfg.reps, 0, 0, 0, 0};
    fsn_opt_result_t r;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "campaigns[0].group.deadline"), "%s", err.msg);
    int_lever(&l, "campaigns[0].group.size", 2.5, 6);
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "whole"), "%s", err.msg);
    int_lever(&l, "k", 2, 6);
    cfg.reps = 1;
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_EINVAL);
    cfg.reps = 4;
    cfg.budget = 0;
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_EINVAL);
    cfg.budget = 10;
    cfg.confidence = 0.3;
    cr_assert_eq(fsn_optimise(&l, 1, NULL, 0, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_EINVAL);
    cr_assert_eq(c.calls, 0, "nothing is evaluated on bad input");
}

Test(optimise, the_files_hold_every_design_and_are_reproducible) {
    fsn_lever_t l[2];
    int_lever(&l[0], "campaigns[0].group.size", 2, 12);
    real_lever(&l[1], "campaigns[0].group.price", 50, 150);
    double bound = 1e9;
    const char *cn[1] = {"money.subsidy"};
    char dir[2][64];
    for (int t = 0; t < 2; t++) {
        fsn_opt_cfg_t cfg;
        fsn_opt_cfg_default(&cfg);
        cfg.reps = 2;
        cfg.budget = 25;
        tctx_t c = {2, 0, 1, 0, 0};
        fsn_opt_result_t r;
        fsn_error_t err = {0};
        /* mode 1 leaves con untouched: the constraint is 0 <= 1e9 */
        cr_assert_eq(fsn_optimise(l, 2, &bound, 1, &cfg, eval, &c, NULL, NULL, &r, &err), FSN_OK, "%s", err.msg);
        snprintf(dir[t], sizeof dir[t], "/tmp/fission_opt_XXXXXX");
        cr_assert_not_null(mkdtemp(dir[t]));
        cr_assert_eq(fsn_opt_write(dir[t], &r, l, "money.net_gmv", 1, cn, &bound, 0, &err), FSN_OK, "%s", err.msg);
        fsn_opt_result_destroy(&r);
    }
    const char *files[] = {"explored.csv", "optimise.json"};
    for (int f = 0; f < 2; f++) {
        char p[2][128];
        static char buf[2][1 << 16];
        for (int t = 0; t < 2; t++) {
            snprintf(p[t], sizeof p[t], "%s/%s", dir[t], files[f]);
            FILE *fp = fopen(p[t], "rb");
            cr_assert_not_null(fp, "%s", p[t]);
            size_t n = fread(buf[t], 1, sizeof buf[t] - 1, fp);
            buf[t][n] = 0;
            fclose(fp);
        }
        cr_assert_str_eq(buf[0], buf[1], "%s differs", files[f]);
        if (f == 0) {
            /* a header and one row per design */
            size_t lines = 0;
            for (const char *s = buf[0]; *s; s++) lines += *s == '\n';
            cr_assert_eq(lines, 26, "header + 25 designs, got %zu lines", lines);
            cr_assert(strstr(buf[0], "campaigns[0].group.size") && strstr(buf[0], "money.subsidy_mean"));
        }
        remove(p[0]);
        remove(p[1]);
    }
    rmdir(dir[0]);
    rmdir(dir[1]);
}
