/* recon_util.c - copies and small predicates shared inside recon (recon_int.h). */
#include "recon/recon_int.h"

#include <string.h>
#include <strings.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"

const char *recon__cp(base_arena *a, const char *s)
{
	return s ? base_arena_strdup(a, s) : NULL;
}

aws_strs recon__cp_strs(base_arena *a, aws_strs s)
{
	const char **v;
	size_t i;
	if (s.n == 0)
		return (aws_strs){NULL, 0};
	v = base_arena_calloc(a, s.n, sizeof *v);
	for (i = 0; i < s.n; i++)
		v[i] = recon__cp(a, s.v[i]);
	return (aws_strs){v, s.n};
}

aws_tags recon__cp_tags(base_arena *a, aws_tags t)
{
	aws_tag *v;
	size_t i;
	if (t.n == 0)
		return (aws_tags){NULL, 0};
	v = base_arena_calloc(a, t.n, sizeof *v);
	for (i = 0; i < t.n; i++) {
		v[i].key = recon__cp(a, t.v[i].key);
		v[i].value = recon__cp(a, t.v[i].value);
	}
	return (aws_tags){v, t.n};
}

const char *recon__tag(aws_tags t, const char *key)
{
	size_t i;
	for (i = 0; i < t.n; i++)
		if (base_str_eq(t.v[i].key, key))
			return t.v[i].value ? t.v[i].value : "";
	return NULL;
}

bool recon__owned_by(aws_tags t, const char *function_name)
{
	const char *v = recon__tag(t, RECON_OWNER_TAG);
	return v && function_name && strcmp(v, function_name) == 0;
}

recon_rule recon__rule_from_aws(base_arena *a, const aws_ec2_sg_rule *r)
{
	recon_rule o;
	memset(&o, 0, sizeof o);
	o.egress = r->is_egress;
	o.protocol = recon__cp(a, r->ip_protocol ? r->ip_protocol : "-1");
	o.from_port = r->from_port;
	o.to_port = r->to_port;
	if (r->referenced_group_id) {
		o.peer_kind = RECON_PEER_SG;
		o.peer = recon__cp(a, r->referenced_group_id);
	} else if (r->prefix_list_id) {
		o.peer_kind = RECON_PEER_PREFIX_LIST;
		o.peer = recon__cp(a, r->prefix_list_id);
	} else {
		o.peer_kind = RECON_PEER_CIDR;
		o.peer = recon__cp(a, r->cidr_ipv4 ? r->cidr_ipv4 : r->cidr_ipv6);
	}
	o.description = recon__cp(a, r->description);
	o.rule_id = recon__cp(a, r->rule_id);
	o.owner = recon__cp(a, recon__tag(r->tags, RECON_OWNER_TAG));
	return o;
}

bool recon__endpoint_state_gone(const char *state)
{
	static const char *const gone[] = {"deleted", "deleting", "failed", "rejected", "expired"};
	size_t i;
	if (!state)
		return false;
	for (i = 0; i < sizeof gone / sizeof gone[0]; i++)
		if (strcasecmp(state, gone[i]) == 0)
			return true;
	return false;
}

bool recon__is_lambda_eni(const aws_ec2_eni *e)
{
	return base_str_eq(e->interface_type, "lambda") ||
	       base_str_has_prefix(e->description ? e->description : "", "AWS Lambda VPC ENI");
}

aws_strs recon__strs_without(base_arena *a, aws_strs s, const char *id, aws_strs *parallel)
{
	const char **v = base_arena_calloc(a, s.n + 1, sizeof *v);
	const char **pv = parallel ? base_arena_calloc(a, s.n + 1, sizeof *pv) : NULL;
	size_t i, n = 0;
	for (i = 0; i < s.n; i++) {
		if (base_str_eq(s.v[i], id))
			continue;
		if (pv)
			pv[n] = parallel->v[i];
		v[n++] = s.v[i];
	}
	if (parallel)
		*parallel = (aws_strs){pv, n};
	return (aws_strs){v, n};
}

aws_strs recon__strs_with(base_arena *a, aws_strs s, const char *id)
{
	const char **v = base_arena_calloc(a, s.n + 1, sizeof *v);
	if (s.n)
		memcpy(v, s.v, s.n * sizeof *v);
	v[s.n] = recon__cp(a, id);
	return (aws_strs){v, s.n + 1};
}

aws_strs recon__strs_minus(base_arena *a, aws_strs x, aws_strs y)
{
	const char **v = base_arena_calloc(a, x.n + 1, sizeof *v);
	size_t i, j, n = 0;
	for (i = 0; i < x.n; i++) {
		bool in = false;
		for (j = 0; j < y.n; j++)
			if (base_str_eq(x.v[i], y.v[j]))
				in = true;
		if (!in)
			v[n++] = x.v[i];
	}
	return (aws_strs){v, n};
}

const char *recon__nz(const char *s)
{
	return s ? s : "";
}

/* NULL and "" are the same "unset" value. */
bool recon__str_same(const char *x, const char *y)
{
	return strcmp(recon__nz(x), recon__nz(y)) == 0;
}

bool recon__strs_has(aws_strs s, const char *v)
{
	size_t i;
	for (i = 0; i < s.n; i++)
		if (recon__str_same(s.v[i], v))
			return true;
	return false;
}

/* Same members, order and duplicates ignored. */
bool recon__strs_same_set(aws_strs x, aws_strs y)
{
	size_t i;
	for (i = 0; i < x.n; i++)
		if (!recon__strs_has(y, x.v[i]))
			return false;
	for (i = 0; i < y.n; i++)
		if (!recon__strs_has(x, y.v[i]))
			return false;
	return true;
}

bool recon__strs_same_list(aws_strs x, aws_strs y)
{
	size_t i;
	if (x.n != y.n)
		return false;
	for (i = 0; i < x.n; i++)
		if (!recon__str_same(x.v[i], y.v[i]))
			return false;
	return true;
}

/* Same map of environment variables. */
bool recon__tags_same(aws_tags x, aws_tags y)
{
	return !recon_tags_differ(x, y) && !recon_tags_differ(y, x);
}

aws_filter recon__flt(const char *name, const char *const *vals, size_t n)
{
	aws_filter f;
	f.name = name;
	f.values = (aws_strs){vals, n};
	return f;
}
