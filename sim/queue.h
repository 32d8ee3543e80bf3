/*
 * queue.h: the engine's three event queues (internal to the engine).
 *
 * All three order 24-byte entries by one 128-bit key: the bit pattern of the
 * time (non-negative doubles order as their bits do), then the engine's
 * priority | sequence | type word. Equal keys never occur (sequences are
 * unique), so every queue pops the same events in the same order, and a
 * run does not depend on which queue served it.
 *
 *  fsn_qheap_t  a 4-ary implicit heap. O(log n) push and pop, no tuning,
 *               robust to any distribution of times; kept as the
 *               reference and for the calendar queue's "late" arrivals.
 *  fsn_radixq_t a radix heap on the time bits (times never go below the
 *               last popped one): O(1) push, amortised O(bits) pop with
 *               sequential moves; the fastest on large queues.
 *  fsn_calq_t   a calendar queue (Brown 1988) with sorted windows and
 *               self-tuning width: O(1) expected push and pop, appends
 *               into chunked buckets (sequential memory), and the next
 *               events known in advance, so the engine can prefetch what
 *               they will touch. The engine's default; see
 *               docs/ENGINE.md for the measurements.
 *
 * Entries are plain data; stale ones (cancelled or rescheduled events) are
 * removed by the engine through the filter functions.
 */
#ifndef FISSION_QUEUE_H
#define FISSION_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fission/error.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct fsn_qentry {
    uint64_t tbits;   /* bit pattern of the time, >= +0.0 */
    uint64_t key;     /* priority | sequence | type, see engine.c */
    uint32_t slot;
    uint32_t a;       /* the event's user, for prefetching */
} fsn_qentry_t;

typedef unsigned __int128 fsn_u128;

static inline fsn_u128 fsn_qkey(const fsn_qentry_t *e) {
    return ((fsn_u128)e->tbits << 64) | e->key;
}

static inline uint64_t fsn_time_bits(double t) {
    t += 0.0; /* -0.0 becomes +0.0 */
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    return b;
}

static inline double fsn_bits_time(uint64_t b) {
    double t;
    memcpy(&t, &b, sizeof t);
    return t;
}

/* A time's bit pattern rounded up to a 16-bit code: ceil(tbits /
 * 2^shift) - offset, clamped to [1, 0xFFFE] (selects, not branches).
 * See fsn_engine_set_moot_code. */
static inline uint32_t fsn_moot_code(uint64_t tbits, unsigned shift, int64_t offset) {
    /* tbits < 2^63 (a double >= 0): the sum cannot wrap. */
    int64_t c = (int64_t)((tbits + ((UINT64_C(1) << shift) - 1)) >> shift) - offset;
    c = c < 1 ? 1 : c;
    c = c > 0xFFFE ? 0xFFFE : c;
    return (uint32_t)c;
}

/* The moot test's shift that stands for a code of 1 at every time: an
 * entry is moot when its user's word is 0 (fsn_engine_set_moot_zero). */
#define FSN_MOOT_ZERO 64u

/* The threshold a user's word is compared with (moot when below): 1 for
 * the zero test, else the time's code (computed only then). */
static inline uint32_t fsn_moot_threshold(uint64_t tbits, unsigned shift, int64_t offset) {
    return shift == FSN_MOOT_ZERO ? 1u : fsn_moot_code(tbits, shift, offset);
}

/* Keep-predicate for filtering stale entries (and, for the calendar
 * queue's moot hook, a drop-predicate). */
typedef int (*fsn_qkeep_fn)(const void *ctx, const fsn_qentry_t *e);

/* ---- 4-ary heap ---------------------------------------------------- */

typedef struct fsn_qheap {
    fsn_qentry_t *v;
    size_t len, cap;
} fsn_qheap_t;

fsn_err_t fsn_qheap_init(fsn_qheap_t *h, size_t cap);
void fsn_qheap_destroy(fsn_qheap_t *h);
fsn_err_t fsn_qheap_push(fsn_qheap_t *h, const fsn_qentry_t *e);
void fsn_qheap_pop(fsn_qheap_t *h);
static inline const fsn_qentry_t *fsn_qheap_top(const fsn_qheap_t *h) {
    return h->len ? &h->v[0] : NULL;
}
/* Keep the entries for which keep() says so; O(n). */
void fsn_qheap_filter(fsn_qheap_t *h, fsn_qkeep_fn keep, const void *ctx);

/* ---- calendar queue ------------------------------------------------ */

/* A bucket is a list of chunks of entries (see queue.c). */
#define FSN_CQ_CHUNK 30
#define FSN_CQ_NIL UINT32_MAX
typedef struct fsn_cq_chunk {
    uint32_t next, len;
    fsn_qentry_t e[FSN_CQ_CHUNK];
} fsn_cq_chunk_t;

/* Windows come in epochs of 64: the current epoch's windows have a fine
 * bucket each, later epochs share coarse buckets (see queue.c). */
#define FSN_CQ_FINE_BITS 6
#define FSN_CQ_FINE (1u << FSN_CQ_FINE_BITS)

typedef struct fsn_calq {
    /* The current window: entries taken out of their bucket, sorted in
     * descending order (the next event is at the end), and a heap for
     * entries that arrive inside the current window afterwards. */
    fsn_qentry_t *bot;
    size_t bot_len, bot_cap;
    fsn_qheap_t late;
    int top_src;              /* 0: none, 1: bot, 2: late */
    /* The buckets: window i covers [i w, (i + 1) w); windows before
     * `next` are current. Epoch j is windows [64 j, 64 j + 64). The
     * windows of epoch `epoch` live in its sorted copy (ep_ent below,
     * the entries it held as it became current) and in the fine buckets
     * 0..63 (window i in bucket i % 64: the entries pushed since); a
     * later epoch j lives in coarse bucket 64 + (j & mask), one of nb.
     * Each bucket is a list of chunks. in_fine counts the epoch's
     * entries in both places. */
    uint32_t nb, mask;
    double w, inv_w;
    uint64_t next, epoch;
    uint32_t *head, *tail;
    uint32_t *tlen;           /* entries in each bucket's tail chunk */
    /* Entries in all buckets and in the fine ones; not side by side, or
     * gcc merges a push's two increments into a vector add (five more
     * instructions). */
    size_t in_buckets;
    fsn_cq_chunk_t *chunks;
    size_t in_fine;
    uint32_t nchunks, chunks_cap, free_chunk;
    /* The current epoch's entries from its coarse bucket, sorted as the
     * epoch became current (see "Epochs" in queue.c): ep_ent holds them
     * in the bucket's order, and window i of the epoch (i = window & 63)
     * is ep_ent[ep_idx[j]] for j in [ep_start[i], ep_start[i + 1]), in
     * nearly ascending order. Valid when ep_epoch == epoch; windows
     * before `next` have left. ep_slot and ep_pos are the sort's work
     * space. */
    fsn_qentry_t *ep_ent;
    uint32_t *ep_idx, *ep_pos;
    uint16_t *ep_slot;
    size_t ep_cap;
    uint64_t ep_epoch;
    uint32_t ep_start[FSN_CQ_FINE + 1];
    /* Self-tuning: windows opened and entries they yielded. */
    uint64_t win_count, win_yield, win_late;
    fsn_qentry_t *scratch;
    size_t scratch_cap;
    uint64_t rebuilds;        /* rebuilds so far (never reset) */
    uint64_t rebucketed;      /* entries moved by rebuilds (never reset) */
    uint64_t opened;          /* windows opened so far */
    /* Optional: entries known to do nothing are dropped when their
     * window opens, before sorting. moot1 is the common case of one
     * kind of entry with such a test, called directly: an entry with no
     * slot and (key & moot1_mask) == moot1_val is dropped if
     * moot1(moot1_ctx, a, time) says 1. moot is the general test. */
    int (*moot1)(const void *ctx, uint32_t a, double t);
    const void *moot1_ctx;
    uint64_t moot1_mask, moot1_val;
    fsn_qkeep_fn moot;
    const void *moot_ctx;
    /* The common case by code, with no call: an entry with no slot and
     * (key & moot1_mask) == moot1_val is dropped if
     * mc_words[a] < fsn_moot_code(tbits, mc_shift, mc_offset) (moot1 and
     * moot are then NULL). */
    const uint16_t *mc_words;
    unsigned mc_shift;
    int64_t mc_offset;
    uint64_t dropped;         /* entries dropped so (never reset) */
} fsn_calq_t;

fsn_err_t fsn_calq_init(fsn_calq_t *q, size_t cap);
void fsn_calq_destroy(fsn_calq_t *q);
/* Empty the queue, keep memory. */
void fsn_calq_clear(fsn_calq_t *q);

/* The slow paths of the three below (queue.c). */
fsn_err_t fsn_calq_push_slow(fsn_calq_t *q, const fsn_qentry_t *e, uint64_t win);
fsn_err_t fsn_calq_append_slow(fsn_calq_t *q, uint32_t b, const fsn_qentry_t *e);
const fsn_qentry_t *fsn_calq_top_slow(fsn_calq_t *q, fsn_err_t *rc);
void fsn_calq_pop_slow(fsn_calq_t *q);

/* A time in windows: t / w, clamped to [0, 2^62]. */
static inline double fsn_calq_window_x(const fsn_calq_t *q, uint64_t tbits) {
    double x = fsn_bits_time(tbits) * q->inv_w;
    /* Signed conversion is one instruction; x is >= 0 (not NaN) and
     * clamped, as a double (a minimum, not a branch: 2^62 converts
     * exactly). */
#if defined(__SSE2__)
    x = _mm_cvtsd_f64(_mm_min_sd(_mm_set_sd(x), _mm_set_sd(0x1p62)));
#else
    x = x < 0x1p62 ? x : 0x1p62;
#endif
    return x;
}

/* The window of a time: floor(t / w), clamped. */
static inline uint64_t fsn_calq_window(const fsn_calq_t *q, uint64_t tbits) {
    return (uint64_t)(int64_t)fsn_calq_window_x(q, tbits);
}

/* Push an entry given by its fields. O(1). The common case (a later
 * window, room in its bucket's last chunk) is inline: an append to a
 * fine bucket (this epoch) or a coarse one (later epochs); the rest is
 * fsn_calq_push_slow and fsn_calq_append_slow. The fields are passed
 * and stored one by one, not as a struct: an entry built on the stack
 * and copied (two 8-byte stores read back by one 16-byte load) stalls
 * on store forwarding, which cost a tenth of bench_sir's handler time. */
static inline fsn_err_t fsn_calq_push_fields(fsn_calq_t *q, uint64_t tbits, uint64_t key, uint32_t slot,
                                             uint32_t a) {
    const uint64_t win = fsn_calq_window(q, tbits);
    if (__builtin_expect(win >= q->next, 1)) {
        const uint64_t ep = win >> FSN_CQ_FINE_BITS;
        const uint32_t fine = ep == q->epoch;
        const uint32_t b = fine ? (uint32_t)(win & (FSN_CQ_FINE - 1))
                                : FSN_CQ_FINE + (uint32_t)(ep & q->mask);
        /* The tail chunk's count comes from the small tlen array (a
         * line in cache), not from the chunk's header: a push then
         * reads no line of the chunk, only writes the entry's. */
        const uint32_t t = q->tail[b], l = q->tlen[b];
        if (__builtin_expect(t != FSN_CQ_NIL && l < FSN_CQ_CHUNK, 1)) {
            fsn_cq_chunk_t *ch = &q->chunks[t];
            fsn_qentry_t *d = &ch->e[l];
            d->tbits = tbits;
            d->key = key;
            d->slot = slot;
            d->a = a;
            /* The bucket's next line, for the appends to come (a store
             * to a line not in cache holds up the stores behind it). */
            __builtin_prefetch(d + 3, 1);
            ch->len = l + 1;
            q->tlen[b] = l + 1;
        } else {
            const fsn_qentry_t e = {tbits, key, slot, a};
            fsn_err_t rc = fsn_calq_append_slow(q, b, &e);
            if (rc) return rc;
        }
        q->in_buckets++;
        q->in_fine += fine;
        return FSN_OK;
    }
    const fsn_qentry_t e = {tbits, key, slot, a};
    return fsn_calq_push_slow(q, &e, win);
}

/* Push an entry. O(1) expected. */
static inline fsn_err_t fsn_calq_push(fsn_calq_t *q, const fsn_qentry_t *e) {
    return fsn_calq_push_fields(q, e->tbits, e->key, e->slot, e->a);
}

/* Push n entries with no slot at once (see queue.c). O(n) expected. */
fsn_err_t fsn_calq_push_n(fsn_calq_t *q, size_t n, const double *t, const uint32_t *a, uint64_t key,
                          uint64_t step, double now, size_t *done);

/* The smallest entry, or NULL if empty. May reorganise the queue
 * (opening the next window, retuning) and so may fail on memory: *rc.
 * The common case (the open window's sorted run holds the next entry
 * and no late arrival competes) is inline. */
static inline const fsn_qentry_t *fsn_calq_top(fsn_calq_t *q, fsn_err_t *rc) {
    if (__builtin_expect(q->bot_len != 0 && q->late.len == 0, 1)) {
        *rc = FSN_OK;
        q->top_src = 1;
        return &q->bot[q->bot_len - 1];
    }
    return fsn_calq_top_slow(q, rc);
}

/* Remove the entry the last fsn_calq_top returned. */
static inline void fsn_calq_pop(fsn_calq_t *q) {
    if (__builtin_expect(q->top_src == 1, 1)) {
        q->bot_len--;
        q->top_src = 0;
    } else {
        fsn_calq_pop_slow(q);
    }
}
/* The k-th next entry of the current window's sorted run (k = 0 is the
 * next), or NULL: a hint for prefetching, not an exact order. */
static inline const fsn_qentry_t *fsn_calq_ahead(const fsn_calq_t *q, size_t k) {
    return k < q->bot_len ? &q->bot[q->bot_len - 1 - k] : NULL;
}
size_t fsn_calq_size(const fsn_calq_t *q);
void fsn_calq_filter(fsn_calq_t *q, fsn_qkeep_fn keep, const void *ctx);

/* ---- radix heap ----------------------------------------------------- */

typedef struct fsn_rx_block fsn_rx_block_t;

typedef struct fsn_radixq {
    fsn_rx_block_t *blk;
    uint32_t nblk, cap_blk, free_blk, nfree;   /* nfree: blocks on the free list */
    uint32_t head[65];        /* top block of each bucket */
    uint64_t bmin[65];        /* smallest time bits in each bucket */
    uint64_t last, occ;       /* occ bit i - 1: bucket i not empty */
    fsn_qheap_t h0;           /* bucket 0: time == last, full-key heap */
    fsn_qheap_t early;        /* pushes below `last` (after a peek) */
    size_t n;
    int top_src;              /* 1: h0, 2: early */
} fsn_radixq_t;

fsn_err_t fsn_radixq_init(fsn_radixq_t *q, size_t cap);
void fsn_radixq_destroy(fsn_radixq_t *q);
void fsn_radixq_clear(fsn_radixq_t *q);
fsn_err_t fsn_radixq_push(fsn_radixq_t *q, const fsn_qentry_t *e);
const fsn_qentry_t *fsn_radixq_top(fsn_radixq_t *q, fsn_err_t *rc);
void fsn_radixq_pop(fsn_radixq_t *q);
static inline size_t fsn_radixq_size(const fsn_radixq_t *q) { return q->n; }
void fsn_radixq_filter(fsn_radixq_t *q, fsn_qkeep_fn keep, const void *ctx);

#endif /* FISSION_QUEUE_H */
