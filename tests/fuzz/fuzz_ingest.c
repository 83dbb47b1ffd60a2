/* libFuzzer target: the whole ingest of a CSV file into a store (reader, column
 * detection, taxonomy, time windows, coordinates, areas, batch bookkeeping). Every
 * input goes to the same file name, so each one replaces the previous batch. After
 * each ingest the store must agree with the report: events = accepted rows of the
 * batch, rejects = rejected rows, read = accepted + rejected; a failed ingest leaves
 * the batch count as it was. */
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

static int64_t count(const char *sql, int64_t id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(stad_store_db(g_store), sql, -1, &st, NULL) != SQLITE_OK)
        abort();
    if (id)
        sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW)
        abort();
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void setup(void)
{
    char path[600];
    if (stad_ctx_new(&g_ctx) || fuzz_path("store.db", path, sizeof path) ||
        stad_store_open(g_ctx, path, &g_store) ||
        stad_store_meta_set(g_store, "city.crs", "EPSG:28992"))
        abort();
    /* Wijken of Groningen (a slice committed with the areas corpus), so that area
     * assignment and the "outside the city" check run too. */
    const char *src = getenv("STAD_SOURCE_DIR");
    if (src) {
        char areas[1024];
        snprintf(areas, sizeof areas, "%s/tests/fuzz/data/groningen-wijken.geojson",
                 src);
        stad_area_load_opts o = {.level = "wijk", .city_crs = "EPSG:28992"};
        size_t n = 0;
        if (stad_areas_load_file(g_ctx, g_store, areas, &o, &n) || n == 0) {
            fprintf(stderr, "fuzz_ingest: %s\n", stad_errmsg(g_ctx));
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_store)
        setup();
    char path[600];
    if (fuzz_write("police.csv", data, size, path, sizeof path))
        abort();
    int64_t batches_before = count("SELECT count(*) FROM batch", 0);
    stad_ingest_opts o = {.area_tolerance = -1};
    stad_ingest_report rep;
    int rc = stad_ingest_file(g_ctx, g_store, path, &o, &rep);
    if (rc == 0 && !rep.unchanged) {
        int64_t id = rep.batch_id;
        if (rep.rows_read != rep.accepted + rep.rejected ||
            count("SELECT count(*) FROM event WHERE batch_id = ?", id) != rep.accepted ||
            count("SELECT count(*) FROM reject WHERE batch_id = ?", id) != rep.rejected ||
            count("SELECT rows_accepted FROM batch WHERE id = ?", id) != rep.accepted)
            abort();
        /* only the new batch keeps events: the one it replaced lost them */
        if (count("SELECT count(*) FROM event WHERE batch_id <> ?", id) != 0)
            abort();
    } else if (rc != 0) {
        if (!stad_errmsg(g_ctx)[0] ||
            count("SELECT count(*) FROM batch", 0) != batches_before)
            abort();
    }
    stad_ingest_report_free(&rep);
    return 0;
}
