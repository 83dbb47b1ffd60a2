/* GET /api/stats (counts per area x kind x period) and /api/trend (counts per ISO
 * week, weeks without events included). */
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "stad/timeparse.h"

#define MAX_STAT_ROWS 200000

typedef struct stats_out {
    json_t *rows;
    size_t n;
} stats_out;

static int add_stat(void *user, const stad_stat_row *r)
{
    stats_out *o = user;
    if (++o->n > MAX_STAT_ROWS)
        return STAD_ERANGE;
    int has_area = r->area_code && *r->area_code;
    json_t *j = json_pack("{s:o, s:o, s:o, s:o, s:I}", "area",
                          has_area ? srv_json_str(r->area_code) : json_null(), "name",
                          has_area ? srv_json_str(r->area_name) : json_null(), "kind",
                          srv_json_str(r->kind), "period", srv_json_str(r->period), "count",
                          (json_int_t)r->count);
    if (!j)
        return STAD_ENOMEM;
    return json_array_append_new(o->rows, j) ? STAD_ENOMEM : 0;
}

int srv_h_stats(srv_req *rq, json_t **out)
{
    static const char *const levels[] = {"wijk", "buurt", NULL};
    static const char *const periods[] = {"all", "week", "month", NULL};
    stad_event_filter f;
    srv_filter_buf fb;
    int level, period;
    if (srv_params_filter(rq, &f, &fb) || srv_param_enum(rq, "level", levels, 0, &level) ||
        srv_param_enum(rq, "period", periods, 0, &period))
        return -1;
    stats_out o = {json_array(), 0};
    int rc = stad_store_stats_each(rq->store, &f, levels[level], periods[period], add_stat, &o);
    if (rc) {
        json_decref(o.rows);
        if (rc == STAD_ERANGE)
            return srv_fail(rq, 400, "period",
                            "more than %d rows: choose a shorter period, a coarser level "
                            "or fewer kinds",
                            MAX_STAT_ROWS);
        return rc == STAD_ENOMEM ? srv_fail(rq, 500, NULL, "out of memory")
                                 : srv_fail_internal(rq, "counting events");
    }
    rq->rows = (int64_t)o.n;
    *out = json_pack("{s:o}", "rows", o.rows);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

/* Days since 1970 of the Monday of the week containing day d. */
static int64_t monday_of(int64_t d)
{
    int64_t dow = ((d + 3) % 7 + 7) % 7; /* 0 = Monday; 1970-01-01 was a Thursday */
    return d - dow;
}

static int64_t floor_days(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

/* "2017-W37" -> the day of its Monday; -1 when the key is not a week key. */
static int week_monday(const char *key, int64_t *monday)
{
    int y = 0, w = 0;
    if (strlen(key) != 8 || key[4] != '-' || key[5] != 'W')
        return -1;
    for (int i = 0; i < 4; i++) {
        if (key[i] < '0' || key[i] > '9')
            return -1;
        y = y * 10 + (key[i] - '0');
    }
    for (int i = 6; i < 8; i++) {
        if (key[i] < '0' || key[i] > '9')
            return -1;
        w = w * 10 + (key[i] - '0');
    }
    if (w < 1 || w > 53)
        return -1;
    *monday = monday_of(stad_days_from_civil(y, 1, 4)) + 7 * (int64_t)(w - 1);
    return 0;
}

typedef struct week_count {
    int64_t monday, count;
} week_count;

typedef struct trend_rows {
    week_count *v;
    size_t n, cap;
    int oom;
} trend_rows;

static int add_week(void *user, const stad_stat_row *r)
{
    trend_rows *t = user;
    int64_t monday;
    if (week_monday(r->period, &monday))
        return 0;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        week_count *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return STAD_ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n].monday = monday;
    t->v[t->n].count = r->count;
    t->n++;
    return 0;
}

int srv_h_trend(srv_req *rq, json_t **out)
{
    stad_event_filter f;
    srv_filter_buf fb;
    if (srv_params_filter(rq, &f, &fb))
        return -1;
    trend_rows t = {0};
    /* Per wijk x kind x week from the store, summed here per week. */
    int rc = stad_store_stats_each(rq->store, &f, "wijk", "week", add_week, &t);
    if (rc) {
        free(t.v);
        return rc == STAD_ENOMEM ? srv_fail(rq, 500, NULL, "out of memory")
                                 : srv_fail_internal(rq, "counting events");
    }
    int64_t lo = 0, hi = -1;
    for (size_t i = 0; i < t.n; i++) {
        if (i == 0 || t.v[i].monday < lo)
            lo = t.v[i].monday;
        if (i == 0 || t.v[i].monday > hi)
            hi = t.v[i].monday;
    }
    /* A period given by the client is shown whole, empty weeks at the ends too. */
    if (srv_param(rq, "from"))
        lo = monday_of(floor_days(f.t_min));
    if (srv_param(rq, "to"))
        hi = monday_of(floor_days(f.t_max - 1));
    if (t.n == 0 && !(srv_param(rq, "from") && srv_param(rq, "to")))
        hi = lo - 1; /* nothing to show */
    size_t nweeks = hi >= lo ? (size_t)((hi - lo) / 7 + 1) : 0;
    int64_t *counts = calloc(nweeks ? nweeks : 1, sizeof *counts);
    if (!counts) {
        free(t.v);
        return srv_fail(rq, 500, NULL, "out of memory");
    }
    for (size_t i = 0; i < t.n; i++)
        if (t.v[i].monday >= lo && t.v[i].monday <= hi)
            counts[(t.v[i].monday - lo) / 7] += t.v[i].count;
    free(t.v);
    json_t *weeks = json_array();
    for (size_t i = 0; i < nweeks; i++) {
        char key[16];
        stad_time_week_key((lo + 7 * (int64_t)i) * 86400, key, sizeof key);
        json_array_append_new(weeks, json_pack("{s:s, s:I}", "week", key, "count",
                                               (json_int_t)counts[i]));
    }
    free(counts);
    *out = json_pack("{s:o}", "weeks", weeks);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}
