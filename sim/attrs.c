/*
 * attrs.c: sampling user attributes, checking their parameters, and
 * summarising a population.
 *
 * The workload is one pass over every user per replicate, at up to tens
 * of millions of users, followed by reads from the models' hot loops.
 * The pass is cheap next to building the graph (about ten draws per
 * user), so the code favours a layout the readers like (one array per
 * attribute) and draws that stay aligned when parameters change: each
 * attribute has its own substream, and the categorical draws take a
 * fixed number of uniforms per user whatever the shares are.
 *
 * Categorical attributes use inverse-CDF search over at most four
 * categories; the continuous ones use GSL's samplers (gsl_ran_beta, the
 * Ziggurat Gaussian) through a gsl_rng that lives on the stack and points
 * at our own xoshiro256** state, so sampling allocates nothing, cannot
 * fail once the parameters are checked, and never reaches GSL's error
 * handler. The joint tier / preferred-method law is solved in closed form
 * by fsn_attr_params_fit_pref; docs/ATTRIBUTES.md has the derivation.
 */
#include "fission/attrs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* Tolerance on a sum of shares. */
#define SUM_TOL 1e-9
/* Largest activity_sigma: exp(4 z) stays far inside float range. */
#define ACTIVITY_SIGMA_MAX 4.0

/* Purpose tags of the substreams, one per attribute ("attr" + index). */
#define STREAM_TIER UINT64_C(0x6174747200000001)
#define STREAM_PAY UINT64_C(0x6174747200000002)
#define STREAM_AGE UINT64_C(0x6174747200000003)
#define STREAM_STICKINESS UINT64_C(0x6174747200000004)
#define STREAM_DISCOUNT UINT64_C(0x6174747200000005)
#define STREAM_PRICE UINT64_C(0x6174747200000006)
#define STREAM_ACTIVITY UINT64_C(0x6174747200000007)

/* ---- names --------------------------------------------------------- */

static const char *const pay_names[FSN_PAY_COUNT] = {"wechat", "alipay", "unionpay"};
static const char *const tier_names[FSN_TIER_COUNT] = {"tier1", "tier2", "tier3+"};
static const char *const age_names[FSN_AGE_COUNT] = {"18-24", "25-34", "35-44", "45+"};

const char *fsn_pay_name(int m) {
    return m >= 0 && m < FSN_PAY_COUNT ? pay_names[m] : "unknown";
}
const char *fsn_tier_name(int t) {
    return t >= 0 && t < FSN_TIER_COUNT ? tier_names[t] : "unknown";
}
const char *fsn_age_name(int a) {
    return a >= 0 && a < FSN_AGE_COUNT ? age_names[a] : "unknown";
}

static int parse_name(const char *name, const char *const *names, int k) {
    if (!name) return -1;
    for (int i = 0; i < k; i++)
        if (strcmp(name, names[i]) == 0) return i;
    return -1;
}

int fsn_pay_parse(const char *name) {
    return parse_name(name, pay_names, FSN_PAY_COUNT);
}
int fsn_tier_parse(const char *name) {
    return parse_name(name, tier_names, FSN_TIER_COUNT);
}
int fsn_age_parse(const char *name) {
    return parse_name(name, age_names, FSN_AGE_COUNT);
}

/* ---- parameters ---------------------------------------------------- */

void fsn_attr_params_default(fsn_attr_params_t *p) {
    FSN_REQUIRE(p);
    memset(p, 0, sizeof *p);

    /* Assumed overall split: lower tiers a majority, yet below the 62%
     * they hold among WeChat Pay users, so that WeChat Pay leans towards
     * them as the article says. */
    p->tier_share[FSN_TIER_1] = 0.15;
    p->tier_share[FSN_TIER_2] = 0.30;
    p->tier_share[FSN_TIER_3PLUS] = 0.55;

    /* T2 text: 68% of new users from WeChat links are 35+ (soft). */
    p->age_share[FSN_AGE_18_24] = 0.12;
    p->age_share[FSN_AGE_25_34] = 0.20;
    p->age_share[FSN_AGE_35_44] = 0.33;
    p->age_share[FSN_AGE_45_PLUS] = 0.35;

    /* T1 penetration and T1 text (62% of WeChat Pay users are tier 3+).
     * Feasible for the tier shares above, so this cannot fail. */
    static const double penetration[FSN_PAY_COUNT] = {0.42, 0.53, 0.05};
    fsn_err_t rc = fsn_attr_params_fit_pref(p, penetration, 0.62, NULL);
    FSN_REQUIRE(rc == FSN_OK);
    (void)rc;

    p->bind_extra[FSN_PAY_WECHAT] = 0.85;
    p->bind_extra[FSN_PAY_ALIPAY] = 0.70;
    p->bind_extra[FSN_PAY_UNIONPAY] = 0.15;

    /* T6, by preferred method; UnionPay has no figure and gets the
     * penetration-weighted mean of the other two. */
    const double w = penetration[FSN_PAY_WECHAT], a = penetration[FSN_PAY_ALIPAY];
    p->stickiness_mean[FSN_PAY_WECHAT] = 0.68;
    p->stickiness_mean[FSN_PAY_ALIPAY] = 0.82;
    p->stickiness_mean[FSN_PAY_UNIONPAY] = (w * 0.68 + a * 0.82) / (w + a);
    p->stickiness_dispersion = 0.2;
    p->discount_mean[FSN_PAY_WECHAT] = 0.32;
    p->discount_mean[FSN_PAY_ALIPAY] = 0.47;
    p->discount_mean[FSN_PAY_UNIONPAY] = (w * 0.32 + a * 0.47) / (w + a);
    p->discount_dispersion = 0.2;

    p->price_sens_mean[FSN_TIER_1] = 0.35;
    p->price_sens_mean[FSN_TIER_2] = 0.45;
    p->price_sens_mean[FSN_TIER_3PLUS] = 0.55;
    p->price_sens_dispersion = 0.15;

    p->activity_sigma = 1.0;
}

static int in_unit(double x) {
    return x >= 0.0 && x <= 1.0;
} /* false for NaN */

static fsn_err_t check_unit(double x, const char *field, fsn_error_t *err) {
    if (in_unit(x)) return FSN_OK;
    return fsn_error_set(err, FSN_EINVAL, "attrs: %s = %g, expected a value in [0, 1]", field, x);
}

/* k shares, each in [0, 1], summing to 1 within SUM_TOL. */
static fsn_err_t check_shares(const double *x, int k, const char *field, fsn_error_t *err) {
    char name[64];
    double sum = 0.0;
    for (int i = 0; i < k; i++) {
        snprintf(name, sizeof name, "%s[%d]", field, i);
        fsn_err_t rc = check_unit(x[i], name, err);
        if (rc) return rc;
        sum += x[i];
    }
    if (fabs(sum - 1.0) > SUM_TOL)
        return fsn_error_set(err, FSN_EINVAL, "attrs: %s sums to %.17g, expected 1 (within 1e-9)",
                             field, sum);
    return FSN_OK;
}

static fsn_err_t check_unit_array(const double *x, int k, const char *field, fsn_error_t *err) {
    char name[64];
    for (int i = 0; i < k; i++) {
        snprintf(name, sizeof name, "%s[%d]", field, i);
        fsn_err_t rc = check_unit(x[i], name, err);
        if (rc) return rc;
    }
    return FSN_OK;
}

fsn_err_t fsn_attr_params_check(const fsn_attr_params_t *p, fsn_error_t *err) {
    FSN_REQUIRE(p);
    fsn_err_t rc;
    if ((rc = check_shares(p->tier_share, FSN_TIER_COUNT, "tier_share", err))) return rc;
    if ((rc = check_shares(p->age_share, FSN_AGE_COUNT, "age_share", err))) return rc;
    for (int t = 0; t < FSN_TIER_COUNT; t++) {
        char name[64];
        snprintf(name, sizeof name, "pref_by_tier[%d]", t);
        if ((rc = check_shares(p->pref_by_tier[t], FSN_PAY_COUNT, name, err))) return rc;
    }
    if ((rc = check_unit_array(p->bind_extra, FSN_PAY_COUNT, "bind_extra", err))) return rc;
    if ((rc = check_unit_array(p->stickiness_mean, FSN_PAY_COUNT, "stickiness_mean", err)))
        return rc;
    if ((rc = check_unit(p->stickiness_dispersion, "stickiness_dispersion", err))) return rc;
    if ((rc = check_unit_array(p->discount_mean, FSN_PAY_COUNT, "discount_mean", err))) return rc;
    if ((rc = check_unit(p->discount_dispersion, "discount_dispersion", err))) return rc;
    if ((rc = check_unit_array(p->price_sens_mean, FSN_TIER_COUNT, "price_sens_mean", err)))
        return rc;
    if ((rc = check_unit(p->price_sens_dispersion, "price_sens_dispersion", err))) return rc;
    if (!(p->activity_sigma >= 0.0 && p->activity_sigma <= ACTIVITY_SIGMA_MAX))
        return fsn_error_set(err, FSN_EINVAL,
                             "attrs: activity_sigma = %g, expected a value in [0, %g]",
                             p->activity_sigma, ACTIVITY_SIGMA_MAX);
    return FSN_OK;
}

/* A probability computed from shares may overshoot 1 (or 0) by rounding. */
static double snap_unit(double x) {
    if (x > 1.0 && x <= 1.0 + SUM_TOL) return 1.0;
    if (x < 0.0 && x >= -SUM_TOL) return 0.0;
    return x;
}

fsn_err_t fsn_attr_params_fit_pref(fsn_attr_params_t *p, const double pref_share[FSN_PAY_COUNT],
                                   double low_tier_given_wechat, fsn_error_t *err) {
    FSN_REQUIRE(p && pref_share);
    fsn_err_t rc;
    if ((rc = check_shares(p->tier_share, FSN_TIER_COUNT, "tier_share", err))) return rc;
    if ((rc = check_shares(pref_share, FSN_PAY_COUNT, "pref_share", err))) return rc;
    if ((rc = check_unit(low_tier_given_wechat, "low_tier_given_wechat", err))) return rc;

    const double sw = pref_share[FSN_PAY_WECHAT];
    const double low = low_tier_given_wechat;
    const double share_low = p->tier_share[FSN_TIER_3PLUS];
    const double share_high = p->tier_share[FSN_TIER_1] + p->tier_share[FSN_TIER_2];
    double others = 0.0; /* share of users not preferring WeChat Pay */
    for (int m = 0; m < FSN_PAY_COUNT; m++)
        if (m != FSN_PAY_WECHAT) others += pref_share[m];

    /* P(W | tier) for the low tiers and for tiers 1 and 2. A tier group
     * with no users takes the marginal share (any row would do). */
    double w_low = sw, w_high = sw;
    if (share_low > 0.0)
        w_low = snap_unit(low * sw / share_low);
    else if (low * sw > 0.0)
        return fsn_error_set(err, FSN_EINVAL,
                             "attrs: low_tier_given_wechat = %g cannot be met: tier_share[%d] is 0",
                             low, FSN_TIER_3PLUS);
    if (share_high > 0.0)
        w_high = snap_unit((1.0 - low) * sw / share_high);
    else if ((1.0 - low) * sw > 0.0)
        return fsn_error_set(err, FSN_EINVAL,
                             "attrs: low_tier_given_wechat = %g cannot be met: tier_share[0] and "
                             "tier_share[1] are 0, so it must be 1",
                             low);
    if (w_low > 1.0)
        return fsn_error_set(
            err, FSN_EINVAL,
            "attrs: low_tier_given_wechat = %g cannot be met: it puts %g of users "
            "preferring WeChat Pay in tier 3+, which holds only tier_share[%d] = %g",
            low, low * sw, FSN_TIER_3PLUS, share_low);
    if (w_high > 1.0)
        return fsn_error_set(err, FSN_EINVAL,
                             "attrs: low_tier_given_wechat = %g cannot be met: it puts %g of users "
                             "preferring WeChat Pay in tiers 1 and 2, which hold only %g",
                             low, (1.0 - low) * sw, share_high);
    if (others <= 0.0 && ((share_low > 0.0 && w_low < 1.0) || (share_high > 0.0 && w_high < 1.0)))
        return fsn_error_set(err, FSN_EINVAL,
                             "attrs: low_tier_given_wechat = %g cannot be met: with every user "
                             "preferring WeChat Pay it must equal tier_share[%d] = %g",
                             low, FSN_TIER_3PLUS, share_low);

    double table[FSN_TIER_COUNT][FSN_PAY_COUNT];
    for (int t = 0; t < FSN_TIER_COUNT; t++) {
        const double wt = t == FSN_TIER_3PLUS ? w_low : w_high;
        for (int m = 0; m < FSN_PAY_COUNT; m++) {
            if (m == FSN_PAY_WECHAT)
                table[t][m] = wt;
            else
                table[t][m] = others > 0.0 ? (1.0 - wt) * pref_share[m] / others : 0.0;
        }
    }
    memcpy(p->pref_by_tier, table, sizeof table);
    return FSN_OK;
}

/* ---- users --------------------------------------------------------- */

fsn_err_t fsn_users_init(fsn_users_t *u, uint32_t n, fsn_error_t *err) {
    FSN_REQUIRE(u);
    memset(u, 0, sizeof *u);
    if (n == 0) return FSN_OK;
    u->n = n;
    u->tier = calloc(n, 1);
    u->age = calloc(n, 1);
    u->bound = calloc(n, 1);
    u->pref = calloc(n, 1);
    u->stickiness = calloc(n, sizeof(float));
    u->discount_sens = calloc(n, sizeof(float));
    u->price_sens = calloc(n, sizeof(float));
    u->activity = calloc(n, sizeof(float));
    if (!u->tier || !u->age || !u->bound || !u->pref || !u->stickiness || !u->discount_sens ||
        !u->price_sens || !u->activity) {
        fsn_users_destroy(u);
        return fsn_error_set(err, FSN_ENOMEM, "attrs: cannot allocate attributes of %u users",
                             (unsigned)n);
    }
    return FSN_OK;
}

void fsn_users_destroy(fsn_users_t *u) {
    if (!u) return;
    free(u->tier);
    free(u->age);
    free(u->bound);
    free(u->pref);
    free(u->stickiness);
    free(u->discount_sens);
    free(u->price_sens);
    free(u->activity);
    memset(u, 0, sizeof *u);
}

size_t fsn_users_bytes(const fsn_users_t *u) {
    FSN_REQUIRE(u);
    return (size_t)u->n * (4 * sizeof(uint8_t) + 4 * sizeof(float));
}

/* Index drawn with probabilities share[0..k-1] (summing to 1) from one
 * uniform. Rounding leftovers go to the last category with a positive
 * share, so a category with share 0 is never drawn. */
static uint8_t draw_category(fsn_rng_t *r, const double *share, int k) {
    double x = fsn_rng_uniform(r);
    int last = 0;
    for (int i = 0; i < k; i++) {
        if (share[i] <= 0.0) continue;
        if (x < share[i]) return (uint8_t)i;
        x -= share[i];
        last = i;
    }
    return (uint8_t)last;
}

/* A probability with mean mu and dispersion phi (Var = phi mu (1 - mu)). */
typedef struct beta_law {
    double mu, a, b;
    int kind; /* 0: constant mu, 1: Bernoulli(mu), 2: Beta(a, b) */
} beta_law_t;

static beta_law_t beta_law(double mu, double phi) {
    beta_law_t L = {mu, 0.0, 0.0, 0};
    if (phi <= 0.0 || mu <= 0.0 || mu >= 1.0) return L;
    if (phi >= 1.0) {
        L.kind = 1;
        return L;
    }
    const double k = 1.0 / phi - 1.0;
    L.a = mu * k;
    L.b = (1.0 - mu) * k;
    L.kind = 2;
    return L;
}

static float beta_draw(gsl_rng *g, const beta_law_t *L) {
    switch (L->kind) {
    case 1:
        return gsl_rng_uniform(g) < L->mu ? 1.0f : 0.0f;
    case 2:
        return (float)gsl_ran_beta(g, L->a, L->b);
    default:
        return (float)L->mu;
    }
}

fsn_err_t fsn_users_sample(fsn_users_t *u, const fsn_attr_params_t *p, fsn_rng_t *rng,
                           fsn_error_t *err) {
    FSN_REQUIRE(u && p && rng);
    fsn_err_t rc = fsn_attr_params_check(p, err);
    if (rc) return rc;
    const uint32_t n = u->n;

    fsn_rng_t r;
    /* A gsl_rng over r's state, so gsl_ran_* draw from the same stream
     * as the inline samplers without allocation. */
    gsl_rng g = {fsn_rng_xoshiro256ss, &r};

    fsn_rng_substream(&r, rng, STREAM_TIER);
    for (uint32_t i = 0; i < n; i++)
        u->tier[i] = draw_category(&r, p->tier_share, FSN_TIER_COUNT);

    /* Preferred method given the tier, then one uniform per method for
     * the extra bindings (drawn for the preferred one too, and ignored,
     * so the stream advances four draws per user whatever was drawn). */
    fsn_rng_substream(&r, rng, STREAM_PAY);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t m = draw_category(&r, p->pref_by_tier[u->tier[i]], FSN_PAY_COUNT);
        uint8_t mask = FSN_PAY_BIT(m);
        for (int k = 0; k < FSN_PAY_COUNT; k++) {
            const double x = fsn_rng_uniform(&r);
            if (k != m && x < p->bind_extra[k]) mask |= FSN_PAY_BIT(k);
        }
        u->pref[i] = m;
        u->bound[i] = mask;
    }

    fsn_rng_substream(&r, rng, STREAM_AGE);
    for (uint32_t i = 0; i < n; i++)
        u->age[i] = draw_category(&r, p->age_share, FSN_AGE_COUNT);

    beta_law_t stick[FSN_PAY_COUNT], disc[FSN_PAY_COUNT], price[FSN_TIER_COUNT];
    for (int m = 0; m < FSN_PAY_COUNT; m++) {
        stick[m] = beta_law(p->stickiness_mean[m], p->stickiness_dispersion);
        disc[m] = beta_law(p->discount_mean[m], p->discount_dispersion);
    }
    for (int t = 0; t < FSN_TIER_COUNT; t++)
        price[t] = beta_law(p->price_sens_mean[t], p->price_sens_dispersion);

    fsn_rng_substream(&r, rng, STREAM_STICKINESS);
    for (uint32_t i = 0; i < n; i++)
        u->stickiness[i] = beta_draw(&g, &stick[u->pref[i]]);

    fsn_rng_substream(&r, rng, STREAM_DISCOUNT);
    for (uint32_t i = 0; i < n; i++)
        u->discount_sens[i] = beta_draw(&g, &disc[u->pref[i]]);

    fsn_rng_substream(&r, rng, STREAM_PRICE);
    for (uint32_t i = 0; i < n; i++)
        u->price_sens[i] = beta_draw(&g, &price[u->tier[i]]);

    /* Lognormal with mean 1: exp(sigma Z - sigma^2 / 2). */
    const double sigma = p->activity_sigma, shift = -0.5 * sigma * sigma;
    fsn_rng_substream(&r, rng, STREAM_ACTIVITY);
    for (uint32_t i = 0; i < n; i++)
        u->activity[i] =
            sigma > 0.0 ? (float)exp(gsl_ran_gaussian_ziggurat(&g, sigma) + shift) : 1.0f;

    (void)fsn_rng_next(rng);
    return FSN_OK;
}

/* ---- summary ------------------------------------------------------- */

static double ratio(double num, double den) {
    return den > 0.0 ? num / den : NAN;
}

static int float_in_unit(float x) {
    return x >= 0.0f && x <= 1.0f;
}

fsn_err_t fsn_users_summary(const fsn_users_t *u, fsn_users_summary_t *s, fsn_error_t *err) {
    FSN_REQUIRE(u && s);
    memset(s, 0, sizeof *s);
    const uint32_t n = u->n;
    uint64_t joint[FSN_PAY_COUNT][FSN_TIER_COUNT] = {{0}};
    uint64_t bound[FSN_PAY_COUNT] = {0}, multi = 0;
    double stick[FSN_PAY_COUNT] = {0}, disc[FSN_PAY_COUNT] = {0}, price[FSN_TIER_COUNT] = {0};
    double activity = 0.0;

    for (uint32_t i = 0; i < n; i++) {
        const unsigned t = u->tier[i], a = u->age[i], m = u->pref[i], b = u->bound[i];
        if (t >= FSN_TIER_COUNT)
            return fsn_error_set(err, FSN_EINVAL, "attrs: user %u: tier = %u, expected < %d",
                                 (unsigned)i, t, FSN_TIER_COUNT);
        if (a >= FSN_AGE_COUNT)
            return fsn_error_set(err, FSN_EINVAL, "attrs: user %u: age = %u, expected < %d",
                                 (unsigned)i, a, FSN_AGE_COUNT);
        if (m >= FSN_PAY_COUNT)
            return fsn_error_set(err, FSN_EINVAL, "attrs: user %u: pref = %u, expected < %d",
                                 (unsigned)i, m, FSN_PAY_COUNT);
        if ((b & ~(unsigned)FSN_PAY_MASK_ALL) || !(b & FSN_PAY_BIT(m)))
            return fsn_error_set(err, FSN_EINVAL,
                                 "attrs: user %u: bound = 0x%x, expected a subset of 0x%x holding "
                                 "the preferred method %s",
                                 (unsigned)i, b, (unsigned)FSN_PAY_MASK_ALL, fsn_pay_name((int)m));
        const float fs = u->stickiness[i], fd = u->discount_sens[i], fp = u->price_sens[i];
        const float fa = u->activity[i];
        if (!float_in_unit(fs) || !float_in_unit(fd) || !float_in_unit(fp))
            return fsn_error_set(err, FSN_EINVAL,
                                 "attrs: user %u: stickiness %g, discount_sens %g, price_sens %g, "
                                 "expected each in [0, 1]",
                                 (unsigned)i, (double)fs, (double)fd, (double)fp);
        if (!(fa >= 0.0f) || isinf(fa))
            return fsn_error_set(err, FSN_EINVAL,
                                 "attrs: user %u: activity = %g, expected a finite value >= 0",
                                 (unsigned)i, (double)fa);
        s->count_tier[t]++;
        s->count_age[a]++;
        s->count_pref[m]++;
        joint[m][t]++;
        int nb = 0;
        for (int k = 0; k < FSN_PAY_COUNT; k++)
            if (b & FSN_PAY_BIT(k)) {
                bound[k]++;
                nb++;
            }
        multi += nb >= 2;
        stick[m] += fs;
        disc[m] += fd;
        price[t] += fp;
        activity += fa;
    }

    s->n = n;
    const double dn = (double)n;
    double stick_all = 0.0, disc_all = 0.0, price_all = 0.0;
    for (int t = 0; t < FSN_TIER_COUNT; t++) {
        s->tier_share[t] = ratio(s->count_tier[t], dn);
        s->price_sens_by_tier[t] = ratio(price[t], s->count_tier[t]);
        price_all += price[t];
    }
    for (int a = 0; a < FSN_AGE_COUNT; a++)
        s->age_share[a] = ratio(s->count_age[a], dn);
    s->age_35_plus_share =
        ratio((double)s->count_age[FSN_AGE_35_44] + s->count_age[FSN_AGE_45_PLUS], dn);
    s->mean_bound = 0.0;
    for (int m = 0; m < FSN_PAY_COUNT; m++) {
        s->pref_share[m] = ratio(s->count_pref[m], dn);
        for (int t = 0; t < FSN_TIER_COUNT; t++)
            s->tier_given_pref[m][t] = ratio((double)joint[m][t], s->count_pref[m]);
        s->bound_share[m] = ratio((double)bound[m], dn);
        s->mean_bound += s->bound_share[m];
        s->stickiness_by_pref[m] = ratio(stick[m], s->count_pref[m]);
        s->discount_by_pref[m] = ratio(disc[m], s->count_pref[m]);
        stick_all += stick[m];
        disc_all += disc[m];
    }
    s->low_tier_given_wechat = s->tier_given_pref[FSN_PAY_WECHAT][FSN_TIER_3PLUS];
    s->multi_bound_share = ratio((double)multi, dn);
    s->stickiness_mean = ratio(stick_all, dn);
    s->discount_mean = ratio(disc_all, dn);
    s->price_sens_mean = ratio(price_all, dn);
    s->activity_mean = ratio(activity, dn);
    return FSN_OK;
}

fsn_err_t fsn_attr_params_expect(const fsn_attr_params_t *p, fsn_users_summary_t *s,
                                 fsn_error_t *err) {
    FSN_REQUIRE(p && s);
    fsn_err_t rc = fsn_attr_params_check(p, err);
    if (rc) return rc;
    memset(s, 0, sizeof *s);

    for (int t = 0; t < FSN_TIER_COUNT; t++)
        s->tier_share[t] = p->tier_share[t];
    for (int a = 0; a < FSN_AGE_COUNT; a++)
        s->age_share[a] = p->age_share[a];
    s->age_35_plus_share = p->age_share[FSN_AGE_35_44] + p->age_share[FSN_AGE_45_PLUS];

    for (int m = 0; m < FSN_PAY_COUNT; m++) {
        double sm = 0.0;
        for (int t = 0; t < FSN_TIER_COUNT; t++)
            sm += p->tier_share[t] * p->pref_by_tier[t][m];
        s->pref_share[m] = sm;
        for (int t = 0; t < FSN_TIER_COUNT; t++)
            s->tier_given_pref[m][t] = ratio(p->tier_share[t] * p->pref_by_tier[t][m], sm);
        /* Bound if preferred, else with probability bind_extra[m]. */
        s->bound_share[m] = sm + (1.0 - sm) * p->bind_extra[m];
        s->stickiness_by_pref[m] = sm > 0.0 ? p->stickiness_mean[m] : NAN;
        s->discount_by_pref[m] = sm > 0.0 ? p->discount_mean[m] : NAN;
        s->stickiness_mean += sm * p->stickiness_mean[m];
        s->discount_mean += sm * p->discount_mean[m];
    }
    s->low_tier_given_wechat = s->tier_given_pref[FSN_PAY_WECHAT][FSN_TIER_3PLUS];

    /* A user preferring m binds a second method unless every other one
     * is left out. */
    s->multi_bound_share = 0.0;
    s->mean_bound = 0.0;
    for (int m = 0; m < FSN_PAY_COUNT; m++) {
        double none = 1.0;
        for (int k = 0; k < FSN_PAY_COUNT; k++)
            if (k != m) none *= 1.0 - p->bind_extra[k];
        s->multi_bound_share += s->pref_share[m] * (1.0 - none);
        s->mean_bound += s->bound_share[m];
    }

    for (int t = 0; t < FSN_TIER_COUNT; t++) {
        s->price_sens_by_tier[t] = p->tier_share[t] > 0.0 ? p->price_sens_mean[t] : NAN;
        s->price_sens_mean += p->tier_share[t] * p->price_sens_mean[t];
    }
    s->activity_mean = 1.0;
    return FSN_OK;
}
