/*
 * cli/compare_cmd.c: fission compare RUN_DIR|SCENARIO.
 *
 * A folder is a finished run (its summary.json is read); a file is a
 * scenario, run first (with the run options) into --out or
 * runs/<name>. The table goes to stdout; compare.csv and compare.json go
 * next to the run's other files. With --strict the exit code is 1 if any
 * simulated figure is out of tolerance or was not measured.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "fission/compare.h"

#define DEFAULT_REFERENCE "scenarios/reference/article-2023.json"

static void cell(char *buf, size_t n, double x, const char *unit) {
    if (!isfinite(x)) snprintf(buf, n, "-");
    else if (!strcmp(unit, "share")) snprintf(buf, n, "%.1f%%", 100 * x);
    else snprintf(buf, n, "%.1f", x);
}

void cli_print_compare(const fsn_compare_row_t *rows, size_t n, const size_t counts[4]) {
    printf("\n  %-34s %9s %9s  %-19s %8s %7s  %s\n", "figure", "article", "simulated", "95% interval", "dev", "z", "");
    for (size_t i = 0; i < n; i++) {
        const fsn_compare_row_t *r = &rows[i];
        const fsn_figure_t *f = r->fig;
        if (r->status == FSN_CMP_NOT_SIMULATED) continue;
        char a[24], m[24], lo[24], hi[24], d[24], ci[64];
        cell(a, sizeof a, f->value, f->unit);
        cell(m, sizeof m, r->mean, f->unit);
        cell(lo, sizeof lo, r->ci_lo, f->unit);
        cell(hi, sizeof hi, r->ci_hi, f->unit);
        if (isfinite(r->dev)) {
            if (!strcmp(f->unit, "share")) snprintf(d, sizeof d, "%+.1f pt", 100 * r->dev);
            else snprintf(d, sizeof d, "%+.1f", r->dev);
        } else {
            snprintf(d, sizeof d, "-");
        }
        snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
        printf("  %-34s %9s %9s  %-19s %8s %7.1f  %s\n", f->id, a, m, ci, d, r->z,
               r->status == FSN_CMP_WITHIN ? "within" : r->status == FSN_CMP_OUT ? "OUT" : "not measured");
    }
    printf("\n%zu figures within tolerance, %zu out, %zu not measured; %zu not simulated (reasons in compare.json)\n",
           counts[FSN_CMP_WITHIN], counts[FSN_CMP_OUT], counts[FSN_CMP_MISSING], counts[FSN_CMP_NOT_SIMULATED]);
}

int cli_compare(int argc, char **argv) {
    const char *target = NULL, *refpath = DEFAULT_REFERENCE;
    int strict = 0;
    cli_run_opts_t o = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--strict")) {
            strict = 1;
            continue;
        }
        if (!strcmp(a, "--reference")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "fission: compare: --reference needs a file\n");
                free(o.sets);
                return CLI_USAGE;
            }
            refpath = argv[++i];
            continue;
        }
        if (a[0] == '-' && a[1]) {
            int r = cli_run_opt(&o, argc, argv, &i, "compare");
            if (r <= 0) {
                if (r == 0) fprintf(stderr, "fission: compare: unknown option '%s'\n", a);
                free(o.sets);
                return CLI_USAGE;
            }
            continue;
        }
        if (target) {
            fprintf(stderr, "fission: compare: one run folder or scenario file, got '%s' and '%s'\n", target, a);
            free(o.sets);
            return CLI_USAGE;
        }
        target = a;
    }
    if (!target) {
        fprintf(stderr, "fission: compare: expected a run folder or a scenario file\n");
        free(o.sets);
        return CLI_USAGE;
    }
    fsn_error_t err = {0};
    fsn_reference_t ref;
    if (fsn_reference_load(&ref, refpath, &err)) {
        fprintf(stderr, "fission: %s%s\n", err.msg,
                strcmp(refpath, DEFAULT_REFERENCE) ? "" : " (run from the repository's top folder, or give --reference)");
        free(o.sets);
        return CLI_USAGE;
    }
    fsn_metric_stats_t st = {0};
    char dir[FSN_SCENARIO_PATH_MAX + 64];
    int code = CLI_OK;
    struct stat sb;
    if (stat(target, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        if (o.nsets || o.reps || o.have_seed || o.threads || o.trace) {
            fprintf(stderr, "fission: compare: run options do not apply to a finished run folder\n");
            code = CLI_USAGE;
        } else {
            snprintf(dir, sizeof dir, "%s", o.out ? o.out : target);
            char path[FSN_SCENARIO_PATH_MAX + 80];
            snprintf(path, sizeof path, "%s/summary.json", target);
            if (fsn_metric_stats_from_summary(path, &st, &err)) {
                fprintf(stderr, "fission: %s\n", err.msg);
                code = CLI_USAGE;
            } else {
                printf("fission: %s against %s\n", path, refpath);
            }
        }
    } else {
        fsn_scenario_t *sc = malloc(sizeof *sc);
        fsn_diags_t *d = malloc(sizeof *d);
        if (!sc || !d) code = CLI_RUN;
        else if (fsn_scenario_load(sc, target, o.sets, o.nsets, d)) {
            size_t shown = d->count < FSN_DIAG_MAX ? d->count : FSN_DIAG_MAX;
            for (size_t k = 0; k < shown; k++) fprintf(stderr, "%s\n", d->msg[k]);
            code = CLI_USAGE;
        } else {
            if (o.out) snprintf(dir, sizeof dir, "%s", o.out);
            else snprintf(dir, sizeof dir, "runs/%s", sc->name);
            fsn_run_result_t res;
            code = cli_run_scenario(sc, target, target, &o, dir, &res);
            if (code == CLI_OK && fsn_metric_stats_from_result(&res, &st, &err)) {
                fprintf(stderr, "fission: %s\n", err.msg);
                code = CLI_RUN;
            }
            fsn_run_result_destroy(&res);
        }
        free(sc);
        free(d);
    }
    if (code == CLI_OK) {
        fsn_compare_row_t *rows = calloc(ref.n ? ref.n : 1, sizeof *rows);
        size_t counts[4];
        if (!rows) {
            code = CLI_RUN;
        } else {
            fsn_compare(&ref, &st, rows, counts);
            cli_print_compare(rows, ref.n, counts);
            if (fsn_compare_write(dir, rows, ref.n, &err)) {
                fprintf(stderr, "fission: %s\n", err.msg);
                code = CLI_RUN;
            } else if (!o.quiet) {
                fprintf(stderr, "fission: wrote %s/compare.csv and compare.json\n", dir);
            }
            if (code == CLI_OK && strict && (counts[FSN_CMP_OUT] || counts[FSN_CMP_MISSING])) {
                fprintf(stderr, "fission: compare --strict: %zu figures out of tolerance, %zu not measured\n",
                        counts[FSN_CMP_OUT], counts[FSN_CMP_MISSING]);
                code = CLI_RUN;
            }
            free(rows);
        }
    }
    fsn_metric_stats_destroy(&st);
    fsn_reference_destroy(&ref);
    free(o.sets);
    return code;
}
