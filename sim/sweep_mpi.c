/*
 * sweep_mpi.c: a sweep over MPI ranks (built with FISSION_WITH_MPI).
 *
 * On a cluster one process per node (or per socket) runs units on its
 * cores, and one rank must own the store: SQLite files and parallel
 * file systems do not mix, and a single writer keeps the store's
 * guarantees. So rank 0 owns the unit source and the result sink (the
 * store) and farms units out; every other rank runs the threaded
 * executor (fsn_sweep_exec) unchanged, with a source that asks rank 0
 * for the next unit and a sink that sends each finished unit back. All
 * MPI calls happen on each process's main thread (MPI_THREAD_FUNNELED):
 * the executor calls its source and sink only there. A unit computes the
 * same figures wherever it runs (its stream is (seed, point, rep)), so
 * the store is identical to a threads-only sweep's.
 *
 * Messages (tags): a worker's REQUEST (empty) is answered by a UNIT
 * (point, rep; point 2^64-1: no more units); a RESULT carries a finished
 * unit (header, the world's metrics, the failure message); DONE says a
 * worker has delivered everything. Rank 0 polls with MPI_Iprobe and
 * sleeps briefly when idle, so that it does not spin on a core the
 * workers need. A stop request on rank 0 (Ctrl-C, SIGTERM from the
 * batch system) answers every further request with "no more"; the
 * workers finish and send the units they hold.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fission/sweep.h"

#ifdef FISSION_HAVE_MPI
#include <mpi.h>

enum { TAG_REQUEST = 1, TAG_UNIT = 2, TAG_RESULT = 3, TAG_DONE = 4 };

typedef struct msg_head {
    uint64_t point;
    uint32_t rep;
    int32_t rc;
    uint64_t events;
    double seconds;
    uint64_t nmetrics;
    uint64_t msglen;     /* bytes of the message after the metrics, NUL included */
} msg_head_t;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int fsn_sweep_mpi_built(void) { return 1; }

fsn_err_t fsn_sweep_mpi_init(int *rank, int *size, fsn_error_t *err) {
    int provided = 0, inited = 0;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return fsn_error_set(err, FSN_ELIB, "MPI_Init_thread failed");
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return FSN_OK;
}

void fsn_sweep_mpi_finalize(void) {
    int fin = 0, inited = 0;
    MPI_Initialized(&inited);
    MPI_Finalized(&fin);
    if (inited && !fin) MPI_Finalize();
}

void fsn_sweep_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

int fsn_sweep_mpi_bcast_int(int v) {
    MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return v;
}

/* ------------------------------------------------------------------ */
/* Rank 0                                                             */
/* ------------------------------------------------------------------ */

fsn_err_t fsn_sweep_mpi_serve(fsn_sweep_source_t *src, fsn_sweep_sink_t *sink, const fsn_sweep_exec_cfg_t *cfg,
                              fsn_sweep_exec_stats_t *st, fsn_error_t *err) {
    FSN_REQUIRE(src && sink && cfg && st);
    memset(st, 0, sizeof *st);
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    st->threads = 0;
    int working = size - 1, exhausted = 0;
    fsn_err_t rc = FSN_OK;
    const double t0 = now_s(), flush_every = cfg->flush_seconds > 0 ? cfg->flush_seconds : 1.0;
    double last_flush = t0, last_progress = 0;
    size_t cap = 0;
    char *buf = NULL;
    while (working > 0) {
        int flag = 0;
        MPI_Status ms;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &ms);
        if (!flag) {
            struct timespec nap = {0, 200 * 1000L};
            nanosleep(&nap, NULL);
        } else if (ms.MPI_TAG == TAG_REQUEST) {
            MPI_Recv(NULL, 0, MPI_BYTE, ms.MPI_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            uint64_t u[2] = {UINT64_MAX, 0};
            fsn_sweep_unit_t unit;
            if (rc || (cfg->stop && *cfg->stop)) exhausted = 1;
            if (!exhausted && src->next(src->ctx, &unit)) {
                u[0] = unit.point;
                u[1] = unit.rep;
            } else {
                exhausted = 1;
            }
            MPI_Send(u, 2, MPI_UINT64_T, ms.MPI_SOURCE, TAG_UNIT, MPI_COMM_WORLD);
        } else if (ms.MPI_TAG == TAG_RESULT) {
            int n = 0;
            MPI_Get_count(&ms, MPI_BYTE, &n);
            if ((size_t)n > cap) {
                char *b = realloc(buf, (size_t)n);
                if (!b) {
                    free(buf);
                    fsn_sweep_mpi_abort(1);
                    return fsn_error_set(err, FSN_ENOMEM, "out of memory receiving a result");
                }
                buf = b;
                cap = (size_t)n;
            }
            MPI_Recv(buf, n, MPI_BYTE, ms.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            msg_head_t h;
            memcpy(&h, buf, sizeof h);
            const double *m = (const double *)(void *)(buf + sizeof h);
            const char *text = buf + sizeof h + h.nmetrics * sizeof(double);
            fsn_sweep_outcome_t o = {{h.point, h.rep}, (fsn_err_t)h.rc, text, h.events, h.seconds,
                                     h.rc ? NULL : m, (size_t)h.nmetrics};
            if (!rc) {
                rc = sink->put(sink->ctx, &o, err);
                if (!rc) {
                    if (h.rc) st->failed++;
                    else st->done++;
                }
            }
        } else if (ms.MPI_TAG == TAG_DONE) {
            int v;
            MPI_Recv(&v, 1, MPI_INT, ms.MPI_SOURCE, TAG_DONE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            st->threads += (uint32_t)(v > 0 ? v : 0);
            working--;
        } else {
            MPI_Recv(NULL, 0, MPI_BYTE, ms.MPI_SOURCE, ms.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        double now = now_s();
        if (!rc && sink->flush && now - last_flush >= flush_every) {
            rc = sink->flush(sink->ctx, err);
            last_flush = now;
        }
        if (cfg->progress && now - last_progress >= 0.25) {
            cfg->progress(cfg->progress_ctx, st->done, st->failed, now - t0);
            last_progress = now;
        }
    }
    free(buf);
    if (!rc && sink->flush) rc = sink->flush(sink->ctx, err);
    if (cfg->stop && *cfg->stop) st->interrupted = 1;
    st->seconds = now_s() - t0;
    if (cfg->progress) cfg->progress(cfg->progress_ctx, st->done, st->failed, st->seconds);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The other ranks                                                    */
/* ------------------------------------------------------------------ */

static int remote_next(void *ctx, fsn_sweep_unit_t *u) {
    int *over = ctx;
    if (*over) return 0;
    uint64_t v[2];
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD);
    MPI_Recv(v, 2, MPI_UINT64_T, 0, TAG_UNIT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (v[0] == UINT64_MAX) {
        *over = 1;
        return 0;
    }
    u->point = v[0];
    u->rep = (uint32_t)v[1];
    return 1;
}

typedef struct remote_sink {
    char *buf;
    size_t cap;
} remote_sink_t;

static fsn_err_t remote_put(void *ctx, const fsn_sweep_outcome_t *o, fsn_error_t *err) {
    remote_sink_t *s = ctx;
    const size_t nm = o->rc ? 0 : o->nmetrics;
    const char *text = o->rc && o->msg ? o->msg : "";
    msg_head_t h = {o->unit.point, o->unit.rep, (int32_t)o->rc, o->events, o->seconds, nm, strlen(text) + 1};
    size_t n = sizeof h + nm * sizeof(double) + h.msglen;
    if (n > s->cap) {
        char *b = realloc(s->buf, n);
        if (!b) return fsn_error_set(err, FSN_ENOMEM, "out of memory sending a result");
        s->buf = b;
        s->cap = n;
    }
    memcpy(s->buf, &h, sizeof h);
    if (nm) memcpy(s->buf + sizeof h, o->metrics, nm * sizeof(double));
    memcpy(s->buf + sizeof h + nm * sizeof(double), text, h.msglen);
    if (MPI_Send(s->buf, (int)n, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD) != MPI_SUCCESS)
        return fsn_error_set(err, FSN_ELIB, "MPI_Send of a result failed");
    return FSN_OK;
}

fsn_err_t fsn_sweep_mpi_work(const fsn_sweep_t *sw, fsn_sweep_cache_t *cache, const fsn_sweep_exec_cfg_t *cfg,
                             fsn_sweep_exec_stats_t *st, fsn_error_t *err) {
    FSN_REQUIRE(sw && cache && cfg && st);
    int over = 0;
    remote_sink_t rs = {NULL, 0};
    fsn_sweep_source_t src = {&over, remote_next};
    fsn_sweep_sink_t sink = {&rs, remote_put, NULL};
    fsn_sweep_exec_cfg_t c = *cfg;
    c.progress = NULL;
    fsn_err_t rc = fsn_sweep_exec(sw, cache, &src, &sink, &c, st, err);
    free(rs.buf);
    /* a worker stopped early (or failed) says it is done all the same:
     * the units it never asked for stay with rank 0's source */
    int threads = (int)st->threads;
    MPI_Send(&threads, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD);
    return rc;
}

#else /* no MPI */

int fsn_sweep_mpi_built(void) { return 0; }

fsn_err_t fsn_sweep_mpi_init(int *rank, int *size, fsn_error_t *err) {
    *rank = 0;
    *size = 1;
    return fsn_error_set(err, FSN_EINVAL, "this fission was built without MPI (configure with -DFISSION_WITH_MPI=ON and an MPI installed)");
}

void fsn_sweep_mpi_finalize(void) {}

void fsn_sweep_mpi_abort(int code) { (void)code; }

int fsn_sweep_mpi_bcast_int(int v) { return v; }

fsn_err_t fsn_sweep_mpi_serve(fsn_sweep_source_t *src, fsn_sweep_sink_t *sink, const fsn_sweep_exec_cfg_t *cfg,
                              fsn_sweep_exec_stats_t *st, fsn_error_t *err) {
    (void)src;
    (void)sink;
    (void)cfg;
    memset(st, 0, sizeof *st);
    return fsn_error_set(err, FSN_EINVAL, "this fission was built without MPI");
}

fsn_err_t fsn_sweep_mpi_work(const fsn_sweep_t *sw, fsn_sweep_cache_t *cache, const fsn_sweep_exec_cfg_t *cfg,
                             fsn_sweep_exec_stats_t *st, fsn_error_t *err) {
    (void)sw;
    (void)cache;
    (void)cfg;
    memset(st, 0, sizeof *st);
    return fsn_error_set(err, FSN_EINVAL, "this fission was built without MPI");
}

#endif
