/* recon_observe.c - concurrent, batched read of one bundle. */
#include "recon/recon_observe.h"

#include <pthread.h>
#include <string.h>

#include "aws/aws_ec2.h"
#include "aws/aws_iam.h"
#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_engine.h"
#include "recon/recon_int.h"

enum { OBS_FN, OBS_ROLE, OBS_SUBNETS, OBS_RT, OBS_SGS, OBS_ENDPOINTS, OBS_PREFIX, OBS_COUNT };

struct obs {
	aws_client *c;
	base_arena *a; /* result arena; guarded by mu */
	const recon_observe_in *in;
	const char *vpc_id;
	const char *role_name;
	recon_state *out;
	pthread_mutex_t mu;
	int first_rc;
	aws_error err; /* of the first failure; guarded by mu */
	size_t base;   /* engine task i runs part base + i */
};

static void obs_fail(struct obs *o, int rc, const aws_error *e)
{
	pthread_mutex_lock(&o->mu);
	if (o->first_rc == 0) {
		o->first_rc = rc;
		o->err = *e;
	}
	pthread_mutex_unlock(&o->mu);
}

static aws_filter f1(const char *name, const char *const *vals, size_t n)
{
	aws_filter f;
	f.name = name;
	f.values = (aws_strs){vals, n};
	return f;
}

/* The single exit of an observer: records a failure, frees its scratch arena. */
static int obs_end(struct obs *o, base_arena *t, int rc, const aws_error *e)
{
	if (rc != BASE_OK)
		obs_fail(o, rc, e);
	base_arena_free(t);
	return rc;
}

/* ------------------------------------------------------------------------ */

void recon_observe_function_from_aws(base_arena *a, const aws_lambda_function *f, recon_function *o)
{
	memset(o, 0, sizeof *o);
	o->name = recon__cp(a, f->function_name);
	o->arn = recon__cp(a, f->function_arn);
	o->version = recon__cp(a, f->version);
	o->last_modified = recon__cp(a, f->last_modified);
	o->code_sha256 = recon__cp(a, f->code_sha256);
	o->role_arn = recon__cp(a, f->role);
	o->state = recon__cp(a, f->state);
	o->last_update_status = recon__cp(a, f->last_update_status);
	o->cfg.runtime = recon__cp(a, f->runtime);
	o->cfg.handler = recon__cp(a, f->handler);
	o->cfg.description = recon__cp(a, f->description);
	o->cfg.package_type = recon__cp(a, f->package_type);
	o->cfg.image_uri = recon__cp(a, f->code_image_uri);
	o->cfg.memory_size = (int)f->memory_size;
	o->cfg.timeout = (int)f->timeout;
	o->cfg.environment = recon__cp_tags(a, f->environment);
	o->cfg.layers = recon__cp_strs(a, f->layers);
	o->cfg.architectures = recon__cp_strs(a, f->architectures);
	o->cfg.kms_key_arn = recon__cp(a, f->kms_key_arn);
	o->cfg.tracing_mode = recon__cp(a, f->tracing_mode);
	o->cfg.dead_letter_target_arn = recon__cp(a, f->dead_letter_target_arn);
	o->cfg.ephemeral_storage = (int)f->ephemeral_storage_size;
	o->cfg.logging.log_format = recon__cp(a, f->logging.log_format);
	o->cfg.logging.log_group = recon__cp(a, f->logging.log_group);
	o->cfg.logging.application_log_level = recon__cp(a, f->logging.application_log_level);
	o->cfg.logging.system_log_level = recon__cp(a, f->logging.system_log_level);
	o->cfg.reserved_concurrency = f->has_reserved_concurrency ? (int)f->reserved_concurrency : -1;
	o->subnet_ids = recon__cp_strs(a, f->subnet_ids);
	o->sg_ids = recon__cp_strs(a, f->security_group_ids);
	o->tags = recon__cp_tags(a, f->tags);
	o->owned = f->tags.n ? recon__owned_by(f->tags, f->function_name) : false;
}

static int obs_function(struct obs *o)
{
	base_arena *t = base_arena_new();
	aws_lambda_function f;
	aws_error e;
	int rc = aws_lambda_get_function(o->c, t, o->in->function_name, &f, &e);
	if (rc == BASE_ENOTFOUND) {
		rc = BASE_OK;
		goto done;
	}
	if (rc != BASE_OK)
		goto done;
	pthread_mutex_lock(&o->mu);
	recon_observe_function_from_aws(o->a, &f, &o->out->fn);
	/* GetFunction reports $LATEST: keep the version the prior state published */
	if (o->in->prior && recon_version_published(o->in->prior->fn.version))
		o->out->fn.version = recon__cp(o->a, o->in->prior->fn.version);
	pthread_mutex_unlock(&o->mu);
done:
	return obs_end(o, t, rc, &e);
}

static int obs_role(struct obs *o)
{
	base_arena *t = base_arena_new();
	aws_iam_role r;
	aws_iam_attached_policies pol;
	const char *doc = NULL;
	aws_tags tags;
	aws_error e;
	const char **arns = NULL;
	size_t i;
	int rc = aws_iam_get_role(o->c, t, o->role_name, &r, &e);
	if (rc == BASE_ENOTFOUND) {
		rc = BASE_OK;
		goto done;
	}
	if (rc != BASE_OK)
		goto done;
	tags = r.tags;
	if (tags.n == 0) {
		rc = aws_iam_list_role_tags(o->c, t, o->role_name, &tags, &e);
		if (rc != BASE_OK)
			goto done;
	}
	rc = aws_iam_list_attached_role_policies(o->c, t, o->role_name, &pol, &e);
	if (rc != BASE_OK)
		goto done;
	rc = aws_iam_get_role_policy(o->c, t, o->role_name, RECON_INLINE_POLICY_NAME, &doc, &e);
	if (rc == BASE_ENOTFOUND) {
		doc = NULL;
		rc = BASE_OK;
	}
	if (rc != BASE_OK)
		goto done;
	pthread_mutex_lock(&o->mu);
	{
		recon_role *x = &o->out->role;
		x->name = recon__cp(o->a, r.role_name);
		x->arn = recon__cp(o->a, r.arn);
		x->permissions_boundary = recon__cp(o->a, r.permissions_boundary_arn);
		x->tags = recon__cp_tags(o->a, tags);
		x->owned = recon__owned_by(tags, o->in->function_name);
		x->inline_policy = recon__cp(o->a, doc);
		arns = base_arena_calloc(o->a, pol.n + 1, sizeof *arns);
		for (i = 0; i < pol.n; i++)
			arns[i] = recon__cp(o->a, pol.v[i].policy_arn);
		x->policy_arns = (aws_strs){arns, pol.n};
	}
	pthread_mutex_unlock(&o->mu);
done:
	return obs_end(o, t, rc, &e);
}

/* fl[0..1] = our objects in the VPC: vpc-id and tag:RECON_OWNER_TAG = the
 * function (values in t). */
static void owned_in_vpc(struct obs *o, base_arena *t, aws_filter fl[2])
{
	const char **v = base_arena_calloc(t, 2, sizeof *v);
	v[0] = o->vpc_id;
	v[1] = o->in->function_name;
	fl[0] = f1("vpc-id", &v[0], 1);
	fl[1] = f1(base_arena_sprintf(t, "tag:%s", RECON_OWNER_TAG), &v[1], 1);
}

static int obs_subnets(struct obs *o)
{
	base_arena *t = base_arena_new();
	aws_ec2_subnets tagged, prior = {0};
	aws_filter fl[2];
	aws_error e;
	size_t i, j, n = 0;
	int rc;

	owned_in_vpc(o, t, fl);
	rc = aws_ec2_describe_subnets(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 2}, &tagged, &e);
	if (rc != BASE_OK)
		goto done;
	if (o->in->prior && o->in->prior->n_subnets) {
		const char **ids = base_arena_calloc(t, o->in->prior->n_subnets, sizeof *ids);
		for (i = 0; i < o->in->prior->n_subnets; i++)
			if (o->in->prior->subnets[i].id)
				ids[n++] = o->in->prior->subnets[i].id;
		if (n) {
			fl[1] = f1("subnet-id", ids, n);
			rc = aws_ec2_describe_subnets(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 2},
			                              &prior, &e);
			if (rc != BASE_OK)
				goto done;
		}
	}
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
	return obs_end(o, t, rc, &e);
}

static int obs_rt(struct obs *o)
{
	base_arena *t = base_arena_new();
	aws_ec2_route_tables rts;
	aws_filter fl[2];
	aws_error e;
	size_t i;
	int rc;

	owned_in_vpc(o, t, fl);
	rc = aws_ec2_describe_route_tables(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 2}, &rts, &e);
	if (rc != BASE_OK)
		goto done;
	if (rts.n > 0) {
		const aws_ec2_route_table *r = &rts.v[0];
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
	return obs_end(o, t, rc, &e);
}

static int obs_sgs(struct obs *o)
{
	base_arena *t = base_arena_new();
	aws_ec2_sgs sgs;
	aws_ec2_sg_rules rules = {0};
	const char *names[2], *ids[2] = {NULL, NULL};
	aws_filter fl[2];
	aws_error e;
	size_t i, n_ids = 0;
	int rc, w;

	names[RECON_SG_LAMBDA] = recon_sg_name(t, o->in->function_name, RECON_SG_LAMBDA);
	names[RECON_SG_ENDPOINT] = recon_sg_name(t, o->in->function_name, RECON_SG_ENDPOINT);
	owned_in_vpc(o, t, fl);
	rc = aws_ec2_describe_security_groups(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 2}, &sgs, &e);
	if (rc != BASE_OK)
		goto done;
	for (i = 0; i < sgs.n; i++)
		for (w = 0; w < 2; w++)
			if (base_str_eq(sgs.v[i].group_name, names[w]) && !ids[w])
				ids[w] = sgs.v[i].group_id;
	for (w = 0; w < 2; w++)
		if (ids[w])
			n_ids++;
	if (n_ids) {
		const char *idv[2];
		size_t k = 0;
		for (w = 0; w < 2; w++)
			if (ids[w])
				idv[k++] = ids[w];
		fl[0] = f1("group-id", idv, k);
		rc = aws_ec2_describe_security_group_rules(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 1},
		                                           &rules, &e);
		if (rc != BASE_OK)
			goto done;
	}
	pthread_mutex_lock(&o->mu);
	for (w = 0; w < 2; w++) {
		recon_sg *d = &o->out->sgs[w];
		recon_rule *rv;
		size_t n = 0;
		if (!ids[w])
			continue;
		for (i = 0; i < sgs.n; i++)
			if (base_str_eq(sgs.v[i].group_id, ids[w]))
				d->tags = recon__cp_tags(o->a, sgs.v[i].tags);
		d->id = recon__cp(o->a, ids[w]);
		d->owned = true;
		rv = base_arena_calloc(o->a, rules.n + 1, sizeof *rv);
		for (i = 0; i < rules.n; i++)
			if (base_str_eq(rules.v[i].group_id, ids[w]))
				rv[n++] = recon__rule_from_aws(o->a, &rules.v[i]);
		d->rules = rv;
		d->n_rules = n;
	}
	pthread_mutex_unlock(&o->mu);
done:
	return obs_end(o, t, rc, &e);
}

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

static int obs_endpoints(struct obs *o)
{
	base_arena *t = base_arena_new();
	aws_ec2_vpces found[3] = {{0}, {0}, {0}};
	const char *yes[] = {"true"};
	aws_filter fl[2];
	aws_error e;
	size_t i, j, n = 0, total = 0;
	int rc;

	owned_in_vpc(o, t, fl);
	rc = aws_ec2_describe_vpc_endpoints(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 2}, &found[0],
	                                    &e);
	if (rc != BASE_OK)
		goto done;
	fl[1] = f1(base_arena_sprintf(t, "tag:%s%s", RECON_USER_TAG_PREFIX, o->in->function_name), yes, 1);
	rc = aws_ec2_describe_vpc_endpoints(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 2}, &found[1],
	                                    &e);
	if (rc != BASE_OK)
		goto done;
	if (o->in->prior && o->in->prior->n_endpoints) {
		/* Reused endpoints carry no tag of ours: find the prior ids among
		 * the VPC's endpoints (no per-id describe: it fails as a whole when
		 * one id is gone, and moto lacks the vpc-endpoint-id filter). */
		aws_ec2_vpces all;
		rc = aws_ec2_describe_vpc_endpoints(o->c, t, (aws_strs){NULL, 0}, (aws_filters){fl, 1}, &all,
		                                    &e);
		if (rc != BASE_OK)
			goto done;
		found[2].v = base_arena_calloc(t, all.n + 1, sizeof *found[2].v);
		for (i = 0; i < all.n; i++)
			for (j = 0; j < o->in->prior->n_endpoints; j++)
				if (base_str_eq(all.v[i].vpc_endpoint_id, o->in->prior->endpoints[j].id)) {
					found[2].v[n++] = all.v[i];
					break;
				}
		found[2].n = n;
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
	return obs_end(o, t, rc, &e);
}

static int obs_prefix_lists(struct obs *o)
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
	fl[0] = f1("prefix-list-name", names, n);
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
	return obs_end(o, t, rc, &e);
}

static int obs_run(void *ctx, size_t i)
{
	struct obs *o = ctx;
	switch (i + o->base) {
	case OBS_FN:
		return obs_function(o);
	case OBS_ROLE:
		return obs_role(o);
	case OBS_SUBNETS:
		return obs_subnets(o);
	case OBS_RT:
		return obs_rt(o);
	case OBS_SGS:
		return obs_sgs(o);
	case OBS_ENDPOINTS:
		return obs_endpoints(o);
	case OBS_PREFIX:
		return obs_prefix_lists(o);
	default:
		return BASE_EINVALID;
	}
}

static bool obs_cancelled(void *ctx)
{
	struct obs *o = ctx;
	return aws_client_cancelled(o->c);
}

/* Import: the VPC of the function's first subnet. */
static int learn_vpc(struct obs *o, aws_error *err)
{
	base_arena *t = base_arena_new();
	aws_ec2_subnets subs;
	int rc = BASE_OK;
	if (!o->out->fn.name) {
		rc = BASE_ENOTFOUND;
		aws_error_setf(err, 404, "ResourceNotFoundException", "function %s not found",
		               o->in->function_name);
		goto done;
	}
	if (o->out->fn.subnet_ids.n == 0) {
		rc = BASE_ENOTFOUND;
		aws_error_setf(err, 0, "NotInVpc", "function %s is not attached to a VPC",
		               o->in->function_name);
		goto done;
	}
	rc = aws_ec2_describe_subnets(o->c, t, (aws_strs){o->out->fn.subnet_ids.v, 1}, (aws_filters){NULL, 0},
	                              &subs, err);
	if (rc != BASE_OK)
		goto done;
	if (subs.n == 0 || !subs.v[0].vpc_id) {
		rc = BASE_ENOTFOUND;
		aws_error_setf(err, 0, "InvalidSubnetID.NotFound", "subnet %s of function %s not found",
		               o->out->fn.subnet_ids.v[0], o->in->function_name);
		goto done;
	}
	o->vpc_id = recon__cp(o->a, subs.v[0].vpc_id);
done:
	base_arena_free(t);
	return rc;
}

int recon_observe(aws_client *c, base_arena *a, const recon_observe_in *in, recon_state *out, aws_error *err)
{
	struct obs o;
	recon_engine_task tasks[OBS_COUNT];
	recon_task_status st[OBS_COUNT];
	recon_engine_cfg cfg;
	size_t first = 0;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&o, 0, sizeof o);
	memset(tasks, 0, sizeof tasks);
	aws_error_clear(err);
	o.c = c;
	o.a = a;
	o.in = in;
	o.out = out;
	o.vpc_id = in->vpc_id;
	o.role_name = in->role_name                         ? in->role_name
	              : (in->prior && in->prior->role.name) ? in->prior->role.name
	                                                    : recon_role_name(a, in->function_name);
	pthread_mutex_init(&o.mu, NULL);
	cfg.workers = in->workers ? in->workers : 6;
	cfg.run = obs_run;
	cfg.cancelled = obs_cancelled;
	cfg.ctx = &o;

	if (!o.vpc_id) {
		/* Import: the function first, its VPC from its subnets, then the rest. */
		rc = obs_function(&o);
		if (rc != BASE_OK) {
			*err = o.err;
			goto done;
		}
		rc = learn_vpc(&o, err);
		if (rc != BASE_OK)
			goto done;
		first = OBS_FN + 1;
	}
	o.base = first;
	rc = recon_engine_run(&cfg, tasks, OBS_COUNT - first, st, NULL, NULL);
	if (rc != BASE_OK) {
		if (o.first_rc)
			*err = o.err;
		else
			aws_error_setf(err, 0, rc == BASE_ECANCELLED ? "Cancelled" : "ObserveFailed", "%s",
			               base_err_str(rc));
		goto done;
	}
	out->function_name = recon__cp(a, in->function_name);
	out->vpc_id = recon__cp(a, o.vpc_id);
done:
	pthread_mutex_destroy(&o.mu);
	return rc;
}
