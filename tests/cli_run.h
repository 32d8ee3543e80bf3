/*
 * cli_run.h: running the built fission binary from a test, for the CLI
 * suites (tests/test_cli*.c).
 *
 * Those suites meet the command line as a user does: they run the
 * binary CMake built (FISSION_CLI, a compile definition of every test)
 * through the shell, capture what it printed on stdout and stderr and
 * read its exit code. The shell command and the capture were once
 * copied into each suite; they live here once, as static inline
 * functions, so a suite needs only `#include "cli_run.h"` and no change
 * to the build.
 *
 * A run's stdout and stderr go to two files beside the suite's temporary
 * folder (or in /tmp, named by the process id, when the run needs no
 * folder), are read into the caller's buffers (cut at their size) and
 * removed. stdin is /dev/null: a command that waited for input would
 * otherwise hang the suite.
 */
#ifndef FISSION_TESTS_CLI_RUN_H
#define FISSION_TESTS_CLI_RUN_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* The file at path into buf (at most size - 1 bytes, NUL-terminated);
 * an absent file reads as "". */
static inline void cli_slurp(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = 0;
    if (f) fclose(f);
}

/* Write text to the file at path (the test fails if it cannot). */
static inline void cli_spit(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/*
 * Run `ENV FISSION_CLI ARGS` (ARGS are shell words; env "" or words such
 * as "PATH=/x"), in the folder dir (NULL: the current one), with stdin
 * from /dev/null; stdout into out and stderr into err (each cut at its
 * size). Returns the exit code, -1 if the command did not exit.
 */
static inline int cli_run_in(const char *dir, const char *env, const char *args, char *out, size_t outsz, char *err,
                             size_t errsz) {
    char cmd[8192], o[300], e[300];
    if (dir) {
        snprintf(o, sizeof o, "%s.stdout", dir);
        snprintf(e, sizeof e, "%s.stderr", dir);
        snprintf(cmd, sizeof cmd, "cd %s && %s %s %s >%s 2>%s </dev/null", dir, env, FISSION_CLI, args, o, e);
    } else {
        snprintf(o, sizeof o, "/tmp/fission_cli_out_%d", (int)getpid());
        snprintf(e, sizeof e, "/tmp/fission_cli_err_%d", (int)getpid());
        snprintf(cmd, sizeof cmd, "%s %s %s >%s 2>%s </dev/null", env, FISSION_CLI, args, o, e);
    }
    int st = system(cmd);
    cli_slurp(o, out, outsz);
    cli_slurp(e, err, errsz);
    remove(o);
    remove(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A fresh temporary folder from a mkdtemp template such as
 * "/tmp/fission_x_XXXXXX", into dir (size bytes). */
static inline void cli_tmpdir(char *dir, size_t size, const char *templ) {
    snprintf(dir, size, "%s", templ);
    cr_assert_not_null(mkdtemp(dir));
}

/* Remove the folder dir and all it holds (a message if it cannot). */
static inline void cli_tmpdir_remove(const char *dir) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", dir);
}

#endif
