/*
 * optimise.c: a search over campaign levers, by grid, Sobol points and
 * compass search, for noisy objectives evaluated on common random numbers.
 *
 * Why this method. A campaign's levers are mixed: group size and seed
 * count are integers, strategies and cut schedules are categories, prices
 * and deadlines are real. The objective is a mean over replicates, so it
 * is noisy, but with common random numbers (the same streams for every
 * design) it is noisy in the same way for every design, and comparing two
 * designs' means is far more precise than either mean. A gradient-free,
 * comparison-only search suits that: it never needs a derivative, and it
 * only ever asks "is this design better than that one". Nelder-Mead (what
 * calibration uses) works on continuous coordinates and would have to
 * round integers inside the simplex, where it stalls; compass search
 * handles integers (steps of whole numbers down to 1) and categories (poll
 * every other category) without tricks, and it is deterministic.
 *
 * Budgets are small (tens to a few hundred evaluations: each is a set of
 * simulator runs), so when every lever is discrete and the grid fits the
 * budget, the grid is enumerated and the answer is exact over it. With a
 * real lever, a Sobol design spreads a third of the budget over the box
 * (low-discrepancy: no two points cluster, every region is sampled),
 * then the compass search refines from the best point found.
 *
 * Every design is rounded to its integer and category values first and
 * cached by that rounded point: asking for it again is free, and the
 * budget counts distinct evaluations only. The order of evaluations
 * depends on nothing but the inputs, so the result is deterministic.
 *
 * Memory: the points live in one pool sized for the budget, allocated up
 * front; the search itself allocates nothing per evaluation.
 */
#include "fission/optimise.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fission/output.h"
#include "fission/stats.h"
#include "text.h"

void fsn_opt_cfg_default(fsn_opt_cfg_t *cfg) {
    FSN_REQUIRE(cfg);
    memset(cfg, 0, sizeof *cfg);
    cfg->reps = 8;
    cfg->budget = 60;
    cfg->maximise = 1;
}

void fsn_opt_result_destroy(fsn_opt_result_t *r) {
    if (!r) return;
    free(r->pts);
    free(r->pool);
    memset(r, 0, sizeof *r);
}

void fsn_lever_value_text(const fsn_lever_t *lv, double x, char *buf, size_t size) {
    if (lv->kind == FSN_LEVER_CAT) {
        long i = lround(x);
        snprintf(buf, size, "%s", i >= 0 && (size_t)i < lv->ncats ? lv->cats[i] : "?");
    } else if (lv->kind == FSN_LEVER_INT) {
        snprintf(buf, size, "%.0f", x);
    } else {
        fsn_num_text(buf, size, x);
    }
}

int fsn_opt_better(const fsn_opt_result_t *r, size_t a, size_t b, int maximise) {
    const fsn_opt_point_t *p = &r->pts[a], *q = &r->pts[b];
    if (p->valid != q->valid) return p->valid;
    if (!p->valid) return a < b;
    if (p->feasible != q->feasible) return p->feasible;
    if (!p->feasible && p->violation != q->violation) return p->violation < q->violation;
    if (p->mean != q->mean) return maximise ? p->mean > q->mean : p->mean < q->mean;
    return a < b;
}

typedef struct search {
    const fsn_lever_t *lv;
    size_t nlev, ncon;
    const double *bounds;
    const fsn_opt_cfg_t *cfg;
    fsn_opt_eval_fn fn;
    void *ctx;
    fsn_opt_progress_fn progress;
    void *pctx;
    fsn_opt_result_t *r;
    size_t cap;
    double tq;                /* one-sided t quantile of the constraint bounds (0: means) */
    double *xs;               /* scratch design */
    fsn_error_t *err;
    fsn_err_t fault;
} search_t;

/* Round a design to what can be evaluated: integers whole, categories an
 * index, everything inside its range. */
static void canonical(const search_t *s, double *x) {
    for (size_t i = 0; i < s->nlev; i++) {
        const fsn_lever_t *l = &s->lv[i];
        double lo = l->kind == FSN_LEVER_CAT ? 0 : l->lo, hi = l->kind == FSN_LEVER_CAT ? (double)l->ncats - 1 : l->hi;
        if (!isfinite(x[i])) x[i] = lo;
        if (l->kind != FSN_LEVER_REAL) x[i] = floor(x[i] + 0.5);
        if (x[i] < lo) x[i] = lo;
        if (x[i] > hi) x[i] = hi;
        if (x[i] == 0) x[i] = 0;   /* no -0 */
    }
}

static long lookup(const search_t *s, const double *x) {
    for (size_t k = 0; k < s->r->npoints; k++)
        if (!memcmp(s->r->pts[k].x, x, s->nlev * sizeof *x)) return (long)k;
    return -1;
}

static void summarise(search_t *s, fsn_opt_point_t *p) {
    const uint32_t R = s->r->reps;
    double sum = 0, ss = 0;
    size_t n = 0;
    for (uint32_t k = 0; k < R; k++)
        if (isfinite(p->obj[k])) sum += p->obj[k], n++;
    p->mean = n ? sum / (double)n : NAN;
    for (uint32_t k = 0; k < R; k++)
        if (isfinite(p->obj[k])) ss += (p->obj[k] - p->mean) * (p->obj[k] - p->mean);
    if (n >= 2) {
        double se = sqrt(ss / (double)(n - 1) / (double)n);
        double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
        p->ci_lo = p->mean - t * se;
        p->ci_hi = p->mean + t * se;
    } else {
        p->ci_lo = p->ci_hi = p->mean;
    }
    p->valid = n > 0;
    if (!p->valid && !p->why[0]) snprintf(p->why, sizeof p->why, "the objective has no finite value");
    p->violation = 0;
    int ok = p->valid;
    for (size_t j = 0; j < s->ncon; j++) {
        const double *c = p->con + j * R;
        double cs = 0, css = 0;
        size_t m = 0;
        for (uint32_t k = 0; k < R; k++)
            if (isfinite(c[k])) cs += c[k], m++;
        double mean = m ? cs / (double)m : NAN;
        for (uint32_t k = 0; k < R; k++)
            if (isfinite(c[k])) css += (c[k] - mean) * (c[k] - mean);
        double ub = mean;
        if (s->cfg->confidence > 0 && m >= 2) {
            double t = gsl_cdf_tdist_Pinv(s->cfg->confidence, (double)(m - 1));
            ub = mean + t * sqrt(css / (double)(m - 1) / (double)m);
        }
        p->con_mean[j] = mean;
        p->con_ub[j] = ub;
        double v = s->cfg->confidence > 0 ? ub : mean;
        if (!isfinite(v)) {
            ok = 0;
            p->violation += 1e9;
        } else if (v > s->bounds[j]) {
            ok = 0;
            double scale = fabs(s->bounds[j]) > 1 ? fabs(s->bounds[j]) : 1;
            p->violation += (v - s->bounds[j]) / scale;
        }
    }
    p->feasible = ok;
}

/* Evaluate design x (rounded here); its index, or -1 when the budget is
 * spent or the search has failed. */
static long evaluate(search_t *s, const double *x0, const char *phase) {
    if (s->fault) return -1;
    double *x = s->xs;
    memcpy(x, x0, s->nlev * sizeof *x);
    canonical(s, x);
    s->r->requests++;
    long k = lookup(s, x);
    if (k >= 0) return k;
    if (s->r->npoints >= s->cap) return -1;
    if (s->cfg->stop && *s->cfg->stop) {
        s->r->stopped = 1;
        return -1;
    }
    size_t i = s->r->npoints;
    fsn_opt_point_t *p = &s->r->pts[i];
    memcpy(p->x, x, s->nlev * sizeof *x);
    p->phase = phase;
    p->why[0] = 0;
    fsn_error_t e2 = {0};
    fsn_err_t rc = s->fn(s->ctx, p->x, p->obj, p->con, &e2);
    if (rc && rc != FSN_EINVAL) {
        s->fault = rc;
        *s->err = e2;
        return -1;
    }
    if (rc) {
        for (uint32_t q = 0; q < s->r->reps; q++) p->obj[q] = NAN;
        for (size_t q = 0; q < s->ncon * s->r->reps; q++) p->con[q] = NAN;
        snprintf(p->why, sizeof p->why, "%s", e2.msg[0] ? e2.msg : "refused");
    }
    s->r->npoints++;
    summarise(s, p);
    if (s->progress) s->progress(s->pctx, s->r, i);
    return (long)i;
}

static long best_of(const search_t *s) {
    long b = -1;
    for (size_t k = 0; k < s->r->npoints; k++)
        if (b < 0 || fsn_opt_better(s->r, k, (size_t)b, s->cfg->maximise)) b = (long)k;
    return b;
}

/* The grid of an all-discrete space, in lexicographic order. */
static void enumerate(search_t *s) {
    double *x = calloc(s->nlev, sizeof *x);
    if (!x) {
        s->fault = fsn_error_set(s->err, FSN_ENOMEM, "optimise: out of memory");
        return;
    }
    for (size_t i = 0; i < s->nlev; i++) x[i] = s->lv[i].kind == FSN_LEVER_CAT ? 0 : s->lv[i].lo;
    for (;;) {
        if (evaluate(s, x, "grid") < 0 && (s->fault || s->r->npoints >= s->cap)) break;
        size_t i = s->nlev;
        while (i-- > 0) {
            double hi = s->lv[i].kind == FSN_LEVER_CAT ? (double)s->lv[i].ncats - 1 : s->lv[i].hi;
            if (x[i] + 1 <= hi) {
                x[i] += 1;
                break;
            }
            x[i] = s->lv[i].kind == FSN_LEVER_CAT ? 0 : s->lv[i].lo;
        }
        if (i == (size_t)-1) break;
    }
    free(x);
}

static void sobol(search_t *s, size_t n) {
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)s->nlev);
    double *u = calloc(s->nlev, sizeof *u), *x = calloc(s->nlev, sizeof *x);
    if (!q || !u || !x) {
        s->fault = fsn_error_set(s->err, FSN_ENOMEM, "optimise: out of memory");
    } else {
        /* the first Sobol point is the origin corner; skip it */
        gsl_qrng_get(q, u);
        for (size_t k = 0; k < n && !s->fault && s->r->npoints < s->cap; k++) {
            gsl_qrng_get(q, u);
            for (size_t i = 0; i < s->nlev; i++) {
                const fsn_lever_t *l = &s->lv[i];
                if (l->kind == FSN_LEVER_CAT) x[i] = floor(u[i] * (double)l->ncats);
                else if (l->kind == FSN_LEVER_INT) x[i] = floor(l->lo + u[i] * (l->hi - l->lo + 1));
                else x[i] = l->lo + u[i] * (l->hi - l->lo);
            }
            evaluate(s, x, "sobol");
        }
    }
    if (q) gsl_qrng_free(q);
    free(u);
    free(x);
}

/* Compass search from design inc until no step improves or the budget is
 * spent. */
static void compass(search_t *s, long inc, double *step, double *cur, double *y) {
    const size_t d = s->nlev;
    for (size_t i = 0; i < d; i++) {
        const fsn_lever_t *l = &s->lv[i];
        step[i] = l->kind == FSN_LEVER_REAL ? (l->hi - l->lo) / 4 : floor((l->hi - l->lo) / 4);
        if (l->kind == FSN_LEVER_INT && step[i] < 1) step[i] = 1;
    }
    while (!s->fault && s->r->npoints < s->cap) {
        memcpy(cur, s->r->pts[inc].x, d * sizeof *cur);
        long nb = -1;
        for (size_t i = 0; i < d && !s->fault; i++) {
            const fsn_lever_t *l = &s->lv[i];
            if (l->kind == FSN_LEVER_CAT) {
                for (size_t c = 0; c < l->ncats; c++) {
                    if ((double)c == cur[i]) continue;
                    memcpy(y, cur, d * sizeof *y);
                    y[i] = (double)c;
                    long k = evaluate(s, y, "poll");
                    if (k >= 0 && (nb < 0 || fsn_opt_better(s->r, (size_t)k, (size_t)nb, s->cfg->maximise))) nb = k;
                }
                continue;
            }
            for (int sg = -1; sg <= 1; sg += 2) {
                memcpy(y, cur, d * sizeof *y);
                y[i] = cur[i] + sg * step[i];
                long k = evaluate(s, y, "poll");
                if (k >= 0 && k != inc && (nb < 0 || fsn_opt_better(s->r, (size_t)k, (size_t)nb, s->cfg->maximise)))
                    nb = k;
            }
        }
        if (nb >= 0 && fsn_opt_better(s->r, (size_t)nb, (size_t)inc, s->cfg->maximise)) {
            inc = nb;
            continue;
        }
        /* no neighbour improves: shrink */
        int more = 0;
        for (size_t i = 0; i < d; i++) {
            const fsn_lever_t *l = &s->lv[i];
            if (l->kind == FSN_LEVER_REAL) {
                step[i] /= 2;
                more |= step[i] >= 0.01 * (l->hi - l->lo);
            } else if (l->kind == FSN_LEVER_INT && step[i] > 1) {
                step[i] = floor(step[i] / 2);
                if (step[i] < 1) step[i] = 1;
                more = 1;
            }
        }
        if (!more) break;
    }
}

/* Compass searches from the space-filling designs, best first, while the
 * budget lasts: a compass search moves one lever at a time, so it can stop
 * where no single lever improves (a group size that is best only at
 * another price); restarting from the other good starting designs finds
 * the other local optima, and the best of all is kept. */
static void pattern(search_t *s) {
    const size_t d = s->nlev, n0 = s->r->npoints;
    double *step = calloc(d, sizeof *step), *cur = calloc(d, sizeof *cur), *y = calloc(d, sizeof *y);
    size_t *order = calloc(n0 ? n0 : 1, sizeof *order);
    if (!step || !cur || !y || !order) {
        s->fault = fsn_error_set(s->err, FSN_ENOMEM, "optimise: out of memory");
        goto done;
    }
    for (size_t k = 0; k < n0; k++) order[k] = k;
    for (size_t k = 1; k < n0; k++) {
        size_t v = order[k], j = k;
        while (j > 0 && fsn_opt_better(s->r, v, order[j - 1], s->cfg->maximise)) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    for (size_t k = 0; k < n0 && !s->fault && s->r->npoints < s->cap; k++) {
        if (!s->r->pts[order[k]].valid) break;
        compass(s, (long)order[k], step, cur, y);
    }
done:
    free(step);
    free(cur);
    free(y);
    free(order);
}

static fsn_err_t check_levers(const fsn_lever_t *lv, size_t nlev, fsn_error_t *err) {
    if (nlev < 1 || nlev > FSN_LEVERS_MAX)
        return fsn_error_set(err, FSN_EINVAL, "optimise: between 1 and %d levers, got %zu", FSN_LEVERS_MAX, nlev);
    for (size_t i = 0; i < nlev; i++) {
        const fsn_lever_t *l = &lv[i];
        if (l->kind == FSN_LEVER_CAT) {
            if (l->ncats < 1 || l->ncats > FSN_LEVER_CATS_MAX)
                return fsn_error_set(err, FSN_EINVAL, "optimise: lever %s: between 1 and %d categories, got %zu",
                                     l->path, FSN_LEVER_CATS_MAX, l->ncats);
        } else if (!isfinite(l->lo) || !isfinite(l->hi) || !(l->kind == FSN_LEVER_INT ? l->lo <= l->hi : l->lo < l->hi)) {
            return fsn_error_set(err, FSN_EINVAL, "optimise: lever %s: the range [%g, %g] is empty", l->path, l->lo,
                                 l->hi);
        } else if (l->kind == FSN_LEVER_INT && (l->lo != floor(l->lo) || l->hi != floor(l->hi))) {
            return fsn_error_set(err, FSN_EINVAL, "optimise: lever %s: an integer lever needs whole bounds, got [%g, %g]",
                                 l->path, l->lo, l->hi);
        } else if (l->kind != FSN_LEVER_INT && l->kind != FSN_LEVER_REAL) {
            return fsn_error_set(err, FSN_EINVAL, "optimise: lever %s: unknown kind", l->path);
        }
    }
    return FSN_OK;
}

fsn_err_t fsn_optimise(const fsn_lever_t *levers, size_t nlev, const double *bounds, size_t ncon,
                       const fsn_opt_cfg_t *cfg, fsn_opt_eval_fn fn, void *ctx, fsn_opt_progress_fn progress,
                       void *pctx, fsn_opt_result_t *out, fsn_error_t *err) {
    FSN_REQUIRE(levers && cfg && fn && out && (bounds || ncon == 0));
    memset(out, 0, sizeof *out);
    out->best = out->start = -1;
    fsn_err_t rc = check_levers(levers, nlev, err);
    if (rc) return rc;
    if (cfg->reps < 2) return fsn_error_set(err, FSN_EINVAL, "optimise: at least 2 replicates per design, got %u", cfg->reps);
    if (cfg->budget < 1 || cfg->budget > 100000)
        return fsn_error_set(err, FSN_EINVAL, "optimise: the budget must be 1 to 100000 evaluations, got %zu", cfg->budget);
    if (!(cfg->confidence == 0 || (cfg->confidence > 0.5 && cfg->confidence < 1)))
        return fsn_error_set(err, FSN_EINVAL, "optimise: constraint confidence must be 0 (means) or in (0.5, 1), got %g",
                             cfg->confidence);
    for (size_t j = 0; j < ncon; j++)
        if (!isfinite(bounds[j])) return fsn_error_set(err, FSN_EINVAL, "optimise: constraint %zu: bound not finite", j);
    const size_t cap = cfg->budget, R = cfg->reps;
    const size_t per = nlev + R + ncon * R + 2 * ncon;
    out->nlev = nlev;
    out->ncon = ncon;
    out->reps = cfg->reps;
    out->pts = calloc(cap, sizeof *out->pts);
    out->pool = calloc(cap * per + nlev, sizeof *out->pool);
    if (!out->pts || !out->pool) {
        fsn_opt_result_destroy(out);
        return fsn_error_set(err, FSN_ENOMEM, "optimise: out of memory for %zu evaluations", cap);
    }
    for (size_t k = 0; k < cap; k++) {
        double *b = out->pool + k * per;
        out->pts[k].x = b;
        out->pts[k].obj = b + nlev;
        out->pts[k].con = b + nlev + R;
        out->pts[k].con_mean = b + nlev + R + ncon * R;
        out->pts[k].con_ub = b + nlev + R + ncon * R + ncon;
    }
    search_t s = {0};
    s.lv = levers;
    s.nlev = nlev;
    s.ncon = ncon;
    s.bounds = bounds;
    s.cfg = cfg;
    s.fn = fn;
    s.ctx = ctx;
    s.progress = progress;
    s.pctx = pctx;
    s.r = out;
    s.cap = cap;
    s.err = err;
    s.xs = out->pool + cap * per;
    /* the start design */
    double x0[FSN_LEVERS_MAX];
    for (size_t i = 0; i < nlev; i++) {
        const fsn_lever_t *l = &levers[i];
        x0[i] = isfinite(l->start) ? l->start : l->kind == FSN_LEVER_CAT ? 0 : 0.5 * (l->lo + l->hi);
    }
    out->start = evaluate(&s, x0, "start");
    /* the grid if it is discrete and small enough, else Sobol + compass search */
    double grid = 1;
    int discrete = 1;
    for (size_t i = 0; i < nlev; i++) {
        const fsn_lever_t *l = &levers[i];
        if (l->kind == FSN_LEVER_REAL) discrete = 0;
        else grid *= l->kind == FSN_LEVER_CAT ? (double)l->ncats : l->hi - l->lo + 1;
    }
    size_t emax = cfg->enumerate_max ? cfg->enumerate_max : cap;
    if (discrete && grid <= (double)emax && grid <= (double)cap) {
        out->method = "enumeration";
        enumerate(&s);
    } else {
        out->method = "sobol+pattern";
        size_t n0 = cfg->initial ? cfg->initial : (cap / 3 > 2 * nlev + 2 ? cap / 3 : 2 * nlev + 2);
        sobol(&s, n0);
        if (!s.fault) pattern(&s);
    }
    if (s.fault) {
        fsn_opt_result_destroy(out);
        return s.fault;
    }
    /* the best, the runners-up and their paired gaps */
    out->best = best_of(&s);
    if (out->best >= 0 && out->pts[out->best].valid) {
        const fsn_opt_point_t *b = &out->pts[out->best];
        if (out->start >= 0)
            fsn_paired_stats(out->pts[out->start].obj, b->obj, R, NAN, &out->best_vs_start);
        size_t *order = malloc(out->npoints * sizeof *order);
        if (!order) {
            fsn_opt_result_destroy(out);
            return fsn_error_set(err, FSN_ENOMEM, "optimise: out of memory");
        }
        for (size_t k = 0; k < out->npoints; k++) order[k] = k;
        /* insertion sort by "better": the points are few, and it is stable */
        for (size_t k = 1; k < out->npoints; k++) {
            size_t v = order[k], j = k;
            while (j > 0 && fsn_opt_better(out, v, order[j - 1], cfg->maximise)) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = v;
        }
        for (size_t k = 1; k < out->npoints && out->nrunners < FSN_OPT_RUNNERS; k++) {
            const fsn_opt_point_t *p = &out->pts[order[k]];
            if (!p->valid) break;
            out->runners[out->nrunners] = order[k];
            fsn_paired_stats(b->obj, p->obj, R, NAN, &out->runner_diff[out->nrunners]);
            out->nrunners++;
        }
        free(order);
    } else {
        out->best = -1;
    }
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Files                                                              */
/* ------------------------------------------------------------------ */

static void design_json(fsn_tb_t *j, const fsn_opt_result_t *r, const fsn_lever_t *lv, size_t k) {
    fsn_tb_printf(j, "{");
    for (size_t i = 0; i < r->nlev; i++) {
        fsn_tb_printf(j, "%s", i ? ", " : "");
        fsn_tb_json_str(j, lv[i].path);
        fsn_tb_printf(j, ": ");
        if (lv[i].kind == FSN_LEVER_CAT) {
            char v[64];
            fsn_lever_value_text(&lv[i], r->pts[k].x[i], v, sizeof v);
            fsn_tb_json_str(j, v);
        } else {
            fsn_tb_num(j, r->pts[k].x[i], "null");
        }
    }
    fsn_tb_printf(j, "}");
}

static void point_json(fsn_tb_t *j, const fsn_opt_result_t *r, const fsn_lever_t *lv, size_t k,
                       const char *const *con_names) {
    const fsn_opt_point_t *p = &r->pts[k];
    fsn_tb_printf(j, "{\"evaluation\": %zu, \"levers\": ", k + 1);
    design_json(j, r, lv, k);
    fsn_tb_printf(j, ", \"objective\": {\"mean\": ");
    fsn_tb_num(j, p->mean, "null");
    fsn_tb_printf(j, ", \"ci_lo\": ");
    fsn_tb_num(j, p->ci_lo, "null");
    fsn_tb_printf(j, ", \"ci_hi\": ");
    fsn_tb_num(j, p->ci_hi, "null");
    fsn_tb_printf(j, "}, \"constraints\": {");
    for (size_t c = 0; c < r->ncon; c++) {
        fsn_tb_printf(j, "%s", c ? ", " : "");
        fsn_tb_json_str(j, con_names[c]);
        fsn_tb_printf(j, ": {\"mean\": ");
        fsn_tb_num(j, p->con_mean[c], "null");
        fsn_tb_printf(j, ", \"upper\": ");
        fsn_tb_num(j, p->con_ub[c], "null");
        fsn_tb_printf(j, "}");
    }
    fsn_tb_printf(j, "}, \"feasible\": %s}", p->feasible ? "true" : "false");
}

static void paired_json(fsn_tb_t *j, const fsn_paired_stat_t *d) {
    fsn_tb_printf(j, "{\"diff\": ");
    fsn_tb_num(j, d->diff, "null");
    fsn_tb_printf(j, ", \"ci_lo\": ");
    fsn_tb_num(j, d->ci_lo, "null");
    fsn_tb_printf(j, ", \"ci_hi\": ");
    fsn_tb_num(j, d->ci_hi, "null");
    fsn_tb_printf(j, ", \"p\": ");
    fsn_tb_num(j, d->p, "null");
    fsn_tb_printf(j, ", \"significant\": %s}", d->significant ? "true" : "false");
}

fsn_err_t fsn_opt_write(const char *dir, const fsn_opt_result_t *r, const fsn_lever_t *lv,
                        const char *objective, int maximise, const char *const *con_names, const double *bounds,
                        double confidence, fsn_error_t *err) {
    FSN_REQUIRE(dir && r && lv && objective && (con_names || r->ncon == 0));
    fsn_tb_t c = {0}, j = {0};
    /* explored.csv */
    fsn_tb_printf(&c, "evaluation,phase");
    for (size_t i = 0; i < r->nlev; i++) {
        fsn_tb_printf(&c, ",");
        fsn_tb_csv_str(&c, lv[i].path);
    }
    fsn_tb_printf(&c, ",valid,objective_mean,objective_ci_lo,objective_ci_hi");
    for (size_t k = 0; k < r->ncon; k++) {
        char h[200];
        snprintf(h, sizeof h, "%s_mean", con_names[k]);
        fsn_tb_printf(&c, ",");
        fsn_tb_csv_str(&c, h);
        snprintf(h, sizeof h, "%s_upper", con_names[k]);
        fsn_tb_printf(&c, ",");
        fsn_tb_csv_str(&c, h);
    }
    fsn_tb_printf(&c, ",feasible,note\n");
    for (size_t k = 0; k < r->npoints; k++) {
        const fsn_opt_point_t *p = &r->pts[k];
        fsn_tb_printf(&c, "%zu,%s", k + 1, p->phase);
        for (size_t i = 0; i < r->nlev; i++) {
            char v[64];
            fsn_lever_value_text(&lv[i], p->x[i], v, sizeof v);
            fsn_tb_printf(&c, ",");
            fsn_tb_csv_str(&c, v);
        }
        fsn_tb_printf(&c, ",%d,", p->valid);
        fsn_tb_num(&c, p->mean, "");
        fsn_tb_printf(&c, ",");
        fsn_tb_num(&c, p->ci_lo, "");
        fsn_tb_printf(&c, ",");
        fsn_tb_num(&c, p->ci_hi, "");
        for (size_t q = 0; q < r->ncon; q++) {
            fsn_tb_printf(&c, ",");
            fsn_tb_num(&c, p->con_mean[q], "");
            fsn_tb_printf(&c, ",");
            fsn_tb_num(&c, p->con_ub[q], "");
        }
        fsn_tb_printf(&c, ",%d,", p->feasible);
        fsn_tb_csv_str(&c, (long)k == r->best ? "best" : p->why);
        fsn_tb_printf(&c, "\n");
    }
    /* optimise.json */
    fsn_tb_printf(&j, "{\n  \"method\": \"%s\",\n  \"objective\": ", r->method ? r->method : "");
    fsn_tb_json_str(&j, objective);
    fsn_tb_printf(&j, ",\n  \"direction\": \"%s\",\n  \"replicates\": %u,\n  \"evaluations\": %zu,\n  \"requests\": %zu,\n",
                  maximise ? "maximise" : "minimise", r->reps, r->npoints, r->requests);
    fsn_tb_printf(&j, "  \"constraint_confidence\": ");
    fsn_tb_num(&j, confidence, "0");
    fsn_tb_printf(&j, ",\n  \"levers\": [");
    for (size_t i = 0; i < r->nlev; i++) {
        static const char *const kinds[] = {"real", "integer", "category"};
        fsn_tb_printf(&j, "%s\n    {\"path\": ", i ? "," : "");
        fsn_tb_json_str(&j, lv[i].path);
        fsn_tb_printf(&j, ", \"kind\": \"%s\"", kinds[lv[i].kind]);
        if (lv[i].kind == FSN_LEVER_CAT) {
            fsn_tb_printf(&j, ", \"values\": [");
            for (size_t q = 0; q < lv[i].ncats; q++) {
                fsn_tb_printf(&j, "%s", q ? ", " : "");
                fsn_tb_json_str(&j, lv[i].cats[q]);
            }
            fsn_tb_printf(&j, "]}");
        } else {
            fsn_tb_printf(&j, ", \"lo\": ");
            fsn_tb_num(&j, lv[i].lo, "null");
            fsn_tb_printf(&j, ", \"hi\": ");
            fsn_tb_num(&j, lv[i].hi, "null");
            fsn_tb_printf(&j, "}");
        }
    }
    fsn_tb_printf(&j, "\n  ],\n  \"constraints\": [");
    for (size_t q = 0; q < r->ncon; q++) {
        fsn_tb_printf(&j, "%s\n    {\"metric\": ", q ? "," : "");
        fsn_tb_json_str(&j, con_names[q]);
        fsn_tb_printf(&j, ", \"at_most\": ");
        fsn_tb_num(&j, bounds[q], "null");
        fsn_tb_printf(&j, "}");
    }
    fsn_tb_printf(&j, "\n  ],\n  \"best\": ");
    if (r->best >= 0) {
        point_json(&j, r, lv, (size_t)r->best, con_names);
    } else {
        fsn_tb_printf(&j, "null");
    }
    fsn_tb_printf(&j, ",\n  \"best_feasible\": %s,\n  \"start\": ",
                  r->best >= 0 && r->pts[r->best].feasible ? "true" : "false");
    if (r->start >= 0) point_json(&j, r, lv, (size_t)r->start, con_names);
    else fsn_tb_printf(&j, "null");
    fsn_tb_printf(&j, ",\n  \"best_minus_start\": ");
    paired_json(&j, &r->best_vs_start);
    fsn_tb_printf(&j, ",\n  \"runners_up\": [");
    for (size_t k = 0; k < r->nrunners; k++) {
        fsn_tb_printf(&j, "%s\n    {\"design\": ", k ? "," : "");
        point_json(&j, r, lv, r->runners[k], con_names);
        fsn_tb_printf(&j, ", \"minus_best\": ");
        paired_json(&j, &r->runner_diff[k]);
        fsn_tb_printf(&j, "}");
    }
    fsn_tb_printf(&j, "\n  ]\n}\n");
    fsn_err_t rc = FSN_OK;
    if (c.fail || j.fail) {
        rc = fsn_error_set(err, FSN_ENOMEM, "optimise: out of memory writing the results");
    } else {
        char path[4096];
        snprintf(path, sizeof path, "%s/explored.csv", dir);
        rc = fsn_write_atomic(path, c.s, c.len, err);
        if (!rc) {
            snprintf(path, sizeof path, "%s/optimise.json", dir);
            rc = fsn_write_atomic(path, j.s, j.len, err);
        }
    }
    free(c.s);
    free(j.s);
    return rc;
}
