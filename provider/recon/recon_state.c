/*
 * recon_state.c - the live state of a running plan: the only file that
 * reads or writes x->s (recon_exec_int.h). Every accessor takes x->mu;
 * strings are copied into the result arena x->a (also under x->mu).
 */
#include <string.h>
#include <strings.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_int.h"
#include "recon/recon_observe.h"

static void lock(struct ex *x)
{
	pthread_mutex_lock(&x->mu);
}

static void unlock(struct ex *x)
{
	pthread_mutex_unlock(&x->mu);
}

void recon__st_forget(struct ex *x, recon_part part)
{
	lock(x);
	switch (part) {
	case RECON_PART_ROLE:
		memset(&x->s->role, 0, sizeof x->s->role);
		break;
	case RECON_PART_RT:
		memset(&x->s->rt, 0, sizeof x->s->rt);
		break;
	case RECON_PART_SG_LAMBDA:
		memset(&x->s->sgs[RECON_SG_LAMBDA], 0, sizeof x->s->sgs[RECON_SG_LAMBDA]);
		break;
	case RECON_PART_SG_ENDPOINT:
		memset(&x->s->sgs[RECON_SG_ENDPOINT], 0, sizeof x->s->sgs[RECON_SG_ENDPOINT]);
		x->s->clients_sg_id = NULL;
		break;
	case RECON_PART_FN:
		memset(&x->s->fn, 0, sizeof x->s->fn);
		break;
	}
	unlock(x);
}

/* ---- reads ---- */

const char *recon__st_subnet_id(struct ex *x, const char *cidr, const char **az)
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

bool recon__st_role_policies(struct ex *x, base_arena *t, aws_strs *out)
{
	bool known;
	lock(x);
	known = x->s->role.name != NULL && x->s->role.policies_observed;
	*out = (aws_strs){NULL, 0};
	if (known && x->s->role.policy_arns.n) {
		const char **v = base_arena_calloc(t, x->s->role.policy_arns.n, sizeof *v);
		memcpy(v, x->s->role.policy_arns.v, x->s->role.policy_arns.n * sizeof *v);
		*out = (aws_strs){v, x->s->role.policy_arns.n};
	}
	unlock(x);
	return known;
}

bool recon__st_subnet_fresh(struct ex *x, const char *cidr)
{
	const recon_subnet *sn;
	bool fresh;
	lock(x);
	sn = recon_state_subnet(x->s, cidr);
	fresh = sn && sn->fresh;
	unlock(x);
	return fresh;
}

/* *slot (a string of the state), read under the lock. The slot's address
 * never changes while a plan runs; its content does. */
static const char *read_slot(struct ex *x, const char *const *slot)
{
	const char *v;
	lock(x);
	v = *slot;
	unlock(x);
	return v;
}

const char *recon__st_sg_id(struct ex *x, recon_sg_which w)
{
	return read_slot(x, &x->s->sgs[w].id);
}

bool recon__st_no_shared_sgs_seen(struct ex *x, uint64_t writes)
{
	bool none;
	lock(x);
	none = x->s->shared_sgs_seen && !x->s->shared_sgs_in_vpc && x->s->shared_sgs_seen - 1 == writes &&
	       base_str_eq(x->s->vpc_id, x->vpc);
	unlock(x);
	return none;
}

const char *recon__st_rt_id(struct ex *x)
{
	return read_slot(x, &x->s->rt.id);
}

const char *recon__st_role_name(struct ex *x)
{
	return read_slot(x, &x->s->role.name);
}

const char *recon__st_role_arn(struct ex *x)
{
	return read_slot(x, &x->s->role.arn);
}

bool recon__st_endpoint(struct ex *x, const char *service, recon_endpoint *out)
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

const char *recon__st_clients_sg(struct ex *x)
{
	return read_slot(x, &x->s->clients_sg_id);
}

const char *recon__st_rt_assoc_of(struct ex *x, const char *subnet_id)
{
	const char *assoc = NULL;
	size_t i;
	lock(x);
	for (i = 0; i < x->s->rt.assoc_subnet_ids.n && i < x->s->rt.assoc_ids.n; i++)
		if (base_str_eq(x->s->rt.assoc_subnet_ids.v[i], subnet_id))
			assoc = x->s->rt.assoc_ids.v[i];
	unlock(x);
	return assoc;
}

void recon__st_rt_snapshot(struct ex *x, const char **rt_id, aws_strs *assoc_ids)
{
	lock(x);
	*rt_id = x->s->rt.id;
	*assoc_ids = x->s->rt.assoc_ids;
	unlock(x);
}

const char *recon__st_prefix_list(struct ex *x, const char *service)
{
	const char *id = NULL;
	size_t i;
	lock(x);
	for (i = 0; i < x->s->n_prefix_lists; i++)
		if (base_str_eq(x->s->prefix_lists[i].service, service))
			id = x->s->prefix_lists[i].id;
	unlock(x);
	return id;
}

void recon__st_eni_scope(struct ex *x, base_arena *t, aws_strs *sgs, aws_strs *subnets)
{
	const char **g = base_arena_calloc(t, 2, sizeof *g), **subs;
	size_t i, n_sg = 0, n_sub = 0;
	int w;
	lock(x);
	for (w = 0; w < 2; w++)
		if (x->s->sgs[w].id && x->s->sgs[w].owned)
			g[n_sg++] = x->s->sgs[w].id;
	subs = base_arena_calloc(t, x->s->n_subnets + 1, sizeof *subs);
	for (i = 0; i < x->s->n_subnets; i++)
		if (x->s->subnets[i].id && x->s->subnets[i].owned)
			subs[n_sub++] = x->s->subnets[i].id;
	unlock(x);
	*sgs = (aws_strs){g, n_sg};
	*subnets = (aws_strs){subs, n_sub};
}

const char *recon__st_subnet_az(struct ex *x, base_arena *t, const char *subnet_id)
{
	const char *az = NULL;
	size_t i;
	lock(x);
	for (i = 0; i < x->s->n_subnets; i++)
		if (base_str_eq(x->s->subnets[i].id, subnet_id))
			az = recon__cp(t, x->s->subnets[i].az);
	unlock(x);
	return az;
}

/* ---- role ---- */

void recon__st_set_role(struct ex *x, const aws_iam_role *r)
{
	lock(x);
	x->s->role.name = recon__cp(x->a, r->role_name);
	x->s->role.arn = recon__cp(x->a, r->arn);
	x->s->role.owned = true;
	x->s->role.tags = recon__cp_tags(x->a, r->tags.n ? r->tags : x->tags);
	x->s->role.permissions_boundary = recon__cp(x->a, r->permissions_boundary_arn);
	unlock(x);
}

void recon__st_role_policy(struct ex *x, const char *arn, bool attached)
{
	lock(x);
	if (attached)
		x->s->role.policy_arns = recon__strs_with(x->a, x->s->role.policy_arns, arn);
	else
		x->s->role.policy_arns = recon__strs_without(x->a, x->s->role.policy_arns, arn, NULL);
	unlock(x);
}

bool recon__st_role_has_inline(struct ex *x)
{
	bool has;
	lock(x);
	has = x->s->role.inline_policy != NULL;
	unlock(x);
	return has;
}

void recon__st_role_inline(struct ex *x, const char *policy)
{
	lock(x);
	x->s->role.inline_policy = recon__cp(x->a, policy);
	unlock(x);
}

void recon__st_role_boundary(struct ex *x, const char *arn)
{
	lock(x);
	x->s->role.permissions_boundary = recon__cp(x->a, arn);
	unlock(x);
}

/* ---- network ---- */

void recon__st_add_subnet(struct ex *x, const aws_ec2_subnet *s, bool fresh)
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
	v[x->s->n_subnets].fresh = fresh;
	v[x->s->n_subnets].tags = recon__cp_tags(x->a, s->tags.n ? s->tags : x->tags);
	x->s->subnets = v;
	x->s->n_subnets++;
	unlock(x);
}

void recon__st_remove_subnet(struct ex *x, const char *cidr)
{
	size_t i, n = 0;
	lock(x);
	for (i = 0; i < x->s->n_subnets; i++) {
		if (base_str_eq(x->s->subnets[i].cidr, cidr)) {
			const char *id = x->s->subnets[i].id;
			aws_strs ids = x->s->rt.assoc_ids;
			x->s->rt.assoc_subnet_ids =
			        recon__strs_without(x->a, x->s->rt.assoc_subnet_ids, id, &ids);
			x->s->rt.assoc_ids = ids;
			continue;
		}
		x->s->subnets[n++] = x->s->subnets[i];
	}
	x->s->n_subnets = n;
	unlock(x);
}

void recon__st_set_rt(struct ex *x, const aws_ec2_route_table *rt)
{
	lock(x);
	x->s->rt.id = recon__cp(x->a, rt->route_table_id);
	x->s->rt.owned = true;
	x->s->rt.tags = recon__cp_tags(x->a, rt->tags.n ? rt->tags : x->tags);
	unlock(x);
}

void recon__st_rt_associated(struct ex *x, const char *subnet_id, const char *assoc_id)
{
	aws_strs ids;
	lock(x);
	ids = x->s->rt.assoc_ids;
	x->s->rt.assoc_subnet_ids = recon__strs_without(x->a, x->s->rt.assoc_subnet_ids, subnet_id, &ids);
	x->s->rt.assoc_ids = recon__strs_with(x->a, ids, assoc_id);
	x->s->rt.assoc_subnet_ids = recon__strs_with(x->a, x->s->rt.assoc_subnet_ids, subnet_id);
	unlock(x);
}

/* ---- security groups ---- */

void recon__st_set_shared_sgs(struct ex *x, const char *endpoint_sg, const char *clients_sg)
{
	lock(x);
	memset(&x->s->sgs[RECON_SG_ENDPOINT], 0, sizeof x->s->sgs[RECON_SG_ENDPOINT]);
	x->s->sgs[RECON_SG_ENDPOINT].id = recon__cp(x->a, endpoint_sg);
	x->s->clients_sg_id = recon__cp(x->a, clients_sg);
	unlock(x);
}

void recon__st_set_sg(struct ex *x, recon_sg_which w, const char *id)
{
	lock(x);
	x->s->sgs[w].id = recon__cp(x->a, id);
	x->s->sgs[w].owned = true;
	x->s->sgs[w].tags = recon__cp_tags(x->a, x->tags);
	x->s->sgs[w].rules = NULL;
	x->s->sgs[w].n_rules = 0;
	unlock(x);
}

void recon__st_add_rule(struct ex *x, recon_sg_which w, const recon_rule *r)
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
void recon__st_remove_rule(struct ex *x, recon_sg_which w, const recon_rule *r)
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

void recon__st_add_prefix_list(struct ex *x, const char *service, const char *id)
{
	recon_prefix_list *v;
	lock(x);
	v = base_arena_calloc(x->a, x->s->n_prefix_lists + 1, sizeof *v);
	if (x->s->n_prefix_lists)
		memcpy(v, x->s->prefix_lists, x->s->n_prefix_lists * sizeof *v);
	v[x->s->n_prefix_lists].service = recon__cp(x->a, service);
	v[x->s->n_prefix_lists].id = recon__cp(x->a, id);
	x->s->prefix_lists = v;
	x->s->n_prefix_lists++;
	unlock(x);
}

/* ---- endpoints ---- */

void recon__st_set_endpoint(struct ex *x, const aws_ec2_vpce *v, bool owned)
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

void recon__st_remove_endpoint(struct ex *x, const char *service)
{
	size_t i, n = 0;
	lock(x);
	for (i = 0; i < x->s->n_endpoints; i++)
		if (!base_str_eq(x->s->endpoints[i].service, service))
			x->s->endpoints[n++] = x->s->endpoints[i];
	x->s->n_endpoints = n;
	unlock(x);
}

/* ---- function ---- */

void recon__st_fn_created(struct ex *x, const aws_lambda_function *out)
{
	recon_function *f;
	const char *version;
	lock(x);
	f = &x->s->fn;
	version = recon_version_published(f->version) ? f->version : NULL;
	recon_observe_function_from_aws(x->a, out, f);
	if (!f->name)
		f->name = recon__cp(x->a, x->fn);
	if (version)
		f->version = version;
	f->tags = recon__cp_tags(x->a, x->tags);
	f->owned = true;
	unlock(x);
}

void recon__st_fn_refreshed(struct ex *x, const aws_lambda_function *f)
{
	lock(x);
	recon_observe_function_from_aws(x->a, f, &x->s->fn);
	x->s->fn.owned = true;
	unlock(x);
}

void recon__st_fn_version(struct ex *x, const char *version)
{
	lock(x);
	x->s->fn.version = recon__cp(x->a, version);
	unlock(x);
}

void recon__st_fn_concurrency(struct ex *x, int n)
{
	lock(x);
	x->s->fn.cfg.reserved_concurrency = n;
	unlock(x);
}

/* ---- tags ---- */

/* The id and tags slot of part key; lock held. */
static aws_tags *tag_slot(struct ex *x, const char *k, const char **id)
{
	size_t i;
	*id = NULL;
	if (strcmp(k, "role") == 0)
		return *id = x->s->role.name, &x->s->role.tags;
	if (strcmp(k, "function") == 0)
		return *id = x->s->fn.arn, &x->s->fn.tags;
	if (strcmp(k, "rt") == 0)
		return *id = x->s->rt.id, &x->s->rt.tags;
	if (strcmp(k, "sg:lambda") == 0 || strcmp(k, "sg:endpoint") == 0) {
		recon_sg *g = &x->s->sgs[strcmp(k, "sg:endpoint") == 0 ? RECON_SG_ENDPOINT : RECON_SG_LAMBDA];
		return *id = g->id, &g->tags;
	}
	if (base_str_has_prefix(k, "subnet:"))
		for (i = 0; i < x->s->n_subnets; i++)
			if (base_str_eq(x->s->subnets[i].cidr, k + 7))
				return *id = x->s->subnets[i].id, &x->s->subnets[i].tags;
	if (base_str_has_prefix(k, "endpoint:"))
		for (i = 0; i < x->s->n_endpoints; i++)
			if (base_str_eq(x->s->endpoints[i].service, k + 9))
				return *id = x->s->endpoints[i].id, &x->s->endpoints[i].tags;
	return NULL;
}

bool recon__st_tag_target(struct ex *x, const char *key, const char **id, aws_tags *have)
{
	aws_tags *slot;
	lock(x);
	slot = tag_slot(x, key, id);
	*have = slot ? *slot : (aws_tags){NULL, 0};
	unlock(x);
	return slot && *id;
}

void recon__st_set_tags(struct ex *x, const char *key, aws_tags tags)
{
	const char *id;
	aws_tags *slot;
	lock(x);
	slot = tag_slot(x, key, &id);
	if (slot)
		*slot = recon__cp_tags(x->a, tags);
	unlock(x);
}
