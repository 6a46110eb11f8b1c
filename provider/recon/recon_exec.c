/* recon_exec.c - the steps: typed AWS calls, waits, retries, state updates. */
#include "recon/recon_exec.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/aws_ec2.h"
#include "aws/aws_iam.h"
#include "aws/aws_lambda.h"
#include "base/base_buf.h"
#include "base/base_log.h"
#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_engine.h"
#include "recon/recon_int.h"
#include "recon/recon_observe.h"

#define MIN_10 (10ull * 60 * 1000)
#define MIN_45 (45ull * 60 * 1000)

/* ======================================================================== */
/* context                                                                  */

struct ex {
	aws_client *c;
	base_arena *a;          /* result arena: guarded by mu */
	const recon_desired *d; /* NULL for destroy */
	const char *fn;         /* function name */
	const char *vpc;
	recon_state *s; /* live state: guarded by mu */
	const recon_plan *p;
	pthread_mutex_t mu;
	recon_clock clk;
	uint64_t deadline;
	unsigned poll_cap;
	aws_tags tags;       /* tags for created objects */
	aws_tags rule_tags;  /* ownership tag only (SG rules) */
	recon_failure *fail; /* first failure: guarded by mu */
	bool failed;
};

static uint64_t real_now(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int real_sleep(void *ctx, unsigned ms)
{
	return aws_client_sleep_ms((aws_client *)ctx, ms);
}

static uint64_t ex_left(struct ex *x)
{
	uint64_t now = x->clk.now_ms(x->clk.ctx);
	return now >= x->deadline ? 1 : x->deadline - now;
}

static recon_wait_cfg ex_wait_cfg(struct ex *x, unsigned cap_mul)
{
	recon_wait_cfg w;
	memset(&w, 0, sizeof w);
	w.first_ms = 100;
	w.max_ms = x->poll_cap * cap_mul;
	w.timeout_ms = ex_left(x);
	return w;
}

/* Records the first failure (the step that failed and why). */
static void ex_fail(struct ex *x, const recon_step *st, int rc, const aws_error *e, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
static void ex_fail(struct ex *x, const recon_step *st, int rc, const aws_error *e, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&x->mu);
	if (!x->failed) {
		x->failed = true;
		x->fail->kind = st ? st->kind : 0;
		x->fail->key = st ? recon__cp(x->a, st->key) : NULL;
		x->fail->code = rc;
		if (e)
			x->fail->err = *e;
		va_start(ap, fmt);
		vsnprintf(x->fail->detail, sizeof x->fail->detail, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&x->mu);
}

static bool err_msg_has(const aws_error *e, const char *needle)
{
	return strstr(e->message, needle) != NULL;
}

static aws_filter flt(const char *name, const char *const *vals, size_t n)
{
	aws_filter f;
	f.name = name;
	f.values = (aws_strs){vals, n};
	return f;
}

/* ======================================================================== */
/* state access (callers hold no lock; these take it)                       */

static void lock(struct ex *x)
{
	pthread_mutex_lock(&x->mu);
}
static void unlock(struct ex *x)
{
	pthread_mutex_unlock(&x->mu);
}

/* Zeroes a part of the state (role, route table, an SG, the function) once
 * its object is deleted. */
static void st_forget(struct ex *x, void *part, size_t size)
{
	lock(x);
	memset(part, 0, size);
	unlock(x);
}

/* Subnet id of a CIDR (borrowed from the state arena; strings never move). */
static const char *st_subnet_id(struct ex *x, const char *cidr, const char **az)
{
	const recon_subnet *sn;
	const char *id = NULL;
	lock(x);
	sn = recon_state_subnet(x->s, cidr);
	if (sn) {
		id = sn->id;
		if (az)
			*az = sn->az;
	}
	unlock(x);
	return id;
}

static const char *st_sg_id(struct ex *x, recon_sg_which w)
{
	const char *id;
	lock(x);
	id = x->s->sgs[w].id;
	unlock(x);
	return id;
}

static const char *st_rt_id(struct ex *x)
{
	const char *id;
	lock(x);
	id = x->s->rt.id;
	unlock(x);
	return id;
}

static void st_add_subnet(struct ex *x, const aws_ec2_subnet *s)
{
	recon_subnet *v;
	lock(x);
	v = base_arena_calloc(x->a, x->s->n_subnets + 1, sizeof *v);
	if (x->s->n_subnets)
		memcpy(v, x->s->subnets, x->s->n_subnets * sizeof *v);
	v[x->s->n_subnets].id = recon__cp(x->a, s->subnet_id);
	v[x->s->n_subnets].cidr = recon__cp(x->a, s->cidr_block);
	v[x->s->n_subnets].az = recon__cp(x->a, s->availability_zone);
	v[x->s->n_subnets].owned = true;
	v[x->s->n_subnets].tags = recon__cp_tags(x->a, s->tags.n ? s->tags : x->tags);
	x->s->subnets = v;
	x->s->n_subnets++;
	unlock(x);
}

/* Removes an id from a string list (new array in the arena). Lock held. */
static aws_strs strs_without(base_arena *a, aws_strs s, const char *id, aws_strs *parallel)
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

static aws_strs strs_with(base_arena *a, aws_strs s, const char *id)
{
	const char **v = base_arena_calloc(a, s.n + 1, sizeof *v);
	if (s.n)
		memcpy(v, s.v, s.n * sizeof *v);
	v[s.n] = recon__cp(a, id);
	return (aws_strs){v, s.n + 1};
}

static void st_remove_subnet(struct ex *x, const char *cidr)
{
	size_t i, n = 0;
	lock(x);
	for (i = 0; i < x->s->n_subnets; i++) {
		if (base_str_eq(x->s->subnets[i].cidr, cidr)) {
			const char *id = x->s->subnets[i].id;
			aws_strs ids = x->s->rt.assoc_ids;
			x->s->rt.assoc_subnet_ids = strs_without(x->a, x->s->rt.assoc_subnet_ids, id, &ids);
			x->s->rt.assoc_ids = ids;
			continue;
		}
		x->s->subnets[n++] = x->s->subnets[i];
	}
	x->s->n_subnets = n;
	unlock(x);
}

static void st_set_endpoint(struct ex *x, const aws_ec2_vpce *v, bool owned)
{
	size_t i;
	recon_endpoint *nv;
	lock(x);
	for (i = 0; i < x->s->n_endpoints; i++)
		if (base_str_eq(x->s->endpoints[i].service, v->service_name))
			break;
	if (i == x->s->n_endpoints) {
		nv = base_arena_calloc(x->a, x->s->n_endpoints + 1, sizeof *nv);
		if (x->s->n_endpoints)
			memcpy(nv, x->s->endpoints, x->s->n_endpoints * sizeof *nv);
		x->s->endpoints = nv;
		x->s->n_endpoints++;
	}
	nv = &x->s->endpoints[i];
	memset(nv, 0, sizeof *nv);
	nv->id = recon__cp(x->a, v->vpc_endpoint_id);
	nv->service = recon__cp(x->a, v->service_name);
	nv->state = recon__cp(x->a, v->state);
	nv->gateway = v->type && strcasecmp(v->type, "Gateway") == 0;
	nv->owned = owned;
	nv->private_dns = v->private_dns_enabled;
	nv->subnet_ids = recon__cp_strs(x->a, v->subnet_ids);
	nv->sg_ids = recon__cp_strs(x->a, v->security_group_ids);
	nv->route_table_ids = recon__cp_strs(x->a, v->route_table_ids);
	nv->tags = recon__cp_tags(x->a, v->tags);
	unlock(x);
}

static void st_remove_endpoint(struct ex *x, const char *service)
{
	size_t i, n = 0;
	lock(x);
	for (i = 0; i < x->s->n_endpoints; i++)
		if (!base_str_eq(x->s->endpoints[i].service, service))
			x->s->endpoints[n++] = x->s->endpoints[i];
	x->s->n_endpoints = n;
	unlock(x);
}

/* Copy of the state's endpoint for service (strings shared); false if none. */
static bool st_endpoint(struct ex *x, const char *service, recon_endpoint *out)
{
	size_t i;
	bool found = false;
	lock(x);
	for (i = 0; i < x->s->n_endpoints; i++)
		if (base_str_eq(x->s->endpoints[i].service, service)) {
			*out = x->s->endpoints[i];
			found = true;
			break;
		}
	unlock(x);
	return found;
}

static void st_add_rule(struct ex *x, recon_sg_which w, const recon_rule *r)
{
	recon_sg *g;
	recon_rule *v;
	lock(x);
	g = &x->s->sgs[w];
	v = base_arena_calloc(x->a, g->n_rules + 1, sizeof *v);
	if (g->n_rules)
		memcpy(v, g->rules, g->n_rules * sizeof *v);
	v[g->n_rules] = *r;
	v[g->n_rules].protocol = recon__cp(x->a, r->protocol);
	v[g->n_rules].peer = recon__cp(x->a, r->peer);
	v[g->n_rules].description = recon__cp(x->a, r->description);
	v[g->n_rules].rule_id = recon__cp(x->a, r->rule_id);
	v[g->n_rules].owner = recon__cp(x->a, r->owner);
	g->rules = v;
	g->n_rules++;
	unlock(x);
}

/* Removes rules matching r (symbolic comparison against the live state). */
static void st_remove_rule(struct ex *x, recon_sg_which w, const recon_rule *r)
{
	recon_sg *g;
	recon_rule *v;
	size_t i, n = 0;
	lock(x);
	g = &x->s->sgs[w];
	v = base_arena_calloc(x->a, g->n_rules + 1, sizeof *v);
	for (i = 0; i < g->n_rules; i++) {
		recon_rule sym = recon_rule_symbolic(x->a, x->s, &g->rules[i]);
		recon_rule want = recon_rule_symbolic(x->a, x->s, r);
		if ((r->rule_id && base_str_eq(g->rules[i].rule_id, r->rule_id)) ||
		    recon_rule_same(&sym, &want))
			continue;
		v[n++] = g->rules[i];
	}
	g->rules = v;
	g->n_rules = n;
	unlock(x);
}

/* ======================================================================== */
/* peers and permissions                                                    */

/* Prefix list id of a gateway service (state cache, else DescribePrefixLists). */
static int prefix_list_id(struct ex *x, base_arena *t, const char *service, const char **out, aws_error *e)
{
	aws_ec2_prefix_lists pls;
	const char *names[] = {service};
	aws_filter f = flt("prefix-list-name", names, 1);
	size_t i;
	int rc;
	*out = NULL;
	lock(x);
	for (i = 0; i < x->s->n_prefix_lists; i++)
		if (base_str_eq(x->s->prefix_lists[i].service, service))
			*out = x->s->prefix_lists[i].id;
	unlock(x);
	if (*out)
		return BASE_OK;
	rc = aws_ec2_describe_prefix_lists(x->c, t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &pls, e);
	if (rc != BASE_OK)
		return rc;
	if (pls.n == 0) {
		aws_error_setf(e, 0, "InvalidPrefixListName.NotFound", "no prefix list for %s", service);
		return BASE_ENOTFOUND;
	}
	lock(x);
	{
		recon_prefix_list *v = base_arena_calloc(x->a, x->s->n_prefix_lists + 1, sizeof *v);
		if (x->s->n_prefix_lists)
			memcpy(v, x->s->prefix_lists, x->s->n_prefix_lists * sizeof *v);
		v[x->s->n_prefix_lists].service = recon__cp(x->a, service);
		v[x->s->n_prefix_lists].id = recon__cp(x->a, pls.v[0].prefix_list_id);
		*out = v[x->s->n_prefix_lists].id;
		x->s->prefix_lists = v;
		x->s->n_prefix_lists++;
	}
	unlock(x);
	return BASE_OK;
}

/* A symbolic rule -> one IpPermissions entry with real ids. */
static int rule_perm(struct ex *x, base_arena *t, const recon_rule *r, aws_ec2_ip_perm *p, aws_error *e)
{
	const char **one = base_arena_calloc(t, 1, sizeof *one);
	const char *peer = r->peer;
	int rc;
	memset(p, 0, sizeof *p);
	p->ip_protocol = r->protocol;
	p->from_port = r->from_port;
	p->to_port = r->to_port;
	p->omit_ports = strcmp(r->protocol, "-1") == 0;
	p->description = r->description;
	if (base_str_eq(peer, "@lambda"))
		peer = st_sg_id(x, RECON_SG_LAMBDA);
	else if (base_str_eq(peer, "@endpoint"))
		peer = st_sg_id(x, RECON_SG_ENDPOINT);
	else if (peer && base_str_has_prefix(peer, "@pl:")) {
		rc = prefix_list_id(x, t, peer + 4, &peer, e);
		if (rc != BASE_OK)
			return rc;
	}
	if (!peer) {
		aws_error_setf(e, 0, "MissingPeer", "the peer %s of the rule does not exist", r->peer);
		return BASE_ENOTFOUND;
	}
	one[0] = peer;
	switch (r->peer_kind) {
	case RECON_PEER_SG:
		p->group_ids = (aws_strs){one, 1};
		break;
	case RECON_PEER_PREFIX_LIST:
		p->prefix_list_ids = (aws_strs){one, 1};
		break;
	default:
		if (strchr(peer, ':'))
			p->cidr_ipv6 = (aws_strs){one, 1};
		else
			p->cidr_ipv4 = (aws_strs){one, 1};
		break;
	}
	return BASE_OK;
}

/* Authorizes one rule (Duplicate = converged) and records it in the state. */
static int authorize_rule(struct ex *x, base_arena *t, recon_sg_which w, const char *group_id,
                          const recon_rule *r, aws_error *e)
{
	aws_ec2_ip_perm p;
	aws_ec2_sg_rules made = {0};
	recon_rule rec = *r;
	int rc = rule_perm(x, t, r, &p, e);
	if (rc != BASE_OK)
		return rc;
	rc = aws_ec2_authorize_security_group(x->c, t, group_id, r->egress, &p, 1, x->rule_tags, &made, e);
	if (rc == BASE_EAWS && aws_error_is(e, "InvalidPermission.Duplicate"))
		rc = BASE_OK;
	if (rc != BASE_OK)
		return rc;
	rec.rule_id = made.n ? made.v[0].rule_id : NULL;
	rec.owner = x->fn;
	/* The state keeps real ids, as recon_observe reports them. */
	rec.peer = p.group_ids.n         ? p.group_ids.v[0]
	           : p.prefix_list_ids.n ? p.prefix_list_ids.v[0]
	           : p.cidr_ipv4.n       ? p.cidr_ipv4.v[0]
	           : p.cidr_ipv6.n       ? p.cidr_ipv6.v[0]
	                                 : r->peer;
	if (w <= RECON_SG_ENDPOINT && base_str_eq(group_id, st_sg_id(x, w)))
		st_add_rule(x, w, &rec);
	return BASE_OK;
}

/* ======================================================================== */
/* role                                                                     */

static int step_role_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_iam_role_spec spec;
	aws_iam_role r;
	int rc;
	memset(&spec, 0, sizeof spec);
	spec.role_name = st->key;
	spec.assume_role_policy = AWS_IAM_LAMBDA_TRUST_POLICY;
	spec.description = base_arena_sprintf(t, "Execution role of Lambda %s (lambdavpc)", x->fn);
	spec.permissions_boundary = x->d ? x->d->permissions_boundary : NULL;
	spec.tags = x->tags;
	rc = aws_iam_create_role(x->c, t, &spec, &r, e);
	if (rc == BASE_EAWS && aws_error_is(e, "EntityAlreadyExists")) {
		aws_tags tags;
		rc = aws_iam_get_role(x->c, t, st->key, &r, e);
		if (rc != BASE_OK)
			return rc;
		tags = r.tags;
		if (tags.n == 0 && (rc = aws_iam_list_role_tags(x->c, t, st->key, &tags, e)) != BASE_OK)
			return rc;
		if (!recon__owned_by(tags, x->fn)) {
			ex_fail(x, st, BASE_ECONFLICT, e,
			        "IAM role %s already exists and is not managed by lambdavpc function %s "
			        "(no tag %s=%s). Delete or rename it.",
			        st->key, x->fn, RECON_OWNER_TAG, x->fn);
			return BASE_ECONFLICT;
		}
		r.tags = tags;
	}
	if (rc != BASE_OK)
		return rc;
	lock(x);
	x->s->role.name = recon__cp(x->a, r.role_name);
	x->s->role.arn = recon__cp(x->a, r.arn);
	x->s->role.owned = true;
	x->s->role.tags = recon__cp_tags(x->a, r.tags.n ? r.tags : x->tags);
	x->s->role.permissions_boundary = recon__cp(x->a, r.permissions_boundary_arn);
	unlock(x);
	return BASE_OK;
}

static const char *st_role_name(struct ex *x)
{
	const char *n;
	lock(x);
	n = x->s->role.name;
	unlock(x);
	return n;
}

static int step_role_attach(struct ex *x, base_arena *t, const recon_step *st, bool attach, aws_error *e)
{
	const char *role = st_role_name(x);
	recon_wait_cfg w = ex_wait_cfg(x, 1);
	recon_backoff b;
	int rc;
	recon_backoff_init(&b, &x->clk, &w);
	for (;;) {
		rc = attach ? aws_iam_attach_role_policy(x->c, t, role, st->key, e)
		            : aws_iam_detach_role_policy(x->c, t, role, st->key, e);
		if (!attach && rc == BASE_ENOTFOUND)
			rc = BASE_OK;
		if (rc == BASE_EAWS && aws_error_is(e, "ConcurrentModification") &&
		    recon_backoff_sleep(&b) == BASE_OK)
			continue;
		break;
	}
	if (rc != BASE_OK)
		return rc;
	lock(x);
	if (attach)
		x->s->role.policy_arns = strs_with(x->a, x->s->role.policy_arns, st->key);
	else
		x->s->role.policy_arns = strs_without(x->a, x->s->role.policy_arns, st->key, NULL);
	unlock(x);
	return BASE_OK;
}

static int step_role_inline(struct ex *x, base_arena *t, const recon_step *st, bool put, aws_error *e)
{
	const char *role = st_role_name(x);
	int rc;
	if (put)
		rc = aws_iam_put_role_policy(x->c, t, role, RECON_INLINE_POLICY_NAME, x->d->inline_policy, e);
	else {
		rc = aws_iam_delete_role_policy(x->c, t, role, RECON_INLINE_POLICY_NAME, e);
		if (rc == BASE_ENOTFOUND)
			rc = BASE_OK;
	}
	(void)st;
	if (rc != BASE_OK)
		return rc;
	lock(x);
	x->s->role.inline_policy = put ? recon__cp(x->a, x->d->inline_policy) : NULL;
	unlock(x);
	return BASE_OK;
}

static int step_role_boundary(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const char *arn = strcmp(st->key, "-") == 0 ? NULL : st->key;
	int rc = aws_iam_set_role_permissions_boundary(x->c, t, st_role_name(x), arn, e);
	if (rc == BASE_ENOTFOUND && !arn)
		rc = BASE_OK;
	if (rc != BASE_OK)
		return rc;
	lock(x);
	x->s->role.permissions_boundary = recon__cp(x->a, arn);
	unlock(x);
	return BASE_OK;
}

static int step_role_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_iam_attached_policies pol;
	aws_strs names;
	recon_wait_cfg w = ex_wait_cfg(x, 1);
	recon_backoff b;
	size_t i;
	int rc;

	rc = aws_iam_list_attached_role_policies(x->c, t, st->key, &pol, e);
	if (rc == BASE_ENOTFOUND)
		goto gone;
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < pol.n; i++) {
		rc = aws_iam_detach_role_policy(x->c, t, st->key, pol.v[i].policy_arn, e);
		if (rc != BASE_OK && rc != BASE_ENOTFOUND)
			return rc;
	}
	rc = aws_iam_list_role_policies(x->c, t, st->key, &names, e);
	if (rc == BASE_ENOTFOUND)
		goto gone;
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < names.n; i++) {
		rc = aws_iam_delete_role_policy(x->c, t, st->key, names.v[i], e);
		if (rc != BASE_OK && rc != BASE_ENOTFOUND)
			return rc;
	}
	recon_backoff_init(&b, &x->clk, &w);
	for (;;) {
		rc = aws_iam_delete_role(x->c, t, st->key, e);
		if (rc == BASE_EAWS &&
		    (aws_error_is(e, "DeleteConflict") || aws_error_is(e, "ConcurrentModification"))) {
			int brc = recon_backoff_sleep(&b);
			if (brc == BASE_OK)
				continue;
			rc = brc == BASE_ETIMEOUT ? BASE_ETIMEOUT : brc;
		}
		break;
	}
	if (rc != BASE_OK && rc != BASE_ENOTFOUND)
		return rc;
gone:
	st_forget(x, &x->s->role, sizeof x->s->role);
	return BASE_OK;
}

/* ======================================================================== */
/* subnets and route table                                                  */

static size_t desired_cidr_index(const recon_desired *d, const char *cidr)
{
	size_t i;
	for (i = 0; d && i < d->subnet_cidrs.n; i++)
		if (base_str_eq(d->subnet_cidrs.v[i], cidr))
			return i;
	return 0;
}

/* AZ for the i-th CIDR: the user's, else round-robin over available AZs. */
static int pick_az(struct ex *x, base_arena *t, size_t i, const char **out, aws_error *e)
{
	aws_ec2_azs azs;
	const char *avail[] = {"available"}, *ztype[] = {"availability-zone"};
	aws_filter f[2];
	size_t k, j;
	int rc;
	if (x->d->subnet_azs.n > i && x->d->subnet_azs.v[i] && *x->d->subnet_azs.v[i]) {
		*out = x->d->subnet_azs.v[i];
		return BASE_OK;
	}
	f[0] = flt("state", avail, 1);
	f[1] = flt("zone-type", ztype, 1);
	rc = aws_ec2_describe_availability_zones(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &azs, e);
	if (rc != BASE_OK)
		return rc;
	if (azs.n == 0) {
		aws_error_setf(e, 0, "NoAvailabilityZone", "no available availability zone in %s",
		               aws_client_region(x->c));
		return BASE_ENOTFOUND;
	}
	/* Sort names so the spread does not depend on the answer's order. */
	for (k = 1; k < azs.n; k++)
		for (j = k; j > 0 && strcmp(azs.v[j - 1].zone_name, azs.v[j].zone_name) > 0; j--) {
			aws_ec2_az tmp = azs.v[j];
			azs.v[j] = azs.v[j - 1];
			azs.v[j - 1] = tmp;
		}
	*out = azs.v[i % azs.n].zone_name;
	return BASE_OK;
}

struct subnet_poll {
	struct ex *x;
	base_arena *t;
	const char *id;
	aws_error *e;
};

static int poll_subnet_available(void *ctx, bool *done)
{
	struct subnet_poll *p = ctx;
	aws_ec2_subnets subs;
	const char *ids[] = {p->id};
	aws_filter f = flt("subnet-id", ids, 1);
	int rc = aws_ec2_describe_subnets(p->x->c, p->t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &subs,
	                                  p->e);
	if (rc != BASE_OK)
		return rc;
	*done = subs.n > 0 && (!subs.v[0].state || strcmp(subs.v[0].state, "available") == 0);
	return BASE_OK;
}

static int step_subnet_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_ec2_subnets found;
	aws_ec2_subnet made;
	aws_ec2_subnet_spec spec;
	const char *vpc[] = {x->vpc}, *cidr[] = {st->key}, *fn[] = {x->fn};
	aws_filter f[3];
	recon_wait_cfg w;
	struct subnet_poll sp;
	int rc;

	/* Adopt a subnet an interrupted apply created. */
	f[0] = flt("vpc-id", vpc, 1);
	f[1] = flt("cidr-block", cidr, 1);
	f[2] = flt(base_arena_sprintf(t, "tag:%s", RECON_OWNER_TAG), fn, 1);
	rc = aws_ec2_describe_subnets(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 3}, &found, e);
	if (rc != BASE_OK)
		return rc;
	if (found.n > 0) {
		made = found.v[0];
	} else {
		memset(&spec, 0, sizeof spec);
		spec.vpc_id = x->vpc;
		spec.cidr_block = st->key;
		spec.tags = x->tags;
		rc = pick_az(x, t, desired_cidr_index(x->d, st->key), &spec.availability_zone, e);
		if (rc != BASE_OK)
			return rc;
		rc = aws_ec2_create_subnet(x->c, t, &spec, &made, e);
		if (rc == BASE_EAWS && aws_error_is(e, "InvalidSubnet.Conflict")) {
			ex_fail(x, st, rc, e,
			        "The CIDR %s overlaps a subnet that already exists in %s and is not managed "
			        "by "
			        "function %s. Choose a free CIDR in subnet_cidr_blocks.",
			        st->key, x->vpc, x->fn);
			return rc;
		}
		if (rc != BASE_OK)
			return rc;
		if (!made.availability_zone)
			made.availability_zone = spec.availability_zone;
	}
	st_add_subnet(x, &made);
	sp.x = x;
	sp.t = t;
	sp.id = made.subnet_id;
	sp.e = e;
	w = ex_wait_cfg(x, 1);
	return recon_wait_until(&x->clk, &w, poll_subnet_available, &sp, NULL);
}

struct eni_poll {
	struct ex *x;
	base_arena *t;
	aws_strs sg_ids, subnet_ids;
	aws_error *e;
	unsigned seen;
	const char *left; /* ids of the Lambda ENIs the last poll still saw ("" = none) */
};

/* At most this many ENI ids are named in a message ("... and N more"). */
#define ENI_IDS_SHOWN 5

/* The distinct ids of v[0..n) as "a, b, c" (at most ENI_IDS_SHOWN, then
 * " and N more"); "" when n == 0. Arena t. */
static const char *eni_list(base_arena *t, const char *const *v, size_t n)
{
	const char *out = "";
	size_t i, j, shown = 0, distinct = 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && !base_str_eq(v[j], v[i]); j++)
			;
		if (j < i)
			continue;
		distinct++;
		if (shown == ENI_IDS_SHOWN)
			continue;
		out = shown ? base_arena_sprintf(t, "%s, %s", out, v[i]) : v[i];
		shown++;
	}
	if (distinct > shown)
		out = base_arena_sprintf(t, "%s and %zu more", out, distinct - shown);
	return out;
}

/* Done when no Lambda ENI uses the SGs / subnets; detached ones are deleted. */
static int poll_enis_gone(void *ctx, bool *done)
{
	struct eni_poll *p = ctx;
	int pass, rc;
	size_t i, left = 0, n_ids = 0;
	const char **ids = NULL;
	for (pass = 0; pass < 2; pass++) {
		aws_ec2_enis enis;
		aws_strs vals = pass == 0 ? p->sg_ids : p->subnet_ids;
		aws_filter f = flt(pass == 0 ? "group-id" : "subnet-id", vals.v, vals.n);
		if (vals.n == 0)
			continue;
		rc = aws_ec2_describe_network_interfaces(p->x->c, p->t, (aws_strs){NULL, 0},
		                                         (aws_filters){&f, 1}, &enis, p->e);
		if (rc != BASE_OK)
			return rc;
		{
			const char **more = base_arena_calloc(p->t, n_ids + enis.n + 1, sizeof *more);
			if (n_ids)
				memcpy(more, ids, n_ids * sizeof *more);
			ids = more;
		}
		for (i = 0; i < enis.n; i++) {
			const aws_ec2_eni *n = &enis.v[i];
			if (!recon__is_lambda_eni(n))
				continue;
			left++;
			if (base_str_eq(n->status, "available")) {
				aws_error ig;
				if (aws_ec2_delete_network_interface(p->x->c, p->t, n->network_interface_id,
				                                     &ig) == BASE_OK) {
					left--;
					continue;
				}
			}
			if (n->network_interface_id)
				ids[n_ids++] = n->network_interface_id;
		}
	}
	p->left = eni_list(p->t, ids, n_ids);
	p->seen++;
	*done = left == 0;
	return BASE_OK;
}

/*
 * Waits until no Lambda ENI uses sgs / subnets (detached ones are deleted).
 * *left (t, may be NULL): the ids the last poll still saw, for messages.
 */
static int wait_enis(struct ex *x, base_arena *t, aws_strs sgs, aws_strs subnets, const char **left,
                     aws_error *e)
{
	struct eni_poll p;
	recon_wait_cfg w = ex_wait_cfg(x, 2);
	int rc;
	memset(&p, 0, sizeof p);
	p.x = x;
	p.t = t;
	p.sg_ids = sgs;
	p.subnet_ids = subnets;
	p.e = e;
	p.left = "";
	rc = recon_wait_until(&x->clk, &w, poll_enis_gone, &p, NULL);
	if (left)
		*left = p.left;
	return rc;
}

/* Retries a delete while AWS reports a dependency, until the deadline. */
static int delete_with_retry(struct ex *x, base_arena *t, const char *id, bool subnet, aws_error *e)
{
	recon_wait_cfg w = ex_wait_cfg(x, 2);
	recon_backoff b;
	int rc;
	recon_backoff_init(&b, &x->clk, &w);
	for (;;) {
		rc = subnet ? aws_ec2_delete_subnet(x->c, t, id, e)
		            : aws_ec2_delete_security_group(x->c, t, id, e);
		if (rc == BASE_ENOTFOUND)
			return BASE_OK;
		if (rc == BASE_EAWS &&
		    (aws_error_is(e, "DependencyViolation") || aws_error_is(e, "InvalidGroup.InUse"))) {
			int brc = recon_backoff_sleep(&b);
			if (brc == BASE_OK)
				continue;
			return brc;
		}
		return rc;
	}
}

static int step_subnet_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const char *id = st_subnet_id(x, st->key, NULL), *enis = "";
	const char **one;
	int rc;
	if (!id)
		return BASE_OK;
	one = base_arena_calloc(t, 1, sizeof *one);
	one[0] = id;
	{
		/* Leave our route table first (AWS drops the association with the
		 * subnet anyway; moto keeps it and would block rt.delete). */
		const char *assoc = NULL;
		size_t i;
		lock(x);
		for (i = 0; i < x->s->rt.assoc_subnet_ids.n && i < x->s->rt.assoc_ids.n; i++)
			if (base_str_eq(x->s->rt.assoc_subnet_ids.v[i], id))
				assoc = x->s->rt.assoc_ids.v[i];
		unlock(x);
		if (assoc) {
			rc = aws_ec2_disassociate_route_table(x->c, t, assoc, e);
			if (rc != BASE_OK && rc != BASE_ENOTFOUND)
				return rc;
		}
	}
	rc = wait_enis(x, t, (aws_strs){NULL, 0}, (aws_strs){one, 1}, &enis, e);
	if (rc == BASE_OK)
		rc = delete_with_retry(x, t, id, true, e);
	if (rc != BASE_OK) {
		if (rc == BASE_ETIMEOUT)
			ex_fail(x, st, rc, e,
			        "Subnet %s (%s) is still in use%s%s (Lambda network interfaces are "
			        "released asynchronously, up to ~45 minutes). Run the operation again "
			        "later or raise the delete timeout.",
			        id, st->key, *enis ? " by Lambda network interfaces " : "", enis);
		return rc;
	}
	st_remove_subnet(x, st->key);
	return BASE_OK;
}

static int step_rt_create(struct ex *x, base_arena *t, aws_error *e)
{
	aws_ec2_route_tables found;
	aws_ec2_route_table made;
	const char *vpc[] = {x->vpc}, *fn[] = {x->fn};
	aws_filter f[2];
	int rc;
	f[0] = flt("vpc-id", vpc, 1);
	f[1] = flt(base_arena_sprintf(t, "tag:%s", RECON_OWNER_TAG), fn, 1);
	rc = aws_ec2_describe_route_tables(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &found, e);
	if (rc != BASE_OK)
		return rc;
	if (found.n > 0) {
		made = found.v[0];
	} else {
		rc = aws_ec2_create_route_table(x->c, t, x->vpc, x->tags, NULL, &made, e);
		if (rc != BASE_OK)
			return rc;
	}
	lock(x);
	x->s->rt.id = recon__cp(x->a, made.route_table_id);
	x->s->rt.owned = true;
	x->s->rt.tags = recon__cp_tags(x->a, made.tags.n ? made.tags : x->tags);
	unlock(x);
	return BASE_OK;
}

static int step_rt_associate(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const char *subnet = st_subnet_id(x, st->key, NULL), *rt = st_rt_id(x), *assoc = NULL;
	aws_ec2_route_tables cur;
	const char *sv[] = {subnet};
	aws_filter f = flt("association.subnet-id", sv, 1);
	size_t i, j;
	int rc;
	if (!subnet || !rt) {
		aws_error_setf(e, 0, "MissingDependency", "subnet %s or route table missing", st->key);
		return BASE_ENOTFOUND;
	}
	rc = aws_ec2_describe_route_tables(x->c, t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &cur, e);
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < cur.n && !assoc; i++)
		for (j = 0; j < cur.v[i].n_assocs; j++) {
			const aws_ec2_rt_assoc *as = &cur.v[i].assocs[j];
			if (!base_str_eq(as->subnet_id, subnet))
				continue;
			if (base_str_eq(cur.v[i].route_table_id, rt)) {
				assoc = as->association_id; /* already ours */
			} else {
				/* Explicitly associated elsewhere (drift): move it back. */
				rc = aws_ec2_replace_route_table_association(x->c, t, as->association_id, rt,
				                                             &assoc, e);
				if (rc != BASE_OK)
					return rc;
			}
			break;
		}
	if (!assoc) {
		rc = aws_ec2_associate_route_table(x->c, t, rt, subnet, &assoc, e);
		if (rc != BASE_OK)
			return rc;
	}
	lock(x);
	{
		aws_strs ids = x->s->rt.assoc_ids;
		x->s->rt.assoc_subnet_ids = strs_without(x->a, x->s->rt.assoc_subnet_ids, subnet, &ids);
		x->s->rt.assoc_ids = strs_with(x->a, ids, assoc);
		x->s->rt.assoc_subnet_ids = strs_with(x->a, x->s->rt.assoc_subnet_ids, subnet);
	}
	unlock(x);
	return BASE_OK;
}

static int step_rt_delete(struct ex *x, base_arena *t, aws_error *e)
{
	const char *rt;
	aws_strs assocs;
	size_t i;
	int rc;
	lock(x);
	rt = x->s->rt.id;
	assocs = x->s->rt.assoc_ids;
	unlock(x);
	if (!rt)
		return BASE_OK;
	{
		/* Disassociate whatever is still associated (the state may lag: moto,
		 * unlike AWS, keeps associations of deleted subnets). */
		aws_ec2_route_tables cur;
		const char *ids[] = {rt};
		rc = aws_ec2_describe_route_tables(x->c, t, (aws_strs){ids, 1}, (aws_filters){NULL, 0}, &cur,
		                                   e);
		if (rc == BASE_ENOTFOUND)
			goto gone;
		if (rc != BASE_OK)
			return rc;
		if (cur.n > 0) {
			const char **v = base_arena_calloc(t, cur.v[0].n_assocs + 1, sizeof *v);
			size_t n = 0;
			for (i = 0; i < cur.v[0].n_assocs; i++)
				if (!cur.v[0].assocs[i].main && cur.v[0].assocs[i].association_id)
					v[n++] = cur.v[0].assocs[i].association_id;
			assocs = (aws_strs){v, n};
		}
	}
	for (i = 0; i < assocs.n; i++) {
		rc = aws_ec2_disassociate_route_table(x->c, t, assocs.v[i], e);
		if (rc != BASE_OK && rc != BASE_ENOTFOUND)
			return rc;
	}
	rc = aws_ec2_delete_route_table(x->c, t, rt, e);
	if (rc != BASE_OK && rc != BASE_ENOTFOUND)
		return rc;
gone:
	st_forget(x, &x->s->rt, sizeof x->s->rt);
	return BASE_OK;
}

/* ======================================================================== */
/* security groups                                                          */

static int step_sg_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_sg_which w = strcmp(st->key, "endpoint") == 0 ? RECON_SG_ENDPOINT : RECON_SG_LAMBDA;
	const char *name = recon_sg_name(t, x->fn, w), *id = NULL;
	const char *vpc[] = {x->vpc}, *nm[] = {name};
	aws_ec2_sgs found;
	aws_ec2_sg_spec spec;
	aws_filter f[2];
	aws_ec2_ip_perm all;
	const char *any4[] = {"0.0.0.0/0"}, *any6[] = {"::/0"};
	bool adopted = false;
	int rc;

	f[0] = flt("vpc-id", vpc, 1);
	f[1] = flt("group-name", nm, 1);
	rc = aws_ec2_describe_security_groups(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &found, e);
	if (rc != BASE_OK)
		return rc;
	if (found.n > 0) {
		if (!recon__owned_by(found.v[0].tags, x->fn)) {
			ex_fail(x, st, BASE_ECONFLICT, e,
			        "Security group %s (%s) already exists in %s and is not managed by function "
			        "%s.",
			        name, found.v[0].group_id, x->vpc, x->fn);
			return BASE_ECONFLICT;
		}
		id = found.v[0].group_id;
		adopted = true;
	} else {
		memset(&spec, 0, sizeof spec);
		spec.group_name = name;
		spec.description =
		        w == RECON_SG_LAMBDA
		                ? base_arena_sprintf(t, "Lambda %s: egress only to its VPC endpoints", x->fn)
		                : base_arena_sprintf(t, "VPC endpoints of Lambda %s: HTTPS from it only",
		                                     x->fn);
		spec.vpc_id = x->vpc;
		spec.tags = x->tags;
		rc = aws_ec2_create_security_group(x->c, t, &spec, &id, e);
		if (rc != BASE_OK)
			return rc;
	}
	lock(x);
	x->s->sgs[w].id = recon__cp(x->a, id);
	x->s->sgs[w].owned = true;
	x->s->sgs[w].tags = recon__cp_tags(x->a, x->tags);
	x->s->sgs[w].rules = NULL;
	x->s->sgs[w].n_rules = 0;
	unlock(x);
	/* AWS adds allow-all egress to every new group: remove it (IPv4 and IPv6). */
	memset(&all, 0, sizeof all);
	all.ip_protocol = "-1";
	all.omit_ports = true;
	all.cidr_ipv4 = (aws_strs){any4, 1};
	rc = aws_ec2_revoke_security_group(x->c, t, id, true, &all, 1, e);
	if (rc == BASE_ENOTFOUND)
		rc = BASE_OK;
	if (rc != BASE_OK)
		return rc;
	all.cidr_ipv4 = (aws_strs){NULL, 0};
	all.cidr_ipv6 = (aws_strs){any6, 1};
	{
		aws_error ig;
		int ig_rc = aws_ec2_revoke_security_group(x->c, t, id, true, &all, 1, &ig);
		(void)ig_rc; /* no IPv6 default rule in an IPv4-only VPC */
	}
	if (adopted) {
		/* Rules already there: record them so later steps see them. */
		aws_ec2_sg_rules rules;
		const char *gid[] = {id};
		aws_filter gf = flt("group-id", gid, 1);
		size_t i;
		rc = aws_ec2_describe_security_group_rules(x->c, t, (aws_strs){NULL, 0},
		                                           (aws_filters){&gf, 1}, &rules, e);
		if (rc != BASE_OK)
			return rc;
		for (i = 0; i < rules.n; i++) {
			recon_rule r = recon__rule_from_aws(t, &rules.v[i]);
			st_add_rule(x, w, &r);
		}
	}
	return BASE_OK;
}

static int step_sg_rule(struct ex *x, base_arena *t, const recon_step *st, bool authorize, aws_error *e)
{
	const char *gid = st_sg_id(x, st->sg);
	aws_ec2_ip_perm p;
	int rc;
	if (!gid) {
		if (!authorize)
			return BASE_OK;
		aws_error_setf(e, 0, "MissingDependency", "security group %s missing", st->key);
		return BASE_ENOTFOUND;
	}
	if (authorize && st->sg == RECON_SG_LAMBDA && st->rule.egress &&
	    base_str_eq(st->rule.peer, "@endpoint")) {
		/* Only useful when an interface endpoint of ours exists: every
		 * endpoint may have turned out to be reused. */
		bool any = false;
		size_t i;
		lock(x);
		for (i = 0; i < x->s->n_endpoints; i++)
			if (x->s->endpoints[i].owned && !x->s->endpoints[i].gateway)
				any = true;
		unlock(x);
		if (!any)
			return BASE_OK;
	}
	if (authorize)
		return authorize_rule(x, t, st->sg, gid, &st->rule, e);
	if (st->rule.rule_id) {
		const char *ids[] = {st->rule.rule_id};
		rc = aws_ec2_revoke_security_group_rules(x->c, t, gid, st->rule.egress, (aws_strs){ids, 1},
		                                         e);
	} else {
		rc = rule_perm(x, t, &st->rule, &p, e);
		if (rc == BASE_OK)
			rc = aws_ec2_revoke_security_group(x->c, t, gid, st->rule.egress, &p, 1, e);
	}
	if (rc == BASE_ENOTFOUND ||
	    (rc == BASE_EAWS && aws_error_is(e, "InvalidSecurityGroupRuleId.NotFound")))
		rc = BASE_OK;
	if (rc != BASE_OK)
		return rc;
	st_remove_rule(x, st->sg, &st->rule);
	return BASE_OK;
}

static int step_sg_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_sg_which w = strcmp(st->key, "endpoint") == 0 ? RECON_SG_ENDPOINT : RECON_SG_LAMBDA;
	const char *gid = st_sg_id(x, w);
	int rc;
	if (!gid)
		return BASE_OK;
	rc = delete_with_retry(x, t, gid, false, e);
	if (rc != BASE_OK) {
		if (rc == BASE_ETIMEOUT)
			ex_fail(x, st, rc, e,
			        "Security group %s is still in use when the delete timeout expired.", gid);
		return rc;
	}
	st_forget(x, &x->s->sgs[w], sizeof x->s->sgs[w]);
	return BASE_OK;
}

/* ======================================================================== */
/* VPC endpoints                                                            */

static const recon_endpoint_spec *desired_endpoint(struct ex *x, const char *service)
{
	size_t i;
	for (i = 0; x->d && i < x->d->n_endpoints; i++)
		if (base_str_eq(x->d->endpoints[i].service, service))
			return &x->d->endpoints[i];
	return NULL;
}

/* One desired subnet per AZ, in the order of subnet_cidr_blocks (an
 * interface endpoint takes at most one subnet per AZ). */
static aws_strs endpoint_subnets(struct ex *x, base_arena *t)
{
	const char **ids = base_arena_calloc(t, x->d->subnet_cidrs.n + 1, sizeof *ids);
	const char **azs = base_arena_calloc(t, x->d->subnet_cidrs.n + 1, sizeof *azs);
	size_t i, j, n = 0;
	for (i = 0; i < x->d->subnet_cidrs.n; i++) {
		const char *az = NULL, *id = st_subnet_id(x, x->d->subnet_cidrs.v[i], &az);
		bool dup = false;
		if (!id)
			continue;
		for (j = 0; j < n; j++)
			if (az && base_str_eq(azs[j], az))
				dup = true;
		if (dup)
			continue;
		azs[n] = az;
		ids[n++] = id;
	}
	return (aws_strs){ids, n};
}

static int describe_endpoint_id(struct ex *x, base_arena *t, const char *id, aws_ec2_vpce **out, aws_error *e)
{
	aws_ec2_vpces v;
	const char *ids[] = {id};
	/* By id (moto has no vpc-endpoint-id filter); not found = gone. */
	int rc = aws_ec2_describe_vpc_endpoints(x->c, t, (aws_strs){ids, 1}, (aws_filters){NULL, 0}, &v, e);
	*out = NULL;
	if (rc == BASE_ENOTFOUND)
		return BASE_OK;
	if (rc != BASE_OK)
		return rc;
	if (v.n > 0 && !recon__endpoint_state_gone(v.v[0].state))
		*out = &v.v[0]; /* cppcheck-suppress autoVariables ; v.v is in arena t, not on the stack */
	return BASE_OK;
}

/*
 * The state's endpoint of service (*cur; cur->id == NULL when the state has
 * none: nothing to do) and what AWS has of it now (*v; NULL when gone).
 */
static int endpoint_now(struct ex *x, base_arena *t, const char *service, recon_endpoint *cur,
                        aws_ec2_vpce **v, aws_error *e)
{
	*v = NULL;
	if (!st_endpoint(x, service, cur))
		memset(cur, 0, sizeof *cur);
	if (!cur->id)
		return BASE_OK;
	return describe_endpoint_id(x, t, cur->id, v, e);
}

struct ep_poll {
	struct ex *x;
	base_arena *t;
	const char *id;
	bool want_gone;
	aws_error *e;
};

static int poll_endpoint(void *ctx, bool *done)
{
	struct ep_poll *p = ctx;
	aws_ec2_vpces v;
	const char *ids[] = {p->id};
	int rc = aws_ec2_describe_vpc_endpoints(p->x->c, p->t, (aws_strs){ids, 1}, (aws_filters){NULL, 0}, &v,
	                                        p->e);
	if (rc == BASE_ENOTFOUND) {
		/* Gone - or, right after a create, not visible yet. */
		*done = p->want_gone;
		return BASE_OK;
	}
	if (rc != BASE_OK)
		return rc;
	if (p->want_gone) {
		*done = v.n == 0 || (v.v[0].state && strcasecmp(v.v[0].state, "deleted") == 0);
		return BASE_OK;
	}
	if (v.n == 0) {
		*done = false;
		return BASE_OK;
	}
	if (v.v[0].state &&
	    (strcasecmp(v.v[0].state, "failed") == 0 || strcasecmp(v.v[0].state, "rejected") == 0)) {
		aws_error_setf(p->e, 0, v.v[0].last_error_code ? v.v[0].last_error_code : "VpcEndpointFailed",
		               "VPC endpoint %s is %s: %s", p->id, v.v[0].state,
		               v.v[0].last_error_message ? v.v[0].last_error_message : "no reason given");
		return BASE_EAWS;
	}
	*done = !v.v[0].state || strcasecmp(v.v[0].state, "available") == 0 ||
	        strcasecmp(v.v[0].state, "pendingAcceptance") == 0;
	return BASE_OK;
}

static int wait_endpoint(struct ex *x, base_arena *t, const char *id, bool gone, aws_error *e)
{
	struct ep_poll p = {x, t, id, gone, e};
	recon_wait_cfg w = ex_wait_cfg(x, 1);
	return recon_wait_until(&x->clk, &w, poll_endpoint, &p, NULL);
}

/* Use an existing endpoint we did not create: never modify it, except the
 * bookkeeping between lambdavpc functions (README "Shared endpoints"). */
static int reuse_endpoint(struct ex *x, base_arena *t, const aws_ec2_vpce *v, aws_error *e)
{
	const char *lambda_sg = st_sg_id(x, RECON_SG_LAMBDA);
	size_t i;
	int rc;
	if (recon__tag(v->tags, RECON_OWNER_TAG) && lambda_sg) {
		/* Created by another lambdavpc function: register as a user and
		 * let our function in through its endpoint SG (rule tagged ours). */
		aws_tag use = {base_arena_sprintf(t, "%s%s", RECON_USER_TAG_PREFIX, x->fn), "true"};
		const char *ids[] = {v->vpc_endpoint_id};
		rc = aws_ec2_create_tags(x->c, t, (aws_strs){ids, 1}, (aws_tags){&use, 1}, e);
		if (rc != BASE_OK)
			return rc;
		for (i = 0; i < v->security_group_ids.n; i++) {
			recon_rule in = {false,
			                 "tcp",
			                 443,
			                 443,
			                 RECON_PEER_SG,
			                 "@lambda",
			                 "lambdavpc: HTTPS from a function reusing this endpoint",
			                 NULL,
			                 NULL};
			rc = authorize_rule(x, t, (recon_sg_which)99, v->security_group_ids.v[i], &in, e);
			if (rc != BASE_OK)
				return rc;
		}
	}
	if (lambda_sg)
		for (i = 0; i < v->security_group_ids.n; i++) {
			recon_rule out = {true,
			                  "tcp",
			                  443,
			                  443,
			                  RECON_PEER_SG,
			                  v->security_group_ids.v[i],
			                  "lambdavpc: HTTPS to reused endpoint",
			                  NULL,
			                  NULL};
			rc = authorize_rule(x, t, RECON_SG_LAMBDA, lambda_sg, &out, e);
			if (rc != BASE_OK)
				return rc;
		}
	st_set_endpoint(x, v, false);
	return BASE_OK;
}

static int step_ep_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const recon_endpoint_spec *es = desired_endpoint(x, st->key);
	const char *vpc[] = {x->vpc}, *svc[] = {st->key};
	aws_filter f[2];
	aws_ec2_vpces found;
	aws_ec2_vpce_spec spec;
	aws_ec2_vpce made;
	const aws_ec2_vpce *other = NULL;
	const char *one_sg[1], *one_rt[1];
	size_t i;
	int rc;
	bool retried = false;

	if (!es) {
		aws_error_setf(e, 0, "InvalidPlan", "endpoint %s is not desired", st->key);
		return BASE_EINVALID;
	}
again:
	f[0] = flt("vpc-id", vpc, 1);
	f[1] = flt("service-name", svc, 1);
	rc = aws_ec2_describe_vpc_endpoints(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &found, e);
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < found.n; i++) {
		const aws_ec2_vpce *v = &found.v[i];
		bool gw = v->type && strcasecmp(v->type, "Gateway") == 0;
		if (recon__endpoint_state_gone(v->state) || gw != es->gateway)
			continue;
		if (recon__owned_by(v->tags, x->fn)) {
			/* Ours from an interrupted apply: adopt. */
			st_set_endpoint(x, v, true);
			return wait_endpoint(x, t, v->vpc_endpoint_id, false, e);
		}
		if (!other)
			other = v;
	}
	/* Several gateway endpoints may coexist; interface ones with private DNS may not. */
	if (other && !es->gateway && (x->d->private_dns_enabled || x->d->reuse_existing_endpoints)) {
		if (x->d->reuse_existing_endpoints)
			return reuse_endpoint(x, t, other, e);
		ex_fail(x, st, BASE_ECONFLICT, e,
		        "VPC %s already has an interface endpoint for %s (%s) that this resource did not "
		        "create; "
		        "a second one with private DNS would conflict. Set reuse_existing_endpoints = true "
		        "to use it.",
		        x->vpc, st->key, other->vpc_endpoint_id);
		return BASE_ECONFLICT;
	}
	memset(&spec, 0, sizeof spec);
	spec.vpc_id = x->vpc;
	spec.service_name = st->key;
	spec.tags = x->tags;
	if (es->gateway) {
		one_rt[0] = st_rt_id(x);
		spec.type = "Gateway";
		spec.route_table_ids = (aws_strs){one_rt, one_rt[0] ? 1 : 0};
	} else {
		one_sg[0] = st_sg_id(x, RECON_SG_ENDPOINT);
		spec.type = "Interface";
		spec.subnet_ids = endpoint_subnets(x, t);
		spec.security_group_ids = (aws_strs){one_sg, one_sg[0] ? 1 : 0};
		spec.private_dns_enabled = x->d->private_dns_enabled ? AWS_BOOL_TRUE : AWS_BOOL_FALSE;
	}
	rc = aws_ec2_create_vpc_endpoint(x->c, t, &spec, &made, e);
	if (rc == BASE_EAWS && !retried && aws_error_is(e, "InvalidParameter") &&
	    err_msg_has(e, "conflicting DNS")) {
		/* Someone created one meanwhile (or a private hosted zone exists): look again. */
		retried = true;
		if (x->d->reuse_existing_endpoints)
			goto again;
	}
	if (rc != BASE_OK)
		return rc;
	if (!made.service_name)
		made.service_name = st->key;
	if (!made.type)
		made.type = spec.type;
	st_set_endpoint(x, &made, true);
	return wait_endpoint(x, t, made.vpc_endpoint_id, false, e);
}

static aws_strs strs_minus(base_arena *t, aws_strs a, aws_strs b)
{
	const char **v = base_arena_calloc(t, a.n + 1, sizeof *v);
	size_t i, j, n = 0;
	for (i = 0; i < a.n; i++) {
		bool in = false;
		for (j = 0; j < b.n; j++)
			if (base_str_eq(a.v[i], b.v[j]))
				in = true;
		if (!in)
			v[n++] = a.v[i];
	}
	return (aws_strs){v, n};
}

static int step_ep_sync(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_endpoint cur;
	aws_ec2_vpce *v;
	aws_ec2_vpce_mod mod;
	int rc;
	rc = endpoint_now(x, t, st->key, &cur, &v, e);
	if (rc != BASE_OK || !cur.id)
		return rc;
	if (!v) {
		st_remove_endpoint(x, st->key);
		return BASE_OK;
	}
	memset(&mod, 0, sizeof mod);
	mod.vpc_endpoint_id = cur.id;
	if (cur.gateway) {
		const char **rt = base_arena_calloc(t, 1, sizeof *rt);
		rt[0] = st_rt_id(x);
		mod.add_route_table_ids = strs_minus(t, (aws_strs){rt, rt[0] ? 1 : 0}, v->route_table_ids);
	} else {
		aws_strs want = endpoint_subnets(x, t);
		const char **sg = base_arena_calloc(t, 1, sizeof *sg);
		sg[0] = st_sg_id(x, RECON_SG_ENDPOINT);
		mod.add_subnet_ids = strs_minus(t, want, v->subnet_ids);
		mod.remove_subnet_ids = strs_minus(t, v->subnet_ids, want);
		mod.add_security_group_ids =
		        strs_minus(t, (aws_strs){sg, sg[0] ? 1 : 0}, v->security_group_ids);
		mod.remove_security_group_ids =
		        strs_minus(t, v->security_group_ids, (aws_strs){sg, sg[0] ? 1 : 0});
		if (v->private_dns_enabled != x->d->private_dns_enabled)
			mod.private_dns_enabled = x->d->private_dns_enabled ? AWS_BOOL_TRUE : AWS_BOOL_FALSE;
	}
	if (mod.add_route_table_ids.n || mod.add_subnet_ids.n || mod.remove_subnet_ids.n ||
	    mod.add_security_group_ids.n || mod.remove_security_group_ids.n || mod.private_dns_enabled) {
		rc = aws_ec2_modify_vpc_endpoint(x->c, t, &mod, e);
		if (rc != BASE_OK)
			return rc;
		rc = wait_endpoint(x, t, cur.id, false, e);
		if (rc != BASE_OK)
			return rc;
		rc = describe_endpoint_id(x, t, cur.id, &v, e);
		if (rc != BASE_OK)
			return rc;
		if (!v)
			return BASE_OK;
	}
	st_set_endpoint(x, v, true);
	return BASE_OK;
}

/* Another lambdavpc function that registered as a user of endpoint v, or NULL. */
static const char *other_user(base_arena *t, const aws_ec2_vpce *v, const char *fn)
{
	size_t i, plen = strlen(RECON_USER_TAG_PREFIX);
	for (i = 0; i < v->tags.n; i++) {
		const char *k = v->tags.v[i].key;
		if (base_str_has_prefix(k, RECON_USER_TAG_PREFIX) && strcmp(k + plen, fn) != 0)
			return base_arena_strdup(t, k + plen);
	}
	return NULL;
}

/* Hands an endpoint over to another function of ours that still uses it. */
static int handover_endpoint(struct ex *x, base_arena *t, const aws_ec2_vpce *v, const char *to, aws_error *e)
{
	const char *ids[] = {v->vpc_endpoint_id};
	aws_tag owner = {RECON_OWNER_TAG, to};
	aws_tag use = {base_arena_sprintf(t, "%s%s", RECON_USER_TAG_PREFIX, to), NULL};
	bool gw = v->type && strcasecmp(v->type, "Gateway") == 0;
	int rc;
	if (!gw && x->vpc) {
		aws_ec2_sgs sgs;
		const char *vpc[] = {x->vpc}, *nm[] = {recon_sg_name(t, to, RECON_SG_ENDPOINT)};
		aws_filter f[2];
		f[0] = flt("vpc-id", vpc, 1);
		f[1] = flt("group-name", nm, 1);
		rc = aws_ec2_describe_security_groups(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &sgs,
		                                      e);
		if (rc != BASE_OK)
			return rc;
		if (sgs.n > 0) {
			aws_ec2_vpce_mod mod;
			const char *add[] = {sgs.v[0].group_id};
			memset(&mod, 0, sizeof mod);
			mod.vpc_endpoint_id = v->vpc_endpoint_id;
			mod.add_security_group_ids = (aws_strs){add, 1};
			mod.remove_security_group_ids =
			        strs_minus(t, v->security_group_ids, (aws_strs){add, 1});
			rc = aws_ec2_modify_vpc_endpoint(x->c, t, &mod, e);
			if (rc != BASE_OK)
				return rc;
		}
	}
	rc = aws_ec2_create_tags(x->c, t, (aws_strs){ids, 1}, (aws_tags){&owner, 1}, e);
	if (rc == BASE_OK)
		rc = aws_ec2_delete_tags(x->c, t, (aws_strs){ids, 1}, (aws_tags){&use, 1}, e);
	return rc;
}

static int step_ep_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_endpoint cur;
	aws_ec2_vpce *v;
	aws_ec2_failed_items failed;
	const char *to, *ids[1];
	size_t i;
	int rc;
	rc = endpoint_now(x, t, st->key, &cur, &v, e);
	if (rc != BASE_OK || !cur.id)
		return rc;
	if (!v)
		goto gone;
	to = other_user(t, v, x->fn);
	if (to) {
		rc = handover_endpoint(x, t, v, to, e);
		if (rc != BASE_OK)
			return rc;
		goto gone;
	}
	ids[0] = cur.id;
	rc = aws_ec2_delete_vpc_endpoints(x->c, t, (aws_strs){ids, 1}, &failed, e);
	if (rc == BASE_ENOTFOUND)
		goto gone;
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < failed.n; i++)
		if (!base_str_eq(failed.v[i].code, "InvalidVpcEndpoint.NotFound") &&
		    !base_str_eq(failed.v[i].code, "InvalidVpcEndpointId.NotFound")) {
			aws_error_setf(e, 400, failed.v[i].code ? failed.v[i].code : "DeleteFailed", "%s",
			               failed.v[i].message ? failed.v[i].message
			                                   : "DeleteVpcEndpoints failed");
			return BASE_EAWS;
		}
	rc = wait_endpoint(x, t, cur.id, true, e);
	if (rc != BASE_OK)
		return rc;
gone:
	st_remove_endpoint(x, st->key);
	return BASE_OK;
}

static int step_ep_release(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_endpoint cur;
	aws_ec2_vpce *v;
	const char *use_key;
	int rc;
	rc = endpoint_now(x, t, st->key, &cur, &v, e);
	if (rc != BASE_OK || !cur.id)
		return rc;
	use_key = base_arena_sprintf(t, "%s%s", RECON_USER_TAG_PREFIX, x->fn);
	if (v && recon__tag(v->tags, use_key)) {
		aws_tag use = {use_key, NULL};
		const char *ids[] = {cur.id}, *fn[] = {x->fn};
		aws_ec2_sg_rules rules;
		aws_filter f[2];
		size_t i;
		rc = aws_ec2_delete_tags(x->c, t, (aws_strs){ids, 1}, (aws_tags){&use, 1}, e);
		if (rc != BASE_OK && rc != BASE_ENOTFOUND)
			return rc;
		if (v->security_group_ids.n) {
			/* The ingress rules we added to its SGs carry our tag. */
			f[0] = flt("group-id", v->security_group_ids.v, v->security_group_ids.n);
			f[1] = flt(base_arena_sprintf(t, "tag:%s", RECON_OWNER_TAG), fn, 1);
			rc = aws_ec2_describe_security_group_rules(x->c, t, (aws_strs){NULL, 0},
			                                           (aws_filters){f, 2}, &rules, e);
			if (rc != BASE_OK)
				return rc;
			for (i = 0; i < rules.n; i++) {
				const char *rid[] = {rules.v[i].rule_id};
				rc = aws_ec2_revoke_security_group_rules(x->c, t, rules.v[i].group_id,
				                                         rules.v[i].is_egress,
				                                         (aws_strs){rid, 1}, e);
				if (rc != BASE_OK && rc != BASE_ENOTFOUND &&
				    !aws_error_is(e, "InvalidSecurityGroupRuleId.NotFound"))
					return rc;
			}
		}
	}
	st_remove_endpoint(x, st->key);
	return BASE_OK;
}

/* ======================================================================== */
/* function                                                                 */

static void fn_spec(struct ex *x, base_arena *t, aws_lambda_function_spec *sp)
{
	const recon_function_spec *f = &x->d->fn;
	const char **subs = base_arena_calloc(t, x->d->subnet_cidrs.n + 1, sizeof *subs);
	const char **sgs = base_arena_calloc(t, 1, sizeof *sgs);
	size_t i, n = 0;
	memset(sp, 0, sizeof *sp);
	sp->function_name = x->fn;
	lock(x);
	sp->role = x->s->role.arn;
	unlock(x);
	sp->runtime = f->runtime;
	sp->handler = f->handler;
	sp->code.zip = f->zip;
	sp->code.zip_len = f->zip_len;
	sp->code.s3_bucket = f->s3_bucket;
	sp->code.s3_key = f->s3_key;
	sp->code.s3_object_version = f->s3_object_version;
	sp->code.image_uri = f->image_uri;
	sp->package_type = f->package_type;
	sp->architectures = f->architectures;
	sp->memory_size = f->memory_size;
	sp->timeout = f->timeout;
	sp->environment = f->environment;
	sp->description = f->description;
	sp->layers = f->layers;
	sp->publish = AWS_BOOL_UNSET; /* versions come from function.publish only */
	sp->kms_key_arn = f->kms_key_arn;
	sp->tracing_mode = f->tracing_mode;
	sp->dead_letter_target_arn = f->dead_letter_target_arn;
	sp->ephemeral_storage_size = f->ephemeral_storage;
	sp->logging.log_format = f->logging.log_format;
	sp->logging.log_group = f->logging.log_group;
	sp->logging.application_log_level = f->logging.application_log_level;
	sp->logging.system_log_level = f->logging.system_log_level;
	for (i = 0; i < x->d->subnet_cidrs.n; i++) {
		const char *id = st_subnet_id(x, x->d->subnet_cidrs.v[i], NULL);
		if (id)
			subs[n++] = id;
	}
	sp->subnet_ids = (aws_strs){subs, n};
	sgs[0] = st_sg_id(x, RECON_SG_LAMBDA);
	sp->security_group_ids = (aws_strs){sgs, sgs[0] ? 1 : 0};
	sp->tags = x->tags;
}

/* Errors Lambda returns while IAM / EC2 catch up (AWS.md 3.1): retry. */
static bool lambda_retryable(const aws_error *e)
{
	if (aws_error_is(e, "InvalidParameterValueException"))
		return err_msg_has(e, "cannot be assumed by Lambda") ||
		       err_msg_has(e, "execution role does not have permissions") ||
		       err_msg_has(e, "throttled by EC2") ||
		       err_msg_has(e, "KMS key is invalid for CreateGrant");
	if (aws_error_is(e, "ResourceConflictException"))
		return !err_msg_has(e, "already exist");
	return false;
}

struct fn_poll {
	struct ex *x;
	base_arena *t;
	bool update; /* wait LastUpdateStatus, else State */
	aws_error *e;
};

static int poll_function(void *ctx, bool *done)
{
	struct fn_poll *p = ctx;
	aws_lambda_function f;
	int rc = aws_lambda_get_function_configuration(p->x->c, p->t, p->x->fn, &f, p->e);
	if (rc != BASE_OK)
		return rc;
	if (base_str_eq(f.state, "Failed") || (p->update && base_str_eq(f.last_update_status, "Failed"))) {
		const char *code = p->update && base_str_eq(f.last_update_status, "Failed")
		                           ? f.last_update_status_reason_code
		                           : f.state_reason_code;
		const char *why = p->update && base_str_eq(f.last_update_status, "Failed")
		                          ? f.last_update_status_reason
		                          : f.state_reason;
		aws_error_setf(p->e, 0, code ? code : "FunctionFailed", "%s: %s", code ? code : "Failed",
		               why ? why : "no reason given");
		return BASE_EAWS;
	}
	if (p->update)
		*done = f.last_update_status && strcmp(f.last_update_status, "InProgress") != 0;
	else
		*done = !f.state || strcmp(f.state, "Active") == 0 ||
		        strcmp(f.state, "ActiveNonInvocable") == 0 || strcmp(f.state, "Inactive") == 0;
	return BASE_OK;
}

static int wait_function(struct ex *x, base_arena *t, bool update, aws_error *e)
{
	struct fn_poll p = {x, t, update, e};
	recon_wait_cfg w = ex_wait_cfg(x, 1);
	return recon_wait_until(&x->clk, &w, poll_function, &p, NULL);
}

/* GetFunction into the state (owned). */
static int refresh_function(struct ex *x, base_arena *t, aws_error *e)
{
	aws_lambda_function f;
	int rc = aws_lambda_get_function(x->c, t, x->fn, &f, e);
	if (rc != BASE_OK)
		return rc;
	lock(x);
	recon_observe_function_from_aws(x->a, &f, &x->s->fn);
	x->s->fn.owned = true;
	unlock(x);
	return BASE_OK;
}

enum fn_op { FN_OP_CREATE, FN_OP_CONFIG, FN_OP_CODE, FN_OP_PUBLISH };

/* One Lambda mutation, retried while IAM / EC2 catch up; *out = the reply. */
static int fn_call(struct ex *x, base_arena *t, enum fn_op op, const recon_step *st, aws_lambda_function *out,
                   aws_error *e)
{
	aws_lambda_function_spec sp;
	recon_wait_cfg w = ex_wait_cfg(x, 1);
	recon_backoff b;
	int rc;
	fn_spec(x, t, &sp);
	recon_backoff_init(&b, &x->clk, &w);
	for (;;) {
		if (op == FN_OP_CREATE)
			rc = aws_lambda_create_function(x->c, t, &sp, out, e);
		else if (op == FN_OP_CONFIG)
			rc = aws_lambda_update_function_configuration(x->c, t, &sp, out, e);
		else if (op == FN_OP_CODE)
			rc = aws_lambda_update_function_code(x->c, t, &sp, out, e);
		else
			rc = aws_lambda_publish_version(x->c, t, x->fn, out, e);
		if (rc == BASE_EAWS && lambda_retryable(e)) {
			int brc = recon_backoff_sleep(&b);
			if (brc == BASE_OK)
				continue;
			if (brc == BASE_ETIMEOUT)
				ex_fail(x, st, BASE_ETIMEOUT, e,
				        "Lambda kept refusing the change until the timeout (%s). If the role "
				        "was just "
				        "created, IAM propagation can take minutes.",
				        e->message);
			return brc;
		}
		break;
	}
	if (rc == BASE_EAWS && op == FN_OP_CREATE && aws_error_is(e, "ResourceConflictException")) {
		/* It exists: ours from an interrupted apply, or someone else's. */
		aws_lambda_function f;
		rc = aws_lambda_get_function(x->c, t, x->fn, &f, e);
		if (rc != BASE_OK)
			return rc;
		if (!recon__owned_by(f.tags, x->fn)) {
			ex_fail(x, st, BASE_ECONFLICT, e,
			        "Lambda function %s already exists and is not managed by lambdavpc (no tag "
			        "%s). "
			        "Import it or choose another function_name.",
			        x->fn, RECON_OWNER_TAG);
			return BASE_ECONFLICT;
		}
	} else if (rc != BASE_OK) {
		return rc;
	}
	return BASE_OK;
}

static int step_fn_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_lambda_function out;
	int rc = fn_call(x, t, FN_OP_CREATE, st, &out, e);
	if (rc != BASE_OK)
		return rc;
	/*
	 * Record what the reply says at once (name, ARN, code hash, settings), so
	 * a failed or cancelled wait still leaves the function in the state. The
	 * reply carries no tags: the ones we sent (ownership included) are
	 * recorded; a published version already known is kept.
	 */
	lock(x);
	{
		recon_function *f = &x->s->fn;
		const char *version = recon_version_published(f->version) ? f->version : NULL;
		recon_observe_function_from_aws(x->a, &out, f);
		if (!f->name)
			f->name = recon__cp(x->a, x->fn);
		if (version)
			f->version = version;
		f->tags = recon__cp_tags(x->a, x->tags);
		f->owned = true;
	}
	unlock(x);
	rc = wait_function(x, t, false, e);
	if (rc == BASE_OK)
		rc = refresh_function(x, t, e);
	return rc;
}

static int step_fn_update(struct ex *x, base_arena *t, const recon_step *st, bool code, aws_error *e)
{
	aws_lambda_function out;
	int rc = wait_function(x, t, true, e);
	if (rc == BASE_OK)
		rc = fn_call(x, t, code ? FN_OP_CODE : FN_OP_CONFIG, st, &out, e);
	if (rc == BASE_OK)
		rc = wait_function(x, t, true, e);
	if (rc == BASE_OK)
		rc = refresh_function(x, t, e);
	return rc;
}

/* PublishVersion once the last update settled; the state keeps the number
 * (GetFunction only ever reports $LATEST). */
static int step_fn_publish(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_lambda_function out;
	int rc = wait_function(x, t, true, e);
	if (rc == BASE_OK)
		rc = fn_call(x, t, FN_OP_PUBLISH, st, &out, e);
	if (rc != BASE_OK)
		return rc;
	if (!recon_version_published(out.version)) {
		aws_error_setf(e, 0, "InvalidResponse", "PublishVersion returned version %s",
		               out.version ? out.version : "(none)");
		return BASE_EAWS;
	}
	lock(x);
	x->s->fn.version = recon__cp(x->a, out.version);
	unlock(x);
	return BASE_OK;
}

static int step_fn_concurrency(struct ex *x, base_arena *t, aws_error *e)
{
	int n = x->d->fn.reserved_concurrency, rc;
	if (n >= 0)
		rc = aws_lambda_put_function_concurrency(x->c, t, x->fn, n, e);
	else {
		rc = aws_lambda_delete_function_concurrency(x->c, t, x->fn, e);
		if (rc == BASE_ENOTFOUND)
			rc = BASE_OK;
	}
	if (rc != BASE_OK)
		return rc;
	lock(x);
	x->s->fn.cfg.reserved_concurrency = n;
	unlock(x);
	return BASE_OK;
}

struct gone_poll {
	struct ex *x;
	base_arena *t;
	aws_error *e;
};

static int poll_fn_gone(void *ctx, bool *done)
{
	struct gone_poll *p = ctx;
	aws_lambda_function f;
	int rc = aws_lambda_get_function_configuration(p->x->c, p->t, p->x->fn, &f, p->e);
	if (rc == BASE_ENOTFOUND) {
		*done = true;
		return BASE_OK;
	}
	*done = false;
	return rc;
}

static int step_fn_delete(struct ex *x, base_arena *t, aws_error *e)
{
	recon_wait_cfg w = ex_wait_cfg(x, 1);
	recon_backoff b;
	struct gone_poll gp = {x, t, e};
	int rc;
	recon_backoff_init(&b, &x->clk, &w);
	for (;;) {
		rc = aws_lambda_delete_function(x->c, t, x->fn, e);
		if (rc == BASE_EAWS && aws_error_is(e, "ResourceConflictException") &&
		    recon_backoff_sleep(&b) == BASE_OK)
			continue;
		break;
	}
	if (rc != BASE_OK && rc != BASE_ENOTFOUND)
		return rc;
	rc = recon_wait_until(&x->clk, &w, poll_fn_gone, &gp, NULL);
	if (rc != BASE_OK)
		return rc;
	st_forget(x, &x->s->fn, sizeof x->s->fn);
	return BASE_OK;
}

/* ======================================================================== */
/* ENIs and tags                                                            */

static int step_eni_wait(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const char **sgs = base_arena_calloc(t, 2, sizeof *sgs), **subs, *enis = "";
	size_t i, n_sg = 0, n_sub = 0;
	int rc, w;
	lock(x);
	for (w = 0; w < 2; w++)
		if (x->s->sgs[w].id)
			sgs[n_sg++] = x->s->sgs[w].id;
	subs = base_arena_calloc(t, x->s->n_subnets + 1, sizeof *subs);
	for (i = 0; i < x->s->n_subnets; i++)
		if (x->s->subnets[i].id && x->s->subnets[i].owned)
			subs[n_sub++] = x->s->subnets[i].id;
	unlock(x);
	rc = wait_enis(x, t, (aws_strs){sgs, n_sg}, (aws_strs){subs, n_sub}, &enis, e);
	if (rc == BASE_ETIMEOUT)
		ex_fail(x, st, rc, e,
		        "Lambda network interfaces%s%s still use the security groups/subnets of %s when "
		        "the delete timeout expired (AWS releases them asynchronously, up to ~45 "
		        "minutes). Run destroy again.",
		        *enis ? " " : "", enis, x->fn);
	return rc;
}

/* Keys of observed that want lacks (ignoring aws:* and user-registration tags). */
static aws_strs extra_keys(base_arena *t, aws_tags want, aws_tags have)
{
	const char **v = base_arena_calloc(t, have.n + 1, sizeof *v);
	size_t i, n = 0;
	for (i = 0; i < have.n; i++) {
		const char *k = have.v[i].key;
		if (base_str_has_prefix(k, "aws:") || base_str_has_prefix(k, RECON_USER_TAG_PREFIX))
			continue;
		if (!recon__tag(want, k))
			v[n++] = k;
	}
	return (aws_strs){v, n};
}

static int step_tags(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const char *k = st->key, *id = NULL;
	aws_tags have = {NULL, 0}, *slot = NULL;
	aws_strs extra;
	int rc;
	lock(x);
	if (strcmp(k, "role") == 0) {
		id = x->s->role.name;
		have = x->s->role.tags;
		slot = &x->s->role.tags;
	} else if (strcmp(k, "function") == 0) {
		id = x->s->fn.arn;
		have = x->s->fn.tags;
		slot = &x->s->fn.tags;
	} else if (strcmp(k, "rt") == 0) {
		id = x->s->rt.id;
		have = x->s->rt.tags;
		slot = &x->s->rt.tags;
	} else if (strcmp(k, "sg:lambda") == 0 || strcmp(k, "sg:endpoint") == 0) {
		recon_sg *g = &x->s->sgs[strcmp(k, "sg:endpoint") == 0 ? RECON_SG_ENDPOINT : RECON_SG_LAMBDA];
		id = g->id;
		have = g->tags;
		slot = &g->tags;
	} else if (base_str_has_prefix(k, "subnet:")) {
		size_t i;
		for (i = 0; i < x->s->n_subnets; i++)
			if (base_str_eq(x->s->subnets[i].cidr, k + 7)) {
				id = x->s->subnets[i].id;
				have = x->s->subnets[i].tags;
				slot = &x->s->subnets[i].tags;
			}
	} else if (base_str_has_prefix(k, "endpoint:")) {
		size_t i;
		for (i = 0; i < x->s->n_endpoints; i++)
			if (base_str_eq(x->s->endpoints[i].service, k + 9)) {
				id = x->s->endpoints[i].id;
				have = x->s->endpoints[i].tags;
				slot = &x->s->endpoints[i].tags;
			}
	}
	unlock(x);
	if (!id)
		return BASE_OK;
	extra = extra_keys(t, x->tags, have);
	if (strcmp(k, "role") == 0) {
		rc = aws_iam_tag_role(x->c, t, id, x->tags, e);
		if (rc == BASE_OK && extra.n)
			rc = aws_iam_untag_role(x->c, t, id, extra, e);
	} else if (strcmp(k, "function") == 0) {
		rc = aws_lambda_tag_resource(x->c, t, id, x->tags, e);
		if (rc == BASE_OK && extra.n)
			rc = aws_lambda_untag_resource(x->c, t, id, extra, e);
	} else {
		const char *ids[] = {id};
		rc = aws_ec2_create_tags(x->c, t, (aws_strs){ids, 1}, x->tags, e);
		if (rc == BASE_OK && extra.n) {
			aws_tag *del = base_arena_calloc(t, extra.n, sizeof *del);
			size_t i;
			for (i = 0; i < extra.n; i++)
				del[i].key = extra.v[i];
			rc = aws_ec2_delete_tags(x->c, t, (aws_strs){ids, 1}, (aws_tags){del, extra.n}, e);
		}
	}
	if (rc != BASE_OK)
		return rc;
	lock(x);
	*slot = recon__cp_tags(x->a, x->tags);
	unlock(x);
	return BASE_OK;
}

/* ======================================================================== */
/* dispatch                                                                 */

static int ex_run(void *ctx, size_t i)
{
	struct ex *x = ctx;
	const recon_step *st = &x->p->v[i];
	base_arena *t = base_arena_new();
	aws_error e;
	int rc;

	aws_error_clear(&e);
	BASE_DEBUG("recon", "step %zu %s %s", i, recon_step_kind_name(st->kind), st->key ? st->key : "");
	switch (st->kind) {
	case RECON_STEP_ROLE_CREATE:
		rc = step_role_create(x, t, st, &e);
		break;
	case RECON_STEP_ROLE_ATTACH:
		rc = step_role_attach(x, t, st, true, &e);
		break;
	case RECON_STEP_ROLE_DETACH:
		rc = step_role_attach(x, t, st, false, &e);
		break;
	case RECON_STEP_ROLE_PUT_INLINE:
		rc = step_role_inline(x, t, st, true, &e);
		break;
	case RECON_STEP_ROLE_DELETE_INLINE:
		rc = step_role_inline(x, t, st, false, &e);
		break;
	case RECON_STEP_ROLE_BOUNDARY:
		rc = step_role_boundary(x, t, st, &e);
		break;
	case RECON_STEP_ROLE_DELETE:
		rc = step_role_delete(x, t, st, &e);
		break;
	case RECON_STEP_SUBNET_CREATE:
		rc = step_subnet_create(x, t, st, &e);
		break;
	case RECON_STEP_SUBNET_DELETE:
		rc = step_subnet_delete(x, t, st, &e);
		break;
	case RECON_STEP_RT_CREATE:
		rc = step_rt_create(x, t, &e);
		break;
	case RECON_STEP_RT_ASSOCIATE:
		rc = step_rt_associate(x, t, st, &e);
		break;
	case RECON_STEP_RT_DELETE:
		rc = step_rt_delete(x, t, &e);
		break;
	case RECON_STEP_SG_CREATE:
		rc = step_sg_create(x, t, st, &e);
		break;
	case RECON_STEP_SG_AUTHORIZE:
		rc = step_sg_rule(x, t, st, true, &e);
		break;
	case RECON_STEP_SG_REVOKE:
		rc = step_sg_rule(x, t, st, false, &e);
		break;
	case RECON_STEP_SG_DELETE:
		rc = step_sg_delete(x, t, st, &e);
		break;
	case RECON_STEP_EP_CREATE:
		rc = step_ep_create(x, t, st, &e);
		break;
	case RECON_STEP_EP_SYNC:
		rc = step_ep_sync(x, t, st, &e);
		break;
	case RECON_STEP_EP_DELETE:
		rc = step_ep_delete(x, t, st, &e);
		break;
	case RECON_STEP_EP_RELEASE:
		rc = step_ep_release(x, t, st, &e);
		break;
	case RECON_STEP_FN_CREATE:
		rc = step_fn_create(x, t, st, &e);
		break;
	case RECON_STEP_FN_CONFIG:
		rc = step_fn_update(x, t, st, false, &e);
		break;
	case RECON_STEP_FN_CODE:
		rc = step_fn_update(x, t, st, true, &e);
		break;
	case RECON_STEP_FN_CONCURRENCY:
		rc = step_fn_concurrency(x, t, &e);
		break;
	case RECON_STEP_FN_PUBLISH:
		rc = step_fn_publish(x, t, st, &e);
		break;
	case RECON_STEP_FN_DELETE:
		rc = step_fn_delete(x, t, &e);
		break;
	case RECON_STEP_ENI_WAIT:
		rc = step_eni_wait(x, t, st, &e);
		break;
	case RECON_STEP_TAGS:
		rc = step_tags(x, t, st, &e);
		break;
	default:
		aws_error_setf(&e, 0, "InvalidPlan", "unknown step kind %d", (int)st->kind);
		rc = BASE_EINVALID;
		break;
	}
	if (rc != BASE_OK)
		ex_fail(x, st, rc, &e, "%s %s failed: %s", recon_step_kind_name(st->kind),
		        st->key ? st->key : "", e.message[0] ? e.message : base_err_str(rc));
	base_arena_free(t);
	return rc;
}

static bool ex_cancelled(void *ctx)
{
	struct ex *x = ctx;
	return aws_client_cancelled(x->c);
}

int recon_exec_plan(aws_client *c, base_arena *a, const recon_desired *d, const recon_plan *plan,
                    recon_state *state, const recon_options *opts, recon_failure *fail)
{
	struct ex x;
	recon_options none;
	recon_engine_task *tasks = NULL;
	recon_task_status *st = NULL;
	recon_engine_cfg cfg;
	aws_tag *owner;
	uint64_t budget;
	size_t i;
	int rc;

	memset(&none, 0, sizeof none);
	if (!opts)
		opts = &none;
	memset(fail, 0, sizeof *fail);
	memset(&x, 0, sizeof x);
	x.c = c;
	x.a = a;
	x.d = d;
	x.s = state;
	x.p = plan;
	x.fail = fail;
	x.fn = d ? d->function_name : state->function_name ? state->function_name : state->fn.name;
	x.vpc = d ? d->vpc_id : state->vpc_id;
	if (!x.fn) {
		fail->code = BASE_EINVALID;
		snprintf(fail->detail, sizeof fail->detail,
		         "no function name in the desired bundle or state");
		return BASE_EINVALID;
	}
	if (opts->clock) {
		x.clk = *opts->clock;
	} else {
		x.clk.now_ms = real_now;
		x.clk.sleep_ms = real_sleep;
		x.clk.ctx = c;
	}
	x.poll_cap = opts->poll_cap_ms ? opts->poll_cap_ms : 5000;
	budget = opts->timeout_ms;
	if (!budget && d)
		budget = state->fn.name ? d->timeouts.update_ms : d->timeouts.create_ms;
	if (!budget && !d && state)
		budget = MIN_45;
	if (!budget)
		budget = MIN_10;
	x.deadline = x.clk.now_ms(x.clk.ctx) + budget;
	owner = base_arena_calloc(a, 1, sizeof *owner);
	owner->key = RECON_OWNER_TAG;
	owner->value = x.fn;
	x.rule_tags = (aws_tags){owner, 1};
	x.tags = d ? recon_owned_tags(a, d) : x.rule_tags;
	pthread_mutex_init(&x.mu, NULL);

	if (opts->log_plan && base_log_enabled(BASE_LOG_DEBUG)) {
		base_buf b;
		base_buf_init(&b, 1 << 20);
		if (recon_plan_format(plan, &b) == BASE_OK)
			BASE_DEBUG("recon", "plan for %s:\n%s", x.fn, base_buf_cstr(&b));
		base_buf_dispose(&b);
	}
	tasks = base_arena_calloc(a, plan->n + 1, sizeof *tasks);
	st = base_arena_calloc(a, plan->n + 1, sizeof *st);
	for (i = 0; i < plan->n; i++) {
		tasks[i].deps = plan->v[i].deps;
		tasks[i].n_deps = plan->v[i].n_deps;
	}
	cfg.workers = opts->workers ? opts->workers : 6;
	cfg.run = ex_run;
	cfg.cancelled = ex_cancelled;
	cfg.ctx = &x;
	rc = recon_engine_run(&cfg, tasks, plan->n, st, NULL, NULL);
	if (rc != BASE_OK && !x.failed) {
		fail->code = rc;
		snprintf(fail->detail, sizeof fail->detail, "%s",
		         rc == BASE_ECANCELLED
		                 ? "The operation was cancelled (Terraform asked the provider to stop)."
		                 : base_err_str(rc));
	}
	if (rc != BASE_OK && x.failed && fail->code != 0)
		rc = fail->code;
	pthread_mutex_destroy(&x.mu);
	return rc;
}

int recon_apply(aws_client *c, base_arena *a, const recon_desired *d, recon_state *state,
                const recon_options *opts, recon_failure *fail)
{
	recon_plan plan = {0};
	int rc;
	memset(fail, 0, sizeof *fail);
	rc = recon_diff_apply(a, d, state, &plan);
	if (rc != BASE_OK) {
		fail->code = rc;
		snprintf(fail->detail, sizeof fail->detail, "function_name and vpc_id are required");
		return rc;
	}
	state->function_name = recon__cp(a, d->function_name);
	state->vpc_id = recon__cp(a, d->vpc_id);
	return recon_exec_plan(c, a, d, &plan, state, opts, fail);
}

int recon_destroy(aws_client *c, base_arena *a, recon_state *state, const recon_options *opts,
                  recon_failure *fail)
{
	recon_plan plan = {0};
	int rc;
	memset(fail, 0, sizeof *fail);
	rc = recon_diff_destroy(a, state, &plan);
	if (rc != BASE_OK)
		return rc;
	if (plan.n == 0)
		return BASE_OK;
	return recon_exec_plan(c, a, NULL, &plan, state, opts, fail);
}
