/* Spreadsheets and geodata through GDAL/OGR: xlsx, xls, ods, GeoJSON, Shapefile,
 * GeoPackage (and CSV when asked, for comparison). Every field is read as text so
 * that ingest applies one set of parsing rules to every format; typed date fields
 * (GeoJSON, GeoPackage) are written as ISO 8601 first. */
/* VSIStatBufL is struct stat64 */
#define _LARGEFILE64_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_error.h>
#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "ingest/ingest_internal.h"

#define N_SHEET_CFG 6 /* see sheet_cfg below */

typedef struct ogr_impl {
    GDALDatasetH ds;
    OGRLayerH layer;
    int64_t index;       /* features read so far */
    int64_t line_offset; /* sheet row of the first feature minus one */
    int fid_is_row;      /* XLSX/ODS: the feature id is the sheet row */
    int cfg_set;         /* the sheet settings below were changed */
    char *saved_cfg[N_SHEET_CFG]; /* thread-local GDAL settings to restore on close */
    stad_strbuf text;    /* every value of the current row, NUL-separated */
    size_t *off;
    const char **fields;
    size_t cap;
} ogr_impl;

static int has_suffix(const char *path, const char *suffix)
{
    size_t n = strlen(path), k = strlen(suffix);
    return n >= k && strcasecmp(path + n - k, suffix) == 0;
}

/* In GDAL 3.6 the XLSX driver ignores its HEADERS/FIELD_TYPES open options; the
 * equivalent settings work, and are kept for the reader's life because sheets are
 * parsed lazily. Thread-local, so other threads' readers are not affected. */
static const char *const sheet_cfg[N_SHEET_CFG] = {
    "OGR_XLSX_HEADERS", "OGR_XLSX_FIELD_TYPES", "OGR_ODS_HEADERS",
    "OGR_ODS_FIELD_TYPES", "OGR_XLS_HEADERS", "OGR_XLS_FIELD_TYPES"};
static const char *const sheet_val[N_SHEET_CFG] = {"FORCE", "STRING", "FORCE",
                                                   "STRING", "FORCE", "STRING"};

static void ogr_close(ingest_reader *r)
{
    ogr_impl *g = r->impl;
    if (!g)
        return;
    if (g->ds)
        GDALClose(g->ds);
    for (int i = 0; i < N_SHEET_CFG && g->cfg_set; i++) {
        CPLSetThreadLocalConfigOption(sheet_cfg[i], g->saved_cfg[i]);
        CPLFree(g->saved_cfg[i]);
    }
    stad_strbuf_free(&g->text);
    free(g->off);
    free(g->fields);
    free(g);
}

static int put_value(ingest_reader *r, ogr_impl *g, const char *s)
{
    size_t n = strlen(s);
    size_t k = 0;
    while (k < n && (unsigned char)s[k] < 0x80)
        k++;
    if (k < n && !ingest_utf8_valid(s + k, n - k)) {
        r->recoded = 1;
        if (ingest_cp1252_to_utf8(&g->text, s, n))
            return STAD_ENOMEM;
    } else if (stad_strbuf_append_n(&g->text, s, n)) {
        return STAD_ENOMEM;
    }
    return stad_strbuf_append_char(&g->text, '\0');
}

static int ogr_next(ingest_reader *r, ingest_row *row)
{
    ogr_impl *g = r->impl;
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRFeatureH f = OGR_L_GetNextFeature(g->layer);
    CPLPopErrorHandler();
    if (!f) {
        if (CPLGetLastErrorType() >= CE_Failure)
            return stad_fail(r->ctx, STAD_EFORMAT, "%s: reading broke off after row %lld: %s",
                             r->path, (long long)(g->index + g->line_offset),
                             CPLGetLastErrorMsg());
        return 0;
    }
    g->index++;
    stad_strbuf_clear(&g->text);
    int rc = 0;
    for (size_t i = 0; i < r->ncols && !rc; i++) {
        g->off[i] = g->text.len;
        int fi = (int)i;
        if (!OGR_F_IsFieldSetAndNotNull(f, fi)) {
            rc = stad_strbuf_append_char(&g->text, '\0');
            continue;
        }
        OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, fi));
        if (t == OFTDate || t == OFTDateTime) {
            int y, mo, d, h, mi, tz;
            float sec;
            char buf[40];
            OGR_F_GetFieldAsDateTimeEx(f, fi, &y, &mo, &d, &h, &mi, &sec, &tz);
            if (t == OFTDate)
                snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
            else
                snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi,
                         (int)sec);
            rc = put_value(r, g, buf);
        } else {
            rc = put_value(r, g, OGR_F_GetFieldAsString(f, fi));
        }
    }
    memset(row, 0, sizeof *row);
    OGRGeometryH geom = OGR_F_GetGeometryRef(f);
    if (geom && !OGR_G_IsEmpty(geom)) {
        if (wkbFlatten(OGR_G_GetGeometryType(geom)) == wkbPoint) {
            row->gx = OGR_G_GetX(geom, 0);
            row->gy = OGR_G_GetY(geom, 0);
            row->has_geom = 1;
        } else {
            OGRGeometryH c = OGR_G_CreateGeometry(wkbPoint);
            if (c && OGR_G_Centroid(geom, c) == OGRERR_NONE && !OGR_G_IsEmpty(c)) {
                row->gx = OGR_G_GetX(c, 0);
                row->gy = OGR_G_GetY(c, 0);
                row->has_geom = 1;
            }
            OGR_G_DestroyGeometry(c);
        }
    }
    int64_t fid = (int64_t)OGR_F_GetFID(f);
    OGR_F_Destroy(f);
    if (rc || g->text.oom)
        return stad_fail(r->ctx, STAD_ENOMEM, "%s: out of memory", r->path);
    for (size_t i = 0; i < r->ncols; i++)
        g->fields[i] = g->text.s + g->off[i];
    row->field = g->fields;
    row->n = r->ncols;
    row->line = g->index + g->line_offset;
    if (g->fid_is_row && fid > 0)
        row->line = fid;
    r->bytes_done = (uint64_t)g->index;
    return 1;
}

static const ingest_reader_ops ogr_ops = {ogr_next, ogr_close};

/* Delimiter of a CSV read through OGR, from its first line. */
static const char *ogr_csv_separator(const char *vpath)
{
    char buf[65536];
    size_t n = 0;
    VSILFILE *fp = VSIFOpenL(vpath, "rb");
    if (fp) {
        n = VSIFReadL(buf, 1, sizeof buf, fp);
        VSIFCloseL(fp);
    }
    switch (ingest_csv_sniff_delimiter(buf, n)) {
    case ';': return "SEPARATOR=SEMICOLON";
    case '\t': return "SEPARATOR=TAB";
    case '|': return "SEPARATOR=PIPE";
    default: return "SEPARATOR=COMMA";
    }
}

static char *layer_crs(OGRLayerH layer)
{
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    if (!srs)
        return NULL;
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    if (auth && code) {
        size_t n = strlen(auth) + strlen(code) + 2;
        char *s = malloc(n);
        if (s)
            snprintf(s, n, "%s:%s", auth, code);
        return s;
    }
    char *wkt = NULL;
    if (OSRExportToWkt(srs, &wkt) != OGRERR_NONE) {
        CPLFree(wkt);
        return NULL;
    }
    char *s = strdup(wkt);
    CPLFree(wkt);
    return s;
}

int ingest_ogr_open(stad_ctx *ctx, const char *path, const ingest_reader_opts *o,
                    ingest_reader **out)
{
    static int registered;
    if (!registered) {
        GDALAllRegister(); /* idempotent; cheap after the first call */
        registered = 1;
    }
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0)
        return stad_fail(ctx, STAD_EIO, "%s: cannot open: no such file", path);
    if (st.st_size == 0)
        return stad_fail(ctx, STAD_EEMPTY, "%s: the file is empty", path);

    ingest_reader *r = calloc(1, sizeof *r);
    ogr_impl *g = calloc(1, sizeof *g);
    stad_strbuf vpath = STAD_STRBUF_INIT;
    int rc = 0;
    if (!r || !g) {
        free(r);
        free(g);
        return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
    }
    r->ops = &ogr_ops;
    r->ctx = ctx;
    r->impl = g;
    r->path = strdup(path);
    r->delimiter = ',';
    if (has_suffix(path, ".gz"))
        stad_strbuf_append(&vpath, "/vsigzip/");
    stad_strbuf_append(&vpath, path);
    if (!r->path || vpath.oom) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto fail;
    }

    const char *opts[8] = {NULL};
    int spreadsheet = 0;
    if (has_suffix(path, ".xlsx") || has_suffix(path, ".ods")) {
        opts[0] = "FIELD_TYPES=STRING";
        opts[1] = "HEADERS=FORCE";
        spreadsheet = 1;
        g->fid_is_row = 1;
    } else if (has_suffix(path, ".xls")) {
        spreadsheet = 1;
    } else if (ingest_path_is_csv(path)) {
        opts[0] = ogr_csv_separator(vpath.s);
        opts[1] = "AUTODETECT_TYPE=NO";
        opts[2] = "HEADERS=YES";
        opts[3] = "EMPTY_STRING_AS_NULL=NO";
        spreadsheet = 1; /* FID + 1 is the line, as with a sheet */
    }
    if (spreadsheet && !ingest_path_is_csv(path)) {
        g->cfg_set = 1;
        for (int i = 0; i < N_SHEET_CFG; i++) {
            const char *old = CPLGetThreadLocalConfigOption(sheet_cfg[i], NULL);
            g->saved_cfg[i] = old ? CPLStrdup(old) : NULL;
            CPLSetThreadLocalConfigOption(sheet_cfg[i], sheet_val[i]);
        }
    }
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    g->ds = GDALOpenEx(vpath.s, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, opts, NULL);
    CPLPopErrorHandler();
    if (!g->ds) {
        const char *msg = CPLGetLastErrorMsg();
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: not a readable spreadsheet or geodata file%s%s",
                       path, msg && *msg ? ": " : "", msg ? msg : "");
        goto fail;
    }
    r->format = GDALGetDriverShortName(GDALGetDatasetDriver(g->ds));
    if (o && o->layer) {
        g->layer = GDALDatasetGetLayerByName(g->ds, o->layer);
        if (!g->layer) {
            rc = stad_fail(ctx, STAD_ENOTFOUND, "%s: no sheet or layer named '%s'", path,
                           o->layer);
            goto fail;
        }
    } else if (GDALDatasetGetLayerCount(g->ds) > 0) {
        g->layer = GDALDatasetGetLayer(g->ds, 0);
    }
    if (!g->layer) {
        rc = stad_fail(ctx, STAD_EEMPTY, "%s: no sheet or layer with data", path);
        goto fail;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(g->layer);
    r->ncols = (size_t)OGR_FD_GetFieldCount(defn);
    if (r->ncols == 0 && OGR_FD_GetGeomFieldCount(defn) == 0) {
        rc = stad_fail(ctx, STAD_EEMPTY, "%s: the first sheet or layer has no columns", path);
        goto fail;
    }
    r->spreadsheet = spreadsheet;
    g->line_offset = spreadsheet ? 1 : 0; /* row 1 holds the header */
    r->headers = calloc(r->ncols + 1, sizeof *r->headers);
    g->off = calloc(r->ncols + 1, sizeof *g->off);
    g->fields = calloc(r->ncols + 1, sizeof *g->fields);
    if (!r->headers || !g->off || !g->fields) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    for (size_t i = 0; i < r->ncols; i++) {
        stad_strbuf h = STAD_STRBUF_INIT;
        put_value(r, g, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, (int)i)));
        stad_strbuf_append(&h, g->text.s);
        stad_strbuf_clear(&g->text);
        r->headers[i] = stad_strbuf_take(&h);
        if (!r->headers[i]) {
            rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
    }
    if (OGR_FD_GetGeomFieldCount(defn) > 0)
        r->geom_crs = layer_crs(g->layer);
    GIntBig count = OGR_L_GetFeatureCount(g->layer, 0);
    r->bytes_total = count > 0 ? (uint64_t)count : 0;
    stad_strbuf_free(&vpath);
    *out = r;
    return 0;
fail:
    stad_strbuf_free(&vpath);
    ingest_reader_close(r);
    return rc;
}
