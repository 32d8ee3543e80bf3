/*
 * test_engine.c: event order, ties, cancel, reschedule, horizon, handles.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fission/engine.h"
#include "fission/rng.h"

/* A recording model: every event appends (time, a) to a log. */
typedef struct recorder {
    double t[4096];
    uint32_t a[4096];
    size_t n;
    fsn_handle_t victim;     /* cancelled by the "cancel" event type */
    uint32_t chain_type;
} recorder_t;

static fsn_err_t on_record(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    recorder_t *r = model;
    cr_assert_lt(r->n, 4096);
    cr_assert_eq(fsn_engine_now(eng), ev->time);
    r->t[r->n] = ev->time;
    r->a[r->n] = ev->a;
    r->n++;
    return FSN_OK;
}

static fsn_err_t on_cancel(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    recorder_t *r = model;
    cr_assert_eq(fsn_engine_cancel(eng, r->victim), FSN_OK);
    return on_record(eng, model, ev);
}

static fsn_err_t on_fail(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    on_record(eng, model, ev);
    return FSN_EINVAL;
}

static const fsn_event_type_t rec_types[] = {
    {"record", on_record, NULL}, {"cancel", on_cancel, NULL}, {"fail", on_fail, NULL}};
static const fsn_model_type_t rec_model = {"recorder", 3, rec_types};

/* Every engine test runs on both queue structures: they must agree. */
#define ENGINE_TEST(name)                                                                     \
    static void name(fsn_queue_kind_t kind);                                                  \
    Test(engine_calendar, name) { name(FSN_QUEUE_CALENDAR); }                                 \
    Test(engine_heap, name) { name(FSN_QUEUE_HEAP); }                                         \
    Test(engine_radix, name) { name(FSN_QUEUE_RADIX); }                                       \
    static void name(fsn_queue_kind_t kind)

static fsn_engine_t *new_engine(fsn_queue_kind_t kind, recorder_t *r, uint32_t *base) {
    fsn_engine_t *eng = fsn_engine_new_queue(4, kind);
    cr_assert_not_null(eng);
    cr_assert_eq(fsn_engine_add_model(eng, &rec_model, r, base), FSN_OK);
    return eng;
}

ENGINE_TEST(runs_events_in_time_order) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 7);
    for (uint32_t i = 0; i < 2000; i++)
        cr_assert_eq(fsn_engine_schedule(eng, fsn_rng_uniform(&rng) * 100, 0, base, i, 0, 0, NULL),
                     FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, 2000);
    for (size_t i = 1; i < r.n; i++) cr_assert_leq(r.t[i - 1], r.t[i]);
    fsn_engine_free(eng);
}

ENGINE_TEST(breaks_time_ties_by_priority_then_insertion_order) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    /* a encodes the expected position. */
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, 5, base, 4, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, -3, base, 0, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, 0, base, 1, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, 0, base, 2, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 0.5, 100, base, 99, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, 0, base, 3, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, 6);
    cr_assert_eq(r.a[0], 99);
    for (uint32_t i = 1; i < 6; i++) cr_assert_eq(r.a[i], i - 1, "position %u got %u", i, r.a[i]);
    fsn_engine_free(eng);
}

ENGINE_TEST(many_ties_keep_insertion_order_through_heap_growth) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    for (uint32_t i = 0; i < 3000; i++)
        cr_assert_eq(fsn_engine_schedule(eng, 2.0, 0, base, i, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    for (uint32_t i = 0; i < 3000; i++) cr_assert_eq(r.a[i], i);
    fsn_engine_free(eng);
}

/* Thousands of events a nanosecond apart, far ahead and scheduled
 * latest first: in the calendar queue they share one slot of their
 * epoch's sort, in the reverse of their order, which the pass that puts a
 * window right would undo one move at a time (quadratic) were it not cut
 * short by a full sort. */
ENGINE_TEST(events_crowded_into_an_instant_in_reverse_order_run_in_time_order) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    enum { N = 4000 };
    for (uint32_t i = 0; i < N; i++)
        cr_assert_eq(fsn_engine_schedule(eng, 100.0 + (double)(N - i) * 1e-9, 0, base, i, 0, 0, NULL),
                     FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, N);
    for (uint32_t k = 0; k < N; k++) cr_assert_eq(r.a[k], N - 1 - k, "position %u got %u", k, r.a[k]);
    fsn_engine_free(eng);
}

ENGINE_TEST(cancelled_event_never_runs_and_its_handle_goes_stale) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    fsn_handle_t h1, h2;
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, 0, base, 1, 0, 0, &h1), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 2.0, 0, base, 2, 0, 0, &h2), FSN_OK);
    cr_assert(fsn_engine_pending(eng, h1));
    cr_assert_eq(fsn_engine_size(eng), 2);
    cr_assert_eq(fsn_engine_cancel(eng, h1), FSN_OK);
    cr_assert_not(fsn_engine_pending(eng, h1));
    cr_assert_eq(fsn_engine_cancel(eng, h1), FSN_ESTATE);
    cr_assert_eq(fsn_engine_size(eng), 1);
    /* The freed slot is reused; the old handle must not reach the new event. */
    fsn_handle_t h3;
    cr_assert_eq(fsn_engine_schedule(eng, 3.0, 0, base, 3, 0, 0, &h3), FSN_OK);
    cr_assert_neq(h1, h3);
    cr_assert_eq(fsn_engine_cancel(eng, h1), FSN_ESTATE);
    cr_assert(fsn_engine_pending(eng, h3));
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.a[0], 2);
    cr_assert_eq(r.a[1], 3);
    cr_assert_not(fsn_engine_pending(eng, h2));
    cr_assert_eq(fsn_engine_cancel(eng, h2), FSN_ESTATE);
    fsn_engine_free(eng);
}

ENGINE_TEST(handler_can_cancel_a_later_event) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    cr_assert_eq(fsn_engine_schedule(eng, 5.0, 0, base, 5, 0, 0, &r.victim), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, 0, base + 1, 1, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 6.0, 0, base, 6, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.a[0], 1);
    cr_assert_eq(r.a[1], 6);
    fsn_engine_free(eng);
}

ENGINE_TEST(reschedule_moves_an_event_and_keeps_its_handle) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    fsn_handle_t h;
    cr_assert_eq(fsn_engine_schedule(eng, 10.0, 0, base, 10, 0, 0, &h), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 2.0, 0, base, 2, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 3.0, 0, base, 3, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_reschedule(eng, h, 1.0), FSN_OK);   /* earlier */
    cr_assert(fsn_engine_pending(eng, h));
    cr_assert_eq(fsn_engine_size(eng), 3);
    cr_assert_eq(fsn_engine_reschedule(eng, h, 2.5), FSN_OK);   /* later again */
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, 3);
    cr_assert_eq(r.a[0], 2);
    cr_assert_eq(r.a[1], 10);
    cr_assert_float_eq(r.t[1], 2.5, 0);
    cr_assert_eq(r.a[2], 3);
    cr_assert_eq(fsn_engine_reschedule(eng, h, 20.0), FSN_ESTATE);
    fsn_engine_free(eng);
}

ENGINE_TEST(rescheduled_event_goes_after_events_already_tied_with_it) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    fsn_handle_t h;
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, 0, base, 0, 0, 0, &h), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 4.0, 0, base, 1, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_reschedule(eng, h, 4.0), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.a[0], 1);
    cr_assert_eq(r.a[1], 0);
    fsn_engine_free(eng);
}

ENGINE_TEST(stops_at_the_horizon_and_resumes_later) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    for (uint32_t i = 1; i <= 10; i++)
        cr_assert_eq(fsn_engine_schedule(eng, (double)i, 0, base, i, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, 4.0), FSN_OK);   /* events at exactly 4 run */
    cr_assert_eq(r.n, 4);
    cr_assert_float_eq(fsn_engine_now(eng), 4.0, 0);
    cr_assert_eq(fsn_engine_run(eng, 4.5), FSN_OK);
    cr_assert_eq(r.n, 4);
    cr_assert_float_eq(fsn_engine_now(eng), 4.5, 0);
    cr_assert_float_eq(fsn_engine_next_time(eng), 5.0, 0);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, 10);
    cr_assert_float_eq(fsn_engine_now(eng), 10.0, 0);
    fsn_engine_free(eng);
}

ENGINE_TEST(refuses_to_schedule_in_the_past_or_at_a_non_finite_time) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    cr_assert_eq(fsn_engine_schedule(eng, 3.0, 0, base, 0, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 2.9, 0, base, 0, 0, 0, NULL), FSN_EINVAL);
    cr_assert_eq(fsn_engine_schedule(eng, NAN, 0, base, 0, 0, 0, NULL), FSN_EINVAL);
    cr_assert_eq(fsn_engine_schedule(eng, INFINITY, 0, base, 0, 0, 0, NULL), FSN_EINVAL);
    cr_assert_eq(fsn_engine_schedule(eng, 3.0, 128, base, 0, 0, 0, NULL), FSN_EINVAL);
    cr_assert_eq(fsn_engine_schedule(eng, 3.0, -129, base, 0, 0, 0, NULL), FSN_EINVAL);
    cr_assert_eq(fsn_engine_schedule(eng, 3.0, 127, base, 0, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 3.0, 0, base, 0, 0, 0, NULL), FSN_OK);
    fsn_engine_free(eng);
}

ENGINE_TEST(handler_error_stops_the_run_and_is_returned) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, 0, base + 2, 0, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 2.0, 0, base, 1, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_EINVAL);
    cr_assert_eq(r.n, 1);
    cr_assert_eq(fsn_engine_size(eng), 1);
    fsn_engine_free(eng);
}

ENGINE_TEST(reset_empties_the_queue_and_invalidates_handles) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    fsn_handle_t h;
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, 0, base, 0, 0, 0, &h), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, 0.5), FSN_OK);
    fsn_engine_reset(eng);
    cr_assert_eq(fsn_engine_size(eng), 0);
    cr_assert_float_eq(fsn_engine_now(eng), 0.0, 0);
    cr_assert_not(fsn_engine_pending(eng, h));
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, 0);
    fsn_engine_free(eng);
}

/* Against a brute-force reference: random schedules, cancels and
 * reschedules; the engine's order must equal a stable sort by
 * (time, priority, last-insertion sequence) of the survivors. */
ENGINE_TEST(matches_a_sorted_reference_under_random_cancel_and_reschedule) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    enum { N = 1500 };
    static fsn_handle_t h[N];
    static double t[N];
    static int prio[N], alive[N];
    static uint64_t seq[N];
    uint64_t s = 0;
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 11);
    for (uint32_t i = 0; i < N; i++) {
        t[i] = (double)fsn_rng_below(&rng, 50);   /* many ties */
        prio[i] = (int)fsn_rng_below(&rng, 3) - 1;
        cr_assert_eq(fsn_engine_schedule(eng, t[i], prio[i], base, i, 0, 0, &h[i]), FSN_OK);
        seq[i] = ++s;
        alive[i] = 1;
    }
    for (int k = 0; k < 2000; k++) {
        uint32_t i = (uint32_t)fsn_rng_below(&rng, N);
        if (fsn_rng_below(&rng, 2)) {
            cr_assert_eq(fsn_engine_cancel(eng, h[i]), alive[i] ? FSN_OK : FSN_ESTATE);
            alive[i] = 0;
        } else {
            double nt = (double)fsn_rng_below(&rng, 50);
            cr_assert_eq(fsn_engine_reschedule(eng, h[i], nt), alive[i] ? FSN_OK : FSN_ESTATE);
            if (alive[i]) {
                t[i] = nt;
                seq[i] = ++s;
            }
        }
    }
    size_t expect = 0;
    for (uint32_t i = 0; i < N; i++) expect += (size_t)alive[i];
    cr_assert_eq(fsn_engine_size(eng), expect);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, expect);
    for (size_t k = 1; k < r.n; k++) {
        uint32_t x = r.a[k - 1], y = r.a[k];
        int ordered = t[x] < t[y] || (t[x] == t[y] && (prio[x] < prio[y] ||
                                                       (prio[x] == prio[y] && seq[x] < seq[y])));
        cr_assert(ordered, "events %u and %u out of order", x, y);
    }
    fsn_engine_free(eng);
}

/* A cascade-like workload with widely varying event rates (the calendar
 * queue retunes its width several times): both queues must run the very
 * same events in the very same order. */
typedef struct burst {
    fsn_rng_t rng;
    uint64_t hash;
    uint64_t n;
    uint32_t type;
} burst_t;

static fsn_err_t on_burst(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    burst_t *b = model;
    b->hash = (b->hash ^ ev->seq ^ ((uint64_t)ev->a << 20)) * 0x100000001b3ULL;
    b->n++;
    /* Branch into 0-3 children at rate-dependent delays; some ties. */
    uint32_t kids = b->n < 200000 ? (uint32_t)fsn_rng_below(&b->rng, 4) : 0;
    for (uint32_t k = 0; k < kids; k++) {
        double d = fsn_rng_below(&b->rng, 10) == 0 ? 0.0 : fsn_rng_exp(&b->rng, 1.0 + ev->time);
        fsn_err_t rc = fsn_engine_schedule(eng, ev->time + d, (int)fsn_rng_below(&b->rng, 3) - 1,
                                           b->type, ev->a + k + 1, 0, 0, NULL);
        if (rc) return rc;
    }
    return FSN_OK;
}

static const fsn_event_type_t burst_types[] = {{"burst", on_burst, NULL}};
static const fsn_model_type_t burst_model = {"burst", 1, burst_types};

static uint64_t run_burst(fsn_queue_kind_t kind, uint64_t *count) {
    static burst_t b;
    memset(&b, 0, sizeof b);
    fsn_rng_seed(&b.rng, 99);
    b.hash = 0xcbf29ce484222325ULL;
    fsn_engine_t *eng = fsn_engine_new_queue(16, kind);
    cr_assert_eq(fsn_engine_add_model(eng, &burst_model, &b, &b.type), FSN_OK);
    for (uint32_t i = 0; i < 50; i++)
        cr_assert_eq(fsn_engine_schedule(eng, 0.0, 0, b.type, i, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    fsn_engine_free(eng);
    *count = b.n;
    return b.hash;
}

Test(engine, calendar_radix_and_heap_queues_run_identical_event_sequences) {
    uint64_t n1, n2;
    uint64_t h1 = run_burst(FSN_QUEUE_CALENDAR, &n1), h2 = run_burst(FSN_QUEUE_HEAP, &n2);
    cr_assert_gt(n1, 100000);
    cr_assert_eq(n1, n2);
    cr_assert_eq(h1, h2);
    uint64_t n3, h3 = run_burst(FSN_QUEUE_RADIX, &n3);
    cr_assert_eq(n3, n2);
    cr_assert_eq(h3, h2);
}

ENGINE_TEST(posted_events_interleave_with_scheduled_ones_by_time_then_sequence) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    cr_assert_eq(fsn_engine_post(eng, 2.0, 0, base, 3), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 1.0, 0, base, 1, 7, 0.5, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_post(eng, 1.0, 0, base, 2), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 2.0, 0, base, 4, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_post(eng, 0.5, 0, base, 0), FSN_OK);
    cr_assert_eq(fsn_engine_size(eng), 5);
    cr_assert_eq(fsn_engine_post(eng, NAN, 0, base, 0), FSN_EINVAL);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, 5);
    for (uint32_t i = 0; i < 5; i++) cr_assert_eq(r.a[i], i);
    fsn_engine_free(eng);
}

/* A long interleaving of steps, schedules, cancels and reschedules on
 * 20000 events with times spread over three orders of magnitude (the
 * calendar queue retunes, compacts and re-buckets along the way): every
 * event that runs must be the smallest pending one under the
 * (time, priority, sequence) rule, checked against a brute-force record
 * of what is pending. */
ENGINE_TEST(long_random_interleaving_always_runs_the_smallest_pending_event) {
    static recorder_t r;
    r.n = 0;
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, &r, &base);
    enum { N = 20000 };
    static fsn_handle_t h[N];
    static double t[N];
    static int prio[N], alive[N];
    static uint64_t seq[N];
    uint64_t s = 0;
    uint32_t next_id = 0, ran = 0;
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 4242);
    for (int step = 0; step < 60000; step++) {
        uint64_t op = fsn_rng_below(&rng, 10);
        double now = fsn_engine_now(eng);
        if (op < 4 && next_id < N) {
            uint32_t i = next_id++;
            double scale = fsn_rng_below(&rng, 3) == 0 ? 1000.0 : 1.0;
            t[i] = now + (fsn_rng_below(&rng, 8) == 0 ? 0.0 : fsn_rng_exp(&rng, 1.0) * scale);
            prio[i] = (int)fsn_rng_below(&rng, 5) - 2;
            cr_assert_eq(fsn_engine_schedule(eng, t[i], prio[i], base, i, 0, 0, &h[i]), FSN_OK);
            seq[i] = ++s;
            alive[i] = 1;
        } else if (op < 6 && next_id > 0) {
            uint32_t i = (uint32_t)fsn_rng_below(&rng, next_id);
            cr_assert_eq(fsn_engine_cancel(eng, h[i]), alive[i] ? FSN_OK : FSN_ESTATE);
            alive[i] = 0;
        } else if (op < 7 && next_id > 0) {
            uint32_t i = (uint32_t)fsn_rng_below(&rng, next_id);
            double nt = now + fsn_rng_exp(&rng, 0.5);
            cr_assert_eq(fsn_engine_reschedule(eng, h[i], nt), alive[i] ? FSN_OK : FSN_ESTATE);
            if (alive[i]) {
                t[i] = nt;
                seq[i] = ++s;
            }
        } else {
            /* The expected next event, by brute force. */
            int64_t best = -1;
            for (uint32_t i = 0; i < next_id; i++) {
                if (!alive[i]) continue;
                if (best < 0 || t[i] < t[best] ||
                    (t[i] == t[best] && (prio[i] < prio[best] ||
                                         (prio[i] == prio[best] && seq[i] < seq[best]))))
                    best = i;
            }
            size_t before = r.n;
            fsn_err_t rc = FSN_OK;
            int stepped = fsn_engine_step(eng, INFINITY, &rc);
            cr_assert_eq(rc, FSN_OK);
            if (best < 0) {
                cr_assert_eq(stepped, 0);
                continue;
            }
            cr_assert_eq(stepped, 1);
            cr_assert_eq(r.n, before + 1);
            cr_assert_eq(r.a[before], (uint32_t)best, "step %d: ran %u, expected %lld", step,
                         r.a[before], (long long)best);
            alive[best] = 0;
            ran++;
            if (r.n == 4096) r.n = 0; /* the recorder is a ring for this test */
        }
        size_t pending = 0;
        if (step % 997 == 0) {
            for (uint32_t i = 0; i < next_id; i++) pending += (size_t)alive[i];
            cr_assert_eq(fsn_engine_size(eng), pending);
        }
    }
    cr_assert_gt(ran, 5000);
    fsn_engine_free(eng);
}

/* A capacity whose byte size overflows size_t must be refused, not
 * allocated short (2^62 + 1 slots of 32 bytes wrap to 32 bytes). */
ENGINE_TEST(an_impossible_capacity_is_refused) {
    fsn_engine_t *eng = fsn_engine_new_queue(((size_t)1 << 62) + 1, kind);
    cr_assert_null(eng);
    fsn_engine_free(eng);
    eng = fsn_engine_new_queue(((size_t)1 << 31) + 1, kind);
    cr_assert_null(eng);
}

/* A NaN horizon is refused; it used to compare false and run everything. */
ENGINE_TEST(a_nan_horizon_is_refused) {
    recorder_t *r = calloc(1, sizeof *r);
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, r, &base);
    cr_assert_eq(fsn_engine_post(eng, 1.0, 0, base, 7), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, NAN), FSN_EINVAL);
    fsn_err_t rc = FSN_OK;
    cr_assert_eq(fsn_engine_step(eng, NAN, &rc), -(int)FSN_EINVAL);
    cr_assert_eq(rc, FSN_EINVAL);
    cr_assert_eq(r->n, 0);
    cr_assert_eq(fsn_engine_size(eng), 1);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r->n, 1);
    fsn_engine_free(eng);
    free(r);
}

/* The type count is checked without wrapping: a table claiming 2^32 - 1
 * types after one registered type must be refused, not read. */
ENGINE_TEST(too_many_event_types_are_refused_without_wrapping) {
    recorder_t *r = calloc(1, sizeof *r);
    uint32_t base;
    fsn_engine_t *eng = new_engine(kind, r, &base);
    const fsn_model_type_t huge = {"huge", UINT32_MAX, rec_types};
    uint32_t first = 12345;
    cr_assert_eq(fsn_engine_add_model(eng, &huge, r, &first), FSN_ERANGE);
    cr_assert_eq(first, 12345);
    cr_assert_str_eq(fsn_engine_type_name(eng, 3), "?");
    fsn_engine_free(eng);
    free(r);
}

/* A zero-delay cascade at one instant behind a large open window: each
 * event posts the next at the same time. Rebuilding the calendar every
 * few hundred late arrivals made this quadratic (8 s at 4e5 events). */
static uint32_t chain0_type;
static long chain0_left;
static fsn_err_t on_chain0(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)model;
    (void)ev;
    if (chain0_left-- > 0) return fsn_engine_post(eng, fsn_engine_now(eng), 0, chain0_type, 0);
    return FSN_OK;
}
static const fsn_event_type_t chain0_types[] = {{"burst", on_chain0, NULL}};
static const fsn_model_type_t chain0_model = {"burst", 1, chain0_types};

/* The work is counted, not timed: the entries the calendar queue moves
 * while retuning must stay within a small multiple of the events run
 * (the quadratic behaviour this guards against moved about n^2 / 385). */
Test(engine_calendar, a_burst_at_one_instant_is_not_quadratic) {
    fsn_engine_t *eng = fsn_engine_new_queue(0, FSN_QUEUE_CALENDAR);
    cr_assert_not_null(eng);
    cr_assert_eq(fsn_engine_add_model(eng, &chain0_model, NULL, &chain0_type), FSN_OK);
    const long n = 200000;
    for (long i = 0; i < n; i++) cr_assert_eq(fsn_engine_post(eng, 0.0, 0, chain0_type, 0), FSN_OK);
    chain0_left = n;
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(fsn_engine_events_run(eng), (uint64_t)(2 * n));
    fsn_queue_stats_t st;
    fsn_engine_queue_stats(eng, &st);
    cr_assert_leq(st.rebucketed, (uint64_t)(8 * n), "%llu entries re-bucketed for %ld events",
                  (unsigned long long)st.rebucketed, 2 * n);
    fsn_engine_free(eng);
}

/* ------------------------------------------------------------------ */
/* Moot events                                                        */
/* ------------------------------------------------------------------ */

/* Two posting types; a records (type, a) in the order events run. */
typedef struct moot_rec {
    uint32_t n, seen;
    uint32_t ty[4096], a[4096];
} moot_rec_t;

static fsn_err_t moot_rec_add(void *model, uint32_t ty, const fsn_event_t *ev) {
    moot_rec_t *r = model;
    cr_assert_lt(r->n, 4096);
    r->ty[r->n] = ty;
    r->a[r->n++] = ev->a;
    return FSN_OK;
}
static fsn_err_t on_m0(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)eng;
    return moot_rec_add(model, 0, ev);
}
static fsn_err_t on_m1(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    (void)eng;
    return moot_rec_add(model, 1, ev);
}
static int moot_odd(const void *model, uint32_t a, double t) {
    (void)model, (void)t;
    return a & 1;
}
static int moot_third(const void *model, uint32_t a, double t) {
    (void)model, (void)t;
    return a % 3 == 0;
}
static void moot_seen(void *ctx, const fsn_event_t *ev, const char *type_name) {
    (void)ev, (void)type_name;
    ((moot_rec_t *)ctx)->seen++;
}

static const fsn_event_type_t moot_types[] = {{"m0", on_m0, NULL}, {"m1", on_m1, NULL}};
static const fsn_model_type_t moot_model = {"moot", 2, moot_types};

/* 3000 posted events of the two types at random times, with moot tests on
 * `ntested` of the types (1: type 0 only; 2: both); returns the run. */
static void moot_run(fsn_queue_kind_t kind, int ntested, moot_rec_t *r, uint64_t *events_run) {
    memset(r, 0, sizeof *r);
    fsn_engine_t *eng = fsn_engine_new_queue(16, kind);
    cr_assert_not_null(eng);
    uint32_t base;
    cr_assert_eq(fsn_engine_add_model(eng, &moot_model, r, &base), FSN_OK);
    cr_assert_eq(fsn_engine_set_moot(eng, base, moot_odd), FSN_OK);
    if (ntested == 2) cr_assert_eq(fsn_engine_set_moot(eng, base + 1, moot_third), FSN_OK);
    cr_assert_eq(fsn_engine_set_moot(eng, base + 7, moot_odd), FSN_EINVAL, "an unknown type is refused");
    fsn_engine_set_observer(eng, moot_seen, r);
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 11);
    for (uint32_t i = 0; i < 3000; i++)
        cr_assert_eq(fsn_engine_post(eng, fsn_rng_uniform(&rng) * 50, 0, base + (i % 2), i / 2), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    *events_run = fsn_engine_events_run(eng);
    fsn_engine_free(eng);
}

static int moot_expected(int ntested, uint32_t ty, uint32_t a) {
    return ty == 0 ? (a & 1) != 0 : ntested == 2 && a % 3 == 0;
}

/* The heap runs every event; the calendar queue drops exactly those its
 * moot tests name, unseen by the observer and uncounted, and runs the
 * others in the heap's order. Both the one-tested-type path and the
 * several-types path of the queue are exercised. */
Test(engine, moot_events_are_dropped_by_the_calendar_queue_and_the_rest_keep_their_order) {
    static moot_rec_t heap, cal;
    for (int ntested = 1; ntested <= 2; ntested++) {
        uint64_t run_heap, run_cal;
        moot_run(FSN_QUEUE_HEAP, ntested, &heap, &run_heap);
        moot_run(FSN_QUEUE_CALENDAR, ntested, &cal, &run_cal);
        cr_assert_eq(heap.n, 3000, "the heap runs every event");
        uint32_t k = 0;
        for (uint32_t i = 0; i < heap.n; i++) {
            if (moot_expected(ntested, heap.ty[i], heap.a[i])) continue;
            cr_assert_lt(k, cal.n, "tested %d: the calendar queue dropped a live event", ntested);
            cr_assert(cal.ty[k] == heap.ty[i] && cal.a[k] == heap.a[i],
                      "tested %d: position %u differs from the heap's order", ntested, k);
            k++;
        }
        cr_assert_eq(k, cal.n, "tested %d: the calendar queue ran a moot event", ntested);
        cr_assert_eq(cal.seen, cal.n, "the observer sees only the events run");
        cr_assert_eq(run_cal, cal.n);
        cr_assert_eq(run_heap, 3000);
        cr_assert_eq(cal.n, ntested == 1 ? 2250u : 1750u, "half of type 0 (odd), then a third of type 1, dropped");
    }
}

/* The calendar queue ran the heap's events, in the heap's order, less
 * those marked moot (moot[i] for the heap's i-th event). */
static void assert_heap_less_moot(const moot_rec_t *heap, const moot_rec_t *cal, const uint8_t *moot,
                                  int ntested) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < heap->n; i++) {
        if (moot[i]) continue;
        cr_assert_lt(k, cal->n, "tested %d: the calendar queue dropped a live event", ntested);
        cr_assert(cal->ty[k] == heap->ty[i] && cal->a[k] == heap->a[i], "tested %d: position %u differs",
                  ntested, k);
        k++;
    }
    cr_assert_eq(k, cal->n, "tested %d: the calendar queue ran a moot event", ntested);
}

/* Moot by code: type 0's events are tested against a 16-bit word per
 * user (fsn_engine_set_moot_code), with the SIR model's code (10 bits of
 * mantissa). The words: 0 (every event moot), 0xFFFF and 0xFFFE (none),
 * or the code of time 25 (those later than 25, rounded up, moot). */
#define MC_SHIFT 42
#define MC_OFFSET ((INT64_C(1023) - 14) * 1024 - 1)
static uint16_t mc_words[1500];

/* The contract's code, computed here apart from the engine's. */
static uint32_t mc_code(double t) {
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    int64_t c = (int64_t)(b / (UINT64_C(1) << MC_SHIFT) + (b % (UINT64_C(1) << MC_SHIFT) != 0)) - MC_OFFSET;
    return c < 1 ? 1u : c > 0xFFFE ? 0xFFFEu : (uint32_t)c;
}

static int mc_zero; /* 1: the test is fsn_engine_set_moot_zero's */

static void mc_run(fsn_queue_kind_t kind, int ntested, moot_rec_t *r, double *times) {
    for (uint32_t a = 0; a < 1500; a++)
        mc_words[a] = a % 4 == 0 ? 0 : a % 4 == 1 ? 0xFFFF : a % 4 == 2 ? 0xFFFE : (uint16_t)mc_code(25.0);
    memset(r, 0, sizeof *r);
    fsn_engine_t *eng = fsn_engine_new_queue(16, kind);
    cr_assert_not_null(eng);
    uint32_t base;
    cr_assert_eq(fsn_engine_add_model(eng, &moot_model, r, &base), FSN_OK);
    if (mc_zero) cr_assert_eq(fsn_engine_set_moot_zero(eng, base, mc_words), FSN_OK);
    else cr_assert_eq(fsn_engine_set_moot_code(eng, base, mc_words, MC_SHIFT, MC_OFFSET), FSN_OK);
    cr_assert_eq(fsn_engine_set_moot_zero(eng, base + 7, mc_words), FSN_EINVAL, "an unknown type is refused");
    if (ntested == 2) cr_assert_eq(fsn_engine_set_moot(eng, base + 1, moot_third), FSN_OK);
    cr_assert_eq(fsn_engine_set_moot_code(eng, base + 7, mc_words, MC_SHIFT, MC_OFFSET), FSN_EINVAL,
                 "an unknown type is refused");
    cr_assert_eq(fsn_engine_set_moot_code(eng, base, mc_words, 64, MC_OFFSET), FSN_EINVAL,
                 "a shift of 64 is refused");
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 12);
    for (uint32_t i = 0; i < 3000; i++) {
        times[i] = fsn_rng_uniform(&rng) * 50;
        cr_assert_eq(fsn_engine_post(eng, times[i], 0, base + (i % 2), i / 2), FSN_OK);
    }
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    fsn_engine_free(eng);
}

/* The calendar queue drops exactly the events of the tested type whose
 * user's word is below the code of their time (and, with a function on
 * the other type, those it names: the several-types path), and runs the
 * rest in the heap's order. */
Test(engine, moot_by_code_drops_the_events_whose_word_is_below_their_time_code) {
    static moot_rec_t heap, cal;
    static double times[3000];
    for (int ntested = 1; ntested <= 2; ntested++) {
        mc_run(FSN_QUEUE_HEAP, ntested, &heap, times);
        mc_run(FSN_QUEUE_CALENDAR, ntested, &cal, times);
        cr_assert_eq(heap.n, 3000, "the heap runs every event");
        /* Each (type, user) pair is posted once: its time by index. */
        static uint8_t moot[3000];
        uint32_t dropped_late = 0, kept_early = 0;
        for (uint32_t i = 0; i < heap.n; i++) {
            const uint32_t ty = heap.ty[i], a = heap.a[i];
            const double t = times[2 * a + ty];
            moot[i] = ty == 0 ? mc_words[a] < mc_code(t) : ntested == 2 && a % 3 == 0;
            if (ty == 0 && a % 4 == 3) {
                dropped_late += moot[i] && t > 25.1;
                kept_early += !moot[i] && t < 25.0;
            }
        }
        assert_heap_less_moot(&heap, &cal, moot, ntested);
        cr_assert_gt(dropped_late, 100, "events later than a word's time are dropped");
        cr_assert_gt(kept_early, 100, "events earlier than a word's time run");
    }
}

/* ------------------------------------------------------------------ */
/* Prefetch stages                                                     */
/* ------------------------------------------------------------------ */

/* A hook that counts its calls by stage (the counts live outside the
 * model: a hook must not change the model's state). */
static uint64_t stage_calls[3];
static uint32_t stage_bad_user;

static void count_stages(const void *model, uint32_t a, int stage) {
    (void)model;
    cr_assert(stage >= 0 && stage <= 2);
    stage_calls[stage]++;
    if (a >= 2000) stage_bad_user++;
}

static const fsn_event_type_t staged_types[] = {{"staged", on_record, count_stages}};
static const fsn_model_type_t staged_model = {"staged", 1, staged_types};

/* Stage 0 by address: an array with a word per user. */
static uint32_t stage_words[2000];
/* Stage 1 by address: a CSR of rows over 2000 users (row starts, items;
 * user a's row has a % 5 items, so some rows are empty). */
static uint32_t stage_starts[2001];
static uint32_t stage_items[4000];

/* 2000 events at random times on the calendar queue; the hook takes
 * `stages` (0: the default); with `by_address` bit 0, stage 0 goes to
 * stage_words, with bit 1 stage 1 to the rows of stage_starts. Returns
 * the run's log in r. */
/* Two recorded runs ran the same events in the same order, n of them. */
static void assert_same_events(const recorder_t *x, const recorder_t *y, size_t n) {
    cr_assert_eq(x->n, n);
    cr_assert_eq(y->n, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(x->t[i] == y->t[i] && x->a[i] == y->a[i], "position %zu differs", i);
}

static void staged_run(unsigned stages, int by_address, recorder_t *r) {
    memset(stage_calls, 0, sizeof stage_calls);
    stage_bad_user = 0;
    r->n = 0;
    fsn_engine_t *eng = fsn_engine_new_queue(16, FSN_QUEUE_CALENDAR);
    cr_assert_not_null(eng);
    uint32_t base;
    cr_assert_eq(fsn_engine_add_model(eng, &staged_model, r, &base), FSN_OK);
    if (stages) cr_assert_eq(fsn_engine_set_prefetch_stages(eng, base, stages), FSN_OK);
    cr_assert_eq(fsn_engine_set_prefetch_stages(eng, base + 1, 3), FSN_EINVAL, "an unknown type is refused");
    cr_assert_eq(fsn_engine_set_prefetch_stages(eng, base, 8), FSN_EINVAL, "only stages 0 to 2 exist");
    if (by_address & 1)
        cr_assert_eq(fsn_engine_set_prefetch_array(eng, base, stage_words, sizeof *stage_words), FSN_OK);
    cr_assert_eq(fsn_engine_set_prefetch_array(eng, base + 1, stage_words, 4), FSN_EINVAL,
                 "an unknown type is refused");
    stage_starts[0] = 0;
    for (uint32_t v = 0; v < 2000; v++) stage_starts[v + 1] = stage_starts[v] + v % 5;
    if (by_address & 2)
        cr_assert_eq(fsn_engine_set_prefetch_rows(eng, base, stage_starts, stage_items,
                                                  sizeof *stage_items), FSN_OK);
    cr_assert_eq(fsn_engine_set_prefetch_rows(eng, base + 1, stage_starts, stage_items, 4), FSN_EINVAL,
                 "an unknown type is refused");
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 5);
    for (uint32_t i = 0; i < 2000; i++)
        cr_assert_eq(fsn_engine_post(eng, fsn_rng_uniform(&rng) * 20, 0, base, i), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    fsn_engine_free(eng);
}

/* By default the hook sees all three stages; told it takes stages 0 and
 * 1, it never sees stage 2 and still sees the others; the hook is only
 * ever given real users; the events run in the same order either way. */
Test(engine_calendar, the_prefetch_hook_is_called_only_for_the_stages_its_type_takes) {
    static recorder_t all, two;
    staged_run(0, 0, &all);
    uint64_t all_calls[3];
    memcpy(all_calls, stage_calls, sizeof all_calls);
    cr_assert_eq(stage_bad_user, 0);
    staged_run(3, 0, &two);
    cr_assert_eq(stage_bad_user, 0);
    for (int s = 0; s < 3; s++) cr_assert_gt(all_calls[s], 0, "stage %d is called by default", s);
    cr_assert_eq(stage_calls[2], 0, "stage 2 is not called when the type does not take it");
    cr_assert_eq(stage_calls[0], all_calls[0]);
    cr_assert_eq(stage_calls[1], all_calls[1]);
    assert_same_events(&all, &two, 2000);
    /* Stages 1 and 2 alone: stage 0 is skipped, the others as before. */
    static recorder_t late;
    staged_run(6, 0, &late);
    cr_assert_eq(stage_bad_user, 0);
    cr_assert_eq(stage_calls[0], 0, "stage 0 is not called when the type does not take it");
    cr_assert_eq(stage_calls[1], all_calls[1]);
    cr_assert_eq(stage_calls[2], all_calls[2]);
    assert_same_events(&all, &late, 2000);
}

/* With stage 0 by address, the engine fetches it itself: the hook never
 * sees stage 0 and sees the other two as before, in the same order of
 * events. */
Test(engine_calendar, a_prefetch_array_takes_stage_0_from_the_hook) {
    static recorder_t hook, array;
    staged_run(0, 0, &hook);
    uint64_t hook_calls[3];
    memcpy(hook_calls, stage_calls, sizeof hook_calls);
    staged_run(0, 1, &array);
    cr_assert_eq(stage_bad_user, 0);
    cr_assert_gt(hook_calls[0], 0);
    cr_assert_eq(stage_calls[0], 0, "stage 0 went to the array, not the hook");
    cr_assert_eq(stage_calls[1], hook_calls[1]);
    cr_assert_eq(stage_calls[2], hook_calls[2]);
    assert_same_events(&hook, &array, 2000);
}

/* With stage 1 by rows as well, the hook sees stage 2 alone, the same
 * number of times, and the events run in the same order. */
Test(engine_calendar, prefetch_rows_take_stage_1_from_the_hook) {
    static recorder_t hook, rows;
    staged_run(0, 0, &hook);
    uint64_t hook_calls[3];
    memcpy(hook_calls, stage_calls, sizeof hook_calls);
    staged_run(0, 3, &rows);
    cr_assert_eq(stage_bad_user, 0);
    cr_assert_gt(hook_calls[1], 0);
    cr_assert_eq(stage_calls[0], 0, "stage 0 went to the array");
    cr_assert_eq(stage_calls[1], 0, "stage 1 went to the rows, not the hook");
    cr_assert_eq(stage_calls[2], hook_calls[2]);
    assert_same_events(&hook, &rows, 2000);
}

/* Moot by a zero word: type 0's events are dropped exactly when their
 * user's word is 0, whatever their time (the words' codes of time 25
 * drop nothing), and the rest run in the heap's order; with a function
 * on the other type as well, through the several-types path. */
Test(engine, moot_by_zero_drops_the_events_whose_word_is_zero) {
    static moot_rec_t heap, cal;
    static double times[3000];
    mc_zero = 1;
    for (int ntested = 1; ntested <= 2; ntested++) {
        mc_run(FSN_QUEUE_HEAP, ntested, &heap, times);
        mc_run(FSN_QUEUE_CALENDAR, ntested, &cal, times);
        cr_assert_eq(heap.n, 3000, "the heap runs every event");
        static uint8_t moot[3000];
        uint32_t dropped = 0;
        for (uint32_t i = 0; i < heap.n; i++) {
            const uint32_t ty = heap.ty[i], a = heap.a[i];
            moot[i] = ty == 0 ? mc_words[a] == 0 : ntested == 2 && a % 3 == 0;
            dropped += moot[i] && ty == 0;
        }
        assert_heap_less_moot(&heap, &cal, moot, ntested);
        cr_assert_eq(dropped, 375, "a quarter of type 0's 1500 events have a zero word");
    }
    mc_zero = 0;
}

/* ------------------------------------------------------------------ */
/* A handler that takes its next events itself (fsn_engine_take_posted). */

/* A cascade of posted events (type 0) and scheduled ones (type 1, with
 * a slot), with children at the same instant (ties), inside the open
 * window (late arrivals), and later. Type 0's handler, when `take` is
 * set, goes on with the next events while the engine hands them over. */
typedef struct taker {
    fsn_rng_t rng;
    int take;
    uint32_t type0;
    uint64_t hash, n, taken;
} taker_t;

static fsn_err_t taker_children(fsn_engine_t *eng, taker_t *k, double t, uint32_t a) {
    if (k->n >= 30000) return FSN_OK;
    const uint32_t kids = (uint32_t)fsn_rng_below(&k->rng, 4);
    for (uint32_t i = 0; i < kids; i++) {
        const uint64_t r = fsn_rng_below(&k->rng, 16);
        const double d = r == 0 ? 0.0 : r < 4 ? fsn_rng_exp(&k->rng, 1000.0) : fsn_rng_exp(&k->rng, 1.0);
        const fsn_err_t rc = fsn_rng_below(&k->rng, 5) == 0
                                 ? fsn_engine_schedule(eng, t + d, 0, k->type0 + 1, a + i + 1, 0, 0, NULL)
                                 : fsn_engine_post(eng, t + d, 0, k->type0, a + i + 1);
        if (rc) return rc;
    }
    return FSN_OK;
}

static void taker_note(fsn_engine_t *eng, taker_t *k, uint32_t type, double t, uint32_t a) {
    cr_assert_eq(fsn_engine_now(eng), t, "the clock is at the event's time");
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    k->hash = (k->hash ^ b ^ ((uint64_t)a << 1) ^ type) * 0x100000001b3ULL;
    k->n++;
}

static fsn_err_t on_take0(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    taker_t *k = model;
    double t = ev->time;
    uint32_t a = ev->a;
    for (;;) {
        taker_note(eng, k, 0, t, a);
        fsn_err_t rc = taker_children(eng, k, t, a);
        if (rc) return rc;
        if (!k->take || !fsn_engine_take_posted(eng, k->type0, INFINITY, &t, &a)) return FSN_OK;
        k->taken++;
    }
}

static fsn_err_t on_take1(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    taker_t *k = model;
    taker_note(eng, k, 1, ev->time, ev->a);
    return taker_children(eng, k, ev->time, ev->a);
}

static const fsn_event_type_t taker_types[] = {{"take0", on_take0, NULL}, {"take1", on_take1, NULL}};
static const fsn_model_type_t taker_model = {"taker", 2, taker_types};

static void taker_run(fsn_queue_kind_t kind, int take, taker_t *k, uint64_t *events_run) {
    memset(k, 0, sizeof *k);
    fsn_rng_seed(&k->rng, 31);
    k->take = take;
    k->hash = 0xcbf29ce484222325ULL;
    fsn_engine_t *eng = fsn_engine_new_queue(16, kind);
    cr_assert_not_null(eng);
    cr_assert_eq(fsn_engine_add_model(eng, &taker_model, k, &k->type0), FSN_OK);
    for (uint32_t i = 0; i < 20; i++) cr_assert_eq(fsn_engine_post(eng, 0.0, 0, k->type0, 1000 * i), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    *events_run = fsn_engine_events_run(eng);
    fsn_engine_free(eng);
}

/* Taking runs exactly the events the run loop would, in its order, with
 * the clock at each one's time: the same log, counts and draws with and
 * without taking; most events are taken on the calendar queue, none on
 * the heap. */
Test(engine, a_handler_that_takes_its_next_events_runs_them_in_the_run_loops_order) {
    static taker_t plain, taking, heap;
    uint64_t e_plain, e_taking, e_heap;
    taker_run(FSN_QUEUE_CALENDAR, 0, &plain, &e_plain);
    taker_run(FSN_QUEUE_CALENDAR, 1, &taking, &e_taking);
    taker_run(FSN_QUEUE_HEAP, 1, &heap, &e_heap);
    cr_assert_gt(plain.n, 30000);
    cr_assert_eq(taking.n, plain.n);
    cr_assert_eq(taking.hash, plain.hash, "the same events in the same order");
    cr_assert_eq(e_taking, e_plain, "taken events count as run");
    cr_assert_eq(e_plain, plain.n);
    cr_assert_gt(taking.taken, plain.n / 2, "most events are taken (%llu of %llu)",
                 (unsigned long long)taking.taken, (unsigned long long)plain.n);
    cr_assert_eq(heap.taken, 0, "the heap hands over nothing");
    cr_assert_eq(heap.hash, plain.hash);
}

/* What the engine will not hand over: the handler records what
 * fsn_engine_take_posted said for each case. */
typedef struct refuser {
    uint32_t type0;
    int mode;                 /* 1: stop first */
    double before;            /* the bound handed to the engine */
    size_t left;              /* events queued after the run */
    int said[8];
    size_t n;
} refuser_t;

static fsn_err_t on_refuse(fsn_engine_t *eng, void *model, const fsn_event_t *ev) {
    refuser_t *r = model;
    double t;
    uint32_t a;
    if (r->mode == 1) fsn_engine_stop(eng);
    cr_assert_lt(r->n, 8);
    r->said[r->n++] = fsn_engine_take_posted(eng, r->type0, r->before, &t, &a);
    (void)ev;
    return FSN_OK;
}

static void refuse_seen(void *ctx, const fsn_event_t *ev, const char *type_name) {
    (void)ctx, (void)ev, (void)type_name;
}

static const fsn_event_type_t refuser_types[] = {{"r0", on_refuse, NULL}, {"r1", on_refuse, NULL}};
static const fsn_model_type_t refuser_model = {"refuser", 2, refuser_types};

static fsn_engine_t *refuser_engine(refuser_t *r, fsn_queue_kind_t kind) {
    memset(r, 0, sizeof *r);
    r->before = INFINITY;
    fsn_engine_t *eng = fsn_engine_new_queue(16, kind);
    cr_assert_not_null(eng);
    cr_assert_eq(fsn_engine_add_model(eng, &refuser_model, r, &r->type0), FSN_OK);
    return eng;
}

/* An engine with two posted events of type 0, at times 1 and 1.5. */
static fsn_engine_t *refuser_two(refuser_t *r, fsn_queue_kind_t kind) {
    fsn_engine_t *eng = refuser_engine(r, kind);
    cr_assert_eq(fsn_engine_post(eng, 1.0, 0, r->type0, 1), FSN_OK);
    cr_assert_eq(fsn_engine_post(eng, 1.5, 0, r->type0, 2), FSN_OK);
    return eng;
}

/* Those two events run to the end, the handler giving the bound
 * `before`, stopping the run first (mode 1) or not, under an observer
 * or not: its answers in r, the events left in r->left. */
static void refuser_case(refuser_t *r, fsn_queue_kind_t kind, double before, int mode, int observe) {
    fsn_engine_t *eng = refuser_two(r, kind);
    r->before = before;
    r->mode = mode;
    if (observe) fsn_engine_set_observer(eng, refuse_seen, NULL);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    r->left = fsn_engine_size(eng);
    fsn_engine_free(eng);
}

Test(engine, the_engine_hands_over_only_a_posted_event_of_the_callers_type_that_is_due) {
    static refuser_t r;
    double t;
    uint32_t a;
    /* Taken: the next posted event of the type, within the horizon. */
    fsn_engine_t *eng = refuser_two(&r, FSN_QUEUE_CALENDAR);
    cr_assert_eq(fsn_engine_take_posted(eng, r.type0, INFINITY, &t, &a), 0, "outside a run: nothing");
    cr_assert_eq(fsn_engine_size(eng), 2);
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, 1, "the second event was taken by the first's handler");
    cr_assert_eq(r.said[0], 1);
    cr_assert_eq(fsn_engine_events_run(eng), 2);
    cr_assert_eq(fsn_engine_now(eng), 1.5);
    fsn_engine_free(eng);
    /* Taken only strictly before the bound the handler gives. */
    refuser_case(&r, FSN_QUEUE_CALENDAR, 1.5, 0, 0);
    cr_assert(r.n == 2 && r.said[0] == 0, "an event at the bound is not taken");
    refuser_case(&r, FSN_QUEUE_CALENDAR, 1.5000001, 0, 0);
    cr_assert(r.n == 1 && r.said[0] == 1, "an event before the bound is");
    /* Not taken: another type, a scheduled event, past the horizon. */
    eng = refuser_engine(&r, FSN_QUEUE_CALENDAR);
    cr_assert_eq(fsn_engine_post(eng, 1.0, 0, r.type0, 1), FSN_OK);
    cr_assert_eq(fsn_engine_post(eng, 1.1, 0, r.type0 + 1, 2), FSN_OK);
    cr_assert_eq(fsn_engine_schedule(eng, 1.2, 0, r.type0, 3, 0, 0, NULL), FSN_OK);
    cr_assert_eq(fsn_engine_post(eng, 7.0, 0, r.type0, 4), FSN_OK);
    cr_assert_eq(fsn_engine_run(eng, 5.0), FSN_OK);
    cr_assert_eq(r.n, 3);
    cr_assert(r.said[0] == 0 && r.said[1] == 0 && r.said[2] == 0,
              "another type next, a scheduled event next, the next past the horizon");
    cr_assert_eq(fsn_engine_size(eng), 1, "the event past the horizon waits");
    fsn_engine_free(eng);
    /* Not taken: with an observer, after a stop, on the heap, under a
     * step. */
    refuser_case(&r, FSN_QUEUE_CALENDAR, INFINITY, 0, 1);
    cr_assert(r.n == 2 && r.said[0] == 0, "an observer sees every event: none taken");
    refuser_case(&r, FSN_QUEUE_CALENDAR, INFINITY, 1, 0);
    cr_assert(r.n == 1 && r.said[0] == 0 && r.left == 1, "after a stop, none taken");
    refuser_case(&r, FSN_QUEUE_HEAP, INFINITY, 0, 0);
    cr_assert(r.n == 2 && r.said[0] == 0 && r.said[1] == 0, "the heap hands over nothing");
    eng = refuser_two(&r, FSN_QUEUE_CALENDAR);
    fsn_err_t rc;
    cr_assert_eq(fsn_engine_step(eng, INFINITY, &rc), 1);
    cr_assert(r.n == 1 && r.said[0] == 0, "a step runs one event");
    cr_assert_eq(fsn_engine_size(eng), 1);
    fsn_engine_free(eng);
}

/* ------------------------------------------------------------------ */
/* Posting in bulk (fsn_engine_post_n). */

/* The same 3000 events posted one by one and in batches of 1 to 40
 * (times at random, many in the window that will open first, some tied)
 * run in the same order on every queue, with the same sequence numbers. */
static void post_n_run(fsn_queue_kind_t kind, int bulk, recorder_t *r) {
    memset(r, 0, sizeof *r);
    fsn_engine_t *eng = fsn_engine_new_queue(16, kind);
    cr_assert_not_null(eng);
    uint32_t base;
    cr_assert_eq(fsn_engine_add_model(eng, &rec_model, r, &base), FSN_OK);
    fsn_rng_t rng;
    fsn_rng_seed(&rng, 17);
    static double t[3000];
    static uint32_t a[3000];
    for (uint32_t i = 0; i < 3000; i++) {
        t[i] = fsn_rng_below(&rng, 10) == 0 ? 2.0 : fsn_rng_uniform(&rng) * (i % 3 ? 0.01 : 50);
        a[i] = i;
    }
    for (uint32_t i = 0; i < 3000;) {
        const uint32_t k = bulk ? 1 + (uint32_t)fsn_rng_below(&rng, 40) : 1;
        const uint32_t m = i + k <= 3000 ? k : 3000 - i;
        if (bulk) cr_assert_eq(fsn_engine_post_n(eng, 0, base, m, t + i, a + i), FSN_OK);
        else
            for (uint32_t j = 0; j < m; j++) cr_assert_eq(fsn_engine_post(eng, t[i + j], 0, base, a[i + j]), FSN_OK);
        i += m;
    }
    /* A tenth of the times are 2.0: those events run in the order of
     * their sequence numbers, so the logs agree only if the numbers do. */
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    fsn_engine_free(eng);
}

Test(engine, posting_in_bulk_runs_the_same_events_as_posting_one_by_one) {
    static recorder_t one, bulk, heap;
    post_n_run(FSN_QUEUE_CALENDAR, 0, &one);
    post_n_run(FSN_QUEUE_CALENDAR, 1, &bulk);
    post_n_run(FSN_QUEUE_HEAP, 1, &heap);
    assert_same_events(&one, &bulk, 3000);
    assert_same_events(&one, &heap, 3000);
}

/* A bad time stops a batch where single posts would stop: the events
 * before it are posted, the error is that of fsn_engine_post, and the
 * next post gets the next sequence number. */
Test(engine, a_bulk_post_stops_at_its_first_bad_time) {
    static recorder_t r;
    memset(&r, 0, sizeof r);
    fsn_engine_t *eng = fsn_engine_new_queue(16, FSN_QUEUE_CALENDAR);
    uint32_t base;
    cr_assert_eq(fsn_engine_add_model(eng, &rec_model, &r, &base), FSN_OK);
    const double t[5] = {1.0, 2.0, NAN, 3.0, 4.0};
    const uint32_t a[5] = {10, 11, 12, 13, 14};
    cr_assert_eq(fsn_engine_post_n(eng, 0, base, 5, t, a), FSN_EINVAL);
    cr_assert_eq(fsn_engine_size(eng), 2, "the two before the bad time are queued");
    const double late[2] = {5.0, INFINITY};
    cr_assert_eq(fsn_engine_post_n(eng, 0, base, 2, late, a), FSN_EINVAL);
    cr_assert_eq(fsn_engine_size(eng), 3);
    cr_assert_eq(fsn_engine_post_n(eng, 200, base, 1, t, a), FSN_EINVAL, "a bad priority");
    cr_assert_eq(fsn_engine_post_n(eng, 0, base, 0, NULL, NULL), FSN_OK, "nothing to post");
    cr_assert_eq(fsn_engine_run(eng, 1.5), FSN_OK);
    const double past[1] = {1.0};
    cr_assert_eq(fsn_engine_post_n(eng, 0, base, 1, past, a), FSN_EINVAL, "before now");
    cr_assert_eq(fsn_engine_run(eng, INFINITY), FSN_OK);
    cr_assert_eq(r.n, 3);
    cr_assert(r.t[0] == 1.0 && r.t[1] == 2.0 && r.t[2] == 5.0);
    cr_assert(r.a[0] == 10 && r.a[1] == 11 && r.a[2] == 10);
    fsn_engine_free(eng);
}
