/* The audit log: one append-only table (triggers refuse UPDATE and DELETE). */
#include <string.h>

#include "privacy/privacy_internal.h"

static void bind_row(sqlite3_stmt *st, const stad_audit_row *r)
{
    sqlite3_bind_int64(st, 1, r->t);
    sqlite3_bind_text(st, 2, r->actor ? r->actor : "-", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->interface ? r->interface : "-", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->action ? r->action : "-", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->route ? r->route : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->query ? r->query : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->sources ? r->sources : "", -1, SQLITE_STATIC);
    if (r->rows >= 0)
        sqlite3_bind_int64(st, 8, r->rows);
    else
        sqlite3_bind_null(st, 8);
    sqlite3_bind_text(st, 9, r->outcome ? r->outcome : "ok", -1, SQLITE_STATIC);
}

int stad_privacy_audit_rows(stad_store *s, const stad_audit_row *rows, size_t n)
{
    if (!n)
        return 0;
    sqlite3_stmt *st;
    int rc = priv_prepare(s,
                          "INSERT INTO audit(t, actor, interface, action, route, query, "
                          "sources, rows, outcome) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          &st, "writing the audit log");
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_reset(st);
        bind_row(st, &rows[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = priv_fail_sql(s, "writing the audit log");
    }
    sqlite3_finalize(st);
    return rc;
}

int stad_privacy_audit(stad_store *s, const stad_audit_row *r)
{
    return stad_privacy_audit_rows(s, r, 1);
}

int stad_privacy_audit_each(stad_store *s, const stad_audit_filter *f,
                            int (*cb)(void *, const stad_audit_row *), void *user)
{
    sqlite3_stmt *st;
    int rc = priv_prepare(s,
                          "SELECT id, t, actor, interface, action, route, query, sources, "
                          "rows, outcome FROM audit "
                          "WHERE (?1 = 0 OR t >= ?1) AND (?2 = 0 OR t < ?2) "
                          "AND (?3 IS NULL OR actor = ?3) "
                          "AND (?4 IS NULL OR action = ?4 OR "
                          "     (action > ?4 || '.' AND action < ?4 || '/')) "
                          "ORDER BY id DESC LIMIT ?5",
                          &st, "reading the audit log");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, f ? f->since : 0);
    sqlite3_bind_int64(st, 2, f ? f->until : 0);
    if (f && f->actor)
        sqlite3_bind_text(st, 3, f->actor, -1, SQLITE_STATIC);
    if (f && f->action)
        sqlite3_bind_text(st, 4, f->action, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, f && f->limit > 0 ? f->limit : 1000);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        stad_audit_row r = {
            .id = sqlite3_column_int64(st, 0),
            .t = sqlite3_column_int64(st, 1),
            .actor = priv_col_text(st, 2),
            .interface = priv_col_text(st, 3),
            .action = priv_col_text(st, 4),
            .route = priv_col_text(st, 5),
            .query = priv_col_text(st, 6),
            .sources = priv_col_text(st, 7),
            .rows = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 8),
            .outcome = priv_col_text(st, 9),
        };
        if ((rc = cb(user, &r)))
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = priv_fail_sql(s, "reading the audit log");
    sqlite3_finalize(st);
    return rc;
}
