/* base_str.c - base64, hex and small string helpers. */
#include "base_str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base_str_base64_encode(base_buf *out, const void *p, size_t n, bool pad)
{
	const unsigned char *s = p;
	size_t i;
	int rc = BASE_OK;
	for (i = 0; i + 2 < n && rc == BASE_OK; i += 3) {
		char q[4] = {b64[s[i] >> 2], b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
		             b64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)], b64[s[i + 2] & 63]};
		rc = base_buf_append(out, q, 4);
	}
	if (rc == BASE_OK && i < n) {
		char q[4];
		size_t k = 2;
		q[0] = b64[s[i] >> 2];
		if (i + 1 < n) {
			q[1] = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
			q[2] = b64[(s[i + 1] & 15) << 2];
			k = 3;
		} else {
			q[1] = b64[(s[i] & 3) << 4];
		}
		rc = base_buf_append(out, q, k);
		while (rc == BASE_OK && pad && k++ < 4)
			rc = base_buf_putc(out, '=');
	}
	if (rc == BASE_OK && out->len == 0)
		rc = base_buf_append(out, "", 0);
	return rc;
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

int base_str_base64_decode(base_buf *out, const char *s, size_t n)
{
	unsigned acc = 0;
	int bits = 0, rc;
	size_t i;
	while (n > 0 && s[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		int v = b64val(s[i]);
		if (v < 0)
			return BASE_EINVALID;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			char c = (char)((acc >> (bits - 8)) & 0xff);
			bits -= 8;
			rc = base_buf_putc(out, c);
			if (rc)
				return rc;
		}
	}
	if (bits >= 6)
		return BASE_EINVALID; /* a lone trailing character */
	return base_buf_append(out, "", 0);
}

int base_str_hex_encode(base_buf *out, const void *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *s = p;
	size_t i;
	int rc = base_buf_append(out, "", 0);
	for (i = 0; i < n && rc == BASE_OK; i++) {
		char q[2] = {hx[s[i] >> 4], hx[s[i] & 15]};
		rc = base_buf_append(out, q, 2);
	}
	return rc;
}

bool base_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool base_str_has_prefix(const char *s, const char *prefix)
{
	return s && prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool base_str_has_suffix(const char *s, const char *suffix)
{
	size_t n, m;
	if (!s || !suffix)
		return false;
	n = strlen(s);
	m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int base_str_to_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;
	if (!s || !*s)
		return BASE_EINVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return BASE_EINVALID;
	*out = v;
	return BASE_OK;
}

int base_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
