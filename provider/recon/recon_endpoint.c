/*
 * recon_endpoint.c - the VPC endpoint part: create / adopt / reuse (README "Shared endpoints"), sync, delete
 * or hand over, release.
 */
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

static int describe_endpoint_id(struct ex *x, base_arena *t, const char *id, aws_ec2_vpce **out, aws_error *e)
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
static int endpoint_now(struct ex *x, base_arena *t, const char *service, recon_endpoint *cur,
                        aws_ec2_vpce **v, aws_error *e)
{
	*v = NULL;
	if (!recon__st_endpoint(x, service, cur))
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

static int wait_endpoint(struct ex *x, base_arena *t, const char *id, bool gone, aws_error *e)
{
	struct ep_poll p = {x, t, id, gone, e};
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	return recon_wait_until(&x->clk, &w, poll_endpoint, &p, NULL);
}

/* Use an existing endpoint we did not create: never modify it, except the
 * bookkeeping between lambdavpc functions (README "Shared endpoints"). */
static int reuse_endpoint(struct ex *x, base_arena *t, const aws_ec2_vpce *v, aws_error *e)
{
	const char *lambda_sg = recon__st_sg_id(x, RECON_SG_LAMBDA);
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
			rc = recon__authorize_rule(x, t, (recon_sg_which)99, v->security_group_ids.v[i], &in,
			                           e);
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
			rc = recon__authorize_rule(x, t, RECON_SG_LAMBDA, lambda_sg, &out, e);
			if (rc != BASE_OK)
				return rc;
		}
	recon__st_set_endpoint(x, v, false);
	return BASE_OK;
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
			return wait_endpoint(x, t, v->vpc_endpoint_id, false, e);
		}
		if (!other)
			other = v;
	}
	/* Several gateway endpoints may coexist; interface ones with private DNS may not. */
	if (other && !es->gateway && (x->d->private_dns_enabled || x->d->reuse_existing_endpoints)) {
		if (x->d->reuse_existing_endpoints)
			return reuse_endpoint(x, t, other, e);
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
	return wait_endpoint(x, t, made.vpc_endpoint_id, false, e);
}

int recon__step_ep_sync(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_endpoint cur;
	aws_ec2_vpce *v;
	aws_ec2_vpce_mod mod;
	int rc;
	rc = endpoint_now(x, t, st->key, &cur, &v, e);
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
		rc = wait_endpoint(x, t, cur.id, false, e);
		if (rc != BASE_OK)
			return rc;
		rc = describe_endpoint_id(x, t, cur.id, &v, e);
		if (rc != BASE_OK)
			return rc;
		if (!v)
			return BASE_OK;
	}
	recon__st_set_endpoint(x, v, true);
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
		f[0] = recon__flt("vpc-id", vpc, 1);
		f[1] = recon__flt("group-name", nm, 1);
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
			        recon__strs_minus(t, v->security_group_ids, (aws_strs){add, 1});
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

/* A DeleteVpcEndpoints item that failed because the endpoint is gone. */
static bool item_gone(const aws_ec2_failed_item *it)
{
	aws_error ie;
	aws_error_setf(&ie, 400, it->code ? it->code : "", "%s", "");
	return recon__gone(BASE_EAWS, &ie);
}

int recon__step_ep_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
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
	if (recon__gone(rc, e))
		goto gone;
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < failed.n; i++)
		if (!item_gone(&failed.v[i])) {
			aws_error_setf(e, 400, failed.v[i].code ? failed.v[i].code : "DeleteFailed", "%s",
			               failed.v[i].message ? failed.v[i].message
			                                   : "DeleteVpcEndpoints failed");
			return BASE_EAWS;
		}
	rc = wait_endpoint(x, t, cur.id, true, e);
	if (rc != BASE_OK)
		return rc;
gone:
	recon__st_remove_endpoint(x, st->key);
	return BASE_OK;
}

int recon__step_ep_release(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
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
		if (rc != BASE_OK && !recon__gone(rc, e))
			return rc;
		if (v->security_group_ids.n) {
			/* The ingress rules we added to its SGs carry our tag. */
			f[0] = recon__flt("group-id", v->security_group_ids.v, v->security_group_ids.n);
			f[1] = recon__flt(base_arena_sprintf(t, "tag:%s", RECON_OWNER_TAG), fn, 1);
			rc = aws_ec2_describe_security_group_rules(x->c, t, (aws_strs){NULL, 0},
			                                           (aws_filters){f, 2}, &rules, e);
			if (rc != BASE_OK)
				return rc;
			for (i = 0; i < rules.n; i++) {
				const char *rid[] = {rules.v[i].rule_id};
				rc = aws_ec2_revoke_security_group_rules(x->c, t, rules.v[i].group_id,
				                                         rules.v[i].is_egress,
				                                         (aws_strs){rid, 1}, e);
				if (rc != BASE_OK && !recon__gone(rc, e))
					return rc;
			}
		}
	}
	recon__st_remove_endpoint(x, st->key);
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
