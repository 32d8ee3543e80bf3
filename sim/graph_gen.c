/*
 * graph_gen.c: the random graph generators that run inside igraph.
 *
 * What this file holds. fsn_graph_generate validates a parameter block,
 * asks igraph for one of its classic random graphs (Erdos-Renyi,
 * Barabasi-Albert, Watts-Strogatz, k-regular, configuration model from a
 * given or a power-law degree sequence, stochastic block model), copies
 * the ties into the staging list and builds the CSR the simulation reads.
 * igraph's copy of the graph is destroyed before the CSR is built, so the
 * peak memory is igraph's graph plus one staging list, never two graphs
 * in igraph's 32-bytes-per-edge layout.
 *
 * Why it is written the way it is. igraph is a library with global state,
 * and three pieces of it would break our rules if left alone:
 *
 *   - its default error handler prints and calls abort(), and its default
 *     warning handler prints. The library must never do either, so every
 *     sequence of igraph calls runs inside a "scope" that installs a
 *     handler which records igraph's reason and then defers to
 *     igraph_error_handler_ignore (which unwinds igraph's own clean-up
 *     stack), silences warnings, and restores both previous handlers on the
 *     way out. igraph error codes become FSN_ENOMEM or FSN_ELIB, with
 *     igraph_strerror and igraph's reason in the message.
 *   - its random numbers come from a process-wide default generator,
 *     seeded from the clock unless someone seeded it. A simulation must be
 *     reproducible from its seed, so the scope creates a private PCG32
 *     generator, seeds it with the caller's seed, makes it the default for
 *     the duration and puts the previous default back. The same
 *     parameters and seed give the same CSR, byte for byte. (igraph's
 *     PCG32 takes the seed as its stream number and uses 63 of its 64
 *     bits: seeds that differ only in the top bit give the same graph.)
 *   - the handlers, the default generator and igraph's clean-up stack are
 *     plain globals: Debian's igraph is built with IGRAPH_THREAD_SAFE 0.
 *     Two threads inside igraph at once would corrupt each other's state,
 *     and swapping the default generator from two threads would mix their
 *     random streams. So these functions must be called from one thread
 *     at a time (in practice: build the graph before starting workers);
 *     the CSR they return is plain memory that any number of threads can
 *     read. The recorded igraph reason lives in a file-level buffer for
 *     the same reason it is safe: only one thread is ever in here.
 *
 * Two pieces are ours rather than igraph's, each for a measured reason.
 * The power-law degree sampler, because igraph has none for a bounded
 * discrete power law; it draws from the same private generator, so the
 * seed covers it. And the Havel-Hakimi step of the configuration model,
 * because igraph 0.10's is quadratic and its fast stub-matching
 * alternative can loop for ever on tight sequences (see degseq_game). A
 * third fix works around igraph too: dense k-regular graphs are built as
 * complements, since igraph's heuristic stalls as k nears n.
 */
#include "fission/graph.h"

#include <igraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ---------------------------------------------------------- */

static const char *const gen_names[] = {"er",     "ba",       "ws",  "regular",
                                        "config", "powerlaw", "sbm", "wechat"};
#define GEN_KIND_COUNT ((int)(sizeof gen_names / sizeof gen_names[0]))

/* Long forms, compared after lower-casing and mapping '_' to '-'. */
static const struct {
    const char *name;
    fsn_gen_kind_t kind;
} gen_aliases[] = {
    {"erdos-renyi", FSN_GEN_ERDOS_RENYI},
    {"gnp", FSN_GEN_ERDOS_RENYI},
    {"gnm", FSN_GEN_ERDOS_RENYI},
    {"barabasi-albert", FSN_GEN_BARABASI},
    {"barabasi", FSN_GEN_BARABASI},
    {"watts-strogatz", FSN_GEN_WATTS_STROGATZ},
    {"small-world", FSN_GEN_WATTS_STROGATZ},
    {"k-regular", FSN_GEN_K_REGULAR},
    {"configuration", FSN_GEN_CONFIG_SEQUENCE},
    {"configuration-model", FSN_GEN_CONFIG_SEQUENCE},
    {"degree-sequence", FSN_GEN_CONFIG_SEQUENCE},
    {"power-law", FSN_GEN_CONFIG_POWERLAW},
    {"stochastic-block-model", FSN_GEN_SBM},
    {"block-model", FSN_GEN_SBM},
};

const char *fsn_gen_kind_name(fsn_gen_kind_t kind) {
    if ((int)kind < 0 || (int)kind >= GEN_KIND_COUNT) return "unknown";
    return gen_names[kind];
}

/* Case-insensitive, '_' == '-'. */
static int name_eq(const char *given, const char *canon) {
    for (;; given++, canon++) {
        char c = *given;
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c == '_') c = '-';
        if (c != *canon) return 0;
        if (c == '\0') return 1;
    }
}

int fsn_gen_kind_parse(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < GEN_KIND_COUNT; i++)
        if (name_eq(name, gen_names[i])) return i;
    for (size_t i = 0; i < sizeof gen_aliases / sizeof gen_aliases[0]; i++)
        if (name_eq(name, gen_aliases[i].name)) return (int)gen_aliases[i].kind;
    return -1;
}

void fsn_gen_params_default(fsn_gen_params_t *p, fsn_gen_kind_t kind) {
    FSN_REQUIRE(p);
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->n = 1000;
    /* Every field gets a usable value so that changing kind afterwards
     * still gives a sensible graph; the kind only decides p and m, which
     * two generators share. Mean degree is about 10 throughout. */
    p->p = kind == FSN_GEN_WATTS_STROGATZ ? 0.1 : 0.01;
    p->m = kind == FSN_GEN_BARABASI ? 5 : 0;
    p->k = kind == FSN_GEN_K_REGULAR ? 10 : 5;
    p->degrees = NULL;
    p->exponent = 2.5;
    p->min_degree = 2;
    p->max_degree = 0;
    p->blocks = 10;
    p->p_in = 0.08;
    p->p_out = 0.002;
    p->tie = 0;
    p->seed = 1;
}

/* ---- validation ----------------------------------------------------- */

/* In [0, 1]; false for NaN. */
static int prob_ok(double x) {
    return x >= 0.0 && x <= 1.0;
}

/* Largest power-law degree: max_degree, or floor(sqrt(n)) if it is 0. */
static uint32_t powerlaw_kmax(const fsn_gen_params_t *p) {
    if (p->max_degree) return p->max_degree;
    return (uint32_t)floor(sqrt((double)p->n));
}

/* At most this many SBM blocks: the preference matrix is dense, blocks^2
 * doubles (128 MiB here), and igraph walks all of it. */
#define SBM_MAX_BLOCKS 4096u

static fsn_err_t validate(const fsn_gen_params_t *p, fsn_error_t *err) {
    const char *nm = fsn_gen_kind_name(p->kind);
    if ((int)p->kind < 0 || (int)p->kind >= GEN_KIND_COUNT)
        return fsn_error_set(err, FSN_EINVAL,
                             "generate: kind must be a generator (er, ba, ws, regular, config, "
                             "powerlaw, sbm), got %d",
                             (int)p->kind);
    if (p->kind == FSN_GEN_WECHAT)
        return fsn_error_set(err, FSN_EINVAL,
                             "wechat: this generator does not run in igraph; use "
                             "fsn_wechat_generate");
    if (p->n < 1) return fsn_error_set(err, FSN_EINVAL, "%s: n must be >= 1, got 0", nm);
    uint64_t n = p->n;
    switch (p->kind) {
    case FSN_GEN_ERDOS_RENYI:
        if (p->m > 0) {
            uint64_t pairs = n * (n - 1) / 2;
            if (p->m > pairs)
                return fsn_error_set(err, FSN_EINVAL,
                                     "er: m must be <= n(n-1)/2 = %llu (ties among %u users), "
                                     "got %llu",
                                     (unsigned long long)pairs, p->n, (unsigned long long)p->m);
        } else if (!prob_ok(p->p)) {
            return fsn_error_set(err, FSN_EINVAL,
                                 "er: p must be in [0, 1] (used when m == 0), got %g", p->p);
        }
        break;
    case FSN_GEN_BARABASI:
        if (p->m < 1 || p->m >= n)
            return fsn_error_set(err, FSN_EINVAL, "ba: m must be >= 1 and < n (n = %u), got %llu",
                                 p->n, (unsigned long long)p->m);
        break;
    case FSN_GEN_WATTS_STROGATZ:
        if (p->k < 1 || 2 * (uint64_t)p->k >= n)
            return fsn_error_set(err, FSN_EINVAL,
                                 "ws: k must be >= 1 and < n/2 (n = %u, k neighbours each "
                                 "side), got %u",
                                 p->n, p->k);
        if (!prob_ok(p->p))
            return fsn_error_set(err, FSN_EINVAL, "ws: p (rewiring) must be in [0, 1], got %g",
                                 p->p);
        break;
    case FSN_GEN_K_REGULAR:
        if (p->k < 1 || p->k >= n)
            return fsn_error_set(err, FSN_EINVAL,
                                 "regular: k must be >= 1 and < n (n = %u), got %u", p->n, p->k);
        if ((n * p->k) % 2)
            return fsn_error_set(err, FSN_EINVAL,
                                 "regular: n * k must be even (the degree sum of a graph is), "
                                 "got n = %u, k = %u",
                                 p->n, p->k);
        break;
    case FSN_GEN_CONFIG_SEQUENCE: {
        if (!p->degrees)
            return fsn_error_set(err, FSN_EINVAL,
                                 "config: degrees must point to n = %u degrees, got NULL", p->n);
        uint64_t sum = 0;
        for (uint32_t i = 0; i < p->n; i++) {
            if (p->degrees[i] >= n)
                return fsn_error_set(
                    err, FSN_EINVAL,
                    "config: degrees[%u] must be < n = %u (a simple graph), got %u", i, p->n,
                    p->degrees[i]);
            sum += p->degrees[i];
        }
        if (sum % 2)
            return fsn_error_set(err, FSN_EINVAL,
                                 "config: the sum of degrees must be even, got %llu",
                                 (unsigned long long)sum);
        break; /* graphicality is checked by igraph, inside the scope */
    }
    case FSN_GEN_CONFIG_POWERLAW: {
        if (!(p->exponent > 2.0) || !isfinite(p->exponent))
            return fsn_error_set(err, FSN_EINVAL,
                                 "powerlaw: exponent must be a finite number > 2, got %g",
                                 p->exponent);
        if (p->min_degree < 1 || p->min_degree >= n)
            return fsn_error_set(err, FSN_EINVAL,
                                 "powerlaw: min_degree must be >= 1 and < n (n = %u), got %u", p->n,
                                 p->min_degree);
        if (p->max_degree && (p->max_degree < p->min_degree || p->max_degree >= n))
            return fsn_error_set(err, FSN_EINVAL,
                                 "powerlaw: max_degree must be 0 (cut-off sqrt(n)) or in "
                                 "[min_degree, n) = [%u, %u), got %u",
                                 p->min_degree, p->n, p->max_degree);
        uint32_t kmax = powerlaw_kmax(p);
        if (kmax < p->min_degree)
            return fsn_error_set(err, FSN_EINVAL,
                                 "powerlaw: min_degree must be <= the default cut-off "
                                 "floor(sqrt(n)) = %u, got %u (or set max_degree)",
                                 kmax, p->min_degree);
        if (kmax == p->min_degree && (n * kmax) % 2)
            return fsn_error_set(err, FSN_EINVAL,
                                 "powerlaw: min_degree == max_degree == %u with odd n = %u "
                                 "gives an odd degree sum; widen [min_degree, max_degree]",
                                 kmax, p->n);
        break;
    }
    case FSN_GEN_SBM:
        if (p->blocks < 1 || p->blocks > n || p->blocks > SBM_MAX_BLOCKS)
            return fsn_error_set(err, FSN_EINVAL,
                                 "sbm: blocks must be >= 1 and <= min(n, %u) (n = %u), got %u",
                                 SBM_MAX_BLOCKS, p->n, p->blocks);
        if (!prob_ok(p->p_in))
            return fsn_error_set(err, FSN_EINVAL, "sbm: p_in must be in [0, 1], got %g", p->p_in);
        if (!prob_ok(p->p_out))
            return fsn_error_set(err, FSN_EINVAL, "sbm: p_out must be in [0, 1], got %g", p->p_out);
        break;
    default:
        break;
    }
    return FSN_OK;
}

/* ---- the igraph scope ----------------------------------------------- */

/* igraph's reason for the last error, kept by our handler. igraph's
 * error handler is itself process-global and takes no context, so the
 * reason cannot live in a caller's struct; it is thread-local, so two
 * threads can never see each other's reason, and it is cleared on entry
 * to every igraph scope. This is the library's only static storage. */
static _Thread_local char igraph_reason[256];

static void record_error(const char *reason, const char *file, int line,
                         igraph_error_t igraph_errno) {
    snprintf(igraph_reason, sizeof igraph_reason, "%s", reason ? reason : "");
    /* Unwinds igraph's clean-up stack; never prints or aborts. */
    igraph_error_handler_ignore(reason, file, line, igraph_errno);
}

typedef struct igraph_scope {
    igraph_error_handler_t *old_error;
    igraph_warning_handler_t *old_warning;
    igraph_rng_t old_rng; /* a copy: see scope_enter */
    igraph_rng_t rng;
    int rng_live;
} igraph_scope_t;

/* Translate an igraph failure of `what` into our error record. */
static fsn_err_t igraph_fail(fsn_error_t *err, const char *gen, const char *what,
                             igraph_error_t ie) {
    fsn_err_t code = ie == IGRAPH_ENOMEM ? FSN_ENOMEM : FSN_ELIB;
    if (igraph_reason[0])
        return fsn_error_set(err, code, "%s: %s failed: %s (%s)", gen, what, igraph_strerror(ie),
                             igraph_reason);
    return fsn_error_set(err, code, "%s: %s failed: %s", gen, what, igraph_strerror(ie));
}

static fsn_err_t scope_enter(igraph_scope_t *s, uint64_t seed, const char *gen, fsn_error_t *err) {
    memset(s, 0, sizeof *s);
    igraph_reason[0] = '\0';
    s->old_error = igraph_set_error_handler(record_error);
    s->old_warning = igraph_set_warning_handler(igraph_warning_handler_ignore);
    /* igraph_rng_set_default copies the struct into igraph's one global
     * slot (igraph_rng_default() always returns that slot; the state
     * behind it is shared, not copied), so the previous default must be
     * saved by value: a saved pointer would see our generator. */
    s->old_rng = *igraph_rng_default();
    igraph_error_t ie = igraph_rng_init(&s->rng, &igraph_rngtype_pcg32);
    if (ie != IGRAPH_SUCCESS) {
        igraph_set_warning_handler(s->old_warning);
        igraph_set_error_handler(s->old_error);
        return igraph_fail(err, gen, "igraph_rng_init", ie);
    }
    s->rng_live = 1;
    igraph_rng_seed(&s->rng, (igraph_uint_t)seed); /* cannot fail for PCG32 */
    igraph_rng_set_default(&s->rng);
    return FSN_OK;
}

static void scope_leave(igraph_scope_t *s) {
    if (s->rng_live) {
        igraph_rng_set_default(&s->old_rng);
        igraph_rng_destroy(&s->rng);
        s->rng_live = 0;
    }
    igraph_set_warning_handler(s->old_warning);
    igraph_set_error_handler(s->old_error);
}

/* ---- degree sequences ----------------------------------------------- */

/*
 * Havel-Hakimi realisation of a graphical sequence, into an edge vector
 * (pairs u v). Repeatedly the user with the largest residual degree D is
 * tied to the D users with the next largest residual degrees. Users are
 * kept sorted by residual degree (descending) in ord[], with lo[x] the
 * first index whose residual degree is <= x, so the users of residual
 * degree x sit at [lo[x], lo[x - 1]). Decrementing a user of degree x
 * swaps it with the last user of its group and moves that boundary by
 * one, which keeps ord[] sorted in O(1); the whole realisation costs
 * O(n + max degree + m). (igraph 0.10's igraph_realize_degree_sequence
 * re-sorts at every step: 3 s at 2e4 users, minutes at 1e5.)
 */
static fsn_err_t havel_hakimi(igraph_vector_int_t *edges, const igraph_vector_int_t *deg,
                              igraph_integer_t sum, const char *gen, fsn_error_t *err) {
    igraph_integer_t n = igraph_vector_int_size(deg), maxd = 0;
    for (igraph_integer_t i = 0; i < n; i++)
        if (VECTOR(*deg)[i] > maxd) maxd = VECTOR(*deg)[i];
    size_t nn = (size_t)n, nd = (size_t)maxd + 1;
    igraph_integer_t *res = malloc(nn * sizeof *res), *ord = malloc(nn * sizeof *ord);
    igraph_integer_t *pos = malloc(nn * sizeof *pos), *lo = calloc(nd, sizeof *lo);
    igraph_integer_t *cur = malloc(nd * sizeof *cur), *tg = malloc(nd * sizeof *tg);
    fsn_err_t rc = FSN_OK;
    if (!res || !ord || !pos || !lo || !cur || !tg) {
        rc = fsn_error_set(err, FSN_ENOMEM, "%s: out of memory realising %lld degrees", gen,
                           (long long)n);
        goto done;
    }
    igraph_error_t ie = igraph_vector_int_resize(edges, sum);
    if (ie != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, gen, "igraph_vector_int_resize", ie);
        goto done;
    }
    /* Counting sort, descending: lo[x] = number of users of degree > x. */
    for (igraph_integer_t v = 0; v < n; v++)
        lo[VECTOR(*deg)[v]]++;
    for (igraph_integer_t x = maxd, above = 0; x >= 0; x--) {
        igraph_integer_t c = lo[x];
        lo[x] = cur[x] = above;
        above += c;
    }
    for (igraph_integer_t v = 0; v < n; v++) {
        res[v] = VECTOR(*deg)[v];
        pos[v] = cur[res[v]]++;
        ord[pos[v]] = v;
    }
    igraph_integer_t e = 0;
    for (igraph_integer_t head = 0; head < n;) {
        igraph_integer_t v = ord[head], d = res[v];
        if (d == 0) break; /* sorted: everyone left has degree 0 */
        head++;
        if (head + d > n) break; /* not graphical: caught below */
        for (igraph_integer_t i = 0; i < d; i++)
            tg[i] = ord[head + i];
        for (igraph_integer_t i = 0; i < d; i++) {
            igraph_integer_t u = tg[i], x = res[u];
            if (x == 0) goto not_graphical;
            igraph_integer_t last = lo[x - 1] - 1, w = ord[last];
            ord[pos[u]] = w;
            pos[w] = pos[u];
            ord[last] = u;
            pos[u] = last;
            lo[x - 1] = last;
            res[u] = x - 1;
            VECTOR(*edges)[e++] = v;
            VECTOR(*edges)[e++] = u;
        }
        res[v] = 0;
    }
    if (e == sum) goto done;
not_graphical:
    /* igraph_is_graphical said yes, so this is a bug, not user input. */
    rc = fsn_error_set(err, FSN_ELIB, "%s: Havel-Hakimi could not realise a graphical sequence",
                       gen);
done:
    free(res);
    free(ord);
    free(pos);
    free(lo);
    free(cur);
    free(tg);
    return rc;
}

/*
 * The degree-sequence game shared by CONFIG_SEQUENCE and CONFIG_POWERLAW.
 * Both promise a simple graph with exactly the given degrees whenever the
 * sequence is graphical, in reasonable time at 1e6 users. igraph 0.10 has
 * no single method that does both, so:
 *
 *   0. A sequence that is not graphical (no simple graph has it) is the
 *      caller's error, found with igraph_is_graphical (Erdos-Gallai).
 *   1. If every degree is >= 1 and the sum is >= 2(n - 1), a connected
 *      simple realisation exists, and Viger-Latapy (IGRAPH_DEGSEQ_VL)
 *      samples one: simple, connected, degrees exact, close to uniform
 *      among the connected graphs with these degrees. Measured: 2.4 s at
 *      1e5 users and 4.4e5 ties, 80 s at 1e6 users (about m^1.5).
 *   2. Otherwise (isolated users, or too few ties to connect everyone),
 *      or if VL gives up: a Havel-Hakimi realisation (above, linear)
 *      randomised by 10 m degree-preserving switches (igraph_rewire,
 *      IGRAPH_REWIRING_SIMPLE, which never makes a loop or a multi-tie).
 *      Exact and simple for every graphical sequence, always finishes,
 *      close to uniform after 10 m switches. Measured: 3.2 s for 5e5
 *      ties, 47 s for 5e6. This is igraph's EDGE_SWITCHING_SIMPLE method
 *      with a faster first step.
 *
 * Not used: CONFIGURATION_SIMPLE (exact and uniform, but the chance that
 * a random matching is simple is about exp(-v/2 - v^2/4), v =
 * <k(k-1)> / <k>, so its restarts explode on heavy tails);
 * FAST_HEUR_SIMPLE (fast, but on tight sequences, say a hub that must
 * reach half of many users of degree 1, it restarts for ever; and
 * stopping it through igraph's interruption hook leaks its buffers and
 * leaves igraph's clean-up stack pointing into a dead frame).
 * *ig is initialised on success only.
 */
static fsn_err_t degseq_game(igraph_t *ig, const igraph_vector_int_t *deg, const char *gen,
                             fsn_error_t *err) {
    igraph_bool_t graphical = 0;
    igraph_error_t ie = igraph_is_graphical(deg, NULL, IGRAPH_SIMPLE_SW, &graphical);
    if (ie != IGRAPH_SUCCESS) return igraph_fail(err, gen, "igraph_is_graphical", ie);
    if (!graphical && !strcmp(gen, "powerlaw"))
        return fsn_error_set(err, FSN_EINVAL,
                             "powerlaw: the sampled degrees are not graphical (no simple graph "
                             "has them); lower max_degree or raise n");
    if (!graphical)
        return fsn_error_set(err, FSN_EINVAL,
                             "%s: degrees must be graphical (realisable by a simple graph, "
                             "Erdos-Gallai), got a sequence that is not",
                             gen);
    igraph_integer_t n = igraph_vector_int_size(deg);
    igraph_integer_t sum = 0, dmin = n ? VECTOR(*deg)[0] : 0;
    for (igraph_integer_t i = 0; i < n; i++) {
        sum += VECTOR(*deg)[i];
        if (VECTOR(*deg)[i] < dmin) dmin = VECTOR(*deg)[i];
    }
    if (n >= 2 && dmin >= 1 && sum >= 2 * (n - 1)) {
        ie = igraph_degree_sequence_game(ig, deg, NULL, IGRAPH_DEGSEQ_VL);
        if (ie == IGRAPH_SUCCESS) return FSN_OK;
        if (ie == IGRAPH_ENOMEM) return igraph_fail(err, gen, "igraph_degree_sequence_game", ie);
        igraph_reason[0] = '\0'; /* VL gave up: go on */
    }
    igraph_vector_int_t edges;
    ie = igraph_vector_int_init(&edges, 0);
    if (ie != IGRAPH_SUCCESS) return igraph_fail(err, gen, "igraph_vector_int_init", ie);
    fsn_err_t rc = havel_hakimi(&edges, deg, sum, gen, err);
    if (!rc) {
        ie = igraph_create(ig, &edges, n, IGRAPH_UNDIRECTED);
        if (ie != IGRAPH_SUCCESS) rc = igraph_fail(err, gen, "igraph_create", ie);
    }
    igraph_vector_int_destroy(&edges);
    if (rc) return rc;
    /* A switch needs two ties on four distinct users. */
    igraph_integer_t m = sum / 2;
    if (n >= 4 && m >= 2) {
        ie = igraph_rewire(ig, 10 * m, IGRAPH_REWIRING_SIMPLE);
        if (ie != IGRAPH_SUCCESS) {
            igraph_destroy(ig);
            return igraph_fail(err, gen, "igraph_rewire", ie);
        }
    }
    return FSN_OK;
}

/*
 * One draw from the discrete power law P(k) ~ k^-gamma on [a, b], exact,
 * by rejection from the continuous density x^-gamma on [a, b + 1) cut at
 * floor(x). The proposal gives k the mass q(k) = integral of x^-gamma over
 * [k, k + 1) <= k^-gamma; the ratio r(k) = k^-gamma / q(k) =
 * (gamma - 1) / g(k), g(k) = k (1 - (1 + 1/k)^(1 - gamma)), is largest at
 * k = a (g increases: it is the mean slope of a concave function), so
 * accepting with probability r(k) / r(a) = g(a) / g(k) is valid. The
 * acceptance rate is above one half for every gamma > 2 and a >= 1.
 */
static double powerlaw_g(double k, double s) {
    return -k * expm1(-s * log1p(1.0 / k));
}

static uint32_t powerlaw_draw(igraph_rng_t *rng, uint32_t a, uint32_t b, double gamma) {
    double s = gamma - 1.0;
    /* Inverse CDF of x^-gamma on [a, b + 1): x = a (1 - u c)^(-1/s). */
    double c = -expm1(-s * log(((double)b + 1.0) / a));
    double ga = powerlaw_g(a, s);
    for (;;) {
        double u = igraph_rng_get_unif01(rng);
        double x = a * exp(-log1p(-u * c) / s);
        double k = floor(x);
        if (k < a) k = a;
        if (k > b) k = b;
        if (igraph_rng_get_unif01(rng) * powerlaw_g(k, s) <= ga) return (uint32_t)k;
    }
}

/* Sample n power-law degrees into deg (already sized n) with an even sum. */
static void powerlaw_degrees(igraph_vector_int_t *deg, igraph_rng_t *rng, uint32_t n, uint32_t a,
                             uint32_t b, double gamma) {
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t d = powerlaw_draw(rng, a, b, gamma);
        VECTOR(*deg)[i] = d;
        sum += d;
    }
    if (sum % 2 == 0) return;
    /* Odd sum: redraw one random user's degree until its parity flips,
     * which keeps the law (conditioned on an even sum) for that user.
     * a < b here (validated), so both parities are possible; if the law
     * is so steep that redraws keep failing, step by one within [a, b]. */
    igraph_integer_t i = igraph_rng_get_integer(rng, 0, (igraph_integer_t)n - 1);
    igraph_integer_t old = VECTOR(*deg)[i];
    for (int tries = 0; tries < 1000; tries++) {
        uint32_t d = powerlaw_draw(rng, a, b, gamma);
        if ((d - old) % 2) {
            VECTOR(*deg)[i] = d;
            return;
        }
    }
    VECTOR(*deg)[i] = old < (igraph_integer_t)b ? old + 1 : old - 1;
}

/*
 * k-regular through igraph_k_regular_game, igraph's stub-matching
 * heuristic: quick while k is small against n, but as k nears n the last
 * stubs rarely find a partner they are not tied to yet, and it restarts
 * for minutes (n = 1000, k = 900: over a minute; n = 100, k = 98: never
 * seen to finish). A dense k (2k > n - 1) is therefore built as the
 * complement of a random (n - 1 - k)-regular graph: complementing is a
 * bijection between the two families, so the law carries over, and
 * n (n - 1 - k) is even whenever n k is.
 */
static fsn_err_t k_regular_game(igraph_t *ig, igraph_integer_t n, igraph_integer_t k,
                                fsn_error_t *err) {
    if (2 * k <= n - 1) {
        igraph_error_t ie = igraph_k_regular_game(ig, n, k, 0, 0);
        if (ie != IGRAPH_SUCCESS) return igraph_fail(err, "regular", "igraph_k_regular_game", ie);
        return FSN_OK;
    }
    igraph_t sparse;
    igraph_error_t ie = igraph_k_regular_game(&sparse, n, n - 1 - k, 0, 0);
    if (ie != IGRAPH_SUCCESS) return igraph_fail(err, "regular", "igraph_k_regular_game", ie);
    ie = igraph_complementer(ig, &sparse, 0);
    igraph_destroy(&sparse);
    if (ie != IGRAPH_SUCCESS) return igraph_fail(err, "regular", "igraph_complementer", ie);
    return FSN_OK;
}

/* ---- the generators --------------------------------------------------- */

/* Run the generator for p inside an open scope; *ig is initialised on
 * success only. */
static fsn_err_t run_igraph(igraph_t *ig, const fsn_gen_params_t *p, igraph_scope_t *s,
                            fsn_error_t *err) {
    const char *nm = fsn_gen_kind_name(p->kind);
    igraph_integer_t n = (igraph_integer_t)p->n;
    igraph_error_t ie = IGRAPH_SUCCESS;
    const char *what = "";
    switch (p->kind) {
    case FSN_GEN_ERDOS_RENYI:
        if (p->m > 0) {
            what = "igraph_erdos_renyi_game_gnm";
            ie = igraph_erdos_renyi_game_gnm(ig, n, (igraph_integer_t)p->m, 0, 0);
        } else {
            what = "igraph_erdos_renyi_game_gnp";
            ie = igraph_erdos_renyi_game_gnp(ig, n, p->p, 0, 0);
        }
        break;
    case FSN_GEN_BARABASI:
        /* Linear preferential attachment (power 1, zero appeal A = 1),
         * m distinct ties per new user, undirected, started from a single
         * user. psumtree samples without replacement, so no multi-ties. */
        what = "igraph_barabasi_game";
        ie = igraph_barabasi_game(ig, n, 1.0, (igraph_integer_t)p->m, NULL, 0, 1.0, 0,
                                  IGRAPH_BARABASI_PSUMTREE, NULL);
        break;
    case FSN_GEN_WATTS_STROGATZ:
        what = "igraph_watts_strogatz_game";
        ie = igraph_watts_strogatz_game(ig, 1, n, (igraph_integer_t)p->k, p->p, 0, 0);
        break;
    case FSN_GEN_K_REGULAR:
        return k_regular_game(ig, n, (igraph_integer_t)p->k, err);
    case FSN_GEN_CONFIG_SEQUENCE:
    case FSN_GEN_CONFIG_POWERLAW: {
        igraph_vector_int_t deg;
        ie = igraph_vector_int_init(&deg, n);
        if (ie != IGRAPH_SUCCESS) return igraph_fail(err, nm, "igraph_vector_int_init", ie);
        if (p->kind == FSN_GEN_CONFIG_SEQUENCE) {
            for (uint32_t i = 0; i < p->n; i++)
                VECTOR(deg)[i] = p->degrees[i];
        } else {
            powerlaw_degrees(&deg, &s->rng, p->n, p->min_degree, powerlaw_kmax(p), p->exponent);
        }
        fsn_err_t rc = degseq_game(ig, &deg, nm, err);
        igraph_vector_int_destroy(&deg);
        return rc;
    }
    case FSN_GEN_SBM: {
        /* Block b holds users b*n/blocks .. (b+1)*n/blocks - 1 (sizes
         * differ by at most one when blocks does not divide n). */
        igraph_integer_t nb = (igraph_integer_t)p->blocks;
        igraph_matrix_t pref;
        igraph_vector_int_t sizes;
        ie = igraph_matrix_init(&pref, nb, nb);
        if (ie != IGRAPH_SUCCESS) return igraph_fail(err, nm, "igraph_matrix_init", ie);
        ie = igraph_vector_int_init(&sizes, nb);
        if (ie != IGRAPH_SUCCESS) {
            igraph_matrix_destroy(&pref);
            return igraph_fail(err, nm, "igraph_vector_int_init", ie);
        }
        for (igraph_integer_t i = 0; i < nb; i++) {
            VECTOR(sizes)[i] = (i + 1) * n / nb - i * n / nb;
            for (igraph_integer_t j = 0; j < nb; j++)
                MATRIX(pref, i, j) = i == j ? p->p_in : p->p_out;
        }
        what = "igraph_sbm_game";
        ie = igraph_sbm_game(ig, n, &pref, &sizes, 0, 0);
        igraph_vector_int_destroy(&sizes);
        igraph_matrix_destroy(&pref);
        break;
    }
    default:
        return fsn_error_set(err, FSN_EINVAL, "generate: kind %d has no igraph generator",
                             (int)p->kind);
    }
    if (ie != IGRAPH_SUCCESS) return igraph_fail(err, nm, what, ie);
    return FSN_OK;
}

/* Copy igraph's ties into a staging list and destroy *ig (always). */
static fsn_err_t copy_ties(fsn_edges_t *e, igraph_t *ig, const fsn_gen_params_t *p,
                           fsn_error_t *err) {
    const char *nm = fsn_gen_kind_name(p->kind);
    fsn_tie_t tie = p->tie ? p->tie : FSN_TIE_DEFAULT;
    fsn_err_t rc = FSN_OK;
    fsn_edges_init(e, p->n);
    if (igraph_vcount(ig) != (igraph_integer_t)p->n) {
        rc = fsn_error_set(err, FSN_ELIB, "%s: igraph returned %lld users, expected %u", nm,
                           (long long)igraph_vcount(ig), p->n);
        goto done;
    }
    igraph_integer_t m = igraph_ecount(ig);
    rc = fsn_edges_reserve(e, (size_t)m);
    if (rc) {
        rc = fsn_error_set(err, rc, "%s: out of memory copying %lld ties", nm, (long long)m);
        goto done;
    }
    for (igraph_integer_t i = 0; i < m; i++) {
        e->u[i] = (fsn_vid_t)IGRAPH_FROM(ig, i);
        e->v[i] = (fsn_vid_t)IGRAPH_TO(ig, i);
        e->tie[i] = tie;
        e->kind[i] = FSN_TIE_OTHER;
    }
    e->len = (size_t)m;
done:
    igraph_destroy(ig);
    if (rc) fsn_edges_destroy(e);
    return rc;
}

fsn_err_t fsn_graph_generate(fsn_csr_t *g, const fsn_gen_params_t *p, fsn_error_t *err) {
    FSN_REQUIRE(g && p);
    memset(g, 0, sizeof *g);
    fsn_err_t rc = validate(p, err);
    if (rc) return rc;

    igraph_scope_t scope;
    rc = scope_enter(&scope, p->seed, fsn_gen_kind_name(p->kind), err);
    if (rc) return rc;
    igraph_t ig;
    fsn_edges_t e;
    rc = run_igraph(&ig, p, &scope, err);
    if (!rc) rc = copy_ties(&e, &ig, p, err); /* destroys ig */
    scope_leave(&scope);
    if (rc) return rc;
    return fsn_csr_from_edges(g, &e, err); /* consumes e */
}
