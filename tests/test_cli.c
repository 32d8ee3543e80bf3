/*
 * test_cli.c: the command line as a user meets it: exit codes, messages,
 * and output that does not depend on the number of threads.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_run.h"

/* Run the CLI with args (shell words) in the current folder; capture
 * stdout and stderr into buffers; return the exit code. */
static int run(const char *args, char *out, size_t outsz, char *errb, size_t errsz) {
    return cli_run_in(NULL, "", args, out, outsz, errb, errsz);
}

static char out[1 << 16], err[1 << 14];

Test(cli, help_lists_the_commands_and_exits_zero) {
    cr_assert_eq(run("help", out, sizeof out, err, sizeof err), 0);
    cr_assert(strstr(out, "run") && strstr(out, "graph describe"));
    cr_assert_eq(run("help run", out, sizeof out, err, sizeof err), 0);
    cr_assert(strstr(out, "--threads"));
}

Test(cli, unknown_command_or_option_exits_two_with_a_message) {
    cr_assert_eq(run("frobnicate", out, sizeof out, err, sizeof err), 2);
    cr_assert(strstr(err, "unknown command 'frobnicate'"), "%s", err);
    cr_assert_eq(run("run --bogus", out, sizeof out, err, sizeof err), 2);
    cr_assert(strstr(err, "--bogus"), "%s", err);
    cr_assert_eq(run("run --reps zero", out, sizeof out, err, sizeof err), 2);
    cr_assert(strstr(err, "--reps") && strstr(err, "zero"), "%s", err);
    cr_assert_eq(run("cascade --beta -1", out, sizeof out, err, sizeof err), 2);
    cr_assert_eq(run("run --campaign lottery", out, sizeof out, err, sizeof err), 2);
    cr_assert(strstr(err, "--campaign") && strstr(err, "lottery"), "%s", err);
    cr_assert_eq(run("run --seeding tier", out, sizeof out, err, sizeof err), 2);
    cr_assert(strstr(err, "--tier"), "%s", err);
    cr_assert_eq(run("graph describe --gen nosuch", out, sizeof out, err, sizeof err), 2);
    cr_assert(strstr(err, "nosuch"), "%s", err);
}

Test(cli, missing_graph_file_exits_two_and_names_the_file) {
    cr_assert_eq(run("graph describe --file /nonexistent/ties.txt", out, sizeof out, err, sizeof err),
                 2);
    cr_assert(strstr(err, "/nonexistent/ties.txt"), "%s", err);
    cr_assert_eq(out[0], '\0', "nothing on stdout");
}

Test(cli, malformed_graph_file_exits_two_and_names_the_line) {
    cr_assert_eq(run("graph describe --file " FISSION_TEST_DATA "/graphs/bad_id.txt", out,
                     sizeof out, err, sizeof err),
                 2);
    cr_assert(strstr(err, "bad_id.txt:"), "%s", err);
}

Test(cli, graph_describe_reports_the_figures_of_a_generated_graph) {
    cr_assert_eq(run("graph describe --n 3000 --mean-degree 20", out, sizeof out, err, sizeof err),
                 0, "%s", err);
    cr_assert(strstr(out, "users") && strstr(out, "clustering") && strstr(out, "assortativity"),
              "%s", out);
    cr_assert_eq(run("graph describe --gen ba --n 2000 --m 3", out, sizeof out, err, sizeof err), 0,
                 "%s", err);
}

/* The figure table (every line between the header and the event count)
 * must not depend on --threads. */
static void figures(const char *text, char *dst, size_t size) {
    const char *a = strstr(text, "figure");
    const char *b = a ? strstr(a, "events in") : NULL;
    cr_assert(a && b, "no figure table in: %s", text);
    size_t n = (size_t)(b - a) < size - 1 ? (size_t)(b - a) : size - 1;
    memcpy(dst, a, n);
    dst[n] = '\0';
}

Test(cli, cascade_prints_the_same_figures_for_one_and_two_threads) {
    static char a[1 << 14], b[1 << 14];
    cr_assert_eq(run("cascade --n 4000 --mean-degree 20 --reps 6 --threads 1", out, sizeof out, err,
                     sizeof err),
                 0, "%s", err);
    figures(out, a, sizeof a);
    cr_assert_eq(run("cascade --n 4000 --mean-degree 20 --reps 6 --threads 2", out, sizeof out, err,
                     sizeof err),
                 0, "%s", err);
    figures(out, b, sizeof b);
    cr_assert_str_eq(a, b);
    cr_assert(strstr(a, "users reached"));
}

Test(cli, the_independent_cascade_runs_and_is_the_same_for_one_and_two_threads) {
    static char a[1 << 14], b[1 << 14];
    cr_assert_eq(run("cascade --model ic --T 0.1 --n 3000 --mean-degree 20 --reps 4 --threads 1", out,
                     sizeof out, err, sizeof err),
                 0, "%s", err);
    figures(out, a, sizeof a);
    cr_assert_eq(run("cascade --model ic --T 0.1 --n 3000 --mean-degree 20 --reps 4 --threads 2", out,
                     sizeof out, err, sizeof err),
                 0, "%s", err);
    figures(out, b, sizeof b);
    cr_assert_str_eq(a, b);
    cr_assert(strstr(a, "depth") && !strstr(a, "peak"), "%s", a);
    cr_assert_eq(run("cascade --model ic --T 1.5", out, sizeof out, err, sizeof err), 2);
    cr_assert(strstr(err, "--T"), "%s", err);
    cr_assert_eq(run("cascade --model seir", out, sizeof out, err, sizeof err), 2);
    cr_assert(strstr(err, "seir"), "%s", err);
}

Test(cli, run_prints_the_same_campaign_figures_for_one_and_two_threads) {
    static char a[1 << 16], b[1 << 16];
    cr_assert_eq(run("run --n 3000 --mean-degree 20 --reps 4 --threads 1 --all", out, sizeof out, err,
                     sizeof err),
                 0, "%s", err);
    figures(out, a, sizeof a);
    cr_assert_eq(run("run --n 3000 --mean-degree 20 --reps 4 --threads 2 --all", out, sizeof out, err,
                     sizeof err),
                 0, "%s", err);
    figures(out, b, sizeof b);
    cr_assert_str_eq(a, b);
    cr_assert(strstr(a, "campaign.group.fill_rate") && strstr(a, "pay.wechat.repurchase_rate") &&
                  strstr(a, "policy.complaint_rate"),
              "%s", a);
}

Test(cli, more_seeds_than_users_exits_two_naming_the_field_before_any_output) {
    cr_assert_eq(run("run --gen er --n 10 --p 0.5 --seeds 20 --reps 1", out, sizeof out, err,
                     sizeof err),
                 2);
    cr_assert(strstr(err, "seeding.count"), "%s", err);
    cr_assert_eq(out[0], '\0', "nothing on stdout: %s", out);
}

Test(cli, a_bad_seed_file_exits_two_naming_its_line) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/fission_seeds_%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("# first links\n3\nthree\n", f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "run --n 500 --mean-degree 10 --reps 1 --seeding file --seed-file %s", path);
    cr_assert_eq(run(cmd, out, sizeof out, err, sizeof err), 2);
    remove(path);
    cr_assert(strstr(err, path) && strstr(err, ":3:") && strstr(err, "three"), "%s", err);
    cr_assert_eq(out[0], '\0', "nothing on stdout: %s", out);
}

Test(cli, more_first_sharers_than_users_exits_two_naming_first_before_any_output) {
    cr_assert_eq(run("cascade --gen er --n 10 --p 0.5 --first 20 --reps 1", out, sizeof out, err,
                     sizeof err),
                 2);
    cr_assert(strstr(err, "--first"), "%s", err);
    cr_assert_eq(out[0], '\0', "nothing on stdout: %s", out);
}

Test(cli, run_reports_the_threads_it_uses_not_more_than_replicates) {
    cr_assert_eq(run("cascade --gen er --n 50 --p 0.1 --reps 2 --threads 100000", out, sizeof out, err,
                     sizeof err),
                 0, "%s", err);
    cr_assert(strstr(out, "replicates: 2, seed 1, 2 threads"), "%s", out);
}

Test(cli, a_negative_integer_behind_a_space_is_refused) {
    cr_assert_eq(run("run --gen er --n 50 --p 0.1 --reps 1 --seed ' -1'", out, sizeof out, err,
                     sizeof err),
                 2, "%s", out);
    cr_assert(strstr(err, "--seed"), "%s", err);
}

Test(cli, generator_options_given_before_gen_are_kept) {
    cr_assert_eq(run("graph describe --m 3 --gen ba --n 1000", out, sizeof out, err, sizeof err),
                 0, "%s", err);
    cr_assert(strstr(out, "degree         min 3,"), "%s", out);
}

Test(cli, an_option_the_chosen_graph_would_ignore_is_refused_by_name) {
    cr_assert_eq(run("graph describe --gen ba --n 2000 --mean-degree 4", out, sizeof out, err,
                     sizeof err),
                 2);
    cr_assert(strstr(err, "--mean-degree") && strstr(err, "ba"), "%s", err);
    cr_assert_eq(out[0], '\0', "nothing on stdout");
    cr_assert_eq(run("graph describe --file " FISSION_TEST_DATA "/graphs/weights.txt --n 5", out,
                     sizeof out, err, sizeof err),
                 2);
    cr_assert(strstr(err, "--n") && strstr(err, "--file"), "%s", err);
    /* Order does not matter: an option given before --gen still applies. */
    cr_assert_eq(run("graph describe --m 3 --gen ba --n 2000", out, sizeof out, err, sizeof err), 0,
                 "%s", err);
}

Test(cli, compare_reads_a_run_folder_writes_its_tables_and_strict_fails_when_figures_are_out) {
    char dir[] = "/tmp/fission_cmp_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "run " FISSION_TEST_DATA "/scenarios/good/minimal.json --out %s/run --reps 2 --quiet", dir);
    cr_assert_eq(run(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    snprintf(cmd, sizeof cmd, "compare %s/run --reference " FISSION_TEST_DATA "/../../scenarios/reference/article-2023.json",
             dir);
    cr_assert_eq(run(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_assert(strstr(out, "T4.group.conversion") || strstr(out, "T1.wechat.penetration"), "%s", out);
    cr_assert(strstr(out, "not simulated"), "%s", out);
    char path[600];
    snprintf(path, sizeof path, "%s/run/compare.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no compare.csv");
    fclose(f);
    snprintf(path, sizeof path, "%s/run/compare.json", dir);
    f = fopen(path, "r");
    cr_assert_not_null(f, "no compare.json");
    fclose(f);
    /* a tiny run of the minimal scenario is far from the article: --strict fails */
    snprintf(cmd, sizeof cmd,
             "compare %s/run --strict --reference " FISSION_TEST_DATA "/../../scenarios/reference/article-2023.json", dir);
    cr_assert_eq(run(cmd, out, sizeof out, err, sizeof err), 1, "%s", err);
    cr_assert(strstr(err, "--strict"), "%s", err);
    /* a folder without a summary, and a missing reference: exit 2 */
    snprintf(cmd, sizeof cmd, "compare %s --reference " FISSION_TEST_DATA "/../../scenarios/reference/article-2023.json", dir);
    cr_assert_eq(run(cmd, out, sizeof out, err, sizeof err), 2, "%s", err);
    cr_assert(strstr(err, "summary.json"), "%s", err);
    snprintf(cmd, sizeof cmd, "compare %s/run --reference /nonexistent.json", dir);
    cr_assert_eq(run(cmd, out, sizeof out, err, sizeof err), 2, "%s", err);
    cr_assert(strstr(err, "/nonexistent.json"), "%s", err);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Ctrl-C during a calibration: the search stops after the running
 * evaluation, the best point so far is written (a scenario that
 * validates) and the exit code is 1. */
Test(cli, calibrate_stopped_by_ctrl_c_writes_the_best_point_so_far_and_exits_one, .timeout = 120) {
    char dir[] = "/tmp/fission-calstop-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char log[300], res[300], cmd[1200];
    snprintf(log, sizeof log, "%s/err.txt", dir);
    snprintf(res, sizeof res, "%s/best.json", dir);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        snprintf(cmd, sizeof cmd,
                 "exec %s calibrate " FISSION_TEST_DATA "/scenarios/good/minimal.json --reference " FISSION_TEST_DATA
                 "/../../scenarios/reference/article-2023.json --only T1 --reps 2 --threads 1 --max-evals 1000000 "
                 "--free behaviour.visits.visit_rate=0.2:5 --out %s >/dev/null 2>%s",
                 FISSION_CLI, res, log);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    /* wait for a few evaluations on stderr */
    struct timespec ms = {0, 20 * 1000000L};
    int seen = 0, status;
    for (int i = 0; i < 5000 && !seen; i++) {
        cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "calibrate ended before it was stopped");
        FILE *f = fopen(log, "r");
        if (f) {
            char line[4096];
            while (fgets(line, sizeof line, f))
                if (!strncmp(line, "eval    3 ", 10)) seen = 1;
            fclose(f);
        }
        nanosleep(&ms, NULL);
    }
    cr_assert(seen, "no third evaluation reported");
    kill(pid, SIGINT);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d", status);
    snprintf(cmd, sizeof cmd, "validate %s", res);
    cr_assert_eq(run(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(cli, calibrate_refuses_bad_free_parameters_with_exit_two) {
    cr_assert_eq(run("calibrate " FISSION_TEST_DATA "/scenarios/good/minimal.json --free nope", out, sizeof out, err,
                     sizeof err),
                 2);
    cr_assert(strstr(err, "PATH=LO:HI"), "%s", err);
    cr_assert_eq(run("calibrate " FISSION_TEST_DATA "/scenarios/good/minimal.json --free behaviour.visits.visit_rate=3:1",
                     out, sizeof out, err, sizeof err),
                 2);
    cr_assert(strstr(err, "LO < HI"), "%s", err);
    cr_assert_eq(run("calibrate " FISSION_TEST_DATA "/scenarios/good/minimal.json --reference "
                     FISSION_TEST_DATA "/../../scenarios/reference/article-2023.json --free graph.n=10:20 --quiet",
                     out, sizeof out, err, sizeof err),
                 2);
    cr_assert(strstr(err, "graph"), "%s", err);
    cr_assert_eq(run("calibrate " FISSION_TEST_DATA "/scenarios/good/minimal.json --free "
                     "behaviour.visits.visit_rate=1:3 --hinge -2",
                     out, sizeof out, err, sizeof err),
                 2);
    cr_assert(strstr(err, "--hinge") && strstr(err, "'-2'"), "%s", err);
}
