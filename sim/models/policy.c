/*
 * models/policy.c: WeChat's link regime, rate limits, complaints and the
 * dynamic whitelist (T8).
 *
 * The regime sets where a click can land and what it costs:
 *   block      links do not open in WeChat; a receiver who wants to
 *              follow one must go through a QR code or a text password
 *              (the workaround step: passed with probability
 *              workaround_pass, after workaround_delay hours) and lands in
 *              the app, so a user without the app is lost;
 *   selective  links open only as mini-programs, with some functions
 *              limited (selective_penalty on the logits there);
 *   ratelimit  links open in the mini-program or, by redirect, the app;
 *              shares are capped per user per hour and overall per hour.
 * The restriction level is 0 (open), 1 (throttled: the per-user cap is
 * halved, an uncapped user gets 10 shares an hour, halved to 5) or 2
 * (links need the workaround). The block regime is level 2 throughout.
 * Under the other regimes, with the dynamic whitelist on, a "review"
 * event every review_interval hours compares the complaint rate since
 * the last review (complaints / exposures, at least 100 exposures) with
 * tighten_above and loosen_below and moves the level one step.
 *
 * A complaint is a receiver who noticed a share, did not click it and
 * reported it, with probability complaint x (1 - tie strength): spam from
 * strangers is reported, a cousin's link is not. The complaint rate is
 * therefore a property of how campaigns are shared (Moments and group
 * chats reach weak ties), which is what the article's 0.7% against an
 * industry 3% is about.
 */
#include <math.h>

#include "world.h"

static void set_level(fsn_world_t *w, int level, double t) {
    w->level_hours[w->level] += t - w->level_since;
    w->level_since = t;
    w->level = level;
}

int w_policy_needs_workaround(const fsn_world_t *w) { return w->level >= 2; }

void w_policy_exposure(fsn_world_t *w, int complained) {
    w->exposures++;
    w->win_expo++;
    if (complained) {
        w->complaints++;
        w->win_complaints++;
    }
}

int w_policy_allow_share(fsn_world_t *w, uint32_t u, double t) {
    const fsn_world_params_t *p = &w->p;
    uint32_t hour = (uint32_t)t + 1u;   /* 0 means "no count yet" */
    uint32_t limit = p->rate_limit_user;
    if (w->level == 1) limit = limit ? (limit > 1 ? limit / 2 : 1) : 5;
    if (p->regime == FSN_REGIME_RATELIMIT || w->level == 1) {
        if (limit) {
            if (w->rl_hour[u] != hour) {
                w->rl_hour[u] = hour;
                w->rl_count[u] = 0;
            }
            if (w->rl_count[u] >= limit) {
                w->shares_limited++;
                return 0;
            }
        }
        if (p->regime == FSN_REGIME_RATELIMIT && p->rate_limit_global) {
            if (w->global_hour != hour) {
                w->global_hour = hour;
                w->global_count = 0;
            }
            if (w->global_count >= p->rate_limit_global) {
                w->shares_limited++;
                return 0;
            }
            w->global_count++;
        }
        if (limit && w->rl_count[u] < UINT16_MAX) w->rl_count[u]++;
    }
    return 1;
}

static fsn_err_t on_review(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    fsn_world_t *w = model;
    const fsn_world_params_t *p = &w->p;
    const double t = ev->time;
    if (w->win_expo >= 100) {
        double rate = (double)w->win_complaints / (double)w->win_expo;
        if (rate > p->tighten_above && w->level < 2) set_level(w, w->level + 1, t);
        else if (rate < p->loosen_below && w->level > 0) set_level(w, w->level - 1, t);
        w->win_expo = w->win_complaints = 0;
    }
    double next = t + p->review_interval;
    if (next > p->horizon) return FSN_OK;
    return fsn_engine_post(eng, next, 127, w->ev_review, 0);
}

fsn_err_t w_policy_start(fsn_world_t *w) {
    const fsn_world_params_t *p = &w->p;
    w->level = p->regime == FSN_REGIME_BLOCK ? 2 : 0;
    w->level_since = 0;
    for (int i = 0; i < 4; i++) w->level_hours[i] = 0;
    w->win_expo = w->win_complaints = 0;
    w->global_hour = 0;
    w->global_count = 0;
    if (p->regime == FSN_REGIME_BLOCK || !p->whitelist) return FSN_OK;
    if (p->review_interval > p->horizon) return FSN_OK;
    return fsn_engine_post(w->eng, p->review_interval, 127, w->ev_review, 0);
}

void w_policy_close(fsn_world_t *w, double t) { set_level(w, w->level, t); }

static const fsn_event_type_t policy_events[] = {{"review", on_review, NULL}};
static const fsn_model_type_t policy_model = {"policy", 1, policy_events};

fsn_err_t w_policy_register(fsn_world_t *w) {
    return fsn_engine_add_model(w->eng, &policy_model, w, &w->ev_review);
}
