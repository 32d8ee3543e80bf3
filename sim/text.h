/*
 * text.h: writing numbers and strings as text (internal).
 *
 * The scenario writer, the comparison and the output files all print
 * doubles so that they read back exactly and the same inputs give the
 * same bytes, and all escape strings for JSON and CSV. One place does it:
 * a growable text buffer for the writers that build their text in
 * memory, and the number format for the ones that stream. The distance
 * between two names, behind the scenario parser's and the design
 * comparison's "did you mean" suggestions, is here for the same reason.
 */
#ifndef FISSION_TEXT_H
#define FISSION_TEXT_H

#include <stddef.h>

/* The shortest of %.15g, %.16g, %.17g that reads back as x (finite x). */
void fsn_num_text(char *buf, size_t size, double x);

/* A growable text buffer; fail is set (and further writes ignored) if
 * memory runs out. Start from {0}; free(tb.s) when done. */
typedef struct fsn_tb {
    char *s;
    size_t len, cap;
    int fail;
} fsn_tb_t;

void fsn_tb_printf(fsn_tb_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* x as fsn_num_text, or nonfinite for NaN and infinities. */
void fsn_tb_num(fsn_tb_t *b, double x, const char *nonfinite);
/* s as a JSON string, quoted and escaped. */
void fsn_tb_json_str(fsn_tb_t *b, const char *s);
/* s as a CSV field, quoted (quotes doubled) if it holds a comma, quote or line break. */
void fsn_tb_csv_str(fsn_tb_t *b, const char *s);

/* The Levenshtein distance between a and b (insertions, deletions and
 * substitutions of one byte each), for "did you mean" suggestions;
 * SIZE_MAX if either is longer than max_len (at most 200). No
 * allocation; O(strlen(a) * strlen(b)). */
size_t fsn_edit_distance(const char *a, const char *b, size_t max_len);

#endif
