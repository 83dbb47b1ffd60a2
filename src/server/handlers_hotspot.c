/* GET /api/change, /api/hotspots, /api/kde and /api/flexteam: thin wrappers over the
 * hotspot module that turn its results into the JSON of docs/api.md. */
#include <math.h>
#include <string.h>

#include "server/server_internal.h"
#include "stad/hotspot.h"
#include "stad/predict.h"

#define MAX_KDE_CELLS 60000

/* The analysis period needs both ends or neither (then the module picks the last
 * 28 days); a half-open period has no sensible "previous period". */
static int filter_for_analysis(srv_req *rq, stad_event_filter *f, srv_filter_buf *fb)
{
    if (srv_params_filter(rq, f, fb))
        return -1;
    int from = srv_param(rq, "from") != NULL, to = srv_param(rq, "to") != NULL;
    if (from != to)
        return srv_fail(rq, 400, from ? "to" : "from",
                        "give both from and to, or neither (the last 28 days)");
    return 0;
}

static int hotspot_opts(srv_req *rq, double *cell, double *bandwidth, stad_kde_kernel *kernel)
{
    static const char *const kernels[] = {"quartic", "gaussian", NULL};
    int k;
    if (srv_param_double(rq, "cell", 25, 1000, STAD_HOTSPOT_CELL_DEFAULT, cell) ||
        srv_param_double(rq, "bandwidth", 50, 5000, STAD_HOTSPOT_BANDWIDTH_DEFAULT, bandwidth) ||
        srv_param_enum(rq, "kernel", kernels, 0, &k))
        return -1;
    *kernel = k == 1 ? STAD_KDE_GAUSSIAN : STAD_KDE_QUARTIC;
    return 0;
}

/* Library failures: empty data and oversized grids are the client's to fix. */
static int analysis_fail(srv_req *rq, int rc, const char *what)
{
    if (rc == STAD_ERANGE)
        return srv_fail(rq, 400, "cell", "the grid would be too large: choose a larger cell "
                                         "or a smaller area");
    if (rc == STAD_EINVAL)
        return srv_fail(rq, 400, NULL, "%s", stad_errmsg(rq->ctx));
    return srv_fail_internal(rq, what);
}

static json_t *period_json(int64_t from, int64_t to)
{
    /* [from, to) as inclusive dates, like the parameters */
    return json_pack("{s:o, s:o}", "from", srv_json_date(from), "to", srv_json_date(to - 1));
}

static json_t *cell_polygon(stad_transform *t, const stad_hotspot_grid *g, size_t cell)
{
    double r[10];
    if (stad_hotspot_cell_ring(t, g, cell, r))
        return NULL;
    json_t *ring = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(ring, json_pack("[f,f]", r[2 * i], r[2 * i + 1]));
    return json_pack("{s:s, s:[o]}", "type", "Polygon", "coordinates", ring);
}

static json_t *empty_period(void)
{
    return json_pack("{s:n, s:n}", "from", "to");
}

int srv_h_change(srv_req *rq, json_t **out)
{
    static const char *const levels[] = {"wijk", "buurt", NULL};
    stad_event_filter f;
    srv_filter_buf fb;
    int level;
    if (filter_for_analysis(rq, &f, &fb) || srv_param_enum(rq, "level", levels, 0, &level))
        return -1;
    stad_hotspot_change *c = NULL;
    int rc = stad_hotspot_change_compute(rq->ctx, rq->store, &f, levels[level], 0, &c);
    if (rc == STAD_EEMPTY) {
        *out = json_pack("{s:n, s:n, s:o, s:[]}", "from", "to", "previous", empty_period(),
                         "rows");
        return 0;
    }
    if (rc)
        return analysis_fail(rq, rc, "computing the change per area");
    json_t *rows = json_array();
    for (size_t i = 0; i < c->n; i++) {
        const stad_hotspot_change_row *r = &c->rows[i];
        int has = r->code && *r->code;
        json_array_append_new(
            rows, json_pack("{s:o, s:o, s:I, s:I, s:o, s:o, s:o, s:b}", "area",
                            has ? srv_json_str(r->code) : json_null(), "name",
                            has ? srv_json_str(r->name) : json_null(), "count",
                            (json_int_t)r->count, "previous", (json_int_t)r->previous, "ratio",
                            srv_json_number(r->ratio), "p_value", srv_json_number(r->p_value),
                            "q_value", srv_json_number(r->q_value), "significant",
                            r->significant));
    }
    *out = json_pack("{s:o, s:o, s:o, s:I, s:I, s:o}", "from", srv_json_date(c->from), "to",
                     srv_json_date(c->to - 1), "previous", period_json(c->prev_from, c->prev_to),
                     "total", (json_int_t)c->total, "total_previous",
                     (json_int_t)c->total_previous, "rows", rows);
    stad_hotspot_change_free(c);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

static json_t *hotspot_json(const stad_hotspot *h)
{
    json_t *streets = json_array();
    for (size_t i = 0; i < h->n_streets && i < 3; i++)
        if (h->streets[i])
            json_array_append_new(streets, srv_json_str(h->streets[i]));
    int hw = h->wijk_code && *h->wijk_code, hb = h->buurt_code && *h->buurt_code;
    return json_pack(
        "{s:i, s:I, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:o, s:o}, s:[o,o]}", "rank",
        h->rank, "count", (json_int_t)h->count, "share", srv_json_number(h->share), "cells",
        (json_int_t)h->n_cells, "wijk", hw ? srv_json_str(h->wijk_code) : json_null(),
        "wijk_name", hw ? srv_json_str(h->wijk_name) : json_null(), "buurt",
        hb ? srv_json_str(h->buurt_code) : json_null(), "buurt_name",
        hb ? srv_json_str(h->buurt_name) : json_null(), "streets", streets, "trend", "previous",
        (json_int_t)h->previous, "ratio", srv_json_number(h->ratio), "p_value",
        srv_json_number(h->p_value), "centroid", srv_json_number(h->lon),
        srv_json_number(h->lat));
}

int srv_h_hotspots(srv_req *rq, json_t **out)
{
    stad_event_filter f;
    srv_filter_buf fb;
    stad_hotspot_opts o = {0};
    if (filter_for_analysis(rq, &f, &fb) ||
        hotspot_opts(rq, &o.cell, &o.bandwidth, &o.kernel) ||
        srv_param_double(rq, "fdr", 0.001, 0.5, STAD_HOTSPOT_FDR_DEFAULT, &o.fdr))
        return -1;
    stad_hotspots *h = NULL;
    int rc = stad_hotspot_compute(rq->ctx, rq->store, &f, &o, &h);
    if (rc == STAD_EEMPTY) {
        *out = json_pack("{s:n, s:n, s:o, s:i, s:[], s:o}", "from", "to", "previous",
                         empty_period(), "total", 0, "hotspots", "cells",
                         srv_geojson_collection(json_array()));
        return 0;
    }
    if (rc)
        return analysis_fail(rq, rc, "finding hotspots");
    stad_transform *t = NULL;
    if (stad_hotspot_transform(rq->ctx, rq->store, &t)) {
        stad_hotspot_free(h);
        return srv_fail_internal(rq, "making the map transform");
    }
    json_t *list = json_array(), *cells = json_array();
    for (size_t i = 0; i < h->n; i++)
        json_array_append_new(list, hotspot_json(&h->items[i]));
    for (size_t i = 0; i < h->n_hot; i++) {
        const stad_hotspot_cell *c = &h->cells[i];
        json_t *props = json_pack("{s:i, s:o, s:I, s:o, s:o}", "hotspot", c->hotspot, "z",
                                  srv_json_number(c->z), "count", (json_int_t)c->count, "q",
                                  srv_json_number(c->q), "density", srv_json_number(c->density));
        json_array_append_new(cells, srv_geojson_feature(cell_polygon(t, &h->grid, c->cell), props));
    }
    stad_transform_free(t);
    *out = json_pack("{s:o, s:o, s:o, s:I, s:I, s:o, s:o}", "from", srv_json_date(h->from), "to",
                     srv_json_date(h->to - 1), "previous", period_json(h->prev_from, h->prev_to),
                     "total", (json_int_t)h->total, "tested", (json_int_t)h->n_tested,
                     "hotspots", list, "cells", srv_geojson_collection(cells));
    stad_hotspot_free(h);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

int srv_h_kde(srv_req *rq, json_t **out)
{
    stad_event_filter f;
    srv_filter_buf fb;
    stad_kde_opts o = {0};
    if (srv_params_filter(rq, &f, &fb) || hotspot_opts(rq, &o.cell, &o.bandwidth, &o.kernel))
        return -1;
    stad_kde *k = NULL;
    int rc = stad_kde_compute(rq->ctx, rq->store, &f, &o, &k);
    if (rc == STAD_EEMPTY) {
        json_t *j = srv_geojson_collection(json_array());
        json_object_set_new(j, "max", json_integer(0));
        *out = j;
        return 0;
    }
    if (rc)
        return analysis_fail(rq, rc, "computing the density");
    size_t ncells = (size_t)k->grid.nx * (size_t)k->grid.ny, shown = 0;
    double floor_ = k->max * 0.01;
    for (size_t c = 0; c < ncells; c++)
        if (k->max > 0 && k->density[c] >= floor_)
            shown++;
    if (shown > MAX_KDE_CELLS) {
        stad_kde_free(k);
        return srv_fail(rq, 400, "cell",
                        "%zu cells to draw (at most %d): choose a larger cell or a smaller area",
                        shown, MAX_KDE_CELLS);
    }
    stad_transform *t = NULL;
    if (stad_hotspot_transform(rq->ctx, rq->store, &t)) {
        stad_kde_free(k);
        return srv_fail_internal(rq, "making the map transform");
    }
    json_t *features = json_array();
    for (size_t c = 0; c < ncells && k->max > 0; c++) {
        if (k->density[c] < floor_)
            continue;
        json_t *props = json_pack("{s:o}", "density", srv_json_number(k->density[c]));
        json_array_append_new(features,
                              srv_geojson_feature(cell_polygon(t, &k->grid, c), props));
    }
    stad_transform_free(t);
    json_t *j = srv_geojson_collection(features);
    if (j) {
        json_object_set_new(j, "max", srv_json_number(k->max));
        json_object_set_new(j, "cell", json_real(k->grid.cell));
    }
    stad_kde_free(k);
    *out = j;
    return j ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

int srv_h_flexteam(srv_req *rq, json_t **out)
{
    stad_event_filter f;
    srv_filter_buf fb;
    long shifts;
    if (filter_for_analysis(rq, &f, &fb) || srv_param_int(rq, "shifts", 1, 20, 3, &shifts))
        return -1;
    stad_flexteam_opts o = {0};
    o.shifts = (int)shifts;
    stad_flexteam *ft = NULL;
    /* The forecast when the kind has the history for it (f carries the caller's
     * scope, so the forecast reads the same sources), else the recent rate. */
    stad_flexteam_forecast hook;
    stad_predict_data *pd = NULL;
    char why[256];
    int rc = stad_predict_flexteam_prepare(rq->ctx, rq->store, &f, &o, &hook, &pd, why,
                                           sizeof why);
    if (!rc)
        rc = stad_flexteam_compute(rq->ctx, rq->store, &f, &o, &ft);
    stad_predict_data_free(pd);
    if (rc == STAD_EEMPTY) {
        *out = json_pack("{s:i, s:n, s:n, s:[]}", "shifts", (int)shifts, "from", "to",
                         "proposal");
        return 0;
    }
    if (rc)
        return analysis_fail(rq, rc, "proposing the flex team");
    json_t *list = json_array();
    for (size_t i = 0; i < ft->n; i++) {
        const stad_flexteam_pick *p = &ft->picks[i];
        int has = p->area_code && *p->area_code;
        json_array_append_new(
            list, json_pack("{s:i, s:o, s:o, s:o, s:o, s:I, s:[o,o], s:o}", "rank", p->rank,
                            "hotspot", p->hotspot ? json_integer(p->hotspot) : json_null(),
                            "area", has ? srv_json_str(p->area_code) : json_null(), "area_name",
                            has ? srv_json_str(p->area_name) : json_null(), "expected",
                            srv_json_number(p->expected), "recent", (json_int_t)p->recent,
                            "centroid", srv_json_number(p->lon), srv_json_number(p->lat),
                            "reason", srv_json_str(p->reason)));
    }
    *out = json_pack("{s:i, s:o, s:o, s:o, s:b, s:o, s:o}", "shifts", ft->shifts, "from",
                     srv_json_date(ft->from), "to", srv_json_date(ft->to - 1), "expected_total",
                     srv_json_number(ft->expected_total), "forecast", o.forecast != NULL,
                     "expected_from", srv_json_str(why), "proposal", list);
    stad_flexteam_free(ft);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}
