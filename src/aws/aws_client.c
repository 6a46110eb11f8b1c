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
#include "aws/aws_http.h"
#include "aws/aws_int.h"
#include "aws/aws_retry.h"
#include "aws/aws_sigv4.h"
#include "base/base_alloc.h"
#include "base/base_log.h"
#include "base/base_str.h"

#define DEFAULT_BUDGET_MS 300000u
#define DEFAULT_MAX_RESPONSE (64u * 1024u * 1024u)

/* Per-service constants: signing name, env suffix, default host label. */
static const struct svc_info {
	const char *signing_name;
	const char *env_id; /* AWS_ENDPOINT_URL_<env_id> */
	bool global;        /* IAM: one global endpoint, fixed signing region */
} svc_info[AWS_SVC_COUNT] = {
        [AWS_SVC_EC2] = {"ec2", "EC2", false},
        [AWS_SVC_IAM] = {"iam", "IAM", true},
        [AWS_SVC_STS] = {"sts", "STS", false},
        [AWS_SVC_LAMBDA] = {"lambda", "LAMBDA", false},
};

struct aws_client {
	char *region;
	char *endpoint[AWS_SVC_COUNT]; /* scheme://authority[/prefix], no trailing '/' */
	char *sign_region[AWS_SVC_COUNT];
	char *ca_bundle;
	const aws_transport *tr;
	void *tr_ctx;
	aws_http_curl *curl; /* owned when tr is libcurl */
	aws_creds_provider *creds;
	aws_retry_policy policy;
	size_t max_response;

	pthread_mutex_t mu; /* quota, rng, cv */
	pthread_cond_t cv;
	aws_retry_quota quota;
	aws_retry_rate rate;
	uint64_t rng;
	atomic_bool cancelled;
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

static bool env_true(const char *name)
{
	const char *v = getenv(name);
	return v && strcasecmp(v, "true") == 0;
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

static bool url_ok(const char *u)
{
	const char *a;
	if (!u)
		return false;
	if (strncmp(u, "http://", 7) == 0)
		a = u + 7;
	else if (strncmp(u, "https://", 8) == 0)
		a = u + 8;
	else
		return false;
	return *a && *a != '/' && !strpbrk(u, " \t\r\n?#");
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
	base_buf_dispose(&r->body);
	r->status = 0;
	r->request_id[0] = '\0';
}

void aws_global_init(void)
{
	aws_crypto_global_init();
	aws_http_global_init();
}

static void client_free(aws_client *c)
{
	int i;
	aws_creds_provider_free(c->creds);
	aws_http_curl_free(c->curl);
	for (i = 0; i < AWS_SVC_COUNT; i++) {
		base_free(c->endpoint[i]);
		base_free(c->sign_region[i]);
	}
	base_free(c->region);
	base_free(c->ca_bundle);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	base_free(c);
}

void aws_client_free(aws_client *c)
{
	if (c)
		client_free(c);
}

static int resolve_endpoints(aws_client *c, const aws_client_config *cfg, aws_error *err)
{
	const char *suffix = strncmp(c->region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
	bool ignore_env = env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	const char *global = ignore_env ? NULL : env_nonempty("AWS_ENDPOINT_URL");
	int i;

	for (i = 0; i < AWS_SVC_COUNT; i++) {
		const struct svc_info *si = &svc_info[i];
		const char *url = nonempty(cfg->endpoints[i]) ? cfg->endpoints[i] : NULL;
		const char *origin = "endpoints block";
		char envname[64];
		if (!url && !ignore_env) {
			snprintf(envname, sizeof envname, "AWS_ENDPOINT_URL_%s", si->env_id);
			url = env_nonempty(envname);
			origin = envname;
			if (!url && global) {
				url = global;
				origin = "AWS_ENDPOINT_URL";
			}
		}
		if (url) {
			if (!url_ok(url)) {
				aws_error_setf(err, 0, "InvalidEndpoint",
				               "%s: endpoint URL for %s must be "
				               "http(s)://host[:port][/path], got \"%s\"",
				               origin, si->signing_name, url);
				return BASE_EINVALID;
			}
			c->endpoint[i] = trim_url(url);
		} else if (si->global) {
			if (strncmp(c->region, "cn-", 3) == 0)
				c->endpoint[i] = base_xasprintf("https://iam.cn-north-1.%s", suffix);
			else if (strncmp(c->region, "us-gov-", 7) == 0)
				c->endpoint[i] = base_xstrdup("https://iam.us-gov.amazonaws.com");
			else
				c->endpoint[i] = base_xstrdup("https://iam.amazonaws.com");
		} else {
			c->endpoint[i] =
			        base_xasprintf("https://%s.%s.%s", si->signing_name, c->region, suffix);
		}
		if (si->global) {
			/* IAM signs with its partition's home region (AWS.md 1.1). */
			if (strncmp(c->region, "cn-", 3) == 0)
				c->sign_region[i] = base_xstrdup("cn-north-1");
			else if (strncmp(c->region, "us-gov-", 7) == 0)
				c->sign_region[i] = base_xstrdup("us-gov-west-1");
			else
				c->sign_region[i] = base_xstrdup("us-east-1");
		} else {
			c->sign_region[i] = base_xstrdup(c->region);
		}
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

int aws_client_new(aws_client **out, const aws_client_config *cfg, aws_error *err)
{
	aws_client *c = base_xcalloc(1, sizeof *c);
	aws_creds_config cc;
	aws_creds_hooks hooks;
	pthread_condattr_t ca;
	char *profile_region = NULL;
	const char *region;
	const char *ma;
	int rc = BASE_OK;

	*out = NULL;
	aws_error_clear(err);
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&c->cancelled, false);
	aws_retry_quota_init(&c->quota, 500);
	aws_retry_rate_init(&c->rate, mono_s());
	if (aws_crypto_random(&c->rng, sizeof c->rng) != BASE_OK || c->rng == 0)
		c->rng = (uint64_t)time(NULL) * 6364136223846793005ull + (uint64_t)(uintptr_t)c;
	if (c->rng == 0)
		c->rng = 88172645463325252ull;
	c->max_response = DEFAULT_MAX_RESPONSE;
	c->ca_bundle = base_xstrdup(env_nonempty("AWS_CA_BUNDLE"));

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
			rc = BASE_EINVALID;
			goto done;
		}
		c->policy.max_attempts = (int)v;
	}

	/* credential chain configuration (also used for the profile region) */
	memset(&cc, 0, sizeof cc);
	cc.profile = cfg->profile;
	cc.access_key = cfg->access_key;
	cc.secret_key = cfg->secret_key;
	cc.token = cfg->token;
	cc.config_files = cfg->shared_config_files;
	cc.n_config_files = cfg->n_shared_config_files;
	cc.credentials_files = cfg->shared_credentials_files;
	cc.n_credentials_files = cfg->n_shared_credentials_files;
	cc.assume_role_arn = cfg->assume_role_arn;
	cc.assume_role_session_name = cfg->assume_role_session_name;
	cc.assume_role_external_id = cfg->assume_role_external_id;
	cc.ca_bundle = c->ca_bundle;

	/* region: provider block, AWS_REGION, AWS_DEFAULT_REGION, profile */
	region = nonempty(cfg->region) ? cfg->region : env_nonempty("AWS_REGION");
	if (!region)
		region = env_nonempty("AWS_DEFAULT_REGION");
	if (!region) {
		rc = aws_creds_profile_region(&cc, &profile_region, err);
		if (rc != BASE_OK)
			goto done;
		region = profile_region;
	}
	if (!region) {
		aws_error_setf(
		        err, 0, "MissingRegion",
		        "no AWS region: set region in the provider block, AWS_REGION or AWS_DEFAULT_REGION, "
		        "or region in the shared config profile");
		rc = BASE_EINVALID;
		goto done;
	}
	if (!region_ok(region)) {
		aws_error_setf(err, 0, "InvalidRegion", "invalid AWS region \"%s\"", region);
		rc = BASE_EINVALID;
		goto done;
	}
	c->region = base_xstrdup(region);

	rc = resolve_endpoints(c, cfg, err);
	if (rc != BASE_OK)
		goto done;

	if (cfg->transport) {
		c->tr = cfg->transport;
		c->tr_ctx = cfg->transport_ctx;
	} else {
		rc = aws_http_curl_new(&c->curl);
		if (rc != BASE_OK) {
			aws_error_setf(err, 0, "TransportError", "cannot initialise libcurl");
			goto done;
		}
		c->tr = &aws_http_curl_transport;
		c->tr_ctx = c->curl;
	}

	memset(&hooks, 0, sizeof hooks);
	hooks.sts = creds_sts;
	hooks.transport = c->tr;
	hooks.transport_ctx = c->tr_ctx;
	hooks.is_cancelled = client_is_cancelled;
	hooks.ctx = c;
	rc = aws_creds_provider_new(&c->creds, &cc, &hooks, err);
	if (rc != BASE_OK)
		goto done;

	if (!cfg->skip_credentials_validation) {
		aws_creds cr;
		aws_creds_init(&cr);
		rc = aws_creds_provider_get(c->creds, &cr, err);
		if (rc == BASE_OK)
			base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws credentials resolved", "source",
			            cr.source, "region", c->region, NULL);
		aws_creds_dispose(&cr);
		if (rc != BASE_OK)
			goto done;
	}
done:
	base_free(profile_region);
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
                        const char *host, const char *sign_path, aws_http_response *hr)
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
	rc = c->tr->send(c->tr_ctx, &hreq, hr);
done:
	aws_sigv4_result_dispose(&sr);
	return rc;
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

static const char *request_id_of(const aws_http_response *hr)
{
	const char *id = aws_http_response_header(hr, "x-amzn-requestid");
	if (!id)
		id = aws_http_response_header(hr, "x-amz-request-id");
	return id;
}

static int send_inner(aws_client *c, const aws_request *req, const aws_creds *fixed, bool unsigned_req,
                      aws_response *resp, aws_error *err)
{
	aws_http_response hr;
	aws_creds cr;
	char *url = NULL, *host = NULL, *sign_path = NULL;
	const char *authority, *prefix, *path;
	size_t alen;
	uint64_t t0 = mono_ms();
	int attempt = 1, last_cost = 0, rc = BASE_OK;
	bool refreshed = false, have_cr = false;
	char attempt_s[16], status_s[16], elapsed_s[24], delay_s[16];

	aws_error_clear(err);
	aws_http_response_init(&hr);
	aws_creds_init(&cr);
	base_buf_reset(&resp->body);
	resp->status = 0;
	resp->request_id[0] = '\0';

	if (!req->method || req->service < 0 || req->service >= AWS_SVC_COUNT) {
		aws_error_setf(err, 0, "InvalidRequest", "invalid request");
		rc = BASE_EINVALID;
		goto done;
	}
	split_base(c->endpoint[req->service], &authority, &alen, &prefix);
	path = nonempty(req->path) ? req->path : "/";
	sign_path = base_xasprintf("%s%s%s", prefix, path[0] == '/' ? "" : "/", path);
	host = base_xstrndup(authority, alen);
	url = base_xasprintf("%.*s%s%s%s", (int)(authority - c->endpoint[req->service]) + (int)alen,
	                     c->endpoint[req->service], sign_path, nonempty(req->query) ? "?" : "",
	                     nonempty(req->query) ? req->query : "");

	for (;;) {
		aws_retry_class cls;
		aws_retry_decision dec;
		unsigned retry_after = 0;
		const char *code = "";
		uint64_t elapsed;
		double r01;
		int cost = 0;

		if (aws_client_cancelled(c)) {
			aws_error_setf(err, 0, "RequestCanceled", "%s: cancelled",
			               req->op ? req->op : req->method);
			rc = BASE_ECANCELLED;
			goto done;
		}
		if (!unsigned_req && !fixed && (!have_cr || refreshed)) {
			aws_creds_dispose(&cr);
			aws_creds_init(&cr);
			rc = aws_creds_provider_get(c->creds, &cr, err);
			if (rc != BASE_OK)
				goto done;
			have_cr = true;
		}
		if (rate_wait(c, req) != BASE_OK) {
			aws_error_setf(err, 0, "RequestCanceled", "%s: cancelled",
			               req->op ? req->op : req->method);
			rc = BASE_ECANCELLED;
			goto done;
		}
		snprintf(attempt_s, sizeof attempt_s, "%d", attempt);
		base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws request", "op", req->op ? req->op : "",
		            "method", req->method, "url", url, "attempt", attempt_s, NULL);
		rc = attempt_once(c, req,
		                  unsigned_req ? NULL
		                  : fixed      ? fixed
		                               : &cr,
		                  url, host, sign_path, &hr);
		if (rc == BASE_EINVALID) {
			aws_error_setf(err, 0, "SigningError", "%s: cannot sign the request",
			               req->op ? req->op : "");
			goto done;
		}
		elapsed = mono_ms() - t0;
		snprintf(elapsed_s, sizeof elapsed_s, "%llu", (unsigned long long)elapsed);

		if (hr.failure == AWS_HTTP_OK) {
			const char *rid = request_id_of(&hr);
			snprintf(status_s, sizeof status_s, "%d", hr.status);
			base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws response", "op",
			            req->op ? req->op : "", "status", status_s, "request_id", rid ? rid : "",
			            "attempt", attempt_s, "elapsed_ms", elapsed_s, NULL);
			/* hand the body over to the caller */
			base_buf_dispose(&resp->body);
			resp->body = hr.body;
			base_buf_init(&hr.body, 0);
			resp->status = hr.status;
			snprintf(resp->request_id, sizeof resp->request_id, "%s", rid ? rid : "");
			if (hr.status >= 200 && hr.status < 300) {
				rate_note(c, false);
				pthread_mutex_lock(&c->mu);
				aws_retry_quota_release(&c->quota, last_cost);
				pthread_mutex_unlock(&c->mu);
				rc = BASE_OK;
				goto done;
			}
			aws_error_parse(err, hr.status, aws_http_response_header(&hr, "content-type"),
			                aws_http_response_header(&hr, "x-amzn-errortype"), rid,
			                resp->body.data, resp->body.len);
			code = err->code;
			if (!refreshed && !fixed && !unsigned_req && is_expired_token(code)) {
				/* the cache thought they were valid: refresh once, not a retry */
				aws_creds_provider_invalidate(c->creds);
				refreshed = true;
				continue;
			}
			refreshed = false;
			{
				unsigned ms;
				if (aws_retry_parse_retry_after(
				            aws_http_response_header(&hr, "retry-after"),
				            aws_http_response_header(&hr, "x-amz-retry-after"),
				            (int64_t)time(NULL), &ms))
					retry_after = ms ? ms : 1;
			}
			cls = aws_retry_classify(hr.status, code, AWS_RETRY_T_NONE);
		} else {
			refreshed = false;
			base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws transport error", "op",
			            req->op ? req->op : "", "error", hr.errmsg, "attempt", attempt_s,
			            "elapsed_ms", elapsed_s, NULL);
			if (hr.failure == AWS_HTTP_ECANCELLED) {
				aws_error_setf(err, 0, "RequestCanceled", "%s: cancelled",
				               req->op ? req->op : req->method);
				rc = BASE_ECANCELLED;
				goto done;
			}
			if (req->not_idempotent && hr.sent &&
			    (hr.failure == AWS_HTTP_ETIMEOUT || hr.failure == AWS_HTTP_ERECV ||
			     hr.failure == AWS_HTTP_ESEND)) {
				aws_error_setf(
				        err, 0, "RequestOutcomeUnknown",
				        "%s %s: %s after the request was sent; it may or may not have taken "
				        "effect, so it is not repeated",
				        req->op ? req->op : "", url, hr.errmsg);
				rc = BASE_ETIMEOUT;
				goto done;
			}
			aws_error_setf(err, 0, failure_code(hr.failure), "%s %s %s: %s",
			               req->op ? req->op : "", req->method, url, hr.errmsg);
			cls = aws_retry_classify(0, NULL, transport_kind(hr.failure));
			rc = hr.failure == AWS_HTTP_ETOOBIG ? BASE_ETOOBIG
			     : (hr.failure == AWS_HTTP_ETIMEOUT || hr.failure == AWS_HTTP_ECONNECT_TIMEOUT)
			             ? BASE_ETIMEOUT
			             : BASE_EIO;
		}

		rate_note(c, cls == AWS_RETRY_THROTTLING);
		r01 = next_rand01(c);
		pthread_mutex_lock(&c->mu);
		aws_retry_decide(&c->policy, &c->quota, cls, attempt, elapsed, retry_after, r01, &dec, &cost);
		pthread_mutex_unlock(&c->mu);
		if (!dec.retry) {
			if (hr.failure == AWS_HTTP_OK) {
				rc = cls == AWS_RETRY_THROTTLING ? BASE_ETHROTTLED : BASE_EAWS;
				if (attempt > 1 && cls != AWS_RETRY_NO)
					base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws giving up", "op",
					            req->op ? req->op : "", "reason", dec.reason, "code",
					            code, NULL);
			}
			goto done;
		}
		last_cost = cost;
		snprintf(delay_s, sizeof delay_s, "%u", dec.delay_ms);
		base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws retrying", "op", req->op ? req->op : "",
		            "reason", dec.reason, "code",
		            hr.failure == AWS_HTTP_OK ? code : failure_code(hr.failure), "delay_ms", delay_s,
		            "attempt", attempt_s, NULL);
		if (aws_client_sleep_ms(c, dec.delay_ms) != BASE_OK) {
			aws_error_setf(err, 0, "RequestCanceled", "%s: cancelled",
			               req->op ? req->op : req->method);
			rc = BASE_ECANCELLED;
			goto done;
		}
		attempt++;
	}
done:
	aws_http_response_dispose(&hr);
	aws_creds_dispose(&cr);
	base_free(url);
	base_free(host);
	base_free(sign_path);
	return rc;
}

int aws_client_send(aws_client *c, const aws_request *req, aws_response *resp, aws_error *err)
{
	return send_inner(c, req, NULL, false, resp, err);
}
