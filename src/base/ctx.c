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
    if (!ctx)
        return;
    for (int i = 0; i < STAD_CACHE_N_; i++)
        if (ctx->cache[i] && ctx->cache_free[i])
            ctx->cache_free[i](ctx->cache[i]);
    free(ctx);
}

void *stad_ctx_cache(const stad_ctx *ctx, int slot)
{
    return ctx && slot >= 0 && slot < STAD_CACHE_N_ ? ctx->cache[slot] : NULL;
}

void stad_ctx_set_cache(stad_ctx *ctx, int slot, void *p, void (*free_fn)(void *))
{
    if (!ctx || slot < 0 || slot >= STAD_CACHE_N_)
        return;
    if (ctx->cache[slot] && ctx->cache[slot] != p && ctx->cache_free[slot])
        ctx->cache_free[slot](ctx->cache[slot]);
    ctx->cache[slot] = p;
    ctx->cache_free[slot] = free_fn;
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
