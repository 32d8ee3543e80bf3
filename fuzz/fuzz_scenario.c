/*
 * fuzz_scenario.c: libFuzzer harness for the scenario parser.
 *
 * Each input is a scenario file's text, optionally followed by --set
 * overrides: the bytes up to the first NUL are the text and every
 * NUL-terminated piece after it is one "PATH=VALUE" (at most MAX_SETS;
 * a scenario file holds no NUL, so a plain file is just the text). They
 * go to fsn_scenario_parse; whatever the result, the scenario is written
 * back with fsn_scenario_to_json. When the parse succeeds the normalised text must
 * parse again, without a single diagnostic, and give the same text: a
 * difference is a round-trip bug and the harness aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fission/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *first, const char *second, const fsn_diags_t *d) {
    fprintf(stderr, "fuzz_scenario: %s\n", what);
    if (d)
        for (size_t i = 0; i < d->count && i < FSN_DIAG_MAX; i++) fprintf(stderr, "  %s\n", d->msg[i]);
    if (first) fprintf(stderr, "--- first normalised text:\n%s\n", first);
    if (second) fprintf(stderr, "--- second normalised text:\n%s\n", second);
    abort();
}

#define MAX_SETS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static fsn_scenario_t sc, sc2;   /* large: kept off the stack */
    static fsn_diags_t d, d2;
    const char *text = (const char *)data;
    const char *nul = memchr(text, 0, size);
    size_t len = nul ? (size_t)(nul - text) : size;
    /* the sets, each copied to its own NUL-terminated buffer */
    char *sets[MAX_SETS];
    size_t nsets = 0;
    for (size_t at = len + 1; nul && at <= size && nsets < MAX_SETS;) {
        const char *end = memchr(text + at, 0, size - at);
        size_t n = end ? (size_t)(end - (text + at)) : size - at;
        sets[nsets] = malloc(n + 1);
        if (!sets[nsets]) break;
        memcpy(sets[nsets], text + at, n);
        sets[nsets++][n] = 0;
        if (!end) break;
        at += n + 1;
    }
    fsn_err_t rc = fsn_scenario_parse(&sc, text, len, "fuzz.json", NULL, (const char *const *)sets, nsets, &d);
    for (size_t i = 0; i < nsets; i++) free(sets[i]);
    char *json = fsn_scenario_to_json(&sc);
    if (rc != FSN_OK) {
        if (d.count == 0) fail("an error was returned without a diagnostic", json, NULL, NULL);
        free(json);
        return 0;
    }
    if (d.count != 0) fail("FSN_OK with diagnostics", json, NULL, &d);
    if (!json) return 0;   /* allocation failure */
    rc = fsn_scenario_parse(&sc2, json, strlen(json), "fuzz.json", NULL, NULL, 0, &d2);
    if (rc != FSN_OK) fail("the normalised scenario does not parse", json, NULL, &d2);
    char *json2 = fsn_scenario_to_json(&sc2);
    if (!json2) {
        free(json);
        return 0;
    }
    if (strcmp(json, json2) != 0) fail("the normalised scenario changes when parsed again", json, json2, NULL);
    free(json2);
    free(json);
    return 0;
}
