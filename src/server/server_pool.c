/* A pool of (context, read-only store connection) pairs: SQLite connections are not
 * shared between threads, and opening one per request would cost a migration check
 * each time. A request borrows a pair and gives it back when it is done. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

int srv_pool_init(srv_pool *p, const char *store_path, size_t max_free, stad_log_fn log,
                  void *log_user, int log_level)
{
    memset(p, 0, sizeof *p);
    p->store_path = strdup(store_path);
    if (!p->store_path)
        return STAD_ENOMEM;
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p->store_path);
        p->store_path = NULL;
        return STAD_ENOMEM;
    }
    p->max_free = max_free;
    p->log = log;
    p->log_user = log_user;
    p->log_level = log_level;
    return 0;
}

static void conn_free(srv_conn *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->begin);
    sqlite3_finalize(c->rollback);
    stad_store_close(c->store);
    stad_ctx_free(c->ctx);
    free(c);
}

static srv_conn *conn_open(srv_pool *p)
{
    srv_conn *c = calloc(1, sizeof *c);
    if (!c || stad_ctx_new(&c->ctx) != 0) {
        free(c);
        return NULL;
    }
    /* The default logger writes to stderr; without a logger the server is silent. */
    stad_set_logger(c->ctx, p->log ? p->log_level : STAD_LOG_QUIET, p->log, p->log_user);
    if (stad_store_open(c->ctx, p->store_path, &c->store) != 0) {
        stad_log(c->ctx, STAD_LOG_ERROR, "server: %s", stad_errmsg(c->ctx));
        conn_free(c);
        return NULL;
    }
    /* Requests only read; a bug in a handler must not be able to write. */
    sqlite3 *db = stad_store_db(c->store);
    sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL);
    if (sqlite3_prepare_v3(db, "BEGIN", -1, SQLITE_PREPARE_PERSISTENT, &c->begin, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v3(db, "ROLLBACK", -1, SQLITE_PREPARE_PERSISTENT, &c->rollback,
                           NULL) != SQLITE_OK) {
        stad_log(c->ctx, STAD_LOG_ERROR, "server: %s", sqlite3_errmsg(db));
        conn_free(c);
        return NULL;
    }
    return c;
}

srv_conn *srv_pool_acquire(srv_pool *p)
{
    pthread_mutex_lock(&p->mu);
    srv_conn *c = p->free_list;
    if (c) {
        p->free_list = c->next;
        p->n_free--;
    }
    pthread_mutex_unlock(&p->mu);
    if (!c)
        c = conn_open(p);
    else
        stad_clear_error(c->ctx);
    if (c)
        c->next = NULL;
    return c;
}

void srv_conn_begin(srv_conn *c)
{
    sqlite3_step(c->begin);
    sqlite3_reset(c->begin);
}

void srv_pool_release(srv_pool *p, srv_conn *c)
{
    if (!c)
        return;
    /* A handler that failed half-way may have left its read transaction open. */
    if (!sqlite3_get_autocommit(stad_store_db(c->store))) {
        sqlite3_step(c->rollback);
        sqlite3_reset(c->rollback);
    }
    pthread_mutex_lock(&p->mu);
    if (p->n_free < p->max_free) {
        c->next = p->free_list;
        p->free_list = c;
        p->n_free++;
        c = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    conn_free(c); /* more than the pool keeps: close it */
}

void srv_pool_destroy(srv_pool *p)
{
    if (!p->store_path)
        return;
    srv_conn *c = p->free_list;
    while (c) {
        srv_conn *next = c->next;
        conn_free(c);
        c = next;
    }
    p->free_list = NULL;
    pthread_mutex_destroy(&p->mu);
    free(p->store_path);
    p->store_path = NULL;
}
