/* stad ingest: municipal and police files into the store, one batch per file.
 *
 * Reads xlsx/xls/ods/csv/GeoJSON/Shapefile/GeoPackage through GDAL/OGR. Tables in .docx, .odt
 * and text PDFs are read as described in tables.h. Columns are
 * found by header (Dutch and English synonyms, config/columns.conf) or a mapping file;
 * categories map to kinds through the taxonomy (config/taxonomy.conf). Each file is one
 * transaction: the same file twice is a no-op, a changed file with the same name
 * replaces its earlier rows, and a file that cannot be read leaves the store untouched.
 *
 * Rows: a row with a problem is rejected (table `reject`: line, column header, reason,
 * raw value or row text) and counted; the rest of the file still loads. Lines are the
 * physical line where a CSV record starts (header = 1) or the sheet row. A row that
 * repeats an earlier row of the same file field for field is rejected as "duplicate of
 * line N" (ids alone are not enough: police and US extracts repeat an incident id for
 * each victim or object). A category the taxonomy does not know loads with kind
 * "unmapped" and is listed in report->unmapped.
 *
 * Coordinates: x_rd/y_rd-style headers are RD New, lat/lon are WGS84, a generic x/y is
 * in the city's CRS (store meta "city.crs", default EPSG:28992); a mapping file may set
 * the CRS. Points more than 2 km outside the loaded areas are rejected; a file whose
 * first rows fit only with the two columns exchanged is read swapped.
 *
 * Configuration: config/columns.conf and config/taxonomy.conf in $STAD_CONFIG_DIR, else
 * the built-in config dir; store meta "ingest.taxonomy" names another taxonomy.
 * STAD_INGEST_CSV_READER=ogr reads CSV through OGR's driver instead of stad's own
 * streaming reader (for comparison; see bench/bench_ingest.c).
 *
 * Ownership: a report filled by stad_ingest_file owns its strings; release them with
 * stad_ingest_report_free (also after a failure: the report is always initialised). */
#ifndef STAD_INGEST_H
#define STAD_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "store.h"
#include "tables.h"

typedef enum stad_ingest_target {
    STAD_INGEST_EVENTS = 0,
    STAD_INGEST_ASSETS = 1
} stad_ingest_target;

typedef struct stad_ingest_opts {
    stad_ingest_target target;
    const char *source;        /* source name; NULL: the file name without extension */
    const char *mapping_path;  /* mapping file; NULL: detect columns by header */
    const char *taxonomy_path; /* NULL: the store's configured taxonomy, else built-in default */
    const char *columns_path;  /* synonyms; NULL: the default config/columns.conf */
    const char *kind;          /* kind for every row when the file has no category column
                                  (events), or the asset kind ("streetlight") */
    const char *layer;         /* sheet or layer; NULL: the first */
    int table;                 /* .docx/.odt/.pdf: table N (1-based); 0: the first and every
                                  later table with the same header (see tables.h) */
    double area_tolerance;     /* metres; < 0: default 25 m */
} stad_ingest_opts;

typedef struct stad_ingest_count {
    char *name;
    int64_t n;
} stad_ingest_count;

#define STAD_INGEST_NO_CATEGORY "(no category column)"

typedef struct stad_ingest_report {
    char *file;               /* the path as given */
    char *sha256;
    int64_t batch_id;         /* the new batch, or the existing one when unchanged */
    int unchanged;            /* 1: same content already loaded, nothing done */
    int64_t replaced_batch;   /* earlier batch of the same file name replaced, or 0 */
    int64_t rows_read;
    int64_t accepted;
    int64_t rejected;
    int64_t without_area;     /* accepted rows outside every buurt */
    int no_buurten;           /* 1: the store has no buurten to assign rows to */
    int swapped_axes;         /* 1: lat/lon (or x/y) columns were swapped in the file */
    char *columns;            /* "time_from=begin_datumtijd, x=x_rd, ..." as detected */
    int dates_month_first;    /* 1: d-m-y dates were read month first (12/25/2017) */
    int64_t dates_order_line; /* the line whose date showed the order, or 0 */
    int64_t dates_ambiguous;  /* rows whose date reads as another day the other way round,
                                 with no date in the file to tell: read day first */
    stad_ingest_count *unmapped; /* categories with no kind, and how often; rows of a
                                    file without a category column (and no kind given)
                                    count under STAD_INGEST_NO_CATEGORY */
    size_t n_unmapped;
    stad_ingest_count *kinds;    /* accepted rows per kind */
    size_t n_kinds;
} stad_ingest_report;

/* Ingests one file. Returns 0 when the file was read (even with row rejects), or an
 * error (unreadable file, missing required columns) with the store unchanged. */
int stad_ingest_file(stad_ctx *ctx, stad_store *s, const char *path,
                     const stad_ingest_opts *opts, stad_ingest_report *report);
void stad_ingest_report_free(stad_ingest_report *r);

/* Key figures per area (e.g. CBS kerncijfers wijken en buurten): a table with one
 * row per area code (column gwb_code_10, bu_code, wk_code, code, or `code_column`);
 * every other column is kept as a figure of that area (numbers as numbers; CBS's "."
 * and -99999999 as null). Rows whose code matches no loaded area are counted, not
 * an error. One transaction. */
typedef struct stad_figures_report {
    size_t matched;   /* areas that got figures */
    size_t unmatched; /* rows whose code is not a loaded area */
    size_t columns;   /* figures per area */
} stad_figures_report;

int stad_ingest_area_figures(stad_ctx *ctx, stad_store *s, const char *path,
                             const char *code_column, const char *layer,
                             stad_figures_report *report);

/* Watches `dir` (inotify) and ingests each file that is closed after writing or moved
 * in, and every file already there at start. Calls `on_report` after each file (with
 * the result code); keeps running after bad files. Returns when `stop` returns
 * non-zero (checked at least once a second) or on a fatal watch error. */
typedef void (*stad_watch_report_fn)(void *user, const char *path, int rc,
                                     const stad_ingest_report *r);
int stad_watch_dir(stad_ctx *ctx, stad_store *s, const char *dir,
                   const stad_ingest_opts *opts, stad_watch_report_fn on_report,
                   int (*stop)(void *user), void *user);

#endif
