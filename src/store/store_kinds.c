/* Kinds present in the events matching a filter, with counts and period: what a
 * dashboard offers before it asks for data. */
#include "store/store_internal.h"

int stad_store_kinds_each(stad_store *s, const stad_event_filter *f,
                          int (*cb)(void *, const stad_kind_row *), void *user)
{
    stad_strbuf sql = STAD_STRBUF_INIT;
    stad_strbuf_append(&sql, "SELECT e.kind, sum(e.count), min(e.t_from), max(e.t_from) "
                             "FROM event e");
    int rc = store_filter_sql(s, f, &sql);
    if (!rc)
        stad_strbuf_append(&sql, " GROUP BY e.kind ORDER BY e.kind");
    if (!rc && sql.oom)
        rc = stad_fail(s->ctx, STAD_ENOMEM, "building kind query");
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = store_prepare(s, stad_strbuf_str(&sql), &st, "listing kinds");
    stad_strbuf_free(&sql);
    if (rc)
        return rc;
    int idx = 1;
    rc = store_filter_bind(s, st, f, &idx);
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        stad_kind_row k = {.kind = store_col_text(st, 0),
                           .count = sqlite3_column_int64(st, 1),
                           .t_min = sqlite3_column_int64(st, 2),
                           .t_max = sqlite3_column_int64(st, 3)};
        rc = cb(user, &k);
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, "listing kinds");
    sqlite3_finalize(st);
    return rc;
}
