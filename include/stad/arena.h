/* Arena allocator: many small allocations released at once.
 * Memory from stad_arena_alloc belongs to the arena and lives until
 * stad_arena_reset or stad_arena_free. */
#ifndef STAD_ARENA_H
#define STAD_ARENA_H

#include <stddef.h>

typedef struct stad_arena_block stad_arena_block;

typedef struct stad_arena {
    stad_arena_block *head;
    size_t block_size;
} stad_arena;

/* block_size 0 picks a default (64 KiB). Never fails: allocates lazily. */
void stad_arena_init(stad_arena *a, size_t block_size);
/* Returns aligned memory or NULL when out of memory. */
void *stad_arena_alloc(stad_arena *a, size_t n);
/* Copies n bytes of s and appends a NUL; NULL when out of memory. */
char *stad_arena_strndup(stad_arena *a, const char *s, size_t n);
char *stad_arena_strdup(stad_arena *a, const char *s);
/* Releases everything but keeps the first block for reuse. */
void stad_arena_reset(stad_arena *a);
void stad_arena_free(stad_arena *a);

#endif
