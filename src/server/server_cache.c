/* A bounded LRU cache of response bodies keyed by route + normalised query. Each entry
 * remembers the data version it was made for, so new data makes old entries misses
 * (and they are dropped on the next put of the same key or by age). */
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "server/server_lru.h"

#define CACHE_BUCKETS 512
#define CACHE_MAX_ENTRIES 2048

typedef struct entry {
    srv_lru_link lru; /* first: the link is the entry */
    char *key;
    uint32_t hash;
    int64_t version;
    char *body, *gz;
    size_t len, gz_len;
    struct entry *chain;
} entry;

struct srv_cache {
    pthread_mutex_t mu;
    entry *buckets[CACHE_BUCKETS];
    srv_lru lru;
    size_t bytes, max_bytes, n;
};

int srv_cache_new(size_t max_bytes, srv_cache **out)
{
    srv_cache *c = calloc(1, sizeof *c);
    if (!c)
        return STAD_ENOMEM;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return STAD_ENOMEM;
    }
    c->max_bytes = max_bytes;
    *out = c;
    return 0;
}

static size_t entry_bytes(const entry *e)
{
    return e->len + e->gz_len + strlen(e->key) + sizeof *e;
}

static void entry_free(entry *e)
{
    free(e->key);
    free(e->body);
    free(e->gz);
    free(e);
}

static void remove_entry(srv_cache *c, entry *e)
{
    entry **pp = &c->buckets[e->hash % CACHE_BUCKETS];
    while (*pp && *pp != e)
        pp = &(*pp)->chain;
    if (*pp)
        *pp = e->chain;
    srv_lru_unlink(&c->lru, &e->lru);
    c->bytes -= entry_bytes(e);
    c->n--;
    entry_free(e);
}

static entry *find(srv_cache *c, const char *key, uint32_t h)
{
    for (entry *e = c->buckets[h % CACHE_BUCKETS]; e; e = e->chain)
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

void srv_cache_free(srv_cache *c)
{
    if (!c)
        return;
    while (c->lru.head)
        remove_entry(c, (entry *)c->lru.head);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static char *dup_bytes(const char *p, size_t n)
{
    char *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

int srv_cache_get(srv_cache *c, const char *key, int64_t version, int want_gzip,
                  char **body, size_t *len, int *gzip)
{
    *body = NULL;
    *len = 0;
    *gzip = 0;
    if (!c)
        return 0;
    uint32_t h = srv_fnv1a(key, SRV_FNV_INIT);
    int hit = 0;
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, key, h);
    if (e && e->version == version) {
        int use_gz = want_gzip && e->gz;
        const char *src = use_gz ? e->gz : e->body;
        size_t n = use_gz ? e->gz_len : e->len;
        /* Copied under the lock: the entry may be evicted as soon as it is released. */
        *body = dup_bytes(src, n);
        if (*body) {
            *len = n;
            *gzip = use_gz;
            hit = 1;
            srv_lru_unlink(&c->lru, &e->lru);
            srv_lru_push_front(&c->lru, &e->lru);
        }
    } else if (e) {
        remove_entry(c, e); /* made for older data */
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void srv_cache_put(srv_cache *c, const char *key, int64_t version, const char *body,
                   size_t len, const char *gz, size_t gz_len)
{
    if (!c || !body)
        return;
    /* One response may not take more than an eighth of the cache. */
    if (len + gz_len > c->max_bytes / 8)
        return;
    entry *n = calloc(1, sizeof *n);
    if (!n)
        return;
    n->key = strdup(key);
    n->body = dup_bytes(body, len);
    n->gz = gz ? dup_bytes(gz, gz_len) : NULL;
    if (!n->key || !n->body || (gz && !n->gz)) {
        entry_free(n);
        return;
    }
    n->hash = srv_fnv1a(key, SRV_FNV_INIT);
    n->version = version;
    n->len = len;
    n->gz_len = gz ? gz_len : 0;

    pthread_mutex_lock(&c->mu);
    entry *old = find(c, key, n->hash);
    if (old && old->version > version) {
        /* A slow request finished after newer data was cached: keep the newer. */
        pthread_mutex_unlock(&c->mu);
        entry_free(n);
        return;
    }
    if (old && old->version == version && old->gz && !n->gz) {
        /* Same data already there with its gzip variant: nothing to add. */
        pthread_mutex_unlock(&c->mu);
        entry_free(n);
        return;
    }
    if (old)
        remove_entry(c, old);
    size_t need = entry_bytes(n);
    while (c->lru.tail && (c->bytes + need > c->max_bytes || c->n >= CACHE_MAX_ENTRIES))
        remove_entry(c, (entry *)c->lru.tail);
    n->chain = c->buckets[n->hash % CACHE_BUCKETS];
    c->buckets[n->hash % CACHE_BUCKETS] = n;
    srv_lru_push_front(&c->lru, &n->lru);
    c->bytes += need;
    c->n++;
    pthread_mutex_unlock(&c->mu);
}
