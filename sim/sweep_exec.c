/*
 * sweep_exec.c: running a sweep's units on threads.
 *
 * The work is a list of units (point, replicate), each a full campaign
 * run of tens of milliseconds to minutes. Workers take units one at a
 * time from a queue, so a slow point does not hold the others up and
 * every core stays busy to the end. What a unit computes depends only on
 * its point's scenario and the stream (seed, point, replicate), so the
 * store's content is the same whatever the threads or the order.
 *
 * The calling thread is the only one that calls igraph (graph builds,
 * seed rankings) and the only one that touches the sink (the store). It
 * keeps the queue filled ahead of the workers: preparing the next points
 * (their graph built once per distinct graph section and cached, their
 * rankings, their checked parameters) while the workers run the current
 * ones, and hands finished units to the sink, which commits about once
 * a second. A stop request (Ctrl-C) stops the feeding; the running units
 * finish and reach the sink; the queued ones are dropped unrun.
 *
 * The pieces (source, sink, cache, runner) are separate so that another
 * backend (MPI: rank 0 owns the source and the sink, other ranks own a
 * cache and runners) can reuse them.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fission/campaign.h"
#include "fission/run.h"
#include "fission/seeding.h"
#include "fission/sweep.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* The point cache                                                    */
/* ------------------------------------------------------------------ */

typedef struct graph_entry {
    char *key;                                   /* the normalised graph section */
    fsn_csr_t g;
    fsn_vid_t *ranks[FSN_SEED_FILE + 1];         /* by seeding kind, made on demand */
    size_t refs;                                 /* preps using it (main thread) */
    uint64_t last_use;
    struct graph_entry *next;
} graph_entry_t;

struct fsn_sweep_prep {
    uint64_t point, serial;
    fsn_scenario_t sc;
    graph_entry_t *gr;
    fsn_world_params_t wp;                       /* checked */
    fsn_campaign_t camps[FSN_CAMPAIGNS_MAX];     /* with their seed lists */
    fsn_vid_t *lists[FSN_CAMPAIGNS_MAX];         /* seed files read */
    atomic_long refs;
    struct fsn_sweep_prep *next;
};

struct fsn_sweep_cache {
    const fsn_sweep_t *sw;
    size_t keep;
    graph_entry_t *graphs;
    fsn_sweep_prep_t *preps;
    uint64_t clock, serial;
    size_t built;
};

fsn_sweep_cache_t *fsn_sweep_cache_new(const fsn_sweep_t *sw, size_t keep_graphs) {
    FSN_REQUIRE(sw);
    fsn_sweep_cache_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->sw = sw;
    c->keep = keep_graphs ? keep_graphs : 1;
    return c;
}

static void graph_free(graph_entry_t *g) {
    free(g->key);
    fsn_csr_destroy(&g->g);
    for (int k = 0; k <= FSN_SEED_FILE; k++) free(g->ranks[k]);
    free(g);
}

static void prep_free(fsn_sweep_prep_t *pp) {
    for (size_t i = 0; i < FSN_CAMPAIGNS_MAX; i++) free(pp->lists[i]);
    if (pp->gr) pp->gr->refs--;
    free(pp);
}

/* Free the preps nobody uses (but keep), then the unused graphs beyond
 * the keep count, least recently used first. */
static void collect(fsn_sweep_cache_t *c, uint64_t keep) {
    for (fsn_sweep_prep_t **pp = &c->preps; *pp;) {
        if (atomic_load(&(*pp)->refs) == 0 && (*pp)->point != keep) {
            fsn_sweep_prep_t *dead = *pp;
            *pp = dead->next;
            prep_free(dead);
        } else {
            pp = &(*pp)->next;
        }
    }
    for (;;) {
        size_t unused = 0;
        graph_entry_t **oldest = NULL;
        for (graph_entry_t **g = &c->graphs; *g; g = &(*g)->next)
            if ((*g)->refs == 0) {
                unused++;
                if (!oldest || (*g)->last_use < (*oldest)->last_use) oldest = g;
            }
        if (unused <= c->keep) break;
        graph_entry_t *dead = *oldest;
        *oldest = dead->next;
        graph_free(dead);
    }
}

void fsn_sweep_cache_free(fsn_sweep_cache_t *c) {
    if (!c) return;
    while (c->preps) {
        fsn_sweep_prep_t *n = c->preps->next;
        prep_free(c->preps);
        c->preps = n;
    }
    while (c->graphs) {
        graph_entry_t *n = c->graphs->next;
        graph_free(c->graphs);
        c->graphs = n;
    }
    free(c);
}

size_t fsn_sweep_cache_graphs_built(const fsn_sweep_cache_t *c) { return c->built; }

/* The graph section of a scenario's normalised JSON (one line). */
static char *graph_key(const fsn_scenario_t *sc) {
    char *json = fsn_scenario_to_json(sc);
    if (!json) return NULL;
    char *g = strstr(json, "\"graph\": ");
    char *key = NULL;
    if (g) {
        char *e = strchr(g, '\n');
        size_t n = e ? (size_t)(e - g) : strlen(g);
        key = malloc(n + 1);
        if (key) {
            memcpy(key, g, n);
            key[n] = 0;
        }
    }
    free(json);
    return key;
}

fsn_err_t fsn_sweep_cache_get(fsn_sweep_cache_t *c, uint64_t p, fsn_sweep_prep_t **out, fsn_error_t *err) {
    FSN_REQUIRE(c && out && p < c->sw->npoints);
    *out = NULL;
    collect(c, p);
    c->clock++;
    for (fsn_sweep_prep_t *pp = c->preps; pp; pp = pp->next)
        if (pp->point == p) {
            atomic_fetch_add(&pp->refs, 1);
            pp->gr->last_use = c->clock;
            *out = pp;
            return FSN_OK;
        }
    const fsn_sweep_t *sw = c->sw;
    fsn_sweep_prep_t *pp = calloc(1, sizeof *pp);
    if (!pp) return fsn_error_set(err, FSN_ENOMEM, "%s: point %llu: out of memory", sw->file, (unsigned long long)p);
    pp->point = p;
    pp->serial = ++c->serial;
    atomic_init(&pp->refs, 1);
    fsn_diags_t *d = malloc(sizeof *d);
    fsn_err_t rc = d ? fsn_sweep_point_scenario(sw, p, &pp->sc, d) : FSN_ENOMEM;
    if (rc) {
        fsn_error_set(err, rc, "%s", d && d->count ? d->msg[0] : "out of memory");
        free(d);
        free(pp);
        return rc;
    }
    free(d);
    char *key = graph_key(&pp->sc);
    if (!key) {
        free(pp);
        return fsn_error_set(err, FSN_ENOMEM, "%s: point %llu: out of memory", sw->file, (unsigned long long)p);
    }
    graph_entry_t *gr = NULL;
    for (graph_entry_t *g = c->graphs; g; g = g->next)
        if (!strcmp(g->key, key)) gr = g;
    if (gr) {
        free(key);
    } else {
        gr = calloc(1, sizeof *gr);
        if (!gr) {
            free(key);
            free(pp);
            return fsn_error_set(err, FSN_ENOMEM, "%s: point %llu: out of memory", sw->file, (unsigned long long)p);
        }
        gr->key = key;
        fsn_error_t e = {0};
        rc = fsn_scenario_graph(&pp->sc, &gr->g, &e);
        if (rc) {
            free(key);
            free(gr);
            free(pp);
            return fsn_error_set(err, rc, "%s: point %llu: graph: %s", sw->file, (unsigned long long)p, e.msg);
        }
        gr->next = c->graphs;
        c->graphs = gr;
        c->built++;
    }
    gr->refs++;
    gr->last_use = c->clock;
    pp->gr = gr;
    /* seed files, rankings, checked parameters */
    fsn_error_t e = {0};
    rc = fsn_scenario_seed_lists(&pp->sc, &gr->g, pp->lists, &e);
    const size_t nc = pp->sc.ncampaigns;
    if (!rc) memcpy(pp->camps, pp->sc.campaigns, nc * sizeof *pp->camps);
    for (size_t i = 0; i < nc && !rc; i++) {
        fsn_seeding_t *s = &pp->camps[i].seeding;
        if (s->kind == FSN_SEED_DEGREE || s->kind == FSN_SEED_PAGERANK || s->kind == FSN_SEED_KCORE) {
            if (!gr->ranks[s->kind]) {
                fsn_vid_t *rk = malloc((size_t)gr->g.n * sizeof *rk + 1);
                if (!rk) rc = fsn_error_set(&e, FSN_ENOMEM, "seeding: out of memory");
                else if ((rc = fsn_seed_rank(&gr->g, s->kind, rk, &e))) free(rk);
                else gr->ranks[s->kind] = rk;
            }
            s->list = gr->ranks[s->kind];
            s->list_len = gr->g.n;
        }
    }
    if (!rc) rc = fsn_attr_params_check(&pp->sc.users, &e);
    pp->wp = pp->sc.behaviour;
    if (!rc) rc = fsn_world_params_check(&pp->wp, pp->camps, nc, &gr->g, &e);
    if (rc) {
        fsn_error_set(err, rc, "%s: point %llu: %s", sw->file, (unsigned long long)p, e.msg);
        prep_free(pp);
        collect(c, UINT64_MAX);
        return rc;
    }
    pp->next = c->preps;
    c->preps = pp;
    *out = pp;
    return FSN_OK;
}

void fsn_sweep_cache_put(fsn_sweep_cache_t *c, fsn_sweep_prep_t *pp) {
    (void)c;
    if (pp) atomic_fetch_sub(&pp->refs, 1);
}

void fsn_sweep_names_free(char **names, size_t n) {
    if (!names) return;
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

fsn_err_t fsn_sweep_prep_metric_names(const fsn_sweep_prep_t *pp, char ***names, size_t *n, fsn_error_t *err) {
    FSN_REQUIRE(pp && names && n);
    *names = NULL;
    *n = 0;
    fsn_users_t u;
    fsn_err_t rc = fsn_users_init(&u, pp->gr->g.n, err);
    if (rc) return rc;
    fsn_world_t *w = fsn_world_new(&pp->gr->g, &u, &pp->wp, pp->camps, pp->sc.ncampaigns, err);
    if (!w) {
        fsn_users_destroy(&u);
        return err && err->code ? err->code : FSN_ENOMEM;
    }
    size_t m = fsn_world_metric_count(w);
    char **v = calloc(m + 1, sizeof *v);
    for (size_t i = 0; v && i < m; i++) {
        v[i] = strdup(fsn_world_metric_name(w, i));
        if (!v[i]) {
            fsn_sweep_names_free(v, i);
            v = NULL;
        }
    }
    fsn_world_free(w);
    fsn_users_destroy(&u);
    if (!v) return fsn_error_set(err, FSN_ENOMEM, "out of memory");
    *names = v;
    *n = m;
    return FSN_OK;
}

fsn_err_t fsn_sweep_resolve_metrics(const fsn_sweep_t *sw, char *const *names, size_t n, size_t **idx,
                                    size_t *nkept, fsn_error_t *err) {
    FSN_REQUIRE(sw && idx && nkept);
    size_t k = sw->all_metrics ? n : sw->nmetrics;
    size_t *v = malloc((k + 1) * sizeof *v);
    if (!v) return fsn_error_set(err, FSN_ENOMEM, "out of memory");
    for (size_t m = 0; m < k; m++) {
        if (sw->all_metrics) {
            v[m] = m;
            continue;
        }
        size_t i = 0;
        while (i < n && strcmp(names[i], sw->metrics[m])) i++;
        if (i == n) {
            /* a hint: a metric sharing the longest prefix */
            size_t best = 0, bl = 0;
            for (size_t j = 0; j < n; j++) {
                size_t l = 0;
                while (names[j][l] && names[j][l] == sw->metrics[m][l]) l++;
                if (l > bl) {
                    bl = l;
                    best = j;
                }
            }
            fsn_err_t rc = fsn_error_set(err, FSN_EINVAL, "%s: metrics[%zu]: unknown metric '%s'%s%s%s", sw->file, m,
                                         sw->metrics[m], n ? "; did you mean '" : "", n ? names[best] : "",
                                         n ? "'? (docs/METRICS.md lists them)" : "");
            free(v);
            return rc;
        }
        v[m] = i;
    }
    *idx = v;
    *nkept = k;
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Runners                                                            */
/* ------------------------------------------------------------------ */

struct fsn_sweep_runner {
    fsn_users_t users;
    int have_users;
    fsn_world_t *w;
    uint64_t serial;
};

fsn_sweep_runner_t *fsn_sweep_runner_new(void) { return calloc(1, sizeof(fsn_sweep_runner_t)); }

void fsn_sweep_runner_free(fsn_sweep_runner_t *r) {
    if (!r) return;
    fsn_world_free(r->w);
    if (r->have_users) fsn_users_destroy(&r->users);
    free(r);
}

fsn_err_t fsn_sweep_runner_run(fsn_sweep_runner_t *r, const fsn_sweep_prep_t *pp, const fsn_sweep_t *sw,
                               uint32_t rep, const double **metrics, size_t *nmetrics, uint64_t *events,
                               fsn_error_t *err) {
    FSN_REQUIRE(r && pp && sw && metrics && nmetrics && events);
    const fsn_csr_t *g = &pp->gr->g;
    if (r->serial != pp->serial || !r->w) {
        fsn_world_free(r->w);
        r->w = NULL;
        r->serial = 0;
        if (r->have_users && r->users.n != g->n) {
            fsn_users_destroy(&r->users);
            r->have_users = 0;
        }
        if (!r->have_users) {
            fsn_err_t rc = fsn_users_init(&r->users, g->n, err);
            if (rc) return rc;
            r->have_users = 1;
        }
        r->w = fsn_world_new(g, &r->users, &pp->wp, pp->camps, pp->sc.ncampaigns, err);
        if (!r->w) return err && err->code ? err->code : FSN_ENOMEM;
        r->serial = pp->serial;
    }
    fsn_err_t rc = fsn_run_replicate(r->w, &r->users, &pp->sc.users, sw->seed, pp->point, rep, err);
    if (rc) return rc;
    *metrics = fsn_world_metrics(r->w);
    *nmetrics = fsn_world_metric_count(r->w);
    *events = fsn_world_events(r->w);
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* The threaded executor                                              */
/* ------------------------------------------------------------------ */

typedef struct item {
    fsn_sweep_unit_t unit;
    fsn_sweep_prep_t *pp;
} item_t;

typedef struct result {
    fsn_sweep_unit_t unit;
    fsn_err_t rc;
    char msg[FSN_ERROR_MSG_MAX];
    uint64_t events;
    double seconds;
    size_t nmetrics;
    struct result *next;
    double metrics[];
} result_t;

typedef struct exec {
    const fsn_sweep_t *sw;
    fsn_sweep_cache_t *cache;
    pthread_mutex_t lock;
    pthread_cond_t work, main;
    item_t *queue;
    size_t qcap, qhead, qlen;
    size_t qpoints;       /* distinct points among the queued units */
    int fed_all;          /* the source is exhausted */
    int halt;             /* stop: take no further unit */
    size_t running;
    result_t *results, **tail;
} exec_t;

static void *worker(void *arg) {
    exec_t *x = arg;
    fsn_sweep_runner_t *r = fsn_sweep_runner_new();
    pthread_mutex_lock(&x->lock);
    for (;;) {
        while (!x->halt && x->qlen == 0 && !x->fed_all) pthread_cond_wait(&x->work, &x->lock);
        if (x->halt || x->qlen == 0) break;
        item_t it = x->queue[x->qhead];
        x->qhead = (x->qhead + 1) % x->qcap;
        x->qlen--;
        if (x->qlen == 0 || x->queue[x->qhead].unit.point != it.unit.point) {
            FSN_REQUIRE(x->qpoints > 0);
            x->qpoints--;
        }
        x->running++;
        pthread_cond_signal(&x->main);
        pthread_mutex_unlock(&x->lock);

        const double *m = NULL;
        size_t nm = 0;
        uint64_t ev = 0;
        fsn_error_t e = {0};
        double t0 = now_s();
        fsn_err_t rc = r ? fsn_sweep_runner_run(r, it.pp, x->sw, it.unit.rep, &m, &nm, &ev, &e)
                         : fsn_error_set(&e, FSN_ENOMEM, "out of memory for a runner");
        double secs = now_s() - t0;
        result_t *res = malloc(sizeof *res + (rc ? 0 : nm) * sizeof(double));
        if (res) {
            res->unit = it.unit;
            res->rc = rc;
            snprintf(res->msg, sizeof res->msg, "%s", rc ? (e.msg[0] ? e.msg : fsn_err_name(rc)) : "");
            res->events = ev;
            res->seconds = secs;
            res->nmetrics = rc ? 0 : nm;
            if (!rc) memcpy(res->metrics, m, nm * sizeof *m);
            res->next = NULL;
        }
        fsn_sweep_cache_put(x->cache, it.pp);
        pthread_mutex_lock(&x->lock);
        x->running--;
        if (res) {
            *x->tail = res;
            x->tail = &res->next;
        }
        pthread_cond_signal(&x->main);
    }
    pthread_mutex_unlock(&x->lock);
    fsn_sweep_runner_free(r);
    return NULL;
}

/* Hand finished units to the sink, in the order they finished, unless
 * the sink has failed already (*sink_rc). */
static void deliver(result_t *list, fsn_sweep_sink_t *sink, fsn_sweep_exec_stats_t *st, fsn_err_t *sink_rc,
                    fsn_error_t *serr) {
    while (list) {
        result_t *n = list->next;
        if (!*sink_rc) {
            fsn_sweep_outcome_t o = {list->unit, list->rc, list->msg, list->events, list->seconds,
                                     list->rc ? NULL : list->metrics, list->nmetrics};
            *sink_rc = sink->put(sink->ctx, &o, serr);
            if (!*sink_rc) {
                if (list->rc) st->failed++;
                else st->done++;
            }
        }
        free(list);
        list = n;
    }
}

fsn_err_t fsn_sweep_exec(const fsn_sweep_t *sw, fsn_sweep_cache_t *cache, fsn_sweep_source_t *src,
                         fsn_sweep_sink_t *sink, const fsn_sweep_exec_cfg_t *cfg, fsn_sweep_exec_stats_t *st,
                         fsn_error_t *err) {
    FSN_REQUIRE(sw && cache && src && sink && sink->put && cfg && st);
    memset(st, 0, sizeof *st);
    uint32_t nt = cfg->threads ? cfg->threads : fsn_run_cores();
    st->threads = nt;
    exec_t x = {.sw = sw, .cache = cache};
    x.qcap = 2 * (size_t)nt + 2 * (size_t)sw->reps + 2;
    x.queue = calloc(x.qcap, sizeof *x.queue);
    pthread_t *tid = calloc(nt, sizeof *tid);
    if (!x.queue || !tid) {
        free(x.queue);
        free(tid);
        return fsn_error_set(err, FSN_ENOMEM, "out of memory starting %u threads", nt);
    }
    x.tail = &x.results;
    pthread_mutex_init(&x.lock, NULL);
    pthread_cond_init(&x.work, NULL);
    pthread_cond_init(&x.main, NULL);
    uint32_t started = 0;
    for (uint32_t t = 0; t < nt; t++) {
        if (pthread_create(&tid[t], NULL, worker, &x) != 0) break;
        started++;
    }
    fsn_err_t rc = started ? FSN_OK : fsn_error_set(err, FSN_ENOMEM, "could not start a worker thread");
    const double t0 = now_s(), flush_every = cfg->flush_seconds > 0 ? cfg->flush_seconds : 1.0;
    double last_flush = t0, last_progress = 0;
    int stopping = rc != FSN_OK;
    fsn_err_t sink_rc = FSN_OK;
    fsn_error_t serr = {0};
    if (stopping) x.halt = 1;
    fsn_sweep_unit_t pending = {0, 0};
    int have_pending = 0;
    uint64_t last_point = 0;
    const size_t plimit = (size_t)nt + 1;
    for (;;) {
        /* feed: prepare points ahead while the workers run */
        pthread_mutex_lock(&x.lock);
        while (!stopping && !x.fed_all && x.qlen < x.qcap) {
            if (!have_pending) {
                pthread_mutex_unlock(&x.lock);
                int more = !(cfg->stop && *cfg->stop) && src->next(src->ctx, &pending);
                pthread_mutex_lock(&x.lock);
                if (!more) {
                    if (cfg->stop && *cfg->stop) stopping = 1;
                    else x.fed_all = 1;
                    break;
                }
                have_pending = 1;
            }
            /* at most plimit points queued: graphs in memory stay bounded */
            const int new_point = x.qlen == 0 || last_point != pending.point;
            if (new_point && x.qpoints >= plimit) break;
            pthread_mutex_unlock(&x.lock);
            fsn_sweep_prep_t *pp = NULL;
            rc = fsn_sweep_cache_get(cache, pending.point, &pp, err);
            pthread_mutex_lock(&x.lock);
            if (rc) {
                stopping = 1;
                break;
            }
            if (cfg->stop && *cfg->stop) {
                fsn_sweep_cache_put(cache, pp);
                stopping = 1;
                break;
            }
            /* workers may have emptied the queue while the lock was
             * released: whether this unit opens a point is decided now */
            const int opens = x.qlen == 0 || last_point != pending.point;
            x.queue[(x.qhead + x.qlen) % x.qcap] = (item_t){pending, pp};
            x.qlen++;
            if (opens) x.qpoints++;
            last_point = pending.point;
            have_pending = 0;
            pthread_cond_signal(&x.work);
        }
        if (cfg->stop && *cfg->stop) stopping = 1;
        if (stopping && !x.halt) {
            x.halt = 1;
            /* drop the queued units: they are not run */
            while (x.qlen) {
                fsn_sweep_cache_put(cache, x.queue[x.qhead].pp);
                x.qhead = (x.qhead + 1) % x.qcap;
                x.qlen--;
                st->interrupted = 1;
            }
            x.qpoints = 0;
            pthread_cond_broadcast(&x.work);
        }
        if (x.fed_all) pthread_cond_broadcast(&x.work);
        const int finished = x.running == 0 && x.qlen == 0 && (x.fed_all || stopping);
        if (!x.results && !finished) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 100 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&x.main, &x.lock, &ts);
        }
        result_t *got = x.results;
        x.results = NULL;
        x.tail = &x.results;
        pthread_mutex_unlock(&x.lock);
        deliver(got, sink, st, &sink_rc, &serr);
        double now = now_s();
        if (!sink_rc && sink->flush && now - last_flush >= flush_every) {
            sink_rc = sink->flush(sink->ctx, &serr);
            last_flush = now;
        }
        if (sink_rc) stopping = 1;
        if (cfg->progress && now - last_progress >= 0.25) {
            cfg->progress(cfg->progress_ctx, st->done, st->failed, now - t0);
            last_progress = now;
        }
        if (finished && !got) break;
    }
    for (uint32_t t = 0; t < started; t++) pthread_join(tid[t], NULL);
    deliver(x.results, sink, st, &sink_rc, &serr);
    if (!sink_rc && sink->flush) sink_rc = sink->flush(sink->ctx, &serr);
    if (sink_rc && !rc) {
        rc = sink_rc;
        if (err) *err = serr;
    }
    if (cfg->stop && *cfg->stop) st->interrupted = 1;
    st->seconds = now_s() - t0;
    if (cfg->progress) cfg->progress(cfg->progress_ctx, st->done, st->failed, st->seconds);
    pthread_mutex_destroy(&x.lock);
    pthread_cond_destroy(&x.work);
    pthread_cond_destroy(&x.main);
    free(x.queue);
    free(tid);
    return rc;
}
