/* Hotspots: Gi* on the cell counts of the period, Benjamini-Hochberg on the upper
 * tail, hot cells merged into 8-connected hotspots, each described by its events
 * (count, share, areas, streets) and its trend against the previous period. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hotspot/hotspot_internal.h"

typedef struct street_count {
    const char *name;
    int64_t n;
} street_count;

typedef struct street_list {
    street_count *v;
    size_t n, cap;
} street_list;

typedef struct hot_priv {
    hs_areas areas;
    stad_arena arena;
} hot_priv;

void stad_hotspot_free(stad_hotspots *h)
{
    if (!h)
        return;
    hot_priv *p = h->priv_;
    if (p) {
        hs_areas_free(&p->areas);
        stad_arena_free(&p->arena);
        free(p);
    }
    free(h->items);
    free(h->cells);
    free(h->z);
    free(h->count);
    free(h->density);
    free(h);
}

/* The extent of the areas (other than the city outline), so that a quiet district
 * still gets cells to compare against. */
static int areas_extent(const hs_areas *a, double ext[4])
{
    int any = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->v[i].level, "wijk") && strcmp(a->v[i].level, "buurt"))
            continue;
        if (!(a->v[i].maxx >= a->v[i].minx))
            continue;
        if (!any) {
            ext[0] = a->v[i].minx;
            ext[1] = a->v[i].miny;
            ext[2] = a->v[i].maxx;
            ext[3] = a->v[i].maxy;
            any = 1;
        } else {
            ext[0] = fmin(ext[0], a->v[i].minx);
            ext[1] = fmin(ext[1], a->v[i].miny);
            ext[2] = fmax(ext[2], a->v[i].maxx);
            ext[3] = fmax(ext[3], a->v[i].maxy);
        }
    }
    return any;
}

/* The study area: cells whose centre lies in a buurt (or else a wijk), plus every
 * cell that holds events, so that no event drops out of the test. NULL: all cells. */
static int study_mask(stad_ctx *ctx, stad_store *s, const stad_hotspot_grid *g,
                      const double *count, unsigned char **out)
{
    *out = NULL;
    stad_area_index *idx = NULL;
    int rc = stad_area_index_build(ctx, s, "buurt", &idx);
    if (rc == STAD_EEMPTY)
        rc = stad_area_index_build(ctx, s, "wijk", &idx);
    if (rc == STAD_EEMPTY) {
        stad_clear_error(ctx);
        return 0;
    }
    if (rc == STAD_ENOMEM)
        return rc;
    if (rc) {
        /* Areas without usable polygons: test the whole grid rather than fail. */
        stad_log(ctx, STAD_LOG_WARN, "hotspots: testing all cells: %s", stad_errmsg(ctx));
        stad_clear_error(ctx);
        return 0;
    }
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    unsigned char *m = malloc(nc ? nc : 1);
    if (!m) {
        stad_area_index_free(idx);
        return stad_fail(ctx, STAD_ENOMEM, "hotspots: study area");
    }
    for (size_t c = 0; c < nc; c++) {
        double x = g->x0 + ((double)(c % (size_t)g->nx) + 0.5) * g->cell;
        double y = g->y0 + ((double)(c / (size_t)g->nx) + 0.5) * g->cell;
        m[c] = count[c] > 0 || stad_area_index_locate(idx, x, y, 0) != 0;
    }
    stad_area_index_free(idx);
    *out = m;
    return 0;
}

typedef struct street_pass {
    const stad_hotspot_grid *g;
    const int32_t *rank_of_cell;
    street_list *lists;
    stad_arena *arena;
} street_pass;

static int count_street(void *user, const stad_event_row *r)
{
    street_pass *sp = user;
    if (!r->has_xy || !r->street || !r->street[0])
        return 0;
    long c = stad_hotspot_grid_cell(sp->g, r->x, r->y);
    if (c < 0 || sp->rank_of_cell[c] == 0)
        return 0;
    street_list *l = &sp->lists[sp->rank_of_cell[c] - 1];
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, r->street) == 0) {
            l->v[i].n += r->count;
            return 0;
        }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        street_count *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return STAD_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    const char *name = stad_arena_strdup(sp->arena, r->street);
    if (!name)
        return STAD_ENOMEM;
    l->v[l->n++] = (street_count){name, r->count};
    return 0;
}

static int cmp_street(const void *x, const void *y)
{
    const street_count *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->name, b->name);
}

typedef struct comp {
    int32_t label;
    int64_t count;
    size_t cells;
} comp;

static int cmp_comp(const void *x, const void *y)
{
    const comp *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->cells != b->cells)
        return a->cells > b->cells ? -1 : 1;
    return a->label < b->label ? -1 : a->label > b->label;
}

static int cmp_hotcell(const void *x, const void *y)
{
    const stad_hotspot_cell *a = x, *b = y;
    if (a->hotspot != b->hotspot)
        return a->hotspot < b->hotspot ? -1 : 1;
    return a->cell < b->cell ? -1 : a->cell > b->cell;
}

/* Working memory of one computation. */
typedef struct work {
    double *w;              /* e->count as weights */
    double *cx, *cy, *cw;   /* located events of the period */
    double *prev;           /* cell counts of the previous period */
    double *p, *q;
    unsigned char *mask, *hot;
    int32_t *label, *rank_of_cell;
    comp *comps;
    size_t *rows, *row_start;
    double *sx, *sy;
    street_list *streets;
} work;

static void work_free(work *k, size_t nspots)
{
    free(k->w);
    free(k->cx);
    free(k->cy);
    free(k->cw);
    free(k->prev);
    free(k->p);
    free(k->q);
    free(k->mask);
    free(k->hot);
    free(k->label);
    free(k->rank_of_cell);
    free(k->comps);
    free(k->rows);
    free(k->row_start);
    free(k->sx);
    free(k->sy);
    if (k->streets)
        for (size_t i = 0; i < nspots; i++)
            free(k->streets[i].v);
    free(k->streets);
}

/* Describes hotspot items from the events; h->items[r].rank/count/n_cells are set. */
static int describe(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                    const stad_events *e, const hs_period *per, stad_hotspots *h,
                    work *k, hot_priv *priv)
{
    size_t ns = h->n, nc = (size_t)h->grid.nx * (size_t)h->grid.ny;
    k->row_start = calloc(ns + 2, sizeof *k->row_start);
    k->rows = malloc((e->n ? e->n : 1) * sizeof *k->rows);
    k->sx = calloc(ns + 1, sizeof *k->sx);
    k->sy = calloc(ns + 1, sizeof *k->sy);
    k->prev = calloc(nc, sizeof *k->prev);
    k->streets = calloc(ns + 1, sizeof *k->streets);
    if (!k->row_start || !k->rows || !k->sx || !k->sy || !k->prev || !k->streets)
        return stad_fail(ctx, STAD_ENOMEM, "hotspots");
    /* Events of the period grouped by hotspot rank (counting sort). */
    for (size_t i = 0; i < e->n; i++) {
        if (e->t_from[i] < per->from || e->t_from[i] >= per->to)
            continue;
        long c = stad_hotspot_grid_cell(&h->grid, e->x[i], e->y[i]);
        int32_t r = c < 0 ? 0 : k->rank_of_cell[c];
        if (r)
            k->row_start[r + 1]++;
    }
    for (size_t r = 1; r <= ns + 1; r++)
        k->row_start[r] += k->row_start[r - 1];
    size_t *fill = calloc(ns + 1, sizeof *fill);
    if (!fill)
        return stad_fail(ctx, STAD_ENOMEM, "hotspots");
    for (size_t i = 0; i < e->n; i++) {
        long c = stad_hotspot_grid_cell(&h->grid, e->x[i], e->y[i]);
        int32_t r = c < 0 ? 0 : k->rank_of_cell[c];
        if (e->t_from[i] < per->prev_from || e->t_from[i] >= per->to)
            continue;
        if (e->t_from[i] < per->from) {
            if (c >= 0)
                k->prev[c] += k->w[i];
            continue;
        }
        if (!r)
            continue;
        k->rows[k->row_start[r] + fill[r]++] = i;
        k->sx[r] += k->w[i] * e->x[i];
        k->sy[r] += k->w[i] * e->y[i];
    }
    free(fill);

    /* Street names are not among the column arrays: one pass over the rows of the
     * period, keeping those that fall in a hotspot. */
    stad_event_filter g = *f;
    g.has_period = 1;
    g.t_min = per->from;
    g.t_max = per->to;
    g.limit = 0;
    street_pass sp = {&h->grid, k->rank_of_cell, k->streets, &priv->arena};
    int rc = stad_store_events_each(s, &g, count_street, &sp);
    if (rc == STAD_ENOMEM)
        rc = stad_fail(ctx, rc, "hotspots: streets");
    if (rc)
        return rc;

    stad_transform *t = NULL;
    if (stad_hotspot_transform(ctx, s, &t)) {
        stad_log(ctx, STAD_LOG_WARN, "hotspots: no WGS84 positions: %s", stad_errmsg(ctx));
        stad_clear_error(ctx);
    }
    for (size_t r = 1; r <= ns; r++) {
        stad_hotspot *it = &h->items[r - 1];
        const size_t *rows = k->rows + k->row_start[r];
        size_t nr = k->row_start[r + 1] - k->row_start[r];
        double tw = (double)it->count;
        it->x = tw > 0 ? k->sx[r] / tw : NAN;
        it->y = tw > 0 ? k->sy[r] / tw : NAN;
        it->lon = it->x;
        it->lat = it->y;
        if (!t || stad_transform_point(t, &it->lon, &it->lat)) {
            it->lon = it->lat = NAN;
            stad_clear_error(ctx);
        }
        it->wijk_id = hs_majority(e->wijk, k->w, rows, nr);
        it->buurt_id = hs_majority(e->buurt, k->w, rows, nr);
        const hs_area *wa = hs_areas_find(&priv->areas, it->wijk_id);
        const hs_area *ba = hs_areas_find(&priv->areas, it->buurt_id);
        it->wijk_code = wa ? wa->code : "";
        it->wijk_name = wa ? wa->name : "";
        it->buurt_code = ba ? ba->code : "";
        it->buurt_name = ba ? ba->name : "";
        street_list *l = &k->streets[r - 1];
        if (l->n)
            qsort(l->v, l->n, sizeof *l->v, cmp_street);
        for (size_t i = 0; i < l->n && i < 3; i++)
            it->streets[it->n_streets++] = l->v[i].name;
        int64_t prev = 0;
        for (size_t c = 0; c < nc; c++)
            if (k->rank_of_cell[c] == (int32_t)r)
                prev += (int64_t)llround(k->prev[c]);
        it->previous = prev;
        it->ratio = prev ? (double)it->count / (double)prev : INFINITY;
        it->p_value = stad_hotspot_rate_p(it->count, prev, 0.5);
    }
    stad_transform_free(t);
    return 0;
}

int stad_hotspot_compute(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                         const stad_hotspot_opts *opts, stad_hotspots **out)
{
    *out = NULL;
    stad_hotspot_opts o = {0};
    if (opts)
        o = *opts;
    if (o.cell == 0)
        o.cell = STAD_HOTSPOT_CELL_DEFAULT;
    if (o.bandwidth == 0)
        o.bandwidth = STAD_HOTSPOT_BANDWIDTH_DEFAULT;
    if (o.distance == 0)
        o.distance = o.bandwidth;
    if (o.max_cells == 0)
        o.max_cells = 25;
    if (o.fdr == 0)
        o.fdr = STAD_HOTSPOT_FDR_DEFAULT;
    if (!(o.cell > 0) || !(o.bandwidth > 0) || !(o.distance > 0) || !(o.fdr > 0 && o.fdr < 1))
        return stad_fail(ctx, STAD_EINVAL,
                         "hotspots: cell, bandwidth and distance must be positive, fdr in (0,1)");
    stad_event_filter none = {0};
    if (!f)
        f = &none;

    hs_period per = {0, 0, 0};
    stad_events *e = NULL;
    int rc = hs_load_periods(ctx, s, f, STAD_HOTSPOT_RECENT_DAYS, &per, &e);
    if (rc)
        return rc;
    stad_hotspots *h = calloc(1, sizeof *h);
    hot_priv *priv = calloc(1, sizeof *priv);
    work k = {0};
    size_t nspots = 0;
    if (!h || !priv) {
        free(priv);
        rc = stad_fail(ctx, STAD_ENOMEM, "hotspots");
        goto done;
    }
    h->priv_ = priv;
    stad_arena_init(&priv->arena, 0);
    h->from = per.from;
    h->to = per.to;
    h->prev_from = per.prev_from;
    h->prev_to = per.from;
    if ((rc = hs_areas_load(ctx, s, &priv->areas)))
        goto done;

    size_t n = e->n, m = 0;
    k.w = malloc((n ? n : 1) * sizeof *k.w);
    k.cx = malloc((n ? n : 1) * sizeof *k.cx);
    k.cy = malloc((n ? n : 1) * sizeof *k.cy);
    k.cw = malloc((n ? n : 1) * sizeof *k.cw);
    if (!k.w || !k.cx || !k.cy || !k.cw) {
        rc = stad_fail(ctx, STAD_ENOMEM, "hotspots");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        k.w[i] = e->count[i];
        if (e->t_from[i] >= per.from && e->t_from[i] < per.to && isfinite(e->x[i]) &&
            isfinite(e->y[i])) {
            k.cx[m] = e->x[i];
            k.cy[m] = e->y[i];
            k.cw[m++] = e->count[i];
        }
    }
    if (m == 0)
        goto done; /* nothing located in the period: no hotspots, not an error */

    /* Grid: the events plus the areas (unless the filter narrows the place), with a
     * margin of the bandwidth. */
    double ext[4];
    int use_areas = !f->area_code && !f->has_bbox && areas_extent(&priv->areas, ext);
    double margin = fmax(o.bandwidth, o.distance);
    rc = STAD_ERANGE;
    if (use_areas) {
        double bx[2] = {ext[0], ext[2]}, by[2] = {ext[1], ext[3]};
        for (size_t i = 0; i < m; i++) {
            bx[0] = fmin(bx[0], k.cx[i]);
            bx[1] = fmax(bx[1], k.cx[i]);
            by[0] = fmin(by[0], k.cy[i]);
            by[1] = fmax(by[1], k.cy[i]);
        }
        rc = stad_hotspot_grid_fit(ctx, bx, by, 2, o.cell, margin, &h->grid);
    }
    if (rc == STAD_ERANGE) /* a far-away area must not make the grid unusable */
        rc = stad_hotspot_grid_fit(ctx, k.cx, k.cy, m, o.cell, margin, &h->grid);
    if (rc)
        goto done;
    stad_clear_error(ctx);

    size_t nc = (size_t)h->grid.nx * (size_t)h->grid.ny;
    h->count = calloc(nc, sizeof *h->count);
    h->z = malloc(nc * sizeof *h->z);
    k.p = malloc(nc * sizeof *k.p);
    k.q = malloc(nc * sizeof *k.q);
    k.hot = malloc(nc);
    k.label = malloc(nc * sizeof *k.label);
    k.rank_of_cell = calloc(nc, sizeof *k.rank_of_cell);
    if (!h->count || !h->z || !k.p || !k.q || !k.hot || !k.label || !k.rank_of_cell) {
        rc = stad_fail(ctx, STAD_ENOMEM, "hotspots: grid of %zu cells", nc);
        goto done;
    }
    stad_hotspot_grid_count(&h->grid, k.cx, k.cy, k.cw, m, h->count);
    for (size_t i = 0; i < m; i++)
        h->total += (int64_t)k.cw[i];

    if (!o.all_cells && (rc = study_mask(ctx, s, &h->grid, h->count, &k.mask)))
        goto done;
    h->n_tested = 0;
    for (size_t c = 0; c < nc; c++)
        h->n_tested += !k.mask || k.mask[c];

    stad_kde_opts ko = {.cell = o.cell, .bandwidth = o.bandwidth, .kernel = o.kernel,
                        .grid = &h->grid};
    stad_kde *kde = NULL;
    if ((rc = stad_kde_points(ctx, k.cx, k.cy, k.cw, m, &ko, &kde)))
        goto done;
    h->density = kde->density;
    kde->density = NULL;
    stad_kde_free(kde);

    rc = stad_gi_star(ctx, &h->grid, h->count, k.mask, o.distance, h->z);
    if (rc == STAD_EEMPTY) {
        /* Every cell alike (one cell, or one count everywhere): nothing stands out. */
        stad_clear_error(ctx);
        for (size_t c = 0; c < nc; c++)
            h->z[c] = (!k.mask || k.mask[c]) ? 0 : NAN;
        rc = 0;
    }
    if (rc)
        goto done;
    /* Upper tail only: a hotspot is a place with more than expected. The family is
     * every tested cell, so the FDR is over the whole map. */
    for (size_t c = 0; c < nc; c++)
        k.p[c] = isnan(h->z[c]) ? NAN : 0.5 * erfc(h->z[c] / M_SQRT2);
    if (stad_hotspot_fdr(k.p, nc, o.fdr, k.q, k.hot) < 0) {
        rc = stad_fail(ctx, STAD_ENOMEM, "hotspots");
        goto done;
    }
    size_t n_hot = 0;
    for (size_t c = 0; c < nc; c++) {
        k.hot[c] = k.hot[c] && h->z[c] > 0;
        n_hot += k.hot[c];
    }
    long ncomp = stad_hotspot_label_bounded(&h->grid, h->z, h->count, k.hot, k.label,
                                            o.max_cells);
    if (ncomp < 0) {
        rc = stad_fail(ctx, STAD_ENOMEM, "hotspots");
        goto done;
    }
    nspots = (size_t)ncomp;
    k.comps = calloc(nspots + 1, sizeof *k.comps);
    h->items = calloc(nspots + 1, sizeof *h->items);
    h->cells = calloc(n_hot + 1, sizeof *h->cells);
    if (!k.comps || !h->items || !h->cells) {
        rc = stad_fail(ctx, STAD_ENOMEM, "hotspots");
        goto done;
    }
    for (size_t i = 0; i < nspots; i++)
        k.comps[i].label = (int32_t)(i + 1);
    for (size_t c = 0; c < nc; c++)
        if (k.label[c]) {
            comp *cp = &k.comps[k.label[c] - 1];
            cp->count += (int64_t)llround(h->count[c]);
            cp->cells++;
        }
    qsort(k.comps, nspots, sizeof *k.comps, cmp_comp);
    int32_t *rank_of_label = calloc(nspots + 1, sizeof *rank_of_label);
    if (!rank_of_label) {
        rc = stad_fail(ctx, STAD_ENOMEM, "hotspots");
        goto done;
    }
    for (size_t r = 0; r < nspots; r++) {
        rank_of_label[k.comps[r].label] = (int32_t)(r + 1);
        stad_hotspot *it = &h->items[r];
        it->rank = (int)(r + 1);
        it->count = k.comps[r].count;
        it->n_cells = k.comps[r].cells;
        it->share = h->total ? (double)it->count / (double)h->total : 0;
    }
    size_t hc = 0;
    for (size_t c = 0; c < nc; c++) {
        if (!k.label[c])
            continue;
        int32_t r = rank_of_label[k.label[c]];
        k.rank_of_cell[c] = r;
        h->cells[hc++] = (stad_hotspot_cell){c, r, (int64_t)llround(h->count[c]), h->z[c],
                                             k.p[c], k.q[c], h->density[c]};
    }
    free(rank_of_label);
    qsort(h->cells, hc, sizeof *h->cells, cmp_hotcell);
    h->n_hot = hc;
    h->n = nspots;
    if (nspots)
        rc = describe(ctx, s, f, e, &per, h, &k, priv);

done:
    work_free(&k, nspots);
    stad_events_free(e);
    if (rc) {
        stad_hotspot_free(h);
        return rc;
    }
    *out = h;
    return 0;
}
