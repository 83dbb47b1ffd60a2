/* Interval estimates for proportions: Wilson's score interval (good coverage also for
 * small n and rates near 0 or 1) and Newcombe's hybrid score interval for a difference
 * of two proportions (method 10 of Newcombe 1998), built from the two Wilson intervals. */
#include <math.h>

#include "social_internal.h"

void stad_wilson(int64_t k, int64_t n, double z, double *lo, double *hi)
{
    if (n <= 0 || k < 0 || k > n) {
        *lo = *hi = NAN;
        return;
    }
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double den = 1 + z2 / nn;
    double centre = (p + z2 / (2 * nn)) / den;
    double half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / den;
    *lo = fmax(0, centre - half);
    *hi = fmin(1, centre + half);
    if (k == 0)
        *lo = 0;
    if (k == n)
        *hi = 1;
}

void stad_newcombe(int64_t k1, int64_t n1, int64_t k2, int64_t n2, double z, double *lo,
                   double *hi)
{
    if (n1 <= 0 || n2 <= 0) {
        *lo = *hi = NAN;
        return;
    }
    double p1 = (double)k1 / (double)n1, p2 = (double)k2 / (double)n2, l1, u1, l2, u2;
    stad_wilson(k1, n1, z, &l1, &u1);
    stad_wilson(k2, n2, z, &l2, &u2);
    double d = p1 - p2;
    *lo = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    *hi = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
}
