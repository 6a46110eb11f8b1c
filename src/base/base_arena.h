/*
 * base_arena.h - a per-RPC bump allocator.
 *
 * Everything decoded from, or built for, one RPC is allocated here and
 * released by one base_arena_free(). Allocations are 16-byte aligned and
 * zero-filled. Building with -DBASE_ARENA_DEBUG makes every allocation a
 * separate malloc so valgrind/ASan see overruns.
 *
 * THREAD SAFETY: an arena belongs to one thread at a time.
 */
#ifndef BASE_ARENA_H
#define BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct base_arena base_arena;

base_arena *base_arena_new(void);
/* Frees the arena and everything allocated in it. NULL is fine. */
void base_arena_free(base_arena *a);

/* Bytes handed out so far (rounded to the alignment): decoders compare it
 * with their per-request budget. */
size_t base_arena_used(const base_arena *a);

/* Zeroed, aligned memory owned by the arena; never NULL. */
void *base_arena_alloc(base_arena *a, size_t n);
void *base_arena_calloc(base_arena *a, size_t count, size_t size);
/* Grow a block previously returned by this arena (old contents copied). */
void *base_arena_realloc(base_arena *a, void *p, size_t old_n, size_t new_n);
void *base_arena_memdup(base_arena *a, const void *p, size_t n);
/* NUL-terminated copies. strndup copies exactly n bytes (which may include
 * NULs; s must have n readable bytes) and appends a NUL. NULL in -> NULL out. */
char *base_arena_strdup(base_arena *a, const char *s);
char *base_arena_strndup(base_arena *a, const char *s, size_t n);
char *base_arena_sprintf(base_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *base_arena_vsprintf(base_arena *a, const char *fmt, va_list ap);

#endif
