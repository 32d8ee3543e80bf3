/*
 * ab.c: two campaign designs side by side, paired replicate by replicate.
 *
 * A comparison is a table of rows, one per metric, each with the paired
 * statistics of the two designs' replicate values (fsn_paired_stats). The
 * replicates are paired because both designs ran replicate r on the same
 * random stream (seed, 0, r) (common random numbers, see ab.h), so the
 * right test is the paired t test: the differences d_r = B_r - A_r are
 * one sample, their mean has a t interval with n - 1 degrees of freedom,
 * and the sd of d_r (not the two designs' sds) sets how many replicates
 * a given difference needs. GSL gives the t and normal quantiles.
 *
 * Rows are matched by name; a campaign metric of campaigns named
 * differently in the two designs is matched by the campaign's position
 * and renamed "campaign[i].<metric>", so "group3" against "kanjia" still
 * pairs their GMVs. The money block sums the campaigns' money metrics
 * per replicate before pairing, so its intervals are those of the
 * designs' totals, and per-yuan figures are per-replicate ratios (a
 * replicate with no subsidy has none and drops out of that row).
 *
 * The writers print numbers with sim/text.h's round-trip format, in a
 * fixed order, so the same runs give the same bytes.
 */
#include "fission/ab.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fission/output.h"
#include "text.h"

const char *const fsn_ab_money_names[FSN_AB_MONEY_ROWS] = {
    "money.gmv",   "money.subsidy", "money.coupon_cost", "money.refunds",
    "money.net_gmv", "money.buyers", "money.buyers_per_subsidy_yuan", "money.buyers_per_cost_yuan"};

void fsn_ab_cfg_default(fsn_ab_cfg_t *cfg) {
    FSN_REQUIRE(cfg);
    memset(cfg, 0, sizeof *cfg);
    cfg->reps = 20;
    cfg->seed = 1;
}

void fsn_ab_result_destroy(fsn_ab_result_t *r) {
    if (!r) return;
    free(r->rows);
    memset(r, 0, sizeof *r);
}

void fsn_paired_stats(const double *a, const double *b, size_t n, double delta, fsn_paired_stat_t *out) {
    FSN_REQUIRE(out && (n == 0 || (a && b)));
    memset(out, 0, sizeof *out);
    double sa = 0, sb = 0, sd = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(a[i]) || !isfinite(b[i])) continue;
        sa += a[i];
        sb += b[i];
        sd += b[i] - a[i];
        m++;
    }
    out->n = m;
    out->mean_a = m ? sa / (double)m : NAN;
    out->mean_b = m ? sb / (double)m : NAN;
    out->diff = m ? sd / (double)m : NAN;
    /* the sd of the differences, two-pass about their mean */
    double ss = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(a[i]) || !isfinite(b[i])) continue;
        double e = (b[i] - a[i]) - out->diff;
        ss += e * e;
    }
    out->sd_diff = m >= 2 ? sqrt(ss / (double)(m - 1)) : NAN;
    out->se_diff = m >= 2 ? out->sd_diff / sqrt((double)m) : NAN;
    out->rel = m && out->mean_a != 0 ? out->diff / fabs(out->mean_a) : NAN;
    out->delta = delta > 0 ? delta : (m ? 0.05 * fabs(out->mean_a) : NAN);
    if (!(out->delta > 0)) out->delta = NAN;
    if (m < 2) {
        out->ci_lo = out->ci_hi = out->p = out->reps_needed = NAN;
        return;
    }
    if (out->se_diff == 0) {
        /* no spread: the difference is exact */
        out->ci_lo = out->ci_hi = out->diff;
        out->p = out->diff == 0 ? 1.0 : 0.0;
    } else {
        double df = (double)(m - 1);
        double t = gsl_cdf_tdist_Pinv(0.975, df);
        out->ci_lo = out->diff - t * out->se_diff;
        out->ci_hi = out->diff + t * out->se_diff;
        double tstat = fabs(out->diff) / out->se_diff;
        out->p = 2.0 * gsl_cdf_tdist_Q(tstat, df);
        if (out->p > 1) out->p = 1;
    }
    out->significant = out->p < 0.05;
    if (isfinite(out->delta)) {
        double z = gsl_cdf_ugaussian_Pinv(0.975) + gsl_cdf_ugaussian_Pinv(0.8);
        double k = z * out->sd_diff / out->delta;
        double need = ceil(k * k);
        out->reps_needed = need < 2 ? 2 : need;
    } else {
        out->reps_needed = NAN;
    }
}

/* ------------------------------------------------------------------ */
/* Matching the metrics                                               */
/* ------------------------------------------------------------------ */

static long find_metric(const fsn_run_result_t *r, const char *name) {
    for (size_t k = 0; k < r->nmetrics; k++)
        if (!strcmp(r->names[k], name)) return (long)k;
    return -1;
}

/* If name is "campaign.<c>.<rest>" for campaign i of camps, i and rest. */
static int campaign_of(const char *name, const fsn_campaign_t *camps, size_t nc, size_t *i, const char **rest) {
    if (strncmp(name, "campaign.", 9)) return 0;
    for (size_t c = 0; c < nc; c++) {
        size_t l = strlen(camps[c].name);
        if (!strncmp(name + 9, camps[c].name, l) && name[9 + l] == '.') {
            *i = c;
            *rest = name + 10 + l;
            return 1;
        }
    }
    return 0;
}

/* The name B gives the metric A calls name (by campaign position when
 * the campaigns' names differ), and the name shown. */
static void counterpart(const char *name, const fsn_campaign_t *cx, size_t nx, const fsn_campaign_t *cy, size_t ny,
                        char *other, size_t osize, char *shown, size_t ssize) {
    size_t i;
    const char *rest;
    if (campaign_of(name, cx, nx, &i, &rest) && i < ny && strcmp(cx[i].name, cy[i].name)) {
        snprintf(other, osize, "campaign.%s.%s", cy[i].name, rest);
        snprintf(shown, ssize, "campaign[%zu].%s", i, rest);
        return;
    }
    if (campaign_of(name, cx, nx, &i, &rest) && i >= ny) {
        snprintf(other, osize, "%s", "");
        snprintf(shown, ssize, "%s", name);
        return;
    }
    snprintf(other, osize, "%s", name);
    snprintf(shown, ssize, "%s", name);
}

/* Per-replicate money totals of a run: reps x FSN_AB_MONEY_ROWS. */
void fsn_ab_money(const fsn_run_result_t *r, const fsn_campaign_t *camps, size_t nc, double *m) {
    static const char *const parts[6] = {"gmv", "subsidy", "coupon_cost", "refund_amount", "net_gmv", "buyers"};
    for (uint32_t rep = 0; rep < r->reps; rep++) {
        double *row = m + (size_t)rep * FSN_AB_MONEY_ROWS;
        for (int j = 0; j < 6; j++) row[j] = 0;
        int ok = !r->done || r->done[rep];
        for (size_t c = 0; c < nc && ok; c++) {
            for (int j = 0; j < 6; j++) {
                char nm[160];
                snprintf(nm, sizeof nm, "campaign.%s.%s", camps[c].name, parts[j]);
                long k = find_metric(r, nm);
                if (k >= 0) row[j] += r->values[(size_t)rep * r->nmetrics + (size_t)k];
            }
        }
        if (!ok)
            for (int j = 0; j < 6; j++) row[j] = NAN;
        row[6] = row[1] > 0 ? row[5] / row[1] : NAN;
        row[7] = row[1] + row[2] > 0 ? row[5] / (row[1] + row[2]) : NAN;
    }
}

static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 200 || lb > 200) return (size_t)-1;
    size_t prev[201], cur[201];
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

const char *fsn_nearest_name(const char *name, const char *const *names, size_t n) {
    const char *best = NULL;
    size_t bd = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(name, names[i]);
        if (d < bd) {
            bd = d;
            best = names[i];
        }
    }
    return best;
}

const fsn_ab_row_t *fsn_ab_find(const fsn_ab_result_t *r, const char *name) {
    for (size_t i = 0; i < r->nrows; i++)
        if (!strcmp(r->rows[i].name, name)) return &r->rows[i];
    return NULL;
}

const char *fsn_ab_suggest(const fsn_ab_result_t *r, const char *name) {
    const char *best = NULL;
    size_t bd = (size_t)-1;
    for (size_t i = 0; i < r->nrows; i++) {
        size_t d = edit_distance(name, r->rows[i].name);
        if (d < bd) {
            bd = d;
            best = r->rows[i].name;
        }
    }
    return best;
}

static double delta_for(const fsn_ab_cfg_t *cfg, const char *name) {
    for (size_t i = 0; i < cfg->ndeltas; i++)
        if (!strcmp(cfg->deltas[i].metric, name)) return cfg->deltas[i].value;
    return NAN;
}

static void yuan(char *buf, size_t n, double x) {
    snprintf(buf, n, "%.2f", x);
}

static void verdict(fsn_ab_result_t *r) {
    const fsn_ab_row_t *net = fsn_ab_find(r, "money.net_gmv");
    const fsn_ab_row_t *sub = fsn_ab_find(r, "money.subsidy");
    if (!net || !sub || net->st.n < 2) {
        snprintf(r->verdict, sizeof r->verdict, "too few replicates for a verdict (need 2 or more)");
        return;
    }
    const fsn_paired_stat_t *s = &net->st, *c = &sub->st;
    char d[32], lo[32], hi[32], cd[32], clo[32], chi[32];
    int b_wins = s->diff > 0;
    double sign = b_wins ? 1 : -1;
    yuan(d, sizeof d, sign * s->diff);
    yuan(lo, sizeof lo, b_wins ? s->ci_lo : -s->ci_hi);
    yuan(hi, sizeof hi, b_wins ? s->ci_hi : -s->ci_lo);
    /* the winner's extra subsidy over the loser */
    yuan(cd, sizeof cd, fabs(c->diff));
    /* the interval of the winner's extra subsidy, or of its saving */
    double extra = sign * c->diff;
    double elo = b_wins ? c->ci_lo : -c->ci_hi, ehi = b_wins ? c->ci_hi : -c->ci_lo;
    yuan(clo, sizeof clo, extra >= 0 ? elo : -ehi);
    yuan(chi, sizeof chi, extra >= 0 ? ehi : -elo);
    const char *w = b_wins ? r->label_b : r->label_a;
    const char *l = b_wins ? r->label_a : r->label_b;
    const char *more = extra >= 0 ? "more" : "less";
    if (s->significant && s->diff != 0) {
        snprintf(r->verdict, sizeof r->verdict,
                 "%s wins on net GMV by %s yuan [%s, %s] over %s, significant at 95%% (p = %.2g); "
                 "it costs %s yuan %s subsidy [%s, %s]",
                 w, d, lo, hi, l, s->p, cd, more, clo, chi);
    } else {
        char nd[32];
        snprintf(nd, sizeof nd, "%.0f", s->reps_needed);
        yuan(d, sizeof d, s->diff);
        yuan(lo, sizeof lo, s->ci_lo);
        yuan(hi, sizeof hi, s->ci_hi);
        yuan(cd, sizeof cd, fabs(c->diff));
        snprintf(r->verdict, sizeof r->verdict,
                 "no significant difference in net GMV: %s - %s = %s yuan [%s, %s] (p = %.2g); "
                 "%s costs %s yuan %s subsidy; resolving %.2f yuan takes about %s replicates",
                 r->label_b, r->label_a, d, lo, hi, s->p, r->label_b, cd, c->diff >= 0 ? "more" : "less", s->delta,
                 isfinite(s->reps_needed) ? nd : "?");
    }
}

fsn_err_t fsn_ab_compare(const fsn_run_result_t *a, const fsn_campaign_t *ca, size_t nca,
                         const fsn_run_result_t *b, const fsn_campaign_t *cb, size_t ncb,
                         const char *label_a, const char *label_b, const fsn_ab_cfg_t *cfg,
                         fsn_ab_result_t *out, fsn_error_t *err) {
    FSN_REQUIRE(a && b && cfg && out && (ca || nca == 0) && (cb || ncb == 0));
    memset(out, 0, sizeof *out);
    if (a->reps != b->reps)
        return fsn_error_set(err, FSN_EINVAL, "ab: the designs ran %u and %u replicates; they must run the same",
                             a->reps, b->reps);
    if (a->reps < 2) return fsn_error_set(err, FSN_EINVAL, "ab: at least 2 replicates per design, got %u", a->reps);
    const uint32_t R = a->reps;
    size_t cap = FSN_AB_MONEY_ROWS + a->nmetrics + b->nmetrics;
    out->rows = calloc(cap, sizeof *out->rows);
    double *xa = malloc(R * sizeof *xa), *xb = malloc(R * sizeof *xb);
    double *ma = malloc((size_t)R * FSN_AB_MONEY_ROWS * sizeof *ma);
    double *mb = malloc((size_t)R * FSN_AB_MONEY_ROWS * sizeof *mb);
    uint8_t *used_b = calloc(b->nmetrics ? b->nmetrics : 1, 1);
    fsn_err_t rc = FSN_OK;
    if (!out->rows || !xa || !xb || !ma || !mb || !used_b) {
        rc = fsn_error_set(err, FSN_ENOMEM, "ab: out of memory");
        goto done;
    }
    snprintf(out->label_a, sizeof out->label_a, "%s", label_a ? label_a : "A");
    snprintf(out->label_b, sizeof out->label_b, "%s", label_b ? label_b : "B");
    out->reps = R;
    out->seed = cfg->seed;
    /* the money block */
    fsn_ab_money(a, ca, nca, ma);
    fsn_ab_money(b, cb, ncb, mb);
    for (int j = 0; j < FSN_AB_MONEY_ROWS; j++) {
        fsn_ab_row_t *row = &out->rows[out->nrows++];
        snprintf(row->name, sizeof row->name, "%s", fsn_ab_money_names[j]);
        row->money = 1;
        for (uint32_t r = 0; r < R; r++) {
            xa[r] = ma[(size_t)r * FSN_AB_MONEY_ROWS + (size_t)j];
            xb[r] = mb[(size_t)r * FSN_AB_MONEY_ROWS + (size_t)j];
        }
        fsn_paired_stats(xa, xb, R, delta_for(cfg, row->name), &row->st);
    }
    /* A's metrics, with their counterparts in B */
    for (size_t k = 0; k < a->nmetrics; k++) {
        fsn_ab_row_t *row = &out->rows[out->nrows++];
        char other[160], shown[160];
        counterpart(a->names[k], ca, nca, cb, ncb, other, sizeof other, shown, sizeof shown);
        snprintf(row->name, sizeof row->name, "%s", shown);
        snprintf(row->name_a, sizeof row->name_a, "%s", a->names[k]);
        long kb = other[0] ? find_metric(b, other) : -1;
        if (kb >= 0) {
            snprintf(row->name_b, sizeof row->name_b, "%s", b->names[kb]);
            used_b[kb] = 1;
        }
        for (uint32_t r = 0; r < R; r++) {
            xa[r] = (!a->done || a->done[r]) ? a->values[(size_t)r * a->nmetrics + k] : NAN;
            xb[r] = kb >= 0 && (!b->done || b->done[r]) ? b->values[(size_t)r * b->nmetrics + (size_t)kb] : NAN;
        }
        fsn_paired_stats(xa, xb, R, delta_for(cfg, row->name), &row->st);
        if (kb < 0) {
            /* only A has it: its mean, no pair */
            double s = 0;
            size_t m = 0;
            for (uint32_t r = 0; r < R; r++)
                if (isfinite(xa[r])) s += xa[r], m++;
            row->st.mean_a = m ? s / (double)m : NAN;
        }
    }
    /* B's metrics A has not got */
    for (size_t k = 0; k < b->nmetrics; k++) {
        if (used_b[k]) continue;
        fsn_ab_row_t *row = &out->rows[out->nrows++];
        char other[160], shown[160];
        counterpart(b->names[k], cb, ncb, ca, nca, other, sizeof other, shown, sizeof shown);
        snprintf(row->name, sizeof row->name, "%s", shown);
        snprintf(row->name_b, sizeof row->name_b, "%s", b->names[k]);
        for (uint32_t r = 0; r < R; r++) {
            xa[r] = NAN;
            xb[r] = (!b->done || b->done[r]) ? b->values[(size_t)r * b->nmetrics + k] : NAN;
        }
        fsn_paired_stats(xa, xb, R, NAN, &row->st);
        double s = 0;
        size_t m = 0;
        for (uint32_t r = 0; r < R; r++)
            if (isfinite(xb[r])) s += xb[r], m++;
        row->st.mean_b = m ? s / (double)m : NAN;
    }
    /* every delta must name a row */
    for (size_t i = 0; i < cfg->ndeltas; i++) {
        if (!fsn_ab_find(out, cfg->deltas[i].metric)) {
            const char *s = fsn_ab_suggest(out, cfg->deltas[i].metric);
            rc = fsn_error_set(err, FSN_EINVAL, "ab: --delta %s: no such metric; did you mean '%s'?",
                               cfg->deltas[i].metric, s ? s : "?");
            goto done;
        }
    }
    verdict(out);
done:
    if (rc) fsn_ab_result_destroy(out);
    free(xa);
    free(xb);
    free(ma);
    free(mb);
    free(used_b);
    return rc;
}

fsn_err_t fsn_ab_run(const fsn_csr_t *g, const fsn_scenario_t *a, const fsn_scenario_t *b,
                     const fsn_ab_cfg_t *cfg, fsn_ab_result_t *out, fsn_error_t *err) {
    FSN_REQUIRE(g && a && b && cfg && out);
    memset(out, 0, sizeof *out);
    if (cfg->reps < 2) return fsn_error_set(err, FSN_EINVAL, "ab: at least 2 replicates per design, got %u", cfg->reps);
    fsn_run_cfg_t rc_cfg;
    fsn_run_cfg_default(&rc_cfg);
    rc_cfg.reps = cfg->reps;
    rc_cfg.seed = cfg->seed;
    rc_cfg.threads = cfg->threads;
    fsn_run_result_t ra, rb;
    fsn_err_t rc = fsn_run_campaigns(g, &a->users, &a->behaviour, a->campaigns, a->ncampaigns, &rc_cfg, 0, &ra, err);
    if (rc) return rc;
    rc = fsn_run_campaigns(g, &b->users, &b->behaviour, b->campaigns, b->ncampaigns, &rc_cfg, 0, &rb, err);
    if (rc) {
        fsn_run_result_destroy(&ra);
        return rc;
    }
    rc = fsn_ab_compare(&ra, a->campaigns, a->ncampaigns, &rb, b->campaigns, b->ncampaigns, a->name, b->name, cfg,
                        out, err);
    fsn_run_result_destroy(&ra);
    fsn_run_result_destroy(&rb);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Where two scenarios differ                                         */
/* ------------------------------------------------------------------ */

/* The text of a top-level section of the normalised JSON: from the line
 * `  "section": ` to the end of its value (the line that closes it at two
 * spaces of indent, or the same line). */
static int section_text(const char *json, const char *section, const char **s, size_t *len) {
    char key[80];
    snprintf(key, sizeof key, "\n  \"%s\": ", section);
    const char *p = strstr(json, key);
    if (!p) return 0;
    p += 1;
    const char *eol = strchr(p, '\n');
    if (!eol) eol = p + strlen(p);
    /* a one-line value ends on its line; a block ends at "\n  }" */
    const char *q = eol;
    if (eol > p && (eol[-1] == '{' || eol[-1] == '[')) {
        q = strstr(eol, "\n  }");
        if (!q) q = p + strlen(p);
        else q += 4;
    }
    *s = p;
    *len = (size_t)(q - p);
    return 1;
}

/* The key of the first "key": pair at or before offset off in text s (the
 * innermost quoted name followed by a colon). */
static void key_at(const char *s, size_t off, char *out, size_t size) {
    out[0] = 0;
    for (size_t i = off + 1; i-- > 0;) {
        if (s[i] == ':' && i > 0 && s[i - 1] == '"') {
            size_t e = i - 1, b = e;
            while (b > 0 && s[b - 1] != '"') b--;
            size_t l = e - b < size - 1 ? e - b : size - 1;
            memcpy(out, s + b, l);
            out[l] = 0;
            return;
        }
    }
}

int fsn_ab_section_diff(const fsn_scenario_t *a, const fsn_scenario_t *b, const char *section, char *path,
                        size_t size) {
    FSN_REQUIRE(a && b && section && path && size);
    char *ja = fsn_scenario_to_json(a), *jb = fsn_scenario_to_json(b);
    int rc = 0;
    if (!ja || !jb) {
        rc = -1;
        goto done;
    }
    const char *sa = NULL, *sb = NULL;
    size_t la = 0, lb = 0;
    int ha = section_text(ja, section, &sa, &la), hb = section_text(jb, section, &sb, &lb);
    if (!ha || !hb) {
        rc = ha != hb;
        snprintf(path, size, "%s", section);
        goto done;
    }
    if (la == lb && !memcmp(sa, sb, la)) goto done;
    size_t i = 0;
    while (i < la && i < lb && sa[i] == sb[i]) i++;
    /* the innermost key before the difference, and (for a section of
     * several lines) the key its line starts with */
    size_t at = i < la ? i : la - 1;
    char key[96], line_key[96] = "";
    key_at(sa, at, key, sizeof key);
    size_t ls = at;
    while (ls > 0 && sa[ls - 1] != '\n') ls--;
    if (ls > 0) {
        const char *q = strchr(sa + ls, '"');
        const char *e = q ? strchr(q + 1, '"') : NULL;
        if (q && e && (size_t)(e - q - 1) < sizeof line_key) {
            memcpy(line_key, q + 1, (size_t)(e - q - 1));
            line_key[e - q - 1] = 0;
        }
    }
    if (line_key[0] && strcmp(line_key, key)) snprintf(path, size, "%s.%s.%s", section, line_key, key);
    else if (key[0] && strcmp(key, section)) snprintf(path, size, "%s.%s", section, key);
    else snprintf(path, size, "%s", section);
    rc = 1;
done:
    free(ja);
    free(jb);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Files                                                              */
/* ------------------------------------------------------------------ */

fsn_err_t fsn_ab_write(const char *dir, const fsn_ab_result_t *r, fsn_error_t *err) {
    FSN_REQUIRE(dir && r);
    fsn_tb_t c = {0}, j = {0};
    fsn_tb_printf(&c, "section,metric,metric_a,metric_b,n,mean_a,mean_b,diff,ci_lo,ci_hi,sd_diff,p,significant,"
                      "rel_change,delta,reps_needed\n");
    fsn_tb_printf(&j, "{\n  \"a\": ");
    fsn_tb_json_str(&j, r->label_a);
    fsn_tb_printf(&j, ",\n  \"b\": ");
    fsn_tb_json_str(&j, r->label_b);
    fsn_tb_printf(&j, ",\n  \"replicates\": %u,\n  \"seed\": %llu,\n  \"verdict\": ", r->reps,
                  (unsigned long long)r->seed);
    fsn_tb_json_str(&j, r->verdict);
    fsn_tb_printf(&j, ",\n  \"rows\": [");
    for (size_t i = 0; i < r->nrows; i++) {
        const fsn_ab_row_t *w = &r->rows[i];
        const fsn_paired_stat_t *s = &w->st;
        fsn_tb_printf(&c, "%s,", w->money ? "money" : "metric");
        fsn_tb_csv_str(&c, w->name);
        fsn_tb_printf(&c, ",");
        fsn_tb_csv_str(&c, w->name_a);
        fsn_tb_printf(&c, ",");
        fsn_tb_csv_str(&c, w->name_b);
        fsn_tb_printf(&c, ",%zu", s->n);
        const double v[] = {s->mean_a, s->mean_b, s->diff, s->ci_lo, s->ci_hi, s->sd_diff, s->p};
        for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
            fsn_tb_printf(&c, ",");
            fsn_tb_num(&c, v[k], "");
        }
        fsn_tb_printf(&c, ",%d,", s->significant);
        fsn_tb_num(&c, s->rel, "");
        fsn_tb_printf(&c, ",");
        fsn_tb_num(&c, s->delta, "");
        fsn_tb_printf(&c, ",");
        fsn_tb_num(&c, s->reps_needed, "");
        fsn_tb_printf(&c, "\n");

        fsn_tb_printf(&j, "%s\n    {\"section\": \"%s\", \"metric\": ", i ? "," : "", w->money ? "money" : "metric");
        fsn_tb_json_str(&j, w->name);
        fsn_tb_printf(&j, ", \"metric_a\": ");
        fsn_tb_json_str(&j, w->name_a);
        fsn_tb_printf(&j, ", \"metric_b\": ");
        fsn_tb_json_str(&j, w->name_b);
        fsn_tb_printf(&j, ", \"n\": %zu", s->n);
        static const char *const keys[] = {"mean_a", "mean_b", "diff", "ci_lo", "ci_hi", "sd_diff", "p"};
        for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
            fsn_tb_printf(&j, ", \"%s\": ", keys[k]);
            fsn_tb_num(&j, v[k], "null");
        }
        fsn_tb_printf(&j, ", \"significant\": %s, \"rel_change\": ", s->significant ? "true" : "false");
        fsn_tb_num(&j, s->rel, "null");
        fsn_tb_printf(&j, ", \"delta\": ");
        fsn_tb_num(&j, s->delta, "null");
        fsn_tb_printf(&j, ", \"reps_needed\": ");
        fsn_tb_num(&j, s->reps_needed, "null");
        fsn_tb_printf(&j, "}");
    }
    fsn_tb_printf(&j, "\n  ]\n}\n");
    fsn_err_t rc = FSN_OK;
    if (c.fail || j.fail) {
        rc = fsn_error_set(err, FSN_ENOMEM, "ab: out of memory writing the results");
    } else {
        char path[4096];
        snprintf(path, sizeof path, "%s/ab.csv", dir);
        rc = fsn_write_atomic(path, c.s, c.len, err);
        if (!rc) {
            snprintf(path, sizeof path, "%s/ab.json", dir);
            rc = fsn_write_atomic(path, j.s, j.len, err);
        }
    }
    free(c.s);
    free(j.s);
    return rc;
}
