/* A pool of feasible routes and their best disjoint packing (see route_pool.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "route/route_pool.h"

struct route_pool {
    size_t n_nodes, words, cap, count;
    uint64_t *bits;  /* cap x words: the route's node set */
    int *nodes;      /* cap x n_nodes: the route in visiting order */
    int *len;
    double *score, *dur;
    uint64_t *hash;  /* of the node set */
    size_t *table;   /* open addressing: route index + 1, 0 = empty */
    size_t table_size;
    uint64_t *scratch; /* words */
};

route_pool *route_pool_new(size_t n_nodes, size_t cap)
{
    route_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->n_nodes = n_nodes ? n_nodes : 1;
    p->words = (p->n_nodes + 63) / 64;
    p->cap = cap < 4 ? 4 : cap;
    for (p->table_size = 8; p->table_size < 2 * p->cap;)
        p->table_size *= 2;
    p->bits = malloc(p->cap * p->words * sizeof *p->bits);
    p->nodes = malloc(p->cap * p->n_nodes * sizeof *p->nodes);
    p->len = malloc(p->cap * sizeof *p->len);
    p->score = malloc(p->cap * sizeof *p->score);
    p->dur = malloc(p->cap * sizeof *p->dur);
    p->hash = malloc(p->cap * sizeof *p->hash);
    p->table = calloc(p->table_size, sizeof *p->table);
    p->scratch = malloc(p->words * sizeof *p->scratch);
    if (!p->bits || !p->nodes || !p->len || !p->score || !p->dur || !p->hash || !p->table ||
        !p->scratch) {
        route_pool_free(p);
        return NULL;
    }
    return p;
}

void route_pool_free(route_pool *p)
{
    if (!p)
        return;
    free(p->bits);
    free(p->nodes);
    free(p->len);
    free(p->score);
    free(p->dur);
    free(p->hash);
    free(p->table);
    free(p->scratch);
    free(p);
}

size_t route_pool_size(const route_pool *p)
{
    return p->count;
}

const int *route_pool_route(const route_pool *p, size_t i, int *len, double *dur)
{
    *len = p->len[i];
    if (dur)
        *dur = p->dur[i];
    return p->nodes + i * p->n_nodes;
}

static uint64_t set_hash(const uint64_t *w, size_t words)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over the words */
    for (size_t i = 0; i < words; i++) {
        h ^= w[i];
        h *= 1099511628211ULL;
        h ^= h >> 29;
    }
    return h;
}

/* Slot of the route with this node set, or of the empty place where it would go. */
static size_t find_slot(const route_pool *p, const uint64_t *set, uint64_t h)
{
    size_t mask = p->table_size - 1, s = (size_t)h & mask;
    for (;; s = (s + 1) & mask) {
        size_t e = p->table[s];
        if (!e)
            return s;
        if (p->hash[e - 1] == h &&
            memcmp(p->bits + (e - 1) * p->words, set, p->words * sizeof *set) == 0)
            return s;
    }
}

static void rebuild_table(route_pool *p)
{
    memset(p->table, 0, p->table_size * sizeof *p->table);
    for (size_t i = 0; i < p->count; i++)
        p->table[find_slot(p, p->bits + i * p->words, p->hash[i])] = i + 1;
}

static void move_route(route_pool *p, size_t to, size_t from)
{
    if (to == from)
        return;
    memcpy(p->bits + to * p->words, p->bits + from * p->words, p->words * sizeof *p->bits);
    memcpy(p->nodes + to * p->n_nodes, p->nodes + from * p->n_nodes,
           (size_t)p->len[from] * sizeof *p->nodes);
    p->len[to] = p->len[from];
    p->score[to] = p->score[from];
    p->dur[to] = p->dur[from];
    p->hash[to] = p->hash[from];
}

typedef struct ranked {
    double score;
    size_t i;
} ranked;

static int by_score_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i; /* ties: stable, for reproducibility */
}

/* The pool's route indexes in falling score (malloc'ed), NULL when out of memory.
 * No global sort key: the pool may be used by several threads at once. */
static size_t *rank_routes(const route_pool *p)
{
    ranked *r = malloc((p->count ? p->count : 1) * sizeof *r);
    size_t *order = malloc((p->count ? p->count : 1) * sizeof *order);
    if (!r || !order) {
        free(r);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < p->count; i++)
        r[i] = (ranked){p->score[i], i};
    qsort(r, p->count, sizeof *r, by_score_desc);
    for (size_t i = 0; i < p->count; i++)
        order[i] = r[i].i;
    free(r);
    return order;
}

/* Full: keeps the better half (by score), so the pool follows the search upward. */
static int compact(route_pool *p)
{
    size_t *order = rank_routes(p);
    if (!order)
        return -1;
    size_t keep = p->count / 2;
    /* move the kept routes to the front, in index order so no source is overwritten
     * before it is read */
    unsigned char *kept = calloc(p->count, 1);
    if (!kept) {
        free(order);
        return -1;
    }
    for (size_t i = 0; i < keep; i++)
        kept[order[i]] = 1;
    size_t to = 0;
    for (size_t i = 0; i < p->count; i++)
        if (kept[i])
            move_route(p, to++, i);
    p->count = keep;
    free(kept);
    free(order);
    rebuild_table(p);
    return 0;
}

int route_pool_add(route_pool *p, const int *nodes, int len, double score, double dur)
{
    if (len <= 0 || (size_t)len > p->n_nodes)
        return 0;
    memset(p->scratch, 0, p->words * sizeof *p->scratch);
    for (int i = 0; i < len; i++)
        p->scratch[(size_t)nodes[i] / 64] |= 1ULL << ((size_t)nodes[i] % 64);
    uint64_t h = set_hash(p->scratch, p->words);
    size_t s = find_slot(p, p->scratch, h);
    if (p->table[s]) {
        size_t i = p->table[s] - 1;
        if (dur < p->dur[i]) {
            memcpy(p->nodes + i * p->n_nodes, nodes, (size_t)len * sizeof *nodes);
            p->dur[i] = dur;
        }
        return 0;
    }
    if (p->count == p->cap) {
        if (compact(p))
            return -1;
        s = find_slot(p, p->scratch, h);
    }
    size_t i = p->count++;
    memcpy(p->bits + i * p->words, p->scratch, p->words * sizeof *p->scratch);
    memcpy(p->nodes + i * p->n_nodes, nodes, (size_t)len * sizeof *nodes);
    p->len[i] = len;
    p->score[i] = score;
    p->dur[i] = dur;
    p->hash[i] = h;
    p->table[s] = i + 1;
    return 0;
}

typedef struct packer {
    const route_pool *p;
    const size_t *order;
    int m;
    long steps, max_steps;
    uint64_t *used; /* (m + 1) x words: the nodes taken at each depth */
    size_t *path, *best_path;
    int best_n;
    double best;
} packer;

static void pack_dfs(packer *k, int depth, size_t from, double score)
{
    if (score > k->best) {
        k->best = score;
        k->best_n = depth;
        memcpy(k->best_path, k->path, (size_t)depth * sizeof *k->path);
    }
    if (depth == k->m)
        return;
    const route_pool *p = k->p;
    const uint64_t *used = k->used + (size_t)depth * p->words;
    uint64_t *next = k->used + (size_t)(depth + 1) * p->words;
    for (size_t o = from; o < p->count; o++) {
        size_t i = k->order[o];
        /* routes come in falling score: none of the rest can beat the best */
        if (score + p->score[i] * (k->m - depth) <= k->best + 1e-9)
            return;
        if (++k->steps > k->max_steps)
            return;
        const uint64_t *b = p->bits + i * p->words;
        size_t w = 0;
        while (w < p->words && !(b[w] & used[w]))
            w++;
        if (w < p->words)
            continue;
        for (w = 0; w < p->words; w++)
            next[w] = used[w] | b[w];
        k->path[depth] = i;
        pack_dfs(k, depth + 1, o + 1, score + p->score[i]);
    }
}

int route_pool_pack(route_pool *p, int m, long max_steps, size_t *chosen, double *score)
{
    *score = 0;
    if (m < 1 || !p->count)
        return 0;
    packer k = {.p = p, .m = m, .max_steps = max_steps, .best = 0};
    size_t *order = rank_routes(p);
    k.used = calloc(((size_t)m + 1) * p->words, sizeof *k.used);
    k.path = malloc((size_t)m * sizeof *k.path);
    k.best_path = malloc((size_t)m * sizeof *k.best_path);
    int n = -1;
    if (order && k.used && k.path && k.best_path) {
        k.order = order;
        pack_dfs(&k, 0, 0, 0);
        memcpy(chosen, k.best_path, (size_t)k.best_n * sizeof *chosen);
        *score = k.best;
        n = k.best_n;
    }
    free(order);
    free(k.used);
    free(k.path);
    free(k.best_path);
    return n;
}
