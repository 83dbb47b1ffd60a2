/* The route table and the path every JSON route takes: strict parameters, a
 * borrowed store connection in one read transaction, ETag and 304 by data version,
 * the response cache, gzip. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

typedef struct srv_route {
    const char *path;
    srv_handler fn;
    int flags;
    const char *const *params; /* allowed query parameters, NULL-terminated */
} srv_route;

static const char *const p_none[] = {NULL};
static const char *const p_areas[] = {"level", NULL};
static const char *const p_events[] = {SRV_FILTER_PARAMS, "page", "page_size", NULL};
static const char *const p_stats[] = {SRV_FILTER_PARAMS, "level", "period", NULL};
static const char *const p_trend[] = {SRV_FILTER_PARAMS, NULL};
static const char *const p_change[] = {SRV_FILTER_PARAMS, "level", NULL};
static const char *const p_hotspots[] = {SRV_FILTER_PARAMS, "cell", "bandwidth", "kernel",
                                         "fdr", NULL};
static const char *const p_kde[] = {SRV_FILTER_PARAMS, "cell", "bandwidth", "kernel", NULL};
static const char *const p_flexteam[] = {SRV_FILTER_PARAMS, "shifts", NULL};

static const srv_route routes[] = {
    {"/api/health", srv_h_health, SRV_DATA | SRV_NOCACHE, p_none},
    {"/api/meta", srv_h_meta, SRV_DATA, p_none},
    {"/api/areas", srv_h_areas, SRV_DATA | SRV_GEOJSON, p_areas},
    {"/api/events", srv_h_events, SRV_DATA | SRV_GEOJSON, p_events},
    {"/api/stats", srv_h_stats, SRV_DATA, p_stats},
    {"/api/trend", srv_h_trend, SRV_DATA, p_trend},
    {"/api/change", srv_h_change, SRV_DATA, p_change},
    {"/api/hotspots", srv_h_hotspots, SRV_DATA, p_hotspots},
    {"/api/kde", srv_h_kde, SRV_DATA | SRV_GEOJSON, p_kde},
    {"/api/flexteam", srv_h_flexteam, SRV_DATA, p_flexteam},
    {"/api/status", srv_h_status, SRV_DATA | SRV_NOCACHE, p_none},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static enum MHD_Result answer(srv_req *rq, const srv_route *r, const char *body, size_t len,
                              int gzip, const char *etag)
{
    const char *ctype = (r->flags & SRV_GEOJSON) ? SRV_CT_GEOJSON : SRV_CT_JSON;
    return srv_respond(rq, 200, ctype, body, len, gzip, etag, (r->flags & SRV_NOCACHE) != 0);
}

static enum MHD_Result run_route(srv_req *rq, const srv_route *r)
{
    stad_server *srv = rq->srv;
    if (srv_params_check(rq, r->params))
        return srv_respond_error(rq);

    srv_conn *c = srv_pool_acquire(&srv->pool);
    if (!c) {
        srv_fail(rq, 503, NULL, "the store cannot be opened");
        return srv_respond_error(rq);
    }
    rq->ctx = c->ctx;
    rq->store = c->store;
    /* One read transaction: the version and the data it tags are the same snapshot. */
    sqlite3_exec(stad_store_db(c->store), "BEGIN", NULL, NULL, NULL);
    enum MHD_Result ret;
    char *key = NULL, *body = NULL, *gz = NULL;
    size_t len = 0, gz_len = 0;
    char etag[64] = "";
    int want_gzip = srv_accepts_gzip(rq), cacheable = !(r->flags & SRV_NOCACHE);

    if (stad_store_data_version(c->store, &rq->version)) {
        srv_fail_internal(rq, "reading the data version");
        goto fail;
    }
    if (cacheable) {
        char *q = srv_params_normalised(rq);
        size_t n = strlen(r->path) + (q ? strlen(q) : 0) + 2;
        key = malloc(n);
        if (!q || !key) {
            free(q);
            srv_fail(rq, 500, NULL, "out of memory");
            goto fail;
        }
        snprintf(key, n, "%s?%s", r->path, q);
        free(q);
        snprintf(etag, sizeof etag, "\"%lld-%08x\"", (long long)rq->version,
                 srv_fnv1a(key, SRV_FNV_INIT));
        if (srv_etag_matches(rq, etag)) {
            srv_pool_release(&srv->pool, c);
            free(key);
            return srv_respond_304(rq, etag);
        }
        int is_gz = 0;
        if (srv_cache_get(srv->cache, key, rq->version, want_gzip, &body, &len, &is_gz)) {
            srv_pool_release(&srv->pool, c);
            rq->ctx = NULL;
            rq->store = NULL;
            if (want_gzip && !is_gz && len > SRV_GZIP_MIN && srv_gzip(body, len, &gz, &gz_len) == 0) {
                srv_cache_put(srv->cache, key, rq->version, body, len, gz, gz_len);
                ret = answer(rq, r, gz, gz_len, 1, etag);
            } else {
                ret = answer(rq, r, body, len, is_gz, etag);
            }
            goto done;
        }
    }

    json_t *j = NULL;
    if (r->fn(rq, &j) != 0) {
        json_decref(j);
        goto fail;
    }
    srv_pool_release(&srv->pool, c);
    c = NULL;
    rq->ctx = NULL;
    rq->store = NULL;
    body = srv_json_dump(j, &len);
    if (!body) {
        srv_fail(rq, 500, NULL, "out of memory");
        goto fail;
    }
    if (want_gzip && len > SRV_GZIP_MIN && srv_gzip(body, len, &gz, &gz_len) != 0)
        gz = NULL;
    if (cacheable)
        srv_cache_put(srv->cache, key, rq->version, body, len, gz, gz_len);
    ret = gz ? answer(rq, r, gz, gz_len, 1, cacheable ? etag : NULL)
             : answer(rq, r, body, len, 0, cacheable ? etag : NULL);
    goto done;

fail:
    srv_pool_release(&srv->pool, c);
    rq->ctx = NULL;
    rq->store = NULL;
    ret = srv_respond_error(rq);
done:
    free(key);
    free(body);
    free(gz);
    return ret;
}

enum MHD_Result srv_dispatch(srv_req *rq)
{
    const char *url = rq->url;
    if (strncmp(url, "/api/", 5) != 0 && strcmp(url, "/api") != 0) {
        rq->route = "static";
        return srv_static(rq);
    }
    srv_params_collect(rq);
    if (strcmp(url, "/api/changes") == 0) {
        rq->route = "/api/changes";
        static const char *const none[] = {NULL};
        if (srv_params_check(rq, none))
            return srv_respond_error(rq);
        return srv_sse_start(rq);
    }
    for (size_t i = 0; i < N_ROUTES; i++)
        if (strcmp(url, routes[i].path) == 0) {
            rq->route = routes[i].path;
            return run_route(rq, &routes[i]);
        }
    rq->route = "/api/?";
    srv_fail(rq, 404, NULL, "no such route");
    return srv_respond_error(rq);
}
