/* GET /api/changes: server-sent events. A monitor thread reads the data version once a
 * second (borrowing a store connection only for that read) and wakes the streams;
 * a stream with nothing to say suspends its connection, so it holds neither a pool
 * thread nor a store connection while it waits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server_internal.h"

#define KEEPALIVE_MS 15000
#define POLL_MS 1000
#define MAX_STREAMS 256

struct srv_sse {
    stad_server *srv;
    struct MHD_Connection *conn;
    int64_t sent_version;  /* -1 before the first event */
    int64_t last_send_ms;
    int suspended;
    char out[160];         /* what is still to be written */
    size_t out_len, out_off;
    struct srv_sse *prev, *next;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Called by MHD (a pool thread) whenever the connection can take more bytes. */
static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    srv_sse *s = cls;
    stad_server *srv = s->srv;
    pthread_mutex_lock(&srv->sse_mu);
    if (atomic_load(&srv->stopping)) {
        pthread_mutex_unlock(&srv->sse_mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (s->out_off >= s->out_len) {
        int64_t v = atomic_load(&srv->version), t = now_ms();
        int n = 0;
        if (v != s->sent_version) {
            n = snprintf(s->out, sizeof s->out,
                         "%sevent: data\ndata: {\"data_version\":%lld}\n\n",
                         s->sent_version < 0 ? "retry: 2000\n" : "", (long long)v);
            s->sent_version = v;
        } else if (t - s->last_send_ms >= KEEPALIVE_MS) {
            n = snprintf(s->out, sizeof s->out, ": keepalive\n\n");
        }
        if (n <= 0) {
            /* Nothing to say: step out of MHD's loop until the monitor wakes us.
             * Suspending under the lock orders it before the monitor's resume. */
            s->suspended = 1;
            MHD_suspend_connection(s->conn);
            pthread_mutex_unlock(&srv->sse_mu);
            return 0;
        }
        s->out_len = (size_t)n < sizeof s->out ? (size_t)n : sizeof s->out - 1;
        s->out_off = 0;
        s->last_send_ms = t;
    }
    size_t n = s->out_len - s->out_off;
    if (n > max)
        n = max;
    memcpy(buf, s->out + s->out_off, n);
    s->out_off += n;
    pthread_mutex_unlock(&srv->sse_mu);
    return (ssize_t)n;
}

/* The response is freed when its connection ends: take the stream off the list. */
static void sse_free(void *cls)
{
    srv_sse *s = cls;
    stad_server *srv = s->srv;
    pthread_mutex_lock(&srv->sse_mu);
    if (s->prev)
        s->prev->next = s->next;
    else
        srv->sse = s->next;
    if (s->next)
        s->next->prev = s->prev;
    srv->n_sse--;
    pthread_mutex_unlock(&srv->sse_mu);
    free(s);
}

enum MHD_Result srv_sse_start(srv_req *rq)
{
    stad_server *srv = rq->srv;
    srv_sse *s = calloc(1, sizeof *s);
    if (!s) {
        srv_fail(rq, 503, NULL, "out of memory");
        return srv_respond_error(rq);
    }
    s->srv = srv;
    s->conn = rq->conn;
    s->sent_version = -1;
    s->last_send_ms = now_ms();
    pthread_mutex_lock(&srv->sse_mu);
    if (atomic_load(&srv->stopping) || srv->n_sse >= MAX_STREAMS) {
        pthread_mutex_unlock(&srv->sse_mu);
        free(s);
        srv_fail(rq, 503, NULL, "too many open event streams");
        return srv_respond_error(rq);
    }
    s->next = srv->sse;
    if (srv->sse)
        srv->sse->prev = s;
    srv->sse = s;
    srv->n_sse++;
    pthread_mutex_unlock(&srv->sse_mu);

    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, sse_read, s, sse_free);
    if (!r) {
        sse_free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    enum MHD_Result ret = MHD_queue_response(rq->conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    rq->status = 200;
    return ret;
}

static void wake_streams(stad_server *srv)
{
    pthread_mutex_lock(&srv->sse_mu);
    for (srv_sse *s = srv->sse; s; s = s->next)
        if (s->suspended) {
            s->suspended = 0;
            MHD_resume_connection(s->conn);
        }
    pthread_mutex_unlock(&srv->sse_mu);
}

static void *monitor_main(void *arg)
{
    stad_server *srv = arg;
    pthread_mutex_lock(&srv->mon_mu);
    while (!atomic_load(&srv->stopping)) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += POLL_MS / 1000;
        pthread_cond_timedwait(&srv->mon_cv, &srv->mon_mu, &until);
        if (atomic_load(&srv->stopping))
            break;
        pthread_mutex_unlock(&srv->mon_mu);
        srv_conn *c = srv_pool_acquire(&srv->pool);
        int64_t v;
        if (c && stad_store_data_version(c->store, &v) == 0)
            atomic_store(&srv->version, v);
        srv_pool_release(&srv->pool, c);
        /* Every second, not only on change: the streams also owe keepalives. */
        wake_streams(srv);
        pthread_mutex_lock(&srv->mon_mu);
    }
    pthread_mutex_unlock(&srv->mon_mu);
    return NULL;
}

int srv_monitor_start(stad_server *srv)
{
    if (pthread_create(&srv->monitor, NULL, monitor_main, srv) != 0)
        return STAD_ENOMEM;
    srv->monitor_running = 1;
    return 0;
}

void srv_monitor_stop(stad_server *srv)
{
    atomic_store(&srv->stopping, 1);
    if (srv->monitor_running) {
        pthread_mutex_lock(&srv->mon_mu);
        pthread_cond_signal(&srv->mon_cv);
        pthread_mutex_unlock(&srv->mon_mu);
        pthread_join(srv->monitor, NULL);
        srv->monitor_running = 0;
    }
    /* Resume every stream so it can end; wait (bounded) until MHD has closed them. */
    for (int i = 0; i < 200; i++) {
        wake_streams(srv);
        pthread_mutex_lock(&srv->sse_mu);
        size_t n = srv->n_sse;
        pthread_mutex_unlock(&srv->sse_mu);
        if (n == 0)
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}
