/*
 * test_store.c: the sweep results store: what goes in comes out through
 * the read API and the exports, the content does not depend on the order
 * runs arrive in, an existing store is not overwritten, and a store is
 * resumed only by the sweep that made it.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fission/store.h"

static char tmp[256];

static void setup(void) {
    snprintf(tmp, sizeof tmp, "/tmp/fission_store_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void teardown(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", tmp);
}

TestSuite(store, .init = setup, .fini = teardown);

static const fsn_store_axis_spec_t axes[2] = {
    {"campaigns[0].group.size", "values", 2, 4, 1},
    {"behaviour.sharing.click.private", "uniform", 0.1, 0.5, 0},
};
static const double units[3 * 2] = {0, 0.25, 0.5, 0.5, 1, 0.75};
static const double values[3 * 2] = {2, 0.2, 3, 0.3, 4, 0.4};
static const char *const metrics[2] = {"campaign.g.conversion_rate", "pay.wechat.order_share"};
static const char *const mk[] = {"sweep_hash", "sweep_file"};
static const char *const mv[] = {"abc123", "{}"};

static fsn_store_spec_t spec(void) {
    fsn_store_spec_t s = {mk, mv, 2, "lhs", 3, 0, 2, 42, axes, 2, 3, units, values, NULL, metrics, 2};
    return s;
}

static void path_of(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", tmp, name); }

static void slurp(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = 0;
    if (f) fclose(f);
}

/* Fill a store with runs in the given order of (point, rep). */
static void fill(const char *name, const int order[][2], size_t n) {
    char db[300];
    path_of(db, sizeof db, name);
    fsn_store_spec_t sp = spec();
    fsn_store_t *s;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_store_create(db, &sp, &s, &err), FSN_OK, "%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        int p = order[i][0], r = order[i][1];
        double m[2] = {0.1 * p + 0.01 * r, r == 1 ? NAN : 0.5};
        cr_assert_eq(fsn_store_put_run(s, (uint64_t)p, (uint32_t)r, (uint64_t)(100 * p + r), m, 0.001 * (double)i, &err),
                     FSN_OK, "%s", err.msg);
        if (i == 2) cr_assert_eq(fsn_store_commit(s, &err), FSN_OK);
    }
    fsn_store_close(s);
}

static const int in_order[5][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}};
static const int shuffled[5][2] = {{1, 1}, {2, 0}, {0, 1}, {1, 0}, {0, 0}};

Test(store, what_is_stored_reads_back_through_the_api) {
    fill("a.db", in_order, 5);
    char db[300];
    path_of(db, sizeof db, "a.db");
    fsn_store_t *s;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_store_open_readonly(db, &s, &err), FSN_OK, "%s", err.msg);
    fsn_store_info_t info;
    cr_assert_eq(fsn_store_info(s, &info, &err), FSN_OK);
    cr_assert_str_eq(info.design, "lhs");
    cr_assert_eq(info.naxes, 2);
    cr_assert_eq(info.npoints, 3);
    cr_assert_eq(info.size, 3);
    cr_assert_eq(info.nmetrics, 2);
    cr_assert_eq(info.reps, 2);
    cr_assert_eq(info.seed, 42);
    char name[128];
    double lo, hi;
    cr_assert_eq(fsn_store_axis(s, 1, name, sizeof name, &lo, &hi, &err), FSN_OK);
    cr_assert_str_eq(name, "behaviour.sharing.click.private");
    cr_assert_eq(lo, 0.1);
    cr_assert_eq(hi, 0.5);
    cr_assert_eq(fsn_store_axis(s, 2, name, sizeof name, &lo, &hi, &err), FSN_EINVAL);
    cr_assert_eq(fsn_store_metric_name(s, 1, name, sizeof name, &err), FSN_OK);
    cr_assert_str_eq(name, "pay.wechat.order_share");
    double u[6];
    cr_assert_eq(fsn_store_point_units(s, u, &err), FSN_OK);
    for (int i = 0; i < 6; i++) cr_assert_eq(u[i], units[i]);
    double mean[3];
    cr_assert_eq(fsn_store_point_means(s, "campaign.g.conversion_rate", mean, &err), FSN_OK);
    cr_assert_float_eq(mean[0], 0.005, 1e-12);
    cr_assert_float_eq(mean[1], 0.105, 1e-12);
    cr_assert_float_eq(mean[2], 0.2, 1e-12);
    /* the NaN (NULL) of rep 1 is skipped */
    cr_assert_eq(fsn_store_point_means(s, "pay.wechat.order_share", mean, &err), FSN_OK);
    cr_assert_eq(mean[0], 0.5);
    cr_assert_eq(fsn_store_point_means(s, "nope", mean, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "nope"));
    uint64_t n;
    cr_assert_eq(fsn_store_run_count(s, &n, &err), FSN_OK);
    cr_assert_eq(n, 5);
    fsn_store_close(s);
}

Test(store, the_content_does_not_depend_on_the_order_runs_arrive_in) {
    fill("a.db", in_order, 5);
    fill("b.db", shuffled, 5);
    char da[300], dbb[300];
    path_of(da, sizeof da, "a.db");
    path_of(dbb, sizeof dbb, "b.db");
    fsn_store_t *a, *b;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_store_open_readonly(da, &a, &err), FSN_OK);
    cr_assert_eq(fsn_store_open_readonly(dbb, &b, &err), FSN_OK);
    char *ta, *tb;
    cr_assert_eq(fsn_store_dump(a, &ta, &err), FSN_OK);
    cr_assert_eq(fsn_store_dump(b, &tb, &err), FSN_OK);
    cr_assert_str_eq(ta, tb);
    cr_assert(strstr(ta, "[runs]"));
    cr_assert_null(strstr(ta, "timings"), "timings are not part of the content");
    free(ta);
    free(tb);
    /* and the exports are byte-identical */
    char dir_a[300], dir_b[300], f1[400], f2[400];
    static char c1[8192], c2[8192];
    path_of(dir_a, sizeof dir_a, "ea");
    path_of(dir_b, sizeof dir_b, "eb");
    cr_assert_eq(mkdir(dir_a, 0777), 0);
    cr_assert_eq(mkdir(dir_b, 0777), 0);
    cr_assert_eq(fsn_store_export(a, dir_a, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(fsn_store_export(b, dir_b, &err), FSN_OK, "%s", err.msg);
    const char *files[] = {"runs.csv", "points.csv"};
    for (int i = 0; i < 2; i++) {
        snprintf(f1, sizeof f1, "%s/%s", dir_a, files[i]);
        snprintf(f2, sizeof f2, "%s/%s", dir_b, files[i]);
        slurp(f1, c1, sizeof c1);
        slurp(f2, c2, sizeof c2);
        cr_assert_str_eq(c1, c2);
    }
    fsn_store_close(a);
    fsn_store_close(b);
}

Test(store, the_exports_have_the_documented_layout) {
    fill("a.db", in_order, 5);
    char db[300], dir[300], f[400];
    static char c[8192];
    path_of(db, sizeof db, "a.db");
    path_of(dir, sizeof dir, "e");
    cr_assert_eq(mkdir(dir, 0777), 0);
    fsn_store_t *s;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_store_open_readonly(db, &s, &err), FSN_OK);
    cr_assert_eq(fsn_store_export(s, dir, &err), FSN_OK, "%s", err.msg);
    fsn_store_close(s);
    snprintf(f, sizeof f, "%s/runs.csv", dir);
    slurp(f, c, sizeof c);
    cr_assert_str_eq(c, "point,rep,seed,events,campaign.g.conversion_rate,pay.wechat.order_share\n"
                        "0,0,42,0,0,0.5\n"
                        "0,1,42,1,0.01,\n"
                        "1,0,42,100,0.1,0.5\n"
                        "1,1,42,101,0.11,\n"
                        "2,0,42,200,0.2,0.5\n");
    snprintf(f, sizeof f, "%s/points.csv", dir);
    slurp(f, c, sizeof c);
    const char *head = "point,campaigns[0].group.size,behaviour.sharing.click.private,reps,"
                       "campaign.g.conversion_rate.mean,campaign.g.conversion_rate.ci_lo,campaign.g.conversion_rate.ci_hi,"
                       "pay.wechat.order_share.mean,pay.wechat.order_share.ci_lo,pay.wechat.order_share.ci_hi\n";
    cr_assert(!strncmp(c, head, strlen(head)), "%s", c);
    /* point 2: one run, the interval is the mean itself */
    cr_assert(strstr(c, "\n2,4,0.4,1,0.2,0.2,0.2,0.5,0.5,0.5\n"), "%s", c);
    /* point 0: two runs; the order share has one finite value */
    cr_assert(strstr(c, "\n0,2,0.2,2,0.005,"), "%s", c);
}

Test(store, an_existing_store_with_runs_is_not_overwritten) {
    fill("a.db", in_order, 2);
    char db[300];
    path_of(db, sizeof db, "a.db");
    fsn_store_spec_t sp = spec();
    fsn_store_t *s = NULL;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_store_create(db, &sp, &s, &err), FSN_ESTATE);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, "--resume"), "%s", err.msg);
    cr_assert(strstr(err.msg, "2 runs"), "%s", err.msg);
}

Test(store, resume_needs_the_same_sweep_and_reports_what_is_done) {
    fill("a.db", in_order, 3);
    char db[300];
    path_of(db, sizeof db, "a.db");
    fsn_store_t *s = NULL;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_store_open_resume(db, "other", &s, &err), FSN_ESTATE);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, "another sweep"), "%s", err.msg);
    cr_assert_eq(fsn_store_open_resume(db, "abc123", &s, &err), FSN_OK, "%s", err.msg);
    uint8_t done[6];
    uint64_t n;
    cr_assert_eq(fsn_store_done(s, done, &n, &err), FSN_OK);
    cr_assert_eq(n, 3);
    const uint8_t want[6] = {1, 1, 1, 0, 0, 0};
    cr_assert_arr_eq(done, want, 6);
    double m[2] = {1, 2};
    cr_assert_eq(fsn_store_put_run(s, 1, 1, 7, m, 0.5, &err), FSN_OK);
    /* a unit already stored cannot be stored twice */
    cr_assert_eq(fsn_store_put_run(s, 0, 0, 7, m, 0.5, &err), FSN_EIO);
    fsn_store_close(s);
    cr_assert_eq(fsn_store_open_readonly(db, &s, &err), FSN_OK);
    cr_assert_eq(fsn_store_run_count(s, &n, &err), FSN_OK);
    cr_assert_eq(n, 4);
    fsn_store_close(s);
}

Test(store, a_file_that_is_not_a_store_is_refused_by_name) {
    char p[300];
    path_of(p, sizeof p, "junk.db");
    FILE *f = fopen(p, "w");
    fputs("not sqlite at all, just text\n", f);
    fclose(f);
    fsn_store_t *s = NULL;
    fsn_error_t err = {0};
    cr_assert_neq(fsn_store_open_readonly(p, &s, &err), FSN_OK);
    cr_assert(strstr(err.msg, "junk.db"), "%s", err.msg);
    path_of(p, sizeof p, "missing.db");
    cr_assert_eq(fsn_store_open_readonly(p, &s, &err), FSN_EIO);
    cr_assert(strstr(err.msg, "missing.db"), "%s", err.msg);
}
