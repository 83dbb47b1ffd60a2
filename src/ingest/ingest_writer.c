/* The writing half of an ingest, on a thread of its own.
 *
 * Reading, parsing, projecting and checking a row costs about as much as SQLite's
 * insert of it, so the two halves run side by side: the reader fills chunks of rows,
 * the writer thread inserts them, in order, in the one transaction of the batch. Rows
 * are copied into the chunk (their strings too), so the reader can reuse its buffers
 * at once. During the batch the store belongs to the writer: it runs with a context
 * of its own, and its first error is handed back when the batch is finished. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_internal.h"

#define CHUNK_ROWS 512
#define N_CHUNKS 4

enum { ROW_EVENT, ROW_ASSET, ROW_REJECT };

typedef struct wrow {
    int type;
    union {
        stad_event_row event;
        stad_asset_row asset;
        stad_reject_row reject;
    } u;
    size_t off[7]; /* string offsets into the chunk's text; (size_t)-1 = NULL */
} wrow;

typedef struct chunk {
    wrow rows[CHUNK_ROWS];
    size_t n;
    stad_strbuf text;
    struct chunk *next;
} chunk;

struct ingest_writer {
    stad_store *s;
    stad_ctx *wctx, *owner_ctx;
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    chunk *full_head, *full_tail; /* waiting to be written, in order */
    chunk *free_list;
    chunk *filling;               /* the reader's current chunk */
    int closing;                  /* no more chunks will come */
    int rc;                       /* first error of the writer; it then skips rows */
    chunk all[N_CHUNKS];
};

static size_t put(chunk *c, const char *s)
{
    if (!s)
        return (size_t)-1;
    size_t off = c->text.len;
    stad_strbuf_append(&c->text, s);
    stad_strbuf_append_char(&c->text, '\0');
    return off;
}

static const char *get(const chunk *c, size_t off)
{
    return off == (size_t)-1 ? NULL : c->text.s + off;
}

static int write_chunk(ingest_writer *w, chunk *c)
{
    for (size_t i = 0; i < c->n; i++) {
        wrow *r = &c->rows[i];
        int rc;
        if (r->type == ROW_EVENT) {
            stad_event_row e = r->u.event;
            e.ext_id = get(c, r->off[0]);
            e.kind = get(c, r->off[1]);
            e.category = get(c, r->off[2]);
            e.street = get(c, r->off[3]);
            e.house_number = get(c, r->off[4]);
            e.postcode = get(c, r->off[5]);
            e.attrs = get(c, r->off[6]);
            rc = stad_store_event_insert(w->s, &e);
        } else if (r->type == ROW_ASSET) {
            stad_asset_row a = r->u.asset;
            a.kind = get(c, r->off[0]);
            a.ext_id = get(c, r->off[1]);
            a.attrs = get(c, r->off[2]);
            rc = stad_store_asset_insert(w->s, &a);
        } else {
            stad_reject_row j = r->u.reject;
            j.column = get(c, r->off[0]);
            j.reason = get(c, r->off[1]);
            j.raw = get(c, r->off[2]);
            rc = stad_store_reject_insert(w->s, &j);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static void *writer_main(void *arg)
{
    ingest_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->full_head && !w->closing)
            pthread_cond_wait(&w->cv, &w->mu);
        chunk *c = w->full_head;
        if (!c)
            break; /* closing and drained */
        w->full_head = c->next;
        if (!w->full_head)
            w->full_tail = NULL;
        int failed = w->rc;
        pthread_mutex_unlock(&w->mu);
        int rc = failed ? 0 : write_chunk(w, c);
        pthread_mutex_lock(&w->mu);
        if (rc && !w->rc)
            w->rc = rc;
        c->n = 0;
        stad_strbuf_clear(&c->text);
        c->next = w->free_list;
        w->free_list = c;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int ingest_writer_start(stad_ctx *ctx, stad_store *s, ingest_writer **out)
{
    *out = NULL;
    ingest_writer *w = calloc(1, sizeof *w);
    if (!w)
        return stad_fail(ctx, STAD_ENOMEM, "ingest: out of memory");
    w->s = s;
    if (stad_ctx_new(&w->wctx)) {
        free(w);
        return stad_fail(ctx, STAD_ENOMEM, "ingest: out of memory");
    }
    stad_set_logger(w->wctx, stad_log_level(ctx), stad_log_stderr, NULL);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    for (int i = 0; i < N_CHUNKS; i++) {
        w->all[i].next = w->free_list;
        w->free_list = &w->all[i];
    }
    w->owner_ctx = stad_store_set_ctx(s, w->wctx);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        stad_store_set_ctx(s, w->owner_ctx);
        ingest_writer_free(w);
        return stad_fail(ctx, STAD_ENOMEM, "ingest: cannot start the writer thread");
    }
    w->started = 1;
    *out = w;
    return 0;
}

/* Queues the reader's chunk for the writer (with w->mu held). */
static void hand_over(ingest_writer *w)
{
    w->filling->next = NULL;
    if (w->full_tail)
        w->full_tail->next = w->filling;
    else
        w->full_head = w->filling;
    w->full_tail = w->filling;
    w->filling = NULL;
    pthread_cond_broadcast(&w->cv);
}

/* The chunk to add a row to; hands a full one to the writer first. */
static chunk *room(ingest_writer *w)
{
    if (w->filling && w->filling->n < CHUNK_ROWS)
        return w->filling;
    pthread_mutex_lock(&w->mu);
    if (w->filling)
        hand_over(w);
    while (!w->free_list)
        pthread_cond_wait(&w->cv, &w->mu);
    w->filling = w->free_list;
    w->free_list = w->filling->next;
    pthread_mutex_unlock(&w->mu);
    return w->filling;
}

static int added(ingest_writer *w, chunk *c)
{
    if (c->text.oom)
        return STAD_ENOMEM;
    c->n++;
    return 0;
}

int ingest_writer_event(ingest_writer *w, const stad_event_row *e)
{
    chunk *c = room(w);
    wrow *r = &c->rows[c->n];
    r->type = ROW_EVENT;
    r->u.event = *e;
    r->off[0] = put(c, e->ext_id);
    r->off[1] = put(c, e->kind);
    r->off[2] = put(c, e->category);
    r->off[3] = put(c, e->street);
    r->off[4] = put(c, e->house_number);
    r->off[5] = put(c, e->postcode);
    r->off[6] = put(c, e->attrs);
    return added(w, c);
}

int ingest_writer_asset(ingest_writer *w, const stad_asset_row *a)
{
    chunk *c = room(w);
    wrow *r = &c->rows[c->n];
    r->type = ROW_ASSET;
    r->u.asset = *a;
    r->off[0] = put(c, a->kind);
    r->off[1] = put(c, a->ext_id);
    r->off[2] = put(c, a->attrs);
    return added(w, c);
}

int ingest_writer_reject(ingest_writer *w, const stad_reject_row *j)
{
    chunk *c = room(w);
    wrow *r = &c->rows[c->n];
    r->type = ROW_REJECT;
    r->u.reject = *j;
    r->off[0] = put(c, j->column);
    r->off[1] = put(c, j->reason);
    r->off[2] = put(c, j->raw);
    return added(w, c);
}

int ingest_writer_failed(ingest_writer *w)
{
    pthread_mutex_lock(&w->mu);
    int rc = w->rc;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int ingest_writer_finish(ingest_writer *w)
{
    if (!w->started)
        return 0;
    pthread_mutex_lock(&w->mu);
    if (w->filling && w->filling->n) {
        hand_over(w);
    } else if (w->filling) {
        w->filling->next = w->free_list;
        w->free_list = w->filling;
        w->filling = NULL;
    }
    w->closing = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    w->started = 0;
    stad_store_set_ctx(w->s, w->owner_ctx);
    if (w->rc)
        stad_fail(w->owner_ctx, w->rc, "%s", stad_errmsg(w->wctx));
    return w->rc;
}

void ingest_writer_free(ingest_writer *w)
{
    if (!w)
        return;
    ingest_writer_finish(w);
    for (int i = 0; i < N_CHUNKS; i++)
        stad_strbuf_free(&w->all[i].text);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    stad_ctx_free(w->wctx);
    free(w);
}
