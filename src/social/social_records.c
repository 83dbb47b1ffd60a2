/* Records of the social store for tables published outside the analyses (open data):
 * the source names, and per record its month, household and a few kept columns. */
#include <stdlib.h>
#include <string.h>

#include "social_internal.h"

int stad_social_sources(stad_social_db *db, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db, "SELECT DISTINCT source FROM record ORDER BY source", -1,
                           &st, NULL) != SQLITE_OK)
        return social_db_fail(db, "sources");
    char **v = NULL;
    size_t nv = 0;
    int rc = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        char **nvp = realloc(v, (nv + 1) * sizeof *nvp);
        char *name = strdup((const char *)sqlite3_column_text(st, 0));
        if (!nvp || !name) {
            free(name);
            if (nvp)
                v = nvp;
            rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
            break;
        }
        v = nvp;
        v[nv++] = name;
    }
    if (!rc && s != SQLITE_DONE)
        rc = social_db_fail(db, "sources");
    sqlite3_finalize(st);
    if (rc) {
        for (size_t i = 0; i < nv; i++)
            free(v[i]);
        free(v);
        return rc;
    }
    *out = v;
    *n = nv;
    return 0;
}

int stad_social_records_each(stad_social_db *db, const char *source,
                             const char *const *cols, size_t n_cols,
                             int (*cb)(void *, const stad_social_record *), void *user)
{
    if (n_cols > 8)
        return stad_fail(db->ctx, STAD_EINVAL, "records: at most 8 columns");
    /* one row per record, its columns as correlated subqueries: record_value is
     * indexed on (col, record) */
    stad_strbuf sql = STAD_STRBUF_INIT;
    stad_strbuf_append(&sql, "SELECT r.period, COALESCE(r.household, -r.id)");
    for (size_t k = 0; k < n_cols; k++)
        stad_strbuf_printf(&sql, ", (SELECT v.value FROM record_value v WHERE v.col = ?%zu "
                                 "AND v.record = r.id LIMIT 1)",
                           k + 2);
    stad_strbuf_append(&sql, " FROM record r WHERE r.source = ?1 ORDER BY r.id");
    sqlite3_stmt *st = NULL;
    int rc = 0, s = SQLITE_DONE;
    if (sqlite3_prepare_v2(db->db, stad_strbuf_str(&sql), -1, &st, NULL) != SQLITE_OK) {
        rc = social_db_fail(db, "records");
        goto out;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
    for (size_t k = 0; k < n_cols; k++)
        sqlite3_bind_text(st, (int)k + 2, cols[k], -1, SQLITE_TRANSIENT);
    const char *vals[8];
    stad_social_record rec;
    rec.values = vals;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        rec.period = (const char *)sqlite3_column_text(st, 0);
        rec.household = sqlite3_column_int64(st, 1);
        for (size_t k = 0; k < n_cols; k++)
            vals[k] = (const char *)sqlite3_column_text(st, (int)k + 2);
        rc = cb(user, &rec);
    }
    if (!rc && s != SQLITE_DONE)
        rc = social_db_fail(db, "records");
out:
    sqlite3_finalize(st);
    stad_strbuf_free(&sql);
    return rc;
}
