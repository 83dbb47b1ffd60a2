/* Benjamini-Hochberg false-discovery-rate control. */
#include <math.h>
#include <stdlib.h>

#include "hotspot/hotspot_internal.h"

typedef struct pidx {
    double p;
    size_t i;
} pidx;

static int cmp_p(const void *a, const void *b)
{
    const pidx *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

long stad_hotspot_fdr(const double *p, size_t n, double q, double *qvalue,
                      unsigned char *reject)
{
    pidx *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return STAD_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (qvalue)
            qvalue[i] = NAN;
        if (reject)
            reject[i] = 0;
        if (!isnan(p[i]))
            v[m++] = (pidx){p[i], i};
    }
    qsort(v, m, sizeof *v, cmp_p);
    /* q_(k) = min over j >= k of m p_(j) / j: a step-up procedure, so one pass from
     * the largest p-value down. */
    double run = 1.0;
    long nrej = 0;
    for (size_t k = m; k-- > 0;) {
        double adj = v[k].p * (double)m / (double)(k + 1);
        if (adj < run)
            run = adj;
        if (qvalue)
            qvalue[v[k].i] = run;
        if (run <= q) {
            nrej++;
            if (reject)
                reject[v[k].i] = 1;
        }
    }
    free(v);
    return nrej;
}
