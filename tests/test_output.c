/*
 * test_output.c: the run's files are atomic, deterministic and say what
 * the result holds.
 *
 * The writers get a small result built by hand, so every expected number
 * is known; summary.json is read back with cJSON (a real parser: the file
 * must be valid JSON) and its statistics compared with
 * fsn_stats_summarize on the same values. Traces come from a real run of
 * a small world through the run hooks.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fission/graph.h"
#include "fission/output.h"
#include "fission/run.h"
#include "fission/stats.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static char *temp_dir(void) {
    char tmpl[] = "/tmp/fsn_output_XXXXXX";
    char *d = mkdtemp(tmpl);
    cr_assert_not_null(d, "mkdtemp: %s", strerror(errno));
    return strdup(d);
}

static char *join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* The whole file (NUL-terminated), or NULL if it cannot be read. */
static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n < 2) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static char *slurp_in(const char *dir, const char *name) {
    char *p = join(dir, name);
    char *s = slurp(p, NULL);
    cr_assert_not_null(s, "cannot read %s", p);
    free(p);
    return s;
}

/* Entries of dir other than . and .. */
static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "opendir %s", dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

/* Entries of dir whose name contains s. */
static int count_containing(const char *dir, const char *s) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "opendir %s", dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, s)) n++;
    closedir(d);
    return n;
}

static size_t count_lines(const char *s) {
    size_t n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Remove a directory tree made by a test (two levels are enough). */
static void rm_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        unlink(dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *p = join(dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) rm_tree(p);
        else unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

/*
 * A result by hand: 4 replicates of which 3 are done (replicate 3 is
 * not: its values are large so that counting it would show), three
 * metrics ("alpha"; a name with a quote and a backslash, with one NaN;
 * "empty", all NaN), 2 campaigns, 3 bins, and series count
 * 100 r + 10 c + 3 s + b.
 */
enum { R = 4, M = 3, C = 2, B = 3 };
static const char *const camp_names[C] = {"link", "group"};

static void hand_result(fsn_run_result_t *res) {
    memset(res, 0, sizeof *res);
    res->reps = R;
    res->nmetrics = M;
    res->names = calloc(M, sizeof *res->names);
    strcpy(res->names[0], "alpha");
    strcpy(res->names[1], "we\"ird\\name");
    strcpy(res->names[2], "empty");
    static const double v[R][M] = {{1, 10, NAN}, {2, NAN, NAN}, {4, 30, NAN}, {100, 1000, NAN}};
    res->values = malloc(sizeof v);
    memcpy(res->values, v, sizeof v);
    res->ncamps = C;
    res->nbins = B;
    res->series = calloc((size_t)R * C * FSN_SERIES_COUNT * B, sizeof *res->series);
    for (uint32_t r = 0; r < R; r++)
        for (size_t c = 0; c < C; c++)
            for (int s = 0; s < FSN_SERIES_COUNT; s++)
                for (size_t b = 0; b < B; b++)
                    res->series[((r * C + c) * FSN_SERIES_COUNT + (size_t)s) * B + b] =
                        (uint32_t)(100 * r + 10 * c + 3 * (uint32_t)s + b);
    res->events = calloc(R, sizeof *res->events);
    res->done = calloc(R, 1);
    for (uint32_t r = 0; r < R; r++) {
        res->events[r] = 11 + r;
        res->done[r] = r < 3;
    }
    res->reps_done = 3;
    res->interrupted = 1;
    res->seconds = 1.25;
    res->threads = 2;
}

static fsn_run_meta_t hand_meta(void) {
    fsn_run_meta_t m = {.scenario_path = "runs/\"odd\" name\\a.json",
                        .scenario_json = "{\"a\": [1, 2], \"b\": {\"c\": \"d\"}}",
                        .version = "0.1.0",
                        .git_rev = "abc1234",
                        .seed = 18446744073709551615ull,
                        .bin_hours = 0.5,
                        .campaign_names = camp_names};
    return m;
}

static cJSON *read_json(const char *dir, const char *name) {
    char *s = slurp_in(dir, name);
    cJSON *j = cJSON_Parse(s);
    cr_assert_not_null(j, "%s is not valid JSON:\n%s", name, s);
    free(s);
    return j;
}

static double num(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsNumber(v), "%s is not a number", key);
    return v->valuedouble;
}

/* ------------------------------------------------------------------ */
/* Atomic files and directories                                       */
/* ------------------------------------------------------------------ */

Test(output, an_atomic_write_replaces_the_content_and_leaves_no_temporary) {
    char *d = temp_dir();
    char *p = join(d, "x.json");
    fsn_error_t err = {0};
    cr_assert_eq(fsn_write_atomic(p, "first version\n", 14, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(fsn_write_atomic(p, "second", 6, &err), FSN_OK, "%s", err.msg);
    size_t len;
    char *s = slurp(p, &len);
    cr_assert_not_null(s);
    cr_assert_eq(len, 6);
    cr_assert_str_eq(s, "second");
    cr_assert_eq(count_entries(d), 1, "a temporary was left behind");
    free(s);
    rm_tree(d);
    free(p);
    free(d);
}

Test(output, writing_into_a_missing_directory_fails_naming_the_path_and_leaves_nothing) {
    char *d = temp_dir();
    char *p = join(d, "missing/x.json");
    fsn_error_t err = {0};
    cr_assert_eq(fsn_write_atomic(p, "data", 4, &err), FSN_EIO);
    cr_assert(strstr(err.msg, p), "message does not name the path: %s", err.msg);
    cr_assert(strstr(err.msg, strerror(ENOENT)), "message does not give the reason: %s", err.msg);
    cr_assert_eq(count_entries(d), 0);

    /* the writers say which file too */
    fsn_run_result_t res;
    hand_result(&res);
    fsn_run_meta_t meta = hand_meta();
    char *missing = join(d, "missing");
    fsn_error_clear(&err);
    cr_assert_eq(fsn_output_summary(missing, &res, &meta, &err), FSN_EIO);
    cr_assert(strstr(err.msg, "missing/summary.json"), "%s", err.msg);
    fsn_error_clear(&err);
    cr_assert_eq(fsn_output_replicates(missing, &res, &err), FSN_EIO);
    cr_assert(strstr(err.msg, "missing/replicates.csv"), "%s", err.msg);
    fsn_error_clear(&err);
    cr_assert_eq(fsn_output_timeseries(missing, &res, &meta, FSN_SERIES_MEAN, &err), FSN_EIO);
    cr_assert(strstr(err.msg, "missing/timeseries.csv"), "%s", err.msg);
    cr_assert_eq(count_entries(d), 0);
    fsn_run_result_destroy(&res);
    rm_tree(d);
    free(missing);
    free(p);
    free(d);
}

Test(output, writing_under_a_regular_file_fails_and_leaves_the_file_as_it_was) {
    char *d = temp_dir();
    char *f = join(d, "somefile");
    fsn_error_t err = {0};
    cr_assert_eq(fsn_write_atomic(f, "keep", 4, &err), FSN_OK, "%s", err.msg);
    char *p = join(f, "x.json");
    cr_assert_eq(fsn_write_atomic(p, "data", 4, &err), FSN_EIO);
    cr_assert(strstr(err.msg, p), "message does not name the path: %s", err.msg);
    cr_assert(strstr(err.msg, strerror(ENOTDIR)), "message does not give the reason: %s", err.msg);
    char *s = slurp(f, NULL);
    cr_assert_str_eq(s, "keep");
    cr_assert_eq(count_entries(d), 1);
    free(s);
    rm_tree(d);
    free(p);
    free(f);
    free(d);
}

/* Files may not grow past limit bytes (a full disk, as far as write can tell). */
static struct rlimit limit_file_size(rlim_t limit) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = limit;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    return old;
}

Test(output, a_write_that_runs_out_of_space_fails_and_leaves_the_old_file) {
    char *d = temp_dir();
    char *p = join(d, "x.json");
    fsn_error_t err = {0};
    cr_assert_eq(fsn_write_atomic(p, "old", 3, &err), FSN_OK, "%s", err.msg);
    size_t n = 100000;
    char *big = malloc(n);
    memset(big, 'x', n);
    struct rlimit old = limit_file_size(4096);
    fsn_err_t rc = fsn_write_atomic(p, big, n, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    cr_assert_eq(rc, FSN_EIO);
    cr_assert(strstr(err.msg, p), "%s", err.msg);
    cr_assert(strstr(err.msg, strerror(EFBIG)), "%s", err.msg);
    char *s = slurp(p, NULL);
    cr_assert_str_eq(s, "old");
    cr_assert_eq(count_entries(d), 1, "a temporary was left behind");
    free(s);
    free(big);
    rm_tree(d);
    free(p);
    free(d);
}

Test(output, writing_into_a_read_only_directory_fails_and_leaves_nothing) {
    if (geteuid() == 0) cr_skip_test("root writes into read-only directories");
    char *d = temp_dir();
    cr_assert_eq(chmod(d, 0555), 0);
    char *p = join(d, "x.json");
    fsn_error_t err = {0};
    cr_assert_eq(fsn_write_atomic(p, "data", 4, &err), FSN_EIO);
    cr_assert(strstr(err.msg, p), "%s", err.msg);
    cr_assert_eq(count_entries(d), 0);
    chmod(d, 0755);
    fsn_error_clear(&err);
    cr_assert_eq(chmod(d, 0555), 0);
    cr_assert_eq(fsn_output_dir(d, &err), FSN_EIO, "a read-only directory passed");
    cr_assert(strstr(err.msg, d), "%s", err.msg);
    chmod(d, 0755);
    rm_tree(d);
    free(p);
    free(d);
}

Test(output, the_output_directory_is_made_with_its_parents_or_refused_under_a_file) {
    char *d = temp_dir();
    char *deep = join(d, "a/b//c/");
    fsn_error_t err = {0};
    cr_assert_eq(fsn_output_dir(deep, &err), FSN_OK, "%s", err.msg);
    struct stat st;
    char *abc = join(d, "a/b/c");
    cr_assert_eq(stat(abc, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(fsn_output_dir(deep, &err), FSN_OK, "an existing directory is refused: %s", err.msg);

    char *f = join(d, "plain");
    cr_assert_eq(fsn_write_atomic(f, "x", 1, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(fsn_output_dir(f, &err), FSN_EIO, "a regular file passed as a directory");
    cr_assert(strstr(err.msg, f), "%s", err.msg);
    char *under = join(f, "sub");
    cr_assert_eq(fsn_output_dir(under, &err), FSN_EIO);
    cr_assert(strstr(err.msg, under), "%s", err.msg);
    cr_assert(strstr(err.msg, strerror(ENOTDIR)), "%s", err.msg);
    rm_tree(d);
    free(under);
    free(f);
    free(abc);
    free(deep);
    free(d);
}

/* ------------------------------------------------------------------ */
/* summary.json                                                       */
/* ------------------------------------------------------------------ */

static void check_stat(const cJSON *m, const double *x, size_t n) {
    double scratch[8];
    fsn_summary_t s;
    fsn_stats_summarize(x, n, scratch, &s);
    cr_assert_eq(num(m, "n"), (double)n);
    cr_assert_eq(num(m, "mean"), s.mean);
    cr_assert_eq(num(m, "sd"), s.sd);
    cr_assert_eq(num(m, "se"), s.se);
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "ci95");
    cr_assert(cJSON_IsArray(ci) && cJSON_GetArraySize(ci) == 2);
    cr_assert_eq(cJSON_GetArrayItem(ci, 0)->valuedouble, s.ci_lo);
    cr_assert_eq(cJSON_GetArrayItem(ci, 1)->valuedouble, s.ci_hi);
    cr_assert_eq(num(m, "min"), s.min);
    cr_assert_eq(num(m, "p05"), s.p05);
    cr_assert_eq(num(m, "p50"), s.p50);
    cr_assert_eq(num(m, "p95"), s.p95);
    cr_assert_eq(num(m, "max"), s.max);
}

Test(output, the_summary_has_the_statistics_of_the_done_replicates_skipping_nan) {
    char *d = temp_dir();
    fsn_run_result_t res;
    hand_result(&res);
    fsn_run_meta_t meta = hand_meta();
    fsn_error_t err = {0};
    cr_assert_eq(fsn_output_summary(d, &res, &meta, &err), FSN_OK, "%s", err.msg);
    cJSON *j = read_json(d, "summary.json");

    const cJSON *fis = cJSON_GetObjectItemCaseSensitive(j, "fission");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(fis, "version")->valuestring, "0.1.0");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(fis, "git_rev")->valuestring, "abc1234");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "scenario_path")->valuestring, meta.scenario_path);
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(j, "replicates");
    cr_assert_eq(num(rep, "requested"), 4);
    cr_assert_eq(num(rep, "done"), 3);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "interrupted")));
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(j, "scenario");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sc, "a")), 2);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sc, "b"), "c")->valuestring,
                     "d");

    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(j, "metrics");
    cr_assert_eq(cJSON_GetArraySize(ms), 3);
    /* in the result's order */
    cr_assert_str_eq(cJSON_GetArrayItem(ms, 0)->string, "alpha");
    cr_assert_str_eq(cJSON_GetArrayItem(ms, 1)->string, "we\"ird\\name");
    cr_assert_str_eq(cJSON_GetArrayItem(ms, 2)->string, "empty");
    /* replicate 3 is not done: 100 and 1000 must not count */
    check_stat(cJSON_GetObjectItemCaseSensitive(ms, "alpha"), (const double[]){1, 2, 4}, 3);
    check_stat(cJSON_GetObjectItemCaseSensitive(ms, "we\"ird\\name"), (const double[]){10, 30}, 2);
    cr_assert_eq(num(cJSON_GetObjectItemCaseSensitive(ms, "alpha"), "mean"), 7.0 / 3.0);

    const cJSON *e = cJSON_GetObjectItemCaseSensitive(ms, "empty");
    cr_assert_eq(num(e, "n"), 0);
    const char *keys[] = {"mean", "sd", "se", "min", "p05", "p50", "p95", "max"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, keys[k])), "%s is not null", keys[k]);
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(e, "ci95");
    cr_assert(cJSON_IsNull(cJSON_GetArrayItem(ci, 0)) && cJSON_IsNull(cJSON_GetArrayItem(ci, 1)));

    /* the seed is an exact integer in the text (a double cannot hold it) */
    char *s = slurp_in(d, "summary.json");
    cr_assert(strstr(s, "\"seed\": 18446744073709551615,"), "%s", s);
    cr_assert(strstr(s, "\"scenario\": {\"a\": [1, 2], \"b\": {\"c\": \"d\"}}"), "scenario not verbatim:\n%s", s);
    cr_assert_null(strstr(s, "seconds"));
    cr_assert_null(strstr(s, "threads"));
    cr_assert_eq(count_entries(d), 1, "a temporary was left behind");
    free(s);
    cJSON_Delete(j);
    fsn_run_result_destroy(&res);
    rm_tree(d);
    free(d);
}

Test(output, a_missing_scenario_and_version_are_written_as_null) {
    char *d = temp_dir();
    fsn_run_result_t res;
    hand_result(&res);
    fsn_run_meta_t meta = {.bin_hours = 1};
    fsn_error_t err = {0};
    cr_assert_eq(fsn_output_summary(d, &res, &meta, &err), FSN_OK, "%s", err.msg);
    cJSON *j = read_json(d, "summary.json");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "scenario")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "scenario_path")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "fission"), "version")));
    cJSON_Delete(j);
    fsn_run_result_destroy(&res);
    rm_tree(d);
    free(d);
}

Test(output, the_same_inputs_give_byte_identical_files_whatever_the_wall_time_and_threads) {
    char *d1 = temp_dir(), *d2 = temp_dir();
    fsn_run_result_t res;
    hand_result(&res);
    fsn_run_meta_t meta = hand_meta();
    fsn_error_t err = {0};
    const char *files[] = {"summary.json", "replicates.csv", "timeseries.csv"};
    for (int k = 0; k < 2; k++) {
        const char *d = k ? d2 : d1;
        res.seconds = k ? 99.5 : 0.125;
        res.threads = k ? 8 : 1;
        cr_assert_eq(fsn_output_summary(d, &res, &meta, &err), FSN_OK, "%s", err.msg);
        cr_assert_eq(fsn_output_replicates(d, &res, &err), FSN_OK, "%s", err.msg);
        cr_assert_eq(fsn_output_timeseries(d, &res, &meta, FSN_SERIES_MEAN, &err), FSN_OK, "%s", err.msg);
    }
    for (size_t f = 0; f < 3; f++) {
        char *p1 = join(d1, files[f]), *p2 = join(d2, files[f]);
        size_t n1, n2;
        char *a = slurp(p1, &n1), *b = slurp(p2, &n2);
        cr_assert(a && b);
        cr_assert_eq(n1, n2, "%s differs in length", files[f]);
        cr_assert_eq(memcmp(a, b, n1), 0, "%s differs", files[f]);
        free(a);
        free(b);
        free(p1);
        free(p2);
    }
    fsn_run_result_destroy(&res);
    rm_tree(d1);
    rm_tree(d2);
    free(d1);
    free(d2);
}

/* ------------------------------------------------------------------ */
/* replicates.csv and timeseries.csv                                  */
/* ------------------------------------------------------------------ */

Test(output, replicates_csv_has_the_header_and_one_row_per_done_replicate) {
    char *d = temp_dir();
    fsn_run_result_t res;
    hand_result(&res);
    res.values[2 * M + 0] = 0.1;    /* printed shortest: 0.1 */
    res.values[2 * M + 2] = -INFINITY;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_output_replicates(d, &res, &err), FSN_OK, "%s", err.msg);
    char *s = slurp_in(d, "replicates.csv");
    cr_assert_str_eq(s,
                     "replicate,events,alpha,\"we\"\"ird\\name\",empty\n"
                     "0,11,1,10,\n"
                     "1,12,2,,\n"
                     "2,13,0.1,30,-inf\n");
    cr_assert_eq(count_entries(d), 1);
    free(s);
    fsn_run_result_destroy(&res);
    rm_tree(d);
    free(d);
}

/* The line of s that starts with prefix (copied), or NULL. */
static char *line_with(const char *s, const char *prefix) {
    size_t n = strlen(prefix);
    for (const char *p = s; *p;) {
        const char *e = strchr(p, '\n');
        if (!e) e = p + strlen(p);
        if ((size_t)(e - p) >= n && !strncmp(p, prefix, n)) return strndup(p, (size_t)(e - p));
        p = *e ? e + 1 : e;
    }
    return NULL;
}

Test(output, the_mean_time_series_has_the_mean_and_interval_of_each_bin) {
    char *d = temp_dir();
    fsn_run_result_t res;
    hand_result(&res);
    fsn_run_meta_t meta = hand_meta();
    fsn_error_t err = {0};
    cr_assert_eq(fsn_output_timeseries(d, &res, &meta, FSN_SERIES_MEAN, &err), FSN_OK, "%s", err.msg);
    char *s = slurp_in(d, "timeseries.csv");
    cr_assert_eq(strncmp(s, "campaign,series,bin,t_start,t_end,mean,ci95_lo,ci95_hi\n", 55), 0, "%s", s);
    cr_assert_eq(count_lines(s), 1 + C * FSN_SERIES_COUNT * B);
    /* group (c = 1), orders (s = 2), bin 1: 100 r + 10 + 6 + 1 over r = 0, 1, 2 */
    char *l = line_with(s, "group,orders,1,");
    cr_assert_not_null(l, "%s", s);
    double x[3] = {17, 117, 217}, scratch[3];
    fsn_summary_t st;
    fsn_stats_summarize(x, 3, scratch, &st);
    double mean, lo, hi, t0, t1;
    cr_assert_eq(sscanf(l, "group,orders,1,%lf,%lf,%lf,%lf,%lf", &t0, &t1, &mean, &lo, &hi), 5, "%s", l);
    cr_assert_eq(t0, 0.5);
    cr_assert_eq(t1, 1.0);
    cr_assert_eq(mean, 117);
    cr_assert_eq(lo, st.ci_lo);
    cr_assert_eq(hi, st.ci_hi);
    cr_assert_lt(lo, 117);
    free(l);
    l = line_with(s, "link,exposed,0,");
    cr_assert_not_null(l);
    cr_assert(!strncmp(l, "link,exposed,0,0,0.5,100,", 25), "%s", l);
    free(l);
    free(s);

    /* no replicate done: the statistics are empty fields */
    memset(res.done, 0, R);
    cr_assert_eq(fsn_output_timeseries(d, &res, &meta, FSN_SERIES_MEAN, &err), FSN_OK, "%s", err.msg);
    s = slurp_in(d, "timeseries.csv");
    l = line_with(s, "group,shares,2,");
    cr_assert_str_eq(l, "group,shares,2,1,1.5,,,");
    free(l);
    free(s);

    meta.bin_hours = 0;
    cr_assert_eq(fsn_output_timeseries(d, &res, &meta, FSN_SERIES_MEAN, &err), FSN_EINVAL);
    cr_assert_eq(count_entries(d), 1);
    fsn_run_result_destroy(&res);
    rm_tree(d);
    free(d);
}

Test(output, the_per_replicate_time_series_has_a_row_per_done_replicate_campaign_series_and_bin) {
    char *d = temp_dir();
    fsn_run_result_t res;
    hand_result(&res);
    fsn_run_meta_t meta = hand_meta();
    fsn_error_t err = {0};
    cr_assert_eq(fsn_output_timeseries(d, &res, &meta, FSN_SERIES_PER_REPLICATE, &err), FSN_OK, "%s", err.msg);
    char *s = slurp_in(d, "timeseries.csv");
    cr_assert_eq(strncmp(s, "replicate,campaign,series,bin,t_start,t_end,count\n", 50), 0, "%s", s);
    cr_assert_eq(count_lines(s), 1 + 3 * C * FSN_SERIES_COUNT * B);
    char *l = line_with(s, "2,group,participants,2,");
    cr_assert_str_eq(l, "2,group,participants,2,1,1.5,215");
    free(l);
    cr_assert_null(strstr(s, "\n3,"), "replicate 3 is not done");
    free(s);
    fsn_run_result_destroy(&res);
    rm_tree(d);
    free(d);
}

/* ------------------------------------------------------------------ */
/* Traces                                                             */
/* ------------------------------------------------------------------ */

static fsn_csr_t g;

static void build(void) {
    fsn_wechat_params_t p;
    fsn_wechat_params_default(&p, 300);
    p.seed = 5;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_wechat_generate(&g, NULL, &p, &err), FSN_OK, "%s", err.msg);
}

static void teardown(void) { fsn_csr_destroy(&g); }

enum { TR = 5 };

/* The end hook with replicate `fail` failing. */
typedef struct failing {
    fsn_trace_t *t;
    uint32_t fail;
} failing_t;

static fsn_err_t begin_wrap(void *ctx, uint32_t rep, fsn_world_t *w, fsn_error_t *err) {
    return fsn_trace_begin(((failing_t *)ctx)->t, rep, w, err);
}

static fsn_err_t end_wrap(void *ctx, uint32_t rep, fsn_world_t *w, fsn_err_t rc, fsn_error_t *err) {
    failing_t *f = ctx;
    return fsn_trace_end(f->t, rep, w, rep == f->fail ? FSN_EIO : rc, err);
}

/* Run TR replicates of two campaigns on g with a trace into dir. */
static void run_traced(const char *dir, uint32_t threads, int fail_one, fsn_run_result_t *res) {
    fsn_attr_params_t ap;
    fsn_attr_params_default(&ap);
    fsn_world_params_t wp;
    fsn_world_params_default(&wp);
    wp.horizon = 72;
    fsn_campaign_t c[2];
    fsn_campaign_default(&c[0], FSN_CAMP_GROUP);
    fsn_campaign_default(&c[1], FSN_CAMP_REDPACKET);
    c[0].seeding.count = c[1].seeding.count = 10;
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = TR;
    cfg.seed = 77;
    cfg.threads = threads;
    fsn_error_t err = {0};
    fsn_trace_t *t = fsn_trace_new(dir, TR, &err);
    cr_assert_not_null(t, "%s", err.msg);
    failing_t f = {t, fail_one ? 1u : UINT32_MAX};
    fsn_run_hooks_t hk = {.ctx = t, .begin = fsn_trace_begin, .end = fsn_trace_end};
    if (fail_one) hk = (fsn_run_hooks_t){.ctx = &f, .begin = begin_wrap, .end = end_wrap};
    cr_assert_eq(fsn_run_campaigns_hooked(&g, &ap, &wp, c, 2, &cfg, 0, &hk, res, &err), FSN_OK, "%s", err.msg);
    fsn_trace_free(t);
}

static char *trace_path(const char *dir, uint32_t r) {
    char name[64];
    snprintf(name, sizeof name, "trace/rep-%06u.csv", r);
    return join(dir, name);
}

TestSuite(trace, .init = build, .fini = teardown);

Test(trace, each_replicate_has_a_file_with_one_row_per_event) {
    char *d = temp_dir();
    fsn_run_result_t res;
    run_traced(d, 2, 0, &res);
    char *td = join(d, "trace");
    cr_assert_eq(count_entries(td), TR);
    cr_assert_eq(count_containing(td, ".tmp"), 0, "a temporary was left behind");
    for (uint32_t r = 0; r < TR; r++) {
        char *p = trace_path(d, r);
        char *s = slurp(p, NULL);
        cr_assert_not_null(s, "no trace %s", p);
        cr_assert_eq(strncmp(s, "time,event,user,campaign,details\n", 33), 0, "%.80s", s);
        cr_assert_gt(res.events[r], 0);
        cr_assert_eq(count_lines(s) - 1, res.events[r], "replicate %u: %zu rows, %llu events", r,
                     count_lines(s) - 1, (unsigned long long)res.events[r]);
        /* five fields on every row; times never go back */
        size_t commas = 0;
        for (const char *q = s; *q; q++) commas += *q == ',';
        cr_assert_eq(commas, 4 * count_lines(s));
        double last = -1;
        for (const char *q = strchr(s, '\n') + 1; *q; q = strchr(q, '\n') + 1) {
            double tm = strtod(q, NULL);
            cr_assert_geq(tm, last);
            last = tm;
        }
        cr_assert(strstr(s, ",group,") && strstr(s, ",redpacket,"), "no campaign named in the rows");
        free(s);
        free(p);
    }
    fsn_run_result_destroy(&res);
    rm_tree(d);
    free(td);
    free(d);
}

Test(trace, traces_are_identical_for_one_and_two_threads) {
    char *d1 = temp_dir(), *d2 = temp_dir();
    fsn_run_result_t a, b;
    run_traced(d1, 1, 0, &a);
    run_traced(d2, 2, 0, &b);
    for (uint32_t r = 0; r < TR; r++) {
        cr_assert_eq(a.events[r], b.events[r]);
        char *p1 = trace_path(d1, r), *p2 = trace_path(d2, r);
        size_t n1, n2;
        char *s1 = slurp(p1, &n1), *s2 = slurp(p2, &n2);
        cr_assert(s1 && s2);
        cr_assert_eq(n1, n2, "replicate %u: traces differ in length", r);
        cr_assert_eq(memcmp(s1, s2, n1), 0, "replicate %u: traces differ", r);
        free(s1);
        free(s2);
        free(p1);
        free(p2);
    }
    fsn_run_result_destroy(&a);
    fsn_run_result_destroy(&b);
    rm_tree(d1);
    rm_tree(d2);
    free(d1);
    free(d2);
}

Test(trace, a_failed_replicate_leaves_no_trace_file) {
    char *d = temp_dir();
    fsn_run_result_t res;
    run_traced(d, 2, 1, &res);
    char *td = join(d, "trace");
    cr_assert_eq(count_entries(td), TR - 1);
    char *p = trace_path(d, 1);
    cr_assert_neq(access(p, F_OK), 0, "replicate 1's trace survived its failure");
    free(p);
    p = trace_path(d, 0);
    cr_assert_eq(access(p, F_OK), 0);
    free(p);
    fsn_run_result_destroy(&res);
    rm_tree(d);
    free(td);
    free(d);
}

Test(trace, a_trace_that_runs_out_of_space_fails_the_run_and_leaves_no_file) {
    char *d = temp_dir();
    fsn_attr_params_t ap;
    fsn_attr_params_default(&ap);
    fsn_world_params_t wp;
    fsn_world_params_default(&wp);
    wp.horizon = 72;
    fsn_campaign_t c;
    fsn_campaign_default(&c, FSN_CAMP_GROUP);
    fsn_run_cfg_t cfg;
    fsn_run_cfg_default(&cfg);
    cfg.reps = 2;
    cfg.threads = 1;
    fsn_error_t err = {0};
    fsn_trace_t *t = fsn_trace_new(d, 2, &err);
    cr_assert_not_null(t, "%s", err.msg);
    fsn_run_hooks_t hk = {.ctx = t, .begin = fsn_trace_begin, .end = fsn_trace_end};
    fsn_run_result_t res;
    struct rlimit old = limit_file_size(2048);
    fsn_err_t rc = fsn_run_campaigns_hooked(&g, &ap, &wp, &c, 1, &cfg, 0, &hk, &res, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    fsn_trace_free(t);
    cr_assert_eq(rc, FSN_EIO, "the run passed: %s", err.msg);
    cr_assert(strstr(err.msg, "rep-000000.csv"), "%s", err.msg);
    cr_assert(strstr(err.msg, strerror(EFBIG)), "%s", err.msg);
    char *td = join(d, "trace");
    cr_assert_eq(count_entries(td), 0, "a trace or a temporary was left behind");
    rm_tree(d);
    free(td);
    free(d);
}

Test(trace, a_replicate_out_of_range_or_open_twice_is_refused_and_an_unended_one_leaves_nothing) {
    char *d = temp_dir();
    fsn_error_t err = {0};
    fsn_trace_t *t = fsn_trace_new(d, 2, &err);
    cr_assert_not_null(t, "%s", err.msg);
    fsn_users_t u;
    cr_assert_eq(fsn_users_init(&u, g.n, &err), FSN_OK, "%s", err.msg);
    fsn_world_params_t wp;
    fsn_world_params_default(&wp);
    fsn_campaign_t c;
    fsn_campaign_default(&c, FSN_CAMP_LINK);
    cr_assert_eq(fsn_world_params_check(&wp, &c, 1, &g, &err), FSN_OK, "%s", err.msg);
    fsn_world_t *w = fsn_world_new(&g, &u, &wp, &c, 1, &err);
    cr_assert_not_null(w, "%s", err.msg);
    cr_assert_eq(fsn_trace_begin(t, 2, w, &err), FSN_EINVAL);
    cr_assert(strstr(err.msg, "replicate 2"), "%s", err.msg);
    cr_assert_eq(fsn_trace_begin(t, 1, w, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(fsn_trace_begin(t, 1, w, &err), FSN_ESTATE, "a replicate was opened twice");
    /* freed while open: the temporary goes */
    fsn_world_free(w);
    fsn_users_destroy(&u);
    fsn_trace_free(t);
    char *td = join(d, "trace");
    cr_assert_eq(count_entries(td), 0);
    rm_tree(d);
    free(td);
    free(d);
}
