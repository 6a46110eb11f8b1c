/* recon_exec_test.c - the failure modes moto cannot produce, through a
 * scripted in-process transport and a fake clock: IAM propagation retries on
 * CreateFunction, Lambda Pending -> Active, lingering Lambda ENIs,
 * DependencyViolation until success / until the deadline (partial state kept),
 * a failed VPC endpoint. */
#include "t.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "aws/aws_client.h"
#include "aws/aws_http.h"
#include "base/base_arena.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec.h"

/* ---- scripted transport: first matching rule answers; rules with a count
 * are used that many times, then skipped. ---- */

struct rule {
	const char *method, *match;   /* match: substring of url or body */
	int times;                    /* < 0: forever */
	int status;
	const char *error_type;       /* Lambda x-amzn-ErrorType header */
	const char *body;
	int hits;
};

struct script {
	pthread_mutex_t mu;
	struct rule *rules;
	size_t n;
	unsigned unmatched;
};

static int fake_send(void *ctx, const aws_http_request *req, aws_http_response *resp)
{
	struct script *s = ctx;
	size_t i;
	int rc = BASE_OK;
	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->n; i++) {
		struct rule *r = &s->rules[i];
		bool in_url = strstr(req->url, r->match) != NULL;
		bool in_body = req->body && req->body_len && strstr(req->body, r->match) != NULL;
		if (strcmp(req->method, r->method) != 0 || !(in_url || in_body))
			continue;
		if (r->times >= 0 && r->hits >= r->times)
			continue;
		r->hits++;
		resp->status = r->status;
		resp->failure = AWS_HTTP_OK;
		if (r->body && base_buf_puts(&resp->body, r->body) != 0)
			rc = BASE_EIO;
		if (rc == BASE_OK && r->error_type)
			rc = aws_http_response_add_header(resp, "x-amzn-ErrorType", 16, r->error_type,
							  strlen(r->error_type));
		if (rc == BASE_OK && strstr(req->url, "lambda") == NULL && r->body && r->body[0] == '{')
			rc = aws_http_response_add_header(resp, "Content-Type", 12, "application/json", 16);
		pthread_mutex_unlock(&s->mu);
		return rc;
	}
	s->unmatched++;
	resp->status = 599;
	pthread_mutex_unlock(&s->mu);
	return BASE_OK;
}

static const aws_transport fake_transport = { fake_send };

static int hits(const struct script *s, const char *match)
{
	size_t i;
	int n = 0;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->rules[i].match, match) == 0)
			n += s->rules[i].hits;
	return n;
}

/* ---- fake clock ---- */

struct fclock { uint64_t now; unsigned sleeps; };
static uint64_t fnow(void *ctx) { return ((struct fclock *)ctx)->now; }
static int fsleep(void *ctx, unsigned ms)
{
	struct fclock *c = ctx;
	c->now += ms;
	c->sleeps++;
	return BASE_OK;
}

static aws_client *new_client(struct script *s)
{
	aws_client_config cc;
	aws_client *c = NULL;
	aws_error e;
	int k;
	memset(&cc, 0, sizeof cc);
	cc.region = "us-east-1";
	cc.access_key = "AKIDEXAMPLE";
	cc.secret_key = "secret";
	cc.max_retries = 0;
	cc.skip_credentials_validation = true;
	cc.transport = &fake_transport;
	cc.transport_ctx = s;
	for (k = 0; k < AWS_SVC_COUNT; k++)
		cc.endpoints[k] = "http://127.0.0.1:9";
	if (aws_client_new(&c, &cc, &e) != 0)
		return NULL;
	return c;
}

#define EC2_OK(op) "<" op "Response><return>true</return></" op "Response>"
#define EC2_ERR(code, msg) "<Response><Errors><Error><Code>" code "</Code><Message>" msg \
	"</Message></Error></Errors><RequestID>req-1</RequestID></Response>"
#define NO_ENIS "<DescribeNetworkInterfacesResponse><networkInterfaceSet/></DescribeNetworkInterfacesResponse>"
#define ONE_ENI "<DescribeNetworkInterfacesResponse><networkInterfaceSet><item>" \
	"<networkInterfaceId>eni-1</networkInterfaceId><interfaceType>lambda</interfaceType>" \
	"<description>AWS Lambda VPC ENI-app-1</description><status>in-use</status>" \
	"<subnetId>subnet-a</subnetId></item></networkInterfaceSet></DescribeNetworkInterfacesResponse>"

static const aws_tag owner_tag[] = { { RECON_OWNER_TAG, "app" } };

static void net_state(recon_state *s, recon_subnet *sub)
{
	memset(s, 0, sizeof *s);
	memset(sub, 0, sizeof *sub);
	s->function_name = "app";
	s->vpc_id = "vpc-1";
	sub->id = "subnet-a";
	sub->cidr = "10.0.1.0/27";
	sub->az = "us-east-1a";
	sub->owned = true;
	sub->tags = (aws_tags){ owner_tag, 1 };
	s->subnets = sub;
	s->n_subnets = 1;
	s->sgs[RECON_SG_LAMBDA].id = "sg-l";
	s->sgs[RECON_SG_LAMBDA].owned = true;
	s->sgs[RECON_SG_LAMBDA].tags = (aws_tags){ owner_tag, 1 };
	s->sgs[RECON_SG_ENDPOINT].tags = (aws_tags){ owner_tag, 1 };
	s->role.tags = (aws_tags){ owner_tag, 1 };
	s->rt.tags = (aws_tags){ owner_tag, 1 };
}

void test_recon_exec__destroy_waits_for_enis_and_dependency(void)
{
	struct rule rules[] = {
		{ "POST", "Action=DescribeNetworkInterfaces", 4, 200, NULL, ONE_ENI, 0 },
		{ "POST", "Action=DescribeNetworkInterfaces", -1, 200, NULL, NO_ENIS, 0 },
		{ "POST", "Action=DeleteSecurityGroup", 2, 400, NULL, EC2_ERR("DependencyViolation", "in use"), 0 },
		{ "POST", "Action=DeleteSecurityGroup", -1, 200, NULL, EC2_OK("DeleteSecurityGroup"), 0 },
		{ "POST", "Action=DeleteSubnet", -1, 200, NULL, EC2_OK("DeleteSubnet"), 0 },
	};
	struct script sc = { PTHREAD_MUTEX_INITIALIZER, rules, sizeof rules / sizeof rules[0], 0 };
	struct fclock fc = { 1000, 0 };
	recon_clock clk = { fnow, fsleep, &fc };
	recon_options opts = { 2, &clk, 0, 0, false };
	recon_state s;
	recon_subnet sub;
	recon_failure fail;
	base_arena *a = base_arena_new();
	aws_client *c = new_client(&sc);
	T_ASSERT(c != NULL);
	net_state(&s, &sub);
	T_OK(recon_destroy(c, a, &s, &opts, &fail));
	T_ASSERT_INT(sc.unmatched, 0);
	T_ASSERT_INT(hits(&sc, "Action=DeleteSecurityGroup"), 3);
	T_ASSERT(hits(&sc, "Action=DescribeNetworkInterfaces") >= 4);
	T_ASSERT(s.sgs[RECON_SG_LAMBDA].id == NULL);
	T_ASSERT_INT(s.n_subnets, 0);
	T_ASSERT(fc.sleeps > 0);
	aws_client_free(c);
	base_arena_free(a);
}

void test_recon_exec__dependency_until_deadline_keeps_ids(void)
{
	struct rule rules[] = {
		{ "POST", "Action=DescribeNetworkInterfaces", -1, 200, NULL, NO_ENIS, 0 },
		{ "POST", "Action=DeleteSecurityGroup", -1, 400, NULL, EC2_ERR("DependencyViolation", "in use"), 0 },
		{ "POST", "Action=DeleteSubnet", -1, 200, NULL, EC2_OK("DeleteSubnet"), 0 },
	};
	struct script sc = { PTHREAD_MUTEX_INITIALIZER, rules, sizeof rules / sizeof rules[0], 0 };
	struct fclock fc = { 0, 0 };
	recon_clock clk = { fnow, fsleep, &fc };
	recon_options opts = { 1, &clk, 60000, 0, false };
	recon_state s;
	recon_subnet sub;
	recon_failure fail;
	base_arena *a = base_arena_new();
	aws_client *c = new_client(&sc);
	T_ASSERT(c != NULL);
	net_state(&s, &sub);
	T_ASSERT_INT(recon_destroy(c, a, &s, &opts, &fail), BASE_ETIMEOUT);
	T_ASSERT_INT(fail.kind, RECON_STEP_SG_DELETE);
	T_ASSERT_STR(fail.err.code, "DependencyViolation");
	T_ASSERT(strstr(fail.detail, "still in use") != NULL);
	T_ASSERT_STR(s.sgs[RECON_SG_LAMBDA].id, "sg-l");   /* no ID lost */
	T_ASSERT(fc.now <= 60000);                           /* never past the deadline */
	aws_client_free(c);
	base_arena_free(a);
}

#define FN_CFG(state, lus) "{\"FunctionName\":\"app\",\"FunctionArn\":\"arn:aws:lambda:us-east-1:1:function:app\"," \
	"\"Role\":\"arn:aws:iam::1:role/r\",\"State\":\"" state "\",\"LastUpdateStatus\":\"" lus "\"}"

static const char *const cidr1[] = { "10.0.1.0/27" };
static const char *const policies1[] = { RECON_VPC_POLICY_ARN };
static const char *const fn_sg[] = { "sg-l" };

static void ready_for_function(recon_desired *d, recon_state *s, recon_subnet *sub)
{
	memset(d, 0, sizeof *d);
	d->function_name = "app";
	d->vpc_id = "vpc-1";
	d->subnet_cidrs = (aws_strs){ cidr1, 1 };
	d->fn.runtime = "python3.12";
	d->fn.handler = "h.h";
	d->fn.reserved_concurrency = -1;
	net_state(s, sub);
	s->role.name = "lambdavpc-app";
	s->role.arn = "arn:aws:iam::1:role/r";
	s->role.owned = true;
	s->role.policy_arns = (aws_strs){ policies1, 1 };
	s->rt.id = "rtb-1";
	s->rt.owned = true;
	s->rt.assoc_subnet_ids = (aws_strs){ &sub->id, 1 };
	s->sgs[RECON_SG_ENDPOINT].id = "sg-e";
	s->sgs[RECON_SG_ENDPOINT].owned = true;
	{
		static recon_rule in = { false, "tcp", 443, 443, RECON_PEER_SG, "sg-l", NULL, "sgr-1", NULL };
		s->sgs[RECON_SG_ENDPOINT].rules = &in;
		s->sgs[RECON_SG_ENDPOINT].n_rules = 1;
	}
	(void)fn_sg;
}

void test_recon_exec__create_function_retries_iam_propagation(void)
{
	struct rule rules[] = {
		{ "POST", "/2015-03-31/functions", 2, 400, "InvalidParameterValueException",
		  "{\"message\":\"The role defined for the function cannot be assumed by Lambda.\"}", 0 },
		{ "POST", "/2015-03-31/functions", -1, 201, NULL, FN_CFG("Pending", "InProgress"), 0 },
		{ "GET", "/functions/app/configuration", 2, 200, NULL, FN_CFG("Pending", "InProgress"), 0 },
		{ "GET", "/functions/app/configuration", -1, 200, NULL, FN_CFG("Active", "Successful"), 0 },
		{ "GET", "/2015-03-31/functions/app", -1, 200, NULL,
		  "{\"Configuration\":" FN_CFG("Active", "Successful") ",\"Tags\":{\"lambdavpc:function\":\"app\"}}", 0 },
	};
	struct script sc = { PTHREAD_MUTEX_INITIALIZER, rules, sizeof rules / sizeof rules[0], 0 };
	struct fclock fc = { 0, 0 };
	recon_clock clk = { fnow, fsleep, &fc };
	recon_options opts = { 2, &clk, 0, 0, false };
	recon_desired d;
	recon_state s;
	recon_subnet sub;
	recon_failure fail;
	recon_plan p;
	base_arena *a = base_arena_new();
	aws_client *c = new_client(&sc);
	T_ASSERT(c != NULL);
	ready_for_function(&d, &s, &sub);
	T_OK(recon_diff_apply(a, &d, &s, &p));
	if (p.n != 1) {
		base_buf b;
		base_buf_init(&b, 0);
		if (recon_plan_format(&p, &b) == 0)
			printf("%s", base_buf_cstr(&b));
		base_buf_dispose(&b);
	}
	T_ASSERT_INT(p.n, 1);
	T_ASSERT_INT(p.v[0].kind, RECON_STEP_FN_CREATE);
	T_OK(recon_apply(c, a, &d, &s, &opts, &fail));
	T_ASSERT_INT(sc.unmatched, 0);
	T_ASSERT_INT(hits(&sc, "/2015-03-31/functions"), 3);  /* 2 refusals + the create */
	T_ASSERT_INT(hits(&sc, "/functions/app/configuration"), 3);
	T_ASSERT_STR(s.fn.name, "app");
	T_ASSERT(s.fn.owned);
	T_ASSERT_STR(s.fn.state, "Active");
	aws_client_free(c);
	base_arena_free(a);
}

void test_recon_exec__function_failed_state_is_reported(void)
{
	struct rule rules[] = {
		{ "POST", "/2015-03-31/functions", -1, 201, NULL, FN_CFG("Pending", "InProgress"), 0 },
		{ "GET", "/functions/app/configuration", -1, 200, NULL,
		  "{\"FunctionName\":\"app\",\"State\":\"Failed\",\"StateReasonCode\":\"SubnetOutOfIPAddresses\","
		  "\"StateReason\":\"no free IP\"}", 0 },
	};
	struct script sc = { PTHREAD_MUTEX_INITIALIZER, rules, sizeof rules / sizeof rules[0], 0 };
	struct fclock fc = { 0, 0 };
	recon_clock clk = { fnow, fsleep, &fc };
	recon_options opts = { 2, &clk, 0, 0, false };
	recon_desired d;
	recon_state s;
	recon_subnet sub;
	recon_failure fail;
	base_arena *a = base_arena_new();
	aws_client *c = new_client(&sc);
	T_ASSERT(c != NULL);
	ready_for_function(&d, &s, &sub);
	T_ASSERT_INT(recon_apply(c, a, &d, &s, &opts, &fail), BASE_EAWS);
	T_ASSERT_INT(fail.kind, RECON_STEP_FN_CREATE);
	T_ASSERT_STR(fail.err.code, "SubnetOutOfIPAddresses");
	T_ASSERT(strstr(fail.err.message, "no free IP") != NULL);
	T_ASSERT_STR(s.fn.name, "app");   /* the created function is in the partial state */
	aws_client_free(c);
	base_arena_free(a);
}

void test_recon_exec__cancel_stops_waits(void)
{
	struct rule rules[] = {
		{ "POST", "Action=DescribeNetworkInterfaces", -1, 200, NULL, ONE_ENI, 0 },
	};
	struct script sc = { PTHREAD_MUTEX_INITIALIZER, rules, sizeof rules / sizeof rules[0], 0 };
	recon_options opts = { 1, NULL, 0, 0, false };   /* real clock: aws_client_sleep_ms */
	recon_state s;
	recon_subnet sub;
	recon_failure fail;
	base_arena *a = base_arena_new();
	aws_client *c = new_client(&sc);
	T_ASSERT(c != NULL);
	net_state(&s, &sub);
	aws_client_cancel(c);
	T_ASSERT_INT(recon_destroy(c, a, &s, &opts, &fail), BASE_ECANCELLED);
	T_ASSERT_STR(s.sgs[RECON_SG_LAMBDA].id, "sg-l");
	aws_client_free(c);
	base_arena_free(a);
}
