/* The expected-yield model: items (orphan bikes) that accumulate on a street at an
 * unknown rate, found when the street is labelled and removed after the waiting
 * period. Per street the rate has a gamma prior proportional to the street's length,
 * whose mean and spread are fitted by empirical Bayes (method of moments over the
 * visited streets), so a street seen once is pulled towards the city-wide rate as far
 * as its little evidence deserves. Evidence is weighted by recency (a half-life), and
 * complaints add pseudo-items. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bikes/bikes_internal.h"

/* Merge sort of indexes (no global state: qsort's comparator cannot take the
 * observations, and a static pointer would not be thread safe). */
static int before(const stad_bikes_obs *o, size_t a, size_t b)
{
    const stad_bikes_visit *x = &o->visits[a], *y = &o->visits[b];
    if (x->street != y->street)
        return x->street < y->street;
    if (x->t != y->t)
        return x->t < y->t;
    if (x->action != y->action)
        return x->action < y->action;
    return a < b;
}

size_t *bikes_visit_order(const stad_bikes_obs *o)
{
    size_t n = o->n_visits;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!idx || !tmp) {
        free(idx);
        free(tmp);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = before(o, idx[j], idx[i]) ? idx[j++] : idx[i++];
            while (i < mid)
                tmp[k++] = idx[i++];
            while (j < hi)
                tmp[k++] = idx[j++];
        }
        size_t *sw = idx;
        idx = tmp;
        tmp = sw;
    }
    free(tmp);
    return idx;
}

double bikes_service_s(const stad_bikes_theme *t, double length_m, double labels,
                       double removals)
{
    return t->service_street_s + length_m / (t->walk_kmh / 3.6) + labels * t->service_label_s +
           removals * t->service_removal_s;
}

double stad_bikes_decay(const stad_bikes_theme *t, double age_days)
{
    if (age_days <= 0)
        return 1;
    return pow(0.5, age_days / t->half_life_days);
}

/* The standard normal quantile by bisection on erfc. */
static double normal_quantile(double p)
{
    double lo = -10, hi = 10;
    for (int i = 0; i < 80; i++) {
        double mid = 0.5 * (lo + hi);
        double cdf = 0.5 * erfc(-mid / sqrt(2));
        if (cdf < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Wilson-Hilferty's cube-root normal approximation at the normal quantile z. */
static double gamma_quantile_z(double shape, double rate, double z)
{
    if (!(shape > 0) || !(rate > 0))
        return 0;
    double c = 1.0 / (9.0 * shape);
    double w = 1 - c + z * sqrt(c);
    double q = w > 0 ? shape * w * w * w : 0;
    return q / rate;
}

double stad_bikes_gamma_quantile(double shape, double rate, double p)
{
    if (!(shape > 0) || !(rate > 0))
        return 0;
    return gamma_quantile_z(shape, rate, normal_quantile(p));
}

void stad_bikes_yield_free(stad_bikes_yield *y)
{
    if (!y)
        return;
    free(y->rate);
    free(y->alpha);
    free(y->beta);
    free(y->mean);
    free(y->lo);
    free(y->hi);
    free(y->last_label);
    free(y->outstanding);
    free(y->labelled_t);
    free(y->prior_rate_per_m);
    free(y->labels);
    free(y);
}

/* One labelling visit with what it found: removals at its follow-up, or while that
 * is pending the labels times the removal share. */
typedef struct found {
    size_t street;
    int64_t t;
    double exposure; /* days */
    double items;
    int pending;
    int labels;
} found;

/* Bikes in daily use that a labelling visit labels too: per completed visit, the
 * labels that were not removed at the follow-up (a visit that placed no label saw
 * none). They do not accumulate, so the unit is the visit: a gamma-Poisson model per
 * street whose prior mean is a log-linear regression on the street's cyclists and
 * hint over the streets with completed visits (the yield prior's fit, with visits as
 * exposure). Writes the posterior mean per visit into y->labels; 1 when fitted, 0
 * when fewer than 5 streets have completed visits (y->labels left 0), -1 out of
 * memory. */
static int fit_in_use(const stad_bikes_streets *st, const found *fd, size_t nf,
                      stad_bikes_yield *y)
{
    size_t n = st->n;
    double *U = calloc(n, sizeof *U), *V = calloc(n, sizeof *V), *mu = malloc(n * sizeof *mu);
    if (!U || !V || !mu) {
        free(U);
        free(V);
        free(mu);
        return -1;
    }
    for (size_t i = 0; i < nf; i++) {
        if (fd[i].pending)
            continue;
        double u = fd[i].labels - fd[i].items;
        U[fd[i].street] += u > 0 ? u : 0;
        V[fd[i].street] += 1;
    }
    bikes_prior pr = {.rate = mu};
    bikes_prior_fit(st, U, V, 0, 0, &pr);
    int ok = pr.n_visited >= 5;
    y->in_use_alpha = ok ? pr.alpha : 0;
    for (size_t i = 0; ok && i < n; i++) {
        /* nothing in use seen anywhere: the street's own record, which is 0 */
        y->labels[i] = mu[i] > 0 ? (pr.alpha + U[i]) / (pr.alpha / mu[i] + V[i])
                       : V[i] > 0 ? U[i] / V[i] : 0;
    }
    free(U);
    free(V);
    free(mu);
    return ok;
}

int stad_bikes_yield_fit(stad_ctx *ctx, const stad_bikes_theme *t,
                         const stad_bikes_streets *st, const stad_bikes_obs *o,
                         int64_t date, stad_bikes_yield **out)
{
    *out = NULL;
    size_t n = st->n;
    stad_bikes_yield *y = calloc(1, sizeof *y);
    size_t *order = bikes_visit_order(o);
    found *fd = malloc((o->n_visits ? o->n_visits : 1) * sizeof *fd);
    if (!y || !order || !fd)
        goto oom;
    y->n = n;
    y->date = date;
    y->rate = calloc(n, sizeof(double));
    y->alpha = calloc(n, sizeof(double));
    y->beta = calloc(n, sizeof(double));
    y->mean = calloc(n, sizeof(double));
    y->lo = calloc(n, sizeof(double));
    y->hi = calloc(n, sizeof(double));
    y->last_label = malloc(n * sizeof *y->last_label);
    y->outstanding = calloc(n, sizeof *y->outstanding);
    y->labelled_t = calloc(n, sizeof *y->labelled_t);
    y->labels = calloc(n, sizeof *y->labels);
    if (!y->rate || !y->alpha || !y->beta || !y->mean || !y->lo || !y->hi ||
        !y->last_label || !y->outstanding || !y->labelled_t || !y->labels)
        goto oom;
    for (size_t i = 0; i < n; i++)
        y->last_label[i] = INT64_MIN;

    /* Pass 1: pair each labelling with its follow-up; the removal share. */
    size_t nf = 0;
    double sum_removed = 0, sum_labels = 0;
    const double cap = t->max_exposure_days;
    for (size_t a = 0; a < o->n_visits;) {
        size_t s = o->visits[order[a]].street;
        size_t b = a;
        while (b < o->n_visits && o->visits[order[b]].street == s)
            b++;
        long open = -1; /* index in fd of the labelling awaiting its follow-up */
        int64_t prev = INT64_MIN;
        for (size_t k = a; k < b; k++) {
            const stad_bikes_visit *v = &o->visits[order[k]];
            if (v->t >= date || s >= n)
                continue;
            if (v->action == STAD_BIKES_LABEL) {
                double e = prev == INT64_MIN ? cap : (double)(v->t - prev) / 86400.0;
                fd[nf] = (found){s, v->t, e < cap ? e : cap, 0, 1, v->labels};
                if (v->labels > 0) {
                    open = (long)nf; /* an open earlier labelling is carried on by this one */
                } else {
                    fd[nf].pending = 0;
                }
                nf++;
                prev = v->t;
                y->last_label[s] = v->t;
            } else if (open >= 0) {
                fd[open].items = v->removed;
                fd[open].pending = 0;
                sum_removed += v->removed;
                sum_labels += fd[open].labels;
                open = -1;
            }
        }
        if (open >= 0 && s < n) {
            y->outstanding[s] = fd[open].labels;
            y->labelled_t[s] = fd[open].t;
        }
        a = b;
    }
    /* Shrink the share towards the theme's value with the weight of 10 labels. */
    y->removal_share = (sum_removed + 10 * t->removal_share) / (sum_labels + 10);
    int in_use_ok = fit_in_use(st, fd, nf, y);
    if (in_use_ok < 0)
        goto oom;
    for (size_t i = 0; i < nf; i++)
        if (fd[i].pending) {
            /* the labels on bikes in use will mostly be gone by the follow-up */
            double u = in_use_ok ? y->labels[fd[i].street] : 0;
            fd[i].items = in_use_ok ? (fd[i].labels > u ? fd[i].labels - u : 0)
                                    : fd[i].labels * y->removal_share;
        }

    /* Pass 2: empirical Bayes prior per metre-day over the visited streets
     * (unweighted, so that the prior reflects the whole history). */
    double *R = calloc(n, sizeof *R), *E = calloc(n, sizeof *E);
    if (!R || !E) {
        free(R);
        free(E);
        goto oom;
    }
    for (size_t i = 0; i < nf; i++) {
        R[fd[i].street] += fd[i].items;
        E[fd[i].street] += fd[i].exposure * st->length[fd[i].street];
    }
    y->prior_rate_per_m = malloc(n * sizeof *y->prior_rate_per_m);
    if (!y->prior_rate_per_m) {
        free(R);
        free(E);
        goto oom;
    }
    bikes_prior pr = {.rate = y->prior_rate_per_m};
    bikes_prior_fit(st, R, E, t->prior_per_km_day / 1000.0, t->cold_start_elasticity, &pr);
    free(R);
    free(E);
    y->prior_alpha = pr.alpha;
    y->prior_beta_per_m = pr.alpha / pr.city_rate; /* beta of a street = this / its length */
    y->prior_slope_traffic = pr.slope_traffic;
    y->prior_slope_hint = pr.slope_hint;
    y->n_visited = pr.n_visited;

    /* Pass 3: posterior per street with recency weights; expectation on `date`. */
    for (size_t i = 0; i < n; i++) {
        double len = st->length[i] > 1 ? st->length[i] : 1;
        y->alpha[i] = pr.alpha;
        y->beta[i] = pr.alpha / (y->prior_rate_per_m[i] * len);
    }
    for (size_t i = 0; i < nf; i++) {
        double w = stad_bikes_decay(t, (double)(date - fd[i].t) / 86400.0);
        y->alpha[fd[i].street] += w * fd[i].items;
        y->beta[fd[i].street] += w * fd[i].exposure;
    }
    for (size_t q = 0; q < o->n_complaints; q++) {
        size_t s = o->complaint_street[q];
        if (s >= n || o->complaint_t[q] >= date)
            continue;
        /* only complaints since the last labelling speak of items still there */
        if (y->last_label[s] != INT64_MIN && o->complaint_t[q] < y->last_label[s])
            continue;
        y->alpha[s] += t->signal_weight * stad_bikes_decay(t, (double)(date - o->complaint_t[q]) / 86400.0);
    }
    /* the two normal quantiles once, not per street (a fit is run every campaign day
     * of a simulation over 16,000 streets) */
    const double z_lo = normal_quantile(0.05), z_hi = normal_quantile(0.95);
    for (size_t i = 0; i < n; i++) {
        y->rate[i] = y->alpha[i] / y->beta[i];
        double e = y->last_label[i] == INT64_MIN ? cap : (double)(date - y->last_label[i]) / 86400.0;
        if (e > cap)
            e = cap;
        if (e < 0)
            e = 0;
        y->mean[i] = y->rate[i] * e;
        y->lo[i] = gamma_quantile_z(y->alpha[i], y->beta[i], z_lo) * e;
        y->hi[i] = gamma_quantile_z(y->alpha[i], y->beta[i], z_hi) * e;
        /* y->labels holds the bikes in use so far */
        y->labels[i] = in_use_ok ? y->mean[i] + y->labels[i] : y->mean[i] / y->removal_share;
    }
    free(order);
    free(fd);
    *out = y;
    return 0;
oom:
    free(order);
    free(fd);
    stad_bikes_yield_free(y);
    return stad_fail(ctx, STAD_ENOMEM, "out of memory fitting the yield model");
}
