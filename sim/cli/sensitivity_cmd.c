/*
 * cli/sensitivity_cmd.c: fission sensitivity DIR.
 *
 * Reads the store a sweep left in DIR/sweep.db (store.h), takes each
 * point's mean of a metric over its replicates as the model's output
 * there, and estimates the indices its design supports: Sobol S1 and ST
 * for a Saltelli design, Morris mu*, mu and sigma for a Morris design
 * (sensitivity.h). A table per metric goes to stdout; DIR/sensitivity.csv
 * (or --out) gets one row per (metric, parameter, index), in the fixed
 * columns metric,parameter,method,index,value,ci_lo,ci_hi that the plots
 * read. Any other design is refused with exit 2, saying which ones
 * support the analysis.
 *
 * The bootstrap seed is the sweep's base seed unless --seed is given, so
 * the same store gives the same file, byte for byte. A metric that
 * cannot be analysed (every point failed, or the metric is not defined
 * on too many of them) is reported and its rows have empty values, so the
 * file always holds a row per (metric, parameter, index); the command
 * fails (exit 1) only if no metric could be analysed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../text.h"
#include "cli.h"
#include "fission/output.h"
#include "fission/sensitivity.h"
#include "fission/store.h"

#define NAME_CAP 256

typedef struct sens_opts {
    const char *dir, *out;
    const char **metrics;
    size_t nmetrics;
    size_t boot;
    double level;
    uint64_t seed;
    int have_seed, per_unit;
} sens_opts_t;

static int usage_error(const char *msg, const char *arg) {
    fprintf(stderr, "fission: sensitivity: ");
    fprintf(stderr, msg, arg);
    fprintf(stderr, "\n(see `fission help sensitivity`)\n");
    return CLI_USAGE;
}

static int parse_opts(int argc, char **argv, sens_opts_t *o) {
    o->boot = 1000;
    o->level = 0.95;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            if (o->dir) return usage_error("one sweep folder expected, got a second: '%s'", a);
            o->dir = a;
            continue;
        }
        if (!strcmp(a, "--per-unit")) {
            o->per_unit = 1;
            continue;
        }
        int known = !strcmp(a, "--metric") || !strcmp(a, "--boot") || !strcmp(a, "--level") ||
                    !strcmp(a, "--out") || !strcmp(a, "--seed");
        if (!known) return usage_error("unknown option '%s'", a);
        if (i + 1 >= argc) return usage_error("%s needs a value", a);
        const char *v = argv[++i];
        char *end = NULL;
        errno = 0;
        if (!strcmp(a, "--metric")) {
            o->metrics[o->nmetrics++] = v;
        } else if (!strcmp(a, "--out")) {
            o->out = v;
        } else if (!strcmp(a, "--boot")) {
            unsigned long long b = strtoull(v, &end, 10);
            if (errno || end == v || *end || v[0] == '-' || b > 1000000)
                return usage_error("--boot expects a number of resamples from 0 to 1000000, got '%s'", v);
            o->boot = (size_t)b;
        } else if (!strcmp(a, "--seed")) {
            unsigned long long s = strtoull(v, &end, 10);
            if (errno || end == v || *end || v[0] == '-')
                return usage_error("--seed expects a non-negative integer, got '%s'", v);
            o->seed = s;
            o->have_seed = 1;
        } else {
            double l = strtod(v, &end);
            if (errno || end == v || *end || !(l > 0 && l < 1))
                return usage_error("--level expects a number between 0 and 1 (e.g. 0.95), got '%s'", v);
            o->level = l;
        }
    }
    if (!o->dir) return usage_error("%s", "expected a sweep folder (made by `fission sweep`)");
    return CLI_OK;
}

/* "-" for a non-finite number, else %.3f. */
static const char *num3(char *buf, size_t n, double x) {
    if (isfinite(x)) snprintf(buf, n, "%.3f", x);
    else snprintf(buf, n, "-");
    return buf;
}

static const char *interval(char *buf, size_t n, double lo, double hi) {
    char a[32], b[32];
    if (!isfinite(lo) && !isfinite(hi)) snprintf(buf, n, "%s", "");
    else snprintf(buf, n, "[%s, %s]", num3(a, sizeof a, lo), num3(b, sizeof b, hi));
    return buf;
}

/* Print line without its trailing spaces, then a newline. */
static void puts_trimmed(char *line) {
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == ' ') line[--n] = 0;
    puts(line);
}

static void csv_row(fsn_tb_t *tb, const char *metric, const char *param, const char *method,
                    const char *index, double v, double lo, double hi) {
    fsn_tb_csv_str(tb, metric);
    fsn_tb_printf(tb, ",");
    fsn_tb_csv_str(tb, param);
    fsn_tb_printf(tb, ",%s,%s,", method, index);
    fsn_tb_num(tb, v, "");
    fsn_tb_printf(tb, ",");
    fsn_tb_num(tb, lo, "");
    fsn_tb_printf(tb, ",");
    fsn_tb_num(tb, hi, "");
    fsn_tb_printf(tb, "\n");
}

/* Everything read from the store and the buffers of the analysis. */
typedef struct sens_ctx {
    fsn_store_info_t info;
    int morris;
    char (*axis)[NAME_CAP];
    double *range; /* hi - lo per axis */
    double *u, *y;
    fsn_sobol_index_t *sob;
    fsn_morris_index_t *mor;
} sens_ctx_t;

static void ctx_free(sens_ctx_t *c) {
    free(c->axis);
    free(c->range);
    free(c->u);
    free(c->y);
    free(c->sob);
    free(c->mor);
}

/* The rows of a metric that could not be analysed: empty values, so the
 * file always has a row per (metric, parameter, index). */
static void empty_rows(fsn_tb_t *tb, const sens_ctx_t *c, const char *metric) {
    static const char *const sob[] = {"S1", "ST"}, *const mor[] = {"mu_star", "mu", "sigma"};
    for (size_t i = 0; i < c->info.naxes; i++)
        for (size_t j = 0; j < (c->morris ? 3u : 2u); j++)
            csv_row(tb, metric, c->axis[i], c->morris ? "morris" : "sobol", c->morris ? mor[j] : sob[j], NAN, NAN, NAN);
}

/* Analyse one metric: table to stdout, rows into tb. 0 done, 1 skipped. */
static int analyse(fsn_store_t *st, sens_ctx_t *c, const sens_opts_t *o, const char *metric,
                   const fsn_boot_opts_t *bo, fsn_tb_t *tb) {
    fsn_error_t err = {0};
    const size_t k = c->info.naxes, n = c->info.size;
    if (fsn_store_point_means(st, metric, c->y, &err)) {
        fprintf(stderr, "fission: sensitivity: %s\n", err.msg);
        empty_rows(tb, c, metric);
        return 1;
    }
    size_t used = 0;
    char ci1[80], ci2[80], ci3[80], a[32], b[32], d[32], line[NAME_CAP + 256];
    int pct = (int)lround(o->level * 100);
    if (!c->morris) {
        if (fsn_sobol_indices(n, k, c->y, bo, c->sob, &used, &err)) {
            fprintf(stderr, "fission: sensitivity: metric %s skipped: %s\n", metric, err.msg);
            empty_rows(tb, c, metric);
            return 1;
        }
        printf("\n%s: Sobol indices, %zu of %zu base rows", metric, used, n);
        if (bo->boot) printf(", %d%% bootstrap intervals (%zu resamples)", pct, bo->boot);
        printf("\n");
        if (!isfinite(c->sob[0].S1)) printf("  (the metric does not vary over the sweep: no indices)\n");
        printf("  %-36s %7s %-18s %7s\n", "parameter", "S1", "", "ST");
        for (size_t i = 0; i < k; i++) {
            const fsn_sobol_index_t *s = &c->sob[i];
            snprintf(line, sizeof line, "  %-36s %7s %-18s %7s %s", c->axis[i], num3(a, sizeof a, s->S1),
                     interval(ci1, sizeof ci1, s->S1_lo, s->S1_hi), num3(b, sizeof b, s->ST),
                     interval(ci2, sizeof ci2, s->ST_lo, s->ST_hi));
            puts_trimmed(line);
            csv_row(tb, metric, c->axis[i], "sobol", "S1", s->S1, s->S1_lo, s->S1_hi);
            csv_row(tb, metric, c->axis[i], "sobol", "ST", s->ST, s->ST_lo, s->ST_hi);
        }
    } else {
        const double *scale = o->per_unit ? c->range : NULL;
        if (fsn_morris_indices(n, k, c->info.levels, c->u, c->y, scale, bo, c->mor, &used, &err)) {
            fprintf(stderr, "fission: sensitivity: metric %s skipped: %s\n", metric, err.msg);
            empty_rows(tb, c, metric);
            return 1;
        }
        printf("\n%s: Morris elementary effects (%s), %zu of %zu trajectories", metric,
               o->per_unit ? "per unit of each parameter" : "per step over the parameter's range", used, n);
        if (bo->boot) printf(", %d%% bootstrap intervals (%zu resamples)", pct, bo->boot);
        printf("\n  %-36s %9s %-20s %9s %-20s %9s\n", "parameter", "mu*", "", "mu", "", "sigma");
        for (size_t i = 0; i < k; i++) {
            const fsn_morris_index_t *m = &c->mor[i];
            snprintf(line, sizeof line, "  %-36s %9s %-20s %9s %-20s %9s %s", c->axis[i],
                     num3(a, sizeof a, m->mu_star), interval(ci1, sizeof ci1, m->mu_star_lo, m->mu_star_hi),
                     num3(b, sizeof b, m->mu), interval(ci2, sizeof ci2, m->mu_lo, m->mu_hi),
                     num3(d, sizeof d, m->sigma), interval(ci3, sizeof ci3, m->sigma_lo, m->sigma_hi));
            puts_trimmed(line);
            csv_row(tb, metric, c->axis[i], "morris", "mu_star", m->mu_star, m->mu_star_lo, m->mu_star_hi);
            csv_row(tb, metric, c->axis[i], "morris", "mu", m->mu, m->mu_lo, m->mu_hi);
            csv_row(tb, metric, c->axis[i], "morris", "sigma", m->sigma, m->sigma_lo, m->sigma_hi);
        }
    }
    return 0;
}

/* Read the store's shape, axes and points; check the design. */
static int load(fsn_store_t *st, const char *path, const sens_opts_t *o, sens_ctx_t *c) {
    fsn_error_t err = {0};
    if (fsn_store_info(st, &c->info, &err)) {
        fprintf(stderr, "fission: sensitivity: %s\n", err.msg);
        return CLI_RUN;
    }
    const fsn_store_info_t *in = &c->info;
    if (!strcmp(in->design, "morris")) c->morris = 1;
    else if (strcmp(in->design, "saltelli")) {
        fprintf(stderr,
                "fission: sensitivity: %s holds a sweep with design '%s'; sensitivity indices need "
                "design \"saltelli\" (Sobol indices) or \"morris\" (elementary effects): see "
                "docs/SENSITIVITY.md\n",
                path, in->design);
        return CLI_USAGE;
    }
    const size_t k = in->naxes, n = in->size;
    size_t want = k == 0 || n == 0 ? 0 : c->morris ? fsn_morris_points(n, k) : fsn_saltelli_points(n, k);
    if (want == 0 || want != in->npoints || (!c->morris && k > FSN_SALTELLI_MAX_FACTORS)) {
        fprintf(stderr,
                "fission: sensitivity: %s: a %s design of size %zu over %zu axes should have %zu "
                "points, the store has %zu\n",
                path, in->design, n, k, want, in->npoints);
        return CLI_USAGE;
    }
    if (c->morris && (in->levels < 2 || in->levels % 2)) {
        fprintf(stderr, "fission: sensitivity: %s: a morris design needs an even number of levels >= 2, the store says %u\n",
                path, in->levels);
        return CLI_USAGE;
    }
    c->axis = calloc(k, sizeof *c->axis);
    c->range = malloc(k * sizeof *c->range);
    c->u = malloc(in->npoints * k * sizeof *c->u);
    c->y = malloc(in->npoints * sizeof *c->y);
    c->sob = malloc(k * sizeof *c->sob);
    c->mor = malloc(k * sizeof *c->mor);
    if (!c->axis || !c->range || !c->u || !c->y || !c->sob || !c->mor) {
        fprintf(stderr, "fission: sensitivity: out of memory\n");
        return CLI_RUN;
    }
    for (size_t i = 0; i < k; i++) {
        double lo = NAN, hi = NAN;
        if (fsn_store_axis(st, i, c->axis[i], NAME_CAP, &lo, &hi, &err)) {
            fprintf(stderr, "fission: sensitivity: %s\n", err.msg);
            return CLI_RUN;
        }
        c->range[i] = hi - lo;
        if (o->per_unit && c->morris && !(isfinite(c->range[i]) && c->range[i] > 0)) {
            fprintf(stderr,
                    "fission: sensitivity: --per-unit needs a numeric range on every axis; axis %s has "
                    "none (lo %g, hi %g)\n",
                    c->axis[i], lo, hi);
            return CLI_USAGE;
        }
    }
    if (fsn_store_point_units(st, c->u, &err)) {
        fprintf(stderr, "fission: sensitivity: %s\n", err.msg);
        return CLI_RUN;
    }
    if (!c->morris) {
        /* The estimators pair rows by position: the points must be the
         * Saltelli design's, in its order. */
        double *ref = malloc(in->npoints * k * sizeof *ref);
        if (!ref) {
            fprintf(stderr, "fission: sensitivity: out of memory\n");
            return CLI_RUN;
        }
        if (fsn_saltelli_design(n, k, ref, &err)) {
            free(ref);
            fprintf(stderr, "fission: sensitivity: %s\n", err.msg);
            return CLI_USAGE;
        }
        for (size_t q = 0; q < in->npoints * k; q++)
            if (!(fabs(ref[q] - c->u[q]) <= 1e-12)) {
                fprintf(stderr,
                        "fission: sensitivity: %s: point %zu is not the Saltelli design's (axis %s: unit "
                        "coordinate %g, expected %g)\n",
                        path, q / k, c->axis[q % k], c->u[q], ref[q]);
                free(ref);
                return CLI_USAGE;
            }
        free(ref);
    }
    return CLI_OK;
}

int cli_sensitivity(int argc, char **argv) {
    sens_opts_t o = {0};
    o.metrics = calloc((size_t)argc + 1, sizeof *o.metrics);
    if (!o.metrics) return fprintf(stderr, "fission: sensitivity: out of memory\n"), CLI_RUN;
    int rc = parse_opts(argc, argv, &o);
    if (rc) {
        free(o.metrics);
        return rc;
    }
    char path[4096], out[4096];
    struct stat sb;
    if (stat(o.dir, &sb) || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "fission: sensitivity: %s: %s (expected the folder of a sweep)\n", o.dir,
                stat(o.dir, &sb) ? strerror(errno) : "not a folder");
        free(o.metrics);
        return CLI_USAGE;
    }
    snprintf(path, sizeof path, "%s/sweep.db", o.dir);
    if (stat(path, &sb)) {
        fprintf(stderr, "fission: sensitivity: %s: no sweep store there (%s); run `fission sweep` first\n",
                path, strerror(errno));
        free(o.metrics);
        return CLI_USAGE;
    }
    if (o.out) snprintf(out, sizeof out, "%s", o.out);
    else snprintf(out, sizeof out, "%s/sensitivity.csv", o.dir);

    fsn_error_t err = {0};
    fsn_store_t *st = NULL;
    fsn_err_t e = fsn_store_open_readonly(path, &st, &err);
    if (e) {
        fprintf(stderr, "fission: sensitivity: %s\n", err.msg);
        free(o.metrics);
        return e == FSN_ENOMEM ? CLI_RUN : CLI_USAGE;
    }
    sens_ctx_t c = {0};
    fsn_tb_t tb = {0};
    char name[NAME_CAP];
    rc = load(st, path, &o, &c);
    if (!rc && o.nmetrics == 0 && c.info.nmetrics == 0) {
        fprintf(stderr, "fission: sensitivity: %s keeps no metrics\n", path);
        rc = CLI_USAGE;
    }
    /* Every --metric must be a kept one, before any work. */
    for (size_t m = 0; !rc && m < o.nmetrics; m++) {
        size_t j = 0;
        for (; j < c.info.nmetrics; j++) {
            if (fsn_store_metric_name(st, j, name, sizeof name, &err)) break;
            if (!strcmp(name, o.metrics[m])) break;
        }
        if (j == c.info.nmetrics) {
            fprintf(stderr, "fission: sensitivity: --metric %s: not a metric kept in %s (kept:", o.metrics[m], path);
            for (size_t q = 0; q < c.info.nmetrics; q++)
                if (!fsn_store_metric_name(st, q, name, sizeof name, &err)) fprintf(stderr, " %s", name);
            fprintf(stderr, ")\n");
            rc = CLI_USAGE;
        }
    }
    if (!rc) {
        fsn_boot_opts_t bo = {.boot = o.boot, .level = o.level, .seed = o.have_seed ? o.seed : c.info.seed};
        fsn_tb_printf(&tb, "metric,parameter,method,index,value,ci_lo,ci_hi\n");
        size_t total = o.nmetrics ? o.nmetrics : c.info.nmetrics, done = 0;
        printf("%s: %s design, size %zu, %zu parameters, %zu points, %u replicate%s per point\n", path,
               c.info.design, c.info.size, c.info.naxes, c.info.npoints, (unsigned)c.info.reps,
               c.info.reps == 1 ? "" : "s");
        for (size_t m = 0; m < total && !rc; m++) {
            const char *metric = o.nmetrics ? o.metrics[m] : NULL;
            if (!metric) {
                if (fsn_store_metric_name(st, m, name, sizeof name, &err)) {
                    fprintf(stderr, "fission: sensitivity: %s\n", err.msg);
                    rc = CLI_RUN;
                    break;
                }
                metric = name;
            }
            if (analyse(st, &c, &o, metric, &bo, &tb) == 0) done++;
        }
        if (!rc && tb.fail) {
            fprintf(stderr, "fission: sensitivity: out of memory\n");
            rc = CLI_RUN;
        }
        if (!rc && done == 0) {
            fprintf(stderr, "fission: sensitivity: no metric could be analysed\n");
            rc = CLI_RUN;
        }
        if (!rc && (e = fsn_write_atomic(out, tb.s, tb.len, &err))) {
            fprintf(stderr, "fission: sensitivity: %s\n", err.msg);
            rc = e == FSN_EIO ? CLI_USAGE : CLI_RUN;
        }
        if (!rc) printf("\nwrote %s (%zu of %zu metrics)\n", out, done, total);
    }
    free(tb.s);
    ctx_free(&c);
    fsn_store_close(st);
    free(o.metrics);
    return rc;
}
