/*
 * compare.c: reading the reference and a run's summary; the comparison.
 *
 * Like scenario.c this reads JSON, so it includes cJSON: the rule is that
 * cJSON stays in the input side of the program (scenario files, the
 * reference, a finished run's summary), never in the simulation. Writing
 * compare.csv and compare.json goes through the output layer's atomic
 * write, so a comparison file is whole or absent.
 */
#include "fission/compare.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fission/output.h"
#include "fission/stats.h"
#include "text.h"

const char *fsn_cmp_status_name(int s) {
    static const char *const n[] = {"within", "out", "not measured", "not simulated"};
    return s >= 0 && s < 4 ? n[s] : "unknown";
}

static char *slurp(const char *path, size_t *len, fsn_error_t *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fsn_error_set(err, FSN_EIO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (n < cap) break;
        if (cap >= (size_t)64 << 20) {
            free(buf);
            buf = NULL;
            fclose(f);
            fsn_error_set(err, FSN_EINVAL, "%s: larger than 64 MB", path);
            return NULL;
        }
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf) {
        fsn_error_set(err, FSN_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    if (bad) {
        free(buf);
        fsn_error_set(err, FSN_EIO, "%s: cannot read", path);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static cJSON *parse_file(const char *path, fsn_error_t *err) {
    size_t len;
    char *text = slurp(path, &len, err);
    if (!text) return NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        int line = 1, col = 1;
        for (const char *p = text; end && p < end; p++) {
            if (*p == '\n') line++, col = 1;
            else col++;
        }
        fsn_error_set(err, FSN_EPARSE, "%s:%d:%d: malformed JSON", path, line, col);
    }
    free(text);
    return root;
}

static int get_str(const cJSON *o, const char *key, char *dst, size_t n) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) return 0;
    if (!cJSON_IsString(v)) return -1;
    snprintf(dst, n, "%s", v->valuestring);
    return 1;
}

fsn_err_t fsn_reference_load(fsn_reference_t *ref, const char *path, fsn_error_t *err) {
    FSN_REQUIRE(ref && path);
    memset(ref, 0, sizeof *ref);
    cJSON *root = parse_file(path, err);
    if (!root) return err && err->code ? err->code : FSN_EPARSE;
    fsn_err_t rc = FSN_OK;
    const cJSON *figs = cJSON_GetObjectItemCaseSensitive(root, "figures");
    if (!cJSON_IsObject(root) || !cJSON_IsArray(figs)) {
        rc = fsn_error_set(err, FSN_EINVAL, "%s: figures: expected a list of figures", path);
        goto done;
    }
    get_str(root, "source", ref->source, sizeof ref->source);
    int n = cJSON_GetArraySize(figs);
    ref->fig = calloc(n ? (size_t)n : 1, sizeof *ref->fig);
    if (!ref->fig) {
        rc = fsn_error_set(err, FSN_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    int i = 0;
    for (const cJSON *f = figs->child; f; f = f->next, i++) {
        fsn_figure_t *g = &ref->fig[i];
        g->value = NAN;
        g->simulated = 1;
        if (!cJSON_IsObject(f)) {
            rc = fsn_error_set(err, FSN_EINVAL, "%s: figures[%d]: expected an object", path, i);
            goto done;
        }
        if (get_str(f, "id", g->id, sizeof g->id) != 1) {
            rc = fsn_error_set(err, FSN_EINVAL, "%s: figures[%d].id: expected a string", path, i);
            goto done;
        }
        get_str(f, "table", g->table, sizeof g->table);
        get_str(f, "label", g->label, sizeof g->label);
        get_str(f, "unit", g->unit, sizeof g->unit);
        get_str(f, "reason", g->reason, sizeof g->reason);
        get_str(f, "note", g->note, sizeof g->note);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "value");
        if (v) {
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
                rc = fsn_error_set(err, FSN_EINVAL, "%s: figures[%d].value: expected a number", path, i);
                goto done;
            }
            g->value = v->valuedouble;
        }
        const cJSON *sim = cJSON_GetObjectItemCaseSensitive(f, "simulated");
        if (sim && !cJSON_IsBool(sim)) {
            rc = fsn_error_set(err, FSN_EINVAL, "%s: figures[%d].simulated: expected true or false", path, i);
            goto done;
        }
        if (sim) g->simulated = cJSON_IsTrue(sim);
        if (!g->simulated) {
            if (!g->reason[0]) {
                rc = fsn_error_set(err, FSN_EINVAL, "%s: figures[%d].reason: a figure not simulated needs a reason", path, i);
                goto done;
            }
            continue;
        }
        if (get_str(f, "metric", g->metric, sizeof g->metric) != 1 || !g->metric[0]) {
            rc = fsn_error_set(err, FSN_EINVAL, "%s: figures[%d].metric: expected the simulator metric's name", path, i);
            goto done;
        }
        if (!isfinite(g->value)) {
            rc = fsn_error_set(err, FSN_EINVAL, "%s: figures[%d].value: a simulated figure needs a value", path, i);
            goto done;
        }
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(f, "tolerance");
        if (!cJSON_IsNumber(t) || !(t->valuedouble >= 0) || !isfinite(t->valuedouble)) {
            rc = fsn_error_set(err, FSN_EINVAL, "%s: figures[%d].tolerance: must be a number >= 0", path, i);
            goto done;
        }
        g->tol = t->valuedouble;
        char kind[32] = "absolute", cmp[32] = "equal";
        get_str(f, "tolerance_kind", kind, sizeof kind);
        get_str(f, "compare", cmp, sizeof cmp);
        if (strcmp(kind, "absolute") && strcmp(kind, "relative")) {
            rc = fsn_error_set(err, FSN_EINVAL, "%s: figures[%d].tolerance_kind: expected absolute or relative, got '%s'",
                               path, i, kind);
            goto done;
        }
        if (strcmp(cmp, "equal") && strcmp(cmp, "at_most")) {
            rc = fsn_error_set(err, FSN_EINVAL, "%s: figures[%d].compare: expected equal or at_most, got '%s'", path, i, cmp);
            goto done;
        }
        g->relative = !strcmp(kind, "relative");
        g->at_most = !strcmp(cmp, "at_most");
    }
    ref->n = (size_t)n;
done:
    cJSON_Delete(root);
    if (rc) fsn_reference_destroy(ref);
    return rc;
}

void fsn_reference_destroy(fsn_reference_t *ref) {
    if (!ref) return;
    free(ref->fig);
    memset(ref, 0, sizeof *ref);
}

void fsn_metric_stats_destroy(fsn_metric_stats_t *st) {
    if (!st) return;
    free(st->s);
    memset(st, 0, sizeof *st);
}

fsn_err_t fsn_metric_stats_from_result(const fsn_run_result_t *res, fsn_metric_stats_t *out, fsn_error_t *err) {
    memset(out, 0, sizeof *out);
    out->s = calloc(res->nmetrics ? res->nmetrics : 1, sizeof *out->s);
    double *x = malloc((res->reps ? res->reps : 1) * sizeof *x);
    double *scratch = malloc((res->reps ? res->reps : 1) * sizeof *scratch);
    if (!out->s || !x || !scratch) {
        free(out->s);
        free(x);
        free(scratch);
        out->s = NULL;
        return fsn_error_set(err, FSN_ENOMEM, "comparison: out of memory");
    }
    for (size_t k = 0; k < res->nmetrics; k++) {
        fsn_metric_stat_t *m = &out->s[k];
        snprintf(m->name, sizeof m->name, "%s", res->names[k]);
        size_t n = 0;
        for (uint32_t r = 0; r < res->reps; r++) {
            double v = res->values[(size_t)r * res->nmetrics + k];
            if ((!res->done || res->done[r]) && isfinite(v)) x[n++] = v;
        }
        fsn_summary_t s;
        fsn_stats_summarize(x, n, scratch, &s);
        m->n = n;
        m->mean = n ? s.mean : NAN;
        m->se = n >= 2 ? s.se : NAN;
        m->ci_lo = n ? s.ci_lo : NAN;
        m->ci_hi = n ? s.ci_hi : NAN;
    }
    out->n = res->nmetrics;
    free(x);
    free(scratch);
    return FSN_OK;
}

static double num_or_nan(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

fsn_err_t fsn_metric_stats_from_summary(const char *path, fsn_metric_stats_t *out, fsn_error_t *err) {
    memset(out, 0, sizeof *out);
    cJSON *root = parse_file(path, err);
    if (!root) return err && err->code ? err->code : FSN_EPARSE;
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(root, "metrics");
    if (!cJSON_IsObject(metrics)) {
        cJSON_Delete(root);
        return fsn_error_set(err, FSN_EINVAL, "%s: metrics: expected an object (is this a fission summary.json?)", path);
    }
    int n = cJSON_GetArraySize(metrics);
    out->s = calloc(n ? (size_t)n : 1, sizeof *out->s);
    if (!out->s) {
        cJSON_Delete(root);
        return fsn_error_set(err, FSN_ENOMEM, "%s: out of memory", path);
    }
    size_t k = 0;
    for (const cJSON *m = metrics->child; m; m = m->next, k++) {
        fsn_metric_stat_t *s = &out->s[k];
        snprintf(s->name, sizeof s->name, "%s", m->string);
        double nn = num_or_nan(m, "n");
        s->n = isfinite(nn) && nn > 0 ? (size_t)nn : 0;
        s->mean = num_or_nan(m, "mean");
        s->se = num_or_nan(m, "se");
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "ci95");
        s->ci_lo = cJSON_IsArray(ci) && cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) ? cJSON_GetArrayItem(ci, 0)->valuedouble : NAN;
        s->ci_hi = cJSON_IsArray(ci) && cJSON_IsNumber(cJSON_GetArrayItem(ci, 1)) ? cJSON_GetArrayItem(ci, 1)->valuedouble : NAN;
        if (s->n < 2) s->se = NAN;
    }
    out->n = k;
    cJSON_Delete(root);
    return FSN_OK;
}

void fsn_compare(const fsn_reference_t *ref, const fsn_metric_stats_t *st, fsn_compare_row_t *rows,
                 size_t counts[4]) {
    if (counts) memset(counts, 0, 4 * sizeof *counts);
    for (size_t i = 0; i < ref->n; i++) {
        const fsn_figure_t *f = &ref->fig[i];
        fsn_compare_row_t *r = &rows[i];
        memset(r, 0, sizeof *r);
        r->fig = f;
        r->mean = r->se = r->ci_lo = r->ci_hi = r->dev = r->z = NAN;
        if (!f->simulated) {
            r->status = FSN_CMP_NOT_SIMULATED;
        } else {
            const fsn_metric_stat_t *m = NULL;
            for (size_t k = 0; k < st->n; k++)
                if (!strcmp(st->s[k].name, f->metric)) m = &st->s[k];
            if (!m || m->n == 0 || !isfinite(m->mean)) {
                r->status = FSN_CMP_MISSING;
            } else {
                r->n = m->n;
                r->mean = m->mean;
                r->se = m->se;
                r->ci_lo = m->ci_lo;
                r->ci_hi = m->ci_hi;
                r->dev = m->mean - f->value;
                r->z = isfinite(m->se) && m->se > 0 ? r->dev / m->se : NAN;
                const double tol = f->relative ? f->tol * fabs(f->value) : f->tol;
                const int ok = f->at_most ? r->dev <= tol : fabs(r->dev) <= tol;
                r->status = ok ? FSN_CMP_WITHIN : FSN_CMP_OUT;
            }
        }
        if (counts) counts[r->status]++;
    }
}

/* ---- writing ---- */

fsn_err_t fsn_compare_write(const char *dir, const fsn_compare_row_t *rows, size_t n, fsn_error_t *err) {
    fsn_tb_t c = {0}, j = {0};
    fsn_tb_printf(&c, "figure,table,metric,article,unit,mean,se,ci95_lo,ci95_hi,deviation,z,tolerance,tolerance_kind,status\n");
    fsn_tb_printf(&j, "{\n  \"figures\": [");
    for (size_t i = 0; i < n; i++) {
        const fsn_compare_row_t *r = &rows[i];
        const fsn_figure_t *f = r->fig;
        fsn_tb_csv_str(&c, f->id);
        fsn_tb_printf(&c, ",");
        fsn_tb_csv_str(&c, f->table);
        fsn_tb_printf(&c, ",");
        fsn_tb_csv_str(&c, f->metric);
        fsn_tb_printf(&c, ",");
        fsn_tb_num(&c, f->value, "");
        fsn_tb_printf(&c, ",");
        fsn_tb_csv_str(&c, f->unit);
        double v[] = {r->mean, r->se, r->ci_lo, r->ci_hi, r->dev, r->z};
        for (int k = 0; k < 6; k++) {
            fsn_tb_printf(&c, ",");
            fsn_tb_num(&c, v[k], "");
        }
        fsn_tb_printf(&c, ",");
        if (f->simulated) fsn_tb_num(&c, f->tol, "");
        fsn_tb_printf(&c, ",%s,%s\n", f->simulated ? (f->at_most ? "at_most" : f->relative ? "relative" : "absolute") : "",
           fsn_cmp_status_name(r->status));

        fsn_tb_printf(&j, "%s\n    {\"figure\": ", i ? "," : "");
        fsn_tb_json_str(&j, f->id);
        fsn_tb_printf(&j, ", \"table\": ");
        fsn_tb_json_str(&j, f->table);
        fsn_tb_printf(&j, ", \"label\": ");
        fsn_tb_json_str(&j, f->label);
        fsn_tb_printf(&j, ", \"metric\": ");
        if (f->metric[0]) fsn_tb_json_str(&j, f->metric);
        else fsn_tb_printf(&j, "null");
        fsn_tb_printf(&j, ", \"article\": ");
        fsn_tb_num(&j, f->value, "null");
        fsn_tb_printf(&j, ", \"unit\": ");
        fsn_tb_json_str(&j, f->unit);
        fsn_tb_printf(&j, ", \"status\": ");
        fsn_tb_json_str(&j, fsn_cmp_status_name(r->status));
        if (f->simulated) {
            fsn_tb_printf(&j, ", \"n\": %zu, \"mean\": ", r->n);
            fsn_tb_num(&j, r->mean, "null");
            fsn_tb_printf(&j, ", \"se\": ");
            fsn_tb_num(&j, r->se, "null");
            fsn_tb_printf(&j, ", \"ci95\": [");
            fsn_tb_num(&j, r->ci_lo, "null");
            fsn_tb_printf(&j, ", ");
            fsn_tb_num(&j, r->ci_hi, "null");
            fsn_tb_printf(&j, "], \"deviation\": ");
            fsn_tb_num(&j, r->dev, "null");
            fsn_tb_printf(&j, ", \"z\": ");
            fsn_tb_num(&j, r->z, "null");
            fsn_tb_printf(&j, ", \"tolerance\": ");
            fsn_tb_num(&j, f->tol, "null");
            fsn_tb_printf(&j, ", \"tolerance_kind\": \"%s\"", f->at_most ? "at_most" : f->relative ? "relative" : "absolute");
        } else {
            fsn_tb_printf(&j, ", \"reason\": ");
            fsn_tb_json_str(&j, f->reason);
        }
        fsn_tb_printf(&j, "}");
    }
    fsn_tb_printf(&j, "\n  ]\n}\n");
    fsn_err_t rc = FSN_OK;
    if (c.fail || j.fail) rc = fsn_error_set(err, FSN_ENOMEM, "comparison: out of memory");
    char path[4096];
    if (!rc) {
        snprintf(path, sizeof path, "%s/compare.csv", dir);
        rc = fsn_write_atomic(path, c.s, c.len, err);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/compare.json", dir);
        rc = fsn_write_atomic(path, j.s, j.len, err);
    }
    free(c.s);
    free(j.s);
    return rc;
}
