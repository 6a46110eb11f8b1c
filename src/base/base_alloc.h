/*
 * base_alloc.h - allocation that never returns NULL.
 *
 * On out-of-memory these print a message to stderr and abort(): a provider is
 * a child process whose crash Terraform reports, and checking every
 * allocation would double the error paths for no user benefit.
 * Raw malloc/free/strdup are banned outside src/base; use these.
 */
#ifndef BASE_ALLOC_H
#define BASE_ALLOC_H

#include <stddef.h>

void *base_xmalloc(size_t n);
void *base_xcalloc(size_t count, size_t size);
void *base_xrealloc(void *p, size_t n);
/* Copies of a NUL-terminated string / of n bytes (+ NUL). NULL in -> NULL out. */
char *base_xstrdup(const char *s);
char *base_xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *base_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Frees memory from the functions above; NULL is fine. */
void base_free(void *p);

#endif
