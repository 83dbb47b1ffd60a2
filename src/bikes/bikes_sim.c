/* The campaign simulator: a year of orphan bikes on a real street network, and a
 * campaign policy that sees only what a city sees (its own visits' results and
 * complaints), never the hidden intensity.
 *
 * Truth: each wanted street gets an abandonment rate proportional to its length x
 * (cyclists + 5)^0.7 x (bike thefts within 150 m, relative, + 0.2) x (1 + 3
 * exp(-distance to a bike parking / 300 m)) x a log-normal street effect, scaled to
 * `abandon_per_day` city-wide. Orphans stay until removed (or, rarely, vanish);
 * after three weeks each one draws complaints. Labelling marks 95% of the orphans
 * present and some bikes in daily use, whose owners mostly take them away; what is
 * still labelled at the follow-up is removed.
 *
 * Policies, all with the same enforcer-hours and all doing the promised follow-ups
 * first: the planner (yield model + team orienteering), the old practice (label every
 * street, district by district, in a fixed cycle), and random streets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bikes/bikes_internal.h"
#include "stad/route.h"

#include <sqlite3.h>

void stad_bikes_sim_opts_init(stad_bikes_sim_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->days = 365;
    o->campaign_every = 7;
    o->enforcers = 2;
    o->hours = 6;
    o->abandon_per_day = 10;
    o->heterogeneity = 1.0;
    o->parked_labels = 0.5;
    o->complaint_rate = 0.003;
    o->stock_days = 60;
}

static int poisson(stad_route_rng *r, double mean)
{
    if (!(mean > 0))
        return 0;
    if (mean > 30) {
        /* normal approximation (Box-Muller) for large means */
        double u1 = stad_route_rng_uniform(r), u2 = stad_route_rng_uniform(r);
        double z = sqrt(-2 * log(u1 > 1e-300 ? u1 : 1e-300)) * cos(2 * M_PI * u2);
        long v = lround(mean + sqrt(mean) * z);
        return v > 0 ? (int)v : 0;
    }
    double L = exp(-mean), p = 1;
    int k = 0;
    do {
        k++;
        p *= stad_route_rng_uniform(r);
    } while (p > L);
    return k - 1;
}

static double normal(stad_route_rng *r)
{
    double u1 = stad_route_rng_uniform(r), u2 = stad_route_rng_uniform(r);
    return sqrt(-2 * log(u1 > 1e-300 ? u1 : 1e-300)) * cos(2 * M_PI * u2);
}

/* 2017-01-01: any date; only differences matter */
#define SIM_DAY0 (17167 * 86400LL)

enum { OR_PRESENT = 0, OR_LABELLED = 1, OR_REMOVED = 2, OR_VANISHED = 3 };

typedef struct orphan {
    int32_t street;
    int32_t t_ab;  /* day abandoned (negative: the stock at the start) */
    int32_t state;
    int32_t next;  /* next orphan on the same street, -1 = end */
} orphan;

typedef struct simstate {
    const stad_bikes_theme *t;
    const stad_bikes_streets *st;
    const stad_bikes_sim_opts *o;
    stad_route_rng rng;
    double *lambda;    /* hidden truth per street per day */
    double *cum;       /* cumulative lambda for sampling */
    double total;
    orphan *orph;
    size_t n_orph, cap_orph;
    int32_t *head;     /* first orphan per street */
    int *parked_labelled; /* labelled bikes in daily use per street, awaiting follow-up */
    stad_bikes_obs obs;
    /* old practice */
    int64_t *district;
    int64_t *district_order;
    int32_t *district_pos; /* a street's district's place in district_order */
    size_t n_districts, cur_district;
    int32_t *labelled_cycle; /* campaign day the street was last labelled in the cycle */
    int cycle;
    int *taken;        /* day + 1 when a street was visited that campaign day */
    char *wanted;      /* stad_bikes_street_wanted, once per street */
    double mean_traffic;
    double min_per_s;  /* the planner's threshold, removals per second of work */
} simstate;

static int add_orphan(simstate *s, int32_t street, int32_t day)
{
    if (s->n_orph == s->cap_orph) {
        size_t cap = s->cap_orph ? 2 * s->cap_orph : 4096;
        orphan *no = realloc(s->orph, cap * sizeof *no);
        if (!no)
            return STAD_ENOMEM;
        s->orph = no;
        s->cap_orph = cap;
    }
    orphan *p = &s->orph[s->n_orph];
    p->street = street;
    p->t_ab = day;
    p->state = OR_PRESENT;
    p->next = s->head[street];
    s->head[street] = (int32_t)s->n_orph++;
    return 0;
}

/* Count of points within r of each street middle, through a grid of r. */
static void near_counts(const stad_bikes_streets *st, const double *px, const double *py,
                        size_t np, double r, double *out)
{
    for (size_t i = 0; i < st->n; i++)
        out[i] = 0;
    if (!np)
        return;
    /* simple but fine: streets x points with a cheap box test first */
    for (size_t i = 0; i < st->n; i++)
        for (size_t k = 0; k < np; k++) {
            double dx = st->x[i] - px[k], dy = st->y[i] - py[k];
            if (fabs(dx) < r && fabs(dy) < r && dx * dx + dy * dy < r * r)
                out[i] += 1;
        }
}

static int setup_truth(simstate *s)
{
    const stad_bikes_streets *st = s->st;
    const stad_bikes_sim_opts *o = s->o;
    size_t n = st->n;
    double *theft = calloc(n, sizeof *theft);
    if (!theft)
        return STAD_ENOMEM;
    near_counts(st, o->theft_x, o->theft_y, o->n_thefts, 150, theft);
    double mean_theft = 0;
    size_t nw = 0;
    for (size_t i = 0; i < n; i++)
        if (stad_bikes_street_wanted(s->t, st, i)) {
            mean_theft += theft[i];
            nw++;
        }
    mean_theft = nw && mean_theft > 0 ? mean_theft / (double)nw : 1;
    double sum = 0, sig = o->heterogeneity;
    for (size_t i = 0; i < n; i++) {
        double z = normal(&s->rng); /* drawn for every street: same truth per seed */
        if (!stad_bikes_street_wanted(s->t, st, i)) {
            s->lambda[i] = 0;
            continue;
        }
        double park = 1;
        if (o->n_parkings) {
            double best = INFINITY;
            for (size_t k = 0; k < o->n_parkings; k++) {
                double dd = hypot(st->x[i] - o->parking_x[k], st->y[i] - o->parking_y[k]);
                if (dd < best)
                    best = dd;
            }
            park = 1 + 3 * exp(-best / 300);
        }
        double w = st->length[i] * pow(st->traffic[i] + 5, 0.7) *
                   (theft[i] / mean_theft + 0.2) * park * exp(sig * z - sig * sig / 2);
        s->lambda[i] = w;
        sum += w;
    }
    free(theft);
    if (!(sum > 0))
        return STAD_EEMPTY;
    double acc = 0;
    for (size_t i = 0; i < n; i++) {
        s->lambda[i] *= o->abandon_per_day / sum;
        acc += s->lambda[i];
        s->cum[i] = acc;
    }
    s->total = acc;
    return 0;
}

static size_t sample_street(simstate *s)
{
    double u = stad_route_rng_uniform(&s->rng) * s->total;
    size_t lo = 0, hi = s->st->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->cum[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Districts for the old practice: the wijk, or a 1.5 km square without areas. */
static int setup_districts(simstate *s)
{
    const stad_bikes_streets *st = s->st;
    size_t n = st->n;
    s->district = malloc(n * sizeof *s->district);
    s->district_order = malloc(n * sizeof *s->district_order);
    s->labelled_cycle = malloc(n * sizeof *s->labelled_cycle);
    if (!s->district || !s->district_order || !s->labelled_cycle)
        return STAD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        s->district[i] = st->wijk[i] ? st->wijk[i]
                                     : 1000000000LL + (int64_t)floor(st->x[i] / 1500) * 100000 +
                                           (int64_t)floor(st->y[i] / 1500);
        s->district_order[i] = s->district[i];
        s->labelled_cycle[i] = -1;
    }
    qsort(s->district_order, n, sizeof *s->district_order, cmp_i64);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || s->district_order[k - 1] != s->district_order[i])
            s->district_order[k++] = s->district_order[i];
    s->n_districts = k;
    s->district_pos = malloc(n * sizeof *s->district_pos);
    if (!s->district_pos)
        return STAD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = k - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s->district_order[mid] < s->district[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        s->district_pos[i] = (int32_t)lo;
    }
    return 0;
}

/* Bikes in daily use that a labelling visit of street i labels, on average. */
static double in_use_mean(const simstate *s, size_t i)
{
    double busy = s->mean_traffic > 0 ? s->st->traffic[i] / s->mean_traffic : 1;
    return s->o->parked_labels * (busy < 5 ? busy : 5);
}

/* The policy's view as a yield struct: the planner's real model, the truth for the
 * oracle, or scores that make the router follow the old practice or random streets. */
static void policy_scores(simstate *s, stad_bikes_yield *y)
{
    const stad_bikes_streets *st = s->st;
    if (s->o->policy == STAD_BIKES_POLICY_RANDOM) {
        for (size_t i = 0; i < st->n; i++) {
            y->mean[i] = stad_route_rng_uniform(&s->rng);
            y->lo[i] = y->hi[i] = y->mean[i];
            y->labels[i] = y->mean[i] / y->removal_share;
        }
        return;
    }
    if (s->o->policy == STAD_BIKES_POLICY_ORACLE) {
        for (size_t i = 0; i < st->n; i++) {
            int present = 0;
            for (int32_t q = s->head[i]; q >= 0; q = s->orph[q].next)
                present += s->orph[q].state == OR_PRESENT;
            y->mean[i] = y->lo[i] = y->hi[i] = 0.95 * present;
            y->labels[i] = y->mean[i] + in_use_mean(s, i);
        }
        return;
    }
    if (s->o->policy != STAD_BIKES_POLICY_OLD)
        return;
    /* the current district until all its streets are labelled this cycle; the
     * districts after it weigh 100 times less each, as filler for a day that ends
     * early (never more than one street of the current district) */
    for (int guard = 0; guard < (int)s->n_districts + 1; guard++) {
        int64_t cur = s->district_order[s->cur_district];
        size_t left = 0;
        for (size_t i = 0; i < st->n; i++)
            left += s->district[i] == cur && s->wanted[i] &&
                    s->labelled_cycle[i] < s->cycle;
        if (left)
            break;
        s->cur_district++;
        if (s->cur_district == s->n_districts) {
            s->cur_district = 0;
            s->cycle++;
        }
    }
    for (size_t i = 0; i < st->n; i++) {
        int todo = s->labelled_cycle[i] < s->cycle;
        size_t ahead = ((size_t)s->district_pos[i] + s->n_districts - s->cur_district) %
                       s->n_districts;
        double v = todo ? pow(0.01, (double)ahead) : 0;
        y->mean[i] = y->lo[i] = y->hi[i] = v;
        y->labels[i] = v / y->removal_share;
    }
}

/* One visit carried out against the truth, if it fits in the day: 0 done, 1 did not
 * fit (nothing happens), < 0 out of memory. */
static int visit_street(simstate *s, stad_bikes_sim_result *r, int day, size_t si, int action,
                        double *clock, double budget, double *px, double *py)
{
    const stad_bikes_theme *t = s->t;
    const stad_bikes_streets *st = s->st;
    const stad_bikes_sim_opts *o = s->o;
    double travel = hypot(st->x[si] - *px, st->y[si] - *py) * t->detour / (t->travel_kmh / 3.6);
    int64_t now = SIM_DAY0 + (int64_t)day * 86400;
    stad_bikes_visit v = {.street = si, .t = now + 28800 + (int64_t)*clock, .action = action};
    if (action == STAD_BIKES_FOLLOWUP) {
        int removed = 0, returned = 0, wrong = 0;
        for (int32_t q = s->head[si]; q >= 0; q = s->orph[q].next)
            removed += s->orph[q].state == OR_LABELLED;
        for (int j = 0; j < s->parked_labelled[si]; j++) {
            if (stad_route_rng_uniform(&s->rng) < 0.05)
                removed++, wrong++;
            else
                returned++;
        }
        double work = bikes_service_s(t, st->length[si], 0, removed);
        if (*clock + travel + work > budget)
            return 1; /* stays due: first thing next campaign day */
        r->false_removals += wrong;
        for (int32_t q = s->head[si]; q >= 0; q = s->orph[q].next) {
            orphan *p = &s->orph[q];
            if (p->state != OR_LABELLED)
                continue;
            p->state = OR_REMOVED;
            r->removed++;
            if (p->t_ab >= 0 && p->t_ab < o->days - 56 && day - p->t_ab <= 56)
                r->removed_8w++;
        }
        s->parked_labelled[si] = 0;
        v.removed = removed;
        v.returned = returned;
        r->followups++;
        *clock += travel + work;
    } else {
        int labels = 0;
        for (int32_t q = s->head[si]; q >= 0; q = s->orph[q].next)
            labels += s->orph[q].state == OR_PRESENT;
        int parked = poisson(&s->rng, in_use_mean(s, si));
        double work = bikes_service_s(t, st->length[si], labels + parked, 0);
        if (*clock + travel + work > budget)
            return 1;
        int placed = 0;
        for (int32_t q = s->head[si]; q >= 0; q = s->orph[q].next) {
            orphan *p = &s->orph[q];
            if (p->state == OR_PRESENT && stad_route_rng_uniform(&s->rng) < 0.95) {
                p->state = OR_LABELLED;
                placed++;
            }
        }
        s->parked_labelled[si] += parked;
        v.labels = placed + parked;
        r->labels += v.labels;
        r->visits++;
        r->empty_visits += placed == 0;
        s->labelled_cycle[si] = s->cycle;
        *clock += travel + work;
    }
    *px = st->x[si];
    *py = st->y[si];
    return stad_bikes_obs_add_visit(&s->obs, &v) ? STAD_ENOMEM : 0;
}

/* The street to label next when the planned route is done: the policy's score (the
 * planner's mean + explore x sd, the baselines' own scores) per second of travel and
 * work, among the streets not visited today, without labels out, that fit in the time
 * left; for the planner only those above its threshold. -1 when none. */
static long next_street(simstate *s, const stad_bikes_yield *y, int day, double clock,
                        double budget, double px, double py)
{
    const stad_bikes_theme *t = s->t;
    const stad_bikes_streets *st = s->st;
    double speed = t->travel_kmh / 3.6, best = 0;
    long pick = -1;
    int planner = s->o->policy == STAD_BIKES_POLICY_PLANNER ||
                  s->o->policy == STAD_BIKES_POLICY_ORACLE;
    for (size_t i = 0; i < st->n; i++) {
        if (s->taken[i] == day + 1 || y->outstanding[i] > 0 || !(y->mean[i] > 0) ||
            !s->wanted[i])
            continue;
        double score = y->mean[i], labels = 0;
        if (planner) {
            score += t->explore * (y->hi[i] - y->lo[i]) / 3.29;
            labels = y->labels[i];
        }
        double work = bikes_service_s(t, st->length[i], labels, 0);
        if (planner && s->min_per_s > 0 && score / work < s->min_per_s)
            continue;
        double travel = hypot(st->x[i] - px, st->y[i] - py) * t->detour / speed;
        if (clock + travel + work > budget)
            continue;
        double v = score / (travel + work);
        if (v > best) {
            best = v;
            pick = (long)i;
        }
    }
    return pick;
}

int stad_bikes_simulate(stad_ctx *ctx, const stad_bikes_theme *t,
                        const stad_bikes_streets *st, const stad_bikes_sim_opts *o,
                        stad_bikes_sim_result *r)
{
    memset(r, 0, sizeof *r);
    if (!st->n || o->days < 1 || o->campaign_every < 1 || o->enforcers < 1 || !(o->hours > 0))
        return stad_fail(ctx, STAD_EINVAL, "simulate: need streets, days, enforcers and hours");
    simstate s = {.t = t, .st = st, .o = o};
    size_t n = st->n;
    int rc = 0;
    stad_route_rng_seed(&s.rng, o->seed);
    s.lambda = calloc(n, sizeof *s.lambda);
    s.cum = calloc(n, sizeof *s.cum);
    s.head = malloc(n * sizeof *s.head);
    s.parked_labelled = calloc(n, sizeof *s.parked_labelled);
    s.taken = calloc(n, sizeof *s.taken);
    s.wanted = malloc(n);
    s.min_per_s = t->min_yield_per_hour / 3600;
    if (!s.lambda || !s.cum || !s.head || !s.parked_labelled || !s.taken || !s.wanted ||
        setup_districts(&s)) {
        rc = stad_fail(ctx, STAD_ENOMEM, "simulate: out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        s.head[i] = -1;
        s.wanted[i] = (char)stad_bikes_street_wanted(t, st, i);
        s.mean_traffic += st->traffic[i] / (double)n;
    }
    if ((rc = setup_truth(&s))) {
        rc = stad_fail(ctx, rc, "simulate: no street of the theme's kinds to simulate on");
        goto done;
    }
    /* a stock of orphans from the days before the start (those that vanished in the
     * meantime, 1 in 1,000 a day, are not drawn) */
    for (size_t i = 0; i < n && o->stock_days > 0; i++) {
        double days = o->stock_days;
        double kept = (1 - exp(-days / 1000)) * 1000 / days;
        int k = poisson(&s.rng, s.lambda[i] * days * kept);
        r->stock += k;
        for (int j = 0; j < k; j++)
            if (add_orphan(&s, (int32_t)i,
                           -1 - (int32_t)(stad_route_rng_next(&s.rng) % (uint64_t)o->stock_days))) {
                rc = stad_fail(ctx, STAD_ENOMEM, "simulate: out of memory");
                goto done;
            }
    }
    long iters = o->iterations > 0 ? o->iterations : 20;
    for (int day = 0; day < o->days; day++) {
        int64_t now = SIM_DAY0 + (int64_t)day * 86400;
        int k = poisson(&s.rng, s.total);
        for (int j = 0; j < k; j++)
            if (add_orphan(&s, (int32_t)sample_street(&s), day)) {
                rc = stad_fail(ctx, STAD_ENOMEM, "simulate: out of memory");
                goto done;
            }
        r->abandoned += k;
        for (size_t q = 0; q < s.n_orph; q++) {
            orphan *p = &s.orph[q];
            if (p->state >= OR_REMOVED)
                continue;
            if (stad_route_rng_uniform(&s.rng) < 1.0 / 1000) { /* taken by someone */
                p->state = OR_VANISHED;
                continue;
            }
            if (day - p->t_ab >= 21 && stad_route_rng_uniform(&s.rng) < o->complaint_rate) {
                r->complaints++;
                if (stad_bikes_obs_add_complaint(&s.obs, (size_t)p->street, now + 43200)) {
                    rc = stad_fail(ctx, STAD_ENOMEM, "simulate: out of memory");
                    goto done;
                }
            }
        }
        if (day % o->campaign_every != o->campaign_every - 1)
            continue;
        /* campaign day: the policy plans on what it has seen */
        stad_bikes_yield *y = NULL;
        stad_bikes_plan *plan = NULL;
        if ((rc = stad_bikes_yield_fit(ctx, t, st, &s.obs, now, &y)))
            goto done;
        policy_scores(&s, y);
        stad_bikes_plan_opts po = {.date = now, .enforcers = o->enforcers, .hours = o->hours,
                                   .iterations = iters,
                                   .seed = o->seed * 1000003ULL + (uint64_t)day};
        /* the baselines fill their hours; only the planner may leave them free */
        if (o->policy == STAD_BIKES_POLICY_OLD || o->policy == STAD_BIKES_POLICY_RANDOM)
            po.min_yield_per_hour = -1;
        rc = stad_bikes_plan_make(ctx, t, st, y, &po, &plan);
        if (rc) {
            stad_bikes_yield_free(y);
            goto done;
        }
        r->enforcer_hours += o->enforcers * o->hours;
        /* carry out each route; work beyond the hours (estimates were off) is dropped,
         * and an enforcer whose route ends early goes on with the street the policy
         * rates best per second from where she stands (old practice: the nearest
         * street of the district), as a real team would */
        for (int e = 0; e < o->enforcers && !rc; e++) {
            double clock = 0, px = plan->depot_x, py = plan->depot_y;
            double budget = o->hours * 3600;
            for (size_t q = 0; q < plan->n_stops && !rc; q++) {
                const stad_bikes_stop *sp = &plan->stops[q];
                if (sp->enforcer != e)
                    continue;
                s.taken[sp->street] = day + 1;
                rc = visit_street(&s, r, day, sp->street, sp->action, &clock, budget, &px, &py);
                if (rc == 1) /* does not fit: skipped, the route goes on */
                    rc = 0;
            }
            while (!rc) {
                long next = next_street(&s, y, day, clock, budget, px, py);
                if (next < 0)
                    break;
                s.taken[next] = day + 1;
                rc = visit_street(&s, r, day, (size_t)next, STAD_BIKES_LABEL, &clock, budget,
                                  &px, &py);
                if (rc == 1) /* did not fit after all: the day is over */
                    rc = 0, clock = budget;
            }
            if (clock > 0) /* and back to the depot */
                clock += hypot(plan->depot_x - px, plan->depot_y - py) * t->detour /
                         (t->travel_kmh / 3.6);
            r->worked_hours += (clock < budget ? clock : budget) / 3600;
        }
        stad_bikes_yield_free(y);
        if (rc < 0) {
            stad_bikes_plan_free(plan);
            rc = stad_fail(ctx, STAD_ENOMEM, "simulate: out of memory");
            goto done;
        }
        rc = 0;
        stad_bikes_plan_free(plan);
        if ((rc = stad_progress(ctx, "simulating", (uint64_t)day + 1, (uint64_t)o->days)))
            goto done;
    }
    for (size_t q = 0; q < s.n_orph; q++)
        if (s.orph[q].t_ab >= 0 && s.orph[q].t_ab < o->days - 56)
            r->eligible_8w++;
    r->removed_per_hour = r->enforcer_hours > 0 ? (double)r->removed / r->enforcer_hours : 0;
    r->removed_per_worked_hour = r->worked_hours > 0 ? (double)r->removed / r->worked_hours : 0;
    r->share_8w = r->eligible_8w ? (double)r->removed_8w / (double)r->eligible_8w : 0;
done:
    free(s.lambda);
    free(s.cum);
    free(s.head);
    free(s.parked_labelled);
    free(s.orph);
    free(s.district);
    free(s.district_order);
    free(s.district_pos);
    free(s.labelled_cycle);
    free(s.taken);
    free(s.wanted);
    stad_bikes_obs_clear(&s.obs);
    return rc;
}

int stad_bikes_sim_inputs(stad_ctx *ctx, stad_store *s, double **theft_x, double **theft_y,
                          size_t *n_thefts, double **park_x, double **park_y,
                          size_t *n_parks)
{
    *theft_x = *theft_y = *park_x = *park_y = NULL;
    *n_thefts = *n_parks = 0;
    const char *kinds[] = {"theft.bike"};
    stad_event_filter f = {.kinds = kinds, .n_kinds = 1};
    stad_events *ev = NULL;
    int rc = stad_events_load(s, &f, &ev);
    if (rc)
        return rc;
    size_t k = 0;
    *theft_x = malloc((ev->n ? ev->n : 1) * sizeof(double));
    *theft_y = malloc((ev->n ? ev->n : 1) * sizeof(double));
    if (!*theft_x || !*theft_y) {
        stad_events_free(ev);
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < ev->n; i++)
        if (isfinite(ev->x[i]) && isfinite(ev->y[i])) {
            (*theft_x)[k] = ev->x[i];
            (*theft_y)[k++] = ev->y[i];
        }
    *n_thefts = k;
    stad_events_free(ev);
    sqlite3 *db = stad_store_db(s);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT x, y FROM asset WHERE kind IN ('bike_parking', "
                               "'bike_rack') AND x IS NOT NULL",
                           -1, &q, NULL) != SQLITE_OK)
        return stad_fail(ctx, STAD_ESTORE, "reading bike parkings: %s", sqlite3_errmsg(db));
    size_t cap = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (*n_parks == cap) {
            cap = cap ? 2 * cap : 64;
            double *nx = realloc(*park_x, cap * sizeof *nx);
            if (nx)
                *park_x = nx;
            double *ny = realloc(*park_y, cap * sizeof *ny);
            if (ny)
                *park_y = ny;
            if (!nx || !ny) {
                sqlite3_finalize(q);
                return stad_fail(ctx, STAD_ENOMEM, "out of memory");
            }
        }
        (*park_x)[*n_parks] = sqlite3_column_double(q, 0);
        (*park_y)[(*n_parks)++] = sqlite3_column_double(q, 1);
    }
    sqlite3_finalize(q);
    return 0;
}
