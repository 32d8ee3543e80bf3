/*
 * calibrate.c: Nelder-Mead over scenario paths, with common random numbers.
 *
 * An evaluation writes the trial values as --set overrides after the
 * caller's own, parses the base scenario text again (microseconds: the
 * parser is cheap next to a run) and runs the replicates on the graph
 * built once. Reparsing rather than poking structs means a trial value
 * goes through exactly the checks a user's value would, and the best
 * scenario is a normal parsed scenario that writes out as JSON.
 */
#include "fission/calibrate.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fission/run.h"

void fsn_calib_cfg_default(fsn_calib_cfg_t *cfg) {
    FSN_REQUIRE(cfg);
    cfg->reps = 8;
    cfg->seed = 1;
    cfg->threads = 0;
    cfg->max_evals = 300;
    cfg->size_tol = 1e-3;
    cfg->step = 0.5;
    cfg->hinge = 0;
    cfg->stop = NULL;
}

void fsn_calib_result_destroy(fsn_calib_result_t *r) {
    if (!r) return;
    free(r->params);
    free(r->scenario);
    memset(r, 0, sizeof *r);
}

double fsn_calib_objective(const fsn_reference_t *ref, const fsn_metric_stats_t *st, double hinge) {
    FSN_REQUIRE(ref && st && hinge >= 0);
    double j = 0;
    for (size_t i = 0; i < ref->n; i++) {
        const fsn_figure_t *f = &ref->fig[i];
        if (!f->simulated) continue;
        const fsn_metric_stat_t *m = NULL;
        for (size_t k = 0; k < st->n; k++)
            if (!strcmp(st->s[k].name, f->metric)) m = &st->s[k];
        if (!m || m->n == 0 || !isfinite(m->mean)) {
            j += 100.0;
            continue;
        }
        double tol = f->relative ? f->tol * fabs(f->value) : f->tol;
        if (!(tol > 0)) tol = 1e-9;
        double dev = m->mean - f->value;
        if (f->at_most && dev < 0) dev = 0;
        const double d = dev / tol, beyond = fabs(d) - FSN_CALIB_HINGE_AT;
        j += d * d;
        if (beyond > 0) j += hinge * beyond * beyond;
    }
    return j;
}

typedef struct eval_ctx {
    const char *text, *file, *base_dir;
    size_t len;
    const char **sets;       /* caller's sets, then one per free parameter */
    size_t nbase;
    char (*own)[320];
    const fsn_csr_t *g;
    const fsn_reference_t *ref;
    const fsn_free_param_t *fp;
    size_t nfree;
    const fsn_calib_cfg_t *cfg;
    fsn_scenario_t *sc;
    fsn_diags_t *d;
    double *params;          /* scratch: current point in the ranges */
    double *best;
    double best_j;
    size_t evals;
    fsn_calib_progress_fn progress;
    void *pctx;
    fsn_err_t fault;
    fsn_error_t *err;
} eval_ctx_t;

static double to_range(const fsn_free_param_t *p, double x) {
    return p->lo + (p->hi - p->lo) / (1.0 + exp(-x));
}

static double from_range(const fsn_free_param_t *p, double v) {
    double u = (v - p->lo) / (p->hi - p->lo);
    if (u < 1e-6) u = 1e-6;
    if (u > 1 - 1e-6) u = 1 - 1e-6;
    return log(u / (1 - u));
}

/* Parse the base scenario with the values vals set. */
static fsn_err_t with_values(eval_ctx_t *e, const double *vals) {
    for (size_t i = 0; i < e->nfree; i++) {
        snprintf(e->own[i], sizeof e->own[i], "%s=%.17g", e->fp[i].path, vals[i]);
        e->sets[e->nbase + i] = e->own[i];
    }
    return fsn_scenario_parse(e->sc, e->text, e->len, e->file, e->base_dir, e->sets, e->nbase + e->nfree, e->d);
}

static double evaluate(const gsl_vector *x, void *arg) {
    eval_ctx_t *e = arg;
    if (e->fault) return 1e30;
    for (size_t i = 0; i < e->nfree; i++) e->params[i] = to_range(&e->fp[i], gsl_vector_get(x, i));
    double j = 1e12;   /* a trial the scenario rules refuse */
    if (!with_values(e, e->params)) {
        fsn_run_cfg_t cfg;
        fsn_run_cfg_default(&cfg);
        cfg.reps = e->cfg->reps;
        cfg.seed = e->cfg->seed;
        cfg.threads = e->cfg->threads;
        fsn_run_result_t res;
        fsn_error_t err2 = {0};
        fsn_err_t rc = fsn_run_campaigns(e->g, &e->sc->users, &e->sc->behaviour, e->sc->campaigns,
                                         e->sc->ncampaigns, &cfg, 0, &res, &err2);
        if (rc == FSN_ENOMEM) {
            e->fault = rc;
            *e->err = err2;
            return 1e30;
        }
        if (!rc) {
            fsn_metric_stats_t st;
            if (!fsn_metric_stats_from_result(&res, &st, &err2)) {
                j = fsn_calib_objective(e->ref, &st, e->cfg->hinge);
                fsn_metric_stats_destroy(&st);
            }
            fsn_run_result_destroy(&res);
        }
    }
    e->evals++;
    if (j < e->best_j) {
        e->best_j = j;
        memcpy(e->best, e->params, e->nfree * sizeof *e->best);
    }
    if (e->progress) e->progress(e->pctx, e->evals, j, e->best_j, e->params, e->nfree);
    return j;
}

fsn_err_t fsn_calibrate(const char *text, size_t len, const char *file, const char *base_dir,
                        const char *const *sets, size_t nsets, const fsn_csr_t *g,
                        const fsn_reference_t *ref, const fsn_free_param_t *fp, size_t nfree,
                        const fsn_calib_cfg_t *cfg, fsn_calib_progress_fn progress, void *ctx,
                        fsn_calib_result_t *out, fsn_error_t *err) {
    FSN_REQUIRE(text && g && ref && cfg && out && (fp || nfree == 0));
    memset(out, 0, sizeof *out);
    if (nfree == 0) return fsn_error_set(err, FSN_EINVAL, "calibrate: no free parameter (--free PATH=LO:HI)");
    if (cfg->reps < 2) return fsn_error_set(err, FSN_EINVAL, "calibrate: at least 2 replicates per evaluation");
    eval_ctx_t e = {0};
    e.text = text;
    e.len = len;
    e.file = file;
    e.base_dir = base_dir;
    e.g = g;
    e.ref = ref;
    e.fp = fp;
    e.nfree = nfree;
    e.cfg = cfg;
    e.nbase = nsets;
    e.progress = progress;
    e.pctx = ctx;
    e.err = err;
    e.best_j = INFINITY;
    e.sets = calloc(nsets + nfree, sizeof *e.sets);
    e.own = calloc(nfree, sizeof *e.own);
    e.sc = malloc(sizeof *e.sc);
    e.d = malloc(sizeof *e.d);
    e.params = calloc(nfree, sizeof *e.params);
    e.best = calloc(nfree, sizeof *e.best);
    gsl_vector *x0 = gsl_vector_alloc(nfree), *step = gsl_vector_alloc(nfree);
    gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, nfree);
    fsn_err_t rc = FSN_OK;
    if (!e.sets || !e.own || !e.sc || !e.d || !e.params || !e.best || !x0 || !step || !s) {
        rc = fsn_error_set(err, FSN_ENOMEM, "calibrate: out of memory");
        goto done;
    }
    for (size_t i = 0; i < nsets; i++) e.sets[i] = sets[i];
    /* the base scenario, and each free parameter's start */
    if (fsn_scenario_parse(e.sc, text, len, file, base_dir, sets, nsets, e.d)) {
        rc = fsn_error_set(err, FSN_EINVAL, "calibrate: the base scenario does not parse: %s",
                           e.d->count ? e.d->msg[0] : "?");
        goto done;
    }
    for (size_t i = 0; i < nfree; i++) {
        const fsn_free_param_t *p = &fp[i];
        int kt = fsn_scenario_key_type(p->path);
        if (!strncmp(p->path, "graph.", 6) || !strcmp(p->path, "graph")) {
            rc = fsn_error_set(err, FSN_EINVAL, "calibrate: --free %s: the graph is built once and cannot be calibrated", p->path);
            goto done;
        }
        if (kt == FSN_KEY_UNKNOWN) {
            rc = fsn_error_set(err, FSN_EINVAL, "calibrate: --free %s: no such scenario key (see `fission help scenario`)", p->path);
            goto done;
        }
        if (kt != FSN_KEY_NUMBER) {
            rc = fsn_error_set(err, FSN_EINVAL, "calibrate: --free %s: %s; only real-valued keys can be calibrated",
                               p->path, kt == FSN_KEY_INTEGER ? "an integer key" : "not a number");
            goto done;
        }
        if (!(p->lo < p->hi) || !isfinite(p->lo) || !isfinite(p->hi)) {
            rc = fsn_error_set(err, FSN_EINVAL, "calibrate: --free %s: the range [%g, %g] is empty", p->path, p->lo, p->hi);
            goto done;
        }
        double v = p->start;
        if (!isfinite(v) && fsn_scenario_get_number(e.sc, p->path, &v)) {
            rc = fsn_error_set(err, FSN_EINVAL, "calibrate: --free %s: the scenario has no number there", p->path);
            goto done;
        }
        if (!(v > p->lo && v < p->hi)) v = 0.5 * (p->lo + p->hi);
        gsl_vector_set(x0, i, from_range(p, v));
        gsl_vector_set(step, i, cfg->step);
    }
    gsl_multimin_function f = {evaluate, nfree, &e};
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_multimin_fminimizer_set(s, &f, x0, step);
    int stopped = 0;
    while (e.evals < cfg->max_evals && !e.fault) {
        if (cfg->stop && *cfg->stop) {
            stopped = 1;
            break;
        }
        if (gsl_multimin_fminimizer_iterate(s)) break;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), cfg->size_tol) == GSL_SUCCESS) break;
    }
    gsl_set_error_handler(old);
    if (e.fault) {
        rc = e.fault;
        goto done;
    }
    /* the result: the best point seen, as a parsed scenario */
    out->params = malloc(nfree * sizeof *out->params);
    out->scenario = malloc(sizeof *out->scenario);
    if (!out->params || !out->scenario) {
        rc = fsn_error_set(err, FSN_ENOMEM, "calibrate: out of memory");
        goto done;
    }
    memcpy(out->params, e.best, nfree * sizeof *e.best);
    out->objective = e.best_j;
    out->evals = e.evals;
    out->stopped = stopped;
    if (with_values(&e, e.best)) {
        rc = fsn_error_set(err, FSN_EINVAL, "calibrate: the best point does not parse: %s", e.d->count ? e.d->msg[0] : "?");
        goto done;
    }
    *out->scenario = *e.sc;
done:
    if (rc) fsn_calib_result_destroy(out);
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(x0);
    gsl_vector_free(step);
    free(e.sets);
    free(e.own);
    free(e.sc);
    free(e.d);
    free(e.params);
    free(e.best);
    return rc;
}
