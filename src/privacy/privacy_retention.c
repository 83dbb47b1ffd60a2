/* Retention: events of batches older than their source's retention period are
 * deleted; the batch row stays (status "expired", counts kept) as the record that
 * the file was received and removed. */
#include <stdio.h>
#include <string.h>

#include "privacy/privacy_internal.h"

typedef struct pending_src {
    int64_t id;
    char name[256];
    int days;
} pending_src;

int stad_privacy_retention_run(stad_store *s, const char *actor, const char *interface,
                               int64_t now, int dry_run,
                               int (*cb)(void *, const stad_retention_row *), void *user)
{
    int rc = stad_store_begin(s);
    if (rc)
        return rc;
    sqlite3_stmt *src = NULL, *count = NULL, *del = NULL, *mark = NULL;
    rc = priv_prepare(s,
                      "SELECT id, name, retention_days FROM source "
                      "WHERE retention_days > 0 ORDER BY name",
                      &src, "reading retention periods");
    if (!rc)
        rc = priv_prepare(s,
                          "SELECT count(DISTINCT b.id), count(e.id) FROM batch b "
                          "LEFT JOIN event e ON e.batch_id = b.id WHERE b.source_id = ?1 "
                          "AND b.status = 'loaded' AND coalesce(b.finished, b.started) < ?2",
                          &count, "counting expired events");
    if (!rc)
        rc = priv_prepare(s,
                          "DELETE FROM event WHERE batch_id IN (SELECT id FROM batch "
                          "WHERE source_id = ?1 AND status = 'loaded' AND "
                          "coalesce(finished, started) < ?2)",
                          &del, "deleting expired events");
    if (!rc)
        rc = priv_prepare(s,
                          "UPDATE batch SET status = 'expired' WHERE source_id = ?1 AND "
                          "status = 'loaded' AND coalesce(finished, started) < ?2",
                          &mark, "marking expired batches");
    int64_t total = 0;
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(src)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(src, 0);
        int days = sqlite3_column_int(src, 2);
        int64_t cutoff = now - (int64_t)days * 86400;
        stad_retention_row r = {.source = priv_col_text(src, 1), .retention_days = days};
        sqlite3_reset(count);
        sqlite3_bind_int64(count, 1, id);
        sqlite3_bind_int64(count, 2, cutoff);
        if (sqlite3_step(count) != SQLITE_ROW) {
            rc = priv_fail_sql(s, "counting expired events");
            break;
        }
        r.batches = sqlite3_column_int64(count, 0);
        r.events = sqlite3_column_int64(count, 1);
        if (!dry_run && r.batches > 0) {
            sqlite3_stmt *both[2] = {del, mark};
            for (int k = 0; k < 2 && !rc; k++) {
                sqlite3_reset(both[k]);
                sqlite3_bind_int64(both[k], 1, id);
                sqlite3_bind_int64(both[k], 2, cutoff);
                if (sqlite3_step(both[k]) != SQLITE_DONE)
                    rc = priv_fail_sql(s, "deleting expired events");
            }
            if (!rc) {
                char q[96];
                snprintf(q, sizeof q, "source=%lld&days=%d&batches=%lld", (long long)id, days,
                         (long long)r.batches);
                rc = priv_audit(s, actor, interface, "retention.delete", "", q, r.events, "ok");
            }
            total += r.events;
        }
        if (!rc && cb)
            rc = cb(user, &r);
    }
    if (!rc && step != SQLITE_DONE)
        rc = priv_fail_sql(s, "reading retention periods");
    sqlite3_finalize(src);
    sqlite3_finalize(count);
    sqlite3_finalize(del);
    sqlite3_finalize(mark);
    if (!rc && !dry_run) {
        rc = priv_audit(s, actor, interface, "retention.run", "", "", total, "ok");
        if (!rc && total > 0)
            rc = stad_store_bump_data_version(s);
    }
    if (!rc)
        rc = stad_store_commit(s);
    if (rc)
        stad_store_rollback(s);
    else if (!dry_run)
        stad_log(stad_store_ctx(s), STAD_LOG_INFO, "retention: %lld events deleted",
                 (long long)total);
    return rc;
}
