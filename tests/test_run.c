/*
 * test_run.c: replicates are reproducible whatever the number of threads.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "fission/graph.h"
#include "fission/run.h"

static fsn_csr_t g;

static void build(void) {
    fsn_wechat_params_t p;
    fsn_wechat_params_default(&p, 5000);
    p.mean_degree = 20;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_wechat_generate(&g, NULL, &p, &err), FSN_OK, "%s", err.msg);
}

static void teardown(void) { fsn_csr_destroy(&g); }

TestSuite(run, .init = build, .fini = teardown);

Test(run, results_are_identical_for_one_two_and_five_threads) {
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 9;
    cfg.seed = 42;
    fsn_run_rep_t a[9], b[9];
    fsn_error_t err = {0};
    cfg.threads = 1;
    cr_assert_eq(fsn_run_cascade(&g, &cfg, a, &err), FSN_OK, "%s", err.msg);
    for (uint32_t t = 2; t <= 5; t += 3) {
        cfg.threads = t;
        cr_assert_eq(fsn_run_cascade(&g, &cfg, b, &err), FSN_OK, "%s", err.msg);
        cr_assert_eq(memcmp(a, b, sizeof a), 0, "threads = %u differs from 1 thread", t);
    }
    /* Replicates differ from each other (they are not one stream reused). */
    int differ = 0;
    for (int r = 1; r < 9; r++) differ |= a[r].reached != a[0].reached;
    cr_assert(differ);
    cr_assert_gt(a[0].reached, 0);
}

Test(run, another_seed_gives_other_replicates) {
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 4;
    fsn_run_rep_t a[4], b[4];
    fsn_error_t err = {0};
    cr_assert_eq(fsn_run_cascade(&g, &cfg, a, &err), FSN_OK);
    cfg.seed = 2;
    cr_assert_eq(fsn_run_cascade(&g, &cfg, b, &err), FSN_OK);
    cr_assert_neq(memcmp(a, b, sizeof a), 0);
}

Test(run, bad_settings_are_named) {
    fsn_run_cfg_t cfg;
    fsn_run_rep_t out[1];
    fsn_error_t err = {0};
    fsn_run_cfg_default(&cfg);
    cfg.reps = 1;
    cfg.beta = -1;
    cr_assert_eq(fsn_run_cascade(&g, &cfg, out, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "beta"), "%s", err.msg);
    fsn_run_cfg_default(&cfg);
    cfg.reps = 1;
    cfg.first_sharers = 6000;
    cr_assert_eq(fsn_run_cascade(&g, &cfg, out, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "first sharers"), "%s", err.msg);
}

/* The first sharers are distinct users: with sharing all but impossible,
 * exactly first_sharers users are reached, even when that is every user. */
Test(run, first_sharers_are_distinct_users) {
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 3;
    cfg.beta = 1e-12;
    fsn_run_rep_t out[3];
    fsn_error_t err = {0};
    const uint32_t ks[] = {10, 2500, 5000};
    for (size_t i = 0; i < sizeof ks / sizeof *ks; i++) {
        cfg.first_sharers = ks[i];
        cr_assert_eq(fsn_run_cascade(&g, &cfg, out, &err), FSN_OK, "%s", err.msg);
        for (int r = 0; r < 3; r++)
            cr_assert_eq(out[r].reached, ks[i], "first %u: replicate %d reached %u", ks[i], r,
                         out[r].reached);
    }
}
