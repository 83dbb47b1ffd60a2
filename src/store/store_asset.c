/* Assets: things that stand somewhere (street lights, containers, racks). */
#include "store/store_internal.h"

int stad_store_asset_insert(stad_store *s, const stad_asset_row *a)
{
    if (!a || !a->kind || !*a->kind)
        return stad_fail(s->ctx, STAD_EINVAL, "asset has no kind");
    int rc = store_prepare_cached(
        s,
        "INSERT INTO asset(batch_id, line, kind, ext_id, x, y, lon, lat, wijk_id, "
        "buurt_id, attrs) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &s->st_asset_insert, "preparing asset insert");
    if (rc)
        return rc;
    sqlite3_stmt *st = s->st_asset_insert;
    sqlite3_bind_int64(st, 1, a->batch_id);
    sqlite3_bind_int64(st, 2, a->line);
    sqlite3_bind_text(st, 3, a->kind, -1, SQLITE_STATIC);
    store_bind_text(st, 4, a->ext_id);
    sqlite3_bind_double(st, 5, a->x);
    sqlite3_bind_double(st, 6, a->y);
    sqlite3_bind_double(st, 7, a->lon);
    sqlite3_bind_double(st, 8, a->lat);
    store_bind_id(st, 9, a->wijk_id);
    store_bind_id(st, 10, a->buurt_id);
    store_bind_text(st, 11, a->attrs);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_fail_sql(s, "storing asset");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int stad_store_assets_count_each(stad_store *s,
                                 int (*cb)(void *, const char *kind, int64_t n),
                                 void *user)
{
    sqlite3_stmt *st;
    int rc = store_prepare(s, "SELECT kind, count(*) FROM asset GROUP BY kind ORDER BY kind",
                           &st, "counting assets");
    if (rc)
        return rc;
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = cb(user, store_col_text(st, 0), sqlite3_column_int64(st, 1));
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, "counting assets");
    sqlite3_finalize(st);
    return rc;
}
