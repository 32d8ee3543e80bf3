/*
 * cli/util.c: small helpers every command of the command line may use.
 *
 * The library reads its own files (scenarios, graphs, references) and
 * reports errors as values; a few commands also need a file's whole
 * text in memory (the scenario text an evaluation parses again with new
 * --set overrides, in calibrate and optimise). That reading was copied
 * into each command; it lives here once, as does the base name of a
 * file (a scenario's default name, a run folder's). Nothing here
 * prints: the caller names the file in its own message.
 */
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
