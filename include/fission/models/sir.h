/*
 * models/sir.h: the Markovian SIR-equivalent sharing process.
 *
 * A user who has the link shares it to each friend at rate beta until
 * losing interest at rate gamma; a friend who receives it while still
 * "susceptible" starts sharing in turn. This is the SIR epidemic of
 * igraph_sir, and its final size on a large sparse graph follows bond
 * percolation with transmissibility T = beta / (beta + gamma). It serves
 * as the validation model of the engine (against theory and igraph) and
 * as the pure cascade a campaign can be compared with.
 *
 * The model is a table of one event type on the engine, "infect" (a
 * friend's share reaches user a), posted as a light event. When a user is
 * infected at time t, the interest period r ~ Exp(gamma) is drawn at once,
 * and with it the shares that will happen: each friend would receive the
 * share after tau ~ Exp(beta), and does if tau < r. The receivers are
 * reached by geometric jumps along the friend list (one exponential draw
 * per share, by ziggurat, no logarithm), and a share is posted only if it
 * arrives before any share already on its way to that friend (a per-user
 * earliest-arrival time prunes the ones sure to lose the race). This is
 * exactly the Markovian process: competing exponential clocks, resolved
 * in time order. Since nothing depends on when a user stops sharing,
 * recoveries are not queue events: their times are sorted and merged
 * into the trajectory at the end of the run.
 *
 * The trajectory (time, S, I, R after every infection and recovery, with
 * the initial state first) is recorded as igraph_sir records it.
 */
#ifndef FISSION_MODELS_SIR_H
#define FISSION_MODELS_SIR_H

#include <stdint.h>

#include "fission/engine.h"
#include "fission/error.h"
#include "fission/graph.h"
#include "fission/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fsn_sir fsn_sir_t;

typedef struct fsn_sir_traj {
    size_t len;                 /* entries recorded */
    double *time;
    uint32_t *s, *i, *r;
} fsn_sir_traj_t;

/*
 * Create the model for graph g (borrowed, must outlive the model) and
 * register its event types on eng. Allocates per-user state, a
 * trajectory of capacity 2n + 1 and room for the shares of one
 * infection (the largest degree) up front: a run allocates nothing.
 * NULL on allocation failure or if registration fails. O(n).
 */
fsn_sir_t *fsn_sir_new(const fsn_csr_t *g, fsn_engine_t *eng);
void fsn_sir_free(fsn_sir_t *m);

/*
 * One outbreak: reset eng, infect the nfirst users of `first` at time 0
 * (duplicates count once), run to the end. rng is advanced. Afterwards
 * *traj points into the model (valid until the next run); entry 0 is the
 * initial state. Errors: FSN_EINVAL for beta or gamma not > 0 and finite,
 * no first user, or one out of range; FSN_ENOMEM if the engine cannot
 * grow. Cost: O(n) to reset plus O((infected + shares sent) x log(pending)).
 */
fsn_err_t fsn_sir_run(fsn_sir_t *m, double beta, double gamma, const fsn_vid_t *first,
                      size_t nfirst, fsn_rng_t *rng, const fsn_sir_traj_t **traj);

/* Users ever infected in the last run (the final size R at the end). */
uint32_t fsn_sir_final_size(const fsn_sir_t *m);

/*
 * The 16-bit code of an arrival time t >= 0 in the model's state words:
 * t's bit pattern divided by 2^42 and rounded up (10 bits of mantissa
 * kept), less (1023 - 14) x 1024 - 1, clamped to [1, 0xFFFE]: the code
 * of the engine's fsn_engine_set_moot_code contract with shift 42 and
 * that offset, so that the words can serve that test (the model itself
 * uses them to prune shares as they are drawn and gives the engine the
 * cheaper test on a zero word). Exposed so that the two can be checked
 * against each other. O(1).
 */
uint32_t fsn_sir_time_code(double t);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_MODELS_SIR_H */
