/* Sources: registered datasets. */
#include <time.h>

#include "store/store_internal.h"

int stad_store_source_ensure(stad_store *s, const char *name, int64_t *id)
{
    if (!name || !*name)
        return stad_fail(s->ctx, STAD_EINVAL, "source name is empty");
    sqlite3_stmt *st;
    /* DO NOTHING keeps an existing source (and its approval) untouched. */
    int rc = store_prepare(s,
                           "INSERT INTO source(name, created) VALUES(?, ?) "
                           "ON CONFLICT(name) DO NOTHING",
                           &st, "registering source");
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_fail_sql(s, "registering source");
    sqlite3_finalize(st);
    if (rc)
        return rc;

    rc = store_prepare(s, "SELECT id FROM source WHERE name = ?", &st, "finding source");
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (step == SQLITE_DONE)
        rc = stad_fail(s->ctx, STAD_ENOTFOUND, "source %s vanished", name);
    else
        rc = store_fail_sql(s, "finding source");
    sqlite3_finalize(st);
    return rc;
}

int stad_store_sources_each(stad_store *s, int (*cb)(void *, const stad_source_row *),
                            void *user)
{
    sqlite3_stmt *st;
    int rc = store_prepare(
        s,
        "SELECT s.id, s.name, s.holder, s.purpose, s.legal_basis, s.retention_days, "
        "s.sensitivity, s.roles, s.status, s.created, "
        "(SELECT count(*) FROM batch b WHERE b.source_id = s.id), "
        "(SELECT count(*) FROM event e JOIN batch b ON b.id = e.batch_id "
        " WHERE b.source_id = s.id), s.approved_by, s.approved_at "
        "FROM source s ORDER BY s.name",
        &st, "listing sources");
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        stad_source_row r = {
            .id = sqlite3_column_int64(st, 0),
            .name = store_col_text(st, 1),
            .holder = store_col_text(st, 2),
            .purpose = store_col_text(st, 3),
            .legal_basis = store_col_text(st, 4),
            .retention_days = sqlite3_column_int(st, 5),
            .sensitivity = store_col_text(st, 6),
            .roles = store_col_text(st, 7),
            .status = store_col_text(st, 8),
            .created = sqlite3_column_int64(st, 9),
            .n_batches = sqlite3_column_int64(st, 10),
            .n_events = sqlite3_column_int64(st, 11),
            .approved_by = store_col_text(st, 12),
            .approved_at = sqlite3_column_int64(st, 13),
        };
        rc = cb(user, &r);
        if (rc)
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, "listing sources");
    sqlite3_finalize(st);
    return rc;
}
