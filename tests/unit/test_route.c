/* Unit tests of the route module: matrices (hand-computed), tour moves (every
 * improving move keeps a valid tour; 2-opt reaches a true 2-opt optimum), and
 * orienteering on instances small enough to check by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "stad/route.h"

static void test_graph_matrix(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_route_graph *g;
    assert_int_equal(stad_route_graph_new(ctx, 0.5, &g), 0);
    /* an L: (0,0)-(100,0)-(100,100), lengths 100 each, plus an island (500,500)-(600,500) */
    assert_int_equal(stad_route_graph_add_edge(g, 0, 0, 100, 0, 100), 0);
    assert_int_equal(stad_route_graph_add_edge(g, 100, 0.2, 100, 100, 100), 0); /* snaps */
    assert_int_equal(stad_route_graph_add_edge(g, 500, 500, 600, 500, 100), 0);
    assert_int_equal(stad_route_graph_nodes(g), 5);
    double x[] = {0, 100, 3, 600}, y[] = {0, 100, 4, 500}, d[16];
    size_t fb = 99;
    assert_int_equal(stad_route_graph_matrix(g, 4, x, y, 50, 1.5, d, &fb), 0);
    assert_true(fabs(d[0 * 4 + 1] - 200) < 1e-9);      /* along the L */
    assert_true(fabs(d[1 * 4 + 0] - 200) < 1e-9);      /* symmetric */
    assert_true(fabs(d[0 * 4 + 2] - 5) < 1e-9);        /* same node: 0 + snap 5 (3-4-5) */
    assert_true(fabs(d[2 * 4 + 1] - 205) < 1e-9);
    /* the island has no path: straight line x 1.5 */
    assert_true(fabs(d[0 * 4 + 3] - hypot(600, 500) * 1.5) < 1e-9);
    assert_int_equal(fb, 3);
    stad_route_graph_free(g);
    stad_route_graph_free(NULL);
    stad_ctx_free(ctx);
}

/* The way between two points: along the shortest path (not the first one found), the
 * matrix's distance when measured, and a straight line where nothing joins. */
static void test_graph_path(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_route_graph *g;
    assert_int_equal(stad_route_graph_new(ctx, 0.5, &g), 0);
    /* a square 0-1-2-3 of 100 m sides with a long detour 0-4-2 of 2 x 150 m */
    assert_int_equal(stad_route_graph_add_edge(g, 0, 0, 100, 0, 100), 0);
    assert_int_equal(stad_route_graph_add_edge(g, 100, 0, 100, 100, 100), 0);
    assert_int_equal(stad_route_graph_add_edge(g, 100, 100, 0, 100, 100), 0);
    assert_int_equal(stad_route_graph_add_edge(g, 0, 100, 0, 0, 100), 0);
    assert_int_equal(stad_route_graph_add_edge(g, 0, 0, -100, 50, 150), 0);
    assert_int_equal(stad_route_graph_add_edge(g, -100, 50, 100, 100, 150), 0);
    stad_route_polyline pl = {0};
    assert_int_equal(stad_route_graph_path(g, 2, -3, 101, 99, 50, &pl), 0);
    /* from the point, node (0,0), one of the two 200 m ways, node (100,100), the point */
    assert_int_equal(pl.n, 5);
    assert_true(pl.x[0] == 2 && pl.y[0] == -3 && pl.x[4] == 101 && pl.y[4] == 99);
    assert_true(pl.x[1] == 0 && pl.y[1] == 0 && pl.x[3] == 100 && pl.y[3] == 100);
    double len = 0;
    for (size_t i = 2; i < pl.n - 1; i++)
        len += hypot(pl.x[i] - pl.x[i - 1], pl.y[i] - pl.y[i - 1]);
    assert_true(fabs(len - 200) < 1e-9);
    double x[] = {2, 101}, y[] = {-3, 99}, d[4];
    assert_int_equal(stad_route_graph_matrix(g, 2, x, y, 50, 1.3, d, NULL), 0);
    assert_true(fabs(d[1] - (200 + hypot(2, 3) + hypot(1, 1))) < 1e-9);
    /* appending the next leg joins it: the shared point is not repeated */
    assert_int_equal(stad_route_graph_path(g, 101, 99, 0, 100, 50, &pl), 0);
    assert_int_equal(pl.n, 5 + 2);
    assert_true(pl.x[5] == 100 && pl.y[5] == 100 && pl.x[6] == 0 && pl.y[6] == 100);
    /* farther than max_snap from the network: straight */
    pl.n = 0;
    assert_int_equal(stad_route_graph_path(g, 500, 500, 0, 0, 50, &pl), 0);
    assert_int_equal(pl.n, 2);
    /* an island: no path, straight */
    assert_int_equal(stad_route_graph_add_edge(g, 1000, 0, 1100, 0, 100), 0);
    pl.n = 0;
    assert_int_equal(stad_route_graph_path(g, 0, 0, 1100, 0, 50, &pl), 0);
    assert_int_equal(pl.n, 2);
    assert_true(pl.x[1] == 1100 && pl.y[1] == 0);
    stad_route_polyline_clear(&pl);
    assert_int_equal(pl.n, 0);
    stad_route_graph_free(g);
    stad_ctx_free(ctx);
}

/* An edge's bends are drawn in the direction it is walked. */
static void test_graph_path_bends(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_route_graph *g;
    assert_int_equal(stad_route_graph_new(ctx, 0.5, &g), 0);
    /* (0,0) -> (100,0) bending through (30,20) and (70,20); then straight to (200,0) */
    double vx[] = {30, 70}, vy[] = {20, 20};
    assert_int_equal(stad_route_graph_add_edge_via(g, 0, 0, 100, 0, 120, 2, vx, vy), 0);
    assert_int_equal(stad_route_graph_add_edge(g, 100, 0, 200, 0, 100), 0);
    double bad[] = {NAN};
    assert_int_equal(stad_route_graph_add_edge_via(g, 0, 0, 5, 5, 10, 1, bad, bad), STAD_EINVAL);
    stad_route_polyline pl = {0};
    assert_int_equal(stad_route_graph_path(g, 0, 0, 200, 0, 10, &pl), 0);
    double fx[] = {0, 30, 70, 100, 200}, fy[] = {0, 20, 20, 0, 0};
    assert_int_equal(pl.n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_true(pl.x[i] == fx[i] && pl.y[i] == fy[i]);
    /* walked backwards: the bends reversed */
    pl.n = 0;
    assert_int_equal(stad_route_graph_path(g, 200, 0, 0, 0, 10, &pl), 0);
    assert_int_equal(pl.n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_true(pl.x[i] == fx[4 - i] && pl.y[i] == fy[4 - i]);
    stad_route_polyline_clear(&pl);
    stad_route_graph_free(g);
    stad_ctx_free(ctx);
}

static double *random_points(size_t n, uint64_t seed, double *x, double *y)
{
    stad_route_rng r;
    stad_route_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        x[i] = 1000 * stad_route_rng_uniform(&r);
        y[i] = 1000 * stad_route_rng_uniform(&r);
    }
    double *d = malloc(n * n * sizeof *d);
    stad_route_matrix_euclid(NULL, n, x, y, 1.0, d);
    return d;
}

static void test_two_opt_local_optimum(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    enum { N = 40 };
    double x[N], y[N];
    double *d = random_points(N, 7, x, y);
    int tour[N];
    assert_int_equal(stad_route_tsp_nearest(ctx, N, d, 0, tour), 0);
    assert_true(stad_route_tour_valid(N, tour));
    double before = stad_route_tour_length(N, d, tour), after;
    stad_route_tsp_opts o;
    stad_route_tsp_opts_init(&o, N);
    o.neighbours = N - 1; /* full neighbourhood: the result must be 2-optimal */
    o.or_opt = 0;
    o.iterations = 0;
    assert_int_equal(stad_route_tsp_improve(ctx, N, d, &o, tour, &after), 0);
    assert_true(stad_route_tour_valid(N, tour));
    assert_true(after <= before);
    assert_true(fabs(after - stad_route_tour_length(N, d, tour)) < 1e-6);
    /* brute force: no pair of edges can be exchanged for a shorter tour */
    for (int i = 0; i < N; i++)
        for (int j = i + 2; j < N; j++) {
            int a = tour[i], b = tour[i + 1], c = tour[j], e = tour[(j + 1) % N];
            if (e == a)
                continue;
            double delta = d[a * N + c] + d[b * N + e] - d[a * N + b] - d[c * N + e];
            assert_true(delta > -1e-7);
        }
    free(d);
    stad_ctx_free(ctx);
}

static void test_moves_keep_valid(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    /* Or-opt and the kicks on many seeds: always a permutation, never longer than
     * plain local search from the same start, and the reported length is the tour's. */
    for (uint64_t seed = 1; seed <= 20; seed++) {
        enum { N = 60 };
        double x[N], y[N];
        double *d = random_points(N, seed, x, y);
        int t1[N], t2[N];
        for (int i = 0; i < N; i++)
            t1[i] = t2[i] = (i * 7) % N; /* 7 and 60 are coprime: a permutation */
        stad_route_tsp_opts o;
        stad_route_tsp_opts_init(&o, N);
        o.iterations = 0;
        double l1, l2;
        assert_int_equal(stad_route_tsp_improve(ctx, N, d, &o, t1, &l1), 0);
        assert_true(stad_route_tour_valid(N, t1));
        assert_true(fabs(l1 - stad_route_tour_length(N, d, t1)) < 1e-6);
        o.iterations = 300;
        o.seed = seed;
        assert_int_equal(stad_route_tsp_improve(ctx, N, d, &o, t2, &l2), 0);
        assert_true(stad_route_tour_valid(N, t2));
        assert_true(l2 <= l1 + 1e-9);
        assert_true(fabs(l2 - stad_route_tour_length(N, d, t2)) < 1e-6);
        free(d);
    }
    int bad[] = {0, 1, 1, 3};
    double d4[16] = {0};
    assert_int_equal(stad_route_tsp_improve(ctx, 4, d4, NULL, bad, NULL), STAD_EINVAL);
    stad_ctx_free(ctx);
}

static void test_tsp_square(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    /* 8 points on a 3x3 square's border, given crossed: the optimum is the
     * perimeter, 8 x 1 = 8. */
    double x[] = {0, 2, 1, 0, 2, 0, 1, 2}, y[] = {0, 2, 0, 2, 0, 1, 2, 1}, d[64];
    assert_int_equal(stad_route_matrix_euclid(ctx, 8, x, y, 1.0, d), 0);
    int tour[] = {0, 1, 2, 3, 4, 5, 6, 7};
    double len;
    assert_int_equal(stad_route_tsp_improve(ctx, 8, d, NULL, tour, &len), 0);
    assert_true(fabs(len - 8) < 1e-9);
    stad_ctx_free(ctx);
}

static void test_op_by_hand(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    /* Depot at 0 on a line; nodes at 1 (score 1), 2 (score 5), -3 (score 10),
     * 4 (score 2). Budget 6 (there and back): going right to 2 costs 4 and scores
     * 6 (1+5); going left to -3 costs 6 and scores 10. Best: {-3}, score 10.
     * With two routes: one left (10), one right to 2 (6) = 16; to 4 would cost 8. */
    double x[] = {0, 1, 2, -3, 4}, y[] = {0, 0, 0, 0, 0}, d[25];
    double score[] = {0, 1, 5, 10, 2};
    assert_int_equal(stad_route_matrix_euclid(ctx, 5, x, y, 1.0, d), 0);
    stad_route_op op = {.n = 5, .d = d, .score = score, .start = 0, .end = 0, .teams = 1,
                        .budget = 6};
    stad_route_op_solution s;
    assert_int_equal(stad_route_op_solution_alloc(&op, &s), 0);
    stad_route_op_opts o = {.iterations = 50, .seed = 3};
    assert_int_equal(stad_route_op_solve(ctx, &op, &o, &s), 0);
    assert_true(fabs(s.score - 10) < 1e-9);
    assert_int_equal(stad_route_op_check(ctx, &op, &s), 0);
    stad_route_op_solution_free(&s);
    op.teams = 2;
    assert_int_equal(stad_route_op_solution_alloc(&op, &s), 0);
    assert_int_equal(stad_route_op_solve(ctx, &op, &o, &s), 0);
    assert_true(fabs(s.score - 16) < 1e-9);
    assert_int_equal(stad_route_op_check(ctx, &op, &s), 0);
    /* a tampered solution is caught */
    s.score += 1;
    assert_int_equal(stad_route_op_check(ctx, &op, &s), STAD_EINVAL);
    stad_route_op_solution_free(&s);
    /* service time 1 at node 3 makes the left trip 7 > 6: now right (6) with one
     * route; and a time window closing at 1.5 at node 2 forbids it (arrive at 2). */
    double service[] = {0, 0, 0, 1, 0};
    op.teams = 1;
    op.service = service;
    assert_int_equal(stad_route_op_solution_alloc(&op, &s), 0);
    assert_int_equal(stad_route_op_solve(ctx, &op, &o, &s), 0);
    assert_true(fabs(s.score - 6) < 1e-9);
    stad_route_op_solution_free(&s);
    double open[] = {0, 0, 0, 0, 0}, close[] = {100, 100, 1.5, 100, 100};
    op.open = open;
    op.close = close;
    assert_int_equal(stad_route_op_solution_alloc(&op, &s), 0);
    assert_int_equal(stad_route_op_solve(ctx, &op, &o, &s), 0);
    /* left: 7 > budget; right: node 2 missed; best is node 1 alone (score 1), or
     * node 4? 8 > 6. So 1. */
    assert_true(fabs(s.score - 1) < 1e-9);
    assert_int_equal(stad_route_op_check(ctx, &op, &s), 0);
    stad_route_op_solution_free(&s);
    stad_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graph_matrix),
        cmocka_unit_test(test_graph_path),
        cmocka_unit_test(test_graph_path_bends),
        cmocka_unit_test(test_two_opt_local_optimum),
        cmocka_unit_test(test_moves_keep_valid),
        cmocka_unit_test(test_tsp_square),
        cmocka_unit_test(test_op_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
