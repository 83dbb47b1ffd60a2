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
                      "refused: cell '%s' of this release and cell '%s' of release '%s' "
                      "differ by %zu households (fewer than %d); publishing both would "
                      "reveal that group",
                      stad_strbuf_str(&lab), old_label, old_name, diff, r->threshold);
            stad_strbuf_free(&lab);
            return 1;
        }
    }
    return 0;
}

/* Calls fn(user, release name, cell label, households, n) for every published cell
 * of every recorded release, households sorted; stops at fn's first nonzero return,
 * which it returns. */
typedef int (*ledger_cell_fn)(void *user, const char *release, const char *label,
                              const int64_t *hh, size_t n);

static int ledger_each_cell(stad_social_db *db, ledger_cell_fn fn, void *user)
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
            rc = fn(user, name, label, hh, n);
            if (rc)
                break;
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

typedef struct {
    stad_social_db *db;
    const stad_social_result *r;
} check_ctx;

static int check_cell(void *user, const char *release, const char *label, const int64_t *hh,
                      size_t n)
{
    check_ctx *k = user;
    return conflicts(k->db, k->r, release, label, hh, n) ? STAD_ERANGE : 0;
}

static int check(stad_social_db *db, const stad_social_result *r)
{
    check_ctx k = {db, r};
    return ledger_each_cell(db, check_cell, &k);
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

/* ---- tables published outside the analyses (open data) ---- */

/* (household, cell) pairs of the published cells, sorted by household: which cells
 * hold a household, for counting the overlap of a set with every cell at once. */
typedef struct hh_cell { int64_t hh; size_t cell; } hh_cell;

static int cmp_hh_cell(const void *a, const void *b)
{
    const hh_cell *x = a, *y = b;
    if (x->hh != y->hh)
        return (x->hh > y->hh) - (x->hh < y->hh);
    return (x->cell > y->cell) - (x->cell < y->cell);
}

typedef struct overlap {
    hh_cell *pairs;
    size_t n_pairs;
    size_t *count;   /* per cell: households in common with the set being compared */
    size_t *touched; /* cells with count > 0 */
    size_t n_touched;
} overlap;

/* Counts, for every published cell, the households it shares with hh[0..n). */
static void overlap_count(overlap *o, const int64_t *hh, size_t n)
{
    for (size_t i = 0; i < o->n_touched; i++)
        o->count[o->touched[i]] = 0;
    o->n_touched = 0;
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = o->n_pairs;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (o->pairs[mid].hh < hh[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < o->n_pairs && o->pairs[lo].hh == hh[i]; lo++) {
            size_t c = o->pairs[lo].cell;
            if (!o->count[c]++)
                o->touched[o->n_touched++] = c;
        }
    }
}

/* 0, or the number of households by which two nested sets differ (sizes na, nb,
 * `both` in common); SIZE_MAX when they are not nested. */
static size_t nested_diff(size_t na, size_t nb, size_t both)
{
    if (both == na && nb >= na)
        return nb - na;
    if (both == nb && na >= nb)
        return na - nb;
    return SIZE_MAX;
}

static void why_set(char *why, size_t size, const char *a, const char *b, const char *rel,
                    size_t diff, int threshold)
{
    if (!why || !size || why[0])
        return;
    snprintf(why, size, "cell %s and cell %s%s%s differ by %zu households (fewer than %d)",
             a, b, rel ? " of release " : "", rel ? rel : "", diff, threshold);
}

typedef struct {
    const stad_social_pubcell *cells;
    overlap *o;
    int threshold;
    int *conflict;
    char *why;
    size_t why_size;
} earlier_ctx;

/* Marks the new cells nested with an earlier release's cell by a small group. */
static int earlier_cell(void *user, const char *release, const char *label,
                        const int64_t *hh, size_t n)
{
    earlier_ctx *k = user;
    overlap_count(k->o, hh, n);
    for (size_t t = 0; t < k->o->n_touched; t++) {
        size_t d = k->o->touched[t];
        size_t diff = nested_diff(n, k->cells[d].n, k->o->count[d]);
        if (diff == 0 || diff == SIZE_MAX || diff >= (size_t)k->threshold)
            continue;
        why_set(k->why, k->why_size, k->cells[d].label, label, release, diff, k->threshold);
        k->conflict[d] = 1;
    }
    return 0;
}

int stad_social_ledger_check(stad_social_db *db, const stad_social_pubcell *cells, size_t n,
                             int threshold, int *conflict, size_t *n_conflicts, char *why,
                             size_t why_size)
{
    *n_conflicts = 0;
    if (why && why_size)
        why[0] = '\0';
    memset(conflict, 0, n * sizeof *conflict);
    overlap o = {0};
    for (size_t c = 0; c < n; c++)
        if (cells[c].published)
            o.n_pairs += cells[c].n;
    o.pairs = malloc((o.n_pairs ? o.n_pairs : 1) * sizeof *o.pairs);
    o.count = calloc(n ? n : 1, sizeof *o.count);
    o.touched = malloc((n ? n : 1) * sizeof *o.touched);
    int rc = o.pairs && o.count && o.touched ? 0 : stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
    size_t np = 0;
    for (size_t c = 0; !rc && c < n; c++)
        for (size_t i = 0; cells[c].published && i < cells[c].n; i++)
            o.pairs[np++] = (hh_cell){cells[c].households[i], c};
    if (!rc)
        qsort(o.pairs, np, sizeof *o.pairs, cmp_hh_cell);
    /* within the table: of two nested cells differing by a small group, the smaller */
    for (size_t c = 0; !rc && c < n; c++) {
        if (!cells[c].published)
            continue;
        overlap_count(&o, cells[c].households, cells[c].n);
        for (size_t t = 0; t < o.n_touched; t++) {
            size_t d = o.touched[t];
            if (d == c)
                continue;
            size_t diff = nested_diff(cells[c].n, cells[d].n, o.count[d]);
            if (diff == 0 || diff == SIZE_MAX || diff >= (size_t)threshold)
                continue;
            size_t small = cells[c].n < cells[d].n || (cells[c].n == cells[d].n && c > d) ? c : d;
            why_set(why, why_size, cells[c].label, cells[d].label, NULL, diff, threshold);
            conflict[small] = 1;
        }
    }
    /* against every published cell of earlier releases */
    if (!rc) {
        earlier_ctx k = {cells, &o, threshold, conflict, why, why_size};
        rc = ledger_each_cell(db, earlier_cell, &k);
    }
    free(o.pairs);
    free(o.count);
    free(o.touched);
    for (size_t c = 0; !rc && c < n; c++)
        *n_conflicts += conflict[c] != 0;
    return rc;
}

int stad_social_ledger_record(stad_social_db *db, const char *name, const char *spec,
                              const stad_social_pubcell *cells, size_t n, int threshold)
{
    if (!name || !*name)
        return stad_fail(db->ctx, STAD_EINVAL, "a release needs a name");
    int rc = social_db_exec(db, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    sqlite3_stmt *rel = NULL, *cell = NULL, *mem = NULL;
    int exists = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM release WHERE name = ?", -1, &rel, NULL) !=
        SQLITE_OK) {
        rc = social_db_fail(db, "ledger");
    } else {
        sqlite3_bind_text(rel, 1, name, -1, SQLITE_STATIC);
        exists = sqlite3_step(rel) == SQLITE_ROW;
        sqlite3_finalize(rel);
        rel = NULL;
    }
    if (rc || exists)
        goto done;
    if (sqlite3_prepare_v2(db->db, "INSERT INTO release(name, created, spec, threshold) "
                                   "VALUES(?,?,?,?)", -1, &rel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db, "INSERT INTO release_cell(release, cell, label, households, "
                                   "suppressed) VALUES(?,?,?,?,?)", -1, &cell, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db, "INSERT INTO release_member(release, cell, household) "
                                   "VALUES(?,?,?)", -1, &mem, NULL) != SQLITE_OK) {
        rc = social_db_fail(db, "ledger");
        goto done;
    }
    sqlite3_bind_text(rel, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(rel, 2, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(rel, 3, spec ? spec : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(rel, 4, threshold);
    if (sqlite3_step(rel) != SQLITE_DONE) {
        rc = social_db_fail(db, "release");
        goto done;
    }
    int64_t id = sqlite3_last_insert_rowid(db->db);
    for (size_t c = 0; c < n && !rc; c++) {
        sqlite3_reset(cell);
        sqlite3_bind_int64(cell, 1, id);
        sqlite3_bind_int64(cell, 2, (sqlite3_int64)c);
        sqlite3_bind_text(cell, 3, cells[c].label, -1, SQLITE_STATIC);
        if (cells[c].published)
            sqlite3_bind_int64(cell, 4, (sqlite3_int64)cells[c].n);
        else
            sqlite3_bind_null(cell, 4);
        sqlite3_bind_int(cell, 5, cells[c].published ? STAD_CELL_PUBLISHED : STAD_CELL_PRIMARY);
        if (sqlite3_step(cell) != SQLITE_DONE) {
            rc = social_db_fail(db, "release cell");
            break;
        }
        for (size_t i = 0; cells[c].published && i < cells[c].n && !rc; i++) {
            sqlite3_reset(mem);
            sqlite3_bind_int64(mem, 1, id);
            sqlite3_bind_int64(mem, 2, (sqlite3_int64)c);
            sqlite3_bind_int64(mem, 3, cells[c].households[i]);
            if (sqlite3_step(mem) != SQLITE_DONE)
                rc = social_db_fail(db, "release member");
        }
    }
done:
    sqlite3_finalize(rel);
    sqlite3_finalize(cell);
    sqlite3_finalize(mem);
    if (rc)
        social_db_rollback(db);
    else if ((rc = social_db_exec(db, "COMMIT")))
        social_db_rollback(db);
    return rc;
}
