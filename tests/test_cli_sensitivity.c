/*
 * test_cli_sensitivity.c: `fission sensitivity` as a user meets it.
 *
 * Stores are written with the store's own writer (store.h) over the
 * designs of sensitivity.h, with outputs from functions whose indices
 * are known, so the command's whole path (store -> point means ->
 * estimators -> table and CSV) is checked against answers; then the
 * refusals: a missing folder or store, a design without indices, an
 * unknown metric, bad flags (exit 2, with messages).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fission/sensitivity.h"
#include "fission/store.h"
#include "cli_run.h"

static char out[1 << 17], err[1 << 16];
static char tmp[256];

/* Run the CLI with args (shell words) in the temp folder (tests/cli_run.h). */
static int run(const char *args) { return cli_run_in(tmp, "", args, out, sizeof out, err, sizeof err); }

static void setup(void) {
    snprintf(tmp, sizeof tmp, "/tmp/fission_sens_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void teardown(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", tmp);
}

TestSuite(cli_sensitivity, .init = setup, .fini = teardown);

static const double PI = 3.14159265358979323846;

/* Ishigami on x_i = -pi + 2 pi u_i (indices in test_sensitivity.c). */
static double ishigami(const double *u) {
    double x1 = -PI + 2 * PI * u[0], x2 = -PI + 2 * PI * u[1], x3 = -PI + 2 * PI * u[2];
    return sin(x1) + 7 * sin(x2) * sin(x2) + 0.1 * pow(x3, 4) * sin(x1);
}

static const double lin_c[3] = {2.0, -1.0, 0.0};

/* A store DIR/name/sweep.db with the given design over 3 axes, points u,
 * two metrics per run: "ishigami" and "linear" (sum c_i x_i on the axes'
 * natural scale). reps runs per point, all equal to the function value
 * plus +-off (so the mean is the value); skip: a point with no run. */
static void make_store(const char *name, const char *design, size_t size, unsigned levels, const double *u,
                       size_t npoints, uint32_t reps, long skip) {
    char dir[400], db[450];
    snprintf(dir, sizeof dir, "%s/%s", tmp, name);
    cr_assert_eq(mkdir(dir, 0777), 0);
    snprintf(db, sizeof db, "%s/sweep.db", dir);
    static const fsn_store_axis_spec_t axes[3] = {
        {"behaviour.a", "range", 0.0, 2.0, 0},
        {"behaviour.b", "range", -1.0, 1.0, 0},
        {"campaigns[0].c", "range", 10.0, 20.0, 0},
    };
    static const char *const metrics[2] = {"ishigami", "linear"};
    static const char *const mk[] = {"sweep_hash"};
    static const char *const mv[] = {"test"};
    double *values = malloc(npoints * 3 * sizeof *values);
    for (size_t p = 0; p < npoints; p++)
        for (size_t j = 0; j < 3; j++) values[p * 3 + j] = axes[j].lo + u[p * 3 + j] * (axes[j].hi - axes[j].lo);
    fsn_store_spec_t sp = {mk, mv, 1, design, size, levels, reps, 7, axes, 3, npoints, u, values, NULL, metrics, 2};
    fsn_store_t *s = NULL;
    fsn_error_t e = {0};
    cr_assert_eq(fsn_store_create(db, &sp, &s, &e), FSN_OK, "%s", e.msg);
    for (size_t p = 0; p < npoints; p++) {
        if ((long)p == skip) continue;
        double lin = 0;
        for (size_t j = 0; j < 3; j++) lin += lin_c[j] * values[p * 3 + j];
        for (uint32_t r = 0; r < reps; r++) {
            double off = reps > 1 ? (r % 2 ? 0.25 : -0.25) : 0;
            double m[2] = {ishigami(u + p * 3) + off, lin + off};
            cr_assert_eq(fsn_store_put_run(s, p, r, 10, m, 0.0, &e), FSN_OK, "%s", e.msg);
        }
    }
    cr_assert_eq(fsn_store_commit(s, &e), FSN_OK, "%s", e.msg);
    fsn_store_close(s);
    free(values);
}

static void make_saltelli(const char *name, size_t n, long skip) {
    size_t np = fsn_saltelli_points(n, 3);
    double *u = malloc(np * 3 * sizeof *u);
    cr_assert_eq(fsn_saltelli_design(n, 3, u, NULL), FSN_OK);
    make_store(name, "saltelli", n, 0, u, np, 2, skip);
    free(u);
}

static void make_morris(const char *name, size_t r, unsigned levels) {
    size_t np = fsn_morris_points(r, 3);
    double *u = malloc(np * 3 * sizeof *u);
    cr_assert_eq(fsn_morris_design(r, 3, levels, 3, u, NULL), FSN_OK);
    make_store(name, "morris", r, levels, u, np, 1, -1);
    free(u);
}

/* The CSV's rows as fields. */
typedef struct row {
    char metric[64], param[64], method[16], index[16];
    double value, lo, hi;
} row_t;

static size_t parse_csv(const char *text, row_t *rows, size_t max) {
    const char *header = "metric,parameter,method,index,value,ci_lo,ci_hi\n";
    cr_assert_eq(strncmp(text, header, strlen(header)), 0, "header: %.80s", text);
    const char *p = text + strlen(header);
    size_t n = 0;
    while (*p && n < max) {
        const char *eol = strchr(p, '\n');
        cr_assert_not_null(eol);
        char line[512], *f[7];
        size_t len = (size_t)(eol - p);
        cr_assert_lt(len, sizeof line);
        memcpy(line, p, len);
        line[len] = 0;
        size_t nf = 0;
        char *s = line;
        f[nf++] = s;
        for (; *s; s++)
            if (*s == ',') *s = 0, f[nf++] = s + 1;
        cr_assert_eq(nf, 7, "7 fields: %.*s", (int)len, p);
        row_t *r = &rows[n++];
        snprintf(r->metric, sizeof r->metric, "%s", f[0]);
        snprintf(r->param, sizeof r->param, "%s", f[1]);
        snprintf(r->method, sizeof r->method, "%s", f[2]);
        snprintf(r->index, sizeof r->index, "%s", f[3]);
        r->value = *f[4] ? strtod(f[4], NULL) : NAN;
        r->lo = *f[5] ? strtod(f[5], NULL) : NAN;
        r->hi = *f[6] ? strtod(f[6], NULL) : NAN;
        p = eol + 1;
    }
    return n;
}

static const row_t *find(const row_t *rows, size_t n, const char *metric, const char *param, const char *index) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].metric, metric) && !strcmp(rows[i].param, param) && !strcmp(rows[i].index, index))
            return &rows[i];
    cr_assert_fail("no row %s %s %s", metric, param, index);
    return NULL;
}

static char csv[1 << 18];
static row_t rows[4096];

/*
 * Sobol on a store: Ishigami with N = 512. The indices' standard error
 * at N = 512 is about 0.01 x sqrt(8192 / 512) = 0.04 (test_sensitivity.c
 * measures 0.005-0.016 at N = 8192); the 95% interval's half width is
 * about 2 SE, so the estimate must be within 2.5 half-widths (5 SE) of
 * the analytic value. The linear metric has no x3: S1 = ST = 0 exactly.
 */
Test(cli_sensitivity, a_saltelli_store_gives_sobol_indices_near_the_analytic_ones) {
    make_saltelli("s", 512, -1);
    cr_assert_eq(run("sensitivity s --boot 300"), 0, "%s", err);
    cr_assert(strstr(out, "ishigami: Sobol indices, 512 of 512 base rows, 95% bootstrap"), "%s", out);
    cr_assert(strstr(out, "behaviour.a") && strstr(out, "campaigns[0].c"), "%s", out);
    char path[400];
    snprintf(path, sizeof path, "%s/s/sensitivity.csv", tmp);
    cli_slurp(path, csv, sizeof csv);
    size_t n = parse_csv(csv, rows, 4096);
    cr_assert_eq(n, 2 * 3 * 2, "2 metrics x 3 parameters x (S1, ST): %zu rows", n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(rows[i].method, "sobol");
        cr_assert(!strcmp(rows[i].index, "S1") || !strcmp(rows[i].index, "ST"));
        cr_assert(isfinite(rows[i].value) && isfinite(rows[i].lo) && isfinite(rows[i].hi), "row %zu", i);
        cr_assert(rows[i].lo <= rows[i].hi);
    }
    const char *par[3] = {"behaviour.a", "behaviour.b", "campaigns[0].c"};
    const double S1[3] = {0.3139, 0.4424, 0}, ST[3] = {0.5576, 0.4424, 0.2437};
    for (size_t i = 0; i < 3; i++) {
        const row_t *s1 = find(rows, n, "ishigami", par[i], "S1"), *st = find(rows, n, "ishigami", par[i], "ST");
        cr_assert(fabs(s1->value - S1[i]) <= 2.5 * (s1->hi - s1->lo) / 2, "S1 %s = %g", par[i], s1->value);
        cr_assert(fabs(st->value - ST[i]) <= 2.5 * (st->hi - st->lo) / 2, "ST %s = %g", par[i], st->value);
    }
    cr_assert_eq(find(rows, n, "linear", "campaigns[0].c", "S1")->value, 0.0);
    cr_assert_eq(find(rows, n, "linear", "campaigns[0].c", "ST")->value, 0.0);
    /* Var(2 x_a) = 4 * 4/12 on [0, 2], Var(-x_b) = 4/12 on [-1, 1]: ST_a = 0.8
     * (SE at N = 64... 512 below 0.01 for this smooth function). */
    cr_assert_float_eq(find(rows, n, "linear", "behaviour.a", "ST")->value, 0.8, 0.05);
}

Test(cli_sensitivity, the_same_store_gives_the_same_bytes_and_metric_and_out_select) {
    make_saltelli("s", 64, -1);
    cr_assert_eq(run("sensitivity s --boot 50"), 0, "%s", err);
    char a[1 << 14], b[1 << 14], path[400];
    snprintf(path, sizeof path, "%s/s/sensitivity.csv", tmp);
    cli_slurp(path, a, sizeof a);
    cr_assert_eq(run("sensitivity s --boot 50 --metric linear --out lin.csv --level 0.9"), 0, "%s", err);
    cr_assert(!strstr(out, "ishigami"), "%s", out);
    snprintf(path, sizeof path, "%s/lin.csv", tmp);
    cli_slurp(path, b, sizeof b);
    cr_assert_eq(parse_csv(b, rows, 4096), 6);
    cr_assert_eq(run("sensitivity s --boot 50"), 0, "%s", err);
    snprintf(path, sizeof path, "%s/s/sensitivity.csv", tmp);
    cli_slurp(path, b, sizeof b);
    cr_assert_str_eq(a, b);
}

Test(cli_sensitivity, a_point_without_runs_drops_its_base_row) {
    make_saltelli("s", 64, 64 * 3 + 5); /* AB_2, base row 5 */
    cr_assert_eq(run("sensitivity s --boot 20"), 0, "%s", err);
    cr_assert(strstr(out, "63 of 64 base rows"), "%s", out);
}

/* Morris on a store: the linear metric's effects are exact: c_i times the
 * range per unit-cube step, c_i with --per-unit; sigma 0. */
Test(cli_sensitivity, a_morris_store_gives_exact_effects_for_a_linear_metric) {
    make_morris("m", 10, 4);
    cr_assert_eq(run("sensitivity m --boot 100"), 0, "%s", err);
    cr_assert(strstr(out, "Morris elementary effects"), "%s", out);
    char path[400];
    snprintf(path, sizeof path, "%s/m/sensitivity.csv", tmp);
    cli_slurp(path, csv, sizeof csv);
    size_t n = parse_csv(csv, rows, 4096);
    cr_assert_eq(n, 2 * 3 * 3, "2 metrics x 3 parameters x (mu_star, mu, sigma): %zu rows", n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(rows[i].method, "morris");
        cr_assert(isfinite(rows[i].value), "row %zu", i);
    }
    const char *par[3] = {"behaviour.a", "behaviour.b", "campaigns[0].c"};
    const double range[3] = {2, 2, 10};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_float_eq(find(rows, n, "linear", par[i], "mu_star")->value, fabs(lin_c[i]) * range[i], 1e-9);
        cr_assert_float_eq(find(rows, n, "linear", par[i], "mu")->value, lin_c[i] * range[i], 1e-9);
        cr_assert(fabs(find(rows, n, "linear", par[i], "sigma")->value) < 1e-9);
    }
    cr_assert_eq(run("sensitivity m --boot 0 --per-unit --metric linear"), 0, "%s", err);
    cli_slurp(path, csv, sizeof csv);
    n = parse_csv(csv, rows, 4096);
    cr_assert_eq(n, 9);
    for (size_t i = 0; i < 3; i++) {
        const row_t *r = find(rows, n, "linear", par[i], "mu_star");
        cr_assert_float_eq(r->value, fabs(lin_c[i]), 1e-9);
        cr_assert(isnan(r->lo) && isnan(r->hi), "no bootstrap: empty interval fields");
    }
}

Test(cli_sensitivity, a_missing_folder_or_store_exits_two_naming_it) {
    cr_assert_eq(run("sensitivity nosuch"), 2);
    cr_assert(strstr(err, "nosuch"), "%s", err);
    char dir[400];
    snprintf(dir, sizeof dir, "%s/empty", tmp);
    cr_assert_eq(mkdir(dir, 0777), 0);
    cr_assert_eq(run("sensitivity empty"), 2);
    cr_assert(strstr(err, "empty/sweep.db") && strstr(err, "fission sweep"), "%s", err);
    /* Not a store: a text file named sweep.db. */
    char db[450];
    snprintf(db, sizeof db, "%s/sweep.db", dir);
    FILE *f = fopen(db, "w");
    fputs("hello\n", f);
    fclose(f);
    cr_assert_eq(run("sensitivity empty"), 2);
    cr_assert(strstr(err, "sweep.db"), "%s", err);
    cr_assert_eq(run("sensitivity"), 2);
    cr_assert(strstr(err, "sweep folder"), "%s", err);
}

Test(cli_sensitivity, a_design_without_indices_exits_two_saying_which_designs_have_them) {
    double u[8 * 3];
    for (size_t i = 0; i < 24; i++) u[i] = (double)(i % 7) / 7;
    make_store("l", "lhs", 8, 0, u, 8, 1, -1);
    cr_assert_eq(run("sensitivity l"), 2);
    cr_assert(strstr(err, "'lhs'") && strstr(err, "saltelli") && strstr(err, "morris"), "%s", err);
    char path[400];
    snprintf(path, sizeof path, "%s/l/sensitivity.csv", tmp);
    cr_assert_neq(access(path, F_OK), 0, "nothing written");
}

Test(cli_sensitivity, bad_flags_and_unknown_metrics_exit_two) {
    make_saltelli("s", 16, -1);
    cr_assert_eq(run("sensitivity s --metric nosuch"), 2);
    cr_assert(strstr(err, "nosuch") && strstr(err, "ishigami"), "%s", err);
    cr_assert_eq(run("sensitivity s --level 1.5"), 2);
    cr_assert(strstr(err, "--level"), "%s", err);
    cr_assert_eq(run("sensitivity s --boot -3"), 2);
    cr_assert(strstr(err, "--boot"), "%s", err);
    cr_assert_eq(run("sensitivity s --frobnicate"), 2);
    cr_assert(strstr(err, "--frobnicate"), "%s", err);
    cr_assert_eq(run("sensitivity s --out /nonexistent/dir/x.csv --boot 0"), 2);
    cr_assert(strstr(err, "/nonexistent/dir"), "%s", err);
    cr_assert_eq(run("help sensitivity"), 0);
    cr_assert(strstr(out, "metric,parameter,method,index,value,ci_lo,ci_hi"), "%s", out);
}

/* ------------------------------------------------------------------ */
/* From a real sweep                                                  */
/* ------------------------------------------------------------------ */

#define GROUP_BUY FISSION_TEST_DATA "/../../scenarios/group-buy.json"

/* A sweep file over three group-buy parameters on 1000 users. */
static void write_sweep(const char *name, const char *design_lines) {
    char path[400];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "{\n"
            "  \"base\": \"%s\",\n"
            "  \"set\": {\"run.horizon\": 96, \"graph.n\": 1000, \"graph.mean_degree\": 12},\n"
            "  \"axes\": [\n"
            "    {\"path\": \"behaviour.sharing.click.private\", \"range\": [0.1, 0.5]},\n"
            "    {\"path\": \"campaigns[0].group.price\", \"range\": [99, 189]},\n"
            "    {\"path\": \"behaviour.sharing.coupon_reshare\", \"range\": [0, 0.6]}\n"
            "  ],\n"
            "%s"
            "  \"replicates\": 1,\n"
            "  \"metrics\": \"all\",\n"
            "  \"seed\": 3\n"
            "}\n",
            GROUP_BUY, design_lines);
    fclose(f);
}

/* Rows come in complete groups of (parameters x indices) per metric, each
 * value empty or finite; returns the number of metrics and counts those
 * whose every value is finite. */
static size_t check_groups(size_t n, size_t per_metric, const char *method, size_t *all_finite) {
    cr_assert_gt(n, 0);
    cr_assert_eq(n % per_metric, 0, "%zu rows, not groups of %zu", n, per_metric);
    *all_finite = 0;
    for (size_t g = 0; g < n / per_metric; g++) {
        int finite = 1;
        for (size_t i = g * per_metric; i < (g + 1) * per_metric; i++) {
            cr_assert_str_eq(rows[i].metric, rows[g * per_metric].metric, "row %zu", i);
            cr_assert_str_eq(rows[i].method, method);
            cr_assert(isnan(rows[i].value) || isfinite(rows[i].value));
            finite &= isfinite(rows[i].value) != 0;
        }
        *all_finite += (size_t)finite;
    }
    return n / per_metric;
}

Test(cli_sensitivity, a_saltelli_sweep_of_a_small_scenario_gives_a_complete_csv, .timeout = 300) {
    write_sweep("s.json", "  \"design\": \"saltelli\",\n  \"points\": 16,\n");
    cr_assert_eq(run("sweep s.json --out sw --threads 2 --quiet"), 0, "%s", err);
    cr_assert_eq(run("sensitivity sw --boot 100"), 0, "%s", err);
    cr_assert(strstr(out, "saltelli design, size 16, 3 parameters, 80 points"), "%s", out);
    cr_assert(strstr(out, "behaviour.sharing.coupon_reshare"), "%s", out);
    char path[400];
    snprintf(path, sizeof path, "%s/sw/sensitivity.csv", tmp);
    cli_slurp(path, csv, sizeof csv);
    size_t finite = 0, n = parse_csv(csv, rows, 4096);
    size_t metrics = check_groups(n, 3 * 2, "sobol", &finite);
    cr_log_info("%zu metrics, %zu with every index finite", metrics, finite);
    cr_assert_gt(metrics, 10);
    cr_assert_gt(finite, metrics / 2, "%zu of %zu metrics have finite indices", finite, metrics);
    /* The sweep's own exports and the store agree on the point count. */
    cr_assert(strstr(out, "16 of 16 base rows"), "%s", out);
}

Test(cli_sensitivity, a_morris_sweep_of_a_small_scenario_gives_a_complete_csv, .timeout = 300) {
    write_sweep("m.json", "  \"design\": \"morris\",\n  \"points\": 4,\n  \"levels\": 4,\n");
    cr_assert_eq(run("sweep m.json --out mw --threads 2 --quiet"), 0, "%s", err);
    cr_assert_eq(run("sensitivity mw --boot 100 --per-unit"), 0, "%s", err);
    cr_assert(strstr(out, "morris design, size 4, 3 parameters, 16 points"), "%s", out);
    char path[400];
    snprintf(path, sizeof path, "%s/mw/sensitivity.csv", tmp);
    cli_slurp(path, csv, sizeof csv);
    size_t finite = 0, n = parse_csv(csv, rows, 4096);
    size_t metrics = check_groups(n, 3 * 3, "morris", &finite);
    cr_assert_gt(metrics, 10);
    cr_assert_gt(finite, metrics / 2, "%zu of %zu metrics have finite measures", finite, metrics);
    /* An lhs sweep of the same file is refused. */
    write_sweep("l.json", "  \"design\": \"lhs\",\n  \"points\": 4,\n");
    cr_assert_eq(run("sweep l.json --out lw --threads 2 --quiet"), 0, "%s", err);
    cr_assert_eq(run("sensitivity lw"), 2);
    cr_assert(strstr(err, "'lhs'") && strstr(err, "saltelli"), "%s", err);
}
