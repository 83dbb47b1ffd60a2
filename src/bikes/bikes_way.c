/* Where a team starts and the way it goes: the depot (given on the command line, the
 * theme's, or the middle of the streets) between WGS84 and the city CRS, and each
 * enforcer's way from the depot along the street network through the stops in order
 * and back, for the maps of the sheets and the dashboard. */
#include <math.h>
#include <stdlib.h>

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
