/* Street names for street segments. Network files such as the Fietstelweek links have
 * road classes but no names, and an enforcer looks for "Surinamestraat", not for
 * segment 6927. A city's asset registers (street lights, containers) do carry the
 * street each point stands in, densely along every street: a segment takes the name
 * most of the points near it carry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "stad/bikes.h"

typedef struct named_point {
    double x, y;
    int name; /* index into the names */
} named_point;

typedef struct point_grid {
    double cell, minx, miny;
    size_t nx, ny;
    size_t *first; /* nx*ny + 1 offsets into order */
    size_t *order; /* point indexes by cell */
} point_grid;

static void grid_free(point_grid *g)
{
    free(g->first);
    free(g->order);
}

static int grid_build(point_grid *g, const named_point *p, size_t n, double cell)
{
    *g = (point_grid){.cell = cell};
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        minx = fmin(minx, p[i].x);
        miny = fmin(miny, p[i].y);
        maxx = fmax(maxx, p[i].x);
        maxy = fmax(maxy, p[i].y);
    }
    g->minx = minx;
    g->miny = miny;
    g->nx = (size_t)((maxx - minx) / cell) + 1;
    g->ny = (size_t)((maxy - miny) / cell) + 1;
    if (g->nx > 100000 || g->ny > 100000 || g->nx * g->ny > 50000000)
        return STAD_EINVAL; /* points spread over a country: not one city's register */
    g->first = calloc(g->nx * g->ny + 1, sizeof *g->first);
    g->order = malloc((n ? n : 1) * sizeof *g->order);
    size_t *fill = calloc(g->nx * g->ny + 1, sizeof *fill);
    if (!g->first || !g->order || !fill) {
        free(fill);
        grid_free(g);
        return STAD_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)((p[i].y - miny) / cell) * g->nx + (size_t)((p[i].x - minx) / cell);
        g->first[c + 1]++;
    }
    for (size_t c = 0; c < g->nx * g->ny; c++)
        g->first[c + 1] += g->first[c];
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)((p[i].y - miny) / cell) * g->nx + (size_t)((p[i].x - minx) / cell);
        g->order[g->first[c] + fill[c]++] = i;
    }
    free(fill);
    return 0;
}

/* Distance from (px, py) to the segment (ax, ay)-(bx, by). */
static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/* Grid cell range [lo, hi] along one axis for coordinates a..b widened by r. */
static void cell_range(double a, double b, double r, double origin, double cell, size_t n,
                       size_t *lo, size_t *hi)
{
    double l = (fmin(a, b) - r - origin) / cell, h = (fmax(a, b) + r - origin) / cell;
    *lo = l < 0 ? 0 : (size_t)l;
    *hi = h < 0 ? 0 : h >= (double)n ? n - 1 : (size_t)h;
    if (h < 0 || l >= (double)n)
        *hi = 0, *lo = 1; /* empty */
}

/* The name most points within `within` of the segment's two halves carry; ties go to
 * the name whose points lie nearest on average. -1 when no point is near. */
static int vote(const point_grid *g, const named_point *p, double within, const double *sx,
                const double *sy, int *cand, int *count, double *dsum, size_t cap)
{
    size_t nc = 0, x0, x1, y0, y1;
    cell_range(fmin(sx[0], fmin(sx[1], sx[2])), fmax(sx[0], fmax(sx[1], sx[2])), within,
               g->minx, g->cell, g->nx, &x0, &x1);
    cell_range(fmin(sy[0], fmin(sy[1], sy[2])), fmax(sy[0], fmax(sy[1], sy[2])), within,
               g->miny, g->cell, g->ny, &y0, &y1);
    for (size_t cy = y0; cy <= y1 && y0 <= y1; cy++)
        for (size_t cx = x0; cx <= x1 && x0 <= x1; cx++) {
            size_t c = cy * g->nx + cx;
            for (size_t k = g->first[c]; k < g->first[c + 1]; k++) {
                const named_point *q = &p[g->order[k]];
                double d = fmin(seg_dist(q->x, q->y, sx[0], sy[0], sx[1], sy[1]),
                                seg_dist(q->x, q->y, sx[1], sy[1], sx[2], sy[2]));
                if (d > within)
                    continue;
                size_t j = 0;
                while (j < nc && cand[j] != q->name)
                    j++;
                if (j == nc) {
                    if (nc == cap)
                        continue; /* a crowd of names near one segment: the first ones count */
                    cand[nc] = q->name;
                    count[nc] = 0;
                    dsum[nc] = 0;
                    nc++;
                }
                count[j]++;
                dsum[j] += d;
            }
        }
    int best = -1;
    for (size_t j = 0; j < nc; j++)
        if (best < 0 || count[j] > count[best] ||
            (count[j] == count[best] && dsum[j] / count[j] < dsum[best] / count[best]))
            best = (int)j;
    return best < 0 ? -1 : cand[best];
}

static int fail_sql(stad_ctx *ctx, sqlite3 *db, const char *what)
{
    return stad_fail(ctx, STAD_ESTORE, "street names: %s: %s", what, sqlite3_errmsg(db));
}

int stad_bikes_streets_name_from_assets(stad_ctx *ctx, stad_store *s, double within_m,
                                        size_t *named, size_t *points)
{
    if (named)
        *named = 0;
    if (points)
        *points = 0;
    if (!(within_m > 0 && within_m <= 500))
        return stad_fail(ctx, STAD_EINVAL, "street names: within %g m: 1 to 500", within_m);
    sqlite3 *db = stad_store_db(s);
    sqlite3_stmt *q = NULL, *up = NULL;
    named_point *pt = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0, n_names = 0, done = 0;
    point_grid g = {0};
    int rc = 0;
    /* points with a street name, by name, so that equal names get one index */
    /* the keys are the street column's names of config/columns.conf, in any case */
    if (sqlite3_prepare_v2(db,
                           "SELECT x, y, nm FROM (SELECT a.x AS x, a.y AS y, (SELECT "
                           "trim(j.value) FROM json_each(a.attrs) j WHERE lower(j.key) IN "
                           "('straat','straatnaam','openbare_ruimte','openbareruimte','street',"
                           "'street_name','streetname') AND j.type = 'text' AND "
                           "trim(j.value) <> '' LIMIT 1) AS nm FROM asset a WHERE a.x IS NOT "
                           "NULL AND a.y IS NOT NULL AND json_valid(a.attrs)) "
                           "WHERE nm IS NOT NULL ORDER BY nm",
                           -1, &q, NULL) != SQLITE_OK)
        return fail_sql(ctx, db, "reading asset points");
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *nm = (const char *)sqlite3_column_text(q, 2);
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            named_point *np = realloc(pt, cap * sizeof *np);
            char **nn = realloc(names, cap * sizeof *nn);
            if (np)
                pt = np;
            if (nn)
                names = nn;
            if (!np || !nn) {
                rc = stad_fail(ctx, STAD_ENOMEM, "street names: out of memory");
                goto done;
            }
        }
        if (!n_names || strcmp(names[n_names - 1], nm)) {
            if (!(names[n_names] = strdup(nm))) {
                rc = stad_fail(ctx, STAD_ENOMEM, "street names: out of memory");
                goto done;
            }
            n_names++;
        }
        pt[n++] = (named_point){sqlite3_column_double(q, 0), sqlite3_column_double(q, 1),
                                (int)n_names - 1};
    }
    if (step != SQLITE_DONE) {
        rc = fail_sql(ctx, db, "reading asset points");
        goto done;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (points)
        *points = n;
    if (!n)
        goto done;
    if ((rc = grid_build(&g, pt, n, within_m))) {
        rc = stad_fail(ctx, rc, rc == STAD_ENOMEM ? "street names: out of memory"
                                                  : "street names: the asset points are "
                                                    "spread too far for one city");
        goto done;
    }
    if (sqlite3_prepare_v2(db, "SELECT id, x0, y0, x, y, x1, y1 FROM street "
                               "WHERE name IS NULL AND x IS NOT NULL AND x0 IS NOT NULL",
                           -1, &q, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE street SET name = ? WHERE id = ?", -1, &up, NULL) !=
            SQLITE_OK) {
        rc = fail_sql(ctx, db, "naming streets");
        goto done;
    }
    if ((rc = stad_store_begin(s)))
        goto done;
    enum { CAP = 64 };
    int cand[CAP], count[CAP];
    double dsum[CAP];
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        double sx[3] = {sqlite3_column_double(q, 1), sqlite3_column_double(q, 3),
                        sqlite3_column_double(q, 5)};
        double sy[3] = {sqlite3_column_double(q, 2), sqlite3_column_double(q, 4),
                        sqlite3_column_double(q, 6)};
        int best = vote(&g, pt, within_m, sx, sy, cand, count, dsum, CAP);
        if (best < 0)
            continue;
        sqlite3_reset(up);
        sqlite3_bind_text(up, 1, names[best], -1, SQLITE_STATIC);
        sqlite3_bind_int64(up, 2, sqlite3_column_int64(q, 0));
        if (sqlite3_step(up) != SQLITE_DONE) {
            rc = fail_sql(ctx, db, "naming a street");
            break;
        }
        done++;
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail_sql(ctx, db, "reading streets");
    if (!rc)
        rc = stad_store_commit(s);
    else
        stad_store_rollback(s);
done:
    sqlite3_finalize(q);
    sqlite3_finalize(up);
    grid_free(&g);
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    free(pt);
    if (!rc && named)
        *named = done;
    return rc;
}
