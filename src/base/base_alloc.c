/* base_alloc.c - abort-on-OOM allocation (see base_alloc.h for why). */
#include "base_alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "lambdavpc: out of memory allocating %zu bytes\n", n);
	abort();
}

void *base_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *base_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom(count * size);
	return p;
}

void *base_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *base_xstrdup(const char *s)
{
	return s ? base_xstrndup(s, strlen(s)) : NULL;
}

char *base_xstrndup(const char *s, size_t n)
{
	char *p;
	if (!s)
		return NULL;
	p = base_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *base_xasprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	char probe[1]; /* measuring call */
	int n;
	char *p;
	if (!fmt) /* also keeps gcc 12 + UBSan from warning "null format string" */
		fmt = "";
	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(probe, sizeof probe, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	p = base_xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

void base_free(void *p)
{
	free(p);
}
