/* stad route: travel-cost matrices, tours (TSP) and (team) orienteering.
 *
 * Generic: nothing here knows about bikes. Costs are doubles in one unit chosen by
 * the caller (metres or seconds); matrices are n x n, row-major, symmetric (the
 * tour moves reverse paths, so d[i][j] must equal d[j][i]).
 *
 * Ownership: stad_route_graph_new hands out a graph freed with stad_route_graph_free
 * (accepts NULL); a polyline's arrays are its holder's (stad_route_polyline_clear).
 * Every other function writes into arrays the caller owns. No function keeps a
 * pointer to its inputs after it returns; the random number generator state is in
 * the options, so results are reproducible per seed and the functions are safe to
 * call from several threads, except that one graph is used by one thread at a time
 * (it builds its adjacency on first use). */
#ifndef STAD_ROUTE_H
#define STAD_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* ---- matrices ---- */

/* d[i*n+j] = straight-line distance x detour (detour >= 1; 1.3 is typical for a
 * city street grid). */
int stad_route_matrix_euclid(stad_ctx *ctx, size_t n, const double *x, const double *y,
                             double detour, double *d);

/* A street network: undirected edges between end points, end points that lie within
 * `snap` metres of each other (grid-rounded) are one node. */
typedef struct stad_route_graph stad_route_graph;

int stad_route_graph_new(stad_ctx *ctx, double snap, stad_route_graph **out);
void stad_route_graph_free(stad_route_graph *g);
/* Adds an edge from (x0,y0) to (x1,y1) of the given length (metres, > 0). */
int stad_route_graph_add_edge(stad_route_graph *g, double x0, double y0, double x1,
                              double y1, double length);
/* The same with the edge's bends: n_via points between its end points, in order from
 * (x0,y0) (copied), which stad_route_graph_path draws instead of a straight line. */
int stad_route_graph_add_edge_via(stad_route_graph *g, double x0, double y0, double x1,
                                  double y1, double length, size_t n_via,
                                  const double *via_x, const double *via_y);
size_t stad_route_graph_nodes(const stad_route_graph *g);
size_t stad_route_graph_edges(const stad_route_graph *g);
/* Shortest-path distances between n points (each snapped to its nearest node; the
 * snapping distance is added). Pairs with no path (separate network parts) get the
 * straight line x `detour`, as do points farther than `max_snap` from any node.
 * Writes the n x n matrix (metres, symmetric) into d; *n_fallback (may be NULL)
 * counts the pairs that used the fallback. */
int stad_route_graph_matrix(stad_route_graph *g, size_t n, const double *x,
                            const double *y, double max_snap, double detour, double *d,
                            size_t *n_fallback);

/* A line of points (in the graph's units); the arrays are the holder's, freed by
 * stad_route_polyline_clear. A zeroed one is empty. */
typedef struct stad_route_polyline {
    double *x, *y;
    size_t n, cap;
} stad_route_polyline;
void stad_route_polyline_clear(stad_route_polyline *pl);
/* Appends a point; STAD_ENOMEM (the line unchanged) when out of memory. */
int stad_route_polyline_push(stad_route_polyline *pl, double x, double y);

/* Appends to `out` the way from (x0,y0) to (x1,y1): onto the nearest node, the
 * shortest path along the edges (their end points and bends), and
 * off to the end point. Where either point lies farther than `max_snap` from the
 * network, or no path joins them, the way is the straight line. A point equal to the
 * last one of `out` is not repeated, so legs appended one after the other join. */
int stad_route_graph_path(stad_route_graph *g, double x0, double y0, double x1, double y1,
                          double max_snap, stad_route_polyline *out);

/* ---- tours (TSP) ---- */

/* Pseudo-random numbers (xorshift64*), kept by the caller for reproducibility. */
typedef struct stad_route_rng {
    uint64_t s;
} stad_route_rng;
void stad_route_rng_seed(stad_route_rng *r, uint64_t seed);
uint64_t stad_route_rng_next(stad_route_rng *r);
double stad_route_rng_uniform(stad_route_rng *r); /* [0, 1) */

typedef struct stad_route_tsp_opts {
    int neighbours;     /* candidate list size per city; 0 = 10 */
    int or_opt;         /* 1: also Or-opt (segments of 1-3 cities); default via _init */
    long iterations;    /* iterated local search kicks; 0 = local search only */
    double time_limit;  /* seconds for the kicks (0 = no limit) */
    uint64_t seed;
} stad_route_tsp_opts;

/* Defaults: 10 neighbours, Or-opt on, 20*n kicks, no time limit, seed 1. */
void stad_route_tsp_opts_init(stad_route_tsp_opts *o, size_t n);

/* Length of the closed tour. */
double stad_route_tour_length(size_t n, const double *d, const int *tour);
/* 1 if tour is a permutation of 0..n-1. */
int stad_route_tour_valid(size_t n, const int *tour);

/* Nearest-neighbour tour starting at city `start`. */
int stad_route_tsp_nearest(stad_ctx *ctx, size_t n, const double *d, int start, int *tour);

/* Improves `tour` (a permutation of 0..n-1) in place: 2-opt and Or-opt moves over
 * neighbour lists with don't-look bits, then `iterations` kicks of iterated local
 * search (a double bridge within a random stretch, kept when not longer). Every
 * applied move keeps a valid tour and shortens it. Sets *length if not NULL. */
int stad_route_tsp_improve(stad_ctx *ctx, size_t n, const double *d,
                           const stad_route_tsp_opts *o, int *tour, double *length);

/* ---- orienteering and team orienteering ---- */

/* Nodes 0..n-1 with a score; every team member starts at `start` and ends at `end`
 * (may be equal). Visiting node j costs d[i][j] + service[j]; a route may last at most
 * `budget`. With windows, arrival (after waiting) at j must lie in [open[j], close[j]],
 * times counted from 0 at the start. */
typedef struct stad_route_op {
    size_t n;
    const double *d;       /* n x n */
    const double *score;   /* n; start and end are never scored */
    const double *service; /* n, or NULL for none */
    const double *open, *close; /* n each, or NULL for no time windows */
    int start, end;
    int teams;             /* routes (team members), >= 1 */
    double budget;         /* per route */
} stad_route_op;

typedef struct stad_route_op_opts {
    long iterations;    /* kicks of iterated local search; 0 = 400 */
    double time_limit;  /* seconds (0 = none) */
    uint64_t seed;
} stad_route_op_opts;

/* A solution: route r visits nodes[first[r] .. first[r+1]-1] in order (start and end
 * not listed). `nodes` has room for n entries, first for teams + 1. */
typedef struct stad_route_op_solution {
    int *nodes;
    size_t *first;
    double score;
    double *length; /* per route: travel + service (+ waiting), room for teams */
} stad_route_op_solution;

/* Allocates the arrays of a solution for op (free with stad_route_op_solution_free). */
int stad_route_op_solution_alloc(const stad_route_op *op, stad_route_op_solution *s);
void stad_route_op_solution_free(stad_route_op_solution *s);

/* Solves by iterated local search: greedy insertion by score per added time^r (r
 * drawn anew in [0, 2] each round, so cheap clusters of low scores compete with far
 * high scores), improvement of each route's order (2-opt, moves between routes) to
 * free time, replacing visited nodes by unvisited ones of more score, and kicks that
 * remove a moving stretch of each route, random nodes, or a whole route (rebuilt
 * from a random seed node). With several routes, every route met is kept in a pool
 * and the best set of disjoint pooled routes is tried when the search stalls.
 * Checks the budget and windows of every route. */
int stad_route_op_solve(stad_ctx *ctx, const stad_route_op *op,
                        const stad_route_op_opts *o, stad_route_op_solution *s);
/* Checks a solution: every route within budget and windows, no node twice, the
 * score right. 0 or STAD_EINVAL with the reason. */
int stad_route_op_check(stad_ctx *ctx, const stad_route_op *op,
                        const stad_route_op_solution *s);

#endif
