/* Unit tests of the predict module on constructed cases: the evaluation against a
 * hand-computed backtest, a burst raising the near-repeat risk around it and decaying
 * with time, a planted covariate effect recovered by the regression, no leakage from
 * the future (a forecast is the same whether or not later events are loaded), and the
 * fallbacks on too little or out-of-range data. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stad/base.h"
#include "stad/predict.h"
#include "stad/store.h"
#include "stad/timeparse.h"
#include "test_util.h"

#define DAY 86400
#define NEAR(a, b, tol)                                                          \
    do {                                                                         \
        double a_ = (a), b_ = (b);                                               \
        if (!(fabs(a_ - b_) <= (tol)))                                           \
            fail_msg("%s = %.12g, expected %.12g (tol %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

static int64_t day(int y, int m, int d) { return stad_days_from_civil(y, m, d) * DAY; }

/* Deterministic uniform numbers (xorshift) and Poisson draws. */
static uint64_t rng_state = 88172645463325252ULL;
static double unif(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}
static int poisson(double lambda)
{
    double l = exp(-lambda), p = 1;
    int k = 0;
    do {
        k++;
        p *= unif();
    } while (p > l);
    return k - 1;
}

static long cell_of(const stad_predict_data *d, double x, double y)
{
    return stad_hotspot_grid_cell(stad_predict_data_grid(d), x, y);
}

/* ---- evaluation ---- */

static void test_backtest_by_hand(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    /* Cells of 100 m. History (2020): 2 events at A = (1050, 1050), 1 at B = (2050, 1050).
     * Grid origin floor(1050/100)*100 - 100 = 900 (x and y); the far event makes it 44
     * columns (floor((5050 - 900)/100) + 3), the y extent 4 rows. Study area: cells
     * within 2 of A or B, clipped to the grid: A (col 1, row 1) gives cols 0..3 x rows
     * 0..3 = 16, B (col 11) cols 9..13 x rows 0..3 = 20; N = 36.
     * Window 2021-01-01..14: 1 event at A, 1 at C = (1250, 1050) (col 3, row 1), 1 far
     * away at (5050, 1050) outside the study area: 3 events, 2 in the study area.
     * count365: A = 2, B = 1, others 0. 1% and 2% of 36 -> 1 cell: A, 1 of 3 captured.
     * 5% -> ceil(1.8) = 2 cells: A, B -> 1/3. 20% -> ceil(7.2) = 8 cells: A, B and the
     * 6 zero cells of highest index: row 3, cols 13..9 and 3; C (row 1) is not among
     * them -> 1/3; the best 8 cells hold both study-area events -> PEI 1/2.
     * PEI@1%: the best single cell holds 1 -> 1. */
    int64_t t[] = {day(2020, 3, 1), day(2020, 6, 1), day(2020, 9, 1), day(2021, 1, 2),
                   day(2021, 1, 3), day(2021, 1, 4)};
    double x[] = {1050, 1060, 2050, 1050, 1250, 5050};
    double y[] = {1050, 1060, 1050, 1050, 1050, 1050};
    stad_predict_opts o = {0};
    o.cell = 100;
    stad_predict_data *d = NULL;
    assert_int_equal(stad_predict_data_new(ctx, &o, t, x, y, NULL, 6, &d), 0);
    NEAR(stad_predict_data_grid(d)->x0, 900, 0);
    const char *m[] = {"count365"};
    stad_backtest *b = NULL;
    assert_int_equal(stad_predict_backtest(ctx, d, m, 1, day(2021, 1, 1), day(2021, 1, 15), &b),
                     0);
    assert_int_equal(b->windows, 1);
    assert_int_equal((int)b->study_cells, 36);
    assert_int_equal((int)b->rows[0].events_all, 3);
    assert_int_equal((int)b->rows[0].events, 2);
    assert_int_equal((int)b->rows[0].cells[0], 1);
    assert_int_equal((int)b->rows[0].cells[3], 2);
    assert_int_equal((int)b->rows[0].cells[5], 8);
    NEAR(b->rows[0].hit[0], 1.0 / 3, 1e-12);
    NEAR(b->rows[0].hit[3], 1.0 / 3, 1e-12);
    NEAR(b->rows[0].pai[0], (1.0 / 3) / (1.0 / 36), 1e-9);
    NEAR(b->rows[0].pei[0], 1.0, 1e-12);
    NEAR(b->rows[0].hit[5], 1.0 / 3, 1e-12);
    NEAR(b->rows[0].pei[5], 0.5, 1e-12);
    /* count365 is a rate: 2 events/365 days x 14 days in A */
    NEAR(b->rows[0].calib[0], 2.0 * 14 / 365 / 1.0, 1e-9);
    stad_backtest_free(b);

    /* a test period outside the data, and one without a whole window */
    assert_int_equal(stad_predict_backtest(ctx, d, m, 1, day(2030, 1, 1), day(2031, 1, 1), &b),
                     STAD_ERANGE);
    assert_non_null(strstr(stad_errmsg(ctx), "outside the data"));
    assert_int_equal(stad_predict_backtest(ctx, d, m, 1, day(2021, 1, 1), day(2021, 1, 10), &b),
                     STAD_ERANGE);
    const char *bad[] = {"crystal-ball"};
    assert_int_equal(stad_predict_backtest(ctx, d, bad, 1, day(2021, 1, 1), day(2021, 1, 15), &b),
                     STAD_EINVAL);
    stad_predict_data_free(d);
    stad_predict_data_free(NULL);
    stad_backtest_free(NULL);
    stad_forecast_free(NULL);
    stad_ctx_free(ctx);
}

/* ---- near repeats ---- */

static void test_burst_raises_and_decays(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    /* Two years of thin background over a 4 km square in which every event is followed
     * by a repeat within 5 days and 60 m (so the point process can learn that events
     * trigger events), then a burst of 6 events at P = (2010, 2010) on 2021-06-01. */
    enum { NB = 400, NBURST = 6 };
    int64_t t[NB + NBURST];
    double x[NB + NBURST], y[NB + NBURST];
    for (int i = 0; i < NB; i += 2) {
        t[i] = day(2019, 6, 1) + (int64_t)(unif() * 720 * DAY);
        x[i] = unif() * 4000;
        y[i] = unif() * 4000;
        t[i + 1] = t[i] + (int64_t)((0.2 + 4.8 * unif()) * DAY);
        x[i + 1] = x[i] + 60 * (unif() - .5);
        y[i + 1] = y[i] + 60 * (unif() - .5);
    }
    for (int i = 0; i < NBURST; i++) {
        t[NB + i] = day(2021, 6, 1) + i * 3600;
        x[NB + i] = 2010 + 20 * i;
        y[NB + i] = 2010;
    }
    stad_predict_data *d = NULL;
    assert_int_equal(stad_predict_data_new(ctx, NULL, t, x, y, NULL, NB + NBURST, &d), 0);
    const stad_hotspot_grid *g = stad_predict_data_grid(d);
    size_t nc = (size_t)g->nx * g->ny;
    double *soon = malloc(nc * sizeof *soon), *late = malloc(nc * sizeof *late);
    long p = cell_of(d, 2010, 2010), nb = cell_of(d, 2010 + 125, 2010),
         far = cell_of(d, 500, 3500);
    const char *methods[] = {"prospective", "sepp"};
    for (int k = 0; k < 2; k++) {
        const char *used = NULL;
        assert_int_equal(stad_predict_risk(ctx, d, methods[k], day(2021, 6, 2), soon, &used), 0);
        assert_string_equal(used, methods[k]);
        assert_int_equal(stad_predict_risk(ctx, d, methods[k], day(2021, 10, 1), late, NULL), 0);
        /* raised at and next to the burst, above a far cell */
        if (!(soon[p] > 3 * soon[far] && soon[nb] > soon[far]))
            fail_msg("%s: burst cell %g, neighbour %g, far %g", methods[k], soon[p], soon[nb],
                     soon[far]);
        /* and decays: four months later the burst cell's risk is lower */
        if (!(late[p] < soon[p] / 2))
            fail_msg("%s: burst cell %g the day after, %g four months later", methods[k],
                     soon[p], late[p]);
    }
    free(soon);
    free(late);
    stad_predict_data_free(d);
    stad_ctx_free(ctx);
}

/* ---- planted covariate ---- */

static void test_planted_covariate(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    /* A 40 x 40 grid of 125 m cells. A street light stands in the middle of a random
     * half of the cells (scattered, so that neighbour counts cannot stand in for it);
     * there the rate is 3x that elsewhere: 0.06 vs 0.02 events per cell per two weeks,
     * homogeneous in time, over three years. */
    enum { SIDE = 40 };
    double cell = 125;
    size_t cap = 200000, n = 0;
    int64_t *t = malloc(cap * sizeof *t);
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    double lx[SIDE * SIDE], ly[SIDE * SIDE];
    unsigned char lit[SIDE][SIDE];
    size_t nl = 0;
    for (int r = 0; r < SIDE; r++)
        for (int c = 0; c < SIDE; c++)
            if ((lit[r][c] = unif() < 0.5)) {
                lx[nl] = (c + .5) * cell;
                ly[nl++] = (r + .5) * cell;
            }
    int64_t start = day(2018, 1, 1);
    for (int w = 0; w < 78; w++)
        for (int r = 0; r < SIDE; r++)
            for (int c = 0; c < SIDE; c++) {
                int k = poisson(lit[r][c] ? 0.06 : 0.02);
                for (int i = 0; i < k && n < cap; i++) {
                    t[n] = start + w * 14 * (int64_t)DAY + (int64_t)(unif() * 14 * DAY);
                    x[n] = (c + unif()) * cell;
                    y[n] = (r + unif()) * cell;
                    n++;
                }
            }
    /* pin the grid's extent with two events on the first day */
    t[n] = start;
    x[n] = 1;
    y[n++] = 1;
    t[n] = start;
    x[n] = SIDE * cell - 1;
    y[n++] = SIDE * cell - 1;
    stad_predict_data *d = NULL;
    assert_int_equal(stad_predict_data_new(ctx, NULL, t, x, y, NULL, n, &d), 0);
    assert_int_equal(stad_predict_data_add_layer(ctx, d, "streetlight", lx, ly, nl), 0);
    stad_forecast *f = NULL;
    int64_t at = start + 78 * 14 * (int64_t)DAY;
    assert_int_equal(stad_predict_forecast(ctx, d, "covariate", at, &f), 0);
    assert_string_equal(f->used, "covariate");
    assert_true(f->rate);
    /* the light density coefficient is positive (the smoothed counts carry much of the
     * same signal, so it need not carry all of it), and the predicted rates west vs east
     * recover the planted ratio of 3 */
    int found = 0;
    for (size_t i = 0; i < f->n_coef; i++)
        if (strcmp(f->coef_name[i], "distance to the nearest streetlight") == 0) {
            found = 1;
            /* lit cells have a light within 90 m, the others none nearer than 125 m */
            if (!(f->coef[i] < -0.2))
                fail_msg("light distance coefficient %g, expected clearly negative", f->coef[i]);
        }
    assert_true(found);
    double on = 0, off = 0;
    int non = 0, noff = 0;
    for (size_t i = 0; i < f->n; i++) {
        int c = (int)floor(f->cells[i].x / cell), r = (int)floor(f->cells[i].y / cell);
        if (c < 0 || r < 0 || c >= SIDE || r >= SIDE)
            continue;
        if (lit[r][c]) {
            on += f->cells[i].risk;
            non++;
        } else {
            off += f->cells[i].risk;
            noff++;
        }
    }
    double ratio = (on / non) / (off / noff);
    if (!(ratio > 2.4 && ratio < 3.6))
        fail_msg("lit/unlit predicted rate %g, planted 3", ratio);
    /* and the expected total is about the true one: 1600 cells x (0.06 + 0.02) / 2 = 64 */
    if (!(f->expected_total > 50 && f->expected_total < 80))
        fail_msg("expected %g events, true rate gives 64", f->expected_total);
    assert_non_null(f->cells[0].reason);
    stad_forecast_free(f);
    stad_predict_data_free(d);
    free(t);
    free(x);
    free(y);
    stad_ctx_free(ctx);
}

/* ---- decay: settings chosen by the data ---- */

static double gauss(void)
{
    double u = unif(), v = unif();
    return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

/* Two years of events at 36 spots 6 cells apart (centres of 125 m cells), spot s
 * active with rate rate(s, day) per day, each event spread around its spot by a
 * Gaussian of `spread` metres. Returns the number of events. */
static size_t spots(int64_t *t, double *x, double *y, size_t cap, double spread,
                    double (*rate)(int s, int d))
{
    size_t n = 0;
    for (int dd = 0; dd < 730; dd++)
        for (int s = 0; s < 36; s++)
            for (int k = poisson(rate(s, dd)); k > 0 && n < cap; k--) {
                t[n] = day(2018, 1, 1) + (int64_t)dd * DAY + (int64_t)(unif() * DAY);
                x[n] = 1062.5 + 750 * (s % 6) + spread * gauss();
                y[n] = 1062.5 + 750 * (s / 6) + spread * gauss();
                n++;
            }
    return n;
}
static double rate_steady(int s, int d)
{
    (void)d;
    return 0.015 * (1 + s % 6);
}
/* spots 0-17 busy in the first year, 18-35 in the second */
static double rate_moving(int s, int d)
{
    return (s < 18) == (d < 365) ? 0.06 : 0.004;
}

/* The decay method's forecast at 2020-01-01 and the settings it reports. */
static stad_forecast *decay_forecast(stad_ctx *ctx, const int64_t *t, const double *x,
                                     const double *y, size_t n, stad_predict_data **d,
                                     double *half_life, double *sigma)
{
    assert_int_equal(stad_predict_data_new(ctx, NULL, t, x, y, NULL, n, d), 0);
    stad_forecast *f = NULL;
    assert_int_equal(stad_predict_forecast(ctx, *d, "decay", day(2020, 1, 1), &f), 0);
    assert_string_equal(f->used, "decay");
    const char *s = strstr(f->note, "decay: ");
    if (!s)
        fail_msg("no choice in the note: %s", f->note);
    *half_life = strncmp(s, "decay: no decay", 15) == 0 ? INFINITY : NAN;
    if (isnan(*half_life) && sscanf(s, "decay: half-life %lf days", half_life) != 1)
        fail_msg("note: %s", s);
    const char *sm = strstr(s, "smoothing ");
    if (!sm || sscanf(sm, "smoothing %lf cell", sigma) != 1)
        fail_msg("note: %s", s);
    /* the setting reported is the one that won most bootstrap resamples of the windows */
    int won = 0, draws = 0;
    const char *bs = strstr(s, "best in ");
    if (!bs || sscanf(bs, "best in %d of %d resamples", &won, &draws) != 2 || won < 1 ||
        won > draws)
        fail_msg("note: %s", s);
    return f;
}

static double risk_at(const stad_forecast *f, const stad_predict_data *d, double x, double y)
{
    long c = cell_of(d, x, y);
    for (size_t i = 0; i < f->n; i++)
        if ((long)f->cells[i].cell == c)
            return f->cells[i].risk;
    return 0;
}

static void test_decay_chooses(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    enum { CAP = 20000 };
    int64_t *t = malloc(CAP * sizeof *t);
    double *x = malloc(CAP * sizeof *x), *y = malloc(CAP * sizeof *y);
    stad_predict_data *d = NULL;
    double hl, sg;
    /* events on the spot itself (bike racks): no smoothing, the neighbours stay low */
    size_t n = spots(t, x, y, CAP, 20, rate_steady);
    stad_forecast *f = decay_forecast(ctx, t, x, y, n, &d, &hl, &sg);
    if (!(sg <= 0.5))
        fail_msg("sticky spots: smoothing %g cell chosen", sg);
    double spot = risk_at(f, d, 1062.5 + 750 * 5, 1062.5 + 750 * 5); /* busiest kind */
    double next = risk_at(f, d, 1062.5 + 750 * 5 + 125, 1062.5 + 750 * 5);
    if (!(spot > 0 && next < 0.1 * spot))
        fail_msg("sticky spots: spot %g, neighbour %g", spot, next);
    stad_forecast_free(f);
    stad_predict_data_free(d);
    /* the same spots, events spread over the blocks around them: smoothing chosen */
    n = spots(t, x, y, CAP, 200, rate_steady);
    f = decay_forecast(ctx, t, x, y, n, &d, &hl, &sg);
    if (!(sg >= 0.7))
        fail_msg("spread spots: smoothing %g cell chosen", sg);
    spot = risk_at(f, d, 1062.5 + 750 * 5, 1062.5 + 750 * 5);
    next = risk_at(f, d, 1062.5 + 750 * 5 + 125, 1062.5 + 750 * 5);
    if (!(next > 0.5 * spot))
        fail_msg("spread spots: spot %g, neighbour %g", spot, next);
    stad_forecast_free(f);
    stad_predict_data_free(d);
    /* risk that moved from one half of the spots to the other a year ago: a short
     * memory is chosen, and the spots busy now lead the forecast */
    n = spots(t, x, y, CAP, 20, rate_moving);
    f = decay_forecast(ctx, t, x, y, n, &d, &hl, &sg);
    if (!(hl <= 365))
        fail_msg("moving risk: half-life %g days chosen", hl);
    for (int s = 0; s < 18; s++) {
        double now = risk_at(f, d, 1062.5 + 750 * ((s + 18) % 6), 1062.5 + 750 * ((s + 18) / 6));
        double before = risk_at(f, d, 1062.5 + 750 * (s % 6), 1062.5 + 750 * (s / 6));
        if (!(now > 2 * before))
            fail_msg("moving risk: spot %d (busy now) %g, spot %d (busy before) %g", s + 18,
                     now, s, before);
    }
    /* and the expected events are the rate of the last year */
    double per = 0;
    for (int s = 0; s < 36; s++)
        per += rate_moving(s, 400) * 14;
    if (!(fabs(f->expected_total - per) < 0.35 * per))
        fail_msg("expected %g events, the last year's rate gives %g", f->expected_total, per);
    stad_forecast_free(f);
    stad_predict_data_free(d);
    free(t);
    free(x);
    free(y);
    stad_ctx_free(ctx);
}

/* ---- no leakage ---- */

static void test_no_future_leaks(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    /* Three years of events; the forecast at `at` from data with all of them must equal,
     * cell for cell, the forecast from data holding only the events before `at`. The
     * grid is pinned by two corner events at the start so both data sets share it. */
    enum { N = 3000 };
    int64_t t[N + 2];
    double x[N + 2], y[N + 2];
    for (int i = 0; i < N; i++) {
        t[i] = day(2016, 1, 1) + (int64_t)(unif() * 1095 * DAY);
        /* clustered: half around three centres */
        if (i % 2) {
            int k = i % 3;
            x[i] = 1000 + 1500 * k + 200 * (unif() - .5);
            y[i] = 1000 + 1000 * k + 200 * (unif() - .5);
        } else {
            x[i] = unif() * 5000;
            y[i] = unif() * 5000;
        }
    }
    t[N] = t[N + 1] = day(2016, 1, 1);
    x[N] = y[N] = 0;
    x[N + 1] = y[N + 1] = 5000;
    int64_t at = day(2018, 3, 5);
    size_t before = 0;
    int64_t tb[N + 2];
    double xb[N + 2], yb[N + 2];
    for (int i = 0; i < N + 2; i++)
        if (t[i] < at) {
            tb[before] = t[i];
            xb[before] = x[i];
            yb[before++] = y[i];
        }
    stad_predict_data *all = NULL, *past = NULL;
    assert_int_equal(stad_predict_data_new(ctx, NULL, t, x, y, NULL, N + 2, &all), 0);
    assert_int_equal(stad_predict_data_new(ctx, NULL, tb, xb, yb, NULL, before, &past), 0);
    const stad_hotspot_grid *g = stad_predict_data_grid(all), *h = stad_predict_data_grid(past);
    assert_true(g->x0 == h->x0 && g->y0 == h->y0 && g->nx == h->nx && g->ny == h->ny);
    size_t nc = (size_t)g->nx * g->ny;
    double *a = malloc(nc * sizeof *a), *b = malloc(nc * sizeof *b);
    for (size_t m = 0; stad_predict_methods[m]; m++) {
        const char *name = stad_predict_methods[m];
        assert_int_equal(stad_predict_risk(ctx, all, name, at, a, NULL), 0);
        assert_int_equal(stad_predict_risk(ctx, past, name, at, b, NULL), 0);
        for (size_t c = 0; c < nc; c++)
            if (!(fabs(a[c] - b[c]) <= 1e-9 * (1 + fabs(b[c]))))
                fail_msg("%s: cell %zu is %.12g with later events loaded, %.12g without", name,
                         c, a[c], b[c]);
    }
    /* the decay method chose its settings here (it did not fall back), so its training
     * windows were covered by the comparison above */
    const char *used = NULL;
    assert_int_equal(stad_predict_risk(ctx, all, "decay", at, a, &used), 0);
    assert_string_equal(used, "decay");
    free(a);
    free(b);
    stad_predict_data_free(all);
    stad_predict_data_free(past);
    stad_ctx_free(ctx);
}

/* ---- every window fitted afresh ---- */

/* A backtest scores what `stad predict` would have forecast for each window: every
 * fit starts from the same point, not from the previous window's fit (as the
 * covariate model and the point process once did), so over two windows the pooled
 * result is the sum of the two windows scored apart, for every method. The study
 * area is the whole grid, so that it does not change with the test start. */
static void test_windows_fitted_afresh(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    enum { N = 2500 };
    int64_t t[N];
    double x[N], y[N];
    for (int i = 0; i < N; i++) {
        t[i] = day(2016, 1, 1) + (int64_t)(unif() * 900 * DAY);
        int k = i % 4;
        x[i] = k < 3 ? 800 + 1400 * k + 300 * (unif() - .5) : unif() * 4000;
        y[i] = k < 3 ? 900 + 1100 * k + 300 * (unif() - .5) : unif() * 4000;
    }
    stad_predict_opts o = {.mask_cells = -1};
    stad_predict_data *d = NULL;
    assert_int_equal(stad_predict_data_new(ctx, &o, t, x, y, NULL, N, &d), 0);
    int64_t w1 = day(2018, 1, 1), w2 = w1 + 14 * DAY, end = w2 + 14 * DAY;
    for (size_t m = 0; stad_predict_methods[m]; m++) {
        const char *name = stad_predict_methods[m];
        stad_backtest *both = NULL, *first = NULL, *second = NULL;
        assert_int_equal(stad_predict_backtest(ctx, d, &name, 1, w1, end, &both), 0);
        assert_int_equal(stad_predict_backtest(ctx, d, &name, 1, w1, w2, &first), 0);
        assert_int_equal(stad_predict_backtest(ctx, d, &name, 1, w2, end, &second), 0);
        const stad_backtest_row *b = &both->rows[0], *f = &first->rows[0],
                                *s2 = &second->rows[0];
        assert_int_equal(b->windows, 2);
        assert_int_equal(b->events_all, f->events_all + s2->events_all);
        for (int c = 0; c < STAD_PREDICT_N_COVERAGE; c++) {
            long long got = llround(b->hit[c] * (double)b->events_all);
            long long apart = llround(f->hit[c] * (double)f->events_all) +
                              llround(s2->hit[c] * (double)s2->events_all);
            if (got != apart)
                fail_msg("%s: %lld events captured over both windows, %lld scored apart "
                         "(coverage %d)", name, got, apart, c);
        }
        /* the rates themselves, where the method gives them (NaN where not) */
        if (!isnan(b->predicted) &&
            !(fabs(b->predicted - (f->predicted + s2->predicted)) <=
              1e-9 * (1 + fabs(b->predicted))))
            fail_msg("%s: %.12g events predicted over both windows, %.12g apart", name,
                     b->predicted, f->predicted + s2->predicted);
        stad_backtest_free(both);
        stad_backtest_free(first);
        stad_backtest_free(second);
    }
    /* the ensemble blends the decay and covariate surfaces a backtest of all methods
     * has already made: the same figures as the ensemble scored alone */
    const char *trio[] = {"decay", "covariate", "ensemble"}, *alone = "ensemble";
    stad_backtest *all = NULL, *one = NULL;
    assert_int_equal(stad_predict_backtest(ctx, d, trio, 3, w1, end, &all), 0);
    assert_int_equal(stad_predict_backtest(ctx, d, &alone, 1, w1, end, &one), 0);
    for (int c = 0; c < STAD_PREDICT_N_COVERAGE; c++)
        if (all->rows[2].hit[c] != one->rows[0].hit[c] || all->rows[2].pei[c] != one->rows[0].pei[c])
            fail_msg("ensemble with its parts: hit %.9g, alone %.9g (coverage %d)",
                     all->rows[2].hit[c], one->rows[0].hit[c], c);
    assert_string_equal(all->rows[2].used, one->rows[0].used);
    stad_backtest_free(all);
    stad_backtest_free(one);
    stad_predict_data_free(d);
    stad_ctx_free(ctx);
}

/* ---- too little data ---- */

static void test_fallback(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    int64_t t[] = {day(2020, 1, 5), day(2020, 2, 5), day(2020, 3, 5), day(2020, 4, 5)};
    double x[] = {100, 400, 100, 900}, y[] = {100, 100, 600, 900};
    stad_predict_data *d = NULL;
    assert_int_equal(stad_predict_data_new(ctx, NULL, t, x, y, NULL, 4, &d), 0);
    const char *used = NULL;
    static const char *const fitted[] = {"sepp", "covariate", "decay"};
    for (int k = 0; k < 3; k++) {
        stad_forecast *f = NULL;
        const char *m = fitted[k];
        assert_int_equal(stad_predict_forecast(ctx, d, m, day(2020, 5, 1), &f), 0);
        assert_string_equal(f->method, m);
        assert_string_equal(f->used, "longrun");
        if (!strstr(f->note, "used longrun instead"))
            fail_msg("note: %s", f->note);
        /* the cells with events come first */
        assert_true(f->cells[0].recent >= 1);
        stad_forecast_free(f);
    }
    (void)used;
    stad_forecast *f = NULL;
    assert_int_equal(stad_predict_forecast(ctx, d, "sepp", day(2019, 1, 1), &f), STAD_EEMPTY);
    assert_int_equal(stad_predict_forecast(ctx, d, "magic", day(2020, 5, 1), &f), STAD_EINVAL);
    stad_predict_data_free(d);
    /* no located events at all */
    double nan_[] = {NAN};
    assert_int_equal(stad_predict_data_new(ctx, NULL, t, nan_, nan_, NULL, 1, &d), STAD_EEMPTY);
    /* a grid that would be absurdly large: degrees taken for metres the other way */
    double bx[] = {0, 1e7}, by[] = {0, 0};
    assert_int_equal(stad_predict_data_new(ctx, NULL, t, bx, by, NULL, 2, &d), STAD_ERANGE);
    stad_ctx_free(ctx);
}

/* ---- whose events: the source restriction of the caller ---- */

/* One batch of `source` in the store: n events of a day each from t0 at (x, y) + a
 * small spread, or (assets) n street lights. */
static int64_t scope_batch(stad_store *s, const char *source, const char *file, int assets,
                           int n, int64_t t0, double x, double y)
{
    int64_t src, id;
    assert_int_equal(stad_store_source_ensure(s, source, &src), 0);
    assert_int_equal(stad_store_begin(s), 0);
    char sha[65];
    snprintf(sha, sizeof sha, "%064d", (int)strlen(file) * 7 + assets + n);
    stad_batch_row b = {.source_id = src, .file_name = file, .file_path = file,
                        .sha256 = sha, .target = assets ? "asset" : "event"};
    assert_int_equal(stad_store_batch_create(s, &b, &id), 0);
    for (int i = 0; i < n; i++) {
        double dx = (i % 5) * 40.0, dy = (i / 5 % 5) * 40.0;
        if (assets) {
            stad_asset_row a = {.batch_id = id, .line = i + 2, .kind = "streetlight",
                                .x = x + dx, .y = y + dy};
            assert_int_equal(stad_store_asset_insert(s, &a), 0);
        } else {
            stad_event_row e = {.batch_id = id, .line = i + 2, .kind = "burglary.residential",
                                .category = "x", .t_from = t0 + (int64_t)i * DAY,
                                .t_to = t0 + (int64_t)i * DAY, .has_xy = 1, .x = x + dx,
                                .y = y + dy, .count = 1};
            assert_int_equal(stad_store_event_insert(s, &e), 0);
        }
    }
    assert_int_equal(stad_store_batch_finish(s, id, n, n, 0), 0);
    assert_int_equal(stad_store_commit(s), 0);
    return src;
}

static void test_source_scope(void **state)
{
    (void)state;
    const char *tmp = getenv("STAD_TMP");
    char path[1024];
    const char *dir = tmp && *tmp ? tmp : "/tmp";
    mkdir_p(dir);
    snprintf(path, sizeof path, "%s/predict-scope.db", dir);
    remove(path);
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_store *s = NULL;
    assert_int_equal(stad_store_open(ctx, path, &s), 0);
    /* two sources 4 km apart, 60 events each; street lights belong to the first */
    int64_t a = scope_batch(s, "politie", "a.csv", 0, 60, day(2020, 1, 1), 1000, 1000);
    int64_t b = scope_batch(s, "wijkteam", "b.csv", 0, 60, day(2020, 1, 1), 5000, 5000);
    scope_batch(s, "politie", "lights.csv", 1, 25, 0, 1000, 1000);
    scope_batch(s, "politie", "lights2.csv", 1, 25, 0, 5000, 5000);
    int64_t at = day(2020, 4, 1);
    stad_predict_opts o = {0};
    o.layers = "streetlight";
    o.figures = "";
    /* no restriction: both clusters, and the light layer */
    stad_predict_data *d = NULL;
    assert_int_equal(stad_predict_data_load(ctx, s, &o, at, &d), 0);
    assert_int_equal(stad_predict_data_events(d), 120);
    assert_null(strstr(stad_predict_data_notes(d), "streetlight"));
    stad_predict_data_free(d);

    /* a caller who reads only the second source: its events, not the first's, and no
     * lights (they are the first source's) */
    stad_event_filter w = {0};
    w.restrict_sources = 1;
    w.source_ids = &b;
    w.n_source_ids = 1;
    o.where = &w;
    assert_int_equal(stad_predict_data_load(ctx, s, &o, at, &d), 0);
    assert_int_equal(stad_predict_data_events(d), 60);
    assert_true(cell_of(d, 1000, 1000) < 0); /* the grid does not even reach the first */
    if (!strstr(stad_predict_data_notes(d), "no streetlight"))
        fail_msg("notes: %s", stad_predict_data_notes(d));
    stad_forecast *f = NULL;
    assert_int_equal(stad_predict_forecast(ctx, d, "count365", at, &f), 0);
    int64_t seen = 0;
    for (size_t i = 0; i < f->n; i++) {
        seen += f->cells[i].recent;
        assert_true(fabs(f->cells[i].x - 5000) < 500 && fabs(f->cells[i].y - 5000) < 500);
    }
    assert_int_equal(seen, 60);
    stad_forecast_free(f);
    stad_predict_data_free(d);

    /* reading the first source: its lights are a layer again */
    w.source_ids = &a;
    assert_int_equal(stad_predict_data_load(ctx, s, &o, at, &d), 0);
    assert_int_equal(stad_predict_data_events(d), 60);
    assert_null(strstr(stad_predict_data_notes(d), "streetlight"));
    stad_predict_data_free(d);

    /* a caller who may read no source sees no events: nothing to forecast from */
    w.n_source_ids = 0;
    w.source_ids = NULL;
    assert_int_equal(stad_predict_data_load(ctx, s, &o, at, &d), STAD_EEMPTY);
    assert_null(d);

    /* the flex team's forecast follows the same restriction */
    stad_flexteam_opts fo = {0};
    fo.shifts = 1;
    stad_flexteam_forecast hook;
    char why[256];
    w.source_ids = &b;
    w.n_source_ids = 1;
    assert_int_equal(stad_predict_flexteam_prepare(ctx, s, &w, &fo, &hook, &d, why, sizeof why),
                     0);
    assert_non_null(d);
    assert_int_equal(stad_predict_data_events(d), 60);
    assert_true(fo.forecast == stad_predict_flexteam_hook);
    if (!strstr(why, "60 events"))
        fail_msg("why: %s", why);
    stad_predict_data_free(d);
    w.n_source_ids = 0;
    fo.forecast = NULL;
    assert_int_equal(stad_predict_flexteam_prepare(ctx, s, &w, &fo, &hook, &d, why, sizeof why),
                     0);
    assert_null(d);
    assert_null(fo.forecast);

    stad_store_close(s);
    stad_ctx_free(ctx);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backtest_by_hand),
        cmocka_unit_test(test_burst_raises_and_decays),
        cmocka_unit_test(test_planted_covariate),
        cmocka_unit_test(test_decay_chooses),
        cmocka_unit_test(test_no_future_leaks),
        cmocka_unit_test(test_windows_fitted_afresh),
        cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_source_scope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
