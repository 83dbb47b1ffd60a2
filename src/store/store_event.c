/* Events: insert one at a time (cached statement, inside the caller's
 * transaction) and read them back through a filter. */
#include <stdlib.h>

#include "store/store_internal.h"

int stad_store_event_insert(stad_store *s, const stad_event_row *e)
{
    if (!e || !e->kind || !*e->kind)
        return stad_fail(s->ctx, STAD_EINVAL, "event has no kind");
    if (e->t_to < e->t_from)
        return stad_fail(s->ctx, STAD_EINVAL, "event line %lld ends before it starts",
                         (long long)e->line);
    if (e->count < 0)
        return stad_fail(s->ctx, STAD_EINVAL, "event line %lld has count %d",
                         (long long)e->line, (int)e->count);
    int rc = store_prepare_cached(
        s,
        "INSERT INTO event(batch_id, line, ext_id, kind, category, t_from, t_to, "
        "x, y, lon, lat, wijk_id, buurt_id, street, house_number, postcode, count, attrs) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &s->st_event_insert, "preparing event insert");
    if (rc)
        return rc;
    sqlite3_stmt *st = s->st_event_insert;
    sqlite3_bind_int64(st, 1, e->batch_id);
    sqlite3_bind_int64(st, 2, e->line);
    store_bind_text(st, 3, e->ext_id);
    sqlite3_bind_text(st, 4, e->kind, -1, SQLITE_STATIC);
    store_bind_text(st, 5, e->category);
    sqlite3_bind_int64(st, 6, e->t_from);
    sqlite3_bind_int64(st, 7, e->t_to);
    if (e->has_xy) {
        sqlite3_bind_double(st, 8, e->x);
        sqlite3_bind_double(st, 9, e->y);
        sqlite3_bind_double(st, 10, e->lon);
        sqlite3_bind_double(st, 11, e->lat);
    } /* else left NULL: clear_bindings ran in store_prepare_cached */
    store_bind_id(st, 12, e->wijk_id);
    store_bind_id(st, 13, e->buurt_id);
    store_bind_text(st, 14, e->street);
    store_bind_text(st, 15, e->house_number);
    store_bind_text(st, 16, e->postcode);
    /* A zeroed row means one event: count 0 is taken as 1. */
    sqlite3_bind_int(st, 17, e->count > 0 ? e->count : 1);
    store_bind_text(st, 18, e->attrs);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_fail_sql(s, "storing event");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

void store_event_from_row(sqlite3_stmt *st, stad_event_row *e)
{
    e->id = sqlite3_column_int64(st, 0);
    e->batch_id = sqlite3_column_int64(st, 1);
    e->line = sqlite3_column_int64(st, 2);
    e->ext_id = store_col_text_or_null(st, 3);
    e->kind = store_col_text(st, 4);
    e->category = store_col_text(st, 5);
    e->t_from = sqlite3_column_int64(st, 6);
    e->t_to = sqlite3_column_int64(st, 7);
    e->has_xy = sqlite3_column_type(st, 8) != SQLITE_NULL;
    e->x = sqlite3_column_double(st, 8);
    e->y = sqlite3_column_double(st, 9);
    e->lon = sqlite3_column_double(st, 10);
    e->lat = sqlite3_column_double(st, 11);
    e->wijk_id = sqlite3_column_int64(st, 12);
    e->buurt_id = sqlite3_column_int64(st, 13);
    e->street = store_col_text_or_null(st, 14);
    e->house_number = store_col_text_or_null(st, 15);
    e->postcode = store_col_text_or_null(st, 16);
    e->count = sqlite3_column_int(st, 17);
    e->attrs = store_col_text_or_null(st, 18);
}

int stad_store_events_each(stad_store *s, const stad_event_filter *f,
                           int (*cb)(void *, const stad_event_row *), void *user)
{
    stad_strbuf sql = STAD_STRBUF_INIT;
    stad_strbuf_append(&sql, "SELECT " STORE_EVENT_COLUMNS " FROM event e");
    int rc = store_filter_sql(s, f, &sql);
    if (!rc)
        stad_strbuf_append(&sql, " ORDER BY e.t_from, e.id LIMIT ? OFFSET ?");
    if (!rc && sql.oom)
        rc = stad_fail(s->ctx, STAD_ENOMEM, "building event query");
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = store_prepare(s, stad_strbuf_str(&sql), &st, "querying events");
    stad_strbuf_free(&sql);
    if (rc)
        return rc;
    int idx = 1;
    rc = store_filter_bind(s, st, f, &idx);
    if (!rc) {
        sqlite3_bind_int64(st, idx, f && f->limit > 0 ? f->limit : -1); /* -1 = all */
        sqlite3_bind_int64(st, idx + 1, f && f->offset > 0 ? f->offset : 0);
    }

    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        stad_event_row e;
        store_event_from_row(st, &e);
        rc = cb(user, &e);
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, "querying events");
    sqlite3_finalize(st);
    return rc;
}

/* One aggregate over the filtered events, such as "count(*)". */
static int events_aggregate(stad_store *s, const stad_event_filter *f, const char *expr,
                            int64_t *value, int *is_null)
{
    *value = 0;
    stad_strbuf sql = STAD_STRBUF_INIT;
    stad_strbuf_printf(&sql, "SELECT %s FROM event e", expr);
    int rc = store_filter_sql(s, f, &sql);
    if (!rc && sql.oom)
        rc = stad_fail(s->ctx, STAD_ENOMEM, "building event query");
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = store_prepare(s, stad_strbuf_str(&sql), &st, "summarising events");
    stad_strbuf_free(&sql);
    if (rc)
        return rc;
    int idx = 1;
    rc = store_filter_bind(s, st, f, &idx);
    if (!rc) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            *is_null = sqlite3_column_type(st, 0) == SQLITE_NULL;
            *value = sqlite3_column_int64(st, 0);
        } else {
            rc = store_fail_sql(s, "summarising events");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int stad_store_events_count(stad_store *s, const stad_event_filter *f, int64_t *n)
{
    int is_null;
    return events_aggregate(s, f, "count(*)", n, &is_null);
}

