/* The route table and the path every JSON route takes: strict parameters, a
 * borrowed store connection in one read transaction, ETag and 304 by data version,
 * the response cache, gzip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

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
static const char *const p_forecast[] = {"kind", "at", "method", "cell", "horizon", "top",
                                         NULL};
static const char *const p_backtest[] = {"kind", "from", "to", "methods", "cell", "horizon",
                                         NULL};
static const char *const p_audit[] = {"since", "actor", "action", "limit", NULL};
static const char *const p_social[] = {"base", "outcome", "where", "by", "from", "to", NULL};
static const char *const p_social_holder[] = {"source", "outcome", "where", "by", "from",
                                              "to", NULL};
static const char *const p_bikes_plan[] = {"date", "enforcers", "hours", "route", "theme", NULL};
static const char *const p_bikes_followup[] = {"date", "horizon", "theme", NULL};
static const char *const p_bikes_sheet[] = {"date", "enforcers", "hours", "format", "theme", NULL};

/* Every route names the action its caller must be allowed (privacy.h); only
 * SRV_PUBLIC routes answer without a session. tests/unit/test_server.c checks every
 * route against every role. */
static const srv_route routes[] = {
    {"/api/health", srv_h_health, SRV_DATA | SRV_NOCACHE | SRV_PUBLIC, p_none,
     STAD_MAY_READ_AREAS},
    {"/api/login", srv_h_login, SRV_POST | SRV_PUBLIC, p_none, STAD_MAY_READ_AREAS},
    {"/api/logout", srv_h_logout, SRV_POST, p_none, STAD_MAY_READ_AREAS},
    {"/api/session", srv_h_session, SRV_NOCACHE, p_none, STAD_MAY_READ_AREAS},
    {"/api/meta", srv_h_meta, SRV_DATA, p_none, STAD_MAY_READ_DATA},
    {"/api/areas", srv_h_areas, SRV_DATA | SRV_GEOJSON, p_areas, STAD_MAY_READ_AREAS},
    {"/api/events", srv_h_events, SRV_DATA | SRV_GEOJSON, p_events, STAD_MAY_READ_DATA},
    {"/api/stats", srv_h_stats, SRV_DATA, p_stats, STAD_MAY_READ_DATA},
    {"/api/trend", srv_h_trend, SRV_DATA, p_trend, STAD_MAY_READ_DATA},
    {"/api/change", srv_h_change, SRV_DATA, p_change, STAD_MAY_READ_DATA},
    {"/api/hotspots", srv_h_hotspots, SRV_DATA, p_hotspots, STAD_MAY_READ_DATA},
    {"/api/kde", srv_h_kde, SRV_DATA | SRV_GEOJSON, p_kde, STAD_MAY_READ_DATA},
    {"/api/flexteam", srv_h_flexteam, SRV_DATA, p_flexteam, STAD_MAY_READ_DATA},
    {"/api/forecast", srv_h_forecast, SRV_DATA | SRV_GEOJSON, p_forecast, STAD_MAY_READ_DATA},
    {"/api/backtest", srv_h_backtest, SRV_DATA, p_backtest, STAD_MAY_READ_DATA},
    {"/api/status", srv_h_status, SRV_DATA | SRV_NOCACHE, p_none, STAD_MAY_READ_DATA},
    {"/api/register", srv_h_register, SRV_NOCACHE, p_none, STAD_MAY_READ_REGISTER},
    {"/api/register/set", srv_h_register_set, SRV_POST, p_none, STAD_MAY_WRITE_REGISTER},
    {"/api/register/approve", srv_h_register_approve, SRV_POST, p_none,
     STAD_MAY_WRITE_REGISTER},
    {"/api/audit", srv_h_audit, SRV_NOCACHE, p_audit, STAD_MAY_READ_AUDIT},
    {"/api/users", srv_h_users, SRV_NOCACHE, p_none, STAD_MAY_MANAGE_USERS},
    /* the social store is not under the data version: computed each time */
    {"/api/social/meta", srv_h_social_meta, SRV_NOCACHE, p_none, STAD_MAY_READ_SOCIAL},
    {"/api/social/analyse", srv_h_social_analyse, SRV_NOCACHE, p_social, STAD_MAY_READ_SOCIAL},
    {"/api/social/holder/meta", srv_h_social_holder_meta, SRV_NOCACHE, p_none,
     STAD_MAY_READ_SOCIAL_OWN},
    {"/api/social/holder", srv_h_social_holder, SRV_NOCACHE, p_social_holder,
     STAD_MAY_READ_SOCIAL_OWN},
    /* the plan is cached by the handler itself: an enforcer gets one route of it */
    {"/api/bikes/plan", srv_h_bikes_plan, SRV_DATA | SRV_GEOJSON | SRV_NOCACHE, p_bikes_plan,
     STAD_MAY_WORK_CAMPAIGN},
    {"/api/bikes/followup", srv_h_bikes_followup, SRV_DATA | SRV_NOCACHE, p_bikes_followup,
     STAD_MAY_PLAN_CAMPAIGN},
    {"/api/bikes/record", srv_h_bikes_record, SRV_POST, p_none, STAD_MAY_WORK_CAMPAIGN},
    /* route sheets (PDF, HTML, GPX, GeoJSON) of whole plans, cached by the handler */
    {"/api/bikes/sheet", srv_h_bikes_sheet, SRV_DATA | SRV_NOCACHE | SRV_FILE, p_bikes_sheet,
     STAD_MAY_PLAN_CAMPAIGN},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

const srv_route *srv_routes(size_t *n)
{
    *n = N_ROUTES;
    return routes;
}

int srv_route_is_post(const char *url)
{
    for (size_t i = 0; i < N_ROUTES; i++)
        if ((routes[i].flags & SRV_POST) && strcmp(url, routes[i].path) == 0)
            return 1;
    return 0;
}

/* What the audit log calls a successful request of this route. */
static const char *audit_action(const srv_route *r)
{
    if (r->flags & SRV_PUBLIC)
        return NULL; /* health; login audits itself */
    if (r->fn == srv_h_session || r->fn == srv_h_logout)
        return NULL;
    switch (r->action) {
    case STAD_MAY_READ_DATA:
        return "read";
    case STAD_MAY_READ_AREAS:
        return "read.areas";
    case STAD_MAY_READ_REGISTER:
        return "register.read";
    case STAD_MAY_READ_AUDIT:
        return "audit.read";
    case STAD_MAY_MANAGE_USERS:
        return "users.read";
    case STAD_MAY_WRITE_REGISTER:
        return NULL; /* the register audits its changes itself */
    case STAD_MAY_READ_SOCIAL:
    case STAD_MAY_READ_SOCIAL_OWN:
        return "social.read";
    case STAD_MAY_PLAN_CAMPAIGN:
        return "campaign.read";
    case STAD_MAY_WORK_CAMPAIGN:
        return r->fn == srv_h_bikes_record ? "campaign.record" : "campaign.read";
    }
    return NULL;
}

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

    if (rq->is_post != ((r->flags & SRV_POST) != 0)) {
        srv_fail(rq, 405, NULL, "%s takes %s", r->path, (r->flags & SRV_POST) ? "POST" : "GET");
        return srv_respond_error(rq);
    }

    srv_conn *c = srv_pool_acquire(&srv->pool);
    if (!c) {
        srv_fail(rq, 503, NULL, "the store cannot be opened");
        return srv_respond_error(rq);
    }
    rq->ctx = c->ctx;
    rq->store = c->store;
    rq->rows = -1;
    /* One read transaction: the version and the data it tags are the same snapshot. */
    srv_conn_begin(c);
    enum MHD_Result ret;
    char *key = NULL, *body = NULL, *gz = NULL;
    size_t len = 0, gz_len = 0;
    char etag[64] = "";
    int want_gzip = srv_accepts_gzip(rq);
    int cacheable = !(r->flags & (SRV_NOCACHE | SRV_POST));
    const char *action = audit_action(r);

    /* First read of the transaction: the session check below and the data are of
     * the snapshot these versions name. */
    if (srv_read_versions(rq) || srv_authorize(rq, r))
        goto fail;
    if (cacheable) {
        char *q = srv_params_normalised(rq);
        /* The scope is part of the key: callers who may read different sources get
         * different answers (and ETags). */
        const char *scope = rq->scope ? rq->scope->key : "-";
        size_t n = strlen(r->path) + (q ? strlen(q) : 0) + strlen(scope) + 3;
        key = malloc(n);
        if (!q || !key) {
            free(q);
            srv_fail(rq, 500, NULL, "out of memory");
            goto fail;
        }
        snprintf(key, n, "%s?%s#%s", r->path, q, scope);
        free(q);
        snprintf(etag, sizeof etag, "\"%lld-%08x\"", (long long)rq->version,
                 srv_fnv1a(key, SRV_FNV_INIT));
        if (srv_etag_matches(rq, etag)) {
            srv_pool_release(&srv->pool, c);
            free(key);
            if (action)
                srv_audit_request(rq, action, "not modified");
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
            if (action)
                srv_audit_request(rq, action, "ok (cached)");
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
    if (r->flags & SRV_FILE) {
        /* a download (a route sheet): the handler's bytes as they are */
        if (action)
            srv_audit_request(rq, action, "ok");
        ret = srv_respond(rq, 200, rq->file_type, rq->file, rq->file_len, 0, NULL, 1);
        goto done;
    }
    body = srv_json_dump(j, &len);
    if (!body) {
        srv_fail(rq, 500, NULL, "out of memory");
        goto fail;
    }
    if (want_gzip && len > SRV_GZIP_MIN && srv_gzip(body, len, &gz, &gz_len) != 0)
        gz = NULL;
    if (cacheable)
        srv_cache_put(srv->cache, key, rq->version, body, len, gz, gz_len);
    if (action)
        srv_audit_request(rq, action, "ok");
    ret = gz ? answer(rq, r, gz, gz_len, 1, cacheable ? etag : NULL)
             : answer(rq, r, body, len, 0, cacheable ? etag : NULL);
    goto done;

fail:
    if (action && rq->scope)
        srv_audit_request(rq, action, "failed");
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
        /* The stream tells only the data version, but still only to a session. */
        static const srv_route changes = {"/api/changes", NULL, 0, none, STAD_MAY_READ_AREAS};
        srv_conn *c = srv_pool_acquire(&rq->srv->pool);
        if (!c) {
            srv_fail(rq, 503, NULL, "the store cannot be opened");
            return srv_respond_error(rq);
        }
        rq->ctx = c->ctx;
        rq->store = c->store;
        int denied = rq->is_post ? srv_fail(rq, 405, NULL, "/api/changes takes GET")
                                 : (srv_read_versions(rq) || srv_authorize(rq, &changes));
        srv_pool_release(&rq->srv->pool, c);
        rq->ctx = NULL;
        rq->store = NULL;
        if (denied)
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
