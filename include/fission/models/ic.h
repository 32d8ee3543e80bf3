/*
 * models/ic.h: the independent cascade.
 *
 * The simplest word-of-mouth process. A user who receives the link for
 * the first time becomes active and shares it once to each friend; each
 * share succeeds independently with probability T (the transmissibility)
 * and arrives after a delay ~ Exp(mean mean_delay), in hours. A friend
 * reached for the first time becomes active in turn; later arrivals at an
 * active user change nothing. The first users ("seeds") are active at
 * time 0.
 *
 * Since every tie carries at most one share that matters (from whichever
 * end was active first), the set of users reached is exactly the seeds'
 * cluster in bond percolation with open probability T, on any graph. The
 * Markovian SIR-equivalent (models/sir.h) with T = beta / (beta + gamma)
 * has the same final-size law for a major outbreak on large sparse
 * graphs, though not the same chance of one: there a user's shares are
 * correlated through a common interest period, here they are independent.
 * docs/CASCADE.md has the details.
 *
 * The model is one event type on the engine, "activate" (a share reaches
 * user a), posted as a light event, with the SIR model's earliest-arrival
 * pruning: a share is posted only if it would arrive before any share
 * already on its way to that friend. Successful shares are found by
 * geometric jumps along the friend list, so a user costs its successful
 * shares, not its degree: at T = 0.01 a user with 1000 friends costs
 * about 21 draws (a jump and a delay per each of some 10 shares, and the
 * jump past the end).
 *
 * Besides the final size, a run records each active user's generation
 * (the hop count of the chain of shares that reached it) and the time of
 * the last activation.
 */
#ifndef FISSION_MODELS_IC_H
#define FISSION_MODELS_IC_H

#include <stdint.h>

#include "fission/engine.h"
#include "fission/error.h"
#include "fission/graph.h"
#include "fission/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fsn_ic fsn_ic_t;

typedef struct fsn_ic_result {
    uint32_t reached;   /* users active at the end, seeds included */
    uint32_t depth;     /* longest chain of shares from a seed */
    double duration;    /* time of the last activation (0 if only seeds) */
} fsn_ic_result_t;

/*
 * Create the model for graph g (borrowed, must outlive the model) and
 * register its event type on eng (borrowed too). Allocates the per-user
 * state up front (12 bytes a user): a run allocates nothing but what the
 * engine's queue may grow by. NULL on allocation failure or if
 * registration fails. O(n).
 */
fsn_ic_t *fsn_ic_new(const fsn_csr_t *g, fsn_engine_t *eng);

/* Free the model (not the graph or the engine). NULL ok. */
void fsn_ic_free(fsn_ic_t *m);

/*
 * One cascade: reset eng, activate the nfirst users of `first` at time 0
 * (a user listed twice counts once), run to the end. rng is advanced.
 * *out, if not NULL, receives the summary. The generations stay readable
 * until the next run.
 * Errors: FSN_EINVAL for T outside [0, 1] or NaN, mean_delay not > 0 and
 * finite, nfirst == 0, or a seed >= n; FSN_ENOMEM if the engine's queue
 * cannot grow. On failure fsn_ic_error(m) holds a message naming the
 * argument at fault, and *out is left alone.
 * Cost: O(n) to reset, plus O(reached + successful shares) draws and
 * queue operations (O(1) expected each on the calendar queue); friends
 * skipped over by the geometric jumps cost nothing.
 */
fsn_err_t fsn_ic_run(fsn_ic_t *m, double T, double mean_delay, const fsn_vid_t *first,
                     size_t nfirst, fsn_rng_t *rng, fsn_ic_result_t *out);

/* Generation of user v in the last run: 0 for a seed, the hop count of
 * the chain of shares that activated it otherwise, UINT32_MAX if it was
 * never reached (or before any run). Requires v < n. O(1). */
uint32_t fsn_ic_generation(const fsn_ic_t *m, fsn_vid_t v);

/* The last run's error (code FSN_OK and an empty message after a
 * successful run). Owned by the model. O(1). */
const fsn_error_t *fsn_ic_error(const fsn_ic_t *m);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_MODELS_IC_H */
