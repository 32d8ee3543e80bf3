/*
 * test_graph_csr.c: the staging list, the CSR builder and the relabelling.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "fission/graph.h"
#include "fission/rng.h"

static void assert_simple_symmetric(const fsn_csr_t *g) {
    uint64_t entries = 0;
    for (fsn_vid_t v = 0; v < g->n; v++) {
        for (uint64_t i = g->offset[v]; i < g->offset[v + 1]; i++) {
            fsn_vid_t w = g->adj[i];
            cr_assert_neq(w, v, "self-loop at %u", v);
            if (i > g->offset[v]) cr_assert_lt(g->adj[i - 1], w, "row %u not strictly sorted", v);
            int64_t j = fsn_csr_find(g, w, v);
            cr_assert_geq(j, 0, "tie %u-%u has no reverse", v, w);
            cr_assert_eq(g->tie[j], g->tie[i]);
            cr_assert_eq(g->kind[j], g->kind[i]);
            entries++;
        }
    }
    cr_assert_eq(entries, 2 * g->m);
}

Test(csr, drops_self_loops_and_merges_parallel_ties_keeping_the_strongest) {
    fsn_edges_t e;
    fsn_edges_init(&e, 4);
    cr_assert_eq(fsn_edges_push(&e, 0, 1, 10, FSN_TIE_WEAK), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 1, 0, 200, FSN_TIE_FAMILY), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 2, 2, 50, FSN_TIE_FRIEND), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 2, 3, 60, FSN_TIE_FRIEND), FSN_OK);
    cr_assert_eq(fsn_edges_push(&e, 3, 2, 60, FSN_TIE_FRIEND), FSN_OK);
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(&g, &e, &err), FSN_OK);
    cr_assert_eq(e.len, 0, "the staging list is consumed");
    cr_assert_eq(g.n, 4);
    cr_assert_eq(g.m, 2);
    int64_t i = fsn_csr_find(&g, 0, 1);
    cr_assert_geq(i, 0);
    cr_assert_eq(g.tie[i], 200);
    cr_assert_eq(g.kind[i], FSN_TIE_FAMILY);
    cr_assert_eq(fsn_csr_degree(&g, 2), 1);
    cr_assert_eq(fsn_csr_find(&g, 0, 2), -1);
    assert_simple_symmetric(&g);
    fsn_csr_destroy(&g);
}

Test(csr, builds_random_multigraph_into_a_simple_symmetric_graph) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 5);
    fsn_edges_t e;
    const uint32_t n = 3000;
    fsn_edges_init(&e, n);
    /* A reference adjacency matrix of the distinct ties. */
    uint8_t *adj = calloc((size_t)n * n, 1);
    uint64_t distinct = 0;
    for (int k = 0; k < 40000; k++) {
        fsn_vid_t u = (fsn_vid_t)fsn_rng_below(&r, n), v = (fsn_vid_t)fsn_rng_below(&r, n);
        if (k % 50 == 0) v = (fsn_vid_t)(fsn_rng_below(&r, 3)); /* a few hubs */
        cr_assert_eq(fsn_edges_push(&e, u, v, (fsn_tie_t)fsn_rng_below(&r, 256), 0), FSN_OK);
        if (u != v && !adj[(size_t)u * n + v]) {
            adj[(size_t)u * n + v] = adj[(size_t)v * n + u] = 1;
            distinct++;
        }
    }
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(&g, &e, &err), FSN_OK);
    cr_assert_eq(g.m, distinct);
    assert_simple_symmetric(&g);
    for (fsn_vid_t v = 0; v < n; v++)
        for (uint64_t i = g.offset[v]; i < g.offset[v + 1]; i++)
            cr_assert(adj[(size_t)v * n + g.adj[i]]);
    free(adj);
    fsn_csr_destroy(&g);
}

Test(csr, bfs_relabelling_is_an_isomorphism) {
    fsn_rng_t r;
    fsn_rng_seed(&r, 8);
    const uint32_t n = 2000;
    fsn_edges_t e;
    fsn_edges_init(&e, n);
    for (int k = 0; k < 6000; k++)
        fsn_edges_push(&e, (fsn_vid_t)fsn_rng_below(&r, n), (fsn_vid_t)fsn_rng_below(&r, n),
                       (fsn_tie_t)fsn_rng_below(&r, 256), (uint8_t)fsn_rng_below(&r, 6));
    fsn_csr_t g, h;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(&g, &e, &err), FSN_OK);
    fsn_edges_init(&e, n);
    /* Copy g into h through a staging list. */
    for (fsn_vid_t v = 0; v < n; v++)
        for (uint64_t i = g.offset[v]; i < g.offset[v + 1]; i++)
            if (v < g.adj[i]) fsn_edges_push(&e, v, g.adj[i], g.tie[i], g.kind[i]);
    cr_assert_eq(fsn_csr_from_edges(&h, &e, &err), FSN_OK);
    fsn_vid_t *perm = malloc(n * sizeof *perm);
    cr_assert_eq(fsn_csr_reorder_bfs(&h, perm, &err), FSN_OK);
    cr_assert_eq(h.m, g.m);
    assert_simple_symmetric(&h);
    uint8_t *seen = calloc(n, 1);
    for (fsn_vid_t v = 0; v < n; v++) {
        cr_assert_lt(perm[v], n);
        cr_assert_not(seen[perm[v]], "perm is not a bijection");
        seen[perm[v]] = 1;
        cr_assert_eq(fsn_csr_degree(&h, perm[v]), fsn_csr_degree(&g, v));
        for (uint64_t i = g.offset[v]; i < g.offset[v + 1]; i++) {
            int64_t j = fsn_csr_find(&h, perm[v], perm[g.adj[i]]);
            cr_assert_geq(j, 0);
            cr_assert_eq(h.tie[j], g.tie[i]);
            cr_assert_eq(h.kind[j], g.kind[i]);
        }
    }
    /* The highest-degree user becomes user 0. */
    fsn_vid_t hub = 0;
    for (fsn_vid_t v = 1; v < n; v++)
        if (fsn_csr_degree(&g, v) > fsn_csr_degree(&g, hub)) hub = v;
    cr_assert_eq(perm[hub], 0);
    free(seen);
    free(perm);
    fsn_csr_destroy(&g);
    fsn_csr_destroy(&h);
}

Test(csr, empty_staging_list_gives_users_without_ties) {
    fsn_edges_t e;
    fsn_edges_init(&e, 5);
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(&g, &e, &err), FSN_OK);
    cr_assert_eq(g.n, 5);
    cr_assert_eq(g.m, 0);
    for (fsn_vid_t v = 0; v < 5; v++) cr_assert_eq(fsn_csr_degree(&g, v), 0);
    cr_assert_eq(fsn_csr_reorder_bfs(&g, NULL, &err), FSN_OK);
    fsn_csr_destroy(&g);
    fsn_csr_destroy(&g); /* destroying twice is harmless */
}
