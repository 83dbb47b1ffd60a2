/* Observations a city has: campaign visits (also those that found nothing) and
 * complaints, by street; and the follow-up list derived from them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bikes/bikes_internal.h"

int stad_bikes_obs_add_visit(stad_bikes_obs *o, const stad_bikes_visit *v)
{
    if (o->n_visits == o->cap_visits) {
        size_t cap = o->cap_visits ? 2 * o->cap_visits : 256;
        stad_bikes_visit *nv = realloc(o->visits, cap * sizeof *nv);
        if (!nv)
            return STAD_ENOMEM;
        o->visits = nv;
        o->cap_visits = cap;
    }
    o->visits[o->n_visits++] = *v;
    return 0;
}

int stad_bikes_obs_add_complaint(stad_bikes_obs *o, size_t street, int64_t t)
{
    if (o->n_complaints == o->cap_complaints) {
        size_t cap = o->cap_complaints ? 2 * o->cap_complaints : 256;
        size_t *ns = realloc(o->complaint_street, cap * sizeof *ns);
        if (!ns)
            return STAD_ENOMEM;
        o->complaint_street = ns;
        int64_t *nt = realloc(o->complaint_t, cap * sizeof *nt);
        if (!nt)
            return STAD_ENOMEM;
        o->complaint_t = nt;
        o->cap_complaints = cap;
    }
    o->complaint_street[o->n_complaints] = street;
    o->complaint_t[o->n_complaints++] = t;
    return 0;
}

void stad_bikes_obs_clear(stad_bikes_obs *o)
{
    if (!o)
        return;
    free(o->visits);
    free(o->complaint_street);
    free(o->complaint_t);
    memset(o, 0, sizeof *o);
}

long bikes_sorted_find(const int64_t *a, size_t n, int64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo] == v ? (long)lo : -1;
}

/* Position of a store id in the streets (ids are sorted ascending). */
static long find_id(const stad_bikes_streets *st, int64_t id)
{
    return bikes_sorted_find(st->id, st->n, id);
}

typedef struct cb_state {
    stad_bikes_obs *o;
    const stad_bikes_streets *st;
    int rc;
} cb_state;

static int on_complaint(void *user, const stad_event_row *e)
{
    cb_state *c = user;
    if (!e->has_xy)
        return 0;
    long i = stad_bikes_streets_nearest(c->st, e->x, e->y, 60);
    if (i < 0)
        return 0;
    for (int k = 0; k < e->count; k++)
        if ((c->rc = stad_bikes_obs_add_complaint(c->o, (size_t)i, e->t_from)))
            return c->rc;
    return 0;
}

int stad_bikes_obs_from_store(stad_ctx *ctx, stad_store *s, const stad_bikes_theme *t,
                              const stad_bikes_streets *st, int64_t until,
                              const stad_event_filter *scope, stad_bikes_obs *o)
{
    sqlite3 *db = stad_store_db(s);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT street_id, t, action, labels, removed, returned "
                           "FROM campaign_visit WHERE theme = ? AND t < ? ORDER BY t, id",
                           -1, &q, NULL) != SQLITE_OK)
        return stad_fail(ctx, STAD_ESTORE, "reading campaign visits: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(q, 1, t->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, until);
    int rc = 0, step;
    size_t unknown = 0;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        long i = find_id(st, sqlite3_column_int64(q, 0));
        if (i < 0) {
            unknown++;
            continue;
        }
        const char *action = (const char *)sqlite3_column_text(q, 2);
        stad_bikes_visit v = {
            .street = (size_t)i,
            .t = sqlite3_column_int64(q, 1),
            .action = action && strcmp(action, "followup") == 0 ? STAD_BIKES_FOLLOWUP
                                                                 : STAD_BIKES_LABEL,
            .labels = sqlite3_column_int(q, 3),
            .removed = sqlite3_column_int(q, 4),
            .returned = sqlite3_column_int(q, 5),
        };
        if ((rc = stad_bikes_obs_add_visit(o, &v))) {
            rc = stad_fail(ctx, rc, "out of memory reading visits");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = stad_fail(ctx, STAD_ESTORE, "reading campaign visits: %s", sqlite3_errmsg(db));
    sqlite3_finalize(q);
    if (rc)
        return rc;
    if (unknown)
        stad_log(ctx, STAD_LOG_WARN, "%zu campaign visits refer to streets no longer loaded",
                 unknown);
    if ((rc = bikes_obs_add_imported(ctx, s, t, st, until, scope, o)))
        return rc;
    if (!t->n_signals)
        return 0;
    const char *kinds[STAD_BIKES_MAX_SIGNALS];
    for (size_t k = 0; k < t->n_signals; k++)
        kinds[k] = t->signals[k];
    stad_event_filter f = {.kinds = kinds, .n_kinds = t->n_signals, .has_period = 1,
                           .t_min = INT64_MIN / 2, .t_max = until};
    bikes_scope_copy(scope, &f);
    cb_state c = {.o = o, .st = st};
    rc = stad_store_events_each(s, &f, on_complaint, &c);
    if (!rc && c.rc)
        rc = stad_fail(ctx, c.rc, "out of memory reading complaints");
    return rc;
}

void bikes_campaign_source(const stad_bikes_theme *t, char *buf, size_t size)
{
    snprintf(buf, size, "campaign.%.40s", t->name);
}

void bikes_scope_copy(const stad_event_filter *scope, stad_event_filter *f)
{
    if (!scope)
        return;
    f->restrict_sources = scope->restrict_sources;
    f->source_ids = scope->source_ids;
    f->n_source_ids = scope->n_source_ids;
}

static int cmp_followup(const void *a, const void *b)
{
    const stad_bikes_followup *x = a, *y = b;
    if (x->due_t != y->due_t)
        return x->due_t < y->due_t ? -1 : 1;
    return x->street < y->street ? -1 : x->street > y->street;
}

int stad_bikes_followups(stad_ctx *ctx, const stad_bikes_theme *t,
                         const stad_bikes_obs *o, int64_t date, int horizon_days,
                         stad_bikes_followup **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t nv = o->n_visits;
    size_t *order = bikes_visit_order(o);
    stad_bikes_followup *f = malloc((nv ? nv : 1) * sizeof *f);
    if (!order || !f) {
        free(order);
        free(f);
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    /* Per street in time order: a labelling with labels is open until a follow-up;
     * a later labelling carries the open labels on (the street is labelled anew). */
    size_t k = 0;
    int64_t limit = date + (int64_t)horizon_days * 86400;
    for (size_t a = 0; a < nv;) {
        size_t s = o->visits[order[a]].street, b = a;
        const stad_bikes_visit *open = NULL;
        for (; b < nv && o->visits[order[b]].street == s; b++) {
            const stad_bikes_visit *v = &o->visits[order[b]];
            if (v->action == STAD_BIKES_FOLLOWUP)
                open = NULL;
            else if (v->labels > 0)
                open = v;
        }
        if (open) {
            int64_t due = open->t + (int64_t)t->waiting_days * 86400;
            if (due <= limit)
                f[k++] = (stad_bikes_followup){s, open->t, open->labels, due};
        }
        a = b;
    }
    free(order);
    qsort(f, k, sizeof *f, cmp_followup);
    *out = f;
    *n = k;
    return 0;
}
