/*
 * text.c: numbers and strings as text (see text.h).
 */
#include "text.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fsn_num_text(char *buf, size_t size, double x) {
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (prec == 17 || strtod(buf, NULL) == x) return;
    }
}

void fsn_tb_printf(fsn_tb_t *b, const char *fmt, ...) {
    if (b->fail) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->fail = 1;
            return;
        }
        if (b->s && b->len + (size_t)k < b->cap) {
            b->len += (size_t)k;
            return;
        }
        size_t nc = b->cap ? b->cap * 2 : 4096;
        while (nc < b->len + (size_t)k + 1) nc *= 2;
        char *q = realloc(b->s, nc);
        if (!q) {
            b->fail = 1;
            return;
        }
        b->s = q;
        b->cap = nc;
    }
}

void fsn_tb_num(fsn_tb_t *b, double x, const char *nonfinite) {
    if (!isfinite(x)) {
        fsn_tb_printf(b, "%s", nonfinite);
        return;
    }
    char t[40];
    fsn_num_text(t, sizeof t, x);
    fsn_tb_printf(b, "%s", t);
}

void fsn_tb_json_str(fsn_tb_t *b, const char *s) {
    fsn_tb_printf(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fsn_tb_printf(b, "\\%c", c);
        else if (c < 0x20) fsn_tb_printf(b, "\\u%04x", c);
        else fsn_tb_printf(b, "%c", c);
    }
    fsn_tb_printf(b, "\"");
}

void fsn_tb_csv_str(fsn_tb_t *b, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        fsn_tb_printf(b, "%s", s);
        return;
    }
    fsn_tb_printf(b, "\"");
    for (; *s; s++) fsn_tb_printf(b, *s == '"' ? "\"\"" : "%c", *s);
    fsn_tb_printf(b, "\"");
}

size_t fsn_edit_distance(const char *a, const char *b, size_t max_len) {
    assert(a && b && max_len <= 200);
    size_t la = strlen(a), lb = strlen(b);
    if (la > max_len || lb > max_len) return SIZE_MAX;
    size_t prev[201], cur[201];
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}
