/*
 * engine.c: clock, event pool and queue, run loop.
 *
 * The workload is a cascade: millions of short-lived events, most of them
 * scheduled at random future times, some cancelled (a group buy that
 * fills cancels its deadline), very few tied on time except in scheduled
 * campaigns (launches at t = 0, daily ticks). The structure follows:
 *
 *  - A pool of 32-byte slots holds each event's payload, handed out from
 *    a LIFO free list so the hottest slots stay in cache. A handle is
 *    (generation << 32 | slot); the generation is odd while the slot is in
 *    use and even when free, so a stale handle never matches.
 *
 *  - The queue is a 4-ary implicit heap of 24-byte entries carrying the
 *    whole ordering key: time, then (priority + 32768) << 48 | sequence.
 *    Comparisons never leave the heap array, and the four children of a
 *    node are contiguous (96 bytes), one or two cache lines. A 4-ary heap
 *    halves the depth of a binary heap for one extra compare per level;
 *    bench/bench_queue measures the arities and docs/ENGINE.md has the
 *    numbers.
 *
 *  - Cancellation is lazy. The slot remembers the key of its live entry;
 *    cancel frees the slot at once (O(1)), and a queue entry whose key no
 *    longer matches its slot is dropped when it surfaces. Reschedule gives
 *    the slot a fresh key and pushes a new entry, so the old one goes
 *    stale the same way. When stale entries outnumber live ones the heap
 *    is filtered and rebuilt in O(n), which bounds the memory to twice
 *    the live events.
 */
#include "fission/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARITY 4
#define PRIO_SHIFT 48
#define SEQ_MASK ((UINT64_C(1) << PRIO_SHIFT) - 1)

typedef struct qentry {
    double t;
    uint64_t key;     /* (priority + 32768) << 48 | sequence; 0 never used */
    uint32_t slot;
    uint32_t pad;
} qentry_t;

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
    void *model;
} reg_type_t;

struct fsn_engine {
    double now;
    uint64_t seq;
    uint64_t events_run;
    int stopping;

    qentry_t *heap;
    size_t heap_len, heap_cap;
    size_t stale;

    slot_t *pool;
    size_t pool_len, pool_cap;
    uint32_t *free_slots;
    size_t free_len;

    reg_type_t *types;
    uint32_t n_types, types_cap;

    fsn_observer_fn observer;
    void *observer_ctx;
};

static inline int entry_less(const qentry_t *x, const qentry_t *y) {
    return x->t < y->t || (x->t == y->t && x->key < y->key);
}

static void sift_up(qentry_t *h, size_t i) {
    qentry_t e = h[i];
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (!entry_less(&e, &h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static void sift_down(qentry_t *h, size_t n, size_t i) {
    qentry_t e = h[i];
    for (;;) {
        size_t c = i * ARITY + 1;
        if (c >= n) break;
        size_t best = c;
        size_t end = c + ARITY < n ? c + ARITY : n;
        for (size_t j = c + 1; j < end; j++)
            if (entry_less(&h[j], &h[best])) best = j;
        if (!entry_less(&h[best], &e)) break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

static void heap_pop(fsn_engine_t *eng) {
    qentry_t *h = eng->heap;
    size_t n = --eng->heap_len;
    if (n > 0) {
        h[0] = h[n];
        sift_down(h, n, 0);
    }
}

static fsn_err_t heap_push(fsn_engine_t *eng, double t, uint64_t key, uint32_t slot) {
    if (eng->heap_len == eng->heap_cap) {
        size_t cap = eng->heap_cap * 2;
        qentry_t *h = realloc(eng->heap, cap * sizeof *h);
        if (!h) return FSN_ENOMEM;
        eng->heap = h;
        eng->heap_cap = cap;
    }
    qentry_t *e = &eng->heap[eng->heap_len];
    e->t = t;
    e->key = key;
    e->slot = slot;
    e->pad = 0;
    sift_up(eng->heap, eng->heap_len++);
    return FSN_OK;
}

/* Drop stale entries and rebuild the heap bottom-up: O(n). */
static void heap_compact(fsn_engine_t *eng) {
    size_t w = 0;
    for (size_t i = 0; i < eng->heap_len; i++) {
        const qentry_t *e = &eng->heap[i];
        if (eng->pool[e->slot].key == e->key) eng->heap[w++] = *e;
    }
    eng->heap_len = w;
    eng->stale = 0;
    if (w > 1)
        for (size_t i = (w - 2) / ARITY + 1; i-- > 0;) sift_down(eng->heap, w, i);
}

static inline void note_stale(fsn_engine_t *eng) {
    eng->stale++;
    if (eng->stale > 1024 && eng->stale > eng->heap_len / 2) heap_compact(eng);
}

fsn_engine_t *fsn_engine_new(size_t capacity) {
    if (capacity < 64) capacity = 64;
    fsn_engine_t *eng = calloc(1, sizeof *eng);
    if (!eng) return NULL;
    eng->heap = malloc(capacity * sizeof *eng->heap);
    eng->pool = malloc(capacity * sizeof *eng->pool);
    eng->free_slots = malloc(capacity * sizeof *eng->free_slots);
    if (!eng->heap || !eng->pool || !eng->free_slots) {
        fsn_engine_free(eng);
        return NULL;
    }
    eng->heap_cap = capacity;
    eng->pool_cap = capacity;
    return eng;
}

void fsn_engine_free(fsn_engine_t *eng) {
    if (!eng) return;
    free(eng->heap);
    free(eng->pool);
    free(eng->free_slots);
    free(eng->types);
    free(eng);
}

fsn_err_t fsn_engine_add_model(fsn_engine_t *eng, const fsn_model_type_t *type, void *model,
                               uint32_t *first_type) {
    FSN_REQUIRE(eng && type && (type->n_event_types == 0 || type->event_types));
    uint32_t need = eng->n_types + type->n_event_types;
    if (need > 65536) return FSN_ERANGE;
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
    eng->heap_len = 0;
    eng->stale = 0;
    eng->now = 0.0;
    eng->seq = 0;
    eng->events_run = 0;
    eng->stopping = 0;
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

static inline int time_ok(const fsn_engine_t *eng, double t) {
    return isfinite(t) && t >= eng->now;
}

static inline uint64_t next_key(fsn_engine_t *eng, int32_t priority) {
    return ((uint64_t)(priority + 32768) << PRIO_SHIFT) | (++eng->seq & SEQ_MASK);
}

fsn_err_t fsn_engine_schedule(fsn_engine_t *eng, double time, int32_t priority, uint32_t type,
                              uint32_t a, uint32_t b, double x, fsn_handle_t *out) {
    FSN_REQUIRE(eng && type < eng->n_types);
    if (!time_ok(eng, time) || priority < -32768 || priority > 32767) return FSN_EINVAL;
    if (eng->seq >= SEQ_MASK) return FSN_ERANGE;
    uint32_t i;
    fsn_err_t rc = slot_alloc(eng, &i);
    if (rc) return rc;
    slot_t *s = &eng->pool[i];
    s->key = next_key(eng, priority);
    s->gen++;
    s->type = type;
    s->a = a;
    s->b = b;
    s->x = x;
    rc = heap_push(eng, time, s->key, i);
    if (rc) {
        slot_free(eng, i);
        return rc;
    }
    if (out) *out = ((uint64_t)s->gen << 32) | i;
    return FSN_OK;
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
    if (eng->seq >= SEQ_MASK) return FSN_ERANGE;
    int32_t priority = (int32_t)(s->key >> PRIO_SHIFT) - 32768;
    uint64_t old = s->key;
    s->key = next_key(eng, priority);
    fsn_err_t rc = heap_push(eng, time, s->key, (uint32_t)h);
    if (rc) {
        s->key = old;
        return rc;
    }
    note_stale(eng);
    return FSN_OK;
}

/* Drop stale entries at the top; returns the live top or NULL. */
static inline const qentry_t *live_top(fsn_engine_t *eng) {
    while (eng->heap_len > 0) {
        const qentry_t *e = &eng->heap[0];
        if (eng->pool[e->slot].key == e->key) return e;
        heap_pop(eng);
        eng->stale--;
    }
    return NULL;
}

double fsn_engine_next_time(fsn_engine_t *eng) {
    FSN_REQUIRE(eng);
    const qentry_t *e = live_top(eng);
    return e ? e->t : INFINITY;
}

/* Pop and run the top event, known to be live. */
static inline fsn_err_t run_top(fsn_engine_t *eng, const qentry_t *top) {
    fsn_event_t ev;
    uint32_t i = top->slot;
    slot_t *s = &eng->pool[i];
    ev.time = top->t;
    ev.priority = (int32_t)(top->key >> PRIO_SHIFT) - 32768;
    ev.seq = top->key & SEQ_MASK;
    ev.type = s->type;
    ev.a = s->a;
    ev.b = s->b;
    ev.x = s->x;
    ev.handle = ((uint64_t)s->gen << 32) | i;
    heap_pop(eng);
    slot_free(eng, i);
    eng->now = ev.time;
    eng->events_run++;
    const reg_type_t *rt = &eng->types[ev.type];
    fsn_err_t rc = rt->handle(eng, rt->model, &ev);
    if (eng->observer) eng->observer(eng->observer_ctx, &ev, rt->name);
    return rc;
}

fsn_err_t fsn_engine_run(fsn_engine_t *eng, double horizon) {
    FSN_REQUIRE(eng);
    eng->stopping = 0;
    const qentry_t *top;
    while ((top = live_top(eng)) != NULL) {
        if (top->t > horizon) break;
        fsn_err_t rc = run_top(eng, top);
        if (rc) return rc;
        if (eng->stopping) return FSN_OK;
    }
    if (horizon > eng->now && isfinite(horizon)) eng->now = horizon;
    return FSN_OK;
}

int fsn_engine_step(fsn_engine_t *eng, double horizon, fsn_err_t *rc) {
    FSN_REQUIRE(eng);
    const qentry_t *top = live_top(eng);
    if (!top || top->t > horizon) return 0;
    fsn_err_t r = run_top(eng, top);
    if (rc) *rc = r;
    return r ? -(int)r : 1;
}

void fsn_engine_stop(fsn_engine_t *eng) { eng->stopping = 1; }

double fsn_engine_now(const fsn_engine_t *eng) { return eng->now; }

size_t fsn_engine_size(const fsn_engine_t *eng) { return eng->heap_len - eng->stale; }

uint64_t fsn_engine_events_run(const fsn_engine_t *eng) { return eng->events_run; }

void fsn_engine_set_observer(fsn_engine_t *eng, fsn_observer_fn fn, void *ctx) {
    eng->observer = fn;
    eng->observer_ctx = ctx;
}

const char *fsn_engine_type_name(const fsn_engine_t *eng, uint32_t type) {
    return type < eng->n_types ? eng->types[type].name : "?";
}
