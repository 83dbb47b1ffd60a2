/* Backup and restore of the store file through SQLite's online backup API.
 *
 * Backup copies one read snapshot of the open store (WAL: writers such as the server's
 * watcher go on meanwhile) into a temporary file next to the destination, switches the
 * copy to a rollback journal so it is one self-contained file, checks it, syncs it and
 * only then renames it into place: a backup that fails half-way (full disk, kill)
 * never leaves a file that looks complete.
 *
 * Restore checks the backup first (integrity, stad schema no newer than this binary),
 * then takes an exclusive lock on the store without waiting. Every connection of a
 * running `stad serve` or ingest holds a shared lock in WAL mode, so a store in use is
 * refused rather than changed under its readers. The pages are copied with the backup
 * API into the locked store (not by renaming files, which could pair the new file with
 * an old -wal file). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_internal.h"

/* Reads one integer result of sql on db into *v; 0 or -1. */
static int query_int(sqlite3 *db, const char *sql, int64_t *v)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *v = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Integrity, schema version and counts of an open database; `what` names it in
 * messages. */
static int check_db(stad_ctx *ctx, sqlite3 *db, const char *what, stad_backup_info *info)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL) != SQLITE_OK) {
        int rc = stad_fail(ctx, STAD_EFORMAT, "%s: not a stad store: %s", what,
                           sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return rc;
    }
    int step = sqlite3_step(st);
    const char *res = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (!res || strcmp(res, "ok") != 0) {
        int rc = stad_fail(ctx, STAD_EFORMAT, "%s: damaged: integrity check says: %s", what,
                           res ? res : sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);

    int64_t version = 0, tables = 0;
    if (query_int(db, "PRAGMA user_version", &version) ||
        query_int(db,
                  "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                  "('meta', 'source', 'batch', 'reject', 'event', 'area')",
                  &tables))
        return stad_fail(ctx, STAD_EFORMAT, "%s: cannot read its schema: %s", what,
                         sqlite3_errmsg(db));
    if (version < 1 || tables != 6)
        return stad_fail(ctx, STAD_EFORMAT, "%s: not a stad store (schema version %lld)",
                         what, (long long)version);
    if (version > STAD_SCHEMA_VERSION)
        return stad_fail(ctx, STAD_ESCHEMA,
                         "%s: made by a newer stad (schema %lld, this stad knows up to %d)",
                         what, (long long)version, STAD_SCHEMA_VERSION);
    if (info) {
        memset(info, 0, sizeof *info);
        info->schema_version = (int)version;
        int64_t page_size = 0;
        if (query_int(db, "PRAGMA page_count", &info->pages) ||
            query_int(db, "PRAGMA page_size", &page_size) ||
            query_int(db, "SELECT count(*) FROM batch WHERE status = 'loaded'",
                      &info->batches) ||
            query_int(db, "SELECT count(*) FROM event", &info->events) ||
            query_int(db, "SELECT count(*) FROM area", &info->areas))
            return stad_fail(ctx, STAD_EFORMAT, "%s: cannot count its contents: %s", what,
                             sqlite3_errmsg(db));
        info->bytes = info->pages * page_size;
    }
    return 0;
}

/* fsync of a file or directory by path; 0 or -1 with errno. */
static int sync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* The directory part of path ("." when none) into out. */
static void dir_of(const char *path, stad_strbuf *out)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        stad_strbuf_append(out, ".");
    else if (slash == path)
        stad_strbuf_append(out, "/");
    else
        stad_strbuf_append_n(out, path, (size_t)(slash - path));
}

static void unlink_db(const char *path)
{
    char side[4096];
    unlink(path);
    if (snprintf(side, sizeof side, "%s-journal", path) < (int)sizeof side)
        unlink(side);
    if (snprintf(side, sizeof side, "%s-wal", path) < (int)sizeof side)
        unlink(side);
    if (snprintf(side, sizeof side, "%s-shm", path) < (int)sizeof side)
        unlink(side);
}

static int fail_db(stad_ctx *ctx, sqlite3 *db, int code, const char *what, const char *path)
{
    int e = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
    const char *msg = db ? sqlite3_errmsg(db) : "out of memory";
    if ((e & 0xff) == SQLITE_FULL)
        msg = "the disk is full";
    return stad_fail(ctx, code, "%s %s: %s", what, path, msg);
}

int stad_store_backup(stad_store *s, const char *dest, int overwrite, stad_backup_info *info)
{
    stad_ctx *ctx = s->ctx;
    if (!dest || !*dest)
        return stad_fail(ctx, STAD_EINVAL, "backup: no destination file");
    struct stat sb;
    if (!overwrite && stat(dest, &sb) == 0)
        return stad_fail(ctx, STAD_EINVAL, "backup: %s exists (use --force to replace it)",
                         dest);
    if (s->path && strcmp(s->path, dest) == 0)
        return stad_fail(ctx, STAD_EINVAL, "backup: %s is the store itself", dest);

    stad_strbuf tmp = STAD_STRBUF_INIT, dir = STAD_STRBUF_INIT;
    stad_strbuf_printf(&tmp, "%s.partial-XXXXXX", dest);
    dir_of(dest, &dir);
    if (tmp.oom || dir.oom) {
        stad_strbuf_free(&tmp);
        stad_strbuf_free(&dir);
        return stad_fail(ctx, STAD_ENOMEM, "backup: out of memory");
    }
    int fd = mkstemp(tmp.s);
    if (fd < 0) {
        int rc = stad_fail(ctx, STAD_EIO, "backup: cannot create a file next to %s: %s", dest,
                           strerror(errno));
        stad_strbuf_free(&tmp);
        stad_strbuf_free(&dir);
        return rc;
    }
    close(fd);

    sqlite3 *db = NULL;
    int rc = 0;
    if (sqlite3_open_v2(tmp.s, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = fail_db(ctx, db, STAD_EIO, "backup: cannot open", tmp.s);
        goto done;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_backup *b = sqlite3_backup_init(db, "main", s->db, "main");
    if (!b) {
        rc = fail_db(ctx, db, STAD_EIO, "backup: cannot start copying to", tmp.s);
        goto done;
    }
    /* All pages in one step: one read snapshot, so writers of the store (the server's
     * watcher, an ingest) can neither restart nor be seen half-way. */
    int step = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        rc = fail_db(ctx, db, STAD_EIO, "backup: copying the store to", tmp.s);
        goto done;
    }
    /* One self-contained file (no -wal beside it), then check what was written. */
    char *err = NULL;
    if (sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, &err) != SQLITE_OK) {
        rc = fail_db(ctx, db, STAD_EIO, "backup: finishing", tmp.s);
        sqlite3_free(err);
        goto done;
    }
    if ((rc = check_db(ctx, db, tmp.s, info)))
        goto done;
    if (sqlite3_close(db) != SQLITE_OK) {
        rc = fail_db(ctx, db, STAD_EIO, "backup: closing", tmp.s);
        goto done;
    }
    db = NULL;
    if (sync_path(tmp.s, 0) || rename(tmp.s, dest) || sync_path(dir.s, 1)) {
        rc = stad_fail(ctx, STAD_EIO, "backup: cannot write %s: %s", dest, strerror(errno));
        goto done;
    }
done:
    if (db)
        sqlite3_close_v2(db);
    if (rc)
        unlink_db(tmp.s);
    stad_strbuf_free(&tmp);
    stad_strbuf_free(&dir);
    return rc;
}

int stad_store_verify_file(stad_ctx *ctx, const char *path, stad_backup_info *info)
{
    struct stat sb;
    if (!path || stat(path, &sb) != 0)
        return stad_fail(ctx, STAD_EIO, "%s: %s", path ? path : "(null)",
                         path ? strerror(errno) : "no file");
    if (!S_ISREG(sb.st_mode))
        return stad_fail(ctx, STAD_EINVAL, "%s: not a regular file", path);
    sqlite3 *db = NULL;
    int rc;
    /* Read-only and immutable-free: a backup beside a stale -wal must not replay it. */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = fail_db(ctx, db, STAD_EIO, "cannot open", path);
    } else {
        sqlite3_busy_timeout(db, 5000);
        rc = check_db(ctx, db, path, info);
    }
    sqlite3_close_v2(db);
    return rc;
}

int stad_store_restore(stad_ctx *ctx, const char *store_path, const char *src,
                       stad_backup_info *info)
{
    if (!store_path || !*store_path || !src || !*src)
        return stad_fail(ctx, STAD_EINVAL, "restore: store and backup file are required");
    char *rs = realpath(src, NULL), *rd = realpath(store_path, NULL);
    int same = rs && rd && strcmp(rs, rd) == 0;
    free(rs);
    free(rd);
    if (same)
        return stad_fail(ctx, STAD_EINVAL, "restore: %s is the store itself", src);
    int rc = stad_store_verify_file(ctx, src, info);
    if (rc)
        return rc;

    sqlite3 *dst = NULL, *from = NULL;
    if (sqlite3_open_v2(store_path, &dst,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = fail_db(ctx, dst, STAD_ESTORE, "restore: cannot open the store", store_path);
        goto done;
    }
    sqlite3_extended_result_codes(dst, 1);
    /* No busy timeout: a store someone else has open is refused at once. */
    if (sqlite3_exec(dst, "PRAGMA locking_mode=EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(dst, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK) {
        int e = sqlite3_extended_errcode(dst) & 0xff;
        if (e == SQLITE_BUSY || e == SQLITE_LOCKED)
            rc = stad_fail(ctx, STAD_EINVAL,
                           "restore: the store %s is in use (stad serve, watch or ingest); "
                           "stop it first",
                           store_path);
        else
            rc = fail_db(ctx, dst, STAD_ESTORE, "restore: cannot lock the store", store_path);
        goto done;
    }
    sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL); /* the exclusive lock stays (mode) */
    if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = fail_db(ctx, from, STAD_EIO, "restore: cannot open", src);
        goto done;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", from, "main");
    if (!b) {
        rc = fail_db(ctx, dst, STAD_ESTORE, "restore: cannot start copying into", store_path);
        goto done;
    }
    int step = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        rc = fail_db(ctx, dst, STAD_ESTORE, "restore: copying into", store_path);
        goto done;
    }
    /* The copy carries the backup's journal mode; the store runs in WAL. */
    if (sqlite3_exec(dst, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
        rc = fail_db(ctx, dst, STAD_ESTORE, "restore: switching to WAL", store_path);
        goto done;
    }
    rc = check_db(ctx, dst, store_path, NULL);
done:
    sqlite3_close_v2(from);
    sqlite3_close_v2(dst);
    return rc;
}
