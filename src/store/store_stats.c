/* Counts per area x kind x period, and the SQL functions that make period keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stad/timeparse.h"
#include "store/store_internal.h"

/* stad_week(t) -> "2017-W38", stad_month(t) -> "2017-09" on naive local seconds;
 * the same keys as timeparse.h so SQL and C group alike. */
static void sql_period_key(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    char buf[32];
    int64_t t = sqlite3_value_int64(argv[0]);
    if (sqlite3_user_data(c))
        stad_time_week_key(t, buf, sizeof buf);
    else
        stad_time_month_key(t, buf, sizeof buf);
    sqlite3_result_text(c, buf, -1, SQLITE_TRANSIENT);
}

int store_register_functions(stad_store *s)
{
    static int week = 1; /* any non-NULL pointer marks the week variant */
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    if (sqlite3_create_function_v2(s->db, "stad_week", 1, flags, &week, sql_period_key,
                                   NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(s->db, "stad_month", 1, flags, NULL, sql_period_key,
                                   NULL, NULL, NULL) != SQLITE_OK)
        return store_fail_sql(s, "registering SQL functions");
    return 0;
}

/* ---- counting in C ----
 * SQLite's GROUP BY sorts every event row and joins the area per row; a plain scan of
 * the covering index with the counting done here is about three times faster, and
 * /api/stats answers uncached on every new filter. */

typedef struct stat_cell {
    int64_t area;   /* area id, 0 = none */
    int32_t kind;   /* index into kinds */
    int32_t period; /* yyyyww or yyyymm, 0 for "all" */
    int64_t count;
} stat_cell;

typedef struct stat_table {
    stat_cell *cells; /* open addressing; count 0 marks an empty slot (counts are >= 1) */
    size_t cap, n;
    char **kinds;
    size_t n_kinds, cap_kinds;
} stat_table;

static uint64_t cell_hash(int64_t area, int32_t kind, int32_t period)
{
    uint64_t h = (uint64_t)area * 0x9E3779B97F4A7C15ull;
    h ^= ((uint64_t)(uint32_t)kind << 32 | (uint32_t)period) * 0xC2B2AE3D27D4EB4Full;
    return h ^ (h >> 29);
}

static int table_grow(stat_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    stat_cell *cells = calloc(cap, sizeof *cells);
    if (!cells)
        return STAD_ENOMEM;
    for (size_t i = 0; i < t->cap; i++) {
        stat_cell *c = &t->cells[i];
        if (!c->count)
            continue;
        size_t j = cell_hash(c->area, c->kind, c->period) & (cap - 1);
        while (cells[j].count)
            j = (j + 1) & (cap - 1);
        cells[j] = *c;
    }
    free(t->cells);
    t->cells = cells;
    t->cap = cap;
    return 0;
}

static int table_add(stat_table *t, int64_t area, int32_t kind, int32_t period, int64_t n)
{
    if ((t->n + 1) * 2 > t->cap && table_grow(t))
        return STAD_ENOMEM;
    size_t j = cell_hash(area, kind, period) & (t->cap - 1);
    while (t->cells[j].count) {
        stat_cell *c = &t->cells[j];
        if (c->area == area && c->kind == kind && c->period == period) {
            c->count += n;
            return 0;
        }
        j = (j + 1) & (t->cap - 1);
    }
    t->cells[j] = (stat_cell){area, kind, period, n};
    t->n++;
    return 0;
}

/* Rows arrive ordered by kind from the index, so the last kind is nearly always it. */
static int32_t kind_index(stat_table *t, const char *kind)
{
    if (t->n_kinds && strcmp(t->kinds[t->n_kinds - 1], kind) == 0)
        return (int32_t)(t->n_kinds - 1);
    for (size_t i = 0; i < t->n_kinds; i++)
        if (strcmp(t->kinds[i], kind) == 0)
            return (int32_t)i;
    if (t->n_kinds == t->cap_kinds) {
        size_t cap = t->cap_kinds ? t->cap_kinds * 2 : 16;
        char **k = realloc(t->kinds, cap * sizeof *k);
        if (!k)
            return -1;
        t->kinds = k;
        t->cap_kinds = cap;
    }
    if (!(t->kinds[t->n_kinds] = strdup(kind)))
        return -1;
    return (int32_t)t->n_kinds++;
}

static void table_free(stat_table *t)
{
    for (size_t i = 0; i < t->n_kinds; i++)
        free(t->kinds[i]);
    free(t->kinds);
    free(t->cells);
}

enum { PERIOD_ALL, PERIOD_WEEK, PERIOD_MONTH };

/* The period key of the day seen last: events come in index order (kind, t_from), so
 * consecutive rows mostly fall on the same day. */
typedef struct period_cache {
    int64_t day;
    int32_t key;
} period_cache;

/* Period as a sortable integer (yyyyww or yyyymm) made from the same text keys as
 * timeparse.h, so ISO weeks stay right at year ends. */
static int32_t period_of(int64_t t, int period, period_cache *cache)
{
    if (period == PERIOD_ALL)
        return 0;
    int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    if (day == cache->day)
        return cache->key;
    char buf[16];
    if (period == PERIOD_WEEK)
        stad_time_week_key(t, buf, sizeof buf); /* "2017-W38" */
    else
        stad_time_month_key(t, buf, sizeof buf); /* "2017-09" */
    int32_t y = (buf[0] - '0') * 1000 + (buf[1] - '0') * 100 + (buf[2] - '0') * 10 + (buf[3] - '0');
    const char *p = buf + (period == PERIOD_WEEK ? 6 : 5);
    int32_t key = y * 100 + (p[0] - '0') * 10 + (p[1] - '0');
    cache->day = day;
    cache->key = key;
    return key;
}

typedef struct area_name {
    int64_t id;
    char *code, *name;
} area_name;

static int cmp_area_id(const void *a, const void *b)
{
    int64_t x = ((const area_name *)a)->id, y = ((const area_name *)b)->id;
    return (x > y) - (x < y);
}

typedef struct out_row {
    const char *code, *name, *kind;
    int32_t period;
    int64_t count;
} out_row;

static int cmp_out(const void *a, const void *b)
{
    const out_row *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    if (!c)
        c = strcmp(x->kind, y->kind);
    if (!c)
        c = (x->period > y->period) - (x->period < y->period);
    return c;
}

static int load_area_names(stad_store *s, const char *level, area_name **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    int rc = store_prepare(s, "SELECT id, code, name FROM area WHERE level = ? ORDER BY id", &st,
                           "reading area names");
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, level, -1, SQLITE_STATIC);
    size_t cap = 0;
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 128;
            area_name *a = realloc(*out, cap * sizeof *a);
            if (!a) {
                rc = stad_fail(s->ctx, STAD_ENOMEM, "reading area names");
                break;
            }
            *out = a;
        }
        area_name *a = &(*out)[*n];
        a->id = sqlite3_column_int64(st, 0);
        a->code = strdup(store_col_text(st, 1));
        a->name = strdup(store_col_text(st, 2));
        (*n)++;
        if (!a->code || !a->name)
            rc = stad_fail(s->ctx, STAD_ENOMEM, "reading area names");
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, "reading area names");
    sqlite3_finalize(st);
    return rc;
}

static void free_area_names(area_name *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].code);
        free(a[i].name);
    }
    free(a);
}

int stad_store_stats_each(stad_store *s, const stad_event_filter *f, const char *level,
                          const char *period, int (*cb)(void *, const stad_stat_row *),
                          void *user)
{
    const char *area_col;
    int per;
    if (level && strcmp(level, "wijk") == 0)
        area_col = "e.wijk_id";
    else if (level && strcmp(level, "buurt") == 0)
        area_col = "e.buurt_id";
    else
        return stad_fail(s->ctx, STAD_EINVAL, "stats level must be wijk or buurt, not %s",
                         level ? level : "(null)");
    if (period && strcmp(period, "week") == 0)
        per = PERIOD_WEEK;
    else if (period && strcmp(period, "month") == 0)
        per = PERIOD_MONTH;
    else if (period && strcmp(period, "all") == 0)
        per = PERIOD_ALL;
    else
        return stad_fail(s->ctx, STAD_EINVAL,
                         "stats period must be week, month or all, not %s",
                         period ? period : "(null)");

    stad_strbuf sql = STAD_STRBUF_INIT;
    stad_strbuf_printf(&sql, "SELECT coalesce(%s, 0), e.kind, e.t_from, e.count FROM event e",
                       area_col);
    int rc = store_filter_sql(s, f, &sql);
    if (!rc && sql.oom)
        rc = stad_fail(s->ctx, STAD_ENOMEM, "building stats query");
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = store_prepare(s, stad_strbuf_str(&sql), &st, "counting events");
    stad_strbuf_free(&sql);
    if (rc)
        return rc;
    int idx = 1;
    rc = store_filter_bind(s, st, f, &idx);
    /* f->limit is about events, not about count rows: ignored here. */
    stat_table t = {0};
    period_cache cache = {INT64_MIN, 0};
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t k = kind_index(&t, store_col_text(st, 1));
        if (k < 0) {
            rc = stad_fail(s->ctx, STAD_ENOMEM, "counting events");
            break;
        }
        int32_t p = period_of(sqlite3_column_int64(st, 2), per, &cache);
        if (table_add(&t, sqlite3_column_int64(st, 0), k, p, sqlite3_column_int64(st, 3)))
            rc = stad_fail(s->ctx, STAD_ENOMEM, "counting events");
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, "counting events");
    sqlite3_finalize(st);

    area_name *areas = NULL;
    size_t n_areas = 0;
    out_row *rows = NULL;
    if (!rc)
        rc = load_area_names(s, level, &areas, &n_areas);
    if (!rc && t.n && !(rows = malloc(t.n * sizeof *rows)))
        rc = stad_fail(s->ctx, STAD_ENOMEM, "counting events");
    size_t n = 0;
    for (size_t i = 0; !rc && i < t.cap; i++) {
        stat_cell *c = &t.cells[i];
        if (!c->count)
            continue;
        area_name key = {c->area, NULL, NULL};
        area_name *a = c->area ? bsearch(&key, areas, n_areas, sizeof *areas, cmp_area_id) : NULL;
        rows[n++] = (out_row){a ? a->code : "", a ? a->name : "", t.kinds[c->kind], c->period,
                              c->count};
    }
    if (!rc && n) /* qsort(NULL, 0, ...) is undefined */
        qsort(rows, n, sizeof *rows, cmp_out);
    for (size_t i = 0; !rc && i < n; i++) {
        char key[16];
        if (per == PERIOD_WEEK)
            snprintf(key, sizeof key, "%04d-W%02d", (int)(rows[i].period / 100),
                     (int)(rows[i].period % 100));
        else if (per == PERIOD_MONTH)
            snprintf(key, sizeof key, "%04d-%02d", (int)(rows[i].period / 100),
                     (int)(rows[i].period % 100));
        else
            snprintf(key, sizeof key, "all");
        stad_stat_row r = {rows[i].code, rows[i].name, rows[i].kind, key, rows[i].count};
        rc = cb(user, &r);
    }
    free(rows);
    free_area_names(areas, n_areas);
    table_free(&t);
    return rc;
}
