/*
 * base_str.h - small string helpers: base64, hex, comparisons.
 */
#ifndef BASE_STR_H
#define BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base_arena.h"
#include "base_buf.h"

/* Standard alphabet base64; pad=false omits '=' (Go RawStdEncoding). */
BASE_MUST_USE int base_str_base64_encode(base_buf *out, const void *p, size_t n, bool pad);
/* Accepts padded or unpadded standard base64; BASE_EINVALID on bad input. */
BASE_MUST_USE int base_str_base64_decode(base_buf *out, const char *s, size_t n);
/* Lowercase hex of n bytes into out (appends). */
BASE_MUST_USE int base_str_hex_encode(base_buf *out, const void *p, size_t n);

bool base_str_eq(const char *a, const char *b); /* NULL-safe */
bool base_str_has_prefix(const char *s, const char *prefix);
bool base_str_has_suffix(const char *s, const char *suffix);
/* Value of one hexadecimal digit (either case), or -1 if c is not one. */
int base_hexval(char c);
/* Parses a whole decimal integer string; BASE_EINVALID if not entirely one. */
BASE_MUST_USE int base_str_to_i64(const char *s, int64_t *out);

#endif
