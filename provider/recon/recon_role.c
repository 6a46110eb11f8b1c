/*
 * recon_role.c - the IAM role part: create (or adopt by tag), policy attachments, inline policy, boundary,
 * delete.
 */
#include <string.h>
#include <strings.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_int.h"

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

int recon__step_role_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_iam_attached_policies pol;
	aws_strs names;
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	recon_backoff b;
	size_t i;
	int rc;

	rc = aws_iam_list_attached_role_policies(x->c, t, st->key, &pol, e);
	if (recon__gone(rc, e))
		goto gone;
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < pol.n; i++) {
		rc = aws_iam_detach_role_policy(x->c, t, st->key, pol.v[i].policy_arn, e);
		if (rc != BASE_OK && !recon__gone(rc, e))
			return rc;
	}
	rc = aws_iam_list_role_policies(x->c, t, st->key, &names, e);
	if (recon__gone(rc, e))
		goto gone;
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < names.n; i++) {
		rc = aws_iam_delete_role_policy(x->c, t, st->key, names.v[i], e);
		if (rc != BASE_OK && !recon__gone(rc, e))
			return rc;
	}
	recon_backoff_init(&b, &x->clk, &w);
	for (;;) {
		rc = aws_iam_delete_role(x->c, t, st->key, e);
		if (rc == BASE_EAWS &&
		    (aws_error_is(e, "DeleteConflict") || aws_error_is(e, "ConcurrentModification"))) {
			int brc = recon_backoff_sleep(&b);
			if (brc == BASE_OK)
				continue;
			rc = brc == BASE_ETIMEOUT ? BASE_ETIMEOUT : brc;
		}
		break;
	}
	if (rc != BASE_OK && !recon__gone(rc, e))
		return rc;
gone:
	recon__st_forget(x, RECON_PART_ROLE);
	return BASE_OK;
}
