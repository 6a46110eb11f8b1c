/* sf_diag_test.c - failed reconcile steps and AWS errors -> diagnostics with paths. */
#include <stdio.h>
#include <string.h>

#include "base/base_arena.h"
#include "secure_function/sf_ops_int.h"
#include "t.h"

static const char *CIDRS[] = { "10.0.1.0/27", "10.0.1.32/27" };
static const char *SVCS[] = { "logs", "ssm" };
static const char *POLS[] = { "arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B" };

static void cfg(sf_config *m)
{
	memset(m, 0, sizeof *m);
	m->subnet_cidr_blocks = (sf_strlist){ CIDRS, 2, 0 };
	m->endpoint_services = (sf_strlist){ SVCS, 2, 0 };
	m->policy_arns = (sf_strlist){ POLS, 2, 0 };
	m->present = SF_BIT(SF_A_SUBNET_CIDR_BLOCKS) | SF_BIT(SF_A_ENDPOINT_SERVICES) | SF_BIT(SF_A_POLICY_ARNS);
}

static const base_diag *fail_diag(base_arena *a, recon_step_kind k, const char *key)
{
	sf_config m;
	recon_failure f;
	base_diags *d = base_diags_new(a);
	cfg(&m);
	memset(&f, 0, sizeof f);
	f.kind = k;
	f.key = key;
	f.code = BASE_EAWS;
	aws_error_setf(&f.err, 400, "InvalidSubnet.Conflict", "The CIDR conflicts");
	snprintf(f.err.request_id, sizeof f.err.request_id, "req-1");
	sf__diag_failure(a, d, &m, "Creating the secure function failed", &f);
	return base_diags_first(d);
}

void test_secure_function_sf_diag__step_paths(void)
{
	base_arena *a = base_arena_new();
	const base_diag *d = fail_diag(a, RECON_STEP_SUBNET_CREATE, "10.0.1.32/27");
	T_ASSERT(d && d->severity == BASE_SEV_ERROR && d->has_path);
	T_ASSERT_STR(base_path_str(a, d->path), "subnet_cidr_blocks[1]");
	T_ASSERT(strstr(d->detail, "InvalidSubnet.Conflict") != NULL);
	T_ASSERT(strstr(d->detail, "req-1") != NULL);
	T_ASSERT(strchr(d->summary, '\n') == NULL);

	d = fail_diag(a, RECON_STEP_ROLE_ATTACH, "arn:aws:iam::aws:policy/B");
	T_ASSERT(d && d->has_path);
	T_ASSERT_STR(base_path_str(a, d->path), "policy_arns[1]");

	d = fail_diag(a, RECON_STEP_EP_CREATE, "com.amazonaws.us-east-2.ssm");
	T_ASSERT(d && d->has_path);
	T_ASSERT_STR(base_path_str(a, d->path), "endpoint_services[1]");

	d = fail_diag(a, RECON_STEP_SG_CREATE, "lambda");
	T_ASSERT(d && !d->has_path);
	base_arena_free(a);
}

void test_secure_function_sf_diag__aws_error(void)
{
	base_arena *a = base_arena_new();
	base_diags *d = base_diags_new(a);
	aws_error e;
	base_path p = sf_path(a, SF_A_VPC_ID);
	aws_error_setf(&e, 403, "UnauthorizedOperation", "not allowed");
	snprintf(e.request_id, sizeof e.request_id, "r-9");
	sf__diag_aws(d, &p, "Cannot check the VPC", BASE_EAWS, &e);
	const base_diag *x = base_diags_first(d);
	T_ASSERT(x && x->has_path);
	T_ASSERT_STR(x->summary, "Cannot check the VPC");
	T_ASSERT_STR(x->detail, "AWS error UnauthorizedOperation: not allowed (request id r-9)");
	base_arena_free(a);
}
