/*
 * test_seeding.c: the seeding module. Rankings on small graphs whose
 * order is known by hand or from igraph's own values, the seed file
 * reader on files written into a temporary directory, and the pickers:
 * distinct, in range, reproducible, uniform, and leaving the caller's
 * scratch as they found it.
 */
#include <criterion/criterion.h>
#include <igraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fission/seeding.h"

/* ---- helpers -------------------------------------------------------- */

/* Build a CSR of n users from pairs {u0, v0, u1, v1, ...}; tie strengths
 * from ties[] if not NULL. */
static void build_tied(fsn_csr_t *g, uint32_t n, const fsn_vid_t *pairs, size_t count,
                       const fsn_tie_t *ties) {
    fsn_edges_t e;
    fsn_edges_init(&e, n);
    for (size_t i = 0; i < count; i++)
        cr_assert_eq(fsn_edges_push(&e, pairs[2 * i], pairs[2 * i + 1],
                                    ties ? ties[i] : FSN_TIE_DEFAULT, FSN_TIE_OTHER),
                     FSN_OK);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(g, &e, &err), FSN_OK, "%s", err.msg);
}

static void build(fsn_csr_t *g, uint32_t n, const fsn_vid_t *pairs, size_t count) {
    build_tied(g, n, pairs, count, NULL);
}

#define TIES(a) (sizeof(a) / sizeof(a)[0] / 2)

static fsn_vid_t *rank_of(const fsn_csr_t *g, fsn_seed_kind_t kind) {
    fsn_vid_t *rank = malloc((size_t)g->n * sizeof *rank + 1);
    cr_assert_not_null(rank);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_seed_rank(g, kind, rank, &err), FSN_OK, "%s", err.msg);
    return rank;
}

static void assert_rank(const fsn_vid_t *rank, const fsn_vid_t *want, uint32_t n,
                        const char *what) {
    for (uint32_t i = 0; i < n; i++)
        cr_assert_eq(rank[i], want[i], "%s: rank[%u] = %u, want %u", what, i, rank[i], want[i]);
}

static void assert_all_zero(const uint8_t *mark, uint32_t n) {
    for (uint32_t v = 0; v < n; v++) cr_assert_eq(mark[v], 0, "mark[%u] left set", v);
}

/* ---- names ---------------------------------------------------------- */

Test(seeding, names_and_parses_every_kind_and_refuses_others) {
    const char *want[] = {"random", "degree", "pagerank", "kcore", "tier", "file"};
    for (int k = 0; k < 6; k++) {
        cr_assert_str_eq(fsn_seed_kind_name(k), want[k]);
        cr_assert_eq(fsn_seed_kind_parse(want[k]), k);
    }
    cr_assert_str_eq(fsn_seed_kind_name(6), "unknown");
    cr_assert_str_eq(fsn_seed_kind_name(-1), "unknown");
    cr_assert_eq(fsn_seed_kind_parse("betweenness"), -1);
    cr_assert_eq(fsn_seed_kind_parse(NULL), -1);
}

/* ---- ranks ---------------------------------------------------------- */

Test(seeding, degree_rank_of_a_star_puts_the_centre_first_and_ties_by_id) {
    /* Centre 3 with leaves 0, 1, 2, 4, 5; leaf 5 also tied to 4, so 4 and
     * 5 have degree 2 and the other leaves 1. */
    const fsn_vid_t p[] = {3, 0, 3, 1, 3, 2, 3, 4, 3, 5, 4, 5};
    fsn_csr_t g;
    build(&g, 6, p, TIES(p));
    fsn_vid_t *rank = rank_of(&g, FSN_SEED_DEGREE);
    const fsn_vid_t want[] = {3, 4, 5, 0, 1, 2};
    assert_rank(rank, want, 6, "degree");
    free(rank);
    fsn_csr_destroy(&g);
}

Test(seeding, rank_refuses_a_kind_that_is_not_a_ranking) {
    const fsn_vid_t p[] = {0, 1};
    fsn_csr_t g;
    build(&g, 2, p, TIES(p));
    fsn_vid_t rank[2];
    fsn_error_t err = {0};
    cr_assert_eq(fsn_seed_rank(&g, FSN_SEED_RANDOM, rank, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "random"), "%s", err.msg);
    cr_assert_eq(fsn_seed_rank(&g, FSN_SEED_FILE, rank, &err), FSN_EINVAL);
    cr_assert_eq(fsn_seed_rank(&g, (fsn_seed_kind_t)9, rank, &err), FSN_EINVAL);
    fsn_csr_destroy(&g);
}

Test(seeding, pagerank_of_a_star_puts_the_centre_first_and_leaves_by_id) {
    const fsn_vid_t p[] = {4, 0, 4, 1, 4, 2, 4, 3, 4, 5, 4, 6};
    fsn_csr_t g;
    build(&g, 7, p, TIES(p));
    fsn_vid_t *rank = rank_of(&g, FSN_SEED_PAGERANK);
    const fsn_vid_t want[] = {4, 0, 1, 2, 3, 5, 6};
    assert_rank(rank, want, 7, "pagerank");
    free(rank);
    fsn_csr_destroy(&g);
}

Test(seeding, pagerank_of_a_wheel_puts_the_hub_first_and_the_rim_by_id) {
    /* Hub 20 tied to the 45 other users, who form a ring in id order.
     * The rim users are all alike, yet PRPACK's values for them differ in
     * the last bits (up to about 5e-17 here); they must still come in id
     * order. */
    enum { N = 46, HUB = 20 };
    fsn_vid_t p[4 * N];
    size_t k = 0;
    fsn_vid_t rim[N - 1];
    for (fsn_vid_t v = 0, i = 0; v < N; v++)
        if (v != HUB) rim[i++] = v;
    for (size_t i = 0; i < N - 1; i++) {
        p[2 * k] = HUB, p[2 * k + 1] = rim[i], k++;
        p[2 * k] = rim[i], p[2 * k + 1] = rim[(i + 1) % (N - 1)], k++;
    }
    fsn_csr_t g;
    build(&g, N, p, k);
    fsn_vid_t *rank = rank_of(&g, FSN_SEED_PAGERANK);
    cr_assert_eq(rank[0], HUB);
    for (int i = 1; i < N; i++) cr_assert_eq(rank[i], rim[i - 1], "rank[%d] = %u", i, rank[i]);
    free(rank);
    fsn_csr_destroy(&g);
}

Test(seeding, pagerank_weighs_ties_by_strength) {
    /* Path 0 - 1 - 2: unweighted, 0 and 2 are symmetric and 0 wins on
     * id. With a strong tie to 2 and a weak one to 0, the walk from 1
     * goes almost always to 2, so 2 must come before 0. */
    const fsn_vid_t p[] = {0, 1, 1, 2};
    const fsn_tie_t t[] = {1, 255};
    fsn_csr_t g;
    build_tied(&g, 3, p, TIES(p), t);
    fsn_vid_t *rank = rank_of(&g, FSN_SEED_PAGERANK);
    const fsn_vid_t want[] = {1, 2, 0};
    assert_rank(rank, want, 3, "weighted pagerank");
    free(rank);
    fsn_csr_destroy(&g);
}

#define IG(call) cr_assert_eq((call), IGRAPH_SUCCESS, "%s failed", #call)

Test(seeding, pagerank_follows_igraphs_own_values_on_a_random_weighted_graph) {
    igraph_set_error_handler(igraph_error_handler_printignore);
    igraph_set_warning_handler(igraph_warning_handler_ignore);
    /* G(n, m) with random strengths, built by hand so the weights are
     * known per tie. */
    enum { N = 300, M = 1200 };
    fsn_rng_t r;
    fsn_rng_seed(&r, 17);
    fsn_vid_t pairs[2 * M];
    fsn_tie_t ties[M];
    for (int i = 0; i < M; i++) {
        pairs[2 * i] = (fsn_vid_t)fsn_rng_below(&r, N);
        do pairs[2 * i + 1] = (fsn_vid_t)fsn_rng_below(&r, N);
        while (pairs[2 * i + 1] == pairs[2 * i]);
        ties[i] = (fsn_tie_t)(1 + fsn_rng_below(&r, 255));
    }
    fsn_csr_t g;
    build_tied(&g, N, pairs, M, ties);
    fsn_vid_t *rank = rank_of(&g, FSN_SEED_PAGERANK);

    /* igraph on the CSR's simple graph, each tie weighted tie / 255. */
    igraph_vector_int_t el;
    igraph_vector_t w, pr;
    IG(igraph_vector_int_init(&el, 0));
    IG(igraph_vector_init(&w, 0));
    for (fsn_vid_t v = 0; v < g.n; v++)
        for (uint64_t i = g.offset[v]; i < g.offset[v + 1]; i++)
            if (g.adj[i] > v) {
                IG(igraph_vector_int_push_back(&el, v));
                IG(igraph_vector_int_push_back(&el, g.adj[i]));
                IG(igraph_vector_push_back(&w, g.tie[i] / 255.0));
            }
    igraph_t ig;
    IG(igraph_create(&ig, &el, N, IGRAPH_UNDIRECTED));
    IG(igraph_vector_init(&pr, 0));
    IG(igraph_pagerank(&ig, IGRAPH_PAGERANK_ALGO_PRPACK, &pr, NULL, igraph_vss_all(),
                       IGRAPH_UNDIRECTED, 0.85, &w, NULL));

    /* A permutation, in non-increasing order of igraph's values. */
    uint8_t seen[N] = {0};
    int distinct_values = 0;
    for (int i = 0; i < N; i++) {
        cr_assert_lt(rank[i], N);
        cr_assert_eq(seen[rank[i]], 0, "user %u ranked twice", rank[i]);
        seen[rank[i]] = 1;
        if (i == 0) continue;
        double a = VECTOR(pr)[rank[i - 1]], b = VECTOR(pr)[rank[i]];
        cr_assert_geq(a, b - 1e-12, "rank %d: %.17g before %.17g", i, a, b);
        if (a > b + 1e-9) distinct_values++;
    }
    cr_assert_gt(distinct_values, N / 2, "the values should mostly differ");
    /* The top user is igraph's maximum. */
    cr_assert_eq((igraph_integer_t)rank[0], igraph_vector_which_max(&pr));

    igraph_vector_destroy(&pr);
    igraph_destroy(&ig);
    igraph_vector_destroy(&w);
    igraph_vector_int_destroy(&el);
    free(rank);
    fsn_csr_destroy(&g);
}

Test(seeding, kcore_ranks_a_clique_attached_to_a_path_above_the_path) {
    /* Clique on 5..9 (coreness 4); the path 0 - 1 - 2 - 3 - 4 - 5 hangs
     * off clique member 5 (coreness 1 along the path). A hub 10 with six
     * leaves has the largest degree, 6, but coreness 1: degree and
     * coreness disagree about it. */
    fsn_vid_t p[2 * 32];
    size_t k = 0;
    for (fsn_vid_t a = 5; a < 10; a++)
        for (fsn_vid_t b = a + 1; b < 10; b++) p[2 * k] = a, p[2 * k + 1] = b, k++;
    for (fsn_vid_t a = 0; a < 5; a++) p[2 * k] = a, p[2 * k + 1] = a + 1, k++;
    for (fsn_vid_t l = 11; l < 17; l++) p[2 * k] = 10, p[2 * k + 1] = l, k++;
    fsn_csr_t g;
    build(&g, 17, p, k);
    fsn_vid_t *rank = rank_of(&g, FSN_SEED_KCORE);
    /* Coreness 4: 5 (degree 5), 6, 7, 8, 9. Coreness 1: 10 (degree 6),
     * 1, 2, 3, 4 (degree 2), 0, 11..16 (degree 1). */
    const fsn_vid_t want[] = {5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 0, 11, 12, 13, 14, 15, 16};
    assert_rank(rank, want, 17, "kcore");
    free(rank);
    /* Degree alone puts the hub first: the two rankings differ. */
    rank = rank_of(&g, FSN_SEED_DEGREE);
    cr_assert_eq(rank[0], 10);
    free(rank);
    fsn_csr_destroy(&g);
}

Test(seeding, ranks_an_empty_graph_and_isolated_users) {
    fsn_csr_t g;
    build(&g, 4, NULL, 0);
    for (int kind = FSN_SEED_DEGREE; kind <= FSN_SEED_KCORE; kind++) {
        fsn_vid_t *rank = rank_of(&g, (fsn_seed_kind_t)kind);
        const fsn_vid_t want[] = {0, 1, 2, 3};
        assert_rank(rank, want, 4, fsn_seed_kind_name(kind));
        free(rank);
    }
    fsn_csr_destroy(&g);
}

/* ---- the seed file -------------------------------------------------- */

/* A fresh temporary directory per test (Criterion runs each test in its
 * own process), removed with its files by tmp_cleanup. */
static char tmp_dir[64];

static void tmp_setup(void) {
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fsn_seedXXXXXX", base && *base ? base : "/tmp");
    cr_assert_not_null(mkdtemp(tmp_dir), "mkdtemp failed");
}

static const char *tmp_file(const char *name, const char *text) {
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

static void tmp_cleanup(void) {
    static const char *names[] = {"seeds.txt", "bad.txt", "unknown.txt", "empty.txt",
                                  "comments.txt", "range.txt"};
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmp_dir, names[i]);
        unlink(path);
    }
    rmdir(tmp_dir);
}

/* Five users on a path with file ids 1000, 20, 3000000000000, 7, 55. */
static void labelled_graph(fsn_csr_t *g) {
    const fsn_vid_t p[] = {0, 1, 1, 2, 2, 3, 3, 4};
    build(g, 5, p, TIES(p));
    g->label = malloc(5 * sizeof *g->label);
    cr_assert_not_null(g->label);
    const uint64_t labels[] = {1000, 20, 3000000000000ULL, 7, 55};
    memcpy(g->label, labels, sizeof labels);
}

Test(seed_file, maps_labels_skips_comments_and_drops_duplicates, .init = tmp_setup,
     .fini = tmp_cleanup) {
    fsn_csr_t g;
    labelled_graph(&g);
    const char *path = tmp_file("seeds.txt",
                                "# campaign A\n"
                                "\n"
                                "55\n"
                                "  3000000000000  # the big one\r\n"
                                "\t\n"
                                "7\n"
                                "55\n"
                                "1000");
    fsn_vid_t *ids = NULL;
    size_t count = 0;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_seed_read(path, &g, &ids, &count, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(count, 4);
    const fsn_vid_t want[] = {4, 2, 3, 0};
    for (size_t i = 0; i < 4; i++) cr_assert_eq(ids[i], want[i], "ids[%zu] = %u", i, ids[i]);
    free(ids);
    fsn_csr_destroy(&g);
}

Test(seed_file, reads_plain_user_ids_without_labels, .init = tmp_setup, .fini = tmp_cleanup) {
    const fsn_vid_t p[] = {0, 1, 1, 2};
    fsn_csr_t g;
    build(&g, 3, p, TIES(p));
    const char *path = tmp_file("seeds.txt", "2\n0\n2\n");
    fsn_vid_t *ids = NULL;
    size_t count = 0;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_seed_read(path, &g, &ids, &count, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(count, 2);
    cr_assert_eq(ids[0], 2);
    cr_assert_eq(ids[1], 0);
    free(ids);

    path = tmp_file("range.txt", "0\n3\n");
    cr_assert_eq(fsn_seed_read(path, &g, &ids, &count, &err), FSN_EPARSE);
    cr_assert_null(ids);
    cr_assert_eq(count, 0);
    char want[160];
    snprintf(want, sizeof want, "%s:2: user id 3 is not in the graph", path);
    cr_assert(strstr(err.msg, want), "%s", err.msg);
    fsn_csr_destroy(&g);
}

/* Read a file that must fail; its message must start "PATH:LINE: " and
 * hold `detail`. */
static void assert_read_fails(const fsn_csr_t *g, const char *path, fsn_err_t code,
                              unsigned line, const char *detail) {
    fsn_vid_t *ids = (fsn_vid_t *)&ids;
    size_t count = 99;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_seed_read(path, g, &ids, &count, &err), code, "%s", err.msg);
    cr_assert_null(ids);
    cr_assert_eq(count, 0);
    char prefix[160];
    snprintf(prefix, sizeof prefix, "%s:%u: ", path, line);
    cr_assert_eq(strncmp(err.msg, prefix, strlen(prefix)), 0, "want prefix '%s', got '%s'",
                 prefix, err.msg);
    cr_assert(strstr(err.msg, detail), "want '%s' in '%s'", detail, err.msg);
}

Test(seed_file, names_path_and_line_of_a_non_number, .init = tmp_setup, .fini = tmp_cleanup) {
    fsn_csr_t g;
    labelled_graph(&g);
    assert_read_fails(&g, tmp_file("bad.txt", "# seeds\n20\n7x\n55\n"), FSN_EPARSE, 3,
                      "expected a user id (a whole number below 2^64), got '7x'");
    assert_read_fails(&g, tmp_file("bad.txt", "20\n-7\n"), FSN_EPARSE, 2, "got '-7'");
    assert_read_fails(&g, tmp_file("bad.txt", "20 55\n"), FSN_EPARSE, 1, "got '20 55'");
    assert_read_fails(&g, tmp_file("bad.txt", "99999999999999999999\n"), FSN_EPARSE, 1,
                      "got '99999999999999999999'");
    fsn_csr_destroy(&g);
}

Test(seed_file, names_path_and_line_of_an_unknown_id, .init = tmp_setup, .fini = tmp_cleanup) {
    fsn_csr_t g;
    labelled_graph(&g);
    /* 2 is a user's index but no user's file id. */
    assert_read_fails(&g, tmp_file("unknown.txt", "1000\n\n2\n"), FSN_EPARSE, 3,
                      "user id 2 is not in the graph");
    fsn_csr_destroy(&g);
}

Test(seed_file, names_path_and_line_of_an_empty_file, .init = tmp_setup, .fini = tmp_cleanup) {
    fsn_csr_t g;
    labelled_graph(&g);
    assert_read_fails(&g, tmp_file("empty.txt", ""), FSN_EPARSE, 1, "no user ids in the file");
    assert_read_fails(&g, tmp_file("comments.txt", "# nothing yet\n\n# still nothing\n"),
                      FSN_EPARSE, 3, "no user ids in the file");
    fsn_csr_destroy(&g);
}

Test(seed_file, reports_a_missing_file_as_an_io_error, .init = tmp_setup, .fini = tmp_cleanup) {
    fsn_csr_t g;
    labelled_graph(&g);
    char path[128];
    snprintf(path, sizeof path, "%s/none.txt", tmp_dir);
    fsn_vid_t *ids = NULL;
    size_t count = 0;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_seed_read(path, &g, &ids, &count, &err), FSN_EIO);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    fsn_csr_destroy(&g);
}

/* ---- picking -------------------------------------------------------- */

static uint32_t pick(const fsn_seeding_t *s, const fsn_csr_t *g, const fsn_users_t *u,
                     fsn_rng_t *r, uint8_t *mark, fsn_vid_t *out) {
    uint32_t got = UINT32_MAX;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_seeds_pick(s, g, u, r, mark, out, &got, &err), FSN_OK, "%s", err.msg);
    assert_all_zero(mark, g->n);
    return got;
}

/* A ring of n users: every user has ties, none is special. */
static void ring(fsn_csr_t *g, uint32_t n) {
    fsn_vid_t *p = malloc(2 * (size_t)n * sizeof *p);
    for (uint32_t i = 0; i < n; i++) p[2 * i] = i, p[2 * i + 1] = (i + 1) % n;
    build(g, n, p, n);
    free(p);
}

Test(seeds_pick, random_picks_are_distinct_in_range_and_reproducible) {
    enum { N = 1000, K = 10 };
    fsn_csr_t g;
    ring(&g, N);
    uint8_t mark[N] = {0};
    fsn_seeding_t s = {.kind = FSN_SEED_RANDOM, .count = K};
    fsn_vid_t a[K], b[K], c[K];
    fsn_rng_t r;
    fsn_rng_seed_stream(&r, 1, 0, 0);
    cr_assert_eq(pick(&s, &g, NULL, &r, mark, a), K);
    fsn_rng_seed_stream(&r, 1, 0, 0);
    cr_assert_eq(pick(&s, &g, NULL, &r, mark, b), K);
    fsn_rng_seed_stream(&r, 1, 0, 1);
    cr_assert_eq(pick(&s, &g, NULL, &r, mark, c), K);
    int same_as_other = 1;
    for (int i = 0; i < K; i++) {
        cr_assert_lt(a[i], N);
        for (int j = 0; j < i; j++) cr_assert_neq(a[i], a[j], "user %u picked twice", a[i]);
        cr_assert_eq(a[i], b[i], "same stream, different pick at %d", i);
        if (a[i] != c[i]) same_as_other = 0;
    }
    cr_assert_eq(same_as_other, 0, "another stream gave the same seeds");
    fsn_csr_destroy(&g);
}

Test(seeds_pick, random_takes_everyone_when_asked_for_more_than_there_are) {
    enum { N = 7 };
    fsn_csr_t g;
    ring(&g, N);
    uint8_t mark[N] = {0};
    fsn_seeding_t s = {.kind = FSN_SEED_RANDOM, .count = 20};
    fsn_vid_t out[20];
    fsn_rng_t r;
    fsn_rng_seed(&r, 5);
    cr_assert_eq(pick(&s, &g, NULL, &r, mark, out), N);
    int seen[N] = {0};
    for (int i = 0; i < N; i++) seen[out[i]]++;
    for (int v = 0; v < N; v++) cr_assert_eq(seen[v], 1, "user %d taken %d times", v, seen[v]);
    fsn_csr_destroy(&g);
}

/*
 * Over R independent picks of K of N users, a uniform subset holds each
 * user with probability p = K / N, so the user's pick count is
 * Binomial(R, p): mean R p, standard error sqrt(R p (1 - p)). With R =
 * 40000, N = 20, K = 5: mean 10000, SE = sqrt(40000 x 0.25 x 0.75) =
 * 86.6. Every count must lie within 5 SE of the mean (a two-sided 5 SE
 * excursion has probability 5.7e-7 per user under uniformity). A picker
 * that favoured low or high ids, or Floyd's algorithm with the fallback
 * "take t" and "take j" swapped, is off by thousands.
 */
Test(seeds_pick, random_picks_every_user_with_frequency_count_over_n) {
    enum { N = 20, K = 5, R = 40000 };
    fsn_csr_t g;
    ring(&g, N);
    uint8_t mark[N] = {0};
    fsn_seeding_t s = {.kind = FSN_SEED_RANDOM, .count = K};
    fsn_rng_t r;
    fsn_rng_seed(&r, 2024);
    long hits[N] = {0};
    fsn_vid_t out[K];
    for (int rep = 0; rep < R; rep++) {
        uint32_t got = 0;
        cr_assert_eq(fsn_seeds_pick(&s, &g, NULL, &r, mark, out, &got, NULL), FSN_OK);
        cr_assert_eq(got, K);
        for (int i = 0; i < K; i++) hits[out[i]]++;
    }
    assert_all_zero(mark, N);
    double p = (double)K / N, mean = R * p, se = sqrt(R * p * (1 - p));
    for (int v = 0; v < N; v++)
        cr_assert(fabs((double)hits[v] - mean) <= 5 * se,
                  "user %d picked %ld times, expected %.0f +- 5 x %.1f", v, hits[v], mean, se);
    fsn_csr_destroy(&g);
}

/* Users whose id is a multiple of 10 are tier 1, the rest tier 3+. */
static void tiered_users(fsn_users_t *u, uint32_t n) {
    fsn_error_t err = {0};
    cr_assert_eq(fsn_users_init(u, n, &err), FSN_OK, "%s", err.msg);
    for (uint32_t v = 0; v < n; v++) u->tier[v] = v % 10 == 0 ? FSN_TIER_1 : FSN_TIER_3PLUS;
}

Test(seeds_pick, tier_picks_only_that_tier_and_fewer_when_the_tier_is_small) {
    enum { N = 100 };
    fsn_csr_t g;
    ring(&g, N);
    fsn_users_t u;
    tiered_users(&u, N);
    uint8_t mark[N] = {0};
    fsn_rng_t r;
    fsn_rng_seed(&r, 3);
    fsn_vid_t out[50];

    fsn_seeding_t s = {.kind = FSN_SEED_TIER, .count = 4, .tier = FSN_TIER_1};
    cr_assert_eq(pick(&s, &g, &u, &r, mark, out), 4);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(u.tier[out[i]], FSN_TIER_1, "user %u is not tier 1", out[i]);
        for (int j = 0; j < i; j++) cr_assert_neq(out[i], out[j]);
    }

    s.count = 50; /* only 10 users are tier 1 */
    uint32_t got = pick(&s, &g, &u, &r, mark, out);
    cr_assert_eq(got, 10);
    int seen[N] = {0};
    for (uint32_t i = 0; i < got; i++) seen[out[i]]++;
    for (int v = 0; v < N; v += 10) cr_assert_eq(seen[v], 1, "tier-1 user %d missing", v);

    s.tier = FSN_TIER_2; /* empty */
    cr_assert_eq(pick(&s, &g, &u, &r, mark, out), 0);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* Same argument as for RANDOM: 10 tier users, 3 picked, R = 30000 picks;
 * mean 9000, SE = sqrt(30000 x 0.3 x 0.7) = 79.4. */
Test(seeds_pick, tier_picks_every_user_of_the_tier_with_frequency_count_over_k) {
    enum { N = 100, K = 3, R = 30000 };
    fsn_csr_t g;
    ring(&g, N);
    fsn_users_t u;
    tiered_users(&u, N);
    uint8_t mark[N] = {0};
    fsn_rng_t r;
    fsn_rng_seed(&r, 11);
    fsn_seeding_t s = {.kind = FSN_SEED_TIER, .count = K, .tier = FSN_TIER_1};
    long hits[N] = {0};
    fsn_vid_t out[K];
    for (int rep = 0; rep < R; rep++) {
        uint32_t got = 0;
        cr_assert_eq(fsn_seeds_pick(&s, &g, &u, &r, mark, out, &got, NULL), FSN_OK);
        cr_assert_eq(got, K);
        for (int i = 0; i < K; i++) hits[out[i]]++;
    }
    double p = (double)K / 10, mean = R * p, se = sqrt(R * p * (1 - p));
    for (int v = 0; v < N; v += 10)
        cr_assert(fabs((double)hits[v] - mean) <= 5 * se,
                  "user %d picked %ld times, expected %.0f +- 5 x %.1f", v, hits[v], mean, se);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

Test(seeds_pick, tier_refuses_missing_or_mismatched_users_and_a_bad_tier) {
    enum { N = 20 };
    fsn_csr_t g;
    ring(&g, N);
    fsn_users_t u;
    tiered_users(&u, N - 1);
    uint8_t mark[N] = {0};
    fsn_rng_t r;
    fsn_rng_seed(&r, 3);
    fsn_vid_t out[4];
    uint32_t got = 77;
    fsn_error_t err = {0};
    fsn_seeding_t s = {.kind = FSN_SEED_TIER, .count = 4, .tier = FSN_TIER_1};
    cr_assert_eq(fsn_seeds_pick(&s, &g, NULL, &r, mark, out, &got, &err), FSN_EINVAL);
    cr_assert_eq(got, 0);
    cr_assert_eq(fsn_seeds_pick(&s, &g, &u, &r, mark, out, &got, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "19"), "%s", err.msg);
    fsn_users_destroy(&u);
    tiered_users(&u, N);
    s.tier = FSN_TIER_COUNT;
    cr_assert_eq(fsn_seeds_pick(&s, &g, &u, &r, mark, out, &got, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "tier 3"), "%s", err.msg);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

Test(seeds_pick, ranked_kinds_take_the_head_of_the_list_without_touching_the_stream) {
    enum { N = 8 };
    const fsn_vid_t p[] = {3, 0, 3, 1, 3, 2, 3, 4, 3, 5, 4, 5, 6, 7};
    fsn_csr_t g;
    build(&g, N, p, TIES(p));
    fsn_vid_t *rank = rank_of(&g, FSN_SEED_DEGREE); /* 3, 4, 5, 0, 1, 2, 6, 7 */
    uint8_t mark[N] = {0};
    fsn_rng_t r, before;
    fsn_rng_seed(&r, 9);
    before = r;
    fsn_vid_t out[N + 2];
    fsn_seeding_t s = {.kind = FSN_SEED_DEGREE, .count = 3, .list = rank, .list_len = N};
    cr_assert_eq(pick(&s, &g, NULL, &r, mark, out), 3);
    cr_assert_eq(out[0], 3);
    cr_assert_eq(out[1], 4);
    cr_assert_eq(out[2], 5);
    cr_assert_eq(memcmp(&r, &before, sizeof r), 0, "the stream was advanced");
    s.count = N + 2;
    cr_assert_eq(pick(&s, &g, NULL, NULL, mark, out), N);
    for (int i = 0; i < N; i++) cr_assert_eq(out[i], rank[i]);
    free(rank);
    fsn_csr_destroy(&g);
}

Test(seeds_pick, file_lists_keep_their_order_skip_repeats_and_refuse_foreign_ids) {
    enum { N = 6 };
    fsn_csr_t g;
    ring(&g, N);
    uint8_t mark[N] = {0};
    fsn_vid_t out[4];
    const fsn_vid_t list[] = {5, 1, 5, 0, 2};
    fsn_seeding_t s = {.kind = FSN_SEED_FILE, .count = 3, .list = list, .list_len = 5};
    cr_assert_eq(pick(&s, &g, NULL, NULL, mark, out), 3);
    cr_assert_eq(out[0], 5);
    cr_assert_eq(out[1], 1);
    cr_assert_eq(out[2], 0);

    const fsn_vid_t foreign[] = {1, 2, 6};
    s.list = foreign;
    s.list_len = 3;
    uint32_t got = 9;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_seeds_pick(&s, &g, NULL, NULL, mark, out, &got, &err), FSN_EINVAL);
    cr_assert_eq(got, 0);
    cr_assert(strstr(err.msg, "user 6"), "%s", err.msg);
    assert_all_zero(mark, N);

    s.kind = (fsn_seed_kind_t)42;
    cr_assert_eq(fsn_seeds_pick(&s, &g, NULL, NULL, mark, out, &got, &err), FSN_EINVAL);
    fsn_csr_destroy(&g);
}
