/* Tours: nearest neighbour, 2-opt and Or-opt over neighbour lists with don't-look
 * bits, and iterated local search with local double-bridge kicks.
 *
 * The tour is an array with a position index. Every move is built from one
 * primitive, the 2-opt exchange "remove edges {a1,a2},{b1,b2}, add {a1,b1},{a2,b2}",
 * which reverses a path and so keeps a valid cycle whatever the orientation; an
 * Or-opt move (a segment moved elsewhere, maybe reversed) is two or three of them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stad/route.h"

void stad_route_tsp_opts_init(stad_route_tsp_opts *o, size_t n)
{
    memset(o, 0, sizeof *o);
    o->neighbours = 10;
    o->or_opt = 1;
    o->iterations = (long)(20 * n);
    o->seed = 1;
}

double stad_route_tour_length(size_t n, const double *d, const int *tour)
{
    double len = 0;
    for (size_t i = 0; i < n; i++)
        len += d[(size_t)tour[i] * n + (size_t)tour[(i + 1) % n]];
    return len;
}

int stad_route_tour_valid(size_t n, const int *tour)
{
    unsigned char *seen = calloc(n ? n : 1, 1);
    if (!seen)
        return 0;
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        if (tour[i] < 0 || (size_t)tour[i] >= n || seen[tour[i]])
            ok = 0;
        else
            seen[tour[i]] = 1;
    }
    free(seen);
    return ok;
}

int stad_route_tsp_nearest(stad_ctx *ctx, size_t n, const double *d, int start, int *tour)
{
    if (!n)
        return 0;
    if (start < 0 || (size_t)start >= n)
        return stad_fail(ctx, STAD_EINVAL, "route: start city %d not in 0..%zu", start, n - 1);
    unsigned char *used = calloc(n, 1);
    if (!used)
        return stad_fail(ctx, STAD_ENOMEM, "route: out of memory");
    size_t cur = (size_t)start;
    used[cur] = 1;
    tour[0] = start;
    for (size_t k = 1; k < n; k++) {
        size_t best = n;
        for (size_t j = 0; j < n; j++)
            if (!used[j] && (best == n || d[cur * n + j] < d[cur * n + best]))
                best = j;
        used[best] = 1;
        tour[k] = (int)best;
        cur = best;
    }
    free(used);
    return 0;
}

/* ---- the local search state ---- */

typedef struct tsp {
    size_t n;
    const double *d;
    int *t;    /* tour */
    int *pos;  /* position of each city */
    int *nb;   /* k nearest neighbours of each city */
    int k;
    int or_opt;
    /* queue of cities whose don't-look bit is off */
    int *queue;
    unsigned char *queued;
    size_t qhead, qlen;
} tsp;

#define D(a, b) (s->d[(size_t)(a) * s->n + (size_t)(b)])

static int succ(const tsp *s, int c) { return s->t[((size_t)s->pos[c] + 1) % s->n]; }
static int pred(const tsp *s, int c) { return s->t[((size_t)s->pos[c] + s->n - 1) % s->n]; }

static void push(tsp *s, int c)
{
    if (s->queued[c])
        return;
    s->queued[c] = 1;
    s->queue[(s->qhead + s->qlen++) % s->n] = c;
}

/* Reverses the path from city x forward to city y (or, when shorter, the rest of
 * the cycle, which gives the same cycle read the other way). */
static void reverse_path(tsp *s, int x, int y)
{
    size_t n = s->n, i = (size_t)s->pos[x], j = (size_t)s->pos[y];
    size_t len = (j + n - i) % n + 1;
    if (2 * len > n) {
        size_t ni = (j + 1) % n, nj = (i + n - 1) % n;
        i = ni;
        j = nj;
        len = n - len;
    }
    for (size_t k = 0; k < len / 2; k++) {
        int a = s->t[i], b = s->t[j];
        s->t[i] = b;
        s->pos[b] = (int)i;
        s->t[j] = a;
        s->pos[a] = (int)j;
        i = (i + 1) % n;
        j = (j + n - 1) % n;
    }
}

/* Removes {a1,a2},{b1,b2} (a2 next to a1, b2 next to b1 in the same direction) and
 * adds {a1,b1},{a2,b2}. */
static void exchange(tsp *s, int a1, int a2, int b1, int b2)
{
    if (succ(s, a1) == a2)
        reverse_path(s, a2, b1);
    else
        reverse_path(s, b1, a2);
    (void)b2;
}

/* 2-opt from city a in both directions; 1 if a move was made. */
static int try_2opt(tsp *s, int a)
{
    for (int dir = 0; dir < 2; dir++) {
        int a2 = dir ? pred(s, a) : succ(s, a);
        double dA = D(a, a2);
        for (int k = 0; k < s->k; k++) {
            int c = s->nb[(size_t)a * (size_t)s->k + (size_t)k];
            double g1 = dA - D(a, c);
            if (g1 <= 1e-12)
                break; /* neighbours are sorted: no later one can gain */
            int c2 = dir ? pred(s, c) : succ(s, c);
            if (c2 == a || c == a2)
                continue;
            double gain = g1 + D(c, c2) - D(a2, c2);
            if (gain > 1e-9) {
                exchange(s, a, a2, c, c2);
                push(s, a);
                push(s, a2);
                push(s, c);
                push(s, c2);
                return 1;
            }
        }
    }
    return 0;
}

/* Or-opt: moves the segment of 1-3 cities starting at a (forward) between two
 * neighbours u-v of its ends, in either orientation; 1 if a move was made. */
static int try_oropt(tsp *s, int a)
{
    if (s->n < 8)
        return 0;
    for (int len = 1; len <= 3; len++) {
        int s1 = a, s2 = a;
        for (int i = 1; i < len; i++)
            s2 = succ(s, s2);
        int p = pred(s, s1), nx = succ(s, s2);
        if (p == nx || p == s2 || nx == s1)
            return 0;
        double remove_gain = D(p, s1) + D(s2, nx) - D(p, nx);
        if (remove_gain <= 1e-9)
            continue;
        for (int end = 0; end < 2; end++) {
            int e = end ? s2 : s1;
            for (int k = 0; k < s->k; k++) {
                int c = s->nb[(size_t)e * (size_t)s->k + (size_t)k];
                if (D(e, c) >= remove_gain)
                    break;
                for (int side = 0; side < 2; side++) {
                    int u = side ? pred(s, c) : c, v = side ? c : succ(s, c);
                    /* u-v must not touch the segment or its neighbours. */
                    int in = 0;
                    for (int q = s1, i = 0; i < len; i++, q = succ(s, q))
                        if (q == u || q == v)
                            in = 1;
                    if (in || u == p || v == p || u == nx || v == nx)
                        continue;
                    double fwd = D(u, s1) + D(s2, v) - D(u, v); /* u s1..s2 v */
                    double rev = D(u, s2) + D(s1, v) - D(u, v); /* u s2..s1 v */
                    int reversed = rev < fwd;
                    double add = reversed ? rev : fwd;
                    if (remove_gain - add <= 1e-9)
                        continue;
                    /* p = pred(s1) and v = succ(u) by construction, so the tour
                     * reads p s1..s2 nx .. u v .. as the exchanges assume. */
                    /* p s1..s2 nx .. u v  ->  p u .. nx s2..s1 v  ->  p nx .. u s2..s1 v */
                    exchange(s, p, s1, u, v);
                    exchange(s, p, u, nx, s2);
                    if (!reversed && s1 != s2)
                        exchange(s, u, s2, s1, v); /* -> u s1..s2 v */
                    push(s, p);
                    push(s, nx);
                    push(s, u);
                    push(s, v);
                    push(s, s1);
                    push(s, s2);
                    return 1;
                }
            }
        }
    }
    return 0;
}

static void local_search(tsp *s)
{
    while (s->qlen) {
        int a = s->queue[s->qhead];
        s->qhead = (s->qhead + 1) % s->n;
        s->qlen--;
        s->queued[a] = 0;
        for (;;) {
            if (try_2opt(s, a))
                continue;
            if (s->or_opt && try_oropt(s, a))
                continue;
            break;
        }
    }
}

typedef struct nb_sort {
    double d;
    int c;
} nb_sort;

static int cmp_nb(const void *x, const void *y)
{
    const nb_sort *a = x, *b = y;
    return a->d < b->d ? -1 : a->d > b->d ? 1 : a->c - b->c;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Double bridge within a stretch of at most 50 positions starting at a random place:
 * A B C D -> A C B D on the stretch; the cities at the four cut points are queued. */
static void kick(tsp *s, stad_route_rng *r, int *buf)
{
    size_t n = s->n, L = n < 50 ? n : 50;
    size_t start = stad_route_rng_next(r) % n;
    size_t c[3];
    for (int i = 0; i < 3; i++)
        c[i] = 1 + stad_route_rng_next(r) % (L - 1);
    /* sort the three cut offsets */
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (c[j] < c[i]) {
                size_t tmp = c[i];
                c[i] = c[j];
                c[j] = tmp;
            }
    if (c[0] == c[1] || c[1] == c[2])
        return;
    /* stretch offsets: [0,c0) A, [c0,c1) B, [c1,c2) C, rest unchanged */
    size_t k = 0;
    for (size_t i = 0; i < c[0]; i++)
        buf[k++] = s->t[(start + i) % n];
    for (size_t i = c[1]; i < c[2]; i++)
        buf[k++] = s->t[(start + i) % n];
    for (size_t i = c[0]; i < c[1]; i++)
        buf[k++] = s->t[(start + i) % n];
    for (size_t i = 0; i < k; i++) {
        size_t p = (start + i) % n;
        s->t[p] = buf[i];
        s->pos[buf[i]] = (int)p;
    }
    size_t cuts[] = {0, c[0], c[1], c[2]};
    for (int i = 0; i < 4; i++) {
        int city = s->t[(start + cuts[i]) % n];
        push(s, city);
        push(s, pred(s, city));
        push(s, succ(s, city));
    }
}

int stad_route_tsp_improve(stad_ctx *ctx, size_t n, const double *d,
                           const stad_route_tsp_opts *o, int *tour, double *length)
{
    stad_route_tsp_opts def;
    if (!o) {
        stad_route_tsp_opts_init(&def, n);
        o = &def;
    }
    if (!stad_route_tour_valid(n, tour))
        return stad_fail(ctx, STAD_EINVAL, "route: the tour is not a permutation of 0..%zu",
                         n ? n - 1 : 0);
    if (n < 4) {
        if (length)
            *length = stad_route_tour_length(n, d, tour);
        return 0;
    }
    int k = o->neighbours > 0 ? o->neighbours : 10;
    if ((size_t)k > n - 1)
        k = (int)(n - 1);
    tsp s = {.n = n, .d = d, .k = k, .or_opt = o->or_opt};
    s.t = malloc(n * sizeof *s.t);
    s.pos = malloc(n * sizeof *s.pos);
    s.nb = malloc(n * (size_t)k * sizeof *s.nb);
    s.queue = malloc(n * sizeof *s.queue);
    s.queued = calloc(n, 1);
    int *best = malloc(n * sizeof *best);
    int *buf = malloc(n * sizeof *buf);
    nb_sort *tmp = malloc(n * sizeof *tmp);
    int rc = 0;
    if (!s.t || !s.pos || !s.nb || !s.queue || !s.queued || !best || !buf || !tmp) {
        rc = stad_fail(ctx, STAD_ENOMEM, "route: out of memory for a tour of %zu", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        size_t m = 0;
        for (size_t j = 0; j < n; j++)
            if (j != i)
                tmp[m++] = (nb_sort){d[i * n + j], (int)j};
        qsort(tmp, m, sizeof *tmp, cmp_nb);
        for (int q = 0; q < k; q++)
            s.nb[i * (size_t)k + (size_t)q] = tmp[q].c;
    }
    memcpy(s.t, tour, n * sizeof *tour);
    for (size_t i = 0; i < n; i++) {
        s.pos[s.t[i]] = (int)i;
        push(&s, s.t[i]);
    }
    local_search(&s);
    double cur = stad_route_tour_length(n, d, s.t);
    memcpy(best, s.t, n * sizeof *best);
    double best_len = cur;
    stad_route_rng rng;
    stad_route_rng_seed(&rng, o->seed);
    double t0 = now_s();
    for (long it = 0; it < o->iterations; it++) {
        if (o->time_limit > 0 && (it & 63) == 0 && now_s() - t0 > o->time_limit)
            break;
        kick(&s, &rng, buf);
        local_search(&s);
        cur = stad_route_tour_length(n, d, s.t);
        if (cur <= best_len) {
            best_len = cur;
            memcpy(best, s.t, n * sizeof *best);
        } else {
            /* back to the best tour: only the changed stretch matters, but a copy of
             * n ints is cheap next to the local search */
            memcpy(s.t, best, n * sizeof *best);
            for (size_t i = 0; i < n; i++)
                s.pos[s.t[i]] = (int)i;
        }
        if ((it & 1023) == 1023 &&
            (rc = stad_progress(ctx, "tour", (uint64_t)it + 1, (uint64_t)o->iterations)))
            goto done;
    }
    memcpy(tour, best, n * sizeof *best);
    if (length)
        *length = best_len;
done:
    free(s.t);
    free(s.pos);
    free(s.nb);
    free(s.queue);
    free(s.queued);
    free(best);
    free(buf);
    free(tmp);
    return rc;
}
