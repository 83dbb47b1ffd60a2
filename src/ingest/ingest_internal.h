/* Internals of the ingest module; not a public header.
 *
 * The pieces, one file each:
 *   ingest_encoding.c  UTF-8 check, Windows-1252 -> UTF-8
 *   ingest_map.c       small string -> integer hash map (counts, caches, taxonomy)
 *   ingest_reader.c    the row reader interface; picks CSV or OGR by file name
 *   ingest_csv.c       streaming RFC 4180 reader (any delimiter, BOM, encodings, lines)
 *   ingest_ogr.c       everything else through GDAL/OGR (xlsx, xls, ods, GeoJSON, ...)
 *   ingest_doctable.c  tables of documents: the model, header joins, the row reader
 *   ingest_docx.c      .docx and .odt tables (minizip + libxml2)
 *   ingest_pdf.c       text PDF -> words with positions (poppler-glib)
 *   ingest_pdflayout.c words with positions -> tables (columns, rows, headers, pages)
 *   ingest_columns.c   header -> role detection (synonyms, mapping file)
 *   ingest_taxonomy.c  source category -> kind slug
 *   ingest_value.c     numbers with decimal commas, time windows
 *   ingest_sha.c       streamed SHA-256 of a file
 *   ingest_file.c      one file -> one batch in one transaction
 *   ingest_watch.c     folder watch (inotify)
 *
 * Ownership: every _open/_load hands out an object released by its _close/_free
 * (which accept NULL). Row fields point into the reader and are valid until the next
 * call to ingest_reader_next. */
#ifndef STAD_INGEST_INTERNAL_H
#define STAD_INGEST_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "stad/arena.h"
#include "stad/base.h"
#include "stad/conf.h"
#include "stad/ingest.h"
#include "stad/strbuf.h"

/* ---- encoding ---- */

/* 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int ingest_utf8_valid(const char *s, size_t n);
/* Appends s[0..n), read as Windows-1252 (a superset of Latin-1's printable
 * range), to out as UTF-8. */
int ingest_cp1252_to_utf8(stad_strbuf *out, const char *s, size_t n);

enum ingest_encoding {
    INGEST_ENC_AUTO = 0, /* UTF-8 where valid, else Windows-1252, per value */
    INGEST_ENC_UTF8 = 1,
    INGEST_ENC_CP1252 = 2
};
/* "utf-8", "latin1", "windows-1252", ... -> enum; -1 if unknown. */
int ingest_encoding_from_name(const char *name);

/* ---- string map: key -> int64 (keys copied) ---- */

typedef struct ingest_map_entry {
    char *key;
    uint64_t hash;
    int64_t value;
} ingest_map_entry;

typedef struct ingest_map {
    ingest_map_entry *slots;
    size_t cap, n;
    stad_arena arena;
    /* insertion order, for stable reports */
    ingest_map_entry **order;
} ingest_map;

void ingest_map_init(ingest_map *m);
void ingest_map_free(ingest_map *m);
/* Pointer to the value of key, or NULL. */
int64_t *ingest_map_get(const ingest_map *m, const char *key);
/* Pointer to the value of key, inserting it with `init` if absent (NULL on OOM). */
int64_t *ingest_map_upsert(ingest_map *m, const char *key, int64_t init);
uint64_t ingest_hash_bytes(const void *p, size_t n, uint64_t seed);

/* ---- rows from any reader ---- */

typedef struct ingest_row {
    const char *const *field; /* n strings, UTF-8, never NULL ("" when empty) */
    size_t n;
    int64_t line;             /* CSV: physical line where the record starts (header = 1);
                                 spreadsheet: row in the sheet; other: feature number */
    const char *error;        /* set when the row itself is malformed (whole-row reject) */
    int has_geom;             /* the feature has a geometry: its point (or centroid) */
    double gx, gy;            /* in the layer CRS (ingest_reader_geom_crs) */
    int page;                 /* documents: PDF page of the row; 0 otherwise */
    int table;                /* documents: 1-based table of the row; 0 otherwise */
    int64_t ref;              /* documents: row on that page (PDF) or in that table
                                 (docx/odt), header rows counted; rejects cite it */
} ingest_row;

typedef struct ingest_reader_opts {
    const char *layer;  /* sheet or layer name; NULL: first */
    int encoding;       /* enum ingest_encoding */
    int force_ogr;      /* read CSV through OGR too (benchmark, comparison) */
    int table;          /* documents: table N; 0: first + those with its header */
} ingest_reader_opts;

typedef struct ingest_reader ingest_reader;

typedef struct ingest_reader_ops {
    int (*next)(ingest_reader *r, ingest_row *row);
    void (*close)(ingest_reader *r);
} ingest_reader_ops;

struct ingest_reader {
    const ingest_reader_ops *ops;
    stad_ctx *ctx;
    char *path;
    const char *format;   /* "csv", or the GDAL driver name */
    char **headers;       /* ncols names, UTF-8 */
    size_t ncols;
    char delimiter;       /* CSV only; ',' otherwise (for raw row text) */
    int spreadsheet;      /* line numbers are sheet rows */
    int recoded;          /* some text was converted from Windows-1252 */
    char *geom_crs;       /* "EPSG:4326", WKT, or NULL when no geometry */
    uint64_t bytes_done, bytes_total; /* progress; total 0 = unknown */
    void *impl;
};

/* Opens path and reads its header. Errors (STAD_EIO, STAD_EFORMAT, STAD_EEMPTY)
 * name the file. A ".gz" suffix is read through GDAL's /vsigzip/. */
int ingest_reader_open(stad_ctx *ctx, const char *path, const ingest_reader_opts *o,
                       ingest_reader **out);
/* 1 with a row, 0 at the end, or a negative error (the file broke off mid-way). */
int ingest_reader_next(ingest_reader *r, ingest_row *row);
void ingest_reader_close(ingest_reader *r);
/* The row as CSV text with the file's delimiter (for reject.raw). */
int ingest_row_raw(const ingest_reader *r, const ingest_row *row, stad_strbuf *out);

int ingest_csv_open(stad_ctx *ctx, const char *path, const ingest_reader_opts *o,
                    ingest_reader **out);
int ingest_ogr_open(stad_ctx *ctx, const char *path, const ingest_reader_opts *o,
                    ingest_reader **out);
/* Delimiter of a CSV header line: the most frequent of , ; TAB | outside quotes. */
char ingest_csv_sniff_delimiter(const char *line, size_t n);
/* 1 when the path names a CSV-like text file (.csv, .tsv, .txt, optionally .gz). */
int ingest_path_is_csv(const char *path);

/* ---- tables of documents ---- */

typedef struct ingest_trow {
    char **cell;   /* ncols strings (arena), never NULL */
    int page;      /* PDF page (1-based), 0 for docx/odt */
    int64_t ref;   /* row on the page (PDF) or in the table (docx/odt), header counted */
} ingest_trow;

typedef struct ingest_table {
    size_t ncols;
    char **header;       /* ncols names (arena) */
    ingest_trow *row;    /* data rows (malloc'ed array) */
    size_t nrows, cap;
    int first_page, last_page;
} ingest_table;

typedef struct ingest_doc {
    const char *format;  /* "docx", "odt", "pdf" */
    int pages;
    ingest_table *t;     /* malloc'ed array */
    size_t n, cap;
    stad_arena arena;    /* every string of the tables */
} ingest_doc;

void ingest_doc_init(ingest_doc *d, const char *format);
void ingest_doc_free(ingest_doc *d);
/* A new empty table at the end (NULL on OOM). */
ingest_table *ingest_doc_add_table(ingest_doc *d, size_t ncols);
/* Appends a row of t->ncols cells, copied into the arena. */
int ingest_table_add_row(ingest_doc *d, ingest_table *t, const char *const *cells,
                         int page, int64_t ref);
/* Trims blanks at both ends and squeezes inner runs of white space to one ' '. */
void ingest_text_squeeze(char *s);
/* 1 when the text looks like a value (number, date, time, code with digits) rather
 * than a header name. */
int ingest_text_is_value(const char *s);

/* Reads every table of a .docx/.odt (ingest_docx.c) or PDF (ingest_pdf.c). */
int ingest_docx_load(stad_ctx *ctx, const char *path, ingest_doc *out);
int ingest_pdf_load(stad_ctx *ctx, const char *path, ingest_doc *out);
/* Either of the two, by file name. */
int ingest_doc_load(stad_ctx *ctx, const char *path, ingest_doc *out);
/* A row reader over table o->table of the document (see stad_ingest_opts.table). */
int ingest_doc_open(stad_ctx *ctx, const char *path, const ingest_reader_opts *o,
                    ingest_reader **out);

/* PDF layout: the words of one page in PDF points (y down), as ingest_pdf.c finds them. */
typedef struct ingest_word {
    double x0, y0, x1, y1;  /* box */
    double base;            /* baseline (bottom of the box) */
    const char *text;       /* UTF-8 (arena) */
} ingest_word;

typedef struct ingest_pdf_page {
    ingest_word *w;
    size_t n;
    double width, height;
} ingest_pdf_page;

/* Builds the tables of a document from the words of its pages (ingest_pdflayout.c). */
int ingest_pdf_tables(stad_ctx *ctx, const char *path, const ingest_pdf_page *pages,
                      size_t npages, ingest_doc *doc);

/* ---- columns ---- */

#define INGEST_ROLES(R_)                                                       \
    R_(TIME_FROM, "time_from") R_(TIME_TO, "time_to") R_(DATE, "date")           \
    R_(TIME, "time") R_(TO_DATE, "time_to_date") R_(TO_TIME, "time_to_time")     \
    R_(X, "x") R_(Y, "y") R_(LAT, "lat") R_(LON, "lon") R_(POINT, "point")        \
    R_(CATEGORY, "category") R_(CATEGORY_CODE, "category_code")                 \
    R_(STREET, "street") R_(HOUSE_NUMBER, "house_number")                       \
    R_(POSTCODE, "postcode") R_(ID, "id") R_(COUNT, "count")

enum ingest_role {
#define INGEST_ROLE_ENUM_(name, str) INGEST_ROLE_##name,
    INGEST_ROLES(INGEST_ROLE_ENUM_)
#undef INGEST_ROLE_ENUM_
    INGEST_ROLE_N_
};

const char *ingest_role_name(int role);
int ingest_role_from_name(const char *name); /* -1 if unknown */

/* Lower-case ASCII, every run of non-alphanumeric ASCII becomes one '_', no leading or
 * trailing '_' ("X (RD)" -> "x_rd", "Begin datum/tijd" -> "begin_datum_tijd"). */
void ingest_header_norm(const char *in, char *out, size_t size);

typedef struct ingest_synonyms ingest_synonyms;
/* Loads config/columns.conf: [synonyms] role = name, name, ...; [crs] header = CRS. */
int ingest_synonyms_load(stad_ctx *ctx, const char *path, ingest_synonyms **out);
void ingest_synonyms_free(ingest_synonyms *s);

typedef struct ingest_columns {
    int col[INGEST_ROLE_N_]; /* column index or -1 */
    const char *xy_crs;      /* CRS named for the x/y header in [crs], or NULL (city) */
    /* from the mapping file's [source] */
    const char *crs;         /* CRS of the coordinates; overrides everything */
    const char *kind;        /* kind of every row */
    int decimal_comma;       /* 1: numbers use ',' (auto-detected per value anyway) */
    int encoding;            /* enum ingest_encoding */
    int date_order;          /* STAD_DATE_DAY_FIRST / _MONTH_FIRST from the mapping's
                                date_format, or -1: decided from the values */
    stad_arena arena;        /* owns the strings above */
} ingest_columns;

/* Detects roles from headers; a mapping (may be NULL) wins over synonyms. A mapping
 * naming a header that is not in the file fails with STAD_ECOLUMNS. */
int ingest_columns_detect(stad_ctx *ctx, const ingest_synonyms *syn, const stad_conf *mapping,
                          const char *file, char *const *headers, size_t n,
                          ingest_columns *out);
void ingest_columns_free(ingest_columns *c);
/* "time_from=begin_datumtijd, x=x_rd, ..." */
int ingest_columns_describe(const ingest_columns *c, char *const *headers,
                            stad_strbuf *out);

/* ---- taxonomy ---- */

typedef struct ingest_taxonomy ingest_taxonomy;
int ingest_taxonomy_load(stad_ctx *ctx, const char *path, ingest_taxonomy **out);
void ingest_taxonomy_free(ingest_taxonomy *t);
/* 1 when slug is a kind of the taxonomy. */
int ingest_taxonomy_has(const ingest_taxonomy *t, const char *slug);
/* The kind slug for a source category (code and/or text, either may be NULL or ""),
 * or NULL when nothing matches. Order: the whole text, the code, the leading code
 * token of the text ("A72" in "A72 Diefstal Fiets"), a slug or label named by the
 * text, the longest slug that prefixes the text. */
const char *ingest_taxonomy_lookup(const ingest_taxonomy *t, const char *code,
                                   const char *text);

/* ---- the writer thread (ingest_writer.c) ---- */

/* Inserts rows into the store on a thread of its own, in order, while the caller
 * reads on; the store belongs to the writer until ingest_writer_finish. Rows and their
 * strings are copied. Adding returns STAD_ENOMEM at worst; the writer's own first error
 * comes back from ingest_writer_finish (and is polled with ingest_writer_failed). */
typedef struct ingest_writer ingest_writer;
int ingest_writer_start(stad_ctx *ctx, stad_store *s, ingest_writer **out);
int ingest_writer_event(ingest_writer *w, const stad_event_row *e);
int ingest_writer_asset(ingest_writer *w, const stad_asset_row *a);
int ingest_writer_reject(ingest_writer *w, const stad_reject_row *r);
int ingest_writer_failed(ingest_writer *w);
int ingest_writer_finish(ingest_writer *w);
/* Finishes if needed (joins the thread) and frees; NULL is fine. */
void ingest_writer_free(ingest_writer *w);

/* ---- values ---- */

/* Parses a number with '.' or ',' as decimal mark (thousands marks of the other kind
 * are skipped: "1.234,5", "1,234.5"); surrounding spaces allowed. 0 or STAD_EPARSE. */
int ingest_parse_number(const char *s, double *out);

/* A point written in one cell: WKT "POINT (x y)" (also EWKT "SRID=4326;POINT(...)"),
 * or "(lat, lon)" as US open-data portals write a location. 0 with *a, *b in the
 * order written, *lat_first set for the second form and *srid the EWKT SRID or 0;
 * STAD_EPARSE otherwise. */
int ingest_parse_point(const char *s, double *a, double *b, int *lat_first, long *srid);

/* Time window of a row from its time columns. On failure *col_out is the role of
 * the offending column and *why a reason (static). */
typedef struct ingest_time_in {
    const char *from, *date, *time;       /* NULL when the column is absent */
    const char *to, *to_date, *to_time;
    int date_order;                       /* enum stad_date_order */
} ingest_time_in;
int ingest_parse_window(const ingest_time_in *in, int64_t *t_from, int64_t *t_to,
                        int *col_out, const char **why);

/* ---- sha ---- */

/* SHA-256 of the file (the bytes on disk, compressed or not) as 64 hex chars + NUL. */
int ingest_sha256_file(stad_ctx *ctx, const char *path, char hex[65]);

/* ---- config ---- */

/* Path of a file in the config dir (STAD_CONFIG_DIR, else the built-in one) into out. */
int ingest_config_path(const char *name, stad_strbuf *out);

#endif
