/* The forecasting methods behind one interface: a risk per grid cell for the window
 * [at, at + horizon) from the events before `at`, and the run that caches what the
 * windows of a backtest share. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "predict/predict_internal.h"

const char *const stad_predict_methods[] = {
    "last", "count365", "count56",   "longrun",  "prospective", "prospective8",
    "decay", "sepp",    "covariate", "ensemble", NULL};
const size_t stad_predict_n_methods = PM_N;

const double stad_predict_coverage[STAD_PREDICT_N_COVERAGE] = {1, 2, 3, 5, 10, 20};

int pm_method_id(const char *name)
{
    for (int i = 0; name && i < PM_N; i++)
        if (strcmp(stad_predict_methods[i], name) == 0)
            return i;
    return -1;
}

int stad_predict_method_known(const char *name) { return pm_method_id(name) >= 0; }

/* Counts and the point process give expected events; the others only an order. */
int pm_is_rate(int id)
{
    return id != PM_PROSPECTIVE && id != PM_PROSPECTIVE8 && id != PM_ENSEMBLE;
}

stad_ctx *pm_ctx(pm_run *r) { return r->ctx; }
const stad_predict_data *pm_data(pm_run *r) { return r->d; }

int pm_run_new(stad_ctx *ctx, const stad_predict_data *d, const unsigned char *cellset,
               pm_run **out)
{
    *out = NULL;
    pm_run *r = calloc(1, sizeof *r);
    if (!r)
        return stad_fail(ctx, STAD_ENOMEM, "forecast");
    r->ctx = ctx;
    r->d = d;
    r->nc = (size_t)d->g.nx * (size_t)d->g.ny;
    r->cells = malloc((r->nc + 1) * sizeof *r->cells);
    r->tmp1 = malloc(r->nc * sizeof *r->tmp1);
    r->tmp2 = malloc(r->nc * sizeof *r->tmp2);
    r->tmp3 = malloc(r->nc * sizeof *r->tmp3);
    if (!r->cells || !r->tmp1 || !r->tmp2 || !r->tmp3) {
        pm_run_free(r);
        return stad_fail(ctx, STAD_ENOMEM, "forecast");
    }
    for (size_t c = 0; c < r->nc; c++)
        if (!cellset || cellset[c])
            r->cells[r->ncells++] = c;
    *out = r;
    return 0;
}

void pm_run_free(pm_run *r)
{
    if (!r)
        return;
    free(r->cells);
    free(r->tmp1);
    free(r->tmp2);
    free(r->tmp3);
    free(r->pair_start);
    free(r->pair_i);
    free(r->pair_dt);
    free(r->pair_d2);
    free(r->pb);
    pm_decay_free(r->decay);
    for (size_t i = 0; i < r->n_memo; i++) {
        free(r->memo[i].risk);
        free(r->memo[i].note);
    }
    free(r->memo);
    for (size_t i = 0; i < r->n_cache; i++)
        free(r->cache[i].x);
    for (int i = 0; i < PM_MAX_FEATURES; i++)
        free(r->fname_own[i]);
    free(r);
}

static void count_scaled(const stad_predict_data *d, int64_t at, int days, double *risk,
                         size_t nc)
{
    memset(risk, 0, nc * sizeof *risk);
    pd_count(d, at - (int64_t)days * PD_DAY, at, risk);
    double k = (double)d->horizon_days / days;
    for (size_t c = 0; c < nc; c++)
        risk[c] *= k;
}

/* Two years of events smoothed by a Gaussian of one cell: places where events keep
 * happening, blurred just enough to include the houses next door. */
static int longrun(pm_run *r, int64_t at, double *risk)
{
    count_scaled(r->d, at, 730, r->tmp1, r->nc);
    if (pd_smooth(&r->d->g, r->tmp1, 1.0, risk))
        return stad_fail(r->ctx, STAD_ENOMEM, "forecast");
    return 0;
}

/* Rank scores (1 = top) of one method's risk over the cell set, added to acc. */
static int add_rank_score(pm_run *r, const double *risk, double *acc)
{
    size_t n = r->ncells;
    size_t *ord = malloc((n + 1) * sizeof *ord);
    if (!ord)
        return STAD_ENOMEM;
    /* counting ranks by sort on (risk desc, cell asc) */
    for (size_t i = 0; i < n; i++)
        ord[i] = r->cells[i];
    double *key = r->tmp3;
    for (size_t i = 0; i < n; i++)
        key[ord[i]] = risk[ord[i]];
    int rc = pm_sort_cells(ord, n, key);
    if (!rc)
        for (size_t i = 0; i < n; i++)
            acc[ord[i]] += 1.0 - (double)i / (double)n;
    free(ord);
    return rc;
}

/* A fitted method's risk, or the long-run count when there are too few events to
 * fit (said in note). */
static int fitted_risk(pm_run *r, int id, int64_t at, double *risk, int *used,
                       stad_strbuf *note)
{
    int rc = id == PM_SEPP       ? pm_sepp(r, at, risk)
             : id == PM_COVARIATE ? pm_covariate(r, at, risk)
                                  : pm_decay_risk(r, at, risk);
    if (rc != STAD_EEMPTY)
        return rc;
    /* too few events to fit: say so, and use the long-run count */
    if (note)
        stad_strbuf_printf(note, "%s\n", stad_errmsg(r->ctx));
    stad_clear_error(r->ctx);
    *used = PM_LONGRUN;
    return longrun(r, at, risk);
}

/* fitted_risk for decay and covariate, kept for the ensemble at the same times. */
static int memo_risk(pm_run *r, int id, int64_t at, double *risk, int *used, stad_strbuf *note)
{
    for (size_t i = 0; i < r->n_memo; i++) {
        const struct pm_memo *m = &r->memo[i];
        if (m->id == id && m->at == at) {
            memcpy(risk, m->risk, r->nc * sizeof *risk);
            *used = m->used;
            if (note && m->note)
                stad_strbuf_append(note, m->note);
            return 0;
        }
    }
    size_t before = note ? note->len : 0;
    int rc = fitted_risk(r, id, at, risk, used, note);
    if (rc || (r->n_memo + 1) * r->nc * sizeof *risk > PM_MEMO_BYTES)
        return rc;
    /* out of memory below only means the ensemble fits it again */
    if (r->n_memo == r->cap_memo) {
        size_t cap = r->cap_memo ? 2 * r->cap_memo : 16;
        struct pm_memo *grown = realloc(r->memo, cap * sizeof *grown);
        if (!grown)
            return 0;
        r->memo = grown;
        r->cap_memo = cap;
    }
    struct pm_memo *m = &r->memo[r->n_memo];
    m->risk = malloc(r->nc * sizeof *m->risk);
    m->note = note && note->len > before ? strdup(note->s + before) : NULL;
    if (!m->risk) {
        free(m->note);
        return 0;
    }
    memcpy(m->risk, risk, r->nc * sizeof *risk);
    m->id = id;
    m->at = at;
    m->used = *used;
    r->n_memo++;
    return 0;
}

int pm_risk(pm_run *r, int id, int64_t at, double *risk, int *used, stad_strbuf *note)
{
    const stad_predict_data *d = r->d;
    *used = id;
    switch (id) {
    case PM_LAST:
        count_scaled(d, at, d->horizon_days, risk, r->nc);
        return 0;
    case PM_COUNT365:
        count_scaled(d, at, 365, risk, r->nc);
        return 0;
    case PM_COUNT56:
        count_scaled(d, at, 56, risk, r->nc);
        return 0;
    case PM_LONGRUN:
        return longrun(r, at, risk);
    case PM_PROSPECTIVE:
        pd_prospective(d, at, 4, 8, risk);
        return 0;
    case PM_PROSPECTIVE8:
        pd_prospective(d, at, 8, 8, risk);
        return 0;
    case PM_DECAY:
    case PM_COVARIATE:
        return memo_risk(r, id, at, risk, used, note);
    case PM_SEPP:
        return fitted_risk(r, id, at, risk, used, note);
    case PM_ENSEMBLE: {
        /* Rank blend, two parts decay to one part covariate: chosen on Cincinnati 2017
         * over the mean of longrun, sepp and covariate and of decay, sepp and covariate
         * (docs/forecasting.md); it ties the latter there and costs a fifth of it. */
        static const int parts[] = {PM_DECAY, PM_COVARIATE};
        static const double weight[] = {2, 1};
        double *acc = calloc(r->nc, sizeof *acc), *tmp = malloc(r->nc * sizeof *tmp);
        int rc = acc && tmp ? 0 : stad_fail(r->ctx, STAD_ENOMEM, "forecast");
        double *part = calloc(r->nc, sizeof *part);
        if (!rc && !part)
            rc = stad_fail(r->ctx, STAD_ENOMEM, "forecast");
        for (size_t k = 0; k < 2 && !rc; k++) {
            int u;
            memset(part, 0, r->nc * sizeof *part);
            rc = pm_risk(r, parts[k], at, tmp, &u, note);
            if (!rc && add_rank_score(r, tmp, part))
                rc = stad_fail(r->ctx, STAD_ENOMEM, "forecast");
            for (size_t c = 0; !rc && c < r->nc; c++)
                acc[c] += weight[k] * part[c];
        }
        if (!rc)
            for (size_t c = 0; c < r->nc; c++)
                risk[c] = acc[c] / 3;
        free(acc);
        free(tmp);
        free(part);
        return rc;
    }
    default:
        return stad_fail(r->ctx, STAD_EINVAL, "forecast: unknown method %d", id);
    }
}
