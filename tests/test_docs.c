/*
 * test_docs.c: the documentation says what the code does.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fission/scenario.h"

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

Test(docs, the_scenario_key_reference_in_the_docs_matches_the_parser_table) {
    char *doc = slurp(FISSION_TEST_DATA "/../../docs/SCENARIOS.md");
    char *ref = fsn_scenario_reference();
    cr_assert_not_null(ref);
    cr_assert(strstr(doc, ref) != NULL,
              "docs/SCENARIOS.md's key reference is out of date: regenerate it from `fission help scenario`");
    free(ref);
    free(doc);
}
