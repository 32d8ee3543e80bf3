/*
 * error.h: error codes and the message buffer every fallible call fills.
 *
 * The library never prints, exits or aborts on user input. A fallible
 * function returns an fsn_err_t (0 is success) and, when it fails, writes a
 * one-line human message into an fsn_error_t the caller owns: the file,
 * line or JSON path at fault, and what was expected. The CLI is the only
 * code that prints it. The buffer is plain data in the caller's hands, so
 * there is no global "last error" and threads never share one.
 *
 * FSN_REQUIRE checks a programmer's precondition (a NULL where the contract
 * forbids one, an index out of range): it is an assert, compiled out with
 * NDEBUG, never used for anything a user can put in a file.
 */
#ifndef FISSION_ERROR_H
#define FISSION_ERROR_H

#include <assert.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fsn_err {
    FSN_OK = 0,
    FSN_ENOMEM = 1,   /* an allocation failed */
    FSN_EINVAL = 2,   /* bad argument or bad value in user input */
    FSN_EPARSE = 3,   /* malformed file (line / column in the message) */
    FSN_EIO = 4,      /* a file could not be opened, read or written */
    FSN_ERANGE = 5,   /* a size or count beyond what the structure can hold */
    FSN_ELIB = 6,     /* a third-party library (igraph, GSL) reported an error */
    FSN_ESTATE = 7    /* the call is not allowed in the object's current state */
} fsn_err_t;

#define FSN_ERROR_MSG_MAX 512

/* The caller-owned error record. Initialise with {0} or fsn_error_clear(). */
typedef struct fsn_error {
    fsn_err_t code;
    char msg[FSN_ERROR_MSG_MAX];
} fsn_error_t;

/* Reset to "no error". NULL is accepted. O(1). */
void fsn_error_clear(fsn_error_t *err);

/*
 * Record an error: sets err->code and formats the message (printf-style,
 * truncated to FSN_ERROR_MSG_MAX - 1 bytes). Returns code, so a call site
 * can read `return fsn_error_set(err, FSN_EINVAL, "...", ...);`.
 * err may be NULL (the code is still returned). O(length of message).
 */
fsn_err_t fsn_error_set(fsn_error_t *err, fsn_err_t code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A short fixed name for a code ("out of memory", "parse error", ...). */
const char *fsn_err_name(fsn_err_t code);

/* Programmer preconditions (asserts). Never for user input. */
#define FSN_REQUIRE(cond) assert(cond)

#ifdef __cplusplus
}
#endif
#endif /* FISSION_ERROR_H */
