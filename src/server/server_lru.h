/* A least-recently-used order for the server's in-memory caches (responses,
 * sessions): an intrusive doubly linked list. An entry embeds a srv_lru_link as its
 * FIRST member, so a link pointer is the entry's pointer. Not locked: the cache that
 * owns the list holds its own mutex. */
#ifndef STAD_SERVER_LRU_H
#define STAD_SERVER_LRU_H

#include <stddef.h>

typedef struct srv_lru_link {
    struct srv_lru_link *prev, *next;
} srv_lru_link;

/* Most recently used at the head, the next to evict at the tail. */
typedef struct srv_lru {
    srv_lru_link *head, *tail;
} srv_lru;

static inline void srv_lru_unlink(srv_lru *l, srv_lru_link *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        l->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        l->tail = e->prev;
    e->prev = e->next = NULL;
}

static inline void srv_lru_push_front(srv_lru *l, srv_lru_link *e)
{
    e->prev = NULL;
    e->next = l->head;
    if (l->head)
        l->head->prev = e;
    l->head = e;
    if (!l->tail)
        l->tail = e;
}

#endif
