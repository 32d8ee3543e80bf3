/*
 * cli/sweep_cmd.c: fission sweep FILE, fission sweep export DIR.
 *
 * Everything that can be wrong with the input is found before anything
 * is created: the sweep file's keys, every point's scenario, the first
 * point's graph and the metric names. Then the store is created (or
 * reopened with --resume), the missing units run on every core, and the
 * exports are written. The person at the terminal sees a progress line
 * at most four times a second when stderr is a terminal, and a summary
 * at the end in any case. Ctrl-C stops cleanly: the running units finish
 * and are committed, the exports are written from what is stored, and
 * the summary says how to resume. Exit codes: 0 success, 1 failures or
 * an interruption while running, 2 bad usage or bad input.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fission/output.h"
#include "fission/store.h"
#include "fission/sweep.h"

#ifndef FISSION_VERSION
#define FISSION_VERSION "0.1.0"
#endif
#ifndef FISSION_GIT_REV
#define FISSION_GIT_REV "unknown"
#endif

static const char *usage_sweep =
    "usage: fission sweep FILE [--out DIR] [--threads T] [--resume] [--set PATH=VALUE]... [--quiet] [--mpi]\n"
    "       fission sweep export DIR\n"
    "\n"
    "Runs a parameter sweep (docs/SWEEPS.md): the sweep file names a base scenario,\n"
    "axes (scenario keys with values, a range or a distribution), a design (grid,\n"
    "random, lhs, sobol, saltelli, morris), replicates per point, the metrics to keep\n"
    "and a seed. Every (point, replicate) run is stored in DIR/sweep.db (SQLite) as it\n"
    "finishes; DIR/runs.csv and DIR/points.csv are written at the end.\n"
    "\n"
    "  --out DIR      output folder (default runs/<sweep file name>)\n"
    "  --threads T    worker threads (default: every core)\n"
    "  --resume       continue the sweep stored in DIR: run only the missing runs\n"
    "  --set P=V      override a scenario key for every point (enters the sweep's hash)\n"
    "  --quiet        no progress line\n"
    "  --mpi          run over MPI ranks: rank 0 stores, the others run units on\n"
    "                 their threads (mpirun -np N fission sweep FILE --mpi; docs/SWEEPS.md)\n"
    "\n"
    "`fission sweep export DIR` rewrites DIR/runs.csv and DIR/points.csv from DIR/sweep.db.\n"
    "Ctrl-C stops cleanly: the running runs finish and are stored; --resume continues.\n";


static void print_diags(const fsn_diags_t *d) {
    size_t shown = d->count < FSN_DIAG_MAX ? d->count : FSN_DIAG_MAX;
    for (size_t i = 0; i < shown; i++) fprintf(stderr, "%s\n", d->msg[i]);
    if (d->count > shown) fprintf(stderr, "(%zu more errors not shown)\n", d->count - shown);
}

/* ------------------------------------------------------------------ */
/* Source, sink, progress                                             */
/* ------------------------------------------------------------------ */

typedef struct source {
    const uint8_t *done;
    size_t npoints;
    uint32_t reps;
    uint64_t next;                /* p * reps + r */
} source_t;

static int source_next(void *ctx, fsn_sweep_unit_t *u) {
    source_t *s = ctx;
    const uint64_t total = (uint64_t)s->npoints * s->reps;
    while (s->next < total && s->done[s->next]) s->next++;
    if (s->next >= total) return 0;
    u->point = s->next / s->reps;
    u->rep = (uint32_t)(s->next % s->reps);
    s->next++;
    return 1;
}

typedef struct sink {
    fsn_store_t *store;
    const size_t *idx;
    size_t nkept;
    double *kept;
    uint32_t *left;               /* runs still missing, per point */
    size_t points_done;
    uint64_t stored, failed;
    unsigned since_commit;        /* runs since the last commit */
    char first_failure[FSN_ERROR_MSG_MAX + 64];
} sink_t;

enum { COMMIT_RUNS = 32 };

static fsn_err_t sink_flush(void *ctx, fsn_error_t *err);

static fsn_err_t sink_put(void *ctx, const fsn_sweep_outcome_t *o, fsn_error_t *err) {
    sink_t *s = ctx;
    if (o->rc) {
        s->failed++;
        if (!s->first_failure[0])
            snprintf(s->first_failure, sizeof s->first_failure, "point %" PRIu64 ", replicate %u: %s", o->unit.point,
                     o->unit.rep, o->msg);
        return fsn_store_put_failure(s->store, o->unit.point, o->unit.rep, o->msg, err);
    }
    for (size_t m = 0; m < s->nkept; m++) s->kept[m] = s->idx[m] < o->nmetrics ? o->metrics[s->idx[m]] : NAN;
    fsn_err_t rc = fsn_store_put_run(s->store, o->unit.point, o->unit.rep, o->events, s->kept, o->seconds, err);
    if (!rc) {
        s->stored++;
        if (--s->left[o->unit.point] == 0) s->points_done++;
        /* commit every COMMIT_RUNS runs, besides the executor's flush
         * about once a second: little is lost to a kill either way */
        if (++s->since_commit >= COMMIT_RUNS) rc = sink_flush(s, err);
    }
    return rc;
}

static fsn_err_t sink_flush(void *ctx, fsn_error_t *err) {
    sink_t *s = ctx;
    s->since_commit = 0;
    return fsn_store_commit(s->store, err);
}

typedef struct progress {
    int show;
    sink_t *sink;
    size_t npoints;
    uint64_t todo;                /* runs this invocation has to do */
    double last;
} progress_t;

static void progress_draw(void *ctx, uint64_t done, uint64_t failed, double elapsed) {
    progress_t *pg = ctx;
    if (!pg->show) return;
    double rate = elapsed > 0 ? (double)(done + failed) / elapsed : 0;
    double left = rate > 0 ? (double)(pg->todo - (done + failed)) / rate : NAN;
    fprintf(stderr, "\r\033[K%zu/%zu points  %" PRIu64 "/%" PRIu64 " runs  %.3g runs/s", pg->sink->points_done,
            pg->npoints, done + failed, pg->todo, rate);
    if (failed) fprintf(stderr, "  %" PRIu64 " failed", failed);
    if (isfinite(left)) fprintf(stderr, "  %.0f s left", left);
    fflush(stderr);
}

/* ------------------------------------------------------------------ */
/* The command                                                        */
/* ------------------------------------------------------------------ */

static int cmd_export(int argc, char **argv) {
    if (argc != 1) {
        fputs(usage_sweep, stderr);
        return CLI_USAGE;
    }
    char path[FSN_SCENARIO_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/sweep.db", argv[0]);
    fsn_store_t *s;
    fsn_error_t err = {0};
    if (fsn_store_open_readonly(path, &s, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        return CLI_USAGE;
    }
    fsn_err_t rc = fsn_store_export(s, argv[0], &err);
    fsn_store_close(s);
    if (rc) {
        fprintf(stderr, "fission: %s\n", err.msg);
        return CLI_RUN;
    }
    fprintf(stderr, "fission: wrote %s/runs.csv and %s/points.csv\n", argv[0], argv[0]);
    return CLI_OK;
}

/* A resumed store must hold this sweep's design and metrics (the same
 * file under another fission version might not); prints why not. */
static int store_matches(fsn_store_t *st, const fsn_sweep_t *sw, char *const *names, const size_t *idx, size_t nkept,
                         const char *dbpath) {
    fsn_store_info_t info;
    fsn_error_t e = {0};
    if (fsn_store_info(st, &info, &e)) {
        fprintf(stderr, "fission: %s\n", e.msg);
        return 0;
    }
    int ok = info.npoints == sw->npoints && info.naxes == sw->naxes && info.nmetrics == nkept && info.reps == sw->reps;
    for (size_t m = 0; ok && m < nkept; m++) {
        char name[256];
        ok = !fsn_store_metric_name(st, m, name, sizeof name, &e) && !strcmp(name, names[idx[m]]);
    }
    double *u = ok ? malloc(sw->npoints * sw->naxes * sizeof *u + 1) : NULL;
    if (ok && (!u || fsn_store_point_units(st, u, &e) || memcmp(u, sw->u, sw->npoints * sw->naxes * sizeof *u))) ok = 0;
    free(u);
    if (!ok)
        fprintf(stderr, "fission: %s: its design or kept metrics differ from this sweep's (made by another fission "
                        "version?); start afresh with another --out\n", dbpath);
    return ok;
}

static char *join_sets(char *const *sets, size_t n) {
    size_t len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(sets[i]) + 1;
    char *s = malloc(len);
    if (!s) return NULL;
    s[0] = 0;
    for (size_t i = 0; i < n; i++) {
        strcat(s, sets[i]);
        strcat(s, "\n");
    }
    return s;
}

int cli_sweep(int argc, char **argv) {
    if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
        fputs(usage_sweep, stdout);
        return CLI_OK;
    }
    if (argc >= 1 && !strcmp(argv[0], "export")) return cmd_export(argc - 1, argv + 1);
    const char *file = NULL, *out = NULL;
    uint32_t threads = 0;
    int resume = 0, quiet = 0, mpi = 0;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    size_t nsets = 0;
    if (!sets) return CLI_RUN;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--resume")) resume = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--mpi")) mpi = 1;
        else if ((!strcmp(a, "--out") || !strcmp(a, "--threads") || !strcmp(a, "--set")) && i + 1 >= argc) {
            fprintf(stderr, "fission sweep: %s needs a value\n", a);
            free(sets);
            return CLI_USAGE;
        } else if (!strcmp(a, "--out")) out = argv[++i];
        else if (!strcmp(a, "--set")) sets[nsets++] = argv[++i];
        else if (!strcmp(a, "--threads")) {
            char *end;
            errno = 0;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (errno || *end || !argv[i][0] || argv[i][0] == '-' || v > 4096) {
                fprintf(stderr, "fission sweep: --threads: expected a whole number in [0, 4096], got '%s'\n", argv[i]);
                free(sets);
                return CLI_USAGE;
            }
            threads = (uint32_t)v;
        } else if (a[0] == '-') {
            fprintf(stderr, "fission sweep: unknown option '%s'\n%s", a, usage_sweep);
            free(sets);
            return CLI_USAGE;
        } else if (!file) file = a;
        else {
            fprintf(stderr, "fission sweep: one sweep file at a time, got '%s' and '%s'\n", file, a);
            free(sets);
            return CLI_USAGE;
        }
    }
    if (!file) {
        fputs(usage_sweep, stderr);
        free(sets);
        return CLI_USAGE;
    }
    int code = CLI_OK;
    fsn_diags_t *d = malloc(sizeof *d);
    fsn_sweep_t *sw = NULL;
    fsn_sweep_cache_t *cache = NULL;
    fsn_sweep_prep_t *p0 = NULL;
    fsn_store_t *store = NULL;
    char **names = NULL;
    size_t nnames = 0, *idx = NULL, nkept = 0;
    uint8_t *done = NULL;
    sink_t sk = {0};
    fsn_error_t err = {0};
    char *base_json = NULL, *setlist = NULL;
    fsn_scenario_t *base = malloc(sizeof *base);
    char outdir[FSN_SCENARIO_PATH_MAX], dbpath[FSN_SCENARIO_PATH_MAX + 16];
    if (!d || !base) {
        code = CLI_RUN;
        goto cleanup;
    }
    /* MPI: every rank checks the input alike (and fails alike); rank 0
     * alone creates the store, prints and writes the exports */
    int rank = 0, nranks = 1, worker = 0;
    fsn_err_t rc = FSN_OK;
    if (mpi) {
        if ((rc = fsn_sweep_mpi_init(&rank, &nranks, &err))) {
            fprintf(stderr, "fission sweep: --mpi: %s\n", err.msg);
            code = CLI_USAGE;
            goto cleanup;
        }
        worker = rank != 0;
        if (nranks < 2) {
            fprintf(stderr, "fission sweep: --mpi needs at least 2 ranks (rank 0 stores, the others run): "
                            "mpirun -np N fission sweep ... --mpi\n");
            code = CLI_USAGE;
            goto cleanup;
        }
    }
    rc = fsn_sweep_load(file, sets, nsets, &sw, d);
    if (rc) {
        if (!worker) print_diags(d);
        code = rc == FSN_ENOMEM ? CLI_RUN : CLI_USAGE;
        goto cleanup;
    }
    if ((rc = fsn_sweep_check(sw, d))) {
        if (!worker) print_diags(d);
        code = rc == FSN_ENOMEM ? CLI_RUN : CLI_USAGE;
        goto cleanup;
    }
    if (out) snprintf(outdir, sizeof outdir, "%s", out);
    else {
        const char *b = strrchr(file, '/');
        b = b ? b + 1 : file;
        snprintf(outdir, sizeof outdir, "runs/%s", b);
        char *dot = strrchr(outdir, '.');
        if (dot && dot > outdir + 5) *dot = 0;
    }
    snprintf(dbpath, sizeof dbpath, "%s/sweep.db", outdir);
    /* the first point's graph and the metric names, before creating anything */
    cache = fsn_sweep_cache_new(sw, 2);
    if (!cache) {
        code = CLI_RUN;
        goto cleanup;
    }
    if ((rc = fsn_sweep_cache_get(cache, 0, &p0, &err))) {
        if (!worker) fprintf(stderr, "fission: %s\n", err.msg);
        code = (rc == FSN_ENOMEM || rc == FSN_ELIB) ? CLI_RUN : CLI_USAGE;
        goto cleanup;
    }
    if ((rc = fsn_sweep_prep_metric_names(p0, &names, &nnames, &err)) ||
        (rc = fsn_sweep_resolve_metrics(sw, names, nnames, &idx, &nkept, &err))) {
        if (!worker) fprintf(stderr, "fission: %s\n", err.msg);
        code = rc == FSN_ENOMEM ? CLI_RUN : CLI_USAGE;
        goto cleanup;
    }
    fsn_sweep_cache_put(cache, p0);
    p0 = NULL;
    if (mpi && !worker) {
        /* rank 0 runs nothing: its graph goes */
        fsn_sweep_cache_free(cache);
        cache = NULL;
    }
    /* the store, on rank 0 */
    const uint64_t total = (uint64_t)sw->npoints * sw->reps;
    uint64_t have = 0;
    if (worker) goto setup_done;
    if (resume && access(dbpath, F_OK)) {
        fprintf(stderr, "fission: %s: nothing to resume (no store there); run without --resume to start it\n", dbpath);
        code = CLI_USAGE;
        goto setup_done;
    }
    if (fsn_output_dir(outdir, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = CLI_USAGE;
        goto setup_done;
    }
    if (resume) {
        rc = fsn_store_open_resume(dbpath, sw->hash, &store, &err);
    } else {
        /* what the store records besides the design */
        fsn_diags_t *d2 = d;
        if (fsn_scenario_parse(base, sw->base_text, sw->base_len, sw->base, sw->base_dir,
                               (const char *const *)sw->sets, sw->nsets, d2) == FSN_OK)
            base_json = fsn_scenario_to_json(base);
        setlist = join_sets(sw->sets, sw->nsets);
        char version[128];
        snprintf(version, sizeof version, "%s (%s)", FISSION_VERSION, FISSION_GIT_REV);
        const char *mk[] = {"sweep_hash", "sweep_file", "sweep_path", "base_path", "base_scenario", "sets",
                            "fission_version", "metrics"};
        const char *mv[] = {sw->hash, sw->text, sw->file, sw->base, base_json ? base_json : "",
                            setlist ? setlist : "", version, sw->all_metrics ? "all" : "list"};
        fsn_store_axis_spec_t *ax = calloc(sw->naxes, sizeof *ax);
        const char **mnames = calloc(nkept + 1, sizeof *mnames);
        static const char *const kinds[] = {"values", "range", "uniform", "loguniform"};
        if (!ax || !mnames) {
            free(ax);
            free(mnames);
            code = CLI_RUN;
            goto setup_done;
        }
        for (size_t a = 0; a < sw->naxes; a++)
            ax[a] = (fsn_store_axis_spec_t){sw->axes[a].path, kinds[sw->axes[a].kind], sw->axes[a].lo, sw->axes[a].hi,
                                            sw->axes[a].is_integer};
        for (size_t m = 0; m < nkept; m++) mnames[m] = names[idx[m]];
        fsn_store_spec_t spec = {mk, mv, sizeof mk / sizeof mk[0], fsn_design_name(sw->design), sw->size, sw->levels,
                                 sw->reps, sw->seed, ax, sw->naxes, sw->npoints, sw->u, sw->values,
                                 (const char *const *)sw->vlabels, mnames, nkept};
        rc = fsn_store_create(dbpath, &spec, &store, &err);
        free(ax);
        free(mnames);
    }
    if (rc) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = (rc == FSN_ESTATE || rc == FSN_EINVAL) ? CLI_USAGE : CLI_RUN;
        goto setup_done;
    }
    if (resume && !store_matches(store, sw, names, idx, nkept, dbpath)) {
        code = CLI_USAGE;
        goto setup_done;
    }
    /* what is left to run */
    done = malloc(total + 1);
    sk.left = calloc(sw->npoints + 1, sizeof *sk.left);
    sk.kept = calloc(nkept + 1, sizeof *sk.kept);
    if (!done || !sk.left || !sk.kept) {
        code = CLI_RUN;
        goto setup_done;
    }
    if ((rc = fsn_store_done(store, done, &have, &err))) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = CLI_RUN;
        goto setup_done;
    }
    for (size_t p = 0; p < sw->npoints; p++) {
        for (uint32_t r = 0; r < sw->reps; r++) sk.left[p] += !done[p * sw->reps + r];
        if (!sk.left[p]) sk.points_done++;
    }
setup_done:
    if (mpi) code = fsn_sweep_mpi_bcast_int(code);
    if (code) goto cleanup;
    sk.store = store;
    sk.idx = idx;
    sk.nkept = nkept;
    source_t src = {done, sw->npoints, sw->reps, 0};
    fsn_sweep_source_t source = {&src, source_next};
    fsn_sweep_sink_t sink = {&sk, sink_put, sink_flush};
    progress_t pg = {!quiet && !worker && isatty(STDERR_FILENO), &sk, sw->npoints, total - have, 0};
    uint32_t nt = threads ? threads : fsn_run_cores();
    if (mpi) nt = (uint32_t)(nranks - 1);
    if (!quiet && !worker)
        fprintf(stderr, "fission sweep %s: %s design, %zu points x %u replicates = %" PRIu64 " runs, %" PRIu64
                        " to do, on %u %s\n",
                file, fsn_design_name(sw->design), sw->npoints, sw->reps, total, total - have, nt, mpi ? "worker ranks" : "threads");
    cli_signals_t sigs;
    fsn_sweep_exec_cfg_t cfg = {threads, cli_stop_catch(&sigs), 1.0, progress_draw, &pg};
    fsn_sweep_exec_stats_t st;
    if (!mpi) rc = fsn_sweep_exec(sw, cache, &source, &sink, &cfg, &st, &err);
    else if (!worker) rc = fsn_sweep_mpi_serve(&source, &sink, &cfg, &st, &err);
    else rc = fsn_sweep_mpi_work(sw, cache, &cfg, &st, &err);
    cli_stop_release(&sigs);
    if (pg.show) fprintf(stderr, "\r\033[K");
    if (worker) {
        if (rc) {
            fprintf(stderr, "fission: rank %d: %s\n", rank, err.msg);
            code = CLI_RUN;
        }
        goto cleanup;
    }
    fsn_error_t e2 = {0};
    fsn_err_t rc2 = fsn_store_commit(store, &e2);
    if (rc) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = CLI_RUN;
    } else if (rc2) {
        fprintf(stderr, "fission: %s\n", e2.msg);
        code = CLI_RUN;
    }
    /* the exports, from whatever is stored */
    if (!rc2 && (rc2 = fsn_store_export(store, outdir, &e2))) {
        fprintf(stderr, "fission: %s\n", e2.msg);
        code = CLI_RUN;
    }
    uint64_t now_have = 0;
    fsn_store_run_count(store, &now_have, &e2);
    fprintf(stderr, "fission: sweep: %" PRIu64 " runs done in %.1f s on %u threads (%.3g runs/s), %" PRIu64
                    " failed; %" PRIu64 " of %" PRIu64 " runs stored (%zu of %zu points complete)\n",
            st.done, st.seconds, st.threads, st.seconds > 0 ? (double)st.done / st.seconds : 0.0, st.failed, now_have,
            total, sk.points_done, sw->npoints);
    if (sk.first_failure[0]) fprintf(stderr, "fission: first failure: %s\n", sk.first_failure);
    fprintf(stderr, "fission: results in %s (SQLite), %s/runs.csv, %s/points.csv\n", dbpath, outdir, outdir);
    if (st.interrupted || now_have < total) {
        fprintf(stderr, "fission: %s; continue with: fission sweep %s --out %s --resume\n",
                st.interrupted ? "interrupted" : "incomplete", file, outdir);
        if (!code) code = CLI_RUN;
    }
    if (st.failed && !code) code = CLI_RUN;

cleanup:
    if (mpi) fsn_sweep_mpi_finalize();
    if (p0) fsn_sweep_cache_put(cache, p0);
    fsn_store_close(store);
    fsn_sweep_cache_free(cache);
    fsn_sweep_names_free(names, nnames);
    free(idx);
    free(done);
    free(sk.left);
    free(sk.kept);
    free(base_json);
    free(setlist);
    free(base);
    fsn_sweep_free(sw);
    free(d);
    free(sets);
    return code;
}
