/* Upgrading a store to this binary's schema, with a backup taken first.
 *
 * stad_store_open migrates silently, which is right for a fresh or current store. A
 * service that starts a newer stad on a store full of data must first keep a copy of
 * the store as it was, so that going back to the older stad (or a failed migration
 * nobody foresaw) loses nothing: the schema is read without migrating, the copy is
 * made through stad_store_backup (one checked, synced file), and only then is the
 * store opened, which migrates it in one transaction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/store_internal.h"

/* user_version of the database at path, read without changing anything. */
static int read_version(stad_ctx *ctx, const char *path, sqlite3 **db_out, int *version)
{
    sqlite3 *db = NULL;
    *db_out = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        int rc = stad_fail(ctx, STAD_ESTORE, "opening store %s: %s", path,
                           db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close_v2(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        rc = stad_fail(ctx, STAD_ESTORE, "%s: cannot read the schema version: %s", path,
                       sqlite3_errmsg(db));
    else
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc) {
        sqlite3_close_v2(db);
        return rc;
    }
    *db_out = db;
    return 0;
}

/* <dir>/<store name>.schema<from>-<UTC time>.bak, made unique with -2, -3, ... */
static int backup_name(stad_ctx *ctx, const char *path, const char *dir, int from,
                       char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    for (int k = 1; k < 100; k++) {
        char suffix[16] = "";
        if (k > 1)
            snprintf(suffix, sizeof suffix, "-%d", k);
        int n = snprintf(out, size, "%s/%s.schema%d-%s%s.bak", dir, base, from, stamp, suffix);
        if (n < 0 || (size_t)n >= size)
            return stad_fail(ctx, STAD_EINVAL, "upgrade: backup path too long in %s", dir);
        struct stat st;
        if (stat(out, &st) != 0)
            return 0;
    }
    return stad_fail(ctx, STAD_EIO, "upgrade: too many backups named %s.schema%d-%s in %s",
                     base, from, stamp, dir);
}

int stad_store_upgrade(stad_ctx *ctx, const char *path, const char *backup_dir,
                       stad_upgrade_info *info)
{
    stad_upgrade_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    struct stat st;
    if (!path || !*path || stat(path, &st) != 0)
        return stad_fail(ctx, STAD_ENOTFOUND, "no store at %s", path ? path : "(null)");

    sqlite3 *db = NULL;
    int version = 0;
    int rc = read_version(ctx, path, &db, &version);
    if (rc)
        return rc;
    info->from = version;
    info->to = STAD_SCHEMA_VERSION;
    if (version > STAD_SCHEMA_VERSION) {
        sqlite3_close_v2(db);
        return stad_fail(ctx, STAD_ESCHEMA,
                         "%s has schema version %d, made by a newer stad; this stad knows up "
                         "to %d: install that newer stad again (or restore a backup made "
                         "before the upgrade)",
                         path, version, STAD_SCHEMA_VERSION);
    }
    if (version == STAD_SCHEMA_VERSION) {
        sqlite3_close_v2(db);
        return 0;
    }

    if (version > 0) {
        /* Version 0 is a store without tables: nothing to keep. */
        char dirbuf[4096];
        const char *dir = backup_dir && *backup_dir ? backup_dir : NULL;
        if (!dir) {
            const char *slash = strrchr(path, '/');
            if (!slash)
                dir = ".";
            else if (slash == path)
                dir = "/";
            else {
                snprintf(dirbuf, sizeof dirbuf, "%.*s", (int)(slash - path), path);
                dir = dirbuf;
            }
        }
        if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
            rc = stad_fail(ctx, STAD_EIO, "upgrade: cannot create the backup folder %s: %s",
                           dir, strerror(errno));
            sqlite3_close_v2(db);
            return rc;
        }
        rc = backup_name(ctx, path, dir, version, info->backup, sizeof info->backup);
        if (rc) {
            sqlite3_close_v2(db);
            return rc;
        }
        /* A store handle over the unmigrated database, for stad_store_backup only. */
        stad_store *old = calloc(1, sizeof *old);
        char *p = strdup(path);
        if (!old || !p) {
            free(old);
            free(p);
            sqlite3_close_v2(db);
            return stad_fail(ctx, STAD_ENOMEM, "upgrade: out of memory");
        }
        old->db = db;
        old->ctx = ctx;
        old->path = p;
        rc = stad_store_backup(old, info->backup, 0, NULL);
        stad_store_close(old);
        if (rc) {
            info->backup[0] = '\0';
            return rc; /* no backup, no migration: the store stays as it was */
        }
        stad_log(ctx, STAD_LOG_INFO, "upgrade: %s backed up to %s before migrating", path,
                 info->backup);
    } else {
        sqlite3_close_v2(db);
    }

    stad_store *s = NULL;
    rc = stad_store_open(ctx, path, &s); /* migrates, in one transaction */
    stad_store_close(s);
    if (rc)
        return rc;
    stad_log(ctx, STAD_LOG_INFO, "upgrade: %s migrated from schema %d to %d", path, version,
             STAD_SCHEMA_VERSION);
    return 0;
}
