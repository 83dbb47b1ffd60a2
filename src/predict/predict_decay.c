/* Decayed long-run count whose settings the data choose: every event before the
 * forecast, weighted by exp(-ln 2 * age / half-life), counted per cell and smoothed by a
 * Gaussian of sigma cells, plus a share beta of a near-repeat surface (exp(-age / 14
 * days) over the last 8 weeks, smoothed by half a cell). Half-life, sigma and beta are
 * not constants: before each forecast every candidate setting is scored on the
 * DC_TRAIN_WINDOWS whole windows before it (each from the events before that window)
 * by the hit rate summed over the reported coverages. Which one is best is itself
 * uncertain (26 windows are few), so the forecast averages the settings that win
 * bootstrap resamples of those windows, each by how often it wins (see average()).
 * Long-run risk surfaces win these benchmarks, but how long "long" is and how far risk
 * spreads differ by city and kind (burglary blurs over the block, bike theft sticks to
 * the rack); letting the preceding windows decide is what carries over to a city the
 * method has never seen. Scores of a training window depend only on the window, so a
 * backtest computes them once and shares them between its forecasts. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predict/predict_internal.h"
#include "stad/timeparse.h"

#define DC_TRAIN_WINDOWS 26     /* a year of two-week windows */
#define DC_MIN_WINDOWS 6
#define DC_MIN_EVENTS 30        /* events in the training windows */
#define DC_MIN_HISTORY_DAYS 90  /* a training window needs this much history before it */
#define DC_NR_TAU 14.0          /* days: decay of the near-repeat surface */
#define DC_NR_DAYS 56
#define DC_NR_SIGMA 0.5         /* cells */
#define DC_SCORE_CACHE 512
#define DC_BOOT 400             /* resamples; only the Monte Carlo noise depends on it */

/* The candidates (half-life 0 = no decay). The grid spans "last months" to "all
 * history" and "the cell alone" to "the surrounding blocks". */
static const double dc_half_life[] = {91, 182, 365, 730, 0};
static const double dc_sigma[] = {0, 0.35, 0.5, 0.7, 1.0, 1.5};
static const double dc_beta[] = {0, 0.1, 0.3};
#define DC_NH (sizeof dc_half_life / sizeof *dc_half_life)
#define DC_NS (sizeof dc_sigma / sizeof *dc_sigma)
#define DC_NB (sizeof dc_beta / sizeof *dc_beta)
#define DC_NCAND (DC_NH * DC_NS * DC_NB)

typedef struct dc_score {
    int64_t at;              /* window start */
    int64_t events;          /* events in the window (all) */
    double got[DC_NCAND];    /* captured events summed over the reported coverages */
} dc_score;

struct pm_decay {
    unsigned char *in_set;   /* nc: 1 for the cells of the run */
    double *base[DC_NH];     /* nc each: decayed counts per half-life */
    double *smooth, *nr, *mix; /* nc each */
    dc_score *score;
    size_t n_score;
    int pick;                /* candidate of the last forecast, -1 = none */
    int windows;             /* training windows it was chosen on */
    int n_avg;               /* settings averaged in it */
    int wins;                /* resamples the pick won */
};

void pm_decay_free(pm_decay *z)
{
    if (!z)
        return;
    free(z->in_set);
    for (size_t h = 0; h < DC_NH; h++)
        free(z->base[h]);
    free(z->smooth);
    free(z->nr);
    free(z->mix);
    free(z->score);
    free(z);
}

static pm_decay *decay_state(pm_run *r)
{
    if (r->decay)
        return r->decay;
    pm_decay *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    size_t nc = r->nc;
    int ok = (z->in_set = calloc(nc, 1)) && (z->smooth = malloc(nc * sizeof(double))) &&
             (z->nr = malloc(nc * sizeof(double))) && (z->mix = malloc(nc * sizeof(double))) &&
             (z->score = malloc(DC_SCORE_CACHE * sizeof *z->score));
    for (size_t h = 0; ok && h < DC_NH; h++)
        ok = (z->base[h] = malloc(nc * sizeof(double))) != NULL;
    if (!ok) {
        pm_decay_free(z);
        return NULL;
    }
    for (size_t i = 0; i < r->ncells; i++)
        z->in_set[r->cells[i]] = 1;
    z->pick = -1;
    r->decay = z;
    return z;
}

/* Decayed counts (all half-lives) and the near-repeat surface from the events before
 * `at`; each normalised to total 1 (all zero when there are no events). */
static int surfaces(pm_run *r, pm_decay *z, int64_t at)
{
    const stad_predict_data *d = r->d;
    size_t nc = r->nc, end = pd_index_at(d, at);
    double lam[DC_NH], tot[DC_NH] = {0};
    for (size_t h = 0; h < DC_NH; h++) {
        memset(z->base[h], 0, nc * sizeof(double));
        lam[h] = dc_half_life[h] > 0 ? M_LN2 / dc_half_life[h] : 0;
    }
    for (size_t i = 0; i < end; i++) {
        if (d->c[i] < 0)
            continue;
        double age = (double)(at - d->t[i]) / PD_DAY;
        for (size_t h = 0; h < DC_NH; h++) {
            double w = d->w[i] * exp(-lam[h] * age);
            z->base[h][d->c[i]] += w;
            tot[h] += w;
        }
    }
    for (size_t h = 0; h < DC_NH; h++)
        if (tot[h] > 0)
            for (size_t c = 0; c < nc; c++)
                z->base[h][c] /= tot[h];
    double *near = r->tmp1, nt = 0;
    memset(near, 0, nc * sizeof *near);
    for (size_t i = pd_index_at(d, at - DC_NR_DAYS * (int64_t)PD_DAY); i < end; i++)
        if (d->c[i] >= 0) {
            double w = d->w[i] * exp(-(double)(at - d->t[i]) / PD_DAY / DC_NR_TAU);
            near[d->c[i]] += w;
            nt += w;
        }
    if (pd_smooth(&d->g, near, DC_NR_SIGMA, z->nr))
        return STAD_ENOMEM;
    if (nt > 0)
        for (size_t c = 0; c < nc; c++)
            z->nr[c] /= nt;
    return 0;
}

/* Candidate k's risk, given the smoothed base of its half-life and sigma. */
static void mix(pm_decay *z, size_t nc, size_t k, double *out)
{
    double beta = dc_beta[k % DC_NB];
    for (size_t c = 0; c < nc; c++)
        out[c] = z->smooth[c] + beta * z->nr[c];
}

/* Protocol order (risk descending, then the higher cell first): 1 if cell p with risk a
 * comes before cell q with risk b. */
static int ahead(double a, size_t p, double b, size_t q)
{
    return a > b || (a == b && p > q);
}

/* The k-th largest of v[0..n) (k 1-based, 1 <= k <= n); reorders v (Hoare's select). */
static double kth_largest(double *v, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot)
                i++;
            while (v[j] < pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        /* v[lo..j] >= pivot >= v[i..hi]; between them all equal the pivot */
        if (want <= j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            return v[want];
    }
    return v[want];
}

typedef struct dc_target {
    size_t cell;
    double n, risk; /* events in the window, risk of the candidate */
    size_t before;  /* cells of the set ranked before it */
} dc_target;

static int cmp_target(const void *a, const void *b)
{
    const dc_target *p = a, *q = b;
    return ahead(p->risk, p->cell, q->risk, q->cell) ? -1 : 1;
}

/* Captured events of every candidate in the window [o, o + horizon), from the events
 * before o, summed over the reported coverages. A target cell's rank is the number of
 * cells ahead of it, found for all targets in one pass over the cells (binary search
 * in the sorted targets) instead of sorting every cell for every candidate. */
static int score_window(pm_run *r, pm_decay *z, int64_t o, dc_score *s)
{
    const stad_predict_data *d = r->d;
    size_t nc = r->nc, ns = r->ncells;
    int64_t H = (int64_t)d->horizon_days * PD_DAY;
    size_t kc[STAD_PREDICT_N_COVERAGE];
    for (size_t j = 0; j < STAD_PREDICT_N_COVERAGE; j++) {
        kc[j] = (size_t)ceil(stad_predict_coverage[j] / 100.0 * (double)ns - 1e-9);
        if (kc[j] < 1)
            kc[j] = 1;
    }
    s->at = o;
    s->events = 0;
    memset(s->got, 0, sizeof s->got);
    size_t i0 = pd_index_at(d, o), i1 = pd_index_at(d, o + H);
    double *obs = r->tmp2;
    memset(obs, 0, nc * sizeof *obs);
    size_t m = 0;
    for (size_t i = i0; i < i1; i++) {
        s->events += (int64_t)d->w[i];
        long c = d->c[i];
        if (c >= 0 && z->in_set[c]) {
            m += obs[c] == 0;
            obs[c] += d->w[i];
        }
    }
    if (m == 0)
        return 0;
    dc_target *tg = malloc(m * sizeof *tg);
    size_t *diff = malloc((m + 1) * sizeof *diff);
    if (!tg || !diff) {
        free(tg);
        free(diff);
        return STAD_ENOMEM;
    }
    m = 0;
    for (size_t i = i0; i < i1; i++) {
        long c = d->c[i];
        if (c >= 0 && z->in_set[c] && obs[c] > 0) {
            tg[m++] = (dc_target){(size_t)c, obs[c], 0, 0};
            obs[c] = 0;
        }
    }
    if (surfaces(r, z, o)) {
        free(tg);
        free(diff);
        return STAD_ENOMEM;
    }
    double *risk = z->mix, *vals = r->tmp1;
    for (size_t h = 0; h < DC_NH; h++)
        for (size_t sg = 0; sg < DC_NS; sg++) {
            if (pd_smooth(&d->g, z->base[h], dc_sigma[sg], z->smooth)) {
                free(tg);
                free(diff);
                return STAD_ENOMEM;
            }
            for (size_t b = 0; b < DC_NB; b++) {
                size_t k = (h * DC_NS + sg) * DC_NB + b;
                mix(z, nc, k, risk);
                /* a target below the value of the last flagged cell at the widest coverage
                 * is missed at every coverage: leave it out, so that most cells fall
                 * behind the last remaining target with one comparison */
                for (size_t i = 0; i < ns; i++)
                    vals[i] = risk[r->cells[i]];
                double floor_ = kth_largest(vals, ns, kc[STAD_PREDICT_N_COVERAGE - 1]);
                size_t mk = 0;
                for (size_t t = 0; t < m; t++)
                    if (risk[tg[t].cell] >= floor_) {
                        dc_target keep = tg[t];
                        tg[t] = tg[mk];
                        tg[mk] = keep;
                        tg[mk++].risk = risk[keep.cell];
                    }
                if (mk == 0) {
                    s->got[k] = 0;
                    continue;
                }
                qsort(tg, mk, sizeof *tg, cmp_target);
                memset(diff, 0, (m + 1) * sizeof *diff);
                const dc_target *last = &tg[mk - 1];
                for (size_t i = 0; i < ns; i++) {
                    size_t q = r->cells[i];
                    double v = risk[q];
                    if (!ahead(v, q, last->risk, last->cell))
                        continue; /* behind every target: most cells */
                    size_t lo = 0, hi = mk - 1; /* first target q is ahead of */
                    while (lo < hi) {
                        size_t mid = (lo + hi) / 2;
                        if (ahead(v, q, tg[mid].risk, tg[mid].cell))
                            hi = mid;
                        else
                            lo = mid + 1;
                    }
                    diff[lo]++;
                }
                size_t before = 0;
                double got = 0;
                for (size_t t = 0; t < mk; t++) {
                    before += diff[t];
                    for (size_t j = 0; j < STAD_PREDICT_N_COVERAGE; j++)
                        if (before < kc[j])
                            got += tg[t].n;
                }
                s->got[k] = got;
            }
        }
    free(tg);
    free(diff);
    return 0;
}

static const dc_score *window_score(pm_run *r, pm_decay *z, int64_t o, int *rc)
{
    for (size_t i = 0; i < z->n_score; i++)
        if (z->score[i].at == o)
            return &z->score[i];
    if (z->n_score == DC_SCORE_CACHE) { /* drop the oldest window */
        size_t old = 0;
        for (size_t i = 1; i < z->n_score; i++)
            if (z->score[i].at < z->score[old].at)
                old = i;
        z->score[old] = z->score[--z->n_score];
    }
    dc_score *s = &z->score[z->n_score];
    if ((*rc = score_window(r, z, o, s)))
        return NULL;
    z->n_score++;
    return s;
}

/* Bootstrap model averaging (Buckland, Burnham & Augustin 1997): DC_BOOT times, draw K
 * of the K training windows with replacement and take the candidate with the most
 * captured events over them (on a tie the first); the risk is the mean of the winners'
 * surfaces (each scaled to total 1), weighted by their wins. Where one setting is
 * clearly best it wins nearly every resample and this is the plain choice; where a few
 * are as good as the windows can tell, the forecast does not hang on which of them
 * happened to come out on top. The resampling is seeded by the forecast time alone,
 * so a forecast stays the same whatever events after it are loaded. Sets z->pick to
 * the most frequent winner. */
static int average(pm_run *r, pm_decay *z, int64_t at, const dc_score *const *win, int K,
                   double *risk)
{
    const stad_predict_data *d = r->d;
    unsigned wins[DC_NCAND] = {0};
    uint64_t rng = 0x9e3779b97f4a7c15u ^ (uint64_t)at; /* xorshift64: must not be 0 */
    if (!rng)
        rng = 1;
    for (int b = 0; b < DC_BOOT; b++) {
        double tot[DC_NCAND] = {0};
        for (int w = 0; w < K; w++) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            const dc_score *s = win[rng % (uint64_t)K];
            for (size_t c = 0; c < DC_NCAND; c++)
                tot[c] += s->got[c];
        }
        size_t best = 0;
        for (size_t c = 1; c < DC_NCAND; c++)
            if (tot[c] > tot[best])
                best = c;
        wins[best]++;
    }
    if (surfaces(r, z, at))
        return STAD_ENOMEM;
    memset(risk, 0, r->nc * sizeof *risk);
    z->pick = 0;
    z->n_avg = 0;
    for (size_t c = 0; c < DC_NCAND; c++) {
        if (!wins[c])
            continue;
        if (wins[c] > wins[z->pick])
            z->pick = (int)c;
        if (pd_smooth(&d->g, z->base[c / DC_NB / DC_NS], dc_sigma[c / DC_NB % DC_NS],
                      z->smooth))
            return STAD_ENOMEM;
        mix(z, r->nc, c, z->mix);
        double t = 0;
        for (size_t i = 0; i < r->nc; i++)
            t += z->mix[i];
        if (t > 0)
            for (size_t i = 0; i < r->nc; i++)
                risk[i] += wins[c] * z->mix[i] / t;
        z->n_avg++;
    }
    z->wins = wins[z->pick];
    return 0;
}

int pm_decay_risk(pm_run *r, int64_t at, double *risk)
{
    const stad_predict_data *d = r->d;
    pm_decay *z = decay_state(r);
    if (!z)
        return stad_fail(r->ctx, STAD_ENOMEM, "decay");
    int64_t H = (int64_t)d->horizon_days * PD_DAY;
    /* training windows: whole windows before `at` with enough history before them */
    int K = 0;
    int64_t events = 0;
    const dc_score *win[DC_TRAIN_WINDOWS];
    for (int k = 1; k <= DC_TRAIN_WINDOWS; k++) {
        int64_t o = at - k * H;
        if (o - DC_MIN_HISTORY_DAYS * (int64_t)PD_DAY < d->t[0])
            break;
        int rc = 0;
        const dc_score *s = window_score(r, z, o, &rc);
        if (!s)
            return stad_fail(r->ctx, rc, "decay");
        events += s->events;
        win[K++] = s;
    }
    if (K < DC_MIN_WINDOWS || events < DC_MIN_EVENTS) {
        char a[16];
        stad_date_format(at, a, sizeof a);
        z->pick = -1;
        return stad_fail(r->ctx, STAD_EEMPTY,
                         "decay: too little history before %s to choose its settings (%d "
                         "windows with %d days of history, %lld events in them; need %d and "
                         "%d): used longrun instead",
                         a, K, DC_MIN_HISTORY_DAYS, (long long)events, DC_MIN_WINDOWS,
                         DC_MIN_EVENTS);
    }
    if (average(r, z, at, win, K, risk)) {
        z->pick = -1;
        return stad_fail(r->ctx, STAD_ENOMEM, "decay");
    }
    /* expected events: the rate of the last year spread by the (relative) surface */
    double sum = 0, recent = 0;
    for (size_t c = 0; c < r->nc; c++)
        sum += risk[c];
    for (size_t i = pd_index_at(d, at - 365 * (int64_t)PD_DAY); i < pd_index_at(d, at); i++)
        recent += d->w[i];
    double k = sum > 0 ? recent * d->horizon_days / 365.0 / sum : 0;
    for (size_t c = 0; c < r->nc; c++)
        risk[c] *= k;
    z->windows = K;
    return 0;
}

int pm_decay_choice(const pm_run *r, char *buf, size_t size)
{
    const pm_decay *z = r->decay;
    if (!z || z->pick < 0)
        return 0;
    size_t k = (size_t)z->pick;
    double h = dc_half_life[k / DC_NB / DC_NS];
    char hl[48];
    if (h > 0)
        snprintf(hl, sizeof hl, "half-life %.0f days", h);
    else
        snprintf(hl, sizeof hl, "no decay");
    char avg[96] = "";
    if (z->n_avg > 1)
        snprintf(avg, sizeof avg, "; averaged with the %d other settings that won any",
                 z->n_avg - 1);
    snprintf(buf, size,
             "decay: %s, smoothing %.2g cell, near-repeat share %.2g (chosen on the %d "
             "windows before: best in %d of %d resamples of them%s)",
             hl, dc_sigma[k / DC_NB % DC_NS], dc_beta[k % DC_NB], z->windows, z->wins,
             DC_BOOT, avg);
    return 1;
}
