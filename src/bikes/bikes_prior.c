/* The yield model's prior: how many items a metre of street gathers per day before
 * the street itself has been seen. City-wide by the method of moments over the
 * visited streets; with enough of them, a Poisson regression on what the city knows
 * of every street beforehand (its cyclist count, and a hint such as bike thefts
 * nearby), so that a never-visited busy street near many thefts is expected to
 * yield more than a quiet one. The regression learns its slopes from the campaign
 * results; nothing about how items arise is assumed beyond "log-linear". Before
 * there are enough results (a city's first campaign day) the slopes are the theme's
 * cold-start elasticity: without it the first plan would rank streets by length
 * alone and send the team along ring roads and rural lanes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bikes/bikes_internal.h"

/* Slopes are shrunk towards 0 with this weight (a normal prior of sd 1 on each
 * slope in counts' log-likelihood units): negligible with data, and a covariate
 * that does not vary gets slope 0 instead of a singular system. */
#define SLOPE_PENALTY 1.0
#define MIN_STREETS_REGRESSION 20

/* Solves the k x k system H d = g (k <= 3) by Gaussian elimination with pivoting;
 * 0 when singular. */
static int solve(int k, double H[3][3], double g[3], double d[3])
{
    double a[3][4];
    for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++)
            a[i][j] = H[i][j];
        a[i][k] = g[i];
    }
    for (int c = 0; c < k; c++) {
        int p = c;
        for (int r = c + 1; r < k; r++)
            if (fabs(a[r][c]) > fabs(a[p][c]))
                p = r;
        if (!(fabs(a[p][c]) > 1e-300))
            return 0;
        for (int j = 0; j <= k; j++) {
            double t = a[c][j];
            a[c][j] = a[p][j];
            a[p][j] = t;
        }
        for (int r = 0; r < k; r++)
            if (r != c) {
                double f = a[r][c] / a[c][c];
                for (int j = c; j <= k; j++)
                    a[r][j] -= f * a[c][j];
            }
    }
    for (int i = 0; i < k; i++)
        d[i] = a[i][k] / a[i][i];
    return 1;
}

static double loglik(size_t n, const double *R, const double *E, const double *c1,
                     const double *c2, int k, const double b[3])
{
    double l = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(E[i] > 0))
            continue;
        double eta = b[0] + b[1] * c1[i] + (k > 2 ? b[2] * c2[i] : 0);
        l += R[i] * eta - E[i] * exp(eta);
    }
    return l - 0.5 * SLOPE_PENALTY * (b[1] * b[1] + (k > 2 ? b[2] * b[2] : 0));
}

/* The log(1 + count) a street's cyclists or hint enter the prior with; 0 without
 * that count. */
static double log_count(const double *v, size_t i)
{
    return v ? log1p(v[i] > 0 ? v[i] : 0) : 0;
}

/* Street rates proportional to ((1 + cyclists) (1 + hint))^e, scaled so that the
 * city as a whole still gathers m per metre-day (the items move to the busy streets,
 * their number stays), and kept within 100x of m either way. */
static void cold_start(const stad_bikes_streets *st, double m, double e, bikes_prior *out)
{
    size_t n = st->n;
    double sw = 0, sl = 0;
    for (size_t i = 0; i < n; i++) {
        out->rate[i] = exp(e * (log_count(st->traffic, i) + log_count(st->hint, i)));
        sw += st->length[i] * out->rate[i];
        sl += st->length[i];
    }
    double scale = sw > 0 ? m * sl / sw : 0;
    for (size_t i = 0; i < n; i++) {
        double r = scale > 0 ? out->rate[i] * scale : m;
        out->rate[i] = r < m / 100 ? m / 100 : r > m * 100 ? m * 100 : r;
    }
    out->slope_traffic = e;
    out->slope_hint = st->hint ? e : 0;
}

void bikes_prior_fit(const stad_bikes_streets *st, const double *R, const double *E,
                     double fallback_rate, double cold_elasticity, bikes_prior *out)
{
    size_t n = st->n, nv = 0;
    double sR = 0, sE = 0;
    for (size_t i = 0; i < n; i++)
        if (E[i] > 0) {
            sR += R[i];
            sE += E[i];
            nv++;
        }
    out->n_visited = nv;
    out->slope_traffic = out->slope_hint = 0;
    out->alpha = 0.5;
    int have_rate = nv >= 5 && sR > 0;
    double m = have_rate ? sR / sE : fallback_rate;
    out->city_rate = m;
    for (size_t i = 0; i < n; i++)
        out->rate[i] = m;
    if (nv < MIN_STREETS_REGRESSION && cold_elasticity > 0 && m > 0)
        cold_start(st, m, cold_elasticity, out);
    if (!have_rate)
        return;
    /* centred covariates: log(1 + cyclists), log(1 + hint) */
    double *c1 = malloc(n * sizeof *c1), *c2 = malloc(n * sizeof *c2);
    if (nv >= MIN_STREETS_REGRESSION && c1 && c2) {
        double m1 = 0, m2 = 0;
        for (size_t i = 0; i < n; i++) {
            c1[i] = log_count(st->traffic, i);
            c2[i] = log_count(st->hint, i);
            if (E[i] > 0)
                m1 += c1[i] / (double)nv, m2 += c2[i] / (double)nv;
        }
        for (size_t i = 0; i < n; i++)
            c1[i] -= m1, c2[i] -= m2;
        int k = st->hint ? 3 : 2;
        double b[3] = {log(m), 0, 0};
        double l = loglik(n, R, E, c1, c2, k, b);
        for (int it = 0; it < 50; it++) {
            double H[3][3] = {{0}}, g[3] = {0}, d[3];
            for (size_t i = 0; i < n; i++) {
                if (!(E[i] > 0))
                    continue;
                double x[3] = {1, c1[i], c2[i]};
                double mu = E[i] * exp(b[0] + b[1] * c1[i] + (k > 2 ? b[2] * c2[i] : 0));
                for (int p = 0; p < k; p++) {
                    g[p] += (R[i] - mu) * x[p];
                    for (int q = 0; q < k; q++)
                        H[p][q] += mu * x[p] * x[q];
                }
            }
            for (int p = 1; p < k; p++) {
                g[p] -= SLOPE_PENALTY * b[p];
                H[p][p] += SLOPE_PENALTY;
            }
            if (!solve(k, H, g, d))
                break;
            /* Newton step, halved until the penalised likelihood does not fall */
            double step = 1, nb[3] = {0}, nl = -INFINITY;
            for (int h = 0; h < 30; h++, step /= 2) {
                for (int p = 0; p < k; p++)
                    nb[p] = b[p] + step * d[p];
                nl = loglik(n, R, E, c1, c2, k, nb);
                if (nl >= l - 1e-12)
                    break;
            }
            if (!(nl >= l - 1e-12))
                break;
            double moved = 0;
            for (int p = 0; p < k; p++) {
                moved += fabs(nb[p] - b[p]);
                b[p] = nb[p];
            }
            l = nl;
            if (moved < 1e-10)
                break;
        }
        out->slope_traffic = b[1];
        out->slope_hint = k > 2 ? b[2] : 0;
        /* clamped: a street far outside the visited ones' range is not extrapolated
         * beyond 100x the city-wide rate either way */
        for (size_t i = 0; i < n; i++) {
            double r = exp(b[0] + b[1] * c1[i] + (k > 2 ? b[2] * c2[i] : 0));
            out->rate[i] = r < m / 100 ? m / 100 : r > m * 100 ? m * 100 : r;
        }
    }
    free(c1);
    free(c2);
    /* Spread of the street rates around their prior means beyond Poisson noise, as a
     * relative variance 1/alpha: sum E (r - m_i)^2 / m_i minus the Poisson part (one
     * per street), over sum E m_i. With one city-wide m this is the plain method of
     * moments, (V - m nv / sum E) / m^2. */
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++)
        if (E[i] > 0) {
            double mi = out->rate[i], r = R[i] / E[i];
            num += E[i] * (r - mi) * (r - mi) / mi;
            den += E[i] * mi;
        }
    double vrel = (num - (double)nv) / den;
    double alpha = vrel > 0 ? 1 / vrel : 100;
    out->alpha = alpha < 0.05 ? 0.05 : alpha > 100 ? 100 : alpha;
}
