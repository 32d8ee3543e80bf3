/*
 * sample.h: the distributions a commerce model draws from, the whole API.
 *
 * Three families live here, all drawing from the inline generator
 * (fsn_rng_t) so a model's event handler pays no GSL call:
 *
 *   - continuous building blocks: the standard normal and Gamma(k, 1);
 *   - reaction delays: how many hours pass between a user seeing a share
 *     and acting on it, as exponential, lognormal, gamma or fixed delays
 *     that are all parameterised by their mean, so swapping the shape of
 *     the law leaves the average speed of a cascade unchanged;
 *   - the two money mechanics of WeChat-style social commerce: the red
 *     packet (hong bao) split, where each claimer grabs a random share of
 *     a fixed total, and the bargain (kan jia), where each helper a user
 *     recruits cuts the price by some amount until it reaches a floor.
 *
 * Money is counted in whole fen (1 fen = 0.01 CNY) as int64_t, never as a
 * double: a red packet's amounts must sum to its total exactly, and a
 * price must land on its floor exactly, which floating point does not
 * guarantee. Every sampler is O(1) (up to rejection loops with a bounded
 * expected number of rounds), allocates nothing and keeps no state
 * beyond the caller's generator, so the same seed gives the same draws.
 * Parameter structs are checked once (fsn_delay_prepare,
 * fsn_cut_schedule_check), which report a bad field as an error code and
 * a message; the draw functions then trust them.
 */
#ifndef FISSION_SAMPLE_H
#define FISSION_SAMPLE_H

#include <stdint.h>

#include "fission/error.h"
#include "fission/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Normal and gamma                                                   */
/* ------------------------------------------------------------------ */

/* Standard normal N(0, 1) by Marsaglia's polar method: pairs of uniforms
 * on (-1, 1)^2 until one falls inside the unit disc (probability pi/4),
 * then one of the two normals the pair yields (the other is discarded,
 * since the function keeps no state). Expected 2.55 64-bit draws, one
 * log and one sqrt. O(1) expected, no allocation. */
double fsn_sample_normal(fsn_rng_t *r);

/* Gamma(shape k, scale 1): mean k, variance k. Marsaglia and Tsang's
 * (2000) squeeze-rejection method, accepting in about 1.0 to 1.05 rounds
 * for k >= 1. For k < 1 it draws Gamma(k + 1) and multiplies by
 * U^(1/k) (the "boost"). Requires k > 0 and finite (FSN_REQUIRE); for k
 * far below 1e-3 most draws underflow to 0, as the law says they nearly
 * are. O(1) expected, no allocation. */
double fsn_sample_gamma(fsn_rng_t *r, double k);

/* ------------------------------------------------------------------ */
/* Reaction delays (hours)                                            */
/* ------------------------------------------------------------------ */

/* The law of a delay. Every kind is set by its mean, so the kinds differ
 * only in spread and tail:
 *   EXP        exponential, memoryless; standard deviation = mean.
 *   LOGNORMAL  exp(mu + shape Z) with mu = log(mean) - shape^2 / 2, so
 *              the mean is exactly `mean`; shape is the standard
 *              deviation of the log delay (0 gives the fixed delay).
 *   GAMMA      Gamma(shape k, scale mean / k); k = 1 is the exponential,
 *              k < 1 has more short and very long delays, large k
 *              concentrates around the mean (sd = mean / sqrt(k)).
 *   FIXED      always exactly `mean` (which may be 0). */
typedef enum fsn_delay_kind {
    FSN_DELAY_EXP = 0,
    FSN_DELAY_LOGNORMAL = 1,
    FSN_DELAY_GAMMA = 2,
    FSN_DELAY_FIXED = 3
} fsn_delay_kind_t;

#define FSN_DELAY_KIND_COUNT 4

typedef struct fsn_delay {
    fsn_delay_kind_t kind;
    double mean;  /* mean delay in hours, > 0 and finite (FIXED: the delay itself, >= 0) */
    double shape; /* LOGNORMAL: sigma of log delay, in [0, 5]; GAMMA: shape k in (0, 1e6];
                     ignored otherwise */
    /* derived by fsn_delay_prepare; callers do not set them */
    double p0, p1, p2;
} fsn_delay_t;

/* "exponential", "lognormal", "gamma", "fixed"; "unknown" out of range.
 * The strings are static. O(1). */
const char *fsn_delay_kind_name(int kind);

/* Inverse of fsn_delay_kind_name (exact, case-sensitive); -1 if the name
 * is unknown or NULL. O(1). */
int fsn_delay_kind_parse(const char *name);

/* Check d->kind, d->mean and (for LOGNORMAL and GAMMA) d->shape, then
 * fill the derived constants p0..p2 that fsn_delay_draw reads. A field
 * the kind ignores is not checked. On a bad field returns FSN_EINVAL and
 * writes "delay: <field> = <value>, expected <range>" into err (which
 * may be NULL); d's derived constants are then unspecified. Requires d
 * non-NULL. O(1). */
fsn_err_t fsn_delay_prepare(fsn_delay_t *d, fsn_error_t *err);

/* One delay >= 0 hours whose expectation is d->mean. Requires a d that
 * fsn_delay_prepare accepted. A draw beyond DBL_MAX (possible only for
 * means near DBL_MAX) is returned as DBL_MAX, never as infinity or NaN.
 * FIXED draws nothing from r. O(1) expected, no allocation. */
double fsn_delay_draw(const fsn_delay_t *d, fsn_rng_t *r);

/* ------------------------------------------------------------------ */
/* Red packet (hong bao) split                                        */
/* ------------------------------------------------------------------ */

/* One grab from a red packet that still holds remaining_fen for
 * `remaining` claimers (remaining >= 1, remaining_fen >= remaining; both
 * FSN_REQUIRE). This is the rule WeChat is widely reported to use: the
 * last claimer takes everything left; any other claimer gets an amount
 * uniform between 0.01 CNY and twice the current average, so the
 * expected grab is the current average M / c (M = remaining_fen,
 * c = remaining) and, by induction, every position in the queue expects
 * total / n: being early is no advantage on average, only in spread.
 *
 * Discretisation (exact). Write 2M = q c + s with 0 <= s < c. The
 * amount is a uniform whole number of fen in {1, ..., H}, where the top
 * H is q with probability s / c and q - 1 otherwise. Its mean is
 * (q + s / c) / 2 = M / c exactly, with no rounding bias; H >= 1 since
 * q >= 2; and every amount is < 2M / c. That bound already leaves at
 * least 1 fen for each of the c - 1 later claimers (2M / c - 1 <=
 * M - c + 1 for c >= 2); the cap at M - (c - 1) is still applied, as a
 * guard. When M == c every claimer gets exactly 1 fen.
 *
 * Draws at most two numbers from r (none when remaining == 1). O(1), no
 * allocation. */
int64_t fsn_redpacket_grab(int64_t remaining_fen, uint32_t remaining, fsn_rng_t *r);

/* Split total_fen among n claimers in grab order into out[0..n-1] by n
 * successive fsn_redpacket_grab calls: the amounts are each >= 1 fen and
 * sum to total_fen exactly. FSN_EINVAL with a message (err may be NULL)
 * if n == 0 or total_fen < n (not every claimer could get 1 fen); out is
 * then untouched. Requires r and out non-NULL. O(n), no allocation. */
fsn_err_t fsn_redpacket_split(int64_t total_fen, uint32_t n, fsn_rng_t *r, int64_t *out,
                              fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Bargain (kan jia) cut schedules                                    */
/* ------------------------------------------------------------------ */

/* How each helper's click cuts the price. Let G0 be the initial gap
 * between list price and floor, g the gap left now, h the helper's index
 * (0 for the first) and u a fresh uniform on [0, 1). Every raw cut below
 * is rounded up to whole fen, then raised to min_cut_fen and finally
 * lowered to g, so a cut always lies in [min(min_cut_fen, g), g]: each
 * helper moves the price at least min(min_cut_fen, g) >= 1 fen and the
 * price never passes its floor, so the floor is reached after at most g
 * helpers whatever the kind.
 *
 *   EQUAL      ceil(G0 / helpers): deterministic, so exactly `helpers`
 *              helpers reach the floor when helpers divides G0 (and at
 *              most `helpers` otherwise, if min_cut_fen is not larger).
 *   RANDOM     (G0 / helpers) (1 + jitter (2u - 1)): uniform around the
 *              EQUAL cut with relative half-width jitter; jitter 0 is
 *              EQUAL. About `helpers` helpers on average.
 *   SHRINKING  helper 0 cuts first_share G0 (1 + jitter (2u - 1)); helper
 *              h >= 1 cuts first_share decay^h g (1 + jitter (2u - 1)),
 *              an expected share of what is left that shrinks
 *              geometrically. The shares sum to a finite amount, so the
 *              shares alone never close the gap: after the big early cuts
 *              the price creeps down by min_cut_fen per helper. This is
 *              the Pinduoduo shape ("one more friend and it is free"):
 *              half the gap goes at once, the rest needs many helpers.
 *              With the defaults and a 100 CNY gap it takes about 1 340
 *              helpers on average (tests/test_sample.c measures it).
 */
typedef enum fsn_cut_kind {
    FSN_CUT_EQUAL = 0,
    FSN_CUT_RANDOM = 1,
    FSN_CUT_SHRINKING = 2
} fsn_cut_kind_t;

#define FSN_CUT_KIND_COUNT 3

typedef struct fsn_cut_schedule {
    fsn_cut_kind_t kind;
    uint32_t helpers;    /* EQUAL and RANDOM: helpers needed on average to go from list price
                            to floor, >= 1 */
    double first_share;  /* SHRINKING: share of the initial gap the first cut takes, in (0, 1] */
    double decay;        /* SHRINKING: each later cut's expected share of the remaining gap
                            shrinks by this factor per helper, in (0, 1] */
    double jitter;       /* RANDOM and SHRINKING: relative randomness of a cut, in [0, 1] */
    int64_t min_cut_fen; /* smallest cut, >= 1 fen */
} fsn_cut_schedule_t;

/* "equal", "random", "shrinking"; "unknown" out of range. Static
 * strings. O(1). */
const char *fsn_cut_kind_name(int kind);

/* Inverse of fsn_cut_kind_name (exact, case-sensitive); -1 if the name is
 * unknown or NULL. O(1). */
int fsn_cut_kind_parse(const char *name);

/* The default schedule: SHRINKING with first_share 0.5, decay 0.7,
 * jitter 0.5, helpers 8 (used if the kind is switched to EQUAL or
 * RANDOM) and min_cut_fen 1. Requires s non-NULL. O(1). */
void fsn_cut_schedule_default(fsn_cut_schedule_t *s);

/* Check the kind, min_cut_fen and the fields the kind uses (see the
 * struct); fields the kind ignores are not checked. On a bad field
 * returns FSN_EINVAL and writes "cut: <field> = <value>, expected
 * <range>" into err (which may be NULL). Requires s non-NULL. O(1). */
fsn_err_t fsn_cut_schedule_check(const fsn_cut_schedule_t *s, fsn_error_t *err);

/* The cut, in fen, of helper number `helper` (0 for the first) when
 * gap_fen (> 0) is left between the current price and the floor and
 * initial_gap_fen (>= gap_fen) was the gap at the start; the rules are
 * above. Always in [min(min_cut_fen, gap_fen), gap_fen]: a price never
 * goes below its floor. Requires a schedule fsn_cut_schedule_check
 * accepts and gap_fen > 0 (FSN_REQUIRE; without asserts a gap <= 0
 * returns 0). EQUAL draws nothing from r, the others one number. O(1),
 * no allocation. */
int64_t fsn_cut_draw(const fsn_cut_schedule_t *s, int64_t initial_gap_fen, int64_t gap_fen,
                     uint32_t helper, fsn_rng_t *r);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_SAMPLE_H */
