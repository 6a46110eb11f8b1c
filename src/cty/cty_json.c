/*
 * cty_json.c - JSON forms of cty values and types.
 *
 * The parser here is our own rather than jansson's: numbers must survive as
 * their exact source text (jansson turns reals into doubles and rejects
 * integers beyond 64 bits), and type JSON must be parsed where the msgpack
 * codec needs it. Output is written directly into a base_buf in Go's
 * encoding/json form (compact, sorted object keys, HTML-safe escapes).
 */
#include "cty_json.h"

#include <assert.h>
#include <string.h>

#include "base/base_path.h"
#include "base/base_str.h"
#include "cty_int.h"

#define JSON_MAX_DEPTH 256

/* ============================================================ parser === */

enum jkind { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode {
	enum jkind k;
	bool b;
	const char *s; /* J_STR: decoded bytes (NUL-terminated); J_NUM: source text */
	size_t len;
	size_t n;             /* J_ARR items / J_OBJ members */
	struct jnode **items; /* values */
	const char **keys;    /* J_OBJ member names (NUL-terminated) */
	size_t *klens;
};

struct jparser {
	base_arena *a;
	const char *start, *p, *end;
	int depth;
	const char *err;
};

static void skip_ws(struct jparser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static bool read_u4(struct jparser *jp, unsigned *out)
{
	if (jp->end - jp->p < 4)
		return false;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = base_hexval(jp->p[i]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	jp->p += 4;
	*out = v;
	return true;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* At the opening quote. The decoded string is never longer than its source. */
/* Length of the valid UTF-8 sequence at s[0..len) (first byte >= 0x80),
 * with its code point in *cp; 0 when invalid (overlong, surrogate, beyond
 * U+10FFFF, truncated). */
static size_t utf8_seq(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned char c = s[0];
	size_t need = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
	if (need == 0 || need > len)
		return 0;
	unsigned v = need == 4 ? (c & 7u) : need == 3 ? (c & 15u) : (c & 31u);
	for (size_t k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3fu);
	}
	if ((need == 3 && (v < 0x800 || (v >= 0xd800 && v < 0xe000))) ||
	    (need == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	*cp = v;
	return need;
}

static bool parse_string(struct jparser *jp, const char **s_out, size_t *len_out)
{
	jp->p++;
	const char *q = jp->p;
	while (q < jp->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= jp->end) {
		jp->err = "unterminated string";
		return false;
	}
	/* an invalid UTF-8 byte becomes U+FFFD (3 bytes), as Go's decoder does */
	char *o = base_arena_alloc(jp->a, 3 * (size_t)(q - jp->p) + 1);
	size_t k = 0;
	while (jp->p < jp->end && *jp->p != '"') {
		unsigned char c = (unsigned char)*jp->p;
		if (c < 0x20) {
			jp->err = "control character in string";
			return false;
		}
		if (c >= 0x80) {
			unsigned cp;
			size_t n = utf8_seq((const unsigned char *)jp->p, (size_t)(jp->end - jp->p), &cp);
			memcpy(o + k, n ? jp->p : "\xef\xbf\xbd", n ? n : 3);
			k += n ? n : 3;
			jp->p += n ? n : 1;
			continue;
		}
		if (c != '\\') {
			o[k++] = (char)c;
			jp->p++;
			continue;
		}
		jp->p++;
		if (jp->p >= jp->end) {
			jp->err = "bad escape";
			return false;
		}
		/* the one-character escapes, and what each stands for */
		static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
		char e = *jp->p++;
		const char *hit = e ? strchr(esc_in, e) : NULL;
		if (hit) {
			o[k++] = esc_out[hit - esc_in];
			continue;
		}
		if (e != 'u') {
			jp->err = "bad escape";
			return false;
		}
		unsigned cp, lo;
		if (!read_u4(jp, &cp)) {
			jp->err = "bad \\u escape";
			return false;
		}
		if (cp >= 0xd800 && cp < 0xdc00 && jp->end - jp->p >= 6 && jp->p[0] == '\\' &&
		    jp->p[1] == 'u') {
			const char *save = jp->p;
			jp->p += 2;
			if (read_u4(jp, &lo) && lo >= 0xdc00 && lo < 0xe000)
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			else
				jp->p = save;
		}
		if (cp >= 0xd800 && cp < 0xe000)
			cp = 0xfffd;      /* lone surrogate, as Go does */
		k += put_utf8(o + k, cp); /* \uXXXX is 6 source bytes >= 4 output bytes */
	}
	jp->p++; /* closing quote */
	o[k] = '\0';
	*s_out = o;
	*len_out = k;
	return true;
}

static bool is_dig(char c)
{
	return c >= '0' && c <= '9';
}

/* Skips a run of one or more digits; false (jp->err set) when there is none. */
static bool skip_digits(struct jparser *jp)
{
	const char *s = jp->p;
	while (jp->p < jp->end && is_dig(*jp->p))
		jp->p++;
	if (jp->p > s)
		return true;
	jp->err = "invalid number";
	return false;
}

static bool parse_number(struct jparser *jp, struct jnode *n)
{
	const char *s = jp->p;
	if (jp->p < jp->end && *jp->p == '-')
		jp->p++;
	if (jp->p < jp->end && *jp->p == '0') {
		jp->p++;
	} else if (!skip_digits(jp)) {
		return false;
	}
	if (jp->p < jp->end && *jp->p == '.') {
		jp->p++;
		if (!skip_digits(jp))
			return false;
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
		jp->p++;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (!skip_digits(jp))
			return false;
	}
	n->k = J_NUM;
	n->len = (size_t)(jp->p - s);
	n->s = base_arena_strndup(jp->a, s, n->len);
	return true;
}

static bool lit(struct jparser *jp, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0)
		return false;
	jp->p += n;
	return true;
}

static struct jnode *parse_value(struct jparser *jp);

/* Appends to a growable arena array of pointers. */
static void push(base_arena *a, void ***arr, size_t *n, size_t *cap, void *x)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		*arr = base_arena_realloc(a, *arr, *cap * sizeof **arr, nc * sizeof **arr);
		*cap = nc;
	}
	(*arr)[(*n)++] = x;
}

static bool parse_container(struct jparser *jp, struct jnode *n, bool obj)
{
	if (++jp->depth > JSON_MAX_DEPTH) {
		jp->err = "nesting too deep";
		return false;
	}
	char close = obj ? '}' : ']';
	jp->p++;
	n->k = obj ? J_OBJ : J_ARR;
	size_t cap = 0, kcap = 0, kn = 0;
	void **items = NULL, **keys = NULL;
	skip_ws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		goto out;
	}
	for (;;) {
		skip_ws(jp);
		if (obj) {
			const char *k;
			size_t kl;
			if (jp->p >= jp->end || *jp->p != '"') {
				jp->err = "expected object key";
				return false;
			}
			if (!parse_string(jp, &k, &kl))
				return false;
			push(jp->a, &keys, &kn, &kcap, (void *)k);
			skip_ws(jp);
			if (jp->p >= jp->end || *jp->p != ':') {
				jp->err = "expected ':'";
				return false;
			}
			jp->p++;
		}
		struct jnode *v = parse_value(jp);
		if (!v)
			return false;
		push(jp->a, &items, &n->n, &cap, v);
		skip_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			break;
		}
		jp->err = obj ? "expected ',' or '}'" : "expected ',' or ']'";
		return false;
	}
out:
	n->items = (struct jnode **)items;
	n->keys = (const char **)keys;
	if (obj) {
		n->klens = base_arena_calloc(jp->a, n->n ? n->n : 1, sizeof *n->klens);
		for (size_t i = 0; i < n->n; i++)
			n->klens[i] = strlen(n->keys[i]);
	}
	jp->depth--;
	return true;
}

static struct jnode *parse_value(struct jparser *jp)
{
	skip_ws(jp);
	if (jp->p >= jp->end) {
		jp->err = "unexpected end of input";
		return NULL;
	}
	if (base_arena_used(jp->a) > CTY_DECODE_MAX_BYTES) {
		jp->err = "document too large: the values decoded for one request are limited to 64 MiB";
		return NULL;
	}
	struct jnode *n = base_arena_alloc(jp->a, sizeof *n);
	char c = *jp->p;
	bool ok;
	if (c == '{' || c == '[') {
		ok = parse_container(jp, n, c == '{');
	} else if (c == '"') {
		n->k = J_STR;
		ok = parse_string(jp, &n->s, &n->len);
	} else if (c == '-' || is_dig(c)) {
		ok = parse_number(jp, n);
	} else if (lit(jp, "null")) {
		n->k = J_NULL;
		ok = true;
	} else if (lit(jp, "true")) {
		n->k = J_BOOL;
		n->b = true;
		ok = true;
	} else if (lit(jp, "false")) {
		n->k = J_BOOL;
		ok = true;
	} else {
		jp->err = "unexpected character";
		ok = false;
	}
	return ok ? n : NULL;
}

/* Whole document; NULL with *err set on failure. */
static struct jnode *parse_doc(base_arena *a, const char *json, size_t len, const char **err, size_t *err_off)
{
	struct jparser jp = {.a = a, .start = json, .p = json, .end = json + len};
	struct jnode *n = parse_value(&jp);
	if (n) {
		skip_ws(&jp);
		if (jp.p != jp.end) {
			jp.err = "trailing data after JSON value";
			n = NULL;
		}
	}
	*err = jp.err;
	*err_off = (size_t)(jp.p - json);
	return n;
}

/* ============================================================ types ==== */

static const cty_type *type_from(base_arena *a, const struct jnode *n, const char **err);

static const cty_type *type_err(const char **err, const char *msg)
{
	*err = msg;
	return NULL;
}

static const cty_type *type_primitive(const char *name, const char **err)
{
	if (strcmp(name, "string") == 0)
		return cty_type_string();
	if (strcmp(name, "number") == 0)
		return cty_type_number();
	if (strcmp(name, "bool") == 0)
		return cty_type_bool();
	if (strcmp(name, "dynamic") == 0)
		return cty_type_dynamic();
	return type_err(err, "unknown primitive type name");
}

/* The optional-attribute list ol (third element of an object type) into
 * opt[] over the attribute names of object node arg. */
static bool type_optionals(const struct jnode *arg, const struct jnode *ol, bool *opt, const char **err)
{
	if (ol->k != J_ARR) {
		*err = "optional attributes must be an array of names";
		return false;
	}
	for (size_t k = 0; k < ol->n; k++) {
		size_t i = 0;
		if (ol->items[k]->k != J_STR)
			i = arg->n;
		else
			while (i < arg->n && strcmp(arg->keys[i], ol->items[k]->s) != 0)
				i++;
		if (i == arg->n) {
			*err = "optional attribute is not an attribute";
			return false;
		}
		opt[i] = true;
	}
	return true;
}

/* ["object", {name: T...}(, [optional names])] */
static const cty_type *type_object(base_arena *a, const struct jnode *n, const char **err)
{
	const struct jnode *arg = n->items[1];
	if (arg->k != J_OBJ || n->n > 3)
		return type_err(err, "object type needs an object of attribute types");
	const cty_type **ty = base_arena_calloc(a, arg->n ? arg->n : 1, sizeof *ty);
	bool *opt = base_arena_calloc(a, arg->n ? arg->n : 1, sizeof *opt);
	for (size_t i = 0; i < arg->n; i++) {
		if (arg->keys[i][0] == '\0' || strlen(arg->keys[i]) != arg->klens[i])
			return type_err(err, "invalid attribute name");
		for (size_t j = 0; j < i; j++)
			if (strcmp(arg->keys[i], arg->keys[j]) == 0)
				return type_err(err, "duplicate attribute name");
		ty[i] = type_from(a, arg->items[i], err);
		if (!ty[i])
			return NULL;
	}
	if (n->n == 3 && !type_optionals(arg, n->items[2], opt, err))
		return NULL;
	return cty_type_object(a, arg->n, arg->keys, ty, opt);
}

/* ["tuple", [T...]] */
static const cty_type *type_tuple(base_arena *a, const struct jnode *n, const char **err)
{
	const struct jnode *arg = n->items[1];
	if (arg->k != J_ARR || n->n != 2)
		return type_err(err, "tuple type needs an array of element types");
	const cty_type **ty = base_arena_calloc(a, arg->n ? arg->n : 1, sizeof *ty);
	for (size_t i = 0; i < arg->n; i++) {
		ty[i] = type_from(a, arg->items[i], err);
		if (!ty[i])
			return NULL;
	}
	return cty_type_tuple(a, arg->n, ty);
}

static const cty_type *type_from(base_arena *a, const struct jnode *n, const char **err)
{
	if (n->k == J_STR)
		return type_primitive(n->s, err);
	if (n->k != J_ARR || n->n < 2 || n->items[0]->k != J_STR)
		return type_err(err, "a type is a string or an array [kind, ...]");
	const char *kind = n->items[0]->s;
	if (strcmp(kind, "list") == 0 || strcmp(kind, "set") == 0 || strcmp(kind, "map") == 0) {
		if (n->n != 2)
			return type_err(err, "collection type needs exactly one element type");
		const cty_type *e = type_from(a, n->items[1], err);
		if (!e)
			return NULL;
		if (kind[0] == 'l')
			return cty_type_list(a, e);
		return kind[0] == 's' ? cty_type_set(a, e) : cty_type_map(a, e);
	}
	if (strcmp(kind, "object") == 0)
		return type_object(a, n, err);
	if (strcmp(kind, "tuple") == 0)
		return type_tuple(a, n, err);
	return type_err(err, "unknown type kind");
}

int cty_json_type_decode(base_arena *a, const char *json, size_t len, const cty_type **out, base_diags *diags)
{
	assert(a && (json || len == 0) && out);
	const char *err = NULL;
	size_t off = 0;
	*out = NULL;
	struct jnode *n = parse_doc(a, json ? json : "", len, &err, &off);
	if (n)
		*out = type_from(a, n, &err);
	if (*out)
		return BASE_OK;
	if (diags)
		base_diags_addf(diags, BASE_SEV_ERROR, NULL, "Invalid type JSON", "%s (at byte %zu)",
		                err ? err : "invalid", off);
	return BASE_EINVALID;
}

/* Go encoding/json string form (HTML-safe; invalid UTF-8 becomes U+FFFD). */
static int put_json_string(base_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	int rc = base_buf_putc(b, '"');
	size_t i = 0, run = 0;
	while (rc == BASE_OK && i < len) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char ubuf[7];
		size_t adv = 1;
		if (c < 0x80) {
			if (c == '"')
				esc = "\\\"";
			else if (c == '\\')
				esc = "\\\\";
			else if (c == '\n')
				esc = "\\n";
			else if (c == '\r')
				esc = "\\r";
			else if (c == '\t')
				esc = "\\t";
			else if (c == '\b')
				esc = "\\b";
			else if (c == '\f')
				esc = "\\f";
			else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
				ubuf[0] = '\\', ubuf[1] = 'u', ubuf[2] = '0', ubuf[3] = '0';
				ubuf[4] = hex[c >> 4], ubuf[5] = hex[c & 15], ubuf[6] = '\0';
				esc = ubuf;
			}
		} else {
			unsigned cp = 0;
			size_t need = utf8_seq((const unsigned char *)s + i, len - i, &cp);
			if (!need)
				esc = "\\ufffd";
			else {
				adv = need;
				if (cp == 0x2028)
					esc = "\\u2028";
				else if (cp == 0x2029)
					esc = "\\u2029";
			}
		}
		if (esc) {
			if (run)
				rc = base_buf_append(b, s + i - run, run);
			run = 0;
			if (rc == BASE_OK)
				rc = base_buf_puts(b, esc);
		} else {
			run += adv;
		}
		i += adv;
	}
	if (rc == BASE_OK && run)
		rc = base_buf_append(b, s + len - run, run);
	if (rc == BASE_OK)
		rc = base_buf_putc(b, '"');
	return rc;
}

/* Member i of a JSON object: "," unless it is the first, then "key":. */
static int put_member_key(base_buf *b, size_t i, const char *key)
{
	int rc = i ? base_buf_putc(b, ',') : BASE_OK;
	if (rc == BASE_OK)
		rc = put_json_string(b, key, strlen(key));
	if (rc == BASE_OK)
		rc = base_buf_putc(b, ':');
	return rc;
}

int cty_json_type_encode(const cty_type *t, base_buf *out)
{
	assert(t && out);
	int rc = BASE_OK;
	switch (cty_type_kind_of(t)) {
	case CTY_T_STRING:
		return base_buf_puts(out, "\"string\"");
	case CTY_T_NUMBER:
		return base_buf_puts(out, "\"number\"");
	case CTY_T_BOOL:
		return base_buf_puts(out, "\"bool\"");
	case CTY_T_DYNAMIC:
		return base_buf_puts(out, "\"dynamic\"");
	case CTY_T_LIST:
	case CTY_T_SET:
	case CTY_T_MAP:
		rc = base_buf_printf(out, "[\"%s\",", cty_type_kind_name(t));
		if (rc == BASE_OK)
			rc = cty_json_type_encode(t->elem, out);
		if (rc == BASE_OK)
			rc = base_buf_putc(out, ']');
		return rc;
	case CTY_T_OBJECT:
		rc = base_buf_puts(out, "[\"object\",{");
		for (size_t i = 0; rc == BASE_OK && i < t->n; i++) {
			rc = put_member_key(out, i, t->names[i]);
			if (rc == BASE_OK)
				rc = cty_json_type_encode(t->types[i], out);
		}
		if (rc == BASE_OK)
			rc = base_buf_putc(out, '}');
		if (rc == BASE_OK && t->optional) {
			bool first = true;
			rc = base_buf_puts(out, ",[");
			for (size_t i = 0; rc == BASE_OK && i < t->n; i++) {
				if (!t->optional[i])
					continue;
				if (!first)
					rc = base_buf_putc(out, ',');
				first = false;
				if (rc == BASE_OK)
					rc = put_json_string(out, t->names[i], strlen(t->names[i]));
			}
			if (rc == BASE_OK)
				rc = base_buf_putc(out, ']');
		}
		if (rc == BASE_OK)
			rc = base_buf_putc(out, ']');
		return rc;
	case CTY_T_TUPLE:
		rc = base_buf_puts(out, "[\"tuple\",[");
		for (size_t i = 0; rc == BASE_OK && i < t->n; i++) {
			if (i)
				rc = base_buf_putc(out, ',');
			if (rc == BASE_OK)
				rc = cty_json_type_encode(t->types[i], out);
		}
		if (rc == BASE_OK)
			rc = base_buf_puts(out, "]]");
		return rc;
	}
	return BASE_EINVALID;
}

/* ============================================================ values === */

struct dec {
	base_arena *a;
	unsigned flags;
	base_diags *diags;
};

static int dec_fail(struct dec *d, base_path path, const char *fmt, const char *x)
{
	if (d->diags)
		base_diags_addf(d->diags, BASE_SEV_ERROR, &path, "Invalid JSON value", fmt, x);
	return BASE_EINVALID;
}

static const char *jkind_name(enum jkind k)
{
	switch (k) {
	case J_NULL:
		return "null";
	case J_BOOL:
		return "bool";
	case J_NUM:
		return "number";
	case J_STR:
		return "string";
	case J_ARR:
		return "array";
	case J_OBJ:
		return "object";
	}
	return "?";
}

static int dec_value(struct dec *d, const cty_type *t, const struct jnode *n, base_path path,
                     const cty_value **out);

static int dec_wrong(struct dec *d, const cty_type *t, const struct jnode *n, base_path path)
{
	if (d->diags)
		base_diags_addf(d->diags, BASE_SEV_ERROR, &path, "Invalid JSON value",
		                "expected %s, got JSON %s", cty_type_kind_name(t), jkind_name(n->k));
	return BASE_EINVALID;
}

/* The elements of array n (list, set, tuple t) or the members of object n
 * (map t), decoded into a new arena array *e_out of n->n values. */
static int dec_items(struct dec *d, const cty_type *t, const struct jnode *n, base_path path,
                     const cty_value ***e_out)
{
	const cty_value **e = base_arena_calloc(d->a, n->n ? n->n : 1, sizeof *e);
	bool tuple = cty_type_kind_of(t) == CTY_T_TUPLE;
	for (size_t i = 0; i < n->n; i++) {
		const cty_type *et = tuple ? t->types[i] : t->elem;
		base_path ep = n->k == J_OBJ ? base_path_key(d->a, path, n->keys[i])
		                             : base_path_index(d->a, path, (int64_t)i);
		int rc = dec_value(d, et, n->items[i], ep, &e[i]);
		if (rc != BASE_OK)
			return rc;
	}
	*e_out = e;
	return BASE_OK;
}

/* {"value": V, "type": T} where dynamic is declared */
static int dec_dynamic(struct dec *d, const cty_type *t, const struct jnode *n, base_path path,
                       const cty_value **out)
{
	const struct jnode *jv = NULL, *jt = NULL;
	if (n->k != J_OBJ)
		return dec_wrong(d, t, n, path);
	for (size_t i = 0; i < n->n; i++) {
		if (strcmp(n->keys[i], "value") == 0)
			jv = n->items[i];
		else if (strcmp(n->keys[i], "type") == 0)
			jt = n->items[i];
		else
			return dec_fail(d, path, "unexpected member \"%s\" in dynamic value", n->keys[i]);
	}
	if (!jv || !jt)
		return dec_fail(d, path, "%s", "dynamic value needs \"value\" and \"type\"");
	const char *err = NULL;
	const cty_type *vt = type_from(d->a, jt, &err);
	if (!vt)
		return dec_fail(d, path, "invalid type of dynamic value: %s", err);
	return dec_value(d, vt, jv, path, out);
}

/* string, number, bool: go-cty's JSON conversions (a number or bool is
 * accepted as a string's text, "true"/"false" and decimal strings too) */
static int dec_primitive(struct dec *d, const cty_type *t, const struct jnode *n, base_path path,
                         const cty_value **out)
{
	base_arena *a = d->a;
	int rc;
	switch (cty_type_kind_of(t)) {
	case CTY_T_STRING:
		if (n->k == J_STR || n->k == J_NUM)
			*out = cty_value_string_n(a, n->s, n->len);
		else if (n->k == J_BOOL)
			*out = cty_value_string(a, n->b ? "true" : "false");
		else
			return dec_wrong(d, t, n, path);
		return BASE_OK;
	case CTY_T_NUMBER:
		if (n->k != J_NUM && n->k != J_STR)
			return dec_wrong(d, t, n, path);
		rc = strlen(n->s) != n->len ? BASE_EINVALID : cty_value_number_parse(a, n->s, out);
		if (rc == BASE_ETOOBIG)
			return dec_fail(d, path, "number too large: %s", cty__num_limit_text(a));
		if (rc != BASE_OK)
			return dec_fail(d, path, "invalid number \"%s\"",
			                n->len > 200 ? base_arena_sprintf(a, "%.200s...", n->s) : n->s);
		return BASE_OK;
	default: /* CTY_T_BOOL */
		if (n->k == J_BOOL)
			*out = cty_value_bool(n->b);
		else if (n->k == J_STR && (strcmp(n->s, "true") == 0 || strcmp(n->s, "false") == 0))
			*out = cty_value_bool(n->s[0] == 't');
		else
			return dec_wrong(d, t, n, path);
		return BASE_OK;
	}
}

/* list, set, tuple (from an array) or map (from an object) */
static int dec_coll(struct dec *d, const cty_type *t, const struct jnode *n, base_path path,
                    const cty_value **out)
{
	bool map = cty_type_kind_of(t) == CTY_T_MAP;
	if (n->k != (map ? J_OBJ : J_ARR))
		return dec_wrong(d, t, n, path);
	if (cty_type_kind_of(t) == CTY_T_TUPLE && n->n != t->n) {
		if (d->diags)
			base_diags_addf(d->diags, BASE_SEV_ERROR, &path, "Invalid JSON value",
			                "a tuple of %zu elements is required (%zu given)", t->n, n->n);
		return BASE_EINVALID;
	}
	const cty_value **e;
	int rc = dec_items(d, t, n, path, &e);
	if (rc != BASE_OK)
		return rc;
	*out = map ? cty_value_map(d->a, t->elem, n->n, n->keys, e) : cty__value_seq(d->a, t, n->n, e);
	return BASE_OK;
}

static int dec_object(struct dec *d, const cty_type *t, const struct jnode *n, base_path path,
                      const cty_value **out)
{
	base_arena *a = d->a;
	if (n->k != J_OBJ)
		return dec_wrong(d, t, n, path);
	const cty_value **e = base_arena_calloc(a, t->n ? t->n : 1, sizeof *e);
	for (size_t i = 0; i < n->n; i++) {
		long ai = cty_type_attr_index(t, n->keys[i]);
		if (ai < 0) {
			if (d->flags & CTY_JSON_ALLOW_EXTRA)
				continue;
			return dec_fail(d, base_path_attr(a, path, n->keys[i]),
			                "unsupported attribute \"%s\"", n->keys[i]);
		}
		int rc = dec_value(d, t->types[ai], n->items[i], base_path_attr(a, path, t->names[ai]),
		                   &e[ai]);
		if (rc != BASE_OK)
			return rc;
	}
	*out = cty_value_object(a, t, e); /* missing attributes: NULL -> null */
	return BASE_OK;
}

static int dec_value(struct dec *d, const cty_type *t, const struct jnode *n, base_path path,
                     const cty_value **out)
{
	if (n->k == J_NULL) {
		*out = cty_value_null(t);
		return BASE_OK;
	}
	switch (cty_type_kind_of(t)) {
	case CTY_T_DYNAMIC:
		return dec_dynamic(d, t, n, path, out);
	case CTY_T_STRING:
	case CTY_T_NUMBER:
	case CTY_T_BOOL:
		return dec_primitive(d, t, n, path, out);
	case CTY_T_LIST:
	case CTY_T_SET:
	case CTY_T_TUPLE:
	case CTY_T_MAP:
		return dec_coll(d, t, n, path, out);
	case CTY_T_OBJECT:
		return dec_object(d, t, n, path, out);
	}
	return BASE_EINVALID;
}

int cty_json_decode(base_arena *a, const cty_type *t, const char *json, size_t len, unsigned flags,
                    const cty_value **out, base_diags *diags)
{
	assert(a && t && (json || len == 0) && out);
	*out = NULL;
	const char *err = NULL;
	size_t off = 0;
	struct jnode *n = parse_doc(a, json ? json : "", len, &err, &off);
	if (!n) {
		if (diags)
			base_diags_addf(diags, BASE_SEV_ERROR, NULL, "Invalid JSON value", "%s (at byte %zu)",
			                err ? err : "invalid", off);
		return BASE_EINVALID;
	}
	struct dec d = {.a = a, .flags = flags, .diags = diags};
	const cty_value *v = NULL;
	int rc = dec_value(&d, t, n, base_path_root(), &v);
	if (rc == BASE_OK)
		*out = v;
	return rc;
}

static int enc_value(const cty_type *t, const cty_value *v, base_buf *b)
{
	int rc = BASE_OK;
	if (v->kind == CTY_NULL)
		return base_buf_puts(b, "null");
	if (v->kind == CTY_UNKNOWN)
		return BASE_EINVALID; /* value is not known */
	if (cty_type_kind_of(t) == CTY_T_DYNAMIC) {
		rc = base_buf_puts(b, "{\"value\":");
		if (rc == BASE_OK)
			rc = enc_value(cty_value_type(v), v, b);
		if (rc == BASE_OK)
			rc = base_buf_puts(b, ",\"type\":");
		if (rc == BASE_OK)
			rc = cty_json_type_encode(cty_value_type(v), b);
		if (rc == BASE_OK)
			rc = base_buf_putc(b, '}');
		return rc;
	}
	switch (v->kind) {
	case CTY_STRING:
		return put_json_string(b, v->u.str.s, v->u.str.len);
	case CTY_NUMBER:
		if (v->u.num.canon[0] == '+' || strchr(v->u.num.canon, 'I'))
			return BASE_EINVALID; /* infinity has no JSON form */
		return base_buf_puts(b, v->u.num.canon);
	case CTY_BOOL:
		return base_buf_puts(b, v->u.b ? "true" : "false");
	case CTY_LIST:
	case CTY_SET:
	case CTY_TUPLE:
		rc = base_buf_putc(b, '[');
		for (size_t i = 0; rc == BASE_OK && i < v->u.coll.n; i++) {
			const cty_type *et = v->kind == CTY_TUPLE ? t->types[i] : t->elem;
			if (i)
				rc = base_buf_putc(b, ',');
			if (rc == BASE_OK)
				rc = enc_value(et, v->u.coll.elems[i], b);
		}
		if (rc == BASE_OK)
			rc = base_buf_putc(b, ']');
		return rc;
	case CTY_MAP:
	case CTY_OBJECT:
		rc = base_buf_putc(b, '{');
		for (size_t i = 0; rc == BASE_OK && i < v->u.coll.n; i++) {
			const char *k = v->kind == CTY_MAP ? v->u.coll.keys[i] : t->names[i];
			const cty_type *et = v->kind == CTY_MAP ? t->elem : t->types[i];
			rc = put_member_key(b, i, k);
			if (rc == BASE_OK)
				rc = enc_value(et, v->u.coll.elems[i], b);
		}
		if (rc == BASE_OK)
			rc = base_buf_putc(b, '}');
		return rc;
	default:
		return BASE_EINVALID;
	}
}

int cty_json_encode_as(const cty_type *t, const cty_value *v, base_buf *out)
{
	assert(t && v && out);
	if (!cty_type_conforms(cty_value_type(v), t))
		return BASE_EINVALID;
	return enc_value(t, v, out);
}

int cty_json_encode(const cty_value *v, base_buf *out)
{
	assert(v && out);
	return enc_value(cty_value_type(v), v, out);
}
