/*
 * models/payment.c: choosing a method, paying, refunds, the success page.
 *
 * Every order in the world goes through w_pay, so there is no order
 * without a payment: it is the one place that books an order, and it
 * books it only once a method has been chosen and the amount taken.
 *
 * The choice (T1, T6). Each channel accepts some methods (the mini-
 * program and a WeChat store take WeChat Pay only; the app takes all
 * three). A payment discount on one method, if the campaign offers it,
 * (any discount is applied whenever the method paid with is the
 * discounted one) moves a user who does not prefer that method with
 * probability equal to the user's discount sensitivity (binding it on the spot with
 * probability bind_on_demand if it is not bound). Otherwise the habit
 * decides: with probability stickiness the preferred method, if the
 * channel takes it; else another method drawn uniformly from those both
 * bound and accepted (the preferred one if there is no other). With none bound and accepted, the user binds one the
 * channel accepts (WeChat Pay first) with probability bind_on_demand or
 * leaves at the payment step. So the measured "fixed method rate" of T6
 * is stickiness, plus the users with no other method, plus what the
 * channels force (a mini-program order is a WeChat Pay order),
 * and a method's order share (T1) follows from who buys in which channel.
 *
 * Coupons. A valid coupon for the same campaign is taken off the amount
 * (a red-packet coupon only on an order of at least the campaign's
 * minimum spend) and its value booked as coupon cost.
 *
 * The success page. After paying with method m a non-member becomes a
 * member of the shop with probability nudge[m]; members visit more often
 * (traffic.c) and buy more readily (buy_member). This is the route by
 * which a payment method's habit reaches its repurchase rate.
 *
 * Money is in fen throughout. A refund is booked on its own (refunds,
 * refund amount; net GMV = GMV - refunds) and takes the user out of the
 * campaign's buyers and their order count back by one (repurchase); the
 * campaign's orders and GMV and the payment counts by method and channel
 * count payments made and are not reversed.
 */
#include "world.h"

static int pick_bound(fsn_world_t *w, uint8_t mask) {
    int cnt = 0;
    for (int m = 0; m < FSN_PAY_COUNT; m++) cnt += (mask >> m) & 1;
    if (cnt == 0) return -1;
    uint64_t k = cnt == 1 ? 0 : fsn_rng_below(w->rng, (uint64_t)cnt);
    for (int m = 0; m < FSN_PAY_COUNT; m++)
        if ((mask >> m) & 1) {
            if (k == 0) return m;
            k--;
        }
    return -1;
}

static int choose_method(fsn_world_t *w, uint32_t v, int ch, int *discounted) {
    const fsn_world_params_t *p = &w->p;
    const fsn_users_t *u = w->u;
    const uint8_t avail = p->channel_methods[ch];
    const uint8_t bound = u->bound[v];
    const int pref = u->pref[v];
    const int d = p->pay_discount_method;
    *discounted = 0;
    if (d >= 0 && d != pref && (avail & FSN_PAY_BIT(d))) {
        w->disc_offered[pref]++;
        if (fsn_rng_bernoulli(w->rng, u->discount_sens[v]) &&
            ((bound & FSN_PAY_BIT(d)) || fsn_rng_bernoulli(w->rng, p->bind_on_demand))) {
            w->disc_taken[pref]++;
            *discounted = 1;
            return d;
        }
    }
    const int pref_ok = (avail & FSN_PAY_BIT(pref)) != 0;
    if (pref_ok && fsn_rng_bernoulli(w->rng, u->stickiness[v])) {
        *discounted = pref == d;
        return pref;
    }
    /* not the habit this time: another method bound and accepted, if the
     * user has one; else the preferred one after all */
    int m = pick_bound(w, (uint8_t)(avail & bound & ~FSN_PAY_BIT(pref)));
    if (m < 0 && pref_ok) m = pref;
    if (m >= 0) {
        *discounted = m == d;
        return m;
    }
    if (!fsn_rng_bernoulli(w->rng, p->bind_on_demand)) return -1;
    m = (avail & FSN_PAY_BIT(FSN_PAY_WECHAT)) ? FSN_PAY_WECHAT : pick_bound(w, avail);
    *discounted = m == d;
    return m;
}

int w_pay(fsn_world_t *w, uint32_t v, int ch, int c, int64_t fen, double trust, double t,
          w_payment_t *out) {
    const fsn_world_params_t *p = &w->p;
    int discounted;
    const int m = choose_method(w, v, ch, &discounted);
    if (m < 0) {
        w->abandoned++;
        return -1;
    }
    int64_t amount = fen, disc = 0, used = 0;
    if (discounted && p->pay_discount > 0) {
        int64_t off = w_fen(p->pay_discount);
        if (off > amount - 1) off = amount - 1;
        /* a campaign's payment discount is subsidy: it comes out of the
         * budget, and once that is spent the method is paid in full */
        if (c < 0 || w_budget_take(w, (uint32_t)c, off) == 0) {
            amount -= off;
            disc = off;
            if (c >= 0) w->cc[c].subsidy_fen += off;
        }
    }
    if (c >= 0 && w->coupon_fen[v] && w->coupon_camp[v] == (uint8_t)c && t <= w->coupon_until[v]) {
        const fsn_campaign_t *k = &w->camp[c];
        if (k->kind != FSN_CAMP_REDPACKET || fen >= w_fen(k->packet_min_spend)) {
            int64_t off = w->coupon_fen[v];
            if (off > amount - 1) off = amount - 1;
            amount -= off;
            used = off;
            w->cc[c].coupon_fen += off;
            w->cc[c].coupons_used++;
            w->coupon_fen[v] = 0;
        }
    }
    if (out) {
        out->paid = amount;
        out->discount = disc;
        out->coupon = used;
    }
    const int pref = w->u->pref[v];
    w->orders_m[m]++;
    w->gmv_m[m] += amount;
    w->pref_orders[pref]++;
    w->pref_fixed[pref] += m == pref;
    w->orders_ch[ch]++;
    if (!(w->chan_bought[v] & (1u << ch))) {
        w->chan_bought[v] |= (uint8_t)(1u << ch);
        w->buyers_ch[ch]++;
    }
    w->gmv_ch[ch] += amount;
    w->chan_seen[v] |= (uint8_t)(16u << m);
    if (w->orders[v] == 0) w->first_method[v] = (uint8_t)m;
    if (w->orders[v] < UINT16_MAX) w->orders[v]++;
    if (c >= 0) {
        w_counts_t *cc = &w->cc[c];
        cc->orders++;
        cc->gmv_fen += amount;
        uint8_t *f = w_uc(w, v, (uint32_t)c);
        if (!(*f & UC_BOUGHT)) {
            *f |= UC_BOUGHT;
            cc->buyers++;
        }
        w_series_add(w, (uint32_t)c, FSN_SERIES_ORDERS, t);
    }
    if (!(w->flag[v] & U_MEMBER) && fsn_rng_bernoulli(w->rng, p->nudge[m])) {
        w->flag[v] |= U_MEMBER;
        w->members_made++;
    }
    if (!(w->flag[v] & U_CUSTOMER))
        w_new_user(w, v, (w->flag[v] & U_ARRIVED) ? w->source[v] : FSN_SRC_WECHAT, trust, t);
    if (w->flag[v] & U_NEW) {
        w->new_orders[w->source[v]]++;
        w->new_gmv[w->source[v]] += amount;
    }
    return m;
}

void w_refund(fsn_world_t *w, uint32_t v, uint32_t c, const w_payment_t *pay) {
    w_counts_t *cc = &w->cc[c];
    cc->refunds++;
    cc->refund_fen += pay->paid;
    if (pay->discount) {
        cc->subsidy_fen -= pay->discount;
        w_budget_release(w, c, pay->discount);
    }
    if (pay->coupon) {
        cc->coupon_fen -= pay->coupon;
        cc->coupons_used--;
    }
    uint8_t *f = w_uc(w, v, c);
    if (*f & UC_BOUGHT) {
        *f &= (uint8_t)~UC_BOUGHT;
        cc->buyers--;
    }
    if (w->orders[v] > 0 && w->orders[v] < UINT16_MAX) w->orders[v]--;
}
