/*
 * scenario.h: scenario files, the whole API.
 *
 * A scenario is everything a run needs, said in one JSON file: the graph
 * (a generator and its options, or a file), the users' attribute laws,
 * every behaviour parameter, the campaigns (type, parameters, seeding,
 * launch, budget), the policy regime, the horizon, replicates, base seed
 * and the outputs to write. Strategists and researchers never write C.
 * docs/SCENARIOS.md documents every key, generated from the same table
 * the parser reads (`fission help scenario` prints it).
 *
 * The parser is table driven: one descriptor per key (its JSON name,
 * type, place in the C structs, range, unit and meaning) serves parsing,
 * range checks, `--set` overrides, the normalised scenario written into
 * every run's summary (so a run can be reproduced from it alone) and the
 * documentation. Every key has a default; a missing key takes it.
 *
 * Errors are collected, not stopped at: `fission validate` prints them
 * all. Each names the file and the JSON path and says what was expected:
 *   scenarios/x.json: campaigns[1].group.size: must be an integer in [2, 1000], got 1
 *   scenarios/x.json: behaviour.sharing.clik: unknown key; did you mean 'click'?
 *   scenarios/x.json:12:5: malformed JSON (expected a value)
 * This module is the only one that includes cJSON.
 */
#ifndef FISSION_SCENARIO_H
#define FISSION_SCENARIO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "fission/attrs.h"
#include "fission/campaign.h"
#include "fission/error.h"
#include "fission/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FSN_SCENARIO_PATH_MAX 1024
#define FSN_SCENARIO_NAME_MAX 64

/* What a run writes (docs/OUTPUTS.md). */
typedef enum fsn_timeseries_out {
    FSN_TS_NONE = 0,
    FSN_TS_MEAN = 1,          /* mean and 95% interval per bin */
    FSN_TS_REPLICATES = 2     /* every replicate's counts */
} fsn_timeseries_out_t;

typedef struct fsn_scenario {
    char name[FSN_SCENARIO_NAME_MAX];      /* default: the file's base name */
    /* graph: a file, or a generator */
    char graph_file[FSN_SCENARIO_PATH_MAX];   /* "" for a generator; relative paths are
                                                 resolved against the scenario's folder */
    int graph_kind;                        /* fsn_gen_kind_t, FSN_GEN_WECHAT included */
    fsn_gen_params_t gen;                  /* generators other than wechat */
    fsn_wechat_params_t wechat;
    int reorder;                           /* relabel users breadth-first */
    fsn_attr_params_t users;
    fsn_world_params_t behaviour;          /* also holds run.horizon and run.bin */
    fsn_campaign_t campaigns[FSN_CAMPAIGNS_MAX];
    size_t ncampaigns;
    char seed_file[FSN_CAMPAIGNS_MAX][FSN_SCENARIO_PATH_MAX];  /* resolved, for file seedings */
    uint32_t replicates;
    uint64_t seed;
    uint32_t threads;                      /* 0: all cores */
    int out_summary, out_replicates, out_trace;
    fsn_timeseries_out_t out_timeseries;
} fsn_scenario_t;

/* Diagnostics: every error found, in order. */
#define FSN_DIAG_MAX 64
typedef struct fsn_diags {
    size_t count;                  /* errors found (may exceed FSN_DIAG_MAX) */
    char msg[FSN_DIAG_MAX][FSN_ERROR_MSG_MAX];
} fsn_diags_t;

void fsn_diags_clear(fsn_diags_t *d);

/* Append "FILE: PATH: message" (PATH and its colon left out when empty)
 * to d; past FSN_DIAG_MAX messages only the count grows. O(message). */
void fsn_diags_vadd(fsn_diags_t *d, const char *file, const char *path, const char *fmt, va_list ap);

/* The scenario every default gives: the WeChat-like graph of 100 000
 * users, the article's user attributes, the default behaviour, one
 * campaign of each kind (link, group, bargain, redpacket) with 50 random
 * seeds, 720 hours, 20 replicates, seed 1, all cores, summary, replicates
 * and mean time series written, no trace. O(1). */
void fsn_scenario_default(fsn_scenario_t *sc);

/*
 * Parse a scenario from text (len bytes; need not be terminated). file
 * names the source in messages; base_dir (NULL: ".") resolves relative
 * paths. sets are "PATH=VALUE" overrides applied to the JSON before
 * validation (VALUE is JSON if it parses as JSON, else a string: 
 * `campaigns[0].type=group`, `run.replicates=50`,
 * `behaviour.sharing.click.private=0.4`). On FSN_EPARSE (malformed JSON, a
 * bad --set) or FSN_EINVAL (any key, type or range error) every problem
 * found is in d and *sc holds defaults where the file was wrong.
 * O(size of the text + keys).
 */
fsn_err_t fsn_scenario_parse(fsn_scenario_t *sc, const char *text, size_t len, const char *file,
                             const char *base_dir, const char *const *sets, size_t nsets,
                             fsn_diags_t *d);

/* Read and parse a file (FSN_EIO with the path and strerror if it cannot
 * be read; a file over 16 MB is refused). O(file size). */
fsn_err_t fsn_scenario_load(fsn_scenario_t *sc, const char *path, const char *const *sets,
                            size_t nsets, fsn_diags_t *d);

/* The normalised scenario as JSON text: every key with its value,
 * defaults included, in the documented order, two-space indents, numbers
 * in shortest round-trip form. Parsing it gives the same scenario.
 * malloc'ed; NULL on allocation failure. O(keys). */
char *fsn_scenario_to_json(const fsn_scenario_t *sc);

/* What kind of value the key at path holds (a path as --set takes it:
 * "behaviour.sharing.click.private", "campaigns[0].group.size"):
 * FSN_KEY_NUMBER, FSN_KEY_INTEGER, FSN_KEY_OTHER (names, booleans,
 * objects, the graph's keys), or FSN_KEY_UNKNOWN. O(keys). */
enum { FSN_KEY_UNKNOWN = 0, FSN_KEY_NUMBER = 1, FSN_KEY_INTEGER = 2, FSN_KEY_OTHER = 3 };
int fsn_scenario_key_type(const char *path);

/* The number at path in a parsed scenario (through its normalised JSON);
 * FSN_EINVAL if the path names no number. O(keys). */
fsn_err_t fsn_scenario_get_number(const fsn_scenario_t *sc, const char *path, double *out);

/* Build or read the scenario's graph. Errors name the file and line of
 * a graph file. Calls igraph (one thread). */
fsn_err_t fsn_scenario_graph(const fsn_scenario_t *sc, fsn_csr_t *g, fsn_error_t *err);

/* Read the seed files of file seedings and point the campaigns' seeding
 * lists at them (lists[c] malloc'ed, NULL for other seedings; free each).
 * Checks every campaign's seeding count against g's users. */
fsn_err_t fsn_scenario_seed_lists(fsn_scenario_t *sc, const fsn_csr_t *g,
                                  fsn_vid_t *lists[FSN_CAMPAIGNS_MAX], fsn_error_t *err);

/* The key reference (every key's path, type, default, range and meaning),
 * as Markdown tables; malloc'ed text. This is docs/SCENARIOS.md's
 * reference section. O(keys). */
char *fsn_scenario_reference(void);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_SCENARIO_H */
