/*
 * test_campaign.c: the campaign world. Invariants of every run, the audit
 * catching corrupted state, the group buy's fill probability against a
 * closed form, reproducibility, and what each policy, budget, coupon and
 * payment setting must do to the counts.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fission/attrs.h"
#include "fission/campaign.h"
#include "fission/graph.h"
#include "fission/rng.h"
#include "fission/run.h"
#include "fission/seeding.h"

#include "../sim/models/world.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static void wechat_graph(fsn_csr_t *g, uint32_t n, uint64_t seed) {
    fsn_wechat_params_t wp;
    fsn_wechat_params_default(&wp, n);
    wp.seed = seed;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_wechat_generate(g, NULL, &wp, &err), FSN_OK, "%s", err.msg);
}

static void sample_users(fsn_users_t *u, uint32_t n, uint64_t seed) {
    fsn_error_t err = {0};
    cr_assert_eq(fsn_users_init(u, n, &err), FSN_OK);
    fsn_attr_params_t ap;
    fsn_attr_params_default(&ap);
    fsn_rng_t r;
    fsn_rng_seed(&r, seed);
    cr_assert_eq(fsn_users_sample(u, &ap, &r, &err), FSN_OK, "%s", err.msg);
}

/* The four campaign kinds with their defaults and `seeds` random seeds. */
static size_t four_campaigns(fsn_campaign_t *c, uint32_t seeds) {
    for (int k = 0; k < FSN_CAMP_KIND_COUNT; k++) {
        fsn_campaign_default(&c[k], (fsn_camp_kind_t)k);
        c[k].seeding.count = seeds;
    }
    return FSN_CAMP_KIND_COUNT;
}

static fsn_world_t *make_world(const fsn_csr_t *g, const fsn_users_t *u, fsn_world_params_t *p,
                               const fsn_campaign_t *c, size_t nc) {
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_params_check(p, c, nc, g, &err), FSN_OK, "%s", err.msg);
    fsn_world_t *w = fsn_world_new(g, u, p, c, nc, &err);
    cr_assert_not_null(w, "%s", err.msg);
    return w;
}

static void run_world(fsn_world_t *w, uint64_t seed) {
    fsn_rng_t r;
    fsn_rng_seed(&r, seed);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_run(w, &r, &err), FSN_OK, "%s", err.msg);
}

/* A metric by name, formatted; fails the test if there is no such metric. */
static double M(const fsn_world_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static double M(const fsn_world_t *w, const char *fmt, ...) {
    char name[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    long i = fsn_world_metric_find(w, name);
    cr_assert_geq(i, 0, "no metric %s", name);
    return fsn_world_metrics(w)[i];
}

static int is_rate(double x) { return x >= 0.0 && x <= 1.0; }

/* ------------------------------------------------------------------ */
/* 1. Invariants                                                      */
/* ------------------------------------------------------------------ */

/*
 * The default world (four campaigns, default behaviour) on a WeChat-like
 * graph of 5000 users, 100 seeds per campaign, for three run seeds in
 * each regime: the audit passes and the metric table is consistent with
 * itself. Money is compared to 0.5 fen (metrics are CNY from exact fen).
 */
static void check_invariants(const fsn_world_t *w, const fsn_campaign_t *c, size_t nc, const char *ctx) {
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s: audit: %s", ctx, err.msg);
    double camp_orders = 0, by_method = 0;
    for (size_t k = 0; k < nc; k++) {
        const char *N = c[k].name;
        camp_orders += M(w, "campaign.%s.orders", N);
        double part = M(w, "campaign.%s.participants", N);
        double buyers = M(w, "campaign.%s.buyers", N);
        cr_assert_gt(part, 0, "%s: %s has no participants", ctx, N);
        cr_assert_leq(buyers, part, "%s: %s has %g buyers for %g participants", ctx, N, buyers, part);
        const char *rates[] = {"click_rate", "participation_rate", "conversion_rate", "share_rate"};
        for (size_t j = 0; j < sizeof rates / sizeof *rates; j++) {
            double x = M(w, "campaign.%s.%s", N, rates[j]);
            cr_assert(is_rate(x), "%s: campaign.%s.%s = %g", ctx, N, rates[j], x);
        }
        /* each series sums to its counter */
        const char *counter[FSN_SERIES_COUNT] = {"exposed", "participants", "orders", "shares_sent"};
        for (int sr = 0; sr < FSN_SERIES_COUNT; sr++) {
            size_t nb;
            const uint32_t *x = fsn_world_series(w, k, sr, &nb);
            double sum = 0;
            for (size_t b = 0; b < nb; b++) sum += x[b];
            cr_assert_eq(sum, M(w, "campaign.%s.%s", N, counter[sr]), "%s: the %s series of %s sums to %g", ctx,
                         counter[sr], N, sum);
        }
        double orders = M(w, "campaign.%s.orders", N), gmv = M(w, "campaign.%s.gmv", N);
        if (c[k].kind == FSN_CAMP_REDPACKET) {
            double sent = M(w, "campaign.%s.packets_sent", N);
            double claimed = M(w, "campaign.%s.claimed_amount", N);
            cr_assert_leq(claimed, sent * c[k].packet_total + 0.005, "%s: claimed %g of %g packets", ctx, claimed, sent);
            cr_assert(is_rate(M(w, "campaign.%s.claim_rate", N)), "%s: claim_rate", ctx);
        } else if (c[k].kind == FSN_CAMP_BARGAIN) {
            /* won bargains pay the floor; helpers who buy outright (and a
             * seed passing the plain link when the budget is spent) pay
             * the list price */
            double won = M(w, "campaign.%s.bargains_won", N);
            cr_assert_leq(won, orders, "%s", ctx);
            cr_assert_float_eq(gmv, won * c[k].floor_price + (orders - won) * c[k].price, 0.005,
                               "%s: bargain gmv %g for %g won at the floor %g and %g at list price", ctx, gmv, won,
                               c[k].floor_price, orders - won);
            double s = M(w, "campaign.%s.success_rate", N);
            cr_assert(isnan(s) || is_rate(s), "%s: success_rate %g", ctx, s);
        } else if (c[k].kind == FSN_CAMP_GROUP) {
            /* members paid the group price; a seed whose group could not
             * open (the budget) falls back to the plain link and may buy at
             * list price. Members of failed groups are refunded, and a
             * refund takes its coupon out of the coupon cost, so the
             * identity holds for what was kept: net GMV is the kept members
             * at the group price plus the list-price orders, less the net
             * coupon cost. */
            double coupons = M(w, "campaign.%s.coupon_cost", N), members = 0, failed = 0;
            for (size_t i = w->nc; i < w->ninst; i++)
                if (w->inst[i].camp == k) {
                    members += w->inst[i].count;
                    if (w->inst[i].state == INST_FAILED) failed += w->inst[i].count;
                }
            cr_assert_leq(members, orders, "%s: %g group members for %g orders", ctx, members, orders);
            cr_assert_eq(failed, M(w, "campaign.%s.refunds", N), "%s: %g members of failed groups", ctx, failed);
            double kept = members - failed;
            double expect = kept * c[k].group_price + (orders - members) * c[k].price - coupons;
            double net = M(w, "campaign.%s.net_gmv", N);
            cr_assert_float_eq(net, expect, 0.005,
                               "%s: group net gmv %g for %g kept members at %g and %g list-price orders less %g of coupons",
                               ctx, net, kept, c[k].group_price, orders - members, coupons);
            double f = M(w, "campaign.%s.fill_rate", N);
            cr_assert(isnan(f) || is_rate(f), "%s: fill_rate %g", ctx, f);
            cr_assert_leq(M(w, "campaign.%s.refunds", N), orders, "%s: more refunds than orders", ctx);
        }
    }
    for (int m = 0; m < FSN_PAY_COUNT; m++) {
        by_method += M(w, "pay.%s.orders", fsn_pay_name(m));
        double fr = M(w, "pay.%s.fixed_rate", fsn_pay_name(m));
        cr_assert(isnan(fr) || is_rate(fr), "%s: fixed_rate %g", ctx, fr);
    }
    double visit_orders = M(w, "all.visit_orders");
    cr_assert_eq(by_method, camp_orders + visit_orders, "%s: %g payments by method for %g + %g orders", ctx,
                 by_method, camp_orders, visit_orders);
    cr_assert_eq(M(w, "all.orders"), by_method, "%s: all.orders", ctx);
    cr_assert(is_rate(M(w, "policy.complaint_rate")), "%s: complaint_rate", ctx);
}

Test(campaign, every_run_of_the_default_world_passes_the_audit_and_its_metrics_agree) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 5000, 11);
    sample_users(&u, g.n, 12);
    /* the default bargain needs a dozen helpers and rarely succeeds; a
     * fifth campaign with a floor two cuts below the price does */
    fsn_campaign_t c[FSN_CAMP_KIND_COUNT + 1];
    size_t nc = four_campaigns(c, 100);
    fsn_campaign_default(&c[nc], FSN_CAMP_BARGAIN);
    snprintf(c[nc].name, sizeof c[nc].name, "bargain_easy");
    c[nc].seeding.count = 100;
    c[nc].floor_price = c[nc].price - 9;
    nc++;
    double easy_orders = 0;
    for (int reg = 0; reg < FSN_REGIME_COUNT; reg++) {
        fsn_world_params_t p;
        fsn_world_params_default(&p);
        p.regime = (fsn_regime_t)reg;
        p.horizon = 240;
        fsn_world_t *w = make_world(&g, &u, &p, c, nc);
        for (uint64_t s = 1; s <= 3; s++) {
            char ctx[64];
            snprintf(ctx, sizeof ctx, "%s, seed %llu", fsn_regime_name(reg), (unsigned long long)s);
            run_world(w, s);
            check_invariants(w, c, nc, ctx);
            easy_orders += M(w, "campaign.bargain_easy.bargains_won");
        }
        fsn_world_free(w);
    }
    cr_assert_gt(easy_orders, 0, "no bargain reached its floor: the price check above was vacuous");
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* 2. The audit can fail                                              */
/* ------------------------------------------------------------------ */

/* First instance of campaign c with the given state, or W_NONE. */
static uint32_t find_inst(const fsn_world_t *w, uint32_t c, int state) {
    for (size_t i = w->nc; i < w->ninst; i++)
        if (w->inst[i].camp == c && (state < 0 || w->inst[i].state == state)) return (uint32_t)i;
    return W_NONE;
}

static void expect_audit_failure(const fsn_world_t *w, const char *what) {
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_audit(w, &err), FSN_ESTATE, "the audit missed %s", what);
    cr_assert_eq(err.code, FSN_ESTATE);
    cr_assert_gt(strlen(err.msg), 0, "no message for %s", what);
}

Test(campaign, the_audit_reports_corrupted_groups_bargains_and_packets) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 3000, 21);
    sample_users(&u, g.n, 22);
    fsn_campaign_t c[FSN_CAMP_KIND_COUNT];
    size_t nc = four_campaigns(c, 60);
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 120;
    p.bind_on_demand = 1;   /* every seed's group opens */
    fsn_world_t *w = make_world(&g, &u, &p, c, nc);
    run_world(w, 3);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s", err.msg);

    /* a group above its size */
    uint32_t gi = find_inst(w, FSN_CAMP_GROUP, INST_OPEN);
    if (gi == W_NONE) gi = find_inst(w, FSN_CAMP_GROUP, -1);
    cr_assert_neq(gi, W_NONE, "no group was opened");
    uint32_t saved = w->inst[gi].count;
    w->inst[gi].count = c[FSN_CAMP_GROUP].group_size + 1;
    expect_audit_failure(w, "a group above its size");
    cr_assert(strstr(fsn_world_audit(w, &err) ? err.msg : "", "above its size"), "message: %s", err.msg);
    w->inst[gi].count = saved;
    cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s", err.msg);

    /* a member of a failed group not refunded */
    uint32_t fi = find_inst(w, FSN_CAMP_GROUP, INST_FAILED);
    cr_assert_neq(fi, W_NONE, "no group failed");
    w->cc[FSN_CAMP_GROUP].refunds--;
    expect_audit_failure(w, "a missing refund");
    w->cc[FSN_CAMP_GROUP].refunds++;

    /* a bargain below its floor */
    uint32_t bi = find_inst(w, FSN_CAMP_BARGAIN, -1);
    cr_assert_neq(bi, W_NONE, "no bargain was opened");
    int64_t bsaved = w->inst[bi].fen;
    w->inst[bi].fen = w_fen(c[FSN_CAMP_BARGAIN].floor_price) - 1;
    expect_audit_failure(w, "a bargain below its floor");
    cr_assert(strstr(fsn_world_audit(w, &err) ? err.msg : "", "below its floor"), "message: %s", err.msg);
    w->inst[bi].fen = bsaved;

    /* a packet whose amounts no longer sum (one fen appears) */
    uint32_t pi = find_inst(w, FSN_CAMP_REDPACKET, INST_FAILED);
    if (pi == W_NONE) pi = find_inst(w, FSN_CAMP_REDPACKET, -1);
    cr_assert_neq(pi, W_NONE, "no packet was sent");
    int64_t psaved = w->inst[pi].fen;
    int psaved_state = w->inst[pi].state;
    w->inst[pi].state = INST_FAILED;   /* a done packet with fen left is caught earlier */
    w->inst[pi].fen += 1;
    expect_audit_failure(w, "a packet that does not sum");
    w->inst[pi].fen = psaved;
    w->inst[pi].state = (uint8_t)psaved_state;

    /* an order without a payment */
    w->cc[FSN_CAMP_LINK].orders++;
    expect_audit_failure(w, "an order without a payment");
    cr_assert(strstr(fsn_world_audit(w, &err) ? err.msg : "", "payments for"), "message: %s", err.msg);
    w->cc[FSN_CAMP_LINK].orders--;

    cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "restored state: %s", err.msg);
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* 3. Group fill probability against a closed form                    */
/* ------------------------------------------------------------------ */

enum { STARS = 2000, LEAVES = 100 };

/*
 * 2000 disjoint stars of 100 leaves; one group campaign seeded at every
 * centre. The centre opens a group (no payment can fail: every channel
 * takes every method, and a user's preferred method is always among the
 * bound ones, so choose_method in payment.c finds a bound and accepted
 * method before it ever reaches the "leave" draw; asserted below) and
 * shares it once by Moments (share_initiator 1, via Moments only,
 * attention 1), so every leaf is exposed exactly once and clicks with
 * probability c (trust_floor 1: tie strength does not matter; no earlier
 * exposure: fatigue does not matter) after an exponential delay of mean
 * mu. Every clicker joins (participation logit 40 with no trust or price
 * term: 1 - 4e-18, which rounds to 1) and pays. Nobody else acts: leaves
 * do not share or open groups, no coupons, no customers, visits or
 * arrivals, no rate limit, no whitelist, no complaints.
 *
 * A leaf therefore joins before the deadline D independently with
 * q = c (1 - exp(-D / mu)), and a group of size k fills iff at least
 * k - 1 of its L = 100 leaves do:
 *     P(fill) = P(Binomial(L, q) >= k - 1).
 * The join times form (in the Poisson limit) a Poisson process of
 * intensity L c exp(-t / mu) / mu, integrated rate Lambda = L q by D, so
 * P(fill) ~ P(Erlang(k - 1) arrival <= D) = P(Gamma(k - 1, 1) <= Lambda).
 * The Barbour-Hall bound d_TV(Bin(L, q), Poisson(L q)) <= (1 - e^-Lambda) q
 * bounds the difference of the two.
 *
 * The simulated fill rate over the 2000 groups is binomial; we require it
 * within 5 SE = 5 sqrt(P (1 - P) / 2000) of the exact binomial value
 * (a false alarm about once in 1.7 million runs).
 */
static void star_forest(fsn_csr_t *g, fsn_vid_t *centres) {
    fsn_edges_t e;
    fsn_edges_init(&e, STARS * (LEAVES + 1));
    cr_assert_eq(fsn_edges_reserve(&e, (size_t)STARS * LEAVES), FSN_OK);
    for (uint32_t s = 0; s < STARS; s++) {
        fsn_vid_t ctr = s * (LEAVES + 1);
        centres[s] = ctr;
        for (uint32_t l = 1; l <= LEAVES; l++)
            cr_assert_eq(fsn_edges_push(&e, ctr, ctr + l, FSN_TIE_DEFAULT, 0), FSN_OK);
    }
    fsn_error_t err = {0};
    cr_assert_eq(fsn_csr_from_edges(g, &e, &err), FSN_OK, "%s", err.msg);
}

static void star_params(fsn_world_params_t *p, double click, double mu, double horizon) {
    fsn_world_params_default(p);
    p->via_prob[0] = 0, p->via_prob[1] = 0, p->via_prob[2] = 1;
    for (int v = 0; v < FSN_VIA_COUNT; v++) {
        p->attention[v] = 1;
        p->click[v] = click;
    }
    p->trust_floor = 1;
    p->fatigue = 1;
    p->react_delay.kind = FSN_DELAY_EXP;
    p->react_delay.mean = mu;
    for (int k = 0; k < FSN_CAMP_KIND_COUNT; k++) {
        p->share_initiator[k] = 0;
        p->share_participant[k] = 0;
        p->open_own[k] = 0;
        p->part_base[k] = 40;
    }
    p->share_initiator[FSN_CAMP_GROUP] = 1;
    p->share_buyer_boost = 0;
    p->coupon_reshare = 0;
    p->part_trust = 0;
    p->part_price = 0;
    for (int ch = 0; ch < FSN_CH_COUNT; ch++) p->channel_methods[ch] = FSN_PAY_MASK_ALL;
    p->bind_on_demand = 1;
    p->pay_discount_method = -1;
    p->pay_discount = 0;
    p->customer_share = 0;
    p->visit_rate = 0;
    for (int s = 0; s < FSN_SRC_COUNT; s++) p->arrivals[s] = 0;
    p->regime = FSN_REGIME_RATELIMIT;
    p->rate_limit_user = 0;
    p->rate_limit_global = 0;
    p->whitelist = 0;
    p->complaint = 0;
    p->horizon = horizon;
    p->bin = 1;
}

/* A k-person group buy with no coupon, seeded at every star's centre. */
static void star_group(fsn_campaign_t *c, const fsn_vid_t *centres, uint32_t k, double deadline) {
    fsn_campaign_default(c, FSN_CAMP_GROUP);
    c->group_size = k;
    c->group_deadline = deadline;
    c->coupon_value = 0;
    c->seeding.kind = FSN_SEED_FILE;
    c->seeding.count = STARS;
    c->seeding.list = centres;
    c->seeding.list_len = STARS;
}

static void check_fill(const fsn_csr_t *g, const fsn_users_t *u, const fsn_vid_t *centres, uint32_t k,
                       double deadline, double click, double mu, double join_pay, uint64_t seed) {
    fsn_world_params_t p;
    star_params(&p, click, mu, deadline + 1);
    p.join_pay = join_pay;
    fsn_campaign_t c;
    star_group(&c, centres, k, deadline);
    fsn_world_t *w = make_world(g, u, &p, &c, 1);
    run_world(w, seed);
    /* a leaf takes a place if it clicks in time and then pays */
    const double q = click * join_pay * (1.0 - exp(-deadline / mu)), Lambda = LEAVES * q;
    const double pbin = gsl_cdf_binomial_Q(k - 2, q, LEAVES);      /* P(X > k - 2) */
    const double perl = gsl_cdf_gamma_P(Lambda, (double)(k - 1), 1.0);
    const double bound = (1.0 - exp(-Lambda)) * q;
    const double se = sqrt(pbin * (1.0 - pbin) / STARS);
    const double fill = M(w, "campaign.group.fill_rate");
    cr_log_info("k %u D %g: q %.5f Lambda %.4f binomial %.5f erlang %.5f (bound %.4f) simulated %.5f (%+.2f SE)",
                k, deadline, q, Lambda, pbin, perl, bound, fill, (fill - pbin) / se);
    cr_assert_eq(M(w, "all.payments_abandoned"), 0, "a payment was abandoned");
    cr_assert_eq(M(w, "campaign.group.groups_opened"), STARS, "every centre opens one group");
    cr_assert_eq(M(w, "campaign.group.shares_sent"), STARS, "only the centres share, once each");
    cr_assert_leq(fabs(perl - pbin), bound, "Erlang %g vs binomial %g beyond the bound %g", perl, pbin, bound);
    cr_assert_leq(fabs(fill - pbin), 5 * se, "fill rate %g, expected %g +- 5 x %g", fill, pbin, se);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s", err.msg);
    fsn_world_free(w);
}

Test(campaign, group_fill_rate_on_stars_matches_the_binomial_and_erlang_closed_forms_with_and_without_payment_page_exits) {
    static fsn_vid_t centres[STARS];
    fsn_csr_t g;
    fsn_users_t u;
    star_forest(&g, centres);
    sample_users(&u, g.n, 31);
    /* a 3-person group with a short deadline: q = 0.0221, Lambda = 2.21 */
    check_fill(&g, &u, centres, 3, 1.0, 0.1, 4.0, 1.0, 32);
    /* a 10-person group over 12 hours: q = 0.0950, Lambda = 9.50 */
    check_fill(&g, &u, centres, 10, 12.0, 0.1, 4.0, 1.0, 33);
    /* Joiners who leave at the payment page (join_pay < 1) take no place,
     * so a leaf fills a place with probability click x join_pay x P(click
     * in time): the same closed form with q thinned by join_pay.
     * A 3-person group over 12 hours, half the joiners pay: q = 0.0475 */
    check_fill(&g, &u, centres, 3, 12.0, 0.1, 4.0, 0.5, 34);
    /* a 5-person group, a fifth pay: q = 0.0190 */
    check_fill(&g, &u, centres, 5, 12.0, 0.1, 4.0, 0.2, 35);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/*
 * Reminders on the same stars. The centre shares at 0 and, while its group
 * is open, again at I, 2I, ... (< D) each with probability r, stopping at
 * the first miss. Until the group fills, the run is the one where the
 * reminders go on regardless, so with R reminders (P(R >= j) = r^j for
 * j <= J, J the multiples of I below D) a leaf has joined by D with
 *     q_R = 1 - prod_{j=0..R} (1 - click (1 - exp(-(D - jI) / mu)))
 * (no fatigue, every exposure an independent click draw) and
 *     P(fill) = sum_R P(R) P(Bin(LEAVES, q_R) >= k - 1).
 * Stars are independent: the simulated fill rate has SE
 * sqrt(P (1 - P) / STARS); the test allows 5 SE (fixed seed).
 */
Test(campaign, reminders_fill_groups_as_the_closed_form_with_geometric_reminders_says) {
    static fsn_vid_t centres[STARS];
    fsn_csr_t g;
    fsn_users_t u;
    star_forest(&g, centres);
    sample_users(&u, g.n, 41);
    const uint32_t k = 3;
    const double D = 12, click = 0.01, mu = 4, I = 3, r = 0.6;
    fsn_world_params_t p;
    star_params(&p, click, mu, D + 1);
    p.remind[FSN_CAMP_GROUP] = r;
    p.remind_interval = I;
    fsn_campaign_t c;
    star_group(&c, centres, k, D);
    fsn_world_t *w = make_world(&g, &u, &p, &c, 1);
    run_world(w, 42);
    int J = 0;
    while ((J + 1) * I < D) J++;
    double pfill = 0, miss = 1, pfill0 = 0;
    for (int R = 0; R <= J; R++) {
        miss *= 1.0 - click * (1.0 - exp(-(D - R * I) / mu));
        const double pR = R < J ? pow(r, R) * (1.0 - r) : pow(r, J);
        const double tail = gsl_cdf_binomial_Q(k - 2, 1.0 - miss, LEAVES);
        if (R == 0) pfill0 = tail;
        pfill += pR * tail;
    }
    const double se = sqrt(pfill * (1.0 - pfill) / STARS);
    const double fill = M(w, "campaign.group.fill_rate");
    cr_log_info("reminders: J %d, closed form %.5f (without reminders %.5f), simulated %.5f (%+.2f SE)", J, pfill,
                pfill0, fill, (fill - pfill) / se);
    cr_assert_leq(fabs(fill - pfill), 5 * se, "fill rate %g, expected %g +- 5 x %g", fill, pfill, se);
    cr_assert_gt(pfill - pfill0, 10 * se, "the case must tell reminders from none");
    const double rem = M(w, "campaign.group.reminders");
    cr_assert_gt(rem, 0);
    cr_assert_leq(rem, (double)J * STARS);
    cr_assert_eq(M(w, "campaign.group.shares_sent"), STARS + rem, "a reminder is one more share");
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s", err.msg);
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* 4. Reproducibility                                                 */
/* ------------------------------------------------------------------ */

static size_t series_len(const fsn_world_t *w) {
    size_t nb;
    fsn_world_series(w, 0, 0, &nb);
    return nb;
}

/* Copy of every series of the last run, campaign-major. */
static uint32_t *series_copy(const fsn_world_t *w, size_t nc) {
    size_t nb = series_len(w);
    uint32_t *out = malloc(nc * FSN_SERIES_COUNT * nb * sizeof *out);
    cr_assert_not_null(out);
    for (size_t c = 0; c < nc; c++)
        for (int s = 0; s < FSN_SERIES_COUNT; s++)
            memcpy(out + (c * FSN_SERIES_COUNT + (size_t)s) * nb, fsn_world_series(w, c, s, NULL), nb * sizeof *out);
    return out;
}

Test(campaign, the_same_seed_gives_the_same_metrics_and_series_to_the_bit) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 3000, 41);
    sample_users(&u, g.n, 42);
    fsn_campaign_t c[FSN_CAMP_KIND_COUNT];
    size_t nc = four_campaigns(c, 50);
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 240;
    fsn_world_t *w = make_world(&g, &u, &p, c, nc);
    const size_t nm = fsn_world_metric_count(w), nser = nc * FSN_SERIES_COUNT * series_len(w);
    double *a = malloc(nm * sizeof *a);
    cr_assert_not_null(a);
    run_world(w, 7);
    memcpy(a, fsn_world_metrics(w), nm * sizeof *a);
    uint32_t *sa = series_copy(w, nc);
    uint64_t ev = fsn_world_events(w);
    /* a different seed in between, so nothing carries over by accident */
    run_world(w, 8);
    int differs = memcmp(a, fsn_world_metrics(w), nm * sizeof *a) != 0;
    uint32_t *sb = series_copy(w, nc);
    cr_assert(differs, "seeds 7 and 8 gave the same metrics");
    cr_assert_neq(memcmp(sa, sb, nser * sizeof *sa), 0, "seeds 7 and 8 gave the same series");
    free(sb);
    run_world(w, 7);
    cr_assert_eq(memcmp(a, fsn_world_metrics(w), nm * sizeof *a), 0, "metrics differ on a rerun of seed 7");
    sb = series_copy(w, nc);
    cr_assert_eq(memcmp(sa, sb, nser * sizeof *sa), 0, "series differ on a rerun of seed 7");
    cr_assert_eq(fsn_world_events(w), ev);
    free(sb);
    free(sa);
    free(a);
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

Test(campaign, replicates_are_identical_on_one_and_two_threads) {
    fsn_csr_t g;
    wechat_graph(&g, 2000, 43);
    fsn_campaign_t c[FSN_CAMP_KIND_COUNT];
    size_t nc = four_campaigns(c, 30);
    c[FSN_CAMP_GROUP].seeding.kind = FSN_SEED_DEGREE;   /* ranked before the threads start */
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 168;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_params_check(&p, c, nc, &g, &err), FSN_OK, "%s", err.msg);
    fsn_attr_params_t ap;
    fsn_attr_params_default(&ap);
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 4;
    cfg.seed = 99;
    fsn_run_result_t r1, r2;
    cfg.threads = 1;
    cr_assert_eq(fsn_run_campaigns(&g, &ap, &p, c, nc, &cfg, 0, &r1, &err), FSN_OK, "%s", err.msg);
    cfg.threads = 2;
    cr_assert_eq(fsn_run_campaigns(&g, &ap, &p, c, nc, &cfg, 0, &r2, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(r2.threads, 2);
    cr_assert_eq(r1.nmetrics, r2.nmetrics);
    cr_assert_eq(r1.nbins, r2.nbins);
    cr_assert_eq(memcmp(r1.names, r2.names, r1.nmetrics * sizeof *r1.names), 0);
    cr_assert_eq(memcmp(r1.values, r2.values, cfg.reps * r1.nmetrics * sizeof(double)), 0,
                 "values differ between 1 and 2 threads");
    cr_assert_eq(memcmp(r1.series, r2.series, cfg.reps * nc * FSN_SERIES_COUNT * r1.nbins * sizeof(uint32_t)), 0,
                 "series differ between 1 and 2 threads");
    cr_assert_eq(memcmp(r1.events, r2.events, cfg.reps * sizeof *r1.events), 0);
    /* replicates differ from one another */
    cr_assert_neq(memcmp(r1.values, r1.values + r1.nmetrics, r1.nmetrics * sizeof(double)), 0,
                  "replicates 0 and 1 are identical");
    fsn_run_result_destroy(&r1);
    fsn_run_result_destroy(&r2);
    fsn_csr_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* 5. Block regime                                                    */
/* ------------------------------------------------------------------ */

Test(campaign, blocked_links_are_clicked_only_through_the_workaround) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 3000, 51);
    sample_users(&u, g.n, 52);
    fsn_campaign_t c[FSN_CAMP_KIND_COUNT];
    size_t nc = four_campaigns(c, 60);
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.regime = FSN_REGIME_BLOCK;
    p.horizon = 120;
    p.workaround_pass = 0;
    fsn_world_t *w = make_world(&g, &u, &p, c, nc);
    run_world(w, 5);
    for (size_t k = 0; k < nc; k++) {
        double exposed = M(w, "campaign.%s.exposed", c[k].name), seeds = c[k].seeding.count;
        cr_assert_gt(exposed, seeds, "%s: nobody beyond the seeds was exposed", c[k].name);
        cr_assert_eq(M(w, "campaign.%s.clicked", c[k].name), 0, "%s: a click got through", c[k].name);
    }
    cr_assert_gt(M(w, "policy.workarounds"), 0);
    fsn_world_free(w);

    p.workaround_pass = 1;
    w = make_world(&g, &u, &p, c, nc);
    run_world(w, 5);
    double clicks = 0;
    for (size_t k = 0; k < nc; k++) clicks += M(w, "campaign.%s.clicked", c[k].name);
    cr_assert_gt(clicks, 0, "no click with a workaround that always passes");
    cr_assert_geq(M(w, "policy.workarounds"), clicks, "%g workarounds for %g clicks", M(w, "policy.workarounds"), clicks);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s", err.msg);
    /* the audit catches a click that did not come through the workaround */
    w->cc[0].clicked += w->workaround_passed + 1;
    cr_assert_eq(fsn_world_audit(w, &err), FSN_ESTATE, "the audit missed a click on a blocked link");
    w->cc[0].clicked -= w->workaround_passed + 1;
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* 6. Budget                                                          */
/* ------------------------------------------------------------------ */

Test(campaign, a_group_budget_is_never_overspent_and_limits_the_groups) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 3000, 61);
    sample_users(&u, g.n, 62);
    /* groups of two, so that many fill and book their subsidy */
    fsn_campaign_t c;
    fsn_campaign_default(&c, FSN_CAMP_GROUP);
    c.seeding.count = 60;
    c.group_size = 2;
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 240;
    fsn_world_t *w = make_world(&g, &u, &p, &c, 1);
    run_world(w, 6);
    const double open_free = M(w, "campaign.group.groups_opened");
    const double subsidy_free = M(w, "campaign.group.subsidy");
    fsn_world_free(w);
    /* a group commits (199 - 149) x 2 = 100 CNY: room for 10 at a time */
    c.budget = 1000;
    w = make_world(&g, &u, &p, &c, 1);
    run_world(w, 6);
    const double opened = M(w, "campaign.group.groups_opened"), subsidy = M(w, "campaign.group.subsidy");
    cr_log_info("budget %g: %g groups, subsidy %g; unlimited: %g groups, subsidy %g", c.budget, opened, subsidy,
                open_free, subsidy_free);
    cr_assert_gt(subsidy_free, c.budget, "the unlimited campaign spends less than the budget: nothing to limit");
    cr_assert_gt(subsidy, 0, "no group filled under the budget");
    cr_assert_leq(subsidy, c.budget, "subsidy %g over the budget %g", subsidy, c.budget);
    cr_assert_leq(w->cc[0].committed_fen, w_fen(c.budget));
    cr_assert_lt(opened, open_free, "%g groups with a budget, %g without", opened, open_free);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s", err.msg);
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/*
 * The campaign pays for a payment discount as well (it is booked as the
 * campaign's subsidy), so the budget must bound it too: with a 30 CNY
 * WeChat Pay discount on top of the group subsidy, the subsidy booked
 * must still stay within the budget.
 */
Test(campaign, payment_discounts_do_not_push_the_subsidy_over_the_budget) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 3000, 61);
    sample_users(&u, g.n, 62);
    fsn_campaign_t c;
    fsn_campaign_default(&c, FSN_CAMP_GROUP);
    c.seeding.count = 60;
    c.group_size = 2;
    c.budget = 1000;
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 240;
    p.pay_discount_method = FSN_PAY_WECHAT;
    p.pay_discount = 30;
    fsn_world_t *w = make_world(&g, &u, &p, &c, 1);
    run_world(w, 6);
    const double subsidy = M(w, "campaign.group.subsidy");
    cr_log_info("budget %g with a 30 CNY discount: subsidy %g, %g groups", c.budget, subsidy,
                M(w, "campaign.group.groups_opened"));
    cr_assert_gt(subsidy, 0);
    cr_assert_leq(subsidy, c.budget, "subsidy %g over the budget %g", subsidy, c.budget);
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/*
 * A seed whose group, bargain or packet cannot open (here: a budget of
 * 1 CNY is below one instance's commitment) considers the product at
 * list price and passes on the campaign's own link, instance c, which is
 * no group, bargain or packet. A click on it must not be taken for a
 * join, a help or a claim: that instance has no member slots, no owner
 * and no money. Every receiver notices and clicks (Moments only,
 * attention and click 1), so the path is taken many times.
 */
static void check_fallback(fsn_camp_kind_t kind, const char *opened) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 1000, 65);
    sample_users(&u, g.n, 66);
    fsn_campaign_t c;
    fsn_campaign_default(&c, kind);
    c.seeding.count = 20;
    c.budget = 1;
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 48;
    p.via_prob[0] = 0, p.via_prob[1] = 0, p.via_prob[2] = 1;
    p.attention[FSN_VIA_MOMENTS] = 1;
    p.click[FSN_VIA_MOMENTS] = 1;
    p.trust_floor = 1;
    p.share_initiator[FSN_CAMP_LINK] = 1;
    p.part_base[kind] = 40;
    p.bind_on_demand = 1;
    fsn_world_t *w = make_world(&g, &u, &p, &c, 1);
    run_world(w, 65);
    const char *N = c.name;
    cr_assert_eq(M(w, "campaign.%s.%s", N, opened), 0, "%s: one opened on a budget of 1 CNY", N);
    cr_assert_gt(M(w, "campaign.%s.clicked", N), 0, "%s: nobody clicked the fallback link", N);
    cr_assert_eq(w->inst[0].count, 0, "%s: the campaign's own link took %u joins, helps or claims", N, w->inst[0].count);
    cr_assert_eq(w->inst[0].fen, 0, "%s: the campaign's own link holds %lld fen", N, (long long)w->inst[0].fen);
    cr_assert_eq(w->nmem, 0, "%s: member slots taken without a group", N);
    cr_assert_eq(w->cc[0].claims, 0, "%s: %llu claims without a packet", N, (unsigned long long)w->cc[0].claims);
    cr_assert_eq(w->cc[0].filled, 0, "%s: %llu filled or won without an instance", N,
                 (unsigned long long)w->cc[0].filled);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s: %s", N, err.msg);
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

Test(campaign, a_click_on_a_group_campaigns_fallback_link_joins_no_group) {
    check_fallback(FSN_CAMP_GROUP, "groups_opened");
}

Test(campaign, a_click_on_a_bargain_campaigns_fallback_link_helps_no_bargain) {
    check_fallback(FSN_CAMP_BARGAIN, "bargains_opened");
}

Test(campaign, a_click_on_a_redpacket_campaigns_fallback_link_claims_nothing) {
    check_fallback(FSN_CAMP_REDPACKET, "packets_sent");
}

/* ------------------------------------------------------------------ */
/* 7. Coupons                                                         */
/* ------------------------------------------------------------------ */

Test(campaign, failed_groups_issue_coupons_and_reshared_coupons_open_groups) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 3000, 71);
    sample_users(&u, g.n, 72);
    fsn_campaign_t c;
    fsn_campaign_default(&c, FSN_CAMP_GROUP);
    c.seeding.count = 60;
    c.group_deadline = 2;
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 72;
    p.coupon_reshare = 0;
    fsn_world_t *w = make_world(&g, &u, &p, &c, 1);
    run_world(w, 7);
    const double refunds = M(w, "campaign.group.refunds"), issued = M(w, "campaign.group.coupons_issued");
    const double open0 = M(w, "campaign.group.groups_opened");
    cr_assert_lt(M(w, "campaign.group.fill_rate"), 1.0, "no group failed");
    cr_assert_gt(refunds, 0);
    cr_assert_eq(issued, refunds, "%g coupons for %g refunded members", issued, refunds);
    cr_assert_eq(M(w, "campaign.group.coupons_used"), 0, "a coupon was used without a reshare");
    fsn_world_free(w);

    p.coupon_reshare = 1;
    w = make_world(&g, &u, &p, &c, 1);
    run_world(w, 7);
    const double open1 = M(w, "campaign.group.groups_opened");
    cr_log_info("groups opened: %g without coupon reshare, %g with", open0, open1);
    cr_assert_gt(open1, open0, "coupon holders opened no group");
    cr_assert_gt(M(w, "campaign.group.coupons_used"), 0);
    /* one coupon per user and campaign: a reopened group that fails again
     * refunds its members without a second coupon, so the chain ends */
    const double issued1 = M(w, "campaign.group.coupons_issued"), refunds1 = M(w, "campaign.group.refunds");
    cr_log_info("with reshare: %g refunds, %g coupons", refunds1, issued1);
    cr_assert_leq(issued1, refunds1);
    cr_assert_leq(issued1, M(w, "campaign.group.participants"), "a user received two coupons");
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s", err.msg);
    fsn_world_free(w);

    /* no coupon value: refunds but no coupons */
    c.coupon_value = 0;
    w = make_world(&g, &u, &p, &c, 1);
    run_world(w, 7);
    cr_assert_gt(M(w, "campaign.group.refunds"), 0);
    cr_assert_eq(M(w, "campaign.group.coupons_issued"), 0);
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* 8. Rate limit                                                      */
/* ------------------------------------------------------------------ */

Test(campaign, a_per_user_rate_limit_stops_shares) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 3000, 81);
    sample_users(&u, g.n, 82);
    /* every campaign seeded at the same best-connected users, who then
     * share four links in their first hour */
    fsn_vid_t *rank = malloc(g.n * sizeof *rank);
    cr_assert_not_null(rank);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_seed_rank(&g, FSN_SEED_DEGREE, rank, &err), FSN_OK, "%s", err.msg);
    fsn_campaign_t c[FSN_CAMP_KIND_COUNT];
    size_t nc = four_campaigns(c, 50);
    for (size_t k = 0; k < nc; k++) {
        c[k].seeding.kind = FSN_SEED_DEGREE;
        c[k].seeding.list = rank;
        c[k].seeding.list_len = g.n;
    }
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 120;
    p.whitelist = 0;
    double shares[2], limited[2];
    const uint32_t limits[2] = {0, 1};
    for (int j = 0; j < 2; j++) {
        p.rate_limit_user = limits[j];
        fsn_world_t *w = make_world(&g, &u, &p, c, nc);
        run_world(w, 8);
        shares[j] = 0;
        for (size_t k = 0; k < nc; k++) shares[j] += M(w, "campaign.%s.shares_sent", c[k].name);
        limited[j] = M(w, "policy.shares_limited");
        fsn_world_free(w);
    }
    cr_log_info("shares: %g unlimited, %g at 1 an hour (%g limited)", shares[0], shares[1], limited[1]);
    cr_assert_eq(limited[0], 0, "shares limited without a limit");
    cr_assert_gt(limited[1], 0, "no share limited at 1 an hour");
    cr_assert_lt(shares[1], shares[0]);
    free(rank);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* 9. Whitelist                                                       */
/* ------------------------------------------------------------------ */

Test(campaign, complaints_tighten_the_whitelist_and_silence_keeps_it_open) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 3000, 91);
    sample_users(&u, g.n, 92);
    fsn_campaign_t c[FSN_CAMP_KIND_COUNT];
    size_t nc = four_campaigns(c, 60);
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 240;
    p.whitelist = 1;
    p.review_interval = 12;
    p.tighten_above = 0.01;
    p.loosen_below = 0.001;
    p.complaint = 1;
    fsn_world_t *w = make_world(&g, &u, &p, c, nc);
    run_world(w, 9);
    double up = M(w, "policy.hours_at_level1") + M(w, "policy.hours_at_level2");
    cr_log_info("complaint 1: rate %g, level %g, %g hours above 0", M(w, "policy.complaint_rate"),
                M(w, "policy.level_final"), up);
    cr_assert_gt(M(w, "policy.complaint_rate"), p.tighten_above);
    cr_assert(M(w, "policy.level_final") > 0 || up > 0, "the level never rose");
    cr_assert_float_eq(M(w, "policy.hours_at_level0") + up, p.horizon, 1e-9, "level hours do not sum to the horizon");
    fsn_world_free(w);

    p.complaint = 0;
    w = make_world(&g, &u, &p, c, nc);
    run_world(w, 9);
    cr_assert_eq(M(w, "policy.complaint_rate"), 0);
    cr_assert_eq(M(w, "policy.level_final"), 0);
    cr_assert_float_eq(M(w, "policy.hours_at_level0"), p.horizon, 1e-9);
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* 10. Payment                                                        */
/* ------------------------------------------------------------------ */

/*
 * A 30 CNY discount for Alipay, payable in every channel. A user who
 * does not prefer Alipay switches with probability equal to the user's
 * discount sensitivity, so Alipay's share of orders rises. Same seed,
 * same population. The shares are proportions of N0 and N1 orders; the
 * rise must exceed 5 SE = 5 sqrt(p0 (1 - p0) / N0 + p1 (1 - p1) / N1).
 */
Test(campaign, a_payment_discount_raises_that_methods_order_share) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 5000, 101);
    sample_users(&u, g.n, 102);
    fsn_campaign_t c[FSN_CAMP_KIND_COUNT];
    size_t nc = four_campaigns(c, 60);
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 240;
    for (int ch = 0; ch < FSN_CH_COUNT; ch++) p.channel_methods[ch] = FSN_PAY_MASK_ALL;
    double share[2], n[2];
    for (int j = 0; j < 2; j++) {
        p.pay_discount_method = j ? FSN_PAY_ALIPAY : -1;
        p.pay_discount = j ? 30 : 0;
        fsn_world_t *w = make_world(&g, &u, &p, c, nc);
        run_world(w, 10);
        share[j] = M(w, "pay.alipay.order_share");
        n[j] = M(w, "all.orders");
        for (int m = 0; m < FSN_PAY_COUNT; m++) {
            double fr = M(w, "pay.%s.fixed_rate", fsn_pay_name(m));
            cr_assert(is_rate(fr), "pay.%s.fixed_rate = %g", fsn_pay_name(m), fr);
        }
        if (j) {
            double take = M(w, "pay.wechat.discount_take_rate");
            cr_assert(is_rate(take) && take > 0, "pay.wechat.discount_take_rate = %g", take);
        }
        fsn_error_t err = {0};
        cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s", err.msg);
        fsn_world_free(w);
    }
    double se = sqrt(share[0] * (1 - share[0]) / n[0] + share[1] * (1 - share[1]) / n[1]);
    cr_log_info("alipay order share %.4f of %g orders without, %.4f of %g with the discount (SE %.4f)", share[0],
                n[0], share[1], n[1], se);
    cr_assert_gt(share[1] - share[0], 5 * se, "share %g -> %g, SE %g", share[0], share[1], se);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* The star world with every price term of the buy logit off, no spread in
 * the catalogue, every channel at 100 CNY, and one silent 3-person group
 * seeded at the first centre (its seed's one order is the only campaign
 * order): the price of an order is then known exactly. */
static void flat_prices(fsn_world_params_t *p, fsn_campaign_t *c, const fsn_vid_t *centres) {
    star_params(p, 0.1, 4.0, 240);
    p->buy_price = 0;
    p->buy_highprice_outside_app = 0;
    p->catalogue_sigma = 0;
    for (int ch = 0; ch < FSN_CH_COUNT; ch++) p->catalogue_price[ch] = 100;
    p->share_initiator[FSN_CAMP_GROUP] = 0;
    star_group(c, centres, 3, 12.0);
    c->seeding.count = 1;
    c->seeding.list_len = 1;
}

/*
 * Spending levels. With every price term of the buy logit off, no spread
 * in the catalogue, every channel at 100 CNY and accepting every method,
 * and users who always pay with their preferred method, an order of a
 * user preferring m costs exactly 100 x exp(spend_pref[m]): the order
 * value by method is 200 / 100 / 50 CNY to the fen.
 */
Test(campaign, spending_levels_set_the_price_of_visits_by_preferred_method) {
    static fsn_vid_t centres[STARS];
    fsn_csr_t g;
    fsn_users_t u;
    star_forest(&g, centres);
    sample_users(&u, g.n, 41);
    for (uint32_t v = 0; v < g.n; v++) u.stickiness[v] = 1.0f;
    fsn_world_params_t p;
    fsn_campaign_t c;
    flat_prices(&p, &c, centres);
    p.customer_share = 1;
    p.visit_rate = 1;
    p.buy_base = -2;
    p.spend_pref[FSN_PAY_WECHAT] = log(2.0);
    p.spend_pref[FSN_PAY_UNIONPAY] = log(0.5);
    c.price = 100;
    c.group_price = 100;   /* the one seed's order costs 100 whatever its method */
    fsn_world_t *w = make_world(&g, &u, &p, &c, 1);
    run_world(w, 42);
    const double want[FSN_PAY_COUNT] = {200, 100, 50};
    for (int m = 0; m < FSN_PAY_COUNT; m++) {
        const double orders = M(w, "pay.%s.orders", fsn_pay_name(m));
        const double ov = M(w, "pay.%s.order_value", fsn_pay_name(m));
        /* the seed's one group order at 100 is in one method's mean */
        const double lo = (want[m] * (orders - 1) + 100) / orders, hi = want[m];
        cr_log_info("%s: %g orders, order value %.4f (expected %g)", fsn_pay_name(m), orders, ov, want[m]);
        cr_assert_gt(orders, 100, "%s: only %g orders", fsn_pay_name(m), orders);
        cr_assert(ov >= fmin(lo, hi) - 1e-9 && ov <= fmax(lo, hi) + 1e-9, "%s: order value %.6f, expected %g",
                  fsn_pay_name(m), ov, want[m]);
    }
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/*
 * The flat-price star world with no customers at the start and outside
 * arrivals at 5 per day per 1000 from every outside source; sources'
 * prices x2 for `doubled`, x0.5 for "other". Runs it (seed) with the given
 * visit rate and checks that each outside source's order value is
 * exactly 100 x exp(source_price): 100 / 200 / 50 CNY or as doubled.
 * Returns the world for further checks (the caller frees it).
 */
static fsn_world_t *arrivals_at_flat_prices(fsn_csr_t *g, fsn_users_t *u, fsn_vid_t *centres, int doubled,
                                            double visit_rate, double wechat_shift, uint64_t seed) {
    star_forest(g, centres);
    sample_users(u, g->n, seed);
    fsn_world_params_t p;
    fsn_campaign_t c;
    flat_prices(&p, &c, centres);
    p.customer_share = 0;
    p.visit_rate = visit_rate;
    p.buy_base = 0;
    p.churn_rate = 0;
    for (int s = 1; s < FSN_SRC_COUNT; s++) p.arrivals[s] = 5;
    p.source_price[FSN_SRC_WECHAT] = wechat_shift;
    p.source_price[doubled] = log(2.0);
    p.source_price[FSN_SRC_OTHER] = log(0.5);
    c.price = 100;
    c.group_price = 100;
    fsn_world_t *w = make_world(g, u, &p, &c, 1);
    run_world(w, seed + 1);
    static const char *const src[] = {"alipay_mini", "short_video", "other"};
    for (int s = 0; s < 3; s++) {
        const double want = s == 2 ? 50 : s + 1 == doubled ? 200 : 100;
        const double n = M(w, "source.%s.new_users", src[s]), ov = M(w, "source.%s.order_value", src[s]);
        cr_log_info("%s: %g new users, order value %.4f", src[s], n, ov);
        cr_assert_gt(n, 50, "%s: only %g new users", src[s], n);
        cr_assert_float_eq(ov, want, 1e-9, "%s: order value %.6f, expected %g", src[s], ov, want);
    }
    return w;
}

/*
 * What a source advertises. With flat prices and no later visits (visit
 * rate 0), a new user's only order is the arrival's first visit, at
 * 100 x exp(source_price[s]) exactly: 100 / 200 / 50 CNY by source.
 */
Test(campaign, source_prices_set_the_price_of_an_arrivals_first_order) {
    static fsn_vid_t centres[STARS];
    fsn_csr_t g;
    fsn_users_t u;
    fsn_world_t *w = arrivals_at_flat_prices(&g, &u, centres, FSN_SRC_VIDEO, 0, 0, 43);
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/*
 * The spending level stays with a new user. With flat prices, visits on,
 * no churn and source prices x2 (Alipay mini-program), x0.5 (other) and
 * x3 (WeChat link): an arrival's orders all cost 100 x exp(source_price),
 * its first visit and every later one alike, so the source's order value
 * is 200 / 100 / 50 exactly. The group's seed is not a customer: its
 * first order is the campaign's (group price 100) and makes it the one
 * WeChat-link new user; its k later visit orders cost 300, so the order
 * value is (100 + 300 k) / (k + 1) with k a whole number of at least 1
 * (100 exactly if the shift ended with the first visit).
 */
Test(campaign, source_prices_stay_with_a_new_users_later_visits) {
    static fsn_vid_t centres[STARS];
    fsn_csr_t g;
    fsn_users_t u;
    fsn_world_t *w = arrivals_at_flat_prices(&g, &u, centres, FSN_SRC_ALIPAY, 1, log(3.0), 45);
    cr_assert_gt(M(w, "all.visit_orders"), M(w, "all.new_users") + 50, "too few later visit orders");
    const double n = M(w, "source.wechat_link.new_users"), ov = M(w, "source.wechat_link.order_value");
    const double k = (ov - 100) / (300 - ov);
    cr_log_info("wechat_link: %g new users, order value %.4f (k = %.6f)", n, ov, k);
    cr_assert_eq(n, 1, "%g WeChat-link new users, expected the seed alone", n);
    cr_assert(k >= 1 - 1e-9 && fabs(k - round(k)) < 1e-6, "order value %.6f is not (100 + 300 k) / (k + 1)", ov);
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/*
 * buy_kind shifts the buy logit of one campaign type only. A bargain's
 * helpers buy at list price through the buy logit; at -60 none does, so
 * the bargain's buyers are exactly the initiators who won and paid, and
 * at +60 almost every helper buys. The red packet's logit is not moved.
 */
Test(campaign, buy_kind_moves_the_buyers_of_its_own_campaign_type_only) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 5000, 111);
    sample_users(&u, g.n, 112);
    fsn_campaign_t c[FSN_CAMP_KIND_COUNT];
    size_t nc = four_campaigns(c, 40);
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 240;
    double conv[2];
    for (int j = 0; j < 2; j++) {
        p.buy_kind[FSN_CAMP_BARGAIN] = j ? 60 : -60;
        fsn_world_t *w = make_world(&g, &u, &p, c, nc);
        run_world(w, 113);
        const double buyers = M(w, "campaign.bargain.buyers"), won = M(w, "campaign.bargain.bargains_won");
        const double part = M(w, "campaign.bargain.participants"), init = M(w, "campaign.bargain.initiators");
        conv[j] = M(w, "campaign.bargain.conversion_rate");
        cr_log_info("buy_kind.bargain %+d: %g participants, %g initiators, %g won, %g buyers", j ? 60 : -60, part,
                    init, won, buyers);
        if (!j) cr_assert_eq(buyers, won, "helpers bought at -60: %g buyers, %g won", buyers, won);
        else
            /* every helper buys unless it leaves at the payment step */
            cr_assert_geq(buyers + M(w, "all.payments_abandoned"), part - init, "%g buyers of %g helpers", buyers,
                          part - init);
        fsn_error_t err = {0};
        cr_assert_eq(fsn_world_audit(w, &err), FSN_OK, "%s", err.msg);
        fsn_world_free(w);
    }
    cr_assert_gt(conv[1], conv[0] + 0.3, "bargain conversion %g -> %g", conv[0], conv[1]);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* 11. Seeding strategies                                             */
/* ------------------------------------------------------------------ */

/* Mean of a metric over the replicates of a result. */
static double rep_mean(const fsn_run_result_t *r, const char *name) {
    long k = -1;
    for (size_t i = 0; i < r->nmetrics; i++)
        if (strcmp(r->names[i], name) == 0) k = (long)i;
    cr_assert_geq(k, 0, "no metric %s", name);
    double s = 0;
    for (uint32_t j = 0; j < r->reps; j++) s += r->values[(size_t)j * r->nmetrics + (size_t)k];
    return s / r->reps;
}

/*
 * On a Barabasi-Albert graph (3000 users, 2 ties each: degrees from 2 to
 * about 100) ten seeds of a plain link chosen by degree or PageRank reach
 * the hubs' hundreds of friends; ten random seeds have about 4 friends
 * each. Means over 4 replicates; the gap is an order of magnitude, far
 * beyond the replicate noise.
 */
Test(campaign, degree_and_pagerank_seeds_reach_more_users_than_random_ones) {
    fsn_gen_params_t gp;
    fsn_gen_params_default(&gp, FSN_GEN_BARABASI);
    gp.n = 3000;
    gp.m = 2;
    gp.seed = 111;
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_graph_generate(&g, &gp, &err), FSN_OK, "%s", err.msg);
    fsn_attr_params_t ap;
    fsn_attr_params_default(&ap);
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 120;
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 4;
    cfg.seed = 5;
    cfg.threads = 2;
    const fsn_seed_kind_t kinds[] = {FSN_SEED_RANDOM, FSN_SEED_DEGREE, FSN_SEED_PAGERANK, FSN_SEED_KCORE};
    double exposed[4];
    for (int j = 0; j < 4; j++) {
        fsn_campaign_t c;
        fsn_campaign_default(&c, FSN_CAMP_LINK);
        c.seeding.kind = kinds[j];
        c.seeding.count = 10;
        cr_assert_eq(fsn_world_params_check(&p, &c, 1, &g, &err), FSN_OK, "%s", err.msg);
        fsn_run_result_t r;
        cr_assert_eq(fsn_run_campaigns(&g, &ap, &p, &c, 1, &cfg, 0, &r, &err), FSN_OK, "%s: %s",
                     fsn_seed_kind_name(kinds[j]), err.msg);
        exposed[j] = rep_mean(&r, "campaign.link.exposed");
        fsn_run_result_destroy(&r);
    }
    cr_log_info("mean exposed: random %g, degree %g, pagerank %g, kcore %g", exposed[0], exposed[1], exposed[2],
                exposed[3]);
    cr_assert_gt(exposed[1], 2 * exposed[0], "degree %g vs random %g", exposed[1], exposed[0]);
    cr_assert_gt(exposed[2], 2 * exposed[0], "pagerank %g vs random %g", exposed[2], exposed[0]);
    cr_assert_geq(exposed[3], 10, "kcore seeding did not run");
    fsn_csr_destroy(&g);
}

/* Seeds of a tier seeding, as the launch event marks them. */
Test(campaign, a_tier_seeding_seeds_only_users_of_that_tier) {
    fsn_csr_t g;
    fsn_users_t u;
    wechat_graph(&g, 3000, 113);
    sample_users(&u, g.n, 114);
    uint32_t in_tier = 0;
    for (uint32_t v = 0; v < g.n; v++) in_tier += u.tier[v] == FSN_TIER_1;
    cr_assert_gt(in_tier, 100);
    fsn_campaign_t c[2];
    fsn_campaign_default(&c[0], FSN_CAMP_LINK);
    fsn_campaign_default(&c[1], FSN_CAMP_GROUP);
    for (int k = 0; k < 2; k++) {
        c[k].seeding.kind = FSN_SEED_TIER;
        c[k].seeding.tier = FSN_TIER_1;
        c[k].seeding.count = 80;
    }
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    p.horizon = 48;
    fsn_world_t *w = make_world(&g, &u, &p, c, 2);
    for (uint64_t s = 1; s <= 3; s++) {
        run_world(w, s);
        for (uint32_t k = 0; k < 2; k++) {
            uint32_t seeds = 0;
            for (uint32_t v = 0; v < g.n; v++)
                if (w->uc[(size_t)v * w->nc + k] & UC_SEED) {
                    seeds++;
                    cr_assert_eq(u.tier[v], FSN_TIER_1, "seed %u of %s is in tier %u", v, c[k].name, u.tier[v]);
                }
            cr_assert_eq(seeds, 80);
            cr_assert_eq(w->cc[k].seeds, 80);
        }
    }
    fsn_world_free(w);
    /* and through the replicate driver */
    fsn_attr_params_t ap;
    fsn_attr_params_default(&ap);
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 2;
    cfg.threads = 1;
    fsn_run_result_t r;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_run_campaigns(&g, &ap, &p, c, 2, &cfg, 0, &r, &err), FSN_OK, "%s", err.msg);
    cr_assert_geq(rep_mean(&r, "campaign.link.exposed"), 80);
    fsn_run_result_destroy(&r);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* 12. Parameter checks                                               */
/* ------------------------------------------------------------------ */

static void expect_rejected(fsn_world_params_t *p, const fsn_campaign_t *c, size_t nc, const fsn_csr_t *g,
                            const char *field) {
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_params_check(p, c, nc, g, &err), FSN_EINVAL, "%s was accepted", field);
    cr_assert_not_null(strstr(err.msg, field), "message \"%s\" does not name %s", err.msg, field);
}

Test(campaign, parameter_checks_reject_bad_values_naming_the_field) {
    fsn_csr_t g;
    wechat_graph(&g, 500, 121);
    fsn_campaign_t c[FSN_CAMP_KIND_COUNT];
    size_t nc = four_campaigns(c, 20);
    fsn_world_params_t p;
    fsn_world_params_default(&p);
    fsn_error_t err = {0};
    cr_assert_eq(fsn_world_params_check(&p, c, nc, &g, &err), FSN_OK, "defaults rejected: %s", err.msg);

    fsn_world_params_t q = p;
    q.click[1] = 1.5;
    expect_rejected(&q, c, nc, &g, "behaviour.click[1]");
    q = p;
    q.via_prob[0] = 0.9;
    expect_rejected(&q, c, nc, &g, "behaviour.via_prob");
    q = p;
    q.part_base[2] = NAN;
    expect_rejected(&q, c, nc, &g, "behaviour.part_base[2]");
    q = p;
    q.horizon = 0;
    expect_rejected(&q, c, nc, &g, "behaviour.horizon");
    q = p;
    q.loosen_below = 0.5;
    expect_rejected(&q, c, nc, &g, "behaviour.loosen_below");
    q = p;
    q.channel_methods[2] = 0;
    expect_rejected(&q, c, nc, &g, "behaviour.channel_methods[2]");
    q = p;
    q.pay_discount_method = FSN_PAY_COUNT;
    expect_rejected(&q, c, nc, &g, "behaviour.pay_discount_method");
    q = p;
    q.react_delay.mean = -1;
    expect_rejected(&q, c, nc, &g, "behaviour.react_delay");

    fsn_campaign_t d[FSN_CAMP_KIND_COUNT];
    memcpy(d, c, sizeof d);
    d[1].group_size = 1;
    expect_rejected(&p, d, nc, &g, "campaigns[1].group_size");
    memcpy(d, c, sizeof d);
    d[1].group_price = d[1].price + 1;
    expect_rejected(&p, d, nc, &g, "campaigns[1].group_price");
    memcpy(d, c, sizeof d);
    d[2].floor_price = d[2].price;
    expect_rejected(&p, d, nc, &g, "campaigns[2].floor_price");
    memcpy(d, c, sizeof d);
    d[3].packet_total = 0.05;   /* less than a fen for each of 10 claimers */
    expect_rejected(&p, d, nc, &g, "campaigns[3].packet_total");
    memcpy(d, c, sizeof d);
    d[0].seeding.count = g.n + 1;
    expect_rejected(&p, d, nc, &g, "campaigns[0].seeding.count");
    memcpy(d, c, sizeof d);
    snprintf(d[2].name, sizeof d[2].name, "%s", d[0].name);
    expect_rejected(&p, d, nc, &g, "campaigns[2].name");
    cr_assert_eq(fsn_world_params_check(&p, d, nc, &g, &err), FSN_EINVAL);
    cr_assert_not_null(strstr(err.msg, "campaigns[0]"), "the duplicate's first use is not named: %s", err.msg);
    memcpy(d, c, sizeof d);
    d[3].seeding.kind = FSN_SEED_TIER;
    d[3].seeding.tier = FSN_TIER_COUNT;
    expect_rejected(&p, d, nc, &g, "campaigns[3].seeding.tier");
    memcpy(d, c, sizeof d);
    d[1].seeding.kind = FSN_SEED_FILE;
    expect_rejected(&p, d, nc, &g, "campaigns[1].seeding");
    memcpy(d, c, sizeof d);
    snprintf(d[1].name, sizeof d[1].name, "a b");
    expect_rejected(&p, d, nc, &g, "campaigns[1].name");
    fsn_csr_destroy(&g);
}
