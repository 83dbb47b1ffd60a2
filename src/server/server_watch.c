/* The watch folder while serving: a thread of its own runs stad_watch_dir with its
 * own context and read-write store connection, and keeps the last reports for
 * /api/status so that a bad file shows in the dashboard instead of only in a log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "server/server_internal.h"
#include "stad/strbuf.h"

static int should_stop(void *user)
{
    stad_server *srv = user;
    return atomic_load(&srv->stopping);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void on_report(void *user, const char *path, int rc, const stad_ingest_report *r)
{
    stad_server *srv = user;
    srv_watch *w = &srv->watch;
    stad_strbuf msg = STAD_STRBUF_INIT;
    if (rc)
        stad_strbuf_append(&msg, stad_errmsg(w->ctx));
    else if (r->unchanged)
        stad_strbuf_printf(&msg, "unchanged (batch %lld)", (long long)r->batch_id);
    else
        stad_strbuf_printf(&msg, "batch %lld: %lld rows read, %lld accepted, %lld rejected%s",
                           (long long)r->batch_id, (long long)r->rows_read,
                           (long long)r->accepted, (long long)r->rejected,
                           r->replaced_batch ? " (replaces an earlier batch)" : "");
    /* Successful batches are logged by ingest itself; a failure is logged here (the
     * watcher leaves that to whoever takes the report) and kept for /api/status. */
    if (rc)
        stad_log(w->ctx, STAD_LOG_ERROR, "watch: %s", stad_strbuf_str(&msg));
    else if (!r->unchanged && srv->opendata_root)
        srv_opendata_publish(srv, w->ctx, w->store, NULL, srv->opendata_root);

    char *file = strdup(base_name(path));
    char *text = stad_strbuf_take(&msg);
    pthread_mutex_lock(&w->mu);
    srv_report *slot = &w->reports[w->next];
    free(slot->file);
    free(slot->message);
    slot->file = file;
    slot->message = text;
    slot->ok = rc == 0;
    slot->batch_id = rc == 0 && r ? r->batch_id : 0;
    slot->time = (int64_t)time(NULL);
    w->next = (w->next + 1) % SRV_STATUS_REPORTS;
    if (w->n < SRV_STATUS_REPORTS)
        w->n++;
    w->files++;
    pthread_mutex_unlock(&w->mu);
    stad_strbuf_free(&msg);
}

static void *watch_main(void *arg)
{
    stad_server *srv = arg;
    srv_watch *w = &srv->watch;
    const stad_ingest_opts *o = w->has_opts ? &w->opts : NULL;
    stad_ingest_opts def = {0};
    def.area_tolerance = -1;
    int rc = stad_watch_dir(w->ctx, w->store, w->dir, o ? o : &def, on_report, should_stop,
                            srv);
    if (rc && !atomic_load(&srv->stopping)) {
        srv_log(srv, STAD_LOG_ERROR, "watch stopped: %s", stad_errmsg(w->ctx));
        char *fatal = strdup(stad_errmsg(w->ctx));
        pthread_mutex_lock(&w->mu);
        free(w->fatal);
        w->fatal = fatal;
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

int srv_watch_start(stad_server *srv, stad_ctx *ctx, const char *dir,
                    const stad_ingest_opts *opts)
{
    srv_watch *w = &srv->watch;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return stad_fail(ctx, STAD_ENOTFOUND, "watch folder %s does not exist", dir);
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        return stad_fail(ctx, STAD_ENOMEM, "server: out of memory");
    srv->has_watch = 1;
    w->dir = strdup(dir);
    if (!w->dir || stad_ctx_new(&w->ctx) != 0)
        return stad_fail(ctx, STAD_ENOMEM, "server: out of memory");
    stad_set_logger(w->ctx, srv->log ? srv->log_level : STAD_LOG_QUIET, srv->log,
                    srv->log_user);
    int rc = stad_store_open(w->ctx, srv->pool.store_path, &w->store);
    if (rc)
        return stad_fail(ctx, rc, "%s", stad_errmsg(w->ctx));
    if (opts) {
        w->opts = *opts; /* its strings belong to the caller, who outlives the server */
        w->has_opts = 1;
    }
    if (pthread_create(&w->thread, NULL, watch_main, srv) != 0)
        return stad_fail(ctx, STAD_ENOMEM, "server: cannot start the watcher");
    w->running = 1;
    return 0;
}

void srv_watch_stop(stad_server *srv)
{
    if (!srv->has_watch)
        return;
    srv_watch *w = &srv->watch;
    atomic_store(&srv->stopping, 1);
    if (w->running)
        pthread_join(w->thread, NULL);
    w->running = 0;
    stad_store_close(w->store);
    stad_ctx_free(w->ctx);
    for (size_t i = 0; i < SRV_STATUS_REPORTS; i++) {
        free(w->reports[i].file);
        free(w->reports[i].message);
    }
    free(w->fatal);
    free(w->dir);
    pthread_mutex_destroy(&w->mu);
    srv->has_watch = 0;
}

static json_t *report_json(const srv_report *r)
{
    json_t *j = json_pack("{s:o, s:b, s:o, s:o}", "file", srv_json_str(r->file ? r->file : ""),
                          "ok", r->ok, "message",
                          srv_json_str(r->message ? r->message : ""), "time",
                          srv_json_utc(r->time));
    if (j && r->batch_id)
        json_object_set_new(j, "batch", json_integer(r->batch_id));
    return j;
}

json_t *srv_watch_json(stad_server *srv)
{
    if (!srv->has_watch)
        return json_null();
    srv_watch *w = &srv->watch;
    json_t *reports = json_array();
    pthread_mutex_lock(&w->mu);
    json_t *j = json_pack("{s:o, s:I, s:b}", "dir", srv_json_str(w->dir), "files", (json_int_t)w->files,
                          "running", w->fatal == NULL);
    /* newest first */
    for (size_t k = 0; k < w->n; k++) {
        size_t i = (w->next + SRV_STATUS_REPORTS - 1 - k) % SRV_STATUS_REPORTS;
        json_array_append_new(reports, report_json(&w->reports[i]));
    }
    if (j && w->n > 0)
        json_object_set_new(j, "last", report_json(&w->reports[(w->next + SRV_STATUS_REPORTS - 1) %
                                                                SRV_STATUS_REPORTS]));
    else if (j)
        json_object_set_new(j, "last", json_null());
    if (j && w->fatal)
        json_object_set_new(j, "error", srv_json_str(w->fatal));
    pthread_mutex_unlock(&w->mu);
    if (j)
        json_object_set_new(j, "reports", reports);
    else
        json_decref(reports);
    return j;
}
