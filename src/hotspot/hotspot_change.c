/* Counts per area in a period against the previous period of equal length. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hotspot/hotspot_internal.h"

typedef struct change_priv {
    hs_areas areas;
} change_priv;

void stad_hotspot_change_free(stad_hotspot_change *c)
{
    if (!c)
        return;
    change_priv *p = c->priv_;
    if (p) {
        hs_areas_free(&p->areas);
        free(p);
    }
    free(c->rows);
    free(c);
}

static int cmp_row(const void *x, const void *y)
{
    const stad_hotspot_change_row *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    int c = strcmp(a->code, b->code);
    if (c)
        return c;
    return a->area_id < b->area_id ? -1 : a->area_id > b->area_id;
}

/* Index of id in the sorted id list (ids are few: one per area of the level). */
static size_t slot_of(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

int stad_hotspot_change_compute(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                                const char *level, double alpha,
                                stad_hotspot_change **out)
{
    *out = NULL;
    int is_buurt;
    if (!level || strcmp(level, "wijk") == 0)
        is_buurt = 0;
    else if (strcmp(level, "buurt") == 0)
        is_buurt = 1;
    else
        return stad_fail(ctx, STAD_EINVAL, "level must be wijk or buurt, not '%s'", level);
    if (alpha <= 0)
        alpha = 0.05;

    hs_period per = {0, 0, 0};
    stad_events *e = NULL;
    int rc = hs_load_periods(ctx, s, f, STAD_HOTSPOT_RECENT_DAYS, &per, &e);
    if (rc)
        return rc;
    stad_hotspot_change *c = calloc(1, sizeof *c);
    change_priv *priv = calloc(1, sizeof *priv);
    int64_t *ids = malloc((e->n + 1) * sizeof *ids);
    if (!c || !priv || !ids) {
        free(priv);
        rc = stad_fail(ctx, STAD_ENOMEM, "area change");
        goto done;
    }
    c->priv_ = priv;
    c->from = per.from;
    c->to = per.to;
    c->prev_from = per.prev_from;
    c->prev_to = per.from;
    const int32_t *area = is_buurt ? e->buurt : e->wijk;

    /* Distinct area ids of the events in either period (sorted), then counts. */
    size_t nid = 0;
    for (size_t i = 0; i < e->n; i++)
        if (e->t_from[i] >= per.prev_from && e->t_from[i] < per.to)
            ids[nid++] = area[i];
    qsort(ids, nid, sizeof *ids, cmp_i64);
    size_t k = 0;
    for (size_t i = 0; i < nid; i++)
        if (k == 0 || ids[k - 1] != ids[i])
            ids[k++] = ids[i];
    nid = k;
    c->rows = calloc(nid ? nid : 1, sizeof *c->rows);
    double *p = malloc((nid ? nid : 1) * sizeof *p);
    double *q = malloc((nid ? nid : 1) * sizeof *q);
    unsigned char *rej = malloc(nid ? nid : 1);
    if (!c->rows || !p || !q || !rej) {
        free(p);
        free(q);
        free(rej);
        rc = stad_fail(ctx, STAD_ENOMEM, "area change");
        goto done;
    }
    for (size_t i = 0; i < e->n; i++) {
        int64_t t = e->t_from[i];
        if (t < per.prev_from || t >= per.to)
            continue;
        stad_hotspot_change_row *r = &c->rows[slot_of(ids, nid, area[i])];
        if (t >= per.from) {
            r->count += e->count[i];
            c->total += e->count[i];
        } else {
            r->previous += e->count[i];
            c->total_previous += e->count[i];
        }
    }
    rc = hs_areas_load(ctx, s, &priv->areas);
    if (!rc) {
        for (size_t i = 0; i < nid; i++) {
            stad_hotspot_change_row *r = &c->rows[i];
            const hs_area *a = hs_areas_find(&priv->areas, ids[i]);
            r->area_id = ids[i];
            r->code = a ? a->code : "";
            r->name = a ? a->name : "";
            r->ratio = r->previous ? (double)r->count / (double)r->previous
                                   : (r->count ? INFINITY : NAN);
            r->p_value = p[i] = stad_hotspot_rate_p(r->count, r->previous, 0.5);
        }
        if (stad_hotspot_fdr(p, nid, alpha, q, rej) < 0)
            rc = stad_fail(ctx, STAD_ENOMEM, "area change");
    }
    if (!rc) {
        for (size_t i = 0; i < nid; i++) {
            c->rows[i].q_value = q[i];
            c->rows[i].significant = rej[i];
        }
        c->n = nid;
        qsort(c->rows, nid, sizeof *c->rows, cmp_row);
    }
    free(p);
    free(q);
    free(rej);
done:
    free(ids);
    stad_events_free(e);
    if (rc) {
        stad_hotspot_change_free(c);
        return rc;
    }
    *out = c;
    return 0;
}
