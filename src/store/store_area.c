/* Areas: polygons by level (city, wijk, buurt, custom) with code and parent. */
#include <string.h>

#include "store/store_internal.h"

int stad_store_area_upsert(stad_store *s, const stad_area_row *a, int64_t *id)
{
    if (!a || !a->level || !*a->level || !a->code || !*a->code)
        return stad_fail(s->ctx, STAD_EINVAL, "area needs a level and a code");
    sqlite3_stmt *st;
    /* Update in place rather than INSERT OR REPLACE: the id must stay stable,
     * because events refer to areas by id. */
    int rc = store_prepare(
        s,
        "INSERT INTO area(level, code, name, parent_id, wkb, geojson, minx, miny, maxx, "
        "maxy) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(level, code) DO UPDATE SET name = excluded.name, "
        "parent_id = excluded.parent_id, wkb = excluded.wkb, geojson = excluded.geojson, "
        "minx = excluded.minx, miny = excluded.miny, maxx = excluded.maxx, "
        "maxy = excluded.maxy RETURNING id",
        &st, "storing area");
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, a->level, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->name ? a->name : "", -1, SQLITE_STATIC);
    store_bind_id(st, 4, a->parent_id);
    if (a->wkb && a->wkb_len > 0)
        sqlite3_bind_blob64(st, 5, a->wkb, a->wkb_len, SQLITE_STATIC);
    store_bind_text(st, 6, a->geojson);
    sqlite3_bind_double(st, 7, a->minx);
    sqlite3_bind_double(st, 8, a->miny);
    sqlite3_bind_double(st, 9, a->maxx);
    sqlite3_bind_double(st, 10, a->maxy);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = store_fail_sql(s, "storing area");
    } else {
        *id = sqlite3_column_int64(st, 0);
        /* Step to the end so the statement completes before finalize. */
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = store_fail_sql(s, "storing area");
    }
    sqlite3_finalize(st);
    return rc ? rc : store_bump_data_version(s);
}

int stad_store_area_set_parent(stad_store *s, int64_t id, int64_t parent_id)
{
    sqlite3_stmt *st;
    int rc = store_prepare(s, "UPDATE area SET parent_id = ? WHERE id = ?", &st,
                           "setting area parent");
    if (rc)
        return rc;
    store_bind_id(st, 1, parent_id);
    sqlite3_bind_int64(st, 2, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_fail_sql(s, "setting area parent");
    else if (sqlite3_changes(s->db) == 0)
        rc = stad_fail(s->ctx, STAD_ENOTFOUND, "no area %lld", (long long)id);
    sqlite3_finalize(st);
    return rc;
}

int stad_store_areas_each(stad_store *s, const char *level,
                          int (*cb)(void *, const stad_area_row *), void *user)
{
    sqlite3_stmt *st;
    int rc = store_prepare(s,
                           "SELECT id, level, code, name, parent_id, wkb, geojson, minx, "
                           "miny, maxx, maxy FROM area WHERE ?1 IS NULL OR level = ?1 "
                           "ORDER BY level, code",
                           &st, "listing areas");
    if (rc)
        return rc;
    store_bind_text(st, 1, level);
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        stad_area_row a = {
            .id = sqlite3_column_int64(st, 0),
            .level = store_col_text(st, 1),
            .code = store_col_text(st, 2),
            .name = store_col_text(st, 3),
            .parent_id = sqlite3_column_int64(st, 4),
            .wkb = sqlite3_column_blob(st, 5),
            .wkb_len = (size_t)sqlite3_column_bytes(st, 5),
            .geojson = store_col_text_or_null(st, 6),
            .minx = sqlite3_column_double(st, 7),
            .miny = sqlite3_column_double(st, 8),
            .maxx = sqlite3_column_double(st, 9),
            .maxy = sqlite3_column_double(st, 10),
        };
        rc = cb(user, &a);
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, "listing areas");
    sqlite3_finalize(st);
    return rc;
}

int stad_store_area_find(stad_store *s, const char *code, int64_t *id)
{
    if (!code)
        return stad_fail(s->ctx, STAD_EINVAL, "area code is NULL");
    sqlite3_stmt *st;
    int rc = store_prepare(s, "SELECT id FROM area WHERE code = ? ORDER BY id LIMIT 1", &st,
                           "finding area");
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (step == SQLITE_DONE)
        rc = stad_fail(s->ctx, STAD_ENOTFOUND, "no area with code %s", code);
    else
        rc = store_fail_sql(s, "finding area");
    sqlite3_finalize(st);
    return rc;
}

int stad_store_area_set_figures(stad_store *s, const char *code, const char *json)
{
    if (!code || !json)
        return stad_fail(s->ctx, STAD_EINVAL, "area code or figures missing");
    sqlite3_stmt *st;
    int rc = store_prepare(s, "UPDATE area SET figures = ? WHERE code = ?", &st,
                           "setting area figures");
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_fail_sql(s, "setting area figures");
    else if (sqlite3_changes(s->db) == 0)
        rc = stad_fail(s->ctx, STAD_ENOTFOUND, "no area with code %s", code);
    sqlite3_finalize(st);
    return rc ? rc : store_bump_data_version(s);
}

int stad_store_area_figures(stad_store *s, int64_t id, char **json)
{
    *json = NULL;
    sqlite3_stmt *st;
    int rc = store_prepare(s, "SELECT figures FROM area WHERE id = ?", &st,
                           "reading area figures");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *v = store_col_text_or_null(st, 0);
        if (v && !(*json = strdup(v)))
            rc = stad_fail(s->ctx, STAD_ENOMEM, "out of memory");
    } else if (step == SQLITE_DONE) {
        rc = stad_fail(s->ctx, STAD_ENOTFOUND, "no area %lld", (long long)id);
    } else {
        rc = store_fail_sql(s, "reading area figures");
    }
    sqlite3_finalize(st);
    return rc;
}
