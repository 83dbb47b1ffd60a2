/* The geo module's per-context cache (see stad_ctx_cache): one PROJ context, the
 * transformations made with it, and the area indexes built lately. Internal. */
#ifndef STAD_GEO_CACHE_H
#define STAD_GEO_CACHE_H

#include <proj.h>
#include <stdint.h>

#include "stad/geo.h"

#define GEO_CACHE_TRANSFORMS 8
#define GEO_CACHE_INDEXES 4

typedef struct geo_transform_entry {
    char *from, *to;
    PJ *pj;
} geo_transform_entry;

typedef struct geo_index_entry {
    char *store_path, *level;
    int64_t data_version;
    stad_area_index *ix; /* the cache holds one reference */
} geo_index_entry;

typedef struct geo_cache {
    PJ_CONTEXT *pc;
    geo_transform_entry e[GEO_CACHE_TRANSFORMS];
    size_t n;
    geo_index_entry ix[GEO_CACHE_INDEXES];
} geo_cache;

/* The context's geo cache, made on first use; NULL when out of memory. */
geo_cache *geo_cache_get(stad_ctx *ctx);

/* Area index references (geo_area_index.c). */
stad_area_index *geo_area_index_ref(stad_area_index *ix);

#endif
