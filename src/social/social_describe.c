/* What the social store holds, for the dashboard's filters: per source its periods and
 * columns, and the values of each column that enough households share. A value held by
 * fewer households than the threshold is left out, since its mere presence says
 * something about those few. */
#include <stdlib.h>
#include <string.h>

#include "social_internal.h"

void stad_social_catalog_free(stad_social_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        stad_social_source *s = &c->sources[i];
        for (size_t k = 0; k < s->n_columns; k++) {
            stad_social_column *col = &s->columns[k];
            for (size_t l = 0; l < col->n_levels; l++)
                free(col->levels[l]);
            free(col->levels);
            free(col->name);
        }
        free(s->columns);
        free(s->name);
        free(s->first);
        free(s->last);
    }
    free(c->sources);
    free(c);
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? 2 * *cap : 8;
    void *q = realloc(*p, nc * size);
    if (!q)
        return -1;
    memset((char *)q + *cap * size, 0, (nc - *cap) * size);
    *p = q;
    *cap = nc;
    return 0;
}

static stad_social_source *find_source(stad_social_catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->sources[i].name, name) == 0)
            return &c->sources[i];
    return NULL;
}

static int load_sources(stad_social_db *db, stad_social_catalog *c)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT source, MIN(period), MAX(period) FROM record GROUP BY source "
                           "ORDER BY source",
                           -1, &st, NULL) != SQLITE_OK)
        return social_db_fail(db, "sources");
    size_t cap = 0;
    int rc = 0, s;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&c->sources, &cap, c->n, sizeof *c->sources)) {
            rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
            break;
        }
        stad_social_source *src = &c->sources[c->n++];
        src->name = strdup((const char *)sqlite3_column_text(st, 0));
        src->first = strdup((const char *)sqlite3_column_text(st, 1));
        src->last = strdup((const char *)sqlite3_column_text(st, 2));
        if (!src->name || !src->first || !src->last)
            rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
    }
    if (!rc && s != SQLITE_DONE)
        rc = social_db_fail(db, "sources");
    sqlite3_finalize(st);
    return rc;
}

int stad_social_describe(stad_social_db *db, int min_households, size_t max_levels,
                         stad_social_catalog **out)
{
    *out = NULL;
    stad_social_catalog *c = calloc(1, sizeof *c);
    if (!c)
        return stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
    int rc = load_sources(db, c);
    sqlite3_stmt *st = NULL;
    /* Households as the analysis counts them: a row without one is its own. */
    if (!rc && sqlite3_prepare_v2(db->db,
                                  "SELECT r.source, v.col, v.value, COUNT(DISTINCT "
                                  "COALESCE(r.household, -r.id)) FROM record_value v JOIN record "
                                  "r ON r.id = v.record GROUP BY r.source, v.col, v.value "
                                  "ORDER BY r.source, v.col, v.value",
                                  -1, &st, NULL) != SQLITE_OK)
        rc = social_db_fail(db, "columns");
    stad_social_source *src = NULL;
    stad_social_column *col = NULL;
    size_t col_cap = 0, lev_cap = 0;
    int s = SQLITE_DONE;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *sname = (const char *)sqlite3_column_text(st, 0);
        const char *cname = (const char *)sqlite3_column_text(st, 1);
        const char *value = (const char *)sqlite3_column_text(st, 2);
        int64_t hh = sqlite3_column_int64(st, 3);
        if (!src || strcmp(src->name, sname) != 0) {
            src = find_source(c, sname);
            col = NULL;
            col_cap = src ? src->n_columns : 0;
            if (!src)
                continue; /* cannot happen: the sources come from the same table */
        }
        if (!col || strcmp(col->name, cname) != 0) {
            if (grow((void **)&src->columns, &col_cap, src->n_columns, sizeof *src->columns)) {
                rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
                break;
            }
            col = &src->columns[src->n_columns++];
            lev_cap = 0;
            if (!(col->name = strdup(cname))) {
                rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
                break;
            }
        }
        if (hh < min_households || col->many)
            continue;
        if (col->n_levels == max_levels) {
            /* too many to offer as a list: the column is offered without levels */
            for (size_t l = 0; l < col->n_levels; l++)
                free(col->levels[l]);
            col->n_levels = 0;
            col->many = 1;
            continue;
        }
        if (grow((void **)&col->levels, &lev_cap, col->n_levels, sizeof *col->levels) ||
            !(col->levels[col->n_levels] = strdup(value))) {
            rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
            break;
        }
        col->n_levels++;
    }
    if (!rc && s != SQLITE_DONE)
        rc = social_db_fail(db, "columns");
    sqlite3_finalize(st);
    if (rc) {
        stad_social_catalog_free(c);
        return rc;
    }
    *out = c;
    return 0;
}
