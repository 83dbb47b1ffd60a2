/* A street network as an undirected graph, shortest-path matrices and the way
 * between two points, by Dijkstra. End points are merged by rounding them to a grid
 * of `snap` metres (hash lookup), which is how link files split at junctions
 * (identical end coordinates) join up. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stad/route.h"

typedef struct gedge {
    int32_t a, b;
    double len;
    size_t via, n_via; /* bends: vias.x/y[via .. via + n_via - 1], from a towards b */
} gedge;

struct stad_route_graph {
    stad_ctx *ctx;
    double snap;
    double *nx, *ny;
    size_t n_nodes, cap_nodes;
    gedge *edges;
    size_t n_edges, cap_edges;
    stad_route_polyline vias; /* the bends of every edge, one after the other */
    /* hash of grid keys -> node, open addressing; size a power of two */
    int64_t *hkey;
    int32_t *hval;
    size_t hcap;
    /* adjacency (CSR), built on first use and dropped when an edge is added */
    size_t *off;
    int32_t *adj;
    double *alen;
    int32_t *aedge; /* the edge of each adjacency entry */
};

int stad_route_graph_new(stad_ctx *ctx, double snap, stad_route_graph **out)
{
    *out = NULL;
    if (!(snap > 0) || !isfinite(snap))
        return stad_fail(ctx, STAD_EINVAL, "route: snap distance %g must be positive", snap);
    stad_route_graph *g = calloc(1, sizeof *g);
    if (!g)
        return stad_fail(ctx, STAD_ENOMEM, "route: out of memory");
    g->ctx = ctx;
    g->snap = snap;
    *out = g;
    return 0;
}

void stad_route_graph_free(stad_route_graph *g)
{
    if (!g)
        return;
    free(g->nx);
    free(g->ny);
    free(g->edges);
    stad_route_polyline_clear(&g->vias);
    free(g->hkey);
    free(g->hval);
    free(g->off);
    free(g->adj);
    free(g->alen);
    free(g->aedge);
    free(g);
}

size_t stad_route_graph_nodes(const stad_route_graph *g) { return g->n_nodes; }
size_t stad_route_graph_edges(const stad_route_graph *g) { return g->n_edges; }

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static int hash_grow(stad_route_graph *g)
{
    size_t cap = g->hcap ? g->hcap * 2 : 1024;
    int64_t *k = malloc(cap * sizeof *k);
    int32_t *v = malloc(cap * sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return STAD_ENOMEM;
    }
    for (size_t i = 0; i < cap; i++)
        v[i] = -1;
    for (size_t i = 0; i < g->hcap; i++) {
        if (g->hval[i] < 0)
            continue;
        size_t h = mix((uint64_t)g->hkey[i]) & (cap - 1);
        while (v[h] >= 0)
            h = (h + 1) & (cap - 1);
        k[h] = g->hkey[i];
        v[h] = g->hval[i];
    }
    free(g->hkey);
    free(g->hval);
    g->hkey = k;
    g->hval = v;
    g->hcap = cap;
    return 0;
}

/* Node id for a point, created when new; -1 on out of memory. */
static int32_t node_at(stad_route_graph *g, double x, double y)
{
    int64_t gx = (int64_t)llround(x / g->snap), gy = (int64_t)llround(y / g->snap);
    int64_t key = gx * 0x100000000LL + (gy & 0xffffffffLL);
    if ((g->n_nodes + 1) * 2 > g->hcap && hash_grow(g))
        return -1;
    size_t h = mix((uint64_t)key) & (g->hcap - 1);
    while (g->hval[h] >= 0) {
        if (g->hkey[h] == key)
            return g->hval[h];
        h = (h + 1) & (g->hcap - 1);
    }
    if (g->n_nodes == g->cap_nodes) {
        size_t cap = g->cap_nodes ? g->cap_nodes * 2 : 1024;
        double *nx = realloc(g->nx, cap * sizeof *nx);
        if (!nx)
            return -1;
        g->nx = nx;
        double *ny = realloc(g->ny, cap * sizeof *ny);
        if (!ny)
            return -1;
        g->ny = ny;
        g->cap_nodes = cap;
    }
    int32_t id = (int32_t)g->n_nodes++;
    g->nx[id] = x;
    g->ny[id] = y;
    g->hkey[h] = key;
    g->hval[h] = id;
    return id;
}

int stad_route_graph_add_edge(stad_route_graph *g, double x0, double y0, double x1,
                              double y1, double length)
{
    return stad_route_graph_add_edge_via(g, x0, y0, x1, y1, length, 0, NULL, NULL);
}

int stad_route_graph_add_edge_via(stad_route_graph *g, double x0, double y0, double x1,
                                  double y1, double length, size_t n_via,
                                  const double *via_x, const double *via_y)
{
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1) ||
        !(length > 0) || !isfinite(length))
        return stad_fail(g->ctx, STAD_EINVAL, "route: edge with bad coordinates or length");
    for (size_t i = 0; i < n_via; i++)
        if (!isfinite(via_x[i]) || !isfinite(via_y[i]))
            return stad_fail(g->ctx, STAD_EINVAL, "route: edge with bad coordinates or length");
    int32_t a = node_at(g, x0, y0), b = node_at(g, x1, y1);
    if (a < 0 || b < 0)
        return stad_fail(g->ctx, STAD_ENOMEM, "route: out of memory");
    if (a == b)
        return 0; /* a loop or a link shorter than the snap: no use for paths */
    free(g->off);
    free(g->adj);
    free(g->alen);
    free(g->aedge);
    g->off = NULL;
    g->adj = NULL;
    g->alen = NULL;
    g->aedge = NULL;
    size_t via = g->vias.n;
    for (size_t i = 0; i < n_via; i++)
        if (stad_route_polyline_push(&g->vias, via_x[i], via_y[i])) {
            g->vias.n = via;
            return stad_fail(g->ctx, STAD_ENOMEM, "route: out of memory");
        }
    if (g->n_edges == g->cap_edges) {
        size_t cap = g->cap_edges ? g->cap_edges * 2 : 1024;
        gedge *e = realloc(g->edges, cap * sizeof *e);
        if (!e)
            return stad_fail(g->ctx, STAD_ENOMEM, "route: out of memory");
        g->edges = e;
        g->cap_edges = cap;
    }
    g->edges[g->n_edges++] = (gedge){a, b, length, via, n_via};
    return 0;
}

/* ---- Dijkstra over a compressed adjacency (CSR) ---- */

typedef struct heap_item {
    double d;
    int32_t v;
} heap_item;

typedef struct heap {
    heap_item *a;
    size_t n, cap;
} heap;

static int heap_push(heap *h, double d, int32_t v)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 1024;
        heap_item *a = realloc(h->a, cap * sizeof *a);
        if (!a)
            return -1;
        h->a = a;
        h->cap = cap;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h->a[p].d <= d)
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = (heap_item){d, v};
    return 0;
}

static heap_item heap_pop(heap *h)
{
    heap_item top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->a[c + 1].d < h->a[c].d)
            c++;
        if (h->a[c].d >= last.d)
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n)
        h->a[i] = last;
    return top;
}

/* Builds the adjacency of the edges as they are now (once; add_edge drops it). */
static int adjacency(stad_route_graph *g)
{
    if (g->off)
        return 0;
    size_t nn = g->n_nodes;
    size_t *off = calloc(nn + 1, sizeof *off), *fill = calloc(nn + 1, sizeof *fill);
    int32_t *adj = malloc((2 * g->n_edges + 1) * sizeof *adj);
    double *alen = malloc((2 * g->n_edges + 1) * sizeof *alen);
    int32_t *aedge = malloc((2 * g->n_edges + 1) * sizeof *aedge);
    if (!off || !fill || !adj || !alen || !aedge) {
        free(off);
        free(fill);
        free(adj);
        free(alen);
        free(aedge);
        return stad_fail(g->ctx, STAD_ENOMEM, "route: out of memory for %zu nodes", nn);
    }
    for (size_t e = 0; e < g->n_edges; e++) {
        off[g->edges[e].a + 1]++;
        off[g->edges[e].b + 1]++;
    }
    for (size_t v = 0; v < nn; v++)
        off[v + 1] += off[v];
    for (size_t e = 0; e < g->n_edges; e++) {
        const gedge *ge = &g->edges[e];
        size_t ia = off[ge->a] + fill[ge->a]++, ib = off[ge->b] + fill[ge->b]++;
        adj[ia] = ge->b;
        alen[ia] = ge->len;
        aedge[ia] = (int32_t)e;
        adj[ib] = ge->a;
        alen[ib] = ge->len;
        aedge[ib] = (int32_t)e;
    }
    free(fill);
    g->off = off;
    g->adj = adj;
    g->alen = alen;
    g->aedge = aedge;
    return 0;
}

/* The node nearest to (x, y) and its distance; -1 (distance INFINITY) when the graph
 * has no nodes. A linear scan: a plan asks this a few hundred times. */
static int32_t nearest_node(const stad_route_graph *g, double x, double y, double *dist)
{
    double best = INFINITY;
    int32_t bv = -1;
    for (size_t v = 0; v < g->n_nodes; v++) {
        double dd = hypot(g->nx[v] - x, g->ny[v] - y);
        if (dd < best) {
            best = dd;
            bv = (int32_t)v;
        }
    }
    *dist = best;
    return bv;
}

int stad_route_graph_matrix(stad_route_graph *g, size_t n, const double *x,
                            const double *y, double max_snap, double detour, double *d,
                            size_t *n_fallback)
{
    stad_ctx *ctx = g->ctx;
    if (!(detour >= 1))
        return stad_fail(ctx, STAD_EINVAL, "route: detour factor %g must be at least 1",
                         detour);
    size_t nn = g->n_nodes, fallback = 0;
    int rc = adjacency(g);
    if (rc)
        return rc;
    const size_t *off = g->off;
    const int32_t *adj = g->adj;
    const double *alen = g->alen;
    int32_t *snapped = malloc((n + 1) * sizeof *snapped);
    double *snapd = malloc((n + 1) * sizeof *snapd);
    double *dist = malloc((nn + 1) * sizeof *dist);
    /* target list per node: first point index at the node, chained */
    int32_t *first_pt = malloc((nn + 1) * sizeof *first_pt);
    int32_t *next_pt = malloc((n + 1) * sizeof *next_pt);
    heap h = {0};
    if (!snapped || !snapd || !dist || !first_pt || !next_pt) {
        rc = stad_fail(ctx, STAD_ENOMEM, "route: out of memory for %zu nodes", nn);
        goto done;
    }
    for (size_t v = 0; v < nn; v++)
        first_pt[v] = -1;
    for (size_t i = 0; i < n; i++) {
        double best;
        int32_t bv = nearest_node(g, x[i], y[i], &best);
        snapped[i] = best <= max_snap ? bv : -1;
        snapd[i] = best;
        next_pt[i] = -1;
        if (snapped[i] >= 0) {
            next_pt[i] = first_pt[bv];
            first_pt[bv] = (int32_t)i;
        }
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++)
            d[i * n + j] = i == j ? 0 : NAN;
        if (snapped[i] < 0)
            continue;
        /* Dijkstra from point i's node until every snapped point is settled. */
        for (size_t v = 0; v < nn; v++)
            dist[v] = INFINITY;
        size_t left = 0;
        for (size_t j = 0; j < n; j++)
            left += snapped[j] >= 0;
        h.n = 0;
        dist[snapped[i]] = 0;
        if (heap_push(&h, 0, snapped[i])) {
            rc = stad_fail(ctx, STAD_ENOMEM, "route: out of memory");
            goto done;
        }
        while (h.n && left) {
            heap_item it = heap_pop(&h);
            if (it.d > dist[it.v])
                continue;
            for (int32_t p = first_pt[it.v]; p >= 0; p = next_pt[p]) {
                left--;
                if ((size_t)p != i)
                    d[i * n + (size_t)p] = it.d + snapd[i] + snapd[p];
            }
            for (size_t k = off[it.v]; k < off[it.v + 1]; k++) {
                double nd = it.d + alen[k];
                if (nd < dist[adj[k]]) {
                    dist[adj[k]] = nd;
                    if (heap_push(&h, nd, adj[k])) {
                        rc = stad_fail(ctx, STAD_ENOMEM, "route: out of memory");
                        goto done;
                    }
                }
            }
        }
        if ((i & 15) == 15 && (rc = stad_progress(ctx, "shortest paths", i + 1, n)))
            goto done;
    }
    /* Symmetrise (the graph is undirected, but snapping points to the same node makes
     * rounding differ) and fill the gaps with the straight-line fallback. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double a = d[i * n + j], b = d[j * n + i], v;
            if (isnan(a) && isnan(b)) {
                v = hypot(x[i] - x[j], y[i] - y[j]) * detour;
                fallback++;
            } else {
                v = isnan(a) ? b : isnan(b) ? a : fmin(a, b);
            }
            d[i * n + j] = d[j * n + i] = v;
        }
    if (n_fallback)
        *n_fallback = fallback;
done:
    free(snapped);
    free(snapd);
    free(dist);
    free(first_pt);
    free(next_pt);
    free(h.a);
    return rc;
}

void stad_route_polyline_clear(stad_route_polyline *pl)
{
    free(pl->x);
    free(pl->y);
    *pl = (stad_route_polyline){0};
}

int stad_route_polyline_push(stad_route_polyline *pl, double x, double y)
{
    if (pl->n == pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 64;
        double *nx = realloc(pl->x, cap * sizeof *nx);
        if (!nx)
            return STAD_ENOMEM;
        pl->x = nx;
        double *ny = realloc(pl->y, cap * sizeof *ny);
        if (!ny)
            return STAD_ENOMEM;
        pl->y = ny;
        pl->cap = cap;
    }
    pl->x[pl->n] = x;
    pl->y[pl->n] = y;
    pl->n++;
    return 0;
}

/* Adds a point unless it equals the last one: the end of one leg is the start of the
 * next. */
static int polyline_add(stad_route_polyline *pl, double x, double y)
{
    if (pl->n && pl->x[pl->n - 1] == x && pl->y[pl->n - 1] == y)
        return 0;
    return stad_route_polyline_push(pl, x, y);
}

int stad_route_graph_path(stad_route_graph *g, double x0, double y0, double x1, double y1,
                          double max_snap, stad_route_polyline *out)
{
    stad_ctx *ctx = g->ctx;
    double d0, d1;
    int32_t a = nearest_node(g, x0, y0, &d0), b = nearest_node(g, x1, y1, &d1);
    int rc = adjacency(g);
    if (rc)
        return rc;
    size_t nn = g->n_nodes;
    double *dist = NULL;
    int32_t *prev = NULL, *nodes = NULL, *prev_edge = NULL, *edges = NULL;
    heap h = {0};
    size_t n_nodes = 0;
    if (a >= 0 && b >= 0 && d0 <= max_snap && d1 <= max_snap && a != b) {
        dist = malloc(nn * sizeof *dist);
        prev = malloc(nn * sizeof *prev);
        prev_edge = malloc(nn * sizeof *prev_edge);
        if (!dist || !prev || !prev_edge)
            goto oom;
        for (size_t v = 0; v < nn; v++) {
            dist[v] = INFINITY;
            prev[v] = prev_edge[v] = -1;
        }
        dist[a] = 0;
        if (heap_push(&h, 0, a))
            goto oom;
        while (h.n) {
            heap_item it = heap_pop(&h);
            if (it.d > dist[it.v])
                continue;
            if (it.v == b)
                break;
            for (size_t k = g->off[it.v]; k < g->off[it.v + 1]; k++) {
                double nd = it.d + g->alen[k];
                if (nd < dist[g->adj[k]]) {
                    dist[g->adj[k]] = nd;
                    prev[g->adj[k]] = it.v;
                    prev_edge[g->adj[k]] = g->aedge[k];
                    if (heap_push(&h, nd, g->adj[k]))
                        goto oom;
                }
            }
        }
        if (isfinite(dist[b])) {
            for (int32_t v = b; v >= 0; v = prev[v])
                n_nodes++;
            nodes = malloc(n_nodes * sizeof *nodes);
            edges = malloc(n_nodes * sizeof *edges);
            if (!nodes || !edges)
                goto oom;
            size_t k = n_nodes;
            for (int32_t v = b; v >= 0; v = prev[v]) {
                nodes[--k] = v;
                edges[k] = prev_edge[v]; /* the edge into nodes[k]; edges[0] unused */
            }
        }
    }
    /* from the point onto the network, along it, and off to the other point; a
     * straight line where the network does not join them */
    if (polyline_add(out, x0, y0))
        goto oom;
    for (size_t k = 0; k < n_nodes; k++) {
        if (k > 0) { /* the bends of the edge into this node, in the direction walked */
            const gedge *e = &g->edges[edges[k]];
            int forward = e->a == nodes[k - 1];
            for (size_t q = 0; q < e->n_via; q++) {
                size_t i = e->via + (forward ? q : e->n_via - 1 - q);
                if (polyline_add(out, g->vias.x[i], g->vias.y[i]))
                    goto oom;
            }
        }
        if (polyline_add(out, g->nx[nodes[k]], g->ny[nodes[k]]))
            goto oom;
    }
    if (polyline_add(out, x1, y1))
        goto oom;
    rc = 0;
    goto done;
oom:
    rc = stad_fail(ctx, STAD_ENOMEM, "route: out of memory for a path");
done:
    free(dist);
    free(prev);
    free(prev_edge);
    free(nodes);
    free(edges);
    free(h.a);
    return rc;
}
