/* Orienteering and team orienteering by iterated local search.
 *
 * The search follows the iterated local search of Vansteenwegen, Souffriau, Vanden
 * Berghe and Van Oudheusden (2009) for the team orienteering problem: insert nodes by
 * score per added time, shorten routes (2-opt, relocation and swaps between routes)
 * to make room, replace a visited node by an unvisited one worth more, and kick by
 * removing a stretch of each route whose place and length move on each round.
 *
 * Added to it, because the plain version has blind spots:
 * - the insertion ratio is score / added time^r with r drawn in [0, 2] each round:
 *   a fixed r of 0.5 (score^2 per time) always takes a far node of high score before
 *   a cluster of cheap low-score ones, and so missed the proven optima of
 *   Tsiligirides set 1 with budgets 35 and 40;
 * - one round in four empties a whole route and restarts it from a random node that
 *   fits, so a route can move to another part of the map (stretch kicks keep it
 *   near where it was; Chao p1.2.g was missed that way);
 * - with several routes, every route of every local optimum goes into a pool
 *   (route_pool.c), and the best packing of disjoint pooled routes is tried when the
 *   search stalls: good routes met beside poor partners get recombined.
 * Without time windows, replacement, relocation and swaps are evaluated from the
 * changed edges only, and insertion costs are cached per route. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "route/route_pool.h"
#include "stad/route.h"

typedef struct sol {
    int *r;       /* teams x n: route k's nodes at r[k*n ..] */
    int *len;     /* nodes per route */
    double *dur;  /* per route */
    double score;
} sol;

typedef struct opw {
    const stad_route_op *op;
    size_t n;
    int m;
    unsigned char *vis; /* visited in the current solution */
    unsigned char *reach; /* scored, not a depot, and fits in a route alone */
    double noise;       /* random spread of the insertion ratio (diversification) */
    double cost_exp;    /* insertion ratio = score / added time ^ cost_exp */
    int *tmp;           /* scratch route for window checks */
    double *buf;        /* scratch, 4 x (n + 1) */
    /* Cheapest insertion of each node into each route (u * m + k), valid while the
     * route's version is the one stored: insertion scans only redo changed routes. */
    long stamp, *ver;   /* ver[k]: changes whenever route k does */
    double *c_dl;
    int *c_pos;
    long *c_ver;
    stad_route_rng rng;
} opw;

#define OPD(i, j) (w->op->d[(size_t)(i) * w->n + (size_t)(j)])

static double svc(const opw *w, int j)
{
    return w->op->service ? w->op->service[j] : 0;
}

/* Duration of a route (travel, service, waiting); INFINITY when a window is missed. */
static double route_eval(const opw *w, const int *nodes, int len)
{
    const stad_route_op *op = w->op;
    double t = 0;
    int prev = op->start;
    for (int i = 0; i <= len; i++) {
        int j = i < len ? nodes[i] : op->end;
        t += OPD(prev, j);
        if (op->open && j != op->end) {
            if (t < op->open[j])
                t = op->open[j];
            if (t > op->close[j] + 1e-9)
                return INFINITY;
        }
        if (j != op->end)
            t += svc(w, j);
        prev = j;
    }
    return t;
}

static int sol_alloc(sol *s, size_t n, int m)
{
    s->r = malloc((size_t)m * n * sizeof *s->r);
    s->len = calloc((size_t)m, sizeof *s->len);
    s->dur = calloc((size_t)m, sizeof *s->dur);
    s->score = 0;
    return s->r && s->len && s->dur ? 0 : -1;
}

static void sol_free(sol *s)
{
    free(s->r);
    free(s->len);
    free(s->dur);
}

static void sol_copy(sol *dst, const sol *src, size_t n, int m)
{
    memcpy(dst->r, src->r, (size_t)m * n * sizeof *src->r);
    memcpy(dst->len, src->len, (size_t)m * sizeof *src->len);
    memcpy(dst->dur, src->dur, (size_t)m * sizeof *src->dur);
    dst->score = src->score;
}

static void recompute(opw *w, sol *s, int k)
{
    s->dur[k] = route_eval(w, s->r + (size_t)k * w->n, s->len[k]);
    w->ver[k] = ++w->stamp;
}

static int prev_of(const opw *w, const int *r, int pos)
{
    return pos == 0 ? w->op->start : r[pos - 1];
}

static int next_of(const opw *w, const int *r, int len, int pos)
{
    return pos == len ? w->op->end : r[pos];
}

/* Added time of inserting u at position pos of route k; with windows, the exact
 * new duration minus the old, or INFINITY when infeasible. */
static double insert_delta(opw *w, const sol *s, int k, int u, int pos)
{
    const int *r = s->r + (size_t)k * w->n;
    int len = s->len[k];
    int a = prev_of(w, r, pos), b = next_of(w, r, len, pos);
    double delta = OPD(a, u) + svc(w, u) + OPD(u, b) - OPD(a, b);
    if (s->dur[k] + delta > w->op->budget + 1e-9)
        return INFINITY;
    if (w->op->open) {
        memcpy(w->tmp, r, (size_t)pos * sizeof *r);
        w->tmp[pos] = u;
        memcpy(w->tmp + pos + 1, r + pos, (size_t)(len - pos) * sizeof *r);
        double nd = route_eval(w, w->tmp, len + 1);
        if (nd > w->op->budget + 1e-9)
            return INFINITY;
        delta = nd - s->dur[k];
    }
    return delta;
}

/* The cheapest feasible position for u in route k, or -1 when none fits. */
static int best_insert_pos(opw *w, const sol *s, int k, int u)
{
    int bp = -1;
    double bd = INFINITY;
    for (int p = 0; p <= s->len[k]; p++) {
        double dl = insert_delta(w, s, k, u, p);
        if (dl < bd) {
            bd = dl;
            bp = p;
        }
    }
    return bp;
}

static void insert_at(opw *w, sol *s, int k, int u, int pos)
{
    int *r = s->r + (size_t)k * w->n;
    memmove(r + pos + 1, r + pos, (size_t)(s->len[k] - pos) * sizeof *r);
    r[pos] = u;
    s->len[k]++;
    s->score += w->op->score[u];
    w->vis[u] = 1;
    recompute(w, s, k);
}

static void remove_at(opw *w, sol *s, int k, int pos)
{
    int *r = s->r + (size_t)k * w->n;
    int u = r[pos];
    memmove(r + pos, r + pos + 1, (size_t)(s->len[k] - pos - 1) * sizeof *r);
    s->len[k]--;
    s->score -= w->op->score[u];
    w->vis[u] = 0;
    recompute(w, s, k);
}

static int usable(const opw *w, int u)
{
    return !w->vis[u] && w->reach[u];
}

/* Inserts the node with the best score per added time ^ cost_exp; 1 if one was
 * inserted. */
static int insert_best(opw *w, sol *s)
{
    const double *d = w->op->d;
    size_t n = w->n;
    double best = -1;
    int bu = -1, bk = -1, bp = -1;
    for (size_t u = 0; u < n; u++) {
        if (!usable(w, (int)u))
            continue;
        /* the ratio falls with the added time, so u's best place is its cheapest */
        const double *du = d + u * n;
        double su = svc(w, (int)u), udl = INFINITY;
        int uk = -1, up = -1;
        for (int k = 0; k < w->m; k++) {
            size_t c = u * (size_t)w->m + (size_t)k;
            if (w->c_ver[c] != w->ver[k]) {
                const int *r = s->r + (size_t)k * n;
                int len = s->len[k], kp = -1;
                double room = w->op->budget + 1e-9 - s->dur[k], kdl = INFINITY;
                for (int pos = 0; pos <= len; pos++) {
                    double dl;
                    if (w->op->open) {
                        dl = insert_delta(w, s, k, (int)u, pos);
                    } else {
                        int a = prev_of(w, r, pos), b = next_of(w, r, len, pos);
                        dl = du[a] + su + du[b] - d[(size_t)a * n + (size_t)b];
                        if (dl > room)
                            continue;
                    }
                    if (dl < kdl) {
                        kdl = dl;
                        kp = pos;
                    }
                }
                w->c_dl[c] = kdl;
                w->c_pos[c] = kp;
                w->c_ver[c] = w->ver[k];
            }
            if (w->c_pos[c] >= 0 && w->c_dl[c] < udl) {
                udl = w->c_dl[c];
                uk = k;
                up = w->c_pos[c];
            }
        }
        if (uk < 0)
            continue;
        double ratio = w->op->score[u] / pow(udl > 1e-9 ? udl : 1e-9, w->cost_exp);
        if (w->noise > 0)
            ratio *= 1 + w->noise * stad_route_rng_uniform(&w->rng);
        if (ratio > best) {
            best = ratio;
            bu = (int)u;
            bk = uk;
            bp = up;
        }
    }
    if (bu < 0)
        return 0;
    insert_at(w, s, bk, bu, bp);
    return 1;
}

/* First-improvement 2-opt inside route k (the path from start to end). */
static int two_opt_route(opw *w, sol *s, int k)
{
    int *r = s->r + (size_t)k * w->n;
    int len = s->len[k], any = 0;
    for (int improved = 1; improved;) {
        improved = 0;
        for (int i = 0; i < len - 1; i++)
            for (int j = i + 1; j < len; j++) {
                int a = prev_of(w, r, i), b = next_of(w, r, len, j + 1);
                double delta = OPD(a, r[j]) + OPD(r[i], b) - OPD(a, r[i]) - OPD(r[j], b);
                if (delta < -1e-9) {
                    for (int x = i, y = j; x < y; x++, y--) {
                        int t = r[x];
                        r[x] = r[y];
                        r[y] = t;
                    }
                    double old = s->dur[k];
                    recompute(w, s, k);
                    if (s->dur[k] > w->op->budget + 1e-9 || s->dur[k] > old - 1e-12) {
                        /* a window made it worse: undo */
                        for (int x = i, y = j; x < y; x++, y--) {
                            int t = r[x];
                            r[x] = r[y];
                            r[y] = t;
                        }
                        recompute(w, s, k);
                        continue;
                    }
                    improved = any = 1;
                }
            }
    }
    return any;
}

/* relocate() without time windows: the change is local, so the move is found on the
 * routes as they are (in the node's own route, every edge but its two keeps its
 * insertion cost) and only the chosen one is applied. */
static int relocate_fast(opw *w, sol *s)
{
    const double *d = w->op->d;
    size_t n = w->n;
    for (int k = 0; k < w->m; k++)
        for (int pos = 0; pos < s->len[k]; pos++) {
            const int *r = s->r + (size_t)k * n;
            int u = r[pos];
            const double *du = d + (size_t)u * n;
            double su = svc(w, u);
            int a = prev_of(w, r, pos), b = next_of(w, r, s->len[k], pos + 1);
            double save = du[a] + su + du[b] - d[(size_t)a * n + (size_t)b];
            int bk = -1, bp = -1;
            double bd = save - 1e-7;
            for (int k2 = 0; k2 < w->m; k2++) {
                const int *r2 = s->r + (size_t)k2 * n;
                int len2 = s->len[k2];
                double room = k2 == k ? INFINITY : w->op->budget + 1e-9 - s->dur[k2];
                for (int p2 = 0; p2 <= len2; p2++) {
                    if (k2 == k && (p2 == pos || p2 == pos + 1))
                        continue;
                    int x = prev_of(w, r2, p2), y = next_of(w, r2, len2, p2);
                    double dl = du[x] + su + du[y] - d[(size_t)x * n + (size_t)y];
                    if (dl < bd && dl <= room) {
                        bd = dl;
                        bk = k2;
                        bp = p2;
                    }
                }
            }
            if (bk >= 0) {
                remove_at(w, s, k, pos);
                insert_at(w, s, bk, u, bk == k && bp > pos ? bp - 1 : bp);
                return 1;
            }
        }
    return 0;
}

/* Moves one node to its best place in any route (also its own) when that lowers the
 * sum of durations; 1 if a move was made. */
static int relocate(opw *w, sol *s)
{
    if (!w->op->open)
        return relocate_fast(w, s);
    for (int k = 0; k < w->m; k++)
        for (int pos = 0; pos < s->len[k]; pos++) {
            int *r = s->r + (size_t)k * w->n;
            int u = r[pos];
            int a = prev_of(w, r, pos), b = next_of(w, r, s->len[k], pos + 1);
            double save = OPD(a, u) + svc(w, u) + OPD(u, b) - OPD(a, b);
            double old_k = s->dur[k];
            remove_at(w, s, k, pos);
            if (w->op->open)
                save = old_k - s->dur[k];
            int bk = -1, bp = -1;
            double bd = save - 1e-7;
            for (int k2 = 0; k2 < w->m; k2++)
                for (int p2 = 0; p2 <= s->len[k2]; p2++) {
                    if (k2 == k && p2 == pos)
                        continue;
                    double dl = insert_delta(w, s, k2, u, p2);
                    if (dl < bd) {
                        bd = dl;
                        bk = k2;
                        bp = p2;
                    }
                }
            if (bk >= 0) {
                insert_at(w, s, bk, u, bp);
                return 1;
            }
            insert_at(w, s, k, u, pos);
        }
    return 0;
}

/* replace() without time windows, in O(unvisited x route length) instead of
 * O(unvisited x length^2): the saving of removing each node, and the best insertion
 * of u on every edge but the two the removal takes away (prefix and suffix minima),
 * or on the edge the removal creates. */
static int replace_fast(opw *w, sol *s)
{
    double *sav = w->buf, *ins = sav + w->n + 1, *pre = ins + w->n + 1, *suf = pre + w->n + 1;
    for (int k = 0; k < w->m; k++) {
        int *r = s->r + (size_t)k * w->n;
        int len = s->len[k];
        if (!len)
            continue;
        for (int pos = 0; pos < len; pos++) {
            int a = prev_of(w, r, pos), b = next_of(w, r, len, pos + 1);
            sav[pos] = OPD(a, r[pos]) + svc(w, r[pos]) + OPD(r[pos], b) - OPD(a, b);
        }
        for (size_t u = 0; u < w->n; u++) {
            if (!usable(w, (int)u))
                continue;
            double su = w->op->score[u];
            for (int p = 0; p <= len; p++) {
                int a = prev_of(w, r, p), b = next_of(w, r, len, p);
                ins[p] = OPD(a, u) + svc(w, (int)u) + OPD(u, b) - OPD(a, b);
                pre[p] = p && pre[p - 1] < ins[p] ? pre[p - 1] : ins[p];
            }
            for (int p = len; p >= 0; p--)
                suf[p] = p < len && suf[p + 1] < ins[p] ? suf[p + 1] : ins[p];
            for (int pos = 0; pos < len; pos++) {
                if (w->op->score[r[pos]] >= su)
                    continue;
                int a = prev_of(w, r, pos), b = next_of(w, r, len, pos + 1);
                double best = OPD(a, u) + svc(w, (int)u) + OPD(u, b) - OPD(a, b);
                if (pos > 0 && pre[pos - 1] < best)
                    best = pre[pos - 1];
                if (pos + 2 <= len && suf[pos + 2] < best)
                    best = suf[pos + 2];
                if (s->dur[k] - sav[pos] + best > w->op->budget + 1e-9)
                    continue;
                int v = r[pos];
                remove_at(w, s, k, pos);
                int bp = best_insert_pos(w, s, k, (int)u);
                if (bp >= 0) {
                    insert_at(w, s, k, (int)u, bp);
                    return 1;
                }
                insert_at(w, s, k, v, pos); /* rounding at the budget's edge */
                break;
            }
        }
    }
    return 0;
}

/* Replaces a visited node by an unvisited one with a higher score when it fits in the
 * same route; 1 if done. */
static int replace(opw *w, sol *s)
{
    if (!w->op->open)
        return replace_fast(w, s);
    for (size_t u = 0; u < w->n; u++) {
        if (!usable(w, (int)u))
            continue;
        for (int k = 0; k < w->m; k++)
            for (int pos = 0; pos < s->len[k]; pos++) {
                int *r = s->r + (size_t)k * w->n;
                int v = r[pos];
                if (w->op->score[v] >= w->op->score[u])
                    continue;
                remove_at(w, s, k, pos);
                int bp = best_insert_pos(w, s, k, (int)u);
                if (bp >= 0) {
                    insert_at(w, s, k, (int)u, bp);
                    return 1;
                }
                insert_at(w, s, k, v, pos);
            }
    }
    return 0;
}

/* Swaps two nodes of different routes when that lowers the sum of durations. */
static int swap_between(opw *w, sol *s)
{
    for (int k1 = 0; k1 < w->m; k1++)
        for (int k2 = k1 + 1; k2 < w->m; k2++)
            for (int p1 = 0; p1 < s->len[k1]; p1++)
                for (int p2 = 0; p2 < s->len[k2]; p2++) {
                    int *r1 = s->r + (size_t)k1 * w->n, *r2 = s->r + (size_t)k2 * w->n;
                    int u = r1[p1], v = r2[p2];
                    double old = s->dur[k1] + s->dur[k2];
                    if (!w->op->open) {
                        /* without windows the change is local: skip what cannot pay */
                        int a1 = prev_of(w, r1, p1), b1 = next_of(w, r1, s->len[k1], p1 + 1);
                        int a2 = prev_of(w, r2, p2), b2 = next_of(w, r2, s->len[k2], p2 + 1);
                        double c1 = OPD(a1, v) + OPD(v, b1) - OPD(a1, u) - OPD(u, b1) +
                                    svc(w, v) - svc(w, u);
                        double c2 = OPD(a2, u) + OPD(u, b2) - OPD(a2, v) - OPD(v, b2) +
                                    svc(w, u) - svc(w, v);
                        if (c1 + c2 > -1e-7 || s->dur[k1] + c1 > w->op->budget + 1e-7 ||
                            s->dur[k2] + c2 > w->op->budget + 1e-7)
                            continue;
                    }
                    r1[p1] = v;
                    r2[p2] = u;
                    double d1 = route_eval(w, r1, s->len[k1]), d2 = route_eval(w, r2, s->len[k2]);
                    if (d1 <= w->op->budget + 1e-9 && d2 <= w->op->budget + 1e-9 &&
                        d1 + d2 < old - 1e-7) {
                        s->dur[k1] = d1;
                        s->dur[k2] = d2;
                        w->ver[k1] = ++w->stamp;
                        w->ver[k2] = ++w->stamp;
                        return 1;
                    }
                    r1[p1] = u;
                    r2[p2] = v;
                }
    return 0;
}

static void local_search(opw *w, sol *s)
{
    for (;;) {
        for (int k = 0; k < w->m; k++)
            two_opt_route(w, s, k);
        if (insert_best(w, s))
            continue;
        if (relocate(w, s))
            continue;
        if (w->m > 1 && swap_between(w, s))
            continue;
        if (replace(w, s))
            continue;
        break;
    }
}

/* Removes `count` random nodes (of any route). */
static void kick_random(opw *w, sol *s, int count)
{
    for (int c = 0; c < count; c++) {
        int total = 0;
        for (int k = 0; k < w->m; k++)
            total += s->len[k];
        if (!total)
            return;
        int pick = (int)(stad_route_rng_next(&w->rng) % (uint64_t)total);
        for (int k = 0; k < w->m; k++) {
            if (pick < s->len[k]) {
                remove_at(w, s, k, pick);
                break;
            }
            pick -= s->len[k];
        }
    }
}

/* Removes `count` consecutive nodes from each route starting at `at` (wrapping). */
static void kick(opw *w, sol *s, int at, int count)
{
    for (int k = 0; k < w->m; k++) {
        if (!s->len[k])
            continue;
        int p = at % s->len[k];
        for (int c = 0; c < count && s->len[k]; c++) {
            if (p >= s->len[k])
                p = 0;
            remove_at(w, s, k, p);
        }
    }
}

/* Empties route k and restarts it with one random unvisited node that fits alone. */
static void kick_route(opw *w, sol *s, int k)
{
    while (s->len[k])
        remove_at(w, s, k, s->len[k] - 1);
    int fits = 0, pick = -1;
    for (size_t u = 0; u < w->n; u++)
        if (usable(w, (int)u) && isfinite(insert_delta(w, s, k, (int)u, 0)) &&
            stad_route_rng_next(&w->rng) % (uint64_t)++fits == 0)
            pick = (int)u; /* reservoir sampling: uniform among those that fit */
    if (pick >= 0)
        insert_at(w, s, k, pick, 0);
}

static void mark_visited(opw *w, const sol *s)
{
    memset(w->vis, 0, w->n);
    for (int k = 0; k < w->m; k++)
        for (int p = 0; p < s->len[k]; p++)
            w->vis[s->r[(size_t)k * w->n + (size_t)p]] = 1;
}

/* Puts every route of s into the pool (team orienteering only). */
static int pool_routes(opw *w, route_pool *pool, const sol *s)
{
    for (int k = 0; k < w->m; k++) {
        const int *r = s->r + (size_t)k * w->n;
        double score = 0;
        for (int p = 0; p < s->len[k]; p++)
            score += w->op->score[r[p]];
        if (route_pool_add(pool, r, s->len[k], score, s->dur[k]))
            return -1;
    }
    return 0;
}

/* Recombines the pool: when its best packing of disjoint routes beats `floor`, puts
 * it into s and returns 1; 0 when it does not; -1 when out of memory. */
static int pool_recombine(opw *w, route_pool *pool, double floor, sol *s)
{
    size_t chosen[64];
    int m = w->m < 64 ? w->m : 64;
    double score;
    int got = route_pool_pack(pool, m, 200000, chosen, &score);
    if (got < 0)
        return -1;
    if (score <= floor + 1e-9)
        return 0;
    s->score = 0;
    for (int k = 0; k < w->m; k++) {
        int len = 0;
        const int *r = k < got ? route_pool_route(pool, chosen[k], &len, NULL) : NULL;
        int *dst = s->r + (size_t)k * w->n;
        if (len)
            memcpy(dst, r, (size_t)len * sizeof *r);
        s->len[k] = len;
        recompute(w, s, k);
        for (int p = 0; p < len; p++)
            s->score += w->op->score[dst[p]];
    }
    mark_visited(w, s);
    return 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int stad_route_op_solution_alloc(const stad_route_op *op, stad_route_op_solution *s)
{
    memset(s, 0, sizeof *s);
    s->nodes = malloc((op->n ? op->n : 1) * sizeof *s->nodes);
    s->first = calloc((size_t)(op->teams > 0 ? op->teams : 1) + 1, sizeof *s->first);
    s->length = calloc((size_t)(op->teams > 0 ? op->teams : 1), sizeof *s->length);
    if (!s->nodes || !s->first || !s->length) {
        stad_route_op_solution_free(s);
        return STAD_ENOMEM;
    }
    return 0;
}

void stad_route_op_solution_free(stad_route_op_solution *s)
{
    if (!s)
        return;
    free(s->nodes);
    free(s->first);
    free(s->length);
    memset(s, 0, sizeof *s);
}

static int check_input(stad_ctx *ctx, const stad_route_op *op)
{
    if (!op->n || !op->d || !op->score || op->teams < 1)
        return stad_fail(ctx, STAD_EINVAL, "route: orienteering needs nodes, a matrix, "
                                           "scores and at least one route");
    if (op->start < 0 || (size_t)op->start >= op->n || op->end < 0 ||
        (size_t)op->end >= op->n)
        return stad_fail(ctx, STAD_EINVAL, "route: start %d or end %d not in 0..%zu",
                         op->start, op->end, op->n - 1);
    if (!(op->budget >= 0) || !isfinite(op->budget))
        return stad_fail(ctx, STAD_EINVAL, "route: budget %g must be a number >= 0",
                         op->budget);
    if ((op->open == NULL) != (op->close == NULL))
        return stad_fail(ctx, STAD_EINVAL, "route: time windows need both open and close");
    return 0;
}

int stad_route_op_solve(stad_ctx *ctx, const stad_route_op *op,
                        const stad_route_op_opts *o, stad_route_op_solution *out)
{
    int rc = check_input(ctx, op);
    if (rc)
        return rc;
    long iterations = o && o->iterations > 0 ? o->iterations : 400;
    double limit = o ? o->time_limit : 0;
    opw w = {.op = op, .n = op->n, .m = op->teams, .cost_exp = 0.5};
    stad_route_rng_seed(&w.rng, o ? o->seed : 1);
    w.vis = calloc(op->n, 1);
    w.tmp = malloc((op->n + 1) * sizeof *w.tmp);
    w.buf = malloc(4 * (op->n + 1) * sizeof *w.buf);
    w.reach = calloc(op->n, 1);
    w.ver = calloc((size_t)w.m, sizeof *w.ver);
    w.c_dl = malloc(op->n * (size_t)w.m * sizeof *w.c_dl);
    w.c_pos = malloc(op->n * (size_t)w.m * sizeof *w.c_pos);
    w.c_ver = calloc(op->n * (size_t)w.m, sizeof *w.c_ver); /* 0: never valid */
    sol cur = {0}, best = {0};
    /* team orienteering: a pool of the routes met, for recombination */
    route_pool *pool = NULL;
    if (w.m > 1) {
        size_t cap = 2000000 / op->n;
        pool = route_pool_new(op->n, cap < 256 ? 256 : cap > 4096 ? 4096 : cap);
    }
    if (!w.vis || !w.tmp || !w.buf || !w.reach || !w.ver || !w.c_dl || !w.c_pos || !w.c_ver ||
        sol_alloc(&cur, op->n, w.m) || sol_alloc(&best, op->n, w.m) ||
        (w.m > 1 && !pool)) {
        rc = stad_fail(ctx, STAD_ENOMEM, "route: out of memory");
        goto done;
    }
    for (int k = 0; k < w.m; k++)
        recompute(&w, &cur, k);
    for (int k = 0; k < w.m; k++)
        if (!(cur.dur[k] <= op->budget + 1e-9)) {
            /* even start -> end does not fit: an empty plan */
            sol_copy(&best, &cur, op->n, w.m);
            goto write;
        }
    for (size_t u = 0; u < op->n; u++) {
        int one = (int)u;
        w.reach[u] = one != op->start && one != op->end && op->score[u] > 0 &&
                     route_eval(&w, &one, 1) <= op->budget + 1e-9;
    }
    local_search(&w, &cur);
    sol_copy(&best, &cur, op->n, w.m);
    int at = 0, count = 1, since_best = 0;
    int max_count = (int)(op->n / (size_t)(3 * w.m));
    if (max_count < 1)
        max_count = 1;
    double t0 = now_s();
    for (long it = 0; it < iterations; it++) {
        if (limit > 0 && now_s() - t0 > limit)
            break;
        /* Two rounds in four remove a moving stretch of each route; one removes random
         * nodes and re-inserts with a noisy ratio; one rebuilds a whole route from a
         * random seed node, so that a route can move to another part of the map
         * (the stretch kicks keep it near where it was). Every round re-inserts with
         * a random trade-off between score and added time. */
        w.noise = 0;
        if ((it & 3) == 1) {
            kick_random(&w, &cur, 1 + (int)(stad_route_rng_next(&w.rng) % (uint64_t)(2 * max_count)));
            w.noise = 0.5 * stad_route_rng_uniform(&w.rng);
        } else if ((it & 3) == 3) {
            kick_route(&w, &cur, (int)(stad_route_rng_next(&w.rng) % (uint64_t)w.m));
        } else {
            kick(&w, &cur, at, count);
        }
        w.cost_exp = 2 * stad_route_rng_uniform(&w.rng);
        /* one pass is enough: insertion takes any node that fits, whatever the ratio,
         * so the local optimum does not depend on the noise or the exponent */
        local_search(&w, &cur);
        w.noise = 0;
        w.cost_exp = 0.5;
        if (cur.score > best.score + 1e-9 ||
            (cur.score > best.score - 1e-9 && cur.dur[0] < best.dur[0] - 1e-9)) {
            int better = cur.score > best.score + 1e-9;
            sol_copy(&best, &cur, op->n, w.m);
            if (better) {
                count = 1;
                since_best = 0;
            }
        } else {
            since_best++;
        }
        at += count;
        count++;
        int shortest = (int)op->n;
        for (int k = 0; k < w.m; k++)
            if (cur.len[k] < shortest)
                shortest = cur.len[k];
        if (shortest > 0 && at >= shortest)
            at -= shortest;
        if (shortest == 0)
            at = 0;
        if (count > max_count)
            count = 1;
        if (pool && pool_routes(&w, pool, &cur)) {
            rc = stad_fail(ctx, STAD_ENOMEM, "route: out of memory");
            goto done;
        }
        int recombined = 0;
        if (pool && since_best > 0 && since_best % 25 == 0) {
            /* no progress for a while: try the best disjoint routes met so far */
            recombined = pool_recombine(&w, pool, best.score, &cur);
            if (recombined < 0) {
                rc = stad_fail(ctx, STAD_ENOMEM, "route: out of memory");
                goto done;
            }
            if (recombined) {
                local_search(&w, &cur);
                sol_copy(&best, &cur, op->n, w.m);
                since_best = 0;
                count = 1;
            }
        }
        if (!recombined && since_best > 0 && since_best % 50 == 0) {
            /* long without progress: go back to the best and kick from a random place */
            sol_copy(&cur, &best, op->n, w.m);
            for (int k = 0; k < w.m; k++)
                w.ver[k] = ++w.stamp;
            mark_visited(&w, &cur);
            at = (int)(stad_route_rng_next(&w.rng) % op->n);
            count = 1 + (int)(stad_route_rng_next(&w.rng) % (uint64_t)max_count);
        }
        if ((it & 63) == 63 &&
            (rc = stad_progress(ctx, "routes", (uint64_t)it + 1, (uint64_t)iterations)))
            goto done;
    }
    if (pool) {
        int recombined = pool_recombine(&w, pool, best.score, &cur);
        if (recombined < 0) {
            rc = stad_fail(ctx, STAD_ENOMEM, "route: out of memory");
            goto done;
        }
        if (recombined) {
            local_search(&w, &cur);
            sol_copy(&best, &cur, op->n, w.m);
        }
    }
write : {
    size_t k0 = 0;
    for (int k = 0; k < w.m; k++) {
        out->first[k] = k0;
        for (int p = 0; p < best.len[k]; p++)
            out->nodes[k0++] = best.r[(size_t)k * op->n + (size_t)p];
        out->length[k] = best.dur[k];
    }
    out->first[w.m] = k0;
    out->score = best.score;
}
done:
    route_pool_free(pool);
    free(w.vis);
    free(w.tmp);
    free(w.buf);
    free(w.reach);
    free(w.ver);
    free(w.c_dl);
    free(w.c_pos);
    free(w.c_ver);
    sol_free(&cur);
    sol_free(&best);
    return rc;
}

int stad_route_op_check(stad_ctx *ctx, const stad_route_op *op,
                        const stad_route_op_solution *s)
{
    int rc = check_input(ctx, op);
    if (rc)
        return rc;
    opw w = {.op = op, .n = op->n, .m = op->teams};
    unsigned char *seen = calloc(op->n, 1);
    if (!seen)
        return stad_fail(ctx, STAD_ENOMEM, "route: out of memory");
    double score = 0;
    for (int k = 0; k < op->teams && !rc; k++) {
        for (size_t p = s->first[k]; p < s->first[k + 1] && !rc; p++) {
            int u = s->nodes[p];
            if (u < 0 || (size_t)u >= op->n || u == op->start || u == op->end)
                rc = stad_fail(ctx, STAD_EINVAL, "route %d: node %d not allowed", k, u);
            else if (seen[u]++)
                rc = stad_fail(ctx, STAD_EINVAL, "route %d: node %d visited twice", k, u);
            else
                score += op->score[u];
        }
        if (rc)
            break;
        if (s->first[k + 1] == s->first[k])
            continue; /* an unused route: that member stays at the depot */
        double dur = route_eval(&w, s->nodes + s->first[k], (int)(s->first[k + 1] - s->first[k]));
        if (!(dur <= op->budget + 1e-6))
            rc = stad_fail(ctx, STAD_EINVAL, "route %d: lasts %g, budget %g%s", k, dur,
                           op->budget, isinf(dur) ? " (a time window is missed)" : "");
        else if (fabs(dur - s->length[k]) > 1e-6 * (1 + dur))
            rc = stad_fail(ctx, STAD_EINVAL, "route %d: length %g reported, %g computed", k,
                           s->length[k], dur);
    }
    if (!rc && fabs(score - s->score) > 1e-6 * (1 + score))
        rc = stad_fail(ctx, STAD_EINVAL, "score %g reported, %g computed", s->score, score);
    free(seen);
    return rc;
}
