/* What stad knows of a CRS beyond transforming with it: which one the city's store
 * was made for, and where on earth a CRS is meant to be used. */
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo_cache.h"
#include "stad/geo.h"

int stad_city_crs(stad_ctx *ctx, stad_store *s, char **out)
{
    *out = NULL;
    int rc = stad_store_meta_get(s, "city.crs", out);
    if (rc && rc != STAD_ENOTFOUND)
        return rc;
    if (rc || !*out || !**out) { /* a store made without one is in the default */
        free(*out);
        stad_clear_error(ctx);
        *out = strdup(STAD_CRS_DEFAULT);
        if (!*out)
            return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    return 0;
}

/* The PROJ object of crs in the context's PROJ context (*pc), or NULL after
 * stad_fail with the reason in *rc. The caller destroys it. */
static PJ *crs_create(stad_ctx *ctx, const char *crs, PJ_CONTEXT **pc, int *rc)
{
    geo_cache *c = geo_cache_get(ctx);
    if (!c) {
        *rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
        return NULL;
    }
    *pc = c->pc;
    PJ *pj = crs && *crs ? proj_create(c->pc, crs) : NULL;
    if (!pj)
        *rc = stad_fail(ctx, STAD_EGEO, "'%s' is not a coordinate reference system PROJ knows",
                        crs ? crs : "");
    return pj;
}

int stad_crs_area_of_use(stad_ctx *ctx, const char *crs, stad_crs_area *out)
{
    memset(out, 0, sizeof *out);
    PJ_CONTEXT *pc;
    int rc;
    PJ *pj = crs_create(ctx, crs, &pc, &rc);
    if (!pj)
        return rc;
    const char *name = NULL;
    int ok = proj_get_area_of_use(pc, pj, &out->west, &out->south, &out->east, &out->north,
                                  &name) &&
             out->west > -1000;
    if (ok) {
        snprintf(out->name, sizeof out->name, "%s", name ? name : "");
        size_t n = strlen(out->name);
        if (n && out->name[n - 1] == '.')
            out->name[n - 1] = 0; /* it goes inside a sentence */
    }
    proj_destroy(pj);
    if (!ok)
        return stad_fail(ctx, STAD_ENOTFOUND, "'%s' does not say where it is meant to be used",
                         crs);
    return 0;
}

int stad_crs_area_contains(const stad_crs_area *a, double lon, double lat, double margin)
{
    if (lat < a->south - margin || lat > a->north + margin)
        return 0;
    if (a->west <= a->east)
        return lon >= a->west - margin && lon <= a->east + margin;
    return lon >= a->west - margin || lon <= a->east + margin; /* across 180 degrees */
}

int stad_crs_check_place(stad_ctx *ctx, const char *crs, double lon, double lat,
                         const char *what)
{
    stad_crs_area a;
    if (stad_crs_area_of_use(ctx, crs, &a)) {
        stad_clear_error(ctx);
        return 0;
    }
    if (stad_crs_area_contains(&a, lon, lat, STAD_CRS_AREA_MARGIN))
        return 0;
    return stad_fail(ctx, STAD_EGEO,
                     "%s lie around longitude %.4f, latitude %.4f, outside the area the "
                     "store's CRS %s is made for (%s). A store for this city needs a CRS of "
                     "its own: stad init --crs EPSG:%d (UTM) or the city's national grid. "
                     "Nothing was loaded.",
                     what, lon, lat, crs, a.name, stad_crs_utm_epsg(lon, lat));
}

int stad_crs_utm_epsg(double lon, double lat)
{
    int zone = (int)((lon + 180) / 6) + 1;
    zone = zone < 1 ? 1 : zone > 60 ? 60 : zone;
    return (lat >= 0 ? 32600 : 32700) + zone;
}

/* The projected part of crs (itself, or the horizontal part of a compound CRS), or
 * NULL. The caller destroys what is returned. */
static PJ *projected_part(PJ_CONTEXT *pc, PJ *pj)
{
    if (proj_get_type(pj) == PJ_TYPE_PROJECTED_CRS)
        return proj_clone(pc, pj);
    if (proj_get_type(pj) == PJ_TYPE_COMPOUND_CRS) {
        PJ *h = proj_crs_get_sub_crs(pc, pj, 0);
        if (h && proj_get_type(h) == PJ_TYPE_PROJECTED_CRS)
            return h;
        proj_destroy(h);
    }
    return NULL;
}

int stad_crs_check_city(stad_ctx *ctx, const char *crs)
{
    PJ_CONTEXT *pc;
    int rc;
    PJ *pj = crs_create(ctx, crs, &pc, &rc);
    if (!pj)
        return rc;
    PJ *proj = projected_part(pc, pj);
    proj_destroy(pj);
    if (!proj)
        return stad_fail(ctx, STAD_EGEO,
                         "%s is not a projected CRS: stad measures cells, distances and routes "
                         "in metres, so the city needs one in metres, such as its national "
                         "grid (EPSG:28992 in the Netherlands) or its UTM zone (EPSG:326zz "
                         "north of the equator, 327zz south; zz = 1 + (longitude + 180) / 6)",
                         crs);
    PJ *cs = proj_crs_get_coordinate_system(pc, proj);
    double factor = 0;
    const char *unit = NULL;
    int ok = cs && proj_cs_get_axis_info(pc, cs, 0, NULL, NULL, NULL, &factor, &unit, NULL,
                                         NULL);
    proj_destroy(cs);
    proj_destroy(proj);
    if (!ok)
        return stad_fail(ctx, STAD_EGEO, "%s: PROJ does not say in which unit it measures", crs);
    if (factor != 1.0)
        return stad_fail(ctx, STAD_EGEO,
                         "%s measures in %s, not metres: stad's cell sizes, distances and "
                         "walking times are in metres. Use a metric CRS for the city, such as "
                         "its UTM zone (EPSG:326zz north of the equator, 327zz south; zz = 1 + "
                         "(longitude + 180) / 6)",
                         crs, unit ? unit : "another unit");
    return 0;
}
