/* JSON helpers (jansson): serialising, error bodies, times, GeoJSON pieces. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server_internal.h"
#include "stad/timeparse.h"

char *srv_json_dump(json_t *j, size_t *len)
{
    *len = 0;
    if (!j)
        return NULL;
    /* 8 significant digits: 1e-5 degree of latitude is about a metre; longer
     * numbers would only make the maps' GeoJSON bigger. */
    char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(8));
    json_decref(j);
    if (s)
        *len = strlen(s);
    return s;
}

char *srv_json_error(const char *msg, const char *param, size_t *len)
{
    json_t *j = json_pack("{s:s, s:o}", "error", msg ? msg : "error", "parameter",
                          param ? json_string(param) : json_null());
    return srv_json_dump(j, len);
}

json_t *srv_json_time(int64_t t)
{
    char buf[32];
    stad_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

json_t *srv_json_date(int64_t t)
{
    char buf[32];
    stad_date_format(t, buf, sizeof buf);
    return json_string(buf);
}

json_t *srv_json_utc(int64_t t)
{
    char buf[32];
    struct tm tm;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &tm))
        return json_null();
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

json_t *srv_json_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *srv_json_str(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

json_t *srv_geojson_collection(json_t *features)
{
    return json_pack("{s:s, s:o}", "type", "FeatureCollection", "features",
                     features ? features : json_array());
}

json_t *srv_geojson_feature(json_t *geometry, json_t *properties)
{
    return json_pack("{s:s, s:o, s:o}", "type", "Feature", "geometry",
                     geometry ? geometry : json_null(), "properties",
                     properties ? properties : json_object());
}

json_t *srv_geojson_point(double lon, double lat)
{
    return json_pack("{s:s, s:[f,f]}", "type", "Point", "coordinates", lon, lat);
}

uint32_t srv_fnv1a(const char *s, uint32_t h)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}
