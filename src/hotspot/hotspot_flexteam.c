/* Flex-team proposal: K shifts go to the places with the most expected incidents in
 * the next period: first hotspots, then buurten for the events outside them. The
 * expectation is the recent rate, or the forecast hook when a forecast exists. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotspot/hotspot_internal.h"

typedef struct flex_priv {
    stad_arena arena;
    hs_areas areas;
} flex_priv;

void stad_flexteam_free(stad_flexteam *ft)
{
    if (!ft)
        return;
    flex_priv *p = ft->priv_;
    if (p) {
        stad_arena_free(&p->arena);
        hs_areas_free(&p->areas);
        free(p);
    }
    stad_hotspot_free(ft->hotspots);
    free(ft->picks);
    free(ft);
}

typedef struct cand {
    int hotspot;     /* rank, or 0 for a buurt */
    int64_t area;
    double expected;
    int64_t recent;
    double sx, sy, sw; /* for the centroid of a buurt's events */
} cand;

static int cmp_cand(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->expected != b->expected)
        return a->expected > b->expected ? -1 : 1;
    if (a->hotspot != b->hotspot)
        return a->hotspot < b->hotspot ? -1 : 1;
    return a->area < b->area ? -1 : a->area > b->area;
}

static int cmp_area_id(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    return a->area < b->area ? -1 : a->area > b->area;
}

static const char *trend_word(int64_t now, int64_t prev)
{
    return now > prev ? "up from" : now < prev ? "down from" : "the same as";
}

static const char *hotspot_reason(stad_arena *ar, const stad_hotspot *it, const char *what,
                                  const stad_flexteam_opts *o, int recent, int horizon,
                                  double expected)
{
    char buf[512];
    const char *where = it->streets[0] ? it->streets[0] : "";
    const char *area = it->buurt_name[0] ? it->buurt_name : it->wijk_name;
    snprintf(buf, sizeof buf,
             "hotspot %d%s%s%s%s%s: %" PRId64 " %s in the last %d days, %s %" PRId64
             " in the %d days before (p = %.2g); %.0f%% of all; expected %.1f in the next "
             "%d days%s",
             it->rank, where[0] ? " near " : "", where, area[0] ? " (" : "", area,
             area[0] ? ")" : "", it->count, what, recent, trend_word(it->count, it->previous),
             it->previous, recent, it->p_value, 100 * it->share, expected, horizon,
             o->forecast ? " (forecast)" : "");
    return stad_arena_strdup(ar, buf);
}

static const char *buurt_reason(stad_arena *ar, const hs_area *a, const cand *c,
                                const char *what, const stad_flexteam_opts *o, int recent,
                                int horizon)
{
    char buf[512];
    snprintf(buf, sizeof buf,
             "buurt %s: %" PRId64 " %s outside the hotspots in the last %d days; expected "
             "%.1f in the next %d days%s",
             a && a->name[0] ? a->name : (a ? a->code : "(unknown)"), c->recent, what, recent,
             c->expected, horizon, o->forecast ? " (forecast)" : "");
    return stad_arena_strdup(ar, buf);
}

/* Buurt candidates from the located events outside the chosen hotspots. Each event
 * carries its share of its cell's expectation, so a forecast per cell is spread over
 * the buurten of the cell's events. */
static int buurt_cands(const stad_events *e, const stad_hotspots *h, const int32_t *rank_of_cell,
                       const double *ex, cand **out, size_t *nout)
{
    cand *v = calloc(e->n + 1, sizeof *v);
    if (!v)
        return STAD_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < e->n; i++) {
        long c = stad_hotspot_grid_cell(&h->grid, e->x[i], e->y[i]);
        if (c < 0 || rank_of_cell[c] || e->buurt[i] == 0 || !(h->count[c] > 0))
            continue;
        double w = e->count[i];
        v[n++] = (cand){0, e->buurt[i], ex[c] * w / h->count[c], e->count[i],
                        w * e->x[i], w * e->y[i], w};
    }
    qsort(v, n, sizeof *v, cmp_area_id);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && v[k - 1].area == v[i].area) {
            v[k - 1].expected += v[i].expected;
            v[k - 1].recent += v[i].recent;
            v[k - 1].sx += v[i].sx;
            v[k - 1].sy += v[i].sy;
            v[k - 1].sw += v[i].sw;
        } else {
            v[k++] = v[i];
        }
    }
    qsort(v, k, sizeof *v, cmp_cand);
    *out = v;
    *nout = k;
    return 0;
}

int stad_flexteam_compute(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                          const stad_flexteam_opts *opts, stad_flexteam **out)
{
    *out = NULL;
    if (!opts || opts->shifts < 1)
        return stad_fail(ctx, STAD_EINVAL, "flex team: at least one shift is needed");
    int horizon = opts->horizon_days > 0 ? opts->horizon_days : 14;
    int recent = opts->recent_days > 0 ? opts->recent_days : STAD_HOTSPOT_RECENT_DAYS;
    stad_event_filter none = {0};
    if (!f)
        f = &none;
    int64_t pfrom, to;
    int rc = stad_hotspot_period(ctx, s, f, &pfrom, &to);
    if (rc)
        return rc;
    stad_event_filter g = *f;
    g.has_period = 1;
    g.t_min = to - (int64_t)recent * HS_DAY;
    g.t_max = to;
    g.limit = 0;

    stad_flexteam *ft = calloc(1, sizeof *ft);
    flex_priv *priv = calloc(1, sizeof *priv);
    stad_events *e = NULL;
    double *ex = NULL;
    int32_t *rank_of_cell = NULL;
    cand *hc = NULL, *bc = NULL;
    size_t nb = 0;
    if (!ft || !priv) {
        free(priv);
        rc = stad_fail(ctx, STAD_ENOMEM, "flex team");
        goto done;
    }
    ft->priv_ = priv;
    stad_arena_init(&priv->arena, 0);
    ft->shifts = opts->shifts;
    ft->from = to;
    ft->to = to + (int64_t)horizon * HS_DAY;
    ft->recent_from = g.t_min;
    if ((rc = stad_hotspot_compute(ctx, s, &g, &opts->hotspot, &ft->hotspots)))
        goto done;
    stad_hotspots *h = ft->hotspots;
    size_t nc = (size_t)h->grid.nx * (size_t)h->grid.ny;
    if (nc == 0)
        goto done; /* no located events recently: nothing to propose */
    if ((rc = stad_events_load(s, &g, &e)) || (rc = hs_areas_load(ctx, s, &priv->areas)))
        goto done;
    ft->picks = calloc((size_t)opts->shifts, sizeof *ft->picks);
    ex = calloc(nc, sizeof *ex);
    rank_of_cell = calloc(nc, sizeof *rank_of_cell);
    hc = calloc(h->n + 1, sizeof *hc);
    if (!ft->picks || !ex || !rank_of_cell || !hc) {
        rc = stad_fail(ctx, STAD_ENOMEM, "flex team");
        goto done;
    }
    if (opts->forecast) {
        if ((rc = opts->forecast(opts->forecast_user, &h->grid, ft->from, ft->to, ex)))
            goto done;
    } else {
        for (size_t c = 0; c < nc; c++)
            ex[c] = h->count[c] * horizon / recent;
    }
    for (size_t c = 0; c < nc; c++)
        ft->expected_total += ex[c];
    for (size_t i = 0; i < h->n_hot; i++) {
        const stad_hotspot_cell *cell = &h->cells[i];
        rank_of_cell[cell->cell] = cell->hotspot;
        hc[cell->hotspot - 1].expected += ex[cell->cell];
    }
    for (size_t r = 0; r < h->n; r++) {
        hc[r].hotspot = (int)(r + 1);
        hc[r].area = h->items[r].buurt_id;
        hc[r].recent = h->items[r].count;
    }
    qsort(hc, h->n, sizeof *hc, cmp_cand);

    char what[256];
    hs_kinds_label(f, what, sizeof what);
    size_t K = (size_t)opts->shifts;
    /* Hotspots are disjoint, so greedy by expected events is the best cover. */
    for (size_t r = 0; r < h->n && ft->n < K; r++) {
        if (!(hc[r].expected > 0))
            continue;
        const stad_hotspot *it = &h->items[hc[r].hotspot - 1];
        stad_flexteam_pick *p = &ft->picks[ft->n];
        p->rank = (int)ft->n + 1;
        p->hotspot = it->rank;
        p->area_id = it->buurt_id;
        p->area_code = it->buurt_code;
        p->area_name = it->buurt_name;
        p->expected = hc[r].expected;
        p->recent = it->count;
        p->lon = it->lon;
        p->lat = it->lat;
        p->reason = hotspot_reason(&priv->arena, it, what, opts, recent, horizon, p->expected);
        if (!p->reason) {
            rc = stad_fail(ctx, STAD_ENOMEM, "flex team");
            goto done;
        }
        ft->n++;
    }
    if (ft->n < K) {
        if (buurt_cands(e, h, rank_of_cell, ex, &bc, &nb)) {
            rc = stad_fail(ctx, STAD_ENOMEM, "flex team");
            goto done;
        }
        stad_transform *t = NULL;
        if (nb && stad_hotspot_transform(ctx, s, &t))
            stad_clear_error(ctx);
        for (size_t i = 0; i < nb && ft->n < K; i++) {
            if (!(bc[i].expected > 0))
                continue;
            const hs_area *a = hs_areas_find(&priv->areas, bc[i].area);
            stad_flexteam_pick *p = &ft->picks[ft->n];
            p->rank = (int)ft->n + 1;
            p->area_id = bc[i].area;
            p->area_code = a ? a->code : "";
            p->area_name = a ? a->name : "";
            p->expected = bc[i].expected;
            p->recent = bc[i].recent;
            p->lon = bc[i].sx / bc[i].sw;
            p->lat = bc[i].sy / bc[i].sw;
            if (!t || stad_transform_point(t, &p->lon, &p->lat)) {
                p->lon = p->lat = NAN;
                stad_clear_error(ctx);
            }
            p->reason = buurt_reason(&priv->arena, a, &bc[i], what, opts, recent, horizon);
            if (!p->reason) {
                stad_transform_free(t);
                rc = stad_fail(ctx, STAD_ENOMEM, "flex team");
                goto done;
            }
            ft->n++;
        }
        stad_transform_free(t);
    }
done:
    free(ex);
    free(rank_of_cell);
    free(hc);
    free(bc);
    stad_events_free(e);
    if (rc) {
        stad_flexteam_free(ft);
        return rc;
    }
    *out = ft;
    return 0;
}
