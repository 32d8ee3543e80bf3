/*
 * models/world.h: the state the campaign modules share (internal).
 *
 * The seven modules of the campaign world (funnel, group, bargain,
 * redpacket, payment, traffic, policy) are separate files and, except
 * payment (a service the others call), separate model tables on the
 * engine, but they act on one population: a click
 * from the funnel becomes a group join, a join becomes a payment, a
 * payment makes a member whose visits come faster. So they share this
 * struct, and each module exposes to the others the few functions
 * declared here (prefix w_ for "world-internal").
 *
 * Layout. Per-user state is a structure of arrays indexed by user id;
 * per (user, campaign) state is indexed u * ncamp + c, so the campaigns
 * of one user sit in one cache line. Campaign instances (a group, a
 * bargain, a packet) live in a pool that grows geometrically and is kept
 * across replicates; instance ids are never reused within a run, so an
 * event that names one is never misdirected. Instance ids 0 .. ncamp-1
 * are the campaigns' own plain links.
 *
 * Counters are integers (or fen) while running; fsn_world_run turns them
 * into the metric table once, at the end.
 */
#ifndef FISSION_MODELS_WORLD_H
#define FISSION_MODELS_WORLD_H

#include <math.h>
#include <stdint.h>

#include "fission/campaign.h"

/* Per-user flags. */
enum {
    U_CUSTOMER = 1,      /* a Taobao customer (visits) */
    U_MEMBER = 2,        /* member of the shop (success-page nudge) */
    U_APP = 4,           /* has the Taobao app */
    U_NEW = 8,           /* first order in this run made them a customer */
    U_ARRIVED = 16       /* came from an outside source this run */
};

/* Per (user, campaign) flags. */
enum {
    UC_EXPOSED = 1,
    UC_CLICKED = 2,
    UC_PART = 4,         /* took part (joined, helped, claimed, considered) */
    UC_BOUGHT = 8,
    UC_SHARED = 16,
    UC_INIT = 32,        /* opened a group / bargain / packet, or was seeded */
    UC_SEED = 64,
    UC_COUPON = 128      /* received a failed group's coupon (once per campaign) */
};

enum { INST_OPEN = 0, INST_DONE = 1, INST_FAILED = 2 };

#define W_NONE UINT32_MAX
/* An opener left at the payment step (nothing was opened). */
#define W_LEFT (UINT32_MAX - 1u)

/* One group, bargain or packet (or a campaign's plain link). */
typedef struct w_inst {
    uint32_t owner;          /* initiator (W_NONE for a plain link) */
    uint8_t camp;
    uint8_t state;           /* INST_* */
    uint16_t pad;
    uint32_t count;          /* members, helpers or claims so far */
    uint32_t mem;            /* group: first of group_size slots in members[] */
    int64_t fen;             /* bargain: price now; packet: amount left */
    double opened, closed;
} w_inst_t;

/* What a campaign counted (integers; money in fen). */
typedef struct w_counts {
    uint64_t exposed, clicked, participants, buyers, sharers, initiators, seeds;
    uint64_t orders, shares, workaround_lost, complaints;
    int64_t gmv_fen, subsidy_fen, coupon_fen, refund_fen;
    uint64_t refunds;
    uint64_t opened, filled, failed;   /* groups / bargains / packets */
    double fill_time;                  /* sum over filled groups / won bargains */
    uint64_t helpers_won;              /* helpers of successful bargains */
    uint64_t slots, claims;            /* red packets */
    int64_t claimed_fen, packet_fen;
    uint64_t depth_sum, depth_max;     /* over non-seed participants */
    uint64_t coupons_issued, coupons_used;
    int64_t committed_fen;             /* subsidy promised (budget) */
    uint64_t reminders;                /* shares an initiator sent again */
} w_counts_t;

struct fsn_world {
    const fsn_csr_t *g;
    const fsn_users_t *u;
    fsn_world_params_t p;
    fsn_campaign_t camp[FSN_CAMPAIGNS_MAX];
    uint32_t nc, n;
    fsn_engine_t *eng;
    fsn_rng_t *rng;
    fsn_error_t *err;         /* of the running replicate */
    fsn_err_t fault;          /* first failure a handler could not return */

    /* event type ids */
    uint32_t ev_launch, ev_click, ev_click_wa, ev_group_deadline, ev_bargain_deadline, ev_packet_expire, ev_remind;
    uint32_t ev_visit, ev_arrival, ev_review;

    /* per user */
    uint8_t *flag;
    uint8_t *source;          /* fsn_source_t of a new user */
    uint8_t *first_method;    /* method of the first order in the run, 0xff none */
    uint8_t *chan_seen;       /* bit c: opened channel c; bit 4 + m: paid with m */
    uint8_t *chan_bought;     /* bit c: paid in channel c */
    uint16_t *orders;         /* saturating */
    float *trust_in;          /* tie strength of the link a new user came by */
    float *churn_at;          /* hours; +inf: never */
    uint32_t *coupon_fen;     /* coupon held (fen), 0: none */
    float *coupon_until;
    uint8_t *coupon_camp;
    uint32_t *rl_hour;        /* rate limit: hour of the count below */
    uint16_t *rl_count;

    /* per (user, campaign) */
    uint8_t *uc;
    uint8_t *expo;
    uint16_t *depth;

    /* instances */
    w_inst_t *inst;
    size_t ninst, capinst;
    uint32_t *members;        /* group members, group_size slots per group */
    uint8_t *member_ch;       /* the channel each joined through */
    uint8_t *member_tie;      /* the tie byte of the link each followed */
    uint32_t *member_paid;    /* fen each paid (after any discount and coupon) */
    uint32_t *member_disc;    /* fen of payment discount each got */
    uint32_t *member_coupon;  /* fen of coupon each used */
    size_t nmem, capmem;

    /* counts */
    w_counts_t cc[FSN_CAMPAIGNS_MAX];
    uint64_t orders_m[FSN_PAY_COUNT], buyers_m[FSN_PAY_COUNT], rebuyers_m[FSN_PAY_COUNT];
    uint64_t users_m[FSN_PAY_COUNT];            /* users who paid with m at least once */
    uint64_t pref_orders[FSN_PAY_COUNT], pref_fixed[FSN_PAY_COUNT];
    uint64_t disc_offered[FSN_PAY_COUNT], disc_taken[FSN_PAY_COUNT];
    int64_t gmv_m[FSN_PAY_COUNT];
    uint64_t abandoned, nudged, members_made;
    uint64_t opens[FSN_CH_COUNT], openers[FSN_CH_COUNT], orders_ch[FSN_CH_COUNT], buyers_ch[FSN_CH_COUNT];
    int64_t gmv_ch[FSN_CH_COUNT];
    uint64_t new_users[FSN_SRC_COUNT], retained[FSN_SRC_COUNT], observed[FSN_SRC_COUNT];
    uint64_t new_orders[FSN_SRC_COUNT], new_age35[FSN_SRC_COUNT], arrivals[FSN_SRC_COUNT];
    int64_t new_gmv[FSN_SRC_COUNT];
    uint64_t visits, visit_orders;
    uint64_t exposures, complaints, shares_limited, workarounds, workaround_passed, landed_blocked;
    double level_hours[4];
    double level_since;
    int level;
    uint64_t win_expo, win_complaints;
    uint32_t global_hour, global_count;
    uint64_t customers0;

    double spare_normal;      /* the polar method's second draw, if have_spare */
    int have_spare;
    double log_catalogue[FSN_CH_COUNT];   /* log(catalogue_price / ref_price) */

    /* series: [camp][series][bin] */
    uint32_t *series;
    size_t nbins;

    /* metrics */
    size_t nmetrics;
    char (*names)[64];
    double *values;

    /* seeding scratch */
    uint8_t *mark;
    fsn_vid_t *seedbuf;
};

/* ---- shared helpers ---- */

static inline double w_logistic(double z) { return 1.0 / (1.0 + exp(-z)); }

static inline uint8_t *w_uc(fsn_world_t *w, uint32_t v, uint32_t c) { return &w->uc[(size_t)v * w->nc + c]; }

static inline int64_t w_fen(double cny) { return (int64_t)llround(cny * 100.0); }

static inline void w_series_add(fsn_world_t *w, uint32_t c, int s, double t) {
    size_t b = (size_t)(t / w->p.bin);
    if (b >= w->nbins) b = w->nbins - 1;
    w->series[((size_t)c * FSN_SERIES_COUNT + (size_t)s) * w->nbins + b]++;
}

/* Tie strength in [0, 1] of v's tie to u (0 if none). */
double w_tie(const fsn_world_t *w, uint32_t u, uint32_t v);

/* A new instance of campaign c owned by u (W_NONE if the pool cannot
 * grow: w->err is set). */
uint32_t w_inst_new(fsn_world_t *w, uint32_t c, uint32_t owner, double t);

/* Subsidy a new instance of c would commit; 0 if it fits the budget (and
 * commits it), -1 if the budget is spent. */
int w_budget_take(fsn_world_t *w, uint32_t c, int64_t fen);

/* Release fen of a budget commitment (a failed group, an expired packet). */
void w_budget_release(fsn_world_t *w, uint32_t c, int64_t fen);

/* funnel.c */
fsn_err_t w_share(fsn_world_t *w, uint32_t u, uint32_t inst, double t);
fsn_err_t w_maybe_share(fsn_world_t *w, uint32_t u, uint32_t inst, double prob, double t);
/* Schedule the first reminder of an open group or bargain (if any). */
fsn_err_t w_remind_start(fsn_world_t *w, uint32_t inst, double t);
/* P(v buys at `paid` of list price `list` in channel ch after following
 * a link of strength trust; shift is added to the logit (a coupon, a
 * source's intent). */
double w_buy_prob(const fsn_world_t *w, uint32_t v, int ch, double paid, double list, double trust,
                  double shift);
double w_part_prob(const fsn_world_t *w, uint32_t v, uint32_t c, double trust);
/* The same from lp = log(paid / ref_price) and deal = 1 - paid / list,
 * for a caller that has them without a logarithm. */
double w_buy_prob_lp(const fsn_world_t *w, uint32_t v, int ch, double lp, double deal, double trust,
                     double shift);
void w_mark_part(fsn_world_t *w, uint32_t v, uint32_t c, uint32_t depth, double t);
int w_entry_channel(fsn_world_t *w, uint32_t v, uint32_t c);
void w_count_open(fsn_world_t *w, uint32_t v, int ch);
fsn_err_t w_funnel_register(fsn_world_t *w);
/* Plain link: consider the product at list price, maybe buy. */
fsn_err_t w_link_consider(fsn_world_t *w, uint32_t v, uint32_t c, int ch, double trust, double t);

/* group.c, bargain.c, redpacket.c: a click from v on instance i (of
 * campaign c), and a seed (or a participant) opening its own. */
fsn_err_t w_group_click(fsn_world_t *w, uint32_t v, uint32_t i, int ch, double trust, uint32_t depth, double t);
fsn_err_t w_group_open(fsn_world_t *w, uint32_t u, uint32_t c, double t, uint32_t *out);
fsn_err_t w_group_register(fsn_world_t *w);
fsn_err_t w_bargain_click(fsn_world_t *w, uint32_t v, uint32_t i, int ch, double trust, uint32_t depth, double t);
fsn_err_t w_bargain_open(fsn_world_t *w, uint32_t u, uint32_t c, double t, uint32_t *out);
fsn_err_t w_bargain_register(fsn_world_t *w);
fsn_err_t w_packet_click(fsn_world_t *w, uint32_t v, uint32_t i, int ch, double trust, uint32_t depth, double t);
fsn_err_t w_packet_open(fsn_world_t *w, uint32_t u, uint32_t c, double t, uint32_t *out);
fsn_err_t w_packet_register(fsn_world_t *w);

/* payment.c: v pays `fen` in channel ch for campaign c (-1: a visit);
 * list_fen is the undiscounted price (for the subsidy). Returns the
 * method used, or -1 if the user left at the payment step. new users,
 * membership and visit scheduling follow from it. */
typedef struct w_payment {
    int64_t paid;        /* fen taken from the user */
    int64_t discount;    /* fen of payment discount (campaign subsidy, budgeted) */
    int64_t coupon;      /* fen of coupon used (coupon cost) */
} w_payment_t;
int w_pay(fsn_world_t *w, uint32_t v, int ch, int c, int64_t fen, double trust, double t,
          w_payment_t *out);
/* Refund a campaign payment: the user gets `pay->paid` back; the
 * discount returns to the budget and leaves the subsidy, the coupon leaves
 * the coupon cost (the order did not happen). */
void w_refund(fsn_world_t *w, uint32_t v, uint32_t c, const w_payment_t *pay);

/* traffic.c */
fsn_err_t w_traffic_register(fsn_world_t *w);
fsn_err_t w_traffic_start(fsn_world_t *w);
fsn_err_t w_visit_schedule(fsn_world_t *w, uint32_t v, double t);
void w_new_user(fsn_world_t *w, uint32_t v, int source, double trust, double t);

/* policy.c */
fsn_err_t w_policy_register(fsn_world_t *w);
fsn_err_t w_policy_start(fsn_world_t *w);
/* 1 if u may share now (and counts it), 0 if a limit stops it. */
int w_policy_allow_share(fsn_world_t *w, uint32_t u, double t);
/* 1 if a click on a link needs the workaround step now. */
int w_policy_needs_workaround(const fsn_world_t *w);
void w_policy_exposure(fsn_world_t *w, int complained);
void w_policy_close(fsn_world_t *w, double t);

#endif /* FISSION_MODELS_WORLD_H */
