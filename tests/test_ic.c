/*
 * test_ic.c: the independent cascade against percolation theory and
 * against what the process must do on graphs simple enough to work out
 * by hand (a star, a path, the components of a sparse graph).
 */
#include <criterion/criterion.h>
#include <igraph.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fission/engine.h"
#include "fission/graph.h"
#include "fission/models/ic.h"
#include "fission/rng.h"

/* G(n, m) through igraph, seeded, into a CSR. */
static void er_graph(fsn_csr_t *g, uint32_t n, double z, unsigned seed) {
    igraph_rng_seed(igraph_rng_default(), seed);
    igraph_t ig;
    cr_assert_eq(igraph_erdos_renyi_game_gnm(&ig, n, (igraph_integer_t)llround(z * n / 2), 0, 0),
                 IGRAPH_SUCCESS);
    igraph_vector_int_t el;
    igraph_vector_int_init(&el, 0);
    igraph_get_edgelist(&ig, &el, 0);
    fsn_edges_t e;
    fsn_edges_init(&e, n);
    for (igraph_integer_t k = 0; k < igraph_ecount(&ig); k++)
        fsn_edges_push(&e, (fsn_vid_t)VECTOR(el)[2 * k], (fsn_vid_t)VECTOR(el)[2 * k + 1],
                       FSN_TIE_DEFAULT, 0);
    igraph_vector_int_destroy(&el);
    igraph_destroy(&ig);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(g, &e, &err), FSN_OK);
}

/* A path 0 - 1 - ... - (n-1). */
static void path_graph(fsn_csr_t *g, uint32_t n) {
    fsn_edges_t e;
    fsn_edges_init(&e, n);
    for (uint32_t v = 0; v + 1 < n; v++) fsn_edges_push(&e, v, v + 1, FSN_TIE_DEFAULT, 0);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(g, &e, &err), FSN_OK);
}

/* A star: user 0 tied to users 1 .. leaves. */
static void star_graph(fsn_csr_t *g, uint32_t leaves) {
    fsn_edges_t e;
    fsn_edges_init(&e, leaves + 1);
    for (uint32_t v = 1; v <= leaves; v++) fsn_edges_push(&e, 0, v, FSN_TIE_DEFAULT, 0);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(g, &e, &err), FSN_OK);
}

/* Root of S = 1 - exp(-z T S) in (0, 1], by fixed-point iteration. */
static double percolation_size(double z, double T) {
    double s = 1.0;
    for (int i = 0; i < 10000; i++) s = 1.0 - exp(-z * T * s);
    return s;
}

/*
 * Major outbreaks on Erdos-Renyi graphs, n = 20000, mean degree z = 4.
 * The users reached from one seed are the seed's cluster in bond
 * percolation with open probability T, so a major outbreak reaches the
 * giant cluster, S = 1 - exp(-z T S) of the users, and, unlike the SIR
 * model, a random seed starts one with probability S as well.
 *
 * We run 16 graphs x 24 uniformly drawn seeds and call an outbreak major
 * above 1% of users (the other clusters of a supercritical graph have
 * O(log n) users, far below 200).
 *
 * Final size: the mean fraction of the major outbreaks must be within
 * 5 standard errors of S plus a finite-size allowance. The standard error
 * is the sample sd over outbreaks / sqrt(count); graphs differ, so it
 * includes graph-to-graph variation. The allowance covers two biases of
 * order 1/n. (1) A seed lands in the giant cluster with probability
 * L/n, so the major outbreaks see the giant size-biased: E[L^2] / E[L] =
 * E[L] + Var(L) / E[L], which is Var(L) / (S n) above E[L]. The giant of a
 * random graph of mean degree c = z T has Var(L) ~ s2 n with
 * s2 = S (1 - S) / (1 - c (1 - S))^2 (Pittel's central limit theorem;
 * the fixed edge count of G(n, m) only lowers it), so this bias is
 * s2 / (S n): 2.4e-4 at T = 0.35, 2.9e-5 at T = 0.5. (2) E[L] itself is
 * n S + O(1); we allow 5 users for it. The allowance, (2 s2 / S + 5) / n,
 * twice the first bias plus the second, is 3e-4 at T = 0.5 and 7e-4 at
 * T = 0.35, against 5 standard errors of about 1.1e-3 and 3.4e-3: it
 * cannot hide a real error in the process (a wrong T shifts S by
 * dS/dT ~ 2 per unit of T). Over six streams the mean stayed within
 * 2.1 standard errors of S at both T.
 *
 * Chance of a major outbreak: the fraction of the 384 seeds that start
 * one must be within 5 binomial standard errors sqrt(S (1 - S) / 384)
 * of S (0.10 and 0.13); the O(1/n) biases above are negligible next to it.
 */
static void check_final_size(double T, uint64_t stream) {
    const uint32_t n = 20000;
    const double z = 4.0, theory = percolation_size(z, T);
    const int graphs = 16, per_graph = 24, runs = graphs * per_graph;
    double sum = 0, sumsq = 0;
    int majors = 0;
    for (int gi = 0; gi < graphs; gi++) {
        fsn_csr_t g;
        er_graph(&g, n, z, 200 + (unsigned)gi);
        fsn_engine_t *eng = fsn_engine_new(1024);
        fsn_ic_t *m = fsn_ic_new(&g, eng);
        cr_assert_not_null(m);
        for (int r = 0; r < per_graph; r++) {
            fsn_rng_t rng;
            fsn_rng_seed_stream(&rng, stream, (uint64_t)gi, (uint64_t)r);
            fsn_vid_t first = (fsn_vid_t)fsn_rng_below(&rng, n);
            fsn_ic_result_t res;
            cr_assert_eq(fsn_ic_run(m, T, 1.0, &first, 1, &rng, &res), FSN_OK);
            double f = (double)res.reached / n;
            if (f > 0.01) {
                majors++;
                sum += f;
                sumsq += f * f;
            }
        }
        fsn_ic_free(m);
        fsn_engine_free(eng);
        fsn_csr_destroy(&g);
    }
    cr_assert_gt(majors, 30);
    double mean = sum / majors;
    double sd = sqrt((sumsq - majors * mean * mean) / (majors - 1));
    double se = sd / sqrt(majors);
    double c = z * T, s2 = theory * (1 - theory) / pow(1 - c * (1 - theory), 2);
    double allowance = (2 * s2 / theory + 5) / n;
    cr_assert_lt(fabs(mean - theory), 5 * se + allowance,
                 "T %g: mean %g theory %g se %g allowance %g", T, mean, theory, se, allowance);
    double p = (double)majors / runs, pse = sqrt(theory * (1 - theory) / runs);
    cr_assert_lt(fabs(p - theory), 5 * pse, "T %g: major share %g theory %g se %g", T, p, theory,
                 pse);
}

Test(ic, final_size_on_erdos_renyi_matches_bond_percolation_at_T_one_half) {
    check_final_size(0.5, 31);
}

Test(ic, final_size_on_erdos_renyi_matches_bond_percolation_at_T_0_35) {
    check_final_size(0.35, 32);
}

/*
 * The geometric jumps must pick each friend independently with
 * probability T. From the centre of a star with d leaves the leaves
 * reached number Binomial(d, T) (a leaf only shares back to the centre).
 * Over R runs the mean count must be within 5 standard errors
 * sqrt(d T (1 - T) / R) of d T; T = 0.01 is the small-T regime the jumps
 * are for, T = 0.9 the one where nearly every friend is taken.
 */
Test(ic, shares_from_a_star_centre_are_binomial) {
    const uint32_t d = 2000;
    const int R = 400;
    const double Ts[] = {0.01, 0.3, 0.9};
    fsn_csr_t g;
    star_graph(&g, d);
    fsn_engine_t *eng = fsn_engine_new(16);
    fsn_ic_t *m = fsn_ic_new(&g, eng);
    for (size_t ti = 0; ti < sizeof Ts / sizeof Ts[0]; ti++) {
        const double T = Ts[ti];
        double sum = 0;
        for (int r = 0; r < R; r++) {
            fsn_rng_t rng;
            fsn_rng_seed_stream(&rng, 41, ti, (uint64_t)r);
            fsn_vid_t centre = 0;
            fsn_ic_result_t res;
            cr_assert_eq(fsn_ic_run(m, T, 1.0, &centre, 1, &rng, &res), FSN_OK);
            cr_assert_eq(res.depth, res.reached > 1 ? 1u : 0u);
            sum += res.reached - 1;
        }
        double mean = sum / R, se = sqrt(d * T * (1 - T) / R);
        cr_assert_lt(fabs(mean - d * T), 5 * se, "T %g: mean %g expected %g se %g", T, mean,
                     d * T, se);
    }
    fsn_ic_free(m);
    fsn_engine_free(eng);
    fsn_csr_destroy(&g);
}

Test(ic, nobody_shares_at_T_zero) {
    fsn_csr_t g;
    er_graph(&g, 2000, 6.0, 5);
    fsn_engine_t *eng = fsn_engine_new(16);
    fsn_ic_t *m = fsn_ic_new(&g, eng);
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 3);
    fsn_vid_t first[4] = {5, 17, 5, 1999};
    fsn_ic_result_t res;
    cr_assert_eq(fsn_ic_run(m, 0.0, 1.0, first, 4, &rng, &res), FSN_OK);
    cr_assert_eq(res.reached, 3, "a seed listed twice counts once");
    cr_assert_eq(res.depth, 0);
    cr_assert_eq(res.duration, 0.0);
    cr_assert_eq(fsn_engine_events_run(eng), 0);
    for (fsn_vid_t v = 0; v < g.n; v++) {
        uint32_t gen = fsn_ic_generation(m, v);
        if (v == 5 || v == 17 || v == 1999)
            cr_assert_eq(gen, 0);
        else
            cr_assert_eq(gen, UINT32_MAX);
    }
    fsn_ic_free(m);
    fsn_engine_free(eng);
    fsn_csr_destroy(&g);
}

/*
 * At T = 1 every share succeeds, so the seeds reach exactly their
 * components, found here by breadth-first search. A sparse graph (mean
 * degree 1.2) has many components of all sizes. The generation is the
 * length of the path the fastest chain of shares took, never shorter
 * than the hop distance.
 */
Test(ic, T_one_reaches_exactly_the_seeds_components) {
    const uint32_t n = 4000;
    fsn_csr_t g;
    er_graph(&g, n, 1.2, 11);
    uint32_t *dist = malloc(n * sizeof *dist);
    fsn_vid_t *queue = malloc(n * sizeof *queue);
    fsn_engine_t *eng = fsn_engine_new(16);
    fsn_ic_t *m = fsn_ic_new(&g, eng);
    for (int r = 0; r < 20; r++) {
        fsn_rng_t rng;
        fsn_rng_seed_stream(&rng, 13, 0, (uint64_t)r);
        fsn_vid_t first[2] = {(fsn_vid_t)fsn_rng_below(&rng, n), (fsn_vid_t)fsn_rng_below(&rng, n)};
        size_t nfirst = 1 + (size_t)(r % 2);
        for (uint32_t v = 0; v < n; v++) dist[v] = UINT32_MAX;
        size_t head = 0, tail = 0;
        for (size_t k = 0; k < nfirst; k++)
            if (dist[first[k]] == UINT32_MAX) {
                dist[first[k]] = 0;
                queue[tail++] = first[k];
            }
        while (head < tail) {
            fsn_vid_t u = queue[head++];
            for (uint64_t e = g.offset[u]; e < g.offset[u + 1]; e++)
                if (dist[g.adj[e]] == UINT32_MAX) {
                    dist[g.adj[e]] = dist[u] + 1;
                    queue[tail++] = g.adj[e];
                }
        }
        fsn_ic_result_t res;
        cr_assert_eq(fsn_ic_run(m, 1.0, 2.0, first, nfirst, &rng, &res), FSN_OK);
        cr_assert_eq(res.reached, tail, "run %d: reached %u component %zu", r, res.reached, tail);
        for (uint32_t v = 0; v < n; v++) {
            uint32_t gen = fsn_ic_generation(m, v);
            if (dist[v] == UINT32_MAX)
                cr_assert_eq(gen, UINT32_MAX);
            else
                cr_assert_geq(gen, dist[v]);
        }
    }
    fsn_ic_free(m);
    fsn_engine_free(eng);
    fsn_csr_destroy(&g);
    free(dist);
    free(queue);
}

/*
 * From one end of a path of L ties at T = 1 the link walks the whole
 * path: depth L, user v at generation v, and the duration is a sum of L
 * independent delays of mean mu, with mean L mu and sd sqrt(L) mu. Over
 * R runs the mean duration must be within 5 standard errors
 * mu sqrt(L / R) of L mu: this checks that mean_delay is the mean delay,
 * in the units of time.
 */
Test(ic, a_path_is_walked_end_to_end_at_T_one) {
    const uint32_t L = 1000;
    const double mu = 2.5;
    const int R = 40;
    fsn_csr_t g;
    path_graph(&g, L + 1);
    fsn_engine_t *eng = fsn_engine_new(16);
    fsn_ic_t *m = fsn_ic_new(&g, eng);
    double sum = 0;
    for (int r = 0; r < R; r++) {
        fsn_rng_t rng;
        fsn_rng_seed_stream(&rng, 17, 0, (uint64_t)r);
        fsn_vid_t end = 0;
        fsn_ic_result_t res;
        cr_assert_eq(fsn_ic_run(m, 1.0, mu, &end, 1, &rng, &res), FSN_OK);
        cr_assert_eq(res.reached, L + 1);
        cr_assert_eq(res.depth, L);
        for (fsn_vid_t v = 0; v <= L; v++) cr_assert_eq(fsn_ic_generation(m, v), v);
        sum += res.duration;
    }
    double mean = sum / R, se = mu * sqrt((double)L / R);
    cr_assert_lt(fabs(mean - L * mu), 5 * se, "mean %g expected %g se %g", mean, L * mu, se);
    /* From the middle, the link goes both ways: depth L / 2. */
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 5);
    fsn_vid_t mid = L / 2;
    fsn_ic_result_t res;
    cr_assert_eq(fsn_ic_run(m, 1.0, mu, &mid, 1, &rng, &res), FSN_OK);
    cr_assert_eq(res.depth, L / 2);
    cr_assert_eq(res.reached, L + 1);
    fsn_ic_free(m);
    fsn_engine_free(eng);
    fsn_csr_destroy(&g);
}

/*
 * Whatever the draws, the generations form the tree of who reached whom:
 * seeds at 0, every other active user next to an active friend one
 * generation closer to a seed, the deepest at the reported depth, and as
 * many active users as reported.
 */
Test(ic, generations_form_a_tree_of_shares) {
    const uint32_t n = 6000;
    fsn_csr_t g;
    er_graph(&g, n, 4.0, 23);
    fsn_engine_t *eng = fsn_engine_new(16);
    fsn_ic_t *m = fsn_ic_new(&g, eng);
    const double Ts[] = {0.4, 0.7, 1.0};
    for (size_t ti = 0; ti < 3; ti++) {
        fsn_rng_t rng;
        fsn_rng_seed_stream(&rng, 29, ti, 0);
        /* Ten seeds: at T = 0.4 (z T = 1.6) each starts a major outbreak
         * with probability 0.64, so all ten fail with probability 4e-5. */
        fsn_vid_t first[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        fsn_ic_result_t res;
        cr_assert_eq(fsn_ic_run(m, Ts[ti], 1.0, first, 10, &rng, &res), FSN_OK);
        uint32_t active = 0, deepest = 0;
        for (fsn_vid_t v = 0; v < n; v++) {
            uint32_t gen = fsn_ic_generation(m, v);
            if (gen == UINT32_MAX) continue;
            active++;
            if (gen > deepest) deepest = gen;
            if (v >= 1 && v <= 10) {
                cr_assert_eq(gen, 0);
                continue;
            }
            cr_assert_gt(gen, 0, "only seeds are at generation 0");
            int parent = 0;
            for (uint64_t e = g.offset[v]; e < g.offset[v + 1] && !parent; e++)
                parent = fsn_ic_generation(m, g.adj[e]) == gen - 1;
            cr_assert(parent, "T %g: user %u at generation %u has no friend at %u", Ts[ti], v,
                      gen, gen - 1);
        }
        cr_assert_eq(active, res.reached);
        cr_assert_eq(deepest, res.depth);
        cr_assert_gt(res.reached, n / 10, "T %g: a large outbreak", Ts[ti]);
        cr_assert_gt(res.duration, 0.0);
    }
    fsn_ic_free(m);
    fsn_engine_free(eng);
    fsn_csr_destroy(&g);
}

Test(ic, same_stream_gives_the_same_cascade) {
    const uint32_t n = 3000;
    fsn_csr_t g;
    er_graph(&g, n, 4.0, 9);
    fsn_engine_t *eng = fsn_engine_new(16);
    fsn_ic_t *m = fsn_ic_new(&g, eng);
    fsn_ic_result_t res[2];
    uint32_t *gen[2] = {malloc(n * sizeof(uint32_t)), malloc(n * sizeof(uint32_t))};
    for (int k = 0; k < 2; k++) {
        fsn_rng_t rng;
        fsn_rng_seed_stream(&rng, 5, 0, 0);
        fsn_vid_t first[4] = {7, 8, 9, 10};
        cr_assert_eq(fsn_ic_run(m, 0.5, 1.0, first, 4, &rng, &res[k]), FSN_OK);
        for (fsn_vid_t v = 0; v < n; v++) gen[k][v] = fsn_ic_generation(m, v);
        /* A different run in between must leave no trace. */
        fsn_rng_seed(&rng, 99);
        fsn_vid_t other = 8;
        if (k == 0) cr_assert_eq(fsn_ic_run(m, 0.7, 3.0, &other, 1, &rng, NULL), FSN_OK);
    }
    cr_assert_gt(res[0].reached, n / 10);
    cr_assert_eq(res[0].reached, res[1].reached);
    cr_assert_eq(res[0].depth, res[1].depth);
    cr_assert_eq(res[0].duration, res[1].duration);
    cr_assert_eq(memcmp(gen[0], gen[1], n * sizeof(uint32_t)), 0);
    free(gen[0]);
    free(gen[1]);
    fsn_ic_free(m);
    fsn_engine_free(eng);
    fsn_csr_destroy(&g);
}

Test(ic, rejects_bad_arguments_naming_them) {
    fsn_csr_t g;
    er_graph(&g, 100, 4.0, 1);
    fsn_engine_t *eng = fsn_engine_new(16);
    fsn_ic_t *m = fsn_ic_new(&g, eng);
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 1);
    fsn_vid_t ok = 0, bad[2] = {0, 100};
    fsn_ic_result_t res = {.reached = 42};
    const struct {
        double T, mu;
        const fsn_vid_t *first;
        size_t nfirst;
        const char *names;
    } cases[] = {
        {-0.1, 1, &ok, 1, "T ="},        {1.5, 1, &ok, 1, "T ="},
        {NAN, 1, &ok, 1, "T ="},         {0.5, 0, &ok, 1, "mean_delay"},
        {0.5, -1, &ok, 1, "mean_delay"}, {0.5, NAN, &ok, 1, "mean_delay"},
        {0.5, INFINITY, &ok, 1, "mean_delay"}, {0.5, 1, &ok, 0, "nfirst"},
        {0.5, 1, bad, 2, "first[1]"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cr_assert_eq(fsn_ic_run(m, cases[k].T, cases[k].mu, cases[k].first, cases[k].nfirst, &rng,
                                &res),
                     FSN_EINVAL, "case %zu", k);
        const fsn_error_t *err = fsn_ic_error(m);
        cr_assert_eq(err->code, FSN_EINVAL);
        cr_assert_not_null(strstr(err->msg, cases[k].names), "case %zu: message \"%s\"", k,
                           err->msg);
        cr_assert_eq(res.reached, 42, "the result is left alone");
    }
    cr_assert_eq(fsn_ic_run(m, 0.0, 1.0, &ok, 1, &rng, &res), FSN_OK);
    cr_assert_eq(fsn_ic_error(m)->code, FSN_OK);
    cr_assert_eq(res.reached, 1);
    fsn_ic_free(m);
    fsn_engine_free(eng);
    fsn_csr_destroy(&g);
}
