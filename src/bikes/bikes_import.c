/* Campaign results that came in as events from a city's own files (a spreadsheet of
 * past labelling actions, ingested like any other: "Gelabeld", "Verwijderd",
 * "Opgehaald" with a count and a location) become visits for the yield model, as
 * if they had been recorded with `stad bikes record`. What `record` itself writes as
 * events (the source "campaign.<theme>") is left out: those visits are already in
 * campaign_visit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bikes/bikes_internal.h"

/* A result is the nearest street's when its middle lies this close. */
#define RESULT_SNAP_M 60

enum { IMP_LABEL = 0, IMP_REMOVED = 1, IMP_RETURNED = 2 };

typedef struct imported {
    size_t street;
    int64_t t;
    int what; /* IMP_* */
    int count;
} imported;

typedef struct import_state {
    const stad_bikes_theme *t;
    const stad_bikes_streets *st;
    const int64_t *own_batches;
    size_t n_own;
    imported *items;
    size_t n, cap;
    size_t no_place;
    int rc;
} import_state;

/* The batches of the theme's own campaign source, ascending; *n = 0 when none. */
static int own_batches(stad_ctx *ctx, stad_store *s, const stad_bikes_theme *t, int64_t **out,
                       size_t *n)
{
    *out = NULL;
    *n = 0;
    char source[64];
    bikes_campaign_source(t, source, sizeof source);
    sqlite3 *db = stad_store_db(s);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT b.id FROM batch b JOIN source s ON s.id = b.source_id "
                           "WHERE s.name = ? ORDER BY b.id",
                           -1, &q, NULL) != SQLITE_OK)
        return stad_fail(ctx, STAD_ESTORE, "reading campaign batches: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(q, 1, source, -1, SQLITE_TRANSIENT);
    size_t cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            int64_t *nb = realloc(*out, cap * sizeof *nb);
            if (!nb) {
                rc = stad_fail(ctx, STAD_ENOMEM, "out of memory reading campaign batches");
                break;
            }
            *out = nb;
        }
        (*out)[(*n)++] = sqlite3_column_int64(q, 0);
    }
    if (!rc && step != SQLITE_DONE)
        rc = stad_fail(ctx, STAD_ESTORE, "reading campaign batches: %s", sqlite3_errmsg(db));
    sqlite3_finalize(q);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int is_own(const import_state *c, int64_t batch)
{
    return bikes_sorted_find(c->own_batches, c->n_own, batch) >= 0;
}

/* The kind's action; -1 for a kind of none of the three. A kind matches its
 * children, as in the event filter. */
static int action_of(const stad_bikes_theme *t, const char *kind)
{
    const char *kinds[3] = {t->kind_labelled, t->kind_removed, t->kind_returned};
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(kinds[k]);
        if (n && strncmp(kind, kinds[k], n) == 0 && (kind[n] == 0 || kind[n] == '.'))
            return k;
    }
    return -1;
}

static int on_result(void *user, const stad_event_row *e)
{
    import_state *c = user;
    if (is_own(c, e->batch_id))
        return 0;
    int what = e->kind ? action_of(c->t, e->kind) : -1;
    if (what < 0)
        return 0;
    long i = e->has_xy ? stad_bikes_streets_nearest(c->st, e->x, e->y, RESULT_SNAP_M) : -1;
    if (i < 0) {
        c->no_place++;
        return 0;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        imported *ni = realloc(c->items, cap * sizeof *ni);
        if (!ni)
            return c->rc = STAD_ENOMEM;
        c->items = ni;
        c->cap = cap;
    }
    c->items[c->n++] = (imported){(size_t)i, e->t_from, what, e->count};
    return 0;
}

static int64_t day_of(int64_t t) { return t >= 0 ? t / 86400 : -((-t + 86399) / 86400); }

static int cmp_imported(const void *a, const void *b)
{
    const imported *x = a, *y = b;
    if (x->street != y->street)
        return x->street < y->street ? -1 : 1;
    int64_t dx = day_of(x->t), dy = day_of(y->t);
    if (dx != dy)
        return dx < dy ? -1 : 1;
    /* labels before removals and returns of the same day */
    int ax = x->what != IMP_LABEL, ay = y->what != IMP_LABEL;
    if (ax != ay)
        return ax - ay;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* A follow-up that removed nothing, a waiting period after the labelling at t. */
static int close_empty(stad_bikes_obs *o, size_t street, int64_t t, int64_t wait)
{
    stad_bikes_visit v = {.street = street, .t = t + wait, .action = STAD_BIKES_FOLLOWUP};
    return stad_bikes_obs_add_visit(o, &v);
}

/* Per street and day: the labels summed into one labelling visit, removals and
 * returns into one follow-up. A file cannot say "0 removed" (an event counts at
 * least one), so a labelling without a removal or return is taken as a follow-up that
 * found nothing once the next labelling of the street comes after its waiting period,
 * or once two waiting periods have passed by `until` (a follow-up is done when it is
 * due); a more recent one stays open, as a due follow-up. A follow-up with no
 * labelling of its own since the previous one (a file that lists only what was
 * removed) gets one a waiting period before it, with the labels it must have had. */
static int merge_into(const stad_bikes_theme *t, int64_t until, imported *it, size_t n,
                      stad_bikes_obs *o)
{
    qsort(it, n, sizeof *it, cmp_imported);
    const int64_t wait = (int64_t)t->waiting_days * 86400;
    size_t a = 0;
    while (a < n) {
        size_t street = it[a].street;
        int labelled = 0;   /* a labelling since the last follow-up */
        int64_t open_t = 0; /* its time */
        while (a < n && it[a].street == street) {
            int64_t day = day_of(it[a].t);
            stad_bikes_visit lab = {.street = street, .t = it[a].t, .action = STAD_BIKES_LABEL};
            stad_bikes_visit fu = {.street = street, .action = STAD_BIKES_FOLLOWUP};
            int has_lab = 0, has_fu = 0;
            for (; a < n && it[a].street == street && day_of(it[a].t) == day; a++) {
                if (it[a].what == IMP_LABEL) {
                    lab.labels += it[a].count;
                    has_lab = 1;
                } else {
                    if (!has_fu)
                        fu.t = it[a].t;
                    has_fu = 1;
                    if (it[a].what == IMP_REMOVED)
                        fu.removed += it[a].count;
                    else
                        fu.returned += it[a].count;
                }
            }
            if (has_lab) {
                if (labelled && open_t + wait <= lab.t && close_empty(o, street, open_t, wait))
                    return STAD_ENOMEM;
                if (stad_bikes_obs_add_visit(o, &lab))
                    return STAD_ENOMEM;
                labelled = 1;
                open_t = lab.t;
            }
            if (has_fu) {
                if (!labelled) {
                    stad_bikes_visit before = {.street = street, .t = fu.t - wait,
                                               .action = STAD_BIKES_LABEL,
                                               .labels = fu.removed + fu.returned};
                    if (stad_bikes_obs_add_visit(o, &before))
                        return STAD_ENOMEM;
                }
                if (stad_bikes_obs_add_visit(o, &fu))
                    return STAD_ENOMEM;
                labelled = 0;
            }
        }
        if (labelled && open_t + 2 * wait < until && close_empty(o, street, open_t, wait))
            return STAD_ENOMEM;
    }
    return 0;
}

int bikes_obs_add_imported(stad_ctx *ctx, stad_store *s, const stad_bikes_theme *t,
                           const stad_bikes_streets *st, int64_t until,
                           const stad_event_filter *scope, stad_bikes_obs *o)
{
    import_state c = {.t = t, .st = st};
    int64_t *own = NULL;
    int rc = own_batches(ctx, s, t, &own, &c.n_own);
    if (rc)
        return rc;
    c.own_batches = own;
    const char *kinds[3] = {t->kind_labelled, t->kind_removed, t->kind_returned};
    stad_event_filter f = {.kinds = kinds, .n_kinds = 3, .has_period = 1,
                           .t_min = INT64_MIN / 2, .t_max = until};
    bikes_scope_copy(scope, &f);
    rc = stad_store_events_each(s, &f, on_result, &c);
    if (!rc && c.rc)
        rc = stad_fail(ctx, c.rc, "out of memory reading campaign results");
    if (!rc && c.n && merge_into(t, until, c.items, c.n, o))
        rc = stad_fail(ctx, STAD_ENOMEM, "out of memory reading campaign results");
    if (!rc && c.no_place)
        stad_log(ctx, STAD_LOG_WARN,
                 "%zu campaign results from files were left out: no location within %d m "
                 "of a street",
                 c.no_place, RESULT_SNAP_M);
    free(c.items);
    free(own);
    return rc;
}
