/* base_buf.c - growable, optionally capped byte buffer. */
#include "base_buf.h"

#include <stdio.h>
#include <string.h>

#include "base_alloc.h"

void base_buf_init(base_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void base_buf_dispose(base_buf *b)
{
	if (!b)
		return;
	base_free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void base_buf_reset(base_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void base_buf_truncate(base_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

static int reserve(base_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (b->max && b->len + extra > b->max)
		return BASE_ETOOBIG;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < need)
			cap *= 2;
		b->data = base_xrealloc(b->data, cap);
		b->cap = cap;
	}
	return BASE_OK;
}

int base_buf_append(base_buf *b, const void *p, size_t n)
{
	int rc = reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return BASE_OK;
}

int base_buf_puts(base_buf *b, const char *s)
{
	return base_buf_append(b, s, strlen(s));
}

int base_buf_putc(base_buf *b, char c)
{
	return base_buf_append(b, &c, 1);
}

int base_buf_vprintf(base_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	char probe[1]; /* measuring call */
	int n, rc;
	va_copy(ap2, ap);
	n = vsnprintf(probe, sizeof probe, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return BASE_EINVALID;
	rc = reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return BASE_OK;
}

int base_buf_printf(base_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = base_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *base_buf_detach(base_buf *b, size_t *len_out)
{
	char *p = b->data;
	if (len_out)
		*len_out = b->len;
	if (!p)
		p = base_xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *base_buf_cstr(const base_buf *b)
{
	return b->data ? b->data : "";
}
