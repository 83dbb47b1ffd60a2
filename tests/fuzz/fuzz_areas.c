/* libFuzzer target: loading area polygons from GeoJSON (src/geo/geo_areas_load.c) as
 * buurten under the Groningen wijken, then the point-in-polygon index over them.
 * A load either fails with a message and leaves the areas as they were (one
 * transaction), or stores areas with a geometry and an ordered bounding box that
 * the index can be built over and queried. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "stad.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static stad_ctx *g_ctx;
static stad_store *g_store;

static int64_t count(const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(stad_store_db(g_store), sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        abort();
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void setup(void)
{
    char path[600];
    if (stad_ctx_new(&g_ctx) || fuzz_path("areas.db", path, sizeof path) ||
        stad_store_open(g_ctx, path, &g_store))
        abort();
    const char *src = getenv("STAD_SOURCE_DIR");
    if (src) {
        char wijk[1024];
        snprintf(wijk, sizeof wijk, "%s/tests/fuzz/data/groningen-wijken.geojson",
                 src);
        stad_area_load_opts o = {.level = "wijk", .city_crs = "EPSG:28992"};
        size_t n = 0;
        if (stad_areas_load_file(g_ctx, g_store, wijk, &o, &n)) {
            fprintf(stderr, "fuzz_areas: %s\n", stad_errmsg(g_ctx));
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_store)
        setup();
    if (sqlite3_exec(stad_store_db(g_store), "DELETE FROM area WHERE level = 'buurt'", NULL,
                     NULL, NULL) != SQLITE_OK)
        abort();
    int64_t before = count("SELECT count(*) FROM area");
    char path[600];
    if (fuzz_write("areas.geojson", data, size, path, sizeof path))
        abort();
    stad_area_load_opts o = {.level = "buurt", .city_crs = "EPSG:28992"};
    size_t n = 0;
    int rc = stad_areas_load_file(g_ctx, g_store, path, &o, &n);
    if (rc) {
        if (!stad_errmsg(g_ctx)[0] || count("SELECT count(*) FROM area") != before)
            abort();
        return 0;
    }
    if (count("SELECT count(*) FROM area WHERE level = 'buurt'") > (int64_t)n ||
        count("SELECT count(*) FROM area WHERE wkb IS NULL OR minx > maxx OR miny > maxy") != 0)
        abort();
    stad_area_index *idx = NULL;
    rc = stad_area_index_build(g_ctx, g_store, "buurt", &idx);
    if (rc == 0) {
        /* a few points around Groningen (RD New) and some far off */
        static const double pts[][2] = {{233500, 582000}, {235000, 581000},
                                        {230000, 585000}, {0, 0},
                                        {-1e9, 1e9},      {240000, 590000}};
        for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
            int64_t id = stad_area_index_locate(idx, pts[i][0], pts[i][1], 25);
            if (id < 0)
                abort();
        }
    } else if (rc != STAD_EEMPTY && !stad_errmsg(g_ctx)[0]) {
        abort();
    }
    stad_area_index_free(idx);
    return 0;
}
