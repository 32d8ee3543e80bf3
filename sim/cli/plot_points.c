/*
 * cli/plot_points.c: the figures of a sweep (fission plot SWEEP_DIR).
 *
 * A sweep folder holds points.csv (a row per design point: its axis
 * values, its replicates, and each metric's mean and 95% interval) and,
 * after a sensitivity analysis, sensitivity.csv (Sobol or Morris indices
 * per metric and parameter). The figures of one metric over the points
 * depend on how many axes there are: a line with its interval along one
 * axis, a heat map over a full two-axis grid (a scatter coloured by the
 * metric when the points are not a grid), and main effects (the mean of
 * the metric at each value of each axis, or in eight bins of equal
 * width for a continuous design) over three or more. A text axis (a
 * seeding strategy, say) is placed at 0, 1, 2, ... in order of first
 * appearance and labelled with its values. The sensitivity figures are
 * bars: S1 and ST with their intervals for Sobol, mu* against sigma for
 * Morris.
 *
 * These are apart from the run figures (plot_cmd.c) because they read
 * other tables and share nothing with them but the context and the
 * table helpers of plot.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

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
    qsort(u, n, sizeof *u, plot_cmp_double);
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

void plot_fig_sweep(plot_ctx_t *p) {
    char path[PLOT_PATH_LEN + 64];
    csv_t t;
    if (!plot_open_table(p, &t, path, sizeof path, "points.csv", NULL)) return;
    long creps = csv_col(&t, "reps");
    if (csv_col(&t, "point") != 0 || creps < 2) {
        plot_bad(p, "%s: expected the columns point, <axis>..., reps, <metric>.mean, ... (docs/PLOTS.md)", path);
        csv_free(&t);
        return;
    }
    size_t k = (size_t)creps - 1, np = t.nrows - 1;
    const char *axes[16];
    size_t na = k < 16 ? k : 16;
    for (size_t a = 0; a < na; a++) axes[a] = csv_cell(&t, 0, a + 1);
    /* axis values: numbers, or the order of first appearance for text */
    double *ax = malloc((na * np + 1) * sizeof *ax), *u = malloc((np + 1) * sizeof *u);
    pt_t *pts = malloc((np + 1) * sizeof *pts);
    if (!ax || !u || !pts) {
        free(ax);
        free(u);
        free(pts);
        csv_free(&t);
        plot_oom(p, path);
        return;
    }
    int text_axis[16] = {0};
    for (size_t a = 0; a < na; a++) {
        for (size_t i = 0; i < np; i++) text_axis[a] |= !csv_is_num(csv_cell(&t, i + 1, a + 1));
        double next = 0;   /* a text axis: 0, 1, 2, ... in order of first appearance */
        for (size_t i = 0; i < np; i++) {
            const char *s = csv_cell(&t, i + 1, a + 1);
            if (!text_axis[a]) {
                ax[a * np + i] = csv_num(s);
                continue;
            }
            size_t j = 0;
            while (j < i && strcmp(csv_cell(&t, j + 1, a + 1), s)) j++;
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
        const char *h = csv_cell(&t, 0, c);
        size_t hl = strlen(h);
        if (hl < 6 || strcmp(h + hl - 5, ".mean")) continue;
        char metric[256], key[300];
        snprintf(metric, sizeof metric, "%.*s", (int)(hl - 5), h);
        if (!plot_metric_wanted(p, metric)) continue;
        snprintf(key, sizeof key, "%s.ci_lo", metric);
        long clo = csv_col(&t, key);
        snprintf(key, sizeof key, "%s.ci_hi", metric);
        long chi = csv_col(&t, key);
        for (size_t i = 0; i < np; i++) {
            pts[i].x = ax[i];
            pts[i].y = na > 1 ? ax[np + i] : 0;
            pts[i].m = csv_num(csv_cell(&t, i + 1, c));
            pts[i].lo = clo >= 0 ? csv_num(csv_cell(&t, i + 1, (size_t)clo)) : NAN;
            pts[i].hi = chi >= 0 ? csv_num(csv_cell(&t, i + 1, (size_t)chi)) : NAN;
            pts[i].row = i + 1;
        }
        char safe[256], base[300], what[400];
        plot_safe_name(safe, sizeof safe, metric);
        snprintf(base, sizeof base, "sweep-%s", safe);
        fsn_tb_t b = {0};
        if (na == 1) {
            qsort(pts, np, sizeof *pts, cmp_pt);
            for (size_t i = 0; i < np; i++) {
                plot_nums(&b, (const double[]){pts[i].x, pts[i].m, pts[i].lo, pts[i].hi}, 4);
                fsn_tb_printf(&b, ",");
                plot_text(&b, csv_cell(&t, pts[i].row, 1));
                fsn_tb_printf(&b, "\n");
            }
            snprintf(what, sizeof what, "%s along %s", metric, axes[0]);
            plot_emit(p, &b, base, "sweep1.gp", what, 3, axes[0], metric, text_axis[0] ? "1" : "0");
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
                    plot_nums(&b, (const double[]){pts[i].x, pts[i].y, xl, xh, yl, yh, pts[i].m}, 7);
                    /* the label's colour: black on the light end of the palette, white on the dark */
                    int light = mhi > mlo && (pts[i].m - mlo) / (mhi - mlo) > 0.6;
                    fsn_tb_printf(&b, ",%d\n", light ? 0 : 0xffffff);
                }
            }
            free(ux);
            free(uy);
            free(xs);
            free(ys);
            snprintf(what, sizeof what, "%s over %s and %s, %s", metric, axes[0], axes[1],
                     grid ? "heat map" : "scatter");
            plot_emit(p, &b, base, "sweep2.gp", what, 4, axes[0], axes[1], metric, grid ? "1" : "0");
        } else {
            fsn_tb_t an = {0};
            for (size_t a = 0; a < na; a++) {
                if (a) fsn_tb_printf(&b, "\n\n");
                fsn_tb_printf(&an, "%s%s", a ? " " : "", axes[a]);
                size_t ku = distinct(ax + a * np, np, u);
                if (ku <= 10) {
                    for (size_t j = 0; j < ku; j++) {
                        double s = 0;
                        size_t n = 0;
                        for (size_t i = 0; i < np; i++)
                            if (ax[a * np + i] == u[j] && isfinite(pts[i].m)) s += pts[i].m, n++;
                        plot_row(&b, (const double[]){u[j], n ? s / (double)n : NAN}, 2);
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
                        plot_row(&b, (const double[]){sx / (double)n, sm / (double)n}, 2);
                    }
                }
            }
            snprintf(what, sizeof what, "%s: main effects of %zu axes", metric, na);
            plot_emit(p, &b, base, "sweepk.gp", what, 2, an.s ? an.s : "", metric);
            free(an.s);
        }
        free(b.s);
        plotted++;
    }
    if (!plotted)
        plot_note(p, "the sweep: %s",
                  p->nmetrics ? "no metric of --metric in points.csv" : "no metric columns in points.csv");
    free(ax);
    free(u);
    free(pts);
    csv_free(&t);
}

/* ------------------------------------------------------------------ */
/* 7. Sensitivity indices                                              */
/* ------------------------------------------------------------------ */

void plot_fig_sensitivity(plot_ctx_t *p) {
    char path[PLOT_PATH_LEN + 64];
    csv_t t;
    if (!plot_open_table(p, &t, path, sizeof path, "sensitivity.csv", NULL)) return;
    long cm = csv_col(&t, "metric"), cp = csv_col(&t, "parameter"), cmeth = csv_col(&t, "method");
    long ci = csv_col(&t, "index"), cv = csv_col(&t, "value"), clo = csv_col(&t, "ci_lo"), chi = csv_col(&t, "ci_hi");
    if (cm < 0 || cp < 0 || cmeth < 0 || ci < 0 || cv < 0 || clo < 0 || chi < 0) {
        plot_bad(p, "%s: expected the columns metric,parameter,method,index,value,ci_lo,ci_hi",
             path);
        csv_free(&t);
        return;
    }
    int plotted = 0;
    for (size_t i = 1; i < t.nrows; i++) {
        const char *metric = csv_cell(&t, i, (size_t)cm), *method = csv_cell(&t, i, (size_t)cmeth);
        /* the first row of each (metric, method) */
        size_t j = 1;
        while (j < i &&
               (strcmp(csv_cell(&t, j, (size_t)cm), metric) || strcmp(csv_cell(&t, j, (size_t)cmeth), method)))
            j++;
        if (j < i || !plot_metric_wanted(p, metric)) continue;
        int sobol = !strcmp(method, "sobol"), morris = !strcmp(method, "morris");
        if (!sobol && !morris) continue;
        /* parameters in order */
        fsn_tb_t b = {0};
        int rows = 0;
        for (size_t a = i; a < t.nrows; a++) {
            if (strcmp(csv_cell(&t, a, (size_t)cm), metric) || strcmp(csv_cell(&t, a, (size_t)cmeth), method)) continue;
            const char *param = csv_cell(&t, a, (size_t)cp);
            size_t q = i;
            for (; q < a; q++)
                if (!strcmp(csv_cell(&t, q, (size_t)cm), metric) && !strcmp(csv_cell(&t, q, (size_t)cmeth), method) &&
                    !strcmp(csv_cell(&t, q, (size_t)cp), param))
                    break;
            if (q < a) continue;   /* parameter done */
            double v[2][3] = {{NAN, NAN, NAN}, {NAN, NAN, NAN}};
            for (size_t q2 = a; q2 < t.nrows; q2++) {
                if (strcmp(csv_cell(&t, q2, (size_t)cm), metric) || strcmp(csv_cell(&t, q2, (size_t)cmeth), method) ||
                    strcmp(csv_cell(&t, q2, (size_t)cp), param))
                    continue;
                const char *idx = csv_cell(&t, q2, (size_t)ci);
                int slot = sobol ? (!strcmp(idx, "S1") ? 0 : !strcmp(idx, "ST") ? 1 : -1)
                                 : (!strcmp(idx, "mu_star") ? 0 : !strcmp(idx, "sigma") ? 1 : -1);
                if (slot < 0) continue;
                v[slot][0] = csv_num(csv_cell(&t, q2, (size_t)cv));
                v[slot][1] = csv_num(csv_cell(&t, q2, (size_t)clo));
                v[slot][2] = csv_num(csv_cell(&t, q2, (size_t)chi));
            }
            if (sobol) {
                fsn_tb_printf(&b, "%d,", rows);
                plot_text(&b, param);
                fsn_tb_printf(&b, ",");
                plot_nums(&b, (const double[]){v[0][0], v[0][1], v[0][2], v[1][0], v[1][1], v[1][2]}, 6);
            } else {
                plot_text(&b, param);
                fsn_tb_printf(&b, ",");
                plot_nums(&b, (const double[]){v[0][0], v[1][0]}, 2);
            }
            fsn_tb_printf(&b, "\n");
            rows++;
        }
        char safe[256], base[300], what[400], nrow[16];
        plot_safe_name(safe, sizeof safe, metric);
        snprintf(base, sizeof base, "sensitivity-%s-%s", method, safe);
        snprintf(nrow, sizeof nrow, "%d", rows);
        snprintf(what, sizeof what, "%s indices of %s", sobol ? "Sobol" : "Morris", metric);
        if (rows && (sobol ? plot_emit(p, &b, base, "sobol.gp", what, 2, metric, nrow)
                           : plot_emit(p, &b, base, "morris.gp", what, 1, metric)) == 0)
            plotted++;
        free(b.s);
    }
    if (!plotted)
        plot_note(p, "the sensitivity indices: no Sobol or Morris rows%s in %s", p->nmetrics ? " for --metric" : "",
                  path);
    csv_free(&t);
}
