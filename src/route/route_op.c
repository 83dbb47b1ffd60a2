/* Orienteering and team orienteering by iterated local search.
 *
 * The search follows the iterated local search of Vansteenwegen, Souffriau, Vanden
 * Berghe and Van Oudheusden (2009) for the team orienteering problem: insert nodes by
 * score per added time, shorten routes (2-opt, relocation and swaps between routes)
 * to make room, replace a visited node by an unvisited one worth more, and kick by
 * removing a stretch of each route whose place and length move on each round. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    double noise;       /* random spread of the insertion ratio (diversification) */
    int *tmp;           /* scratch route for window checks */
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
    return u != w->op->start && u != w->op->end && !w->vis[u] && w->op->score[u] > 0;
}

/* Inserts the node with the best score^2 per added time; 1 if one was inserted. */
static int insert_best(opw *w, sol *s)
{
    double best = -1;
    int bu = -1, bk = -1, bp = -1;
    for (size_t u = 0; u < w->n; u++) {
        if (!usable(w, (int)u))
            continue;
        for (int k = 0; k < w->m; k++)
            for (int pos = 0; pos <= s->len[k]; pos++) {
                double dl = insert_delta(w, s, k, (int)u, pos);
                if (!isfinite(dl))
                    continue;
                double sc = w->op->score[u];
                double ratio = sc * sc / (dl > 1e-9 ? dl : 1e-9);
                if (w->noise > 0)
                    ratio *= 1 + w->noise * stad_route_rng_uniform(&w->rng);
                if (ratio > best) {
                    best = ratio;
                    bu = (int)u;
                    bk = k;
                    bp = pos;
                }
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

/* Moves one node to its best place in any route (also its own) when that lowers the
 * sum of durations; 1 if a move was made. */
static int relocate(opw *w, sol *s)
{
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

/* Replaces a visited node by an unvisited one with a higher score when it fits in the
 * same route; 1 if done. */
static int replace(opw *w, sol *s)
{
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
                int bp = -1;
                double bd = INFINITY;
                for (int p2 = 0; p2 <= s->len[k]; p2++) {
                    double dl = insert_delta(w, s, k, (int)u, p2);
                    if (dl < bd) {
                        bd = dl;
                        bp = p2;
                    }
                }
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
                    r1[p1] = v;
                    r2[p2] = u;
                    double d1 = route_eval(w, r1, s->len[k1]), d2 = route_eval(w, r2, s->len[k2]);
                    if (d1 <= w->op->budget + 1e-9 && d2 <= w->op->budget + 1e-9 &&
                        d1 + d2 < old - 1e-7) {
                        s->dur[k1] = d1;
                        s->dur[k2] = d2;
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
    opw w = {.op = op, .n = op->n, .m = op->teams};
    stad_route_rng_seed(&w.rng, o ? o->seed : 1);
    w.vis = calloc(op->n, 1);
    w.tmp = malloc((op->n + 1) * sizeof *w.tmp);
    sol cur = {0}, best = {0};
    if (!w.vis || !w.tmp || sol_alloc(&cur, op->n, w.m) || sol_alloc(&best, op->n, w.m)) {
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
        /* Every other round: remove random nodes and re-insert with a noisy ratio,
         * so that the search leaves the basin the systematic kicks keep it in. */
        if (it & 1) {
            kick_random(&w, &cur, 1 + (int)(stad_route_rng_next(&w.rng) % (uint64_t)(2 * max_count)));
            w.noise = 0.5 * stad_route_rng_uniform(&w.rng);
        } else {
            kick(&w, &cur, at, count);
            w.noise = 0;
        }
        local_search(&w, &cur);
        w.noise = 0;
        local_search(&w, &cur);
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
        if (since_best > 0 && since_best % 50 == 0) {
            /* long without progress: go back to the best and kick from a random place */
            sol_copy(&cur, &best, op->n, w.m);
            memset(w.vis, 0, op->n);
            for (int k = 0; k < w.m; k++)
                for (int p = 0; p < cur.len[k]; p++)
                    w.vis[cur.r[(size_t)k * op->n + (size_t)p]] = 1;
            at = (int)(stad_route_rng_next(&w.rng) % op->n);
            count = 1 + (int)(stad_route_rng_next(&w.rng) % (uint64_t)max_count);
        }
        if ((it & 63) == 63 &&
            (rc = stad_progress(ctx, "routes", (uint64_t)it + 1, (uint64_t)iterations)))
            goto done;
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
    free(w.vis);
    free(w.tmp);
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
