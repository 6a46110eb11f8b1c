/*
 * recon_sg.c - the security-group part: the two SGs (created without AWS's default egress, adopted by name +
 * tag), their rule atoms, rule peers (symbolic -> ids, prefix lists).
 */
#include <string.h>
#include <strings.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_int.h"

/* ======================================================================== */
/* peers and permissions                                                    */

/* Prefix list id of a gateway service (state cache, else DescribePrefixLists). */
static int prefix_list_id(struct ex *x, base_arena *t, const char *service, const char **out, aws_error *e)
{
	aws_ec2_prefix_lists pls;
	const char *names[] = {service};
	aws_filter f = recon__flt("prefix-list-name", names, 1);
	int rc;
	*out = recon__st_prefix_list(x, service);
	if (*out)
		return BASE_OK;
	rc = aws_ec2_describe_prefix_lists(x->c, t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &pls, e);
	if (rc != BASE_OK)
		return rc;
	if (pls.n == 0) {
		aws_error_setf(e, 0, "InvalidPrefixListName.NotFound", "no prefix list for %s", service);
		return BASE_ENOTFOUND;
	}
	recon__st_add_prefix_list(x, service, pls.v[0].prefix_list_id);
	*out = pls.v[0].prefix_list_id;
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
		peer = recon__st_sg_id(x, RECON_SG_LAMBDA);
	else if (base_str_eq(peer, "@endpoint"))
		peer = recon__st_sg_id(x, RECON_SG_ENDPOINT);
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
int recon__authorize_rule(struct ex *x, base_arena *t, recon_sg_which w, const char *group_id,
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
	if (w <= RECON_SG_ENDPOINT && base_str_eq(group_id, recon__st_sg_id(x, w)))
		recon__st_add_rule(x, w, &rec);
	return BASE_OK;
}

/* ======================================================================== */
/* security groups                                                          */

int recon__step_sg_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
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

	f[0] = recon__flt("vpc-id", vpc, 1);
	f[1] = recon__flt("group-name", nm, 1);
	rc = aws_ec2_describe_security_groups(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &found, e);
	if (rc != BASE_OK)
		return rc;
	if (found.n > 0) {
		if (!recon__owned_by(found.v[0].tags, x->fn)) {
			recon__ex_fail(
			        x, st, BASE_ECONFLICT, e,
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
	recon__st_set_sg(x, w, id);
	/* AWS adds allow-all egress to every new group: remove it (IPv4 and IPv6). */
	memset(&all, 0, sizeof all);
	all.ip_protocol = "-1";
	all.omit_ports = true;
	all.cidr_ipv4 = (aws_strs){any4, 1};
	rc = aws_ec2_revoke_security_group(x->c, t, id, true, &all, 1, e);
	if (recon__gone(rc, e))
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
		aws_filter gf = recon__flt("group-id", gid, 1);
		size_t i;
		rc = aws_ec2_describe_security_group_rules(x->c, t, (aws_strs){NULL, 0},
		                                           (aws_filters){&gf, 1}, &rules, e);
		if (rc != BASE_OK)
			return rc;
		for (i = 0; i < rules.n; i++) {
			recon_rule r = recon__rule_from_aws(t, &rules.v[i]);
			recon__st_add_rule(x, w, &r);
		}
	}
	return BASE_OK;
}

static int sg_rule(struct ex *x, base_arena *t, const recon_step *st, bool authorize, aws_error *e)
{
	const char *gid = recon__st_sg_id(x, st->sg);
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
		if (!recon__st_any_owned_interface_endpoint(x))
			return BASE_OK;
	}
	if (authorize)
		return recon__authorize_rule(x, t, st->sg, gid, &st->rule, e);
	if (st->rule.rule_id) {
		const char *ids[] = {st->rule.rule_id};
		rc = aws_ec2_revoke_security_group_rules(x->c, t, gid, st->rule.egress, (aws_strs){ids, 1},
		                                         e);
	} else {
		rc = rule_perm(x, t, &st->rule, &p, e);
		if (rc == BASE_OK)
			rc = aws_ec2_revoke_security_group(x->c, t, gid, st->rule.egress, &p, 1, e);
	}
	rc = recon__ok_if_gone(rc, e);
	if (rc != BASE_OK)
		return rc;
	recon__st_remove_rule(x, st->sg, &st->rule);
	return BASE_OK;
}

int recon__step_sg_authorize(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	return sg_rule(x, t, st, true, e);
}

int recon__step_sg_revoke(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	return sg_rule(x, t, st, false, e);
}

int recon__step_sg_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_sg_which w = strcmp(st->key, "endpoint") == 0 ? RECON_SG_ENDPOINT : RECON_SG_LAMBDA;
	const char *gid = recon__st_sg_id(x, w);
	int rc;
	if (!gid)
		return BASE_OK;
	rc = recon__delete_with_retry(x, t, gid, false, e);
	if (rc != BASE_OK) {
		if (rc == BASE_ETIMEOUT)
			recon__ex_fail(x, st, rc, e,
			               "Security group %s is still in use when the delete timeout expired.",
			               gid);
		return rc;
	}
	recon__st_forget(x, w == RECON_SG_ENDPOINT ? RECON_PART_SG_ENDPOINT : RECON_PART_SG_LAMBDA);
	return BASE_OK;
}
