/*
 * engine.c: clock, event pool and queue, run loop.
 *
 * The workload is a cascade: millions of short-lived events, most of them
 * scheduled a short random delay ahead of now, some cancelled (a group
 * buy that fills cancels its deadline), a few tied on time (launches at
 * t = 0, daily ticks). The structure follows:
 *
 *  - Light events (fsn_engine_post) carry one user id and live in the
 *    queue entry alone: the bulk of a cascade never touches the pool.
 *    Full events (fsn_engine_schedule) also take a 32-byte slot from a
 *    pool with a LIFO free list (the hottest slot is reused first) for
 *    their payload and handle. A handle is (generation << 32 | slot); the
 *    generation is odd while the slot is in use and even when free, so a
 *    stale handle is refused rather than misdirected.
 *
 *  - Queue entries are 24 bytes and carry the whole ordering key (time
 *    bits, then priority | sequence | type) as one 128-bit integer, so
 *    ordering never reads the pool. Three queues implement the same order
 *    (queue.h): a calendar queue with sorted windows (the default: O(1)
 *    and it knows its next events, so the loop prefetches for them), a
 *    radix heap (O(1) push, as fast on the benchmark), and a 4-ary heap
 *    (the reference). docs/ENGINE.md has the measurements.
 *
 *  - Cancellation is lazy. The slot remembers the key of its live entry;
 *    cancel frees the slot at once (O(1)), and a queue entry whose key no
 *    longer matches its slot is dropped when it surfaces. Reschedule gives
 *    the slot a fresh key and pushes a new entry, so the old one goes
 *    stale the same way. When stale entries outnumber live ones the queue
 *    is filtered in O(n), which bounds the memory to twice the live events.
 *
 *  - Software pipelining: after popping an event and before running its
 *    handler, the loop hands the users of upcoming events to their model's
 *    prefetch hook, so the model's memory loads overlap the current
 *    handler's work.
 */
#include "fission/engine.h"

#include "queue.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARITY 4
/* key = (priority + 128) << 56 | sequence << 16 | type: ordering by key is
 * ordering by priority then sequence (sequences are unique, so the type
 * bits never decide), and the type rides along for the prefetch hook. */
#define PRIO_SHIFT 56
#define SEQ_SHIFT 16
#define SEQ_MAX ((UINT64_C(1) << 40) - 1)
#define PRIO_MIN (-128)
#define PRIO_MAX 127
#define MAX_CAPACITY ((size_t)1 << 31)

typedef fsn_qentry_t qentry_t;

typedef struct slot {
    uint64_t key;     /* key of the live entry, 0 when free */
    double x;
    uint32_t gen;     /* odd: in use */
    uint32_t type;
    uint32_t a, b;
} slot_t;

typedef struct reg_type {
    const char *name;
    fsn_event_fn handle;
    fsn_prefetch_fn prefetch;
    unsigned stages;          /* bit s: call prefetch for stage s */
    const char *pf_base;      /* stage 0 by address: pf_base + a pf_stride */
    size_t pf_stride;
    const uint32_t *pf_start; /* stage 1 by address: the row pf_items + [start[a], start[a + 1]) */
    const char *pf_items;
    size_t pf_item;
    fsn_moot_fn moot;
    const uint16_t *mc_words; /* moot by code (fsn_engine_set_moot_code) */
    unsigned mc_shift;
    int64_t mc_offset;
    void *model;
    /* To 128 bytes: the run loop finds a type's record three times per
     * event, by a shift rather than a multiplication by 112. */
    char pad[128 - 14 * 8];
} reg_type_t;
_Static_assert(sizeof(reg_type_t) == 128 || sizeof(void *) != 8, "a type's record is 128 bytes");

struct fsn_engine {
    double now;
    uint64_t seq;
    uint64_t events_run;
    int stopping;

    fsn_queue_kind_t qkind;
    fsn_qheap_t heap;
    fsn_calq_t cal;
    fsn_radixq_t radix;
    uint64_t opened_seen;     /* calendar windows already prefetched into */
    int stage0;               /* some type takes stage 0 (by address or hook) */
    int stage2;               /* some type's hook takes stage 2 */
    size_t stale;

    slot_t *pool;
    size_t pool_len, pool_cap;
    uint32_t *free_slots;
    size_t free_len;

    reg_type_t *types;
    uint32_t n_types, types_cap;

    fsn_observer_fn observer;
    void *observer_ctx;
    /* The running fsn_engine_run's horizon, and whether one is running
     * (fsn_engine_take_posted takes events only then). */
    double horizon;
    int in_run;
    /* in_run, no stop requested, no observer, the calendar queue: the
     * run-wide half of fsn_engine_take_posted's test, kept up to date by
     * take_ok_update wherever one of them changes. */
    int take_ok;
};

static void take_ok_update(fsn_engine_t *eng) {
    eng->take_ok = eng->in_run && !eng->stopping && !eng->observer && eng->qkind == FSN_QUEUE_CALENDAR;
}

/* Is a queue entry still the live entry of its slot? */
#define NO_SLOT UINT32_MAX

static inline int is_live(const fsn_engine_t *eng, const fsn_qentry_t *e) {
    return e->slot == NO_SLOT || eng->pool[e->slot].key == e->key;
}

static int entry_live(const void *ctx, const fsn_qentry_t *e) {
    return is_live(ctx, e);
}

static inline fsn_err_t q_push(fsn_engine_t *eng, double t, uint64_t key, uint32_t slot, uint32_t a) {
    FSN_REQUIRE(t >= 0.0);
    /* The calendar queue takes the fields themselves (no entry on the
     * stack: see fsn_calq_push_fields). */
    if (__builtin_expect(eng->qkind == FSN_QUEUE_CALENDAR, 1))
        return fsn_calq_push_fields(&eng->cal, fsn_time_bits(t), key, slot, a);
    fsn_qentry_t e = {fsn_time_bits(t), key, slot, a};
    return eng->qkind == FSN_QUEUE_HEAP ? fsn_qheap_push(&eng->heap, &e) : fsn_radixq_push(&eng->radix, &e);
}

static inline size_t q_len(const fsn_engine_t *eng) {
    switch (eng->qkind) {
    case FSN_QUEUE_HEAP: return eng->heap.len;
    case FSN_QUEUE_RADIX: return fsn_radixq_size(&eng->radix);
    default: return fsn_calq_size(&eng->cal);
    }
}

/* Smallest entry, stale or not; NULL if empty. The queue's kind is a
 * parameter so that the run loop, specialised for the calendar queue,
 * does not test it per event. */
static inline __attribute__((always_inline)) const fsn_qentry_t *
q_top_k(fsn_engine_t *eng, fsn_err_t *rc, fsn_queue_kind_t kind) {
    switch (kind) {
    case FSN_QUEUE_HEAP: *rc = FSN_OK; return fsn_qheap_top(&eng->heap);
    case FSN_QUEUE_RADIX: return fsn_radixq_top(&eng->radix, rc);
    default: return fsn_calq_top(&eng->cal, rc);
    }
}

static inline __attribute__((always_inline)) void q_pop_k(fsn_engine_t *eng, fsn_queue_kind_t kind) {
    switch (kind) {
    case FSN_QUEUE_HEAP: fsn_qheap_pop(&eng->heap); break;
    case FSN_QUEUE_RADIX: fsn_radixq_pop(&eng->radix); break;
    default: fsn_calq_pop(&eng->cal); break;
    }
}

/* Drop stale entries: O(n). */
static void q_compact(fsn_engine_t *eng) {
    switch (eng->qkind) {
    case FSN_QUEUE_HEAP: fsn_qheap_filter(&eng->heap, entry_live, eng); break;
    case FSN_QUEUE_RADIX: fsn_radixq_filter(&eng->radix, entry_live, eng); break;
    default: fsn_calq_filter(&eng->cal, entry_live, eng); break;
    }
    eng->stale = 0;
}

static inline void note_stale(fsn_engine_t *eng) {
    eng->stale++;
    if (eng->stale > 1024 && eng->stale > q_len(eng) / 2) q_compact(eng);
}

fsn_engine_t *fsn_engine_new_queue(size_t capacity, fsn_queue_kind_t kind) {
    if (capacity < 64) capacity = 64;
    /* Slots are 32-bit indices and the pool stops growing at 2^31; a
     * larger capacity cannot be honoured (and its byte size can wrap). */
    if (capacity > MAX_CAPACITY) return NULL;
    if (kind != FSN_QUEUE_HEAP && kind != FSN_QUEUE_CALENDAR && kind != FSN_QUEUE_RADIX)
        return NULL;
    fsn_engine_t *eng = calloc(1, sizeof *eng);
    if (!eng) return NULL;
    eng->qkind = kind;
    fsn_err_t rc = kind == FSN_QUEUE_HEAP    ? fsn_qheap_init(&eng->heap, capacity)
                   : kind == FSN_QUEUE_RADIX ? fsn_radixq_init(&eng->radix, capacity)
                                             : fsn_calq_init(&eng->cal, capacity);
    eng->pool = malloc(capacity * sizeof *eng->pool);
    eng->free_slots = malloc(capacity * sizeof *eng->free_slots);
    if (rc || !eng->pool || !eng->free_slots) {
        fsn_engine_free(eng);
        return NULL;
    }
    eng->pool_cap = capacity;
    return eng;
}

fsn_engine_t *fsn_engine_new(size_t capacity) {
    return fsn_engine_new_queue(capacity, FSN_QUEUE_CALENDAR);
}

void fsn_engine_free(fsn_engine_t *eng) {
    if (!eng) return;
    fsn_qheap_destroy(&eng->heap);
    fsn_calq_destroy(&eng->cal);
    fsn_radixq_destroy(&eng->radix);
    free(eng->pool);
    free(eng->free_slots);
    free(eng->types);
    free(eng);
}

fsn_queue_kind_t fsn_engine_queue_kind(const fsn_engine_t *eng) { return eng->qkind; }

fsn_err_t fsn_engine_add_model(fsn_engine_t *eng, const fsn_model_type_t *type, void *model,
                               uint32_t *first_type) {
    FSN_REQUIRE(eng && type && (type->n_event_types == 0 || type->event_types));
    if (type->n_event_types > 65536 - eng->n_types) return FSN_ERANGE; /* no wrap */
    uint32_t need = eng->n_types + type->n_event_types;
    if (need > eng->types_cap) {
        uint32_t cap = eng->types_cap ? eng->types_cap : 8;
        while (cap < need) cap *= 2;
        reg_type_t *t = realloc(eng->types, cap * sizeof *t);
        if (!t) return FSN_ENOMEM;
        eng->types = t;
        eng->types_cap = cap;
    }
    if (first_type) *first_type = eng->n_types;
    for (uint32_t i = 0; i < type->n_event_types; i++) {
        FSN_REQUIRE(type->event_types[i].handle);
        reg_type_t *r = &eng->types[eng->n_types++];
        r->name = type->event_types[i].name;
        r->handle = type->event_types[i].handle;
        r->prefetch = type->event_types[i].prefetch;
        r->stages = r->prefetch ? 7u : 0u;
        r->pf_base = NULL;
        r->pf_stride = 0;
        r->pf_start = NULL;
        r->pf_items = NULL;
        r->pf_item = 0;
        if (r->prefetch) eng->stage0 = eng->stage2 = 1;
        r->moot = NULL;
        r->mc_words = NULL;
        r->mc_shift = 0;
        r->mc_offset = 0;
        r->model = model;
    }
    return FSN_OK;
}

void fsn_engine_reset(fsn_engine_t *eng) {
    FSN_REQUIRE(eng);
    /* Generations survive the reset (handles from before stay stale);
     * every slot goes back to the free list. */
    eng->free_len = 0;
    for (size_t i = eng->pool_len; i-- > 0;) {
        slot_t *s = &eng->pool[i];
        if (s->gen & 1u) s->gen++;
        s->key = 0;
        eng->free_slots[eng->free_len++] = (uint32_t)i;
    }
    switch (eng->qkind) {
    case FSN_QUEUE_HEAP: eng->heap.len = 0; break;
    case FSN_QUEUE_RADIX: fsn_radixq_clear(&eng->radix); break;
    default: fsn_calq_clear(&eng->cal); break;
    }
    eng->stale = 0;
    eng->now = 0.0;
    eng->seq = 0;
    eng->events_run = 0;
    eng->stopping = 0;
    take_ok_update(eng);
}

static fsn_err_t slot_alloc(fsn_engine_t *eng, uint32_t *out) {
    if (eng->free_len > 0) {
        *out = eng->free_slots[--eng->free_len];
        return FSN_OK;
    }
    if (eng->pool_len == eng->pool_cap) {
        if (eng->pool_cap >= UINT32_MAX / 2) return FSN_ERANGE;
        size_t cap = eng->pool_cap * 2;
        slot_t *p = realloc(eng->pool, cap * sizeof *p);
        if (!p) return FSN_ENOMEM;
        eng->pool = p;
        uint32_t *f = realloc(eng->free_slots, cap * sizeof *f);
        if (!f) return FSN_ENOMEM;
        eng->free_slots = f;
        eng->pool_cap = cap;
    }
    eng->pool[eng->pool_len].gen = 0;
    *out = (uint32_t)eng->pool_len++;
    return FSN_OK;
}

static inline void slot_free(fsn_engine_t *eng, uint32_t i) {
    slot_t *s = &eng->pool[i];
    s->key = 0;
    s->gen++;
    eng->free_slots[eng->free_len++] = i;
}

/* Finite and not before now: two comparisons (NaN fails both). */
static inline int time_ok(const fsn_engine_t *eng, double t) {
    return t >= eng->now && t <= DBL_MAX;
}

static inline uint64_t next_key(fsn_engine_t *eng, int32_t priority, uint32_t type) {
    return ((uint64_t)(priority - PRIO_MIN) << PRIO_SHIFT) | (++eng->seq << SEQ_SHIFT) | type;
}

static inline int32_t key_priority(uint64_t key) { return (int32_t)(key >> PRIO_SHIFT) + PRIO_MIN; }
static inline uint64_t key_seq(uint64_t key) { return (key >> SEQ_SHIFT) & SEQ_MAX; }
static inline uint32_t key_type(uint64_t key) { return (uint32_t)(key & 0xffff); }

fsn_err_t fsn_engine_schedule(fsn_engine_t *eng, double time, int32_t priority, uint32_t type,
                              uint32_t a, uint32_t b, double x, fsn_handle_t *out) {
    FSN_REQUIRE(eng && type < eng->n_types);
    if (!time_ok(eng, time) || priority < PRIO_MIN || priority > PRIO_MAX) return FSN_EINVAL;
    if (eng->seq >= SEQ_MAX) return FSN_ERANGE;
    uint32_t i;
    fsn_err_t rc = slot_alloc(eng, &i);
    if (rc) return rc;
    slot_t *s = &eng->pool[i];
    s->key = next_key(eng, priority, type);
    s->gen++;
    s->type = type;
    s->a = a;
    s->b = b;
    s->x = x;
    rc = q_push(eng, time, s->key, i, a);
    if (rc) {
        slot_free(eng, i);
        return rc;
    }
    if (out) *out = ((uint64_t)s->gen << 32) | i;
    return FSN_OK;
}

fsn_err_t fsn_engine_post(fsn_engine_t *eng, double time, int32_t priority, uint32_t type,
                          uint32_t a) {
    FSN_REQUIRE(eng && type < eng->n_types);
    if (!time_ok(eng, time) || priority < PRIO_MIN || priority > PRIO_MAX) return FSN_EINVAL;
    if (eng->seq >= SEQ_MAX) return FSN_ERANGE;
    return q_push(eng, time, next_key(eng, priority, type), NO_SLOT, a);
}

fsn_err_t fsn_engine_post_n(fsn_engine_t *eng, int32_t priority, uint32_t type, size_t n,
                            const double *time, const uint32_t *a) {
    FSN_REQUIRE(eng && type < eng->n_types && (n == 0 || (time && a)));
    if (priority < PRIO_MIN || priority > PRIO_MAX) return FSN_EINVAL;
    /* The sequence numbers running out or another queue take the
     * one-at-a-time path, which stops where the calls would, with their
     * error; the calendar queue checks each time as it goes (a bad one
     * stops it there, FSN_EINVAL, as the calls would). */
    if (eng->qkind != FSN_QUEUE_CALENDAR || n > SEQ_MAX - eng->seq) {
        for (size_t i = 0; i < n; i++) {
            fsn_err_t rc = fsn_engine_post(eng, time[i], priority, type, a[i]);
            if (rc) return rc;
        }
        return FSN_OK;
    }
    if (n == 0) return FSN_OK;
    const uint64_t seq0 = eng->seq;
    const uint64_t key = next_key(eng, priority, type);
    size_t done = 0;
    const fsn_err_t rc = fsn_calq_push_n(&eng->cal, n, time, a, key, UINT64_C(1) << SEQ_SHIFT, eng->now, &done);
    /* As the calls would have left it: one number per event tried. */
    eng->seq = seq0 + done + (rc != FSN_OK);
    return rc;
}

static slot_t *slot_of(const fsn_engine_t *eng, fsn_handle_t h) {
    uint32_t i = (uint32_t)h, gen = (uint32_t)(h >> 32);
    if (i >= eng->pool_len) return NULL;
    slot_t *s = &eng->pool[i];
    if (s->gen != gen || !(gen & 1u)) return NULL;
    return s;
}

int fsn_engine_pending(const fsn_engine_t *eng, fsn_handle_t h) {
    FSN_REQUIRE(eng);
    return slot_of(eng, h) != NULL;
}

fsn_err_t fsn_engine_cancel(fsn_engine_t *eng, fsn_handle_t h) {
    FSN_REQUIRE(eng);
    if (!slot_of(eng, h)) return FSN_ESTATE;
    slot_free(eng, (uint32_t)h);
    note_stale(eng);
    return FSN_OK;
}

fsn_err_t fsn_engine_reschedule(fsn_engine_t *eng, fsn_handle_t h, double time) {
    FSN_REQUIRE(eng);
    slot_t *s = slot_of(eng, h);
    if (!s) return FSN_ESTATE;
    if (!time_ok(eng, time)) return FSN_EINVAL;
    if (eng->seq >= SEQ_MAX) return FSN_ERANGE;
    uint64_t old = s->key;
    s->key = next_key(eng, key_priority(old), s->type);
    fsn_err_t rc = q_push(eng, time, s->key, (uint32_t)h, s->a);
    if (rc) {
        s->key = old;
        return rc;
    }
    note_stale(eng);
    return FSN_OK;
}

/* The next live entry, dropping stale ones; NULL if none. With no stale
 * entry queued (no cancel or reschedule pending) the top is live by
 * construction and its slot is not read. */
static inline __attribute__((always_inline)) const qentry_t *
live_top_k(fsn_engine_t *eng, fsn_err_t *rc, fsn_queue_kind_t kind) {
    for (;;) {
        const qentry_t *e = q_top_k(eng, rc, kind);
        if (!e || eng->stale == 0 || is_live(eng, e)) return e;
        q_pop_k(eng, kind);
        eng->stale--;
    }
}

static inline const qentry_t *live_top(fsn_engine_t *eng, fsn_err_t *rc) {
    return live_top_k(eng, rc, eng->qkind);
}

double fsn_engine_next_time(fsn_engine_t *eng) {
    FSN_REQUIRE(eng);
    fsn_err_t rc;
    const qentry_t *e = live_top(eng, &rc);
    return e ? fsn_bits_time(e->tbits) : INFINITY;
}

/* How far ahead of the running event the two prefetch stages look (in
 * events of the calendar queue's sorted window). */
#define AHEAD_FAR 8
#define AHEAD_NEAR 3

static inline void prefetch_entry(const fsn_engine_t *eng, const qentry_t *e, int stage) {
    const reg_type_t *t = &eng->types[key_type(e->key)];
    if ((t->stages >> stage) & 1u) t->prefetch(t->model, e->a, stage);
}

/* Stage 0: by address when the type gave one (no call), else the hook. */
static inline void prefetch_entry0(const fsn_engine_t *eng, const qentry_t *e) {
    const reg_type_t *t = &eng->types[key_type(e->key)];
    if (t->pf_base) __builtin_prefetch(t->pf_base + (size_t)e->a * t->pf_stride);
    else if (t->stages & 1u) t->prefetch(t->model, e->a, 0);
}

/* Stage 1: by address when the type gave a row (no call: the first and
 * last lines of the row; an empty row at the start of the items fetches
 * their first line, which is harmless), else the hook. */
static inline void prefetch_entry1(const fsn_engine_t *eng, const qentry_t *e) {
    const reg_type_t *t = &eng->types[key_type(e->key)];
    if (t->pf_start) {
        const uint32_t lo = t->pf_start[e->a], hi = t->pf_start[e->a + 1];
        const size_t end = (size_t)hi * t->pf_item;
        __builtin_prefetch(t->pf_items + (size_t)lo * t->pf_item);
        __builtin_prefetch(t->pf_items + (end - (end != 0)));
    } else if (t->stages & 2u) {
        t->prefetch(t->model, e->a, 1);
    }
}

/* The calendar queue's prefetching for the events after the one about to
 * run, the open window's run being bot[0..next] in descending order (the
 * next event last, k ahead k before it, clamped to the first): stage 0
 * AHEAD_FAR ahead (when some type takes it), stage 1 (and the pool slot)
 * AHEAD_NEAR ahead, stage 2 for the next event when stage2 says so. */
static inline __attribute__((always_inline)) void prefetch_ahead(const fsn_engine_t *eng, const qentry_t *bot,
                                                                 size_t next, int stage2) {
    if (eng->stage0) prefetch_entry0(eng, &bot[next > AHEAD_FAR ? next - AHEAD_FAR : 0]);
    const qentry_t *const near = &bot[next > AHEAD_NEAR ? next - AHEAD_NEAR : 0];
    if (near->slot != NO_SLOT) __builtin_prefetch(&eng->pool[near->slot], 1);
    prefetch_entry1(eng, near);
    if (stage2) prefetch_entry(eng, &bot[next], 2);
}

/* Pop and run the top event, known to be live, on a queue of the given
 * kind (a constant where the run loop is specialised). */
static inline __attribute__((always_inline)) fsn_err_t run_top_k(fsn_engine_t *eng, const qentry_t *top,
                                                                 fsn_queue_kind_t kind) {
    fsn_event_t ev;
    uint32_t i = top->slot;
    ev.time = fsn_bits_time(top->tbits);
    ev.priority = key_priority(top->key);
    ev.seq = key_seq(top->key);
    ev.type = key_type(top->key);
    ev.a = top->a;
    if (i != NO_SLOT) {
        const slot_t *s = &eng->pool[i];
        ev.b = s->b;
        ev.x = s->x;
        ev.handle = ((uint64_t)s->gen << 32) | i;
        q_pop_k(eng, kind);
        slot_free(eng, i);
    } else {
        ev.b = 0;
        ev.x = 0;
        ev.handle = FSN_HANDLE_NONE;
        q_pop_k(eng, kind);
    }

    eng->now = ev.time;
    eng->events_run++;
    /* Software pipelining: while this event's handler waits on memory,
     * the data of the events after it loads. The calendar queue knows
     * its next events in order: stage 0 (far ahead) lets the model fetch
     * what needs no other data, stage 1 (near) what depends on stage 0,
     * stage 2 (the next event) what depends on stage 1. The heaps know
     * only their top, which gets stage 0. */
    if (kind == FSN_QUEUE_CALENDAR) {
        int fresh = 0;
        if (eng->cal.opened != eng->opened_seen) {
            fresh = 1;
            /* A window just opened: nobody has looked ahead into it yet. */
            eng->opened_seen = eng->cal.opened;
            for (size_t k = 0; eng->stage0 && k < AHEAD_FAR; k++) {
                const qentry_t *e = fsn_calq_ahead(&eng->cal, k);
                if (!e) break;
                prefetch_entry0(eng, e);
            }
            /* The next few will not pass the near distance any more:
             * give them stage 1 now. Its loads wait on stage 0's, but
             * those are in flight together, where the handlers would
             * have waited on them one after another. */
            for (size_t k = 0; k < AHEAD_NEAR; k++) {
                const qentry_t *e = fsn_calq_ahead(&eng->cal, k);
                if (!e) break;
                prefetch_entry1(eng, e);
            }
        }
        /* Near the end of the window's run there is no entry 8 (or 3)
         * ahead: the last one is named again (its data is already on
         * its way, so the call costs a few instructions) rather than
         * skipped, since whether an entry is there is a coin toss to
         * the branch predictor (0.4 mispredictions per event saved). */
        /* Stage 2 for the very next event, whose stage 1 data (fetched
         * AHEAD_NEAR events ago) is in cache by now; not when the window
         * has just opened, as its stage 1 was only now requested. */
        const size_t len = eng->cal.bot_len;
        if (len) prefetch_ahead(eng, eng->cal.bot, len - 1, !fresh && eng->stage2);
    } else {
        /* The heap and the radix heap know only their top: peek at it
         * (peeking is part of the next pop anyway) and fetch stage 0;
         * stage 1 would wait on stage 0's data right here. */
        fsn_err_t prc;
        const qentry_t *nx = q_top_k(eng, &prc, kind);
        if (nx) prefetch_entry0(eng, nx);
    }
    const reg_type_t *rt = &eng->types[ev.type];
    fsn_err_t rc = rt->handle(eng, rt->model, &ev);
    if (eng->observer) eng->observer(eng->observer_ctx, &ev, rt->name);
    return rc;
}

static inline fsn_err_t run_top(fsn_engine_t *eng, const qentry_t *top) {
    return run_top_k(eng, top, eng->qkind);
}

/* A handler takes the next event itself (see engine.h): the run loop's
 * common case, the last entry of the open window's sorted run with no
 * late arrival and no stale entry before it (exactly the entry the loop
 * would run next), if it is a posted event of the caller's type within
 * the horizon, and nothing else must see each event (no observer, no
 * stop, a running fsn_engine_run). Popped and prefetched for as
 * run_top_k does on the calendar queue. */
int fsn_engine_take_posted(fsn_engine_t *eng, uint32_t type, double before, double *time, uint32_t *a) {
    FSN_REQUIRE(eng && time && a);
    fsn_calq_t *const q = &eng->cal;
    const size_t len = q->bot_len;
    if (len == 0 || !eng->take_ok || q->late.len || eng->stale) return 0;
    const qentry_t *const bot = q->bot;
    const size_t last = len - 1;
    const qentry_t *const top = &bot[last];
    const double t = fsn_bits_time(top->tbits);
    if (top->slot != NO_SLOT || key_type(top->key) != type || t > eng->horizon || !(t < before)) return 0;
    *time = t;
    *a = top->a;
    q->bot_len = last;
    eng->now = t;
    eng->events_run++;
    if (last) prefetch_ahead(eng, bot, last - 1, eng->stage2); /* the next is now bot[last - 1] */
    return 1;
}

fsn_err_t fsn_engine_run(fsn_engine_t *eng, double horizon) {
    FSN_REQUIRE(eng);
    if (isnan(horizon)) return FSN_EINVAL;
    eng->stopping = 0;
    /* A handler may run fsn_engine_run itself (a nested run): the outer
     * run's horizon and state come back when it returns. */
    const double outer_horizon = eng->horizon;
    const int outer_in_run = eng->in_run;
    eng->horizon = horizon;
    eng->in_run = 1;
    take_ok_update(eng);
    const qentry_t *top;
    fsn_err_t rc = FSN_OK;
    if (eng->qkind == FSN_QUEUE_CALENDAR) {
        /* The default queue, with its kind a constant in the loop. */
        while ((top = live_top_k(eng, &rc, FSN_QUEUE_CALENDAR)) != NULL) {
            if (fsn_bits_time(top->tbits) > horizon) break;
            rc = run_top_k(eng, top, FSN_QUEUE_CALENDAR);
            if (rc || eng->stopping) break;
        }
    } else {
        while ((top = live_top(eng, &rc)) != NULL) {
            if (fsn_bits_time(top->tbits) > horizon) break;
            rc = run_top(eng, top);
            if (rc || eng->stopping) break;
        }
    }
    const int stopped = eng->stopping;
    eng->horizon = outer_horizon;
    eng->in_run = outer_in_run;
    take_ok_update(eng);
    if (rc || stopped) return rc;
    if (horizon > eng->now && isfinite(horizon)) eng->now = horizon;
    return FSN_OK;
}

int fsn_engine_step(fsn_engine_t *eng, double horizon, fsn_err_t *rc) {
    FSN_REQUIRE(eng);
    fsn_err_t r = FSN_OK;
    if (isnan(horizon)) {
        if (rc) *rc = FSN_EINVAL;
        return -(int)FSN_EINVAL;
    }
    const qentry_t *top = live_top(eng, &r);
    if (r) {
        if (rc) *rc = r;
        return -(int)r;
    }
    if (!top || fsn_bits_time(top->tbits) > horizon) return 0;
    r = run_top(eng, top);
    if (rc) *rc = r;
    return r ? -(int)r : 1;
}

void fsn_engine_stop(fsn_engine_t *eng) {
    eng->stopping = 1;
    take_ok_update(eng);
}

double fsn_engine_now(const fsn_engine_t *eng) { return eng->now; }

size_t fsn_engine_size(const fsn_engine_t *eng) { return q_len(eng) - eng->stale; }

uint64_t fsn_engine_events_run(const fsn_engine_t *eng) { return eng->events_run; }

/* The calendar queue's moot hook: a posted event whose type has a moot
 * test (a function or a code) that says so. Slot events are never
 * dropped here (their slots and the stale count are the engine's). */
static int entry_moot(const void *ctx, const fsn_qentry_t *e) {
    const fsn_engine_t *eng = ctx;
    if (e->slot != NO_SLOT) return 0;
    const reg_type_t *t = &eng->types[key_type(e->key)];
    if (t->mc_words) return t->mc_words[e->a] < fsn_moot_threshold(e->tbits, t->mc_shift, t->mc_offset);
    return t->moot && t->moot(t->model, e->a, fsn_bits_time(e->tbits));
}

/* Hand the calendar queue its moot tests: one type with a test (the
 * usual case) is called directly, or run inline when it is a code;
 * several go through entry_moot. */
static void moot_update(fsn_engine_t *eng) {
    uint32_t n = 0, one = 0;
    for (uint32_t i = 0; i < eng->n_types; i++)
        if (eng->types[i].moot || eng->types[i].mc_words) {
            n++;
            one = i;
        }
    fsn_calq_t *q = &eng->cal;
    const reg_type_t *t = &eng->types[one];
    q->moot1 = n == 1 && !t->mc_words ? t->moot : NULL;
    q->moot1_ctx = n == 1 && !t->mc_words ? t->model : NULL;
    q->mc_words = n == 1 ? t->mc_words : NULL;
    q->mc_shift = n == 1 ? t->mc_shift : 0;
    q->mc_offset = n == 1 ? t->mc_offset : 0;
    q->moot1_mask = 0xffff;
    q->moot1_val = one;
    q->moot = n > 1 ? entry_moot : NULL;
    q->moot_ctx = eng;
}

fsn_err_t fsn_engine_set_moot(fsn_engine_t *eng, uint32_t type, fsn_moot_fn fn) {
    FSN_REQUIRE(eng);
    if (type >= eng->n_types) return FSN_EINVAL;
    eng->types[type].moot = fn;
    eng->types[type].mc_words = NULL;
    moot_update(eng);
    return FSN_OK;
}

fsn_err_t fsn_engine_set_moot_code(fsn_engine_t *eng, uint32_t type, const uint16_t *words,
                                   unsigned shift, int64_t offset) {
    FSN_REQUIRE(eng);
    if (type >= eng->n_types || shift >= 64) return FSN_EINVAL;
    eng->types[type].moot = NULL;
    eng->types[type].mc_words = words;
    eng->types[type].mc_shift = shift;
    eng->types[type].mc_offset = offset;
    moot_update(eng);
    return FSN_OK;
}

fsn_err_t fsn_engine_set_moot_zero(fsn_engine_t *eng, uint32_t type, const uint16_t *words) {
    FSN_REQUIRE(eng && words);
    if (type >= eng->n_types) return FSN_EINVAL;
    eng->types[type].moot = NULL;
    eng->types[type].mc_words = words;
    eng->types[type].mc_shift = FSN_MOOT_ZERO;
    eng->types[type].mc_offset = 0;
    moot_update(eng);
    return FSN_OK;
}

/* Whether any type takes stage 0 (by address or by its hook) and stage
 * 2: the run loop skips a stage no type takes. */
static void stages_update(fsn_engine_t *eng) {
    eng->stage0 = eng->stage2 = 0;
    for (uint32_t i = 0; i < eng->n_types; i++) {
        if (eng->types[i].pf_base || (eng->types[i].stages & 1u)) eng->stage0 = 1;
        if (eng->types[i].stages & 4u) eng->stage2 = 1;
    }
}

fsn_err_t fsn_engine_set_prefetch_stages(fsn_engine_t *eng, uint32_t type, unsigned stages) {
    FSN_REQUIRE(eng);
    if (type >= eng->n_types || stages > 7u) return FSN_EINVAL;
    eng->types[type].stages = eng->types[type].prefetch ? stages : 0u;
    stages_update(eng);
    return FSN_OK;
}

fsn_err_t fsn_engine_set_prefetch_array(fsn_engine_t *eng, uint32_t type, const void *base,
                                        size_t stride) {
    FSN_REQUIRE(eng);
    if (type >= eng->n_types) return FSN_EINVAL;
    eng->types[type].pf_base = base;
    eng->types[type].pf_stride = base ? stride : 0;
    stages_update(eng);
    return FSN_OK;
}

fsn_err_t fsn_engine_set_prefetch_rows(fsn_engine_t *eng, uint32_t type, const uint32_t *start,
                                       const void *items, size_t item_size) {
    FSN_REQUIRE(eng && (!start || items));
    if (type >= eng->n_types) return FSN_EINVAL;
    eng->types[type].pf_start = start;
    eng->types[type].pf_items = start ? items : NULL;
    eng->types[type].pf_item = start ? item_size : 0;
    return FSN_OK;
}

void fsn_engine_set_observer(fsn_engine_t *eng, fsn_observer_fn fn, void *ctx) {
    eng->observer = fn;
    take_ok_update(eng);
    eng->observer_ctx = ctx;
}

void fsn_engine_queue_stats(const fsn_engine_t *eng, fsn_queue_stats_t *st) {
    FSN_REQUIRE(eng && st);
    st->rebuilds = eng->qkind == FSN_QUEUE_CALENDAR ? eng->cal.rebuilds : 0;
    st->rebucketed = eng->qkind == FSN_QUEUE_CALENDAR ? eng->cal.rebucketed : 0;
}

const char *fsn_engine_type_name(const fsn_engine_t *eng, uint32_t type) {
    return type < eng->n_types ? eng->types[type].name : "?";
}
