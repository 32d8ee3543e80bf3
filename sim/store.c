/*
 * store.c: a sweep's results in one SQLite file.
 *
 * The workload: a sweep finishes a run every few milliseconds to every
 * few minutes, for hours, on a machine that may kill it at any moment.
 * Every finished run must survive that, and a resumed sweep must see
 * exactly which (point, replicate) units are stored. SQLite gives both:
 * runs are inserted in short transactions (the sweep commits about once
 * a second), the journal is a write-ahead log, and a commit is durable
 * against the process being killed (synchronous NORMAL: only a power
 * cut can lose the last commits, never corrupt the file). A run is its
 * row in `runs`, keyed (point, rep), so a unit is either stored or not.
 *
 * The schema is created in one transaction with the whole design (axes,
 * points with their values and unit-cube coordinates, the kept metric
 * names), so a store that exists is complete and a reader needs nothing
 * else. Metric and axis columns are named by their dotted names, quoted
 * ("campaign.group3.conversion_rate"), so `SELECT` reads naturally.
 * Wall-clock times live in their own table: every other table depends
 * only on the sweep and the code, which fsn_store_dump makes checkable.
 *
 * Exports (runs.csv, points.csv) are built in memory and written
 * atomically, with the project's round-trip number format.
 */
#include "fission/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fission/output.h"
#include "fission/stats.h"
#include "text.h"

struct fsn_store {
    sqlite3 *db;
    char path[1024];
    sqlite3_stmt *ins_run, *ins_time, *ins_fail;
    int in_tx;
    size_t nmetrics, naxes;
    uint32_t reps;
    uint64_t seed;
    char **metrics;           /* kept metric names */
    int lock_fd;              /* a writer's lock on PATH.lock, -1 for readers */
};

/* A writer holds an exclusive lock (fcntl, released when the process
 * ends, however it ends) on PATH.lock, so that a second sweep started on
 * the same folder is refused rather than replacing or doubling the
 * first one's store. Readers take no lock. */
static fsn_err_t take_lock(const char *path, int *fd, fsn_error_t *err) {
    char lp[1100];
    snprintf(lp, sizeof lp, "%s.lock", path);
    int f = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (f < 0) return fsn_error_set(err, FSN_EIO, "%s: cannot create: %s", lp, strerror(errno));
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(f, F_SETLK, &fl) == -1) {
        close(f);
        return fsn_error_set(err, FSN_ESTATE,
                             "%s is in use by another running sweep (%s is locked); wait for it to end, or use another --out",
                             path, lp);
    }
    *fd = f;
    return FSN_OK;
}

static fsn_err_t db_err(fsn_store_t *s, fsn_error_t *err, const char *what) {
    return fsn_error_set(err, FSN_EIO, "%s: %s: %s", s->path, what, s->db ? sqlite3_errmsg(s->db) : "cannot open");
}

static fsn_err_t exec(fsn_store_t *s, const char *sql, fsn_error_t *err) {
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fsn_err_t rc = fsn_error_set(err, FSN_EIO, "%s: %s", s->path, msg ? msg : "SQLite error");
        sqlite3_free(msg);
        return rc;
    }
    return FSN_OK;
}

/* An SQL identifier: name in double quotes, quotes doubled. */
static void tb_ident(fsn_tb_t *b, const char *name) {
    fsn_tb_printf(b, "\"");
    for (const char *p = name; *p; p++) fsn_tb_printf(b, *p == '"' ? "\"\"" : "%c", *p);
    fsn_tb_printf(b, "\"");
}

static void free_metrics(fsn_store_t *s) {
    if (!s->metrics) return;
    for (size_t i = 0; i < s->nmetrics; i++) free(s->metrics[i]);
    free(s->metrics);
    s->metrics = NULL;
}

void fsn_store_close(fsn_store_t *s) {
    if (!s) return;
    if (s->in_tx) sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(s->ins_run);
    sqlite3_finalize(s->ins_time);
    sqlite3_finalize(s->ins_fail);
    sqlite3_close(s->db);
    if (s->lock_fd >= 0) close(s->lock_fd);
    free_metrics(s);
    free(s);
}

static fsn_err_t get_meta(fsn_store_t *s, const char *key, char *buf, size_t cap, int *found, fsn_error_t *err) {
    sqlite3_stmt *st;
    *found = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
        return db_err(s, err, "reading meta");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(buf, cap, "%s", v ? (const char *)v : "");
        *found = 1;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE) return db_err(s, err, "reading meta");
    return FSN_OK;
}

fsn_err_t fsn_store_meta(fsn_store_t *s, const char *key, char *buf, size_t cap, fsn_error_t *err) {
    FSN_REQUIRE(s && key && buf && cap);
    int found;
    fsn_err_t rc = get_meta(s, key, buf, cap, &found, err);
    if (rc) return rc;
    if (!found) return fsn_error_set(err, FSN_EINVAL, "%s: no meta entry '%s'", s->path, key);
    return FSN_OK;
}

/* Read the cached shape (metric names, axes count, reps, seed). */
static fsn_err_t load_shape(fsn_store_t *s, fsn_error_t *err) {
    char buf[64];
    int found;
    fsn_err_t rc = get_meta(s, "format", buf, sizeof buf, &found, err);
    if (rc) return rc;
    if (!found || strcmp(buf, FSN_STORE_FORMAT))
        return fsn_error_set(err, FSN_EINVAL, "%s: not a fission sweep store of format %s", s->path, FSN_STORE_FORMAT);
    if ((rc = get_meta(s, "replicates", buf, sizeof buf, &found, err))) return rc;
    s->reps = found ? (uint32_t)strtoul(buf, NULL, 10) : 0;
    if ((rc = get_meta(s, "seed", buf, sizeof buf, &found, err))) return rc;
    s->seed = found ? strtoull(buf, NULL, 10) : 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM axes", -1, &st, NULL) != SQLITE_OK)
        return db_err(s, err, "reading axes");
    if (sqlite3_step(st) == SQLITE_ROW) s->naxes = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM metrics ORDER BY metric", -1, &st, NULL) != SQLITE_OK)
        return db_err(s, err, "reading metrics");
    size_t cap = 0;
    free_metrics(s);
    s->nmetrics = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->nmetrics == cap) {
            cap = cap ? 2 * cap : 16;
            char **m = realloc(s->metrics, cap * sizeof *m);
            if (!m) {
                sqlite3_finalize(st);
                return fsn_error_set(err, FSN_ENOMEM, "%s: out of memory", s->path);
            }
            s->metrics = m;
        }
        const unsigned char *t = sqlite3_column_text(st, 0);
        s->metrics[s->nmetrics] = strdup(t ? (const char *)t : "");
        if (!s->metrics[s->nmetrics]) {
            sqlite3_finalize(st);
            return fsn_error_set(err, FSN_ENOMEM, "%s: out of memory", s->path);
        }
        s->nmetrics++;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) return db_err(s, err, "reading metrics");
    return FSN_OK;
}

static fsn_err_t open_db(const char *path, int flags, fsn_store_t **out, fsn_error_t *err) {
    fsn_store_t *s = calloc(1, sizeof *s);
    if (!s) return fsn_error_set(err, FSN_ENOMEM, "%s: out of memory", path);
    snprintf(s->path, sizeof s->path, "%s", path);
    s->lock_fd = -1;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        fsn_err_t rc = fsn_error_set(err, FSN_EIO, "%s: cannot open: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        fsn_store_close(s);
        return rc;
    }
    sqlite3_busy_timeout(s->db, 5000);
    *out = s;
    return FSN_OK;
}

static int table_exists(fsn_store_t *s, const char *name) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

fsn_err_t fsn_store_open_readonly(const char *path, fsn_store_t **out, fsn_error_t *err) {
    FSN_REQUIRE(path && out);
    *out = NULL;
    if (access(path, R_OK)) return fsn_error_set(err, FSN_EIO, "%s: cannot open: no such readable file", path);
    fsn_store_t *s;
    fsn_err_t rc = open_db(path, SQLITE_OPEN_READONLY, &s, err);
    if (rc) return rc;
    if (!table_exists(s, "meta")) {
        rc = fsn_error_set(err, FSN_EINVAL, "%s: not a fission sweep store (no meta table)", path);
        fsn_store_close(s);
        return rc;
    }
    if ((rc = load_shape(s, err))) {
        fsn_store_close(s);
        return rc;
    }
    *out = s;
    return FSN_OK;
}

fsn_err_t fsn_store_run_count(fsn_store_t *s, uint64_t *count, fsn_error_t *err) {
    FSN_REQUIRE(s && count);
    sqlite3_stmt *st;
    *count = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM runs", -1, &st, NULL) != SQLITE_OK)
        return db_err(s, err, "counting runs");
    if (sqlite3_step(st) == SQLITE_ROW) *count = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return FSN_OK;
}

fsn_err_t fsn_store_info(fsn_store_t *s, fsn_store_info_t *out, fsn_error_t *err) {
    FSN_REQUIRE(s && out);
    memset(out, 0, sizeof *out);
    char buf[64];
    int found;
    fsn_err_t rc = get_meta(s, "design", out->design, sizeof out->design, &found, err);
    if (!rc) rc = get_meta(s, "size", buf, sizeof buf, &found, err);
    if (rc) return rc;
    out->size = found ? (size_t)strtoull(buf, NULL, 10) : 0;
    if ((rc = get_meta(s, "levels", buf, sizeof buf, &found, err))) return rc;
    out->levels = found ? (unsigned)strtoul(buf, NULL, 10) : 0;
    out->reps = s->reps;
    out->seed = s->seed;
    out->naxes = s->naxes;
    out->nmetrics = s->nmetrics;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM points", -1, &st, NULL) != SQLITE_OK)
        return db_err(s, err, "reading points");
    if (sqlite3_step(st) == SQLITE_ROW) out->npoints = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return FSN_OK;
}

fsn_err_t fsn_store_axis(fsn_store_t *s, size_t axis, char *path, size_t cap, double *lo, double *hi,
                         fsn_error_t *err) {
    FSN_REQUIRE(s);
    if (axis >= s->naxes) return fsn_error_set(err, FSN_EINVAL, "%s: axis %zu out of range (%zu axes)", s->path, axis, s->naxes);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT path, lo, hi FROM axes WHERE axis = ?", -1, &st, NULL) != SQLITE_OK)
        return db_err(s, err, "reading axes");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)axis);
    fsn_err_t rc = FSN_OK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        if (path && cap) snprintf(path, cap, "%s", t ? (const char *)t : "");
        if (lo) *lo = sqlite3_column_type(st, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 1);
        if (hi) *hi = sqlite3_column_type(st, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 2);
    } else {
        rc = fsn_error_set(err, FSN_EINVAL, "%s: axis %zu missing", s->path, axis);
    }
    sqlite3_finalize(st);
    return rc;
}

fsn_err_t fsn_store_metric_name(fsn_store_t *s, size_t m, char *name, size_t cap, fsn_error_t *err) {
    FSN_REQUIRE(s && name && cap);
    if (m >= s->nmetrics)
        return fsn_error_set(err, FSN_EINVAL, "%s: metric %zu out of range (%zu metrics)", s->path, m, s->nmetrics);
    snprintf(name, cap, "%s", s->metrics[m]);
    return FSN_OK;
}

fsn_err_t fsn_store_point_units(fsn_store_t *s, double *u, fsn_error_t *err) {
    FSN_REQUIRE(s && u);
    fsn_store_info_t info;
    fsn_err_t rc = fsn_store_info(s, &info, err);
    if (rc) return rc;
    for (size_t i = 0; i < info.npoints * info.naxes; i++) u[i] = NAN;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT point, axis, u FROM point_units", -1, &st, NULL) != SQLITE_OK)
        return db_err(s, err, "reading point_units");
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 p = sqlite3_column_int64(st, 0), a = sqlite3_column_int64(st, 1);
        if (p >= 0 && (size_t)p < info.npoints && a >= 0 && (size_t)a < info.naxes)
            u[(size_t)p * info.naxes + (size_t)a] = sqlite3_column_double(st, 2);
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? FSN_OK : db_err(s, err, "reading point_units");
}

static long metric_index(const fsn_store_t *s, const char *name) {
    for (size_t i = 0; i < s->nmetrics; i++)
        if (!strcmp(s->metrics[i], name)) return (long)i;
    return -1;
}

fsn_err_t fsn_store_point_means(fsn_store_t *s, const char *metric, double *out, fsn_error_t *err) {
    FSN_REQUIRE(s && metric && out);
    if (metric_index(s, metric) < 0)
        return fsn_error_set(err, FSN_EINVAL, "%s: no metric '%s' in the store", s->path, metric);
    fsn_store_info_t info;
    fsn_err_t rc = fsn_store_info(s, &info, err);
    if (rc) return rc;
    for (size_t p = 0; p < info.npoints; p++) out[p] = NAN;
    fsn_tb_t q = {0};
    fsn_tb_printf(&q, "SELECT point, AVG(");
    tb_ident(&q, metric);
    fsn_tb_printf(&q, ") FROM runs GROUP BY point");
    if (q.fail) {
        free(q.s);
        return fsn_error_set(err, FSN_ENOMEM, "out of memory");
    }
    sqlite3_stmt *st;
    int ok = sqlite3_prepare_v2(s->db, q.s, -1, &st, NULL) == SQLITE_OK;
    free(q.s);
    if (!ok) return db_err(s, err, "reading runs");
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 p = sqlite3_column_int64(st, 0);
        if (p >= 0 && (size_t)p < info.npoints && sqlite3_column_type(st, 1) != SQLITE_NULL)
            out[p] = sqlite3_column_double(st, 1);
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? FSN_OK : db_err(s, err, "reading runs");
}

/* ------------------------------------------------------------------ */
/* Writing                                                            */
/* ------------------------------------------------------------------ */

static fsn_err_t prepare_writers(fsn_store_t *s, fsn_error_t *err) {
    fsn_tb_t q = {0};
    fsn_tb_printf(&q, "INSERT INTO runs VALUES (?, ?, ?, ?");
    for (size_t m = 0; m < s->nmetrics; m++) fsn_tb_printf(&q, ", ?");
    fsn_tb_printf(&q, ")");
    if (q.fail) {
        free(q.s);
        return fsn_error_set(err, FSN_ENOMEM, "out of memory");
    }
    int ok = sqlite3_prepare_v2(s->db, q.s, -1, &s->ins_run, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO timings VALUES (?, ?, ?)", -1, &s->ins_time, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO failures VALUES (?, ?, ?)", -1, &s->ins_fail, NULL) == SQLITE_OK;
    free(q.s);
    return ok ? FSN_OK : db_err(s, err, "preparing inserts");
}

static fsn_err_t set_journal(fsn_store_t *s, fsn_error_t *err) {
    fsn_err_t rc = exec(s, "PRAGMA journal_mode = WAL", err);
    if (!rc) rc = exec(s, "PRAGMA synchronous = NORMAL", err);
    return rc;
}

static void bind_num(sqlite3_stmt *st, int i, double x) {
    if (isfinite(x)) sqlite3_bind_double(st, i, x);
    else sqlite3_bind_null(st, i);
}

fsn_err_t fsn_store_create(const char *path, const fsn_store_spec_t *spec, fsn_store_t **out,
                           fsn_error_t *err) {
    FSN_REQUIRE(path && spec && out && (spec->naxes == 0 || spec->axes));
    *out = NULL;
    int lock = -1;
    fsn_err_t lrc = take_lock(path, &lock, err);
    if (lrc) return lrc;
    /* an existing store with runs is kept; anything else is replaced */
    if (access(path, F_OK) == 0) {
        fsn_store_t *old = NULL;
        fsn_error_t e2 = {0};
        uint64_t n = 0;
        if (fsn_store_open_readonly(path, &old, &e2) == FSN_OK && fsn_store_run_count(old, &n, &e2) == FSN_OK && n > 0) {
            fsn_store_close(old);
            close(lock);
            return fsn_error_set(err, FSN_ESTATE,
                                 "%s already holds %" PRIu64 " runs of a sweep; use --resume to continue it, or another --out",
                                 path, n);
        }
        fsn_store_close(old);
        char side[1100];
        remove(path);
        snprintf(side, sizeof side, "%s-wal", path);
        remove(side);
        snprintf(side, sizeof side, "%s-shm", path);
        remove(side);
        snprintf(side, sizeof side, "%s-journal", path);
        remove(side);
    }
    for (size_t i = 0; i < spec->naxes; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(spec->axes[i].path, spec->axes[j].path)) {
                close(lock);
                return fsn_error_set(err, FSN_EINVAL, "two axes with the path '%s'", spec->axes[i].path);
            }
    for (size_t i = 0; i < spec->nmetrics; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(spec->metrics[i], spec->metrics[j])) {
                close(lock);
                return fsn_error_set(err, FSN_EINVAL, "the metric '%s' is kept twice", spec->metrics[i]);
            }
    fsn_store_t *s;
    fsn_err_t rc = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &s, err);
    if (rc) {
        close(lock);
        return rc;
    }
    s->lock_fd = lock;
    rc = set_journal(s, err);
    fsn_tb_t q = {0};
    if (!rc) rc = exec(s, "BEGIN", err);
    if (!rc) {
        fsn_tb_printf(&q,
                      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);\n"
                      "CREATE TABLE axes(axis INTEGER PRIMARY KEY, path TEXT, kind TEXT, lo REAL, hi REAL, is_integer INTEGER);\n"
                      "CREATE TABLE metrics(metric INTEGER PRIMARY KEY, name TEXT);\n"
                      "CREATE TABLE point_units(point INTEGER, axis INTEGER, u REAL, PRIMARY KEY(point, axis));\n"
                      "CREATE TABLE failures(point INTEGER, rep INTEGER, message TEXT, PRIMARY KEY(point, rep));\n"
                      "CREATE TABLE timings(point INTEGER, rep INTEGER, seconds REAL, PRIMARY KEY(point, rep));\n"
                      "CREATE TABLE points(point INTEGER PRIMARY KEY");
        for (size_t a = 0; a < spec->naxes; a++) {
            fsn_tb_printf(&q, ", ");
            tb_ident(&q, spec->axes[a].path);
        }
        fsn_tb_printf(&q, ");\nCREATE TABLE runs(point INTEGER, rep INTEGER, seed INTEGER, events INTEGER");
        for (size_t m = 0; m < spec->nmetrics; m++) {
            fsn_tb_printf(&q, ", ");
            tb_ident(&q, spec->metrics[m]);
            fsn_tb_printf(&q, " REAL");
        }
        fsn_tb_printf(&q, ", PRIMARY KEY(point, rep));\n");
        if (q.fail) rc = fsn_error_set(err, FSN_ENOMEM, "out of memory");
        else rc = exec(s, q.s, err);
    }
    free(q.s);
    sqlite3_stmt *st = NULL;
    /* meta */
    if (!rc && sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK)
        rc = db_err(s, err, "writing meta");
    if (!rc) {
        char nums[5][32];
        snprintf(nums[0], sizeof nums[0], "%zu", spec->size);
        snprintf(nums[1], sizeof nums[1], "%u", spec->levels);
        snprintf(nums[2], sizeof nums[2], "%u", spec->reps);
        snprintf(nums[3], sizeof nums[3], "%" PRIu64, spec->seed);
        const char *k[] = {"format", "design", "size", "levels", "replicates", "seed"};
        const char *v[] = {FSN_STORE_FORMAT, spec->design ? spec->design : "", nums[0], nums[1], nums[2], nums[3]};
        for (size_t i = 0; i < 6 + spec->nmeta && !rc; i++) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, i < 6 ? k[i] : spec->meta_keys[i - 6], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, i < 6 ? v[i] : spec->meta_values[i - 6], -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) rc = db_err(s, err, "writing meta");
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    /* axes */
    if (!rc && sqlite3_prepare_v2(s->db, "INSERT INTO axes VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        rc = db_err(s, err, "writing axes");
    for (size_t a = 0; a < spec->naxes && !rc; a++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)a);
        sqlite3_bind_text(st, 2, spec->axes[a].path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, spec->axes[a].kind, -1, SQLITE_STATIC);
        bind_num(st, 4, spec->axes[a].lo);
        bind_num(st, 5, spec->axes[a].hi);
        sqlite3_bind_int(st, 6, spec->axes[a].is_integer ? 1 : 0);
        if (sqlite3_step(st) != SQLITE_DONE) rc = db_err(s, err, "writing axes");
    }
    sqlite3_finalize(st);
    st = NULL;
    /* metrics */
    if (!rc && sqlite3_prepare_v2(s->db, "INSERT INTO metrics VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK)
        rc = db_err(s, err, "writing metrics");
    for (size_t m = 0; m < spec->nmetrics && !rc; m++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)m);
        sqlite3_bind_text(st, 2, spec->metrics[m], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) rc = db_err(s, err, "writing metrics");
    }
    sqlite3_finalize(st);
    st = NULL;
    /* points and their units */
    sqlite3_stmt *su = NULL;
    if (!rc) {
        fsn_tb_t pq = {0};
        fsn_tb_printf(&pq, "INSERT INTO points VALUES (?");
        for (size_t a = 0; a < spec->naxes; a++) fsn_tb_printf(&pq, ", ?");
        fsn_tb_printf(&pq, ")");
        if (pq.fail) rc = fsn_error_set(err, FSN_ENOMEM, "out of memory");
        else if (sqlite3_prepare_v2(s->db, pq.s, -1, &st, NULL) != SQLITE_OK ||
                 sqlite3_prepare_v2(s->db, "INSERT INTO point_units VALUES (?, ?, ?)", -1, &su, NULL) != SQLITE_OK)
            rc = db_err(s, err, "writing points");
        free(pq.s);
    }
    for (size_t p = 0; p < spec->npoints && !rc; p++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)p);
        for (size_t a = 0; a < spec->naxes; a++) {
            size_t i = p * spec->naxes + a;
            const char *t = spec->texts ? spec->texts[i] : NULL;
            if (t) sqlite3_bind_text(st, (int)a + 2, t, -1, SQLITE_STATIC);
            else if (spec->axes[a].is_integer && isfinite(spec->values[i]) && fabs(spec->values[i]) < 9e18)
                sqlite3_bind_int64(st, (int)a + 2, (sqlite3_int64)llround(spec->values[i]));
            else bind_num(st, (int)a + 2, spec->values[i]);
            sqlite3_reset(su);
            sqlite3_bind_int64(su, 1, (sqlite3_int64)p);
            sqlite3_bind_int64(su, 2, (sqlite3_int64)a);
            bind_num(su, 3, spec->u[i]);
            if (sqlite3_step(su) != SQLITE_DONE) {
                rc = db_err(s, err, "writing point_units");
                break;
            }
        }
        if (!rc && sqlite3_step(st) != SQLITE_DONE) rc = db_err(s, err, "writing points");
    }
    sqlite3_finalize(st);
    sqlite3_finalize(su);
    if (!rc) rc = exec(s, "COMMIT", err);
    if (!rc) rc = load_shape(s, err);
    if (!rc) rc = prepare_writers(s, err);
    if (rc) {
        fsn_store_close(s);
        remove(path);
        return rc;
    }
    *out = s;
    return FSN_OK;
}

fsn_err_t fsn_store_open_resume(const char *path, const char *hash, fsn_store_t **out, fsn_error_t *err) {
    FSN_REQUIRE(path && hash && out);
    *out = NULL;
    if (access(path, R_OK | W_OK))
        return fsn_error_set(err, FSN_EIO, "%s: cannot resume: no such writable store", path);
    int lock = -1;
    fsn_err_t rc = take_lock(path, &lock, err);
    if (rc) return rc;
    fsn_store_t *s;
    rc = open_db(path, SQLITE_OPEN_READWRITE, &s, err);
    if (rc) {
        close(lock);
        return rc;
    }
    s->lock_fd = lock;
    if (!table_exists(s, "meta")) rc = fsn_error_set(err, FSN_EINVAL, "%s: not a fission sweep store (no meta table)", path);
    if (!rc) rc = load_shape(s, err);
    char old[80];
    int found = 0;
    if (!rc) rc = get_meta(s, "sweep_hash", old, sizeof old, &found, err);
    if (!rc && (!found || strcmp(old, hash)))
        rc = fsn_error_set(err, FSN_ESTATE,
                           "%s was made by another sweep (its sweep file or --set differ: hash %s, this one %s); "
                           "run the original sweep file, or start afresh with another --out",
                           path, found ? old : "none", hash);
    if (!rc) rc = set_journal(s, err);
    if (!rc) rc = exec(s, "DELETE FROM failures", err);
    if (!rc) rc = prepare_writers(s, err);
    if (rc) {
        fsn_store_close(s);
        return rc;
    }
    *out = s;
    return FSN_OK;
}

fsn_err_t fsn_store_done(fsn_store_t *s, uint8_t *done, uint64_t *count, fsn_error_t *err) {
    FSN_REQUIRE(s && done);
    fsn_store_info_t info;
    fsn_err_t rc = fsn_store_info(s, &info, err);
    if (rc) return rc;
    memset(done, 0, info.npoints * info.reps);
    uint64_t n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT point, rep FROM runs", -1, &st, NULL) != SQLITE_OK)
        return db_err(s, err, "reading runs");
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 p = sqlite3_column_int64(st, 0), k = sqlite3_column_int64(st, 1);
        if (p >= 0 && (size_t)p < info.npoints && k >= 0 && (uint64_t)k < info.reps) {
            done[(size_t)p * info.reps + (size_t)k] = 1;
            n++;
        }
    }
    sqlite3_finalize(st);
    if (count) *count = n;
    return r == SQLITE_DONE ? FSN_OK : db_err(s, err, "reading runs");
}

static fsn_err_t begin_tx(fsn_store_t *s, fsn_error_t *err) {
    if (s->in_tx) return FSN_OK;
    fsn_err_t rc = exec(s, "BEGIN", err);
    if (!rc) s->in_tx = 1;
    return rc;
}

fsn_err_t fsn_store_put_run(fsn_store_t *s, uint64_t point, uint32_t rep, uint64_t events,
                            const double *metrics, double seconds, fsn_error_t *err) {
    FSN_REQUIRE(s && s->ins_run && (metrics || s->nmetrics == 0));
    fsn_err_t rc = begin_tx(s, err);
    if (rc) return rc;
    sqlite3_stmt *st = s->ins_run;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)point);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)rep);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)s->seed);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)events);
    for (size_t m = 0; m < s->nmetrics; m++) bind_num(st, (int)m + 5, metrics[m]);
    if (sqlite3_step(st) != SQLITE_DONE) return db_err(s, err, "storing a run");
    st = s->ins_time;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)point);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)rep);
    bind_num(st, 3, seconds);
    if (sqlite3_step(st) != SQLITE_DONE) return db_err(s, err, "storing a timing");
    return FSN_OK;
}

fsn_err_t fsn_store_put_failure(fsn_store_t *s, uint64_t point, uint32_t rep, const char *msg,
                                fsn_error_t *err) {
    FSN_REQUIRE(s && s->ins_fail);
    fsn_err_t rc = begin_tx(s, err);
    if (rc) return rc;
    sqlite3_stmt *st = s->ins_fail;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)point);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)rep);
    sqlite3_bind_text(st, 3, msg ? msg : "", -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) return db_err(s, err, "storing a failure");
    return FSN_OK;
}

fsn_err_t fsn_store_commit(fsn_store_t *s, fsn_error_t *err) {
    FSN_REQUIRE(s);
    if (!s->in_tx) return FSN_OK;
    fsn_err_t rc = exec(s, "COMMIT", err);
    if (!rc) s->in_tx = 0;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Dump and export                                                    */
/* ------------------------------------------------------------------ */

/* A column value as CSV text (NULL and non-finite: empty). */
static void tb_csv_value(fsn_tb_t *b, sqlite3_stmt *st, int i) {
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: fsn_tb_printf(b, "%lld", (long long)sqlite3_column_int64(st, i)); break;
    case SQLITE_FLOAT: fsn_tb_num(b, sqlite3_column_double(st, i), ""); break;
    case SQLITE_NULL: break;
    default: {
        const unsigned char *t = sqlite3_column_text(st, i);
        fsn_tb_csv_str(b, t ? (const char *)t : "");
    }
    }
}

fsn_err_t fsn_store_dump(fsn_store_t *s, char **text, fsn_error_t *err) {
    FSN_REQUIRE(s && text);
    *text = NULL;
    static const char *const q[][2] = {
        {"meta", "SELECT * FROM meta ORDER BY key"},
        {"axes", "SELECT * FROM axes ORDER BY axis"},
        {"metrics", "SELECT * FROM metrics ORDER BY metric"},
        {"points", "SELECT * FROM points ORDER BY point"},
        {"point_units", "SELECT * FROM point_units ORDER BY point, axis"},
        {"runs", "SELECT * FROM runs ORDER BY point, rep"},
        {"failures", "SELECT * FROM failures ORDER BY point, rep"},
    };
    fsn_tb_t b = {0};
    for (size_t t = 0; t < sizeof q / sizeof q[0]; t++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, q[t][1], -1, &st, NULL) != SQLITE_OK) {
            free(b.s);
            return db_err(s, err, "dumping");
        }
        fsn_tb_printf(&b, "[%s]\n", q[t][0]);
        int nc = sqlite3_column_count(st);
        for (int c = 0; c < nc; c++) fsn_tb_printf(&b, "%s%s", c ? "|" : "", sqlite3_column_name(st, c));
        fsn_tb_printf(&b, "\n");
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            for (int c = 0; c < nc; c++) {
                if (c) fsn_tb_printf(&b, "|");
                if (sqlite3_column_type(st, c) == SQLITE_NULL) fsn_tb_printf(&b, "NULL");
                else if (sqlite3_column_type(st, c) == SQLITE_TEXT) fsn_tb_printf(&b, "%s", (const char *)sqlite3_column_text(st, c));
                else tb_csv_value(&b, st, c);
            }
            fsn_tb_printf(&b, "\n");
        }
        sqlite3_finalize(st);
        if (r != SQLITE_DONE) {
            free(b.s);
            return db_err(s, err, "dumping");
        }
    }
    if (b.fail) {
        free(b.s);
        return fsn_error_set(err, FSN_ENOMEM, "out of memory dumping %s", s->path);
    }
    *text = b.s;
    return FSN_OK;
}

static fsn_err_t write_file(const char *dir, const char *name, fsn_tb_t *b, fsn_error_t *err) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (b->fail) return fsn_error_set(err, FSN_ENOMEM, "%s: out of memory", path);
    return fsn_write_atomic(path, b->s ? b->s : "", b->len, err);
}

fsn_err_t fsn_store_export(fsn_store_t *s, const char *dir, fsn_error_t *err) {
    FSN_REQUIRE(s && dir);
    if (s->in_tx) {
        fsn_err_t rc = fsn_store_commit(s, err);
        if (rc) return rc;
    }
    fsn_store_info_t info;
    fsn_err_t rc = fsn_store_info(s, &info, err);
    if (rc) return rc;
    const size_t nm = s->nmetrics, reps = info.reps ? info.reps : 1;
    /* runs.csv */
    fsn_tb_t b = {0};
    fsn_tb_printf(&b, "point,rep,seed,events");
    for (size_t m = 0; m < nm; m++) {
        fsn_tb_printf(&b, ",");
        fsn_tb_csv_str(&b, s->metrics[m]);
    }
    fsn_tb_printf(&b, "\n");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT * FROM runs ORDER BY point, rep", -1, &st, NULL) != SQLITE_OK) {
        free(b.s);
        return db_err(s, err, "reading runs");
    }
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < 4 + (int)nm; c++) {
            if (c) fsn_tb_printf(&b, ",");
            tb_csv_value(&b, st, c);
        }
        fsn_tb_printf(&b, "\n");
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) rc = db_err(s, err, "reading runs");
    if (!rc) rc = write_file(dir, "runs.csv", &b, err);
    free(b.s);
    if (rc) return rc;

    /* points.csv: points merged with their runs, both in point order */
    memset(&b, 0, sizeof b);
    fsn_tb_printf(&b, "point");
    for (size_t a = 0; a < info.naxes; a++) {
        char path[512];
        if ((rc = fsn_store_axis(s, a, path, sizeof path, NULL, NULL, err))) {
            free(b.s);
            return rc;
        }
        fsn_tb_printf(&b, ",");
        fsn_tb_csv_str(&b, path);
    }
    fsn_tb_printf(&b, ",reps");
    for (size_t m = 0; m < nm; m++) {
        static const char *const suf[] = {".mean", ".ci_lo", ".ci_hi"};
        for (int k = 0; k < 3; k++) {
            char name[600];
            snprintf(name, sizeof name, "%s%s", s->metrics[m], suf[k]);
            fsn_tb_printf(&b, ",");
            fsn_tb_csv_str(&b, name);
        }
    }
    fsn_tb_printf(&b, "\n");
    double *vals = malloc((reps * nm + 1) * sizeof *vals);
    double *x = malloc((reps + 1) * sizeof *x), *scratch = malloc((reps + 1) * sizeof *scratch);
    sqlite3_stmt *sp = NULL, *sr = NULL;
    if (!vals || !x || !scratch) rc = fsn_error_set(err, FSN_ENOMEM, "out of memory exporting %s", s->path);
    if (!rc && (sqlite3_prepare_v2(s->db, "SELECT * FROM points ORDER BY point", -1, &sp, NULL) != SQLITE_OK ||
                sqlite3_prepare_v2(s->db, "SELECT * FROM runs ORDER BY point, rep", -1, &sr, NULL) != SQLITE_OK))
        rc = db_err(s, err, "reading points");
    int rr = SQLITE_DONE;
    if (!rc) rr = sqlite3_step(sr);
    while (!rc && (r = sqlite3_step(sp)) == SQLITE_ROW) {
        sqlite3_int64 p = sqlite3_column_int64(sp, 0);
        size_t n = 0;
        while (rr == SQLITE_ROW && sqlite3_column_int64(sr, 0) < p) rr = sqlite3_step(sr);
        while (rr == SQLITE_ROW && sqlite3_column_int64(sr, 0) == p) {
            if (n < reps)
                for (size_t m = 0; m < nm; m++)
                    vals[n * nm + m] = sqlite3_column_type(sr, 4 + (int)m) == SQLITE_NULL ? NAN
                                                                                        : sqlite3_column_double(sr, 4 + (int)m);
            n++;
            rr = sqlite3_step(sr);
        }
        if (n > reps) n = reps;
        fsn_tb_printf(&b, "%lld", (long long)p);
        for (size_t a = 0; a < info.naxes; a++) {
            fsn_tb_printf(&b, ",");
            tb_csv_value(&b, sp, 1 + (int)a);
        }
        fsn_tb_printf(&b, ",%zu", n);
        for (size_t m = 0; m < nm; m++) {
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (isfinite(vals[i * nm + m])) x[k++] = vals[i * nm + m];
            fsn_summary_t sum;
            fsn_stats_summarize(x, k, scratch, &sum);
            fsn_tb_printf(&b, ",");
            fsn_tb_num(&b, k ? sum.mean : NAN, "");
            fsn_tb_printf(&b, ",");
            fsn_tb_num(&b, k ? sum.ci_lo : NAN, "");
            fsn_tb_printf(&b, ",");
            fsn_tb_num(&b, k ? sum.ci_hi : NAN, "");
        }
        fsn_tb_printf(&b, "\n");
    }
    if (!rc && r != SQLITE_DONE) rc = db_err(s, err, "reading points");
    sqlite3_finalize(sp);
    sqlite3_finalize(sr);
    free(vals);
    free(x);
    free(scratch);
    if (!rc) rc = write_file(dir, "points.csv", &b, err);
    free(b.s);
    return rc;
}
