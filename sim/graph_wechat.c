/*
 * graph_wechat.c: the default social graph, overlapping circles of
 * WeChat-style ties.
 *
 * A WeChat contact list is not a random graph: it is the union of a few
 * circles (family, colleagues, classmates, friends) inside which most
 * people know each other, plus acquaintances scattered across circles.
 * That structure matters to a referral campaign: a group chat reaches one
 * circle, trust and clicks follow strong ties, and the weak ties are what
 * carry a link out of a circle. The generator builds it in four steps:
 *
 *  1. Each user draws an activity weight x from a Pareto law with mean 1
 *     (exponent weak_exponent). Activity makes degrees heavy-tailed: the
 *     number of friend and classmate circles a user joins is Poisson with
 *     mean memberships x, and weak ties are handed out in proportion to x.
 *  2. For each circle kind, the users' memberships are laid out as slots,
 *     shuffled, and cut into circles whose sizes are lognormal around the
 *     kind's mean size (at least 2). Circles of one kind overlap only by
 *     chance; circles of different kinds overlap freely.
 *  3. Inside every circle each pair is tied with the kind's probability,
 *     scaled by one common factor so that circle ties make up
 *     (1 - weak_share) of the target mean degree; pairs are visited by
 *     geometric skips, so the cost is the ties made, not the pairs seen.
 *     Strength is uniform on the kind's range (family strongest).
 *  4. Weak ties pair up activity-weighted stubs at random (a configuration
 *     model on the weak part), strength uniform on the weak range.
 *
 * Ties go straight into an fsn_edges_t reserved once at the expected size,
 * and from there into the CSR; igraph is never involved, which is what
 * lets ten million users at mean degree 50 fit in memory (see graph.h).
 * Parallel ties (two users who are both family and colleagues) merge in
 * the CSR, keeping the strongest, so the realised mean degree is a little
 * under the target; fsn_graph_describe reports what was built.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fission/graph.h"
#include "fission/rng.h"

static const double TWO_PI = 6.283185307179586476925286766559;

void fsn_wechat_params_default(fsn_wechat_params_t *p, uint32_t n) {
    FSN_REQUIRE(p);
    memset(p, 0, sizeof *p);
    p->n = n;
    p->mean_degree = 50.0;
    /* family, colleagues, classmates, friends */
    /* Chosen so that, at 1e5 to 1e6 users, average local clustering is
     * about 0.2 (well above the 0.1 floor of a social graph), the median
     * degree about 36 and the 99th percentile about 275 (bench_graph and
     * `fission graph describe` print these). */
    static const double memberships[] = {1.2, 0.8, 1.0, 1.2};
    static const double size[] = {6.0, 15.0, 25.0, 10.0};
    static const double prob[] = {0.9, 0.5, 0.4, 0.7};
    static const double lo[] = {0.75, 0.30, 0.25, 0.50};
    static const double hi[] = {1.00, 0.60, 0.60, 0.90};
    for (int k = 0; k < FSN_CIRCLE_KIND_COUNT; k++) {
        p->memberships[k] = memberships[k];
        p->circle_size[k] = size[k];
        p->tie_prob[k] = prob[k];
        p->strength_lo[k] = lo[k];
        p->strength_hi[k] = hi[k];
    }
    p->weak_share = 0.15;
    p->weak_exponent = 2.5;
    p->weak_strength_lo = 0.02;
    p->weak_strength_hi = 0.30;
    p->seed = 1;
}

void fsn_circles_destroy(fsn_circles_t *c) {
    if (!c) return;
    free(c->kind);
    free(c->offset);
    free(c->member);
    memset(c, 0, sizeof *c);
}

static const uint8_t circle_tie_kind[FSN_CIRCLE_KIND_COUNT] = {
    FSN_TIE_FAMILY, FSN_TIE_COLLEAGUE, FSN_TIE_CLASSMATE, FSN_TIE_FRIEND};
static const char *const circle_names[FSN_CIRCLE_KIND_COUNT] = {"family", "colleagues",
                                                                "classmates", "friends"};

static fsn_err_t check_params(const fsn_wechat_params_t *p, fsn_error_t *err) {
#define BAD(...) return fsn_error_set(err, FSN_EINVAL, __VA_ARGS__)
    if (p->n < 2) BAD("wechat: n must be >= 2, got %u", p->n);
    if (!(p->mean_degree > 0) || !(p->mean_degree < (double)p->n - 1))
        BAD("wechat: mean_degree must be > 0 and < n - 1, got %g", p->mean_degree);
    for (int k = 0; k < FSN_CIRCLE_KIND_COUNT; k++) {
        const char *c = circle_names[k];
        if (!(p->memberships[k] >= 0 && p->memberships[k] <= 50))
            BAD("wechat: %s.memberships must be in [0, 50], got %g", c, p->memberships[k]);
        if (!(p->circle_size[k] >= 2 && p->circle_size[k] <= 10000))
            BAD("wechat: %s.size must be in [2, 10000], got %g", c, p->circle_size[k]);
        if (!(p->tie_prob[k] >= 0 && p->tie_prob[k] <= 1))
            BAD("wechat: %s.tie_prob must be in [0, 1], got %g", c, p->tie_prob[k]);
        if (!(p->strength_lo[k] >= 0 && p->strength_lo[k] <= p->strength_hi[k] &&
              p->strength_hi[k] <= 1))
            BAD("wechat: %s.strength must satisfy 0 <= lo <= hi <= 1, got [%g, %g]", c,
                p->strength_lo[k], p->strength_hi[k]);
    }
    if (!(p->weak_share >= 0 && p->weak_share <= 1))
        BAD("wechat: weak_share must be in [0, 1], got %g", p->weak_share);
    if (!(p->weak_exponent > 2 && p->weak_exponent <= 10))
        BAD("wechat: weak_exponent must be in (2, 10], got %g", p->weak_exponent);
    if (!(p->weak_strength_lo >= 0 && p->weak_strength_lo <= p->weak_strength_hi &&
          p->weak_strength_hi <= 1))
        BAD("wechat: weak strength must satisfy 0 <= lo <= hi <= 1, got [%g, %g]",
            p->weak_strength_lo, p->weak_strength_hi);
    double circle_ties = 0;
    for (int k = 0; k < FSN_CIRCLE_KIND_COUNT; k++) circle_ties += p->memberships[k] * p->tie_prob[k];
    if (p->weak_share < 1 && circle_ties <= 0)
        BAD("wechat: weak_share < 1 but no circle can make a tie (memberships or tie_prob all 0)");
#undef BAD
    return FSN_OK;
}

/* Poisson by inversion for small means, normal approximation above 30
 * (memberships are counts of circles: the tail beyond is irrelevant). */
static uint32_t draw_poisson(fsn_rng_t *r, double mean) {
    if (mean <= 0) return 0;
    if (mean > 30) {
        double u1 = fsn_rng_uniform_pos(r), u2 = fsn_rng_uniform(r);
        double z = sqrt(-2 * log(u1)) * cos(TWO_PI * u2);
        double k = floor(mean + sqrt(mean) * z + 0.5);
        return k < 0 ? 0 : (uint32_t)k;
    }
    double l = exp(-mean), prod = fsn_rng_uniform(r);
    uint32_t k = 0;
    while (prod > l) {
        prod *= fsn_rng_uniform(r);
        k++;
    }
    return k;
}

static inline fsn_tie_t draw_strength(fsn_rng_t *r, double lo, double hi) {
    double s = lo + (hi - lo) * fsn_rng_uniform(r);
    return (fsn_tie_t)lround(s * 255.0);
}

static void shuffle(fsn_vid_t *a, size_t n, fsn_rng_t *r) {
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)fsn_rng_below(r, i);
        fsn_vid_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

fsn_err_t fsn_wechat_generate(fsn_csr_t *g, fsn_circles_t *circles_out,
                              const fsn_wechat_params_t *p, fsn_error_t *err) {
    FSN_REQUIRE(g && p);
    memset(g, 0, sizeof *g);
    if (circles_out) memset(circles_out, 0, sizeof *circles_out);
    fsn_err_t rc = check_params(p, err);
    if (rc) return rc;
    const uint32_t n = p->n;
    fsn_rng_t rng;
    fsn_rng_seed(&rng, p->seed);
    fsn_edges_t e;
    fsn_edges_init(&e, n);
    fsn_circles_t c = {0};
    float *activity = malloc((size_t)n * sizeof *activity);
    uint32_t *sizes = NULL;
    /* Per-kind membership counts; freed as each kind is cut into circles,
     * and on every error path (a failure while cutting kind k would
     * otherwise lose the counts of the kinds after it). */
    uint32_t *count[FSN_CIRCLE_KIND_COUNT] = {0};
    size_t sizes_cap = 0;
    if (!activity) goto nomem;

    /* 1. Activity weights: Pareto with mean 1, capped at 100 x the mean
     * (at mean degree 50 that is WeChat's historical 5000-contact limit)
     * and at sqrt(n), so one user cannot take a macroscopic share of the
     * weak ties of a small graph. */
    const double alpha = p->weak_exponent;
    const double xmin = (alpha - 2) / (alpha - 1), xcap = fmin(100.0, fmax(10.0, sqrt((double)n)));
    for (uint32_t v = 0; v < n; v++) {
        double x = xmin * pow(fsn_rng_uniform_pos(&rng), -1.0 / (alpha - 1));
        activity[v] = (float)(x < xcap ? x : xcap);
    }

    /* 2. Memberships -> shuffled slots -> circles. */
    size_t total_slots = 0;
    size_t kind_slots[FSN_CIRCLE_KIND_COUNT] = {0};
    for (int k = 0; k < FSN_CIRCLE_KIND_COUNT; k++) {
        count[k] = malloc((size_t)n * sizeof *count[k]);
        if (!count[k]) goto nomem;
        for (uint32_t v = 0; v < n; v++) {
            double mean = p->memberships[k];
            /* Family: everyone has one, some have two (in-laws); friends
             * and classmates scale with activity; colleagues do not. */
            uint32_t m;
            if (k == FSN_CIRCLE_FAMILY) m = (uint32_t)floor(mean) +
                                            fsn_rng_bernoulli(&rng, mean - floor(mean));
            else if (k == FSN_CIRCLE_COLLEAGUES) m = draw_poisson(&rng, mean);
            else m = draw_poisson(&rng, mean * activity[v]);
            if (m > 200) m = 200;
            count[k][v] = m;
            kind_slots[k] += m;
        }
        total_slots += kind_slots[k];
    }
    c.member = malloc((total_slots ? total_slots : 1) * sizeof *c.member);
    if (!c.member) goto nomem;
    size_t pos = 0;
    size_t ncircles = 0;
    for (int k = 0; k < FSN_CIRCLE_KIND_COUNT; k++) {
        size_t start = pos;
        for (uint32_t v = 0; v < n; v++)
            for (uint32_t j = 0; j < count[k][v]; j++) c.member[pos++] = v;
        free(count[k]);
        count[k] = NULL;
        shuffle(c.member + start, pos - start, &rng);
        /* Cut into lognormal sizes, sigma 0.5, mean circle_size. */
        const double sigma = 0.5, mu = log(p->circle_size[k]) - sigma * sigma / 2;
        size_t left = pos - start;
        while (left > 0) {
            double u1 = fsn_rng_uniform_pos(&rng), u2 = fsn_rng_uniform(&rng);
            double z = sqrt(-2 * log(u1)) * cos(TWO_PI * u2);
            double sz = floor(exp(mu + sigma * z) + 0.5);
            size_t s = sz < 2 ? 2 : (size_t)sz;
            if (s > left || left - s < 2) s = left;
            if (ncircles + 1 >= sizes_cap) {
                size_t cap = sizes_cap ? sizes_cap * 2 : 1024;
                uint32_t *ns = realloc(sizes, cap * 2 * sizeof *ns);
                if (!ns) goto nomem;
                sizes = ns;
                sizes_cap = cap;
            }
            sizes[2 * ncircles] = (uint32_t)s;
            sizes[2 * ncircles + 1] = (uint32_t)k;
            ncircles++;
            left -= s;
        }
    }
    if (ncircles > UINT32_MAX) goto nomem;
    c.count = (uint32_t)ncircles;
    c.kind = malloc((ncircles ? ncircles : 1) * sizeof *c.kind);
    c.offset = malloc((ncircles + 1) * sizeof *c.offset);
    if (!c.kind || !c.offset) goto nomem;
    c.offset[0] = 0;
    for (size_t i = 0; i < ncircles; i++) {
        c.kind[i] = (uint8_t)sizes[2 * i + 1];
        c.offset[i + 1] = c.offset[i] + sizes[2 * i];
    }
    free(sizes);
    sizes = NULL;

    /* 3. Ties inside circles, probabilities scaled to the target. */
    double pairs_p[FSN_CIRCLE_KIND_COUNT] = {0};
    for (uint32_t i = 0; i < c.count; i++) {
        double s = (double)(c.offset[i + 1] - c.offset[i]);
        pairs_p[c.kind[i]] += s * (s - 1) / 2 * p->tie_prob[c.kind[i]];
    }
    double expect_circle = 0;
    for (int k = 0; k < FSN_CIRCLE_KIND_COUNT; k++) expect_circle += pairs_p[k];
    const double target = p->mean_degree * n / 2;
    const double target_circle = (1 - p->weak_share) * target;
    const double scale = expect_circle > 0 ? target_circle / expect_circle : 0;
    double prob[FSN_CIRCLE_KIND_COUNT];
    for (int k = 0; k < FSN_CIRCLE_KIND_COUNT; k++) prob[k] = fmin(1.0, p->tie_prob[k] * scale);
    const size_t weak_ties = (size_t)llround(p->weak_share * target);
    if (fsn_edges_reserve(&e, (size_t)(target_circle * 1.02 + 6 * sqrt(target_circle + 1)) +
                                  weak_ties + 1024))
        goto nomem;
    for (uint32_t i = 0; i < c.count; i++) {
        const fsn_vid_t *mem = c.member + c.offset[i];
        const uint64_t s = c.offset[i + 1] - c.offset[i];
        const int k = c.kind[i];
        const double pk = prob[k];
        if (pk <= 0 || s < 2) continue;
        const uint64_t total = s * (s - 1) / 2;
        const double lq = pk < 1 ? log1p(-pk) : -INFINITY;
        uint64_t row = 0, row_start = 0; /* pairs of row r: (r, r+1..s-1) */
        uint64_t idx = 0;
        int first = 1;
        for (;;) {
            double skip = pk < 1 ? floor(log(fsn_rng_uniform_pos(&rng)) / lq) : 0;
            if (skip >= (double)(total - idx)) break;
            idx = first ? (uint64_t)skip : idx + 1 + (uint64_t)skip;
            first = 0;
            if (idx >= total) break;
            while (idx >= row_start + (s - 1 - row)) {
                row_start += s - 1 - row;
                row++;
            }
            uint64_t col = row + 1 + (idx - row_start);
            rc = fsn_edges_push(&e, mem[row], mem[col],
                                draw_strength(&rng, p->strength_lo[k], p->strength_hi[k]),
                                circle_tie_kind[k]);
            if (rc) goto nomem;
        }
    }

    /* 4. Weak ties: activity-weighted stubs paired at random. Each user's
     * stub count is Poisson(2 W x / sum x), W the weak ties wanted. */
    if (weak_ties > 0) {
        double sumx = 0;
        for (uint32_t v = 0; v < n; v++) sumx += activity[v];
        size_t stubs_cap = 2 * weak_ties + 16 * (size_t)sqrt((double)weak_ties) + 64, ns = 0;
        fsn_vid_t *stubs = malloc(stubs_cap * sizeof *stubs);
        if (!stubs) goto nomem;
        for (uint32_t v = 0; v < n; v++) {
            uint32_t k = draw_poisson(&rng, 2.0 * (double)weak_ties * activity[v] / sumx);
            for (uint32_t j = 0; j < k; j++) {
                if (ns == stubs_cap) {
                    size_t cap = stubs_cap + stubs_cap / 2;
                    fsn_vid_t *st = realloc(stubs, cap * sizeof *st);
                    if (!st) {
                        free(stubs);
                        goto nomem;
                    }
                    stubs = st;
                    stubs_cap = cap;
                }
                stubs[ns++] = v;
            }
        }
        shuffle(stubs, ns, &rng);
        for (size_t i = 0; i + 1 < ns; i += 2) {
            rc = fsn_edges_push(&e, stubs[i], stubs[i + 1],
                                draw_strength(&rng, p->weak_strength_lo, p->weak_strength_hi),
                                FSN_TIE_WEAK);
            if (rc) {
                free(stubs);
                goto nomem;
            }
        }
        free(stubs);
    }
    free(activity);
    activity = NULL;
    rc = fsn_csr_from_edges(g, &e, err);
    if (rc) goto fail;
    if (circles_out) *circles_out = c;
    else fsn_circles_destroy(&c);
    return FSN_OK;

nomem:
    rc = fsn_error_set(err, FSN_ENOMEM, "wechat: out of memory generating %u users at mean degree %g",
                       n, p->mean_degree);
fail:
    for (int k = 0; k < FSN_CIRCLE_KIND_COUNT; k++) free(count[k]);
    free(activity);
    free(sizes);
    fsn_edges_destroy(&e);
    fsn_circles_destroy(&c);
    fsn_csr_destroy(g);
    return rc;
}
