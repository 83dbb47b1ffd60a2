/* The flex team's forecast: the point process instead of the recent rate, when the
 * kind has the history to fit it. One decision, shared by `stad flexteam` and
 * /api/flexteam. */
#include <stdio.h>
#include <string.h>

#include "predict/predict_internal.h"

#define FLEX_HISTORY_DAYS 730 /* what the point process is fitted on */

int stad_predict_flexteam_prepare(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                                  stad_flexteam_opts *o, stad_flexteam_forecast *hook,
                                  stad_predict_data **data, char *why, size_t why_size)
{
    *data = NULL;
    if (why && why_size)
        why[0] = '\0';
    stad_event_filter none = {0};
    if (!f)
        f = &none;
    int64_t from, to;
    int rc = stad_hotspot_period(ctx, s, f, &from, &to);
    if (rc == STAD_EEMPTY) {
        stad_clear_error(ctx);
        return 0; /* no events: the flex team says so itself */
    }
    if (rc)
        return rc;
    /* The flex team's next period starts at `to`: the forecast sees only what came
     * before it. No covariate layers: the point process does not use them. */
    stad_predict_opts po = {0};
    po.kinds = f->kinds;
    po.n_kinds = f->n_kinds;
    po.where = f;
    po.history_from = to - (int64_t)FLEX_HISTORY_DAYS * PD_DAY;
    po.layers = "";
    po.figures = "";
    stad_predict_data *d = NULL;
    rc = stad_predict_data_load(ctx, s, &po, to, &d);
    size_t n = 0;
    if (rc == STAD_EEMPTY) {
        stad_clear_error(ctx);
        rc = 0;
    } else if (rc) {
        return rc;
    } else {
        n = stad_predict_data_events(d);
    }
    if (n < STAD_PREDICT_FLEX_MIN) {
        stad_predict_data_free(d);
        if (why && why_size)
            snprintf(why, why_size,
                     "expected events from the recent rate: %zu located events in the two "
                     "years before, too few for a forecast (at least %d)",
                     n, STAD_PREDICT_FLEX_MIN);
        return 0;
    }
    memset(hook, 0, sizeof *hook);
    hook->ctx = ctx;
    hook->data = d;
    hook->method = "sepp";
    o->forecast = stad_predict_flexteam_hook;
    o->forecast_user = hook;
    *data = d;
    if (why && why_size)
        snprintf(why, why_size,
                 "expected events from the forecast (self-exciting point process fitted on "
                 "%zu events of the two years before)",
                 n);
    return 0;
}
