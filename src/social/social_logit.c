/* Logistic regression by Newton-Raphson (iteratively reweighted least squares) with a
 * Cholesky solve; standard errors from the inverse of the observed information. The
 * profile models have a handful of dummy variables, so p is small and dense algebra
 * is the simple and exact choice. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "social_internal.h"

/* In-place Cholesky of the p x p matrix a (lower triangle); -1 if not positive definite. */
static int cholesky(double *a, size_t p)
{
    for (size_t j = 0; j < p; j++) {
        double s = a[j * p + j];
        for (size_t k = 0; k < j; k++)
            s -= a[j * p + k] * a[j * p + k];
        if (!(s > 1e-12))
            return -1;
        a[j * p + j] = sqrt(s);
        for (size_t i = j + 1; i < p; i++) {
            double t = a[i * p + j];
            for (size_t k = 0; k < j; k++)
                t -= a[i * p + k] * a[j * p + k];
            a[i * p + j] = t / a[j * p + j];
        }
    }
    return 0;
}

/* Solves L L' x = b in place. */
static void chol_solve(const double *l, size_t p, double *b)
{
    for (size_t i = 0; i < p; i++) {
        double s = b[i];
        for (size_t k = 0; k < i; k++)
            s -= l[i * p + k] * b[k];
        b[i] = s / l[i * p + i];
    }
    for (size_t i = p; i-- > 0;) {
        double s = b[i];
        for (size_t k = i + 1; k < p; k++)
            s -= l[k * p + i] * b[k];
        b[i] = s / l[i * p + i];
    }
}

int stad_logit_fit(const double *X, const double *y, size_t n, size_t p, double *beta,
                   double *se)
{
    if (!n || !p)
        return STAD_EEMPTY;
    double *h = malloc(p * p * sizeof *h), *g = malloc(p * sizeof *g);
    if (!h || !g) {
        free(h);
        free(g);
        return STAD_ENOMEM;
    }
    memset(beta, 0, p * sizeof *beta);
    int rc = STAD_ERANGE;
    for (int it = 0; it < 100; it++) {
        memset(h, 0, p * p * sizeof *h);
        memset(g, 0, p * sizeof *g);
        for (size_t i = 0; i < n; i++) {
            const double *x = X + i * p;
            double eta = 0;
            for (size_t j = 0; j < p; j++)
                eta += x[j] * beta[j];
            double mu = 1 / (1 + exp(-eta)), w = mu * (1 - mu);
            for (size_t j = 0; j < p; j++) {
                g[j] += x[j] * (y[i] - mu);
                if (x[j] != 0)
                    for (size_t k = 0; k <= j; k++)
                        h[j * p + k] += w * x[j] * x[k];
            }
        }
        if (cholesky(h, p))
            break;
        chol_solve(h, p, g);
        double step = 0;
        for (size_t j = 0; j < p; j++) {
            beta[j] += g[j];
            step = fmax(step, fabs(g[j]));
        }
        if (!isfinite(step) || step > 1e6)
            break;
        if (step < 1e-10) {
            rc = 0;
            break;
        }
    }
    if (rc == 0) {
        /* h holds the Cholesky factor at the last beta (one step from convergence). */
        for (size_t j = 0; j < p; j++) {
            memset(g, 0, p * sizeof *g);
            g[j] = 1;
            chol_solve(h, p, g);
            se[j] = sqrt(g[j]);
        }
        for (size_t j = 0; j < p; j++)
            if (!isfinite(beta[j]) || fabs(beta[j]) > 30)
                rc = STAD_ERANGE; /* (quasi-)separation: a level with all or no successes */
    }
    free(h);
    free(g);
    return rc;
}
