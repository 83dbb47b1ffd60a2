/* Loading area polygons (GeoJSON, Shapefile, GeoPackage, ...) through GDAL/OGR
 * into the store, projected to the city CRS, with a WGS84 GeoJSON copy for the web,
 * and parents found by containment. Everything happens in one store transaction so
 * a bad file leaves the store as it was. */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "stad/geo.h"
#include "stad/strbuf.h"
#include "geo/geo_srs.h"

/* Fallback parent search radius (m): absorbs digitising slivers between a
 * child's interior point and its parent's border. */
#define PARENT_TOLERANCE_M 1.0

static const char *level_above(const char *level)
{
    if (strcmp(level, "buurt") == 0)
        return "wijk";
    if (strcmp(level, "wijk") == 0)
        return "city";
    return NULL;
}

static const char *level_below(const char *level)
{
    if (strcmp(level, "wijk") == 0)
        return "buurt";
    if (strcmp(level, "city") == 0)
        return "wijk";
    return NULL;
}

/* Field names tried in order, case-insensitively. The level's own names come
 * first so a buurt file that also carries WK_CODE yields buurt codes. */
static const char *const CODE_BUURT[] = {"BU_CODE", "buurtcode", NULL};
static const char *const CODE_WIJK[] = {"WK_CODE", "wijkcode", NULL};
static const char *const CODE_CITY[] = {"GM_CODE", "gemeentecode", NULL};
/* GEOID: US census tracts and block groups; GSS_CODE: UK wards and LSOAs. */
static const char *const CODE_ANY[] = {"BU_CODE", "WK_CODE", "GM_CODE", "CODE",
                                       "buurtcode", "wijkcode", "GEOID", "GSS_CODE", "id",
                                       NULL};
static const char *const NAME_BUURT[] = {"BU_NAAM", "buurtnaam", NULL};
static const char *const NAME_WIJK[] = {"WK_NAAM", "wijknaam", NULL};
static const char *const NAME_CITY[] = {"GM_NAAM", "gemeentenaam", NULL};
static const char *const NAME_ANY[] = {"NAAM", "name", "BU_NAAM", "WK_NAAM",
                                       "buurtnaam", "wijknaam", "GM_NAAM", "NAMELSAD", NULL};

static int find_field(OGRFeatureDefnH defn, const char *const *names)
{
    int n = OGR_FD_GetFieldCount(defn);
    for (; *names; names++)
        for (int i = 0; i < n; i++)
            if (strcasecmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), *names) == 0)
                return i;
    return -1;
}

static int detect_code_field(OGRFeatureDefnH defn, const char *level)
{
    int i = -1;
    if (strcmp(level, "buurt") == 0)
        i = find_field(defn, CODE_BUURT);
    else if (strcmp(level, "wijk") == 0)
        i = find_field(defn, CODE_WIJK);
    else if (strcmp(level, "city") == 0)
        i = find_field(defn, CODE_CITY);
    return i >= 0 ? i : find_field(defn, CODE_ANY);
}

static int detect_name_field(OGRFeatureDefnH defn, const char *level)
{
    int i = -1;
    if (strcmp(level, "buurt") == 0)
        i = find_field(defn, NAME_BUURT);
    else if (strcmp(level, "wijk") == 0)
        i = find_field(defn, NAME_WIJK);
    else if (strcmp(level, "city") == 0)
        i = find_field(defn, NAME_CITY);
    if (i < 0)
        i = find_field(defn, NAME_ANY);
    if (i >= 0)
        return i;
    /* Renamed exports ("naam_src", "name_nl"): take the first field starting with naam or name. */
    int n = OGR_FD_GetFieldCount(defn);
    for (int k = 0; k < n; k++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, k));
        if (strncasecmp(f, "naam", 4) == 0 || strncasecmp(f, "name", 4) == 0)
            return k;
    }
    return -1;
}

static void list_fields(OGRFeatureDefnH defn, stad_strbuf *b)
{
    int n = OGR_FD_GetFieldCount(defn);
    for (int i = 0; i < n; i++) {
        if (i)
            stad_strbuf_append(b, ", ");
        stad_strbuf_append(b, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    if (n == 0)
        stad_strbuf_append(b, "(none)");
}

/* Fails with the store's own message appended (copied first: the store may
 * share ctx, and stad_fail must not read the buffer it writes). */
static int fail_store(stad_ctx *ctx, stad_store *s, int rc, const char *path,
                      const char *what)
{
    stad_strbuf m = STAD_STRBUF_INIT;
    stad_ctx *sc = stad_store_ctx(s);
    stad_strbuf_append(&m, stad_errmsg(sc ? sc : ctx));
    int r = stad_fail(ctx, rc < 0 ? rc : STAD_ESTORE, "%s: %s: %s", path, what,
                      stad_strbuf_str(&m));
    stad_strbuf_free(&m);
    return r;
}


/* An area's interior point in city CRS (point on surface; centroid as fallback). */
static int interior_point(OGRGeometryH g, double *x, double *y)
{
    OGRGeometryH p = OGR_G_PointOnSurface(g);
    if (!p || OGR_G_IsEmpty(p)) {
        if (p)
            OGR_G_DestroyGeometry(p);
        p = OGR_G_CreateGeometry(wkbPoint);
        if (!p || OGR_G_Centroid(g, p) != OGRERR_NONE || OGR_G_IsEmpty(p)) {
            if (p)
                OGR_G_DestroyGeometry(p);
            return STAD_EGEO;
        }
    }
    *x = OGR_G_GetX(p, 0);
    *y = OGR_G_GetY(p, 0);
    OGR_G_DestroyGeometry(p);
    return 0;
}

typedef struct placed {
    int64_t id;
    double x, y; /* interior point */
} placed;

typedef struct placed_vec {
    placed *v;
    size_t n, cap;
} placed_vec;

static int placed_push(placed_vec *pv, int64_t id, double x, double y)
{
    if (pv->n == pv->cap) {
        size_t nc = pv->cap ? pv->cap * 2 : 128;
        placed *n = realloc(pv->v, nc * sizeof *n);
        if (!n)
            return STAD_ENOMEM;
        pv->v = n;
        pv->cap = nc;
    }
    pv->v[pv->n++] = (placed){id, x, y};
    return 0;
}

/* Sets the parent of each placed area to the area of `parent_level` containing its
 * interior point (0 when none). A missing parent level is not an error. */
static int assign_parents(stad_ctx *ctx, stad_store *s, const char *path,
                          const char *parent_level, const placed_vec *pv)
{
    stad_area_index *ix = NULL;
    int rc = stad_area_index_build(ctx, s, parent_level, &ix);
    if (rc == STAD_EEMPTY) {
        stad_clear_error(ctx);
        return 0;
    }
    if (rc)
        return rc;
    for (size_t i = 0; i < pv->n && !rc; i++) {
        int64_t parent = stad_area_index_locate(ix, pv->v[i].x, pv->v[i].y, 0);
        if (!parent)
            parent = stad_area_index_locate(ix, pv->v[i].x, pv->v[i].y,
                                            PARENT_TOLERANCE_M);
        rc = stad_store_area_set_parent(s, pv->v[i].id, parent);
        if (rc)
            rc = fail_store(ctx, s, rc, path, "setting area parents");
    }
    stad_area_index_free(ix);
    return rc;
}

typedef struct child_state {
    placed_vec pv;
    int rc;
} child_state;

static int collect_child(void *user, const stad_area_row *a)
{
    child_state *st = user;
    OGRGeometryH g = NULL;
    double x, y;
    if (!a->wkb || a->wkb_len == 0 ||
        OGR_G_CreateFromWkbEx(a->wkb, NULL, &g, a->wkb_len) != OGRERR_NONE)
        return 0; /* unreadable rows keep their parent; the index build reports them */
    int rc = interior_point(g, &x, &y);
    OGR_G_DestroyGeometry(g);
    if (rc == 0 && placed_push(&st->pv, a->id, x, y)) {
        st->rc = STAD_ENOMEM;
        return 1;
    }
    return 0;
}

/* Re-parents areas of the level below (loaded earlier) under the level just loaded. */
static int reparent_children(stad_ctx *ctx, stad_store *s, const char *path,
                             const char *level, const char *child_level)
{
    child_state st = {{NULL, 0, 0}, 0};
    int rc = stad_store_areas_each(s, child_level, collect_child, &st);
    if (st.rc)
        rc = stad_fail(ctx, st.rc, "%s: out of memory re-parenting %s areas", path,
                       child_level);
    else if (rc)
        rc = fail_store(ctx, s, rc, path, "reading child areas");
    if (!rc && st.pv.n)
        rc = assign_parents(ctx, s, path, level, &st.pv);
    free(st.pv.v);
    return rc;
}

/* Projects one feature's geometry and stores it; appends its interior point. */
static int load_feature(stad_ctx *ctx, stad_store *s, const char *path, const char *level,
                        OGRFeatureH f, long long fno, int code_i, int name_i,
                        OGRCoordinateTransformationH to_city,
                        OGRCoordinateTransformationH to_wgs84, placed_vec *pv)
{
    OGRGeometryH src = OGR_F_GetGeometryRef(f);
    if (!src || OGR_G_IsEmpty(src)) {
        return stad_fail(ctx, STAD_EGEO, "%s: feature %lld has no geometry", path, fno);
    }
    OGRwkbGeometryType gt = wkbFlatten(OGR_G_GetGeometryType(src));
    OGRGeometryH g;
    if (gt == wkbPolygon || gt == wkbMultiPolygon)
        g = OGR_G_Clone(src);
    else if (gt == wkbCurvePolygon || gt == wkbMultiSurface)
        g = OGR_G_GetLinearGeometry(src, 0, NULL); /* stroke arcs into segments */
    else
        return stad_fail(ctx, STAD_EGEO,
                         "%s: feature %lld is a %s; areas must be polygons", path, fno,
                         OGRGeometryTypeToName(gt));
    if (!g)
        return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
    OGR_G_FlattenTo2D(g);
    OGRGeometryH gw = OGR_G_Clone(g);
    unsigned char *wkb = NULL;
    char *json = NULL;
    int rc = 0;
    if (!gw) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    if (OGR_G_Transform(g, to_city) != OGRERR_NONE ||
        OGR_G_Transform(gw, to_wgs84) != OGRERR_NONE) {
        rc = stad_fail(ctx, STAD_EGEO,
                       "%s: feature %lld cannot be transformed to the city CRS or WGS84",
                       path, fno);
        goto out;
    }
    size_t wkb_len = OGR_G_WkbSizeEx(g);
    wkb = malloc(wkb_len ? wkb_len : 1);
    if (!wkb) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    if (OGR_G_ExportToIsoWkb(g, wkbNDR, wkb) != OGRERR_NONE) {
        rc = stad_fail(ctx, STAD_EGEO, "%s: feature %lld: cannot encode geometry", path,
                       fno);
        goto out;
    }
    /* 7 decimals of a degree is about 1 cm: plenty for a web map, half the text. */
    char *opts[] = {"COORDINATE_PRECISION=7", NULL};
    json = OGR_G_ExportToJsonEx(gw, opts);
    if (!json) {
        rc = stad_fail(ctx, STAD_EGEO, "%s: feature %lld: cannot encode GeoJSON", path,
                       fno);
        goto out;
    }
    OGREnvelope env;
    OGR_G_GetEnvelope(g, &env);
    const char *code = OGR_F_GetFieldAsString(f, code_i);
    if (!OGR_F_IsFieldSetAndNotNull(f, code_i) || !code || !*code) {
        rc = stad_fail(ctx, STAD_EPARSE, "%s: feature %lld has an empty code (field %s)",
                       path, fno,
                       OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_F_GetDefnRef(f), code_i)));
        goto out;
    }
    /* OGR_F_GetFieldAsString reuses its buffer: copy before the next call. */
    stad_strbuf codebuf = STAD_STRBUF_INIT;
    stad_strbuf_append(&codebuf, code);
    const char *name = name_i >= 0 ? OGR_F_GetFieldAsString(f, name_i) : NULL;
    stad_area_row row = {
        .level = level,
        .code = stad_strbuf_str(&codebuf),
        .name = name && *name ? name : stad_strbuf_str(&codebuf),
        .parent_id = 0,
        .wkb = wkb,
        .wkb_len = wkb_len,
        .geojson = json,
        .minx = env.MinX, .miny = env.MinY, .maxx = env.MaxX, .maxy = env.MaxY,
    };
    int64_t id = 0;
    if (codebuf.oom)
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
    else if ((rc = stad_store_area_upsert(s, &row, &id)))
        rc = fail_store(ctx, s, rc, path, "storing area");
    stad_strbuf_free(&codebuf);
    if (rc)
        goto out;
    double ix, iy;
    if (interior_point(g, &ix, &iy) == 0 && placed_push(pv, id, ix, iy))
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
out:
    CPLFree(json);
    free(wkb);
    OGR_G_DestroyGeometry(gw);
    OGR_G_DestroyGeometry(g);
    return rc;
}

typedef struct load_job {
    stad_ctx *ctx;
    stad_store *s;
    const char *path;
    const stad_area_load_opts *opts;
    GDALDatasetH ds;
    OGRSpatialReferenceH src_srs, city_srs, wgs84_srs;
    OGRCoordinateTransformationH to_city, to_wgs84;
    placed_vec pv;
    size_t n;
} load_job;

static int open_layer(load_job *j, OGRLayerH *out)
{
    struct stat sb;
    if (stat(j->path, &sb) != 0)
        return stad_fail(j->ctx, STAD_EIO, "%s: no such file", j->path);
    CPLErrorReset();
    j->ds = GDALOpenEx(j->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!j->ds)
        return stad_fail(j->ctx, STAD_EFORMAT,
                         "%s: not a geographic file that can be read (GeoJSON, Shapefile, "
                         "GeoPackage, ...)%s%s",
                         j->path, *CPLGetLastErrorMsg() ? ": " : "", CPLGetLastErrorMsg());
    OGRLayerH layer;
    if (j->opts->layer) {
        layer = GDALDatasetGetLayerByName(j->ds, j->opts->layer);
        if (!layer)
            return stad_fail(j->ctx, STAD_ENOTFOUND, "%s: no layer named '%s'", j->path,
                             j->opts->layer);
    } else {
        if (GDALDatasetGetLayerCount(j->ds) < 1)
            return stad_fail(j->ctx, STAD_EFORMAT, "%s: the file has no layers", j->path);
        layer = GDALDatasetGetLayer(j->ds, 0);
    }
    if (!layer || OGR_L_GetGeomType(layer) == wkbNone)
        return stad_fail(j->ctx, STAD_EFORMAT,
                         "%s: layer '%s' has no geometry (not a geographic file?)", j->path,
                         layer ? OGR_L_GetName(layer) : "?");
    *out = layer;
    return 0;
}

static int make_transforms(load_job *j, OGRLayerH layer)
{
    const char *city = j->opts->city_crs ? j->opts->city_crs : STAD_CRS_DEFAULT;
    OGRSpatialReferenceH lsrs = OGR_L_GetSpatialRef(layer);
    if (lsrs) {
        j->src_srs = OSRClone(lsrs);
        if (j->src_srs)
            OSRSetAxisMappingStrategy(j->src_srs, OAMS_TRADITIONAL_GIS_ORDER);
    } else {
        /* No CRS: only lon/lat-looking data is acceptable (GeoJSON's default). */
        OGREnvelope e;
        if (OGR_L_GetExtent(layer, &e, 1) != OGRERR_NONE || e.MinX < -180 ||
            e.MaxX > 180 || e.MinY < -90 || e.MaxY > 90)
            return stad_fail(j->ctx, STAD_EGEO,
                             "%s: the file has no coordinate reference system and its "
                             "coordinates are not longitude/latitude",
                             j->path);
        stad_log(j->ctx, STAD_LOG_WARN, "%s: no CRS in the file; assuming WGS84", j->path);
        j->src_srs = geo_srs_from(STAD_CRS_WGS84);
    }
    j->city_srs = geo_srs_from(city);
    j->wgs84_srs = geo_srs_from(STAD_CRS_WGS84);
    if (!j->city_srs)
        return stad_fail(j->ctx, STAD_EGEO, "unknown city CRS '%s'", city);
    if (!j->src_srs || !j->wgs84_srs)
        return stad_fail(j->ctx, STAD_EGEO, "%s: cannot set up coordinate systems", j->path);
    j->to_city = OCTNewCoordinateTransformation(j->src_srs, j->city_srs);
    j->to_wgs84 = OCTNewCoordinateTransformation(j->src_srs, j->wgs84_srs);
    if (!j->to_city || !j->to_wgs84)
        return stad_fail(j->ctx, STAD_EGEO,
                         "%s: cannot transform from the file's CRS to %s and WGS84: %s",
                         j->path, city, CPLGetLastErrorMsg());
    return 0;
}

/* The areas must lie where the city CRS is made for, or every grid and route on them
 * would be in distorted metres: the middle of the layer is checked before anything
 * is written. */
static int check_area_of_use(load_job *j, OGRLayerH layer)
{
    OGREnvelope e;
    if (OGR_L_GetExtent(layer, &e, 1) != OGRERR_NONE)
        return 0; /* an empty layer: load_layer says so */
    double x = 0.5 * (e.MinX + e.MaxX), y = 0.5 * (e.MinY + e.MaxY);
    if (!OCTTransform(j->to_wgs84, 1, &x, &y, NULL))
        return 0;
    char what[600];
    snprintf(what, sizeof what, "%s: the areas", j->path);
    return stad_crs_check_place(j->ctx, j->opts->city_crs ? j->opts->city_crs : STAD_CRS_DEFAULT,
                                x, y, what);
}

static int load_layer(load_job *j, OGRLayerH layer)
{
    const stad_area_load_opts *o = j->opts;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int code_i = o->code_field ? OGR_FD_GetFieldIndex(defn, o->code_field)
                               : detect_code_field(defn, o->level);
    int name_i = o->name_field ? OGR_FD_GetFieldIndex(defn, o->name_field)
                               : detect_name_field(defn, o->level);
    if (code_i < 0 || (o->name_field && name_i < 0)) {
        stad_strbuf fl = STAD_STRBUF_INIT;
        list_fields(defn, &fl);
        int rc;
        if (code_i < 0 && o->code_field)
            rc = stad_fail(j->ctx, STAD_ECOLUMNS, "%s: no field '%s'; fields are: %s",
                           j->path, o->code_field, stad_strbuf_str(&fl));
        else if (code_i < 0)
            rc = stad_fail(j->ctx, STAD_ECOLUMNS,
                           "%s: no area code field found (looked for BU_CODE, WK_CODE, "
                           "GM_CODE, CODE, buurtcode, wijkcode, GEOID, GSS_CODE, id); fields "
                           "are: %s; name one with --code-field (and --name-field)",
                           j->path, stad_strbuf_str(&fl));
        else
            rc = stad_fail(j->ctx, STAD_ECOLUMNS, "%s: no field '%s'; fields are: %s",
                           j->path, o->name_field, stad_strbuf_str(&fl));
        stad_strbuf_free(&fl);
        return rc;
    }
    GIntBig total = OGR_L_GetFeatureCount(layer, 0);
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    long long fno = 0;
    int rc = 0;
    while (!rc && (f = OGR_L_GetNextFeature(layer)) != NULL) {
        fno++;
        rc = load_feature(j->ctx, j->s, j->path, o->level, f, fno, code_i, name_i,
                          j->to_city, j->to_wgs84, &j->pv);
        OGR_F_Destroy(f);
        if (!rc)
            j->n++;
        if (!rc)
            rc = stad_progress(j->ctx, "areas", (uint64_t)fno,
                               total > 0 ? (uint64_t)total : 0);
    }
    if (!rc && j->n == 0)
        rc = stad_fail(j->ctx, STAD_EEMPTY, "%s: no features in layer '%s'", j->path,
                       OGR_L_GetName(layer));
    return rc;
}

int stad_areas_load_file(stad_ctx *ctx, stad_store *s, const char *path,
                         const stad_area_load_opts *opts, size_t *n_loaded)
{
    if (n_loaded)
        *n_loaded = 0;
    if (!s || !path || !*path || !opts || !opts->level || !*opts->level)
        return stad_fail(ctx, STAD_EINVAL, "loading areas: store, path and level are required");
    GDALAllRegister();
    /* GDAL errors are reported through ctx, not printed. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    load_job j = {.ctx = ctx, .s = s, .path = path, .opts = opts};
    OGRLayerH layer = NULL;
    int in_tx = 0;
    int rc = open_layer(&j, &layer);
    if (!rc)
        rc = make_transforms(&j, layer);
    if (!rc)
        rc = check_area_of_use(&j, layer);
    if (!rc) {
        rc = stad_store_begin(s);
        if (rc)
            rc = fail_store(ctx, s, rc, path, "starting a store transaction");
        else
            in_tx = 1;
    }
    if (!rc)
        rc = load_layer(&j, layer);
    const char *parent_level = opts->parent_level ? opts->parent_level
                                                  : level_above(opts->level);
    if (!rc && parent_level)
        rc = assign_parents(ctx, s, path, parent_level, &j.pv);
    const char *child_level = level_below(opts->level);
    if (!rc && child_level)
        rc = reparent_children(ctx, s, path, opts->level, child_level);
    if (!rc) {
        rc = stad_store_commit(s);
        if (rc)
            rc = fail_store(ctx, s, rc, path, "committing areas");
        else
            in_tx = 0;
    }
    if (in_tx)
        stad_store_rollback(s);
    if (!rc && n_loaded)
        *n_loaded = j.n;
    free(j.pv.v);
    if (j.to_city)
        OCTDestroyCoordinateTransformation(j.to_city);
    if (j.to_wgs84)
        OCTDestroyCoordinateTransformation(j.to_wgs84);
    if (j.src_srs)
        OSRDestroySpatialReference(j.src_srs);
    if (j.city_srs)
        OSRDestroySpatialReference(j.city_srs);
    if (j.wgs84_srs)
        OSRDestroySpatialReference(j.wgs84_srs);
    if (j.ds)
        GDALClose(j.ds);
    CPLPopErrorHandler();
    return rc;
}
