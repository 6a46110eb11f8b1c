/*
 * base_buf.h - growable byte buffer with an optional size cap.
 *
 * Caller-allocated: base_buf_init / base_buf_dispose. data is always
 * NUL-terminated (the NUL is not counted in len), so text can be used as a
 * C string. Appends past `max` (0 = unlimited) fail with BASE_ETOOBIG and
 * leave the buffer unchanged (like curl's dynbuf).
 */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "base_err.h"

typedef struct base_buf {
	char *data; /* heap; NULL until first append */
	size_t len;
	size_t cap;
	size_t max; /* 0 = no cap */
} base_buf;

void base_buf_init(base_buf *b, size_t max);
void base_buf_dispose(base_buf *b);
void base_buf_reset(base_buf *b); /* len = 0, keeps memory */
void base_buf_truncate(base_buf *b, size_t len); /* len = min(len, b->len), keeps memory */
BASE_MUST_USE int base_buf_append(base_buf *b, const void *p, size_t n);
BASE_MUST_USE int base_buf_puts(base_buf *b, const char *s);
BASE_MUST_USE int base_buf_putc(base_buf *b, char c);
BASE_MUST_USE int base_buf_printf(base_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
BASE_MUST_USE int base_buf_vprintf(base_buf *b, const char *fmt, va_list ap);
/* Returns the heap string (caller frees with base_free) and re-inits b.
 * Never NULL: an empty buffer yields "". */
char *base_buf_detach(base_buf *b, size_t *len_out);
/* Returns b->data or "" if empty. Borrowed. */
const char *base_buf_cstr(const base_buf *b);

#endif
