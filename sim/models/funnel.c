/*
 * models/funnel.c: the sharing funnel. Launch, share, expose, click, land.
 *
 * A share goes out through one of three WeChat channels. A private chat
 * goes to a few friends picked with probability proportional to tie
 * strength (rejection sampling on the row: strong ties are picked more,
 * and no weight table is needed); a group chat goes to the friends of
 * one of the sharer's circles (the tie kind of a random friend picks the
 * circle); Moments go to every friend. Each receiver notices the share
 * with the channel's attention probability and is then exposed.
 *
 * An exposed user clicks with probability
 *     click[via] x (trust_floor + (1 - trust_floor) x strength) x fatigue^k
 * where k counts the user's earlier exposures to the same campaign. The
 * decision is drawn at exposure and the click is scheduled after a
 * reaction delay, so a user who will not click costs no event. What the
 * click leads to (join, help, claim, consider) is decided when it fires,
 * against the state of the world at that time: a group may have filled
 * in the meantime. A user who does not click may complain (policy.c).
 *
 * A click event carries the receiver (a), the instance (b) and, in x,
 * the cascade depth plus the tie strength byte / 256, so the receiver
 * learns both without a lookup: depth = floor(x), tie = (x - depth) x 256,
 * exact in a double.
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "world.h"

double w_tie(const fsn_world_t *w, uint32_t u, uint32_t v) {
    int64_t k = fsn_csr_find(w->g, u, v);
    return k < 0 ? 0.0 : w->g->tie[k] / 255.0;
}

static const fsn_campaign_t *camp_of(const fsn_world_t *w, uint32_t inst) {
    return &w->camp[w->inst[inst].camp];
}

double w_part_prob(const fsn_world_t *w, uint32_t v, uint32_t c, double trust) {
    const fsn_world_params_t *p = &w->p;
    const fsn_campaign_t *k = &w->camp[c];
    double z = p->part_base[k->kind] + p->part_trust * trust;
    double price = 0;
    if (k->kind == FSN_CAMP_LINK) price = k->price;
    else if (k->kind == FSN_CAMP_GROUP) price = k->group_price;
    if (price > 0) z -= p->part_price * w->u->price_sens[v] * log(price / p->ref_price);
    if (p->regime == FSN_REGIME_SELECTIVE) z += p->selective_penalty;
    return w_logistic(z);
}

double w_buy_prob_lp(const fsn_world_t *w, uint32_t v, int ch, double lp, double deal, double trust,
                     double shift) {
    const fsn_world_params_t *p = &w->p;
    double z = p->buy_base + p->buy_channel[ch] + p->buy_trust * trust + p->buy_deal * deal -
               p->buy_price * w->u->price_sens[v] * lp + shift;
    if (ch != FSN_CH_APP && lp > 0) z -= p->buy_highprice_outside_app * lp;
    if (w->flag[v] & U_MEMBER) z += p->buy_member;
    if (p->regime == FSN_REGIME_SELECTIVE && ch == FSN_CH_MINI) z += p->selective_penalty;
    return w_logistic(z);
}

double w_buy_prob(const fsn_world_t *w, uint32_t v, int ch, double paid, double list, double trust,
                  double shift) {
    return w_buy_prob_lp(w, v, ch, log(paid / w->p.ref_price), 1.0 - paid / list, trust, shift);
}

void w_mark_part(fsn_world_t *w, uint32_t v, uint32_t c, uint32_t depth, double t) {
    uint8_t *f = w_uc(w, v, c);
    if (*f & UC_PART) return;
    *f |= UC_PART;
    w_counts_t *cc = &w->cc[c];
    cc->participants++;
    w_series_add(w, c, FSN_SERIES_PARTICIPANTS, t);
    w->depth[(size_t)v * w->nc + c] = (uint16_t)(depth > 65535 ? 65535 : depth);
    if (!(*f & UC_SEED)) {
        cc->depth_sum += depth;
        if (depth > cc->depth_max) cc->depth_max = depth;
    }
}

void w_count_open(fsn_world_t *w, uint32_t v, int ch) {
    w->opens[ch]++;
    if (!(w->chan_seen[v] & (1u << ch))) {
        w->chan_seen[v] |= (uint8_t)(1u << ch);
        w->openers[ch]++;
    }
}

int w_entry_channel(fsn_world_t *w, uint32_t v, uint32_t c) {
    if (w->camp[c].wechat_store) return FSN_CH_STORE;
    if (w_policy_needs_workaround(w)) return (w->flag[v] & U_APP) ? FSN_CH_APP : -1;
    if (w->p.regime == FSN_REGIME_SELECTIVE) return FSN_CH_MINI;
    if (!(w->flag[v] & U_APP)) return FSN_CH_MINI;
    return fsn_rng_bernoulli(w->rng, w->p.prefer_mini[w->u->tier[v]]) ? FSN_CH_MINI : FSN_CH_APP;
}

fsn_err_t w_maybe_share(fsn_world_t *w, uint32_t u, uint32_t inst, double prob, double t) {
    if (prob <= 0 || !fsn_rng_bernoulli(w->rng, prob)) return FSN_OK;
    return w_share(w, u, inst, t);
}

fsn_err_t w_link_consider(fsn_world_t *w, uint32_t v, uint32_t c, int ch, double trust, double t) {
    const fsn_campaign_t *k = &w->camp[c];
    const double shift = w->p.buy_campaign + w->p.buy_kind[k->kind];
    if (!fsn_rng_bernoulli(w->rng, w_buy_prob(w, v, ch, k->price, k->price, trust, shift))) return FSN_OK;
    w_pay(w, v, ch, (int)c, w_fen(k->price), trust, t, NULL);
    return FSN_OK;
}

/* The QR-code / text-password step: 1 if the user gets through. */
static int workaround(fsn_world_t *w, uint32_t c) {
    w->workarounds++;
    if (!fsn_rng_bernoulli(w->rng, w->p.workaround_pass)) {
        w->cc[c].workaround_lost++;
        return 0;
    }
    w->workaround_passed++;
    return 1;
}

/* v is exposed to instance i of campaign c through a tie of strength
 * byte tie, by channel via, at cascade depth depth. */
static fsn_err_t expose(fsn_world_t *w, uint32_t v, uint32_t i, uint32_t c, uint8_t tie, int via,
                        uint32_t depth, double t) {
    const fsn_world_params_t *p = &w->p;
    size_t idx = (size_t)v * w->nc + c;
    uint8_t e = w->expo[idx];
    if (e < 255) w->expo[idx] = (uint8_t)(e + 1);
    if (!(w->uc[idx] & UC_EXPOSED)) {
        w->uc[idx] |= UC_EXPOSED;
        w->cc[c].exposed++;
        w_series_add(w, c, FSN_SERIES_EXPOSED, t);
    }
    const double s = tie / 255.0;
    double pc = p->click[via] * (p->trust_floor + (1.0 - p->trust_floor) * s);
    if (e) pc *= pow(p->fatigue, e);
    if (!fsn_rng_bernoulli(w->rng, pc)) {
        int complained = fsn_rng_bernoulli(w->rng, p->complaint * (1.0 - s));
        if (complained) w->cc[c].complaints++;
        w_policy_exposure(w, complained);
        return FSN_OK;
    }
    w_policy_exposure(w, 0);
    double at = t + fsn_delay_draw(&p->react_delay, w->rng);
    uint32_t type = w->ev_click;
    if (!w->camp[c].wechat_store && w_policy_needs_workaround(w)) {
        if (!workaround(w, c)) return FSN_OK;
        at += p->workaround_delay;
        type = w->ev_click_wa;
    }
    double x = (double)depth + tie / 256.0;
    return fsn_engine_schedule(w->eng, at, 0, type, v, i, x, NULL);
}

enum { PRIVATE_MAX = 32 };

fsn_err_t w_share(fsn_world_t *w, uint32_t u, uint32_t i, double t) {
    const fsn_world_params_t *p = &w->p;
    const uint32_t c = w->inst[i].camp;
    if (!w_policy_allow_share(w, u, t)) return FSN_OK;
    uint8_t *f = w_uc(w, u, c);
    w_counts_t *cc = &w->cc[c];
    if (!(*f & UC_SHARED)) {
        *f |= UC_SHARED;
        if (*f & UC_PART) cc->sharers++;
    }
    cc->shares++;
    w_series_add(w, c, FSN_SERIES_SHARES, t);
    const fsn_csr_t *g = w->g;
    const uint64_t lo = g->offset[u];
    const uint32_t deg = (uint32_t)(g->offset[u + 1] - lo);
    if (deg == 0) return FSN_OK;
    const uint32_t depth = (uint32_t)w->depth[(size_t)u * w->nc + c] + 1u;
    fsn_rng_t *r = w->rng;
    double x = fsn_rng_uniform(r);
    int via = FSN_VIA_PRIVATE;
    if (x >= p->via_prob[0]) via = (x < p->via_prob[0] + p->via_prob[1]) ? FSN_VIA_GROUP : FSN_VIA_MOMENTS;
    const double att = p->attention[via];
    fsn_err_t rc = FSN_OK;
    if (via == FSN_VIA_PRIVATE) {
        uint32_t want = p->private_friends < deg ? p->private_friends : deg;
        if (want > PRIVATE_MAX) want = PRIVATE_MAX;
        uint64_t chosen[PRIVATE_MAX];
        uint32_t got = 0;
        for (uint32_t tries = 0; got < want && tries < 16u * want; tries++) {
            uint64_t k = lo + fsn_rng_below(r, deg);
            /* accept with probability proportional to strength (at least 1/255) */
            if (fsn_rng_below(r, 255) >= (uint64_t)(g->tie[k] ? g->tie[k] : 1)) continue;
            int dup = 0;
            for (uint32_t j = 0; j < got; j++) dup |= chosen[j] == k;
            if (dup) continue;
            chosen[got++] = k;
        }
        for (uint32_t j = 0; j < got && rc == FSN_OK; j++) {
            uint64_t k = chosen[j];
            if (fsn_rng_bernoulli(r, att)) rc = expose(w, g->adj[k], i, c, g->tie[k], via, depth, t);
        }
        return rc;
    }
    int kind = -1;
    if (via == FSN_VIA_GROUP) {
        /* the circle of a random friend (a weak tie is no circle: retry;
         * after four weak draws the share goes to the weak ties, a chat
         * of acquaintances) */
        for (int tries = 0; tries < 4; tries++) {
            kind = g->kind[lo + fsn_rng_below(r, deg)];
            if (kind != FSN_TIE_WEAK) break;
        }
    }
    for (uint32_t j = 0; j < deg && rc == FSN_OK; j++) {
        uint64_t k = lo + j;
        if (kind >= 0 && g->kind[k] != kind) continue;
        if (fsn_rng_bernoulli(r, att)) rc = expose(w, g->adj[k], i, c, g->tie[k], via, depth, t);
    }
    return rc;
}

/* ---- events ---- */

static fsn_err_t on_launch(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)eng;
    fsn_world_t *w = model;
    const uint32_t c = ev->a;
    const fsn_campaign_t *k = &w->camp[c];
    const double t = ev->time;
    uint32_t got = 0;
    fsn_err_t rc = fsn_seeds_pick(&k->seeding, w->g, w->u, w->rng, w->mark, w->seedbuf, &got, w->err);
    if (rc) return rc;
    for (uint32_t j = 0; j < got; j++) {
        const uint32_t s = w->seedbuf[j];
        uint8_t *f = w_uc(w, s, c);
        if (*f & UC_SEED) continue;
        *f |= UC_SEED | UC_EXPOSED;
        w->cc[c].seeds++;
        w->cc[c].exposed++;
        w_series_add(w, c, FSN_SERIES_EXPOSED, t);
        w_mark_part(w, s, c, 0, t);
        uint32_t i = W_NONE;
        if (k->kind == FSN_CAMP_GROUP) rc = w_group_open(w, s, c, t, &i);
        else if (k->kind == FSN_CAMP_BARGAIN) rc = w_bargain_open(w, s, c, t, &i);
        else if (k->kind == FSN_CAMP_REDPACKET) rc = w_packet_open(w, s, c, t, &i);
        if (rc) return rc;
        if (i == W_LEFT) continue;   /* left at the payment step: done */
        if (i == W_NONE) {
            /* a plain link, or the budget is spent: the seed considers the
             * product at list price and may pass the link on */
            int ch = w_entry_channel(w, s, c);
            if (ch >= 0) {
                w_count_open(w, s, ch);
                rc = w_link_consider(w, s, c, ch, 1.0, t);
                if (rc) return rc;
            }
            double ps = w->p.share_initiator[FSN_CAMP_LINK];
            if (*f & UC_BOUGHT) ps += w->p.share_buyer_boost;
            rc = w_maybe_share(w, s, c, ps, t);
        } else {
            rc = w_maybe_share(w, s, i, w->p.share_initiator[k->kind], t);
        }
        if (rc) return rc;
    }
    return FSN_OK;
}

static fsn_err_t on_click(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)eng;
    fsn_world_t *w = model;
    const uint32_t v = ev->a, i = ev->b;
    const uint32_t c = w->inst[i].camp;
    const double t = ev->time;
    const uint32_t depth = (uint32_t)floor(ev->x);
    const double trust = (ev->x - depth) * 256.0 / 255.0;
    /* links were tightened to the workaround after this user decided to
     * click: the step is taken now */
    if (ev->type != w->ev_click_wa && !w->camp[c].wechat_store && w_policy_needs_workaround(w) &&
        !workaround(w, c))
        return FSN_OK;
    if (!w->camp[c].wechat_store && w_policy_needs_workaround(w)) w->landed_blocked++;
    uint8_t *f = w_uc(w, v, c);
    if (!(*f & UC_CLICKED)) {
        *f |= UC_CLICKED;
        w->cc[c].clicked++;
    }
    int ch = w_entry_channel(w, v, c);
    if (ch < 0) {
        w->cc[c].workaround_lost++;
        return FSN_OK;
    }
    w_count_open(w, v, ch);
    /* instances 0 .. nc-1 are the campaigns' plain links: a group,
     * bargain or packet campaign's seed passes one on when it could not
     * open its own (the budget is spent, or it left at the payment step) */
    switch (i < w->nc ? FSN_CAMP_LINK : camp_of(w, i)->kind) {
    case FSN_CAMP_GROUP: return w_group_click(w, v, i, ch, trust, depth, t);
    case FSN_CAMP_BARGAIN: return w_bargain_click(w, v, i, ch, trust, depth, t);
    case FSN_CAMP_REDPACKET: return w_packet_click(w, v, i, ch, trust, depth, t);
    default: break;
    }
    /* plain link */
    if (*f & UC_PART) return FSN_OK;
    if (!fsn_rng_bernoulli(w->rng, w_part_prob(w, v, c, trust))) return FSN_OK;
    w_mark_part(w, v, c, depth, t);
    fsn_err_t rc = w_link_consider(w, v, c, ch, trust, t);
    if (rc) return rc;
    double ps = w->p.share_participant[FSN_CAMP_LINK];
    if (*f & UC_BOUGHT) ps += w->p.share_buyer_boost;
    return w_maybe_share(w, v, i, ps, t);
}

/* Reminders. An initiator whose group or bargain is still open asks
 * again every remind_interval hours with probability remind[kind], and
 * gives up at the first miss; a reminder is a share like the first one
 * (a new draw of the channel and of the friends, the same rate limits),
 * so friends already exposed are less likely to click (fatigue). None
 * is scheduled past the instance's deadline. */
static double inst_deadline(const fsn_world_t *w, const w_inst_t *in) {
    const fsn_campaign_t *k = &w->camp[in->camp];
    return in->opened + (k->kind == FSN_CAMP_GROUP ? k->group_deadline : k->bargain_deadline);
}

fsn_err_t w_remind_start(fsn_world_t *w, uint32_t i, double t) {
    const w_inst_t *in = &w->inst[i];
    const int kind = w->camp[in->camp].kind;
    assert(kind == FSN_CAMP_GROUP || kind == FSN_CAMP_BARGAIN);
    const double at = t + w->p.remind_interval;
    if (!(w->p.remind[kind] > 0) || at >= inst_deadline(w, in) || at > w->p.horizon) return FSN_OK;
    return fsn_engine_post(w->eng, at, 0, w->ev_remind, i);
}

static fsn_err_t on_remind(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)eng;
    fsn_world_t *w = model;
    const uint32_t i = ev->a;
    const w_inst_t *in = &w->inst[i];
    if (in->state != INST_OPEN) return FSN_OK;
    if (!fsn_rng_bernoulli(w->rng, w->p.remind[w->camp[in->camp].kind])) return FSN_OK;
    w->cc[in->camp].reminders++;
    fsn_err_t rc = w_share(w, in->owner, i, ev->time);
    if (rc) return rc;
    return w_remind_start(w, i, ev->time);
}

static const fsn_event_type_t funnel_events[] = {
    {"launch", on_launch, NULL},
    {"click", on_click, NULL},
    {"click_via_workaround", on_click, NULL},
    {"remind", on_remind, NULL},
};
static const fsn_model_type_t funnel_model = {"funnel", 4, funnel_events};

fsn_err_t w_funnel_register(fsn_world_t *w) {
    uint32_t first;
    fsn_err_t rc = fsn_engine_add_model(w->eng, &funnel_model, w, &first);
    if (rc) return rc;
    w->ev_launch = first;
    w->ev_click = first + 1;
    w->ev_click_wa = first + 2;
    w->ev_remind = first + 3;
    return FSN_OK;
}
