/*
 * output.c: summary.json, replicates.csv, timeseries.csv, traces, and the
 * cascades and groups a collector follows (cascades.csv, groups.csv).
 *
 * Every file goes through one small mechanism, the atomic file (afile_t):
 * a temporary "<path>.tmp.<pid>.<n>" created exclusively next to the
 * final name, written through stdio, and then either committed (flush,
 * fsync, close, rename over the final name) or abandoned (close, unlink).
 * The suffix n comes from the clock and a stack address rather than a
 * global counter, and O_EXCL with a few retries makes a clash harmless,
 * so there is no shared mutable state. Writes remember the first errno
 * they meet, so the message of a failure is the real reason (a full disk
 * shows as "No space left on device", not as a vague close error).
 *
 * Rows are streamed to the temporary, never assembled in memory: a
 * per-replicate time series or a trace can be far larger than the
 * result it comes from.
 *
 * Numbers. The summary and the tables print a double as the shortest of
 * %.15g, %.16g and %.17g that reads back exactly, which is deterministic
 * and round-trips; traces print times with %.17g directly (millions of
 * rows; the times are not round numbers anyway).
 */
#include "fission/output.h"

#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fission/stats.h"

/* ------------------------------------------------------------------ */
/* Atomic files                                                       */
/* ------------------------------------------------------------------ */

typedef struct afile {
    FILE *f;
    char *path;     /* final name */
    char *tmp;      /* temporary name */
    int werr;       /* first errno met while writing, 0 if none */
} afile_t;

static char *str_dup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static char *path_join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a == 0 || dir[a - 1] != '/') p[k++] = '/';
    memcpy(p + k, name, b + 1);
    return p;
}

static void af_free_names(afile_t *a) {
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
}

/* Create the temporary for path. */
static fsn_err_t af_open(afile_t *a, const char *path, fsn_error_t *err) {
    memset(a, 0, sizeof *a);
    size_t len = strlen(path) + 64;
    a->path = str_dup(path);
    a->tmp = malloc(len);
    if (!a->path || !a->tmp) {
        af_free_names(a);
        return fsn_error_set(err, FSN_ENOMEM, "%s: out of memory", path);
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t n = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)(uintptr_t)&ts;
    int fd = -1, e = 0;
    for (int attempt = 0; attempt < 100; attempt++) {
        n = n * 6364136223846793005ull + 1442695040888963407ull;
        snprintf(a->tmp, len, "%s.tmp.%ld.%08" PRIx64, path, (long)getpid(), (n >> 32) & 0xffffffffu);
        fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) break;
    }
    if (fd < 0) {
        e = errno;
        fsn_err_t rc = fsn_error_set(err, FSN_EIO, "%s: cannot create: %s", path, strerror(e));
        af_free_names(a);
        return rc;
    }
    a->f = fdopen(fd, "w");
    if (!a->f) {
        e = errno;
        close(fd);
        unlink(a->tmp);
        fsn_err_t rc = fsn_error_set(err, FSN_EIO, "%s: cannot open: %s", path, strerror(e));
        af_free_names(a);
        return rc;
    }
    return FSN_OK;
}

static void af_note(afile_t *a) {
    if (!a->werr) a->werr = errno ? errno : EIO;
}

static void af_puts(afile_t *a, const char *s) {
    if (a->werr) return;
    if (fputs(s, a->f) == EOF) af_note(a);
}

static void af_putc(afile_t *a, char c) {
    if (a->werr) return;
    if (fputc(c, a->f) == EOF) af_note(a);
}

static void af_write(afile_t *a, const char *s, size_t n) {
    if (a->werr || n == 0) return;
    if (fwrite(s, 1, n, a->f) != n) af_note(a);
}

/* Drop the temporary; the final name is untouched. */
static void af_abort(afile_t *a) {
    if (a->f) fclose(a->f);
    a->f = NULL;
    if (a->tmp) unlink(a->tmp);
    af_free_names(a);
}

/* Flush, sync, close and rename into place; on failure abandon. */
static fsn_err_t af_commit(afile_t *a, fsn_error_t *err) {
    int e = a->werr;
    if (!e && fflush(a->f) != 0) e = errno ? errno : EIO;
    if (!e && fsync(fileno(a->f)) != 0) e = errno;
    if (!e) {
        int rc = fclose(a->f);
        a->f = NULL;
        if (rc != 0) e = errno ? errno : EIO;
    }
    if (!e && rename(a->tmp, a->path) != 0) e = errno;
    if (e) {
        fsn_err_t rc = fsn_error_set(err, FSN_EIO, "%s: write failed: %s", a->path, strerror(e));
        af_abort(a);
        return rc;
    }
    af_free_names(a);
    return FSN_OK;
}

fsn_err_t fsn_write_atomic(const char *path, const char *data, size_t len, fsn_error_t *err) {
    FSN_REQUIRE(path && (data || len == 0));
    afile_t a;
    fsn_err_t rc = af_open(&a, path, err);
    if (rc) return rc;
    errno = 0;
    af_write(&a, data, len);
    return af_commit(&a, err);
}

fsn_err_t fsn_output_dir(const char *dir, fsn_error_t *err) {
    FSN_REQUIRE(dir);
    if (!dir[0]) return fsn_error_set(err, FSN_EIO, "output directory: empty name");
    char *p = str_dup(dir);
    if (!p) return fsn_error_set(err, FSN_ENOMEM, "%s: out of memory", dir);
    /* each proper prefix ending before a '/', then the whole path */
    size_t n = strlen(p);
    for (size_t i = 1; i <= n; i++) {
        if (i < n && p[i] != '/') continue;
        if (i < n && p[i - 1] == '/') continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            fsn_err_t rc = fsn_error_set(err, FSN_EIO, "output directory %s: cannot create %s: %s", dir, p,
                                         strerror(e));
            free(p);
            return rc;
        }
        p[i] = c;
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0) {
        int e = errno;
        return fsn_error_set(err, FSN_EIO, "output directory %s: %s", dir, strerror(e));
    }
    if (!S_ISDIR(st.st_mode)) return fsn_error_set(err, FSN_EIO, "output directory %s: %s", dir, strerror(ENOTDIR));
    if (access(dir, W_OK | X_OK) != 0) {
        int e = errno;
        return fsn_error_set(err, FSN_EIO, "output directory %s: %s", dir, strerror(e));
    }
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                         */
/* ------------------------------------------------------------------ */


/* A JSON number, or null for NaN and infinities. */
static void json_num(afile_t *a, double x) {
    if (!isfinite(x)) {
        af_puts(a, "null");
        return;
    }
    char buf[40];
    fsn_num_text(buf, sizeof buf, x);
    af_puts(a, buf);
}

static void json_str(afile_t *a, const char *s) {
    if (!s) {
        af_puts(a, "null");
        return;
    }
    af_putc(a, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': af_puts(a, "\\\""); break;
        case '\\': af_puts(a, "\\\\"); break;
        case '\n': af_puts(a, "\\n"); break;
        case '\r': af_puts(a, "\\r"); break;
        case '\t': af_puts(a, "\\t"); break;
        case '\b': af_puts(a, "\\b"); break;
        case '\f': af_puts(a, "\\f"); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                af_puts(a, esc);
            } else {
                af_putc(a, (char)*p);
            }
        }
    }
    af_putc(a, '"');
}

/* A CSV field: quoted (quotes doubled) if it holds a comma, quote or line break. */
static void csv_str(afile_t *a, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        af_puts(a, s);
        return;
    }
    af_putc(a, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"') af_putc(a, '"');
        af_putc(a, *p);
    }
    af_putc(a, '"');
}

/* A CSV number: empty for NaN, inf / -inf, else as fmt_num. */
static void csv_num(afile_t *a, double x) {
    if (isnan(x)) return;
    if (isinf(x)) {
        af_puts(a, x > 0 ? "inf" : "-inf");
        return;
    }
    char buf[40];
    fsn_num_text(buf, sizeof buf, x);
    af_puts(a, buf);
}

static void put_u64(afile_t *a, uint64_t v) {
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    af_puts(a, buf);
}

/* Open dir/name for writing. */
static fsn_err_t open_in(afile_t *a, const char *dir, const char *name, fsn_error_t *err) {
    char *path = path_join(dir, name);
    if (!path) return fsn_error_set(err, FSN_ENOMEM, "%s/%s: out of memory", dir, name);
    fsn_err_t rc = af_open(a, path, err);
    free(path);
    errno = 0;
    return rc;
}

/* ------------------------------------------------------------------ */
/* summary.json                                                       */
/* ------------------------------------------------------------------ */

static uint32_t count_done(const fsn_run_result_t *res) {
    uint32_t k = 0;
    for (uint32_t r = 0; r < res->reps; r++) k += res->done[r] != 0;
    return k;
}

fsn_err_t fsn_output_summary(const char *dir, const fsn_run_result_t *res, const fsn_run_meta_t *meta,
                             fsn_error_t *err) {
    FSN_REQUIRE(dir && res && meta && (res->reps == 0 || res->done));
    FSN_REQUIRE(res->nmetrics == 0 || (res->names && res->values));
    double *x = malloc(((size_t)res->reps + 1) * sizeof *x);
    double *scratch = malloc(((size_t)res->reps + 1) * sizeof *scratch);
    if (!x || !scratch) {
        free(x);
        free(scratch);
        return fsn_error_set(err, FSN_ENOMEM, "%s/summary.json: out of memory", dir);
    }
    afile_t a;
    fsn_err_t rc = open_in(&a, dir, "summary.json", err);
    if (rc) {
        free(x);
        free(scratch);
        return rc;
    }
    af_puts(&a, "{\n  \"fission\": {\"version\": ");
    json_str(&a, meta->version);
    af_puts(&a, ", \"git_rev\": ");
    json_str(&a, meta->git_rev);
    af_puts(&a, "},\n  \"scenario_path\": ");
    json_str(&a, meta->scenario_path);
    af_puts(&a, ",\n  \"seed\": ");
    put_u64(&a, meta->seed);
    af_puts(&a, ",\n  \"replicates\": {\"requested\": ");
    put_u64(&a, res->reps);
    af_puts(&a, ", \"done\": ");
    put_u64(&a, count_done(res));
    af_puts(&a, ", \"interrupted\": ");
    af_puts(&a, res->interrupted ? "true" : "false");
    af_puts(&a, "},\n  \"scenario\": ");
    af_puts(&a, meta->scenario_json ? meta->scenario_json : "null");
    af_puts(&a, ",\n  \"metrics\": {");
    for (size_t m = 0; m < res->nmetrics; m++) {
        size_t n = 0;
        for (uint32_t r = 0; r < res->reps; r++) {
            double v = res->values[(size_t)r * res->nmetrics + m];
            if (res->done[r] && isfinite(v)) x[n++] = v;
        }
        fsn_summary_t s;
        fsn_stats_summarize(x, n, scratch, &s);
        char name[sizeof res->names[0] + 1];
        memcpy(name, res->names[m], sizeof res->names[0]);
        name[sizeof res->names[0]] = '\0';
        af_puts(&a, m ? ",\n    " : "\n    ");
        json_str(&a, name);
        af_puts(&a, ": {\"n\": ");
        put_u64(&a, n);
        const struct {
            const char *key;
            double v;
        } f[] = {{"mean", s.mean}, {"sd", s.sd}, {"se", s.se}};
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
            af_puts(&a, ", \"");
            af_puts(&a, f[k].key);
            af_puts(&a, "\": ");
            json_num(&a, f[k].v);
        }
        af_puts(&a, ", \"ci95\": [");
        json_num(&a, s.ci_lo);
        af_puts(&a, ", ");
        json_num(&a, s.ci_hi);
        af_puts(&a, "]");
        const struct {
            const char *key;
            double v;
        } q[] = {{"min", s.min}, {"p05", s.p05}, {"p50", s.p50}, {"p95", s.p95}, {"max", s.max}};
        for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
            af_puts(&a, ", \"");
            af_puts(&a, q[k].key);
            af_puts(&a, "\": ");
            json_num(&a, q[k].v);
        }
        af_puts(&a, "}");
    }
    af_puts(&a, res->nmetrics ? "\n  }\n}\n" : "}\n}\n");
    free(x);
    free(scratch);
    return af_commit(&a, err);
}

/* ------------------------------------------------------------------ */
/* replicates.csv                                                     */
/* ------------------------------------------------------------------ */

fsn_err_t fsn_output_replicates(const char *dir, const fsn_run_result_t *res, fsn_error_t *err) {
    FSN_REQUIRE(dir && res && (res->reps == 0 || (res->done && res->events)));
    FSN_REQUIRE(res->nmetrics == 0 || (res->names && res->values));
    afile_t a;
    fsn_err_t rc = open_in(&a, dir, "replicates.csv", err);
    if (rc) return rc;
    af_puts(&a, "replicate,events");
    for (size_t m = 0; m < res->nmetrics; m++) {
        char name[sizeof res->names[0] + 1];
        memcpy(name, res->names[m], sizeof res->names[0]);
        name[sizeof res->names[0]] = '\0';
        af_putc(&a, ',');
        csv_str(&a, name);
    }
    af_putc(&a, '\n');
    for (uint32_t r = 0; r < res->reps; r++) {
        if (!res->done[r]) continue;
        put_u64(&a, r);
        af_putc(&a, ',');
        put_u64(&a, res->events[r]);
        for (size_t m = 0; m < res->nmetrics; m++) {
            af_putc(&a, ',');
            csv_num(&a, res->values[(size_t)r * res->nmetrics + m]);
        }
        af_putc(&a, '\n');
    }
    return af_commit(&a, err);
}

/* ------------------------------------------------------------------ */
/* timeseries.csv                                                     */
/* ------------------------------------------------------------------ */

static const char *const series_name[FSN_SERIES_COUNT] = {"exposed", "participants", "orders", "shares"};

static void put_campaign(afile_t *a, const fsn_run_meta_t *meta, size_t c) {
    if (meta->campaign_names && meta->campaign_names[c]) csv_str(a, meta->campaign_names[c]);
    else put_u64(a, c);
}

/* ",<bin>,<t_start>,<t_end>" */
static void put_bin(afile_t *a, size_t b, double width) {
    af_putc(a, ',');
    put_u64(a, b);
    af_putc(a, ',');
    csv_num(a, (double)b * width);
    af_putc(a, ',');
    csv_num(a, (double)(b + 1) * width);
}

fsn_err_t fsn_output_timeseries(const char *dir, const fsn_run_result_t *res, const fsn_run_meta_t *meta,
                                fsn_series_mode_t mode, fsn_error_t *err) {
    FSN_REQUIRE(dir && res && meta && (res->reps == 0 || res->done));
    FSN_REQUIRE(res->ncamps == 0 || res->nbins == 0 || res->series);
    if (mode != FSN_SERIES_MEAN && mode != FSN_SERIES_PER_REPLICATE)
        return fsn_error_set(err, FSN_EINVAL, "time series: unknown mode %d", (int)mode);
    if (!(meta->bin_hours > 0) || !isfinite(meta->bin_hours))
        return fsn_error_set(err, FSN_EINVAL, "time series: bin width %g hours, expected > 0", meta->bin_hours);
    double *x = NULL, *scratch = NULL;
    if (mode == FSN_SERIES_MEAN) {
        x = malloc(((size_t)res->reps + 1) * sizeof *x);
        scratch = malloc(((size_t)res->reps + 1) * sizeof *scratch);
        if (!x || !scratch) {
            free(x);
            free(scratch);
            return fsn_error_set(err, FSN_ENOMEM, "%s/timeseries.csv: out of memory", dir);
        }
    }
    afile_t a;
    fsn_err_t rc = open_in(&a, dir, "timeseries.csv", err);
    if (rc) {
        free(x);
        free(scratch);
        return rc;
    }
    const size_t nc = res->ncamps, nb = res->nbins;
    /* count of replicate r, campaign c, series s, bin b */
#define AT(r, c, s, b) res->series[(((size_t)(r) * nc + (c)) * FSN_SERIES_COUNT + (size_t)(s)) * nb + (b)]
    if (mode == FSN_SERIES_MEAN) {
        af_puts(&a, "campaign,series,bin,t_start,t_end,mean,ci95_lo,ci95_hi\n");
        for (size_t c = 0; c < nc; c++)
            for (int s = 0; s < FSN_SERIES_COUNT; s++)
                for (size_t b = 0; b < nb; b++) {
                    size_t n = 0;
                    for (uint32_t r = 0; r < res->reps; r++)
                        if (res->done[r]) x[n++] = (double)AT(r, c, s, b);
                    fsn_summary_t st;
                    fsn_stats_summarize(x, n, scratch, &st);
                    put_campaign(&a, meta, c);
                    af_putc(&a, ',');
                    af_puts(&a, series_name[s]);
                    put_bin(&a, b, meta->bin_hours);
                    af_putc(&a, ',');
                    csv_num(&a, st.mean);
                    af_putc(&a, ',');
                    csv_num(&a, st.ci_lo);
                    af_putc(&a, ',');
                    csv_num(&a, st.ci_hi);
                    af_putc(&a, '\n');
                }
    } else {
        af_puts(&a, "replicate,campaign,series,bin,t_start,t_end,count\n");
        for (uint32_t r = 0; r < res->reps; r++) {
            if (!res->done[r]) continue;
            for (size_t c = 0; c < nc; c++)
                for (int s = 0; s < FSN_SERIES_COUNT; s++)
                    for (size_t b = 0; b < nb; b++) {
                        put_u64(&a, r);
                        af_putc(&a, ',');
                        put_campaign(&a, meta, c);
                        af_putc(&a, ',');
                        af_puts(&a, series_name[s]);
                        put_bin(&a, b, meta->bin_hours);
                        af_putc(&a, ',');
                        put_u64(&a, AT(r, c, s, b));
                        af_putc(&a, '\n');
                    }
        }
    }
#undef AT
    free(x);
    free(scratch);
    return af_commit(&a, err);
}

/* ------------------------------------------------------------------ */
/* Traces                                                             */
/* ------------------------------------------------------------------ */

enum { TRACE_CAMP_MAX = 64, TRACE_DETAILS_MAX = 512 };

typedef struct trace_slot {
    afile_t af;
    int open;
    const fsn_world_t *w;
    char camp[TRACE_CAMP_MAX];
    char details[TRACE_DETAILS_MAX];
} trace_slot_t;

struct fsn_trace {
    char *dir;               /* <dir>/trace */
    uint32_t reps;
    trace_slot_t *slot;      /* one per replicate */
};

fsn_trace_t *fsn_trace_new(const char *dir, uint32_t reps, fsn_error_t *err) {
    FSN_REQUIRE(dir);
    fsn_trace_t *t = calloc(1, sizeof *t);
    if (t) {
        t->reps = reps;
        t->dir = path_join(dir, "trace");
        t->slot = calloc(reps ? reps : 1, sizeof *t->slot);
    }
    if (!t || !t->dir || !t->slot) {
        fsn_trace_free(t);
        fsn_error_set(err, FSN_ENOMEM, "trace: out of memory for %u replicates", reps);
        return NULL;
    }
    if (fsn_output_dir(t->dir, err)) {
        fsn_trace_free(t);
        return NULL;
    }
    return t;
}

void fsn_trace_free(fsn_trace_t *t) {
    if (!t) return;
    if (t->slot)
        for (uint32_t r = 0; r < t->reps; r++)
            if (t->slot[r].open) af_abort(&t->slot[r].af);
    free(t->slot);
    free(t->dir);
    free(t);
}

static void trace_observe(void *ctx, const fsn_event_t *ev, const char *type_name) {
    trace_slot_t *s = ctx;
    afile_t *a = &s->af;
    if (a->werr) return;
    int64_t user = fsn_world_event_describe(s->w, ev, s->camp, sizeof s->camp, s->details, sizeof s->details);
    int k;
    errno = 0;
    if (user >= 0)
        k = fprintf(a->f, "%.17g,%s,%" PRId64 ",%s,%s\n", ev->time, type_name, user, s->camp, s->details);
    else
        k = fprintf(a->f, "%.17g,%s,,%s,%s\n", ev->time, type_name, s->camp, s->details);
    if (k < 0) af_note(a);
}

fsn_err_t fsn_trace_begin(void *ctx, uint32_t rep, fsn_world_t *w, fsn_error_t *err) {
    fsn_trace_t *t = ctx;
    FSN_REQUIRE(t && w);
    if (rep >= t->reps)
        return fsn_error_set(err, FSN_EINVAL, "trace: replicate %u, expected < %u", rep, t->reps);
    trace_slot_t *s = &t->slot[rep];
    if (s->open) return fsn_error_set(err, FSN_ESTATE, "trace: replicate %u is already open", rep);
    char name[32];
    snprintf(name, sizeof name, "rep-%06u.csv", rep);
    fsn_err_t rc = open_in(&s->af, t->dir, name, err);
    if (rc) return rc;
    s->open = 1;
    s->w = w;
    af_puts(&s->af, "time,event,user,campaign,details\n");
    fsn_engine_set_observer(fsn_world_engine(w), trace_observe, s);
    return FSN_OK;
}

fsn_err_t fsn_trace_end(void *ctx, uint32_t rep, fsn_world_t *w, fsn_err_t rc, fsn_error_t *err) {
    fsn_trace_t *t = ctx;
    FSN_REQUIRE(t && w);
    fsn_engine_set_observer(fsn_world_engine(w), NULL, NULL);
    if (rep >= t->reps || !t->slot[rep].open) return FSN_OK;
    trace_slot_t *s = &t->slot[rep];
    s->open = 0;
    s->w = NULL;
    if (rc) {
        af_abort(&s->af);
        return FSN_OK;
    }
    return af_commit(&s->af, err);
}

/* ------------------------------------------------------------------ */
/* Cascades and groups                                                */
/* ------------------------------------------------------------------ */

/* Provenance is followed from outside the world, by an observer: after
 * each event it looks at what that event could have changed. A click
 * (payload: the user, the instance) may have made its user a participant,
 * who then belongs to the clicked instance's tree; a launch made the
 * campaign's seeds participants, each the root of its own tree. Any
 * instance created by the event inherits its owner's root. The world
 * keeps no sender per user, and needs none for this. */

#define ROOT_UNSET UINT32_MAX
#define ROOT_LINK (UINT32_MAX - 1u)

typedef struct casc_row {
    uint32_t camp, seed, size;     /* seed ROOT_LINK: unattributed */
} casc_row_t;

typedef struct group_row {
    uint32_t camp, inst, members;
    int state;
    double opened, closed;
} group_row_t;

typedef struct collect_slot {
    /* while the replicate runs */
    const fsn_world_t *w;
    uint32_t n, nc;
    uint32_t *root;          /* n x nc: the seed a participant traces to */
    uint32_t *iroot;         /* per instance */
    size_t ninst, capinst;   /* instances seen, room in iroot */
    int fail;                /* out of memory in the observer */
    trace_slot_t *trace;     /* passed every event, or NULL */
    /* kept */
    int have;
    casc_row_t *casc;
    size_t ncasc;
    group_row_t *grp;
    size_t ngrp;
} collect_slot_t;

struct fsn_collect {
    uint32_t reps;
    fsn_trace_t *trace;
    collect_slot_t *slot;
};

fsn_collect_t *fsn_collect_new(uint32_t reps, fsn_trace_t *trace, fsn_error_t *err) {
    fsn_collect_t *c = calloc(1, sizeof *c);
    if (c) c->slot = calloc(reps ? reps : 1, sizeof *c->slot);
    if (!c || !c->slot) {
        free(c);
        fsn_error_set(err, FSN_ENOMEM, "cascades: out of memory for %u replicates", reps);
        return NULL;
    }
    c->reps = reps;
    c->trace = trace;
    return c;
}

static void slot_scratch_free(collect_slot_t *s) {
    free(s->root);
    free(s->iroot);
    s->root = s->iroot = NULL;
    s->ninst = s->capinst = 0;
    s->w = NULL;
}

void fsn_collect_free(fsn_collect_t *c) {
    if (!c) return;
    for (uint32_t r = 0; r < c->reps; r++) {
        slot_scratch_free(&c->slot[r]);
        free(c->slot[r].casc);
        free(c->slot[r].grp);
    }
    free(c->slot);
    free(c);
}

static void collect_observe(void *ctx, const fsn_event_t *ev, const char *type_name) {
    collect_slot_t *s = ctx;
    const fsn_world_t *w = s->w;
    if (!s->fail) {
        const uint32_t nc = s->nc;
        if (type_name[0] == 'c' && (!strcmp(type_name, "click") || !strcmp(type_name, "click_via_workaround"))) {
            const uint32_t v = ev->a, i = ev->b;
            if (v < s->n && i < s->ninst) {
                fsn_instance_view_t in;
                fsn_world_instance(w, i, &in);
                uint32_t *r = &s->root[(size_t)v * nc + in.camp];
                if (*r == ROOT_UNSET && (fsn_world_user_role(w, v, in.camp) & FSN_ROLE_PART)) *r = s->iroot[i];
            }
        } else if (!strcmp(type_name, "launch") && ev->a < nc) {
            const uint32_t c = ev->a;
            for (uint32_t v = 0; v < s->n; v++) {
                uint32_t *r = &s->root[(size_t)v * nc + c];
                if (*r == ROOT_UNSET && (fsn_world_user_role(w, v, c) & FSN_ROLE_SEED)) *r = v;
            }
        }
        const size_t ninst = fsn_world_instance_count(w);
        if (ninst > s->capinst) {
            size_t cap = s->capinst ? s->capinst : 64;
            while (cap < ninst) cap *= 2;
            uint32_t *p = realloc(s->iroot, cap * sizeof *p);
            if (!p) {
                s->fail = 1;
                goto chain;
            }
            s->iroot = p;
            s->capinst = cap;
        }
        for (size_t k = s->ninst; k < ninst; k++) {
            fsn_instance_view_t in;
            fsn_world_instance(w, k, &in);
            uint32_t r = ROOT_LINK;
            if (in.owner != FSN_NO_OWNER && in.owner < s->n) {
                r = s->root[(size_t)in.owner * nc + in.camp];
                if (r == ROOT_UNSET) r = ROOT_LINK;
            }
            s->iroot[k] = r;
        }
        s->ninst = ninst;
    }
chain:
    if (s->trace) trace_observe(s->trace, ev, type_name);
}

fsn_err_t fsn_collect_begin(void *ctx, uint32_t rep, fsn_world_t *w, fsn_error_t *err) {
    fsn_collect_t *c = ctx;
    FSN_REQUIRE(c && w);
    if (rep >= c->reps)
        return fsn_error_set(err, FSN_EINVAL, "cascades: replicate %u, expected < %u", rep, c->reps);
    collect_slot_t *s = &c->slot[rep];
    slot_scratch_free(s);
    free(s->casc);
    free(s->grp);
    s->casc = NULL;
    s->grp = NULL;
    s->ncasc = s->ngrp = 0;
    s->have = 0;
    s->fail = 0;
    s->n = fsn_world_user_count(w);
    s->nc = (uint32_t)fsn_world_campaign_count(w);
    const size_t nuc = (size_t)s->n * (s->nc ? s->nc : 1);
    s->root = malloc(nuc * sizeof *s->root);
    if (!s->root) return fsn_error_set(err, FSN_ENOMEM, "cascades: out of memory for %u users", s->n);
    memset(s->root, 0xff, nuc * sizeof *s->root);   /* ROOT_UNSET */
    s->w = w;
    s->trace = NULL;
    if (c->trace) {
        fsn_err_t rc = fsn_trace_begin(c->trace, rep, w, err);
        if (rc) {
            slot_scratch_free(s);
            return rc;
        }
        s->trace = &c->trace->slot[rep];
    }
    fsn_engine_set_observer(fsn_world_engine(w), collect_observe, s);
    return FSN_OK;
}

/* Keep the replicate's tree sizes and groups. */
static fsn_err_t collect_keep(collect_slot_t *s, const fsn_world_t *w, fsn_error_t *err) {
    const uint32_t n = s->n, nc = s->nc;
    uint32_t *size = calloc(n ? n : 1, sizeof *size);
    size_t seeds = 0, groups = 0;
    for (uint32_t v = 0; v < n; v++)
        for (uint32_t c = 0; c < nc; c++)
            if (fsn_world_user_role(w, v, c) & FSN_ROLE_SEED) seeds++;
    const size_t ninst = fsn_world_instance_count(w);
    for (size_t k = nc; k < ninst; k++) {
        fsn_instance_view_t in;
        fsn_world_instance(w, k, &in);
        if (fsn_world_campaign(w, in.camp)->kind == FSN_CAMP_GROUP) groups++;
    }
    s->casc = malloc((seeds + nc + 1) * sizeof *s->casc);
    s->grp = malloc((groups + 1) * sizeof *s->grp);
    if (!size || !s->casc || !s->grp) {
        free(size);
        return fsn_error_set(err, FSN_ENOMEM, "cascades: out of memory");
    }
    for (uint32_t c = 0; c < nc; c++) {
        uint32_t link = 0;
        memset(size, 0, (size_t)n * sizeof *size);
        for (uint32_t v = 0; v < n; v++) {
            if (!(fsn_world_user_role(w, v, c) & FSN_ROLE_PART)) continue;
            uint32_t r = s->root[(size_t)v * nc + c];
            if (r < n) size[r]++;
            else link++;
        }
        for (uint32_t v = 0; v < n; v++)
            if (fsn_world_user_role(w, v, c) & FSN_ROLE_SEED) s->casc[s->ncasc++] = (casc_row_t){c, v, size[v]};
        if (link) s->casc[s->ncasc++] = (casc_row_t){c, ROOT_LINK, link};
    }
    free(size);
    for (size_t k = nc; k < ninst; k++) {
        fsn_instance_view_t in;
        fsn_world_instance(w, k, &in);
        if (fsn_world_campaign(w, in.camp)->kind != FSN_CAMP_GROUP) continue;
        s->grp[s->ngrp++] = (group_row_t){in.camp, (uint32_t)k, in.count, in.state, in.opened, in.closed};
    }
    s->have = 1;
    return FSN_OK;
}

fsn_err_t fsn_collect_end(void *ctx, uint32_t rep, fsn_world_t *w, fsn_err_t rc, fsn_error_t *err) {
    fsn_collect_t *c = ctx;
    FSN_REQUIRE(c && w);
    fsn_engine_set_observer(fsn_world_engine(w), NULL, NULL);
    if (rep >= c->reps) return FSN_OK;
    collect_slot_t *s = &c->slot[rep];
    fsn_err_t out = FSN_OK;
    if (!rc && s->root) {
        if (s->fail) out = fsn_error_set(err, FSN_ENOMEM, "cascades: out of memory following replicate %u", rep);
        else out = collect_keep(s, w, err);
    }
    slot_scratch_free(s);
    if (c->trace) {
        fsn_error_t terr = {0};
        fsn_err_t t = fsn_trace_end(c->trace, rep, w, rc ? rc : out, &terr);
        if (t && !out) {
            if (err) *err = terr;
            out = t;
        }
    }
    return out;
}

fsn_err_t fsn_output_cascades(const char *dir, const fsn_collect_t *c, const fsn_run_result_t *res,
                              const fsn_run_meta_t *meta, fsn_error_t *err) {
    FSN_REQUIRE(dir && c && res && meta);
    afile_t a;
    fsn_err_t rc = open_in(&a, dir, "cascades.csv", err);
    if (rc) return rc;
    af_puts(&a, "replicate,campaign,seed,size\n");
    for (uint32_t r = 0; r < res->reps && r < c->reps; r++) {
        const collect_slot_t *s = &c->slot[r];
        if (!res->done || !res->done[r] || !s->have) continue;
        for (size_t k = 0; k < s->ncasc; k++) {
            put_u64(&a, r);
            af_putc(&a, ',');
            put_campaign(&a, meta, s->casc[k].camp);
            af_putc(&a, ',');
            if (s->casc[k].seed != ROOT_LINK) put_u64(&a, s->casc[k].seed);
            af_putc(&a, ',');
            put_u64(&a, s->casc[k].size);
            af_putc(&a, '\n');
        }
    }
    return af_commit(&a, err);
}

fsn_err_t fsn_output_groups(const char *dir, const fsn_collect_t *c, const fsn_run_result_t *res,
                            const fsn_run_meta_t *meta, fsn_error_t *err) {
    FSN_REQUIRE(dir && c && res && meta);
    afile_t a;
    fsn_err_t rc = open_in(&a, dir, "groups.csv", err);
    if (rc) return rc;
    static const char *const state_name[] = {"open", "filled", "failed"};
    af_puts(&a, "replicate,campaign,group,opened,closed,state,members,fill_time\n");
    for (uint32_t r = 0; r < res->reps && r < c->reps; r++) {
        const collect_slot_t *s = &c->slot[r];
        if (!res->done || !res->done[r] || !s->have) continue;
        for (size_t k = 0; k < s->ngrp; k++) {
            const group_row_t *g = &s->grp[k];
            put_u64(&a, r);
            af_putc(&a, ',');
            put_campaign(&a, meta, g->camp);
            af_putc(&a, ',');
            put_u64(&a, g->inst);
            af_putc(&a, ',');
            csv_num(&a, g->opened);
            af_putc(&a, ',');
            csv_num(&a, g->closed);
            af_putc(&a, ',');
            af_puts(&a, state_name[g->state >= 0 && g->state <= 2 ? g->state : 0]);
            af_putc(&a, ',');
            put_u64(&a, g->members);
            af_putc(&a, ',');
            if (g->state == FSN_INST_DONE) csv_num(&a, g->closed - g->opened);
            af_putc(&a, '\n');
        }
    }
    return af_commit(&a, err);
}
