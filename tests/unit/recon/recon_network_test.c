/* recon_network_test.c - the network part's steps where moto cannot help:
 * lingering Lambda ENIs, DependencyViolation until success / until the
 * deadline (partial state kept), the ENI timeout message. */
#include "t.h"

#include <string.h>

#include "recon/recon_diff.h"
#include "recon/recon_exec.h"
#include "recon_testutil.h"

void test_recon_network__destroy_waits_for_enis_and_dependency(void)
{
	struct rule rules[] = {
		{ "POST", "Action=DescribeNetworkInterfaces", 4, 200, NULL, ONE_ENI, 0 },
		{ "POST", "Action=DescribeNetworkInterfaces", -1, 200, NULL, NO_ENIS, 0 },
		{ "POST", "Action=DeleteSecurityGroup", 2, 400, NULL, EC2_ERR("DependencyViolation", "in use"), 0 },
		{ "POST", "Action=DeleteSecurityGroup", -1, 200, NULL, EC2_OK("DeleteSecurityGroup"), 0 },
		{ "POST", "Action=DeleteSubnet", -1, 200, NULL, EC2_OK("DeleteSubnet"), 0 },
		NO_SHARED_RULES,
	};
	struct run_env x;
	T_ASSERT(run_env_init(&x, rules, sizeof rules / sizeof rules[0]));
	x.fc.now = 1000;
	T_OK(recon_destroy(x.c, x.a, &x.s, &x.opts, &x.fail));
	T_ASSERT_INT(x.sc.unmatched, 0);
	T_ASSERT_INT(hits(&x.sc, "Action=DeleteSecurityGroup"), 3);
	T_ASSERT(hits(&x.sc, "Action=DescribeNetworkInterfaces") >= 4);
	T_ASSERT(x.s.sgs[RECON_SG_LAMBDA].id == NULL);
	T_ASSERT_INT(x.s.n_subnets, 0);
	T_ASSERT(x.fc.sleeps > 0);
	run_env_dispose(&x);
}

void test_recon_network__dependency_until_deadline_keeps_ids(void)
{
	struct rule rules[] = {
		{ "POST", "Action=DescribeNetworkInterfaces", -1, 200, NULL, NO_ENIS, 0 },
		{ "POST", "Action=DeleteSecurityGroup", -1, 400, NULL, EC2_ERR("DependencyViolation", "in use"), 0 },
		{ "POST", "Action=DeleteSubnet", -1, 200, NULL, EC2_OK("DeleteSubnet"), 0 },
		NO_SHARED_RULES,
	};
	struct run_env x;
	T_ASSERT(run_env_init(&x, rules, sizeof rules / sizeof rules[0]));
	x.opts.workers = 1;
	x.opts.timeout_ms = 60000;
	T_ASSERT_INT(recon_destroy(x.c, x.a, &x.s, &x.opts, &x.fail), BASE_ETIMEOUT);
	T_ASSERT_INT(x.fail.kind, RECON_STEP_SG_DELETE);
	T_ASSERT_STR(x.fail.err.code, "DependencyViolation");
	T_ASSERT(strstr(x.fail.detail, "still in use") != NULL);
	T_ASSERT_STR(x.s.sgs[RECON_SG_LAMBDA].id, "sg-l");   /* no ID lost */
	T_ASSERT(x.fc.now <= 60000);                           /* never past the deadline */
	run_env_dispose(&x);
}

/* A Lambda ENI that never goes: the timeout message names it. */
void test_recon_network__eni_timeout_names_enis(void)
{
	struct rule rules[] = {
		{ "POST", "Action=DescribeNetworkInterfaces", -1, 200, NULL, ONE_ENI, 0 },
	};
	struct run_env x;
	T_ASSERT(run_env_init(&x, rules, sizeof rules / sizeof rules[0]));
	x.opts.workers = 1;
	x.opts.timeout_ms = 20000;
	T_ASSERT_INT(recon_destroy(x.c, x.a, &x.s, &x.opts, &x.fail), BASE_ETIMEOUT);
	T_ASSERT_INT(x.fail.kind, RECON_STEP_ENI_WAIT);
	T_ASSERT(strstr(x.fail.detail, "Lambda network interfaces eni-1 still use") != NULL);
	T_ASSERT(strstr(x.fail.detail, "eni-1,") == NULL);   /* listed once (seen by SG and subnet) */
	T_ASSERT_STR(x.s.sgs[RECON_SG_LAMBDA].id, "sg-l");
	T_ASSERT_INT(x.s.n_subnets, 1);
	run_env_dispose(&x);
}
