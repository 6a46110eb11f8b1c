/*
 * cty_msgpack.c - msgpack codec of cty values; the only msgpack-c user.
 *
 * Decoding: msgpack-c parses the bytes into its object tree (in its own
 * zone), which we walk with the expected type, building arena values and
 * copying every byte we keep. Encoding: a msgpack_packer whose write
 * callback appends to a base_buf.
 */
#include "cty_msgpack.h"

#include <assert.h>
#include <msgpack.h>
#include <stdarg.h>
#include <string.h>

#include "base/base_path.h"
#include "cty_int.h"
#include "cty_json.h"

/* ============================================================ decode === */

struct dec {
	base_arena *a;
	base_diags *diags;
};

static int fail(struct dec *d, base_path path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct dec *d, base_path path, const char *fmt, ...)
{
	if (d->diags) {
		va_list ap;
		va_start(ap, fmt);
		char *msg = base_arena_vsprintf(d->a, fmt, ap);
		va_end(ap);
		char *where = base_path_str(d->a, path);
		if (where && where[0])
			base_diags_addf(d->diags, BASE_SEV_ERROR, &path, "Invalid msgpack value", "%s: %s",
			                where, msg);
		else
			base_diags_add(d->diags, BASE_SEV_ERROR, &path, "Invalid msgpack value", msg);
	}
	return BASE_EINVALID;
}

static const char *obj_kind_name(msgpack_object_type k)
{
	switch (k) {
	case MSGPACK_OBJECT_NIL:
		return "nil";
	case MSGPACK_OBJECT_BOOLEAN:
		return "bool";
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return "integer";
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		return "float";
	case MSGPACK_OBJECT_STR:
		return "str";
	case MSGPACK_OBJECT_ARRAY:
		return "array";
	case MSGPACK_OBJECT_MAP:
		return "map";
	case MSGPACK_OBJECT_BIN:
		return "bin";
	case MSGPACK_OBJECT_EXT:
		return "ext";
	}
	return "?";
}

static int wrong(struct dec *d, const cty_type *t, const msgpack_object *o, base_path path)
{
	return fail(d, path, "expected %s, got msgpack %s", cty_type_kind_name(t), obj_kind_name(o->type));
}

/* An extension of any code is an unknown. Code 12 carries refinements: we
 * keep only "definitely not null" (key 1 = false) and ignore the rest,
 * including a payload we cannot parse (refinements may always be dropped). */
static const cty_value *dec_unknown(const cty_type *t, const msgpack_object_ext *e)
{
	bool not_null = false;
	size_t end = 0;
	const char *why;
	if (e->type == 12 && e->size > 1 && cty__msgpack_scan(e->ptr, e->size, &end, &why) == BASE_OK) {
		msgpack_unpacked u;
		size_t off = 0;
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, e->ptr, e->size, &off) == MSGPACK_UNPACK_SUCCESS &&
		    u.data.type == MSGPACK_OBJECT_MAP) {
			const msgpack_object_map *m = &u.data.via.map;
			for (uint32_t i = 0; i < m->size; i++) {
				const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
				if (k->type == MSGPACK_OBJECT_POSITIVE_INTEGER && k->via.u64 == 1 &&
				    v->type == MSGPACK_OBJECT_BOOLEAN && !v->via.boolean)
					not_null = true;
			}
		}
		msgpack_unpacked_destroy(&u);
	}
	return not_null ? cty_value_unknown_not_null(t) : cty_value_unknown(t);
}

static int dec_value(struct dec *d, const cty_type *t, const msgpack_object *o, base_path path,
                     const cty_value **out);

/* NUL-terminated arena copy; msgpack-c gives ptr == NULL for empty strings. */
static char *dup_bytes(base_arena *a, const char *p, size_t n)
{
	char *s = base_arena_alloc(a, n + 1);
	if (n)
		memcpy(s, p, n);
	return s;
}

static int dec_number(struct dec *d, const msgpack_object *o, base_path path, const cty_value **out)
{
	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		*out = cty_value_number_uint(d->a, o->via.u64);
		return BASE_OK;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		*out = cty_value_number_int(d->a, o->via.i64);
		return BASE_OK;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (o->via.f64 != o->via.f64)
			return fail(d, path, "NaN is not a number");
		*out = cty_value_number_double(d->a, o->via.f64);
		return BASE_OK;
	case MSGPACK_OBJECT_STR: {
		char *s = dup_bytes(d->a, o->via.str.ptr, o->via.str.size);
		int rc = strlen(s) != o->via.str.size ? BASE_EINVALID : cty_value_number_parse(d->a, s, out);
		if (rc == BASE_ETOOBIG)
			return fail(d, path, "number too large: %s", cty__num_limit_text(d->a));
		if (rc != BASE_OK)
			return fail(d, path, "invalid number \"%.200s\"", s);
		return BASE_OK;
	}
	default:
		return wrong(d, cty_type_number(), o, path);
	}
}

static int dec_dynamic(struct dec *d, const msgpack_object *o, base_path path, const cty_value **out)
{
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 2)
		return fail(d, path, "a dynamic value must be a 2-element array [type, value]");
	const msgpack_object *jt = &o->via.array.ptr[0];
	const char *json;
	size_t len;
	if (jt->type == MSGPACK_OBJECT_BIN) {
		json = jt->via.bin.ptr;
		len = jt->via.bin.size;
	} else if (jt->type == MSGPACK_OBJECT_STR) {
		json = jt->via.str.ptr;
		len = jt->via.str.size;
	} else {
		return fail(d, path, "the type of a dynamic value must be bin or str, got %s",
		            obj_kind_name(jt->type));
	}
	const cty_type *vt = NULL;
	if (cty_json_type_decode(d->a, json, len, &vt, NULL) != BASE_OK)
		return fail(d, path, "invalid type JSON in dynamic value: %.*s", (int)(len > 200 ? 200 : len),
		            json);
	return dec_value(d, vt, &o->via.array.ptr[1], path, out);
}

static const char *key_of(struct dec *d, const msgpack_object *k)
{
	if (k->type == MSGPACK_OBJECT_STR)
		return dup_bytes(d->a, k->via.str.ptr, k->via.str.size);
	if (k->type == MSGPACK_OBJECT_BIN)
		return dup_bytes(d->a, k->via.bin.ptr, k->via.bin.size);
	return NULL;
}

/* list, set or tuple from a msgpack array */
static int dec_seq(struct dec *d, const cty_type *t, const msgpack_object *o, base_path path,
                   const cty_value **out)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return wrong(d, t, o, path);
	size_t n = o->via.array.size;
	bool tuple = cty_type_kind_of(t) == CTY_T_TUPLE;
	if (tuple && n != cty_type_tuple_len(t))
		return fail(d, path, "a tuple of %zu elements is required (%zu given)", cty_type_tuple_len(t),
		            n);
	const cty_value **e = base_arena_calloc(d->a, n ? n : 1, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		const cty_type *et = tuple ? cty_type_tuple_elem(t, i) : cty_type_elem(t);
		int rc = dec_value(d, et, &o->via.array.ptr[i], base_path_index(d->a, path, (int64_t)i),
		                   &e[i]);
		if (rc != BASE_OK)
			return rc;
	}
	*out = cty__value_seq(d->a, t, n, e);
	return BASE_OK;
}

static int dec_map(struct dec *d, const cty_type *t, const msgpack_object *o, base_path path,
                   const cty_value **out)
{
	if (o->type != MSGPACK_OBJECT_MAP)
		return wrong(d, t, o, path);
	size_t n = o->via.map.size;
	const cty_value **e = base_arena_calloc(d->a, n ? n : 1, sizeof *e);
	const char **k = base_arena_calloc(d->a, n ? n : 1, sizeof *k);
	for (size_t i = 0; i < n; i++) {
		k[i] = key_of(d, &o->via.map.ptr[i].key);
		if (!k[i])
			return fail(d, path, "map keys must be strings, got %s",
			            obj_kind_name(o->via.map.ptr[i].key.type));
		int rc = dec_value(d, cty_type_elem(t), &o->via.map.ptr[i].val,
		                   base_path_key(d->a, path, k[i]), &e[i]);
		if (rc != BASE_OK)
			return rc;
	}
	*out = cty_value_map(d->a, cty_type_elem(t), n, k, e);
	return BASE_OK;
}

static int dec_object(struct dec *d, const cty_type *t, const msgpack_object *o, base_path path,
                      const cty_value **out)
{
	base_arena *a = d->a;
	if (o->type != MSGPACK_OBJECT_MAP)
		return wrong(d, t, o, path);
	size_t n = o->via.map.size, na = cty_type_attr_count(t);
	const cty_value **e = base_arena_calloc(a, na ? na : 1, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		const char *k = key_of(d, &o->via.map.ptr[i].key);
		if (!k)
			return fail(d, path, "object keys must be strings, got %s",
			            obj_kind_name(o->via.map.ptr[i].key.type));
		long ai = cty_type_attr_index(t, k);
		if (ai < 0)
			return fail(d, base_path_attr(a, path, k), "unsupported attribute \"%s\"", k);
		if (e[ai])
			return fail(d, base_path_attr(a, path, k), "duplicate attribute \"%s\"", k);
		int rc = dec_value(d, cty_type_attr_type(t, (size_t)ai), &o->via.map.ptr[i].val,
		                   base_path_attr(a, path, k), &e[ai]);
		if (rc != BASE_OK)
			return rc;
	}
	for (size_t i = 0; i < na; i++)
		if (!e[i])
			return fail(d, base_path_attr(a, path, cty_type_attr_name(t, i)),
			            "missing attribute \"%s\" (an object with %zu attributes is "
			            "required, %zu given)",
			            cty_type_attr_name(t, i), na, n);
	*out = cty_value_object(a, t, e);
	return BASE_OK;
}

static int dec_value(struct dec *d, const cty_type *t, const msgpack_object *o, base_path path,
                     const cty_value **out)
{
	if (o->type == MSGPACK_OBJECT_NIL) {
		*out = cty_value_null(t);
		return BASE_OK;
	}
	if (o->type == MSGPACK_OBJECT_EXT) {
		*out = dec_unknown(t, &o->via.ext);
		return BASE_OK;
	}
	switch (cty_type_kind_of(t)) {
	case CTY_T_DYNAMIC:
		return dec_dynamic(d, o, path, out);
	case CTY_T_STRING:
		if (o->type == MSGPACK_OBJECT_STR)
			*out = cty_value_string_n(d->a, o->via.str.ptr, o->via.str.size);
		else if (o->type == MSGPACK_OBJECT_BIN)
			*out = cty_value_string_n(d->a, o->via.bin.ptr, o->via.bin.size);
		else
			return wrong(d, t, o, path);
		return BASE_OK;
	case CTY_T_NUMBER:
		return dec_number(d, o, path, out);
	case CTY_T_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN)
			return wrong(d, t, o, path);
		*out = cty_value_bool(o->via.boolean);
		return BASE_OK;
	case CTY_T_LIST:
	case CTY_T_SET:
	case CTY_T_TUPLE:
		return dec_seq(d, t, o, path, out);
	case CTY_T_MAP:
		return dec_map(d, t, o, path, out);
	case CTY_T_OBJECT:
		return dec_object(d, t, o, path, out);
	}
	return BASE_EINVALID;
}

int cty_msgpack_decode(base_arena *a, const cty_type *t, const void *bytes, size_t len, const cty_value **out,
                       base_diags *diags)
{
	assert(a && t && (bytes || len == 0) && out);
	struct dec d = {.a = a, .diags = diags};
	msgpack_unpacked u;
	size_t off = 0;
	int rc = BASE_OK;
	const cty_value *v = NULL;
	*out = NULL;
	if (len == 0) {
		*out = cty_value_null(t);
		return BASE_OK;
	}
	msgpack_unpacked_init(&u);
	/* declared sizes checked against the bytes left before msgpack-c
	 * allocates anything from them */
	size_t end = 0;
	const char *why = NULL;
	if (cty__msgpack_scan(bytes, len, &end, &why) != BASE_OK) {
		rc = fail(&d, base_path_root(), "%s (%zu bytes)", why, len);
		goto done;
	}
	msgpack_unpack_return ur = msgpack_unpack_next(&u, bytes, len, &off);
	if (ur == MSGPACK_UNPACK_CONTINUE) {
		rc = fail(&d, base_path_root(), "truncated msgpack (%zu bytes)", len);
		goto done;
	}
	if (ur != MSGPACK_UNPACK_SUCCESS) {
		rc = fail(&d, base_path_root(), "malformed msgpack");
		goto done;
	}
	if (off != len) {
		rc = fail(&d, base_path_root(), "%zu trailing bytes after the msgpack value", len - off);
		goto done;
	}
	rc = dec_value(&d, t, &u.data, base_path_root(), &v);
	if (rc == BASE_OK)
		*out = v;
done:
	msgpack_unpacked_destroy(&u);
	return rc;
}

/* ============================================================ encode === */

struct enc {
	base_buf *out;
	int rc; /* first base_buf failure */
	msgpack_packer pk;
};

static int write_cb(void *data, const char *buf, size_t len)
{
	struct enc *e = data;
	if (e->rc == BASE_OK)
		e->rc = base_buf_append(e->out, buf, len);
	return e->rc == BASE_OK ? 0 : -1;
}

static int enc_number(struct enc *e, const cty_value *v)
{
	int64_t i;
	uint64_t u;
	if (v->u.num.is_float) {
		/* The exact binary value decides, not the (rounded) canonical text:
		 * 2^63 as float64 renders "9223372036854776000". */
		double f = v->u.num.f;
		if (f >= -9223372036854775808.0 && f < 0 && f == (double)(int64_t)f)
			return msgpack_pack_int64(&e->pk, (int64_t)f);
		if (f >= 0 && f < 18446744073709551616.0 && f == (double)(uint64_t)f)
			return msgpack_pack_uint64(&e->pk, (uint64_t)f);
		return msgpack_pack_double(&e->pk, f);
	}
	int k = cty__canon_int(v->u.num.canon, &i, &u);
	if (k == 1)
		return i < 0 ? msgpack_pack_int64(&e->pk, i) : msgpack_pack_uint64(&e->pk, (uint64_t)i);
	if (k == 2)
		return msgpack_pack_uint64(&e->pk, u);
	size_t n = strlen(v->u.num.text);
	int r = msgpack_pack_str(&e->pk, n);
	return r ? r : msgpack_pack_str_body(&e->pk, v->u.num.text, n);
}

static int enc_value(struct enc *e, const cty_type *t, const cty_value *v)
{
	int r = 0;
	/* As go-cty: where dynamic is declared, a value of a concrete type is
	 * wrapped even when null or unknown; only a null/unknown whose own type
	 * is dynamic is written bare. */
	if (cty_type_kind_of(t) == CTY_T_DYNAMIC && cty_type_kind_of(cty_value_type(v)) != CTY_T_DYNAMIC) {
		base_buf tj;
		base_buf_init(&tj, 0);
		r = cty_json_type_encode(cty_value_type(v), &tj);
		if (r == BASE_OK)
			r = msgpack_pack_array(&e->pk, 2);
		if (r == 0)
			r = msgpack_pack_bin(&e->pk, tj.len);
		if (r == 0)
			r = msgpack_pack_bin_body(&e->pk, tj.data, tj.len);
		base_buf_dispose(&tj);
		return r ? r : enc_value(e, cty_value_type(v), v);
	}
	if (v->kind == CTY_NULL)
		return msgpack_pack_nil(&e->pk);
	if (v->kind == CTY_UNKNOWN) {
		r = msgpack_pack_ext(&e->pk, 1, 0);
		return r ? r : msgpack_pack_ext_body(&e->pk, "\0", 1);
	}
	switch (v->kind) {
	case CTY_STRING:
		r = msgpack_pack_str(&e->pk, v->u.str.len);
		return r ? r : msgpack_pack_str_body(&e->pk, v->u.str.s, v->u.str.len);
	case CTY_NUMBER:
		return enc_number(e, v);
	case CTY_BOOL:
		return v->u.b ? msgpack_pack_true(&e->pk) : msgpack_pack_false(&e->pk);
	case CTY_LIST:
	case CTY_SET:
	case CTY_TUPLE:
		r = msgpack_pack_array(&e->pk, v->u.coll.n);
		for (size_t i = 0; r == 0 && i < v->u.coll.n; i++) {
			const cty_type *et =
			        v->kind == CTY_TUPLE ? cty_type_tuple_elem(t, i) : cty_type_elem(t);
			r = enc_value(e, et, v->u.coll.elems[i]);
		}
		return r;
	case CTY_MAP:
	case CTY_OBJECT:
		r = msgpack_pack_map(&e->pk, v->u.coll.n);
		for (size_t i = 0; r == 0 && i < v->u.coll.n; i++) {
			const char *k = v->kind == CTY_MAP ? v->u.coll.keys[i] : cty_type_attr_name(t, i);
			const cty_type *et = v->kind == CTY_MAP ? cty_type_elem(t) : cty_type_attr_type(t, i);
			size_t kl = strlen(k);
			r = msgpack_pack_str(&e->pk, kl);
			if (r == 0)
				r = msgpack_pack_str_body(&e->pk, k, kl);
			if (r == 0)
				r = enc_value(e, et, v->u.coll.elems[i]);
		}
		return r;
	default:
		return -1;
	}
}

int cty_msgpack_encode_as(const cty_type *t, const cty_value *v, base_buf *out)
{
	assert(t && v && out);
	if (!cty_type_conforms(cty_value_type(v), t))
		return BASE_EINVALID;
	struct enc e = {.out = out, .rc = BASE_OK};
	msgpack_packer_init(&e.pk, &e, write_cb);
	int r = enc_value(&e, t, v);
	if (e.rc != BASE_OK)
		return e.rc;
	return r == 0 ? BASE_OK : BASE_EINVALID;
}

int cty_msgpack_encode(const cty_value *v, base_buf *out)
{
	assert(v && out);
	return cty_msgpack_encode_as(cty_value_type(v), v, out);
}
