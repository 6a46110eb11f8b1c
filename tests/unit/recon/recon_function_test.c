/* recon_function_test.c - the function part's steps where moto cannot
 * help: IAM propagation retries on CreateFunction, Pending -> Active,
 * publish after an update in progress, a Failed state, the CreateFunction
 * reply recorded before the wait. */
#include "t.h"

#include <string.h>

#include "recon/recon_diff.h"
#include "recon/recon_exec.h"
#include "recon_testutil.h"

void test_recon_function__create_function_retries_iam_propagation(void)
{
	struct rule rules[] = {
		{ "POST", "/2015-03-31/functions", 2, 400, "InvalidParameterValueException",
		  "{\"message\":\"The role defined for the function cannot be assumed by Lambda.\"}", 0 },
		{ "POST", "/2015-03-31/functions", -1, 201, NULL, FN_CFG("Pending", "InProgress"), 0 },
		/* the wait polls GetFunction and keeps its last reply */
		{ "GET", "/2015-03-31/functions/app", 2, 200, NULL, FN_GET("Pending", "InProgress"), 0 },
		FN_GET_OK,
	};
	static const recon_step_kind kinds[] = { RECON_STEP_FN_CREATE };
	struct run_env x;
	T_ASSERT(run_env_init(&x, rules, sizeof rules / sizeof rules[0]));
	ready_for_function(&x.d, &x.s, &x.sub);
	expect_kinds(&x, kinds, 1);
	T_OK(recon_apply(x.c, x.a, &x.d, &x.s, &x.opts, &x.fail));
	T_ASSERT_INT(x.sc.unmatched, 0);
	T_ASSERT_INT(hits(&x.sc, "/2015-03-31/functions"), 3);  /* 2 refusals + the create */
	T_ASSERT_INT(hits(&x.sc, "/2015-03-31/functions/app"), 3); /* no read after the wait */
	T_ASSERT_STR(x.s.fn.name, "app");
	T_ASSERT(x.s.fn.owned);
	T_ASSERT_STR(x.s.fn.state, "Active");
	run_env_dispose(&x);
}

void test_recon_function__publish_records_version(void)
{
	struct rule rules[] = {
		/* create must not publish by itself: function.publish does */
		{ "POST", "\"Publish\"", -1, 400, "InvalidParameterValueException", "{\"message\":\"no\"}", 0 },
		{ "POST", "/functions/app/versions", 1, 409, "ResourceConflictException",
		  "{\"message\":\"The operation cannot be performed at this time. An update is in progress.\"}", 0 },
		{ "POST", "/functions/app/versions", -1, 201, NULL,
		  "{\"FunctionName\":\"app\",\"FunctionArn\":\"arn:aws:lambda:us-east-1:1:function:app:1\","
		  "\"Version\":\"1\",\"State\":\"Active\",\"LastUpdateStatus\":\"Successful\"}", 0 },
		{ "POST", "/2015-03-31/functions", -1, 201, NULL, FN_CFG("Pending", "InProgress"), 0 },
		{ "GET", "/functions/app/configuration", -1, 200, NULL, FN_CFG("Active", "Successful"), 0 },
		FN_GET_OK,
	};
	static const recon_step_kind kinds[] = { RECON_STEP_FN_CREATE, RECON_STEP_FN_PUBLISH };
	struct run_env x;
	T_ASSERT(run_env_init(&x, rules, sizeof rules / sizeof rules[0]));
	ready_for_function(&x.d, &x.s, &x.sub);
	x.d.fn.publish = true;
	expect_kinds(&x, kinds, 2);
	T_OK(recon_apply(x.c, x.a, &x.d, &x.s, &x.opts, &x.fail));
	T_ASSERT_INT(x.sc.unmatched, 0);
	T_ASSERT_INT(hits(&x.sc, "\"Publish\""), 0);
	T_ASSERT_INT(hits(&x.sc, "/functions/app/versions"), 2); /* in progress, then published */
	T_ASSERT_STR(x.s.fn.version, "1");
	T_ASSERT_STR(x.s.fn.arn, "arn:aws:lambda:us-east-1:1:function:app");
	run_env_dispose(&x);
}

void test_recon_function__function_failed_state_is_reported(void)
{
	struct rule rules[] = {
		{ "POST", "/2015-03-31/functions", -1, 201, NULL, FN_CFG("Pending", "InProgress"), 0 },
		{ "GET", "/2015-03-31/functions/app", -1, 200, NULL,
		  "{\"Configuration\":{\"FunctionName\":\"app\",\"State\":\"Failed\","
		  "\"StateReasonCode\":\"SubnetOutOfIPAddresses\",\"StateReason\":\"no free IP\"}}", 0 },
	};
	struct run_env x;
	T_ASSERT(run_env_init(&x, rules, sizeof rules / sizeof rules[0]));
	ready_for_function(&x.d, &x.s, &x.sub);
	T_ASSERT_INT(recon_apply(x.c, x.a, &x.d, &x.s, &x.opts, &x.fail), BASE_EAWS);
	T_ASSERT_INT(x.fail.kind, RECON_STEP_FN_CREATE);
	T_ASSERT_STR(x.fail.err.code, "SubnetOutOfIPAddresses");
	T_ASSERT(strstr(x.fail.err.message, "no free IP") != NULL);
	T_ASSERT_STR(x.s.fn.name, "app");   /* the created function is in the partial state */
	T_ASSERT_STR(x.s.fn.arn, "arn:aws:lambda:us-east-1:1:function:app");
	run_env_dispose(&x);
}

/* The Active wait times out: the partial state has what the CreateFunction
 * reply said (ARN, ...), not just the name. */
void test_recon_function__create_reply_recorded_before_wait(void)
{
	struct rule rules[] = {
		{ "POST", "/2015-03-31/functions", -1, 201, NULL,
		  "{\"FunctionName\":\"app\",\"FunctionArn\":\"arn:aws:lambda:us-east-1:1:function:app\","
		  "\"Role\":\"arn:aws:iam::1:role/r\",\"State\":\"Pending\",\"CodeSha256\":\"c2hh\","
		  "\"LastModified\":\"2026-01-01T00:00:00.000+0000\",\"Version\":\"$LATEST\"}", 0 },
		{ "GET", "/2015-03-31/functions/app", -1, 200, NULL, FN_GET("Pending", "InProgress"), 0 },
	};
	struct run_env x;
	T_ASSERT(run_env_init(&x, rules, sizeof rules / sizeof rules[0]));
	ready_for_function(&x.d, &x.s, &x.sub);
	x.opts.timeout_ms = 30000;
	T_ASSERT_INT(recon_apply(x.c, x.a, &x.d, &x.s, &x.opts, &x.fail), BASE_ETIMEOUT);
	T_ASSERT_INT(x.fail.kind, RECON_STEP_FN_CREATE);
	T_ASSERT_STR(x.s.fn.name, "app");
	T_ASSERT_STR(x.s.fn.arn, "arn:aws:lambda:us-east-1:1:function:app");
	T_ASSERT_STR(x.s.fn.code_sha256, "c2hh");
	T_ASSERT_STR(x.s.fn.last_modified, "2026-01-01T00:00:00.000+0000");
	T_ASSERT_STR(x.s.fn.role_arn, "arn:aws:iam::1:role/r");
	T_ASSERT(x.s.fn.owned);
	T_ASSERT_INT(x.s.fn.cfg.reserved_concurrency, -1);
	T_ASSERT(x.s.fn.tags.n >= 1);
	T_ASSERT(x.fc.now <= 30000);
	run_env_dispose(&x);
}

/* A create finds the function an interrupted apply made (its tag is ours):
 * it is adopted as it is, its settings recorded, no second create. */
void test_recon_function__create_adopts_own_leftover(void)
{
	struct rule rules[] = {
		{ "POST", "/2015-03-31/functions", -1, 409, "ResourceConflictException",
		  "{\"message\":\"Function already exist: app\"}", 0 },
		FN_GET_OK,
	};
	static const recon_step_kind kinds[] = { RECON_STEP_FN_CREATE };
	struct run_env x;
	T_ASSERT(run_env_init(&x, rules, sizeof rules / sizeof rules[0]));
	ready_for_function(&x.d, &x.s, &x.sub);
	expect_kinds(&x, kinds, 1);
	T_OK(recon_apply(x.c, x.a, &x.d, &x.s, &x.opts, &x.fail));
	T_ASSERT_INT(hits(&x.sc, "/2015-03-31/functions"), 1);
	T_ASSERT_STR(x.s.fn.arn, "arn:aws:lambda:us-east-1:1:function:app");
	T_ASSERT_STR(x.s.fn.role_arn, "arn:aws:iam::1:role/r");
	T_ASSERT(x.s.fn.owned);
	run_env_dispose(&x);
}

/* ... and refuses one that is not ours. */
void test_recon_function__create_refuses_foreign_function(void)
{
	struct rule rules[] = {
		{ "POST", "/2015-03-31/functions", -1, 409, "ResourceConflictException",
		  "{\"message\":\"Function already exist: app\"}", 0 },
		{ "GET", "/2015-03-31/functions/app", -1, 200, NULL,
		  "{\"Configuration\":" FN_CFG("Active", "Successful") ",\"Tags\":{\"team\":\"x\"}}", 0 },
	};
	struct run_env x;
	T_ASSERT(run_env_init(&x, rules, sizeof rules / sizeof rules[0]));
	ready_for_function(&x.d, &x.s, &x.sub);
	T_ASSERT_INT(recon_apply(x.c, x.a, &x.d, &x.s, &x.opts, &x.fail), BASE_ECONFLICT);
	T_ASSERT(strstr(x.fail.detail, "not managed by lambdavpc") != NULL);
	run_env_dispose(&x);
}
