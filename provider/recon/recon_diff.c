/* recon_diff.c - desired vs observed -> plan (pure). */
#include "recon/recon_diff.h"

#include <string.h>

#include "base/base_str.h"
#include "recon/recon_int.h"

/* ======================================================================== */
/* small helpers                                                            */

/* recon_step_kind_name: the step table in recon_steps.c. */

const char *recon_sg_which_name(recon_sg_which w)
{
	return w == RECON_SG_ENDPOINT ? "endpoint" : "lambda";
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

char *recon_sg_name(base_arena *a, const char *function_name, recon_sg_which w)
{
	return base_arena_sprintf(a, RECON_SG_NAME_PREFIX "%s-%s", nz(function_name), recon_sg_which_name(w));
}

char *recon_shared_sg_name(base_arena *a, const char *vpc_id, bool clients)
{
	return base_arena_sprintf(a, RECON_SG_NAME_PREFIX "%s-%s", clients ? "clients" : "endpoints",
	                          nz(vpc_id));
}

bool recon_wants_shared(const recon_desired *d)
{
	size_t i;
	for (i = 0; i < d->n_endpoints; i++)
		if (!d->endpoints[i].gateway)
			return true;
	return false;
}

static bool tag_ignored(const char *key)
{
	return base_str_has_prefix(key, "aws:") || base_str_has_prefix(key, RECON_USER_TAG_PREFIX);
}

/* Value of key in tags, NULL when absent (own copy of the lookup keeps the
 * differ free of aws_* objects). */
static const char *tag_get(aws_tags tags, const char *key)
{
	size_t i;
	for (i = 0; i < tags.n; i++)
		if (base_str_eq(tags.v[i].key, key))
			return tags.v[i].value ? tags.v[i].value : "";
	return NULL;
}

bool recon_tags_differ(aws_tags expected, aws_tags observed)
{
	size_t i;
	for (i = 0; i < expected.n; i++) {
		const char *v = tag_get(observed, expected.v[i].key);
		if (!v || !recon__str_same(v, expected.v[i].value))
			return true;
	}
	for (i = 0; i < observed.n; i++)
		if (!tag_ignored(observed.v[i].key) && !tag_get(expected, observed.v[i].key))
			return true;
	return false;
}

bool recon_version_published(const char *v)
{
	return v && v[0] && strcmp(v, "$LATEST") != 0;
}

aws_tags recon_owned_tags(base_arena *a, const recon_desired *d)
{
	aws_tag *v = base_arena_calloc(a, d->tags.n + 1, sizeof *v);
	size_t i, n = 0;
	for (i = 0; i < d->tags.n; i++)
		if (!base_str_eq(d->tags.v[i].key, RECON_OWNER_TAG))
			v[n++] = d->tags.v[i];
	v[n].key = RECON_OWNER_TAG;
	v[n].value = d->function_name;
	n++;
	return (aws_tags){v, n};
}

const recon_subnet *recon_state_subnet(const recon_state *s, const char *cidr)
{
	size_t i;
	for (i = 0; i < s->n_subnets; i++)
		if (s->subnets[i].id && base_str_eq(s->subnets[i].cidr, cidr))
			return &s->subnets[i];
	return NULL;
}

const recon_endpoint *recon_state_endpoint(const recon_state *s, const char *service)
{
	size_t i;
	for (i = 0; i < s->n_endpoints; i++)
		if (s->endpoints[i].id && !s->endpoints[i].gone &&
		    base_str_eq(s->endpoints[i].service, service))
			return &s->endpoints[i];
	return NULL;
}

void recon_desired_init(recon_desired *d)
{
	memset(d, 0, sizeof *d);
	d->private_dns_enabled = true;
	d->reuse_existing_endpoints = true;
	d->fn.reserved_concurrency = -1;
}

int recon_endpoint_service(base_arena *a, const char *region, const char *name, recon_endpoint_spec *out)
{
	const char *p, *last;
	memset(out, 0, sizeof *out);
	if (!name || !*name)
		return BASE_EINVALID;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			return BASE_EINVALID;
	if (base_str_has_prefix(name, "com.amazonaws.")) {
		out->service = base_arena_strdup(a, name);
	} else {
		if (!region || !*region || strchr(name, '.'))
			return BASE_EINVALID;
		out->service = base_arena_sprintf(a, "com.amazonaws.%s.%s", region, name);
	}
	last = strrchr(out->service, '.');
	last = last ? last + 1 : out->service;
	out->gateway = strcmp(last, "s3") == 0 || strcmp(last, "dynamodb") == 0;
	return BASE_OK;
}

/* ======================================================================== */
/* plan building                                                            */

/* Appends a step; deps is a RECON_NONE-terminated list (RECON_NONE entries skipped). */
size_t recon__pb_add(struct recon__pb *b, recon_step_kind k, const char *key, const size_t *deps,
                     size_t n_deps)
{
	recon_plan *p = b->p;
	recon_step *st;
	size_t *dv, i, n = 0, j;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		p->v = base_arena_realloc(b->a, p->v, p->cap * sizeof *p->v, nc * sizeof *p->v);
		p->cap = nc;
	}
	dv = base_arena_calloc(b->a, n_deps + 1, sizeof *dv);
	for (i = 0; i < n_deps; i++) {
		bool dup = false;
		if (deps[i] == RECON_NONE)
			continue;
		for (j = 0; j < n; j++)
			if (dv[j] == deps[i])
				dup = true;
		if (!dup)
			dv[n++] = deps[i];
	}
	/* Keep deps sorted for a stable text form. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && dv[j - 1] > dv[j]; j--) {
			size_t t = dv[j];
			dv[j] = dv[j - 1];
			dv[j - 1] = t;
		}
	st = &p->v[p->n];
	memset(st, 0, sizeof *st);
	st->kind = k;
	st->key = key;
	st->deps = dv;
	st->n_deps = n;
	return p->n++;
}

void recon__idxv_push(struct recon__idxv *x, size_t i)
{
	if (i == RECON_NONE)
		return;
	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 8;
		x->v = base_arena_realloc(x->a, x->v, x->cap * sizeof *x->v, nc * sizeof *x->v);
		x->cap = nc;
	}
	x->v[x->n++] = i;
}

/* deps = x ∪ extra (extra RECON_NONE-padded). */
size_t recon__pb_add_v(struct recon__pb *b, recon_step_kind k, const char *key, const struct recon__idxv *x,
                       size_t e1, size_t e2, size_t e3)
{
	size_t *all = base_arena_calloc(b->a, x->n + 3, sizeof *all);
	size_t n = 0, i;
	for (i = 0; i < x->n; i++)
		all[n++] = x->v[i];
	all[n++] = e1;
	all[n++] = e2;
	all[n++] = e3;
	return recon__pb_add(b, k, key, all, n);
}

size_t recon__pb_add3(struct recon__pb *b, recon_step_kind k, const char *key, size_t d1, size_t d2,
                      size_t d3)
{
	size_t deps[3] = {d1, d2, d3};
	return recon__pb_add(b, k, key, deps, 3);
}

void recon__pb_set_rule(struct recon__pb *b, size_t idx, recon_sg_which w, const recon_rule *r)
{
	b->p->v[idx].sg = w;
	b->p->v[idx].rule = *r;
}

int recon_diff_apply(base_arena *a, const recon_desired *d, const recon_state *s, recon_plan *out)
{
	struct recon__dctx c;
	memset(out, 0, sizeof *out);
	if (!d->function_name || !*d->function_name || !d->vpc_id || !*d->vpc_id)
		return BASE_EINVALID;
	memset(&c, 0, sizeof c);
	c.b = (struct recon__pb){a, out};
	c.a = a;
	c.d = d;
	c.s = s;
	c.want_tags = recon_owned_tags(a, d);
	c.role_ready.a = c.subnet_creates.a = c.assocs.a = c.net_users.a = c.ep_creates.a = a;
	c.role_c = c.rt_c = c.sg_c[0] = c.sg_c[1] = RECON_NONE;
	/* The order of the parts is the order of the plan's steps. */
	recon__diff_role(&c);
	recon__diff_network(&c);
	recon__diff_sgs(&c);
	recon__diff_endpoints(&c);
	recon__diff_function(&c);
	recon__diff_old_subnets(&c);
	return BASE_OK;
}

/*
 * Destroy order: function; endpoint releases / deletes (unregister, delete
 * when the last user); the Lambda ENI wait; our own SG, then the VPC's
 * shared SGs (deleted only when no lambda SG is left in the VPC; planned
 * whenever they exist); subnets (a shared endpoint found in one when AWS
 * refuses its delete is moved off first: recon__shared_evacuate); route
 * table; role (after the shared SGs).
 */
int recon_diff_destroy(base_arena *a, const recon_state *s, recon_plan *out)
{
	struct recon__pb b = {a, out};
	struct recon__idxv ep = {a, 0, 0, 0}, before_net = {a, 0, 0, 0}, subnet_dels = {a, 0, 0, 0};
	size_t fn_d = RECON_NONE, eni = RECON_NONE, sg_l = RECON_NONE, sg_e = RECON_NONE, i;
	bool any_subnet = false;

	memset(out, 0, sizeof *out);
	if (s->fn.name && s->fn.owned)
		fn_d = recon__pb_add3(&b, RECON_STEP_FN_DELETE, s->fn.name, RECON_NONE, RECON_NONE,
		                      RECON_NONE);
	for (i = 0; i < s->n_endpoints; i++) {
		const recon_endpoint *e = &s->endpoints[i];
		if (!e->id || e->gone)
			continue;
		recon__idxv_push(&ep,
		                 recon__pb_add3(&b, e->owned ? RECON_STEP_EP_DELETE : RECON_STEP_EP_RELEASE,
		                                e->service, fn_d, RECON_NONE, RECON_NONE));
	}
	for (i = 0; i < s->n_subnets; i++)
		if (s->subnets[i].id && s->subnets[i].owned)
			any_subnet = true;
	for (i = 0; i < ep.n; i++)
		recon__idxv_push(&before_net, ep.v[i]);
	recon__idxv_push(&before_net, fn_d);
	if (any_subnet || s->sgs[RECON_SG_LAMBDA].id)
		eni = recon__pb_add_v(&b, RECON_STEP_ENI_WAIT, "all", &before_net, RECON_NONE, RECON_NONE,
		                      RECON_NONE);
	recon__idxv_push(&before_net, eni);
	/* Our SG, then the VPC's shared SGs (deleted when no lambda SG is left,
	 * so functions destroyed together leave it to the last one). Planned
	 * whenever a shared SG exists in the VPC; the role goes after them, so
	 * a destroy interrupted before they go still has a part in the state
	 * and the next destroy finishes them. */
	if (s->sgs[RECON_SG_LAMBDA].id && s->sgs[RECON_SG_LAMBDA].owned)
		sg_l = recon__pb_add_v(&b, RECON_STEP_SG_DELETE, recon_sg_which_name(RECON_SG_LAMBDA),
		                       &before_net, RECON_NONE, RECON_NONE, RECON_NONE);
	if (s->sgs[RECON_SG_ENDPOINT].id || s->shared_sgs_in_vpc || sg_l != RECON_NONE)
		sg_e = recon__pb_add_v(&b, RECON_STEP_SG_DELETE, recon_sg_which_name(RECON_SG_ENDPOINT),
		                       &before_net, sg_l, RECON_NONE, RECON_NONE);
	for (i = 0; i < s->n_subnets; i++)
		if (s->subnets[i].id && s->subnets[i].owned)
			recon__idxv_push(&subnet_dels,
			                 recon__pb_add_v(&b, RECON_STEP_SUBNET_DELETE, s->subnets[i].cidr,
			                                 &before_net, RECON_NONE, RECON_NONE, RECON_NONE));
	if (s->rt.id && s->rt.owned) {
		for (i = 0; i < subnet_dels.n; i++)
			recon__idxv_push(&before_net, subnet_dels.v[i]);
		recon__pb_add_v(&b, RECON_STEP_RT_DELETE, "private", &before_net, RECON_NONE, RECON_NONE,
		                RECON_NONE);
	}
	if (s->role.name && s->role.owned)
		recon__pb_add3(&b, RECON_STEP_ROLE_DELETE, s->role.name, fn_d, eni, sg_e);
	return BASE_OK;
}

/* ======================================================================== */
/* text form                                                                */

static int format_rule(base_buf *out, const recon_rule *r)
{
	static const char *const kinds[] = {"?", "cidr", "sg", "pl"};
	const char *k = ((unsigned)r->peer_kind < 4) ? kinds[r->peer_kind] : "?";
	if (strcmp(nz(r->protocol), "-1") == 0)
		return base_buf_printf(out, " %s -1 all %s:%s", r->egress ? "egress" : "ingress", k,
		                       nz(r->peer));
	return base_buf_printf(out, " %s %s %d-%d %s:%s", r->egress ? "egress" : "ingress", nz(r->protocol),
	                       r->from_port, r->to_port, k, nz(r->peer));
}

int recon_plan_format(const recon_plan *p, base_buf *out)
{
	size_t i, j;
	int rc = BASE_OK;
	for (i = 0; i < p->n && rc == BASE_OK; i++) {
		const recon_step *st = &p->v[i];
		rc = base_buf_printf(out, "%zu %s %s", i, recon_step_kind_name(st->kind), nz(st->key));
		if (rc == BASE_OK &&
		    (st->kind == RECON_STEP_SG_AUTHORIZE || st->kind == RECON_STEP_SG_REVOKE))
			rc = format_rule(out, &st->rule);
		for (j = 0; rc == BASE_OK && j < st->n_deps; j++)
			rc = base_buf_printf(out, "%s%zu", j ? "," : " after ", st->deps[j]);
		if (rc == BASE_OK)
			rc = base_buf_putc(out, '\n');
	}
	return rc;
}
