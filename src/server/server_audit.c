/* The audit writer: requests queue their audit rows and session touches here, and
 * one thread writes them through the server's read-write connection in a single
 * transaction per second, so no request waits for SQLite's write lock (an ingest by
 * the watcher may hold it for seconds). Stopping the server writes what is queued;
 * a crash loses at most the last second (docs/privacy.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server_internal.h"

#define AUDIT_QUEUE_MAX 100000
#define AUDIT_BATCH 1000 /* rows that end the writer's gathering early */

typedef struct item {
    struct item *next;
    int touch; /* 1: a session's last_seen; 0: an audit row */
    int64_t t, rows;
    char token[STAD_TOKEN_LEN + 1];
    char actor[STAD_NAME_MAX + 8];
    char action[32];
    char route[64];
    char query[512];
    char sources[80];
    char outcome[16];
} item;

struct srv_audit {
    pthread_mutex_t mu;
    pthread_cond_t cv, done_cv;
    pthread_t thread;
    int running, stop, flush;
    item *head, *tail;
    size_t n;
    uint64_t queued, written; /* sequence numbers, for flush */
    size_t dropped;
};

static stad_audit_row audit_row_of(const item *it)
{
    return (stad_audit_row){.t = it->t, .actor = it->actor, .interface = "http",
                            .action = it->action, .route = it->route, .query = it->query,
                            .sources = it->sources, .rows = it->rows,
                            .outcome = it->outcome};
}

static void write_items(stad_server *srv, item *list)
{
    /* Audit rows go in order through one prepared statement, in runs between the
     * (rare) session touches. */
    stad_audit_row run[256];
    size_t n = 0;
    pthread_mutex_lock(&srv->wr_mu);
    int rc = stad_store_begin(srv->wr);
    for (item *it = list; it && !rc; it = it->next) {
        if (!it->touch) {
            run[n++] = audit_row_of(it);
            if (n == sizeof run / sizeof run[0]) {
                rc = stad_privacy_audit_rows(srv->wr, run, n);
                n = 0;
            }
            continue;
        }
        rc = stad_privacy_audit_rows(srv->wr, run, n);
        n = 0;
        if (!rc)
            rc = stad_privacy_session_touch(srv->wr, it->token, it->t);
    }
    if (!rc)
        rc = stad_privacy_audit_rows(srv->wr, run, n);
    if (!rc)
        rc = stad_store_commit(srv->wr);
    if (rc) {
        srv_log(srv, STAD_LOG_ERROR, "server: audit rows not written: %s",
                stad_errmsg(srv->wr_ctx));
        stad_store_rollback(srv->wr);
    }
    pthread_mutex_unlock(&srv->wr_mu);
}

static void *audit_main(void *arg)
{
    stad_server *srv = arg;
    srv_audit *a = srv->audit;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (!a->head && !a->stop)
            pthread_cond_wait(&a->cv, &a->mu);
        if (!a->head && a->stop)
            break;
        if (!a->stop) {
            /* Gather a second's worth (or until asked to flush) into one transaction. */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1;
            while (!a->stop && !a->flush && a->n < AUDIT_BATCH &&
                   pthread_cond_timedwait(&a->cv, &a->mu, &until) == 0)
                ;
        }
        item *list = a->head;
        uint64_t upto = a->queued;
        a->head = a->tail = NULL;
        a->n = 0;
        a->flush = 0;
        pthread_mutex_unlock(&a->mu);
        write_items(srv, list);
        while (list) {
            item *next = list->next;
            free(list);
            list = next;
        }
        pthread_mutex_lock(&a->mu);
        a->written = upto;
        pthread_cond_broadcast(&a->done_cv);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

int srv_audit_start(stad_server *srv)
{
    srv_audit *a = calloc(1, sizeof *a);
    if (!a)
        return STAD_ENOMEM;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    pthread_cond_init(&a->done_cv, NULL);
    srv->audit = a;
    if (pthread_create(&a->thread, NULL, audit_main, srv) != 0)
        return STAD_ENOMEM;
    a->running = 1;
    return 0;
}

void srv_audit_stop(stad_server *srv)
{
    srv_audit *a = srv->audit;
    if (!a)
        return;
    if (a->running) {
        pthread_mutex_lock(&a->mu);
        a->stop = 1;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->thread, NULL);
    }
    while (a->head) {
        item *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    if (a->dropped)
        srv_log(srv, STAD_LOG_ERROR, "server: %zu audit rows were dropped (queue full)",
                a->dropped);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    pthread_cond_destroy(&a->done_cv);
    free(a);
    srv->audit = NULL;
}

static void enqueue(stad_server *srv, item *it)
{
    srv_audit *a = srv->audit;
    if (!a) {
        free(it);
        return;
    }
    pthread_mutex_lock(&a->mu);
    if (a->n >= AUDIT_QUEUE_MAX || a->stop) {
        a->dropped++;
        free(it);
    } else {
        if (a->tail)
            a->tail->next = it;
        else
            a->head = it;
        a->tail = it;
        a->n++;
        a->queued++;
        /* The writer waits for a first row, then gathers for a second unless the
         * batch fills: waking it for every row would cost a context switch each. */
        if (a->n == 1 || a->n == AUDIT_BATCH)
            pthread_cond_signal(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
}

/* "k1=v1&k2=v2" in the order given, printable ASCII only, truncated to fit. */
static void query_text(const srv_req *rq, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < rq->n_params; i++) {
        int k = snprintf(buf + used, size - used, "%s%s=%s", i ? "&" : "", rq->params[i].key,
                         rq->params[i].value ? rq->params[i].value : "");
        if (k < 0 || (size_t)k >= size - used) {
            buf[used] = '\0';
            break;
        }
        used += (size_t)k;
    }
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
}

void srv_audit_request(srv_req *rq, const char *action, const char *outcome)
{
    item *it = calloc(1, sizeof *it);
    if (!it) {
        srv_log(rq->srv, STAD_LOG_ERROR, "server: out of memory for an audit row");
        return;
    }
    it->t = (int64_t)time(NULL);
    it->rows = rq->rows;
    snprintf(it->actor, sizeof it->actor, "%s", rq->authed ? rq->who.name : "-");
    snprintf(it->action, sizeof it->action, "%s", action);
    snprintf(it->route, sizeof it->route, "%s %s", rq->is_post ? "POST" : "GET", rq->route);
    /* Parameters are checked against each route's list before this; none names a
     * person (filters are kinds, periods, area codes, boxes, cell sizes). */
    query_text(rq, it->query, sizeof it->query);
    snprintf(it->sources, sizeof it->sources, "%s", rq->scope ? rq->scope->key : "");
    snprintf(it->outcome, sizeof it->outcome, "%s", outcome);
    enqueue(rq->srv, it);
}

void srv_audit_touch(stad_server *srv, const char *token)
{
    item *it = calloc(1, sizeof *it);
    if (!it)
        return;
    it->touch = 1;
    it->t = (int64_t)time(NULL);
    snprintf(it->token, sizeof it->token, "%s", token);
    enqueue(srv, it);
}

void srv_audit_flush(stad_server *srv)
{
    srv_audit *a = srv->audit;
    if (!a || !a->running)
        return;
    pthread_mutex_lock(&a->mu);
    uint64_t want = a->queued;
    while (a->written < want && !a->stop) {
        a->flush = 1; /* ends the writer's one-second gathering */
        pthread_cond_broadcast(&a->cv);
        pthread_cond_wait(&a->done_cv, &a->mu);
    }
    pthread_mutex_unlock(&a->mu);
}
