/* Arena allocator: blocks chained newest-first; big requests get a block of their own. */
#include <stdlib.h>
#include <string.h>

#include "stad/arena.h"

struct stad_arena_block {
    stad_arena_block *next;
    size_t size, used;
    _Alignas(max_align_t) unsigned char data[];
};

void stad_arena_init(stad_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
}

void *stad_arena_alloc(stad_arena *a, size_t n)
{
    const size_t align = _Alignof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    if (n == 0)
        n = align;
    stad_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > a->block_size ? n : a->block_size;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *stad_arena_strndup(stad_arena *a, const char *s, size_t n)
{
    char *p = stad_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *stad_arena_strdup(stad_arena *a, const char *s)
{
    return stad_arena_strndup(a, s, strlen(s));
}

void stad_arena_reset(stad_arena *a)
{
    stad_arena_block *b = a->head;
    if (!b)
        return;
    /* Keep the oldest block (the one of default size) for reuse. */
    while (b->next) {
        stad_arena_block *next = b->next;
        free(b);
        b = next;
    }
    b->used = 0;
    a->head = b;
}

void stad_arena_free(stad_arena *a)
{
    stad_arena_block *b = a->head;
    while (b) {
        stad_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}
