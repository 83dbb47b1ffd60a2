/* GET /api/health, /api/meta and /api/status: what the dashboard needs before it
 * asks for data, and what it shows in its status panel. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "stad.h"

int srv_h_health(srv_req *rq, json_t **out)
{
    *out = json_pack("{s:s, s:s, s:I}", "status", "ok", "version", STAD_VERSION,
                     "data_version", (json_int_t)rq->version);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

/* "Woninginbraak | Residential burglary" -> the two labels, trimmed. */
static void kind_labels(const stad_conf *tax, const char *slug, json_t *obj)
{
    const char *v = tax ? stad_conf_get(tax, "kinds", slug) : NULL;
    char nl[128] = "", en[128] = "";
    if (v) {
        const char *bar = strchr(v, '|');
        size_t n = bar ? (size_t)(bar - v) : strlen(v);
        while (n && v[n - 1] == ' ')
            n--;
        if (n >= sizeof nl)
            n = sizeof nl - 1;
        memcpy(nl, v, n);
        nl[n] = '\0';
        if (bar) {
            const char *e = bar + 1;
            while (*e == ' ')
                e++;
            size_t m = strlen(e);
            while (m && e[m - 1] == ' ')
                m--;
            if (m >= sizeof en)
                m = sizeof en - 1;
            memcpy(en, e, m);
            en[m] = '\0';
        }
    }
    json_object_set_new(obj, "label_nl", srv_json_str(nl[0] ? nl : slug));
    json_object_set_new(obj, "label_en", srv_json_str(en[0] ? en : nl[0] ? nl : slug));
}

typedef struct levels {
    int wijk, buurt;
} levels;

static int see_level(void *user, const stad_area_row *a)
{
    levels *l = user;
    if (strcmp(a->level, "wijk") == 0)
        l->wijk = 1;
    else if (strcmp(a->level, "buurt") == 0)
        l->buurt = 1;
    return 0;
}

typedef struct meta_kinds {
    srv_req *rq;
    json_t *kinds;
    int64_t tmin, tmax;
    int any;
} meta_kinds;

static int add_kind(void *user, const stad_kind_row *r)
{
    meta_kinds *mk = user;
    json_t *k = json_object();
    json_object_set_new(k, "kind", srv_json_str(r->kind));
    kind_labels(mk->rq->srv->taxonomy, r->kind, k);
    json_object_set_new(k, "count", json_integer(r->count));
    json_array_append_new(mk->kinds, k);
    if (!mk->any || r->t_min < mk->tmin)
        mk->tmin = r->t_min;
    if (!mk->any || r->t_max > mk->tmax)
        mk->tmax = r->t_max;
    mk->any = 1;
    return 0;
}

int srv_h_meta(srv_req *rq, json_t **out)
{
    json_t *j = json_object();
    char *city = NULL, *crs = NULL;
    stad_store_meta_get(rq->store, "city.name", &city);
    stad_city_crs(rq->ctx, rq->store, &crs);
    stad_clear_error(rq->ctx);
    json_object_set_new(j, "city", srv_json_str(city));
    json_object_set_new(j, "crs", srv_json_str(crs ? crs : STAD_CRS_DEFAULT));
    free(city);
    free(crs);
    json_object_set_new(j, "data_version", json_integer(rq->version));
    *out = j;

    /* Kinds and the period in one pass over the caller's events (kind is indexed). */
    meta_kinds mk = {rq, json_array(), 0, 0, 0};
    stad_event_filter f = {0};
    srv_scope_filter(rq, &f);
    int rc = stad_store_kinds_each(rq->store, &f, add_kind, &mk);
    json_object_set_new(j, "kinds", mk.kinds);
    if (rc)
        return srv_fail_internal(rq, "reading kinds");
    rq->rows = (int64_t)json_array_size(mk.kinds);
    json_object_set_new(j, "period",
                        mk.any ? json_pack("{s:o, s:o}", "min", srv_json_date(mk.tmin), "max",
                                           srv_json_date(mk.tmax))
                               : json_pack("{s:n, s:n}", "min", "max"));

    levels l = {0};
    if (stad_store_areas_each(rq->store, NULL, see_level, &l))
        return srv_fail_internal(rq, "reading areas");
    json_t *lv = json_array();
    if (l.wijk)
        json_array_append_new(lv, json_string("wijk"));
    if (l.buurt)
        json_array_append_new(lv, json_string("buurt"));
    json_object_set_new(j, "levels", lv);
    return 0;
}

typedef struct batches {
    json_t *ring[20];
    size_t n, next;
    const stad_scope *scope;
} batches;

static int add_batch(void *user, const stad_batch_row *b)
{
    batches *bs = user;
    /* Only batches of sources the caller may read. */
    if (!stad_privacy_scope_has(bs->scope, b->source_id) && !(bs->scope && bs->scope->all))
        return 0;
    json_t *j = json_pack("{s:I, s:o, s:o, s:I, s:I, s:s, s:o}", "id", (json_int_t)b->id,
                          "source", srv_json_str(b->source_name), "file",
                          srv_json_str(b->file_name), "accepted", (json_int_t)b->rows_accepted,
                          "rejected", (json_int_t)b->rows_rejected, "status",
                          b->status ? b->status : "", "started", srv_json_utc(b->started));
    /* batches_each goes by id; keep the last 20 */
    json_decref(bs->ring[bs->next]);
    bs->ring[bs->next] = j;
    bs->next = (bs->next + 1) % 20;
    if (bs->n < 20)
        bs->n++;
    return 0;
}

int srv_h_status(srv_req *rq, json_t **out)
{
    batches bs = {0};
    bs.scope = rq->scope;
    int rc = stad_store_batches_each(rq->store, add_batch, &bs);
    json_t *arr = json_array();
    /* newest first */
    for (size_t k = 0; k < bs.n; k++) {
        size_t i = (bs.next + 20 - 1 - k) % 20;
        if (bs.ring[i])
            json_array_append(arr, bs.ring[i]);
    }
    for (size_t i = 0; i < 20; i++)
        json_decref(bs.ring[i]);
    if (rc) {
        json_decref(arr);
        return srv_fail_internal(rq, "listing batches");
    }
    rq->rows = (int64_t)json_array_size(arr);
    /* The watcher's reports name files of any source: for the register's keepers. */
    *out = json_pack("{s:I, s:o, s:o}", "data_version", (json_int_t)rq->version, "watch",
                     stad_privacy_may(&rq->who, STAD_MAY_READ_REGISTER) ? srv_watch_json(rq->srv)
                                                                        : json_null(),
                     "batches", arr);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}
