/*
 * output.h: the files a run leaves behind.
 *
 * A run's result (fsn_run_result_t) becomes a directory of plain files
 * that any tool can read: summary.json (what ran and the statistics of
 * every metric over the replicates), replicates.csv (one row per
 * replicate), timeseries.csv (the campaigns' counts over time) and, on
 * request, trace/rep-NNNNNN.csv (every event of a replicate).
 * docs/OUTPUTS.md describes each file column by column.
 *
 * Two promises hold for every file. It is atomic: it is written to a
 * temporary in the same directory, flushed to disk and renamed over its
 * final name, so a reader (or a crash, or a full disk) sees either the
 * old file or the whole new one, never half of one. And it is
 * deterministic: the same inputs give the same bytes, so nothing that
 * varies from run to run (wall time, thread count, host) is written, and
 * numbers are printed the same way every time (see fsn_output_summary).
 *
 * JSON is written by hand here, in a fixed key order, rather than through
 * a tree: the files are small, and the order and the number format are
 * then ours to fix.
 *
 * Threads. The writers touch only their arguments. A trace (fsn_trace_t)
 * is shared by the worker threads of a run: each replicate has its own
 * slot and file, so hooks for different replicates never meet.
 */
#ifndef FISSION_OUTPUT_H
#define FISSION_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "fission/campaign.h"
#include "fission/error.h"
#include "fission/run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Files and directories                                              */
/* ------------------------------------------------------------------ */

/*
 * Write data[0 .. len-1] to path atomically: to a new temporary file in
 * the same directory ("<path>.tmp.<pid>.<n>", created exclusively), then
 * flushed, fsync'ed, closed and renamed over path. The file is created
 * with mode 0666 less the umask.
 * Errors: FSN_EIO with a message naming path (or the temporary) and the
 * system's reason (strerror): a missing or unwritable directory, a full
 * disk, a failed rename. On any failure the temporary is removed and
 * path is left as it was. FSN_ENOMEM if the name cannot be built.
 * Cost: O(len) plus one fsync.
 */
fsn_err_t fsn_write_atomic(const char *path, const char *data, size_t len, fsn_error_t *err);

/*
 * Make directory dir and any missing parents (like mkdir -p, mode 0777
 * less the umask), or check that an existing dir is a directory this
 * process can write into.
 * Errors: FSN_EIO naming the directory (or the parent that failed) and
 * the reason ("not a directory", "permission denied"); FSN_ENOMEM.
 * Cost: one mkdir per path component.
 */
fsn_err_t fsn_output_dir(const char *dir, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Run files                                                          */
/* ------------------------------------------------------------------ */

/* What a run was, for the files. Every pointer may be NULL unless said. */
typedef struct fsn_run_meta {
    const char *scenario_path;    /* file the scenario came from */
    const char *scenario_json;    /* the normalised scenario: one complete
                                     JSON value, copied verbatim (NULL: null) */
    const char *version;          /* fission's version */
    const char *git_rev;          /* the source revision */
    uint64_t seed;                /* the run's base seed */
    double bin_hours;             /* width of a time-series bin, hours */
    const char *const *campaign_names;  /* res->ncamps names (NULL: the
                                           campaigns' indices are written) */
} fsn_run_meta_t;

/*
 * Write dir/summary.json (atomically; dir must exist):
 *
 *   {"fission": {"version", "git_rev"}, "scenario_path", "seed",
 *    "replicates": {"requested", "done", "interrupted"},
 *    "scenario": <meta->scenario_json verbatim>,
 *    "metrics": {"<name>": {"n", "mean", "sd", "se", "ci95": [lo, hi],
 *                           "min", "p05", "p50", "p95", "max"}, ...}}
 *
 * Metrics in res's order. The statistics (fsn_stats_summarize) are over
 * the replicates whose done flag is set, skipping values that are not
 * finite; n counts the values used. A metric with no finite value has
 * n 0 and every statistic null ("ci95": [null, null]). "done" counts the
 * done flags. Wall time and thread count are not written: they vary from
 * run to run and would make equal runs differ.
 * Numbers are the shortest of %.15g, %.16g and %.17g that reads back as
 * the same double, so the same inputs give the same bytes and every value
 * round-trips; NaN and infinities are null. Strings are JSON-escaped
 * (quote, backslash, control characters; other bytes pass as they are).
 * Errors: as fsn_write_atomic (FSN_EIO naming the file), FSN_ENOMEM.
 * Cost: O(reps x metrics x log reps); memory O(reps).
 */
fsn_err_t fsn_output_summary(const char *dir, const fsn_run_result_t *res, const fsn_run_meta_t *meta,
                             fsn_error_t *err);

/*
 * Write dir/replicates.csv (atomically; dir must exist): the header
 * "replicate,events,<metric names...>", then one row per replicate whose
 * done flag is set, in replicate order: its index, its engine events and
 * its metrics. A NaN (a rate with no denominator) is an empty field; an
 * infinity is "inf" or "-inf"; other numbers as in fsn_output_summary.
 * A name holding a comma, quote or line break is quoted (RFC 4180).
 * Errors: as fsn_write_atomic. Cost: O(reps x metrics).
 */
fsn_err_t fsn_output_replicates(const char *dir, const fsn_run_result_t *res, fsn_error_t *err);

typedef enum fsn_series_mode {
    FSN_SERIES_MEAN = 0,          /* mean and 95% interval over the replicates */
    FSN_SERIES_PER_REPLICATE = 1  /* every replicate's counts */
} fsn_series_mode_t;

/*
 * Write dir/timeseries.csv (atomically; dir must exist). Series are named
 * exposed, participants, orders, shares; bin b covers the hours
 * [b x bin_hours, (b + 1) x bin_hours) (meta->bin_hours, > 0).
 *   FSN_SERIES_MEAN: "campaign,series,bin,t_start,t_end,mean,ci95_lo,ci95_hi",
 *     one row per (campaign, series, bin) in that order; the mean and the
 *     95% t interval (fsn_stats_summarize) over the done replicates: the
 *     interval is the mean itself with one replicate, and the three
 *     fields are empty with none.
 *   FSN_SERIES_PER_REPLICATE: "replicate,campaign,series,bin,t_start,t_end,count",
 *     one row per done replicate, campaign, series and bin.
 * Errors: FSN_EINVAL for a bad mode or bin width; as fsn_write_atomic.
 * Cost: O(reps x campaigns x bins); memory O(reps) (rows are streamed).
 */
fsn_err_t fsn_output_timeseries(const char *dir, const fsn_run_result_t *res, const fsn_run_meta_t *meta,
                                fsn_series_mode_t mode, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Traces                                                             */
/* ------------------------------------------------------------------ */

/*
 * Event traces, one CSV per replicate: dir/trace/rep-000012.csv for
 * replicate 12, header "time,event,user,campaign,details", one row per
 * engine event in the order they ran: the time in hours (%.17g), the
 * event type's name, the user it concerns (empty if none), the
 * campaign's name (empty for visits, arrivals, reviews) and its details
 * as space-separated key=value pairs (fsn_world_event_describe).
 *
 * The functions plug into fsn_run_hooks_t:
 *
 *     fsn_run_hooks_t hk = {.ctx = trace, .begin = fsn_trace_begin,
 *                           .end = fsn_trace_end};
 *
 * A replicate's rows go through a buffered file to a temporary that is
 * renamed into place when the replicate ends well, so a failed,
 * unfinished or interrupted replicate leaves no file (and a file of an
 * earlier run under the same name stays as it was). A replicate's trace
 * depends only on what it computes: the same run gives the same files
 * whatever the number of threads.
 */
typedef struct fsn_trace fsn_trace_t;

/* A trace for replicates 0 .. reps-1 into dir/trace (created with its
 * parents). NULL and a message on failure (FSN_EIO naming the directory,
 * FSN_ENOMEM). O(reps). */
fsn_trace_t *fsn_trace_new(const char *dir, uint32_t reps, fsn_error_t *err);

/* Free the trace; a replicate still open (begun, never ended) loses its
 * temporary. NULL is accepted. */
void fsn_trace_free(fsn_trace_t *t);

/* The begin hook: open replicate rep's temporary, write the header and
 * set the observer on fsn_world_engine(w). Errors: FSN_EINVAL if rep is
 * out of range; FSN_ESTATE if rep is already open; FSN_EIO naming the
 * file. O(1). */
fsn_err_t fsn_trace_begin(void *ctx, uint32_t rep, fsn_world_t *w, fsn_error_t *err);

/* The end hook: clear the observer and close rep's file. If rc is FSN_OK
 * and every write went well, the file is renamed into place; otherwise
 * the temporary is removed. Returns FSN_OK, or FSN_EIO naming the file
 * and the first write error (a full disk) when rc was FSN_OK; the
 * replicate's own failure (rc != FSN_OK) is not repeated here. O(1)
 * plus the flush. */
fsn_err_t fsn_trace_end(void *ctx, uint32_t rep, fsn_world_t *w, fsn_err_t rc, fsn_error_t *err);

/* ------------------------------------------------------------------ */
/* Cascades and groups                                                */
/* ------------------------------------------------------------------ */

/*
 * A collector follows each replicate's events (an engine observer, like
 * a trace) and keeps, per replicate, the size of every seed's cascade
 * tree and the life of every group of a group campaign, for
 * cascades.csv and groups.csv (docs/OUTPUTS.md):
 *
 *     fsn_run_hooks_t hk = {.ctx = col, .begin = fsn_collect_begin,
 *                           .end = fsn_collect_end};
 *
 * Provenance. A user's participation in a campaign traces back through
 * the instance (group, bargain, packet) whose link they clicked, to that
 * instance's owner, and so on to a seed: the owner of an instance opened
 * at launch. Every user who clicked a campaign's shared plain link (a
 * link campaign, or a group / bargain / packet seed's link when the
 * budget was spent) came through a link all its seeds share, so they are
 * counted as unattributed (an empty seed field) rather than guessed.
 * Nothing here changes what a replicate computes.
 *
 * The engine has one observer: a collector given a trace (trace may be
 * NULL) begins and ends the trace itself and passes every event on to
 * it, so run it instead of the trace's hooks, not besides them.
 *
 * Memory: while a replicate runs, 4 x (campaigns + 1) bytes per user and
 * 4 per instance; kept after it, one row per seed and per group.
 */
typedef struct fsn_collect fsn_collect_t;

/* A collector for replicates 0 .. reps-1; trace (may be NULL) is borrowed
 * and must outlive it. NULL and FSN_ENOMEM on failure. O(reps). */
fsn_collect_t *fsn_collect_new(uint32_t reps, fsn_trace_t *trace, fsn_error_t *err);
void fsn_collect_free(fsn_collect_t *c);

/* The begin hook: allocate the replicate's provenance arrays, set the
 * observer (and begin the trace, if any). Errors: FSN_EINVAL if rep is
 * out of range, FSN_ENOMEM, the trace's. O(users x campaigns). */
fsn_err_t fsn_collect_begin(void *ctx, uint32_t rep, fsn_world_t *w, fsn_error_t *err);

/* The end hook: when rc is FSN_OK, keep the replicate's cascade sizes
 * and groups; free the arrays; end the trace. Errors: FSN_ENOMEM, the
 * trace's. O(users x campaigns + instances). */
fsn_err_t fsn_collect_end(void *ctx, uint32_t rep, fsn_world_t *w, fsn_err_t rc, fsn_error_t *err);

/*
 * Write dir/cascades.csv: "replicate,campaign,seed,size", one row per
 * done replicate (res->done), campaign and seed, in that order (seeds by
 * user id), size the number of participants whose participation traces
 * back to the seed (the seed included); then, if any, one row with an
 * empty seed: the unattributed participants. The sizes of a replicate
 * and campaign sum to its campaign.<name>.participants metric.
 * Errors: as fsn_write_atomic. O(rows).
 */
fsn_err_t fsn_output_cascades(const char *dir, const fsn_collect_t *c, const fsn_run_result_t *res,
                              const fsn_run_meta_t *meta, fsn_error_t *err);

/*
 * Write dir/groups.csv: "replicate,campaign,group,opened,closed,state,
 * members,fill_time", one row per group of a group campaign, in
 * replicate order then opening order: the group's instance id, hours at
 * opening and closing (empty if still open at the horizon), state
 * filled / failed / open, members seated, and for a filled group the
 * hours it took to fill (closed - opened, at most the group deadline).
 * Errors: as fsn_write_atomic. O(rows).
 */
fsn_err_t fsn_output_groups(const char *dir, const fsn_collect_t *c, const fsn_run_result_t *res,
                            const fsn_run_meta_t *meta, fsn_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* FISSION_OUTPUT_H */
