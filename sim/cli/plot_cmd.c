/*
 * cli/plot_cmd.c: fission plot RUN_DIR|SWEEP_DIR.
 *
 * The pictures are drawn by gnuplot, from scripts in plots/ (one .gp per figure kind) that a
 * user can read and restyle; this file only prepares what they read. It
 * turns a run's files (compare.csv, summary.json, replicates.csv,
 * timeseries.csv, cascades.csv, groups.csv) or a sweep's (points.csv,
 * sensitivity.csv) into small CSV tables shaped for one figure each,
 * writes them into the plots folder (RUN_DIR/plots by default, or
 * --out), runs gnuplot on each script and prints where every figure
 * went. docs/PLOTS.md describes each figure and each table.
 *
 * Why the preparation is here and not in gnuplot: the statistics
 * (intervals over replicates, CCDFs, ECDFs, grid cells, main effects)
 * are easier to get right, and to test, in C; the scripts then stay
 * declarative: axes, labels, colours.
 *
 * gnuplot runs as a child process through posix_spawnp with an argument
 * vector (`gnuplot -c SCRIPT ARG1 ...`): no shell ever sees a path, so a
 * folder named with spaces or quotes is just a folder. The scripts
 * folder is FISSION_PLOTS_DIR if set, else found next to the
 * executable: <exe dir>/../plots (the build tree), <exe dir>/plots, or
 * <exe dir>/../share/fission/plots (an installed layout).
 *
 * A figure whose data is absent is skipped with a one-line note; bad
 * usage, a missing folder or a missing gnuplot are exit code 2; a
 * figure gnuplot failed to draw makes the exit code 1.
 *
 * This file holds the command, the plotting context every figure goes
 * through (plot.h: open a table or note its absence, write a figure's
 * table and draw it, count what was drawn, skipped or bad) and the five
 * figures of a run: the article against the simulation, the campaign
 * funnels, the counts over time, the cascade sizes and the group fill
 * times. plot_csv.c reads and writes the CSV tables; plot_points.c
 * draws a sweep's figures.
 */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "fission/compare.h"
#include "fission/output.h"
#include "fission/stats.h"
#include "plot.h"

extern char **environ;

#define DEFAULT_REFERENCE "scenarios/reference/article-2023.json"

/* ------------------------------------------------------------------ */
/* The plotting context                                               */
/* ------------------------------------------------------------------ */

void plot_note(plot_ctx_t *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fission plot: skipped ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    p->skipped++;
}

void plot_bad(plot_ctx_t *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fission plot: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    p->bad++;
}

void plot_oom(plot_ctx_t *p, const char *path) {
    fprintf(stderr, "fission plot: %s: out of memory\n", path);
    p->failed++;
}

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void in_src(const plot_ctx_t *p, char *path, size_t n, const char *name) {
    snprintf(path, n, "%s/%s", p->src, name);
}

int plot_read_table(plot_ctx_t *p, csv_t *t, const char *path, const char *absent) {
    char why[PLOT_PATH_LEN + 256];
    int r = csv_read(t, path, why, sizeof why);
    if (r < 0) plot_bad(p, "%s", why);
    else if (r == 0 && absent) plot_note(p, "%s", absent);
    return r > 0;
}

int plot_open_table(plot_ctx_t *p, csv_t *t, char *path, size_t n, const char *name, const char *absent) {
    in_src(p, path, n, name);
    return plot_read_table(p, t, path, absent);
}

int plot_metric_wanted(const plot_ctx_t *p, const char *m) {
    if (p->nmetrics == 0) return 1;
    for (size_t i = 0; i < p->nmetrics; i++)
        if (!strcmp(p->metrics[i], m)) return 1;
    return 0;
}

void plot_safe_name(char *dst, size_t n, const char *s) {
    size_t k = 0;
    for (; *s && k + 1 < n; s++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '-' || c == '_';
        dst[k++] = ok ? c : '_';
    }
    dst[k] = 0;
}

static int write_data(plot_ctx_t *p, const char *name, fsn_tb_t *b, char *path, size_t n) {
    snprintf(path, n, "%s/%s", p->out, name);
    fsn_error_t err = {0};
    if (b->fail) {
        plot_oom(p, path);
        return -1;
    }
    if (fsn_write_atomic(path, b->s ? b->s : "", b->len, &err)) {
        fprintf(stderr, "fission plot: %s\n", err.msg);
        p->failed++;
        return -1;
    }
    return 0;
}

/*
 * Run gnuplot -c <scripts>/<script> <scripts> <data> <figure> <fmt>
 * [extra...]; the figure is <out>/<base>.<fmt>. Prints where it went.
 */
static void draw(plot_ctx_t *p, const char *script, const char *data, const char *base, const char *what,
                 int nextra, va_list ap) {
    char spath[PLOT_PATH_LEN + 64], fig[PLOT_PATH_LEN + 256];
    snprintf(spath, sizeof spath, "%s/%s", p->scripts, script);
    snprintf(fig, sizeof fig, "%s/%s.%s", p->out, base, p->fmt);
    char *argv[16];
    int k = 0;
    argv[k++] = (char *)"gnuplot";
    argv[k++] = (char *)"-c";
    argv[k++] = spath;
    argv[k++] = p->scripts;
    argv[k++] = (char *)data;
    argv[k++] = fig;
    argv[k++] = (char *)p->fmt;
    for (int i = 0; i < nextra && k < 15; i++) argv[k++] = va_arg(ap, char *);
    argv[k] = NULL;
    pid_t pid;
    int rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
    if (rc) {
        fprintf(stderr, "fission plot: %s: cannot start gnuplot: %s\n", fig, strerror(rc));
        p->failed++;
        return;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    struct stat st;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(fig, &st) || st.st_size == 0) {
        fprintf(stderr, "fission plot: gnuplot failed on %s (script %s, data %s)\n", fig, spath, data);
        p->failed++;
        return;
    }
    printf("%s  (%s)\n", fig, what);
    p->drawn++;
}

int plot_emit(plot_ctx_t *p, fsn_tb_t *b, const char *base, const char *script, const char *what, int nextra, ...) {
    char name[PLOT_PATH_LEN], data[2 * PLOT_PATH_LEN + 8];
    snprintf(name, sizeof name, "%s.csv", base);
    if (write_data(p, name, b, data, sizeof data)) return -1;
    va_list ap;
    va_start(ap, nextra);
    draw(p, script, data, base, what, nextra, ap);
    va_end(ap);
    return 0;
}

/* Is prog an executable file in a folder of $PATH? */
static int on_path(const char *prog) {
    const char *path = getenv("PATH");
    if (!path || !*path) return 0;
    char dir[PLOT_PATH_LEN];
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n == 0) snprintf(dir, sizeof dir, ".");
        else snprintf(dir, sizeof dir, "%.*s", (int)(n < sizeof dir - 1 ? n : sizeof dir - 1), path);
        char full[PLOT_PATH_LEN + 64];
        snprintf(full, sizeof full, "%s/%s", dir, prog);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) return 1;
        path += n;
        if (*path == ':') path++;
    }
    return 0;
}

/* The folder of this executable ("" if unknown). */
static void exe_dir(char *dir, size_t n) {
    ssize_t k = readlink("/proc/self/exe", dir, n - 1);
    if (k <= 0) {
        dir[0] = 0;
        return;
    }
    dir[k] = 0;
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    else dir[0] = 0;
}

static int find_scripts(plot_ctx_t *p) {
    const char *env = getenv("FISSION_PLOTS_DIR");
    char probe[PLOT_PATH_LEN + 64];
    if (env && *env) {
        snprintf(probe, sizeof probe, "%s/common.gp", env);
        if (!file_exists(probe)) {
            fprintf(stderr, "fission plot: FISSION_PLOTS_DIR=%s holds no common.gp (expected the plots/ folder)\n",
                    env);
            return -1;
        }
        snprintf(p->scripts, sizeof p->scripts, "%s", env);
        return 0;
    }
    char exe[PLOT_PATH_LEN];
    exe_dir(exe, sizeof exe);
    const char *rel[] = {"/../plots", "/plots", "/../share/fission/plots"};
    for (size_t i = 0; exe[0] && i < sizeof rel / sizeof *rel; i++) {
        snprintf(probe, sizeof probe, "%s%s/common.gp", exe, rel[i]);
        if (file_exists(probe)) {
            snprintf(p->scripts, sizeof p->scripts, "%s%s", exe, rel[i]);
            return 0;
        }
    }
    fprintf(stderr,
            "fission plot: cannot find the plot scripts (plots/*.gp) next to the executable (%s); "
            "set FISSION_PLOTS_DIR to the plots/ folder\n",
            exe[0] ? exe : "unknown");
    return -1;
}

/* ------------------------------------------------------------------ */
/* 1. The article against the simulation                              */
/* ------------------------------------------------------------------ */

static double clip_ratio(double r) {
    if (!isfinite(r)) return r;
    if (r < 1.0 / 16) return 1.0 / 16;
    if (r > 16) return 16;
    return r;
}

static void fmt_value(char *dst, size_t n, double x, const char *unit) {
    if (!isfinite(x)) snprintf(dst, n, "-");
    else if (!strcmp(unit, "share")) snprintf(dst, n, "%.1f%%", 100 * x);
    else snprintf(dst, n, "%.3g", x);
}

/* compare.csv of the run; or, if absent and summary.json is there, the
 * comparison made now into the plots folder. Returns 1 with path set,
 * 0 if there is nothing to compare (noted). */
static int compare_csv(plot_ctx_t *p, char *path, size_t n) {
    in_src(p, path, n, "compare.csv");
    if (file_exists(path)) return 1;
    char summary[PLOT_PATH_LEN + 64];
    in_src(p, summary, sizeof summary, "summary.json");
    if (!file_exists(summary)) {
        plot_note(p, "the article against the simulation: no compare.csv or summary.json in %s", p->src);
        return 0;
    }
    char ref[PLOT_PATH_LEN + 128];
    if (p->reference) {
        snprintf(ref, sizeof ref, "%s", p->reference);
    } else {
        snprintf(ref, sizeof ref, "%s", DEFAULT_REFERENCE);
        if (!file_exists(ref)) {
            char exe[PLOT_PATH_LEN];
            exe_dir(exe, sizeof exe);
            snprintf(ref, sizeof ref, "%s/../%s", exe, DEFAULT_REFERENCE);
        }
    }
    fsn_error_t err = {0};
    fsn_reference_t rf;
    if (fsn_reference_load(&rf, ref, &err)) {
        plot_note(p, "the article against the simulation: %s (give --reference FILE)", err.msg);
        return 0;
    }
    fsn_metric_stats_t st = {0};
    int ok = 0;
    if (fsn_metric_stats_from_summary(summary, &st, &err)) {
        plot_bad(p, "%s", err.msg);
    } else {
        fsn_compare_row_t *rows = calloc(rf.n ? rf.n : 1, sizeof *rows);
        if (rows) {
            fsn_compare(&rf, &st, rows, NULL);
            if (fsn_compare_write(p->out, rows, rf.n, &err)) {
                fprintf(stderr, "fission plot: %s\n", err.msg);
                p->failed++;
            } else {
                snprintf(path, n, "%s/compare.csv", p->out);
                printf("%s  (the comparison with %s, made from %s)\n", path, ref, summary);
                ok = 1;
            }
            free(rows);
        }
    }
    fsn_metric_stats_destroy(&st);
    fsn_reference_destroy(&rf);
    return ok;
}

static void fig_compare(plot_ctx_t *p) {
    char path[PLOT_PATH_LEN + 64];
    if (!compare_csv(p, path, sizeof path)) return;
    csv_t t;
    if (!plot_read_table(p, &t, path, "the article against the simulation: no compare.csv")) return;
    const char *need[] = {"figure", "table", "article", "unit", "mean", "ci95_lo", "ci95_hi",
                          "tolerance", "tolerance_kind", "status"};
    long col[10];
    for (int i = 0; i < 10; i++) {
        col[i] = csv_col(&t, need[i]);
        if (col[i] < 0) {
            plot_bad(p, "%s has no column '%s'", path, need[i]);
            csv_free(&t);
            return;
        }
    }
    /* tables in order of first appearance ("T1 text" is T1) */
    char tables[32][16];
    size_t ntab = 0;
    for (size_t i = 1; i < t.nrows; i++) {
        char tb[16];
        const char *tcell = csv_cell(&t, i, (size_t)col[1]);
        snprintf(tb, sizeof tb, "%.*s", (int)strcspn(tcell, " "), tcell);
        size_t k = 0;
        while (k < ntab && strcmp(tables[k], tb)) k++;
        if (k == ntab && ntab < 32) snprintf(tables[ntab++], sizeof tables[0], "%s", tb);
    }
    int any = 0;
    for (size_t k = 0; k < ntab; k++) {
        fsn_tb_t b = {0};
        int rows = 0;
        for (size_t i = 1; i < t.nrows; i++) {
            const char *tb = csv_cell(&t, i, (size_t)col[1]);
            size_t tl = strcspn(tb, " ");
            if (tl != strlen(tables[k]) || strncmp(tb, tables[k], tl)) continue;
            const char *status = csv_cell(&t, i, (size_t)col[9]);
            if (strcmp(status, "within") && strcmp(status, "out")) continue;
            double a = csv_num(csv_cell(&t, i, (size_t)col[2])), m = csv_num(csv_cell(&t, i, (size_t)col[4]));
            double lo = csv_num(csv_cell(&t, i, (size_t)col[5])), hi = csv_num(csv_cell(&t, i, (size_t)col[6]));
            double tol = csv_num(csv_cell(&t, i, (size_t)col[7]));
            const char *kind = csv_cell(&t, i, (size_t)col[8]), *unit = csv_cell(&t, i, (size_t)col[3]);
            if (!isfinite(a) || a == 0 || !isfinite(m)) continue;
            double tlo = a, thi = a;
            if (isfinite(tol)) {
                if (!strcmp(kind, "relative")) tlo = a - tol * fabs(a), thi = a + tol * fabs(a);
                else if (!strcmp(kind, "at_most")) tlo = 0, thi = a + tol;
                else tlo = a - tol, thi = a + tol;
            }
            char av[32], mv[32];
            fmt_value(av, sizeof av, a, unit);
            fmt_value(mv, sizeof mv, m, unit);
            double ra = fabs(a);
            fsn_tb_printf(&b, "%d,", rows);
            plot_text(&b, csv_cell(&t, i, (size_t)col[0]));
            fsn_tb_printf(&b, ",");
            plot_nums(&b, (const double[]){clip_ratio(m / ra), clip_ratio(lo / ra), clip_ratio(hi / ra),
                                           clip_ratio(tlo / ra), clip_ratio(thi / ra)}, 5);
            fsn_tb_printf(&b, ",%d,article %s  sim %s\n", !strcmp(status, "within"), av, mv);
            rows++;
        }
        if (rows == 0) {
            free(b.s);
            continue;
        }
        char name[64], title[128], nrow[16], what[96];
        snprintf(name, sizeof name, "compare-%s", tables[k]);
        snprintf(title, sizeof title, "The article against the simulation: table %s", tables[k]);
        snprintf(nrow, sizeof nrow, "%d", rows);
        snprintf(what, sizeof what, "the article against the simulation, table %s", tables[k]);
        if (plot_emit(p, &b, name, "compare.gp", what, 2, title, nrow) == 0) any = 1;
        free(b.s);
    }
    if (!any) plot_note(p, "the article against the simulation: no simulated figure with a value in %s", path);
    csv_free(&t);
}

/* ------------------------------------------------------------------ */
/* Metric statistics: summary.json, else replicates.csv                */
/* ------------------------------------------------------------------ */

static int metric_stats(plot_ctx_t *p, fsn_metric_stats_t *st, char *from, size_t fromlen) {
    memset(st, 0, sizeof *st);
    char path[PLOT_PATH_LEN + 64], why[PLOT_PATH_LEN + 256];
    fsn_error_t err = {0};
    in_src(p, path, sizeof path, "summary.json");
    if (file_exists(path)) {
        snprintf(from, fromlen, "%s", path);
        if (fsn_metric_stats_from_summary(path, st, &err) == FSN_OK) return 1;
        snprintf(from, fromlen, "%s", err.msg);
        return -1;
    }
    in_src(p, path, sizeof path, "replicates.csv");
    csv_t t;
    int r = csv_read(&t, path, why, sizeof why);
    if (r <= 0) {
        snprintf(from, fromlen, "%s", r < 0 ? why : "no summary.json or replicates.csv");
        return r < 0 ? -1 : 0;
    }
    snprintf(from, fromlen, "%s", path);
    size_t nm = t.ncols > 2 ? t.ncols - 2 : 0, nr = t.nrows - 1;
    st->s = calloc(nm ? nm : 1, sizeof *st->s);
    double *x = malloc((nr + 1) * sizeof *x), *scratch = malloc((nr + 1) * sizeof *scratch);
    if (!st->s || !x || !scratch) {
        free(st->s);
        st->s = NULL;
        free(x);
        free(scratch);
        csv_free(&t);
        snprintf(from, fromlen, "%s: out of memory", path);
        return -1;
    }
    for (size_t m = 0; m < nm; m++) {
        size_t n = 0;
        for (size_t r2 = 1; r2 < t.nrows; r2++) {
            double v = csv_num(csv_cell(&t, r2, m + 2));
            if (isfinite(v)) x[n++] = v;
        }
        fsn_summary_t s;
        fsn_stats_summarize(x, n, scratch, &s);
        fsn_metric_stat_t *o = &st->s[st->n++];
        snprintf(o->name, sizeof o->name, "%s", csv_cell(&t, 0, m + 2));
        o->n = s.n;
        o->mean = s.mean;
        o->se = s.se;
        o->ci_lo = s.ci_lo;
        o->ci_hi = s.ci_hi;
    }
    free(x);
    free(scratch);
    csv_free(&t);
    return 1;
}

static const fsn_metric_stat_t *stat_of(const fsn_metric_stats_t *st, const char *name) {
    for (size_t i = 0; i < st->n; i++)
        if (!strcmp(st->s[i].name, name)) return &st->s[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* 2. Funnels                                                          */
/* ------------------------------------------------------------------ */

static void fig_funnel(plot_ctx_t *p) {
    fsn_metric_stats_t st;
    char from[PLOT_PATH_LEN + 256];
    int r = metric_stats(p, &st, from, sizeof from);
    if (r <= 0) {
        if (r < 0) plot_bad(p, "%s", from);
        else plot_note(p, "the campaign funnels: no summary.json or replicates.csv");
        return;
    }
    static const char *stage[] = {"exposed", "clicked", "participants", "buyers", "sharers"};
    fsn_tb_t b = {0}, names = {0};
    int nc = 0;
    for (size_t i = 0; i < st.n; i++) {
        const char *name = st.s[i].name;
        size_t len = strlen(name);
        if (strncmp(name, "campaign.", 9) || len < 9 + 8 || strcmp(name + len - 8, ".exposed")) continue;
        char camp[64], key[128];
        snprintf(camp, sizeof camp, "%.*s", (int)(len - 9 - 8), name + 9);
        for (int s = 0; s < 5; s++) {
            snprintf(key, sizeof key, "campaign.%s.%s", camp, stage[s]);
            const fsn_metric_stat_t *m = stat_of(&st, key);
            fsn_tb_printf(&b, "%d,%d,", nc, s);
            plot_row(&b, (const double[]){m ? m->mean : NAN, m ? m->ci_lo : NAN, m ? m->ci_hi : NAN}, 3);
        }
        fsn_tb_printf(&names, "%s%s", nc ? " " : "", camp);
        nc++;
    }
    fsn_metric_stats_destroy(&st);
    if (nc == 0) plot_note(p, "the campaign funnels: no campaign metrics in %s", from);
    else plot_emit(p, &b, "funnel", "funnel.gp", "the campaign funnels", 1, names.s);
    free(b.s);
    free(names.s);
}

/* ------------------------------------------------------------------ */
/* 3. Counts over time                                                 */
/* ------------------------------------------------------------------ */

/* The campaigns of column col of t (rows after the header), each once,
 * in order of first appearance (at most FSN_CAMPAIGNS_MAX); how many. */
static size_t campaigns_in(const csv_t *t, size_t col, const char **camps) {
    size_t nc = 0;
    for (size_t i = 1; i < t->nrows; i++) {
        const char *c = csv_cell(t, i, col);
        size_t k = 0;
        while (k < nc && strcmp(camps[k], c)) k++;
        if (k == nc && nc < FSN_CAMPAIGNS_MAX) camps[nc++] = c;
    }
    return nc;
}

static const char *const series_names[4] = {"exposed", "participants", "orders", "shares"};

static int series_index(const char *s) {
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, series_names[i])) return i;
    return -1;
}

static void fig_timeseries(plot_ctx_t *p) {
    char path[PLOT_PATH_LEN + 64];
    csv_t t;
    if (!plot_open_table(p, &t, path, sizeof path, "timeseries.csv", "the counts over time: no timeseries.csv")) return;
    long cc = csv_col(&t, "campaign"), cs = csv_col(&t, "series"), cb = csv_col(&t, "bin");
    long c0 = csv_col(&t, "t_start"), c1 = csv_col(&t, "t_end");
    long cmean = csv_col(&t, "mean"), clo = csv_col(&t, "ci95_lo"), chi = csv_col(&t, "ci95_hi");
    long crep = csv_col(&t, "replicate"), ccount = csv_col(&t, "count");
    int per_rep = crep >= 0 && ccount >= 0;
    if (cc < 0 || cs < 0 || cb < 0 || c0 < 0 || c1 < 0 || (!per_rep && (cmean < 0 || clo < 0 || chi < 0))) {
        plot_bad(p, "%s has not the columns of a time series (docs/OUTPUTS.md)", path);
        csv_free(&t);
        return;
    }
    /* campaigns in order, bins, replicates */
    const char *camps[FSN_CAMPAIGNS_MAX];
    size_t nc = campaigns_in(&t, (size_t)cc, camps), nb = 0, nr = 1;
    double bin = NAN;
    for (size_t i = 1; i < t.nrows; i++) {
        double b = csv_num(csv_cell(&t, i, (size_t)cb));
        if (b >= 0 && b < 1e7 && (size_t)b + 1 > nb) nb = (size_t)b + 1;
        if (per_rep) {
            double rr = csv_num(csv_cell(&t, i, (size_t)crep));
            if (rr >= 0 && rr < 1e6 && (size_t)rr + 1 > nr) nr = (size_t)rr + 1;
        }
        if (isnan(bin)) bin = csv_num(csv_cell(&t, i, (size_t)c1)) - csv_num(csv_cell(&t, i, (size_t)c0));
    }
    if (nc == 0 || nb == 0) {
        plot_note(p, "the counts over time: %s has no rows", path);
        csv_free(&t);
        return;
    }
    /* value[(((c * 4 + s) * nb + b) * nr + r)], or mean/lo/hi in mode mean */
    size_t cells = nc * 4 * nb;
    double *v = malloc(cells * nr * sizeof *v), *lo = NULL, *hi = NULL;
    if (!per_rep) {
        lo = malloc(cells * sizeof *lo);
        hi = malloc(cells * sizeof *hi);
    }
    if (!v || (!per_rep && (!lo || !hi))) {
        free(v);
        free(lo);
        free(hi);
        csv_free(&t);
        plot_oom(p, path);
        return;
    }
    for (size_t i = 0; i < cells * nr; i++) v[i] = NAN;
    for (size_t i = 0; i < cells && !per_rep; i++) lo[i] = hi[i] = NAN;
    for (size_t i = 1; i < t.nrows; i++) {
        const char *c = csv_cell(&t, i, (size_t)cc);
        size_t k = 0;
        while (k < nc && strcmp(camps[k], c)) k++;
        int s = series_index(csv_cell(&t, i, (size_t)cs));
        double b = csv_num(csv_cell(&t, i, (size_t)cb));
        if (k == nc || s < 0 || !(b >= 0) || (size_t)b >= nb) continue;
        size_t at = (k * 4 + (size_t)s) * nb + (size_t)b;
        if (per_rep) {
            double rr = csv_num(csv_cell(&t, i, (size_t)crep));
            if (rr >= 0 && (size_t)rr < nr) v[at * nr + (size_t)rr] = csv_num(csv_cell(&t, i, (size_t)ccount));
        } else {
            v[at] = csv_num(csv_cell(&t, i, (size_t)cmean));
            lo[at] = csv_num(csv_cell(&t, i, (size_t)clo));
            hi[at] = csv_num(csv_cell(&t, i, (size_t)chi));
        }
    }
    double *x = malloc((nr + 1) * sizeof *x), *scratch = malloc((nr + 1) * sizeof *scratch);
    fsn_tb_t b = {0}, names = {0};
    for (int s = 0; s < 4 && x && scratch; s++)
        for (size_t k = 0; k < nc; k++) {
            if (s || k) fsn_tb_printf(&b, "\n\n");
            for (size_t bb = 0; bb < nb; bb++) {
                size_t at = (k * 4 + (size_t)s) * nb + bb;
                double m, l, h;
                if (per_rep) {
                    size_t n = 0;
                    for (size_t rr = 0; rr < nr; rr++)
                        if (isfinite(v[at * nr + rr])) x[n++] = v[at * nr + rr];
                    fsn_summary_t su;
                    fsn_stats_summarize(x, n, scratch, &su);
                    m = su.mean, l = su.ci_lo, h = su.ci_hi;
                } else {
                    m = v[at], l = lo[at], h = hi[at];
                }
                plot_row(&b, (const double[]){((double)bb + 0.5) * (isfinite(bin) ? bin : 24.0) / 24.0, m, l, h}, 4);
            }
        }
    for (size_t k = 0; k < nc; k++) fsn_tb_printf(&names, "%s%s", k ? " " : "", camps[k]);
    /* the x axis ends after the last bin where anything happened: a
     * campaign that dies out in days would otherwise be a spike at the
     * left of a month of zeros */
    size_t last = 0;
    for (size_t at = 0; at < cells; at++) {
        double m = v[per_rep ? at * nr : at];
        for (size_t rr = 1; per_rep && rr < nr && !(m > 0); rr++) m = v[at * nr + rr];
        if (m > 0 && at % nb > last) last = at % nb;
    }
    char binh[32], xmax[32];
    snprintf(binh, sizeof binh, "%g", isfinite(bin) ? bin : 24.0);
    snprintf(xmax, sizeof xmax, "%.10g",
             last + 2 < nb ? (double)(last + 1) * (isfinite(bin) ? bin : 24.0) / 24.0 : -1.0);
    if (!x || !scratch) {
        plot_oom(p, path);
    } else {
        plot_emit(p, &b, "timeseries", "timeseries.gp", "the counts over time", 3, names.s, binh, xmax);
    }
    free(x);
    free(scratch);
    free(v);
    free(lo);
    free(hi);
    free(b.s);
    free(names.s);
    csv_free(&t);
}

/* ------------------------------------------------------------------ */
/* 4. Cascade sizes                                                    */
/* ------------------------------------------------------------------ */

static void fig_cascades(plot_ctx_t *p) {
    char path[PLOT_PATH_LEN + 64];
    csv_t t;
    if (!plot_open_table(p, &t, path, sizeof path, "cascades.csv",
                         "the cascade sizes: no cascades.csv (written by fission run)"))
        return;
    long cc = csv_col(&t, "campaign"), cseed = csv_col(&t, "seed"), csize = csv_col(&t, "size");
    if (cc < 0 || cseed < 0 || csize < 0) {
        plot_bad(p, "%s has not the columns campaign, seed, size", path);
        csv_free(&t);
        return;
    }
    double *x = malloc(t.nrows * sizeof *x);
    const char *camps[FSN_CAMPAIGNS_MAX];
    size_t nc = campaigns_in(&t, (size_t)cc, camps);
    fsn_tb_t b = {0}, names = {0};
    int blocks = 0;
    for (size_t k = 0; k < nc && x; k++) {
        size_t n = 0;
        double attributed = 0, unattributed = 0;
        for (size_t i = 1; i < t.nrows; i++) {
            if (strcmp(csv_cell(&t, i, (size_t)cc), camps[k])) continue;
            double s = csv_num(csv_cell(&t, i, (size_t)csize));
            if (!*csv_cell(&t, i, (size_t)cseed)) {
                if (s > 0) unattributed += s;
                continue;
            }
            if (s >= 1) x[n++] = s, attributed += s;
        }
        if (n == 0) continue;
        /* participants beyond the seeds: traced, or through the shared link */
        if (unattributed > attributed - (double)n) {
            plot_note(p, "the cascade sizes of %s: most of its participants came through a shared plain link, "
                    "whose seed is unknown", camps[k]);
            continue;
        }
        qsort(x, n, sizeof *x, plot_cmp_double);
        if (blocks) fsn_tb_printf(&b, "\n\n");
        for (size_t i = 0; i < n; i++) {
            if (i && x[i] == x[i - 1]) continue;
            plot_row(&b, (const double[]){x[i], (double)(n - i) / (double)n}, 2);
        }
        fsn_tb_printf(&names, "%s%s", blocks ? " " : "", camps[k]);
        blocks++;
    }
    if (!x) {
        plot_oom(p, path);
    } else if (!blocks) {
        plot_note(p, "the cascade sizes: no seed's cascade in %s", path);
    } else {
        plot_emit(p, &b, "cascades", "cascades.gp", "the cascade size distribution", 1, names.s);
    }
    free(x);
    free(b.s);
    free(names.s);
    csv_free(&t);
}

/* ------------------------------------------------------------------ */
/* 5. Group fill times                                                 */
/* ------------------------------------------------------------------ */

static void fig_groups(plot_ctx_t *p) {
    char path[PLOT_PATH_LEN + 64];
    csv_t t;
    if (!plot_open_table(p, &t, path, sizeof path, "groups.csv",
                         "the group fill times: no groups.csv (written by fission run)"))
        return;
    long cc = csv_col(&t, "campaign"), cstate = csv_col(&t, "state"), cfill = csv_col(&t, "fill_time");
    long copen = csv_col(&t, "opened"), cclose = csv_col(&t, "closed");
    if (cc < 0 || cstate < 0 || cfill < 0 || copen < 0 || cclose < 0) {
        plot_bad(p, "%s has not the columns of groups.csv (docs/OUTPUTS.md)", path);
        csv_free(&t);
        return;
    }
    const char *camps[FSN_CAMPAIGNS_MAX];
    size_t nc = campaigns_in(&t, (size_t)cc, camps);
    double *x = malloc(t.nrows * sizeof *x);
    fsn_tb_t b = {0}, names = {0}, failed = {0}, deadlines = {0};
    int blocks = 0;
    double span = 0;
    /* the histogram's bin: a 24th of the longest deadline (or fill) seen */
    for (size_t i = 1; i < t.nrows; i++) {
        double d = csv_num(csv_cell(&t, i, (size_t)cclose)) - csv_num(csv_cell(&t, i, (size_t)copen));
        if (isfinite(d) && d > span) span = d;
    }
    double binw = span > 0 ? span / 24.0 : 1.0;
    for (size_t k = 0; k < nc && x; k++) {
        size_t n = 0, nfail = 0;
        double deadline = NAN;
        for (size_t i = 1; i < t.nrows; i++) {
            if (strcmp(csv_cell(&t, i, (size_t)cc), camps[k])) continue;
            const char *s = csv_cell(&t, i, (size_t)cstate);
            if (!strcmp(s, "filled")) {
                double f = csv_num(csv_cell(&t, i, (size_t)cfill));
                if (isfinite(f)) x[n++] = f;
            } else if (!strcmp(s, "failed")) {
                nfail++;
                /* failed groups close at the deadline (a cancelled one earlier) */
                double d = csv_num(csv_cell(&t, i, (size_t)cclose)) - csv_num(csv_cell(&t, i, (size_t)copen));
                if (isfinite(d) && !(d <= deadline)) deadline = d;
            }
        }
        if (n == 0) continue;
        qsort(x, n, sizeof *x, plot_cmp_double);
        if (blocks) fsn_tb_printf(&b, "\n\n");
        /* histogram: share of filled groups per bin */
        size_t nbins = (size_t)floor(x[n - 1] / binw) + 1;
        for (size_t bi = 0, i = 0; bi < nbins; bi++) {
            size_t cnt = 0;
            while (i < n && (x[i] < (double)(bi + 1) * binw || bi + 1 == nbins)) cnt++, i++;
            plot_row(&b, (const double[]){((double)bi + 0.5) * binw, (double)cnt / (double)n}, 2);
        }
        fsn_tb_printf(&b, "\n\n");
        fsn_tb_printf(&b, "0,0\n");
        for (size_t i = 0; i < n; i++) {
            if (i + 1 < n && x[i + 1] == x[i]) continue;
            plot_row(&b, (const double[]){x[i], (double)(i + 1) / (double)n}, 2);
        }
        fsn_tb_printf(&names, "%s%s", blocks ? " " : "", camps[k]);
        fsn_tb_printf(&failed, "%s%.6g", blocks ? " " : "", (double)nfail / (double)(n + nfail));
        fsn_tb_printf(&deadlines, "%s", blocks ? " " : "");
        plot_num(&deadlines, deadline);
        blocks++;
    }
    char bw[32];
    snprintf(bw, sizeof bw, "%.10g", binw);
    if (!x) {
        plot_oom(p, path);
    } else if (!blocks) {
        plot_note(p, "the group fill times: no filled group in %s", path);
    } else {
        plot_emit(p, &b, "groups", "groups.gp", "the group fill times", 4, names.s, failed.s, deadlines.s, bw);
    }
    free(x);
    free(b.s);
    free(names.s);
    free(failed.s);
    free(deadlines.s);
    csv_free(&t);
}

/* ------------------------------------------------------------------ */
/* The command                                                         */
/* ------------------------------------------------------------------ */

static const char *const run_files[] = {"summary.json", "compare.csv", "replicates.csv", "timeseries.csv",
                                        "cascades.csv", "groups.csv"};

int cli_plot(int argc, char **argv) {
    plot_ctx_t p;
    memset(&p, 0, sizeof p);
    p.fmt = "png";
    const char *out = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (!strcmp(a, "--format") || !strcmp(a, "--out") || !strcmp(a, "--metric") || !strcmp(a, "--reference")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "fission plot: %s needs a value\n", a);
                return CLI_USAGE;
            }
            val = argv[++i];
        }
        if (!strcmp(a, "--format")) {
            if (strcmp(val, "png") && strcmp(val, "svg")) {
                fprintf(stderr, "fission plot: --format %s: expected png or svg\n", val);
                return CLI_USAGE;
            }
            p.fmt = val;
        } else if (!strcmp(a, "--out")) {
            out = val;
        } else if (!strcmp(a, "--reference")) {
            p.reference = val;
        } else if (!strcmp(a, "--metric")) {
            if (p.nmetrics == PLOT_MAX_METRIC_ARGS) {
                fprintf(stderr, "fission plot: at most %d --metric\n", PLOT_MAX_METRIC_ARGS);
                return CLI_USAGE;
            }
            p.metrics[p.nmetrics++] = val;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "fission plot: unknown option '%s' (see fission help plot)\n", a);
            return CLI_USAGE;
        } else if (p.src) {
            fprintf(stderr, "fission plot: one run or sweep folder, got '%s' and '%s'\n", p.src, a);
            return CLI_USAGE;
        } else {
            p.src = a;
        }
    }
    if (!p.src) {
        fprintf(stderr, "fission plot: expected a run or sweep folder (fission plot RUN_DIR|SWEEP_DIR)\n");
        return CLI_USAGE;
    }
    struct stat st;
    if (stat(p.src, &st) != 0) {
        fprintf(stderr, "fission plot: %s: %s\n", p.src, strerror(errno));
        return CLI_USAGE;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "fission plot: %s: not a folder (expected a run or sweep folder)\n", p.src);
        return CLI_USAGE;
    }
    char probe[PLOT_PATH_LEN + 64];
    int is_run = 0, is_sweep = 0;
    for (size_t i = 0; i < sizeof run_files / sizeof *run_files; i++) {
        in_src(&p, probe, sizeof probe, run_files[i]);
        if (file_exists(probe)) is_run = 1;
    }
    in_src(&p, probe, sizeof probe, "points.csv");
    if (file_exists(probe)) is_sweep = 1;
    in_src(&p, probe, sizeof probe, "sensitivity.csv");
    if (file_exists(probe)) is_sweep = 1;
    if (!is_run && !is_sweep) {
        fprintf(stderr,
                "fission plot: %s: not a fission run or sweep folder (no summary.json, compare.csv, replicates.csv, "
                "timeseries.csv, points.csv or sensitivity.csv)\n",
                p.src);
        return CLI_USAGE;
    }
    if (!on_path("gnuplot")) {
        fprintf(stderr, "fission plot: gnuplot not found on PATH; install it with: apt-get install gnuplot-nox "
                        "(or scripts/setup.sh)\n");
        return CLI_USAGE;
    }
    if (find_scripts(&p)) return CLI_USAGE;
    if (out) snprintf(p.out, sizeof p.out, "%s", out);
    else snprintf(p.out, sizeof p.out, "%s/plots", p.src);
    fsn_error_t err = {0};
    if (fsn_output_dir(p.out, &err)) {
        fprintf(stderr, "fission plot: %s\n", err.msg);
        return CLI_USAGE;
    }
    fflush(stdout);
    if (is_run) {
        fig_compare(&p);
        fig_funnel(&p);
        fig_timeseries(&p);
        fig_cascades(&p);
        fig_groups(&p);
    }
    if (is_sweep) {
        plot_fig_sweep(&p);
        plot_fig_sensitivity(&p);
    }
    fflush(stdout);
    fprintf(stderr, "fission plot: %d figure%s in %s/%s%s%s\n", p.drawn, p.drawn == 1 ? "" : "s", p.out,
            p.skipped ? " (some skipped, see above)" : "", p.bad ? "; bad input, see above" : "",
            p.failed ? "; some failed" : "");
    if (p.bad) return CLI_USAGE;
    return p.failed ? CLI_RUN : CLI_OK;
}
