/*
 * cli/scenario_cmds.c: validate, run with a scenario file, batch.
 *
 * The person at the terminal gets: every error of a file at once, with
 * its path; a progress bar on stderr when it is a terminal (replicates
 * done, events per second, time left), nothing when it is not; a clean
 * stop on Ctrl-C (the replicates done are written and the summary says
 * the run was interrupted); output files that appear whole or not at all
 * (written to a temporary, then renamed). Exit codes: 0 success, 1 a
 * failure or an interruption while running, 2 bad usage or bad input.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fission/output.h"
#include "fission/seeding.h"
#include "fission/stats.h"

#ifndef FISSION_VERSION
#define FISSION_VERSION "0.1.0"
#endif
#ifndef FISSION_GIT_REV
#define FISSION_GIT_REV "unknown"
#endif

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The article's figure for a metric, or NaN (docs/METRICS.md maps them). */
static double article_figure(const char *name) {
    static const struct { const char *name; double v; } fig[] = {
        {"campaign.bargain.participation_rate", 0.17}, {"campaign.bargain.conversion_rate", 0.19},
        {"campaign.bargain.share_rate", 0.68},         {"campaign.group.participation_rate", 0.24},
        {"campaign.group.conversion_rate", 0.23},      {"campaign.group.share_rate", 0.57},
        {"campaign.redpacket.participation_rate", 0.32}, {"campaign.redpacket.conversion_rate", 0.12},
        {"campaign.redpacket.share_rate", 0.45},
        {"pay.wechat.order_share", 0.42}, {"pay.alipay.order_share", 0.53}, {"pay.unionpay.order_share", 0.05},
        {"pay.wechat.repurchase_rate", 0.68}, {"pay.alipay.repurchase_rate", 0.62},
        {"pay.unionpay.repurchase_rate", 0.54}, {"pay.wechat.order_value", 285},
        {"pay.alipay.order_value", 278}, {"pay.unionpay.order_value", 260},
        {"pay.wechat.fixed_rate", 0.68}, {"pay.alipay.fixed_rate", 0.82},
        {"source.wechat_link.new_user_share", 0.27}, {"source.alipay_mini.new_user_share", 0.18},
        {"source.short_video.new_user_share", 0.22}, {"source.wechat_link.retention", 0.41},
        {"source.alipay_mini.retention", 0.35}, {"source.short_video.retention", 0.28},
        {"source.wechat_link.order_value", 312}, {"source.alipay_mini.order_value", 295},
        {"source.short_video.order_value", 250}, {"source.wechat_link.age35_share", 0.68},
        {"channel.mini_program.opens_per_month", 24}, {"channel.app.opens_per_month", 98},
        {"channel.wechat_store.opens_per_month", 15}, {"channel.mini_program.conversion", 0.082},
        {"channel.app.conversion", 0.125}, {"channel.wechat_store.conversion", 0.041},
        {"channel.mini_program.order_value", 185}, {"channel.app.order_value", 320},
        {"channel.wechat_store.order_value", 120}, {"policy.complaint_rate", 0.007},
    };
    for (size_t i = 0; i < sizeof fig / sizeof *fig; i++)
        if (!strcmp(fig[i].name, name)) return fig[i].v;
    return NAN;
}

static int is_rate(const char *name) {
    static const char *const suffix[] = {"_rate", "_share", "conversion", "retention", "viral_coefficient"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        size_t k = strlen(suffix[i]);
        if (n >= k && !strcmp(name + n - k, suffix[i])) return 1;
    }
    return 0;
}

/* The main figures shown without --all (suffixes of metric names). */
static int is_main(const char *name) {
    static const char *const keep[] = {
        ".exposed", ".participants", ".buyers", ".participation_rate", ".conversion_rate",
        ".share_rate", ".viral_coefficient", ".net_gmv", ".fill_rate", ".success_rate",
        ".helpers_per_success", ".claim_rate", ".order_share", ".repurchase_rate", ".order_value",
        ".fixed_rate", ".new_user_share", ".retention", ".age35_share", ".opens_per_month",
        ".conversion", "policy.complaint_rate"};
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
        size_t n = strlen(name), k = strlen(keep[i]);
        if (n >= k && !strcmp(name + n - k, keep[i])) return 1;
    }
    return 0;
}

void cli_print_table(const fsn_run_result_t *res, int all) {
    double *x = malloc((res->reps ? res->reps : 1) * sizeof *x);
    double *scratch = malloc((res->reps ? res->reps : 1) * sizeof *scratch);
    if (!x || !scratch) {
        fprintf(stderr, "fission: out of memory printing the figures\n");
        free(x);
        free(scratch);
        return;
    }
    printf("\n  %-44s %12s  %-27s %10s\n", "figure", "mean", "95% interval of mean", "article");
    const char *section = "";
    for (size_t k = 0; k < res->nmetrics; k++) {
        const char *name = res->names[k];
        if (!all && !is_main(name)) continue;
        size_t nf = 0;
        for (uint32_t r = 0; r < res->reps; r++) {
            double v = res->values[(size_t)r * res->nmetrics + k];
            if (res->done[r] && isfinite(v)) x[nf++] = v;
        }
        /* a blank line between groups (campaign.<name>, pay, source, ...) */
        const char *dot = strchr(name, '.');
        if (dot && !strncmp(name, "campaign.", 9)) dot = strchr(dot + 1, '.');
        if (dot && strncmp(name, section, (size_t)(dot - name) + 1)) {
            printf("\n");
            section = name;
        }
        double scale = is_rate(name) ? 100.0 : 1.0;
        const char *unit = is_rate(name) ? "%" : "";
        double art = article_figure(name);
        char artbuf[32] = "";
        if (isfinite(art)) snprintf(artbuf, sizeof artbuf, "%g%s", art * scale, unit);
        if (nf == 0) {
            printf("  %-44s %12s  %-27s %10s\n", name, "n/a", "(no denominator)", artbuf);
            continue;
        }
        fsn_summary_t s;
        fsn_stats_summarize(x, nf, scratch, &s);
        char ci[64];
        snprintf(ci, sizeof ci, "[%.2f, %.2f]", s.ci_lo * scale, s.ci_hi * scale);
        printf("  %-44s %11.2f%1s  %-27s %10s\n", name, s.mean * scale, unit, ci, artbuf);
    }
    uint64_t events = 0;
    for (uint32_t r = 0; r < res->reps; r++) events += res->events[r];
    printf("\n%llu events in %.2f s on %u threads (%.3g events/s)\n", (unsigned long long)events, res->seconds,
           res->threads, res->seconds > 0 ? (double)events / res->seconds : 0.0);
    free(x);
    free(scratch);
}

/* ------------------------------------------------------------------ */
/* Progress and interruption                                          */
/* ------------------------------------------------------------------ */


typedef struct progress {
    atomic_uint done;
    atomic_ullong events;
    uint32_t total;
    double t0;
    int show;
    pthread_mutex_t lock;
} progress_t;

typedef struct hook_ctx {
    progress_t *pg;
    fsn_trace_t *trace;
    fsn_collect_t *collect;    /* cascades and groups; runs the trace itself */
} hook_ctx_t;

static void draw(progress_t *pg) {
    unsigned d = atomic_load(&pg->done);
    double el = now_s() - pg->t0;
    double ev = (double)atomic_load(&pg->events);
    double left = d ? el * (double)(pg->total - d) / (double)d : NAN;
    int width = 30, fill = pg->total ? (int)((double)width * d / pg->total) : width;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    pthread_mutex_lock(&pg->lock);
    fprintf(stderr, "\r[%s] %u/%u replicates  %.3g events/s  ", bar, d, pg->total, el > 0 ? ev / el : 0.0);
    if (isfinite(left)) fprintf(stderr, "%.0f s left   ", left);
    else fprintf(stderr, "              ");
    fflush(stderr);
    pthread_mutex_unlock(&pg->lock);
}

static void hook_done(void *ctx, uint32_t rep, uint64_t events) {
    (void)rep;
    hook_ctx_t *h = ctx;
    atomic_fetch_add(&h->pg->done, 1u);
    atomic_fetch_add(&h->pg->events, events);
    if (h->pg->show) draw(h->pg);
}

static fsn_err_t hook_begin(void *ctx, uint32_t rep, fsn_world_t *w, fsn_error_t *err) {
    hook_ctx_t *h = ctx;
    if (h->collect) return fsn_collect_begin(h->collect, rep, w, err);
    return h->trace ? fsn_trace_begin(h->trace, rep, w, err) : FSN_OK;
}

static fsn_err_t hook_end(void *ctx, uint32_t rep, fsn_world_t *w, fsn_err_t rc, fsn_error_t *err) {
    hook_ctx_t *h = ctx;
    if (h->collect) return fsn_collect_end(h->collect, rep, w, rc, err);
    return h->trace ? fsn_trace_end(h->trace, rep, w, rc, err) : FSN_OK;
}

/* ------------------------------------------------------------------ */
/* Running a scenario                                                 */
/* ------------------------------------------------------------------ */

static void print_diags(const fsn_diags_t *d) {
    size_t shown = d->count < FSN_DIAG_MAX ? d->count : FSN_DIAG_MAX;
    for (size_t i = 0; i < shown; i++) fprintf(stderr, "%s\n", d->msg[i]);
    if (d->count > shown) fprintf(stderr, "(%zu more errors not shown)\n", d->count - shown);
}

static int exit_for(fsn_err_t rc) {
    return (rc == FSN_EINVAL || rc == FSN_EPARSE || rc == FSN_EIO) ? CLI_USAGE : CLI_RUN;
}

/* Could out be created and written, without creating anything yet? The
 * folder itself, or else its nearest existing ancestor, must be a
 * writable folder. Prints the reason and returns 0 if not. */
static int out_possible(const char *out) {
    char p[FSN_SCENARIO_PATH_MAX + 64];
    snprintf(p, sizeof p, "%s", out);
    for (;;) {
        struct stat st;
        if (stat(p, &st) == 0) {
            if (!S_ISDIR(st.st_mode)) {
                fprintf(stderr, "fission: %s: cannot write the outputs there: %s is not a folder\n", out, p);
                return 0;
            }
            if (access(p, W_OK | X_OK)) {
                fprintf(stderr, "fission: %s: cannot write the outputs there: %s: %s\n", out, p, strerror(errno));
                return 0;
            }
            return 1;
        }
        if (errno != ENOENT) {
            fprintf(stderr, "fission: %s: cannot write the outputs there: %s: %s\n", out, p, strerror(errno));
            return 0;
        }
        char *slash = strrchr(p, '/');
        while (slash && slash > p && slash[1] == 0) {   /* trailing slashes */
            *slash = 0;
            slash = strrchr(p, '/');
        }
        if (!slash) snprintf(p, sizeof p, ".");
        else if (slash == p) snprintf(p, sizeof p, "/");
        else *slash = 0;
    }
}

static int write_outputs(const fsn_scenario_t *sc, const char *scenario_path, const fsn_run_result_t *res,
                         const char *out, const fsn_collect_t *collect) {
    char *json = fsn_scenario_to_json(sc);
    const char *names[FSN_CAMPAIGNS_MAX];
    for (size_t c = 0; c < sc->ncampaigns; c++) names[c] = sc->campaigns[c].name;
    fsn_run_meta_t meta = {scenario_path, json, FISSION_VERSION, FISSION_GIT_REV, sc->seed, sc->behaviour.bin, names};
    fsn_error_t err = {0};
    fsn_err_t rc = json ? FSN_OK : FSN_ENOMEM;
    if (!rc && sc->out_summary) rc = fsn_output_summary(out, res, &meta, &err);
    if (!rc && sc->out_replicates) rc = fsn_output_replicates(out, res, &err);
    /* cascades.csv and groups.csv go with the summary */
    if (!rc && sc->out_summary && collect) rc = fsn_output_cascades(out, collect, res, &meta, &err);
    if (!rc && sc->out_summary && collect) rc = fsn_output_groups(out, collect, res, &meta, &err);
    if (!rc && sc->out_timeseries != FSN_TS_NONE)
        rc = fsn_output_timeseries(out, res, &meta,
                                   sc->out_timeseries == FSN_TS_MEAN ? FSN_SERIES_MEAN : FSN_SERIES_PER_REPLICATE, &err);
    free(json);
    if (rc) {
        fprintf(stderr, "fission: %s\n", err.msg[0] ? err.msg : "out of memory writing the outputs");
        return CLI_RUN;
    }
    return CLI_OK;
}

int cli_run_scenario(fsn_scenario_t *sc, const char *label, const char *scenario_path,
                     const cli_run_opts_t *o, const char *out, fsn_run_result_t *res) {
    memset(res, 0, sizeof *res);
    if (o->reps) sc->replicates = o->reps;
    if (o->have_seed) sc->seed = o->seed;
    if (o->trace) sc->out_trace = 1;
    fsn_error_t err = {0};
    /* a run that could not write its outputs is refused before it
     * starts; the folder is created only once the inputs have all been
     * read, so bad input leaves nothing behind */
    if (out && !out_possible(out)) return CLI_USAGE;
    double t0 = now_s();
    fsn_csr_t g;
    fsn_err_t rc = fsn_scenario_graph(sc, &g, &err);
    if (rc) {
        fprintf(stderr, "fission: %s: graph: %s\n", label, err.msg[0] ? err.msg : fsn_err_name(rc));
        return (rc == FSN_ENOMEM || rc == FSN_ELIB) ? CLI_RUN : CLI_USAGE;
    }
    double gsecs = now_s() - t0;
    fsn_vid_t *lists[FSN_CAMPAIGNS_MAX];
    rc = fsn_scenario_seed_lists(sc, &g, lists, &err);
    if (rc) {
        fprintf(stderr, "fission: %s: %s\n", label, err.msg);
        fsn_csr_destroy(&g);
        return exit_for(rc);
    }
    if (out && fsn_output_dir(out, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        for (size_t c = 0; c < FSN_CAMPAIGNS_MAX; c++) free(lists[c]);
        fsn_csr_destroy(&g);
        return CLI_USAGE;
    }
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = sc->replicates;
    cfg.seed = sc->seed;
    /* --threads changes how, not what: it is not written into the
     * normalised scenario, so outputs do not depend on it */
    cfg.threads = o->threads ? o->threads : sc->threads;
    uint32_t threads = cfg.threads ? cfg.threads : fsn_run_cores();
    if (threads > cfg.reps) threads = cfg.reps;
    printf("fission %s: %s\n", FISSION_VERSION, label);
    printf("graph: %u users, %llu ties (built in %.2f s)\n", g.n, (unsigned long long)g.m, gsecs);
    printf("campaigns:");
    for (size_t c = 0; c < sc->ncampaigns; c++)
        printf(" %s (%s, %u %s seeds)", sc->campaigns[c].name, fsn_camp_kind_name(sc->campaigns[c].kind),
               sc->campaigns[c].seeding.count, fsn_seed_kind_name(sc->campaigns[c].seeding.kind));
    printf("\n%g hours; link policy %s; replicates: %u, seed %llu, %u threads\n", sc->behaviour.horizon,
           fsn_regime_name(sc->behaviour.regime), cfg.reps, (unsigned long long)cfg.seed, threads);
    fflush(stdout);

    progress_t pg;
    atomic_init(&pg.done, 0u);
    atomic_init(&pg.events, 0ull);
    pg.total = cfg.reps;
    pg.t0 = now_s();
    pg.show = !o->quiet && isatty(STDERR_FILENO);
    pthread_mutex_init(&pg.lock, NULL);
    hook_ctx_t hc = {&pg, NULL, NULL};
    if (sc->out_trace && out) {
        hc.trace = fsn_trace_new(out, cfg.reps, &err);
        if (!hc.trace) {
            fprintf(stderr, "fission: %s\n", err.msg);
            for (size_t c = 0; c < FSN_CAMPAIGNS_MAX; c++) free(lists[c]);
            fsn_csr_destroy(&g);
            pthread_mutex_destroy(&pg.lock);
            return CLI_USAGE;
        }
    } else if (sc->out_trace) {
        fprintf(stderr, "fission: %s: a trace needs an output folder (--out)\n", label);
    }
    if (out && sc->out_summary) {
        hc.collect = fsn_collect_new(cfg.reps, hc.trace, &err);
        if (!hc.collect) {
            fprintf(stderr, "fission: %s\n", err.msg);
            fsn_trace_free(hc.trace);
            for (size_t c = 0; c < FSN_CAMPAIGNS_MAX; c++) free(lists[c]);
            fsn_csr_destroy(&g);
            pthread_mutex_destroy(&pg.lock);
            return CLI_RUN;
        }
    }
    cli_signals_t sigs;
    fsn_run_hooks_t hooks = {&hc, hook_begin, hook_end, hook_done, cli_stop_catch(&sigs)};
    if (pg.show) draw(&pg);
    rc = fsn_run_campaigns_hooked(&g, &sc->users, &sc->behaviour, sc->campaigns, sc->ncampaigns, &cfg, 0, &hooks,
                                  res, &err);
    cli_stop_release(&sigs);
    if (pg.show) fprintf(stderr, "\r\033[K");
    fsn_trace_free(hc.trace);
    pthread_mutex_destroy(&pg.lock);
    for (size_t c = 0; c < FSN_CAMPAIGNS_MAX; c++) free(lists[c]);
    for (size_t c = 0; c < sc->ncampaigns; c++) {
        sc->campaigns[c].seeding.list = NULL;
        sc->campaigns[c].seeding.list_len = 0;
    }
    fsn_csr_destroy(&g);
    if (rc) {
        fprintf(stderr, "fission: %s: %s\n", label, err.msg);
        fsn_collect_free(hc.collect);
        return exit_for(rc);
    }
    cli_print_table(res, o->all);
    int code = CLI_OK;
    if (out) {
        code = write_outputs(sc, scenario_path, res, out, hc.collect);
        if (!code && !o->quiet) fprintf(stderr, "fission: wrote the outputs to %s/\n", out);
    }
    fsn_collect_free(hc.collect);
    if (res->interrupted) {
        fprintf(stderr, "fission: interrupted: %u of %u replicates done%s\n", res->reps_done, res->reps,
                out ? " and written" : "");
        code = CLI_RUN;
    }
    return code;
}

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

static int parse_uint(const char *s, uint64_t max, uint64_t *out) {
    if (!(*s >= '0' && *s <= '9')) return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > max) return -1;
    *out = v;
    return 0;
}

/* Consume a shared option at argv[*i]: 1 taken, 0 not ours, -1 bad. */
int cli_run_opt(cli_run_opts_t *o, int argc, char **argv, int *i, const char *cmd);
static int run_opt(cli_run_opts_t *o, int argc, char **argv, int *i, const char *cmd) {
    return cli_run_opt(o, argc, argv, i, cmd);
}

int cli_run_opt(cli_run_opts_t *o, int argc, char **argv, int *i, const char *cmd) {
    const char *a = argv[*i];
    if (!strcmp(a, "--trace")) return o->trace = 1, 1;
    if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) return o->quiet = 1, 1;
    if (!strcmp(a, "--all")) return o->all = 1, 1;
    static const char *const valued[] = {"--reps", "--seed", "--threads", "--out", "--set"};
    int known = 0;
    for (size_t k = 0; k < sizeof valued / sizeof *valued; k++) known |= !strcmp(a, valued[k]);
    if (!known) return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "fission: %s: %s needs a value\n", cmd, a);
        return -1;
    }
    const char *v = argv[++*i];
    uint64_t u;
    if (!strcmp(a, "--out")) o->out = v;
    else if (!strcmp(a, "--set")) {
        if (!strchr(v, '=')) {
            fprintf(stderr, "fission: --set: expected PATH=VALUE, got '%s'\n", v);
            return -1;
        }
        const char **ns = realloc(o->sets, (o->nsets + 1) * sizeof *ns);
        if (!ns) return -1;
        o->sets = ns;
        o->sets[o->nsets++] = v;
    } else if (!strcmp(a, "--seed")) {
        if (parse_uint(v, 9007199254740992ull, &u)) {
            fprintf(stderr, "fission: --seed: expected a non-negative integer, got '%s'\n", v);
            return -1;
        }
        o->seed = u;
        o->have_seed = 1;
    } else {
        if (parse_uint(v, 10000000ull, &u) || u < 1) {
            fprintf(stderr, "fission: %s: expected a positive integer, got '%s'\n", a, v);
            return -1;
        }
        if (!strcmp(a, "--reps")) o->reps = (uint32_t)u;
        else o->threads = (uint32_t)u;
    }
    return 1;
}

int cli_run_file(int argc, char **argv) {
    const char *file = argv[0];
    cli_run_opts_t o = {0};
    for (int i = 1; i < argc; i++) {
        int r = run_opt(&o, argc, argv, &i, "run");
        if (r < 0) {
            free(o.sets);
            return CLI_USAGE;
        }
        if (r == 0) {
            fprintf(stderr, "fission: run: '%s' does not go with a scenario file (use --set PATH=VALUE to change "
                            "a setting; see `fission help run`)\n",
                    argv[i]);
            free(o.sets);
            return CLI_USAGE;
        }
    }
    fsn_scenario_t *sc = malloc(sizeof *sc);
    fsn_diags_t *d = malloc(sizeof *d);
    if (!sc || !d) {
        free(sc);
        free(d);
        free(o.sets);
        fprintf(stderr, "fission: out of memory\n");
        return CLI_RUN;
    }
    fsn_err_t rc = fsn_scenario_load(sc, file, o.sets, o.nsets, d);
    int code;
    if (rc) {
        print_diags(d);
        code = exit_for(rc);
    } else {
        char out[FSN_SCENARIO_PATH_MAX + 64];
        if (o.out) snprintf(out, sizeof out, "%s", o.out);
        else snprintf(out, sizeof out, "runs/%s", sc->name);
        fsn_run_result_t res;
        code = cli_run_scenario(sc, file, file, &o, out, &res);
        fsn_run_result_destroy(&res);
    }
    free(sc);
    free(d);
    free(o.sets);
    return code;
}

int cli_validate(int argc, char **argv) {
    cli_run_opts_t o = {0};
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t nf = 0;
    if (!files) return CLI_RUN;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            if (!strcmp(argv[i], "--set")) {
                int r = run_opt(&o, argc, argv, &i, "validate");
                if (r < 0) {
                    free(files);
                    free(o.sets);
                    return CLI_USAGE;
                }
                continue;
            }
            fprintf(stderr, "fission: validate: unknown option '%s'\n", argv[i]);
            free(files);
            free(o.sets);
            return CLI_USAGE;
        }
        files[nf++] = argv[i];
    }
    if (nf == 0) {
        fprintf(stderr, "fission: validate: expected one or more scenario files\n");
        free(files);
        free(o.sets);
        return CLI_USAGE;
    }
    fsn_scenario_t *sc = malloc(sizeof *sc);
    fsn_diags_t *d = malloc(sizeof *d);
    int bad = 0;
    for (size_t i = 0; sc && d && i < nf; i++) {
        fsn_err_t rc = fsn_scenario_load(sc, files[i], o.sets, o.nsets, d);
        /* everything a run would refuse: the graph is built (or read) and
         * the seed files read, as a run does */
        if (!rc) {
            fsn_csr_t g;
            fsn_error_t err = {0};
            fsn_err_t grc = fsn_scenario_graph(sc, &g, &err);
            if (grc) {
                fprintf(stderr, "%s: graph: %s\n", files[i], err.msg[0] ? err.msg : fsn_err_name(grc));
                rc = grc;
            } else {
                fsn_vid_t *lists[FSN_CAMPAIGNS_MAX];
                fsn_err_t src = fsn_scenario_seed_lists(sc, &g, lists, &err);
                if (src) {
                    fprintf(stderr, "%s: %s\n", files[i], err.msg);
                    rc = src;
                } else {
                    for (size_t c = 0; c < FSN_CAMPAIGNS_MAX; c++) free(lists[c]);
                }
                fsn_csr_destroy(&g);
            }
        } else {
            print_diags(d);
        }
        if (rc) bad = 1;
        else printf("%s: ok (%zu campaigns, %u replicates)\n", files[i], sc->ncampaigns, sc->replicates);
    }
    int oom = !sc || !d;
    free(sc);
    free(d);
    free(files);
    free(o.sets);
    if (oom) return CLI_RUN;
    return bad ? CLI_USAGE : CLI_OK;
}

/* ------------------------------------------------------------------ */
/* Batch                                                              */
/* ------------------------------------------------------------------ */

/* A CSV field, quoted if it must be. */
static void csv_field(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int is_json(const struct dirent *e) {
    size_t n = strlen(e->d_name);
    return n > 5 && !strcmp(e->d_name + n - 5, ".json") && e->d_name[0] != '.';
}

/* The scenario files named: files as they are, folders by their *.json
 * in name order. */
static int collect(int argc, char **argv, char ***out, size_t *n) {
    size_t cap = 16, len = 0;
    char **v = malloc(cap * sizeof *v);
    if (!v) return -1;
    for (int i = 0; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            struct dirent **list;
            int k = scandir(argv[i], &list, is_json, alphasort);
            if (k < 0) {
                fprintf(stderr, "fission: batch: cannot read the folder %s: %s\n", argv[i], strerror(errno));
                continue;
            }
            for (int j = 0; j < k; j++) {
                if (len == cap) {
                    char **nv = realloc(v, (cap *= 2) * sizeof *v);
                    if (!nv) return -1;
                    v = nv;
                }
                size_t sz = strlen(argv[i]) + strlen(list[j]->d_name) + 2;
                v[len] = malloc(sz);
                if (v[len]) snprintf(v[len++], sz, "%s/%s", argv[i], list[j]->d_name);
                free(list[j]);
            }
            free(list);
        } else {
            if (len == cap) {
                char **nv = realloc(v, (cap *= 2) * sizeof *v);
                if (!nv) return -1;
                v = nv;
            }
            v[len++] = strdup(argv[i]);
        }
    }
    *out = v;
    *n = len;
    return 0;
}

int cli_batch(int argc, char **argv) {
    cli_run_opts_t o = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    int na = 0;
    if (!args) return CLI_RUN;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            int r = run_opt(&o, argc, argv, &i, "batch");
            if (r <= 0) {
                if (r == 0) fprintf(stderr, "fission: batch: unknown option '%s'\n", argv[i]);
                free(args);
                free(o.sets);
                return CLI_USAGE;
            }
            continue;
        }
        args[na++] = argv[i];
    }
    char **files = NULL;
    size_t nf = 0;
    if (na == 0 || collect(na, args, &files, &nf) || nf == 0) {
        fprintf(stderr, "fission: batch: expected scenario files or folders holding *.json files\n");
        free(args);
        free(o.sets);
        if (files)
            for (size_t i = 0; i < nf; i++) free(files[i]);
        free(files);
        return CLI_USAGE;
    }
    const char *root = o.out ? o.out : "runs";
    fsn_error_t err = {0};
    if (fsn_output_dir(root, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        for (size_t i = 0; i < nf; i++) free(files[i]);
        free(files);
        free(args);
        free(o.sets);
        return CLI_USAGE;
    }
    fsn_scenario_t *sc = malloc(sizeof *sc);
    fsn_diags_t *d = malloc(sizeof *d);
    /* the batch table: one row per scenario and metric (long form, since
     * scenarios may have different campaigns) */
    char *table = NULL;
    size_t tlen = 0;
    FILE *tf = open_memstream(&table, &tlen);
    int failures = 0, bad_input = 0;
    char (*used)[FSN_SCENARIO_PATH_MAX] = calloc(nf, sizeof *used);
    if (!sc || !d || !tf || !used) {
        fprintf(stderr, "fission: out of memory\n");
        if (tf) fclose(tf);
        free(table);
        free(sc);
        free(d);
        free(used);
        for (size_t i = 0; i < nf; i++) free(files[i]);
        free(files);
        free(args);
        free(o.sets);
        return CLI_RUN;
    }
    fprintf(tf, "scenario,file,status,replicates_done,metric,n,mean,ci95_lo,ci95_hi\n");
    double *x = NULL, *scratch = NULL;
    for (size_t i = 0; i < nf; i++) {
        fsn_err_t rc = fsn_scenario_load(sc, files[i], o.sets, o.nsets, d);
        if (rc) {
            print_diags(d);
            fprintf(stderr, "fission: batch: skipping %s\n", files[i]);
            char bn[FSN_SCENARIO_PATH_MAX];
            cli_base_name(bn, sizeof bn, files[i]);
            csv_field(tf, bn);
            fputc(',', tf);
            csv_field(tf, files[i]);
            fputs(",bad input,0,,,,,\n", tf);
            bad_input++;
            continue;
        }
        /* one folder per scenario, by its base name (numbered if taken) */
        char name[FSN_SCENARIO_PATH_MAX];
        cli_base_name(name, sizeof name, files[i]);
        char uniq[FSN_SCENARIO_PATH_MAX];
        snprintf(uniq, sizeof uniq, "%s", name);
        for (int k = 2;; k++) {
            int taken = 0;
            for (size_t j = 0; j < i; j++) taken |= !strcmp(used[j], uniq);
            if (!taken) break;
            snprintf(uniq, sizeof uniq, "%.*s-%d", (int)(sizeof uniq - 16), name, k);
        }
        snprintf(used[i], sizeof used[i], "%s", uniq);
        char out[2 * FSN_SCENARIO_PATH_MAX + 2];
        snprintf(out, sizeof out, "%s/%s", root, uniq);
        fsn_run_result_t res;
        int code = cli_run_scenario(sc, files[i], files[i], &o, out, &res);
        const char *status = code == CLI_OK ? "ok" : res.interrupted ? "interrupted" : code == CLI_USAGE ? "bad input" : "failed";
        if (code == CLI_USAGE) bad_input++;
        else if (code) failures++;
        if (res.reps && res.values) {
            double *nx = realloc(x, res.reps * sizeof *x), *ns = realloc(scratch, res.reps * sizeof *scratch);
            if (nx) x = nx;
            if (ns) scratch = ns;
            for (size_t k = 0; nx && ns && k < res.nmetrics; k++) {
                size_t n = 0;
                for (uint32_t r = 0; r < res.reps; r++) {
                    double v = res.values[(size_t)r * res.nmetrics + k];
                    if (res.done[r] && isfinite(v)) x[n++] = v;
                }
                fsn_summary_t s;
                fsn_stats_summarize(x, n, scratch, &s);
                csv_field(tf, uniq);
                fputc(',', tf);
                csv_field(tf, files[i]);
                fprintf(tf, ",%s,%u,%s,%zu,", status, res.reps_done, res.names[k], n);
                if (n) fprintf(tf, "%.17g,%.17g,%.17g\n", s.mean, s.ci_lo, s.ci_hi);
                else fputs(",,\n", tf);
            }
        } else {
            csv_field(tf, uniq);
            fputc(',', tf);
            csv_field(tf, files[i]);
            fprintf(tf, ",%s,0,,,,,\n", status);
        }
        fsn_run_result_destroy(&res);
        if (cli_stopped()) {
            fprintf(stderr, "fission: batch: interrupted; the scenarios not yet run are skipped\n");
            break;
        }
        printf("\n");
    }
    fclose(tf);
    char path[FSN_SCENARIO_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/batch.csv", root);
    int code = CLI_OK;
    if (fsn_write_atomic(path, table, tlen, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = CLI_RUN;
    } else if (!o.quiet) {
        fprintf(stderr, "fission: batch: %zu scenarios, %d bad, %d failed; the table is %s\n", nf, bad_input,
                failures, path);
    }
    free(x);
    free(scratch);
    free(table);
    free(sc);
    free(d);
    free(used);
    for (size_t i = 0; i < nf; i++) free(files[i]);
    free(files);
    free(args);
    free(o.sets);
    if (code) return code;
    if (failures) return CLI_RUN;
    return bad_input ? CLI_USAGE : CLI_OK;
}

int cli_help_scenario(void) {
    char *ref = fsn_scenario_reference();
    if (!ref) {
        fprintf(stderr, "fission: out of memory\n");
        return CLI_RUN;
    }
    fputs("Scenario keys (docs/SCENARIOS.md explains the format):\n\n", stdout);
    fputs(ref, stdout);
    free(ref);
    return CLI_OK;
}
