/* recon_diff_test.c - plans from (desired, state), compared byte-exact in text form. */
#include "t.h"

#include <stdio.h>
#include <string.h>

#include "base/base_arena.h"
#include "base/base_buf.h"
#include "recon/recon_diff.h"

static const char *const cidrs3[] = { "10.0.1.0/27", "10.0.1.32/27", "10.0.1.64/27" };
static const char *const azs3[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
static const recon_endpoint_spec eps2[] = { { "com.amazonaws.us-east-1.logs", false },
					    { "com.amazonaws.us-east-1.s3", true } };
static const char *const pg_cidr[] = { "10.9.0.0/16" };
static const recon_egress_rule egress1[] = { { "postgres", "tcp", 5432, 5432, { pg_cidr, 1 }, { NULL, 0 }, { NULL, 0 } } };
static const char *const user_policies[] = { "arn:aws:iam::123456789012:policy/app" };
static const aws_tag user_tags[] = { { "Team", "payments" } };

static void desired_init(recon_desired *d)
{
	recon_desired_init(d);
	T_ASSERT(d->private_dns_enabled && d->reuse_existing_endpoints && d->fn.reserved_concurrency == -1);
	d->function_name = "app";
	d->vpc_id = "vpc-1";
	d->subnet_cidrs = (aws_strs){ cidrs3, 3 };
	d->subnet_azs = (aws_strs){ azs3, 3 };
	d->endpoints = eps2;
	d->n_endpoints = 2;
	d->private_dns_enabled = true;
	d->reuse_existing_endpoints = true;
	d->egress_rules = egress1;
	d->n_egress_rules = 1;
	d->policy_arns = (aws_strs){ user_policies, 1 };
	d->inline_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
	d->fn.runtime = "python3.12";
	d->fn.handler = "handler.lambda_handler";
	d->fn.memory_size = 256;
	d->fn.timeout = 10;
	d->fn.source_code_hash = "HASH1";
	d->fn.reserved_concurrency = -1;
	d->tags = (aws_tags){ user_tags, 1 };
}

/* Renders the plan into a static-size string for comparisons (heap, caller frees via base_buf). */
static const char *render(base_arena *a, const recon_plan *p)
{
	base_buf b;
	char *s;
	base_buf_init(&b, 0);
	if (recon_plan_format(p, &b) != 0)
		return "<format failed>";
	s = base_arena_strdup(a, base_buf_cstr(&b));
	base_buf_dispose(&b);
	return s;
}

static const char *const create_plan =
	"0 role.create lambdavpc-app\n"
	"1 role.attach arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole after 0\n"
	"2 role.attach arn:aws:iam::123456789012:policy/app after 0\n"
	"3 role.put_inline lambdavpc-inline after 0\n"
	"4 subnet.create 10.0.1.0/27\n"
	"5 subnet.create 10.0.1.32/27\n"
	"6 subnet.create 10.0.1.64/27\n"
	"7 rt.create private\n"
	"8 rt.associate 10.0.1.0/27 after 4,7\n"
	"9 rt.associate 10.0.1.32/27 after 5,7\n"
	"10 rt.associate 10.0.1.64/27 after 6,7\n"
	"11 sg.create lambda\n"
	"12 sg.create endpoint\n"
	"13 sg.authorize lambda egress tcp 443-443 pl:@pl:com.amazonaws.us-east-1.s3 after 11\n"
	"14 sg.authorize lambda egress tcp 5432-5432 cidr:10.9.0.0/16 after 11\n"
	/* the shared SGs carry no rule of this function; the function joins the clients SG */
	"15 endpoint.create com.amazonaws.us-east-1.logs after 4,5,6,11,12\n"
	"16 endpoint.create com.amazonaws.us-east-1.s3 after 7\n"
	"17 function.create app after 0,1,2,3,4,5,6,8,9,10,11,12\n";

void test_recon_diff__create_from_empty(void)
{
	base_arena *a = base_arena_new();
	recon_desired d;
	recon_state s;
	recon_plan p;
	const char *got;
	size_t i, j;
	desired_init(&d);
	memset(&s, 0, sizeof s);
	T_OK(recon_diff_apply(a, &d, &s, &p));
	got = render(a, &p);
	if (strcmp(got, create_plan) != 0)
		printf("%s", got);
	T_ASSERT_STR(got, create_plan);
	/* Topological: every dependency precedes its step. */
	for (i = 0; i < p.n; i++)
		for (j = 0; j < p.v[i].n_deps; j++)
			T_ASSERT(p.v[i].deps[j] < i);
	base_arena_free(a);
}

/* ------------------------------------------------------------------------ */
/* A state that matches desired_init() exactly.                             */

static const char *const vpc_policies[] = { RECON_VPC_POLICY_ARN, "arn:aws:iam::123456789012:policy/app" };
static const aws_tag owned_tags[] = { { "Team", "payments" }, { RECON_OWNER_TAG, "app" } };
static const char *const fn_subnets[] = { "subnet-a", "subnet-b", "subnet-c" };
static const char *const fn_sgs[] = { "sg-l", "sg-c" };
static const aws_tag shared_tags[] = { { RECON_SHARED_TAG, "vpc-1" } };
static const char *const ep_sgs[] = { "sg-e" };
static const char *const rt_ids[] = { "rtb-1" };
static const char *const assoc_ids[] = { "rtbassoc-a", "rtbassoc-b", "rtbassoc-c" };

struct fixture {
	recon_subnet subnets[4];
	recon_rule lrules[4], erules[2];
	recon_endpoint eps[3];
	recon_prefix_list pls[1];
	recon_state s;
};

static void state_init(struct fixture *f)
{
	recon_state *s = &f->s;
	int i;
	memset(f, 0, sizeof *f);
	s->role.name = "lambdavpc-app";
	s->role.arn = "arn:aws:iam::123456789012:role/lambdavpc-app";
	s->role.owned = true;
	s->role.policy_arns = (aws_strs){ vpc_policies, 2 };
	s->role.inline_policy = "{\"Version\": \"2012-10-17\", \"Statement\": []}";
	s->role.tags = (aws_tags){ owned_tags, 2 };
	for (i = 0; i < 3; i++) {
		f->subnets[i].id = fn_subnets[i];
		f->subnets[i].cidr = cidrs3[i];
		f->subnets[i].az = azs3[i];
		f->subnets[i].owned = true;
		f->subnets[i].tags = (aws_tags){ owned_tags, 2 };
	}
	s->subnets = f->subnets;
	s->n_subnets = 3;
	s->rt.id = "rtb-1";
	s->rt.owned = true;
	s->rt.assoc_subnet_ids = (aws_strs){ fn_subnets, 3 };
	s->rt.assoc_ids = (aws_strs){ assoc_ids, 3 };
	s->rt.tags = (aws_tags){ owned_tags, 2 };
	f->lrules[0] = (recon_rule){ true, "6", 443, 443, RECON_PEER_PREFIX_LIST, "pl-s3", NULL, "sgr-2", NULL };
	f->lrules[1] = (recon_rule){ true, "tcp", 5432, 5432, RECON_PEER_CIDR, "10.9.0.0/16", "x", "sgr-3", NULL };
	s->sgs[RECON_SG_LAMBDA] = (recon_sg){ "sg-l", true, f->lrules, 2, { owned_tags, 2 } };
	/* the VPC's shared SGs: not this function's (owned = false), no rule of its own */
	s->sgs[RECON_SG_ENDPOINT] = (recon_sg){ "sg-e", false, NULL, 0, { shared_tags, 1 } };
	s->clients_sg_id = "sg-c";
	f->eps[0].id = "vpce-logs";
	f->eps[0].service = "com.amazonaws.us-east-1.logs";
	f->eps[0].state = "available";
	f->eps[0].owned = true;
	f->eps[0].private_dns = true;
	f->eps[0].subnet_ids = (aws_strs){ fn_subnets, 3 };
	f->eps[0].sg_ids = (aws_strs){ ep_sgs, 1 };
	f->eps[0].tags = (aws_tags){ shared_tags, 1 };
	f->eps[1].id = "vpce-s3";
	f->eps[1].service = "com.amazonaws.us-east-1.s3";
	f->eps[1].state = "available";
	f->eps[1].gateway = true;
	f->eps[1].owned = true;
	f->eps[1].private_dns = true;
	f->eps[1].route_table_ids = (aws_strs){ rt_ids, 1 };
	f->eps[1].tags = (aws_tags){ owned_tags, 2 };
	s->endpoints = f->eps;
	s->n_endpoints = 2;
	f->pls[0] = (recon_prefix_list){ "com.amazonaws.us-east-1.s3", "pl-s3" };
	s->prefix_lists = f->pls;
	s->n_prefix_lists = 1;
	s->fn.name = "app";
	s->fn.arn = "arn:aws:lambda:us-east-1:123456789012:function:app";
	s->fn.owned = true;
	s->fn.code_sha256 = "HASH1";
	s->fn.role_arn = s->role.arn;
	s->fn.cfg.runtime = "python3.12";
	s->fn.cfg.handler = "handler.lambda_handler";
	s->fn.cfg.memory_size = 256;
	s->fn.cfg.timeout = 10;
	s->fn.cfg.reserved_concurrency = -1;
	s->fn.subnet_ids = (aws_strs){ fn_subnets, 3 };
	s->fn.sg_ids = (aws_strs){ fn_sgs, 2 };
	s->fn.tags = (aws_tags){ owned_tags, 2 };
}

/* Runs recon_diff_apply and compares the text form. */
#define CHECK_PLAN(d, s, want) do { \
	base_arena *ca__ = base_arena_new(); recon_plan cp__; const char *cg__; \
	T_OK(recon_diff_apply(ca__, (d), (s), &cp__)); \
	cg__ = render(ca__, &cp__); \
	if (strcmp(cg__, (want)) != 0) printf("--- got:\n%s", cg__); \
	T_ASSERT_STR(cg__, (want)); \
	base_arena_free(ca__); } while (0)

void test_recon_diff__converged_is_empty(void)
{
	recon_desired d;
	struct fixture f;
	desired_init(&d);
	state_init(&f);
	CHECK_PLAN(&d, &f.s, "");
}

void test_recon_diff__cidr_replaced(void)
{
	static const char *const cidrs[] = { "10.0.1.0/27", "10.0.1.32/27", "10.0.1.96/27" };
	static const char *const azs[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
	recon_desired d;
	struct fixture f;
	desired_init(&d);
	d.subnet_cidrs = (aws_strs){ cidrs, 3 };
	d.subnet_azs = (aws_strs){ azs, 3 };
	state_init(&f);
	/* New subnet and its association first; endpoint and function move; then the old subnet goes. */
	CHECK_PLAN(&d, &f.s,
		   "0 subnet.create 10.0.1.96/27\n"
		   "1 rt.associate 10.0.1.96/27 after 0\n"
		   /* the shared endpoint sits in the subnet that goes: moved first */
		   "2 endpoint.sync com.amazonaws.us-east-1.logs after 0\n"
		   "3 function.config app after 0,1\n"
		   "4 subnet.delete 10.0.1.64/27 after 2,3\n");
}

void test_recon_diff__drift_repair(void)
{
	recon_desired d;
	struct fixture f;
	static const char *const one_policy[] = { RECON_VPC_POLICY_ARN };
	desired_init(&d);
	state_init(&f);
	/* Someone re-added allow-all egress, detached the user policy, deleted the
	 * logs endpoint and the third subnet. */
	f.lrules[2] = (recon_rule){ true, "-1", -1, -1, RECON_PEER_CIDR, "0.0.0.0/0", NULL, "sgr-9", NULL };
	f.s.sgs[RECON_SG_LAMBDA].n_rules = 3;
	f.s.role.policy_arns = (aws_strs){ one_policy, 1 };
	f.eps[0].gone = true;
	f.s.n_subnets = 2;
	CHECK_PLAN(&d, &f.s,
		   "0 role.attach arn:aws:iam::123456789012:policy/app\n"
		   "1 subnet.create 10.0.1.64/27\n"
		   "2 rt.associate 10.0.1.64/27 after 1\n"
		   "3 sg.revoke lambda egress -1 all cidr:0.0.0.0/0\n"
		   "4 endpoint.create com.amazonaws.us-east-1.logs after 1\n"
		   "5 function.config app after 0,1,2\n");
}

void test_recon_diff__function_settings_chain(void)
{
	recon_desired d;
	struct fixture f;
	desired_init(&d);
	state_init(&f);
	d.fn.memory_size = 512;
	d.fn.source_code_hash = "HASH2";
	d.fn.reserved_concurrency = 5;
	CHECK_PLAN(&d, &f.s,
		   "0 function.config app\n"
		   "1 function.code app after 0\n"
		   "2 function.concurrency app after 1\n");
	d.fn.memory_size = 256;
	CHECK_PLAN(&d, &f.s,
		   "0 function.code app\n"
		   "1 function.concurrency app after 0\n");
}

void test_recon_diff__publish(void)
{
	base_arena *a = base_arena_new();
	recon_desired d;
	struct fixture f;
	recon_state empty;
	recon_plan p;
	const char *got;
	desired_init(&d);
	state_init(&f);
	d.fn.publish = true;
	/* create: function.publish right after function.create */
	memset(&empty, 0, sizeof empty);
	T_OK(recon_diff_apply(a, &d, &empty, &p));
	got = render(a, &p);
	T_ASSERT(strstr(got, "17 function.create app after 0,1,2,3,4,5,6,8,9,10,11,12\n"
			     "18 function.publish app after 17\n") != NULL);
	T_ASSERT_INT((int)p.n, 19);
	/* publish turned on (state holds $LATEST / nothing): publish alone */
	CHECK_PLAN(&d, &f.s, "0 function.publish app\n");
	f.s.fn.version = "$LATEST";
	CHECK_PLAN(&d, &f.s, "0 function.publish app\n");
	/* converged with a published version: nothing */
	f.s.fn.version = "2";
	CHECK_PLAN(&d, &f.s, "");
	/* code / config changes: one publish after the last of them */
	d.fn.source_code_hash = "HASH2";
	CHECK_PLAN(&d, &f.s,
		   "0 function.code app\n"
		   "1 function.publish app after 0\n");
	d.fn.memory_size = 512;
	d.fn.reserved_concurrency = 5;
	CHECK_PLAN(&d, &f.s,
		   "0 function.config app\n"
		   "1 function.code app after 0\n"
		   "2 function.publish app after 1\n"
		   "3 function.concurrency app after 1\n");
	/* publish off: never a publish step, whatever the version */
	d.fn.publish = false;
	d.fn.source_code_hash = "HASH1";
	d.fn.memory_size = 256;
	d.fn.reserved_concurrency = -1;
	f.s.fn.version = "$LATEST";
	CHECK_PLAN(&d, &f.s, "");
	T_ASSERT(recon_version_published("1") && recon_version_published("12"));
	T_ASSERT(!recon_version_published("$LATEST") && !recon_version_published("") &&
		 !recon_version_published(NULL));
	T_ASSERT_STR(recon_step_kind_name(RECON_STEP_FN_PUBLISH), "function.publish");
	base_arena_free(a);
}

void test_recon_diff__services_and_rules_changed(void)
{
	static const recon_endpoint_spec eps[] = { { "com.amazonaws.us-east-1.logs", false },
						   { "com.amazonaws.us-east-1.ssm", false } };
	recon_desired d;
	struct fixture f;
	desired_init(&d);
	state_init(&f);
	d.endpoints = eps;
	d.n_endpoints = 2;
	d.n_egress_rules = 0;
	d.inline_policy = NULL;
	d.policy_arns = (aws_strs){ NULL, 0 };
	CHECK_PLAN(&d, &f.s,
		   "0 role.detach arn:aws:iam::123456789012:policy/app\n"
		   "1 role.delete_inline lambdavpc-inline\n"
		   "2 sg.revoke lambda egress tcp 443-443 pl:@pl:com.amazonaws.us-east-1.s3\n"
		   "3 sg.revoke lambda egress tcp 5432-5432 cidr:10.9.0.0/16\n"
		   "4 endpoint.create com.amazonaws.us-east-1.ssm\n"
		   "5 endpoint.delete com.amazonaws.us-east-1.s3\n");
}

/* Runs recon_diff_destroy and compares the text form. */
static void check_destroy(const recon_state *s, const char *want)
{
	base_arena *a = base_arena_new();
	recon_plan p;
	const char *got;
	T_OK(recon_diff_destroy(a, s, &p));
	got = render(a, &p);
	if (strcmp(got, want) != 0)
		printf("--- got:\n%s", got);
	T_ASSERT_STR(got, want);
	base_arena_free(a);
}

/* After the function and the endpoints (steps 0-2): rules, ENIs, SGs, subnets, route table. */
/* No cross rules to revoke any more: the shared SGs are deleted by the last
 * user out (sg.delete endpoint), after our own SG and before the role (an
 * interrupted destroy still has that part, so the next one finishes the
 * shared SGs); a shared endpoint left in our subnets is moved off only when
 * AWS refuses a subnet's delete (no step of its own). */
#define DESTROY_NETWORK \
	"3 eni.wait all after 0,1,2\n" \
	"4 sg.delete lambda after 0,1,2,3\n" \
	"5 sg.delete endpoint after 0,1,2,3,4\n" \
	"6 subnet.delete 10.0.1.0/27 after 0,1,2,3\n" \
	"7 subnet.delete 10.0.1.32/27 after 0,1,2,3\n" \
	"8 subnet.delete 10.0.1.64/27 after 0,1,2,3\n" \
	"9 rt.delete private after 0,1,2,3,6,7,8\n"

void test_recon_diff__destroy_order(void)
{
	struct fixture f;
	state_init(&f);
	check_destroy(&f.s,
		      "0 function.delete app\n"
		      "1 endpoint.delete com.amazonaws.us-east-1.logs after 0\n"
		      "2 endpoint.delete com.amazonaws.us-east-1.s3 after 0\n"
		      DESTROY_NETWORK
		      "10 role.delete lambdavpc-app after 0,3,5\n");
}

void test_recon_diff__destroy_keeps_what_is_not_ours(void)
{
	struct fixture f;
	state_init(&f);
	f.eps[0].owned = false;   /* reused endpoint */
	f.s.role.owned = false;   /* role we did not create */
	check_destroy(&f.s,
		      "0 function.delete app\n"
		      "1 endpoint.release com.amazonaws.us-east-1.logs after 0\n"
		      "2 endpoint.delete com.amazonaws.us-east-1.s3 after 0\n"
		      DESTROY_NETWORK);
}

void test_recon_diff__destroy_empty_state(void)
{
	recon_state s;
	base_arena *a = base_arena_new();
	recon_plan p;
	memset(&s, 0, sizeof s);
	T_OK(recon_diff_destroy(a, &s, &p));
	T_ASSERT_INT(p.n, 0);
	base_arena_free(a);
}

void test_recon_diff__shared_sgs_not_drift(void)
{
	recon_desired d;
	struct fixture f;
	desired_init(&d);
	state_init(&f);
	/* The shared endpoint SG's rules and subnets of the shared endpoint
	 * belong to the VPC, not to this function: no step. */
	f.erules[0] = (recon_rule){ false, "tcp", 443, 443, RECON_PEER_SG, "sg-c", NULL, "sgr-7", NULL };
	f.erules[1] = (recon_rule){ false, "tcp", 443, 443, RECON_PEER_SG, "sg-other", NULL, "sgr-8", NULL };
	f.s.sgs[RECON_SG_ENDPOINT].rules = f.erules;
	f.s.sgs[RECON_SG_ENDPOINT].n_rules = 2;
	f.eps[0].subnet_ids = (aws_strs){ fn_subnets, 1 };
	CHECK_PLAN(&d, &f.s, "");
	/* The shared SGs not known (not registered yet): find or create them,
	 * and the function joins the clients SG. */
	f.s.clients_sg_id = NULL;
	CHECK_PLAN(&d, &f.s, "0 sg.create endpoint\n1 function.config app after 0\n");
	/* No interface endpoint wanted: the function leaves the clients SG. */
	d.endpoints = eps2 + 1;
	d.n_endpoints = 1;
	state_init(&f);
	CHECK_PLAN(&d, &f.s, "0 endpoint.delete com.amazonaws.us-east-1.logs\n1 function.config app\n");
}

void test_recon_diff__reused_endpoint(void)
{
	static const char *const their_sgs[] = { "sg-theirs" };
	recon_desired d;
	struct fixture f;
	desired_init(&d);
	state_init(&f);
	f.eps[0].owned = false;
	f.eps[0].sg_ids = (aws_strs){ their_sgs, 1 };
	/* A foreign endpoint: our own lambda SG may send 443 to its SG. */
	CHECK_PLAN(&d, &f.s, "0 sg.authorize lambda egress tcp 443-443 sg:sg-theirs\n");
}

void test_recon_diff__tags_and_invalid(void)
{
	static const aws_tag new_tags[] = { { "Team", "billing" } };
	recon_desired d;
	struct fixture f;
	base_arena *a = base_arena_new();
	recon_plan p;
	desired_init(&d);
	state_init(&f);
	d.tags = (aws_tags){ new_tags, 1 };
	CHECK_PLAN(&d, &f.s,
		   "0 tags.sync role\n"
		   "1 tags.sync subnet:10.0.1.0/27\n"
		   "2 tags.sync subnet:10.0.1.32/27\n"
		   "3 tags.sync subnet:10.0.1.64/27\n"
		   "4 tags.sync rt\n"
		   "5 tags.sync sg:lambda\n"
		   /* the shared SGs and endpoints keep their shared tag */
		   "6 tags.sync endpoint:com.amazonaws.us-east-1.s3\n"
		   "7 tags.sync function\n");
	d.vpc_id = NULL;
	T_ASSERT_INT(recon_diff_apply(a, &d, &f.s, &p), BASE_EINVALID);
	base_arena_free(a);
}

void test_recon_diff__rule_helpers(void)
{
	recon_rule x = { true, "tcp", 443, 443, RECON_PEER_CIDR, "0.0.0.0/0", NULL, NULL, NULL };
	recon_rule y = x;
	base_arena *a = base_arena_new();
	T_ASSERT_STR(recon_protocol_norm(a, "6"), "tcp");
	T_ASSERT_STR(recon_protocol_norm(a, "ALL"), "-1");
	T_ASSERT_STR(recon_protocol_norm(a, "UDP"), "udp");
	T_ASSERT(recon_rule_same(&x, &y));
	y.to_port = 444;
	T_ASSERT(!recon_rule_same(&x, &y));
	x.protocol = y.protocol = "-1";
	T_ASSERT(recon_rule_same(&x, &y));
	y.egress = false;
	T_ASSERT(!recon_rule_same(&x, &y));
	T_ASSERT_STR(recon_sg_name(a, "app", RECON_SG_ENDPOINT), "lambdavpc-app-endpoint");
	base_arena_free(a);
}

void test_recon_diff__endpoint_service_names(void)
{
	base_arena *a = base_arena_new();
	recon_endpoint_spec e;
	T_OK(recon_endpoint_service(a, "us-east-2", "logs", &e));
	T_ASSERT_STR(e.service, "com.amazonaws.us-east-2.logs");
	T_ASSERT(!e.gateway);
	T_OK(recon_endpoint_service(a, "us-east-2", "s3", &e));
	T_ASSERT_STR(e.service, "com.amazonaws.us-east-2.s3");
	T_ASSERT(e.gateway);
	T_OK(recon_endpoint_service(a, NULL, "com.amazonaws.eu-west-1.dynamodb", &e));
	T_ASSERT(e.gateway);
	T_OK(recon_endpoint_service(a, "us-east-2", "com.amazonaws.us-east-2.ecr.dkr", &e));
	T_ASSERT_STR(e.service, "com.amazonaws.us-east-2.ecr.dkr");
	T_ASSERT(!e.gateway);
	T_ASSERT_INT(recon_endpoint_service(a, "us-east-2", "", &e), BASE_EINVALID);
	T_ASSERT_INT(recon_endpoint_service(a, "us-east-2", "Logs", &e), BASE_EINVALID);
	T_ASSERT_INT(recon_endpoint_service(a, NULL, "logs", &e), BASE_EINVALID);
	base_arena_free(a);
}
