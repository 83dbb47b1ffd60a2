/* stad — base layer: error codes, context, logging, progress.
 *
 * Ownership rule of the whole API: whatever a stad_*_new/_open/_load function hands
 * out through an out pointer belongs to the caller and is released with the matching
 * _free/_close function; every destructor accepts NULL. Strings passed in are copied
 * when kept. Strings returned as `const char *` belong to the object they came from.
 */
#ifndef STAD_BASE_H
#define STAD_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One table for every error code: the enum, stad_strerror and stad_err_name
 * are all generated from it. Functions return 0 or one of these (negative). */
#define STAD_ERRORS(X)                                                        \
    X(NOMEM, -1, "out of memory")                                             \
    X(IO, -2, "input/output error")                                           \
    X(PARSE, -3, "cannot parse input")                                        \
    X(INVAL, -4, "invalid argument")                                          \
    X(NOTFOUND, -5, "not found")                                              \
    X(STORE, -6, "store error")                                               \
    X(GEO, -7, "geometry or projection error")                                \
    X(FORMAT, -8, "unreadable or unsupported file")                           \
    X(SCHEMA, -9, "store was made by a newer version of stad")                \
    X(COLUMNS, -10, "required columns missing")                               \
    X(EMPTY, -11, "no data")                                                  \
    X(INTERRUPTED, -12, "interrupted")                                        \
    X(RANGE, -13, "value out of range")                                       \
    X(DENIED, -14, "access denied")                                           \
    X(AGAIN, -15, "too many attempts; try again later")

enum stad_error {
    STAD_OK = 0,
#define STAD_ERR_ENUM_(name, code, msg) STAD_E##name = (code),
    STAD_ERRORS(STAD_ERR_ENUM_)
#undef STAD_ERR_ENUM_
};

/* Human message for a code ("out of memory"); never NULL. */
const char *stad_strerror(int code);
/* Symbolic name for a code ("STAD_ENOMEM"); never NULL. */
const char *stad_err_name(int code);

/* Log levels, lowest is most verbose. */
enum stad_log_level {
    STAD_LOG_DEBUG = 0,
    STAD_LOG_INFO = 1,
    STAD_LOG_WARN = 2,
    STAD_LOG_ERROR = 3,
    STAD_LOG_QUIET = 4
};

typedef void (*stad_log_fn)(void *user, int level, const char *msg);

/* Progress of long work: `done` of `total` units (total 0 = unknown).
 * Return non-zero to ask the work to stop (it then fails with STAD_EINTERRUPTED). */
typedef int (*stad_progress_fn)(void *user, const char *what, uint64_t done,
                                uint64_t total);

/* The context is passed first to everything. It owns the last error message,
 * the logger and the progress callback. One context per thread. */
typedef struct stad_ctx stad_ctx;

int stad_ctx_new(stad_ctx **out);
void stad_ctx_free(stad_ctx *ctx);

/* Records an error message (printf-style) and returns `code`, so callers write
 * `return stad_fail(ctx, STAD_EPARSE, "%s:%d: ...", file, line);`. */
int stad_fail(stad_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Last error message, or "" if none; owned by ctx, valid until the next failure. */
const char *stad_errmsg(const stad_ctx *ctx);
void stad_clear_error(stad_ctx *ctx);

void stad_set_logger(stad_ctx *ctx, int min_level, stad_log_fn fn, void *user);
int stad_log_level(const stad_ctx *ctx);
void stad_log(stad_ctx *ctx, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The default logger: "stad: level: message" on stderr. */
void stad_log_stderr(void *user, int level, const char *msg);
/* For the journal: "<prio>level=info msg=\"...\"" on stderr, one line per message. */
void stad_log_journal(void *user, int level, const char *msg);

void stad_set_progress(stad_ctx *ctx, stad_progress_fn fn, void *user);
/* Reports progress; returns STAD_EINTERRUPTED if the callback asked to stop. */
int stad_progress(stad_ctx *ctx, const char *what, uint64_t done, uint64_t total);
/* A progress callback that draws a bar on stderr when it is a terminal, and
 * prints nothing otherwise. `user` is unused. */
int stad_progress_terminal(void *user, const char *what, uint64_t done,
                           uint64_t total);

/* Per-context caches for objects that are expensive to make and safe to reuse on the
 * context's thread (PROJ contexts and transformations). Each module owns a slot; the
 * context frees what is left in a slot with its free function. */
enum stad_ctx_cache_slot { STAD_CACHE_GEO = 0, STAD_CACHE_N_ };
void *stad_ctx_cache(const stad_ctx *ctx, int slot);
void stad_ctx_set_cache(stad_ctx *ctx, int slot, void *p, void (*free_fn)(void *));

#ifdef __cplusplus
}
#endif
#endif
