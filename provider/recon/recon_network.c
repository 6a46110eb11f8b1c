/*
 * recon_network.c - the network part: observe (subnets, route table and
 * associations), diff, and the steps (subnet create with AZ choice and
 * available wait, route table + associations, subnet / route table delete,
 * the wait for Lambda ENIs to release our subnets and SGs).
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_int.h"

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
	f[0] = recon__flt("state", avail, 1);
	f[1] = recon__flt("zone-type", ztype, 1);
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
	aws_filter f = recon__flt("subnet-id", ids, 1);
	int rc = aws_ec2_describe_subnets(p->x->c, p->t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &subs,
	                                  p->e);
	if (rc != BASE_OK)
		return rc;
	*done = subs.n > 0 && (!subs.v[0].state || strcmp(subs.v[0].state, "available") == 0);
	return BASE_OK;
}

int recon__step_subnet_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_ec2_subnets found;
	aws_ec2_subnet made;
	aws_ec2_subnet_spec spec;
	const char *vpc[] = {x->vpc}, *cidr[] = {st->key}, *fn[] = {x->fn};
	aws_filter f[3];
	recon_wait_cfg w;
	struct subnet_poll sp;
	bool fresh;
	int rc;

	/* Create first: the observe this plan came from found no subnet of ours
	 * with this CIDR. A CIDR taken (InvalidSubnet.Conflict) is adopted when
	 * the subnet there carries our ownership tag (an interrupted apply made
	 * it), else a conflict. */
	memset(&spec, 0, sizeof spec);
	spec.vpc_id = x->vpc;
	spec.cidr_block = st->key;
	spec.tags = x->tags;
	rc = pick_az(x, t, desired_cidr_index(x->d, st->key), &spec.availability_zone, e);
	if (rc != BASE_OK)
		return rc;
	rc = aws_ec2_create_subnet(x->c, t, &spec, &made, e);
	fresh = rc == BASE_OK;
	if (rc == BASE_EAWS && aws_error_is(e, "InvalidSubnet.Conflict")) {
		f[0] = recon__flt("vpc-id", vpc, 1);
		f[1] = recon__flt("cidr-block", cidr, 1);
		f[2] = recon__flt(base_arena_sprintf(t, "tag:%s", RECON_OWNER_TAG), fn, 1);
		rc = aws_ec2_describe_subnets(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 3}, &found, e);
		if (rc != BASE_OK)
			return rc;
		if (found.n == 0) {
			recon__ex_fail(x, st, BASE_ECONFLICT, e,
			               "The CIDR %s overlaps a subnet that already exists in %s and is not "
			               "managed by function %s. Choose a free CIDR in subnet_cidr_blocks.",
			               st->key, x->vpc, x->fn);
			return BASE_ECONFLICT;
		}
		made = found.v[0];
	} else if (rc != BASE_OK) {
		return rc;
	}
	if (!made.availability_zone)
		made.availability_zone = spec.availability_zone;
	recon__st_add_subnet(x, &made, fresh);
	if (made.state && strcmp(made.state, "available") == 0)
		return BASE_OK; /* the reply already says so: no poll */
	sp.x = x;
	sp.t = t;
	sp.id = made.subnet_id;
	sp.e = e;
	w = recon__ex_wait_cfg(x, 1);
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

/* The ENI uses one of the waited-on SGs or subnets. */
static bool eni_in_scope(const struct eni_poll *p, const aws_ec2_eni *n)
{
	size_t i;
	if (recon__strs_has(p->subnet_ids, n->subnet_id))
		return true;
	for (i = 0; i < n->security_group_ids.n; i++)
		if (recon__strs_has(p->sg_ids, n->security_group_ids.v[i]))
			return true;
	return false;
}

/*
 * The ENIs that may be in scope. With the VPC known: one DescribeNetworkInterfaces
 * of the whole VPC, the same request for every resource waiting in it, so
 * concurrent waits share one call (aws_memo.c); else one call per filter.
 */
static int eni_candidates(struct eni_poll *p, aws_ec2_enis *out)
{
	aws_ec2_enis got[2];
	const char *vpc[] = {p->x->vpc};
	int pass, rc;
	memset(got, 0, sizeof got);
	for (pass = 0; pass < 2; pass++) {
		aws_strs vals = pass == 0 ? p->sg_ids : p->subnet_ids;
		aws_filter f = recon__flt(pass == 0 ? "group-id" : "subnet-id", vals.v, vals.n);
		if (p->x->vpc)
			f = recon__flt("vpc-id", vpc, 1);
		else if (vals.n == 0)
			continue;
		rc = aws_ec2_describe_network_interfaces(p->x->c, p->t, (aws_strs){NULL, 0},
		                                         (aws_filters){&f, 1}, &got[pass], p->e);
		if (rc != BASE_OK)
			return rc;
		if (p->x->vpc)
			break;
	}
	out->n = got[0].n + got[1].n;
	out->v = base_arena_calloc(p->t, out->n + 1, sizeof *out->v);
	if (got[0].n)
		memcpy(out->v, got[0].v, got[0].n * sizeof *out->v);
	if (got[1].n)
		memcpy(out->v + got[0].n, got[1].v, got[1].n * sizeof *out->v);
	return BASE_OK;
}

/* Done when no Lambda ENI uses the SGs / subnets; detached ones are deleted. */
static int poll_enis_gone(void *ctx, bool *done)
{
	struct eni_poll *p = ctx;
	aws_ec2_enis enis;
	size_t i, left = 0, n_ids = 0;
	const char **ids;
	int rc = eni_candidates(p, &enis);
	if (rc != BASE_OK)
		return rc;
	ids = base_arena_calloc(p->t, enis.n + 1, sizeof *ids);
	for (i = 0; i < enis.n; i++) {
		const aws_ec2_eni *n = &enis.v[i];
		if (!recon__is_lambda_eni(n) || !eni_in_scope(p, n))
			continue;
		left++;
		if (base_str_eq(n->status, "available")) {
			aws_error ig;
			if (aws_ec2_delete_network_interface(p->x->c, p->t, n->network_interface_id, &ig) ==
			    BASE_OK) {
				left--;
				continue;
			}
		}
		if (n->network_interface_id)
			ids[n_ids++] = n->network_interface_id;
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
int recon__wait_enis(struct ex *x, base_arena *t, aws_strs sgs, aws_strs subnets, const char **left,
                     aws_error *e)
{
	struct eni_poll p;
	recon_wait_cfg w = recon__ex_wait_cfg(x, 2);
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

/* Retries a delete while AWS reports a dependency, until the deadline. The
 * first dependency a subnet meets sends every shared endpoint of the VPC
 * off our subnets (recon__shared_evacuate): once our Lambda ENIs are gone,
 * only such an endpoint can hold one, and it is looked for only then. */
int recon__delete_with_retry(struct ex *x, base_arena *t, const char *id, bool subnet, aws_error *e)
{
	recon_wait_cfg w = recon__ex_wait_cfg(x, 2);
	recon_backoff b;
	bool evacuated = false;
	int rc;
	recon_backoff_init(&b, &x->clk, &w);
	for (;;) {
		rc = subnet ? aws_ec2_delete_subnet(x->c, t, id, e)
		            : aws_ec2_delete_security_group(x->c, t, id, e);
		if (recon__gone(rc, e))
			return BASE_OK;
		if (rc == BASE_EAWS &&
		    (aws_error_is(e, "DependencyViolation") || aws_error_is(e, "InvalidGroup.InUse"))) {
			int brc;
			if (subnet && !evacuated) {
				aws_error ev;
				evacuated = true;
				aws_error_clear(&ev);
				brc = recon__shared_evacuate(x, t, &ev);
				if (brc != BASE_OK) {
					*e = ev;
					return brc;
				}
				continue;
			}
			brc = recon_backoff_sleep(&b);
			if (brc == BASE_OK)
				continue;
			return brc;
		}
		return rc;
	}
}

/* The bundle's eni.wait step already saw no Lambda ENI in our subnets and
 * SGs after the function was deleted: none can come back, no second wait. */
static bool enis_known_clear(struct ex *x)
{
	bool v;
	pthread_mutex_lock(&x->mu);
	v = x->enis_clear;
	pthread_mutex_unlock(&x->mu);
	return v;
}

/* This run's plan deletes our route table. */
static bool plan_deletes_rt(const struct ex *x)
{
	size_t i;
	for (i = 0; i < x->p->n; i++)
		if (x->p->v[i].kind == RECON_STEP_RT_DELETE)
			return true;
	return false;
}

int recon__step_subnet_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const char *id = recon__st_subnet_id(x, st->key, NULL), *enis = "";
	const char **one;
	int rc;
	if (!id)
		return BASE_OK;
	one = base_arena_calloc(t, 1, sizeof *one);
	one[0] = id;
	{
		/* AWS drops a deleted subnet's route-table association. moto keeps
		 * it and then refuses to delete the table, and a later read of the
		 * table would show it; so the subnet leaves the table first, unless
		 * this plan deletes the table too: rt.delete removes what is left
		 * only if DeleteRouteTable is refused (on moto), which saves one
		 * call per subnet on AWS. */
		const char *assoc = plan_deletes_rt(x) ? NULL : recon__st_rt_assoc_of(x, id);
		if (assoc) {
			rc = aws_ec2_disassociate_route_table(x->c, t, assoc, e);
			if (rc != BASE_OK && !recon__gone(rc, e))
				return rc;
		}
	}
	rc = enis_known_clear(x) ? BASE_OK
	                         : recon__wait_enis(x, t, (aws_strs){NULL, 0}, (aws_strs){one, 1}, &enis, e);
	if (rc == BASE_OK)
		rc = recon__delete_with_retry(x, t, id, true, e);
	if (rc != BASE_OK) {
		if (rc == BASE_ETIMEOUT)
			recon__ex_fail(x, st, rc, e,
			               "Subnet %s (%s) is still in use%s%s (Lambda network interfaces are "
			               "released asynchronously, up to ~45 minutes). Run the operation again "
			               "later or raise the delete timeout.",
			               id, st->key, *enis ? " by Lambda network interfaces " : "", enis);
		return rc;
	}
	recon__st_remove_subnet(x, st->key);
	return BASE_OK;
}

int recon__step_rt_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_ec2_route_table made;
	int rc;
	(void)st;
	/* No look-up first: the observe this plan came from found no route
	 * table of ours (an interrupted apply's one would have been adopted). */
	rc = aws_ec2_create_route_table(x->c, t, x->vpc, x->tags, NULL, &made, e);
	if (rc != BASE_OK)
		return rc;
	recon__st_set_rt(x, &made);
	return BASE_OK;
}

int recon__step_rt_associate(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const char *subnet = recon__st_subnet_id(x, st->key, NULL), *rt = recon__st_rt_id(x), *assoc = NULL;
	aws_ec2_route_tables cur;
	const char *sv[] = {subnet};
	aws_filter f = recon__flt("association.subnet-id", sv, 1);
	size_t i, j;
	int rc;
	if (!subnet || !rt) {
		aws_error_setf(e, 0, "MissingDependency", "subnet %s or route table missing", st->key);
		return BASE_ENOTFOUND;
	}
	/* A subnet this run created has no explicit association yet: no look-up. */
	cur.n = 0;
	if (!recon__st_subnet_fresh(x, st->key)) {
		rc = aws_ec2_describe_route_tables(x->c, t, (aws_strs){NULL, 0}, (aws_filters){&f, 1},
		                                   &cur, e);
		if (rc != BASE_OK)
			return rc;
	}
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
	recon__st_rt_associated(x, subnet, assoc);
	return BASE_OK;
}

/* Disassociates every subnet still associated with route table rt. */
static int rt_disassociate_all(struct ex *x, base_arena *t, const char *rt, bool *gone, aws_error *e)
{
	aws_ec2_route_tables cur;
	const char *ids[] = {rt};
	size_t i;
	int rc = aws_ec2_describe_route_tables(x->c, t, (aws_strs){ids, 1}, (aws_filters){NULL, 0}, &cur, e);
	*gone = recon__gone(rc, e) || (rc == BASE_OK && cur.n == 0);
	if (*gone || rc != BASE_OK)
		return *gone ? BASE_OK : rc;
	for (i = 0; i < cur.v[0].n_assocs; i++) {
		const aws_ec2_rt_assoc *as = &cur.v[0].assocs[i];
		if (as->main || !as->association_id)
			continue;
		rc = aws_ec2_disassociate_route_table(x->c, t, as->association_id, e);
		if (rc != BASE_OK && !recon__gone(rc, e))
			return rc;
	}
	return BASE_OK;
}

/* The associations the state knows were removed by rt.disassociate steps
 * (subnet.delete ran before): DeleteRouteTable first; one that AWS refuses
 * for a remaining association (DependencyViolation: drift, or moto keeping
 * associations of deleted subnets) lists and removes them, then deletes. */
int recon__step_rt_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const char *rt;
	aws_strs assocs;
	bool gone = false;
	size_t i;
	int rc;
	(void)st;
	recon__st_rt_snapshot(x, &rt, &assocs);
	if (!rt)
		return BASE_OK;
	for (i = 0; i < assocs.n; i++) {
		rc = aws_ec2_disassociate_route_table(x->c, t, assocs.v[i], e);
		if (rc != BASE_OK && !recon__gone(rc, e))
			return rc;
	}
	rc = aws_ec2_delete_route_table(x->c, t, rt, e);
	if (rc == BASE_EAWS && aws_error_is(e, "DependencyViolation")) {
		rc = rt_disassociate_all(x, t, rt, &gone, e);
		if (rc == BASE_OK && !gone)
			rc = aws_ec2_delete_route_table(x->c, t, rt, e);
	}
	if (rc != BASE_OK && !recon__gone(rc, e))
		return rc;
	recon__st_forget(x, RECON_PART_RT);
	return BASE_OK;
}

/* ======================================================================== */
/* ENIs and tags                                                            */

int recon__step_eni_wait(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_strs sgs, subs;
	const char *enis = "";
	int rc;
	recon__st_eni_scope(x, t, &sgs, &subs);
	rc = recon__wait_enis(x, t, sgs, subs, &enis, e);
	if (rc == BASE_OK) {
		pthread_mutex_lock(&x->mu);
		x->enis_clear = true;
		pthread_mutex_unlock(&x->mu);
	}
	if (rc == BASE_ETIMEOUT)
		recon__ex_fail(
		        x, st, rc, e,
		        "Lambda network interfaces%s%s still use the security groups/subnets of %s when "
		        "the delete timeout expired (AWS releases them asynchronously, up to ~45 "
		        "minutes). Run destroy again.",
		        *enis ? " " : "", enis, x->fn);
	return rc;
}

/* ---- diff ---- */

static bool cidr_desired(const recon_desired *d, const char *cidr)
{
	return recon__strs_has(d->subnet_cidrs, cidr);
}

/* Subnets (create missing CIDRs, tags), the route table and its
 * associations (c->subnet_creates, c->rt_c, c->assocs). */
void recon__diff_network(struct recon__dctx *c)
{
	const recon_desired *d = c->d;
	const recon_state *s = c->s;
	base_arena *a = c->a;
	struct recon__pb *b = &c->b;
	size_t i;

	{
		size_t *sc = base_arena_calloc(a, d->subnet_cidrs.n + 1, sizeof *sc);
		for (i = 0; i < d->subnet_cidrs.n; i++) {
			const recon_subnet *sn = recon_state_subnet(s, d->subnet_cidrs.v[i]);
			sc[i] = RECON_NONE;
			if (!sn) {
				sc[i] = recon__pb_add3(b, RECON_STEP_SUBNET_CREATE, d->subnet_cidrs.v[i],
				                       RECON_NONE, RECON_NONE, RECON_NONE);
				recon__idxv_push(&c->subnet_creates, sc[i]);
			} else if (sn->owned && recon_tags_differ(c->want_tags, sn->tags)) {
				recon__pb_add3(b, RECON_STEP_TAGS,
				               base_arena_sprintf(a, "subnet:%s", sn->cidr), RECON_NONE,
				               RECON_NONE, RECON_NONE);
			}
		}
		if (!s->rt.id)
			c->rt_c = recon__pb_add3(b, RECON_STEP_RT_CREATE, "private", RECON_NONE, RECON_NONE,
			                         RECON_NONE);
		else if (s->rt.owned && recon_tags_differ(c->want_tags, s->rt.tags))
			recon__pb_add3(b, RECON_STEP_TAGS, "rt", RECON_NONE, RECON_NONE, RECON_NONE);
		for (i = 0; i < d->subnet_cidrs.n; i++) {
			const recon_subnet *sn = recon_state_subnet(s, d->subnet_cidrs.v[i]);
			if (sc[i] != RECON_NONE || c->rt_c != RECON_NONE || !sn ||
			    !recon__strs_has(s->rt.assoc_subnet_ids, sn->id))
				recon__idxv_push(&c->assocs, recon__pb_add3(b, RECON_STEP_RT_ASSOCIATE,
				                                            d->subnet_cidrs.v[i], sc[i],
				                                            c->rt_c, RECON_NONE));
		}
	}
}

/* Owned subnets no longer desired: deleted after everything that used
 * them (c->net_users) moved. */
void recon__diff_old_subnets(struct recon__dctx *c)
{
	const recon_desired *d = c->d;
	const recon_state *s = c->s;
	struct recon__pb *b = &c->b;
	size_t i;

	for (i = 0; i < s->n_subnets; i++) {
		const recon_subnet *sn = &s->subnets[i];
		if (!sn->id || !sn->owned || cidr_desired(d, sn->cidr))
			continue;
		recon__pb_add_v(b, RECON_STEP_SUBNET_DELETE, sn->cidr, &c->net_users, RECON_NONE, RECON_NONE,
		                RECON_NONE);
	}
}

/* ---- observe ---- */

/* The prior subnets that are not among ours (tagged), read by id: one
 * whose tag was taken off is still the resource's. Usually none. */
static int untagged_prior_subnets(struct recon__obs *o, base_arena *t, const aws_ec2_subnets *ours,
                                  aws_ec2_subnets *out, aws_error *e)
{
	const recon_state *prior = o->in->prior;
	const char **ids;
	aws_filter f;
	size_t i, j, n = 0;
	memset(out, 0, sizeof *out);
	if (!prior || prior->n_subnets == 0)
		return BASE_OK;
	ids = base_arena_calloc(t, prior->n_subnets, sizeof *ids);
	for (i = 0; i < prior->n_subnets; i++) {
		for (j = 0; j < ours->n && !base_str_eq(ours->v[j].subnet_id, prior->subnets[i].id); j++)
			;
		if (j == ours->n && prior->subnets[i].id)
			ids[n++] = prior->subnets[i].id;
	}
	if (n == 0)
		return BASE_OK;
	f = recon__flt("subnet-id", ids, n); /* a filter: a gone id is absent, not an error */
	return aws_ec2_describe_subnets(o->c, t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, out, e);
}

int recon__observe_subnets(struct recon__obs *o)
{
	base_arena *t = base_arena_new();
	aws_ec2_subnets all, tagged = {0}, prior = {0};
	aws_filter fl[2];
	aws_error e;
	size_t i, j, n = 0;
	int rc;

	/* The VPC's lambdavpc subnets (the same request for every resource in
	 * the VPC: concurrent observes share it, aws_memo.c), ours picked here
	 * by the owner tag; then the prior subnets not tagged ours, by id. */
	recon__obs_lambdavpc_filters(o, fl);
	rc = aws_ec2_describe_subnets(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 2}, &all, &e);
	if (rc != BASE_OK)
		goto done;
	tagged.v = base_arena_calloc(t, all.n + 1, sizeof *tagged.v);
	for (i = 0; i < all.n; i++)
		if (recon__owned_by(all.v[i].tags, o->in->function_name))
			tagged.v[tagged.n++] = all.v[i];
	rc = untagged_prior_subnets(o, t, &tagged, &prior, &e);
	if (rc != BASE_OK)
		goto done;
	pthread_mutex_lock(&o->mu);
	o->out->subnets = base_arena_calloc(o->a, tagged.n + prior.n + 1, sizeof *o->out->subnets);
	n = 0;
	for (j = 0; j < 2; j++) {
		const aws_ec2_subnets *src = j == 0 ? &tagged : &prior;
		for (i = 0; i < src->n; i++) {
			const aws_ec2_subnet *s = &src->v[i];
			recon_subnet *d;
			size_t k;
			bool dup = false;
			for (k = 0; k < n; k++)
				if (base_str_eq(o->out->subnets[k].id, s->subnet_id))
					dup = true;
			if (dup)
				continue;
			d = &o->out->subnets[n++];
			d->id = recon__cp(o->a, s->subnet_id);
			d->cidr = recon__cp(o->a, s->cidr_block);
			d->az = recon__cp(o->a, s->availability_zone);
			d->tags = recon__cp_tags(o->a, s->tags);
			d->owned = recon__owned_by(s->tags, o->in->function_name);
		}
	}
	o->out->n_subnets = n;
	pthread_mutex_unlock(&o->mu);
done:
	return recon__obs_end(o, t, rc, &e);
}

int recon__observe_rt(struct recon__obs *o)
{
	base_arena *t = base_arena_new();
	aws_ec2_route_tables rts;
	aws_filter fl[2];
	aws_error e;
	size_t i;
	int rc;

	/* The VPC's lambdavpc route tables, ours picked here by the owner tag:
	 * the same request for every resource in the VPC, so concurrent reads
	 * (a plan's refreshes) share one reply (aws_memo.c). */
	recon__obs_lambdavpc_filters(o, fl);
	rc = aws_ec2_describe_route_tables(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 2}, &rts, &e);
	if (rc != BASE_OK)
		goto done;
	for (i = 0; i < rts.n && !recon__owned_by(rts.v[i].tags, o->in->function_name); i++)
		;
	if (i < rts.n) {
		const aws_ec2_route_table *r = &rts.v[i];
		const char **sub, **ids;
		size_t n = 0;
		pthread_mutex_lock(&o->mu);
		sub = base_arena_calloc(o->a, r->n_assocs + 1, sizeof *sub);
		ids = base_arena_calloc(o->a, r->n_assocs + 1, sizeof *ids);
		for (i = 0; i < r->n_assocs; i++) {
			if (!r->assocs[i].subnet_id || r->assocs[i].main)
				continue;
			if (r->assocs[i].state && !base_str_eq(r->assocs[i].state, "associated") &&
			    !base_str_eq(r->assocs[i].state, "associating"))
				continue;
			sub[n] = recon__cp(o->a, r->assocs[i].subnet_id);
			ids[n] = recon__cp(o->a, r->assocs[i].association_id);
			n++;
		}
		o->out->rt.id = recon__cp(o->a, r->route_table_id);
		o->out->rt.owned = true;
		o->out->rt.assoc_subnet_ids = (aws_strs){sub, n};
		o->out->rt.assoc_ids = (aws_strs){ids, n};
		o->out->rt.tags = recon__cp_tags(o->a, r->tags);
		pthread_mutex_unlock(&o->mu);
	}
done:
	return recon__obs_end(o, t, rc, &e);
}
