/* t.c - runner for the unit-test harness (see t.h). */
#include "t.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/base_alloc.h"

struct t_case {
	const char *name;
	void (*fn)(void);
};
extern const struct t_case t_cases[];

static _Thread_local bool t_cur_failed;
static _Thread_local const char *t_cur_name;

void t__fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	if (!t_cur_failed)
		fprintf(stdout, "FAIL %s\n", t_cur_name ? t_cur_name : "?");
	t_cur_failed = true;
	fprintf(stdout, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

bool t__failed(void)
{
	return t_cur_failed;
}

char *t_read_file(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = base_xmalloc((size_t)n + 1);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		base_free(buf);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	if (len_out)
		*len_out = (size_t)n;
	return buf;
}

const char *t__hex(const void *p, size_t n)
{
	static _Thread_local char out[4096];
	const unsigned char *b = p;
	size_t i, o = 0;
	for (i = 0; i < n && o + 4 < sizeof out; i++)
		o += (size_t)snprintf(out + o, sizeof out - o, "%02x ", b[i]);
	out[o] = '\0';
	return out;
}

const char *t_hex(const void *p, size_t n)
{
	return t__hex(p, n);
}

int main(int argc, char **argv)
{
	int pass = 0, fail = 0;
	const struct t_case *c;
	for (c = t_cases; c->name; c++) {
		if (argc > 1 && !strstr(c->name, argv[1]))
			continue;
		t_cur_failed = false;
		t_cur_name = c->name;
		c->fn();
		if (t_cur_failed)
			fail++;
		else
			pass++;
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
