/* GET /api/bikes/plan, GET /api/bikes/followup and POST /api/bikes/record: the
 * campaign planner for the coordinator and the enforcers' handheld (docs/api.md,
 * docs/handheld.md). Thin: the bikes module plans and records; this file parses,
 * narrows the answer to what the caller's role may see, and serialises.
 *
 * The plan of a day uses only what was recorded before that day, so a route stays
 * the same while the team works it; results recorded during the day show as "done"
 * on their stop and change the plans of the days after. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "server/server_internal.h"
#include "stad/bikes.h"
#include "stad/route.h"
#include "stad/strbuf.h"
#include "stad/timeparse.h"

#define DEFAULT_THEME "bikes"
#define RECORD_PAST_DAYS 60 /* a handheld may sync results this old */

/* Local wall-clock now (times are naive local time, ARCHITECTURE.md "Time"). */
static int64_t local_now(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return stad_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

static int64_t day_of(int64_t t)
{
    int64_t d = t / 86400;
    if (t % 86400 < 0)
        d--;
    return d * 86400;
}

/* `date` as YYYY-MM-DD (default: today). */
static int param_date(srv_req *rq, const char *name, int64_t *out)
{
    const char *v = srv_param(rq, name);
    *out = day_of(local_now());
    if (!v)
        return 0;
    int shape = strlen(v) == 10;
    for (int i = 0; shape && i < 10; i++)
        shape = (i == 4 || i == 7) ? v[i] == '-' : (v[i] >= '0' && v[i] <= '9');
    const char *why = NULL;
    int prec;
    if (!shape)
        return srv_fail(rq, 400, name, "%s must be a date YYYY-MM-DD", name);
    if (stad_time_parse(v, out, &prec, &why) != 0)
        return srv_fail(rq, 400, name, "%s is not a valid date%s%s", name, why ? ": " : "",
                        why ? why : "");
    return 0;
}

/* The campaign theme a request names (`theme`, default bikes): one of
 * config/themes/<name>.conf, so that car wrecks or waste run on the same routes. */
static int load_theme(srv_req *rq, const char *name, stad_bikes_theme *th)
{
    if (!name)
        name = DEFAULT_THEME;
    size_t n = strlen(name);
    int ok = n >= 1 && n < sizeof(stad_bikes_theme_name);
    for (const char *c = name; ok && *c; c++)
        ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
    char path[1200];
    snprintf(path, sizeof path, "%.1000s/themes/%s.conf", stad_config_dir(), ok ? name : "");
    if (!ok || access(path, R_OK) != 0)
        return srv_fail(rq, 400, "theme", "theme must name a campaign theme of the server "
                                          "(config/themes), such as bikes");
    if (stad_bikes_theme_load(rq->ctx, name, th))
        return srv_fail_internal(rq, "reading the campaign theme");
    return 0;
}

/* The themes to choose from, for the dashboard and the handheld: [{name, title}]; a
 * theme file that does not load is left out (its own requests say why). */
static json_t *themes_json(srv_req *rq)
{
    stad_bikes_theme_name *names = NULL;
    size_t n = 0;
    json_t *a = json_array();
    stad_bikes_theme th;
    if (!stad_bikes_themes_list(rq->ctx, &names, &n))
        for (size_t i = 0; i < n; i++)
            if (!stad_bikes_theme_load(rq->ctx, names[i], &th))
                json_array_append_new(a, json_pack("{s:s, s:s}", "name", names[i], "title",
                                                   th.title));
    stad_clear_error(rq->ctx);
    free(names);
    return a;
}

static int load_streets(srv_req *rq, stad_bikes_streets **st)
{
    *st = NULL;
    if (stad_bikes_streets_from_store(rq->ctx, rq->store, st))
        return srv_fail_internal(rq, "reading the street network");
    if (!(*st)->n) {
        stad_bikes_streets_free(*st);
        *st = NULL;
        return srv_fail(rq, 404, NULL, "no street network loaded (stad bikes streets load FILE)");
    }
    return 0;
}

/* ---- the plan ---------------------------------------------------------------- */

static json_t *stop_json(const stad_bikes_streets *st, const stad_bikes_stop *sp,
                         const stad_bikes_area_names *wijken)
{
    size_t i = sp->street;
    return json_pack("{s:I, s:o, s:o, s:i, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
                     "s:o}",
                     "street", (json_int_t)st->id[i], "name",
                     st->name && st->name[i] ? srv_json_str(st->name[i]) : json_null(), "near",
                     st->near && st->near[i] ? srv_json_str(st->near[i]) : json_null(), "route",
                     sp->enforcer + 1, "order",
                     sp->order, "action", sp->action == STAD_BIKES_FOLLOWUP ? "followup" : "label",
                     "expected", srv_json_number(round(sp->expected * 100) / 100), "lo",
                     srv_json_number(round(sp->lo * 100) / 100), "hi",
                     srv_json_number(round(sp->hi * 100) / 100), "arrive_min",
                     srv_json_number(round(sp->arrive_s / 6) / 10), "service_min",
                     srv_json_number(round(sp->service_s / 6) / 10), "kind",
                     srv_json_str(st->kind[i] ? st->kind[i] : ""), "length_m",
                     srv_json_number(round(st->length[i])), "lon",
                     srv_json_number(st->lon[i]), "lat", srv_json_number(st->lat[i]), "wijk",
                     srv_json_str(stad_bikes_area_name(wijken, st->wijk[i])));
}

static json_t *street_geometry(const stad_bikes_streets *st, size_t i)
{
    json_t *g = st->geojson && st->geojson[i] ? json_loads(st->geojson[i], 0, NULL) : NULL;
    return g ? g : srv_geojson_point(st->lon[i], st->lat[i]);
}

/* The whole plan as JSON: a FeatureCollection of the stops' street segments, the
 * depot, and per route its way from the depot along the streets through the stops in
 * order and back, with the routes as ordered lists. */
static json_t *plan_json(const stad_bikes_theme *th, const stad_bikes_streets *st,
                         const stad_bikes_plan *p,
                         const stad_bikes_area_names *wijken)
{
    json_t *features = json_array(), *routes = json_array();
    for (int e = 0; e < p->enforcers; e++) {
        json_t *stops = json_array();
        for (size_t k = 0; k < p->n_stops; k++) {
            const stad_bikes_stop *sp = &p->stops[k];
            if (sp->enforcer != e)
                continue;
            json_t *s = stop_json(st, sp, wijken);
            json_array_append(stops, s);
            json_object_set_new(s, "type", json_string("stop"));
            json_array_append_new(features,
                                  srv_geojson_feature(street_geometry(st, sp->street), s));
        }
        size_t n = json_array_size(stops);
        json_array_append_new(routes, json_pack("{s:i, s:o, s:I, s:i, s:o}", "route", e + 1,
                                                "minutes", srv_json_number(round(p->route_s[e] / 60)),
                                                "n_stops", (json_int_t)n, "labels_to_take",
                                                stad_bikes_plan_labels_to_take(p, e), "stops",
                                                stops));
        if (!n)
            continue;
        json_t *line = json_array();
        for (size_t i = p->way_first[e]; i < p->way_first[e + 1]; i++)
            json_array_append_new(line, json_pack("[o,o]", srv_json_number(p->way_lon[i]),
                                                  srv_json_number(p->way_lat[i])));
        json_array_append_new(
            features, srv_geojson_feature(json_pack("{s:s, s:o}", "type", "LineString",
                                                    "coordinates", line),
                                          json_pack("{s:s, s:i}", "type", "path", "route",
                                                    e + 1)));
    }
    json_array_append_new(features,
                          srv_geojson_feature(srv_geojson_point(p->depot_lon, p->depot_lat),
                                              json_pack("{s:s}", "type", "depot")));
    json_t *fc = srv_geojson_collection(features);
    json_object_set_new(fc, "date", srv_json_date(p->date));
    json_object_set_new(fc, "theme", json_string(th->name));
    json_object_set_new(fc, "enforcers", json_integer(p->enforcers));
    json_object_set_new(fc, "hours", srv_json_number(p->hours));
    json_object_set_new(fc, "expected_total", srv_json_number(round(p->expected_total * 10) / 10));
    json_object_set_new(fc, "followups_due", json_integer((json_int_t)p->followups_due));
    json_object_set_new(fc, "followups_planned", json_integer((json_int_t)p->followups_planned));
    json_object_set_new(fc, "depot", json_pack("{s:o, s:o}", "lon", srv_json_number(p->depot_lon),
                                               "lat", srv_json_number(p->depot_lat)));
    json_object_set_new(fc, "routes", routes);
    return fc;
}

/* Makes the plan: yields from the visits and complaints before `date`, travel over
 * the street network, team orienteering (seed 1, so that the same data give every
 * enforcer the same plan, and the sheets the same routes as the map). *st and *p are
 * the caller's. */
static int plan_make(srv_req *rq, const stad_bikes_theme *th, int64_t date, int enforcers,
                     double hours, stad_bikes_streets **st, stad_bikes_plan **p)
{
    *p = NULL;
    stad_bikes_obs obs = {0};
    stad_bikes_yield *y = NULL;
    stad_route_graph *g = NULL;
    if (load_streets(rq, st))
        return -1;
    stad_scope *sc = NULL;
    stad_event_filter scope = {0};
    int rc = stad_privacy_scope_of_role(rq->store, STAD_BIKES_PLANNING_ROLE, &sc);
    if (!rc) {
        stad_privacy_scope_apply(sc, &scope);
        rc = stad_bikes_streets_hint_from_store(rq->ctx, rq->store, th, *st, &scope);
    }
    if (!rc)
        rc = stad_bikes_obs_from_store(rq->ctx, rq->store, th, *st, date, &scope, &obs);
    if (!rc)
        rc = stad_bikes_yield_fit(rq->ctx, th, *st, &obs, date, &y);
    void *graph = NULL;
    if (!rc)
        rc = stad_bikes_streets_graph(rq->ctx, rq->store, *st, &graph);
    g = graph;
    stad_bikes_plan_opts po = {.date = date, .enforcers = enforcers, .hours = hours,
                               .seed = 1, .graph = g};
    if (!rc)
        rc = stad_bikes_depot_from_theme(rq->ctx, rq->store, th, &po);
    if (!rc)
        rc = stad_bikes_plan_make(rq->ctx, th, *st, y, &po, p);
    if (!rc)
        rc = stad_bikes_plan_trace(rq->ctx, rq->store, g, *st, *p);
    stad_route_graph_free(g);
    stad_bikes_yield_free(y);
    stad_bikes_obs_clear(&obs);
    stad_privacy_scope_free(sc);
    if (rc) {
        stad_bikes_plan_free(*p);
        *p = NULL;
        stad_bikes_streets_free(*st);
        *st = NULL;
        return srv_fail_internal(rq, "planning the campaign");
    }
    return 0;
}

static int plan_compute(srv_req *rq, const stad_bikes_theme *th, int64_t date, int enforcers,
                        double hours, json_t **out)
{
    *out = NULL;
    stad_bikes_streets *st = NULL;
    stad_bikes_plan *p = NULL;
    stad_bikes_area_names *wijken = NULL;
    if (plan_make(rq, th, date, enforcers, hours, &st, &p))
        return -1;
    int ret;
    if (stad_bikes_area_names_load(rq->ctx, rq->store, "wijk", &wijken))
        ret = srv_fail_internal(rq, "reading the wijk names");
    else
        ret = (*out = plan_json(th, st, p, wijken)) ? 0
                                                      : srv_fail(rq, 500, NULL, "out of memory");
    stad_bikes_area_names_free(wijken);
    stad_bikes_plan_free(p);
    stad_bikes_streets_free(st);
    return ret;
}

/* The plan from the response cache (by date, team and data version) or computed:
 * planning takes a while, and every enforcer of the team asks for the same plan. */
static int plan_cached(srv_req *rq, const stad_bikes_theme *th, int64_t date, int enforcers,
                       double hours, json_t **out)
{
    char key[128];
    snprintf(key, sizeof key, "bikes.plan|%s|%lld|%d|%.3f", th->name, (long long)date, enforcers,
             hours);
    char *body = NULL;
    size_t len = 0;
    int gz = 0;
    if (srv_cache_get(rq->srv->cache, key, rq->version, 0, &body, &len, &gz) && !gz) {
        *out = json_loadb(body, len, 0, NULL);
        free(body);
        if (*out)
            return 0;
    } else {
        free(body);
    }
    if (plan_compute(rq, th, date, enforcers, hours, out))
        return -1;
    body = NULL;
    size_t n = json_dumpb(*out, NULL, 0, JSON_COMPACT);
    if (n && (body = malloc(n)) != NULL && json_dumpb(*out, body, n, JSON_COMPACT) == n)
        srv_cache_put(rq->srv->cache, key, rq->version, body, n, NULL, 0);
    free(body);
    return 0;
}

/* Results recorded on the plan's day, by street id: {labels, removed, returned}
 * summed over that day's visits. */
static int day_results(srv_req *rq, const stad_bikes_theme *th, int64_t date, json_t **out)
{
    *out = json_object();
    sqlite3 *db = stad_store_db(rq->store);
    sqlite3_stmt *q = NULL;
    if (!*out || sqlite3_prepare_v2(db,
                                    "SELECT street_id, sum(labels), sum(removed), sum(returned), "
                                    "count(*) FROM campaign_visit WHERE theme = ? AND t >= ? "
                                    "AND t < ? GROUP BY street_id",
                                    -1, &q, NULL) != SQLITE_OK) {
        json_decref(*out);
        *out = NULL;
        return srv_fail_internal(rq, "reading the day's results");
    }
    sqlite3_bind_text(q, 1, th->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, date);
    sqlite3_bind_int64(q, 3, date + 86400);
    while (sqlite3_step(q) == SQLITE_ROW) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(q, 0));
        json_object_set_new(*out, id,
                            json_pack("{s:i, s:i, s:i, s:i}", "labels", sqlite3_column_int(q, 1),
                                      "removed", sqlite3_column_int(q, 2), "returned",
                                      sqlite3_column_int(q, 3), "visits",
                                      sqlite3_column_int(q, 4)));
    }
    sqlite3_finalize(q);
    return 0;
}

static void mark_done(json_t *stop, json_t *done)
{
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(stop, "street")));
    json_t *d = json_object_get(done, id);
    json_object_set_new(stop, "done", d ? json_incref(d) : json_null());
}

int srv_h_bikes_plan(srv_req *rq, json_t **out)
{
    long enforcers, route;
    double hours;
    int64_t date;
    if (param_date(rq, "date", &date) || srv_param_int(rq, "enforcers", 1, 20, 2, &enforcers) ||
        srv_param_double(rq, "hours", 0.25, 12, 6, &hours) ||
        srv_param_int(rq, "route", 1, enforcers, 0, &route))
        return -1;
    /* An enforcer reads one route (the number the coordinator gave out) of today;
     * the coordinator reads whole plans of any day. */
    int whole = stad_privacy_may(&rq->who, STAD_MAY_PLAN_CAMPAIGN);
    if (!whole && date != day_of(local_now()))
        return srv_fail(rq, 400, "date", "the enforcer role reads today's route only");
    stad_bikes_theme th;
    json_t *plan = NULL, *done = NULL;
    if (load_theme(rq, srv_param(rq, "theme"), &th) ||
        plan_cached(rq, &th, date, (int)enforcers, hours, &plan) ||
        day_results(rq, &th, date, &done)) {
        json_decref(plan);
        return -1;
    }
    /* narrow to one route, and mark the stops with results of the day */
    json_t *features = json_object_get(plan, "features"), *keep = json_array();
    size_t i;
    json_t *f;
    /* an enforcer without a route number gets the routes' sizes to choose from */
    int summary = !whole && !route;
    json_array_foreach(features, i, f)
    {
        json_t *pr = json_object_get(f, "properties");
        json_t *fr = json_object_get(pr, "route"); /* the depot has none: every route's */
        if (summary || (route && fr && json_integer_value(fr) != route))
            continue;
        if (json_object_get(pr, "street"))
            mark_done(pr, done);
        json_array_append(keep, f);
    }
    json_object_set_new(plan, "features", keep);
    json_t *routes = json_object_get(plan, "routes"), *rkeep = json_array();
    int64_t rows = 0;
    json_array_foreach(routes, i, f)
    {
        if (route && json_integer_value(json_object_get(f, "route")) != route)
            continue;
        if (summary) {
            json_object_del(f, "stops");
            json_array_append(rkeep, f);
            continue;
        }
        size_t k;
        json_t *s;
        json_array_foreach(json_object_get(f, "stops"), k, s)
        {
            mark_done(s, done);
            rows++;
        }
        json_array_append(rkeep, f);
    }
    json_object_set_new(plan, "routes", rkeep);
    json_object_set_new(plan, "route", route ? json_integer(route) : json_null());
    json_object_set_new(plan, "themes", themes_json(rq));
    json_decref(done);
    rq->rows = rows;
    *out = plan;
    return 0;
}

/* ---- route sheets ---------------------------------------------------------------- */

static const char *const SHEET_FORMATS[] = {"pdf", "html", "gpx", "geojson", NULL};
static const char *const SHEET_TYPES[] = {"application/pdf", "text/html; charset=utf-8",
                                          "application/gpx+xml",
                                          "application/geo+json; charset=utf-8"};

/* The sheet of a plan in one format (the bytes, malloc'ed). */
static int sheet_make(srv_req *rq, const stad_bikes_theme *th, int64_t date, int enforcers,
                      double hours, int fmt, char **body, size_t *len)
{
    stad_bikes_streets *st = NULL;
    stad_bikes_plan *p = NULL;
    stad_bikes_area_names *wijken = NULL;
    stad_strbuf b = STAD_STRBUF_INIT;
    if (plan_make(rq, th, date, enforcers, hours, &st, &p))
        return -1;
    int rc;
    switch (fmt) {
    case 0:
        if (!(rc = stad_bikes_area_names_load(rq->ctx, rq->store, "wijk", &wijken)))
            rc = stad_bikes_plan_pdf(rq->ctx, th, st, p, wijken, &b);
        break;
    case 1: rc = stad_bikes_plan_html(th, st, p, &b); break;
    case 2: rc = stad_bikes_plan_gpx(st, p, &b); break;
    default: rc = stad_bikes_plan_geojson(st, p, &b); break;
    }
    stad_bikes_area_names_free(wijken);
    stad_bikes_plan_free(p);
    stad_bikes_streets_free(st);
    if (rc || b.oom) {
        stad_strbuf_free(&b);
        return srv_fail_internal(rq, "writing the route sheet");
    }
    *len = b.len;
    *body = stad_strbuf_take(&b);
    return *body ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

int srv_h_bikes_sheet(srv_req *rq, json_t **out)
{
    *out = NULL;
    long enforcers;
    double hours;
    int64_t date;
    int fmt;
    if (param_date(rq, "date", &date) || srv_param_int(rq, "enforcers", 1, 20, 2, &enforcers) ||
        srv_param_double(rq, "hours", 0.25, 12, 6, &hours) ||
        srv_param_enum(rq, "format", SHEET_FORMATS, 0, &fmt))
        return -1;
    stad_bikes_theme th;
    if (load_theme(rq, srv_param(rq, "theme"), &th))
        return -1;
    /* the same plan as /api/bikes/plan; cached per data version, as sheets of a day
     * are printed by the whole team */
    char key[160];
    snprintf(key, sizeof key, "bikes.sheet|%s|%s|%lld|%ld|%.3f", th.name, SHEET_FORMATS[fmt],
             (long long)date, enforcers, hours);
    char *body = NULL;
    size_t len = 0;
    int gz = 0;
    if (!srv_cache_get(rq->srv->cache, key, rq->version, 0, &body, &len, &gz) || gz) {
        free(body);
        body = NULL;
        if (sheet_make(rq, &th, date, (int)enforcers, hours, fmt, &body, &len))
            return -1;
        srv_cache_put(rq->srv->cache, key, rq->version, body, len, NULL, 0);
    }
    char day[16];
    stad_date_format(date, day, sizeof day);
    rq->file = body;
    rq->file_len = len;
    rq->file_type = SHEET_TYPES[fmt];
    snprintf(rq->file_name, sizeof rq->file_name, "route-%s-%s.%s", th.name, day,
             SHEET_FORMATS[fmt]);
    rq->rows = (int64_t)enforcers;
    return 0;
}

/* ---- the follow-up list -------------------------------------------------------- */

int srv_h_bikes_followup(srv_req *rq, json_t **out)
{
    int64_t date;
    long horizon;
    if (param_date(rq, "date", &date) || srv_param_int(rq, "horizon", 0, 365, 0, &horizon))
        return -1;
    stad_bikes_theme th;
    stad_bikes_streets *st = NULL;
    if (load_theme(rq, srv_param(rq, "theme"), &th) || load_streets(rq, &st))
        return -1;
    stad_bikes_obs obs = {0};
    stad_bikes_followup *fu = NULL;
    size_t n = 0;
    /* the labels out as the plan sees them: also those of campaign results ingested
     * from files of the sources planning may read, as of the horizon's last day */
    stad_scope *sc = NULL;
    stad_event_filter scope = {0};
    int rc = stad_privacy_scope_of_role(rq->store, STAD_BIKES_PLANNING_ROLE, &sc);
    if (!rc) {
        stad_privacy_scope_apply(sc, &scope);
        rc = stad_bikes_obs_from_store(rq->ctx, rq->store, &th, st,
                                       date + (horizon + 1) * 86400, &scope, &obs);
    }
    stad_privacy_scope_free(sc);
    if (!rc)
        /* due by the end of that day */
        rc = stad_bikes_followups(rq->ctx, &th, &obs, date + 86399, (int)horizon, &fu, &n);
    json_t *list = rc ? NULL : json_array();
    for (size_t k = 0; list && k < n; k++) {
        size_t s = fu[k].street;
        json_array_append_new(
            list, json_pack("{s:I, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:o, s:o}", "street",
                            (json_int_t)st->id[s], "name",
                            st->name && st->name[s] ? srv_json_str(st->name[s]) : json_null(),
                            "near",
                            st->near && st->near[s] ? srv_json_str(st->near[s]) : json_null(),
                            "labelled", srv_json_date(fu[k].labelled_t),
                            "labels", fu[k].labels, "due", srv_json_date(fu[k].due_t), "kind",
                            srv_json_str(st->kind[s] ? st->kind[s] : ""), "length_m",
                            srv_json_number(round(st->length[s])), "lon",
                            srv_json_number(st->lon[s]), "lat", srv_json_number(st->lat[s])));
    }
    free(fu);
    stad_bikes_obs_clear(&obs);
    stad_bikes_streets_free(st);
    if (rc)
        return srv_fail_internal(rq, "listing the follow-ups");
    rq->rows = (int64_t)n;
    *out = json_pack("{s:o, s:i, s:i, s:o}", "date", srv_json_date(date), "waiting_days",
                     th.waiting_days, "horizon_days", (int)horizon, "followups", list);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

/* ---- recording a visit ---------------------------------------------------------- */

/* Idempotency keys come from handhelds: short, and nothing that needs escaping. */
static int key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n < 8 || n > 100)
        return 0;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.' || *p == ':'))
            return 0;
    return 1;
}

/* A count member: absent = 0. */
static int body_count(srv_req *rq, json_t *body, const char *name, int *out)
{
    json_t *v = json_object_get(body, name);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 10000)
        return srv_fail(rq, 400, name, "%s must be a whole number 0..10000", name);
    *out = (int)json_integer_value(v);
    return 0;
}

static int parse_record(srv_req *rq, json_t *body, stad_bikes_record *r)
{
    json_t *street = json_object_get(body, "street");
    const char *action = json_string_value(json_object_get(body, "action"));
    json_t *remark = json_object_get(body, "remark"), *at = json_object_get(body, "at");
    r->idem_key = json_string_value(json_object_get(body, "key"));
    if (!json_is_integer(street) || json_integer_value(street) < 1)
        return srv_fail(rq, 400, "street", "street must be a street id");
    r->street_id = json_integer_value(street);
    if (!r->idem_key || !key_ok(r->idem_key))
        return srv_fail(rq, 400, "key", "key (idempotency key) must be 8..100 characters of "
                                        "letters, digits, '-', '_', '.', ':'");
    if (body_count(rq, body, "labels", &r->labels) ||
        body_count(rq, body, "removed", &r->removed) ||
        body_count(rq, body, "returned", &r->returned))
        return -1;
    /* label: labels placed; visit: looked, nothing to label (also a result);
     * remove/return: the follow-up, with the bikes removed and the labels gone */
    if (action && (!strcmp(action, "label") || !strcmp(action, "visit")))
        r->action = STAD_BIKES_LABEL;
    else if (action && (!strcmp(action, "remove") || !strcmp(action, "return")))
        r->action = STAD_BIKES_FOLLOWUP;
    else
        return srv_fail(rq, 400, "action", "action must be label, visit, remove or return");
    if (r->action == STAD_BIKES_LABEL && (r->removed || r->returned))
        return srv_fail(rq, 400, "action", "removed and returned belong to remove or return");
    if (r->action == STAD_BIKES_FOLLOWUP && r->labels)
        return srv_fail(rq, 400, "action", "labels belong to label");
    if (!strcmp(action, "visit") && r->labels)
        return srv_fail(rq, 400, "action", "a visit places no labels: use label");
    if (remark && !json_is_null(remark)) {
        if (!json_is_string(remark) || json_string_length(remark) > 500)
            return srv_fail(rq, 400, "remark", "remark must be text of at most 500 characters");
        r->remark = json_string_value(remark);
        if (!*r->remark)
            r->remark = NULL;
    }
    int64_t now = local_now();
    r->t = now;
    if (at && !json_is_null(at)) {
        /* when the enforcer recorded it (queued offline, synced later) */
        const char *v = json_string_value(at), *why = NULL;
        int prec;
        if (!v || strlen(v) < 16 || strlen(v) > 19 || v[10] != 'T' ||
            stad_time_parse(v, &r->t, &prec, &why) != 0)
            return srv_fail(rq, 400, "at", "at must be a local time YYYY-MM-DDTHH:MM:SS");
        if (r->t > now + 86400 || r->t < now - RECORD_PAST_DAYS * 86400)
            return srv_fail(rq, 400, "at", "at must lie within the last %d days",
                            RECORD_PAST_DAYS);
    }
    return 0;
}

int srv_h_bikes_record(srv_req *rq, json_t **out)
{
    json_t *body;
    if (srv_body_json(rq, &body))
        return -1;
    stad_bikes_record r = {0};
    stad_bikes_theme th;
    json_t *theme = json_object_get(body, "theme");
    if (theme && !json_is_null(theme) && !json_is_string(theme)) {
        json_decref(body);
        return srv_fail(rq, 400, "theme", "theme must be the name of a campaign theme");
    }
    if (parse_record(rq, body, &r) || load_theme(rq, json_string_value(theme), &th)) {
        json_decref(body);
        return -1;
    }
    stad_server *srv = rq->srv;
    int dup = 0;
    pthread_mutex_lock(&srv->wr_mu);
    int rc = stad_bikes_record_visit(srv->wr_ctx, srv->wr, &th, &r, &dup);
    char msg[256] = "";
    if (rc)
        snprintf(msg, sizeof msg, "%s", stad_errmsg(srv->wr_ctx));
    pthread_mutex_unlock(&srv->wr_mu);
    if (rc) {
        json_decref(body);
        if (rc == STAD_ENOTFOUND || rc == STAD_EINVAL)
            return srv_fail(rq, rc == STAD_EINVAL ? 400 : 404, NULL, "%s", msg);
        srv_log(srv, STAD_LOG_ERROR, "server: recording a visit: %s", msg);
        return srv_fail(rq, 500, NULL, "internal error while recording the visit");
    }
    rq->rows = dup ? 0 : 1;
    *out = json_pack("{s:s, s:s}", "status", dup ? "already recorded" : "recorded", "key",
                     r.idem_key);
    json_decref(body);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}
