/* geo internals: in-memory polygons (rings of points) read from WKB.
 *
 * A polygon here is every ring of a Polygon or MultiPolygon, outer rings and holes
 * alike: with the even-odd (crossing number) rule, holes and separate parts need no
 * special treatment. Owned by the caller; release with geo_polygon_clear. */
#ifndef STAD_GEO_POLYGON_H
#define STAD_GEO_POLYGON_H

#include <stddef.h>
#include <stdint.h>

typedef struct geo_polygon {
    int64_t id;        /* area id, set by the caller */
    int64_t parent_id;
    double *xy;        /* interleaved x, y; every ring closed (last point == first) */
    size_t n_pts;
    size_t *ring_end;  /* ring r covers points [ring_end[r-1], ring_end[r]) */
    size_t n_rings;
    double minx, miny, maxx, maxy;
} geo_polygon;

/* Parses a 2D/3D/M Polygon, MultiPolygon or GeometryCollection of those, in either
 * byte order (ISO and EWKB type codes). Returns 0, STAD_EGEO or STAD_ENOMEM. */
int geo_polygon_from_wkb(geo_polygon *p, const unsigned char *wkb, size_t len);
void geo_polygon_clear(geo_polygon *p);

/* 1 when (x, y) is inside by the crossing-number rule, else 0. */
int geo_polygon_contains(const geo_polygon *p, double x, double y);
/* Distance from (x, y) to the nearest edge of any ring. */
double geo_polygon_boundary_dist(const geo_polygon *p, double x, double y);

/* The crossing test of one edge (a -> b) for a rightward ray from (px, py):
 * 1 when it crosses. Shared by every PIP path so all agree on boundary points. */
static inline int geo_edge_crosses(double ax, double ay, double bx, double by,
                                   double px, double py)
{
    if ((ay > py) == (by > py))
        return 0;
    double xint = ax + (py - ay) * (bx - ax) / (by - ay);
    return px < xint;
}

/* Squared distance from (px, py) to the segment a -> b. */
static inline double geo_seg_dist2(double ax, double ay, double bx, double by,
                                   double px, double py)
{
    double dx = bx - ax, dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double t = 0.0;
    if (len2 > 0.0) {
        t = ((px - ax) * dx + (py - ay) * dy) / len2;
        if (t < 0.0)
            t = 0.0;
        else if (t > 1.0)
            t = 1.0;
    }
    double qx = ax + t * dx - px, qy = ay + t * dy - py;
    return qx * qx + qy * qy;
}

#endif
