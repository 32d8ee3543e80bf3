/*
 * graph_read.c: the edge-list and GraphML readers.
 *
 * Both readers stream: they append ties to an fsn_edges_t as they go and
 * hand it to fsn_csr_from_edges, which drops self-loops and merges
 * duplicates. Neither keeps the file in memory.
 *
 * File ids are mapped to dense user ids 0 .. n-1 in order of first
 * appearance by an open-addressing hash table private to each call. A
 * slot is one 64-bit word, the high 32 bits of the key's hash beside
 * (user + 1), 0 meaning empty; the key itself lives once in the label
 * array (edge list) or in a string arena (GraphML), so there is no
 * allocation per id and a probe looks at a key only when 32 bits of hash
 * already agree. Linear probing, load at most 0.7, doubling on growth.
 *
 * Numbers are parsed here rather than with strtod/strtoull so that the
 * result never depends on the caller's locale and the grammar is exactly
 * the documented one (no hex, no "inf", no leading blanks).
 *
 * GraphML goes through libxml2's xmlTextReader. libxml2's own error
 * reports are caught by a structured error handler set on the reader and
 * turned into the message, so nothing reaches stderr. Line numbers come
 * from the element being handled (xmlGetLineNo on the reader's current
 * node): the reader parses ahead in chunks, so the parser's line
 * (xmlTextReaderGetParserLineNumber) can be several lines past the
 * element and is used only when the node has no line. Beyond line 65535
 * libxml2 infers an element's line from the text that follows it, which
 * can be one line late.
 */
#include "fission/graph.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

/* ---- messages ------------------------------------------------------- */

/* Longest piece of user text quoted in a message. */
#define QUOTE_MAX 48

/* Length of the valid UTF-8 sequence at s[0..len), or 0 if there is none
 * (overlong forms and surrogates are not worth telling apart here). */
static size_t utf8_len(const unsigned char *s, size_t len) {
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || s[0] > 0xf4 || n > len) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return n;
}

/* Copy s[0..len) into out for quoting: control bytes and bytes that are
 * not UTF-8 become '?', and text longer than QUOTE_MAX bytes is cut (on a
 * character boundary) with "...". out must hold QUOTE_MAX + 4 bytes. */
static const char *quote(char *out, const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k = 0;
    while (i < len) {
        size_t n = u[i] < 0x80 ? 1 : utf8_len(u + i, len - i);
        if (k + (n ? n : 1) > QUOTE_MAX) break;
        if (n > 1) {
            memcpy(out + k, s + i, n);
            k += n;
            i += n;
        } else {
            out[k++] = (n == 0 || u[i] < 0x20 || u[i] == 0x7f) ? '?' : s[i];
            i++;
        }
    }
    if (i < len) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
    return out;
}

/* Record "PATH:LINE: <message>". */
static fsn_err_t fail_at(fsn_error_t *err, fsn_err_t code, const char *path, unsigned long line,
                         const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static fsn_err_t fail_at(fsn_error_t *err, fsn_err_t code, const char *path, unsigned long line,
                         const char *fmt, ...) {
    char buf[FSN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return fsn_error_set(err, code, "%s:%lu: %s", path, line, buf);
}

/* strerror without the shared static buffer (XSI strerror_r). */
static const char *errno_text(int e, char *buf, size_t cap) {
    if (strerror_r(e, buf, cap) != 0) snprintf(buf, cap, "error %d", e);
    return buf;
}

/* Open path for reading; a directory is refused here because fopen
 * accepts it on some systems and the read would then fail obscurely. */
static fsn_err_t open_input(const char *path, FILE **out, fsn_error_t *err) {
    char eb[128];
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return fsn_error_set(err, FSN_EIO, "%s: cannot open: %s", path,
                             errno_text(e, eb, sizeof eb));
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return fsn_error_set(err, FSN_EIO, "%s: cannot open: %s", path,
                             errno_text(EISDIR, eb, sizeof eb));
    }
    *out = f;
    return FSN_OK;
}

/* ---- numbers --------------------------------------------------------- */

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

/* Case-insensitive equality of s[0..len) and the lower-case word w. */
static int equals_word(const char *s, size_t len, const char *w) {
    size_t wl = strlen(w);
    if (len != wl) return 0;
    for (size_t i = 0; i < len; i++)
        if (lower(s[i]) != w[i]) return 0;
    return 1;
}

enum { ID_OK = 0, ID_NOT_INTEGER, ID_NEGATIVE, ID_TOO_LARGE };
#define ID_MAX ((uint64_t)INT64_MAX)

/* A user id: one or more digits 0-9, value at most 2^63 - 1. */
static int parse_id(const char *s, size_t len, uint64_t *out) {
    size_t i = 0;
    int neg = 0;
    if (len > 0 && s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i == len) return ID_NOT_INTEGER;
    uint64_t v = 0;
    int big = 0;
    for (; i < len; i++) {
        if (!is_digit(s[i])) return ID_NOT_INTEGER;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (ID_MAX - d) / 10) big = 1;
        else v = v * 10 + d;
    }
    if (neg) return ID_NEGATIVE;
    if (big) return ID_TOO_LARGE;
    *out = v;
    return ID_OK;
}

/*
 * A decimal number: [+-] digits [. digits] [(e|E) [+-] digits], at least
 * one digit in the mantissa. Exact (correctly rounded) when the first 19
 * significant digits carry the value and the scale is within 10^+-22,
 * which covers every weight anyone writes; otherwise within an ulp or so.
 * Returns 0 on success, -1 if s is not such a number.
 */
static int parse_decimal(const char *s, size_t len, double *out) {
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    uint64_t mant = 0;
    int ndig = 0, sig = 0;
    long scale = 0;
    for (; i < len && is_digit(s[i]); i++, ndig++) {
        if (sig < 19) {
            if (mant || s[i] != '0') {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                sig++;
            }
        } else {
            scale++;
        }
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && is_digit(s[i]); i++, ndig++) {
            if (sig < 19) {
                if (mant || s[i] != '0') {
                    mant = mant * 10 + (uint64_t)(s[i] - '0');
                    sig++;
                }
                scale--;
            }
        }
    }
    if (ndig == 0) return -1;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < len && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        if (i == len || !is_digit(s[i])) return -1;
        long ex = 0;
        for (; i < len && is_digit(s[i]); i++)
            if (ex < 100000) ex = ex * 10 + (s[i] - '0');
        scale += eneg ? -ex : ex;
    }
    if (i != len) return -1;
    double v;
    if (mant == 0) v = 0.0;
    else if (mant <= (UINT64_C(1) << 53) && scale >= 0 && scale <= 22) v = (double)mant * p10[scale];
    else if (mant <= (UINT64_C(1) << 53) && scale < 0 && scale >= -22) v = (double)mant / p10[-scale];
    else v = (double)mant * pow(10.0, (double)scale);
    *out = neg ? -v : v;
    return 0;
}

/* Check a weight field; on success *tie = round(w * 255). On failure
 * writes "expected ..., got '...'" (what) into msg and returns -1. */
static int parse_weight(const char *s, size_t len, const char *what, fsn_tie_t *tie, char *msg,
                        size_t cap) {
    char q[QUOTE_MAX + 4];
    double w;
    if (len == 0) {
        snprintf(msg, cap, "expected %s in [0, 1], got an empty field", what);
        return -1;
    }
    if (parse_decimal(s, len, &w) != 0) {
        size_t o = (s[0] == '+' || s[0] == '-') ? 1 : 0;
        if (equals_word(s + o, len - o, "nan") || equals_word(s + o, len - o, "inf") ||
            equals_word(s + o, len - o, "infinity"))
            snprintf(msg, cap, "expected %s that is a finite number in [0, 1], got '%s'", what,
                     quote(q, s, len));
        else
            snprintf(msg, cap, "expected %s (a decimal number in [0, 1]), got '%s'", what,
                     quote(q, s, len));
        return -1;
    }
    if (!(w >= 0.0 && w <= 1.0)) {
        snprintf(msg, cap, "expected %s in [0, 1], got '%s'", what, quote(q, s, len));
        return -1;
    }
    *tie = (fsn_tie_t)lround(w * 255.0);
    return 0;
}

/* ---- id table -------------------------------------------------------- */

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

static uint64_t hash_str(const char *s) {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return mix64(h);
}

typedef struct idmap {
    uint64_t *slot; /* 0 empty, else (hash & ~0xffffffff) | (user + 1) */
    size_t cap;     /* power of two, or 0 before the first insert */
    uint32_t count; /* users so far */
} idmap_t;

#define SLOT_HASH(h) ((h) & UINT64_C(0xffffffff00000000))
#define SLOT_USER(s) ((uint32_t)((s) & 0xffffffffu) - 1u)

/* Where the readers keep the keys, so that the table can rehash. */
typedef struct keys {
    const uint64_t *ids;         /* edge list: label[] */
    const char *arena;           /* GraphML: node id strings */
    const uint64_t *offset;      /* GraphML: start of each user's string */
} keys_t;

static uint64_t key_hash(const keys_t *k, uint32_t user) {
    if (k->ids) return mix64(k->ids[user]);
    return hash_str(k->arena + k->offset[user]);
}

/* Make room for one more user (load at most 0.7). */
static fsn_err_t idmap_reserve(idmap_t *m, const keys_t *k) {
    if (m->cap && ((uint64_t)m->count + 1) * 10 <= (uint64_t)m->cap * 7) return FSN_OK;
    size_t cap = m->cap ? m->cap * 2 : 1024;
    if (cap > SIZE_MAX / sizeof *m->slot) return FSN_ENOMEM;
    uint64_t *slot = calloc(cap, sizeof *slot);
    if (!slot) return FSN_ENOMEM;
    for (uint32_t u = 0; u < m->count; u++) {
        uint64_t h = key_hash(k, u);
        size_t i = (size_t)h & (cap - 1);
        while (slot[i]) i = (i + 1) & (cap - 1);
        slot[i] = SLOT_HASH(h) | ((uint64_t)u + 1);
    }
    free(m->slot);
    m->slot = slot;
    m->cap = cap;
    return FSN_OK;
}

/* ---- edge list ------------------------------------------------------- */

typedef struct el_reader {
    const char *path;
    fsn_error_t *err;
    idmap_t map;
    uint64_t *label; /* original id of each user */
    size_t label_cap;
    fsn_edges_t edges;
} el_reader_t;

/* The user of file id `id`, created if new. */
static fsn_err_t el_user(el_reader_t *r, uint64_t id, unsigned long line, fsn_vid_t *out) {
    uint64_t h = mix64(id);
    idmap_t *m = &r->map;
    if (m->cap) {
        size_t i = (size_t)h & (m->cap - 1);
        for (uint64_t s; (s = m->slot[i]) != 0; i = (i + 1) & (m->cap - 1)) {
            if (SLOT_HASH(s) == SLOT_HASH(h) && r->label[SLOT_USER(s)] == id) {
                *out = SLOT_USER(s);
                return FSN_OK;
            }
        }
    }
    if (m->count == FSN_VID_MAX)
        return fail_at(r->err, FSN_ERANGE, r->path, line,
                       "expected at most %lu distinct users, got more (id %llu is one too many)",
                       (unsigned long)FSN_VID_MAX, (unsigned long long)id);
    if (m->count == r->label_cap) {
        size_t cap = r->label_cap ? r->label_cap + r->label_cap / 2 : 1024;
        if (cap > FSN_VID_MAX) cap = FSN_VID_MAX;
        uint64_t *l = realloc(r->label, cap * sizeof *l);
        if (!l) goto nomem;
        r->label = l;
        r->label_cap = cap;
    }
    keys_t k = {.ids = r->label};
    if (idmap_reserve(m, &k)) goto nomem;
    size_t i = (size_t)h & (m->cap - 1);
    while (m->slot[i]) i = (i + 1) & (m->cap - 1);
    m->slot[i] = SLOT_HASH(h) | ((uint64_t)m->count + 1);
    r->label[m->count] = id;
    *out = m->count++;
    return FSN_OK;
nomem:
    return fail_at(r->err, FSN_ENOMEM, r->path, line, "out of memory after %lu users",
                   (unsigned long)m->count);
}

static int is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

typedef struct field {
    const char *s;
    size_t len;
} field_t;

/* Split a line (NUL-terminated, no other NUL) into fields separated by
 * blanks or by a comma with optional blanks around it. Stores up to 4
 * fields, returns how many there are in all. */
static size_t split_fields(const char *p, field_t f[4]) {
    size_t nf = 0;
    while (is_blank(*p)) p++;
    for (;;) {
        const char *start = p;
        while (*p && *p != ',' && !is_blank(*p)) p++;
        if (nf < 4) f[nf] = (field_t){start, (size_t)(p - start)};
        nf++;
        while (is_blank(*p)) p++;
        if (*p == ',') {
            p++;
            while (is_blank(*p)) p++;
        } else if (*p == '\0') {
            break;
        }
    }
    return nf;
}

/* Parse one user id field into a user. */
static fsn_err_t el_id_field(el_reader_t *r, const field_t *f, unsigned long line,
                             fsn_vid_t *out) {
    char q[QUOTE_MAX + 4];
    uint64_t id = 0;
    if (f->len == 0)
        return fail_at(r->err, FSN_EPARSE, r->path, line,
                       "expected an integer id, got an empty field");
    switch (parse_id(f->s, f->len, &id)) {
    case ID_NOT_INTEGER:
        return fail_at(r->err, FSN_EPARSE, r->path, line,
                       "expected an integer id (digits 0-9), got '%s'", quote(q, f->s, f->len));
    case ID_NEGATIVE:
        return fail_at(r->err, FSN_EPARSE, r->path, line, "expected a non-negative id, got '%s'",
                       quote(q, f->s, f->len));
    case ID_TOO_LARGE:
        return fail_at(r->err, FSN_EPARSE, r->path, line,
                       "expected an id at most %llu, got '%s'", (unsigned long long)ID_MAX,
                       quote(q, f->s, f->len));
    default:
        return el_user(r, id, line, out);
    }
}

/* Could this field be the start of a number (so the line is not a header)? */
static int looks_numeric(const field_t *f) {
    if (f->len == 0) return 1;
    char c = f->s[0];
    return is_digit(c) || c == '-' || c == '+' || c == '.';
}

/* One non-blank, non-comment line. *header_ok is cleared after the first. */
static fsn_err_t el_line(el_reader_t *r, const char *text, unsigned long line, int *header_ok) {
    char q[QUOTE_MAX + 4], msg[FSN_ERROR_MSG_MAX];
    field_t f[4];
    size_t nf = split_fields(text, f);
    int first = *header_ok;
    *header_ok = 0;
    if (first && !looks_numeric(&f[0])) return FSN_OK; /* "source,target,weight" */
    fsn_vid_t u, v;
    fsn_tie_t tie = FSN_TIE_DEFAULT;
    fsn_err_t rc = el_id_field(r, &f[0], line, &u);
    if (rc) return rc;
    if (nf < 2)
        return fail_at(r->err, FSN_EPARSE, r->path, line,
                       "expected a second id after '%s', got end of line",
                       quote(q, f[0].s, f[0].len));
    rc = el_id_field(r, &f[1], line, &v);
    if (rc) return rc;
    if (nf > 3)
        return fail_at(r->err, FSN_EPARSE, r->path, line,
                       "expected at most 3 fields (u v [w]), got %zu, the 4th being '%s'", nf,
                       quote(q, f[3].s, f[3].len));
    if (nf == 3 && parse_weight(f[2].s, f[2].len, "a weight", &tie, msg, sizeof msg) != 0)
        return fail_at(r->err, FSN_EPARSE, r->path, line, "%s", msg);
    r->edges.n = r->map.count;
    if (fsn_edges_push(&r->edges, u, v, tie, FSN_TIE_OTHER))
        return fail_at(r->err, FSN_ENOMEM, r->path, line, "out of memory after %zu ties",
                       r->edges.len);
    return FSN_OK;
}

/* Turn the staged ties into *g with labels, or fail if there are none. */
static fsn_err_t finish_graph(fsn_csr_t *g, fsn_edges_t *e, uint32_t n, uint64_t **label,
                              const char *path, fsn_error_t *err) {
    if (e->len == 0) return fsn_error_set(err, FSN_EPARSE, "%s: no ties found", path);
    e->n = n;
    fsn_err_t rc = fsn_csr_from_edges(g, e, err);
    if (rc) return rc;
    if (g->m == 0) {
        fsn_csr_destroy(g);
        return fsn_error_set(err, FSN_EPARSE, "%s: no ties found (every tie is a self-loop)",
                             path);
    }
    uint64_t *l = realloc(*label, (size_t)n * sizeof *l); /* shrink; n > 0 here */
    g->label = l ? l : *label;
    *label = NULL;
    return FSN_OK;
}

fsn_err_t fsn_graph_read_edgelist(fsn_csr_t *g, const char *path, fsn_error_t *err) {
    FSN_REQUIRE(g && path);
    memset(g, 0, sizeof *g);
    FILE *f;
    fsn_err_t rc = open_input(path, &f, err);
    if (rc) return rc;
    el_reader_t r = {.path = path, .err = err};
    fsn_edges_init(&r.edges, 0);
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    int header_ok = 1;
    for (;;) {
        errno = 0;
        ssize_t len = getline(&line, &cap, f);
        if (len < 0) {
            int e = errno;
            if (e == ENOMEM) {
                rc = fail_at(err, FSN_ENOMEM, path, lineno + 1, "out of memory reading the line");
            } else if (ferror(f)) {
                char eb[128];
                rc = fsn_error_set(err, FSN_EIO, "%s: cannot read: %s", path,
                                   errno_text(e ? e : EIO, eb, sizeof eb));
            }
            break;
        }
        lineno++;
        const char *nul = memchr(line, '\0', (size_t)len);
        if (nul) {
            rc = fail_at(err, FSN_EPARSE, path, lineno,
                         "expected text, got a NUL byte at column %zu (binary file?)",
                         (size_t)(nul - line) + 1);
            break;
        }
        const char *p = line;
        while (is_blank(*p)) p++;
        if (*p == '\0' || *p == '#' || *p == '%') continue;
        rc = el_line(&r, p, lineno, &header_ok);
        if (rc) break;
    }
    free(line);
    fclose(f);
    free(r.map.slot);
    if (!rc) rc = finish_graph(g, &r.edges, r.map.count, &r.label, path, err);
    fsn_edges_destroy(&r.edges);
    free(r.label);
    return rc;
}

/* ---- GraphML --------------------------------------------------------- */

typedef struct gm_reader {
    const char *path;
    fsn_error_t *err;
    xmlTextReaderPtr xr;
    /* libxml2's first error, caught by the handler */
    int xml_failed;
    unsigned long xml_line;
    char xml_msg[256];
    /* users: the table, id strings, declaration order, first line seen */
    idmap_t map;
    char *arena;
    size_t arena_len, arena_cap;
    uint64_t *offset; /* start of each user's id in arena */
    uint64_t *label;  /* 0-based order of the user's <node>, UINT64_MAX if none yet */
    uint32_t *seen;   /* line of the user's <node>, or of its first edge until then */
    size_t user_cap;
    uint64_t declared;
    fsn_edges_t edges;
    /* the weight key */
    xmlChar *weight_key;
    fsn_tie_t default_tie;
    /* text being collected for a weight (<data>) or a default (<default>) */
    int collect_depth; /* depth of the element whose text is collected, -1 none */
    int collect_default;
    unsigned long collect_line;
    char *text;
    size_t text_len, text_cap;
    int key_depth;     /* depth of the open weight <key>, -1 none */
    int in_edge_depth; /* depth of the last <edge> while open, -1 none */
} gm_reader_t;

#if LIBXML_VERSION >= 21200
typedef const xmlError *gm_xml_error_t;
#else
typedef xmlErrorPtr gm_xml_error_t;
#endif

static void gm_on_xml_error(void *arg, gm_xml_error_t e) {
    gm_reader_t *r = arg;
    if (!e || e->level < XML_ERR_ERROR || r->xml_failed) return;
    r->xml_failed = 1;
    r->xml_line = e->line > 0 ? (unsigned long)e->line : 0;
    const char *m = e->message ? e->message : "unknown error";
    size_t len = strlen(m);
    while (len > 0 && is_blank(m[len - 1])) len--;
    if (len >= sizeof r->xml_msg) len = sizeof r->xml_msg - 1;
    memcpy(r->xml_msg, m, len);
    r->xml_msg[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)r->xml_msg[i] < 0x20) r->xml_msg[i] = ' ';
}

/* Line of the reader's current node. */
static unsigned long gm_line(gm_reader_t *r) {
    xmlNodePtr node = xmlTextReaderCurrentNode(r->xr);
    long line = node ? xmlGetLineNo(node) : -1;
    if (line <= 0) line = xmlTextReaderGetParserLineNumber(r->xr);
    return line > 0 ? (unsigned long)line : 0;
}

static fsn_err_t gm_nomem(gm_reader_t *r) {
    return fail_at(r->err, FSN_ENOMEM, r->path, gm_line(r), "out of memory after %lu nodes",
                   (unsigned long)r->map.count);
}

/* Find the user named id; *out = FSN_VID_MAX if there is none. */
static void gm_find(const gm_reader_t *r, const char *id, uint64_t h, fsn_vid_t *out,
                    size_t *slot) {
    const idmap_t *m = &r->map;
    *out = FSN_VID_MAX;
    *slot = 0;
    if (!m->cap) return;
    size_t i = (size_t)h & (m->cap - 1);
    for (uint64_t s; (s = m->slot[i]) != 0; i = (i + 1) & (m->cap - 1)) {
        if (SLOT_HASH(s) == SLOT_HASH(h) && strcmp(r->arena + r->offset[SLOT_USER(s)], id) == 0) {
            *out = SLOT_USER(s);
            break;
        }
    }
    *slot = i;
}

/* The user named id, created (undeclared) if new. */
static fsn_err_t gm_user(gm_reader_t *r, const char *id, unsigned long line, fsn_vid_t *out) {
    uint64_t h = hash_str(id);
    size_t slot;
    gm_find(r, id, h, out, &slot);
    if (*out != FSN_VID_MAX) return FSN_OK;
    idmap_t *m = &r->map;
    if (m->count == FSN_VID_MAX)
        return fail_at(r->err, FSN_ERANGE, r->path, line,
                       "expected at most %lu distinct nodes, got more",
                       (unsigned long)FSN_VID_MAX);
    size_t len = strlen(id) + 1;
    if (r->arena_cap - r->arena_len < len) {
        size_t cap = r->arena_cap ? r->arena_cap * 2 : 4096;
        while (cap - r->arena_len < len) cap *= 2;
        char *a = realloc(r->arena, cap);
        if (!a) return gm_nomem(r);
        r->arena = a;
        r->arena_cap = cap;
    }
    if (m->count == r->user_cap) {
        size_t cap = r->user_cap ? r->user_cap + r->user_cap / 2 : 1024;
        if (cap > FSN_VID_MAX) cap = FSN_VID_MAX;
        uint64_t *o = realloc(r->offset, cap * sizeof *o);
        if (!o) return gm_nomem(r);
        r->offset = o;
        uint64_t *l = realloc(r->label, cap * sizeof *l);
        if (!l) return gm_nomem(r);
        r->label = l;
        uint32_t *s = realloc(r->seen, cap * sizeof *s);
        if (!s) return gm_nomem(r);
        r->seen = s;
        r->user_cap = cap;
    }
    memcpy(r->arena + r->arena_len, id, len);
    r->offset[m->count] = r->arena_len;
    r->arena_len += len;
    r->label[m->count] = UINT64_MAX;
    r->seen[m->count] = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
    if (m->cap == 0 || ((uint64_t)m->count + 1) * 10 > (uint64_t)m->cap * 7) {
        keys_t k = {.arena = r->arena, .offset = r->offset};
        if (idmap_reserve(m, &k)) return gm_nomem(r);
        slot = (size_t)h & (m->cap - 1);
        while (m->slot[slot]) slot = (slot + 1) & (m->cap - 1);
    }
    m->slot[slot] = SLOT_HASH(h) | ((uint64_t)m->count + 1);
    *out = m->count++;
    return FSN_OK;
}

static xmlChar *gm_attr(gm_reader_t *r, const char *name) {
    return xmlTextReaderGetAttribute(r->xr, (const xmlChar *)name);
}

static fsn_err_t gm_missing(gm_reader_t *r, const char *attr, const char *elem) {
    return fail_at(r->err, FSN_EPARSE, r->path, gm_line(r),
                   "expected %s attribute on <%s>, got none", attr, elem);
}

static fsn_err_t gm_node(gm_reader_t *r) {
    char q[QUOTE_MAX + 4];
    unsigned long line = gm_line(r);
    xmlChar *id = gm_attr(r, "id");
    if (!id) return gm_missing(r, "an id", "node");
    fsn_vid_t u;
    fsn_err_t rc = gm_user(r, (const char *)id, line, &u);
    if (!rc && r->label[u] != UINT64_MAX)
        rc = fail_at(r->err, FSN_EPARSE, r->path, line,
                     "expected a unique node id, got '%s' again (first declared on line %lu)",
                     quote(q, (const char *)id, strlen((const char *)id)),
                     (unsigned long)r->seen[u]);
    if (!rc) {
        r->label[u] = r->declared++;
        r->seen[u] = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
    }
    xmlFree(id);
    return rc;
}

static fsn_err_t gm_edge(gm_reader_t *r) {
    unsigned long line = gm_line(r);
    xmlChar *src = gm_attr(r, "source"), *dst = gm_attr(r, "target");
    fsn_err_t rc = FSN_OK;
    fsn_vid_t u = 0, v = 0;
    if (!src) rc = gm_missing(r, "a source", "edge");
    else if (!dst) rc = gm_missing(r, "a target", "edge");
    if (!rc) rc = gm_user(r, (const char *)src, line, &u);
    if (!rc) rc = gm_user(r, (const char *)dst, line, &v);
    xmlFree(src);
    xmlFree(dst);
    if (rc) return rc;
    r->edges.n = r->map.count;
    if (fsn_edges_push(&r->edges, u, v, r->default_tie, FSN_TIE_OTHER))
        return fail_at(r->err, FSN_ENOMEM, r->path, line, "out of memory after %zu edges",
                       r->edges.len);
    return FSN_OK;
}

static fsn_err_t gm_key(gm_reader_t *r, int depth, int empty) {
    if (r->weight_key) return FSN_OK; /* the first weight key wins */
    xmlChar *name = gm_attr(r, "attr.name"), *dom = gm_attr(r, "for");
    int is_weight = name && equals_word((const char *)name, strlen((const char *)name), "weight") &&
                    (!dom || xmlStrEqual(dom, (const xmlChar *)"edge") ||
                     xmlStrEqual(dom, (const xmlChar *)"all"));
    xmlFree(name);
    xmlFree(dom);
    if (!is_weight) return FSN_OK;
    r->weight_key = gm_attr(r, "id");
    if (!r->weight_key) return gm_missing(r, "an id", "key");
    if (!empty) r->key_depth = depth;
    return FSN_OK;
}

/* Start collecting the text of the current element (a weight). */
static fsn_err_t gm_collect(gm_reader_t *r, int depth, int empty, int is_default);

static fsn_err_t gm_text_done(gm_reader_t *r) {
    char msg[FSN_ERROR_MSG_MAX];
    const char *s = r->text ? r->text : "";
    size_t len = r->text_len;
    while (len > 0 && is_blank(s[len - 1])) len--;
    while (len > 0 && is_blank(*s)) s++, len--;
    int is_default = r->collect_default;
    unsigned long line = r->collect_line;
    r->collect_depth = -1;
    fsn_tie_t tie;
    if (parse_weight(s, len, is_default ? "a default weight" : "an edge weight", &tie, msg,
                     sizeof msg) != 0)
        return fail_at(r->err, FSN_EPARSE, r->path, line, "%s", msg);
    if (is_default) r->default_tie = tie;
    else r->edges.tie[r->edges.len - 1] = tie;
    return FSN_OK;
}

static fsn_err_t gm_collect(gm_reader_t *r, int depth, int empty, int is_default) {
    r->collect_default = is_default;
    r->collect_line = gm_line(r);
    r->text_len = 0;
    if (empty) return gm_text_done(r);
    r->collect_depth = depth;
    return FSN_OK;
}

static fsn_err_t gm_append_text(gm_reader_t *r) {
    const xmlChar *t = xmlTextReaderConstValue(r->xr);
    if (!t) return FSN_OK;
    size_t len = strlen((const char *)t);
    if (r->text_cap - r->text_len < len + 1) {
        size_t cap = r->text_cap ? r->text_cap * 2 : 64;
        while (cap - r->text_len < len + 1) cap *= 2;
        char *p = realloc(r->text, cap);
        if (!p) return gm_nomem(r);
        r->text = p;
        r->text_cap = cap;
    }
    memcpy(r->text + r->text_len, t, len + 1);
    r->text_len += len;
    return FSN_OK;
}

/* One element start. */
static fsn_err_t gm_element(gm_reader_t *r, int *root_seen) {
    const char *name = (const char *)xmlTextReaderConstLocalName(r->xr);
    int depth = xmlTextReaderDepth(r->xr);
    int empty = xmlTextReaderIsEmptyElement(r->xr) == 1;
    if (!name) return gm_nomem(r);
    if (!*root_seen) {
        *root_seen = 1;
        if (strcmp(name, "graphml") != 0) {
            char q[QUOTE_MAX + 4];
            return fail_at(r->err, FSN_EPARSE, r->path, gm_line(r),
                           "expected a <graphml> root element, got <%s>",
                           quote(q, name, strlen(name)));
        }
        return FSN_OK;
    }
    if (strcmp(name, "node") == 0) return gm_node(r);
    if (strcmp(name, "edge") == 0) {
        fsn_err_t rc = gm_edge(r);
        if (!rc && !empty) r->in_edge_depth = depth;
        return rc;
    }
    if (strcmp(name, "key") == 0) return gm_key(r, depth, empty);
    if (strcmp(name, "default") == 0 && r->key_depth >= 0 && depth == r->key_depth + 1)
        return gm_collect(r, depth, empty, 1);
    if (strcmp(name, "data") == 0 && r->weight_key && r->in_edge_depth >= 0 &&
        depth == r->in_edge_depth + 1) {
        xmlChar *key = gm_attr(r, "key");
        int is_weight = key && xmlStrEqual(key, r->weight_key);
        xmlFree(key);
        if (is_weight) return gm_collect(r, depth, empty, 0);
    }
    return FSN_OK;
}

static fsn_err_t gm_end_element(gm_reader_t *r) {
    int depth = xmlTextReaderDepth(r->xr);
    if (depth == r->collect_depth) return gm_text_done(r);
    if (depth == r->key_depth) r->key_depth = -1;
    if (depth == r->in_edge_depth) r->in_edge_depth = -1;
    return FSN_OK;
}

/* Every user named by an edge must have a <node>; report the earliest. */
static fsn_err_t gm_check_declared(gm_reader_t *r) {
    uint32_t bad = FSN_VID_MAX;
    for (uint32_t u = 0; u < r->map.count; u++)
        if (r->label[u] == UINT64_MAX && (bad == FSN_VID_MAX || r->seen[u] < r->seen[bad]))
            bad = u;
    if (bad == FSN_VID_MAX) return FSN_OK;
    char q[QUOTE_MAX + 4];
    const char *id = r->arena + r->offset[bad];
    return fail_at(r->err, FSN_EPARSE, r->path, r->seen[bad],
                   "expected an edge endpoint declared by a <node>, got unknown node id '%s'",
                   quote(q, id, strlen(id)));
}

static fsn_err_t gm_run(gm_reader_t *r) {
    int root_seen = 0, ret;
    fsn_err_t rc = FSN_OK;
    while ((ret = xmlTextReaderRead(r->xr)) == 1 && !r->xml_failed) {
        switch (xmlTextReaderNodeType(r->xr)) {
        case XML_READER_TYPE_ELEMENT:
            rc = gm_element(r, &root_seen);
            break;
        case XML_READER_TYPE_END_ELEMENT:
            rc = gm_end_element(r);
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (r->collect_depth >= 0) rc = gm_append_text(r);
            break;
        default:
            break;
        }
        if (rc) return rc;
    }
    if (ret < 0 || r->xml_failed) {
        if (r->xml_failed) {
            unsigned long line = r->xml_line ? r->xml_line : gm_line(r);
            return fail_at(r->err, FSN_EPARSE, r->path, line, "malformed XML: %s", r->xml_msg);
        }
        return fail_at(r->err, FSN_EPARSE, r->path, gm_line(r),
                       "malformed XML (libxml2 gave no reason)");
    }
    if (!root_seen)
        return fail_at(r->err, FSN_EPARSE, r->path, gm_line(r),
                       "expected a <graphml> root element, got none");
    return gm_check_declared(r);
}

fsn_err_t fsn_graph_read_graphml(fsn_csr_t *g, const char *path, fsn_error_t *err) {
    FSN_REQUIRE(g && path);
    memset(g, 0, sizeof *g);
    FILE *f;
    fsn_err_t rc = open_input(path, &f, err);
    if (rc) return rc;
    fclose(f);
    xmlInitParser();
    gm_reader_t r = {.path = path,
                     .err = err,
                     .default_tie = FSN_TIE_DEFAULT,
                     .collect_depth = -1,
                     .key_depth = -1,
                     .in_edge_depth = -1};
    fsn_edges_init(&r.edges, 0);
    r.xr = xmlReaderForFile(path, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_BIG_LINES);
    if (!r.xr)
        return fsn_error_set(err, FSN_EIO, "%s: cannot open: libxml2 could not start reading it",
                             path);
    xmlTextReaderSetStructuredErrorHandler(r.xr, gm_on_xml_error, &r);
    rc = gm_run(&r);
    xmlFreeTextReader(r.xr);
    xmlFree(r.weight_key);
    free(r.map.slot);
    free(r.arena);
    free(r.offset);
    free(r.seen);
    free(r.text);
    if (!rc) rc = finish_graph(g, &r.edges, r.map.count, &r.label, path, err);
    fsn_edges_destroy(&r.edges);
    free(r.label);
    return rc;
}

/* ---- dispatch -------------------------------------------------------- */

fsn_err_t fsn_graph_read(fsn_csr_t *g, const char *path, fsn_error_t *err) {
    FSN_REQUIRE(g && path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot && (equals_word(dot, strlen(dot), ".graphml") || equals_word(dot, strlen(dot), ".xml")))
        return fsn_graph_read_graphml(g, path, err);
    return fsn_graph_read_edgelist(g, path, err);
}
