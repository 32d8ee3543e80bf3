/*
 * cli/cli.h: the command line's scenario commands (CLI only).
 *
 * main.c parses the command and hands scenario work here: validate,
 * run with a scenario file, batch, and the key reference. Everything in
 * sim/cli/ may print; nothing in the library does.
 */
#ifndef FISSION_CLI_H
#define FISSION_CLI_H

#include <signal.h>

#include "fission/run.h"
#include "fission/scenario.h"

enum { CLI_OK = 0, CLI_RUN = 1, CLI_USAGE = 2 };

/* fission validate FILE... */
int cli_validate(int argc, char **argv);

/* fission run FILE [options]; argv[0] is the file. */
int cli_run_file(int argc, char **argv);

/* fission batch FILE|DIR... [options] */
int cli_batch(int argc, char **argv);

/* fission help scenario */
int cli_help_scenario(void);

/* Options shared by run and batch. */
typedef struct cli_run_opts {
    uint32_t reps, threads;      /* 0: the scenario's */
    uint64_t seed;
    int have_seed;
    const char *out;             /* output folder, NULL: default */
    const char **sets;           /* --set PATH=VALUE */
    size_t nsets;
    int trace, quiet, all;
} cli_run_opts_t;

/* fission compare RUN_DIR|SCENARIO [--reference FILE] [--strict] ... */
int cli_compare(int argc, char **argv);

/* The comparison table. */
struct fsn_compare_row;
void cli_print_compare(const struct fsn_compare_row *rows, size_t n, const size_t counts[4]);

/* fission calibrate SCENARIO --free PATH=LO:HI... */
int cli_calibrate(int argc, char **argv);

/* fission sweep FILE [options] | fission sweep export DIR (sweep_cmd.c) */
int cli_sweep(int argc, char **argv);
/* fission sensitivity DIR [--metric M]... [--boot B] [--level L] [--out FILE] */
int cli_sensitivity(int argc, char **argv);

/* fission ab A.json B.json ... (cli/ab_cmd.c); its usage text */
int cli_ab(int argc, char **argv);
extern const char *const cli_usage_ab;

/* fission optimise SCENARIO --lever PATH=LO:HI... (cli/optimise_cmd.c) */
int cli_optimise(int argc, char **argv);
extern const char *const cli_usage_optimise;

/* Consume a run option (--reps, --seed, --threads, --out, --set, --trace,
 * --quiet, --all) at argv[*i]: 1 taken, 0 not one, -1 bad (printed). */
int cli_run_opt(cli_run_opts_t *o, int argc, char **argv, int *i, const char *cmd);

/* Run a loaded scenario: build the graph, run the replicates with
 * progress and Ctrl-C handling, print the figures, write the outputs to
 * out (NULL: none). Returns an exit code; *res is filled (the caller
 * destroys it) when the run happened. label names the scenario in
 * messages. */
int cli_run_scenario(fsn_scenario_t *sc, const char *label, const char *scenario_path,
                     const cli_run_opts_t *o, const char *out, fsn_run_result_t *res);

/* fission plot RUN_DIR|SWEEP_DIR [--format png|svg] [--out DIR] [--metric M]...
 * [--reference FILE]: figures drawn by gnuplot (docs/PLOTS.md). */
int cli_plot(int argc, char **argv);

/* The figure table of a result (mean, 95% interval, article figure). */
void cli_print_table(const fsn_run_result_t *res, int all);

/* The whole file at path, NUL-terminated, in a malloc'd buffer (the
 * caller frees it), its length in *len; NULL if it cannot be opened or
 * read or is 16 MiB or more (cli/util.c; prints nothing). O(size). */
char *cli_slurp(const char *path, size_t *len);

/* The file name of path without its folder and its last extension
 * ("a/b.json" is "b", ".json" stays), into dst (n bytes). */
void cli_base_name(char *dst, size_t n, const char *path);

/* Ctrl-C and SIGTERM during a long run: cli_stop_catch clears the stop
 * flag, makes both signals set it and returns it (to hand to the
 * library's stop pointer); cli_stop_release puts the previous handlers
 * back; cli_stopped says whether a signal came since the last catch.
 * One flag for the process (a CLI runs one command). */
typedef struct cli_signals {
    struct sigaction old_int, old_term;
} cli_signals_t;
const volatile int *cli_stop_catch(cli_signals_t *saved);
void cli_stop_release(const cli_signals_t *saved);
int cli_stopped(void);

#endif
