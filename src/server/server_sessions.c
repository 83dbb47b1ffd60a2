/* The session cache: sessions the store accepted, kept in memory by the digest of
 * their token with the account, roles, expiry and last_seen, and the caller's scope
 * once computed, so that a request with a known session reads no session or
 * register rows.
 *
 * Correctness rests on the store's access generation (stad_store_versions): every
 * change that can alter what a session may do bumps it in the changing transaction,
 * through triggers, whichever process makes it. Each request reads the generation in
 * its own read transaction; an entry is used only while the cache holds that same
 * generation, and a request that sees another one empties the cache first. So a
 * logout, a lock or a role change by the CLI counts from the next request on. Time
 * limits are judged by stad_privacy_session_usable on the cached row, the rule the
 * store check uses; an entry that fails it is dropped and the store decides. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "server/server_lru.h"

#define SESSION_BUCKETS 1024

typedef struct entry {
    srv_lru_link lru;                  /* first: the link is the entry */
    unsigned char digest[STAD_TOKEN_DIGEST_LEN];
    stad_session_state ss;
    stad_scope *scope;                 /* NULL until the first request computes it */
    struct entry *chain;
} entry;

struct srv_sessions {
    pthread_mutex_t mu;
    int64_t gen;                       /* access generation of every entry; -1 = none */
    entry *buckets[SESSION_BUCKETS];
    srv_lru lru;
    size_t n, max;
    uint64_t hits, misses;
};

int srv_sessions_new(size_t max_entries, srv_sessions **out)
{
    *out = NULL;
    srv_sessions *c = calloc(1, sizeof *c);
    if (!c)
        return STAD_ENOMEM;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return STAD_ENOMEM;
    }
    c->gen = -1;
    c->max = max_entries ? max_entries : 1;
    *out = c;
    return 0;
}

static size_t bucket_of(const unsigned char *digest)
{
    /* The digest is a hash already: its first bytes spread evenly. */
    size_t h = 0;
    memcpy(&h, digest, sizeof h);
    return h % SESSION_BUCKETS;
}

static entry **slot_of(srv_sessions *c, const unsigned char *digest)
{
    entry **pp = &c->buckets[bucket_of(digest)];
    while (*pp && sodium_memcmp((*pp)->digest, digest, STAD_TOKEN_DIGEST_LEN) != 0)
        pp = &(*pp)->chain;
    return pp;
}

/* Unlinks *pp (an entry) and returns it; the caller frees it outside the lock. */
static entry *take(srv_sessions *c, entry **pp)
{
    entry *e = *pp;
    *pp = e->chain;
    srv_lru_unlink(&c->lru, &e->lru);
    c->n--;
    e->chain = NULL;
    return e;
}

static void entries_free(entry *list)
{
    while (list) {
        entry *next = list->chain;
        stad_privacy_scope_free(list->scope);
        sodium_memzero(list, sizeof *list);
        free(list);
        list = next;
    }
}

/* Empties the cache; returns the entries as a chain to free outside the lock. */
static entry *take_all(srv_sessions *c)
{
    entry *list = NULL;
    for (entry *e = (entry *)c->lru.head; e; e = (entry *)e->lru.next) {
        e->chain = list;
        list = e;
    }
    memset(c->buckets, 0, sizeof c->buckets);
    c->lru.head = c->lru.tail = NULL;
    c->n = 0;
    return list;
}

void srv_sessions_free(srv_sessions *c)
{
    if (!c)
        return;
    entries_free(take_all(c));
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int srv_sessions_get(srv_sessions *c, const unsigned char digest[STAD_TOKEN_DIGEST_LEN],
                     int64_t gen, const stad_session_policy *pol, int64_t now,
                     stad_session_state *ss, stad_scope **scope, int *touch)
{
    *scope = NULL;
    *touch = 0;
    if (!c || gen < 0)
        return 0;
    entry *gone = NULL;
    int hit = 0;
    stad_scope *cached_scope = NULL;
    pthread_mutex_lock(&c->mu);
    if (gen != c->gen) {
        /* Something changed (or this request's snapshot is older): nothing cached
         * before can be trusted. */
        gone = take_all(c);
        c->gen = gen;
    } else {
        entry **pp = slot_of(c, digest);
        if (*pp) {
            const char *why;
            if (stad_privacy_session_usable(pol, &(*pp)->ss, now, touch, &why)) {
                entry *e = *pp;
                if (*touch)
                    e->ss.last_seen = now; /* as the store will have it once touched */
                *ss = e->ss;
                cached_scope = e->scope;
                srv_lru_unlink(&c->lru, &e->lru);
                srv_lru_push_front(&c->lru, &e->lru);
                hit = 1;
            } else {
                gone = take(c, pp); /* the store decides: it may know a later last_seen */
            }
        }
    }
    /* The copy is made under the lock: the entry may go as soon as it is released. */
    if (hit && cached_scope && stad_privacy_scope_dup(cached_scope, scope) != 0)
        *scope = NULL; /* out of memory: the caller computes it again */
    if (hit)
        c->hits++;
    else
        c->misses++;
    pthread_mutex_unlock(&c->mu);
    entries_free(gone);
    return hit;
}

void srv_sessions_put(srv_sessions *c, const unsigned char digest[STAD_TOKEN_DIGEST_LEN],
                      int64_t gen, const stad_session_state *ss)
{
    if (!c || gen < 0)
        return;
    entry *n = calloc(1, sizeof *n);
    if (!n)
        return;
    memcpy(n->digest, digest, STAD_TOKEN_DIGEST_LEN);
    n->ss = *ss;
    entry *gone = NULL;
    pthread_mutex_lock(&c->mu);
    if (gen != c->gen) {
        /* Read at another generation than the cache holds: not kept. */
        gone = n;
        n = NULL;
    } else {
        entry **pp = slot_of(c, digest);
        if (*pp)
            gone = take(c, pp);
        if (c->n >= c->max && c->lru.tail) {
            entry *old = (entry *)c->lru.tail;
            entry *victim = take(c, slot_of(c, old->digest));
            victim->chain = gone;
            gone = victim;
        }
        size_t b = bucket_of(digest);
        n->chain = c->buckets[b];
        c->buckets[b] = n;
        srv_lru_push_front(&c->lru, &n->lru);
        c->n++;
    }
    pthread_mutex_unlock(&c->mu);
    entries_free(gone);
}

void srv_sessions_put_scope(srv_sessions *c, const unsigned char digest[STAD_TOKEN_DIGEST_LEN],
                            int64_t gen, const stad_scope *scope)
{
    if (!c || gen < 0 || !scope)
        return;
    stad_scope *copy;
    if (stad_privacy_scope_dup(scope, &copy) != 0)
        return;
    pthread_mutex_lock(&c->mu);
    entry *e = gen == c->gen ? *slot_of(c, digest) : NULL;
    if (e && !e->scope) {
        e->scope = copy;
        copy = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    stad_privacy_scope_free(copy);
}

void srv_sessions_drop(srv_sessions *c, const unsigned char digest[STAD_TOKEN_DIGEST_LEN])
{
    if (!c)
        return;
    entry *gone = NULL;
    pthread_mutex_lock(&c->mu);
    entry **pp = slot_of(c, digest);
    if (*pp)
        gone = take(c, pp);
    pthread_mutex_unlock(&c->mu);
    entries_free(gone);
}

void srv_sessions_counts(srv_sessions *c, uint64_t *hits, uint64_t *misses, size_t *n)
{
    *hits = *misses = 0;
    *n = 0;
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    *hits = c->hits;
    *misses = c->misses;
    *n = c->n;
    pthread_mutex_unlock(&c->mu);
}
