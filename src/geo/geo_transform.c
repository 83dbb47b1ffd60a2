/* Coordinate transforms through PROJ.
 *
 * Making a transformation costs tens of milliseconds (PROJ opens its database and
 * searches the operations), which a web request must not pay each time. So each stad
 * context keeps, in its geo cache slot, one PJ_CONTEXT and the transformations made
 * with it; stad_transform_new hands out a handle to a cached one. A context belongs to
 * one thread, so its PROJ objects are only ever used on that thread; a transform must
 * not outlive the context it was made with. */
#include <math.h>
#include <proj.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo_cache.h"
#include "stad/geo.h"

struct stad_transform {
    PJ_CONTEXT *pc; /* borrowed from the context's cache */
    PJ *pj;         /* borrowed too, unless owned (the cache was full) */
    int owned;
};

static const char *proj_msg(PJ_CONTEXT *pc)
{
    int e = proj_context_errno(pc);
    const char *m = e ? proj_context_errno_string(pc, e) : NULL;
    return m ? m : "unknown PROJ error";
}

int stad_transform_new(stad_ctx *ctx, const char *from, const char *to,
                       stad_transform **out)
{
    if (!out)
        return stad_fail(ctx, STAD_EINVAL, "transform: no output pointer");
    *out = NULL;
    if (!from || !*from || !to || !*to)
        return stad_fail(ctx, STAD_EINVAL, "transform: source and target CRS are required");
    geo_cache *c = geo_cache_get(ctx);
    stad_transform *t = c ? calloc(1, sizeof *t) : NULL;
    if (!t)
        return stad_fail(ctx, STAD_ENOMEM, "transform: out of memory");
    t->pc = c->pc;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].from, from) == 0 && strcmp(c->e[i].to, to) == 0) {
            t->pj = c->e[i].pj;
            *out = t;
            return 0;
        }
    PJ *raw = proj_create_crs_to_crs(c->pc, from, to, NULL);
    if (!raw) {
        int rc = stad_fail(ctx, STAD_EGEO, "cannot transform from '%s' to '%s': %s", from,
                           to, proj_msg(c->pc));
        free(t);
        return rc;
    }
    /* CRS definitions disagree on axis order (EPSG:4326 is lat/lon); normalise to
     * east/north so callers never have to think about it. */
    PJ *pj = proj_normalize_for_visualization(c->pc, raw);
    proj_destroy(raw);
    if (!pj) {
        int rc = stad_fail(ctx, STAD_EGEO, "cannot normalise axis order of '%s' -> '%s': %s",
                           from, to, proj_msg(c->pc));
        free(t);
        return rc;
    }
    t->pj = pj;
    if (c->n == GEO_CACHE_TRANSFORMS) {
        /* A city uses a handful of CRS pairs; past that, hand out an uncached one
         * rather than evict a transformation someone may still hold. */
        t->owned = 1;
        *out = t;
        return 0;
    }
    geo_transform_entry *e = &c->e[c->n];
    e->from = strdup(from);
    e->to = strdup(to);
    e->pj = pj;
    if (!e->from || !e->to) {
        free(e->from);
        free(e->to);
        proj_destroy(pj);
        free(t);
        return stad_fail(ctx, STAD_ENOMEM, "transform: out of memory");
    }
    c->n++;
    *out = t;
    return 0;
}

void stad_transform_free(stad_transform *t)
{
    if (t && t->owned)
        proj_destroy(t->pj);
    free(t); /* cached PROJ objects stay with the context */
}

int stad_transform_apply(stad_transform *t, size_t n, double *x, double *y)
{
    if (!t || (n && (!x || !y)))
        return STAD_EINVAL;
    if (n == 0)
        return 0;
    proj_errno_reset(t->pj);
    proj_trans_generic(t->pj, PJ_FWD, x, sizeof *x, n, y, sizeof *y, n, NULL, 0, 0,
                       NULL, 0, 0);
    /* PROJ marks points it could not transform with HUGE_VAL; callers test NAN. */
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            x[i] = NAN;
            y[i] = NAN;
        }
    }
    proj_errno_reset(t->pj);
    return 0;
}

int stad_transform_point(stad_transform *t, double *x, double *y)
{
    if (!t || !x || !y)
        return STAD_EINVAL;
    int rc = stad_transform_apply(t, 1, x, y);
    if (rc)
        return rc;
    return isnan(*x) ? STAD_EGEO : 0;
}
