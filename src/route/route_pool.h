/* A pool of feasible routes for team orienteering, and the best packing of routes
 * that share no node. Internal to the route module (route_op.c); not a public header.
 *
 * Every route in a team-orienteering solution starts and ends at the same depots and
 * has the same budget, so any route that was once feasible stays feasible next to
 * any other route it shares no node with. The local optima of the search hold many
 * good routes whose partners were poor; choosing the best m pairwise disjoint routes
 * of the pool (a set packing) recombines them.
 *
 * Ownership: route_pool_new hands out a pool freed with route_pool_free (accepts
 * NULL); route_pool_add copies the nodes; route_pool_route returns a pointer into the
 * pool, valid until the next add. */
#ifndef STAD_ROUTE_POOL_H
#define STAD_ROUTE_POOL_H

#include <stddef.h>

typedef struct route_pool route_pool;

/* A pool for routes over nodes 0..n_nodes-1 keeping at most about `cap` routes (the
 * ones of most score when it overflows). NULL when out of memory. */
route_pool *route_pool_new(size_t n_nodes, size_t cap);
void route_pool_free(route_pool *p);

/* Adds a route (nodes in visiting order, len > 0, no node twice). A route over the
 * same set of nodes as one in the pool replaces it only if it is shorter. 0, or -1
 * when out of memory (the pool is unchanged). */
int route_pool_add(route_pool *p, const int *nodes, int len, double score, double dur);

size_t route_pool_size(const route_pool *p);

/* Route i: its nodes (count in *len), duration in *dur (may be NULL). */
const int *route_pool_route(const route_pool *p, size_t i, int *len, double *dur);

/* Chooses at most m routes with no node in common and the highest total score, by
 * depth-first branch and bound over the routes in falling score, stopped after
 * max_steps disjointness tests (then the best found so far). Writes the route
 * indexes into chosen (room for m) and returns how many; *score gets their total.
 * -1 when out of memory. */
int route_pool_pack(route_pool *p, int m, long max_steps, size_t *chosen, double *score);

#endif
