/* Recording a visit: one campaign_visit row (idempotent by key) plus events for the
 * labels, removals and returns, written as a small batch of the source
 * "campaign.<theme>" in one transaction. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <sqlite3.h>

#include "bikes/bikes_internal.h"

static int sqlfail(stad_ctx *ctx, sqlite3 *db, const char *what)
{
    return stad_fail(ctx, STAD_ESTORE, "%s: %s", what, sqlite3_errmsg(db));
}

int stad_bikes_record_visit(stad_ctx *ctx, stad_store *s, const stad_bikes_theme *t,
                            const stad_bikes_record *r, int *duplicate)
{
    if (duplicate)
        *duplicate = 0;
    if (r->labels < 0 || r->removed < 0 || r->returned < 0 ||
        (r->action != STAD_BIKES_LABEL && r->action != STAD_BIKES_FOLLOWUP))
        return stad_fail(ctx, STAD_EINVAL, "record: counts must be >= 0 and the action "
                                           "label or followup");
    if (r->action == STAD_BIKES_LABEL && (r->removed || r->returned))
        return stad_fail(ctx, STAD_EINVAL, "record: a labelling visit places labels; "
                                           "removals belong to the follow-up");
    sqlite3 *db = stad_store_db(s);
    sqlite3_stmt *q = NULL;
    int rc = stad_store_begin(s);
    if (rc)
        return rc;
    double x = 0, y = 0, lon = 0, lat = 0;
    int64_t wijk = 0, buurt = 0;
    if (sqlite3_prepare_v2(db, "SELECT x, y, lon, lat, coalesce(wijk_id,0), "
                               "coalesce(buurt_id,0) FROM street WHERE id = ?",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = sqlfail(ctx, db, "reading the street");
        goto done;
    }
    sqlite3_bind_int64(q, 1, r->street_id);
    if (sqlite3_step(q) != SQLITE_ROW) {
        rc = stad_fail(ctx, STAD_ENOTFOUND, "record: no street with id %lld",
                       (long long)r->street_id);
        goto done;
    }
    x = sqlite3_column_double(q, 0);
    y = sqlite3_column_double(q, 1);
    lon = sqlite3_column_double(q, 2);
    lat = sqlite3_column_double(q, 3);
    wijk = sqlite3_column_int64(q, 4);
    buurt = sqlite3_column_int64(q, 5);
    sqlite3_finalize(q);
    q = NULL;
    if (r->idem_key) {
        if (sqlite3_prepare_v2(db, "SELECT 1 FROM campaign_visit WHERE idem_key = ?", -1, &q,
                               NULL) != SQLITE_OK) {
            rc = sqlfail(ctx, db, "checking the idempotency key");
            goto done;
        }
        sqlite3_bind_text(q, 1, r->idem_key, -1, SQLITE_STATIC);
        int seen = sqlite3_step(q) == SQLITE_ROW;
        sqlite3_finalize(q);
        q = NULL;
        if (seen) {
            if (duplicate)
                *duplicate = 1;
            goto done; /* already recorded: nothing to write */
        }
    }
    /* a batch for the events: hash of theme, street, time and key as its "file" */
    char source[64], fname[96], hex[2 * crypto_hash_sha256_BYTES + 1];
    bikes_campaign_source(t, source, sizeof source);
    char seed[256];
    snprintf(seed, sizeof seed, "%s|%lld|%lld|%d|%.100s|%lld", t->name, (long long)r->street_id,
             (long long)r->t, r->action, r->idem_key ? r->idem_key : "",
             (long long)time(NULL));
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)seed, strlen(seed));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(fname, sizeof fname, "visit-%.16s", hex);
    int64_t src_id = 0, batch = 0;
    if ((rc = stad_store_source_ensure(s, source, &src_id)))
        goto done;
    stad_batch_row b = {.source_id = src_id, .file_name = fname, .sha256 = hex,
                        .target = "event", .started = (int64_t)time(NULL)};
    if ((rc = stad_store_batch_create(s, &b, &batch)))
        goto done;
    struct {
        const char *kind;
        int count;
    } ev[] = {{t->kind_labelled, r->labels}, {t->kind_removed, r->removed},
              {t->kind_returned, r->returned}};
    int64_t rows = 0;
    for (int k = 0; k < 3; k++) {
        if (ev[k].count <= 0)
            continue;
        stad_event_row e = {.batch_id = batch, .kind = ev[k].kind, .category = ev[k].kind,
                            .t_from = r->t, .t_to = r->t, .has_xy = 1, .x = x, .y = y,
                            .lon = lon, .lat = lat, .wijk_id = wijk, .buurt_id = buurt,
                            .count = ev[k].count};
        char attrs[64];
        snprintf(attrs, sizeof attrs, "{\"street_id\":%lld}", (long long)r->street_id);
        e.attrs = attrs;
        if ((rc = stad_store_event_insert(s, &e)))
            goto done;
        rows++;
    }
    if ((rc = stad_store_batch_finish(s, batch, rows, rows, 0)))
        goto done;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO campaign_visit(theme, street_id, t, action, labels, "
                           "removed, returned, remark, idem_key, batch_id, created) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = sqlfail(ctx, db, "preparing the visit");
        goto done;
    }
    sqlite3_bind_text(q, 1, t->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, r->street_id);
    sqlite3_bind_int64(q, 3, r->t);
    sqlite3_bind_text(q, 4, r->action == STAD_BIKES_FOLLOWUP ? "followup" : "label", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int(q, 5, r->labels);
    sqlite3_bind_int(q, 6, r->removed);
    sqlite3_bind_int(q, 7, r->returned);
    if (r->remark)
        sqlite3_bind_text(q, 8, r->remark, -1, SQLITE_STATIC);
    if (r->idem_key)
        sqlite3_bind_text(q, 9, r->idem_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 10, batch);
    sqlite3_bind_int64(q, 11, (int64_t)time(NULL));
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = sqlfail(ctx, db, "storing the visit");
done:
    sqlite3_finalize(q);
    if (!rc)
        rc = stad_store_commit(s);
    if (rc)
        stad_store_rollback(s);
    return rc;
}
