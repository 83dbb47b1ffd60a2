/* Exact conditional test of two Poisson rates: given the total, the count of the
 * first period is binomial. Used for "change against the previous period" so that a
 * jump from 3 to 6 is not sold as a trend. */
#include <math.h>

#include "hotspot/hotspot_internal.h"

static double log_binom_pmf(int64_t k, int64_t n, double lw, double l1w)
{
    double kk = (double)k, nn = (double)n;
    return lgamma(nn + 1) - lgamma(kk + 1) - lgamma(nn - kk + 1) + kk * lw + (nn - kk) * l1w;
}

double stad_hotspot_rate_p(int64_t a, int64_t b, double w)
{
    if (a < 0 || b < 0 || !(w > 0 && w < 1))
        return NAN;
    int64_t n = a + b;
    if (n == 0)
        return 1.0;
    double lw = log(w), l1w = log1p(-w);
    double la = log_binom_pmf(a, n, lw, l1w);
    /* Two-sided by the "probability no larger than observed" rule (as in exact
     * binomial tests), with slack for rounding in lgamma. Outcomes far in the tails
     * underflow to 0, which is what they are at double precision. */
    double limit = la + 1e-7;
    double p = 0;
    for (int64_t k = 0; k <= n; k++) {
        double lk = log_binom_pmf(k, n, lw, l1w);
        if (lk <= limit)
            p += exp(lk);
    }
    return p > 1 ? 1 : p;
}
