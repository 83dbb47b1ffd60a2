/* Ranking cells by risk with the protocol's fixed tie order: the higher cell index first
 * (north before south, east before west within a row). That is the order in which
 * open_cp's evaluation ends up taking tied cells; with it our count-365 and prospective
 * hotspotting reproduce the reference figures of PROTOCOL.md to 0.2 points. */
#include <stdlib.h>

#include "predict/predict_internal.h"

typedef struct rk {
    double risk;
    size_t cell;
} rk;

static int cmp_rk(const void *a, const void *b)
{
    const rk *p = a, *q = b;
    if (p->risk != q->risk)
        return p->risk > q->risk ? -1 : 1;
    return p->cell > q->cell ? -1 : p->cell < q->cell;
}

int pm_sort_cells(size_t *cells, size_t n, const double *risk)
{
    rk *v = malloc((n + 1) * sizeof *v);
    if (!v)
        return STAD_ENOMEM;
    for (size_t i = 0; i < n; i++)
        /* NaN would break the order: treat as no risk */
        v[i] = (rk){risk[cells[i]] == risk[cells[i]] ? risk[cells[i]] : -1e300, cells[i]};
    qsort(v, n, sizeof *v, cmp_rk);
    for (size_t i = 0; i < n; i++)
        cells[i] = v[i].cell;
    free(v);
    return 0;
}
