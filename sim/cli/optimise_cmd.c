/*
 * cli/optimise_cmd.c: fission optimise SCENARIO --lever PATH=LO:HI...
 *
 * Binds the search of optimise.h to the simulator, the way calibration
 * binds its simplex: an evaluation writes the design's lever values as
 * --set overrides after the user's own, parses the scenario text again
 * (so a value goes through exactly the checks a user's would, and a
 * design the scenario rules refuse, such as a group price above the list
 * price, is recorded as invalid rather than run), and runs the replicates
 * on the graph built once, always with the same seed and point 0: common
 * random numbers across designs. The objective and constraints are any
 * metric of the run, or a money.* figure summed over the campaigns
 * (ab.h). Before the search, one short probe run (one replicate, a few
 * hours) lists the metrics, so a misspelt name is refused with a
 * suggestion before any real work.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fission/ab.h"
#include "fission/optimise.h"
#include "fission/output.h"

const char *const cli_usage_optimise =
    "usage: fission optimise SCENARIO --lever PATH=LO:HI|PATH=a,b,c... --objective METRIC\n"
    "                        [--maximise|--minimise] [--constraint METRIC<=VALUE]...\n"
    "                        [--constraint-confidence P] [--reps N] [--budget EVALS] [--seed S]\n"
    "                        [--threads T] [--out DIR] [--set PATH=VALUE]... [--quiet]\n"
    "\n"
    "Searches campaign levers (scenario paths) for the design with the best mean\n"
    "objective over replicates, subject to constraints on other metrics' means.\n"
    "Every design runs the same replicates on the same random streams (common\n"
    "random numbers), so designs are compared pairwise. Levers: a real range\n"
    "(campaigns[0].group.deadline=6:72), an integer key's range (only whole\n"
    "numbers are tried: campaigns[0].group.size=2:8) or a list of values\n"
    "(campaigns[0].seeding.strategy=random,degree,pagerank). A small all-integer\n"
    "or category grid is enumerated; otherwise Sobol points, then a compass\n"
    "search. Metrics: any of the run's (docs/METRICS.md) or money.gmv,\n"
    "money.subsidy, money.coupon_cost, money.refunds, money.net_gmv, money.buyers,\n"
    "money.buyers_per_subsidy_yuan, money.buyers_per_cost_yuan (summed over the\n"
    "campaigns). A constraint holds if the metric's mean is <= VALUE (with\n"
    "--constraint-confidence P, its one-sided upper P confidence bound).\n"
    "Writes DIR/best.json (a scenario `fission run` takes), DIR/explored.csv and\n"
    "DIR/optimise.json (default DIR: runs/optimise-NAME). docs/DESIGNS.md.\n"
    "Ctrl-C stops the search after the running design and writes the files for\n"
    "the designs evaluated so far (exit code 1).\n"
    "\n"
    "  --reps N     replicates per design (default 8)\n"
    "  --budget N   distinct designs evaluated at most (default 60)\n";

typedef struct bind {
    const char *text, *file;
    size_t len;
    char dir[FSN_SCENARIO_PATH_MAX];
    const char **sets;
    size_t nbase;
    char (*own)[400];
    const fsn_lever_t *lv;
    size_t nlev;
    const fsn_csr_t *g;
    fsn_run_cfg_t rcfg;
    const char *objective;
    const char **cons;
    size_t ncon;
    fsn_scenario_t *sc;
    fsn_diags_t *d;
    double *money;
    int quiet;
} bind_t;

/* Parse the scenario with the design x (NULL: the base) and extra sets. */
static fsn_err_t parse_with(bind_t *b, const double *x, const char *const *extra, size_t nextra) {
    size_t n = b->nbase;
    if (x) {
        for (size_t i = 0; i < b->nlev; i++) {
            char v[64];
            fsn_lever_value_text(&b->lv[i], x[i], v, sizeof v);
            snprintf(b->own[i], sizeof b->own[i], "%s=%s", b->lv[i].path, v);
            b->sets[n++] = b->own[i];
        }
    }
    for (size_t i = 0; i < nextra; i++) b->sets[n++] = extra[i];
    return fsn_scenario_parse(b->sc, b->text, b->len, b->file, b->dir, b->sets, n, b->d);
}

/* The replicate values of metric name in res (money.* summed). */
static void values_of(bind_t *b, const fsn_run_result_t *res, const char *name, double *out) {
    if (!strncmp(name, "money.", 6)) {
        fsn_ab_money(res, b->sc->campaigns, b->sc->ncampaigns, b->money);
        for (int j = 0; j < FSN_AB_MONEY_ROWS; j++)
            if (!strcmp(fsn_ab_money_names[j], name))
                for (uint32_t r = 0; r < res->reps; r++) out[r] = b->money[(size_t)r * FSN_AB_MONEY_ROWS + (size_t)j];
        return;
    }
    long k = -1;
    for (size_t q = 0; q < res->nmetrics && k < 0; q++)
        if (!strcmp(res->names[q], name)) k = (long)q;
    for (uint32_t r = 0; r < res->reps; r++) out[r] = k >= 0 ? res->values[(size_t)r * res->nmetrics + (size_t)k] : NAN;
}

static fsn_err_t evaluate(void *ctx, const double *x, double *obj, double *con, fsn_error_t *err) {
    bind_t *b = ctx;
    if (parse_with(b, x, NULL, 0))
        return fsn_error_set(err, FSN_EINVAL, "%s", b->d->count ? b->d->msg[0] : "the scenario refuses this design");
    fsn_run_result_t res;
    fsn_err_t rc = fsn_run_campaigns(b->g, &b->sc->users, &b->sc->behaviour, b->sc->campaigns, b->sc->ncampaigns,
                                     &b->rcfg, 0, &res, err);
    if (rc) return rc;
    values_of(b, &res, b->objective, obj);
    for (size_t j = 0; j < b->ncon; j++) values_of(b, &res, b->cons[j], con + j * b->rcfg.reps);
    fsn_run_result_destroy(&res);
    return FSN_OK;
}

static void progress(void *ctx, const fsn_opt_result_t *r, size_t k) {
    bind_t *b = ctx;
    if (b->quiet) return;
    const fsn_opt_point_t *p = &r->pts[k];
    fprintf(stderr, "eval %3zu %-6s", k + 1, p->phase);
    for (size_t i = 0; i < b->nlev; i++) {
        char v[64];
        fsn_lever_value_text(&b->lv[i], p->x[i], v, sizeof v);
        fprintf(stderr, " %s=%s", b->lv[i].path, v);
    }
    if (p->valid) fprintf(stderr, "  %s %.6g [%.6g, %.6g]%s\n", b->objective, p->mean, p->ci_lo, p->ci_hi,
                          p->feasible ? "" : "  infeasible");
    else fprintf(stderr, "  invalid: %s\n", p->why);
}

static int parse_lever(const char *v, fsn_lever_t *l) {
    memset(l, 0, sizeof *l);
    l->start = NAN;
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || (size_t)(eq - v) >= sizeof l->path) {
        fprintf(stderr, "fission: optimise: --lever: expected PATH=LO:HI or PATH=a,b,c, got '%s'\n", v);
        return -1;
    }
    memcpy(l->path, v, (size_t)(eq - v));
    const char *spec = eq + 1;
    const char *colon = strchr(spec, ':');
    if (colon) {
        char lo[64], hi[64];
        char *e1, *e2;
        if ((size_t)(colon - spec) >= sizeof lo || strlen(colon + 1) >= sizeof hi) goto bad_range;
        memcpy(lo, spec, (size_t)(colon - spec));
        lo[colon - spec] = 0;
        snprintf(hi, sizeof hi, "%s", colon + 1);
        l->lo = strtod(lo, &e1);
        l->hi = strtod(hi, &e2);
        if (!lo[0] || !hi[0] || *e1 || *e2 || !isfinite(l->lo) || !isfinite(l->hi) || !(l->lo < l->hi)) goto bad_range;
        l->kind = FSN_LEVER_REAL;
        return 0;
    bad_range:
        fprintf(stderr, "fission: optimise: --lever %s: expected numbers LO < HI as PATH=LO:HI, got '%s'\n", l->path, spec);
        return -1;
    }
    if (!strchr(spec, ',')) {
        fprintf(stderr, "fission: optimise: --lever %s: expected a range LO:HI or a list of values a,b,c, got '%s'\n",
                l->path, spec);
        return -1;
    }
    l->kind = FSN_LEVER_CAT;
    const char *p = spec;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n == 0 || n >= sizeof l->cats[0] || l->ncats == FSN_LEVER_CATS_MAX) {
            fprintf(stderr, "fission: optimise: --lever %s: expected 2 to %d non-empty values (each under %zu characters), got '%s'\n",
                    l->path, FSN_LEVER_CATS_MAX, sizeof l->cats[0], spec);
            return -1;
        }
        memcpy(l->cats[l->ncats], p, n);
        l->cats[l->ncats][n] = 0;
        l->ncats++;
        if (!c) break;
        p = c + 1;
    }
    return 0;
}

static int parse_constraint(const char *v, char *metric, size_t msize, double *bound) {
    const char *op = strstr(v, "<=");
    char *end;
    if (!op || op == v || (size_t)(op - v) >= msize) {
        fprintf(stderr, "fission: optimise: --constraint: expected METRIC<=VALUE, got '%s'\n", v);
        return -1;
    }
    memcpy(metric, v, (size_t)(op - v));
    metric[op - v] = 0;
    *bound = strtod(op + 2, &end);
    if (!op[2] || *end || !isfinite(*bound)) {
        fprintf(stderr, "fission: optimise: --constraint %s: expected a number after <=, got '%s'\n", metric, op + 2);
        return -1;
    }
    return 0;
}

int cli_optimise(int argc, char **argv) {
    const char *file = NULL, *objective = NULL;
    fsn_lever_t *lv = calloc(FSN_LEVERS_MAX, sizeof *lv);
    size_t nlev = 0, ncon = 0;
    char (*cnames)[96] = calloc(32, sizeof *cnames);
    const char *cptr[32];
    double bounds[32];
    fsn_opt_cfg_t cfg;
    fsn_opt_cfg_default(&cfg);
    cli_run_opts_t o = {0};
    int code = CLI_OK;
    if (!lv || !cnames) {
        free(lv);
        free(cnames);
        return CLI_RUN;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--maximise") || !strcmp(a, "--maximize")) {
            cfg.maximise = 1;
            continue;
        }
        if (!strcmp(a, "--minimise") || !strcmp(a, "--minimize")) {
            cfg.maximise = 0;
            continue;
        }
        if (!strcmp(a, "--lever") || !strcmp(a, "--objective") || !strcmp(a, "--constraint") || !strcmp(a, "--budget") ||
            !strcmp(a, "--constraint-confidence")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "fission: optimise: %s needs a value\n", a);
                code = CLI_USAGE;
                goto out;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--objective")) objective = v;
            else if (!strcmp(a, "--lever")) {
                if (nlev == FSN_LEVERS_MAX) {
                    fprintf(stderr, "fission: optimise: at most %d levers\n", FSN_LEVERS_MAX);
                    code = CLI_USAGE;
                    goto out;
                }
                if (parse_lever(v, &lv[nlev])) {
                    code = CLI_USAGE;
                    goto out;
                }
                for (size_t k = 0; k < nlev; k++)
                    if (!strcmp(lv[k].path, lv[nlev].path)) {
                        fprintf(stderr, "fission: optimise: --lever %s: named twice\n", lv[nlev].path);
                        code = CLI_USAGE;
                        goto out;
                    }
                nlev++;
            } else if (!strcmp(a, "--constraint")) {
                if (ncon == 32) {
                    fprintf(stderr, "fission: optimise: at most 32 constraints\n");
                    code = CLI_USAGE;
                    goto out;
                }
                if (parse_constraint(v, cnames[ncon], sizeof cnames[0], &bounds[ncon])) {
                    code = CLI_USAGE;
                    goto out;
                }
                cptr[ncon] = cnames[ncon];
                ncon++;
            } else {
                char *end;
                double x = strtod(v, &end);
                if (!strcmp(a, "--budget")) {
                    if (*end || !(x >= 1 && x <= 100000) || x != floor(x)) {
                        fprintf(stderr, "fission: optimise: --budget: expected a whole number of evaluations 1 to 100000, got '%s'\n", v);
                        code = CLI_USAGE;
                        goto out;
                    }
                    cfg.budget = (size_t)x;
                } else {
                    if (*end || !(x == 0 || (x > 0.5 && x < 1))) {
                        fprintf(stderr, "fission: optimise: --constraint-confidence: expected 0 or a level in (0.5, 1), got '%s'\n", v);
                        code = CLI_USAGE;
                        goto out;
                    }
                    cfg.confidence = x;
                }
            }
            continue;
        }
        if (a[0] == '-' && a[1]) {
            int r = cli_run_opt(&o, argc, argv, &i, "optimise");
            if (r <= 0) {
                if (r == 0) fprintf(stderr, "fission: optimise: unknown option '%s' (see `fission help optimise`)\n", a);
                code = CLI_USAGE;
                goto out;
            }
            continue;
        }
        if (file) {
            fprintf(stderr, "fission: optimise: one scenario file, got '%s' and '%s'\n", file, a);
            code = CLI_USAGE;
            goto out;
        }
        file = a;
    }
    if (!file || nlev == 0 || !objective) {
        fprintf(stderr, "fission: optimise: expected a scenario file, at least one --lever PATH=LO:HI and an --objective METRIC\n");
        code = CLI_USAGE;
        goto out;
    }
    if (o.reps) cfg.reps = o.reps < 2 ? 2 : o.reps;

    bind_t b = {0};
    size_t len = 0;
    char *text = cli_slurp(file, &len);
    fsn_scenario_t *base = malloc(sizeof *base);
    fsn_csr_t g = {0};
    int have_g = 0;
    fsn_opt_result_t res = {0};
    fsn_error_t err = {0};
    char *basejson = NULL;
    b.sc = malloc(sizeof *b.sc);
    b.d = malloc(sizeof *b.d);
    b.sets = calloc(o.nsets + nlev + 2, sizeof *b.sets);
    b.own = calloc(nlev, sizeof *b.own);
    b.money = malloc((size_t)cfg.reps * FSN_AB_MONEY_ROWS * sizeof *b.money);
    if (!text) {
        fprintf(stderr, "fission: %s: cannot read: %s\n", file, strerror(errno));
        code = CLI_USAGE;
        goto done;
    }
    if (!base || !b.sc || !b.d || !b.sets || !b.own || !b.money) {
        fprintf(stderr, "fission: out of memory\n");
        code = CLI_RUN;
        goto done;
    }
    b.text = text;
    b.len = len;
    b.file = file;
    snprintf(b.dir, sizeof b.dir, "%s", file);
    char *slash = strrchr(b.dir, '/');
    if (slash) *slash = 0;
    else snprintf(b.dir, sizeof b.dir, ".");
    for (size_t i = 0; i < o.nsets; i++) b.sets[i] = o.sets[i];
    b.nbase = o.nsets;
    b.lv = lv;
    b.nlev = nlev;
    b.objective = objective;
    b.cons = cptr;
    b.ncon = ncon;
    b.quiet = o.quiet;
    if (parse_with(&b, NULL, NULL, 0)) {
        for (size_t k = 0; k < b.d->count && k < FSN_DIAG_MAX; k++) fprintf(stderr, "%s\n", b.d->msg[k]);
        code = CLI_USAGE;
        goto done;
    }
    *base = *b.sc;
    basejson = fsn_scenario_to_json(base);
    if (!basejson) {
        code = CLI_RUN;
        goto done;
    }
    /* the levers: known, non-graph keys of the right kind; their start values */
    for (size_t i = 0; i < nlev; i++) {
        fsn_lever_t *l = &lv[i];
        if (!strncmp(l->path, "graph.", 6) || !strcmp(l->path, "graph")) {
            fprintf(stderr, "fission: optimise: --lever %s: the graph is built once and cannot be a lever\n", l->path);
            code = CLI_USAGE;
            goto done;
        }
        int kt = fsn_scenario_key_type(l->path);
        if (kt == FSN_KEY_UNKNOWN) {
            /* let the parser say what is wrong with the path (and suggest) */
            char one[400];
            snprintf(one, sizeof one, "%s=%s", l->path, l->kind == FSN_LEVER_CAT ? l->cats[0] : "0");
            const char *ex[1] = {one};
            if (parse_with(&b, NULL, ex, 1) && b.d->count) fprintf(stderr, "fission: optimise: --lever: %s\n", b.d->msg[0]);
            else fprintf(stderr, "fission: optimise: --lever %s: no such scenario key (see `fission help scenario`)\n", l->path);
            code = CLI_USAGE;
            goto done;
        }
        if (l->kind == FSN_LEVER_REAL) {
            if (kt == FSN_KEY_OTHER) {
                fprintf(stderr, "fission: optimise: --lever %s: not a number; list its values as %s=a,b,c\n", l->path, l->path);
                code = CLI_USAGE;
                goto done;
            }
            if (kt == FSN_KEY_INTEGER) {
                l->kind = FSN_LEVER_INT;
                l->lo = ceil(l->lo);
                l->hi = floor(l->hi);
                if (l->lo > l->hi) {
                    fprintf(stderr, "fission: optimise: --lever %s: an integer key, and the range holds no whole number\n", l->path);
                    code = CLI_USAGE;
                    goto done;
                }
            }
            double v;
            if (!fsn_scenario_get_number(base, l->path, &v) && v >= l->lo && v <= l->hi) l->start = v;
        } else {
            /* every value must be acceptable on its own; the start is the one the scenario has */
            for (size_t c = 0; c < l->ncats; c++) {
                char one[400];
                snprintf(one, sizeof one, "%s=%s", l->path, l->cats[c]);
                const char *ex[1] = {one};
                if (parse_with(&b, NULL, ex, 1)) {
                    fprintf(stderr, "fission: optimise: --lever %s: value '%s': %s\n", l->path, l->cats[c],
                            b.d->count ? b.d->msg[0] : "refused");
                    code = CLI_USAGE;
                    goto done;
                }
                char *js = fsn_scenario_to_json(b.sc);
                if (js && !strcmp(js, basejson) && !isfinite(l->start)) l->start = (double)c;
                free(js);
            }
        }
    }
    if (fsn_scenario_graph(base, &g, &err)) {
        fprintf(stderr, "fission: %s: graph: %s\n", file, err.msg);
        code = CLI_USAGE;
        goto done;
    }
    have_g = 1;
    fsn_run_cfg_default(&b.rcfg);
    b.rcfg.seed = o.have_seed ? o.seed : base->seed;
    b.rcfg.threads = o.threads ? o.threads : base->threads;
    b.g = &g;
    /* the probe: one replicate over a few hours, for the metric names */
    {
        double last = 0;
        for (size_t c = 0; c < base->ncampaigns; c++)
            if (base->campaigns[c].launch > last) last = base->campaigns[c].launch;
        char hz[64];
        snprintf(hz, sizeof hz, "run.horizon=%.17g", last + 1);
        const char *ex[1] = {hz};
        fsn_run_result_t pr;
        fsn_run_cfg_t pc = b.rcfg;
        pc.reps = 1;
        if (parse_with(&b, NULL, ex, 1) ||
            fsn_run_campaigns(&g, &b.sc->users, &b.sc->behaviour, b.sc->campaigns, b.sc->ncampaigns, &pc, 0, &pr, &err)) {
            fprintf(stderr, "fission: %s: %s\n", file, b.d->count ? b.d->msg[0] : err.msg);
            code = CLI_USAGE;
            goto done;
        }
        const char **names = malloc((pr.nmetrics + FSN_AB_MONEY_ROWS) * sizeof *names);
        size_t nn = 0;
        if (names) {
            for (int j = 0; j < FSN_AB_MONEY_ROWS; j++) names[nn++] = fsn_ab_money_names[j];
            for (size_t k = 0; k < pr.nmetrics; k++) names[nn++] = pr.names[k];
            for (size_t q = 0; q <= ncon && code == CLI_OK; q++) {
                const char *m = q < ncon ? cptr[q] : objective;
                int found = 0;
                for (size_t k = 0; k < nn && !found; k++) found = !strcmp(names[k], m);
                if (!found) {
                    const char *s = fsn_nearest_name(m, names, nn);
                    fprintf(stderr, "fission: optimise: %s %s: no such metric; did you mean '%s'? (docs/METRICS.md)\n",
                            q < ncon ? "--constraint" : "--objective", m, s ? s : "?");
                    code = CLI_USAGE;
                }
            }
        }
        free(names);
        fsn_run_result_destroy(&pr);
        if (code) goto done;
    }
    b.rcfg.reps = cfg.reps;
    printf("fission optimise: %s; %s %s over %zu levers, %zu constraints; %u replicates per design on the same "
           "streams (seed %llu); at most %zu designs\n",
           file, cfg.maximise ? "maximise" : "minimise", objective, nlev, ncon, cfg.reps,
           (unsigned long long)b.rcfg.seed, cfg.budget);
    fflush(stdout);
    /* Ctrl-C or SIGTERM ends the search after the running evaluation; the
     * designs evaluated so far are reported and written as usual (exit 1) */
    cli_signals_t sigs;
    cfg.stop = cli_stop_catch(&sigs);
    fsn_err_t rc = fsn_optimise(lv, nlev, bounds, ncon, &cfg, evaluate, &b, progress, &b, &res, &err);
    cli_stop_release(&sigs);
    if (rc) {
        fprintf(stderr, "fission: optimise: %s\n", err.msg);
        code = rc == FSN_EINVAL ? CLI_USAGE : CLI_RUN;
        goto done;
    }
    printf("\n%zu designs evaluated (%s; %zu asked for, repeats cached)%s\n", res.npoints, res.method, res.requests,
           res.stopped ? "; stopped by a signal" : "");
    if (res.best < 0) {
        printf("no design could be evaluated (every one was refused; see explored.csv)\n");
        code = CLI_RUN;
    } else {
        const fsn_opt_point_t *p = &res.pts[res.best];
        printf("\nbest design (evaluation %ld)%s:\n", res.best + 1,
               p->feasible ? "" : "  -- NO DESIGN MET THE CONSTRAINTS; this one comes closest");
        for (size_t i = 0; i < nlev; i++) {
            char v[64];
            fsn_lever_value_text(&lv[i], p->x[i], v, sizeof v);
            printf("  %-44s %s\n", lv[i].path, v);
        }
        printf("  %-44s %.6g [%.6g, %.6g]\n", objective, p->mean, p->ci_lo, p->ci_hi);
        for (size_t j = 0; j < ncon; j++)
            printf("  %-44s %.6g%s (limit %.6g) %s\n", cptr[j], p->con_mean[j],
                   cfg.confidence > 0 ? "" : "", bounds[j], p->con_mean[j] <= bounds[j] ? "ok" : "over");
        if (cfg.confidence > 0)
            for (size_t j = 0; j < ncon; j++)
                printf("  %-44s upper %.0f%% bound %.6g\n", cptr[j], 100 * cfg.confidence, p->con_ub[j]);
        if (res.start >= 0 && res.start != res.best && res.pts[res.start].valid) {
            const fsn_paired_stat_t *d = &res.best_vs_start;
            printf("  against the start design: %+.6g [%.6g, %.6g]%s%s\n", d->diff, d->ci_lo, d->ci_hi,
                   d->significant ? ", significant at 95%" : ", not significant at 95%",
                   res.pts[res.start].feasible ? "" : " (the start design breaks a constraint)");
        }
        if (res.nrunners) printf("\nrunners-up (paired difference from the best, 95%% interval):\n");
        for (size_t k = 0; k < res.nrunners; k++) {
            const fsn_opt_point_t *q = &res.pts[res.runners[k]];
            printf("  %zu.", k + 1);
            for (size_t i = 0; i < nlev; i++) {
                char v[64];
                fsn_lever_value_text(&lv[i], q->x[i], v, sizeof v);
                printf(" %s=%s", lv[i].path, v);
            }
            const fsn_paired_stat_t *d = &res.runner_diff[k];
            printf("\n      %.6g  (%+.6g [%.6g, %.6g])%s\n", q->mean, d->diff, d->ci_lo, d->ci_hi,
                   q->feasible ? "" : "  infeasible");
        }
    }
    {
        char dir[FSN_SCENARIO_PATH_MAX + 64], path[FSN_SCENARIO_PATH_MAX + 96];
        if (o.out) snprintf(dir, sizeof dir, "%s", o.out);
        else snprintf(dir, sizeof dir, "runs/optimise-%s", base->name);
        if (fsn_output_dir(dir, &err) ||
            fsn_opt_write(dir, &res, lv, objective, cfg.maximise, cptr, bounds, cfg.confidence, &err)) {
            fprintf(stderr, "fission: %s\n", err.msg);
            code = CLI_RUN;
            goto done;
        }
        if (res.best >= 0) {
            char *js = NULL;
            if (!parse_with(&b, res.pts[res.best].x, NULL, 0)) js = fsn_scenario_to_json(b.sc);
            snprintf(path, sizeof path, "%s/best.json", dir);
            if (!js || fsn_write_atomic(path, js, strlen(js), &err)) {
                fprintf(stderr, "fission: %s\n", js ? err.msg : "best.json: the best design does not parse");
                code = CLI_RUN;
            }
            free(js);
        }
        if (code == CLI_OK) fprintf(stderr, "fission: wrote %s/best.json, explored.csv and optimise.json\n", dir);
        /* stopped early: the files hold the search so far, and the exit
         * code says it did not run its course (as a sweep's) */
        if (code == CLI_OK && res.stopped) code = CLI_RUN;
    }
done:
    fsn_opt_result_destroy(&res);
    if (have_g) fsn_csr_destroy(&g);
    free(basejson);
    free(text);
    free(base);
    free(b.sc);
    free(b.d);
    free(b.sets);
    free(b.own);
    free(b.money);
out:
    free(lv);
    free(cnames);
    free(o.sets);
    return code;
}
