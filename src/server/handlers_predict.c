/* GET /api/forecast and /api/backtest: thin wrappers over the predict module that turn
 * a forecast into GeoJSON cells and a backtest into its table (docs/api.md). Defaults
 * (kind, cell, horizon, mask) come from config/forecast.conf like those of `stad
 * predict`; the caller's scope is in the event filter and reaches the predict data
 * through stad_predict_opts.where, so a forecast reads only the sources the caller may
 * read. Both answers are cached by the router per data version, query and scope: a
 * backtest is computed once per data version. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "stad/hotspot.h"
#include "stad/predict.h"
#include "stad/timeparse.h"

#define FC_TOP_MAX 20000      /* cells in one forecast answer at most */
#define FC_TOP_SHARE 0.05     /* default: the top 5% of the study area */
#define FC_DEFAULT_METHOD "covariate"
#define BT_DEFAULT_WINDOWS 26 /* a year of two-week windows */

typedef struct fc_params {
    stad_event_filter f;   /* kinds, the caller's scope, and from/to for a backtest */
    srv_filter_buf fb;
    char conf_kinds[512];  /* the configured default kinds, split in place */
    const char *kinds[32];
    char kinds_label[512]; /* the kinds as asked or configured, for the answer */
    stad_predict_opts o;
} fc_params;

static double conf_num(const stad_conf *c, const char *key, double lo, double hi, double def)
{
    const char *v = c ? stad_conf_get(c, "forecast", key) : NULL;
    if (!v)
        return def;
    char *end;
    double d = strtod(v, &end);
    return end != v && !*end && d >= lo && d <= hi ? d : def;
}

/* The configured kinds ("burglary, theft.bike") into p->kinds. */
static void conf_kinds(fc_params *p, const char *text)
{
    snprintf(p->conf_kinds, sizeof p->conf_kinds, "%s", text);
    size_t n = 0;
    for (char *s = p->conf_kinds, *comma; s && n < sizeof p->kinds / sizeof p->kinds[0];
         s = comma ? comma + 1 : NULL) {
        if ((comma = strchr(s, ',')))
            *comma = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        if (*s)
            p->kinds[n++] = s;
    }
    p->f.kinds = p->kinds;
    p->f.n_kinds = n;
}

/* Filter (with scope), kinds, cell and horizon: the parameters both routes share. */
static int fc_params_read(srv_req *rq, fc_params *p)
{
    memset(p, 0, sizeof *p);
    if (srv_params_filter(rq, &p->f, &p->fb))
        return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/forecast.conf", stad_config_dir());
    stad_conf *conf = NULL;
    if (stad_conf_load(rq->ctx, path, &conf)) {
        stad_clear_error(rq->ctx); /* built-in defaults, as `stad predict` does */
        conf = NULL;
    }
    const char *ck = conf ? stad_conf_get(conf, "forecast", "kind") : NULL;
    if (p->f.n_kinds == 0 && ck && *ck)
        conf_kinds(p, ck);
    size_t len = 0;
    p->kinds_label[0] = '\0';
    for (size_t i = 0; i < p->f.n_kinds; i++) {
        int k = snprintf(p->kinds_label + len, sizeof p->kinds_label - len, "%s%s",
                         i ? "," : "", p->f.kinds[i]);
        if (k < 0 || (size_t)k >= sizeof p->kinds_label - len)
            break;
        len += (size_t)k;
    }
    double cell_def = conf_num(conf, "cell", 50, 1000, STAD_PREDICT_CELL_DEFAULT);
    double horizon_def = conf_num(conf, "horizon", 1, 366, STAD_PREDICT_HORIZON_DEFAULT);
    double mask = conf_num(conf, "mask", 1, 100, STAD_PREDICT_MASK_DEFAULT);
    stad_conf_free(conf);
    long horizon;
    if (srv_param_double(rq, "cell", 50, 1000, cell_def, &p->o.cell) ||
        srv_param_int(rq, "horizon", 1, 366, (long)horizon_def, &horizon))
        return -1;
    p->o.horizon_days = (int)horizon;
    p->o.mask_cells = (int)mask;
    p->o.kinds = p->f.kinds;
    p->o.n_kinds = p->f.n_kinds;
    p->o.where = &p->f; /* the caller's sources only */
    return 0;
}

/* Library failures: too large a grid and bad options are the client's to fix. */
static int predict_fail(srv_req *rq, int rc, const char *what)
{
    if (rc == STAD_ERANGE && strstr(stad_errmsg(rq->ctx), "grid"))
        return srv_fail(rq, 400, "cell", "the forecast grid would be too large: choose a "
                                         "larger cell");
    if (rc == STAD_ERANGE || rc == STAD_EINVAL)
        return srv_fail(rq, 400, NULL, "%s", stad_errmsg(rq->ctx));
    return srv_fail_internal(rq, what);
}

/* The day after the latest event the caller may read of these kinds; STAD_EEMPTY
 * when there is none. */
static int latest_day(srv_req *rq, const fc_params *p, int64_t *day_after)
{
    stad_event_filter g = p->f;
    g.has_period = 0;
    int64_t from;
    return stad_hotspot_period(rq->ctx, rq->store, &g, &from, day_after);
}

static json_t *cell_polygon(stad_transform *t, const stad_hotspot_grid *g, size_t cell)
{
    double r[10];
    if (stad_hotspot_cell_ring(t, g, cell, r))
        return NULL;
    json_t *ring = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(ring, json_pack("[f,f]", r[2 * i], r[2 * i + 1]));
    return json_pack("{s:s, s:[o]}", "type", "Polygon", "coordinates", ring);
}

int srv_h_forecast(srv_req *rq, json_t **out)
{
    fc_params p;
    int method = 0;
    while (strcmp(stad_predict_methods[method], FC_DEFAULT_METHOD) != 0)
        method++;
    long top;
    if (fc_params_read(rq, &p) ||
        srv_param_enum(rq, "method", stad_predict_methods, method, &method) ||
        srv_param_int(rq, "top", 1, FC_TOP_MAX, 0, &top))
        return -1;
    int64_t at = 0;
    const char *at_text = srv_param(rq, "at");
    if (at_text) {
        /* the filter parser checks dates: read `at` as a `from` */
        if (strlen(at_text) < 10 || strlen(at_text) > 19)
            return srv_fail(rq, 400, "at", "at must be a date YYYY-MM-DD");
        const char *why = NULL;
        int prec;
        for (int i = 0; i < 10; i++)
            if ((i == 4 || i == 7) ? at_text[i] != '-' : (at_text[i] < '0' || at_text[i] > '9'))
                return srv_fail(rq, 400, "at", "at must be a date YYYY-MM-DD");
        if (stad_time_parse(at_text, &at, &prec, &why) != 0)
            return srv_fail(rq, 400, "at", "at is not a valid date%s%s", why ? ": " : "",
                            why ? why : "");
    }
    int rc = at_text ? 0 : latest_day(rq, &p, &at);
    stad_predict_data *d = NULL;
    stad_forecast *fc = NULL;
    if (!rc)
        rc = stad_predict_data_load(rq->ctx, rq->store, &p.o, at, &d);
    if (!rc)
        rc = stad_predict_forecast(rq->ctx, d, stad_predict_methods[method], at, &fc);
    stad_predict_data_free(d);
    if (rc == STAD_EEMPTY) {
        /* nothing the caller may read (or nothing before `at`): an empty map */
        stad_clear_error(rq->ctx);
        json_t *j = srv_geojson_collection(json_array());
        if (j)
            json_object_update_new(
                j, json_pack("{s:s, s:s, s:n, s:n, s:s, s:n, s:f, s:i, s:i, s:i, s:s}", "kind",
                             p.kinds_label, "method", stad_predict_methods[method], "from",
                             "to", "used", "", "rate", "cell", p.o.cell, "horizon",
                             p.o.horizon_days, "study_cells", 0, "shown", 0, "note",
                             "no events to forecast from"));
        *out = j;
        return j ? 0 : srv_fail(rq, 500, NULL, "out of memory");
    }
    if (rc)
        return predict_fail(rq, rc, "making the forecast");
    stad_transform *t = NULL;
    if (stad_hotspot_transform(rq->ctx, rq->store, &t)) {
        stad_forecast_free(fc);
        return srv_fail_internal(rq, "making the map transform");
    }
    size_t shown = top > 0 ? (size_t)top : (size_t)ceil(FC_TOP_SHARE * (double)fc->n);
    if (shown > fc->n)
        shown = fc->n;
    json_t *features = json_array();
    for (size_t i = 0; i < shown; i++) {
        const stad_forecast_cell *c = &fc->cells[i];
        json_t *props = json_pack("{s:i, s:I, s:o, s:I, s:o}", "rank", c->rank, "cell",
                                  (json_int_t)c->cell, "risk", srv_json_number(c->risk),
                                  "recent", (json_int_t)c->recent, "reason",
                                  srv_json_str(c->reason));
        json_array_append_new(features, srv_geojson_feature(cell_polygon(t, &fc->grid, c->cell),
                                                            props));
    }
    stad_transform_free(t);
    json_t *j = srv_geojson_collection(features);
    if (j)
        json_object_update_new(
            j, json_pack("{s:s, s:s, s:o, s:o, s:s, s:b, s:f, s:i, s:I, s:I, s:o, s:o, s:o}",
                         "kind", p.kinds_label, "method", fc->method, "from",
                         srv_json_date(fc->from), "to", srv_json_date(fc->to - 1), "used",
                         fc->used, "rate", fc->rate, "cell", fc->grid.cell, "horizon",
                         p.o.horizon_days, "study_cells", (json_int_t)fc->n, "shown",
                         (json_int_t)shown, "expected_total",
                         fc->rate ? srv_json_number(fc->expected_total) : json_null(),
                         "max_risk", srv_json_number(fc->n ? fc->cells[0].risk : 0), "note",
                         srv_json_str(fc->note)));
    rq->rows = (int64_t)shown;
    stad_forecast_free(fc);
    *out = j;
    return j ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

/* methods=a,b,c: known, each once; NULL text = all. */
static int read_methods(srv_req *rq, const char *text, char *buf, size_t size,
                        const char **list, size_t *n)
{
    *n = 0;
    if (!text) {
        for (size_t i = 0; i < stad_predict_n_methods; i++)
            list[(*n)++] = stad_predict_methods[i];
        return 0;
    }
    if (!*text || strlen(text) >= size)
        return srv_fail(rq, 400, "methods", "methods must be a comma-separated list of methods");
    memcpy(buf, text, strlen(text) + 1);
    for (char *s = buf, *comma; s; s = comma ? comma + 1 : NULL) {
        if ((comma = strchr(s, ',')))
            *comma = '\0';
        if (!stad_predict_method_known(s))
            return srv_fail(rq, 400, "methods", "methods: '%.32s' is not a method", s);
        for (size_t i = 0; i < *n; i++)
            if (strcmp(list[i], s) == 0)
                return srv_fail(rq, 400, "methods", "methods: '%.32s' given twice", s);
        list[(*n)++] = s;
    }
    return 0;
}

static json_t *numbers(const double *v)
{
    json_t *a = json_array();
    for (int j = 0; j < STAD_PREDICT_N_COVERAGE; j++)
        json_array_append_new(a, srv_json_number(v[j]));
    return a;
}

int srv_h_backtest(srv_req *rq, json_t **out)
{
    fc_params p;
    char mbuf[256];
    const char *methods[16];
    size_t nm;
    if (fc_params_read(rq, &p) ||
        read_methods(rq, srv_param(rq, "methods"), mbuf, sizeof mbuf, methods, &nm))
        return -1;
    /* [from, to): the period asked (to inclusive), or the last 26 windows up to the day
     * after the latest event */
    int64_t from = p.f.t_min, to = p.f.t_max;
    int has_from = srv_param(rq, "from") != NULL, has_to = srv_param(rq, "to") != NULL;
    int64_t H = (int64_t)p.o.horizon_days * 86400;
    int rc = 0;
    if (!has_to)
        rc = latest_day(rq, &p, &to);
    if (!rc && !has_from)
        from = to - BT_DEFAULT_WINDOWS * H;
    stad_predict_data *d = NULL;
    stad_backtest *b = NULL;
    if (!rc) {
        p.f.has_period = 0;
        rc = stad_predict_data_load(rq->ctx, rq->store, &p.o, to, &d);
    }
    if (!rc)
        rc = stad_predict_backtest(rq->ctx, d, methods, nm, from, to, &b);
    stad_predict_data_free(d);
    if (rc == STAD_EEMPTY) {
        stad_clear_error(rq->ctx);
        *out = json_pack("{s:s, s:n, s:n, s:i, s:f, s:i, s:i, s:o, s:s, s:[]}", "kind",
                         p.kinds_label, "from", "to", "windows", 0, "cell", p.o.cell, "horizon",
                         p.o.horizon_days, "study_cells", 0, "coverage",
                         numbers(stad_predict_coverage), "notes",
                         "no events before the test period", "methods");
        return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
    }
    if (rc)
        return predict_fail(rq, rc, "running the backtest");
    json_t *rows = json_array();
    for (size_t i = 0; i < b->n; i++) {
        const stad_backtest_row *r = &b->rows[i];
        json_t *cells = json_array();
        for (int j = 0; j < STAD_PREDICT_N_COVERAGE; j++)
            json_array_append_new(cells, json_integer((json_int_t)r->cells[j]));
        json_array_append_new(
            rows, json_pack("{s:s, s:s, s:i, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                            "method", r->method, "used", r->used, "windows", r->windows,
                            "events", (json_int_t)r->events, "events_all",
                            (json_int_t)r->events_all, "cells", cells, "hit_rate",
                            numbers(r->hit), "pai", numbers(r->pai), "pei", numbers(r->pei),
                            "calibration", numbers(r->calib), "predicted",
                            srv_json_number(r->predicted), "observed",
                            srv_json_number(r->observed), "seconds",
                            srv_json_number(r->seconds)));
    }
    *out = json_pack("{s:s, s:o, s:o, s:i, s:f, s:i, s:I, s:o, s:I, s:o, s:o, s:o}",
                     "kind", p.kinds_label, "from", srv_json_date(b->from), "to",
                     srv_json_date(b->to - 1), "windows", b->windows, "cell", p.o.cell,
                     "horizon", p.o.horizon_days, "study_cells", (json_int_t)b->study_cells,
                     "history_from", srv_json_date(b->history_from), "events_history",
                     (json_int_t)b->events_history, "coverage", numbers(stad_predict_coverage), "notes",
                     srv_json_str(b->notes), "methods", rows);
    rq->rows = (int64_t)b->n;
    stad_backtest_free(b);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}
