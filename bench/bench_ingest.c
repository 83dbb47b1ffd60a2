/* Ingest throughput: a police extract scaled to N rows (scripts/gen-police-csv),
 * ingested with projection and buurt/wijk assignment, against `sqlite3 .import` of
 * the same file into a bare table, in the same run. Also compares stad's own CSV
 * reader with GDAL/OGR's CSV driver (STAD_INGEST_CSV_READER=ogr) for the same job.
 * Prints ratios; asserts nothing.
 *
 *   bench_ingest [ROWS [CSV]]     (env STAD_SOURCE_DIR, STAD_SHARED_DATA, STAD_TMP) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stad.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static void remove_db(const char *path)
{
    char b[4096];
    unlink(path);
    snprintf(b, sizeof b, "%s-wal", path);
    unlink(b);
    snprintf(b, sizeof b, "%s-shm", path);
    unlink(b);
}

static int open_city(stad_ctx *ctx, const char *db, const char *shared, stad_store **s)
{
    char buurt[4096], wijk[4096];
    snprintf(buurt, sizeof buurt, "%s/groningen/cbs-wijk-buurtkaart-2017/groningen_cbs_buurt2017_wgs84.geojson", shared);
    snprintf(wijk, sizeof wijk, "%s/groningen/cbs-wijk-buurtkaart-2017/groningen_cbs_wijk2017_wgs84.geojson", shared);
    remove_db(db);
    int rc = stad_store_open(ctx, db, s);
    stad_area_load_opts wo = {0}, bo = {0};
    wo.level = "wijk";
    bo.level = "buurt";
    size_t n;
    if (!rc)
        rc = stad_areas_load_file(ctx, *s, wijk, &wo, &n);
    if (!rc)
        rc = stad_areas_load_file(ctx, *s, buurt, &bo, &n);
    return rc;
}

static double run_ingest(stad_ctx *ctx, const char *db, const char *shared, const char *csv,
                         const char *reader, stad_ingest_report *r)
{
    stad_store *s = NULL;
    if (open_city(ctx, db, shared, &s)) {
        fprintf(stderr, "bench_ingest: %s\n", stad_errmsg(ctx));
        exit(1);
    }
    if (reader)
        setenv("STAD_INGEST_CSV_READER", reader, 1);
    else
        unsetenv("STAD_INGEST_CSV_READER");
    double t0 = now();
    int rc = stad_ingest_file(ctx, s, csv, NULL, r);
    double t = now() - t0;
    if (rc) {
        fprintf(stderr, "bench_ingest: %s\n", stad_errmsg(ctx));
        exit(1);
    }
    stad_store_close(s);
    remove_db(db);
    return t;
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? atol(argv[1]) : 1000000;
    const char *src = env_or("STAD_SOURCE_DIR", ".");
    const char *shared = env_or("STAD_SHARED_DATA", "../shared/data");
    const char *tmp = env_or("STAD_TMP", "/tmp");
    char csv[4096], db[4096], cmd[16384];
    if (argc > 2) {
        snprintf(csv, sizeof csv, "%s", argv[2]);
    } else {
        snprintf(csv, sizeof csv, "%s/bench-police-%ld.csv", tmp, rows);
        if (access(csv, R_OK) != 0) {
            fprintf(stderr, "generating %ld rows into %s\n", rows, csv);
            snprintf(cmd, sizeof cmd, "python3 '%s/scripts/gen-police-csv' %ld '%s'", src, rows, csv);
            if (system(cmd) != 0) {
                fprintf(stderr, "bench_ingest: generator failed\n");
                return 1;
            }
        }
    }
    struct stat st;
    if (stat(csv, &st) != 0) {
        fprintf(stderr, "bench_ingest: %s missing\n", csv);
        return 1;
    }

    /* baseline: the sqlite3 shell importing the same file into a bare table */
    snprintf(db, sizeof db, "%s/bench-import.db", tmp);
    remove_db(db);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' -cmd '.mode csv' '.import %s t' 2>/dev/null", db, csv);
    double t0 = now();
    int irc = system(cmd);
    double t_import = now() - t0;
    remove_db(db);
    if (irc != 0) {
        fprintf(stderr, "bench_ingest: sqlite3 .import failed (is the sqlite3 shell installed?)\n");
        return 1;
    }

    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 1;
    stad_set_logger(ctx, STAD_LOG_ERROR, stad_log_stderr, NULL);
    snprintf(db, sizeof db, "%s/bench-ingest.db", tmp);
    stad_ingest_report r1, r2;
    double t_own = run_ingest(ctx, db, shared, csv, NULL, &r1);
    double t_ogr = run_ingest(ctx, db, shared, csv, "ogr", &r2);

    double n = (double)r1.rows_read;
    printf("bench_ingest: %lld rows, %.0f MB\n", (long long)r1.rows_read, (double)st.st_size / 1e6);
    printf("  sqlite3 .import (bare table)          %7.2f s  %9.0f rows/s\n", t_import, n / t_import);
    printf("  stad ingest, own CSV reader           %7.2f s  %9.0f rows/s  (%lld accepted, "
           "%lld without buurt)\n",
           t_own, n / t_own, (long long)r1.accepted, (long long)r1.without_area);
    printf("  stad ingest, OGR CSV driver           %7.2f s  %9.0f rows/s  (%lld accepted)\n",
           t_ogr, (double)r2.rows_read / t_ogr, (long long)r2.accepted);
    printf("ratio ingest/import (own reader): %.2f\n", t_own / t_import);
    printf("ratio ingest/import (OGR reader): %.2f\n", t_ogr / t_import);
    printf("ratio OGR reader/own reader:      %.2f\n", t_ogr / t_own);
    stad_ingest_report_free(&r1);
    stad_ingest_report_free(&r2);
    stad_ctx_free(ctx);
    return 0;
}
