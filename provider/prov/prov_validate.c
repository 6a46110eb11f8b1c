/*
 * prov_validate.c - schema-driven attribute validators (see prov_validate.h).
 */
#include "prov/prov_validate.h"

#include <regex.h>
#include <string.h>

#include "base/base_buf.h"
#include "prov/prov_schema.h"

void prov_vctx_error(prov_vctx *c, const base_path *path, const char *summary, const char *detail)
{
	base_diags_add(c->d, BASE_SEV_ERROR, path, summary, detail);
	c->rc = BASE_EINVALID;
}

static void verr(prov_vctx *c, base_path path, const char *summary, const char *detail)
{
	prov_vctx_error(c, &path, summary, detail);
}

static const char *pstr(prov_vctx *c, base_path path)
{
	return base_path_str(c->a, path);
}

/* ------------------------------------------------------------------ */
/* parsers                                                              */

static bool parse_octet(const char **s, unsigned *out)
{
	const char *p = *s;
	unsigned v = 0;
	int n = 0;
	while (*p >= '0' && *p <= '9') {
		if (n > 0 && v == 0)
			return false; /* leading zero */
		v = v * 10 + (unsigned)(*p - '0');
		if (v > 255 || ++n > 3)
			return false;
		p++;
	}
	if (n == 0)
		return false;
	*out = v;
	*s = p;
	return true;
}

bool prov_validate_parse_cidr(const char *s, uint32_t *addr, int *prefix)
{
	if (!s)
		return false;
	uint32_t a = 0;
	for (int i = 0; i < 4; i++) {
		unsigned o;
		if (!parse_octet(&s, &o))
			return false;
		a = (a << 8) | o;
		if (i < 3 && *s++ != '.')
			return false;
	}
	if (*s++ != '/')
		return false;
	unsigned pfx;
	if (!parse_octet(&s, &pfx) || pfx > 32 || *s != '\0')
		return false;
	*addr = a;
	*prefix = (int)pfx;
	return true;
}

bool prov_validate_parse_duration(const char *s, int64_t *seconds)
{
	if (!s || !*s)
		return false;
	int64_t total = 0;
	while (*s) {
		int64_t n = 0;
		int digits = 0;
		while (*s >= '0' && *s <= '9') {
			n = n * 10 + (*s - '0');
			if (++digits > 9)
				return false;
			s++;
		}
		if (digits == 0)
			return false;
		switch (*s) {
		case 'h':
			total += n * 3600;
			break;
		case 'm':
			total += n * 60;
			break;
		case 's':
			total += n;
			break;
		default:
			return false;
		}
		s++;
	}
	*seconds = total;
	return true;
}

static uint32_t mask_of(int prefix)
{
	return prefix == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - prefix));
}

static const char *ip_str(prov_vctx *c, uint32_t a, int prefix)
{
	return base_arena_sprintf(c->a, "%u.%u.%u.%u/%d", (a >> 24) & 255, (a >> 16) & 255, (a >> 8) & 255,
	                          a & 255, prefix);
}

/* regex match; a bad pattern is a schema bug reported once as such. */
static bool match_re(prov_vctx *c, const char *pattern, const char *s, base_path path)
{
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
		base_diags_addf(c->d, BASE_SEV_ERROR, &path, "Invalid provider schema",
		                "The pattern %s does not compile. This is a bug in the provider.", pattern);
		c->rc = BASE_EINVALID;
		return true;
	}
	bool ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static bool in_list(const prov_strs *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static const char *join_list(prov_vctx *c, const prov_strs *l)
{
	base_buf b;
	base_buf_init(&b, 0);
	int rc = BASE_OK;
	for (size_t i = 0; i < l->n && rc == BASE_OK; i++)
		rc = base_buf_printf(&b, "%s\"%s\"", i ? ", " : "", l->v[i]);
	const char *out = base_arena_strdup(c->a, base_buf_cstr(&b));
	base_buf_dispose(&b);
	return out;
}

/* ------------------------------------------------------------------ */
/* scalar checks                                                        */

static void check_endpoint_service(prov_vctx *c, const prov_validators *vs, const char *s, base_path path)
{
	if (in_list(&vs->endpoint_services, s))
		return;
	/* Full form com.amazonaws.<region>.<service> (also vendor names). */
	if (match_re(c,
	             "^(com\\.amazonaws|aws\\.sagemaker|aws\\.api)\\.[a-z]{2}(-[a-z]+)+-[0-9]+\\.[a-z0-9][a-"
	             "z0-9.-]*$",
	             s, path))
		return;
	base_diags_addf(
	        c->d, BASE_SEV_ERROR, &path, "Unknown endpoint service",
	        "%s: \"%s\" is not a known service short name. Use one of %s, or a full service name such as "
	        "\"com.amazonaws.us-east-2.%s\".",
	        pstr(c, path), s, join_list(c, &vs->endpoint_services), s);
	c->rc = BASE_EINVALID;
}

/* A map key starting with one of the reserved prefixes (tags: `lambdavpc:`, `aws:`). */
static void check_key_prefix(prov_vctx *c, const prov_validators *vs, const char *key, base_path kp)
{
	for (size_t r = 0; r < vs->reserved_key_prefixes.n; r++) {
		const char *pfx = vs->reserved_key_prefixes.v[r];
		if (strncmp(key, pfx, strlen(pfx)) != 0)
			continue;
		verr(c, kp, "Reserved tag key",
		     base_arena_sprintf(
		             c->a,
		             "%s: the key \"%s\" uses the reserved prefix \"%s\" (%s), so it cannot "
		             "be set here.",
		             pstr(c, kp), key, pfx,
		             strcmp(pfx, "aws:") == 0 ? "AWS's own tags" : "the provider's ownership tags"));
		return;
	}
}

/* 7200 -> "2h", 90 -> "1m30s" (for messages). */
static const char *dur_text(prov_vctx *c, int64_t s)
{
	const char *out = "";
	if (s >= 3600)
		out = base_arena_sprintf(c->a, "%lldh", (long long)(s / 3600));
	if (s % 3600 >= 60)
		out = base_arena_sprintf(c->a, "%s%lldm", out, (long long)(s % 3600 / 60));
	if (s % 60 || s == 0)
		out = base_arena_sprintf(c->a, "%s%llds", out, (long long)(s % 60));
	return out;
}

static void check_string(prov_vctx *c, const prov_validators *vs, const cty_value *v, base_path path,
                         bool whole)
{
	const char *s = cty_value_as_string(v);
	if (!s)
		return;
	if (whole && vs->has_length) {
		int64_t n = (int64_t)cty_value_string_len(v);
		if (n < vs->len_min || n > vs->len_max)
			verr(c, path, "Invalid value length",
			     base_arena_sprintf(c->a, "%s must be %lld to %lld characters long, got %lld.",
			                        pstr(c, path), (long long)vs->len_min, (long long)vs->len_max,
			                        (long long)n));
	}
	if (vs->string_regex && !match_re(c, vs->string_regex, s, path))
		verr(c, path, "Invalid value",
		     vs->hint
		             ? base_arena_sprintf(c->a, "%s: \"%s\" is not valid: %s.", pstr(c, path), s,
		                                  vs->hint)
		             : base_arena_sprintf(
		                       c->a, "%s: \"%s\" does not have the expected form (it must match %s).",
		                       pstr(c, path), s, vs->string_regex));
	if (vs->one_of.n && !in_list(&vs->one_of, s))
		verr(c, path, "Invalid value",
		     base_arena_sprintf(c->a, "%s must be one of %s, got \"%s\".", pstr(c, path),
		                        join_list(c, &vs->one_of), s));
	if (vs->has_cidr) {
		uint32_t addr;
		int pfx;
		if (!prov_validate_parse_cidr(s, &addr, &pfx)) {
			verr(c, path, "Invalid CIDR block",
			     base_arena_sprintf(c->a,
			                        "%s: \"%s\" is not an IPv4 CIDR block like 10.0.1.0/24.",
			                        pstr(c, path), s));
		} else if (pfx < vs->cidr_min || pfx > vs->cidr_max) {
			verr(c, path, "Invalid CIDR prefix length",
			     base_arena_sprintf(
			             c->a, "%s: %s has prefix /%d; the prefix must be between /%d and /%d.",
			             pstr(c, path), s, pfx, vs->cidr_min, vs->cidr_max));
		} else if ((addr & ~mask_of(pfx)) != 0) {
			verr(c, path, "Invalid CIDR block",
			     base_arena_sprintf(c->a, "%s: %s has host bits set; did you mean %s?",
			                        pstr(c, path), s, ip_str(c, addr & mask_of(pfx), pfx)));
		}
	}
	if (vs->endpoint_services.n)
		check_endpoint_service(c, vs, s, path);
	if (vs->duration) {
		int64_t secs;
		if (!prov_validate_parse_duration(s, &secs))
			verr(c, path, "Invalid duration",
			     base_arena_sprintf(
			             c->a, "%s: \"%s\" is not a duration like \"30m\", \"1h30m\" or \"45s\".",
			             pstr(c, path), s));
		else if (vs->has_duration_range && (secs < vs->dur_min || secs > vs->dur_max))
			verr(c, path, "Duration out of range",
			     base_arena_sprintf(c->a, "%s: \"%s\" is outside %s to %s.", pstr(c, path), s,
			                        dur_text(c, vs->dur_min), dur_text(c, vs->dur_max)));
	}
	if (vs->json_object && !prov_schema_json_is_object(s, cty_value_string_len(v)))
		verr(c, path, "Invalid JSON document",
		     base_arena_sprintf(c->a, "%s must be a JSON object (an IAM policy document).",
		                        pstr(c, path)));
}

static void check_number(prov_vctx *c, const prov_validators *vs, const cty_value *v, base_path path)
{
	if (!vs->has_int_range)
		return;
	int64_t n;
	if (cty_value_as_int64(v, &n) != BASE_OK || n < vs->int_min || n > vs->int_max)
		verr(c, path, "Value out of range",
		     base_arena_sprintf(c->a, "%s must be a whole number from %lld to %lld, got %s.",
		                        pstr(c, path), (long long)vs->int_min, (long long)vs->int_max,
		                        cty_value_number_text_of(v) ? cty_value_number_text_of(v) : "?"));
}

static void check_scalar(prov_vctx *c, const prov_validators *vs, const cty_value *v, base_path path,
                         bool whole)
{
	if (!v || cty_value_is_null(v) || cty_value_is_unknown(v))
		return;
	if (cty_value_kind(v) == CTY_STRING)
		check_string(c, vs, v, path, whole);
	else if (cty_value_kind(v) == CTY_NUMBER)
		check_number(c, vs, v, path);
}

/* ------------------------------------------------------------------ */
/* collections                                                          */

static void check_collection(prov_vctx *c, const prov_validators *vs, const cty_value *v, base_path path)
{
	cty_kind k = cty_value_kind(v);
	size_t n = cty_value_len(v);
	bool indexed = k == CTY_LIST || k == CTY_TUPLE;
	if (vs->has_length && ((int64_t)n < vs->len_min || (int64_t)n > vs->len_max)) {
		const char *what = k == CTY_MAP ? "entries" : "elements";
		if (vs->len_min == vs->len_max)
			verr(c, path, "Invalid number of elements",
			     base_arena_sprintf(c->a, "%s needs exactly %lld %s, got %zu.", pstr(c, path),
			                        (long long)vs->len_min, what, n));
		else
			verr(c, path, "Invalid number of elements",
			     base_arena_sprintf(c->a, "%s needs %lld to %lld %s, got %zu.", pstr(c, path),
			                        (long long)vs->len_min, (long long)vs->len_max, what, n));
	}
	if (k == CTY_MAP) {
		for (size_t i = 0; i < n; i++) {
			const char *key = cty_value_map_key(v, i);
			base_path kp = base_path_key(c->a, path, key);
			if (vs->key_regex && !match_re(c, vs->key_regex, key, kp))
				verr(c, kp, "Invalid key",
				     vs->hint ? base_arena_sprintf(c->a,
				                                   "%s: the key \"%s\" is not valid: %s.",
				                                   pstr(c, path), key, vs->hint)
				              : base_arena_sprintf(c->a,
				                                   "%s: the key \"%s\" does not have the "
				                                   "expected form (it must match %s).",
				                                   pstr(c, path), key, vs->key_regex));
			check_key_prefix(c, vs, key, kp);
			if (vs->reserved_keys.n && in_list(&vs->reserved_keys, key))
				verr(c, kp, "Reserved key",
				     base_arena_sprintf(c->a,
				                        "%s: the key \"%s\" is reserved by AWS Lambda and "
				                        "cannot be set.",
				                        pstr(c, path), key));
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const cty_value *e = cty_value_index(v, i);
		base_path ep = indexed ? base_path_index(c->a, path, (int64_t)i) : path;
		check_scalar(c, vs, e, ep, false);
		const char *s = cty_value_as_string(e);
		if (!s || !indexed)
			continue;
		bool dup = false;
		for (size_t j = 0; vs->unique && j < i; j++) {
			const char *t = cty_value_as_string(cty_value_index(v, j));
			if (t && strcmp(s, t) == 0) {
				verr(c, ep, "Duplicate value",
				     base_arena_sprintf(
				             c->a,
				             "%s: \"%s\" is listed more than once (first at index %zu).",
				             pstr(c, path), s, j));
				dup = true;
				break;
			}
		}
		uint32_t a1, a2;
		int p1, p2;
		if (dup || !vs->no_overlap || !prov_validate_parse_cidr(s, &a1, &p1))
			continue;
		for (size_t j = 0; j < i; j++) {
			const char *t = cty_value_as_string(cty_value_index(v, j));
			if (!t || !prov_validate_parse_cidr(t, &a2, &p2))
				continue;
			int pm = p1 < p2 ? p1 : p2;
			if ((a1 & mask_of(pm)) == (a2 & mask_of(pm))) {
				verr(c, ep, "Overlapping CIDR blocks",
				     base_arena_sprintf(c->a,
				                        "%s: %s overlaps %s (index %zu); each subnet needs "
				                        "its own range.",
				                        pstr(c, path), s, t, j));
				break;
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* attributes, objects, blocks                                          */

static void validate_attrs(prov_vctx *c, const tf6_attribute *attrs, size_t n, const cty_value *obj,
                           base_path path);

static void validate_attr(prov_vctx *c, const tf6_attribute *at, const cty_value *v, base_path path)
{
	if (!v || cty_value_is_null(v) || cty_value_is_unknown(v))
		return;
	const prov_validators *vs = &prov_attr_info_of(at)->validators;
	if (at->nested) {
		if (at->nested->nesting == TF6_NEST_SINGLE) {
			validate_attrs(c, at->nested->attrs, at->nested->n_attrs, v, path);
			return;
		}
		check_collection(c, vs, v, path);
		size_t n = cty_value_len(v);
		for (size_t i = 0; i < n; i++) {
			base_path ep = path;
			if (at->nested->nesting == TF6_NEST_LIST)
				ep = base_path_index(c->a, path, (int64_t)i);
			else if (at->nested->nesting == TF6_NEST_MAP)
				ep = base_path_key(c->a, path, cty_value_map_key(v, i));
			validate_attrs(c, at->nested->attrs, at->nested->n_attrs, cty_value_index(v, i), ep);
		}
		return;
	}
	switch (cty_value_kind(v)) {
	case CTY_LIST:
	case CTY_SET:
	case CTY_MAP:
	case CTY_TUPLE:
		check_collection(c, vs, v, path);
		break;
	default:
		check_scalar(c, vs, v, path, true);
		break;
	}
}

static void validate_attrs(prov_vctx *c, const tf6_attribute *attrs, size_t n, const cty_value *obj,
                           base_path path)
{
	if (!obj || cty_value_is_null(obj) || cty_value_is_unknown(obj))
		return;
	for (size_t i = 0; i < n; i++)
		validate_attr(c, &attrs[i], cty_value_get_attr(obj, attrs[i].name),
		              base_path_attr(c->a, path, attrs[i].name));
}

static void validate_block(prov_vctx *c, const tf6_block *b, const cty_value *obj, base_path path)
{
	if (!obj || cty_value_is_null(obj) || cty_value_is_unknown(obj))
		return;
	validate_attrs(c, b->attrs, b->n_attrs, obj, path);
	for (size_t i = 0; i < b->n_blocks; i++) {
		const tf6_nested_block *nb = &b->blocks[i];
		const cty_value *bv = cty_value_get_attr(obj, nb->type_name);
		base_path bp = base_path_attr(c->a, path, nb->type_name);
		if (!bv || cty_value_is_null(bv) || cty_value_is_unknown(bv))
			continue;
		if (nb->nesting == TF6_NEST_SINGLE || nb->nesting == TF6_NEST_GROUP) {
			validate_block(c, &nb->block, bv, bp);
			continue;
		}
		size_t n = cty_value_len(bv);
		for (size_t j = 0; j < n; j++) {
			base_path ep = bp;
			if (nb->nesting == TF6_NEST_LIST)
				ep = base_path_index(c->a, bp, (int64_t)j);
			else if (nb->nesting == TF6_NEST_MAP)
				ep = base_path_key(c->a, bp, cty_value_map_key(bv, j));
			validate_block(c, &nb->block, cty_value_index(bv, j), ep);
		}
	}
}

int prov_validate_block(base_arena *a, const tf6_block *b, const cty_value *obj, base_path path,
                        base_diags *diags)
{
	prov_vctx c = {a, diags, BASE_OK};
	validate_block(&c, b, obj, path);
	return c.rc;
}
