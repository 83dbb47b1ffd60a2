/* Strict query parsing: every parameter is checked against the route's list, dates
 * through stad_time_parse, periods at most 20 years, numbers within ranges, bbox
 * sane and inside the city. A bad value is a 400 that names the parameter. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "stad/strbuf.h"
#include "stad/timeparse.h"

static enum MHD_Result collect_one(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    srv_req *rq = cls;
    /* "%00" decodes to a NUL: as a C string the value would silently be cut there
     * ("theft%00.bike" read as "theft"), so such a query is refused as a whole. */
    if ((key && strlen(key) != key_size) || (value && strlen(value) != value_size))
        rq->nul_in_params = 1;
    if (rq->n_params >= SRV_MAX_PARAMS) {
        rq->too_many_params = 1;
        return MHD_NO;
    }
    rq->params[rq->n_params].key = key ? key : "";
    rq->params[rq->n_params].value = value ? value : "";
    rq->n_params++;
    return MHD_YES;
}

void srv_params_collect(srv_req *rq)
{
    rq->n_params = 0;
    MHD_get_connection_values_n(rq->conn, MHD_GET_ARGUMENT_KIND, collect_one, rq);
}

/* Parameter names are echoed in errors: keep only printable ASCII, shortened. */
static const char *safe_name(const char *key, char *buf, size_t size)
{
    size_t j = 0;
    for (size_t i = 0; key[i] && j + 1 < size && i < 40; i++) {
        unsigned char c = (unsigned char)key[i];
        buf[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    buf[j] = '\0';
    return buf;
}

int srv_params_check(srv_req *rq, const char *const *allowed)
{
    if (rq->too_many_params)
        return srv_fail(rq, 400, NULL, "too many query parameters (at most %d)",
                        SRV_MAX_PARAMS);
    if (rq->nul_in_params)
        return srv_fail(rq, 400, NULL, "a query parameter contains a NUL byte (%%00)");
    for (size_t i = 0; i < rq->n_params; i++) {
        const char *key = rq->params[i].key;
        int ok = 0;
        for (size_t k = 0; allowed && allowed[k]; k++)
            if (strcmp(allowed[k], key) == 0)
                ok = 1;
        if (!ok) {
            char name[48];
            safe_name(key, name, sizeof name);
            return srv_fail(rq, 400, name, "unknown parameter '%s'", name);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(rq->params[j].key, key) == 0)
                return srv_fail(rq, 400, key, "parameter '%s' given more than once", key);
    }
    return 0;
}

const char *srv_param(const srv_req *rq, const char *key)
{
    for (size_t i = 0; i < rq->n_params; i++)
        if (strcmp(rq->params[i].key, key) == 0)
            return rq->params[i].value;
    return NULL;
}

static int cmp_param(const void *a, const void *b)
{
    const srv_kv *x = a, *y = b;
    return strcmp(x->key, y->key);
}

char *srv_params_normalised(const srv_req *rq)
{
    srv_kv sorted[SRV_MAX_PARAMS];
    size_t n = rq->n_params;
    memcpy(sorted, rq->params, n * sizeof sorted[0]);
    qsort(sorted, n, sizeof sorted[0], cmp_param);
    stad_strbuf b = STAD_STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        /* Lengths first: "a=b&c" and "a=b%26c" must not make the same key. */
        stad_strbuf_printf(&b, "%s%zu:%s=%zu:%s", i ? "&" : "", strlen(sorted[i].key),
                           sorted[i].key, strlen(sorted[i].value), sorted[i].value);
    }
    if (b.oom) {
        stad_strbuf_free(&b);
        return NULL;
    }
    char *s = stad_strbuf_take(&b);
    return s ? s : strdup("");
}

int srv_param_int(srv_req *rq, const char *key, long min, long max, long def, long *out)
{
    const char *v = srv_param(rq, key);
    *out = def;
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < min || n > max)
        return srv_fail(rq, 400, key, "%s must be a whole number from %ld to %ld", key,
                        min, max);
    *out = n;
    return 0;
}

int srv_param_double(srv_req *rq, const char *key, double min, double max, double def,
                     double *out)
{
    const char *v = srv_param(rq, key);
    *out = def;
    if (!v)
        return 0;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (!*v || *end || errno || !isfinite(d) || d < min || d > max)
        return srv_fail(rq, 400, key, "%s must be a number from %g to %g", key, min, max);
    *out = d;
    return 0;
}

int srv_param_enum(srv_req *rq, const char *key, const char *const *values, int def,
                   int *out)
{
    const char *v = srv_param(rq, key);
    *out = def;
    if (!v)
        return 0;
    for (int i = 0; values[i]; i++)
        if (strcmp(values[i], v) == 0) {
            *out = i;
            return 0;
        }
    stad_strbuf b = STAD_STRBUF_INIT;
    for (int i = 0; values[i]; i++)
        stad_strbuf_printf(&b, "%s%s", i ? ", " : "", values[i]);
    srv_fail(rq, 400, key, "%s must be one of: %s", key, stad_strbuf_str(&b));
    stad_strbuf_free(&b);
    return -1;
}

/* "YYYY-MM-DD", optionally with "THH:MM[:SS]": the API's date form only, so that a
 * bare number is not read as an Excel serial date. */
static int parse_date(srv_req *rq, const char *key, const char *v, int64_t *t,
                      int *precision)
{
    int shape = strlen(v) >= 10 && strlen(v) <= 19;
    for (int i = 0; shape && i < 10; i++)
        shape = (i == 4 || i == 7) ? v[i] == '-' : (v[i] >= '0' && v[i] <= '9');
    const char *why = NULL;
    if (!shape)
        return srv_fail(rq, 400, key, "%s must be a date YYYY-MM-DD", key);
    if (stad_time_parse(v, t, precision, &why) != 0)
        return srv_fail(rq, 400, key, "%s is not a valid date%s%s", key, why ? ": " : "",
                        why ? why : "");
    int y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
    if (y < 1900 || y > 2200)
        return srv_fail(rq, 400, key, "%s: year %d is out of range", key, y);
    return 0;
}

static int kind_ok(const char *s)
{
    if (!*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '.' || *s == '-'))
            return 0;
    return 1;
}

static int parse_kinds(srv_req *rq, const char *v, stad_event_filter *f,
                       srv_filter_buf *fb)
{
    size_t n = strlen(v);
    if (n == 0 || n >= sizeof fb->kinds_text)
        return srv_fail(rq, 400, "kind", "kind must be a comma-separated list of kinds");
    memcpy(fb->kinds_text, v, n + 1);
    size_t k = 0;
    char *p = fb->kinds_text;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!kind_ok(p))
            return srv_fail(rq, 400, "kind", "kind: '%.64s' is not a kind slug", p);
        if (k >= sizeof fb->kinds / sizeof fb->kinds[0])
            return srv_fail(rq, 400, "kind", "kind: at most %zu kinds",
                            sizeof fb->kinds / sizeof fb->kinds[0]);
        fb->kinds[k++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    f->kinds = fb->kinds;
    f->n_kinds = k;
    return 0;
}

static int parse_bbox(srv_req *rq, const char *v, double bb[4])
{
    const char *p = v;
    for (int i = 0; i < 4; i++) {
        char *end;
        errno = 0;
        bb[i] = strtod(p, &end);
        if (end == p || errno || !isfinite(bb[i]) || (i < 3 ? *end != ',' : *end != '\0'))
            return srv_fail(rq, 400, "bbox", "bbox must be minlon,minlat,maxlon,maxlat");
        p = end + 1;
    }
    if (bb[0] < -180 || bb[2] > 180 || bb[1] < -90 || bb[3] > 90 || bb[0] >= bb[2] ||
        bb[1] >= bb[3])
        return srv_fail(rq, 400, "bbox",
                        "bbox must be minlon,minlat,maxlon,maxlat in degrees with min < max");
    double ext[4];
    int has = 0;
    if (srv_city_extent(rq, ext, &has))
        return -1;
    if (has && (bb[2] < ext[0] || bb[0] > ext[2] || bb[3] < ext[1] || bb[1] > ext[3]))
        return srv_fail(rq, 400, "bbox", "bbox lies outside the city (%.4f,%.4f,%.4f,%.4f)",
                        ext[0], ext[1], ext[2], ext[3]);
    return 0;
}

int srv_params_filter(srv_req *rq, stad_event_filter *f, srv_filter_buf *fb)
{
    memset(f, 0, sizeof *f);
    const char *v;
    if ((v = srv_param(rq, "kind")) && parse_kinds(rq, v, f, fb))
        return -1;

    const char *from = srv_param(rq, "from"), *to = srv_param(rq, "to");
    int64_t t0 = 0, t1 = 0;
    int prec = 0;
    if (from && parse_date(rq, "from", from, &t0, &prec))
        return -1;
    if (to) {
        if (parse_date(rq, "to", to, &t1, &prec))
            return -1;
        t1 += prec == STAD_TIME_DAY ? 86400 : 1; /* `to` is inclusive */
    }
    if (from || to) {
        f->has_period = 1;
        /* One open end: bounded far enough out to match everything stored. */
        f->t_min = from ? t0 : stad_days_from_civil(1900, 1, 1) * 86400;
        f->t_max = to ? t1 : stad_days_from_civil(2201, 1, 1) * 86400;
        if (from && to && t1 <= t0)
            return srv_fail(rq, 400, "to", "to lies before from");
        if (from && to && t1 - t0 > (int64_t)SRV_MAX_SPAN_DAYS * 86400)
            return srv_fail(rq, 400, "to", "the period from..to is longer than 20 years");
    }

    if ((v = srv_param(rq, "area"))) {
        size_t n = strlen(v);
        int ok = n > 0 && n < sizeof fb->area;
        for (size_t i = 0; ok && i < n; i++)
            ok = (v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' && v[i] <= 'z') ||
                 (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-' || v[i] == '.';
        if (!ok)
            return srv_fail(rq, 400, "area", "area must be a wijk or buurt code");
        int64_t id;
        int rc = stad_store_area_find(rq->store, v, &id);
        if (rc == STAD_ENOTFOUND)
            return srv_fail(rq, 400, "area", "no area has code '%s'", v);
        if (rc)
            return srv_fail_internal(rq, "looking up an area");
        memcpy(fb->area, v, n + 1);
        f->area_code = fb->area;
    }

    if ((v = srv_param(rq, "bbox"))) {
        if (parse_bbox(rq, v, f->bbox))
            return -1;
        f->has_bbox = 1;
    }
    /* Every filter a route builds reads only the caller's sources. */
    srv_scope_filter(rq, f);
    return 0;
}
