/* Where a team starts and the way it goes: the depot (given on the command line, the
 * theme's, or the middle of the streets) between WGS84 and the city CRS, and each
 * enforcer's way from the depot along the street network through the stops in order
 * and back, for the maps of the sheets and the dashboard. */
#include <math.h>
#include <stdlib.h>

#include <ogr_api.h>

#include "stad/bikes.h"
#include "stad/geo.h"
#include "stad/route.h"
#include "stad/store.h"

/* Snapping farther than this onto the network draws a straight line instead. */
#define WAY_MAX_SNAP_M 250

static int city_transform(stad_ctx *ctx, stad_store *s, int to_city, stad_transform **tr)
{
    char *city = NULL;
    int rc = stad_city_crs(ctx, s, &city);
    if (!rc)
        rc = to_city ? stad_transform_new(ctx, STAD_CRS_WGS84, city, tr)
                     : stad_transform_new(ctx, city, STAD_CRS_WGS84, tr);
    free(city);
    return rc;
}

/* The interior points of a LineString GeoJSON in WGS84, into the city CRS: *n of them
 * in x/y (the caller's, at least `cap`); 0 with *n = 0 for anything else (a
 * MultiLineString's parts need not join, so it is drawn straight). */
static int bends_of(stad_transform *tr, const char *geojson, double *x, double *y, size_t cap,
                    size_t *n)
{
    *n = 0;
    OGRGeometryH g = geojson ? OGR_G_CreateGeometryFromJson(geojson) : NULL;
    if (!g)
        return 0;
    int rc = 0;
    if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbLineString) {
        int np = OGR_G_GetPointCount(g);
        for (int k = 1; k + 1 < np && *n < cap; k++) {
            x[*n] = OGR_G_GetX(g, k);
            y[*n] = OGR_G_GetY(g, k);
            (*n)++;
        }
        if (*n)
            rc = stad_transform_apply(tr, *n, x, y);
        for (size_t k = 0; k < *n && !rc; k++)
            if (!isfinite(x[k]) || !isfinite(y[k]))
                *n = 0; /* a point PROJ could not move: the segment is drawn straight */
    }
    OGR_G_DestroyGeometry(g);
    return rc;
}

#define MAX_BENDS 4096

int stad_bikes_streets_graph(stad_ctx *ctx, stad_store *s, const stad_bikes_streets *st,
                             void **out)
{
    *out = NULL;
    stad_route_graph *g = NULL;
    stad_transform *tr = NULL;
    double *bx = malloc(MAX_BENDS * sizeof *bx), *by = malloc(MAX_BENDS * sizeof *by);
    int rc = bx && by ? 0 : stad_fail(ctx, STAD_ENOMEM, "plan: out of memory");
    if (!rc)
        rc = stad_route_graph_new(ctx, 0.5, &g);
    if (!rc && st->geojson)
        rc = city_transform(ctx, s, 1, &tr);
    for (size_t i = 0; i < st->n && !rc; i++) {
        size_t nb = 0;
        if (tr && (rc = bends_of(tr, st->geojson[i], bx, by, MAX_BENDS, &nb)))
            break;
        rc = stad_route_graph_add_edge_via(g, st->x0[i], st->y0[i], st->x1[i], st->y1[i],
                                           st->length[i], nb, bx, by);
    }
    stad_transform_free(tr);
    free(bx);
    free(by);
    if (rc) {
        stad_route_graph_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

int stad_bikes_depot_set(stad_ctx *ctx, stad_store *s, double lon, double lat,
                         stad_bikes_plan_opts *po)
{
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90))
        return stad_fail(ctx, STAD_EINVAL, "depot %g, %g: expected longitude, latitude in "
                                           "degrees (WGS84)", lon, lat);
    stad_transform *tr = NULL;
    int rc = city_transform(ctx, s, 1, &tr);
    double x = lon, y = lat;
    if (!rc)
        rc = stad_transform_point(tr, &x, &y);
    stad_transform_free(tr);
    if (rc)
        return rc;
    po->has_depot = 1;
    po->depot_x = x;
    po->depot_y = y;
    return 0;
}

int stad_bikes_depot_from_theme(stad_ctx *ctx, stad_store *s, const stad_bikes_theme *t,
                                stad_bikes_plan_opts *po)
{
    return t->has_depot ? stad_bikes_depot_set(ctx, s, t->depot_lon, t->depot_lat, po) : 0;
}

int stad_bikes_plan_trace(stad_ctx *ctx, stad_store *s, void *graph,
                          const stad_bikes_streets *st, stad_bikes_plan *p)
{
    /* without a network the way is straight lines: the path over an empty graph */
    stad_route_graph *g = graph, *none = NULL;
    int rc = g ? 0 : stad_route_graph_new(ctx, 1, &none);
    if (rc)
        return rc;
    if (!g)
        g = none;
    stad_route_polyline way = {0}, leg = {0};
    size_t *first = calloc((size_t)p->enforcers + 1, sizeof *first);
    if (!first)
        rc = stad_fail(ctx, STAD_ENOMEM, "plan: out of memory");
    for (int e = 0; e < p->enforcers && !rc; e++) {
        first[e] = way.n;
        /* depot, the stops in order, depot; a route without stops has no way. Each
         * enforcer's way is made apart, as the path joins a point equal to the last */
        leg.n = 0;
        double px = p->depot_x, py = p->depot_y;
        size_t stops = 0;
        for (size_t k = 0; k < p->n_stops && !rc; k++) {
            if (p->stops[k].enforcer != e)
                continue;
            double qx = st->x[p->stops[k].street], qy = st->y[p->stops[k].street];
            rc = stad_route_graph_path(g, px, py, qx, qy, WAY_MAX_SNAP_M, &leg);
            px = qx;
            py = qy;
            stops++;
        }
        if (!rc && stops)
            rc = stad_route_graph_path(g, px, py, p->depot_x, p->depot_y, WAY_MAX_SNAP_M, &leg);
        for (size_t i = 0; i < leg.n && !rc; i++)
            if (stad_route_polyline_push(&way, leg.x[i], leg.y[i]))
                rc = stad_fail(ctx, STAD_ENOMEM, "plan: out of memory");
    }
    stad_route_polyline_clear(&leg);
    stad_route_graph_free(none);
    if (first)
        first[p->enforcers] = way.n;
    double *lon = rc ? NULL : malloc((way.n + 1) * sizeof *lon);
    double *lat = rc ? NULL : malloc((way.n + 1) * sizeof *lat);
    if (!rc && (!lon || !lat))
        rc = stad_fail(ctx, STAD_ENOMEM, "plan: out of memory");
    stad_transform *tr = NULL;
    double dlon = p->depot_x, dlat = p->depot_y;
    if (!rc)
        rc = city_transform(ctx, s, 0, &tr);
    if (!rc) {
        for (size_t i = 0; i < way.n; i++) {
            lon[i] = way.x[i];
            lat[i] = way.y[i];
        }
        if (way.n)
            rc = stad_transform_apply(tr, way.n, lon, lat);
        if (!rc)
            rc = stad_transform_point(tr, &dlon, &dlat);
    }
    stad_transform_free(tr);
    if (rc) {
        free(first);
        free(lon);
        free(lat);
        stad_route_polyline_clear(&way);
        return rc;
    }
    free(p->way_first);
    free(p->way_x);
    free(p->way_y);
    free(p->way_lon);
    free(p->way_lat);
    p->way_first = first;
    p->way_x = way.x;
    p->way_y = way.y;
    p->way_lon = lon;
    p->way_lat = lat;
    p->depot_lon = dlon;
    p->depot_lat = dlat;
    return 0;
}
