/*
 * test_scenario.c: the scenario parser through its C API: exact
 * messages with JSON paths, every error collected, line and column of
 * malformed JSON, suggestions, --set overrides, comments, the normalised
 * JSON round trip, path resolution, the default name and the key
 * reference.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fission/scenario.h"

#define GOOD FISSION_TEST_DATA "/scenarios/good"

static fsn_scenario_t sc;
static fsn_diags_t d;

static fsn_err_t parse_text(const char *text, const char *const *sets, size_t nsets) {
    return fsn_scenario_parse(&sc, text, strlen(text), "x.json", NULL, sets, nsets, &d);
}

/* 1 if any message holds every one of the (up to three) fragments. */
static int has_msg(const char *a, const char *b, const char *c) {
    size_t shown = d.count < FSN_DIAG_MAX ? d.count : FSN_DIAG_MAX;
    for (size_t i = 0; i < shown; i++)
        if (strstr(d.msg[i], a) && (!b || strstr(d.msg[i], b)) && (!c || strstr(d.msg[i], c))) return 1;
    return 0;
}

static char *all_msgs(void) {
    static char buf[FSN_DIAG_MAX * 128];
    buf[0] = 0;
    size_t shown = d.count < FSN_DIAG_MAX ? d.count : FSN_DIAG_MAX;
    for (size_t i = 0; i < shown; i++) {
        strncat(buf, d.msg[i], sizeof buf - strlen(buf) - 2);
        strncat(buf, "\n", sizeof buf - strlen(buf) - 1);
    }
    return buf;
}

Test(scenario, a_group_of_one_gets_the_exact_message_with_its_json_path) {
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}, {\"type\": \"group\", \"group\": {\"size\": 1}}]}";
    cr_assert_eq(parse_text(t, NULL, 0), FSN_EINVAL);
    cr_assert_eq(d.count, 1, "%s", all_msgs());
    cr_assert_str_eq(d.msg[0], "x.json: campaigns[1].group.size: must be an integer in [2, 1000], got 1");
}

Test(scenario, every_error_of_a_file_is_collected) {
    const char *t = "{\n"
                    "  \"campaigns\": [{\"type\": \"group\", \"group\": {\"size\": 1}, \"price\": -3}],\n"
                    "  \"run\": {\"replicates\": 0, \"horizon\": \"long\"},\n"
                    "  \"behaviour\": {\"sharing\": {\"fatigue\": 2}}\n"
                    "}";
    cr_assert_eq(parse_text(t, NULL, 0), FSN_EINVAL);
    cr_assert_geq(d.count, 5, "%s", all_msgs());
    cr_assert(has_msg("campaigns[0].group.size", NULL, NULL), "%s", all_msgs());
    cr_assert(has_msg("campaigns[0].price", NULL, NULL), "%s", all_msgs());
    cr_assert(has_msg("run.replicates", NULL, NULL), "%s", all_msgs());
    cr_assert(has_msg("run.horizon", "string", NULL), "%s", all_msgs());
    cr_assert(has_msg("behaviour.sharing.fatigue", "[0, 1]", "got 2"), "%s", all_msgs());
}

Test(scenario, malformed_json_is_reported_with_its_line_and_column) {
    /* the stray comma is on line 3, column 19 */
    const char *t = "{\n"
                    "  \"campaigns\": [{\"type\": \"link\"}],\n"
                    "  \"run\": {\"seed\": ,}\n"
                    "}\n";
    cr_assert_eq(parse_text(t, NULL, 0), FSN_EPARSE);
    cr_assert_eq(d.count, 1, "%s", all_msgs());
    cr_assert(strstr(d.msg[0], "x.json:3:19:") && strstr(d.msg[0], "malformed JSON"), "%s", d.msg[0]);
}

Test(scenario, a_file_cut_short_says_the_text_ends_too_early) {
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}]";
    cr_assert_eq(parse_text(t, NULL, 0), FSN_EPARSE);
    cr_assert(has_msg("x.json:1:", "ends too early", NULL), "%s", all_msgs());
}

Test(scenario, a_file_cut_short_with_a_final_newline_still_says_it_ends_too_early) {
    /* editors end files with a newline; that must not hide the cause */
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}]\n";
    cr_assert_eq(parse_text(t, NULL, 0), FSN_EPARSE);
    cr_assert(has_msg("ends too early", NULL, NULL), "%s", all_msgs());
}

Test(scenario, a_near_miss_key_gets_a_suggestion_and_a_far_one_the_list) {
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}], \"behaviour\": {\"sharing\": {\"clik\": {}}}}";
    cr_assert_eq(parse_text(t, NULL, 0), FSN_EINVAL);
    cr_assert_eq(d.count, 1, "%s", all_msgs());
    cr_assert_str_eq(d.msg[0], "x.json: behaviour.sharing.clik: unknown key; did you mean 'click'?");

    const char *far = "{\"campaigns\": [{\"type\": \"link\"}], \"run\": {\"zzzzzzzz\": 1}}";
    cr_assert_eq(parse_text(far, NULL, 0), FSN_EINVAL);
    cr_assert_eq(d.count, 1, "%s", all_msgs());
    cr_assert(strstr(d.msg[0], "run.zzzzzzzz: unknown key; expected one of: ") &&
                  strstr(d.msg[0], "horizon") && strstr(d.msg[0], "replicates") && strstr(d.msg[0], "threads") &&
                  !strstr(d.msg[0], "did you mean"),
              "%s", d.msg[0]);
}

Test(scenario, a_near_miss_enum_value_gets_a_suggestion) {
    const char *t = "{\"campaigns\": [{\"type\": \"gruop\"}]}";
    cr_assert_eq(parse_text(t, NULL, 0), FSN_EINVAL);
    cr_assert(has_msg("campaigns[0].type", "'gruop'", "did you mean 'group'"), "%s", all_msgs());
}

Test(scenario, set_changes_a_number) {
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}], \"run\": {\"replicates\": 4}}";
    const char *sets[] = {"run.replicates=7"};
    cr_assert_eq(parse_text(t, sets, 1), FSN_OK, "%s", all_msgs());
    cr_assert_eq(sc.replicates, 7);
}

Test(scenario, set_takes_a_string_without_quotes) {
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}]}";
    const char *sets[] = {"campaigns[0].type=group", "campaigns[0].group.size=4"};
    cr_assert_eq(parse_text(t, sets, 2), FSN_OK, "%s", all_msgs());
    cr_assert_eq(sc.campaigns[0].kind, FSN_CAMP_GROUP);
    cr_assert_eq(sc.campaigns[0].group_size, 4);
}

Test(scenario, set_creates_a_nested_path_that_is_not_in_the_file) {
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}]}";
    const char *sets[] = {"behaviour.sharing.click.private=0.4"};
    cr_assert_eq(parse_text(t, sets, 1), FSN_OK, "%s", all_msgs());
    cr_assert_float_eq(sc.behaviour.click[0], 0.4, 1e-15);
}

Test(scenario, set_with_an_index_out_of_range_is_an_error) {
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}]}";
    const char *sets[] = {"campaigns[3].type=group"};
    cr_assert_eq(parse_text(t, sets, 1), FSN_EPARSE);
    cr_assert_geq(d.count, 1);
    cr_assert(has_msg("campaigns[3].type=group", "no [3]", NULL), "%s", all_msgs());
}

Test(scenario, set_with_a_value_that_makes_the_file_invalid_names_the_path) {
    const char *t = "{\"campaigns\": [{\"type\": \"group\"}]}";
    const char *sets[] = {"campaigns[0].group.size=1"};
    cr_assert_eq(parse_text(t, sets, 1), FSN_EINVAL);
    cr_assert(has_msg("x.json: campaigns[0].group.size: ", "got 1", NULL), "%s", all_msgs());
    const char *sets2[] = {"run.horizon=soon"};
    cr_assert_eq(parse_text(t, sets2, 1), FSN_EINVAL);
    cr_assert(has_msg("run.horizon", "\"soon\"", NULL), "%s", all_msgs());
}

Test(scenario, set_without_an_equals_sign_is_an_error) {
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}]}";
    const char *sets[] = {"run.replicates"};
    cr_assert_neq(parse_text(t, sets, 1), FSN_OK);
    cr_assert(has_msg("run.replicates", "PATH=VALUE", NULL), "%s", all_msgs());
}

Test(scenario, comments_are_ignored_and_keep_line_numbers_right) {
    const char *ok = "// a line comment\n"
                     "/* a block\n   comment over lines with { and \" in it */\n"
                     "{\"campaigns\": [{\"type\": \"link\", \"name\": \"a//b\"}], // trailing\n"
                     " \"run\": {\"replicates\": 3 /* inline */}}\n";
    cr_assert_eq(parse_text(ok, NULL, 0), FSN_EINVAL);
    /* "a//b" is not a valid campaign name: the // inside a string is not a comment */
    cr_assert(has_msg("campaigns[0].name", "a//b", NULL), "%s", all_msgs());

    const char *ok2 = "// a line comment\n"
                      "/* a block\n   comment */\n"
                      "{\"campaigns\": [{\"type\": \"link\"}], // trailing\n"
                      " \"run\": {\"replicates\": 3 /* inline */}}\n";
    cr_assert_eq(parse_text(ok2, NULL, 0), FSN_OK, "%s", all_msgs());
    cr_assert_eq(sc.replicates, 3);

    const char *bad = "/* line 1\n"
                      "   line 2\n"
                      "   line 3 */\n"
                      "{\"campaigns\": [{\"type\": \"link\"}],\n"
                      "  \"run\": {\"seed\": @}}\n";
    cr_assert_eq(parse_text(bad, NULL, 0), FSN_EPARSE);
    cr_assert(has_msg("x.json:5:", "malformed JSON", NULL), "%s", all_msgs());
}

Test(scenario, an_unclosed_block_comment_names_where_it_starts) {
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}]}\n  /* never closed\n";
    cr_assert_eq(parse_text(t, NULL, 0), FSN_EPARSE);
    cr_assert(has_msg("x.json:2:3:", "never closed", NULL), "%s", all_msgs());
}

Test(scenario, a_file_of_only_comments_is_reported_as_empty) {
    const char *t = "// nothing here\n/* nor here */\n";
    cr_assert_eq(parse_text(t, NULL, 0), FSN_EPARSE);
    cr_assert(has_msg("empty", NULL, NULL), "%s", all_msgs());
}

static void round_trip(const fsn_scenario_t *s, const char *what) {
    char *a = fsn_scenario_to_json(s);
    cr_assert_not_null(a);
    static fsn_scenario_t s2;
    fsn_diags_t d2;
    fsn_err_t rc = fsn_scenario_parse(&s2, a, strlen(a), "normalised.json", NULL, NULL, 0, &d2);
    cr_assert_eq(rc, FSN_OK, "%s: %s", what, d2.count ? d2.msg[0] : "");
    char *b = fsn_scenario_to_json(&s2);
    cr_assert_not_null(b);
    cr_assert_str_eq(a, b, "%s: the normalised JSON changed on a round trip", what);
    free(a);
    free(b);
}

Test(scenario, the_default_scenario_round_trips_byte_for_byte) {
    fsn_scenario_default(&sc);
    round_trip(&sc, "default");
}

Test(scenario, every_good_file_round_trips_byte_for_byte) {
    const char *files[] = {"minimal", "link", "group", "bargain", "redpacket"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[1024];
        snprintf(path, sizeof path, GOOD "/%s.json", files[i]);
        cr_assert_eq(fsn_scenario_load(&sc, path, NULL, 0, &d), FSN_OK, "%s: %s", path, all_msgs());
        round_trip(&sc, path);
    }
}

Test(scenario, the_normalised_json_keeps_what_the_file_said) {
    cr_assert_eq(fsn_scenario_load(&sc, GOOD "/group.json", NULL, 0, &d), FSN_OK, "%s", all_msgs());
    char *j = fsn_scenario_to_json(&sc);
    cr_assert_not_null(j);
    cr_assert(strstr(j, "\"generator\": \"er\"") && strstr(j, "\"n\": 800") && strstr(j, "\"p\": 0.015"), "%s", j);
    cr_assert(strstr(j, "\"name\": \"tuan\"") && strstr(j, "\"size\": 3") && strstr(j, "\"price\": 69"), "%s", j);
    cr_assert(strstr(j, "\"regime\": \"selective\""), "%s", j);
    /* maps keyed by type ("share_initiator": {"link": ..., "bargain": ...}) are inline;
     * a campaign's own object opens a block */
    cr_assert(strstr(j, "\"group\": {\n"), "%s", j);
    cr_assert(!strstr(j, "\"bargain\": {\n") && !strstr(j, "\"redpacket\": {\n"), "other types' objects: %s", j);
    free(j);
}

Test(scenario, relative_graph_and_seed_files_resolve_against_the_scenario_folder) {
    const char *t = "{\"graph\": {\"file\": \"ties.txt\"},\n"
                    " \"campaigns\": [{\"type\": \"link\", \"seeding\": {\"strategy\": \"file\", \"file\": \"seeds/s.txt\"}},\n"
                    "               {\"type\": \"link\", \"seeding\": {\"strategy\": \"file\", \"file\": \"/abs/s.txt\"}}]}";
    cr_assert_eq(fsn_scenario_parse(&sc, t, strlen(t), "/data/exp/x.json", "/data/exp", NULL, 0, &d), FSN_OK, "%s",
                 all_msgs());
    cr_assert_str_eq(sc.graph_file, "/data/exp/ties.txt");
    cr_assert_str_eq(sc.seed_file[0], "/data/exp/seeds/s.txt");
    cr_assert_str_eq(sc.seed_file[1], "/abs/s.txt");
}

Test(scenario, loading_a_file_resolves_against_its_own_folder) {
    /* the bad folder's graph_file_malformed.json names malformed_edges.txt
     * next to it */
    const char *p = FISSION_TEST_DATA "/scenarios/bad/graph_file_malformed.json";
    cr_assert_eq(fsn_scenario_load(&sc, p, NULL, 0, &d), FSN_OK, "%s", all_msgs());
    cr_assert_str_eq(sc.graph_file, FISSION_TEST_DATA "/scenarios/bad/malformed_edges.txt");
}

Test(scenario, the_normalised_scenario_reproduces_from_another_folder) {
    /* summary.json carries the normalised scenario so a run can be
     * reproduced from it alone: a graph file loaded through a relative
     * path must still be found when that JSON is read elsewhere */
    cr_assert_eq(chdir(FISSION_TEST_DATA), 0);
    cr_assert_eq(fsn_scenario_load(&sc, "scenarios/bad/graph_file_malformed.json", NULL, 0, &d), FSN_OK, "%s",
                 all_msgs());
    char *j = fsn_scenario_to_json(&sc);
    cr_assert_not_null(j);
    cr_assert_eq(chdir("/"), 0);
    static fsn_scenario_t s2;
    fsn_err_t rc = fsn_scenario_parse(&s2, j, strlen(j), "/tmp/run/summary-scenario.json", "/tmp/run", NULL, 0, &d);
    free(j);
    cr_assert_eq(rc, FSN_OK, "%s", all_msgs());
    cr_assert_eq(access(s2.graph_file, R_OK), 0, "the graph file became %s", s2.graph_file);
}

Test(scenario, the_default_name_is_the_file_base_name) {
    cr_assert_eq(fsn_scenario_load(&sc, GOOD "/bargain.json", NULL, 0, &d), FSN_OK, "%s", all_msgs());
    cr_assert_str_eq(sc.name, "bargain");
    cr_assert_eq(fsn_scenario_load(&sc, GOOD "/link.json", NULL, 0, &d), FSN_OK, "%s", all_msgs());
    cr_assert_str_eq(sc.name, "link_small", "a name in the file wins");
    const char *t = "{\"campaigns\": [{\"type\": \"link\"}]}";
    cr_assert_eq(fsn_scenario_parse(&sc, t, strlen(t), "some/dir/spring.sale.json", NULL, NULL, 0, &d), FSN_OK);
    cr_assert_str_eq(sc.name, "spring.sale");
}

Test(scenario, a_missing_file_is_an_io_error_naming_it) {
    cr_assert_eq(fsn_scenario_load(&sc, "/nonexistent/nope.json", NULL, 0, &d), FSN_EIO);
    cr_assert_eq(d.count, 1);
    cr_assert(strstr(d.msg[0], "/nonexistent/nope.json") && strstr(d.msg[0], "cannot open"), "%s", d.msg[0]);
}

Test(scenario, the_reference_mentions_every_key_the_examples_use) {
    char *ref = fsn_scenario_reference();
    cr_assert_not_null(ref);
    static const char *const paths[] = {
        "graph.generator", "graph.file", "graph.n", "graph.mean_degree", "graph.seed", "graph.p", "graph.m",
        "graph.k", "users.tier_share", "behaviour.sharing.click", "behaviour.sharing.via",
        "behaviour.sharing.fatigue", "behaviour.sharing.trust_floor", "behaviour.policy.regime",
        "campaigns[i].name", "campaigns[i].type", "campaigns[i].price", "campaigns[i].launch",
        "campaigns[i].seeding.strategy", "campaigns[i].seeding.count", "campaigns[i].seeding.tier",
        "campaigns[i].seeding.file", "campaigns[i].group.size", "campaigns[i].group.deadline",
        "campaigns[i].group.price", "campaigns[i].group.coupon", "campaigns[i].bargain.floor",
        "campaigns[i].bargain.deadline", "campaigns[i].bargain.cuts.kind", "campaigns[i].bargain.cuts.helpers",
        "campaigns[i].redpacket.total", "campaigns[i].redpacket.claims", "campaigns[i].redpacket.min_spend",
        "run.horizon", "run.bin", "run.replicates", "run.seed", "outputs.trace", "outputs.timeseries",
    };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        char tick[128];
        snprintf(tick, sizeof tick, "`%s`", paths[i]);
        cr_expect(strstr(ref, tick), "the reference does not mention %s", paths[i]);
    }
    free(ref);
}
