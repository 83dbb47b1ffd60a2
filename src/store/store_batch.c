/* Batches: one ingested file each; replacing a batch drops its rows. */
#include <time.h>

#include "store/store_internal.h"

/* Runs a query that yields one id; STAD_ENOTFOUND (no message) when no row. */
static int one_id(stad_store *s, sqlite3_stmt *st, int64_t *id, const char *what)
{
    int step = sqlite3_step(st);
    int rc = 0;
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (step == SQLITE_DONE)
        rc = STAD_ENOTFOUND;
    else
        rc = store_fail_sql(s, what);
    sqlite3_finalize(st);
    return rc;
}

static int find_by(stad_store *s, const char *sql, int64_t source_id, const char *value,
                   int64_t *id, const char *what)
{
    if (!value)
        return stad_fail(s->ctx, STAD_EINVAL, "%s: value is NULL", what);
    sqlite3_stmt *st;
    int rc = store_prepare(s, sql, &st, what);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, source_id);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = one_id(s, st, id, what);
    if (rc == STAD_ENOTFOUND)
        rc = stad_fail(s->ctx, STAD_ENOTFOUND, "no loaded batch of source %lld with %s",
                       (long long)source_id, value);
    return rc;
}

int stad_store_batch_find_sha(stad_store *s, int64_t source_id, const char *sha256,
                              int64_t *id)
{
    return find_by(s,
                   "SELECT id FROM batch WHERE source_id = ? AND sha256 = ? "
                   "AND status = 'loaded' ORDER BY id DESC LIMIT 1",
                   source_id, sha256, id, "finding batch by hash");
}

int stad_store_batch_find_file(stad_store *s, int64_t source_id, const char *file_name,
                               int64_t *id)
{
    return find_by(s,
                   "SELECT id FROM batch WHERE source_id = ? AND file_name = ? "
                   "AND status = 'loaded' ORDER BY id DESC LIMIT 1",
                   source_id, file_name, id, "finding batch by file name");
}

int stad_store_batch_create(stad_store *s, const stad_batch_row *b, int64_t *id)
{
    if (!b || !b->file_name || !b->sha256)
        return stad_fail(s->ctx, STAD_EINVAL, "batch needs a file name and a hash");
    sqlite3_stmt *st;
    int rc = store_prepare(s,
                           "INSERT INTO batch(source_id, file_name, file_path, sha256, "
                           "target, status, started, replaces) "
                           "VALUES(?, ?, ?, ?, ?, 'loaded', ?, ?)",
                           &st, "creating batch");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, b->source_id);
    sqlite3_bind_text(st, 2, b->file_name, -1, SQLITE_STATIC);
    store_bind_text(st, 3, b->file_path);
    sqlite3_bind_text(st, 4, b->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, b->target && *b->target ? b->target : "event", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, b->started ? b->started : (int64_t)time(NULL));
    store_bind_id(st, 7, b->replaces);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_fail_sql(s, "creating batch");
    else
        *id = sqlite3_last_insert_rowid(s->db);
    sqlite3_finalize(st);
    return rc;
}

/* Runs an UPDATE/DELETE with int64 parameters; *changes gets the row count. */
static int exec_ids(stad_store *s, const char *sql, int64_t a, int64_t b, int nparams,
                    int *changes, const char *what)
{
    sqlite3_stmt *st;
    int rc = store_prepare(s, sql, &st, what);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, a);
    if (nparams > 1)
        sqlite3_bind_int64(st, 2, b);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_fail_sql(s, what);
    else if (changes)
        *changes = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    return rc;
}

int stad_store_batch_finish(stad_store *s, int64_t id, int64_t rows_read,
                            int64_t accepted, int64_t rejected)
{
    sqlite3_stmt *st;
    int rc = store_prepare(s,
                           "UPDATE batch SET rows_read = ?, rows_accepted = ?, "
                           "rows_rejected = ?, finished = ? WHERE id = ?",
                           &st, "finishing batch");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, rows_read);
    sqlite3_bind_int64(st, 2, accepted);
    sqlite3_bind_int64(st, 3, rejected);
    sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
    sqlite3_bind_int64(st, 5, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_fail_sql(s, "finishing batch");
    else if (sqlite3_changes(s->db) == 0)
        rc = stad_fail(s->ctx, STAD_ENOTFOUND, "no batch %lld to finish", (long long)id);
    sqlite3_finalize(st);
    return rc ? rc : store_bump_data_version(s);
}

int stad_store_batch_replace(stad_store *s, int64_t old_id, int64_t new_id)
{
    if (old_id == new_id)
        return stad_fail(s->ctx, STAD_EINVAL, "batch %lld cannot replace itself",
                         (long long)old_id);
    int changes = 0;
    int rc = exec_ids(s, "UPDATE batch SET status = 'replaced' WHERE id = ?", old_id, 0, 1,
                      &changes, "marking batch replaced");
    if (rc)
        return rc;
    if (changes == 0)
        return stad_fail(s->ctx, STAD_ENOTFOUND, "no batch %lld to replace",
                         (long long)old_id);
    rc = exec_ids(s, "UPDATE batch SET replaces = ? WHERE id = ?", old_id, new_id, 2,
                  &changes, "linking replacing batch");
    if (rc)
        return rc;
    if (changes == 0)
        return stad_fail(s->ctx, STAD_ENOTFOUND, "no batch %lld replaces %lld",
                         (long long)new_id, (long long)old_id);
    /* The old rows go; the batch row and its rejects stay as history. */
    rc = exec_ids(s, "DELETE FROM event WHERE batch_id = ?", old_id, 0, 1, NULL,
                  "deleting events of replaced batch");
    if (!rc)
        rc = exec_ids(s, "DELETE FROM asset WHERE batch_id = ?", old_id, 0, 1, NULL,
                      "deleting assets of replaced batch");
    if (!rc)
        rc = exec_ids(s, "DELETE FROM street WHERE batch_id = ?", old_id, 0, 1, NULL,
                      "deleting streets of replaced batch");
    return rc;
}

#define BATCH_SELECT                                                            \
    "SELECT b.id, b.source_id, s.name, b.file_name, b.file_path, b.sha256, "    \
    "b.target, b.status, b.rows_read, b.rows_accepted, b.rows_rejected, "       \
    "b.started, b.finished, b.replaces FROM batch b JOIN source s ON s.id = b.source_id "

static int batch_rows(stad_store *s, sqlite3_stmt *st,
                      int (*cb)(void *, const stad_batch_row *), void *user, int *n,
                      const char *what)
{
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        stad_batch_row r = {
            .id = sqlite3_column_int64(st, 0),
            .source_id = sqlite3_column_int64(st, 1),
            .source_name = store_col_text(st, 2),
            .file_name = store_col_text(st, 3),
            .file_path = store_col_text(st, 4),
            .sha256 = store_col_text(st, 5),
            .target = store_col_text(st, 6),
            .status = store_col_text(st, 7),
            .rows_read = sqlite3_column_int64(st, 8),
            .rows_accepted = sqlite3_column_int64(st, 9),
            .rows_rejected = sqlite3_column_int64(st, 10),
            .started = sqlite3_column_int64(st, 11),
            .finished = sqlite3_column_int64(st, 12),
            .replaces = sqlite3_column_int64(st, 13),
        };
        (*n)++;
        rc = cb(user, &r);
        if (rc)
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, what);
    sqlite3_finalize(st);
    return rc;
}

int stad_store_batch_get(stad_store *s, int64_t id,
                         int (*cb)(void *, const stad_batch_row *), void *user)
{
    sqlite3_stmt *st;
    int rc = store_prepare(s, BATCH_SELECT "WHERE b.id = ?", &st, "reading batch");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int n = 0;
    rc = batch_rows(s, st, cb, user, &n, "reading batch");
    if (!rc && n == 0)
        rc = stad_fail(s->ctx, STAD_ENOTFOUND, "no batch %lld", (long long)id);
    return rc;
}

int stad_store_batches_each(stad_store *s, int (*cb)(void *, const stad_batch_row *),
                            void *user)
{
    sqlite3_stmt *st;
    int rc = store_prepare(s, BATCH_SELECT "ORDER BY b.id", &st, "listing batches");
    if (rc)
        return rc;
    int n = 0;
    return batch_rows(s, st, cb, user, &n, "listing batches");
}
