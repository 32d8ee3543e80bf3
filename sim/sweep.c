/*
 * sweep.c: sweep files, their designs and their points.
 *
 * A sweep file is small JSON (with the comments scenario files allow,
 * blanked by the same code: jsonc.h) that says which scenario keys to
 * vary and how. It is checked key by key, like a scenario, and every
 * message names the file and the JSON path ("sweep.json: axes[2].range:
 * expected [lo, hi] with lo < hi"). A point is never a scenario built
 * here: it is the base scenario's text parsed again with one --set per
 * axis, so the scenario module's checks, ranges and messages apply to
 * every point exactly as on the command line, and a key the scenario
 * does not know is caught before anything runs.
 *
 * The design is computed once, at load: the points' unit-cube
 * coordinates (u, what a sensitivity analysis needs) and their axis
 * values (what a scenario gets). Continuous draws on an integer key are
 * made integer by stratifying the unit interval over the integers of
 * [lo, hi] (uniform) or rounding (loguniform), so a Latin hypercube
 * stays one point per stratum in u, and the store keeps both.
 */
#include "fission/sweep.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonc.h"
#include "text.h"

static const char *const design_names[FSN_DESIGN_COUNT] = {"grid", "random", "lhs", "sobol", "saltelli", "morris"};

const char *fsn_design_name(int d) { return d >= 0 && d < FSN_DESIGN_COUNT ? design_names[d] : "unknown"; }

int fsn_design_parse(const char *s) {
    for (int i = 0; s && i < FSN_DESIGN_COUNT; i++)
        if (!strcmp(s, design_names[i])) return i;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Diagnostics                                                        */
/* ------------------------------------------------------------------ */

typedef struct pctx {
    fsn_diags_t *d;
    const char *file;
} pctx_t;

static void diag(pctx_t *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void diag(pctx_t *c, const char *path, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fsn_diags_vadd(c->d, c->file, path, fmt, ap);
    va_end(ap);
}

static const char *json_type(const cJSON *v) {
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "something else";
}

/* ------------------------------------------------------------------ */
/* Loading                                                            */
/* ------------------------------------------------------------------ */

/* Read a whole file; label is the JSON path that named it (NULL: the
 * sweep file itself). */
static char *read_file(const char *path, const char *label, size_t *len, pctx_t *c, fsn_err_t *rc) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (label) diag(c, label, "cannot open %s: %s", path, strerror(errno));
        else diag(c, NULL, "cannot open: %s", strerror(errno));
        *rc = FSN_EIO;
        return NULL;
    }
    enum { LIMIT = 16 << 20 };
    char *buf = malloc(LIMIT + 1);
    if (!buf) {
        fclose(f);
        diag(c, NULL, "out of memory reading %s", path);
        *rc = FSN_ENOMEM;
        return NULL;
    }
    size_t n = fread(buf, 1, LIMIT + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > LIMIT) {
        free(buf);
        diag(c, NULL, bad ? "cannot read %s" : "%s is larger than 16 MB", path);
        *rc = bad ? FSN_EIO : FSN_EINVAL;
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void fsn_sweep_free(fsn_sweep_t *sw) {
    if (!sw) return;
    free(sw->text);
    free(sw->base_text);
    for (size_t i = 0; i < sw->nsets; i++) free(sw->sets[i]);
    free(sw->sets);
    for (size_t a = 0; a < sw->naxes; a++) {
        free(sw->axes[a].values);
        for (size_t i = 0; i < sw->axes[a].nvalues; i++) {
            free(sw->axes[a].texts ? sw->axes[a].texts[i] : NULL);
            free(sw->axes[a].labels ? sw->axes[a].labels[i] : NULL);
        }
        free(sw->axes[a].texts);
        free(sw->axes[a].labels);
    }
    free(sw->axes);
    for (size_t i = 0; i < sw->nmetrics; i++) free(sw->metrics[i]);
    free(sw->metrics);
    free(sw->u);
    free(sw->values);
    free(sw->vtexts);
    free(sw->vlabels);
    free(sw);
}

static int push_set(fsn_sweep_t *sw, const char *s) {
    char **n = realloc(sw->sets, (sw->nsets + 1) * sizeof *n);
    if (!n) return -1;
    sw->sets = n;
    sw->sets[sw->nsets] = strdup(s);
    if (!sw->sets[sw->nsets]) return -1;
    sw->nsets++;
    return 0;
}

/* A JSON number that is a whole number in [lo, hi]. */
static int get_uint(pctx_t *c, const cJSON *v, const char *path, double lo, double hi, uint64_t *out) {
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi) {
        if (cJSON_IsNumber(v))
            diag(c, path, "expected a whole number in [%.17g, %.17g], got %.17g", lo, hi, v->valuedouble);
        else diag(c, path, "expected a whole number in [%.17g, %.17g], got %s", lo, hi, json_type(v));
        return -1;
    }
    *out = (uint64_t)v->valuedouble;
    return 0;
}

/* Integer keys the scenario table calls "other" (the graph's). */
static int graph_int_key(const char *path) {
    if (strncmp(path, "graph.", 6)) return 0;
    static const char *const ints[] = {"n", "m", "k", "seed", "min_degree", "blocks"};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (!strcmp(path + 6, ints[i])) return 1;
    return 0;
}

static void parse_axis(pctx_t *c, fsn_sweep_t *sw, const cJSON *ax, size_t i, int *oom) {
    char p[64];
    fsn_sweep_axis_t *a = &sw->axes[i];
    snprintf(p, sizeof p, "axes[%zu]", i);
    if (!cJSON_IsObject(ax)) {
        diag(c, p, "expected an object {\"path\": ..., \"values\" | \"range\" | \"dist\": ...}, got %s", json_type(ax));
        return;
    }
    const cJSON *path = NULL, *values = NULL, *range = NULL, *dist = NULL, *lo = NULL, *hi = NULL, *steps = NULL;
    char q[128];
    for (const cJSON *e = ax->child; e; e = e->next) {
        if (!strcmp(e->string, "path")) path = e;
        else if (!strcmp(e->string, "values")) values = e;
        else if (!strcmp(e->string, "range")) range = e;
        else if (!strcmp(e->string, "dist")) dist = e;
        else if (!strcmp(e->string, "lo")) lo = e;
        else if (!strcmp(e->string, "hi")) hi = e;
        else if (!strcmp(e->string, "steps")) steps = e;
        else {
            snprintf(q, sizeof q, "%s.%s", p, e->string);
            diag(c, q, "unknown key; an axis takes path, values, range, steps, dist, lo, hi");
        }
    }
    snprintf(q, sizeof q, "%s.path", p);
    if (!path || !cJSON_IsString(path) || !path->valuestring[0]) {
        diag(c, q, "expected a scenario key path such as \"campaigns[0].group.size\"%s", path ? "" : " (missing)");
        return;
    }
    if (strlen(path->valuestring) >= sizeof a->path) {
        diag(c, q, "the path is too long");
        return;
    }
    snprintf(a->path, sizeof a->path, "%s", path->valuestring);
    int type = fsn_scenario_key_type(a->path);
    if (type == FSN_KEY_UNKNOWN) {
        diag(c, q, "'%s' is not a scenario key (see `fission help scenario`)", a->path);
        return;
    }
    for (size_t j = 0; j < i; j++)
        if (!strcmp(sw->axes[j].path, a->path)) {
            diag(c, q, "'%s' is already axes[%zu]", a->path, j);
            return;
        }
    a->is_integer = type == FSN_KEY_INTEGER || (type == FSN_KEY_OTHER && graph_int_key(a->path));
    const int numeric_key = type != FSN_KEY_OTHER || a->is_integer;
    int kinds = (values != NULL) + (range != NULL) + (dist != NULL);
    if (kinds != 1) {
        diag(c, p, "expected exactly one of \"values\", \"range\" or \"dist\", got %d", kinds);
        return;
    }
    if ((lo || hi) && !dist) diag(c, p, "\"lo\" and \"hi\" go with \"dist\"");
    if (steps && !range) diag(c, p, "\"steps\" goes with \"range\"");
    if (values) {
        snprintf(q, sizeof q, "%s.values", p);
        a->kind = FSN_AXIS_VALUES;
        int n = cJSON_GetArraySize(values);
        if (!cJSON_IsArray(values) || n < 1) {
            diag(c, q, "expected a non-empty array of values");
            return;
        }
        a->values = calloc((size_t)n, sizeof *a->values);
        a->texts = calloc((size_t)n, sizeof *a->texts);
        a->labels = calloc((size_t)n, sizeof *a->labels);
        if (!a->values || !a->texts || !a->labels) {
            *oom = 1;
            return;
        }
        a->nvalues = (size_t)n;
        a->lo = INFINITY;
        a->hi = -INFINITY;
        size_t k = 0;
        for (const cJSON *v = values->child; v; v = v->next, k++) {
            char qq[160];
            snprintf(qq, sizeof qq, "%s[%zu]", q, k);
            if (cJSON_IsNumber(v)) {
                a->values[k] = v->valuedouble;
                if (v->valuedouble < a->lo) a->lo = v->valuedouble;
                if (v->valuedouble > a->hi) a->hi = v->valuedouble;
                if (a->is_integer && v->valuedouble != floor(v->valuedouble))
                    diag(c, qq, "'%s' is an integer key, got %.17g", a->path, v->valuedouble);
            } else if (cJSON_IsString(v) || cJSON_IsBool(v)) {
                a->values[k] = NAN;
                a->texts[k] = cJSON_PrintUnformatted(v);
                a->labels[k] = strdup(cJSON_IsString(v) ? v->valuestring : cJSON_IsTrue(v) ? "true" : "false");
                if (!a->texts[k] || !a->labels[k]) *oom = 1;
            } else {
                diag(c, qq, "expected a number, a string or a boolean, got %s", json_type(v));
            }
        }
        if (!(a->lo <= a->hi)) a->lo = a->hi = NAN;
        return;
    }
    if (!numeric_key) {
        snprintf(q, sizeof q, "%s.%s", p, range ? "range" : "dist");
        diag(c, q, "'%s' is not a number key; give its choices as \"values\"", a->path);
        return;
    }
    if (range) {
        snprintf(q, sizeof q, "%s.range", p);
        a->kind = FSN_AXIS_RANGE;
        if (!cJSON_IsArray(range) || cJSON_GetArraySize(range) != 2 || !cJSON_IsNumber(range->child) ||
            !cJSON_IsNumber(range->child->next) || !(range->child->valuedouble < range->child->next->valuedouble) ||
            !isfinite(range->child->valuedouble) || !isfinite(range->child->next->valuedouble)) {
            diag(c, q, "expected [lo, hi] with lo < hi");
            return;
        }
        a->lo = range->child->valuedouble;
        a->hi = range->child->next->valuedouble;
        if (steps) {
            uint64_t s;
            snprintf(q, sizeof q, "%s.steps", p);
            if (!get_uint(c, steps, q, 2, 1e6, &s)) a->steps = (uint32_t)s;
        }
    } else {
        snprintf(q, sizeof q, "%s.dist", p);
        if (!cJSON_IsString(dist) || (strcmp(dist->valuestring, "uniform") && strcmp(dist->valuestring, "loguniform"))) {
            diag(c, q, "expected \"uniform\" or \"loguniform\"");
            return;
        }
        a->kind = strcmp(dist->valuestring, "uniform") ? FSN_AXIS_LOGUNIFORM : FSN_AXIS_UNIFORM;
        snprintf(q, sizeof q, "%s.lo", p);
        if (!lo || !cJSON_IsNumber(lo) || !isfinite(lo->valuedouble)) {
            diag(c, q, "expected a number%s", lo ? "" : " (missing)");
            return;
        }
        snprintf(q, sizeof q, "%s.hi", p);
        if (!hi || !cJSON_IsNumber(hi) || !isfinite(hi->valuedouble)) {
            diag(c, q, "expected a number%s", hi ? "" : " (missing)");
            return;
        }
        a->lo = lo->valuedouble;
        a->hi = hi->valuedouble;
        if (!(a->lo < a->hi)) diag(c, q, "expected hi > lo (%.17g), got %.17g", a->lo, a->hi);
        else if (a->kind == FSN_AXIS_LOGUNIFORM && !(a->lo > 0)) {
            snprintf(q, sizeof q, "%s.lo", p);
            diag(c, q, "loguniform needs lo > 0, got %.17g", a->lo);
        }
    }
    if (a->is_integer && ceil(a->lo) > floor(a->hi)) {
        snprintf(q, sizeof q, "%s.%s", p, range ? "range" : "lo");
        diag(c, q, "'%s' is an integer key and [%.17g, %.17g] holds no integer", a->path, a->lo, a->hi);
    }
}

/* The value of axis a at unit coordinate u (continuous designs). */
static double axis_value(const fsn_sweep_axis_t *a, double u, size_t *vi) {
    if (u < 0) u = 0;
    if (u >= 1) u = nextafter(1.0, 0.0);
    if (a->kind == FSN_AXIS_VALUES) {
        size_t i = (size_t)(u * (double)a->nvalues);
        if (i >= a->nvalues) i = a->nvalues - 1;
        *vi = i;
        return a->values[i];
    }
    *vi = (size_t)-1;
    if (a->kind == FSN_AXIS_LOGUNIFORM) {
        double v = exp(log(a->lo) + u * (log(a->hi) - log(a->lo)));
        if (a->is_integer) {
            v = round(v);
            if (v < ceil(a->lo)) v = ceil(a->lo);
            if (v > floor(a->hi)) v = floor(a->hi);
        }
        return v;
    }
    if (a->is_integer) {
        double lo = ceil(a->lo), hi = floor(a->hi);
        double v = lo + floor(u * (hi - lo + 1));
        return v > hi ? hi : v;
    }
    return a->lo + u * (a->hi - a->lo);
}

/* The grid's count of values on axis a. */
static size_t grid_count(const fsn_sweep_axis_t *a) { return a->kind == FSN_AXIS_VALUES ? a->nvalues : a->steps; }

static double grid_value(const fsn_sweep_axis_t *a, size_t i, double *u, size_t *vi) {
    size_t n = grid_count(a);
    *u = n > 1 ? (double)i / (double)(n - 1) : 0.0;
    if (a->kind == FSN_AXIS_VALUES) {
        *vi = i;
        return a->values[i];
    }
    *vi = (size_t)-1;
    double v = a->lo + (double)i * (a->hi - a->lo) / (double)(n - 1);
    if (i == n - 1) v = a->hi;
    return a->is_integer ? round(v) : v;
}

static fsn_err_t make_points(pctx_t *c, fsn_sweep_t *sw) {
    const size_t k = sw->naxes;
    size_t n;
    if (sw->design == FSN_DESIGN_GRID) {
        n = 1;
        for (size_t a = 0; a < k; a++) {
            size_t g = grid_count(&sw->axes[a]);
            if (g && n > (size_t)100000000 / g) {
                diag(c, "axes", "the grid has more than 1e8 points");
                return FSN_EINVAL;
            }
            n *= g;
        }
    } else {
        n = fsn_sweep_design_points(sw->design, sw->size, k);
        if (n == 0 || n > (size_t)100000000) {
            diag(c, "points", "the design has %zu points; expected 1 to 1e8", n);
            return FSN_EINVAL;
        }
    }
    sw->npoints = n;
    sw->u = malloc(n * k * sizeof *sw->u + 1);
    sw->values = malloc(n * k * sizeof *sw->values + 1);
    sw->vtexts = calloc(n * k + 1, sizeof *sw->vtexts);
    sw->vlabels = calloc(n * k + 1, sizeof *sw->vlabels);
    if (!sw->u || !sw->values || !sw->vtexts || !sw->vlabels) {
        diag(c, NULL, "out of memory for %zu points", n);
        return FSN_ENOMEM;
    }
    if (sw->design == FSN_DESIGN_GRID) {
        /* row-major: the last axis varies fastest */
        for (size_t p = 0; p < n; p++) {
            size_t rest = p;
            for (size_t a = k; a-- > 0;) {
                size_t g = grid_count(&sw->axes[a]), idx = rest % g, vi;
                rest /= g;
                sw->values[p * k + a] = grid_value(&sw->axes[a], idx, &sw->u[p * k + a], &vi);
                if (vi != (size_t)-1) {
                    sw->vtexts[p * k + a] = sw->axes[a].texts[vi];
                    sw->vlabels[p * k + a] = sw->axes[a].labels[vi];
                }
            }
        }
        return FSN_OK;
    }
    fsn_error_t e = {0};
    fsn_err_t rc = fsn_sweep_design_unit(sw->design, sw->size, k, sw->levels, sw->seed, sw->u, &e);
    if (rc) {
        diag(c, "design", "%s", e.msg);
        return rc;
    }
    for (size_t p = 0; p < n; p++)
        for (size_t a = 0; a < k; a++) {
            size_t vi;
            sw->values[p * k + a] = axis_value(&sw->axes[a], sw->u[p * k + a], &vi);
            if (vi != (size_t)-1) {
                sw->vtexts[p * k + a] = sw->axes[a].texts[vi];
                sw->vlabels[p * k + a] = sw->axes[a].labels[vi];
            }
        }
    return FSN_OK;
}

static void parse_root(pctx_t *c, fsn_sweep_t *sw, const cJSON *root, const char *sweep_path, int *oom) {
    const cJSON *base = NULL, *set = NULL, *axes = NULL, *design = NULL, *points = NULL, *levels = NULL,
                *reps = NULL, *metrics = NULL, *seed = NULL;
    for (const cJSON *e = root->child; e; e = e->next) {
        const cJSON **slot = NULL;
        if (!strcmp(e->string, "base")) slot = &base;
        else if (!strcmp(e->string, "set")) slot = &set;
        else if (!strcmp(e->string, "axes")) slot = &axes;
        else if (!strcmp(e->string, "design")) slot = &design;
        else if (!strcmp(e->string, "points")) slot = &points;
        else if (!strcmp(e->string, "levels")) slot = &levels;
        else if (!strcmp(e->string, "replicates")) slot = &reps;
        else if (!strcmp(e->string, "metrics")) slot = &metrics;
        else if (!strcmp(e->string, "seed")) slot = &seed;
        if (!slot) diag(c, e->string, "unknown key; a sweep takes base, set, axes, design, points, levels, replicates, metrics, seed");
        else if (*slot) diag(c, e->string, "given twice");
        else *slot = e;
    }
    /* base, relative to the sweep file's folder */
    if (!base || !cJSON_IsString(base) || !base->valuestring[0]) {
        diag(c, "base", "expected the base scenario's path (a string)%s", base ? "" : " (missing)");
    } else {
        const char *slash = strrchr(sweep_path, '/');
        int n;
        if (base->valuestring[0] == '/' || !slash) n = snprintf(sw->base, sizeof sw->base, "%s", base->valuestring);
        else n = snprintf(sw->base, sizeof sw->base, "%.*s/%s", (int)(slash - sweep_path), sweep_path, base->valuestring);
        if (n < 0 || (size_t)n >= sizeof sw->base) diag(c, "base", "the path is too long");
        snprintf(sw->base_dir, sizeof sw->base_dir, "%s", sw->base);
        char *s2 = strrchr(sw->base_dir, '/');
        if (s2) *s2 = 0;
        else snprintf(sw->base_dir, sizeof sw->base_dir, ".");
    }
    /* set */
    if (set && !cJSON_IsObject(set)) diag(c, "set", "expected an object {\"path\": value, ...}, got %s", json_type(set));
    else if (set)
        for (const cJSON *e = set->child; e; e = e->next) {
            char q[300];
            snprintf(q, sizeof q, "set.%s", e->string);
            if (fsn_scenario_key_type(e->string) == FSN_KEY_UNKNOWN) {
                diag(c, q, "'%s' is not a scenario key (see `fission help scenario`)", e->string);
                continue;
            }
            char *v = cJSON_PrintUnformatted(e);
            fsn_tb_t b = {0};
            fsn_tb_printf(&b, "%s=%s", e->string, v ? v : "");
            if (!v || b.fail || push_set(sw, b.s)) *oom = 1;
            free(v);
            free(b.s);
        }
    /* design */
    sw->design = FSN_DESIGN_GRID;
    if (design) {
        int d = cJSON_IsString(design) ? fsn_design_parse(design->valuestring) : -1;
        if (d < 0) diag(c, "design", "expected one of \"grid\", \"random\", \"lhs\", \"sobol\", \"saltelli\", \"morris\"");
        else sw->design = (fsn_design_t)d;
    }
    const int grid = sw->design == FSN_DESIGN_GRID;
    /* axes */
    if (!axes || !cJSON_IsArray(axes) || cJSON_GetArraySize(axes) < 1) {
        diag(c, "axes", "expected a non-empty array of axes%s", axes ? "" : " (missing)");
    } else if (cJSON_GetArraySize(axes) > FSN_SWEEP_AXES_MAX) {
        diag(c, "axes", "%d axes, at most %d", cJSON_GetArraySize(axes), FSN_SWEEP_AXES_MAX);
    } else {
        size_t n = (size_t)cJSON_GetArraySize(axes);
        sw->axes = calloc(n, sizeof *sw->axes);
        if (!sw->axes) {
            *oom = 1;
            return;
        }
        sw->naxes = n;
        size_t i = 0;
        for (const cJSON *ax = axes->child; ax; ax = ax->next, i++) {
            size_t before = c->d->count;
            parse_axis(c, sw, ax, i, oom);
            if (c->d->count != before) continue;
            char q[64];
            const fsn_sweep_axis_t *a = &sw->axes[i];
            if (grid && a->kind == FSN_AXIS_RANGE && a->steps < 2) {
                snprintf(q, sizeof q, "axes[%zu].steps", i);
                diag(c, q, "a range on a grid needs \"steps\" (a whole number >= 2)");
            } else if (grid && (a->kind == FSN_AXIS_UNIFORM || a->kind == FSN_AXIS_LOGUNIFORM)) {
                snprintf(q, sizeof q, "axes[%zu].dist", i);
                diag(c, q, "the grid design needs \"values\" or a \"range\" with \"steps\" on every axis");
            }
        }
        if (sw->design == FSN_DESIGN_SOBOL && n > 40) diag(c, "axes", "the sobol design takes at most 40 axes, got %zu", n);
    }
    /* points, levels */
    if (grid) {
        if (points) diag(c, "points", "the grid design takes no \"points\": its points are every combination of the axes");
        sw->size = 0;
    } else {
        uint64_t v = 0;
        if (!points) diag(c, "points", "the %s design needs \"points\" (%s)", fsn_design_name(sw->design),
                          sw->design == FSN_DESIGN_SALTELLI ? "the base sample size N"
                          : sw->design == FSN_DESIGN_MORRIS ? "the number of trajectories r"
                                                            : "the number of points");
        else if (!get_uint(c, points, "points", 1, 1e8, &v)) sw->size = (size_t)v;
    }
    sw->levels = 0;
    if (sw->design == FSN_DESIGN_MORRIS) {
        uint64_t v = 4;
        if (levels && get_uint(c, levels, "levels", 2, 1000, &v)) v = 4;
        sw->levels = (unsigned)v;
    } else if (levels) {
        diag(c, "levels", "only the morris design takes \"levels\"");
    }
    uint64_t v = 1;
    if (reps && get_uint(c, reps, "replicates", 1, 1e6, &v)) v = 1;
    sw->reps = (uint32_t)v;
    v = 1;
    if (seed && get_uint(c, seed, "seed", 0, 9007199254740992.0, &v)) v = 1;
    sw->seed = v;
    /* metrics */
    sw->all_metrics = 1;
    if (metrics && cJSON_IsString(metrics) && !strcmp(metrics->valuestring, "all")) {
        sw->all_metrics = 1;
    } else if (metrics && cJSON_IsArray(metrics) && cJSON_GetArraySize(metrics) > 0) {
        sw->all_metrics = 0;
        size_t n = (size_t)cJSON_GetArraySize(metrics), i = 0;
        sw->metrics = calloc(n, sizeof *sw->metrics);
        if (!sw->metrics) {
            *oom = 1;
            return;
        }
        for (const cJSON *m = metrics->child; m; m = m->next, i++) {
            char q[64];
            snprintf(q, sizeof q, "metrics[%zu]", i);
            if (!cJSON_IsString(m) || !m->valuestring[0]) {
                diag(c, q, "expected a metric name such as \"campaign.group3.conversion_rate\"");
                continue;
            }
            for (size_t j = 0; j < sw->nmetrics; j++)
                if (!strcmp(sw->metrics[j], m->valuestring)) diag(c, q, "'%s' is listed twice", m->valuestring);
            sw->metrics[sw->nmetrics] = strdup(m->valuestring);
            if (!sw->metrics[sw->nmetrics]) *oom = 1;
            else sw->nmetrics++;
        }
    } else if (metrics) {
        diag(c, "metrics", "expected \"all\" or a non-empty array of metric names");
    }
}

fsn_err_t fsn_sweep_load(const char *path, const char *const *sets, size_t nsets, fsn_sweep_t **out,
                         fsn_diags_t *d) {
    FSN_REQUIRE(path && out && d);
    *out = NULL;
    fsn_diags_clear(d);
    pctx_t c = {d, path};
    fsn_sweep_t *sw = calloc(1, sizeof *sw);
    if (!sw) {
        diag(&c, NULL, "out of memory");
        return FSN_ENOMEM;
    }
    snprintf(sw->file, sizeof sw->file, "%s", path);
    fsn_err_t rc = FSN_OK;
    size_t len = 0;
    sw->text = read_file(path, NULL, &len, &c, &rc);
    if (!sw->text) {
        fsn_sweep_free(sw);
        return rc;
    }
    /* the hash: the file's text and the extra sets */
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, sw->text, len);
    for (size_t i = 0; i < nsets; i++) h = fnv1a(h, sets[i], strlen(sets[i]) + 1);
    snprintf(sw->hash, sizeof sw->hash, "%016" PRIx64, h);
    if (memchr(sw->text, 0, len)) {
        diag(&c, NULL, "a NUL byte; a sweep file is JSON text");
        fsn_sweep_free(sw);
        return FSN_EPARSE;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        diag(&c, NULL, "out of memory");
        fsn_sweep_free(sw);
        return FSN_ENOMEM;
    }
    memcpy(copy, sw->text, len + 1);
    long open_comment = fsn_jsonc_blank_comments(copy, len);
    if (open_comment >= 0) {
        int line, col;
        fsn_jsonc_line_col(copy, copy + open_comment, &line, &col);
        char where[32];
        snprintf(where, sizeof where, "%d:%d", line, col);
        diag(&c, where, "a comment that is never closed");
        free(copy);
        fsn_sweep_free(sw);
        return FSN_EPARSE;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
    int trailing = 0;
    for (const char *q = end; root && q && q < copy + len; q++)
        if (!(*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')) trailing = 1;
    if (!root || trailing) {
        int line, col;
        fsn_jsonc_line_col(copy, end ? end : copy, &line, &col);
        char where[32];
        snprintf(where, sizeof where, "%d:%d", line, col);
        diag(&c, where, trailing ? "text after the end of the JSON object" : "malformed JSON");
        cJSON_Delete(root);
        free(copy);
        fsn_sweep_free(sw);
        return FSN_EPARSE;
    }
    int oom = 0;
    if (!cJSON_IsObject(root)) diag(&c, NULL, "the top level must be a JSON object, got %s", json_type(root));
    else parse_root(&c, sw, root, path, &oom);
    cJSON_Delete(root);
    free(copy);
    for (size_t i = 0; i < nsets && !oom; i++)
        if (push_set(sw, sets[i])) oom = 1;
    if (oom) {
        diag(&c, NULL, "out of memory");
        fsn_sweep_free(sw);
        return FSN_ENOMEM;
    }
    if (d->count) {
        fsn_sweep_free(sw);
        return FSN_EINVAL;
    }
    /* the base scenario's text */
    pctx_t cb = {d, path};
    sw->base_text = read_file(sw->base, "base", &sw->base_len, &cb, &rc);
    if (!sw->base_text) {
        fsn_sweep_free(sw);
        return rc;
    }
    rc = make_points(&c, sw);
    if (rc) {
        fsn_sweep_free(sw);
        return rc;
    }
    *out = sw;
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Points                                                             */
/* ------------------------------------------------------------------ */

size_t fsn_sweep_point_sets(const fsn_sweep_t *sw, size_t p, const char **sets, char *buf, size_t cap) {
    FSN_REQUIRE(sw && p < sw->npoints && sets && buf);
    size_t n = 0, used = 0;
    for (size_t i = 0; i < sw->nsets; i++) sets[n++] = sw->sets[i];
    for (size_t a = 0; a < sw->naxes; a++) {
        const fsn_sweep_axis_t *ax = &sw->axes[a];
        const size_t i = p * sw->naxes + a;
        char num[40];
        const char *v = sw->vtexts[i];
        if (!v) {
            double x = sw->values[i];
            if (ax->is_integer && x == floor(x) && fabs(x) < 9e15) snprintf(num, sizeof num, "%lld", (long long)x);
            else fsn_num_text(num, sizeof num, x);
            v = num;
        }
        int k = snprintf(buf + used, cap - used, "%s=%s", ax->path, v);
        if (k < 0 || (size_t)k >= cap - used) return 0;
        sets[n++] = buf + used;
        used += (size_t)k + 1;
    }
    return n;
}

fsn_err_t fsn_sweep_point_scenario(const fsn_sweep_t *sw, size_t p, fsn_scenario_t *sc, fsn_diags_t *d) {
    FSN_REQUIRE(sw && sc && d && p < sw->npoints);
    const char **sets = malloc((sw->nsets + sw->naxes + 1) * sizeof *sets);
    size_t cap = sw->naxes * (FSN_SWEEP_PATH_MAX + 64) + 64;
    char *buf = malloc(cap);
    fsn_err_t rc;
    if (!sets || !buf) {
        free(sets);
        free(buf);
        fsn_diags_clear(d);
        pctx_t c = {d, sw->file};
        diag(&c, NULL, "out of memory");
        return FSN_ENOMEM;
    }
    size_t n = fsn_sweep_point_sets(sw, p, sets, buf, cap);
    rc = fsn_scenario_parse(sc, sw->base_text, sw->base_len, sw->base, sw->base_dir, sets, n, d);
    if (rc) {
        size_t shown = d->count < FSN_DIAG_MAX ? d->count : FSN_DIAG_MAX;
        for (size_t i = 0; i < shown; i++) {
            char m[FSN_SCENARIO_PATH_MAX + FSN_ERROR_MSG_MAX + 48];
            snprintf(m, sizeof m, "%s: point %zu: %s", sw->file, p, d->msg[i]);
            memcpy(d->msg[i], m, FSN_ERROR_MSG_MAX - 1);
            d->msg[i][FSN_ERROR_MSG_MAX - 1] = 0;
        }
    }
    free(sets);
    free(buf);
    return rc;
}

fsn_err_t fsn_sweep_check(const fsn_sweep_t *sw, fsn_diags_t *d) {
    FSN_REQUIRE(sw && d);
    fsn_scenario_t *sc = malloc(sizeof *sc);
    if (!sc) return FSN_ENOMEM;
    fsn_err_t rc = FSN_OK;
    for (size_t p = 0; p < sw->npoints && !rc; p++) rc = fsn_sweep_point_scenario(sw, p, sc, d);
    free(sc);
    return rc;
}
