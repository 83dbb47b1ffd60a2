/* Straight-line travel-cost matrices and the shared random number generator. */
#include <math.h>

#include "stad/route.h"

int stad_route_matrix_euclid(stad_ctx *ctx, size_t n, const double *x, const double *y,
                             double detour, double *d)
{
    if (!(detour >= 1) || !isfinite(detour))
        return stad_fail(ctx, STAD_EINVAL, "route: detour factor %g must be at least 1",
                         detour);
    for (size_t i = 0; i < n; i++) {
        d[i * n + i] = 0;
        for (size_t j = i + 1; j < n; j++) {
            double v = hypot(x[i] - x[j], y[i] - y[j]) * detour;
            d[i * n + j] = v;
            d[j * n + i] = v;
        }
    }
    return 0;
}

void stad_route_rng_seed(stad_route_rng *r, uint64_t seed)
{
    /* splitmix64 of the seed, so that seeds 1, 2, 3 give unrelated streams and
     * the state is never 0 (xorshift stays at 0 forever). */
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    r->s = z ? z : 0x2545f4914f6cdd1dULL;
}

uint64_t stad_route_rng_next(stad_route_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545f4914f6cdd1dULL;
}

double stad_route_rng_uniform(stad_route_rng *r)
{
    return (double)(stad_route_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
