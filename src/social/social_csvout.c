/* CSV output written to a temporary file and renamed when complete, so that a half
 * written extract is never mistaken for a finished one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "social_internal.h"

int social_csv_open(stad_ctx *ctx, const char *path, social_csv *w)
{
    memset(w, 0, sizeof *w);
    stad_strbuf t = STAD_STRBUF_INIT;
    stad_strbuf_printf(&t, "%s.tmp", path);
    w->path = strdup(path);
    w->tmp = stad_strbuf_take(&t);
    if (!w->path || !w->tmp) {
        free(w->path);
        free(w->tmp);
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    w->f = fopen(w->tmp, "w");
    if (!w->f) {
        int e = errno;
        free(w->path);
        free(w->tmp);
        memset(w, 0, sizeof *w);
        return stad_fail(ctx, STAD_EIO, "%s: %s", path, strerror(e));
    }
    return 0;
}

int social_csv_row(stad_ctx *ctx, social_csv *w, const char *const *cells, size_t n)
{
    stad_strbuf_clear(&w->line);
    for (size_t i = 0; i < n; i++) {
        if (i)
            stad_strbuf_append_char(&w->line, ',');
        stad_strbuf_append_csv(&w->line, cells[i] ? cells[i] : "");
    }
    stad_strbuf_append_char(&w->line, '\n');
    if (w->line.oom)
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    if (fwrite(w->line.s, 1, w->line.len, w->f) != w->line.len)
        return stad_fail(ctx, STAD_EIO, "%s: cannot write", w->path);
    return 0;
}

int social_csv_close(stad_ctx *ctx, social_csv *w, int ok)
{
    int rc = 0;
    if (w->f) {
        if (fflush(w->f) != 0 || fsync(fileno(w->f)) != 0)
            ok = ok && !(rc = stad_fail(ctx, STAD_EIO, "%s: cannot write", w->path));
        fclose(w->f);
        if (ok && rename(w->tmp, w->path) != 0)
            rc = stad_fail(ctx, STAD_EIO, "%s: %s", w->path, strerror(errno));
        if (!ok || rc)
            unlink(w->tmp);
    }
    free(w->path);
    free(w->tmp);
    stad_strbuf_free(&w->line);
    memset(w, 0, sizeof *w);
    return rc;
}
