/*
 * bench_graph.c: building the WeChat-like graph at scale.
 *
 * Prints, for each size asked, the time to generate the circles and ties
 * and build the CSR, the CSR's bytes per tie, and the process's peak
 * resident memory (getrusage), so the claim "ten million users at mean
 * degree 50 fit in 24 GiB with room for runs" can be checked by running
 * `bench_graph --n 10000000`. With --describe it also times
 * fsn_graph_describe (triangle counting dominates).
 *
 * Usage: bench_graph [--n N] [--mean-degree D] [--describe] [--reorder]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fission/graph.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_rss_gb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / (1024.0 * 1024.0); /* ru_maxrss is in KiB on Linux */
}

int main(int argc, char **argv) {
    double n = 1e6, deg = 50;
    int describe = 0, reorder = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--n") && i + 1 < argc) n = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--mean-degree") && i + 1 < argc) deg = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--describe")) describe = 1;
        else if (!strcmp(argv[i], "--reorder")) reorder = 1;
        else {
            fprintf(stderr, "usage: %s [--n N] [--mean-degree D] [--describe] [--reorder]\n",
                    argv[0]);
            return 2;
        }
    }
    if (!(n >= 2 && n < 4e9)) {
        fprintf(stderr, "bench_graph: --n must be in [2, 4e9)\n");
        return 2;
    }
    fsn_wechat_params_t p;
    fsn_wechat_params_default(&p, (uint32_t)n);
    p.mean_degree = deg;
    fsn_csr_t g;
    fsn_circles_t c;
    fsn_error_t err = {0};
    double t0 = now_s();
    if (fsn_wechat_generate(&g, &c, &p, &err)) {
        fprintf(stderr, "bench_graph: %s\n", err.msg);
        return 1;
    }
    double tb = now_s() - t0;
    printf("wechat_users %u\n", g.n);
    printf("wechat_ties %llu\n", (unsigned long long)g.m);
    printf("wechat_mean_degree %.2f\n", 2.0 * (double)g.m / g.n);
    printf("wechat_circles %u\n", c.count);
    printf("build_seconds %.2f\n", tb);
    printf("csr_bytes_per_tie %.2f\n", (double)fsn_csr_bytes(&g) / (double)g.m);
    printf("csr_gb %.2f\n", (double)fsn_csr_bytes(&g) / 1e9);
    printf("circles_gb %.2f\n", (double)(c.offset[c.count] * 4 + c.count * 9.0) / 1e9);
    printf("peak_rss_gb_after_build %.2f\n", peak_rss_gb());
    if (reorder) {
        t0 = now_s();
        if (fsn_csr_reorder_bfs(&g, NULL, &err)) {
            fprintf(stderr, "bench_graph: %s\n", err.msg);
            return 1;
        }
        printf("reorder_seconds %.2f\n", now_s() - t0);
        printf("peak_rss_gb_after_reorder %.2f\n", peak_rss_gb());
    }
    if (describe) {
        fsn_graph_stats_t st;
        t0 = now_s();
        if (fsn_graph_describe(&g, &st, &err)) {
            fprintf(stderr, "bench_graph: %s\n", err.msg);
            return 1;
        }
        printf("describe_seconds %.2f\n", now_s() - t0);
        printf("clustering_avg_local %.4f\n", st.clustering_avg_local);
        printf("clustering_global %.4f\n", st.clustering_global);
        printf("degree_max %u\n", st.deg_max);
    }
    fsn_circles_destroy(&c);
    fsn_csr_destroy(&g);
    return 0;
}
