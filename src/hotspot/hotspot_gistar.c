/* Getis-Ord Gi* on a grid with binary distance-band weights (self included):
 *   z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n W_i - W_i^2) / (n - 1)))
 * with xbar and S = sqrt(sum x^2 / n - xbar^2) over the n cells of the study area,
 * W_i = number of neighbours (binary weights, so sum w^2 = W_i). */
#include <math.h>
#include <stdlib.h>

#include "hotspot/hotspot_internal.h"

int stad_gi_star(stad_ctx *ctx, const stad_hotspot_grid *g, const double *value,
                 const unsigned char *mask, double distance, double *z)
{
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    if (!(distance >= 0))
        return stad_fail(ctx, STAD_EINVAL, "Gi*: distance must be >= 0");
    double sum = 0, sum2 = 0;
    size_t n = 0;
    for (size_t c = 0; c < nc; c++) {
        if (mask && !mask[c])
            continue;
        sum += value[c];
        sum2 += value[c] * value[c];
        n++;
    }
    if (n < 2)
        return stad_fail(ctx, STAD_EEMPTY, "Gi*: fewer than two cells to compare");
    double nn = (double)n, xbar = sum / nn;
    double var = sum2 / nn - xbar * xbar;
    if (!(var > 1e-12 * (xbar * xbar + 1)))
        return stad_fail(ctx, STAD_EEMPTY, "Gi*: all cells have the same count");
    double S = sqrt(var);

    /* The band as cell offsets; a small slack so a band of exactly one cell size
     * includes the four edge neighbours despite rounding. */
    int r = (int)floor(distance / g->cell + 1e-9);
    double lim = (distance / g->cell) * (distance / g->cell) + 1e-9;
    int *off = malloc(sizeof *off * 2 * (size_t)(2 * r + 1) * (size_t)(2 * r + 1));
    if (!off)
        return stad_fail(ctx, STAD_ENOMEM, "Gi*");
    size_t no = 0;
    for (int dj = -r; dj <= r; dj++)
        for (int di = -r; di <= r; di++)
            if ((double)(di * di + dj * dj) <= lim) {
                off[2 * no] = di;
                off[2 * no + 1] = dj;
                no++;
            }
    for (int j = 0; j < g->ny; j++) {
        for (int i = 0; i < g->nx; i++) {
            size_t c = (size_t)j * g->nx + i;
            if (mask && !mask[c]) {
                z[c] = NAN;
                continue;
            }
            double lsum = 0, W = 0;
            for (size_t k = 0; k < no; k++) {
                int ii = i + off[2 * k], jj = j + off[2 * k + 1];
                if (ii < 0 || jj < 0 || ii >= g->nx || jj >= g->ny)
                    continue;
                size_t cc = (size_t)jj * g->nx + ii;
                if (mask && !mask[cc])
                    continue;
                lsum += value[cc];
                W += 1;
            }
            double den = S * sqrt((nn * W - W * W) / (nn - 1));
            z[c] = den > 0 ? (lsum - xbar * W) / den : 0;
        }
    }
    free(off);
    return 0;
}
