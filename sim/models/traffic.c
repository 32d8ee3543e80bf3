/*
 * models/traffic.c: visits, repurchase, new users from outside, churn.
 *
 * Visits. Every customer visits Taobao as a Poisson process of rate
 * visit_rate per day times the user's activity (times 1 + member lift
 * for members of the shop), with one pending "visit" event per user: the
 * handler schedules the next. A visit opens a channel (the app if
 * installed, the mini-program, a WeChat store, by relative weights; the
 * mini-program weighs more in tier 3+ and for WeChat Pay users), looks at
 * a product priced from the channel's catalogue (lognormal around its
 * median, shifted by the spending level of the user's preferred payment
 * method, spend_pref) and buys with the buy logit. A repeat purchase is a visit that
 * buys: the repurchase hazard of a user is visit rate x P(buy), and it
 * depends on the payment habit through membership (payment.c).
 *
 * New users. A user who is not a customer becomes one with a first
 * order: through a friend's link (source WeChat, with the trust of that
 * tie) or after arriving from an outside source (Alipay mini-program,
 * short video, other), which is a Poisson stream of arrivals[s] per day
 * per 1000 non-customers; an arrival makes one visit with the source's
 * intent added to the buy logit, looking at a product whose log price is
 * moved by source_price (what the source advertises: short-video ads
 * favour cheap impulse goods), and leaves if it does not buy. The shift
 * stays with the new user: every later visit of a new user looks at
 * goods of its source's spending level (a source brings shoppers of a
 * kind). For the WeChat link the shift applies from the second order
 * on: the first is the campaign's, at the campaign's price.
 *
 * Churn. A new user's engagement is
 *     e = exp(churn_trust x trust + churn_member x member + churn_intent x intent[s])
 * and the time to churn is exponential with rate churn_rate / e per day;
 * a churned user stops visiting. The churn time is drawn at the first
 * order, so 30-day retention is known for every new user without
 * running 30 days past the last one (it is not a parameter: it follows
 * from the mix of trust, membership and source among new users).
 */
#include <math.h>

#include "world.h"

static double visit_rate_h(const fsn_world_t *w, uint32_t v) {
    double r = w->p.visit_rate / 24.0 * w->u->activity[v];
    if (w->flag[v] & U_MEMBER) r *= 1.0 + w->p.member_visit_lift;
    return r;
}

fsn_err_t w_visit_schedule(fsn_world_t *w, uint32_t v, double t) {
    double r = visit_rate_h(w, v);
    if (!(r > 0)) return FSN_OK;
    double at = t + fsn_rng_exp1(w->rng) / r;
    if (at > w->p.horizon || at >= w->churn_at[v]) return FSN_OK;
    return fsn_engine_post(w->eng, at, 0, w->ev_visit, v);
}

static int visit_channel(fsn_world_t *w, uint32_t v) {
    const fsn_world_params_t *p = &w->p;
    double wt[FSN_CH_COUNT];
    wt[FSN_CH_MINI] = p->visit_channel[FSN_CH_MINI];
    if (w->u->tier[v] == FSN_TIER_3PLUS) wt[FSN_CH_MINI] *= p->visit_mini_tier3;
    if (w->u->pref[v] == FSN_PAY_WECHAT) wt[FSN_CH_MINI] *= p->visit_mini_wechat;
    wt[FSN_CH_APP] = (w->flag[v] & U_APP) ? p->visit_channel[FSN_CH_APP] : 0.0;
    wt[FSN_CH_STORE] = p->visit_channel[FSN_CH_STORE];
    double tot = wt[0] + wt[1] + wt[2];
    double x = fsn_rng_uniform(w->rng) * tot;
    if (x < wt[0]) return FSN_CH_MINI;
    if (x < wt[0] + wt[1]) return FSN_CH_APP;
    return FSN_CH_STORE;
}

/* A standard normal, two per polar-method draw (the second is kept for
 * the next visit; the pair is reset with the world, so a run does not
 * depend on the one before). */
static double normal(fsn_world_t *w) {
    if (w->have_spare) {
        w->have_spare = 0;
        return w->spare_normal;
    }
    double u, v, s;
    do {
        u = 2.0 * fsn_rng_uniform(w->rng) - 1.0;
        v = 2.0 * fsn_rng_uniform(w->rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    w->spare_normal = v * f;
    w->have_spare = 1;
    return u * f;
}

/* One visit: open a channel, look at a product, maybe buy (shift: added
 * to the buy logit; dlp: added to the log price). The price's
 * logarithm is drawn directly (log catalogue + sigma Z), so the buy
 * decision needs no logarithm and the price itself is computed only for
 * a purchase. */
static void visit(fsn_world_t *w, uint32_t v, double shift, double dlp, double t) {
    const fsn_world_params_t *p = &w->p;
    int ch = visit_channel(w, v);
    w_count_open(w, v, ch);
    w->visits++;
    const double lp = w->log_catalogue[ch] + p->spend_pref[w->u->pref[v]] + dlp + p->catalogue_sigma * normal(w);
    if (!fsn_rng_bernoulli(w->rng, w_buy_prob_lp(w, v, ch, lp, 0.0, 0.0, shift))) return;
    int64_t fen = w_fen(p->ref_price * exp(lp));
    if (fen < 1) fen = 1;
    if (w_pay(w, v, ch, -1, fen, 0.0, t, NULL) >= 0) w->visit_orders++;
}

void w_new_user(fsn_world_t *w, uint32_t v, int source, double trust, double t) {
    const fsn_world_params_t *p = &w->p;
    w->flag[v] |= U_CUSTOMER | U_NEW;
    w->source[v] = (uint8_t)source;
    w->trust_in[v] = (float)trust;
    w->new_users[source]++;
    if (w->u->age[v] >= FSN_AGE_35_44) w->new_age35[source]++;
    double e = p->churn_trust * trust + p->churn_intent * p->source_intent[source];
    if (w->flag[v] & U_MEMBER) e += p->churn_member;
    double rate_h = p->churn_rate / 24.0 / exp(e);
    double life = rate_h > 0 ? fsn_rng_exp1(w->rng) / rate_h : INFINITY;
    w->churn_at[v] = (float)(t + life);
    w->observed[source]++;
    if (life > p->retention_days * 24.0) w->retained[source]++;
    /* the new customer starts visiting; a queue that cannot grow is
     * kept as the run's fault (w_pay, the caller, returns a method) */
    fsn_err_t rc = w_visit_schedule(w, v, t);
    if (rc && !w->fault) w->fault = rc;
}

static fsn_err_t on_visit(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)eng;
    fsn_world_t *w = model;
    const uint32_t v = ev->a;
    if (ev->time >= w->churn_at[v]) return FSN_OK;
    /* a new user keeps the spending level of the source that brought
     * it: source_price moves every visit's price, not only the first */
    const double dlp = (w->flag[v] & U_NEW) ? w->p.source_price[w->source[v]] : 0.0;
    visit(w, v, 0.0, dlp, ev->time);
    return w_visit_schedule(w, v, ev->time);
}

static double arrival_rate_h(const fsn_world_t *w, int s) {
    double noncust = (double)(w->n - w->customers0);
    return w->p.arrivals[s] / 1000.0 * noncust / 24.0;
}

static fsn_err_t post_arrival(fsn_world_t *w, int s, double t) {
    double r = arrival_rate_h(w, s);
    if (!(r > 0)) return FSN_OK;
    double at = t + fsn_rng_exp1(w->rng) / r;
    if (at > w->p.horizon) return FSN_OK;
    return fsn_engine_post(w->eng, at, 0, w->ev_arrival, (uint32_t)s);
}

static fsn_err_t on_arrival(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)eng;
    fsn_world_t *w = model;
    const int s = (int)ev->a;
    /* a user who is neither a customer nor an earlier arrival */
    for (int tries = 0; tries < 64; tries++) {
        uint32_t v = (uint32_t)fsn_rng_below(w->rng, w->n);
        if (w->flag[v] & (U_CUSTOMER | U_ARRIVED)) continue;
        w->flag[v] |= U_ARRIVED;
        w->source[v] = (uint8_t)s;
        w->arrivals[s]++;
        visit(w, v, w->p.source_intent[s], w->p.source_price[s], ev->time);
        break;
    }
    return post_arrival(w, s, ev->time);
}

fsn_err_t w_traffic_start(fsn_world_t *w) {
    for (uint32_t v = 0; v < w->n; v++) {
        if (!(w->flag[v] & U_CUSTOMER)) continue;
        fsn_err_t rc = w_visit_schedule(w, v, 0.0);
        if (rc) return rc;
    }
    for (int s = 0; s < FSN_SRC_COUNT; s++) {
        if (s == FSN_SRC_WECHAT) continue;
        fsn_err_t rc = post_arrival(w, s, 0.0);
        if (rc) return rc;
    }
    return FSN_OK;
}

/* A visit a few events ahead: fetch the user's words it will read (at
 * a million users they are cache misses, one per array). */
static void prefetch_visit(const void *model, uint32_t v, int stage) {
    const fsn_world_t *w = model;
    if (stage != 0) return;
    __builtin_prefetch(&w->flag[v], 1);
    __builtin_prefetch(&w->churn_at[v]);
    __builtin_prefetch(&w->chan_seen[v], 1);
    __builtin_prefetch(&w->u->activity[v]);
    __builtin_prefetch(&w->u->tier[v]);
    __builtin_prefetch(&w->u->pref[v]);
    __builtin_prefetch(&w->u->price_sens[v]);
}

static const fsn_event_type_t traffic_events[] = {
    {"visit", on_visit, prefetch_visit},
    {"arrival", on_arrival, NULL},
};
static const fsn_model_type_t traffic_model = {"traffic", 2, traffic_events};

fsn_err_t w_traffic_register(fsn_world_t *w) {
    uint32_t first;
    fsn_err_t rc = fsn_engine_add_model(w->eng, &traffic_model, w, &first);
    if (rc) return rc;
    w->ev_visit = first;
    w->ev_arrival = first + 1;
    return FSN_OK;
}
