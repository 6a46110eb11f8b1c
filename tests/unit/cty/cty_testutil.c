/* cty_testutil.c - see cty_testutil.h. */
#include "cty_testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_alloc.h"
#include "base/base_buf.h"
#include "base/base_str.h"
#include "cty/cty_json.h"
#include "cty/cty_msgpack.h"
#include "t.h"

unsigned char *ctyt_unhex(base_arena *a, const char *hex, size_t *n)
{
	size_t len = strlen(hex), k = 0;
	unsigned char *out = base_arena_alloc(a, len / 2 + 1);
	int hi = -1;
	for (size_t i = 0; i < len; i++) {
		if (hex[i] == ' ')
			continue;
		int v = base_hexval(hex[i]);
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

const cty_type *ctyt_row3(base_arena *a, char *line, char **f)
{
	if (ctyt_split(line, f, 3) != 3)
		return NULL;
	return ctyt_type(a, f[0]);
}

int ctyt_each_line(const char *path, ctyt_line_fn *fn)
{
	char *file = t_read_file(path, NULL);
	if (!file) {
		t__fail(__FILE__, __LINE__, "missing %s", path);
		return -1;
	}
	base_arena *a = base_arena_new();
	char *save = NULL;
	int count = 0, lineno = 0;
	for (char *line = strtok_r(file, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (line[0] == '#')
			continue;
		fn(a, line, lineno);
		if (t__failed()) {
			count = -1;
			break;
		}
		count++;
	}
	base_arena_free(a);
	base_free(file);
	return count;
}

const char *ctyt_type_json(base_arena *a, const cty_type *t)
{
	base_buf out;
	base_buf_init(&out, 0);
	const char *s = NULL;
	if (cty_json_type_encode(t, &out) == 0)
		s = base_arena_strdup(a, base_buf_cstr(&out));
	base_buf_dispose(&out);
	return s;
}

int ctyt_msgpack_is(const cty_value *v, const void *want, size_t n)
{
	base_buf out;
	base_buf_init(&out, 0);
	int rc = cty_msgpack_encode(v, &out);
	if (rc == 0 && (out.len != n || memcmp(out.data, want, n) != 0)) {
		t__fail(__FILE__, __LINE__, "msgpack got:  %s", t_hex(out.data, out.len));
		t__fail(__FILE__, __LINE__, "msgpack want: %s", t_hex(want, n));
		rc = -1;
	}
	base_buf_dispose(&out);
	return rc;
}

const char *ctyt_json(base_arena *a, const cty_value *v)
{
	base_buf out;
	base_buf_init(&out, 0);
	const char *s = NULL;
	if (cty_json_encode(v, &out) == 0)
		s = base_arena_strdup(a, base_buf_cstr(&out));
	base_buf_dispose(&out);
	return s;
}
