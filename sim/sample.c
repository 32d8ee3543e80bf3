/*
 * sample.c: normal, gamma, reaction delays, red packets and bargain cuts.
 *
 * Normal: Marsaglia's polar method rather than a ziggurat. It needs no
 * tables, is exact, and costs one log and one sqrt; the delays that use
 * it (lognormal, gamma) are drawn once per event, where a few extra
 * nanoseconds do not show beside the event queue. Without state between
 * calls the second normal of each pair is dropped, the price of keeping
 * the generator the only state.
 *
 * Gamma: Marsaglia and Tsang (2000), "A simple method for generating
 * gamma variables". For k >= 1 with d = k - 1/3 and c = 1 / sqrt(9 d),
 * draw a normal x, set v = (1 + c x)^3 and accept d v when v > 0 and
 * log u < x^2 / 2 + d (1 - v + log v), with the cheap squeeze
 * u < 1 - 0.0331 x^4 accepting most candidates before the logs. For
 * k < 1, Gamma(k) = Gamma(k + 1) U^(1/k). fsn_delay_prepare computes d
 * and c once so a gamma delay only runs the loop.
 *
 * Red packet and cuts: integer fen throughout (see sample.h for the
 * rules and why). Intermediate products that could overflow int64 are
 * avoided by dividing first (2M = q c + s is computed from M = a c + b)
 * or by comparing in double before converting.
 */
#include "fission/sample.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* ---- normal and gamma ---------------------------------------------- */

double fsn_sample_normal(fsn_rng_t *r) {
    double u, v, s;
    do {
        u = 2.0 * fsn_rng_uniform(r) - 1.0;
        v = 2.0 * fsn_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

/* The Marsaglia-Tsang loop for shape d + 1/3 >= 1, c = 1 / sqrt(9 d). */
static double gamma_mt(fsn_rng_t *r, double d, double c) {
    for (;;) {
        double x, v;
        do {
            x = fsn_sample_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = fsn_rng_uniform_pos(r);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
        if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) return d * v;
    }
}

/* Gamma(k) from the constants of gamma_prep: d and c for shape
 * max(k, k + 1) and the boost exponent's k (boost when k < 1). */
static double gamma_draw(fsn_rng_t *r, double d, double c, double k) {
    double g = gamma_mt(r, d, c);
    if (k < 1.0) g *= exp(log(fsn_rng_uniform_pos(r)) / k);
    return g;
}

static void gamma_prep(double k, double *d, double *c) {
    *d = (k < 1.0 ? k + 1.0 : k) - 1.0 / 3.0;
    *c = 1.0 / sqrt(9.0 * *d);
}

double fsn_sample_gamma(fsn_rng_t *r, double k) {
    FSN_REQUIRE(r);
    FSN_REQUIRE(k > 0.0 && isfinite(k));
    double d, c;
    gamma_prep(k, &d, &c);
    return gamma_draw(r, d, c, k);
}

/* ---- names --------------------------------------------------------- */

static const char *const delay_names[FSN_DELAY_KIND_COUNT] = {"exponential", "lognormal", "gamma",
                                                              "fixed"};
static const char *const cut_names[FSN_CUT_KIND_COUNT] = {"equal", "random", "shrinking"};

static int parse_name(const char *name, const char *const *names, int k) {
    if (!name) return -1;
    for (int i = 0; i < k; i++)
        if (strcmp(name, names[i]) == 0) return i;
    return -1;
}

const char *fsn_delay_kind_name(int kind) {
    return kind >= 0 && kind < FSN_DELAY_KIND_COUNT ? delay_names[kind] : "unknown";
}
int fsn_delay_kind_parse(const char *name) {
    return parse_name(name, delay_names, FSN_DELAY_KIND_COUNT);
}
const char *fsn_cut_kind_name(int kind) {
    return kind >= 0 && kind < FSN_CUT_KIND_COUNT ? cut_names[kind] : "unknown";
}
int fsn_cut_kind_parse(const char *name) {
    return parse_name(name, cut_names, FSN_CUT_KIND_COUNT);
}

/* ---- delays -------------------------------------------------------- */

#define LOGNORMAL_SIGMA_MAX 5.0
#define GAMMA_SHAPE_MAX 1e6

fsn_err_t fsn_delay_prepare(fsn_delay_t *d, fsn_error_t *err) {
    FSN_REQUIRE(d);
    int kind = (int)d->kind;
    if (kind < 0 || kind >= FSN_DELAY_KIND_COUNT)
        return fsn_error_set(err, FSN_EINVAL,
                             "delay: kind = %d, expected 0 (exponential), 1 (lognormal), "
                             "2 (gamma) or 3 (fixed)",
                             kind);
    if (kind == FSN_DELAY_FIXED) {
        if (!(d->mean >= 0.0 && isfinite(d->mean)))
            return fsn_error_set(err, FSN_EINVAL,
                                 "delay: mean = %g, expected a finite value >= 0 hours for a "
                                 "fixed delay",
                                 d->mean);
    } else if (!(d->mean > 0.0 && isfinite(d->mean))) {
        return fsn_error_set(err, FSN_EINVAL,
                             "delay: mean = %g, expected a finite value > 0 hours for a %s "
                             "delay",
                             d->mean, delay_names[kind]);
    }
    d->p0 = d->p1 = d->p2 = 0.0;
    switch (kind) {
    case FSN_DELAY_EXP:
    case FSN_DELAY_FIXED:
        d->p0 = d->mean;
        break;
    case FSN_DELAY_LOGNORMAL:
        if (!(d->shape >= 0.0 && d->shape <= LOGNORMAL_SIGMA_MAX))
            return fsn_error_set(err, FSN_EINVAL,
                                 "delay: shape = %g, expected the sigma of the log delay in "
                                 "[0, %g] for a lognormal delay",
                                 d->shape, LOGNORMAL_SIGMA_MAX);
        d->p1 = d->shape;
        d->p0 = log(d->mean) - 0.5 * d->shape * d->shape;
        break;
    case FSN_DELAY_GAMMA:
        if (!(d->shape > 0.0 && d->shape <= GAMMA_SHAPE_MAX))
            return fsn_error_set(err, FSN_EINVAL,
                                 "delay: shape = %g, expected the gamma shape k in (0, %g]",
                                 d->shape, GAMMA_SHAPE_MAX);
        gamma_prep(d->shape, &d->p0, &d->p1);
        d->p2 = d->shape;
        break;
    }
    return FSN_OK;
}

double fsn_delay_draw(const fsn_delay_t *d, fsn_rng_t *r) {
    double x;
    switch (d->kind) {
    case FSN_DELAY_EXP:
        x = d->p0 * fsn_rng_exp1(r);
        break;
    case FSN_DELAY_LOGNORMAL:
        x = exp(d->p0 + d->p1 * fsn_sample_normal(r));
        break;
    case FSN_DELAY_GAMMA:
        /* mean * (G / k) rather than (mean / k) * G: the scale mean / k
         * can overflow for tiny k, and inf * 0 would be NaN. */
        x = d->mean * (gamma_draw(r, d->p0, d->p1, d->p2) / d->p2);
        break;
    case FSN_DELAY_FIXED:
    default:
        x = d->p0;
        break;
    }
    return x <= DBL_MAX ? x : DBL_MAX;
}

/* ---- red packet ---------------------------------------------------- */

int64_t fsn_redpacket_grab(int64_t remaining_fen, uint32_t remaining, fsn_rng_t *r) {
    FSN_REQUIRE(remaining >= 1 && remaining_fen >= (int64_t)remaining);
    if (remaining <= 1) return remaining_fen;
    if (remaining_fen <= (int64_t)remaining) return remaining_fen > 0 ? 1 : 0;
    const int64_t c = remaining, m = remaining_fen;
    /* 2M = q c + s from M = a c + b: 2M = 2a c + 2b, and 2b < 2c. */
    const int64_t a = m / c, b = m % c;
    const int64_t q = 2 * a + (2 * b) / c, s = (2 * b) % c;
    const int64_t top = (int64_t)fsn_rng_below(r, (uint64_t)c) < s ? q : q - 1;
    int64_t amount = 1 + (int64_t)fsn_rng_below(r, (uint64_t)top);
    const int64_t cap = m - (c - 1);
    return amount < cap ? amount : cap;
}

fsn_err_t fsn_redpacket_split(int64_t total_fen, uint32_t n, fsn_rng_t *r, int64_t *out,
                              fsn_error_t *err) {
    if (n == 0)
        return fsn_error_set(err, FSN_EINVAL, "redpacket: n = 0 claimers, expected at least 1");
    if (total_fen < (int64_t)n)
        return fsn_error_set(err, FSN_EINVAL,
                             "redpacket: total_fen = %lld is less than n = %u: every claimer "
                             "needs at least 1 fen",
                             (long long)total_fen, n);
    FSN_REQUIRE(r && out);
    int64_t left = total_fen;
    for (uint32_t i = 0; i < n; i++) {
        out[i] = fsn_redpacket_grab(left, n - i, r);
        left -= out[i];
    }
    return FSN_OK;
}

/* ---- bargain cuts -------------------------------------------------- */

void fsn_cut_schedule_default(fsn_cut_schedule_t *s) {
    FSN_REQUIRE(s);
    memset(s, 0, sizeof *s);
    s->kind = FSN_CUT_SHRINKING;
    s->helpers = 8;
    s->first_share = 0.5;
    s->decay = 0.7;
    s->jitter = 0.5;
    s->min_cut_fen = 1;
}

fsn_err_t fsn_cut_schedule_check(const fsn_cut_schedule_t *s, fsn_error_t *err) {
    FSN_REQUIRE(s);
    int kind = (int)s->kind;
    if (kind < 0 || kind >= FSN_CUT_KIND_COUNT)
        return fsn_error_set(err, FSN_EINVAL,
                             "cut: kind = %d, expected 0 (equal), 1 (random) or 2 (shrinking)",
                             kind);
    if (s->min_cut_fen < 1)
        return fsn_error_set(err, FSN_EINVAL, "cut: min_cut_fen = %lld, expected >= 1 fen",
                             (long long)s->min_cut_fen);
    if ((kind == FSN_CUT_EQUAL || kind == FSN_CUT_RANDOM) && s->helpers < 1)
        return fsn_error_set(err, FSN_EINVAL, "cut: helpers = %u, expected >= 1 for a %s schedule",
                             s->helpers, cut_names[kind]);
    if (kind == FSN_CUT_SHRINKING) {
        if (!(s->first_share > 0.0 && s->first_share <= 1.0))
            return fsn_error_set(err, FSN_EINVAL, "cut: first_share = %g, expected in (0, 1]",
                                 s->first_share);
        if (!(s->decay > 0.0 && s->decay <= 1.0))
            return fsn_error_set(err, FSN_EINVAL, "cut: decay = %g, expected in (0, 1]", s->decay);
    }
    if ((kind == FSN_CUT_RANDOM || kind == FSN_CUT_SHRINKING) &&
        !(s->jitter >= 0.0 && s->jitter <= 1.0))
        return fsn_error_set(err, FSN_EINVAL, "cut: jitter = %g, expected in [0, 1]", s->jitter);
    return FSN_OK;
}

/* ceil(x) as fen, clamped to [min_cut, gap]; x >= 0 (NaN is not possible
 * for checked schedules but is sent to min_cut). */
static int64_t clamp_cut(double x, int64_t min_cut, int64_t gap) {
    int64_t c;
    if (!(x < (double)gap)) {
        c = gap; /* also keeps the conversion below in range */
    } else {
        double up = ceil(x);
        c = up > 0.0 ? (int64_t)up : 0;
    }
    if (c < min_cut) c = min_cut;
    return c < gap ? c : gap;
}

int64_t fsn_cut_draw(const fsn_cut_schedule_t *s, int64_t initial_gap_fen, int64_t gap_fen,
                     uint32_t helper, fsn_rng_t *r) {
    FSN_REQUIRE(s && gap_fen > 0);
    if (gap_fen <= 0) return 0;
    switch (s->kind) {
    case FSN_CUT_EQUAL: {
        int64_t h = s->helpers;
        int64_t per = initial_gap_fen / h + (initial_gap_fen % h != 0);
        if (per < s->min_cut_fen) per = s->min_cut_fen;
        return per < gap_fen ? per : gap_fen;
    }
    case FSN_CUT_RANDOM: {
        double mean = (double)initial_gap_fen / s->helpers;
        double f = 1.0 + s->jitter * (2.0 * fsn_rng_uniform(r) - 1.0);
        return clamp_cut(mean * f, s->min_cut_fen, gap_fen);
    }
    case FSN_CUT_SHRINKING:
    default: {
        double f = 1.0 + s->jitter * (2.0 * fsn_rng_uniform(r) - 1.0);
        double x = helper == 0 ? s->first_share * (double)initial_gap_fen
                               : s->first_share * pow(s->decay, (double)helper) * (double)gap_fen;
        return clamp_cut(x * f, s->min_cut_fen, gap_fen);
    }
    }
}
