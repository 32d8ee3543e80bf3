/*
 * cli/calibrate_cmd.c: fission calibrate SCENARIO --free PATH=LO:HI...
 *
 * Fits the free parameters to the reference (calibrate.h), printing each
 * evaluation on stderr, then the fitted values and every figure's
 * residual at the best point (the comparison table), and writes the
 * calibrated scenario: the base scenario with the fitted values, as
 * normalised JSON, ready to run.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fission/calibrate.h"
#include "fission/output.h"

typedef struct pctx {
    const fsn_free_param_t *fp;
    int quiet;
} pctx_t;

static void progress(void *ctx, size_t eval, double j, double best, const double *p, size_t n) {
    pctx_t *c = ctx;
    if (c->quiet) return;
    fprintf(stderr, "eval %4zu  J %12.4g  best %12.4g ", eval, j, best);
    for (size_t i = 0; i < n; i++) fprintf(stderr, " %s=%.4g", c->fp[i].path, p[i]);
    fputc('\n', stderr);
}

int cli_calibrate(int argc, char **argv) {
    const char *file = NULL, *refpath = "scenarios/reference/article-2023.json", *outfile = NULL, *only = NULL;
    fsn_free_param_t fp[64];
    size_t nfree = 0;
    fsn_calib_cfg_t cc;
    fsn_calib_cfg_default(&cc);
    cli_run_opts_t o = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--free") || !strcmp(a, "--reference") || !strcmp(a, "--max-evals") || !strcmp(a, "--only") ||
            !strcmp(a, "--hinge")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "fission: calibrate: %s needs a value\n", a);
                free(o.sets);
                return CLI_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--reference")) refpath = v;
            else if (!strcmp(a, "--only")) only = v;
            else if (!strcmp(a, "--hinge")) {
                char *end;
                double h = strtod(v, &end);
                if (end == v || *end || !(h >= 0) || !(h <= 1e6)) {
                    fprintf(stderr, "fission: calibrate: --hinge: expected a weight in [0, 1e6], got '%s'\n", v);
                    free(o.sets);
                    return CLI_USAGE;
                }
                cc.hinge = h;
            } else if (!strcmp(a, "--max-evals")) {
                char *end;
                long k = strtol(v, &end, 10);
                if (*end || k < 1 || k > 1000000) {
                    fprintf(stderr, "fission: calibrate: --max-evals: expected a positive integer, got '%s'\n", v);
                    free(o.sets);
                    return CLI_USAGE;
                }
                cc.max_evals = (size_t)k;
            } else {
                if (nfree == 64) {
                    fprintf(stderr, "fission: calibrate: at most 64 free parameters\n");
                    free(o.sets);
                    return CLI_USAGE;
                }
                fsn_free_param_t *p = &fp[nfree];
                memset(p, 0, sizeof *p);
                const char *eq = strchr(v, '=');
                char lo[64], hi[64];
                if (!eq || (size_t)(eq - v) >= sizeof p->path || sscanf(eq + 1, "%63[^:]:%63s", lo, hi) != 2) {
                    fprintf(stderr, "fission: calibrate: --free: expected PATH=LO:HI, got '%s'\n", v);
                    free(o.sets);
                    return CLI_USAGE;
                }
                memcpy(p->path, v, (size_t)(eq - v));
                char *e1, *e2;
                p->lo = strtod(lo, &e1);
                p->hi = strtod(hi, &e2);
                if (*e1 || *e2 || !(p->lo < p->hi)) {
                    fprintf(stderr, "fission: calibrate: --free %s: expected numbers LO < HI, got '%s'\n", p->path, eq + 1);
                    free(o.sets);
                    return CLI_USAGE;
                }
                p->start = NAN;
                nfree++;
            }
            continue;
        }
        if (a[0] == '-' && a[1]) {
            int r = cli_run_opt(&o, argc, argv, &i, "calibrate");
            if (r <= 0) {
                if (r == 0) fprintf(stderr, "fission: calibrate: unknown option '%s'\n", a);
                free(o.sets);
                return CLI_USAGE;
            }
            continue;
        }
        if (file) {
            fprintf(stderr, "fission: calibrate: one scenario file, got '%s' and '%s'\n", file, a);
            free(o.sets);
            return CLI_USAGE;
        }
        file = a;
    }
    if (!file || nfree == 0) {
        fprintf(stderr, "fission: calibrate: expected a scenario file and at least one --free PATH=LO:HI\n");
        free(o.sets);
        return CLI_USAGE;
    }
    outfile = o.out;
    if (o.reps) cc.reps = o.reps < 2 ? 2 : o.reps;
    if (o.have_seed) cc.seed = o.seed;
    cc.threads = o.threads;
    int code = CLI_OK;
    fsn_error_t err = {0};
    fsn_reference_t ref = {0};
    size_t len = 0;
    char *text = cli_slurp(file, &len);
    fsn_scenario_t *sc = malloc(sizeof *sc);
    fsn_diags_t *d = malloc(sizeof *d);
    fsn_csr_t g = {0};
    int have_g = 0;
    fsn_calib_result_t res = {0};
    if (!text) {
        fprintf(stderr, "fission: %s: cannot read: %s\n", file, strerror(errno));
        code = CLI_USAGE;
        goto done;
    }
    if (!sc || !d) {
        code = CLI_RUN;
        goto done;
    }
    if (fsn_reference_load(&ref, refpath, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = CLI_USAGE;
        goto done;
    }
    if (only) {
        /* keep the figures of the tables named (prefixes of "table":
         * "T1,T5" keeps T1, T1 text, T5, T5 text) */
        size_t kept = 0;
        for (size_t i = 0; i < ref.n; i++) {
            int keep = 0;
            char list[256];
            snprintf(list, sizeof list, "%s", only);
            char *save = NULL;
            for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
                keep |= !strncmp(ref.fig[i].table, t, strlen(t));
            if (keep) ref.fig[kept++] = ref.fig[i];
        }
        ref.n = kept;
        if (kept == 0) {
            fprintf(stderr, "fission: calibrate: --only %s keeps no figure\n", only);
            code = CLI_USAGE;
            goto done;
        }
    }
    char dir[FSN_SCENARIO_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    else snprintf(dir, sizeof dir, ".");
    if (fsn_scenario_parse(sc, text, len, file, dir, o.sets, o.nsets, d)) {
        for (size_t k = 0; k < d->count && k < FSN_DIAG_MAX; k++) fprintf(stderr, "%s\n", d->msg[k]);
        code = CLI_USAGE;
        goto done;
    }
    if (fsn_scenario_graph(sc, &g, &err)) {
        fprintf(stderr, "fission: %s: graph: %s\n", file, err.msg);
        code = CLI_USAGE;
        goto done;
    }
    have_g = 1;
    printf("fission calibrate: %s against %s; %zu free parameters, %u replicates per evaluation (seed %llu, the "
           "same for every evaluation), at most %zu evaluations\n",
           file, refpath, nfree, cc.reps, (unsigned long long)cc.seed, cc.max_evals);
    fflush(stdout);
    pctx_t pc = {fp, o.quiet};
    /* Ctrl-C or SIGTERM ends the search after the running evaluation; the
     * best point so far is reported and written as usual */
    cli_signals_t sigs;
    cc.stop = cli_stop_catch(&sigs);
    fsn_err_t rc = fsn_calibrate(text, len, file, dir, o.sets, o.nsets, &g, &ref, fp, nfree, &cc, progress, &pc, &res, &err);
    cli_stop_release(&sigs);
    if (rc) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = rc == FSN_EINVAL ? CLI_USAGE : CLI_RUN;
        goto done;
    }
    printf("\nbest J = %.6g after %zu evaluations%s (J counts squared deviations in tolerances)\n", res.objective,
           res.evals, res.stopped ? ", stopped by a signal" : "");
    for (size_t i = 0; i < nfree; i++) printf("  %-50s %.6g   (range %g to %g)\n", fp[i].path, res.params[i], fp[i].lo, fp[i].hi);
    /* the residuals at the best point, on the same replicates */
    {
        fsn_run_cfg_t rcfg;
        fsn_run_cfg_default(&rcfg);
        rcfg.reps = cc.reps;
        rcfg.seed = cc.seed;
        rcfg.threads = cc.threads;
        fsn_run_result_t rr;
        fsn_metric_stats_t st;
        if (!fsn_run_campaigns(&g, &res.scenario->users, &res.scenario->behaviour, res.scenario->campaigns,
                               res.scenario->ncampaigns, &rcfg, 0, &rr, &err)) {
            if (!fsn_metric_stats_from_result(&rr, &st, &err)) {
                fsn_compare_row_t *rows = calloc(ref.n ? ref.n : 1, sizeof *rows);
                size_t counts[4];
                if (rows) {
                    fsn_compare(&ref, &st, rows, counts);
                    cli_print_compare(rows, ref.n, counts);
                    free(rows);
                }
                fsn_metric_stats_destroy(&st);
            }
            fsn_run_result_destroy(&rr);
        }
    }
    char *json = fsn_scenario_to_json(res.scenario);
    char path[FSN_SCENARIO_PATH_MAX + 64];
    if (outfile) snprintf(path, sizeof path, "%s", outfile);
    else snprintf(path, sizeof path, "runs/%s/calibrated.json", res.scenario->name);
    char pdir[FSN_SCENARIO_PATH_MAX + 64];
    snprintf(pdir, sizeof pdir, "%s", path);
    char *ps = strrchr(pdir, '/');
    if (ps) *ps = 0;
    if (!json || (ps && fsn_output_dir(pdir, &err)) || fsn_write_atomic(path, json, strlen(json), &err)) {
        fprintf(stderr, "fission: %s\n", json ? err.msg : "out of memory");
        code = CLI_RUN;
    } else {
        fprintf(stderr, "fission: wrote the calibrated scenario to %s\n", path);
        /* stopped early: the file holds the best point so far, and the
         * exit code says the search did not run its course (as a sweep's) */
        if (res.stopped) code = CLI_RUN;
    }
    free(json);
done:
    fsn_calib_result_destroy(&res);
    if (have_g) fsn_csr_destroy(&g);
    fsn_reference_destroy(&ref);
    free(text);
    free(sc);
    free(d);
    free(o.sets);
    return code;
}
