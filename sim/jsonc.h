/*
 * jsonc.h: JSON with comments (internal).
 *
 * Scenario files and sweep files accept // and block comments. The
 * scenario parser (scenario.c) blanks them before cJSON sees the text;
 * these entry points let the sweep parser reuse exactly the same rules
 * and the same line:column reporting.
 */
#ifndef FISSION_JSONC_H
#define FISSION_JSONC_H

#include <stddef.h>

/* Comments (// to the end of the line, and block comments) outside
 * strings become blanks, newlines kept, so positions are still the
 * file's lines and columns. Returns the offset of an unterminated block
 * comment, or -1. O(len). */
long fsn_jsonc_blank_comments(char *t, size_t len);

/* The 1-based line and column of at within text. O(at - text). */
void fsn_jsonc_line_col(const char *text, const char *at, int *line, int *col);

#endif
