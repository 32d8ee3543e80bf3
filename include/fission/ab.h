/*
 * ab.h: comparing two campaign designs, the whole API.
 *
 * The strategist's question is "which design do we launch, by how much
 * does it win, at what cost, how sure are we". Both designs run the same
 * replicates on the same graph: replicate r of design A and replicate r
 * of design B draw from the same random stream (seed, point 0, r), so
 * they see the same users (attributes, customers), the same seeds (for a
 * random seeding) and the same stream of draws. That is common random
 * numbers: the paired difference B_r - A_r cancels the noise the two
 * share, and its spread is usually much smaller than either design's.
 * Once the two designs take a different decision (a member joins a group
 * in A where a helper cuts a bargain in B), the later draws are used for
 * different things and the pairing weakens; docs/DESIGNS.md says more.
 *
 * Per metric the comparison gives the two means, the paired difference
 * with its 95% t interval, the two-sided p-value of the paired t test,
 * the relative change and the replicates a paired test needs to resolve
 * a difference of a given size at alpha 0.05 and 80% power:
 *     n = ((z_{1-alpha/2} + z_{1-beta}) x sd_d / delta)^2.
 * On top comes a money block (GMV, subsidy, coupon cost, refunds, net
 * GMV and buyers summed over the campaigns; buyers per yuan of subsidy
 * and per yuan of subsidy plus coupons) and a one-line verdict.
 *
 * Metrics are matched by name. A campaign metric "campaign.<name>.<m>"
 * whose campaign is named differently in the two designs is paired by
 * campaign position (A's campaign i with B's campaign i) and shown as
 * "campaign[i].<m>"; a metric only one design has (groups_filled of a
 * group buy against a bargain) is listed with the other side missing.
 *
 * Nothing here prints or touches igraph except fsn_ab_run (which runs
 * campaigns: a degree, PageRank or k-core seeding ranks through igraph in
 * the calling thread).
 */
#ifndef FISSION_AB_H
#define FISSION_AB_H

#include <stddef.h>
#include <stdint.h>

#include "fission/error.h"
#include "fission/run.h"
#include "fission/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The statistics of a paired sample. */
typedef struct fsn_paired_stat {
    size_t n;                 /* pairs with both values finite */
    double mean_a, mean_b;
    double diff;              /* mean of b - a */
    double sd_diff, se_diff;  /* sd of the differences (n - 1), se = sd / sqrt(n) */
    double ci_lo, ci_hi;      /* 95% t interval of diff (n - 1 degrees of freedom) */
    double p;                 /* two-sided p-value of the paired t test (1 if no spread and diff 0) */
    int significant;          /* p < 0.05: the interval excludes 0 */
    double rel;               /* diff / |mean_a|, NaN if mean_a is 0 */
    double delta;             /* the difference to resolve (> 0), NaN if none */
    double reps_needed;       /* ceil(((z_.975 + z_.8) sd_diff / delta)^2), at least 2; NaN without delta */
} fsn_paired_stat_t;

/*
 * Paired statistics of a[i], b[i], i < n (pairs with a NaN or an
 * infinity are left out). delta: the difference to resolve; <= 0 or NaN
 * gives 5% of |mean_a| (NaN if that is 0). With fewer than 2 pairs the
 * interval, p and reps_needed are NaN and significant 0. With no spread
 * (sd 0) the interval is [diff, diff] and p is 0 (diff != 0) or 1.
 * O(n).
 */
void fsn_paired_stats(const double *a, const double *b, size_t n, double delta, fsn_paired_stat_t *out);

typedef struct fsn_ab_delta {
    char metric[96];          /* a row's name, as shown ("money.net_gmv", "campaign[0].gmv") */
    double value;             /* > 0 */
} fsn_ab_delta_t;

typedef struct fsn_ab_cfg {
    uint32_t reps;            /* replicates per design (>= 2) */
    uint64_t seed;
    uint32_t threads;         /* 0: all cores */
    const fsn_ab_delta_t *deltas;   /* differences to resolve, by row name */
    size_t ndeltas;
} fsn_ab_cfg_t;

void fsn_ab_cfg_default(fsn_ab_cfg_t *cfg);   /* 20 replicates, seed 1, all cores, no deltas */

typedef struct fsn_ab_row {
    char name[160];           /* as shown: "money.net_gmv", "campaign.group3.gmv", "campaign[0].gmv" */
    char name_a[64], name_b[64];   /* the metric in each design, "" if it has none */
    int money;                /* 1 in the money block */
    fsn_paired_stat_t st;
} fsn_ab_row_t;

typedef struct fsn_ab_result {
    char label_a[FSN_SCENARIO_NAME_MAX], label_b[FSN_SCENARIO_NAME_MAX];
    uint32_t reps;
    uint64_t seed;
    size_t nrows;
    fsn_ab_row_t *rows;       /* the money block first, then every metric in A's order, then B's own */
    char verdict[512];        /* one line, on net GMV and subsidy */
} fsn_ab_result_t;

void fsn_ab_result_destroy(fsn_ab_result_t *r);

/* The money block's rows, in order. */
enum { FSN_AB_MONEY_ROWS = 8 };
extern const char *const fsn_ab_money_names[FSN_AB_MONEY_ROWS];

/* The money block of a run, per replicate: m[r x FSN_AB_MONEY_ROWS + j]
 * is row j (fsn_ab_money_names[j]) of replicate r, summed over camps
 * (NaN for a replicate not done; a per-yuan row NaN with no subsidy).
 * O(reps x campaigns x metrics). */
void fsn_ab_money(const fsn_run_result_t *r, const fsn_campaign_t *camps, size_t nc, double *m);

/*
 * Compare two finished runs (same replicates and seed; ca/cb their
 * campaigns, for the names). labels name the designs in the verdict.
 * Errors: FSN_EINVAL if the runs' replicate counts differ or are below
 * 2, or a delta names no row (the message suggests the nearest name);
 * FSN_ENOMEM. O((metrics_a + metrics_b) x reps + metrics_a x metrics_b).
 */
fsn_err_t fsn_ab_compare(const fsn_run_result_t *a, const fsn_campaign_t *ca, size_t nca,
                         const fsn_run_result_t *b, const fsn_campaign_t *cb, size_t ncb,
                         const char *label_a, const char *label_b, const fsn_ab_cfg_t *cfg,
                         fsn_ab_result_t *out, fsn_error_t *err);

/*
 * Run both scenarios' campaigns on g (the graph of both) with the same
 * replicates, seed and point 0, and compare them. The scenarios' own
 * replicates, seed and threads are ignored for cfg's. Errors: those of
 * fsn_run_campaigns and fsn_ab_compare. Cost: 2 x reps x run.
 */
fsn_err_t fsn_ab_run(const fsn_csr_t *g, const fsn_scenario_t *a, const fsn_scenario_t *b,
                     const fsn_ab_cfg_t *cfg, fsn_ab_result_t *out, fsn_error_t *err);

/*
 * Where two scenarios differ in a section ("graph" or "users"): 0 if the
 * section is the same, else 1 with the first differing key's path in
 * path ("graph.n", "users.tier_share"). FSN_ENOMEM as -1. O(keys).
 */
int fsn_ab_section_diff(const fsn_scenario_t *a, const fsn_scenario_t *b, const char *section, char *path,
                        size_t size);

/* The row named name, NULL if none. O(rows). */
const fsn_ab_row_t *fsn_ab_find(const fsn_ab_result_t *r, const char *name);

/* The nearest of the rows' names to name (edit distance), for "did you mean". */
const char *fsn_ab_suggest(const fsn_ab_result_t *r, const char *name);

/* Write dir/ab.csv and dir/ab.json atomically (docs/DESIGNS.md gives the
 * columns). Errors: FSN_EIO naming the file, FSN_ENOMEM. O(rows). */
fsn_err_t fsn_ab_write(const char *dir, const fsn_ab_result_t *r, fsn_error_t *err);

/* The nearest of n names to name by edit distance (NULL if n is 0). */
const char *fsn_nearest_name(const char *name, const char *const *names, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_AB_H */
