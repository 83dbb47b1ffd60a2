/* The period a filter means, and loading the events of a period and the one before. */
#include <string.h>

#include "hotspot/hotspot_internal.h"

/* End of the day of the latest event: the default period ends there, so "the last
 * four weeks" means the last four weeks of data, not of the calendar. */
static int64_t end_of_latest_day(const stad_events *e)
{
    int64_t tmax = e->t_from[0];
    for (size_t i = 1; i < e->n; i++)
        if (e->t_from[i] > tmax)
            tmax = e->t_from[i];
    int64_t day = tmax >= 0 ? tmax / HS_DAY : -((-tmax + HS_DAY - 1) / HS_DAY);
    return (day + 1) * HS_DAY;
}

int hs_load_periods(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                    int default_days, hs_period *p, stad_events **ev)
{
    *ev = NULL;
    stad_event_filter g = {0};
    if (f)
        g = *f;
    g.limit = 0;
    if (g.has_period) {
        if (g.t_max <= g.t_min)
            return stad_fail(ctx, STAD_EINVAL, "period is empty (to is not after from)");
        p->from = g.t_min;
        p->to = g.t_max;
        p->prev_from = p->from - (p->to - p->from);
        g.t_min = p->prev_from;
        return stad_events_load(s, &g, ev);
    }
    /* No period: load everything once and pick the latest days from it. */
    stad_events *e = NULL;
    int rc = stad_events_load(s, &g, &e);
    if (rc)
        return rc;
    if (e->n == 0) {
        stad_events_free(e);
        return stad_fail(ctx, STAD_EEMPTY, "no events match the filter");
    }
    p->to = end_of_latest_day(e);
    p->from = p->to - (int64_t)default_days * HS_DAY;
    p->prev_from = p->from - (p->to - p->from);
    *ev = e;
    return 0;
}

int stad_hotspot_period(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                        int64_t *from, int64_t *to)
{
    if (f && f->has_period) {
        *from = f->t_min;
        *to = f->t_max;
        return 0;
    }
    hs_period p = {0, 0, 0};
    stad_events *e = NULL;
    int rc = hs_load_periods(ctx, s, f, STAD_HOTSPOT_RECENT_DAYS, &p, &e);
    stad_events_free(e);
    if (rc)
        return rc;
    *from = p.from;
    *to = p.to;
    return 0;
}
