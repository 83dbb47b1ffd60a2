/* Internals of the opendata module: the aggregated table and its writers. */
#ifndef STAD_OPENDATA_INTERNAL_H
#define STAD_OPENDATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "stad/opendata.h"
#include "stad/strbuf.h"

enum { OD_WIJK = 0, OD_BUURT = 1 };
enum { OD_INCIDENTS = 0, OD_COMPLAINTS = 1, OD_ENFORCEMENT = 2, OD_THEMES = 3 };
/* Cell status; 0..2 are enum stad_social_supp. */
enum { OD_PUBLISHED = 0, OD_PRIMARY = 1, OD_SECONDARY = 2, OD_LEDGER = 3 };

typedef struct od_area {
    int64_t id, parent; /* store ids; parent of a buurt is its wijk */
    int level;          /* OD_WIJK or OD_BUURT */
    char *code, *name, *geojson;
} od_area;

/* Counts per area x month x kind; cell index (area * n_months + month) * n_kinds + kind. */
typedef struct od_table {
    od_area *areas;
    size_t n_areas;
    int first_month;    /* y*12 + (m-1) of the first month */
    size_t n_months;
    char **kinds;       /* top-level taxonomy slugs, sorted */
    size_t n_kinds;
    int64_t *units;
    int *supp;          /* OD_PUBLISHED .. OD_LEDGER */
    int *forced;        /* cells the ledger refused; suppressed on the next pass */
    int64_t events;
    /* social tables (kinds are source names, units households): the households of
     * each cell, sorted and unique, for the social domain's ledger */
    int64_t **members;
    size_t *n_members;
    const char *key_prefix; /* before the kind in ledger keys: "social:" or NULL */
} od_table;

static inline size_t od_cell(const od_table *t, size_t a, size_t m, size_t k)
{
    return (a * t->n_months + m) * t->n_kinds + k;
}
int od_theme_of(const char *kind);
const char *od_theme_slug(int theme);
void od_month_key(const od_table *t, size_t m, char buf[8]);

/* Loads areas and the events of the given sources into t. */
int od_table_load(stad_store *s, const int64_t *sources, size_t n_sources, od_table *t);
/* Loads the areas into t (what od_table_load does first). */
int od_table_load_areas(stad_store *s, od_table *t);
/* Allocates units, supp and forced for the areas x months x kinds set in t. */
int od_table_alloc(od_table *t);
void od_table_free(od_table *t);
/* Threshold rule and secondary suppression, honouring t->forced. */
int od_table_suppress(stad_ctx *ctx, od_table *t, int threshold);

/* The ledger: marks in t->forced every published cell whose count differs from a
 * count published earlier for the same cell by 1..threshold-1; *n gets how many.
 * With strict, the first such cell fails with STAD_ERANGE. */
int od_ledger_check(stad_store *s, od_table *t, int threshold, int strict, int64_t *n);
/* Records the release of all tables unless its digest equals the last one's
 * (*release = 0 then). */
int od_ledger_record(stad_store *s, const od_table *const *tables, size_t n_tables,
                     int threshold, const char *digest, int64_t now, int64_t *release);

/* Social-domain aggregates (opendata_social.c): households per wijk and buurt x month,
 * one kind per source in `names` (sources the register allows), from the records'
 * kept columns `buurt` and `wijk`; areas by code. *records gets the records counted
 * (those with a month and a known area). */
struct stad_social_db;
int od_social_load(stad_store *s, struct stad_social_db *db, char *const *names, size_t n,
                   od_table *t, int64_t *records);
/* The social ledger on a suppressed social table: marks in t->forced every published
 * cell nested with an earlier released cell (or another cell of t) and differing by
 * 1..threshold-1 households; *n gets how many. Strict: STAD_ERANGE at the first. */
int od_social_check(stad_store *s, struct stad_social_db *db, od_table *t, int threshold,
                    int strict, int64_t *n);
/* Records t in the social store's ledger as release `name`. */
int od_social_record(stad_store *s, struct stad_social_db *db, const od_table *t,
                     int threshold, const char *name);

/* What a dataset's files hold: which kinds of the table, and how to name the unit. */
typedef struct od_columns {
    const unsigned char *want; /* want[k]: kind k is in the dataset */
    const char *kind, *count;  /* column names: "kind"/"count", "source"/"households" */
} od_columns;

/* Writers (into b; the caller writes files). */
int od_write_csv(const od_table *t, const od_columns *cols, stad_strbuf *b);
int od_write_geojson(const od_table *t, const od_columns *cols, stad_strbuf *b);

/* One published dataset as the metadata and the index page describe it. */
typedef struct od_dataset {
    char slug[96];                /* <slug>.csv, <slug>.geojson, and its URI */
    char title[256], description[512], keyword[96];
    const char *theme_uri;        /* dcat:theme (OWMS) */
    const char *unit;             /* "gebeurtenissen" / "huishoudens" */
    char first[8], last[8];       /* months with data */
    int64_t csv_bytes, geojson_bytes;
} od_dataset;

typedef struct od_meta {
    const stad_opendata_opts *o;
    const char *city, *publisher, *authority, *email;
    char modified[16];
    od_dataset *ds;
    size_t n_ds;
} od_meta;
int od_write_turtle(const od_meta *m, stad_strbuf *b);
int od_write_jsonld(const od_meta *m, stad_strbuf *b);
int od_write_index(const od_meta *m, const stad_opendata_report *rep, stad_strbuf *b);

#endif
