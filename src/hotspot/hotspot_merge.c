/* Hot cells into hotspots: 8-connected components, so cells that touch at a corner
 * form one place on the map. */
#include <stdlib.h>

#include "hotspot/hotspot_internal.h"

long stad_hotspot_label(const stad_hotspot_grid *g, const unsigned char *hot,
                        int32_t *label)
{
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    size_t *stack = malloc((nc ? nc : 1) * sizeof *stack);
    if (!stack)
        return STAD_ENOMEM;
    for (size_t c = 0; c < nc; c++)
        label[c] = 0;
    int32_t k = 0;
    for (size_t c = 0; c < nc; c++) {
        if (!hot[c] || label[c])
            continue;
        label[c] = ++k;
        size_t top = 0;
        stack[top++] = c;
        /* Iterative flood fill: a recursive one could overflow on a large blob. */
        while (top) {
            size_t cur = stack[--top];
            int i = (int)(cur % (size_t)g->nx), j = (int)(cur / (size_t)g->nx);
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++) {
                    int ii = i + di, jj = j + dj;
                    if (ii < 0 || jj < 0 || ii >= g->nx || jj >= g->ny)
                        continue;
                    size_t cc = (size_t)jj * g->nx + ii;
                    if (hot[cc] && !label[cc]) {
                        label[cc] = k;
                        stack[top++] = cc;
                    }
                }
        }
    }
    free(stack);
    return k;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A hotspot must be a place a team can patrol. Where a whole district is hot (a city
 * centre with many events everywhere), the connected hot area is too big to act
 * on: such a component keeps only its cells above its median z, again and again,
 * until every part has at most max_cells cells. What remains are the cores of the
 * hot area. Components without any event (hot only through their neighbours) are
 * dropped: there is nothing to send a team to. */
long stad_hotspot_label_bounded(const stad_hotspot_grid *g, const double *z,
                                const double *count, unsigned char *hot, int32_t *label,
                                size_t max_cells)
{
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    double *zs = malloc((nc ? nc : 1) * sizeof *zs);
    size_t *size = NULL;
    double *events = NULL;
    if (!zs)
        return STAD_ENOMEM;
    long k;
    for (;;) {
        k = stad_hotspot_label(g, hot, label);
        if (k < 0)
            break;
        free(size);
        free(events);
        size = calloc((size_t)k + 1, sizeof *size);
        events = calloc((size_t)k + 1, sizeof *events);
        if (!size || !events) {
            k = STAD_ENOMEM;
            break;
        }
        for (size_t c = 0; c < nc; c++)
            if (label[c]) {
                size[label[c]]++;
                events[label[c]] += count[c];
            }
        int changed = 0;
        for (long l = 1; l <= k; l++) {
            if (events[l] <= 0) {
                for (size_t c = 0; c < nc; c++)
                    if (label[c] == l)
                        hot[c] = 0;
                changed = 1;
                continue;
            }
            if (max_cells == 0 || size[l] <= max_cells)
                continue;
            size_t n = 0;
            for (size_t c = 0; c < nc; c++)
                if (label[c] == l)
                    zs[n++] = z[c];
            qsort(zs, n, sizeof *zs, cmp_double);
            double median = zs[(n - 1) / 2];
            for (size_t c = 0; c < nc; c++)
                if (label[c] == l && z[c] <= median)
                    hot[c] = 0;
            changed = 1;
        }
        if (!changed)
            break;
    }
    free(zs);
    free(size);
    free(events);
    return k;
}
