/*
 * bench_sir.c: fission's engine against igraph_sir on the same process.
 *
 * The Markovian SIR-equivalent sharing process (share to each friend at
 * rate beta = 0.5 until interest is lost at rate gamma = 1; one random
 * first sharer; the S/I/R trajectory recorded at every event) runs on the
 * same Barabasi-Albert graphs (m = 5) with fission's engine and with
 * igraph's igraph_sir, in one process. For each size it prints seconds per
 * major outbreak (total time / runs reaching over 1% of users), the mean
 * final size of major outbreaks with its standard error, and the speed
 * ratio (of wall-clock times; the ratio of process CPU times follows in
 * brackets, steadier on a shared machine, where wall-clock time also
 * counts the time other jobs held the core). The last line is
 * `speedup_vs_igraph_sir <wall-clock ratio at the largest n>`.
 *
 * Usage: bench_sir [--sizes 100000,1000000] [--igraph-runs K1,K2]
 *                  [--runs R1,R2] [--seed S] [--no-reorder]
 *                  [--queue calendar|radix|heap] [--only fission|igraph] [--hash]
 *                  [--blocks B]
 *
 * The two codes run in B alternating blocks (default 4), each code's
 * runs split evenly and kept in their order (the same runs, the same
 * results, as in one block each): a slow spell of the machine then falls
 * on both codes instead of one, which steadies the ratio.
 *
 * --only runs one of the two codes (for profiling and A/B timing of one
 * side; each side's CPU seconds per major outbreak follow its line).
 * --hash prints a hash of every fission trajectory (time bits
 * and counts, all runs): a change meant to keep the process's draws must
 * keep it (hashing is timed with the runs).
 */
#include <igraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fission/engine.h"
#include "fission/graph.h"
#include "fission/models/sir.h"
#include "fission/rng.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct tally {
    int runs, majors;
    double secs, sum, sumsq;   /* of final-size fractions of major outbreaks */
} tally_t;

static void tally_add(tally_t *t, double frac) {
    t->runs++;
    if (frac > 0.01) {
        t->majors++;
        t->sum += frac;
        t->sumsq += frac * frac;
    }
}

static double tally_mean(const tally_t *t) { return t->majors ? t->sum / t->majors : NAN; }

static double tally_se(const tally_t *t) {
    if (t->majors < 2) return NAN;
    double m = tally_mean(t);
    double var = (t->sumsq - t->majors * m * m) / (t->majors - 1);
    return sqrt(var > 0 ? var : 0) / sqrt(t->majors);
}

static int parse_list(const char *s, double *out, int max) {
    int k = 0;
    char *end;
    while (*s && k < max) {
        out[k++] = strtod(s, &end);
        if (end == s) return -1;
        s = end;
        if (*s == ',') s++;
    }
    return k;
}

int main(int argc, char **argv) {
    double sizes[8] = {1e5, 1e6}, igruns[8] = {40, 8}, runs[8] = {300, 40};
    int nsizes = 2, reorder = 1, run_ig = 1, run_fsn = 1, hash = 0, blocks = 4;
    fsn_queue_kind_t qkind = FSN_QUEUE_CALENDAR;
    uint64_t seed = 2024;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sizes") && i + 1 < argc) nsizes = parse_list(argv[++i], sizes, 8);
        else if (!strcmp(argv[i], "--igraph-runs") && i + 1 < argc) parse_list(argv[++i], igruns, 8);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) parse_list(argv[++i], runs, 8);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--no-reorder")) reorder = 0;
        else if (!strcmp(argv[i], "--hash")) hash = 1;
        else if (!strcmp(argv[i], "--blocks") && i + 1 < argc) {
            blocks = atoi(argv[++i]);
            if (blocks < 1 || blocks > 1000) {
                fprintf(stderr, "bench_sir: --blocks must be 1 to 1000\n");
                return 2;
            }
        }
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            const char *o = argv[++i];
            if (!strcmp(o, "fission")) run_ig = 0;
            else if (!strcmp(o, "igraph")) run_fsn = 0;
            else {
                fprintf(stderr, "bench_sir: --only must be fission or igraph\n");
                return 2;
            }
        }
        else if (!strcmp(argv[i], "--queue") && i + 1 < argc) {
            const char *q = argv[++i];
            if (!strcmp(q, "calendar")) qkind = FSN_QUEUE_CALENDAR;
            else if (!strcmp(q, "radix")) qkind = FSN_QUEUE_RADIX;
            else if (!strcmp(q, "heap")) qkind = FSN_QUEUE_HEAP;
            else {
                fprintf(stderr, "bench_sir: --queue must be calendar, radix or heap\n");
                return 2;
            }
        }
        else {
            fprintf(stderr, "usage: %s [--sizes N,...] [--igraph-runs K,...] [--runs R,...] "
                            "[--seed S] [--no-reorder] [--queue calendar|radix|heap] "
                            "[--only fission|igraph] [--hash] [--blocks B]\n", argv[0]);
            return 2;
        }
    }
    if (nsizes < 1) {
        fprintf(stderr, "bench_sir: bad --sizes\n");
        return 2;
    }
    fsn_rng_gsl_quiet();
    const double beta = 0.5, gamma = 1.0;
    printf("# Markovian SIR on Barabasi-Albert graphs, m = 5, beta = %.2f, gamma = %.2f; "
           "queue %s, %s\n", beta, gamma,
           qkind == FSN_QUEUE_CALENDAR ? "calendar" : qkind == FSN_QUEUE_RADIX ? "radix" : "heap",
           reorder ? "BFS order" : "generator order");
    printf("# %-9s %-14s %6s %6s %12s %10s %10s\n", "n", "code", "runs", "major", "s/major",
           "final/n", "se");
    double last_ratio = NAN;
    for (int si = 0; si < nsizes; si++) {
        igraph_integer_t n = (igraph_integer_t)sizes[si];
        igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)(seed + (uint64_t)si));
        igraph_t ig;
        if (igraph_barabasi_game(&ig, n, 1.0, 5, NULL, 0, 1.0, 0, IGRAPH_BARABASI_PSUMTREE, NULL)) {
            fprintf(stderr, "bench_sir: igraph_barabasi_game failed\n");
            return 1;
        }
        /* The same graph for fission, through the edge list. */
        igraph_vector_int_t el;
        igraph_vector_int_init(&el, 0);
        igraph_get_edgelist(&ig, &el, 0);
        fsn_edges_t e;
        fsn_edges_init(&e, (uint32_t)n);
        fsn_edges_reserve(&e, (size_t)igraph_ecount(&ig));
        for (igraph_integer_t k = 0; k < igraph_ecount(&ig); k++)
            fsn_edges_push(&e, (fsn_vid_t)VECTOR(el)[2 * k], (fsn_vid_t)VECTOR(el)[2 * k + 1],
                           FSN_TIE_DEFAULT, FSN_TIE_OTHER);
        igraph_vector_int_destroy(&el);
        fsn_csr_t g;
        fsn_error_t err = {0};
        if (fsn_csr_from_edges(&g, &e, &err) ||
            (reorder && fsn_csr_reorder_bfs(&g, NULL, &err))) {
            fprintf(stderr, "bench_sir: %s\n", err.msg);
            return 1;
        }

        /* The two codes run in alternating blocks (igraph_sir's runs and
         * fission's each split into `blocks` parts, the same runs in the
         * same order as in one block each), so that a slow spell of the
         * machine, which on this kind of shared machine lasts seconds,
         * falls on both rather than on one. */
        tally_t ti = {0}, tf = {0};
        double ci = 0.0, cpu = 0.0;
        fsn_engine_t *eng = fsn_engine_new_queue((size_t)n, qkind);
        fsn_sir_t *m = eng ? fsn_sir_new(&g, eng) : NULL;
        if (!m) {
            fprintf(stderr, "bench_sir: out of memory\n");
            return 1;
        }
        uint64_t events = 0, infections = 0, h = UINT64_C(1469598103934665603);
        const int nig = run_ig ? (int)igruns[si] : 0, nfs = run_fsn ? (int)runs[si] : 0;
        for (int blk = 0; blk < blocks; blk++) {
            /* igraph_sir: runs [blk nig / blocks, (blk + 1) nig / blocks) */
            const int k0 = (int)((long long)blk * nig / blocks), k1 = (int)((long long)(blk + 1) * nig / blocks);
            if (k1 > k0) {
                igraph_vector_ptr_t res;
                igraph_vector_ptr_init(&res, 0);
                double t0 = now_s(), c0 = cpu_s();
                if (igraph_sir(&ig, beta, gamma, (igraph_integer_t)(k1 - k0), &res)) {
                    fprintf(stderr, "bench_sir: igraph_sir failed\n");
                    return 1;
                }
                ti.secs += now_s() - t0;
                ci += cpu_s() - c0;
                for (igraph_integer_t k = 0; k < igraph_vector_ptr_size(&res); k++) {
                    igraph_sir_t *s = VECTOR(res)[k];
                    igraph_integer_t len = igraph_vector_int_size(&s->no_r);
                    tally_add(&ti, (double)VECTOR(s->no_r)[len - 1] / (double)n);
                    igraph_sir_destroy(s);
                    free(s);
                }
                igraph_vector_ptr_destroy(&res);
            }
            /* fission: runs [blk nfs / blocks, (blk + 1) nfs / blocks) */
            double t0 = now_s(), c0 = cpu_s();
            const int r1 = (int)((long long)(blk + 1) * nfs / blocks);
            for (int r = (int)((long long)blk * nfs / blocks); r < r1; r++) {
                fsn_rng_t rng;
                fsn_rng_seed_stream(&rng, seed, (uint64_t)si, (uint64_t)r);
                fsn_vid_t first = (fsn_vid_t)fsn_rng_below(&rng, g.n);
                const fsn_sir_traj_t *traj;
                if (fsn_sir_run(m, beta, gamma, &first, 1, &rng, &traj)) {
                    fprintf(stderr, "bench_sir: run failed\n");
                    return 1;
                }
                events += fsn_engine_events_run(eng);
                infections += fsn_sir_final_size(m);
                tally_add(&tf, (double)traj->r[traj->len - 1] / (double)n);
                for (size_t k = 0; hash && k < traj->len; k++) {
                    uint64_t tb;
                    memcpy(&tb, &traj->time[k], sizeof tb);
                    h = (h ^ tb) * UINT64_C(1099511628211);
                    h = (h ^ (traj->s[k] + ((uint64_t)traj->i[k] << 21) + ((uint64_t)traj->r[k] << 42))) *
                        UINT64_C(1099511628211);
                }
            }
            tf.secs += now_s() - t0;
            cpu += cpu_s() - c0;
        }
        double spi = ti.majors ? ti.secs / ti.majors : NAN;
        double spf = tf.majors ? tf.secs / tf.majors : NAN;
        if (run_ig)
            printf("  %-9lld %-14s %6d %6d %12.5f %10.5f %10.5f\n", (long long)n, "igraph_sir",
                   ti.runs, ti.majors, spi, tally_mean(&ti), tally_se(&ti));
        if (run_fsn)
            printf("  %-9lld %-14s %6d %6d %12.5f %10.5f %10.5f\n", (long long)n, "fission",
                   tf.runs, tf.majors, spf, tally_mean(&tf), tally_se(&tf));
        if (!run_ig || !run_fsn) {
            if (run_fsn) {
                fsn_queue_stats_t qs;
                fsn_engine_queue_stats(eng, &qs);
                printf("  n=%lld fission cpu s/major %.5f  events %llu  infections %llu  events/s %.3g"
                       "  rebuilds %llu  rebucketed %llu\n",
                       (long long)n, tf.majors ? cpu / tf.majors : NAN,
                       (unsigned long long)events, (unsigned long long)infections,
                       (double)events / tf.secs, (unsigned long long)qs.rebuilds,
                       (unsigned long long)qs.rebucketed);
            }
            if (run_ig)
                printf("  n=%lld igraph_sir cpu s/major %.5f\n", (long long)n,
                       ti.majors ? ci / ti.majors : NAN);
            if (hash) printf("  n=%lld trajectory hash %016llx\n", (long long)n,
                             (unsigned long long)h);
            fsn_sir_free(m);
            fsn_engine_free(eng);
            fsn_csr_destroy(&g);
            igraph_destroy(&ig);
            continue;
        }
        if (hash) printf("  n=%lld trajectory hash %016llx\n", (long long)n, (unsigned long long)h);
        /* Two-sample comparison with the pooled variance: under "same
         * process" both codes' final sizes have one spread, and the
         * pooled estimate is far steadier than igraph's own from its few
         * large runs. */
        double diff = tally_mean(&tf) - tally_mean(&ti);
        double vf = pow(tally_se(&tf), 2) * tf.majors, vi = pow(tally_se(&ti), 2) * ti.majors;
        if (ti.majors < 2) vi = 0; /* one igraph outbreak: no spread of its own */
        double pooled = ((tf.majors - 1) * vf + (ti.majors > 1 ? ti.majors - 1 : 0) * vi) /
                        (tf.majors - 1 + (ti.majors > 1 ? ti.majors - 1 : 0));
        double se = sqrt(pooled * (1.0 / tf.majors + 1.0 / ti.majors));
        last_ratio = spi / spf;
        printf("  n=%lld speedup %.2f  final-size difference %.5f (%.1f pooled se)  events/s %.3g"
               "  (cpu-time speedup %.2f)\n",
               (long long)n, last_ratio, diff, fabs(diff) / se, (double)events / tf.secs,
               (ci / ti.majors) / (cpu / tf.majors));
        fsn_sir_free(m);
        fsn_engine_free(eng);
        fsn_csr_destroy(&g);
        igraph_destroy(&ig);
    }
    if (run_ig && run_fsn) printf("speedup_vs_igraph_sir %.2f\n", last_ratio);
    return 0;
}
