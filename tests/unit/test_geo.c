/* Unit tests of the geo module: transforms, area loading, polygons, area index. */
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
#include <cpl_vsi.h>
#include <gdal_utils.h>
#include <ogr_api.h>

#include "geo/geo_polygon.h"
#include "stad/geo.h"
#include "stad/strbuf.h"

/* ---- helpers ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static double urand(void) /* xorshift64*: deterministic points */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static const char *shared(void)
{
    const char *d = getenv("STAD_SHARED_DATA");
    return d && *d ? d : "../shared/data";
}

static char *shared_path(const char *rel)
{
    stad_strbuf b = STAD_STRBUF_INIT;
    stad_strbuf_printf(&b, "%s/%s", shared(), rel);
    return stad_strbuf_take(&b);
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* A fresh temp file path under $STAD_TMP (created), old copies removed. */
static char *tmp_path(const char *name)
{
    const char *t = getenv("STAD_TMP");
    stad_strbuf b = STAD_STRBUF_INIT;
    stad_strbuf_append(&b, t && *t ? t : "/tmp/stad-test");
    /* mkdir -p, one component at a time */
    for (size_t i = 1; i <= b.len; i++) {
        if (b.s[i] == '/' || b.s[i] == '\0') {
            char c = b.s[i];
            b.s[i] = '\0';
            mkdir(b.s, 0777);
            b.s[i] = c;
        }
    }
    stad_strbuf_printf(&b, "/geo-%ld-%s", (long)getpid(), name);
    char *p = stad_strbuf_take(&b);
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 4; i++) {
        stad_strbuf q = STAD_STRBUF_INIT;
        stad_strbuf_printf(&q, "%s%s", p, suffix[i]);
        unlink(stad_strbuf_str(&q));
        stad_strbuf_free(&q);
    }
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

typedef struct fixture {
    stad_ctx *ctx;
    stad_store *s;
    char *path;
} fixture;

static int open_store(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    assert_int_equal(stad_ctx_new(&fx->ctx), 0);
    stad_set_logger(fx->ctx, STAD_LOG_ERROR, stad_log_stderr, NULL);
    fx->path = tmp_path("store.db");
    int rc = stad_store_open(fx->ctx, fx->path, &fx->s);
    if (rc)
        fprintf(stderr, "store open: %s\n", stad_errmsg(fx->ctx));
    assert_int_equal(rc, 0);
    *state = fx;
    return 0;
}

static int close_store(void **state)
{
    fixture *fx = *state;
    stad_store_close(fx->s);
    stad_ctx_free(fx->ctx);
    unlink(fx->path);
    free(fx->path);
    free(fx);
    return 0;
}

static size_t load(fixture *fx, const char *rel, const char *level)
{
    char *p = shared_path(rel);
    if (!file_exists(p)) {
        free(p);
        return (size_t)-1;
    }
    stad_area_load_opts o = {.level = level};
    size_t n = 0;
    int rc = stad_areas_load_file(fx->ctx, fx->s, p, &o, &n);
    if (rc)
        fprintf(stderr, "load %s: %s\n", p, stad_errmsg(fx->ctx));
    assert_int_equal(rc, 0);
    free(p);
    return n;
}

typedef struct area_copy {
    int64_t id, parent;
    char code[32];
    unsigned char *wkb;
    size_t wkb_len;
    int has_geojson;
} area_copy;

typedef struct area_list {
    area_copy *v;
    size_t n;
} area_list;

static int copy_area(void *user, const stad_area_row *a)
{
    area_list *l = user;
    l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
    area_copy *c = &l->v[l->n++];
    memset(c, 0, sizeof *c);
    c->id = a->id;
    c->parent = a->parent_id;
    size_t cl = strlen(a->code);
    memcpy(c->code, a->code, cl < sizeof c->code ? cl : sizeof c->code - 1);
    c->wkb = malloc(a->wkb_len);
    memcpy(c->wkb, a->wkb, a->wkb_len);
    c->wkb_len = a->wkb_len;
    c->has_geojson = a->geojson && strstr(a->geojson, "Polygon") != NULL;
    return 0;
}

static area_list areas(fixture *fx, const char *level)
{
    area_list l = {NULL, 0};
    assert_int_equal(stad_store_areas_each(fx->s, level, copy_area, &l), 0);
    return l;
}

static void areas_free(area_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].wkb);
    free(l->v);
}

static const area_copy *by_id(const area_list *l, int64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].id == id)
            return &l->v[i];
    return NULL;
}

static void point_on_surface(const area_copy *a, double *x, double *y)
{
    OGRGeometryH g = NULL;
    assert_int_equal(OGR_G_CreateFromWkbEx(a->wkb, NULL, &g, a->wkb_len), OGRERR_NONE);
    OGRGeometryH p = OGR_G_PointOnSurface(g);
    assert_non_null(p);
    *x = OGR_G_GetX(p, 0);
    *y = OGR_G_GetY(p, 0);
    OGR_G_DestroyGeometry(p);
    OGR_G_DestroyGeometry(g);
}

/* ---- transforms ---- */

static void test_rd_wgs84_round_trip(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_transform *fwd, *back;
    assert_int_equal(stad_transform_new(ctx, STAD_CRS_DEFAULT, STAD_CRS_WGS84, &fwd), 0);
    assert_int_equal(stad_transform_new(ctx, STAD_CRS_WGS84, STAD_CRS_DEFAULT, &back), 0);
    enum { N = 1000 };
    double x[N], y[N], x0[N], y0[N];
    for (int i = 0; i < N; i++) { /* the land area of the Netherlands in RD */
        x0[i] = x[i] = 13000 + urand() * (278000 - 13000);
        y0[i] = y[i] = 306000 + urand() * (619000 - 306000);
    }
    assert_int_equal(stad_transform_apply(fwd, N, x, y), 0);
    for (int i = 0; i < N; i++) { /* lon/lat order, whatever EPSG:4326 says */
        assert_true(x[i] > 2.5 && x[i] < 7.6);
        assert_true(y[i] > 50.5 && y[i] < 53.8);
    }
    assert_int_equal(stad_transform_apply(back, N, x, y), 0);
    double worst = 0;
    for (int i = 0; i < N; i++)
        worst = fmax(worst, hypot(x[i] - x0[i], y[i] - y0[i]));
    assert_true(worst < 0.01);
    stad_transform_free(fwd);
    stad_transform_free(back);
    stad_ctx_free(ctx);
}

static void test_amersfoort(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_transform *fwd, *back;
    assert_int_equal(stad_transform_new(ctx, "EPSG:28992", "EPSG:4326", &fwd), 0);
    assert_int_equal(stad_transform_new(ctx, "EPSG:4326", "EPSG:28992", &back), 0);
    double x = 155000, y = 463000;
    assert_int_equal(stad_transform_point(fwd, &x, &y), 0);
    double dn = (y - 52.15517) * 111320.0;
    double de = (x - 5.38721) * 111320.0 * cos(52.15517 * M_PI / 180);
    assert_true(hypot(dn, de) < 1.0);
    x = 5.38721;
    y = 52.15517;
    assert_int_equal(stad_transform_point(back, &x, &y), 0);
    assert_true(hypot(x - 155000, y - 463000) < 1.0);
    stad_transform_free(fwd);
    stad_transform_free(back);
    stad_ctx_free(ctx);
}

/* First data row of the Cincinnati file: lon, lat and the publisher's UTM 16N x, y. */
static int cincinnati_first_row(double *lon, double *lat, double *ux, double *uy)
{
    char *p = shared_path(
        "crime/cincinnati-burglary-2016-2018/cincinnati_burglary_incidents.csv.gz");
    stad_strbuf vp = STAD_STRBUF_INIT;
    stad_strbuf_printf(&vp, "/vsigzip/%s", p);
    free(p);
    VSILFILE *f = VSIFOpenL(stad_strbuf_str(&vp), "rb");
    stad_strbuf_free(&vp);
    if (!f)
        return -1;
    char buf[4096];
    size_t n = VSIFReadL(buf, 1, sizeof buf - 1, f);
    VSIFCloseL(f);
    buf[n] = '\0';
    /* CRLF or LF line ends: cut both lines at the first \r or \n. */
    size_t h_len = strcspn(buf, "\r\n");
    if (buf[h_len] == '\0')
        return -1;
    char *line2 = buf + h_len + strspn(buf + h_len, "\r\n");
    buf[h_len] = '\0';
    line2[strcspn(line2, "\r\n")] = '\0';
    /* Find the columns by header name. */
    int col_lon = -1, col_lat = -1, col_x = -1, col_y = -1, col = 0;
    for (char *h = buf; h; col++) {
        char *comma = strchr(h, ',');
        size_t len = comma ? (size_t)(comma - h) : strlen(h);
        if (len == 3 && strncmp(h, "lon", 3) == 0) col_lon = col;
        if (len == 3 && strncmp(h, "lat", 3) == 0) col_lat = col;
        if (len == 10 && strncmp(h, "x_utm16n_m", 10) == 0) col_x = col;
        if (len == 10 && strncmp(h, "y_utm16n_m", 10) == 0) col_y = col;
        h = comma ? comma + 1 : NULL;
    }
    col = 0;
    for (char *v = line2; v; col++) {
        char *comma = strchr(v, ',');
        double d = strtod(v, NULL);
        if (col == col_lon) *lon = d;
        if (col == col_lat) *lat = d;
        if (col == col_x) *ux = d;
        if (col == col_y) *uy = d;
        v = comma ? comma + 1 : NULL;
    }
    return col_lon >= 0 && col_lat >= 0 && col_x >= 0 && col_y >= 0 ? 0 : -1;
}

static void test_utm16n_cincinnati(void **state)
{
    (void)state;
    double lon = -84.5127164, lat = 39.1752513, ux = 714859.7, uy = 4339171.7;
    if (cincinnati_first_row(&lon, &lat, &ux, &uy) != 0)
        skip();
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_transform *t;
    assert_int_equal(stad_transform_new(ctx, "EPSG:4326", "EPSG:32616", &t), 0);
    double x = lon, y = lat;
    assert_int_equal(stad_transform_point(t, &x, &y), 0);
    assert_true(hypot(x - ux, y - uy) < 1.0);
    assert_true(fabs(x - 714859.7) < 1.0 && fabs(y - 4339171.7) < 1.0);
    stad_transform_free(t);
    stad_ctx_free(ctx);
}

static void test_transform_errors(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_transform *t = (stad_transform *)1;
    assert_int_equal(stad_transform_new(ctx, "EPSG:999999", "EPSG:4326", &t), STAD_EGEO);
    assert_null(t);
    assert_non_null(strstr(stad_errmsg(ctx), "EPSG:999999"));
    assert_int_equal(stad_transform_new(ctx, "EPSG:28992", "", &t), STAD_EINVAL);
    assert_int_equal(stad_transform_new(ctx, "EPSG:4326", "EPSG:32616", &t), 0);
    double x[2] = {-84.5, NAN}, y[2] = {39.1, 39.1};
    assert_int_equal(stad_transform_apply(t, 2, x, y), 0);
    assert_false(isnan(x[0]));
    assert_true(isnan(x[1]) && isnan(y[1]));
    double px = NAN, py = 1;
    assert_int_equal(stad_transform_point(t, &px, &py), STAD_EGEO);
    stad_transform_free(t);
    stad_transform_free(NULL);
    stad_ctx_free(ctx);
}

/* Where a CRS applies: RD New the Netherlands, a UTM zone its six degrees. */
static void test_crs_area_of_use(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_crs_area a;
    assert_int_equal(stad_crs_area_of_use(ctx, "EPSG:28992", &a), 0);
    assert_non_null(strstr(a.name, "Netherlands"));
    assert_true(stad_crs_area_contains(&a, 5.12, 52.09, 0));     /* Utrecht */
    assert_false(stad_crs_area_contains(&a, -84.51, 39.18, 2)); /* Cincinnati */
    assert_false(stad_crs_area_contains(&a, 9.5, 52.4, 0));     /* Hannover */
    assert_true(stad_crs_area_contains(&a, 9.5, 52.4, 3));
    assert_int_equal(stad_crs_area_of_use(ctx, "EPSG:32616", &a), 0);
    assert_true(a.west == -90 && a.east == -84);
    assert_true(stad_crs_area_contains(&a, -84.51, 39.18, 2));
    assert_int_equal(stad_crs_utm_epsg(-84.51, 39.18), 32616);
    assert_int_equal(stad_crs_utm_epsg(5.12, 52.09), 32631);
    assert_int_equal(stad_crs_utm_epsg(151.2, -33.9), 32756); /* Sydney */
    assert_int_equal(stad_crs_utm_epsg(180, 10), 32660);
    /* across 180 degrees (west > east) */
    stad_crs_area wrap = {.west = 170, .south = -50, .east = -170, .north = -30};
    assert_true(stad_crs_area_contains(&wrap, 175, -40, 0));
    assert_true(stad_crs_area_contains(&wrap, -175, -40, 0));
    assert_false(stad_crs_area_contains(&wrap, 0, -40, 0));
    /* a bare PROJ string says nothing of where; nonsense is an error */
    assert_int_equal(stad_crs_area_of_use(ctx, "+proj=merc +datum=WGS84", &a), STAD_ENOTFOUND);
    assert_int_equal(stad_crs_area_of_use(ctx, "EPSG:999999", &a), STAD_EGEO);
    /* a city's CRS must be projected and in metres */
    assert_int_equal(stad_crs_check_city(ctx, "EPSG:28992"), 0);
    assert_int_equal(stad_crs_check_city(ctx, "EPSG:32616"), 0);
    assert_int_equal(stad_crs_check_city(ctx, "EPSG:7415"), 0); /* RD + NAP, compound */
    assert_int_equal(stad_crs_check_city(ctx, "EPSG:4326"), STAD_EGEO);
    assert_non_null(strstr(stad_errmsg(ctx), "not a projected CRS"));
    assert_int_equal(stad_crs_check_city(ctx, "EPSG:3435"), STAD_EGEO); /* Illinois East, ftUS */
    assert_non_null(strstr(stad_errmsg(ctx), "not metres"));
    assert_int_equal(stad_crs_check_city(ctx, "EPSG:999999"), STAD_EGEO);
    stad_ctx_free(ctx);
}

/* ---- polygons ---- */

/* Big-endian WKB of a 10x10 square with a 2x2 hole at (4,4)-(6,6). */
static size_t put_be(unsigned char *b, uint64_t v, int bytes)
{
    for (int s = bytes - 1; s >= 0; s--)
        *b++ = (unsigned char)(v >> (8 * s));
    return (size_t)bytes;
}

static size_t square_with_hole(unsigned char *b)
{
    static const double ring[2][5][2] = {
        {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
        {{4, 4}, {4, 6}, {6, 6}, {6, 4}, {4, 4}},
    };
    size_t n = 0;
    b[n++] = 0; /* XDR */
    n += put_be(b + n, 3, 4); /* Polygon */
    n += put_be(b + n, 2, 4); /* rings */
    for (int k = 0; k < 2; k++) {
        n += put_be(b + n, 5, 4);
        for (int i = 0; i < 5; i++)
            for (int c = 0; c < 2; c++) {
                uint64_t bits;
                memcpy(&bits, &ring[k][i][c], 8);
                n += put_be(b + n, bits, 8);
            }
    }
    return n;
}

static void test_polygon_wkb(void **state)
{
    (void)state;
    unsigned char wkb[256];
    size_t n = square_with_hole(wkb);
    geo_polygon p;
    assert_int_equal(geo_polygon_from_wkb(&p, wkb, n), 0);
    assert_int_equal(p.n_rings, 2);
    assert_true(p.minx == 0 && p.maxx == 10 && p.miny == 0 && p.maxy == 10);
    assert_true(geo_polygon_contains(&p, 1, 1));
    assert_false(geo_polygon_contains(&p, 5, 5)); /* in the hole */
    assert_false(geo_polygon_contains(&p, 11, 5));
    assert_true(fabs(geo_polygon_boundary_dist(&p, 5, 5) - 1) < 1e-12);
    assert_true(fabs(geo_polygon_boundary_dist(&p, 13, 14) - 5) < 1e-12);
    geo_polygon_clear(&p);
    /* Truncated and garbage input is refused, never read past the end. */
    for (size_t cut = 0; cut < n; cut += 7)
        assert_int_equal(geo_polygon_from_wkb(&p, wkb, cut), STAD_EGEO);
    wkb[4] = 1; /* a Point */
    assert_int_equal(geo_polygon_from_wkb(&p, wkb, n), STAD_EGEO);
    geo_polygon_clear(NULL);
}

/* ---- loading areas ---- */

#define UTRECHT "utrecht/wijken-buurten-2013/"

static void check_utrecht_parents(fixture *fx)
{
    area_list wijken = areas(fx, "wijk"), buurten = areas(fx, "buurt");
    assert_int_equal(wijken.n, 10);
    assert_int_equal(buurten.n, 111);
    for (size_t i = 0; i < buurten.n; i++) {
        const area_copy *b = &buurten.v[i];
        const area_copy *w = by_id(&wijken, b->parent);
        assert_non_null(w);
        /* BU0344WWBB lies in WK0344WW: the codes confirm the containment. */
        assert_int_equal(strncmp(w->code + 2, b->code + 2, 6), 0);
        assert_true(b->has_geojson);
    }
    areas_free(&wijken);
    areas_free(&buurten);
}

static void test_load_utrecht_rd(void **state)
{
    fixture *fx = *state;
    size_t n = load(fx, UTRECHT "utrecht_wijk_2013_rd.geojson", "wijk");
    if (n == (size_t)-1)
        skip();
    assert_int_equal(n, 10);
    assert_int_equal(load(fx, UTRECHT "utrecht_buurt_2013_rd.geojson", "buurt"), 111);
    check_utrecht_parents(fx);
    /* Loading again is an upsert: still 111. */
    assert_int_equal(load(fx, UTRECHT "utrecht_buurt_2013_rd.geojson", "buurt"), 111);
    check_utrecht_parents(fx);
}

static void test_load_utrecht_wgs84_children_first(void **state)
{
    fixture *fx = *state;
    /* Buurten before wijken: loading the wijken must re-parent the buurten. */
    size_t n = load(fx, UTRECHT "utrecht_buurt_2013_wgs84.geojson", "buurt");
    if (n == (size_t)-1)
        skip();
    assert_int_equal(n, 111);
    assert_int_equal(load(fx, UTRECHT "utrecht_wijk_2013_wgs84.geojson", "wijk"), 10);
    check_utrecht_parents(fx);
    /* And the city above the wijken. */
    assert_int_equal(load(fx, UTRECHT "utrecht_gemeente_2013_wgs84.geojson", "city"), 1);
    area_list city = areas(fx, "city"), wijken = areas(fx, "wijk");
    assert_int_equal(city.n, 1);
    for (size_t i = 0; i < wijken.n; i++)
        assert_true(wijken.v[i].parent == city.v[0].id);
    areas_free(&city);
    areas_free(&wijken);
}

/* Writes a copy of a shared file in another format with GDAL's ogr2ogr. */
static char *convert(const char *rel, const char *driver, const char *name)
{
    char *src = shared_path(rel);
    char *dst = tmp_path(name);
    GDALDatasetH in = GDALOpenEx(src, GDAL_OF_VECTOR, NULL, NULL, NULL);
    free(src);
    if (!in) {
        free(dst);
        return NULL;
    }
    char *argv[] = {"-f", (char *)driver, NULL};
    GDALVectorTranslateOptions *o = GDALVectorTranslateOptionsNew(argv, NULL);
    int usage = 0;
    GDALDatasetH out = GDALVectorTranslate(dst, NULL, 1, &in, o, &usage);
    GDALVectorTranslateOptionsFree(o);
    GDALClose(in);
    assert_non_null(out);
    GDALClose(out);
    return dst;
}

static void test_load_shapefile_and_geopackage(void **state)
{
    fixture *fx = *state;
    char *gpkg = convert(UTRECHT "utrecht_wijk_2013_wgs84.geojson", "GPKG", "wijk.gpkg");
    if (!gpkg)
        skip();
    char *shp = convert(UTRECHT "utrecht_buurt_2013_rd.geojson", "ESRI Shapefile",
                        "buurt.shp");
    assert_non_null(shp);
    stad_area_load_opts ow = {.level = "wijk"}, ob = {.level = "buurt"};
    size_t n = 0;
    assert_int_equal(stad_areas_load_file(fx->ctx, fx->s, gpkg, &ow, &n), 0);
    assert_int_equal(n, 10);
    assert_int_equal(stad_areas_load_file(fx->ctx, fx->s, shp, &ob, &n), 0);
    assert_int_equal(n, 111);
    check_utrecht_parents(fx);
    /* A named layer that is not there. */
    ow.layer = "nope";
    assert_int_equal(stad_areas_load_file(fx->ctx, fx->s, gpkg, &ow, &n), STAD_ENOTFOUND);
    assert_non_null(strstr(stad_errmsg(fx->ctx), "nope"));
    unlink(gpkg);
    const char *ext[] = {".shp", ".shx", ".dbf", ".prj", ".cpg"};
    for (size_t i = 0; i < 5; i++) {
        stad_strbuf b = STAD_STRBUF_INIT;
        stad_strbuf_append_n(&b, shp, strlen(shp) - 4);
        stad_strbuf_append(&b, ext[i]);
        unlink(stad_strbuf_str(&b));
        stad_strbuf_free(&b);
    }
    free(gpkg);
    free(shp);
}

static void check_groningen(fixture *fx, const char *dir, const char *wijk,
                            const char *buurt, size_t n_wijk, size_t n_buurt)
{
    stad_strbuf a = STAD_STRBUF_INIT, b = STAD_STRBUF_INIT;
    stad_strbuf_printf(&a, "groningen/%s/%s", dir, wijk);
    stad_strbuf_printf(&b, "groningen/%s/%s", dir, buurt);
    size_t n = load(fx, stad_strbuf_str(&a), "wijk");
    if (n == (size_t)-1) {
        stad_strbuf_free(&a);
        stad_strbuf_free(&b);
        skip();
    }
    assert_int_equal(n, n_wijk);
    assert_int_equal(load(fx, stad_strbuf_str(&b), "buurt"), n_buurt);
    area_list buurten = areas(fx, "buurt");
    size_t with_parent = 0;
    for (size_t i = 0; i < buurten.n; i++)
        with_parent += buurten.v[i].parent != 0;
    assert_int_equal(buurten.n, n_buurt);
    assert_int_equal(with_parent, n_buurt);
    areas_free(&buurten);
    stad_strbuf_free(&a);
    stad_strbuf_free(&b);
}

static void test_load_groningen_municipal(void **state)
{
    check_groningen(*state, "gemeentelijke-wijk-buurtindeling-2017",
                    "groningen_gemeente_wijkindeling_wgs84.geojson",
                    "groningen_gemeente_buurtindeling_wgs84.geojson", 15, 112);
}

static void test_load_groningen_cbs(void **state)
{
    check_groningen(*state, "cbs-wijk-buurtkaart-2017", "groningen_cbs_wijk2017_wgs84.geojson",
                    "groningen_cbs_buurt2017_wgs84.geojson", 15, 108);
}

static size_t count_areas(fixture *fx)
{
    area_list l = areas(fx, NULL);
    size_t n = l.n;
    areas_free(&l);
    return n;
}

static void test_load_errors(void **state)
{
    fixture *fx = *state;
    stad_area_load_opts o = {.level = "buurt"};
    size_t n = 99;
    char *missing = tmp_path("no-such-file.geojson");
    assert_int_equal(stad_areas_load_file(fx->ctx, fx->s, missing, &o, &n), STAD_EIO);
    assert_non_null(strstr(stad_errmsg(fx->ctx), missing));
    assert_int_equal(n, 0);
    free(missing);

    /* A table without geometry and a file that is nothing at all. */
    char *csv = tmp_path("table.csv");
    write_file(csv, "naam,aantal\nfoo,1\nbar,2\n");
    assert_int_equal(stad_areas_load_file(fx->ctx, fx->s, csv, &o, &n), STAD_EFORMAT);
    assert_non_null(strstr(stad_errmsg(fx->ctx), csv));
    unlink(csv);
    free(csv);
    char *junk = tmp_path("junk.bin");
    write_file(junk, "\x01\x02 this is not geodata \x7f");
    assert_int_equal(stad_areas_load_file(fx->ctx, fx->s, junk, &o, &n), STAD_EFORMAT);
    assert_non_null(strstr(stad_errmsg(fx->ctx), junk));
    unlink(junk);
    free(junk);

    /* A good first feature then a point: nothing of the file may stay behind. */
    char *mixed = tmp_path("mixed.geojson");
    write_file(mixed,
               "{\"type\":\"FeatureCollection\",\"features\":["
               "{\"type\":\"Feature\",\"properties\":{\"CODE\":\"X1\"},\"geometry\":"
               "{\"type\":\"Polygon\",\"coordinates\":[[[5.1,52.1],[5.11,52.1],[5.11,52.11],"
               "[5.1,52.1]]]}},"
               "{\"type\":\"Feature\",\"properties\":{\"CODE\":\"X2\"},\"geometry\":"
               "{\"type\":\"Point\",\"coordinates\":[5.1,52.1]}}]}");
    size_t before = count_areas(fx);
    assert_int_equal(stad_areas_load_file(fx->ctx, fx->s, mixed, &o, &n), STAD_EGEO);
    assert_non_null(strstr(stad_errmsg(fx->ctx), "Point"));
    assert_int_equal(count_areas(fx), before);
    /* A named code field that does not exist. */
    o.code_field = "BU_CODE";
    assert_int_equal(stad_areas_load_file(fx->ctx, fx->s, mixed, &o, &n), STAD_ECOLUMNS);
    assert_non_null(strstr(stad_errmsg(fx->ctx), "CODE"));
    o.code_field = NULL;
    assert_int_equal(count_areas(fx), before);
    unlink(mixed);
    free(mixed);
    /* The store still works after the rollbacks. */
    assert_int_equal(stad_store_begin(fx->s), 0);
    assert_int_equal(stad_store_rollback(fx->s), 0);
}

/* ---- the area index ---- */

static void test_index_locate(void **state)
{
    fixture *fx = *state;
    size_t n = load(fx, UTRECHT "utrecht_wijk_2013_rd.geojson", "wijk");
    if (n == (size_t)-1)
        skip();
    assert_int_equal(load(fx, UTRECHT "utrecht_buurt_2013_rd.geojson", "buurt"), 111);
    assert_int_equal(load(fx, UTRECHT "utrecht_gemeente_2013_rd.geojson", "city"), 1);

    stad_area_index *ix;
    assert_int_equal(stad_area_index_build(fx->ctx, fx->s, "buurt", &ix), 0);
    assert_int_equal(stad_area_index_size(ix), 111);
    area_list buurten = areas(fx, "buurt");
    for (size_t i = 0; i < buurten.n; i++) {
        double x, y;
        point_on_surface(&buurten.v[i], &x, &y);
        assert_int_equal(stad_area_index_locate(ix, x, y, 0), buurten.v[i].id);
        assert_int_equal(stad_area_index_parent(ix, buurten.v[i].id), buurten.v[i].parent);
    }
    assert_int_equal(stad_area_index_locate(ix, 0, 0, 0), 0);
    assert_int_equal(stad_area_index_locate(ix, 0, 0, 25), 0);
    assert_int_equal(stad_area_index_locate(ix, NAN, 455000, 25), 0);
    assert_int_equal(stad_area_index_parent(ix, -5), 0);

    /* 5 m east of the easternmost vertex of the city: outside, but within 25 m. */
    area_list city = areas(fx, "city");
    geo_polygon cp;
    assert_int_equal(geo_polygon_from_wkb(&cp, city.v[0].wkb, city.v[0].wkb_len), 0);
    double ex = -INFINITY, ey = 0;
    for (size_t i = 0; i < cp.n_pts; i++)
        if (cp.xy[2 * i] > ex) {
            ex = cp.xy[2 * i];
            ey = cp.xy[2 * i + 1];
        }
    assert_int_equal(stad_area_index_locate(ix, ex + 5, ey, 0), 0);
    assert_int_not_equal(stad_area_index_locate(ix, ex + 5, ey, 25), 0);
    assert_int_equal(stad_area_index_locate(ix, ex + 30, ey, 25), 0);

    /* The grid agrees with brute force everywhere, borders included. */
    geo_polygon *polys = calloc(buurten.n, sizeof *polys);
    for (size_t i = 0; i < buurten.n; i++) {
        assert_int_equal(geo_polygon_from_wkb(&polys[i], buurten.v[i].wkb,
                                              buurten.v[i].wkb_len), 0);
        polys[i].id = buurten.v[i].id;
    }
    size_t inside = 0;
    for (int k = 0; k < 100000; k++) {
        double x = cp.minx - 100 + urand() * (cp.maxx - cp.minx + 200);
        double y = cp.miny - 100 + urand() * (cp.maxy - cp.miny + 200);
        if (k % 10 == 0) { /* exactly on a vertex: the hardest case for both */
            const geo_polygon *q = &polys[k / 10 % buurten.n];
            size_t v = (size_t)k % q->n_pts;
            x = q->xy[2 * v];
            y = q->xy[2 * v + 1];
        }
        int64_t want = 0;
        for (size_t i = 0; i < buurten.n && !want; i++) /* lowest id wins, as in the index */
            if (geo_polygon_contains(&polys[i], x, y))
                want = polys[i].id;
        for (size_t i = 0; i < buurten.n && want; i++)
            if (polys[i].id < want && geo_polygon_contains(&polys[i], x, y))
                want = polys[i].id;
        assert_int_equal(stad_area_index_locate(ix, x, y, 0), want);
        inside += want != 0;
    }
    assert_true(inside > 50000);
    /* With a tolerance, outside points go to the nearest border within it. */
    size_t snapped = 0;
    for (int k = 0; k < 20000; k++) {
        double x = cp.minx - 60 + urand() * (cp.maxx - cp.minx + 120);
        double y = cp.miny - 60 + urand() * (cp.maxy - cp.miny + 120);
        if (stad_area_index_locate(ix, x, y, 0) != 0)
            continue;
        double best = 25;
        int64_t want = 0;
        for (size_t i = 0; i < buurten.n; i++) {
            double d = geo_polygon_boundary_dist(&polys[i], x, y);
            if (d < best || (d == best && !want)) {
                best = d;
                want = polys[i].id;
            }
        }
        assert_int_equal(stad_area_index_locate(ix, x, y, 25), want);
        snapped += want != 0;
    }
    assert_true(snapped > 0);
    for (size_t i = 0; i < buurten.n; i++)
        geo_polygon_clear(&polys[i]);
    free(polys);
    geo_polygon_clear(&cp);
    areas_free(&city);
    areas_free(&buurten);
    stad_area_index_free(ix);
    stad_area_index_free(NULL);

    assert_int_equal(stad_area_index_build(fx->ctx, fx->s, "nosuchlevel", &ix), STAD_EEMPTY);
    assert_null(ix);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rd_wgs84_round_trip),
        cmocka_unit_test(test_amersfoort),
        cmocka_unit_test(test_utm16n_cincinnati),
        cmocka_unit_test(test_transform_errors),
        cmocka_unit_test(test_crs_area_of_use),
        cmocka_unit_test(test_polygon_wkb),
        cmocka_unit_test_setup_teardown(test_load_utrecht_rd, open_store, close_store),
        cmocka_unit_test_setup_teardown(test_load_utrecht_wgs84_children_first, open_store,
                                        close_store),
        cmocka_unit_test_setup_teardown(test_load_shapefile_and_geopackage, open_store,
                                        close_store),
        cmocka_unit_test_setup_teardown(test_load_groningen_municipal, open_store,
                                        close_store),
        cmocka_unit_test_setup_teardown(test_load_groningen_cbs, open_store, close_store),
        cmocka_unit_test_setup_teardown(test_load_errors, open_store, close_store),
        cmocka_unit_test_setup_teardown(test_index_locate, open_store, close_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
