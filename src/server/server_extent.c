/* The city's extent in WGS84, from the areas' bounding boxes, so that a bbox outside
 * the city is refused rather than answered with silence. Computed once per data
 * version and shared by all threads. */
#include <math.h>

#include "server/server_internal.h"
#include "stad/hotspot.h"

typedef struct box {
    double minx, miny, maxx, maxy;
    size_t n;
} box;

static int add_area(void *user, const stad_area_row *a)
{
    box *b = user;
    if (!isfinite(a->minx) || !isfinite(a->maxy))
        return 0;
    if (b->n == 0 || a->minx < b->minx)
        b->minx = a->minx;
    if (b->n == 0 || a->miny < b->miny)
        b->miny = a->miny;
    if (b->n == 0 || a->maxx > b->maxx)
        b->maxx = a->maxx;
    if (b->n == 0 || a->maxy > b->maxy)
        b->maxy = a->maxy;
    b->n++;
    return 0;
}

static int compute(srv_req *rq, double ext[4], int *has)
{
    *has = 0;
    box b = {0};
    if (stad_store_areas_each(rq->store, NULL, add_area, &b))
        return srv_fail_internal(rq, "reading areas");
    if (b.n == 0)
        return 0;
    stad_transform *t = NULL;
    if (stad_hotspot_transform(rq->ctx, rq->store, &t))
        return srv_fail_internal(rq, "making the city transform");
    double x[4] = {b.minx, b.maxx, b.minx, b.maxx};
    double y[4] = {b.miny, b.miny, b.maxy, b.maxy};
    int rc = stad_transform_apply(t, 4, x, y);
    stad_transform_free(t);
    if (rc)
        return srv_fail_internal(rq, "transforming the city extent");
    for (int i = 0; i < 4; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return 0;
        if (i == 0 || x[i] < ext[0])
            ext[0] = x[i];
        if (i == 0 || y[i] < ext[1])
            ext[1] = y[i];
        if (i == 0 || x[i] > ext[2])
            ext[2] = x[i];
        if (i == 0 || y[i] > ext[3])
            ext[3] = y[i];
    }
    /* A margin of about a kilometre: a map view may reach past the border. */
    ext[0] -= 0.015;
    ext[2] += 0.015;
    ext[1] -= 0.01;
    ext[3] += 0.01;
    *has = 1;
    return 0;
}

int srv_city_extent(srv_req *rq, double ext[4], int *has)
{
    stad_server *srv = rq->srv;
    pthread_mutex_lock(&srv->extent_mu);
    if (srv->extent_version == rq->version && srv->extent_version > 0) {
        for (int i = 0; i < 4; i++)
            ext[i] = srv->extent[i];
        *has = srv->has_extent;
        pthread_mutex_unlock(&srv->extent_mu);
        return 0;
    }
    pthread_mutex_unlock(&srv->extent_mu);
    /* Computed outside the lock; two threads may both compute, which is harmless. */
    int rc = compute(rq, ext, has);
    if (rc)
        return rc;
    pthread_mutex_lock(&srv->extent_mu);
    srv->extent_version = rq->version;
    srv->has_extent = *has;
    for (int i = 0; i < 4; i++)
        srv->extent[i] = ext[i];
    pthread_mutex_unlock(&srv->extent_mu);
    return 0;
}
