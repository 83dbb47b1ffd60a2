/* GET /api/events: one page of the events matching the filters, as GeoJSON points,
 * with the total for paging. */
#include "server/server_internal.h"

typedef struct events_out {
    json_t *features;
    srv_area_codes codes;
} events_out;

static int add_event(void *user, const stad_event_row *e)
{
    events_out *o = user;
    json_t *props = json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:i}", "id", (json_int_t)e->id, "kind",
        srv_json_str(e->kind), "t_from", srv_json_time(e->t_from), "t_to",
        srv_json_time(e->t_to), "wijk", srv_json_str(srv_area_code(&o->codes, e->wijk_id)),
        "buurt", srv_json_str(srv_area_code(&o->codes, e->buurt_id)), "street",
        srv_json_str(e->street), "count", (int)e->count);
    json_t *f = srv_geojson_feature(e->has_xy ? srv_geojson_point(e->lon, e->lat) : NULL, props);
    if (!f)
        return STAD_ENOMEM;
    return json_array_append_new(o->features, f) ? STAD_ENOMEM : 0;
}

int srv_h_events(srv_req *rq, json_t **out)
{
    stad_event_filter f;
    srv_filter_buf fb;
    long page, page_size;
    if (srv_params_filter(rq, &f, &fb) ||
        srv_param_int(rq, "page", 1, 1000000, 1, &page) ||
        srv_param_int(rq, "page_size", 1, 10000, 1000, &page_size))
        return -1;
    int64_t total = 0;
    if (stad_store_events_count(rq->store, &f, &total))
        return srv_fail_internal(rq, "counting events");
    f.limit = page_size;
    f.offset = (int64_t)(page - 1) * page_size;

    events_out o = {0};
    if (srv_area_codes_load(rq, &o.codes))
        return -1;
    o.features = json_array();
    int rc = f.offset < total ? stad_store_events_each(rq->store, &f, add_event, &o) : 0;
    srv_area_codes_free(&o.codes);
    if (rc) {
        json_decref(o.features);
        return rc == STAD_ENOMEM ? srv_fail(rq, 500, NULL, "out of memory")
                                 : srv_fail_internal(rq, "reading events");
    }
    rq->rows = (int64_t)json_array_size(o.features);
    json_t *j = srv_geojson_collection(o.features);
    if (!j)
        return srv_fail(rq, 500, NULL, "out of memory");
    json_object_set_new(j, "total", json_integer(total));
    json_object_set_new(j, "page", json_integer(page));
    json_object_set_new(j, "page_size", json_integer(page_size));
    *out = j;
    return 0;
}
