/* Unit tests of the bikes model's additions for planning a whole city: the prior
 * regression on what a city knows of every street (cyclist counts, a hint such as
 * bike thefts nearby), the hint count itself, the planner's stop threshold
 * (min_yield_per_hour), and the simulator's start stock and hours worked. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stad/bikes.h"
#include "test_bikes_util.h"

#define DAY 86400LL

static void test_hint_near(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_streets *st = toy_streets(3, 10); /* middles at x = 0, 100, 200; y = 0 */
    double px[] = {0, 10, 150, 5000}, py[] = {0, 10, 0, 0};
    assert_int_equal(stad_bikes_streets_hint_near(ctx, st, px, py, 4, 60), 0);
    /* street 0: (0,0) and (10,10); street 1: (150,0) at 50 m; street 2: the same */
    assert_true(st->hint[0] == 2 && st->hint[1] == 1 && st->hint[2] == 1);
    assert_int_equal(stad_bikes_streets_hint_near(ctx, st, px, py, 0, 60), 0);
    assert_true(st->hint[0] == 0 && st->hint[2] == 0);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

/* Each of the first `visited` streets labelled once (first visit: exposure 180 days)
 * and followed up with removed = round(5 (1 + cyclists)^0.7). */
static void visit_power_law(stad_bikes_obs *o, size_t visited, const stad_bikes_streets *st,
                            int64_t t0)
{
    for (size_t i = 0; i < visited; i++) {
        int r = (int)lround(5 * pow(1 + st->traffic[i], 0.7));
        stad_bikes_visit a = {.street = i, .t = t0, .action = STAD_BIKES_LABEL, .labels = r};
        stad_bikes_visit b = {.street = i, .t = t0 + 28 * DAY, .action = STAD_BIKES_FOLLOWUP,
                              .removed = r};
        assert_int_equal(stad_bikes_obs_add_visit(o, &a), 0);
        assert_int_equal(stad_bikes_obs_add_visit(o, &b), 0);
    }
}

static void test_prior_regression(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_streets *st = toy_streets(42, 10);
    st->hint = calloc(42, sizeof(double));
    for (size_t i = 0; i < 42; i++)
        st->hint[i] = (double)((i * 7) % 5); /* unrelated to what is found */
    stad_bikes_obs o = {0};
    int64_t t0 = 17000 * DAY;
    visit_power_law(&o, 40, st, t0); /* streets 40 and 41 never visited */
    stad_bikes_yield *y;
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0 + 60 * DAY, &y), 0);
    assert_int_equal(y->n_visited, 40);
    /* the slope on log(1 + cyclists) is learnt (rounding and the weak penalty keep it
     * from being exactly 0.7); the unrelated hint gets about none */
    assert_true(fabs(y->prior_slope_traffic - 0.7) < 0.03);
    assert_true(fabs(y->prior_slope_hint) < 0.05);
    /* never-visited street 41 (410 cyclists) is expected to gather more per metre than
     * street 40 (400), by about (411/401)^0.7, and far more than the city-wide rate */
    double ratio = y->prior_rate_per_m[41] / y->prior_rate_per_m[40];
    assert_true(fabs(ratio - pow(411.0 / 401.0, 0.7)) < 0.01);
    double city = y->prior_alpha / y->prior_beta_per_m;
    assert_true(y->prior_rate_per_m[41] > 1.5 * city);
    /* and its expectation follows its prior: rate x 1000 m x 180 days */
    assert_true(fabs(y->mean[41] - y->prior_rate_per_m[41] * 1000 * 180) <
                1e-9 * y->mean[41]);
    /* the street effects are fully explained: the shape hits its upper clamp */
    assert_true(y->prior_alpha > 50);
    stad_bikes_yield_free(y);
    /* with cyclist counts that do not vary the fit is the city-wide one (slope 0) */
    for (size_t i = 0; i < 42; i++)
        st->traffic[i] = 100;
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0 + 60 * DAY, &y), 0);
    assert_true(fabs(y->prior_slope_traffic) < 1e-12);
    /* streets 1 and 41 have the same hint (2): the same prior */
    assert_true(fabs(y->prior_rate_per_m[41] - y->prior_rate_per_m[1]) <
                1e-9 * y->prior_rate_per_m[1]);
    stad_bikes_yield_free(y);
    stad_bikes_obs_clear(&o);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

/* Before any campaign results the prior goes with cyclists and hint by the theme's
 * elasticity, keeping the city-wide rate; with 0 it is by length alone. */
static void test_prior_cold_start(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    assert_true(t.cold_start_elasticity == 0.5);
    stad_bikes_streets *st = toy_streets(4, 0);
    double cyc[4] = {0, 3, 15, 0}, hint[4] = {0, 0, 3, 8};
    st->hint = calloc(4, sizeof(double));
    for (size_t i = 0; i < 4; i++) {
        st->traffic[i] = cyc[i];
        st->hint[i] = hint[i];
    }
    st->length[3] = 3000;
    stad_bikes_obs o = {0};
    int64_t t0 = 17000 * DAY;
    stad_bikes_yield *y;
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0, &y), 0);
    /* weights ((1 + cyclists)(1 + hint))^0.5: 1, 2, 8, 3; scaled so that the
     * length-weighted mean is the theme's 0.05 per km-day */
    double w[4] = {1, 2, 8, 3}, sw = 0, sl = 0;
    for (size_t i = 0; i < 4; i++)
        sw += w[i] * st->length[i], sl += st->length[i];
    for (size_t i = 0; i < 4; i++) {
        double want = 0.05 / 1000 * w[i] * sl / sw;
        if (fabs(y->prior_rate_per_m[i] - want) > 1e-12 * want)
            fail_msg("street %zu: prior %g per m-day, expected %g", i, y->prior_rate_per_m[i],
                     want);
    }
    stad_bikes_yield_free(y);
    /* elasticity 0: one rate, the theme's */
    t.cold_start_elasticity = 0;
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0, &y), 0);
    for (size_t i = 0; i < 4; i++)
        assert_true(fabs(y->prior_rate_per_m[i] - 0.05 / 1000) < 1e-15);
    stad_bikes_yield_free(y);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

static size_t label_stops(const stad_bikes_plan *p)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n_stops; i++)
        k += p->stops[i].action == STAD_BIKES_LABEL;
    return k;
}

static void test_plan_threshold(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_streets *st = toy_streets(10, 10);
    stad_bikes_obs o = {0};
    int64_t t0 = 17000 * DAY;
    /* street 2 has labels out and is due: a follow-up is promised whatever the
     * threshold */
    stad_bikes_visit a = {.street = 2, .t = t0, .action = STAD_BIKES_LABEL, .labels = 3};
    assert_int_equal(stad_bikes_obs_add_visit(&o, &a), 0);
    stad_bikes_yield *y;
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0 + 28 * DAY, &y), 0);
    /* before data: 0.05 per km-day x 1 km x 180 days = 9 expected per street, work
     * 60 s + 900 s walking + 15 labels x 40 s = 1,560 s: about 21 per hour */
    stad_bikes_plan_opts po = {.date = t0 + 28 * DAY, .enforcers = 1, .hours = 3,
                               .has_depot = 1, .seed = 1};
    stad_bikes_plan *p;
    assert_int_equal(stad_bikes_plan_make(ctx, &t, st, y, &po, &p), 0); /* theme: 1/h */
    size_t normal = label_stops(p);
    assert_true(normal > 0);
    assert_int_equal(p->followups_planned, 1);
    stad_bikes_plan_free(p);
    po.min_yield_per_hour = 1000; /* nothing is worth that: only the promise is kept */
    assert_int_equal(stad_bikes_plan_make(ctx, &t, st, y, &po, &p), 0);
    assert_int_equal(label_stops(p), 0);
    assert_int_equal(p->followups_planned, 1);
    assert_true(p->route_s[0] < 3600);
    stad_bikes_plan_free(p);
    t.min_yield_per_hour = 1000; /* the same from the theme ... */
    po.min_yield_per_hour = 0;
    assert_int_equal(stad_bikes_plan_make(ctx, &t, st, y, &po, &p), 0);
    assert_int_equal(label_stops(p), 0);
    stad_bikes_plan_free(p);
    po.min_yield_per_hour = -1; /* ... and switched off by the caller (baselines) */
    assert_int_equal(stad_bikes_plan_make(ctx, &t, st, y, &po, &p), 0);
    assert_int_equal(label_stops(p), normal);
    stad_bikes_plan_free(p);
    stad_bikes_yield_free(y);
    stad_bikes_obs_clear(&o);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

static void test_simulator_stock_and_hours(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_streets *st = toy_streets(30, 10);
    stad_bikes_sim_opts o;
    stad_bikes_sim_opts_init(&o);
    o.days = 90;
    o.abandon_per_day = 3;
    o.hours = 2;
    o.iterations = 20;
    stad_bikes_sim_result a, b;
    o.stock_days = 0;
    assert_int_equal(stad_bikes_simulate(ctx, &t, st, &o, &a), 0);
    assert_int_equal(a.stock, 0);
    o.stock_days = 365;
    assert_int_equal(stad_bikes_simulate(ctx, &t, st, &o, &b), 0);
    /* a year's stock at 3 a day, less what vanished (1 in 1,000 a day): about 900 */
    assert_true(b.stock > 800 && b.stock < 1000);
    assert_true(b.removed > a.removed);
    for (int pol = 0; pol < 3; pol++) {
        o.policy = pol;
        assert_int_equal(stad_bikes_simulate(ctx, &t, st, &o, &a), 0);
        assert_true(a.worked_hours > 0 && a.worked_hours <= a.enforcer_hours + 1e-9);
        assert_true(fabs(a.removed_per_worked_hour * a.worked_hours - (double)a.removed) <
                    1e-6);
    }
    /* a planner told that nothing is worth an hour works only its promised
     * follow-ups, i.e. not at all when it never labels */
    t.min_yield_per_hour = 1e4;
    o.policy = STAD_BIKES_POLICY_PLANNER;
    assert_int_equal(stad_bikes_simulate(ctx, &t, st, &o, &a), 0);
    assert_int_equal(a.labels, 0);
    assert_true(a.worked_hours == 0);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

/* Bikes in daily use: labelled at every visit, gone by the follow-up. Twelve streets
 * with equal yields (5 removed each), six of them with 20 bikes in use at the visit.
 * The model learns which streets cost labelling time and the planner goes to the
 * others first. */
static void test_in_use_learnt(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_streets *st = toy_streets(12, 0);
    stad_bikes_obs o = {0};
    int64_t t0 = 17000 * DAY;
    for (size_t i = 0; i < 12; i++) {
        stad_bikes_visit a = {.street = i, .t = t0, .action = STAD_BIKES_LABEL,
                              .labels = 5 + (i < 6 ? 20 : 0)};
        stad_bikes_visit b = {.street = i, .t = t0 + 28 * DAY,
                              .action = STAD_BIKES_FOLLOWUP, .removed = 5};
        assert_int_equal(stad_bikes_obs_add_visit(&o, &a), 0);
        assert_int_equal(stad_bikes_obs_add_visit(&o, &b), 0);
    }
    stad_bikes_yield *y;
    int64_t date = t0 + 120 * DAY;
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, date, &y), 0);
    /* city mean 10 per visit, relative spread (12 x 100 / 10 - 12) / 120 = 0.9, so
     * shape 1/0.9: street 0 (1.11 + 20) / (0.111 + 1) = 19.0, street 6 1.0 */
    assert_true(fabs(y->in_use_alpha - 1 / 0.9) < 1e-6);
    assert_true(fabs(y->labels[0] - y->mean[0] - 19.0) < 0.01);
    assert_true(fabs(y->labels[6] - y->mean[6] - 1.0) < 0.01);
    assert_true(fabs(y->mean[0] - y->mean[6]) < 1e-9); /* the same yield */
    stad_bikes_plan_opts po = {.date = date, .enforcers = 1, .hours = 2, .has_depot = 1,
                               .depot_x = 550, .seed = 1};
    stad_bikes_plan *p;
    assert_int_equal(stad_bikes_plan_make(ctx, &t, st, y, &po, &p), 0);
    size_t quiet = 0, busy = 0;
    for (size_t k = 0; k < p->n_stops; k++)
        if (p->stops[k].action == STAD_BIKES_LABEL)
            p->stops[k].street >= 6 ? quiet++ : busy++;
    assert_true(quiet >= 3 && quiet > busy);
    stad_bikes_plan_free(p);
    stad_bikes_yield_free(y);
    /* Labels out on a busy street (no follow-up yet): what is expected to be found
     * there is the labels less its bikes in use, not a share of all labels. */
    stad_bikes_visit c = {.street = 0, .t = date, .action = STAD_BIKES_LABEL, .labels = 25};
    assert_int_equal(stad_bikes_obs_add_visit(&o, &c), 0);
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, date + DAY, &y), 0);
    double pending_items = y->alpha[0] - y->prior_alpha;
    stad_bikes_yield_free(y);
    /* alpha gains the decayed items of both visits: 5 x 0.5^(121/90) and 25 - 19.0 */
    double w1 = pow(0.5, 121.0 / t.half_life_days), w2 = pow(0.5, 1.0 / t.half_life_days);
    assert_true(fabs(pending_items - (5 * w1 + (25 - 19.0) * w2)) < 0.05);
    stad_bikes_obs_clear(&o);
    /* Fewer than five streets with completed visits: labels = items / removal share. */
    for (size_t i = 0; i < 4; i++) {
        stad_bikes_visit a = {.street = i, .t = t0, .action = STAD_BIKES_LABEL, .labels = 25};
        stad_bikes_visit b = {.street = i, .t = t0 + 28 * DAY,
                              .action = STAD_BIKES_FOLLOWUP, .removed = 5};
        assert_int_equal(stad_bikes_obs_add_visit(&o, &a), 0);
        assert_int_equal(stad_bikes_obs_add_visit(&o, &b), 0);
    }
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, date, &y), 0);
    assert_true(y->in_use_alpha == 0);
    assert_true(fabs(y->labels[0] - y->mean[0] / y->removal_share) < 1e-9);
    stad_bikes_yield_free(y);
    stad_bikes_obs_clear(&o);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

/* Labels to take along: the expected labels of the route's labellings plus 1.28 sd of
 * their sum (each stop's sd from its 90% interval), rounded up; follow-ups need none. */
static void test_labels_to_take(void **state)
{
    (void)state;
    stad_bikes_stop stops[] = {
        {.enforcer = 0, .action = STAD_BIKES_LABEL, .labels = 10, .lo = 1, .hi = 1 + 3.29 * 3},
        {.enforcer = 0, .action = STAD_BIKES_LABEL, .labels = 5.5, .lo = 2, .hi = 2 + 3.29 * 4},
        {.enforcer = 0, .action = STAD_BIKES_FOLLOWUP, .expected = 7, .lo = 7, .hi = 7},
        {.enforcer = 1, .action = STAD_BIKES_LABEL, .labels = 2, .lo = 2, .hi = 2},
    };
    stad_bikes_plan p = {.enforcers = 3, .n_stops = 4, .stops = stops};
    /* 15.5 + 1.2816 x sqrt(9 + 16) = 21.908: 22 */
    assert_int_equal(stad_bikes_plan_labels_to_take(&p, 0), 22);
    assert_int_equal(stad_bikes_plan_labels_to_take(&p, 1), 2); /* no spread: exactly 2 */
    assert_int_equal(stad_bikes_plan_labels_to_take(&p, 2), 0); /* no stops */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hint_near),
        cmocka_unit_test(test_prior_regression),
        cmocka_unit_test(test_prior_cold_start),
        cmocka_unit_test(test_plan_threshold),
        cmocka_unit_test(test_in_use_learnt),
        cmocka_unit_test(test_labels_to_take),
        cmocka_unit_test(test_simulator_stock_and_hours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
