/* Points bucketed on a square grid, to find the points near a street without looking
 * at all of them (street hints, street names). */
#include <math.h>
#include <stdlib.h>

#include "bikes_internal.h"

/* More cells than this and the cell grows: points spread over a country must not
 * allocate a grid the size of it. */
#define GRID_MAX_CELLS 4e6

int bikes_grid_build(bikes_grid *g, const double *x, const double *y, size_t n, double cell)
{
    *g = (bikes_grid){0};
    if (!n)
        return 0;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        x0 = fmin(x0, x[k]), x1 = fmax(x1, x[k]);
        y0 = fmin(y0, y[k]), y1 = fmax(y1, y[k]);
    }
    while (((x1 - x0) / cell + 1) * ((y1 - y0) / cell + 1) > GRID_MAX_CELLS)
        cell *= 2;
    g->x0 = x0;
    g->y0 = y0;
    g->cell = cell;
    g->nx = (size_t)((x1 - x0) / cell) + 1;
    g->ny = (size_t)((y1 - y0) / cell) + 1;
    g->start = calloc(g->nx * g->ny + 1, sizeof *g->start);
    g->idx = malloc(n * sizeof *g->idx);
    size_t *fill = calloc(g->nx * g->ny, sizeof *fill);
    if (!g->start || !g->idx || !fill) {
        free(fill);
        bikes_grid_free(g);
        return STAD_ENOMEM;
    }
    for (size_t k = 0; k < n; k++)
        g->start[(size_t)((y[k] - y0) / cell) * g->nx + (size_t)((x[k] - x0) / cell) + 1]++;
    for (size_t c = 0; c < g->nx * g->ny; c++)
        g->start[c + 1] += g->start[c];
    for (size_t k = 0; k < n; k++) {
        size_t c = (size_t)((y[k] - y0) / cell) * g->nx + (size_t)((x[k] - x0) / cell);
        g->idx[g->start[c] + fill[c]++] = k;
    }
    free(fill);
    return 0;
}

void bikes_grid_free(bikes_grid *g)
{
    free(g->start);
    free(g->idx);
    *g = (bikes_grid){0};
}

/* Cell index range [*lo, *hi] along one axis covering a..b; 0 when empty. */
static int axis(double a, double b, double origin, double cell, size_t n, size_t *lo,
                size_t *hi)
{
    double l = floor((a - origin) / cell), h = floor((b - origin) / cell);
    if (!n || h < 0 || l >= (double)n)
        return 0;
    *lo = l < 0 ? 0 : (size_t)l;
    *hi = h >= (double)n ? n - 1 : (size_t)h;
    return 1;
}

int bikes_grid_cells(const bikes_grid *g, double xmin, double ymin, double xmax, double ymax,
                     size_t *cx0, size_t *cy0, size_t *cx1, size_t *cy1)
{
    return axis(xmin, xmax, g->x0, g->cell, g->nx, cx0, cx1) &&
           axis(ymin, ymax, g->y0, g->cell, g->ny, cy0, cy1);
}
