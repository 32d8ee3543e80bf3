/*
 * cli/plot.h: the parts of `fission plot` shared by its files (internal
 * to sim/cli).
 *
 * fission plot is three files: plot_cmd.c holds the command, the
 * plotting context (where data and figures go, the notes and the exit
 * code, running gnuplot) and the figures of a run; plot_csv.c holds the
 * small CSV reader for the run's and the sweep's tables and the writing
 * of numbers and text into the tables gnuplot reads; plot_points.c holds
 * the figures of a sweep's points and its sensitivity indices. This
 * header is what they share; nothing outside the plot files includes it.
 */
#ifndef FISSION_CLI_PLOT_H
#define FISSION_CLI_PLOT_H

#include <stddef.h>

#include "../text.h"

#define PLOT_PATH_LEN 4096
#define PLOT_MAX_METRIC_ARGS 64

/* ------------------------------------------------------------------ */
/* CSV tables (plot_csv.c)                                            */
/* ------------------------------------------------------------------ */

typedef struct csv {
    char *text;          /* the file, fields cut in place */
    char **f;            /* every field, row after row */
    size_t nf, capf;
    size_t ncols, nrows; /* rows including the header */
} csv_t;

/*
 * Read path as CSV (RFC 4180 quotes; LF or CRLF; a final line break
 * optional; blank lines skipped). Every row must have as many fields as
 * the header. Returns 1 if read, 0 if the file does not exist, -1 on an
 * error (message in why, naming the file and line). O(file size).
 */
int csv_read(csv_t *t, const char *path, char *why, size_t whylen);
void csv_free(csv_t *t);

/* The field at row r (0: the header), column c. */
const char *csv_cell(const csv_t *t, size_t r, size_t c);
/* The column named name in the header, -1 if none. */
long csv_col(const csv_t *t, const char *name);
/* A number, NaN for an empty or unreadable field. */
double csv_num(const char *s);
/* Is s a number (not empty, nothing after the number)? */
int csv_is_num(const char *s);

/* A number for gnuplot: NaN (gnuplot's word for a missing point) or %.10g. */
void plot_num(fsn_tb_t *b, double x);
/* n numbers, separated by commas (no line break). */
void plot_nums(fsn_tb_t *b, const double *v, size_t n);
/* n numbers, separated by commas, and a line break. */
void plot_row(fsn_tb_t *b, const double *v, size_t n);
/* A text field with no comma, quote or line break (replaced by a space). */
void plot_text(fsn_tb_t *b, const char *s);

/* qsort's order of doubles, ascending. */
int plot_cmp_double(const void *a, const void *b);

/* ------------------------------------------------------------------ */
/* The plotting context (plot_cmd.c)                                  */
/* ------------------------------------------------------------------ */

typedef struct plot_ctx {
    const char *src;              /* the run or sweep folder */
    char out[PLOT_PATH_LEN];      /* where data and figures go */
    char scripts[PLOT_PATH_LEN];  /* the folder of the .gp scripts */
    const char *fmt;              /* png, svg */
    const char *reference;        /* NULL: the default, found */
    const char *metrics[PLOT_MAX_METRIC_ARGS];
    size_t nmetrics;
    int drawn, failed, skipped, bad;
} plot_ctx_t;

/* A figure left out for want of data: a one-line note on stderr. */
void plot_note(plot_ctx_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Bad input (a malformed table): said, the figure is left out, the other
 * figures are still drawn, and the exit code is 2. */
void plot_bad(plot_ctx_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Memory ran out while preparing a figure from path: said, exit code 1. */
void plot_oom(plot_ctx_t *p, const char *path);

/* Read the table at path into t: 1 if read; else 0 with a plot_bad for a
 * malformed table, or, for an absent one, a plot_note saying absent
 * (none if absent is NULL). */
int plot_read_table(plot_ctx_t *p, csv_t *t, const char *path, const char *absent);

/* The same for the file name of the source folder; its path into path
 * (n bytes). */
int plot_open_table(plot_ctx_t *p, csv_t *t, char *path, size_t n, const char *name, const char *absent);

/* Does the user want figures of metric m (every metric without --metric)? */
int plot_metric_wanted(const plot_ctx_t *p, const char *m);

/* A metric or campaign name made safe as part of a file name. */
void plot_safe_name(char *dst, size_t n, const char *s);

/*
 * Write b as <out>/<base>.csv, then draw it with gnuplot: `gnuplot -c
 * <scripts>/<script> <scripts> <data> <figure> <fmt> [extra...]` (nextra
 * more string arguments), the figure being <out>/<base>.<fmt>; prints
 * where it went, described as what. Returns 0 if the data was written
 * (the figure may still have failed: counted), -1 if not (said).
 */
int plot_emit(plot_ctx_t *p, fsn_tb_t *b, const char *base, const char *script, const char *what, int nextra, ...);

/* ------------------------------------------------------------------ */
/* Sweep figures (plot_points.c)                                      */
/* ------------------------------------------------------------------ */

/* points.csv: a line per metric along one axis, a heat map (or scatter)
 * over two, main effects over more. */
void plot_fig_sweep(plot_ctx_t *p);

/* sensitivity.csv: Sobol or Morris bars per metric. */
void plot_fig_sensitivity(plot_ctx_t *p);

#endif
