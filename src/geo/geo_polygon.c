/* In-memory polygons from WKB; point-in-polygon and distance to the boundary. */
#include "geo/geo_polygon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stad/base.h"

/* Nesting of collections deeper than this is refused (hostile input). */
#define WKB_MAX_DEPTH 8

typedef struct wkb_reader {
    const unsigned char *buf;
    size_t len, pos;
    int swap; /* the data's byte order differs from the host's */
} wkb_reader;

static int host_is_little(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static int rd_bytes(wkb_reader *r, void *out, size_t n)
{
    if (r->len - r->pos < n)
        return STAD_EGEO;
    memcpy(out, r->buf + r->pos, n);
    if (r->swap && n > 1) {
        unsigned char *c = out;
        for (size_t i = 0; i < n / 2; i++) {
            unsigned char t = c[i];
            c[i] = c[n - 1 - i];
            c[n - 1 - i] = t;
        }
    }
    r->pos += n;
    return 0;
}

static int rd_u32(wkb_reader *r, uint32_t *v) { return rd_bytes(r, v, 4); }
static int rd_f64(wkb_reader *r, double *v) { return rd_bytes(r, v, 8); }

/* Reads the byte-order mark and type; sets the base type (1..7) and dimension count. */
static int rd_header(wkb_reader *r, uint32_t *base, int *dims)
{
    unsigned char order;
    if (r->pos >= r->len)
        return STAD_EGEO;
    order = r->buf[r->pos++];
    if (order > 1)
        return STAD_EGEO;
    r->swap = (order == 1) != host_is_little();
    uint32_t type;
    if (rd_u32(r, &type))
        return STAD_EGEO;
    int z = 0, m = 0;
    if (type & 0x80000000u)
        z = 1;
    if (type & 0x40000000u)
        m = 1;
    if (type & 0x20000000u) { /* EWKB with SRID: skip it */
        uint32_t srid;
        if (rd_u32(r, &srid))
            return STAD_EGEO;
    }
    type &= 0x0fffffffu;
    switch (type / 1000) {
    case 0: break;
    case 1: z = 1; break;
    case 2: m = 1; break;
    case 3: z = m = 1; break;
    default: return STAD_EGEO;
    }
    *base = type % 1000;
    *dims = 2 + z + m;
    return 0;
}

static int push_point(geo_polygon *p, size_t *cap, double x, double y)
{
    if (p->n_pts == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        double *n = realloc(p->xy, nc * 2 * sizeof *n);
        if (!n)
            return STAD_ENOMEM;
        p->xy = n;
        *cap = nc;
    }
    p->xy[2 * p->n_pts] = x;
    p->xy[2 * p->n_pts + 1] = y;
    p->n_pts++;
    return 0;
}

typedef struct build_state {
    size_t pt_cap, ring_cap;
} build_state;

static int read_ring(wkb_reader *r, int dims, geo_polygon *p, build_state *st)
{
    uint32_t n;
    if (rd_u32(r, &n))
        return STAD_EGEO;
    /* Refuse counts the remaining bytes cannot hold before allocating anything. */
    if ((size_t)n > (r->len - r->pos) / (8u * (size_t)dims))
        return STAD_EGEO;
    if (n == 0)
        return 0;
    size_t first = p->n_pts;
    for (uint32_t i = 0; i < n; i++) {
        double c[4];
        for (int d = 0; d < dims; d++)
            if (rd_f64(r, &c[d]))
                return STAD_EGEO;
        if (!isfinite(c[0]) || !isfinite(c[1]))
            return STAD_EGEO;
        int rc = push_point(p, &st->pt_cap, c[0], c[1]);
        if (rc)
            return rc;
    }
    /* Close open rings so that every consecutive pair is an edge. */
    if (p->xy[2 * first] != p->xy[2 * (p->n_pts - 1)] ||
        p->xy[2 * first + 1] != p->xy[2 * (p->n_pts - 1) + 1]) {
        int rc = push_point(p, &st->pt_cap, p->xy[2 * first], p->xy[2 * first + 1]);
        if (rc)
            return rc;
    }
    if (p->n_rings == st->ring_cap) {
        size_t nc = st->ring_cap ? st->ring_cap * 2 : 8;
        size_t *nr = realloc(p->ring_end, nc * sizeof *nr);
        if (!nr)
            return STAD_ENOMEM;
        p->ring_end = nr;
        st->ring_cap = nc;
    }
    p->ring_end[p->n_rings++] = p->n_pts;
    return 0;
}

static int read_geom(wkb_reader *r, geo_polygon *p, build_state *st, int depth)
{
    uint32_t base;
    int dims, rc;
    if (depth > WKB_MAX_DEPTH)
        return STAD_EGEO;
    if ((rc = rd_header(r, &base, &dims)))
        return rc;
    uint32_t n;
    if (rd_u32(r, &n))
        return STAD_EGEO;
    switch (base) {
    case 3: /* Polygon */
        for (uint32_t i = 0; i < n; i++)
            if ((rc = read_ring(r, dims, p, st)))
                return rc;
        return 0;
    case 6: /* MultiPolygon */
    case 7: /* GeometryCollection */
        for (uint32_t i = 0; i < n; i++) {
            /* Each part has its own byte order. */
            if ((rc = read_geom(r, p, st, depth + 1)))
                return rc;
        }
        return 0;
    default:
        return STAD_EGEO;
    }
}

int geo_polygon_from_wkb(geo_polygon *p, const unsigned char *wkb, size_t len)
{
    memset(p, 0, sizeof *p);
    if (!wkb || len == 0)
        return STAD_EGEO;
    wkb_reader r = {wkb, len, 0, 0};
    build_state st = {0, 0};
    int rc = read_geom(&r, p, &st, 0);
    if (rc == 0 && p->n_pts == 0)
        rc = STAD_EGEO;
    if (rc) {
        geo_polygon_clear(p);
        return rc;
    }
    p->minx = p->maxx = p->xy[0];
    p->miny = p->maxy = p->xy[1];
    for (size_t i = 1; i < p->n_pts; i++) {
        double x = p->xy[2 * i], y = p->xy[2 * i + 1];
        if (x < p->minx) p->minx = x;
        if (x > p->maxx) p->maxx = x;
        if (y < p->miny) p->miny = y;
        if (y > p->maxy) p->maxy = y;
    }
    return 0;
}

void geo_polygon_clear(geo_polygon *p)
{
    if (!p)
        return;
    free(p->xy);
    free(p->ring_end);
    memset(p, 0, sizeof *p);
}

int geo_polygon_contains(const geo_polygon *p, double x, double y)
{
    if (x < p->minx || x > p->maxx || y < p->miny || y > p->maxy)
        return 0;
    int in = 0;
    size_t start = 0;
    for (size_t r = 0; r < p->n_rings; r++) {
        const double *v = p->xy;
        for (size_t i = start; i + 1 < p->ring_end[r]; i++)
            in ^= geo_edge_crosses(v[2 * i], v[2 * i + 1], v[2 * i + 2], v[2 * i + 3],
                                   x, y);
        start = p->ring_end[r];
    }
    return in;
}

double geo_polygon_boundary_dist(const geo_polygon *p, double x, double y)
{
    double best = INFINITY;
    size_t start = 0;
    for (size_t r = 0; r < p->n_rings; r++) {
        const double *v = p->xy;
        for (size_t i = start; i + 1 < p->ring_end[r]; i++) {
            double d2 = geo_seg_dist2(v[2 * i], v[2 * i + 1], v[2 * i + 2],
                                      v[2 * i + 3], x, y);
            if (d2 < best)
                best = d2;
        }
        start = p->ring_end[r];
    }
    return sqrt(best);
}
