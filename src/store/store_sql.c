/* Small SQL helpers shared by the store files: errors, prepare, bind, read. */
#include "store/store_internal.h"

int store_fail_sql(stad_store *s, const char *what)
{
    /* SQLite says "database or disk is full"; an administrator needs the second. */
    if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_FULL)
        return stad_fail(s->ctx, STAD_ESTORE,
                         "%s: the disk is full (%s); the change was not stored", what,
                         s->path ? s->path : "");
    return stad_fail(s->ctx, STAD_ESTORE, "%s: %s (%s)", what, sqlite3_errmsg(s->db),
                     s->path ? s->path : "");
}

int store_prepare(stad_store *s, const char *sql, sqlite3_stmt **st, const char *what)
{
    *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        int rc = store_fail_sql(s, what);
        sqlite3_finalize(*st);
        *st = NULL;
        return rc;
    }
    return 0;
}

int store_prepare_cached(stad_store *s, const char *sql, sqlite3_stmt **cached,
                         const char *what)
{
    if (*cached) {
        sqlite3_reset(*cached);
        sqlite3_clear_bindings(*cached);
        return 0;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, cached, NULL) !=
        SQLITE_OK) {
        int rc = store_fail_sql(s, what);
        sqlite3_finalize(*cached);
        *cached = NULL;
        return rc;
    }
    return 0;
}

void store_finalize_cached(stad_store *s)
{
    sqlite3_finalize(s->st_event_insert);
    sqlite3_finalize(s->st_asset_insert);
    sqlite3_finalize(s->st_reject_insert);
    sqlite3_finalize(s->st_versions);
    s->st_event_insert = s->st_asset_insert = s->st_reject_insert = NULL;
    s->st_versions = NULL;
}

int store_exec(stad_store *s, const char *sql, const char *what)
{
    char *err = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        int rc = stad_fail(s->ctx, STAD_ESTORE, "%s: %s (%s)", what,
                           err ? err : sqlite3_errmsg(s->db), s->path ? s->path : "");
        sqlite3_free(err);
        return rc;
    }
    return 0;
}

int store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (!v)
        return sqlite3_bind_null(st, i);
    /* No copy: every caller steps (and resets or finalizes) the statement before the
     * bound string can change, and ingest binds ~20 strings per row. */
    return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

int store_bind_id(sqlite3_stmt *st, int i, int64_t id)
{
    if (id == 0)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_int64(st, i, id);
}

const char *store_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

const char *store_col_text_or_null(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}
