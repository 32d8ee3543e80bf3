/*
 * error.c: the message buffer behind fsn_error_t.
 *
 * Nothing here is global: the record belongs to the caller. Formatting uses
 * vsnprintf into the fixed buffer, so a long message is truncated, never
 * overflowed, and no allocation can fail while reporting a failure.
 */
#include "fission/error.h"

#include <stdarg.h>
#include <stdio.h>

void fsn_error_clear(fsn_error_t *err) {
    if (!err) return;
    err->code = FSN_OK;
    err->msg[0] = '\0';
}

fsn_err_t fsn_error_set(fsn_error_t *err, fsn_err_t code, const char *fmt, ...) {
    if (!err) return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *fsn_err_name(fsn_err_t code) {
    switch (code) {
    case FSN_OK: return "success";
    case FSN_ENOMEM: return "out of memory";
    case FSN_EINVAL: return "invalid value";
    case FSN_EPARSE: return "parse error";
    case FSN_EIO: return "input/output error";
    case FSN_ERANGE: return "out of range";
    case FSN_ELIB: return "library error";
    case FSN_ESTATE: return "invalid state";
    }
    return "unknown error";
}
