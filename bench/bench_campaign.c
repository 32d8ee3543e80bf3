/*
 * bench_campaign.c: a full campaign scenario, events per second on one core.
 *
 * Every mechanism at once on the WeChat-like graph (mean degree 50): a
 * plain link, a group buy, a bargain and a red-packet campaign launched
 * together with the default behaviour, visits and repurchases of every
 * customer, arrivals from outside sources, churn, the rate-limit regime
 * with the dynamic whitelist, over 30 days. One world on the calling
 * thread (the replicate driver's parallelism is not measured here: this
 * is the cost of an event). For each size it prints the graph's build
 * time, the world's memory per user, and per run the events, seconds and
 * events per second, then the mean rate and its standard error over the
 * runs, and the share of each event type in the last run. With
 * --campaign-seeds the campaigns start from more users, which makes the
 * campaign share of events larger.
 *
 * Usage: bench_campaign [--sizes 1e5,1e6] [--runs R] [--seed S]
 *                       [--campaign-seeds K]
 * The last line is `events_per_second_1e5 <rate>` when 1e5 was measured.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fission/campaign.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct counter {
    uint64_t by_type[64];
} counter_t;

static void observe(void *ctx, const fsn_event_t *ev, const char *name) {
    (void)name;
    counter_t *c = ctx;
    if (ev->type < 64) c->by_type[ev->type]++;
}

int main(int argc, char **argv) {
    const char *sizes = "1e5,1e6";
    int runs = 5;
    unsigned long long seed = 1;
    unsigned seeds = 200;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sizes") && i + 1 < argc) sizes = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--campaign-seeds") && i + 1 < argc) seeds = (unsigned)atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--sizes 1e5,1e6] [--runs R] [--seed S] [--campaign-seeds K]\n", argv[0]);
            return 2;
        }
    }
    if (runs < 1 || seeds < 1) {
        fprintf(stderr, "bench_campaign: --runs and --campaign-seeds must be >= 1\n");
        return 2;
    }
    double rate_1e5 = NAN;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", sizes);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        double nd = strtod(tok, NULL);
        if (!(nd >= 100 && nd < 4e9)) {
            fprintf(stderr, "bench_campaign: bad size '%s'\n", tok);
            return 2;
        }
        uint32_t n = (uint32_t)nd;
        fsn_error_t err = {0};
        fsn_wechat_params_t gp;
        fsn_wechat_params_default(&gp, n);
        fsn_csr_t g;
        double t0 = now_s();
        if (fsn_wechat_generate(&g, NULL, &gp, &err) || fsn_csr_reorder_bfs(&g, NULL, &err)) {
            fprintf(stderr, "bench_campaign: %s\n", err.msg);
            return 1;
        }
        double tbuild = now_s() - t0;
        fsn_attr_params_t ap;
        fsn_attr_params_default(&ap);
        fsn_users_t u;
        fsn_rng_t rng;
        fsn_rng_seed_stream(&rng, seed, n, 0);
        if (fsn_users_init(&u, n, &err) || fsn_users_sample(&u, &ap, &rng, &err)) {
            fprintf(stderr, "bench_campaign: %s\n", err.msg);
            return 1;
        }
        fsn_world_params_t wp;
        fsn_world_params_default(&wp);
        fsn_campaign_t camps[FSN_CAMP_KIND_COUNT];
        for (int k = 0; k < FSN_CAMP_KIND_COUNT; k++) {
            fsn_campaign_default(&camps[k], (fsn_camp_kind_t)k);
            camps[k].seeding.count = seeds < n ? seeds : n;
        }
        if (fsn_world_params_check(&wp, camps, FSN_CAMP_KIND_COUNT, &g, &err)) {
            fprintf(stderr, "bench_campaign: %s\n", err.msg);
            return 1;
        }
        fsn_world_t *w = fsn_world_new(&g, &u, &wp, camps, FSN_CAMP_KIND_COUNT, &err);
        if (!w) {
            fprintf(stderr, "bench_campaign: %s\n", err.msg);
            return 1;
        }
        counter_t cnt;
        printf("n = %u: graph %llu ties, built in %.2f s; %u seeds per campaign, 4 campaigns, %g h\n", n,
               (unsigned long long)g.m, tbuild, camps[0].seeding.count, wp.horizon);
        double sum = 0, sum2 = 0;
        for (int r = 0; r < runs; r++) {
            int last = r == runs - 1;
            memset(&cnt, 0, sizeof cnt);
            fsn_engine_set_observer(fsn_world_engine(w), last ? observe : NULL, last ? &cnt : NULL);
            fsn_rng_seed_stream(&rng, seed, n, (uint64_t)r + 1);
            double t1 = now_s();
            if (fsn_world_run(w, &rng, &err)) {
                fprintf(stderr, "bench_campaign: %s\n", err.msg);
                return 1;
            }
            double dt = now_s() - t1;
            uint64_t ev = fsn_world_events(w);
            double rate = (double)ev / dt;
            if (!last || runs == 1) {
                sum += rate;
                sum2 += rate * rate;
            }
            long k = fsn_world_metric_find(w, "campaign.group.exposed");
            printf("  run %d: %llu events in %.3f s: %.2f M events/s%s (group exposed %g)\n", r + 1,
                   (unsigned long long)ev, dt, rate / 1e6, last ? " (observed, not in the mean)" : "",
                   k >= 0 ? fsn_world_metrics(w)[k] : NAN);
        }
        int m = runs > 1 ? runs - 1 : 1;   /* a single run is observed and reported */
        double mean = sum / m, se = m > 1 ? sqrt(fmax(0, (sum2 - sum * sum / m) / (m - 1)) / m) : NAN;
        printf("  events per second (one core): %.2f M +- %.2f M (SE over %d runs)\n", mean / 1e6,
               se / 1e6, m);
        uint64_t tot = 0;
        for (int t = 0; t < 64; t++) tot += cnt.by_type[t];
        printf("  event mix:");
        for (int t = 0; t < 64; t++)
            if (cnt.by_type[t])
                printf(" %s %.1f%%", fsn_engine_type_name(fsn_world_engine(w), (uint32_t)t),
                       100.0 * (double)cnt.by_type[t] / (double)tot);
        printf("\n");
        if (n == 100000) rate_1e5 = mean;
        fsn_world_free(w);
        fsn_users_destroy(&u);
        fsn_csr_destroy(&g);
    }
    if (isfinite(rate_1e5)) printf("events_per_second_1e5 %.0f\n", rate_1e5);
    return 0;
}
