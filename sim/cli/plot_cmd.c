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

extern char **environ;

#define DEFAULT_REFERENCE "scenarios/reference/article-2023.json"
#define PATH_LEN 4096
#define MAX_METRIC_ARGS 64

/* ------------------------------------------------------------------ */
/* Text buffers                                                       */
/* ------------------------------------------------------------------ */

typedef struct buf {
    char *s;
    size_t len, cap;
    int fail;
} buf_t;

static void bprintf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(buf_t *b, const char *fmt, ...) {
    if (b->fail) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int k = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->fail = 1;
            return;
        }
        if (b->s && (size_t)k < room) {
            b->len += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + (size_t)k + 1) cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->fail = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
}

/* A number for gnuplot: NaN (gnuplot's word for a missing point) or %.10g. */
static void bnum(buf_t *b, double x) {
    if (isnan(x)) bprintf(b, "NaN");
    else if (isinf(x)) bprintf(b, x > 0 ? "1e308" : "-1e308");
    else bprintf(b, "%.10g", x);
}

/* A text field with no comma, quote or line break (replaced by a space). */
static void btext(buf_t *b, const char *s) {
    for (; *s && !b->fail; s++) bprintf(b, "%c", (*s == ',' || *s == '"' || *s == '\n' || *s == '\r') ? ' ' : *s);
}

/* ------------------------------------------------------------------ */
/* CSV tables                                                         */
/* ------------------------------------------------------------------ */

typedef struct csv {
    char *text;          /* the file, fields cut in place */
    char **f;            /* every field, row after row */
    size_t nf, capf;
    size_t ncols, nrows; /* rows including the header */
} csv_t;

static void csv_free(csv_t *t) {
    free(t->text);
    free(t->f);
    memset(t, 0, sizeof *t);
}

static int csv_push(csv_t *t, char *field) {
    if (t->nf == t->capf) {
        size_t cap = t->capf ? 2 * t->capf : 256;
        char **p = realloc(t->f, cap * sizeof *p);
        if (!p) return -1;
        t->f = p;
        t->capf = cap;
    }
    t->f[t->nf++] = field;
    return 0;
}

/*
 * Read path as CSV (RFC 4180 quotes; LF or CRLF; a final line break
 * optional; blank lines skipped). Every row must have as many fields as
 * the header. Returns 1 if read, 0 if the file does not exist, -1 on an
 * error (message in why, naming the file and line).
 */
static int csv_read(csv_t *t, const char *path, char *why, size_t whylen) {
    memset(t, 0, sizeof *t);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (errno == ENOENT) return 0;
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 65536, len = 0;
    char *s = malloc(cap);
    for (;;) {
        if (!s) break;
        if (len + 1 >= cap) {
            char *p = realloc(s, cap * 2);
            if (!p) {
                free(s);
                s = NULL;
                break;
            }
            s = p;
            cap *= 2;
        }
        size_t k = fread(s + len, 1, cap - len - 1, fp);
        len += k;
        if (k == 0) break;
    }
    int rerr = ferror(fp);
    fclose(fp);
    if (!s || rerr) {
        free(s);
        snprintf(why, whylen, "%s: %s", path, rerr ? "read error" : "out of memory");
        return -1;
    }
    s[len] = 0;
    t->text = s;
    size_t line = 1, i = 0, fields_in_row = 0;
    while (i < len) {
        /* one row */
        if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] == '\n')) {   /* blank line */
            i += s[i] == '\r' ? 2 : 1;
            line++;
            continue;
        }
        fields_in_row = 0;
        for (;;) {
            char *w = s + i, *field = w;
            if (s[i] == '"') {
                const size_t qline = line;
                i++;
                for (;;) {
                    if (i >= len) {
                        snprintf(why, whylen, "%s:%zu: a quoted field is not closed", path, qline);
                        csv_free(t);
                        return -1;
                    }
                    if (s[i] == '"') {
                        if (s[i + 1] == '"') {
                            *w++ = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (s[i] == '\n') line++;
                    *w++ = s[i++];
                }
            } else {
                while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') *w++ = s[i++];
            }
            int end_row = i >= len || s[i] == '\n' || s[i] == '\r';
            if (!end_row && s[i] != ',') {
                snprintf(why, whylen, "%s:%zu: unexpected text after a quoted field", path, line);
                csv_free(t);
                return -1;
            }
            /* step over the separator before cutting the field: the
             * write end w may sit on it (fields only shrink in place) */
            if (i < len) i += (s[i] == '\r' && s[i + 1] == '\n') ? 2 : 1;
            *w = 0;
            if (csv_push(t, field)) {
                snprintf(why, whylen, "%s: out of memory", path);
                csv_free(t);
                return -1;
            }
            fields_in_row++;
            if (end_row) break;
        }
        if (t->nrows == 0) {
            t->ncols = fields_in_row;
        } else if (fields_in_row != t->ncols) {
            snprintf(why, whylen, "%s:%zu: %zu fields, expected %zu as in the header", path, line, fields_in_row,
                     t->ncols);
            csv_free(t);
            return -1;
        }
        t->nrows++;
        line++;
    }
    if (t->nrows == 0) {
        snprintf(why, whylen, "%s: empty, expected a header line", path);
        csv_free(t);
        return -1;
    }
    return 1;
}

static const char *cell(const csv_t *t, size_t r, size_t c) { return t->f[r * t->ncols + c]; }

static long col_of(const csv_t *t, const char *name) {
    for (size_t c = 0; c < t->ncols; c++)
        if (!strcmp(cell(t, 0, c), name)) return (long)c;
    return -1;
}

/* A number, NaN for an empty or unreadable field. */
static double num(const char *s) {
    if (!*s) return NAN;
    char *end;
    double x = strtod(s, &end);
    return *end ? NAN : x;
}

static int is_num(const char *s) {
    if (!*s) return 0;
    char *end;
    (void)strtod(s, &end);
    return *end == 0;
}

/* ------------------------------------------------------------------ */
/* The plotting context                                               */
/* ------------------------------------------------------------------ */

typedef struct plot_ctx {
    const char *src;          /* the run or sweep folder */
    char out[PATH_LEN];       /* where data and figures go */
    char scripts[PATH_LEN];   /* the folder of the .gp scripts */
    const char *fmt;          /* png, svg */
    const char *reference;    /* NULL: the default, found */
    const char *metrics[MAX_METRIC_ARGS];
    size_t nmetrics;
    int drawn, failed, skipped, bad;
} plot_ctx_t;

static void note(plot_ctx_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(plot_ctx_t *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fission plot: skipped ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    p->skipped++;
}

/* Bad input (a malformed table): said, the figure is left out, the other
 * figures are still drawn, and the exit code is 2. */
static void bad(plot_ctx_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(plot_ctx_t *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fission plot: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    p->bad++;
}

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void in_src(const plot_ctx_t *p, char *path, size_t n, const char *name) {
    snprintf(path, n, "%s/%s", p->src, name);
}

/* A metric or campaign name made safe as part of a file name. */
static void safe_name(char *dst, size_t n, const char *s) {
    size_t k = 0;
    for (; *s && k + 1 < n; s++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '-' || c == '_';
        dst[k++] = ok ? c : '_';
    }
    dst[k] = 0;
}

static int write_data(plot_ctx_t *p, const char *name, buf_t *b, char *path, size_t n) {
    snprintf(path, n, "%s/%s", p->out, name);
    fsn_error_t err = {0};
    if (b->fail) {
        fprintf(stderr, "fission plot: %s: out of memory\n", path);
        p->failed++;
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
                 int nextra, ...) {
    char spath[PATH_LEN + 64], fig[PATH_LEN + 256];
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
    va_list ap;
    va_start(ap, nextra);
    for (int i = 0; i < nextra && k < 15; i++) argv[k++] = va_arg(ap, char *);
    va_end(ap);
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

/* Is prog an executable file in a folder of $PATH? */
static int on_path(const char *prog) {
    const char *path = getenv("PATH");
    if (!path || !*path) return 0;
    char dir[PATH_LEN];
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n == 0) snprintf(dir, sizeof dir, ".");
        else snprintf(dir, sizeof dir, "%.*s", (int)(n < sizeof dir - 1 ? n : sizeof dir - 1), path);
        char full[PATH_LEN + 64];
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
    char probe[PATH_LEN + 64];
    if (env && *env) {
        snprintf(probe, sizeof probe, "%s/common.gp", env);
        if (!file_exists(probe)) {
            fprintf(stderr, "fission plot: FISSION_PLOTS_DIR=%s holds no common.gp (expected the plots/ folder)\n", env);
            return -1;
        }
        snprintf(p->scripts, sizeof p->scripts, "%s", env);
        return 0;
    }
    char exe[PATH_LEN];
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
    char summary[PATH_LEN + 64];
    in_src(p, summary, sizeof summary, "summary.json");
    if (!file_exists(summary)) {
        note(p, "the article against the simulation: no compare.csv or summary.json in %s", p->src);
        return 0;
    }
    char ref[PATH_LEN + 128];
    if (p->reference) {
        snprintf(ref, sizeof ref, "%s", p->reference);
    } else {
        snprintf(ref, sizeof ref, "%s", DEFAULT_REFERENCE);
        if (!file_exists(ref)) {
            char exe[PATH_LEN];
            exe_dir(exe, sizeof exe);
            snprintf(ref, sizeof ref, "%s/../%s", exe, DEFAULT_REFERENCE);
        }
    }
    fsn_error_t err = {0};
    fsn_reference_t rf;
    if (fsn_reference_load(&rf, ref, &err)) {
        note(p, "the article against the simulation: %s (give --reference FILE)", err.msg);
        return 0;
    }
    fsn_metric_stats_t st = {0};
    int ok = 0;
    if (fsn_metric_stats_from_summary(summary, &st, &err)) {
        bad(p, "%s", err.msg);
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
    char path[PATH_LEN + 64], why[PATH_LEN + 256];
    if (!compare_csv(p, path, sizeof path)) return;
    csv_t t;
    int r = csv_read(&t, path, why, sizeof why);
    if (r <= 0) {
        if (r < 0) bad(p, "%s", why);
        else note(p, "the article against the simulation: no compare.csv");
        return;
    }
    const char *need[] = {"figure", "table", "article", "unit", "mean", "ci95_lo", "ci95_hi",
                          "tolerance", "tolerance_kind", "status"};
    long col[10];
    for (int i = 0; i < 10; i++) {
        col[i] = col_of(&t, need[i]);
        if (col[i] < 0) {
            bad(p, "%s has no column '%s'", path, need[i]);
            csv_free(&t);
            return;
        }
    }
    /* tables in order of first appearance ("T1 text" is T1) */
    char tables[32][16];
    size_t ntab = 0;
    for (size_t i = 1; i < t.nrows; i++) {
        char tb[16];
        snprintf(tb, sizeof tb, "%.*s", (int)strcspn(cell(&t, i, (size_t)col[1]), " "), cell(&t, i, (size_t)col[1]));
        size_t k = 0;
        while (k < ntab && strcmp(tables[k], tb)) k++;
        if (k == ntab && ntab < 32) snprintf(tables[ntab++], sizeof tables[0], "%s", tb);
    }
    int any = 0;
    for (size_t k = 0; k < ntab; k++) {
        buf_t b = {0};
        int rows = 0;
        for (size_t i = 1; i < t.nrows; i++) {
            const char *tb = cell(&t, i, (size_t)col[1]);
            size_t tl = strcspn(tb, " ");
            if (tl != strlen(tables[k]) || strncmp(tb, tables[k], tl)) continue;
            const char *status = cell(&t, i, (size_t)col[9]);
            if (strcmp(status, "within") && strcmp(status, "out")) continue;
            double a = num(cell(&t, i, (size_t)col[2])), m = num(cell(&t, i, (size_t)col[4]));
            double lo = num(cell(&t, i, (size_t)col[5])), hi = num(cell(&t, i, (size_t)col[6]));
            double tol = num(cell(&t, i, (size_t)col[7]));
            const char *kind = cell(&t, i, (size_t)col[8]), *unit = cell(&t, i, (size_t)col[3]);
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
            bprintf(&b, "%d,", rows);
            btext(&b, cell(&t, i, (size_t)col[0]));
            double v[] = {m / ra, lo / ra, hi / ra, tlo / ra, thi / ra};
            for (int j = 0; j < 5; j++) {
                bprintf(&b, ",");
                bnum(&b, clip_ratio(v[j]));
            }
            bprintf(&b, ",%d,article %s  sim %s\n", !strcmp(status, "within"), av, mv);
            rows++;
        }
        if (rows == 0) {
            free(b.s);
            continue;
        }
        char name[64], data[PATH_LEN + 128], title[128], nrow[16], what[96];
        snprintf(name, sizeof name, "compare-%s", tables[k]);
        char dname[80];
        snprintf(dname, sizeof dname, "%s.csv", name);
        if (write_data(p, dname, &b, data, sizeof data) == 0) {
            snprintf(title, sizeof title, "The article against the simulation: table %s", tables[k]);
            snprintf(nrow, sizeof nrow, "%d", rows);
            snprintf(what, sizeof what, "the article against the simulation, table %s", tables[k]);
            draw(p, "compare.gp", data, name, what, 2, title, nrow);
            any = 1;
        }
        free(b.s);
    }
    if (!any) note(p, "the article against the simulation: no simulated figure with a value in %s", path);
    csv_free(&t);
}

/* ------------------------------------------------------------------ */
/* Metric statistics: summary.json, else replicates.csv                */
/* ------------------------------------------------------------------ */

static int metric_stats(plot_ctx_t *p, fsn_metric_stats_t *st, char *from, size_t fromlen) {
    memset(st, 0, sizeof *st);
    char path[PATH_LEN + 64], why[PATH_LEN + 256];
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
            double v = num(cell(&t, r2, m + 2));
            if (isfinite(v)) x[n++] = v;
        }
        fsn_summary_t s;
        fsn_stats_summarize(x, n, scratch, &s);
        fsn_metric_stat_t *o = &st->s[st->n++];
        snprintf(o->name, sizeof o->name, "%s", cell(&t, 0, m + 2));
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
    char from[PATH_LEN + 256];
    int r = metric_stats(p, &st, from, sizeof from);
    if (r <= 0) {
        if (r < 0) bad(p, "%s", from);
        else note(p, "the campaign funnels: no summary.json or replicates.csv");
        return;
    }
    static const char *stage[] = {"exposed", "clicked", "participants", "buyers", "sharers"};
    buf_t b = {0}, names = {0};
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
            bprintf(&b, "%d,%d,", nc, s);
            bnum(&b, m ? m->mean : NAN);
            bprintf(&b, ",");
            bnum(&b, m ? m->ci_lo : NAN);
            bprintf(&b, ",");
            bnum(&b, m ? m->ci_hi : NAN);
            bprintf(&b, "\n");
        }
        bprintf(&names, "%s%s", nc ? " " : "", camp);
        nc++;
    }
    fsn_metric_stats_destroy(&st);
    char data[PATH_LEN + 64];
    if (nc == 0) note(p, "the campaign funnels: no campaign metrics in %s", from);
    else if (write_data(p, "funnel.csv", &b, data, sizeof data) == 0)
        draw(p, "funnel.gp", data, "funnel", "the campaign funnels", 1, names.s);
    free(b.s);
    free(names.s);
}

/* ------------------------------------------------------------------ */
/* 3. Counts over time                                                 */
/* ------------------------------------------------------------------ */

static const char *const series_names[4] = {"exposed", "participants", "orders", "shares"};

static int series_index(const char *s) {
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, series_names[i])) return i;
    return -1;
}

static void fig_timeseries(plot_ctx_t *p) {
    char path[PATH_LEN + 64], why[PATH_LEN + 256];
    in_src(p, path, sizeof path, "timeseries.csv");
    csv_t t;
    int r = csv_read(&t, path, why, sizeof why);
    if (r <= 0) {
        if (r < 0) bad(p, "%s", why);
        else note(p, "the counts over time: no timeseries.csv");
        return;
    }
    long cc = col_of(&t, "campaign"), cs = col_of(&t, "series"), cb = col_of(&t, "bin");
    long c0 = col_of(&t, "t_start"), c1 = col_of(&t, "t_end");
    long cmean = col_of(&t, "mean"), clo = col_of(&t, "ci95_lo"), chi = col_of(&t, "ci95_hi");
    long crep = col_of(&t, "replicate"), ccount = col_of(&t, "count");
    int per_rep = crep >= 0 && ccount >= 0;
    if (cc < 0 || cs < 0 || cb < 0 || c0 < 0 || c1 < 0 || (!per_rep && (cmean < 0 || clo < 0 || chi < 0))) {
        bad(p, "%s has not the columns of a time series (docs/OUTPUTS.md)", path);
        csv_free(&t);
        return;
    }
    /* campaigns in order, bins, replicates */
    const char *camps[FSN_CAMPAIGNS_MAX];
    size_t nc = 0, nb = 0, nr = 1;
    double bin = NAN;
    for (size_t i = 1; i < t.nrows; i++) {
        const char *c = cell(&t, i, (size_t)cc);
        size_t k = 0;
        while (k < nc && strcmp(camps[k], c)) k++;
        if (k == nc && nc < FSN_CAMPAIGNS_MAX) camps[nc++] = c;
        double b = num(cell(&t, i, (size_t)cb));
        if (b >= 0 && b < 1e7 && (size_t)b + 1 > nb) nb = (size_t)b + 1;
        if (per_rep) {
            double rr = num(cell(&t, i, (size_t)crep));
            if (rr >= 0 && rr < 1e6 && (size_t)rr + 1 > nr) nr = (size_t)rr + 1;
        }
        if (isnan(bin)) bin = num(cell(&t, i, (size_t)c1)) - num(cell(&t, i, (size_t)c0));
    }
    if (nc == 0 || nb == 0) {
        note(p, "the counts over time: %s has no rows", path);
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
        fprintf(stderr, "fission plot: %s: out of memory\n", path);
        p->failed++;
        return;
    }
    for (size_t i = 0; i < cells * nr; i++) v[i] = NAN;
    for (size_t i = 0; i < cells && !per_rep; i++) lo[i] = hi[i] = NAN;
    for (size_t i = 1; i < t.nrows; i++) {
        const char *c = cell(&t, i, (size_t)cc);
        size_t k = 0;
        while (k < nc && strcmp(camps[k], c)) k++;
        int s = series_index(cell(&t, i, (size_t)cs));
        double b = num(cell(&t, i, (size_t)cb));
        if (k == nc || s < 0 || !(b >= 0) || (size_t)b >= nb) continue;
        size_t at = (k * 4 + (size_t)s) * nb + (size_t)b;
        if (per_rep) {
            double rr = num(cell(&t, i, (size_t)crep));
            if (rr >= 0 && (size_t)rr < nr) v[at * nr + (size_t)rr] = num(cell(&t, i, (size_t)ccount));
        } else {
            v[at] = num(cell(&t, i, (size_t)cmean));
            lo[at] = num(cell(&t, i, (size_t)clo));
            hi[at] = num(cell(&t, i, (size_t)chi));
        }
    }
    double *x = malloc((nr + 1) * sizeof *x), *scratch = malloc((nr + 1) * sizeof *scratch);
    buf_t b = {0}, names = {0};
    for (int s = 0; s < 4 && x && scratch; s++)
        for (size_t k = 0; k < nc; k++) {
            if (s || k) bprintf(&b, "\n\n");
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
                bnum(&b, ((double)bb + 0.5) * (isfinite(bin) ? bin : 24.0) / 24.0);
                bprintf(&b, ",");
                bnum(&b, m);
                bprintf(&b, ",");
                bnum(&b, l);
                bprintf(&b, ",");
                bnum(&b, h);
                bprintf(&b, "\n");
            }
        }
    for (size_t k = 0; k < nc; k++) bprintf(&names, "%s%s", k ? " " : "", camps[k]);
    /* the x axis ends after the last bin where anything happened: a
     * campaign that dies out in days would otherwise be a spike at the
     * left of a month of zeros */
    size_t last = 0;
    for (size_t at = 0; at < cells; at++) {
        double m = v[per_rep ? at * nr : at];
        for (size_t rr = 1; per_rep && rr < nr && !(m > 0); rr++) m = v[at * nr + rr];
        if (m > 0 && at % nb > last) last = at % nb;
    }
    char data[PATH_LEN + 64], binh[32], xmax[32];
    snprintf(binh, sizeof binh, "%g", isfinite(bin) ? bin : 24.0);
    snprintf(xmax, sizeof xmax, "%.10g", last + 2 < nb ? (double)(last + 1) * (isfinite(bin) ? bin : 24.0) / 24.0 : -1.0);
    if (!x || !scratch) {
        fprintf(stderr, "fission plot: %s: out of memory\n", path);
        p->failed++;
    } else if (write_data(p, "timeseries.csv", &b, data, sizeof data) == 0) {
        draw(p, "timeseries.gp", data, "timeseries", "the counts over time", 3, names.s, binh, xmax);
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

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fig_cascades(plot_ctx_t *p) {
    char path[PATH_LEN + 64], why[PATH_LEN + 256];
    in_src(p, path, sizeof path, "cascades.csv");
    csv_t t;
    int r = csv_read(&t, path, why, sizeof why);
    if (r <= 0) {
        if (r < 0) bad(p, "%s", why);
        else note(p, "the cascade sizes: no cascades.csv (written by fission run)");
        return;
    }
    long cc = col_of(&t, "campaign"), cseed = col_of(&t, "seed"), csize = col_of(&t, "size");
    if (cc < 0 || cseed < 0 || csize < 0) {
        bad(p, "%s has not the columns campaign, seed, size", path);
        csv_free(&t);
        return;
    }
    double *x = malloc(t.nrows * sizeof *x);
    const char *camps[FSN_CAMPAIGNS_MAX];
    size_t nc = 0;
    for (size_t i = 1; i < t.nrows; i++) {
        const char *c = cell(&t, i, (size_t)cc);
        size_t k = 0;
        while (k < nc && strcmp(camps[k], c)) k++;
        if (k == nc && nc < FSN_CAMPAIGNS_MAX) camps[nc++] = c;
    }
    buf_t b = {0}, names = {0};
    int blocks = 0;
    for (size_t k = 0; k < nc && x; k++) {
        size_t n = 0;
        double attributed = 0, unattributed = 0;
        for (size_t i = 1; i < t.nrows; i++) {
            if (strcmp(cell(&t, i, (size_t)cc), camps[k])) continue;
            double s = num(cell(&t, i, (size_t)csize));
            if (!*cell(&t, i, (size_t)cseed)) {
                if (s > 0) unattributed += s;
                continue;
            }
            if (s >= 1) x[n++] = s, attributed += s;
        }
        if (n == 0) continue;
        /* participants beyond the seeds: traced, or through the shared link */
        if (unattributed > attributed - (double)n) {
            note(p, "the cascade sizes of %s: most of its participants came through a shared plain link, "
                    "whose seed is unknown", camps[k]);
            continue;
        }
        qsort(x, n, sizeof *x, cmp_double);
        if (blocks) bprintf(&b, "\n\n");
        for (size_t i = 0; i < n; i++) {
            if (i && x[i] == x[i - 1]) continue;
            bnum(&b, x[i]);
            bprintf(&b, ",");
            bnum(&b, (double)(n - i) / (double)n);
            bprintf(&b, "\n");
        }
        bprintf(&names, "%s%s", blocks ? " " : "", camps[k]);
        blocks++;
    }
    char data[PATH_LEN + 64];
    if (!x) {
        fprintf(stderr, "fission plot: %s: out of memory\n", path);
        p->failed++;
    } else if (!blocks) {
        note(p, "the cascade sizes: no seed's cascade in %s", path);
    } else if (write_data(p, "cascades.csv", &b, data, sizeof data) == 0) {
        draw(p, "cascades.gp", data, "cascades", "the cascade size distribution", 1, names.s);
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
    char path[PATH_LEN + 64], why[PATH_LEN + 256];
    in_src(p, path, sizeof path, "groups.csv");
    csv_t t;
    int r = csv_read(&t, path, why, sizeof why);
    if (r <= 0) {
        if (r < 0) bad(p, "%s", why);
        else note(p, "the group fill times: no groups.csv (written by fission run)");
        return;
    }
    long cc = col_of(&t, "campaign"), cstate = col_of(&t, "state"), cfill = col_of(&t, "fill_time");
    long copen = col_of(&t, "opened"), cclose = col_of(&t, "closed");
    if (cc < 0 || cstate < 0 || cfill < 0 || copen < 0 || cclose < 0) {
        bad(p, "%s has not the columns of groups.csv (docs/OUTPUTS.md)", path);
        csv_free(&t);
        return;
    }
    const char *camps[FSN_CAMPAIGNS_MAX];
    size_t nc = 0;
    for (size_t i = 1; i < t.nrows; i++) {
        const char *c = cell(&t, i, (size_t)cc);
        size_t k = 0;
        while (k < nc && strcmp(camps[k], c)) k++;
        if (k == nc && nc < FSN_CAMPAIGNS_MAX) camps[nc++] = c;
    }
    double *x = malloc(t.nrows * sizeof *x);
    buf_t b = {0}, names = {0}, failed = {0}, deadlines = {0};
    int blocks = 0;
    double span = 0;
    /* the histogram's bin: a 24th of the longest deadline (or fill) seen */
    for (size_t i = 1; i < t.nrows; i++) {
        double d = num(cell(&t, i, (size_t)cclose)) - num(cell(&t, i, (size_t)copen));
        if (isfinite(d) && d > span) span = d;
    }
    double binw = span > 0 ? span / 24.0 : 1.0;
    for (size_t k = 0; k < nc && x; k++) {
        size_t n = 0, nfail = 0;
        double deadline = NAN;
        for (size_t i = 1; i < t.nrows; i++) {
            if (strcmp(cell(&t, i, (size_t)cc), camps[k])) continue;
            const char *s = cell(&t, i, (size_t)cstate);
            if (!strcmp(s, "filled")) {
                double f = num(cell(&t, i, (size_t)cfill));
                if (isfinite(f)) x[n++] = f;
            } else if (!strcmp(s, "failed")) {
                nfail++;
                /* failed groups close at the deadline (a cancelled one earlier) */
                double d = num(cell(&t, i, (size_t)cclose)) - num(cell(&t, i, (size_t)copen));
                if (isfinite(d) && !(d <= deadline)) deadline = d;
            }
        }
        if (n == 0) continue;
        qsort(x, n, sizeof *x, cmp_double);
        if (blocks) bprintf(&b, "\n\n");
        /* histogram: share of filled groups per bin */
        size_t nbins = (size_t)floor(x[n - 1] / binw) + 1;
        for (size_t bi = 0, i = 0; bi < nbins; bi++) {
            size_t cnt = 0;
            while (i < n && (x[i] < (double)(bi + 1) * binw || bi + 1 == nbins)) cnt++, i++;
            bnum(&b, ((double)bi + 0.5) * binw);
            bprintf(&b, ",");
            bnum(&b, (double)cnt / (double)n);
            bprintf(&b, "\n");
        }
        bprintf(&b, "\n\n");
        bprintf(&b, "0,0\n");
        for (size_t i = 0; i < n; i++) {
            if (i + 1 < n && x[i + 1] == x[i]) continue;
            bnum(&b, x[i]);
            bprintf(&b, ",");
            bnum(&b, (double)(i + 1) / (double)n);
            bprintf(&b, "\n");
        }
        bprintf(&names, "%s%s", blocks ? " " : "", camps[k]);
        bprintf(&failed, "%s%.6g", blocks ? " " : "", (double)nfail / (double)(n + nfail));
        bprintf(&deadlines, "%s", blocks ? " " : "");
        bnum(&deadlines, deadline);
        blocks++;
    }
    char data[PATH_LEN + 64], bw[32];
    snprintf(bw, sizeof bw, "%.10g", binw);
    if (!x) {
        fprintf(stderr, "fission plot: %s: out of memory\n", path);
        p->failed++;
    } else if (!blocks) {
        note(p, "the group fill times: no filled group in %s", path);
    } else if (write_data(p, "groups.csv", &b, data, sizeof data) == 0) {
        draw(p, "groups.gp", data, "groups", "the group fill times", 4, names.s, failed.s, deadlines.s, bw);
    }
    free(x);
    free(b.s);
    free(names.s);
    free(failed.s);
    free(deadlines.s);
    csv_free(&t);
}

/* ------------------------------------------------------------------ */
/* 6. Sweeps                                                           */
/* ------------------------------------------------------------------ */

static int metric_wanted(const plot_ctx_t *p, const char *m) {
    if (p->nmetrics == 0) return 1;
    for (size_t i = 0; i < p->nmetrics; i++)
        if (!strcmp(p->metrics[i], m)) return 1;
    return 0;
}

typedef struct pt {
    double x, y, m, lo, hi;
    size_t row;      /* in points.csv */
} pt_t;

static int cmp_pt(const void *a, const void *b) {
    const pt_t *u = a, *v = b;
    if (u->x != v->x) return (u->x > v->x) - (u->x < v->x);
    return (u->y > v->y) - (u->y < v->y);
}

/* Distinct sorted values of x[0..n-1] into u (n room); returns how many. */
static size_t distinct(const double *x, size_t n, double *u) {
    memcpy(u, x, n * sizeof *u);
    qsort(u, n, sizeof *u, cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || u[i] != u[k - 1]) u[k++] = u[i];
    return k;
}

/* The cell of value v among the distinct values u[0..k-1]: halfway to
 * each neighbour (a lone value gets +- 0.5, or +- 10% of itself). */
static void cell_of(const double *u, size_t k, double v, double *lo, double *hi) {
    size_t i = 0;
    while (i < k && u[i] != v) i++;
    double left = i > 0 ? (v - u[i - 1]) / 2 : NAN, right = i + 1 < k ? (u[i + 1] - v) / 2 : NAN;
    if (isnan(left)) left = right;
    if (isnan(right)) right = left;
    if (isnan(left)) left = right = v != 0 ? fabs(v) * 0.1 : 0.5;
    *lo = v - left;
    *hi = v + right;
}

static void fig_sweep(plot_ctx_t *p) {
    char path[PATH_LEN + 64], why[PATH_LEN + 256];
    in_src(p, path, sizeof path, "points.csv");
    csv_t t;
    int r = csv_read(&t, path, why, sizeof why);
    if (r <= 0) {
        if (r < 0) bad(p, "%s", why);
        return;
    }
    long creps = col_of(&t, "reps");
    if (col_of(&t, "point") != 0 || creps < 2) {
        bad(p, "%s: expected the columns point, <axis>..., reps, <metric>.mean, ... (docs/PLOTS.md)", path);
        csv_free(&t);
        return;
    }
    size_t k = (size_t)creps - 1, np = t.nrows - 1;
    const char *axes[16];
    size_t na = k < 16 ? k : 16;
    for (size_t a = 0; a < na; a++) axes[a] = cell(&t, 0, a + 1);
    /* axis values: numbers, or the order of first appearance for text */
    double *ax = malloc((na * np + 1) * sizeof *ax), *u = malloc((np + 1) * sizeof *u);
    pt_t *pts = malloc((np + 1) * sizeof *pts);
    if (!ax || !u || !pts) {
        free(ax);
        free(u);
        free(pts);
        csv_free(&t);
        fprintf(stderr, "fission plot: %s: out of memory\n", path);
        p->failed++;
        return;
    }
    int text_axis[16] = {0};
    for (size_t a = 0; a < na; a++) {
        for (size_t i = 0; i < np; i++) text_axis[a] |= !is_num(cell(&t, i + 1, a + 1));
        double next = 0;   /* a text axis: 0, 1, 2, ... in order of first appearance */
        for (size_t i = 0; i < np; i++) {
            const char *s = cell(&t, i + 1, a + 1);
            if (!text_axis[a]) {
                ax[a * np + i] = num(s);
                continue;
            }
            size_t j = 0;
            while (j < i && strcmp(cell(&t, j + 1, a + 1), s)) j++;
            ax[a * np + i] = j < i ? ax[a * np + j] : next++;
        }
    }
    int grid = 0;
    size_t nx = 0, ny = 0;
    if (na == 2 && np > 0) {
        nx = distinct(ax, np, u);
        ny = distinct(ax + np, np, u);
        if (nx * ny == np) {
            for (size_t i = 0; i < np; i++) pts[i] = (pt_t){ax[i], ax[np + i], 0, 0, 0, i + 1};
            qsort(pts, np, sizeof *pts, cmp_pt);
            grid = 1;
            for (size_t i = 1; i < np; i++)
                if (pts[i].x == pts[i - 1].x && pts[i].y == pts[i - 1].y) grid = 0;
        }
    }
    int plotted = 0;
    for (size_t c = (size_t)creps + 1; c < t.ncols; c++) {
        const char *h = cell(&t, 0, c);
        size_t hl = strlen(h);
        if (hl < 6 || strcmp(h + hl - 5, ".mean")) continue;
        char metric[256], key[300];
        snprintf(metric, sizeof metric, "%.*s", (int)(hl - 5), h);
        if (!metric_wanted(p, metric)) continue;
        snprintf(key, sizeof key, "%s.ci_lo", metric);
        long clo = col_of(&t, key);
        snprintf(key, sizeof key, "%s.ci_hi", metric);
        long chi = col_of(&t, key);
        for (size_t i = 0; i < np; i++) {
            pts[i].x = ax[i];
            pts[i].y = na > 1 ? ax[np + i] : 0;
            pts[i].m = num(cell(&t, i + 1, c));
            pts[i].lo = clo >= 0 ? num(cell(&t, i + 1, (size_t)clo)) : NAN;
            pts[i].hi = chi >= 0 ? num(cell(&t, i + 1, (size_t)chi)) : NAN;
            pts[i].row = i + 1;
        }
        char safe[256], base[300], dname[320], data[PATH_LEN + 400], what[400];
        safe_name(safe, sizeof safe, metric);
        buf_t b = {0};
        if (na == 1) {
            qsort(pts, np, sizeof *pts, cmp_pt);
            for (size_t i = 0; i < np; i++) {
                bnum(&b, pts[i].x);
                bprintf(&b, ",");
                bnum(&b, pts[i].m);
                bprintf(&b, ",");
                bnum(&b, pts[i].lo);
                bprintf(&b, ",");
                bnum(&b, pts[i].hi);
                bprintf(&b, ",");
                btext(&b, cell(&t, pts[i].row, 1));
                bprintf(&b, "\n");
            }
            snprintf(base, sizeof base, "sweep-%s", safe);
            snprintf(dname, sizeof dname, "%s.csv", base);
            snprintf(what, sizeof what, "%s along %s", metric, axes[0]);
            if (write_data(p, dname, &b, data, sizeof data) == 0)
                draw(p, "sweep1.gp", data, base, what, 3, axes[0], metric, text_axis[0] ? "1" : "0");
        } else if (na == 2) {
            double *ux = malloc((np + 1) * sizeof *ux), *uy = malloc((np + 1) * sizeof *uy);
            double *xs = malloc((np + 1) * sizeof *xs), *ys = malloc((np + 1) * sizeof *ys);
            if (!ux || !uy || !xs || !ys) b.fail = 1;
            if (!b.fail) {
                for (size_t i = 0; i < np; i++) xs[i] = pts[i].x, ys[i] = pts[i].y;
                size_t kx = distinct(xs, np, ux), ky = distinct(ys, np, uy);
                double mlo = INFINITY, mhi = -INFINITY;
                for (size_t i = 0; i < np; i++)
                    if (isfinite(pts[i].m)) mlo = fmin(mlo, pts[i].m), mhi = fmax(mhi, pts[i].m);
                for (size_t i = 0; i < np; i++) {
                    double xl, xh, yl, yh;
                    cell_of(ux, kx, pts[i].x, &xl, &xh);
                    cell_of(uy, ky, pts[i].y, &yl, &yh);
                    double v[] = {pts[i].x, pts[i].y, xl, xh, yl, yh, pts[i].m};
                    for (int j = 0; j < 7; j++) {
                        if (j) bprintf(&b, ",");
                        bnum(&b, v[j]);
                    }
                    /* the label's colour: black on the light end of the palette, white on the dark */
                    int light = mhi > mlo && (pts[i].m - mlo) / (mhi - mlo) > 0.6;
                    bprintf(&b, ",%d\n", light ? 0 : 0xffffff);
                }
            }
            free(ux);
            free(uy);
            free(xs);
            free(ys);
            snprintf(base, sizeof base, "sweep-%s", safe);
            snprintf(dname, sizeof dname, "%s.csv", base);
            snprintf(what, sizeof what, "%s over %s and %s, %s", metric, axes[0], axes[1],
                     grid ? "heat map" : "scatter");
            if (write_data(p, dname, &b, data, sizeof data) == 0)
                draw(p, "sweep2.gp", data, base, what, 4, axes[0], axes[1], metric, grid ? "1" : "0");
        } else {
            buf_t an = {0};
            for (size_t a = 0; a < na; a++) {
                if (a) bprintf(&b, "\n\n");
                bprintf(&an, "%s%s", a ? " " : "", axes[a]);
                size_t ku = distinct(ax + a * np, np, u);
                if (ku <= 10) {
                    for (size_t j = 0; j < ku; j++) {
                        double s = 0;
                        size_t n = 0;
                        for (size_t i = 0; i < np; i++)
                            if (ax[a * np + i] == u[j] && isfinite(pts[i].m)) s += pts[i].m, n++;
                        bnum(&b, u[j]);
                        bprintf(&b, ",");
                        bnum(&b, n ? s / (double)n : NAN);
                        bprintf(&b, "\n");
                    }
                } else {
                    /* a continuous design: 8 bins of equal width */
                    const double lo = u[0], w = (u[ku - 1] - u[0]) / 8.0;
                    for (int j = 0; j < 8; j++) {
                        double sx = 0, sm = 0;
                        size_t n = 0;
                        for (size_t i = 0; i < np; i++) {
                            double v = ax[a * np + i];
                            int bj = w > 0 ? (int)floor((v - lo) / w) : 0;
                            if (bj > 7) bj = 7;
                            if (bj == j && isfinite(pts[i].m)) sx += v, sm += pts[i].m, n++;
                        }
                        if (!n) continue;
                        bnum(&b, sx / (double)n);
                        bprintf(&b, ",");
                        bnum(&b, sm / (double)n);
                        bprintf(&b, "\n");
                    }
                }
            }
            snprintf(base, sizeof base, "sweep-%s", safe);
            snprintf(dname, sizeof dname, "%s.csv", base);
            snprintf(what, sizeof what, "%s: main effects of %zu axes", metric, na);
            if (write_data(p, dname, &b, data, sizeof data) == 0)
                draw(p, "sweepk.gp", data, base, what, 2, an.s ? an.s : "", metric);
            free(an.s);
        }
        free(b.s);
        plotted++;
    }
    if (!plotted)
        note(p, "the sweep: %s", p->nmetrics ? "no metric of --metric in points.csv" : "no metric columns in points.csv");
    free(ax);
    free(u);
    free(pts);
    csv_free(&t);
}

/* ------------------------------------------------------------------ */
/* 7. Sensitivity indices                                              */
/* ------------------------------------------------------------------ */

static void fig_sensitivity(plot_ctx_t *p) {
    char path[PATH_LEN + 64], why[PATH_LEN + 256];
    in_src(p, path, sizeof path, "sensitivity.csv");
    csv_t t;
    int r = csv_read(&t, path, why, sizeof why);
    if (r <= 0) {
        if (r < 0) bad(p, "%s", why);
        return;
    }
    long cm = col_of(&t, "metric"), cp = col_of(&t, "parameter"), cmeth = col_of(&t, "method");
    long ci = col_of(&t, "index"), cv = col_of(&t, "value"), clo = col_of(&t, "ci_lo"), chi = col_of(&t, "ci_hi");
    if (cm < 0 || cp < 0 || cmeth < 0 || ci < 0 || cv < 0 || clo < 0 || chi < 0) {
        bad(p, "%s: expected the columns metric,parameter,method,index,value,ci_lo,ci_hi",
             path);
        csv_free(&t);
        return;
    }
    int plotted = 0;
    for (size_t i = 1; i < t.nrows; i++) {
        const char *metric = cell(&t, i, (size_t)cm), *method = cell(&t, i, (size_t)cmeth);
        /* the first row of each (metric, method) */
        size_t j = 1;
        while (j < i && (strcmp(cell(&t, j, (size_t)cm), metric) || strcmp(cell(&t, j, (size_t)cmeth), method))) j++;
        if (j < i || !metric_wanted(p, metric)) continue;
        int sobol = !strcmp(method, "sobol"), morris = !strcmp(method, "morris");
        if (!sobol && !morris) continue;
        /* parameters in order */
        buf_t b = {0};
        int rows = 0;
        for (size_t a = i; a < t.nrows; a++) {
            if (strcmp(cell(&t, a, (size_t)cm), metric) || strcmp(cell(&t, a, (size_t)cmeth), method)) continue;
            const char *param = cell(&t, a, (size_t)cp);
            size_t q = i;
            for (; q < a; q++)
                if (!strcmp(cell(&t, q, (size_t)cm), metric) && !strcmp(cell(&t, q, (size_t)cmeth), method) &&
                    !strcmp(cell(&t, q, (size_t)cp), param))
                    break;
            if (q < a) continue;   /* parameter done */
            double v[2][3] = {{NAN, NAN, NAN}, {NAN, NAN, NAN}};
            for (size_t q2 = a; q2 < t.nrows; q2++) {
                if (strcmp(cell(&t, q2, (size_t)cm), metric) || strcmp(cell(&t, q2, (size_t)cmeth), method) ||
                    strcmp(cell(&t, q2, (size_t)cp), param))
                    continue;
                const char *idx = cell(&t, q2, (size_t)ci);
                int slot = sobol ? (!strcmp(idx, "S1") ? 0 : !strcmp(idx, "ST") ? 1 : -1)
                                 : (!strcmp(idx, "mu_star") ? 0 : !strcmp(idx, "sigma") ? 1 : -1);
                if (slot < 0) continue;
                v[slot][0] = num(cell(&t, q2, (size_t)cv));
                v[slot][1] = num(cell(&t, q2, (size_t)clo));
                v[slot][2] = num(cell(&t, q2, (size_t)chi));
            }
            if (sobol) {
                bprintf(&b, "%d,", rows);
                btext(&b, param);
                for (int s = 0; s < 2; s++)
                    for (int e = 0; e < 3; e++) {
                        bprintf(&b, ",");
                        bnum(&b, v[s][e]);
                    }
            } else {
                btext(&b, param);
                bprintf(&b, ",");
                bnum(&b, v[0][0]);
                bprintf(&b, ",");
                bnum(&b, v[1][0]);
            }
            bprintf(&b, "\n");
            rows++;
        }
        char safe[256], base[300], dname[320], data[PATH_LEN + 400], what[400], nrow[16];
        safe_name(safe, sizeof safe, metric);
        snprintf(base, sizeof base, "sensitivity-%s-%s", method, safe);
        snprintf(dname, sizeof dname, "%s.csv", base);
        snprintf(nrow, sizeof nrow, "%d", rows);
        snprintf(what, sizeof what, "%s indices of %s", sobol ? "Sobol" : "Morris", metric);
        if (rows && write_data(p, dname, &b, data, sizeof data) == 0) {
            if (sobol) draw(p, "sobol.gp", data, base, what, 2, metric, nrow);
            else draw(p, "morris.gp", data, base, what, 1, metric);
            plotted++;
        }
        free(b.s);
    }
    if (!plotted) note(p, "the sensitivity indices: no Sobol or Morris rows%s in %s", p->nmetrics ? " for --metric" : "", path);
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
            if (p.nmetrics == MAX_METRIC_ARGS) {
                fprintf(stderr, "fission plot: at most %d --metric\n", MAX_METRIC_ARGS);
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
    char probe[PATH_LEN + 64];
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
        fig_sweep(&p);
        fig_sensitivity(&p);
    }
    fflush(stdout);
    fprintf(stderr, "fission plot: %d figure%s in %s/%s%s%s\n", p.drawn, p.drawn == 1 ? "" : "s", p.out,
            p.skipped ? " (some skipped, see above)" : "", p.bad ? "; bad input, see above" : "",
            p.failed ? "; some failed" : "");
    if (p.bad) return CLI_USAGE;
    return p.failed ? CLI_RUN : CLI_OK;
}
