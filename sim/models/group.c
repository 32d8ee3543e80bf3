/*
 * models/group.c: the group buy (pin tuan).
 *
 * An initiator opens a group of group_size at group_price and pays at
 * once, as on the real platforms (one who leaves at the payment step
 * opens nothing); the group is shared to recruit. A
 * receiver who clicks decides whether to join (the participation logit,
 * with the group price in its price term); a joiner goes to the payment
 * page and pays the group price there with probability join_pay (else
 * leaves: a participant who bought nothing and took no place), and may
 * then share the group on. When the last place is taken the
 * group is filled: its orders stand and the merchant's subsidy (list
 * minus group price, per member) is booked. When the deadline passes
 * first, every member is refunded (the payment discount returns to the
 * budget, a coupon used is no longer a cost) and receives a coupon for
 * the campaign; each coupon holder may open a new group at once (the
 * article's second wave), paying the group price less the coupon. A user
 * receives such a coupon once per campaign, so a chain of failing groups
 * ends: without this, a failed group of k members would seed k x
 * coupon_reshare new groups, and the chain would grow without bound when
 * that exceeds one.
 *
 * A click on a group that has filled or failed is not lost: the
 * receiver may open a group of their own (open_own), which is how a
 * group buy keeps spreading after its first groups close. A user is in
 * at most one group of a campaign at a time, and joins as a participant
 * once; opening again after a failure is the coupon path.
 *
 * Members sit in a pool of group_size slots per group, with the channel
 * they paid through and the tie they came by (for refunds and new-user
 * accounting). One event type: "group_deadline" (light, payload the
 * group), posted when a group opens; a filled group ignores it.
 */
#include "world.h"

fsn_err_t w_members_take(fsn_world_t *w, uint32_t k, uint32_t *off);

/* Put v, who has paid, in the next place of group i; fill it if it was
 * the last. */
static void seat(fsn_world_t *w, uint32_t i, uint32_t v, int ch, double trust, const w_payment_t *pay,
                 double t) {
    w_inst_t *in = &w->inst[i];
    const uint32_t c = in->camp;
    const fsn_campaign_t *k = &w->camp[c];
    FSN_REQUIRE(in->state == INST_OPEN && in->count < k->group_size);
    uint32_t slot = in->mem + in->count++;
    w->members[slot] = v;
    w->member_ch[slot] = (uint8_t)ch;
    w->member_tie[slot] = (uint8_t)lround(trust * 255.0);
    w->member_paid[slot] = (uint32_t)pay->paid;
    w->member_disc[slot] = (uint32_t)pay->discount;
    w->member_coupon[slot] = (uint32_t)pay->coupon;
    if (in->count == k->group_size) {
        in->state = INST_DONE;
        in->closed = t;
        w->cc[c].filled++;
        w->cc[c].fill_time += t - in->opened;
        w->cc[c].subsidy_fen += (w_fen(k->price) - w_fen(k->group_price)) * (int64_t)k->group_size;
    }
}

fsn_err_t w_group_open(fsn_world_t *w, uint32_t u, uint32_t c, double t, uint32_t *out) {
    const fsn_campaign_t *k = &w->camp[c];
    *out = W_NONE;
    const int64_t sub = (w_fen(k->price) - w_fen(k->group_price)) * (int64_t)k->group_size;
    if (w_budget_take(w, c, sub) < 0) return FSN_OK;
    int ch = w_entry_channel(w, u, c);
    if (ch < 0) ch = FSN_CH_APP;
    w_count_open(w, u, ch);
    /* the initiator pays first; leaving at the payment step opens nothing */
    w_payment_t pay;
    if (w_pay(w, u, ch, (int)c, w_fen(k->group_price), 1.0, t, &pay) < 0) {
        w_budget_release(w, c, sub);
        *out = W_LEFT;
        return FSN_OK;
    }
    uint32_t i = w_inst_new(w, c, u, t);
    if (i == W_NONE) return FSN_ENOMEM;
    fsn_err_t rc = w_members_take(w, k->group_size, &w->inst[i].mem);
    if (rc) return rc;
    w->cc[c].opened++;
    w->cc[c].initiators++;
    *w_uc(w, u, c) |= UC_INIT;
    seat(w, i, u, ch, 1.0, &pay, t);
    *out = i;
    rc = fsn_engine_post(w->eng, t + k->group_deadline, 0, w->ev_group_deadline, i);
    return rc ? rc : w_remind_start(w, i, t);
}

fsn_err_t w_group_click(fsn_world_t *w, uint32_t v, uint32_t i, int ch, double trust, uint32_t depth,
                        double t) {
    const uint32_t c = w->inst[i].camp;
    const fsn_campaign_t *k = &w->camp[c];
    uint8_t *f = w_uc(w, v, c);
    if (*f & UC_PART) return FSN_OK;
    if (!fsn_rng_bernoulli(w->rng, w_part_prob(w, v, c, trust))) return FSN_OK;
    w_mark_part(w, v, c, depth, t);
    if (w->inst[i].state == INST_OPEN) {
        /* at the payment page: some leave (join_pay), a participant who
         * bought nothing and took no place */
        if (w->p.join_pay < 1.0 && !fsn_rng_bernoulli(w->rng, w->p.join_pay)) return FSN_OK;
        w_payment_t pay;
        if (w_pay(w, v, ch, (int)c, w_fen(k->group_price), trust, t, &pay) < 0) return FSN_OK;
        seat(w, i, v, ch, trust, &pay, t);
        if (w->inst[i].state == INST_OPEN)
            return w_maybe_share(w, v, i, w->p.share_participant[FSN_CAMP_GROUP], t);
        return FSN_OK;
    }
    /* the group is closed: open one's own */
    if (!fsn_rng_bernoulli(w->rng, w->p.open_own[FSN_CAMP_GROUP])) return FSN_OK;
    uint32_t j;
    fsn_err_t rc = w_group_open(w, v, c, t, &j);
    if (rc || j >= W_LEFT) return rc;
    return w_maybe_share(w, v, j, w->p.share_initiator[FSN_CAMP_GROUP], t);
}

static fsn_err_t on_deadline(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)eng;
    fsn_world_t *w = model;
    const uint32_t i = ev->a;
    w_inst_t *in = &w->inst[i];
    if (in->state != INST_OPEN) return FSN_OK;
    const uint32_t c = in->camp;
    const fsn_campaign_t *k = &w->camp[c];
    const double t = ev->time;
    in->state = INST_FAILED;
    in->closed = t;
    w->cc[c].failed++;
    w_budget_release(w, c, (w_fen(k->price) - w_fen(k->group_price)) * (int64_t)k->group_size);
    const int64_t coupon = w_fen(k->coupon_value);
    const uint32_t nmem = in->count;
    const uint32_t mem = in->mem;
    /* refund everyone first, then the coupons and the second wave (whose
     * new groups may grow the member pool) */
    for (uint32_t j = 0; j < nmem; j++) {
        const w_payment_t pay = {w->member_paid[mem + j], w->member_disc[mem + j], w->member_coupon[mem + j]};
        w_refund(w, w->members[mem + j], c, &pay);
    }
    if (coupon <= 0) return FSN_OK;
    for (uint32_t j = 0; j < nmem; j++) {
        const uint32_t v = w->members[mem + j];
        uint8_t *f = w_uc(w, v, c);
        /* one coupon per user and campaign: a group opened with a coupon
         * that fails again ends the chain for its members */
        if (*f & UC_COUPON) continue;
        *f |= UC_COUPON;
        w->coupon_fen[v] = (uint32_t)coupon;
        w->coupon_until[v] = (float)(t + k->coupon_validity);
        w->coupon_camp[v] = (uint8_t)c;
        w->cc[c].coupons_issued++;
        if (!fsn_rng_bernoulli(w->rng, w->p.coupon_reshare)) continue;
        uint32_t g2;
        fsn_err_t rc = w_group_open(w, v, c, t, &g2);
        if (rc) return rc;
        if (g2 < W_LEFT) {
            rc = w_maybe_share(w, v, g2, w->p.share_initiator[FSN_CAMP_GROUP], t);
            if (rc) return rc;
        }
    }
    return FSN_OK;
}

static const fsn_event_type_t group_events[] = {{"group_deadline", on_deadline, NULL}};
static const fsn_model_type_t group_model = {"group", 1, group_events};

fsn_err_t w_group_register(fsn_world_t *w) {
    return fsn_engine_add_model(w->eng, &group_model, w, &w->ev_group_deadline);
}
