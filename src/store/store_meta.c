/* Key/value settings kept in the store. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

int stad_store_meta_get(stad_store *s, const char *key, char **value)
{
    *value = NULL;
    if (!key)
        return stad_fail(s->ctx, STAD_EINVAL, "meta key is NULL");
    sqlite3_stmt *st;
    int rc = store_prepare(s, "SELECT value FROM meta WHERE key = ?", &st,
                           "reading setting");
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *value = strdup(store_col_text(st, 0));
        if (!*value)
            rc = stad_fail(s->ctx, STAD_ENOMEM, "reading setting %s", key);
    } else if (step == SQLITE_DONE) {
        rc = stad_fail(s->ctx, STAD_ENOTFOUND, "setting %s is not set", key);
    } else {
        rc = store_fail_sql(s, "reading setting");
    }
    sqlite3_finalize(st);
    return rc;
}

int stad_store_meta_set(stad_store *s, const char *key, const char *value)
{
    if (!key || !value)
        return stad_fail(s->ctx, STAD_EINVAL, "meta key or value is NULL");
    sqlite3_stmt *st;
    int rc = store_prepare(s,
                           "INSERT INTO meta(key, value) VALUES(?, ?) "
                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           &st, "writing setting");
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_fail_sql(s, "writing setting");
    sqlite3_finalize(st);
    return rc;
}

/* The data version counts changes to what analysis sees (batches, areas), so the
 * server can tag responses (ETag) and dashboards can notice new data. It is bumped
 * inside the writer's transaction, so a rolled-back batch leaves it unchanged. */
int store_bump_data_version(stad_store *s)
{
    return store_exec(s,
                      "INSERT INTO meta(key, value) VALUES('data_version', '1') "
                      "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                      "bumping data version");
}

int stad_store_data_version(stad_store *s, int64_t *version)
{
    *version = 0;
    sqlite3_stmt *st;
    int rc = store_prepare(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'data_version'",
                           &st, "reading data version");
    if (rc)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    else if (step != SQLITE_DONE)
        rc = store_fail_sql(s, "reading data version");
    sqlite3_finalize(st);
    return rc;
}

int stad_store_versions(stad_store *s, int64_t *data_version, int64_t *auth_generation)
{
    *data_version = 0;
    *auth_generation = -1;
    /* Two primary-key lookups (an IN list would build a temporary table each time). */
    int rc = store_prepare_cached(s,
                                  "SELECT (SELECT CAST(value AS INTEGER) FROM meta "
                                  "        WHERE key = 'data_version'),"
                                  "       (SELECT value FROM auth_generation WHERE id = 1)",
                                  &s->st_versions, "reading data version");
    if (rc)
        return rc;
    sqlite3_stmt *st = s->st_versions;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *data_version = sqlite3_column_int64(st, 0);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            *auth_generation = sqlite3_column_int64(st, 1);
    } else {
        rc = store_fail_sql(s, "reading data version");
    }
    /* Reset now: a statement left active would keep the read transaction open. */
    sqlite3_reset(st);
    return rc;
}

int stad_store_bump_data_version(stad_store *s)
{
    return store_bump_data_version(s);
}
