/* Self-exciting point process (Mohler et al. 2011, JASA 106:100): intensity
 *   lambda(x, t) = mu * b(x) + sum_{t_i < t} theta * omega * exp(-omega (t - t_i))
 *                                           * N(x - x_i; sigma^2)
 * with b a background density over the grid (the Gaussian-smoothed background
 * probabilities of the events) and exponential-in-time, Gaussian-in-space triggering.
 * Fitted by expectation-maximisation on the two years before the forecast time; the
 * forecast is the expected number of events per cell in [at, at + horizon). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "predict/predict_internal.h"

#define SEPP_TRAIN_DAYS 730.0
#define SEPP_T_CUT 60.0    /* days: pairs farther apart in time are not parent/child */
#define SEPP_D_CUT 500.0   /* metres */
#define SEPP_BG_SIGMA 1.0  /* cells: smoothing of the background */
#define SEPP_MAX_PARENTS 48 /* most recent candidate parents kept per event */
#define SEPP_MIN_EVENTS 30
#define SEPP_ITER 40

/* Candidate parent/child pairs of all events, once per run (sorted by child). */
static int build_pairs(pm_run *r)
{
    const stad_predict_data *d = r->d;
    size_t cap = d->n * 4 + 16, np = 0;
    r->pair_start = malloc((d->n + 1) * sizeof *r->pair_start);
    r->pair_i = malloc(cap * sizeof *r->pair_i);
    r->pair_dt = malloc(cap * sizeof *r->pair_dt);
    r->pair_d2 = malloc(cap * sizeof *r->pair_d2);
    r->pb = malloc((d->n + 1) * sizeof *r->pb);
    if (!r->pair_start || !r->pair_i || !r->pair_dt || !r->pair_d2 || !r->pb)
        return stad_fail(r->ctx, STAD_ENOMEM, "sepp");
    double d2max = SEPP_D_CUT * SEPP_D_CUT;
    for (size_t j = 0; j < d->n; j++) {
        r->pair_start[j] = np;
        /* Where events pile up (a station's bike racks) the candidate list would grow
         * with the square of the pile; the most recent parents carry nearly all the
         * triggering weight, so the list is cut there. */
        for (size_t i = j; i-- > 0 && np - r->pair_start[j] < SEPP_MAX_PARENTS;) {
            double dt = (double)(d->t[j] - d->t[i]) / PD_DAY;
            if (dt > SEPP_T_CUT)
                break;
            if (dt <= 0)
                continue; /* same time: no order */
            double dx = d->x[j] - d->x[i], dy = d->y[j] - d->y[i], d2 = dx * dx + dy * dy;
            if (d2 > d2max)
                continue;
            if (np == cap) {
                cap *= 2;
                uint32_t *a = realloc(r->pair_i, cap * sizeof *a);
                if (a)
                    r->pair_i = a;
                float *b = a ? realloc(r->pair_dt, cap * sizeof *b) : NULL;
                if (b)
                    r->pair_dt = b;
                float *c = b ? realloc(r->pair_d2, cap * sizeof *c) : NULL;
                if (c)
                    r->pair_d2 = c;
                if (!c)
                    return stad_fail(r->ctx, STAD_ENOMEM, "sepp");
            }
            r->pair_i[np] = (uint32_t)i;
            r->pair_dt[np] = (float)dt;
            r->pair_d2[np] = (float)d2;
            np++;
        }
    }
    r->pair_start[d->n] = np;
    r->n_pairs = np;
    return 0;
}

/* Mass of N(0, s^2) over [a, b). */
static double gauss_mass(double a, double b, double s)
{
    return 0.5 * (erf(b / (s * M_SQRT2)) - erf(a / (s * M_SQRT2)));
}

int pm_sepp(pm_run *r, int64_t at, double *risk)
{
    const stad_predict_data *d = r->d;
    const stad_hotspot_grid *g = &d->g;
    size_t end = pd_index_at(d, at);
    size_t begin = pd_index_at(d, at - (int64_t)(SEPP_TRAIN_DAYS * PD_DAY));
    if (end - begin < SEPP_MIN_EVENTS)
        return stad_fail(r->ctx, STAD_EEMPTY,
                         "sepp: %zu events in the two years before the window, fewer than %d "
                         "to fit the point process: used longrun instead",
                         end - begin, SEPP_MIN_EVENTS);
    if (!r->pair_start) {
        int rc = build_pairs(r);
        if (rc)
            return rc;
    }
    double T = (double)(at - (d->t[begin] < at - (int64_t)(SEPP_TRAIN_DAYS * PD_DAY)
                                  ? at - (int64_t)(SEPP_TRAIN_DAYS * PD_DAY)
                                  : d->t[begin])) / PD_DAY;
    if (T < 1)
        T = 1;
    double A = g->cell * g->cell;
    /* the same start for every forecast: one started from the last fit would make a
     * backtest's forecasts differ from `stad predict`'s for the same day */
    double mu, theta = 0.2, omega = 0.1, sigma = 100;
    double *bg = r->tmp1, *bsum = r->tmp2;
    size_t nc = r->nc;
    double W = 0;
    for (size_t j = begin; j < end; j++) {
        r->pb[j] = 1 - theta;
        W += d->w[j];
    }
    for (int it = 0; it < SEPP_ITER; it++) {
        /* background density: smoothed background probabilities */
        memset(bsum, 0, nc * sizeof *bsum);
        double sb = 0;
        for (size_t j = begin; j < end; j++)
            if (d->c[j] >= 0) {
                bsum[d->c[j]] += r->pb[j] * d->w[j];
                sb += r->pb[j] * d->w[j];
            }
        if (pd_smooth(g, bsum, SEPP_BG_SIGMA, bg))
            return stad_fail(r->ctx, STAD_ENOMEM, "sepp");
        double tot = 0;
        for (size_t c = 0; c < nc; c++)
            tot += bg[c];
        /* b(x): probability per cell (sums to 1), with a floor so no cell is impossible */
        double floor_ = 1e-3 / (double)nc;
        for (size_t c = 0; c < nc; c++)
            bg[c] = tot > 0 ? bg[c] / tot * (1 - 1e-3) + floor_ : 1.0 / (double)nc;
        mu = sb / T;
        /* E-step */
        double s_trig = 0, s_dt = 0, s_d2 = 0;
        double norm = 1 / (2 * M_PI * sigma * sigma), inv2s2 = 1 / (2 * sigma * sigma);
        for (size_t j = begin; j < end; j++) {
            double lb = d->c[j] >= 0 ? mu * bg[d->c[j]] / A : mu * floor_ / A;
            double lt = 0;
            for (size_t p = r->pair_start[j]; p < r->pair_start[j + 1]; p++) {
                if (r->pair_i[p] < begin)
                    continue;
                lt += d->w[r->pair_i[p]] * theta * omega * exp(-omega * r->pair_dt[p]) * norm *
                      exp(-r->pair_d2[p] * inv2s2);
            }
            double lam = lb + lt;
            r->pb[j] = lb / lam;
            if (lt > 0)
                for (size_t p = r->pair_start[j]; p < r->pair_start[j + 1]; p++) {
                    if (r->pair_i[p] < begin)
                        continue;
                    double q = d->w[r->pair_i[p]] * theta * omega *
                               exp(-omega * r->pair_dt[p]) * norm *
                               exp(-r->pair_d2[p] * inv2s2) / lam * d->w[j];
                    s_trig += q;
                    s_dt += q * r->pair_dt[p];
                    s_d2 += q * r->pair_d2[p];
                }
        }
        /* M-step (with sane bounds: a few pairs must not make the kernel degenerate) */
        theta = s_trig / W;
        omega = s_dt > 0 ? s_trig / s_dt : 1.0;
        sigma = s_trig > 0 ? sqrt(s_d2 / (2 * s_trig)) : sigma;
        if (theta < 1e-4)
            theta = 1e-4;
        if (theta > 0.9)
            theta = 0.9;
        if (omega < 1.0 / 365)
            omega = 1.0 / 365;
        if (omega > 5)
            omega = 5;
        if (sigma < 10)
            sigma = 10;
        if (sigma > SEPP_D_CUT / 2)
            sigma = SEPP_D_CUT / 2;
    }
    /* final background with the last probabilities */
    memset(bsum, 0, nc * sizeof *bsum);
    double sb = 0;
    for (size_t j = begin; j < end; j++)
        if (d->c[j] >= 0) {
            bsum[d->c[j]] += r->pb[j] * d->w[j];
            sb += r->pb[j] * d->w[j];
        }
    if (pd_smooth(g, bsum, SEPP_BG_SIGMA, bg))
        return stad_fail(r->ctx, STAD_ENOMEM, "sepp");
    double tot = 0;
    for (size_t c = 0; c < nc; c++)
        tot += bg[c];
    mu = sb / T;
    double H = d->horizon_days;
    for (size_t c = 0; c < nc; c++)
        risk[c] = tot > 0 ? mu * H * bg[c] / tot : 0;
    /* triggered part: each recent event's expected children in the window */
    int R = (int)ceil(3 * sigma / g->cell);
    for (size_t i = pd_index_at(d, at - (int64_t)(SEPP_T_CUT * PD_DAY)); i < end; i++) {
        double a = (double)(at - d->t[i]) / PD_DAY;
        double k = d->w[i] * theta * (exp(-omega * a) - exp(-omega * (a + H)));
        if (k < 1e-9 || d->c[i] < 0)
            continue;
        int col = (int)(d->c[i] % g->nx), row = (int)(d->c[i] / g->nx);
        for (int rr = row - R; rr <= row + R; rr++) {
            if (rr < 0 || rr >= g->ny)
                continue;
            double y0 = g->y0 + rr * g->cell - d->y[i];
            double my = gauss_mass(y0, y0 + g->cell, sigma);
            for (int cc = col - R; cc <= col + R; cc++) {
                if (cc < 0 || cc >= g->nx)
                    continue;
                double x0 = g->x0 + cc * g->cell - d->x[i];
                risk[(size_t)rr * g->nx + cc] += k * my * gauss_mass(x0, x0 + g->cell, sigma);
            }
        }
    }
    return 0;
}
