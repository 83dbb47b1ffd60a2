/* Point-in-polygon index over the areas of one level: a uniform grid.
 *
 * Each cell lists the polygons that may contain a point in it. A cell that no edge
 * touches is "resolved": every point in it lies in the same polygon(s) as its
 * centre, so the answer is one array lookup. Only cells crossed by a border need
 * the crossing-number test, and that test only visits the polygon's edges in the
 * point's grid row (per-polygon row bands), so it stays cheap for long borders. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo_polygon.h"
#include "geo/geo_cache.h"
#include "stad/geo.h"

/* Cells per polygon edge, and bounds on the grid size: enough cells that most
 * points fall in resolved cells, few enough to build in milliseconds. */
#define CELLS_PER_EDGE 16
#define MIN_CELLS 4096
#define MAX_CELLS (1u << 22)

typedef struct poly_bands {
    int r0, r1;            /* grid rows spanned by the polygon */
    uint32_t *start;       /* r1 - r0 + 2 offsets into edge */
    uint32_t *edge;        /* index of an edge's first point in polygon xy */
} poly_bands;

struct stad_area_index {
    atomic_int refs;       /* holders: callers and the context caches that keep it */
    size_t n;
    geo_polygon *polys;    /* sorted by id */
    poly_bands *bands;
    double x0, y0, cs;     /* grid origin and (square) cell size */
    int nx, ny;
    uint32_t *cell_start;  /* nx * ny + 1 offsets into cell_poly */
    uint32_t *cell_poly;   /* candidate polygon indices, ascending */
    unsigned char *mixed;  /* 1 when an edge touches the cell */
};

static int clampi(long v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : (int)v;
}

static int row_of(const stad_area_index *ix, double y)
{
    double f = floor((y - ix->y0) / ix->cs);
    if (!(f > -1e9))
        f = -1e9;
    if (f > 1e9)
        f = 1e9;
    return clampi((long)f, 0, ix->ny - 1);
}

static int col_of(const stad_area_index *ix, double x)
{
    double f = floor((x - ix->x0) / ix->cs);
    if (!(f > -1e9))
        f = -1e9;
    if (f > 1e9)
        f = 1e9;
    return clampi((long)f, 0, ix->nx - 1);
}

/* ---- building ---- */

typedef struct key_vec {
    uint64_t *v; /* cell << 32 | polygon */
    size_t n, cap;
} key_vec;

static int key_push(key_vec *k, uint32_t cell, uint32_t poly)
{
    if (k->n == k->cap) {
        size_t nc = k->cap ? k->cap * 2 : 4096;
        uint64_t *nv = realloc(k->v, nc * sizeof *nv);
        if (!nv)
            return STAD_ENOMEM;
        k->v = nv;
        k->cap = nc;
    }
    k->v[k->n++] = (uint64_t)cell << 32 | poly;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_poly_id(const void *a, const void *b)
{
    int64_t x = ((const geo_polygon *)a)->id, y = ((const geo_polygon *)b)->id;
    return x < y ? -1 : x > y;
}

/* Rows an edge may touch, widened a hair so borders on a grid line count for both. */
static void edge_rows(const stad_area_index *ix, double ay, double by, int *lo, int *hi)
{
    double eps = 1e-6 * ix->cs;
    *lo = row_of(ix, fmin(ay, by) - eps);
    *hi = row_of(ix, fmax(ay, by) + eps);
}

static int build_bands(stad_area_index *ix, size_t k)
{
    const geo_polygon *p = &ix->polys[k];
    poly_bands *b = &ix->bands[k];
    b->r0 = row_of(ix, p->miny - 1e-6 * ix->cs);
    b->r1 = row_of(ix, p->maxy + 1e-6 * ix->cs);
    size_t nrows = (size_t)(b->r1 - b->r0 + 1);
    b->start = calloc(nrows + 1, sizeof *b->start);
    if (!b->start)
        return STAD_ENOMEM;
    /* Two passes: count per row, then fill. */
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *fill = NULL;
        if (pass == 1) {
            for (size_t r = 0; r < nrows; r++)
                b->start[r + 1] += b->start[r];
            b->edge = malloc((b->start[nrows] ? b->start[nrows] : 1) * sizeof *b->edge);
            fill = malloc(nrows * sizeof *fill);
            if (!b->edge || !fill) {
                free(fill);
                return STAD_ENOMEM;
            }
            memcpy(fill, b->start, nrows * sizeof *fill);
        }
        size_t s = 0;
        for (size_t r = 0; r < p->n_rings; r++) {
            for (size_t i = s; i + 1 < p->ring_end[r]; i++) {
                int lo, hi;
                edge_rows(ix, p->xy[2 * i + 1], p->xy[2 * i + 3], &lo, &hi);
                for (int row = lo; row <= hi; row++) {
                    if (pass == 0)
                        b->start[row - b->r0 + 1]++;
                    else
                        b->edge[fill[row - b->r0]++] = (uint32_t)i;
                }
            }
            s = p->ring_end[r];
        }
        free(fill);
    }
    return 0;
}

/* Marks every cell the edge a -> b touches (conservatively) as mixed for polygon k. */
static int rasterise_edge(stad_area_index *ix, key_vec *keys, uint32_t k, double ax,
                          double ay, double bx, double by)
{
    double eps = 1e-6 * ix->cs;
    int lo, hi;
    edge_rows(ix, ay, by, &lo, &hi);
    double ymin = fmin(ay, by), ymax = fmax(ay, by);
    double exmin = fmin(ax, bx), exmax = fmax(ax, bx);
    for (int r = lo; r <= hi; r++) {
        double ry0 = ix->y0 + r * ix->cs, ry1 = ry0 + ix->cs;
        double ya = fmax(ymin, ry0), yb = fmin(ymax, ry1);
        double xlo = exmin, xhi = exmax;
        if (ay != by && ya <= yb) {
            double xa = ax + (ya - ay) * (bx - ax) / (by - ay);
            double xb = ax + (yb - ay) * (bx - ax) / (by - ay);
            xlo = fmax(exmin, fmin(xa, xb));
            xhi = fmin(exmax, fmax(xa, xb));
        }
        int c0 = col_of(ix, xlo - eps), c1 = col_of(ix, xhi + eps);
        for (int c = c0; c <= c1; c++) {
            uint32_t cell = (uint32_t)r * (uint32_t)ix->nx + (uint32_t)c;
            ix->mixed[cell] = 1;
            if (key_push(keys, cell, k))
                return STAD_ENOMEM;
        }
    }
    return 0;
}

/* Adds polygon k to every cell whose centre it contains (scanline per row). */
static int fill_centres(stad_area_index *ix, key_vec *keys, uint32_t k, double **xs,
                        size_t *xs_cap)
{
    const geo_polygon *p = &ix->polys[k];
    const poly_bands *b = &ix->bands[k];
    for (int r = b->r0; r <= b->r1; r++) {
        double yc = ix->y0 + (r + 0.5) * ix->cs;
        size_t n = 0;
        for (uint32_t e = b->start[r - b->r0]; e < b->start[r - b->r0 + 1]; e++) {
            const double *v = &p->xy[2 * (size_t)b->edge[e]];
            if ((v[1] > yc) == (v[3] > yc))
                continue;
            if (n == *xs_cap) {
                size_t nc = *xs_cap ? *xs_cap * 2 : 64;
                double *nx = realloc(*xs, nc * sizeof *nx);
                if (!nx)
                    return STAD_ENOMEM;
                *xs = nx;
                *xs_cap = nc;
            }
            (*xs)[n++] = v[0] + (yc - v[1]) * (v[2] - v[0]) / (v[3] - v[1]);
        }
        if (n > 1)
            qsort(*xs, n, sizeof **xs, cmp_double);
        /* Even-odd: centres in [xs[j], xs[j+1]) for even j are inside. */
        for (size_t j = 0; j + 1 < n; j += 2) {
            int c0 = col_of(ix, (*xs)[j]), c1 = col_of(ix, (*xs)[j + 1]);
            for (int c = c0; c <= c1; c++) {
                double xc = ix->x0 + (c + 0.5) * ix->cs;
                if (xc < (*xs)[j] || xc >= (*xs)[j + 1])
                    continue;
                if (key_push(keys, (uint32_t)r * (uint32_t)ix->nx + (uint32_t)c, k))
                    return STAD_ENOMEM;
            }
        }
    }
    return 0;
}

static int build_grid(stad_area_index *ix)
{
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    size_t n_edges = 0;
    for (size_t k = 0; k < ix->n; k++) {
        const geo_polygon *p = &ix->polys[k];
        minx = fmin(minx, p->minx);
        miny = fmin(miny, p->miny);
        maxx = fmax(maxx, p->maxx);
        maxy = fmax(maxy, p->maxy);
        n_edges += p->n_pts;
    }
    double w = maxx - minx, h = maxy - miny;
    if (w <= 0)
        w = 1;
    if (h <= 0)
        h = 1;
    double target = (double)n_edges * CELLS_PER_EDGE;
    if (target < MIN_CELLS)
        target = MIN_CELLS;
    if (target > MAX_CELLS)
        target = MAX_CELLS;
    double cs = sqrt(w * h / target);
    /* Keep very thin extents from asking for more cells than the cap. */
    cs = fmax(cs, fmax(w, h) / 4096.0);
    ix->cs = cs;
    ix->x0 = minx;
    ix->y0 = miny;
    ix->nx = clampi((long)ceil(w / cs), 1, 4096);
    ix->ny = clampi((long)ceil(h / cs), 1, 4096);
    /* Points exactly on the max border still fall in the grid. */
    if (ix->x0 + ix->nx * cs <= maxx && ix->nx < 4096)
        ix->nx++;
    if (ix->y0 + ix->ny * cs <= maxy && ix->ny < 4096)
        ix->ny++;
    size_t ncell = (size_t)ix->nx * (size_t)ix->ny;

    ix->mixed = calloc(ncell, 1);
    ix->cell_start = calloc(ncell + 1, sizeof *ix->cell_start);
    ix->bands = calloc(ix->n, sizeof *ix->bands);
    if (!ix->mixed || !ix->cell_start || !ix->bands)
        return STAD_ENOMEM;

    key_vec keys = {NULL, 0, 0};
    double *xs = NULL;
    size_t xs_cap = 0;
    int rc = 0;
    for (size_t k = 0; k < ix->n && !rc; k++) {
        rc = build_bands(ix, k);
        const geo_polygon *p = &ix->polys[k];
        size_t s = 0;
        for (size_t r = 0; r < p->n_rings && !rc; r++) {
            for (size_t i = s; i + 1 < p->ring_end[r] && !rc; i++)
                rc = rasterise_edge(ix, &keys, (uint32_t)k, p->xy[2 * i], p->xy[2 * i + 1],
                                    p->xy[2 * i + 2], p->xy[2 * i + 3]);
            s = p->ring_end[r];
        }
        if (!rc)
            rc = fill_centres(ix, &keys, (uint32_t)k, &xs, &xs_cap);
    }
    free(xs);
    if (rc) {
        free(keys.v);
        return rc;
    }
    if (keys.n > 1)
        qsort(keys.v, keys.n, sizeof *keys.v, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < keys.n; i++)
        if (u == 0 || keys.v[i] != keys.v[u - 1])
            keys.v[u++] = keys.v[i];
    ix->cell_poly = malloc((u ? u : 1) * sizeof *ix->cell_poly);
    if (!ix->cell_poly) {
        free(keys.v);
        return STAD_ENOMEM;
    }
    for (size_t i = 0; i < u; i++) {
        ix->cell_start[(keys.v[i] >> 32) + 1]++;
        ix->cell_poly[i] = (uint32_t)(keys.v[i] & 0xffffffffu);
    }
    for (size_t c = 0; c < ncell; c++)
        ix->cell_start[c + 1] += ix->cell_start[c];
    free(keys.v);
    return 0;
}

typedef struct load_state {
    stad_ctx *ctx;
    stad_area_index *ix;
    size_t cap;
    int rc;
} load_state;

static int load_area(void *user, const stad_area_row *a)
{
    load_state *st = user;
    stad_area_index *ix = st->ix;
    if (ix->n == st->cap) {
        size_t nc = st->cap ? st->cap * 2 : 64;
        geo_polygon *np = realloc(ix->polys, nc * sizeof *np);
        if (!np) {
            st->rc = stad_fail(st->ctx, STAD_ENOMEM, "area index: out of memory");
            return 1;
        }
        ix->polys = np;
        st->cap = nc;
    }
    geo_polygon *p = &ix->polys[ix->n];
    int rc = geo_polygon_from_wkb(p, a->wkb, a->wkb_len);
    if (rc) {
        st->rc = stad_fail(st->ctx, rc, "area %s '%s' (id %lld): unreadable geometry",
                           a->level ? a->level : "?", a->code ? a->code : "?",
                           (long long)a->id);
        return 1;
    }
    p->id = a->id;
    p->parent_id = a->parent_id;
    ix->n++;
    return 0;
}

stad_area_index *geo_area_index_ref(stad_area_index *ix)
{
    if (ix)
        atomic_fetch_add(&ix->refs, 1);
    return ix;
}

/* The context's cached index for this store, level and data version, or NULL. */
static stad_area_index *cached_index(geo_cache *c, stad_store *s, const char *level,
                                     int64_t version)
{
    const char *path = stad_store_path(s);
    for (size_t i = 0; c && path && i < GEO_CACHE_INDEXES; i++) {
        geo_index_entry *e = &c->ix[i];
        if (e->ix && e->data_version == version && strcmp(e->store_path, path) == 0 &&
            strcmp(e->level, level) == 0)
            return geo_area_index_ref(e->ix);
    }
    return NULL;
}

/* Keeps ix in the cache, replacing an older version for the same store and level (or
 * the first slot when all are taken). Failing to cache is not an error. */
static void cache_index(geo_cache *c, stad_store *s, const char *level, int64_t version,
                        stad_area_index *ix)
{
    const char *path = stad_store_path(s);
    if (!c || !path)
        return;
    size_t slot = 0;
    for (size_t i = 0; i < GEO_CACHE_INDEXES; i++) {
        geo_index_entry *e = &c->ix[i];
        if (!e->ix || (strcmp(e->store_path, path) == 0 && strcmp(e->level, level) == 0)) {
            slot = i;
            break;
        }
    }
    geo_index_entry *e = &c->ix[slot];
    char *p = strdup(path), *l = strdup(level);
    if (!p || !l) {
        free(p);
        free(l);
        return;
    }
    stad_area_index_free(e->ix);
    free(e->store_path);
    free(e->level);
    *e = (geo_index_entry){p, l, version, geo_area_index_ref(ix)};
}

int stad_area_index_build(stad_ctx *ctx, stad_store *s, const char *level,
                          stad_area_index **out)
{
    if (!out)
        return stad_fail(ctx, STAD_EINVAL, "area index: no output pointer");
    *out = NULL;
    if (!s || !level || !*level)
        return stad_fail(ctx, STAD_EINVAL, "area index: store and level are required");
    /* Areas change only with the data version, so an index built for this version
     * of this store can be handed out again. */
    int64_t version = -1;
    geo_cache *cache = stad_store_data_version(s, &version) == 0 ? geo_cache_get(ctx) : NULL;
    stad_clear_error(ctx);
    if ((*out = cached_index(cache, s, level, version)))
        return 0;
    stad_area_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return stad_fail(ctx, STAD_ENOMEM, "area index: out of memory");
    atomic_init(&ix->refs, 1);
    load_state st = {ctx, ix, 0, 0};
    int rc = stad_store_areas_each(s, level, load_area, &st);
    if (st.rc)
        rc = st.rc;
    if (rc) {
        stad_area_index_free(ix);
        return rc < 0 ? rc : STAD_ESTORE;
    }
    if (ix->n == 0) {
        stad_area_index_free(ix);
        return stad_fail(ctx, STAD_EEMPTY, "no areas of level '%s' in the store", level);
    }
    if (ix->n > UINT32_MAX / 2) {
        stad_area_index_free(ix);
        return stad_fail(ctx, STAD_ERANGE, "area index: too many areas");
    }
    qsort(ix->polys, ix->n, sizeof *ix->polys, cmp_poly_id);
    rc = build_grid(ix);
    if (rc) {
        stad_area_index_free(ix);
        return stad_fail(ctx, rc, "area index for level '%s': out of memory", level);
    }
    if (version >= 0)
        cache_index(cache, s, level, version, ix);
    *out = ix;
    return 0;
}

void stad_area_index_free(stad_area_index *ix)
{
    if (!ix || atomic_fetch_sub(&ix->refs, 1) > 1)
        return;
    for (size_t k = 0; k < ix->n; k++) {
        geo_polygon_clear(&ix->polys[k]);
        if (ix->bands) {
            free(ix->bands[k].start);
            free(ix->bands[k].edge);
        }
    }
    free(ix->polys);
    free(ix->bands);
    free(ix->cell_start);
    free(ix->cell_poly);
    free(ix->mixed);
    free(ix);
}

size_t stad_area_index_size(const stad_area_index *ix)
{
    return ix ? ix->n : 0;
}

/* ---- queries ---- */

static int band_contains(const stad_area_index *ix, size_t k, int row, double x, double y)
{
    const geo_polygon *p = &ix->polys[k];
    const poly_bands *b = &ix->bands[k];
    if (x < p->minx || x > p->maxx || y < p->miny || y > p->maxy)
        return 0;
    if (row < b->r0 || row > b->r1)
        return 0;
    int in = 0;
    for (uint32_t e = b->start[row - b->r0]; e < b->start[row - b->r0 + 1]; e++) {
        const double *v = &p->xy[2 * (size_t)b->edge[e]];
        in ^= geo_edge_crosses(v[0], v[1], v[2], v[3], x, y);
    }
    return in;
}

/* Nearest boundary of polygon k within sqrt(*best); updates *best and *best_id. */
static void poly_nearest(const stad_area_index *ix, size_t k, double x, double y,
                         double tol, double *best, int64_t *best_id)
{
    const geo_polygon *p = &ix->polys[k];
    const poly_bands *b = &ix->bands[k];
    if (x < p->minx - tol || x > p->maxx + tol || y < p->miny - tol || y > p->maxy + tol)
        return;
    int ra = row_of(ix, y - tol), rb = row_of(ix, y + tol);
    int r0 = ra > b->r0 ? ra : b->r0, r1 = rb < b->r1 ? rb : b->r1;
    for (int r = r0; r <= r1; r++) {
        for (uint32_t e = b->start[r - b->r0]; e < b->start[r - b->r0 + 1]; e++) {
            const double *v = &p->xy[2 * (size_t)b->edge[e]];
            double d2 = geo_seg_dist2(v[0], v[1], v[2], v[3], x, y);
            if (d2 < *best || (d2 == *best && *best_id == 0)) {
                *best = d2;
                *best_id = p->id;
            }
        }
    }
}

/* Cells searched for nearby borders before falling back to every polygon. */
#define NEAR_MAX_CELLS 256
#define NEAR_MAX_CANDS 64

static int64_t nearest_within(const stad_area_index *ix, double x, double y, double tol)
{
    double best = tol * tol;
    int64_t best_id = 0;
    double gx1 = ix->x0 + ix->nx * ix->cs, gy1 = ix->y0 + ix->ny * ix->cs;
    if (x + tol < ix->x0 || x - tol > gx1 || y + tol < ix->y0 || y - tol > gy1)
        return 0;
    /* Any edge within tol crosses the tol box, so it is listed in a mixed cell of
     * the box: gather those polygons instead of scanning all of them. */
    int c0 = col_of(ix, x - tol), c1 = col_of(ix, x + tol);
    int r0 = row_of(ix, y - tol), r1 = row_of(ix, y + tol);
    if ((size_t)(c1 - c0 + 1) * (size_t)(r1 - r0 + 1) <= NEAR_MAX_CELLS) {
        uint32_t cand[NEAR_MAX_CANDS];
        size_t nc = 0;
        int overflow = 0;
        for (int r = r0; r <= r1 && !overflow; r++)
            for (int c = c0; c <= c1 && !overflow; c++) {
                size_t cell = (size_t)r * (size_t)ix->nx + (size_t)c;
                if (!ix->mixed[cell])
                    continue;
                for (uint32_t i = ix->cell_start[cell]; i < ix->cell_start[cell + 1]; i++) {
                    size_t j = 0;
                    while (j < nc && cand[j] != ix->cell_poly[i])
                        j++;
                    if (j < nc)
                        continue;
                    if (nc == NEAR_MAX_CANDS) {
                        overflow = 1;
                        break;
                    }
                    cand[nc++] = ix->cell_poly[i];
                }
            }
        if (!overflow) {
            /* Ascending polygon order keeps ties going to the lowest id. */
            for (size_t i = 1; i < nc; i++)
                for (size_t j = i; j > 0 && cand[j - 1] > cand[j]; j--) {
                    uint32_t t = cand[j];
                    cand[j] = cand[j - 1];
                    cand[j - 1] = t;
                }
            for (size_t i = 0; i < nc; i++)
                poly_nearest(ix, cand[i], x, y, tol, &best, &best_id);
            return best_id;
        }
    }
    for (size_t k = 0; k < ix->n; k++)
        poly_nearest(ix, k, x, y, tol, &best, &best_id);
    return best_id;
}

int64_t stad_area_index_locate(const stad_area_index *ix, double x, double y,
                               double tolerance)
{
    if (!ix || !isfinite(x) || !isfinite(y))
        return 0;
    double fx = (x - ix->x0) / ix->cs, fy = (y - ix->y0) / ix->cs;
    if (fx >= 0 && fy >= 0 && fx < ix->nx && fy < ix->ny) {
        int row = (int)fy;
        size_t c = (size_t)row * (size_t)ix->nx + (size_t)(int)fx;
        uint32_t s = ix->cell_start[c], e = ix->cell_start[c + 1];
        if (!ix->mixed[c]) {
            if (s < e)
                return ix->polys[ix->cell_poly[s]].id;
        } else {
            for (uint32_t i = s; i < e; i++)
                if (band_contains(ix, ix->cell_poly[i], row, x, y))
                    return ix->polys[ix->cell_poly[i]].id;
        }
    }
    if (tolerance > 0 && isfinite(tolerance))
        return nearest_within(ix, x, y, tolerance);
    return 0;
}

int64_t stad_area_index_parent(const stad_area_index *ix, int64_t area_id)
{
    if (!ix)
        return 0;
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->polys[mid].id < area_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix->n && ix->polys[lo].id == area_id ? ix->polys[lo].parent_id : 0;
}
