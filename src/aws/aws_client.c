/*
 * aws_client.c - region and endpoint resolution, SigV4 signing, the retry
 * loop and cancellation around one aws_transport.
 *
 * Thread-safety: after aws_client_new the configuration is read-only. The
 * mutable parts are the retry quota, the adaptive rate limiter (one per
 * client: the provider makes one client per process, so every operation of
 * the process shares it) and the jitter RNG (under `mu`), the
 * credential cache (inside aws_creds_provider, its own lock) and the
 * cancel flag (atomic, with a condition variable to wake sleepers).
 */
#include "aws/aws_client.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/aws_creds.h"
#include "aws/aws_crypto.h"
#include "aws/aws_deadline.h"
#include "aws/aws_endpoint.h"
#include "aws/aws_http.h"
#include "aws/aws_int.h"
#include "aws/aws_retry.h"
#include "aws/aws_sigv4.h"
#include "base/base_alloc.h"
#include "base/base_log.h"
#include "base/base_str.h"
#include "version.h" /* generated: LAMBDAVPC_VERSION for AWS_USER_AGENT */

#define DEFAULT_BUDGET_MS 300000u
#define DEFAULT_MAX_RESPONSE (64u * 1024u * 1024u)

/* Per-service constants: signing name, endpoint key (aws_endpoint.h). */
static const struct svc_info {
	const char *signing_name;
	const char *key; /* AWS_ENDPOINT_URL_<KEY>, the services section key */
	bool global;     /* IAM: one global endpoint, fixed signing region */
} svc_info[AWS_SVC_COUNT] = {
        [AWS_SVC_EC2] = {"ec2", "ec2", false},
        [AWS_SVC_IAM] = {"iam", "iam", true},
        [AWS_SVC_STS] = {"sts", "sts", false},
        [AWS_SVC_LAMBDA] = {"lambda", "lambda", false},
};

struct aws_client {
	char *region;
	char *endpoint[AWS_SVC_COUNT]; /* scheme://authority[/prefix], no trailing '/' */
	char *sign_region[AWS_SVC_COUNT];
	char *ca_bundle;
	const aws_transport *tr;
	void *tr_ctx;
	aws_http_pool *pool; /* owned when tr is aws_http_transport */
	aws_creds_provider *creds;
	aws_retry_policy policy;
	size_t max_response;

	pthread_mutex_t mu; /* quota, rng, cv */
	pthread_cond_t cv;
	aws_retry_quota quota;
	aws_retry_rate rate;
	uint64_t rng;
	atomic_bool cancelled;
	char *account_id, *caller_arn, *caller_user_id; /* from GetCallerIdentity; set once, under mu */
	aws_memo *memo;                                 /* shared reads and account facts (aws_memo.c) */
};

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static bool nonempty(const char *s)
{
	return s && *s;
}

/* Uniform double in [0,1) from the client's xorshift64* generator. */
static double next_rand01(aws_client *c)
{
	uint64_t x;
	pthread_mutex_lock(&c->mu);
	x = c->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	pthread_mutex_unlock(&c->mu);
	return (double)((x * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static bool region_ok(const char *r)
{
	const char *p;
	if (!nonempty(r) || strlen(r) > 64)
		return false;
	for (p = r; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

/* Copy of a base URL without trailing slashes. */
static char *trim_url(const char *u)
{
	size_t n = strlen(u);
	while (n > 0 && u[n - 1] == '/')
		n--;
	return base_xstrndup(u, n);
}

/* ------------------------------------------------------------------ */
/* lifecycle                                                            */

void aws_response_init(aws_response *r)
{
	memset(r, 0, sizeof *r);
	base_buf_init(&r->body, 0);
}

void aws_response_dispose(aws_response *r)
{
	if (!r)
		return;
	aws__response_unshare(r);
	base_buf_dispose(&r->body);
	r->status = 0;
	r->request_id[0] = '\0';
}

void aws_global_init(void)
{
	aws_crypto_global_init();
	/* nothing else: the HTTP client needs no global set-up */
}

static void client_free(aws_client *c)
{
	int i;
	aws_creds_provider_free(c->creds);
	aws_http_pool_free(c->pool);
	aws__memo_free(c->memo);
	for (i = 0; i < AWS_SVC_COUNT; i++) {
		base_free(c->endpoint[i]);
		base_free(c->sign_region[i]);
	}
	base_free(c->region);
	base_free(c->ca_bundle);
	base_free(c->account_id);
	base_free(c->caller_arn);
	base_free(c->caller_user_id);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	base_free(c);
}

void aws_client_free(aws_client *c)
{
	if (c)
		client_free(c);
}

/* The default base URL of a service in c->region. */
static char *default_endpoint(const aws_client *c, const struct svc_info *si)
{
	const char *suffix = strncmp(c->region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
	if (!si->global)
		return base_xasprintf("https://%s.%s.%s", si->signing_name, c->region, suffix);
	if (strncmp(c->region, "cn-", 3) == 0)
		return base_xasprintf("https://iam.cn-north-1.%s", suffix);
	if (strncmp(c->region, "us-gov-", 7) == 0)
		return base_xstrdup("https://iam.us-gov.amazonaws.com");
	return base_xstrdup("https://iam.amazonaws.com");
}

/* IAM signs with its partition's home region (AWS.md 1.1). */
static char *sign_region_of(const aws_client *c, const struct svc_info *si)
{
	if (!si->global)
		return base_xstrdup(c->region);
	if (strncmp(c->region, "cn-", 3) == 0)
		return base_xstrdup("cn-north-1");
	if (strncmp(c->region, "us-gov-", 7) == 0)
		return base_xstrdup("us-gov-west-1");
	return base_xstrdup("us-east-1");
}

/* Endpoints in the SDKs' order (aws_endpoint.h). */
static int resolve_endpoints(aws_client *c, const aws_client_config *cfg, const aws_profile_settings *ps,
                             aws_error *err)
{
	for (int i = 0; i < AWS_SVC_COUNT; i++) {
		const struct svc_info *si = &svc_info[i];
		aws_endpoint_query q = {si->key, cfg->endpoints[i], ps};
		char origin[128];
		const char *url = aws_endpoint_configured(&q, origin);
		if (url && !aws_endpoint_url_ok(url)) {
			aws_error_setf(
			        err, 0, "InvalidEndpoint",
			        "%s: endpoint URL for %s must be http(s)://host[:port][/path], got \"%s\"",
			        origin, si->signing_name, url);
			return BASE_EINVALID;
		}
		c->endpoint[i] = url ? trim_url(url) : default_endpoint(c, si);
		c->sign_region[i] = sign_region_of(c, si);
		if (url)
			base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws endpoint", "service",
			            si->signing_name, "url", c->endpoint[i], "from", origin, NULL);
	}
	return BASE_OK;
}

static int send_inner(aws_client *c, const aws_request *req, const aws_creds *fixed, bool unsigned_req,
                      aws_response *resp, aws_error *err);

void aws__form_request(aws_request *req, aws_service svc, const char *op, const char *body, size_t len)
{
	memset(req, 0, sizeof *req);
	req->service = svc;
	req->op = op;
	req->method = "POST";
	req->path = "/";
	req->body = body;
	req->body_len = len;
	req->content_type = AWS__FORM_CONTENT_TYPE;
}

/* aws_creds_hooks.sts: an STS query call signed with explicit credentials. */
static int creds_sts(void *ctx, const aws_creds *creds, const char *op, const char *body, size_t len,
                     base_buf *resp_body, aws_error *err)
{
	aws_client *c = ctx;
	aws_request req;
	aws_response resp;
	int rc;
	aws__form_request(&req, AWS_SVC_STS, op, body, len);
	aws_response_init(&resp);
	rc = send_inner(c, &req, creds, creds == NULL, &resp, err);
	if (rc == BASE_OK) {
		base_buf_reset(resp_body);
		rc = base_buf_append(resp_body, resp.body.data ? resp.body.data : "", resp.body.len);
	}
	aws_response_dispose(&resp);
	return rc;
}

static bool client_is_cancelled(void *ctx)
{
	return aws_client_cancelled(ctx);
}

/* Allocates c with its lock, RNG, quota and retry policy. */
static int client_alloc(aws_client **out, const aws_client_config *cfg, aws_error *err)
{
	aws_client *c = base_xcalloc(1, sizeof *c);
	pthread_condattr_t ca;
	const char *ma;
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&c->cancelled, false);
	c->memo = aws__memo_new();
	aws_retry_quota_init(&c->quota, 500);
	aws_retry_rate_init(&c->rate, mono_s());
	if (aws_crypto_random(&c->rng, sizeof c->rng) != BASE_OK || c->rng == 0)
		c->rng = (uint64_t)time(NULL) * 6364136223846793005ull + (uint64_t)(uintptr_t)c;
	if (c->rng == 0)
		c->rng = 88172645463325252ull;
	c->max_response = DEFAULT_MAX_RESPONSE;
	c->ca_bundle = base_xstrdup(env_nonempty("AWS_CA_BUNDLE"));
	*out = c;
	/* retry policy: adaptive mode with hashicorp/aws's 25 attempts;
	 * max_retries from config or AWS_MAX_ATTEMPTS override the attempts */
	aws_retry_policy_default(&c->policy);
	c->policy.budget_ms = DEFAULT_BUDGET_MS;
	c->policy.max_attempts = AWS_RETRY_DEFAULT_MAX_ATTEMPTS;
	if (cfg->max_retries >= 0) {
		c->policy.max_attempts = cfg->max_retries + 1;
	} else if ((ma = env_nonempty("AWS_MAX_ATTEMPTS")) != NULL) {
		int64_t v;
		if (base_str_to_i64(ma, &v) != BASE_OK || v < 1 || v > 100) {
			aws_error_setf(err, 0, "InvalidConfiguration",
			               "AWS_MAX_ATTEMPTS must be 1..100, got \"%s\"", ma);
			return BASE_EINVALID;
		}
		c->policy.max_attempts = (int)v;
	}
	return BASE_OK;
}

static void creds_config_of(const aws_client *c, const aws_client_config *cfg, aws_creds_config *cc)
{
	memset(cc, 0, sizeof *cc);
	cc->profile = cfg->profile;
	cc->access_key = cfg->access_key;
	cc->secret_key = cfg->secret_key;
	cc->token = cfg->token;
	cc->config_files = cfg->shared_config_files;
	cc->n_config_files = cfg->n_shared_config_files;
	cc->credentials_files = cfg->shared_credentials_files;
	cc->n_credentials_files = cfg->n_shared_credentials_files;
	cc->assume_role_arn = cfg->assume_role_arn;
	cc->assume_role_session_name = cfg->assume_role_session_name;
	cc->assume_role_external_id = cfg->assume_role_external_id;
	cc->ca_bundle = c->ca_bundle;
	cc->process_timeout_ms = cfg->credential_process_timeout_ms;
}

static void hooks_of(aws_client *c, aws_creds_hooks *hooks)
{
	memset(hooks, 0, sizeof *hooks);
	hooks->sts = creds_sts;
	hooks->transport = c->tr;
	hooks->transport_ctx = c->tr_ctx;
	hooks->is_cancelled = client_is_cancelled;
	hooks->ctx = c;
}

static int setup_transport(aws_client *c, const aws_client_config *cfg, aws_error *err)
{
	if (cfg->transport) {
		c->tr = cfg->transport;
		c->tr_ctx = cfg->transport_ctx;
		return BASE_OK;
	}
	if (aws_http_pool_new(&c->pool) != BASE_OK) {
		aws_error_setf(err, 0, "TransportError", "cannot initialise the HTTP client");
		return BASE_EINVALID;
	}
	c->tr = &aws_http_transport;
	c->tr_ctx = c->pool;
	return BASE_OK;
}

/* Region: provider block, AWS_REGION, AWS_DEFAULT_REGION, the profile's,
 * then the EC2 instance's (IMDS). */
static int resolve_region(aws_client *c, const aws_client_config *cfg, const aws_profile_settings *ps,
                          aws_error *err)
{
	const char *region = nonempty(cfg->region) ? cfg->region : env_nonempty("AWS_REGION");
	char *imds = NULL;
	aws_creds_hooks hooks;
	if (!region)
		region = env_nonempty("AWS_DEFAULT_REGION");
	if (!region)
		region = nonempty(ps->region) ? ps->region : NULL;
	if (!region) {
		aws_error err2;
		hooks_of(c, &hooks);
		aws_error_clear(&err2);
		if (aws_creds_imds_region(&hooks, c->ca_bundle, &imds, &err2) != BASE_OK)
			base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "no region from EC2 instance metadata",
			            "error", err2.message[0] ? err2.message : "disabled", NULL);
		region = imds;
	}
	if (!region) {
		aws_error_setf(
		        err, 0, "MissingRegion",
		        "no AWS region: set region in the provider block, AWS_REGION or AWS_DEFAULT_REGION, "
		        "or region in the shared config profile");
		return BASE_EINVALID;
	}
	if (!region_ok(region)) {
		aws_error_setf(err, 0, "InvalidRegion", "invalid AWS region \"%s\"", region);
		base_free(imds);
		return BASE_EINVALID;
	}
	c->region = base_xstrdup(region);
	base_free(imds);
	return BASE_OK;
}

int aws_client_new(aws_client **out, const aws_client_config *cfg, aws_error *err)
{
	aws_client *c = NULL;
	aws_creds_config cc;
	aws_creds_hooks hooks;
	aws_profile_settings ps;
	int rc;

	*out = NULL;
	aws_error_clear(err);
	memset(&ps, 0, sizeof ps);
	rc = client_alloc(&c, cfg, err);
	creds_config_of(c, cfg, &cc);
	if (rc == BASE_OK)
		rc = aws_creds_profile_settings(&cc, &ps, err);
	if (rc == BASE_OK)
		rc = setup_transport(c, cfg, err);
	if (rc == BASE_OK)
		rc = resolve_region(c, cfg, &ps, err);
	if (rc == BASE_OK)
		rc = resolve_endpoints(c, cfg, &ps, err);
	if (rc == BASE_OK) {
		hooks_of(c, &hooks);
		rc = aws_creds_provider_new(&c->creds, &cc, &hooks, err);
	}
	if (rc == BASE_OK &&
	    (!cfg->skip_credentials_validation || cfg->n_allowed_account_ids || cfg->n_forbidden_account_ids))
		rc = aws__client_check_identity(c, cfg, err);
	aws_profile_settings_dispose(&ps);
	if (rc != BASE_OK) {
		client_free(c);
		return rc;
	}
	*out = c;
	return BASE_OK;
}

const char *aws_client_region(const aws_client *c)
{
	return c->region;
}

int aws__client_credentials(aws_client *c, aws_creds *out, aws_error *err)
{
	return aws_creds_provider_get(c->creds, out, err);
}

void aws__client_set_identity(aws_client *c, const char *account, const char *arn, const char *user_id)
{
	pthread_mutex_lock(&c->mu);
	if (!c->account_id) {
		c->account_id = base_xstrdup(account);
		c->caller_arn = base_xstrdup(arn);
		c->caller_user_id = base_xstrdup(user_id);
	}
	pthread_mutex_unlock(&c->mu);
}

bool aws__client_identity(aws_client *c, base_arena *a, const char **account, const char **arn,
                          const char **user_id)
{
	bool have;
	pthread_mutex_lock(&c->mu);
	have = c->account_id != NULL;
	if (have) {
		*account = base_arena_strdup(a, c->account_id);
		*arn = c->caller_arn ? base_arena_strdup(a, c->caller_arn) : NULL;
		*user_id = c->caller_user_id ? base_arena_strdup(a, c->caller_user_id) : NULL;
	}
	pthread_mutex_unlock(&c->mu);
	return have;
}

const char *aws_client_account_id(aws_client *c)
{
	const char *id;
	pthread_mutex_lock(&c->mu);
	id = c->account_id;
	pthread_mutex_unlock(&c->mu);
	return id;
}

const char *aws_client__endpoint(const aws_client *c, aws_service svc)
{
	return c->endpoint[svc];
}

void aws_client__set_retry_policy(aws_client *c, const aws_retry_policy *p)
{
	c->policy = *p;
}

int aws_client__max_attempts(const aws_client *c)
{
	return c->policy.max_attempts;
}

void aws_client__rate_state(aws_client *c, aws_retry_rate *out)
{
	pthread_mutex_lock(&c->mu);
	*out = c->rate;
	pthread_mutex_unlock(&c->mu);
}

int aws_client__quota_available(aws_client *c)
{
	int v;
	pthread_mutex_lock(&c->mu);
	v = c->quota.available;
	pthread_mutex_unlock(&c->mu);
	return v;
}

/* ------------------------------------------------------------------ */
/* cancellation                                                         */

void aws_client_cancel(aws_client *c)
{
	atomic_store(&c->cancelled, true);
	pthread_mutex_lock(&c->mu);
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

bool aws_client_cancelled(const aws_client *c)
{
	return atomic_load(&((aws_client *)c)->cancelled);
}

int aws_client_sleep_ms(aws_client *c, unsigned ms)
{
	struct timespec dl;
	int rc = BASE_OK;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += ms / 1000;
	dl.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->mu);
	while (!atomic_load(&c->cancelled)) {
		int w = pthread_cond_timedwait(&c->cv, &c->mu, &dl);
		if (w == ETIMEDOUT)
			break;
	}
	if (atomic_load(&c->cancelled))
		rc = BASE_ECANCELLED;
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* ------------------------------------------------------------------ */
/* one signed exchange                                                  */

/* Splits a base URL into the part before the path and the path prefix. */
static void split_base(const char *base, const char **authority, size_t *alen, const char **prefix)
{
	const char *a = strstr(base, "://");
	const char *slash;
	a = a ? a + 3 : base;
	slash = strchr(a, '/');
	*authority = a;
	*alen = slash ? (size_t)(slash - a) : strlen(a);
	*prefix = slash ? slash : "";
}

static aws_retry_transport transport_kind(aws_http_failure f)
{
	switch (f) {
	case AWS_HTTP_OK:
		return AWS_RETRY_T_NONE;
	case AWS_HTTP_ECONNECT:
	case AWS_HTTP_ECONNECT_TIMEOUT:
		return AWS_RETRY_T_CONNECT;
	case AWS_HTTP_ETIMEOUT:
		return AWS_RETRY_T_TIMEOUT;
	case AWS_HTTP_ESEND:
	case AWS_HTTP_ERECV:
		return AWS_RETRY_T_IO;
	default:
		return AWS_RETRY_T_FATAL;
	}
}

static const char *failure_code(aws_http_failure f)
{
	switch (f) {
	case AWS_HTTP_ECONNECT:
		return "ConnectionError";
	case AWS_HTTP_ECONNECT_TIMEOUT:
		return "ConnectTimeout";
	case AWS_HTTP_ETIMEOUT:
		return "RequestTimeout";
	case AWS_HTTP_ESEND:
	case AWS_HTTP_ERECV:
		return "ConnectionError";
	case AWS_HTTP_ETLS:
		return "TLSError";
	case AWS_HTTP_ETOOBIG:
		return "ResponseTooLarge";
	case AWS_HTTP_ECANCELLED:
		return "RequestCanceled";
	default:
		return "TransportError";
	}
}

static bool is_expired_token(const char *code)
{
	return strcmp(code, "ExpiredToken") == 0 || strcmp(code, "ExpiredTokenException") == 0 ||
	       strcmp(code, "RequestExpired") == 0;
}

/* Builds, signs and sends one attempt. */
static int attempt_once(aws_client *c, const aws_request *req, const aws_creds *cr, const char *url,
                        const char *host, const char *sign_path, const aws_deadline_limits *lim,
                        aws_http_response *hr)
{
	aws_sigv4_header sh[2];
	aws_http_header hh[8];
	size_t nsh = 0, nh = 0;
	aws_sigv4_params sp;
	aws_sigv4_result sr;
	aws_http_request hreq;
	char amz[17];
	int rc;

	aws_sigv4_result_init(&sr);
	sh[nsh++] = (aws_sigv4_header){"Host", host};
	hh[nh++] = (aws_http_header){"Host", host};
	if (req->content_type) {
		sh[nsh++] = (aws_sigv4_header){"Content-Type", req->content_type};
		hh[nh++] = (aws_http_header){"Content-Type", req->content_type};
	}
	hh[nh++] = (aws_http_header){"User-Agent", AWS_USER_AGENT};
	if (cr) {
		memset(&sp, 0, sizeof sp);
		aws_sigv4_amz_date((int64_t)time(NULL), amz);
		sp.method = req->method;
		sp.path = sign_path;
		sp.query = req->query;
		sp.headers = sh;
		sp.n_headers = nsh;
		sp.body = req->body;
		sp.body_len = req->body_len;
		sp.region = c->sign_region[req->service];
		sp.service = svc_info[req->service].signing_name;
		sp.access_key = cr->access_key;
		sp.secret_key = cr->secret_key;
		sp.session_token = cr->token;
		sp.amz_date = amz;
		sp.normalize_path = true;
		sp.double_encode = true;
		rc = aws_sigv4_sign(&sp, &sr);
		if (rc != BASE_OK)
			goto done;
		hh[nh++] = (aws_http_header){"X-Amz-Date", amz};
		if (nonempty(cr->token))
			hh[nh++] = (aws_http_header){"X-Amz-Security-Token", cr->token};
		hh[nh++] = (aws_http_header){"Authorization", base_buf_cstr(&sr.authorization)};
	}
	memset(&hreq, 0, sizeof hreq);
	hreq.method = req->method;
	hreq.url = url;
	hreq.headers = hh;
	hreq.n_headers = nh;
	hreq.body = req->body;
	hreq.body_len = req->body_len;
	hreq.max_response = c->max_response;
	hreq.ca_bundle = c->ca_bundle;
	hreq.is_cancelled = client_is_cancelled;
	hreq.cancel_ctx = c;
	hreq.fresh_connection = req->not_idempotent;
	hreq.connect_timeout_ms = lim->connect_ms;
	hreq.idle_timeout_ms = lim->idle_ms;
	hreq.timeout_ms = lim->total_ms;
	rc = c->tr->send(c->tr_ctx, &hreq, hr);
done:
	aws_sigv4_result_dispose(&sr);
	return rc;
}

static const char *request_id_of(const aws_http_response *hr)
{
	const char *id = aws_http_response_header(hr, "x-amzn-requestid");
	if (!id)
		id = aws_http_response_header(hr, "x-amz-request-id");
	return id;
}

/* Adaptive mode: waits (cancellably) for the attempt's token. */
static int rate_wait(aws_client *c, const aws_request *req)
{
	unsigned ms;
	char ms_s[16];
	if (!c->policy.adaptive)
		return BASE_OK;
	pthread_mutex_lock(&c->mu);
	ms = aws_retry_rate_acquire(&c->rate, mono_s());
	pthread_mutex_unlock(&c->mu);
	if (ms == 0)
		return BASE_OK;
	snprintf(ms_s, sizeof ms_s, "%u", ms);
	base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws rate limited", "op", req->op ? req->op : "",
	            "delay_ms", ms_s, NULL);
	return aws_client_sleep_ms(c, ms);
}

/* Adaptive mode: feeds one attempt's outcome to the rate limiter. */
static void rate_note(aws_client *c, bool throttled)
{
	if (!c->policy.adaptive)
		return;
	pthread_mutex_lock(&c->mu);
	aws_retry_rate_update(&c->rate, mono_s(), throttled);
	pthread_mutex_unlock(&c->mu);
}

/* The state of one aws_client_send across its attempts. */
struct send_state {
	aws_client *c;
	const aws_request *req;
	const aws_creds *fixed; /* sign with these (STS hook), not the chain's */
	bool unsigned_req;
	char *url, *host, *sign_path;
	aws_creds cr;
	bool have_cr, refreshed;
	int attempt, last_cost;
	uint64_t t0;
	char attempt_s[16];
};

static const char *op_name(const aws_request *req)
{
	return req->op ? req->op : "";
}

static void state_init(struct send_state *st, aws_client *c, const aws_request *req)
{
	const char *authority, *prefix, *path;
	const char *base = c->endpoint[req->service];
	size_t alen;
	split_base(base, &authority, &alen, &prefix);
	path = nonempty(req->path) ? req->path : "/";
	st->sign_path = base_xasprintf("%s%s%s", prefix, path[0] == '/' ? "" : "/", path);
	st->host = base_xstrndup(authority, alen);
	st->url = base_xasprintf("%.*s%s%s%s", (int)(authority - base) + (int)alen, base, st->sign_path,
	                         nonempty(req->query) ? "?" : "", nonempty(req->query) ? req->query : "");
}

static int cancelled_error(const aws_request *req, aws_error *err)
{
	aws_error_setf(err, 0, "RequestCanceled", "%s: cancelled", req->op ? req->op : req->method);
	return BASE_ECANCELLED;
}

/*
 * The operation's deadline (aws_deadline.h) passed: BASE_ETIMEOUT with
 * "OperationTimeout", naming the call, the budget and the last error seen.
 */
static int deadline_error(const struct send_state *st, aws_error *err)
{
	aws_deadline dl = aws_deadline_get();
	char last[sizeof err->message + sizeof err->code + 24];
	if (err->code[0])
		snprintf(last, sizeof last, "; last error: %s: %s", err->code, err->message);
	else
		last[0] = '\0';
	aws_error_setf(err, 0, "OperationTimeout", "%s %s: no result within %s%s", op_name(st->req), st->url,
	               dl.what ? dl.what : "the operation's timeout", last);
	return BASE_ETIMEOUT;
}

/* true when this thread's deadline is set and has passed (50 ms slack for
 * the transport firing its timeout just before the mark). */
static bool deadline_passed(void)
{
	aws_deadline dl = aws_deadline_get();
	return dl.at_ms && aws_deadline_now_ms() + 50 >= dl.at_ms;
}

/* What on_reply found. */
enum reply_next { REPLY_DONE, REPLY_RESEND, REPLY_DECIDE };

/* A 2xx (REPLY_DONE) or an AWS error reply: REPLY_RESEND at once when the
 * cached credentials had expired, else REPLY_DECIDE with cls set. */
static enum reply_next on_reply(struct send_state *st, aws_http_response *hr, aws_response *resp,
                                aws_error *err, aws_retry_class *cls, unsigned *retry_after)
{
	aws_client *c = st->c;
	const char *rid = request_id_of(hr);
	char status_s[16], elapsed_s[24];
	unsigned ms;
	snprintf(status_s, sizeof status_s, "%d", hr->status);
	snprintf(elapsed_s, sizeof elapsed_s, "%llu", (unsigned long long)(mono_ms() - st->t0));
	base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws response", "op", op_name(st->req), "status",
	            status_s, "request_id", rid ? rid : "", "attempt", st->attempt_s, "elapsed_ms", elapsed_s,
	            NULL);
	/* hand the body over to the caller */
	aws__response_unshare(resp);
	base_buf_dispose(&resp->body);
	resp->body = hr->body;
	base_buf_init(&hr->body, 0);
	resp->status = hr->status;
	snprintf(resp->request_id, sizeof resp->request_id, "%s", rid ? rid : "");
	if (hr->status >= 200 && hr->status < 300) {
		rate_note(c, false);
		pthread_mutex_lock(&c->mu);
		aws_retry_quota_release(&c->quota, st->last_cost);
		pthread_mutex_unlock(&c->mu);
		return REPLY_DONE;
	}
	aws_error_parse(err, hr->status, aws_http_response_header(hr, "content-type"),
	                aws_http_response_header(hr, "x-amzn-errortype"), rid, resp->body.data,
	                resp->body.len);
	if (!st->refreshed && !st->fixed && !st->unsigned_req && is_expired_token(err->code)) {
		/* the cache thought they were valid: refresh once, not a retry */
		aws_creds_provider_invalidate(c->creds);
		st->refreshed = true;
		return REPLY_RESEND;
	}
	st->refreshed = false;
	if (aws_retry_parse_retry_after(aws_http_response_header(hr, "retry-after"),
	                                aws_http_response_header(hr, "x-amz-retry-after"),
	                                (int64_t)time(NULL), &ms))
		*retry_after = ms ? ms : 1;
	*cls = aws_retry_classify(hr->status, err->code, AWS_RETRY_T_NONE);
	return REPLY_DECIDE;
}

/* A transport failure: err and *rc filled; false when it must not be retried. */
static bool on_failure(struct send_state *st, const aws_http_response *hr, aws_error *err,
                       aws_retry_class *cls, int *rc)
{
	const aws_request *req = st->req;
	char elapsed_s[24];
	st->refreshed = false;
	snprintf(elapsed_s, sizeof elapsed_s, "%llu", (unsigned long long)(mono_ms() - st->t0));
	base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws transport error", "op", op_name(req), "error",
	            hr->errmsg, "attempt", st->attempt_s, "elapsed_ms", elapsed_s, NULL);
	if (hr->failure == AWS_HTTP_ECANCELLED) {
		*rc = cancelled_error(req, err);
		return false;
	}
	if (req->not_idempotent && hr->sent &&
	    (hr->failure == AWS_HTTP_ETIMEOUT || hr->failure == AWS_HTTP_ERECV ||
	     hr->failure == AWS_HTTP_ESEND)) {
		aws_deadline dl = aws_deadline_get();
		bool late = deadline_passed();
		aws_error_setf(
		        err, 0, "RequestOutcomeUnknown",
		        "%s %s: %s after the request was sent%s%s; it may or may not have taken effect, so "
		        "it is not repeated",
		        op_name(req), st->url, hr->errmsg, late ? ", at the end of " : "",
		        late ? (dl.what ? dl.what : "the operation's timeout") : "");
		*rc = BASE_ETIMEOUT;
		return false;
	}
	aws_error_setf(err, 0, failure_code(hr->failure), "%s %s %s: %s", op_name(req), req->method, st->url,
	               hr->errmsg);
	if ((hr->failure == AWS_HTTP_ETIMEOUT || hr->failure == AWS_HTTP_ECONNECT_TIMEOUT) &&
	    deadline_passed()) {
		*rc = deadline_error(st, err);
		return false;
	}
	*cls = aws_retry_classify(0, NULL, transport_kind(hr->failure));
	*rc = hr->failure == AWS_HTTP_ETOOBIG                                                  ? BASE_ETOOBIG
	      : (hr->failure == AWS_HTTP_ETIMEOUT || hr->failure == AWS_HTTP_ECONNECT_TIMEOUT) ? BASE_ETIMEOUT
	                                                                                       : BASE_EIO;
	return true;
}

/* Decides on a retry and sleeps. BASE_OK = try again; else the final rc. */
static int backoff(struct send_state *st, const aws_http_response *hr, aws_retry_class cls,
                   unsigned retry_after, int rc, aws_error *err)
{
	aws_client *c = st->c;
	aws_retry_decision dec;
	double r01 = next_rand01(c);
	char delay_s[16];
	int cost = 0;
	rate_note(c, cls == AWS_RETRY_THROTTLING);
	pthread_mutex_lock(&c->mu);
	aws_retry_decide(&c->policy, &c->quota, cls, st->attempt, mono_ms() - st->t0, retry_after, r01, &dec,
	                 &cost);
	pthread_mutex_unlock(&c->mu);
	if (!dec.retry) {
		if (hr->failure != AWS_HTTP_OK)
			return rc;
		if (st->attempt > 1 && cls != AWS_RETRY_NO)
			base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws giving up", "op", op_name(st->req),
			            "reason", dec.reason, "code", err->code, NULL);
		return cls == AWS_RETRY_THROTTLING ? BASE_ETHROTTLED : BASE_EAWS;
	}
	st->last_cost = cost;
	snprintf(delay_s, sizeof delay_s, "%u", dec.delay_ms);
	base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws retrying", "op", op_name(st->req), "reason",
	            dec.reason, "code", hr->failure == AWS_HTTP_OK ? err->code : failure_code(hr->failure),
	            "delay_ms", delay_s, "attempt", st->attempt_s, NULL);
	if (!aws_deadline_sleep_fits(aws_deadline_get().at_ms, aws_deadline_now_ms(), dec.delay_ms))
		return deadline_error(st, err); /* the retry could not finish in time */
	if (aws_client_sleep_ms(c, dec.delay_ms) != BASE_OK)
		return cancelled_error(st->req, err);
	st->attempt++;
	return BASE_OK;
}

/* One attempt: credentials, sign, send. BASE_OK when hr holds an outcome. */
static int attempt(struct send_state *st, aws_http_response *hr, aws_error *err)
{
	const aws_creds *signer = st->unsigned_req ? NULL : st->fixed ? st->fixed : &st->cr;
	aws_deadline_limits lim = {AWS_HTTP_DEFAULT_CONNECT_TIMEOUT_MS, AWS_HTTP_DEFAULT_IDLE_TIMEOUT_MS,
	                           AWS_HTTP_DEFAULT_TIMEOUT_MS};
	int rc;
	if (aws_client_cancelled(st->c))
		return cancelled_error(st->req, err);
	if (deadline_passed())
		return deadline_error(st, err);
	if (!st->unsigned_req && !st->fixed && (!st->have_cr || st->refreshed)) {
		aws_creds_dispose(&st->cr);
		rc = aws_creds_provider_get(st->c->creds, &st->cr, err);
		if (rc != BASE_OK)
			return rc;
		st->have_cr = true;
	}
	if (rate_wait(st->c, st->req) != BASE_OK)
		return cancelled_error(st->req, err);
	snprintf(st->attempt_s, sizeof st->attempt_s, "%d", st->attempt);
	base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws request", "op", op_name(st->req), "method",
	            st->req->method, "url", st->url, "attempt", st->attempt_s, NULL);
	aws_http_response_dispose(hr);
	aws_http_response_init(hr);
	if (!aws_deadline_clamp(aws_deadline_get().at_ms, aws_deadline_now_ms(), &lim))
		return deadline_error(st, err);
	rc = attempt_once(st->c, st->req, signer, st->url, st->host, st->sign_path, &lim, hr);
	if (rc == BASE_EINVALID) {
		aws_error_setf(err, 0, "SigningError", "%s: cannot sign the request", op_name(st->req));
		return rc;
	}
	return BASE_OK;
}

static int send_inner(aws_client *c, const aws_request *req, const aws_creds *fixed, bool unsigned_req,
                      aws_response *resp, aws_error *err)
{
	struct send_state st;
	aws_http_response hr;
	int rc;

	aws_error_clear(err);
	aws_http_response_init(&hr);
	aws__response_unshare(resp);
	base_buf_reset(&resp->body);
	resp->status = 0;
	resp->request_id[0] = '\0';
	if (!req->method || req->service < 0 || req->service >= AWS_SVC_COUNT) {
		aws_error_setf(err, 0, "InvalidRequest", "invalid request");
		aws_http_response_dispose(&hr);
		return BASE_EINVALID;
	}
	memset(&st, 0, sizeof st);
	st.c = c;
	st.req = req;
	st.fixed = fixed;
	st.unsigned_req = unsigned_req;
	st.attempt = 1;
	st.t0 = mono_ms();
	aws_creds_init(&st.cr);
	state_init(&st, c, req);
	for (;;) {
		aws_retry_class cls = AWS_RETRY_NO;
		unsigned retry_after = 0;
		rc = attempt(&st, &hr, err);
		if (rc != BASE_OK)
			break;
		if (hr.failure == AWS_HTTP_OK) {
			enum reply_next next = on_reply(&st, &hr, resp, err, &cls, &retry_after);
			if (next == REPLY_RESEND)
				continue;
			if (next == REPLY_DONE)
				break;
		} else if (!on_failure(&st, &hr, err, &cls, &rc)) {
			break;
		}
		rc = backoff(&st, &hr, cls, retry_after, rc, err);
		if (rc != BASE_OK)
			break;
	}
	aws_http_response_dispose(&hr);
	aws_creds_dispose(&st.cr);
	base_free(st.url);
	base_free(st.host);
	base_free(st.sign_path);
	return rc;
}

static int send_plain(void *ctx, const aws_request *req, aws_response *resp, aws_error *err)
{
	return send_inner(ctx, req, NULL, false, resp, err);
}

/* Long enough for the refresh of a few hundred resources, ten at a time;
 * short enough that a plan never shows a view much older than itself. */
#define LISTING_MAX_AGE_MS 5000u

void aws_client_keep_listings(aws_client *c)
{
	aws__memo_keep_listings(c->memo, LISTING_MAX_AGE_MS);
}

/* Reads go through the memo (aws_memo.c); every write, whatever its
 * outcome, tells it that replies sent before it may be stale. */
int aws_client_send(aws_client *c, const aws_request *req, aws_response *resp, aws_error *err)
{
	int rc;
	if (aws__memo_is_read(req))
		return aws__memo_send(c->memo, req, resp, err, send_plain, c);
	rc = send_inner(c, req, NULL, false, resp, err);
	aws__memo_wrote(c->memo, req);
	return rc;
}
