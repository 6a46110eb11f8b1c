/*
 * sf_drift.c - drift a user can read, and ignore_tags.
 *
 * ReadResource turns a reconcile diff of the state against AWS into drift
 * flags (sf_state.c); this file adds, for each step of that diff, one
 * warning that names the part and what differs ("subnet-... (10.0.1.0/27):
 * tag CreatedBy added outside Terraform; apply removes it"), so `plan` and
 * `plan -refresh-only` show why a part without its own attribute changes.
 * Steps whose drift already shows on an attribute of its own (function
 * settings, code, concurrency, publishing) get no warning.
 *
 * ignore_tags (hashicorp/aws's meaning): the observed tags of every part lose
 * the ignored keys right after observation, so neither the drift diff nor an
 * apply's tags.sync ever sees (or removes) them.
 */
#include "secure_function/sf_ops_int.h"

#include <string.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"

/* ------------------------------------------------------------------------ */
/* ignore_tags                                                              */

static aws_tags drop_ignored(base_arena *a, aws_tags t, const prov_ignore_tags *ig)
{
	aws_tag *v;
	size_t i, n = 0;
	if (t.n == 0)
		return t;
	v = base_arena_calloc(a, t.n, sizeof *v);
	for (i = 0; i < t.n; i++)
		if (!prov_tag_ignored(ig, t.v[i].key))
			v[n++] = t.v[i];
	return (aws_tags){v, n};
}

void sf__ignore_observed_tags(base_arena *a, recon_state *st, const prov_ignore_tags *ig)
{
	size_t i;
	if (!ig || (ig->n_keys == 0 && ig->n_prefixes == 0))
		return;
	st->role.tags = drop_ignored(a, st->role.tags, ig);
	st->rt.tags = drop_ignored(a, st->rt.tags, ig);
	st->fn.tags = drop_ignored(a, st->fn.tags, ig);
	for (i = 0; i < 2; i++)
		st->sgs[i].tags = drop_ignored(a, st->sgs[i].tags, ig);
	for (i = 0; i < st->n_subnets; i++)
		st->subnets[i].tags = drop_ignored(a, st->subnets[i].tags, ig);
	for (i = 0; i < st->n_endpoints; i++)
		st->endpoints[i].tags = drop_ignored(a, st->endpoints[i].tags, ig);
}

/* ------------------------------------------------------------------------ */
/* readable drift                                                           */

/* The observed tags and the display name of a tags.sync part; false when the
 * part is not in the state (or is a reused endpoint: not ours to tag). */
static bool tag_part(base_arena *a, const recon_state *st, const char *region, const char *part,
                     aws_tags *tags, const char **name)
{
	if (base_str_eq(part, "role")) {
		*tags = st->role.tags;
		*name = base_arena_sprintf(a, "IAM role %s", st->role.name ? st->role.name : "?");
	} else if (base_str_eq(part, "function")) {
		*tags = st->fn.tags;
		*name = base_arena_sprintf(a, "function %s", st->fn.name ? st->fn.name : "?");
	} else if (base_str_eq(part, "rt")) {
		*tags = st->rt.tags;
		*name = base_arena_sprintf(a, "%s (route table)", st->rt.id ? st->rt.id : "?");
	} else if (base_str_has_prefix(part, "sg:")) {
		recon_sg_which w = base_str_eq(part + 3, "endpoint") ? RECON_SG_ENDPOINT : RECON_SG_LAMBDA;
		*tags = st->sgs[w].tags;
		*name = base_arena_sprintf(a, "%s (%s security group)", st->sgs[w].id ? st->sgs[w].id : "?",
		                           part + 3);
	} else if (base_str_has_prefix(part, "subnet:")) {
		const recon_subnet *sn = recon_state_subnet(st, part + 7);
		if (!sn)
			return false;
		*tags = sn->tags;
		*name = base_arena_sprintf(a, "%s (%s)", sn->id, part + 7);
	} else if (base_str_has_prefix(part, "endpoint:")) {
		const recon_endpoint *e = recon_state_endpoint(st, sf__service_full(a, region, part + 9));
		if (!e || !e->owned)
			return false;
		*tags = e->tags;
		*name = base_arena_sprintf(a, "%s (%s endpoint)", e->id, part + 9);
	} else {
		return false;
	}
	return true;
}

/* "tag K added ...; tag K changed ...": observed vs want, lambdavpc: keys
 * (bookkeeping) left out; NULL when they agree. */
char *sf__tags_drift_text(base_arena *a, aws_tags have, aws_tags want)
{
	char *out = NULL;
	size_t i;
	for (i = 0; i < have.n; i++) {
		const char *k = have.v[i].key, *w = aws_tags_get(want, k);
		const char *d = NULL;
		if (base_str_has_prefix(k, "lambdavpc:"))
			continue;
		if (!w)
			d = base_arena_sprintf(a, "tag %s added outside Terraform; apply removes it", k);
		else if (!base_str_eq(w, have.v[i].value))
			d = base_arena_sprintf(
			        a,
			        "tag %s changed outside Terraform (\"%s\", configured \"%s\"); "
			        "apply restores it",
			        k, have.v[i].value, w);
		if (d)
			out = out ? base_arena_sprintf(a, "%s; %s", out, d) : base_arena_strdup(a, d);
	}
	for (i = 0; i < want.n; i++) {
		const char *k = want.v[i].key;
		if (base_str_has_prefix(k, "lambdavpc:") || aws_tags_get(have, k))
			continue;
		out = out ? base_arena_sprintf(a, "%s; tag %s removed outside Terraform; apply adds it", out,
		                               k)
		          : base_arena_sprintf(a, "tag %s removed outside Terraform; apply adds it", k);
	}
	return out;
}

static const char *sg_label(base_arena *a, const recon_state *st, recon_sg_which w)
{
	return base_arena_sprintf(a, "%s (%s security group)", st->sgs[w].id ? st->sgs[w].id : "?",
	                          w == RECON_SG_ENDPOINT ? "endpoint" : "lambda");
}

static const char *rule_text(base_arena *a, const recon_rule *r)
{
	return base_arena_sprintf(a, "%s %s %d-%d %s %s", r->egress ? "egress" : "ingress",
	                          r->protocol ? r->protocol : "?", r->from_port, r->to_port,
	                          r->egress ? "to" : "from", r->peer ? r->peer : "?");
}

/* One step's readable drift, or NULL (no warning for it). */
static const char *step_text(base_arena *a, const recon_desired *d, const recon_state *st, const char *region,
                             const recon_step *s)
{
	const char *role = st->role.name ? st->role.name : "?";
	switch (s->kind) {
	case RECON_STEP_TAGS: {
		aws_tags have;
		const char *name, *diff;
		if (!tag_part(a, st, region, s->key, &have, &name))
			return NULL;
		diff = sf__tags_drift_text(a, have, recon_owned_tags(a, d));
		return diff ? base_arena_sprintf(a, "%s: %s.", name, diff) : NULL;
	}
	case RECON_STEP_ROLE_ATTACH:
		return base_arena_sprintf(
		        a, "IAM role %s: policy %s detached outside Terraform; apply attaches it.", role,
		        s->key);
	case RECON_STEP_ROLE_DETACH:
		return base_arena_sprintf(
		        a, "IAM role %s: policy %s attached outside Terraform; apply detaches it.", role,
		        s->key);
	case RECON_STEP_ROLE_PUT_INLINE:
	case RECON_STEP_ROLE_DELETE_INLINE:
	case RECON_STEP_ROLE_BOUNDARY:
		return base_arena_sprintf(
		        a, "IAM role %s: %s changed outside Terraform; apply restores it.", role,
		        s->kind == RECON_STEP_ROLE_BOUNDARY ? "permissions boundary" : "inline policy");
	case RECON_STEP_SG_CREATE:
		if (base_str_eq(s->key, "endpoint") && st->shared_sgs_drift)
			return base_arena_sprintf(
			        a,
			        "the VPC's shared security groups %s and %s: rules changed outside "
			        "Terraform (each holds exactly one tcp/443 rule); apply restores them.",
			        st->sgs[RECON_SG_ENDPOINT].id, st->clients_sg_id);
		/* fall through */
	case RECON_STEP_ROLE_CREATE:
	case RECON_STEP_SUBNET_CREATE:
	case RECON_STEP_RT_CREATE:
	case RECON_STEP_EP_CREATE:
		return base_arena_sprintf(a, "%s %s: missing (deleted outside Terraform); apply creates it.",
		                          recon_step_kind_name(s->kind), s->key ? s->key : "");
	case RECON_STEP_RT_ASSOCIATE:
		return base_arena_sprintf(
		        a, "subnet %s: not associated with the route table %s; apply associates it.", s->key,
		        st->rt.id ? st->rt.id : "?");
	case RECON_STEP_SG_AUTHORIZE:
	case RECON_STEP_SG_REVOKE:
		return base_arena_sprintf(a, "%s: rule %s %s outside Terraform; apply %s it.",
		                          sg_label(a, st, s->sg), rule_text(a, &s->rule),
		                          s->kind == RECON_STEP_SG_REVOKE ? "added" : "removed",
		                          s->kind == RECON_STEP_SG_REVOKE ? "removes" : "adds");
	case RECON_STEP_EP_SYNC:
		return base_arena_sprintf(
		        a,
		        "%s endpoint: subnets, security groups or route tables changed outside "
		        "Terraform; apply restores them.",
		        s->key);
	case RECON_STEP_FN_CONFIG:
		return base_arena_sprintf(a,
		                          "function %s: configuration (VPC settings or role) changed outside "
		                          "Terraform; apply restores it.",
		                          d->function_name);
	default:
		return NULL; /* shows on an attribute of its own */
	}
}

size_t sf__drift_report(base_arena *a, base_diags *diags, const recon_desired *d, const recon_state *st,
                        const char *region, const recon_plan *plan)
{
	size_t i, n = 0;
	for (i = 0; i < plan->n; i++) {
		const char *t = step_text(a, d, st, region, &plan->v[i]);
		if (!t)
			continue;
		base_diags_addf(diags, BASE_SEV_WARNING, NULL, "Changed outside Terraform", "%s", t);
		n++;
	}
	return n;
}

prov_tags sf__recorded_tags(base_arena *a, const sf_config *m, prov_tags dt)
{
	const char **k, **v;
	size_t i;
	if (!sf_has(m, SF_A_TAGS_ALL) || m->tags_all.n_unknown)
		return dt;
	k = base_arena_calloc(a, m->tags_all.n + 1, sizeof *k);
	v = base_arena_calloc(a, m->tags_all.n + 1, sizeof *v);
	for (i = 0; i < m->tags_all.n; i++) {
		k[i] = m->tags_all.keys[i];
		v[i] = m->tags_all.vals[i] ? m->tags_all.vals[i] : "";
	}
	return (prov_tags){k, v, m->tags_all.n};
}
