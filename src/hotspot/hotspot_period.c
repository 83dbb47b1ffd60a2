/* The period a filter means, and loading the events of a period and the one before. */
#include <string.h>

#include "hotspot/hotspot_internal.h"

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
    /* No period: the last days of data up to the end of the latest event's day, so
     * "the last four weeks" means the last four weeks of data, not of the calendar. */
    int64_t tmax;
    int rc = stad_store_events_latest(s, &g, &tmax);
    if (rc)
        return rc;
    int64_t day = tmax >= 0 ? tmax / HS_DAY : -((-tmax + HS_DAY - 1) / HS_DAY);
    p->to = (day + 1) * HS_DAY;
    p->from = p->to - (int64_t)default_days * HS_DAY;
    p->prev_from = p->from - (p->to - p->from);
    g.has_period = 1;
    g.t_min = p->prev_from;
    g.t_max = p->to;
    return stad_events_load(s, &g, ev);
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
