/* A small open-addressing hash map from strings to integers: category caches,
 * counts per kind, the taxonomy's map and duplicate detection all need one. */
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_internal.h"

uint64_t ingest_hash_bytes(const void *p, size_t n, uint64_t seed)
{
    /* FNV-1a with a final avalanche; ample for in-memory tables. */
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

void ingest_map_init(ingest_map *m)
{
    memset(m, 0, sizeof *m);
    stad_arena_init(&m->arena, 0);
}

void ingest_map_free(ingest_map *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m->order);
    stad_arena_free(&m->arena);
    memset(m, 0, sizeof *m);
}

static ingest_map_entry *find(const ingest_map *m, const char *key, uint64_t h)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        ingest_map_entry *e = &m->slots[i];
        if (!e->key)
            return e;
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e;
    }
}

static int grow(ingest_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    ingest_map_entry *slots = calloc(cap, sizeof *slots);
    ingest_map_entry **order = malloc(cap * sizeof *order);
    if (!slots || !order) {
        free(slots);
        free(order);
        return STAD_ENOMEM;
    }
    for (size_t k = 0; k < m->n; k++) {
        ingest_map_entry *e = m->order[k];
        size_t i = e->hash & (cap - 1);
        while (slots[i].key)
            i = (i + 1) & (cap - 1);
        slots[i] = *e;
        order[k] = &slots[i];
    }
    free(m->slots);
    free(m->order);
    m->slots = slots;
    m->order = order;
    m->cap = cap;
    return 0;
}

int64_t *ingest_map_get(const ingest_map *m, const char *key)
{
    ingest_map_entry *e = find(m, key, ingest_hash_bytes(key, strlen(key), 0));
    return e && e->key ? &e->value : NULL;
}

int64_t *ingest_map_upsert(ingest_map *m, const char *key, int64_t init)
{
    uint64_t h = ingest_hash_bytes(key, strlen(key), 0);
    ingest_map_entry *e = find(m, key, h);
    if (e && e->key)
        return &e->value;
    if ((m->n + 1) * 2 > m->cap) {
        if (grow(m))
            return NULL;
        e = find(m, key, h);
    }
    e->key = stad_arena_strdup(&m->arena, key);
    if (!e->key)
        return NULL;
    e->hash = h;
    e->value = init;
    m->order[m->n++] = e;
    return &e->value;
}
