/*
 * graph.h: the social graph of fission, the whole API.
 *
 * Three kinds of object live here.
 *
 *   fsn_edges_t  a growable list of undirected ties (u, v, strength, kind)
 *                that generators and readers append to. It is the staging
 *                area: duplicates and self-loops are allowed in it.
 *   fsn_csr_t    the compact, read-only adjacency the simulation reads:
 *                32-bit user ids, 64-bit row offsets, one byte of tie
 *                strength and one byte of tie kind per adjacency entry.
 *                Built once, then shared by every replicate and thread.
 *                About 10 bytes per undirected tie plus 8 bytes per user.
 *   fsn_circles_t the overlapping circles (family, colleagues, classmates,
 *                friends) of the WeChat-like generator: member lists per
 *                circle, so a model can post to "a group chat".
 *
 * Generators that igraph provides (Erdos-Renyi, Barabasi-Albert,
 * Watts-Strogatz, k-regular, configuration model, stochastic block model)
 * run inside igraph; the result is copied into a CSR and igraph's copy is
 * destroyed before return. The WeChat-like generator and the edge-list
 * reader write fsn_edges_t directly: igraph holds about 32 bytes per edge
 * (two int64 endpoint vectors and two int64 index vectors), which at ten
 * million users and mean degree 50 is 8 GB before any copy, against about
 * 10 bytes per tie in the CSR. Only files in the graph module include
 * igraph, and every igraph call happens on the caller's thread: Debian's
 * igraph is built without thread safety, so graph construction is
 * single-threaded by contract and the CSR it yields is what threads share.
 *
 * Tie strength is quantised to a byte: strength = tie / 255.0, so 255 is
 * the strongest tie and 0 the weakest. Unweighted inputs get
 * FSN_TIE_DEFAULT.
 */
#ifndef FISSION_GRAPH_H
#define FISSION_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "fission/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t fsn_vid_t;
#define FSN_VID_MAX UINT32_MAX

/* Tie strength in [0, 255]; strength = value / 255. */
typedef uint8_t fsn_tie_t;
#define FSN_TIE_DEFAULT ((fsn_tie_t)128)

/* What social circle a tie comes from. */
typedef enum fsn_tie_kind {
    FSN_TIE_OTHER = 0,     /* generator without circles, or read from a file */
    FSN_TIE_FAMILY = 1,
    FSN_TIE_COLLEAGUE = 2,
    FSN_TIE_CLASSMATE = 3,
    FSN_TIE_FRIEND = 4,
    FSN_TIE_WEAK = 5,      /* acquaintance across circles */
    FSN_TIE_KIND_COUNT = 6
} fsn_tie_kind_t;

/* Name of a tie kind ("family", ...); "unknown" out of range. */
const char *fsn_tie_kind_name(int kind);

/* ------------------------------------------------------------------ */
/* Edge staging list                                                  */
/* ------------------------------------------------------------------ */

typedef struct fsn_edges {
    uint32_t n;          /* number of users (ids are 0 .. n-1) */
    size_t len, cap;
    fsn_vid_t *u, *v;
    fsn_tie_t *tie;
    uint8_t *kind;
} fsn_edges_t;

/* Empty list over n users; no allocation until the first push. O(1). */
void fsn_edges_init(fsn_edges_t *e, uint32_t n);
/* Free the arrays; e is left empty and may be reused. NULL ok. */
void fsn_edges_destroy(fsn_edges_t *e);
/* Make room for at least cap ties. FSN_ENOMEM on failure. O(cap). */
fsn_err_t fsn_edges_reserve(fsn_edges_t *e, size_t cap);
/* Append one tie; grows geometrically (amortised O(1)). Requires u, v < n. */
fsn_err_t fsn_edges_push(fsn_edges_t *e, fsn_vid_t u, fsn_vid_t v, fsn_tie_t tie,
                         uint8_t kind);

/* ------------------------------------------------------------------ */
/* CSR                                                                */
/* ------------------------------------------------------------------ */

typedef struct fsn_csr {
    uint32_t n;           /* users */
    uint64_t m;           /* undirected ties (each stored twice) */
    uint64_t *offset;     /* n + 1 row starts into adj / tie / kind */
    fsn_vid_t *adj;       /* neighbours, ascending within a row */
    fsn_tie_t *tie;       /* strength of each adjacency entry */
    uint8_t *kind;        /* fsn_tie_kind_t of each adjacency entry */
    uint64_t *label;      /* original id of each user (file ids), or NULL */
} fsn_csr_t;

static inline uint32_t fsn_csr_degree(const fsn_csr_t *g, fsn_vid_t v) {
    return (uint32_t)(g->offset[v + 1] - g->offset[v]);
}

/*
 * Build a simple undirected CSR from a staging list: self-loops dropped,
 * parallel ties merged (the strongest strength and its kind are kept),
 * rows sorted. The list is consumed: its arrays are freed and it is left
 * empty (this keeps the peak memory at about one copy). On error the list
 * is still freed and *g is left zeroed.
 * Cost: O(m) time via two counting passes plus a sort of each row,
 * about 2 x (4 + 1 + 1) bytes per tie of extra memory.
 */
fsn_err_t fsn_csr_from_edges(fsn_csr_t *g, fsn_edges_t *e, fsn_error_t *err);

/* Free everything the CSR owns; zeroes it. NULL ok. */
void fsn_csr_destroy(fsn_csr_t *g);

/* Bytes the CSR holds (arrays only). O(1). */
size_t fsn_csr_bytes(const fsn_csr_t *g);

/*
 * Relabel users in breadth-first order from the highest-degree user (each
 * component in turn, largest-degree start first), so that friends have
 * nearby ids and the simulation's per-user arrays are read with locality.
 * If perm is not NULL it receives new_id[old_id] (caller allocates n).
 * label follows the users. Cost: O(n + m) time, one extra CSR of memory.
 */
fsn_err_t fsn_csr_reorder_bfs(fsn_csr_t *g, fsn_vid_t *perm, fsn_error_t *err);

/* Index of v in u's row, or -1 if u and v are not tied. O(log deg(u)). */
int64_t fsn_csr_find(const fsn_csr_t *g, fsn_vid_t u, fsn_vid_t v);

/* ------------------------------------------------------------------ */
/* Generators through igraph                                          */
/* ------------------------------------------------------------------ */

typedef enum fsn_gen_kind {
    FSN_GEN_ERDOS_RENYI = 0,   /* G(n, p) or G(n, m) */
    FSN_GEN_BARABASI,          /* preferential attachment, m ties per user */
    FSN_GEN_WATTS_STROGATZ,    /* ring lattice with k neighbours a side, rewire p */
    FSN_GEN_K_REGULAR,         /* every user has degree k */
    FSN_GEN_CONFIG_SEQUENCE,   /* configuration model from a degree sequence */
    FSN_GEN_CONFIG_POWERLAW,   /* configuration model, power-law degrees */
    FSN_GEN_SBM,               /* stochastic block model */
    FSN_GEN_WECHAT             /* overlapping circles (fsn_wechat_params_t) */
} fsn_gen_kind_t;

typedef struct fsn_gen_params {
    fsn_gen_kind_t kind;
    uint32_t n;                /* users */
    double p;                  /* ER: tie probability (if m == 0); WS: rewiring */
    uint64_t m;                /* ER: number of ties (if > 0); BA: ties per new user */
    uint32_t k;                /* WS: neighbours each side; k-regular: degree */
    const uint32_t *degrees;   /* CONFIG_SEQUENCE: n degrees (sum must be even) */
    double exponent;           /* CONFIG_POWERLAW: P(k) ~ k^-exponent (> 2) */
    uint32_t min_degree;       /* CONFIG_POWERLAW: smallest degree (>= 1) */
    uint32_t max_degree;       /* CONFIG_POWERLAW: largest degree (0: floor(sqrt(n))) */
    uint32_t blocks;           /* SBM: number of equal blocks (<= 4096) */
    double p_in, p_out;        /* SBM: tie probability inside / across blocks */
    fsn_tie_t tie;             /* strength given to every tie (0: default) */
    uint64_t seed;             /* igraph RNG seed */
} fsn_gen_params_t;

/* Defaults for a kind (n = 1000, mean degree about 10, seed 1; every
 * field gets a usable value, degrees stays NULL). */
void fsn_gen_params_default(fsn_gen_params_t *p, fsn_gen_kind_t kind);

/* Parse a generator name ("er", "ba", "ws", "regular", "config",
 * "powerlaw", "sbm", "wechat", or a long form such as "erdos-renyi",
 * "barabasi-albert", "watts-strogatz", "k-regular", "configuration",
 * "power-law"; case and '_' / '-' do not matter); -1 if unknown. */
int fsn_gen_kind_parse(const char *name);
/* The short name of a kind; "unknown" out of range. */
const char *fsn_gen_kind_name(fsn_gen_kind_t kind);

/*
 * Generate a graph into *g (multi-ties and self-loops removed). For
 * FSN_GEN_WECHAT use fsn_wechat_generate instead (FSN_EINVAL here).
 * Every tie gets strength p->tie (FSN_TIE_DEFAULT if 0), kind
 * FSN_TIE_OTHER. The same parameters and seed give the same CSR, byte for
 * byte, whatever igraph's global generator holds (a private generator is
 * used; seeds differing only in bit 63 coincide). igraph's handlers and
 * default generator are restored before return.
 * Calls igraph: one thread at a time only (igraph is not thread-safe).
 * Errors: FSN_EINVAL with the offending parameter named ("ba: m must be
 * >= 1 and < n (n = 1000), got 0"), FSN_ELIB if igraph fails, FSN_ENOMEM.
 *
 * The models and their cost (m ties; all plus O(n + m) for the copy into
 * the CSR, and igraph holds ~32 bytes per tie meanwhile):
 *   ER        G(n, m) if m > 0 (exactly m ties, m <= n(n-1)/2), else
 *             G(n, p). O(n + m) expected.
 *   BA        igraph_barabasi_game, psumtree: linear preferential
 *             attachment, each new user ties to min(m, users so far)
 *             distinct users, so exactly n m - m(m+1)/2 ties and every
 *             degree >= m. Requires 1 <= m < n. O(n m log n).
 *   WS        ring of n users, each tied to k neighbours each side
 *             (requires 2k < n), then igraph rewires EACH END of each tie
 *             with probability p (no loops or multi-ties), so about
 *             1 - (1 - p)^2 of the ties move; exactly n k ties. O(n k).
 *   k-regular igraph_k_regular_game (stub matching, no multi-ties);
 *             requires k < n and n k even. For 2k > n - 1 the complement
 *             of a random (n - 1 - k)-regular graph, since the heuristic
 *             stalls when k nears n. O(n k) expected while k << n; up to
 *             O(n k^2) near k = n / 2 (20 s at n = 3000, k = 1400).
 *   config    exact degrees, simple, for every graphical sequence (else
 *             FSN_EINVAL). If every degree is >= 1 and the sum is
 *             >= 2(n - 1): Viger-Latapy, which also makes the graph
 *             connected (measured 2.4 s at n = 1e5, 80 s at n = 1e6, mean
 *             degree 9: about m^1.5). Otherwise (isolated users, too few
 *             ties to connect): a linear Havel-Hakimi realisation then
 *             10 m degree-preserving switches (igraph_rewire): 3 s for
 *             4.4e5 ties, 46 s for 4.4e6. Both close to uniform.
 *   powerlaw  n degrees drawn exactly from P(k) ~ k^-exponent on
 *             [min_degree, max_degree] by rejection (O(1) expected per
 *             draw), one redrawn if the sum is odd, then as config (a
 *             sample that is not graphical is FSN_EINVAL: lower
 *             max_degree). With min_degree >= 2 this is Viger-Latapy.
 *   SBM       igraph_sbm_game: block b holds users b n / blocks ..
 *             (b + 1) n / blocks - 1 (sizes differ by at most one);
 *             p_in inside a block, p_out across. O(n + m + blocks^2).
 */
fsn_err_t fsn_graph_generate(fsn_csr_t *g, const fsn_gen_params_t *p, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* The WeChat-like generator                                          */
/* ------------------------------------------------------------------ */

typedef enum fsn_circle_kind {
    FSN_CIRCLE_FAMILY = 0,
    FSN_CIRCLE_COLLEAGUES = 1,
    FSN_CIRCLE_CLASSMATES = 2,
    FSN_CIRCLE_FRIENDS = 3,
    FSN_CIRCLE_KIND_COUNT = 4
} fsn_circle_kind_t;

typedef struct fsn_wechat_params {
    uint32_t n;                          /* users */
    double mean_degree;                  /* target mean number of ties */
    /* For each circle kind: how many circles of that kind a user belongs
     * to on average, the mean circle size, the probability that two
     * members of one circle are tied, and their tie strength range. */
    double memberships[FSN_CIRCLE_KIND_COUNT];
    double circle_size[FSN_CIRCLE_KIND_COUNT];
    double tie_prob[FSN_CIRCLE_KIND_COUNT];
    double strength_lo[FSN_CIRCLE_KIND_COUNT], strength_hi[FSN_CIRCLE_KIND_COUNT];
    double weak_share;                   /* fraction of ties that are weak */
    double weak_exponent;                /* power-law exponent of weak-tie activity */
    double weak_strength_lo, weak_strength_hi;
    uint64_t seed;
} fsn_wechat_params_t;

/* Defaults: mean degree 50, circles as documented in docs/GRAPH.md. */
void fsn_wechat_params_default(fsn_wechat_params_t *p, uint32_t n);

typedef struct fsn_circles {
    uint32_t count;          /* number of circles */
    uint8_t *kind;           /* fsn_circle_kind_t of each circle */
    uint64_t *offset;        /* count + 1 starts into member */
    fsn_vid_t *member;       /* members of each circle */
} fsn_circles_t;

void fsn_circles_destroy(fsn_circles_t *c);

/*
 * Generate the WeChat-like graph: users join overlapping circles; members
 * of one circle are tied with that kind's probability and strength; weak
 * ties with heavy-tailed activity join users across circles. circles may
 * be NULL if the caller does not want them. Does not call igraph.
 * Cost: O(n + m) expected time; peak memory about 2x the final CSR.
 */
fsn_err_t fsn_wechat_generate(fsn_csr_t *g, fsn_circles_t *circles,
                              const fsn_wechat_params_t *p, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Readers                                                            */
/* ------------------------------------------------------------------ */

/*
 * Read an undirected edge list: one tie per line, "u v" or "u v w".
 * Fields are separated by blanks (spaces, tabs) or by commas (CSV) with
 * optional blanks around them; CRLF line endings are accepted and lines
 * may be of any length. Blank lines and lines whose first non-blank
 * character is '#' or '%' are skipped, so SNAP files read as they are.
 * If the first other line has a first field that does not begin like a
 * number (a digit, sign or point), it is a header ("source,target,weight")
 * and is skipped; on any later line it is an error.
 * Ids are digit strings 0 .. 2^63 - 1 ("007" is 7), relabelled 0 .. n-1
 * in order of first appearance; label[new] keeps the file's id. A weight
 * w must be a finite decimal number in [0, 1] and gives the strength
 * round(w * 255); without one the tie gets FSN_TIE_DEFAULT. Every tie has
 * kind FSN_TIE_OTHER. Self-loops are dropped and repeated ties merged as
 * in fsn_csr_from_edges (a user named only in self-loops stays, with no
 * ties).
 * A file without a single tie (empty, only comments, only self-loops) is
 * an error, FSN_EPARSE "PATH: no ties found": such a graph cannot carry a
 * campaign, and an empty input is far more often a mistake than a wish.
 * Errors are one line. A fault in the text gives FSN_EPARSE
 * "PATH:LINE: expected ..., got '...'" (a bad, negative or too large id,
 * a missing second id, more than 3 fields, an empty CSV field, a weight
 * that is not a number, NaN or outside [0, 1], a NUL byte); more than
 * 2^32 - 1 distinct users gives FSN_ERANGE at the line of the first user
 * too many; FSN_EIO "PATH: cannot open: <reason>" or "PATH: cannot read:
 * <reason>"; FSN_ENOMEM. On error *g is left zeroed and nothing leaks.
 * Never prints. Cost: O(bytes + m log m) time; besides the staged ties
 * and the CSR, 8 bytes of label per user and, while reading, an id table
 * of 12 to 23 bytes per user.
 */
fsn_err_t fsn_graph_read_edgelist(fsn_csr_t *g, const char *path, fsn_error_t *err);

/*
 * Read a GraphML file with libxml2 (no network access; external entities
 * are not loaded). Every <node id=".."> is a user and every
 * <edge source=".." target=".."> a tie, wherever they sit under the
 * <graphml> root; edges may come before the nodes they name. The graph is
 * read as undirected whatever its edgedefault or an edge's directed
 * attribute says: a tie written both ways is one tie. Hyperedges, ports
 * and all other data are ignored.
 * The weight key is the first <key> with attr.name="weight" (any case)
 * and for="edge" or "all" (or no for); an edge's <data> for that key must
 * hold a decimal number in [0, 1], giving strength round(w * 255). An
 * edge without it takes the key's <default> if there is one, else
 * FSN_TIE_DEFAULT.
 * Users are numbered in order of first mention (by a <node> or an edge);
 * node ids are strings, so label[user] holds the 0-based position of the
 * user's <node> among the file's <node> elements.
 * Errors, FSN_EPARSE "PATH:LINE: ...": malformed XML (libxml2's own
 * message, which is caught rather than printed), a root that is not
 * <graphml>, a <node> without id or with an id already declared, an
 * <edge> without source or target, an edge naming a node that no <node>
 * declares (reported at the first edge naming it), a weight or default
 * weight that is not a number in [0, 1]; "PATH: no ties found" as for
 * edge lists; FSN_ERANGE past 2^32 - 1 nodes; FSN_EIO if the file cannot
 * be opened; FSN_ENOMEM. The line is that of the element at fault (past
 * line 65535 libxml2 may give the line after). On error *g is left
 * zeroed. Never prints. Calls xmlInitParser, never xmlCleanupParser.
 * Cost: O(bytes + m log m) time; node ids are held once in an arena.
 */
fsn_err_t fsn_graph_read_graphml(fsn_csr_t *g, const char *path, fsn_error_t *err);

/* Pick the reader from the extension of the file name, ignoring case:
 * .graphml or .xml for GraphML, anything else for an edge list. */
fsn_err_t fsn_graph_read(fsn_csr_t *g, const char *path, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Description                                                        */
/* ------------------------------------------------------------------ */

typedef struct fsn_graph_stats {
    uint32_t n;
    uint64_t m;
    uint32_t deg_min, deg_max;
    double deg_mean;
    double deg_p50, deg_p90, deg_p99;     /* degree percentiles */
    double clustering_global;             /* 3 x triangles / connected triples */
    double clustering_avg_local;          /* mean local clustering, degree < 2 counted as 0 */
    uint32_t components;
    uint32_t giant_size;                  /* users in the largest component */
    double assortativity;                 /* degree Pearson correlation over ties */
    uint64_t tie_kind_count[FSN_TIE_KIND_COUNT];
    double tie_strength_mean;             /* in [0, 1] */
    uint64_t tie_strong;                  /* ties with strength >= 0.5 */
} fsn_graph_stats_t;

/*
 * Describe a CSR. Computed on the CSR itself (no igraph), so it works at
 * the scale the CSR does; single-threaded, does not call igraph.
 *
 *   deg_p50/p90/p99  percentiles of the n user degrees by linear
 *                    interpolation between closest ranks (NumPy's and R's
 *                    default, Hyndman-Fan type 7): with the degrees sorted
 *                    ascending as x[0] .. x[n-1] and h = (n - 1) p / 100,
 *                    the p-th percentile is x[floor h] + (h - floor h) x
 *                    (x[floor h + 1] - x[floor h]). Read from a degree
 *                    histogram, not a sort.
 *   clustering_global     3 x triangles / connected triples (igraph's
 *                    transitivity_undirected); 0 if there are no triples.
 *   clustering_avg_local  mean over all n users of triangles(v) /
 *                    C(deg v, 2), users of degree < 2 counting as 0 (igraph's
 *                    transitivity_avglocal_undirected, IGRAPH_TRANSITIVITY_ZERO).
 *   components, giant_size  connected components; isolated users are
 *                    components of size 1.
 *   assortativity    Pearson correlation of the degrees at the two ends of
 *                    each tie, both directions counted (igraph's
 *                    assortativity_degree, directed = false). NaN when it is
 *                    undefined: no ties, or all users with ties have one
 *                    same degree (regular graphs, cliques, rings). Test
 *                    with isnan().
 *   tie_kind_count   undirected ties of each kind; kinds outside the enum
 *                    count as FSN_TIE_OTHER, so the counts add up to m.
 *   tie_strength_mean  mean of tie / 255 over undirected ties (0 if m = 0).
 *   tie_strong       undirected ties with tie >= 128 (strength >= 0.5).
 *
 * The empty graph (n = 0) is valid: every field is 0 except assortativity,
 * which is NaN. On error *st is zeroed. Errors: FSN_ENOMEM only.
 *
 * Cost: O(n + m + sum over ties of the smaller end degree) time, which is
 * at most O(m sqrt(m)): triangles are counted once each, from their
 * highest corner in the (degree, id) order, by marking the lower
 * neighbours of a user in a bitmap and scanning the rows of those
 * neighbours, so a hub's row is scanned once and never per neighbour.
 * Extra memory is per user only, never per tie: at most about 8 bytes per
 * user at a time (a 64-bit triangle count and one bit), the degree
 * histogram (4 bytes per value up to the maximum degree) and the
 * component search (5 bytes per user) being allocated and freed in turn.
 */
fsn_err_t fsn_graph_describe(const fsn_csr_t *g, fsn_graph_stats_t *st, fsn_error_t *err);

/*
 * Format a description as a human-readable report of a few lines (users,
 * ties, degree spread, clustering, components and giant share,
 * assortativity, tie-kind mix with percentages, mean strength and strong
 * share), for the CLI to print. snprintf semantics: writes at most size
 * bytes including the terminating NUL (buf may be NULL when size is 0) and
 * returns the length the whole report needs, without the NUL; a return
 * value >= size means the text was truncated. Returns -1 only if the C
 * library's formatting fails. O(1).
 */
int fsn_graph_stats_format(const fsn_graph_stats_t *st, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_GRAPH_H */
