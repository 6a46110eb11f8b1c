/* recon_leavers_test.c - the registry of destroys still to decide about a
 * VPC's shared objects: a decision is left to another registered run of
 * the same VPC and key, never to oneself, another VPC or another key; a
 * run that ends withdraws everything it registered. */
#include "t.h"

#include <string.h>

#include "recon/recon_exec_int.h"

static void run_init(struct ex *x, const char *vpc, const char *fn)
{
	memset(x, 0, sizeof *x);
	x->vpc = vpc;
	x->fn = fn;
}

void test_recon_leavers__last_one_decides(void)
{
	struct ex a, b, c;
	run_init(&a, "vpc-1", "fa");
	run_init(&b, "vpc-1", "fb");
	run_init(&c, "vpc-2", "fc");
	recon__leavers_join(&a, "uses:logs");
	recon__leavers_join(&a, RECON_LEAVE_SHARED_SGS);
	recon__leavers_join(&b, "uses:logs");
	recon__leavers_join(&c, "uses:logs");
	/* a sees b still to decide logs: a leaves it to b */
	T_ASSERT(recon__leavers_decide(&a, "uses:logs"));
	/* b is the last of vpc-1 (c is another VPC): b decides */
	T_ASSERT(!recon__leavers_decide(&b, "uses:logs"));
	/* nobody else registered the shared SGs in vpc-1 */
	T_ASSERT(!recon__leavers_decide(&a, RECON_LEAVE_SHARED_SGS));
	T_ASSERT(!recon__leavers_decide(&c, "uses:logs"));
	/* deciding twice is harmless */
	T_ASSERT(!recon__leavers_decide(&a, "uses:logs"));
	recon__leavers_end(&a);
	recon__leavers_end(&b);
	recon__leavers_end(&c);
}

void test_recon_leavers__has_names_other_leaving_functions(void)
{
	struct ex a, b;
	run_init(&a, "vpc-1", "fa");
	run_init(&b, "vpc-1", "fb");
	recon__leavers_join(&b, "uses:ssm");
	T_ASSERT(recon__leavers_has(&a, "uses:ssm", "fb"));
	T_ASSERT(!recon__leavers_has(&a, "uses:logs", "fb")); /* another service */
	T_ASSERT(!recon__leavers_has(&a, "uses:ssm", "fc"));  /* another function */
	T_ASSERT(!recon__leavers_has(&b, "uses:ssm", "fb"));  /* oneself */
	/* once b decided, b no longer counts as leaving later */
	T_ASSERT(!recon__leavers_decide(&b, "uses:ssm"));
	T_ASSERT(!recon__leavers_has(&a, "uses:ssm", "fb"));
	recon__leavers_end(&b);
}

void test_recon_leavers__end_withdraws_all(void)
{
	struct ex a, b;
	run_init(&a, "vpc-1", "fa");
	run_init(&b, "vpc-1", "fb");
	recon__leavers_join(&a, "uses:logs");
	recon__leavers_join(&b, "uses:logs");
	recon__leavers_join(&b, RECON_LEAVE_SHARED_SGS);
	recon__leavers_end(&b); /* b failed before deciding */
	T_ASSERT(!recon__leavers_decide(&a, "uses:logs"));
	T_ASSERT(!recon__leavers_has(&a, RECON_LEAVE_SHARED_SGS, "fb"));
	recon__leavers_end(&a);
	/* a run without a VPC registers nothing */
	run_init(&a, NULL, "fa");
	recon__leavers_join(&a, "uses:logs");
	run_init(&b, "vpc-1", "fb");
	T_ASSERT(!recon__leavers_decide(&b, "uses:logs"));
}
