/* Unit tests of the bikes module: the yield model against hand-computed posteriors
 * (shrinkage, recency decay, exposure), the follow-up list, idempotent recording in
 * a real store under $STAD_TMP, a plan on a toy street set, the simulator's
 * determinism per seed, and the streets' routing graph with the segments' bends. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "stad/bikes.h"
#include "stad/geo.h"
#include "stad/route.h"
#include "stad/store.h"
#include "bikes/bikes_internal.h"
#include "test_bikes_util.h"

#define DAY 86400LL

static char tmpdir[512];

static void test_decay_and_quantile(void **state)
{
    (void)state;
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    assert_true(fabs(stad_bikes_decay(&t, 0) - 1) < 1e-12);
    assert_true(fabs(stad_bikes_decay(&t, 120) - 0.5) < 1e-12);  /* one half-life */
    assert_true(fabs(stad_bikes_decay(&t, 240) - 0.25) < 1e-12);
    /* gamma(100, 1): median ~ 99.67, 95% ~ 116.99 (tables; W-H is good to ~0.1) */
    assert_true(fabs(stad_bikes_gamma_quantile(100, 1, 0.5) - 99.67) < 0.1);
    assert_true(fabs(stad_bikes_gamma_quantile(100, 1, 0.95) - 116.99) < 0.2);
    assert_true(fabs(stad_bikes_gamma_quantile(100, 2, 0.95) - 116.99 / 2) < 0.1);
}

static void test_yield_shrinkage(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_streets *st = toy_streets(3, 0);
    stad_bikes_obs o = {0};
    int64_t t0 = 17000 * DAY;
    /* street 0: labelled 10 at t0 (first visit: exposure = cap 180 days), 9 removed
     * at the follow-up 28 days later. */
    stad_bikes_visit v1 = {.street = 0, .t = t0, .action = STAD_BIKES_LABEL, .labels = 10};
    stad_bikes_visit v2 = {.street = 0, .t = t0 + 28 * DAY, .action = STAD_BIKES_FOLLOWUP,
                           .removed = 9, .returned = 1};
    assert_int_equal(stad_bikes_obs_add_visit(&o, &v1), 0);
    assert_int_equal(stad_bikes_obs_add_visit(&o, &v2), 0);
    stad_bikes_yield *y;
    /* date = t0 + 120 days: weight 0.5. Fewer than 5 visited streets: prior mean
     * 0.05 per km-day = 5e-5 per m-day, alpha0 0.5, so beta0 = 0.5 / (5e-5 x 1000) = 10.
     * alpha = 0.5 + 0.5 x 9 = 5, beta = 10 + 0.5 x 180 = 100: rate 0.05 per day;
     * expected on the date: 0.05 x min(120, 180) = 6. */
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0 + 120 * DAY, &y), 0);
    assert_true(fabs(y->prior_alpha - 0.5) < 1e-12);
    assert_true(fabs(y->alpha[0] - 5) < 1e-9);
    assert_true(fabs(y->beta[0] - 100) < 1e-9);
    assert_true(fabs(y->rate[0] - 0.05) < 1e-12);
    assert_true(fabs(y->mean[0] - 6) < 1e-9);
    assert_true(y->lo[0] < 6 && y->hi[0] > 6);
    /* an unvisited street keeps the prior: 5e-5 x 1000 x 180 = 9 */
    assert_true(fabs(y->mean[1] - 9) < 1e-9);
    /* removal share: (9 + 10 x 0.6) / (10 + 10) = 0.75 */
    assert_true(fabs(y->removal_share - 0.75) < 1e-12);
    assert_int_equal(y->outstanding[0], 0);
    stad_bikes_yield_free(y);
    /* The same evidence 240 days old weighs 0.25: alpha = 0.5 + 2.25 = 2.75,
     * beta = 10 + 45 = 55, rate 0.05 again (the ratio is unchanged) but the interval
     * is wider: decay forgets precision, not the mean. */
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0 + 240 * DAY, &y), 0);
    assert_true(fabs(y->alpha[0] - 2.75) < 1e-9);
    assert_true(fabs(y->beta[0] - 55) < 1e-9);
    double wide = (y->hi[0] - y->lo[0]) / y->mean[0];
    stad_bikes_yield_free(y);
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0 + 120 * DAY, &y), 0);
    assert_true((y->hi[0] - y->lo[0]) / y->mean[0] < wide);
    stad_bikes_yield_free(y);
    /* A visit that found nothing (street 1, 0 labels, at t0) lowers its estimate:
     * alpha = 0.5 + 0, beta = 10 + 0.5 x 180 = 100: rate 0.005, mean 0.6. */
    stad_bikes_visit v3 = {.street = 1, .t = t0, .action = STAD_BIKES_LABEL, .labels = 0};
    assert_int_equal(stad_bikes_obs_add_visit(&o, &v3), 0);
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0 + 120 * DAY, &y), 0);
    assert_true(fabs(y->mean[1] - 0.6) < 1e-9);
    stad_bikes_yield_free(y);
    /* A complaint since the last labelling adds signal_weight x decay pseudo-items:
     * street 2 complaint 0 days before the date: alpha 0.5 + 0.5 = 1, rate 1/10. */
    assert_int_equal(stad_bikes_obs_add_complaint(&o, 2, t0 + 120 * DAY - 1), 0);
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0 + 120 * DAY, &y), 0);
    assert_true(fabs(y->rate[2] - 0.1) < 1e-6);
    stad_bikes_yield_free(y);
    stad_bikes_obs_clear(&o);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

static void test_eb_prior(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_streets *st = toy_streets(6, 0);
    stad_bikes_obs o = {0};
    int64_t t0 = 17000 * DAY;
    /* six streets, one visit each with exposure 180 days x 1000 m = 180000 m-days,
     * removals 0, 0, 0, 18, 18, 36: m = 72 / 1.08e6 = 6.667e-5 per m-day.
     * rates r_s = R / 180000: 0,0,0,1e-4,1e-4,2e-4. V = mean of (r - m)^2 (equal
     * exposures) = [3 x 4.444e-9 + 2 x 1.111e-9 + 1.7778e-8]/6 = 5.5556e-9.
     * between = V - m x 6 / 1.08e6 = 5.5556e-9 - 3.7037e-10 = 5.1852e-9;
     * alpha0 = m^2 / between = 4.4444e-9 / 5.1852e-9 = 0.857143 (= 6/7). */
    int removed[] = {0, 0, 0, 18, 18, 36};
    for (size_t i = 0; i < 6; i++) {
        stad_bikes_visit a = {.street = i, .t = t0, .action = STAD_BIKES_LABEL,
                              .labels = removed[i] ? removed[i] : 0};
        stad_bikes_visit b = {.street = i, .t = t0 + DAY, .action = STAD_BIKES_FOLLOWUP,
                              .removed = removed[i]};
        assert_int_equal(stad_bikes_obs_add_visit(&o, &a), 0);
        if (removed[i])
            assert_int_equal(stad_bikes_obs_add_visit(&o, &b), 0);
    }
    stad_bikes_yield *y;
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0 + 2 * DAY, &y), 0);
    assert_int_equal(y->n_visited, 6);
    assert_true(fabs(y->prior_alpha - 6.0 / 7.0) < 1e-6);
    assert_true(fabs(y->prior_beta_per_m - (6.0 / 7.0) / (72.0 / 1.08e6)) < 1e-3);
    /* street 5 (36 found): shrunk between its own rate 2e-4 and m, i.e. per day
     * between 0.0667 and 0.2 */
    double w = stad_bikes_decay(&t, 2);
    double a5 = 6.0 / 7.0 + w * 36, b5 = (6.0 / 7.0) / (72.0 / 1.08e6) / 1000 + w * 180;
    assert_true(fabs(y->rate[5] - a5 / b5) < 1e-9);
    assert_true(y->rate[5] < 0.2 && y->rate[5] > 0.0667);
    stad_bikes_yield_free(y);
    stad_bikes_obs_clear(&o);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

static void test_followups_and_plan(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_streets *st = toy_streets(10, 0);
    stad_bikes_obs o = {0};
    int64_t t0 = 17000 * DAY;
    stad_bikes_visit a = {.street = 3, .t = t0, .action = STAD_BIKES_LABEL, .labels = 4};
    stad_bikes_visit b = {.street = 4, .t = t0 + 5 * DAY, .action = STAD_BIKES_LABEL, .labels = 2};
    assert_int_equal(stad_bikes_obs_add_visit(&o, &a), 0);
    assert_int_equal(stad_bikes_obs_add_visit(&o, &b), 0);
    stad_bikes_followup *f;
    size_t n;
    /* on t0 + 28 days only street 3 is due; with a 5-day horizon both */
    assert_int_equal(stad_bikes_followups(ctx, &t, &o, t0 + 28 * DAY, 0, &f, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].street, 3);
    assert_int_equal(f[0].labels, 4);
    free(f);
    assert_int_equal(stad_bikes_followups(ctx, &t, &o, t0 + 28 * DAY, 5, &f, &n), 0);
    assert_int_equal(n, 2);
    free(f);
    /* The plan on t0 + 28 days takes the due follow-up first (street 3) and does
     * not label street 4 (its labels are out). */
    stad_bikes_yield *y;
    assert_int_equal(stad_bikes_yield_fit(ctx, &t, st, &o, t0 + 28 * DAY, &y), 0);
    stad_bikes_plan_opts po = {.date = t0 + 28 * DAY, .enforcers = 1, .hours = 2,
                               .has_depot = 1, .depot_x = 0, .depot_y = 0, .seed = 1};
    stad_bikes_plan *p;
    assert_int_equal(stad_bikes_plan_make(ctx, &t, st, y, &po, &p), 0);
    assert_int_equal(p->followups_due, 1);
    assert_int_equal(p->followups_planned, 1);
    int saw3 = 0;
    for (size_t i = 0; i < p->n_stops; i++) {
        assert_true(p->stops[i].street != 4);
        if (p->stops[i].street == 3)
            saw3 = p->stops[i].action == STAD_BIKES_FOLLOWUP;
    }
    assert_true(saw3);
    assert_true(p->route_s[0] <= 2 * 3600 + 1e-6);
    stad_bikes_plan_free(p);
    stad_bikes_yield_free(y);
    /* After the follow-up, nothing is due. */
    stad_bikes_visit c = {.street = 3, .t = t0 + 28 * DAY, .action = STAD_BIKES_FOLLOWUP,
                          .removed = 3, .returned = 1};
    assert_int_equal(stad_bikes_obs_add_visit(&o, &c), 0);
    assert_int_equal(stad_bikes_followups(ctx, &t, &o, t0 + 28 * DAY, 0, &f, &n), 0);
    assert_int_equal(n, 0);
    free(f);
    stad_bikes_obs_clear(&o);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

static void test_record_idempotent(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/record.db", tmpdir);
    unlink(path);
    stad_store *s;
    assert_int_equal(stad_store_open(ctx, path, &s), 0);
    assert_int_equal(sqlite3_exec(stad_store_db(s),
                                  "INSERT INTO street(id, length_m, x, y, lon, lat, kind) "
                                  "VALUES (7, 120, 233000, 582000, 6.56, 53.21, 'residential')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_record r = {.street_id = 7, .t = 17000 * DAY, .action = STAD_BIKES_LABEL,
                           .labels = 3, .idem_key = "handheld-1-0001"};
    int dup = -1;
    assert_int_equal(stad_bikes_record_visit(ctx, s, &t, &r, &dup), 0);
    assert_int_equal(dup, 0);
    /* resend: no-op */
    assert_int_equal(stad_bikes_record_visit(ctx, s, &t, &r, &dup), 0);
    assert_int_equal(dup, 1);
    /* a visit that found nothing is kept too */
    stad_bikes_record z = {.street_id = 7, .t = 17001 * DAY, .action = STAD_BIKES_LABEL,
                           .idem_key = "handheld-1-0002"};
    assert_int_equal(stad_bikes_record_visit(ctx, s, &t, &z, &dup), 0);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(stad_store_db(s),
                                        "SELECT count(*), sum(labels) FROM campaign_visit", -1,
                                        &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 2);
    assert_int_equal(sqlite3_column_int(q, 1), 3);
    sqlite3_finalize(q);
    const char *kinds[] = {"bike.labelled"};
    stad_event_filter f = {.kinds = kinds, .n_kinds = 1};
    int64_t ne = 0;
    assert_int_equal(stad_store_events_count(s, &f, &ne), 0);
    assert_int_equal(ne, 1);
    /* unknown street and bad counts are refused */
    r.street_id = 8;
    r.idem_key = NULL;
    assert_int_equal(stad_bikes_record_visit(ctx, s, &t, &r, NULL), STAD_ENOTFOUND);
    r.street_id = 7;
    r.removed = 2;
    assert_int_equal(stad_bikes_record_visit(ctx, s, &t, &r, NULL), STAD_EINVAL);
    stad_store_close(s);
    stad_ctx_free(ctx);
}

static void test_simulator_seeded(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_streets *st = toy_streets(30, 0);
    stad_bikes_sim_opts o;
    stad_bikes_sim_opts_init(&o);
    o.days = 90;
    o.abandon_per_day = 3;
    o.hours = 2;
    stad_bikes_sim_result a, b;
    assert_int_equal(stad_bikes_simulate(ctx, &t, st, &o, &a), 0);
    assert_int_equal(stad_bikes_simulate(ctx, &t, st, &o, &b), 0);
    assert_int_equal(a.removed, b.removed);
    assert_int_equal(a.abandoned, b.abandoned);
    assert_true(a.removed > 0);
    assert_true(a.removed_8w <= a.eligible_8w);
    /* 90 days, a campaign every 7: 12 campaign days x 2 enforcers x 2 h */
    assert_true(fabs(a.enforcer_hours - 48) < 1e-9);
    /* the oracle (the hidden truth) against random streets: knowing where the
     * orphans are must pay */
    stad_bikes_sim_result oracle, random;
    o.policy = STAD_BIKES_POLICY_ORACLE;
    assert_int_equal(stad_bikes_simulate(ctx, &t, st, &o, &oracle), 0);
    o.policy = STAD_BIKES_POLICY_RANDOM;
    assert_int_equal(stad_bikes_simulate(ctx, &t, st, &o, &random), 0);
    assert_true(oracle.removed > random.removed);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

static void test_theme_files(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    const char *src = getenv("STAD_SOURCE_DIR");
    char path[600];
    snprintf(path, sizeof path, "%s/config/themes/waste.conf", src ? src : ".");
    stad_bikes_theme t;
    assert_int_equal(stad_bikes_theme_load(ctx, path, &t), 0);
    assert_string_equal(t.name, "waste");
    assert_string_equal(t.title, "Afval naast containers");
    assert_int_equal(t.waiting_days, 2);
    assert_string_equal(t.signals[0], "complaint.waste");
    snprintf(path, sizeof path, "%s/bad.conf", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("[theme]\nwaiting_days = soon\n", f);
    fclose(f);
    assert_int_equal(stad_bikes_theme_load(ctx, path, &t), STAD_EPARSE);
    assert_non_null(strstr(stad_errmsg(ctx), "bad.conf:2"));
    /* the depot: longitude, latitude in degrees; anything else names its line */
    snprintf(path, sizeof path, "%s/depot.conf", tmpdir);
    f = fopen(path, "w");
    fputs("[theme]\nname = depot\ndepot = 6.5841, 53.2104\n", f);
    fclose(f);
    assert_int_equal(stad_bikes_theme_load(ctx, path, &t), 0);
    assert_true(t.has_depot && t.depot_lon == 6.5841 && t.depot_lat == 53.2104);
    assert_string_equal(t.title, "depot"); /* no title: the name */
    static const char *const bad[] = {"6.58", "53.2, 6.58, 1", "233000, 582000", ", 53.2",
                                      "6.58; 53.2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = fopen(path, "w");
        fprintf(f, "[theme]\n\ndepot = %s\n", bad[i]);
        fclose(f);
        assert_int_equal(stad_bikes_theme_load(ctx, path, &t), STAD_EPARSE);
        assert_non_null(strstr(stad_errmsg(ctx), "depot.conf:3"));
    }
    stad_ctx_free(ctx);
}

/* The streets' graph carries each segment's geometry: the way between its ends bends
 * through its middle point instead of cutting across. */
/* An unnamed segment is described by the nearest named one within the distance,
 * between ends and middles: a long path meeting a street at a junction is "bij" it. */
static void test_near_names(void **state)
{
    (void)state;
    stad_bikes_streets *st = toy_streets(4, 0);
    st->name = calloc(4, sizeof *st->name);
    /* 0: named, x 0..100 at y 0; 1: unnamed, a 2 km path that starts at 0's end;
     * 2: named, 140 m beyond 1's far end; 3: unnamed, 400 m from everything */
    double seg[4][4] = {{0, 0, 100, 0}, {100, 0, 2100, 0}, {2240, 0, 2300, 0},
                        {1000, 400, 1010, 400}};
    for (size_t i = 0; i < 4; i++) {
        st->x0[i] = seg[i][0];
        st->y0[i] = seg[i][1];
        st->x1[i] = seg[i][2];
        st->y1[i] = seg[i][3];
        st->x[i] = (seg[i][0] + seg[i][2]) / 2;
        st->y[i] = (seg[i][1] + seg[i][3]) / 2;
    }
    st->name[0] = strdup("Vismarkt");
    st->name[2] = strdup("Akerkhof");
    assert_int_equal(bikes_streets_find_near(st, STAD_BIKES_NEAR_M), 0);
    assert_null(st->near[0]);
    assert_null(st->near[2]);
    /* both ends of 1 are near a named segment: the junction (0 m) wins over 140 m */
    assert_non_null(st->near[1]);
    assert_string_equal(st->near[1], "Vismarkt");
    assert_null(st->near[3]);
    char label[128];
    bikes_street_label(st, 1, label, sizeof label);
    assert_string_equal(label, "(woonstraat bij Vismarkt)");
    bikes_street_label(st, 3, label, sizeof label);
    assert_string_equal(label, "(woonstraat)");
    bikes_street_label(st, 0, label, sizeof label);
    assert_string_equal(label, "Vismarkt");
    stad_bikes_streets_free(st);
}

static void test_streets_graph_bends(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/graph.db", tmpdir);
    unlink(path);
    stad_store *s;
    assert_int_equal(stad_store_open(ctx, path, &s), 0); /* no city.crs: RD New */
    stad_transform *tr;
    assert_int_equal(stad_transform_new(ctx, STAD_CRS_WGS84, STAD_CRS_DEFAULT, &tr), 0);
    double lon[] = {6.560, 6.565, 6.570}, lat[] = {53.210, 53.213, 53.210}, x[3], y[3];
    for (int i = 0; i < 3; i++) {
        x[i] = lon[i];
        y[i] = lat[i];
    }
    assert_int_equal(stad_transform_apply(tr, 3, x, y), 0);
    stad_transform_free(tr);
    stad_bikes_streets *st = toy_streets(1, 0);
    st->x0[0] = x[0];
    st->y0[0] = y[0];
    st->x1[0] = x[2];
    st->y1[0] = y[2];
    st->length[0] = hypot(x[1] - x[0], y[1] - y[0]) + hypot(x[2] - x[1], y[2] - y[1]);
    st->geojson[0] = strdup("{ \"type\": \"LineString\", \"coordinates\": "
                            "[ [ 6.560, 53.210 ], [ 6.565, 53.213 ], [ 6.570, 53.210 ] ] }");
    void *graph = NULL;
    assert_int_equal(stad_bikes_streets_graph(ctx, s, st, &graph), 0);
    stad_route_polyline pl = {0};
    assert_int_equal(stad_route_graph_path(graph, x[2], y[2], x[0], y[0], 10, &pl), 0);
    assert_int_equal(pl.n, 3); /* walked backwards: end, the bend, start */
    assert_true(fabs(pl.x[1] - x[1]) < 0.01 && fabs(pl.y[1] - y[1]) < 0.01);
    stad_route_polyline_clear(&pl);
    stad_route_graph_free(graph);
    /* a segment without geometry, or a MultiLineString, is drawn straight */
    free(st->geojson[0]);
    st->geojson[0] = strdup("{ \"type\": \"MultiLineString\", \"coordinates\": "
                            "[ [ [ 6.560, 53.210 ], [ 6.565, 53.213 ] ], "
                            "[ [ 6.565, 53.213 ], [ 6.570, 53.210 ] ] ] }");
    assert_int_equal(stad_bikes_streets_graph(ctx, s, st, &graph), 0);
    assert_int_equal(stad_route_graph_path(graph, x[0], y[0], x[2], y[2], 10, &pl), 0);
    assert_int_equal(pl.n, 2);
    stad_route_polyline_clear(&pl);
    stad_route_graph_free(graph);
    stad_bikes_streets_free(st);
    stad_store_close(s);
    stad_ctx_free(ctx);
}

/* Campaign results that came in as events from a file become visits: per street and
 * day one labelling (labels summed) and one follow-up; a labelling without removals
 * is closed as "found nothing" once relabelled after its waiting period or two
 * waiting periods old; a removal alone gets its labelling a waiting period before. */
static void test_imported_results(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/import.db", tmpdir);
    unlink(path);
    stad_store *s;
    assert_int_equal(stad_store_open(ctx, path, &s), 0);
    int64_t src = 0, batch = 0;
    assert_int_equal(stad_store_source_ensure(s, "campagnes", &src), 0);
    stad_batch_row b = {.source_id = src, .file_name = "campagnes.csv", .sha256 = "00",
                        .target = "event"};
    assert_int_equal(stad_store_batch_create(s, &b, &batch), 0);
    const int64_t t0 = 17000 * DAY;
    struct {
        int street, day, count;
        const char *kind;
    } rows[] = {
        {0, 100, 4, "bike.removed"},                            /* a removal alone */
        {1, 10, 3, "bike.labelled"}, {1, 10, 2, "bike.labelled"}, /* one labelling of 5 */
        {1, 60, 1, "bike.labelled"},                            /* relabelled after 28 days */
        {2, 190, 2, "bike.labelled"},                           /* recent: stays open */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        stad_event_row e = {.batch_id = batch, .kind = rows[i].kind, .category = rows[i].kind,
                            .t_from = t0 + rows[i].day * DAY + 36000,
                            .t_to = t0 + rows[i].day * DAY + 36000, .has_xy = 1,
                            .x = 100.0 * rows[i].street + 5, .y = 3, .count = rows[i].count};
        assert_int_equal(stad_store_event_insert(s, &e), 0);
    }
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_streets *st = toy_streets(3, 0);
    stad_bikes_obs o = {0};
    assert_int_equal(stad_bikes_obs_from_store(ctx, s, &t, st, t0 + 200 * DAY, NULL, &o), 0);
    struct {
        size_t street;
        int day, action, labels, removed;
    } want[] = {
        {0, 72, STAD_BIKES_LABEL, 4, 0},   {0, 100, STAD_BIKES_FOLLOWUP, 0, 4},
        {1, 10, STAD_BIKES_LABEL, 5, 0},   {1, 38, STAD_BIKES_FOLLOWUP, 0, 0},
        {1, 60, STAD_BIKES_LABEL, 1, 0},   {1, 88, STAD_BIKES_FOLLOWUP, 0, 0},
        {2, 190, STAD_BIKES_LABEL, 2, 0},
    };
    assert_int_equal(o.n_visits, sizeof want / sizeof want[0]);
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        int found = 0;
        for (size_t v = 0; v < o.n_visits; v++) {
            const stad_bikes_visit *x = &o.visits[v];
            found += x->street == want[k].street && x->action == want[k].action &&
                     (x->t - t0) / DAY == want[k].day && x->labels == want[k].labels &&
                     x->removed == want[k].removed;
        }
        assert_int_equal(found, 1);
    }
    stad_bikes_obs_clear(&o);
    /* as of day 100 the labelling of day 60 is still open: no follow-up after it */
    assert_int_equal(stad_bikes_obs_from_store(ctx, s, &t, st, t0 + 100 * DAY, NULL, &o), 0);
    for (size_t v = 0; v < o.n_visits; v++)
        assert_false(o.visits[v].street == 1 && (o.visits[v].t - t0) / DAY > 60);
    stad_bikes_obs_clear(&o);
    stad_bikes_streets_free(st);
    stad_store_close(s);
    stad_ctx_free(ctx);
}

int main(void)
{
    const char *tmp = getenv("STAD_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/bikes", tmp && *tmp ? tmp : "/tmp/stad-test");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "%s", tmpdir);
    for (char *p = cmd + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(cmd, 0755);
            *p = '/';
        }
    mkdir(tmpdir, 0755);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decay_and_quantile),
        cmocka_unit_test(test_yield_shrinkage),
        cmocka_unit_test(test_eb_prior),
        cmocka_unit_test(test_followups_and_plan),
        cmocka_unit_test(test_record_idempotent),
        cmocka_unit_test(test_simulator_seeded),
        cmocka_unit_test(test_theme_files),
        cmocka_unit_test(test_near_names),
        cmocka_unit_test(test_streets_graph_bends),
        cmocka_unit_test(test_imported_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
