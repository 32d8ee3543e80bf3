/*
 * test_sir.c: the SIR-equivalent sharing process against theory.
 */
#include <criterion/criterion.h>
#include <igraph.h>
#include <math.h>
#include <string.h>

#include "fission/engine.h"
#include "fission/graph.h"
#include "fission/models/sir.h"
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

/* Root of S = 1 - exp(-z T S) in (0, 1], by fixed-point iteration. */
static double percolation_size(double z, double T) {
    double s = 1.0;
    for (int i = 0; i < 10000; i++) s = 1.0 - exp(-z * T * s);
    return s;
}

/*
 * On Erdos-Renyi graphs the attack rate of a major outbreak of the
 * Markovian SIR equals the giant-component size of bond percolation with
 * T = beta / (beta + gamma): S = 1 - exp(-z T S). We average the final
 * fraction of major outbreaks (over 1% of users) across 16 graphs x 12
 * outbreaks, and require the mean within 5 standard errors of theory; the
 * standard error is the sample sd over outbreaks / sqrt(count), which
 * includes graph-to-graph variation since graphs differ.
 */
Test(sir, final_size_on_erdos_renyi_matches_bond_percolation) {
    const uint32_t n = 20000;
    const double z = 5.0, beta = 0.5, gamma = 1.0, T = beta / (beta + gamma);
    const double theory = percolation_size(z, T);
    double sum = 0, sumsq = 0;
    int majors = 0;
    for (unsigned gi = 0; gi < 16; gi++) {
        fsn_csr_t g;
        er_graph(&g, n, z, 100 + gi);
        fsn_engine_t *eng = fsn_engine_new(1024);
        fsn_sir_t *m = fsn_sir_new(&g, eng);
        cr_assert_not_null(m);
        for (int r = 0; r < 12; r++) {
            fsn_rng_t rng;
            fsn_rng_seed_stream(&rng, 77, gi, (uint64_t)r);
            fsn_vid_t first = (fsn_vid_t)fsn_rng_below(&rng, n);
            cr_assert_eq(fsn_sir_run(m, beta, gamma, &first, 1, &rng, NULL), FSN_OK);
            double f = (double)fsn_sir_final_size(m) / n;
            if (f > 0.01) {
                majors++;
                sum += f;
                sumsq += f * f;
            }
        }
        fsn_sir_free(m);
        fsn_engine_free(eng);
        fsn_csr_destroy(&g);
    }
    cr_assert_gt(majors, 30);
    double mean = sum / majors;
    double sd = sqrt((sumsq - majors * mean * mean) / (majors - 1));
    double se = sd / sqrt(majors);
    cr_assert_lt(fabs(mean - theory), 5 * se, "mean %g theory %g se %g", mean, theory, se);
}

/* The trajectory bookkeeping must hold whatever the dynamics. */
Test(sir, trajectory_is_consistent_and_ends_with_nobody_sharing) {
    fsn_csr_t g;
    er_graph(&g, 5000, 6.0, 3);
    fsn_engine_t *eng = fsn_engine_new(16);
    fsn_sir_t *m = fsn_sir_new(&g, eng);
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 1);
    const fsn_sir_traj_t *tr;
    fsn_vid_t first[3] = {10, 20, 10};
    cr_assert_eq(fsn_sir_run(m, 0.8, 1.0, first, 3, &rng, &tr), FSN_OK);
    cr_assert_eq(tr->s[0], g.n - 2, "duplicated first users count once");
    cr_assert_eq(tr->i[0], 2);
    cr_assert_eq(tr->r[0], 0);
    cr_assert_eq(tr->time[0], 0.0);
    uint32_t final = fsn_sir_final_size(m);
    cr_assert_eq(tr->len, 2 * (size_t)final - 1, "one entry per infection and recovery");
    for (size_t k = 0; k < tr->len; k++) {
        cr_assert_eq(tr->s[k] + tr->i[k] + tr->r[k], g.n);
        if (k) {
            cr_assert_leq(tr->time[k - 1], tr->time[k]);
            int ds = (int)tr->s[k - 1] - (int)tr->s[k], dr = (int)tr->r[k] - (int)tr->r[k - 1];
            cr_assert(ds + dr == 1, "each entry is one event");
        }
    }
    cr_assert_eq(tr->i[tr->len - 1], 0);
    cr_assert_eq(tr->r[tr->len - 1], final);
    fsn_sir_free(m);
    fsn_engine_free(eng);
    fsn_csr_destroy(&g);
}

Test(sir, same_stream_gives_the_same_outbreak) {
    fsn_csr_t g;
    er_graph(&g, 3000, 4.0, 9);
    fsn_engine_t *eng = fsn_engine_new(16);
    fsn_sir_t *m = fsn_sir_new(&g, eng);
    double t1[2];
    uint32_t f1[2];
    for (int k = 0; k < 2; k++) {
        fsn_rng_t rng;
        fsn_rng_seed_stream(&rng, 5, 0, 0);
        const fsn_sir_traj_t *tr;
        fsn_vid_t first = 7;
        cr_assert_eq(fsn_sir_run(m, 0.5, 1.0, &first, 1, &rng, &tr), FSN_OK);
        t1[k] = tr->time[tr->len - 1];
        f1[k] = fsn_sir_final_size(m);
    }
    cr_assert_eq(f1[0], f1[1]);
    cr_assert_eq(t1[0], t1[1]);
    fsn_sir_free(m);
    fsn_engine_free(eng);
    fsn_csr_destroy(&g);
}

Test(sir, rejects_bad_rates_and_users) {
    fsn_csr_t g;
    er_graph(&g, 100, 4.0, 1);
    fsn_engine_t *eng = fsn_engine_new(16);
    fsn_sir_t *m = fsn_sir_new(&g, eng);
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 1);
    fsn_vid_t ok = 0, bad = 100;
    cr_assert_eq(fsn_sir_run(m, 0, 1, &ok, 1, &rng, NULL), FSN_EINVAL);
    cr_assert_eq(fsn_sir_run(m, 1, NAN, &ok, 1, &rng, NULL), FSN_EINVAL);
    cr_assert_eq(fsn_sir_run(m, 1, 1, &bad, 1, &rng, NULL), FSN_EINVAL);
    cr_assert_eq(fsn_sir_run(m, 1, 1, &ok, 0, &rng, NULL), FSN_EINVAL);
    fsn_sir_free(m);
    fsn_engine_free(eng);
    fsn_csr_destroy(&g);
}

/* The time code as its contract states it, computed here by integer
 * division apart from the model's clamps on the time. */
static uint32_t contract_code(double t) {
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    const uint64_t unit = UINT64_C(1) << 42;
    int64_t c = (int64_t)(b / unit + (b % unit != 0)) - ((INT64_C(1023) - 14) * 1024 - 1);
    return c < 1 ? 1u : c > 0xFFFE ? 0xFFFEu : (uint32_t)c;
}

/* The state word's code agrees with the engine's moot-test contract for
 * every time: the edges of the range (0, the smallest subnormal, 2^-14
 * and its neighbours, the largest code's time and its neighbours, the
 * largest double), times whose low 42 bits are zero (exact codes) or
 * one, and a million times spread over every exponent. */
Test(sir, time_code_matches_the_moot_test_contract) {
    const double edges[] = {0.0, 4.9e-324, 0x1p-15, 0x1p-14, 0x1.004p-14, 0x1.008p-14, 1.0, 25.0,
                            0x1.ff8p49, 0x1.ffcp49, 0x1.ffep49, 0x1p50, 0x1p60, 1.7976931348623157e308};
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        for (int d = -1; d <= 1; d++) {
            double t = edges[i];
            if (d) t = nextafter(t, d < 0 ? 0.0 : INFINITY);
            if (!(t >= 0) || isinf(t)) continue;
            cr_assert_eq(fsn_sir_time_code(t), contract_code(t), "time %a", t);
        }
    }
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 7);
    for (int i = 0; i < 1000000; i++) {
        /* A random exponent from 2^-20 to 2^60 and a random mantissa;
         * one in four with the low 42 bits cleared or set to 1. */
        const uint64_t r = fsn_rng_next(&rng);
        uint64_t b = ((uint64_t)(1023 - 20 + (int)(r % 81)) << 52) | (fsn_rng_next(&rng) >> 12);
        if ((r >> 8) % 4 == 0) b &= ~((UINT64_C(1) << 42) - 1);
        if ((r >> 8) % 4 == 1) b = (b & ~((UINT64_C(1) << 42) - 1)) | 1;
        double t;
        memcpy(&t, &b, sizeof t);
        cr_assert_eq(fsn_sir_time_code(t), contract_code(t), "time %a", t);
    }
}
