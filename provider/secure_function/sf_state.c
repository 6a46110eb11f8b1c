/*
 * sf_state.c - what exists (recon_state) -> the resource's state model:
 * computed attributes after an apply, the Read merge that makes drift
 * visible on the attribute it affects, the Import model, and the drift
 * flags kept in the private bytes. See sf_ops_int.h and README.md.
 */
#include "secure_function/sf_ops_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_observe.h"

/* ------------------------------------------------------------------------ */
/* drift flags                                                              */

#define DRIFT_PREFIX "lambdavpc-drift:"

tf6_bytes sf__drift_encode(base_arena *a, unsigned flags)
{
	char *s;
	if (!flags)
		return (tf6_bytes){NULL, 0};
	s = base_arena_sprintf(a, DRIFT_PREFIX "%x", flags);
	return (tf6_bytes){(const uint8_t *)s, strlen(s)};
}

#define DESTROYING_TEXT "lambdavpc-destroying"

/* ------------------------------------------------------------------------ */
/* the destroy view (recon_destroy_view) after the drift / destroying text  */

#define VIEW_PREFIX "lambdavpc-view:"

/* b without its view segment (";" VIEW_PREFIX ... or a leading one). */
static tf6_bytes without_view(tf6_bytes b)
{
	size_t n = strlen(VIEW_PREFIX), i;
	for (i = 0; b.data && i + n <= b.len; i++)
		if ((i == 0 || b.data[i - 1] == ';') && memcmp(b.data + i, VIEW_PREFIX, n) == 0) {
			b.len = i ? i - 1 : 0;
			break;
		}
	return b;
}

/* The view's network fields: our subnets as "cidr@id@az" and the endpoints
 * as "service@id@<g|i><o|f><h|n>" (gateway or interface, owned or foreign,
 * sits in one of our subnets or in none), each list ','-separated. None of these strings holds ':', ',' or '@'; one that
 * did would not survive the round trip, so the view then says nothing of
 * the network (has_net off: the destroy lists it). */
static bool view_word(const char *s)
{
	return !s || !s[strcspn(s, ":,@")];
}

/* e sits in one of the view's (our) subnets. */
static bool in_ours(const recon_destroy_view *v, const recon_endpoint *e)
{
	size_t i, j;
	for (i = 0; i < v->n_subnets; i++)
		for (j = 0; v->subnets[i].owned && j < e->subnet_ids.n; j++)
			if (base_str_eq(v->subnets[i].id, e->subnet_ids.v[j]))
				return true;
	return false;
}

static bool net_fields(base_arena *a, const recon_destroy_view *v, const char **subnets, const char **eps)
{
	const char *sl = "", *el = "";
	size_t i;
	bool ok = true;
	for (i = 0; i < v->n_subnets; i++) {
		const recon_subnet *s = &v->subnets[i];
		if (!s->id || !s->cidr || !s->owned)
			continue;
		ok = ok && view_word(s->id) && view_word(s->cidr) && view_word(s->az);
		sl = base_arena_sprintf(a, "%s%s%s@%s@%s", sl, *sl ? "," : "", s->cidr, s->id,
		                        s->az ? s->az : "");
	}
	for (i = 0; i < v->n_endpoints; i++) {
		const recon_endpoint *e = &v->endpoints[i];
		if (!e->id || !e->service || e->gone)
			continue;
		ok = ok && view_word(e->id) && view_word(e->service);
		el = base_arena_sprintf(a, "%s%s%s@%s@%c%c%c", el, *el ? "," : "", e->service, e->id,
		                        e->gateway ? 'g' : 'i', e->owned ? 'o' : 'f', in_ours(v, e) ? 'h' : 'n');
	}
	*subnets = sl;
	*eps = el;
	return ok;
}

tf6_bytes sf__private_with_view(base_arena *a, tf6_bytes priv, const recon_state *st, int64_t now_s)
{
	recon_destroy_view v;
	tf6_bytes keep = without_view(priv);
	const char *subnets, *eps;
	char *s;
	recon_destroy_view_of(st, &v);
	s = base_arena_sprintf(a, "%.*s%s" VIEW_PREFIX "%lld:%d:%s:%s:%s:%d:%d", (int)keep.len,
	                       keep.data ? (const char *)keep.data : "", keep.len ? ";" : "",
	                       (long long)now_s, v.fn_owned ? 1 : 0, v.role_name ? v.role_name : "",
	                       v.rt_id ? v.rt_id : "", v.lambda_sg_id ? v.lambda_sg_id : "",
	                       v.shared_sgs_in_vpc ? 1 : 0, v.role_bare ? 1 : 0);
	if (net_fields(a, &v, &subnets, &eps))
		s = base_arena_sprintf(a, "%s:%s:%s", s, subnets, eps);
	return (tf6_bytes){(const uint8_t *)s, strlen(s)};
}

/* Field i (0-based, ':'-separated; the caller checked it exists) into the
 * arena; an empty field -> NULL. */
static const char *view_field(base_arena *a, const char *text, int i)
{
	const char *p = text, *e;
	for (; i > 0; i--)
		p = strchr(p, ':') + 1;
	e = strchr(p, ':');
	if (!e)
		e = p + strlen(p);
	return e > p ? base_arena_strndup(a, p, (size_t)(e - p)) : NULL;
}

/* Splits list (NULL = empty) at ',' into its items, each split at '@'
 * into exactly n parts (an empty part -> NULL); false when an item has
 * another count. *items: n pointers per item. */
static bool split_items(base_arena *a, const char *list, size_t n, const char ***items, size_t *count)
{
	size_t cap = 1, k = 0, part, len;
	const char *p;
	*count = 0;
	*items = NULL;
	if (!list)
		return true;
	for (p = list; *p; p++)
		cap += *p == ',';
	*items = base_arena_calloc(a, cap * n + 1, sizeof **items);
	for (p = list;;) {
		for (part = 0; part < n; part++) {
			len = strcspn(p, "@,");
			(*items)[k * n + part] = len ? base_arena_strndup(a, p, len) : NULL;
			p += len;
			if (part + 1 < n && *p++ != '@')
				return false;
		}
		k++;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return false;
	}
	*count = k;
	return true;
}

/* The view's network fields (net_fields) into out; false when malformed. */
static bool parse_net(base_arena *a, const char *subnets, const char *eps, recon_destroy_view *out)
{
	const char **sv, **ev;
	size_t ns, ne, i;
	recon_subnet *s;
	recon_endpoint *e;
	if (!split_items(a, subnets, 3, &sv, &ns) || !split_items(a, eps, 3, &ev, &ne))
		return false;
	s = base_arena_calloc(a, ns + 1, sizeof *s);
	e = base_arena_calloc(a, ne + 1, sizeof *e);
	for (i = 0; i < ns; i++) {
		s[i].cidr = sv[3 * i];
		s[i].id = sv[3 * i + 1];
		s[i].az = sv[3 * i + 2];
		s[i].owned = true;
		if (!s[i].cidr || !s[i].id)
			return false;
	}
	for (i = 0; i < ne; i++) {
		const char *f = ev[3 * i + 2];
		e[i].service = ev[3 * i];
		e[i].id = ev[3 * i + 1];
		/* two flags: a view of an older release (where it sits: not known) */
		if (!e[i].service || !e[i].id || !f || strlen(f) < 2 || strlen(f) > 3 || !strchr("gi", f[0]) ||
		    !strchr("of", f[1]) || (f[2] && !strchr("hn", f[2])))
			return false;
		e[i].gateway = f[0] == 'g';
		e[i].owned = f[1] == 'o';
		e[i].off_ours = f[2] == 'n';
	}
	out->has_net = true;
	out->subnets = s;
	out->n_subnets = ns;
	out->endpoints = e;
	out->n_endpoints = ne;
	return true;
}

bool sf__private_view(base_arena *a, tf6_bytes priv, int64_t now_s, recon_destroy_view *out)
{
	size_t n = strlen(VIEW_PREFIX), off = without_view(priv).len, colons = 0;
	const char *text, *p, *ts, *fn, *shared;
	long long t;
	char *end = NULL;
	memset(out, 0, sizeof *out);
	if (off < priv.len && priv.data[off] == ';')
		off++;
	if (!priv.data || off + n > priv.len || memcmp(priv.data + off, VIEW_PREFIX, n) != 0)
		return false;
	text = base_arena_strndup(a, (const char *)priv.data + off + n, priv.len - off - n);
	for (p = text; *p; p++)
		colons += *p == ':';
	if (colons != 5 && colons != 6 && colons != 8) /* six; seven with role_bare; nine with the network */
		return false;
	ts = view_field(a, text, 0);
	fn = view_field(a, text, 1);
	shared = view_field(a, text, 5);
	if (!ts || !fn || !shared)
		return false;
	t = strtoll(ts, &end, 10);
	if (*end || now_s - t > SF_VIEW_MAX_AGE_S || t - now_s > 60)
		return false;
	out->fn_owned = strcmp(fn, "1") == 0;
	out->shared_sgs_in_vpc = strcmp(shared, "1") == 0;
	out->role_name = view_field(a, text, 2);
	out->rt_id = view_field(a, text, 3);
	out->lambda_sg_id = view_field(a, text, 4);
	out->role_bare = colons >= 6 && base_str_eq(view_field(a, text, 6), "1");
	if (colons == 8)
		return parse_net(a, view_field(a, text, 7), view_field(a, text, 8), out);
	return true;
}

tf6_bytes sf__private_encode(base_arena *a, unsigned drift, bool destroying)
{
	char *s;
	if (!destroying)
		return sf__drift_encode(a, drift);
	s = drift ? base_arena_sprintf(a, DESTROYING_TEXT ";" DRIFT_PREFIX "%x", drift)
	          : base_arena_strdup(a, DESTROYING_TEXT);
	return (tf6_bytes){(const uint8_t *)s, strlen(s)};
}

bool sf__private_destroying(tf6_bytes b)
{
	size_t n = strlen(DESTROYING_TEXT);
	b = without_view(b);
	return b.data && b.len >= n && memcmp(b.data, DESTROYING_TEXT, n) == 0 &&
	       (b.len == n || b.data[n] == ';');
}

unsigned sf__drift_decode(tf6_bytes b)
{
	size_t plen = strlen(DRIFT_PREFIX), i;
	unsigned v = 0;
	b = without_view(b);
	if (sf__private_destroying(b)) {
		size_t n = strlen(DESTROYING_TEXT);
		if (b.len == n)
			return 0;
		b.data += n + 1;
		b.len -= n + 1;
	}
	if (!b.data || b.len <= plen || b.len > plen + 8 || memcmp(b.data, DRIFT_PREFIX, plen) != 0)
		return 0;
	for (i = plen; i < b.len; i++) {
		char c = (char)b.data[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return 0;
		v = v * 16 + d;
	}
	return v;
}

unsigned sf__drift_of_plan(const recon_plan *p)
{
	unsigned f = 0;
	size_t i;
	for (i = 0; i < p->n; i++) {
		const recon_step *s = &p->v[i];
		switch (s->kind) {
		case RECON_STEP_ROLE_CREATE:
		case RECON_STEP_ROLE_ATTACH:
		case RECON_STEP_ROLE_DETACH:
		case RECON_STEP_ROLE_PUT_INLINE:
		case RECON_STEP_ROLE_DELETE_INLINE:
		case RECON_STEP_ROLE_BOUNDARY:
		case RECON_STEP_ROLE_DELETE:
			f |= SF_DRIFT_ROLE;
			break;
		case RECON_STEP_SUBNET_CREATE:
		case RECON_STEP_SUBNET_DELETE:
		case RECON_STEP_RT_ASSOCIATE:
			f |= SF_DRIFT_SUBNETS;
			break;
		case RECON_STEP_RT_CREATE:
		case RECON_STEP_RT_DELETE:
			f |= SF_DRIFT_RT | SF_DRIFT_SUBNETS;
			break;
		case RECON_STEP_SG_CREATE:
		case RECON_STEP_SG_AUTHORIZE:
		case RECON_STEP_SG_REVOKE:
		case RECON_STEP_SG_DELETE:
			if (s->kind == RECON_STEP_SG_CREATE)
				f |= base_str_eq(s->key, recon_sg_which_name(RECON_SG_ENDPOINT))
				             ? SF_DRIFT_SG_ENDPOINT
				             : SF_DRIFT_SG_LAMBDA;
			else
				f |= s->sg == RECON_SG_ENDPOINT ? SF_DRIFT_SG_ENDPOINT : SF_DRIFT_SG_LAMBDA;
			break;
		case RECON_STEP_EP_CREATE:
		case RECON_STEP_EP_SYNC:
		case RECON_STEP_EP_DELETE:
		case RECON_STEP_EP_RELEASE:
			f |= SF_DRIFT_ENDPOINTS;
			break;
		case RECON_STEP_FN_CREATE:
		case RECON_STEP_FN_CONFIG:
		case RECON_STEP_FN_CODE:
		case RECON_STEP_FN_CONCURRENCY:
		case RECON_STEP_FN_DELETE:
		case RECON_STEP_FN_PUBLISH:
			f |= SF_DRIFT_FUNCTION;
			break;
		case RECON_STEP_TAGS:
			f |= SF_DRIFT_TAGS;
			break;
		default:
			break;
		}
	}
	return f;
}

/* ------------------------------------------------------------------------ */
/* small setters                                                            */

static void set_str(sf_config *m, sf_attr at, const char **field, const char *v)
{
	m->unknown &= ~SF_BIT(at);
	if (v) {
		*field = v;
		m->present |= SF_BIT(at);
	} else {
		*field = NULL;
		m->present &= ~SF_BIT(at);
	}
}

static void set_int(sf_config *m, sf_attr at, int64_t *field, bool has, int64_t v)
{
	m->unknown &= ~SF_BIT(at);
	if (has) {
		*field = v;
		m->present |= SF_BIT(at);
	} else {
		m->present &= ~SF_BIT(at);
	}
}

static void set_list(sf_config *m, sf_attr at, sf_strlist *field, const char **v, size_t n, bool present)
{
	m->unknown &= ~SF_BIT(at);
	field->v = v;
	field->n = n;
	field->n_unknown = 0;
	if (present)
		m->present |= SF_BIT(at);
	else
		m->present &= ~SF_BIT(at);
}

static void set_map(sf_config *m, sf_attr at, sf_strmap *field, sf_strmap v, bool present)
{
	m->unknown &= ~SF_BIT(at);
	*field = v;
	if (present)
		m->present |= SF_BIT(at);
	else
		m->present &= ~SF_BIT(at);
}

static bool str_same(const char *x, const char *y)
{
	return strcmp(x ? x : "", y ? y : "") == 0;
}

static sf_strmap map_of_tags(base_arena *a, aws_tags t, bool drop_ours, prov_tags dt)
{
	sf_strmap m;
	size_t i, j, n = 0;
	m.keys = base_arena_calloc(a, t.n + 1, sizeof *m.keys);
	m.vals = base_arena_calloc(a, t.n + 1, sizeof *m.vals);
	m.n_unknown = 0;
	for (i = 0; i < t.n; i++) {
		bool skip = false;
		if (!t.v[i].key)
			continue;
		if (drop_ours && (base_str_eq(t.v[i].key, RECON_OWNER_TAG) ||
		                  base_str_has_prefix(t.v[i].key, RECON_USER_TAG_PREFIX) ||
		                  base_str_has_prefix(t.v[i].key, "aws:")))
			continue;
		for (j = 0; j < dt.n; j++)
			if (base_str_eq(dt.keys[j], t.v[i].key) && str_same(dt.values[j], t.v[i].value))
				skip = true;
		if (skip)
			continue;
		m.keys[n] = t.v[i].key;
		m.vals[n] = t.v[i].value ? t.v[i].value : "";
		n++;
	}
	m.n = n;
	sf__strmap_sort(&m);
	return m;
}

static bool maps_same(const sf_strmap *x, const sf_strmap *y)
{
	size_t i;
	if (x->n != y->n)
		return false;
	for (i = 0; i < x->n; i++)
		if (!base_str_eq(x->keys[i], y->keys[i]) || !str_same(x->vals[i], y->vals[i]))
			return false;
	return true;
}

static bool lists_same(const sf_strlist *x, aws_strs y)
{
	size_t i;
	if (x->n != y.n)
		return false;
	for (i = 0; i < x->n; i++)
		if (!str_same(x->v[i], y.v[i]))
			return false;
	return true;
}

static const char *invoke_arn_of(base_arena *a, const char *arn)
{
	/* arn:<partition>:lambda:<region>:<account>:function:<name> */
	char part[32], region[64];
	const char *p = arn, *q;
	if (!arn || !base_str_has_prefix(arn, "arn:"))
		return NULL;
	p += 4;
	q = strchr(p, ':');
	if (!q || (size_t)(q - p) >= sizeof part)
		return NULL;
	memcpy(part, p, (size_t)(q - p));
	part[q - p] = '\0';
	p = strchr(q + 1, ':'); /* after "lambda" */
	if (!p)
		return NULL;
	p++;
	q = strchr(p, ':');
	if (!q || (size_t)(q - p) >= sizeof region)
		return NULL;
	memcpy(region, p, (size_t)(q - p));
	region[q - p] = '\0';
	return base_arena_sprintf(a, "arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations",
	                          part, region, arn);
}

/* ------------------------------------------------------------------------ */
/* computed attributes                                                      */

/* vpc_endpoint_ids: short service name -> endpoint id, sorted by name. */
static void fill_endpoint_ids(base_arena *a, sf_config *m, const recon_state *st, const char *region)
{
	size_t i, n;
	size_t ns = sf_has(m, SF_A_ENDPOINT_SERVICES) ? m->endpoint_services.n : 0;
	sf_strmap em;
	em.keys = base_arena_calloc(a, ns + 1, sizeof *em.keys);
	em.vals = base_arena_calloc(a, ns + 1, sizeof *em.vals);
	em.n_unknown = 0;
	for (i = n = 0; i < ns; i++) {
		const char *svc = m->endpoint_services.v[i];
		const recon_endpoint *e =
		        svc ? recon_state_endpoint(st, sf__service_full(a, region, svc)) : NULL;
		size_t j, k;
		if (!e)
			continue;
		/* insert sorted */
		for (j = 0; j < n && strcmp(em.keys[j], svc) < 0; j++)
			;
		for (k = n; k > j; k--) {
			em.keys[k] = em.keys[k - 1];
			em.vals[k] = em.vals[k - 1];
		}
		em.keys[j] = svc;
		em.vals[j] = e->id;
		n++;
	}
	em.n = n;
	set_map(m, SF_A_VPC_ENDPOINT_IDS, &m->vpc_endpoint_ids, em, true);
}

void sf__fill_computed(base_arena *a, sf_config *m, const recon_state *st, const char *region, prov_tags dt,
                       bool only_unknown)
{
#define WANT(at) (!only_unknown || sf_unknown(m, at))
	const recon_function *fn = &st->fn;
	bool publish = sf_has(m, SF_A_PUBLISH) && m->publish;
	const char *version = (publish && fn->version) ? fn->version : "$LATEST";
	size_t i, n;

	if (WANT(SF_A_ID))
		set_str(m, SF_A_ID, &m->id, m->function_name);
	if (WANT(SF_A_ARN))
		set_str(m, SF_A_ARN, &m->arn, fn->arn);
	if (WANT(SF_A_INVOKE_ARN))
		set_str(m, SF_A_INVOKE_ARN, &m->invoke_arn, invoke_arn_of(a, fn->arn));
	if (WANT(SF_A_VERSION))
		set_str(m, SF_A_VERSION, &m->version, fn->name ? base_arena_strdup(a, version) : NULL);
	if (WANT(SF_A_QUALIFIED_ARN))
		set_str(m, SF_A_QUALIFIED_ARN, &m->qualified_arn,
		        fn->arn ? base_arena_sprintf(a, "%s:%s", fn->arn, version) : NULL);
	if (WANT(SF_A_LAST_MODIFIED))
		set_str(m, SF_A_LAST_MODIFIED, &m->last_modified, fn->last_modified);
	if (WANT(SF_A_CODE_SHA256))
		set_str(m, SF_A_CODE_SHA256, &m->code_sha256, fn->code_sha256);
	if (WANT(SF_A_ROLE_ARN))
		set_str(m, SF_A_ROLE_ARN, &m->role_arn, st->role.arn);
	if (WANT(SF_A_ROLE_NAME))
		set_str(m, SF_A_ROLE_NAME, &m->role_name, st->role.name);
	if (WANT(SF_A_ROUTE_TABLE_ID))
		set_str(m, SF_A_ROUTE_TABLE_ID, &m->route_table_id, st->rt.id);
	if (WANT(SF_A_LAMBDA_SECURITY_GROUP_ID))
		set_str(m, SF_A_LAMBDA_SECURITY_GROUP_ID, &m->lambda_security_group_id,
		        st->sgs[RECON_SG_LAMBDA].id);
	if (WANT(SF_A_ENDPOINT_SECURITY_GROUP_ID))
		set_str(m, SF_A_ENDPOINT_SECURITY_GROUP_ID, &m->endpoint_security_group_id,
		        st->sgs[RECON_SG_ENDPOINT].id);

	/* A plan keeps known elements of subnet_ids / availability_zones /
	 * vpc_endpoint_ids and leaves new ones unknown: refill those too. */
	if (only_unknown && sf_has(m, SF_A_SUBNET_IDS) && m->subnet_ids.n_unknown)
		m->unknown |= SF_BIT(SF_A_SUBNET_IDS);
	if (only_unknown && sf_has(m, SF_A_AVAILABILITY_ZONES) && m->availability_zones.n_unknown)
		m->unknown |= SF_BIT(SF_A_AVAILABILITY_ZONES);
	if (only_unknown && sf_has(m, SF_A_VPC_ENDPOINT_IDS) && m->vpc_endpoint_ids.n_unknown)
		m->unknown |= SF_BIT(SF_A_VPC_ENDPOINT_IDS);
	if (WANT(SF_A_SUBNET_IDS) || (sf_unknown(m, SF_A_AVAILABILITY_ZONES) || !only_unknown)) {
		size_t nc = sf_has(m, SF_A_SUBNET_CIDR_BLOCKS) ? m->subnet_cidr_blocks.n : 0;
		const char **ids = base_arena_calloc(a, nc + 1, sizeof *ids);
		const char **azs = base_arena_calloc(a, nc + 1, sizeof *azs);
		for (i = n = 0; i < nc; i++) {
			const recon_subnet *sn = recon_state_subnet(st, m->subnet_cidr_blocks.v[i]);
			if (!sn)
				continue;
			ids[n] = sn->id;
			azs[n] = sn->az ? sn->az : "";
			n++;
		}
		if (WANT(SF_A_SUBNET_IDS))
			set_list(m, SF_A_SUBNET_IDS, &m->subnet_ids, ids, n, true);
		if (sf_unknown(m, SF_A_AVAILABILITY_ZONES))
			set_list(m, SF_A_AVAILABILITY_ZONES, &m->availability_zones, azs, n, true);
	}
	if (WANT(SF_A_VPC_ENDPOINT_IDS))
		fill_endpoint_ids(a, m, st, region);
	if (WANT(SF_A_TAGS_ALL))
		set_map(m, SF_A_TAGS_ALL, &m->tags_all, sf__tags_all(a, m, dt), true);
#undef WANT
}

void sf__remaining_model(base_arena *a, sf_config *m, const recon_state *st, const char *region, prov_tags dt)
{
	sf__fill_computed(a, m, st, region, dt, false);
	/* nothing is left unknown in a state */
	m->unknown = 0;
}

/* ------------------------------------------------------------------------ */
/* egress rules as the user sees them                                       */

/* The peer of a symbolic atom as an id. */
static const char *peer_id(const recon_state *st, const recon_rule *r)
{
	size_t i;
	if (base_str_eq(r->peer, "@lambda"))
		return st->sgs[RECON_SG_LAMBDA].id;
	if (base_str_eq(r->peer, "@endpoint"))
		return st->sgs[RECON_SG_ENDPOINT].id;
	if (r->peer && base_str_has_prefix(r->peer, "@pl:")) {
		for (i = 0; i < st->n_prefix_lists; i++)
			if (base_str_eq(st->prefix_lists[i].service, r->peer + 4))
				return st->prefix_lists[i].id;
		return NULL;
	}
	return r->peer;
}

static bool atom_in(const recon_rule *r, const recon_rule *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (recon_rule_same(r, &v[i]))
			return true;
	return false;
}

/*
 * Observed user egress atoms of the lambda SG: every egress rule not owned by
 * another function and not one of the managed atoms of d.
 */
static void observed_user_atoms(base_arena *a, const recon_desired *d, const recon_state *st,
                                recon_rule **out, size_t *n_out)
{
	recon_desired managed = *d;
	recon_rule *mv, *v;
	size_t nm, i, n = 0;
	const recon_sg *sg = &st->sgs[RECON_SG_LAMBDA];

	managed.egress_rules = NULL;
	managed.n_egress_rules = 0;
	recon_desired_rules(a, &managed, st, RECON_SG_LAMBDA, &mv, &nm);
	v = base_arena_calloc(a, sg->n_rules + 1, sizeof *v);
	for (i = 0; i < sg->n_rules; i++) {
		recon_rule r;
		if (!sg->rules[i].egress)
			continue;
		if (sg->rules[i].owner && !base_str_eq(sg->rules[i].owner, d->function_name))
			continue;
		r = recon_rule_symbolic(a, st, &sg->rules[i]);
		if (atom_in(&r, mv, nm) || atom_in(&r, v, n))
			continue;
		/* Rules to our own groups are managed (a config cannot name their ids):
		 * a stale one is drift of the lambda SG, not a user rule. */
		if (base_str_eq(r.peer, "@lambda") || base_str_eq(r.peer, "@endpoint"))
			continue;
		v[n++] = r;
	}
	*out = v;
	*n_out = n;
}

/* One egress rule of the model for one observed atom. */
static void rule_from_atom(base_arena *a, const recon_state *st, const recon_rule *r, sf_egress_rule *out)
{
	const char **one = base_arena_calloc(a, 1, sizeof *one);
	memset(out, 0, sizeof *out);
	out->protocol = r->protocol;
	out->present |= SF_BIT(SF_EG_PROTOCOL);
	if (strcmp(r->protocol ? r->protocol : "-1", "-1") != 0) {
		out->from_port = r->from_port;
		out->to_port = r->to_port;
		out->present |= SF_BIT(SF_EG_FROM_PORT) | SF_BIT(SF_EG_TO_PORT);
	}
	if (r->description && *r->description) {
		out->description = r->description;
		out->present |= SF_BIT(SF_EG_DESCRIPTION);
	}
	one[0] = peer_id(st, r);
	if (!one[0])
		one[0] = r->peer;
	switch (r->peer_kind) {
	case RECON_PEER_SG:
		out->security_group_ids = (sf_strlist){one, 1, 0};
		out->present |= SF_BIT(SF_EG_SECURITY_GROUP_IDS);
		break;
	case RECON_PEER_PREFIX_LIST:
		out->prefix_list_ids = (sf_strlist){one, 1, 0};
		out->present |= SF_BIT(SF_EG_PREFIX_LIST_IDS);
		break;
	default:
		out->cidr_blocks = (sf_strlist){one, 1, 0};
		out->present |= SF_BIT(SF_EG_CIDR_BLOCKS);
		break;
	}
}

static bool same_group(const recon_rule *x, const recon_rule *y)
{
	bool all = strcmp(x->protocol ? x->protocol : "-1", "-1") == 0;
	return str_same(x->protocol, y->protocol) &&
	       (all || (x->from_port == y->from_port && x->to_port == y->to_port)) &&
	       str_same(x->description, y->description);
}

static void list_add_sorted(base_arena *a, sf_strlist *l, const char *v)
{
	const char **nv = base_arena_calloc(a, l->n + 2, sizeof *nv);
	size_t i, j = 0;
	bool placed = false;
	for (i = 0; i < l->n; i++) {
		if (!placed && strcmp(v, l->v[i]) < 0) {
			nv[j++] = v;
			placed = true;
		}
		nv[j++] = l->v[i];
	}
	if (!placed)
		nv[j++] = v;
	l->v = nv;
	l->n = j;
}

/* Adds the peer of atom r to rule out (grouped atoms). */
static void add_peer(base_arena *a, const recon_state *st, const recon_rule *r, sf_egress_rule *out)
{
	const char *id = peer_id(st, r);
	if (!id)
		id = r->peer;
	switch (r->peer_kind) {
	case RECON_PEER_SG:
		list_add_sorted(a, &out->security_group_ids, id);
		out->present |= SF_BIT(SF_EG_SECURITY_GROUP_IDS);
		break;
	case RECON_PEER_PREFIX_LIST:
		list_add_sorted(a, &out->prefix_list_ids, id);
		out->present |= SF_BIT(SF_EG_PREFIX_LIST_IDS);
		break;
	default:
		list_add_sorted(a, &out->cidr_blocks, id);
		out->present |= SF_BIT(SF_EG_CIDR_BLOCKS);
		break;
	}
}

/*
 * egress_rules reflecting what exists: prior rules whose atoms all exist are
 * kept as written; each remaining observed atom becomes a rule of its own.
 * Returns false (m untouched) when the observed atoms are exactly the
 * desired ones, or when the lambda SG was not observed.
 */
static bool merge_egress(base_arena *a, sf_config *m, const recon_desired *d, const recon_state *st)
{
	recon_rule *obs, *want_all, *managed_v;
	size_t n_obs, n_all, n_managed, i, j, n_rules = 0;
	recon_desired managed = *d;
	sf_egress_rule *rules;
	bool same = true;

	if (!st->sgs[RECON_SG_LAMBDA].id)
		return false;
	observed_user_atoms(a, d, st, &obs, &n_obs);
	managed.egress_rules = NULL;
	managed.n_egress_rules = 0;
	recon_desired_rules(a, &managed, st, RECON_SG_LAMBDA, &managed_v, &n_managed);
	recon_desired_rules(a, d, st, RECON_SG_LAMBDA, &want_all, &n_all);
	/* desired user atoms = all desired minus managed */
	for (i = 0; i < n_all; i++)
		if (!atom_in(&want_all[i], managed_v, n_managed) && !atom_in(&want_all[i], obs, n_obs))
			same = false;
	for (i = 0; i < n_obs; i++)
		if (!atom_in(&obs[i], want_all, n_all))
			same = false;
	if (same)
		return false;

	rules = base_arena_calloc(a, m->n_egress_rules + n_obs + 1, sizeof *rules);
	{
		bool *covered = base_arena_calloc(a, n_obs + 1, sizeof *covered);
		for (i = 0; i < d->n_egress_rules; i++) {
			recon_desired one = managed;
			recon_rule *rv;
			size_t nr;
			bool all = true;
			one.egress_rules = &d->egress_rules[i];
			one.n_egress_rules = 1;
			recon_desired_rules(a, &one, st, RECON_SG_LAMBDA, &rv, &nr);
			for (j = 0; j < nr; j++)
				if (!atom_in(&rv[j], managed_v, n_managed) && !atom_in(&rv[j], obs, n_obs))
					all = false;
			if (!all || i >= m->n_egress_rules)
				continue;
			rules[n_rules++] = m->egress_rules[i];
			for (j = 0; j < n_obs; j++)
				if (atom_in(&obs[j], rv, nr))
					covered[j] = true;
		}
		for (j = 0; j < n_obs; j++)
			if (!covered[j]) {
				size_t first = n_rules;
				rule_from_atom(a, st, &obs[j], &rules[n_rules++]);
				/* atoms with the same protocol, ports and description form one rule */
				for (size_t k = j + 1; k < n_obs; k++) {
					if (covered[k] || !same_group(&obs[j], &obs[k]))
						continue;
					add_peer(a, st, &obs[k], &rules[first]);
					covered[k] = true;
				}
			}
	}
	m->egress_rules = rules;
	m->n_egress_rules = n_rules;
	m->unknown &= ~SF_BIT(SF_A_EGRESS_RULES);
	if (n_rules)
		m->present |= SF_BIT(SF_A_EGRESS_RULES);
	else
		m->present &= ~SF_BIT(SF_A_EGRESS_RULES);
	return true;
}

/* ------------------------------------------------------------------------ */
/* Read merge                                                               */

static bool is_default_logging(const recon_function *fn)
{
	const recon_logging *l = &fn->cfg.logging;
	bool fmt_default = !l->log_format || strcmp(l->log_format, "Text") == 0;
	bool group_default = !l->log_group || (base_str_has_prefix(l->log_group, "/aws/lambda/") &&
	                                       base_str_eq(l->log_group + strlen("/aws/lambda/"), fn->name));
	return fmt_default && group_default && !l->application_log_level && !l->system_log_level;
}

/* merge_function, continued: concurrency, logging, code. */
static void merge_function_rest(sf_config *m, const recon_function *fn)
{
	const recon_function_spec *o = &fn->cfg;

	{
		bool has_prior = sf_has(m, SF_A_RESERVED_CONCURRENT_EXECUTIONS);
		if (o->reserved_concurrency >= 0 &&
		    (!has_prior || m->reserved_concurrent_executions != o->reserved_concurrency))
			set_int(m, SF_A_RESERVED_CONCURRENT_EXECUTIONS, &m->reserved_concurrent_executions,
			        true, o->reserved_concurrency);
		else if (o->reserved_concurrency < 0 && has_prior)
			set_int(m, SF_A_RESERVED_CONCURRENT_EXECUTIONS, &m->reserved_concurrent_executions,
			        false, 0);
	}
	if (sf_has(m, SF_A_LOGGING)) {
		sf_logging *l = &m->logging;
		const recon_logging *ol = &o->logging;
		if ((l->present & SF_BIT(SF_LOG_LOG_FORMAT)) && ol->log_format &&
		    !str_same(l->log_format, ol->log_format))
			l->log_format = ol->log_format;
		if ((l->present & SF_BIT(SF_LOG_LOG_GROUP)) && ol->log_group &&
		    !str_same(l->log_group, ol->log_group))
			l->log_group = ol->log_group;
		if ((l->present & SF_BIT(SF_LOG_APPLICATION_LOG_LEVEL)) &&
		    !str_same(l->application_log_level, ol->application_log_level)) {
			l->application_log_level = ol->application_log_level;
			if (!ol->application_log_level)
				l->present &= ~SF_BIT(SF_LOG_APPLICATION_LOG_LEVEL);
		}
		if ((l->present & SF_BIT(SF_LOG_SYSTEM_LOG_LEVEL)) &&
		    !str_same(l->system_log_level, ol->system_log_level)) {
			l->system_log_level = ol->system_log_level;
			if (!ol->system_log_level)
				l->present &= ~SF_BIT(SF_LOG_SYSTEM_LOG_LEVEL);
		}
	}
	/* code: the deployed package's hash shows on source_code_hash */
	if (sf_has(m, SF_A_SOURCE_CODE_HASH) && fn->code_sha256 && *fn->code_sha256 &&
	    !base_str_eq(m->package_type, "Image") && !str_same(fn->code_sha256, m->source_code_hash))
		set_str(m, SF_A_SOURCE_CODE_HASH, &m->source_code_hash, fn->code_sha256);
	if (sf_has(m, SF_A_IMAGE_URI) && o->image_uri && !str_same(o->image_uri, m->image_uri))
		set_str(m, SF_A_IMAGE_URI, &m->image_uri, o->image_uri);
}

static void merge_function(base_arena *a, sf_config *m, const recon_state *st)
{
	const recon_function *fn = &st->fn;
	const recon_function_spec *o = &fn->cfg;

	if (o->runtime && !str_same(o->runtime, m->runtime))
		set_str(m, SF_A_RUNTIME, &m->runtime, o->runtime);
	if (o->handler && !str_same(o->handler, m->handler))
		set_str(m, SF_A_HANDLER, &m->handler, o->handler);
	if (!str_same(o->description, sf_has(m, SF_A_DESCRIPTION) ? m->description : NULL))
		set_str(m, SF_A_DESCRIPTION, &m->description,
		        (o->description && *o->description) ? o->description : NULL);
	if (o->memory_size > 0 && (!sf_has(m, SF_A_MEMORY_SIZE) || m->memory_size != o->memory_size))
		set_int(m, SF_A_MEMORY_SIZE, &m->memory_size, true, o->memory_size);
	if (o->timeout > 0 && (!sf_has(m, SF_A_TIMEOUT) || m->timeout != o->timeout))
		set_int(m, SF_A_TIMEOUT, &m->timeout, true, o->timeout);
	if (o->ephemeral_storage > 0 &&
	    (!sf_has(m, SF_A_EPHEMERAL_STORAGE_SIZE) || m->ephemeral_storage_size != o->ephemeral_storage))
		set_int(m, SF_A_EPHEMERAL_STORAGE_SIZE, &m->ephemeral_storage_size, true,
		        o->ephemeral_storage);
	{
		prov_tags none = {NULL, NULL, 0};
		sf_strmap env = map_of_tags(a, o->environment, false, none);
		sf_strmap prior =
		        sf_has(m, SF_A_ENVIRONMENT) ? m->environment : (sf_strmap){NULL, NULL, 0, 0};
		if (!maps_same(&env, &prior))
			set_map(m, SF_A_ENVIRONMENT, &m->environment, env, env.n > 0);
	}
	{
		sf_strlist prior = sf_has(m, SF_A_LAYERS) ? m->layers : (sf_strlist){NULL, 0, 0};
		if (!lists_same(&prior, o->layers))
			set_list(m, SF_A_LAYERS, &m->layers, (const char **)o->layers.v, o->layers.n,
			         o->layers.n > 0);
	}
	if (o->architectures.n > 0) {
		sf_strlist prior =
		        sf_has(m, SF_A_ARCHITECTURES) ? m->architectures : (sf_strlist){NULL, 0, 0};
		if (!lists_same(&prior, o->architectures))
			set_list(m, SF_A_ARCHITECTURES, &m->architectures, (const char **)o->architectures.v,
			         o->architectures.n, true);
	}
	if (o->package_type && !str_same(o->package_type, m->package_type))
		set_str(m, SF_A_PACKAGE_TYPE, &m->package_type, o->package_type);
	if (!str_same(o->kms_key_arn, sf_has(m, SF_A_KMS_KEY_ARN) ? m->kms_key_arn : NULL))
		set_str(m, SF_A_KMS_KEY_ARN, &m->kms_key_arn,
		        (o->kms_key_arn && *o->kms_key_arn) ? o->kms_key_arn : NULL);
	{
		const char *obs = o->tracing_mode,
		           *pri = sf_has(m, SF_A_TRACING_MODE) ? m->tracing_mode : NULL;
		if (!(pri == NULL && (obs == NULL || strcmp(obs, "PassThrough") == 0)) && !str_same(obs, pri))
			set_str(m, SF_A_TRACING_MODE, &m->tracing_mode, obs);
	}
	if (!str_same(o->dead_letter_target_arn,
	              sf_has(m, SF_A_DEAD_LETTER_TARGET_ARN) ? m->dead_letter_target_arn : NULL))
		set_str(m, SF_A_DEAD_LETTER_TARGET_ARN, &m->dead_letter_target_arn,
		        (o->dead_letter_target_arn && *o->dead_letter_target_arn) ? o->dead_letter_target_arn
		                                                                  : NULL);
	merge_function_rest(m, fn);
}

void sf__merge_observed(base_arena *a, sf_config *m, const recon_state *st, const char *region, prov_tags dt)
{
	recon_desired d;
	base_diags *scratch = base_diags_new(a);

	merge_function(a, m, st);
	if (sf__desired_build(a, m, region, dt, false, &d, scratch) == BASE_OK)
		(void)merge_egress(a, m, &d, st);

	/* computed ids and what they point at */
	{
		sf_strmap prior_tags_all = m->tags_all;
		bool had_tags_all = sf_has(m, SF_A_TAGS_ALL);
		sf__fill_computed(a, m, st, region, dt, false);
		/* tags_all = the tags the function really carries */
		{
			prov_tags none = {NULL, NULL, 0};
			sf_strmap obs = map_of_tags(a, st->fn.tags, true, none);
			if (had_tags_all && maps_same(&obs, &prior_tags_all))
				set_map(m, SF_A_TAGS_ALL, &m->tags_all, prior_tags_all, true);
			else
				set_map(m, SF_A_TAGS_ALL, &m->tags_all, obs, true);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Import                                                                   */

/* IPv4 CIDR -> sortable number (address * 64 + prefix); 0 when malformed. */
static uint64_t cidr_key(const char *c)
{
	unsigned b[4], p;
	if (!c || sscanf(c, "%u.%u.%u.%u/%u", &b[0], &b[1], &b[2], &b[3], &p) != 5)
		return 0;
	return ((((uint64_t)b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) << 6) | (p & 63);
}

/* Import: subnet_cidr_blocks + availability_zones: ours and the
 * function's, sorted by address. */
static void import_subnets(base_arena *a, sf_config *m, const recon_state *st)
{
	const recon_function *fn = &st->fn;
	size_t i, j, n;
	const recon_subnet **sv = base_arena_calloc(a, st->n_subnets + 1, sizeof *sv);
	const char **cidrs, **azs;
	for (i = n = 0; i < st->n_subnets; i++) {
		const recon_subnet *s = &st->subnets[i];
		bool used = fn->subnet_ids.n == 0;
		for (j = 0; j < fn->subnet_ids.n; j++)
			if (base_str_eq(fn->subnet_ids.v[j], s->id))
				used = true;
		if (s->id && s->cidr && (used || s->owned))
			sv[n++] = s;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && cidr_key(sv[j - 1]->cidr) > cidr_key(sv[j]->cidr); j--) {
			const recon_subnet *t = sv[j];
			sv[j] = sv[j - 1];
			sv[j - 1] = t;
		}
	cidrs = base_arena_calloc(a, n + 1, sizeof *cidrs);
	azs = base_arena_calloc(a, n + 1, sizeof *azs);
	for (i = 0; i < n; i++) {
		cidrs[i] = sv[i]->cidr;
		azs[i] = sv[i]->az ? sv[i]->az : "";
	}
	set_list(m, SF_A_SUBNET_CIDR_BLOCKS, &m->subnet_cidr_blocks, cidrs, n, true);
	set_list(m, SF_A_AVAILABILITY_ZONES, &m->availability_zones, azs, n, true);
}

/* Import: endpoint_services (short names, sorted), private DNS, reuse. */
static void import_endpoints(base_arena *a, sf_config *m, const recon_state *st, const char *region)
{
	size_t i, j, n;
	const char **sv = base_arena_calloc(a, st->n_endpoints + 1, sizeof *sv);
	bool any_if = false, any_dns = false;
	for (i = n = 0; i < st->n_endpoints; i++) {
		const recon_endpoint *e = &st->endpoints[i];
		const char *s;
		if (!e->id || e->gone || !e->service)
			continue;
		s = sf__service_short(a, region, e->service);
		for (j = n; j > 0 && strcmp(sv[j - 1], s) > 0; j--)
			sv[j] = sv[j - 1];
		sv[j] = s;
		n++;
		if (!e->gateway) {
			any_if = true;
			if (e->private_dns)
				any_dns = true;
		}
	}
	set_list(m, SF_A_ENDPOINT_SERVICES, &m->endpoint_services, sv, n, true);
	m->private_dns_enabled = any_if ? any_dns : true;
	m->present |= SF_BIT(SF_A_PRIVATE_DNS_ENABLED);
	m->reuse_existing_endpoints = true;
	m->present |= SF_BIT(SF_A_REUSE_EXISTING_ENDPOINTS);
}

/* Import: the function settings as AWS reports them (defaults filled). */
static void import_function(base_arena *a, sf_config *m, const recon_function *fn)
{
	const recon_function_spec *o = &fn->cfg;
	set_str(m, SF_A_RUNTIME, &m->runtime, o->runtime);
	set_str(m, SF_A_HANDLER, &m->handler, o->handler);
	set_str(m, SF_A_DESCRIPTION, &m->description,
	        (o->description && *o->description) ? o->description : NULL);
	set_int(m, SF_A_MEMORY_SIZE, &m->memory_size, o->memory_size > 0, o->memory_size);
	set_int(m, SF_A_TIMEOUT, &m->timeout, o->timeout > 0, o->timeout);
	set_int(m, SF_A_EPHEMERAL_STORAGE_SIZE, &m->ephemeral_storage_size, true,
	        o->ephemeral_storage > 0 ? o->ephemeral_storage : 512);
	{
		prov_tags none = {NULL, NULL, 0};
		sf_strmap env = map_of_tags(a, o->environment, false, none);
		set_map(m, SF_A_ENVIRONMENT, &m->environment, env, env.n > 0);
	}
	set_list(m, SF_A_LAYERS, &m->layers, (const char **)o->layers.v, o->layers.n, o->layers.n > 0);
	if (o->architectures.n)
		set_list(m, SF_A_ARCHITECTURES, &m->architectures, (const char **)o->architectures.v,
		         o->architectures.n, true);
	else {
		const char **x = base_arena_calloc(a, 1, sizeof *x);
		x[0] = "x86_64";
		set_list(m, SF_A_ARCHITECTURES, &m->architectures, x, 1, true);
	}
	set_str(m, SF_A_PACKAGE_TYPE, &m->package_type, o->package_type ? o->package_type : "Zip");
	m->publish = false;
	m->present |= SF_BIT(SF_A_PUBLISH);
	set_str(m, SF_A_KMS_KEY_ARN, &m->kms_key_arn,
	        (o->kms_key_arn && *o->kms_key_arn) ? o->kms_key_arn : NULL);
	set_str(m, SF_A_TRACING_MODE, &m->tracing_mode,
	        (o->tracing_mode && strcmp(o->tracing_mode, "PassThrough") != 0) ? o->tracing_mode : NULL);
	set_str(m, SF_A_DEAD_LETTER_TARGET_ARN, &m->dead_letter_target_arn,
	        (o->dead_letter_target_arn && *o->dead_letter_target_arn) ? o->dead_letter_target_arn : NULL);
	set_int(m, SF_A_RESERVED_CONCURRENT_EXECUTIONS, &m->reserved_concurrent_executions,
	        o->reserved_concurrency >= 0, o->reserved_concurrency);
	if (!is_default_logging(fn)) {
		sf_logging *l = &m->logging;
		memset(l, 0, sizeof *l);
		if (o->logging.log_format) {
			l->log_format = o->logging.log_format;
			l->present |= SF_BIT(SF_LOG_LOG_FORMAT);
		}
		if (o->logging.log_group) {
			l->log_group = o->logging.log_group;
			l->present |= SF_BIT(SF_LOG_LOG_GROUP);
		}
		if (o->logging.application_log_level) {
			l->application_log_level = o->logging.application_log_level;
			l->present |= SF_BIT(SF_LOG_APPLICATION_LOG_LEVEL);
		}
		if (o->logging.system_log_level) {
			l->system_log_level = o->logging.system_log_level;
			l->present |= SF_BIT(SF_LOG_SYSTEM_LOG_LEVEL);
		}
		m->present |= SF_BIT(SF_A_LOGGING);
	}
	if (base_str_eq(m->package_type, "Image"))
		set_str(m, SF_A_IMAGE_URI, &m->image_uri, o->image_uri);
	else
		set_str(m, SF_A_SOURCE_CODE_HASH, &m->source_code_hash, fn->code_sha256);
}

/* Import: policy_arns (without the VPC access policy), inline policy, boundary. */
static void import_role(base_arena *a, sf_config *m, const recon_state *st)
{
	size_t i, n;
	const char *vpc_pol = "AWSLambdaVPCAccessExecutionRole";
	const char **pv = base_arena_calloc(a, st->role.policy_arns.n + 1, sizeof *pv);
	for (i = n = 0; i < st->role.policy_arns.n; i++) {
		const char *p = st->role.policy_arns.v[i];
		if (p && base_str_has_suffix(p, vpc_pol) && strstr(p, ":iam::aws:policy/"))
			continue;
		pv[n++] = p;
	}
	set_list(m, SF_A_POLICY_ARNS, &m->policy_arns, pv, n, n > 0);
	set_str(m, SF_A_INLINE_POLICY, &m->inline_policy, st->role.inline_policy);
	set_str(m, SF_A_PERMISSIONS_BOUNDARY, &m->permissions_boundary, st->role.permissions_boundary);
}

void sf__model_from_observed(base_arena *a, sf_config *m, const recon_state *st, const char *region,
                             prov_tags dt)
{
	const recon_function *fn = &st->fn;

	memset(m, 0, sizeof *m);
	set_str(m, SF_A_FUNCTION_NAME, &m->function_name, st->function_name);
	set_str(m, SF_A_VPC_ID, &m->vpc_id, st->vpc_id);

	import_subnets(a, m, st);
	import_endpoints(a, m, st, region);
	import_function(a, m, fn);

	import_role(a, m, st);
	/* user tags: what the function carries minus ours and the defaults */
	{
		sf_strmap t = map_of_tags(a, fn->tags, true, dt);
		set_map(m, SF_A_TAGS, &m->tags, t, t.n > 0);
	}
	/* egress rules beyond the managed ones */
	{
		recon_desired d;
		base_diags *scratch = base_diags_new(a);
		if (sf__desired_build(a, m, region, dt, false, &d, scratch) == BASE_OK)
			(void)merge_egress(a, m, &d, st);
	}
	sf__fill_computed(a, m, st, region, dt, false);
	{
		prov_tags none = {NULL, NULL, 0};
		set_map(m, SF_A_TAGS_ALL, &m->tags_all, map_of_tags(a, fn->tags, true, none), true);
	}
}
