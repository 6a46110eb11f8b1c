/*
 * aws_client_test.c - aws_client over the scripted fake transport (signing,
 * endpoints, region, retries, cancellation, log redaction) and, when
 * moto_server is available, against moto over the HTTP transport.
 */
#include "t.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../fake/aws_fake_env.h"
#include "../../fake/aws_fake_transport.h"
#include "../../fake/aws_moto.h"
#include "aws_testutil.h"
#include "aws/aws_client.h"
#include "aws/aws_deadline.h"
#include "aws/aws_http.h"
#include "aws/aws_int.h"
#include "aws/aws_sigv4.h"
#include "aws/aws_sts.h"
#include "base/base_alloc.h"
#include "base/base_log.h"

/* Hermetic environment: no AWS_* variables, HOME without ~/.aws, IMDS off. */
static void clean_env(void)
{
	(void)aws_fake_clean_env();
}

static void base_cfg(aws_client_config *cfg, aws_fake *f)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->region = "us-west-2";
	cfg->access_key = "AKIDTEST";
	cfg->secret_key = "SECRETSECRETSECRET";
	cfg->max_retries = -1;
	cfg->skip_credentials_validation = true; /* the identity check has its own tests */
	cfg->endpoints[AWS_SVC_EC2] = "http://127.0.0.1:9/";
	cfg->transport = f ? &aws_fake_transport : NULL;
	cfg->transport_ctx = f;
}

static void fast_retries(aws_client *c)
{
	aws_retry_policy p;
	aws_retry_policy_default(&p);
	p.base_ms = 1;
	p.cap_ms = 5;
	p.adaptive = false; /* the rate limiter has its own tests below */
	aws_client__set_retry_policy(c, &p);
}

static aws_request form_req(const char *body)
{
	return aws_test_form_req(AWS_SVC_EC2, "DescribeRegions", body);
}

/* One test's fake transport, client and response. */
struct fx {
	aws_fake *f;
	aws_client_config cfg;
	aws_client *c;
	aws_error err;
	aws_response resp;
};

/* A fresh fake, the hermetic environment and base_cfg; the test may adjust
 * x->cfg before fx_start. */
static void fx_init(struct fx *x)
{
	memset(x, 0, sizeof *x);
	x->f = aws_fake_new();
	clean_env();
	base_cfg(&x->cfg, x->f);
	aws_response_init(&x->resp);
}

/* aws_client_new on x->cfg (its rc returned), then fast retries. */
static int fx_start(struct fx *x)
{
	int rc = aws_client_new(&x->c, &x->cfg, &x->err);
	if (rc == BASE_OK)
		fast_retries(x->c);
	return rc;
}

static void fx_end(struct fx *x)
{
	aws_response_dispose(&x->resp);
	aws_client_free(x->c);
	aws_fake_free(x->f);
}

/* A drop-in failure reply (no status) of the given transport failure. */
static aws_fake_reply failure_reply(aws_http_failure failure, bool sent)
{
	aws_fake_reply r;
	memset(&r, 0, sizeof r);
	r.failure = failure;
	r.sent = sent;
	return r;
}

void test_aws_client__signs_and_sends(void)
{
	struct fx x;
	aws_request req = form_req("Action=DescribeRegions&Version=2016-11-15");
	const aws_fake_request *rec;
	char date[64], host[64], tok[64], auth[512], want_prefix[256];
	aws_sigv4_header sh[2];
	aws_sigv4_params sp;
	aws_sigv4_result sr;

	fx_init(&x);
	x.cfg.token = "SESSIONTOKEN";
	T_OK(aws_client_new(&x.c, &x.cfg, &x.err));
	aws_fake_push_status(x.f, 200, "x-amzn-RequestId: rid-1\nContent-Type: text/xml\n", "<ok/>");
	T_OK(aws_client_send(x.c, &req, &x.resp, &x.err));
	T_ASSERT_INT(x.resp.status, 200);
	T_ASSERT_STR(base_buf_cstr(&x.resp.body), "<ok/>");
	T_ASSERT_STR(x.resp.request_id, "rid-1");
	T_ASSERT_INT(aws_fake_count(x.f), 1);
	rec = aws_fake_request_at(x.f, 0);
	T_ASSERT_STR(rec->url, "http://127.0.0.1:9/");
	T_ASSERT_STR(rec->method, "POST");
	T_ASSERT_STR(rec->body, "Action=DescribeRegions&Version=2016-11-15");
	T_ASSERT(aws_fake_request_header(x.f, 0, "Host", host, sizeof host));
	T_ASSERT_STR(host, "127.0.0.1:9");
	T_ASSERT(aws_fake_request_header(x.f, 0, "X-Amz-Date", date, sizeof date));
	T_ASSERT(aws_fake_request_header(x.f, 0, "X-Amz-Security-Token", tok, sizeof tok));
	T_ASSERT_STR(tok, "SESSIONTOKEN");
	T_ASSERT(aws_fake_request_header(x.f, 0, "Authorization", auth, sizeof auth));
	snprintf(want_prefix, sizeof want_prefix,
	         "AWS4-HMAC-SHA256 Credential=AKIDTEST/%.8s/us-west-2/ec2/aws4_request, "
	         "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=",
	         date);
	T_ASSERT_MSG(strncmp(auth, want_prefix, strlen(want_prefix)) == 0, "auth: %s", auth);

	/* the signature is what the pure signer computes for what was sent */
	sh[0] = (aws_sigv4_header){"Host", host};
	sh[1] = (aws_sigv4_header){"Content-Type", req.content_type};
	memset(&sp, 0, sizeof sp);
	sp.method = "POST";
	sp.path = "/";
	sp.headers = sh;
	sp.n_headers = 2;
	sp.body = req.body;
	sp.body_len = req.body_len;
	sp.region = "us-west-2";
	sp.service = "ec2";
	sp.access_key = "AKIDTEST";
	sp.secret_key = "SECRETSECRETSECRET";
	sp.session_token = "SESSIONTOKEN";
	sp.amz_date = date;
	sp.normalize_path = sp.double_encode = true;
	aws_sigv4_result_init(&sr);
	T_OK(aws_sigv4_sign(&sp, &sr));
	T_ASSERT_STR(auth, base_buf_cstr(&sr.authorization));
	aws_sigv4_result_dispose(&sr);

	T_ASSERT_STR(aws_client_region(x.c), "us-west-2");
	T_ASSERT(rec->ca_bundle == NULL);
	aws_response_dispose(&x.resp);
	aws_client_free(x.c);

	/* AWS_CA_BUNDLE reaches the transport */
	setenv("AWS_CA_BUNDLE", "/tmp/some-ca.pem", 1);
	T_OK(aws_client_new(&x.c, &x.cfg, &x.err));
	aws_fake_push_status(x.f, 200, NULL, "<ok/>");
	aws_response_init(&x.resp);
	T_OK(aws_client_send(x.c, &req, &x.resp, &x.err));
	T_ASSERT_STR(aws_fake_request_at(x.f, 1)->ca_bundle, "/tmp/some-ca.pem");
	unsetenv("AWS_CA_BUNDLE");
	fx_end(&x);
}

void test_aws_client__default_and_env_endpoints(void)
{
	aws_fake *f = aws_fake_new();
	aws_client_config cfg;
	aws_client *c = NULL;
	aws_error err;
	aws_response resp;
	aws_request req;
	char auth[512];

	clean_env();
	base_cfg(&cfg, f);
	cfg.endpoints[AWS_SVC_EC2] = NULL;
	T_OK(aws_client_new(&c, &cfg, &err));
	T_ASSERT_STR(aws_client__endpoint(c, AWS_SVC_EC2), "https://ec2.us-west-2.amazonaws.com");
	T_ASSERT_STR(aws_client__endpoint(c, AWS_SVC_IAM), "https://iam.amazonaws.com");
	T_ASSERT_STR(aws_client__endpoint(c, AWS_SVC_STS), "https://sts.us-west-2.amazonaws.com");
	T_ASSERT_STR(aws_client__endpoint(c, AWS_SVC_LAMBDA), "https://lambda.us-west-2.amazonaws.com");
	aws_client_free(c);

	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1234", 1);
	setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:5678/prefix/", 1);
	T_OK(aws_client_new(&c, &cfg, &err));
	T_ASSERT_STR(aws_client__endpoint(c, AWS_SVC_EC2), "http://127.0.0.1:1234");
	T_ASSERT_STR(aws_client__endpoint(c, AWS_SVC_LAMBDA), "http://127.0.0.1:5678/prefix");

	memset(&req, 0, sizeof req);
	req.service = AWS_SVC_LAMBDA;
	req.op = "UntagResource";
	req.method = "DELETE";
	req.path = "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-west-2%3A1%3Afunction%3Af";
	req.query = "tagKeys=a&tagKeys=b";
	aws_fake_push_status(f, 204, NULL, NULL);
	aws_response_init(&resp);
	T_OK(aws_client_send(c, &req, &resp, &err));
	T_ASSERT_STR(aws_fake_request_at(f, 0)->url, "http://127.0.0.1:5678/prefix/2017-03-31/tags/"
	                                             "arn%3Aaws%3Alambda%3Aus-west-2%3A1%3Afunction%3Af"
	                                             "?tagKeys=a&tagKeys=b");

	/* IAM signs with us-east-1 whatever the client region */
	req.service = AWS_SVC_IAM;
	req.method = "POST";
	req.path = "/";
	req.query = NULL;
	req.body = "Action=ListRoles&Version=2010-05-08";
	req.body_len = strlen(req.body);
	req.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	aws_fake_push_status(f, 200, NULL, "<ok/>");
	T_OK(aws_client_send(c, &req, &resp, &err));
	T_ASSERT(aws_fake_request_header(f, 1, "Authorization", auth, sizeof auth));
	T_ASSERT(strstr(auth, "/us-east-1/iam/aws4_request") != NULL);
	T_ASSERT_STR(aws_fake_request_at(f, 1)->url, "http://127.0.0.1:1234/");
	aws_response_dispose(&resp);
	aws_client_free(c);

	/* the provider block wins over the environment; bad URLs are refused */
	cfg.endpoints[AWS_SVC_LAMBDA] = "http://localhost:1";
	T_OK(aws_client_new(&c, &cfg, &err));
	T_ASSERT_STR(aws_client__endpoint(c, AWS_SVC_LAMBDA), "http://localhost:1");
	aws_client_free(c);
	cfg.endpoints[AWS_SVC_LAMBDA] = "ftp://x";
	T_ASSERT_INT(aws_client_new(&c, &cfg, &err), BASE_EINVALID);
	T_ASSERT(c == NULL);
	T_ASSERT_STR(err.code, "InvalidEndpoint");
	clean_env();
	aws_fake_free(f);
}

static void write_file(const char *path, const char *text)
{
	if (aws_fake_write_file(path, text) != 0)
		printf("cannot write %s\n", path);
}

void test_aws_client__region_resolution(void)
{
	aws_fake *f = aws_fake_new();
	aws_client_config cfg;
	aws_client *c = NULL;
	aws_error err;
	char path[256];

	clean_env();
	base_cfg(&cfg, f);
	cfg.region = NULL;
	T_ASSERT_INT(aws_client_new(&c, &cfg, &err), BASE_EINVALID);
	T_ASSERT_STR(err.code, "MissingRegion");
	setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
	T_OK(aws_client_new(&c, &cfg, &err));
	T_ASSERT_STR(aws_client_region(c), "eu-west-1");
	aws_client_free(c);
	setenv("AWS_REGION", "eu-central-1", 1);
	T_OK(aws_client_new(&c, &cfg, &err));
	T_ASSERT_STR(aws_client_region(c), "eu-central-1");
	aws_client_free(c);
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");

	snprintf(path, sizeof path, "%s/config_region", getenv("HOME"));
	write_file(path, "[default]\nregion = ap-south-1\n[profile other]\nregion=sa-east-1\n");
	setenv("AWS_CONFIG_FILE", path, 1);
	T_OK(aws_client_new(&c, &cfg, &err));
	T_ASSERT_STR(aws_client_region(c), "ap-south-1");
	aws_client_free(c);
	cfg.profile = "other";
	T_OK(aws_client_new(&c, &cfg, &err));
	T_ASSERT_STR(aws_client_region(c), "sa-east-1");
	aws_client_free(c);
	cfg.region = "Bad Region";
	T_ASSERT_INT(aws_client_new(&c, &cfg, &err), BASE_EINVALID);
	T_ASSERT_STR(err.code, "InvalidRegion");
	unlink(path);
	clean_env();
	aws_fake_free(f);
}

void test_aws_client__retries_transient_then_succeeds(void)
{
	struct fx x;
	aws_request req = form_req("Action=DescribeRegions&Version=2016-11-15");
	aws_fake_reply drop;
	char d1[32], d2[32];

	fx_init(&x);
	T_OK(fx_start(&x));
	aws_fake_push_status(x.f, 503, NULL, "<html><title>busy</title></html>");
	drop = failure_reply(AWS_HTTP_ERECV, true);
	aws_fake_push(x.f, &drop);
	aws_fake_push_status(x.f, 200, NULL, "<ok/>");
	T_OK(aws_client_send(x.c, &req, &x.resp, &x.err));
	T_ASSERT_INT(aws_fake_count(x.f), 3);
	T_ASSERT_INT(x.resp.status, 200);
	/* every attempt is signed afresh (rule 10) */
	T_ASSERT(aws_fake_request_header(x.f, 0, "X-Amz-Date", d1, sizeof d1));
	T_ASSERT(aws_fake_request_header(x.f, 2, "X-Amz-Date", d2, sizeof d2));
	/* two retries cost 5 each; the success refunds the last cost */
	T_ASSERT_INT(aws_client__quota_available(x.c), 495);
	fx_end(&x);
}

void test_aws_client__throttling_runs_out(void)
{
	struct fx x;
	aws_request req = form_req("Action=DescribeRegions&Version=2016-11-15");
	const char *thr =
	        "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message>"
	        "</Error></Errors><RequestID>r-9</RequestID></Response>";
	int i;

	fx_init(&x);
	T_OK(fx_start(&x));
	for (i = 0; i < 3; i++)
		aws_fake_push_status(x.f, 503, "Content-Type: text/xml\n", thr);
	T_ASSERT_INT(aws_client_send(x.c, &req, &x.resp, &x.err), BASE_ETHROTTLED);
	T_ASSERT_INT(aws_fake_count(x.f), 3);
	T_ASSERT_STR(x.err.code, "RequestLimitExceeded");
	T_ASSERT_INT(x.err.http_status, 503);
	T_ASSERT_INT(x.resp.status, 503);
	aws_response_dispose(&x.resp);
	aws_client_free(x.c);

	/* max_retries = 0: one attempt only */
	x.cfg.max_retries = 0;
	T_OK(aws_client_new(&x.c, &x.cfg, &x.err));
	aws_fake_push_status(x.f, 503, "Content-Type: text/xml\n", thr);
	aws_response_init(&x.resp);
	T_ASSERT_INT(aws_client_send(x.c, &req, &x.resp, &x.err), BASE_ETHROTTLED);
	T_ASSERT_INT(aws_fake_count(x.f), 4);
	fx_end(&x);
}

void test_aws_client__client_error_not_retried(void)
{
	struct fx x;
	aws_request req = form_req("Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-0");

	fx_init(&x);
	T_OK(fx_start(&x));
	aws_fake_push_status(
	        x.f, 400, "Content-Type: text/xml\n",
	        "<Response><Errors><Error><Code>InvalidSubnetID.NotFound</Code><Message>nope</Message>"
	        "</Error></Errors><RequestID>r-1</RequestID></Response>");
	T_ASSERT_INT(aws_client_send(x.c, &req, &x.resp, &x.err), BASE_EAWS);
	T_ASSERT_INT(aws_fake_count(x.f), 1);
	T_ASSERT_STR(x.err.code, "InvalidSubnetID.NotFound");
	T_ASSERT_STR(x.err.request_id, "r-1");
	fx_end(&x);
}

void test_aws_client__create_timeout_is_not_repeated(void)
{
	struct fx x;
	aws_request req = form_req("Action=CreateSecurityGroup&Version=2016-11-15&GroupName=g");
	aws_fake_reply to;

	fx_init(&x);
	T_OK(fx_start(&x));
	to = failure_reply(AWS_HTTP_ETIMEOUT, true);
	aws_fake_push(x.f, &to);
	req.not_idempotent = true;
	T_ASSERT_INT(aws_client_send(x.c, &req, &x.resp, &x.err), BASE_ETIMEOUT);
	T_ASSERT_STR(x.err.code, "RequestOutcomeUnknown");
	T_ASSERT_INT(aws_fake_count(x.f), 1);

	/* a connect failure never reached the server: safe to retry */
	to = failure_reply(AWS_HTTP_ECONNECT, false);
	aws_fake_push(x.f, &to);
	aws_fake_push_status(x.f, 200, NULL, "<ok/>");
	T_OK(aws_client_send(x.c, &req, &x.resp, &x.err));
	T_ASSERT_INT(aws_fake_count(x.f), 3);

	/* an idempotent call is retried after a timeout, then gives up */
	req.not_idempotent = false;
	to = failure_reply(AWS_HTTP_ETIMEOUT, true);
	aws_fake_push(x.f, &to);
	aws_fake_push(x.f, &to);
	aws_fake_push(x.f, &to);
	T_ASSERT_INT(aws_client_send(x.c, &req, &x.resp, &x.err), BASE_ETIMEOUT);
	T_ASSERT_STR(x.err.code, "RequestTimeout");
	T_ASSERT_INT(aws_fake_count(x.f), 6);
	fx_end(&x);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void test_aws_client__retry_after_honoured(void)
{
	struct fx x;
	aws_request req;
	uint64_t t0;

	fx_init(&x);
	x.cfg.endpoints[AWS_SVC_LAMBDA] = "http://127.0.0.1:9";
	T_OK(fx_start(&x));
	memset(&req, 0, sizeof req);
	req.service = AWS_SVC_LAMBDA;
	req.op = "GetFunction";
	req.method = "GET";
	req.path = "/2015-03-31/functions/f";
	aws_fake_push_status(x.f, 429, "Retry-After: 1\nx-amzn-ErrorType: TooManyRequestsException\n",
	                     "{\"message\":\"Rate exceeded\",\"Reason\":\"CallerRateLimitExceeded\"}");
	aws_fake_push_status(x.f, 200, NULL, "{}");
	t0 = now_ms();
	T_OK(aws_client_send(x.c, &req, &x.resp, &x.err));
	T_ASSERT_MSG(now_ms() - t0 >= 990, "waited only %llu ms", (unsigned long long)(now_ms() - t0));
	T_ASSERT_INT(aws_fake_count(x.f), 2);
	fx_end(&x);
}

void test_aws_client__expired_token_refreshes_once(void)
{
	struct fx x;
	aws_request req = form_req("Action=DescribeRegions&Version=2016-11-15");
	const char *exp = "<Response><Errors><Error><Code>ExpiredToken</Code><Message>old</Message></Error>"
	                  "</Errors></Response>";

	fx_init(&x);
	T_OK(fx_start(&x));
	aws_fake_push_status(x.f, 400, NULL, exp);
	aws_fake_push_status(x.f, 400, NULL, exp);
	T_ASSERT_INT(aws_client_send(x.c, &req, &x.resp, &x.err), BASE_EAWS);
	T_ASSERT_STR(x.err.code, "ExpiredToken");
	T_ASSERT_INT(aws_fake_count(x.f), 2);
	fx_end(&x);
}

struct bg_send {
	aws_client *c;
	aws_request req;
	int rc;
	aws_error err;
};

static void *bg_send_main(void *arg)
{
	struct bg_send *b = arg;
	aws_response resp;
	aws_response_init(&resp);
	b->rc = aws_client_send(b->c, &b->req, &resp, &b->err);
	aws_response_dispose(&resp);
	return NULL;
}

void test_aws_client__cancel_in_flight_and_later(void)
{
	struct fx x;
	aws_fake_reply slow;
	struct bg_send b;
	pthread_t th;
	uint64_t t0;

	fx_init(&x);
	T_OK(aws_client_new(&x.c, &x.cfg, &x.err));
	memset(&slow, 0, sizeof slow);
	slow.status = 200;
	slow.delay_ms = 10000;
	aws_fake_push(x.f, &slow);
	memset(&b, 0, sizeof b);
	b.c = x.c;
	b.req = form_req("Action=DescribeRegions&Version=2016-11-15");
	t0 = now_ms();
	T_ASSERT(pthread_create(&th, NULL, bg_send_main, &b) == 0);
	while (aws_fake_count(x.f) == 0 && now_ms() - t0 < 2000)
		usleep(1000);
	T_ASSERT(!aws_client_cancelled(x.c));
	aws_client_cancel(x.c);
	pthread_join(th, NULL);
	T_ASSERT_INT(b.rc, BASE_ECANCELLED);
	T_ASSERT_STR(b.err.code, "RequestCanceled");
	T_ASSERT_MSG(now_ms() - t0 < 2000, "cancel took %llu ms", (unsigned long long)(now_ms() - t0));
	T_ASSERT(aws_client_cancelled(x.c));
	/* later sends and sleeps fail at once without touching the network */
	T_ASSERT_INT(aws_client_send(x.c, &b.req, &x.resp, &x.err), BASE_ECANCELLED);
	T_ASSERT_INT(aws_fake_count(x.f), 1);
	T_ASSERT_INT(aws_client_sleep_ms(x.c, 5000), BASE_ECANCELLED);
	fx_end(&x);
}

struct sleeper {
	aws_client *c;
	int rc;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	s->rc = aws_client_sleep_ms(s->c, 10000);
	return NULL;
}

void test_aws_client__sleep_wakes_on_cancel(void)
{
	struct fx x;
	struct sleeper s;
	pthread_t th;
	uint64_t t0;

	fx_init(&x);
	T_OK(aws_client_new(&x.c, &x.cfg, &x.err));
	t0 = now_ms();
	T_OK(aws_client_sleep_ms(x.c, 20));
	T_ASSERT(now_ms() - t0 >= 19);
	s.c = x.c;
	s.rc = 1;
	T_ASSERT(pthread_create(&th, NULL, sleeper_main, &s) == 0);
	usleep(30000);
	aws_client_cancel(x.c);
	pthread_join(th, NULL);
	T_ASSERT_INT(s.rc, BASE_ECANCELLED);
	T_ASSERT(now_ms() - t0 < 2000);
	fx_end(&x);
}

struct hammer {
	aws_client *c;
	int failures;
};

static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	/* a write: identical concurrent reads would share one call (aws_memo.c) */
	aws_request req =
	        aws_test_form_req(AWS_SVC_EC2, "CreateTags", "Action=CreateTags&Version=2016-11-15");
	aws_response resp;
	aws_error err;
	int i;
	aws_response_init(&resp);
	for (i = 0; i < 25; i++)
		if (aws_client_send(h->c, &req, &resp, &err) != BASE_OK || resp.status != 200)
			h->failures++;
	aws_response_dispose(&resp);
	return NULL;
}

void test_aws_client__many_threads_share_one_client(void)
{
	struct fx x;
	aws_fake_reply ok;
	struct hammer hs[8];
	pthread_t th[8];
	int i, fails = 0;

	fx_init(&x);
	x.cfg.token = "TOK";
	T_OK(aws_client_new(&x.c, &x.cfg, &x.err));
	memset(&ok, 0, sizeof ok);
	ok.status = 200;
	ok.body = "<ok/>";
	aws_fake_set_default(x.f, &ok);
	for (i = 0; i < 8; i++) {
		hs[i].c = x.c;
		hs[i].failures = 0;
		T_ASSERT(pthread_create(&th[i], NULL, hammer_main, &hs[i]) == 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		fails += hs[i].failures;
	}
	T_ASSERT_INT(fails, 0);
	T_ASSERT_INT(aws_fake_count(x.f), 200);
	fx_end(&x);
}

/* A TRACE log of a run (success, retry, failure) never contains the secret
 * key, the session token or a signature. */
void test_aws_client__log_never_contains_secrets(void)
{
	aws_fake *f = aws_fake_new();
	aws_client_config cfg;
	aws_client *c = NULL;
	aws_error err;
	aws_response resp;
	aws_request req = form_req("Action=DescribeRegions&Version=2016-11-15");
	char path[] = "/tmp/aws_client_log.XXXXXX";
	char auth[512];
	const char *sig;
	char *log;
	size_t i, n;
	int fd;

	clean_env();
	fd = mkstemp(path);
	T_ASSERT(fd >= 0);
	aws_test_log_begin(fd);
	base_cfg(&cfg, f);
	cfg.secret_key = "TOPSECRETKEYVALUE123";
	cfg.token = "SESSIONTOKENVALUE456";
	T_OK(aws_client_new(&c, &cfg, &err));
	fast_retries(c);
	aws_fake_push_status(f, 500, NULL, "oops");
	aws_fake_push_status(f, 200, "x-amzn-RequestId: req-77\n", "<ok/>");
	aws_fake_push_status(
	        f, 403, NULL,
	        "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message></Error>"
	        "</ErrorResponse>");
	aws_response_init(&resp);
	T_OK(aws_client_send(c, &req, &resp, &err));
	T_ASSERT_INT(aws_client_send(c, &req, &resp, &err), BASE_EAWS);
	aws_response_dispose(&resp);
	aws_client_free(c);
	log = aws_test_log_end(fd, path, &n);
	T_ASSERT(log != NULL);
	T_ASSERT_MSG(strstr(log, "aws request") != NULL, "log: %s", log);
	T_ASSERT(strstr(log, "req-77") != NULL);
	T_ASSERT(strstr(log, "TOPSECRETKEYVALUE123") == NULL);
	T_ASSERT(strstr(log, "SESSIONTOKENVALUE456") == NULL);
	T_ASSERT(strstr(log, "Authorization") == NULL);
	for (i = 0; i < aws_fake_count(f); i++) {
		T_ASSERT(aws_fake_request_header(f, i, "Authorization", auth, sizeof auth));
		sig = strstr(auth, "Signature=");
		T_ASSERT(sig != NULL);
		T_ASSERT_MSG(strstr(log, sig + 10) == NULL, "signature leaked into the log");
	}
	base_free(log);
	aws_fake_free(f);
}

/* ---- against moto over the HTTP transport ---- */

static aws_client *moto_client(const char *url, aws_error *err)
{
	aws_client_config cfg;
	aws_client *c = NULL;
	int i;
	aws_global_init(); /* as main() does, before threads use the transport */
	memset(&cfg, 0, sizeof cfg);
	cfg.region = "us-east-1";
	cfg.access_key = "AKIDMOTO";
	cfg.secret_key = "moto-secret";
	cfg.max_retries = -1;
	for (i = 0; i < AWS_SVC_COUNT; i++)
		cfg.endpoints[i] = url;
	if (aws_client_new(&c, &cfg, err) != BASE_OK)
		return NULL;
	return c;
}

void test_aws_client__moto_signed_calls(void)
{
	const char *url;
	aws_client *c;
	aws_error err;
	aws_response resp;
	aws_request req;

	clean_env();
	url = aws_moto_url();
	if (!url) {
		printf("SKIP test_aws_client__moto_signed_calls: moto_server not available\n");
		return;
	}
	c = moto_client(url, &err);
	T_ASSERT_MSG(c != NULL, "client: %s", err.message);
	aws_response_init(&resp);

	req = aws_test_caller_identity_req();
	T_OK(aws_client_send(c, &req, &resp, &err));
	T_ASSERT_INT(resp.status, 200);
	T_ASSERT_MSG(strstr(base_buf_cstr(&resp.body), "GetCallerIdentityResult") != NULL, "%s",
	             base_buf_cstr(&resp.body));

	req.service = AWS_SVC_EC2;
	req.op = "DescribeSubnets";
	req.body = "Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-00000000";
	req.body_len = strlen(req.body);
	T_ASSERT_INT(aws_client_send(c, &req, &resp, &err), BASE_EAWS);
	T_ASSERT_STR(err.code, "InvalidSubnetID.NotFound");

	req.service = AWS_SVC_IAM;
	req.op = "ListRoles";
	req.body = "Action=ListRoles&Version=2010-05-08";
	req.body_len = strlen(req.body);
	T_OK(aws_client_send(c, &req, &resp, &err));
	T_ASSERT(strstr(base_buf_cstr(&resp.body), "ListRolesResult") != NULL);

	memset(&req, 0, sizeof req);
	req.service = AWS_SVC_LAMBDA;
	req.op = "ListFunctions";
	req.method = "GET";
	req.path = "/2015-03-31/functions/";
	T_OK(aws_client_send(c, &req, &resp, &err));
	T_ASSERT_MSG(strstr(base_buf_cstr(&resp.body), "Functions") != NULL, "%s", base_buf_cstr(&resp.body));

	req.op = "GetFunction";
	req.path = "/2015-03-31/functions/does-not-exist";
	T_ASSERT_INT(aws_client_send(c, &req, &resp, &err), BASE_EAWS);
	T_ASSERT_STR(err.code, "ResourceNotFoundException");
	T_ASSERT_INT(err.http_status, 404);
	aws_response_dispose(&resp);
	aws_client_free(c);
}

struct moto_worker {
	aws_client *c;
	int failures;
};

static void *moto_worker_main(void *arg)
{
	struct moto_worker *w = arg;
	aws_request req;
	aws_response resp;
	aws_error err;
	int i;
	req = aws_test_caller_identity_req();
	aws_response_init(&resp);
	for (i = 0; i < 5; i++)
		if (aws_client_send(w->c, &req, &resp, &err) != BASE_OK || resp.status != 200)
			w->failures++;
	aws_response_dispose(&resp);
	return NULL;
}

void test_aws_client__moto_concurrent_transport(void)
{
	const char *url;
	aws_client *c;
	aws_error err;
	struct moto_worker w[4];
	pthread_t th[4];
	int i, fails = 0;

	clean_env();
	url = aws_moto_url();
	if (!url) {
		printf("SKIP test_aws_client__moto_concurrent_transport: moto_server not available\n");
		return;
	}
	c = moto_client(url, &err);
	T_ASSERT_MSG(c != NULL, "client: %s", err.message);
	for (i = 0; i < 4; i++) {
		w[i].c = c;
		w[i].failures = 0;
		T_ASSERT(pthread_create(&th[i], NULL, moto_worker_main, &w[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		fails += w[i].failures;
	}
	T_ASSERT_INT(fails, 0);
	aws_client_free(c);
}

/* ---- configure-time identity check, account guards, profile settings ---- */

#define IDENTITY_XML                                                                                         \
	"<GetCallerIdentityResponse "                                                                        \
	"xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"                      \
	"<Arn>arn:aws:iam::123456789012:user/moto</Arn><UserId>AKIDTEST</UserId><Account>123456789012</"     \
	"Account>"                                                                                           \
	"</GetCallerIdentityResult></GetCallerIdentityResponse>"
#define BAD_KEYS_XML                                                                                         \
	"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security "   \
	"token "                                                                                             \
	"included in the request is invalid.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"

void test_aws_client__identity_checked_once_at_new(void)
{
	struct fx x;
	base_arena *a = base_arena_new();
	aws_sts_identity id;
	fx_init(&x);
	x.cfg.skip_credentials_validation = false;
	x.cfg.endpoints[AWS_SVC_STS] = "http://127.0.0.1:9";
	aws_fake_push_status(x.f, 200, "Content-Type: text/xml\n", IDENTITY_XML);
	T_ASSERT_MSG(fx_start(&x) == BASE_OK, "%s", x.err.message);
	T_ASSERT_INT(aws_fake_count(x.f), 1);
	T_ASSERT_STR(aws_fake_request_at(x.f, 0)->url, "http://127.0.0.1:9/");
	T_ASSERT_STR(aws_fake_request_at(x.f, 0)->body, "Action=GetCallerIdentity&Version=2011-06-15");
	T_ASSERT_STR(aws_client_account_id(x.c), "123456789012");
	/* the account is reused: no second call */
	T_OK(aws_sts_get_caller_identity(x.c, a, &id, &x.err));
	T_ASSERT_STR(id.account, "123456789012");
	T_ASSERT_STR(id.arn, "arn:aws:iam::123456789012:user/moto");
	T_ASSERT_INT(aws_fake_count(x.f), 1);
	fx_end(&x);
	base_arena_free(a);
}

void test_aws_client__wrong_keys_fail_at_new_naming_the_source(void)
{
	struct fx x;
	fx_init(&x);
	x.cfg.skip_credentials_validation = false;
	aws_fake_push_status(x.f, 403, "Content-Type: text/xml\n", BAD_KEYS_XML);
	T_ASSERT_INT(fx_start(&x), BASE_EAWS);
	T_ASSERT(x.c == NULL);
	T_ASSERT_INT(aws_fake_count(x.f), 1); /* one call, not retried */
	T_ASSERT_STR(x.err.code, "InvalidClientTokenId");
	T_ASSERT_STR(x.err.message,
	             "the credentials from provider block (access_key/secret_key) were refused by STS "
	             "GetCallerIdentity: The security token included in the request is invalid.");
	fx_end(&x);
}

void test_aws_client__account_guards(void)
{
	static const char *const other[] = {"111111111111"};
	static const char *const mine[] = {"999999999999", "123456789012"};
	struct fx x;
	fx_init(&x);
	/* allowed list without the account; checked even with validation skipped */
	x.cfg.allowed_account_ids = other;
	x.cfg.n_allowed_account_ids = 1;
	aws_fake_push_status(x.f, 200, NULL, IDENTITY_XML);
	T_ASSERT_INT(fx_start(&x), BASE_EINVALID);
	T_ASSERT_STR(x.err.code, "AccountNotAllowed");
	T_ASSERT_STR(x.err.message, "AWS account ID not allowed: 123456789012");
	/* allowed list with it */
	x.cfg.allowed_account_ids = mine;
	x.cfg.n_allowed_account_ids = 2;
	aws_fake_push_status(x.f, 200, NULL, IDENTITY_XML);
	T_OK(fx_start(&x));
	aws_client_free(x.c);
	x.c = NULL;
	/* forbidden list with it */
	x.cfg.n_allowed_account_ids = 0;
	x.cfg.forbidden_account_ids = mine;
	x.cfg.n_forbidden_account_ids = 2;
	aws_fake_push_status(x.f, 200, NULL, IDENTITY_XML);
	T_ASSERT_INT(fx_start(&x), BASE_EINVALID);
	T_ASSERT_STR(x.err.message, "AWS account ID not allowed: 123456789012");
	/* forbidden list without it */
	x.cfg.forbidden_account_ids = other;
	x.cfg.n_forbidden_account_ids = 1;
	aws_fake_push_status(x.f, 200, NULL, IDENTITY_XML);
	T_OK(fx_start(&x));
	T_ASSERT_INT(aws_fake_count(x.f), 4);
	fx_end(&x);
}

void test_aws_client__profile_endpoints_region_and_errors(void)
{
	struct fx x;
	char path[256];
	const char *files[1];
	fx_init(&x);
	snprintf(path, sizeof path, "%s/client_config", getenv("HOME"));
	write_file(path, "[profile local]\nregion = ap-south-1\nservices = moto\nendpoint_url = "
	                 "http://127.0.0.1:7000\n"
	                 "[services moto]\nlambda =\n  endpoint_url = http://127.0.0.1:7001/\n"
	                 "[profile bare]\n");
	files[0] = path;
	x.cfg.shared_config_files = files;
	x.cfg.n_shared_config_files = 1;
	x.cfg.profile = "local";
	x.cfg.region = NULL;
	x.cfg.endpoints[AWS_SVC_EC2] = NULL;
	T_OK(fx_start(&x));
	T_ASSERT_STR(aws_client_region(x.c), "ap-south-1");
	T_ASSERT_STR(aws_client__endpoint(x.c, AWS_SVC_LAMBDA), "http://127.0.0.1:7001");
	T_ASSERT_STR(aws_client__endpoint(x.c, AWS_SVC_EC2), "http://127.0.0.1:7000");
	aws_client_free(x.c);
	x.c = NULL;
	/* ignore_configured_endpoint_urls */
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	T_OK(fx_start(&x));
	T_ASSERT_STR(aws_client__endpoint(x.c, AWS_SVC_EC2), "https://ec2.ap-south-1.amazonaws.com");
	aws_client_free(x.c);
	x.c = NULL;
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	/* a bad URL in the profile names where it came from */
	write_file(path, "[profile local]\nregion = ap-south-1\nendpoint_url = ftp://x\n");
	T_ASSERT_INT(fx_start(&x), BASE_EINVALID);
	T_ASSERT_STR(x.err.message, "endpoint_url of profile \"local\": endpoint URL for ec2 must be "
	                            "http(s)://host[:port][/path], got \"ftp://x\"");
	/* a missing profile is named, not "no region" */
	x.cfg.profile = "missing";
	T_ASSERT_INT(fx_start(&x), BASE_EINVALID);
	T_ASSERT_MSG(strstr(x.err.message, "profile \"missing\" not found in ") != NULL, "%s", x.err.message);
	/* no region anywhere: IMDS is asked last (a fake on 127.0.0.1 through the transport) */
	write_file(path, "[profile bare]\n");
	x.cfg.profile = "bare";
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9", 1);
	aws_fake_push_status(x.f, 200, NULL, "TOKEN");
	aws_fake_push_status(x.f, 200, NULL, "sa-east-1");
	T_ASSERT_MSG(fx_start(&x) == BASE_OK, "%s", x.err.message);
	T_ASSERT_STR(aws_client_region(x.c), "sa-east-1");
	T_ASSERT_STR(aws_fake_request_at(x.f, 1)->url,
	             "http://127.0.0.1:9/latest/meta-data/placement/region");
	fx_end(&x);
	clean_env();
}

void test_aws_client__default_attempts_and_overrides(void)
{
	struct fx x;
	fx_init(&x);
	T_OK(aws_client_new(&x.c, &x.cfg, &x.err));
	T_ASSERT_INT(aws_client__max_attempts(x.c), 25); /* hashicorp/aws's budget */
	aws_client_free(x.c);
	setenv("AWS_MAX_ATTEMPTS", "4", 1);
	T_OK(aws_client_new(&x.c, &x.cfg, &x.err));
	T_ASSERT_INT(aws_client__max_attempts(x.c), 4);
	aws_client_free(x.c);
	x.cfg.max_retries = 0; /* the provider's max_retries wins over the variable */
	T_OK(aws_client_new(&x.c, &x.cfg, &x.err));
	T_ASSERT_INT(aws_client__max_attempts(x.c), 1);
	unsetenv("AWS_MAX_ATTEMPTS");
	fx_end(&x);
}

/* A client whose limiter is on (first throttle seen) and whose next
 * attempt therefore waits for a token; that wait ends on cancel. */
void test_aws_client__rate_limit_engages_and_cancels(void)
{
	struct fx x;
	aws_retry_policy p;
	aws_retry_rate r;
	struct bg_send b;
	pthread_t th;
	aws_request req = form_req("Action=DescribeRegions&Version=2016-11-15");
	const char *thr = "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow</Message>"
	                  "</Error></Errors><RequestID>r-1</RequestID></Response>";

	fx_init(&x);
	T_OK(aws_client_new(&x.c, &x.cfg, &x.err));
	aws_retry_policy_default(&p);
	p.max_attempts = 1;
	aws_client__set_retry_policy(x.c, &p);
	aws_client__rate_state(x.c, &r);
	T_ASSERT(!r.enabled);
	aws_fake_push_status(x.f, 503, "Content-Type: text/xml\n", thr);
	T_ASSERT_INT(aws_client_send(x.c, &req, &x.resp, &x.err), BASE_ETHROTTLED);
	aws_client__rate_state(x.c, &r);
	T_ASSERT(r.enabled);
	/* one send measured over at most one half-second bucket: <= 2/s, so the
	 * fill rate is 0.7 x that (or the 0.5/s floor) and no token is ready */
	T_ASSERT(r.fill_rate >= 0.5 && r.fill_rate <= 1.4);
	T_ASSERT(r.capacity < 1.0);
	/* the next send reserves a token >= 0.7 s away and waits for it */
	aws_fake_push_status(x.f, 200, NULL, "<ok/>");
	memset(&b, 0, sizeof b);
	b.c = x.c;
	b.req = req;
	T_ASSERT(pthread_create(&th, NULL, bg_send_main, &b) == 0);
	usleep(100000);
	aws_client_cancel(x.c);
	pthread_join(th, NULL);
	T_ASSERT_INT(b.rc, BASE_ECANCELLED);
	T_ASSERT_STR(b.err.code, "RequestCanceled");
	/* the wait was interrupted: no attempt went out after the throttle */
	T_ASSERT_INT(aws_fake_count(x.f), 1);
	fx_end(&x);
}

/* ---- the operation deadline (aws_deadline.h) ---- */

static void set_deadline_in(uint64_t ms)
{
	aws_deadline d = {aws_deadline_now_ms() + ms, "the create timeout of 20s (timeouts.create)"};
	aws_deadline_set(&d);
}

void test_aws_client__deadline_bounds_each_attempt(void)
{
	struct fx x;
	aws_request req = form_req("Action=DescribeRegions&Version=2016-11-15");
	fx_init(&x);
	T_OK(fx_start(&x));
	aws_fake_push_status(x.f, 200, NULL, "<ok/>");
	set_deadline_in(5000);
	T_OK(aws_client_send(x.c, &req, &x.resp, &x.err));
	aws_deadline_set(NULL);
	const aws_fake_request *r = aws_fake_request_at(x.f, 0);
	T_ASSERT(r->timeout_ms > 0 && r->timeout_ms <= 5000);
	T_ASSERT(r->connect_timeout_ms > 0 && r->connect_timeout_ms <= 5000);
	/* without a deadline: the transport's own limits */
	aws_fake_push_status(x.f, 200, NULL, "<ok/>");
	T_OK(aws_client_send(x.c, &req, &x.resp, &x.err));
	T_ASSERT_INT(aws_fake_request_at(x.f, 1)->timeout_ms, AWS_HTTP_DEFAULT_TIMEOUT_MS);
	T_ASSERT_INT(aws_fake_request_at(x.f, 1)->connect_timeout_ms, AWS_HTTP_DEFAULT_CONNECT_TIMEOUT_MS);
	fx_end(&x);
}

void test_aws_client__deadline_passed_sends_nothing(void)
{
	struct fx x;
	aws_request req = form_req("Action=DescribeRegions&Version=2016-11-15");
	fx_init(&x);
	T_OK(fx_start(&x));
	aws_deadline d = {1, "the delete timeout of 10s (timeouts.delete)"}; /* long past */
	aws_deadline_set(&d);
	T_ASSERT_INT(aws_client_send(x.c, &req, &x.resp, &x.err), BASE_ETIMEOUT);
	aws_deadline_set(NULL);
	T_ASSERT_INT(aws_fake_count(x.f), 0);
	T_ASSERT_STR(x.err.code, "OperationTimeout");
	T_ASSERT(strstr(x.err.message, "DescribeRegions") != NULL);
	T_ASSERT(strstr(x.err.message, "no result within the delete timeout of 10s (timeouts.delete)") !=
	         NULL);
	fx_end(&x);
}

void test_aws_client__deadline_stops_a_silent_peer(void)
{
	struct fx x;
	aws_request req = form_req("Action=DescribeRegions&Version=2016-11-15");
	aws_fake_reply silent = failure_reply(AWS_HTTP_ETIMEOUT, false);
	silent.delay_ms = 200; /* stands for the transport timeout firing at the deadline */
	fx_init(&x);
	T_OK(fx_start(&x));
	aws_fake_set_default(x.f, &silent);
	set_deadline_in(150);
	T_ASSERT_INT(aws_client_send(x.c, &req, &x.resp, &x.err), BASE_ETIMEOUT);
	aws_deadline_set(NULL);
	T_ASSERT_INT(aws_fake_count(x.f), 1); /* not retried past the deadline */
	T_ASSERT_STR(x.err.code, "OperationTimeout");
	T_ASSERT(strstr(x.err.message, "the create timeout of 20s (timeouts.create)") != NULL);
	T_ASSERT(strstr(x.err.message, "last error: RequestTimeout") != NULL);
	fx_end(&x);
}

void test_aws_client__deadline_no_backoff_past_it(void)
{
	struct fx x;
	aws_request req = form_req("Action=DescribeRegions&Version=2016-11-15");
	fx_init(&x);
	T_OK(fx_start(&x));
	/* the server asks for 10 s; only 2 s are left: fail now, do not sleep */
	aws_fake_push_status(x.f, 503, "Retry-After: 10\n", "<html>busy</html>");
	aws_fake_push_status(x.f, 200, NULL, "<ok/>");
	set_deadline_in(2000);
	uint64_t t0 = aws_deadline_now_ms();
	T_ASSERT_INT(aws_client_send(x.c, &req, &x.resp, &x.err), BASE_ETIMEOUT);
	uint64_t took = aws_deadline_now_ms() - t0;
	aws_deadline_set(NULL);
	T_ASSERT(took < 1900); /* bounded ceiling: it did not sleep to the deadline */
	T_ASSERT_INT(aws_fake_count(x.f), 1);
	T_ASSERT_STR(x.err.code, "OperationTimeout");
	T_ASSERT(strstr(x.err.message, "last error:") != NULL);
	fx_end(&x);
}
