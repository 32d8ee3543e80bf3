/*
 * test_graph_describe.c: fsn_graph_describe on hand-made graphs with
 * answers worked out by hand, then against igraph on random graphs, and
 * the text report of fsn_graph_stats_format.
 */
#include <criterion/criterion.h>
#include <igraph.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fission/graph.h"

/* ---- helpers -------------------------------------------------------- */

/* Build a CSR of n users from pairs {u0, v0, u1, v1, ...}. */
static void build(fsn_csr_t *g, uint32_t n, const fsn_vid_t *pairs, size_t ties) {
    fsn_edges_t e;
    fsn_edges_init(&e, n);
    for (size_t i = 0; i < ties; i++)
        cr_assert_eq(fsn_edges_push(&e, pairs[2 * i], pairs[2 * i + 1], FSN_TIE_DEFAULT,
                                    FSN_TIE_OTHER),
                     FSN_OK);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(g, &e, &err), FSN_OK, "%s", err.msg);
}

static fsn_graph_stats_t describe(const fsn_csr_t *g) {
    fsn_graph_stats_t st;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_graph_describe(g, &st, &err), FSN_OK, "%s", err.msg);
    return st;
}

#define TIES(a) (sizeof(a) / sizeof(a)[0] / 2)

/* Equal to 1e-9 relative (absolute below 1e-3, where a value is a
 * difference of much larger sums and only its absolute error is small). */
static void assert_close(double got, double want, const char *what) {
    double tol = 1e-9 * fmax(fmax(fabs(got), fabs(want)), 1e-3);
    cr_assert(fabs(got - want) <= tol, "%s: got %.17g, want %.17g", what, got, want);
}

/* ---- hand-made graphs ----------------------------------------------- */

Test(describe, counts_one_triangle_in_a_triangle) {
    const fsn_vid_t p[] = {0, 1, 1, 2, 2, 0};
    fsn_csr_t g;
    build(&g, 3, p, TIES(p));
    fsn_graph_stats_t st = describe(&g);
    cr_assert_eq(st.n, 3);
    cr_assert_eq(st.m, 3);
    cr_assert_eq(st.deg_min, 2);
    cr_assert_eq(st.deg_max, 2);
    cr_assert_eq(st.deg_mean, 2.0);
    cr_assert_eq(st.deg_p50, 2.0);
    cr_assert_eq(st.clustering_global, 1.0);
    cr_assert_eq(st.clustering_avg_local, 1.0);
    cr_assert_eq(st.components, 1);
    cr_assert_eq(st.giant_size, 3);
    cr_assert(isnan(st.assortativity), "a regular graph has no degree variance");
    fsn_csr_destroy(&g);
}

Test(describe, finds_a_star_unclustered_and_perfectly_disassortative) {
    /* Hub 0 with five leaves: degrees 5,1,1,1,1,1. */
    const fsn_vid_t p[] = {0, 1, 0, 2, 0, 3, 0, 4, 0, 5};
    fsn_csr_t g;
    build(&g, 6, p, TIES(p));
    fsn_graph_stats_t st = describe(&g);
    cr_assert_eq(st.m, 5);
    cr_assert_eq(st.deg_min, 1);
    cr_assert_eq(st.deg_max, 5);
    assert_close(st.deg_mean, 10.0 / 6.0, "mean");
    cr_assert_eq(st.clustering_global, 0.0);
    cr_assert_eq(st.clustering_avg_local, 0.0);
    cr_assert_eq(st.components, 1);
    cr_assert_eq(st.giant_size, 6);
    assert_close(st.assortativity, -1.0, "assortativity");
    fsn_csr_destroy(&g);
}

Test(describe, interpolates_percentiles_between_closest_ranks) {
    /* Sorted degrees of the star: 1 1 1 1 1 5. h = 5p: p50 -> x[2.5] = 1,
     * p90 -> x[4.5] = 1 + 0.5 x 4 = 3, p99 -> x[4.95] = 1 + 0.95 x 4. */
    const fsn_vid_t p[] = {0, 1, 0, 2, 0, 3, 0, 4, 0, 5};
    fsn_csr_t g;
    build(&g, 6, p, TIES(p));
    fsn_graph_stats_t st = describe(&g);
    cr_assert_eq(st.deg_p50, 1.0);
    assert_close(st.deg_p90, 3.0, "p90");
    assert_close(st.deg_p99, 4.8, "p99");
    fsn_csr_destroy(&g);
}

Test(describe, takes_whole_ranks_exactly_for_percentiles) {
    /* Path of 11 users: degrees 1, 2 x 9, 1; sorted 1 1 2 ... 2.
     * h = 10p: p50 -> x[5] = 2, p90 -> x[9] = 2, p99 -> x[9.9] = 2. Path of
     * 3 users: 1 1 2, p50 -> x[1] = 1, p90 -> x[1.8] = 1.8. */
    fsn_vid_t p[20];
    for (fsn_vid_t i = 0; i < 10; i++) {
        p[2 * i] = i;
        p[2 * i + 1] = i + 1;
    }
    fsn_csr_t g;
    build(&g, 11, p, 10);
    fsn_graph_stats_t st = describe(&g);
    cr_assert_eq(st.deg_p50, 2.0);
    cr_assert_eq(st.deg_p90, 2.0);
    cr_assert_eq(st.deg_p99, 2.0);
    fsn_csr_destroy(&g);

    build(&g, 3, p, 2);
    st = describe(&g);
    cr_assert_eq(st.deg_p50, 1.0);
    assert_close(st.deg_p90, 1.8, "p90");
    assert_close(st.deg_p99, 1.98, "p99");
    fsn_csr_destroy(&g);
}

Test(describe, gives_a_path_of_four_assortativity_minus_one_half) {
    /* Degrees 1 2 2 1. Tie ends (both directions): 1-2, 2-1, 2-2, 2-2,
     * 2-1, 1-2; mean 5/3, covariance -1/9, variance 2/9. */
    const fsn_vid_t p[] = {0, 1, 1, 2, 2, 3};
    fsn_csr_t g;
    build(&g, 4, p, TIES(p));
    fsn_graph_stats_t st = describe(&g);
    assert_close(st.assortativity, -0.5, "assortativity");
    cr_assert_eq(st.clustering_global, 0.0);
    cr_assert_eq(st.components, 1);
    cr_assert_eq(st.giant_size, 4);
    fsn_csr_destroy(&g);
}

Test(describe, finds_cliques_of_different_sizes_perfectly_assortative) {
    /* K3 on 0..2 and K4 on 3..6: every tie joins equal degrees, but the
     * degrees differ between ties, so the correlation is defined and 1. */
    const fsn_vid_t p[] = {0, 1, 1, 2, 2, 0, 3, 4, 3, 5, 3, 6, 4, 5, 4, 6, 5, 6};
    fsn_csr_t g;
    build(&g, 7, p, TIES(p));
    fsn_graph_stats_t st = describe(&g);
    assert_close(st.assortativity, 1.0, "assortativity");
    cr_assert_eq(st.components, 2);
    cr_assert_eq(st.giant_size, 4);
    cr_assert_eq(st.clustering_global, 1.0);
    fsn_csr_destroy(&g);
}

Test(describe, counts_two_triangles_in_a_diamond) {
    /* K4 minus the tie 2-3: triangles 012 and 013. Degrees 3 3 2 2, triples
     * 3 + 3 + 1 + 1 = 8, so global 6/8; local 2/3, 2/3, 1, 1. */
    const fsn_vid_t p[] = {0, 1, 0, 2, 0, 3, 1, 2, 1, 3};
    fsn_csr_t g;
    build(&g, 4, p, TIES(p));
    fsn_graph_stats_t st = describe(&g);
    assert_close(st.clustering_global, 0.75, "global");
    assert_close(st.clustering_avg_local, 10.0 / 12.0, "average local");
    fsn_csr_destroy(&g);
}

Test(describe, separates_two_components_and_names_the_giant) {
    /* K4 on 0..3 and a path 4-5-6. */
    const fsn_vid_t p[] = {0, 1, 0, 2, 0, 3, 1, 2, 1, 3, 2, 3, 4, 5, 5, 6};
    fsn_csr_t g;
    build(&g, 7, p, TIES(p));
    fsn_graph_stats_t st = describe(&g);
    cr_assert_eq(st.components, 2);
    cr_assert_eq(st.giant_size, 4);
    cr_assert_eq(st.m, 8);
    /* Triangles: 4 in K4 (each user in 3); triples 4 x 3 + 1 = 13. */
    assert_close(st.clustering_global, 12.0 / 13.0, "global");
    assert_close(st.clustering_avg_local, 4.0 / 7.0, "average local");
    fsn_csr_destroy(&g);
}

Test(describe, finds_every_triangle_of_k5) {
    fsn_vid_t p[20];
    size_t t = 0;
    for (fsn_vid_t a = 0; a < 5; a++)
        for (fsn_vid_t b = a + 1; b < 5; b++) {
            p[2 * t] = a;
            p[2 * t + 1] = b;
            t++;
        }
    fsn_csr_t g;
    build(&g, 5, p, t);
    fsn_graph_stats_t st = describe(&g);
    cr_assert_eq(st.m, 10);
    cr_assert_eq(st.deg_min, 4);
    cr_assert_eq(st.deg_max, 4);
    cr_assert_eq(st.deg_p99, 4.0);
    cr_assert_eq(st.clustering_global, 1.0);
    cr_assert_eq(st.clustering_avg_local, 1.0);
    cr_assert_eq(st.components, 1);
    cr_assert_eq(st.giant_size, 5);
    cr_assert(isnan(st.assortativity));
    fsn_csr_destroy(&g);
}

Test(describe, accepts_the_empty_graph_and_reports_zeros) {
    fsn_edges_t e;
    fsn_edges_init(&e, 0);
    fsn_csr_t g;
    cr_assert_eq(fsn_csr_from_edges(&g, &e, NULL), FSN_OK);
    fsn_graph_stats_t st = describe(&g);
    cr_assert_eq(st.n, 0);
    cr_assert_eq(st.m, 0);
    cr_assert_eq(st.deg_min, 0);
    cr_assert_eq(st.deg_max, 0);
    cr_assert_eq(st.deg_mean, 0.0);
    cr_assert_eq(st.deg_p50, 0.0);
    cr_assert_eq(st.clustering_global, 0.0);
    cr_assert_eq(st.clustering_avg_local, 0.0);
    cr_assert_eq(st.components, 0);
    cr_assert_eq(st.giant_size, 0);
    cr_assert(isnan(st.assortativity), "undefined without ties");
    cr_assert_eq(st.tie_strength_mean, 0.0);
    cr_assert_eq(st.tie_strong, 0);
    for (int k = 0; k < FSN_TIE_KIND_COUNT; k++) cr_assert_eq(st.tie_kind_count[k], 0);
    fsn_csr_destroy(&g);
}

Test(describe, counts_isolated_users_as_components_of_one) {
    fsn_edges_t e;
    fsn_edges_init(&e, 10);
    fsn_csr_t g;
    cr_assert_eq(fsn_csr_from_edges(&g, &e, NULL), FSN_OK);
    fsn_graph_stats_t st = describe(&g);
    cr_assert_eq(st.n, 10);
    cr_assert_eq(st.m, 0);
    cr_assert_eq(st.deg_max, 0);
    cr_assert_eq(st.deg_p90, 0.0);
    cr_assert_eq(st.components, 10);
    cr_assert_eq(st.giant_size, 1);
    cr_assert_eq(st.clustering_global, 0.0);
    cr_assert(isnan(st.assortativity));
    fsn_csr_destroy(&g);
}

Test(describe, counts_isolated_users_as_zero_in_average_local_clustering) {
    /* A triangle plus two loners: local 1, 1, 1, 0, 0. */
    const fsn_vid_t p[] = {0, 1, 1, 2, 2, 0};
    fsn_csr_t g;
    build(&g, 5, p, TIES(p));
    fsn_graph_stats_t st = describe(&g);
    cr_assert_eq(st.deg_min, 0);
    cr_assert_eq(st.clustering_global, 1.0);
    assert_close(st.clustering_avg_local, 0.6, "average local");
    cr_assert_eq(st.components, 3);
    cr_assert_eq(st.giant_size, 3);
    fsn_csr_destroy(&g);
}

Test(describe, tallies_tie_kinds_and_strengths_once_per_tie) {
    fsn_edges_t e;
    fsn_edges_init(&e, 5);
    cr_assert_eq(fsn_edges_push(&e, 0, 1, 255, FSN_TIE_FAMILY), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 1, 2, 128, FSN_TIE_FAMILY), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 2, 3, 127, FSN_TIE_WEAK), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 3, 4, 0, FSN_TIE_COLLEAGUE), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 4, 0, 10, 200), FSN_OK); /* unknown kind */
    fsn_csr_t g;
    cr_assert_eq(fsn_csr_from_edges(&g, &e, NULL), FSN_OK);
    fsn_graph_stats_t st = describe(&g);
    cr_assert_eq(st.tie_kind_count[FSN_TIE_FAMILY], 2);
    cr_assert_eq(st.tie_kind_count[FSN_TIE_WEAK], 1);
    cr_assert_eq(st.tie_kind_count[FSN_TIE_COLLEAGUE], 1);
    cr_assert_eq(st.tie_kind_count[FSN_TIE_OTHER], 1, "unknown kinds count as other");
    cr_assert_eq(st.tie_kind_count[FSN_TIE_FRIEND], 0);
    cr_assert_eq(st.tie_strong, 2, "128 is strong, 127 is not");
    assert_close(st.tie_strength_mean, (255.0 + 128 + 127 + 0 + 10) / (5 * 255.0),
                 "mean strength");
    fsn_csr_destroy(&g);
}

/* ---- the report ----------------------------------------------------- */

Test(describe, formats_a_report_a_person_can_read) {
    fsn_edges_t e;
    fsn_edges_init(&e, 4);
    cr_assert_eq(fsn_edges_push(&e, 0, 1, 255, FSN_TIE_FAMILY), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 1, 2, 255, FSN_TIE_FAMILY), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 2, 0, 255, FSN_TIE_FAMILY), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 2, 3, 0, FSN_TIE_WEAK), FSN_OK);
    fsn_csr_t g;
    cr_assert_eq(fsn_csr_from_edges(&g, &e, NULL), FSN_OK);
    fsn_graph_stats_t st = describe(&g);
    char buf[2048];
    int len = fsn_graph_stats_format(&st, buf, sizeof buf);
    cr_assert(len > 0 && (size_t)len == strlen(buf), "%d", len);
    cr_assert(strstr(buf, "users          4\n"), "%s", buf);
    cr_assert(strstr(buf, "ties           4\n"), "%s", buf);
    cr_assert(strstr(buf, "min 1, mean 2.00, p50 2, p90 2.70, p99 2.97, max 3"), "%s", buf);
    cr_assert(strstr(buf, "components     1, giant 4 users (100.0%)"), "%s", buf);
    cr_assert(strstr(buf, "assortativity  -0."), "%s", buf);
    cr_assert(strstr(buf, "family 3 (75.0%), weak 1 (25.0%)"), "%s", buf);
    cr_assert(strstr(buf, "strong ties 3 (75.0%)"), "%s", buf);
    cr_assert_null(strstr(buf, "other"), "kinds without ties are left out: %s", buf);
    fsn_csr_destroy(&g);
}

Test(describe, formats_with_snprintf_semantics) {
    const fsn_vid_t p[] = {0, 1, 1, 2, 2, 0};
    fsn_csr_t g;
    build(&g, 3, p, TIES(p));
    fsn_graph_stats_t st = describe(&g);
    int need = fsn_graph_stats_format(&st, NULL, 0);
    cr_assert(need > 0);
    char *full = malloc((size_t)need + 1);
    cr_assert_eq(fsn_graph_stats_format(&st, full, (size_t)need + 1), need);
    cr_assert_eq(strlen(full), (size_t)need);
    cr_assert(strstr(full, "undefined (all users with ties have the same degree)"), "%s", full);
    char small[10];
    memset(small, 'x', sizeof small);
    cr_assert_eq(fsn_graph_stats_format(&st, small, sizeof small), need);
    cr_assert_eq(small[9], '\0');
    cr_assert_eq(strncmp(small, full, 9), 0);
    free(full);
    fsn_csr_destroy(&g);
}

Test(describe, formats_the_empty_graph) {
    fsn_graph_stats_t st;
    cr_assert_eq(fsn_graph_describe(&(fsn_csr_t){0}, &st, NULL), FSN_OK);
    char buf[1024];
    int len = fsn_graph_stats_format(&st, buf, sizeof buf);
    cr_assert(len > 0 && (size_t)len < sizeof buf);
    cr_assert(strstr(buf, "undefined (no ties)"), "%s", buf);
    cr_assert(strstr(buf, "tie kinds      none\n"), "%s", buf);
    cr_assert(strstr(buf, "giant 0 users (0.0%)"), "%s", buf);
}

/* ---- against igraph ------------------------------------------------- */

static void igraph_setup(void) {
    /* Failures come back as error codes, checked by the tests. */
    igraph_set_error_handler(igraph_error_handler_printignore);
    igraph_set_warning_handler(igraph_warning_handler_ignore);
}

#define IG(call) cr_assert_eq((call), IGRAPH_SUCCESS, "%s failed", #call)

static void csr_from_igraph(fsn_csr_t *g, const igraph_t *ig) {
    igraph_vector_int_t el;
    IG(igraph_vector_int_init(&el, 0));
    IG(igraph_get_edgelist(ig, &el, 0));
    fsn_edges_t e;
    fsn_edges_init(&e, (uint32_t)igraph_vcount(ig));
    igraph_integer_t len = igraph_vector_int_size(&el);
    for (igraph_integer_t i = 0; i < len; i += 2)
        cr_assert_eq(fsn_edges_push(&e, (fsn_vid_t)VECTOR(el)[i], (fsn_vid_t)VECTOR(el)[i + 1],
                                    FSN_TIE_DEFAULT, FSN_TIE_OTHER),
                     FSN_OK);
    igraph_vector_int_destroy(&el);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(g, &e, &err), FSN_OK, "%s", err.msg);
}

/* Type-7 percentile from a sorted vector, the reference for the histogram. */
static double sorted_percentile(const igraph_vector_int_t *d, int pct) {
    igraph_integer_t n = igraph_vector_int_size(d);
    double h = (double)(n - 1) * pct / 100.0;
    igraph_integer_t lo = (igraph_integer_t)floor(h);
    if (lo + 1 >= n) return (double)VECTOR(*d)[n - 1];
    return (double)VECTOR(*d)[lo] + (h - (double)lo) * (double)(VECTOR(*d)[lo + 1] - VECTOR(*d)[lo]);
}

/* Compare every statistic igraph can compute on the same graph. */
static void check_against_igraph(igraph_t *ig) {
    IG(igraph_simplify(ig, 1, 1, NULL));
    fsn_csr_t g;
    csr_from_igraph(&g, ig);
    fsn_graph_stats_t st = describe(&g);

    cr_assert_eq(st.n, (uint32_t)igraph_vcount(ig));
    cr_assert_eq(st.m, (uint64_t)igraph_ecount(ig));

    igraph_vector_int_t deg;
    IG(igraph_vector_int_init(&deg, 0));
    IG(igraph_degree(ig, &deg, igraph_vss_all(), IGRAPH_ALL, IGRAPH_LOOPS));
    igraph_vector_int_sort(&deg);
    cr_assert_eq(st.deg_min, (uint32_t)igraph_vector_int_min(&deg));
    cr_assert_eq(st.deg_max, (uint32_t)igraph_vector_int_max(&deg));
    assert_close(st.deg_mean,
                 (double)igraph_vector_int_sum(&deg) / (double)igraph_vcount(ig), "mean degree");
    assert_close(st.deg_p50, sorted_percentile(&deg, 50), "p50");
    assert_close(st.deg_p90, sorted_percentile(&deg, 90), "p90");
    assert_close(st.deg_p99, sorted_percentile(&deg, 99), "p99");
    igraph_vector_int_destroy(&deg);

    igraph_real_t global, local, assort;
    IG(igraph_transitivity_undirected(ig, &global, IGRAPH_TRANSITIVITY_ZERO));
    IG(igraph_transitivity_avglocal_undirected(ig, &local, IGRAPH_TRANSITIVITY_ZERO));
    IG(igraph_assortativity_degree(ig, &assort, 0));
    assert_close(st.clustering_global, global, "global clustering");
    assert_close(st.clustering_avg_local, local, "average local clustering");
    assert_close(st.assortativity, assort, "assortativity");

    igraph_vector_int_t csize;
    igraph_integer_t no;
    IG(igraph_vector_int_init(&csize, 0));
    IG(igraph_connected_components(ig, NULL, &csize, &no, IGRAPH_WEAK));
    cr_assert_eq(st.components, (uint32_t)no);
    cr_assert_eq(st.giant_size, (uint32_t)igraph_vector_int_max(&csize));
    igraph_vector_int_destroy(&csize);

    fsn_csr_destroy(&g);
}

Test(describe, agrees_with_igraph_on_erdos_renyi_graphs, .init = igraph_setup) {
    igraph_rng_seed(igraph_rng_default(), 42);
    igraph_t ig;
    /* Dense enough to be clustered by chance, sparse enough to split. */
    IG(igraph_erdos_renyi_game(&ig, IGRAPH_ERDOS_RENYI_GNM, 3000, 12000, 0, 0));
    check_against_igraph(&ig);
    igraph_destroy(&ig);
    IG(igraph_erdos_renyi_game(&ig, IGRAPH_ERDOS_RENYI_GNM, 3000, 1500, 0, 0));
    check_against_igraph(&ig);
    igraph_destroy(&ig);
    IG(igraph_erdos_renyi_game(&ig, IGRAPH_ERDOS_RENYI_GNP, 200, 0.3, 0, 0));
    check_against_igraph(&ig);
    igraph_destroy(&ig);
}

Test(describe, agrees_with_igraph_on_barabasi_albert_graphs, .init = igraph_setup) {
    igraph_rng_seed(igraph_rng_default(), 7);
    igraph_t ig;
    /* Hubs: the case the degree ordering is for. */
    IG(igraph_barabasi_game(&ig, 5000, 1.0, 4, NULL, 1, 1.0, 0, IGRAPH_BARABASI_PSUMTREE,
                            NULL));
    check_against_igraph(&ig);
    igraph_destroy(&ig);
    /* Superlinear attachment: a few users tied to most of the graph. */
    IG(igraph_barabasi_game(&ig, 3000, 1.5, 3, NULL, 1, 1.0, 0,
                            IGRAPH_BARABASI_PSUMTREE_MULTIPLE, NULL));
    check_against_igraph(&ig);
    igraph_destroy(&ig);
}

Test(describe, agrees_with_igraph_on_watts_strogatz_graphs, .init = igraph_setup) {
    igraph_rng_seed(igraph_rng_default(), 2024);
    igraph_t ig;
    IG(igraph_watts_strogatz_game(&ig, 1, 4000, 5, 0.05, 0, 0));
    check_against_igraph(&ig);
    igraph_destroy(&ig);
    /* No rewiring: a ring lattice, regular, so assortativity is NaN on
     * both sides and compared as such. */
    IG(igraph_watts_strogatz_game(&ig, 1, 500, 3, 0.0, 0, 0));
    fsn_csr_t g;
    csr_from_igraph(&g, &ig);
    fsn_graph_stats_t st = describe(&g);
    igraph_real_t assort, global;
    IG(igraph_assortativity_degree(&ig, &assort, 0));
    IG(igraph_transitivity_undirected(&ig, &global, IGRAPH_TRANSITIVITY_ZERO));
    cr_assert(isnan(assort) && isnan(st.assortativity), "igraph %g, fission %g", assort,
              st.assortativity);
    assert_close(st.clustering_global, global, "global clustering");
    assert_close(st.clustering_global, 0.6, "ring lattice k = 3: 3(k-1) / (2(2k-1))");
    fsn_csr_destroy(&g);
    igraph_destroy(&ig);
}
