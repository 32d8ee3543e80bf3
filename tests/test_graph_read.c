/*
 * test_graph_read.c: the edge-list and GraphML readers.
 *
 * Good fixtures are checked for n, m, degrees, labels and tie strengths;
 * every bad fixture for its return code and for a message that starts
 * with "PATH:LINE: " at the exact line of the fault.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fission/graph.h"

#define GRAPHS FISSION_TEST_DATA "/graphs/"

static char path_buf[4096];

static const char *fixture(const char *name) {
    snprintf(path_buf, sizeof path_buf, "%s%s", GRAPHS, name);
    return path_buf;
}

/* Tie strength between users u and v, which must be tied. */
static int tie_of(const fsn_csr_t *g, fsn_vid_t u, fsn_vid_t v) {
    int64_t i = fsn_csr_find(g, u, v);
    cr_assert_geq(i, 0, "users %u and %u are not tied", u, v);
    int64_t j = fsn_csr_find(g, v, u);
    cr_assert_geq(j, 0, "tie %u-%u is stored one way only", u, v);
    cr_assert_eq(g->tie[i], g->tie[j], "the two directions of %u-%u disagree", u, v);
    cr_assert_eq(g->kind[i], FSN_TIE_OTHER);
    return g->tie[i];
}

static void read_ok(fsn_csr_t *g, const char *name) {
    fsn_error_t err = {0};
    fsn_err_t rc = fsn_graph_read(g, fixture(name), &err);
    cr_assert_eq(rc, FSN_OK, "%s: rc %d: %s", name, rc, err.msg);
    cr_assert_not_null(g->label);
}

static void expect_degrees(const fsn_csr_t *g, const uint32_t *deg) {
    for (uint32_t v = 0; v < g->n; v++)
        cr_assert_eq(fsn_csr_degree(g, v), deg[v], "degree of user %u is %u, expected %u", v,
                     fsn_csr_degree(g, v), deg[v]);
}

static void expect_labels(const fsn_csr_t *g, const uint64_t *label) {
    for (uint32_t v = 0; v < g->n; v++)
        cr_assert_eq(g->label[v], label[v], "label of user %u is %llu, expected %llu", v,
                     (unsigned long long)g->label[v], (unsigned long long)label[v]);
}

/*
 * Read path with reader fn (NULL: the dispatcher) and check that it fails
 * with code, that the message starts with "PATH:LINE: " (line 0: "PATH: ")
 * and that it contains what.
 */
typedef fsn_err_t (*reader_fn)(fsn_csr_t *, const char *, fsn_error_t *);

static void expect_error_at(reader_fn fn, const char *path, fsn_err_t code, unsigned line,
                            const char *what) {
    fsn_csr_t g;
    memset(&g, 0xab, sizeof g);
    fsn_error_t err = {0};
    fsn_err_t rc = (fn ? fn : fsn_graph_read)(&g, path, &err);
    cr_assert_eq(rc, code, "%s: rc %d, expected %d (%s)", path, rc, code, err.msg);
    cr_assert_eq(err.code, code);
    cr_assert_eq(g.n, 0);
    cr_assert_null(g.offset);
    cr_assert_null(g.label);
    char prefix[4200];
    if (line) snprintf(prefix, sizeof prefix, "%s:%u: ", path, line);
    else snprintf(prefix, sizeof prefix, "%s: ", path);
    cr_assert_eq(strncmp(err.msg, prefix, strlen(prefix)), 0, "message '%s' does not start with '%s'",
                 err.msg, prefix);
    cr_assert_not_null(strstr(err.msg, what), "message '%s' does not say '%s'", err.msg, what);
    cr_assert_null(strchr(err.msg, '\n'), "message '%s' is not one line", err.msg);
}

static void expect_error(const char *name, fsn_err_t code, unsigned line, const char *what) {
    expect_error_at(NULL, fixture(name), code, line, what);
}

/* Write text (len bytes) to a file named "g<suffix>" in a fresh directory
 * under the temp dir; drop_temp removes both. */
static char *temp_file(const char *suffix, const char *text, size_t len) {
    const char *dir = getenv("TMPDIR");
    char *path = malloc(4096);
    cr_assert_not_null(path);
    snprintf(path, 4096, "%s/fission_read_XXXXXX", dir && *dir ? dir : "/tmp");
    cr_assert_not_null(mkdtemp(path), "cannot create a directory like %s", path);
    size_t n = strlen(path);
    snprintf(path + n, 4096 - n, "/g%s", suffix);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return path;
}

static void drop_temp(char *path) {
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    free(path);
}

/* ---- edge lists: good files ------------------------------------------ */

Test(edgelist, reads_whitespace_separated_ids_and_keeps_them_as_labels) {
    fsn_csr_t g;
    read_ok(&g, "whitespace.txt");
    cr_assert_eq(g.n, 4);
    cr_assert_eq(g.m, 4);
    expect_degrees(&g, (const uint32_t[]){2, 2, 2, 2});
    expect_labels(&g, (const uint64_t[]){10, 20, 30, 40});
    cr_assert_eq(tie_of(&g, 0, 1), FSN_TIE_DEFAULT);
    cr_assert_eq(tie_of(&g, 3, 0), FSN_TIE_DEFAULT);
    cr_assert_lt(fsn_csr_find(&g, 0, 2), 0);
    fsn_csr_destroy(&g);
}

Test(edgelist, reads_csv_with_header_and_weights) {
    fsn_csr_t g;
    read_ok(&g, "csv_header.csv");
    cr_assert_eq(g.n, 3);
    cr_assert_eq(g.m, 3);
    expect_labels(&g, (const uint64_t[]){10, 20, 30});
    cr_assert_eq(tie_of(&g, 0, 1), 128); /* 0.5 * 255 = 127.5 rounds up */
    cr_assert_eq(tie_of(&g, 1, 2), 255);
    cr_assert_eq(tie_of(&g, 2, 0), 0);
    fsn_csr_destroy(&g);
}

Test(edgelist, reads_snap_files_with_comments_as_they_are) {
    fsn_csr_t g;
    read_ok(&g, "snap.txt");
    cr_assert_eq(g.n, 4);
    cr_assert_eq(g.m, 5);
    expect_labels(&g, (const uint64_t[]){3466, 937, 5233, 8579});
    expect_degrees(&g, (const uint32_t[]){3, 2, 3, 2});
    cr_assert_eq(tie_of(&g, 3, 0), FSN_TIE_DEFAULT);
    fsn_csr_destroy(&g);
}

Test(edgelist, turns_weights_into_rounded_tie_strengths) {
    fsn_csr_t g;
    read_ok(&g, "weights.txt");
    cr_assert_eq(g.n, 9);
    cr_assert_eq(g.m, 8);
    const int want[8] = {0, 255, 128, 64, 26, 255, FSN_TIE_DEFAULT, 51};
    for (fsn_vid_t v = 0; v < 8; v++)
        cr_assert_eq(tie_of(&g, v, v + 1), want[v], "tie %u-%u is %d, expected %d", v, v + 1,
                     tie_of(&g, v, v + 1), want[v]);
    fsn_csr_destroy(&g);
}

Test(edgelist, merges_duplicates_keeping_the_strongest_and_drops_self_loops) {
    fsn_csr_t g;
    read_ok(&g, "dups_loops.txt");
    cr_assert_eq(g.n, 3);
    cr_assert_eq(g.m, 2);
    expect_labels(&g, (const uint64_t[]){1, 2, 3});
    expect_degrees(&g, (const uint32_t[]){1, 2, 1});
    cr_assert_eq(tie_of(&g, 0, 1), 204); /* max of 0.2, 0.8 and the default */
    cr_assert_eq(tie_of(&g, 1, 2), FSN_TIE_DEFAULT);
    cr_assert_lt(fsn_csr_find(&g, 0, 0), 0);
    cr_assert_lt(fsn_csr_find(&g, 2, 2), 0);
    fsn_csr_destroy(&g);
}

Test(edgelist, accepts_crlf_line_endings) {
    fsn_csr_t g;
    read_ok(&g, "crlf.csv");
    cr_assert_eq(g.n, 3);
    cr_assert_eq(g.m, 3);
    expect_labels(&g, (const uint64_t[]){5, 6, 7});
    cr_assert_eq(tie_of(&g, 0, 1), 255);
    cr_assert_eq(tie_of(&g, 1, 2), FSN_TIE_DEFAULT);
    cr_assert_eq(tie_of(&g, 2, 0), 0);
    fsn_csr_destroy(&g);
}

Test(edgelist, reads_ids_up_to_two_to_the_63_minus_one_and_ignores_leading_zeros) {
    fsn_csr_t g;
    read_ok(&g, "big_ids.txt");
    cr_assert_eq(g.n, 3);
    cr_assert_eq(g.m, 2);
    expect_labels(&g, (const uint64_t[]){UINT64_C(9223372036854775807), 0, 7});
    fsn_csr_destroy(&g);
}

Test(edgelist, relabels_many_ids_in_order_of_first_appearance) {
    /* 50000 users on a ring, ids scattered over 2^63, every tie written
     * twice: exercises the id table's growth. */
    enum { N = 50000 };
    size_t cap = (size_t)N * 2 * 48, len = 0;
    char *text = malloc(cap);
    cr_assert_not_null(text);
    uint64_t *ids = malloc(N * sizeof *ids);
    cr_assert_not_null(ids);
    for (uint64_t i = 0; i < N; i++) ids[i] = (i * UINT64_C(0x9e3779b97f4a7c15)) >> 1;
    for (size_t i = 0; i < N; i++) {
        len += (size_t)snprintf(text + len, cap - len, "%llu %llu\n", (unsigned long long)ids[i],
                                (unsigned long long)ids[(i + 1) % N]);
    }
    for (size_t i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, cap - len, "%llu,%llu,1\n",
                                (unsigned long long)ids[(i + 1) % N], (unsigned long long)ids[i]);
    char *path = temp_file(".txt", text, len);
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_graph_read_edgelist(&g, path, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(g.n, N);
    cr_assert_eq(g.m, N);
    for (uint32_t v = 0; v < N; v++) {
        cr_assert_eq(g.label[v], ids[v]);
        cr_assert_eq(fsn_csr_degree(&g, v), 2);
    }
    cr_assert_eq(tie_of(&g, 0, 1), 255);
    fsn_csr_destroy(&g);
    drop_temp(path);
    free(ids);
    free(text);
}

Test(edgelist, reads_lines_of_any_length) {
    size_t pad = 1 << 20;
    char *text = malloc(pad + 64);
    cr_assert_not_null(text);
    text[0] = '#';
    memset(text + 1, 'x', pad);
    size_t len = pad + 1;
    len += (size_t)snprintf(text + len, 64, "\n1\t\t 2\n");
    char *path = temp_file(".txt", text, len);
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_graph_read_edgelist(&g, path, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(g.n, 2);
    cr_assert_eq(g.m, 1);
    fsn_csr_destroy(&g);
    drop_temp(path);
    free(text);
}

Test(edgelist, reads_a_last_line_without_newline) {
    char *path = temp_file(".txt", "1 2\n2 3 0.5", 11);
    fsn_csr_t g;
    fsn_error_t err = {0};
    cr_assert_eq(fsn_graph_read(&g, path, &err), FSN_OK, "%s", err.msg);
    cr_assert_eq(g.m, 2);
    cr_assert_eq(tie_of(&g, 1, 2), 128);
    fsn_csr_destroy(&g);
    drop_temp(path);
}

/* ---- edge lists: bad files ------------------------------------------- */

Test(edgelist, rejects_a_non_integer_id_naming_the_line) {
    expect_error("bad_id.txt", FSN_EPARSE, 3, "expected an integer id (digits 0-9), got 'x'");
    expect_error("bad_float_id.txt", FSN_EPARSE, 3, "got '1.5'");
}

Test(edgelist, rejects_a_negative_id) {
    expect_error("bad_negative_id.txt", FSN_EPARSE, 3, "expected a non-negative id, got '-4'");
}

Test(edgelist, rejects_an_id_above_two_to_the_63_minus_one) {
    expect_error("bad_id_too_large.txt", FSN_EPARSE, 3,
                 "expected an id at most 9223372036854775807, got '9223372036854775808'");
}

Test(edgelist, rejects_a_line_with_one_id) {
    expect_error("bad_missing_second.txt", FSN_EPARSE, 3,
                 "expected a second id after '7', got end of line");
}

Test(edgelist, rejects_more_than_three_fields) {
    expect_error("bad_too_many_fields.txt", FSN_EPARSE, 3,
                 "expected at most 3 fields (u v [w]), got 4, the 4th being '9'");
}

Test(edgelist, rejects_a_weight_that_is_not_a_number) {
    expect_error("bad_weight.txt", FSN_EPARSE, 3, "got 'heavy'");
}

Test(edgelist, rejects_a_weight_outside_zero_one) {
    expect_error("bad_weight_range.txt", FSN_EPARSE, 3, "expected a weight in [0, 1], got '1.5'");
    expect_error("bad_weight_negative.csv", FSN_EPARSE, 3,
                 "expected a weight in [0, 1], got '-0.1'");
}

Test(edgelist, rejects_a_nan_weight) {
    expect_error("bad_weight_nan.txt", FSN_EPARSE, 3, "finite number in [0, 1], got 'nan'");
}

Test(edgelist, rejects_empty_csv_fields) {
    expect_error("bad_empty_field.csv", FSN_EPARSE, 3, "expected an integer id, got an empty field");
    expect_error("bad_trailing_comma.csv", FSN_EPARSE, 3,
                 "expected a weight in [0, 1], got an empty field");
}

Test(edgelist, skips_a_header_only_on_the_first_line) {
    expect_error("bad_header_late.csv", FSN_EPARSE, 3, "got 'source'");
}

Test(edgelist, rejects_a_nul_byte) {
    expect_error("bad_nul.txt", FSN_EPARSE, 3, "got a NUL byte at column 3");
}

Test(edgelist, rejects_a_file_without_ties) {
    expect_error("empty.txt", FSN_EPARSE, 0, "no ties found");
    expect_error("comments_only.txt", FSN_EPARSE, 0, "no ties found");
    expect_error("self_loops_only.txt", FSN_EPARSE, 0, "every tie is a self-loop");
}

Test(edgelist, reports_a_file_that_does_not_exist) {
    expect_error("no_such_file.txt", FSN_EIO, 0, "cannot open: No such file or directory");
}

Test(edgelist, reports_a_directory_as_unopenable) {
    expect_error_at(fsn_graph_read_edgelist, FISSION_TEST_DATA "/graphs", FSN_EIO, 0,
                    "cannot open: Is a directory");
}

Test(edgelist, reports_the_line_of_an_error_after_crlf_lines) {
    char *path = temp_file(".csv", "u,v\r\n1,2\r\n\r\n2,3,2\r\n", 19);
    expect_error_at(fsn_graph_read_edgelist, path, FSN_EPARSE, 4,
                    "expected a weight in [0, 1], got '2'");
    drop_temp(path);
}

/* ---- GraphML ------------------------------------------------------- */

Test(graphml, reads_weights_from_the_edge_weight_key_and_its_default) {
    fsn_csr_t g;
    read_ok(&g, "weights.graphml");
    cr_assert_eq(g.n, 5);
    cr_assert_eq(g.m, 3);
    expect_labels(&g, (const uint64_t[]){0, 1, 2, 3, 4});
    expect_degrees(&g, (const uint32_t[]){1, 2, 2, 1, 0});
    cr_assert_eq(tie_of(&g, 0, 1), 255); /* 1.0 one way, 0.5 the other: the strongest */
    cr_assert_eq(tie_of(&g, 1, 2), 0);
    cr_assert_eq(tie_of(&g, 2, 3), 51); /* the key's <default> 0.2 */
    fsn_csr_destroy(&g);
}

Test(graphml, reads_edges_before_nodes_and_labels_users_by_node_order) {
    fsn_csr_t g;
    read_ok(&g, "unweighted.graphml");
    cr_assert_eq(g.n, 3);
    cr_assert_eq(g.m, 2);
    /* users in order of first mention: n2, n0, n1; labels: <node> order */
    expect_labels(&g, (const uint64_t[]){2, 0, 1});
    expect_degrees(&g, (const uint32_t[]){1, 2, 1});
    cr_assert_eq(tie_of(&g, 0, 1), FSN_TIE_DEFAULT);
    cr_assert_eq(tie_of(&g, 1, 2), FSN_TIE_DEFAULT);
    fsn_csr_destroy(&g);
}

Test(graphml, rejects_an_edge_to_an_unknown_node) {
    expect_error("bad_unknown_node.graphml", FSN_EPARSE, 7, "unknown node id 'ghost'");
}

Test(graphml, rejects_an_edge_without_source_or_target) {
    expect_error("bad_missing_source.graphml", FSN_EPARSE, 6,
                 "expected a source attribute on <edge>, got none");
    expect_error("bad_missing_target.graphml", FSN_EPARSE, 7,
                 "expected a target attribute on <edge>, got none");
}

Test(graphml, rejects_a_node_without_id) {
    expect_error("bad_missing_id.graphml", FSN_EPARSE, 5, "expected an id attribute on <node>, got none");
}

Test(graphml, rejects_a_duplicate_node_id) {
    expect_error("bad_duplicate_node.graphml", FSN_EPARSE, 6,
                 "got 'a' again (first declared on line 4)");
}

Test(graphml, reports_malformed_xml_with_libxml2s_message_and_prints_nothing,
     .init = cr_redirect_stderr) {
    expect_error("bad_malformed.graphml", FSN_EPARSE, 7, "malformed XML: ");
    expect_error("bad_malformed.graphml", FSN_EPARSE, 7, "mismatch");
    fflush(stderr);
    cr_assert_stderr_eq_str("");
}

Test(graphml, rejects_a_weight_outside_zero_one) {
    expect_error("bad_weight.graphml", FSN_EPARSE, 10,
                 "expected an edge weight in [0, 1], got '1.5'");
    expect_error("bad_default_weight.graphml", FSN_EPARSE, 4, "got 'high'");
}

Test(graphml, rejects_xml_that_is_not_graphml) {
    expect_error("bad_root.xml", FSN_EPARSE, 2, "expected a <graphml> root element, got <network>");
}

Test(graphml, rejects_a_graph_without_ties) {
    expect_error("no_edges.graphml", FSN_EPARSE, 0, "no ties found");
}

Test(graphml, reports_a_file_that_does_not_exist) {
    expect_error("no_such_file.graphml", FSN_EIO, 0, "cannot open: No such file or directory");
}

Test(graphml, rejects_an_empty_file_without_printing, .init = cr_redirect_stderr) {
    expect_error_at(fsn_graph_read_graphml, fixture("empty.txt"), FSN_EPARSE, 1, "malformed XML");
    fflush(stderr);
    cr_assert_stderr_eq_str("");
}

/* ---- dispatch and robustness ----------------------------------------- */

Test(read, picks_the_reader_from_the_extension) {
    const char *xml = "<?xml version=\"1.0\"?>\n<graphml><graph>\n"
                      "<node id=\"a\"/><node id=\"b\"/><edge source=\"a\" target=\"b\"/>\n"
                      "</graph></graphml>\n";
    const char *suffixes[] = {".graphml", ".XML", ".GraphML"};
    for (int i = 0; i < 3; i++) {
        char *path = temp_file(suffixes[i], xml, strlen(xml));
        fsn_csr_t g;
        fsn_error_t err = {0};
        cr_assert_eq(fsn_graph_read(&g, path, &err), FSN_OK, "%s: %s", path, err.msg);
        cr_assert_eq(g.n, 2);
        cr_assert_eq(g.m, 1);
        fsn_csr_destroy(&g);
        drop_temp(path);
    }
    /* The same text under another name is read as an edge list. */
    char *path = temp_file(".graphml.txt", xml, strlen(xml));
    expect_error_at(NULL, path, FSN_EPARSE, 2, "got '<graphml><graph>'"); /* line 1 reads as a header */
    drop_temp(path);
}

/* Deterministic noise: every outcome must be success or a clean error. */
Test(read, survives_random_garbage_without_crashing, .init = cr_redirect_stderr) {
    static const char alphabet[] = "0123456789 ,\t\n\r#%-+.eE\"<>/=abcnode edge id source target"
                                   "<graphml><graph><node id=\"</edge></graph>";
    uint64_t s = 42;
    char buf[512];
    for (int round = 0; round < 400; round++) {
        size_t len = 0;
        s = s * UINT64_C(6364136223846793005) + 1442695040888963407u;
        size_t n = (size_t)(s >> 33) % sizeof buf;
        for (; len < n; len++) {
            s = s * UINT64_C(6364136223846793005) + 1442695040888963407u;
            unsigned r = (unsigned)(s >> 33);
            buf[len] = (r & 63) == 0 ? (char)(r >> 8) : alphabet[(r >> 8) % (sizeof alphabet - 1)];
        }
        char *path = temp_file(round % 2 ? ".graphml" : ".txt", buf, len);
        fsn_csr_t g;
        fsn_error_t err = {0};
        fsn_err_t rc = fsn_graph_read(&g, path, &err);
        if (rc == FSN_OK) {
            cr_assert_gt(g.m, 0);
            fsn_csr_destroy(&g);
        } else {
            cr_assert_eq(rc, FSN_EPARSE, "%s", err.msg);
            cr_assert_eq(strncmp(err.msg, path, strlen(path)), 0, "%s", err.msg);
        }
        drop_temp(path);
    }
    fflush(stderr);
    cr_assert_stderr_eq_str("");
}
