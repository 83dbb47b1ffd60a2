/* The geo module's per-context cache. Making a PROJ transformation costs tens of
 * milliseconds and an area index ten or so; a server answering many requests for the
 * same city should pay that once per thread, not per request. */
#include <stdlib.h>
#include <string.h>

#include "geo/geo_cache.h"

static void geo_cache_free(void *p)
{
    geo_cache *c = p;
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        proj_destroy(c->e[i].pj);
        free(c->e[i].from);
        free(c->e[i].to);
    }
    for (size_t i = 0; i < GEO_CACHE_INDEXES; i++) {
        stad_area_index_free(c->ix[i].ix);
        free(c->ix[i].store_path);
        free(c->ix[i].level);
    }
    proj_context_destroy(c->pc);
    free(c);
}

geo_cache *geo_cache_get(stad_ctx *ctx)
{
    geo_cache *c = stad_ctx_cache(ctx, STAD_CACHE_GEO);
    if (c)
        return c;
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->pc = proj_context_create();
    if (!c->pc) {
        free(c);
        return NULL;
    }
    /* Keep PROJ quiet on stderr; errors are reported through ctx. */
    proj_log_level(c->pc, PJ_LOG_NONE);
    stad_ctx_set_cache(ctx, STAD_CACHE_GEO, c, geo_cache_free);
    return c;
}
