/*
 * models/bargain.c: the bargain (kan jia).
 *
 * An initiator opens a bargain at the list price with a floor and a
 * deadline and shares it to ask for help. A receiver who clicks decides
 * whether to help (the participation logit: helping costs a click, so no
 * price term); each help cuts the price by the campaign's cut schedule
 * (sample.h: equal, random or shrinking cuts), never below the floor.
 * When the floor is reached before the deadline the initiator pays the
 * floor price and the merchant books list minus floor as subsidy; at the
 * deadline an unfinished bargain fails and its commitment returns to the
 * budget. A helper has seen the product and may buy it outright at list
 * price (the buy logit with the tie's trust), may open a bargain of their
 * own (open_own) and share it, which is how bargains spread, or else may
 * pass the friend's bargain on.
 *
 * Prices are integers in fen, so reaching the floor is exact. A user
 * helps at most once per campaign (the platforms limit helps per user
 * and day; once per campaign is the simplest such limit). One event type:
 * "bargain_deadline" (light, payload the bargain).
 */
#include "world.h"

fsn_err_t w_bargain_open(fsn_world_t *w, uint32_t u, uint32_t c, double t, uint32_t *out) {
    const fsn_campaign_t *k = &w->camp[c];
    *out = W_NONE;
    if (w_budget_take(w, c, w_fen(k->price) - w_fen(k->floor_price)) < 0) return FSN_OK;
    uint32_t i = w_inst_new(w, c, u, t);
    if (i == W_NONE) return FSN_ENOMEM;
    w->inst[i].fen = w_fen(k->price);
    w->cc[c].opened++;
    w->cc[c].initiators++;
    *w_uc(w, u, c) |= UC_INIT;
    *out = i;
    fsn_err_t rc = fsn_engine_post(w->eng, t + k->bargain_deadline, 0, w->ev_bargain_deadline, i);
    return rc ? rc : w_remind_start(w, i, t);
}

/* The floor is reached: the initiator comes back and pays it. One who
 * leaves at the payment step loses the bargain: it fails. */
static void won(fsn_world_t *w, uint32_t i, double t) {
    const uint32_t c = w->inst[i].camp, owner = w->inst[i].owner;
    const fsn_campaign_t *k = &w->camp[c];
    int ch = w_entry_channel(w, owner, c);
    if (ch < 0) ch = FSN_CH_APP;
    w_count_open(w, owner, ch);
    const int paid = w_pay(w, owner, ch, (int)c, w_fen(k->floor_price), 1.0, t, NULL) >= 0;
    w_inst_t *in = &w->inst[i];
    in->closed = t;
    if (paid) {
        in->state = INST_DONE;
        w->cc[c].filled++;
        w->cc[c].fill_time += t - in->opened;
        w->cc[c].helpers_won += in->count;
        w->cc[c].subsidy_fen += w_fen(k->price) - w_fen(k->floor_price);
    } else {
        in->state = INST_FAILED;
        w->cc[c].failed++;
        w_budget_release(w, c, w_fen(k->price) - w_fen(k->floor_price));
    }
}

fsn_err_t w_bargain_click(fsn_world_t *w, uint32_t v, uint32_t i, int ch, double trust, uint32_t depth,
                          double t) {
    const uint32_t c = w->inst[i].camp;
    const fsn_campaign_t *k = &w->camp[c];
    if (w->inst[i].owner == v) return FSN_OK;
    uint8_t *f = w_uc(w, v, c);
    if (*f & UC_PART) return FSN_OK;
    if (!fsn_rng_bernoulli(w->rng, w_part_prob(w, v, c, trust))) return FSN_OK;
    w_mark_part(w, v, c, depth, t);
    if (w->inst[i].state == INST_OPEN) {
        w_inst_t *in = &w->inst[i];
        const int64_t floor_fen = w_fen(k->floor_price);
        const int64_t gap = in->fen - floor_fen;
        int64_t cut = fsn_cut_draw(&k->cuts, w_fen(k->price) - floor_fen, gap, in->count, w->rng);
        in->fen -= cut;
        in->count++;
        if (in->fen <= floor_fen) won(w, i, t);
    }
    /* the helper has seen the product: it may simply buy it, at list
     * price (the buy logit, with the trust of the tie it came by) */
    fsn_err_t rc = FSN_OK;
    if (!(*f & UC_BOUGHT)) rc = w_link_consider(w, v, c, ch, trust, t);
    if (rc) return rc;
    if (fsn_rng_bernoulli(w->rng, w->p.open_own[FSN_CAMP_BARGAIN])) {
        uint32_t j;
        rc = w_bargain_open(w, v, c, t, &j);
        if (rc) return rc;
        if (j != W_NONE) return w_maybe_share(w, v, j, w->p.share_initiator[FSN_CAMP_BARGAIN], t);
    }
    if (w->inst[i].state == INST_OPEN)
        return w_maybe_share(w, v, i, w->p.share_participant[FSN_CAMP_BARGAIN], t);
    return FSN_OK;
}

static fsn_err_t on_deadline(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)eng;
    fsn_world_t *w = model;
    w_inst_t *in = &w->inst[ev->a];
    if (in->state != INST_OPEN) return FSN_OK;
    const fsn_campaign_t *k = &w->camp[in->camp];
    in->state = INST_FAILED;
    in->closed = ev->time;
    w->cc[in->camp].failed++;
    w_budget_release(w, in->camp, w_fen(k->price) - w_fen(k->floor_price));
    return FSN_OK;
}

static const fsn_event_type_t bargain_events[] = {{"bargain_deadline", on_deadline, NULL}};
static const fsn_model_type_t bargain_model = {"bargain", 1, bargain_events};

fsn_err_t w_bargain_register(fsn_world_t *w) {
    return fsn_engine_add_model(w->eng, &bargain_model, w, &w->ev_bargain_deadline);
}
