/* The context object: last error, logger and progress callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx_internal.h"

int stad_ctx_new(stad_ctx **out)
{
    stad_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return STAD_ENOMEM;
    ctx->log_level = STAD_LOG_INFO;
    ctx->log_fn = stad_log_stderr;
    *out = ctx;
    return 0;
}

void stad_ctx_free(stad_ctx *ctx)
{
    free(ctx);
}

int stad_fail(stad_ctx *ctx, int code, const char *fmt, ...)
{
    if (!ctx)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    ctx->errcode = code;
    return code;
}

const char *stad_errmsg(const stad_ctx *ctx)
{
    if (!ctx)
        return "";
    if (!ctx->errmsg[0] && ctx->errcode)
        return stad_strerror(ctx->errcode);
    return ctx->errmsg;
}

void stad_clear_error(stad_ctx *ctx)
{
    if (ctx) {
        ctx->errmsg[0] = '\0';
        ctx->errcode = 0;
    }
}
