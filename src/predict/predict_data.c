/* Forecast data: the events of one kind filter on the protocol's grid, sorted by time,
 * and the covariate layers (asset points, area figures) summarised per cell. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "predict/predict_internal.h"
#include "stad/conf.h"
#include "stad/geo.h"
#include "stad/timeparse.h"

#define GRID_MAX_SIDE 4096
#define LAYER_DIST_CAP 1000.0 /* metres: farther than this is "far" */

void stad_predict_data_free(stad_predict_data *d)
{
    if (!d)
        return;
    free(d->t);
    free(d->x);
    free(d->y);
    free(d->w);
    free(d->c);
    for (size_t i = 0; i < d->n_layers; i++) {
        free(d->layers[i].name);
        free(d->layers[i].near);
        free(d->layers[i].dist);
    }
    for (size_t i = 0; i < d->n_figures; i++) {
        free(d->figures[i].name);
        free(d->figures[i].value);
    }
    stad_strbuf_free(&d->notes);
    free(d);
}

const stad_hotspot_grid *stad_predict_data_grid(const stad_predict_data *d) { return &d->g; }
size_t stad_predict_data_events(const stad_predict_data *d) { return d->n; }
const char *stad_predict_data_notes(const stad_predict_data *d)
{
    return stad_strbuf_str(&d->notes);
}

typedef struct ev_sort {
    int64_t t;
    double x, y, w;
} ev_sort;

static int cmp_ev(const void *a, const void *b)
{
    const ev_sort *p = a, *q = b;
    return p->t < q->t ? -1 : p->t > q->t;
}

int stad_predict_data_new(stad_ctx *ctx, const stad_predict_opts *opts, const int64_t *t,
                          const double *x, const double *y, const double *w, size_t n,
                          stad_predict_data **out)
{
    *out = NULL;
    stad_predict_opts o = {0};
    if (opts)
        o = *opts;
    if (o.cell == 0)
        o.cell = STAD_PREDICT_CELL_DEFAULT;
    if (!(o.cell >= 1 && o.cell <= 100000))
        return stad_fail(ctx, STAD_EINVAL, "forecast: cell size %g m is out of range (1..100000)",
                         o.cell);
    if (o.horizon_days == 0)
        o.horizon_days = STAD_PREDICT_HORIZON_DEFAULT;
    if (o.horizon_days < 1 || o.horizon_days > 366)
        return stad_fail(ctx, STAD_EINVAL, "forecast: horizon of %d days (1..366)",
                         o.horizon_days);
    if (o.mask_cells == 0)
        o.mask_cells = STAD_PREDICT_MASK_DEFAULT;
    stad_predict_data *d = calloc(1, sizeof *d);
    ev_sort *v = calloc(n + 1, sizeof *v);
    if (!d || !v) {
        free(d);
        free(v);
        return stad_fail(ctx, STAD_ENOMEM, "forecast data");
    }
    d->cell = o.cell;
    d->horizon_days = o.horizon_days;
    d->mask_cells = o.mask_cells;
    size_t m = 0;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]) || (w && !(w[i] > 0)))
            continue;
        v[m++] = (ev_sort){t[i], x[i], y[i], w ? w[i] : 1.0};
        minx = fmin(minx, x[i]);
        maxx = fmax(maxx, x[i]);
        miny = fmin(miny, y[i]);
        maxy = fmax(maxy, y[i]);
    }
    if (m == 0) {
        free(v);
        stad_predict_data_free(d);
        return stad_fail(ctx, STAD_EEMPTY, "forecast: no events with coordinates");
    }
    /* Events of equal time may come out in any order; no method depends on it. */
    qsort(v, m, sizeof *v, cmp_ev);
    /* PROTOCOL.md: origin floor(min/cell)*cell - cell; one empty cell beyond the last. */
    double c = o.cell;
    d->g.cell = c;
    d->g.x0 = floor(minx / c) * c - c;
    d->g.y0 = floor(miny / c) * c - c;
    double nx = floor((maxx - d->g.x0) / c) + 3, ny = floor((maxy - d->g.y0) / c) + 3;
    if (nx > GRID_MAX_SIDE || ny > GRID_MAX_SIDE) {
        free(v);
        stad_predict_data_free(d);
        return stad_fail(ctx, STAD_ERANGE,
                         "forecast grid of %.0f x %.0f cells of %g m is too large (at most %d "
                         "a side): are coordinates in metres of a projected CRS?",
                         nx, ny, c, GRID_MAX_SIDE);
    }
    d->g.nx = (int)nx;
    d->g.ny = (int)ny;
    d->n = m;
    d->t = malloc(m * sizeof *d->t);
    d->x = malloc(m * sizeof *d->x);
    d->y = malloc(m * sizeof *d->y);
    d->w = malloc(m * sizeof *d->w);
    d->c = malloc(m * sizeof *d->c);
    if (!d->t || !d->x || !d->y || !d->w || !d->c) {
        free(v);
        stad_predict_data_free(d);
        return stad_fail(ctx, STAD_ENOMEM, "forecast data");
    }
    for (size_t i = 0; i < m; i++) {
        d->t[i] = v[i].t;
        d->x[i] = v[i].x;
        d->y[i] = v[i].y;
        d->w[i] = v[i].w;
        d->c[i] = stad_hotspot_grid_cell(&d->g, v[i].x, v[i].y);
    }
    free(v);
    *out = d;
    return 0;
}

/* ---- layers ---- */

int stad_predict_data_add_layer(stad_ctx *ctx, stad_predict_data *d, const char *name,
                                const double *x, const double *y, size_t n)
{
    if (d->n_layers >= PD_MAX_LAYERS)
        return stad_fail(ctx, STAD_ERANGE, "forecast: at most %d layers", PD_MAX_LAYERS);
    const stad_hotspot_grid *g = &d->g;
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    pd_layer *L = &d->layers[d->n_layers];
    L->name = strdup(name);
    L->near = calloc(nc, sizeof *L->near);
    L->dist = malloc(nc * sizeof *L->dist);
    /* points bucketed by cell: start[c]..start[c+1] in px/py */
    size_t *start = calloc(nc + 1, sizeof *start);
    double *px = malloc((n + 1) * sizeof *px), *py = malloc((n + 1) * sizeof *py);
    long *pc = malloc((n + 1) * sizeof *pc);
    double *own = calloc(nc, sizeof *own);
    if (!L->name || !L->near || !L->dist || !start || !px || !py || !pc || !own) {
        free(L->name);
        free(L->near);
        free(L->dist);
        memset(L, 0, sizeof *L);
        free(start);
        free(px);
        free(py);
        free(pc);
        free(own);
        return stad_fail(ctx, STAD_ENOMEM, "forecast layer");
    }
    for (size_t i = 0; i < n; i++) {
        pc[i] = stad_hotspot_grid_cell(g, x[i], y[i]);
        if (pc[i] >= 0)
            start[pc[i] + 1]++;
    }
    for (size_t k = 0; k < nc; k++)
        start[k + 1] += start[k];
    size_t *fill = calloc(nc, sizeof *fill);
    if (!fill) {
        free(start);
        free(px);
        free(py);
        free(pc);
        free(own);
        return stad_fail(ctx, STAD_ENOMEM, "forecast layer");
    }
    for (size_t i = 0; i < n; i++)
        if (pc[i] >= 0) {
            size_t at = start[pc[i]] + fill[pc[i]]++;
            px[at] = x[i];
            py[at] = y[i];
        }
    free(fill);
    int R = (int)ceil(LAYER_DIST_CAP / g->cell);
    for (int row = 0; row < g->ny; row++)
        for (int col = 0; col < g->nx; col++) {
            size_t k = (size_t)row * g->nx + col;
            double cx = g->x0 + (col + .5) * g->cell, cy = g->y0 + (row + .5) * g->cell;
            double near = 0, best = INFINITY;
            for (int r = 0; r <= R; r++) {
                if (r >= 2 && (r - 1) * g->cell > best)
                    break;
                for (int dy = -r; dy <= r; dy++)
                    for (int dx = -r; dx <= r; dx++) {
                        if (abs(dx) != r && abs(dy) != r)
                            continue;
                        int cc = col + dx, rr = row + dy;
                        if (cc < 0 || rr < 0 || cc >= g->nx || rr >= g->ny)
                            continue;
                        size_t q = (size_t)rr * g->nx + cc;
                        if (r <= 1)
                            near += (double)(start[q + 1] - start[q]);
                        for (size_t p = start[q]; p < start[q + 1]; p++) {
                            double dd = hypot(px[p] - cx, py[p] - cy);
                            if (dd < best)
                                best = dd;
                        }
                    }
            }
            L->near[k] = near;
            L->dist[k] = fmin(best, LAYER_DIST_CAP);
        }
    free(start);
    free(px);
    free(py);
    free(pc);
    free(own);
    d->n_layers++;
    return 0;
}

int stad_predict_data_add_figure(stad_ctx *ctx, stad_predict_data *d, const char *name,
                                 const double *value)
{
    if (d->n_figures >= PD_MAX_FIGURES)
        return stad_fail(ctx, STAD_ERANGE, "forecast: at most %d figures", PD_MAX_FIGURES);
    size_t nc = (size_t)d->g.nx * (size_t)d->g.ny;
    pd_figure *F = &d->figures[d->n_figures];
    F->name = strdup(name);
    F->value = malloc(nc * sizeof *F->value);
    if (!F->name || !F->value) {
        free(F->name);
        free(F->value);
        memset(F, 0, sizeof *F);
        return stad_fail(ctx, STAD_ENOMEM, "forecast figure");
    }
    double s = 0;
    size_t k = 0;
    for (size_t i = 0; i < nc; i++)
        if (isfinite(value[i])) {
            s += value[i];
            k++;
        }
    double mean = k ? s / (double)k : 0;
    for (size_t i = 0; i < nc; i++)
        F->value[i] = isfinite(value[i]) ? value[i] : mean;
    d->n_figures++;
    return 0;
}

/* ---- loading from the store ---- */

/* Share of the cells that have events (ever) within 500 m of a layer point. */
static double layer_coverage(const stad_predict_data *d, const pd_layer *L)
{
    size_t nc = (size_t)d->g.nx * (size_t)d->g.ny, with = 0, near = 0;
    unsigned char *seen = calloc(nc, 1);
    if (!seen)
        return 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->c[i] >= 0 && !seen[d->c[i]]) {
            seen[d->c[i]] = 1;
            with++;
            near += L->dist[d->c[i]] <= 500;
        }
    free(seen);
    return with ? (double)near / (double)with : 0;
}

/* Asset points of one kind; with a scope, only those of the scope's sources (a layer is
 * data of a source like the events are). */
static int load_layer(stad_ctx *ctx, stad_store *s, stad_predict_data *d, const char *kind,
                      const char *words, const stad_event_filter *scope)
{
    sqlite3 *db = stad_store_db(s);
    sqlite3_stmt *st = NULL;
    int only = scope && scope->restrict_sources;
    if (only && scope->n_source_ids > 0 && !scope->source_ids)
        return stad_fail(ctx, STAD_EINVAL, "forecast: scope without source ids");
    stad_strbuf sql = STAD_STRBUF_INIT;
    stad_strbuf_append(&sql, "SELECT x, y FROM asset WHERE kind = ? AND x IS NOT NULL AND y "
                             "IS NOT NULL");
    if (only && scope->n_source_ids == 0)
        stad_strbuf_append(&sql, " AND 0");
    else if (only) {
        stad_strbuf_append(&sql, " AND batch_id IN (SELECT id FROM batch WHERE source_id IN (");
        for (size_t i = 0; i < scope->n_source_ids; i++)
            stad_strbuf_append(&sql, i ? ",?" : "?");
        stad_strbuf_append(&sql, "))");
    }
    int prc = sql.oom ? SQLITE_NOMEM
                      : sqlite3_prepare_v2(db, stad_strbuf_str(&sql), -1, &st, NULL);
    stad_strbuf_free(&sql);
    if (prc != SQLITE_OK)
        return stad_fail(ctx, STAD_ESTORE, "forecast: reading assets: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    for (size_t i = 0; only && i < scope->n_source_ids; i++)
        sqlite3_bind_int64(st, (int)i + 2, scope->source_ids[i]);
    size_t n = 0, cap = 0;
    double *x = NULL, *y = NULL;
    int rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            double *nx = realloc(x, cap * sizeof *x), *ny = nx ? realloc(y, cap * sizeof *y) : NULL;
            if (nx)
                x = nx;
            if (ny)
                y = ny;
            if (!nx || !ny) {
                rc = stad_fail(ctx, STAD_ENOMEM, "forecast: reading assets");
                break;
            }
        }
        x[n] = sqlite3_column_double(st, 0);
        y[n] = sqlite3_column_double(st, 1);
        n++;
    }
    sqlite3_finalize(st);
    if (!rc && n == 0)
        stad_strbuf_printf(&d->notes, "no %s (asset kind '%s') in the store: left out of the "
                                      "covariate model\n", words, kind);
    if (!rc && n > 0) {
        rc = stad_predict_data_add_layer(ctx, d, kind, x, y, n);
        if (!rc) {
            double cov = layer_coverage(d, &d->layers[d->n_layers - 1]);
            if (cov < 0.5) {
                stad_strbuf_printf(&d->notes,
                                   "%s cover only %.0f%% of the places with events (within "
                                   "500 m): left out of the covariate model\n",
                                   words, 100 * cov);
                d->n_layers--;
                pd_layer *L = &d->layers[d->n_layers];
                free(L->name);
                free(L->near);
                free(L->dist);
                memset(L, 0, sizeof *L);
            }
        }
    }
    free(x);
    free(y);
    return rc;
}

/* Cell -> area id through the buurt (else wijk) index; ids[nc], 0 = none. */
static int cell_areas(stad_ctx *ctx, stad_store *s, const stad_hotspot_grid *g, int64_t *ids)
{
    stad_area_index *idx = NULL;
    int rc = stad_area_index_build(ctx, s, "buurt", &idx);
    if (rc == STAD_EEMPTY) {
        stad_clear_error(ctx);
        rc = stad_area_index_build(ctx, s, "wijk", &idx);
    }
    if (rc)
        return rc;
    for (int row = 0; row < g->ny; row++)
        for (int col = 0; col < g->nx; col++)
            ids[(size_t)row * g->nx + col] = stad_area_index_locate(
                idx, g->x0 + (col + .5) * g->cell, g->y0 + (row + .5) * g->cell, 0);
    stad_area_index_free(idx);
    return 0;
}

typedef struct fig_val {
    int64_t id;
    double v;
} fig_val;

static int cmp_fig(const void *a, const void *b)
{
    const fig_val *p = a, *q = b;
    return p->id < q->id ? -1 : p->id > q->id;
}

/* One figure: the first of `keys` (comma-separated) that some area has. */
static int load_figure(stad_ctx *ctx, stad_store *s, stad_predict_data *d, const char *name,
                       const char *keys, const int64_t *cell_area)
{
    sqlite3 *db = stad_store_db(s);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", keys);
    char *p = buf;
    while (p && *p) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = 0;
        while (*p == ' ')
            p++;
        char *end = p + strlen(p);
        while (end > p && end[-1] == ' ')
            *--end = 0;
        if (*p) {
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v2(db,
                                   "SELECT id, json_extract(figures, '$.\"' || ? || '\"') FROM "
                                   "area WHERE figures IS NOT NULL ORDER BY id",
                                   -1, &st, NULL) != SQLITE_OK)
                return stad_fail(ctx, STAD_ESTORE, "forecast: reading area figures: %s",
                                 sqlite3_errmsg(db));
            sqlite3_bind_text(st, 1, p, -1, SQLITE_TRANSIENT);
            fig_val *v = NULL;
            size_t n = 0, cap = 0;
            while (sqlite3_step(st) == SQLITE_ROW) {
                if (sqlite3_column_type(st, 1) != SQLITE_INTEGER &&
                    sqlite3_column_type(st, 1) != SQLITE_FLOAT)
                    continue;
                if (n == cap) {
                    cap = cap ? 2 * cap : 256;
                    fig_val *nv = realloc(v, cap * sizeof *v);
                    if (!nv) {
                        free(v);
                        sqlite3_finalize(st);
                        return stad_fail(ctx, STAD_ENOMEM, "forecast: area figures");
                    }
                    v = nv;
                }
                v[n++] = (fig_val){sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1)};
            }
            sqlite3_finalize(st);
            if (n > 0) {
                qsort(v, n, sizeof *v, cmp_fig);
                size_t nc = (size_t)d->g.nx * (size_t)d->g.ny, known = 0;
                double *val = malloc(nc * sizeof *val);
                if (!val) {
                    free(v);
                    return stad_fail(ctx, STAD_ENOMEM, "forecast: area figures");
                }
                for (size_t k = 0; k < nc; k++) {
                    fig_val key = {cell_area[k], 0};
                    fig_val *hit = cell_area[k] ? bsearch(&key, v, n, sizeof *v, cmp_fig) : NULL;
                    val[k] = hit ? hit->v : NAN;
                    known += hit != NULL;
                }
                int rc = known ? stad_predict_data_add_figure(ctx, d, name, val) : 0;
                free(val);
                free(v);
                return rc;
            }
            free(v);
        }
        p = comma ? comma + 1 : NULL;
    }
    stad_strbuf_printf(&d->notes, "no area has the figure '%s' (%s): left out of the "
                                  "covariate model\n", name, keys);
    return 0;
}

static int load_covariates(stad_ctx *ctx, stad_store *s, const stad_predict_opts *o,
                           stad_predict_data *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/forecast.conf", stad_config_dir());
    stad_conf *conf = NULL;
    if (stad_conf_load(ctx, path, &conf)) {
        stad_strbuf_printf(&d->notes, "no forecast configuration (%s): no covariate layers\n",
                           stad_errmsg(ctx));
        stad_clear_error(ctx);
        return 0;
    }
    int rc = 0;
    /* layers: from the options (comma-separated kinds) or the configuration */
    if (o->layers) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", o->layers);
        for (char *p = buf, *comma; p && *p && !rc; p = comma ? comma + 1 : NULL) {
            if ((comma = strchr(p, ',')))
                *comma = 0;
            if (*p)
                rc = load_layer(ctx, s, d, p, p, o->where);
        }
    } else {
        for (size_t i = 0; i < stad_conf_count(conf) && !rc; i++) {
            const stad_conf_entry *e = stad_conf_at(conf, i);
            if (strcmp(e->section, "layers") == 0)
                rc = load_layer(ctx, s, d, e->key, e->value, o->where);
        }
    }
    size_t nc = (size_t)d->g.nx * (size_t)d->g.ny;
    int64_t *area = rc ? NULL : calloc(nc, sizeof *area);
    if (!rc && !area)
        rc = stad_fail(ctx, STAD_ENOMEM, "forecast");
    int have_areas = 0;
    if (!rc) {
        int arc = cell_areas(ctx, s, &d->g, area);
        if (arc == STAD_EEMPTY) {
            stad_clear_error(ctx);
            stad_strbuf_append(&d->notes, "no wijken or buurten in the store: no area figures "
                                          "in the covariate model\n");
        } else if (arc) {
            rc = arc;
        } else {
            have_areas = 1;
        }
    }
    if (!rc && have_areas) {
        if (o->figures) {
            char buf[512];
            snprintf(buf, sizeof buf, "%s", o->figures);
            for (char *p = buf, *comma; p && *p && !rc; p = comma ? comma + 1 : NULL) {
                if ((comma = strchr(p, ',')))
                    *comma = 0;
                if (*p)
                    rc = load_figure(ctx, s, d, p, p, area);
            }
        } else {
            for (size_t i = 0; i < stad_conf_count(conf) && !rc; i++) {
                const stad_conf_entry *e = stad_conf_at(conf, i);
                if (strcmp(e->section, "figures") == 0)
                    rc = load_figure(ctx, s, d, e->key, e->value, area);
            }
        }
    }
    free(area);
    stad_conf_free(conf);
    return rc;
}

static int add_kind(void *user, const stad_kind_row *k)
{
    stad_strbuf *b = user;
    stad_strbuf_printf(b, "%s%s (%lld)", b->len ? ", " : "", k->kind, (long long)k->count);
    return 0;
}

/* Why there is nothing to forecast from, with the kinds the caller could use instead
 * (counted within the caller's sources and place, over all time). */
static int no_events(stad_ctx *ctx, stad_store *s, const stad_event_filter *asked,
                     const stad_predict_opts *o, int64_t until)
{
    stad_strbuf asked_kinds = STAD_STRBUF_INIT, kinds = STAD_STRBUF_INIT;
    for (size_t i = 0; i < o->n_kinds; i++)
        stad_strbuf_printf(&asked_kinds, "%s%s", i ? ", " : "", o->kinds[i]);
    stad_event_filter any = *asked;
    any.kinds = NULL;
    any.n_kinds = 0;
    any.has_period = 0;
    int rc = stad_store_kinds_each(s, &any, add_kind, &kinds);
    stad_clear_error(ctx);
    rc = stad_fail(ctx, STAD_EEMPTY, "forecast: no located events of kind %s%s; %s%s",
                   asked_kinds.len ? stad_strbuf_str(&asked_kinds) : "(any)",
                   o->history_from || until ? " in the period" : "",
                   !rc && kinds.len ? "the store has " : "the store has no events",
                   !rc && kinds.len ? stad_strbuf_str(&kinds) : "");
    stad_strbuf_free(&asked_kinds);
    stad_strbuf_free(&kinds);
    return rc;
}

int stad_predict_data_load(stad_ctx *ctx, stad_store *s, const stad_predict_opts *opts,
                           int64_t until, stad_predict_data **out)
{
    *out = NULL;
    stad_predict_opts o = {0};
    if (opts)
        o = *opts;
    stad_event_filter f = {0};
    f.kinds = o.kinds;
    f.n_kinds = o.n_kinds;
    if (o.where) {
        /* the caller's place and sources only (fails closed: no ids = no events) */
        f.area_code = o.where->area_code;
        f.has_bbox = o.where->has_bbox;
        memcpy(f.bbox, o.where->bbox, sizeof f.bbox);
        f.restrict_sources = o.where->restrict_sources;
        f.source_ids = o.where->source_ids;
        f.n_source_ids = o.where->n_source_ids;
    }
    if (o.history_from || until) {
        f.has_period = 1;
        f.t_min = o.history_from ? o.history_from : INT64_MIN / 2;
        f.t_max = until ? until : INT64_MAX / 2;
    }
    stad_events *e = NULL;
    int rc = stad_events_load(s, &f, &e);
    if (rc)
        return rc;
    double *w = malloc((e->n + 1) * sizeof *w);
    if (!w) {
        stad_events_free(e);
        return stad_fail(ctx, STAD_ENOMEM, "forecast");
    }
    for (size_t i = 0; i < e->n; i++)
        w[i] = e->count[i] > 0 ? e->count[i] : 1;
    rc = stad_predict_data_new(ctx, &o, e->t_from, e->x, e->y, w, e->n, out);
    free(w);
    stad_events_free(e);
    if (rc == STAD_EEMPTY)
        return no_events(ctx, s, &f, &o, until);
    if (!rc && (rc = load_covariates(ctx, s, &o, *out))) {
        stad_predict_data_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- helpers on the events ---- */

size_t pd_index_at(const stad_predict_data *d, int64_t at)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->t[mid] < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void pd_count(const stad_predict_data *d, int64_t a, int64_t b, double *out)
{
    for (size_t i = pd_index_at(d, a); i < d->n && d->t[i] < b; i++)
        if (d->c[i] >= 0)
            out[d->c[i]] += d->w[i];
}

size_t pd_mask(const stad_predict_data *d, int64_t at, unsigned char *mask)
{
    const stad_hotspot_grid *g = &d->g;
    size_t nc = (size_t)g->nx * (size_t)g->ny, n = 0;
    if (d->mask_cells < 0) {
        memset(mask, 1, nc);
        return nc;
    }
    memset(mask, 0, nc);
    int R = d->mask_cells;
    size_t end = pd_index_at(d, at);
    for (size_t i = 0; i < end; i++) {
        if (d->c[i] < 0)
            continue;
        int col = (int)(d->c[i] % g->nx), row = (int)(d->c[i] / g->nx);
        for (int r = row - R; r <= row + R; r++)
            for (int c = col - R; c <= col + R; c++)
                if (r >= 0 && c >= 0 && r < g->ny && c < g->nx && !mask[(size_t)r * g->nx + c]) {
                    mask[(size_t)r * g->nx + c] = 1;
                    n++;
                }
    }
    return n;
}

int pd_smooth(const stad_hotspot_grid *g, const double *in, double sigma, double *out)
{
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    int R = (int)ceil(3 * sigma);
    if (sigma <= 0 || R < 1) {
        memcpy(out, in, nc * sizeof *out);
        return 0;
    }
    double *k = malloc((size_t)(2 * R + 1) * sizeof *k), *tmp = calloc(nc, sizeof *tmp);
    if (!k || !tmp) {
        free(k);
        free(tmp);
        return STAD_ENOMEM;
    }
    double s = 0;
    for (int i = -R; i <= R; i++)
        s += k[i + R] = exp(-0.5 * i * i / (sigma * sigma));
    for (int i = 0; i <= 2 * R; i++)
        k[i] /= s;
    /* rows, then columns; skipping zeros keeps sparse inputs cheap */
    for (int row = 0; row < g->ny; row++)
        for (int col = 0; col < g->nx; col++) {
            double v = in[(size_t)row * g->nx + col];
            if (v == 0)
                continue;
            for (int dx = -R; dx <= R; dx++) {
                int c = col + dx;
                if (c >= 0 && c < g->nx)
                    tmp[(size_t)row * g->nx + c] += v * k[dx + R];
            }
        }
    memset(out, 0, nc * sizeof *out);
    for (int row = 0; row < g->ny; row++)
        for (int col = 0; col < g->nx; col++) {
            double v = tmp[(size_t)row * g->nx + col];
            if (v == 0)
                continue;
            for (int dy = -R; dy <= R; dy++) {
                int r = row + dy;
                if (r >= 0 && r < g->ny)
                    out[(size_t)r * g->nx + col] += v * k[dy + R];
            }
        }
    free(k);
    free(tmp);
    return 0;
}

void pd_prospective(const stad_predict_data *d, int64_t at, int cells, int weeks, double *out)
{
    const stad_hotspot_grid *g = &d->g;
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    memset(out, 0, nc * sizeof *out);
    int64_t week = 7 * (int64_t)PD_DAY;
    size_t end = pd_index_at(d, at);
    for (size_t i = pd_index_at(d, at - weeks * week); i < end; i++) {
        if (d->c[i] < 0)
            continue;
        /* whole weeks before the forecast time, rounded down (open_cp's grid method) */
        int64_t wk = (at - d->t[i]) / week;
        if (wk >= weeks)
            continue;
        double tw = d->w[i] / (1.0 + (double)wk);
        int col = (int)(d->c[i] % g->nx), row = (int)(d->c[i] / g->nx);
        int R = cells - 1;
        for (int r = row - R; r <= row + R; r++) {
            if (r < 0 || r >= g->ny)
                continue;
            for (int c = col - R; c <= col + R; c++) {
                if (c < 0 || c >= g->nx)
                    continue;
                int dd = abs(r - row) > abs(c - col) ? abs(r - row) : abs(c - col);
                out[(size_t)r * g->nx + c] += tw / (1.0 + dd);
            }
        }
    }
}
