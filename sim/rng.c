/*
 * rng.c: xoshiro256** as a gsl_rng_type, seeding and stream derivation.
 *
 * The generator itself is inline in rng.h so that the hot loop of a model
 * pays no call; this file holds what is called rarely: seeding, the jump,
 * and the table that makes the generator a gsl_rng_type.
 *
 * GSL's rng interface draws unsigned longs between min and max; on LP64
 * an unsigned long holds all 64 output bits, so max is 2^64 - 1 and
 * gsl_rng_uniform divides by 2^64 exactly as it would for any full-range
 * generator. get_double is overridden to use the top 53 bits, which is
 * both faster and free of the rounding to 1.0 that a 64-bit division has.
 * The type table is const data: there is no mutable global here.
 */
#include "fission/rng.h"

#include <gsl/gsl_errno.h>
#include <limits.h>
#include <string.h>

_Static_assert(sizeof(unsigned long) == 8, "fission needs a 64-bit unsigned long (LP64)");

static uint64_t splitmix_next(uint64_t *x) {
    *x += 0x9e3779b97f4a7c15ULL;
    return fsn_mix64(*x);
}

void fsn_rng_seed(fsn_rng_t *r, uint64_t seed) {
    FSN_REQUIRE(r);
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix_next(&x);
    /* SplitMix64 is a bijection of the counter, so four consecutive
     * outputs cannot all be zero; keep the guard for clarity. */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
}

void fsn_rng_seed_stream(fsn_rng_t *r, uint64_t base, uint64_t point, uint64_t replicate) {
    /* Hash the triple in sequence: each component passes through a full
     * avalanche before the next is added, so (a, b, c) and any
     * permutation or near neighbour give unrelated keys. */
    uint64_t k = fsn_mix64(base ^ 0x6a09e667f3bcc909ULL);
    k = fsn_mix64(k ^ fsn_mix64(point + 0xbb67ae8584caa73bULL));
    k = fsn_mix64(k ^ fsn_mix64(replicate + 0x3c6ef372fe94f82bULL));
    fsn_rng_seed(r, k);
}

void fsn_rng_substream(fsn_rng_t *out, const fsn_rng_t *r, uint64_t purpose) {
    uint64_t k = fsn_mix64(purpose + 0xa54ff53a5f1d36f1ULL);
    for (int i = 0; i < 4; i++) k = fsn_mix64(k ^ r->s[i]);
    fsn_rng_seed(out, k);
}

void fsn_rng_jump(fsn_rng_t *r) {
    static const uint64_t JUMP[] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL,
                                    0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL};
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 64; b++) {
            if (JUMP[i] & (UINT64_C(1) << b)) {
                s0 ^= r->s[0];
                s1 ^= r->s[1];
                s2 ^= r->s[2];
                s3 ^= r->s[3];
            }
            fsn_rng_next(r);
        }
    r->s[0] = s0;
    r->s[1] = s1;
    r->s[2] = s2;
    r->s[3] = s3;
}

/* ---- exponential ziggurat ------------------------------------------ */

#include "rng_zig_tables.h"

#define ZIG_R 7.697117470131487

double fsn_rng_exp1_slow(fsn_rng_t *r, uint64_t u) {
    for (;;) {
        unsigned i = (unsigned)(u & 255);
        uint64_t j = u >> 11;
        if (j < fsn_zig_ke[i]) return (double)j * fsn_zig_we[i];
        if (i == 0) return ZIG_R - log(fsn_rng_uniform_pos(r)); /* the tail */
        double x = (double)j * fsn_zig_we[i];
        if (fsn_zig_fe[i] + fsn_rng_uniform(r) * (fsn_zig_fe[i - 1] - fsn_zig_fe[i]) < exp(-x))
            return x;
        u = fsn_rng_next(r);
    }
}

/* ---- the gsl_rng_type -------------------------------------------- */

static void gsl_set(void *state, unsigned long seed) { fsn_rng_seed(state, (uint64_t)seed); }

static unsigned long gsl_get(void *state) { return (unsigned long)fsn_rng_next(state); }

static double gsl_get_double(void *state) { return fsn_rng_uniform(state); }

static const gsl_rng_type xoshiro_type = {
    "xoshiro256**", ULONG_MAX, 0, sizeof(fsn_rng_t), &gsl_set, &gsl_get, &gsl_get_double};

const gsl_rng_type *const fsn_rng_xoshiro256ss = &xoshiro_type;

fsn_rng_t *fsn_rng_state(gsl_rng *r) {
    FSN_REQUIRE(r && r->type == &xoshiro_type);
    return (fsn_rng_t *)r->state;
}

gsl_rng *fsn_rng_gsl_alloc_stream(uint64_t base, uint64_t point, uint64_t replicate) {
    gsl_rng *r = gsl_rng_alloc(&xoshiro_type);
    if (!r) return NULL;
    fsn_rng_seed_stream(fsn_rng_state(r), base, point, replicate);
    return r;
}

void fsn_rng_gsl_quiet(void) { gsl_set_error_handler_off(); }
