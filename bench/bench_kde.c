/* Benchmark of the hotspot KDE.
 * (a) binned Gaussian KDE of 100,000 events on a 200 x 200 grid (100 m cells,
 *     sigma 250 m): time, the ratio to scipy.stats.gaussian_kde on the same points
 *     and grid (bench/kde_scipy.py), and the binning error against stad's exact mode
 *     on every cell above 1% of the maximum; the same error for the quartic kernel;
 * (b) exact mode against scipy on a small case (8 points, isotropic by symmetry);
 * (c) binned time for 1,000,000 and 10,000,000 events.
 * Prints numbers and ratios; asserts nothing about time. Scratch files in $STAD_TMP.
 * STAD_BENCH_SCIPY_ROWS=N makes scipy evaluate only N grid rows (time scaled up). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stad/hotspot.h"

#define NX 200
#define NY 200
#define CELL 100.0
#define SIGMA 250.0

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double urand(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return ((double)((rng * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}
static double nrand(void)
{
    return sqrt(-2 * log(urand())) * cos(2 * M_PI * urand());
}

/* A city-like pattern on 20 x 20 km: 60% in 40 clusters (sd 100..600 m), 40% spread. */
static void make_points(double *x, double *y, size_t n)
{
    double cx[40], cy[40], sd[40];
    uint64_t save = rng;
    rng = 0x1234567u;
    for (int k = 0; k < 40; k++) {
        cx[k] = 2000 + 16000 * urand();
        cy[k] = 2000 + 16000 * urand();
        sd[k] = 100 + 500 * urand();
    }
    rng = save;
    for (size_t i = 0; i < n; i++) {
        if (urand() < 0.6) {
            int k = (int)(urand() * 40) % 40;
            x[i] = cx[k] + sd[k] * nrand();
            y[i] = cy[k] + sd[k] * nrand();
        } else {
            x[i] = 20000 * urand();
            y[i] = 20000 * urand();
        }
    }
}

static int write_file(const char *path, const double *a, size_t na, const double *b, size_t nb)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(a, sizeof *a, na, f) == na && (!b || fwrite(b, sizeof *b, nb, f) == nb);
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Runs the python reference and returns the value of `key` from its output. */
static double run_py(const char *cmd, const char *key, double *key2val, const char *key2)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NAN;
    char line[256];
    double v = NAN;
    size_t kl = strlen(key), k2l = key2 ? strlen(key2) : 0;
    while (fgets(line, sizeof line, p)) {
        if (strncmp(line, key, kl) == 0 && line[kl] == ' ')
            v = strtod(line + kl + 1, NULL);
        if (key2 && strncmp(line, key2, k2l) == 0 && line[k2l] == ' ')
            *key2val = strtod(line + k2l + 1, NULL);
    }
    pclose(p);
    return v;
}

/* Largest relative error of a against the reference b on cells with b >= 1% of max. */
static double max_rel_err(const stad_kde *a, const stad_kde *b, size_t *ncells)
{
    double worst = 0;
    size_t n = 0, nc = (size_t)NX * NY;
    for (size_t c = 0; c < nc; c++) {
        if (b->density[c] < 0.01 * b->max)
            continue;
        n++;
        double e = fabs(a->density[c] - b->density[c]) / b->density[c];
        if (e > worst)
            worst = e;
    }
    *ncells = n;
    return worst;
}

static double time_binned(stad_ctx *ctx, const double *x, const double *y, size_t n,
                          const stad_kde_opts *o, int reps, stad_kde **keep)
{
    double best = INFINITY;
    for (int r = 0; r < reps; r++) {
        stad_kde *k = NULL;
        double t = now();
        if (stad_kde_points(ctx, x, y, NULL, n, o, &k)) {
            fprintf(stderr, "kde: %s\n", stad_errmsg(ctx));
            exit(1);
        }
        t = now() - t;
        best = t < best ? t : best;
        if (keep && r == reps - 1)
            *keep = k;
        else
            stad_kde_free(k);
    }
    return best;
}

int main(void)
{
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 1;
    const char *tmpenv = getenv("STAD_TMP");
    char tmp[900], pts_path[1000], stad_path[1000], here[900], cmd[4096];
    snprintf(tmp, sizeof tmp, "%s", tmpenv && *tmpenv ? tmpenv : "/tmp");
    mkdir(tmp, 0777);
    snprintf(pts_path, sizeof pts_path, "%s/bench_kde_points.bin", tmp);
    snprintf(stad_path, sizeof stad_path, "%s/bench_kde_stad.bin", tmp);
    /* Debian's python3 (python3-scipy) even when another python3 comes first in PATH. */
    const char *py = getenv("STAD_PYTHON");
    if (!py || !*py)
        py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    /* kde_scipy.py sits next to this file. */
    snprintf(here, sizeof here, "%s", __FILE__);
    char *slash = strrchr(here, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(here, sizeof here, ".");

    stad_hotspot_grid g = {0, 0, CELL, NX, NY};
    size_t nmax = 10000000, n = 100000;
    double *x = malloc(nmax * sizeof *x), *y = malloc(nmax * sizeof *y);
    if (!x || !y)
        return 1;
    make_points(x, y, nmax);

    /* (a) 100k events, Gaussian. */
    stad_kde_opts o = {.cell = CELL, .bandwidth = SIGMA, .kernel = STAD_KDE_GAUSSIAN, .grid = &g};
    stad_kde *bin = NULL, *ex = NULL;
    double t_bin = time_binned(ctx, x, y, n, &o, 5, &bin);
    o.mode = STAD_KDE_EXACT;
    double t_ex = time_binned(ctx, x, y, n, &o, 1, &ex);
    size_t ncells;
    double err = max_rel_err(bin, ex, &ncells);
    printf("KDE gaussian, sigma %.0f m, %zu events, %d x %d cells of %.0f m\n", SIGMA, n, NX,
           NY, CELL);
    printf("  stad binned      %10.4f s\n", t_bin);
    printf("  stad exact       %10.4f s   (binned is %.0fx faster)\n", t_ex, t_ex / t_bin);
    printf("  binning error    %10.3e     max relative, over %zu cells >= 1%% of max\n", err,
           ncells);
    stad_kde_free(bin);
    stad_kde_free(ex);

    double xy[2 * 100000];
    memcpy(xy, x, n * sizeof *x);
    memcpy(xy + n, y, n * sizeof *y);
    if (write_file(pts_path, xy, 2 * n, NULL, 0) == 0) {
        const char *rows = getenv("STAD_BENCH_SCIPY_ROWS");
        snprintf(cmd, sizeof cmd, "%s '%s/kde_scipy.py' time '%s' 0 0 %g %d %d %g %s",
                 py, here, pts_path, CELL, NX, NY, SIGMA, rows && *rows ? rows : "");
        double srows = NAN;
        double t_scipy = run_py(cmd, "scipy_time", &srows, "scipy_rows");
        if (isnan(t_scipy)) {
            printf("  scipy            (not available: python3-scipy missing?)\n");
        } else {
            printf("  scipy gaussian_kde %8.2f s%s\n", t_scipy,
                   srows < NY ? "   (extrapolated from fewer grid rows)" : "");
            printf("  ratio scipy / stad binned: %.0fx\n", t_scipy / t_bin);
        }
    }

    /* Quartic, same events: the binned stencil against exact. */
    o = (stad_kde_opts){.cell = CELL, .bandwidth = SIGMA, .kernel = STAD_KDE_QUARTIC, .grid = &g};
    t_bin = time_binned(ctx, x, y, n, &o, 3, &bin);
    o.mode = STAD_KDE_EXACT;
    t_ex = time_binned(ctx, x, y, n, &o, 1, &ex);
    err = max_rel_err(bin, ex, &ncells);
    printf("KDE quartic, h %.0f m, %zu events: binned %.4f s, exact %.4f s, max rel error "
           "%.3e over %zu cells >= 1%% of max\n",
           SIGMA, n, t_bin, t_ex, err, ncells);
    stad_kde_free(bin);
    /* The same with the binned stencil forced (what runs for many events): the
     * automatic sub-grid for h = 250 m on 100 m cells is 19 per cell. */
    o = (stad_kde_opts){.cell = CELL, .bandwidth = SIGMA, .kernel = STAD_KDE_QUARTIC,
                        .grid = &g, .oversample = 19};
    t_bin = time_binned(ctx, x, y, n, &o, 3, &bin);
    err = max_rel_err(bin, ex, &ncells);
    printf("KDE quartic, binned stencil forced: %.4f s, max rel error %.3e\n", t_bin, err);
    stad_kde_free(bin);
    stad_kde_free(ex);

    /* (b) exact mode against scipy: 8 points placed symmetrically about (1000, 2000),
     * so their sample covariance is isotropic and gaussian_kde can express sigma^2 I. */
    {
        double px[8] = {1150, 850, 1000, 1000, 1070, 1070, 930, 930};
        double qy[8] = {2000, 2000, 2150, 1850, 2070, 1930, 2070, 1930};
        stad_hotspot_grid sg = {500, 1500, 50, 20, 20};
        stad_kde_opts so = {.bandwidth = 100, .kernel = STAD_KDE_GAUSSIAN,
                            .mode = STAD_KDE_EXACT, .grid = &sg};
        stad_kde *k = NULL;
        if (!stad_kde_points(ctx, px, qy, NULL, 8, &so, &k) &&
            write_file(pts_path, px, 8, qy, 8) == 0 &&
            write_file(stad_path, k->density, 400, NULL, 0) == 0) {
            snprintf(cmd, sizeof cmd,
                     "%s '%s/kde_scipy.py' exact '%s' '%s' 500 1500 50 20 20 100", py, here,
                     pts_path, stad_path);
            double numpy_err = NAN;
            double scipy_err = run_py(cmd, "max_rel_scipy", &numpy_err, "max_rel_numpy");
            printf("exact mode, 8 points, 20 x 20 cells: max relative difference to scipy "
                   "%.3e, to a numpy sum %.3e\n",
                   scipy_err, numpy_err);
        }
        stad_kde_free(k);
    }

    /* (c) scaling: binned time only. */
    o = (stad_kde_opts){.cell = CELL, .bandwidth = SIGMA, .kernel = STAD_KDE_GAUSSIAN, .grid = &g};
    for (size_t m = 1000000; m <= nmax; m *= 10) {
        double tg = time_binned(ctx, x, y, m, &o, 3, NULL);
        o.kernel = STAD_KDE_QUARTIC;
        double tq = time_binned(ctx, x, y, m, &o, 3, NULL);
        o.kernel = STAD_KDE_GAUSSIAN;
        printf("binned, %8zu events: gaussian %.4f s, quartic %.4f s\n", m, tg, tq);
    }
    free(x);
    free(y);
    stad_ctx_free(ctx);
    return 0;
}
