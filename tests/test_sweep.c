/*
 * test_sweep.c: sweep files, designs and the threaded executor.
 *
 * Designs are checked on their unit-cube properties (a grid's count and
 * order, a Latin hypercube's strata, Sobol' against GSL, Saltelli's and
 * Morris's layouts); sweep files on their messages, which must name the
 * file and the JSON path; the executor on its promise that results do
 * not depend on the number of threads, and on building a graph once per
 * distinct graph section.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fission/rng.h"
#include "fission/run.h"
#include "fission/sweep.h"

static char tmp[256];

static void setup(void) {
    fsn_rng_gsl_quiet();
    snprintf(tmp, sizeof tmp, "/tmp/fission_sweep_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
    char p[300];
    snprintf(p, sizeof p, "%s/base.json", tmp);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs("// a small group buy\n"
          "{\"graph\": {\"generator\": \"wechat\", \"n\": 1200, \"mean_degree\": 12, \"seed\": 1},\n"
          " \"campaigns\": [{\"type\": \"group\", \"name\": \"g\", \"price\": 99,\n"
          "   \"group\": {\"size\": 3, \"deadline\": 24, \"price\": 69},\n"
          "   \"seeding\": {\"strategy\": \"degree\", \"count\": 20}}],\n"
          " \"run\": {\"horizon\": 72, \"replicates\": 2}}\n",
          f);
    fclose(f);
}

static void teardown(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", tmp);
}

TestSuite(sweep, .init = setup, .fini = teardown);

/* Write a sweep file into the temp folder; returns its path (static). */
static const char *sweep_file(const char *text) {
    static char p[300];
    snprintf(p, sizeof p, "%s/sweep.json", tmp);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static fsn_sweep_t *load_ok(const char *text) {
    fsn_diags_t d;
    fsn_sweep_t *sw = NULL;
    fsn_err_t rc = fsn_sweep_load(sweep_file(text), NULL, 0, &sw, &d);
    cr_assert_eq(rc, FSN_OK, "%s", d.count ? d.msg[0] : "?");
    return sw;
}

/* The first message of a sweep file that must fail. */
static const char *load_bad(const char *text) {
    static fsn_diags_t d;
    fsn_sweep_t *sw = NULL;
    fsn_err_t rc = fsn_sweep_load(sweep_file(text), NULL, 0, &sw, &d);
    cr_assert_neq(rc, FSN_OK, "expected an error for %s", text);
    cr_assert_null(sw);
    cr_assert_geq(d.count, 1);
    cr_assert(strstr(d.msg[0], "sweep.json"), "the message names the file: %s", d.msg[0]);
    return d.msg[0];
}

Test(sweep, a_grid_has_the_product_of_the_axes_counts_and_the_last_axis_varies_fastest) {
    fsn_sweep_t *sw = load_ok("{\"base\": \"base.json\", \"axes\": ["
                              "{\"path\": \"campaigns[0].group.size\", \"values\": [2, 3, 4]},"
                              "{\"path\": \"campaigns[0].group.deadline\", \"range\": [6, 48], \"steps\": 4}]}");
    cr_assert_eq(sw->npoints, 12);
    cr_assert_eq(sw->design, FSN_DESIGN_GRID);
    cr_assert_eq(sw->values[0 * 2 + 0], 2);
    cr_assert_eq(sw->values[0 * 2 + 1], 6);
    cr_assert_eq(sw->values[1 * 2 + 1], 20);
    cr_assert_eq(sw->values[3 * 2 + 1], 48);
    cr_assert_eq(sw->values[4 * 2 + 0], 3);
    cr_assert_eq(sw->values[11 * 2 + 0], 4);
    cr_assert_eq(sw->u[11 * 2 + 0], 1.0);
    cr_assert(sw->axes[0].is_integer);
    cr_assert(!sw->axes[1].is_integer);
    const char *sets[8];
    char buf[512];
    size_t n = fsn_sweep_point_sets(sw, 5, sets, buf, sizeof buf);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(sets[0], "campaigns[0].group.size=3");
    cr_assert_str_eq(sets[1], "campaigns[0].group.deadline=20");
    fsn_sweep_free(sw);
}

Test(sweep, a_latin_hypercube_has_one_point_per_stratum_on_each_axis) {
    enum { N = 37, K = 5 };
    double u[N * K];
    fsn_error_t err = {0};
    cr_assert_eq(fsn_sweep_design_unit(FSN_DESIGN_LHS, N, K, 0, 11, u, &err), FSN_OK);
    for (int j = 0; j < K; j++) {
        int seen[N] = {0};
        for (int i = 0; i < N; i++) {
            double x = u[i * K + j];
            cr_assert(x >= 0 && x < 1);
            seen[(int)(x * N)]++;
        }
        for (int s = 0; s < N; s++) cr_assert_eq(seen[s], 1, "axis %d stratum %d holds %d points", j, s, seen[s]);
    }
}

Test(sweep, random_and_lhs_designs_are_functions_of_the_seed) {
    enum { N = 16, K = 3 };
    double a[N * K], b[N * K], c[N * K];
    fsn_error_t err = {0};
    for (int d = FSN_DESIGN_RANDOM; d <= FSN_DESIGN_LHS; d++) {
        cr_assert_eq(fsn_sweep_design_unit((fsn_design_t)d, N, K, 0, 5, a, &err), FSN_OK);
        cr_assert_eq(fsn_sweep_design_unit((fsn_design_t)d, N, K, 0, 5, b, &err), FSN_OK);
        cr_assert_eq(fsn_sweep_design_unit((fsn_design_t)d, N, K, 0, 6, c, &err), FSN_OK);
        cr_assert_arr_eq(a, b, sizeof a);
        cr_assert(memcmp(a, c, sizeof a) != 0);
    }
}

Test(sweep, sobol_points_are_gsl_sobol_from_the_first) {
    enum { N = 20, K = 4 };
    double u[N * K], v[K];
    fsn_error_t err = {0};
    cr_assert_eq(fsn_sweep_design_unit(FSN_DESIGN_SOBOL, N, K, 0, 1, u, &err), FSN_OK);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, K);
    for (int i = 0; i < N; i++) {
        gsl_qrng_get(q, v);
        for (int j = 0; j < K; j++) cr_assert_eq(u[i * K + j], v[j]);
    }
    gsl_qrng_free(q);
    cr_assert_eq(fsn_sweep_design_unit(FSN_DESIGN_SOBOL, 2, 41, 0, 1, u, &err), FSN_EINVAL);
}

Test(sweep, saltelli_and_morris_points_have_their_layout) {
    fsn_sweep_t *sw = load_ok("{\"base\": \"base.json\", \"design\": \"saltelli\", \"points\": 8, \"axes\": ["
                              "{\"path\": \"behaviour.sharing.coupon_reshare\", \"range\": [0, 0.6]},"
                              "{\"path\": \"campaigns[0].group.deadline\", \"dist\": \"loguniform\", \"lo\": 6, \"hi\": 96},"
                              "{\"path\": \"campaigns[0].seeding.count\", \"range\": [5, 50]}]}");
    cr_assert_eq(sw->npoints, 8 * (3 + 2));
    /* AB_1 is A with column 0 from B */
    for (size_t i = 0; i < 8; i++) {
        const double *A = sw->u + i * 3, *B = sw->u + (8 + i) * 3, *AB1 = sw->u + (16 + i) * 3;
        cr_assert_eq(AB1[0], B[0]);
        cr_assert_eq(AB1[1], A[1]);
        cr_assert_eq(AB1[2], A[2]);
    }
    for (size_t p = 0; p < sw->npoints; p++) {
        double c = sw->values[p * 3 + 2];
        cr_assert(c == floor(c) && c >= 5 && c <= 50, "seeding.count is an integer key: %g", c);
        double dl = sw->values[p * 3 + 1];
        cr_assert(dl >= 6 && dl <= 96);
    }
    fsn_sweep_free(sw);
    sw = load_ok("{\"base\": \"base.json\", \"design\": \"morris\", \"points\": 5, \"levels\": 4, \"axes\": ["
                 "{\"path\": \"behaviour.sharing.coupon_reshare\", \"range\": [0, 0.6]},"
                 "{\"path\": \"campaigns[0].group.deadline\", \"range\": [6, 96]}]}");
    cr_assert_eq(sw->npoints, 5 * 3);
    for (size_t t = 0; t < 5; t++)
        for (size_t s = 0; s < 2; s++) {
            const double *a = sw->u + (t * 3 + s) * 2, *b = a + 2;
            int diff = (a[0] != b[0]) + (a[1] != b[1]);
            cr_assert_eq(diff, 1, "trajectory %zu step %zu changes %d coordinates", t, s, diff);
        }
    fsn_sweep_free(sw);
}

Test(sweep, comments_are_allowed_as_in_scenario_files) {
    fsn_sweep_t *sw = load_ok("// a comment\n{\"base\": \"base.json\", /* inline */ \"axes\": [\n"
                              "  {\"path\": \"campaigns[0].group.size\", \"values\": [2, 3]} // two sizes\n"
                              "], \"replicates\": 3, \"seed\": 9}");
    cr_assert_eq(sw->npoints, 2);
    cr_assert_eq(sw->reps, 3);
    cr_assert_eq(sw->seed, 9);
    fsn_sweep_free(sw);
}

Test(sweep, errors_name_the_file_and_the_json_path) {
    const char *m;
    m = load_bad("{\"base\": \"base.json\", \"design\": \"lhs\", \"points\": 4, \"axes\": ["
                 "{\"path\": \"campaigns[0].group.size\", \"values\": [2]},"
                 "{\"path\": \"campaigns[0].group.deadline\", \"range\": [6, 48]},"
                 "{\"path\": \"campaigns[0].group.price\", \"range\": [60, 50]}]}");
    cr_assert(strstr(m, "sweep.json: axes[2].range: expected [lo, hi] with lo < hi"), "%s", m);
    m = load_bad("{\"base\": \"base.json\", \"axes\": [{\"path\": \"campaigns[0].group.sise\", \"values\": [2]}]}");
    cr_assert(strstr(m, "axes[0].path") && strstr(m, "group.sise"), "%s", m);
    m = load_bad("{\"base\": \"base.json\", \"design\": \"lhs\", \"axes\": [{\"path\": \"campaigns[0].group.size\", "
                 "\"range\": [2, 5]}]}");
    cr_assert(strstr(m, "points") && strstr(m, "lhs"), "%s", m);
    m = load_bad("{\"base\": \"base.json\", \"axes\": [{\"path\": \"campaigns[0].group.deadline\", \"dist\": "
                 "\"uniform\", \"lo\": 1, \"hi\": 5}]}");
    cr_assert(strstr(m, "axes[0].dist") && strstr(m, "grid"), "%s", m);
    m = load_bad("{\"base\": \"base.json\", \"axes\": [{\"path\": \"campaigns[0].group.deadline\", \"range\": [1, 5]}]}");
    cr_assert(strstr(m, "axes[0].steps"), "%s", m);
    m = load_bad("{\"base\": \"base.json\", \"design\": \"random\", \"points\": 3, \"axes\": [{\"path\": "
                 "\"campaigns[0].group.deadline\", \"dist\": \"loguniform\", \"lo\": 0, \"hi\": 5}]}");
    cr_assert(strstr(m, "axes[0].lo") && strstr(m, "lo > 0"), "%s", m);
    m = load_bad("{\"base\": \"base.json\", \"design\": \"anneal\", \"axes\": []}");
    cr_assert(strstr(m, "design"), "%s", m);
    m = load_bad("{\"base\": \"base.json\", \"axis\": []}");
    cr_assert(strstr(m, "sweep.json: axis: unknown key"), "%s", m);
    m = load_bad("{\"base\": \"base.json\",\n \"axes\": [}");
    cr_assert(strstr(m, "sweep.json: 2:"), "a malformed file gets its line: %s", m);
    m = load_bad("{\"base\": \"base.json\", \"axes\": [{\"path\": \"campaigns[0].group.size\", \"values\": [2]}],"
                 " \"metrics\": [\"a\", 3]}");
    cr_assert(strstr(m, "metrics[1]"), "%s", m);
    m = load_bad("{\"base\": \"missing.json\", \"axes\": [{\"path\": \"campaigns[0].group.size\", \"values\": [2]}]}");
    cr_assert(strstr(m, "missing.json"), "%s", m);
    m = load_bad("{\"base\": \"base.json\", \"axes\": [{\"path\": \"campaigns[0].type\", \"range\": [1, 2], \"steps\": 2}]}");
    cr_assert(strstr(m, "axes[0].range") && strstr(m, "values"), "%s", m);
}

Test(sweep, a_bad_value_at_some_point_is_found_before_anything_runs) {
    fsn_sweep_t *sw = load_ok("{\"base\": \"base.json\", \"axes\": ["
                              "{\"path\": \"campaigns[0].group.size\", \"values\": [3, 2, 1]}]}");
    fsn_diags_t d;
    cr_assert_eq(fsn_sweep_check(sw, &d), FSN_EINVAL);
    cr_assert(strstr(d.msg[0], "sweep.json: point 2:") && strstr(d.msg[0], "campaigns[0].group.size"), "%s", d.msg[0]);
    fsn_sweep_free(sw);
}

/* An in-memory sink: each unit's first kept metrics and events. */
typedef struct memsink {
    size_t npoints, reps, nm;
    double *v;
    uint64_t *ev;
    size_t count;
} memsink_t;

static fsn_err_t mem_put(void *ctx, const fsn_sweep_outcome_t *o, fsn_error_t *err) {
    (void)err;
    memsink_t *s = ctx;
    cr_assert_eq(o->rc, FSN_OK, "%s", o->msg);
    size_t i = o->unit.point * s->reps + o->unit.rep;
    for (size_t m = 0; m < s->nm && m < o->nmetrics; m++) s->v[i * s->nm + m] = o->metrics[m];
    s->ev[i] = o->events;
    s->count++;
    return FSN_OK;
}

typedef struct allsrc {
    uint64_t next, total;
    uint32_t reps;
} allsrc_t;

static int all_next(void *ctx, fsn_sweep_unit_t *u) {
    allsrc_t *a = ctx;
    if (a->next >= a->total) return 0;
    u->point = a->next / a->reps;
    u->rep = (uint32_t)(a->next % a->reps);
    a->next++;
    return 1;
}

static void run_all(const fsn_sweep_t *sw, uint32_t threads, memsink_t *ms, size_t *graphs) {
    fsn_sweep_cache_t *c = fsn_sweep_cache_new(sw, 2);
    cr_assert_not_null(c);
    allsrc_t a = {0, (uint64_t)sw->npoints * sw->reps, sw->reps};
    fsn_sweep_source_t src = {&a, all_next};
    fsn_sweep_sink_t sink = {ms, mem_put, NULL};
    fsn_sweep_exec_cfg_t cfg = {threads, NULL, 0, NULL, NULL};
    fsn_sweep_exec_stats_t st;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_sweep_exec(sw, c, &src, &sink, &cfg, &st, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(st.done, a.total);
    cr_assert_eq(ms->count, a.total);
    cr_assert(!st.interrupted);
    *graphs = fsn_sweep_cache_graphs_built(c);
    fsn_sweep_cache_free(c);
}

Test(sweep, results_do_not_depend_on_the_threads_and_graphs_are_built_once_per_graph_section) {
    fsn_sweep_t *sw = load_ok("{\"base\": \"base.json\", \"replicates\": 2, \"seed\": 4, \"axes\": ["
                              "{\"path\": \"graph.n\", \"values\": [1000, 1500]},"
                              "{\"path\": \"campaigns[0].group.size\", \"values\": [2, 3, 4]}]}");
    cr_assert_eq(sw->npoints, 6);
    enum { NM = 8 };
    memsink_t a = {6, 2, NM, calloc(12 * NM, sizeof(double)), calloc(12, sizeof(uint64_t)), 0};
    memsink_t b = {6, 2, NM, calloc(12 * NM, sizeof(double)), calloc(12, sizeof(uint64_t)), 0};
    size_t ga, gb;
    run_all(sw, 1, &a, &ga);
    run_all(sw, 2, &b, &gb);
    cr_assert_eq(ga, 2, "two distinct graphs, built %zu times", ga);
    cr_assert_eq(gb, 2);
    cr_assert_arr_eq(a.ev, b.ev, 12 * sizeof(uint64_t));
    for (size_t i = 0; i < 12 * NM; i++)
        cr_assert(a.v[i] == b.v[i] || (isnan(a.v[i]) && isnan(b.v[i])), "value %zu: %g vs %g", i, a.v[i], b.v[i]);
    /* replicates differ from each other, and points from each other */
    cr_assert_neq(a.ev[0], a.ev[1]);
    cr_assert_neq(a.ev[0], a.ev[2]);
    free(a.v);
    free(a.ev);
    free(b.v);
    free(b.ev);
    fsn_sweep_free(sw);
}

static volatile int stop_now = 1;

Test(sweep, a_stop_request_runs_nothing_more_and_says_so) {
    fsn_sweep_t *sw = load_ok("{\"base\": \"base.json\", \"axes\": ["
                              "{\"path\": \"campaigns[0].group.size\", \"values\": [2, 3, 4]}]}");
    fsn_sweep_cache_t *c = fsn_sweep_cache_new(sw, 1);
    allsrc_t a = {0, 3, 1};
    memsink_t ms = {3, 1, 1, calloc(3, sizeof(double)), calloc(3, sizeof(uint64_t)), 0};
    fsn_sweep_source_t src = {&a, all_next};
    fsn_sweep_sink_t sink = {&ms, mem_put, NULL};
    fsn_sweep_exec_cfg_t cfg = {2, &stop_now, 0, NULL, NULL};
    fsn_sweep_exec_stats_t st;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_sweep_exec(sw, c, &src, &sink, &cfg, &st, &err), FSN_OK);
    cr_assert(st.interrupted);
    cr_assert_eq(st.done, 0);
    fsn_sweep_cache_free(c);
    free(ms.v);
    free(ms.ev);
    fsn_sweep_free(sw);
}

Test(sweep, the_example_sweep_files_load_and_every_point_checks) {
    const char *files[] = {FISSION_TEST_DATA "/../../scenarios/sweeps/group-size.json",
                           FISSION_TEST_DATA "/../../scenarios/sweeps/sharing-lhs.json"};
    for (size_t i = 0; i < 2; i++) {
        fsn_diags_t d;
        fsn_sweep_t *sw = NULL;
        cr_assert_eq(fsn_sweep_load(files[i], NULL, 0, &sw, &d), FSN_OK, "%s", d.count ? d.msg[0] : "?");
        cr_assert_eq(fsn_sweep_check(sw, &d), FSN_OK, "%s", d.count ? d.msg[0] : "?");
        cr_assert_gt(sw->npoints, 1);
        fsn_sweep_free(sw);
    }
}

Test(sweep, a_sweep_unit_is_the_replicate_fission_run_computes_for_that_point) {
    fsn_sweep_t *sw = load_ok("{\"base\": \"base.json\", \"replicates\": 2, \"seed\": 12, \"axes\": ["
                              "{\"path\": \"campaigns[0].group.size\", \"values\": [2, 4]}]}");
    enum { NM = 400 };
    memsink_t ms = {2, 2, NM, calloc(4 * NM, sizeof(double)), calloc(4, sizeof(uint64_t)), 0};
    size_t graphs;
    run_all(sw, 2, &ms, &graphs);
    /* point 1 through fsn_run_campaigns with the sweep's seed and point 1 */
    fsn_scenario_t sc;
    fsn_diags_t d;
    cr_assert_eq(fsn_sweep_point_scenario(sw, 1, &sc, &d), FSN_OK);
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_scenario_graph(&sc, &g, &err), FSN_OK, "%s", err.msg);
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 2;
    cfg.seed = 12;
    cfg.threads = 1;
    fsn_run_result_t res;
    cr_assert_eq(fsn_run_campaigns(&g, &sc.users, &sc.behaviour, sc.campaigns, sc.ncampaigns, &cfg, 1, &res, &err),
                 FSN_OK, "%s", err.msg);
    cr_assert_leq(res.nmetrics, NM);
    for (uint32_t r = 0; r < 2; r++) {
        cr_assert_eq(res.events[r], ms.ev[1 * 2 + r]);
        for (size_t m = 0; m < res.nmetrics; m++) {
            double a = res.values[r * res.nmetrics + m], b = ms.v[(1 * 2 + r) * NM + m];
            cr_assert(a == b || (isnan(a) && isnan(b)), "replicate %u, %s: %g vs %g", r, res.names[m], a, b);
        }
    }
    fsn_run_result_destroy(&res);
    fsn_csr_destroy(&g);
    free(ms.v);
    free(ms.ev);
    fsn_sweep_free(sw);
}

Test(sweep, every_truncation_of_a_sweep_file_fails_cleanly_or_loads) {
    const char *full = "// c\n{\"base\": \"base.json\", \"set\": {\"run.horizon\": 48}, \"design\": \"lhs\", \"points\": 3,\n"
                       " \"axes\": [{\"path\": \"campaigns[0].group.size\", \"values\": [2, \"3\"]},\n"
                       "  {\"path\": \"campaigns[0].group.deadline\", \"dist\": \"loguniform\", \"lo\": 2, \"hi\": 9}],\n"
                       " /* m */ \"metrics\": \"all\", \"replicates\": 2, \"seed\": 3}\n";
    size_t n = strlen(full);
    char *buf = malloc(n + 1);
    for (size_t k = 0; k <= n; k++) {
        memcpy(buf, full, k);
        buf[k] = 0;
        fsn_diags_t d;
        fsn_sweep_t *sw = NULL;
        fsn_err_t rc = fsn_sweep_load(sweep_file(buf), NULL, 0, &sw, &d);
        if (rc) {
            cr_assert_null(sw);
            cr_assert_geq(d.count, 1, "a failure at length %zu says why", k);
        } else {
            cr_assert_not_null(sw);
            fsn_sweep_free(sw);
        }
    }
    free(buf);
}

Test(sweep, names_on_an_axis_are_set_as_json_strings_and_stored_as_plain_text) {
    fsn_sweep_t *sw = load_ok("{\"base\": \"base.json\", \"axes\": ["
                              "{\"path\": \"campaigns[0].seeding.strategy\", \"values\": [\"random\", \"pagerank\"]}]}");
    cr_assert_eq(sw->npoints, 2);
    cr_assert_str_eq(sw->vtexts[1], "\"pagerank\"");
    cr_assert_str_eq(sw->vlabels[1], "pagerank");
    cr_assert(isnan(sw->values[1]));
    const char *sets[4];
    char buf[256];
    cr_assert_eq(fsn_sweep_point_sets(sw, 1, sets, buf, sizeof buf), 1);
    cr_assert_str_eq(sets[0], "campaigns[0].seeding.strategy=\"pagerank\"");
    fsn_diags_t d;
    cr_assert_eq(fsn_sweep_check(sw, &d), FSN_OK, "%s", d.msg[0]);
    fsn_sweep_free(sw);
}

/* Every point with its own graph makes the main thread release its lock
 * for long while workers empty the queue: the count of queued points must
 * stay right (it once did not, and the sweep hung). */
Test(sweep, points_with_their_own_graphs_never_stall_the_queue, .timeout = 240) {
    fsn_sweep_t *sw = load_ok("{\"base\": \"base.json\", \"design\": \"sobol\", \"points\": 30, \"replicates\": 3,"
                              " \"set\": {\"run.horizon\": 24}, \"axes\": ["
                              "{\"path\": \"graph.n\", \"dist\": \"loguniform\", \"lo\": 300, \"hi\": 900}]}");
    for (int round = 0; round < 3; round++) {
        memsink_t ms = {30, 3, 1, calloc(90, sizeof(double)), calloc(90, sizeof(uint64_t)), 0};
        size_t graphs;
        run_all(sw, 2, &ms, &graphs);
        cr_assert_geq(graphs, 20);
        free(ms.v);
        free(ms.ev);
    }
    fsn_sweep_free(sw);
}
