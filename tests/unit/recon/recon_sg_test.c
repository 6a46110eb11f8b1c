/* recon_sg_test.c - the desired rule atoms of the two security groups. */
#include "t.h"

#include <string.h>

#include "base/base_arena.h"
#include "recon/recon_diff.h"

static bool has_atom(const recon_rule *v, size_t n, bool egress, const char *proto, int from, int to,
		     recon_peer_kind kind, const char *peer)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (v[i].egress == egress && strcmp(v[i].protocol, proto) == 0 && v[i].from_port == from &&
		    v[i].to_port == to && v[i].peer_kind == kind && strcmp(v[i].peer, peer) == 0)
			return true;
	return false;
}

void test_recon_sg__desired_rules(void)
{
	static const char *const cidr[] = { "10.9.0.0/16" };
	static const recon_egress_rule pg[] = { { "pg", "6", 5432, 5432, { cidr, 1 }, { NULL, 0 }, { NULL, 0 } } };
	static const recon_endpoint_spec eps[] = { { "com.amazonaws.us-east-1.logs", false },
						   { "com.amazonaws.us-east-1.s3", true } };
	base_arena *a = base_arena_new();
	recon_desired d;
	recon_state s;
	recon_rule *v;
	size_t n;
	recon_desired_init(&d);
	memset(&s, 0, sizeof s);
	d.function_name = "app";
	d.vpc_id = "vpc-1";
	d.endpoints = eps;
	d.n_endpoints = 2;
	d.egress_rules = pg;
	d.n_egress_rules = 1;

	recon_desired_rules(a, &d, &s, RECON_SG_LAMBDA, &v, &n);
	/* HTTPS to the shared endpoints goes through the shared clients SG, not a rule here */
	T_ASSERT_INT(n, 2);
	T_ASSERT(!has_atom(v, n, true, "tcp", 443, 443, RECON_PEER_SG, "@endpoint"));
	T_ASSERT(has_atom(v, n, true, "tcp", 443, 443, RECON_PEER_PREFIX_LIST, "@pl:com.amazonaws.us-east-1.s3"));
	T_ASSERT(has_atom(v, n, true, "tcp", 5432, 5432, RECON_PEER_CIDR, "10.9.0.0/16"));

	recon_desired_rules(a, &d, &s, RECON_SG_ENDPOINT, &v, &n);
	T_ASSERT_INT(n, 1);
	T_ASSERT(has_atom(v, n, false, "tcp", 443, 443, RECON_PEER_SG, "@clients"));

	/* no interface endpoint wanted */
	d.n_endpoints = 0;
	recon_desired_rules(a, &d, &s, RECON_SG_LAMBDA, &v, &n);
	T_ASSERT_INT(n, 1);
	T_ASSERT(!has_atom(v, n, true, "tcp", 443, 443, RECON_PEER_SG, "@endpoint"));
	base_arena_free(a);
}
