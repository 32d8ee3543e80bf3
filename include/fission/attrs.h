/*
 * attrs.h: the attributes users carry, the whole API.
 *
 * Every user of a simulated graph has a city tier, an age band, the
 * payment methods bound to the account, a preferred method, and four
 * per-user numbers the models read: payment-habit stickiness, payment
 * discount sensitivity, price sensitivity and an activity multiplier.
 * They are sampled once per replicate from distributions whose
 * parameters sit in one plain struct (fsn_attr_params_t), with defaults
 * taken from the article (docs/ATTRIBUTES.md gives each figure and how
 * each default follows from it).
 *
 * The article reports a conditional figure, not a marginal one: 62% of
 * WeChat Pay users live in tier-3-and-below cities. So tier and preferred
 * method are specified jointly: overall tier shares plus, per tier, the
 * distribution of the preferred method. fsn_attr_params_fit_pref solves
 * that table from the figures the article does give (the penetration of
 * each method and the 62%), and the defaults are its solution, so the
 * article's numbers are properties of the joint law rather than of one
 * field. fsn_attr_params_expect states every share the law implies, and
 * fsn_users_summary measures the same shares on a sampled population, so
 * a test or the CLI compares like with like.
 *
 * Users are held as a structure of arrays (fsn_users_t): a model that
 * reads only activity touches only that array. 20 bytes per user.
 *
 * Sampling is a pure function of the caller's stream: each attribute is
 * drawn from its own substream of the stream's state at entry, so
 * changing one attribute's parameters leaves the draws of the others
 * unchanged, and the same seed gives byte-identical arrays.
 */
#ifndef FISSION_ATTRS_H
#define FISSION_ATTRS_H

#include <stddef.h>
#include <stdint.h>

#include "fission/error.h"
#include "fission/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Categories                                                         */
/* ------------------------------------------------------------------ */

/* Payment method. Values are the indices of every per-method array. */
typedef enum fsn_pay {
    FSN_PAY_WECHAT = 0,    /* WeChat Pay */
    FSN_PAY_ALIPAY = 1,    /* Alipay */
    FSN_PAY_UNIONPAY = 2,  /* UnionPay QuickPass */
    FSN_PAY_COUNT = 3
} fsn_pay_t;

/* The bit of method m in a bound-methods mask. */
#define FSN_PAY_BIT(m) ((uint8_t)(1u << (m)))
#define FSN_PAY_MASK_ALL ((uint8_t)((1u << FSN_PAY_COUNT) - 1u))

/* City tier, as the article groups it: 1, 2, and 3-and-below. */
typedef enum fsn_tier {
    FSN_TIER_1 = 0,
    FSN_TIER_2 = 1,
    FSN_TIER_3PLUS = 2,    /* tier 3, 4, 5 cities, counties and towns */
    FSN_TIER_COUNT = 3
} fsn_tier_t;

/* Age band (account holders are adults: the first band starts at 18). */
typedef enum fsn_age {
    FSN_AGE_18_24 = 0,
    FSN_AGE_25_34 = 1,
    FSN_AGE_35_44 = 2,
    FSN_AGE_45_PLUS = 3,
    FSN_AGE_COUNT = 4
} fsn_age_t;

/* Short names: "wechat", "alipay", "unionpay"; "tier1", "tier2",
 * "tier3+"; "18-24", "25-34", "35-44", "45+". "unknown" out of range.
 * The strings are static. O(1). */
const char *fsn_pay_name(int m);
const char *fsn_tier_name(int t);
const char *fsn_age_name(int a);

/* Inverse of the name functions (exact, case-sensitive match);
 * -1 if the name is unknown or NULL. O(1). */
int fsn_pay_parse(const char *name);
int fsn_tier_parse(const char *name);
int fsn_age_parse(const char *name);

/* ------------------------------------------------------------------ */
/* Parameters                                                         */
/* ------------------------------------------------------------------ */

/*
 * Every distribution parameter. All are plain numbers a scenario file
 * can set field by field; fsn_attr_params_check says which is wrong.
 *
 * The three per-user probabilities (stickiness, discount sensitivity,
 * price sensitivity) are Beta-distributed with a given mean mu and a
 * dispersion phi in [0, 1]: Var = phi * mu * (1 - mu). phi = 0 gives
 * every user exactly mu; phi = 1 gives each user 0 or 1 (a flag, 1 with
 * probability mu); in between Beta(mu k, (1 - mu) k) with k = 1/phi - 1.
 * The population mean is mu whatever phi is.
 */
typedef struct fsn_attr_params {
    /* Share of users in each tier; each in [0, 1], sum 1 (+-1e-9). */
    double tier_share[FSN_TIER_COUNT];
    /* Share of users in each age band; each in [0, 1], sum 1 (+-1e-9). */
    double age_share[FSN_AGE_COUNT];
    /* P(preferred method = m | tier = t), row t; each row in [0, 1] and
     * summing to 1 (+-1e-9). Defaults from fsn_attr_params_fit_pref. */
    double pref_by_tier[FSN_TIER_COUNT][FSN_PAY_COUNT];
    /* P(method m is bound | m is not the preferred one), in [0, 1]. The
     * preferred method is always bound. */
    double bind_extra[FSN_PAY_COUNT];
    /* Mean probability, by preferred method, that a user pays online
     * with the preferred method (habit stickiness), in [0, 1]; and its
     * dispersion in [0, 1]. */
    double stickiness_mean[FSN_PAY_COUNT];
    double stickiness_dispersion;
    /* Mean probability, by preferred method, that a payment discount
     * moves the user (discount sensitivity), in [0, 1]; dispersion. */
    double discount_mean[FSN_PAY_COUNT];
    double discount_dispersion;
    /* Mean price sensitivity by tier, in [0, 1] (0: indifferent to
     * price, 1: buys only on price); dispersion. */
    double price_sens_mean[FSN_TIER_COUNT];
    double price_sens_dispersion;
    /* Activity: a dimensionless multiplier of every rate at which the
     * user acts, lognormal with mean exactly 1 and log-scale standard
     * deviation activity_sigma in [0, 4] (0: everyone 1). */
    double activity_sigma;
} fsn_attr_params_t;

/*
 * The article's defaults (docs/ATTRIBUTES.md derives each one):
 * tier shares 0.15 / 0.30 / 0.55 (assumed); preferred method solved by
 * fsn_attr_params_fit_pref for penetration 0.42 / 0.53 / 0.05 (T1) and
 * P(tier 3+ | WeChat Pay) = 0.62 (T1 text); age 0.12 / 0.20 / 0.33 / 0.35
 * so that 68% are 35+ (T2 text, a soft default); bind_extra 0.85 / 0.70 /
 * 0.15 (assumed); stickiness means 0.68 / 0.82 / 0.758 and discount means
 * 0.32 / 0.47 / 0.404 (T6; UnionPay the penetration-weighted mean of the
 * other two), dispersion 0.2; price sensitivity 0.35 / 0.45 / 0.55,
 * dispersion 0.15 (assumed); activity_sigma 1. Never fails. O(1).
 */
void fsn_attr_params_default(fsn_attr_params_t *p);

/*
 * Check every field. On the first bad one returns FSN_EINVAL and writes
 * the field's name, its value and the expected range into err, e.g.
 * "attrs: tier_share[1] = 1.5, expected a value in [0, 1]" or
 * "attrs: pref_by_tier[2] sums to 1.1, expected 1 (within 1e-9)".
 * NaN is rejected everywhere. O(1).
 */
fsn_err_t fsn_attr_params_check(const fsn_attr_params_t *p, fsn_error_t *err);

/*
 * Fill p->pref_by_tier from figures of the article's kind, keeping
 * p->tier_share as it is: the marginal share of each preferred method
 * (pref_share, summing to 1) and the share of tier-3+ users among those
 * preferring WeChat Pay (low_tier_given_wechat). The solution:
 *   P(W | 3+)   = low * s_W / tier_share[3+]
 *   P(W | 1)    = P(W | 2) = (1 - low) * s_W / (tier_share[1] + tier_share[2])
 *   P(m | t)    = (1 - P(W | t)) * s_m / (1 - s_W)     for m != W
 * WeChat Pay is spread evenly over tiers 1 and 2, and the other methods
 * share what WeChat Pay leaves in every tier in their overall proportion:
 * the least structure that meets the figures. Errors (FSN_EINVAL, p left
 * unchanged): a bad share, or figures no table can meet (a probability
 * above 1, or WeChat Pay users in a tier with no users); the message names
 * the argument. O(1).
 */
fsn_err_t fsn_attr_params_fit_pref(fsn_attr_params_t *p, const double pref_share[FSN_PAY_COUNT],
                                   double low_tier_given_wechat, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Users                                                              */
/* ------------------------------------------------------------------ */

/* One entry per user in each array, indexed by user id (fsn_vid_t). */
typedef struct fsn_users {
    uint32_t n;
    uint8_t *tier;         /* fsn_tier_t */
    uint8_t *age;          /* fsn_age_t */
    uint8_t *bound;        /* mask of FSN_PAY_BIT(m); always holds pref */
    uint8_t *pref;         /* fsn_pay_t */
    float *stickiness;     /* P(pays online with pref), [0, 1] */
    float *discount_sens;  /* P(a payment discount moves the user), [0, 1] */
    float *price_sens;     /* price sensitivity, [0, 1] */
    float *activity;       /* rate multiplier, > 0, population mean 1 */
} fsn_users_t;

/*
 * Allocate the arrays for n users (zero-filled; n = 0 allocates nothing
 * and leaves the pointers NULL). The caller owns u and frees it with
 * fsn_users_destroy. Errors: FSN_ENOMEM (u left zeroed). O(n).
 */
fsn_err_t fsn_users_init(fsn_users_t *u, uint32_t n, fsn_error_t *err);

/* Free the arrays and zero u. NULL and a zeroed u are accepted. */
void fsn_users_destroy(fsn_users_t *u);

/* Bytes the arrays hold: 20 per user. O(1). */
size_t fsn_users_bytes(const fsn_users_t *u);

/*
 * Sample every user's attributes from p. Each attribute is drawn from a
 * substream (fsn_rng_substream) of rng's state at entry, one per
 * attribute; afterwards rng is advanced by exactly one draw, so two
 * calls in a row give two different populations. The same rng state and
 * p give byte-identical arrays on every platform with IEEE doubles.
 * Order of the draws: tier, then the preferred method given the tier,
 * then the other bound methods, then age, stickiness and discount
 * sensitivity given the preferred method, price sensitivity given the
 * tier, activity. Age and activity are independent of the rest.
 * u must have been set up by fsn_users_init; its n users are all
 * overwritten. Errors: FSN_EINVAL from fsn_attr_params_check (u and rng
 * untouched); nothing else can fail (no allocation). Cost: O(n) time,
 * about ten draws per user; O(1) extra memory.
 */
fsn_err_t fsn_users_sample(fsn_users_t *u, const fsn_attr_params_t *p, fsn_rng_t *rng,
                           fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Summary                                                            */
/* ------------------------------------------------------------------ */

/*
 * Shares and means of a population, measured (fsn_users_summary) or
 * implied by parameters (fsn_attr_params_expect). A ratio whose
 * denominator is empty (no user, or no user in the conditioning group)
 * is NaN.
 */
typedef struct fsn_users_summary {
    uint32_t n;                                    /* users (0 when expected) */
    uint32_t count_tier[FSN_TIER_COUNT];           /* (counts 0 when expected) */
    uint32_t count_age[FSN_AGE_COUNT];
    uint32_t count_pref[FSN_PAY_COUNT];
    double tier_share[FSN_TIER_COUNT];
    double age_share[FSN_AGE_COUNT];
    double age_35_plus_share;                      /* the article's 68% (T2) */
    double pref_share[FSN_PAY_COUNT];              /* the article's penetration (T1) */
    double tier_given_pref[FSN_PAY_COUNT][FSN_TIER_COUNT]; /* P(tier t | pref m) */
    double low_tier_given_wechat;                  /* P(tier 3+ | pref WeChat): 62% (T1) */
    double bound_share[FSN_PAY_COUNT];             /* share of users binding m */
    double multi_bound_share;                      /* binding two methods or more */
    double mean_bound;                             /* methods bound per user */
    double stickiness_by_pref[FSN_PAY_COUNT];      /* mean, by pref: 68% / 82% (T6) */
    double discount_by_pref[FSN_PAY_COUNT];        /* mean, by pref: 32% / 47% (T6) */
    double price_sens_by_tier[FSN_TIER_COUNT];     /* mean, by tier */
    double stickiness_mean, discount_mean, price_sens_mean;
    double activity_mean;                          /* 1 when expected */
} fsn_users_summary_t;

/*
 * Measure a sampled population. Errors: FSN_EINVAL if a user holds a
 * code out of range or a preferred method it has not bound (the message
 * names the user and the array); *s is then unspecified. O(n), one pass.
 */
fsn_err_t fsn_users_summary(const fsn_users_t *u, fsn_users_summary_t *s, fsn_error_t *err);

/*
 * The exact expectations of every share and mean of fsn_users_summary
 * under p (n and counts are 0). Errors: FSN_EINVAL from
 * fsn_attr_params_check. O(1).
 */
fsn_err_t fsn_attr_params_expect(const fsn_attr_params_t *p, fsn_users_summary_t *s,
                                 fsn_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_ATTRS_H */
