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
        double orders = M(w, "campaign.%s.orders", N), gmv = M(w, "campaign.%s.gmv", N);
        if (c[k].kind == FSN_CAMP_REDPACKET) {
            double sent = M(w, "campaign.%s.packets_sent", N);
            double claimed = M(w, "campaign.%s.claimed_amount", N);
            cr_assert_leq(claimed, sent * c[k].packet_total + 0.005, "%s: claimed %g of %g packets", ctx, claimed, sent);
            cr_assert(is_rate(M(w, "campaign.%s.claim_rate", N)), "%s: claim_rate", ctx);
        } else if (c[k].kind == FSN_CAMP_BARGAIN) {
            cr_assert_float_eq(gmv, orders * c[k].floor_price, 0.005,
                               "%s: bargain gmv %g for %g orders at the floor %g", ctx, gmv, orders, c[k].floor_price);
            double s = M(w, "campaign.%s.success_rate", N);
            cr_assert(isnan(s) || is_rate(s), "%s: success_rate %g", ctx, s);
        } else if (c[k].kind == FSN_CAMP_GROUP) {
            /* members paid the group price; a seed whose group could not
             * open falls back to the plain link and may buy at list price */
            double coupons = M(w, "campaign.%s.coupon_cost", N), members = 0;
            for (size_t i = w->nc; i < w->ninst; i++)
                if (w->inst[i].camp == k) members += w->inst[i].count;
            cr_assert_leq(members, orders, "%s: %g group members for %g orders", ctx, members, orders);
            double expect = members * c[k].group_price + (orders - members) * c[k].price - coupons;
            cr_assert_float_eq(gmv, expect, 0.005,
                               "%s: group gmv %g for %g members at %g and %g list-price orders less %g of coupons",
                               ctx, gmv, members, c[k].group_price, orders - members, coupons);
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
            easy_orders += M(w, "campaign.bargain_easy.orders");
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
 * centre. The centre opens a group (its payment cannot fail: every
 * channel takes every method and a missing method is always bound) and
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

static void check_fill(const fsn_csr_t *g, const fsn_users_t *u, const fsn_vid_t *centres, uint32_t k,
                       double deadline, double click, double mu, uint64_t seed) {
    fsn_world_params_t p;
    star_params(&p, click, mu, deadline + 1);
    fsn_campaign_t c;
    fsn_campaign_default(&c, FSN_CAMP_GROUP);
    c.group_size = k;
    c.group_deadline = deadline;
    c.coupon_value = 0;
    c.seeding.kind = FSN_SEED_FILE;
    c.seeding.count = STARS;
    c.seeding.list = centres;
    c.seeding.list_len = STARS;
    fsn_world_t *w = make_world(g, u, &p, &c, 1);
    run_world(w, seed);
    const double q = click * (1.0 - exp(-deadline / mu)), Lambda = LEAVES * q;
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

Test(campaign, group_fill_rate_on_stars_matches_the_binomial_and_erlang_closed_forms) {
    static fsn_vid_t centres[STARS];
    fsn_csr_t g;
    fsn_users_t u;
    star_forest(&g, centres);
    sample_users(&u, g.n, 31);
    /* a 3-person group with a short deadline: q = 0.0221, Lambda = 2.21 */
    check_fill(&g, &u, centres, 3, 1.0, 0.1, 4.0, 32);
    /* a 10-person group over 12 hours: q = 0.0950, Lambda = 9.50 */
    check_fill(&g, &u, centres, 10, 12.0, 0.1, 4.0, 33);
    fsn_users_destroy(&u);
    fsn_csr_destroy(&g);
}
