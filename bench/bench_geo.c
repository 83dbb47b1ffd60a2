/* Benchmark of the geo module.
 * (a) the grid area index against a brute-force bbox + crossing-number loop;
 * (b) RD New <-> WGS84 round-trip error and the Amersfoort reference point.
 * Prints numbers and ratios; asserts nothing about time.
 * Uses $STAD_SHARED_DATA (Utrecht buurten) and $STAD_TMP (a scratch store). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../src/geo/geo_polygon.h"
#include "stad/geo.h"
#include "stad/strbuf.h"

#define N_POINTS 1000000
#define N_BASELINE 100000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static double urand(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static void mkdir_p(char *p)
{
    for (char *c = p + 1;; c++) {
        if (*c == '/' || *c == '\0') {
            char save = *c;
            *c = '\0';
            mkdir(p, 0777);
            *c = save;
            if (!save)
                break;
        }
    }
}

static void unlink_store(const char *path)
{
    const char *suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        stad_strbuf p = STAD_STRBUF_INIT;
        stad_strbuf_printf(&p, "%s%s", path, suffix[i]);
        unlink(stad_strbuf_str(&p));
        stad_strbuf_free(&p);
    }
}

typedef struct polys {
    geo_polygon *v;
    size_t n;
} polys;

static int keep_poly(void *user, const stad_area_row *a)
{
    polys *ps = user;
    geo_polygon *nv = realloc(ps->v, (ps->n + 1) * sizeof *nv);
    if (!nv)
        return 1;
    ps->v = nv;
    if (geo_polygon_from_wkb(&ps->v[ps->n], a->wkb, a->wkb_len))
        return 1;
    ps->v[ps->n++].id = a->id;
    return 0;
}

static int64_t brute_locate(const polys *ps, double x, double y)
{
    for (size_t i = 0; i < ps->n; i++) {
        const geo_polygon *p = &ps->v[i];
        if (x < p->minx || x > p->maxx || y < p->miny || y > p->maxy)
            continue;
        if (geo_polygon_contains(p, x, y))
            return p->id;
    }
    return 0;
}

static int bench_index(stad_ctx *ctx)
{
    const char *data = getenv("STAD_SHARED_DATA");
    const char *tmp = getenv("STAD_TMP");
    stad_strbuf dir = STAD_STRBUF_INIT, db = STAD_STRBUF_INIT, wijk = STAD_STRBUF_INIT,
                buurt = STAD_STRBUF_INIT;
    stad_strbuf_append(&dir, tmp && *tmp ? tmp : "/tmp/stad-bench");
    mkdir_p(dir.s);
    stad_strbuf_printf(&db, "%s/bench-geo-%ld.db", dir.s, (long)getpid());
    const char *d = data && *data ? data : "../shared/data";
    stad_strbuf_printf(&wijk, "%s/utrecht/wijken-buurten-2013/utrecht_wijk_2013_rd.geojson", d);
    stad_strbuf_printf(&buurt, "%s/utrecht/wijken-buurten-2013/utrecht_buurt_2013_rd.geojson",
                       d);
    stad_store *s = NULL;
    stad_area_index *ix = NULL;
    polys ps = {NULL, 0};
    double *px = NULL, *py = NULL;
    int rc = stad_store_open(ctx, db.s, &s);
    stad_area_load_opts ow = {.level = "wijk"}, ob = {.level = "buurt"};
    size_t n;
    if (!rc)
        rc = stad_areas_load_file(ctx, s, wijk.s, &ow, &n);
    double t0 = now();
    if (!rc)
        rc = stad_areas_load_file(ctx, s, buurt.s, &ob, &n);
    double t_load = now() - t0;
    t0 = now();
    if (!rc)
        rc = stad_area_index_build(ctx, s, "buurt", &ix);
    double t_build = now() - t0;
    if (!rc && stad_store_areas_each(s, "buurt", keep_poly, &ps))
        rc = STAD_EGEO;
    if (rc) {
        fprintf(stderr, "bench_geo: %s\n", stad_errmsg(ctx));
        goto out;
    }
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < ps.n; i++) {
        minx = fmin(minx, ps.v[i].minx);
        miny = fmin(miny, ps.v[i].miny);
        maxx = fmax(maxx, ps.v[i].maxx);
        maxy = fmax(maxy, ps.v[i].maxy);
    }
    px = malloc(N_POINTS * sizeof *px);
    py = malloc(N_POINTS * sizeof *py);
    if (!px || !py) {
        rc = STAD_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < N_POINTS; i++) {
        px[i] = minx + urand() * (maxx - minx);
        py[i] = miny + urand() * (maxy - miny);
    }
    printf("areas: %zu buurten loaded in %.1f ms; index built in %.2f ms\n", ps.n,
           t_load * 1e3, t_build * 1e3);

    int64_t sum = 0;
    size_t found = 0;
    t0 = now();
    for (size_t i = 0; i < N_POINTS; i++) {
        int64_t id = stad_area_index_locate(ix, px[i], py[i], 0);
        sum += id;
        found += id != 0;
    }
    double t_grid = now() - t0;
    t0 = now();
    for (size_t i = 0; i < N_POINTS; i++)
        sum += stad_area_index_locate(ix, px[i], py[i], 25);
    double t_tol = now() - t0;
    t0 = now();
    size_t mismatch = 0;
    for (size_t i = 0; i < N_BASELINE; i++) {
        int64_t id = brute_locate(&ps, px[i], py[i]);
        mismatch += id != stad_area_index_locate(ix, px[i], py[i], 0);
    }
    double t_brute = now() - t0;
    /* The loop above also ran the grid once per point; take that share out. */
    t_brute -= t_grid * N_BASELINE / N_POINTS;
    double r_grid = N_POINTS / t_grid, r_tol = N_POINTS / t_tol,
           r_brute = N_BASELINE / t_brute;
    printf("locate, grid index:     %9zu points in %7.1f ms = %12.0f points/s (%zu inside)\n",
           (size_t)N_POINTS, t_grid * 1e3, r_grid, found);
    printf("locate, grid, tol 25 m: %9zu points in %7.1f ms = %12.0f points/s\n",
           (size_t)N_POINTS, t_tol * 1e3, r_tol);
    printf("locate, brute force:    %9zu points in %7.1f ms = %12.0f points/s\n",
           (size_t)N_BASELINE, t_brute * 1e3, r_brute);
    printf("ratio grid / brute force: %.1fx; disagreements: %zu (checksum %lld)\n",
           r_grid / r_brute, mismatch, (long long)(sum & 0xffff));
out:
    free(px);
    free(py);
    for (size_t i = 0; i < ps.n; i++)
        geo_polygon_clear(&ps.v[i]);
    free(ps.v);
    stad_area_index_free(ix);
    stad_store_close(s);
    unlink_store(stad_strbuf_str(&db));
    stad_strbuf_free(&db);
    stad_strbuf_free(&dir);
    stad_strbuf_free(&wijk);
    stad_strbuf_free(&buurt);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int bench_transform(stad_ctx *ctx)
{
    enum { N = 1000 };
    stad_transform *fwd = NULL, *back = NULL;
    int rc = stad_transform_new(ctx, STAD_CRS_DEFAULT, STAD_CRS_WGS84, &fwd);
    if (!rc)
        rc = stad_transform_new(ctx, STAD_CRS_WGS84, STAD_CRS_DEFAULT, &back);
    if (rc) {
        fprintf(stderr, "bench_geo: %s\n", stad_errmsg(ctx));
        goto out;
    }
    static double x[N], y[N], x0[N], y0[N], err[N];
    for (int i = 0; i < N; i++) {
        x0[i] = x[i] = 13000 + urand() * (278000 - 13000);
        y0[i] = y[i] = 306000 + urand() * (619000 - 306000);
    }
    double t0 = now();
    stad_transform_apply(fwd, N, x, y);
    stad_transform_apply(back, N, x, y);
    double t = now() - t0;
    double sum = 0;
    for (int i = 0; i < N; i++) {
        err[i] = hypot(x[i] - x0[i], y[i] - y0[i]);
        sum += err[i];
    }
    qsort(err, N, sizeof *err, cmp_double);
    printf("RD -> WGS84 -> RD, %d points in %.2f ms: error mean %.3g m, median %.3g m, "
           "p99 %.3g m, max %.3g m\n",
           N, t * 1e3, sum / N, err[N / 2], err[N * 99 / 100], err[N - 1]);
    double ax = 155000, ay = 463000;
    stad_transform_point(fwd, &ax, &ay);
    double dn = (ay - 52.15517) * 111320.0, de = (ax - 5.38721) * 111320.0 * cos(ay * M_PI / 180);
    printf("Amersfoort 155000 463000 -> lon %.7f lat %.7f; off the reference "
           "(5.38721, 52.15517) by %.3f m\n",
           ax, ay, hypot(dn, de));
out:
    stad_transform_free(fwd);
    stad_transform_free(back);
    return rc;
}

int main(void)
{
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 1;
    stad_set_logger(ctx, STAD_LOG_ERROR, stad_log_stderr, NULL);
    int rc = bench_index(ctx);
    int rc2 = bench_transform(ctx);
    stad_ctx_free(ctx);
    return rc || rc2 ? 1 : 0;
}
