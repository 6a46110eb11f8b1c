/*
 * base_arena.c - bump allocator in growing chunks.
 *
 * Normal build: chunks of >= 16 KiB, allocations carved 16-byte aligned.
 * BASE_ARENA_DEBUG: every allocation is its own malloc on a list, so
 * valgrind/ASan catch overruns at the exact block.
 */
#include "base_arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base_alloc.h"

#define ARENA_ALIGN 16
#define ARENA_CHUNK (16 * 1024)

struct chunk {
	struct chunk *next;
	size_t cap;
	size_t used;
	/* payload follows, aligned */
	_Alignas(16) unsigned char data[];
};

struct base_arena {
	struct chunk *head;
	size_t used; /* sum of the rounded sizes handed out */
};

base_arena *base_arena_new(void)
{
	return base_xcalloc(1, sizeof(base_arena));
}

void base_arena_free(base_arena *a)
{
	struct chunk *c, *next;
	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		base_free(c);
	}
	base_free(a);
}

void *base_arena_alloc(base_arena *a, size_t n)
{
	struct chunk *c;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	a->used += need;
#ifdef BASE_ARENA_DEBUG
	c = base_xmalloc(sizeof(struct chunk) + n);
	c->cap = n;
	c->used = n;
	c->next = a->head;
	a->head = c;
	memset(c->data, 0, n);
	return c->data;
#else
	c = a->head;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;
		struct chunk *nc = base_xmalloc(sizeof(struct chunk) + cap);
		nc->cap = cap;
		nc->used = 0;
		if (c && need > ARENA_CHUNK / 4) {
			/* A big block: keep the current chunk in front for small ones. */
			nc->next = c->next;
			c->next = nc;
		} else {
			nc->next = c;
			a->head = nc;
		}
		c = nc;
	}
	{
		void *p = c->data + c->used;
		c->used += need;
		memset(p, 0, need);
		return p;
	}
#endif
}

size_t base_arena_used(const base_arena *a)
{
	return a->used;
}

void *base_arena_calloc(base_arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size) {
		fprintf(stderr, "lambdavpc: arena allocation overflow\n");
		abort();
	}
	return base_arena_alloc(a, count * size);
}

void *base_arena_realloc(base_arena *a, void *p, size_t old_n, size_t new_n)
{
	void *q;
	if (p && new_n <= old_n)
		return p;
	q = base_arena_alloc(a, new_n);
	if (p && old_n)
		memcpy(q, p, old_n);
	return q;
}

void *base_arena_memdup(base_arena *a, const void *p, size_t n)
{
	void *q = base_arena_alloc(a, n);
	if (n)
		memcpy(q, p, n);
	return q;
}

char *base_arena_strdup(base_arena *a, const char *s)
{
	return s ? base_arena_strndup(a, s, strlen(s)) : NULL;
}

char *base_arena_strndup(base_arena *a, const char *s, size_t n)
{
	char *p;
	if (!s)
		return NULL;
	p = base_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *base_arena_vsprintf(base_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	char probe[1]; /* measuring call */
	int n;
	char *p;
	va_copy(ap2, ap);
	n = vsnprintf(probe, sizeof probe, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	p = base_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *base_arena_sprintf(base_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	p = base_arena_vsprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
