/*
 * recon_endpoint.c - the VPC endpoint part: observe, diff, and the steps
 * create and sync. Gateway endpoints (s3, dynamodb) are the function's own,
 * on its route table. Interface endpoints are shared by the VPC's lambdavpc
 * functions: joining, leaving and deleting them is recon_endpoint_share.c.
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_int.h"

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
aws_strs recon__ep_own_subnets(struct ex *x, base_arena *t, aws_strs *azs_out)
{
	const char **ids = base_arena_calloc(t, x->d->subnet_cidrs.n + 1, sizeof *ids);
	const char **azs = base_arena_calloc(t, x->d->subnet_cidrs.n + 1, sizeof *azs);
	size_t i, j, n = 0;
	for (i = 0; i < x->d->subnet_cidrs.n; i++) {
		const char *az = NULL, *id = recon__st_subnet_id(x, x->d->subnet_cidrs.v[i], &az);
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
	if (azs_out)
		*azs_out = (aws_strs){azs, n};
	return (aws_strs){ids, n};
}

/* Endpoint id as v->v[0] (v->n = 0 when not listed). by_vpc: list the
 * VPC's endpoints and pick id, so that every resource asking about an
 * endpoint of the VPC sends the same request and concurrent ones share one
 * call (aws_memo.c); else by id (moto has no vpc-endpoint-id filter). */
static int describe_one(struct ex *x, base_arena *t, const char *id, bool by_vpc, aws_ec2_vpces *v,
                        aws_error *e)
{
	const char *ids[] = {id}, *vpc[] = {x->vpc};
	aws_filter f = recon__flt("vpc-id", vpc, 1);
	aws_ec2_vpces all;
	size_t i;
	int rc;
	if (!by_vpc || !x->vpc)
		return aws_ec2_describe_vpc_endpoints(x->c, t, (aws_strs){ids, 1}, (aws_filters){NULL, 0}, v,
		                                      e);
	rc = aws_ec2_describe_vpc_endpoints(x->c, t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &all, e);
	v->n = 0;
	v->v = NULL;
	for (i = 0; rc == BASE_OK && i < all.n; i++)
		if (base_str_eq(all.v[i].vpc_endpoint_id, id)) {
			v->v = &all.v[i]; /* cppcheck-suppress autoVariables ; all.v is in arena t */
			v->n = 1;
		}
	return rc;
}

int recon__ep_describe(struct ex *x, base_arena *t, const char *id, aws_ec2_vpce **out, aws_error *e)
{
	aws_ec2_vpces v;
	/* The VPC's endpoints when it is known: the endpoint steps of a
	 * function (one per service) and of the functions leaving with it ask
	 * at the same time. Not found = gone. */
	int rc = describe_one(x, t, id, true, &v, e);
	*out = NULL;
	if (recon__gone(rc, e))
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
int recon__ep_now(struct ex *x, base_arena *t, const char *service, recon_endpoint *cur, aws_ec2_vpce **v,
                  aws_error *e)
{
	*v = NULL;
	if (!recon__st_endpoint(x, service, cur))
		memset(cur, 0, sizeof *cur);
	if (!cur->id)
		return BASE_OK;
	return recon__ep_describe(x, t, cur->id, v, e);
}

struct ep_poll {
	struct ex *x;
	base_arena *t;
	const char *id;
	bool want_gone;
	aws_error *e;
	bool *vanished; /* a wait for available: set and done when it is being deleted */
};

/* The polled endpoint as v.v[0] (v.n = 0 when not listed). A wait for a
 * delete lists the VPC's endpoints (concurrent polls of the VPC share one
 * call); a wait for a create asks by id (a new endpoint may be "not found"
 * for a while, AWS.md). */
static int poll_describe(struct ep_poll *p, aws_ec2_vpces *v)
{
	return describe_one(p->x, p->t, p->id, p->want_gone, v, p->e);
}

static int poll_endpoint(void *ctx, bool *done)
{
	struct ep_poll *p = ctx;
	aws_ec2_vpces v;
	int rc = poll_describe(p, &v);
	if (recon__gone(rc, p->e)) {
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
	if (p->vanished && recon__endpoint_state_gone(v.v[0].state)) {
		*p->vanished = true;
		*done = true;
		return BASE_OK;
	}
	*done = !v.v[0].state || strcasecmp(v.v[0].state, "available") == 0 ||
	        strcasecmp(v.v[0].state, "pendingAcceptance") == 0;
	return BASE_OK;
}

int recon__ep_wait(struct ex *x, base_arena *t, const char *id, bool gone, aws_error *e)
{
	struct ep_poll p = {x, t, id, gone, e, NULL};
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	return recon_wait_until(&x->clk, &w, poll_endpoint, &p, NULL);
}

int recon__ep_wait_joined(struct ex *x, base_arena *t, const char *id, bool *vanished, aws_error *e)
{
	struct ep_poll p = {x, t, id, false, e, vanished};
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	*vanished = false;
	return recon_wait_until(&x->clk, &w, poll_endpoint, &p, NULL);
}

/* CreateVpcEndpoint request for es: gateway on our route table (tagged
 * ours), interface in one desired subnet per AZ behind the shared endpoint
 * SG (tagged shared). */
void recon__ep_spec(struct ex *x, base_arena *t, const recon_endpoint_spec *es, const char *service,
                    aws_ec2_vpce_spec *spec)
{
	const char **one = base_arena_calloc(t, 1, sizeof *one);
	memset(spec, 0, sizeof *spec);
	spec->vpc_id = x->vpc;
	spec->service_name = service;
	spec->tags = x->tags;
	if (!es->gateway)
		spec->tags = recon__shared_tags(x, t);
	if (es->gateway) {
		one[0] = recon__st_rt_id(x);
		spec->type = "Gateway";
		spec->route_table_ids = (aws_strs){one, one[0] ? 1 : 0};
	} else {
		one[0] = recon__st_sg_id(x, RECON_SG_ENDPOINT);
		spec->type = "Interface";
		spec->subnet_ids = recon__ep_own_subnets(x, t, NULL);
		spec->security_group_ids = (aws_strs){one, one[0] ? 1 : 0};
		spec->private_dns_enabled = x->d->private_dns_enabled ? AWS_BOOL_TRUE : AWS_BOOL_FALSE;
	}
}

/* endpoint.create: a gateway endpoint of ours (adopted after an interrupted
 * apply, else created); an interface one joins the VPC's shared endpoint. */
int recon__step_ep_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const recon_endpoint_spec *es = desired_endpoint(x, st->key);
	const char *vpc[] = {x->vpc}, *svc[] = {st->key};
	aws_filter f[2];
	aws_ec2_vpces found;
	aws_ec2_vpce_spec spec;
	aws_ec2_vpce made;
	size_t i;
	int rc;

	if (!es) {
		aws_error_setf(e, 0, "InvalidPlan", "endpoint %s is not desired", st->key);
		return BASE_EINVALID;
	}
	if (!es->gateway)
		return recon__ep_join(x, t, st, e);
	f[0] = recon__flt("vpc-id", vpc, 1);
	f[1] = recon__flt("service-name", svc, 1);
	rc = aws_ec2_describe_vpc_endpoints(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &found, e);
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < found.n; i++) {
		const aws_ec2_vpce *v = &found.v[i];
		if (!recon__endpoint_state_gone(v->state) && recon__owned_by(v->tags, x->fn)) {
			/* Ours from an interrupted apply: adopt. */
			recon__st_set_endpoint(x, v, true);
			return recon__ep_wait(x, t, v->vpc_endpoint_id, false, e);
		}
	}
	/* Several gateway endpoints of a service coexist in a VPC (one per route table). */
	recon__ep_spec(x, t, es, st->key, &spec);
	rc = aws_ec2_create_vpc_endpoint(x->c, t, &spec, &made, e);
	if (rc != BASE_OK)
		return rc;
	if (!made.service_name)
		made.service_name = st->key;
	if (!made.type)
		made.type = spec.type;
	recon__st_set_endpoint(x, &made, true);
	return recon__ep_wait(x, t, made.vpc_endpoint_id, false, e);
}

/* endpoint.sync: a gateway endpoint of ours onto our route table; a shared
 * one off our subnets that are going (recon_endpoint_share.c). */
int recon__step_ep_sync(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_endpoint cur;
	aws_ec2_vpce *v;
	aws_ec2_vpce_mod mod;
	const char **rt = base_arena_calloc(t, 1, sizeof *rt);
	int rc;
	rc = recon__ep_now(x, t, st->key, &cur, &v, e);
	if (rc != BASE_OK || !cur.id)
		return rc;
	if (!cur.gateway)
		return v ? recon__ep_shared_sync(x, t, v, e) : BASE_OK;
	if (!v) {
		recon__st_remove_endpoint(x, st->key);
		return BASE_OK;
	}
	memset(&mod, 0, sizeof mod);
	mod.vpc_endpoint_id = cur.id;
	rt[0] = recon__st_rt_id(x);
	mod.add_route_table_ids = recon__strs_minus(t, (aws_strs){rt, rt[0] ? 1 : 0}, v->route_table_ids);
	if (mod.add_route_table_ids.n) {
		rc = aws_ec2_modify_vpc_endpoint(x->c, t, &mod, e);
		if (rc != BASE_OK)
			return rc;
		rc = recon__ep_wait(x, t, cur.id, false, e);
		if (rc != BASE_OK)
			return rc;
		rc = recon__ep_describe(x, t, cur.id, &v, e);
		if (rc != BASE_OK)
			return rc;
		if (!v)
			return BASE_OK;
	}
	recon__st_set_endpoint(x, v, true);
	return BASE_OK;
}

/* ---- diff ---- */

/* True when a shared endpoint sits in one of our subnets that is going
 * (owned, not desired any more): it must move first. */
static bool in_leaving_subnet(const recon_desired *d, const recon_state *s, const recon_endpoint *e)
{
	size_t i, j;
	for (i = 0; i < s->n_subnets; i++) {
		bool desired = false;
		if (!s->subnets[i].id || !s->subnets[i].owned ||
		    !recon__strs_has(e->subnet_ids, s->subnets[i].id))
			continue;
		for (j = 0; j < d->subnet_cidrs.n; j++)
			if (base_str_eq(d->subnet_cidrs.v[j], s->subnets[i].cidr))
				desired = true;
		if (!desired)
			return true;
	}
	return false;
}

static bool endpoint_desired(const recon_desired *d, const char *service)
{
	size_t i;
	for (i = 0; i < d->n_endpoints; i++)
		if (base_str_eq(d->endpoints[i].service, service))
			return true;
	return false;
}

/* Endpoints: create (join) missing ones; sync and tag our gateway
 * endpoints; leave (delete when last user) or release (reused) the ones no
 * longer desired. A shared interface endpoint's subnets, SGs and tags are
 * the VPC's, not drift of this function (README "Shared endpoints"). */
void recon__diff_endpoints(struct recon__dctx *c)
{
	const recon_desired *d = c->d;
	const recon_state *s = c->s;
	base_arena *a = c->a;
	struct recon__pb *b = &c->b;
	size_t i;

	for (i = 0; i < d->n_endpoints; i++) {
		const recon_endpoint_spec *es = &d->endpoints[i];
		const recon_endpoint *e = recon_state_endpoint(s, es->service);
		if (!e) {
			if (es->gateway)
				recon__idxv_push(&c->net_users,
				                 recon__pb_add3(b, RECON_STEP_EP_CREATE, es->service, c->rt_c,
				                                RECON_NONE, RECON_NONE));
			else {
				size_t k = recon__pb_add_v(b, RECON_STEP_EP_CREATE, es->service,
				                           &c->subnet_creates, c->sg_c[RECON_SG_ENDPOINT],
				                           c->sg_c[RECON_SG_LAMBDA], RECON_NONE);
				recon__idxv_push(&c->net_users, k);
				recon__idxv_push(&c->ep_creates, k);
			}
		} else if (e->owned && !es->gateway) {
			if (in_leaving_subnet(d, s, e))
				recon__idxv_push(&c->net_users,
				                 recon__pb_add_v(b, RECON_STEP_EP_SYNC, es->service,
				                                 &c->subnet_creates, RECON_NONE, RECON_NONE,
				                                 RECON_NONE));
		} else if (e->owned && es->gateway) {
			if (c->rt_c != RECON_NONE || !s->rt.id ||
			    !recon__strs_has(e->route_table_ids, s->rt.id))
				recon__idxv_push(&c->net_users,
				                 recon__pb_add3(b, RECON_STEP_EP_SYNC, es->service, c->rt_c,
				                                RECON_NONE, RECON_NONE));
			if (recon_tags_differ(c->want_tags, e->tags))
				recon__pb_add3(b, RECON_STEP_TAGS,
				               base_arena_sprintf(a, "endpoint:%s", es->service), RECON_NONE,
				               RECON_NONE, RECON_NONE);
		}
	}
	for (i = 0; i < s->n_endpoints; i++) {
		const recon_endpoint *e = &s->endpoints[i];
		if (!e->id || e->gone || endpoint_desired(d, e->service))
			continue;
		recon__idxv_push(&c->net_users,
		                 recon__pb_add3(b, e->owned ? RECON_STEP_EP_DELETE : RECON_STEP_EP_RELEASE,
		                                e->service, RECON_NONE, RECON_NONE, RECON_NONE));
	}
}

/* ---- observe ---- */

static void copy_endpoint(base_arena *a, const aws_ec2_vpce *v, const char *fn, recon_endpoint *d)
{
	memset(d, 0, sizeof *d);
	d->id = recon__cp(a, v->vpc_endpoint_id);
	d->service = recon__cp(a, v->service_name);
	d->state = recon__cp(a, v->state);
	d->gateway = base_str_eq(v->type, "Gateway") || base_str_eq(v->type, "gateway");
	d->owned = recon__owned_by(v->tags, fn) || (!d->gateway && recon__tag(v->tags, RECON_SHARED_TAG));
	d->private_dns = v->private_dns_enabled;
	d->subnet_ids = recon__cp_strs(a, v->subnet_ids);
	d->sg_ids = recon__cp_strs(a, v->security_group_ids);
	d->route_table_ids = recon__cp_strs(a, v->route_table_ids);
	d->tags = recon__cp_tags(a, v->tags);
}

/* The full service names our lambda SG is registered for (tags
 * lambdavpc:uses:<service>), in t; empty when it does not exist. */
static int registered_services(struct recon__obs *o, base_arena *t, aws_strs *out, aws_error *e)
{
	const char *vpc[] = {o->vpc_id}, *nm[] = {recon_sg_name(t, o->in->function_name, RECON_SG_LAMBDA)};
	aws_filter f[2];
	aws_ec2_sgs sgs;
	size_t j, n = 0, plen = strlen(RECON_USER_TAG_PREFIX);
	const char **v;
	int rc;
	f[0] = recon__flt("vpc-id", vpc, 1);
	f[1] = recon__flt("group-name", nm, 1);
	*out = (aws_strs){NULL, 0};
	rc = aws_ec2_describe_security_groups(o->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &sgs, e);
	if (rc != BASE_OK || sgs.n == 0 || !recon__owned_by(sgs.v[0].tags, o->in->function_name))
		return rc;
	v = base_arena_calloc(t, sgs.v[0].tags.n + 1, sizeof *v);
	for (j = 0; j < sgs.v[0].tags.n; j++)
		if (base_str_has_prefix(sgs.v[0].tags.v[j].key, RECON_USER_TAG_PREFIX))
			v[n++] = sgs.v[0].tags.v[j].key + plen;
	*out = (aws_strs){v, n};
	return BASE_OK;
}

/* True when v belongs to the prior state: the same id, or the VPC's shared
 * endpoint of a service the prior state used (recreated by another user). */
static bool in_prior(const recon_state *prior, const aws_ec2_vpce *v)
{
	size_t j;
	for (j = 0; prior && j < prior->n_endpoints; j++) {
		const recon_endpoint *p = &prior->endpoints[j];
		if (base_str_eq(v->vpc_endpoint_id, p->id))
			return true;
		if (recon__tag(v->tags, RECON_SHARED_TAG) && base_str_eq(v->service_name, p->service) &&
		    !p->gateway)
			return true;
	}
	return false;
}

/* Our gateway endpoints (ownership tag), and the prior state's endpoints
 * among the VPC's (shared ones by service, reused foreign ones by id: no
 * per-id describe, it fails as a whole when one id is gone). */
int recon__observe_endpoints(struct recon__obs *o)
{
	base_arena *t = base_arena_new();
	aws_ec2_vpces found[2] = {{0}, {0}}, all;
	aws_strs reg = {NULL, 0};
	uint64_t sent, writes;
	bool asked = false;
	aws_filter fl[2];
	aws_error e;
	size_t i, j, n = 0, total = 0;
	int rc;

	/* One DescribeVpcEndpoints of the VPC (the same request for every
	 * resource in it: concurrent observes share it, aws_memo.c), sorted
	 * here: our gateway endpoints by the owner tag, then the prior state's
	 * (shared ones by service, reused foreign ones by id: moto lacks the
	 * vpc-endpoint-id filter, and a per-id describe fails as a whole when
	 * one id is gone) and the shared ones our lambda SG is registered for. */
	recon__obs_owned_filters(o, t, fl);
	recon__ep_listing_begin(o->vpc_id, &sent, &writes);
	rc = aws_ec2_describe_vpc_endpoints(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 1}, &all, &e);
	if (rc != BASE_OK)
		goto done;
	/* a create's join of services it shows none of needs no listing of its own */
	if (o->vpc_id)
		recon__ep_listing_offer(o->vpc_id, sent, writes, &all);
	found[0].v = base_arena_calloc(t, all.n + 1, sizeof *found[0].v);
	found[1].v = base_arena_calloc(t, all.n + 1, sizeof *found[1].v);
	for (i = 0; i < all.n; i++) {
		const aws_ec2_vpce *v = &all.v[i];
		bool take;
		if (base_str_eq(aws_tags_get(v->tags, RECON_OWNER_TAG), o->in->function_name)) {
			found[0].v[found[0].n++] = *v;
			continue;
		}
		take = in_prior(o->in->prior, v);
		if (!take && recon__tag(v->tags, RECON_SHARED_TAG) && !recon__endpoint_state_gone(v->state)) {
			/* A shared endpoint the prior state does not list (import,
			 * lost state): ours when our lambda SG is registered for it. */
			if (!asked) {
				rc = registered_services(o, t, &reg, &e);
				if (rc != BASE_OK)
					goto done;
				asked = true;
			}
			take = recon__strs_has(reg, v->service_name);
		}
		if (take)
			found[1].v[found[1].n++] = *v;
	}
	for (j = 0; j < 2; j++)
		total += found[j].n;
	pthread_mutex_lock(&o->mu);
	o->out->endpoints = base_arena_calloc(o->a, total + 1, sizeof *o->out->endpoints);
	for (j = 0; j < 2; j++)
		for (i = 0; i < found[j].n; i++) {
			const aws_ec2_vpce *v = &found[j].v[i];
			size_t k;
			bool dup = false;
			if (recon__endpoint_state_gone(v->state))
				continue;
			for (k = 0; k < n; k++)
				if (base_str_eq(o->out->endpoints[k].id, v->vpc_endpoint_id) ||
				    base_str_eq(o->out->endpoints[k].service, v->service_name))
					dup = true;
			if (!dup)
				copy_endpoint(o->a, v, o->in->function_name, &o->out->endpoints[n++]);
		}
	o->out->n_endpoints = n;
	pthread_mutex_unlock(&o->mu);
done:
	return recon__obs_end(o, t, rc, &e);
}
