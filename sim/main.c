/*
 * main.c: the fission command line, the only code that prints.
 *
 *   fission run [FILE]       a scenario (or the default campaigns), its figures
 *   fission validate FILE... check scenario files
 *   fission batch FILE|DIR.. run many scenario files
 *   fission cascade          the pure sharing cascades
 *   fission sensitivity DIR  Sobol / Morris indices of a sweep (cli/sensitivity_cmd.c)
 *   fission graph describe   build or read a graph and describe it
 *   fission help [COMMAND]   usage
 *   fission version
 *
 * Exit codes: 0 success, 1 failure while running, 2 bad usage or bad
 * input. Messages go to stderr, results to stdout.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fission/attrs.h"
#include "fission/campaign.h"
#include "fission/seeding.h"
#include "fission/graph.h"
#include "fission/rng.h"
#include "fission/run.h"
#include "fission/stats.h"

#include "cli/cli.h"

#ifndef FISSION_VERSION
#define FISSION_VERSION "0.1.0"
#endif

enum { EXIT_OK = 0, EXIT_RUN = 1, EXIT_USAGE = 2 };

static const char *usage_main =
    "usage: fission COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  run [FILE]       run a scenario file (or the default campaigns) and print its figures\n"
    "  validate FILE... check scenario files; print every error found\n"
    "  batch FILE|DIR.. run many scenario files, one output folder each, and a table of all\n"
    "  compare RUN|FILE compare a run (or a scenario, run first) with the article's figures\n"
    "  calibrate FILE   fit behaviour parameters to the article's figures (Nelder-Mead)\n"
    "  sweep FILE       run a parameter sweep into an SQLite store (docs/SWEEPS.md)\n"
    "  sensitivity DIR  Sobol indices or Morris effects of a sweep's parameters on its metrics\n"
    "  plot DIR         draw a run's or a sweep's figures with gnuplot (PNG or SVG)\n"
    "  ab A B           compare two campaign designs on common random numbers (or seedings)\n"
    "  optimise FILE    search campaign levers for the best design under constraints\n"
    "  cascade          run the pure sharing cascade (SIR-equivalent) and print its figures\n"
    "  graph describe   build (or read) a social graph and describe it\n"
    "  help [COMMAND]   show help for a command\n"
    "  version          print the version\n"
    "\n"
    "Exit codes: 0 success, 1 failure while running, 2 bad usage or bad input.\n";

static const char *usage_graph =
    "usage: fission graph describe [GRAPH OPTIONS]\n"
    "\n"
    "Builds a graph from a generator, or reads one, and prints users, ties,\n"
    "degree distribution, clustering, components, assortativity and the\n"
    "tie-strength mix, and the users' attributes sampled with the article's\n"
    "defaults (city tier, payment method, age, payment habits).\n"
    "\n"
    "graph options (shared with `fission run`):\n"
    "  --file PATH          read an edge list (u v [w]; whitespace or CSV; '#' comments;\n"
    "                       SNAP files as they are) or a GraphML file (.graphml, .xml)\n"
    "  --gen NAME           generator: wechat (default), er, ba, ws, regular, config,\n"
    "                       powerlaw, sbm\n"
    "  --n N                users (default 100000)\n"
    "  --mean-degree D      wechat: target mean degree (default 50)\n"
    "  --m M                ba: ties per new user; er: number of ties (default per generator)\n"
    "  --p P                er: tie probability; ws: rewiring probability\n"
    "  --k K                ws: neighbours on each side; regular: degree\n"
    "  --exponent X         powerlaw: degree exponent (> 2)\n"
    "  --min-degree K       powerlaw: smallest degree\n"
    "  --blocks B           sbm: number of equal blocks\n"
    "  --p-in P, --p-out P  sbm: tie probability inside / across blocks\n"
    "  --graph-seed S       generator seed (default 1)\n"
    "  --reorder            relabel users in breadth-first order (locality)\n";

static const char *usage_cascade =
    "usage: fission cascade [GRAPH OPTIONS] [--reps N] [--seed S] [--threads T]\n"
    "                       [--first K] [--model sir|ic] [--beta B] [--gamma G]\n"
    "                       [--T P] [--delay D]\n"
    "\n"
    "Runs a pure sharing cascade (docs/CASCADE.md), the process a campaign\n"
    "is validated against: K users get the link at day 0. With --model sir\n"
    "(default), a user who has it shares it to each friend at rate B per day\n"
    "until losing interest at rate G per day; with --model ic, each friend\n"
    "takes it up once with probability P, after a delay of mean D days.\n"
    "Prints reach, peak, depth and timing with their mean, 95% interval and\n"
    "spread over replicates. Results are identical for any --threads.\n"
    "\n"
    "  --reps N        replicates (default 20)\n"
    "  --seed S        base seed of the replicate streams (default 1)\n"
    "  --threads T     worker threads (default: all cores)\n"
    "  --first K       first sharers (default 10)\n"
    "  --model M       sir (default) or ic (independent cascade)\n"
    "  --beta B        sir: share rate per friend per day (default 0.02)\n"
    "  --gamma G       sir: rate of losing interest per day (default 1)\n"
    "  --T P           ic: probability a share is taken up (default 0.02)\n"
    "  --delay D       ic: mean delay of an uptake, days (default 1)\n"
    "\n"
    "The graph options of `fission help graph` choose the graph (default:\n"
    "the WeChat-like generator, 100000 users, mean degree 50).\n";

static const char *usage_validate =
    "usage: fission validate FILE... [--set PATH=VALUE]...\n"
    "\n"
    "Checks scenario files (docs/SCENARIOS.md): JSON syntax (with line and\n"
    "column), every key (unknown keys get a suggestion), every value's type\n"
    "and range (named by its JSON path), the rules across keys, and that the\n"
    "graph and seed files they name can be read. Prints every error found;\n"
    "exit 0 if all files are valid, 2 otherwise. `fission help scenario`\n"
    "lists every key.\n";

static const char *usage_batch =
    "usage: fission batch FILE|DIR... [--out DIR] [--reps N] [--seed S] [--threads T]\n"
    "                     [--set PATH=VALUE]... [--trace] [--quiet] [--all]\n"
    "\n"
    "Runs every scenario file named (a folder: its *.json files in name\n"
    "order), each into its own folder DIR/<file name>/ (default DIR: runs),\n"
    "and writes DIR/batch.csv: one row per scenario and metric (mean and 95%\n"
    "interval). A bad file is reported and skipped; the others still run.\n"
    "Exit 0 if all ran, 2 if some were bad input, 1 if a run failed.\n";

static const char *usage_compare =
    "usage: fission compare RUN_DIR|SCENARIO [--reference FILE] [--strict]\n"
    "                       [--out DIR] [--reps N] [--seed S] [--threads T] [--set PATH=VALUE]...\n"
    "\n"
    "Compares a finished run (a folder with summary.json) or a scenario (run\n"
    "first) with the article's figures (default reference:\n"
    "scenarios/reference/article-2023.json): for each figure the article's\n"
    "value, the simulated mean and its 95% interval, the deviation, the\n"
    "z-score and whether it is within the figure's tolerance. Writes\n"
    "compare.csv and compare.json into the run's folder. With --strict, exits\n"
    "1 if any simulated figure is out of tolerance or not measured.\n"
    "docs/METRICS.md maps every figure to its metric.\n";

static const char *usage_sensitivity =
    "usage: fission sensitivity DIR [--metric M]... [--boot B] [--level L] [--seed S]\n"
    "                           [--out FILE] [--per-unit]\n"
    "\n"
    "Reads the sweep store DIR/sweep.db (made by `fission sweep`) and estimates\n"
    "how much each swept parameter drives each metric (the mean over a\n"
    "point's replicates): with design \"saltelli\", the Sobol first-order (S1)\n"
    "and total (ST) indices; with design \"morris\", the elementary effects'\n"
    "mu* (mean absolute effect), mu and sigma. Other designs are refused.\n"
    "Prints a table per metric and writes DIR/sensitivity.csv (or FILE):\n"
    "metric,parameter,method,index,value,ci_lo,ci_hi. docs/SENSITIVITY.md.\n"
    "\n"
    "  --metric M   a metric to analyse (repeatable; default: every kept metric)\n"
    "  --boot B     bootstrap resamples for the intervals (default 1000; 0: none)\n"
    "  --level L    interval level (default 0.95)\n"
    "  --seed S     bootstrap seed (default: the sweep's seed)\n"
    "  --out FILE   where to write the CSV (default DIR/sensitivity.csv)\n"
    "  --per-unit   morris: effects per unit of each parameter rather than per\n"
    "               step over its range (needs numeric ranges)\n";

static const char *usage_plot =
    "usage: fission plot RUN_DIR|SWEEP_DIR [--format png|svg] [--out DIR] [--metric M]...\n"
    "                    [--reference FILE]\n"
    "\n"
    "Draws the figures of a run folder (the article against the simulation,\n"
    "table by table; the campaign funnels; counts over time; cascade sizes;\n"
    "group fill times) or of a sweep folder (metrics along the axes, heat\n"
    "maps, sensitivity indices) with gnuplot, from the scripts in plots/*.gp\n"
    "(found next to the executable, or in FISSION_PLOTS_DIR). The data each\n"
    "figure reads and the figure go to DIR (default RUN_DIR/plots); each\n"
    "figure's path is printed. A figure whose data is absent is skipped\n"
    "with a note. --metric limits sweep and sensitivity figures to the\n"
    "metrics named. Without compare.csv, the comparison is made from\n"
    "summary.json (--reference, default scenarios/reference/article-2023.json).\n"
    "Needs gnuplot (apt-get install gnuplot-nox). docs/PLOTS.md has more.\n";

static const char *usage_calibrate =
    "usage: fission calibrate SCENARIO --free PATH=LO:HI... [--reference FILE]\n"
    "                         [--out FILE] [--reps N] [--seed S] [--threads T]\n"
    "                         [--max-evals N] [--only T1,T5,...] [--hinge W]\n"
    "                         [--set PATH=VALUE]... [--quiet]\n"
    "\n"
    "Fits the free parameters (scenario paths, each in a range) to the\n"
    "reference figures by minimising the sum of squared deviations measured\n"
    "in tolerances, with GSL's Nelder-Mead simplex. Every evaluation runs the\n"
    "same replicates with the same seeds (common random numbers), so the\n"
    "objective is smooth. Prints each evaluation on stderr, then the fitted\n"
    "values and every figure's residual, and writes the calibrated scenario\n"
    "(default runs/<name>/calibrated.json). Defaults: 8 replicates per\n"
    "evaluation, 300 evaluations. --only fits the figures of some tables (by\n"
    "prefix of their table: T1 keeps T1 and T1 text), for calibration in stages.\n"
    "--hinge W adds W x (|d| - 0.9)^2 for every figure d tolerances off with\n"
    "|d| > 0.9: with W large (e.g. 50) the search first brings every figure\n"
    "inside its tolerance, with a margin, where the model can, rather than\n"
    "trading one figure far out for several nearer their values.\n"
    "Ctrl-C stops the search after the running evaluation and writes the best\n"
    "point so far (exit code 1).\n"
    "  e.g. --free behaviour.decisions.buy_base=-5:1 --free behaviour.visits.visit_rate=0.2:5\n";

static const char *usage_run =
    "usage: fission run FILE [--out DIR] [--reps N] [--seed S] [--threads T]\n"
    "                   [--set PATH=VALUE]... [--trace] [--quiet] [--all]\n"
    "       fission run [GRAPH OPTIONS] [--reps N] [--seed S] [--threads T]\n"
    "                   [--campaign KIND]... [--seeds K] [--seeding HOW] [--tier T]\n"
    "                   [--seed-file PATH]\n"
    "                   [--horizon H] [--regime R] [--all]\n"
    "\n"
    "With a scenario FILE (docs/SCENARIOS.md) runs it and writes the outputs\n"
    "(summary.json, replicates.csv, timeseries.csv, with --trace every event)\n"
    "to DIR (default runs/<scenario name>); --set changes any key, e.g.\n"
    "--set campaigns[0].group.size=5 --set run.replicates=50. Replicates run\n"
    "on all cores; a progress bar shows on a terminal (not with --quiet);\n"
    "Ctrl-C stops cleanly, writing the replicates done.\n"
    "\n"
    "Without a file, runs campaigns on the social graph: users share links in private chats,\n"
    "group chats and Moments, friends click, join group buys, help bargains,\n"
    "claim red packets, pay, come back and buy again (docs/MODEL.md). Prints\n"
    "each figure's mean and 95% interval over replicates, next to the\n"
    "article's figure where there is one (docs/METRICS.md defines them).\n"
    "Results are identical for any --threads.\n"
    "\n"
    "  --reps N          replicates (default 10)\n"
    "  --seed S          base seed of the replicate streams (default 1)\n"
    "  --threads T       worker threads (default: all cores)\n"
    "  --campaign KIND   link, group, bargain or redpacket; repeat for several\n"
    "                    (default: one of each, launched together)\n"
    "  --seeds K         users each campaign gives its first link to (default 50)\n"
    "  --seeding HOW     random (default), degree, pagerank, kcore, tier or file\n"
    "  --tier T          with --seeding tier: tier1, tier2 or tier3+\n"
    "  --seed-file PATH  with --seeding file: user ids, one per line, in order\n"
    "                    ('#' comments; the ids of the --file graph if it has them)\n"
    "  --horizon H       hours simulated (default 720, 30 days)\n"
    "  --regime R        WeChat's link policy: block, selective or ratelimit (default)\n"
    "  --all             print every metric, not only the main ones\n"
    "\n"
    "The graph options of `fission help graph` choose the graph (default:\n"
    "the WeChat-like generator, 100000 users, mean degree 50).\n";

static int fail_usage(const char *fmt, const char *arg) {
    fprintf(stderr, "fission: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see `fission help`)\n");
    return EXIT_USAGE;
}

/* Strict number parsing: the whole string, finite. */
static int parse_double(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out) {
    /* strtoull skips blanks and then takes a sign, wrapping " -1" to
     * 2^64 - 1: a number must start with its first digit. */
    if (!(*s >= '0' && *s <= '9')) return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno) {
        /* Accept 1e6-style integers. */
        double d;
        if (parse_double(s, &d) || d < 0 || d != floor(d) || d > 1.8e19) return -1;
        v = (unsigned long long)d;
    }
    *out = v;
    return 0;
}

static int parse_u32(const char *s, uint32_t *out) {
    uint64_t v;
    if (parse_u64(s, &v) || v > UINT32_MAX) return -1;
    *out = (uint32_t)v;
    return 0;
}

typedef struct graph_opts {
    const char *file;
    int kind;
    fsn_gen_params_t gen;
    fsn_wechat_params_t wechat;
    int reorder;
    fsn_gen_params_t given;   /* generator settings given on the line */
    unsigned given_mask;      /* which of them (GIVEN_*) */
} graph_opts_t;

enum {
    GIVEN_M = 1, GIVEN_P = 2, GIVEN_K = 4, GIVEN_EXPONENT = 8, GIVEN_MIN_DEGREE = 16,
    GIVEN_BLOCKS = 32, GIVEN_P_IN = 64, GIVEN_P_OUT = 128,
    /* Not reapplied by apply_given, only checked by check_applicable. */
    GIVEN_GEN = 256, GIVEN_N = 512, GIVEN_MEAN_DEGREE = 1024, GIVEN_SEED = 2048
};

/* The options each generator takes, and their names, for the check that
 * refuses an option that would be silently ignored. */
static const struct {
    unsigned bit;
    const char *name;
} option_names[] = {{GIVEN_GEN, "--gen"}, {GIVEN_N, "--n"},
                    {GIVEN_MEAN_DEGREE, "--mean-degree"}, {GIVEN_M, "--m"},
                    {GIVEN_P, "--p"},                {GIVEN_K, "--k"},
                    {GIVEN_EXPONENT, "--exponent"},  {GIVEN_MIN_DEGREE, "--min-degree"},
                    {GIVEN_BLOCKS, "--blocks"},      {GIVEN_P_IN, "--p-in"},
                    {GIVEN_P_OUT, "--p-out"},        {GIVEN_SEED, "--graph-seed"}};

static unsigned options_taken(int kind) {
    const unsigned common = GIVEN_GEN | GIVEN_N | GIVEN_SEED;
    switch (kind) {
    case FSN_GEN_WECHAT: return common | GIVEN_MEAN_DEGREE;
    case FSN_GEN_ERDOS_RENYI: return common | GIVEN_M | GIVEN_P;
    case FSN_GEN_BARABASI: return common | GIVEN_M;
    case FSN_GEN_WATTS_STROGATZ: return common | GIVEN_K | GIVEN_P;
    case FSN_GEN_K_REGULAR: return common | GIVEN_K;
    case FSN_GEN_CONFIG_POWERLAW: return common | GIVEN_EXPONENT | GIVEN_MIN_DEGREE;
    case FSN_GEN_SBM: return common | GIVEN_BLOCKS | GIVEN_P_IN | GIVEN_P_OUT;
    default: return common;
    }
}

/* Put back the settings given on the line (after --gen reset the rest to
 * its generator's defaults, wherever --gen came). */
static void apply_given(graph_opts_t *o) {
    const fsn_gen_params_t *g = &o->given;
    unsigned m = o->given_mask;
    if (m & GIVEN_M) o->gen.m = g->m;
    if (m & GIVEN_P) o->gen.p = g->p;
    if (m & GIVEN_K) o->gen.k = g->k;
    if (m & GIVEN_EXPONENT) o->gen.exponent = g->exponent;
    if (m & GIVEN_MIN_DEGREE) o->gen.min_degree = g->min_degree;
    if (m & GIVEN_BLOCKS) o->gen.blocks = g->blocks;
    if (m & GIVEN_P_IN) o->gen.p_in = g->p_in;
    if (m & GIVEN_P_OUT) o->gen.p_out = g->p_out;
}

/* Refuse generator options that the chosen graph would ignore (and all of
 * them with --file): exit code 2 after the message, 0 if all apply. */
static int check_applicable(const graph_opts_t *o) {
    unsigned taken = o->file ? 0 : options_taken(o->kind);
    for (size_t i = 0; i < sizeof option_names / sizeof *option_names; i++) {
        if (!(o->given_mask & option_names[i].bit) || (taken & option_names[i].bit)) continue;
        if (o->file)
            fprintf(stderr, "fission: %s does not apply to a graph read with --file\n",
                    option_names[i].name);
        else
            fprintf(stderr, "fission: %s does not apply to the %s generator (see `fission help graph`)\n",
                    option_names[i].name, fsn_gen_kind_name((fsn_gen_kind_t)o->kind));
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static void graph_opts_default(graph_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->kind = FSN_GEN_WECHAT;
    fsn_wechat_params_default(&o->wechat, 100000);
    fsn_gen_params_default(&o->gen, FSN_GEN_BARABASI);
    o->gen.n = 100000;
}

/* Consume one graph option at argv[*i]; returns 1 if consumed, 0 if not a
 * graph option, -1 (after printing) on a bad value. */
static int graph_opt(graph_opts_t *o, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    static const char *const with_value[] = {"--file", "--gen", "--n", "--mean-degree", "--m",
                                             "--p", "--k", "--exponent", "--min-degree",
                                             "--blocks", "--p-in", "--p-out", "--graph-seed"};
    if (!strcmp(a, "--reorder")) {
        o->reorder = 1;
        return 1;
    }
    int known = 0;
    for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
        if (!strcmp(a, with_value[k])) known = 1;
    if (!known) return 0;
    if (*i + 1 >= argc) {
        fail_usage("%s needs a value", a);
        return -1;
    }
    const char *v = argv[++*i];
    int bad = 0;
    double d = 0;
    uint64_t u = 0;
    if (!strcmp(a, "--file")) o->file = v;
    else if (!strcmp(a, "--gen")) {
        int k = fsn_gen_kind_parse(v);
        if (k < 0) {
            fail_usage("--gen: unknown generator '%s' (expected wechat, er, ba, ws, regular, "
                       "config, powerlaw or sbm)", v);
            return -1;
        }
        if (k == FSN_GEN_CONFIG_SEQUENCE) {
            fail_usage("--gen %s needs a degree sequence: use --gen powerlaw, or --file", v);
            return -1;
        }
        uint32_t n = o->gen.n;
        uint64_t seed = o->gen.seed;
        o->kind = k;
        o->given_mask |= GIVEN_GEN;
        if (k != FSN_GEN_WECHAT) {
            fsn_gen_params_default(&o->gen, (fsn_gen_kind_t)k);
            o->gen.n = n;
            o->gen.seed = seed;
            apply_given(o);
        }
    } else if (!strcmp(a, "--n")) {
        uint32_t n = 0;
        bad = parse_u32(v, &n);
        o->gen.n = n;
        o->wechat.n = n;
        o->given_mask |= GIVEN_N;
    } else if (!strcmp(a, "--mean-degree")) {
        bad = parse_double(v, &d);
        o->wechat.mean_degree = d;
        o->given_mask |= GIVEN_MEAN_DEGREE;
    } else if (!strcmp(a, "--m")) {
        bad = parse_u64(v, &u);
        o->gen.m = u;
        o->given.m = u;
        o->given_mask |= GIVEN_M;
    } else if (!strcmp(a, "--p")) {
        bad = parse_double(v, &d);
        o->gen.p = d;
        o->given.p = d;
        o->given_mask |= GIVEN_P;
    } else if (!strcmp(a, "--k")) {
        bad = parse_u64(v, &u) || u > UINT32_MAX;
        o->gen.k = (uint32_t)u;
        o->given.k = (uint32_t)u;
        o->given_mask |= GIVEN_K;
    } else if (!strcmp(a, "--exponent")) {
        bad = parse_double(v, &d);
        o->gen.exponent = d;
        o->given.exponent = d;
        o->given_mask |= GIVEN_EXPONENT;
    } else if (!strcmp(a, "--min-degree")) {
        bad = parse_u64(v, &u) || u > UINT32_MAX;
        o->gen.min_degree = (uint32_t)u;
        o->given.min_degree = (uint32_t)u;
        o->given_mask |= GIVEN_MIN_DEGREE;
    } else if (!strcmp(a, "--blocks")) {
        bad = parse_u64(v, &u) || u > UINT32_MAX;
        o->gen.blocks = (uint32_t)u;
        o->given.blocks = (uint32_t)u;
        o->given_mask |= GIVEN_BLOCKS;
    } else if (!strcmp(a, "--p-in")) {
        bad = parse_double(v, &d);
        o->gen.p_in = d;
        o->given.p_in = d;
        o->given_mask |= GIVEN_P_IN;
    } else if (!strcmp(a, "--p-out")) {
        bad = parse_double(v, &d);
        o->gen.p_out = d;
        o->given.p_out = d;
        o->given_mask |= GIVEN_P_OUT;
    } else if (!strcmp(a, "--graph-seed")) {
        bad = parse_u64(v, &u);
        o->gen.seed = u;
        o->wechat.seed = u;
        o->given_mask |= GIVEN_SEED;
    }
    if (bad) {
        fprintf(stderr, "fission: %s: expected a number, got '%s'\n", a, v);
        return -1;
    }
    return 1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Build or read the graph; prints the error and returns its exit code. */
static int build_graph(const graph_opts_t *o, fsn_csr_t *g, double *secs) {
    fsn_error_t err = {0};
    fsn_err_t rc;
    int code = check_applicable(o);
    if (code) return code;
    double t0 = now_s();
    if (o->file) rc = fsn_graph_read(g, o->file, &err);
    else if (o->kind == FSN_GEN_WECHAT) rc = fsn_wechat_generate(g, NULL, &o->wechat, &err);
    else rc = fsn_graph_generate(g, &o->gen, &err);
    if (!rc && o->reorder) rc = fsn_csr_reorder_bfs(g, NULL, &err);
    *secs = now_s() - t0;
    if (rc) {
        fprintf(stderr, "fission: %s\n", err.msg[0] ? err.msg : fsn_err_name(rc));
        return (rc == FSN_ENOMEM || rc == FSN_ELIB) ? EXIT_RUN : EXIT_USAGE;
    }
    return EXIT_OK;
}

static const char *graph_label(const graph_opts_t *o, char *buf, size_t size) {
    if (o->file) snprintf(buf, size, "%s", o->file);
    else if (o->kind == FSN_GEN_WECHAT)
        snprintf(buf, size, "wechat generator, n = %u, mean degree %g, seed %llu", o->wechat.n,
                 o->wechat.mean_degree, (unsigned long long)o->wechat.seed);
    else
        snprintf(buf, size, "%s generator, n = %u, seed %llu",
                 fsn_gen_kind_name((fsn_gen_kind_t)o->kind), o->gen.n,
                 (unsigned long long)o->gen.seed);
    return buf;
}

/* Sample the users' attributes with the article's defaults and print
 * the population's shares next to the figures they come from. */
static int print_population(uint32_t n, uint64_t seed) {
    fsn_attr_params_t ap;
    fsn_attr_params_default(&ap);
    fsn_users_t u;
    fsn_users_summary_t s;
    fsn_error_t err = {0};
    fsn_rng_t rng;
    fsn_rng_seed_stream(&rng, seed, 0, 0);
    if (fsn_users_init(&u, n, &err) || fsn_users_sample(&u, &ap, &rng, &err) ||
        fsn_users_summary(&u, &s, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        fsn_users_destroy(&u);
        return EXIT_RUN;
    }
    printf("users' attributes (article defaults, docs/ATTRIBUTES.md):\n");
    printf("  city tier      1: %.1f%%, 2: %.1f%%, 3 and below: %.1f%%\n",
           100 * s.tier_share[0], 100 * s.tier_share[1], 100 * s.tier_share[2]);
    printf("  preferred pay  WeChat Pay %.1f%%, Alipay %.1f%%, UnionPay %.1f%% (article T1: 42 / 53 / 5)\n",
           100 * s.pref_share[FSN_PAY_WECHAT], 100 * s.pref_share[FSN_PAY_ALIPAY],
           100 * s.pref_share[FSN_PAY_UNIONPAY]);
    printf("  WeChat Pay users in tier 3 and below: %.1f%% (article: 62)\n",
           100 * s.low_tier_given_wechat);
    printf("  aged 35+       %.1f%%; methods bound per user %.2f\n", 100 * s.age_35_plus_share,
           s.mean_bound);
    printf("  fixed method   WeChat Pay users %.1f%%, Alipay users %.1f%% (article T6: 68 / 82)\n",
           100 * s.stickiness_by_pref[FSN_PAY_WECHAT], 100 * s.stickiness_by_pref[FSN_PAY_ALIPAY]);
    fsn_users_destroy(&u);
    return EXIT_OK;
}

static int cmd_graph(int argc, char **argv) {
    if (argc < 1 || strcmp(argv[0], "describe")) {
        if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
            fputs(usage_graph, stdout);
            return EXIT_OK;
        }
        return fail_usage("graph: expected the subcommand 'describe'%s", "");
    }
    graph_opts_t o;
    graph_opts_default(&o);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_graph, stdout);
            return EXIT_OK;
        }
        int r = graph_opt(&o, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r == 0) return fail_usage("graph describe: unknown option '%s'", argv[i]);
    }
    fsn_csr_t g;
    double secs;
    int code = build_graph(&o, &g, &secs);
    if (code) return code;
    fsn_graph_stats_t st;
    fsn_error_t err = {0};
    double t0 = now_s();
    if (fsn_graph_describe(&g, &st, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        fsn_csr_destroy(&g);
        return EXIT_RUN;
    }
    double dsecs = now_s() - t0;
    char label[512], buf[4096];
    printf("graph: %s\n", graph_label(&o, label, sizeof label));
    fsn_graph_stats_format(&st, buf, sizeof buf);
    fputs(buf, stdout);
    code = print_population(g.n, o.gen.seed);
    if (code) {
        fsn_csr_destroy(&g);
        return code;
    }
    printf("memory: %.1f MB (%.2f bytes per tie)\n", (double)fsn_csr_bytes(&g) / 1e6,
           g.m ? (double)fsn_csr_bytes(&g) / (double)g.m : 0.0);
    printf("time: built in %.2f s, described in %.2f s\n", secs, dsecs);
    fsn_csr_destroy(&g);
    return EXIT_OK;
}

/* One figure: mean, 95% interval of the mean, p5, median, p95. `scale`
 * multiplies the values (100 for a percentage), `decimals` fixes the
 * format so that columns line up and read without exponents. */
static void print_metric(const char *name, const char *unit, const double *x, size_t n,
                         double *scratch, double scale, int decimals) {
    fsn_summary_t s;
    fsn_stats_summarize(x, n, scratch, &s);
    printf("  %-24s %12.*f  [%11.*f, %11.*f]  %10.*f %10.*f %10.*f  %s\n", name, decimals,
           s.mean * scale, decimals, s.ci_lo * scale, decimals, s.ci_hi * scale, decimals,
           s.p05 * scale, decimals, s.p50 * scale, decimals, s.p95 * scale, unit);
}

static int cmd_cascade(int argc, char **argv) {
    graph_opts_t o;
    graph_opts_default(&o);
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_cascade, stdout);
            return EXIT_OK;
        }
        int r = graph_opt(&o, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r == 1) continue;
        static const char *const opts[] = {"--reps", "--seed", "--threads", "--first", "--beta",
                                           "--gamma", "--model", "--T", "--delay"};
        int known = 0;
        for (size_t k = 0; k < sizeof opts / sizeof *opts; k++) known |= !strcmp(a, opts[k]);
        if (!known) return fail_usage("cascade: unknown option '%s'", a);
        if (i + 1 >= argc) return fail_usage("%s needs a value", a);
        const char *v = argv[++i];
        int bad;
        const char *want = "positive integer";
        if (!strcmp(a, "--reps")) bad = parse_u32(v, &cfg.reps) || cfg.reps < 1;
        else if (!strcmp(a, "--seed")) bad = parse_u64(v, &cfg.seed), want = "non-negative integer";
        else if (!strcmp(a, "--threads")) bad = parse_u32(v, &cfg.threads) || cfg.threads < 1;
        else if (!strcmp(a, "--first")) bad = parse_u32(v, &cfg.first_sharers) || cfg.first_sharers < 1;
        else if (!strcmp(a, "--beta")) bad = parse_double(v, &cfg.beta) || !(cfg.beta > 0), want = "number > 0";
        else if (!strcmp(a, "--gamma")) bad = parse_double(v, &cfg.gamma) || !(cfg.gamma > 0), want = "number > 0";
        else if (!strcmp(a, "--delay"))
            bad = parse_double(v, &cfg.mean_delay) || !(cfg.mean_delay > 0), want = "number of days > 0";
        else if (!strcmp(a, "--T"))
            bad = parse_double(v, &cfg.T) || !(cfg.T >= 0 && cfg.T <= 1), want = "probability in [0, 1]";
        else {
            bad = strcmp(v, "sir") && strcmp(v, "ic"), want = "model: sir or ic";
            cfg.model = strcmp(v, "ic") ? FSN_CASCADE_SIR : FSN_CASCADE_IC;
        }
        if (bad) {
            fprintf(stderr, "fission: %s: expected a %s, got '%s'\n", a, want, v);
            return EXIT_USAGE;
        }
    }
    fsn_csr_t g;
    double secs;
    int code = build_graph(&o, &g, &secs);
    if (code) return code;
    if (cfg.first_sharers > g.n) {
        fprintf(stderr, "fission: --first: %u first sharers, but the graph has only %u users\n",
                cfg.first_sharers, g.n);
        fsn_csr_destroy(&g);
        return EXIT_USAGE;
    }
    /* Before any output: a --reps too large for memory fails cleanly. */
    fsn_run_rep_t *reps = calloc(cfg.reps, sizeof *reps);
    double *x = calloc(cfg.reps, sizeof *x), *scratch = calloc(cfg.reps, sizeof *scratch);
    if (!reps || !x || !scratch) {
        fprintf(stderr, "fission: --reps: out of memory for %u replicates\n", cfg.reps);
        fsn_csr_destroy(&g);
        free(reps);
        free(x);
        free(scratch);
        return EXIT_RUN;
    }
    char label[512];
    uint32_t threads = cfg.threads ? cfg.threads : fsn_run_cores();
    if (threads > cfg.reps) threads = cfg.reps; /* as fsn_run_cascade does */
    printf("fission %s: the pure sharing cascade\n", FISSION_VERSION);
    printf("graph: %s: %u users, %llu ties (built in %.2f s)\n", graph_label(&o, label, sizeof label),
           g.n, (unsigned long long)g.m, secs);
    if (cfg.model == FSN_CASCADE_IC)
        printf("cascade: independent cascade, %u first sharers; uptake probability %g per share, "
               "mean delay %g days\n",
               cfg.first_sharers, cfg.T, cfg.mean_delay);
    else
        printf("cascade: SIR-equivalent, %u first sharers; share rate %g per friend per day; "
               "interest lost at rate %g per day\n",
               cfg.first_sharers, cfg.beta, cfg.gamma);
    printf("replicates: %u, seed %llu, %u threads\n", cfg.reps, (unsigned long long)cfg.seed,
           threads);
    fsn_error_t err = {0};
    double t0 = now_s();
    fsn_err_t rc = fsn_run_cascade(&g, &cfg, reps, &err);
    double rsecs = now_s() - t0;
    if (rc) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = rc == FSN_EINVAL ? EXIT_USAGE : EXIT_RUN;
    } else {
        uint64_t events = 0;
        printf("\n  %-24s %12s  %-27s  %10s %10s %10s\n", "figure", "mean", "95% interval of mean",
               "p5", "median", "p95");
#define COL(expr) for (uint32_t r = 0; r < cfg.reps; r++) x[r] = (expr)
        COL((double)reps[r].reached);
        print_metric("users reached", "users", x, cfg.reps, scratch, 1, 1);
        COL((double)reps[r].reached / g.n);
        print_metric("reach share", "% of users", x, cfg.reps, scratch, 100, 3);
        COL((double)reps[r].reached / cfg.first_sharers);
        print_metric("reach per first sharer", "users", x, cfg.reps, scratch, 1, 1);
        if (cfg.model == FSN_CASCADE_SIR) {
            COL((double)reps[r].peak_sharers);
            print_metric("peak sharers", "users", x, cfg.reps, scratch, 1, 1);
            COL(reps[r].t_peak);
            print_metric("day of peak", "days", x, cfg.reps, scratch, 1, 2);
            COL(reps[r].t_half);
            print_metric("day half reach", "days", x, cfg.reps, scratch, 1, 2);
        } else {
            COL((double)reps[r].depth);
            print_metric("depth", "shares", x, cfg.reps, scratch, 1, 2);
        }
        COL(reps[r].duration);
        print_metric("duration", "days", x, cfg.reps, scratch, 1, 2);
#undef COL
        for (uint32_t r = 0; r < cfg.reps; r++) events += reps[r].events;
        printf("\n%llu events in %.2f s (%.3g events/s)\n", (unsigned long long)events, rsecs,
               (double)events / rsecs);
    }
    free(reps);
    free(x);
    free(scratch);
    fsn_csr_destroy(&g);
    return code;
}


static int cmd_run(int argc, char **argv) {
    if (argc >= 1 && argv[0][0] != '-') return cli_run_file(argc, argv);
    graph_opts_t o;
    graph_opts_default(&o);
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 10;
    fsn_world_params_t wp;
    fsn_world_params_default(&wp);
    int kinds[FSN_CAMPAIGNS_MAX], nk = 0, seeding = FSN_SEED_RANDOM, tier = -1, all = 0;
    uint32_t seeds = 50;
    const char *seed_file = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_run, stdout);
            return EXIT_OK;
        }
        if (!strcmp(a, "--all")) {
            all = 1;
            continue;
        }
        int r = graph_opt(&o, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r == 1) continue;
        static const char *const opts[] = {"--reps", "--seed", "--threads", "--campaign", "--seeds",
                                           "--seeding", "--tier", "--horizon", "--regime", "--seed-file"};
        int known = 0;
        for (size_t k = 0; k < sizeof opts / sizeof *opts; k++) known |= !strcmp(a, opts[k]);
        if (!known) return fail_usage("run: unknown option '%s'", a);
        if (i + 1 >= argc) return fail_usage("%s needs a value", a);
        const char *v = argv[++i];
        const char *want = "positive integer";
        int bad = 0;
        if (!strcmp(a, "--reps")) bad = parse_u32(v, &cfg.reps) || cfg.reps < 1;
        else if (!strcmp(a, "--seed")) bad = parse_u64(v, &cfg.seed), want = "non-negative integer";
        else if (!strcmp(a, "--threads")) bad = parse_u32(v, &cfg.threads) || cfg.threads < 1;
        else if (!strcmp(a, "--seeds")) bad = parse_u32(v, &seeds) || seeds < 1;
        else if (!strcmp(a, "--seed-file")) seed_file = v;
        else if (!strcmp(a, "--horizon"))
            bad = parse_double(v, &wp.horizon) || !(wp.horizon > 0), want = "number of hours > 0";
        else if (!strcmp(a, "--campaign")) {
            int k = fsn_camp_kind_parse(v);
            bad = k < 0, want = "campaign kind: link, group, bargain or redpacket";
            if (!bad && nk >= FSN_CAMPAIGNS_MAX) return fail_usage("--campaign: at most 16 campaigns%s", "");
            if (!bad) kinds[nk++] = k;
        } else if (!strcmp(a, "--seeding")) {
            seeding = fsn_seed_kind_parse(v);
            bad = seeding < 0, want = "seeding: random, degree, pagerank, kcore, tier or file";
        } else if (!strcmp(a, "--tier")) {
            tier = fsn_tier_parse(v);
            bad = tier < 0, want = "tier: tier1, tier2 or tier3+";
        } else {
            int rg = fsn_regime_parse(v);
            bad = rg < 0, want = "regime: block, selective or ratelimit";
            if (!bad) wp.regime = (fsn_regime_t)rg;
        }
        if (bad) {
            fprintf(stderr, "fission: %s: expected a %s, got '%s'\n", a, want, v);
            return EXIT_USAGE;
        }
    }
    if (seeding == FSN_SEED_TIER && tier < 0) return fail_usage("--seeding tier needs --tier%s", "");
    if (tier >= 0 && seeding != FSN_SEED_TIER) return fail_usage("--tier is only for --seeding tier%s", "");
    if (seeding == FSN_SEED_FILE && !seed_file) return fail_usage("--seeding file needs --seed-file%s", "");
    if (seed_file && seeding != FSN_SEED_FILE) return fail_usage("--seed-file is only for --seeding file%s", "");
    if (nk == 0)
        for (int k = 0; k < FSN_CAMP_KIND_COUNT; k++) kinds[nk++] = k;
    fsn_campaign_t camps[FSN_CAMPAIGNS_MAX];
    for (int c = 0; c < nk; c++) {
        fsn_campaign_default(&camps[c], (fsn_camp_kind_t)kinds[c]);
        /* the same kind twice gets a numbered name */
        int same = 0;
        for (int d = 0; d < c; d++) same += kinds[d] == kinds[c];
        if (same) snprintf(camps[c].name, sizeof camps[c].name, "%s%d", fsn_camp_kind_name(kinds[c]), same + 1);
        camps[c].seeding.kind = (fsn_seed_kind_t)seeding;
        camps[c].seeding.count = seeds;
        camps[c].seeding.tier = tier < 0 ? 0 : tier;
    }
    fsn_csr_t g;
    double secs;
    int code = build_graph(&o, &g, &secs);
    if (code) return code;
    fsn_error_t err = {0};
    fsn_vid_t *file_ids = NULL;
    if (seed_file) {
        size_t count;
        fsn_err_t frc = fsn_seed_read(seed_file, &g, &file_ids, &count, &err);
        if (frc) {
            fprintf(stderr, "fission: %s\n", err.msg);
            fsn_csr_destroy(&g);
            return frc == FSN_ENOMEM ? EXIT_RUN : EXIT_USAGE;
        }
        for (int c = 0; c < nk; c++) {
            camps[c].seeding.list = file_ids;
            camps[c].seeding.list_len = count;
        }
    }
    if (fsn_world_params_check(&wp, camps, (size_t)nk, &g, &err)) {
        free(file_ids);
        fprintf(stderr, "fission: %s\n", err.msg);
        fsn_csr_destroy(&g);
        return EXIT_USAGE;
    }
    fsn_attr_params_t ap;
    fsn_attr_params_default(&ap);
    uint32_t threads = cfg.threads ? cfg.threads : fsn_run_cores();
    if (threads > cfg.reps) threads = cfg.reps;
    char label[512];
    printf("fission %s: campaigns on the social graph\n", FISSION_VERSION);
    printf("graph: %s: %u users, %llu ties (built in %.2f s)\n", graph_label(&o, label, sizeof label),
           g.n, (unsigned long long)g.m, secs);
    printf("campaigns:");
    for (int c = 0; c < nk; c++) printf(" %s", camps[c].name);
    if (seed_file)
        printf("; the first %u seeds of %s (%zu users) each", seeds, seed_file, camps[0].seeding.list_len);
    else
        printf("; %u %s seeds each", seeds, fsn_seed_kind_name(seeding));
    printf("; %g hours; link policy %s\n", wp.horizon, fsn_regime_name(wp.regime));
    printf("replicates: %u, seed %llu, %u threads\n", cfg.reps, (unsigned long long)cfg.seed, threads);
    fflush(stdout);
    fsn_run_result_t res;
    fsn_err_t rc = fsn_run_campaigns(&g, &ap, &wp, camps, (size_t)nk, &cfg, 0, &res, &err);
    if (rc) {
        fprintf(stderr, "fission: %s\n", err.msg);
        free(file_ids);
        fsn_csr_destroy(&g);
        return rc == FSN_EINVAL ? EXIT_USAGE : EXIT_RUN;
    }
    cli_print_table(&res, all);
    fsn_run_result_destroy(&res);
    free(file_ids);
    fsn_csr_destroy(&g);
    return code;
}

static int cmd_help(int argc, char **argv) {
    if (argc < 1) fputs(usage_main, stdout);
    else if (!strcmp(argv[0], "run")) fputs(usage_run, stdout);
    else if (!strcmp(argv[0], "cascade")) fputs(usage_cascade, stdout);
    else if (!strcmp(argv[0], "validate")) fputs(usage_validate, stdout);
    else if (!strcmp(argv[0], "batch")) fputs(usage_batch, stdout);
    else if (!strcmp(argv[0], "compare")) fputs(usage_compare, stdout);
    else if (!strcmp(argv[0], "calibrate")) fputs(usage_calibrate, stdout);
    else if (!strcmp(argv[0], "sensitivity")) fputs(usage_sensitivity, stdout);
    else if (!strcmp(argv[0], "plot")) fputs(usage_plot, stdout);
    else if (!strcmp(argv[0], "ab")) fputs(cli_usage_ab, stdout);
    else if (!strcmp(argv[0], "optimise") || !strcmp(argv[0], "optimize")) fputs(cli_usage_optimise, stdout);
    else if (!strcmp(argv[0], "scenario")) return cli_help_scenario();
    else if (!strcmp(argv[0], "sweep")) {
        char h[] = "--help";
        char *hv[] = {h};
        return cli_sweep(1, hv);
    }
    else if (!strcmp(argv[0], "graph")) fputs(usage_graph, stdout);
    else if (!strcmp(argv[0], "help") || !strcmp(argv[0], "version")) fputs(usage_main, stdout);
    else return fail_usage("help: unknown command '%s'", argv[0]);
    return EXIT_OK;
}

int main(int argc, char **argv) {
    fsn_rng_gsl_quiet();
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run")) return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "cascade")) return cmd_cascade(argc - 2, argv + 2);
    if (!strcmp(cmd, "validate")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) return fputs(usage_validate, stdout), EXIT_OK;
        return cli_validate(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "calibrate")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) return fputs(usage_calibrate, stdout), EXIT_OK;
        return cli_calibrate(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "sensitivity")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) return fputs(usage_sensitivity, stdout), EXIT_OK;
        return cli_sensitivity(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "ab")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) return fputs(cli_usage_ab, stdout), EXIT_OK;
        return cli_ab(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "optimise") || !strcmp(cmd, "optimize")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) return fputs(cli_usage_optimise, stdout), EXIT_OK;
        return cli_optimise(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "compare")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) return fputs(usage_compare, stdout), EXIT_OK;
        return cli_compare(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "plot")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) return fputs(usage_plot, stdout), EXIT_OK;
        return cli_plot(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "batch")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) return fputs(usage_batch, stdout), EXIT_OK;
        return cli_batch(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "graph")) return cmd_graph(argc - 2, argv + 2);
    if (!strcmp(cmd, "sweep")) return cli_sweep(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
        return cmd_help(argc - 2, argv + 2);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("fission %s\n", FISSION_VERSION);
        return EXIT_OK;
    }
    return fail_usage("unknown command '%s'", cmd);
}
