/*
 * seeding.h: whom a campaign gives its first links to.
 *
 * A referral cascade starts from a handful of users, and which handful
 * matters as much as any model parameter: a random pick, the best
 * connected users by one of three centralities, users of one city tier,
 * or a list the analyst brings. The work splits in two, by how often it
 * runs:
 *
 *   fsn_seed_rank / fsn_seed_read  once per scenario, before replicates
 *                start: rank every user by a centrality, or read a list
 *                of ids. These allocate, and the rank may call igraph, so
 *                they run on one thread.
 *   fsn_seeds_pick  once per replicate, on any worker thread: take the
 *                first seeds of that list, or draw random ones from the
 *                replicate's stream. No allocation, no igraph, and only
 *                caller-owned scratch, so replicates never share state.
 *
 * The ranked kinds are deterministic (ties by smaller id), so every
 * replicate of a scenario starts from the same seeds and differs only in
 * the dynamics; RANDOM and TIER draw from the replicate's own stream.
 */
#ifndef FISSION_SEEDING_H
#define FISSION_SEEDING_H

#include <stddef.h>
#include <stdint.h>

#include "fission/attrs.h"
#include "fission/error.h"
#include "fission/graph.h"
#include "fission/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whom a campaign gives its first links to. */
typedef enum fsn_seed_kind {
    FSN_SEED_RANDOM = 0,    /* uniform distinct users, from the replicate's stream */
    FSN_SEED_DEGREE = 1,    /* most ties first */
    FSN_SEED_PAGERANK = 2,  /* highest PageRank first (igraph, damping 0.85, tie strength as weight) */
    FSN_SEED_KCORE = 3,     /* highest coreness first, then degree */
    FSN_SEED_TIER = 4,      /* uniform distinct users of one city tier */
    FSN_SEED_FILE = 5       /* user ids listed in a file, in file order */
} fsn_seed_kind_t;

#define FSN_SEED_KIND_COUNT 6

/* Name of a kind: "random", "degree", "pagerank", "kcore", "tier",
 * "file"; "unknown" out of range. O(1). */
const char *fsn_seed_kind_name(int kind);

/* The kind of a name (exact lower-case names of fsn_seed_kind_name);
 * -1 if unknown or NULL. O(1). */
int fsn_seed_kind_parse(const char *name);

/*
 * Rank all n users best-first for DEGREE, PAGERANK or KCORE into
 * rank[0 .. n-1], a permutation of the user ids (caller allocates n).
 * Deterministic: users with equal keys come in increasing id order.
 *
 *   DEGREE    by degree, descending. Counting sort: O(n + max degree)
 *             time, 8 bytes per degree value of scratch. No igraph.
 *   PAGERANK  igraph_pagerank (PRPACK), undirected, damping 0.85, each
 *             tie weighted by its strength tie / 255 (ties of strength 0
 *             carry no weight). Values are compared on a grid of 1e-12
 *             (they sum to 1 and PRPACK solves to about 1e-10), so users
 *             whose values differ only by rounding, such as the leaves of
 *             a star, are equal and come in id order. O(n log n + cost of
 *             PRPACK, about O(m) per iteration); memory: a copy of the
 *             graph in igraph, about 56 bytes per tie while it is built
 *             (PRPACK then makes its own copy of the ties), plus 24
 *             bytes per user.
 *   KCORE     by coreness (igraph_coreness, Batagelj-Zaversnik), then by
 *             degree, both descending. O(n + m + max degree) time; memory
 *             as for PAGERANK without the weights.
 *
 * Calls igraph for PAGERANK and KCORE: igraph is not thread-safe, so call
 * this from one thread only (it runs once per scenario, before the
 * replicates start). igraph's error and warning handlers are replaced
 * for the call and restored before return; nothing is printed.
 * Errors: FSN_EINVAL for another kind (rank untouched); FSN_ENOMEM;
 * FSN_ELIB if igraph fails. On error rank's content is unspecified.
 */
fsn_err_t fsn_seed_rank(const fsn_csr_t *g, fsn_seed_kind_t kind, fsn_vid_t *rank,
                        fsn_error_t *err);

/*
 * Read a seed file: one user id per line, '#' starting a comment (whole
 * line or after the id), blank lines skipped, blanks around the id and
 * CRLF endings accepted, lines of any length. Ids are the graph's labels
 * when g->label is set (the ids of the file the graph was read from),
 * else 0 .. n-1; *ids receives the matching user ids (fsn_vid_t) in file
 * order. Duplicates are dropped (the first is kept).
 * Errors, with *ids NULL and *count 0:
 *   FSN_EPARSE  "PATH:LINE: expected a user id (a whole number), got 'x'";
 *               "PATH:LINE: user id 42 is not in the graph"; an empty file
 *               (no id at all) "PATH:LINE: no user ids in the file", LINE
 *               being its last line (1 if it has none).
 *   FSN_EIO     the file cannot be opened or read ("PATH: cannot open: ...").
 *   FSN_ENOMEM.
 * *ids is malloc'ed, the caller frees it. Cost: O(bytes + k log n) for k
 * ids with labels (a sorted index of the labels, 16 bytes per user), O(bytes)
 * without; plus n bytes to find duplicates.
 */
fsn_err_t fsn_seed_read(const char *path, const fsn_csr_t *g, fsn_vid_t **ids, size_t *count,
                        fsn_error_t *err);

typedef struct fsn_seeding {
    fsn_seed_kind_t kind;
    uint32_t count;          /* seeds wanted */
    int tier;                /* TIER: the fsn_tier_t */
    const fsn_vid_t *list;   /* DEGREE/PAGERANK/KCORE: the rank from fsn_seed_rank; FILE: the ids read; else NULL */
    size_t list_len;
} fsn_seeding_t;

/*
 * Pick min(count, available) distinct seeds into out[] (room for
 * s->count), *got their number.
 *
 *   RANDOM    a uniform random subset of min(count, n) users by Floyd's
 *             algorithm: min(count, n) draws from r. The subset is
 *             uniform; its order in out[] is not (later draws may land
 *             last). O(count).
 *   TIER      a uniform random subset of min(count, k) of the k users
 *             whose users->tier is s->tier, by reservoir sampling
 *             (Algorithm R) over one scan of the users: the first count
 *             tier users fill out[], then the i-th (0-based, i >= count)
 *             replaces out[j] for j uniform in [0, i] when j < count.
 *             max(k - count, 0) draws from r. O(n).
 *   DEGREE, PAGERANK, KCORE, FILE  the first count distinct entries of
 *             list[0 .. list_len-1] (entries already taken are skipped),
 *             without touching r. O(count) for a list without repeats.
 *
 * mark is caller scratch of g->n bytes, all zero on entry and left all
 * zero on return (also on error). users may be NULL except for TIER. No
 * allocation; safe to call from many threads at once with their own r,
 * mark and out.
 * Errors (FSN_EINVAL, *got 0, r untouched): an unknown kind; TIER with
 * users NULL, users->n != g->n or a tier outside 0 .. FSN_TIER_COUNT-1;
 * a list kind with list NULL (while list_len > 0) or an id >= g->n in it.
 */
fsn_err_t fsn_seeds_pick(const fsn_seeding_t *s, const fsn_csr_t *g, const fsn_users_t *users,
                         fsn_rng_t *r, uint8_t *mark, fsn_vid_t *out, uint32_t *got,
                         fsn_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_SEEDING_H */
