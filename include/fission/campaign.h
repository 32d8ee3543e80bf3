/*
 * campaign.h: the campaign world, the whole API of the mechanics.
 *
 * A world is a social graph (read-only CSR), its users' attributes and a
 * set of campaigns, run on the discrete-event engine by seven modules
 * (six of them model tables with events of their own) that share one state: the sharing funnel (share, expose,
 * click, land in an entry channel), the group buy, the bargain, the red
 * packet, payment (method choice, the success-page nudge, refunds),
 * traffic (visits and repurchase, new users from outside sources,
 * churn) and policy (the link regime, rate limits, complaints, the
 * dynamic whitelist). docs/MODEL.md describes every mechanism, every
 * parameter with its unit and default, the event types and the figures
 * of the article each bears on; docs/METRICS.md defines every metric.
 *
 * Nothing here is a target rate. The parameters are behaviours: how
 * likely a user is to open a link from a strong or a weak tie, how a
 * discount and a price move a purchase, how sticky a payment habit is.
 * Participation, conversion, share, repurchase and retention rates are
 * counted from what the simulated users did.
 *
 * Time is in hours from the start of the run; money in CNY (red packets
 * and bargain cuts are counted in fen inside, so sums are exact).
 *
 * Threads. A world is used by one thread at a time; the parameters,
 * graph and users it borrows are read-only, so many worlds (one per
 * thread) can share them. Nothing here calls igraph.
 */
#ifndef FISSION_CAMPAIGN_H
#define FISSION_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include "fission/attrs.h"
#include "fission/engine.h"
#include "fission/error.h"
#include "fission/graph.h"
#include "fission/rng.h"
#include "fission/sample.h"
#include "fission/seeding.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Categories                                                         */
/* ------------------------------------------------------------------ */

typedef enum fsn_camp_kind {
    FSN_CAMP_LINK = 0,       /* a plain product link, shared on */
    FSN_CAMP_GROUP = 1,      /* group buy (pin tuan) */
    FSN_CAMP_BARGAIN = 2,    /* bargain (kan jia) */
    FSN_CAMP_REDPACKET = 3,  /* red-packet sharing (hong bao) */
    FSN_CAMP_KIND_COUNT = 4
} fsn_camp_kind_t;

/* Where a click or a visit lands (T5). */
typedef enum fsn_channel {
    FSN_CH_MINI = 0,         /* Taobao mini-program inside WeChat */
    FSN_CH_APP = 1,          /* the Taobao app */
    FSN_CH_STORE = 2,        /* a WeChat store */
    FSN_CH_COUNT = 3
} fsn_channel_t;

/* How a user first came to buy (T2). */
typedef enum fsn_source {
    FSN_SRC_WECHAT = 0,      /* a link shared in WeChat */
    FSN_SRC_ALIPAY = 1,      /* the Alipay mini-program */
    FSN_SRC_VIDEO = 2,       /* short-video platforms */
    FSN_SRC_OTHER = 3,       /* search, ads, everything else */
    FSN_SRC_COUNT = 4
} fsn_source_t;

/* How a link is shared. */
typedef enum fsn_via {
    FSN_VIA_PRIVATE = 0,     /* private chat to a few chosen friends */
    FSN_VIA_GROUP = 1,       /* a group chat: the friends of one circle */
    FSN_VIA_MOMENTS = 2,     /* Moments: every friend, low attention */
    FSN_VIA_COUNT = 3
} fsn_via_t;

/* WeChat's stance on Taobao links (T8). */
typedef enum fsn_regime {
    FSN_REGIME_BLOCK = 0,      /* 2015-2018: links blocked; QR codes and text passwords */
    FSN_REGIME_SELECTIVE = 1,  /* 2019-2021: mini-programs only, some functions limited */
    FSN_REGIME_RATELIMIT = 2,  /* 2022 on: links open, shares rate-limited */
    FSN_REGIME_COUNT = 3
} fsn_regime_t;

/* Names ("link", "group", "bargain", "redpacket"; "mini_program", "app",
 * "wechat_store"; "wechat_link", "alipay_mini", "short_video", "other";
 * "private", "group_chat", "moments"; "block", "selective", "ratelimit")
 * and their inverses (-1 if unknown). Static strings. O(1). */
const char *fsn_camp_kind_name(int k);
int fsn_camp_kind_parse(const char *s);
const char *fsn_channel_name(int c);
int fsn_channel_parse(const char *s);
const char *fsn_source_name(int s);
int fsn_source_parse(const char *s);
const char *fsn_via_name(int v);
int fsn_via_parse(const char *s);
const char *fsn_regime_name(int r);
int fsn_regime_parse(const char *s);

/* ------------------------------------------------------------------ */
/* A campaign                                                         */
/* ------------------------------------------------------------------ */

#define FSN_CAMPAIGN_NAME_MAX 32
#define FSN_CAMPAIGNS_MAX 16

typedef struct fsn_campaign {
    char name[FSN_CAMPAIGN_NAME_MAX];   /* [A-Za-z0-9_-], unique in a world */
    fsn_camp_kind_t kind;
    double launch;        /* hours from the start, >= 0 */
    double price;         /* list price, CNY, > 0 */
    double budget;        /* subsidy budget, CNY; 0 = unlimited. When spent,
                             no new group, bargain or packet opens */
    fsn_seeding_t seeding;   /* who gets the first links (count >= 1) */
    int wechat_store;     /* 1: the campaign's links open a WeChat store
                             instead of Taobao */
    /* group buy */
    uint32_t group_size;        /* members needed, >= 2 (initiator included) */
    double group_deadline;      /* hours to fill, > 0 */
    double group_price;         /* CNY each member pays, in (0, price] */
    double coupon_value;        /* CNY coupon to each member of a failed group, >= 0 */
    double coupon_validity;     /* hours a coupon stays usable, > 0 */
    /* bargain */
    double floor_price;         /* CNY, in (0, price) */
    double bargain_deadline;    /* hours, > 0 */
    fsn_cut_schedule_t cuts;    /* how each helper's click cuts the price */
    /* red packet */
    double packet_total;        /* CNY in one packet, >= 0.01 x packet_claims */
    uint32_t packet_claims;     /* claimers per packet, >= 1 */
    double packet_min_spend;    /* CNY an order must reach to use the claimed
                                   amount as a coupon, >= 0 */
} fsn_campaign_t;

/* Defaults for a campaign of kind k: launch 0, price 199, no budget
 * limit, 20 random seeds, Taobao links; group of 3 in 24 h at 149 with a
 * 10 CNY coupon valid 72 h; bargain to a floor of 20 in 24 h with the
 * default cut schedule; packets of 20 CNY for 10 claimers, 99 minimum
 * spend. The name is the kind's name. O(1). */
void fsn_campaign_default(fsn_campaign_t *c, fsn_camp_kind_t k);

/* ------------------------------------------------------------------ */
/* Behaviour and environment                                          */
/* ------------------------------------------------------------------ */

/* Every behavioural parameter (docs/MODEL.md has units, defaults and the
 * figure each bears on). Probabilities in [0, 1], logit coefficients
 * finite, rates >= 0. */
typedef struct fsn_world_params {
    /* --- sharing funnel --- */
    double via_prob[FSN_VIA_COUNT];     /* choice of channel to share, sums to 1 */
    uint32_t private_friends;           /* friends picked in a private share, >= 1 */
    double attention[FSN_VIA_COUNT];    /* P(a receiver notices the share) */
    double click[FSN_VIA_COUNT];        /* P(click | noticed) from a tie of strength 1 */
    double trust_floor;                 /* click multiplier from a tie of strength 0 */
    double fatigue;                     /* click multiplier per earlier exposure */
    fsn_delay_t react_delay;            /* hours from share to click */
    /* P(an exposed user shares on after taking part), by role */
    double share_initiator[FSN_CAMP_KIND_COUNT];
    double share_participant[FSN_CAMP_KIND_COUNT];
    double share_buyer_boost;           /* added to the participant's share probability after buying */
    double coupon_reshare;              /* P(the holder of a failed group's coupon opens a new group) */
    /* An initiator whose group or bargain is still open asks again every
     * remind_interval hours, each time with probability remind[kind]
     * (giving up at the first miss): a geometric number of reminders. */
    double remind[FSN_CAMP_KIND_COUNT];
    double remind_interval;             /* hours between reminders, > 0 */
    /* --- decisions (logit scale) --- */
    double part_base[FSN_CAMP_KIND_COUNT];  /* take part after a click: join, help, claim, consider */
    double part_trust;                  /* per unit of tie strength */
    double part_price;                  /* per unit of price sensitivity x log(price/ref) */
    double open_own[FSN_CAMP_KIND_COUNT];   /* P(a participant opens its own group or bargain) */
    double buy_base;                    /* buy after considering a product */
    double buy_channel[FSN_CH_COUNT];   /* added by the entry channel */
    double buy_trust;                   /* per unit of tie strength of the link followed */
    double buy_deal;                    /* per unit of discount depth (1 - paid/list) */
    double buy_price;                   /* per unit of price sensitivity x log(price/ref) */
    double buy_highprice_outside_app;   /* per unit of log(price/ref) above ref, outside the app */
    double buy_member;                  /* added for a member of the shop */
    double buy_coupon;                  /* added when a coupon applies */
    double buy_campaign;                /* added when a campaign brought the product: a link
                                           followed, a bargain helped, a packet claimed */
    double buy_kind[FSN_CAMP_KIND_COUNT];   /* added on top, by the type of that campaign */
    double join_pay;                    /* P(a group joiner at the payment page pays) */
    double ref_price;                   /* CNY, the price the log terms are measured from */
    /* --- channels and visits --- */
    double app_installed[FSN_TIER_COUNT];   /* P(the Taobao app is installed), by tier */
    double prefer_mini[FSN_TIER_COUNT];     /* P(a link opens in the mini-program rather than
                                               the app when both are possible), by tier */
    double customer_share;              /* users who are Taobao customers at the start */
    double visit_rate;                  /* visits per day of an average customer */
    double visit_channel[FSN_CH_COUNT]; /* relative weight of each channel for a visit */
    double visit_mini_tier3;            /* mini-program weight multiplier in tier 3+ */
    double visit_mini_wechat;           /* mini-program weight multiplier for WeChat Pay users */
    double catalogue_price[FSN_CH_COUNT];   /* CNY, median price of what a visit looks at */
    double catalogue_sigma;             /* log-sd of that price */
    double member_visit_lift;           /* visit rate multiplier for members */
    double spend_pref[FSN_PAY_COUNT];   /* log shift of a visit's price, by preferred method */
    /* --- new users and churn (T2) --- */
    double arrivals[FSN_SRC_COUNT];     /* outside arrivals per day per 1000 non-customers
                                           (the WeChat entry is ignored: it comes from links) */
    double source_intent[FSN_SRC_COUNT];    /* buy-logit shift of an arrival's first visit */
    double source_price[FSN_SRC_COUNT];     /* log shift of the price of every visit of the
                                               source's new users, an arrival's first one
                                               included (what the source advertises and the
                                               kind of shopper it brings) */
    double churn_rate;                  /* per day, for an engagement of 1 */
    double churn_trust;                 /* engagement gained per unit of tie strength of the link */
    double churn_member;                /* engagement gained by membership */
    double churn_intent;                /* engagement gained per unit of source intent */
    /* --- payment (T1, T6) --- */
    uint8_t channel_methods[FSN_CH_COUNT];  /* FSN_PAY_BIT mask payable in each channel */
    double bind_on_demand;              /* P(binding a missing method rather than leaving) */
    int pay_discount_method;            /* method with a payment discount, -1: none */
    double pay_discount;                /* CNY off when paying with it */
    double nudge[FSN_PAY_COUNT];        /* P(the success page makes a member), by method */
    /* --- policy (T8) --- */
    fsn_regime_t regime;
    double workaround_pass;             /* P(getting through a QR code / text password) */
    double workaround_delay;            /* hours added by the workaround */
    double selective_penalty;           /* buy/part logit shift for limited functions */
    uint32_t rate_limit_user;           /* shares per user per hour, 0: none */
    uint32_t rate_limit_global;         /* shares per hour overall, 0: none */
    double complaint;                   /* P(a complaint | exposed, not clicked, tie 0) */
    int whitelist;                      /* 1: WeChat adjusts restrictions from complaints */
    double review_interval;             /* hours between whitelist reviews */
    double tighten_above;               /* complaint rate that tightens a level */
    double loosen_below;                /* complaint rate that loosens a level */
    /* --- run --- */
    double horizon;                     /* hours simulated, > 0 */
    double bin;                         /* hours per time-series bin, > 0 */
    double retention_days;              /* the retention window, days */
} fsn_world_params_t;

/* The documented first guess of every parameter (docs/MODEL.md). O(1). */
void fsn_world_params_default(fsn_world_params_t *p);

/* Check every field and every campaign; the message names the first bad
 * one ("behaviour.click[1] = 1.5, expected a probability in [0, 1]",
 * "campaigns[2].group_size = 1, expected an integer >= 2"). Prepares the
 * delay (fsn_delay_prepare), which is why p is not const. FSN_EINVAL.
 * O(campaigns). */
fsn_err_t fsn_world_params_check(fsn_world_params_t *p, const fsn_campaign_t *camps, size_t ncamps,
                                 const fsn_csr_t *g, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* The world                                                          */
/* ------------------------------------------------------------------ */

typedef struct fsn_world fsn_world_t;

/*
 * Create a world over graph g and users u (both borrowed, read-only,
 * must outlive the world; u->n == g->n), with the campaigns (copied) and
 * parameters (copied; must have passed fsn_world_params_check). Creates
 * its own engine and registers the six model tables (payment has no
 * events of its own: it is called by the others). Allocates all per-user
 * state (about 30 + 4 x campaigns bytes per user, besides the users'
 * 20 bytes of attributes and the event queue) and the time-series bins
 * up front. NULL and a message on failure. O(n).
 */
fsn_world_t *fsn_world_new(const fsn_csr_t *g, const fsn_users_t *u, const fsn_world_params_t *p,
                           const fsn_campaign_t *camps, size_t ncamps, fsn_error_t *err);
void fsn_world_free(fsn_world_t *w);

/* The world's engine (to choose a queue, set an observer for a trace). */
fsn_engine_t *fsn_world_engine(fsn_world_t *w);

/*
 * One replicate: reset every state, pick the seeds, run to the horizon,
 * count. rng is advanced. Deterministic: the same world inputs and rng
 * state give the same metrics to the bit. Errors: FSN_ENOMEM if a pool
 * cannot grow; a seeding error. Cost O(n + events x log pending);
 * instance pools grow geometrically and are kept for the next replicate.
 */
fsn_err_t fsn_world_run(fsn_world_t *w, fsn_rng_t *rng, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Metrics                                                            */
/* ------------------------------------------------------------------ */

/*
 * The metrics of the last run as a flat table of named numbers, so every
 * output, comparison and sweep treats them alike. Names are dotted paths:
 * "campaign.<name>.participation_rate", "pay.wechat.repurchase_rate",
 * "source.wechat_link.new_user_share", "channel.app.conversion",
 * "policy.complaint_rate", ... (docs/METRICS.md lists them all with their
 * definitions). The set and order depend only on the campaigns, not on a
 * run: names are fixed at fsn_world_new. A rate whose denominator is 0
 * is NaN.
 */
size_t fsn_world_metric_count(const fsn_world_t *w);
const char *fsn_world_metric_name(const fsn_world_t *w, size_t i);
/* Index of a metric by name, -1 if none. O(metrics). */
long fsn_world_metric_find(const fsn_world_t *w, const char *name);
/* Values of the last run (fsn_world_metric_count entries). */
const double *fsn_world_metrics(const fsn_world_t *w);

/* Counts over time of the last run: for campaign c and series s
 * (0 exposed, 1 participants, 2 orders, 3 shares sent), the count in each
 * of *nbins bins of params.bin hours. Points into the world. */
enum { FSN_SERIES_EXPOSED = 0, FSN_SERIES_PARTICIPANTS = 1, FSN_SERIES_ORDERS = 2,
       FSN_SERIES_SHARES = 3, FSN_SERIES_COUNT = 4 };
const uint32_t *fsn_world_series(const fsn_world_t *w, size_t c, int s, size_t *nbins);

/* Engine events of the last run. */
uint64_t fsn_world_events(const fsn_world_t *w);

/*
 * Describe an event of this world's engine for a trace: returns the user
 * it concerns (the clicker, the visitor; the owner of a group, bargain or
 * packet at its deadline), or -1 (a launch, an arrival, a review); writes the campaign it
 * belongs to (its name, or "" for visits, arrivals and reviews) into
 * camp, and its details as space-separated key=value pairs into details
 * ("instance=12 depth=2 tie=0.80" for a click, "source=short_video" for
 * an arrival, ...). Call from an observer (fsn_engine_set_observer on
 * fsn_world_engine) while the world runs. Both strings are always
 * terminated; they never contain a comma, quote or newline (campaign
 * names cannot). O(1).
 */
int64_t fsn_world_event_describe(const fsn_world_t *w, const fsn_event_t *ev, char *camp, size_t camp_size,
                                 char *details, size_t details_size);

/* Invariant checks over the last run's state, for tests and --check
 * runs: every order paid, no group above its size, every member of a
 * failed group refunded, no bargain below its floor, red packets
 * summing exactly, no click on a blocked link without the workaround.
 * FSN_ESTATE and a message naming the first violation. O(n + instances). */
fsn_err_t fsn_world_audit(const fsn_world_t *w, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Read-only views, for outputs                                       */
/* ------------------------------------------------------------------ */

/*
 * What an observer or an end hook may read of the running (or last)
 * replicate, without changing anything: the users, the campaigns, each
 * user's role in a campaign, and the campaign instances (groups,
 * bargains, packets; instances 0 .. campaigns-1 are the campaigns' own
 * plain links, owned by no one). Used by the output layer to write
 * cascades.csv and groups.csv (include/fission/output.h). All O(1).
 */
uint32_t fsn_world_user_count(const fsn_world_t *w);
size_t fsn_world_campaign_count(const fsn_world_t *w);
/* Campaign c (< fsn_world_campaign_count), as given to fsn_world_new. */
const fsn_campaign_t *fsn_world_campaign(const fsn_world_t *w, size_t c);

/* Bits of fsn_world_user_role: user v in campaign c so far. */
enum { FSN_ROLE_EXPOSED = 1, FSN_ROLE_PART = 2, FSN_ROLE_SEED = 4 };
unsigned fsn_world_user_role(const fsn_world_t *w, uint32_t v, size_t c);

/* Instance states, and the owner of a plain link. */
enum { FSN_INST_OPEN = 0, FSN_INST_DONE = 1, FSN_INST_FAILED = 2 };
#define FSN_NO_OWNER UINT32_MAX

typedef struct fsn_instance_view {
    uint32_t camp;        /* campaign index */
    uint32_t owner;       /* initiator, FSN_NO_OWNER for a plain link */
    int state;            /* FSN_INST_*: a filled group, won bargain or
                             emptied packet is DONE; failed or expired FAILED */
    uint32_t count;       /* members, helps or claims so far */
    double opened;        /* hours */
    double closed;        /* hours, NaN while open */
} fsn_instance_view_t;

/* Instances created so far in the replicate (plain links included). */
size_t fsn_world_instance_count(const fsn_world_t *w);
/* Instance i (< fsn_world_instance_count) into *out. */
void fsn_world_instance(const fsn_world_t *w, size_t i, fsn_instance_view_t *out);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_CAMPAIGN_H */
