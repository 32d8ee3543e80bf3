/*
 * fuzz_scenario.c: libFuzzer harness for the scenario parser.
 *
 * Each input is a scenario file's text. It goes to fsn_scenario_parse;
 * whatever the result, the scenario is written back with
 * fsn_scenario_to_json. When the parse succeeds the normalised text must
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static fsn_scenario_t sc, sc2;   /* large: kept off the stack */
    static fsn_diags_t d, d2;
    fsn_err_t rc = fsn_scenario_parse(&sc, (const char *)data, size, "fuzz.json", NULL, NULL, 0, &d);
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
