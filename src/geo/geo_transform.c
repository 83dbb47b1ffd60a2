/* Coordinate transforms through PROJ. Each transform owns its own PJ_CONTEXT, so
 * different transforms may be used on different threads at the same time. */
#include <math.h>
#include <proj.h>
#include <stdlib.h>

#include "stad/geo.h"

struct stad_transform {
    PJ_CONTEXT *pc;
    PJ *pj;
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
    stad_transform *t = calloc(1, sizeof *t);
    if (!t)
        return stad_fail(ctx, STAD_ENOMEM, "transform: out of memory");
    t->pc = proj_context_create();
    if (!t->pc) {
        free(t);
        return stad_fail(ctx, STAD_ENOMEM, "transform: cannot create a PROJ context");
    }
    /* Keep PROJ quiet on stderr; errors are reported through ctx. */
    proj_log_level(t->pc, PJ_LOG_NONE);
    PJ *raw = proj_create_crs_to_crs(t->pc, from, to, NULL);
    if (!raw) {
        int rc = stad_fail(ctx, STAD_EGEO, "cannot transform from '%s' to '%s': %s", from,
                           to, proj_msg(t->pc));
        stad_transform_free(t);
        return rc;
    }
    /* CRS definitions disagree on axis order (EPSG:4326 is lat/lon); normalise to
     * east/north so callers never have to think about it. */
    t->pj = proj_normalize_for_visualization(t->pc, raw);
    proj_destroy(raw);
    if (!t->pj) {
        int rc = stad_fail(ctx, STAD_EGEO, "cannot normalise axis order of '%s' -> '%s': %s",
                           from, to, proj_msg(t->pc));
        stad_transform_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void stad_transform_free(stad_transform *t)
{
    if (!t)
        return;
    proj_destroy(t->pj);
    proj_context_destroy(t->pc);
    free(t);
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
