/* Campaign planning: the follow-ups that are due, then the streets with the most
 * expected items per minute of work, routed for a team through team orienteering. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bikes/bikes_internal.h"
#include "stad/route.h"

void stad_bikes_plan_free(stad_bikes_plan *p)
{
    if (!p)
        return;
    free(p->stops);
    free(p->route_s);
    free(p->way_first);
    free(p->way_x);
    free(p->way_y);
    free(p->way_lon);
    free(p->way_lat);
    free(p);
}

typedef struct cand {
    size_t street;
    double key;
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return x->street < y->street ? -1 : x->street > y->street;
}

/* Promised follow-ups weigh more than any street's yield, so the router takes them
 * first whenever they fit. */
#define FOLLOWUP_SCORE 1e6

int stad_bikes_plan_make(stad_ctx *ctx, const stad_bikes_theme *t,
                         const stad_bikes_streets *st, const stad_bikes_yield *y,
                         const stad_bikes_plan_opts *o, stad_bikes_plan **out)
{
    *out = NULL;
    if (o->enforcers < 1 || o->enforcers > 100 || !(o->hours > 0) || o->hours > 24)
        return stad_fail(ctx, STAD_EINVAL, "plan: need 1-100 enforcers and 0-24 hours, got %d "
                                           "and %g",
                         o->enforcers, o->hours);
    if (y->n != st->n)
        return stad_fail(ctx, STAD_EINVAL, "plan: yield model and streets differ");
    size_t maxc = o->max_candidates ? o->max_candidates : 250;
    size_t n = st->n;
    cand *c = malloc((n ? n : 1) * sizeof *c);
    size_t *fu = malloc((n ? n : 1) * sizeof *fu);
    if (!c || !fu) {
        free(c);
        free(fu);
        return stad_fail(ctx, STAD_ENOMEM, "plan: out of memory");
    }
    size_t nfu = 0, nc = 0;
    const int64_t wait = (int64_t)t->waiting_days * 86400;
    const double min_per_s =
        (o->min_yield_per_hour == 0 ? t->min_yield_per_hour : o->min_yield_per_hour) / 3600;
    for (size_t i = 0; i < n; i++) {
        if (y->outstanding[i] > 0) {
            if (y->labelled_t[i] + wait <= o->date)
                fu[nfu++] = i;
            continue; /* labels out: nothing to label until the follow-up */
        }
        if (!stad_bikes_street_wanted(t, st, i) || !(y->mean[i] > 0))
            continue;
        double sd = (y->hi[i] - y->lo[i]) / 3.29;
        double score = y->mean[i] + t->explore * sd;
        double svc = bikes_service_s(t, st->length[i], y->labels[i], 0);
        if (min_per_s > 0 && score / svc < min_per_s)
            continue; /* not worth an hour of work, even optimistically */
        c[nc++] = (cand){i, score / svc};
    }
    qsort(c, nc, sizeof *c, cmp_cand);
    if (nfu > maxc)
        nfu = maxc; /* the oldest are first in street order; the rest wait a day */
    if (nc > maxc - nfu)
        nc = maxc - nfu;
    size_t N = 1 + nfu + nc;
    double *x = malloc(N * sizeof *x), *yy = malloc(N * sizeof *yy);
    double *d = malloc(N * N * sizeof *d), *score = calloc(N, sizeof *score);
    double *svc = calloc(N, sizeof *svc);
    size_t *street = calloc(N, sizeof *street);
    stad_bikes_plan *p = calloc(1, sizeof *p);
    stad_route_op_solution sol = {0};
    int rc = 0;
    if (!x || !yy || !d || !score || !svc || !street || !p) {
        rc = stad_fail(ctx, STAD_ENOMEM, "plan: out of memory");
        goto done;
    }
    double cx = 0, cy = 0;
    for (size_t i = 0; i < n; i++) {
        cx += st->x[i] / (double)n;
        cy += st->y[i] / (double)n;
    }
    x[0] = o->has_depot ? o->depot_x : cx;
    yy[0] = o->has_depot ? o->depot_y : cy;
    for (size_t k = 0; k < nfu; k++) {
        size_t s = fu[k], j = 1 + k;
        street[j] = s;
        x[j] = st->x[s];
        yy[j] = st->y[s];
        score[j] = FOLLOWUP_SCORE + y->outstanding[s];
        svc[j] = bikes_service_s(t, st->length[s], 0, y->outstanding[s] * y->removal_share);
    }
    for (size_t k = 0; k < nc; k++) {
        size_t s = c[k].street, j = 1 + nfu + k;
        street[j] = s;
        x[j] = st->x[s];
        yy[j] = st->y[s];
        double sd = (y->hi[s] - y->lo[s]) / 3.29;
        score[j] = y->mean[s] + t->explore * sd;
        svc[j] = bikes_service_s(t, st->length[s], y->labels[s], 0);
    }
    double speed = t->travel_kmh / 3.6;
    if (o->matrix_override) {
        memcpy(d, o->matrix_override, N * N * sizeof *d);
    } else {
        if (o->graph)
            rc = stad_route_graph_matrix(o->graph, N, x, yy, 250, t->detour, d, NULL);
        else
            rc = stad_route_matrix_euclid(ctx, N, x, yy, t->detour, d);
        if (rc)
            goto done;
        for (size_t i = 0; i < N * N; i++)
            d[i] /= speed;
    }
    stad_route_op op = {.n = N, .d = d, .score = score, .service = svc, .start = 0, .end = 0,
                        .teams = o->enforcers, .budget = o->hours * 3600};
    /* No time limit: the iterations bound the work, and a plan must be a function of
     * the data, date, team and seed alone, so that the command line, the dashboard and
     * the handhelds show the same one on a busy or slow machine too (with a limit of
     * 20 s, two runs under the sanitizers gave different plans). */
    stad_route_op_opts ro = {.iterations = o->iterations ? o->iterations : 200,
                             .time_limit = 0, .seed = o->seed ? o->seed : 1};
    if ((rc = stad_route_op_solution_alloc(&op, &sol))) {
        rc = stad_fail(ctx, rc, "plan: out of memory");
        goto done;
    }
    if ((rc = stad_route_op_solve(ctx, &op, &ro, &sol)))
        goto done;
    size_t total = sol.first[o->enforcers];
    p->stops = calloc(total ? total : 1, sizeof *p->stops);
    p->route_s = calloc((size_t)o->enforcers, sizeof *p->route_s);
    if (!p->stops || !p->route_s) {
        rc = stad_fail(ctx, STAD_ENOMEM, "plan: out of memory");
        goto done;
    }
    p->date = o->date;
    p->enforcers = o->enforcers;
    p->hours = o->hours;
    p->depot_x = x[0];
    p->depot_y = yy[0];
    p->depot_lon = p->depot_lat = NAN;
    p->followups_due = nfu;
    for (int k = 0; k < o->enforcers; k++) {
        double clock = 0;
        size_t prev = 0;
        for (size_t q = sol.first[k]; q < sol.first[k + 1]; q++) {
            size_t j = (size_t)sol.nodes[q];
            clock += d[prev * N + j];
            stad_bikes_stop *s = &p->stops[p->n_stops++];
            s->street = street[j];
            s->enforcer = k;
            s->order = (int)(q - sol.first[k]) + 1;
            s->action = j <= nfu ? STAD_BIKES_FOLLOWUP : STAD_BIKES_LABEL;
            s->expected = s->action == STAD_BIKES_FOLLOWUP ? y->outstanding[street[j]]
                                                           : y->mean[street[j]];
            s->lo = s->action == STAD_BIKES_FOLLOWUP ? s->expected : y->lo[street[j]];
            s->hi = s->action == STAD_BIKES_FOLLOWUP ? s->expected : y->hi[street[j]];
            s->labels = s->action == STAD_BIKES_FOLLOWUP ? 0 : y->labels[street[j]];
            s->arrive_s = clock;
            s->service_s = svc[j];
            clock += svc[j];
            if (s->action == STAD_BIKES_FOLLOWUP)
                p->followups_planned++;
            else
                p->expected_total += s->expected;
            prev = j;
        }
        p->route_s[k] = sol.length[k];
    }
done:
    stad_route_op_solution_free(&sol);
    free(c);
    free(fu);
    free(x);
    free(yy);
    free(d);
    free(score);
    free(svc);
    free(street);
    if (rc)
        stad_bikes_plan_free(p);
    else
        *out = p;
    return rc;
}

int stad_bikes_plan_labels_to_take(const stad_bikes_plan *p, int e)
{
    double sum = 0, var = 0;
    for (size_t i = 0; i < p->n_stops; i++) {
        const stad_bikes_stop *s = &p->stops[i];
        if (s->enforcer != e || s->action != STAD_BIKES_LABEL)
            continue;
        double sd = (s->hi - s->lo) / 3.29; /* a 90% interval spans 3.29 sd */
        sum += s->labels;
        var += sd * sd;
    }
    return (int)ceil(sum + 1.2816 * sqrt(var) - 1e-9);
}
