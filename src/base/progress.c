/* Progress reporting for long work (ingest of big files, model fitting). */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "ctx_internal.h"

void stad_set_progress(stad_ctx *ctx, stad_progress_fn fn, void *user)
{
    ctx->progress_fn = fn;
    ctx->progress_user = user;
}

int stad_progress(stad_ctx *ctx, const char *what, uint64_t done, uint64_t total)
{
    if (!ctx || !ctx->progress_fn)
        return 0;
    return ctx->progress_fn(ctx->progress_user, what, done, total) ? STAD_EINTERRUPTED : 0;
}

/* Redraws at most five times a second, and always at the end, so that progress
 * costs nothing measurable on a million rows. */
int stad_progress_terminal(void *user, const char *what, uint64_t done, uint64_t total)
{
    static struct timespec last;
    (void)user;
    if (!isatty(STDERR_FILENO))
        return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int finished = total && done >= total;
    long ms = (now.tv_sec - last.tv_sec) * 1000L + (now.tv_nsec - last.tv_nsec) / 1000000L;
    if (!finished && ms < 200)
        return 0;
    last = now;
    if (total) {
        int pct = (int)(done * 100 / total);
        int bar = pct / 4;
        fprintf(stderr, "\r%-24.24s [%.*s%*s] %3d%% %llu/%llu", what, bar,
                "#########################", 25 - bar, "", pct,
                (unsigned long long)done, (unsigned long long)total);
    } else {
        fprintf(stderr, "\r%-24.24s %llu", what, (unsigned long long)done);
    }
    if (finished)
        fputc('\n', stderr);
    return 0;
}
