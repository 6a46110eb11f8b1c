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

enum { OBS_FN, OBS_ROLE, OBS_ROLE_POLICIES, OBS_SUBNETS, OBS_RT, OBS_SGS, OBS_ENDPOINTS, OBS_PREFIX, OBS_COUNT };

static void obs_fail(struct recon__obs *o, int rc, const aws_error *e)
{
	pthread_mutex_lock(&o->mu);
	if (o->first_rc == 0) {
		o->first_rc = rc;
		o->err = *e;
	}
	pthread_mutex_unlock(&o->mu);
}

/* The single exit of an observer: records a failure, frees its scratch arena. */
int recon__obs_end(struct recon__obs *o, base_arena *t, int rc, const aws_error *e)
{
	if (rc != BASE_OK)
		obs_fail(o, rc, e);
	base_arena_free(t);
	return rc;
}

/* fl[0..1] = our objects in the VPC: vpc-id and tag:RECON_OWNER_TAG = the
 * function (values in t). */
void recon__obs_owned_filters(struct recon__obs *o, base_arena *t, aws_filter fl[2])
{
	const char **v = base_arena_calloc(t, 2, sizeof *v);
	v[0] = o->vpc_id;
	v[1] = o->in->function_name;
	fl[0] = recon__flt("vpc-id", &v[0], 1);
	fl[1] = recon__flt(base_arena_sprintf(t, "tag:%s", RECON_OWNER_TAG), &v[1], 1);
}

/* fl[0..1] = the lambdavpc objects in the VPC: vpc-id and tag-key
 * RECON_OWNER_TAG. The same for every resource in the VPC (concurrent reads
 * share one call), and without the objects of others in a shared VPC. */
void recon__obs_lambdavpc_filters(struct recon__obs *o, aws_filter fl[2])
{
	static const char *const key[] = {RECON_OWNER_TAG};
	fl[0] = recon__flt("vpc-id", &o->vpc_id, 1);
	fl[1] = recon__flt("tag-key", key, 1);
}

/* One observer per part, in its part's file; indexed by the OBS_* slot. */
static int (*const observers[OBS_COUNT])(struct recon__obs *o) = {
        [OBS_FN] = recon__observe_function,
        [OBS_ROLE] = recon__observe_role,
        [OBS_ROLE_POLICIES] = recon__observe_role_policies,
        [OBS_SUBNETS] = recon__observe_subnets,
        [OBS_RT] = recon__observe_rt,
        [OBS_SGS] = recon__observe_sgs,
        [OBS_ENDPOINTS] = recon__observe_endpoints,
        [OBS_PREFIX] = recon__observe_prefix_lists,
};

/* Parts not read: those a destroy view stands for (recon_destroy_view),
 * and the function, role and subnets of a create (recon_observe_in.
 * for_create: each create adopts what an interrupted apply left). */
static bool viewed(const struct recon__obs *o, size_t part)
{
	if (part == OBS_ROLE_POLICIES)
		part = OBS_ROLE;
	if (o->in->for_create && o->vpc_id && (part == OBS_FN || part == OBS_ROLE || part == OBS_SUBNETS))
		return true;
	if (!o->in->for_destroy || !o->in->view)
		return false;
	return part == OBS_FN || part == OBS_ROLE || part == OBS_RT || part == OBS_SGS ||
	       (o->in->view->has_net && (part == OBS_SUBNETS || part == OBS_ENDPOINTS));
}

static int obs_run(void *ctx, size_t i)
{
	struct recon__obs *o = ctx;
	if (i + o->base >= OBS_COUNT)
		return BASE_EINVALID;
	if (viewed(o, i + o->base))
		return BASE_OK;
	return observers[i + o->base](o);
}

void recon_destroy_view_of(const recon_state *s, recon_destroy_view *out)
{
	memset(out, 0, sizeof *out);
	out->fn_owned = s->fn.name && s->fn.owned;
	out->role_name = s->role.owned ? s->role.name : NULL;
	out->rt_id = s->rt.owned ? s->rt.id : NULL;
	out->lambda_sg_id = s->sgs[RECON_SG_LAMBDA].owned ? s->sgs[RECON_SG_LAMBDA].id : NULL;
	out->shared_sgs_in_vpc = s->shared_sgs_in_vpc;
	out->role_bare = out->role_name && s->role.policies_observed && s->role.policy_arns.n == 1 &&
	                 base_str_eq(s->role.policy_arns.v[0], RECON_VPC_POLICY_ARN);
	out->has_net = true;
	out->subnets = s->subnets;
	out->n_subnets = s->n_subnets;
	out->endpoints = s->endpoints;
	out->n_endpoints = s->n_endpoints;
}

/* The view's subnets and endpoints into out (copied into a). */
static void fill_net_from_view(struct recon__obs *o)
{
	const recon_destroy_view *v = o->in->view;
	recon_state *out = o->out;
	size_t i;
	out->subnets = base_arena_calloc(o->a, v->n_subnets + 1, sizeof *out->subnets);
	for (i = 0; i < v->n_subnets; i++) {
		recon_subnet *d = &out->subnets[out->n_subnets++];
		d->id = recon__cp(o->a, v->subnets[i].id);
		d->cidr = recon__cp(o->a, v->subnets[i].cidr);
		d->az = recon__cp(o->a, v->subnets[i].az);
		d->owned = v->subnets[i].owned;
	}
	out->endpoints = base_arena_calloc(o->a, v->n_endpoints + 1, sizeof *out->endpoints);
	for (i = 0; i < v->n_endpoints; i++) {
		recon_endpoint *d = &out->endpoints[out->n_endpoints++];
		d->id = recon__cp(o->a, v->endpoints[i].id);
		d->service = recon__cp(o->a, v->endpoints[i].service);
		d->gateway = v->endpoints[i].gateway;
		d->owned = v->endpoints[i].owned;
		d->off_ours = v->endpoints[i].off_ours;
	}
}

/* The viewed parts into out, as their observers would have found them for
 * a destroy (no tags, rules or policies: a destroy needs none of them). */
static void fill_from_view(struct recon__obs *o)
{
	const recon_destroy_view *v = o->in->view;
	recon_state *out = o->out;
	if (v->fn_owned) {
		out->fn.name = recon__cp(o->a, o->in->function_name);
		out->fn.owned = true;
	}
	if (v->role_name) {
		out->role.name = recon__cp(o->a, v->role_name);
		out->role.owned = true;
	}
	if (v->role_name && v->role_bare) {
		const char **arn = base_arena_calloc(o->a, 1, sizeof *arn);
		arn[0] = RECON_VPC_POLICY_ARN;
		out->role.policy_arns = (aws_strs){arn, 1};
		out->role.policies_observed = true;
	}
	if (v->role_name && o->in->prior) /* as the refresh read it */
		out->role.inline_policy = recon__cp(o->a, o->in->prior->role.inline_policy);
	if (v->rt_id) {
		out->rt.id = recon__cp(o->a, v->rt_id);
		out->rt.owned = true;
	}
	if (v->lambda_sg_id) {
		out->sgs[RECON_SG_LAMBDA].id = recon__cp(o->a, v->lambda_sg_id);
		out->sgs[RECON_SG_LAMBDA].owned = true;
	}
	out->shared_sgs_in_vpc = v->shared_sgs_in_vpc;
	if (v->has_net)
		fill_net_from_view(o);
}

static bool obs_cancelled(void *ctx)
{
	struct recon__obs *o = ctx;
	return aws_client_cancelled(o->c);
}

/* Import: the VPC of the function's first subnet. */
static int learn_vpc(struct recon__obs *o, aws_error *err)
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
	struct recon__obs o;
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
	cfg.workers = in->workers ? in->workers : OBS_COUNT;
	cfg.run = obs_run;
	cfg.cancelled = obs_cancelled;
	cfg.ctx = &o;

	if (!o.vpc_id) {
		/* Import: the function first, its VPC from its subnets, then the rest. */
		rc = recon__observe_function(&o);
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
	if (out->role.name && o.role_policies_listed) {
		out->role.policy_arns = o.role_policies;
		out->role.policies_observed = true;
	}
	if (in->for_destroy && in->view && o.vpc_id)
		fill_from_view(&o);
	out->function_name = recon__cp(a, in->function_name);
	out->vpc_id = recon__cp(a, o.vpc_id);
done:
	pthread_mutex_destroy(&o.mu);
	return rc;
}
