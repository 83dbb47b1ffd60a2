/* Internals of the store module: the store struct, SQL helpers shared by the
 * store_*.c files, and the event filter translated to SQL. Not a public header. */
#ifndef STAD_STORE_INTERNAL_H
#define STAD_STORE_INTERNAL_H

#include <sqlite3.h>

#include "stad/base.h"
#include "stad/store.h"
#include "stad/strbuf.h"

struct stad_store {
    sqlite3 *db;
    stad_ctx *ctx;
    char *path;
    /* Statements run once per row of an ingest, prepared on first use and kept
     * until close (SQLITE_PREPARE_PERSISTENT). */
    sqlite3_stmt *st_event_insert;
    sqlite3_stmt *st_asset_insert;
    sqlite3_stmt *st_reject_insert;
    /* Run once per server request (stad_store_versions). */
    sqlite3_stmt *st_versions;
};

/* Records "<what>: <sqlite message>" in the context and returns STAD_ESTORE. */
int store_fail_sql(stad_store *s, const char *what);
/* Prepares sql into *st; on failure records the error and returns STAD_ESTORE. */
int store_prepare(stad_store *s, const char *sql, sqlite3_stmt **st, const char *what);
/* Prepares sql into *cached unless already there, and resets/clears it. */
int store_prepare_cached(stad_store *s, const char *sql, sqlite3_stmt **cached,
                         const char *what);
/* Runs one or more statements without results. */
int store_exec(stad_store *s, const char *sql, const char *what);
/* Increments the data version (store_meta.c); call inside the writing transaction. */
int store_bump_data_version(stad_store *s);
/* Runs the migrations up to STAD_SCHEMA_VERSION (store_schema.c). */
int store_migrate(stad_store *s);
/* Registers stad_week(t) and stad_month(t) SQL functions (store_stats.c). */
int store_register_functions(stad_store *s);
/* Finalizes the cached statements (close, and before schema changes). */
void store_finalize_cached(stad_store *s);

/* Binding helpers: NULL pointer / 0 id become SQL NULL. */
int store_bind_text(sqlite3_stmt *st, int i, const char *v);
int store_bind_id(sqlite3_stmt *st, int i, int64_t id);
/* Column readers: text as "" when NULL, or NULL when NULL. */
const char *store_col_text(sqlite3_stmt *st, int i);
const char *store_col_text_or_null(sqlite3_stmt *st, int i);

/* The event filter as SQL over `event e`: appends " WHERE ..." (or nothing) with
 * `?` parameters to sql; store_filter_bind binds them in the same order starting at
 * *idx (1-based) and advances *idx. f may be NULL (no filter). */
int store_filter_sql(stad_store *s, const stad_event_filter *f, stad_strbuf *sql);
int store_filter_bind(stad_store *s, sqlite3_stmt *st, const stad_event_filter *f,
                      int *idx);

/* The event columns in the order store_event_from_row reads them. */
#define STORE_EVENT_COLUMNS                                                   \
    "e.id, e.batch_id, e.line, e.ext_id, e.kind, e.category, e.t_from, e.t_to, " \
    "e.x, e.y, e.lon, e.lat, e.wijk_id, e.buurt_id, e.street, e.house_number, "  \
    "e.postcode, e.count, e.attrs"
void store_event_from_row(sqlite3_stmt *st, stad_event_row *e);

#endif
