/* The release ledger. Every released table is recorded with, per published cell, the
 * households behind it. A new table is refused when one of its published cells and a
 * published cell of an earlier release are nested (one's households contain the
 * other's) and differ by 1 .. threshold-1 households: subtracting the two figures
 * would describe that small group. The household sets stay inside the social store. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "social_internal.h"

static size_t common(const social_cellset *a, const int64_t *b, size_t nb)
{
    size_t i = 0, j = 0, n = 0;
    while (i < a->n && j < nb) {
        if (a->hh[i] < b[j])
            i++;
        else if (a->hh[i] > b[j])
            j++;
        else {
            n++;
            i++;
            j++;
        }
    }
    return n;
}

static void cell_label(const stad_social_result *r, size_t c, stad_strbuf *b)
{
    stad_strbuf_clear(b);
    if (c == r->n_cells) {
        stad_strbuf_append(b, "(total)");
        return;
    }
    for (size_t k = 0; k < r->n_by; k++)
        stad_strbuf_printf(b, "%s%s=%s", k ? "," : "", r->by[k], r->cells[c].values[k]);
    if (!r->n_by)
        stad_strbuf_append(b, "(all)");
}

static int published(const stad_social_result *r, size_t c)
{
    return c == r->n_cells ? !r->total.suppressed : !r->cells[c].suppressed;
}

/* Compares the new result against one earlier cell; 1 on a conflict (message set). */
static int conflicts(stad_social_db *db, const stad_social_result *r, const char *old_name,
                     const char *old_label, const int64_t *hh, size_t n)
{
    const social_result_impl *im = r->impl_;
    for (size_t c = 0; c < im->n_sets; c++) {
        if (!published(r, c))
            continue;
        const social_cellset *s = &im->sets[c];
        size_t both = common(s, hh, n);
        size_t diff = 0;
        if (both == s->n && n > s->n)
            diff = n - s->n; /* new cell inside the old one */
        else if (both == n && s->n > n)
            diff = s->n - n; /* old cell inside the new one */
        if (diff > 0 && diff < (size_t)r->threshold) {
            stad_strbuf lab = STAD_STRBUF_INIT;
            cell_label(r, c, &lab);
            stad_fail(db->ctx, STAD_ERANGE,
                      "refused: cell '%s' and cell '%s' of release '%s' differ by %zu "
                      "households (fewer than %d); publishing both would reveal that group",
                      stad_strbuf_str(&lab), old_label, old_name, diff, r->threshold);
            stad_strbuf_free(&lab);
            return 1;
        }
    }
    return 0;
}

static int check(stad_social_db *db, const stad_social_result *r)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT m.release, m.cell, m.household, r.name, c.label FROM "
                           "release_member m JOIN release r ON r.id = m.release JOIN "
                           "release_cell c ON c.release = m.release AND c.cell = m.cell "
                           "ORDER BY m.release, m.cell, m.household",
                           -1, &st, NULL) != SQLITE_OK)
        return social_db_fail(db, "ledger");
    int64_t *hh = NULL;
    size_t n = 0, cap = 0;
    int64_t cur_rel = -1, cur_cell = -1;
    char name[256] = "", label[512] = "";
    int rc = 0, s;
    for (;;) {
        s = sqlite3_step(st);
        int64_t rel = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -2;
        int64_t cell = s == SQLITE_ROW ? sqlite3_column_int64(st, 1) : -2;
        if ((rel != cur_rel || cell != cur_cell) && n) {
            if (conflicts(db, r, name, label, hh, n)) {
                rc = STAD_ERANGE;
                break;
            }
            n = 0;
        }
        if (s != SQLITE_ROW)
            break;
        if (rel != cur_rel || cell != cur_cell) {
            cur_rel = rel;
            cur_cell = cell;
            snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 3));
            snprintf(label, sizeof label, "%s", (const char *)sqlite3_column_text(st, 4));
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            int64_t *nh = realloc(hh, cap * sizeof *nh);
            if (!nh) {
                rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
                break;
            }
            hh = nh;
        }
        hh[n++] = sqlite3_column_int64(st, 2);
    }
    if (!rc && s != SQLITE_DONE)
        rc = social_db_fail(db, "ledger");
    sqlite3_finalize(st);
    free(hh);
    return rc;
}

static int record(stad_social_db *db, const char *name, const stad_social_result *r)
{
    const social_result_impl *im = r->impl_;
    sqlite3_stmt *rel = NULL, *cell = NULL, *mem = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db->db, "INSERT INTO release(name, created, spec, threshold) "
                                   "VALUES(?,?,?,?)", -1, &rel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db, "INSERT INTO release_cell(release, cell, label, n, "
                                   "successes, households, suppressed) VALUES(?,?,?,?,?,?,?)",
                           -1, &cell, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db, "INSERT INTO release_member(release, cell, household) "
                                   "VALUES(?,?,?)", -1, &mem, NULL) != SQLITE_OK) {
        rc = social_db_fail(db, "ledger");
        goto done;
    }
    sqlite3_bind_text(rel, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(rel, 2, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(rel, 3, im->spec, -1, SQLITE_STATIC);
    sqlite3_bind_int(rel, 4, r->threshold);
    if (sqlite3_step(rel) != SQLITE_DONE) {
        rc = social_db_fail(db, "release");
        goto done;
    }
    int64_t id = sqlite3_last_insert_rowid(db->db);
    stad_strbuf lab = STAD_STRBUF_INIT;
    for (size_t c = 0; c < im->n_sets && !rc; c++) {
        const stad_social_cell *sc = c == r->n_cells ? &r->total : &r->cells[c];
        cell_label(r, c, &lab);
        sqlite3_reset(cell);
        sqlite3_bind_int64(cell, 1, id);
        sqlite3_bind_int64(cell, 2, (sqlite3_int64)c);
        sqlite3_bind_text(cell, 3, stad_strbuf_str(&lab), -1, SQLITE_TRANSIENT);
        if (sc->suppressed) {
            for (int k = 4; k <= 6; k++)
                sqlite3_bind_null(cell, k);
        } else {
            sqlite3_bind_int64(cell, 4, sc->n);
            sqlite3_bind_int64(cell, 5, sc->successes);
            sqlite3_bind_int64(cell, 6, sc->households);
        }
        sqlite3_bind_int(cell, 7, sc->suppressed);
        if (sqlite3_step(cell) != SQLITE_DONE) {
            rc = social_db_fail(db, "release cell");
            break;
        }
        if (sc->suppressed)
            continue;
        for (size_t i = 0; i < im->sets[c].n && !rc; i++) {
            sqlite3_reset(mem);
            sqlite3_bind_int64(mem, 1, id);
            sqlite3_bind_int64(mem, 2, (sqlite3_int64)c);
            sqlite3_bind_int64(mem, 3, im->sets[c].hh[i]);
            if (sqlite3_step(mem) != SQLITE_DONE)
                rc = social_db_fail(db, "release member");
        }
    }
    stad_strbuf_free(&lab);
done:
    sqlite3_finalize(rel);
    sqlite3_finalize(cell);
    sqlite3_finalize(mem);
    return rc;
}

int stad_social_release(stad_social_db *db, const char *name, const stad_social_query *q,
                        stad_social_result **out)
{
    *out = NULL;
    if (!name || !*name)
        return stad_fail(db->ctx, STAD_EINVAL, "a release needs a name");
    stad_social_result *r = NULL;
    int rc = social_db_exec(db, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM release WHERE name = ?", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = social_db_fail(db, "ledger");
    } else {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            rc = stad_fail(db->ctx, STAD_EINVAL, "a release named '%s' exists already", name);
        sqlite3_finalize(st);
    }
    if (!rc)
        rc = stad_social_analyse(db, q, &r);
    if (!rc)
        rc = check(db, r);
    if (!rc)
        rc = record(db, name, r);
    if (!rc)
        rc = social_db_exec(db, "COMMIT");
    if (rc) {
        social_db_rollback(db);
        stad_social_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
