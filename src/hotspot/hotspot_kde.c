/* Kernel density on a grid: binned (linear binning on a sub-grid, then convolution
 * read at the cell centres) and exact (sum over events). See hotspot.h for the
 * choice of convolution per kernel. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hotspot/hotspot_internal.h"

#define M2_PER_KM2 1e6
#define GAUSS_TRUNC 4.0              /* binned Gaussian support, in sigmas */
#define FINE_MAX_NODES (64u << 20)   /* sub-grid size limit (512 MiB of doubles) */

void stad_kde_free(stad_kde *k)
{
    if (!k)
        return;
    free(k->density);
    free(k);
}

/* Per-axis standard deviation of the kernel: the binning error scales with
 * (spacing / sd)^2. Quartic: E[r^2] = h^2/4 for the 2-D biweight, so h/sqrt(8). */
static double kernel_sd(stad_kde_kernel k, double h)
{
    return k == STAD_KDE_GAUSSIAN ? h : h / sqrt(8.0);
}

static double support(stad_kde_kernel k, double h)
{
    return k == STAD_KDE_GAUSSIAN ? GAUSS_TRUNC * h : h;
}

/* Kernel normalisation in events per km^2. */
static double kernel_norm(stad_kde_kernel k, double h)
{
    return k == STAD_KDE_GAUSSIAN ? M2_PER_KM2 / (2 * M_PI * h * h)
                                  : M2_PER_KM2 * 3 / (M_PI * h * h);
}

static void kde_exact(const stad_hotspot_grid *g, stad_kde_kernel kern, double h,
                      const double *x, const double *y, const double *w, size_t n,
                      double *dens, double *ex, double *ey)
{
    int nx = g->nx, ny = g->ny;
    double cs = g->cell;
    if (kern == STAD_KDE_GAUSSIAN) {
        /* exp(-(dx^2+dy^2)/2s^2) = exp(-dx^2/2s^2) exp(-dy^2/2s^2): the same sum,
         * with nx + ny exponentials per event instead of nx * ny. */
        double inv = 1.0 / (2 * h * h);
        for (size_t k = 0; k < n; k++) {
            if (!isfinite(x[k]) || !isfinite(y[k]))
                continue;
            double wk = w ? w[k] : 1.0;
            for (int i = 0; i < nx; i++) {
                double d = g->x0 + (i + 0.5) * cs - x[k];
                ex[i] = exp(-d * d * inv);
            }
            for (int j = 0; j < ny; j++) {
                double d = g->y0 + (j + 0.5) * cs - y[k];
                ey[j] = wk * exp(-d * d * inv);
            }
            for (int j = 0; j < ny; j++) {
                double a = ey[j];
                if (a == 0)
                    continue;
                double *row = dens + (size_t)j * nx;
                for (int i = 0; i < nx; i++)
                    row[i] += a * ex[i];
            }
        }
        return;
    }
    double h2 = h * h;
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(x[k]) || !isfinite(y[k]))
            continue;
        double wk = w ? w[k] : 1.0;
        /* Only cells within the disc of radius h can get anything. */
        int i0 = (int)floor((x[k] - h - g->x0) / cs), i1 = (int)ceil((x[k] + h - g->x0) / cs);
        int j0 = (int)floor((y[k] - h - g->y0) / cs), j1 = (int)ceil((y[k] + h - g->y0) / cs);
        i0 = i0 < 0 ? 0 : i0;
        j0 = j0 < 0 ? 0 : j0;
        i1 = i1 > nx ? nx : i1;
        j1 = j1 > ny ? ny : j1;
        for (int j = j0; j < j1; j++) {
            double dy = g->y0 + (j + 0.5) * cs - y[k];
            for (int i = i0; i < i1; i++) {
                double dx = g->x0 + (i + 0.5) * cs - x[k];
                double u = 1 - (dx * dx + dy * dy) / h2;
                if (u > 0)
                    dens[(size_t)j * nx + i] += wk * u * u;
            }
        }
    }
}

/* The sub-grid: nodes at fx0 + (k + .5) d, k in [0, NX); the output cell i has its
 * centre on node offset P + i*sub + (sub-1)/2 (+ .5 when sub is even). */
typedef struct fine {
    int sub, pad;
    size_t NX, NY;
    double d, fx0, fy0;
    double *v;
} fine;

static void bin_linear(fine *fg, const double *x, const double *y, const double *w,
                       size_t n)
{
    double inv = 1.0 / fg->d;
    long NX = (long)fg->NX, NY = (long)fg->NY;
    for (size_t k = 0; k < n; k++) {
        double fx = (x[k] - fg->fx0) * inv - 0.5, fy = (y[k] - fg->fy0) * inv - 0.5;
        /* Outside the padded sub-grid an event is beyond the support of every cell
         * (and NaN fails these tests too). */
        if (!(fx >= 0 && fy >= 0 && fx < NX - 1 && fy < NY - 1))
            continue;
        long i = (long)fx, j = (long)fy;
        double tx = fx - i, ty = fy - j, wk = w ? w[k] : 1.0;
        double *p = fg->v + j * NX + i;
        p[0] += wk * (1 - tx) * (1 - ty);
        p[1] += wk * tx * (1 - ty);
        p[NX] += wk * (1 - tx) * ty;
        p[NX + 1] += wk * tx * ty;
    }
}

/* Signed distance in metres from an output centre to node offset m (relative to the
 * first node of the cell). */
static double tap_dist(const fine *fg, int m)
{
    return fg->d * (m + 0.5 - fg->sub / 2.0);
}

static int conv_gauss(const stad_hotspot_grid *g, const fine *fg, double s, double *dens)
{
    int R = (int)ceil(GAUSS_TRUNC * s / fg->d) + 1;
    int mlo = -R, mhi = fg->sub - 1 + R;
    int ntap = mhi - mlo + 1;
    double *tap = malloc((size_t)ntap * sizeof *tap);
    double *tmp = calloc(fg->NY * (size_t)g->nx, sizeof *tmp);
    if (!tap || !tmp) {
        free(tap);
        free(tmp);
        return STAD_ENOMEM;
    }
    double inv = 1.0 / (2 * s * s);
    for (int m = mlo; m <= mhi; m++) {
        double dd = tap_dist(fg, m);
        tap[m - mlo] = fabs(dd) <= GAUSS_TRUNC * s ? exp(-dd * dd * inv) : 0;
    }
    /* Pass 1, along x on every sub-grid row, read only at the output columns. Taps
     * outermost, so the sums of different columns do not wait on each other. */
    for (size_t r = 0; r < fg->NY; r++) {
        const double *row = fg->v + r * fg->NX + fg->pad + mlo;
        double *o = tmp + r * (size_t)g->nx;
        for (int t = 0; t < ntap; t++) {
            double a = tap[t];
            if (a == 0)
                continue;
            const double *src = row + t;
            for (int i = 0; i < g->nx; i++)
                o[i] += a * src[(size_t)i * fg->sub];
        }
    }
    /* Pass 2, along y, read only at the output rows. */
    for (int j = 0; j < g->ny; j++) {
        double *o = dens + (size_t)j * g->nx;
        size_t r0 = (size_t)(fg->pad + (long)j * fg->sub + mlo);
        for (int t = 0; t < ntap; t++) {
            double a = tap[t];
            if (a == 0)
                continue;
            const double *src = tmp + (r0 + (size_t)t) * (size_t)g->nx;
            for (int i = 0; i < g->nx; i++)
                o[i] += a * src[i];
        }
    }
    free(tap);
    free(tmp);
    return 0;
}

/* The radial quartic is not a product of 1-D kernels, so a direct disc stencil:
 * per stencil row, a contiguous run of weights. */
static int conv_quartic(const stad_hotspot_grid *g, const fine *fg, double h, double *dens)
{
    int R = (int)ceil(h / fg->d) + 1;
    int mlo = -R, mhi = fg->sub - 1 + R;
    int ntap = mhi - mlo + 1;
    double *st = calloc((size_t)ntap * ntap, sizeof *st);
    int *lo = malloc((size_t)ntap * sizeof *lo), *hi = malloc((size_t)ntap * sizeof *hi);
    if (!st || !lo || !hi) {
        free(st);
        free(lo);
        free(hi);
        return STAD_ENOMEM;
    }
    double h2 = h * h;
    for (int a = 0; a < ntap; a++) {
        double dy = tap_dist(fg, a + mlo);
        lo[a] = ntap;
        hi[a] = -1;
        for (int b = 0; b < ntap; b++) {
            double dx = tap_dist(fg, b + mlo);
            double u = 1 - (dx * dx + dy * dy) / h2;
            if (u > 0) {
                st[(size_t)a * ntap + b] = u * u;
                lo[a] = b < lo[a] ? b : lo[a];
                hi[a] = b;
            }
        }
    }
    for (int j = 0; j < g->ny; j++) {
        for (int i = 0; i < g->nx; i++) {
            double acc = 0;
            size_t r0 = (size_t)(fg->pad + (long)j * fg->sub + mlo);
            size_t c0 = (size_t)(fg->pad + (long)i * fg->sub + mlo);
            for (int a = 0; a < ntap; a++) {
                if (hi[a] < 0)
                    continue;
                const double *src = fg->v + (r0 + (size_t)a) * fg->NX + c0;
                const double *k = st + (size_t)a * ntap;
                /* Four partial sums: one long chain of dependent adds is latency-bound. */
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int b = lo[a];
                for (; b + 3 <= hi[a]; b += 4) {
                    s0 += k[b] * src[b];
                    s1 += k[b + 1] * src[b + 1];
                    s2 += k[b + 2] * src[b + 2];
                    s3 += k[b + 3] * src[b + 3];
                }
                for (; b <= hi[a]; b++)
                    s0 += k[b] * src[b];
                acc += (s0 + s1) + (s2 + s3);
            }
            dens[(size_t)j * g->nx + i] = acc;
        }
    }
    free(st);
    free(lo);
    free(hi);
    return 0;
}

static int kde_binned(stad_ctx *ctx, const stad_hotspot_grid *g, const stad_kde_opts *o,
                      double h, const double *x, const double *y, const double *w,
                      size_t n, double *dens)
{
    fine fg = {0};
    fg.sub = o->oversample;
    if (fg.sub <= 0) {
        /* Linear binning moves each event by up to half a spacing d; the relative
         * error at distance r from an event is about d^2/8 (r^2/sd^2 - 1) / sd^2 per
         * axis, so d = sd/16 keeps it under 0.5% out to the 1%-of-peak contour
         * (r = 3 sd). Cost grows with the square of the sub-grid factor. */
        double want = kernel_sd(o->kernel, h) / 16;
        fg.sub = (int)ceil(g->cell / want);
        if (fg.sub < 1)
            fg.sub = 1;
        if (fg.sub > 32)
            fg.sub = 32;
    }
    for (;;) {
        fg.d = g->cell / fg.sub;
        fg.pad = (int)ceil(support(o->kernel, h) / fg.d) + 2;
        fg.NX = (size_t)g->nx * fg.sub + 2 * (size_t)fg.pad;
        fg.NY = (size_t)g->ny * fg.sub + 2 * (size_t)fg.pad;
        if (fg.NX * fg.NY <= FINE_MAX_NODES || fg.sub == 1)
            break;
        fg.sub--; /* coarser sub-grid rather than failing on a huge area */
    }
    if (fg.NX * fg.NY > FINE_MAX_NODES)
        return stad_fail(ctx, STAD_ERANGE, "KDE grid too large for bandwidth %g m", h);
    if (o->kernel == STAD_KDE_QUARTIC && o->oversample <= 0) {
        /* The quartic has a compact disc: scattering each event onto the cells of its
         * disc is exact and costs events x (pi h^2 / cell^2), which beats the stencil
         * (cells x pi h^2 / d^2) until events outnumber cells x sub^2. */
        double disc = M_PI * (h / g->cell + 1) * (h / g->cell + 1);
        double stencil = M_PI * (h / fg.d + 1) * (h / fg.d + 1);
        if ((double)n * disc <= (double)g->nx * g->ny * stencil) {
            kde_exact(g, o->kernel, h, x, y, w, n, dens, NULL, NULL);
            return 0;
        }
    }
    fg.fx0 = g->x0 - fg.pad * fg.d;
    fg.fy0 = g->y0 - fg.pad * fg.d;
    fg.v = calloc(fg.NX * fg.NY, sizeof *fg.v);
    if (!fg.v)
        return stad_fail(ctx, STAD_ENOMEM, "KDE sub-grid of %zu x %zu", fg.NX, fg.NY);
    bin_linear(&fg, x, y, w, n);
    int rc = o->kernel == STAD_KDE_GAUSSIAN ? conv_gauss(g, &fg, h, dens)
                                            : conv_quartic(g, &fg, h, dens);
    free(fg.v);
    if (rc)
        return stad_fail(ctx, rc, "KDE convolution");
    return 0;
}

int stad_kde_points(stad_ctx *ctx, const double *x, const double *y, const double *w,
                    size_t n, const stad_kde_opts *opts, stad_kde **out)
{
    *out = NULL;
    stad_kde_opts o = {0};
    if (opts)
        o = *opts;
    if (o.cell == 0)
        o.cell = STAD_HOTSPOT_CELL_DEFAULT;
    if (o.bandwidth == 0)
        o.bandwidth = STAD_HOTSPOT_BANDWIDTH_DEFAULT;
    if (!(o.cell > 0) || !(o.bandwidth > 0) || !isfinite(o.bandwidth))
        return stad_fail(ctx, STAD_EINVAL, "KDE: cell and bandwidth must be positive");
    if (o.kernel != STAD_KDE_QUARTIC && o.kernel != STAD_KDE_GAUSSIAN)
        return stad_fail(ctx, STAD_EINVAL, "KDE: unknown kernel %d", (int)o.kernel);
    double h = o.bandwidth;
    stad_kde *k = calloc(1, sizeof *k);
    if (!k)
        return stad_fail(ctx, STAD_ENOMEM, "KDE");
    int rc = 0;
    if (o.grid)
        k->grid = *o.grid;
    else
        rc = stad_hotspot_grid_fit(ctx, x, y, n, o.cell, support(o.kernel, h), &k->grid);
    size_t ncell = (size_t)k->grid.nx * (size_t)k->grid.ny;
    if (!rc && ncell == 0)
        rc = stad_fail(ctx, STAD_EINVAL, "KDE: empty grid");
    if (!rc && !(k->density = calloc(ncell, sizeof *k->density)))
        rc = stad_fail(ctx, STAD_ENOMEM, "KDE grid of %zu cells", ncell);
    if (!rc) {
        for (size_t i = 0; i < n; i++)
            if (isfinite(x[i]) && isfinite(y[i]))
                k->total += w ? w[i] : 1.0;
        if (o.mode == STAD_KDE_EXACT) {
            double *ex = malloc(((size_t)k->grid.nx + (size_t)k->grid.ny) * sizeof *ex);
            if (!ex)
                rc = stad_fail(ctx, STAD_ENOMEM, "KDE");
            else
                kde_exact(&k->grid, o.kernel, h, x, y, w, n, k->density, ex,
                          ex + k->grid.nx);
            free(ex);
        } else {
            rc = kde_binned(ctx, &k->grid, &o, h, x, y, w, n, k->density);
        }
    }
    if (rc) {
        stad_kde_free(k);
        return rc;
    }
    double c = kernel_norm(o.kernel, h);
    for (size_t i = 0; i < ncell; i++) {
        /* Rounding in the convolution can leave -1e-18 where nothing is. */
        double v = k->density[i] * c;
        k->density[i] = v > 0 ? v : 0;
        if (v > k->max)
            k->max = v;
    }
    *out = k;
    return 0;
}

int stad_kde_compute(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                     const stad_kde_opts *opts, stad_kde **out)
{
    *out = NULL;
    stad_events *e = NULL;
    int rc = stad_events_load(s, f, &e);
    if (rc)
        return rc;
    double *w = malloc((e->n ? e->n : 1) * sizeof *w);
    if (!w) {
        stad_events_free(e);
        return stad_fail(ctx, STAD_ENOMEM, "KDE");
    }
    for (size_t i = 0; i < e->n; i++)
        w[i] = e->count[i];
    rc = stad_kde_points(ctx, e->x, e->y, w, e->n, opts, out);
    free(w);
    stad_events_free(e);
    return rc;
}
