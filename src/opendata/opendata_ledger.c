/* The release ledger of open data: every published table is recorded cell by cell in
 * the store, and a new figure for a cell is refused when it differs from a figure
 * published earlier for that same cell by fewer than `threshold` events: the two
 * figures subtracted would describe that small group (late reports, a replaced
 * file). The tables (opendata_release, opendata_cell) are schema step 4 of the store;
 * they hold counts, no events. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "opendata_internal.h"

static int sql_fail(stad_store *s, const char *what)
{
    return stad_fail(stad_store_ctx(s), STAD_ESTORE, "opendata ledger: %s: %s", what,
                     sqlite3_errmsg(stad_store_db(s)));
}

static void cell_key(const od_table *t, size_t a, size_t m, size_t k, char *buf, size_t n)
{
    char mk[8];
    od_month_key(t, m, mk);
    snprintf(buf, n, "%s|%s|%s|%s%s", t->areas[a].level == OD_WIJK ? "wijk" : "buurt",
             t->areas[a].code, mk, t->key_prefix ? t->key_prefix : "", t->kinds[k]);
}

int od_ledger_check(stad_store *s, od_table *t, int threshold, int strict, int64_t *n)
{
    *n = 0;
    sqlite3 *db = stad_store_db(s);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT c.units, c.release FROM opendata_cell c WHERE c.cell = ? "
                           "AND c.units IS NOT NULL AND c.units <> ? AND abs(c.units - ?) < ? "
                           "LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(s, "check");
    int rc = 0;
    char key[256];
    for (size_t a = 0; a < t->n_areas && !rc; a++)
        for (size_t m = 0; m < t->n_months && !rc; m++)
            for (size_t k = 0; k < t->n_kinds && !rc; k++) {
                size_t c = od_cell(t, a, m, k);
                if (t->supp[c] || t->forced[c])
                    continue;
                cell_key(t, a, m, k, key, sizeof key);
                sqlite3_reset(st);
                sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 2, t->units[c]);
                sqlite3_bind_int64(st, 3, t->units[c]);
                sqlite3_bind_int(st, 4, threshold);
                int r = sqlite3_step(st);
                if (r == SQLITE_ROW) {
                    int64_t old = sqlite3_column_int64(st, 0), rel = sqlite3_column_int64(st, 1);
                    (*n)++;
                    t->forced[c] = 1;
                    if (strict)
                        rc = stad_fail(stad_store_ctx(s), STAD_ERANGE,
                                       "refused: cell %s would be %lld, release %lld published "
                                       "%lld; the difference (fewer than %d) would reveal a "
                                       "small group",
                                       key, (long long)t->units[c], (long long)rel,
                                       (long long)old, threshold);
                } else if (r != SQLITE_DONE) {
                    rc = sql_fail(s, "check");
                }
            }
    sqlite3_finalize(st);
    return rc;
}

int od_ledger_record(stad_store *s, const od_table *const *tables, size_t n_tables,
                     int threshold, const char *digest, int64_t now, int64_t *release)
{
    *release = 0;
    sqlite3 *db = stad_store_db(s);
    sqlite3_stmt *st = NULL;
    int rc = stad_store_begin(s);
    if (rc)
        return rc;
    if (sqlite3_prepare_v2(db, "SELECT digest FROM opendata_release ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = sql_fail(s, "record");
        goto out;
    }
    int same = sqlite3_step(st) == SQLITE_ROW &&
               strcmp((const char *)sqlite3_column_text(st, 0), digest) == 0;
    sqlite3_finalize(st);
    st = NULL;
    if (same)
        goto out;
    if (sqlite3_prepare_v2(db, "INSERT INTO opendata_release(created, threshold, digest) "
                               "VALUES(?,?,?)", -1, &st, NULL) != SQLITE_OK) {
        rc = sql_fail(s, "record");
        goto out;
    }
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, threshold);
    sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = sql_fail(s, "record");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    int64_t id = sqlite3_last_insert_rowid(db);
    if (sqlite3_prepare_v2(db, "INSERT INTO opendata_cell(release, cell, units, status) "
                               "VALUES(?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
        rc = sql_fail(s, "record");
        goto out;
    }
    char key[256];
    for (size_t i = 0; i < n_tables && !rc; i++) {
        const od_table *t = tables[i];
        size_t n = t->n_areas * t->n_months * t->n_kinds;
        for (size_t c = 0; c < n && !rc; c++) {
            if (!t->units[c])
                continue; /* a zero says nothing about anyone */
            size_t k = c % t->n_kinds, m = (c / t->n_kinds) % t->n_months,
                   a = c / t->n_kinds / t->n_months;
            cell_key(t, a, m, k, key, sizeof key);
            sqlite3_reset(st);
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
            if (t->supp[c])
                sqlite3_bind_null(st, 3);
            else
                sqlite3_bind_int64(st, 3, t->units[c]);
            sqlite3_bind_int(st, 4, t->supp[c]);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = sql_fail(s, "record cell");
        }
    }
    if (!rc)
        *release = id;
out:
    sqlite3_finalize(st);
    if (rc) {
        stad_store_rollback(s);
        *release = 0;
        return rc;
    }
    return stad_store_commit(s);
}
