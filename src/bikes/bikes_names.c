/* Street names for street segments. Network files such as the Fietstelweek links have
 * road classes but no names, and an enforcer looks for "Surinamestraat", not for
 * segment 6927. A city's asset registers (street lights, containers) do carry the
 * street each point stands in, densely along every street: a segment takes the name
 * most of the points near it carry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bikes_internal.h"

/* The asset points with a street name: place and index into the names. */
typedef struct named_points {
    double *x, *y;
    int *name;
    size_t n, cap;
} named_points;

/* Distance from (px, py) to the segment (ax, ay)-(bx, by). */
static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/* The name most points within `within` of the segment's two halves carry; ties go to
 * the name whose points lie nearest on average. -1 when no point is near. */
static int vote(const bikes_grid *g, const named_points *p, double within, const double *sx,
                const double *sy, int *cand, int *count, double *dsum, size_t cap)
{
    size_t nc = 0, cx0, cy0, cx1, cy1;
    if (!bikes_grid_cells(g, fmin(sx[0], fmin(sx[1], sx[2])) - within,
                          fmin(sy[0], fmin(sy[1], sy[2])) - within,
                          fmax(sx[0], fmax(sx[1], sx[2])) + within,
                          fmax(sy[0], fmax(sy[1], sy[2])) + within, &cx0, &cy0, &cx1, &cy1))
        return -1;
    for (size_t cy = cy0; cy <= cy1; cy++)
        for (size_t cx = cx0; cx <= cx1; cx++) {
            size_t c = cy * g->nx + cx;
            for (size_t k = g->start[c]; k < g->start[c + 1]; k++) {
                size_t q = g->idx[k];
                double d = fmin(seg_dist(p->x[q], p->y[q], sx[0], sy[0], sx[1], sy[1]),
                                seg_dist(p->x[q], p->y[q], sx[1], sy[1], sx[2], sy[2]));
                if (d > within)
                    continue;
                size_t j = 0;
                while (j < nc && cand[j] != p->name[q])
                    j++;
                if (j == nc) {
                    if (nc == cap)
                        continue; /* a crowd of names near one segment: the first ones count */
                    cand[nc] = p->name[q];
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

/* Appends a point; 0 or STAD_ENOMEM. */
static int points_add(named_points *p, double x, double y, int name)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4096;
        double *nx = realloc(p->x, cap * sizeof *nx);
        if (nx)
            p->x = nx;
        double *ny = realloc(p->y, cap * sizeof *ny);
        if (ny)
            p->y = ny;
        int *nn = realloc(p->name, cap * sizeof *nn);
        if (nn)
            p->name = nn;
        if (!nx || !ny || !nn)
            return STAD_ENOMEM;
        p->cap = cap;
    }
    p->x[p->n] = x;
    p->y[p->n] = y;
    p->name[p->n++] = name;
    return 0;
}

static int fail_sql(stad_ctx *ctx, sqlite3 *db, const char *what)
{
    return stad_fail(ctx, STAD_ESTORE, "street names: %s: %s", what, sqlite3_errmsg(db));
}

/* Frees the names (n of them) and the array. */
static void names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
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
    named_points pt = {0};
    char **names = NULL;
    size_t n_names = 0, cap_names = 0, done = 0;
    bikes_grid g = {0};
    int rc = 0;
    /* points with a street name, ordered by it, so that equal names get one index; the
     * keys are the street column's names of config/columns.conf, in any case */
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
        if (!n_names || strcmp(names[n_names - 1], nm)) {
            if (n_names == cap_names) {
                cap_names = cap_names ? cap_names * 2 : 1024;
                char **nn = realloc(names, cap_names * sizeof *nn);
                if (!nn) {
                    rc = STAD_ENOMEM;
                    break;
                }
                names = nn;
            }
            if (!(names[n_names] = strdup(nm))) {
                rc = STAD_ENOMEM;
                break;
            }
            n_names++;
        }
        if ((rc = points_add(&pt, sqlite3_column_double(q, 0), sqlite3_column_double(q, 1),
                             (int)n_names - 1)))
            break;
    }
    if (rc) {
        rc = stad_fail(ctx, STAD_ENOMEM, "street names: out of memory");
        goto done;
    }
    if (step != SQLITE_DONE) {
        rc = fail_sql(ctx, db, "reading asset points");
        goto done;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (points)
        *points = pt.n;
    if (!pt.n)
        goto done;
    if (bikes_grid_build(&g, pt.x, pt.y, pt.n, within_m)) {
        rc = stad_fail(ctx, STAD_ENOMEM, "street names: out of memory");
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
        int best = vote(&g, &pt, within_m, sx, sy, cand, count, dsum, CAP);
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
    bikes_grid_free(&g);
    names_free(names, n_names);
    free(pt.x);
    free(pt.y);
    free(pt.name);
    if (!rc && named)
        *named = done;
    return rc;
}
