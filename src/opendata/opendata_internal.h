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
void od_table_free(od_table *t);
/* Threshold rule and secondary suppression, honouring t->forced. */
int od_table_suppress(stad_ctx *ctx, od_table *t, int threshold);

/* The ledger: marks in t->forced every published cell whose count differs from a
 * count published earlier for the same cell by 1..threshold-1; *n gets how many.
 * With strict, the first such cell fails with STAD_ERANGE. */
int od_ledger_check(stad_store *s, od_table *t, int threshold, int strict, int64_t *n);
/* Records the release unless its digest equals the last one's (*release = 0 then). */
int od_ledger_record(stad_store *s, const od_table *t, int threshold, const char *digest,
                     int64_t now, int64_t *release);

/* Writers (into b; the caller writes files). */
int od_write_csv(const od_table *t, int theme, stad_strbuf *b);
int od_write_geojson(const od_table *t, int theme, stad_strbuf *b);

typedef struct od_meta {
    const stad_opendata_opts *o;
    const char *city, *publisher, *authority, *email;
    char modified[16];
    struct {
        int present;
        char first[8], last[8]; /* months with data */
        int64_t csv_bytes, geojson_bytes;
    } theme[OD_THEMES];
} od_meta;
int od_write_turtle(const od_meta *m, stad_strbuf *b);
int od_write_jsonld(const od_meta *m, stad_strbuf *b);
int od_write_index(const od_meta *m, const stad_opendata_report *rep, stad_strbuf *b);

#endif
