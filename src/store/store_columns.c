/* Events as column arrays for analysis (hotspot, predict, bikes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

void stad_events_free(stad_events *e)
{
    if (!e)
        return;
    free(e->t_from);
    free(e->t_to);
    free(e->x);
    free(e->y);
    free(e->kind);
    free(e->wijk);
    free(e->buurt);
    free(e->count);
    for (size_t i = 0; i < e->n_kind_names; i++)
        free(e->kind_names[i]);
    free(e->kind_names);
    free(e);
}

/* Grows every array to hold cap rows; realloc keeps one allocation per array. */
static int grow(stad_events *e, size_t cap)
{
#define GROW(field)                                                     \
    do {                                                                \
        void *p = realloc(e->field, cap * sizeof *e->field);            \
        if (!p)                                                         \
            return STAD_ENOMEM;                                         \
        e->field = p;                                                   \
    } while (0)
    GROW(t_from);
    GROW(t_to);
    GROW(x);
    GROW(y);
    GROW(kind);
    GROW(wijk);
    GROW(buurt);
    GROW(count);
#undef GROW
    return 0;
}

/* Index of kind in kind_names, adding it if new. Kinds are few (tens), so a
 * linear search with a last-hit shortcut is enough. */
static int kind_index(stad_events *e, size_t *names_cap, int32_t *last, const char *kind,
                      int32_t *out)
{
    if (*last >= 0 && strcmp(e->kind_names[*last], kind) == 0) {
        *out = *last;
        return 0;
    }
    for (size_t i = 0; i < e->n_kind_names; i++) {
        if (strcmp(e->kind_names[i], kind) == 0) {
            *out = *last = (int32_t)i;
            return 0;
        }
    }
    if (e->n_kind_names == *names_cap) {
        size_t cap = *names_cap ? *names_cap * 2 : 16;
        char **p = realloc(e->kind_names, cap * sizeof *p);
        if (!p)
            return STAD_ENOMEM;
        e->kind_names = p;
        *names_cap = cap;
    }
    char *copy = strdup(kind);
    if (!copy)
        return STAD_ENOMEM;
    e->kind_names[e->n_kind_names] = copy;
    *out = *last = (int32_t)e->n_kind_names++;
    return 0;
}

int stad_events_load(stad_store *s, const stad_event_filter *f, stad_events **out)
{
    *out = NULL;
    stad_strbuf sql = STAD_STRBUF_INIT;
    stad_strbuf_append(&sql, "SELECT e.t_from, e.t_to, e.x, e.y, e.kind, e.wijk_id, "
                             "e.buurt_id, e.count FROM event e");
    int rc = store_filter_sql(s, f, &sql);
    if (!rc)
        stad_strbuf_append(&sql, " ORDER BY e.t_from, e.id LIMIT ?");
    if (!rc && sql.oom)
        rc = stad_fail(s->ctx, STAD_ENOMEM, "building event query");
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = store_prepare(s, stad_strbuf_str(&sql), &st, "loading events");
    stad_strbuf_free(&sql);
    if (rc)
        return rc;
    int idx = 1;
    rc = store_filter_bind(s, st, f, &idx);
    if (!rc)
        sqlite3_bind_int64(st, idx, f && f->limit > 0 ? f->limit : -1);

    stad_events *e = calloc(1, sizeof *e);
    if (!e) {
        sqlite3_finalize(st);
        return stad_fail(s->ctx, STAD_ENOMEM, "loading events");
    }
    size_t cap = 0, names_cap = 0;
    int32_t last = -1;
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (e->n == cap) {
            cap = cap ? cap * 2 : 1024;
            if (grow(e, cap)) {
                rc = stad_fail(s->ctx, STAD_ENOMEM, "loading %zu events", cap);
                break;
            }
        }
        size_t i = e->n;
        e->t_from[i] = sqlite3_column_int64(st, 0);
        e->t_to[i] = sqlite3_column_int64(st, 1);
        /* No coordinates: NaN, so analysis can skip them with isnan(). */
        if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
            e->x[i] = NAN;
            e->y[i] = NAN;
        } else {
            e->x[i] = sqlite3_column_double(st, 2);
            e->y[i] = sqlite3_column_double(st, 3);
        }
        if (kind_index(e, &names_cap, &last, store_col_text(st, 4), &e->kind[i])) {
            rc = stad_fail(s->ctx, STAD_ENOMEM, "loading event kinds");
            break;
        }
        e->wijk[i] = (int32_t)sqlite3_column_int64(st, 5);
        e->buurt[i] = (int32_t)sqlite3_column_int64(st, 6);
        e->count[i] = sqlite3_column_int(st, 7);
        e->n++;
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, "loading events");
    sqlite3_finalize(st);
    if (rc) {
        stad_events_free(e);
        return rc;
    }
    *out = e;
    return 0;
}
