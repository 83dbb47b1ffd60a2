/* Rolling-origin backtest (PROTOCOL.md): fixed study area from the events before the
 * test start, consecutive windows, each forecast from the events before its window,
 * hit rate / PAI / PEI pooled over windows, and for rate methods the ratio of predicted
 * to observed events in the flagged cells. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "predict/predict_internal.h"
#include "stad/timeparse.h"

typedef struct bt_priv {
    stad_strbuf notes;
    char *used[PM_N + 1];
} bt_priv;

void stad_backtest_free(stad_backtest *b)
{
    if (!b)
        return;
    bt_priv *p = b->priv_;
    if (p) {
        stad_strbuf_free(&p->notes);
        for (size_t i = 0; i < b->n && i <= PM_N; i++)
            free(p->used[i]);
        free(p);
    }
    free(b->rows);
    free(b);
}

/* Gaps: spans of more than 3 horizons without events while the history averages at
 * least one event per horizon-long period, worth a word in the notes. */
static void note_gaps(const stad_predict_data *d, int64_t to, stad_strbuf *notes)
{
    size_t end = pd_index_at(d, to);
    if (end < 2)
        return;
    double span = (double)(d->t[end - 1] - d->t[0]);
    double per = (double)end / (span / ((double)d->horizon_days * PD_DAY) + 1);
    if (per < 1)
        return;
    int64_t limit = 3 * (int64_t)d->horizon_days * PD_DAY;
    for (size_t i = 1; i < end; i++)
        if (d->t[i] - d->t[i - 1] > limit) {
            char a[16], b[16];
            stad_date_format(d->t[i - 1], a, sizeof a);
            stad_date_format(d->t[i], b, sizeof b);
            stad_strbuf_printf(notes, "gap in the data: no events between %s and %s (%.0f "
                                      "days); windows in it count as quiet\n",
                               a, b, (double)(d->t[i] - d->t[i - 1]) / PD_DAY);
        }
}

int stad_predict_backtest(stad_ctx *ctx, const stad_predict_data *d,
                          const char *const *methods, size_t n_methods, int64_t from,
                          int64_t to, stad_backtest **out)
{
    *out = NULL;
    if (n_methods == 0 || n_methods > PM_N * 4)
        return stad_fail(ctx, STAD_EINVAL, "backtest: give 1 to %d methods", PM_N * 4);
    int ids[PM_N * 4];
    for (size_t m = 0; m < n_methods; m++)
        if ((ids[m] = pm_method_id(methods[m])) < 0)
            return stad_fail(ctx, STAD_EINVAL, "backtest: unknown method '%s'", methods[m]);
    int64_t H = (int64_t)d->horizon_days * PD_DAY;
    char a[16], b[16], first[16], last[16];
    stad_date_format(from, a, sizeof a);
    stad_date_format(to - 1, b, sizeof b);
    stad_date_format(d->t[0], first, sizeof first);
    stad_date_format(d->t[d->n - 1], last, sizeof last);
    int windows = to > from ? (int)((to - from) / H) : 0;
    if (windows < 1)
        return stad_fail(ctx, STAD_ERANGE,
                         "backtest: %s to %s holds no whole window of %d days", a, b,
                         d->horizon_days);
    if (from > d->t[d->n - 1] || to <= d->t[0])
        return stad_fail(ctx, STAD_ERANGE,
                         "backtest: the test period %s to %s lies outside the data (%s to %s)",
                         a, b, first, last);
    size_t nc = (size_t)d->g.nx * (size_t)d->g.ny;
    unsigned char *mask = malloc(nc);
    if (!mask)
        return stad_fail(ctx, STAD_ENOMEM, "backtest");
    size_t ns = pd_mask(d, from, mask);
    if (ns == 0) {
        free(mask);
        return stad_fail(ctx, STAD_EEMPTY,
                         "backtest: no events before the test start %s (data begin %s)", a,
                         first);
    }
    stad_backtest *bt = calloc(1, sizeof *bt);
    bt_priv *priv = calloc(1, sizeof *priv);
    pm_run *run = NULL;
    double *risk = malloc(nc * sizeof *risk), *obs = calloc(nc, sizeof *obs);
    size_t *order = malloc((ns + 1) * sizeof *order), *study = malloc((ns + 1) * sizeof *study);
    int rc = 0;
    if (!bt || !priv || !risk || !obs || !order || !study) {
        free(priv);
        rc = stad_fail(ctx, STAD_ENOMEM, "backtest");
        goto done;
    }
    bt->priv_ = priv;
    bt->rows = calloc(n_methods, sizeof *bt->rows);
    if (!bt->rows || (rc = pm_run_new(ctx, d, mask, &run))) {
        rc = rc ? rc : stad_fail(ctx, STAD_ENOMEM, "backtest");
        goto done;
    }
    bt->from = from;
    bt->to = from + windows * H;
    bt->windows = windows;
    bt->study_cells = ns;
    bt->history_from = d->t[0];
    bt->events_history = (int64_t)pd_index_at(d, from);
    bt->n = n_methods;
    size_t k = 0;
    for (size_t c = 0; c < nc; c++)
        if (mask[c])
            study[k++] = c;
    note_gaps(d, bt->to, &priv->notes);
    size_t ncov = STAD_PREDICT_N_COVERAGE, kcells[STAD_PREDICT_N_COVERAGE];
    for (size_t j = 0; j < ncov; j++) {
        kcells[j] = (size_t)ceil(stad_predict_coverage[j] / 100.0 * (double)ns - 1e-9);
        if (kcells[j] < 1)
            kcells[j] = 1;
    }
    for (size_t m = 0; m < n_methods && !rc; m++) {
        stad_backtest_row *row = &bt->rows[m];
        row->method = stad_predict_methods[ids[m]];
        row->windows = windows;
        double cap[STAD_PREDICT_N_COVERAGE] = {0}, best[STAD_PREDICT_N_COVERAGE] = {0},
               pred[STAD_PREDICT_N_COVERAGE] = {0};
        int used_mask[PM_N] = {0};
        clock_t t0 = clock();
        int rate = pm_is_rate(ids[m]);
        for (int w = 0; w < windows && !rc; w++) {
            int64_t at = from + w * H;
            int used;
            if ((rc = pm_risk(run, ids[m], at, risk, &used, &priv->notes)))
                break;
            /* a big city's backtest of every method takes minutes: say how far */
            if (stad_progress(ctx, "backtest", (uint64_t)(m * (size_t)windows + (size_t)w + 1),
                              (uint64_t)(n_methods * (size_t)windows))) {
                rc = stad_fail(ctx, STAD_EINTERRUPTED, "backtest: interrupted");
                break;
            }
            used_mask[used] = 1;
            memset(obs, 0, nc * sizeof *obs);
            pd_count(d, at, at + H, obs);
            size_t i0 = pd_index_at(d, at), i1 = pd_index_at(d, at + H);
            for (size_t i = i0; i < i1; i++)
                row->events_all += (int64_t)d->w[i];
            double total = 0;
            for (size_t i = 0; i < ns; i++) {
                total += obs[study[i]];
                if (rate)
                    row->predicted += risk[study[i]];
            }
            row->observed += total;
            row->events += (int64_t)total;
            /* captured by the ranking */
            memcpy(order, study, ns * sizeof *order);
            if (pm_sort_cells(order, ns, risk)) {
                rc = stad_fail(ctx, STAD_ENOMEM, "backtest");
                break;
            }
            double cum = 0, pcum = 0;
            for (size_t i = 0, j = 0; i < ns && j < ncov; i++) {
                cum += obs[order[i]];
                pcum += risk[order[i]];
                while (j < ncov && i + 1 == kcells[j]) {
                    cap[j] += cum;
                    pred[j] += pcum;
                    j++;
                }
            }
            memcpy(order, study, ns * sizeof *order);
            /* best: sort the window's counts descending */
            if (pm_sort_cells(order, ns, obs)) {
                rc = stad_fail(ctx, STAD_ENOMEM, "backtest");
                break;
            }
            {
                double c = 0;
                size_t j = 0;
                for (size_t i = 0; i < ns && j < ncov; i++) {
                    c += obs[order[i]];
                    while (j < ncov && i + 1 == kcells[j]) {
                        best[j] += c;
                        j++;
                    }
                }
            }
        }
        row->seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
        for (size_t j = 0; j < ncov; j++) {
            row->cells[j] = kcells[j];
            /* events outside the study area are misses too (PROTOCOL.md pools all) */
            row->hit[j] = row->events_all > 0 ? cap[j] / (double)row->events_all : NAN;
            row->pai[j] = row->hit[j] / ((double)kcells[j] / (double)ns);
            row->pei[j] = best[j] > 0 ? cap[j] / best[j] : NAN;
            row->calib[j] = rate && cap[j] > 0 ? pred[j] / cap[j] : NAN;
        }
        if (!rate)
            row->predicted = NAN;
        stad_strbuf u = STAD_STRBUF_INIT;
        for (int i = 0; i < PM_N; i++)
            if (used_mask[i])
                stad_strbuf_printf(&u, "%s%s", u.len ? "+" : "", stad_predict_methods[i]);
        priv->used[m] = stad_strbuf_take(&u);
        row->used = priv->used[m] ? priv->used[m] : row->method;
    }
    stad_strbuf_append(&priv->notes, stad_predict_data_notes(d));
    bt->notes = stad_strbuf_str(&priv->notes);
done:
    pm_run_free(run);
    free(mask);
    free(risk);
    free(obs);
    free(order);
    free(study);
    if (rc) {
        stad_backtest_free(bt);
        return rc;
    }
    *out = bt;
    return 0;
}
