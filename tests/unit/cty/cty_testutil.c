/* cty_testutil.c - see cty_testutil.h. */
#include "cty_testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cty/cty_json.h"

static int hv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

unsigned char *ctyt_unhex(base_arena *a, const char *hex, size_t *n)
{
	size_t len = strlen(hex), k = 0;
	unsigned char *out = base_arena_alloc(a, len / 2 + 1);
	int hi = -1;
	for (size_t i = 0; i < len; i++) {
		if (hex[i] == ' ')
			continue;
		int v = hv(hex[i]);
		if (v < 0)
			return NULL;
		if (hi < 0) {
			hi = v;
		} else {
			out[k++] = (unsigned char)(hi * 16 + v);
			hi = -1;
		}
	}
	if (hi >= 0)
		return NULL;
	*n = k;
	return out;
}

const cty_type *ctyt_type(base_arena *a, const char *json)
{
	const cty_type *t = NULL;
	if (cty_json_type_decode(a, json, strlen(json), &t, NULL) != 0) {
		fprintf(stderr, "bad type JSON in test: %s\n", json);
		abort();
	}
	return t;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int ctyt_split(char *line, char **fields, int n)
{
	int k = 0;
	char *p = line;
	while (k < n) {
		char *bar = strstr(p, " | ");
		if (bar)
			*bar = '\0';
		fields[k++] = trim(p);
		if (!bar)
			break;
		p = bar + 3;
	}
	return k;
}
