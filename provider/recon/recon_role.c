/*
 * recon_role.c - the IAM role part: observe (role, attached + inline policies,
 * boundary, tags), diff, and the steps (create or adopt by tag, attach /
 * detach, inline policy, boundary, delete).
 */
#include <ctype.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "aws/aws_crypto.h"
#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_int.h"

/* IAM role names are at most 64 characters. A longer "lambdavpc-<name>"
 * keeps ROLE_NAME_CUT characters of the name and ends in "-" plus the first
 * ROLE_NAME_HASH hex digits of SHA-256(name): deterministic (plan, apply and
 * a lost state agree) and distinct for names sharing any prefix. */
#define ROLE_PREFIX "lambdavpc-"
#define ROLE_NAME_MAX 64
#define ROLE_NAME_HASH 10
#define ROLE_NAME_CUT (ROLE_NAME_MAX - (int)(sizeof ROLE_PREFIX - 1) - 1 - ROLE_NAME_HASH) /* 43 */

char *recon_role_name(base_arena *a, const char *function_name)
{
	const char *n = function_name ? function_name : "";
	char hex[2 * AWS_SHA256_LEN + 1];
	if (strlen(ROLE_PREFIX) + strlen(n) <= ROLE_NAME_MAX)
		return base_arena_sprintf(a, ROLE_PREFIX "%s", n);
	aws_crypto_sha256_hex(n, strlen(n), hex);
	return base_arena_sprintf(a, ROLE_PREFIX "%.*s-%.*s", ROLE_NAME_CUT, n, ROLE_NAME_HASH, hex);
}

int recon__step_role_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_iam_role_spec spec;
	aws_iam_role r;
	int rc;
	memset(&spec, 0, sizeof spec);
	spec.role_name = st->key;
	spec.assume_role_policy = AWS_IAM_LAMBDA_TRUST_POLICY;
	spec.description = base_arena_sprintf(t, "Execution role of Lambda %s (lambdavpc)", x->fn);
	spec.permissions_boundary = x->d ? x->d->permissions_boundary : NULL;
	spec.tags = x->tags;
	rc = aws_iam_create_role(x->c, t, &spec, &r, e);
	if (rc == BASE_EAWS && aws_error_is(e, "EntityAlreadyExists")) {
		aws_tags tags;
		rc = aws_iam_get_role(x->c, t, st->key, &r, e);
		if (rc != BASE_OK)
			return rc;
		tags = r.tags;
		if (tags.n == 0 && (rc = aws_iam_list_role_tags(x->c, t, st->key, &tags, e)) != BASE_OK)
			return rc;
		if (!recon__owned_by(tags, x->fn)) {
			recon__ex_fail(
			        x, st, BASE_ECONFLICT, e,
			        "IAM role %s already exists and is not managed by lambdavpc function %s "
			        "(no tag %s=%s). Delete or rename it.",
			        st->key, x->fn, RECON_OWNER_TAG, x->fn);
			return BASE_ECONFLICT;
		}
		r.tags = tags;
	}
	if (rc != BASE_OK)
		return rc;
	recon__st_set_role(x, &r);
	return BASE_OK;
}

static int role_attach(struct ex *x, base_arena *t, const recon_step *st, bool attach, aws_error *e)
{
	const char *role = recon__st_role_name(x);
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	recon_backoff b;
	int rc;
	recon_backoff_init(&b, &x->clk, &w);
	for (;;) {
		rc = attach ? aws_iam_attach_role_policy(x->c, t, role, st->key, e)
		            : aws_iam_detach_role_policy(x->c, t, role, st->key, e);
		if (!attach)
			rc = recon__ok_if_gone(rc, e);
		if (rc == BASE_EAWS && aws_error_is(e, "ConcurrentModification") &&
		    recon_backoff_sleep(&b) == BASE_OK)
			continue;
		break;
	}
	if (rc != BASE_OK)
		return rc;
	recon__st_role_policy(x, st->key, attach);
	return BASE_OK;
}

static int role_inline(struct ex *x, base_arena *t, const recon_step *st, bool put, aws_error *e)
{
	const char *role = recon__st_role_name(x);
	int rc;
	if (put)
		rc = aws_iam_put_role_policy(x->c, t, role, RECON_INLINE_POLICY_NAME, x->d->inline_policy, e);
	else
		rc = recon__ok_if_gone(aws_iam_delete_role_policy(x->c, t, role, RECON_INLINE_POLICY_NAME, e),
		                       e);
	(void)st;
	if (rc != BASE_OK)
		return rc;
	recon__st_role_inline(x, put ? x->d->inline_policy : NULL);
	return BASE_OK;
}

int recon__step_role_attach(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	return role_attach(x, t, st, true, e);
}

int recon__step_role_detach(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	return role_attach(x, t, st, false, e);
}

int recon__step_role_put_inline(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	return role_inline(x, t, st, true, e);
}

int recon__step_role_delete_inline(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	return role_inline(x, t, st, false, e);
}

int recon__step_role_boundary(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const char *arn = strcmp(st->key, "-") == 0 ? NULL : st->key;
	int rc = aws_iam_set_role_permissions_boundary(x->c, t, recon__st_role_name(x), arn, e);
	if (!arn)
		rc = recon__ok_if_gone(rc, e);
	if (rc != BASE_OK)
		return rc;
	recon__st_role_boundary(x, arn);
	return BASE_OK;
}

/* Detaches the managed policies (arns) and deletes the role's inline
 * policies: listed when list_inline, else only ours when the state knows it
 * (a destroy's refresh read it): a role with an inline policy we did not
 * know of answers DeleteRole with DeleteConflict, and the retry lists.
 * *gone: the role no longer exists. */
static int role_empty(struct ex *x, base_arena *t, const char *role, aws_strs arns, bool list_inline,
                      bool *gone, aws_error *e)
{
	const char *ours[] = {RECON_INLINE_POLICY_NAME};
	aws_strs names = {ours, recon__st_role_has_inline(x) ? 1 : 0};
	size_t i;
	int rc;
	*gone = false;
	for (i = 0; i < arns.n; i++) {
		rc = aws_iam_detach_role_policy(x->c, t, role, arns.v[i], e);
		if (rc != BASE_OK && !recon__gone(rc, e))
			return rc;
	}
	if (list_inline) {
		rc = aws_iam_list_role_policies(x->c, t, role, &names, e);
		if ((*gone = recon__gone(rc, e)) || rc != BASE_OK)
			return *gone ? BASE_OK : rc;
	}
	for (i = 0; i < names.n; i++) {
		rc = aws_iam_delete_role_policy(x->c, t, role, names.v[i], e);
		if (rc != BASE_OK && !recon__gone(rc, e))
			return rc;
	}
	return BASE_OK;
}

/* The attached policies of the role, listed (the observed ones may be stale). */
static int role_listed_arns(struct ex *x, base_arena *t, const char *role, aws_strs *out, bool *gone, aws_error *e)
{
	aws_iam_attached_policies pol;
	const char **v;
	size_t i;
	int rc = aws_iam_list_attached_role_policies(x->c, t, role, &pol, e);
	*out = (aws_strs){NULL, 0};
	if ((*gone = recon__gone(rc, e)) || rc != BASE_OK)
		return *gone ? BASE_OK : rc;
	v = base_arena_calloc(t, pol.n + 1, sizeof *v);
	for (i = 0; i < pol.n; i++)
		v[i] = pol.v[i].policy_arn;
	*out = (aws_strs){v, pol.n};
	return BASE_OK;
}

/* Detach + delete inline + DeleteRole. The managed policies the observe of
 * this run saw are detached and our inline policy deleted without listing
 * them again; a DeleteConflict (a policy attached or put since, or one we
 * never knew of) lists both, empties the role again and retries. */
int recon__step_role_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	recon_backoff b;
	aws_strs arns;
	bool gone = false;
	int rc = BASE_OK;

	if (!recon__st_role_policies(x, t, &arns))
		rc = role_listed_arns(x, t, st->key, &arns, &gone, e);
	if (rc == BASE_OK && !gone)
		rc = role_empty(x, t, st->key, arns, false, &gone, e);
	recon_backoff_init(&b, &x->clk, &w);
	while (rc == BASE_OK && !gone) {
		rc = aws_iam_delete_role(x->c, t, st->key, e);
		if (rc == BASE_EAWS &&
		    (aws_error_is(e, "DeleteConflict") || aws_error_is(e, "ConcurrentModification"))) {
			int brc = recon_backoff_sleep(&b);
			if (brc != BASE_OK)
				return brc;
			rc = role_listed_arns(x, t, st->key, &arns, &gone, e);
			if (rc == BASE_OK && !gone)
				rc = role_empty(x, t, st->key, arns, true, &gone, e);
			continue;
		}
		gone = rc == BASE_OK || recon__gone(rc, e);
		if (gone)
			rc = BASE_OK;
	}
	if (rc != BASE_OK)
		return rc;
	recon__st_forget(x, RECON_PART_ROLE);
	return BASE_OK;
}

/* ---- diff ---- */

/* Is the inline policy semantically the same? Compare with whitespace removed
 * outside strings (IAM may reformat documents). */
static bool json_same(base_arena *a, const char *x, const char *y)
{
	const char *in[2] = {x, y};
	char *out[2];
	int k;
	if (!x || !y)
		return !x && !y;
	for (k = 0; k < 2; k++) {
		size_t len = strlen(in[k]), i, n = 0;
		bool instr = false, esc = false;
		out[k] = base_arena_alloc(a, len + 1);
		for (i = 0; i < len; i++) {
			char ch = in[k][i];
			if (instr) {
				if (esc)
					esc = false;
				else if (ch == '\\')
					esc = true;
				else if (ch == '"')
					instr = false;
			} else if (ch == '"') {
				instr = true;
			} else if (isspace((unsigned char)ch)) {
				continue;
			}
			out[k][n++] = ch;
		}
		out[k][n] = '\0';
	}
	return strcmp(out[0], out[1]) == 0;
}

/* Role: create, policy attachments, inline policy, boundary, tags. Steps the
 * function waits for go to c->role_ready. */
void recon__diff_role(struct recon__dctx *c)
{
	const recon_desired *d = c->d;
	const recon_state *s = c->s;
	base_arena *a = c->a;
	struct recon__pb *b = &c->b;
	bool role_exists = s->role.name != NULL;
	const char *role_name = d->role_name ? d->role_name : recon_role_name(a, d->function_name);
	size_t i;

	if (!role_exists) {
		c->role_c = recon__pb_add3(b, RECON_STEP_ROLE_CREATE, role_name, RECON_NONE, RECON_NONE,
		                           RECON_NONE);
		recon__idxv_push(&c->role_ready, c->role_c);
	}
	{
		const char *vpc_arn = d->vpc_policy_arn ? d->vpc_policy_arn : RECON_VPC_POLICY_ARN;
		aws_strs obs = role_exists ? s->role.policy_arns : (aws_strs){NULL, 0};
		if (!recon__strs_has(obs, vpc_arn))
			recon__idxv_push(&c->role_ready, recon__pb_add3(b, RECON_STEP_ROLE_ATTACH, vpc_arn,
			                                                c->role_c, RECON_NONE, RECON_NONE));
		for (i = 0; i < d->policy_arns.n; i++)
			if (!recon__strs_has(obs, d->policy_arns.v[i]) &&
			    !base_str_eq(d->policy_arns.v[i], vpc_arn))
				recon__idxv_push(&c->role_ready,
				                 recon__pb_add3(b, RECON_STEP_ROLE_ATTACH,
				                                d->policy_arns.v[i], c->role_c, RECON_NONE,
				                                RECON_NONE));
		if (role_exists && s->role.owned)
			for (i = 0; i < obs.n; i++)
				if (!base_str_eq(obs.v[i], vpc_arn) &&
				    !recon__strs_has(d->policy_arns, obs.v[i]))
					recon__idxv_push(&c->role_ready,
					                 recon__pb_add3(b, RECON_STEP_ROLE_DETACH, obs.v[i],
					                                RECON_NONE, RECON_NONE, RECON_NONE));
	}
	if (d->inline_policy && (!role_exists || !json_same(a, d->inline_policy, s->role.inline_policy)))
		recon__idxv_push(&c->role_ready,
		                 recon__pb_add3(b, RECON_STEP_ROLE_PUT_INLINE, RECON_INLINE_POLICY_NAME,
		                                c->role_c, RECON_NONE, RECON_NONE));
	if (!d->inline_policy && role_exists && s->role.owned && s->role.inline_policy)
		recon__idxv_push(&c->role_ready,
		                 recon__pb_add3(b, RECON_STEP_ROLE_DELETE_INLINE, RECON_INLINE_POLICY_NAME,
		                                RECON_NONE, RECON_NONE, RECON_NONE));
	if (role_exists && s->role.owned &&
	    !recon__str_same(d->permissions_boundary, s->role.permissions_boundary))
		recon__idxv_push(&c->role_ready,
		                 recon__pb_add3(b, RECON_STEP_ROLE_BOUNDARY,
		                                d->permissions_boundary ? d->permissions_boundary : "-",
		                                RECON_NONE, RECON_NONE, RECON_NONE));
	if (role_exists && s->role.owned && recon_tags_differ(c->want_tags, s->role.tags))
		recon__pb_add3(b, RECON_STEP_TAGS, "role", RECON_NONE, RECON_NONE, RECON_NONE);
}

/* ---- observe ---- */

/* Our inline policy's document into *doc (NULL: none). When the prior
 * state had one, it is read directly (gone = drift). When the prior state
 * has none, the role carries no policy of ours to watch: nothing is read
 * (a GetRolePolicy would only answer 404 on every plan); a config that adds
 * inline_policy plans its put, and a destroy deletes ours when the state
 * has it (any other makes DeleteRole answer DeleteConflict, then listed). An import (no prior state) lists
 * them and reads ours when it is there. */
static int observe_inline(struct recon__obs *o, base_arena *t, const char **doc, aws_error *e)
{
	aws_strs names;
	int rc;
	*doc = NULL;
	if (o->in->prior && !o->in->prior->role.inline_policy)
		return BASE_OK;
	if (!o->in->prior) {
		rc = aws_iam_list_role_policies(o->c, t, o->role_name, &names, e);
		if (recon__gone(rc, e))
			return BASE_OK;
		if (rc != BASE_OK || !recon__strs_has(names, RECON_INLINE_POLICY_NAME))
			return rc;
	}
	rc = aws_iam_get_role_policy(o->c, t, o->role_name, RECON_INLINE_POLICY_NAME, doc, e);
	if (recon__gone(rc, e)) {
		*doc = NULL;
		rc = BASE_OK;
	}
	return rc;
}

int recon__observe_role(struct recon__obs *o)
{
	base_arena *t = base_arena_new();
	aws_iam_role r;
	const char *doc = NULL;
	aws_tags tags;
	aws_error e;
	int rc = aws_iam_get_role(o->c, t, o->role_name, &r, &e);
	if (recon__gone(rc, &e)) {
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
	if (!o->in->for_destroy) {
		rc = observe_inline(o, t, &doc, &e);
		if (rc != BASE_OK)
			goto done;
	} else if (o->in->prior) {
		doc = o->in->prior->role.inline_policy; /* as the refresh read it */
	}
	pthread_mutex_lock(&o->mu);
	{
		recon_role *x = &o->out->role;
		x->name = recon__cp(o->a, r.role_name);
		x->arn = recon__cp(o->a, r.arn);
		x->permissions_boundary = recon__cp(o->a, r.permissions_boundary_arn);
		x->tags = recon__cp_tags(o->a, tags);
		x->owned = recon__owned_by(tags, o->in->function_name);
		x->inline_policy = recon__cp(o->a, doc);
	}
	pthread_mutex_unlock(&o->mu);
done:
	return recon__obs_end(o, t, rc, &e);
}

/* The role's attached policies, listed at the same time as GetRole (both
 * need only the name): one round trip per refresh instead of two. A role
 * that is not there answers NoSuchEntity here too: nothing is recorded. */
int recon__observe_role_policies(struct recon__obs *o)
{
	base_arena *t = base_arena_new();
	aws_iam_attached_policies pol;
	aws_error e;
	const char **arns;
	size_t i;
	int rc = aws_iam_list_attached_role_policies(o->c, t, o->role_name, &pol, &e);
	if (rc != BASE_OK) { /* a role that is not there: nothing to record */
		rc = recon__ok_if_gone(rc, &e);
		goto done;
	}
	pthread_mutex_lock(&o->mu);
	arns = base_arena_calloc(o->a, pol.n + 1, sizeof *arns);
	for (i = 0; i < pol.n; i++)
		arns[i] = recon__cp(o->a, pol.v[i].policy_arn);
	o->role_policies = (aws_strs){arns, pol.n};
	o->role_policies_listed = true;
	pthread_mutex_unlock(&o->mu);
done:
	return recon__obs_end(o, t, rc, &e);
}
