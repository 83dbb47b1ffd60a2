/* stad store: one SQLite file (WAL, foreign keys on, migrations by user_version).
 *
 * Tables (see docs/ARCHITECTURE.md): meta, source, batch, reject, event, asset, area.
 * Times are naive local seconds (see timeparse.h); geometry in the city's projected
 * CRS (metres) plus WGS84 lon/lat for the web.
 *
 * Ownership: stad_store_open hands out a store closed with stad_store_close. Row
 * structs passed to callbacks point into memory valid only during the callback.
 * A store is used by one thread at a time; open one per thread. */
#ifndef STAD_STORE_H
#define STAD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

#define STAD_SCHEMA_VERSION 5

typedef struct stad_store stad_store;
struct sqlite3;

/* Opens (creating if missing) and migrates to STAD_SCHEMA_VERSION. A store whose
 * schema is newer than this binary fails with STAD_ESCHEMA. */
int stad_store_open(stad_ctx *ctx, const char *path, stad_store **out);
void stad_store_close(stad_store *s);
const char *stad_store_path(const stad_store *s);
int stad_store_schema_version(stad_store *s, int *version);
/* The raw handle, for modules that run their own queries. Owned by the store. */
struct sqlite3 *stad_store_db(stad_store *s);
stad_ctx *stad_store_ctx(stad_store *s);
/* Hands the store to another thread's context (errors go there from now on); returns
 * the previous one. For a store passed between threads, one at a time. */
stad_ctx *stad_store_set_ctx(stad_store *s, stad_ctx *ctx);

int stad_store_begin(stad_store *s);    /* BEGIN IMMEDIATE */
int stad_store_commit(stad_store *s);
int stad_store_rollback(stad_store *s); /* never fails loudly; safe without a transaction */

/* ---- backup and restore (store_backup.c) ----
 * stad_store_backup copies one consistent snapshot of the open store (it may be in
 * use: WAL readers and writers go on) to `dest` through SQLite's online backup API. The
 * copy is written next to dest, checked (integrity, schema), synced and renamed into
 * place, so dest is either complete or absent. An existing dest is refused unless
 * `overwrite`. stad_store_restore replaces the store at `store_path` (created when
 * missing) with the backup `src` after checking it (integrity; a stad schema no newer
 * than this binary); a store that another process has open is refused (STAD_EINVAL),
 * never changed under it. stad_store_verify_file only checks. `info` may be NULL; it
 * describes the backup. */
typedef struct stad_backup_info {
    int schema_version;
    int64_t pages, bytes;
    int64_t batches; /* loaded batches */
    int64_t events, areas;
} stad_backup_info;
int stad_store_backup(stad_store *s, const char *dest, int overwrite, stad_backup_info *info);
int stad_store_restore(stad_ctx *ctx, const char *store_path, const char *src,
                       stad_backup_info *info);
int stad_store_verify_file(stad_ctx *ctx, const char *path, stad_backup_info *info);

/* ---- upgrades (store_upgrade.c) ----
 * Brings the existing store at path to STAD_SCHEMA_VERSION. A store with data and an
 * older schema is first copied with stad_store_backup to
 * <backup_dir>/<name>.schema<N>-<UTC time>.bak (backup_dir NULL or "": the store's
 * folder; created when missing); the migrations run only once that copy is complete.
 * A store newer than this binary fails with STAD_ESCHEMA and is not touched; a missing
 * one with STAD_ENOTFOUND (it is not created). info may be NULL; backup is "" when no
 * copy was needed. */
typedef struct stad_upgrade_info {
    int from, to;        /* schema versions before and after */
    char backup[4096];   /* the copy made before migrating, or "" */
} stad_upgrade_info;
int stad_store_upgrade(stad_ctx *ctx, const char *path, const char *backup_dir,
                       stad_upgrade_info *info);

/* Key/value settings kept in the store (city name, crs, ...). *value is malloc'ed
 * (caller frees); STAD_ENOTFOUND when absent. */
int stad_store_meta_get(stad_store *s, const char *key, char **value);
int stad_store_meta_set(stad_store *s, const char *key, const char *value);

/* A number that grows with every change to batches and areas (0 for a new store):
 * for ETags and for noticing new data. */
int stad_store_data_version(stad_store *s, int64_t *version);
/* The data version and the access generation in one read (a statement kept by the
 * store, for a server's every request). The access generation (table
 * auth_generation) grows with every change to accounts, sessions (other than
 * last_seen) and the source register, counted by triggers whoever makes the change;
 * -1 when the store lacks it (then nothing derived from sessions may be cached). Read both in the same transaction
 * as the data they guard. */
int stad_store_versions(stad_store *s, int64_t *data_version, int64_t *auth_generation);
/* Increments the data version, for modules that change events through their own
 * SQL (retention); call inside the writing transaction. */
int stad_store_bump_data_version(stad_store *s);

/* ---- sources ---- */
typedef struct stad_source_row {
    int64_t id;
    const char *name;
    const char *holder;
    const char *purpose;
    const char *legal_basis;
    int retention_days; /* 0 = not set */
    const char *sensitivity;
    const char *roles;  /* comma-separated roles that may read it */
    const char *status; /* "pending" | "approved" */
    int64_t created;    /* unix seconds (UTC) */
    int64_t n_batches;
    int64_t n_events;
    const char *approved_by; /* account that approved it, or "" */
    int64_t approved_at;     /* unix seconds (UTC), 0 = never */
} stad_source_row;

/* Finds the source by name or creates it (status pending); sets *id. */
int stad_store_source_ensure(stad_store *s, const char *name, int64_t *id);
int stad_store_sources_each(stad_store *s, int (*cb)(void *, const stad_source_row *),
                            void *user);

/* ---- batches ---- */
typedef struct stad_batch_row {
    int64_t id;
    int64_t source_id;
    const char *source_name;
    const char *file_name; /* base name of the file */
    const char *file_path;
    const char *sha256;    /* 64 hex chars */
    const char *target;    /* "event" | "asset" */
    const char *status;    /* "loaded" | "replaced" */
    int64_t rows_read;
    int64_t rows_accepted;
    int64_t rows_rejected;
    int64_t started;       /* unix seconds (UTC) */
    int64_t finished;
    int64_t replaces;      /* id of the batch this one replaced, or 0 */
} stad_batch_row;

/* Batch of this source with this content hash that is still loaded: *id or STAD_ENOTFOUND. */
int stad_store_batch_find_sha(stad_store *s, int64_t source_id, const char *sha256,
                              int64_t *id);
/* Loaded batch of this source with this file name: *id or STAD_ENOTFOUND. */
int stad_store_batch_find_file(stad_store *s, int64_t source_id, const char *file_name,
                               int64_t *id);
/* Creates a batch row (call inside a transaction); fields id/status/counts ignored. */
int stad_store_batch_create(stad_store *s, const stad_batch_row *b, int64_t *id);
int stad_store_batch_finish(stad_store *s, int64_t id, int64_t rows_read,
                            int64_t accepted, int64_t rejected);
/* Marks batch `old_id` replaced by `new_id` and deletes its events and assets. */
int stad_store_batch_replace(stad_store *s, int64_t old_id, int64_t new_id);
int stad_store_batch_get(stad_store *s, int64_t id,
                         int (*cb)(void *, const stad_batch_row *), void *user);
int stad_store_batches_each(stad_store *s, int (*cb)(void *, const stad_batch_row *),
                            void *user);

/* ---- rejects ---- */
typedef struct stad_reject_row {
    int64_t batch_id;
    int64_t line;       /* line (CSV) or row (spreadsheet) in the file, 1-based */
    const char *column; /* column header, or "" for the whole row */
    const char *reason;
    const char *raw;    /* the offending value or row text (may be "") */
} stad_reject_row;

int stad_store_reject_insert(stad_store *s, const stad_reject_row *r);
int stad_store_rejects_each(stad_store *s, int64_t batch_id,
                            int (*cb)(void *, const stad_reject_row *), void *user);

/* ---- events ---- */
typedef struct stad_event_row {
    int64_t id;
    int64_t batch_id;
    int64_t line;
    const char *ext_id;   /* id in the source file, or NULL */
    const char *kind;     /* taxonomy slug */
    const char *category; /* the source's own category text */
    int64_t t_from, t_to; /* naive local seconds; t_to >= t_from */
    int has_xy;
    double x, y;          /* city CRS, metres */
    double lon, lat;      /* WGS84 */
    int64_t wijk_id, buurt_id; /* area ids, 0 when unassigned */
    const char *street, *house_number, *postcode;
    int32_t count;        /* events this row stands for (>= 1) */
    const char *attrs;    /* JSON object of the remaining columns, or NULL */
} stad_event_row;

int stad_store_event_insert(stad_store *s, const stad_event_row *e);

typedef struct stad_event_filter {
    const char *const *kinds; /* kind slugs; a slug also matches its children ("burglary" */
    size_t n_kinds;           /*  matches "burglary.residential"); 0 = all */
    int has_period;
    int64_t t_min, t_max;     /* events with t_from in [t_min, t_max) */
    const char *area_code;    /* wijk or buurt code, or NULL */
    int has_bbox;
    double bbox[4];           /* minlon, minlat, maxlon, maxlat */
    int64_t limit;            /* 0 = no limit */
    int64_t offset;           /* events to skip (ordered by t_from, id); 0 = none */
    /* Access scope (set by stad_privacy_scope_apply, not by hand): with
     * restrict_sources, only events of batches of these sources (none when
     * n_source_ids is 0). */
    int restrict_sources;
    const int64_t *source_ids;
    size_t n_source_ids;
} stad_event_filter;

/* Events in order of t_from, id; f->limit and f->offset page through them. */
int stad_store_events_each(stad_store *s, const stad_event_filter *f,
                           int (*cb)(void *, const stad_event_row *), void *user);
/* Number of event rows matching f (limit and offset ignored), for paging. */
int stad_store_events_count(stad_store *s, const stad_event_filter *f, int64_t *n);
/* The latest t_from among the filtered events (limit ignored); STAD_EEMPTY if none. */
int stad_store_events_latest(stad_store *s, const stad_event_filter *f, int64_t *t_from);

/* Event rows and their summed count per kind, with the first and last t_from, for
 * the kinds matching f (limit/offset ignored); in order of kind. */
typedef struct stad_kind_row {
    const char *kind;
    int64_t count;
    int64_t t_min, t_max;
} stad_kind_row;
int stad_store_kinds_each(stad_store *s, const stad_event_filter *f,
                          int (*cb)(void *, const stad_kind_row *), void *user);

/* Counts per area x kind x period. level: "wijk" or "buurt"; period: "week",
 * "month" or "all". Events without an area are reported with code "" . */
typedef struct stad_stat_row {
    const char *area_code, *area_name, *kind, *period;
    int64_t count;
} stad_stat_row;
int stad_store_stats_each(stad_store *s, const stad_event_filter *f, const char *level,
                          const char *period, int (*cb)(void *, const stad_stat_row *),
                          void *user);

/* Events as column arrays for analysis; one allocation per array, owned by the
 * struct, released with stad_events_free. kind[i] indexes kind_names. */
typedef struct stad_events {
    size_t n;
    int64_t *t_from, *t_to;
    double *x, *y;
    int32_t *kind;
    int32_t *wijk, *buurt; /* area ids, 0 = none */
    int32_t *count;
    char **kind_names;
    size_t n_kind_names;
} stad_events;

int stad_events_load(stad_store *s, const stad_event_filter *f, stad_events **out);
void stad_events_free(stad_events *e);

/* ---- assets ---- */
typedef struct stad_asset_row {
    int64_t id;
    int64_t batch_id;
    int64_t line;
    const char *kind; /* "streetlight", "container", "bike_rack", ... */
    const char *ext_id;
    double x, y, lon, lat;
    int64_t wijk_id, buurt_id;
    const char *attrs;
} stad_asset_row;

int stad_store_asset_insert(stad_store *s, const stad_asset_row *a);
/* Counts of assets per kind. */
int stad_store_assets_count_each(stad_store *s,
                                 int (*cb)(void *, const char *kind, int64_t n),
                                 void *user);

/* ---- areas ---- */
typedef struct stad_area_row {
    int64_t id;
    const char *level;       /* "city" | "wijk" | "buurt" | custom */
    const char *code;
    const char *name;
    int64_t parent_id;       /* 0 = none */
    const unsigned char *wkb; /* polygon/multipolygon in city CRS */
    size_t wkb_len;
    const char *geojson;     /* WGS84 geometry as GeoJSON text */
    double minx, miny, maxx, maxy;
} stad_area_row;

/* Inserts or replaces (by level + code); sets *id. */
int stad_store_area_upsert(stad_store *s, const stad_area_row *a, int64_t *id);
int stad_store_area_set_parent(stad_store *s, int64_t id, int64_t parent_id);
/* level NULL = all levels. */
int stad_store_areas_each(stad_store *s, const char *level,
                          int (*cb)(void *, const stad_area_row *), void *user);
int stad_store_area_find(stad_store *s, const char *code, int64_t *id);
/* Key figures of an area (e.g. CBS kerncijfers) as a JSON object text; replaces
 * earlier figures. STAD_ENOTFOUND when no area has this code. */
int stad_store_area_set_figures(stad_store *s, const char *code, const char *json);
/* *json is malloc'ed (caller frees), or NULL when the area has no figures. */
int stad_store_area_figures(stad_store *s, int64_t id, char **json);

#endif
