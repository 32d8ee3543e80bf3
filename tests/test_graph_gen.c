/*
 * test_graph_gen.c: the igraph generators behind fsn_graph_generate.
 *
 * Counts that the model fixes (G(n,m), Barabasi-Albert, Watts-Strogatz,
 * k-regular, configuration model) are checked exactly. Counts that are
 * random (G(n,p), SBM densities, power-law mean) are checked against their
 * expectation within five standard errors, the standard error derived from
 * the distribution itself, so a correct generator fails about once in
 * 1.7 million runs; seeds are fixed, so in practice these tests are
 * deterministic.
 */
#include <criterion/criterion.h>
#include <igraph.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fission/graph.h"

/* ---- helpers -------------------------------------------------------- */

/* Every row strictly ascending (no duplicates), no self-loop, every u->v
 * mirrored by v->u with the same strength and kind, m consistent. */
static void assert_simple_symmetric(const fsn_csr_t *g) {
    cr_assert_eq(g->offset[0], 0);
    cr_assert_eq(g->offset[g->n], 2 * g->m, "offset[n] = %llu, 2m = %llu",
                 (unsigned long long)g->offset[g->n], (unsigned long long)(2 * g->m));
    for (fsn_vid_t u = 0; u < g->n; u++) {
        for (uint64_t i = g->offset[u]; i < g->offset[u + 1]; i++) {
            fsn_vid_t v = g->adj[i];
            cr_assert_lt(v, g->n);
            cr_assert_neq(v, u, "self-loop at user %u", u);
            if (i > g->offset[u])
                cr_assert_gt(v, g->adj[i - 1], "row %u not strictly ascending", u);
            int64_t j = fsn_csr_find(g, v, u);
            cr_assert_geq(j, 0, "tie %u->%u has no mirror", u, v);
            cr_assert_eq(g->tie[j], g->tie[i]);
            cr_assert_eq(g->kind[j], g->kind[i]);
        }
    }
}

static void assert_all_ties(const fsn_csr_t *g, fsn_tie_t tie, uint8_t kind) {
    for (uint64_t i = 0; i < 2 * g->m; i++) {
        cr_assert_eq(g->tie[i], tie, "entry %llu has strength %u, expected %u",
                     (unsigned long long)i, g->tie[i], tie);
        cr_assert_eq(g->kind[i], kind);
    }
}

static fsn_csr_t generate_ok(const fsn_gen_params_t *p) {
    fsn_csr_t g;
    fsn_error_t err = {0};
    fsn_err_t rc = fsn_graph_generate(&g, p, &err);
    cr_assert_eq(rc, FSN_OK, "%s failed: %s", fsn_gen_kind_name(p->kind), err.msg);
    cr_assert_eq(g.n, p->n);
    return g;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int csr_equal(const fsn_csr_t *a, const fsn_csr_t *b) {
    if (a->n != b->n || a->m != b->m) return 0;
    size_t e = (size_t)(2 * a->m);
    return memcmp(a->offset, b->offset, ((size_t)a->n + 1) * sizeof *a->offset) == 0 &&
           memcmp(a->adj, b->adj, e * sizeof *a->adj) == 0 && memcmp(a->tie, b->tie, e) == 0 &&
           memcmp(a->kind, b->kind, e) == 0;
}

/* ---- Erdos-Renyi ------------------------------------------------------ */

Test(generate, gnm_graph_has_exactly_m_ties) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_ERDOS_RENYI);
    p.n = 5000;
    p.m = 24321;
    fsn_csr_t g = generate_ok(&p);
    cr_expect_eq(g.m, 24321);
    assert_simple_symmetric(&g);
    assert_all_ties(&g, FSN_TIE_DEFAULT, FSN_TIE_OTHER);
    fsn_csr_destroy(&g);
}

Test(generate, gnm_with_every_pair_gives_the_complete_graph) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_ERDOS_RENYI);
    p.n = 40;
    p.m = 40 * 39 / 2;
    fsn_csr_t g = generate_ok(&p);
    for (fsn_vid_t v = 0; v < g.n; v++)
        cr_assert_eq(fsn_csr_degree(&g, v), 39);
    fsn_csr_destroy(&g);
}

Test(generate, gnp_tie_count_is_within_five_standard_errors_of_p_times_pairs) {
    /* The tie count of G(n,p) is Binomial(N, p) with N = n(n-1)/2 pairs:
     * mean N p, standard deviation sqrt(N p (1 - p)). */
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_ERDOS_RENYI);
    p.n = 4000;
    p.p = 0.003;
    double pairs = 4000.0 * 3999.0 / 2.0;
    double mean = pairs * p.p, sigma = sqrt(pairs * p.p * (1.0 - p.p));
    fsn_csr_t g = generate_ok(&p);
    cr_expect_leq(fabs((double)g.m - mean), 5.0 * sigma, "m = %llu, expected %.0f +- 5 x %.1f",
                  (unsigned long long)g.m, mean, sigma);
    assert_simple_symmetric(&g);
    fsn_csr_destroy(&g);
}

Test(generate, gnp_with_p_zero_or_one_gives_empty_or_complete_graph) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_ERDOS_RENYI);
    p.n = 30;
    p.p = 0.0;
    fsn_csr_t g = generate_ok(&p);
    cr_expect_eq(g.m, 0);
    fsn_csr_destroy(&g);
    p.p = 1.0;
    g = generate_ok(&p);
    cr_expect_eq(g.m, 30 * 29 / 2);
    fsn_csr_destroy(&g);
}

/* ---- Barabasi-Albert -------------------------------------------------- */

Test(generate, ba_graph_has_n_m_minus_m_m_plus_1_over_2_ties_and_min_degree_m) {
    /* psumtree without multi-ties: user i (from 1) ties to min(i, m)
     * distinct earlier users, so m_total = sum_{i=1}^{n-1} min(i, m)
     * = n m - m (m + 1) / 2, and every user ends with >= m ties. */
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_BARABASI);
    p.n = 10000;
    p.m = 4;
    fsn_csr_t g = generate_ok(&p);
    cr_expect_eq(g.m, 10000ull * 4 - 4 * 5 / 2, "m = %llu", (unsigned long long)g.m);
    uint32_t dmax = 0;
    for (fsn_vid_t v = 0; v < g.n; v++) {
        cr_assert_geq(fsn_csr_degree(&g, v), 4, "user %u has degree %u", v, fsn_csr_degree(&g, v));
        if (fsn_csr_degree(&g, v) > dmax) dmax = fsn_csr_degree(&g, v);
    }
    /* Preferential attachment grows hubs of order m sqrt(n) = 400; a
     * uniform attachment would stay near m log n ~ 40. */
    cr_expect_gt(dmax, 100, "largest degree %u: no hub", dmax);
    assert_simple_symmetric(&g);
    fsn_csr_destroy(&g);
}

Test(generate, ba_with_m_one_gives_a_tree) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_BARABASI);
    p.n = 3000;
    p.m = 1;
    fsn_csr_t g = generate_ok(&p);
    cr_expect_eq(g.m, 2999);
    fsn_csr_destroy(&g);
}

/* ---- Watts-Strogatz --------------------------------------------------- */

Test(generate, ws_without_rewiring_is_the_ring_lattice_with_n_k_ties) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_WATTS_STROGATZ);
    p.n = 2000;
    p.k = 3;
    p.p = 0.0;
    fsn_csr_t g = generate_ok(&p);
    cr_expect_eq(g.m, 2000 * 3);
    for (fsn_vid_t v = 0; v < g.n; v++) {
        cr_assert_eq(fsn_csr_degree(&g, v), 6);
        for (uint32_t d = 1; d <= 3; d++)
            cr_assert_geq(fsn_csr_find(&g, v, (v + d) % g.n), 0, "%u not tied to %u", v,
                          (v + d) % g.n);
    }
    assert_simple_symmetric(&g);
    fsn_csr_destroy(&g);
}

Test(generate, ws_rewiring_keeps_n_k_ties_and_moves_some) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_WATTS_STROGATZ);
    p.n = 2000;
    p.k = 3;
    p.p = 0.2;
    fsn_csr_t g = generate_ok(&p);
    cr_expect_eq(g.m, 2000 * 3);
    uint64_t lattice = 0;
    for (fsn_vid_t v = 0; v < g.n; v++)
        for (uint32_t d = 1; d <= 3; d++)
            if (fsn_csr_find(&g, v, (v + d) % g.n) >= 0) lattice++;
    /* igraph rewires each end of each tie with probability p, so a
     * lattice tie survives with probability (1 - p)^2: about
     * 6000 x 0.64 = 3840 (binomial sd ~37), plus the few rewired ends that
     * land back on a lattice pair. With p rewiring whole ties it would be
     * about 4800. */
    cr_expect_gt(lattice, 3650, "%llu lattice ties kept", (unsigned long long)lattice);
    cr_expect_lt(lattice, 4200, "%llu lattice ties kept", (unsigned long long)lattice);
    assert_simple_symmetric(&g);
    fsn_csr_destroy(&g);
}

/* ---- k-regular -------------------------------------------------------- */

Test(generate, k_regular_graph_gives_every_user_degree_k) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_K_REGULAR);
    p.n = 5001;
    p.k = 8;
    fsn_csr_t g = generate_ok(&p);
    for (fsn_vid_t v = 0; v < g.n; v++)
        cr_assert_eq(fsn_csr_degree(&g, v), 8);
    cr_expect_eq(g.m, 5001ull * 8 / 2);
    assert_simple_symmetric(&g);
    fsn_csr_destroy(&g);
}

Test(generate, dense_k_regular_graph_gives_every_user_degree_k) {
    /* k > (n - 1) / 2 is built as the complement of a sparse regular
     * graph; k = n - 1 is the complete graph. */
    static const uint32_t cases[][2] = {{300, 280}, {301, 200}, {120, 119}, {1000, 998}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        fsn_gen_params_t p;
        fsn_gen_params_default(&p, FSN_GEN_K_REGULAR);
        p.n = cases[c][0];
        p.k = cases[c][1];
        fsn_csr_t g = generate_ok(&p);
        for (fsn_vid_t v = 0; v < g.n; v++)
            cr_assert_eq(fsn_csr_degree(&g, v), p.k, "n = %u, k = %u: user %u has degree %u", p.n,
                         p.k, v, fsn_csr_degree(&g, v));
        assert_simple_symmetric(&g);
        assert_all_ties(&g, FSN_TIE_DEFAULT, FSN_TIE_OTHER);
        fsn_csr_destroy(&g);
    }
}

/* ---- configuration model ---------------------------------------------- */

static void expect_degrees_kept(const uint32_t *want, uint32_t n, const fsn_csr_t *g) {
    uint32_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    cr_assert(a && b);
    memcpy(a, want, n * sizeof *a);
    for (fsn_vid_t v = 0; v < n; v++)
        b[v] = fsn_csr_degree(g, v);
    qsort(a, n, sizeof *a, cmp_u32);
    qsort(b, n, sizeof *b, cmp_u32);
    for (uint32_t i = 0; i < n; i++)
        cr_assert_eq(a[i], b[i], "sorted degree %u: wanted %u, got %u", i, a[i], b[i]);
    /* Users keep their own degree, not just the multiset. */
    for (fsn_vid_t v = 0; v < n; v++)
        cr_assert_eq(fsn_csr_degree(g, v), want[v]);
    free(a);
    free(b);
}

Test(generate, configuration_model_keeps_a_connectable_degree_sequence_exactly) {
    /* Every degree >= 1 and sum >= 2(n - 1): the Viger-Latapy path. */
    enum { N = 3000 };
    static uint32_t deg[N];
    uint64_t sum = 0;
    for (uint32_t i = 0; i < N; i++) {
        deg[i] = 2 + (i * 7919u) % 9 + (i % 100 == 0 ? 40 : 0);
        sum += deg[i];
    }
    if (sum % 2) deg[0]++;
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_SEQUENCE);
    p.n = N;
    p.degrees = deg;
    fsn_csr_t g = generate_ok(&p);
    expect_degrees_kept(deg, N, &g);
    assert_simple_symmetric(&g);
    fsn_csr_destroy(&g);
}

Test(generate, configuration_model_keeps_a_sequence_with_isolated_and_leaf_users_exactly) {
    /* Isolated users and many leaves: no connected realisation, so the
     * stub-matching heuristic builds it. */
    enum { N = 2000 };
    static uint32_t deg[N];
    uint64_t sum = 0;
    for (uint32_t i = 0; i < N; i++) {
        deg[i] = i % 10 == 0 ? 0 : (i % 3 == 0 ? 1 : 1 + i % 5);
        if (i == 7) deg[i] = 40;
        sum += deg[i];
    }
    if (sum % 2) deg[1]++;
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_SEQUENCE);
    p.n = N;
    p.degrees = deg;
    p.tie = 200;
    fsn_csr_t g = generate_ok(&p);
    expect_degrees_kept(deg, N, &g);
    assert_simple_symmetric(&g);
    assert_all_ties(&g, 200, FSN_TIE_OTHER);
    fsn_csr_destroy(&g);
}

Test(generate, configuration_model_rejects_a_sequence_no_simple_graph_has) {
    /* Even sum, but the two users of degree 3 need all three others each,
     * so the users of degree 1 would need 2. */
    static const uint32_t deg[] = {3, 3, 1, 1};
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_SEQUENCE);
    p.n = 4;
    p.degrees = deg;
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_graph_generate(&g, &p, &err), FSN_EINVAL);
    cr_expect(strstr(err.msg, "graphical") != NULL, "message: %s", err.msg);
    cr_expect_null(g.adj);
}

/* ---- power-law configuration model ------------------------------------ */

Test(generate, powerlaw_degrees_stay_in_range_and_average_the_law_mean) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_POWERLAW);
    p.n = 20000;
    p.exponent = 2.5;
    p.min_degree = 2;
    p.max_degree = 0; /* floor(sqrt(20000)) = 141 */
    uint32_t kmax = 141;
    /* Mean and variance of P(k) ~ k^-2.5 on [2, 141]. The realisation
     * keeps the sampled degrees exactly, so the mean degree is the
     * sample mean of n draws (one may be nudged for parity): within 5
     * standard errors sqrt(var / n) of the law's mean. */
    double z = 0, s1 = 0, s2 = 0;
    for (uint32_t k = 2; k <= kmax; k++) {
        double w = pow(k, -2.5);
        z += w;
        s1 += w * k;
        s2 += w * k * k;
    }
    double mean = s1 / z, var = s2 / z - mean * mean;
    double se = sqrt(var / p.n);
    fsn_csr_t g = generate_ok(&p);
    uint32_t dmin = UINT32_MAX, dmax = 0, at_min = 0;
    for (fsn_vid_t v = 0; v < g.n; v++) {
        uint32_t d = fsn_csr_degree(&g, v);
        if (d < dmin) dmin = d;
        if (d > dmax) dmax = d;
        at_min += d == 2;
    }
    cr_expect_geq(dmin, 2);
    cr_expect_leq(dmax, kmax);
    double got = 2.0 * (double)g.m / g.n;
    cr_expect_leq(fabs(got - mean), 5.0 * se + 1.0 / g.n, "mean degree %.4f, law %.4f +- 5 x %.4f",
                  got, mean, se);
    /* The head of the law: P(2) = 2^-2.5 / z. */
    double p2 = pow(2, -2.5) / z, se2 = sqrt(p2 * (1 - p2) / g.n);
    cr_expect_leq(fabs((double)at_min / g.n - p2), 5.0 * se2 + 1.0 / g.n,
                  "share at degree 2: %.4f, law %.4f", (double)at_min / g.n, p2);
    assert_simple_symmetric(&g);
    fsn_csr_destroy(&g);
}

Test(generate, powerlaw_with_min_degree_one_honours_an_explicit_max_degree) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_POWERLAW);
    p.n = 10000;
    p.exponent = 2.2;
    p.min_degree = 1;
    p.max_degree = 50;
    fsn_csr_t g = generate_ok(&p);
    uint32_t dmin = UINT32_MAX, dmax = 0;
    for (fsn_vid_t v = 0; v < g.n; v++) {
        uint32_t d = fsn_csr_degree(&g, v);
        if (d < dmin) dmin = d;
        if (d > dmax) dmax = d;
    }
    cr_expect_eq(dmin, 1);
    cr_expect_leq(dmax, 50);
    cr_expect_gt(dmax, 25, "largest degree %u: the tail is missing", dmax);
    assert_simple_symmetric(&g);
    fsn_csr_destroy(&g);
}

Test(generate, powerlaw_with_a_steep_exponent_puts_almost_everyone_at_min_degree) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_POWERLAW);
    p.n = 1001; /* odd n: the parity fix must still find an even sum */
    p.exponent = 40.0;
    p.min_degree = 3;
    p.max_degree = 20;
    fsn_csr_t g = generate_ok(&p);
    uint32_t at_min = 0;
    for (fsn_vid_t v = 0; v < g.n; v++) {
        cr_assert_geq(fsn_csr_degree(&g, v), 3);
        cr_assert_leq(fsn_csr_degree(&g, v), 20);
        at_min += fsn_csr_degree(&g, v) == 3;
    }
    /* P(4) / P(3) = (3/4)^40 ~ 1e-5. */
    cr_expect_geq(at_min, 995);
    fsn_csr_destroy(&g);
}

Test(generate, powerlaw_names_itself_when_a_sample_is_not_graphical) {
    /* Six users with degrees up to 5 and a flat law: some samples (two
     * users of degree 5 next to a user of degree 1, say) have no simple
     * realisation. Each seed either works or says why. */
    int ok = 0, refused = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        fsn_gen_params_t p;
        fsn_gen_params_default(&p, FSN_GEN_CONFIG_POWERLAW);
        p.n = 6;
        p.exponent = 2.01;
        p.min_degree = 1;
        p.max_degree = 5;
        p.seed = seed;
        fsn_csr_t g;
        fsn_error_t err = {0};
        fsn_err_t rc = fsn_graph_generate(&g, &p, &err);
        if (rc == FSN_OK) {
            ok++;
            for (fsn_vid_t v = 0; v < g.n; v++) {
                cr_assert_geq(fsn_csr_degree(&g, v), 1);
                cr_assert_leq(fsn_csr_degree(&g, v), 5);
            }
            assert_simple_symmetric(&g);
            fsn_csr_destroy(&g);
        } else {
            refused++;
            cr_assert_eq(rc, FSN_EINVAL, "seed %llu: %s", (unsigned long long)seed, err.msg);
            cr_assert(strstr(err.msg, "powerlaw: the sampled degrees are not graphical"), "%s",
                      err.msg);
        }
    }
    cr_expect_gt(ok, 0);
    cr_expect_gt(refused, 0);
}

/* ---- stochastic block model ------------------------------------------- */

Test(generate, sbm_densities_within_and_across_blocks_match_p_in_and_p_out) {
    /* Four blocks of 1000 (users 0..999 are block 0, and so on). Ties
     * inside blocks are Binomial(4 C(1000, 2), p_in), across blocks
     * Binomial(C(4000, 2) - 4 C(1000, 2), p_out): 5 sigma each. */
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_SBM);
    p.n = 4000;
    p.blocks = 4;
    p.p_in = 0.01;
    p.p_out = 0.0008;
    fsn_csr_t g = generate_ok(&p);
    uint64_t in = 0, out = 0;
    for (fsn_vid_t u = 0; u < g.n; u++)
        for (uint64_t i = g.offset[u]; i < g.offset[u + 1]; i++)
            if (g.adj[i] > u) {
                if (u / 1000 == g.adj[i] / 1000)
                    in++;
                else
                    out++;
            }
    double n_in = 4.0 * 1000 * 999 / 2, n_out = 4000.0 * 3999 / 2 - n_in;
    double mu_in = n_in * p.p_in, sd_in = sqrt(n_in * p.p_in * (1 - p.p_in));
    double mu_out = n_out * p.p_out, sd_out = sqrt(n_out * p.p_out * (1 - p.p_out));
    cr_expect_leq(fabs(in - mu_in), 5 * sd_in, "inside: %llu, expected %.0f +- 5 x %.1f",
                  (unsigned long long)in, mu_in, sd_in);
    cr_expect_leq(fabs(out - mu_out), 5 * sd_out, "across: %llu, expected %.0f +- 5 x %.1f",
                  (unsigned long long)out, mu_out, sd_out);
    assert_simple_symmetric(&g);
    fsn_csr_destroy(&g);
}

Test(generate, sbm_accepts_blocks_that_do_not_divide_n) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_SBM);
    p.n = 1003;
    p.blocks = 7;
    p.p_in = 1.0;
    p.p_out = 0.0;
    /* Complete blocks of sizes 143 and 144: every user's degree is its
     * block size minus one. */
    fsn_csr_t g = generate_ok(&p);
    for (fsn_vid_t v = 0; v < g.n; v++) {
        uint32_t d = fsn_csr_degree(&g, v);
        cr_assert(d == 142 || d == 143, "user %u has degree %u", v, d);
    }
    fsn_csr_destroy(&g);
}

/* ---- every generator: determinism and shape ---------------------------- */

static uint32_t seq_buf[600];

static void fill_params(fsn_gen_params_t *p, fsn_gen_kind_t kind) {
    fsn_gen_params_default(p, kind);
    p->n = 600;
    if (kind == FSN_GEN_CONFIG_SEQUENCE) {
        uint64_t s = 0;
        for (uint32_t i = 0; i < 600; i++)
            s += seq_buf[i] = 1 + i % 7;
        if (s % 2) seq_buf[0]++;
        p->degrees = seq_buf;
    }
}

static const fsn_gen_kind_t igraph_kinds[] = {
    FSN_GEN_ERDOS_RENYI, FSN_GEN_BARABASI,        FSN_GEN_WATTS_STROGATZ,
    FSN_GEN_K_REGULAR,   FSN_GEN_CONFIG_SEQUENCE, FSN_GEN_CONFIG_POWERLAW,
    FSN_GEN_SBM};
#define N_KINDS (sizeof igraph_kinds / sizeof igraph_kinds[0])

Test(generate, same_seed_gives_identical_csr_arrays_for_every_generator) {
    for (size_t i = 0; i < N_KINDS; i++) {
        fsn_gen_params_t p;
        fill_params(&p, igraph_kinds[i]);
        p.seed = 12345;
        fsn_csr_t a = generate_ok(&p);
        /* Disturb igraph's global generator in between: ours is private. */
        igraph_rng_seed(igraph_rng_default(), 999);
        (void)igraph_rng_get_integer(igraph_rng_default(), 0, 100);
        fsn_csr_t b = generate_ok(&p);
        cr_expect(csr_equal(&a, &b), "%s: same seed, different graphs", fsn_gen_kind_name(p.kind));
        fsn_csr_destroy(&a);
        fsn_csr_destroy(&b);
    }
}

Test(generate, a_different_seed_gives_a_different_graph_for_every_generator) {
    for (size_t i = 0; i < N_KINDS; i++) {
        fsn_gen_params_t p;
        fill_params(&p, igraph_kinds[i]);
        p.seed = 1;
        fsn_csr_t a = generate_ok(&p);
        p.seed = 2;
        fsn_csr_t b = generate_ok(&p);
        cr_expect(!csr_equal(&a, &b), "%s: seeds 1 and 2 gave the same graph",
                  fsn_gen_kind_name(p.kind));
        fsn_csr_destroy(&a);
        fsn_csr_destroy(&b);
    }
}

Test(generate, every_generator_gives_a_simple_symmetric_csr_with_the_requested_strength) {
    for (size_t i = 0; i < N_KINDS; i++) {
        fsn_gen_params_t p;
        fill_params(&p, igraph_kinds[i]);
        fsn_csr_t g = generate_ok(&p);
        cr_expect_gt(g.m, 0, "%s: no ties", fsn_gen_kind_name(p.kind));
        assert_simple_symmetric(&g);
        assert_all_ties(&g, FSN_TIE_DEFAULT, FSN_TIE_OTHER);
        fsn_csr_destroy(&g);
        p.tie = 255;
        g = generate_ok(&p);
        assert_all_ties(&g, 255, FSN_TIE_OTHER);
        fsn_csr_destroy(&g);
    }
}

static void silent_warning(const char *reason, const char *file, int line) {
    (void)reason;
    (void)file;
    (void)line;
}

static int same_rng(const igraph_rng_t *a, const igraph_rng_t *b) {
    return a->type == b->type && a->state == b->state && a->is_seeded == b->is_seeded;
}

Test(generate, leaves_igraph_handlers_and_default_rng_as_it_found_them) {
    /* igraph_rng_default() is always the same slot; what must come back
     * is its content (generator type and state). */
    igraph_error_handler_t *mine = igraph_error_handler_printignore;
    igraph_error_handler_t *before = igraph_set_error_handler(mine);
    igraph_warning_handler_t *wbefore = igraph_set_warning_handler(silent_warning);
    igraph_rng_t rng = *igraph_rng_default();
    for (size_t i = 0; i < N_KINDS; i++) {
        fsn_gen_params_t p;
        fill_params(&p, igraph_kinds[i]);
        fsn_csr_t g = generate_ok(&p);
        fsn_csr_destroy(&g);
        cr_assert(same_rng(igraph_rng_default(), &rng), "%s changed the default rng",
                  fsn_gen_kind_name(p.kind));
        cr_assert_eq(igraph_set_error_handler(mine), mine);
        cr_assert_eq(igraph_set_warning_handler(silent_warning), silent_warning);
    }
    /* The global generator still works (its state was not freed). */
    (void)igraph_rng_get_integer(igraph_rng_default(), 0, 100);
    /* A failing call (here, a non-graphical sequence found by igraph)
     * restores them too. */
    static const uint32_t bad[] = {3, 3, 1, 1};
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_SEQUENCE);
    p.n = 4;
    p.degrees = bad;
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_graph_generate(&g, &p, &err), FSN_EINVAL);
    cr_assert(same_rng(igraph_rng_default(), &rng));
    cr_assert_eq(igraph_set_error_handler(before), mine);
    cr_assert_eq(igraph_set_warning_handler(wbefore), silent_warning);
}

/* ---- names -------------------------------------------------------------- */

Test(generate, kind_names_parse_back_and_long_forms_are_accepted) {
    for (int k = FSN_GEN_ERDOS_RENYI; k <= FSN_GEN_WECHAT; k++)
        cr_expect_eq(fsn_gen_kind_parse(fsn_gen_kind_name((fsn_gen_kind_t)k)), k);
    cr_expect_eq(fsn_gen_kind_parse("er"), FSN_GEN_ERDOS_RENYI);
    cr_expect_eq(fsn_gen_kind_parse("Erdos-Renyi"), FSN_GEN_ERDOS_RENYI);
    cr_expect_eq(fsn_gen_kind_parse("erdos_renyi"), FSN_GEN_ERDOS_RENYI);
    cr_expect_eq(fsn_gen_kind_parse("barabasi-albert"), FSN_GEN_BARABASI);
    cr_expect_eq(fsn_gen_kind_parse("watts-strogatz"), FSN_GEN_WATTS_STROGATZ);
    cr_expect_eq(fsn_gen_kind_parse("regular"), FSN_GEN_K_REGULAR);
    cr_expect_eq(fsn_gen_kind_parse("config"), FSN_GEN_CONFIG_SEQUENCE);
    cr_expect_eq(fsn_gen_kind_parse("powerlaw"), FSN_GEN_CONFIG_POWERLAW);
    cr_expect_eq(fsn_gen_kind_parse("power-law"), FSN_GEN_CONFIG_POWERLAW);
    cr_expect_eq(fsn_gen_kind_parse("SBM"), FSN_GEN_SBM);
    cr_expect_eq(fsn_gen_kind_parse("wechat"), FSN_GEN_WECHAT);
    cr_expect_eq(fsn_gen_kind_parse("erdos"), -1);
    cr_expect_eq(fsn_gen_kind_parse(""), -1);
    cr_expect_eq(fsn_gen_kind_parse(NULL), -1);
    cr_expect_str_eq(fsn_gen_kind_name((fsn_gen_kind_t)99), "unknown");
}

Test(generate, defaults_give_a_working_graph_for_every_igraph_kind) {
    for (size_t i = 0; i < N_KINDS; i++) {
        if (igraph_kinds[i] == FSN_GEN_CONFIG_SEQUENCE) continue; /* needs degrees */
        fsn_gen_params_t p;
        fsn_gen_params_default(&p, igraph_kinds[i]);
        cr_expect_eq(p.n, 1000);
        fsn_csr_t g = generate_ok(&p);
        cr_expect_gt(g.m, 1000, "%s: %llu ties", fsn_gen_kind_name(p.kind),
                     (unsigned long long)g.m);
        fsn_csr_destroy(&g);
    }
}

/* ---- bad parameters ------------------------------------------------------ */

typedef struct bad_case {
    fsn_gen_kind_t kind;
    const char *field; /* which field to break */
    double value;
    const char *expect; /* substring of the message */
} bad_case_t;

static void apply(fsn_gen_params_t *p, const char *field, double value) {
    if (!strcmp(field, "n"))
        p->n = (uint32_t)value;
    else if (!strcmp(field, "p"))
        p->p = value;
    else if (!strcmp(field, "m"))
        p->m = (uint64_t)value;
    else if (!strcmp(field, "k"))
        p->k = (uint32_t)value;
    else if (!strcmp(field, "exponent"))
        p->exponent = value;
    else if (!strcmp(field, "min_degree"))
        p->min_degree = (uint32_t)value;
    else if (!strcmp(field, "max_degree"))
        p->max_degree = (uint32_t)value;
    else if (!strcmp(field, "blocks"))
        p->blocks = (uint32_t)value;
    else if (!strcmp(field, "p_in"))
        p->p_in = value;
    else if (!strcmp(field, "p_out"))
        p->p_out = value;
    else if (!strcmp(field, "degrees"))
        p->degrees = NULL;
    else
        cr_assert_fail("unknown field %s", field);
}

Test(generate, every_bad_parameter_is_rejected_with_its_name_in_the_message) {
    static uint32_t odd_sum[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 2};
    static uint32_t too_big[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 10};
    const bad_case_t cases[] = {
        {FSN_GEN_ERDOS_RENYI, "n", 0, "er: n must be >= 1, got 0"},
        {FSN_GEN_ERDOS_RENYI, "p", -0.1, "er: p must be in [0, 1]"},
        {FSN_GEN_ERDOS_RENYI, "p", 1.5, "er: p must be in [0, 1]"},
        {FSN_GEN_ERDOS_RENYI, "p", NAN, "er: p must be in [0, 1]"},
        {FSN_GEN_ERDOS_RENYI, "m", 1000.0 * 999 / 2 + 1, "er: m must be <= n(n-1)/2"},
        {FSN_GEN_BARABASI, "m", 0, "ba: m must be >= 1 and < n (n = 1000), got 0"},
        {FSN_GEN_BARABASI, "m", 1000, "ba: m must be >= 1 and < n"},
        {FSN_GEN_WATTS_STROGATZ, "k", 0, "ws: k must be >= 1"},
        {FSN_GEN_WATTS_STROGATZ, "k", 500, "ws: k must be >= 1 and < n/2"},
        {FSN_GEN_WATTS_STROGATZ, "p", 2, "ws: p (rewiring) must be in [0, 1]"},
        {FSN_GEN_WATTS_STROGATZ, "n", 0, "ws: n must be >= 1"},
        {FSN_GEN_K_REGULAR, "k", 0, "regular: k must be >= 1 and < n"},
        {FSN_GEN_K_REGULAR, "k", 1000, "regular: k must be >= 1 and < n"},
        {FSN_GEN_K_REGULAR, "n", 999, "regular: n * k must be even"},
        {FSN_GEN_CONFIG_SEQUENCE, "degrees", 0, "config: degrees must point to"},
        {FSN_GEN_CONFIG_POWERLAW, "exponent", 2.0, "powerlaw: exponent must be"},
        {FSN_GEN_CONFIG_POWERLAW, "exponent", INFINITY, "powerlaw: exponent must be"},
        {FSN_GEN_CONFIG_POWERLAW, "exponent", NAN, "powerlaw: exponent must be"},
        {FSN_GEN_CONFIG_POWERLAW, "min_degree", 0, "powerlaw: min_degree must be >= 1"},
        {FSN_GEN_CONFIG_POWERLAW, "min_degree", 40, "powerlaw: min_degree must be <= the"},
        {FSN_GEN_CONFIG_POWERLAW, "max_degree", 1000, "powerlaw: max_degree must be"},
        {FSN_GEN_SBM, "blocks", 0, "sbm: blocks must be >= 1"},
        {FSN_GEN_SBM, "blocks", 1001, "sbm: blocks must be >= 1"},
        {FSN_GEN_SBM, "p_in", -1, "sbm: p_in must be in [0, 1]"},
        {FSN_GEN_SBM, "p_out", 1.01, "sbm: p_out must be in [0, 1]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fsn_gen_params_t p;
        fsn_gen_params_default(&p, cases[i].kind);
        if (cases[i].kind == FSN_GEN_CONFIG_SEQUENCE) p.degrees = odd_sum; /* replaced */
        if (cases[i].kind == FSN_GEN_K_REGULAR) p.k = 3;
        apply(&p, cases[i].field, cases[i].value);
        fsn_csr_t g;
        fsn_error_t err = {0};
        fsn_err_t rc = fsn_graph_generate(&g, &p, &err);
        cr_expect_eq(rc, FSN_EINVAL, "case %zu (%s %s): rc %d", i, fsn_gen_kind_name(cases[i].kind),
                     cases[i].field, rc);
        cr_expect(strstr(err.msg, cases[i].expect) != NULL, "case %zu: wanted \"%s\" in \"%s\"", i,
                  cases[i].expect, err.msg);
        cr_expect_null(g.adj);
    }
    /* Degree sequences: odd sum, and a degree no simple graph allows. */
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_SEQUENCE);
    p.n = 10;
    p.degrees = odd_sum;
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_expect_eq(fsn_graph_generate(&g, &p, &err), FSN_EINVAL);
    cr_expect(strstr(err.msg, "config: the sum of degrees must be even, got 11"), "%s", err.msg);
    p.degrees = too_big;
    cr_expect_eq(fsn_graph_generate(&g, &p, &err), FSN_EINVAL);
    cr_expect(strstr(err.msg, "config: degrees[9] must be < n = 10"), "%s", err.msg);
    /* A one-value power law needs an even degree sum. */
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_POWERLAW);
    p.n = 101;
    p.min_degree = p.max_degree = 3;
    cr_expect_eq(fsn_graph_generate(&g, &p, &err), FSN_EINVAL);
    cr_expect(strstr(err.msg, "powerlaw: min_degree == max_degree == 3"), "%s", err.msg);
}

Test(generate, wechat_and_unknown_kinds_are_refused) {
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_WECHAT);
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_expect_eq(fsn_graph_generate(&g, &p, &err), FSN_EINVAL);
    cr_expect(strstr(err.msg, "fsn_wechat_generate") != NULL, "%s", err.msg);
    p.kind = (fsn_gen_kind_t)42;
    cr_expect_eq(fsn_graph_generate(&g, &p, &err), FSN_EINVAL);
    cr_expect(strstr(err.msg, "kind must be") != NULL, "%s", err.msg);
}

/* ---- configuration model: the paths of the degree-sequence game ------- */

static uint32_t components(const fsn_csr_t *g) {
    fsn_vid_t *queue = malloc((size_t)g->n * sizeof *queue);
    uint8_t *seen = calloc(g->n, 1);
    cr_assert(queue && seen);
    uint32_t count = 0;
    for (fsn_vid_t s = 0; s < g->n; s++) {
        if (seen[s]) continue;
        count++;
        size_t head = 0, tail = 0;
        queue[tail++] = s;
        seen[s] = 1;
        while (head < tail) {
            fsn_vid_t v = queue[head++];
            for (uint64_t i = g->offset[v]; i < g->offset[v + 1]; i++)
                if (!seen[g->adj[i]]) {
                    seen[g->adj[i]] = 1;
                    queue[tail++] = g->adj[i];
                }
        }
    }
    free(queue);
    free(seen);
    return count;
}

Test(generate, configuration_model_connects_a_sequence_that_can_be_connected) {
    /* Degrees 1..3 with sum >= 2(n - 1): Viger-Latapy gives one component,
     * where a plain stub matching would leave many pieces. */
    enum { N = 2000 };
    static uint32_t deg[N];
    uint64_t sum = 0;
    for (uint32_t i = 0; i < N; i++)
        sum += deg[i] = 1 + i % 3;
    if (sum % 2) deg[1]++;
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_SEQUENCE);
    p.n = N;
    p.degrees = deg;
    fsn_csr_t g = generate_ok(&p);
    expect_degrees_kept(deg, N, &g);
    cr_expect_eq(components(&g), 1);
    fsn_csr_destroy(&g);
}

Test(generate, configuration_model_keeps_a_tight_sequence_that_stub_matching_cannot_finish) {
    /* One hub of degree 300 among 600 users of degree 1 and an isolated
     * user: the hub must reach exactly half the leaves, which igraph's
     * stub-matching heuristic never finishes; Havel-Hakimi plus switching
     * does, in milliseconds. */
    enum { N = 602 };
    static uint32_t deg[N];
    deg[0] = 300;
    for (uint32_t i = 1; i < N - 1; i++)
        deg[i] = 1;
    deg[N - 1] = 0;
    fsn_gen_params_t p;
    fsn_gen_params_default(&p, FSN_GEN_CONFIG_SEQUENCE);
    p.n = N;
    p.degrees = deg;
    fsn_csr_t g = generate_ok(&p);
    expect_degrees_kept(deg, N, &g);
    cr_expect_eq(g.m, 450);
    assert_simple_symmetric(&g);
    fsn_csr_t h = generate_ok(&p);
    cr_expect(csr_equal(&g, &h), "the fallback path is not reproducible");
    fsn_csr_destroy(&g);
    fsn_csr_destroy(&h);
}

Test(generate, configuration_model_keeps_the_degrees_of_generated_graphs_exactly) {
    /* Degree sequences of real graphs are graphical by construction: a
     * sparse G(n, m) (isolated users and leaves: Havel-Hakimi and
     * switching), a Barabasi-Albert graph (hubs, every degree >= 2:
     * Viger-Latapy) and a dense G(n, p). */
    fsn_gen_params_t src[3];
    fsn_gen_params_default(&src[0], FSN_GEN_ERDOS_RENYI);
    src[0].n = 20000;
    src[0].m = 15000;
    fsn_gen_params_default(&src[1], FSN_GEN_BARABASI);
    src[1].n = 5000;
    src[1].m = 2;
    fsn_gen_params_default(&src[2], FSN_GEN_ERDOS_RENYI);
    src[2].n = 300;
    src[2].p = 0.7;
    for (int s = 0; s < 3; s++) {
        fsn_csr_t a = generate_ok(&src[s]);
        uint32_t *deg = malloc(a.n * sizeof *deg);
        cr_assert(deg);
        for (fsn_vid_t v = 0; v < a.n; v++)
            deg[v] = fsn_csr_degree(&a, v);
        fsn_gen_params_t p;
        fsn_gen_params_default(&p, FSN_GEN_CONFIG_SEQUENCE);
        p.n = a.n;
        p.degrees = deg;
        p.seed = 77;
        fsn_csr_t g = generate_ok(&p);
        expect_degrees_kept(deg, a.n, &g);
        assert_simple_symmetric(&g);
        /* A new graph, not a copy of the source. */
        cr_expect(!csr_equal(&a, &g), "case %d: the source came back", s);
        fsn_csr_destroy(&g);
        fsn_csr_destroy(&a);
        free(deg);
    }
}
