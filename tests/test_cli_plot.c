/*
 * test_cli_plot.c: fission plot as a user meets it, and the two run
 * outputs it added (cascades.csv, groups.csv).
 *
 * A small run (2000 users, a group buy and a red packet, 3 replicates)
 * is made in a fresh temporary folder for each test; every figure must
 * come out as a valid PNG (signature, IHDR with a positive size) or a
 * valid SVG (parsed by libxml2, ending in </svg>). Sweep and sensitivity
 * figures are drawn from fixture tables the tests write themselves, in
 * the column layout the sweep and sensitivity commands write. A missing
 * gnuplot and a bad folder must be exit code 2 with a message naming
 * them. The cascade and group files are checked against the run's own
 * metrics: the tree sizes of a replicate and campaign sum to its
 * participants, filled groups took no longer than the deadline.
 */
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char out[1 << 17], err[1 << 16];
static char tmp[256];

static void slurp(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = 0;
    if (f) fclose(f);
}

static void spit(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/* Run `env CLI args` (shell words; env may be "" or "PATH=..."), in the
 * temp folder; capture stdout and stderr; return the exit code. */
static int run_env(const char *env, const char *args) {
    char cmd[8192], o[300], e[300];
    snprintf(o, sizeof o, "%s.stdout", tmp);
    snprintf(e, sizeof e, "%s.stderr", tmp);
    snprintf(cmd, sizeof cmd, "cd %s && %s %s %s >%s 2>%s </dev/null", tmp, env, FISSION_CLI, args, o, e);
    int st = system(cmd);
    slurp(o, out, sizeof out);
    slurp(e, err, sizeof err);
    remove(o);
    remove(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int run(const char *args) { return run_env("", args); }

static const char *scenario =
    "{\"name\": \"plot-small\",\n"
    " \"graph\": {\"generator\": \"wechat\", \"n\": 2000, \"mean_degree\": 30, \"seed\": 3},\n"
    " \"campaigns\": [\n"
    "   {\"name\": \"group3\", \"type\": \"group\", \"seeding\": {\"strategy\": \"degree\", \"count\": 40}},\n"
    "   {\"name\": \"packet\", \"type\": \"redpacket\", \"seeding\": {\"strategy\": \"random\", \"count\": 20}}\n"
    " ],\n"
    " \"run\": {\"horizon\": 168, \"bin\": 24, \"replicates\": 3, \"seed\": 5}}\n";

static void setup(void) {
    snprintf(tmp, sizeof tmp, "/tmp/fission_plot_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
    char path[2048];
    snprintf(path, sizeof path, "%s/small.json", tmp);
    spit(path, scenario);
}

static void teardown(void) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", tmp);
}

TestSuite(cli_plot, .init = setup, .fini = teardown, .timeout = 120);

/* The small run into <tmp>/run. */
static void small_run(void) {
    cr_assert_eq(run("run small.json --out run --quiet"), 0, "%s", err);
}

static void at(char *dst, size_t n, const char *rel) { snprintf(dst, n, "%s/%s", tmp, rel); }

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A PNG: the 8-byte signature, then an IHDR chunk with width and height > 0. */
static void assert_png(const char *path) {
    unsigned char h[24];
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "no figure %s", path);
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    cr_assert_eq(n, sizeof h, "%s is too short for a PNG", path);
    cr_assert(memcmp(h, sig, 8) == 0, "%s has no PNG signature", path);
    cr_assert(memcmp(h + 12, "IHDR", 4) == 0, "%s has no IHDR chunk first", path);
    cr_assert(be32(h + 16) > 0 && be32(h + 20) > 0, "%s: %u x %u", path, be32(h + 16), be32(h + 20));
}

/* An SVG: starts with <?xml or <svg, holds </svg>, parses as XML. */
static void assert_svg(const char *path) {
    static char text[1 << 20];
    slurp(path, text, sizeof text);
    cr_assert(text[0], "no figure %s", path);
    const char *s = text;
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t') s++;
    cr_assert(!strncmp(s, "<?xml", 5) || !strncmp(s, "<svg", 4), "%s does not start as SVG", path);
    cr_assert(strstr(text, "</svg>"), "%s has no </svg>", path);
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    cr_assert_not_null(doc, "%s does not parse as XML", path);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    cr_assert(root && !strcmp((const char *)root->name, "svg"), "%s: root element is not <svg>", path);
    xmlFreeDoc(doc);
    xmlCleanupParser();
}

static void assert_figure(const char *dir, const char *base, const char *fmt) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s/%s.%s", tmp, dir, base, fmt);
    if (!strcmp(fmt, "png")) assert_png(path);
    else assert_svg(path);
    /* printed as given: relative to where fission ran */
    char printed[2048];
    snprintf(printed, sizeof printed, "%s/%s.%s  (", dir, base, fmt);
    cr_assert(strstr(out, printed), "the path %s is not printed:\n%s", printed, out);
}

static void every_run_figure(const char *fmt) {
    small_run();
    char args[512];
    snprintf(args, sizeof args, "plot run --format %s --out figs", fmt);
    cr_assert_eq(run(args), 0, "%s", err);
    const char *bases[] = {"compare-T1", "compare-T2", "compare-T5", "funnel", "timeseries", "cascades", "groups"};
    for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) assert_figure("figs", bases[i], fmt);
}

Test(cli_plot, every_run_figure_renders_as_a_valid_png) { every_run_figure("png"); }

Test(cli_plot, every_run_figure_renders_as_a_valid_svg) { every_run_figure("svg"); }

Test(cli_plot, the_figures_go_to_the_run_folders_plots_subfolder_by_default) {
    small_run();
    cr_assert_eq(run("plot run"), 0, "%s", err);
    char path[2048];
    at(path, sizeof path, "run/plots/funnel.png");
    assert_png(path);
    /* the data each figure read sits next to it */
    at(path, sizeof path, "run/plots/funnel.csv");
    cr_assert_gt(file_size(path), 0);
    /* no compare.csv in the run: the comparison was made from summary.json */
    at(path, sizeof path, "run/plots/compare.csv");
    cr_assert_gt(file_size(path), 0);
}

Test(cli_plot, a_folder_named_with_spaces_and_quotes_is_just_a_folder) {
    small_run();
    cr_assert_eq(run("plot run --out \"it's a \\\"dir\\\"\""), 0, "%s", err);
    char path[2048];
    at(path, sizeof path, "it's a \"dir\"/timeseries.png");
    assert_png(path);
}

Test(cli_plot, a_figure_whose_data_is_absent_is_skipped_with_a_note) {
    small_run();
    cr_assert_eq(run("compare run --reference " FISSION_TEST_DATA "/../../scenarios/reference/article-2023.json"), 0,
                 "%s", err);
    /* a folder with only the comparison and the summary */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "mkdir %s/part && cp %s/run/compare.csv %s/run/summary.json %s/part/", tmp, tmp, tmp, tmp);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(run("plot part"), 0, "%s", err);
    cr_assert(strstr(err, "skipped the counts over time: no timeseries.csv"), "%s", err);
    cr_assert(strstr(err, "skipped the cascade sizes"), "%s", err);
    cr_assert(strstr(err, "skipped the group fill times"), "%s", err);
    char path[2048];
    at(path, sizeof path, "part/plots/funnel.png");
    assert_png(path);
    at(path, sizeof path, "part/plots/compare-T1.png");
    assert_png(path);
}

/* ---- sweeps and sensitivity, from fixture tables ---- */

static void write_points_1axis(const char *dir) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s/points.csv", tmp, dir);
    spit(path, "point,campaigns[0].group.size,reps,campaign.group3.fill_rate.mean,campaign.group3.fill_rate.ci_lo,"
               "campaign.group3.fill_rate.ci_hi,campaign.group3.exposed.mean,campaign.group3.exposed.ci_lo,"
               "campaign.group3.exposed.ci_hi\n"
               "0,2,4,0.61,0.55,0.67,520,480,560\n"
               "1,3,4,0.42,0.37,0.47,610,570,650\n"
               "2,4,4,0.25,0.21,0.29,640,600,680\n"
               "3,5,4,0.14,,,655,615,695\n");
}

static void write_points_grid(const char *dir) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s/points.csv", tmp, dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "point,campaigns[0].group.size,campaigns[0].group.deadline,reps,"
               "campaign.group3.fill_rate.mean,campaign.group3.fill_rate.ci_lo,campaign.group3.fill_rate.ci_hi\n");
    int k = 0;
    for (int size = 2; size <= 4; size++)
        for (int d = 12; d <= 48; d *= 2, k++) {
            double m = 0.9 / size * log((double)d) / log(48.0);
            fprintf(f, "%d,%d,%d,4,%.4f,%.4f,%.4f\n", k, size, d, m, m - 0.03, m + 0.03);
        }
    fclose(f);
}

static void write_sensitivity(const char *dir) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s/sensitivity.csv", tmp, dir);
    spit(path, "metric,parameter,method,index,value,ci_lo,ci_hi\n"
               "campaign.group3.fill_rate,campaigns[0].group.size,sobol,S1,0.52,0.44,0.60\n"
               "campaign.group3.fill_rate,campaigns[0].group.size,sobol,ST,0.61,0.52,0.70\n"
               "campaign.group3.fill_rate,behaviour.sharing.click.private,sobol,S1,0.21,0.15,0.27\n"
               "campaign.group3.fill_rate,behaviour.sharing.click.private,sobol,ST,0.33,0.25,0.41\n"
               "campaign.group3.fill_rate,campaigns[0].group.size,morris,mu_star,0.40,,\n"
               "campaign.group3.fill_rate,campaigns[0].group.size,morris,mu,-0.40,,\n"
               "campaign.group3.fill_rate,campaigns[0].group.size,morris,sigma,0.05,,\n"
               "campaign.group3.fill_rate,behaviour.sharing.click.private,morris,mu_star,0.12,,\n"
               "campaign.group3.fill_rate,behaviour.sharing.click.private,morris,mu,0.10,,\n"
               "campaign.group3.fill_rate,behaviour.sharing.click.private,morris,sigma,0.09,,\n");
}

static void sweep_figures(const char *fmt) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "mkdir %s/sweep1 %s/sweep2", tmp, tmp);
    cr_assert_eq(system(cmd), 0);
    write_points_1axis("sweep1");
    write_points_grid("sweep2");
    write_sensitivity("sweep2");
    char args[512];
    snprintf(args, sizeof args, "plot sweep1 --format %s", fmt);
    cr_assert_eq(run(args), 0, "%s", err);
    assert_figure("sweep1/plots", "sweep-campaign.group3.fill_rate", fmt);
    assert_figure("sweep1/plots", "sweep-campaign.group3.exposed", fmt);
    snprintf(args, sizeof args, "plot sweep2 --format %s", fmt);
    cr_assert_eq(run(args), 0, "%s", err);
    cr_assert(strstr(out, "heat map"), "a 3 x 3 grid is drawn as a heat map:\n%s", out);
    assert_figure("sweep2/plots", "sweep-campaign.group3.fill_rate", fmt);
    assert_figure("sweep2/plots", "sensitivity-sobol-campaign.group3.fill_rate", fmt);
    assert_figure("sweep2/plots", "sensitivity-morris-campaign.group3.fill_rate", fmt);
}

Test(cli_plot, sweep_and_sensitivity_figures_render_as_png) { sweep_figures("png"); }

Test(cli_plot, sweep_and_sensitivity_figures_render_as_svg) { sweep_figures("svg"); }

Test(cli_plot, metric_limits_a_sweep_to_the_metrics_named) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "mkdir %s/sweep1", tmp);
    cr_assert_eq(system(cmd), 0);
    write_points_1axis("sweep1");
    cr_assert_eq(run("plot sweep1 --metric campaign.group3.exposed"), 0, "%s", err);
    char path[2048];
    at(path, sizeof path, "sweep1/plots/sweep-campaign.group3.exposed.png");
    assert_png(path);
    at(path, sizeof path, "sweep1/plots/sweep-campaign.group3.fill_rate.png");
    cr_assert_eq(file_size(path), -1, "a metric not asked for was drawn");
}

/* ---- errors ---- */

Test(cli_plot, a_missing_gnuplot_is_exit_two_with_how_to_install_it) {
    small_run();
    char env[2048];
    snprintf(env, sizeof env, "mkdir -p %s/empty && PATH=%s/empty", tmp, tmp);
    cr_assert_eq(run_env(env, "plot run"), 2, "%s", err);
    cr_assert(strstr(err, "fission plot: gnuplot not found on PATH; install it with: apt-get install gnuplot-nox "
                          "(or scripts/setup.sh)"),
              "%s", err);
}

Test(cli_plot, a_bad_folder_is_exit_two_naming_it) {
    cr_assert_eq(run("plot no-such-run"), 2);
    cr_assert(strstr(err, "no-such-run"), "%s", err);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "mkdir %s/empty-run %s/other && touch %s/other/notes.txt", tmp, tmp, tmp);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(run("plot empty-run"), 2);
    cr_assert(strstr(err, "empty-run") && strstr(err, "not a fission run or sweep folder"), "%s", err);
    cr_assert_eq(run("plot other"), 2);
    cr_assert(strstr(err, "other"), "%s", err);
    cr_assert_eq(run("plot small.json"), 2);
    cr_assert(strstr(err, "small.json") && strstr(err, "not a folder"), "%s", err);
    cr_assert_eq(run("plot"), 2);
    cr_assert_eq(run("plot --format gif run"), 2);
    cr_assert(strstr(err, "gif"), "%s", err);
}

/* ---- cascades.csv and groups.csv ---- */

/* The value of column name in a CSV header line, by index. */
static int col(const char *header, const char *name) {
    char h[1 << 16];
    snprintf(h, sizeof h, "%s", header);
    int k = 0;
    for (char *save = NULL, *t = strtok_r(h, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save), k++)
        if (!strcmp(t, name)) return k;
    return -1;
}

/* Field k of a CSV line (no quotes in these files) into dst. */
static void field(const char *line, int k, char *dst, size_t n) {
    for (int i = 0; i < k && line; i++) {
        line = strchr(line, ',');
        if (line) line++;
    }
    cr_assert_not_null(line);
    size_t len = strcspn(line, ",\n");
    snprintf(dst, n, "%.*s", (int)(len < n ? len : n - 1), line);
}

Test(cli_plot, cascade_trees_of_a_replicate_and_campaign_sum_to_its_participants) {
    small_run();
    static char reps[1 << 16], casc[1 << 20];
    char path[2048];
    at(path, sizeof path, "run/replicates.csv");
    slurp(path, reps, sizeof reps);
    at(path, sizeof path, "run/cascades.csv");
    slurp(path, casc, sizeof casc);
    cr_assert(!strncmp(casc, "replicate,campaign,seed,size\n", 29), "%.60s", casc);
    const char *camps[] = {"group3", "packet"};
    int seeds[] = {40, 20};
    int checked = 0;
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 2; c++) {
            char name[80];
            snprintf(name, sizeof name, "campaign.%s.participants", camps[c]);
            int k = col(reps, name);
            cr_assert_geq(k, 0, "no %s in replicates.csv", name);
            /* the replicate's row */
            const char *line = strchr(reps, '\n') + 1;
            for (int i = 0; i < r; i++) line = strchr(line, '\n') + 1;
            char v[64];
            field(line, k, v, sizeof v);
            long participants = atol(v);
            long sum = 0, nseeds = 0, biggest = 0;
            char prefix[80];
            snprintf(prefix, sizeof prefix, "%d,%s,", r, camps[c]);
            for (const char *l = strchr(casc, '\n') + 1; *l; l = strchr(l, '\n') + 1) {
                if (strncmp(l, prefix, strlen(prefix))) continue;
                char seed[32], size[32];
                field(l, 2, seed, sizeof seed);
                field(l, 3, size, sizeof size);
                cr_assert_gt(atol(size), 0, "an empty tree: %.40s", l);
                sum += atol(size);
                if (seed[0]) {
                    nseeds++;
                    if (atol(size) > biggest) biggest = atol(size);
                }
            }
            cr_assert_eq(sum, participants, "replicate %d, %s: trees sum to %ld, participants %ld", r, camps[c],
                         sum, participants);
            cr_assert_eq(nseeds, seeds[c], "replicate %d, %s: %ld seeds", r, camps[c], nseeds);
            /* a seed's tree holds at least the seed; some grow */
            if (biggest > 1) checked++;
        }
    cr_assert_gt(checked, 0, "no cascade grew beyond its seed: the test run is too small to mean anything");
}

Test(cli_plot, filled_groups_took_no_longer_than_the_deadline_and_match_the_fill_rate) {
    small_run();
    static char reps[1 << 16], groups[1 << 21];
    char path[2048];
    at(path, sizeof path, "run/replicates.csv");
    slurp(path, reps, sizeof reps);
    at(path, sizeof path, "run/groups.csv");
    slurp(path, groups, sizeof groups);
    cr_assert(!strncmp(groups, "replicate,campaign,group,opened,closed,state,members,fill_time\n", 63), "%.80s",
              groups);
    int kfill = col(reps, "campaign.group3.fill_rate"), kopen = col(reps, "campaign.group3.groups_opened");
    cr_assert(kfill >= 0 && kopen >= 0);
    const double deadline = 24.0;   /* the default group deadline */
    for (int r = 0; r < 3; r++) {
        long filled = 0, failed = 0, all = 0;
        char prefix[40];
        snprintf(prefix, sizeof prefix, "%d,group3,", r);
        for (const char *l = strchr(groups, '\n') + 1; *l; l = strchr(l, '\n') + 1) {
            if (strncmp(l, prefix, strlen(prefix))) continue;
            char state[16], members[16], fill[40], opened[40], closed[40];
            field(l, 5, state, sizeof state);
            field(l, 6, members, sizeof members);
            field(l, 7, fill, sizeof fill);
            field(l, 3, opened, sizeof opened);
            field(l, 4, closed, sizeof closed);
            all++;
            if (!strcmp(state, "filled")) {
                filled++;
                cr_assert_eq(atol(members), 3, "a filled group of 3 with %s members", members);
                double t = strtod(fill, NULL);
                cr_assert(t >= 0 && t <= deadline + 1e-9, "filled in %g hours, deadline %g", t, deadline);
                cr_assert_float_eq(t, strtod(closed, NULL) - strtod(opened, NULL), 1e-9);
            } else if (!strcmp(state, "failed")) {
                failed++;
                cr_assert_eq(fill[0], 0, "a failed group has no fill time");
                cr_assert(atol(members) < 3);
                cr_assert_leq(strtod(closed, NULL) - strtod(opened, NULL), deadline + 1e-9);
            } else {
                cr_assert_str_eq(state, "open");
                cr_assert_eq(closed[0], 0, "an open group has no closing time");
            }
        }
        const char *line = strchr(reps, '\n') + 1;
        for (int i = 0; i < r; i++) line = strchr(line, '\n') + 1;
        char v[64];
        field(line, kopen, v, sizeof v);
        cr_assert_eq(all, atol(v), "replicate %d: %ld groups listed, %s opened", r, all, v);
        field(line, kfill, v, sizeof v);
        cr_assert_gt(filled + failed, 0);
        cr_assert_float_eq((double)filled / (double)(filled + failed), strtod(v, NULL), 1e-12,
                           "replicate %d: fill rate %s, groups.csv gives %ld / %ld", r, v, filled, filled + failed);
    }
}

Test(cli_plot, cascades_and_groups_do_not_depend_on_the_number_of_threads) {
    cr_assert_eq(run("run small.json --out one --threads 1 --quiet"), 0, "%s", err);
    cr_assert_eq(run("run small.json --out three --threads 3 --quiet"), 0, "%s", err);
    const char *files[] = {"cascades.csv", "groups.csv"};
    for (int i = 0; i < 2; i++) {
        static char a[1 << 21], b[1 << 21];
        char pa[2048], pb[2048];
        snprintf(pa, sizeof pa, "%s/one/%s", tmp, files[i]);
        snprintf(pb, sizeof pb, "%s/three/%s", tmp, files[i]);
        slurp(pa, a, sizeof a);
        slurp(pb, b, sizeof b);
        cr_assert(a[0] && !strcmp(a, b), "%s differs with 1 and 3 threads", files[i]);
    }
}

Test(cli_plot, a_trace_and_the_cascades_are_written_together) {
    cr_assert_eq(run("run small.json --out traced --trace --quiet"), 0, "%s", err);
    char path[2048];
    at(path, sizeof path, "traced/trace/rep-000000.csv");
    cr_assert_gt(file_size(path), 0);
    at(path, sizeof path, "traced/cascades.csv");
    cr_assert_gt(file_size(path), 0);
    /* the trace still has one row per event */
    static char summary[1 << 16];
    at(path, sizeof path, "traced/replicates.csv");
    slurp(path, summary, sizeof summary);
    const char *line = strchr(summary, '\n') + 1;
    char ev[32];
    field(line, 1, ev, sizeof ev);
    static char trace[1 << 24];
    at(path, sizeof path, "traced/trace/rep-000000.csv");
    slurp(path, trace, sizeof trace);
    long rows = -1;   /* less the header */
    for (const char *p = trace; (p = strchr(p, '\n')); p++) rows++;
    cr_assert_eq(rows, atol(ev), "trace rows %ld, events %s", rows, ev);
}

Test(cli_plot, a_malformed_table_is_exit_two_naming_its_line_and_the_other_figures_are_drawn) {
    small_run();
    char path[2048];
    at(path, sizeof path, "run/groups.csv");
    spit(path, "replicate,campaign,group,opened,closed,state,members,fill_time\n0,group3,2,0,\n");
    cr_assert_eq(run("plot run"), 2, "%s", err);
    cr_assert(strstr(err, "run/groups.csv:2: 5 fields, expected 8"), "%s", err);
    at(path, sizeof path, "run/plots/funnel.png");
    assert_png(path);
    at(path, sizeof path, "run/plots/groups.png");
    cr_assert_eq(file_size(path), -1, "a figure was drawn from a malformed table");
}

Test(cli_plot, a_two_axis_random_design_is_a_scatter_and_three_axes_are_main_effects) {
    char cmd[2048], path[2048];
    snprintf(cmd, sizeof cmd, "mkdir %s/rand2 %s/rand3", tmp, tmp);
    cr_assert_eq(system(cmd), 0);
    FILE *f2, *f3;
    at(path, sizeof path, "rand2/points.csv");
    f2 = fopen(path, "w");
    at(path, sizeof path, "rand3/points.csv");
    f3 = fopen(path, "w");
    cr_assert(f2 && f3);
    fprintf(f2, "point,a,b,reps,m.mean,m.ci_lo,m.ci_hi\n");
    fprintf(f3, "point,a,b,c,reps,m.mean,m.ci_lo,m.ci_hi\n");
    /* 40 points of a low-discrepancy-like design: no two share a value */
    for (int i = 0; i < 40; i++) {
        double a = fmod(0.618034 * i, 1.0), b = fmod(0.754878 * i, 1.0), c = fmod(0.569840 * i, 1.0);
        double m = a + 2 * b * b;
        fprintf(f2, "%d,%.6f,%.6f,2,%.6f,%.6f,%.6f\n", i, a, b, m, m - 0.1, m + 0.1);
        fprintf(f3, "%d,%.6f,%.6f,%.6f,2,%.6f,%.6f,%.6f\n", i, a, b, c, m, m - 0.1, m + 0.1);
    }
    fclose(f2);
    fclose(f3);
    cr_assert_eq(run("plot rand2"), 0, "%s", err);
    cr_assert(strstr(out, "scatter"), "%s", out);
    at(path, sizeof path, "rand2/plots/sweep-m.png");
    assert_png(path);
    cr_assert_eq(run("plot rand3 --format svg"), 0, "%s", err);
    cr_assert(strstr(out, "main effects of 3 axes"), "%s", out);
    at(path, sizeof path, "rand3/plots/sweep-m.svg");
    assert_svg(path);
    /* eight bins per continuous axis: the table has 3 blocks of 8 rows */
    static char table[1 << 16];
    at(path, sizeof path, "rand3/plots/sweep-m.csv");
    slurp(path, table, sizeof table);
    int rows = 0;
    for (const char *p = table; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
        rows += *p != '\n';
    cr_assert_eq(rows, 24, "%s", table);
}

Test(cli_plot, a_text_axis_is_labelled_with_its_values) {
    char cmd[2048], path[2048];
    snprintf(cmd, sizeof cmd, "mkdir %s/cat", tmp);
    cr_assert_eq(system(cmd), 0);
    at(path, sizeof path, "cat/points.csv");
    spit(path, "point,campaigns[0].seeding.strategy,reps,m.mean,m.ci_lo,m.ci_hi\n"
               "0,random,4,1,0.8,1.2\n1,degree,4,2,1.7,2.3\n2,pagerank,4,1.8,1.5,2.1\n");
    cr_assert_eq(run("plot cat"), 0, "%s", err);
    at(path, sizeof path, "cat/plots/sweep-m.png");
    assert_png(path);
    static char table[4096];
    at(path, sizeof path, "cat/plots/sweep-m.csv");
    slurp(path, table, sizeof table);
    /* in the order of first appearance, at 0, 1, 2, with their names */
    cr_assert(strstr(table, "0,1,0.8,1.2,random\n1,2,1.7,2.3,degree\n2,1.8,1.5,2.1,pagerank\n"), "%s", table);
}
