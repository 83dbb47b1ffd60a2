/* Row-level rejects of a batch. */
#include "store/store_internal.h"

int stad_store_reject_insert(stad_store *s, const stad_reject_row *r)
{
    int rc = store_prepare_cached(s,
                                  "INSERT INTO reject(batch_id, line, col, reason, raw) "
                                  "VALUES(?, ?, ?, ?, ?)",
                                  &s->st_reject_insert, "preparing reject insert");
    if (rc)
        return rc;
    sqlite3_stmt *st = s->st_reject_insert;
    sqlite3_bind_int64(st, 1, r->batch_id);
    sqlite3_bind_int64(st, 2, r->line);
    sqlite3_bind_text(st, 3, r->column ? r->column : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->reason ? r->reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->raw ? r->raw : "", -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_fail_sql(s, "storing reject");
    /* Reset now so no caller's strings stay bound and the statement holds no lock. */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int stad_store_rejects_each(stad_store *s, int64_t batch_id,
                            int (*cb)(void *, const stad_reject_row *), void *user)
{
    sqlite3_stmt *st;
    int rc = store_prepare(s,
                           "SELECT batch_id, line, col, reason, raw FROM reject "
                           "WHERE batch_id = ? ORDER BY line, id",
                           &st, "listing rejects");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, batch_id);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        stad_reject_row r = {
            .batch_id = sqlite3_column_int64(st, 0),
            .line = sqlite3_column_int64(st, 1),
            .column = store_col_text(st, 2),
            .reason = store_col_text(st, 3),
            .raw = store_col_text(st, 4),
        };
        rc = cb(user, &r);
        if (rc)
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, "listing rejects");
    sqlite3_finalize(st);
    return rc;
}
