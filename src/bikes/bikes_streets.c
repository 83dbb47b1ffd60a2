/* Street segments: read from a line file through GDAL/OGR (projected to the city
 * CRS), kept in the store's street table, and read back as column arrays. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <sqlite3.h>

#include "bikes_internal.h"
#include "stad/geo.h"
#include "stad/strbuf.h"
#include "geo/geo_srs.h"

void stad_bikes_streets_free(stad_bikes_streets *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++) {
        if (st->kind)
            free(st->kind[i]);
        if (st->geojson)
            free(st->geojson[i]);
        if (st->name)
            free(st->name[i]);
    }
    free(st->name);
    free(st->near);
    free(st->id);
    free(st->x);
    free(st->y);
    free(st->lon);
    free(st->lat);
    free(st->x0);
    free(st->y0);
    free(st->x1);
    free(st->y1);
    free(st->length);
    free(st->traffic);
    free(st->wijk);
    free(st->buurt);
    free(st->kind);
    free(st->geojson);
    free(st->hint);
    free(st);
}

static stad_bikes_streets *streets_alloc(size_t n)
{
    stad_bikes_streets *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    size_t m = n ? n : 1;
    st->id = calloc(m, sizeof *st->id);
    st->x = calloc(m, sizeof(double));
    st->y = calloc(m, sizeof(double));
    st->lon = calloc(m, sizeof(double));
    st->lat = calloc(m, sizeof(double));
    st->x0 = calloc(m, sizeof(double));
    st->y0 = calloc(m, sizeof(double));
    st->x1 = calloc(m, sizeof(double));
    st->y1 = calloc(m, sizeof(double));
    st->length = calloc(m, sizeof(double));
    st->traffic = calloc(m, sizeof(double));
    st->wijk = calloc(m, sizeof *st->wijk);
    st->buurt = calloc(m, sizeof *st->buurt);
    st->kind = calloc(m, sizeof *st->kind);
    st->geojson = calloc(m, sizeof *st->geojson);
    st->name = calloc(m, sizeof *st->name);
    if (!st->id || !st->x || !st->y || !st->lon || !st->lat || !st->x0 || !st->y0 ||
        !st->x1 || !st->y1 || !st->length || !st->traffic || !st->wijk || !st->buurt ||
        !st->kind || !st->geojson || !st->name) {
        stad_bikes_streets_free(st);
        return NULL;
    }
    return st;
}


/* First and last vertex of a line or multi-line. */
static void ends(OGRGeometryH g, double *x0, double *y0, double *x1, double *y1)
{
    OGRGeometryH a = g, b = g;
    int parts = OGR_G_GetGeometryCount(g);
    if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiLineString && parts > 0) {
        a = OGR_G_GetGeometryRef(g, 0);
        b = OGR_G_GetGeometryRef(g, parts - 1);
    }
    *x0 = OGR_G_GetX(a, 0);
    *y0 = OGR_G_GetY(a, 0);
    int nb = OGR_G_GetPointCount(b);
    *x1 = OGR_G_GetX(b, nb > 0 ? nb - 1 : 0);
    *y1 = OGR_G_GetY(b, nb > 0 ? nb - 1 : 0);
}

/* The point halfway along a line (the centroid for multi-lines). */
static void middle(OGRGeometryH g, double len, double *x, double *y)
{
    OGRGeometryH p = NULL;
    if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbLineString)
        p = OGR_G_Value(g, len / 2);
    if (!p) {
        p = OGR_G_CreateGeometry(wkbPoint);
        if (p)
            OGR_G_Centroid(g, p);
    }
    *x = p ? OGR_G_GetX(p, 0) : NAN;
    *y = p ? OGR_G_GetY(p, 0) : NAN;
    if (p)
        OGR_G_DestroyGeometry(p);
}

typedef struct reader {
    stad_ctx *ctx;
    const char *path;
    GDALDatasetH ds;
    OGRSpatialReferenceH src, city, wgs;
    OGRCoordinateTransformationH to_city, to_wgs;
} reader;

static void reader_close(reader *r)
{
    if (r->to_city)
        OCTDestroyCoordinateTransformation(r->to_city);
    if (r->to_wgs)
        OCTDestroyCoordinateTransformation(r->to_wgs);
    if (r->src)
        OSRDestroySpatialReference(r->src);
    if (r->city)
        OSRDestroySpatialReference(r->city);
    if (r->wgs)
        OSRDestroySpatialReference(r->wgs);
    if (r->ds)
        GDALClose(r->ds);
}

int stad_bikes_streets_read(stad_ctx *ctx, const char *path, const char *city_crs,
                            stad_bikes_streets **out)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return stad_fail(ctx, STAD_EIO, "%s: no such file", path);
    GDALAllRegister();
    reader r = {.ctx = ctx, .path = path};
    int rc = 0;
    stad_bikes_streets *st = NULL;
    CPLErrorReset();
    /* "streets.geojson.gz" is read as it is, through GDAL's /vsigzip/ */
    char vpath[4200];
    size_t plen = strlen(path);
    snprintf(vpath, sizeof vpath, "%s%s",
             plen > 3 && !strcmp(path + plen - 3, ".gz") ? "/vsigzip/" : "", path);
    r.ds = GDALOpenEx(vpath, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!r.ds) {
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: not a line file GDAL can read%s%s", path,
                       *CPLGetLastErrorMsg() ? ": " : "", CPLGetLastErrorMsg());
        goto done;
    }
    OGRLayerH layer = GDALDatasetGetLayerCount(r.ds) > 0 ? GDALDatasetGetLayer(r.ds, 0) : NULL;
    if (!layer) {
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: the file has no layers", path);
        goto done;
    }
    OGRSpatialReferenceH lsrs = OGR_L_GetSpatialRef(layer);
    r.src = lsrs ? OSRClone(lsrs) : geo_srs_from(STAD_CRS_WGS84);
    if (r.src)
        OSRSetAxisMappingStrategy(r.src, OAMS_TRADITIONAL_GIS_ORDER);
    r.city = geo_srs_from(city_crs ? city_crs : STAD_CRS_DEFAULT);
    r.wgs = geo_srs_from(STAD_CRS_WGS84);
    if (!r.src || !r.city || !r.wgs) {
        rc = stad_fail(ctx, STAD_EGEO, "%s: cannot set up the coordinate systems", path);
        goto done;
    }
    r.to_city = OCTNewCoordinateTransformation(r.src, r.city);
    r.to_wgs = OCTNewCoordinateTransformation(r.src, r.wgs);
    if (!r.to_city || !r.to_wgs) {
        rc = stad_fail(ctx, STAD_EGEO, "%s: cannot transform to the city CRS: %s", path,
                       CPLGetLastErrorMsg());
        goto done;
    }
    /* the network must lie where the city CRS measures in true metres */
    OGREnvelope env;
    if (OGR_L_GetExtent(layer, &env, 1) == OGRERR_NONE) {
        double mx = 0.5 * (env.MinX + env.MaxX), my = 0.5 * (env.MinY + env.MaxY);
        char what[4300];
        snprintf(what, sizeof what, "%s: the streets", path);
        if (OCTTransform(r.to_wgs, 1, &mx, &my, NULL) &&
            (rc = stad_crs_check_place(ctx, city_crs ? city_crs : STAD_CRS_DEFAULT, mx, my,
                                       what)))
            goto done;
    }
    GIntBig nf = OGR_L_GetFeatureCount(layer, 1);
    st = streets_alloc(nf > 0 ? (size_t)nf : 0);
    if (!st) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int kind_i = -1, count_i = -1, name_i = -1;
    static const char *kind_names[] = {"type_weg", "highway", "kind", "fclass", "type"};
    static const char *count_names[] = {"aantal", "count", "intensiteit"};
    static const char *name_names[] = {"name", "naam", "straatnaam", "straat"};
    for (size_t k = 0; k < 5 && kind_i < 0; k++)
        kind_i = OGR_FD_GetFieldIndex(defn, kind_names[k]);
    for (size_t k = 0; k < 3 && count_i < 0; k++)
        count_i = OGR_FD_GetFieldIndex(defn, count_names[k]);
    for (size_t k = 0; k < 4 && name_i < 0; k++)
        name_i = OGR_FD_GetFieldIndex(defn, name_names[k]);
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    size_t n = 0, skipped = 0;
    long long fno = 0;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        fno++;
        OGRGeometryH src = OGR_F_GetGeometryRef(f);
        OGRwkbGeometryType gt = src ? wkbFlatten(OGR_G_GetGeometryType(src)) : wkbUnknown;
        if (!src || OGR_G_IsEmpty(src) || (gt != wkbLineString && gt != wkbMultiLineString) ||
            n >= (size_t)nf) {
            skipped++;
            OGR_F_Destroy(f);
            continue;
        }
        OGRGeometryH g = OGR_G_Clone(src), gw = OGR_G_Clone(src);
        OGR_G_FlattenTo2D(g);
        OGR_G_FlattenTo2D(gw);
        if (OGR_G_Transform(g, r.to_city) != OGRERR_NONE ||
            OGR_G_Transform(gw, r.to_wgs) != OGRERR_NONE) {
            skipped++;
        } else {
            double len = OGR_G_Length(g);
            if (len > 0) {
                st->id[n] = fno;
                st->length[n] = len;
                ends(g, &st->x0[n], &st->y0[n], &st->x1[n], &st->y1[n]);
                middle(g, len, &st->x[n], &st->y[n]);
                middle(gw, OGR_G_Length(gw), &st->lon[n], &st->lat[n]);
                st->traffic[n] = count_i >= 0 ? OGR_F_GetFieldAsDouble(f, count_i) : 0;
                const char *kind = kind_i >= 0 && OGR_F_IsFieldSetAndNotNull(f, kind_i)
                                       ? OGR_F_GetFieldAsString(f, kind_i)
                                       : "";
                st->kind[n] = strdup(kind);
                const char *name = name_i >= 0 && OGR_F_IsFieldSetAndNotNull(f, name_i)
                                       ? OGR_F_GetFieldAsString(f, name_i)
                                       : "";
                st->name[n] = *name ? strdup(name) : NULL;
                char *json = OGR_G_ExportToJson(gw);
                st->geojson[n] = json ? strdup(json) : NULL;
                CPLFree(json);
                if (!st->kind[n] || (*name && !st->name[n])) {
                    OGR_G_DestroyGeometry(g);
                    OGR_G_DestroyGeometry(gw);
                    OGR_F_Destroy(f);
                    st->n = n + 1;
                    rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
                    goto done;
                }
                n++;
            } else {
                skipped++;
            }
        }
        OGR_G_DestroyGeometry(g);
        OGR_G_DestroyGeometry(gw);
        OGR_F_Destroy(f);
    }
    st->n = n;
    if (!n)
        rc = stad_fail(ctx, STAD_EEMPTY, "%s: no line features", path);
    else if (skipped)
        stad_log(ctx, STAD_LOG_INFO, "%s: %zu features were not lines and were skipped", path,
                 skipped);
done:
    reader_close(&r);
    if (rc)
        stad_bikes_streets_free(st);
    else
        *out = st;
    return rc;
}

static int fail_sql(stad_ctx *ctx, sqlite3 *db, const char *what)
{
    return stad_fail(ctx, STAD_ESTORE, "%s: %s", what, sqlite3_errmsg(db));
}

int stad_bikes_streets_load(stad_ctx *ctx, stad_store *s, const char *path,
                            size_t *n_loaded)
{
    char *crs = NULL;
    stad_bikes_streets *st = NULL;
    int rc = stad_city_crs(ctx, s, &crs);
    if (!rc)
        rc = stad_bikes_streets_read(ctx, path, crs, &st);
    free(crs);
    if (rc)
        return rc;
    /* Areas are optional: without them streets have no wijk/buurt. */
    stad_area_index *wijk = NULL, *buurt = NULL;
    if (stad_area_index_build(ctx, s, "wijk", &wijk) == STAD_EEMPTY)
        wijk = NULL;
    if (stad_area_index_build(ctx, s, "buurt", &buurt) == STAD_EEMPTY)
        buurt = NULL;
    stad_clear_error(ctx);
    sqlite3 *db = stad_store_db(s);
    sqlite3_stmt *ins = NULL;
    if ((rc = stad_store_begin(s)))
        goto done;
    if (sqlite3_exec(db, "DELETE FROM street", NULL, NULL, NULL) != SQLITE_OK) {
        rc = fail_sql(ctx, db, "removing the old streets");
        goto done;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO street(id, name, length_m, geojson, ext_id, kind, x, y, "
                           "lon, lat, x0, y0, x1, y1, wijk_id, buurt_id, attrs) VALUES "
                           "(?1,?17,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
                           -1, &ins, NULL) != SQLITE_OK) {
        rc = fail_sql(ctx, db, "preparing street insert");
        goto done;
    }
    for (size_t i = 0; i < st->n && !rc; i++) {
        int64_t w = wijk ? stad_area_index_locate(wijk, st->x[i], st->y[i], 25) : 0;
        int64_t b = buurt ? stad_area_index_locate(buurt, st->x[i], st->y[i], 25) : 0;
        char ext[32], attrs[64];
        snprintf(ext, sizeof ext, "%lld", (long long)st->id[i]);
        snprintf(attrs, sizeof attrs, "{\"traffic\":%.6g}", st->traffic[i]);
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, st->id[i]);
        sqlite3_bind_double(ins, 2, st->length[i]);
        if (st->geojson[i])
            sqlite3_bind_text(ins, 3, st->geojson[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 3);
        sqlite3_bind_text(ins, 4, ext, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 5, st->kind[i], -1, SQLITE_STATIC);
        double v[] = {st->x[i], st->y[i], st->lon[i], st->lat[i],
                      st->x0[i], st->y0[i], st->x1[i], st->y1[i]};
        for (int k = 0; k < 8; k++)
            sqlite3_bind_double(ins, 6 + k, v[k]);
        if (w)
            sqlite3_bind_int64(ins, 14, w);
        else
            sqlite3_bind_null(ins, 14);
        if (b)
            sqlite3_bind_int64(ins, 15, b);
        else
            sqlite3_bind_null(ins, 15);
        sqlite3_bind_text(ins, 16, attrs, -1, SQLITE_TRANSIENT);
        if (st->name[i])
            sqlite3_bind_text(ins, 17, st->name[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 17);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = fail_sql(ctx, db, "storing a street");
    }
    if (!rc)
        rc = stad_store_commit(s);
done:
    if (rc)
        stad_store_rollback(s);
    sqlite3_finalize(ins);
    if (!rc && n_loaded)
        *n_loaded = st->n;
    stad_area_index_free(wijk);
    stad_area_index_free(buurt);
    stad_bikes_streets_free(st);
    return rc;
}

int stad_bikes_streets_from_store(stad_ctx *ctx, stad_store *s, stad_bikes_streets **out)
{
    *out = NULL;
    sqlite3 *db = stad_store_db(s);
    sqlite3_stmt *q = NULL;
    int64_t n = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM street WHERE x IS NOT NULL", -1, &q,
                           NULL) != SQLITE_OK)
        return fail_sql(ctx, db, "counting streets");
    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (!n)
        return stad_fail(ctx, STAD_EEMPTY,
                         "the store has no street segments (stad bikes streets load FILE)");
    stad_bikes_streets *st = streets_alloc((size_t)n);
    if (!st)
        return stad_fail(ctx, STAD_ENOMEM, "out of memory for %lld streets", (long long)n);
    if (sqlite3_prepare_v2(db,
                           "SELECT id, length_m, x, y, lon, lat, x0, y0, x1, y1, "
                           "coalesce(wijk_id,0), coalesce(buurt_id,0), coalesce(kind,''), "
                           "coalesce(json_extract(attrs,'$.traffic'),0), geojson, name "
                           "FROM street WHERE x IS NOT NULL ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK) {
        stad_bikes_streets_free(st);
        return fail_sql(ctx, db, "reading streets");
    }
    size_t i = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW && i < (size_t)n) {
        st->id[i] = sqlite3_column_int64(q, 0);
        st->length[i] = sqlite3_column_double(q, 1);
        double *dst[] = {st->x, st->y, st->lon, st->lat, st->x0, st->y0, st->x1, st->y1};
        for (int k = 0; k < 8; k++)
            dst[k][i] = sqlite3_column_double(q, 2 + k);
        st->wijk[i] = sqlite3_column_int64(q, 10);
        st->buurt[i] = sqlite3_column_int64(q, 11);
        st->kind[i] = strdup((const char *)sqlite3_column_text(q, 12));
        st->traffic[i] = sqlite3_column_double(q, 13);
        const unsigned char *gj = sqlite3_column_text(q, 14);
        st->geojson[i] = gj ? strdup((const char *)gj) : NULL;
        const unsigned char *nm = sqlite3_column_text(q, 15);
        st->name[i] = nm ? strdup((const char *)nm) : NULL;
        st->n = ++i;
        if (!st->kind[i - 1] || (gj && !st->geojson[i - 1]) || (nm && !st->name[i - 1])) {
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory reading streets");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = fail_sql(ctx, db, "reading streets");
    sqlite3_finalize(q);
    if (!rc && bikes_streets_find_near(st, STAD_BIKES_NEAR_M))
        rc = stad_fail(ctx, STAD_ENOMEM, "out of memory reading streets");
    if (rc) {
        stad_bikes_streets_free(st);
        return rc;
    }
    *out = st;
    return 0;
}

long stad_bikes_streets_nearest(const stad_bikes_streets *st, double x, double y,
                                double max_dist)
{
    long best = -1;
    double bd = max_dist * max_dist;
    for (size_t i = 0; i < st->n; i++) {
        double dx = st->x[i] - x, dy = st->y[i] - y, d2 = dx * dx + dy * dy;
        if (d2 <= bd) {
            bd = d2;
            best = (long)i;
        }
    }
    return best;
}

int stad_bikes_street_wanted(const stad_bikes_theme *t, const stad_bikes_streets *st,
                             size_t i)
{
    if (!t->street_kinds[0])
        return 1;
    const char *k = st->kind[i] ? st->kind[i] : "";
    size_t L = strlen(k);
    if (!L)
        return 0;
    const char *p = t->street_kinds;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ", ");
        if (len == L && strncasecmp(p, k, L) == 0)
            return 1;
        p += len;
    }
    return 0;
}

int stad_bikes_streets_hint_near(stad_ctx *ctx, stad_bikes_streets *st, const double *px,
                                 const double *py, size_t np, double radius)
{
    double *h = calloc(st->n ? st->n : 1, sizeof *h);
    if (!h)
        return stad_fail(ctx, STAD_ENOMEM, "street hints: out of memory");
    if (np && radius > 0) {
        bikes_grid g;
        if (bikes_grid_build(&g, px, py, np, radius)) {
            free(h);
            return stad_fail(ctx, STAD_ENOMEM, "street hints: out of memory");
        }
        for (size_t i = 0; i < st->n; i++) {
            size_t cx0, cy0, cx1, cy1;
            if (!bikes_grid_cells(&g, st->x[i] - radius, st->y[i] - radius, st->x[i] + radius,
                                  st->y[i] + radius, &cx0, &cy0, &cx1, &cy1))
                continue;
            for (size_t cy = cy0; cy <= cy1; cy++)
                for (size_t cx = cx0; cx <= cx1; cx++) {
                    size_t c = cy * g.nx + cx;
                    for (size_t q = g.start[c]; q < g.start[c + 1]; q++) {
                        double dx = st->x[i] - px[g.idx[q]], dy = st->y[i] - py[g.idx[q]];
                        h[i] += dx * dx + dy * dy < radius * radius;
                    }
                }
        }
        bikes_grid_free(&g);
    }
    free(st->hint);
    st->hint = h;
    return 0;
}

int stad_bikes_streets_hint_from_store(stad_ctx *ctx, stad_store *s,
                                       const stad_bikes_theme *t, stad_bikes_streets *st,
                                       const stad_event_filter *scope)
{
    if (!t->n_hints)
        return 0;
    const char *kinds[STAD_BIKES_MAX_SIGNALS];
    for (size_t k = 0; k < t->n_hints; k++)
        kinds[k] = t->hints[k];
    stad_event_filter f = {.kinds = kinds, .n_kinds = t->n_hints};
    bikes_scope_copy(scope, &f);
    stad_events *ev = NULL;
    int rc = stad_events_load(s, &f, &ev);
    if (rc)
        return rc;
    size_t k = 0;
    for (size_t i = 0; i < ev->n; i++)
        if (isfinite(ev->x[i]) && isfinite(ev->y[i])) {
            ev->x[k] = ev->x[i];
            ev->y[k++] = ev->y[i];
        }
    rc = stad_bikes_streets_hint_near(ctx, st, ev->x, ev->y, k, t->hint_radius_m);
    stad_events_free(ev);
    return rc;
}
