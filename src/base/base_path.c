/* base_path.c - attribute paths (immutable, arena-owned). */
#include "base_path.h"

#include <inttypes.h>
#include <string.h>

#include "base_buf.h"

base_path base_path_root(void)
{
	base_path p = {NULL, 0};
	return p;
}

static base_path push(base_arena *a, base_path p, base_path_step st)
{
	base_path q;
	base_path_step *steps = base_arena_calloc(a, p.len + 1, sizeof *steps);
	if (p.len)
		memcpy(steps, p.steps, p.len * sizeof *steps);
	steps[p.len] = st;
	q.steps = steps;
	q.len = p.len + 1;
	return q;
}

base_path base_path_attr(base_arena *a, base_path p, const char *name)
{
	base_path_step st = {BASE_PATH_ATTR, base_arena_strdup(a, name), 0};
	return push(a, p, st);
}

base_path base_path_key(base_arena *a, base_path p, const char *key)
{
	base_path_step st = {BASE_PATH_KEY, base_arena_strdup(a, key), 0};
	return push(a, p, st);
}

base_path base_path_index(base_arena *a, base_path p, int64_t index)
{
	base_path_step st = {BASE_PATH_INDEX, NULL, index};
	return push(a, p, st);
}

char *base_path_str(base_arena *a, base_path p)
{
	base_buf b;
	size_t i;
	char *s;
	int rc = BASE_OK;
	base_buf_init(&b, 0);
	for (i = 0; i < p.len && rc == BASE_OK; i++) {
		const base_path_step *st = &p.steps[i];
		if (st->kind == BASE_PATH_ATTR)
			rc = base_buf_printf(&b, "%s%s", i ? "." : "", st->name);
		else if (st->kind == BASE_PATH_KEY)
			rc = base_buf_printf(&b, "[\"%s\"]", st->name);
		else
			rc = base_buf_printf(&b, "[%" PRId64 "]", st->index);
	}
	s = base_arena_strdup(a, base_buf_cstr(&b));
	base_buf_dispose(&b);
	return s;
}
