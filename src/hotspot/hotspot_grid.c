/* Regular grids in the city CRS: fitting, locating, counting, WGS84 outlines. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hotspot/hotspot_internal.h"

#define GRID_MAX_SIDE 4096

int stad_hotspot_grid_fit(stad_ctx *ctx, const double *x, const double *y, size_t n,
                          double cell, double margin, stad_hotspot_grid *out)
{
    memset(out, 0, sizeof *out);
    if (!(cell > 0) || !(margin >= 0) || !isfinite(cell) || !isfinite(margin))
        return stad_fail(ctx, STAD_EINVAL, "grid: cell %g and margin %g must be positive",
                         cell, margin);
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        minx = fmin(minx, x[i]);
        maxx = fmax(maxx, x[i]);
        miny = fmin(miny, y[i]);
        maxy = fmax(maxy, y[i]);
    }
    if (minx > maxx)
        return stad_fail(ctx, STAD_EEMPTY, "grid: no events with coordinates");
    /* Snapping the origin to a multiple of the cell keeps cells the same from one
     * query to the next, so maps of different periods line up. */
    double x0 = floor((minx - margin) / cell) * cell;
    double y0 = floor((miny - margin) / cell) * cell;
    double nxd = floor((maxx + margin - x0) / cell) + 1;
    double nyd = floor((maxy + margin - y0) / cell) + 1;
    if (nxd > GRID_MAX_SIDE || nyd > GRID_MAX_SIDE)
        return stad_fail(ctx, STAD_ERANGE,
                         "grid of %.0f x %.0f cells of %g m is too large (at most %d a side);"
                         " use larger cells or a smaller area",
                         nxd, nyd, cell, GRID_MAX_SIDE);
    out->x0 = x0;
    out->y0 = y0;
    out->cell = cell;
    out->nx = (int)nxd;
    out->ny = (int)nyd;
    return 0;
}

long stad_hotspot_grid_cell(const stad_hotspot_grid *g, double x, double y)
{
    double fx = (x - g->x0) / g->cell, fy = (y - g->y0) / g->cell;
    if (!(fx >= 0 && fy >= 0 && fx < g->nx && fy < g->ny))
        return -1; /* also NaN */
    return (long)fy * g->nx + (long)fx;
}

size_t stad_hotspot_grid_count(const stad_hotspot_grid *g, const double *x,
                               const double *y, const double *w, size_t n,
                               double *counts)
{
    size_t outside = 0;
    for (size_t i = 0; i < n; i++) {
        long c = stad_hotspot_grid_cell(g, x[i], y[i]);
        if (c < 0)
            outside++;
        else
            counts[c] += w ? w[i] : 1.0;
    }
    return outside;
}

int stad_hotspot_transform(stad_ctx *ctx, stad_store *s, stad_transform **out)
{
    char *crs = NULL;
    int rc = stad_city_crs(ctx, s, &crs);
    if (!rc)
        rc = stad_transform_new(ctx, crs, STAD_CRS_WGS84, out);
    free(crs);
    return rc;
}

int stad_hotspot_cell_ring(stad_transform *t, const stad_hotspot_grid *g, size_t cell,
                           double ring[10])
{
    size_t col = cell % (size_t)g->nx, row = cell / (size_t)g->nx;
    double x = g->x0 + (double)col * g->cell, y = g->y0 + (double)row * g->cell;
    double xs[5] = {x, x + g->cell, x + g->cell, x, x};
    double ys[5] = {y, y, y + g->cell, y + g->cell, y};
    int rc = stad_transform_apply(t, 5, xs, ys);
    for (int i = 0; i < 5; i++) {
        ring[2 * i] = xs[i];
        ring[2 * i + 1] = ys[i];
        if (!rc && (isnan(xs[i]) || isnan(ys[i])))
            rc = STAD_EGEO;
    }
    return rc;
}
