/* What works for whom: success rates per profile cell with Wilson intervals, a
 * logistic regression on the profile variables, and the change per period; every
 * cell, coefficient and period under the threshold rule (counting households). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "social_internal.h"

#define Z95 1.959963984540054

typedef struct impl {
    social_result_impl pub; /* first: the ledger casts to it */
    social_dataset *d;
} impl;

void stad_social_result_free(stad_social_result *r)
{
    if (!r)
        return;
    impl *im = r->impl_;
    if (im) {
        for (size_t i = 0; i < im->pub.n_sets; i++)
            free(im->pub.sets[i].hh);
        free(im->pub.sets);
        free(im->pub.spec);
        social_dataset_free(im->d);
        free(im);
    }
    for (size_t i = 0; i < r->n_cells; i++)
        free(r->cells[i].values);
    free(r->cells);
    free(r->by);
    for (size_t i = 0; i < r->n_coefs; i++)
        free(r->coefs[i].name);
    free(r->coefs);
    for (size_t i = 0; i < r->n_changes; i++) {
        free(r->changes[i].period);
        free(r->changes[i].previous);
    }
    free(r->changes);
    free(r);
}

static int64_t households_of(const social_dataset *d, const size_t *idx, size_t n,
                             social_cellset *keep)
{
    social_cellset s;
    if (social_cellset_make(d, idx, n, &s))
        return -1;
    int64_t h = (int64_t)s.n;
    if (keep)
        *keep = s;
    else
        free(s.hh);
    return h;
}

static void fill_rate(stad_social_cell *c)
{
    c->rate = c->n ? (double)c->successes / (double)c->n : NAN;
    stad_wilson(c->successes, c->n, Z95, &c->lo, &c->hi);
}

static int model(stad_social_result *r, const social_dataset *d, int threshold)
{
    size_t p = 1;
    for (size_t k = 0; k < d->n_vars; k++)
        if (strcmp(d->vars[k].name, "period") != 0)
            p += d->vars[k].n_levels - 1;
    r->coefs = calloc(p, sizeof *r->coefs);
    size_t *ref = calloc(d->n_vars ? d->n_vars : 1, sizeof *ref);
    size_t *idx = malloc(d->n * sizeof *idx);
    double *X = calloc(d->n * p, sizeof *X), *y = malloc(d->n * sizeof *y);
    double *beta = malloc(p * sizeof *beta), *se = malloc(p * sizeof *se);
    int rc = 0;
    if (!r->coefs || !ref || !idx || !X || !y || !beta || !se) {
        rc = STAD_ENOMEM;
        goto done;
    }
    r->n_coefs = p;
    /* reference level: the most common one, for stable contrasts */
    for (size_t k = 0; k < d->n_vars; k++) {
        const social_var *v = &d->vars[k];
        size_t *cnt = calloc(v->n_levels, sizeof *cnt);
        if (!cnt) {
            rc = STAD_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < d->n; i++)
            cnt[v->code[i]]++;
        for (size_t l = 1; l < v->n_levels; l++)
            if (cnt[l] > cnt[ref[k]])
                ref[k] = l;
        free(cnt);
    }
    stad_social_coef *c = r->coefs;
    c[0].name = strdup("(intercept)");
    size_t col = 1;
    for (size_t i = 0; i < d->n; i++) {
        X[i * p] = 1;
        y[i] = d->y[i];
    }
    for (size_t k = 0; k < d->n_vars; k++) {
        const social_var *v = &d->vars[k];
        if (strcmp(v->name, "period") == 0)
            continue;
        for (size_t l = 0; l < v->n_levels; l++) {
            if (l == ref[k])
                continue;
            size_t m = 0;
            for (size_t i = 0; i < d->n; i++)
                if ((size_t)v->code[i] == l) {
                    X[i * p + col] = 1;
                    idx[m++] = i;
                }
            stad_strbuf nm = STAD_STRBUF_INIT;
            stad_strbuf_printf(&nm, "%s=%s (vs %s)", v->name, v->levels[l], v->levels[ref[k]]);
            c[col].name = stad_strbuf_take(&nm);
            c[col].households = households_of(d, idx, m, NULL);
            col++;
        }
    }
    for (size_t i = 0; i < d->n; i++)
        idx[i] = i;
    c[0].households = households_of(d, idx, d->n, NULL);
    for (size_t j = 0; j < p; j++)
        if (!c[j].name || c[j].households < 0) {
            rc = STAD_ENOMEM;
            goto done;
        }
    int fit = stad_logit_fit(X, y, d->n, p, beta, se);
    if (fit == STAD_ENOMEM) {
        rc = fit;
        goto done;
    }
    r->model_ok = fit == 0;
    for (size_t j = 0; j < p; j++) {
        c[j].beta = r->model_ok ? beta[j] : NAN;
        c[j].se = r->model_ok ? se[j] : NAN;
        c[j].lo = c[j].beta - Z95 * c[j].se;
        c[j].hi = c[j].beta + Z95 * c[j].se;
        c[j].suppressed = c[j].households < threshold;
    }
done:
    free(ref);
    free(idx);
    free(X);
    free(y);
    free(beta);
    free(se);
    return rc;
}

static int changes(stad_social_result *r, const social_dataset *d, int threshold)
{
    size_t np = d->n_periods;
    r->changes = calloc(np ? np : 1, sizeof *r->changes);
    size_t *idx = malloc((d->n ? d->n : 1) * sizeof *idx);
    int64_t *succ = calloc(np ? np : 1, sizeof *succ);
    if (!r->changes || !idx || !succ) {
        free(idx);
        free(succ);
        return STAD_ENOMEM;
    }
    r->n_changes = np;
    int rc = 0;
    for (size_t t = 0; t < np && !rc; t++) {
        stad_social_change *c = &r->changes[t];
        size_t m = 0;
        for (size_t i = 0; i < d->n; i++)
            if ((size_t)d->period[i] == t) {
                idx[m++] = i;
                succ[t] += d->y[i];
            }
        c->period = strdup(d->periods[t]);
        c->n = (int64_t)m;
        c->households = households_of(d, idx, m, NULL);
        c->rate = m ? (double)succ[t] / (double)m : NAN;
        if (!c->period || c->households < 0)
            rc = STAD_ENOMEM;
        c->diff = c->lo = c->hi = c->prev_rate = NAN;
        if (t > 0 && !rc) {
            const stad_social_change *pc = &r->changes[t - 1];
            c->previous = strdup(pc->period);
            c->prev_n = pc->n;
            c->prev_households = pc->households;
            c->prev_rate = pc->rate;
            c->diff = c->rate - c->prev_rate;
            stad_newcombe(succ[t], c->n, succ[t - 1], pc->n, Z95, &c->lo, &c->hi);
            if (!c->previous)
                rc = STAD_ENOMEM;
        }
        c->suppressed = c->households < threshold ||
                        (t > 0 && c->prev_households < threshold);
    }
    free(idx);
    free(succ);
    return rc;
}

static char *spec_of(const stad_social_query *q, int threshold)
{
    stad_strbuf b = STAD_STRBUF_INIT;
    stad_strbuf_printf(&b, "base=%s; outcome=%s==%s; from=%s; to=%s; threshold=%d; by=",
                       q->base, q->outcome, q->success, q->from ? q->from : "",
                       q->to ? q->to : "", threshold);
    for (size_t k = 0; k < q->n_by; k++)
        stad_strbuf_printf(&b, "%s%s", k ? "," : "", q->by[k]);
    stad_strbuf_append(&b, "; where=");
    for (size_t k = 0; q->where && q->where[k]; k++)
        stad_strbuf_printf(&b, "%s%s", k ? "," : "", q->where[k]);
    return stad_strbuf_take(&b);
}

int stad_social_analyse(stad_social_db *db, const stad_social_query *q,
                        stad_social_result **out)
{
    stad_ctx *ctx = db->ctx;
    *out = NULL;
    if (!q->base || !q->outcome || !q->success)
        return stad_fail(ctx, STAD_EINVAL, "analysis needs a base source, an outcome column "
                                           "and its success value");
    int threshold = q->threshold > 0 ? q->threshold : STAD_SOCIAL_THRESHOLD_DEFAULT;
    stad_social_result *r = calloc(1, sizeof *r);
    impl *im = calloc(1, sizeof *im);
    if (!r || !im) {
        free(r);
        free(im);
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    r->impl_ = im;
    r->threshold = threshold;
    int rc = social_dataset_load(db, q, &im->d);
    const social_dataset *d = im->d;
    size_t ncell = 1;
    size_t *dims = NULL, *cell_of = NULL, *start = NULL, *order = NULL;
    int64_t *units = NULL;
    int *supp = NULL;
    for (size_t k = 0; !rc && k < d->n_vars; k++) {
        ncell *= d->vars[k].n_levels;
        if (ncell > 100000)
            rc = stad_fail(ctx, STAD_ERANGE, "the table would have more than 100000 cells");
    }
    if (!rc) {
        dims = malloc((d->n_vars ? d->n_vars : 1) * sizeof *dims);
        cell_of = malloc(d->n * sizeof *cell_of);
        start = calloc(ncell + 1, sizeof *start);
        order = malloc(d->n * sizeof *order);
        units = calloc(ncell, sizeof *units);
        supp = calloc(ncell, sizeof *supp);
        r->cells = calloc(ncell, sizeof *r->cells);
        r->by = calloc(d->n_vars ? d->n_vars : 1, sizeof *r->by);
        im->pub.sets = calloc(ncell + 1, sizeof *im->pub.sets);
        im->pub.spec = spec_of(q, threshold);
        if (!dims || !cell_of || !start || !order || !units || !supp || !r->cells || !r->by ||
            !im->pub.sets || !im->pub.spec)
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    if (!rc) {
        r->n_by = d->n_vars;
        for (size_t k = 0; k < d->n_vars; k++) {
            r->by[k] = d->vars[k].name;
            dims[k] = d->vars[k].n_levels;
        }
        /* bucket the units by cell (counting sort) */
        for (size_t i = 0; i < d->n; i++) {
            size_t c = 0;
            for (size_t k = 0; k < d->n_vars; k++)
                c = c * dims[k] + (size_t)d->vars[k].code[i];
            cell_of[i] = c;
            start[c + 1]++;
        }
        for (size_t c = 0; c < ncell; c++)
            start[c + 1] += start[c];
        size_t *fill = malloc((ncell ? ncell : 1) * sizeof *fill);
        if (!fill) {
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
        } else {
            memcpy(fill, start, ncell * sizeof *fill);
            for (size_t i = 0; i < d->n; i++)
                order[fill[cell_of[i]]++] = i;
            free(fill);
        }
    }
    for (size_t c = 0; !rc && c < ncell; c++) {
        stad_social_cell *cell = &r->cells[c];
        r->n_cells++;
        im->pub.n_sets++;
        cell->values = calloc(d->n_vars ? d->n_vars : 1, sizeof *cell->values);
        if (!cell->values ||
            social_cellset_make(d, order + start[c], start[c + 1] - start[c], &im->pub.sets[c])) {
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
            break;
        }
        size_t rest = c;
        for (size_t k = d->n_vars; k-- > 0;) {
            cell->values[k] = d->vars[k].levels[rest % dims[k]];
            rest /= dims[k];
        }
        cell->n = (int64_t)(start[c + 1] - start[c]);
        for (size_t j = start[c]; j < start[c + 1]; j++)
            cell->successes += d->y[order[j]];
        cell->households = (int64_t)im->pub.sets[c].n;
        units[c] = cell->households;
        fill_rate(cell);
    }
    if (!rc) {
        for (size_t i = 0; i < d->n; i++)
            order[i] = i;
        im->pub.n_sets++;
        if (social_cellset_make(d, order, d->n, &im->pub.sets[ncell]))
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
        r->total.n = (int64_t)d->n;
        for (size_t i = 0; i < d->n; i++)
            r->total.successes += d->y[i];
        r->total.households = (int64_t)im->pub.sets[ncell].n;
        r->total.suppressed = r->total.households < threshold ? STAD_CELL_PRIMARY : 0;
        fill_rate(&r->total);
    }
    if (!rc && stad_suppress(units, dims, d->n_vars, threshold, supp))
        rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
    for (size_t c = 0; !rc && c < ncell; c++)
        r->cells[c].suppressed = supp[c];
    if (!rc && model(r, d, threshold))
        rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
    if (!rc && changes(r, d, threshold))
        rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
    free(dims);
    free(cell_of);
    free(start);
    free(order);
    free(units);
    free(supp);
    if (rc) {
        stad_social_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
