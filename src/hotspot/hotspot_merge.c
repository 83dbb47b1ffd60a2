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
