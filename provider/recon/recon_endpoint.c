/*
 * recon_endpoint.c - the VPC endpoint part: observe, diff, and the steps
 * create (adopt ours, else reuse via recon_endpoint_share.c, else create)
 * and sync. Delete / release: recon_endpoint_share.c.
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
static aws_strs endpoint_subnets(struct ex *x, base_arena *t)
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
	return (aws_strs){ids, n};
}

int recon__ep_describe(struct ex *x, base_arena *t, const char *id, aws_ec2_vpce **out, aws_error *e)
{
	aws_ec2_vpces v;
	const char *ids[] = {id};
	/* By id (moto has no vpc-endpoint-id filter); not found = gone. */
	int rc = aws_ec2_describe_vpc_endpoints(x->c, t, (aws_strs){ids, 1}, (aws_filters){NULL, 0}, &v, e);
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
};

/* The polled endpoint as v.v[0] (v.n = 0 when not listed). A wait for a
 * delete with the VPC known lists the VPC's endpoints: every resource
 * waiting for one there sends the same request, so concurrent polls share
 * one call (aws_memo.c). A wait for a create asks by id (a new endpoint
 * may be "not found" for a while, AWS.md). */
static int poll_describe(struct ep_poll *p, aws_ec2_vpces *v)
{
	const char *ids[] = {p->id}, *vpc[] = {p->x->vpc};
	aws_filter f = recon__flt("vpc-id", vpc, 1);
	aws_ec2_vpces all;
	size_t i;
	int rc;
	if (!p->x->vpc || !p->want_gone)
		return aws_ec2_describe_vpc_endpoints(p->x->c, p->t, (aws_strs){ids, 1},
		                                      (aws_filters){NULL, 0}, v, p->e);
	rc = aws_ec2_describe_vpc_endpoints(p->x->c, p->t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &all,
	                                    p->e);
	v->n = 0;
	v->v = NULL;
	for (i = 0; rc == BASE_OK && i < all.n; i++)
		if (base_str_eq(all.v[i].vpc_endpoint_id, p->id)) {
			v->v = &all.v[i]; /* cppcheck-suppress autoVariables ; all.v is in arena p->t */
			v->n = 1;
		}
	return rc;
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
	*done = !v.v[0].state || strcasecmp(v.v[0].state, "available") == 0 ||
	        strcasecmp(v.v[0].state, "pendingAcceptance") == 0;
	return BASE_OK;
}

int recon__ep_wait(struct ex *x, base_arena *t, const char *id, bool gone, aws_error *e)
{
	struct ep_poll p = {x, t, id, gone, e};
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	return recon_wait_until(&x->clk, &w, poll_endpoint, &p, NULL);
}

/* CreateVpcEndpoint request for es: gateway on our route table, interface
 * in one desired subnet per AZ behind our endpoint SG. */
static void ep_spec(struct ex *x, base_arena *t, const recon_endpoint_spec *es, const char *service,
                    aws_ec2_vpce_spec *spec)
{
	const char **one = base_arena_calloc(t, 1, sizeof *one);
	memset(spec, 0, sizeof *spec);
	spec->vpc_id = x->vpc;
	spec->service_name = service;
	spec->tags = x->tags;
	if (es->gateway) {
		one[0] = recon__st_rt_id(x);
		spec->type = "Gateway";
		spec->route_table_ids = (aws_strs){one, one[0] ? 1 : 0};
	} else {
		one[0] = recon__st_sg_id(x, RECON_SG_ENDPOINT);
		spec->type = "Interface";
		spec->subnet_ids = endpoint_subnets(x, t);
		spec->security_group_ids = (aws_strs){one, one[0] ? 1 : 0};
		spec->private_dns_enabled = x->d->private_dns_enabled ? AWS_BOOL_TRUE : AWS_BOOL_FALSE;
	}
}

int recon__step_ep_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const recon_endpoint_spec *es = desired_endpoint(x, st->key);
	const char *vpc[] = {x->vpc}, *svc[] = {st->key};
	aws_filter f[2];
	aws_ec2_vpces found;
	aws_ec2_vpce_spec spec;
	aws_ec2_vpce made;
	const aws_ec2_vpce *other = NULL;
	size_t i;
	int rc;
	bool retried = false;

	if (!es) {
		aws_error_setf(e, 0, "InvalidPlan", "endpoint %s is not desired", st->key);
		return BASE_EINVALID;
	}
again:
	f[0] = recon__flt("vpc-id", vpc, 1);
	f[1] = recon__flt("service-name", svc, 1);
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
			recon__st_set_endpoint(x, v, true);
			return recon__ep_wait(x, t, v->vpc_endpoint_id, false, e);
		}
		if (!other)
			other = v;
	}
	/* Several gateway endpoints may coexist; interface ones with private DNS may not. */
	if (other && !es->gateway && (x->d->private_dns_enabled || x->d->reuse_existing_endpoints)) {
		if (x->d->reuse_existing_endpoints)
			return recon__ep_reuse(x, t, other, e);
		recon__ex_fail(
		        x, st, BASE_ECONFLICT, e,
		        "VPC %s already has an interface endpoint for %s (%s) that this resource did not "
		        "create; "
		        "a second one with private DNS would conflict. Set reuse_existing_endpoints = true "
		        "to use it.",
		        x->vpc, st->key, other->vpc_endpoint_id);
		return BASE_ECONFLICT;
	}
	ep_spec(x, t, es, st->key, &spec);
	rc = aws_ec2_create_vpc_endpoint(x->c, t, &spec, &made, e);
	if (rc == BASE_EAWS && !retried && aws_error_is(e, "InvalidParameter") &&
	    recon__err_msg_has(e, "conflicting DNS")) {
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
	recon__st_set_endpoint(x, &made, true);
	return recon__ep_wait(x, t, made.vpc_endpoint_id, false, e);
}

int recon__step_ep_sync(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_endpoint cur;
	aws_ec2_vpce *v;
	aws_ec2_vpce_mod mod;
	int rc;
	rc = recon__ep_now(x, t, st->key, &cur, &v, e);
	if (rc != BASE_OK || !cur.id)
		return rc;
	if (!v) {
		recon__st_remove_endpoint(x, st->key);
		return BASE_OK;
	}
	memset(&mod, 0, sizeof mod);
	mod.vpc_endpoint_id = cur.id;
	if (cur.gateway) {
		const char **rt = base_arena_calloc(t, 1, sizeof *rt);
		rt[0] = recon__st_rt_id(x);
		mod.add_route_table_ids =
		        recon__strs_minus(t, (aws_strs){rt, rt[0] ? 1 : 0}, v->route_table_ids);
	} else {
		aws_strs want = endpoint_subnets(x, t);
		const char **sg = base_arena_calloc(t, 1, sizeof *sg);
		sg[0] = recon__st_sg_id(x, RECON_SG_ENDPOINT);
		mod.add_subnet_ids = recon__strs_minus(t, want, v->subnet_ids);
		mod.remove_subnet_ids = recon__strs_minus(t, v->subnet_ids, want);
		mod.add_security_group_ids =
		        recon__strs_minus(t, (aws_strs){sg, sg[0] ? 1 : 0}, v->security_group_ids);
		mod.remove_security_group_ids =
		        recon__strs_minus(t, v->security_group_ids, (aws_strs){sg, sg[0] ? 1 : 0});
		if (v->private_dns_enabled != x->d->private_dns_enabled)
			mod.private_dns_enabled = x->d->private_dns_enabled ? AWS_BOOL_TRUE : AWS_BOOL_FALSE;
	}
	if (mod.add_route_table_ids.n || mod.add_subnet_ids.n || mod.remove_subnet_ids.n ||
	    mod.add_security_group_ids.n || mod.remove_security_group_ids.n || mod.private_dns_enabled) {
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
			if (recon__str_same(subnet_az(s, e->subnet_ids.v[i]), sn->az))
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

/* Endpoints: create missing, sync owned ones that are off, tags, delete
 * (owned) or release (reused) the ones no longer desired. */
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
		} else if (e->owned) {
			bool sync;
			if (es->gateway)
				sync = c->rt_c != RECON_NONE || !s->rt.id ||
				       !recon__strs_has(e->route_table_ids, s->rt.id);
			else
				sync = c->subnet_creates.n > 0 || c->sg_c[RECON_SG_ENDPOINT] != RECON_NONE ||
				       !interface_endpoint_in_sync(d, s, e);
			if (sync)
				recon__idxv_push(&c->net_users,
				                 recon__pb_add_v(b, RECON_STEP_EP_SYNC, es->service,
				                                 &c->subnet_creates,
				                                 c->sg_c[RECON_SG_ENDPOINT], c->rt_c,
				                                 RECON_NONE));
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
	d->owned = recon__owned_by(v->tags, fn);
	d->private_dns = v->private_dns_enabled;
	d->subnet_ids = recon__cp_strs(a, v->subnet_ids);
	d->sg_ids = recon__cp_strs(a, v->security_group_ids);
	d->route_table_ids = recon__cp_strs(a, v->route_table_ids);
	d->tags = recon__cp_tags(a, v->tags);
}

static bool prior_has(const recon_state *prior, const char *id)
{
	size_t j;
	for (j = 0; prior && j < prior->n_endpoints; j++)
		if (base_str_eq(prior->endpoints[j].id, id))
			return true;
	return false;
}

int recon__observe_endpoints(struct recon__obs *o)
{
	base_arena *t = base_arena_new();
	aws_ec2_vpces found[3] = {{0}, {0}, {0}}, all;
	const char *user_tag;
	aws_filter fl[2];
	aws_error e;
	size_t i, j, n = 0, total = 0;
	int rc;

	/* One DescribeVpcEndpoints of the VPC (the same request for every
	 * resource in it: concurrent observes share it, aws_memo.c), sorted
	 * here: ours by the owner tag, the user tag of ours, and the prior
	 * ids (reused endpoints carry no tag of ours; moto lacks the
	 * vpc-endpoint-id filter, and a per-id describe fails as a whole when
	 * one id is gone). */
	recon__obs_owned_filters(o, t, fl);
	rc = aws_ec2_describe_vpc_endpoints(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 1}, &all, &e);
	if (rc != BASE_OK)
		goto done;
	user_tag = base_arena_sprintf(t, "%s%s", RECON_USER_TAG_PREFIX, o->in->function_name);
	for (j = 0; j < 3; j++)
		found[j].v = base_arena_calloc(t, all.n + 1, sizeof *found[j].v);
	for (i = 0; i < all.n; i++) {
		const aws_ec2_vpce *v = &all.v[i];
		if (base_str_eq(aws_tags_get(v->tags, RECON_OWNER_TAG), o->in->function_name))
			found[0].v[found[0].n++] = *v;
		else if (base_str_eq(aws_tags_get(v->tags, user_tag), "true"))
			found[1].v[found[1].n++] = *v;
		else if (prior_has(o->in->prior, v->vpc_endpoint_id))
			found[2].v[found[2].n++] = *v;
	}
	for (j = 0; j < 3; j++)
		total += found[j].n;
	pthread_mutex_lock(&o->mu);
	o->out->endpoints = base_arena_calloc(o->a, total + 1, sizeof *o->out->endpoints);
	n = 0;
	for (j = 0; j < 3; j++)
		for (i = 0; i < found[j].n; i++) {
			const aws_ec2_vpce *v = &found[j].v[i];
			size_t k;
			bool dup = false;
			if (recon__endpoint_state_gone(v->state))
				continue;
			for (k = 0; k < n; k++)
				if (base_str_eq(o->out->endpoints[k].id, v->vpc_endpoint_id))
					dup = true;
			if (!dup)
				copy_endpoint(o->a, v, o->in->function_name, &o->out->endpoints[n++]);
		}
	o->out->n_endpoints = n;
	pthread_mutex_unlock(&o->mu);
done:
	return recon__obs_end(o, t, rc, &e);
}
