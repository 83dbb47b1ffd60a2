/* Where an unnamed segment is. A quarter of a network file's links (footpaths, service
 * roads, cycle tracks) carry no name, not even from the street lights, and "(voetpad)"
 * on a route sheet sends nobody anywhere; "(voetpad bij Vismarkt)" does. The named
 * segment nearest to it, within a walk of a minute or two, names the spot: nearest
 * between the two segments' ends and middles, so that a path meeting a street at a
 * junction is "bij" that street however long either is. */
#include <math.h>
#include <stdlib.h>

#include "bikes_internal.h"

int bikes_streets_find_near(stad_bikes_streets *st, double within_m)
{
    free(st->near);
    st->near = calloc(st->n ? st->n : 1, sizeof *st->near);
    if (!st->near)
        return STAD_ENOMEM;
    size_t nn = 0;
    for (size_t i = 0; i < st->n; i++)
        nn += st->name && st->name[i] && *st->name[i];
    if (!nn || nn == st->n)
        return 0;
    /* the named segments' ends and middles, and which segment each is */
    size_t np = 3 * nn;
    double *x = malloc(np * sizeof *x), *y = malloc(np * sizeof *y);
    size_t *seg = malloc(np * sizeof *seg);
    bikes_grid g = {0};
    int rc = 0;
    if (!x || !y || !seg) {
        rc = STAD_ENOMEM;
        goto done;
    }
    for (size_t i = 0, k = 0; i < st->n; i++)
        if (st->name[i] && *st->name[i]) {
            const double px[3] = {st->x0[i], st->x[i], st->x1[i]};
            const double py[3] = {st->y0[i], st->y[i], st->y1[i]};
            for (int e = 0; e < 3; e++, k++) {
                x[k] = px[e];
                y[k] = py[e];
                seg[k] = i;
            }
        }
    if ((rc = bikes_grid_build(&g, x, y, np, within_m)))
        goto done;
    for (size_t i = 0; i < st->n; i++) {
        if (st->name[i] && *st->name[i])
            continue;
        const double qx[3] = {st->x0[i], st->x[i], st->x1[i]};
        const double qy[3] = {st->y0[i], st->y[i], st->y1[i]};
        double best = within_m;
        for (int e = 0; e < 3; e++) {
            size_t cx0, cy0, cx1, cy1;
            if (!bikes_grid_cells(&g, qx[e] - within_m, qy[e] - within_m, qx[e] + within_m,
                                  qy[e] + within_m, &cx0, &cy0, &cx1, &cy1))
                continue;
            for (size_t cy = cy0; cy <= cy1; cy++)
                for (size_t cx = cx0; cx <= cx1; cx++) {
                    size_t c = cy * g.nx + cx;
                    for (size_t k = g.start[c]; k < g.start[c + 1]; k++) {
                        size_t q = g.idx[k];
                        double d = hypot(x[q] - qx[e], y[q] - qy[e]);
                        if (d < best) {
                            best = d;
                            st->near[i] = st->name[seg[q]];
                        }
                    }
                }
        }
    }
done:
    bikes_grid_free(&g);
    free(x);
    free(y);
    free(seg);
    return rc;
}
