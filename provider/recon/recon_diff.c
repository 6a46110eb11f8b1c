/* recon_diff.c - desired vs observed -> plan (pure). */
#include "recon/recon_diff.h"

#include <ctype.h>
#include <string.h>

#include "base/base_str.h"

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

/* NULL and "" are the same "unset" value. */
static bool str_same(const char *x, const char *y)
{
	return strcmp(nz(x), nz(y)) == 0;
}

char *recon_role_name(base_arena *a, const char *function_name)
{
	char *s = base_arena_sprintf(a, "lambdavpc-%s", nz(function_name));
	if (strlen(s) > 64)
		s[64] = '\0'; /* IAM role names are at most 64 characters */
	return s;
}

char *recon_sg_name(base_arena *a, const char *function_name, recon_sg_which w)
{
	return base_arena_sprintf(a, "lambdavpc-%s-%s", nz(function_name), recon_sg_which_name(w));
}

static bool strs_has(aws_strs s, const char *v)
{
	size_t i;
	for (i = 0; i < s.n; i++)
		if (str_same(s.v[i], v))
			return true;
	return false;
}

/* Same members, order and duplicates ignored. */
static bool strs_same_set(aws_strs x, aws_strs y)
{
	size_t i;
	for (i = 0; i < x.n; i++)
		if (!strs_has(y, x.v[i]))
			return false;
	for (i = 0; i < y.n; i++)
		if (!strs_has(x, y.v[i]))
			return false;
	return true;
}

static bool strs_same_list(aws_strs x, aws_strs y)
{
	size_t i;
	if (x.n != y.n)
		return false;
	for (i = 0; i < x.n; i++)
		if (!str_same(x.v[i], y.v[i]))
			return false;
	return true;
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
		if (!v || !str_same(v, expected.v[i].value))
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

/* Same map of environment variables. */
static bool tags_same(aws_tags x, aws_tags y)
{
	return !recon_tags_differ(x, y) && !recon_tags_differ(y, x);
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
/* rules                                                                    */

const char *recon_protocol_norm(base_arena *a, const char *p)
{
	char *s;
	size_t i;
	if (!p || !*p || strcmp(p, "-1") == 0 || strcmp(p, "all") == 0 || strcmp(p, "ALL") == 0)
		return "-1";
	if (strcmp(p, "6") == 0)
		return "tcp";
	if (strcmp(p, "17") == 0)
		return "udp";
	if (strcmp(p, "1") == 0)
		return "icmp";
	s = base_arena_strdup(a, p);
	for (i = 0; s[i]; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	return s;
}

bool recon_rule_same(const recon_rule *x, const recon_rule *y)
{
	if (x->egress != y->egress || x->peer_kind != y->peer_kind)
		return false;
	if (!str_same(x->protocol, y->protocol) || !str_same(x->peer, y->peer))
		return false;
	if (strcmp(nz(x->protocol), "-1") != 0 && (x->from_port != y->from_port || x->to_port != y->to_port))
		return false;
	return true;
}

recon_rule recon_rule_symbolic(base_arena *a, const recon_state *s, const recon_rule *r)
{
	recon_rule o = *r;
	size_t i;
	o.protocol = recon_protocol_norm(a, r->protocol);
	if (r->peer_kind == RECON_PEER_SG && r->peer) {
		if (s->sgs[RECON_SG_LAMBDA].id && strcmp(r->peer, s->sgs[RECON_SG_LAMBDA].id) == 0)
			o.peer = "@lambda";
		else if (s->sgs[RECON_SG_ENDPOINT].id && strcmp(r->peer, s->sgs[RECON_SG_ENDPOINT].id) == 0)
			o.peer = "@endpoint";
	} else if (r->peer_kind == RECON_PEER_PREFIX_LIST && r->peer) {
		for (i = 0; i < s->n_prefix_lists; i++)
			if (base_str_eq(s->prefix_lists[i].id, r->peer)) {
				o.peer = base_arena_sprintf(a, "@pl:%s", s->prefix_lists[i].service);
				break;
			}
	}
	return o;
}

struct rulev {
	base_arena *a;
	recon_rule *v;
	size_t n, cap;
};

static void rulev_push(struct rulev *rv, const recon_rule *r)
{
	size_t i;
	for (i = 0; i < rv->n; i++)
		if (recon_rule_same(&rv->v[i], r))
			return; /* atoms are a set */
	if (rv->n == rv->cap) {
		size_t nc = rv->cap ? rv->cap * 2 : 8;
		rv->v = base_arena_realloc(rv->a, rv->v, rv->cap * sizeof *rv->v, nc * sizeof *rv->v);
		rv->cap = nc;
	}
	rv->v[rv->n++] = *r;
}

static void push_atom(struct rulev *rv, bool egress, const char *proto, int from, int to, recon_peer_kind k,
                      const char *peer, const char *desc)
{
	recon_rule r = {0};
	r.egress = egress;
	r.protocol = proto;
	r.from_port = from;
	r.to_port = to;
	r.peer_kind = k;
	r.peer = peer;
	r.description = desc;
	rulev_push(rv, &r);
}

/* True when some desired interface endpoint will be served by an endpoint of ours. */
static bool wants_own_interface_endpoint(const recon_desired *d, const recon_state *s)
{
	size_t i;
	for (i = 0; i < d->n_endpoints; i++) {
		const recon_endpoint *e;
		if (d->endpoints[i].gateway)
			continue;
		e = recon_state_endpoint(s, d->endpoints[i].service);
		if (!e || e->owned)
			return true;
	}
	return false;
}

void recon_desired_rules(base_arena *a, const recon_desired *d, const recon_state *s, recon_sg_which which,
                         recon_rule **rules_out, size_t *n_out)
{
	struct rulev rv = {a, NULL, 0, 0};
	size_t i, j;

	if (which == RECON_SG_ENDPOINT) {
		push_atom(&rv, false, "tcp", 443, 443, RECON_PEER_SG, "@lambda",
		          "lambdavpc: HTTPS from the function");
		goto done;
	}
	if (wants_own_interface_endpoint(d, s))
		push_atom(&rv, true, "tcp", 443, 443, RECON_PEER_SG, "@endpoint",
		          "lambdavpc: HTTPS to VPC endpoints");
	for (i = 0; i < d->n_endpoints; i++) {
		const recon_endpoint_spec *es = &d->endpoints[i];
		const recon_endpoint *e = recon_state_endpoint(s, es->service);
		if (es->gateway) {
			push_atom(&rv, true, "tcp", 443, 443, RECON_PEER_PREFIX_LIST,
			          base_arena_sprintf(a, "@pl:%s", es->service),
			          "lambdavpc: HTTPS to gateway endpoint");
		} else if (e && !e->owned) {
			for (j = 0; j < e->sg_ids.n; j++)
				push_atom(&rv, true, "tcp", 443, 443, RECON_PEER_SG, e->sg_ids.v[j],
				          "lambdavpc: HTTPS to reused endpoint");
		}
	}
	for (i = 0; i < d->n_egress_rules; i++) {
		const recon_egress_rule *u = &d->egress_rules[i];
		const char *proto = recon_protocol_norm(a, u->protocol);
		int from = u->from_port, to = u->to_port;
		if (strcmp(proto, "-1") == 0)
			from = to = -1;
		for (j = 0; j < u->cidr_blocks.n; j++)
			push_atom(&rv, true, proto, from, to, RECON_PEER_CIDR, u->cidr_blocks.v[j],
			          u->description);
		for (j = 0; j < u->security_group_ids.n; j++)
			push_atom(&rv, true, proto, from, to, RECON_PEER_SG, u->security_group_ids.v[j],
			          u->description);
		for (j = 0; j < u->prefix_list_ids.n; j++)
			push_atom(&rv, true, proto, from, to, RECON_PEER_PREFIX_LIST, u->prefix_list_ids.v[j],
			          u->description);
	}
done:
	*rules_out = rv.v;
	*n_out = rv.n;
}

/* ======================================================================== */
/* plan building                                                            */

#define NONE ((size_t)-1)

struct pb {
	base_arena *a;
	recon_plan *p;
};

/* Appends a step; deps is a NONE-terminated list (NONE entries skipped). */
static size_t pb_add(struct pb *b, recon_step_kind k, const char *key, const size_t *deps, size_t n_deps)
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
		if (deps[i] == NONE)
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

/* A growable list of step indices. */
struct idxv {
	base_arena *a;
	size_t *v;
	size_t n, cap;
};

static void idxv_push(struct idxv *x, size_t i)
{
	if (i == NONE)
		return;
	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 8;
		x->v = base_arena_realloc(x->a, x->v, x->cap * sizeof *x->v, nc * sizeof *x->v);
		x->cap = nc;
	}
	x->v[x->n++] = i;
}

/* deps = x ∪ extra (extra NONE-padded). */
static size_t pb_add_v(struct pb *b, recon_step_kind k, const char *key, const struct idxv *x, size_t e1,
                       size_t e2, size_t e3)
{
	size_t *all = base_arena_calloc(b->a, x->n + 3, sizeof *all);
	size_t n = 0, i;
	for (i = 0; i < x->n; i++)
		all[n++] = x->v[i];
	all[n++] = e1;
	all[n++] = e2;
	all[n++] = e3;
	return pb_add(b, k, key, all, n);
}

static size_t pb_add3(struct pb *b, recon_step_kind k, const char *key, size_t d1, size_t d2, size_t d3)
{
	size_t deps[3] = {d1, d2, d3};
	return pb_add(b, k, key, deps, 3);
}

static void set_rule(struct pb *b, size_t idx, recon_sg_which w, const recon_rule *r)
{
	b->p->v[idx].sg = w;
	b->p->v[idx].rule = *r;
}

/* Is the inline policy semantically the same? Compare with whitespace removed
 * outside strings (IAM may reformat documents). */
static bool json_same(base_arena *a, const char *x, const char *y)
{
	const char *in[2] = {x, y};
	char *out[2];
	int k;
	if (!x || !y)
		return !x && !y;
	for (k = 0; k < 2; k++) {
		size_t len = strlen(in[k]), i, n = 0;
		bool instr = false, esc = false;
		out[k] = base_arena_alloc(a, len + 1);
		for (i = 0; i < len; i++) {
			char ch = in[k][i];
			if (instr) {
				if (esc)
					esc = false;
				else if (ch == '\\')
					esc = true;
				else if (ch == '"')
					instr = false;
			} else if (ch == '"') {
				instr = true;
			} else if (isspace((unsigned char)ch)) {
				continue;
			}
			out[k][n++] = ch;
		}
		out[k][n] = '\0';
	}
	return strcmp(out[0], out[1]) == 0;
}

/* Does the observed function configuration differ from the desired one
 * (fields the user set; see recon_function_spec)? */
static bool fn_config_differs(const recon_function_spec *d, const recon_function_spec *o)
{
	if (d->runtime && !str_same(d->runtime, o->runtime))
		return true;
	if (d->handler && !str_same(d->handler, o->handler))
		return true;
	if (!str_same(d->description, o->description))
		return true;
	if (d->memory_size > 0 && d->memory_size != o->memory_size)
		return true;
	if (d->timeout > 0 && d->timeout != o->timeout)
		return true;
	if (!tags_same(d->environment, o->environment))
		return true;
	if (!strs_same_list(d->layers, o->layers))
		return true;
	if (!str_same(d->kms_key_arn, o->kms_key_arn))
		return true;
	if (d->tracing_mode && !str_same(d->tracing_mode, o->tracing_mode ? o->tracing_mode : "PassThrough"))
		return true;
	if (!str_same(d->dead_letter_target_arn, o->dead_letter_target_arn))
		return true;
	if (d->ephemeral_storage > 0 && d->ephemeral_storage != o->ephemeral_storage)
		return true;
	if (d->logging.log_format && !str_same(d->logging.log_format, o->logging.log_format))
		return true;
	if (d->logging.log_group && !str_same(d->logging.log_group, o->logging.log_group))
		return true;
	if (d->logging.application_log_level &&
	    !str_same(d->logging.application_log_level, o->logging.application_log_level))
		return true;
	if (d->logging.system_log_level &&
	    !str_same(d->logging.system_log_level, o->logging.system_log_level))
		return true;
	return false;
}

static bool fn_code_differs(const recon_function_spec *d, const recon_function *o)
{
	if (d->source_code_hash && !str_same(d->source_code_hash, o->code_sha256))
		return true;
	if (d->image_uri && !str_same(d->image_uri, o->cfg.image_uri))
		return true;
	if (d->architectures.n > 0) {
		aws_strs obs = o->cfg.architectures;
		static const char *const x86[] = {"x86_64"};
		if (obs.n == 0)
			obs = (aws_strs){x86, 1};
		if (!strs_same_set(d->architectures, obs))
			return true;
	}
	return false;
}

/* The AZ of a subnet id among the state's subnets (NULL when unknown). */
static const char *subnet_az(const recon_state *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->n_subnets; i++)
		if (base_str_eq(s->subnets[i].id, id))
			return s->subnets[i].az;
	return NULL;
}

/* An owned interface endpoint is in sync when all its subnets are desired
 * ones, it covers every AZ of the desired subnets, and its only SG is ours. */
static bool interface_endpoint_in_sync(const recon_desired *d, const recon_state *s, const recon_endpoint *e)
{
	size_t i, j;
	for (i = 0; i < e->subnet_ids.n; i++) {
		bool desired = false;
		for (j = 0; j < d->subnet_cidrs.n; j++) {
			const recon_subnet *sn = recon_state_subnet(s, d->subnet_cidrs.v[j]);
			if (sn && base_str_eq(sn->id, e->subnet_ids.v[i]))
				desired = true;
		}
		if (!desired)
			return false;
	}
	for (j = 0; j < d->subnet_cidrs.n; j++) {
		const recon_subnet *sn = recon_state_subnet(s, d->subnet_cidrs.v[j]);
		bool covered = false;
		if (!sn)
			return false;
		for (i = 0; i < e->subnet_ids.n; i++)
			if (str_same(subnet_az(s, e->subnet_ids.v[i]), sn->az))
				covered = true;
		if (!covered)
			return false;
	}
	if (e->sg_ids.n != 1 || !s->sgs[RECON_SG_ENDPOINT].id ||
	    !base_str_eq(e->sg_ids.v[0], s->sgs[RECON_SG_ENDPOINT].id))
		return false;
	if (e->private_dns != d->private_dns_enabled)
		return false;
	return true;
}

static bool endpoint_desired(const recon_desired *d, const char *service)
{
	size_t i;
	for (i = 0; i < d->n_endpoints; i++)
		if (base_str_eq(d->endpoints[i].service, service))
			return true;
	return false;
}

static bool cidr_desired(const recon_desired *d, const char *cidr)
{
	return strs_has(d->subnet_cidrs, cidr);
}

int recon_diff_apply(base_arena *a, const recon_desired *d, const recon_state *s, recon_plan *out)
{
	struct pb b = {a, out};
	struct idxv role_ready = {a, 0, 0, 0}, subnet_creates = {a, 0, 0, 0}, assocs = {a, 0, 0, 0};
	struct idxv net_users = {a, 0, 0, 0}, ep_creates = {a, 0, 0, 0};
	recon_rule to_endpoint;
	bool has_to_endpoint = false;
	size_t role_c = NONE, rt_c = NONE, sg_c[2] = {NONE, NONE}, fn_c = NONE, last_fn = NONE;
	size_t i, j;
	const char *role_name;
	aws_tags want_tags;
	bool role_exists = s->role.name != NULL;
	int w;

	memset(out, 0, sizeof *out);
	if (!d->function_name || !*d->function_name || !d->vpc_id || !*d->vpc_id)
		return BASE_EINVALID;
	want_tags = recon_owned_tags(a, d);
	role_name = d->role_name ? d->role_name : recon_role_name(a, d->function_name);

	/* ---- role ---- */
	if (!role_exists) {
		role_c = pb_add3(&b, RECON_STEP_ROLE_CREATE, role_name, NONE, NONE, NONE);
		idxv_push(&role_ready, role_c);
	}
	{
		const char *vpc_arn = d->vpc_policy_arn ? d->vpc_policy_arn : RECON_VPC_POLICY_ARN;
		aws_strs obs = role_exists ? s->role.policy_arns : (aws_strs){NULL, 0};
		if (!strs_has(obs, vpc_arn))
			idxv_push(&role_ready,
			          pb_add3(&b, RECON_STEP_ROLE_ATTACH, vpc_arn, role_c, NONE, NONE));
		for (i = 0; i < d->policy_arns.n; i++)
			if (!strs_has(obs, d->policy_arns.v[i]) && !base_str_eq(d->policy_arns.v[i], vpc_arn))
				idxv_push(&role_ready, pb_add3(&b, RECON_STEP_ROLE_ATTACH,
				                               d->policy_arns.v[i], role_c, NONE, NONE));
		if (role_exists && s->role.owned)
			for (i = 0; i < obs.n; i++)
				if (!base_str_eq(obs.v[i], vpc_arn) && !strs_has(d->policy_arns, obs.v[i]))
					idxv_push(&role_ready, pb_add3(&b, RECON_STEP_ROLE_DETACH, obs.v[i],
					                               NONE, NONE, NONE));
	}
	if (d->inline_policy && (!role_exists || !json_same(a, d->inline_policy, s->role.inline_policy)))
		idxv_push(&role_ready, pb_add3(&b, RECON_STEP_ROLE_PUT_INLINE, RECON_INLINE_POLICY_NAME,
		                               role_c, NONE, NONE));
	if (!d->inline_policy && role_exists && s->role.owned && s->role.inline_policy)
		idxv_push(&role_ready, pb_add3(&b, RECON_STEP_ROLE_DELETE_INLINE, RECON_INLINE_POLICY_NAME,
		                               NONE, NONE, NONE));
	if (role_exists && s->role.owned && !str_same(d->permissions_boundary, s->role.permissions_boundary))
		idxv_push(&role_ready,
		          pb_add3(&b, RECON_STEP_ROLE_BOUNDARY,
		                  d->permissions_boundary ? d->permissions_boundary : "-", NONE, NONE, NONE));
	if (role_exists && s->role.owned && recon_tags_differ(want_tags, s->role.tags))
		pb_add3(&b, RECON_STEP_TAGS, "role", NONE, NONE, NONE);

	/* ---- subnets and route table ---- */
	{
		size_t *sc = base_arena_calloc(a, d->subnet_cidrs.n + 1, sizeof *sc);
		for (i = 0; i < d->subnet_cidrs.n; i++) {
			const recon_subnet *sn = recon_state_subnet(s, d->subnet_cidrs.v[i]);
			sc[i] = NONE;
			if (!sn) {
				sc[i] = pb_add3(&b, RECON_STEP_SUBNET_CREATE, d->subnet_cidrs.v[i], NONE,
				                NONE, NONE);
				idxv_push(&subnet_creates, sc[i]);
			} else if (sn->owned && recon_tags_differ(want_tags, sn->tags)) {
				pb_add3(&b, RECON_STEP_TAGS, base_arena_sprintf(a, "subnet:%s", sn->cidr),
				        NONE, NONE, NONE);
			}
		}
		if (!s->rt.id)
			rt_c = pb_add3(&b, RECON_STEP_RT_CREATE, "private", NONE, NONE, NONE);
		else if (s->rt.owned && recon_tags_differ(want_tags, s->rt.tags))
			pb_add3(&b, RECON_STEP_TAGS, "rt", NONE, NONE, NONE);
		for (i = 0; i < d->subnet_cidrs.n; i++) {
			const recon_subnet *sn = recon_state_subnet(s, d->subnet_cidrs.v[i]);
			if (sc[i] != NONE || rt_c != NONE || !sn || !strs_has(s->rt.assoc_subnet_ids, sn->id))
				idxv_push(&assocs, pb_add3(&b, RECON_STEP_RT_ASSOCIATE, d->subnet_cidrs.v[i],
				                           sc[i], rt_c, NONE));
		}
	}

	/* ---- security groups and rules ---- */
	for (w = 0; w < 2; w++) {
		if (!s->sgs[w].id)
			sg_c[w] = pb_add3(&b, RECON_STEP_SG_CREATE, recon_sg_which_name((recon_sg_which)w),
			                  NONE, NONE, NONE);
		else if (s->sgs[w].owned && recon_tags_differ(want_tags, s->sgs[w].tags))
			pb_add3(&b, RECON_STEP_TAGS,
			        base_arena_sprintf(a, "sg:%s", recon_sg_which_name((recon_sg_which)w)), NONE,
			        NONE, NONE);
	}
	for (w = 0; w < 2; w++) {
		recon_rule *want;
		size_t n_want;
		recon_rule *have = base_arena_calloc(a, s->sgs[w].n_rules + 1, sizeof *have);
		size_t n_have = 0;
		const char *sgname = recon_sg_which_name((recon_sg_which)w);

		recon_desired_rules(a, d, s, (recon_sg_which)w, &want, &n_want);
		if (s->sgs[w].id)
			for (i = 0; i < s->sgs[w].n_rules; i++) {
				const recon_rule *r = &s->sgs[w].rules[i];
				if (r->owner && !base_str_eq(r->owner, d->function_name))
					continue; /* added by another lambdavpc function */
				have[n_have++] = recon_rule_symbolic(a, s, r);
			}
		for (i = 0; i < n_have; i++) {
			bool keep = false;
			for (j = 0; j < n_want; j++)
				if (recon_rule_same(&have[i], &want[j]))
					keep = true;
			if (!keep) {
				size_t k = pb_add3(&b, RECON_STEP_SG_REVOKE, sgname, NONE, NONE, NONE);
				set_rule(&b, k, (recon_sg_which)w, &have[i]);
			}
		}
		for (j = 0; j < n_want; j++) {
			bool present = false;
			size_t other = NONE, k;
			for (i = 0; i < n_have; i++)
				if (recon_rule_same(&have[i], &want[j]))
					present = true;
			if (present && sg_c[w] == NONE)
				continue;
			if (base_str_eq(want[j].peer, "@lambda")) {
				other = sg_c[RECON_SG_LAMBDA];
			} else if (base_str_eq(want[j].peer, "@endpoint")) {
				/* After the interface endpoints: if they all turn out to be
				 * reused, exec skips this rule (README "Shared endpoints"). */
				to_endpoint = want[j];
				has_to_endpoint = true;
				continue;
			}
			k = pb_add3(&b, RECON_STEP_SG_AUTHORIZE, sgname, sg_c[w], other, NONE);
			set_rule(&b, k, (recon_sg_which)w, &want[j]);
		}
	}

	/* ---- endpoints ---- */
	for (i = 0; i < d->n_endpoints; i++) {
		const recon_endpoint_spec *es = &d->endpoints[i];
		const recon_endpoint *e = recon_state_endpoint(s, es->service);
		if (!e) {
			if (es->gateway)
				idxv_push(&net_users,
				          pb_add3(&b, RECON_STEP_EP_CREATE, es->service, rt_c, NONE, NONE));
			else {
				size_t k = pb_add_v(&b, RECON_STEP_EP_CREATE, es->service, &subnet_creates,
				                    sg_c[RECON_SG_ENDPOINT], sg_c[RECON_SG_LAMBDA], NONE);
				idxv_push(&net_users, k);
				idxv_push(&ep_creates, k);
			}
		} else if (e->owned) {
			bool sync;
			if (es->gateway)
				sync = rt_c != NONE || !s->rt.id || !strs_has(e->route_table_ids, s->rt.id);
			else
				sync = subnet_creates.n > 0 || sg_c[RECON_SG_ENDPOINT] != NONE ||
				       !interface_endpoint_in_sync(d, s, e);
			if (sync)
				idxv_push(&net_users,
				          pb_add_v(&b, RECON_STEP_EP_SYNC, es->service, &subnet_creates,
				                   sg_c[RECON_SG_ENDPOINT], rt_c, NONE));
			if (recon_tags_differ(want_tags, e->tags))
				pb_add3(&b, RECON_STEP_TAGS,
				        base_arena_sprintf(a, "endpoint:%s", es->service), NONE, NONE, NONE);
		}
	}
	for (i = 0; i < s->n_endpoints; i++) {
		const recon_endpoint *e = &s->endpoints[i];
		if (!e->id || e->gone || endpoint_desired(d, e->service))
			continue;
		idxv_push(&net_users, pb_add3(&b, e->owned ? RECON_STEP_EP_DELETE : RECON_STEP_EP_RELEASE,
		                              e->service, NONE, NONE, NONE));
	}

	if (has_to_endpoint) {
		size_t k = pb_add_v(&b, RECON_STEP_SG_AUTHORIZE, recon_sg_which_name(RECON_SG_LAMBDA),
		                    &ep_creates, sg_c[RECON_SG_LAMBDA], sg_c[RECON_SG_ENDPOINT], NONE);
		set_rule(&b, k, RECON_SG_LAMBDA, &to_endpoint);
	}

	/* ---- function ---- */
	{
		struct idxv fdeps = {a, 0, 0, 0};
		for (i = 0; i < role_ready.n; i++)
			idxv_push(&fdeps, role_ready.v[i]);
		for (i = 0; i < subnet_creates.n; i++)
			idxv_push(&fdeps, subnet_creates.v[i]);
		for (i = 0; i < assocs.n; i++)
			idxv_push(&fdeps, assocs.v[i]);
		idxv_push(&fdeps, sg_c[RECON_SG_LAMBDA]);
		if (!s->fn.name || !s->fn.owned) {
			fn_c = pb_add_v(&b, RECON_STEP_FN_CREATE, d->function_name, &fdeps, NONE, NONE, NONE);
			last_fn = fn_c;
			if (d->fn.publish)
				pb_add3(&b, RECON_STEP_FN_PUBLISH, d->function_name, fn_c, NONE, NONE);
			if (d->fn.reserved_concurrency >= 0)
				last_fn = pb_add3(&b, RECON_STEP_FN_CONCURRENCY, d->function_name, fn_c, NONE,
				                  NONE);
			idxv_push(&net_users, fn_c);
		} else {
			bool vpc_change = sg_c[RECON_SG_LAMBDA] != NONE || subnet_creates.n > 0;
			bool cfg_change, code_change;
			struct idxv want_ids = {a, 0, 0, 0};
			for (i = 0; i < d->subnet_cidrs.n; i++) {
				const recon_subnet *sn = recon_state_subnet(s, d->subnet_cidrs.v[i]);
				if (!sn)
					vpc_change = true;
				else
					idxv_push(&want_ids, i);
			}
			if (!vpc_change) {
				const char **ids = base_arena_calloc(a, want_ids.n + 1, sizeof *ids);
				for (i = 0; i < want_ids.n; i++)
					ids[i] = recon_state_subnet(s, d->subnet_cidrs.v[want_ids.v[i]])->id;
				if (!strs_same_set((aws_strs){ids, want_ids.n}, s->fn.subnet_ids))
					vpc_change = true;
				if (s->fn.sg_ids.n != 1 ||
				    !base_str_eq(s->fn.sg_ids.v[0], s->sgs[RECON_SG_LAMBDA].id))
					vpc_change = true;
			}
			cfg_change = vpc_change || role_c != NONE || fn_config_differs(&d->fn, &s->fn.cfg) ||
			             (s->role.arn && !str_same(s->role.arn, s->fn.role_arn));
			code_change = fn_code_differs(&d->fn, &s->fn);
			if (cfg_change) {
				last_fn = pb_add_v(&b, RECON_STEP_FN_CONFIG, d->function_name, &fdeps, NONE,
				                   NONE, NONE);
				idxv_push(&net_users, last_fn);
			}
			if (code_change)
				last_fn = pb_add_v(&b, RECON_STEP_FN_CODE, d->function_name, &role_ready,
				                   last_fn, NONE, NONE);
			if (d->fn.publish &&
			    (cfg_change || code_change || !recon_version_published(s->fn.version)))
				pb_add3(&b, RECON_STEP_FN_PUBLISH, d->function_name, last_fn, NONE, NONE);
			if (d->fn.reserved_concurrency != s->fn.cfg.reserved_concurrency)
				last_fn = pb_add3(&b, RECON_STEP_FN_CONCURRENCY, d->function_name, last_fn,
				                  NONE, NONE);
			if (recon_tags_differ(want_tags, s->fn.tags))
				pb_add3(&b, RECON_STEP_TAGS, "function", NONE, NONE, NONE);
		}
	}

	/* ---- subnets no longer wanted: after everything that used them moved ---- */
	for (i = 0; i < s->n_subnets; i++) {
		const recon_subnet *sn = &s->subnets[i];
		if (!sn->id || !sn->owned || cidr_desired(d, sn->cidr))
			continue;
		pb_add_v(&b, RECON_STEP_SUBNET_DELETE, sn->cidr, &net_users, NONE, NONE, NONE);
	}
	return BASE_OK;
}

int recon_diff_destroy(base_arena *a, const recon_state *s, recon_plan *out)
{
	struct pb b = {a, out};
	struct idxv before_revoke = {a, 0, 0, 0}, revokes = {a, 0, 0, 0}, ep = {a, 0, 0, 0};
	struct idxv subnet_dels = {a, 0, 0, 0}, after_eni = {a, 0, 0, 0};
	size_t fn_d = NONE, eni = NONE, i;
	int w;

	memset(out, 0, sizeof *out);
	if (s->fn.name && s->fn.owned)
		fn_d = pb_add3(&b, RECON_STEP_FN_DELETE, s->fn.name, NONE, NONE, NONE);
	idxv_push(&before_revoke, fn_d);
	for (i = 0; i < s->n_endpoints; i++) {
		const recon_endpoint *e = &s->endpoints[i];
		if (!e->id || e->gone)
			continue;
		idxv_push(&ep, pb_add3(&b, e->owned ? RECON_STEP_EP_DELETE : RECON_STEP_EP_RELEASE,
		                       e->service, fn_d, NONE, NONE));
	}
	for (i = 0; i < ep.n; i++)
		idxv_push(&before_revoke, ep.v[i]);

	/* The two groups reference each other: revoke those rules first. */
	for (w = 0; w < 2; w++) {
		const char *other = s->sgs[1 - w].id;
		if (!s->sgs[w].id || !s->sgs[w].owned || !other)
			continue;
		for (i = 0; i < s->sgs[w].n_rules; i++) {
			const recon_rule *r = &s->sgs[w].rules[i];
			if (r->peer_kind == RECON_PEER_SG && base_str_eq(r->peer, other)) {
				recon_rule sym = recon_rule_symbolic(a, s, r);
				size_t k = pb_add_v(&b, RECON_STEP_SG_REVOKE,
				                    recon_sg_which_name((recon_sg_which)w), &before_revoke,
				                    NONE, NONE, NONE);
				set_rule(&b, k, (recon_sg_which)w, &sym);
				idxv_push(&revokes, k);
			}
		}
	}
	{
		bool any_net = s->sgs[0].id || s->sgs[1].id;
		for (i = 0; i < s->n_subnets; i++)
			if (s->subnets[i].id && s->subnets[i].owned)
				any_net = true;
		if (any_net) {
			struct idxv d = {a, 0, 0, 0};
			for (i = 0; i < before_revoke.n; i++)
				idxv_push(&d, before_revoke.v[i]);
			for (i = 0; i < revokes.n; i++)
				idxv_push(&d, revokes.v[i]);
			eni = pb_add_v(&b, RECON_STEP_ENI_WAIT, "all", &d, NONE, NONE, NONE);
		}
	}
	idxv_push(&after_eni, eni);
	for (i = 0; i < revokes.n; i++)
		idxv_push(&after_eni, revokes.v[i]);
	for (w = 0; w < 2; w++)
		if (s->sgs[w].id && s->sgs[w].owned)
			pb_add_v(&b, RECON_STEP_SG_DELETE, recon_sg_which_name((recon_sg_which)w), &after_eni,
			         NONE, NONE, NONE);
	{
		struct idxv d = {a, 0, 0, 0};
		for (i = 0; i < ep.n; i++)
			idxv_push(&d, ep.v[i]);
		idxv_push(&d, eni);
		idxv_push(&d, fn_d);
		for (i = 0; i < s->n_subnets; i++)
			if (s->subnets[i].id && s->subnets[i].owned)
				idxv_push(&subnet_dels, pb_add_v(&b, RECON_STEP_SUBNET_DELETE,
				                                 s->subnets[i].cidr, &d, NONE, NONE, NONE));
		if (s->rt.id && s->rt.owned) {
			for (i = 0; i < subnet_dels.n; i++)
				idxv_push(&d, subnet_dels.v[i]);
			pb_add_v(&b, RECON_STEP_RT_DELETE, "private", &d, NONE, NONE, NONE);
		}
	}
	if (s->role.name && s->role.owned)
		pb_add3(&b, RECON_STEP_ROLE_DELETE, s->role.name, fn_d, eni, NONE);
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
