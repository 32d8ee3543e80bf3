/*
 * test_cli_sweep.c: fission sweep on the command line. The store and the
 * exports must not depend on the threads; a sweep killed (SIGKILL) or
 * interrupted (SIGINT) at some point and resumed must give the same
 * runs.csv as an uninterrupted one; a changed sweep file cannot resume a
 * store; bad input exits 2, names the file and the JSON path, and
 * writes nothing.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fission/store.h"
#include "cli_run.h"

static char out[1 << 16], err[1 << 16];
static char tmp[256];

static char *slurp_alloc(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = 0;
    fclose(f);
    return b;
}

/* Run the CLI with args (shell words) in the temp folder (tests/cli_run.h). */
static int run(const char *args) { return cli_run_in(tmp, "", args, out, sizeof out, err, sizeof err); }

static void write_file(const char *name, const char *text) {
    char p[400];
    snprintf(p, sizeof p, "%s/%s", tmp, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *base =
    "{\"graph\": {\"generator\": \"wechat\", \"n\": 1500, \"mean_degree\": 12, \"seed\": 2},\n"
    " \"campaigns\": [{\"type\": \"group\", \"name\": \"g\", \"price\": 99,\n"
    "   \"group\": {\"size\": 3, \"deadline\": 24, \"price\": 69},\n"
    "   \"seeding\": {\"strategy\": \"degree\", \"count\": 20}}],\n"
    " \"run\": {\"horizon\": 72}}\n";

/* 12 points x 2 replicates */
static const char *small =
    "// a small sweep\n"
    "{\"base\": \"base.json\", \"design\": \"lhs\", \"points\": 12, \"replicates\": 2, \"seed\": 5,\n"
    " \"axes\": [{\"path\": \"campaigns[0].group.deadline\", \"range\": [6, 48]},\n"
    "          {\"path\": \"campaigns[0].seeding.count\", \"dist\": \"loguniform\", \"lo\": 5, \"hi\": 60}],\n"
    " \"metrics\": [\"campaign.g.participation_rate\", \"campaign.g.conversion_rate\", \"campaign.g.fill_rate\"]}\n";

static void setup(void) {
    snprintf(tmp, sizeof tmp, "/tmp/fission_cli_sweep_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
    write_file("base.json", base);
    write_file("small.json", small);
}

static void teardown(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", tmp);
}

TestSuite(cli_sweep, .init = setup, .fini = teardown);

static int exists(const char *name) {
    char p[400];
    snprintf(p, sizeof p, "%s/%s", tmp, name);
    struct stat st;
    return stat(p, &st) == 0;
}

static char *file_of(const char *name) {
    char p[400];
    snprintf(p, sizeof p, "%s/%s", tmp, name);
    return slurp_alloc(p);
}

static char *dump_of(const char *dir) {
    char p[400];
    snprintf(p, sizeof p, "%s/%s/sweep.db", tmp, dir);
    fsn_store_t *s;
    fsn_error_t e = {0};
    cr_assert_eq(fsn_store_open_readonly(p, &s, &e), FSN_OK, "%s", e.msg);
    char *t;
    cr_assert_eq(fsn_store_dump(s, &t, &e), FSN_OK, "%s", e.msg);
    fsn_store_close(s);
    return t;
}

static void assert_same_file(const char *a, const char *b) {
    char *x = file_of(a), *y = file_of(b);
    cr_assert_str_eq(x, y, "%s and %s differ", a, b);
    free(x);
    free(y);
}

Test(cli_sweep, one_and_two_threads_give_the_same_store_and_the_same_bytes) {
    cr_assert_eq(run("sweep small.json --out t1 --threads 1"), 0, "%s", err);
    cr_assert(strstr(err, "24 runs done"), "%s", err);
    cr_assert_eq(run("sweep small.json --out t2 --threads 2"), 0, "%s", err);
    assert_same_file("t1/runs.csv", "t2/runs.csv");
    assert_same_file("t1/points.csv", "t2/points.csv");
    char *a = dump_of("t1"), *b = dump_of("t2");
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    char *pc = file_of("t1/points.csv");
    cr_assert(!strncmp(pc, "point,campaigns[0].group.deadline,campaigns[0].seeding.count,reps,"
                           "campaign.g.participation_rate.mean,campaign.g.participation_rate.ci_lo,",
                       120),
              "%s", pc);
    free(pc);
    /* export rewrites the same files */
    char *before = file_of("t1/points.csv");
    cr_assert_eq(run("sweep export t1"), 0, "%s", err);
    char *after = file_of("t1/points.csv");
    cr_assert_str_eq(before, after);
    free(before);
    free(after);
}

Test(cli_sweep, an_existing_store_needs_resume_and_a_changed_sweep_cannot_resume_it) {
    cr_assert_eq(run("sweep small.json --out s"), 0, "%s", err);
    cr_assert_eq(run("sweep small.json --out s"), 2);
    cr_assert(strstr(err, "--resume"), "%s", err);
    /* resuming a complete store runs nothing and succeeds */
    cr_assert_eq(run("sweep small.json --out s --resume"), 0, "%s", err);
    cr_assert(strstr(err, "0 runs done"), "%s", err);
    char *changed = strdup(small);
    char *seed = strstr(changed, "\"seed\": 5");
    seed[8] = '6';
    write_file("small.json", changed);
    free(changed);
    cr_assert_eq(run("sweep small.json --out s --resume"), 2);
    cr_assert(strstr(err, "another sweep"), "%s", err);
    /* --set enters the hash too */
    write_file("small.json", small);
    cr_assert_eq(run("sweep small.json --out s --resume --set run.horizon=60"), 2);
    cr_assert(strstr(err, "another sweep"), "%s", err);
    cr_assert_eq(run("sweep small.json --out nothing_here --resume"), 2);
    cr_assert(strstr(err, "nothing to resume"), "%s", err);
}

Test(cli_sweep, bad_input_exits_2_names_the_path_and_writes_nothing) {
    write_file("bad1.json", "{\"base\": \"base.json\", \"design\": \"lhs\", \"points\": 3,\n"
                            " \"axes\": [{\"path\": \"campaigns[0].group.deadline\", \"range\": [48, 6]}]}");
    cr_assert_eq(run("sweep bad1.json --out b1"), 2);
    cr_assert(strstr(err, "bad1.json: axes[0].range: expected [lo, hi] with lo < hi"), "%s", err);
    cr_assert(!exists("b1"));
    write_file("bad2.json", "{\"base\": \"base.json\", \"axes\": [{\"path\": \"campaigns[0].group.size\", "
                            "\"values\": [3, 1]}]}");
    cr_assert_eq(run("sweep bad2.json --out b2"), 2);
    cr_assert(strstr(err, "point 1") && strstr(err, "campaigns[0].group.size"), "%s", err);
    cr_assert(!exists("b2"));
    write_file("bad3.json", "{\"base\": \"base.json\", \"axes\": [{\"path\": \"campaigns[0].group.size\", "
                            "\"values\": [3]}], \"metrics\": [\"campaign.g.conversion\"]}");
    cr_assert_eq(run("sweep bad3.json --out b3"), 2);
    cr_assert(strstr(err, "metrics[0]: unknown metric 'campaign.g.conversion'"), "%s", err);
    cr_assert(!exists("b3"));
    cr_assert_eq(run("sweep missing.json --out b4"), 2);
    cr_assert(strstr(err, "missing.json"), "%s", err);
    cr_assert_eq(run("sweep small.json --threads x"), 2);
    cr_assert_eq(run("sweep export nowhere"), 2);
}

/* Start the CLI in the background; returns its pid. */
static pid_t spawn(const char *args) {
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        if (chdir(tmp)) _exit(127);
        FILE *n = freopen("/dev/null", "w", stderr);
        (void)n;
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "exec %s %s", FISSION_CLI, args);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Runs stored in dir's store (0 if none yet or not readable). */
static uint64_t stored(const char *dir) {
    char p[400];
    snprintf(p, sizeof p, "%s/%s/sweep.db", tmp, dir);
    fsn_store_t *s;
    fsn_error_t e = {0};
    if (fsn_store_open_readonly(p, &s, &e)) return 0;
    uint64_t n = 0;
    fsn_store_run_count(s, &n, &e);
    fsn_store_close(s);
    return n;
}

/* A sweep long enough to be stopped halfway: 120 points x 2. */
static const char *longer =
    "{\"base\": \"base.json\", \"design\": \"random\", \"points\": 120, \"replicates\": 2, \"seed\": 8,\n"
    " \"set\": {\"run.horizon\": 96},\n"
    " \"axes\": [{\"path\": \"campaigns[0].group.deadline\", \"range\": [6, 48]},\n"
    "          {\"path\": \"behaviour.sharing.coupon_reshare\", \"range\": [0, 0.6]}],\n"
    " \"metrics\": [\"campaign.g.participation_rate\", \"campaign.g.fill_rate\"]}\n";

/* Stop a sweep with sig once some runs are stored; returns how many
 * were stored when it was stopped and its exit status. */
static uint64_t stop_halfway(const char *dir, int sig, int *status) {
    char args[256];
    snprintf(args, sizeof args, "sweep longer.json --out %s --threads 1", dir);
    pid_t pid = spawn(args);
    uint64_t n = 0;
    struct timespec ms = {0, 2 * 1000000L};
    for (int i = 0; i < 60000 && (n = stored(dir)) == 0; i++) {
        if (waitpid(pid, status, WNOHANG) == pid) return (uint64_t)-1;
        nanosleep(&ms, NULL);
    }
    kill(pid, sig);
    cr_assert_eq(waitpid(pid, status, 0), pid);
    return n;
}

Test(cli_sweep, a_killed_sweep_resumed_gives_the_runs_of_an_uninterrupted_one, .timeout = 300) {
    write_file("longer.json", longer);
    int status;
    uint64_t at = stop_halfway("k", SIGKILL, &status);
    cr_assert_neq(at, (uint64_t)-1, "the sweep ended before it could be killed");
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    uint64_t kept = stored("k");
    cr_assert_geq(kept, at);
    cr_assert_lt(kept, 240, "killed after every run was stored: the test proves nothing");
    cr_assert_eq(run("sweep longer.json --out k --resume --threads 2"), 0, "%s", err);
    cr_assert_eq(stored("k"), 240);
    cr_assert_eq(run("sweep longer.json --out full --threads 2"), 0, "%s", err);
    assert_same_file("k/runs.csv", "full/runs.csv");
    assert_same_file("k/points.csv", "full/points.csv");
    char *a = dump_of("k"), *b = dump_of("full");
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
}

Test(cli_sweep, ctrl_c_stores_the_running_units_and_resume_completes_the_sweep, .timeout = 300) {
    write_file("longer.json", longer);
    int status;
    uint64_t at = stop_halfway("i", SIGINT, &status);
    cr_assert_neq(at, (uint64_t)-1, "the sweep ended before it could be interrupted");
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "an interrupted sweep exits 1");
    uint64_t kept = stored("i");
    cr_assert_lt(kept, 240);
    cr_assert(exists("i/runs.csv") && exists("i/points.csv"), "the exports are written from what is stored");
    cr_assert_eq(run("sweep longer.json --out i --resume"), 0, "%s", err);
    cr_assert_eq(run("sweep longer.json --out full --threads 1"), 0, "%s", err);
    assert_same_file("i/runs.csv", "full/runs.csv");
}

Test(cli_sweep, a_second_sweep_on_a_folder_in_use_is_refused, .timeout = 300) {
    write_file("longer.json", longer);
    pid_t pid = spawn("sweep longer.json --out busy --threads 1");
    struct timespec ms = {0, 2 * 1000000L};
    int status, ended = 0;
    for (int i = 0; i < 60000 && stored("busy") == 0; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            ended = 1;
            break;
        }
        nanosleep(&ms, NULL);
    }
    cr_assert(!ended, "the sweep ended before a second one could be tried");
    int rc1 = run("sweep longer.json --out busy");
    char msg1[512];
    snprintf(msg1, sizeof msg1, "%.500s", err);
    int rc2 = run("sweep longer.json --out busy --resume");
    kill(pid, SIGKILL);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert_eq(rc1, 2, "%s", msg1);
    cr_assert(strstr(msg1, "in use"), "%s", msg1);
    cr_assert_eq(rc2, 2, "%s", err);
    cr_assert(strstr(err, "in use"), "%s", err);
    /* the lock goes with its process, even killed */
    cr_assert_eq(run("sweep longer.json --out busy --resume"), 0, "%s", err);
    cr_assert_eq(stored("busy"), 240);
}

#ifdef FISSION_MPIEXEC
/* MPI ranks (rank 0 stores, the others run units): the same store and
 * the same bytes as threads. Open MPI leaves allocations behind at
 * MPI_Finalize, so leak detection is off for these runs (the sanitizers'
 * other checks stay on). */
#define MPIRUN "ASAN_OPTIONS=detect_leaks=0 " FISSION_MPIEXEC " --oversubscribe --allow-run-as-root -np "

static int run_mpi(const char *np, const char *args) {
    char pre[512];
    snprintf(pre, sizeof pre, MPIRUN "%s", np);
    return cli_run_in(tmp, pre, args, out, sizeof out, err, sizeof err);
}

Test(cli_sweep, mpi_ranks_give_the_same_store_and_bytes_as_threads, .timeout = 300) {
    cr_assert_eq(run("sweep small.json --out t --threads 2"), 0, "%s", err);
    cr_assert_eq(run_mpi("2", "sweep small.json --out m2 --mpi --threads 1"), 0, "%s", err);
    cr_assert(strstr(err, "24 runs done"), "%s", err);
    cr_assert_eq(run_mpi("3", "sweep small.json --out m3 --mpi --threads 1"), 0, "%s", err);
    assert_same_file("t/runs.csv", "m2/runs.csv");
    assert_same_file("t/points.csv", "m2/points.csv");
    assert_same_file("t/runs.csv", "m3/runs.csv");
    char *a = dump_of("t"), *b = dump_of("m3");
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    /* the store's rules hold over MPI too */
    cr_assert_eq(run_mpi("2", "sweep small.json --out m2 --mpi"), 2);
    cr_assert(strstr(err, "--resume"), "%s", err);
}

Test(cli_sweep, a_killed_sweep_resumes_over_mpi, .timeout = 300) {
    write_file("longer.json", longer);
    int status;
    uint64_t at = stop_halfway("k", SIGKILL, &status);
    cr_assert_neq(at, (uint64_t)-1, "the sweep ended before it could be killed");
    cr_assert_lt(stored("k"), 240);
    cr_assert_eq(run_mpi("2", "sweep longer.json --out k --resume --mpi"), 0, "%s", err);
    cr_assert_eq(stored("k"), 240);
    cr_assert_eq(run("sweep longer.json --out full"), 0, "%s", err);
    assert_same_file("k/runs.csv", "full/runs.csv");
}

Test(cli_sweep, mpi_needs_two_ranks) {
    cr_assert_eq(run_mpi("1", "sweep small.json --out one --mpi"), 2);
    cr_assert(strstr(err, "at least 2 ranks"), "%s", err);
    cr_assert(!exists("one"));
}
#endif
