/*
 * test_wechat.c: the WeChat-like generator's invariants.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "fission/graph.h"

static fsn_csr_t g;
static fsn_circles_t circles;
static fsn_graph_stats_t st;

static void build(void) {
    fsn_wechat_params_t p;
    fsn_wechat_params_default(&p, 50000);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_wechat_generate(&g, &circles, &p, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(fsn_graph_describe(&g, &st, &err), FSN_OK);
}

static void teardown(void) {
    fsn_csr_destroy(&g);
    fsn_circles_destroy(&circles);
}

TestSuite(wechat, .init = build, .fini = teardown);

Test(wechat, average_local_clustering_is_at_least_a_tenth) {
    cr_assert_geq(st.clustering_avg_local, 0.1, "got %g", st.clustering_avg_local);
}

Test(wechat, mean_degree_is_near_the_target) {
    /* Parallel ties merge, so the realised mean is a little under 50. */
    cr_assert(st.deg_mean > 45 && st.deg_mean <= 51, "mean degree %g", st.deg_mean);
}

Test(wechat, degrees_are_heavy_tailed) {
    cr_assert_gt(st.deg_max, 10 * st.deg_mean, "max %u mean %g", st.deg_max, st.deg_mean);
    cr_assert_gt(st.deg_p99, 3 * st.deg_p50);
}

Test(wechat, family_ties_are_strong_and_weak_ties_are_weak) {
    double sum[FSN_TIE_KIND_COUNT] = {0};
    uint64_t cnt[FSN_TIE_KIND_COUNT] = {0};
    for (uint64_t i = 0; i < 2 * g.m; i++) {
        sum[g.kind[i]] += g.tie[i] / 255.0;
        cnt[g.kind[i]]++;
    }
    cr_assert_eq(cnt[FSN_TIE_OTHER], 0);
    for (int k = FSN_TIE_FAMILY; k < FSN_TIE_KIND_COUNT; k++) cr_assert_gt(cnt[k], 0, "kind %d", k);
    double fam = sum[FSN_TIE_FAMILY] / cnt[FSN_TIE_FAMILY], weak = sum[FSN_TIE_WEAK] / cnt[FSN_TIE_WEAK];
    cr_assert_gt(fam, 0.8);
    cr_assert_lt(weak, 0.2);
}

Test(wechat, circles_partition_their_kinds_memberships_and_tie_their_members) {
    cr_assert_gt(circles.count, 0);
    uint64_t tied = 0, pairs = 0;
    for (uint32_t c = 0; c < circles.count && c < 2000; c++) {
        cr_assert_lt(circles.kind[c], FSN_CIRCLE_KIND_COUNT);
        uint64_t lo = circles.offset[c], hi = circles.offset[c + 1];
        cr_assert_geq(hi - lo, 2);
        for (uint64_t a = lo; a < hi; a++)
            for (uint64_t b = a + 1; b < hi; b++) {
                if (circles.member[a] == circles.member[b]) continue;
                pairs++;
                tied += fsn_csr_find(&g, circles.member[a], circles.member[b]) >= 0;
            }
    }
    /* Circles are dense: most member pairs are tied. */
    cr_assert_gt((double)tied / pairs, 0.3);
}

Test(wechat, the_giant_component_holds_almost_everyone) {
    cr_assert_gt(st.giant_size, 0.99 * g.n);
}

Test(wechat, same_seed_gives_the_same_graph_and_another_seed_another) {
    fsn_wechat_params_t p;
    fsn_wechat_params_default(&p, 50000);
    fsn_csr_t h;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_wechat_generate(&h, NULL, &p, &err), FSN_OK);
    cr_assert_eq(h.m, g.m);
    cr_assert_eq(memcmp(h.offset, g.offset, (g.n + 1) * sizeof *g.offset), 0);
    cr_assert_eq(memcmp(h.adj, g.adj, 2 * g.m * sizeof *g.adj), 0);
    cr_assert_eq(memcmp(h.tie, g.tie, 2 * g.m), 0);
    fsn_csr_destroy(&h);
    p.seed = 2;
    cr_assert_eq(fsn_wechat_generate(&h, NULL, &p, &err), FSN_OK);
    cr_assert(h.m != g.m || memcmp(h.adj, g.adj, 2 * g.m * sizeof *g.adj) != 0);
    fsn_csr_destroy(&h);
}

Test(wechat, bad_parameters_are_named_in_the_error) {
    fsn_wechat_params_t p;
    fsn_csr_t h;
    fsn_error_t err = {0};
    fsn_wechat_params_default(&p, 1);
    cr_assert_eq(fsn_wechat_generate(&h, NULL, &p, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "n must be"), "%s", err.msg);
    fsn_wechat_params_default(&p, 1000);
    p.tie_prob[FSN_CIRCLE_FRIENDS] = 1.5;
    cr_assert_eq(fsn_wechat_generate(&h, NULL, &p, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "friends.tie_prob"), "%s", err.msg);
    fsn_wechat_params_default(&p, 1000);
    p.mean_degree = NAN;
    cr_assert_eq(fsn_wechat_generate(&h, NULL, &p, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "mean_degree"), "%s", err.msg);
    fsn_wechat_params_default(&p, 1000);
    p.weak_exponent = 2.0;
    cr_assert_eq(fsn_wechat_generate(&h, NULL, &p, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "weak_exponent"), "%s", err.msg);
}
