/*
 * models/world.c: the campaign world's life cycle and its metric table.
 *
 * fsn_world_new allocates everything a run needs, sized by the number of
 * users and campaigns, and registers the seven modules on the world's
 * own engine; fsn_world_run resets the state (O(n), no allocation),
 * draws who is a customer and who has the app, posts each campaign's
 * launch, starts traffic and policy, runs the engine to the horizon and
 * fills the metric table. Only the instance pools grow during a run
 * (geometrically, kept across replicates).
 *
 * The metric table is written by one function, emit(), that runs in two
 * modes: at creation it records the names, after a run the values. The
 * same code path for both means a name and its value can never drift
 * apart, and the set of names depends only on the campaigns.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

/* ------------------------------------------------------------------ */
/* Names                                                              */
/* ------------------------------------------------------------------ */

static const char *const kind_names[] = {"link", "group", "bargain", "redpacket"};
static const char *const channel_names[] = {"mini_program", "app", "wechat_store"};
static const char *const source_names[] = {"wechat_link", "alipay_mini", "short_video", "other"};
static const char *const via_names[] = {"private", "group_chat", "moments"};
static const char *const regime_names[] = {"block", "selective", "ratelimit"};

static int parse_in(const char *const *names, int n, const char *s) {
    if (!s) return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

#define NAME_FN(fn, arr, cnt)                                                   \
    const char *fn##_name(int k) { return k >= 0 && k < (cnt) ? arr[k] : "unknown"; } \
    int fn##_parse(const char *s) { return parse_in(arr, (cnt), s); }

NAME_FN(fsn_camp_kind, kind_names, FSN_CAMP_KIND_COUNT)
NAME_FN(fsn_channel, channel_names, FSN_CH_COUNT)
NAME_FN(fsn_source, source_names, FSN_SRC_COUNT)
NAME_FN(fsn_via, via_names, FSN_VIA_COUNT)
NAME_FN(fsn_regime, regime_names, FSN_REGIME_COUNT)

/* ------------------------------------------------------------------ */
/* Defaults and checks                                                */
/* ------------------------------------------------------------------ */

void fsn_campaign_default(fsn_campaign_t *c, fsn_camp_kind_t k) {
    FSN_REQUIRE(c && (int)k >= 0 && k < FSN_CAMP_KIND_COUNT);
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", kind_names[k]);
    c->kind = k;
    c->launch = 0;
    c->price = 199;
    c->budget = 0;
    c->seeding.kind = FSN_SEED_RANDOM;
    c->seeding.count = 20;
    c->group_size = 3;
    c->group_deadline = 24;
    c->group_price = 149;
    c->coupon_value = 10;
    c->coupon_validity = 72;
    c->floor_price = 20;
    c->bargain_deadline = 24;
    fsn_cut_schedule_default(&c->cuts);
    c->cuts.min_cut_fen = 500;   /* 5 CNY: about a dozen helpers from 199 to 20 */
    c->packet_total = 20;
    c->packet_claims = 10;
    c->packet_min_spend = 99;
}

void fsn_world_params_default(fsn_world_params_t *p) {
    FSN_REQUIRE(p);
    memset(p, 0, sizeof *p);
    const double via[] = {0.5, 0.3, 0.2}, att[] = {0.9, 0.4, 0.15}, clk[] = {0.5, 0.3, 0.2};
    for (int i = 0; i < FSN_VIA_COUNT; i++) {
        p->via_prob[i] = via[i];
        p->attention[i] = att[i];
        p->click[i] = clk[i];
    }
    p->private_friends = 3;
    p->trust_floor = 0.3;
    p->fatigue = 0.6;
    p->react_delay.kind = FSN_DELAY_LOGNORMAL;
    p->react_delay.mean = 3.0;
    p->react_delay.shape = 1.0;
    const double si[] = {0.5, 0.95, 0.98, 0.9}, sp[] = {0.2, 0.4, 0.5, 0.35};
    const double pb[] = {0.0, -0.5, 0.5, 1.5}, oo[] = {0.0, 0.3, 0.25, 0.1};
    for (int k = 0; k < FSN_CAMP_KIND_COUNT; k++) {
        p->share_initiator[k] = si[k];
        p->share_participant[k] = sp[k];
        p->part_base[k] = pb[k];
        p->open_own[k] = oo[k];
    }
    p->share_buyer_boost = 0.2;
    p->coupon_reshare = 0.3;
    for (int k = 0; k < FSN_CAMP_KIND_COUNT; k++) p->remind[k] = 0.0;
    p->remind_interval = 6.0;
    p->part_trust = 1.0;
    p->part_price = 1.0;
    p->buy_base = -2.2;
    p->buy_channel[FSN_CH_MINI] = -0.3;
    p->buy_channel[FSN_CH_APP] = 0.3;
    p->buy_channel[FSN_CH_STORE] = -0.8;
    p->buy_trust = 1.0;
    p->buy_deal = 3.0;
    p->buy_price = 1.5;
    p->buy_highprice_outside_app = 0.8;
    p->buy_member = 0.5;
    p->buy_coupon = 0.5;
    for (int k = 0; k < FSN_CAMP_KIND_COUNT; k++) p->buy_kind[k] = 0.0;
    p->join_pay = 1.0;
    p->ref_price = 200;
    const double app[] = {0.95, 0.9, 0.75}, pm[] = {0.35, 0.45, 0.62};
    for (int t = 0; t < FSN_TIER_COUNT; t++) {
        p->app_installed[t] = app[t];
        p->prefer_mini[t] = pm[t];
    }
    p->customer_share = 0.6;
    p->visit_rate = 1.0;
    p->visit_channel[FSN_CH_MINI] = 0.2;
    p->visit_channel[FSN_CH_APP] = 1.0;
    p->visit_channel[FSN_CH_STORE] = 0.1;
    p->visit_mini_tier3 = 2.0;
    p->visit_mini_wechat = 1.5;
    p->catalogue_price[FSN_CH_MINI] = 150;
    p->catalogue_price[FSN_CH_APP] = 250;
    p->catalogue_price[FSN_CH_STORE] = 90;
    p->catalogue_sigma = 0.8;
    p->member_visit_lift = 0.5;
    p->arrivals[FSN_SRC_WECHAT] = 0;
    p->arrivals[FSN_SRC_ALIPAY] = 2.0;
    p->arrivals[FSN_SRC_VIDEO] = 2.5;
    p->arrivals[FSN_SRC_OTHER] = 3.5;
    p->source_intent[FSN_SRC_WECHAT] = 0.5;
    p->source_intent[FSN_SRC_ALIPAY] = 0.0;
    p->source_intent[FSN_SRC_VIDEO] = -0.5;
    p->source_intent[FSN_SRC_OTHER] = -0.2;
    for (int s = 0; s < FSN_SRC_COUNT; s++) p->source_price[s] = 0.0;
    p->churn_rate = 0.03;
    p->churn_trust = 0.8;
    p->churn_member = 0.5;
    p->churn_intent = 0.5;
    p->channel_methods[FSN_CH_MINI] = FSN_PAY_BIT(FSN_PAY_WECHAT);
    p->channel_methods[FSN_CH_APP] = FSN_PAY_MASK_ALL;
    p->channel_methods[FSN_CH_STORE] = FSN_PAY_BIT(FSN_PAY_WECHAT);
    p->bind_on_demand = 0.5;
    p->pay_discount_method = -1;
    p->pay_discount = 0;
    p->nudge[FSN_PAY_WECHAT] = 0.25;
    p->nudge[FSN_PAY_ALIPAY] = 0.15;
    p->nudge[FSN_PAY_UNIONPAY] = 0.10;
    p->regime = FSN_REGIME_RATELIMIT;
    p->workaround_pass = 0.3;
    p->workaround_delay = 0.5;
    p->selective_penalty = -0.5;
    p->rate_limit_user = 20;
    p->rate_limit_global = 0;
    p->complaint = 0.02;
    p->whitelist = 1;
    p->review_interval = 24;
    p->tighten_above = 0.03;
    p->loosen_below = 0.007;
    p->horizon = 720;
    p->bin = 24;
    p->retention_days = 30;
}

#define BAD(fmt, ...) return fsn_error_set(err, FSN_EINVAL, fmt, __VA_ARGS__)

static int is_prob(double x) { return x >= 0.0 && x <= 1.0; }
static int is_fin(double x) { return isfinite(x); }

static fsn_err_t check_probs(const double *x, int n, const char *name, fsn_error_t *err) {
    for (int i = 0; i < n; i++)
        if (!is_prob(x[i])) BAD("behaviour.%s[%d] = %g, expected a probability in [0, 1]", name, i, x[i]);
    return FSN_OK;
}

static fsn_err_t check_finite(const double *x, int n, const char *name, fsn_error_t *err) {
    for (int i = 0; i < n; i++)
        if (!is_fin(x[i])) BAD("behaviour.%s[%d] = %g, expected a finite number", name, i, x[i]);
    return FSN_OK;
}

#define PROBS(f, n) do { fsn_err_t r_ = check_probs(p->f, n, #f, err); if (r_) return r_; } while (0)
/* A log price shift: finite and in [-5, 5] (a factor of e^5 either way). */
static fsn_err_t check_log_shifts(const double *x, int n, const char *name, fsn_error_t *err) {
    for (int i = 0; i < n; i++)
        if (!(x[i] >= -5 && x[i] <= 5)) BAD("behaviour.%s[%d] = %g, expected a log shift in [-5, 5]", name, i, x[i]);
    return FSN_OK;
}
#define LOGSHIFTS(f, n) do { fsn_err_t r_ = check_log_shifts(p->f, n, #f, err); if (r_) return r_; } while (0)
#define FINITES(f, n) do { fsn_err_t r_ = check_finite(p->f, n, #f, err); if (r_) return r_; } while (0)
#define PROB(f) do { if (!is_prob(p->f)) BAD("behaviour.%s = %g, expected a probability in [0, 1]", #f, p->f); } while (0)
#define FINITE(f) do { if (!is_fin(p->f)) BAD("behaviour.%s = %g, expected a finite number", #f, p->f); } while (0)
#define NONNEG(f) do { if (!(p->f >= 0) || !is_fin(p->f)) BAD("behaviour.%s = %g, expected a finite number >= 0", #f, p->f); } while (0)
#define POS(f) do { if (!(p->f > 0) || !is_fin(p->f)) BAD("behaviour.%s = %g, expected a finite number > 0", #f, p->f); } while (0)

static fsn_err_t check_campaign(const fsn_campaign_t *c, size_t i, const fsn_csr_t *g,
                                const fsn_campaign_t *all, fsn_error_t *err) {
#define CBAD(fmt, ...) BAD("campaigns[%zu].%s" fmt, i, __VA_ARGS__)
    size_t len = strnlen(c->name, sizeof c->name);
    if (len == 0 || len == sizeof c->name) CBAD(": expected a name of 1 to %d characters", "name", FSN_CAMPAIGN_NAME_MAX - 1);
    for (size_t j = 0; j < len; j++) {
        char ch = c->name[j];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            CBAD(" = \"%s\": expected letters, digits, '_' or '-'", "name", c->name);
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(all[j].name, c->name) == 0) CBAD(" = \"%s\": the name of campaigns[%zu] already", "name", c->name, j);
    if ((int)c->kind < 0 || c->kind >= FSN_CAMP_KIND_COUNT) CBAD(" = %d, expected a campaign kind", "kind", (int)c->kind);
    if (!(c->launch >= 0) || !is_fin(c->launch)) CBAD(" = %g, expected hours >= 0", "launch", c->launch);
    if (!(c->price >= 0.01) || !is_fin(c->price)) CBAD(" = %g, expected a price >= 0.01 CNY", "price", c->price);
    if (!(c->budget >= 0) || !is_fin(c->budget)) CBAD(" = %g, expected CNY >= 0 (0: unlimited)", "budget", c->budget);
    if (c->seeding.count < 1) CBAD(" = %u, expected an integer >= 1", "seeding.count", c->seeding.count);
    if (g && c->seeding.count > g->n) CBAD(" = %u, expected at most the %u users", "seeding.count", c->seeding.count, g->n);
    if ((int)c->seeding.kind < 0 || c->seeding.kind >= FSN_SEED_KIND_COUNT)
        CBAD(" = %d, expected a seeding kind", "seeding.kind", (int)c->seeding.kind);
    if (c->seeding.kind == FSN_SEED_TIER && (c->seeding.tier < 0 || c->seeding.tier >= FSN_TIER_COUNT))
        CBAD(" = %d, expected a city tier", "seeding.tier", c->seeding.tier);
    if (c->seeding.kind == FSN_SEED_FILE && (!c->seeding.list || c->seeding.list_len == 0))
        CBAD(": a file seeding needs its list of users", "seeding");
    if (!(c->coupon_validity > 0) || !is_fin(c->coupon_validity)) CBAD(" = %g, expected hours > 0", "coupon_validity", c->coupon_validity);
    switch (c->kind) {
    case FSN_CAMP_GROUP:
        if (c->group_size < 2) CBAD(" = %u, expected an integer >= 2", "group_size", c->group_size);
        if (c->group_size > 1000) CBAD(" = %u, expected an integer <= 1000", "group_size", c->group_size);
        if (!(c->group_deadline > 0) || !is_fin(c->group_deadline)) CBAD(" = %g, expected hours > 0", "group_deadline", c->group_deadline);
        if (!(c->group_price >= 0.01 && c->group_price <= c->price)) CBAD(" = %g, expected a price in [0.01, price = %g]", "group_price", c->group_price, c->price);
        if (!(c->coupon_value >= 0) || !is_fin(c->coupon_value) || c->coupon_value > 1e6) CBAD(" = %g, expected CNY in [0, 1e6]", "coupon_value", c->coupon_value);
        break;
    case FSN_CAMP_BARGAIN: {
        if (!(c->floor_price >= 0.01 && c->floor_price < c->price)) CBAD(" = %g, expected a price in [0.01, price = %g)", "floor_price", c->floor_price, c->price);
        if (!(c->bargain_deadline > 0) || !is_fin(c->bargain_deadline)) CBAD(" = %g, expected hours > 0", "bargain_deadline", c->bargain_deadline);
        fsn_error_t e2;
        if (fsn_cut_schedule_check(&c->cuts, &e2)) BAD("campaigns[%zu].cuts: %s", i, e2.msg);
        break;
    }
    case FSN_CAMP_REDPACKET:
        if (c->packet_claims < 1 || c->packet_claims > 10000) CBAD(" = %u, expected an integer in [1, 10000]", "packet_claims", c->packet_claims);
        if (!is_fin(c->packet_total) || w_fen(c->packet_total) < (int64_t)c->packet_claims || c->packet_total > 1e6)
            CBAD(" = %g, expected at least 0.01 CNY per claimer (%u claimers) and at most 1e6", "packet_total", c->packet_total, c->packet_claims);
        if (!(c->packet_min_spend >= 0) || !is_fin(c->packet_min_spend)) CBAD(" = %g, expected CNY >= 0", "packet_min_spend", c->packet_min_spend);
        break;
    default: break;
    }
    if (c->price > 1e7) CBAD(" = %g, expected at most 1e7 CNY", "price", c->price);
    return FSN_OK;
#undef CBAD
}

fsn_err_t fsn_world_params_check(fsn_world_params_t *p, const fsn_campaign_t *camps, size_t ncamps,
                                 const fsn_csr_t *g, fsn_error_t *err) {
    FSN_REQUIRE(p);
    PROBS(via_prob, FSN_VIA_COUNT);
    double s = p->via_prob[0] + p->via_prob[1] + p->via_prob[2];
    if (fabs(s - 1.0) > 1e-9) BAD("behaviour.via_prob sums to %g, expected 1", s);
    if (p->private_friends < 1 || p->private_friends > 32)
        BAD("behaviour.private_friends = %u, expected an integer in [1, 32]", p->private_friends);
    PROBS(attention, FSN_VIA_COUNT);
    PROBS(click, FSN_VIA_COUNT);
    PROB(trust_floor);
    PROB(fatigue);
    fsn_error_t e2;
    if (fsn_delay_prepare(&p->react_delay, &e2)) BAD("behaviour.react_delay: %s", e2.msg);
    PROBS(share_initiator, FSN_CAMP_KIND_COUNT);
    PROBS(share_participant, FSN_CAMP_KIND_COUNT);
    PROB(share_buyer_boost);
    PROB(coupon_reshare);
    PROBS(remind, FSN_CAMP_KIND_COUNT);
    if (!(p->remind_interval > 0 && p->remind_interval <= 1e6))
        BAD("behaviour.remind_interval = %g, expected hours in (0, 1000000]", p->remind_interval);
    FINITES(part_base, FSN_CAMP_KIND_COUNT);
    FINITE(part_trust);
    FINITE(part_price);
    PROBS(open_own, FSN_CAMP_KIND_COUNT);
    FINITE(buy_base);
    FINITES(buy_channel, FSN_CH_COUNT);
    FINITE(buy_trust);
    FINITE(buy_deal);
    FINITE(buy_price);
    FINITE(buy_highprice_outside_app);
    FINITE(buy_member);
    FINITE(buy_coupon);
    FINITE(buy_campaign);
    FINITES(buy_kind, FSN_CAMP_KIND_COUNT);
    PROB(join_pay);
    LOGSHIFTS(spend_pref, FSN_PAY_COUNT);
    POS(ref_price);
    PROBS(app_installed, FSN_TIER_COUNT);
    PROBS(prefer_mini, FSN_TIER_COUNT);
    PROB(customer_share);
    NONNEG(visit_rate);
    for (int i = 0; i < FSN_CH_COUNT; i++)
        if (!(p->visit_channel[i] >= 0) || !is_fin(p->visit_channel[i]))
            BAD("behaviour.visit_channel[%d] = %g, expected a weight >= 0", i, p->visit_channel[i]);
    if (!(p->visit_channel[FSN_CH_MINI] + p->visit_channel[FSN_CH_STORE] > 0))
        BAD("behaviour.visit_channel = [%g, %g, %g], expected a mini-program or WeChat store weight > 0 (users without the app visit there)",
            p->visit_channel[0], p->visit_channel[1], p->visit_channel[2]);
    NONNEG(visit_mini_tier3);
    NONNEG(visit_mini_wechat);
    for (int i = 0; i < FSN_CH_COUNT; i++)
        if (!(p->catalogue_price[i] >= 0.01) || !is_fin(p->catalogue_price[i]))
            BAD("behaviour.catalogue_price[%d] = %g, expected a price >= 0.01 CNY", i, p->catalogue_price[i]);
    if (!(p->catalogue_sigma >= 0 && p->catalogue_sigma <= 5)) BAD("behaviour.catalogue_sigma = %g, expected a value in [0, 5]", p->catalogue_sigma);
    NONNEG(member_visit_lift);
    for (int i = 0; i < FSN_SRC_COUNT; i++)
        if (!(p->arrivals[i] >= 0) || !is_fin(p->arrivals[i]))
            BAD("behaviour.arrivals[%d] = %g, expected a rate >= 0", i, p->arrivals[i]);
    FINITES(source_intent, FSN_SRC_COUNT);
    LOGSHIFTS(source_price, FSN_SRC_COUNT);
    NONNEG(churn_rate);
    FINITE(churn_trust);
    FINITE(churn_member);
    FINITE(churn_intent);
    for (int i = 0; i < FSN_CH_COUNT; i++)
        if (p->channel_methods[i] == 0 || (p->channel_methods[i] & ~FSN_PAY_MASK_ALL))
            BAD("behaviour.channel_methods[%d] = %u, expected a non-empty set of methods", i, p->channel_methods[i]);
    PROB(bind_on_demand);
    if (p->pay_discount_method < -1 || p->pay_discount_method >= FSN_PAY_COUNT)
        BAD("behaviour.pay_discount_method = %d, expected -1 (none) or a method", p->pay_discount_method);
    NONNEG(pay_discount);
    PROBS(nudge, FSN_PAY_COUNT);
    if ((int)p->regime < 0 || p->regime >= FSN_REGIME_COUNT) BAD("behaviour.regime = %d, expected a regime", (int)p->regime);
    PROB(workaround_pass);
    NONNEG(workaround_delay);
    FINITE(selective_penalty);
    if (p->rate_limit_user > 65535)
        BAD("behaviour.rate_limit_user = %u, expected shares per hour in [0, 65535] (0: no limit)", p->rate_limit_user);
    PROB(complaint);
    if (p->whitelist != 0 && p->whitelist != 1) BAD("behaviour.whitelist = %d, expected 0 or 1", p->whitelist);
    POS(review_interval);
    PROB(tighten_above);
    PROB(loosen_below);
    if (p->loosen_below > p->tighten_above)
        BAD("behaviour.loosen_below = %g, expected at most tighten_above = %g", p->loosen_below, p->tighten_above);
    POS(horizon);
    POS(bin);
    if (p->horizon / p->bin > 1e6) BAD("behaviour.bin = %g, expected at most 1e6 bins over the horizon", p->bin);
    POS(retention_days);
    if (ncamps > FSN_CAMPAIGNS_MAX) BAD("campaigns: %zu campaigns, expected at most %d", ncamps, FSN_CAMPAIGNS_MAX);
    for (size_t i = 0; i < ncamps; i++) {
        fsn_err_t rc = check_campaign(&camps[i], i, g, camps, err);
        if (rc) return rc;
    }
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Pools                                                              */
/* ------------------------------------------------------------------ */

static int grow(void **ptr, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 1024;
    while (nc < need) nc *= 2;
    void *q = realloc(*ptr, nc * size);
    if (!q) return -1;
    *ptr = q;
    *cap = nc;
    return 0;
}

uint32_t w_inst_new(fsn_world_t *w, uint32_t c, uint32_t owner, double t) {
    if (w->ninst >= UINT32_MAX - 1) return W_NONE;
    size_t cap = w->capinst;
    if (grow((void **)&w->inst, &cap, w->ninst + 1, sizeof *w->inst)) {
        fsn_error_set(w->err, FSN_ENOMEM, "campaign instances: out of memory at %zu", w->ninst);
        return W_NONE;
    }
    w->capinst = cap;
    uint32_t i = (uint32_t)w->ninst++;
    w_inst_t *in = &w->inst[i];
    memset(in, 0, sizeof *in);
    in->owner = owner;
    in->camp = (uint8_t)c;
    in->state = INST_OPEN;
    in->mem = W_NONE;
    in->opened = t;
    in->closed = NAN;
    return i;
}

fsn_err_t w_members_take(fsn_world_t *w, uint32_t k, uint32_t *off);
fsn_err_t w_members_take(fsn_world_t *w, uint32_t k, uint32_t *off) {
    size_t need = w->nmem + k;
    if (need > UINT32_MAX) return fsn_error_set(w->err, FSN_ENOMEM, "group members: more than 2^32");
    if (need > w->capmem) {
        size_t c1 = w->capmem, c2 = w->capmem, c3 = w->capmem, c4 = w->capmem, c5 = w->capmem,
               c6 = w->capmem;
        if (grow((void **)&w->members, &c1, need, sizeof *w->members) ||
            grow((void **)&w->member_ch, &c2, need, 1) || grow((void **)&w->member_tie, &c3, need, 1) ||
            grow((void **)&w->member_paid, &c4, need, sizeof *w->member_paid) ||
            grow((void **)&w->member_disc, &c5, need, sizeof *w->member_disc) ||
            grow((void **)&w->member_coupon, &c6, need, sizeof *w->member_coupon))
            return fsn_error_set(w->err, FSN_ENOMEM, "group members: out of memory at %zu", w->nmem);
        w->capmem = c1;
    }
    *off = (uint32_t)w->nmem;
    w->nmem = need;
    return FSN_OK;
}

int w_budget_take(fsn_world_t *w, uint32_t c, int64_t fen) {
    const fsn_campaign_t *k = &w->camp[c];
    if (k->budget > 0 && w->cc[c].committed_fen + fen > w_fen(k->budget)) return -1;
    w->cc[c].committed_fen += fen;
    return 0;
}

void w_budget_release(fsn_world_t *w, uint32_t c, int64_t fen) { w->cc[c].committed_fen -= fen; }

/* ------------------------------------------------------------------ */
/* Metrics                                                            */
/* ------------------------------------------------------------------ */

typedef struct emitter {
    fsn_world_t *w;
    int names;     /* 1: record names, 0: write values */
    size_t k;
} emitter_t;

static void put(emitter_t *e, double v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(emitter_t *e, double v, const char *fmt, ...) {
    fsn_world_t *w = e->w;
    if (e->names) {
        if (w->names) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(w->names[e->k], sizeof w->names[e->k], fmt, ap);
            va_end(ap);
        }
    } else {
        w->values[e->k] = v;
    }
    e->k++;
}

static double ratio(double a, double b) { return b > 0 ? a / b : NAN; }
static double cny(int64_t fen) { return (double)fen / 100.0; }

static void emit(emitter_t *e) {
    fsn_world_t *w = e->w;
    const double months = w->p.horizon / 720.0;
    /* per-user scans: repurchase by first method, users by method */
    uint64_t first_m[FSN_PAY_COUNT] = {0}, again_m[FSN_PAY_COUNT] = {0}, paid_m[FSN_PAY_COUNT] = {0};
    uint64_t multi_pref[FSN_PAY_COUNT] = {0}, one_method[FSN_PAY_COUNT] = {0};
    uint64_t payers = 0;
    if (!e->names) {
        for (uint32_t v = 0; v < w->n; v++) {
            if (w->orders[v] == 0) continue;
            int m = w->first_method[v];
            if (m < FSN_PAY_COUNT) {
                first_m[m]++;
                again_m[m] += w->orders[v] >= 2;
            }
            uint8_t pm = (uint8_t)(w->chan_seen[v] >> 4);
            if (pm) payers++;
            /* users with two orders or more who paid them all one way */
            if (w->orders[v] >= 2) {
                const int pref = w->u->pref[v];
                multi_pref[pref]++;
                one_method[pref] += (pm & (pm - 1)) == 0;
            }
            for (int j = 0; j < FSN_PAY_COUNT; j++) paid_m[j] += (pm >> j) & 1;
        }
    }
    for (uint32_t c = 0; c < w->nc; c++) {
        const fsn_campaign_t *k = &w->camp[c];
        const w_counts_t *cc = &w->cc[c];
        const char *N = k->name;
        double part = (double)cc->participants;
        put(e, (double)cc->exposed, "campaign.%s.exposed", N);
        put(e, (double)cc->clicked, "campaign.%s.clicked", N);
        put(e, part, "campaign.%s.participants", N);
        put(e, (double)cc->initiators, "campaign.%s.initiators", N);
        put(e, (double)cc->buyers, "campaign.%s.buyers", N);
        put(e, (double)cc->sharers, "campaign.%s.sharers", N);
        put(e, (double)cc->shares, "campaign.%s.shares_sent", N);
        put(e, (double)cc->orders, "campaign.%s.orders", N);
        put(e, cny(cc->gmv_fen), "campaign.%s.gmv", N);
        put(e, (double)cc->refunds, "campaign.%s.refunds", N);
        put(e, cny(cc->refund_fen), "campaign.%s.refund_amount", N);
        put(e, cny(cc->gmv_fen - cc->refund_fen), "campaign.%s.net_gmv", N);
        put(e, cny(cc->subsidy_fen), "campaign.%s.subsidy", N);
        put(e, cny(cc->coupon_fen), "campaign.%s.coupon_cost", N);
        put(e, ratio((double)cc->buyers, cny(cc->subsidy_fen + cc->coupon_fen)), "campaign.%s.buyers_per_yuan", N);
        put(e, ratio((double)cc->clicked, (double)cc->exposed), "campaign.%s.click_rate", N);
        put(e, ratio(part, (double)cc->exposed), "campaign.%s.participation_rate", N);
        put(e, ratio((double)cc->buyers, part), "campaign.%s.conversion_rate", N);
        put(e, ratio((double)cc->sharers, part), "campaign.%s.share_rate", N);
        put(e, part > 0 ? 1.0 - (double)cc->seeds / part : NAN, "campaign.%s.viral_coefficient", N);
        put(e, ratio((double)cc->depth_sum, part - (double)cc->seeds), "campaign.%s.depth_mean", N);
        put(e, (double)cc->depth_max, "campaign.%s.depth_max", N);
        put(e, (double)cc->complaints, "campaign.%s.complaints", N);
        put(e, (double)cc->workaround_lost, "campaign.%s.workaround_lost", N);
        put(e, (double)cc->coupons_issued, "campaign.%s.coupons_issued", N);
        put(e, (double)cc->coupons_used, "campaign.%s.coupons_used", N);
        if (k->kind == FSN_CAMP_GROUP) {
            put(e, (double)cc->opened, "campaign.%s.groups_opened", N);
            put(e, (double)cc->filled, "campaign.%s.groups_filled", N);
            put(e, ratio((double)cc->filled, (double)(cc->filled + cc->failed)), "campaign.%s.fill_rate", N);
            put(e, ratio(cc->fill_time, (double)cc->filled), "campaign.%s.fill_time_mean", N);
            put(e, (double)cc->reminders, "campaign.%s.reminders", N);
        } else if (k->kind == FSN_CAMP_BARGAIN) {
            put(e, (double)cc->opened, "campaign.%s.bargains_opened", N);
            put(e, (double)cc->filled, "campaign.%s.bargains_won", N);
            put(e, ratio((double)cc->filled, (double)(cc->filled + cc->failed)), "campaign.%s.success_rate", N);
            put(e, ratio((double)cc->helpers_won, (double)cc->filled), "campaign.%s.helpers_per_success", N);
            put(e, ratio(cc->fill_time, (double)cc->filled), "campaign.%s.time_to_floor_mean", N);
            put(e, (double)cc->reminders, "campaign.%s.reminders", N);
        } else if (k->kind == FSN_CAMP_REDPACKET) {
            put(e, (double)cc->opened, "campaign.%s.packets_sent", N);
            put(e, ratio((double)cc->claims, (double)cc->slots), "campaign.%s.claim_rate", N);
            put(e, cny(cc->claimed_fen), "campaign.%s.claimed_amount", N);
        }
    }
    uint64_t all_orders = 0, new_total = 0;
    for (int m = 0; m < FSN_PAY_COUNT; m++) all_orders += w->orders_m[m];
    for (int s = 0; s < FSN_SRC_COUNT; s++) new_total += w->new_users[s];
    for (int m = 0; m < FSN_PAY_COUNT; m++) {
        const char *M = fsn_pay_name(m);
        put(e, (double)w->orders_m[m], "pay.%s.orders", M);
        put(e, ratio((double)w->orders_m[m], (double)all_orders), "pay.%s.order_share", M);
        put(e, ratio((double)paid_m[m], (double)payers), "pay.%s.user_share", M);
        put(e, ratio((double)again_m[m], (double)first_m[m]), "pay.%s.repurchase_rate", M);
        put(e, ratio(cny(w->gmv_m[m]), (double)w->orders_m[m]), "pay.%s.order_value", M);
        put(e, ratio((double)w->pref_fixed[m], (double)w->pref_orders[m]), "pay.%s.fixed_rate", M);
        put(e, ratio((double)one_method[m], (double)multi_pref[m]), "pay.%s.one_method_rate", M);
        put(e, ratio((double)w->disc_taken[m], (double)w->disc_offered[m]), "pay.%s.discount_take_rate", M);
    }
    for (int s = 0; s < FSN_SRC_COUNT; s++) {
        const char *S = source_names[s];
        put(e, (double)w->new_users[s], "source.%s.new_users", S);
        put(e, ratio((double)w->new_users[s], (double)new_total), "source.%s.new_user_share", S);
        put(e, ratio((double)w->retained[s], (double)w->observed[s]), "source.%s.retention", S);
        put(e, ratio(cny(w->new_gmv[s]), (double)w->new_orders[s]), "source.%s.order_value", S);
        put(e, ratio((double)w->new_age35[s], (double)w->new_users[s]), "source.%s.age35_share", S);
    }
    for (int ch = 0; ch < FSN_CH_COUNT; ch++) {
        const char *C = channel_names[ch];
        put(e, (double)w->opens[ch], "channel.%s.opens", C);
        put(e, ratio((double)w->opens[ch], (double)w->openers[ch] * months), "channel.%s.opens_per_month", C);
        put(e, ratio((double)w->orders_ch[ch], (double)w->opens[ch]), "channel.%s.conversion", C);
        put(e, (double)w->openers[ch], "channel.%s.users", C);
        put(e, ratio((double)w->buyers_ch[ch], (double)w->openers[ch]), "channel.%s.visitor_conversion", C);
        put(e, ratio(cny(w->gmv_ch[ch]), (double)w->orders_ch[ch]), "channel.%s.order_value", C);
    }
    put(e, (double)all_orders, "all.orders");
    put(e, (double)w->visits, "all.visits");
    put(e, (double)w->visit_orders, "all.visit_orders");
    put(e, (double)new_total, "all.new_users");
    put(e, (double)w->members_made, "all.members_made");
    put(e, (double)w->abandoned, "all.payments_abandoned");
    put(e, (double)w->exposures, "policy.exposures");
    put(e, ratio((double)w->complaints, (double)w->exposures), "policy.complaint_rate");
    put(e, (double)w->shares_limited, "policy.shares_limited");
    put(e, (double)w->workarounds, "policy.workarounds");
    put(e, (double)w->level, "policy.level_final");
    for (int l = 0; l < 3; l++) put(e, w->level_hours[l], "policy.hours_at_level%d", l);
}

size_t fsn_world_metric_count(const fsn_world_t *w) { return w->nmetrics; }
const char *fsn_world_metric_name(const fsn_world_t *w, size_t i) {
    return i < w->nmetrics ? w->names[i] : NULL;
}
long fsn_world_metric_find(const fsn_world_t *w, const char *name) {
    for (size_t i = 0; i < w->nmetrics; i++)
        if (strcmp(w->names[i], name) == 0) return (long)i;
    return -1;
}
const double *fsn_world_metrics(const fsn_world_t *w) { return w->values; }

const uint32_t *fsn_world_series(const fsn_world_t *w, size_t c, int s, size_t *nbins) {
    FSN_REQUIRE(c < w->nc && s >= 0 && s < FSN_SERIES_COUNT);
    if (nbins) *nbins = w->nbins;
    return w->series + (c * FSN_SERIES_COUNT + (size_t)s) * w->nbins;
}

uint64_t fsn_world_events(const fsn_world_t *w) { return fsn_engine_events_run(w->eng); }

int64_t fsn_world_event_describe(const fsn_world_t *w, const fsn_event_t *ev, char *camp, size_t camp_size,
                                 char *details, size_t details_size) {
    FSN_REQUIRE(w && ev && camp && details && camp_size && details_size);
    camp[0] = 0;
    details[0] = 0;
    const uint32_t t = ev->type;
    int64_t user = -1;
    if (t == w->ev_visit) {
        user = ev->a;
    } else if (t == w->ev_launch) {
        if (ev->a < w->nc) snprintf(camp, camp_size, "%s", w->camp[ev->a].name);
        snprintf(details, details_size, "kind=%s", ev->a < w->nc ? kind_names[w->camp[ev->a].kind] : "?");
    } else if (t == w->ev_click || t == w->ev_click_wa) {
        if (ev->b < w->ninst) snprintf(camp, camp_size, "%s", w->camp[w->inst[ev->b].camp].name);
        const uint32_t depth = (uint32_t)floor(ev->x);
        snprintf(details, details_size, "instance=%u depth=%u tie=%.2f", ev->b, depth, (ev->x - depth) * 256.0 / 255.0);
        user = ev->a;
    } else if (t == w->ev_group_deadline || t == w->ev_bargain_deadline || t == w->ev_packet_expire ||
               t == w->ev_remind) {
        if (ev->a < w->ninst) {
            const w_inst_t *in = &w->inst[ev->a];
            snprintf(camp, camp_size, "%s", w->camp[in->camp].name);
            snprintf(details, details_size, "instance=%u state=%s count=%u", ev->a,
                     in->state == INST_DONE ? "done" : in->state == INST_FAILED ? "failed" : "open", in->count);
            user = in->owner;
        }
    } else if (t == w->ev_arrival) {
        snprintf(details, details_size, "source=%s", ev->a < FSN_SRC_COUNT ? source_names[ev->a] : "?");
    } else if (t == w->ev_review) {
        snprintf(details, details_size, "level=%d", w->level);
    }
    return user;
}
fsn_engine_t *fsn_world_engine(fsn_world_t *w) { return w->eng; }

/* ------------------------------------------------------------------ */
/* Life cycle                                                         */
/* ------------------------------------------------------------------ */

void fsn_world_free(fsn_world_t *w) {
    if (!w) return;
    fsn_engine_free(w->eng);
    free(w->flag);
    free(w->source);
    free(w->first_method);
    free(w->chan_seen);
    free(w->chan_bought);
    free(w->orders);
    free(w->trust_in);
    free(w->churn_at);
    free(w->coupon_fen);
    free(w->coupon_until);
    free(w->coupon_camp);
    free(w->rl_hour);
    free(w->rl_count);
    free(w->uc);
    free(w->expo);
    free(w->depth);
    free(w->inst);
    free(w->members);
    free(w->member_ch);
    free(w->member_tie);
    free(w->member_paid);
    free(w->member_disc);
    free(w->member_coupon);
    free(w->series);
    free(w->names);
    free(w->values);
    free(w->mark);
    free(w->seedbuf);
    free(w);
}

fsn_world_t *fsn_world_new(const fsn_csr_t *g, const fsn_users_t *u, const fsn_world_params_t *p,
                           const fsn_campaign_t *camps, size_t ncamps, fsn_error_t *err) {
    FSN_REQUIRE(g && u && p && (camps || ncamps == 0));
    if (u->n != g->n) {
        fsn_error_set(err, FSN_EINVAL, "world: %u users with attributes for a graph of %u", u->n, g->n);
        return NULL;
    }
    if (ncamps > FSN_CAMPAIGNS_MAX) {
        fsn_error_set(err, FSN_EINVAL, "campaigns: %zu campaigns, expected at most %d", ncamps, FSN_CAMPAIGNS_MAX);
        return NULL;
    }
    fsn_world_t *w = calloc(1, sizeof *w);
    if (!w) goto nomem;
    w->g = g;
    w->u = u;
    w->p = *p;
    w->n = g->n;
    w->nc = (uint32_t)ncamps;
    if (ncamps) memcpy(w->camp, camps, ncamps * sizeof *camps);
    const size_t n = g->n, nuc = n * (ncamps ? ncamps : 1);
    w->flag = calloc(n + 1, 1);
    w->source = calloc(n + 1, 1);
    w->first_method = calloc(n + 1, 1);
    w->chan_seen = calloc(n + 1, 1);
    w->chan_bought = calloc(n + 1, 1);
    w->orders = calloc(n + 1, sizeof *w->orders);
    w->trust_in = calloc(n + 1, sizeof *w->trust_in);
    w->churn_at = calloc(n + 1, sizeof *w->churn_at);
    w->coupon_fen = calloc(n + 1, sizeof *w->coupon_fen);
    w->coupon_until = calloc(n + 1, sizeof *w->coupon_until);
    w->coupon_camp = calloc(n + 1, 1);
    w->rl_hour = calloc(n + 1, sizeof *w->rl_hour);
    w->rl_count = calloc(n + 1, sizeof *w->rl_count);
    w->uc = calloc(nuc + 1, 1);
    w->expo = calloc(nuc + 1, 1);
    w->depth = calloc(nuc + 1, sizeof *w->depth);
    w->mark = calloc(n + 1, 1);
    uint32_t maxseeds = 1;
    for (size_t c = 0; c < ncamps; c++)
        if (camps[c].seeding.count > maxseeds) maxseeds = camps[c].seeding.count;
    w->seedbuf = calloc(maxseeds, sizeof *w->seedbuf);
    for (int ch = 0; ch < FSN_CH_COUNT; ch++) w->log_catalogue[ch] = log(p->catalogue_price[ch] / p->ref_price);
    w->nbins = (size_t)ceil(p->horizon / p->bin);
    if (w->nbins < 1) w->nbins = 1;
    w->series = calloc((ncamps ? ncamps : 1) * FSN_SERIES_COUNT * w->nbins, sizeof *w->series);
    if (!w->flag || !w->source || !w->first_method || !w->chan_seen || !w->chan_bought || !w->orders || !w->trust_in ||
        !w->churn_at || !w->coupon_fen || !w->coupon_until || !w->coupon_camp || !w->rl_hour ||
        !w->rl_count || !w->uc || !w->expo || !w->depth || !w->mark || !w->seedbuf || !w->series)
        goto nomem;
    w->eng = fsn_engine_new(n + 1024);
    if (!w->eng) goto nomem;
    if (w_funnel_register(w) || w_group_register(w) || w_bargain_register(w) || w_packet_register(w) ||
        w_traffic_register(w) || w_policy_register(w))
        goto nomem;
    /* metric names: count, then record */
    emitter_t e = {w, 1, 0};
    emit(&e);
    w->nmetrics = e.k;
    w->names = calloc(w->nmetrics, sizeof *w->names);
    w->values = calloc(w->nmetrics, sizeof *w->values);
    if (!w->names || !w->values) goto nomem;
    e.k = 0;
    emit(&e);
    for (size_t i = 0; i < w->nmetrics; i++) w->values[i] = NAN;
    return w;
nomem:
    fsn_world_free(w);
    fsn_error_set(err, FSN_ENOMEM, "world: out of memory for %u users", g->n);
    return NULL;
}

static void reset(fsn_world_t *w) {
    const size_t n = w->n, nuc = n * (w->nc ? w->nc : 1);
    memset(w->flag, 0, n);
    memset(w->source, 0, n);
    memset(w->first_method, 0xff, n);
    memset(w->chan_seen, 0, n);
    memset(w->chan_bought, 0, n);
    memset(w->orders, 0, n * sizeof *w->orders);
    memset(w->trust_in, 0, n * sizeof *w->trust_in);
    for (size_t v = 0; v < n; v++) w->churn_at[v] = INFINITY;
    memset(w->coupon_fen, 0, n * sizeof *w->coupon_fen);
    memset(w->rl_hour, 0, n * sizeof *w->rl_hour);
    memset(w->rl_count, 0, n * sizeof *w->rl_count);
    memset(w->uc, 0, nuc);
    memset(w->expo, 0, nuc);
    memset(w->depth, 0, nuc * sizeof *w->depth);
    memset(w->cc, 0, sizeof w->cc);
    memset(w->series, 0, (w->nc ? w->nc : 1) * FSN_SERIES_COUNT * w->nbins * sizeof *w->series);
    w->ninst = 0;
    w->nmem = 0;
#define Z(a) memset(w->a, 0, sizeof w->a)
    Z(orders_m); Z(buyers_m); Z(rebuyers_m); Z(users_m); Z(pref_orders); Z(pref_fixed);
    Z(disc_offered); Z(disc_taken); Z(gmv_m); Z(opens); Z(openers); Z(orders_ch); Z(buyers_ch); Z(gmv_ch);
    Z(new_users); Z(retained); Z(observed); Z(new_orders); Z(new_age35); Z(arrivals); Z(new_gmv);
#undef Z
    w->abandoned = w->nudged = w->members_made = 0;
    w->visits = w->visit_orders = 0;
    w->exposures = w->complaints = w->shares_limited = w->workarounds = w->workaround_passed = 0;
    w->landed_blocked = 0;
    w->fault = FSN_OK;
    w->have_spare = 0;
    w->spare_normal = 0;
    fsn_engine_reset(w->eng);
}

fsn_err_t fsn_world_run(fsn_world_t *w, fsn_rng_t *rng, fsn_error_t *err) {
    FSN_REQUIRE(w && rng);
    fsn_error_t local;
    if (!err) err = &local;
    err->code = FSN_OK;
    err->msg[0] = 0;
    w->rng = rng;
    w->err = err;
    reset(w);
    const fsn_world_params_t *p = &w->p;
    /* who is a customer, who has the app */
    uint64_t cust = 0;
    for (uint32_t v = 0; v < w->n; v++) {
        uint8_t f = 0;
        if (fsn_rng_bernoulli(rng, p->customer_share)) {
            f |= U_CUSTOMER;
            cust++;
        }
        if (fsn_rng_bernoulli(rng, p->app_installed[w->u->tier[v]])) f |= U_APP;
        w->flag[v] = f;
    }
    w->customers0 = cust;
    /* instances 0 .. nc-1: the campaigns' plain links */
    fsn_err_t rc = FSN_OK;
    for (uint32_t c = 0; c < w->nc; c++)
        if (w_inst_new(w, c, W_NONE, 0.0) == W_NONE) return FSN_ENOMEM;
    for (uint32_t c = 0; c < w->nc && !rc; c++)
        if (w->camp[c].launch <= p->horizon)
            rc = fsn_engine_post(w->eng, w->camp[c].launch, -1, w->ev_launch, c);
    if (!rc) rc = w_traffic_start(w);
    if (!rc) rc = w_policy_start(w);
    if (!rc) rc = fsn_engine_run(w->eng, p->horizon);
    if (!rc && w->fault) rc = w->fault;
    if (rc) {
        if (!err->msg[0]) fsn_error_set(err, rc, "run: the engine failed (%s)", rc == FSN_ENOMEM ? "out of memory" : "error");
        return rc;
    }
    w_policy_close(w, p->horizon);
    emitter_t e = {w, 0, 0};
    emit(&e);
    FSN_REQUIRE(e.k == w->nmetrics);
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Audit                                                              */
/* ------------------------------------------------------------------ */

fsn_err_t fsn_world_audit(const fsn_world_t *w, fsn_error_t *err) {
    int64_t packet_left[FSN_CAMPAIGNS_MAX] = {0};
    for (size_t i = w->nc; i < w->ninst; i++) {
        const w_inst_t *in = &w->inst[i];
        const fsn_campaign_t *k = &w->camp[in->camp];
        if (k->kind == FSN_CAMP_GROUP) {
            if (in->count > k->group_size)
                return fsn_error_set(err, FSN_ESTATE, "group %zu has %u members, above its size %u", i, in->count, k->group_size);
            if (in->state == INST_DONE && in->count != k->group_size)
                return fsn_error_set(err, FSN_ESTATE, "group %zu is filled with %u of %u members", i, in->count, k->group_size);
        } else if (k->kind == FSN_CAMP_BARGAIN) {
            if (in->fen < w_fen(k->floor_price))
                return fsn_error_set(err, FSN_ESTATE, "bargain %zu is at %lld fen, below its floor", i, (long long)in->fen);
            if (in->state == INST_DONE && in->fen != w_fen(k->floor_price))
                return fsn_error_set(err, FSN_ESTATE, "bargain %zu succeeded above its floor", i);
        } else if (k->kind == FSN_CAMP_REDPACKET) {
            if (in->fen < 0 || in->count > k->packet_claims)
                return fsn_error_set(err, FSN_ESTATE, "packet %zu: %lld fen left after %u claims", i, (long long)in->fen, in->count);
            if (in->state == INST_DONE && in->fen != 0)
                return fsn_error_set(err, FSN_ESTATE, "packet %zu fully claimed with %lld fen left", i, (long long)in->fen);
            packet_left[in->camp] += in->fen;
        }
    }
    for (uint32_t c = 0; c < w->nc; c++) {
        const w_counts_t *cc = &w->cc[c];
        const fsn_campaign_t *k = &w->camp[c];
        if (k->kind == FSN_CAMP_REDPACKET && cc->claimed_fen + packet_left[c] != cc->packet_fen)
            return fsn_error_set(err, FSN_ESTATE, "campaign %s: claimed %lld + left %lld != sent %lld fen", k->name,
                                 (long long)cc->claimed_fen, (long long)packet_left[c], (long long)cc->packet_fen);
        if (k->kind == FSN_CAMP_GROUP) {
            /* every member of a failed group was refunded */
            uint64_t members_failed = 0;
            for (size_t i = w->nc; i < w->ninst; i++)
                if (w->inst[i].camp == c && w->inst[i].state == INST_FAILED) members_failed += w->inst[i].count;
            if (members_failed != cc->refunds)
                return fsn_error_set(err, FSN_ESTATE, "campaign %s: %llu members of failed groups, %llu refunds", k->name,
                                     (unsigned long long)members_failed, (unsigned long long)cc->refunds);
        }
        if (cc->buyers > cc->participants)
            return fsn_error_set(err, FSN_ESTATE, "campaign %s: more buyers than participants", k->name);
        if (k->budget > 0 && cc->committed_fen > w_fen(k->budget))
            return fsn_error_set(err, FSN_ESTATE, "campaign %s: committed %lld fen over its budget", k->name, (long long)cc->committed_fen);
    }
    /* every click that landed while links needed the workaround came
     * through it (a WeChat-store campaign's links open inside WeChat and
     * need none); under the block regime that is every click */
    if (w->landed_blocked > w->workaround_passed)
        return fsn_error_set(err, FSN_ESTATE, "%llu clicks landed on blocked links, %llu got through the workaround",
                             (unsigned long long)w->landed_blocked, (unsigned long long)w->workaround_passed);
    if (w->p.regime == FSN_REGIME_BLOCK) {
        uint64_t clicked = 0;
        for (uint32_t c = 0; c < w->nc; c++)
            if (!w->camp[c].wechat_store) clicked += w->cc[c].clicked;
        if (clicked > w->workaround_passed)
            return fsn_error_set(err, FSN_ESTATE, "%llu users clicked blocked links, %llu got through the workaround",
                                 (unsigned long long)clicked, (unsigned long long)w->workaround_passed);
    }
    /* no order without a payment: every campaign order went through
     * w_pay, which books it by method and channel as well */
    uint64_t camp_orders = 0, by_m = 0;
    for (uint32_t c = 0; c < w->nc; c++) camp_orders += w->cc[c].orders;
    for (int m = 0; m < FSN_PAY_COUNT; m++) by_m += w->orders_m[m];
    if (by_m != camp_orders + w->visit_orders)
        return fsn_error_set(err, FSN_ESTATE, "%llu payments for %llu orders", (unsigned long long)by_m,
                             (unsigned long long)(camp_orders + w->visit_orders));
    return FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Read-only views, for outputs                                       */
/* ------------------------------------------------------------------ */

uint32_t fsn_world_user_count(const fsn_world_t *w) { return w->n; }

size_t fsn_world_campaign_count(const fsn_world_t *w) { return w->nc; }

const fsn_campaign_t *fsn_world_campaign(const fsn_world_t *w, size_t c) {
    FSN_REQUIRE(c < w->nc);
    return &w->camp[c];
}

unsigned fsn_world_user_role(const fsn_world_t *w, uint32_t v, size_t c) {
    FSN_REQUIRE(v < w->n && c < w->nc);
    const uint8_t f = w->uc[(size_t)v * w->nc + c];
    return ((f & UC_EXPOSED) ? FSN_ROLE_EXPOSED : 0u) | ((f & UC_PART) ? FSN_ROLE_PART : 0u) |
           ((f & UC_SEED) ? FSN_ROLE_SEED : 0u);
}

size_t fsn_world_instance_count(const fsn_world_t *w) { return w->ninst; }

void fsn_world_instance(const fsn_world_t *w, size_t i, fsn_instance_view_t *out) {
    FSN_REQUIRE(i < w->ninst && out);
    const w_inst_t *in = &w->inst[i];
    out->camp = in->camp;
    out->owner = in->owner == W_NONE ? FSN_NO_OWNER : in->owner;
    out->state = in->state == INST_DONE ? FSN_INST_DONE : in->state == INST_FAILED ? FSN_INST_FAILED : FSN_INST_OPEN;
    out->count = in->count;
    out->opened = in->opened;
    out->closed = in->closed;
}
