/*
 * cli/ab_cmd.c: fission ab A.json B.json, and fission ab FILE --seeding ...
 *
 * Two designs: both scenario files are loaded with the same --set
 * overrides, must describe the same graph (unless --allow-different-
 * graphs), and run the same replicates on the same random streams
 * (ab.h); the money block, the verdict and the chosen metrics are
 * printed, and DIR/ab.csv and DIR/ab.json hold every row.
 *
 * Seeding strategies: one scenario file run once per strategy (every
 * campaign's seeding.strategy set to it), all on the same streams; a
 * table of the money figures of each, and each strategy's paired
 * difference in net GMV from the best one, goes to stdout and
 * DIR/seeding.csv.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fission/ab.h"
#include "fission/output.h"
#include "../text.h"

const char *const cli_usage_ab =
    "usage: fission ab A.json B.json [--reps N] [--seed S] [--threads T] [--delta METRIC=VALUE]...\n"
    "                  [--metrics M,...] [--all] [--out DIR] [--set PATH=VALUE]... [--allow-different-graphs]\n"
    "       fission ab FILE --seeding random,degree,pagerank,kcore,tier [options]\n"
    "\n"
    "Compares two campaign designs on the same graph, the same users and the\n"
    "same random streams (common random numbers): replicate r of both designs\n"
    "draws from stream (seed, 0, r), so the paired difference B - A cancels the\n"
    "noise they share. Prints a money block (GMV, subsidy, coupon cost,\n"
    "refunds, net GMV, buyers, buyers per yuan of subsidy and of subsidy plus\n"
    "coupons) for A, B and B - A with its 95% interval, a one-line verdict,\n"
    "and per metric: means, B - A with its 95% paired t interval, p-value,\n"
    "relative change and the replicates needed to resolve a difference of\n"
    "--delta METRIC=VALUE (default 5% of |mean A|) at alpha 0.05, power 80%.\n"
    "Campaign metrics of differently named campaigns are paired by position\n"
    "and shown as campaign[i].METRIC. Writes DIR/ab.csv and DIR/ab.json\n"
    "(default DIR: runs/ab-A-vs-B). docs/DESIGNS.md explains the method.\n"
    "\n"
    "  --reps N       replicates per design (default: A's run.replicates, at least 2)\n"
    "  --seed S       base seed (default: A's run.seed)\n"
    "  --metrics M,.. metrics to print (names or prefixes; default: the campaigns')\n"
    "  --all          print every metric\n"
    "  --set P=V      applied to both designs\n"
    "  --allow-different-graphs  run designs whose graph sections differ (each on its own graph;\n"
    "                 the streams are still shared, but the users are not the same people)\n"
    "  --seeding LIST one scenario, once per seeding strategy (every campaign's\n"
    "                 seeding.strategy); prints each strategy's money figures and its\n"
    "                 difference in net GMV from the best; writes DIR/seeding.csv\n";

static const char *const strategies[] = {"random", "degree", "pagerank", "kcore", "tier"};

/* The run settings of a comparison: its replicates, seed and threads. */
static fsn_run_cfg_t run_cfg_of(const fsn_ab_cfg_t *cfg) {
    fsn_run_cfg_t rcfg;
    fsn_run_cfg_default(&rcfg);
    rcfg.reps = cfg->reps;
    rcfg.seed = cfg->seed;
    rcfg.threads = cfg->threads;
    return rcfg;
}

static int load(fsn_scenario_t *sc, const char *file, const char **sets, size_t nsets, fsn_diags_t *d) {
    if (fsn_scenario_load(sc, file, sets, nsets, d)) {
        for (size_t k = 0; k < d->count && k < FSN_DIAG_MAX; k++) fprintf(stderr, "%s\n", d->msg[k]);
        return -1;
    }
    return 0;
}

static void print_row(const fsn_ab_row_t *w) {
    const fsn_paired_stat_t *s = &w->st;
    char ci[64] = "", rel[24] = "", need[24] = "", p[24] = "";
    if (isfinite(s->ci_lo)) snprintf(ci, sizeof ci, "[%.6g, %.6g]", s->ci_lo, s->ci_hi);
    if (isfinite(s->rel)) snprintf(rel, sizeof rel, "%+.1f%%", 100 * s->rel);
    if (isfinite(s->reps_needed)) snprintf(need, sizeof need, "%.0f", s->reps_needed);
    if (isfinite(s->p)) snprintf(p, sizeof p, "%.2g%s", s->p, s->significant ? " *" : "");
    char ma[24] = "-", mb[24] = "-", d[24] = "";
    if (isfinite(s->mean_a)) snprintf(ma, sizeof ma, "%.6g", s->mean_a);
    if (isfinite(s->mean_b)) snprintf(mb, sizeof mb, "%.6g", s->mean_b);
    if (isfinite(s->diff) && (w->money || (w->name_a[0] && w->name_b[0]))) snprintf(d, sizeof d, "%+.6g", s->diff);
    printf("  %-44s %12s %12s %12s %-28s %8s %9s %8s\n", w->name, ma, mb, d, ci, rel, p, need);
}

/* The columns are "A" and "B" (the first line names the two designs):
 * a design's name is often longer than the column. */
static void print_header(void) {
    printf("  %-44s %12s %12s %12s %-28s %8s %9s %8s\n", "", "mean A", "mean B", "B - A", "95% interval", "change",
           "p", "reps");
}

static int wanted(const char *name, const char *list) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (!strncmp(name, t, strlen(t))) return 1;
    return 0;
}

static int parse_deltas(const char *v, fsn_ab_delta_t **ds, size_t *n) {
    const char *eq = strrchr(v, '=');
    char *end;
    if (!eq || eq == v || (size_t)(eq - v) >= sizeof(*ds)->metric) {
        fprintf(stderr, "fission: ab: --delta: expected METRIC=VALUE, got '%s'\n", v);
        return -1;
    }
    double x = strtod(eq + 1, &end);
    if (*end || !(x > 0) || !isfinite(x)) {
        fprintf(stderr, "fission: ab: --delta %.*s: expected a positive number, got '%s'\n", (int)(eq - v), v, eq + 1);
        return -1;
    }
    fsn_ab_delta_t *nd = realloc(*ds, (*n + 1) * sizeof *nd);
    if (!nd) return -1;
    *ds = nd;
    memset(&nd[*n], 0, sizeof nd[*n]);
    memcpy(nd[*n].metric, v, (size_t)(eq - v));
    nd[*n].value = x;
    (*n)++;
    return 0;
}

/* fission ab FILE --seeding LIST */
static int seeding_cmd(const char *file, const char *list, const cli_run_opts_t *o, const fsn_ab_cfg_t *cfg0,
                       int have_reps) {
    char names[8][16];
    size_t k = 0;
    {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", list);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int ok = 0;
            for (size_t i = 0; i < sizeof strategies / sizeof *strategies; i++) ok |= !strcmp(t, strategies[i]);
            if (!ok) {
                fprintf(stderr, "fission: ab: --seeding: unknown strategy '%s' (expected random, degree, pagerank, kcore or tier)\n", t);
                return CLI_USAGE;
            }
            for (size_t i = 0; i < k; i++)
                if (!strcmp(names[i], t)) ok = 0;
            if (!ok) {
                fprintf(stderr, "fission: ab: --seeding: strategy '%s' named twice\n", t);
                return CLI_USAGE;
            }
            if (k == 8) break;
            snprintf(names[k++], sizeof names[0], "%s", t);
        }
    }
    if (k < 2) {
        fprintf(stderr, "fission: ab: --seeding: name at least two strategies, got '%s'\n", list);
        return CLI_USAGE;
    }
    int code = CLI_OK;
    fsn_scenario_t *sc = malloc((k + 1) * sizeof *sc);
    fsn_diags_t *d = malloc(sizeof *d);
    fsn_run_result_t *res = calloc(k, sizeof *res);
    const char **sets = calloc(o->nsets + FSN_CAMPAIGNS_MAX, sizeof *sets);
    char (*own)[96] = calloc(FSN_CAMPAIGNS_MAX, sizeof *own);
    fsn_csr_t g = {0};
    int have_g = 0;
    size_t ran = 0;
    fsn_error_t err = {0};
    if (!sc || !d || !res || !sets || !own) {
        fprintf(stderr, "fission: out of memory\n");
        code = CLI_RUN;
        goto done;
    }
    for (size_t i = 0; i < o->nsets; i++) sets[i] = o->sets[i];
    if (load(&sc[k], file, sets, o->nsets, d)) {
        code = CLI_USAGE;
        goto done;
    }
    size_t nc = sc[k].ncampaigns;
    for (size_t s = 0; s < k; s++) {
        for (size_t c = 0; c < nc; c++) {
            snprintf(own[c], sizeof own[c], "campaigns[%zu].seeding.strategy=%s", c, names[s]);
            sets[o->nsets + c] = own[c];
        }
        if (load(&sc[s], file, sets, o->nsets + nc, d)) {
            code = CLI_USAGE;
            goto done;
        }
        snprintf(sc[s].name, sizeof sc[s].name, "%s", names[s]);
    }
    if (fsn_scenario_graph(&sc[k], &g, &err)) {
        fprintf(stderr, "fission: %s: graph: %s\n", file, err.msg);
        code = CLI_USAGE;
        goto done;
    }
    have_g = 1;
    fsn_ab_cfg_t cfg = *cfg0;
    if (!have_reps) cfg.reps = sc[k].replicates < 2 ? 2 : sc[k].replicates;
    if (!o->have_seed) cfg.seed = sc[k].seed;
    if (!o->threads) cfg.threads = sc[k].threads;
    printf("fission ab: %s with %zu seeding strategies, %u replicates each on the same streams (seed %llu)\n", file, k,
           cfg.reps, (unsigned long long)cfg.seed);
    fflush(stdout);
    fsn_run_cfg_t rcfg = run_cfg_of(&cfg);
    for (size_t s = 0; s < k; s++) {
        if (fsn_run_campaigns(&g, &sc[s].users, &sc[s].behaviour, sc[s].campaigns, sc[s].ncampaigns, &rcfg, 0, &res[s],
                              &err)) {
            fprintf(stderr, "fission: %s: seeding %s: %s\n", file, names[s], err.msg);
            code = err.code == FSN_EINVAL ? CLI_USAGE : CLI_RUN;
            goto done;
        }
        ran++;
    }
    /* the best by mean net GMV, then every strategy against it */
    size_t best = 0;
    double best_net = -INFINITY;
    fsn_ab_cfg_t c2 = cfg;
    c2.deltas = NULL;
    c2.ndeltas = 0;
    for (size_t s = 0; s < k; s++) {
        fsn_ab_result_t ab;
        if (fsn_ab_compare(&res[0], sc[0].campaigns, nc, &res[s], sc[s].campaigns, nc, names[0], names[s], &c2, &ab,
                           &err)) {
            fprintf(stderr, "fission: %s\n", err.msg);
            code = CLI_RUN;
            goto done;
        }
        double net = fsn_ab_find(&ab, "money.net_gmv")->st.mean_b;
        if (net > best_net) best_net = net, best = s;
        fsn_ab_result_destroy(&ab);
    }
    char *text = NULL;
    size_t tlen = 0;
    printf("\n  %-10s %14s %12s %12s %10s %12s %12s   %-36s %s\n", "strategy", "net GMV", "GMV", "subsidy", "buyers",
           "buyers/yuan", "b/(sub+cpn)", "net GMV - best's, 95% interval", "p");
    FILE *mem = open_memstream(&text, &tlen);
    if (!mem) {
        code = CLI_RUN;
        goto done;
    }
    fprintf(mem, "strategy,metric,mean,diff_vs_best,ci_lo,ci_hi,p,significant\n");
    for (size_t s = 0; s < k; s++) {
        fsn_ab_result_t ab;
        if (fsn_ab_compare(&res[best], sc[best].campaigns, nc, &res[s], sc[s].campaigns, nc, names[best], names[s], &c2,
                           &ab, &err)) {
            fprintf(stderr, "fission: %s\n", err.msg);
            fclose(mem);
            free(text);
            code = CLI_RUN;
            goto done;
        }
        const fsn_paired_stat_t *net = &fsn_ab_find(&ab, "money.net_gmv")->st;
        char iv[64] = "(best)", p[24] = "";
        if (s != best) {
            snprintf(iv, sizeof iv, "%+.2f [%.2f, %.2f]", net->diff, net->ci_lo, net->ci_hi);
            snprintf(p, sizeof p, "%.2g%s", net->p, net->significant ? " *" : "");
        }
        printf("  %-10s %14.2f %12.2f %12.2f %10.1f %12.4g %12.4g   %-36s %s\n", names[s], net->mean_b,
               fsn_ab_find(&ab, "money.gmv")->st.mean_b, fsn_ab_find(&ab, "money.subsidy")->st.mean_b,
               fsn_ab_find(&ab, "money.buyers")->st.mean_b,
               fsn_ab_find(&ab, "money.buyers_per_subsidy_yuan")->st.mean_b,
               fsn_ab_find(&ab, "money.buyers_per_cost_yuan")->st.mean_b, iv, p);
        for (int j = 0; j < FSN_AB_MONEY_ROWS; j++) {
            const fsn_paired_stat_t *st = &ab.rows[j].st;
            fsn_tb_t line = {0};
            fsn_tb_printf(&line, "%s,%s,", names[s], fsn_ab_money_names[j]);
            fsn_tb_num(&line, st->mean_b, "");
            const double v[] = {st->diff, st->ci_lo, st->ci_hi, st->p};
            for (size_t q = 0; q < 4; q++) {
                fsn_tb_printf(&line, ",");
                fsn_tb_num(&line, v[q], "");
            }
            fsn_tb_printf(&line, ",%d\n", st->significant);
            if (line.s) fputs(line.s, mem);
            free(line.s);
        }
        fsn_ab_result_destroy(&ab);
    }
    fclose(mem);
    printf("\n  best by mean net GMV: %s; a * marks a difference significant at 95%% (paired t, common random numbers)\n",
           names[best]);
    char dir[FSN_SCENARIO_PATH_MAX + 64], bn[FSN_SCENARIO_NAME_MAX];
    cli_base_name(bn, sizeof bn, file);
    if (o->out) snprintf(dir, sizeof dir, "%s", o->out);
    else snprintf(dir, sizeof dir, "runs/seeding-%s", bn);
    char path[FSN_SCENARIO_PATH_MAX + 96];
    snprintf(path, sizeof path, "%s/seeding.csv", dir);
    if (fsn_output_dir(dir, &err) || fsn_write_atomic(path, text, tlen, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = CLI_RUN;
    } else {
        fprintf(stderr, "fission: wrote %s\n", path);
    }
    free(text);
done:
    for (size_t s = 0; s < ran; s++) fsn_run_result_destroy(&res[s]);
    if (have_g) fsn_csr_destroy(&g);
    free(sc);
    free(d);
    free(res);
    free(sets);
    free(own);
    return code;
}

int cli_ab(int argc, char **argv) {
    const char *files[2] = {NULL, NULL}, *metrics = NULL, *seeding = NULL;
    size_t nfiles = 0;
    int allow_graphs = 0;
    cli_run_opts_t o = {0};
    fsn_ab_delta_t *deltas = NULL;
    size_t ndeltas = 0;
    int code = CLI_OK;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--allow-different-graphs")) {
            allow_graphs = 1;
            continue;
        }
        if (!strcmp(a, "--delta") || !strcmp(a, "--metrics") || !strcmp(a, "--seeding")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "fission: ab: %s needs a value\n", a);
                code = CLI_USAGE;
                goto out;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--metrics")) metrics = v;
            else if (!strcmp(a, "--seeding")) seeding = v;
            else if (parse_deltas(v, &deltas, &ndeltas)) {
                code = CLI_USAGE;
                goto out;
            }
            continue;
        }
        if (a[0] == '-' && a[1]) {
            int r = cli_run_opt(&o, argc, argv, &i, "ab");
            if (r <= 0) {
                if (r == 0) fprintf(stderr, "fission: ab: unknown option '%s' (see `fission help ab`)\n", a);
                code = CLI_USAGE;
                goto out;
            }
            continue;
        }
        if (nfiles == 2) {
            fprintf(stderr, "fission: ab: two scenario files (A and B), got a third: '%s'\n", a);
            code = CLI_USAGE;
            goto out;
        }
        files[nfiles++] = a;
    }
    fsn_ab_cfg_t cfg;
    fsn_ab_cfg_default(&cfg);
    if (o.reps) cfg.reps = o.reps < 2 ? 2 : o.reps;
    cfg.seed = o.seed;
    cfg.threads = o.threads;
    cfg.deltas = deltas;
    cfg.ndeltas = ndeltas;
    if (seeding) {
        if (nfiles != 1) {
            fprintf(stderr, "fission: ab: --seeding compares strategies on one scenario file, got %zu files\n", nfiles);
            code = CLI_USAGE;
            goto out;
        }
        code = seeding_cmd(files[0], seeding, &o, &cfg, o.reps != 0);
        goto out;
    }
    if (nfiles != 2) {
        fprintf(stderr, "fission: ab: expected two scenario files, A and B (see `fission help ab`)\n");
        code = CLI_USAGE;
        goto out;
    }
    fsn_scenario_t *sa = malloc(sizeof *sa), *sb = malloc(sizeof *sb);
    fsn_diags_t *d = malloc(sizeof *d);
    fsn_csr_t ga = {0}, gb = {0};
    int have_a = 0, have_b = 0;
    fsn_ab_result_t ab = {0};
    fsn_run_result_t ra = {0}, rb = {0};
    int have_ra = 0, have_rb = 0;
    fsn_error_t err = {0};
    if (!sa || !sb || !d) {
        code = CLI_RUN;
        goto done;
    }
    if (load(sa, files[0], o.sets, o.nsets, d) | load(sb, files[1], o.sets, o.nsets, d)) {
        code = CLI_USAGE;
        goto done;
    }
    if (!strcmp(sa->name, sb->name)) {
        /* the same name twice: tell them apart by their files */
        cli_base_name(sa->name, sizeof sa->name, files[0]);
        cli_base_name(sb->name, sizeof sb->name, files[1]);
        if (!strcmp(sa->name, sb->name)) snprintf(sa->name, sizeof sa->name, "A"), snprintf(sb->name, sizeof sb->name, "B");
    }
    char where[256];
    int gd = fsn_ab_section_diff(sa, sb, "graph", where, sizeof where);
    if (gd < 0) {
        code = CLI_RUN;
        goto done;
    }
    if (gd && !allow_graphs) {
        fprintf(stderr,
                "fission: ab: %s and %s differ at %s: both designs must run on the same graph for common random "
                "numbers (or pass --allow-different-graphs)\n",
                files[0], files[1], where);
        code = CLI_USAGE;
        goto done;
    }
    if (fsn_ab_section_diff(sa, sb, "users", where, sizeof where) > 0)
        fprintf(stderr, "fission: ab: warning: %s and %s differ at %s: the users' attributes differ, so the pairing is weaker\n",
                files[0], files[1], where);
    if (!o.reps) cfg.reps = sa->replicates < 2 ? 2 : sa->replicates;
    if (!o.have_seed) cfg.seed = sa->seed;
    if (!o.threads) cfg.threads = sa->threads;
    if (fsn_scenario_graph(sa, &ga, &err)) {
        fprintf(stderr, "fission: %s: graph: %s\n", files[0], err.msg);
        code = CLI_USAGE;
        goto done;
    }
    have_a = 1;
    if (gd) {
        if (fsn_scenario_graph(sb, &gb, &err)) {
            fprintf(stderr, "fission: %s: graph: %s\n", files[1], err.msg);
            code = CLI_USAGE;
            goto done;
        }
        have_b = 1;
    }
    printf("fission ab: A = %s (%s), B = %s (%s); %u replicates each on the same streams (seed %llu)%s\n", sa->name,
           files[0], sb->name, files[1], cfg.reps, (unsigned long long)cfg.seed,
           gd ? "; different graphs" : "; same graph and users");
    fflush(stdout);
    fsn_run_cfg_t rcfg = run_cfg_of(&cfg);
    if (fsn_run_campaigns(&ga, &sa->users, &sa->behaviour, sa->campaigns, sa->ncampaigns, &rcfg, 0, &ra, &err)) {
        fprintf(stderr, "fission: %s: %s\n", files[0], err.msg);
        code = err.code == FSN_EINVAL ? CLI_USAGE : CLI_RUN;
        goto done;
    }
    have_ra = 1;
    if (fsn_run_campaigns(have_b ? &gb : &ga, &sb->users, &sb->behaviour, sb->campaigns, sb->ncampaigns, &rcfg, 0, &rb,
                          &err)) {
        fprintf(stderr, "fission: %s: %s\n", files[1], err.msg);
        code = err.code == FSN_EINVAL ? CLI_USAGE : CLI_RUN;
        goto done;
    }
    have_rb = 1;
    if (fsn_ab_compare(&ra, sa->campaigns, sa->ncampaigns, &rb, sb->campaigns, sb->ncampaigns, sa->name, sb->name, &cfg,
                       &ab, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = err.code == FSN_EINVAL ? CLI_USAGE : CLI_RUN;
        goto done;
    }
    if (metrics) {
        /* every name or prefix must match some row */
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", metrics);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int any = 0;
            for (size_t i = 0; i < ab.nrows && !any; i++) any = !strncmp(ab.rows[i].name, t, strlen(t));
            if (!any) {
                const char *s = fsn_ab_suggest(&ab, t);
                fprintf(stderr, "fission: ab: --metrics: no metric '%s'; did you mean '%s'?\n", t, s ? s : "?");
                code = CLI_USAGE;
                goto done;
            }
        }
    }
    printf("\nmoney (summed over the campaigns; CNY)\n");
    print_header();
    for (size_t i = 0; i < ab.nrows; i++)
        if (ab.rows[i].money) print_row(&ab.rows[i]);
    printf("\nverdict: %s\n", ab.verdict);
    printf("\nmetrics (B - A paired by replicate; * significant at 95%%; reps: replicates to resolve --delta "
           "at 80%% power)\n");
    print_header();
    for (size_t i = 0; i < ab.nrows; i++) {
        const fsn_ab_row_t *w = &ab.rows[i];
        if (w->money) continue;
        int show = metrics ? wanted(w->name, metrics) : o.all || !strncmp(w->name, "campaign", 8);
        if (show) print_row(w);
    }
    char dir[FSN_SCENARIO_PATH_MAX + 160];
    if (o.out) snprintf(dir, sizeof dir, "%s", o.out);
    else snprintf(dir, sizeof dir, "runs/ab-%s-vs-%s", sa->name, sb->name);
    if (fsn_output_dir(dir, &err) || fsn_ab_write(dir, &ab, &err)) {
        fprintf(stderr, "fission: %s\n", err.msg);
        code = CLI_RUN;
        goto done;
    }
    fprintf(stderr, "fission: wrote %s/ab.csv and %s/ab.json\n", dir, dir);
done:
    fsn_ab_result_destroy(&ab);
    if (have_ra) fsn_run_result_destroy(&ra);
    if (have_rb) fsn_run_result_destroy(&rb);
    if (have_a) fsn_csr_destroy(&ga);
    if (have_b) fsn_csr_destroy(&gb);
    free(sa);
    free(sb);
    free(d);
out:
    free(deltas);
    free(o.sets);
    return code;
}
