/* Covariate model in the spirit of the Amsterdam police system: a ridge-regularised
 * Poisson regression of the events per cell in a window on per-cell features, fitted on
 * the windows of the year before the forecast (features of each training window from
 * the events before that window only). Features: counts at several lags, neighbour
 * rings, smoothed long-run counts, prospective-hotspot weights, days since the last
 * event nearby, point layers (street lights, containers: density and distance), area
 * figures and season. Zero-count training rows are subsampled with weights, so a
 * fit costs milliseconds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predict/predict_internal.h"
#include "stad/timeparse.h"

#define COV_TRAIN_WINDOWS 26 /* a year of two-week windows */
#define COV_MIN_WINDOWS 6
#define COV_MIN_POSITIVE 30
#define COV_ZERO_RATIO 4.0   /* zero rows kept per positive row */
#define COV_RIDGE 1.0
#define COV_NEWTON 100

enum {
    F_C14, F_C56, F_C182, F_C365, F_C730, F_RING1, F_RING2, F_SMOOTH1, F_SMOOTH2, F_PH,
    F_SINCE, F_SIN, F_COS, F_BASE_N
};

static const char *const base_names[F_BASE_N] = {
    "events in the cell, last 2 weeks", "events in the cell, 2-8 weeks ago",
    "events in the cell, 8-26 weeks ago", "events in the cell, 26-52 weeks ago",
    "events in the cell, 1-2 years ago", "events in the 8 neighbouring cells, last year",
    "events 2 cells away, last year", "2-year count smoothed over 1 cell",
    "2-year count smoothed over 2 cells", "recent events nearby (near-repeat)",
    "days since the last event within 1 cell", "season (sine)", "season (cosine)"};

static int setup_names(pm_run *r)
{
    if (r->nf)
        return 0;
    const stad_predict_data *d = r->d;
    int k = 0;
    for (; k < F_BASE_N; k++)
        r->fname[k] = base_names[k];
    for (size_t i = 0; i < d->n_layers && k + 2 <= PM_MAX_FEATURES; i++) {
        stad_strbuf b = STAD_STRBUF_INIT;
        stad_strbuf_printf(&b, "%s within 1 cell", d->layers[i].name);
        r->fname[k] = r->fname_own[k] = stad_strbuf_take(&b);
        k++;
        stad_strbuf_printf(&b, "distance to the nearest %s", d->layers[i].name);
        r->fname[k] = r->fname_own[k] = stad_strbuf_take(&b);
        k++;
        if (!r->fname[k - 1] || !r->fname[k - 2])
            return STAD_ENOMEM;
    }
    for (size_t i = 0; i < d->n_figures && k < PM_MAX_FEATURES; i++)
        r->fname[k++] = d->figures[i].name;
    r->nf = k;
    return 0;
}

/* Box sum over Chebyshev radius R (inclusive). */
static void box_sum(const stad_hotspot_grid *g, const double *in, int R, double *out)
{
    for (int row = 0; row < g->ny; row++)
        for (int col = 0; col < g->nx; col++) {
            double s = 0;
            for (int r = row - R; r <= row + R; r++) {
                if (r < 0 || r >= g->ny)
                    continue;
                for (int c = col - R; c <= col + R; c++)
                    if (c >= 0 && c < g->nx)
                        s += in[(size_t)r * g->nx + c];
            }
            out[(size_t)row * g->nx + col] = s;
        }
}

/* Features of the cell set at origin `at` (events before `at` only); cached. */
static const float *features(pm_run *r, int64_t at)
{
    for (size_t i = 0; i < r->n_cache; i++)
        if (r->cache[i].at == at)
            return r->cache[i].x;
    const stad_predict_data *d = r->d;
    const stad_hotspot_grid *g = &d->g;
    size_t nc = r->nc, n = r->ncells;
    int nf = r->nf;
    float *x = malloc(n * (size_t)nf * sizeof *x);
    double *a = calloc(nc, sizeof *a), *b = calloc(nc, sizeof *b), *c = malloc(nc * sizeof *c);
    if (!x || !a || !b || !c) {
        free(x);
        free(a);
        free(b);
        free(c);
        return NULL;
    }
    int64_t D = PD_DAY;
    static const int lag[6] = {0, 14, 56, 182, 365, 730};
    for (int k = 0; k < 5; k++) {
        memset(a, 0, nc * sizeof *a);
        pd_count(d, at - lag[k + 1] * D, at - lag[k] * D, a);
        for (size_t i = 0; i < n; i++)
            x[i * nf + F_C14 + k] = (float)log1p(a[r->cells[i]]);
    }
    /* rings over the last year */
    memset(a, 0, nc * sizeof *a);
    pd_count(d, at - 365 * D, at, a);
    box_sum(g, a, 1, b);
    box_sum(g, a, 2, c);
    for (size_t i = 0; i < n; i++) {
        size_t q = r->cells[i];
        x[i * nf + F_RING1] = (float)log1p(b[q] - a[q]);
        x[i * nf + F_RING2] = (float)log1p(c[q] - b[q]);
    }
    memset(a, 0, nc * sizeof *a);
    pd_count(d, at - 730 * D, at, a);
    pd_smooth(g, a, 1.0, b);
    pd_smooth(g, a, 2.0, c);
    for (size_t i = 0; i < n; i++) {
        x[i * nf + F_SMOOTH1] = (float)log1p(b[r->cells[i]]);
        x[i * nf + F_SMOOTH2] = (float)log1p(c[r->cells[i]]);
    }
    pd_prospective(d, at, 4, 8, a);
    for (size_t i = 0; i < n; i++)
        x[i * nf + F_PH] = (float)log1p(a[r->cells[i]]);
    /* days since the last event within one cell (730 when none) */
    for (size_t q = 0; q < nc; q++)
        a[q] = 730;
    size_t end = pd_index_at(d, at);
    for (size_t e = pd_index_at(d, at - 730 * D); e < end; e++) {
        if (d->c[e] < 0)
            continue;
        double days = (double)(at - d->t[e]) / D;
        int col = (int)(d->c[e] % g->nx), row = (int)(d->c[e] / g->nx);
        for (int rr = row - 1; rr <= row + 1; rr++)
            for (int cc = col - 1; cc <= col + 1; cc++)
                if (rr >= 0 && cc >= 0 && rr < g->ny && cc < g->nx &&
                    a[(size_t)rr * g->nx + cc] > days)
                    a[(size_t)rr * g->nx + cc] = days;
    }
    /* season of the window's middle */
    int y, m, dd;
    stad_civil_from_days((at + (int64_t)d->horizon_days * D / 2) / D, &y, &m, &dd);
    double doy = (double)(stad_days_from_civil(y, m, dd) - stad_days_from_civil(y, 1, 1));
    double ang = 2 * M_PI * doy / 365.25;
    for (size_t i = 0; i < n; i++) {
        x[i * nf + F_SINCE] = (float)log1p(a[r->cells[i]]);
        x[i * nf + F_SIN] = (float)sin(ang);
        x[i * nf + F_COS] = (float)cos(ang);
    }
    int k = F_BASE_N;
    for (size_t l = 0; l < d->n_layers && k + 2 <= nf; l++, k += 2)
        for (size_t i = 0; i < n; i++) {
            x[i * nf + k] = (float)log1p(d->layers[l].near[r->cells[i]]);
            x[i * nf + k + 1] = (float)log1p(d->layers[l].dist[r->cells[i]] / 100);
        }
    for (size_t f = 0; f < d->n_figures && k < nf; f++, k++)
        for (size_t i = 0; i < n; i++)
            x[i * nf + k] = (float)d->figures[f].value[r->cells[i]];
    free(a);
    free(b);
    free(c);
    if (r->n_cache == PM_CACHE) { /* drop the oldest origin */
        size_t old = 0;
        for (size_t i = 1; i < r->n_cache; i++)
            if (r->cache[i].at < r->cache[old].at)
                old = i;
        free(r->cache[old].x);
        r->cache[old] = r->cache[--r->n_cache];
    }
    r->cache[r->n_cache++] = (pm_cache_entry){at, x};
    return x;
}

/* A standardised value far outside the training range must not explode the rate. */
static double clampz(double z)
{
    return z < -6 ? -6 : z > 6 ? 6 : z;
}

/* A training row: cell i of training window k, its events y and weight w. */
typedef struct cov_row {
    int k;
    size_t i;
    double y, w;
} cov_row;

/* The linear predictor of a row; its standardised features into xs[1..nf] (xs[0] =
 * 1) when xs is not NULL. */
static double row_eta(const pm_run *r, const float *xr, int nf, const double *beta,
                      double *xs)
{
    double eta = beta[0];
    if (xs)
        xs[0] = 1;
    for (int f = 0; f < nf; f++) {
        double z = r->sd[f] > 0 ? clampz((xr[f] - r->mean[f]) / r->sd[f]) : 0;
        if (xs)
            xs[f + 1] = z;
        eta += beta[f + 1] * z;
    }
    return eta;
}

/* The ridge-penalised Poisson log-likelihood (the intercept unpenalised) that the fit
 * maximises; rates are capped at e^30 as in the fit. */
static double objective(const pm_run *r, const float *const *X, const cov_row *rows,
                        size_t nr, int nf, const double *beta)
{
    double ll = 0;
    for (size_t q = 0; q < nr; q++) {
        double eta = fmin(row_eta(r, X[rows[q].k] + rows[q].i * nf, nf, beta, NULL), 30);
        ll += rows[q].w * (rows[q].y * eta - exp(eta));
    }
    for (int a = 1; a <= nf; a++)
        ll -= 0.5 * COV_RIDGE * beta[a] * beta[a];
    return ll;
}

/* Cholesky solve of the p x p system A z = b (A overwritten); -1 if not positive. */
static int chol_solve(double *A, double *b, int p)
{
    for (int j = 0; j < p; j++) {
        double s = A[j * p + j];
        for (int k = 0; k < j; k++)
            s -= A[j * p + k] * A[j * p + k];
        if (!(s > 0))
            return -1;
        A[j * p + j] = sqrt(s);
        for (int i = j + 1; i < p; i++) {
            double t = A[i * p + j];
            for (int k = 0; k < j; k++)
                t -= A[i * p + k] * A[j * p + k];
            A[i * p + j] = t / A[j * p + j];
        }
    }
    for (int i = 0; i < p; i++) {
        double t = b[i];
        for (int k = 0; k < i; k++)
            t -= A[i * p + k] * b[k];
        b[i] = t / A[i * p + i];
    }
    for (int i = p - 1; i >= 0; i--) {
        double t = b[i];
        for (int k = i + 1; k < p; k++)
            t -= A[k * p + i] * b[k];
        b[i] = t / A[i * p + i];
    }
    return 0;
}

/* Deterministic keep/drop of a zero row: a hash of (cell, window). */
static double hash01(size_t cell, int64_t at)
{
    uint64_t h = (uint64_t)cell * 0x9E3779B97F4A7C15ULL ^ (uint64_t)at * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 29;
    return (double)(h >> 11) / 9007199254740992.0;
}

int pm_covariate(pm_run *r, int64_t at, double *risk)
{
    const stad_predict_data *d = r->d;
    if (setup_names(r))
        return stad_fail(r->ctx, STAD_ENOMEM, "covariate model");
    int nf = r->nf, p = nf + 1;
    int64_t H = (int64_t)d->horizon_days * PD_DAY;
    size_t n = r->ncells;
    /* training windows: whole windows before `at` with a year of history before them */
    int64_t first = d->t[0];
    int K = 0;
    int64_t origins[COV_TRAIN_WINDOWS];
    for (int k = 1; k <= COV_TRAIN_WINDOWS; k++) {
        int64_t o = at - k * H;
        if (o - 365 * (int64_t)PD_DAY < first)
            break;
        origins[K++] = o;
    }
    double *y = malloc(r->nc * sizeof *y);
    if (!y)
        return stad_fail(r->ctx, STAD_ENOMEM, "covariate model");
    /* rows: (window, cell index in the set) with weight */
    size_t cap = 1024, nr = 0, npos = 0;
    cov_row *rows = malloc(cap * sizeof *rows);
    int rc = rows ? 0 : STAD_ENOMEM;
    double nzero_all = 0;
    for (int k = 0; k < K && !rc; k++) {
        memset(y, 0, r->nc * sizeof *y);
        pd_count(d, origins[k], origins[k] + H, y);
        for (size_t i = 0; i < n; i++)
            if (y[r->cells[i]] > 0)
                npos++;
            else
                nzero_all++;
    }
    if (!rc && (K < COV_MIN_WINDOWS || npos < COV_MIN_POSITIVE)) {
        free(y);
        free(rows);
        char a[16];
        stad_date_format(at, a, sizeof a);
        return stad_fail(r->ctx, STAD_EEMPTY,
                         "covariate: too little history before %s to fit the regression (%d "
                         "windows with a year of history, %zu cell-windows with events; need %d "
                         "and %d): used longrun instead",
                         a, K, npos, COV_MIN_WINDOWS, COV_MIN_POSITIVE);
    }
    double ymax = 0;
    double keep = nzero_all > 0 ? fmin(1.0, COV_ZERO_RATIO * (double)npos / nzero_all) : 1;
    for (int k = 0; k < K && !rc; k++) {
        memset(y, 0, r->nc * sizeof *y);
        pd_count(d, origins[k], origins[k] + H, y);
        for (size_t i = 0; i < n; i++) {
            double v = y[r->cells[i]];
            double w = 1;
            ymax = fmax(ymax, v);
            if (v == 0) {
                if (hash01(r->cells[i], origins[k]) >= keep)
                    continue;
                w = 1 / keep;
            }
            if (nr == cap) {
                cap *= 2;
                cov_row *nrw = realloc(rows, cap * sizeof *rows);
                if (!nrw) {
                    rc = STAD_ENOMEM;
                    break;
                }
                rows = nrw;
            }
            rows[nr++] = (cov_row){k, i, v, w};
        }
    }
    const float **X = calloc((size_t)K + 1, sizeof *X);
    if (!rc && !X)
        rc = STAD_ENOMEM;
    for (int k = 0; k < K && !rc; k++)
        if (!(X[k] = features(r, origins[k])))
            rc = STAD_ENOMEM;
    const float *Xat = rc ? NULL : features(r, at);
    if (!rc && !Xat)
        rc = STAD_ENOMEM;
    double *A = malloc((size_t)p * p * sizeof *A), *g = malloc((size_t)p * sizeof *g),
           *z = malloc((size_t)p * sizeof *z);
    if (!rc && (!A || !g || !z))
        rc = STAD_ENOMEM;
    if (rc) {
        free(y);
        free(rows);
        free(X);
        free(A);
        free(g);
        free(z);
        return stad_fail(r->ctx, STAD_ENOMEM, "covariate model");
    }
    /* standardise on the training rows */
    double sw = 0, sy = 0;
    for (int f = 0; f < nf; f++)
        r->mean[f] = r->sd[f] = 0;
    for (size_t q = 0; q < nr; q++) {
        const float *xr = X[rows[q].k] + rows[q].i * nf;
        sw += rows[q].w;
        sy += rows[q].w * rows[q].y;
        for (int f = 0; f < nf; f++)
            r->mean[f] += rows[q].w * xr[f];
    }
    for (int f = 0; f < nf; f++)
        r->mean[f] /= sw;
    for (size_t q = 0; q < nr; q++) {
        const float *xr = X[rows[q].k] + rows[q].i * nf;
        for (int f = 0; f < nf; f++) {
            double dv = xr[f] - r->mean[f];
            r->sd[f] += rows[q].w * dv * dv;
        }
    }
    for (int f = 0; f < nf; f++) {
        r->sd[f] = sqrt(r->sd[f] / sw);
        if (!(r->sd[f] > 1e-9))
            r->sd[f] = 0; /* constant: left out */
    }
    /* a cold start every time: a fit started from the last one would make a forecast
     * depend on which forecasts (and methods: the ensemble fits this model too) came
     * before it in the same run */
    double *beta = r->beta;
    memset(beta, 0, sizeof r->beta);
    beta[0] = log(fmax(sy / sw, 1e-6));
    /* Newton's method with a backtracking line search: the objective is concave, so
     * this climbs to its one maximum from any start; a full Newton step from the
     * cold start overshoots (the rates are exponential). */
    double *xs = malloc((size_t)p * sizeof *xs), *cand = malloc((size_t)p * sizeof *cand);
    const float *const *Xc = (const float *const *)X;
    double fval = objective(r, Xc, rows, nr, nf, beta);
    for (int it = 0; it < COV_NEWTON && xs && cand; it++) {
        memset(A, 0, (size_t)p * p * sizeof *A);
        memset(g, 0, (size_t)p * sizeof *g);
        for (size_t q = 0; q < nr; q++) {
            double eta = row_eta(r, X[rows[q].k] + rows[q].i * nf, nf, beta, xs);
            double mu = exp(fmin(eta, 30)), w = rows[q].w;
            for (int a = 0; a < p; a++) {
                g[a] += w * (rows[q].y - mu) * xs[a];
                double wm = w * mu * xs[a];
                for (int b = 0; b <= a; b++)
                    A[a * p + b] += wm * xs[b];
            }
        }
        for (int a = 0; a < p; a++)
            for (int b = a + 1; b < p; b++)
                A[a * p + b] = A[b * p + a];
        for (int a = 1; a < p; a++) {
            A[a * p + a] += COV_RIDGE;
            g[a] -= COV_RIDGE * beta[a];
            if (r->sd[a - 1] == 0) { /* keep a constant feature's weight at 0 */
                for (int b = 0; b < p; b++)
                    A[a * p + b] = A[b * p + a] = 0;
                A[a * p + a] = 1;
                g[a] = -beta[a];
            }
        }
        memcpy(z, g, (size_t)p * sizeof *z);
        if (chol_solve(A, z, p))
            break;
        double slope = 0, zmax = 0;
        for (int a = 0; a < p; a++) {
            slope += g[a] * z[a];
            zmax = fmax(zmax, fabs(z[a]));
        }
        /* halve the step until the objective rises enough (Armijo) */
        double t = 1, fc = -INFINITY;
        for (; t > 1e-10; t /= 2) {
            for (int a = 0; a < p; a++)
                cand[a] = beta[a] + t * z[a];
            fc = objective(r, Xc, rows, nr, nf, cand);
            if (fc >= fval + 1e-4 * t * slope)
                break;
        }
        if (!(t > 1e-10))
            break; /* no step improves: at the maximum to the precision at hand */
        memcpy(beta, cand, (size_t)p * sizeof *beta);
        fval = fc;
        if (t * zmax < 1e-7)
            break;
    }
    free(cand);
    free(xs);
    r->has_beta = 1;
    /* no cell is forecast above twice the most any cell had in a training window: where
     * the fit extrapolates (a feature beyond its training range) the rate stays sane */
    double eta_max = log(2 * ymax + 1);
    memset(risk, 0, r->nc * sizeof *risk);
    for (size_t i = 0; i < n; i++) {
        const float *xr = Xat + i * nf;
        double eta = beta[0];
        for (int f = 0; f < nf; f++)
            if (r->sd[f] > 0)
                eta += beta[f + 1] * clampz((xr[f] - r->mean[f]) / r->sd[f]);
        risk[r->cells[i]] = exp(fmin(eta, eta_max));
    }
    free(y);
    free(rows);
    free(X);
    free(A);
    free(g);
    free(z);
    return 0;
}

size_t pm_coef(const pm_run *r, const char ***names, const double **coef)
{
    if (!r->has_beta)
        return 0;
    *names = (const char **)r->fname;
    *coef = r->beta + 1;
    return (size_t)r->nf;
}

size_t pm_top_reasons(pm_run *r, int64_t at, size_t cell, size_t k, int *feat, double *contrib)
{
    if (!r->has_beta)
        return 0;
    const float *X = features(r, at);
    if (!X)
        return 0;
    size_t i = 0;
    while (i < r->ncells && r->cells[i] != cell)
        i++;
    if (i == r->ncells)
        return 0;
    size_t m = 0;
    for (int f = 0; f < r->nf; f++) {
        if (r->sd[f] == 0 || f == F_SIN || f == F_COS)
            continue;
        /* clamped as in the fit and the forecast: the reason names what the model used,
         * not the raw distance from the training mean (that gave factors like x99) */
        double c = r->beta[f + 1] * clampz((X[i * r->nf + f] - r->mean[f]) / r->sd[f]);
        /* insert into the top-k list by contribution */
        size_t pos = m < k ? m++ : k;
        while (pos > 0 && contrib[pos - 1] < c) {
            if (pos < k) {
                contrib[pos] = contrib[pos - 1];
                feat[pos] = feat[pos - 1];
            }
            pos--;
        }
        if (pos < k) {
            contrib[pos] = c;
            feat[pos] = f;
        }
    }
    return m;
}

const char *pm_feature_words(const pm_run *r, int f, int positive)
{
    (void)positive;
    return f >= 0 && f < r->nf ? r->fname[f] : "";
}
