/*
 * test_cli_ab.c: fission ab and fission optimise on the command line. Bad
 * input exits 2 naming the file, the option or the path (with a
 * suggestion for a misspelt metric) and writes nothing; good runs write
 * the same bytes whatever the number of threads, and the best design is
 * a scenario `fission validate` accepts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char out[1 << 17], err[1 << 16];
static char tmp[256];

static void slurp(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = 0;
    if (f) fclose(f);
}

static int run(const char *args) {
    char cmd[8192], o[300], e[300];
    snprintf(o, sizeof o, "%s.stdout", tmp);
    snprintf(e, sizeof e, "%s.stderr", tmp);
    snprintf(cmd, sizeof cmd, "cd %s && %s %s >%s 2>%s </dev/null", tmp, FISSION_CLI, args, o, e);
    int st = system(cmd);
    slurp(o, out, sizeof out);
    slurp(e, err, sizeof err);
    remove(o);
    remove(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void put(const char *name, const char *text) {
    char p[400];
    snprintf(p, sizeof p, "%s/%s", tmp, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static int exists(const char *rel) {
    char p[400];
    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    struct stat st;
    return stat(p, &st) == 0;
}

static void read_rel(const char *rel, char *buf, size_t size) {
    char p[400];
    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    slurp(p, buf, size);
}

#define GRAPH "\"graph\": {\"generator\": \"wechat\", \"n\": 1200, \"mean_degree\": 14, \"seed\": 3}"
#define RUN "\"run\": {\"horizon\": 72, \"replicates\": 4, \"seed\": 5}"

static void setup(void) {
    snprintf(tmp, sizeof tmp, "/tmp/fission_ab_cli_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
    put("a.json", "{\"name\": \"group3\", " GRAPH ", \"campaigns\": [{\"name\": \"tuan\", \"type\": \"group\", "
                  "\"price\": 199, \"group\": {\"size\": 3, \"deadline\": 24, \"price\": 149}, "
                  "\"seeding\": {\"strategy\": \"random\", \"count\": 30}}], " RUN "}\n");
    put("b.json", "{\"name\": \"kanjia\", " GRAPH ", \"campaigns\": [{\"name\": \"kj\", \"type\": \"bargain\", "
                  "\"price\": 199, \"bargain\": {\"floor\": 20, \"deadline\": 24}, "
                  "\"seeding\": {\"strategy\": \"random\", \"count\": 30}}], " RUN "}\n");
    put("other-graph.json", "{\"name\": \"big\", \"graph\": {\"generator\": \"wechat\", \"n\": 1300, \"mean_degree\": 14, "
                            "\"seed\": 3}, \"campaigns\": [{\"type\": \"group\"}], " RUN "}\n");
}

static void teardown(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", tmp);
}

TestSuite(cli_ab, .init = setup, .fini = teardown, .timeout = 240);

Test(cli_ab, a_missing_design_file_is_named_and_exits_2) {
    cr_assert_eq(run("ab a.json nope.json --out o"), 2);
    cr_assert(strstr(err, "nope.json"), "%s", err);
    cr_assert(!exists("o"));
}

Test(cli_ab, designs_on_different_graphs_are_refused_naming_the_key) {
    cr_assert_eq(run("ab a.json other-graph.json --out o"), 2);
    cr_assert(strstr(err, "graph.n") && strstr(err, "--allow-different-graphs"), "%s", err);
    cr_assert(!exists("o"));
}

Test(cli_ab, a_delta_on_an_unknown_metric_is_refused_with_a_suggestion) {
    cr_assert_eq(run("ab a.json b.json --reps 2 --delta money.net_gmb=100 --out o"), 2);
    cr_assert(strstr(err, "money.net_gmb") && strstr(err, "did you mean 'money.net_gmv'"), "%s", err);
    cr_assert(!exists("o/ab.csv"));
    cr_assert_eq(run("ab a.json b.json --delta money.net_gmv=-3"), 2);
    cr_assert(strstr(err, "--delta money.net_gmv"), "%s", err);
}

Test(cli_ab, two_designs_give_a_verdict_and_the_same_files_with_one_or_two_threads) {
    static char c1[1 << 17], c2[1 << 17];
    cr_assert_eq(run("ab a.json b.json --reps 4 --threads 1 --out t1"), 0, "%s", err);
    cr_assert(strstr(out, "verdict: ") && strstr(out, "money.net_gmv") && strstr(out, "campaign[0].gmv"), "%s", out);
    cr_assert_eq(run("ab a.json b.json --reps 4 --threads 2 --out t2 --delta money.net_gmv=50"), 0, "%s", err);
    read_rel("t1/ab.csv", c1, sizeof c1);
    read_rel("t2/ab.csv", c2, sizeof c2);
    cr_assert_gt(strlen(c1), 100);
    /* the delta changes only the money.net_gmv row's delta and reps_needed */
    cr_assert_eq(run("ab a.json b.json --reps 4 --threads 2 --out t3"), 0, "%s", err);
    read_rel("t3/ab.csv", c2, sizeof c2);
    cr_assert_str_eq(c1, c2);
    read_rel("t1/ab.json", c1, sizeof c1);
    read_rel("t3/ab.json", c2, sizeof c2);
    cr_assert_str_eq(c1, c2);
    cr_assert(strstr(c1, "\"verdict\": "), "%s", c1);
}

Test(cli_ab, seeding_strategies_are_compared_on_one_scenario) {
    cr_assert_eq(run("ab a.json --seeding random,degree,kcore --reps 3 --out s"), 0, "%s", err);
    cr_assert(strstr(out, "degree") && strstr(out, "best by mean net GMV"), "%s", out);
    cr_assert(exists("s/seeding.csv"));
    cr_assert_eq(run("ab a.json --seeding random,degre --reps 3 --out s2"), 2);
    cr_assert(strstr(err, "degre"), "%s", err);
    cr_assert_eq(run("ab a.json b.json --seeding random,degree"), 2);
}

Test(cli_ab, a_lever_with_an_empty_range_exits_2_naming_it) {
    cr_assert_eq(run("optimise a.json --lever campaigns[0].group.deadline=48:12 --objective money.net_gmv --out o"), 2);
    cr_assert(strstr(err, "--lever campaigns[0].group.deadline") && strstr(err, "LO < HI"), "%s", err);
    cr_assert_eq(run("optimise a.json --lever campaigns[0].group.deadline=12:12 --objective money.net_gmv"), 2);
    cr_assert_eq(run("optimise a.json --lever campaigns[0].group.deadline --objective money.net_gmv"), 2);
    cr_assert(strstr(err, "PATH=LO:HI"), "%s", err);
    cr_assert(!exists("o"));
}

Test(cli_ab, an_unknown_lever_path_exits_2_naming_it) {
    cr_assert_eq(run("optimise a.json --lever campaigns[0].group.deadlne=6:48 --objective money.net_gmv --out o"), 2);
    cr_assert(strstr(err, "deadlne"), "%s", err);
    cr_assert(strstr(err, "deadline"), "a suggestion: %s", err);
    cr_assert_eq(run("optimise a.json --lever graph.n=1000:2000 --objective money.net_gmv --out o"), 2);
    cr_assert(strstr(err, "graph.n"), "%s", err);
    cr_assert_eq(run("optimise a.json --lever campaigns[0].seeding.strategy=random,degre --objective money.net_gmv"), 2);
    cr_assert(strstr(err, "degre"), "%s", err);
    cr_assert(!exists("o"));
}

Test(cli_ab, an_unknown_objective_or_constraint_metric_exits_2_with_a_suggestion) {
    cr_assert_eq(run("optimise a.json --lever campaigns[0].group.size=2:5 --objective money.net_gvm --out o"), 2);
    cr_assert(strstr(err, "--objective money.net_gvm") && strstr(err, "did you mean 'money.net_gmv'"), "%s", err);
    cr_assert_eq(run("optimise a.json --lever campaigns[0].group.size=2:5 --objective money.net_gmv "
                     "--constraint campaign.tuan.subsidyy\\<=100 --out o"),
                 2);
    cr_assert(strstr(err, "campaign.tuan.subsidyy") && strstr(err, "campaign.tuan.subsidy'"), "%s", err);
    cr_assert_eq(run("optimise a.json --lever campaigns[0].group.size=2:5 --objective money.net_gmv --constraint x=3"), 2);
    cr_assert(strstr(err, "METRIC<=VALUE"), "%s", err);
    cr_assert_eq(run("optimise missing.json --lever campaigns[0].group.size=2:5 --objective money.net_gmv"), 2);
    cr_assert(strstr(err, "missing.json"), "%s", err);
    cr_assert(!exists("o"));
}

Test(cli_ab, an_optimisation_writes_the_same_files_with_one_or_two_threads) {
    static char a[1 << 16], b[1 << 16];
    const char *base = "optimise a.json --lever campaigns[0].group.size=2:4 --lever campaigns[0].group.deadline=6:48 "
                       "--objective money.net_gmv --constraint money.subsidy\\<=2000 --reps 2 --budget 7 --quiet";
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s --threads 1 --out o1", base);
    cr_assert_eq(run(cmd), 0, "%s", err);
    cr_assert(strstr(out, "best design"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s --threads 2 --out o2", base);
    cr_assert_eq(run(cmd), 0, "%s", err);
    const char *files[] = {"explored.csv", "best.json", "optimise.json"};
    for (int f = 0; f < 3; f++) {
        char p1[64], p2[64];
        snprintf(p1, sizeof p1, "o1/%s", files[f]);
        snprintf(p2, sizeof p2, "o2/%s", files[f]);
        read_rel(p1, a, sizeof a);
        read_rel(p2, b, sizeof b);
        cr_assert_gt(strlen(a), 10, "%s is empty", files[f]);
        cr_assert_str_eq(a, b, "%s differs", files[f]);
    }
    /* 7 designs, each group size whole */
    read_rel("o1/explored.csv", a, sizeof a);
    size_t lines = 0;
    for (const char *s = a; *s; s++) lines += *s == '\n';
    cr_assert_eq(lines, 8, "%s", a);
    for (const char *s = strchr(a, '\n') + 1; *s; s = strchr(s, '\n') + 1) {
        const char *c = strchr(strchr(s, ',') + 1, ',') + 1;   /* third column: the size */
        cr_assert(c[0] >= '2' && c[0] <= '4' && c[1] == ',', "size not whole: %.40s", c);
    }
    cr_assert_eq(run("validate o1/best.json"), 0, "%s", err);
}

Test(cli_ab, a_small_grid_of_categories_and_integers_is_enumerated) {
    static char a[1 << 16];
    cr_assert_eq(run("optimise a.json --lever campaigns[0].seeding.strategy=random,degree --lever "
                     "campaigns[0].group.size=2:3 --objective money.buyers --reps 2 --budget 10 --quiet --out g"),
                 0, "%s", err);
    read_rel("g/optimise.json", a, sizeof a);
    cr_assert(strstr(a, "\"method\": \"enumeration\""), "%s", a);
    read_rel("g/explored.csv", a, sizeof a);
    size_t lines = 0;
    for (const char *s = a; *s; s++) lines += *s == '\n';
    /* the start (random, 3) is one of the 4 designs of the grid */
    cr_assert_eq(lines, 5, "%s", a);
    cr_assert(strstr(a, ",degree,2,") && strstr(a, ",random,3,"), "%s", a);
}

Test(cli_ab, designs_on_different_graphs_run_when_allowed) {
    cr_assert_eq(run("ab a.json other-graph.json --allow-different-graphs --reps 2 --out d"), 0, "%s", err);
    cr_assert(strstr(out, "different graphs"), "%s", out);
    cr_assert(exists("d/ab.json"));
}
