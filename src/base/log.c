/* Logging through a callback, so the server can send lines to the journal and
 * tests can capture them. Messages must never carry personal identifiers. */
#include <stdio.h>

#include "ctx_internal.h"

static const char *level_name(int level)
{
    switch (level) {
    case STAD_LOG_DEBUG: return "debug";
    case STAD_LOG_INFO: return "info";
    case STAD_LOG_WARN: return "warning";
    default: return "error";
    }
}

void stad_log_stderr(void *user, int level, const char *msg)
{
    (void)user;
    fprintf(stderr, "stad: %s: %s\n", level_name(level), msg);
}

/* One logfmt line per message for the journal: "<6>level=info msg=\"...\"". The
 * <N> prefix is the syslog priority, which journald takes from a service's stderr, so
 * `journalctl -p warning` works; quotes, backslashes and newlines are escaped so one
 * message stays one line. */
void stad_log_journal(void *user, int level, const char *msg)
{
    (void)user;
    static const int prio[] = {7, 6, 4, 3}; /* debug, info, warning, err */
    int p = level >= STAD_LOG_DEBUG && level <= STAD_LOG_ERROR ? prio[level] : 3;
    char line[4200];
    size_t n = 0;
    for (const char *c = msg; *c && n < sizeof line - 3; c++) {
        char e = *c == '\n' ? 'n' : *c == '\r' ? 'r' : *c == '\t' ? 't' : 0;
        if (e || *c == '"' || *c == '\\') {
            line[n++] = '\\';
            line[n++] = e ? e : *c;
        } else {
            line[n++] = *c;
        }
    }
    line[n] = '\0';
    fprintf(stderr, "<%d>level=%s msg=\"%s\"\n", p, level_name(level), line);
}

void stad_set_logger(stad_ctx *ctx, int min_level, stad_log_fn fn, void *user)
{
    ctx->log_level = min_level;
    ctx->log_fn = fn;
    ctx->log_user = user;
}

int stad_log_level(const stad_ctx *ctx)
{
    return ctx ? ctx->log_level : STAD_LOG_QUIET;
}

void stad_log(stad_ctx *ctx, int level, const char *fmt, ...)
{
    if (!ctx || !ctx->log_fn || level < ctx->log_level)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx->log_fn(ctx->log_user, level, msg);
}
