/*
 * test_cli_scenario.c: scenario files on the command line: validate,
 * run FILE, batch, Ctrl-C, help. Bad input must exit 2, name the file
 * and the JSON path, and write nothing; good runs must not depend on
 * the number of threads and must leave no temporaries behind.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCEN FISSION_TEST_DATA "/scenarios"
#define BAD SCEN "/bad"
#define GOOD SCEN "/good"
/* keep the default-sized minimal scenario small */
#define SMALL "--reps 3 --set graph.n=1500 --set graph.mean_degree=12 --set run.horizon=96"

static char out[1 << 17], err[1 << 16];
static char tmp[256];

static void slurp(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = 0;
    if (f) fclose(f);
}

/* Run the CLI with args (shell words) in the temp folder; capture stdout
 * and stderr; return the exit code (-1 if it did not exit). */
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

static void setup(void) {
    snprintf(tmp, sizeof tmp, "/tmp/fission_sc_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void teardown(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", tmp);
}

TestSuite(cli_scenario, .init = setup, .fini = teardown);

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* Entries of a folder other than . and ..; -1 if it cannot be opened. */
static int entries(const char *path) {
    DIR *d = opendir(path);
    if (!d) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

/* Paths under root holding ".tmp." (temporaries left behind). */
static int temporaries(const char *root) {
    DIR *d = opendir(root);
    if (!d) return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", root, e->d_name);
        if (strstr(e->d_name, ".tmp.")) n++;
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) n += temporaries(p);
    }
    closedir(d);
    return n;
}

/* The *.json files of a folder, sorted; returns how many. */
static size_t json_files(const char *dir, char names[][256], size_t max) {
    struct dirent **list;
    int k = scandir(dir, &list, NULL, alphasort);
    cr_assert_geq(k, 0, "cannot read %s", dir);
    size_t n = 0;
    for (int i = 0; i < k; i++) {
        size_t len = strlen(list[i]->d_name);
        if (len > 5 && !strcmp(list[i]->d_name + len - 5, ".json") && n < max)
            snprintf(names[n++], 256, "%s", list[i]->d_name);
        free(list[i]);
    }
    free(list);
    return n;
}

static char *read_file(const char *path) {
    static char buf[4][1 << 20];
    static int which;
    char *b = buf[which++ & 3];
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    b[n] = 0;
    fclose(f);
    return b;
}

/* What each bad file's message must say beyond its name: the JSON path
 * (for key errors) and a word of what was expected. */
static const struct {
    const char *file, *a, *b;
} expect[] = {
    {"empty.json", "empty", NULL},
    {"whitespace_only.json", "empty", NULL},
    {"comment_only.json", "JSON", NULL},
    {"not_json.json", ":2:1:", "malformed JSON"},
    {"truncated.json", "malformed JSON", NULL},
    {"trailing_comma.json", "malformed JSON", NULL},
    {"top_array.json", "top level must be a JSON object", "an array"},
    {"string_for_number.json", "run.replicates: ", "must be an integer"},
    {"number_for_string.json", "campaigns[0].name: ", "must be a string"},
    {"object_for_array.json", "campaigns: ", "must be a list"},
    {"negative_probability.json", "behaviour.sharing.fatigue: ", "[0, 1]"},
    {"probability_above_one.json", "behaviour.sharing.click.private: ", "[0, 1]"},
    {"nan_string.json", "behaviour.sharing.trust_floor: ", "must be a number"},
    {"nan_token.json", ":4:", "malformed JSON"},
    {"huge_number.json", "campaigns[0].price: ", "too large"},
    {"group_size_zero.json", "campaigns[0].group.size: ", "[2, 1000], got 0"},
    {"group_size_one.json", "campaigns[1].group.size: ", "[2, 1000], got 1"},
    {"deadline_zero.json", "campaigns[0].group.deadline: ", "> 0"},
    {"deadline_negative.json", "campaigns[0].bargain.deadline: ", "> 0"},
    {"launch_at_horizon.json", "campaigns[0].launch: ", "before run.horizon"},
    {"launch_after_horizon.json", "campaigns[0].launch: ", "before run.horizon"},
    {"group_price_above_list.json", "campaigns[0].group.price: ", "at most the list price"},
    {"bargain_floor_above_price.json", "campaigns[0].bargain.floor: ", "below the list price"},
    {"redpacket_too_small.json", "campaigns[0].redpacket.total: ", "0.01"},
    {"unknown_top_key.json", "campaings: ", "did you mean 'campaigns'"},
    {"unknown_deep_key.json", "behaviour.sharing.clik: ", "did you mean 'click'"},
    {"duplicate_key.json", "run: ", "twice"},
    {"group_in_bargain.json", "campaigns[0].group: ", "only for a campaign of type group"},
    {"campaign_without_type.json", "campaigns[0].type: ", "missing"},
    {"unknown_campaign_type.json", "campaigns[0].type: ", "'lottery'"},
    {"seventeen_campaigns.json", "campaigns: ", "at most 16"},
    {"graph_file_missing.json", "no_such_graph.txt", NULL},
    {"graph_file_malformed.json", "malformed_edges.txt:3", NULL},
    {"seed_count_above_graph_users.json", "campaigns[0].seeding.count: ", "at most the graph's 4 users"},
    {"regular_graph_odd_degree_sum.json", "graph", "even"},
    {"seed_file_malformed.json", "bad_seeds.txt:3", NULL},
    {"seed_file_strategy_without_file.json", "campaigns[0].seeding.file: ", "missing"},
    {"via_not_summing.json", "behaviour.sharing.via: ", "sum to 1"},
    {"tier_share_not_summing.json", "users.tier_share: ", "sum to 1"},
    {"unclosed_comment.json", ":3:3:", "never closed"},
};

Test(cli_scenario, every_bad_file_has_its_expected_message) {
    char names[128][256];
    size_t n = json_files(BAD, names, 128);
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        int found = 0;
        for (size_t j = 0; j < n; j++) found |= !strcmp(names[j], expect[i].file);
        cr_assert(found, "%s is missing from %s", expect[i].file, BAD);
    }
    for (size_t j = 0; j < n; j++) {
        int listed = 0;
        for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) listed |= !strcmp(names[j], expect[i].file);
        cr_assert(listed, "%s has no expected message in this test", names[j]);
    }
}

Test(cli_scenario, validate_refuses_every_bad_file_with_exit_two_naming_the_file_and_path) {
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        char args[1024], name[512];
        snprintf(name, sizeof name, BAD "/%s", expect[i].file);
        snprintf(args, sizeof args, "validate %s", name);
        int rc = run(args);
        cr_expect_eq(rc, 2, "validate %s: exit %d\nstdout: %s\nstderr: %s", expect[i].file, rc, out, err);
        cr_expect(strstr(err, name), "validate %s: stderr does not name the file: %s", expect[i].file, err);
        cr_expect(strstr(err, expect[i].a) && (!expect[i].b || strstr(err, expect[i].b)),
                  "validate %s: expected '%s' and '%s' in: %s", expect[i].file, expect[i].a,
                  expect[i].b ? expect[i].b : "", err);
        cr_expect(!strstr(out, ": ok"), "validate %s said ok: %s", expect[i].file, out);
    }
}

Test(cli_scenario, run_refuses_every_bad_file_and_writes_nothing_into_an_existing_folder) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/out", tmp);
    cr_assert_eq(mkdir(dir, 0755), 0);
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        char args[1024];
        snprintf(args, sizeof args, "run " BAD "/%s --out out --threads 1 --reps 1", expect[i].file);
        int rc = run(args);
        cr_expect_eq(rc, 2, "run %s: exit %d\nstderr: %s", expect[i].file, rc, err);
        cr_expect(strstr(err, expect[i].file), "run %s: stderr does not name the file: %s", expect[i].file, err);
        cr_expect_eq(entries(dir), 0, "run %s wrote into the output folder", expect[i].file);
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'/* '%s'/.[!.]*", dir, dir);
        cr_assert_eq(system(cmd), 0);
    }
}

Test(cli_scenario, run_refuses_every_bad_file_and_does_not_create_the_output_folder) {
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        char args[1024], dir[512];
        snprintf(args, sizeof args, "run " BAD "/%s --out fresh/out --threads 1 --reps 1", expect[i].file);
        snprintf(dir, sizeof dir, "%s/fresh", tmp);
        int rc = run(args);
        cr_expect_eq(rc, 2, "run %s: exit %d\nstderr: %s", expect[i].file, rc, err);
        cr_expect(!exists(dir), "run %s created the output folder", expect[i].file);
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
    }
}

Test(cli_scenario, validate_accepts_every_good_file_and_prints_ok) {
    char names[32][256];
    size_t n = json_files(GOOD, names, 32);
    cr_assert_geq(n, 5, "expected the minimal file and one per campaign type");
    for (size_t j = 0; j < n; j++) {
        char args[1024];
        snprintf(args, sizeof args, "validate " GOOD "/%s", names[j]);
        cr_expect_eq(run(args), 0, "%s: %s", names[j], err);
        cr_expect(strstr(out, names[j]) && strstr(out, ": ok"), "%s: %s", names[j], out);
    }
    /* several at once: all ok, one line each */
    cr_assert_eq(run("validate " GOOD "/minimal.json " GOOD "/group.json " GOOD "/bargain.json"), 0, "%s", err);
    cr_assert(strstr(out, "minimal.json: ok") && strstr(out, "group.json: ok") && strstr(out, "bargain.json: ok"),
              "%s", out);
}

Test(cli_scenario, validate_of_a_good_and_a_bad_file_reports_both_and_exits_two) {
    cr_assert_eq(run("validate " GOOD "/link.json " BAD "/group_size_one.json"), 2);
    cr_assert(strstr(out, "link.json: ok"), "%s", out);
    cr_assert(strstr(err, "group_size_one.json: campaigns[1].group.size"), "%s", err);
}

Test(cli_scenario, validate_with_a_set_that_breaks_the_file_exits_two_naming_the_path) {
    cr_assert_eq(run("validate " GOOD "/group.json --set 'campaigns[0].group.size=1'"), 2);
    cr_assert(strstr(err, "group.json: campaigns[0].group.size: "), "%s", err);
    cr_assert_eq(run("validate " GOOD "/group.json --set run.replicates=5"), 0, "%s", err);
    cr_assert(strstr(out, "5 replicates"), "%s", out);
}

Test(cli_scenario, one_and_two_threads_write_byte_identical_outputs) {
    cr_assert_eq(run("run " GOOD "/minimal.json --out t1 --threads 1 -q " SMALL), 0, "%s", err);
    cr_assert_eq(run("run " GOOD "/minimal.json --out t2 --threads 2 -q " SMALL), 0, "%s", err);
    static const char *const files[] = {"summary.json", "replicates.csv", "timeseries.csv"};
    for (size_t i = 0; i < 3; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/t1/%s", tmp, files[i]);
        snprintf(b, sizeof b, "%s/t2/%s", tmp, files[i]);
        char *x = read_file(a), *y = read_file(b);
        cr_assert_gt(strlen(x), 0, "%s is empty", files[i]);
        cr_expect_str_eq(x, y, "%s differs between 1 and 2 threads", files[i]);
    }
    cr_assert_eq(temporaries(tmp), 0, "temporaries left behind");
}

/* The number of data rows (lines after the header) of a file. */
static long rows(const char *text) {
    long n = 0;
    for (const char *p = text; *p; p++) n += *p == '\n';
    return n - 1;
}

Test(cli_scenario, trace_writes_one_file_per_replicate_with_a_row_per_event) {
    cr_assert_eq(run("run " GOOD "/group.json --out tr --trace -q --reps 3 --threads 2"), 0, "%s", err);
    char p[512];
    /* replicates.csv: replicate,events,... */
    snprintf(p, sizeof p, "%s/tr/replicates.csv", tmp);
    char *reps = read_file(p);
    cr_assert_eq(rows(reps), 3, "%s", reps);
    const char *line = strchr(reps, '\n') + 1;
    for (int r = 0; r < 3; r++) {
        int idx;
        long events;
        cr_assert_eq(sscanf(line, "%d,%ld", &idx, &events), 2);
        cr_assert_eq(idx, r);
        snprintf(p, sizeof p, "%s/tr/trace/rep-%06d.csv", tmp, r);
        char *t = read_file(p);
        cr_assert(!strncmp(t, "time,event,user,campaign,details\n", 33), "%.80s", t);
        cr_expect_eq(rows(t), events, "replicate %d: %ld rows for %ld events", r, rows(t), events);
        line = strchr(line, '\n') + 1;
    }
    snprintf(p, sizeof p, "%s/tr/trace/rep-000003.csv", tmp);
    cr_assert(!exists(p), "a trace for a replicate that was not asked for");
    snprintf(p, sizeof p, "%s/tr", tmp);
    cr_assert_eq(temporaries(p), 0, "temporaries left behind");
}

Test(cli_scenario, no_temporaries_are_left_after_a_run) {
    cr_assert_eq(run("run " GOOD "/link.json --out lk -q"), 0, "%s", err);
    char p[512];
    snprintf(p, sizeof p, "%s/lk", tmp);
    cr_assert_eq(entries(p), 5, "expected summary.json, replicates.csv, timeseries.csv, cascades.csv and groups.csv");
    cr_assert_eq(temporaries(tmp), 0);
}

Test(cli_scenario, set_run_replicates_changes_the_replicates_done) {
    cr_assert_eq(run("run " GOOD "/bargain.json --out b3 -q --set run.replicates=3"), 0, "%s", err);
    char p[512];
    snprintf(p, sizeof p, "%s/b3/summary.json", tmp);
    char *s = read_file(p);
    cr_assert(strstr(s, "\"replicates\": {\"requested\": 3, \"done\": 3, \"interrupted\": false}"), "%.400s", s);
    cr_assert_eq(run("run " GOOD "/bargain.json --out b1 -q"), 0, "%s", err);
    snprintf(p, sizeof p, "%s/b1/summary.json", tmp);
    s = read_file(p);
    cr_assert(strstr(s, "\"requested\": 2, \"done\": 2"), "the file's own count: %.400s", s);
}

Test(cli_scenario, set_with_an_unknown_path_refuses_the_run) {
    cr_assert_eq(run("run " GOOD "/bargain.json --out x -q --set run.replicats=3"), 2);
    cr_assert(strstr(err, "run.replicats") && strstr(err, "did you mean 'replicates'"), "%s", err);
    char p[512];
    snprintf(p, sizeof p, "%s/x", tmp);
    cr_assert(!exists(p));
}

Test(cli_scenario, batch_runs_the_good_files_reports_the_bad_one_and_exits_two) {
    int rc = run("batch " SCEN "/batch --out bt -q --threads 2");
    cr_assert_eq(rc, 2, "exit %d: %s", rc, err);
    cr_assert(strstr(err, "gamma_bad.json") && strstr(err, "campaigns[0].group.size"), "%s", err);
    char p[512];
    snprintf(p, sizeof p, "%s/bt/alpha/summary.json", tmp);
    cr_assert(exists(p), "no %s", p);
    snprintf(p, sizeof p, "%s/bt/beta/summary.json", tmp);
    cr_assert(exists(p), "no %s", p);
    snprintf(p, sizeof p, "%s/bt/gamma_bad", tmp);
    cr_assert(!exists(p), "a folder for the bad scenario");
    snprintf(p, sizeof p, "%s/bt/batch.csv", tmp);
    char *t = read_file(p);
    cr_assert(!strncmp(t, "scenario,file,status,replicates_done,metric,", 44), "%.200s", t);
    cr_assert(strstr(t, "\nalpha,") && strstr(t, "\nbeta,"), "%.300s", t);
    cr_assert(strstr(t, "alpha.json,ok,2,campaign.link.exposed,"), "%.300s", t);
    cr_assert(strstr(t, "beta.json,ok,2,campaign.group.exposed,"), "%.300s", t);
    cr_assert(strstr(t, "gamma_bad.json,bad input,"), "%.300s", t);
    snprintf(p, sizeof p, "%s/bt", tmp);
    cr_assert_eq(temporaries(p), 0);
}

static int contains_file(const char *path, const char *what) {
    char buf[1 << 14];
    slurp(path, buf, sizeof buf);
    return strstr(buf, what) != NULL;
}

Test(cli_scenario, an_interrupted_run_exits_one_and_writes_the_replicates_done, .timeout = 300) {
    char o[300], e[300], dir[300];
    snprintf(o, sizeof o, "%s/stdout", tmp);
    snprintf(e, sizeof e, "%s/stderr", tmp);
    snprintf(dir, sizeof dir, "%s/int", tmp);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644), fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0) _exit(99);
        dup2(fo, 1);
        dup2(fe, 2);
        execl(FISSION_CLI, FISSION_CLI, "run", SCEN "/long/many_replicates.json", "--out", dir, "--threads", "1",
              "-q", (char *)NULL);
        _exit(98);
    }
    /* wait until the run has started (its header is printed after the
     * graph is built), then let it work a little */
    struct timespec tick = {0, 10 * 1000 * 1000};
    int started = 0, status = 0;
    for (int i = 0; i < 3000 && !started; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        started = contains_file(o, " threads\n");
        nanosleep(&tick, NULL);
    }
    if (!started) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        cr_skip_test("the run ended or did not start before the signal could be sent");
    }
    struct timespec half = {0, 500 * 1000 * 1000};
    nanosleep(&half, NULL);
    if (waitpid(pid, &status, WNOHANG) == pid) cr_skip_test("the run finished before the signal");
    cr_assert_eq(kill(pid, SIGINT), 0);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    char eb[1 << 14];
    slurp(e, eb, sizeof eb);
    cr_assert(WIFEXITED(status), "killed by a signal (%d): %s", WIFSIGNALED(status) ? WTERMSIG(status) : 0, eb);
    cr_assert_eq(WEXITSTATUS(status), 1, "%s", eb);
    cr_assert(strstr(eb, "interrupted"), "%s", eb);
    char p[400];
    snprintf(p, sizeof p, "%s/summary.json", dir);
    char *s = read_file(p);
    unsigned req = 0, done = 0;
    const char *r = strstr(s, "\"replicates\": {");
    cr_assert_not_null(r, "%.300s", s);
    cr_assert_eq(sscanf(r, "\"replicates\": {\"requested\": %u, \"done\": %u", &req, &done), 2, "%.300s", r);
    cr_assert_eq(req, 400);
    cr_assert_lt(done, 400);
    cr_assert(strstr(r, "\"interrupted\": true"), "%.300s", r);
    /* replicates.csv has the replicates done, no more */
    snprintf(p, sizeof p, "%s/replicates.csv", dir);
    cr_assert_eq(rows(read_file(p)), (long)done);
    cr_assert_eq(temporaries(dir), 0);
}

Test(cli_scenario, help_scenario_lists_the_keys) {
    cr_assert_eq(run("help scenario"), 0, "%s", err);
    static const char *const keys[] = {"`graph.generator`", "`behaviour.sharing.click`", "`campaigns[i].group.size`",
                                       "`campaigns[i].bargain.cuts.kind`", "`run.replicates`", "`outputs.trace`"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) cr_expect(strstr(out, keys[i]), "no %s", keys[i]);
}

Test(cli_scenario, quick_flags_do_not_go_with_a_scenario_file) {
    cr_assert_eq(run("run " GOOD "/minimal.json --campaign group --out q"), 2);
    cr_assert(strstr(err, "--campaign") && strstr(err, "--set"), "%s", err);
    char p[512];
    snprintf(p, sizeof p, "%s/q", tmp);
    cr_assert(!exists(p), "an output folder for a refused run");
}

Test(cli_scenario, run_of_a_missing_scenario_file_exits_two_naming_it) {
    cr_assert_eq(run("run /nonexistent/nope.json --out m"), 2);
    cr_assert(strstr(err, "/nonexistent/nope.json"), "%s", err);
    char p[512];
    snprintf(p, sizeof p, "%s/m", tmp);
    cr_assert(!exists(p));
}

Test(cli_scenario, batch_leaves_no_folder_for_a_scenario_whose_graph_cannot_be_read) {
    int rc = run("batch " GOOD "/link.json " BAD "/graph_file_missing.json --out bg -q");
    /* the same exit as `fission run` gives that file: bad input */
    cr_expect_eq(rc, 2, "exit %d: %s", rc, err);
    cr_assert(strstr(err, "no_such_graph.txt"), "%s", err);
    char p[512];
    snprintf(p, sizeof p, "%s/bg/link_small/summary.json", tmp);
    cr_assert(exists(p) || (snprintf(p, sizeof p, "%s/bg/link/summary.json", tmp), exists(p)), "no summary for link.json");
    snprintf(p, sizeof p, "%s/bg/graph_file_missing", tmp);
    cr_assert(!exists(p), "an output folder for a scenario that did not run");
}

Test(cli_scenario, a_scenario_name_that_is_not_a_plain_name_is_refused) {
    /* the name makes the default output folder runs/<name> */
    cr_assert_eq(run("run " GOOD "/link.json -q --reps 1 --set name=../escaped"), 2, "%s", err);
    char p[512];
    snprintf(p, sizeof p, "%s/escaped", tmp);
    cr_assert(!exists(p), "a run wrote outside runs/");
    cr_assert_eq(run("run " GOOD "/link.json -q --reps 1 --set name="), 2, "%s", err);
    snprintf(p, sizeof p, "%s/runs/summary.json", tmp);
    cr_assert(!exists(p), "an empty name wrote into runs/ itself");
}
