/* Link rates: how many rows of the base source find the same person (any person
 * column, e.g. the child or the parent) or the same household in another source in
 * the same month. Exact linkage on pseudonyms; the error-tolerant fallback
 * (social_clk.c) is for the linkage party before pseudonyms exist. */
#include <stdlib.h>
#include <string.h>

#include "social_internal.h"

#define PERSON_LINK                                                                   \
    "EXISTS(SELECT 1 FROM record_person rp JOIN record_person op ON op.person = rp.person" \
    " JOIN record o ON o.id = op.record WHERE rp.record = r.id AND o.source = ?2"     \
    " AND o.period = r.period)"
#define HOUSEHOLD_LINK                                                                \
    "(r.household IS NOT NULL AND EXISTS(SELECT 1 FROM record o WHERE"                \
    " o.household = r.household AND o.period = r.period AND o.source = ?2))"

void stad_social_links_free(stad_social_links *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].source);
        free(l->items[i].period);
    }
    free(l->items);
    free(l->base);
    free(l);
}

int stad_social_link(stad_social_db *db, const char *base, stad_social_links **out)
{
    *out = NULL;
    stad_social_links *l = calloc(1, sizeof *l);
    if (!l || !(l->base = strdup(base))) {
        free(l);
        return stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
    }
    sqlite3_stmt *src = NULL, *st = NULL;
    int rc = 0;
    size_t cap = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT DISTINCT source FROM record WHERE source <> ?1 "
                                   "ORDER BY source", -1, &src, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db,
                           "SELECT r.period, COUNT(*), SUM(" PERSON_LINK "), SUM(" HOUSEHOLD_LINK
                           "), SUM(" PERSON_LINK " OR " HOUSEHOLD_LINK ") FROM record r"
                           " WHERE r.source = ?1 GROUP BY r.period ORDER BY r.period",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = social_db_fail(db, "link");
        goto done;
    }
    sqlite3_bind_text(src, 1, base, -1, SQLITE_TRANSIENT);
    int base_rows = 0;
    {
        sqlite3_stmt *c = NULL;
        if (sqlite3_prepare_v2(db->db, "SELECT COUNT(*) FROM record WHERE source = ?", -1, &c,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_text(c, 1, base, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(c) == SQLITE_ROW)
                base_rows = sqlite3_column_int(c, 0);
        }
        sqlite3_finalize(c);
    }
    if (!base_rows) {
        rc = stad_fail(db->ctx, STAD_ENOTFOUND, "%s: no rows of source '%s'", db->path, base);
        goto done;
    }
    while (!rc && sqlite3_step(src) == SQLITE_ROW) {
        const char *other = (const char *)sqlite3_column_text(src, 0);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, base, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, other, -1, SQLITE_TRANSIENT);
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            if (l->n == cap) {
                size_t nc = cap ? 2 * cap : 32;
                stad_social_linkrate *ni = realloc(l->items, nc * sizeof *ni);
                if (!ni) {
                    rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
                    break;
                }
                l->items = ni;
                cap = nc;
            }
            stad_social_linkrate *it = &l->items[l->n];
            memset(it, 0, sizeof *it);
            it->source = strdup(other);
            it->period = strdup((const char *)sqlite3_column_text(st, 0));
            l->n++;
            if (!it->source || !it->period) {
                rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
                break;
            }
            it->rows = sqlite3_column_int64(st, 1);
            it->by_person = sqlite3_column_int64(st, 2);
            it->by_household = sqlite3_column_int64(st, 3);
            it->linked = sqlite3_column_int64(st, 4);
        }
        if (!rc && r != SQLITE_DONE)
            rc = social_db_fail(db, "link");
    }
done:
    sqlite3_finalize(src);
    sqlite3_finalize(st);
    if (rc) {
        stad_social_links_free(l);
        return rc;
    }
    *out = l;
    return 0;
}
