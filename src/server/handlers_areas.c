/* GET /api/areas: the area polygons as GeoJSON (the stored WGS84 geometry), and the
 * area id -> code lookup the other handlers use to name areas. */
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

static int collect_code(void *user, const stad_area_row *a)
{
    srv_area_codes *ac = user;
    if (ac->n % 64 == 0) {
        int64_t *ids = realloc(ac->ids, (ac->n + 64) * sizeof *ids);
        if (!ids)
            return STAD_ENOMEM;
        ac->ids = ids;
        char **codes = realloc(ac->codes, (ac->n + 64) * sizeof *codes);
        if (!codes)
            return STAD_ENOMEM;
        ac->codes = codes;
    }
    ac->codes[ac->n] = strdup(a->code ? a->code : "");
    if (!ac->codes[ac->n])
        return STAD_ENOMEM;
    ac->ids[ac->n++] = a->id;
    return 0;
}

int srv_area_codes_load(srv_req *rq, srv_area_codes *ac)
{
    memset(ac, 0, sizeof *ac);
    int rc = stad_store_areas_each(rq->store, NULL, collect_code, ac);
    if (rc == STAD_ENOMEM)
        return srv_fail(rq, 500, NULL, "out of memory");
    if (rc)
        return srv_fail_internal(rq, "reading areas");
    return 0;
}

const char *srv_area_code(const srv_area_codes *ac, int64_t id)
{
    if (id <= 0)
        return NULL;
    /* ids come in ascending order from the store: binary search */
    size_t lo = 0, hi = ac->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ac->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ac->n && ac->ids[lo] == id)
        return ac->codes[lo];
    for (size_t i = 0; i < ac->n; i++) /* in case the order was not by id */
        if (ac->ids[i] == id)
            return ac->codes[i];
    return NULL;
}

void srv_area_codes_free(srv_area_codes *ac)
{
    for (size_t i = 0; i < ac->n; i++)
        free(ac->codes[i]);
    free(ac->codes);
    free(ac->ids);
    memset(ac, 0, sizeof *ac);
}

typedef struct areas_out {
    json_t *features;
    srv_area_codes codes; /* for the parents' codes */
    int bad;
} areas_out;

static int add_area(void *user, const stad_area_row *a)
{
    areas_out *o = user;
    json_t *geom = NULL;
    if (a->geojson && *a->geojson)
        geom = json_loads(a->geojson, JSON_DECODE_ANY, NULL);
    if (a->geojson && *a->geojson && !geom)
        o->bad++; /* stored text that is not JSON: the feature goes out without shape */
    const char *parent = srv_area_code(&o->codes, a->parent_id);
    json_t *props = json_pack("{s:I, s:o, s:o, s:o, s:o}", "id", (json_int_t)a->id, "code",
                              srv_json_str(a->code), "name", srv_json_str(a->name), "level",
                              srv_json_str(a->level), "parent", srv_json_str(parent));
    json_t *f = srv_geojson_feature(geom, props);
    if (!f)
        return STAD_ENOMEM;
    json_array_append_new(o->features, f);
    return 0;
}

int srv_h_areas(srv_req *rq, json_t **out)
{
    static const char *const lv[] = {"wijk", "buurt", NULL};
    int level;
    if (srv_param_enum(rq, "level", lv, 0, &level))
        return -1;
    areas_out o = {0};
    if (srv_area_codes_load(rq, &o.codes))
        return -1;
    o.features = json_array();
    int rc = stad_store_areas_each(rq->store, lv[level], add_area, &o);
    srv_area_codes_free(&o.codes);
    if (rc) {
        json_decref(o.features);
        return rc == STAD_ENOMEM ? srv_fail(rq, 500, NULL, "out of memory")
                                 : srv_fail_internal(rq, "reading areas");
    }
    if (o.bad)
        srv_log(rq->srv, STAD_LOG_WARN, "areas: %d stored geometries are not JSON", o.bad);
    *out = srv_geojson_collection(o.features);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}
