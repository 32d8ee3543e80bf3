/*
 * models/redpacket.c: red-packet sharing (hong bao).
 *
 * A sender (a seed, funded by the merchant) shares a packet of
 * packet_total for packet_claims claimers. A receiver who clicks decides
 * whether to claim (the participation logit: a claim is free money, so
 * the base is high); while claims are left the claimer grabs an amount by
 * WeChat's rule (sample.h: uniform on (0.01, 2 x left / claimers left),
 * the last one takes the rest, all in fen, so the amounts sum to the
 * total exactly) and holds it as a coupon for the campaign's product
 * (usable on an order of at least packet_min_spend until it expires).
 * The claimer then considers the product with the coupon (the buy logit
 * with its coupon term and the coupon as discount depth) and may forward
 * the packet while claims are left, or open a packet of their own.
 *
 * A packet not fully claimed after 24 hours expires, as WeChat's do, and
 * the rest returns to the budget. The merchant's cost of a packet is the
 * coupons redeemed, not the amounts claimed. One event type:
 * "packet_expire" (light, payload the packet).
 */
#include "world.h"

#define PACKET_LIFETIME 24.0

fsn_err_t w_packet_open(fsn_world_t *w, uint32_t u, uint32_t c, double t, uint32_t *out) {
    const fsn_campaign_t *k = &w->camp[c];
    *out = W_NONE;
    const int64_t total = w_fen(k->packet_total);
    if (w_budget_take(w, c, total) < 0) return FSN_OK;
    uint32_t i = w_inst_new(w, c, u, t);
    if (i == W_NONE) return FSN_ENOMEM;
    w->inst[i].fen = total;
    w->cc[c].opened++;
    w->cc[c].initiators++;
    w->cc[c].slots += k->packet_claims;
    w->cc[c].packet_fen += total;
    *w_uc(w, u, c) |= UC_INIT;
    *out = i;
    return fsn_engine_post(w->eng, t + PACKET_LIFETIME, 0, w->ev_packet_expire, i);
}

fsn_err_t w_packet_click(fsn_world_t *w, uint32_t v, uint32_t i, int ch, double trust, uint32_t depth,
                         double t) {
    const uint32_t c = w->inst[i].camp;
    const fsn_campaign_t *k = &w->camp[c];
    uint8_t *f = w_uc(w, v, c);
    if (*f & UC_PART) return FSN_OK;
    if (w->inst[i].owner == v) return FSN_OK;
    fsn_err_t rc;
    if (w->inst[i].state != INST_OPEN) {
        /* nothing left to claim: maybe send one's own */
        if (!fsn_rng_bernoulli(w->rng, w->p.open_own[FSN_CAMP_REDPACKET] * w_part_prob(w, v, c, trust)))
            return FSN_OK;
        w_mark_part(w, v, c, depth, t);
        uint32_t j;
        rc = w_packet_open(w, v, c, t, &j);
        if (rc || j == W_NONE) return rc;
        return w_maybe_share(w, v, j, w->p.share_initiator[FSN_CAMP_REDPACKET], t);
    }
    if (!fsn_rng_bernoulli(w->rng, w_part_prob(w, v, c, trust))) return FSN_OK;
    w_mark_part(w, v, c, depth, t);
    w_inst_t *in = &w->inst[i];
    const int64_t amount = fsn_redpacket_grab(in->fen, k->packet_claims - in->count, w->rng);
    in->fen -= amount;
    in->count++;
    w->cc[c].claims++;
    w->cc[c].claimed_fen += amount;
    if (in->count == k->packet_claims) {
        in->state = INST_DONE;
        in->closed = t;
        w->cc[c].filled++;
        w->cc[c].fill_time += t - in->opened;
    }
    w->coupon_fen[v] = (uint32_t)amount;
    w->coupon_until[v] = (float)(t + k->coupon_validity);
    w->coupon_camp[v] = (uint8_t)c;
    w->cc[c].coupons_issued++;
    /* consider the product with the coupon */
    const int64_t list = w_fen(k->price);
    const int usable = list >= w_fen(k->packet_min_spend);
    const double paid = usable ? (double)(list - amount) / 100.0 : k->price;
    if (paid > 0 && fsn_rng_bernoulli(w->rng, w_buy_prob(w, v, ch, paid, k->price, trust, w->p.buy_campaign + w->p.buy_kind[FSN_CAMP_REDPACKET] + (usable ? w->p.buy_coupon : 0.0))))
        w_pay(w, v, ch, (int)c, list, trust, t, NULL);
    double ps = w->p.share_participant[FSN_CAMP_REDPACKET];
    if (*f & UC_BOUGHT) ps += w->p.share_buyer_boost;
    if (w->inst[i].state == INST_OPEN) return w_maybe_share(w, v, i, ps, t);
    if (fsn_rng_bernoulli(w->rng, w->p.open_own[FSN_CAMP_REDPACKET])) {
        uint32_t j;
        rc = w_packet_open(w, v, c, t, &j);
        if (rc || j == W_NONE) return rc;
        return w_maybe_share(w, v, j, w->p.share_initiator[FSN_CAMP_REDPACKET], t);
    }
    return FSN_OK;
}

static fsn_err_t on_expire(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)eng;
    fsn_world_t *w = model;
    w_inst_t *in = &w->inst[ev->a];
    if (in->state != INST_OPEN) return FSN_OK;
    in->state = INST_FAILED;
    in->closed = ev->time;
    w->cc[in->camp].failed++;
    w_budget_release(w, in->camp, in->fen);
    return FSN_OK;
}

static const fsn_event_type_t packet_events[] = {{"packet_expire", on_expire, NULL}};
static const fsn_model_type_t packet_model = {"redpacket", 1, packet_events};

fsn_err_t w_packet_register(fsn_world_t *w) {
    return fsn_engine_add_model(w->eng, &packet_model, w, &w->ev_packet_expire);
}
