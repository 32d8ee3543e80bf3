/*
 * queue.c: the 4-ary heap, the calendar queue and the radix heap behind
 * the engine.
 *
 * The heap is the textbook implicit d-ary heap with d = 4: the four
 * children of a node are 96 contiguous bytes, and the smallest is found
 * by a tournament on 128-bit keys whose winner's index is computed with
 * masks, so the only branch that can be mispredicted is the one that
 * ends the descent.
 *
 * The calendar queue is what a cascade wants. Events are scheduled a
 * short, random delay ahead of now; a heap pays O(log n) cache misses for
 * each, because the path from root to leaf crosses the whole array. Here
 * a push appends to the chunk at the tail of its bucket (usually already
 * hot, see "Epochs" below), and a pop takes the next entry of the current
 * window, sorted when the window opened. Because that window is sorted,
 * the engine knows the next few events before running them and can
 * prefetch what they will read: this, more than the O(1), is the gain.
 *
 * Width. A window should yield a handful of entries: too wide and the
 * sort grows, too narrow and pops walk empty windows. Every 64 windows
 * the mean yield is checked; outside [1.5, 96] the queue is rebuilt with
 * a width scaled to bring it to about 12 after too high a yield and 48
 * after too low a one (past 24, the middle, in the direction the rate
 * moves). The band is wide: each rebuild costs O(n), and a cascade's
 * rate sweeps orders of magnitude (measured with bench_sir, [2, 48] was
 * 20% slower at 1e5 users). The rebuild makes as many buckets as the span
 * of pending times needs (a power of two, at most 2^22, at most about 2
 * per pending entry). A year with no entry at all (sparse times, or a
 * jump ahead) is skipped by finding the smallest pending window directly.
 * Rebuilds are O(n) and happen O(log range) times over a run whose event
 * rate grows and decays, like an epidemic.
 *
 * Entries that arrive for a window already open go to a small heap
 * ("late") rather than into the sorted run, so that a burst of events at
 * one instant (a million launches at t = 0) costs O(log n) each, never a
 * quadratic insertion.
 *
 * Epochs. Windows come in epochs of 64. Only the current epoch's
 * windows have a bucket each (the 64 "fine" buckets); every later epoch
 * goes to one of nb "coarse" buckets (epoch j to bucket j mod nb, so a
 * year is 64 nb windows, as many as the span needs). Pushes thus append
 * to a few hundred coarse buckets (a few thousand at 1e6 users) instead
 * of tens of thousands of one-window buckets holding one or two entries
 * each: the tails and the chunks being filled stay in cache, chunks fill
 * up (30 entries each), and a push is a plain append with no staging.
 * Measured with bench_sir: 15% faster at 1e6 users than one-window
 * buckets with batched, prefetched pushes; about the same at 1e5.
 *
 * When the windows reach a new epoch, its entries leave their coarse
 * bucket (later years' entries stay) and are sorted at once: a counting
 * sort over as many slots as entries, by window and by a fraction of a
 * window's width, of their indices (an entry is copied once). A window
 * then opens by reading its slice of that order backwards; only entries
 * that shared a slot can be out of order, and one insertion pass, nearly
 * always a compare and no move, puts them right. Entries pushed after
 * the epoch became current (one in nine in bench_sir) go to the window's
 * fine bucket; they are sorted on their own and merged in. Measured with
 * bench_sir at 1e5 users: 0.92 of the time of moving an epoch's entries
 * to the fine buckets and sorting each window as it opened (45 fewer
 * instructions and 0.5 fewer mispredicted branches per entry). An epoch
 * whose windows hold nothing at all is passed at once.
 *
 * Moot entries. The engine may give the queue a test that names entries
 * whose events would do nothing (a share that lost its race). An entry
 * is tested as its window opens and dropped there: it then costs no
 * sort, no pop and no dispatch. Dropping does not change the order of
 * the others; a dropped entry counts toward its window's yield, so the
 * width tuning sees the same traffic.
 *
 * Memory: chunks come from a pool that grows geometrically and is reused
 * through a free list, and the epoch's sorted copy (30 bytes an entry)
 * grows by half again to the largest epoch seen, so a run in steady
 * state allocates nothing.
 */
#include "queue.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#define ARITY 4
#define CQ_CHUNK FSN_CQ_CHUNK
#define CQ_NIL FSN_CQ_NIL
#define CQ_FINE FSN_CQ_FINE
#define CQ_FINE_BITS FSN_CQ_FINE_BITS
#define CQ_MIN_BUCKETS 16u
#define CQ_MAX_BUCKETS (1u << 22)
#define CQ_TARGET_YIELD 24.0
#define CQ_MIN_YIELD 1.5
#define CQ_MAX_YIELD 96.0
#define CQ_CHECK_EVERY 64
#define CQ_EP_MAX_SLOTS (CQ_FINE << 6) /* 64 slots a window at most */

/* ---- 4-ary heap ---------------------------------------------------- */

fsn_err_t fsn_qheap_init(fsn_qheap_t *h, size_t cap) {
    if (cap < 16) cap = 16;
    h->v = malloc(cap * sizeof *h->v);
    h->len = 0;
    h->cap = h->v ? cap : 0;
    return h->v ? FSN_OK : FSN_ENOMEM;
}

void fsn_qheap_destroy(fsn_qheap_t *h) {
    free(h->v);
    memset(h, 0, sizeof *h);
}

static void sift_up(fsn_qentry_t *h, size_t i) {
    fsn_qentry_t e = h[i];
    fsn_u128 ek = fsn_qkey(&e);
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (!(ek < fsn_qkey(&h[p]))) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static void sift_down(fsn_qentry_t *h, size_t n, size_t i) {
    fsn_qentry_t e = h[i];
    const fsn_u128 ek = fsn_qkey(&e);
    for (;;) {
        size_t c = i * ARITY + 1, best;
        fsn_u128 bk;
        if (c + 3 < n) {
            /* The winner's index is computed from the compare bits with a
             * mask: written as two index selects, gcc 12 compiles them to
             * jumps taken at random (bench_queue measured 1.25x). */
            fsn_u128 k0 = fsn_qkey(&h[c]), k1 = fsn_qkey(&h[c + 1]);
            fsn_u128 k2 = fsn_qkey(&h[c + 2]), k3 = fsn_qkey(&h[c + 3]);
            size_t l01 = k1 < k0, l23 = k3 < k2;
            fsn_u128 m01 = l01 ? k1 : k0, m23 = l23 ? k3 : k2;
            size_t l = m23 < m01;
            bk = l ? m23 : m01;
            size_t msk = 0 - l; /* all ones when the right pair wins */
            best = c + (l << 1) + ((l23 & msk) | (l01 & ~msk));
        } else if (c < n) {
            best = c;
            bk = fsn_qkey(&h[c]);
            for (size_t j = c + 1; j < n; j++) {
                fsn_u128 kj = fsn_qkey(&h[j]);
                if (kj < bk) {
                    bk = kj;
                    best = j;
                }
            }
        } else {
            break;
        }
        if (!(bk < ek)) break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

fsn_err_t fsn_qheap_push(fsn_qheap_t *h, const fsn_qentry_t *e) {
    if (h->len == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        fsn_qentry_t *v = realloc(h->v, cap * sizeof *v);
        if (!v) return FSN_ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    h->v[h->len] = *e;
    sift_up(h->v, h->len++);
    return FSN_OK;
}

void fsn_qheap_pop(fsn_qheap_t *h) {
    FSN_REQUIRE(h->len > 0);
    size_t n = --h->len;
    if (n > 0) {
        h->v[0] = h->v[n];
        sift_down(h->v, n, 0);
    }
}

void fsn_qheap_filter(fsn_qheap_t *h, fsn_qkeep_fn keep, const void *ctx) {
    size_t w = 0;
    for (size_t i = 0; i < h->len; i++)
        if (keep(ctx, &h->v[i])) h->v[w++] = h->v[i];
    h->len = w;
    if (w > 1)
        for (size_t i = (w - 2) / ARITY + 1; i-- > 0;) sift_down(h->v, w, i);
}

/* ---- calendar queue ------------------------------------------------ */

static inline uint64_t cq_window(const fsn_calq_t *q, uint64_t tbits) {
    return fsn_calq_window(q, tbits);
}

/* nb coarse buckets (a power of two) after the fine ones, all empty. */
static fsn_err_t cq_set_buckets(fsn_calq_t *q, uint32_t nb) {
    if (nb > q->nb) {
        uint32_t *h = realloc(q->head, (CQ_FINE + nb) * sizeof *h);
        if (!h) return FSN_ENOMEM;
        q->head = h;
        uint32_t *t = realloc(q->tail, (CQ_FINE + nb) * sizeof *t);
        if (!t) return FSN_ENOMEM;
        q->tail = t;
        uint32_t *tl = realloc(q->tlen, (CQ_FINE + nb) * sizeof *tl);
        if (!tl) return FSN_ENOMEM;
        q->tlen = tl;
    }
    q->nb = nb;
    q->mask = nb - 1;
    for (uint32_t i = 0; i < CQ_FINE + nb; i++) {
        q->head[i] = q->tail[i] = CQ_NIL;
        q->tlen[i] = 0;
    }
    return FSN_OK;
}

static void cq_free_all_chunks(fsn_calq_t *q) {
    q->free_chunk = CQ_NIL;
    for (uint32_t i = q->nchunks; i-- > 0;) {
        q->chunks[i].next = q->free_chunk;
        q->free_chunk = i;
    }
}

fsn_err_t fsn_calq_init(fsn_calq_t *q, size_t cap) {
    memset(q, 0, sizeof *q);
    q->w = 1.0;
    q->inv_w = 1.0;
    q->free_chunk = CQ_NIL;
    if (fsn_qheap_init(&q->late, 64)) return FSN_ENOMEM;
    q->bot_cap = 256;
    q->bot = malloc(q->bot_cap * sizeof *q->bot);
    q->chunks_cap = (uint32_t)(cap / CQ_CHUNK + 64);
    q->chunks = malloc((size_t)q->chunks_cap * sizeof *q->chunks);
    q->ep_pos = malloc((CQ_EP_MAX_SLOTS + 1) * sizeof *q->ep_pos);
    q->ep_epoch = UINT64_MAX;
    if (!q->bot || !q->chunks || !q->ep_pos || cq_set_buckets(q, 64)) {
        fsn_calq_destroy(q);
        return FSN_ENOMEM;
    }
    return FSN_OK;
}

void fsn_calq_destroy(fsn_calq_t *q) {
    fsn_qheap_destroy(&q->late);
    free(q->bot);
    free(q->head);
    free(q->tail);
    free(q->tlen);
    free(q->chunks);
    free(q->scratch);
    free(q->ep_ent);
    free(q->ep_idx);
    free(q->ep_slot);
    free(q->ep_pos);
    memset(q, 0, sizeof *q);
}

void fsn_calq_clear(fsn_calq_t *q) {
    q->bot_len = 0;
    q->late.len = 0;
    q->top_src = 0;
    for (uint32_t i = 0; i < CQ_FINE + q->nb; i++) q->head[i] = q->tail[i] = CQ_NIL;
    q->in_buckets = 0;
    q->in_fine = 0;
    cq_free_all_chunks(q);
    q->next = 0;
    q->epoch = 0;
    q->ep_epoch = UINT64_MAX;
    q->win_count = q->win_yield = q->win_late = 0;
}

static fsn_err_t cq_chunk_alloc(fsn_calq_t *q, uint32_t *out) {
    if (q->free_chunk != CQ_NIL) {
        *out = q->free_chunk;
        q->free_chunk = q->chunks[*out].next;
        return FSN_OK;
    }
    if (q->nchunks == q->chunks_cap) {
        if (q->chunks_cap >= CQ_NIL / 2) return FSN_ERANGE;
        uint32_t cap = q->chunks_cap * 2;
        fsn_cq_chunk_t *c = realloc(q->chunks, (size_t)cap * sizeof *c);
        if (!c) return FSN_ENOMEM;
        q->chunks = c;
        q->chunks_cap = cap;
    }
    *out = q->nchunks++;
    return FSN_OK;
}

/* Append to bucket b (the counts are the caller's). */
static inline fsn_err_t cq_append(fsn_calq_t *q, uint32_t b, const fsn_qentry_t *e) {
    uint32_t t = q->tail[b];
    if (t == CQ_NIL || q->chunks[t].len == CQ_CHUNK) {
        uint32_t c;
        fsn_err_t rc = cq_chunk_alloc(q, &c);
        if (rc) return rc;
        q->chunks[c].next = CQ_NIL;
        q->chunks[c].len = 0;
        if (t == CQ_NIL) q->head[b] = c;
        else q->chunks[t].next = c;
        q->tail[b] = t = c;
    }
    fsn_cq_chunk_t *ch = &q->chunks[t];
    ch->e[ch->len++] = *e;
    q->tlen[b] = ch->len;
    return FSN_OK;
}

fsn_err_t fsn_calq_append_slow(fsn_calq_t *q, uint32_t b, const fsn_qentry_t *e) {
    return cq_append(q, b, e);
}

fsn_err_t fsn_calq_push_slow(fsn_calq_t *q, const fsn_qentry_t *e, uint64_t win) {
    if (win >= q->next) return fsn_calq_push(q, e);
    /* Into the open window: a short sorted run takes it in place (so
     * prefetching still sees it), a long one sends it to the heap. */
    q->win_late++;
    if (q->bot_len < 64 && q->bot_len < q->bot_cap && q->top_src != 1) {
        fsn_u128 k = fsn_qkey(e);
        size_t i = q->bot_len;
        while (i > 0 && fsn_qkey(&q->bot[i - 1]) < k) {
            q->bot[i] = q->bot[i - 1];
            i--;
        }
        q->bot[i] = *e;
        q->bot_len++;
        return FSN_OK;
    }
    return fsn_qheap_push(&q->late, e);
}

/* Push n entries with no slot at once: times t[i] (finite, >= 0), users
 * a[i], keys key, key + step, ... The common case (a later window, room
 * in its bucket's tail chunk) runs with the queue's fields in locals and
 * the counts stored once; any other entry goes through fsn_calq_push,
 * after which the fields are read again (it may have grown the chunks).
 * A time below now or not finite stops it with FSN_EINVAL. *done is the
 * number queued: n, or on an error those before the failing one. O(n)
 * expected. */
fsn_err_t fsn_calq_push_n(fsn_calq_t *q, size_t n, const double *t, const uint32_t *a, uint64_t key,
                          uint64_t step, double now, size_t *done) {
    size_t i = 0;
    *done = 0;
    while (i < n) {
        const uint64_t next = q->next, epoch = q->epoch;
        const uint32_t mask = q->mask;
        uint32_t *const tail = q->tail, *const tlen = q->tlen;
        fsn_cq_chunk_t *const chunks = q->chunks;
        size_t added = 0, fine_added = 0;
        for (; i < n; i++) {
            if (__builtin_expect(!(t[i] >= now && t[i] <= DBL_MAX), 0)) break; /* counted below, then refused */
            const uint64_t tb = fsn_time_bits(t[i]);
            const uint64_t win = fsn_calq_window(q, tb);
            if (__builtin_expect(win < next, 0)) break;
            const uint64_t ep = win >> CQ_FINE_BITS;
            const uint32_t fine = ep == epoch;
            const uint32_t b = fine ? (uint32_t)(win & (CQ_FINE - 1)) : CQ_FINE + (uint32_t)(ep & mask);
            const uint32_t c = tail[b], l = tlen[b];
            if (__builtin_expect(c == CQ_NIL || l >= CQ_CHUNK, 0)) break;
            fsn_cq_chunk_t *const ch = &chunks[c];
            fsn_qentry_t *const e = &ch->e[l];
            e->tbits = tb;
            e->key = key;
            e->slot = UINT32_MAX;
            e->a = a[i];
            __builtin_prefetch(e + 3, 1);
            ch->len = l + 1;
            tlen[b] = l + 1;
            added++;
            fine_added += fine;
            key += step;
        }
        q->in_buckets += added;
        q->in_fine += fine_added;
        *done = i;
        if (i == n) break;
        if (!(t[i] >= now && t[i] <= DBL_MAX)) return FSN_EINVAL;
        const fsn_err_t rc = fsn_calq_push_fields(q, fsn_time_bits(t[i]), key, UINT32_MAX, a[i]);
        if (rc) return rc;
        key += step;
        *done = ++i;
    }
    return FSN_OK;
}

size_t fsn_calq_size(const fsn_calq_t *q) {
    return q->bot_len + q->late.len + q->in_buckets;
}

/* Sort a short run descending through 64-bit words: each entry's time
 * bits minus the run's smallest, shifted up `ib` places (6 for runs of
 * up to 64 entries, 8 for up to 256), with the entry's index below.
 * Within a window the times are close, so the difference fits, and the
 * words are unique. The words are first distributed by a counting sort
 * over n slots of equal width in that difference (a monotone map, so
 * slots are in order), which leaves them nearly sorted; an insertion
 * pass then fixes the few inversions within a slot. Where an insertion
 * sort from scratch moves each word past a quarter of the run at a
 * mispredicted loop exit, here most words do not move at all. The
 * entries are then gathered in order. Equal times (the index, not the
 * engine's key, broke the tie) are rare: a last insertion pass on full
 * keys puts them right. The sorted run goes to dst (not a, which is left
 * alone). Returns 0 (and writes nothing) when the times are too far
 * apart. Inlined with a constant ib, so each size gets its own code. */
static inline __attribute__((always_inline)) int
sort_desc_short_ib(fsn_qentry_t *restrict dst, const fsn_qentry_t *restrict a, size_t n,
                   const unsigned ib) {
    const size_t maxn = (size_t)1 << ib;
    FSN_REQUIRE(n <= maxn);
    if (n < 2) {
        if (n) dst[0] = a[0];
        return 1;
    }
    uint64_t mn = UINT64_MAX, mx = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t t = a[i].tbits;
        mn = t < mn ? t : mn;
        mx = t > mx ? t : mx;
    }
    if (mx - mn >= (UINT64_C(1) << (63 - ib))) return 0;
    /* Slot of a difference x: floor(x n / (range + 1)), at most n - 1
     * (clamped, in case the rounding of the product reaches n). */
    const double scale = (double)n / ((double)(mx - mn) + 1.0);
    uint8_t slot[256];
    uint16_t start[257];
    memset(start, 0, (maxn + 1) * sizeof *start); /* a fixed size: a few stores, no call */
    for (size_t i = 0; i < n; i++) {
        uint32_t sl = (uint32_t)(int32_t)((double)(a[i].tbits - mn) * scale);
        sl -= (uint32_t)(sl == n); /* arithmetic, not a branch */
        slot[i] = (uint8_t)sl;
        start[sl + 1]++;
    }
    for (size_t j = 1; j <= n; j++) start[j] = (uint16_t)(start[j] + start[j - 1]);
    uint64_t k[256];
    const uint64_t imask = maxn - 1;
    for (size_t i = 0; i < n; i++) k[start[slot[i]]++] = ((a[i].tbits - mn) << ib) | i;
    for (size_t i = 1; i < n; i++) {
        uint64_t x = k[i];
        size_t j = i;
        while (j > 0 && k[j - 1] > x) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = x;
    }
    int tie = 0;
    dst[n - 1] = a[k[0] & imask];
    for (size_t i = 1; i < n; i++) {
        dst[n - 1 - i] = a[k[i] & imask];
        tie |= (k[i] >> ib) == (k[i - 1] >> ib);
    }
    if (tie) {
        for (size_t i = 1; i < n; i++) {
            fsn_qentry_t x = dst[i];
            fsn_u128 kx = fsn_qkey(&x);
            size_t j = i;
            while (j > 0 && fsn_qkey(&dst[j - 1]) < kx) {
                dst[j] = dst[j - 1];
                j--;
            }
            dst[j] = x;
        }
    }
    return 1;
}

/* Up to 64 entries (a window's usual run). */
static int sort_desc_short(fsn_qentry_t *restrict dst, const fsn_qentry_t *restrict a, size_t n) {
    return sort_desc_short_ib(dst, a, n, 6);
}

/* Up to 256 entries (a window that yielded more than usual: before the
 * width is retuned, up to the band's 96 and beyond); a heapsort on
 * 128-bit keys cost several times as much per entry. */
static int sort_desc_mid(fsn_qentry_t *restrict dst, const fsn_qentry_t *restrict a, size_t n) {
    return sort_desc_short_ib(dst, a, n, 8);
}

/* Sort descending by key: insertion sort for short runs, heapsort else. */
static void sort_desc(fsn_qentry_t *a, size_t n) {
    if (n <= 64) {
        fsn_qentry_t tmp[64];
        if (sort_desc_short(tmp, a, n)) {
            memcpy(a, tmp, n * sizeof *a);
            return;
        }
    }
    if (n <= 32) {
        for (size_t i = 1; i < n; i++) {
            fsn_qentry_t x = a[i];
            fsn_u128 k = fsn_qkey(&x);
            size_t j = i;
            while (j > 0 && fsn_qkey(&a[j - 1]) < k) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    /* Heapsort with a min-heap (binary) gives descending order. */
    for (size_t s = n / 2; s-- > 0;) {
        size_t i = s;
        fsn_qentry_t x = a[i];
        for (;;) {
            size_t c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && fsn_qkey(&a[c + 1]) < fsn_qkey(&a[c])) c++;
            if (!(fsn_qkey(&a[c]) < fsn_qkey(&x))) break;
            a[i] = a[c];
            i = c;
        }
        a[i] = x;
    }
    for (size_t end = n; end-- > 1;) {
        fsn_qentry_t x = a[end];
        a[end] = a[0];
        size_t i = 0;
        for (;;) {
            size_t c = 2 * i + 1;
            if (c >= end) break;
            if (c + 1 < end && fsn_qkey(&a[c + 1]) < fsn_qkey(&a[c])) c++;
            if (!(fsn_qkey(&a[c]) < fsn_qkey(&x))) break;
            a[i] = a[c];
            i = c;
        }
        a[i] = x;
    }
}

/* The capacity a work array grows to for n entries: by half again, so
 * that growing is amortised O(1). */
static size_t cq_grown(size_t n) { return n + n / 2 + 64; }

/* Room for n entries in scratch. */
static fsn_err_t cq_scratch_reserve(fsn_calq_t *q, size_t n) {
    if (n <= q->scratch_cap) return FSN_OK;
    const size_t cap = cq_grown(n);
    fsn_qentry_t *s = realloc(q->scratch, cap * sizeof *s);
    if (!s) return FSN_ENOMEM;
    q->scratch = s;
    q->scratch_cap = cap;
    return FSN_OK;
}

/* The part of the current epoch's sorted run still queued (the windows
 * from `next` on): [*lo, *hi) of ep_idx, empty when there is none. */
static inline void cq_ep_rest(const fsn_calq_t *q, size_t *lo, size_t *hi) {
    *lo = *hi = 0;
    if (q->ep_epoch == q->epoch && q->next >> CQ_FINE_BITS == q->epoch) {
        *lo = q->ep_start[q->next & (CQ_FINE - 1)];
        *hi = q->ep_start[CQ_FINE];
    }
}

/* Collect every bucket entry into scratch (buckets left empty). */
static fsn_err_t cq_gather(fsn_calq_t *q, size_t *n_out) {
    size_t n = q->in_buckets + q->bot_len + q->late.len;
    if (cq_scratch_reserve(q, n)) return FSN_ENOMEM;
    size_t k = 0;
    for (uint32_t b = 0; b < CQ_FINE + q->nb; b++) {
        for (uint32_t c = q->head[b]; c != CQ_NIL; c = q->chunks[c].next) {
            memcpy(q->scratch + k, q->chunks[c].e, q->chunks[c].len * sizeof *q->scratch);
            k += q->chunks[c].len;
        }
        q->head[b] = q->tail[b] = CQ_NIL;
    }
    size_t lo, hi;
    cq_ep_rest(q, &lo, &hi);
    for (size_t i = lo; i < hi; i++) q->scratch[k++] = q->ep_ent[q->ep_idx[i]];
    q->ep_epoch = UINT64_MAX;
    /* The open window too (a rebuild may come while it is still full). */
    memcpy(q->scratch + k, q->bot, q->bot_len * sizeof *q->scratch);
    k += q->bot_len;
    memcpy(q->scratch + k, q->late.v, q->late.len * sizeof *q->scratch);
    k += q->late.len;
    FSN_REQUIRE(k == n);
    cq_free_all_chunks(q);
    q->in_buckets = 0;
    q->in_fine = 0;
    q->bot_len = 0;
    q->late.len = 0;
    q->top_src = 0;
    *n_out = n;
    return FSN_OK;
}

/* Re-bucket everything, the open window included, with width w. Only
 * from fsn_calq_top, before it hands out an entry. */
static fsn_err_t cq_rebuild(fsn_calq_t *q, double w) {
    size_t n;
    fsn_err_t rc = cq_gather(q, &n);
    if (rc) return rc;
    q->rebucketed += n;
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < n; i++) {
        double t = fsn_bits_time(q->scratch[i].tbits);
        if (t < lo) lo = t;
        if (t > hi) hi = t;
    }
    if (!(w > 0) || !isfinite(w)) w = 1.0;
    if (w < 1e-300) w = 1e-300;
    q->w = w;
    q->inv_w = 1.0 / w;
    double span = n ? (hi - lo) * q->inv_w + 1 : 1;
    double want = fmin(span, 2.0 * (double)n + CQ_MIN_BUCKETS);
    uint32_t nb = CQ_MIN_BUCKETS;
    while (nb < CQ_MAX_BUCKETS && (double)nb < want) nb *= 2;
    /* As many windows in a year as before: 64 windows to a coarse
     * bucket. */
    nb = nb >> CQ_FINE_BITS > CQ_MIN_BUCKETS ? nb >> CQ_FINE_BITS : CQ_MIN_BUCKETS;
    /* The entries now live only in scratch: nothing below may fail and
     * lose them. Fewer buckets than wanted only costs speed. */
    if (cq_set_buckets(q, nb)) cq_set_buckets(q, q->nb); /* no allocation */
    nb = q->nb;
    /* Every push goes to a bucket (next is the window of the smallest
     * entry) and takes at most n / CQ_CHUNK + nb chunks, all free now. */
    size_t need = n / CQ_CHUNK + CQ_FINE + nb + 1;
    if (need > q->chunks_cap) {
        fsn_cq_chunk_t *c = need < CQ_NIL / 2 ? realloc(q->chunks, need * sizeof *c) : NULL;
        if (!c) {
            /* No room to bucket them: keep them all as the open window,
             * sorted. Correct (every entry's window is before next), only
             * slower until a later rebuild succeeds. */
            sort_desc(q->scratch, n);
            fsn_qentry_t *t = q->bot;
            size_t tc = q->bot_cap;
            q->bot = q->scratch;
            q->bot_cap = q->scratch_cap;
            q->bot_len = n;
            q->scratch = t;
            q->scratch_cap = tc;
            q->next = n ? cq_window(q, fsn_time_bits(hi)) + 1 : 0;
            q->epoch = q->next >> CQ_FINE_BITS;
            q->win_count = q->win_yield = q->win_late = 0;
            q->rebuilds++;
            return FSN_OK;
        }
        q->chunks = c;
        q->chunks_cap = (uint32_t)need;
    }
    q->next = n ? cq_window(q, fsn_time_bits(lo)) : 0;
    q->epoch = q->next >> CQ_FINE_BITS;
    for (size_t i = 0; i < n; i++) {
        rc = fsn_calq_push(q, &q->scratch[i]);
        FSN_REQUIRE(rc == FSN_OK); /* chunks reserved above */
    }
    q->win_count = q->win_yield = q->win_late = 0;
    q->rebuilds++;
    return FSN_OK;
}

/* Smallest window holding a bucket entry (O(n)). */
static uint64_t cq_min_window(const fsn_calq_t *q) {
    /* Only after a year of empty windows: the epoch's run is spent. */
    FSN_REQUIRE(q->in_fine == 0);
    uint64_t best = UINT64_MAX;
    for (uint32_t b = 0; b < CQ_FINE + q->nb; b++)
        for (uint32_t c = q->head[b]; c != CQ_NIL; c = q->chunks[c].next)
            for (uint32_t i = 0; i < q->chunks[c].len; i++) {
                uint64_t w = cq_window(q, q->chunks[c].e[i].tbits);
                if (w < best) best = w;
            }
    return best;
}

/* Room for n entries in the epoch's sorted copy and its work space. On
 * failure the arrays keep their contents (ep_cap is raised only once
 * all three have grown). */
static fsn_err_t cq_ep_reserve(fsn_calq_t *q, size_t n) {
    if (n <= q->ep_cap) return FSN_OK;
    const size_t cap = cq_grown(n);
    fsn_qentry_t *e = realloc(q->ep_ent, cap * sizeof *e);
    if (e) q->ep_ent = e;
    uint32_t *i = e ? realloc(q->ep_idx, cap * sizeof *i) : NULL;
    if (i) q->ep_idx = i;
    uint16_t *s = i ? realloc(q->ep_slot, cap * sizeof *s) : NULL;
    if (!s) return FSN_ENOMEM;
    q->ep_slot = s;
    q->ep_cap = cap;
    return FSN_OK;
}

/* Make the epoch of window `next` the current one: take its entries out
 * of its coarse bucket (later years' entries stay) and sort them by
 * window and, within a window, by a slot of its width: one counting sort
 * over as many slots as entries (64 to 4096, a power of two), with the
 * slot's bits taken from a 16-bit fraction of the window. The map from
 * time to slot is monotone, so each window's entries come out in
 * ascending order but for those that share a slot; opening the window
 * puts those right. O(entries in the bucket + slots). */
static fsn_err_t cq_refine(fsn_calq_t *q) {
    const uint64_t ep = q->next >> CQ_FINE_BITS;
    const uint32_t b = CQ_FINE + (uint32_t)(ep & q->mask);
    size_t cnt = 0;
    for (uint32_t c = q->head[b]; c != CQ_NIL; c = q->chunks[c].next) cnt += q->chunks[c].len;
    fsn_err_t rc = cq_ep_reserve(q, cnt);
    if (rc) return rc;
    q->epoch = ep;
    /* As many slots as entries (a power of two, 64 to 4096): the
     * slot is the top 6 + sbits bits of window & 63 and its fraction. */
    unsigned sbits = 0;
    while (sbits < 6 && ((size_t)CQ_FINE << sbits) < cnt) sbits++;
    const size_t nslots = (size_t)CQ_FINE << sbits;
    const double sscale = (double)(1u << sbits);
    uint32_t *const pos = q->ep_pos;
    memset(pos, 0, (nslots + 1) * sizeof *pos);
    fsn_qentry_t *const ent = q->ep_ent;
    uint16_t *const slot = q->ep_slot;
    size_t k = 0;
    /* Compact in place: the write cursor trails the read cursor. */
    uint32_t wc = q->head[b], wi = 0, last = CQ_NIL;
    for (uint32_t c = q->head[b]; c != CQ_NIL;) {
        uint32_t nextc = q->chunks[c].next, len = q->chunks[c].len;
        /* The next chunk of the list, written an epoch or more ago and
         * likely out of the core's caches, loads while this one moves:
         * all of its lines, a fixed count. */
        if (nextc != CQ_NIL) {
            const char *p = (const char *)&q->chunks[nextc];
            for (size_t j = 0; j < sizeof(fsn_cq_chunk_t); j += 64) __builtin_prefetch(p + j);
        }
        for (uint32_t i = 0; i < len; i++) {
            const fsn_qentry_t e = q->chunks[c].e[i];
            const double x = fsn_calq_window_x(q, e.tbits);
            const uint64_t win = (uint64_t)(int64_t)x;
            if (win >> CQ_FINE_BITS == ep) {
                /* x - win is exact, in [0, 1), and so is its product
                 * by a power of two: a slot in [0, 2^sbits). */
                const double frac = x - (double)(int64_t)win;
                const uint32_t s = (uint32_t)(win & (CQ_FINE - 1)) << sbits | (uint32_t)(frac * sscale);
                ent[k] = e;
                slot[k] = (uint16_t)s;
                pos[s + 1]++;
                k++;
            } else {
                if (wi == CQ_CHUNK) {
                    q->chunks[wc].len = CQ_CHUNK;
                    wc = q->chunks[wc].next;
                    wi = 0;
                }
                q->chunks[wc].e[wi++] = e;
                last = wc;
            }
        }
        c = nextc;
    }
    /* Trim: chunks after the write cursor go back to the pool. */
    uint32_t c;
    if (last == CQ_NIL) {
        c = q->head[b];
        q->head[b] = q->tail[b] = CQ_NIL;
    } else {
        q->chunks[last].len = wi;
        c = q->chunks[last].next;
        q->chunks[last].next = CQ_NIL;
        q->tail[b] = last;
        q->tlen[b] = wi;
    }
    while (c != CQ_NIL) {
        uint32_t nx = q->chunks[c].next;
        q->chunks[c].next = q->free_chunk;
        q->free_chunk = c;
        c = nx;
    }
    /* The counting sort, by index. */
    for (size_t s = 1; s <= nslots; s++) pos[s] += pos[s - 1];
    for (uint32_t w = 0; w < CQ_FINE; w++) q->ep_start[w] = pos[(size_t)w << sbits];
    q->ep_start[CQ_FINE] = (uint32_t)k;
    uint32_t *const idx = q->ep_idx;
    for (size_t i = 0; i < k; i++) idx[pos[slot[i]]++] = (uint32_t)i;
    q->ep_epoch = ep;
    q->in_fine += k;
    return FSN_OK;
}

/* The moot test's fields, loaded once for a run of entries (stores to
 * entries could otherwise alias them and force reloads). */
typedef struct {
    fsn_qkeep_fn moot;
    const void *moot_ctx;
    int (*moot1)(const void *, uint32_t, double);
    const void *moot1_ctx;
    uint64_t mask, val;
    const uint16_t *mc_words;
    unsigned mc_shift;
    int64_t mc_offset;
} cq_moot_t;

static inline cq_moot_t cq_moot_load(const fsn_calq_t *q) {
    return (cq_moot_t){q->moot, q->moot_ctx, q->moot1, q->moot1_ctx, q->moot1_mask, q->moot1_val,
                       q->mc_words, q->mc_shift, q->mc_offset};
}

/* 1 if the moot hooks name e (its event would do nothing). by_code (a
 * constant where inlined) says that the test is by code alone
 * (fsn_engine_set_moot_code: no call, and no other hook). */
static inline __attribute__((always_inline)) size_t cq_is_moot(const cq_moot_t *m, const fsn_qentry_t *e,
                                                               const int by_code) {
    size_t drop = 0;
    if (e->slot == UINT32_MAX && (e->key & m->mask) == m->val) {
        if (by_code)
            drop = m->mc_words[e->a] < fsn_moot_threshold(e->tbits, m->mc_shift, m->mc_offset);
        else if (m->moot1)
            drop = m->moot1(m->moot1_ctx, e->a, fsn_bits_time(e->tbits)) != 0;
    }
    if (!by_code && m->moot) drop |= m->moot(m->moot_ctx, e) != 0;
    return drop;
}

/* Copy window b's part of the epoch's run to dst, backwards (so in
 * nearly descending order), leaving out moot entries; returns the count
 * copied, adds the dropped to *dropped. A moot entry leaves here, before
 * it costs a pop and a dispatch. Which entries are moot is a coin toss to
 * the branch predictor: every entry is written, and the run grows by one
 * unless the test named it (dst has room for all). */
static inline __attribute__((always_inline)) size_t
cq_take_run(const fsn_calq_t *q, const cq_moot_t *m, uint32_t b, fsn_qentry_t *restrict dst,
            size_t *dropped, const int by_code) {
    const fsn_qentry_t *const ent = q->ep_ent;
    const uint32_t *const idx = q->ep_idx;
    const size_t lo = q->ep_start[b], hi = q->ep_start[b + 1];
    size_t n = 0, d = 0;
    for (size_t j = hi; j-- > lo;) {
        const fsn_qentry_t e = ent[idx[j]];
        const size_t drop = cq_is_moot(m, &e, by_code);
        dst[n] = e;
        n += 1 - drop;
        d += drop;
    }
    *dropped += d;
    return n;
}

/* The same for fine bucket b (its chunks go back to the pool), in the
 * bucket's order; *cnt gets the entries it held. */
static inline __attribute__((always_inline)) size_t
cq_take_bucket(fsn_calq_t *q, const cq_moot_t *m, uint32_t b, fsn_qentry_t *restrict dst, size_t *cnt,
               size_t *dropped, const int by_code) {
    size_t n = 0, d = 0, all = 0;
    for (uint32_t c = q->head[b]; c != CQ_NIL;) {
        const fsn_cq_chunk_t *ch = &q->chunks[c];
        all += ch->len;
        for (uint32_t i = 0; i < ch->len; i++) {
            const fsn_qentry_t e = ch->e[i];
            const size_t drop = cq_is_moot(m, &e, by_code);
            dst[n] = e;
            n += 1 - drop;
            d += drop;
        }
        uint32_t nx = ch->next;
        q->chunks[c].next = q->free_chunk;
        q->free_chunk = c;
        c = nx;
    }
    q->head[b] = q->tail[b] = CQ_NIL;
    *cnt += all;
    *dropped += d;
    return n;
}

/* Sort run a of m entries into dst (not a) in descending order. */
static void cq_sort_run(fsn_qentry_t *restrict dst, fsn_qentry_t *restrict a, size_t m) {
    if (!(m <= 64 ? sort_desc_short(dst, a, m) : m <= 256 && sort_desc_mid(dst, a, m))) {
        memcpy(dst, a, m * sizeof *a);
        sort_desc(dst, m);
    }
}

/* Put a nearly descending run in order by insertion; past a budget of
 * moves linear in n (times bunched in one slot), a full sort. */
static void cq_fix_desc(fsn_qentry_t *a, size_t n) {
    size_t budget = 4 * n + 64;
    for (size_t i = 1; i < n; i++) {
        if (__builtin_expect(!(fsn_qkey(&a[i - 1]) < fsn_qkey(&a[i])), 1)) continue;
        const fsn_qentry_t x = a[i];
        const fsn_u128 kx = fsn_qkey(&x);
        size_t j = i;
        do {
            a[j] = a[j - 1];
            j--;
        } while (j > 0 && fsn_qkey(&a[j - 1]) < kx);
        a[j] = x;
        if (i - j > budget) {
            sort_desc(a, n);
            return;
        }
        budget -= i - j;
    }
}

/* Open window `next`: move its entries into bot (dropping those the moot
 * hooks name), in descending order. They come from the epoch's sorted
 * run, nearly in order already, and from its fine bucket (entries pushed
 * after the epoch became current), sorted on their own and merged in.
 * Returns in *moved the entries moved or dropped and in *windows the
 * windows passed: one, or the rest of the epoch when it holds nothing. */
static fsn_err_t cq_open_window(fsn_calq_t *q, size_t *moved, uint64_t *windows) {
    *moved = 0;
    if (q->next >> CQ_FINE_BITS != q->epoch) {
        fsn_err_t rc = cq_refine(q);
        if (rc) return rc;
    }
    if (q->in_fine == 0) {
        /* The rest of the epoch is empty: pass it at once. */
        const uint64_t end = (q->epoch + 1) << CQ_FINE_BITS;
        *windows = end - q->next;
        q->next = end;
        return FSN_OK;
    }
    *windows = 1;
    const uint32_t b = (uint32_t)(q->next & (CQ_FINE - 1));
    /* Room in bot and scratch for the whole window first: for every
     * entry of the epoch, which bounds it without walking its chunks. */
    FSN_REQUIRE(q->bot_len == 0); /* opened only when the run is spent */
    if (q->in_fine > q->bot_cap) {
        size_t cap = q->bot_cap * 2;
        if (cap < q->in_fine) cap = q->in_fine;
        fsn_qentry_t *nb = realloc(q->bot, cap * sizeof *nb);
        if (!nb) return FSN_ENOMEM;
        q->bot = nb;
        q->bot_cap = cap;
    }
    if (cq_scratch_reserve(q, q->in_fine)) return FSN_ENOMEM;
    q->next++;
    /* A quarter of an epoch before its end, the first chunk of the next
     * epoch's coarse bucket (its oldest entries, written an epoch or more
     * ago and likely out of cache) is fetched for the move: all of its
     * lines, a fixed count. */
    if ((q->next & (CQ_FINE - 1)) == CQ_FINE - CQ_FINE / 4) {
        const uint32_t hc = q->head[CQ_FINE + (uint32_t)(((q->next >> CQ_FINE_BITS) + 1) & q->mask)];
        if (hc != CQ_NIL) {
            const char *p = (const char *)&q->chunks[hc];
            for (size_t i = 0; i < sizeof(fsn_cq_chunk_t); i += 64) __builtin_prefetch(p + i);
        }
    }
    const cq_moot_t mt = cq_moot_load(q);
    fsn_qentry_t *const bot = q->bot;
    size_t dropped = 0, cnt = 0, bl = 0;
    /* The epoch's sorted run, put right. */
    if (q->ep_epoch == q->epoch) {
        bl = mt.mc_words ? cq_take_run(q, &mt, b, bot, &dropped, 1) : cq_take_run(q, &mt, b, bot, &dropped, 0);
        cnt = q->ep_start[b + 1] - q->ep_start[b];
        cq_fix_desc(bot, bl);
    }
    /* The fine bucket: to the space after the run, then sorted into
     * scratch and merged from the smallest end. */
    fsn_qentry_t *const fb = bot + bl;
    const size_t f = mt.mc_words ? cq_take_bucket(q, &mt, b, fb, &cnt, &dropped, 1)
                                 : cq_take_bucket(q, &mt, b, fb, &cnt, &dropped, 0);
    if (f) {
        fsn_qentry_t *const s = q->scratch;
        cq_sort_run(s, fb, f);
        size_t i = bl, j = f, out = bl + f;
        while (j > 0) {
            if (i > 0 && fsn_qkey(&bot[i - 1]) < fsn_qkey(&s[j - 1])) bot[--out] = bot[--i];
            else bot[--out] = s[--j];
        }
    }
    const size_t m = bl + f;
    q->bot_len = m;
    q->in_buckets -= cnt;
    q->in_fine -= cnt;
    q->dropped += dropped;
    if (m) q->opened++;
    /* Dropped entries count as moved: for the retuning they were the
     * window's yield, and a window of moot entries alone is not empty. */
    *moved = cnt;
    return FSN_OK;
}

const fsn_qentry_t *fsn_calq_top_slow(fsn_calq_t *q, fsn_err_t *rc) {
    *rc = FSN_OK;
    /* The open window filled up behind its sorted run (a width far too
     * wide, as after a quiet period or at the start of a run): re-bucket
     * everything at a width scaled from what the window holds. */
    /* Only once late holds a fair share of everything: a rebuild is O(n)
     * and may not empty the window (a burst at one instant cannot be
     * split), so rebuilding every few hundred arrivals was quadratic. */
    if (q->late.len > 4 * CQ_MAX_YIELD && q->late.len >= (q->bot_len + q->in_buckets) / 4) {
        double held = (double)(q->late.len + q->bot_len);
        *rc = cq_rebuild(q, q->w * CQ_TARGET_YIELD / held);
        if (*rc) return NULL;
    }
    for (;;) {
        const fsn_qentry_t *b = q->bot_len ? &q->bot[q->bot_len - 1] : NULL;
        const fsn_qentry_t *l = fsn_qheap_top(&q->late);
        if (b || l) {
            if (b && (!l || fsn_qkey(b) < fsn_qkey(l))) {
                q->top_src = 1;
                return b;
            }
            q->top_src = 2;
            return l;
        }
        q->top_src = 0;
        if (q->in_buckets == 0) return NULL;
        /* Retune when the windows yield too much or too little. */
        /* Entries that arrived late count as yield: they belonged to an
         * open window. Check every 64 windows, or as soon as the windows
         * have clearly yielded too much. */
        uint64_t yield = q->win_yield + q->win_late;
        if (q->win_count >= CQ_CHECK_EVERY || yield >= 8 * CQ_MAX_YIELD) {
            double mean = (double)yield / (double)(q->win_count ? q->win_count : 1);
            if (mean > CQ_MAX_YIELD || (mean < CQ_MIN_YIELD && q->win_count >= CQ_CHECK_EVERY)) {
                /* Aim past the middle of the band, in the direction the
                 * rate is moving: a rate that grew (or fell) tends to go
                 * on growing (falling), as an outbreak's does, and the
                 * next rebuild then comes later, with fewer entries to
                 * move (bench_sir: 0.67 to 0.39 entries re-bucketed per
                 * infection at 1e5). */
                double target = mean > CQ_MAX_YIELD ? CQ_TARGET_YIELD / 2 : CQ_TARGET_YIELD * 2;
                double f = target / (mean > 0.25 ? mean : 0.25);
                *rc = cq_rebuild(q, q->w * f);
                if (*rc) return NULL;
                continue;
            }
            q->win_count = q->win_yield = q->win_late = 0;
        }
        /* Open windows until one yields; after a whole empty year, jump. */
        size_t moved = 0;
        const uint64_t year = (uint64_t)q->nb << CQ_FINE_BITS;
        for (uint64_t k = 0; k < year && moved == 0;) {
            uint64_t windows;
            *rc = cq_open_window(q, &moved, &windows);
            if (*rc) return NULL;
            k += windows;
            q->win_count += windows;
            q->win_yield += moved;
        }
        if (moved == 0) q->next = cq_min_window(q);
    }
}

void fsn_calq_pop_slow(fsn_calq_t *q) {
    FSN_REQUIRE(q->top_src != 0);
    if (q->top_src == 1) q->bot_len--;
    else fsn_qheap_pop(&q->late);
    q->top_src = 0;
}

void fsn_calq_filter(fsn_calq_t *q, fsn_qkeep_fn keep, const void *ctx) {
    size_t w = 0;
    for (size_t i = 0; i < q->bot_len; i++)
        if (keep(ctx, &q->bot[i])) q->bot[w++] = q->bot[i];
    q->bot_len = w;
    fsn_qheap_filter(&q->late, keep, ctx);
    size_t kept = 0, fine = 0;
    /* The epoch's run: each window's part compacted in place. */
    size_t lo, hi;
    cq_ep_rest(q, &lo, &hi);
    if (hi > lo) {
        size_t k = lo;
        for (uint32_t win = (uint32_t)(q->next & (CQ_FINE - 1)); win < CQ_FINE; win++) {
            const size_t s = q->ep_start[win], e = q->ep_start[win + 1];
            q->ep_start[win] = (uint32_t)k;
            for (size_t i = s; i < e; i++)
                if (keep(ctx, &q->ep_ent[q->ep_idx[i]])) q->ep_idx[k++] = q->ep_idx[i];
        }
        q->ep_start[CQ_FINE] = (uint32_t)k;
        kept = fine = k - lo;
    }
    for (uint32_t b = 0; b < CQ_FINE + q->nb; b++) {
        if (b == CQ_FINE) fine = kept;
        for (uint32_t c = q->head[b]; c != CQ_NIL; c = q->chunks[c].next) {
            fsn_cq_chunk_t *ch = &q->chunks[c];
            uint32_t k = 0;
            for (uint32_t i = 0; i < ch->len; i++)
                if (keep(ctx, &ch->e[i])) ch->e[k++] = ch->e[i];
            ch->len = k;  /* empty chunks stay linked; appends refill the tail */
            if (c == q->tail[b]) q->tlen[b] = k;
            kept += k;
        }
    }
    q->in_buckets = kept;
    q->in_fine = fine;
    q->top_src = 0;
}

/* ---- radix heap ---------------------------------------------------- */

/*
 * Times are never below the last popped time, and the bits of
 * non-negative doubles order as the values, so an entry goes to bucket
 * 64 - clz(tbits ^ last) (bucket 0: the same time as the last pop). When
 * bucket 0 is empty, the lowest non-empty bucket gives the new `last` (its
 * smallest time, kept per bucket) and its entries move to lower buckets:
 * each entry moves at most 64 times, in practice a few, and every move is
 * a sequential append. Bucket 0 is a heap on the full key, since events at
 * one instant are ordered by priority and sequence.
 *
 * Peeking at the top (for the horizon test) already advances `last`; an
 * event scheduled afterwards between now and `last` goes to the small
 * "early" heap, and the top is the smaller of the two.
 *
 * Buckets are stacks of 64-entry blocks from one pool with a free list,
 * so memory stays about one entry per event and steady state allocates
 * nothing. (The layout comes from bench/bench_queue.c, where the radix
 * heap was measured against the alternatives.)
 */
#define RX_BLK 64
#define RX_NIL UINT32_MAX

struct fsn_rx_block {
    uint32_t next, n;
    fsn_qentry_t v[RX_BLK];
};

fsn_err_t fsn_radixq_init(fsn_radixq_t *q, size_t cap) {
    memset(q, 0, sizeof *q);
    q->cap_blk = (uint32_t)(cap / RX_BLK + 66);
    q->blk = malloc((size_t)q->cap_blk * sizeof *q->blk);
    q->free_blk = RX_NIL;
    for (int i = 0; i < 65; i++) q->head[i] = RX_NIL;
    if (!q->blk || fsn_qheap_init(&q->h0, 64) || fsn_qheap_init(&q->early, 16)) {
        fsn_radixq_destroy(q);
        return FSN_ENOMEM;
    }
    return FSN_OK;
}

void fsn_radixq_destroy(fsn_radixq_t *q) {
    free(q->blk);
    fsn_qheap_destroy(&q->h0);
    fsn_qheap_destroy(&q->early);
    memset(q, 0, sizeof *q);
}

void fsn_radixq_clear(fsn_radixq_t *q) {
    q->free_blk = RX_NIL;
    for (uint32_t i = q->nblk; i-- > 0;) {
        q->blk[i].next = q->free_blk;
        q->free_blk = i;
    }
    q->nfree = q->nblk;
    for (int i = 0; i < 65; i++) q->head[i] = RX_NIL;
    q->occ = 0;
    q->last = 0;
    q->h0.len = 0;
    q->early.len = 0;
    q->n = 0;
    q->top_src = 0;
}

static inline fsn_err_t rx_put(fsn_radixq_t *q, const fsn_qentry_t *e) {
    uint64_t d = e->tbits ^ q->last;
    if (d == 0) return fsn_qheap_push(&q->h0, e);
    unsigned i = 64u - (unsigned)__builtin_clzll(d);
    uint32_t h = q->head[i];
    if (h == RX_NIL || q->blk[h].n == RX_BLK) {
        uint32_t b = q->free_blk;
        if (b != RX_NIL) {
            q->free_blk = q->blk[b].next;
            q->nfree--;
        } else {
            if (q->nblk == q->cap_blk) {
                if (q->cap_blk >= RX_NIL / 2) return FSN_ERANGE;
                uint32_t cap = q->cap_blk * 2;
                fsn_rx_block_t *nb = realloc(q->blk, (size_t)cap * sizeof *nb);
                if (!nb) return FSN_ENOMEM;
                q->blk = nb;
                q->cap_blk = cap;
            }
            b = q->nblk++;
        }
        q->blk[b].next = h;
        q->blk[b].n = 0;
        q->head[i] = h = b;
        uint64_t bit = UINT64_C(1) << (i - 1);
        if (!(q->occ & bit)) q->bmin[i] = UINT64_MAX;
        q->occ |= bit;
    }
    fsn_rx_block_t *B = &q->blk[h];
    B->v[B->n++] = *e;
    if (e->tbits < q->bmin[i]) q->bmin[i] = e->tbits;
    return FSN_OK;
}

fsn_err_t fsn_radixq_push(fsn_radixq_t *q, const fsn_qentry_t *e) {
    fsn_err_t rc = e->tbits < q->last ? fsn_qheap_push(&q->early, e) : rx_put(q, e);
    if (!rc) q->n++;
    return rc;
}

const fsn_qentry_t *fsn_radixq_top(fsn_radixq_t *q, fsn_err_t *rc) {
    *rc = FSN_OK;
    if (q->h0.len == 0 && q->occ) {
        unsigned i = (unsigned)__builtin_ctzll(q->occ) + 1u;
        /* Reserve first, so that the move below cannot fail half way (and
         * lose the entries not yet moved): blocks for every entry plus a
         * partial one per lower bucket, and bucket 0's heap for the
         * entries at the new `last`. */
        size_t cnt = 0, at_min = 0;
        for (uint32_t b = q->head[i]; b != RX_NIL; b = q->blk[b].next) {
            cnt += q->blk[b].n;
            for (uint32_t k = 0; k < q->blk[b].n; k++) at_min += q->blk[b].v[k].tbits == q->bmin[i];
        }
        size_t need = cnt / RX_BLK + i + 1, have = (size_t)(q->cap_blk - q->nblk) + q->nfree;
        if (need > have) {
            size_t cap = (size_t)q->cap_blk * 2;
            if (cap < (size_t)q->nblk + need) cap = (size_t)q->nblk + need;
            if (cap >= RX_NIL / 2) {
                *rc = FSN_ERANGE;
                return NULL;
            }
            fsn_rx_block_t *nb = realloc(q->blk, cap * sizeof *nb);
            if (!nb) {
                *rc = FSN_ENOMEM;
                return NULL;
            }
            q->blk = nb;
            q->cap_blk = (uint32_t)cap;
        }
        if (at_min > q->h0.cap) {
            fsn_qentry_t *v = realloc(q->h0.v, at_min * sizeof *v);
            if (!v) {
                *rc = FSN_ENOMEM;
                return NULL;
            }
            q->h0.v = v;
            q->h0.cap = at_min;
        }
        q->last = q->bmin[i];
        q->occ &= ~(UINT64_C(1) << (i - 1));
        uint32_t b = q->head[i];
        q->head[i] = RX_NIL;
        while (b != RX_NIL) { /* every entry goes to a bucket below i */
            /* Index, not pointer: a put may grow (move) the block pool. */
            for (uint32_t k = 0; k < q->blk[b].n; k++) {
                fsn_qentry_t e = q->blk[b].v[k];
                fsn_err_t prc = rx_put(q, &e);
                FSN_REQUIRE(prc == FSN_OK); /* reserved above */
                (void)prc;
            }
            uint32_t nx = q->blk[b].next;
            q->blk[b].next = q->free_blk;
            q->free_blk = b;
            q->nfree++;
            b = nx;
        }
    }
    const fsn_qentry_t *a = fsn_qheap_top(&q->h0), *e = fsn_qheap_top(&q->early);
    if (e && (!a || fsn_qkey(e) < fsn_qkey(a))) {
        q->top_src = 2;
        return e;
    }
    q->top_src = a ? 1 : 0;
    return a;
}

void fsn_radixq_pop(fsn_radixq_t *q) {
    FSN_REQUIRE(q->top_src != 0);
    if (q->top_src == 1) fsn_qheap_pop(&q->h0);
    else fsn_qheap_pop(&q->early);
    q->top_src = 0;
    q->n--;
}

void fsn_radixq_filter(fsn_radixq_t *q, fsn_qkeep_fn keep, const void *ctx) {
    size_t n = 0;
    fsn_qheap_filter(&q->h0, keep, ctx);
    fsn_qheap_filter(&q->early, keep, ctx);
    n += q->h0.len + q->early.len;
    for (unsigned i = 1; i < 65; i++) {
        if (!(q->occ & (UINT64_C(1) << (i - 1)))) continue;
        uint64_t mn = UINT64_MAX;
        size_t cnt = 0;
        for (uint32_t b = q->head[i]; b != RX_NIL; b = q->blk[b].next) {
            fsn_rx_block_t *B = &q->blk[b];
            uint32_t k = 0;
            for (uint32_t j = 0; j < B->n; j++)
                if (keep(ctx, &B->v[j])) {
                    B->v[k++] = B->v[j];
                    if (B->v[j].tbits < mn) mn = B->v[j].tbits;
                }
            B->n = k; /* empty blocks stay linked; they refill or go at the next move */
            cnt += k;
        }
        q->bmin[i] = mn;
        if (cnt == 0) {
            /* Return the bucket's blocks to the pool. */
            uint32_t b = q->head[i];
            while (b != RX_NIL) {
                uint32_t nx = q->blk[b].next;
                q->blk[b].next = q->free_blk;
                q->free_blk = b;
                q->nfree++;
                b = nx;
            }
            q->head[i] = RX_NIL;
            q->occ &= ~(UINT64_C(1) << (i - 1));
        }
        n += cnt;
    }
    q->n = n;
    q->top_src = 0;
}
