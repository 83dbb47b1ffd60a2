/* One file -> one batch in one transaction.
 *
 * Order of work: hash the file; open the store transaction; an unchanged file ends
 * here; open the reader and find the columns (an unreadable file or missing columns
 * roll back, leaving the store as it was); set up CRS transforms and area indexes;
 * look at the first rows to see whether the coordinate columns are swapped; then
 * every row is either inserted or rejected with line, column and reason. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stad/geo.h"
#include "stad/timeparse.h"
#include "ingest/ingest_internal.h"

#define PREFETCH_ROWS 64     /* rows looked at to decide on swapped coordinates */
#define OUTSIDE_MARGIN 2000.0 /* metres beyond the areas' extent still "in the city" */
#define PROGRESS_EVERY 4096

/* Where a row's point comes from: an x/y pair, a lat/lon pair, the geometry of a
 * geodata file, or one cell holding a point ("POINT (x y)", "(lat, lon)"). */
enum coord_mode { COORD_NONE, COORD_XY, COORD_LATLON, COORD_GEOM, COORD_POINT };

/* Duplicate detection: 64-bit row hashes -> first line. */
typedef struct dedup {
    uint64_t *hash;
    int64_t *line;
    size_t cap, n;
} dedup;

/* A row copied out of the reader, for the look-ahead. */
typedef struct saved_row {
    ingest_row row;
    char **fields;
} saved_row;

typedef struct job {
    stad_ctx *ctx;
    stad_store *s;
    const char *path;
    const char *base;
    stad_ingest_target target;
    stad_ingest_report *rep;
    ingest_reader *rd;
    ingest_columns cols;
    int cols_ok;
    ingest_synonyms *syn;
    stad_conf *mapping;
    ingest_taxonomy *tax;
    const char *fixed_kind; /* kind of every row (no category column, or assets) */
    char *city_crs;
    const char *src_crs;
    int mode;
    int ca, cb;             /* columns of east/lon and north/lat */
    stad_transform *to_city, *to_wgs;
    int src_is_wgs, src_is_city;
    stad_area_index *buurt, *wijk;
    int have_extent;
    double ext[4];
    int have_area;          /* no areas: the city CRS's area of use bounds the points */
    stad_crs_area area;
    int swap;
    int xy_assumed;         /* x/y taken in the city's CRS for want of a named one,
                               while the file has lat/lon too */
    char point_crs[24];     /* "EPSG:n" of a point column's EWKT SRID */
    double tolerance;
    dedup seen;
    ingest_map kinds, unmapped, catcache;
    int64_t source_id, batch_id;
    stad_strbuf raw, attrs, cat, reason, tmp;
    ingest_writer *w;       /* inserts rows on its own thread during the batch */
    char **attr_key;        /* per column: its JSON key '"header":', or NULL for role
                               columns (they have fields of their own) */
    stad_arena save_arena;
    saved_row *saved;
    size_t n_saved;
    int date_order;         /* enum stad_date_order the d-m-y dates are read with */
    int order_settled;      /* 1: the mapping or a value of the file fixed it */
    int order_override;     /* the order to use from the start, or -1 */
    int second_reading;     /* 1: read again month first; warnings were given */
    char what[160];
} job;

/* run(): a date showed the file writes month first after rows whose dates read
 * differently that way were taken day first; the caller reads the file again. */
#define RERUN_MONTH_FIRST 2

/* ---------- small helpers ---------- */

static const char *field(const job *j, const ingest_row *row, int role)
{
    int c = j->cols.col[role];
    if (c < 0 || (size_t)c >= row->n)
        return NULL;
    return row->field[c];
}

static const char *nonempty(const char *s)
{
    if (!s)
        return NULL;
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p ? s : NULL;
}

static const char *header_of(const job *j, int role)
{
    int c = j->cols.col[role];
    return c >= 0 ? j->rd->headers[c] : ingest_role_name(role);
}

static int dedup_check(dedup *d, uint64_t h, int64_t line, int64_t *first)
{
    if ((d->n + 1) * 2 > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 4096;
        uint64_t *hh = calloc(cap, sizeof *hh);
        int64_t *ll = calloc(cap, sizeof *ll);
        if (!hh || !ll) {
            free(hh);
            free(ll);
            return STAD_ENOMEM;
        }
        for (size_t i = 0; i < d->cap; i++) {
            if (!d->line[i])
                continue;
            size_t k = d->hash[i] & (cap - 1);
            while (ll[k])
                k = (k + 1) & (cap - 1);
            hh[k] = d->hash[i];
            ll[k] = d->line[i];
        }
        free(d->hash);
        free(d->line);
        d->hash = hh;
        d->line = ll;
        d->cap = cap;
    }
    size_t k = h & (d->cap - 1);
    while (d->line[k]) {
        if (d->hash[k] == h) {
            *first = d->line[k];
            return 1;
        }
        k = (k + 1) & (d->cap - 1);
    }
    d->hash[k] = h;
    d->line[k] = line ? line : 1;
    d->n++;
    return 0;
}

static uint64_t row_hash(const ingest_row *row, size_t ncols)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < ncols && i < row->n; i++)
        h = ingest_hash_bytes(row->field[i], strlen(row->field[i]) + 1, h);
    if (row->has_geom) {
        h = ingest_hash_bytes(&row->gx, sizeof row->gx, h);
        h = ingest_hash_bytes(&row->gy, sizeof row->gy, h);
    }
    return h;
}

static int reject(job *j, const ingest_row *row, const char *column, const char *raw,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int reject(job *j, const ingest_row *row, const char *column, const char *raw,
                  const char *fmt, ...)
{
    stad_strbuf_clear(&j->reason);
    /* Documents have no lines: name the page (PDF) or table (docx/odt) and its row. */
    if (row->page > 0)
        stad_strbuf_printf(&j->reason, "page %d, row %lld: ", row->page, (long long)row->ref);
    else if (row->table > 0)
        stad_strbuf_printf(&j->reason, "table %d, row %lld: ", row->table, (long long)row->ref);
    va_list ap;
    va_start(ap, fmt);
    stad_strbuf_vprintf(&j->reason, fmt, ap);
    va_end(ap);
    if (!raw) {
        stad_strbuf_clear(&j->raw);
        ingest_row_raw(j->rd, row, &j->raw);
        raw = stad_strbuf_str(&j->raw);
    }
    if (j->reason.oom || j->raw.oom)
        return stad_fail(j->ctx, STAD_ENOMEM, "%s: out of memory", j->path);
    stad_reject_row r = {j->batch_id, row->line, column ? column : "",
                         stad_strbuf_str(&j->reason), raw};
    j->rep->rejected++;
    return j->w ? ingest_writer_reject(j->w, &r) : stad_store_reject_insert(j->s, &r);
}

/* ---------- coordinates ---------- */

static int inside_extent(const job *j, double x, double y)
{
    return x >= j->ext[0] && y >= j->ext[1] && x <= j->ext[2] && y <= j->ext[3];
}

/* Source coordinates -> city x/y. 0 on success. */
static int to_city(const job *j, double sx, double sy, double *x, double *y)
{
    if ((j->mode == COORD_LATLON || (j->mode == COORD_POINT && j->src_is_wgs)) &&
        (fabs(sy) > 90.0 || fabs(sx) > 180.0))
        return -1;
    *x = sx;
    *y = sy;
    if (j->to_city && stad_transform_point(j->to_city, x, y))
        return -1;
    return isfinite(*x) && isfinite(*y) ? 0 : -1;
}

/* Reads the two coordinate values of a row. 1 with a point, 0 when the row has no
 * coordinates (both empty, or the 0/0 that some systems write for "unknown"), or -1
 * with *bad_role and *why set. */
static int row_coords(const job *j, const ingest_row *row, double *sx, double *sy,
                      int *bad_role, const char **why)
{
    if (j->mode == COORD_NONE)
        return 0;
    if (j->mode == COORD_GEOM) {
        if (!row->has_geom)
            return 0;
        *sx = row->gx;
        *sy = row->gy;
    } else if (j->mode == COORD_POINT) {
        const char *v = nonempty(field(j, row, INGEST_ROLE_POINT));
        int lat_first;
        long srid;
        if (!v)
            return 0;
        if (ingest_parse_point(v, sx, sy, &lat_first, &srid)) {
            *bad_role = INGEST_ROLE_POINT;
            *why = "not a point (POINT (x y) or (lat, lon))";
            return -1;
        }
        if (lat_first) {
            double t = *sx;
            *sx = *sy;
            *sy = t;
        }
    } else {
        int ra = j->mode == COORD_XY ? INGEST_ROLE_X : INGEST_ROLE_LON;
        int rb = j->mode == COORD_XY ? INGEST_ROLE_Y : INGEST_ROLE_LAT;
        const char *a = nonempty(field(j, row, ra)), *b = nonempty(field(j, row, rb));
        if (!a && !b)
            return 0;
        if (!a || !b) {
            *bad_role = a ? rb : ra;
            *why = "coordinate missing";
            return -1;
        }
        if (ingest_parse_number(a, sx)) {
            *bad_role = ra;
            *why = "not a number";
            return -1;
        }
        if (ingest_parse_number(b, sy)) {
            *bad_role = rb;
            *why = "not a number";
            return -1;
        }
    }
    if (*sx == 0.0 && *sy == 0.0)
        return 0;
    if (j->swap) {
        double t = *sx;
        *sx = *sy;
        *sy = t;
    }
    return 1;
}

static int use_coords(job *j);

/* A file with x/y and lat/lon whose x/y header names no CRS: the x/y are read in the
 * city's CRS only when, on the first rows, they lie within 100 m of the lat/lon of the
 * same row; otherwise they are in some other grid (Chicago writes state-plane feet next
 * to its latitudes) and the lat/lon are read instead. */
static int decide_xy_or_latlon(job *j)
{
    if (!j->xy_assumed)
        return 0;
    stad_transform *ll = NULL;
    int rc = stad_transform_new(j->ctx, STAD_CRS_WGS84, j->city_crs, &ll);
    if (rc)
        return rc;
    int n = 0, agree = 0;
    for (size_t i = 0; i < j->n_saved; i++) {
        const ingest_row *row = &j->saved[i].row;
        const char *v[4] = {
            nonempty(field(j, row, INGEST_ROLE_X)), nonempty(field(j, row, INGEST_ROLE_Y)),
            nonempty(field(j, row, INGEST_ROLE_LON)), nonempty(field(j, row, INGEST_ROLE_LAT)),
        };
        double d[4];
        int ok = 1;
        for (int k = 0; k < 4 && ok; k++)
            ok = v[k] && ingest_parse_number(v[k], &d[k]) == 0;
        if (!ok || stad_transform_point(ll, &d[2], &d[3]))
            continue;
        n++;
        agree += hypot(d[0] - d[2], d[1] - d[3]) <= 100.0;
    }
    stad_transform_free(ll);
    if (n == 0 || agree * 2 > n)
        return 0;
    if (!j->second_reading)
        stad_log(j->ctx, STAD_LOG_WARN,
                 "%s: the x/y columns do not match the latitude/longitude of the same rows "
                 "in the city's CRS %s (%d of %d do); reading latitude/longitude",
                 j->path, j->city_crs, agree, n);
    j->mode = COORD_LATLON;
    j->src_crs = STAD_CRS_WGS84;
    return use_coords(j);
}

static int columns_settled(job *j);

/* A point column: its first rows must hold points. Their CRS is the mapping's, else
 * the SRID the first of them names (EWKT), else WGS84 when all lie within longitude
 * and latitude range, else the city's. */
static int decide_point_crs(job *j)
{
    if (j->mode != COORD_POINT)
        return 0;
    int n = 0, ok = 0, degrees = 0;
    long srid = 0;
    const char *example = NULL;
    for (size_t i = 0; i < j->n_saved; i++) {
        const char *v = nonempty(field(j, &j->saved[i].row, INGEST_ROLE_POINT));
        double a, b;
        int lat_first;
        long row_srid;
        if (!v)
            continue;
        int bad = ingest_parse_point(v, &a, &b, &lat_first, &row_srid);
        if (!bad && a == 0.0 && b == 0.0)
            continue; /* "unknown", as row_coords reads it */
        n++;
        if (bad) {
            if (!example)
                example = v;
            continue;
        }
        ok++;
        double lon = lat_first ? b : a, lat = lat_first ? a : b;
        degrees += fabs(lon) <= 180.0 && fabs(lat) <= 90.0;
        if (!srid)
            srid = row_srid;
    }
    const int *c = j->cols.col;
    int no_points = n && (ok == 0 || ok * 2 < n);
    if (no_points && (c[INGEST_ROLE_STREET] >= 0 || c[INGEST_ROLE_POSTCODE] >= 0)) {
        /* words such as "Grote Markt" in a "locatie" column of a file with addresses:
         * an attribute after all */
        j->cols.col[INGEST_ROLE_POINT] = -1;
        j->mode = COORD_NONE;
        return columns_settled(j);
    }
    if (no_points)
        return stad_fail(j->ctx, STAD_ECOLUMNS,
                         "%s: column '%s' was taken for the location but holds no points "
                         "('%s'; %d of the first %d values are POINT (x y) or (lat, lon)); "
                         "name the coordinate columns in a mapping",
                         j->path, header_of(j, INGEST_ROLE_POINT), example ? example : "",
                         ok, n);
    if (j->cols.crs || !ok || (!srid && degrees < ok))
        return 0;
    if (srid) {
        snprintf(j->point_crs, sizeof j->point_crs, "EPSG:%ld", srid);
        j->src_crs = j->point_crs;
    } else {
        j->src_crs = STAD_CRS_WGS84;
    }
    return use_coords(j);
}

/* Looks at the first rows: when most points are outside the city as read but inside
 * with the two columns exchanged, the file has them swapped. */
static void decide_swap(job *j)
{
    if (j->mode == COORD_NONE || j->mode == COORD_GEOM)
        return;
    int n = 0, asis = 0, swapped = 0;
    for (size_t i = 0; i < j->n_saved; i++) {
        double sx, sy, x, y;
        int role;
        const char *why;
        if (row_coords(j, &j->saved[i].row, &sx, &sy, &role, &why) != 1)
            continue;
        n++;
        int ok_asis = !to_city(j, sx, sy, &x, &y) && (!j->have_extent || inside_extent(j, x, y));
        int ok_swap = !to_city(j, sy, sx, &x, &y) && (!j->have_extent || inside_extent(j, x, y));
        asis += ok_asis;
        swapped += ok_swap && !ok_asis;
    }
    if (n >= 1 && swapped * 2 > n && asis * 4 < n) {
        j->swap = 1;
        j->rep->swapped_axes = 1;
        stad_log(j->ctx, STAD_LOG_WARN,
                 "%s: coordinates lie in the city only with its coordinate columns exchanged; "
                 "reading them swapped",
                 j->path);
    }
}

/* Source coordinates -> WGS84 lon/lat. 0 on success. */
static int to_lonlat(const job *j, double sx, double sy, double *lon, double *lat)
{
    if (j->src_is_wgs) {
        *lon = sx;
        *lat = sy;
        return 0;
    }
    if (to_city(j, sx, sy, lon, lat) || stad_transform_point(j->to_wgs, lon, lat))
        return -1;
    return 0;
}

/* Without areas nothing says where the city is, but its CRS does: a file whose points
 * mostly lie far outside the area the store's CRS is made for (Cincinnati in a store
 * made for the Netherlands) would be measured in distorted metres by every grid and
 * route. Stops before anything is written, saying which CRS would fit. */
static int check_crs_area(job *j)
{
    if (!j->have_area)
        return 0;
    int n = 0, out = 0;
    double lon0 = 0, lat0 = 0;
    for (size_t i = 0; i < j->n_saved; i++) {
        double sx, sy, lon, lat;
        int role;
        const char *why;
        if (row_coords(j, &j->saved[i].row, &sx, &sy, &role, &why) != 1 ||
            to_lonlat(j, sx, sy, &lon, &lat))
            continue;
        n++;
        if (!stad_crs_area_contains(&j->area, lon, lat, STAD_CRS_AREA_MARGIN)) {
            if (!out++) {
                lon0 = lon;
                lat0 = lat;
            }
        }
    }
    if (!n || out * 2 <= n)
        return 0;
    char what[600];
    snprintf(what, sizeof what, "%s: %d of the first %d points", j->path, out, n);
    return stad_crs_check_place(j->ctx, j->city_crs, lon0, lat0, what);
}

/* ---------- kinds ---------- */

static int count_up(ingest_map *m, const char *key)
{
    int64_t *v = ingest_map_upsert(m, key, 0);
    if (!v)
        return STAD_ENOMEM;
    (*v)++;
    return 0;
}

/* Category text as stored, and the kind for it. */
static int row_kind(job *j, const ingest_row *row, const char **kind, const char **category)
{
    const char *code = nonempty(field(j, row, INGEST_ROLE_CATEGORY_CODE));
    const char *text = nonempty(field(j, row, INGEST_ROLE_CATEGORY));
    stad_strbuf_clear(&j->cat);
    if (code && text && strncasecmp(text, code, strlen(code)) != 0)
        stad_strbuf_printf(&j->cat, "%s %s", code, text);
    else
        stad_strbuf_append(&j->cat, text ? text : code ? code : "");
    if (j->cat.oom)
        return STAD_ENOMEM;
    *category = j->cat.len ? j->cat.s : NULL;
    if (j->fixed_kind) {
        *kind = j->fixed_kind;
        return strcmp(*kind, "unmapped") ? 0 : count_up(&j->unmapped, STAD_INGEST_NO_CATEGORY);
    }
    int64_t *hit = ingest_map_get(&j->catcache, stad_strbuf_str(&j->cat));
    if (!hit) {
        const char *slug = ingest_taxonomy_lookup(j->tax, code, text);
        /* the cache holds integers; the slug pointer (owned by the taxonomy) fits */
        hit = ingest_map_upsert(&j->catcache, stad_strbuf_str(&j->cat), (int64_t)(intptr_t)slug);
        if (!hit)
            return STAD_ENOMEM;
    }
    const char *slug = (const char *)(intptr_t)*hit;
    if (!slug) {
        *kind = "unmapped";
        return count_up(&j->unmapped, *category ? *category : "(empty)");
    }
    *kind = slug;
    return 0;
}

/* ---------- one row ---------- */

/* Keys of the attribute JSON, escaped once per file rather than once per row. */
static int prepare_attr_keys(job *j)
{
    size_t n = j->rd->ncols;
    j->attr_key = stad_arena_alloc(&j->save_arena, (n ? n : 1) * sizeof *j->attr_key);
    if (!j->attr_key)
        return STAD_ENOMEM;
    stad_strbuf key = STAD_STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        j->attr_key[i] = NULL;
        int role_col = 0;
        for (int r = 0; r < INGEST_ROLE_N_; r++)
            /* an asset row keeps only its id and place in columns of their own: its
             * street, category or dates stay in the attributes, not lost */
            role_col |= j->cols.col[r] == (int)i &&
                        (j->target != STAD_INGEST_ASSETS || r == INGEST_ROLE_ID ||
                         r == INGEST_ROLE_X || r == INGEST_ROLE_Y || r == INGEST_ROLE_LAT ||
                         r == INGEST_ROLE_LON || r == INGEST_ROLE_POINT);
        if (role_col)
            continue;
        stad_strbuf_clear(&key);
        stad_strbuf_append_json(&key, j->rd->headers[i]);
        stad_strbuf_append_char(&key, ':');
        if (key.oom || !(j->attr_key[i] = stad_arena_strdup(&j->save_arena, key.s))) {
            stad_strbuf_free(&key);
            return STAD_ENOMEM;
        }
    }
    stad_strbuf_free(&key);
    return 0;
}

/* After the roles are known (and again if one is given up): which columns go into
 * the attributes, and the report's description of the columns. */
static int columns_settled(job *j)
{
    stad_strbuf d = STAD_STRBUF_INIT;
    if (prepare_attr_keys(j) || ingest_columns_describe(&j->cols, j->rd->headers, &d)) {
        stad_strbuf_free(&d);
        return stad_fail(j->ctx, STAD_ENOMEM, "%s: out of memory", j->path);
    }
    free(j->rep->columns);
    j->rep->columns = stad_strbuf_take(&d);
    return 0;
}

static int build_attrs(job *j, const ingest_row *row)
{
    stad_strbuf_clear(&j->attrs);
    stad_strbuf_append_char(&j->attrs, '{');
    int first = 1;
    for (size_t i = 0; i < j->rd->ncols && i < row->n; i++) {
        if (!j->attr_key[i] || !nonempty(row->field[i]))
            continue;
        if (!first)
            stad_strbuf_append_char(&j->attrs, ',');
        first = 0;
        stad_strbuf_append(&j->attrs, j->attr_key[i]);
        stad_strbuf_append_json(&j->attrs, row->field[i]);
    }
    stad_strbuf_append_char(&j->attrs, '}');
    return j->attrs.oom ? STAD_ENOMEM : 0;
}

/* Day and month come in one order throughout a file. Until a value settles which
 * (a day above 12), d-m-y dates are read day first, the Dutch way; a date that reads
 * only month first switches the order, and asks for a new reading when rows whose
 * dates would change were already taken. Rows that read the same either way
 * ("01/01/2017", ISO dates) cannot be wrong. */
static int observe_date_order(job *j, const ingest_row *row)
{
    static const int roles[] = {INGEST_ROLE_TIME_FROM, INGEST_ROLE_DATE, INGEST_ROLE_TIME_TO,
                                INGEST_ROLE_TO_DATE};
    int either = 0;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        const char *v = nonempty(field(j, row, roles[i]));
        int e = v ? stad_time_order_evidence(v) : STAD_DATE_ORDER_NONE;
        if (e == STAD_DATE_DAY_FIRST || e == STAD_DATE_MONTH_FIRST) {
            j->order_settled = 1;
            j->rep->dates_order_line = row->line;
            if (e == STAD_DATE_DAY_FIRST)
                return 0;
            if (j->rep->dates_ambiguous)
                return RERUN_MONTH_FIRST;
            j->date_order = STAD_DATE_MONTH_FIRST;
            j->rep->dates_month_first = 1;
            return 0;
        }
        either |= e == STAD_DATE_ORDER_EITHER;
    }
    j->rep->dates_ambiguous += either;
    return 0;
}

static int process_row(job *j, const ingest_row *row)
{
    j->rep->rows_read++;
    if (row->error)
        return reject(j, row, "", NULL, "%s", row->error);

    int64_t first;
    int d = dedup_check(&j->seen, row_hash(row, j->rd->ncols), row->line, &first);
    if (d < 0)
        return stad_fail(j->ctx, d, "%s: out of memory", j->path);
    if (d)
        return reject(j, row, "", NULL, "duplicate of line %lld", (long long)first);

    int64_t t_from = 0, t_to = 0;
    if (j->target == STAD_INGEST_EVENTS) {
        int rc;
        if (!j->order_settled && (rc = observe_date_order(j, row)))
            return rc;
        ingest_time_in tin = {
            field(j, row, INGEST_ROLE_TIME_FROM), field(j, row, INGEST_ROLE_DATE),
            field(j, row, INGEST_ROLE_TIME),      field(j, row, INGEST_ROLE_TIME_TO),
            field(j, row, INGEST_ROLE_TO_DATE),   field(j, row, INGEST_ROLE_TO_TIME),
            j->date_order,
        };
        int role = INGEST_ROLE_TIME_FROM;
        const char *why = NULL;
        if (ingest_parse_window(&tin, &t_from, &t_to, &role, &why)) {
            const char *v = field(j, row, role);
            if (strcmp(why ? why : "", "end before begin") == 0)
                return reject(j, row, header_of(j, role), v ? v : "", "end before begin");
            if (j->date_order == STAD_DATE_MONTH_FIRST)
                return reject(j, row, header_of(j, role), v ? v : "",
                              "%s (this file's dates are read month first): '%s'",
                              why ? why : "cannot parse date", v ? v : "");
            return reject(j, row, header_of(j, role), v ? v : "", "%s: '%s'",
                          why ? why : "cannot parse date", v ? v : "");
        }
    }

    int32_t count = 1;
    const char *cnt = nonempty(field(j, row, INGEST_ROLE_COUNT));
    if (cnt) {
        double v;
        if (ingest_parse_number(cnt, &v) || v < 1 || v > INT32_MAX || v != floor(v))
            return reject(j, row, header_of(j, INGEST_ROLE_COUNT), cnt,
                          "count must be a whole number of at least 1: '%s'", cnt);
        count = (int32_t)v;
    }

    double sx = 0, sy = 0, x = 0, y = 0, lon = 0, lat = 0;
    int bad_role = 0;
    const char *why = NULL;
    int has = row_coords(j, row, &sx, &sy, &bad_role, &why);
    if (has < 0) {
        const char *v = field(j, row, bad_role);
        return reject(j, row, header_of(j, bad_role), v ? v : "", "%s: '%s'", why,
                      v ? v : "");
    }
    int64_t buurt = 0, wijk = 0;
    const char *coord_col = j->mode == COORD_XY       ? header_of(j, INGEST_ROLE_X)
                            : j->mode == COORD_LATLON ? header_of(j, INGEST_ROLE_LAT)
                            : j->mode == COORD_POINT  ? header_of(j, INGEST_ROLE_POINT)
                                                      : "geometry";
    if (has) {
        int bad = to_city(j, sx, sy, &x, &y);
        if (bad || (j->have_extent && !inside_extent(j, x, y))) {
            double x2, y2;
            int swapped_in = !to_city(j, sy, sx, &x2, &y2) &&
                             (!j->have_extent || inside_extent(j, x2, y2));
            stad_strbuf_clear(&j->tmp);
            stad_strbuf_printf(&j->tmp, "%.15g %.15g", sx, sy);
            if (swapped_in)
                return reject(j, row, coord_col, stad_strbuf_str(&j->tmp),
                              "coordinates outside the city (swapped?)");
            if (bad)
                return reject(j, row, coord_col, stad_strbuf_str(&j->tmp),
                              "coordinates cannot be converted to %s", j->city_crs);
            return reject(j, row, coord_col, stad_strbuf_str(&j->tmp),
                          "coordinates outside the city");
        }
        if (j->src_is_wgs) {
            lon = sx;
            lat = sy;
        } else {
            lon = x;
            lat = y;
            if (stad_transform_point(j->to_wgs, &lon, &lat))
                return reject(j, row, coord_col, "", "coordinates cannot be converted to WGS84");
        }
        if (j->have_area && !stad_crs_area_contains(&j->area, lon, lat, STAD_CRS_AREA_MARGIN)) {
            stad_strbuf_clear(&j->tmp);
            stad_strbuf_printf(&j->tmp, "%.15g %.15g", sx, sy);
            return reject(j, row, coord_col, stad_strbuf_str(&j->tmp),
                          "coordinates outside the area %s is made for", j->city_crs);
        }
        if (j->buurt) {
            buurt = stad_area_index_locate(j->buurt, x, y, j->tolerance);
            if (buurt)
                wijk = stad_area_index_parent(j->buurt, buurt);
        }
        if (!wijk && j->wijk)
            wijk = stad_area_index_locate(j->wijk, x, y, j->tolerance);
    } else if (j->target == STAD_INGEST_ASSETS) {
        return reject(j, row, "", NULL, "no coordinates");
    }

    int rc = build_attrs(j, row);
    if (rc)
        return stad_fail(j->ctx, rc, "%s: out of memory", j->path);
    if (j->target == STAD_INGEST_EVENTS) {
        const char *kind, *category;
        if ((rc = row_kind(j, row, &kind, &category)))
            return stad_fail(j->ctx, rc, "%s: out of memory", j->path);
        stad_event_row e = {0};
        e.batch_id = j->batch_id;
        e.line = row->line;
        e.ext_id = nonempty(field(j, row, INGEST_ROLE_ID));
        e.kind = kind;
        e.category = category;
        e.t_from = t_from;
        e.t_to = t_to;
        e.has_xy = has;
        e.x = x;
        e.y = y;
        e.lon = lon;
        e.lat = lat;
        e.wijk_id = wijk;
        e.buurt_id = buurt;
        e.street = nonempty(field(j, row, INGEST_ROLE_STREET));
        e.house_number = nonempty(field(j, row, INGEST_ROLE_HOUSE_NUMBER));
        e.postcode = nonempty(field(j, row, INGEST_ROLE_POSTCODE));
        e.count = count;
        e.attrs = j->attrs.len > 2 ? j->attrs.s : NULL;
        if ((rc = j->w ? ingest_writer_event(j->w, &e) : stad_store_event_insert(j->s, &e)))
            return rc;
        if ((rc = count_up(&j->kinds, kind)))
            return stad_fail(j->ctx, rc, "%s: out of memory", j->path);
    } else {
        stad_asset_row a = {0};
        a.batch_id = j->batch_id;
        a.line = row->line;
        a.kind = j->fixed_kind;
        a.ext_id = nonempty(field(j, row, INGEST_ROLE_ID));
        a.x = x;
        a.y = y;
        a.lon = lon;
        a.lat = lat;
        a.wijk_id = wijk;
        a.buurt_id = buurt;
        a.attrs = j->attrs.len > 2 ? j->attrs.s : NULL;
        if ((rc = j->w ? ingest_writer_asset(j->w, &a) : stad_store_asset_insert(j->s, &a)))
            return rc;
        if ((rc = count_up(&j->kinds, j->fixed_kind)))
            return stad_fail(j->ctx, rc, "%s: out of memory", j->path);
    }
    j->rep->accepted++;
    if (!buurt)
        j->rep->without_area++;
    return 0;
}

/* ---------- set-up ---------- */

static int load_config(job *j, const stad_ingest_opts *o)
{
    stad_strbuf p = STAD_STRBUF_INIT;
    int rc = 0;
    if (o->mapping_path && (rc = stad_conf_load(j->ctx, o->mapping_path, &j->mapping)))
        goto done;
    const char *cols = o->columns_path;
    if (!cols) {
        if ((rc = ingest_config_path("columns.conf", &p)))
            goto done;
        cols = p.s;
    }
    if ((rc = ingest_synonyms_load(j->ctx, cols, &j->syn)))
        goto done;
    if (j->target != STAD_INGEST_EVENTS)
        goto done;
    char *stored = NULL;
    const char *tax = o->taxonomy_path;
    if (!tax && stad_store_meta_get(j->s, "ingest.taxonomy", &stored) == 0)
        tax = stored;
    if (!tax) {
        if ((rc = ingest_config_path("taxonomy.conf", &p)))
            goto done;
        tax = p.s;
    }
    rc = ingest_taxonomy_load(j->ctx, tax, &j->tax);
    free(stored);
done:
    stad_strbuf_free(&p);
    if (rc == STAD_ENOMEM)
        stad_fail(j->ctx, rc, "out of memory loading the ingest configuration");
    return rc;
}

static int check_columns(job *j)
{
    const int *c = j->cols.col;
    int has_time = c[INGEST_ROLE_TIME_FROM] >= 0 || c[INGEST_ROLE_DATE] >= 0;
    int has_xy = c[INGEST_ROLE_X] >= 0 && c[INGEST_ROLE_Y] >= 0;
    int has_ll = c[INGEST_ROLE_LAT] >= 0 && c[INGEST_ROLE_LON] >= 0;
    int has_geom = j->rd->geom_crs != NULL || (j->rd->format && strcmp(j->rd->format, "csv") &&
                                               !j->rd->spreadsheet);
    int has_addr = c[INGEST_ROLE_STREET] >= 0 || c[INGEST_ROLE_POSTCODE] >= 0 ||
                   c[INGEST_ROLE_POINT] >= 0;
    stad_strbuf missing = STAD_STRBUF_INIT, found = STAD_STRBUF_INIT;
    int bad = 0;
    if (j->target == STAD_INGEST_EVENTS && !has_time) {
        stad_strbuf_append(&missing, "a time column (time_from or date: begin_datumtijd, "
                                     "pleegdatum, datum, date, ...)");
        bad = 1;
    }
    int need_loc = j->target == STAD_INGEST_ASSETS ? !(has_xy || has_ll || has_geom)
                                                   : !(has_xy || has_ll || has_geom || has_addr);
    if (need_loc) {
        stad_strbuf_printf(&missing, "%sa location (x/y: x_rd, y_rd, x, y; lat/lon; a "
                                     "point such as wkt or location%s)",
                           bad ? " and " : "",
                           j->target == STAD_INGEST_EVENTS ? "; or street, postcode" : "");
        bad = 1;
    }
    /* half a coordinate pair is a mistake worth naming */
    if (!bad && (c[INGEST_ROLE_X] >= 0) != (c[INGEST_ROLE_Y] >= 0) && !has_ll) {
        stad_strbuf_printf(&missing, "the %s column to go with '%s'",
                           c[INGEST_ROLE_X] >= 0 ? "y" : "x",
                           j->rd->headers[c[INGEST_ROLE_X] >= 0 ? c[INGEST_ROLE_X]
                                                                : c[INGEST_ROLE_Y]]);
        bad = 1;
    }
    int rc = 0;
    if (bad) {
        for (size_t i = 0; i < j->rd->ncols; i++)
            stad_strbuf_printf(&found, "%s%s", i ? ", " : "", j->rd->headers[i]);
        rc = stad_fail(j->ctx, STAD_ECOLUMNS, "%s:1: missing %s; the columns found are: %s",
                       j->path, stad_strbuf_str(&missing), stad_strbuf_str(&found));
    }
    stad_strbuf_free(&missing);
    stad_strbuf_free(&found);
    return rc;
}

static int setup_coords(job *j)
{
    const int *c = j->cols.col;
    int has_xy = c[INGEST_ROLE_X] >= 0 && c[INGEST_ROLE_Y] >= 0;
    int has_ll = c[INGEST_ROLE_LAT] >= 0 && c[INGEST_ROLE_LON] >= 0;
    const char *xy_crs = j->cols.xy_crs ? j->cols.xy_crs : j->city_crs;
    /* prefer x/y when they are in the city's CRS (no transform), else lat/lon, which
     * are unambiguous, else x/y in whatever CRS they are */
    if (has_xy && (!has_ll || strcasecmp(xy_crs, j->city_crs) == 0)) {
        j->mode = COORD_XY;
        j->src_crs = xy_crs;
    } else if (has_ll) {
        j->mode = COORD_LATLON;
        j->src_crs = STAD_CRS_WGS84;
    } else if (c[INGEST_ROLE_POINT] >= 0 && !j->rd->geom_crs) {
        j->mode = COORD_POINT; /* in the city's CRS until the values say degrees */
        j->src_crs = j->city_crs;
    } else if (j->rd->geom_crs || strcmp(j->rd->format, "csv") != 0) {
        j->mode = COORD_GEOM;
        j->src_crs = j->rd->geom_crs ? j->rd->geom_crs : j->city_crs;
    }
    if (j->cols.crs)
        j->src_crs = j->cols.crs;
    j->xy_assumed = j->mode == COORD_XY && has_ll && !j->cols.xy_crs && !j->cols.crs;
    return use_coords(j);
}

/* Transforms for j->mode and j->src_crs. */
static int use_coords(job *j)
{
    stad_transform_free(j->to_city);
    stad_transform_free(j->to_wgs);
    j->to_city = j->to_wgs = NULL;
    if (j->mode == COORD_NONE)
        return 0;
    j->src_is_city = strcasecmp(j->src_crs, j->city_crs) == 0;
    j->src_is_wgs = strcasecmp(j->src_crs, STAD_CRS_WGS84) == 0 ||
                    strcasecmp(j->src_crs, "OGC:CRS84") == 0;
    int rc = 0;
    if (!j->src_is_city)
        rc = stad_transform_new(j->ctx, j->src_crs, j->city_crs, &j->to_city);
    if (!rc && !j->src_is_wgs)
        rc = stad_transform_new(j->ctx, j->city_crs, STAD_CRS_WGS84, &j->to_wgs);
    return rc;
}

typedef struct extent_acc {
    double e[4];
    int n;
} extent_acc;

static int extent_cb(void *user, const stad_area_row *a)
{
    extent_acc *acc = user;
    if (!(a->maxx >= a->minx) || !(a->maxy >= a->miny))
        return 0;
    if (!acc->n++) {
        acc->e[0] = a->minx;
        acc->e[1] = a->miny;
        acc->e[2] = a->maxx;
        acc->e[3] = a->maxy;
        return 0;
    }
    acc->e[0] = fmin(acc->e[0], a->minx);
    acc->e[1] = fmin(acc->e[1], a->miny);
    acc->e[2] = fmax(acc->e[2], a->maxx);
    acc->e[3] = fmax(acc->e[3], a->maxy);
    return 0;
}

static int setup_areas(job *j)
{
    int rc = stad_area_index_build(j->ctx, j->s, "buurt", &j->buurt);
    if (rc == STAD_EEMPTY)
        rc = 0;
    if (!rc) {
        rc = stad_area_index_build(j->ctx, j->s, "wijk", &j->wijk);
        if (rc == STAD_EEMPTY)
            rc = 0;
    }
    if (rc)
        return rc;
    j->rep->no_buurten = j->buurt == NULL;
    stad_clear_error(j->ctx);
    extent_acc acc = {{0, 0, 0, 0}, 0};
    if (j->buurt)
        rc = stad_store_areas_each(j->s, "buurt", extent_cb, &acc);
    if (!rc && j->wijk)
        rc = stad_store_areas_each(j->s, "wijk", extent_cb, &acc);
    if (rc)
        return rc;
    if (acc.n) {
        j->have_extent = 1;
        j->ext[0] = acc.e[0] - OUTSIDE_MARGIN;
        j->ext[1] = acc.e[1] - OUTSIDE_MARGIN;
        j->ext[2] = acc.e[2] + OUTSIDE_MARGIN;
        j->ext[3] = acc.e[3] + OUTSIDE_MARGIN;
    } else if (j->mode != COORD_NONE) {
        /* a CRS that does not say where it applies bounds nothing */
        j->have_area = stad_crs_area_of_use(j->ctx, j->city_crs, &j->area) == 0;
        stad_clear_error(j->ctx);
    }
    return 0;
}

static int save_row(job *j, const ingest_row *row)
{
    saved_row *sr = &j->saved[j->n_saved];
    sr->row = *row;
    sr->fields = stad_arena_alloc(&j->save_arena, (row->n ? row->n : 1) * sizeof *sr->fields);
    if (!sr->fields)
        return STAD_ENOMEM;
    for (size_t i = 0; i < row->n; i++)
        if (!(sr->fields[i] = stad_arena_strdup(&j->save_arena, row->field[i])))
            return STAD_ENOMEM;
    sr->row.field = (const char *const *)sr->fields;
    j->n_saved++;
    return 0;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static int progress(job *j)
{
    uint64_t done = j->rd->bytes_done, total = j->rd->bytes_total;
    return stad_progress(j->ctx, j->what, done, total > done ? total : done);
}

static int fill_counts(const ingest_map *m, stad_ingest_count **out, size_t *n)
{
    *n = 0;
    *out = NULL;
    if (!m->n)
        return 0;
    *out = calloc(m->n, sizeof **out);
    if (!*out)
        return STAD_ENOMEM;
    for (size_t i = 0; i < m->n; i++) {
        (*out)[i].name = strdup(m->order[i]->key);
        (*out)[i].n = m->order[i]->value;
        if (!(*out)[i].name)
            return STAD_ENOMEM;
        (*n)++;
    }
    return 0;
}

static void job_free(job *j)
{
    ingest_reader_close(j->rd);
    if (j->cols_ok)
        ingest_columns_free(&j->cols);
    ingest_synonyms_free(j->syn);
    stad_conf_free(j->mapping);
    ingest_taxonomy_free(j->tax);
    free(j->city_crs);
    stad_transform_free(j->to_city);
    stad_transform_free(j->to_wgs);
    stad_area_index_free(j->buurt);
    stad_area_index_free(j->wijk);
    free(j->seen.hash);
    free(j->seen.line);
    ingest_map_free(&j->kinds);
    ingest_map_free(&j->unmapped);
    ingest_map_free(&j->catcache);
    stad_strbuf_free(&j->raw);
    stad_strbuf_free(&j->attrs);
    stad_strbuf_free(&j->cat);
    stad_strbuf_free(&j->reason);
    stad_strbuf_free(&j->tmp);
    stad_arena_free(&j->save_arena);
    free(j->saved);
}

static void job_init(job *j, stad_ctx *ctx, stad_store *s, const char *path,
                     const stad_ingest_opts *o, stad_ingest_report *report, int order)
{
    memset(j, 0, sizeof *j);
    j->ctx = ctx;
    j->s = s;
    j->path = path;
    j->base = base_name(path);
    j->target = o->target;
    j->rep = report;
    j->tolerance = o->area_tolerance < 0 ? 25.0 : o->area_tolerance;
    j->order_override = order;
    snprintf(j->what, sizeof j->what, "ingest %s", j->base);
    ingest_map_init(&j->kinds);
    ingest_map_init(&j->unmapped);
    ingest_map_init(&j->catcache);
    stad_arena_init(&j->save_arena, 0);
}

/* Source name from the file name: the base name without extensions (".csv.gz"). */
static char *default_source(const char *path)
{
    const char *b = base_name(path);
    size_t n = strlen(b);
    if (n > 3 && strcasecmp(b + n - 3, ".gz") == 0)
        n -= 3;
    for (size_t i = n; i > 0; i--)
        if (b[i - 1] == '.') {
            n = i - 1;
            break;
        }
    return strndup(b, n ? n : strlen(b));
}

static int run(job *j, const stad_ingest_opts *o)
{
    stad_ingest_report *rep = j->rep;
    int rc;
    char sha[65];
    if ((rc = ingest_sha256_file(j->ctx, j->path, sha)))
        return rc;
    if (!(rep->sha256 = strdup(sha)))
        return stad_fail(j->ctx, STAD_ENOMEM, "out of memory");

    /* The reader first: an unreadable file must not touch the store. */
    if ((rc = load_config(j, o)))
        return rc;
    ingest_reader_opts ro = {o->layer, INGEST_ENC_AUTO, 0, o->table};
    const char *enc = j->mapping ? stad_conf_get(j->mapping, "source", "encoding") : NULL;
    if (enc)
        ro.encoding = ingest_encoding_from_name(enc) < 0 ? INGEST_ENC_AUTO
                                                          : ingest_encoding_from_name(enc);
    const char *force = getenv("STAD_INGEST_CSV_READER");
    ro.force_ogr = force && strcmp(force, "ogr") == 0;
    if ((rc = ingest_reader_open(j->ctx, j->path, &ro, &j->rd)))
        return rc;
    if ((rc = ingest_columns_detect(j->ctx, j->syn, j->mapping, j->path, j->rd->headers,
                                    j->rd->ncols, &j->cols)))
        return rc;
    j->cols_ok = 1;
    if ((rc = check_columns(j)))
        return rc;
    int order = j->order_override >= 0 ? j->order_override : j->cols.date_order;
    if (order >= 0) {
        j->date_order = order;
        j->order_settled = 1;
        j->rep->dates_month_first = order == STAD_DATE_MONTH_FIRST;
    }
    if ((rc = columns_settled(j)))
        return rc;

    const char *kind = o->kind ? o->kind : j->cols.kind;
    if (j->target == STAD_INGEST_ASSETS) {
        if (!kind || !*kind)
            return stad_fail(j->ctx, STAD_EINVAL, "%s: assets need a kind (streetlight, ...)",
                             j->path);
        j->fixed_kind = kind;
    } else if (j->cols.col[INGEST_ROLE_CATEGORY] < 0 &&
               j->cols.col[INGEST_ROLE_CATEGORY_CODE] < 0) {
        j->fixed_kind = kind ? kind : "unmapped";
    }
    if (j->fixed_kind && j->tax && strcmp(j->fixed_kind, "unmapped") != 0 &&
        !ingest_taxonomy_has(j->tax, j->fixed_kind))
        stad_log(j->ctx, STAD_LOG_WARN, "%s: kind '%s' is not in the taxonomy", j->path,
                 j->fixed_kind);

    if ((rc = stad_city_crs(j->ctx, j->s, &j->city_crs)))
        return rc;
    if ((rc = setup_coords(j)) || (rc = setup_areas(j)))
        return rc;

    /* look ahead */
    j->saved = calloc(PREFETCH_ROWS, sizeof *j->saved);
    if (!j->saved)
        return stad_fail(j->ctx, STAD_ENOMEM, "out of memory");
    ingest_row row;
    int more = 1;
    while (j->n_saved < PREFETCH_ROWS && (more = ingest_reader_next(j->rd, &row)) == 1)
        if (save_row(j, &row))
            return stad_fail(j->ctx, STAD_ENOMEM, "out of memory");
    if (more < 0)
        return more;
    if (j->n_saved == 0)
        return stad_fail(j->ctx, STAD_EEMPTY, "%s: no data rows after the header", j->path);
    if ((rc = decide_xy_or_latlon(j)) || (rc = decide_point_crs(j)))
        return rc;
    decide_swap(j);
    if ((rc = check_crs_area(j)))
        return rc;

    /* the batch */
    if ((rc = stad_store_begin(j->s)))
        return rc;
    char *src = o->source ? strdup(o->source) : default_source(j->path);
    if (!src)
        return stad_fail(j->ctx, STAD_ENOMEM, "out of memory");
    rc = stad_store_source_ensure(j->s, src, &j->source_id);
    free(src);
    if (rc)
        return rc;
    int64_t existing = 0;
    rc = stad_store_batch_find_sha(j->s, j->source_id, sha, &existing);
    if (rc == 0) {
        stad_store_rollback(j->s);
        rep->unchanged = 1;
        rep->batch_id = existing;
        stad_log(j->ctx, STAD_LOG_INFO, "%s: unchanged since batch %lld; nothing to do",
                 j->path, (long long)existing);
        return 1;
    }
    if (rc != STAD_ENOTFOUND)
        return rc;
    int64_t old = 0;
    rc = stad_store_batch_find_file(j->s, j->source_id, j->base, &old);
    if (rc && rc != STAD_ENOTFOUND)
        return rc;
    stad_clear_error(j->ctx);
    stad_batch_row b = {0};
    b.source_id = j->source_id;
    b.file_name = j->base;
    b.file_path = j->path;
    b.sha256 = sha;
    b.target = j->target == STAD_INGEST_ASSETS ? "asset" : "event";
    if ((rc = stad_store_batch_create(j->s, &b, &j->batch_id)))
        return rc;
    rep->batch_id = j->batch_id;
    if (old) {
        if ((rc = stad_store_batch_replace(j->s, old, j->batch_id)))
            return rc;
        rep->replaced_batch = old;
    }

    if ((rc = ingest_writer_start(j->ctx, j->s, &j->w)))
        return rc;
    for (size_t i = 0; i < j->n_saved; i++)
        if ((rc = process_row(j, &j->saved[i].row)))
            return rc;
    while (more == 1 && (more = ingest_reader_next(j->rd, &row)) == 1) {
        if ((rc = process_row(j, &row)))
            return rc;
        if (rep->rows_read % PROGRESS_EVERY == 0) {
            if ((rc = progress(j)))
                return stad_fail(j->ctx, rc, "%s: interrupted after line %lld", j->path,
                                 (long long)row.line);
            if (ingest_writer_failed(j->w))
                break; /* finish() below reports the writer's error */
        }
    }
    if (more < 0)
        return more;
    rc = ingest_writer_finish(j->w);
    ingest_writer_free(j->w);
    j->w = NULL;
    if (rc)
        return rc;
    if ((rc = stad_store_batch_finish(j->s, j->batch_id, rep->rows_read, rep->accepted,
                                      rep->rejected)))
        return rc;
    if ((rc = stad_store_commit(j->s)))
        return rc;
    progress(j);
    return 0;
}

int stad_ingest_file(stad_ctx *ctx, stad_store *s, const char *path,
                     const stad_ingest_opts *opts, stad_ingest_report *report)
{
    if (!s || !path || !report)
        return stad_fail(ctx, STAD_EINVAL, "ingest: store, path and report are required");
    memset(report, 0, sizeof *report);
    stad_ingest_opts defaults = {0};
    defaults.area_tolerance = -1;
    const stad_ingest_opts *o = opts ? opts : &defaults;
    report->file = strdup(path);
    if (!report->file)
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");

    job j;
    job_init(&j, ctx, s, path, o, report, -1);
    int rc = run(&j, o);
    /* The writer thread must be done with the store before it is rolled back. */
    ingest_writer_free(j.w);
    j.w = NULL;
    if (rc == RERUN_MONTH_FIRST) {
        int64_t line = report->dates_order_line;
        stad_store_rollback(s);
        job_free(&j);
        char *file = report->file;
        report->file = NULL;
        stad_ingest_report_free(report);
        report->file = file;
        stad_log(ctx, STAD_LOG_INFO,
                 "%s: line %lld shows the dates are written month first; reading the file "
                 "again that way",
                 path, (long long)line);
        job_init(&j, ctx, s, path, o, report, STAD_DATE_MONTH_FIRST);
        j.second_reading = 1;
        rc = run(&j, o);
        ingest_writer_free(j.w);
        j.w = NULL;
        report->dates_order_line = line;
    }
    if (rc < 0) {
        stad_store_rollback(s);
        /* what was counted belongs to a batch that no longer exists */
        report->batch_id = 0;
        report->replaced_batch = 0;
    } else if (rc == 0) {
        if (fill_counts(&j.kinds, &report->kinds, &report->n_kinds) ||
            fill_counts(&j.unmapped, &report->unmapped, &report->n_unmapped))
            stad_log(ctx, STAD_LOG_WARN, "%s: out of memory building the report", path);
        if (j.rd && j.rd->recoded)
            stad_log(ctx, STAD_LOG_INFO, "%s: text was not UTF-8; read as Windows-1252", path);
        stad_log(ctx, STAD_LOG_INFO,
                 "%s: batch %lld: %lld rows read, %lld accepted, %lld rejected, "
                 "%lld without area%s",
                 path, (long long)report->batch_id, (long long)report->rows_read,
                 (long long)report->accepted, (long long)report->rejected,
                 (long long)report->without_area,
                 report->replaced_batch ? " (replaces an earlier version)" : "");
        for (size_t i = 0; i < report->n_unmapped; i++)
            if (strcmp(report->unmapped[i].name, STAD_INGEST_NO_CATEGORY) == 0)
                stad_log(ctx, STAD_LOG_WARN, "%s: no category column and no --kind: %lld rows "
                         "loaded as 'unmapped'",
                         path, (long long)report->unmapped[i].n);
            else
                stad_log(ctx, STAD_LOG_WARN, "%s: category '%s' (%lld rows) has no kind in "
                         "the taxonomy; loaded as 'unmapped'",
                         path, report->unmapped[i].name, (long long)report->unmapped[i].n);
    } else {
        rc = 0; /* unchanged */
    }
    job_free(&j);
    return rc;
}

void stad_ingest_report_free(stad_ingest_report *r)
{
    if (!r)
        return;
    free(r->file);
    free(r->sha256);
    free(r->columns);
    for (size_t i = 0; i < r->n_unmapped; i++)
        free(r->unmapped[i].name);
    free(r->unmapped);
    for (size_t i = 0; i < r->n_kinds; i++)
        free(r->kinds[i].name);
    free(r->kinds);
    memset(r, 0, sizeof *r);
}
