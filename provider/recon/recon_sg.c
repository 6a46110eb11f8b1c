/*
 * recon_sg.c - the security-group part: rule atoms (normal form, symbolic
 * peers, the desired rules of each SG), observe (SGs, rules, prefix
 * lists), diff, and the steps (create without AWS's default egress, adopt
 * by name + tag, authorize / revoke atoms, delete).
 */
#include <ctype.h>
#include <pthread.h>
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
	else if (base_str_eq(peer, "@clients"))
		peer = recon__st_clients_sg(x);
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

/* The VPC has an IPv6 CIDR (its new groups then also allow ::/0 out): as
 * the plan read it when it says, else DescribeVpcs (an account fact: kept
 * by the client once read in this process). */
static int vpc_has_ipv6(struct ex *x, base_arena *t, bool *out, aws_error *e)
{
	aws_ec2_vpcs vpcs;
	int rc;
	if (x->d->vpc_ipv6 != RECON_VPC_IPV6_UNKNOWN) {
		*out = x->d->vpc_ipv6 == RECON_VPC_IPV6_SOME;
		return BASE_OK;
	}
	rc = aws_ec2_describe_vpcs(x->c, t, (aws_strs){&x->vpc, 1}, (aws_filters){NULL, 0}, &vpcs, e);
	*out = rc == BASE_OK && vpcs.n > 0 && vpcs.v[0].ipv6_cidr_blocks.n > 0;
	return rc;
}

/* AWS adds allow-all egress to every new group (IPv4, and IPv6 in a VPC
 * with an IPv6 CIDR): remove exactly that, in one call. */
int recon__revoke_default_egress(struct ex *x, base_arena *t, const char *id, aws_error *e)
{
	const char *any4[] = {"0.0.0.0/0"}, *any6[] = {"::/0"};
	aws_ec2_ip_perm all;
	bool v6 = false;
	int rc = vpc_has_ipv6(x, t, &v6, e);
	if (rc != BASE_OK)
		return rc;
	memset(&all, 0, sizeof all);
	all.ip_protocol = "-1";
	all.omit_ports = true;
	all.cidr_ipv4 = (aws_strs){any4, 1};
	if (v6)
		all.cidr_ipv6 = (aws_strs){any6, 1};
	rc = aws_ec2_revoke_security_group(x->c, t, id, true, &all, 1, e);
	return recon__gone(rc, e) ? BASE_OK : rc;
}

static bool is_allow_all_egress(const aws_ec2_sg_rule *r)
{
	return r->is_egress && base_str_eq(r->ip_protocol, "-1") &&
	       (base_str_eq(r->cidr_ipv4, "0.0.0.0/0") || base_str_eq(r->cidr_ipv6, "::/0"));
}

/* An adopted group: its rules are recorded so later steps see them, and
 * the allow-all egress AWS gave it is revoked if it is still there (by
 * rule id: no call for a rule that is not). */
static int adopt_rules(struct ex *x, base_arena *t, recon_sg_which w, const char *id, aws_error *e)
{
	aws_ec2_sg_rules rules;
	const char *gid[] = {id};
	const char **drop;
	aws_filter gf = recon__flt("group-id", gid, 1);
	size_t i, n = 0;
	int rc = aws_ec2_describe_security_group_rules(x->c, t, (aws_strs){NULL, 0}, (aws_filters){&gf, 1},
	                                               &rules, e);
	if (rc != BASE_OK)
		return rc;
	drop = base_arena_calloc(t, rules.n + 1, sizeof *drop);
	for (i = 0; i < rules.n; i++) {
		recon_rule r;
		if (is_allow_all_egress(&rules.v[i])) {
			drop[n++] = rules.v[i].rule_id;
			continue;
		}
		r = recon__rule_from_aws(t, &rules.v[i]);
		recon__st_add_rule(x, w, &r);
	}
	if (!n)
		return BASE_OK;
	rc = aws_ec2_revoke_security_group_rules(x->c, t, id, true, (aws_strs){drop, n}, e);
	return recon__gone(rc, e) ? BASE_OK : rc;
}

int recon__step_sg_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_sg_which w = RECON_SG_LAMBDA;
	const char *name = recon_sg_name(t, x->fn, w), *id = NULL;
	const char *vpc[] = {x->vpc}, *nm[] = {name};
	aws_ec2_sgs found;
	aws_ec2_sg_spec spec;
	aws_filter f[2];
	bool adopted = false;
	int rc;

	if (strcmp(st->key, "endpoint") == 0)
		return recon__shared_sgs_ensure(x, t, e);
	/* Create first: the observe this plan came from found no SG of ours by
	 * this name. A name taken (InvalidGroup.Duplicate) is ours when it
	 * carries our ownership tag (an interrupted apply made it: adopted),
	 * else a conflict. */
	memset(&spec, 0, sizeof spec);
	spec.group_name = name;
	spec.description = base_arena_sprintf(t, "Lambda %s: egress only to its VPC endpoints", x->fn);
	spec.vpc_id = x->vpc;
	spec.tags = recon__lambda_sg_tags(x, t); /* registered at birth */
	rc = aws_ec2_create_security_group(x->c, t, &spec, &id, e);
	if (rc == BASE_EAWS && aws_error_is(e, "InvalidGroup.Duplicate")) {
		f[0] = recon__flt("vpc-id", vpc, 1);
		f[1] = recon__flt("group-name", nm, 1);
		rc = aws_ec2_describe_security_groups(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2},
		                                      &found, e);
		if (rc != BASE_OK)
			return rc;
		if (found.n == 0 || !recon__owned_by(found.v[0].tags, x->fn)) {
			recon__ex_fail(x, st, BASE_ECONFLICT, e,
			               "Security group %s (%s) already exists in %s and is not managed by "
			               "function %s.",
			               name, found.n ? found.v[0].group_id : "?", x->vpc, x->fn);
			return BASE_ECONFLICT;
		}
		id = found.v[0].group_id;
		adopted = true;
	} else if (rc != BASE_OK) {
		return rc;
	}
	recon__st_set_sg(x, w, id);
	if (adopted) /* its registry is whatever the interrupted apply left */
		return adopt_rules(x, t, w, id, e);
	recon__st_set_tags(x, "sg:lambda", spec.tags);
	return recon__revoke_default_egress(x, t, id, e);
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
	recon_sg_which w = RECON_SG_LAMBDA;
	const char *gid = recon__st_sg_id(x, w);
	int rc;
	if (strcmp(st->key, "endpoint") == 0)
		return recon__shared_sgs_delete(x, t, st, e);
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
	recon__st_forget(x, RECON_PART_SG_LAMBDA);
	return BASE_OK;
}

/* ---- rule atoms and diff ---- */

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
	if (!recon__str_same(x->protocol, y->protocol) || !recon__str_same(x->peer, y->peer))
		return false;
	if (strcmp(recon__nz(x->protocol), "-1") != 0 &&
	    (x->from_port != y->from_port || x->to_port != y->to_port))
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
		else if (s->clients_sg_id && strcmp(r->peer, s->clients_sg_id) == 0)
			o.peer = "@clients";
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

void recon_desired_rules(base_arena *a, const recon_desired *d, const recon_state *s, recon_sg_which which,
                         recon_rule **rules_out, size_t *n_out)
{
	struct rulev rv = {a, NULL, 0, 0};
	size_t i, j;

	if (which == RECON_SG_ENDPOINT) {
		push_atom(&rv, false, "tcp", 443, 443, RECON_PEER_SG, "@clients",
		          "lambdavpc: HTTPS from the VPC's lambdavpc functions");
		goto done;
	}
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

/* The lambda SG (create, tags, rule atoms: revoke extra, authorize
 * missing) and the VPC's shared SGs (sg.create "endpoint" finds or creates
 * them when the function wants an interface endpoint; their rules are not
 * the function's: README "Shared endpoints"). */
void recon__diff_sgs(struct recon__dctx *c)
{
	const recon_desired *d = c->d;
	const recon_state *s = c->s;
	base_arena *a = c->a;
	struct recon__pb *b = &c->b;
	const char *sgname = recon_sg_which_name(RECON_SG_LAMBDA);
	const recon_sg *g = &s->sgs[RECON_SG_LAMBDA];
	recon_rule *want, *have = base_arena_calloc(a, g->n_rules + 1, sizeof *have);
	size_t i, j, k, n_want, n_have = 0;

	if (!g->id)
		c->sg_c[RECON_SG_LAMBDA] =
		        recon__pb_add3(b, RECON_STEP_SG_CREATE, sgname, RECON_NONE, RECON_NONE, RECON_NONE);
	else if (g->owned && recon_tags_differ(c->want_tags, g->tags))
		recon__pb_add3(b, RECON_STEP_TAGS, "sg:lambda", RECON_NONE, RECON_NONE, RECON_NONE);
	if (recon_wants_shared(d) &&
	    (!s->sgs[RECON_SG_ENDPOINT].id || !s->clients_sg_id || s->shared_sgs_drift))
		c->sg_c[RECON_SG_ENDPOINT] =
		        recon__pb_add3(b, RECON_STEP_SG_CREATE, recon_sg_which_name(RECON_SG_ENDPOINT),
		                       RECON_NONE, RECON_NONE, RECON_NONE);
	recon_desired_rules(a, d, s, RECON_SG_LAMBDA, &want, &n_want);
	if (g->id)
		for (i = 0; i < g->n_rules; i++)
			have[n_have++] = recon_rule_symbolic(a, s, &g->rules[i]);
	for (i = 0; i < n_have; i++) {
		bool keep = false;
		for (j = 0; j < n_want; j++)
			if (recon_rule_same(&have[i], &want[j]))
				keep = true;
		if (!keep) {
			k = recon__pb_add3(b, RECON_STEP_SG_REVOKE, sgname, RECON_NONE, RECON_NONE,
			                   RECON_NONE);
			recon__pb_set_rule(b, k, RECON_SG_LAMBDA, &have[i]);
		}
	}
	for (j = 0; j < n_want; j++) {
		bool present = false;
		for (i = 0; i < n_have; i++)
			if (recon_rule_same(&have[i], &want[j]))
				present = true;
		if (present && c->sg_c[RECON_SG_LAMBDA] == RECON_NONE)
			continue;
		k = recon__pb_add3(b, RECON_STEP_SG_AUTHORIZE, sgname, c->sg_c[RECON_SG_LAMBDA], RECON_NONE,
		                   RECON_NONE);
		recon__pb_set_rule(b, k, RECON_SG_LAMBDA, &want[j]);
	}
}

/* ---- observe ---- */

/* True when a lambda SG's tags register it as a user of a shared endpoint. */
static bool registered(aws_tags tags)
{
	size_t i;
	for (i = 0; i < tags.n; i++)
		if (base_str_has_prefix(tags.v[i].key, RECON_USER_TAG_PREFIX))
			return true;
	return false;
}

/* Groups per rules read; AWS takes up to 200 values in a filter. */
#define RULES_GROUPS_PER_READ 100

/* The rules of the listed groups, in the slice of RULES_GROUPS_PER_READ
 * that holds mine (a group-id filter: a group deleted since is absent).
 * Every resource refreshed with the same listing asks the same slice, so
 * concurrent reads share one call (aws_memo.c), and one kept listing keeps
 * its rules read too: one call for the VPC instead of one per resource. */
static int rules_of_listed(aws_client *c, base_arena *t, const aws_ec2_sgs *sgs, const aws_ec2_sg *mine,
                           aws_ec2_sg_rules *out, aws_error *e)
{
	size_t at = (size_t)(mine - sgs->v), from = at - at % RULES_GROUPS_PER_READ, n, i;
	const char **gids;
	aws_filter f;
	n = sgs->n - from < RULES_GROUPS_PER_READ ? sgs->n - from : RULES_GROUPS_PER_READ;
	gids = base_arena_calloc(t, n + 1, sizeof *gids);
	for (i = 0; i < n; i++)
		gids[i] = sgs->v[from + i].group_id;
	f = recon__flt("group-id", gids, n);
	return aws_ec2_describe_security_group_rules(c, t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, out, e);
}

/* The lambda SG (ours by name + ownership tag) and, when it is registered
 * as a user of shared endpoints, the VPC's shared SGs: one describe by name. */
int recon__observe_sgs(struct recon__obs *o)
{
	base_arena *t = base_arena_new();
	aws_ec2_sgs sgs;
	aws_ec2_sg_rules rules = {0};
	aws_filter fl[2];
	const char *names[3], *vpc[] = {o->vpc_id}, *any[] = {RECON_SG_NAME_PREFIX "*"},
	                      *ids[3] = {NULL, NULL, NULL};
	const aws_ec2_sg *found[3] = {NULL, NULL, NULL};
	aws_tags ltags = {NULL, 0};
	aws_error e;
	uint64_t seen;
	size_t i;
	int rc, w;

	names[0] = recon_sg_name(t, o->in->function_name, RECON_SG_LAMBDA);
	names[1] = recon_shared_sg_name(t, o->vpc_id, false);
	names[2] = recon_shared_sg_name(t, o->vpc_id, true);
	/* The VPC's groups named like ours (not other teams' groups), ours
	 * picked here by name (and owner tag): the same request for every
	 * resource in the VPC, so concurrent reads share one reply (aws_memo.c). */
	fl[0] = recon__flt("vpc-id", vpc, 1);
	fl[1] = recon__flt("group-name", any, 1);
	seen = 1 + recon__shared_sg_writes(o->vpc_id);
	rc = aws_ec2_describe_security_groups(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 2}, &sgs, &e);
	if (rc != BASE_OK)
		goto done;
	for (i = 0; i < sgs.n; i++)
		for (w = 0; w < 3; w++)
			if (base_str_eq(sgs.v[i].group_name, names[w]) && !ids[w] &&
			    (w > 0 || recon__owned_by(sgs.v[i].tags, o->in->function_name))) {
				ids[w] = sgs.v[i].group_id;
				found[w] = &sgs.v[i];
				if (w == 0)
					ltags = sgs.v[i].tags;
			}
	if (ids[0] && !o->in->for_destroy) { /* the rules go with the SG */
		rc = rules_of_listed(o->c, t, &sgs, found[0], &rules, &e);
		if (rc != BASE_OK)
			goto done;
	}
	pthread_mutex_lock(&o->mu);
	if (ids[0]) {
		recon_sg *d = &o->out->sgs[RECON_SG_LAMBDA];
		recon_rule *rv = base_arena_calloc(o->a, rules.n + 1, sizeof *rv);
		size_t n = 0;
		d->tags = recon__cp_tags(o->a, ltags);
		d->id = recon__cp(o->a, ids[0]);
		d->owned = true;
		for (i = 0; i < rules.n; i++)
			if (base_str_eq(rules.v[i].group_id, ids[0]))
				rv[n++] = recon__rule_from_aws(o->a, &rules.v[i]);
		d->rules = rv;
		d->n_rules = n;
	}
	o->out->shared_sgs_in_vpc = ids[1] || ids[2];
	o->out->shared_sgs_seen = seen;
	if (ids[0] && registered(ltags) && ids[1] && ids[2]) {
		o->out->sgs[RECON_SG_ENDPOINT].id = recon__cp(o->a, ids[1]);
		o->out->clients_sg_id = recon__cp(o->a, ids[2]);
		o->out->shared_sgs_drift = !recon__shared_sgs_exact(found[1], found[2]);
	}
	pthread_mutex_unlock(&o->mu);
done:
	return recon__obs_end(o, t, rc, &e);
}

int recon__observe_prefix_lists(struct recon__obs *o)
{
	base_arena *t = base_arena_new();
	aws_ec2_prefix_lists pls;
	const char **names;
	size_t i, n = 0, cap;
	aws_filter fl[1];
	aws_error e;
	int rc = BASE_OK;

	cap = o->in->gateway_services.n + (o->in->prior ? o->in->prior->n_endpoints : 0) + 1;
	names = base_arena_calloc(t, cap, sizeof *names);
	for (i = 0; i < o->in->gateway_services.n; i++)
		names[n++] = o->in->gateway_services.v[i];
	if (o->in->prior)
		for (i = 0; i < o->in->prior->n_endpoints; i++)
			if (o->in->prior->endpoints[i].gateway && o->in->prior->endpoints[i].service)
				names[n++] = o->in->prior->endpoints[i].service;
	if (n == 0)
		goto done;
	fl[0] = recon__flt("prefix-list-name", names, n);
	rc = aws_ec2_describe_prefix_lists(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 1}, &pls, &e);
	if (rc != BASE_OK)
		goto done;
	pthread_mutex_lock(&o->mu);
	o->out->prefix_lists = base_arena_calloc(o->a, pls.n + 1, sizeof *o->out->prefix_lists);
	for (i = 0; i < pls.n; i++) {
		o->out->prefix_lists[i].service = recon__cp(o->a, pls.v[i].prefix_list_name);
		o->out->prefix_lists[i].id = recon__cp(o->a, pls.v[i].prefix_list_id);
	}
	o->out->n_prefix_lists = pls.n;
	pthread_mutex_unlock(&o->mu);
done:
	return recon__obs_end(o, t, rc, &e);
}
