/*
 * test_article.c: the article baseline against the article.
 *
 * `fission compare --strict scenarios/article-2023.json` runs the
 * calibrated baseline (100 000 users, 20 replicates, seed 1: a
 * deterministic run), compares every simulated figure of the reference
 * with its tolerance (the reference file's, not the test's) and exits
 * non-zero if any is out. All 39 are within today. The run is
 * deterministic, so the result changes only when the model, the baseline
 * or the reference does: this test keeps a change from silently losing a
 * figure. When it fails, the table it prints says which figure moved
 * (docs/CALIBRATION.md gives each figure's margin, and how the figures
 * move with the seed).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"

enum { SIMULATED = 39 };

static char out[1 << 17], err[1 << 14];

Test(article, the_calibrated_baseline_passes_compare_strict, .timeout = 3600) {
    char dir[] = "/tmp/fission-article-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char args[512];
    snprintf(args, sizeof args, "compare --strict " FISSION_TEST_DATA "/../../scenarios/article-2023.json --reference " FISSION_TEST_DATA
             "/../../scenarios/reference/article-2023.json --threads 2 --out %s",
             dir);
    int code = cli_run_in(NULL, "", args, out, sizeof out, err, sizeof err);
    const char *table = strstr(out, "article simulated");
    cr_assert_not_null(table, "no comparison table in:\n%s", out);
    const char *line = strstr(table, "figures within tolerance");
    cr_assert_not_null(line, "no summary line in:\n%s", table);
    while (line > table && line[-1] != '\n') line--;
    int within = -1, outside = -1;
    cr_assert_eq(sscanf(line, "%d figures within tolerance, %d out", &within, &outside), 2, "%s", line);
    cr_log_info("%s", table);
    cr_assert_eq(within + outside, SIMULATED, "%d + %d simulated figures, expected %d", within, outside, SIMULATED);
    cr_assert_eq(outside, 0, "%d figures out of tolerance:\n%s", outside, table);
    cr_assert_eq(code, 0, "compare --strict exited %d with every figure within: %s", code, err);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
