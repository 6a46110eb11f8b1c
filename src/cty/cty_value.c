/*
 * cty_value.c - construction and inspection of immutable cty values.
 */
#include "cty_value.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cty_equal.h"
#include "cty_int.h"

/* Decimal exponents beyond this are rejected while reading (the exponent
 * must not overflow); the rendered length is then checked against
 * CTY_NUM_MAX_LEN (cty_int.h). */
#define NUM_MAX_EXP 100000L

static cty_value *val_new(base_arena *a, const cty_type *t, cty_kind k)
{
	cty_value *v = base_arena_alloc(a, sizeof *v);
	v->type = t;
	v->kind = k;
	return v;
}

/* ---- numbers ------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool ieq(const char *s, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	if (n != m)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return false;
	}
	return true;
}

/* A finite decimal as its significant digits (no leading or trailing
 * zeros) times 10^e. */
struct num_parts {
	const char *digits;
	size_t nd;
	long e;
};

/* The exponent part at s[*i] (after 'e'/'E'), into *exp. */
static int num_exponent(const char *s, size_t len, size_t *i, long *exp)
{
	bool eneg = false;
	if (*i < len && (s[*i] == '+' || s[*i] == '-')) {
		eneg = s[*i] == '-';
		(*i)++;
	}
	if (*i >= len || !is_digit(s[*i]))
		return BASE_EINVALID;
	for (*exp = 0; *i < len && is_digit(s[*i]); (*i)++) {
		*exp = *exp * 10 + (s[*i] - '0');
		if (*exp > NUM_MAX_EXP)
			return BASE_ETOOBIG;
	}
	if (eneg)
		*exp = -*exp;
	return BASE_OK;
}

/* digits [. digits] [e [sign] digits] from s[i..len) into *np. */
static int num_split(base_arena *a, const char *s, size_t len, size_t i, struct num_parts *np)
{
	char *d = base_arena_alloc(a, len + 1);
	size_t nd = 0, nint = 0, nfrac = 0;
	for (; i < len && is_digit(s[i]); i++, nint++)
		d[nd++] = s[i];
	if (i < len && s[i] == '.') {
		for (i++; i < len && is_digit(s[i]); i++, nfrac++)
			d[nd++] = s[i];
	}
	if (nint + nfrac == 0)
		return BASE_EINVALID;
	long exp = 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		int rc = num_exponent(s, len, &i, &exp);
		if (rc != BASE_OK)
			return rc;
	}
	if (i != len)
		return BASE_EINVALID;
	/* value = d * 10^(exp - nfrac), then without the zeros at both ends */
	np->e = exp - (long)nfrac;
	while (nd > 0 && *d == '0') {
		d++;
		nd--;
	}
	while (nd > 0 && d[nd - 1] == '0') {
		nd--;
		np->e++;
	}
	np->digits = d;
	np->nd = nd;
	return BASE_OK;
}

/* The plain decimal of np (nd > 0), out_len characters plus the sign. */
static char *num_render(base_arena *a, bool neg, const struct num_parts *np, size_t out_len)
{
	char *o = base_arena_alloc(a, out_len + 2);
	size_t k = 0, nd = np->nd;
	long p = (long)nd + np->e; /* digits before the point */
	if (neg)
		o[k++] = '-';
	if (np->e >= 0) {
		memcpy(o + k, np->digits, nd);
		memset(o + k + nd, '0', (size_t)np->e);
	} else if (p > 0) {
		memcpy(o + k, np->digits, (size_t)p);
		o[k + (size_t)p] = '.';
		memcpy(o + k + (size_t)p + 1, np->digits + p, nd - (size_t)p);
	} else {
		memcpy(o + k, "0.", 2);
		memset(o + k + 2, '0', (size_t)(-p));
		memcpy(o + k + 2 + (size_t)(-p), np->digits, nd);
	}
	o[k + out_len] = '\0';
	return o;
}

int cty__num_canon(base_arena *a, const char *s, size_t len, const char **canon_out, double *inf_out)
{
	size_t i = 0;
	bool neg = false;
	*inf_out = 0;
	*canon_out = NULL;
	if (i < len && (s[i] == '+' || s[i] == '-')) {
		neg = s[i] == '-';
		i++;
	}
	if (ieq(s + i, len - i, "inf") || ieq(s + i, len - i, "infinity")) {
		*inf_out = neg ? -INFINITY : INFINITY;
		*canon_out = neg ? "-Inf" : "+Inf";
		return BASE_OK;
	}
	struct num_parts np;
	int rc = num_split(a, s, len, i, &np);
	if (rc != BASE_OK)
		return rc;
	if (np.nd == 0) {
		*canon_out = "0";
		return BASE_OK;
	}
	long p = (long)np.nd + np.e; /* digits before the point */
	size_t out_len;
	if (np.e >= 0)
		out_len = np.nd + (size_t)np.e;
	else if (p > 0)
		out_len = np.nd + 1;
	else
		out_len = 2 + (size_t)(-p) + np.nd;
	if (out_len > CTY_NUM_MAX_LEN || base_arena_used(a) + out_len > CTY_DECODE_MAX_BYTES)
		return BASE_ETOOBIG;
	*canon_out = num_render(a, neg, &np, out_len);
	return BASE_OK;
}

const char *cty__num_limit_text(base_arena *a)
{
	return base_arena_sprintf(a,
	                          "a number's plain decimal form is limited to %u characters and the "
	                          "values decoded for one request to %zu MiB",
	                          CTY_NUM_MAX_LEN, CTY_DECODE_MAX_BYTES >> 20);
}

int cty__canon_int(const char *canon, int64_t *i, uint64_t *u)
{
	const char *p = canon;
	bool neg = false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (!*p)
		return 0;
	uint64_t m = 0;
	for (; *p; p++) {
		if (!is_digit(*p))
			return 0;
		unsigned dgt = (unsigned)(*p - '0');
		if (m > (UINT64_MAX - dgt) / 10)
			return 0;
		m = m * 10 + dgt;
	}
	if (neg) {
		if (m > (uint64_t)INT64_MAX + 1)
			return 0;
		*i = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
		return 1;
	}
	*u = m;
	if (m <= (uint64_t)INT64_MAX) {
		*i = (int64_t)m;
		return 1;
	}
	return 2;
}

const cty_value *cty__num_from_double(base_arena *a, double d)
{
	assert(!isnan(d));
	cty_value *v = val_new(a, cty_type_number(), CTY_NUMBER);
	v->u.num.f = d;
	v->u.num.is_float = true;
	if (isinf(d)) {
		v->u.num.canon = d < 0 ? "-Inf" : "+Inf";
	} else if (d == 0) {
		v->u.num.canon = "0";
	} else if (d > -18446744073709551616.0 && d < 18446744073709551616.0 && d == trunc(d)) {
		/* Integral doubles render exactly (2^63 is "9223372036854775808",
		 * not Go's shortest "9223372036854776000") so they equal the same
		 * integer received as a msgpack int. */
		uint64_t m = (uint64_t)fabs(d);
		v->u.num.canon = base_arena_sprintf(a, "%s%llu", d < 0 ? "-" : "", (unsigned long long)m);
	} else {
		char buf[40];
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
			if (strtod(buf, NULL) == d)
				break;
		}
		double inf;
		int rc = cty__num_canon(a, buf, strlen(buf), &v->u.num.canon, &inf);
		assert(rc == BASE_OK);
		(void)rc;
	}
	v->u.num.text = v->u.num.canon;
	return v;
}

const cty_value *cty_value_number_int(base_arena *a, int64_t i)
{
	cty_value *v = val_new(a, cty_type_number(), CTY_NUMBER);
	v->u.num.text = v->u.num.canon = base_arena_sprintf(a, "%lld", (long long)i);
	return v;
}

const cty_value *cty_value_number_uint(base_arena *a, uint64_t u)
{
	cty_value *v = val_new(a, cty_type_number(), CTY_NUMBER);
	v->u.num.text = v->u.num.canon = base_arena_sprintf(a, "%llu", (unsigned long long)u);
	return v;
}

const cty_value *cty_value_number_double(base_arena *a, double d)
{
	return cty__num_from_double(a, d);
}

int cty_value_number_parse(base_arena *a, const char *text, const cty_value **out)
{
	assert(a && text && out);
	*out = NULL;
	const char *canon;
	double inf;
	int rc = cty__num_canon(a, text, strlen(text), &canon, &inf);
	if (rc != BASE_OK)
		return rc;
	cty_value *v = val_new(a, cty_type_number(), CTY_NUMBER);
	v->u.num.text = base_arena_strdup(a, text);
	v->u.num.canon = canon;
	if (inf != 0) {
		v->u.num.is_float = true;
		v->u.num.f = inf;
	}
	*out = v;
	return BASE_OK;
}

const cty_value *cty_value_number_text(base_arena *a, const char *text)
{
	const cty_value *v = NULL;
	int rc = cty_value_number_parse(a, text, &v);
	assert(rc == BASE_OK);
	(void)rc;
	return v;
}

const char *cty_value_number_text_of(const cty_value *v)
{
	assert(v);
	return v->kind == CTY_NUMBER ? v->u.num.text : NULL;
}

const char *cty_value_number_canon(const cty_value *v)
{
	assert(v);
	return v->kind == CTY_NUMBER ? v->u.num.canon : NULL;
}

int cty_value_as_int64(const cty_value *v, int64_t *out)
{
	assert(v && out);
	if (v->kind != CTY_NUMBER)
		return BASE_EINVALID;
	if (v->u.num.is_float) { /* exact binary value, not the rounded text */
		double f = v->u.num.f;
		if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0) || f != (double)(int64_t)f)
			return BASE_EINVALID;
		*out = (int64_t)f;
		return BASE_OK;
	}
	int64_t i;
	uint64_t u;
	if (cty__canon_int(v->u.num.canon, &i, &u) != 1)
		return BASE_EINVALID;
	*out = i;
	return BASE_OK;
}

int cty_value_as_double(const cty_value *v, double *out)
{
	assert(v && out);
	if (v->kind != CTY_NUMBER)
		return BASE_EINVALID;
	if (v->u.num.is_float) {
		*out = v->u.num.f;
		return BASE_OK;
	}
	errno = 0;
	double d = strtod(v->u.num.canon, NULL);
	if (errno == ERANGE && isinf(d))
		return BASE_EINVALID;
	*out = d;
	return BASE_OK;
}

/* ---- primitives and singletons ----------------------------------------- */

const cty_value *cty_value_null(const cty_type *t)
{
	assert(t);
	return &t->vnull;
}

const cty_value *cty_value_unknown(const cty_type *t)
{
	assert(t);
	return &t->vunknown;
}

const cty_value *cty_value_unknown_not_null(const cty_type *t)
{
	assert(t);
	return &t->vunknown_nn;
}

static const cty_value v_true = {.kind = CTY_BOOL, .u.b = true};
static const cty_value v_false = {.kind = CTY_BOOL, .u.b = false};

const cty_value *cty_value_bool(bool b)
{
	/* The static values cannot point at the bool type in their initializer
	 * (it lives in cty_type.c), so cty_value_type special-cases bools
	 * whose type is NULL. */
	return b ? &v_true : &v_false;
}

const cty_value *cty_value_string(base_arena *a, const char *s)
{
	assert(s);
	return cty_value_string_n(a, s, strlen(s));
}

const cty_value *cty_value_string_n(base_arena *a, const char *s, size_t n)
{
	assert(a && (s || n == 0));
	cty_value *v = val_new(a, cty_type_string(), CTY_STRING);
	char *c = base_arena_alloc(a, n + 1); /* zeroed: NUL-terminated */
	if (n)
		memcpy(c, s, n); /* not strndup: s may contain NUL bytes */
	v->u.str.s = c;
	v->u.str.len = n;
	return v;
}

/* ---- collections --------------------------------------------------------- */

static bool conforms(const cty_value *v, const cty_type *t)
{
	return cty_type_conforms(cty_value_type(v), t);
}

static const cty_value **copy_elems(base_arena *a, size_t n, const cty_value *const *elems)
{
	const cty_value **e = base_arena_calloc(a, n ? n : 1, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		assert(elems[i]);
		e[i] = elems[i];
	}
	return e;
}

const cty_value *cty_value_list(base_arena *a, const cty_type *elem_type, size_t n,
                                const cty_value *const *elems)
{
	assert(a && elem_type && (n == 0 || elems));
	cty_value *v = val_new(a, cty_type_list(a, elem_type), CTY_LIST);
	const cty_value **e = copy_elems(a, n, elems);
	for (size_t i = 0; i < n; i++)
		assert(conforms(e[i], elem_type));
	v->u.coll.n = n;
	v->u.coll.elems = e;
	return v;
}

const cty_value *cty_value_set(base_arena *a, const cty_type *elem_type, size_t n,
                               const cty_value *const *elems)
{
	assert(a && elem_type && (n == 0 || elems));
	cty_value *v = val_new(a, cty_type_set(a, elem_type), CTY_SET);
	const cty_value **e = base_arena_calloc(a, n ? n : 1, sizeof *e);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		assert(elems[i] && conforms(elems[i], elem_type));
		bool dup = false;
		if (cty_value_is_known(elems[i]))
			for (size_t j = 0; j < k && !dup; j++)
				dup = cty_value_raw_equal(e[j], elems[i]);
		if (!dup)
			e[k++] = elems[i];
	}
	v->u.coll.n = k;
	v->u.coll.elems = e;
	return v;
}

struct kv {
	const char *key;
	const cty_value *val;
	size_t idx;
};

static int kv_cmp(const void *x, const void *y)
{
	const struct kv *p = x, *q = y;
	int c = strcmp(p->key, q->key);
	if (c)
		return c;
	return p->idx < q->idx ? -1 : p->idx > q->idx;
}

const cty_value *cty_value_map(base_arena *a, const cty_type *elem_type, size_t n, const char *const *keys,
                               const cty_value *const *vals)
{
	assert(a && elem_type && (n == 0 || (keys && vals)));
	cty_value *v = val_new(a, cty_type_map(a, elem_type), CTY_MAP);
	struct kv *tmp = base_arena_calloc(a, n ? n : 1, sizeof *tmp);
	for (size_t i = 0; i < n; i++) {
		assert(keys[i] && vals[i] && conforms(vals[i], elem_type));
		tmp[i].key = keys[i];
		tmp[i].val = vals[i];
		tmp[i].idx = i;
	}
	if (n > 1)
		qsort(tmp, n, sizeof *tmp, kv_cmp);
	const char **k = base_arena_calloc(a, n ? n : 1, sizeof *k);
	const cty_value **e = base_arena_calloc(a, n ? n : 1, sizeof *e);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(tmp[i].key, tmp[i + 1].key) == 0)
			continue; /* a later duplicate wins */
		k[m] = base_arena_strdup(a, tmp[i].key);
		e[m] = tmp[i].val;
		m++;
	}
	v->u.coll.n = m;
	v->u.coll.elems = e;
	v->u.coll.keys = k;
	return v;
}

const cty_value *cty_value_tuple(base_arena *a, const cty_type *tuple_type, const cty_value *const *elems)
{
	assert(a && tuple_type && cty_type_kind_of(tuple_type) == CTY_T_TUPLE);
	size_t n = cty_type_tuple_len(tuple_type);
	assert(n == 0 || elems);
	cty_value *v = val_new(a, tuple_type, CTY_TUPLE);
	const cty_value **e = copy_elems(a, n, elems);
	for (size_t i = 0; i < n; i++)
		assert(conforms(e[i], cty_type_tuple_elem(tuple_type, i)));
	v->u.coll.n = n;
	v->u.coll.elems = e;
	return v;
}

const cty_value *cty__value_seq(base_arena *a, const cty_type *t, size_t n, const cty_value *const *e)
{
	switch (cty_type_kind_of(t)) {
	case CTY_T_TUPLE:
		return cty_value_tuple(a, t, e);
	case CTY_T_LIST:
		return cty_value_list(a, t->elem, n, e);
	default:
		assert(cty_type_kind_of(t) == CTY_T_SET);
		return cty_value_set(a, t->elem, n, e);
	}
}

const cty_value *cty_value_object(base_arena *a, const cty_type *obj_type, const cty_value *const *attrs)
{
	assert(a && obj_type && cty_type_kind_of(obj_type) == CTY_T_OBJECT);
	size_t n = cty_type_attr_count(obj_type);
	assert(n == 0 || attrs);
	cty_value *v = val_new(a, obj_type, CTY_OBJECT);
	const cty_value **e = base_arena_calloc(a, n ? n : 1, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		const cty_type *at = cty_type_attr_type(obj_type, i);
		e[i] = attrs[i] ? attrs[i] : cty_value_null(at);
		assert(conforms(e[i], at));
	}
	v->u.coll.n = n;
	v->u.coll.elems = e;
	return v;
}

void cty_obj_builder_init(cty_obj_builder *b, base_arena *a, const cty_type *obj_type)
{
	assert(b && a && obj_type && cty_type_kind_of(obj_type) == CTY_T_OBJECT);
	size_t n = cty_type_attr_count(obj_type);
	b->arena = a;
	b->type = obj_type;
	b->attrs = base_arena_calloc(a, n ? n : 1, sizeof *b->attrs);
}

bool cty_obj_builder_set(cty_obj_builder *b, const char *name, const cty_value *v)
{
	assert(b && name);
	long i = cty_type_attr_index(b->type, name);
	if (i < 0)
		return false;
	assert(!v || conforms(v, cty_type_attr_type(b->type, (size_t)i)));
	b->attrs[i] = v;
	return true;
}

const cty_value *cty_obj_builder_finish(cty_obj_builder *b)
{
	assert(b);
	return cty_value_object(b->arena, b->type, b->attrs);
}

const cty_value *cty_value_with_attr(base_arena *a, const cty_value *obj, const char *name,
                                     const cty_value *v)
{
	assert(a && obj && name);
	if (obj->kind != CTY_OBJECT)
		return NULL;
	long i = cty_type_attr_index(obj->type, name);
	if (i < 0)
		return NULL;
	size_t n = obj->u.coll.n;
	const cty_value **e = base_arena_calloc(a, n, sizeof *e);
	memcpy(e, obj->u.coll.elems, n * sizeof *e);
	e[i] = v;
	cty_value *r = (cty_value *)cty_value_object(a, obj->type, e);
	r->marks = obj->marks;
	return r;
}

const cty_value *cty_value_with_marks(base_arena *a, const cty_value *v, unsigned marks)
{
	assert(a && v);
	cty_value *r = base_arena_alloc(a, sizeof *r);
	*r = *v;
	r->type = cty_value_type(v);
	r->marks = marks;
	return r;
}

const cty_value *cty_value_clone(base_arena *a, const cty_value *v)
{
	assert(a && v);
	const cty_type *t = cty_type_clone(a, cty_value_type(v));
	cty_value *r;
	switch (v->kind) {
	case CTY_NULL:
	case CTY_UNKNOWN:
	case CTY_BOOL:
		r = base_arena_alloc(a, sizeof *r);
		*r = *v;
		r->type = t;
		return r;
	case CTY_STRING:
		r = (cty_value *)cty_value_string_n(a, v->u.str.s, v->u.str.len);
		break;
	case CTY_NUMBER:
		r = base_arena_alloc(a, sizeof *r);
		*r = *v;
		r->type = t;
		r->u.num.text = base_arena_strdup(a, v->u.num.text);
		r->u.num.canon = base_arena_strdup(a, v->u.num.canon);
		break;
	default: {
		size_t n = v->u.coll.n;
		const cty_value **e = base_arena_calloc(a, n ? n : 1, sizeof *e);
		const char **k = NULL;
		for (size_t i = 0; i < n; i++)
			e[i] = cty_value_clone(a, v->u.coll.elems[i]);
		if (v->kind == CTY_MAP) {
			k = base_arena_calloc(a, n ? n : 1, sizeof *k);
			for (size_t i = 0; i < n; i++)
				k[i] = base_arena_strdup(a, v->u.coll.keys[i]);
		}
		r = val_new(a, t, v->kind);
		r->u.coll.n = n;
		r->u.coll.elems = e;
		r->u.coll.keys = k;
		break;
	}
	}
	r->marks = v->marks;
	return r;
}

/* ---- inspection ----------------------------------------------------------- */

cty_kind cty_value_kind(const cty_value *v)
{
	assert(v);
	return v->kind;
}

const cty_type *cty_value_type(const cty_value *v)
{
	assert(v);
	return v->type ? v->type : cty_type_bool();
}

unsigned cty_value_marks(const cty_value *v)
{
	assert(v);
	return v->marks;
}

bool cty_value_is_null(const cty_value *v)
{
	assert(v);
	return v->kind == CTY_NULL;
}

bool cty_value_is_unknown(const cty_value *v)
{
	assert(v);
	return v->kind == CTY_UNKNOWN;
}

bool cty_value_unknown_is_not_null(const cty_value *v)
{
	assert(v);
	return v->kind == CTY_UNKNOWN && v->not_null;
}

bool cty_value_is_known(const cty_value *v)
{
	assert(v);
	switch (v->kind) {
	case CTY_UNKNOWN:
		return false;
	case CTY_LIST:
	case CTY_SET:
	case CTY_MAP:
	case CTY_OBJECT:
	case CTY_TUPLE:
		for (size_t i = 0; i < v->u.coll.n; i++)
			if (!cty_value_is_known(v->u.coll.elems[i]))
				return false;
		return true;
	default:
		return true;
	}
}

const char *cty_value_as_string(const cty_value *v)
{
	assert(v);
	return v->kind == CTY_STRING ? v->u.str.s : NULL;
}

size_t cty_value_string_len(const cty_value *v)
{
	assert(v);
	return v->kind == CTY_STRING ? v->u.str.len : 0;
}

bool cty_value_as_bool(const cty_value *v)
{
	assert(v && v->kind == CTY_BOOL);
	return v->u.b;
}

static bool is_coll(const cty_value *v)
{
	return v->kind == CTY_LIST || v->kind == CTY_SET || v->kind == CTY_MAP || v->kind == CTY_OBJECT ||
	       v->kind == CTY_TUPLE;
}

size_t cty_value_len(const cty_value *v)
{
	assert(v);
	return is_coll(v) ? v->u.coll.n : 0;
}

const cty_value *cty_value_index(const cty_value *v, size_t i)
{
	assert(v && is_coll(v) && i < v->u.coll.n);
	return v->u.coll.elems[i];
}

const char *cty_value_map_key(const cty_value *v, size_t i)
{
	assert(v && v->kind == CTY_MAP && i < v->u.coll.n);
	return v->u.coll.keys[i];
}

const cty_value *cty_value_map_get(const cty_value *v, const char *key)
{
	assert(v && key);
	if (v->kind != CTY_MAP)
		return NULL;
	size_t lo = 0, hi = v->u.coll.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, v->u.coll.keys[mid]);
		if (c == 0)
			return v->u.coll.elems[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const cty_value *cty_value_get_attr(const cty_value *v, const char *name)
{
	assert(v && name);
	const cty_type *t = cty_value_type(v);
	long i = cty_type_attr_index(t, name);
	if (i < 0)
		return NULL;
	if (v->kind == CTY_NULL)
		return cty_value_null(cty_type_attr_type(t, (size_t)i));
	if (v->kind == CTY_UNKNOWN)
		return cty_value_unknown(cty_type_attr_type(t, (size_t)i));
	return v->u.coll.elems[i];
}

const char *cty_kind_name(cty_kind k)
{
	switch (k) {
	case CTY_NULL:
		return "null";
	case CTY_UNKNOWN:
		return "unknown";
	case CTY_STRING:
		return "string";
	case CTY_NUMBER:
		return "number";
	case CTY_BOOL:
		return "bool";
	case CTY_LIST:
		return "list";
	case CTY_SET:
		return "set";
	case CTY_MAP:
		return "map";
	case CTY_OBJECT:
		return "object";
	case CTY_TUPLE:
		return "tuple";
	}
	return "?";
}
