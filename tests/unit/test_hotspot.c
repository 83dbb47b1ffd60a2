/* Unit tests of the hotspot module against values computed by hand (in the comments):
 * grid counts, rate-ratio test, FDR, KDE on three points, Gi* on a 5 x 5 pattern,
 * merging, and hotspots / change / flex team on a small store under $STAD_TMP. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "stad/base.h"
#include "stad/hotspot.h"
#include "stad/store.h"
#include "stad/timeparse.h"

#define NEAR(a, b, tol)                                                          \
    do {                                                                         \
        double a_ = (a), b_ = (b);                                               \
        if (!(fabs(a_ - b_) <= (tol)))                                           \
            fail_msg("%s = %.12g, expected %.12g (tol %g)", #a, a_, b_, (double)(tol)); \
    } while (0)
#define REL(a, b, tol) NEAR(a, b, (tol) * fabs(b))

/* ---- grid ---- */

static void test_grid_counts(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    /* Cells of 10 m, no margin: origin snapped down to (-20, 0); x from -15 to 250
     * gives floor((250 - -20)/10) + 1 = 28 columns, y 0..250 gives 26 rows. */
    double x[] = {-15, 5, 15, 15, 250, NAN};
    double y[] = {5, 5, 5, 25, 250, 1};
    double w[] = {1, 2, 1, 1, 3, 1};
    stad_hotspot_grid g;
    assert_int_equal(stad_hotspot_grid_fit(ctx, x, y, 6, 10, 0, &g), 0);
    NEAR(g.x0, -20, 0);
    NEAR(g.y0, 0, 0);
    assert_int_equal(g.nx, 28);
    assert_int_equal(g.ny, 26);
    double *c = calloc((size_t)g.nx * g.ny, sizeof *c);
    assert_non_null(c);
    /* NaN is outside: 1 point ignored. */
    assert_int_equal(stad_hotspot_grid_count(&g, x, y, w, 6, c), 1);
    NEAR(c[0], 1, 0);              /* (-15,5): col 0 */
    NEAR(c[2], 2, 0);              /* (5,5): col 2 */
    NEAR(c[3], 1, 0);              /* (15,5): col 3 */
    NEAR(c[2 * 28 + 3], 1, 0);     /* (15,25): row 2, col 3 */
    NEAR(c[25 * 28 + 27], 3, 0);   /* (250,250): last cell */
    double sum = 0;
    for (int i = 0; i < g.nx * g.ny; i++)
        sum += c[i];
    NEAR(sum, 8, 0);
    assert_int_equal(stad_hotspot_grid_cell(&g, -21, 5), -1);
    /* A margin of 15 m moves the origin to floor((-15-15)/10)*10 = -30. */
    assert_int_equal(stad_hotspot_grid_fit(ctx, x, y, 6, 10, 15, &g), 0);
    NEAR(g.x0, -30, 0);
    NEAR(g.y0, -10, 0);
    double nx_[] = {NAN};
    assert_int_equal(stad_hotspot_grid_fit(ctx, nx_, nx_, 1, 10, 0, &g), STAD_EEMPTY);
    free(c);
    stad_ctx_free(ctx);
}

/* ---- statistics ---- */

static void test_rate_p(void **state)
{
    (void)state;
    /* 14 now vs 6 before: n = 20, P(X >= 14) = (C(20,14)+...+C(20,20)) / 2^20
     * = (38760+15504+4845+1140+190+20+1) / 1048576 = 60460/1048576; two-sided
     * (symmetric) = 120920/1048576 = 0.11531829833984375. */
    REL(stad_hotspot_rate_p(14, 6, 0.5), 120920.0 / 1048576.0, 1e-9);
    REL(stad_hotspot_rate_p(6, 14, 0.5), 120920.0 / 1048576.0, 1e-9);
    /* 10 vs 0: only the two extremes are as unlikely: 2/1024. */
    REL(stad_hotspot_rate_p(10, 0, 0.5), 2.0 / 1024.0, 1e-9);
    NEAR(stad_hotspot_rate_p(5, 5, 0.5), 1.0, 1e-12);
    NEAR(stad_hotspot_rate_p(0, 0, 0.5), 1.0, 0);
    /* Unequal periods, w = 0.25: a = 3 of n = 3: P = 0.25^3 = 1/64; outcomes no more
     * likely: k=3 only (k=2: 3*.0625*.75 = .140625 > 1/64), so p = 1/64. */
    REL(stad_hotspot_rate_p(3, 0, 0.25), 1.0 / 64.0, 1e-9);
    assert_true(isnan(stad_hotspot_rate_p(1, 1, 0)));
}

static void test_fdr(void **state)
{
    (void)state;
    /* m = 4 (the NaN is not in the family). Sorted: .005 .01 .03 .04; m p/k:
     * .02 .02 .04 .04; running minimum from the top: .02 .02 .04 .04. */
    double p[] = {0.01, 0.04, 0.03, NAN, 0.005};
    double q[5];
    unsigned char rej[5];
    assert_int_equal(stad_hotspot_fdr(p, 5, 0.05, q, rej), 4);
    NEAR(q[0], 0.02, 1e-15);
    NEAR(q[1], 0.04, 1e-15);
    NEAR(q[2], 0.04, 1e-15);
    assert_true(isnan(q[3]));
    NEAR(q[4], 0.02, 1e-15);
    assert_int_equal(rej[3], 0);
    assert_int_equal(stad_hotspot_fdr(p, 5, 0.03, q, rej), 2);
    assert_int_equal(rej[0], 1);
    assert_int_equal(rej[4], 1);
    assert_int_equal(rej[1], 0);
    /* Step-up: p = (.04, .04) gives q = .04 for both although .04*2/1 > .05. */
    double p2[] = {0.04, 0.04};
    assert_int_equal(stad_hotspot_fdr(p2, 2, 0.05, q, NULL), 2);
    NEAR(q[0], 0.04, 1e-15);
}

/* ---- KDE on three points ---- */

/* Points (0,0), (100,0), (0,100); grid of 3 x 3 cells of 100 m with centres at
 * 0, 100, 200 on each axis (origin -50). */
static const double P3X[] = {0, 100, 0}, P3Y[] = {0, 0, 100};
static const stad_hotspot_grid G3 = {-50, -50, 100, 3, 3};

static void check_gauss3(const stad_kde *k, double tol)
{
    /* Gaussian, s = 100 m: c = 1e6 / (2 pi 100^2) = 15.915494309 per km^2.
     * (0,0):     1 + 2 e^-0.5           = 2.213061319 -> 35.2219648
     * (100,100): e^-1 + 2 e^-0.5         = 1.580940707 -> 25.1614537
     * (200,0):   e^-2 + e^-0.5 + e^-2.5  (distances 200, 100, sqrt(5) 100)
     * (200,200): e^-4 + 2 e^-2.5         */
    double c = 1e6 / (2 * M_PI * 1e4);
    REL(k->density[0], c * (1 + 2 * exp(-0.5)), tol);
    REL(k->density[4], c * (exp(-1) + 2 * exp(-0.5)), tol);
    REL(k->density[2], c * (exp(-2) + exp(-0.5) + exp(-2.5)), tol);
    REL(k->density[8], c * (exp(-4) + 2 * exp(-2.5)), tol);
    REL(k->max, c * (1 + 2 * exp(-0.5)), tol);
    NEAR(c * (1 + 2 * exp(-0.5)), 35.2219648, 1e-6);
}

static void check_quartic3(const stad_kde *k, double tol)
{
    /* Quartic, h = 150 m: c = 3e6 / (pi 150^2) = 42.44131816 per km^2.
     * u = 1 - r^2/h^2: r = 100 -> 5/9, r = 141.4 -> 1/9, r >= 200 -> 0.
     * (0,0):     1 + 2 (5/9)^2 = 131/81  -> 68.6396627
     * (100,100): (1/9)^2 + 2 (5/9)^2 = 51/81
     * (200,0):   only (100,0) at 100 m: 25/81
     * (200,200): nothing within 150 m: 0 */
    double c = 3e6 / (M_PI * 22500);
    REL(k->density[0], c * 131 / 81, tol);
    REL(k->density[4], c * 51 / 81, tol);
    REL(k->density[2], c * 25 / 81, tol);
    NEAR(k->density[8], 0, 1e-12);
    NEAR(c * 131 / 81, 68.6396627, 1e-6);
}

static void test_kde_three_points(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_kde *k = NULL;
    stad_kde_opts o = {.cell = 100, .bandwidth = 100, .kernel = STAD_KDE_GAUSSIAN,
                       .mode = STAD_KDE_EXACT, .grid = &G3};
    assert_int_equal(stad_kde_points(ctx, P3X, P3Y, NULL, 3, &o, &k), 0);
    check_gauss3(k, 1e-12);
    NEAR(k->total, 3, 0);
    stad_kde_free(k);
    /* Binned with one sub-cell per cell: the points sit on the nodes, and 4 s covers
     * the grid, so the result is the exact one. */
    o.mode = STAD_KDE_BINNED;
    o.oversample = 1;
    assert_int_equal(stad_kde_points(ctx, P3X, P3Y, NULL, 3, &o, &k), 0);
    check_gauss3(k, 1e-12);
    stad_kde_free(k);
    /* Automatic sub-grid (10 per cell, even: points fall between nodes): within the
     * binning error, far below 1%. */
    o.oversample = 0;
    assert_int_equal(stad_kde_points(ctx, P3X, P3Y, NULL, 3, &o, &k), 0);
    check_gauss3(k, 2e-3);
    stad_kde_free(k);

    o = (stad_kde_opts){.bandwidth = 150, .kernel = STAD_KDE_QUARTIC,
                        .mode = STAD_KDE_EXACT, .grid = &G3};
    assert_int_equal(stad_kde_points(ctx, P3X, P3Y, NULL, 3, &o, &k), 0);
    check_quartic3(k, 1e-12);
    stad_kde_free(k);
    o.mode = STAD_KDE_BINNED;
    o.oversample = 1;
    assert_int_equal(stad_kde_points(ctx, P3X, P3Y, NULL, 3, &o, &k), 0);
    check_quartic3(k, 1e-12);
    stad_kde_free(k);
    o.oversample = 0;
    assert_int_equal(stad_kde_points(ctx, P3X, P3Y, NULL, 3, &o, &k), 0);
    check_quartic3(k, 1e-2);
    stad_kde_free(k);

    /* Weights: the point (0,0) twice as heavy = the same point given twice. */
    double wx[] = {0, 0, 100, 0}, wy[] = {0, 0, 0, 100}, w[] = {2, 1, 1};
    stad_kde *a = NULL, *b = NULL;
    o.mode = STAD_KDE_EXACT;
    assert_int_equal(stad_kde_points(ctx, P3X, P3Y, w, 3, &o, &a), 0);
    assert_int_equal(stad_kde_points(ctx, wx, wy, NULL, 4, &o, &b), 0);
    for (int i = 0; i < 9; i++)
        REL(a->density[i], b->density[i], 1e-12);
    stad_kde_free(a);
    stad_kde_free(b);

    /* A fitted grid: margin = support, so the density integrates to ~3 events:
     * sum(density) * cell area in km^2. */
    o = (stad_kde_opts){.cell = 10, .bandwidth = 100, .kernel = STAD_KDE_GAUSSIAN};
    assert_int_equal(stad_kde_points(ctx, P3X, P3Y, NULL, 3, &o, &k), 0);
    double sum = 0;
    for (int i = 0; i < k->grid.nx * k->grid.ny; i++)
        sum += k->density[i];
    NEAR(sum * 1e-4, 3, 3e-3);
    stad_kde_free(k);
    o.bandwidth = -1;
    assert_int_equal(stad_kde_points(ctx, P3X, P3Y, NULL, 3, &o, &k), STAD_EINVAL);
    stad_ctx_free(ctx);
}

/* ---- Gi* ---- */

static void test_gistar_pattern(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    /* 5 x 5 cells of 100 m, all 1 except the centre, 11. n = 25, sum = 35,
     * xbar = 1.4, sum x^2 = 24 + 121 = 145, S = sqrt(145/25 - 1.96) = sqrt(3.84).
     * Band 100 m: self + 4 edge neighbours.
     * Centre: W = 5, sum = 15: (15 - 7) / (S sqrt((125 - 25)/24)) = 8 / 4 = 2.
     * Below it (2,1): W = 5, sum = 15 -> 2 as well.
     * Diagonal (1,1): W = 5, sum = 5 -> -2 / 4 = -0.5.
     * Corner (0,0): W = 3, sum = 3: (3 - 4.2) / (S sqrt((75 - 9)/24)) = -0.3692744729. */
    stad_hotspot_grid g = {0, 0, 100, 5, 5};
    double v[25], z[25];
    for (int i = 0; i < 25; i++)
        v[i] = 1;
    v[12] = 11;
    assert_int_equal(stad_gi_star(ctx, &g, v, NULL, 100, z), 0);
    NEAR(z[12], 2.0, 1e-12);
    NEAR(z[7], 2.0, 1e-12);
    NEAR(z[6], -0.5, 1e-12);
    NEAR(z[0], -1.2 / (sqrt(3.84) * sqrt(66.0 / 24)), 1e-12);
    NEAR(z[0], -0.3692744729, 1e-9);
    /* Band 150 m takes the diagonals too: centre W = 9, sum = 19:
     * (19 - 12.6) / (S sqrt((225 - 81)/24)) = 6.4 / (sqrt(3.84) sqrt(6)) = 1.3333... */
    assert_int_equal(stad_gi_star(ctx, &g, v, NULL, 150, z), 0);
    NEAR(z[12], 6.4 / (sqrt(3.84) * sqrt(6.0)), 1e-12);
    NEAR(z[12], 4.0 / 3.0, 1e-12);
    /* Mask out the bottom row: n = 20, sum = 30, xbar = 1.5, sum x^2 = 140,
     * S = sqrt(7 - 2.25) = sqrt(4.75). Centre, band 100: W = 5, sum 15:
     * (15 - 7.5) / (S sqrt((100 - 25)/19)). Row 1 cell (2,1) lost its lower
     * neighbour: W = 4, sum = 14: (14 - 6) / (S sqrt((80 - 16)/19)). */
    unsigned char mask[25];
    for (int i = 0; i < 25; i++)
        mask[i] = i >= 5;
    assert_int_equal(stad_gi_star(ctx, &g, v, mask, 100, z), 0);
    assert_true(isnan(z[2]));
    NEAR(z[12], 7.5 / (sqrt(4.75) * sqrt(75.0 / 19)), 1e-12);
    NEAR(z[7], 8.0 / (sqrt(4.75) * sqrt(64.0 / 19)), 1e-12);
    /* No variation: nothing to test. */
    for (int i = 0; i < 25; i++)
        v[i] = 2;
    assert_int_equal(stad_gi_star(ctx, &g, v, NULL, 100, z), STAD_EEMPTY);
    stad_ctx_free(ctx);
}

static void test_label_two_clusters(void **state)
{
    (void)state;
    /* 6 x 4:                 labels (cell order):
     *   row 3: . . . . . X      . . . . . 2
     *   row 2: . . . . X .      . . . . 2 .    (corner contact joins)
     *   row 1: X X . . . .      1 1 . . . .
     *   row 0: X . . . . .      1 . . . . .  */
    stad_hotspot_grid g = {0, 0, 100, 6, 4};
    unsigned char hot[24] = {0};
    hot[0] = hot[6] = hot[7] = 1;
    hot[2 * 6 + 4] = hot[3 * 6 + 5] = 1;
    int32_t lab[24];
    assert_int_equal(stad_hotspot_label(&g, hot, lab), 2);
    assert_int_equal(lab[0], 1);
    assert_int_equal(lab[6], 1);
    assert_int_equal(lab[7], 1);
    assert_int_equal(lab[16], 2);
    assert_int_equal(lab[23], 2);
    assert_int_equal(lab[1], 0);
}

static void test_label_bounded(void **state)
{
    (void)state;
    /* A 1 x 9 strip of hot cells, z rising towards cell 6, and one hot cell (8) apart
     * with no events:
     *   z:     1 2 3 4 5 6 9 . 7      count: 1 1 1 1 1 1 5 . 0
     * With max_cells 3: the 7-cell strip keeps z > median 4 -> cells 4,5,6 (z 5,6,9),
     * three cells: done. Cell 8 (no events) is dropped. */
    stad_hotspot_grid g = {0, 0, 100, 9, 1};
    double z[9] = {1, 2, 3, 4, 5, 6, 9, 0, 7};
    double count[9] = {1, 1, 1, 1, 1, 1, 5, 0, 0};
    unsigned char hot[9] = {1, 1, 1, 1, 1, 1, 1, 0, 1};
    int32_t lab[9];
    assert_int_equal(stad_hotspot_label_bounded(&g, z, count, hot, lab, 3), 1);
    for (int c = 0; c < 9; c++)
        assert_int_equal(lab[c], c >= 4 && c <= 6 ? 1 : 0);
    /* Without a limit the strip stays whole; the eventless cell still goes. */
    unsigned char hot2[9] = {1, 1, 1, 1, 1, 1, 1, 0, 1};
    assert_int_equal(stad_hotspot_label_bounded(&g, z, count, hot2, lab, 0), 1);
    assert_int_equal(lab[0], 1);
    assert_int_equal(lab[8], 0);
}

/* ---- on a store ---- */

static char tmpdir[1024];


typedef struct fixture {
    stad_ctx *ctx;
    stad_store *s;
    int64_t wijk, west, east, batch;
    int64_t to; /* end of the period of the fixture */
} fixture;

#define OK(expr)                                                              \
    do {                                                                      \
        int rc_ = (expr);                                                     \
        if (rc_ != 0)                                                         \
            fail_msg("%s -> %d: %s", #expr, rc_, stad_errmsg(f->ctx));        \
    } while (0)

/* A square polygon as little-endian WKB. */
static size_t square_wkb(unsigned char *b, double x0, double y0, double x1, double y1)
{
    const double pts[10] = {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
    uint32_t type = 3, rings = 1, npts = 5;
    b[0] = 1;
    memcpy(b + 1, &type, 4);
    memcpy(b + 5, &rings, 4);
    memcpy(b + 9, &npts, 4);
    memcpy(b + 13, pts, sizeof pts);
    return 13 + sizeof pts;
}

static int64_t add_area(fixture *f, const char *level, const char *code, const char *name,
                        int64_t parent, double x0, double y0, double x1, double y1)
{
    unsigned char wkb[128];
    size_t n = square_wkb(wkb, x0, y0, x1, y1);
    stad_area_row r = {.level = level, .code = code, .name = name, .parent_id = parent,
                       .wkb = wkb, .wkb_len = n, .geojson = "{}", .minx = x0, .miny = y0,
                       .maxx = x1, .maxy = y1};
    int64_t id = 0;
    OK(stad_store_area_upsert(f->s, &r, &id));
    return id;
}

static void add_event(fixture *f, const char *kind, int64_t t, double x, double y,
                      const char *street, int count)
{
    int east = x >= 2000;
    stad_event_row e = {.batch_id = f->batch, .line = 2, .kind = kind, .category = "c",
                        .t_from = t, .t_to = t, .has_xy = 1, .x = 100000 + x,
                        .y = 400000 + y, .lon = 5, .lat = 52, .wijk_id = f->wijk,
                        .buurt_id = east ? f->east : f->west, .street = street,
                        .count = count};
    OK(stad_store_event_insert(f->s, &e));
}

/* City of 4 x 4 km (RD offsets 100000, 400000); buurt West (x < 2 km) and East.
 * Last 28 days before `to`:
 *   cluster A: 20 burglaries in the 2 x 2 cells from (1000,1000) (5 per cell), 12 on
 *              Astraat, 8 on Bstraat;
 *   cluster B: 8 burglaries in the 2 x 2 cells from (3000,3000), on Cweg;
 *   one lone burglary at (500, 3500) (West) and one at (3500, 500) (East).
 * The 28 days before: 5 burglaries in cluster A, 1 in cluster B.
 * Plus 3 bike thefts in cluster B (another kind, filtered out). */
static int setup_store(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(stad_ctx_new(&f->ctx), 0);
    char path[1100];
    snprintf(path, sizeof path, "%s/hotspot.db", tmpdir);
    unlink(path);
    char side[1200];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    OK(stad_store_open(f->ctx, path, &f->s));
    OK(stad_store_begin(f->s));
    f->wijk = add_area(f, "wijk", "WK01", "Centrum", 0, 100000, 400000, 104000, 404000);
    f->west = add_area(f, "buurt", "BU0101", "West", f->wijk, 100000, 400000, 102000, 404000);
    f->east = add_area(f, "buurt", "BU0102", "East", f->wijk, 102000, 400000, 104000, 404000);
    int64_t src;
    OK(stad_store_source_ensure(f->s, "politie", &src));
    stad_batch_row b = {.source_id = src, .file_name = "f.csv", .file_path = "f.csv",
                        .sha256 = "1111111111111111111111111111111111111111111111111111111111111111",
                        .target = "event"};
    OK(stad_store_batch_create(f->s, &b, &f->batch));
    f->to = stad_days_from_civil(2017, 10, 1) * 86400;
    int64_t now = f->to - 10 * 86400, before = f->to - 40 * 86400;
    for (int i = 0; i < 20; i++) {
        double x = 1000 + 100 * (i % 2) + 50, y = 1000 + 100 * ((i / 2) % 2) + 50;
        add_event(f, "burglary.residential", now + i * 60, x, y, i < 12 ? "Astraat" : "Bstraat", 1);
    }
    for (int i = 0; i < 8; i++) {
        double x = 3000 + 100 * (i % 2) + 30, y = 3000 + 100 * ((i / 2) % 2) + 30;
        add_event(f, "burglary.residential", now + i * 60, x, y, "Cweg", 1);
    }
    add_event(f, "burglary.residential", now, 500, 3500, "Dpad", 1);
    add_event(f, "burglary.residential", now, 3500, 500, "Elaan", 1);
    for (int i = 0; i < 5; i++)
        add_event(f, "burglary.residential", before + i, 1050, 1050, "Astraat", 1);
    add_event(f, "burglary.residential", before, 3050, 3050, "Cweg", 1);
    for (int i = 0; i < 3; i++)
        add_event(f, "theft.bike", now, 3050, 3050, "Cweg", 1);
    OK(stad_store_commit(f->s));
    *state = f;
    return 0;
}

static int teardown_store(void **state)
{
    fixture *f = *state;
    stad_store_close(f->s);
    stad_ctx_free(f->ctx);
    free(f);
    return 0;
}

static const char *const BURGLARY[] = {"burglary"};

static stad_event_filter period_filter(const fixture *f)
{
    stad_event_filter flt = {.kinds = BURGLARY, .n_kinds = 1, .has_period = 1,
                             .t_min = f->to - 28 * 86400, .t_max = f->to};
    return flt;
}

static void test_hotspots_store(void **state)
{
    fixture *f = *state;
    stad_event_filter flt = period_filter(f);
    stad_hotspot_opts o = {.cell = 100, .bandwidth = 150};
    stad_hotspots *h = NULL;
    OK(stad_hotspot_compute(f->ctx, f->s, &flt, &o, &h));
    /* Grid: the areas (0..4000) plus 150 m: origin 99800, 41 + 3 cells a side. */
    NEAR(h->grid.x0, 99800, 0);
    NEAR(h->grid.y0, 399800, 0);
    assert_int_equal(h->total, 30);
    assert_int_equal(h->prev_to, h->from);
    assert_int_equal(h->to - h->from, h->prev_to - h->prev_from);
    assert_int_equal(h->n, 2);
    const stad_hotspot *a = &h->items[0], *b = &h->items[1];
    assert_int_equal(a->rank, 1);
    assert_int_equal(a->count, 20);
    NEAR(a->share, 20.0 / 30, 1e-12);
    /* The four cluster cells and (at least) their edge neighbours are hot. */
    assert_true(a->n_cells >= 12);
    NEAR(a->x, 101100, 1e-6);
    NEAR(a->y, 401100, 1e-6);
    assert_true(a->lon > 3 && a->lon < 8 && a->lat > 50 && a->lat < 54);
    assert_string_equal(a->buurt_code, "BU0101");
    assert_string_equal(a->buurt_name, "West");
    assert_string_equal(a->wijk_name, "Centrum");
    assert_int_equal(a->n_streets, 2);
    assert_string_equal(a->streets[0], "Astraat");
    assert_string_equal(a->streets[1], "Bstraat");
    /* Trend: 20 now, 5 before: ratio 4, p = rate_p(20, 5). */
    assert_int_equal(a->previous, 5);
    NEAR(a->ratio, 4, 1e-12);
    NEAR(a->p_value, stad_hotspot_rate_p(20, 5, 0.5), 1e-15);
    assert_true(a->p_value < 0.01);
    assert_int_equal(b->count, 8);
    assert_string_equal(b->buurt_code, "BU0102");
    assert_string_equal(b->streets[0], "Cweg");
    assert_int_equal(b->previous, 1);
    /* Lone events are not hotspots; the hot cells list is ordered by hotspot. */
    assert_true(h->n_hot >= a->n_cells + b->n_cells);
    int last = 0;
    int64_t in_cells = 0;
    for (size_t i = 0; i < h->n_hot; i++) {
        assert_true(h->cells[i].hotspot >= last);
        last = h->cells[i].hotspot;
        assert_true(h->cells[i].z > 0 && h->cells[i].q <= 0.05);
        in_cells += h->cells[i].count;
    }
    assert_int_equal(in_cells, 28);
    /* The study area: cells whose centres lie in the buurten (40 x 40) - the
     * events all lie inside. */
    assert_int_equal(h->n_tested, 1600);
    assert_true(isnan(h->z[0]));
    /* The density at a cluster cell is positive; WGS84 ring of a hot cell closes. */
    assert_true(h->cells[0].density > 0);
    stad_transform *t = NULL;
    OK(stad_hotspot_transform(f->ctx, f->s, &t));
    double ring[10];
    OK(stad_hotspot_cell_ring(t, &h->grid, h->cells[0].cell, ring));
    NEAR(ring[0], ring[8], 0);
    NEAR(ring[1], ring[9], 0);
    assert_true(ring[2] > ring[0] && ring[5] > ring[3]);
    stad_transform_free(t);
    stad_hotspot_free(h);

    /* all_cells: the margin cells are tested too. */
    o.all_cells = 1;
    OK(stad_hotspot_compute(f->ctx, f->s, &flt, &o, &h));
    assert_int_equal(h->n_tested, (size_t)h->grid.nx * h->grid.ny);
    assert_int_equal(h->n, 2);
    stad_hotspot_free(h);
    stad_hotspot_free(NULL);

    /* No period: the 28 days up to the latest event's day. */
    stad_event_filter all = {.kinds = BURGLARY, .n_kinds = 1};
    int64_t from, to;
    OK(stad_hotspot_period(f->ctx, f->s, &all, &from, &to));
    assert_int_equal(to, f->to - 9 * 86400);
    assert_int_equal(to - from, 28 * 86400);
}

static void test_change_store(void **state)
{
    fixture *f = *state;
    stad_event_filter flt = period_filter(f);
    stad_hotspot_change *c = NULL;
    OK(stad_hotspot_change_compute(f->ctx, f->s, &flt, "buurt", 0.05, &c));
    /* West: 20 + 1 now, 5 before; East: 8 + 1 now, 1 before. */
    assert_int_equal(c->n, 2);
    assert_int_equal(c->total, 30);
    assert_int_equal(c->total_previous, 6);
    assert_string_equal(c->rows[0].code, "BU0101");
    assert_string_equal(c->rows[0].name, "West");
    assert_int_equal(c->rows[0].count, 21);
    assert_int_equal(c->rows[0].previous, 5);
    NEAR(c->rows[0].ratio, 4.2, 1e-12);
    NEAR(c->rows[0].p_value, stad_hotspot_rate_p(21, 5, 0.5), 1e-15);
    /* East: 9 vs 1 -> p = 2 (1 + 10) / 1024 = 22/1024 = 0.021484375; BH with m = 2:
     * West's p is smaller, so East's q = max(p_w * 2 / 1 capped by, p_e) = p_e. */
    REL(c->rows[1].p_value, 22.0 / 1024, 1e-9);
    REL(c->rows[1].q_value, 22.0 / 1024, 1e-9);
    assert_int_equal(c->rows[1].significant, 1);
    stad_hotspot_change_free(c);
    OK(stad_hotspot_change_compute(f->ctx, f->s, &flt, "wijk", 0, &c));
    assert_int_equal(c->n, 1);
    assert_int_equal(c->rows[0].count, 30);
    stad_hotspot_change_free(c);
    assert_int_equal(stad_hotspot_change_compute(f->ctx, f->s, &flt, "street", 0, &c),
                     STAD_EINVAL);
    stad_hotspot_change_free(NULL);
}

static void test_flexteam_store(void **state)
{
    fixture *f = *state;
    stad_event_filter flt = period_filter(f);
    stad_flexteam_opts o = {.shifts = 3, .hotspot = {.cell = 100, .bandwidth = 150}};
    stad_flexteam *ft = NULL;
    OK(stad_flexteam_compute(f->ctx, f->s, &flt, &o, &ft));
    /* Expected = recent x 14 / 28: hotspot A 10, hotspot B 4, then the buurten by
     * their events outside hotspots: one each (0.5); West before East by id. */
    assert_int_equal(ft->n, 3);
    assert_int_equal(ft->picks[0].hotspot, 1);
    NEAR(ft->picks[0].expected, 10, 1e-12);
    assert_int_equal(ft->picks[1].hotspot, 2);
    NEAR(ft->picks[1].expected, 4, 1e-12);
    assert_int_equal(ft->picks[2].hotspot, 0);
    assert_string_equal(ft->picks[2].area_code, "BU0101");
    NEAR(ft->picks[2].expected, 0.5, 1e-12);
    NEAR(ft->expected_total, 15, 1e-12);
    assert_int_equal(ft->from, f->to);
    assert_int_equal(ft->to, f->to + 14 * 86400);
    assert_non_null(strstr(ft->picks[0].reason, "hotspot 1 near Astraat (West): 20 burglary"));
    assert_non_null(strstr(ft->picks[0].reason, "up from 5"));
    assert_non_null(strstr(ft->picks[2].reason, "buurt West"));
    stad_flexteam_free(ft);
    o.shifts = 0;
    assert_int_equal(stad_flexteam_compute(f->ctx, f->s, &flt, &o, &ft), STAD_EINVAL);
    stad_flexteam_free(NULL);
}

/* A forecast that puts all expectation in cluster B's cells. */
static int forecast_b(void *user, const stad_hotspot_grid *g, int64_t from, int64_t to,
                      double *expected)
{
    (void)user;
    assert_true(to - from == 14 * 86400);
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            double x = g->x0 + (i + 0.5) * g->cell - 100000;
            double y = g->y0 + (j + 0.5) * g->cell - 400000;
            expected[(size_t)j * g->nx + i] = (x > 3000 && x < 3200 && y > 3000 && y < 3200) ? 1.5 : 0;
        }
    return 0;
}

static void test_flexteam_forecast(void **state)
{
    fixture *f = *state;
    stad_event_filter flt = period_filter(f);
    stad_flexteam_opts o = {.shifts = 1, .hotspot = {.cell = 100, .bandwidth = 150},
                            .forecast = forecast_b};
    stad_flexteam *ft = NULL;
    OK(stad_flexteam_compute(f->ctx, f->s, &flt, &o, &ft));
    assert_int_equal(ft->n, 1);
    assert_int_equal(ft->picks[0].hotspot, 2);
    NEAR(ft->picks[0].expected, 6, 1e-12);
    assert_non_null(strstr(ft->picks[0].reason, "(forecast)"));
    stad_flexteam_free(ft);
}

int main(void)
{
    const char *tmp = getenv("STAD_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/hotspot", tmp && *tmp ? tmp : "/tmp/stad-test");
    mkdir_p(tmpdir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_counts),
        cmocka_unit_test(test_rate_p),
        cmocka_unit_test(test_fdr),
        cmocka_unit_test(test_kde_three_points),
        cmocka_unit_test(test_gistar_pattern),
        cmocka_unit_test(test_label_two_clusters),
        cmocka_unit_test(test_label_bounded),
        cmocka_unit_test_setup_teardown(test_hotspots_store, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_change_store, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_flexteam_store, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_flexteam_forecast, setup_store, teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
