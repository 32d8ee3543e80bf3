/*
 * test_article.c: the article baseline against the article.
 *
 * `fission compare scenarios/article-2023.json` runs the calibrated
 * baseline (100 000 users, 20 replicates, seed 1: a deterministic run) and
 * counts the reference's simulated figures within their tolerances (the
 * reference file's, not the test's). 38 of the 40 are today
 * (docs/CALIBRATION.md says which two are not, and why). The run is
 * deterministic, so the count changes only when the model, the baseline or
 * the reference does: this test keeps a change from silently losing a
 * figure. When it fails, the table it prints says which figure moved. The
 * goal is `compare --strict`, all 40.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"

enum { WITHIN_TODAY = 38 };

static char out[1 << 17], err[1 << 14];

Test(article, the_calibrated_baseline_keeps_its_figures_within_tolerance, .timeout = 3600) {
    char dir[] = "/tmp/fission-article-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char args[512];
    snprintf(args, sizeof args, "compare " FISSION_TEST_DATA "/../../scenarios/article-2023.json --reference " FISSION_TEST_DATA
             "/../../scenarios/reference/article-2023.json --threads 2 --out %s",
             dir);
    int code = cli_run_in(NULL, "", args, out, sizeof out, err, sizeof err);
    cr_assert_eq(code, 0, "compare failed (exit %d): %s", code, err);
    const char *table = strstr(out, "article simulated");
    cr_assert_not_null(table, "no comparison table in:\n%s", out);
    const char *line = strstr(table, "figures within tolerance");
    cr_assert_not_null(line, "no summary line in:\n%s", table);
    while (line > table && line[-1] != '\n') line--;
    int within = -1, outside = -1;
    cr_assert_eq(sscanf(line, "%d figures within tolerance, %d out", &within, &outside), 2, "%s", line);
    cr_log_info("%s", table);
    cr_assert_geq(within, WITHIN_TODAY, "%d figures within tolerance (was %d):\n%s", within, WITHIN_TODAY, table);
    cr_assert_eq(within + outside, 40, "%d + %d simulated figures, expected 40", within, outside);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
