/* stad geo: coordinate transforms (PROJ), areas and point-in-polygon.
 *
 * Ownership: transforms and indexes are created by _new/_build and released by
 * _free. An index is read-only after building and may be shared between threads. */
#ifndef STAD_GEO_H
#define STAD_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "store.h"

/* The default city CRS: RD New (Amersfoort / RD New). */
#define STAD_CRS_DEFAULT "EPSG:28992"
#define STAD_CRS_WGS84 "EPSG:4326"

/* The store's city CRS (meta "city.crs"), or STAD_CRS_DEFAULT for a store made
 * without one, into *out (malloc'ed, the caller frees). 0, or the store's error. */
int stad_city_crs(stad_ctx *ctx, stad_store *s, char **out);

/* Where a CRS is meant to be used (PROJ's area of use), in WGS84 degrees; west >
 * east for an area across 180 degrees. */
typedef struct stad_crs_area {
    double west, south, east, north;
    char name[128]; /* "Netherlands - onshore and offshore." */
} stad_crs_area;
/* 0; STAD_ENOTFOUND when the definition does not say (a bare PROJ string);
 * STAD_EGEO when crs is not understood. */
int stad_crs_area_of_use(stad_ctx *ctx, const char *crs, stad_crs_area *out);
/* 1 when (lon, lat) lies in the area widened by margin degrees. */
int stad_crs_area_contains(const stad_crs_area *a, double lon, double lat, double margin);
/* Degrees beyond an area of use where a CRS still measures well enough (a city on
 * the edge of a UTM zone; the Dutch grid just over the border). */
#define STAD_CRS_AREA_MARGIN 2.0
/* 0 when (lon, lat) lies within STAD_CRS_AREA_MARGIN of where crs is made for, or
 * crs does not say; else STAD_EGEO with a message that begins with `what` ("x.csv:
 * the points"), names the UTM zone that would fit and says nothing was loaded. */
int stad_crs_check_place(stad_ctx *ctx, const char *crs, double lon, double lat,
                         const char *what);
/* 0 when crs can be a city's CRS: projected, with axes in metres; else STAD_EGEO with
 * a message that says what would do (latitude/longitude or US survey feet would make
 * every cell size, distance and walking time wrong). */
int stad_crs_check_city(stad_ctx *ctx, const char *crs);
/* The EPSG code of the WGS84 / UTM zone of a point (32601-32660 north, 32701-32760
 * south): a metric CRS for any city that has none of its own. */
int stad_crs_utm_epsg(double lon, double lat);

typedef struct stad_transform stad_transform;

/* A transform between two CRSs given as "EPSG:nnnn", a PROJ string or WKT.
 * Axis order is always x = east / longitude, y = north / latitude. The PROJ objects
 * behind it are cached in ctx (making one costs tens of ms), so a transform is used
 * on ctx's thread only and must be freed before ctx. */
int stad_transform_new(stad_ctx *ctx, const char *from, const char *to,
                       stad_transform **out);
void stad_transform_free(stad_transform *t);
/* Transforms n points in place. Points that cannot be transformed become NAN;
 * returns STAD_EGEO only if the transform itself failed. */
int stad_transform_apply(stad_transform *t, size_t n, double *x, double *y);
/* Transforms one point; STAD_EGEO if it cannot be transformed. */
int stad_transform_point(stad_transform *t, double *x, double *y);

/* Options for loading area polygons from a GeoJSON, Shapefile or GeoPackage. */
typedef struct stad_area_load_opts {
    const char *level;       /* "wijk", "buurt", ...; required */
    const char *code_field;  /* NULL: detect (BU_CODE, WK_CODE, CODE, bu_code, ...) */
    const char *name_field;  /* NULL: detect (BU_NAAM, NAAM, name, ...) */
    const char *parent_level;/* NULL: parents found by containment in the level above */
    const char *layer;       /* NULL: the first layer */
    const char *city_crs;    /* target CRS; NULL: STAD_CRS_DEFAULT */
} stad_area_load_opts;

/* Loads polygons into the store's area table (upsert by level+code), in city CRS and
 * WGS84. Parents: every area gets as parent the area of the next level up ("buurt" ->
 * "wijk" -> "city") that contains its interior point, when such areas are loaded.
 * Sets *n_loaded. */
int stad_areas_load_file(stad_ctx *ctx, stad_store *s, const char *path,
                         const stad_area_load_opts *opts, size_t *n_loaded);

/* Point-in-polygon index over all areas of one level; STAD_EEMPTY when the store
 * has no areas of that level (callers treat that as "no assignment"). */
typedef struct stad_area_index stad_area_index;

int stad_area_index_build(stad_ctx *ctx, stad_store *s, const char *level,
                          stad_area_index **out);
void stad_area_index_free(stad_area_index *idx);
size_t stad_area_index_size(const stad_area_index *idx);
/* Area id containing (x, y) (city CRS). A point outside every polygon but within
 * `tolerance` metres of one (borders, digitising gaps) gets the nearest. 0 = none. */
int64_t stad_area_index_locate(const stad_area_index *idx, double x, double y,
                               double tolerance);
/* Parent id of an area id in the index (0 = none). */
int64_t stad_area_index_parent(const stad_area_index *idx, int64_t area_id);

#endif
