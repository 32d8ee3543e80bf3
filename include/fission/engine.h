/*
 * engine.h: the discrete-event engine, the whole API.
 *
 * The engine holds a clock and a queue of future events and knows nothing
 * of graphs or campaigns. A model plugs in as a table of typed callbacks
 * (fsn_model_type_t, after ROSS's tw_lptype): the engine assigns each of
 * the model's event types an engine-wide id at registration and dispatches
 * a popped event to that type's handler with the model's own state.
 * It never switches on a model's kind.
 *
 * Order. Events run by time, then by priority (smaller first), then by
 * insertion sequence (earlier scheduled first), so a run is a pure
 * function of what was scheduled: ties never depend on memory layout.
 * The clock never goes back: scheduling before now is refused.
 *
 * Handles. fsn_engine_schedule returns a handle (slot and generation)
 * that stays valid until the event fires or is cancelled; a stale handle
 * is detected, never misdirected. Cancel is O(1) (lazy: the queue entry
 * is skipped when it surfaces); reschedule is O(log n) and gives the event
 * a fresh insertion sequence, exactly as if it had been cancelled and
 * scheduled again, but keeps the handle.
 *
 * Memory. Light events (fsn_engine_post) live in the queue alone; full
 * events also take a slot of a pool. Queue entries are 24 bytes and
 * carry the whole ordering key, so ordering never reads the pool. The
 * queue is a calendar queue with sorted windows by default (O(1)
 * expected, and the next events are known, so their data is prefetched);
 * a radix heap and a 4-ary heap are there to choose
 * (fsn_engine_new_queue) and give identical runs. Everything grows
 * geometrically and is reused, so a run in steady state allocates
 * nothing per event. docs/ENGINE.md records the measurements behind the
 * choice of queue.
 *
 * Runs of events. A handler may take the events due after its own itself
 * (fsn_engine_take_posted), in the run loop's exact order, and may hold
 * back what it would post meanwhile and post it in one call
 * (fsn_engine_post_n): a cascade model then handles a window of its
 * events in one call with its state in registers.
 *
 * Limits: priorities in [-128, 127]; 65536 event types; 2^40 schedules
 * per run (a reset starts the count again).
 */
#ifndef FISSION_ENGINE_H
#define FISSION_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "fission/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fsn_engine fsn_engine_t;

/* 0 is never a valid handle. */
typedef uint64_t fsn_handle_t;
#define FSN_HANDLE_NONE ((fsn_handle_t)0)

/* An event as a handler sees it. The payload (a, b, x) is the model's:
 * typically a user id, a campaign id and a value. */
typedef struct fsn_event {
    double time;
    int32_t priority;
    uint32_t type;        /* engine-wide event type id */
    uint32_t a, b;
    double x;
    uint64_t seq;         /* insertion sequence */
    fsn_handle_t handle;  /* already invalid inside the handler */
} fsn_event_t;

/* A handler. model is the state given at registration. Returning non-zero
 * stops the run, and fsn_engine_run returns that code. */
typedef fsn_err_t (*fsn_event_fn)(fsn_engine_t *eng, void *model, const fsn_event_t *ev);

/* Optional: called with the user (payload a) of an event that will run
 * soon, before the current event's handler runs, so the model can issue
 * prefetches for the data that event will read. Stage 0 comes first (a
 * few events ahead): fetch what needs nothing else; stage 1 comes later
 * for the same event: fetch what depends on stage 0's data (a row whose
 * bounds stage 0 fetched); stage 2 comes last, for the very next event:
 * fetch what depends on stage 1's data (the friends listed in that row).
 * A model may ignore any stage (return at once), say which stages it
 * takes (fsn_engine_set_prefetch_stages) or have the engine do stage 0
 * by address (fsn_engine_set_prefetch_array). Stages 1 and 2 come only
 * on the calendar queue. Must not change state. */
typedef void (*fsn_prefetch_fn)(const void *model, uint32_t a, int stage);

typedef struct fsn_event_type {
    const char *name;     /* for traces: "share", "join_group", ... */
    fsn_event_fn handle;
    fsn_prefetch_fn prefetch;   /* may be NULL */
} fsn_event_type_t;

/* Optional, set with fsn_engine_set_moot: 1 if a posted (light) event for
 * user a at time t is known to do nothing if it ran (a share that lost
 * its race: the receiver already has the link, or an earlier share is on
 * its way). The engine may then drop the event without running it: the
 * calendar queue asks when the event's window opens, before running it.
 * Must be exact in one direction: returning 1 for an event whose handler
 * would change anything changes the run; returning 0 is always safe.
 * Must not change state. */
typedef int (*fsn_moot_fn)(const void *model, uint32_t a, double t);

/* A model: a name and its table of event types. Const data; one table may
 * be registered on many engines (one per thread). */
typedef struct fsn_model_type {
    const char *name;
    uint32_t n_event_types;
    const fsn_event_type_t *event_types;
} fsn_model_type_t;

/* Called after every event, if set (for traces). */
typedef void (*fsn_observer_fn)(void *ctx, const fsn_event_t *ev, const char *type_name);

/* The structure behind the queue; both give identical runs. */
typedef enum fsn_queue_kind {
    FSN_QUEUE_CALENDAR = 0,   /* default: calendar queue, O(1), prefetches ahead */
    FSN_QUEUE_HEAP = 1,       /* 4-ary heap, O(log n), no tuning */
    FSN_QUEUE_RADIX = 2       /* radix heap on the time bits, O(1) push */
} fsn_queue_kind_t;

/* Create an engine with room for capacity events (0: a small default),
 * on the default queue. NULL on allocation failure or a capacity above
 * 2^31 (the most full events an engine can hold). O(capacity). */
fsn_engine_t *fsn_engine_new(size_t capacity);

/* The same on a chosen queue structure (NULL for an unknown kind). */
fsn_engine_t *fsn_engine_new_queue(size_t capacity, fsn_queue_kind_t kind);
fsn_queue_kind_t fsn_engine_queue_kind(const fsn_engine_t *eng);

/* Free the engine and everything it holds. NULL ok. */
void fsn_engine_free(fsn_engine_t *eng);

/* Register a model; its event type i gets id *first_type + i. Models keep
 * their state; the engine stores the pointer. FSN_ERANGE beyond 65536
 * event types, FSN_ENOMEM. O(event types). */
fsn_err_t fsn_engine_add_model(fsn_engine_t *eng, const fsn_model_type_t *type, void *model,
                               uint32_t *first_type);

/* Drop every pending event, set the clock to 0 and the sequence and
 * counters to 0; keep models and memory (for the next replicate).
 * O(pool slots + queue buckets): nothing is freed, everything recycled. */
void fsn_engine_reset(fsn_engine_t *eng);

/*
 * Schedule an event of type `type` at absolute time `time` (>= now,
 * finite) with the given priority and payload. *out, if not NULL,
 * receives its handle. Errors: FSN_EINVAL if time < now or not finite
 * or the priority is outside [-128, 127], FSN_ERANGE past 2^40 schedules,
 * FSN_ENOMEM if the pool cannot grow. O(1) expected on the calendar
 * queue and the radix heap, O(log n) on the heap.
 */
fsn_err_t fsn_engine_schedule(fsn_engine_t *eng, double time, int32_t priority, uint32_t type,
                              uint32_t a, uint32_t b, double x, fsn_handle_t *out);

/*
 * Post a light event: payload a only (b and x read as 0), no handle, so
 * it cannot be cancelled or moved. It skips the slot pool entirely, which
 * makes it the cheapest event there is: use it for the bulk of a
 * cascade (a share arriving at a friend). Same order rules and errors as
 * fsn_engine_schedule. O(1) expected.
 */
fsn_err_t fsn_engine_post(fsn_engine_t *eng, double time, int32_t priority, uint32_t type,
                          uint32_t a);

/*
 * From inside a handler, run the next event here instead of returning
 * for it. If the next event the run loop would run is a posted (light)
 * event of type `type` within the running fsn_engine_run's horizon, it is
 * taken off the queue as the loop would take it (the clock moves to its
 * time, it counts in fsn_engine_events_run, the events after it are
 * prefetched for) and 1 is returned with its time and user in *time and
 * *a: the caller must now handle it, before anything else, as if it had
 * been called for it (b and x read as 0). Otherwise 0, and nothing
 * changes: the caller returns and the run loop goes on. A handler that
 * loops while this returns 1 handles a run of its events in one call,
 * with its state in registers rather than reloaded per call, and the
 * events still run in exactly the run loop's order (bench_sir: 7% fewer
 * instructions per infection). Takes from the calendar queue's open
 * window only: 0 on the other queues, with an observer set, after
 * fsn_engine_stop, when a late arrival or a cancelled event is queued,
 * and outside fsn_engine_run (so fsn_engine_step runs one event). O(1).
 */
int fsn_engine_take_posted(fsn_engine_t *eng, uint32_t type, double before, double *time, uint32_t *a);

/*
 * Post n light events of one type and priority at once: event i at
 * time[i] for user a[i], in that order. The same as n calls of
 * fsn_engine_post (the same events and sequence numbers; on an error the
 * same events posted before it and the same error), at a fraction of
 * the cost per event on the calendar queue. O(n) expected.
 */
fsn_err_t fsn_engine_post_n(fsn_engine_t *eng, int32_t priority, uint32_t type, size_t n,
                            const double *time, const uint32_t *a);

/* Cancel a pending event. FSN_ESTATE if the handle is stale (fired,
 * cancelled, or from before a reset). O(1). A handle's generation is 32
 * bits and moves by 2 per use of its slot: a handle kept after its event
 * fired is recognised as stale unless the slot was reused 2^31 times. */
fsn_err_t fsn_engine_cancel(fsn_engine_t *eng, fsn_handle_t h);

/* Move a pending event to a new time (>= now). The handle stays valid.
 * FSN_ESTATE if stale, FSN_EINVAL for a bad time. O(log n). */
fsn_err_t fsn_engine_reschedule(fsn_engine_t *eng, fsn_handle_t h, double time);

/* 1 if the handle refers to a pending event. O(1). */
int fsn_engine_pending(const fsn_engine_t *eng, fsn_handle_t h);

/*
 * Run events in order until the queue is empty, the next event is later
 * than horizon, or a handler stops the run (fsn_engine_stop or a non-zero
 * return). Events at exactly the horizon run. When the run ends by the
 * horizon the clock is advanced to the horizon. Returns FSN_OK, the
 * handler's code, FSN_ENOMEM if the queue cannot reorganise, or
 * FSN_EINVAL for a NaN horizon. O(events) expected on the calendar queue.
 */
fsn_err_t fsn_engine_run(fsn_engine_t *eng, double horizon);

/* Run exactly one event if there is one at or before horizon. Returns 1 if
 * an event ran, 0 if not, or a negative fsn_err_t negated on failure (the
 * handler's, the queue's, or FSN_EINVAL for a NaN horizon). */
int fsn_engine_step(fsn_engine_t *eng, double horizon, fsn_err_t *rc);

/* Ask the running loop to return after the current event. */
void fsn_engine_stop(fsn_engine_t *eng);

double fsn_engine_now(const fsn_engine_t *eng);
/* Pending (not cancelled) events. */
size_t fsn_engine_size(const fsn_engine_t *eng);
/* Events run since creation or the last reset. */
uint64_t fsn_engine_events_run(const fsn_engine_t *eng);
/* Time of the next pending event, or +INFINITY. Amortised O(log n). */
double fsn_engine_next_time(fsn_engine_t *eng);

void fsn_engine_set_observer(fsn_engine_t *eng, fsn_observer_fn fn, void *ctx);

/* Give event type `type` (an engine-wide id) a moot test (NULL: none).
 * Dropped events do not run, are not seen by the observer and do not
 * count in fsn_engine_events_run; only posted events (fsn_engine_post)
 * are tested, and only on the calendar queue (the heaps run every event).
 * Kept across fsn_engine_reset. FSN_EINVAL for an unknown type. O(1);
 * afterwards one call per posted event of any type when its window
 * opens. */
fsn_err_t fsn_engine_set_moot(fsn_engine_t *eng, uint32_t type, fsn_moot_fn fn);

/* Give event type `type` a moot test by code, which the calendar queue
 * runs itself, with no call: a posted event of the type for user a at
 * time t is moot when words[a] < code(t), where code(t) is t rounded up
 * to a 16-bit code: with b the bit pattern of t (a double >= 0),
 * code(t) = ceil(b / 2^shift) - offset, clamped to [1, 0xFFFE]. So a
 * word of 0 makes every event for the user moot, 0xFFFE and 0xFFFF
 * none, and a word c in between those later than the time whose bit
 * pattern is (c + offset) 2^shift (the SIR model's state words: "has
 * the link", "none", the earliest arrival on its way). Replaces the
 * type's moot function (NULL words: none); the same rules as
 * fsn_engine_set_moot otherwise. words must stay valid while the type's
 * events are pending and a must index it; shift must be below 64.
 * FSN_EINVAL for an unknown type or a shift of 64 or more. O(event
 * types). */
fsn_err_t fsn_engine_set_moot_code(fsn_engine_t *eng, uint32_t type, const uint16_t *words,
                                   unsigned shift, int64_t offset);

/*
 * A moot test on a 16-bit word per user alone: a posted event of type
 * `type` for user a is dropped when its window opens if words[a] is 0
 * (the user is done: the SIR model's word once a user has the link).
 * As fsn_engine_set_moot_code with a code of 1 at every time, and run
 * inline as it is, without computing a code. Replaces any test the type
 * had. FSN_EINVAL for an unknown type. O(1).
 */
fsn_err_t fsn_engine_set_moot_zero(fsn_engine_t *eng, uint32_t type, const uint16_t *words);

/* Say which prefetch stages the hook of event type `type` takes: bit s
 * of `stages` for stage s (all three, 7, by default). The engine does not
 * call the hook for the others, and when no type takes stage 2 it skips
 * that stage's work altogether: for a model whose data fits in cache
 * and that has nothing to fetch there, a call per event saved. Kept
 * across fsn_engine_reset. FSN_EINVAL for an unknown type or stages
 * above 7. O(event types). */
fsn_err_t fsn_engine_set_prefetch_stages(fsn_engine_t *eng, uint32_t type, unsigned stages);

/* Give event type `type` a stage-0 prefetch by address: for an event
 * for user a the engine itself prefetches the cache line at
 * (const char *)base + a * stride, with no call to the hook, which is
 * then not called for stage 0 (NULL base: back to the hook). For a model
 * whose stage 0 is one array element per user (the SIR model's row
 * start): a call and the hook's dispatch on the stage saved per event.
 * base must stay valid while the type's events run; a must index it.
 * Kept across fsn_engine_reset. FSN_EINVAL for an unknown type. O(1). */
fsn_err_t fsn_engine_set_prefetch_array(fsn_engine_t *eng, uint32_t type, const void *base,
                                        size_t stride);

/* Give event type `type` a stage-1 prefetch by address, for a model whose
 * stage 1 is a row of a CSR array: for an event for user a the engine
 * itself prefetches the cache lines of the row's first and last items,
 * (const char *)items + start[a] * item_size and the byte before
 * (const char *)items + start[a + 1] * item_size (nothing for an empty
 * row), with no call to the hook, which is then not called for stage 1
 * (NULL start: back to the hook). The SIR model's friend lists, through
 * its 32-bit row starts: the hook's call, its dispatch on the stage and
 * its reload of the model's fields saved per event. start (the row
 * starts, as 32-bit offsets) and items must stay valid while the type's
 * events run; a + 1 must index start. Kept across fsn_engine_reset.
 * FSN_EINVAL for an unknown type. O(1). */
fsn_err_t fsn_engine_set_prefetch_rows(fsn_engine_t *eng, uint32_t type, const uint32_t *start,
                                       const void *items, size_t item_size);

/* What the queue did since the engine was created (not reset by
 * fsn_engine_reset): for tuning and for tests that check the queue's work
 * stays linear. Zero for the heaps. */
typedef struct fsn_queue_stats {
    uint64_t rebuilds;        /* calendar queue: width retunings */
    uint64_t rebucketed;      /* calendar queue: entries moved by them */
} fsn_queue_stats_t;

void fsn_engine_queue_stats(const fsn_engine_t *eng, fsn_queue_stats_t *st);

/* Name of an engine-wide event type id ("?" if unknown). */
const char *fsn_engine_type_name(const fsn_engine_t *eng, uint32_t type);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_ENGINE_H */
