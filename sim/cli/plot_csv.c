/*
 * cli/plot_csv.c: the tables of fission plot, read and written.
 *
 * fission plot reads small CSV files a run or a sweep wrote
 * (compare.csv, replicates.csv, timeseries.csv, cascades.csv,
 * groups.csv, points.csv, sensitivity.csv) and writes, for each figure,
 * a small CSV table gnuplot reads. Both ends are here. The reader is a
 * whole-file one: the file is read into memory and its fields cut in
 * place, so a table is one allocation for the text and one for the
 * field pointers, and a field is a C string until csv_free. It accepts
 * RFC 4180 quoting, LF or CRLF and blank lines, and refuses a row whose
 * field count differs from the header's, naming the file and the line,
 * so a malformed table is bad input (exit 2) and never a wrong figure.
 *
 * The writers put numbers in the form gnuplot reads back (%.10g, NaN
 * for a missing point) and text with no separator in it, into a text
 * buffer (text.h) that the figure code then writes atomically.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

void csv_free(csv_t *t) {
    free(t->text);
    free(t->f);
    memset(t, 0, sizeof *t);
}

static int csv_push(csv_t *t, char *field) {
    if (t->nf == t->capf) {
        size_t cap = t->capf ? 2 * t->capf : 256;
        char **p = realloc(t->f, cap * sizeof *p);
        if (!p) return -1;
        t->f = p;
        t->capf = cap;
    }
    t->f[t->nf++] = field;
    return 0;
}

/* See plot.h. Fields are cut in place in the file's text: a quoted
 * field only shrinks, so its unquoted value fits where it stood. */
int csv_read(csv_t *t, const char *path, char *why, size_t whylen) {
    memset(t, 0, sizeof *t);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (errno == ENOENT) return 0;
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 65536, len = 0;
    char *s = malloc(cap);
    for (;;) {
        if (!s) break;
        if (len + 1 >= cap) {
            char *p = realloc(s, cap * 2);
            if (!p) {
                free(s);
                s = NULL;
                break;
            }
            s = p;
            cap *= 2;
        }
        size_t k = fread(s + len, 1, cap - len - 1, fp);
        len += k;
        if (k == 0) break;
    }
    int rerr = ferror(fp);
    fclose(fp);
    if (!s || rerr) {
        free(s);
        snprintf(why, whylen, "%s: %s", path, rerr ? "read error" : "out of memory");
        return -1;
    }
    s[len] = 0;
    t->text = s;
    size_t line = 1, i = 0, fields_in_row = 0;
    while (i < len) {
        /* one row */
        if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] == '\n')) {   /* blank line */
            i += s[i] == '\r' ? 2 : 1;
            line++;
            continue;
        }
        fields_in_row = 0;
        for (;;) {
            char *w = s + i, *field = w;
            if (s[i] == '"') {
                const size_t qline = line;
                i++;
                for (;;) {
                    if (i >= len) {
                        snprintf(why, whylen, "%s:%zu: a quoted field is not closed", path, qline);
                        csv_free(t);
                        return -1;
                    }
                    if (s[i] == '"') {
                        if (s[i + 1] == '"') {
                            *w++ = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (s[i] == '\n') line++;
                    *w++ = s[i++];
                }
            } else {
                while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') *w++ = s[i++];
            }
            int end_row = i >= len || s[i] == '\n' || s[i] == '\r';
            if (!end_row && s[i] != ',') {
                snprintf(why, whylen, "%s:%zu: unexpected text after a quoted field", path, line);
                csv_free(t);
                return -1;
            }
            /* step over the separator before cutting the field: the
             * write end w may sit on it (fields only shrink in place) */
            if (i < len) i += (s[i] == '\r' && s[i + 1] == '\n') ? 2 : 1;
            *w = 0;
            if (csv_push(t, field)) {
                snprintf(why, whylen, "%s: out of memory", path);
                csv_free(t);
                return -1;
            }
            fields_in_row++;
            if (end_row) break;
        }
        if (t->nrows == 0) {
            t->ncols = fields_in_row;
        } else if (fields_in_row != t->ncols) {
            snprintf(why, whylen, "%s:%zu: %zu fields, expected %zu as in the header", path, line, fields_in_row,
                     t->ncols);
            csv_free(t);
            return -1;
        }
        t->nrows++;
        line++;
    }
    if (t->nrows == 0) {
        snprintf(why, whylen, "%s: empty, expected a header line", path);
        csv_free(t);
        return -1;
    }
    return 1;
}

const char *csv_cell(const csv_t *t, size_t r, size_t c) { return t->f[r * t->ncols + c]; }

long csv_col(const csv_t *t, const char *name) {
    for (size_t c = 0; c < t->ncols; c++)
        if (!strcmp(csv_cell(t, 0, c), name)) return (long)c;
    return -1;
}

double csv_num(const char *s) {
    if (!*s) return NAN;
    char *end;
    double x = strtod(s, &end);
    return *end ? NAN : x;
}

int csv_is_num(const char *s) {
    if (!*s) return 0;
    char *end;
    (void)strtod(s, &end);
    return *end == 0;
}

void plot_num(fsn_tb_t *b, double x) {
    if (isnan(x)) fsn_tb_printf(b, "NaN");
    else if (isinf(x)) fsn_tb_printf(b, x > 0 ? "1e308" : "-1e308");
    else fsn_tb_printf(b, "%.10g", x);
}

void plot_nums(fsn_tb_t *b, const double *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i) fsn_tb_printf(b, ",");
        plot_num(b, v[i]);
    }
}

void plot_row(fsn_tb_t *b, const double *v, size_t n) {
    plot_nums(b, v, n);
    fsn_tb_printf(b, "\n");
}

void plot_text(fsn_tb_t *b, const char *s) {
    for (; *s && !b->fail; s++) fsn_tb_printf(b, "%c", (*s == ',' || *s == '"' || *s == '\n' || *s == '\r') ? ' ' : *s);
}

int plot_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
