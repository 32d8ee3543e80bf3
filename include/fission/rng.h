/*
 * rng.h: fission's random numbers, the whole API.
 *
 * The generator is xoshiro256** (Blackman and Vigna, 2018): 256 bits of
 * state, period 2^256 - 1, passes BigCrush, and a next() of a few
 * instructions. It is registered as a gsl_rng_type (fsn_rng_xoshiro256ss)
 * so every gsl_ran_* sampler can draw from it, and the same state is
 * reachable inline (fsn_rng_state) for hot loops that cannot afford GSL's
 * indirect call per draw.
 *
 * Streams. A replicate's randomness is a pure function of (base seed,
 * scenario point, replicate): fsn_rng_seed_stream hashes the triple with
 * SplitMix64 into a full 256-bit state. No stream depends on how many
 * workers ran or in what order, so results are reproducible across thread
 * and process counts. Within a replicate, fsn_rng_substream derives
 * further independent streams by purpose (graph, attributes, dynamics),
 * so adding draws to one part of a model does not shift another's.
 * Distinct triples give unrelated states; the chance that two of k
 * streams of length L overlap is below k^2 L / 2^256.
 */
#ifndef FISSION_RNG_H
#define FISSION_RNG_H

#include <math.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "fission/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fsn_rng {
    uint64_t s[4];
} fsn_rng_t;

/* The gsl_rng_type of xoshiro256**: gsl_rng_alloc(fsn_rng_xoshiro256ss).
 * gsl_rng_get returns the full 64-bit output (max = 2^64 - 1);
 * gsl_rng_set(r, s) seeds as fsn_rng_seed(state, s). */
extern const gsl_rng_type *const fsn_rng_xoshiro256ss;

/* Seed from one 64-bit value (SplitMix64 expansion; never all-zero). O(1). */
void fsn_rng_seed(fsn_rng_t *r, uint64_t seed);

/* Seed the stream of (base seed, scenario point, replicate). O(1). */
void fsn_rng_seed_stream(fsn_rng_t *r, uint64_t base, uint64_t point, uint64_t replicate);

/* Derive an independent stream from r's current state and a purpose tag,
 * without advancing r. O(1). */
void fsn_rng_substream(fsn_rng_t *out, const fsn_rng_t *r, uint64_t purpose);

/* Advance by 2^128 draws (the reference jump). O(256). */
void fsn_rng_jump(fsn_rng_t *r);

/* Allocate a gsl_rng of our type seeded to the given stream. NULL on
 * allocation failure (GSL's error handler must be off: see
 * fsn_rng_gsl_quiet). Free with gsl_rng_free. */
gsl_rng *fsn_rng_gsl_alloc_stream(uint64_t base, uint64_t point, uint64_t replicate);

/* The fsn_rng_t inside a gsl_rng of our type (requires that type). */
fsn_rng_t *fsn_rng_state(gsl_rng *r);

/* Turn off GSL's aborting error handler (once, at program start, before
 * threads start; the CLI and tests call it). */
void fsn_rng_gsl_quiet(void);

/* SplitMix64 finaliser: a bijective 64-bit mix. */
static inline uint64_t fsn_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t fsn_rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* Next 64 random bits. O(1). */
static inline uint64_t fsn_rng_next(fsn_rng_t *r) {
    uint64_t *s = r->s;
    const uint64_t result = fsn_rotl64(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = fsn_rotl64(s[3], 45);
    return result;
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double fsn_rng_uniform(fsn_rng_t *r) {
    return (double)(fsn_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform double in (0, 1): never 0, so log() is safe. */
static inline double fsn_rng_uniform_pos(fsn_rng_t *r) {
    return ((double)(fsn_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n >= 1, unbiased (Lemire's method). */
static inline uint64_t fsn_rng_below(fsn_rng_t *r, uint64_t n) {
    __uint128_t m = (__uint128_t)fsn_rng_next(r) * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            m = (__uint128_t)fsn_rng_next(r) * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Exponential with the given rate (> 0): mean 1 / rate. */
static inline double fsn_rng_exp(fsn_rng_t *r, double rate) {
    return -log(fsn_rng_uniform_pos(r)) / rate;
}

/* Exponential ziggurat tables (constant data, rng.c) and slow path. */
extern const uint64_t fsn_zig_ke[256];
extern const double fsn_zig_we[256];
double fsn_rng_exp1_slow(fsn_rng_t *r, uint64_t u);

/* Standard exponential (mean 1) by the ziggurat method of Marsaglia and
 * Tsang: one 64-bit draw, a table lookup and a compare on 98.9% of calls,
 * no logarithm. The low 8 bits pick the layer and the top 53 the point,
 * so the two are independent. */
static inline double fsn_rng_exp1(fsn_rng_t *r) {
    uint64_t u = fsn_rng_next(r);
    unsigned i = (unsigned)(u & 255);
    uint64_t j = u >> 11;
    if (j < fsn_zig_ke[i]) return (double)j * fsn_zig_we[i];
    return fsn_rng_exp1_slow(r, u);
}

/* Bernoulli(p). */
static inline int fsn_rng_bernoulli(fsn_rng_t *r, double p) {
    return fsn_rng_uniform(r) < p;
}

#ifdef __cplusplus
}
#endif
#endif /* FISSION_RNG_H */
