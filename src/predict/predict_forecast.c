/* One forecast: the risk per study cell for [at, at + horizon), ranked, with reasons in
 * plain words; the single-window entry point; and the flex team's forecast hook. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predict/predict_internal.h"
#include "stad/arena.h"

typedef struct fc_priv {
    stad_arena arena;
} fc_priv;

void stad_forecast_free(stad_forecast *f)
{
    if (!f)
        return;
    fc_priv *p = f->priv_;
    if (p) {
        stad_arena_free(&p->arena);
        free(p);
    }
    free(f->cells);
    free(f->coef);
    free(f->coef_name);
    free(f);
}

int stad_predict_risk(stad_ctx *ctx, const stad_predict_data *d, const char *method,
                      int64_t at, double *risk, const char **used)
{
    int id = pm_method_id(method);
    if (id < 0)
        return stad_fail(ctx, STAD_EINVAL, "forecast: unknown method '%s'", method ? method : "");
    size_t nc = (size_t)d->g.nx * (size_t)d->g.ny;
    unsigned char *mask = malloc(nc);
    if (!mask)
        return stad_fail(ctx, STAD_ENOMEM, "forecast");
    if (pd_mask(d, at, mask) == 0) {
        free(mask);
        return stad_fail(ctx, STAD_EEMPTY, "forecast: no events before the forecast time");
    }
    pm_run *r = NULL;
    int u = id, rc = pm_run_new(ctx, d, mask, &r);
    if (!rc)
        rc = pm_risk(r, id, at, risk, &u, NULL);
    if (!rc && used)
        *used = stad_predict_methods[u];
    pm_run_free(r);
    free(mask);
    return rc;
}

/* Counts that explain a cell in words: its own past, its neighbourhood, recency. */
static const char *reason_text(stad_arena *ar, const stad_predict_data *d, pm_run *r,
                               int64_t at, size_t cell, int used, const double *c365,
                               const double *ring8w, const double *last_days)
{
    char buf[512];
    size_t len = 0;
    buf[0] = 0;
#define ADD(...)                                                                   \
    do {                                                                           \
        int k_ = snprintf(buf + len, sizeof buf - len, __VA_ARGS__);               \
        if (k_ > 0 && (size_t)k_ < sizeof buf - len)                               \
            len += (size_t)k_;                                                     \
    } while (0)
    ADD("%.0f in this cell in the last year", c365[cell]);
    if (ring8w[cell] > 0)
        ADD("; %.0f within %.0f m in the last 8 weeks (near-repeat)", ring8w[cell],
            1.5 * d->g.cell);
    if (last_days[cell] < 1)
        ADD("; the last nearby less than a day ago");
    else if (last_days[cell] < 730)
        ADD("; the last nearby %.0f days ago", last_days[cell]);
    if (used == PM_COVARIATE || used == PM_ENSEMBLE) {
        int feat[2];
        double con[2];
        size_t m = pm_top_reasons(r, at, cell, 2, feat, con);
        for (size_t i = 0; i < m; i++)
            if (con[i] > 0.05)
                ADD("; model: %s (x%.1f)", pm_feature_words(r, feat[i], 1),
                    exp(fmin(con[i], log(99.0))));
    }
#undef ADD
    return stad_arena_strdup(ar, buf);
}

int stad_predict_forecast(stad_ctx *ctx, const stad_predict_data *d, const char *method,
                          int64_t at, stad_forecast **out)
{
    *out = NULL;
    int id = pm_method_id(method);
    if (id < 0)
        return stad_fail(ctx, STAD_EINVAL, "forecast: unknown method '%s'", method ? method : "");
    const stad_hotspot_grid *g = &d->g;
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    unsigned char *mask = malloc(nc);
    double *risk = malloc(nc * sizeof *risk), *c365 = calloc(nc, sizeof *c365),
           *c8 = calloc(nc, sizeof *c8), *ring = malloc(nc * sizeof *ring),
           *last = malloc(nc * sizeof *last);
    stad_forecast *f = calloc(1, sizeof *f);
    fc_priv *priv = calloc(1, sizeof *priv);
    stad_strbuf note = STAD_STRBUF_INIT;
    pm_run *r = NULL;
    int rc = 0;
    if (!mask || !risk || !c365 || !c8 || !ring || !last || !f || !priv) {
        free(priv);
        rc = stad_fail(ctx, STAD_ENOMEM, "forecast");
        goto done;
    }
    f->priv_ = priv;
    stad_arena_init(&priv->arena, 0);
    size_t ns = pd_mask(d, at, mask);
    if (ns == 0) {
        rc = stad_fail(ctx, STAD_EEMPTY, "forecast: no events before the forecast time");
        goto done;
    }
    if ((rc = pm_run_new(ctx, d, mask, &r)))
        goto done;
    int used = id;
    if ((rc = pm_risk(r, id, at, risk, &used, &note)))
        goto done;
    f->grid = *g;
    f->from = at;
    f->to = at + (int64_t)d->horizon_days * PD_DAY;
    f->method = stad_predict_methods[id];
    f->used = stad_predict_methods[used];
    f->rate = pm_is_rate(used);
    {
        char choice[200]; /* what the decay method chose, so a reader can check it */
        if (pm_decay_choice(r, choice, sizeof choice))
            stad_strbuf_printf(&note, "%s\n", choice);
    }
    stad_strbuf_append(&note, stad_predict_data_notes(d));
    f->note = stad_arena_strdup(&priv->arena, stad_strbuf_str(&note));
    /* the numbers behind the reasons */
    pd_count(d, at - 365 * (int64_t)PD_DAY, at, c365);
    pd_count(d, at - 56 * (int64_t)PD_DAY, at, c8);
    for (int row = 0; row < g->ny; row++)
        for (int col = 0; col < g->nx; col++) {
            double s = 0;
            for (int rr = row - 1; rr <= row + 1; rr++)
                for (int cc = col - 1; cc <= col + 1; cc++)
                    if (rr >= 0 && cc >= 0 && rr < g->ny && cc < g->nx)
                        s += c8[(size_t)rr * g->nx + cc];
            ring[(size_t)row * g->nx + col] = s;
        }
    for (size_t c = 0; c < nc; c++)
        last[c] = 730;
    size_t end = pd_index_at(d, at);
    for (size_t e = pd_index_at(d, at - 730 * (int64_t)PD_DAY); e < end; e++) {
        if (d->c[e] < 0)
            continue;
        double days = (double)(at - d->t[e]) / PD_DAY;
        int col = (int)(d->c[e] % g->nx), row = (int)(d->c[e] / g->nx);
        for (int rr = row - 1; rr <= row + 1; rr++)
            for (int cc = col - 1; cc <= col + 1; cc++)
                if (rr >= 0 && cc >= 0 && rr < g->ny && cc < g->nx &&
                    last[(size_t)rr * g->nx + cc] > days)
                    last[(size_t)rr * g->nx + cc] = days;
    }
    size_t *order = malloc((ns + 1) * sizeof *order);
    f->cells = calloc(ns + 1, sizeof *f->cells);
    if (!order || !f->cells) {
        free(order);
        rc = stad_fail(ctx, STAD_ENOMEM, "forecast");
        goto done;
    }
    size_t k = 0;
    for (size_t c = 0; c < nc; c++)
        if (mask[c])
            order[k++] = c;
    if (pm_sort_cells(order, ns, risk)) {
        free(order);
        rc = stad_fail(ctx, STAD_ENOMEM, "forecast");
        goto done;
    }
    for (size_t i = 0; i < ns; i++) {
        size_t c = order[i];
        stad_forecast_cell *fc = &f->cells[i];
        fc->cell = c;
        fc->rank = (int)i + 1;
        fc->risk = risk[c];
        fc->recent = (int64_t)c365[c];
        fc->x = g->x0 + ((double)(c % (size_t)g->nx) + .5) * g->cell;
        fc->y = g->y0 + ((double)(c / (size_t)g->nx) + .5) * g->cell;
        fc->reason = reason_text(&priv->arena, d, r, at, c, used, c365, ring, last);
        if (!fc->reason) {
            free(order);
            rc = stad_fail(ctx, STAD_ENOMEM, "forecast");
            goto done;
        }
        if (f->rate)
            f->expected_total += risk[c];
    }
    f->n = ns;
    free(order);
    const char **names;
    const double *coef;
    size_t nk = used == PM_COVARIATE || used == PM_ENSEMBLE ? pm_coef(r, &names, &coef) : 0;
    if (nk) {
        f->coef = malloc(nk * sizeof *f->coef);
        f->coef_name = malloc(nk * sizeof *f->coef_name);
        if (!f->coef || !f->coef_name) {
            rc = stad_fail(ctx, STAD_ENOMEM, "forecast");
            goto done;
        }
        for (size_t i = 0; i < nk; i++) {
            f->coef[i] = coef[i];
            f->coef_name[i] = stad_arena_strdup(&priv->arena, names[i]);
        }
        f->n_coef = nk;
    }
done:
    pm_run_free(r);
    stad_strbuf_free(&note);
    free(mask);
    free(risk);
    free(c365);
    free(c8);
    free(ring);
    free(last);
    if (rc) {
        stad_forecast_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int stad_predict_flexteam_hook(void *user, const stad_hotspot_grid *g, int64_t from,
                               int64_t to, double *expected)
{
    stad_flexteam_forecast *h = user;
    const stad_predict_data *d = h->data;
    const char *method = h->method ? h->method : "sepp";
    size_t nc = (size_t)d->g.nx * (size_t)d->g.ny;
    double *risk = malloc(nc * sizeof *risk);
    if (!risk)
        return stad_fail(h->ctx, STAD_ENOMEM, "forecast hook");
    int rc = stad_predict_risk(h->ctx, d, method, from, risk, NULL);
    if (!rc) {
        /* our horizon may differ from the flex team's: scale the expectation */
        double k = (double)(to - from) / ((double)d->horizon_days * PD_DAY);
        memset(expected, 0, (size_t)g->nx * (size_t)g->ny * sizeof *expected);
        for (size_t c = 0; c < nc; c++) {
            if (!(risk[c] > 0))
                continue;
            double x = d->g.x0 + ((double)(c % (size_t)d->g.nx) + .5) * d->g.cell;
            double y = d->g.y0 + ((double)(c / (size_t)d->g.nx) + .5) * d->g.cell;
            long q = stad_hotspot_grid_cell(g, x, y);
            if (q >= 0)
                expected[q] += k * risk[c];
        }
    }
    free(risk);
    return rc;
}
