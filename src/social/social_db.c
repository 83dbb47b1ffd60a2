/* The social store: a SQLite file of its own, apart from the main store, holding only
 * pseudonyms (mapped to small ids), periods and the coarsened columns the source
 * policies kept. Nothing in it, with or without the domain key, gives back a BSN:
 * the pseudonyms are s * H(BSN) under the transcryptor's secret s. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/ingest_internal.h"
#include "social_internal.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS extract(id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
    " file TEXT NOT NULL, imported INTEGER NOT NULL, rows INTEGER NOT NULL DEFAULT 0,"
    " domain TEXT NOT NULL, key_version INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS unit(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL,"
    " pseudonym TEXT NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS record(id INTEGER PRIMARY KEY,"
    " extract INTEGER NOT NULL REFERENCES extract(id) ON DELETE CASCADE,"
    " source TEXT NOT NULL, period TEXT NOT NULL, household INTEGER, line INTEGER);"
    "CREATE INDEX IF NOT EXISTS record_source ON record(source, period);"
    "CREATE INDEX IF NOT EXISTS record_household ON record(household, period);"
    "CREATE INDEX IF NOT EXISTS record_extract ON record(extract);"
    "CREATE TABLE IF NOT EXISTS record_person(record INTEGER NOT NULL REFERENCES"
    " record(id) ON DELETE CASCADE, col TEXT NOT NULL, person INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS record_person_r ON record_person(record);"
    "CREATE INDEX IF NOT EXISTS record_person_p ON record_person(person);"
    "CREATE TABLE IF NOT EXISTS record_value(record INTEGER NOT NULL REFERENCES"
    " record(id) ON DELETE CASCADE, col TEXT NOT NULL, value TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS record_value_r ON record_value(col, record);"
    /* for the cascade when a newer extract replaces records: without it every deleted
     * record scans record_value (re-importing 11,000 rows took 7.5 minutes, now 8 s) */
    "CREATE INDEX IF NOT EXISTS record_value_record ON record_value(record);"
    "CREATE TABLE IF NOT EXISTS release(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " created INTEGER NOT NULL, spec TEXT NOT NULL, threshold INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS release_cell(release INTEGER NOT NULL REFERENCES"
    " release(id) ON DELETE CASCADE, cell INTEGER NOT NULL, label TEXT NOT NULL,"
    " n INTEGER, successes INTEGER, households INTEGER, suppressed INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS release_member(release INTEGER NOT NULL REFERENCES"
    " release(id) ON DELETE CASCADE, cell INTEGER NOT NULL, household INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS release_member_rc ON release_member(release, cell);"
    "PRAGMA user_version = 1;";

int social_db_fail(stad_social_db *db, const char *what)
{
    return stad_fail(db->ctx, STAD_ESTORE, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->db));
}

int social_db_exec(stad_social_db *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        int rc = stad_fail(db->ctx, STAD_ESTORE, "%s: %s", db->path, err ? err : "error");
        sqlite3_free(err);
        return rc;
    }
    return 0;
}

void social_db_rollback(stad_social_db *db)
{
    /* keeps the context's error message: the reason for the rollback */
    sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
}

int stad_social_db_open(stad_ctx *ctx, const char *path, stad_social_db **out)
{
    *out = NULL;
    stad_social_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    db->ctx = ctx;
    int rc = 0;
    if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = social_db_fail(db, "cannot open");
    } else {
        sqlite3_busy_timeout(db->db, 5000);
        int v = 0;
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int(st, 0);
            sqlite3_finalize(st);
        }
        if (v > 1)
            rc = stad_fail(ctx, STAD_ESCHEMA, "%s: social store of a newer stad", path);
        if (!rc)
            rc = social_db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                                    "PRAGMA synchronous=NORMAL;");
        if (!rc)
            rc = social_db_exec(db, schema);
    }
    if (rc) {
        stad_social_db_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

int stad_social_db_open_readonly(stad_ctx *ctx, const char *path, stad_social_db **out)
{
    *out = NULL;
    stad_social_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    db->ctx = ctx;
    int rc = 0, v = 0;
    /* No CREATE: a missing file is an error here, not a new empty store. */
    if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = stad_fail(ctx, STAD_ENOTFOUND, "%s: cannot open the social store: %s", path,
                       sqlite3_errmsg(db->db));
    } else {
        sqlite3_busy_timeout(db->db, 5000);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int(st, 0);
            sqlite3_finalize(st);
        }
        if (v != 1)
            rc = stad_fail(ctx, STAD_ESCHEMA, "%s: not a social store of this stad (version %d)",
                           path, v);
    }
    if (rc) {
        stad_social_db_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

void stad_social_db_close(stad_social_db *db)
{
    if (!db)
        return;
    sqlite3_close(db->db);
    free(db->path);
    free(db);
}

static int unit_id(stad_social_db *db, sqlite3_stmt *ins, sqlite3_stmt *get, int kind,
                   const char *p, int64_t *id)
{
    sqlite3_reset(get);
    sqlite3_bind_text(get, 1, p, -1, SQLITE_STATIC);
    int r = sqlite3_step(get);
    if (r == SQLITE_ROW) {
        *id = sqlite3_column_int64(get, 0);
        return 0;
    }
    if (r != SQLITE_DONE)
        return social_db_fail(db, "unit");
    sqlite3_reset(ins);
    sqlite3_bind_int(ins, 1, kind);
    sqlite3_bind_text(ins, 2, p, -1, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE)
        return social_db_fail(db, "unit");
    *id = sqlite3_last_insert_rowid(db->db);
    return 0;
}

int stad_social_import(stad_social_db *db, const stad_pseudo_key *dk, const char *source,
                       const char *path, int64_t *rows)
{
    stad_ctx *ctx = db->ctx;
    *rows = 0;
    if (!social_domain_ok(source))
        return stad_fail(ctx, STAD_EINVAL, "bad source name");
    if (!dk || dk->role != STAD_KEY_DOMAIN)
        return stad_fail(ctx, STAD_EINVAL, "importing needs the domain key");
    ingest_reader *rd = NULL;
    int rc = ingest_reader_open(ctx, path, NULL, &rd);
    if (rc)
        return rc;
    int period_col = -1, hh_col = -1;
    for (size_t i = 0; i < rd->ncols; i++) {
        if (strcmp(rd->headers[i], "period") == 0)
            period_col = (int)i;
        else if (strcmp(rd->headers[i], "household") == 0)
            hh_col = (int)i;
    }
    if (period_col < 0) {
        ingest_reader_close(rd);
        return stad_fail(ctx, STAD_ECOLUMNS, "%s: no 'period' column (a pseudonymised "
                                             "extract has one)", path);
    }
    sqlite3_stmt *s_ext = NULL, *s_rec = NULL, *s_per = NULL, *s_val = NULL, *s_uins = NULL,
                 *s_uget = NULL;
    const char *sqls[] = {
        "INSERT INTO extract(source, file, imported, domain, key_version) VALUES(?,?,?,?,?)",
        "INSERT INTO record(extract, source, period, household, line) VALUES(?,?,?,?,?)",
        "INSERT INTO record_person(record, col, person) VALUES(?,?,?)",
        "INSERT INTO record_value(record, col, value) VALUES(?,?,?)",
        "INSERT INTO unit(kind, pseudonym) VALUES(?,?)",
        "SELECT id FROM unit WHERE pseudonym = ?"};
    sqlite3_stmt **sts[] = {&s_ext, &s_rec, &s_per, &s_val, &s_uins, &s_uget};
    if ((rc = social_db_exec(db, "BEGIN IMMEDIATE")))
        goto out;
    for (size_t i = 0; i < 6 && !rc; i++)
        if (sqlite3_prepare_v2(db->db, sqls[i], -1, sts[i], NULL) != SQLITE_OK)
            rc = social_db_fail(db, "prepare");
    int64_t ext = 0;
    if (!rc) {
        const char *base = strrchr(path, '/');
        sqlite3_bind_text(s_ext, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(s_ext, 2, base ? base + 1 : path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s_ext, 3, (sqlite3_int64)time(NULL));
        sqlite3_bind_text(s_ext, 4, dk->domain, -1, SQLITE_STATIC);
        sqlite3_bind_int(s_ext, 5, dk->version);
        if (sqlite3_step(s_ext) != SQLITE_DONE)
            rc = social_db_fail(db, "extract");
        ext = sqlite3_last_insert_rowid(db->db);
    }
    ingest_row row;
    int r = 0;
    char pseudo[STAD_PSEUDO_TEXT_MAX];
    static const char prefix[] = STAD_PSEUDO_SCHEME ".";
    while (!rc && (r = ingest_reader_next(rd, &row)) == 1) {
        const char *period = (size_t)period_col < row.n ? row.field[period_col] : "";
        if (strlen(period) != 7 || period[4] != '-') {
            rc = stad_fail(ctx, STAD_EPARSE, "%s:%lld: period '%s' is not yyyy-mm", path,
                           (long long)row.line, period);
            break;
        }
        int64_t hh = 0;
        if (hh_col >= 0 && (size_t)hh_col < row.n && row.field[hh_col][0]) {
            if ((rc = stad_pseudo_decrypt(ctx, dk, row.field[hh_col], pseudo)) ||
                (rc = unit_id(db, s_uins, s_uget, STAD_PSEUDO_HOUSEHOLD, pseudo, &hh)))
                break;
        }
        sqlite3_reset(s_rec);
        sqlite3_bind_int64(s_rec, 1, ext);
        sqlite3_bind_text(s_rec, 2, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(s_rec, 3, period, -1, SQLITE_STATIC);
        if (hh)
            sqlite3_bind_int64(s_rec, 4, hh);
        else
            sqlite3_bind_null(s_rec, 4);
        sqlite3_bind_int64(s_rec, 5, row.line);
        if (sqlite3_step(s_rec) != SQLITE_DONE) {
            rc = social_db_fail(db, "record");
            break;
        }
        int64_t rec = sqlite3_last_insert_rowid(db->db);
        for (size_t i = 0; i < rd->ncols && i < row.n && !rc; i++) {
            const char *v = row.field[i];
            if ((int)i == period_col || (int)i == hh_col || !v[0])
                continue;
            if (strncmp(v, prefix, sizeof prefix - 1) == 0) {
                int64_t pid;
                if ((rc = stad_pseudo_decrypt(ctx, dk, v, pseudo)) ||
                    (rc = unit_id(db, s_uins, s_uget, STAD_PSEUDO_PERSON, pseudo, &pid)))
                    break;
                sqlite3_reset(s_per);
                sqlite3_bind_int64(s_per, 1, rec);
                sqlite3_bind_text(s_per, 2, rd->headers[i], -1, SQLITE_STATIC);
                sqlite3_bind_int64(s_per, 3, pid);
                if (sqlite3_step(s_per) != SQLITE_DONE)
                    rc = social_db_fail(db, "person");
            } else {
                sqlite3_reset(s_val);
                sqlite3_bind_int64(s_val, 1, rec);
                sqlite3_bind_text(s_val, 2, rd->headers[i], -1, SQLITE_STATIC);
                sqlite3_bind_text(s_val, 3, v, -1, SQLITE_STATIC);
                if (sqlite3_step(s_val) != SQLITE_DONE)
                    rc = social_db_fail(db, "value");
            }
        }
        if (rc) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", stad_errmsg(ctx));
            rc = stad_fail(ctx, rc, "%s:%lld: %s", path, (long long)row.line, msg);
        }
        (*rows)++;
    }
    if (!rc && r < 0)
        rc = r;
    if (!rc && *rows == 0)
        rc = stad_fail(ctx, STAD_EEMPTY, "%s: no rows", path);
    if (!rc) {
        /* The newest extract of a source replaces the earlier ones for its periods. */
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db->db,
                               "DELETE FROM record WHERE source = ?1 AND extract <> ?2 AND "
                               "period IN (SELECT DISTINCT period FROM record WHERE extract = ?2)",
                               -1, &st, NULL) != SQLITE_OK) {
            rc = social_db_fail(db, "replace");
        } else {
            sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, ext);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = social_db_fail(db, "replace");
            sqlite3_finalize(st);
        }
        char sql[160];
        snprintf(sql, sizeof sql, "UPDATE extract SET rows = %lld WHERE id = %lld;"
                                  "DELETE FROM extract WHERE id NOT IN (SELECT extract FROM record);",
                 (long long)*rows, (long long)ext);
        if (!rc)
            rc = social_db_exec(db, sql);
    }
    sodium_memzero(pseudo, sizeof pseudo);
out:
    for (size_t i = 0; i < 6; i++)
        sqlite3_finalize(*sts[i]);
    if (rc)
        social_db_rollback(db);
    else if ((rc = social_db_exec(db, "COMMIT")))
        social_db_rollback(db);
    ingest_reader_close(rd);
    return rc;
}
