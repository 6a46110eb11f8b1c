/*
 * recon_endpoint_share.c - endpoints shared between functions.
 *
 * An interface endpoint with private DNS exists once per service and VPC,
 * so endpoint.create (recon_endpoint.c) first looks for one: ours (tag
 * lambdavpc:function=<us>) is adopted; someone else's is reused when
 * reuse_existing_endpoints (recorded owned = false, our lambda SG gets
 * egress 443 to its SGs). If another lambdavpc function created it, we also
 * register as a user: tag lambdavpc:uses:<us>=true on the endpoint and an
 * ingress 443 rule from our lambda SG on its SG, tagged ours (the owner's
 * reconcile leaves rules tagged by another function alone). A foreign
 * endpoint is never touched.
 *
 * Deleting: a reused endpoint is only released (our uses-tag and our tagged
 * rules removed). An owned endpoint is deleted only when no other lambdavpc
 * function is registered as a user; otherwise it is handed over: its SG
 * swapped to lambdavpc-<other>-endpoint and its owner tag rewritten.
 */
#include <string.h>
#include <strings.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_int.h"

/* Use an existing endpoint we did not create: never modify it, except the
 * bookkeeping between lambdavpc functions (README "Shared endpoints"). */
int recon__ep_reuse(struct ex *x, base_arena *t, const aws_ec2_vpce *v, aws_error *e)
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
	rc = recon__ep_now(x, t, st->key, &cur, &v, e);
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
	rc = recon__ep_wait(x, t, cur.id, true, e);
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
	rc = recon__ep_now(x, t, st->key, &cur, &v, e);
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
