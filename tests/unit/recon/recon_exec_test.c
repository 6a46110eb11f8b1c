/* recon_exec_test.c - the plan runner: cancellation interrupts the waits;
 * the not-found predicate the steps share. */
#include "t.h"

#include <string.h>

#include "aws/aws_error.h"
#include "recon/recon_exec.h"
#include "recon/recon_exec_int.h"
#include "recon_testutil.h"

void test_recon_exec__cancel_stops_waits(void)
{
	struct rule rules[] = {
		{ "POST", "Action=DescribeNetworkInterfaces", -1, 200, NULL, ONE_ENI, 0 },
	};
	struct run_env x;
	T_ASSERT(run_env_init(&x, rules, sizeof rules / sizeof rules[0]));
	x.opts = (recon_options){ 1, NULL, 0, 0, false };   /* real clock: aws_client_sleep_ms */
	aws_client_cancel(x.c);
	T_ASSERT_INT(recon_destroy(x.c, x.a, &x.s, &x.opts, &x.fail), BASE_ECANCELLED);
	T_ASSERT_STR(x.s.sgs[RECON_SG_LAMBDA].id, "sg-l");
	run_env_dispose(&x);
}

void test_recon_exec__gone_predicate(void)
{
	aws_error e;
	aws_error_clear(&e);
	T_ASSERT(recon__gone(BASE_ENOTFOUND, NULL));
	T_ASSERT(!recon__gone(BASE_OK, NULL));
	T_ASSERT(!recon__gone(BASE_EAWS, &e));
	aws_error_setf(&e, 400, "InvalidSecurityGroupRuleId.NotFound", "gone");
	T_ASSERT(recon__gone(BASE_EAWS, &e));
	T_ASSERT_INT(recon__ok_if_gone(BASE_EAWS, &e), BASE_OK);
	aws_error_setf(&e, 400, "DependencyViolation", "in use");
	T_ASSERT(!recon__gone(BASE_EAWS, &e));
	T_ASSERT_INT(recon__ok_if_gone(BASE_EAWS, &e), BASE_EAWS);
	aws_error_setf(&e, 404, "NoSuchEntity", "no role");
	T_ASSERT(recon__gone(BASE_EAWS, &e));
}
