/*
 * scenario.c: JSON scenario files to validated structs, and back.
 *
 * One table describes every key: its JSON name, its type, where it lives
 * in fsn_scenario_t (an offsetof into the scenario, or into a campaign),
 * its range, unit and meaning. The same table drives four things, so they
 * cannot disagree: parsing with range checks, the normalised scenario
 * (fsn_scenario_to_json), the key reference (docs/SCENARIOS.md,
 * `fission help scenario`) and the "did you mean" suggestions. The graph
 * section is the exception: which keys it takes depends on the
 * generator, so it has its own small table with a mask of generators.
 *
 * Errors are collected into a fsn_diags_t and parsing goes on after one,
 * so a user sees every problem of a file at once. A wrong value leaves
 * the default in place. Cross-field rules (the sharing shares sum to 1,
 * a group price at most the list price, a launch before the horizon, ...)
 * are checked after the keys, with the JSON path of the key at fault.
 * Finally the library's own checks (fsn_attr_params_check,
 * fsn_world_params_check) run as a safety net: if they find something
 * the table missed, that is reported too rather than run.
 *
 * cJSON's parser is reentrant when called with an end pointer, which is
 * how a malformed file gets its line and column; nothing here uses
 * cJSON's global error pointer.
 */
#include "fission/scenario.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fission/sample.h"
#include "fission/seeding.h"
#include "jsonc.h"
#include "text.h"

/* ------------------------------------------------------------------ */
/* Diagnostics                                                        */
/* ------------------------------------------------------------------ */

void fsn_diags_clear(fsn_diags_t *d) {
    if (d) d->count = 0;
}

void fsn_diags_vadd(fsn_diags_t *d, const char *file, const char *path, const char *fmt, va_list ap) {
    if (d->count < FSN_DIAG_MAX) {
        char *m = d->msg[d->count];
        int k = snprintf(m, FSN_ERROR_MSG_MAX, "%s: %s%s", file, path ? path : "", path && *path ? ": " : "");
        if (k < 0) k = 0;
        if ((size_t)k < FSN_ERROR_MSG_MAX) vsnprintf(m + k, FSN_ERROR_MSG_MAX - (size_t)k, fmt, ap);
    }
    d->count++;
}

typedef struct ctx {
    fsn_diags_t *d;
    const char *file;
    int camp_kind;          /* kind of the campaign being parsed, -1 outside */
    char *seed_file;        /* the campaign's seed file buffer */
} ctx_t;

/* "FILE:LINE:COL: message" */
static void diag_at(ctx_t *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void diag_at(ctx_t *c, int line, int col, const char *fmt, ...) {
    if (!c->d) return;
    if (c->d->count < FSN_DIAG_MAX) {
        char *m = c->d->msg[c->d->count];
        int k = snprintf(m, FSN_ERROR_MSG_MAX, "%s:%d:%d: ", c->file, line, col);
        if (k > 0 && (size_t)k < FSN_ERROR_MSG_MAX) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(m + k, FSN_ERROR_MSG_MAX - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    c->d->count++;
}

static void diag(ctx_t *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void diag(ctx_t *c, const char *path, const char *fmt, ...) {
    if (!c->d) return;
    va_list ap;
    va_start(ap, fmt);
    fsn_diags_vadd(c->d, c->file, path, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* The key table                                                      */
/* ------------------------------------------------------------------ */

typedef enum {
    K_NUM,      /* double */
    K_U32,      /* uint32_t, integral */
    K_U64,      /* uint64_t, integral */
    K_BOOL,     /* int 0/1 */
    K_ENUM,     /* int: index in names + base */
    K_STR,      /* char[size] */
    K_MAP,      /* double[n] keyed by names (NULL names are not keys) */
    K_MAP2,     /* double[n][n2] keyed by names then names2 */
    K_MASKS,    /* uint8_t[n] keyed by names, each a list of payment methods */
    K_FEN,      /* int64_t fen, written in CNY */
    K_OBJ,      /* a nested object (sub) */
    K_SEEDFILE  /* the campaign's seed file (ctx->seed_file) */
} ktype_t;

enum { LO_OPEN = 1, HI_OPEN = 2 };

typedef struct keyset keyset_t;
typedef struct key {
    const char *name;
    ktype_t type;
    size_t off;
    double lo, hi;
    unsigned flags;
    const char *const *names;
    int n;              /* names (K_ENUM, K_MAP, K_MAP2, K_MASKS) */
    int base;           /* K_ENUM: value of names[0] */
    const char *const *names2;
    int n2;
    size_t size;        /* K_STR */
    const keyset_t *sub;
    int only;           /* K_OBJ inside a campaign: only for this kind (-1: any) */
    const char *unit, *doc;
} key_t;

struct keyset {
    const key_t *keys;
    size_t n;
};

static const char *const tier_names[] = {"tier1", "tier2", "tier3+"};
static const char *const age_names[] = {"18-24", "25-34", "35-44", "45+"};
static const char *const pay_names[] = {"wechat", "alipay", "unionpay"};
static const char *const disc_names[] = {"none", "wechat", "alipay", "unionpay"};
static const char *const via_names[] = {"private", "group_chat", "moments"};
static const char *const kind_names[] = {"link", "group", "bargain", "redpacket"};
static const char *const channel_names[] = {"mini_program", "app", "wechat_store"};
static const char *const source_names[] = {"wechat_link", "alipay_mini", "short_video", "other"};
static const char *const arrival_names[] = {NULL, "alipay_mini", "short_video", "other"};
static const char *const regime_names[] = {"block", "selective", "ratelimit"};
static const char *const delay_names[] = {"exponential", "lognormal", "gamma", "fixed"};
static const char *const cut_names[] = {"equal", "random", "shrinking"};
static const char *const seed_names[] = {"random", "degree", "pagerank", "kcore", "tier", "file"};
static const char *const ts_names[] = {"none", "mean", "replicates"};

#define SC(f) offsetof(fsn_scenario_t, f)
#define CP(f) offsetof(fsn_campaign_t, f)
#define INF HUGE_VAL
#define NUM(name, off, lo, hi, fl, unit, doc) {name, K_NUM, off, lo, hi, fl, NULL, 0, 0, NULL, 0, 0, NULL, -1, unit, doc}
#define U32(name, off, lo, hi, unit, doc) {name, K_U32, off, lo, hi, 0, NULL, 0, 0, NULL, 0, 0, NULL, -1, unit, doc}
#define U64(name, off, lo, hi, unit, doc) {name, K_U64, off, lo, hi, 0, NULL, 0, 0, NULL, 0, 0, NULL, -1, unit, doc}
#define BOOL(name, off, doc) {name, K_BOOL, off, 0, 1, 0, NULL, 0, 0, NULL, 0, 0, NULL, -1, "true / false", doc}
#define ENUM(name, off, arr, base, doc) {name, K_ENUM, off, 0, 0, 0, arr, (int)(sizeof arr / sizeof *arr), base, NULL, 0, 0, NULL, -1, "name", doc}
#define STR(name, off, size, doc) {name, K_STR, off, 0, 0, 0, NULL, 0, 0, NULL, 0, size, NULL, -1, "text", doc}
#define MAP(name, off, arr, lo, hi, fl, unit, doc) {name, K_MAP, off, lo, hi, fl, arr, (int)(sizeof arr / sizeof *arr), 0, NULL, 0, 0, NULL, -1, unit, doc}
#define MAP2(name, off, arr, arr2, lo, hi, unit, doc) {name, K_MAP2, off, lo, hi, 0, arr, (int)(sizeof arr / sizeof *arr), 0, arr2, (int)(sizeof arr2 / sizeof *arr2), 0, NULL, -1, unit, doc}
#define MASKS(name, off, arr, doc) {name, K_MASKS, off, 0, 0, 0, arr, (int)(sizeof arr / sizeof *arr), 0, NULL, 0, 0, NULL, -1, "list of methods", doc}
#define FEN(name, off, lo, hi, doc) {name, K_FEN, off, lo, hi, 0, NULL, 0, 0, NULL, 0, 0, NULL, -1, "CNY", doc}
#define OBJ(name, ks, only, doc) {name, K_OBJ, 0, 0, 0, 0, NULL, 0, 0, NULL, 0, 0, &ks, only, "object", doc}
#define KS(arr) {arr, sizeof arr / sizeof *arr}

#define B(f) SC(behaviour.f)

static const key_t k_delay[] = {
    ENUM("kind", B(react_delay.kind), delay_names, 0, "distribution of the delay"),
    NUM("mean", B(react_delay.mean), 0, 1e6, 0, "hours", "mean delay (fixed: the delay; > 0 otherwise)"),
    NUM("shape", B(react_delay.shape), 0, 1e6, 0, "", "lognormal: sd of the log delay, in [0, 5]; gamma: shape k > 0; unused otherwise"),
};
static const keyset_t ks_delay = KS(k_delay);

static const key_t k_sharing[] = {
    MAP("via", B(via_prob), via_names, 0, 1, 0, "probability", "choice of the channel a share goes through; the three sum to 1"),
    U32("private_friends", B(private_friends), 1, 32, "friends", "friends picked for a private share (strong ties more likely)"),
    MAP("attention", B(attention), via_names, 0, 1, 0, "probability", "P(a receiver notices the share), by channel"),
    MAP("click", B(click), via_names, 0, 1, 0, "probability", "P(click | noticed) from a tie of strength 1, by channel"),
    NUM("trust_floor", B(trust_floor), 0, 1, 0, "multiplier", "click multiplier from a tie of strength 0 (1: strength does not matter)"),
    NUM("fatigue", B(fatigue), 0, 1, 0, "multiplier", "click multiplier per earlier exposure to the same campaign"),
    OBJ("react_delay", ks_delay, -1, "hours from a share to the receiver's click"),
    MAP("share_initiator", B(share_initiator), kind_names, 0, 1, 0, "probability", "P(an initiator or seed shares), by campaign type"),
    MAP("share_participant", B(share_participant), kind_names, 0, 1, 0, "probability", "P(a participant shares on), by campaign type"),
    NUM("share_buyer_boost", B(share_buyer_boost), 0, 1, 0, "probability", "added to the participant's share probability after buying"),
    NUM("coupon_reshare", B(coupon_reshare), 0, 1, 0, "probability", "P(the holder of a failed group's coupon opens a new group)"),
    MAP("remind", B(remind), kind_names, 0, 1, 0, "probability", "P(the initiator of a group or bargain still open asks again), each remind_interval; gives up at the first miss"),
    NUM("remind_interval", B(remind_interval), 1e-6, 1e6, 0, "hours", "hours between an initiator's reminders"),
};
static const keyset_t ks_sharing = KS(k_sharing);

static const key_t k_decisions[] = {
    MAP("part_base", B(part_base), kind_names, -1e3, 1e3, 0, "logit", "base of taking part after a click (join, help, claim, consider), by type"),
    NUM("part_trust", B(part_trust), -1e3, 1e3, 0, "logit", "participation logit per unit of tie strength"),
    NUM("part_price", B(part_price), -1e3, 1e3, 0, "logit", "participation logit per unit of price sensitivity x log(price / ref_price)"),
    MAP("open_own", B(open_own), kind_names, 0, 1, 0, "probability", "P(a participant opens its own group, bargain or packet), by type"),
    NUM("buy_base", B(buy_base), -1e3, 1e3, 0, "logit", "base of buying after considering a product"),
    MAP("buy_channel", B(buy_channel), channel_names, -1e3, 1e3, 0, "logit", "added by the entry channel"),
    NUM("buy_trust", B(buy_trust), -1e3, 1e3, 0, "logit", "per unit of tie strength of the link followed"),
    NUM("buy_deal", B(buy_deal), -1e3, 1e3, 0, "logit", "per unit of discount depth (1 - paid / list)"),
    NUM("buy_price", B(buy_price), -1e3, 1e3, 0, "logit", "per unit of price sensitivity x log(price / ref_price)"),
    NUM("buy_highprice_outside_app", B(buy_highprice_outside_app), -1e3, 1e3, 0, "logit", "per unit of log(price / ref_price) above ref_price, outside the app"),
    NUM("buy_member", B(buy_member), -1e3, 1e3, 0, "logit", "added for a member of the shop"),
    NUM("buy_coupon", B(buy_coupon), -1e3, 1e3, 0, "logit", "added when a coupon applies"),
    NUM("buy_campaign", B(buy_campaign), -1e3, 1e3, 0, "logit", "added when a campaign brought the product (a link followed, a bargain helped, a packet claimed)"),
    MAP("buy_kind", B(buy_kind), kind_names, -1e3, 1e3, 0, "logit", "added on top of buy_campaign, by the type of the campaign that brought the product"),
    NUM("join_pay", B(join_pay), 0, 1, 0, "probability", "P(a user who decided to join a group pays at the payment page; else leaves, a participant who bought nothing)"),
    NUM("ref_price", B(ref_price), 0, 1e7, LO_OPEN, "CNY", "the price the log-price terms are measured from"),
};
static const keyset_t ks_decisions = KS(k_decisions);

static const key_t k_visits[] = {
    MAP("app_installed", B(app_installed), tier_names, 0, 1, 0, "probability", "P(the Taobao app is installed), by city tier"),
    MAP("prefer_mini", B(prefer_mini), tier_names, 0, 1, 0, "probability", "P(a link opens in the mini-program rather than the app, when both can), by tier"),
    NUM("customer_share", B(customer_share), 0, 1, 0, "probability", "users who are Taobao customers at the start"),
    NUM("visit_rate", B(visit_rate), 0, 1e4, 0, "per day", "visits per day of an average customer (times the user's activity)"),
    MAP("visit_channel", B(visit_channel), channel_names, 0, 1e6, 0, "weight", "relative weight of each channel for a visit (the app only if installed)"),
    NUM("visit_mini_tier3", B(visit_mini_tier3), 0, 1e6, 0, "multiplier", "mini-program weight multiplier in tier 3 and below"),
    NUM("visit_mini_wechat", B(visit_mini_wechat), 0, 1e6, 0, "multiplier", "mini-program weight multiplier for WeChat Pay users"),
    MAP("catalogue_price", B(catalogue_price), channel_names, 0.01, 1e7, 0, "CNY", "median price of what a visit looks at, by channel"),
    NUM("catalogue_sigma", B(catalogue_sigma), 0, 5, 0, "log-sd", "spread of those prices"),
    NUM("member_visit_lift", B(member_visit_lift), 0, 1e3, 0, "multiplier - 1", "visit rate multiplier for members, minus one"),
    MAP("spend_pref", B(spend_pref), pay_names, -5, 5, 0, "log", "shift of log(price) of what a visit looks at, by the user's preferred method (spending level)"),
};
static const keyset_t ks_visits = KS(k_visits);

static const key_t k_newusers[] = {
    MAP("arrivals", B(arrivals), arrival_names, 0, 1e6, 0, "per day per 1000", "outside arrivals per day per 1000 non-customers, by source (WeChat links come from shares)"),
    MAP("source_intent", B(source_intent), source_names, -1e3, 1e3, 0, "logit", "buy-logit shift of an arrival's first visit; also engagement, by source"),
    MAP("source_price", B(source_price), source_names, -5, 5, 0, "log", "shift of log(price) of what a new user from the source looks at: an arrival's first visit (what the source advertises) and every later visit of the source's new users (the kind of shopper it brings), by source"),
    NUM("churn_rate", B(churn_rate), 0, 1e3, 0, "per day", "churn hazard of a new user of engagement 1"),
    NUM("churn_trust", B(churn_trust), -1e3, 1e3, 0, "log engagement", "engagement gained per unit of tie strength of the link a user came by"),
    NUM("churn_member", B(churn_member), -1e3, 1e3, 0, "log engagement", "engagement gained by membership"),
    NUM("churn_intent", B(churn_intent), -1e3, 1e3, 0, "log engagement", "engagement gained per unit of source intent"),
    NUM("retention_days", B(retention_days), 0, 1e4, LO_OPEN, "days", "the retention window (30-day retention)"),
};
static const keyset_t ks_newusers = KS(k_newusers);

static const key_t k_payment[] = {
    MASKS("channel_methods", B(channel_methods), channel_names, "methods each channel accepts, e.g. {\"app\": [\"wechat\", \"alipay\", \"unionpay\"]}"),
    NUM("bind_on_demand", B(bind_on_demand), 0, 1, 0, "probability", "P(binding a missing method rather than leaving at the payment step)"),
    ENUM("discount_method", B(pay_discount_method), disc_names, -1, "method with a payment discount, or none"),
    NUM("discount", B(pay_discount), 0, 1e6, 0, "CNY", "CNY off when paying with it (campaign subsidy, from the budget)"),
    MAP("nudge", B(nudge), pay_names, 0, 1, 0, "probability", "P(the payment success page makes a member), by method"),
};
static const keyset_t ks_payment = KS(k_payment);

static const key_t k_policy[] = {
    ENUM("regime", B(regime), regime_names, 0, "WeChat's stance on links: block (2015-18), selective (2019-21), ratelimit (2022 on)"),
    NUM("workaround_pass", B(workaround_pass), 0, 1, 0, "probability", "P(getting through a QR code or text password)"),
    NUM("workaround_delay", B(workaround_delay), 0, 1e4, 0, "hours", "hours the workaround adds to a click"),
    NUM("selective_penalty", B(selective_penalty), -1e3, 1e3, 0, "logit", "shift for limited functions under the selective regime"),
    U32("rate_limit_user", B(rate_limit_user), 0, 65535, "shares per hour", "shares per user per clock hour (0: no limit)"),
    U32("rate_limit_global", B(rate_limit_global), 0, 4294967295.0, "shares per hour", "shares per clock hour overall (0: no limit)"),
    NUM("complaint", B(complaint), 0, 1, 0, "probability", "P(a complaint | noticed, not clicked, tie of strength 0)"),
    BOOL("whitelist", B(whitelist), "WeChat tightens or loosens restrictions from the complaint rate"),
    NUM("review_interval", B(review_interval), 0, 1e6, LO_OPEN, "hours", "hours between whitelist reviews"),
    NUM("tighten_above", B(tighten_above), 0, 1, 0, "rate", "complaint rate above which a review tightens a level"),
    NUM("loosen_below", B(loosen_below), 0, 1, 0, "rate", "complaint rate below which a review loosens a level (<= tighten_above)"),
};
static const keyset_t ks_policy = KS(k_policy);

static const key_t k_behaviour[] = {
    OBJ("sharing", ks_sharing, -1, "the sharing funnel"),
    OBJ("decisions", ks_decisions, -1, "taking part and buying (logit scale)"),
    OBJ("visits", ks_visits, -1, "customers' own visits and channels"),
    OBJ("new_users", ks_newusers, -1, "outside sources and churn"),
    OBJ("payment", ks_payment, -1, "payment methods, discounts, the success page"),
    OBJ("policy", ks_policy, -1, "WeChat's link policy"),
};
static const keyset_t ks_behaviour = KS(k_behaviour);

#define U(f) SC(users.f)
static const key_t k_users[] = {
    MAP("tier_share", U(tier_share), tier_names, 0, 1, 0, "share", "share of users in each city tier; sums to 1"),
    MAP("age_share", U(age_share), age_names, 0, 1, 0, "share", "share of users in each age band; sums to 1"),
    MAP2("pref_by_tier", U(pref_by_tier), tier_names, pay_names, 0, 1, "probability", "P(preferred method | tier); each tier sums to 1"),
    MAP("bind_extra", U(bind_extra), pay_names, 0, 1, 0, "probability", "P(a method is bound besides the preferred one)"),
    MAP("stickiness_mean", U(stickiness_mean), pay_names, 0, 1, 0, "probability", "mean P(pays online with the preferred method), by preferred method"),
    NUM("stickiness_dispersion", U(stickiness_dispersion), 0, 1, 0, "", "its dispersion (0: everyone the mean, 1: 0 or 1)"),
    MAP("discount_mean", U(discount_mean), pay_names, 0, 1, 0, "probability", "mean P(a payment discount moves the user), by preferred method"),
    NUM("discount_dispersion", U(discount_dispersion), 0, 1, 0, "", "its dispersion"),
    MAP("price_sens_mean", U(price_sens_mean), tier_names, 0, 1, 0, "", "mean price sensitivity, by tier"),
    NUM("price_sens_dispersion", U(price_sens_dispersion), 0, 1, 0, "", "its dispersion"),
    NUM("activity_sigma", U(activity_sigma), 0, 4, 0, "log-sd", "spread of the users' activity (mean 1)"),
};
static const keyset_t ks_users = KS(k_users);

static const key_t k_run[] = {
    NUM("horizon", B(horizon), 0, 1e6, LO_OPEN, "hours", "hours simulated"),
    NUM("bin", B(bin), 0, 1e6, LO_OPEN, "hours", "width of a time-series bin"),
    U32("replicates", SC(replicates), 1, 1e7, "runs", "replicates (independent runs)"),
    U64("seed", SC(seed), 0, 9007199254740992.0, "", "base seed of the replicate streams (an integer up to 2^53)"),
    U32("threads", SC(threads), 0, 4096, "threads", "worker threads (0: all cores); results do not depend on it"),
};
static const keyset_t ks_run = KS(k_run);

static const key_t k_outputs[] = {
    BOOL("summary", SC(out_summary), "write summary.json"),
    BOOL("replicates", SC(out_replicates), "write replicates.csv"),
    ENUM("timeseries", SC(out_timeseries), ts_names, 0, "timeseries.csv: none, mean (with 95% interval) or replicates"),
    BOOL("trace", SC(out_trace), "write every event of every replicate to trace/ (large)"),
};
static const keyset_t ks_outputs = KS(k_outputs);

/* campaigns[i] */
static const key_t k_seeding[] = {
    ENUM("strategy", CP(seeding.kind), seed_names, 0, "whom the first links go to"),
    U32("count", CP(seeding.count), 1, 4294967295.0, "users", "seeds (at most the graph's users)"),
    ENUM("tier", CP(seeding.tier), tier_names, 0, "strategy tier: the city tier"),
    {"file", K_SEEDFILE, 0, 0, 0, 0, NULL, 0, 0, NULL, 0, FSN_SCENARIO_PATH_MAX, NULL, -1, "path",
     "strategy file: user ids, one per line (relative to the scenario's folder)"},
};
static const keyset_t ks_seeding = KS(k_seeding);
static const key_t k_group[] = {
    U32("size", CP(group_size), 2, 1000, "members", "members needed, the initiator included"),
    NUM("deadline", CP(group_deadline), 0, 1e6, LO_OPEN, "hours", "hours to fill"),
    NUM("price", CP(group_price), 0.01, 1e7, 0, "CNY", "what each member pays (at most the list price)"),
    NUM("coupon", CP(coupon_value), 0, 1e6, 0, "CNY", "coupon to each member of a failed group (0: none)"),
};
static const keyset_t ks_group = KS(k_group);
static const key_t k_cuts[] = {
    ENUM("kind", CP(cuts.kind), cut_names, 0, "how each help cuts the price"),
    U32("helpers", CP(cuts.helpers), 1, 1e6, "helpers", "equal, random: helpers needed on average"),
    NUM("first_share", CP(cuts.first_share), 0, 1, LO_OPEN, "share", "shrinking: share of the gap the first cut takes"),
    NUM("decay", CP(cuts.decay), 0, 1, LO_OPEN, "factor", "shrinking: how each later cut's share shrinks"),
    NUM("jitter", CP(cuts.jitter), 0, 1, 0, "relative", "random, shrinking: relative randomness of a cut"),
    FEN("min_cut", CP(cuts.min_cut_fen), 0.01, 1e7, "smallest cut"),
};
static const keyset_t ks_cuts = KS(k_cuts);
static const key_t k_bargain[] = {
    NUM("floor", CP(floor_price), 0.01, 1e7, 0, "CNY", "the price helpers can bring it down to (below the list price)"),
    NUM("deadline", CP(bargain_deadline), 0, 1e6, LO_OPEN, "hours", "hours to reach the floor"),
    OBJ("cuts", ks_cuts, -1, "the cut schedule"),
};
static const keyset_t ks_bargain = KS(k_bargain);
static const key_t k_packet[] = {
    NUM("total", CP(packet_total), 0.01, 1e6, 0, "CNY", "amount in one packet (at least 0.01 per claimer)"),
    U32("claims", CP(packet_claims), 1, 10000, "claimers", "claimers per packet"),
    NUM("min_spend", CP(packet_min_spend), 0, 1e7, 0, "CNY", "order value needed to use a claimed amount as a coupon"),
};
static const keyset_t ks_packet = KS(k_packet);
static const key_t k_campaign[] = {
    STR("name", CP(name), FSN_CAMPAIGN_NAME_MAX, "letters, digits, '_' or '-'; unique (default: the type, numbered)"),
    ENUM("type", CP(kind), kind_names, 0, "link, group, bargain or redpacket (required)"),
    NUM("launch", CP(launch), 0, 1e6, 0, "hours", "hours from the start (before the horizon)"),
    NUM("price", CP(price), 0.01, 1e7, 0, "CNY", "list price"),
    NUM("budget", CP(budget), 0, 1e12, 0, "CNY", "subsidy budget (0: unlimited)"),
    BOOL("wechat_store", CP(wechat_store), "links open a WeChat store instead of Taobao"),
    NUM("coupon_validity", CP(coupon_validity), 0, 1e6, LO_OPEN, "hours", "hours a group or red-packet coupon stays usable"),
    OBJ("seeding", ks_seeding, -1, "who gets the first links"),
    OBJ("group", ks_group, FSN_CAMP_GROUP, "type group: the group buy"),
    OBJ("bargain", ks_bargain, FSN_CAMP_BARGAIN, "type bargain: the bargain"),
    OBJ("redpacket", ks_packet, FSN_CAMP_REDPACKET, "type redpacket: the packet"),
};
static const keyset_t ks_campaign = KS(k_campaign);

/* Graph keys: which generators take them. */
enum { G_FILE = 1u << 15 };
#define GB(k) (1u << (k))
#define G_ALL (GB(FSN_GEN_WECHAT) | GB(FSN_GEN_ERDOS_RENYI) | GB(FSN_GEN_BARABASI) | GB(FSN_GEN_WATTS_STROGATZ) | \
               GB(FSN_GEN_K_REGULAR) | GB(FSN_GEN_CONFIG_POWERLAW) | GB(FSN_GEN_SBM))
static const struct gkey {
    const char *name;
    unsigned gens;
    const char *unit, *def, *allowed, *doc;
} g_keys[] = {
    {"generator", G_ALL, "name", "`\"wechat\"`", "`wechat`, `er`, `ba`, `ws`, `regular`, `powerlaw`, `sbm`", "the generator (not with `file`)"},
    {"file", G_FILE, "path", "", "", "an edge list (u v [w], whitespace or CSV, '#' comments, SNAP) or GraphML, relative to the scenario's folder; instead of a generator"},
    {"n", G_ALL, "users", "`100000`", "integer in [2, 4e9)", "users"},
    {"mean_degree", GB(FSN_GEN_WECHAT), "ties", "`50`", "> 0", "wechat: target mean degree"},
    {"m", GB(FSN_GEN_ERDOS_RENYI) | GB(FSN_GEN_BARABASI), "ties", "generator's", "integer >= 0 (ba: >= 1)", "ba: ties per new user; er: number of ties (instead of p)"},
    {"p", GB(FSN_GEN_ERDOS_RENYI) | GB(FSN_GEN_WATTS_STROGATZ), "probability", "generator's", "in [0, 1]", "er: tie probability; ws: rewiring probability"},
    {"k", GB(FSN_GEN_WATTS_STROGATZ) | GB(FSN_GEN_K_REGULAR), "users", "generator's", "integer >= 1", "ws: neighbours each side; regular: degree"},
    {"exponent", GB(FSN_GEN_CONFIG_POWERLAW), "", "generator's", "> 2", "powerlaw: degree exponent"},
    {"min_degree", GB(FSN_GEN_CONFIG_POWERLAW), "ties", "generator's", "integer >= 1", "powerlaw: smallest degree"},
    {"blocks", GB(FSN_GEN_SBM), "blocks", "generator's", "integer in [1, 4096]", "sbm: number of equal blocks"},
    {"p_in", GB(FSN_GEN_SBM), "probability", "generator's", "in [0, 1]", "sbm: tie probability inside a block"},
    {"p_out", GB(FSN_GEN_SBM), "probability", "generator's", "in [0, 1]", "sbm: tie probability across blocks"},
    {"seed", G_ALL, "", "`1`", "integer in [0, 2^53]", "generator seed"},
    {"reorder", G_ALL | G_FILE, "true / false", "`false`", "", "relabel users breadth-first for memory locality"},
};
#define NGKEYS (sizeof g_keys / sizeof *g_keys)

static const key_t k_top[] = {
    STR("name", SC(name), FSN_SCENARIO_NAME_MAX, "the scenario's name (default: the file's base name)"),
    OBJ("users", ks_users, -1, "the users' attribute laws (docs/ATTRIBUTES.md)"),
    OBJ("behaviour", ks_behaviour, -1, "behaviour parameters (docs/MODEL.md)"),
    OBJ("run", ks_run, -1, "horizon, replicates, seed"),
    OBJ("outputs", ks_outputs, -1, "files a run writes"),
};
static const keyset_t ks_top = KS(k_top);

/* ------------------------------------------------------------------ */
/* Suggestions                                                        */
/* ------------------------------------------------------------------ */

/* The closest of the candidates within a third of the length (at least
 * 2 edits), or NULL; a word or candidate over 63 characters is never
 * close (its distance is SIZE_MAX, never below bd). */
static const char *closest(const char *word, const char *const *cand, size_t n) {
    const char *best = NULL;
    size_t bd = 99, lim = strlen(word) / 3;
    if (lim < 2) lim = 2;
    for (size_t i = 0; i < n; i++) {
        if (!cand[i]) continue;
        size_t dd = fsn_edit_distance(word, cand[i], 63);
        if (dd < bd) {
            bd = dd;
            best = cand[i];
        }
    }
    return bd <= lim ? best : NULL;
}

static void unknown_key(ctx_t *c, const char *path, const char *word, const char *const *cand, size_t n) {
    const char *s = closest(word, cand, n);
    if (s) diag(c, path, "unknown key; did you mean '%s'?", s);
    else {
        char list[400] = "";
        size_t used = 0;
        for (size_t i = 0; i < n && used < sizeof list - 40; i++) {
            if (!cand[i]) continue;
            int k = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", cand[i]);
            if (k > 0) used += (size_t)k;
        }
        diag(c, path, "unknown key; expected one of: %s", list);
    }
}

static void unknown_name(ctx_t *c, const char *path, const char *word, const char *const *cand, int n) {
    char list[400] = "";
    size_t used = 0;
    for (int i = 0; i < n && used < sizeof list - 40; i++) {
        if (!cand[i]) continue;
        int k = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", cand[i]);
        if (k > 0) used += (size_t)k;
    }
    const char *s = closest(word, cand, (size_t)n);
    if (s) diag(c, path, "expected one of %s, got '%s' (did you mean '%s'?)", list, word, s);
    else diag(c, path, "expected one of %s, got '%s'", list, word);
}

/* ------------------------------------------------------------------ */
/* Values                                                             */
/* ------------------------------------------------------------------ */

static const char *json_type(const cJSON *v) {
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsNull(v)) return "null";
    return "an unknown value";
}

/* "in [0, 1]", "> 0", ">= 2", "in (0, 1]" */
static void range_text(char *buf, size_t n, double lo, double hi, unsigned fl, int integer) {
    const int haslo = lo > -1e300, hashi = hi < 1e300 && !(integer && hi >= 4294967295.0);
    if (haslo && hashi && (hi < 1e5 || integer))
        snprintf(buf, n, "in %c%.15g, %.15g%c", (fl & LO_OPEN) ? '(' : '[', lo, hi, (fl & HI_OPEN) ? ')' : ']');
    else if (haslo && hashi)
        snprintf(buf, n, "%s %.15g and %s %.15g", (fl & LO_OPEN) ? ">" : ">=", lo, (fl & HI_OPEN) ? "<" : "<=", hi);
    else if (haslo)
        snprintf(buf, n, "%s %.15g", (fl & LO_OPEN) ? ">" : ">=", lo);
    else
        snprintf(buf, n, "finite");
}

static int in_range(double x, double lo, double hi, unsigned fl) {
    if (!isfinite(x)) return 0;
    if ((fl & LO_OPEN) ? !(x > lo) : !(x >= lo)) return 0;
    if ((fl & HI_OPEN) ? !(x < hi) : !(x <= hi)) return 0;
    return 1;
}

/* A number in range; 1 if *out was set. */
static int get_number(ctx_t *c, const cJSON *v, const char *path, double lo, double hi, unsigned fl, int integer,
                      double *out) {
    char r[96];
    range_text(r, sizeof r, lo, hi, fl, integer);
    if (!cJSON_IsNumber(v)) {
        if (cJSON_IsString(v))
            diag(c, path, "must be %s %s, got a string (\"%.40s\"; write the number without quotes)",
                 integer ? "an integer" : "a number", r, v->valuestring);
        else
            diag(c, path, "must be %s %s, got %s", integer ? "an integer" : "a number", r, json_type(v));
        return 0;
    }
    double x = v->valuedouble;
    if (!isfinite(x) || fabs(x) > 1e300) {
        diag(c, path, "must be %s %s, got a number too large to represent", integer ? "an integer" : "a number", r);
        return 0;
    }
    if (integer && x != floor(x)) {
        diag(c, path, "must be an integer %s, got %.17g", r, x);
        return 0;
    }
    if (!in_range(x, lo, hi, fl)) {
        diag(c, path, "must be %s %s, got %.17g", integer ? "an integer" : "a number", r, x);
        return 0;
    }
    *out = x;
    return 1;
}

/* Index of name among names[0..n-1] (NULL entries are not names), -1. */
static int name_index(const char *const *names, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (names[i] && !strcmp(names[i], name)) return i;
    return -1;
}

static int get_name(ctx_t *c, const cJSON *v, const char *path, const char *const *names, int n) {
    if (!cJSON_IsString(v)) {
        char list[300] = "";
        size_t used = 0;
        for (int i = 0; i < n; i++) {
            if (!names[i]) continue;
            int k = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", names[i]);
            if (k > 0 && (size_t)k < sizeof list - used) used += (size_t)k;
        }
        diag(c, path, "must be one of %s (a string), got %s", list, json_type(v));
        return -1;
    }
    int i = name_index(names, n, v->valuestring);
    if (i < 0) unknown_name(c, path, v->valuestring, names, n);
    return i;
}

static void join_path(char *out, size_t n, const char *path, const char *key) {
    if (path && *path) snprintf(out, n, "%s.%s", path, key);
    else snprintf(out, n, "%s", key);
}

/* Reject repeated keys in an object (cJSON keeps both). */
static int cmp_key(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* O(k log k): a hostile file with a million keys must not take hours. */
static void check_duplicates(ctx_t *c, const cJSON *obj, const char *path) {
    size_t k = 0;
    for (const cJSON *a = obj->child; a; a = a->next) k += a->string != NULL;
    if (k < 2) return;
    const char **keys = malloc(k * sizeof *keys);
    if (!keys) return;
    size_t i = 0;
    for (const cJSON *a = obj->child; a; a = a->next)
        if (a->string) keys[i++] = a->string;
    qsort(keys, k, sizeof *keys, cmp_key);
    for (i = 1; i < k; i++)
        if (!strcmp(keys[i - 1], keys[i]) && (i < 2 || strcmp(keys[i - 2], keys[i]))) {
            char p[512];
            join_path(p, sizeof p, path, keys[i]);
            diag(c, p, "the key appears twice");
        }
    free(keys);
}

static void parse_obj(ctx_t *c, const cJSON *obj, const keyset_t *ks, char *base, const char *path);

static void parse_map(ctx_t *c, const cJSON *v, const key_t *k, double *arr, const char *path) {
    if (!cJSON_IsObject(v)) {
        diag(c, path, "must be an object keyed by %s%s%s, got %s", k->names[0] ? k->names[0] : k->names[1],
             k->n > 1 ? ", " : "", k->n > 1 ? "..." : "", json_type(v));
        return;
    }
    check_duplicates(c, v, path);
    for (const cJSON *e = v->child; e; e = e->next) {
        char p[512];
        join_path(p, sizeof p, path, e->string);
        int idx = name_index(k->names, k->n, e->string);
        if (idx < 0) {
            unknown_key(c, p, e->string, k->names, (size_t)k->n);
            continue;
        }
        double x;
        if (get_number(c, e, p, k->lo, k->hi, k->flags, 0, &x)) arr[idx] = x;
    }
}

static void parse_value(ctx_t *c, const cJSON *v, const key_t *k, char *base, const char *path) {
    double x;
    switch (k->type) {
    case K_NUM:
        if (get_number(c, v, path, k->lo, k->hi, k->flags, 0, &x)) *(double *)(base + k->off) = x;
        break;
    case K_U32:
        if (get_number(c, v, path, k->lo, k->hi, k->flags, 1, &x)) *(uint32_t *)(base + k->off) = (uint32_t)x;
        break;
    case K_U64:
        if (get_number(c, v, path, k->lo, k->hi, k->flags, 1, &x)) *(uint64_t *)(base + k->off) = (uint64_t)x;
        break;
    case K_FEN:
        if (get_number(c, v, path, k->lo, k->hi, k->flags, 0, &x)) *(int64_t *)(base + k->off) = llround(x * 100.0);
        break;
    case K_BOOL:
        if (!cJSON_IsBool(v)) diag(c, path, "must be true or false, got %s", json_type(v));
        else *(int *)(base + k->off) = cJSON_IsTrue(v);
        break;
    case K_ENUM: {
        int i = get_name(c, v, path, k->names, k->n);
        if (i >= 0) *(int *)(base + k->off) = i + k->base;
        break;
    }
    case K_STR:
    case K_SEEDFILE: {
        char *dst = k->type == K_STR ? base + k->off : c->seed_file;
        if (!cJSON_IsString(v)) diag(c, path, "must be a string, got %s", json_type(v));
        else if (strlen(v->valuestring) >= k->size) diag(c, path, "must be at most %zu characters", k->size - 1);
        else if (k->type == K_SEEDFILE && !*v->valuestring) diag(c, path, "must be a path, got an empty string");
        else if (dst) snprintf(dst, k->size, "%s", v->valuestring);
        break;
    }
    case K_MAP: parse_map(c, v, k, (double *)(base + k->off), path); break;
    case K_MAP2: {
        if (!cJSON_IsObject(v)) {
            diag(c, path, "must be an object keyed by %s, ..., got %s", k->names[0], json_type(v));
            break;
        }
        check_duplicates(c, v, path);
        for (const cJSON *e = v->child; e; e = e->next) {
            char p[512];
            join_path(p, sizeof p, path, e->string);
            int idx = name_index(k->names, k->n, e->string);
            if (idx < 0) {
                unknown_key(c, p, e->string, k->names, (size_t)k->n);
                continue;
            }
            key_t inner = *k;
            inner.type = K_MAP;
            inner.names = k->names2;
            inner.n = k->n2;
            parse_map(c, e, &inner, (double *)(base + k->off) + (size_t)idx * (size_t)k->n2, p);
        }
        break;
    }
    case K_MASKS: {
        if (!cJSON_IsObject(v)) {
            diag(c, path, "must be an object keyed by channel, got %s", json_type(v));
            break;
        }
        check_duplicates(c, v, path);
        uint8_t *masks = (uint8_t *)(base + k->off);
        for (const cJSON *e = v->child; e; e = e->next) {
            char p[512];
            join_path(p, sizeof p, path, e->string);
            int idx = name_index(k->names, k->n, e->string);
            if (idx < 0) {
                unknown_key(c, p, e->string, k->names, (size_t)k->n);
                continue;
            }
            if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) == 0) {
                diag(c, p, "must be a non-empty list of methods (wechat, alipay, unionpay), got %s",
                     cJSON_IsArray(e) ? "an empty list" : json_type(e));
                continue;
            }
            uint8_t m = 0;
            int ok = 1, j = 0;
            for (const cJSON *x2 = e->child; x2; x2 = x2->next, j++) {
                char pj[540];
                snprintf(pj, sizeof pj, "%s[%d]", p, j);
                int mi = get_name(c, x2, pj, pay_names, FSN_PAY_COUNT);
                if (mi < 0) ok = 0;
                else m |= FSN_PAY_BIT(mi);
            }
            if (ok) masks[idx] = m;
        }
        break;
    }
    case K_OBJ:
        if (k->only >= 0 && c->camp_kind >= 0 && c->camp_kind != k->only) {
            diag(c, path, "only for a campaign of type %s; this one is of type %s", kind_names[k->only],
                 kind_names[c->camp_kind]);
            break;
        }
        parse_obj(c, v, k->sub, base, path);
        break;
    }
}

static void parse_obj(ctx_t *c, const cJSON *obj, const keyset_t *ks, char *base, const char *path) {
    if (!cJSON_IsObject(obj)) {
        diag(c, path, "must be an object, got %s", json_type(obj));
        return;
    }
    check_duplicates(c, obj, path);
    const char *names[32];
    for (size_t i = 0; i < ks->n && i < 32; i++) names[i] = ks->keys[i].name;
    for (const cJSON *e = obj->child; e; e = e->next) {
        char p[512];
        join_path(p, sizeof p, path, e->string);
        const key_t *k = NULL;
        for (size_t i = 0; i < ks->n; i++)
            if (!strcmp(ks->keys[i].name, e->string)) k = &ks->keys[i];
        if (!k) {
            unknown_key(c, p, e->string, names, ks->n < 32 ? ks->n : 32);
            continue;
        }
        /* a campaign's type was read first (it sets the defaults) */
        if (ks == &ks_campaign && !strcmp(k->name, "type")) continue;
        parse_value(c, e, k, base, p);
    }
}

/* ------------------------------------------------------------------ */
/* Sections with their own rules                                      */
/* ------------------------------------------------------------------ */

/* An absolute path for p, relative to base_dir (itself relative to the
 * working folder if not absolute), so that the normalised scenario
 * names the same file from wherever it is read again. */
static int resolve(char *dst, size_t n, const char *base_dir, const char *p) {
    int k;
    char cwd[FSN_SCENARIO_PATH_MAX];
    const char *b = base_dir && *base_dir ? base_dir : ".";
    if (p[0] == '/') k = snprintf(dst, n, "%s", p);
    else if (b[0] != '/' && getcwd(cwd, sizeof cwd)) {
        if (!strcmp(b, ".")) k = snprintf(dst, n, "%s/%s", cwd, p);
        else k = snprintf(dst, n, "%s/%s/%s", cwd, b, p);
    } else if (!strcmp(b, ".")) {
        k = snprintf(dst, n, "%s", p);
    } else {
        k = snprintf(dst, n, "%s/%s", b, p);
    }
    if (k < 0 || (size_t)k >= n) {
        dst[0] = 0;
        return -1;
    }
    return 0;
}

static void parse_graph(ctx_t *c, fsn_scenario_t *sc, const cJSON *g, const char *base_dir) {
    const char *path = "graph";
    if (!cJSON_IsObject(g)) {
        diag(c, path, "must be an object, got %s", json_type(g));
        return;
    }
    check_duplicates(c, g, path);
    const char *names[NGKEYS];
    for (size_t i = 0; i < NGKEYS; i++) names[i] = g_keys[i].name;
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(g, "generator");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(g, "file");
    int kind = FSN_GEN_WECHAT;
    if (gen && file) diag(c, "graph.file", "give either a generator or a file, not both");
    if (gen) {
        if (!cJSON_IsString(gen)) diag(c, "graph.generator", "must be a generator name (a string), got %s", json_type(gen));
        else {
            kind = fsn_gen_kind_parse(gen->valuestring);
            if (kind < 0 || kind == FSN_GEN_CONFIG_SEQUENCE) {
                static const char *const gn[] = {"wechat", "er", "ba", "ws", "regular", "powerlaw", "sbm"};
                unknown_name(c, "graph.generator", gen->valuestring, gn, 7);
                kind = FSN_GEN_WECHAT;
            }
        }
    }
    sc->graph_kind = kind;
    if (kind != FSN_GEN_WECHAT) {
        uint32_t n = sc->gen.n;
        uint64_t seed = sc->gen.seed;
        fsn_gen_params_default(&sc->gen, (fsn_gen_kind_t)kind);
        sc->gen.n = n;
        sc->gen.seed = seed;
    }
    const unsigned taken = file ? G_FILE : GB(kind);
    if (file && !gen) {
        if (!cJSON_IsString(file) || !*file->valuestring)
            diag(c, "graph.file", "must be a path (a non-empty string), got %s", json_type(file));
        else if (strlen(file->valuestring) >= FSN_SCENARIO_PATH_MAX - 256)
            diag(c, "graph.file", "the path is too long");
        else if (resolve(sc->graph_file, sizeof sc->graph_file, base_dir, file->valuestring))
            diag(c, "graph.file", "the path, made absolute, is longer than %d characters", FSN_SCENARIO_PATH_MAX - 1);
    }
    for (const cJSON *e = g->child; e; e = e->next) {
        char p[512];
        join_path(p, sizeof p, path, e->string);
        const struct gkey *k = NULL;
        for (size_t i = 0; i < NGKEYS; i++)
            if (!strcmp(g_keys[i].name, e->string)) k = &g_keys[i];
        if (!k) {
            unknown_key(c, p, e->string, names, NGKEYS);
            continue;
        }
        if (!strcmp(k->name, "generator") || !strcmp(k->name, "file")) continue;
        if (!(k->gens & taken)) {
            if (file) diag(c, p, "does not apply to a graph read from a file");
            else diag(c, p, "does not apply to the %s generator", fsn_gen_kind_name((fsn_gen_kind_t)kind));
            continue;
        }
        double x;
        const int wechat = kind == FSN_GEN_WECHAT;
        if (!strcmp(k->name, "n")) {
            if (get_number(c, e, p, 2, 4e9, 0, 1, &x)) {
                if (wechat) sc->wechat.n = (uint32_t)x;
                else sc->gen.n = (uint32_t)x;
            }
        } else if (!strcmp(k->name, "mean_degree")) {
            if (get_number(c, e, p, 0, 1e6, LO_OPEN, 0, &x)) sc->wechat.mean_degree = x;
        } else if (!strcmp(k->name, "m")) {
            if (get_number(c, e, p, kind == FSN_GEN_BARABASI ? 1 : 0, 1e12, 0, 1, &x)) sc->gen.m = (uint64_t)x;
        } else if (!strcmp(k->name, "p")) {
            if (get_number(c, e, p, 0, 1, 0, 0, &x)) sc->gen.p = x;
        } else if (!strcmp(k->name, "k")) {
            if (get_number(c, e, p, 1, 1e6, 0, 1, &x)) sc->gen.k = (uint32_t)x;
        } else if (!strcmp(k->name, "exponent")) {
            if (get_number(c, e, p, 2, 100, LO_OPEN, 0, &x)) sc->gen.exponent = x;
        } else if (!strcmp(k->name, "min_degree")) {
            if (get_number(c, e, p, 1, 1e6, 0, 1, &x)) sc->gen.min_degree = (uint32_t)x;
        } else if (!strcmp(k->name, "blocks")) {
            if (get_number(c, e, p, 1, 4096, 0, 1, &x)) sc->gen.blocks = (uint32_t)x;
        } else if (!strcmp(k->name, "p_in")) {
            if (get_number(c, e, p, 0, 1, 0, 0, &x)) sc->gen.p_in = x;
        } else if (!strcmp(k->name, "p_out")) {
            if (get_number(c, e, p, 0, 1, 0, 0, &x)) sc->gen.p_out = x;
        } else if (!strcmp(k->name, "seed")) {
            if (get_number(c, e, p, 0, 9007199254740992.0, 0, 1, &x)) {
                if (wechat) sc->wechat.seed = (uint64_t)x;
                else sc->gen.seed = (uint64_t)x;
            }
        } else if (!strcmp(k->name, "reorder")) {
            if (!cJSON_IsBool(e)) diag(c, p, "must be true or false, got %s", json_type(e));
            else sc->reorder = cJSON_IsTrue(e);
        }
    }
}

static int valid_name(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '-'))
            return 0;
    return 1;
}

static void parse_campaigns(ctx_t *c, fsn_scenario_t *sc, const cJSON *arr, const char *base_dir) {
    if (!cJSON_IsArray(arr)) {
        diag(c, "campaigns", "must be a list of campaigns, got %s", json_type(arr));
        return;
    }
    int n = cJSON_GetArraySize(arr);
    if (n == 0) {
        diag(c, "campaigns", "must hold at least one campaign");
        return;
    }
    if (n > FSN_CAMPAIGNS_MAX) {
        diag(c, "campaigns", "holds %d campaigns, at most %d are allowed", n, FSN_CAMPAIGNS_MAX);
        n = FSN_CAMPAIGNS_MAX;
    }
    sc->ncampaigns = (size_t)n;
    int count[FSN_CAMP_KIND_COUNT] = {0};
    int bad[FSN_CAMPAIGNS_MAX] = {0};
    int i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        char path[64];
        snprintf(path, sizeof path, "campaigns[%d]", i);
        fsn_campaign_t *cp = &sc->campaigns[i];
        int kind = FSN_CAMP_LINK;
        if (!cJSON_IsObject(e)) {
            diag(c, path, "must be an object, got %s", json_type(e));
            fsn_campaign_default(cp, FSN_CAMP_LINK);
            bad[i] = 1;
            continue;
        }
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
        char tp[80];
        snprintf(tp, sizeof tp, "%s.type", path);
        if (!t) diag(c, tp, "missing; every campaign needs a type: link, group, bargain or redpacket");
        else {
            int k = get_name(c, t, tp, kind_names, FSN_CAMP_KIND_COUNT);
            if (k >= 0) kind = k;
        }
        fsn_campaign_default(cp, (fsn_camp_kind_t)kind);
        cp->cuts.min_cut_fen = 500;
        cp->seeding.count = 50;
        count[kind]++;
        if (count[kind] > 1) snprintf(cp->name, sizeof cp->name, "%s%d", kind_names[kind], count[kind]);
        c->camp_kind = kind;
        char resolved_in[FSN_SCENARIO_PATH_MAX];
        resolved_in[0] = 0;
        c->seed_file = resolved_in;
        parse_obj(c, e, &ks_campaign, (char *)cp, path);
        c->camp_kind = -1;
        c->seed_file = NULL;
        if (resolved_in[0] && resolve(sc->seed_file[i], FSN_SCENARIO_PATH_MAX, base_dir, resolved_in)) {
            char sp[96];
            snprintf(sp, sizeof sp, "%s.seeding.file", path);
            diag(c, sp, "the path, made absolute, is longer than %d characters", FSN_SCENARIO_PATH_MAX - 1);
        }
        char p[96];
        snprintf(p, sizeof p, "%s.name", path);
        if (!valid_name(cp->name)) diag(c, p, "must be letters, digits, '_' or '-', got \"%s\"", cp->name);
        for (int j = 0; j < i; j++)
            if (!bad[j] && !strcmp(sc->campaigns[j].name, cp->name))
                diag(c, p, "\"%s\" is already the name of campaigns[%d]; names must be unique", cp->name, j);
    }
}

/* Rules across keys, with the path of the key at fault. */
static void cross_checks(ctx_t *c, fsn_scenario_t *sc) {
    {
        int ok = sc->name[0] && strcmp(sc->name, ".") && strcmp(sc->name, "..");
        for (const char *q = sc->name; *q; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' ||
                  *q == '-' || *q == '.'))
                ok = 0;
        if (!ok)
            diag(c, "name", "must be letters, digits, '_', '-' or '.' (it names the output folder), got \"%s\"", sc->name);
    }
    const fsn_world_params_t *b = &sc->behaviour;
    double s = b->via_prob[0] + b->via_prob[1] + b->via_prob[2];
    if (fabs(s - 1) > 1e-9) diag(c, "behaviour.sharing.via", "the three shares must sum to 1, got %.17g", s);
    if (b->loosen_below > b->tighten_above)
        diag(c, "behaviour.policy.loosen_below", "must be at most tighten_above (%.17g), got %.17g", b->tighten_above,
             b->loosen_below);
    if (b->visit_channel[FSN_CH_MINI] + b->visit_channel[FSN_CH_STORE] <= 0)
        diag(c, "behaviour.visits.visit_channel", "the mini_program or wechat_store weight must be > 0 (users without the app visit there)");
    const fsn_delay_t *dl = &b->react_delay;
    if (dl->kind != FSN_DELAY_FIXED && !(dl->mean > 0))
        diag(c, "behaviour.sharing.react_delay.mean", "must be > 0 for a %s delay, got %.17g", delay_names[dl->kind], dl->mean);
    if (dl->kind == FSN_DELAY_LOGNORMAL && dl->shape > 5)
        diag(c, "behaviour.sharing.react_delay.shape", "must be in [0, 5] for a lognormal delay, got %.17g", dl->shape);
    if (dl->kind == FSN_DELAY_GAMMA && !(dl->shape > 0))
        diag(c, "behaviour.sharing.react_delay.shape", "must be > 0 for a gamma delay, got %.17g", dl->shape);
    if (b->horizon / b->bin > 1e6) diag(c, "run.bin", "gives more than a million bins over the horizon; use a wider bin");
    const fsn_attr_params_t *u = &sc->users;
    s = u->tier_share[0] + u->tier_share[1] + u->tier_share[2];
    if (fabs(s - 1) > 1e-9) diag(c, "users.tier_share", "the shares must sum to 1, got %.17g", s);
    s = 0;
    for (int a = 0; a < FSN_AGE_COUNT; a++) s += u->age_share[a];
    if (fabs(s - 1) > 1e-9) diag(c, "users.age_share", "the shares must sum to 1, got %.17g", s);
    for (int t = 0; t < FSN_TIER_COUNT; t++) {
        s = u->pref_by_tier[t][0] + u->pref_by_tier[t][1] + u->pref_by_tier[t][2];
        if (fabs(s - 1) > 1e-9) {
            char p[64];
            snprintf(p, sizeof p, "users.pref_by_tier.%s", tier_names[t]);
            diag(c, p, "the probabilities must sum to 1, got %.17g", s);
        }
    }
    for (size_t i = 0; i < sc->ncampaigns; i++) {
        const fsn_campaign_t *k = &sc->campaigns[i];
        char p[96];
#define CPATH(sub) snprintf(p, sizeof p, "campaigns[%zu].%s", i, sub)
        if (k->launch >= b->horizon) {
            CPATH("launch");
            diag(c, p, "must be before run.horizon (%.17g hours), got %.17g", b->horizon, k->launch);
        }
        if (k->kind == FSN_CAMP_GROUP && k->group_price > k->price) {
            CPATH("group.price");
            diag(c, p, "must be at most the list price (%.17g), got %.17g", k->price, k->group_price);
        }
        if (k->kind == FSN_CAMP_BARGAIN && !(k->floor_price < k->price)) {
            CPATH("bargain.floor");
            diag(c, p, "must be below the list price (%.17g), got %.17g", k->price, k->floor_price);
        }
        if (k->kind == FSN_CAMP_REDPACKET && llround(k->packet_total * 100) < (long long)k->packet_claims) {
            CPATH("redpacket.total");
            diag(c, p, "must give at least 0.01 CNY to each of the %u claimers, got %.17g", k->packet_claims, k->packet_total);
        }
        if (k->seeding.kind == FSN_SEED_FILE && !sc->seed_file[i][0]) {
            CPATH("seeding.file");
            diag(c, p, "missing; the file strategy needs a file of user ids");
        }
        if (k->seeding.kind != FSN_SEED_FILE && sc->seed_file[i][0]) {
            CPATH("seeding.file");
            diag(c, p, "only for the file strategy; this campaign's is %s", seed_names[k->seeding.kind]);
        }
        uint32_t n = sc->graph_file[0] ? 0 : sc->graph_kind == FSN_GEN_WECHAT ? sc->wechat.n : sc->gen.n;
        if (n && k->seeding.count > n) {
            CPATH("seeding.count");
            diag(c, p, "must be at most the graph's %u users, got %u", n, k->seeding.count);
        }
        if (k->kind == FSN_CAMP_BARGAIN) {
            fsn_error_t e;
            if (fsn_cut_schedule_check(&k->cuts, &e)) {
                CPATH("bargain.cuts");
                diag(c, p, "%s", e.msg);
            }
        }
#undef CPATH
    }
}

/* ------------------------------------------------------------------ */
/* --set                                                              */
/* ------------------------------------------------------------------ */

/* Apply "PATH=VALUE" to the tree; 0 on success. */
static int apply_set(ctx_t *c, cJSON *root, const char *set) {
    const char *eq = strchr(set, '=');
    if (!eq || eq == set) {
        diag(c, NULL, "--set %s: expected PATH=VALUE", set);
        return -1;
    }
    char path[512];
    size_t plen = (size_t)(eq - set);
    if (plen >= sizeof path) {
        diag(c, NULL, "--set: the path is too long");
        return -1;
    }
    memcpy(path, set, plen);
    path[plen] = 0;
    const char *val = eq + 1;
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(val, strlen(val), &end, 0);
    if (v && end && *end) {
        cJSON_Delete(v);
        v = NULL;
    }
    if (!v) v = cJSON_CreateString(val);
    if (!v) return -1;
    cJSON *node = root;
    char *save = NULL, *tok = strtok_r(path, ".", &save);
    while (tok) {
        char *next = strtok_r(NULL, ".", &save);
        char key[256];
        long idx = -1;
        char *br = strchr(tok, '[');
        if (br) {
            char *rb = strchr(br, ']');
            char *endp;
            idx = strtol(br + 1, &endp, 10);
            if (!rb || endp != rb || rb[1] || idx < 0 || br == tok) {
                diag(c, NULL, "--set %s: bad index in '%s' (expected name[N])", set, tok);
                cJSON_Delete(v);
                return -1;
            }
            *br = 0;
        }
        snprintf(key, sizeof key, "%s", tok);
        if (!cJSON_IsObject(node)) {
            diag(c, NULL, "--set %s: '%s' is inside a value that is not an object", set, key);
            cJSON_Delete(v);
            return -1;
        }
        cJSON *child = cJSON_GetObjectItemCaseSensitive(node, key);
        if (idx >= 0) {
            if (!child || !cJSON_IsArray(child) || idx >= cJSON_GetArraySize(child)) {
                diag(c, NULL, "--set %s: %s has %d entries, no [%ld]", set, key,
                     child && cJSON_IsArray(child) ? cJSON_GetArraySize(child) : 0, idx);
                cJSON_Delete(v);
                return -1;
            }
            if (!next) {
                cJSON_ReplaceItemInArray(child, (int)idx, v);
                return 0;
            }
            node = cJSON_GetArrayItem(child, (int)idx);
        } else if (!next) {
            if (child) cJSON_ReplaceItemInObjectCaseSensitive(node, key, v);
            else cJSON_AddItemToObject(node, key, v);
            return 0;
        } else {
            if (!child) {
                child = cJSON_AddObjectToObject(node, key);
                if (!child) {
                    cJSON_Delete(v);
                    return -1;
                }
            }
            node = child;
        }
        tok = next;
    }
    cJSON_Delete(v);
    diag(c, NULL, "--set %s: empty path", set);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Parse                                                              */
/* ------------------------------------------------------------------ */

void fsn_scenario_default(fsn_scenario_t *sc) {
    FSN_REQUIRE(sc);
    memset(sc, 0, sizeof *sc);
    snprintf(sc->name, sizeof sc->name, "scenario");
    sc->graph_kind = FSN_GEN_WECHAT;
    fsn_wechat_params_default(&sc->wechat, 100000);
    fsn_gen_params_default(&sc->gen, FSN_GEN_BARABASI);
    sc->gen.n = 100000;
    fsn_attr_params_default(&sc->users);
    fsn_world_params_default(&sc->behaviour);
    sc->ncampaigns = FSN_CAMP_KIND_COUNT;
    for (int k = 0; k < FSN_CAMP_KIND_COUNT; k++) {
        fsn_campaign_default(&sc->campaigns[k], (fsn_camp_kind_t)k);
        sc->campaigns[k].cuts.min_cut_fen = 500;
        sc->campaigns[k].seeding.count = 50;
    }
    sc->replicates = 20;
    sc->seed = 1;
    sc->threads = 0;
    sc->out_summary = 1;
    sc->out_replicates = 1;
    sc->out_timeseries = FSN_TS_MEAN;
    sc->out_trace = 0;
}

/* Comments (// to the end of the line, and block comments) outside
 * strings become blanks, newlines kept, so the JSON parser's positions
 * are still the file's lines and columns. Returns the offset of an
 * unterminated block comment, or -1. */
static long blank_comments(char *t, size_t len) {
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        if (in_str) {
            if (t[i] == '\\' && i + 1 < len) i++;
            else if (t[i] == '"') in_str = 0;
            continue;
        }
        if (t[i] == '"') in_str = 1;
        else if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
            while (i < len && t[i] != '\n') t[i++] = ' ';
        } else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
            size_t start = i;
            t[i++] = ' ';
            t[i++] = ' ';
            while (i < len && !(t[i] == '*' && i + 1 < len && t[i + 1] == '/')) {
                if (t[i] != '\n') t[i] = ' ';
                i++;
            }
            if (i >= len) return (long)start;
            t[i] = ' ';
            t[i + 1] = ' ';
            i++;
        }
    }
    return -1;
}

static void line_col(const char *text, const char *at, int *line, int *col) {
    *line = 1;
    *col = 1;
    for (const char *p = text; p < at; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

fsn_err_t fsn_scenario_parse(fsn_scenario_t *sc, const char *text, size_t len, const char *file,
                             const char *base_dir, const char *const *sets, size_t nsets,
                             fsn_diags_t *d) {
    FSN_REQUIRE(sc && (text || len == 0));
    fsn_diags_t local;
    if (!d) d = &local;
    fsn_diags_clear(d);
    ctx_t c = {d, file ? file : "scenario", -1, NULL};
    fsn_scenario_default(sc);
    /* the default name: the file's base name without .json, with any
     * character a folder name should not have made '_' */
    if (file) {
        const char *b = strrchr(file, '/');
        b = b ? b + 1 : file;
        snprintf(sc->name, sizeof sc->name, "%s", b);
        char *dot = strrchr(sc->name, '.');
        if (dot && dot != sc->name) *dot = 0;
        for (char *q = sc->name; *q; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' ||
                  *q == '-' || *q == '.'))
                *q = '_';
        if (!strcmp(sc->name, ".") || !strcmp(sc->name, "..") || !sc->name[0]) snprintf(sc->name, sizeof sc->name, "scenario");
    }
    for (size_t i = 0; i < len; i++)
        if (text[i] == 0) {
            int line, col;
            line_col(text, text + i, &line, &col);
            diag_at(&c, line, col, "a NUL byte; a scenario is JSON text");
            return FSN_EPARSE;
        }
    char *copy = malloc(len + 1);
    if (!copy) {
        diag(&c, NULL, "out of memory");
        return FSN_ENOMEM;
    }
    memcpy(copy, text, len);
    copy[len] = 0;
    long open_comment = blank_comments(copy, len);
    if (open_comment >= 0) {
        int line, col;
        line_col(text, text + open_comment, &line, &col);
        free(copy);
        diag_at(&c, line, col, "a comment that is never closed");
        return FSN_EPARSE;
    }
    text = copy;
    size_t nonblank = 0;
    for (size_t i = 0; i < len; i++)
        if (!(text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) nonblank++;
    if (nonblank == 0) {
        diag(&c, NULL, "the file is empty (or only comments); expected a JSON object (see docs/SCENARIOS.md)");
        free(copy);
        return FSN_EPARSE;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        int line, col;
        line_col(text, end ? end : text, &line, &col);
        int rest_blank = 1;
        for (const char *q = end ? end + 1 : text + len; q < text + len; q++)
            if (!(*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')) rest_blank = 0;
        if (end && (end >= text + len || (rest_blank && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n' ||
                                                        *end == ']' || *end == '}' || *end == '"'))))
            diag_at(&c, line, col, "malformed JSON: the text ends too early (an unclosed bracket or string?)");
        else {
            /* what is there, up to the end of the line */
            char near[24];
            size_t k = 0;
            for (const char *q = end ? end : text; q < text + len && *q != '\n' && *q != '\r' && k < sizeof near - 1; q++)
                near[k++] = *q;
            near[k] = 0;
            if (k) diag_at(&c, line, col, "malformed JSON near '%s'", near);
            else diag_at(&c, line, col, "malformed JSON at the end of the line (a missing comma, or a comma too many?)");
        }
        free(copy);
        return FSN_EPARSE;
    }
    /* trailing text after the object */
    for (const char *p = end; p && p < text + len; p++)
        if (!(*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
            int line, col;
            line_col(text, p, &line, &col);
            diag_at(&c, line, col, "text after the end of the JSON object");
            cJSON_Delete(root);
            free(copy);
            return FSN_EPARSE;
        }
    if (!cJSON_IsObject(root)) {
        diag(&c, NULL, "the top level must be a JSON object, got %s", json_type(root));
        cJSON_Delete(root);
        free(copy);
        return FSN_EINVAL;
    }
    for (size_t i = 0; i < nsets; i++)
        if (apply_set(&c, root, sets[i])) {
            cJSON_Delete(root);
            free(copy);
            return FSN_EPARSE;
        }
    check_duplicates(&c, root, "");
    static const char *const top_names[] = {"name", "graph", "users", "behaviour", "campaigns", "run", "outputs"};
    for (const cJSON *e = root->child; e; e = e->next) {
        if (!strcmp(e->string, "graph")) parse_graph(&c, sc, e, base_dir);
        else if (!strcmp(e->string, "campaigns")) parse_campaigns(&c, sc, e, base_dir);
        else {
            const key_t *k = NULL;
            for (size_t i = 0; i < ks_top.n; i++)
                if (!strcmp(ks_top.keys[i].name, e->string)) k = &ks_top.keys[i];
            if (!k) unknown_key(&c, e->string, e->string, top_names, 7);
            else parse_value(&c, e, k, (char *)sc, e->string);
        }
    }
    cJSON_Delete(root);
    free(copy);
    if (d->count == 0) cross_checks(&c, sc);
    if (d->count == 0) {
        /* the library's own checks, as a safety net */
        fsn_error_t e;
        if (fsn_attr_params_check(&sc->users, &e)) diag(&c, "users", "%s", e.msg);
        fsn_world_params_t tmp = sc->behaviour;
        for (size_t i = 0; i < sc->ncampaigns; i++)
            if (sc->campaigns[i].seeding.kind == FSN_SEED_FILE) {
                /* the list comes at run time; check the rest */
                static const fsn_vid_t one = 0;
                sc->campaigns[i].seeding.list = &one;
                sc->campaigns[i].seeding.list_len = 1;
            }
        if (fsn_world_params_check(&tmp, sc->campaigns, sc->ncampaigns, NULL, &e)) diag(&c, NULL, "%s", e.msg);
        else sc->behaviour.react_delay = tmp.react_delay;
        for (size_t i = 0; i < sc->ncampaigns; i++) {
            sc->campaigns[i].seeding.list = NULL;
            sc->campaigns[i].seeding.list_len = 0;
        }
    }
    return d->count ? FSN_EINVAL : FSN_OK;
}

fsn_err_t fsn_scenario_load(fsn_scenario_t *sc, const char *path, const char *const *sets,
                            size_t nsets, fsn_diags_t *d) {
    FSN_REQUIRE(sc && path);
    fsn_diags_t local;
    if (!d) d = &local;
    fsn_diags_clear(d);
    ctx_t c = {d, path, -1, NULL};
    FILE *f = fopen(path, "rb");
    if (!f) {
        fsn_scenario_default(sc);
        diag(&c, NULL, "cannot open: %s", strerror(errno));
        /* "PATH: : msg" -> "PATH: msg" */
        return FSN_EIO;
    }
    enum { LIMIT = 16 << 20 };
    char *buf = malloc(LIMIT + 1);
    if (!buf) {
        fclose(f);
        diag(&c, NULL, "out of memory reading it");
        return FSN_ENOMEM;
    }
    size_t n = fread(buf, 1, LIMIT + 1, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        fsn_scenario_default(sc);
        diag(&c, NULL, "cannot read: %s", strerror(errno ? errno : EIO));
        return FSN_EIO;
    }
    if (n > LIMIT) {
        free(buf);
        fsn_scenario_default(sc);
        diag(&c, NULL, "larger than 16 MB; a scenario is a small JSON file");
        return FSN_EINVAL;
    }
    char dir[FSN_SCENARIO_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    else snprintf(dir, sizeof dir, ".");
    fsn_err_t rc = fsn_scenario_parse(sc, buf, n, path, dir, sets, nsets, d);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Paths                                                              */
/* ------------------------------------------------------------------ */

int fsn_scenario_key_type(const char *path) {
    char buf[512];
    if (!path || strlen(path) >= sizeof buf) return FSN_KEY_UNKNOWN;
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL, *tok = strtok_r(buf, ".", &save);
    if (!tok) return FSN_KEY_UNKNOWN;
    const keyset_t *ks = &ks_top;
    if (!strncmp(tok, "campaigns[", 10)) ks = &ks_campaign;
    else if (!strcmp(tok, "graph")) return FSN_KEY_OTHER;
    else {
        save = NULL;
        snprintf(buf, sizeof buf, "%s", path);
        tok = strtok_r(buf, ".", &save);
        goto lookup;
    }
    tok = strtok_r(NULL, ".", &save);
lookup:
    while (tok) {
        const key_t *k = NULL;
        for (size_t i = 0; i < ks->n; i++)
            if (!strcmp(ks->keys[i].name, tok)) k = &ks->keys[i];
        if (!k) return FSN_KEY_UNKNOWN;
        char *next = strtok_r(NULL, ".", &save);
        if (k->type == K_OBJ) {
            if (!next) return FSN_KEY_OTHER;
            ks = k->sub;
            tok = next;
            continue;
        }
        if (k->type == K_MAP || k->type == K_MAP2) {
            if (!next) return FSN_KEY_OTHER;
            int found = 0;
            for (int i = 0; i < k->n; i++) found |= k->names[i] && !strcmp(k->names[i], next);
            if (!found) return FSN_KEY_UNKNOWN;
            char *inner = strtok_r(NULL, ".", &save);
            if (k->type == K_MAP) return inner ? FSN_KEY_UNKNOWN : FSN_KEY_NUMBER;
            if (!inner) return FSN_KEY_OTHER;
            for (int i = 0; i < k->n2; i++)
                if (!strcmp(k->names2[i], inner)) return strtok_r(NULL, ".", &save) ? FSN_KEY_UNKNOWN : FSN_KEY_NUMBER;
            return FSN_KEY_UNKNOWN;
        }
        if (next) return FSN_KEY_UNKNOWN;
        if (k->type == K_NUM || k->type == K_FEN) return FSN_KEY_NUMBER;
        if (k->type == K_U32 || k->type == K_U64) return FSN_KEY_INTEGER;
        return FSN_KEY_OTHER;
    }
    return FSN_KEY_UNKNOWN;
}

fsn_err_t fsn_scenario_get_number(const fsn_scenario_t *sc, const char *path, double *out) {
    char *json = fsn_scenario_to_json(sc);
    if (!json) return FSN_ENOMEM;
    cJSON *root = cJSON_Parse(json);
    free(json);
    if (!root) return FSN_ENOMEM;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *node = root;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok && node; tok = strtok_r(NULL, ".", &save)) {
        char *br = strchr(tok, '[');
        long idx = -1;
        if (br) {
            idx = strtol(br + 1, NULL, 10);
            *br = 0;
        }
        node = cJSON_GetObjectItemCaseSensitive(node, tok);
        if (node && idx >= 0) node = cJSON_GetArrayItem(node, (int)idx);
    }
    fsn_err_t rc = FSN_EINVAL;
    if (node && cJSON_IsNumber(node)) {
        *out = node->valuedouble;
        rc = FSN_OK;
    }
    cJSON_Delete(root);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Graph and seeds                                                    */
/* ------------------------------------------------------------------ */

fsn_err_t fsn_scenario_graph(const fsn_scenario_t *sc, fsn_csr_t *g, fsn_error_t *err) {
    fsn_err_t rc;
    if (sc->graph_file[0]) rc = fsn_graph_read(g, sc->graph_file, err);
    else if (sc->graph_kind == FSN_GEN_WECHAT) rc = fsn_wechat_generate(g, NULL, &sc->wechat, err);
    else {
        fsn_gen_params_t p = sc->gen;
        p.kind = (fsn_gen_kind_t)sc->graph_kind;
        rc = fsn_graph_generate(g, &p, err);
    }
    if (!rc && sc->reorder) rc = fsn_csr_reorder_bfs(g, NULL, err);
    return rc;
}

fsn_err_t fsn_scenario_seed_lists(fsn_scenario_t *sc, const fsn_csr_t *g,
                                  fsn_vid_t *lists[FSN_CAMPAIGNS_MAX], fsn_error_t *err) {
    for (size_t i = 0; i < FSN_CAMPAIGNS_MAX; i++) lists[i] = NULL;
    for (size_t i = 0; i < sc->ncampaigns; i++) {
        fsn_campaign_t *k = &sc->campaigns[i];
        if (k->seeding.count > g->n)
            return fsn_error_set(err, FSN_EINVAL, "campaigns[%zu].seeding.count: must be at most the graph's %u users, got %u",
                                 i, g->n, k->seeding.count);
        if (k->seeding.kind != FSN_SEED_FILE) continue;
        size_t cnt;
        fsn_err_t rc = fsn_seed_read(sc->seed_file[i], g, &lists[i], &cnt, err);
        if (rc) {
            for (size_t j = 0; j < i; j++) {
                free(lists[j]);
                lists[j] = NULL;
            }
            return rc;
        }
        k->seeding.list = lists[i];
        k->seeding.list_len = cnt;
    }
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Output: normalised JSON and the reference                          */
/* ------------------------------------------------------------------ */

static void indent(fsn_tb_t *b, int d) {
    for (int i = 0; i < d; i++) fsn_tb_printf(b, "  ");
}

static void emit_num(fsn_tb_t *b, double x) { fsn_tb_num(b, x, "null"); }

static void emit_obj(fsn_tb_t *b, const keyset_t *ks, const char *base, int depth, int camp_kind, const char *seed_file);

static void emit_value(fsn_tb_t *b, const key_t *k, const char *base, int depth, int camp_kind, const char *seed_file) {
    switch (k->type) {
    case K_NUM: emit_num(b, *(const double *)(base + k->off)); break;
    case K_U32: fsn_tb_printf(b, "%u", *(const uint32_t *)(base + k->off)); break;
    case K_U64: fsn_tb_printf(b, "%llu", (unsigned long long)*(const uint64_t *)(base + k->off)); break;
    case K_FEN: emit_num(b, (double)*(const int64_t *)(base + k->off) / 100.0); break;
    case K_BOOL: fsn_tb_printf(b, "%s", *(const int *)(base + k->off) ? "true" : "false"); break;
    case K_ENUM: {
        int v = *(const int *)(base + k->off) - k->base;
        fsn_tb_json_str(b, v >= 0 && v < k->n ? k->names[v] : "unknown");
        break;
    }
    case K_STR: fsn_tb_json_str(b, base + k->off); break;
    case K_SEEDFILE: fsn_tb_json_str(b, seed_file ? seed_file : ""); break;
    case K_MAP:
    case K_MAP2: {
        const double *a = (const double *)(base + k->off);
        fsn_tb_printf(b, "{");
        int first = 1;
        for (int i = 0; i < k->n; i++) {
            if (!k->names[i]) continue;
            fsn_tb_printf(b, "%s", first ? "" : ", ");
            first = 0;
            fsn_tb_json_str(b, k->names[i]);
            fsn_tb_printf(b, ": ");
            if (k->type == K_MAP) emit_num(b, a[i]);
            else {
                fsn_tb_printf(b, "{");
                for (int j = 0; j < k->n2; j++) {
                    fsn_tb_printf(b, "%s", j ? ", " : "");
                    fsn_tb_json_str(b, k->names2[j]);
                    fsn_tb_printf(b, ": ");
                    emit_num(b, a[i * k->n2 + j]);
                }
                fsn_tb_printf(b, "}");
            }
        }
        fsn_tb_printf(b, "}");
        break;
    }
    case K_MASKS: {
        const uint8_t *m = (const uint8_t *)(base + k->off);
        fsn_tb_printf(b, "{");
        for (int i = 0; i < k->n; i++) {
            fsn_tb_printf(b, "%s", i ? ", " : "");
            fsn_tb_json_str(b, k->names[i]);
            fsn_tb_printf(b, ": [");
            int first = 1;
            for (int j = 0; j < FSN_PAY_COUNT; j++)
                if (m[i] & FSN_PAY_BIT(j)) {
                    fsn_tb_printf(b, "%s", first ? "" : ", ");
                    first = 0;
                    fsn_tb_json_str(b, pay_names[j]);
                }
            fsn_tb_printf(b, "]");
        }
        fsn_tb_printf(b, "}");
        break;
    }
    case K_OBJ: emit_obj(b, k->sub, base, depth, camp_kind, seed_file); break;
    }
}

static void emit_obj(fsn_tb_t *b, const keyset_t *ks, const char *base, int depth, int camp_kind, const char *seed_file) {
    fsn_tb_printf(b, "{\n");
    int first = 1;
    for (size_t i = 0; i < ks->n; i++) {
        const key_t *k = &ks->keys[i];
        if (k->type == K_OBJ && k->only >= 0 && k->only != camp_kind) continue;
        if (k->type == K_SEEDFILE && !(seed_file && *seed_file)) continue;
        fsn_tb_printf(b, "%s", first ? "" : ",\n");
        first = 0;
        indent(b, depth + 1);
        fsn_tb_json_str(b, k->name);
        fsn_tb_printf(b, ": ");
        emit_value(b, k, base, depth + 1, camp_kind, seed_file);
    }
    fsn_tb_printf(b, "\n");
    indent(b, depth);
    fsn_tb_printf(b, "}");
}

char *fsn_scenario_to_json(const fsn_scenario_t *sc) {
    FSN_REQUIRE(sc);
    fsn_tb_t b = {0};
    fsn_tb_printf(&b, "{\n  \"name\": ");
    fsn_tb_json_str(&b, sc->name);
    fsn_tb_printf(&b, ",\n  \"graph\": {");
    if (sc->graph_file[0]) {
        fsn_tb_printf(&b, "\"file\": ");
        fsn_tb_json_str(&b, sc->graph_file);
    } else {
        const int k = sc->graph_kind;
        fsn_tb_printf(&b, "\"generator\": ");
        fsn_tb_json_str(&b, fsn_gen_kind_name((fsn_gen_kind_t)k));
        if (k == FSN_GEN_WECHAT) {
            fsn_tb_printf(&b, ", \"n\": %u, \"mean_degree\": ", sc->wechat.n);
            emit_num(&b, sc->wechat.mean_degree);
            fsn_tb_printf(&b, ", \"seed\": %llu", (unsigned long long)sc->wechat.seed);
        } else {
            const fsn_gen_params_t *p = &sc->gen;
            fsn_tb_printf(&b, ", \"n\": %u", p->n);
            if (k == FSN_GEN_ERDOS_RENYI || k == FSN_GEN_BARABASI) fsn_tb_printf(&b, ", \"m\": %llu", (unsigned long long)p->m);
            if (k == FSN_GEN_ERDOS_RENYI || k == FSN_GEN_WATTS_STROGATZ) {
                fsn_tb_printf(&b, ", \"p\": ");
                emit_num(&b, p->p);
            }
            if (k == FSN_GEN_WATTS_STROGATZ || k == FSN_GEN_K_REGULAR) fsn_tb_printf(&b, ", \"k\": %u", p->k);
            if (k == FSN_GEN_CONFIG_POWERLAW) {
                fsn_tb_printf(&b, ", \"exponent\": ");
                emit_num(&b, p->exponent);
                fsn_tb_printf(&b, ", \"min_degree\": %u", p->min_degree);
            }
            if (k == FSN_GEN_SBM) {
                fsn_tb_printf(&b, ", \"blocks\": %u, \"p_in\": ", p->blocks);
                emit_num(&b, p->p_in);
                fsn_tb_printf(&b, ", \"p_out\": ");
                emit_num(&b, p->p_out);
            }
            fsn_tb_printf(&b, ", \"seed\": %llu", (unsigned long long)p->seed);
        }
    }
    fsn_tb_printf(&b, ", \"reorder\": %s}", sc->reorder ? "true" : "false");
    for (size_t i = 0; i < ks_top.n; i++) {
        const key_t *k = &ks_top.keys[i];
        if (!strcmp(k->name, "name")) continue;
        if (!strcmp(k->name, "run")) {
            /* campaigns go before run, as in the examples */
            fsn_tb_printf(&b, ",\n  \"campaigns\": [");
            for (size_t c = 0; c < sc->ncampaigns; c++) {
                fsn_tb_printf(&b, "%s\n    ", c ? "," : "");
                emit_obj(&b, &ks_campaign, (const char *)&sc->campaigns[c], 2, sc->campaigns[c].kind, sc->seed_file[c]);
            }
            fsn_tb_printf(&b, "\n  ]");
        }
        fsn_tb_printf(&b, ",\n  ");
        fsn_tb_json_str(&b, k->name);
        fsn_tb_printf(&b, ": ");
        emit_value(&b, k, (const char *)sc, 1, -1, NULL);
    }
    fsn_tb_printf(&b, "\n}\n");
    if (b.fail) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static void ref_default(fsn_tb_t *b, const key_t *k, const char *base) {
    fsn_tb_t t = {0};
    emit_value(&t, k, base, 0, -1, NULL);
    if (t.s && !t.fail) {
        /* Markdown table cells: no pipes */
        for (char *p = t.s; *p; p++)
            if (*p == '|') *p = '/';
        fsn_tb_printf(b, "`%s`", t.s);
    }
    free(t.s);
}

static void ref_range(fsn_tb_t *b, const key_t *k) {
    char r[96];
    switch (k->type) {
    case K_NUM:
    case K_MAP:
    case K_MAP2:
    case K_FEN:
        range_text(r, sizeof r, k->lo, k->hi, k->flags, 0);
        fsn_tb_printf(b, "%s", r);
        break;
    case K_U32:
    case K_U64:
        range_text(r, sizeof r, k->lo, k->hi, k->flags, 1);
        fsn_tb_printf(b, "integer %s", r);
        break;
    case K_ENUM:
        for (int i = 0; i < k->n; i++) fsn_tb_printf(b, "%s`%s`", i ? ", " : "", k->names[i]);
        break;
    case K_MASKS: fsn_tb_printf(b, "`wechat`, `alipay`, `unionpay`"); break;
    default: break;
    }
}

static void ref_keys(fsn_tb_t *b, const keyset_t *ks, const char *base, const char *prefix) {
    for (size_t i = 0; i < ks->n; i++) {
        const key_t *k = &ks->keys[i];
        char path[256];
        snprintf(path, sizeof path, "%s%s", prefix, k->name);
        if (k->type == K_OBJ) {
            char sub[260];
            snprintf(sub, sizeof sub, "%s.", path);
            ref_keys(b, k->sub, base, sub);
            continue;
        }
        fsn_tb_printf(b, "| `%s` | %s | ", path, k->unit ? k->unit : "");
        if (base && k->type != K_SEEDFILE) ref_default(b, k, base);
        fsn_tb_printf(b, " | ");
        ref_range(b, k);
        fsn_tb_printf(b, " | ");
        for (const char *q = k->doc ? k->doc : ""; *q; q++) fsn_tb_printf(b, *q == '|' ? "\\|" : "%c", *q);
        fsn_tb_printf(b, " |\n");
    }
}

char *fsn_scenario_reference(void) {
    fsn_scenario_t *sc = malloc(sizeof *sc);
    if (!sc) return NULL;
    fsn_scenario_default(sc);
    fsn_campaign_t cps[FSN_CAMP_KIND_COUNT];
    for (int k = 0; k < FSN_CAMP_KIND_COUNT; k++) {
        fsn_campaign_default(&cps[k], (fsn_camp_kind_t)k);
        cps[k].cuts.min_cut_fen = 500;
        cps[k].seeding.count = 50;
    }
    fsn_tb_t b = {0};
    const char *head = "| key | unit | default | allowed | meaning |\n|---|---|---|---|---|\n";
    fsn_tb_printf(&b, "### graph\n\n%s", head);
    for (size_t i = 0; i < NGKEYS; i++)
        fsn_tb_printf(&b, "| `graph.%s` | %s | %s | %s | %s |\n", g_keys[i].name, g_keys[i].unit, g_keys[i].def,
               g_keys[i].allowed, g_keys[i].doc);
    for (size_t i = 0; i < ks_top.n; i++) {
        const key_t *k = &ks_top.keys[i];
        if (!strcmp(k->name, "name")) continue;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s.", k->name);
        fsn_tb_printf(&b, "\n### %s\n\n%s", k->name, head);
        ref_keys(&b, k->sub, (const char *)sc, prefix);
        if (!strcmp(k->name, "behaviour")) {
            fsn_tb_printf(&b, "\n### campaigns\n\n`campaigns` is a list of 1 to %d objects. Every campaign takes the "
                       "defaults of its type; the `group`, `bargain` and `redpacket` objects are only for a "
                       "campaign of that type.\n\n%s",
                   FSN_CAMPAIGNS_MAX, head);
            ref_keys(&b, &ks_campaign, (const char *)&cps[FSN_CAMP_GROUP], "campaigns[i].");
        }
    }
    free(sc);
    if (b.fail) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* The comment rules and positions above, for the sweep parser (jsonc.h). */
long fsn_jsonc_blank_comments(char *t, size_t len) { return blank_comments(t, len); }

void fsn_jsonc_line_col(const char *text, const char *at, int *line, int *col) { line_col(text, at, line, col); }
