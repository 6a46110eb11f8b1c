/* sf_state_test.c - what exists -> state: computed values after apply, the Read merge
 * (drift on the attribute it affects), the Import model. Fake observed data, no AWS. */
#include <string.h>

#include "base/base_arena.h"
#include "secure_function/sf_ops_int.h"
#include "sf_testutil.h"
#include "t.h"

static const aws_tag OWNER[] = { { RECON_OWNER_TAG, "app" }, { "Team", "pay" } };

/* An observed bundle of the function "app" (two subnets, logs + s3 endpoints). */
static void bundle(recon_state *st)
{
	static recon_subnet subnets[2];
	static recon_endpoint eps[2];
	static recon_rule lrules[3];
	static const char *const fsub[] = { "subnet-b", "subnet-a" };
	static const char *const lsg[] = { "sg-l" };
	static const char *const arch[] = { "x86_64" };
	static const aws_tag env[] = { { "STAGE", "dev" } };
	static const aws_tag ftags[] = { { RECON_OWNER_TAG, "app" }, { "Team", "pay" } };
	static recon_prefix_list pls[1];
	memset(st, 0, sizeof *st);
	memset(subnets, 0, sizeof subnets);
	memset(eps, 0, sizeof eps);
	memset(lrules, 0, sizeof lrules);
	st->function_name = "app";
	st->vpc_id = "vpc-1";
	subnets[0] = (recon_subnet){ "subnet-b", "10.0.1.32/27", "us-east-2b", true, AWS_TAGS(OWNER), false };
	subnets[1] = (recon_subnet){ "subnet-a", "10.0.1.0/27", "us-east-2a", true, AWS_TAGS(OWNER), false };
	st->subnets = subnets;
	st->n_subnets = 2;
	st->rt.id = "rtb-1";
	st->rt.owned = true;
	st->sgs[RECON_SG_LAMBDA].id = "sg-l";
	st->sgs[RECON_SG_LAMBDA].owned = true;
	st->sgs[RECON_SG_ENDPOINT].id = "sg-e";
	st->sgs[RECON_SG_ENDPOINT].owned = true;
	/* managed egress: 443 -> endpoint SG, 443 -> s3 prefix list */
	lrules[0] = (recon_rule){ true, "tcp", 443, 443, RECON_PEER_SG, "sg-e", NULL, "sgr-1", NULL };
	lrules[1] = (recon_rule){ true, "tcp", 443, 443, RECON_PEER_PREFIX_LIST, "pl-s3", NULL, "sgr-2", NULL };
	st->sgs[RECON_SG_LAMBDA].rules = lrules;
	st->sgs[RECON_SG_LAMBDA].n_rules = 2;
	pls[0] = (recon_prefix_list){ "com.amazonaws.us-east-2.s3", "pl-s3" };
	st->prefix_lists = pls;
	st->n_prefix_lists = 1;
	eps[0].id = "vpce-logs";
	eps[0].service = "com.amazonaws.us-east-2.logs";
	eps[0].owned = true;
	eps[0].private_dns = true;
	eps[1].id = "vpce-s3";
	eps[1].service = "com.amazonaws.us-east-2.s3";
	eps[1].gateway = true;
	eps[1].owned = true;
	st->endpoints = eps;
	st->n_endpoints = 2;
	st->role.name = "lambdavpc-app";
	st->role.arn = "arn:aws:iam::123456789012:role/lambdavpc-app";
	st->role.owned = true;
	st->fn.name = "app";
	st->fn.arn = "arn:aws:lambda:us-east-2:123456789012:function:app";
	st->fn.version = "$LATEST";
	st->fn.last_modified = "t1";
	st->fn.code_sha256 = "abc=";
	st->fn.role_arn = st->role.arn;
	st->fn.cfg.runtime = "python3.12";
	st->fn.cfg.handler = "h.handler";
	st->fn.cfg.description = "";
	st->fn.cfg.package_type = "Zip";
	st->fn.cfg.memory_size = 256;
	st->fn.cfg.timeout = 10;
	st->fn.cfg.ephemeral_storage = 512;
	st->fn.cfg.environment = AWS_TAGS(env);
	st->fn.cfg.architectures = AWS_STRS(arch);
	st->fn.cfg.tracing_mode = "PassThrough";
	st->fn.cfg.reserved_concurrency = -1;
	st->fn.subnet_ids = AWS_STRS(fsub);
	st->fn.sg_ids = AWS_STRS(lsg);
	st->fn.tags = AWS_TAGS(ftags);
	st->fn.owned = true;
}

#define STATE                                                                                                     \
	"{\"function_name\":\"app\",\"vpc_id\":\"vpc-1\",\"id\":\"app\","                                           \
	"\"subnet_cidr_blocks\":[\"10.0.1.0/27\",\"10.0.1.32/27\"],\"endpoint_services\":[\"s3\",\"logs\"],"        \
	"\"private_dns_enabled\":true,\"reuse_existing_endpoints\":true,"                                          \
	"\"runtime\":\"python3.12\",\"handler\":\"h.handler\",\"source_code_hash\":\"abc=\",\"package_type\":\"Zip\"," \
	"\"architectures\":[\"x86_64\"],\"publish\":false,\"ephemeral_storage_size\":512,"                          \
	"\"memory_size\":256,\"timeout\":10,\"environment\":{\"STAGE\":\"dev\"},\"tags\":{\"Team\":\"pay\"},"      \
	"\"subnet_ids\":[\"subnet-a\",\"subnet-b\"],\"availability_zones\":[\"us-east-2a\",\"us-east-2b\"],"       \
	"\"role_name\":\"lambdavpc-app\",\"lambda_security_group_id\":\"sg-l\","                                    \
	"\"vpc_endpoint_ids\":{\"logs\":\"vpce-logs\",\"s3\":\"vpce-s3\"},\"tags_all\":{\"Team\":\"pay\"}}"

static const prov_tags NONE = { NULL, NULL, 0 };

/* A new arena (*a), the observed bundle in st and, with json, m modelled from it. */
static int begin(base_arena **a, recon_state *st, const char *json, sf_config *m)
{
	*a = base_arena_new();
	bundle(st);
	return json ? sft_model(*a, json, m) : BASE_OK;
}

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))

void test_secure_function_sf_state__fill_unknown_only(void)
{
	base_arena *a;
	sf_config m;
	recon_state st;
	T_OK(begin(&a, &st, STATE, &m));
	m.unknown |= SF_BIT(SF_A_SUBNET_IDS) | SF_BIT(SF_A_VPC_ENDPOINT_IDS) | SF_BIT(SF_A_ARN) |
	             SF_BIT(SF_A_INVOKE_ARN) | SF_BIT(SF_A_LAST_MODIFIED);
	m.present &= ~m.unknown;
	m.memory_size = 999; /* known planned values stay as planned */
	sf__fill_computed(a, &m, &st, "us-east-2", NONE, true);
	T_ASSERT_INT(m.unknown, 0);
	T_ASSERT_INT(m.memory_size, 999);
	T_ASSERT_INT(m.subnet_ids.n, 2);
	T_ASSERT_STR(m.subnet_ids.v[0], "subnet-a"); /* CIDR order, not AWS order */
	T_ASSERT_STR(m.subnet_ids.v[1], "subnet-b");
	T_ASSERT_INT(m.vpc_endpoint_ids.n, 2);
	T_ASSERT_STR(m.vpc_endpoint_ids.keys[0], "logs");
	T_ASSERT_STR(m.vpc_endpoint_ids.vals[1], "vpce-s3");
	T_ASSERT_STR(m.last_modified, "t1");
	T_ASSERT_STR(m.invoke_arn, "arn:aws:apigateway:us-east-2:lambda:path/2015-03-31/functions/"
	                           "arn:aws:lambda:us-east-2:123456789012:function:app/invocations");
	base_arena_free(a);
}

void test_secure_function_sf_state__publish_version(void)
{
	base_arena *a;
	sf_config m;
	recon_state st, pst;
	const uint64_t vbits = SF_BIT(SF_A_VERSION) | SF_BIT(SF_A_QUALIFIED_ARN);
	T_OK(begin(&a, &st, STATE, &m));
	/* publish on: the version function.publish recorded, qualified_arn = arn:version */
	m.publish = true;
	m.unknown |= vbits;
	m.present &= ~vbits;
	st.fn.version = "2";
	sf__fill_computed(a, &m, &st, "us-east-2", NONE, true);
	T_ASSERT_STR(m.version, "2");
	T_ASSERT_STR(m.qualified_arn, "arn:aws:lambda:us-east-2:123456789012:function:app:2");
	/* the saved version goes back to recon as the prior state's */
	sf__prior_state(a, &m, "us-east-2", &pst);
	T_ASSERT_STR(pst.fn.version, "2");
	/* Read: observe kept a newer published version -> both follow it */
	st.fn.version = "3";
	sf__merge_observed(a, &m, &st, "us-east-2", NONE);
	T_ASSERT_STR(m.version, "3");
	T_ASSERT_STR(m.qualified_arn, "arn:aws:lambda:us-east-2:123456789012:function:app:3");
	/* publish off: $LATEST whatever recon knows, and no prior version */
	m.publish = false;
	m.unknown |= vbits;
	m.present &= ~vbits;
	sf__fill_computed(a, &m, &st, "us-east-2", NONE, true);
	T_ASSERT_STR(m.version, "$LATEST");
	T_ASSERT_STR(m.qualified_arn, "arn:aws:lambda:us-east-2:123456789012:function:app:$LATEST");
	sf__prior_state(a, &m, "us-east-2", &pst);
	T_ASSERT(pst.fn.version == NULL);
	base_arena_free(a);
}

void test_secure_function_sf_state__merge_converged_is_identity(void)
{
	base_arena *a;
	sf_config m;
	recon_state st;
	T_OK(begin(&a, &st, STATE, &m));
	sf__merge_observed(a, &m, &st, "us-east-2", NONE);
	static const sf_attr unset[] = { SF_A_EGRESS_RULES, SF_A_DESCRIPTION, SF_A_TRACING_MODE,
		                         SF_A_RESERVED_CONCURRENT_EXECUTIONS };
	T_ASSERT_INT(sft_first_set(&m, unset, N_OF(unset)), -1);
	T_ASSERT_INT(m.memory_size, 256);
	T_ASSERT_INT(m.environment.n, 1);
	T_ASSERT_STR(m.source_code_hash, "abc=");
	T_ASSERT_INT(m.tags_all.n, 1);
	T_ASSERT_STR(m.role_arn, "arn:aws:iam::123456789012:role/lambdavpc-app");
	T_ASSERT_STR(m.endpoint_security_group_id, "sg-e");
	base_arena_free(a);
}

void test_secure_function_sf_state__merge_shows_drift(void)
{
	base_arena *a;
	sf_config m;
	recon_state st;
	recon_rule *rules;
	T_OK(begin(&a, &st, STATE, &m));
	/* by hand: memory 1024, 0.0.0.0/0 egress, a subnet and an endpoint deleted, code changed */
	st.fn.cfg.memory_size = 1024;
	rules = base_arena_calloc(a, 3, sizeof *rules);
	memcpy(rules, st.sgs[RECON_SG_LAMBDA].rules, 2 * sizeof *rules);
	rules[2] = (recon_rule){ true, "-1", -1, -1, RECON_PEER_CIDR, "0.0.0.0/0", NULL, "sgr-9", NULL };
	st.sgs[RECON_SG_LAMBDA].rules = rules;
	st.sgs[RECON_SG_LAMBDA].n_rules = 3;
	st.n_subnets = 1;        /* subnet-a (10.0.1.0/27) is gone */
	st.endpoints[0].id = NULL; /* logs endpoint gone */
	st.fn.code_sha256 = "zzz=";
	sf__merge_observed(a, &m, &st, "us-east-2", NONE);
	T_ASSERT_INT(m.memory_size, 1024);
	T_ASSERT_STR(m.source_code_hash, "zzz=");
	T_ASSERT(sf_has(&m, SF_A_EGRESS_RULES));
	T_ASSERT_INT(m.n_egress_rules, 1);
	T_ASSERT_STR(m.egress_rules[0].protocol, "-1");
	T_ASSERT_STR(m.egress_rules[0].cidr_blocks.v[0], "0.0.0.0/0");
	T_ASSERT(!(m.egress_rules[0].present & SF_BIT(SF_EG_FROM_PORT)));
	T_ASSERT_INT(m.subnet_ids.n, 1);
	T_ASSERT_STR(m.subnet_ids.v[0], "subnet-b");
	T_ASSERT_INT(m.vpc_endpoint_ids.n, 1);
	T_ASSERT_STR(m.vpc_endpoint_ids.keys[0], "s3");
	base_arena_free(a);
}

void test_secure_function_sf_state__import_model(void)
{
	base_arena *a;
	sf_config m;
	recon_state st;
	const char *keys[] = { "Env" }, *vals[] = { "dev" };
	prov_tags dt = { keys, vals, 1 };
	static const aws_tag ftags[] = { { RECON_OWNER_TAG, "app" }, { "Team", "pay" }, { "Env", "dev" } };
	T_OK(begin(&a, &st, NULL, NULL));
	st.fn.tags = AWS_TAGS(ftags);
	sf__model_from_observed(a, &m, &st, "us-east-2", dt);
	T_ASSERT_STR(m.function_name, "app");
	T_ASSERT_STR(m.vpc_id, "vpc-1");
	T_ASSERT_INT(m.subnet_cidr_blocks.n, 2);
	T_ASSERT_STR(m.subnet_cidr_blocks.v[0], "10.0.1.0/27"); /* sorted by address */
	T_ASSERT_STR(m.subnet_ids.v[0], "subnet-a");
	T_ASSERT_STR(m.availability_zones.v[1], "us-east-2b");
	T_ASSERT_INT(m.endpoint_services.n, 2);
	T_ASSERT_STR(m.endpoint_services.v[0], "logs");
	T_ASSERT_STR(m.endpoint_services.v[1], "s3");
	T_ASSERT(m.private_dns_enabled);
	T_ASSERT_STR(m.source_code_hash, "abc=");
	static const sf_attr unset[] = { SF_A_FILENAME,     SF_A_DESCRIPTION, SF_A_TRACING_MODE,
		                         SF_A_EGRESS_RULES, SF_A_POLICY_ARNS, SF_A_LOGGING };
	T_ASSERT_INT(sft_first_set(&m, unset, N_OF(unset)), -1);
	T_ASSERT_INT(m.tags.n, 1); /* minus ownership and default tags */
	T_ASSERT_STR(m.tags.keys[0], "Team");
	T_ASSERT_INT(m.tags_all.n, 2);
	T_ASSERT_STR(m.id, "app");
	T_ASSERT_INT(m.memory_size, 256);
	base_arena_free(a);
}

void test_secure_function_sf_state__import_groups_egress_atoms(void)
{
	base_arena *a;
	sf_config m;
	recon_state st;
	recon_rule *rules;
	T_OK(begin(&a, &st, NULL, NULL));
	rules = base_arena_calloc(a, 5, sizeof *rules);
	memcpy(rules, st.sgs[RECON_SG_LAMBDA].rules, 2 * sizeof *rules);
	rules[2] = (recon_rule){ true, "tcp", 5432, 5432, RECON_PEER_CIDR, "10.2.0.0/16", NULL, "sgr-7", NULL };
	rules[3] = (recon_rule){ true, "tcp", 5432, 5432, RECON_PEER_CIDR, "10.1.0.0/16", NULL, "sgr-8", NULL };
	rules[4] = (recon_rule){ true, "udp", 53, 53, RECON_PEER_CIDR, "10.0.0.2/32", NULL, "sgr-9", NULL };
	st.sgs[RECON_SG_LAMBDA].rules = rules;
	st.sgs[RECON_SG_LAMBDA].n_rules = 5;
	sf__model_from_observed(a, &m, &st, "us-east-2", NONE);
	T_ASSERT_INT(m.n_egress_rules, 2);
	T_ASSERT_STR(m.egress_rules[0].protocol, "tcp");
	T_ASSERT_INT(m.egress_rules[0].from_port, 5432);
	T_ASSERT_INT(m.egress_rules[0].cidr_blocks.n, 2);
	T_ASSERT_STR(m.egress_rules[0].cidr_blocks.v[0], "10.1.0.0/16");
	T_ASSERT_STR(m.egress_rules[1].protocol, "udp");
	/* the managed rules (443 to the endpoint SG and the s3 prefix list) are not user rules */
	base_arena_free(a);
}

void test_secure_function_sf_state__private_bytes(void)
{
	base_arena *a = base_arena_new();
	tf6_bytes b;
	b = sf__private_encode(a, 0, false);
	T_ASSERT(b.data == NULL && b.len == 0);
	T_ASSERT(!sf__private_destroying(b));
	T_ASSERT_INT(sf__drift_decode(b), 0);
	/* drift only: the text sf__drift_encode always wrote (older states read the same) */
	b = sf__private_encode(a, SF_DRIFT_ROLE | SF_DRIFT_ENDPOINTS, false);
	T_ASSERT_MEM(b.data, b.len, "lambdavpc-drift:21", 18);
	T_ASSERT(!sf__private_destroying(b));
	T_ASSERT_INT(sf__drift_decode(b), SF_DRIFT_ROLE | SF_DRIFT_ENDPOINTS);
	/* the mark alone */
	b = sf__private_encode(a, 0, true);
	T_ASSERT_MEM(b.data, b.len, "lambdavpc-destroying", 20);
	T_ASSERT(sf__private_destroying(b));
	T_ASSERT_INT(sf__drift_decode(b), 0);
	/* mark + drift */
	b = sf__private_encode(a, SF_DRIFT_FUNCTION | SF_DRIFT_TAGS, true);
	T_ASSERT_MEM(b.data, b.len, "lambdavpc-destroying;lambdavpc-drift:c0", 39);
	T_ASSERT(sf__private_destroying(b));
	T_ASSERT_INT(sf__drift_decode(b), SF_DRIFT_FUNCTION | SF_DRIFT_TAGS);
	/* anything else carries no mark */
	b = (tf6_bytes){ (const uint8_t *)"lambdavpc-destroyingX", 21 };
	T_ASSERT(!sf__private_destroying(b));
	T_ASSERT_INT(sf__drift_decode(b), 0);
	b = (tf6_bytes){ (const uint8_t *)"lambdavpc-destroy", 17 };
	T_ASSERT(!sf__private_destroying(b));
	b = (tf6_bytes){ (const uint8_t *)"lambdavpc-destroying;junk", 25 };
	T_ASSERT(sf__private_destroying(b));
	T_ASSERT_INT(sf__drift_decode(b), 0);
	base_arena_free(a);
}

/* A destroy that failed after deleting the function, the logs endpoint and
 * one subnet: the state keeps what remains, the function's attributes null. */
void test_secure_function_sf_state__remaining_after_failed_destroy(void)
{
	base_arena *a;
	sf_config m;
	recon_state st;
	T_OK(begin(&a, &st, STATE, &m));
	sf__fill_computed(a, &m, &st, "us-east-2", NONE, false); /* the full prior state */
	T_ASSERT_STR(m.arn, "arn:aws:lambda:us-east-2:123456789012:function:app");
	T_ASSERT_INT(m.vpc_endpoint_ids.n, 2);

	memset(&st.fn, 0, sizeof st.fn);  /* function.delete done */
	st.endpoints = st.endpoints + 1;  /* endpoint.delete logs done */
	st.n_endpoints = 1;
	st.subnets = st.subnets + 1;      /* subnet.delete 10.0.1.32/27 done */
	st.n_subnets = 1;
	sf__remaining_model(a, &m, &st, "us-east-2", NONE);
	T_ASSERT_INT(m.unknown, 0);
	T_ASSERT_STR(m.id, "app");
	T_ASSERT_STR(m.function_name, "app");
	T_ASSERT(m.arn == NULL);
	static const sf_attr gone[] = { SF_A_ARN,     SF_A_INVOKE_ARN,    SF_A_QUALIFIED_ARN,
		                        SF_A_VERSION, SF_A_LAST_MODIFIED, SF_A_CODE_SHA256 };
	T_ASSERT_INT(sft_first_set(&m, gone, N_OF(gone)), -1);
	T_ASSERT_INT(m.subnet_ids.n, 1);
	T_ASSERT_STR(m.subnet_ids.v[0], "subnet-a");
	T_ASSERT_INT(m.vpc_endpoint_ids.n, 1);
	T_ASSERT_STR(m.vpc_endpoint_ids.keys[0], "s3");
	T_ASSERT_STR(m.vpc_endpoint_ids.vals[0], "vpce-s3");
	T_ASSERT_STR(m.route_table_id, "rtb-1");
	T_ASSERT_STR(m.lambda_security_group_id, "sg-l");
	T_ASSERT_STR(m.endpoint_security_group_id, "sg-e");
	T_ASSERT_STR(m.role_name, "lambdavpc-app");
	T_ASSERT_INT(m.memory_size, 256); /* the configuration stays as it was */
	base_arena_free(a);
}

/* The view's network: our subnets and the endpoints the refresh took,
 * byte-exact, read back; a word holding a separator drops the network. */
void test_secure_function_sf_state__destroy_view_network(void)
{
	base_arena *a = base_arena_new();
	recon_state st;
	recon_destroy_view v;
	recon_subnet sn[3];
	recon_endpoint ep[3];
	const char *in_b[] = {"subnet-b"}, *in_x[] = {"subnet-x"};
	tf6_bytes b;
	memset(&st, 0, sizeof st);
	memset(sn, 0, sizeof sn);
	memset(ep, 0, sizeof ep);
	sn[0] = (recon_subnet){"subnet-a", "10.0.0.0/28", "us-east-2a", true, {NULL, 0}, false};
	/* sn[1] is not ours */
	sn[1] = (recon_subnet){"subnet-x", "10.0.9.0/28", "us-east-2a", false, {NULL, 0}, false};
	sn[2] = (recon_subnet){"subnet-b", "10.0.0.16/28", NULL, true, {NULL, 0}, false};
	ep[0].id = "vpce-1";
	ep[0].service = "com.amazonaws.us-east-2.logs";
	ep[0].owned = true;
	ep[1].id = "vpce-2";
	ep[1].service = "com.amazonaws.us-east-2.s3";
	ep[1].gateway = ep[1].owned = true;
	ep[2].id = "vpce-3";
	ep[2].service = "com.amazonaws.us-east-2.ssm"; /* reused, not ours */
	ep[0].subnet_ids = (aws_strs){in_b, 1};         /* logs sits in our subnet-b */
	ep[2].subnet_ids = (aws_strs){in_x, 1};         /* ssm only in subnet-x: not ours */
	st.subnets = sn;
	st.n_subnets = 3;
	st.endpoints = ep;
	st.n_endpoints = 3;
	b = sf__private_with_view(a, (tf6_bytes){NULL, 0}, &st, 7);
	T_ASSERT_MEM(b.data, b.len,
	             "lambdavpc-view:7:0::::0:0:10.0.0.0/28@subnet-a@us-east-2a,10.0.0.16/28@subnet-b@:"
	             "com.amazonaws.us-east-2.logs@vpce-1@ioh,com.amazonaws.us-east-2.s3@vpce-2@gon,"
	             "com.amazonaws.us-east-2.ssm@vpce-3@ifn",
	             197);
	T_ASSERT(sf__private_view(a, b, 7, &v));
	T_ASSERT(v.has_net && v.n_subnets == 2 && v.n_endpoints == 3);
	T_ASSERT_STR(v.subnets[0].cidr, "10.0.0.0/28");
	T_ASSERT_STR(v.subnets[0].id, "subnet-a");
	T_ASSERT_STR(v.subnets[0].az, "us-east-2a");
	T_ASSERT(v.subnets[1].owned && v.subnets[1].az == NULL);
	T_ASSERT_STR(v.endpoints[1].id, "vpce-2");
	T_ASSERT(!v.endpoints[0].gateway && v.endpoints[0].owned);
	T_ASSERT(v.endpoints[1].gateway && v.endpoints[1].owned);
	T_ASSERT(!v.endpoints[2].gateway && !v.endpoints[2].owned);
	T_ASSERT(!v.endpoints[0].off_ours && v.endpoints[1].off_ours && v.endpoints[2].off_ours);
	/* a view of an older release: two flags, where it sits not known */
	b = (tf6_bytes){(const uint8_t *)"lambdavpc-view:5:0:r:rt:sg:0:1::svc@vpce-1@io", 45};
	T_ASSERT(sf__private_view(a, b, 5, &v));
	T_ASSERT(v.n_endpoints == 1 && v.endpoints[0].owned && !v.endpoints[0].off_ours);
	/* a separator inside a word: the view keeps its seven fields only */
	sn[0].az = "us-east-2a,x";
	b = sf__private_with_view(a, (tf6_bytes){NULL, 0}, &st, 7);
	T_ASSERT_MEM(b.data, b.len, "lambdavpc-view:7:0::::0:0", 25);
	T_ASSERT(sf__private_view(a, b, 7, &v));
	T_ASSERT(!v.has_net);
	base_arena_free(a);
}

/* The destroy view rides after the drift / destroying text, byte-exact;
 * the older decoders do not see it; a stale or malformed view is refused. */
void test_secure_function_sf_state__destroy_view(void)
{
	base_arena *a = base_arena_new();
	recon_state st;
	recon_destroy_view v;
	tf6_bytes b;
	const char *vpc_policy[] = {RECON_VPC_POLICY_ARN}, *two_policies[] = {RECON_VPC_POLICY_ARN,
	                                                             "arn:aws:iam::123456789012:policy/theirs"};
	memset(&st, 0, sizeof st);
	st.fn.name = "app";
	st.fn.owned = true;
	st.role.name = "lambdavpc-app-role";
	st.role.owned = true;
	st.rt.id = "rtb-1";
	st.rt.owned = true;
	st.sgs[RECON_SG_LAMBDA].id = "sg-1";
	st.sgs[RECON_SG_LAMBDA].owned = true;
	st.shared_sgs_in_vpc = true;
	/* the role as a refresh lists it: only the VPC policy attached */
	st.role.policy_arns = (aws_strs){vpc_policy, 1};
	st.role.policies_observed = true;

	b = sf__private_with_view(a, sf__private_encode(a, SF_DRIFT_ROLE, true), &st, 1700000000);
	T_ASSERT_MEM(b.data, b.len,
	             "lambdavpc-destroying;lambdavpc-drift:1;lambdavpc-view:1700000000:1:lambdavpc-app-role:"
	             "rtb-1:sg-1:1:1::",
	             102);
	T_ASSERT(sf__private_destroying(b));
	T_ASSERT_INT(sf__drift_decode(b), SF_DRIFT_ROLE);
	T_ASSERT(sf__private_view(a, b, 1700000000 + SF_VIEW_MAX_AGE_S, &v));
	T_ASSERT(v.fn_owned && v.shared_sgs_in_vpc && v.has_net && v.n_subnets == 0 && v.n_endpoints == 0);
	T_ASSERT_STR(v.role_name, "lambdavpc-app-role");
	T_ASSERT_STR(v.rt_id, "rtb-1");
	T_ASSERT_STR(v.lambda_sg_id, "sg-1");
	T_ASSERT(v.role_bare);
	/* too old, or from the future */
	T_ASSERT(!sf__private_view(a, b, 1700000000 + SF_VIEW_MAX_AGE_S + 1, &v));
	T_ASSERT(!sf__private_view(a, b, 1700000000 - 61, &v));

	/* a new view replaces the old one; parts not ours are empty fields */
	st.fn.owned = false;
	st.rt.owned = false;
	st.shared_sgs_in_vpc = false;
	st.role.policy_arns = (aws_strs){two_policies, 2}; /* one of someone else's */
	b = sf__private_with_view(a, b, &st, 1700000100);
	T_ASSERT_MEM(b.data, b.len,
	             "lambdavpc-destroying;lambdavpc-drift:1;lambdavpc-view:1700000100:0:lambdavpc-app-role::"
	             "sg-1:0:0::",
	             97);
	T_ASSERT(sf__private_view(a, b, 1700000100, &v));
	T_ASSERT(!v.fn_owned && !v.shared_sgs_in_vpc && v.rt_id == NULL && !v.role_bare);
	/* a view written before role_bare existed (six fields) still reads */
	b = (tf6_bytes){(const uint8_t *)"lambdavpc-view:5:1:r:rt:sg:1", 28};
	T_ASSERT(sf__private_view(a, b, 5, &v));
	T_ASSERT(v.fn_owned && v.shared_sgs_in_vpc && !v.role_bare && !v.has_net);
	st.role.policy_arns = (aws_strs){vpc_policy, 1};
	st.role.policies_observed = false; /* not listed: not known bare */
	/* the view alone */
	b = sf__private_with_view(a, sf__private_encode(a, 0, false), &st, 5);
	T_ASSERT_MEM(b.data, b.len, "lambdavpc-view:5:0:lambdavpc-app-role::sg-1:0:0::", 49);
	T_ASSERT(!sf__private_destroying(b));
	T_ASSERT_INT(sf__drift_decode(b), 0);
	T_ASSERT(sf__private_view(a, b, 5, &v));
	/* malformed: fields missing or extra, bad time, no view */
	b = (tf6_bytes){(const uint8_t *)"lambdavpc-view:5:0:r:rt:sg:0:1:10.0.0.0/28@subnet-1:", 52};
	T_ASSERT(!sf__private_view(a, b, 5, &v)); /* an item lacks its AZ part */
	b = (tf6_bytes){(const uint8_t *)"lambdavpc-view:5:0:r:rt:sg:0:1::svc@vpce-1@io@x", 47};
	T_ASSERT(!sf__private_view(a, b, 5, &v)); /* an item with a part too many */
	b = (tf6_bytes){(const uint8_t *)"lambdavpc-view:5:0:r:rt:sg:0:1::svc@vpce-1@ix", 45};
	T_ASSERT(!sf__private_view(a, b, 5, &v)); /* unknown flag */
	b = (tf6_bytes){(const uint8_t *)"lambdavpc-view:5:0:r:rt:sg:0:1::svc@vpce-1@iox", 46};
	T_ASSERT(!sf__private_view(a, b, 5, &v)); /* unknown third flag */
	b = (tf6_bytes){(const uint8_t *)"lambdavpc-view:5:0:r:rt:sg:0:1::svc@vpce-1@iohn", 47};
	T_ASSERT(!sf__private_view(a, b, 5, &v)); /* a flag too many */
	b = (tf6_bytes){ (const uint8_t *)"lambdavpc-view:5:0:r:rt:sg", 26 };
	T_ASSERT(!sf__private_view(a, b, 5, &v));
	b = (tf6_bytes){(const uint8_t *)"lambdavpc-view:5:0:r:rt:sg:0:1:x", 32};
	T_ASSERT(!sf__private_view(a, b, 5, &v));
	b = (tf6_bytes){ (const uint8_t *)"lambdavpc-view:5x:0:r:rt:sg:0", 29 };
	T_ASSERT(!sf__private_view(a, b, 5, &v));
	T_ASSERT(!sf__private_view(a, sf__private_encode(a, SF_DRIFT_ROLE, false), 5, &v));
	base_arena_free(a);
}
