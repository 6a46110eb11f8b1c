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

/* A scripted run: the rules, a fake clock, a client, and the network part of
 * a bundle (net_state); function tests add ready_for_function. */
struct run_env {
	struct script sc;
	struct fclock fc;
	recon_clock clk;
	recon_options opts;
	recon_desired d;
	recon_state s;
	recon_subnet sub;
	recon_failure fail;
	recon_plan p;
	base_arena *a;
	aws_client *c;
};

/* False when the client cannot be made (the test stops: T_ASSERT it). */
static bool run_env_init(struct run_env *x, struct rule *rules, size_t n)
{
	memset(x, 0, sizeof *x);
	pthread_mutex_init(&x->sc.mu, NULL);
	x->sc.rules = rules;
	x->sc.n = n;
	x->clk = (recon_clock){ fnow, fsleep, &x->fc };
	x->opts = (recon_options){ 2, &x->clk, 0, 0, false };
	x->a = base_arena_new();
	x->c = new_client(&x->sc);
	net_state(&x->s, &x->sub);
	return x->c != NULL;
}

static void run_env_dispose(struct run_env *x)
{
	aws_client_free(x->c);
	base_arena_free(x->a);
	pthread_mutex_destroy(&x->sc.mu);
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

void test_recon_exec__dependency_until_deadline_keeps_ids(void)
{
	struct rule rules[] = {
		{ "POST", "Action=DescribeNetworkInterfaces", -1, 200, NULL, NO_ENIS, 0 },
		{ "POST", "Action=DeleteSecurityGroup", -1, 400, NULL, EC2_ERR("DependencyViolation", "in use"), 0 },
		{ "POST", "Action=DeleteSubnet", -1, 200, NULL, EC2_OK("DeleteSubnet"), 0 },
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

/* The plan of x must be exactly these step kinds (printed when not). */
static void expect_kinds(struct run_env *x, const recon_step_kind *kinds, size_t n)
{
	size_t i;
	T_OK(recon_diff_apply(x->a, &x->d, &x->s, &x->p));
	if (x->p.n != n) {
		base_buf b;
		base_buf_init(&b, 0);
		if (recon_plan_format(&x->p, &b) == 0)
			printf("%s", base_buf_cstr(&b));
		base_buf_dispose(&b);
	}
	T_ASSERT_INT(x->p.n, n);
	for (i = 0; i < n; i++)
		T_ASSERT_INT(x->p.v[i].kind, kinds[i]);
}

#define FN_GET_OK { "GET", "/2015-03-31/functions/app", -1, 200, NULL, \
	"{\"Configuration\":" FN_CFG("Active", "Successful") ",\"Tags\":{\"lambdavpc:function\":\"app\"}}", 0 }

void test_recon_exec__create_function_retries_iam_propagation(void)
{
	struct rule rules[] = {
		{ "POST", "/2015-03-31/functions", 2, 400, "InvalidParameterValueException",
		  "{\"message\":\"The role defined for the function cannot be assumed by Lambda.\"}", 0 },
		{ "POST", "/2015-03-31/functions", -1, 201, NULL, FN_CFG("Pending", "InProgress"), 0 },
		{ "GET", "/functions/app/configuration", 2, 200, NULL, FN_CFG("Pending", "InProgress"), 0 },
		{ "GET", "/functions/app/configuration", -1, 200, NULL, FN_CFG("Active", "Successful"), 0 },
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
	T_ASSERT_INT(hits(&x.sc, "/functions/app/configuration"), 3);
	T_ASSERT_STR(x.s.fn.name, "app");
	T_ASSERT(x.s.fn.owned);
	T_ASSERT_STR(x.s.fn.state, "Active");
	run_env_dispose(&x);
}

void test_recon_exec__publish_records_version(void)
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

void test_recon_exec__function_failed_state_is_reported(void)
{
	struct rule rules[] = {
		{ "POST", "/2015-03-31/functions", -1, 201, NULL, FN_CFG("Pending", "InProgress"), 0 },
		{ "GET", "/functions/app/configuration", -1, 200, NULL,
		  "{\"FunctionName\":\"app\",\"State\":\"Failed\",\"StateReasonCode\":\"SubnetOutOfIPAddresses\","
		  "\"StateReason\":\"no free IP\"}", 0 },
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
void test_recon_exec__create_reply_recorded_before_wait(void)
{
	struct rule rules[] = {
		{ "POST", "/2015-03-31/functions", -1, 201, NULL,
		  "{\"FunctionName\":\"app\",\"FunctionArn\":\"arn:aws:lambda:us-east-1:1:function:app\","
		  "\"Role\":\"arn:aws:iam::1:role/r\",\"State\":\"Pending\",\"CodeSha256\":\"c2hh\","
		  "\"LastModified\":\"2026-01-01T00:00:00.000+0000\",\"Version\":\"$LATEST\"}", 0 },
		{ "GET", "/functions/app/configuration", -1, 200, NULL, FN_CFG("Pending", "InProgress"), 0 },
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

/* A Lambda ENI that never goes: the timeout message names it. */
void test_recon_exec__eni_timeout_names_enis(void)
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
