/*
 * cli/util.c: small helpers every command of the command line may use.
 *
 * The library reads its own files (scenarios, graphs, references) and
 * reports errors as values; a few commands also need a file's whole
 * text in memory (the scenario text an evaluation parses again with new
 * --set overrides, in calibrate and optimise). That reading was copied
 * into each command; it lives here once, as does the base name of a
 * file (a scenario's default name, a run folder's), and so does the
 * stop flag that Ctrl-C sets during a run, a sweep or a batch (the
 * library polls it through a pointer; the flag itself is the CLI's, one
 * per process). Nothing here prints: the caller names the file in its
 * own message.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

char *cli_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 && n < (16 << 20) ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    if (s) {
        s[n] = 0;
        *len = (size_t)n;
    }
    return s;
}

void cli_base_name(char *dst, size_t n, const char *path) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(dst, n, "%s", b);
    char *dot = strrchr(dst, '.');
    if (dot && dot != dst) *dot = 0;
}

static volatile int stop_flag;

static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

const volatile int *cli_stop_catch(cli_signals_t *saved) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_flag = 0;
    sigaction(SIGINT, &sa, &saved->old_int);
    sigaction(SIGTERM, &sa, &saved->old_term);
    return &stop_flag;
}

void cli_stop_release(const cli_signals_t *saved) {
    sigaction(SIGINT, &saved->old_int, NULL);
    sigaction(SIGTERM, &saved->old_term, NULL);
}

int cli_stopped(void) { return stop_flag != 0; }
