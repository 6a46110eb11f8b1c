/*
 * recon_steps.c - THE step table: one row per recon_step_kind (its name in
 * plans and logs, and the function that runs it), plus the one step shared
 * by every part (tags.sync). Adding a step kind = one enum value in
 * recon_model.h, one row here, one function in its part's file.
 */
#include <string.h>

#include "aws/aws_ec2.h"
#include "aws/aws_iam.h"
#include "aws/aws_lambda.h"
#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_int.h"

static const recon_step_def steps[RECON_STEP_KIND_COUNT] = {
        [RECON_STEP_ROLE_CREATE] = {"role.create", recon__step_role_create},
        [RECON_STEP_ROLE_ATTACH] = {"role.attach", recon__step_role_attach},
        [RECON_STEP_ROLE_DETACH] = {"role.detach", recon__step_role_detach},
        [RECON_STEP_ROLE_PUT_INLINE] = {"role.put_inline", recon__step_role_put_inline},
        [RECON_STEP_ROLE_DELETE_INLINE] = {"role.delete_inline", recon__step_role_delete_inline},
        [RECON_STEP_ROLE_BOUNDARY] = {"role.boundary", recon__step_role_boundary},
        [RECON_STEP_ROLE_DELETE] = {"role.delete", recon__step_role_delete},
        [RECON_STEP_SUBNET_CREATE] = {"subnet.create", recon__step_subnet_create},
        [RECON_STEP_SUBNET_DELETE] = {"subnet.delete", recon__step_subnet_delete},
        [RECON_STEP_RT_CREATE] = {"rt.create", recon__step_rt_create},
        [RECON_STEP_RT_ASSOCIATE] = {"rt.associate", recon__step_rt_associate},
        [RECON_STEP_RT_DELETE] = {"rt.delete", recon__step_rt_delete},
        [RECON_STEP_SG_CREATE] = {"sg.create", recon__step_sg_create},
        [RECON_STEP_SG_AUTHORIZE] = {"sg.authorize", recon__step_sg_authorize},
        [RECON_STEP_SG_REVOKE] = {"sg.revoke", recon__step_sg_revoke},
        [RECON_STEP_SG_DELETE] = {"sg.delete", recon__step_sg_delete},
        [RECON_STEP_EP_CREATE] = {"endpoint.create", recon__step_ep_create},
        [RECON_STEP_EP_SYNC] = {"endpoint.sync", recon__step_ep_sync},
        [RECON_STEP_EP_DELETE] = {"endpoint.delete", recon__step_ep_delete},
        [RECON_STEP_EP_RELEASE] = {"endpoint.release", recon__step_ep_release},
        [RECON_STEP_FN_CREATE] = {"function.create", recon__step_fn_create},
        [RECON_STEP_FN_CONFIG] = {"function.config", recon__step_fn_config},
        [RECON_STEP_FN_CODE] = {"function.code", recon__step_fn_code},
        [RECON_STEP_FN_CONCURRENCY] = {"function.concurrency", recon__step_fn_concurrency},
        [RECON_STEP_FN_DELETE] = {"function.delete", recon__step_fn_delete},
        [RECON_STEP_FN_PUBLISH] = {"function.publish", recon__step_fn_publish},
        [RECON_STEP_ENI_WAIT] = {"eni.wait", recon__step_eni_wait},
        [RECON_STEP_TAGS] = {"tags.sync", recon__step_tags},
};

const recon_step_def *recon__step_def(recon_step_kind k)
{
	if ((int)k <= 0 || k >= RECON_STEP_KIND_COUNT || !steps[k].name)
		return NULL;
	return &steps[k];
}

const char *recon_step_kind_name(recon_step_kind k)
{
	const recon_step_def *d = recon__step_def(k);
	return d ? d->name : "?";
}

/* Keys of observed that want lacks (ignoring aws:* and user-registration tags). */
static aws_strs extra_keys(base_arena *t, aws_tags want, aws_tags have)
{
	const char **v = base_arena_calloc(t, have.n + 1, sizeof *v);
	size_t i, n = 0;
	for (i = 0; i < have.n; i++) {
		const char *k = have.v[i].key;
		if (base_str_has_prefix(k, "aws:") || base_str_has_prefix(k, RECON_USER_TAG_PREFIX))
			continue;
		if (!recon__tag(want, k))
			v[n++] = k;
	}
	return (aws_strs){v, n};
}

/* CreateTags / DeleteTags on one EC2 id. */
static int ec2_tags(struct ex *x, base_arena *t, const char *id, aws_strs extra, aws_error *e)
{
	const char *ids[] = {id};
	int rc = aws_ec2_create_tags(x->c, t, (aws_strs){ids, 1}, x->tags, e);
	if (rc == BASE_OK && extra.n) {
		aws_tag *del = base_arena_calloc(t, extra.n, sizeof *del);
		size_t i;
		for (i = 0; i < extra.n; i++)
			del[i].key = extra.v[i];
		rc = aws_ec2_delete_tags(x->c, t, (aws_strs){ids, 1}, (aws_tags){del, extra.n}, e);
	}
	return rc;
}

int recon__step_tags(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	const char *k = st->key, *id = NULL;
	aws_tags have;
	aws_strs extra;
	int rc;
	if (!recon__st_tag_target(x, k, &id, &have))
		return BASE_OK;
	extra = extra_keys(t, x->tags, have);
	if (strcmp(k, "role") == 0) {
		rc = aws_iam_tag_role(x->c, t, id, x->tags, e);
		if (rc == BASE_OK && extra.n)
			rc = aws_iam_untag_role(x->c, t, id, extra, e);
	} else if (strcmp(k, "function") == 0) {
		rc = aws_lambda_tag_resource(x->c, t, id, x->tags, e);
		if (rc == BASE_OK && extra.n)
			rc = aws_lambda_untag_resource(x->c, t, id, extra, e);
	} else {
		rc = ec2_tags(x, t, id, extra, e);
	}
	if (rc != BASE_OK)
		return rc;
	recon__st_set_tags(x, k, x->tags);
	return BASE_OK;
}
