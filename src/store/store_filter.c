/* The event filter as SQL. store_filter_sql and store_filter_bind must walk the
 * filter in the same order: kinds, period, area, bbox, sources. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

int store_filter_sql(stad_store *s, const stad_event_filter *f, stad_strbuf *sql)
{
    if (!f)
        return 0;
    const char *sep = " WHERE ";
    if (f->n_kinds > 0) {
        if (!f->kinds)
            return stad_fail(s->ctx, STAD_EINVAL, "event filter: kinds is NULL");
        stad_strbuf_append(sql, sep);
        stad_strbuf_append_char(sql, '(');
        for (size_t i = 0; i < f->n_kinds; i++) {
            if (!f->kinds[i] || !*f->kinds[i])
                return stad_fail(s->ctx, STAD_EINVAL, "event filter: empty kind");
            /* The slug itself, or a child: 'slug.' < kind < 'slug/' ('/' follows '.'
             * in ASCII). A range, unlike LIKE, is exact and can use event(kind,..). */
            stad_strbuf_append(sql, i ? " OR " : "");
            stad_strbuf_append(sql, "e.kind = ? OR (e.kind > ? AND e.kind < ?)");
        }
        stad_strbuf_append_char(sql, ')');
        sep = " AND ";
    }
    if (f->has_period) {
        stad_strbuf_append(sql, sep);
        stad_strbuf_append(sql, "e.t_from >= ? AND e.t_from < ?");
        sep = " AND ";
    }
    if (f->area_code) {
        stad_strbuf_append(sql, sep);
        stad_strbuf_append(sql, "(e.wijk_id IN (SELECT id FROM area WHERE code = ?) "
                                "OR e.buurt_id IN (SELECT id FROM area WHERE code = ?))");
        sep = " AND ";
    }
    if (f->has_bbox) {
        stad_strbuf_append(sql, sep);
        stad_strbuf_append(sql, "e.lon >= ? AND e.lon <= ? AND e.lat >= ? AND e.lat <= ?");
        sep = " AND ";
    }
    if (f->restrict_sources) {
        stad_strbuf_append(sql, sep);
        if (f->n_source_ids == 0) {
            stad_strbuf_append(sql, "0"); /* no source readable: nothing */
        } else {
            if (!f->source_ids)
                return stad_fail(s->ctx, STAD_EINVAL, "event filter: source_ids is NULL");
            stad_strbuf_append(sql, "e.batch_id IN (SELECT id FROM batch WHERE source_id IN (");
            for (size_t i = 0; i < f->n_source_ids; i++)
                stad_strbuf_append(sql, i ? ",?" : "?");
            stad_strbuf_append(sql, "))");
        }
    }
    return sql->oom ? stad_fail(s->ctx, STAD_ENOMEM, "building event query") : 0;
}

/* Binds slug + suffix ("burglary." / "burglary/") as a transient string. */
static int bind_suffixed(sqlite3_stmt *st, int i, const char *slug, char suffix)
{
    size_t n = strlen(slug);
    char *v = malloc(n + 2);
    if (!v)
        return SQLITE_NOMEM;
    memcpy(v, slug, n);
    v[n] = suffix;
    v[n + 1] = '\0';
    return sqlite3_bind_text(st, i, v, (int)(n + 1), free);
}

int store_filter_bind(stad_store *s, sqlite3_stmt *st, const stad_event_filter *f,
                      int *idx)
{
    if (!f)
        return 0;
    int i = *idx, rc = SQLITE_OK;
    for (size_t k = 0; k < f->n_kinds && rc == SQLITE_OK; k++) {
        rc = sqlite3_bind_text(st, i++, f->kinds[k], -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
            rc = bind_suffixed(st, i++, f->kinds[k], '.');
        if (rc == SQLITE_OK)
            rc = bind_suffixed(st, i++, f->kinds[k], '/');
    }
    if (f->has_period && rc == SQLITE_OK) {
        sqlite3_bind_int64(st, i++, f->t_min);
        rc = sqlite3_bind_int64(st, i++, f->t_max);
    }
    if (f->area_code && rc == SQLITE_OK) {
        sqlite3_bind_text(st, i++, f->area_code, -1, SQLITE_TRANSIENT);
        rc = sqlite3_bind_text(st, i++, f->area_code, -1, SQLITE_TRANSIENT);
    }
    if (f->has_bbox && rc == SQLITE_OK) {
        sqlite3_bind_double(st, i++, f->bbox[0]);
        sqlite3_bind_double(st, i++, f->bbox[2]);
        sqlite3_bind_double(st, i++, f->bbox[1]);
        rc = sqlite3_bind_double(st, i++, f->bbox[3]);
    }
    if (f->restrict_sources)
        for (size_t k = 0; k < f->n_source_ids && rc == SQLITE_OK; k++)
            rc = sqlite3_bind_int64(st, i++, f->source_ids[k]);
    *idx = i;
    if (rc != SQLITE_OK)
        return rc == SQLITE_NOMEM ? stad_fail(s->ctx, STAD_ENOMEM, "binding event filter")
                                  : store_fail_sql(s, "binding event filter");
    return 0;
}
