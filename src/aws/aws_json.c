/*
 * aws_json.c - the arena JSON tree of aws_json.h, parsed and serialised with
 * jansson (the only aws file that includes it, STYLE C8).
 */
#include "aws/aws_json.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "aws/aws_int.h"

/* Deeper documents are rejected (jansson itself caps at 2048). */
#define JSON_MAX_DEPTH 128

struct aws_json {
	aws_json_kind kind;
	base_arena *a; /* containers: where children/keys are allocated */
	union {
		bool b;
		int64_t i;
		double r;
		const char *s;
		struct {
			aws_json **items;
			const char **keys; /* objects only */
			size_t n, cap;
		} c;
	} u;
};

/* ---------------------------------------------------------------------- */
/* building                                                                */
/* ---------------------------------------------------------------------- */

static aws_json *new_value(base_arena *a, aws_json_kind kind)
{
	aws_json *v = base_arena_calloc(a, 1, sizeof *v);
	v->kind = kind;
	v->a = a;
	return v;
}

aws_json *aws_json_new_object(base_arena *a)
{
	return new_value(a, AWS_JSON_OBJECT);
}

aws_json *aws_json_new_array(base_arena *a)
{
	return new_value(a, AWS_JSON_ARRAY);
}

aws_json *aws_json_new_string(base_arena *a, const char *s)
{
	aws_json *v = new_value(a, AWS_JSON_STRING);
	v->u.s = base_arena_strdup(a, s ? s : "");
	return v;
}

aws_json *aws_json_new_int(base_arena *a, int64_t i)
{
	aws_json *v = new_value(a, AWS_JSON_INT);
	v->u.i = i;
	return v;
}

aws_json *aws_json_new_bool(base_arena *a, bool b)
{
	aws_json *v = new_value(a, AWS_JSON_BOOL);
	v->u.b = b;
	return v;
}

static void grow(aws_json *c)
{
	if (c->u.c.n < c->u.c.cap)
		return;
	size_t ncap = c->u.c.cap ? c->u.c.cap * 2 : 8;
	c->u.c.items = base_arena_realloc(c->a, c->u.c.items, c->u.c.cap * sizeof(aws_json *),
	                                  ncap * sizeof(aws_json *));
	if (c->kind == AWS_JSON_OBJECT)
		c->u.c.keys = base_arena_realloc(c->a, (void *)c->u.c.keys, c->u.c.cap * sizeof(char *),
		                                 ncap * sizeof(char *));
	c->u.c.cap = ncap;
}

void aws_json_set(aws_json *obj, const char *key, aws_json *v)
{
	if (!obj || obj->kind != AWS_JSON_OBJECT || !key || !v)
		return;
	for (size_t i = 0; i < obj->u.c.n; i++) {
		if (strcmp(obj->u.c.keys[i], key) == 0) {
			obj->u.c.items[i] = v;
			return;
		}
	}
	grow(obj);
	obj->u.c.keys[obj->u.c.n] = base_arena_strdup(obj->a, key);
	obj->u.c.items[obj->u.c.n++] = v;
}

void aws_json_set_str(aws_json *obj, const char *key, const char *s)
{
	if (obj && s)
		aws_json_set(obj, key, aws_json_new_string(obj->a, s));
}

void aws_json_set_int(aws_json *obj, const char *key, int64_t i)
{
	if (obj)
		aws_json_set(obj, key, aws_json_new_int(obj->a, i));
}

void aws_json_set_bool(aws_json *obj, const char *key, bool b)
{
	if (obj)
		aws_json_set(obj, key, aws_json_new_bool(obj->a, b));
}

/* Sets obj[key] to a new empty object or array and returns it. */
static aws_json *set_container(aws_json *obj, const char *key, bool array)
{
	if (!obj)
		return NULL;
	aws_json *v = array ? aws_json_new_array(obj->a) : aws_json_new_object(obj->a);
	aws_json_set(obj, key, v);
	return v;
}

aws_json *aws_json_set_object(aws_json *obj, const char *key)
{
	return set_container(obj, key, false);
}

aws_json *aws_json_set_array(aws_json *obj, const char *key)
{
	return set_container(obj, key, true);
}

void aws_json_push(aws_json *arr, aws_json *v)
{
	if (!arr || arr->kind != AWS_JSON_ARRAY || !v)
		return;
	grow(arr);
	arr->u.c.items[arr->u.c.n++] = v;
}

void aws_json_push_str(aws_json *arr, const char *s)
{
	if (arr && s)
		aws_json_push(arr, aws_json_new_string(arr->a, s));
}

/* ---------------------------------------------------------------------- */
/* serialising                                                             */
/* ---------------------------------------------------------------------- */

/* Builds the jansson equivalent of v; NULL on invalid UTF-8 or depth. */
static json_t *to_jansson(const aws_json *v, int depth)
{
	json_t *j = NULL;

	if (depth > JSON_MAX_DEPTH)
		return NULL;
	switch (v->kind) {
	case AWS_JSON_NULL:
		return json_null();
	case AWS_JSON_BOOL:
		return json_boolean(v->u.b);
	case AWS_JSON_INT:
		return json_integer((json_int_t)v->u.i);
	case AWS_JSON_REAL:
		return json_real(v->u.r);
	case AWS_JSON_STRING:
		return json_string(v->u.s);
	case AWS_JSON_ARRAY:
		j = json_array();
		for (size_t i = 0; i < v->u.c.n; i++) {
			json_t *e = to_jansson(v->u.c.items[i], depth + 1);
			if (!e || json_array_append_new(j, e) != 0) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	case AWS_JSON_OBJECT:
		j = json_object();
		for (size_t i = 0; i < v->u.c.n; i++) {
			json_t *e = to_jansson(v->u.c.items[i], depth + 1);
			if (!e || json_object_set_new(j, v->u.c.keys[i], e) != 0) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	}
	return NULL;
}

struct dump_ctx {
	base_buf *out;
	int rc;
};

static int dump_cb(const char *buffer, size_t size, void *data)
{
	struct dump_ctx *d = data;
	if (d->rc == BASE_OK)
		d->rc = base_buf_append(d->out, buffer, size);
	return d->rc == BASE_OK ? 0 : -1;
}

int aws_json_encode(const aws_json *v, base_buf *out)
{
	int rc = BASE_EINVALID;
	struct dump_ctx d = {out, BASE_OK};
	json_t *j = v ? to_jansson(v, 0) : NULL;

	if (!j)
		goto done;
	if (json_dump_callback(j, dump_cb, &d, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) != 0) {
		rc = d.rc != BASE_OK ? d.rc : BASE_EINVALID;
		goto done;
	}
	rc = BASE_OK;
done:
	json_decref(j);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* parsing                                                                 */
/* ---------------------------------------------------------------------- */

static aws_json *from_jansson(base_arena *a, json_t *j, int depth)
{
	aws_json *v = NULL;

	if (depth > JSON_MAX_DEPTH)
		return NULL;
	switch (json_typeof(j)) {
	case JSON_NULL:
		return new_value(a, AWS_JSON_NULL);
	case JSON_TRUE:
		return aws_json_new_bool(a, true);
	case JSON_FALSE:
		return aws_json_new_bool(a, false);
	case JSON_INTEGER:
		return aws_json_new_int(a, (int64_t)json_integer_value(j));
	case JSON_REAL:
		v = new_value(a, AWS_JSON_REAL);
		v->u.r = json_real_value(j);
		return v;
	case JSON_STRING:
		v = new_value(a, AWS_JSON_STRING);
		v->u.s = base_arena_strndup(a, json_string_value(j), json_string_length(j));
		return v;
	case JSON_ARRAY: {
		size_t i;
		json_t *e;
		v = aws_json_new_array(a);
		json_array_foreach(j, i, e)
		{
			aws_json *ev = from_jansson(a, e, depth + 1);
			if (!ev)
				return NULL;
			aws_json_push(v, ev);
		}
		return v;
	}
	case JSON_OBJECT: {
		const char *k;
		json_t *e;
		v = aws_json_new_object(a);
		json_object_foreach(j, k, e)
		{
			aws_json *ev = from_jansson(a, e, depth + 1);
			if (!ev)
				return NULL;
			aws_json_set(v, k, ev);
		}
		return v;
	}
	}
	return NULL;
}

int aws_json_parse(base_arena *a, const char *body, size_t len, const aws_json **out)
{
	int rc = BASE_EINVALID;
	json_error_t jerr;
	json_t *j = NULL;
	aws_json *v;

	*out = NULL;
	if (!body)
		goto done;
	j = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!j)
		goto done;
	v = from_jansson(a, j, 0);
	if (!v)
		goto done;
	*out = v;
	rc = BASE_OK;
done:
	json_decref(j);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* reading                                                                 */
/* ---------------------------------------------------------------------- */

aws_json_kind aws_json_kind_of(const aws_json *v)
{
	return v ? v->kind : AWS_JSON_NULL;
}

const aws_json *aws_json_get(const aws_json *obj, const char *key)
{
	if (!obj || obj->kind != AWS_JSON_OBJECT || !key)
		return NULL;
	for (size_t i = 0; i < obj->u.c.n; i++)
		if (strcmp(obj->u.c.keys[i], key) == 0)
			return obj->u.c.items[i];
	return NULL;
}

const aws_json *aws_json_path(const aws_json *v, const char *path)
{
	char step[128];
	const char *p = path;

	while (v && p && *p) {
		if (!aws__path_next(&p, step, sizeof step))
			return NULL;
		v = aws_json_get(v, step);
	}
	return v;
}

const char *aws_json_str(const aws_json *v)
{
	return v && v->kind == AWS_JSON_STRING ? v->u.s : NULL;
}

bool aws_json_int(const aws_json *v, int64_t *out)
{
	if (v && v->kind == AWS_JSON_INT) {
		*out = v->u.i;
		return true;
	}
	/* A real counts only when it is an integer inside int64's range: casting
	 * 1e300 is undefined behaviour, and 1.9 is not 1. */
	if (v && v->kind == AWS_JSON_REAL && v->u.r == trunc(v->u.r) && v->u.r >= -9223372036854775808.0 &&
	    v->u.r < 9223372036854775808.0) {
		*out = (int64_t)v->u.r;
		return true;
	}
	return false;
}

bool aws_json_bool(const aws_json *v, bool *out)
{
	if (v && v->kind == AWS_JSON_BOOL) {
		*out = v->u.b;
		return true;
	}
	return false;
}

size_t aws_json_len(const aws_json *v)
{
	return v && (v->kind == AWS_JSON_ARRAY || v->kind == AWS_JSON_OBJECT) ? v->u.c.n : 0;
}

const aws_json *aws_json_at(const aws_json *v, size_t i)
{
	return i < aws_json_len(v) ? v->u.c.items[i] : NULL;
}

const char *aws_json_key_at(const aws_json *v, size_t i)
{
	return v && v->kind == AWS_JSON_OBJECT && i < v->u.c.n ? v->u.c.keys[i] : NULL;
}
