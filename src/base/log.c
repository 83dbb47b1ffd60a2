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
