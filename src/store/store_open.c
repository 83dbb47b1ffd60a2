/* Opening and closing the store: connection settings, migrations, transactions. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static int store_pragmas(stad_store *s)
{
    /* busy_timeout first, so the WAL switch itself waits for other writers. */
    if (sqlite3_busy_timeout(s->db, 5000) != SQLITE_OK)
        return store_fail_sql(s, "setting busy timeout");
    /* WAL lets readers (the server) run while an ingest writes; NORMAL sync is
     * safe with WAL (a crash may lose the last commit, never corrupt). */
    int rc = store_exec(s, "PRAGMA journal_mode=WAL", "switching to WAL journal");
    if (rc)
        return rc;
    rc = store_exec(s, "PRAGMA foreign_keys=ON", "enabling foreign keys");
    if (rc)
        return rc;
    return store_exec(s, "PRAGMA synchronous=NORMAL", "setting synchronous mode");
}

int stad_store_open(stad_ctx *ctx, const char *path, stad_store **out)
{
    if (!out)
        return ctx ? stad_fail(ctx, STAD_EINVAL, "stad_store_open: out is NULL")
                   : STAD_EINVAL;
    *out = NULL;
    if (!ctx)
        return STAD_EINVAL;
    if (!path || !*path)
        return stad_fail(ctx, STAD_EINVAL, "store path is empty");

    stad_store *s = calloc(1, sizeof *s);
    if (!s)
        return stad_fail(ctx, STAD_ENOMEM, "allocating store");
    s->ctx = ctx;
    s->path = strdup(path);
    if (!s->path) {
        free(s);
        return stad_fail(ctx, STAD_ENOMEM, "allocating store");
    }

    int rc;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        if (!s->db) {
            rc = stad_fail(ctx, STAD_ENOMEM, "opening store %s: out of memory", path);
        } else {
            rc = stad_fail(ctx, STAD_ESTORE, "opening store %s: %s", path,
                           sqlite3_errmsg(s->db));
        }
        stad_store_close(s);
        return rc;
    }
    sqlite3_extended_result_codes(s->db, 1);

    rc = store_pragmas(s);
    if (!rc)
        rc = store_migrate(s);
    if (!rc)
        rc = store_register_functions(s);
    if (rc) {
        stad_store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void stad_store_close(stad_store *s)
{
    if (!s)
        return;
    store_finalize_cached(s);
    /* close_v2 so a statement leaked by a caller cannot keep the file open forever. */
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

const char *stad_store_path(const stad_store *s)
{
    return s ? s->path : NULL;
}

struct sqlite3 *stad_store_db(stad_store *s)
{
    return s ? s->db : NULL;
}

stad_ctx *stad_store_ctx(stad_store *s)
{
    return s ? s->ctx : NULL;
}

stad_ctx *stad_store_set_ctx(stad_store *s, stad_ctx *ctx)
{
    stad_ctx *old = s->ctx;
    s->ctx = ctx;
    return old;
}

int stad_store_schema_version(stad_store *s, int *version)
{
    sqlite3_stmt *st;
    int rc = store_prepare(s, "PRAGMA user_version", &st, "reading schema version");
    if (rc)
        return rc;
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = store_fail_sql(s, "reading schema version");
    } else {
        *version = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return rc;
}

int stad_store_begin(stad_store *s)
{
    /* IMMEDIATE takes the write lock now, so a busy store waits here (busy timeout)
     * instead of failing halfway through a batch. */
    return store_exec(s, "BEGIN IMMEDIATE", "starting transaction");
}

int stad_store_commit(stad_store *s)
{
    return store_exec(s, "COMMIT", "committing transaction");
}

int stad_store_rollback(stad_store *s)
{
    if (!s || !s->db || sqlite3_get_autocommit(s->db))
        return 0;
    /* Called on error paths: keep the caller's error message, do not set our own. */
    if (s->st_event_insert)
        sqlite3_reset(s->st_event_insert);
    if (s->st_asset_insert)
        sqlite3_reset(s->st_asset_insert);
    if (s->st_reject_insert)
        sqlite3_reset(s->st_reject_insert);
    return sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK ? 0 : STAD_ESTORE;
}
