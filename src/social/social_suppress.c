/* Threshold rule and secondary suppression. A table is published with its margins
 * (sums along each dimension), so the margin minus the published cells of a line gives
 * the sum of its suppressed cells. A lone suppressed cell would be recovered exactly,
 * and two small ones together would still reveal a group under the threshold; so a
 * line gets more suppressed cells until there are at least two and they hold at least
 * `threshold` units together (or no non-empty cell is left): the non-empty cell with
 * the fewest units, which costs the least information. Repeated until every line
 * passes. */
#include <stdlib.h>
#include <string.h>

#include "social_internal.h"

/* Number of lines through cell c, along dimensions other than `skip`, that hold
 * exactly one suppressed cell. */
static int lone_lines(const int64_t *units, const size_t *dims, const size_t *stride,
                      size_t ndim, const int *supp, size_t c, size_t skip)
{
    (void)units;
    int n = 0;
    for (size_t d = 0; d < ndim; d++) {
        if (d == skip)
            continue;
        size_t start = c - ((c / stride[d]) % dims[d]) * stride[d], cnt = 0;
        for (size_t k = 0; k < dims[d]; k++)
            cnt += supp[start + k * stride[d]] != 0;
        n += cnt == 1;
    }
    return n;
}

int stad_suppress(const int64_t *units, const size_t *dims, size_t ndim, int threshold,
                  int *supp)
{
    size_t total = 1;
    for (size_t d = 0; d < ndim; d++) {
        if (!dims[d])
            return STAD_EINVAL;
        total *= dims[d];
    }
    for (size_t i = 0; i < total; i++)
        supp[i] = units[i] > 0 && units[i] < threshold ? STAD_CELL_PRIMARY : STAD_CELL_PUBLISHED;
    size_t *stride = malloc((ndim ? ndim : 1) * sizeof *stride);
    if (!stride)
        return STAD_ENOMEM;
    for (size_t d = ndim; d-- > 0;)
        stride[d] = d + 1 == ndim ? 1 : stride[d + 1] * dims[d + 1];
    int changed = 1;
    while (changed) {
        changed = 0;
        for (size_t d = 0; d < ndim; d++) {
            /* every cell whose coordinate d is 0 starts a line along d */
            for (size_t start = 0; start < total; start++) {
                if ((start / stride[d]) % dims[d] != 0)
                    continue;
                size_t n_supp = 0, best = (size_t)-1;
                int64_t hidden = 0;
                int best_help = -1;
                for (size_t k = 0; k < dims[d]; k++) {
                    size_t c = start + k * stride[d];
                    if (supp[c]) {
                        n_supp++;
                        hidden += units[c];
                        continue;
                    }
                    if (units[c] <= 0)
                        continue;
                    /* Prefer a cell whose suppression also mends another line with a lone
                     * suppressed cell; then the smallest. Without this, suppressions
                     * cascade through every line of a table with several dimensions. */
                    int help = lone_lines(units, dims, stride, ndim, supp, c, d);
                    if (help > best_help || (help == best_help && units[c] < units[best])) {
                        best = c;
                        best_help = help;
                    }
                }
                int exposed = n_supp == 1 || (n_supp > 1 && hidden < threshold);
                if (exposed && best != (size_t)-1) {
                    supp[best] = STAD_CELL_SECONDARY;
                    changed = 1;
                }
            }
        }
    }
    free(stride);
    return 0;
}
