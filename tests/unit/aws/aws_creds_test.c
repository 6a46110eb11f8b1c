/*
 * aws_creds_test.c - the credential chain with a temporary HOME, env and
 * files: order of sources, profiles (role_arn + source_profile,
 * credential_process, SSO refusal, loops), web identity, ECS, IMDSv2,
 * refresh before expiry, thread safety, and the "what was tried" error.
 * STS is a scripted hook here; the moto tests at the end use real STS.
 */
#include "t.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../fake/aws_fake_env.h"
#include "../../fake/aws_fake_transport.h"
#include "../../fake/aws_moto.h"
#include "aws_testutil.h"
#include "aws/aws_client.h"
#include "aws/aws_creds.h"
#include "aws/aws_int.h"
#include "base/base_alloc.h"
#include "base/base_log.h"

#define DATA "tests/data/aws/creds"

/* ---- test context: clock + scripted STS ---- */

struct tctx {
	int64_t now;
	int sts_calls;
	char last_op[64];
	char last_signer[64];   /* access key that signed, "" = unsigned */
	char last_body[4096];
	int64_t sts_exp;        /* Expiration of issued credentials */
	const char *sts_fail;   /* error code to fail with, NULL = succeed */
	pthread_mutex_t mu;
};

static int64_t t_now(void *ctx)
{
	return ((struct tctx *)ctx)->now;
}

static void fmt_iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int t_sts(void *ctx, const aws_creds *creds, const char *op, const char *body, size_t len,
		 base_buf *out, aws_error *err)
{
	struct tctx *t = ctx;
	char exp[32];
	int n;
	pthread_mutex_lock(&t->mu);
	n = ++t->sts_calls;
	snprintf(t->last_op, sizeof t->last_op, "%s", op);
	snprintf(t->last_signer, sizeof t->last_signer, "%s", creds ? creds->access_key : "");
	snprintf(t->last_body, sizeof t->last_body, "%.*s", (int)len, body);
	pthread_mutex_unlock(&t->mu);
	if (t->sts_fail) {
		aws_error_setf(err, 403, t->sts_fail, "not authorized to perform sts:%s", op);
		return BASE_EAWS;
	}
	fmt_iso(t->sts_exp, exp);
	base_buf_reset(out);
	return base_buf_printf(out,
			       "<%sResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><%sResult>"
			       "<Credentials><AccessKeyId>ASIASTS%d</AccessKeyId><SecretAccessKey>sts-secret</SecretAccessKey>"
			       "<SessionToken>sts-token-%d</SessionToken><Expiration>%s</Expiration></Credentials>"
			       "</%sResult></%sResponse>",
			       op, op, n, n, exp, op, op);
}

static void t_init(struct tctx *t)
{
	memset(t, 0, sizeof *t);
	pthread_mutex_init(&t->mu, NULL);
	t->now = 1800000000;
	t->sts_exp = t->now + 3600;
}

static void hooks_for(aws_creds_hooks *h, struct tctx *t, aws_fake *f)
{
	memset(h, 0, sizeof *h);
	h->sts = t_sts;
	h->transport = f ? &aws_fake_transport : NULL;
	h->transport_ctx = f;
	h->now = t_now;
	h->ctx = t;
}

static const char *abs_data(const char *name)
{
	static char buf[4][PATH_MAX];
	static int i;
	char cwd[PATH_MAX - 64];
	i = (i + 1) % 4;
	if (!getcwd(cwd, sizeof cwd))
		cwd[0] = '\0';
	snprintf(buf[i], sizeof buf[i], "%s/%s/%s", cwd, DATA, name);
	return buf[i];
}

/* Resolves with cfg and returns the rc; *cr filled on success. */
static int get_once(const aws_creds_config *cfg, struct tctx *t, aws_fake *f, aws_creds *cr, aws_error *err)
{
	aws_creds_provider *p = NULL;
	aws_creds_hooks h;
	int rc;
	hooks_for(&h, t, f);
	rc = aws_creds_provider_new(&p, cfg, &h, err);
	if (rc == BASE_OK)
		rc = aws_creds_provider_get(p, cr, err);
	aws_creds_provider_free(p);
	return rc;
}

/* The common start of a chain test: the hermetic environment (its HOME is
 * returned), the test clock and STS script, an empty cr and a zeroed cfg. */
static const char *creds_begin(aws_creds_config *cfg, struct tctx *t, aws_creds *cr)
{
	const char *home = aws_fake_clean_env();
	t_init(t);
	aws_creds_init(cr);
	memset(cfg, 0, sizeof *cfg);
	return home;
}

static void creds_end(aws_creds *cr)
{
	aws_creds_dispose(cr);
	aws_fake_clean_env();
}

void test_aws_creds__explicit_then_env(void)
{
	aws_creds_config cfg;
	struct tctx t;
	aws_creds cr;
	aws_error err;

	creds_begin(&cfg, &t, &cr);
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	setenv("AWS_SESSION_TOKEN", "env-token", 1);
	cfg.access_key = "AKIDEXPLICIT";
	cfg.secret_key = "explicit-secret";
	T_OK(get_once(&cfg, &t, NULL, &cr, &err));
	T_ASSERT_STR(cr.access_key, "AKIDEXPLICIT");
	T_ASSERT(cr.token == NULL);
	T_ASSERT(strstr(cr.source, "provider block") != NULL);

	memset(&cfg, 0, sizeof cfg);
	T_OK(get_once(&cfg, &t, NULL, &cr, &err));
	T_ASSERT_STR(cr.access_key, "AKIDENV");
	T_ASSERT_STR(cr.secret_key, "env-secret");
	T_ASSERT_STR(cr.token, "env-token");
	T_ASSERT_INT(cr.expiration, 0);
	T_ASSERT_STR(cr.source, "environment variables");

	/* half a key pair in the provider block is a configuration error */
	cfg.access_key = "AKIDONLY";
	T_ASSERT_INT(get_once(&cfg, &t, NULL, &cr, &err), BASE_EINVALID);
	T_ASSERT(strstr(err.message, "access_key and secret_key") != NULL);
	creds_end(&cr);
}

void test_aws_creds__shared_files_and_profiles(void)
{
	aws_creds_config cfg;
	struct tctx t;
	aws_creds cr;
	aws_error err;
	const char *cf[1], *cc[1];

	creds_begin(&cfg, &t, &cr);
	setenv("AWS_SHARED_CREDENTIALS_FILE", abs_data("credentials"), 1);
	setenv("AWS_CONFIG_FILE", abs_data("config"), 1);
	T_OK(get_once(&cfg, &t, NULL, &cr, &err));
	T_ASSERT_STR(cr.access_key, "AKIDDEFAULT");
	T_ASSERT(strstr(cr.source, "\"default\"") != NULL);

	setenv("AWS_PROFILE", "base", 1);
	T_OK(get_once(&cfg, &t, NULL, &cr, &err));
	T_ASSERT_STR(cr.access_key, "AKIDBASE");

	/* the credentials file wins over the config file */
	cfg.profile = "override";
	T_OK(get_once(&cfg, &t, NULL, &cr, &err));
	T_ASSERT_STR(cr.access_key, "AKIDFROMCREDFILE");

	/* explicit file lists replace the env/default files */
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
	cf[0] = abs_data("config");
	cfg.config_files = cf;
	cfg.n_config_files = 1;
	cc[0] = "/nonexistent/credentials";
	cfg.credentials_files = cc;
	cfg.n_credentials_files = 1;
	/* a file named in the provider block must exist */
	T_ASSERT_INT(get_once(&cfg, &t, NULL, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, "shared_credentials_files: the file /nonexistent/credentials does not exist");
	cfg.n_credentials_files = 0;
	T_OK(get_once(&cfg, &t, NULL, &cr, &err));
	T_ASSERT_STR(cr.access_key, "AKIDFROMCONFIG");

	/* a named profile that does not exist is an error, not a fallthrough */
	cfg.profile = "missing";
	T_ASSERT_INT(get_once(&cfg, &t, NULL, &cr, &err), BASE_EINVALID);
	T_ASSERT(strstr(err.message, "profile \"missing\" not found") != NULL);

	cfg.profile = "sso";
	T_ASSERT_INT(get_once(&cfg, &t, NULL, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, "profile \"sso\": an SSO profile needs sso_account_id and sso_role_name");

	cfg.profile = "loop-a";
	T_ASSERT_INT(get_once(&cfg, &t, NULL, &cr, &err), BASE_EINVALID);
	T_ASSERT_MSG(strstr(err.message, "loops") != NULL, "%s", err.message);

	cfg.profile = "noroles";
	T_ASSERT_INT(get_once(&cfg, &t, NULL, &cr, &err), BASE_EINVALID);
	T_ASSERT(strstr(err.message, "source_profile, credential_source") != NULL);
	T_ASSERT_INT(t.sts_calls, 0);
	creds_end(&cr);
}

void test_aws_creds__profile_region(void)
{
	aws_creds_config cfg;
	aws_profile_settings ps;
	aws_error err;
	const char *cf[1];
	aws_fake_clean_env();
	setenv("AWS_CONFIG_FILE", abs_data("config"), 1);
	memset(&cfg, 0, sizeof cfg);
	T_OK(aws_creds_profile_settings(&cfg, &ps, &err));
	T_ASSERT_STR(ps.region, "us-west-1");
	aws_profile_settings_dispose(&ps);
	cfg.profile = "dev";
	T_OK(aws_creds_profile_settings(&cfg, &ps, &err));
	T_ASSERT_STR(ps.region, "eu-west-2");
	aws_profile_settings_dispose(&ps);
	cfg.profile = "override";
	T_OK(aws_creds_profile_settings(&cfg, &ps, &err));
	T_ASSERT(ps.region == NULL);
	aws_profile_settings_dispose(&ps);
	/* an explicitly named profile that no file has */
	cfg.profile = "nope";
	T_ASSERT_INT(aws_creds_profile_settings(&cfg, &ps, &err), BASE_EINVALID);
	T_ASSERT_MSG(strstr(err.message, "profile \"nope\" not found in ") != NULL, "%s", err.message);
	aws_profile_settings_dispose(&ps);
	/* a file named in shared_config_files that does not exist */
	cfg.profile = NULL;
	cf[0] = "/nonexistent/aws-config";
	cfg.config_files = cf;
	cfg.n_config_files = 1;
	T_ASSERT_INT(aws_creds_profile_settings(&cfg, &ps, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, "shared_config_files: the file /nonexistent/aws-config does not exist");
	aws_profile_settings_dispose(&ps);
	aws_fake_clean_env();
}

void test_aws_creds__nothing_found_names_every_source(void)
{
	aws_creds_config cfg;
	struct tctx t;
	aws_creds cr;
	aws_error err;

	creds_begin(&cfg, &t, &cr);
	T_ASSERT_INT(get_once(&cfg, &t, NULL, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.code, "NoCredentialProviders");
	T_ASSERT(strstr(err.message, "provider block") != NULL);
	T_ASSERT(strstr(err.message, "AWS_ACCESS_KEY_ID") != NULL);
	T_ASSERT(strstr(err.message, "shared files") != NULL);
	T_ASSERT(strstr(err.message, "/.aws/credentials") != NULL);
	T_ASSERT(strstr(err.message, "profile \"default\"") != NULL);
	T_ASSERT(strstr(err.message, "web identity") != NULL);
	T_ASSERT(strstr(err.message, "ECS") != NULL);
	T_ASSERT_MSG(strstr(err.message, "AWS_EC2_METADATA_DISABLED") != NULL, "%s", err.message);
	creds_end(&cr);
}

void test_aws_creds__assume_role_source_profile_and_refresh(void)
{
	aws_creds_config cfg;
	aws_creds_provider *p = NULL;
	aws_creds_hooks h;
	struct tctx t;
	aws_creds cr;
	aws_error err;

	creds_begin(&cfg, &t, &cr);
	setenv("AWS_SHARED_CREDENTIALS_FILE", abs_data("credentials"), 1);
	setenv("AWS_CONFIG_FILE", abs_data("config"), 1);
	cfg.profile = "dev";
	hooks_for(&h, &t, NULL);
	T_OK(aws_creds_provider_new(&p, &cfg, &h, &err));
	T_OK(aws_creds_provider_get(p, &cr, &err));
	T_ASSERT_INT(t.sts_calls, 1);
	T_ASSERT_STR(t.last_op, "AssumeRole");
	T_ASSERT_STR(t.last_signer, "AKIDBASE");
	T_ASSERT(strstr(t.last_body, "Action=AssumeRole&Version=2011-06-15") == t.last_body);
	T_ASSERT(strstr(t.last_body, "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdev-role") != NULL);
	T_ASSERT(strstr(t.last_body, "RoleSessionName=dev-session") != NULL);
	T_ASSERT(strstr(t.last_body, "ExternalId=ext-42") != NULL);
	T_ASSERT_STR(cr.access_key, "ASIASTS1");
	T_ASSERT_STR(cr.token, "sts-token-1");
	T_ASSERT_INT(cr.expiration, t.sts_exp);

	/* cached while far from expiry */
	t.now += 1000;
	T_OK(aws_creds_provider_get(p, &cr, &err));
	T_ASSERT_INT(t.sts_calls, 1);
	/* refreshed inside the 5-minute window, before expiry */
	t.now = t.sts_exp - AWS_CREDS_REFRESH_WINDOW_S + 10;
	T_OK(aws_creds_provider_get(p, &cr, &err));
	T_ASSERT_INT(t.sts_calls, 2);
	T_ASSERT_STR(cr.access_key, "ASIASTS2");

	/* a failed refresh keeps the still-valid credentials */
	t.now = cr.expiration - 100;
	t.sts_fail = "AccessDenied";
	T_OK(aws_creds_provider_get(p, &cr, &err));
	T_ASSERT_INT(t.sts_calls, 3);
	T_ASSERT_STR(cr.access_key, "ASIASTS2");
	/* ... but not once they expired */
	t.now = cr.expiration + 1;
	T_ASSERT_INT(aws_creds_provider_get(p, &cr, &err), BASE_EAWS);
	T_ASSERT_STR(err.code, "AccessDenied");
	T_ASSERT_MSG(strstr(err.message, "profile \"dev\"") != NULL, "%s", err.message);
	T_ASSERT(strstr(err.message, "AssumeRole") != NULL);

	/* invalidate forces a refresh */
	t.sts_fail = NULL;
	t.sts_exp = t.now + 3600;
	T_OK(aws_creds_provider_get(p, &cr, &err));
	T_ASSERT_INT(t.sts_calls, 5);
	aws_creds_provider_invalidate(p);
	T_OK(aws_creds_provider_get(p, &cr, &err));
	T_ASSERT_INT(t.sts_calls, 6);
	aws_creds_provider_free(p);

	/* a chain of roles: chain -> dev -> base */
	cfg.profile = "chain";
	t.sts_calls = 0;
	T_OK(get_once(&cfg, &t, NULL, &cr, &err));
	T_ASSERT_INT(t.sts_calls, 2);
	T_ASSERT_STR(t.last_signer, "ASIASTS1");
	T_ASSERT(strstr(t.last_body, "role%2Fouter") != NULL);
	creds_end(&cr);
}

void test_aws_creds__provider_assume_role_wraps_chain(void)
{
	aws_creds_config cfg;
	struct tctx t;
	aws_creds cr;
	aws_error err;

	creds_begin(&cfg, &t, &cr);
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	cfg.assume_role_arn = "arn:aws:iam::123456789012:role/deploy";
	cfg.assume_role_session_name = "tf";
	T_OK(get_once(&cfg, &t, NULL, &cr, &err));
	T_ASSERT_INT(t.sts_calls, 1);
	T_ASSERT_STR(t.last_signer, "AKIDENV");
	T_ASSERT(strstr(t.last_body, "RoleSessionName=tf") != NULL);
	T_ASSERT(strstr(t.last_body, "ExternalId") == NULL);
	T_ASSERT_STR(cr.access_key, "ASIASTS1");
	creds_end(&cr);
}

static int count_lines(const char *path)
{
	size_t n;
	char *s = t_read_file(path, &n);
	int lines = 0;
	size_t i;
	if (!s)
		return 0;
	for (i = 0; i < n; i++)
		lines += s[i] == '\n';
	base_free(s);
	return lines;
}

static void write_process_config(const char *path, const char *counter, const char *exp, int status)
{
	char text[2048];
	snprintf(text, sizeof text, "[profile proc]\ncredential_process = sh %s %s %s %d\n",
		 abs_data("credential_process.sh"), counter, exp, status);
	T_ASSERT_INT(aws_fake_write_file(path, text), 0);
}

struct getter {
	aws_creds_provider *p;
	int failures;
};

static void *getter_main(void *arg)
{
	struct getter *g = arg;
	aws_creds cr;
	aws_error err;
	int i;
	aws_creds_init(&cr);
	for (i = 0; i < 50; i++)
		if (aws_creds_provider_get(g->p, &cr, &err) != BASE_OK || strcmp(cr.access_key, "AKIDPROCESS") != 0)
			g->failures++;
	aws_creds_dispose(&cr);
	return NULL;
}

void test_aws_creds__credential_process(void)
{
	aws_creds_config cfg;
	aws_creds_provider *p = NULL;
	aws_creds_hooks h;
	struct tctx t;
	aws_creds cr;
	aws_error err;
	char conf[512], counter[512], exp[32];
	const char *home;
	struct getter g[6];
	pthread_t th[6];
	int i, fails = 0;

	home = creds_begin(&cfg, &t, &cr);
	snprintf(conf, sizeof conf, "%s/proc_config", home);
	snprintf(counter, sizeof counter, "%s/proc_runs", home);
	unlink(counter);
	fmt_iso(t.now + 3600, exp);
	write_process_config(conf, counter, exp, 0);
	setenv("AWS_CONFIG_FILE", conf, 1);
	cfg.profile = "proc";
	hooks_for(&h, &t, NULL);
	T_OK(aws_creds_provider_new(&p, &cfg, &h, &err));

	/* many threads, one run of the process */
	for (i = 0; i < 6; i++) {
		g[i].p = p;
		g[i].failures = 0;
		T_ASSERT(pthread_create(&th[i], NULL, getter_main, &g[i]) == 0);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		fails += g[i].failures;
	}
	T_ASSERT_INT(fails, 0);
	T_ASSERT_INT(count_lines(counter), 1);
	T_OK(aws_creds_provider_get(p, &cr, &err));
	T_ASSERT_STR(cr.secret_key, "process-secret");
	T_ASSERT_STR(cr.token, "process-token");
	T_ASSERT_INT(cr.expiration, t.now + 3600);
	/* close to expiry: the process runs again */
	t.now += 3600 - 60;
	T_OK(aws_creds_provider_get(p, &cr, &err));
	T_ASSERT_INT(count_lines(counter), 2);
	aws_creds_provider_free(p);

	/* a failing helper: the error names the profile and the exit status */
	write_process_config(conf, counter, exp, 3);
	T_ASSERT_INT(get_once(&cfg, &t, NULL, &cr, &err), BASE_EINVALID);
	T_ASSERT_MSG(strstr(err.message, "profile \"proc\" (credential_process)") != NULL, "%s", err.message);
	T_ASSERT(strstr(err.message, "exit status 3") != NULL);
	unlink(conf);
	unlink(counter);
	creds_end(&cr);
}

void test_aws_creds__web_identity_env(void)
{
	aws_creds_config cfg;
	struct tctx t;
	aws_creds cr;
	aws_error err;
	char tokfile[512];
	const char *home = creds_begin(&cfg, &t, &cr);

	snprintf(tokfile, sizeof tokfile, "%s/web_token", home);
	T_ASSERT_INT(aws_fake_write_file(tokfile, "eyJhbGciOi.payload.sig\n"), 0);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tokfile, 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web", 1);
	setenv("AWS_ROLE_SESSION_NAME", "pod-1", 1);
	T_OK(get_once(&cfg, &t, NULL, &cr, &err));
	T_ASSERT_STR(t.last_op, "AssumeRoleWithWebIdentity");
	T_ASSERT_STR(t.last_signer, "");
	T_ASSERT(strstr(t.last_body, "WebIdentityToken=eyJhbGciOi.payload.sig") != NULL);
	T_ASSERT(strstr(t.last_body, "RoleSessionName=pod-1") != NULL);
	T_ASSERT_STR(cr.access_key, "ASIASTS1");

	unlink(tokfile);
	T_ASSERT_INT(get_once(&cfg, &t, NULL, &cr, &err), BASE_EINVALID);
	T_ASSERT(strstr(err.message, "token file") != NULL);
	creds_end(&cr);
}

void test_aws_creds__ecs_container(void)
{
	aws_creds_config cfg;
	struct tctx t;
	aws_creds cr;
	aws_error err;
	aws_fake *f = aws_fake_new();
	char auth[128], exp[32], body[512];

	creds_begin(&cfg, &t, &cr);
	fmt_iso(t.now + 7200, exp);
	snprintf(body, sizeof body,
		 "{\"AccessKeyId\":\"ASIAECS\",\"SecretAccessKey\":\"ecs-secret\",\"Token\":\"ecs-token\","
		 "\"Expiration\":\"%s\",\"RoleArn\":\"arn:aws:iam::1:role/task\"}", exp);
	aws_fake_push_status(f, 200, "Content-Type: application/json\n", body);
	setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-auth", 1);
	T_OK(get_once(&cfg, &t, f, &cr, &err));
	T_ASSERT_STR(aws_fake_request_at(f, 0)->url, "http://169.254.170.2/v2/credentials/abc");
	T_ASSERT(aws_fake_request_header(f, 0, "Authorization", auth, sizeof auth));
	T_ASSERT_STR(auth, "ecs-auth");
	T_ASSERT_STR(cr.access_key, "ASIAECS");
	T_ASSERT_STR(cr.token, "ecs-token");
	T_ASSERT_INT(cr.expiration, t.now + 7200);

	/* full URIs must be https or a local/ECS address */
	unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://evil.example.com/creds", 1);
	T_ASSERT_INT(get_once(&cfg, &t, f, &cr, &err), BASE_EINVALID);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds", 1);
	aws_fake_push_status(f, 500, NULL, "down");
	T_ASSERT_INT(get_once(&cfg, &t, f, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.code, "NoCredentialProviders");
	T_ASSERT_MSG(strstr(err.message, "HTTP 500") != NULL, "%s", err.message);
	aws_fake_free(f);
	creds_end(&cr);
}

void test_aws_creds__imds_v2(void)
{
	aws_creds_config cfg;
	struct tctx t;
	aws_creds cr;
	aws_error err;
	aws_fake *f = aws_fake_new();
	aws_fake_reply down;
	char tok[64], ttl[16], exp[32], body[512];

	creds_begin(&cfg, &t, &cr);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	/* the fake answers; nothing leaves the process, but point at loopback anyway */
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/", 1);
	fmt_iso(t.now + 21600, exp);
	snprintf(body, sizeof body,
		 "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIAIMDS\",\"SecretAccessKey\":"
		 "\"imds-secret\",\"Token\":\"imds-token\",\"Expiration\":\"%s\"}", exp);
	aws_fake_push_status(f, 200, NULL, "IMDSTOKEN");
	aws_fake_push_status(f, 200, NULL, "my-instance-role\n");
	aws_fake_push_status(f, 200, NULL, body);
	T_OK(get_once(&cfg, &t, f, &cr, &err));
	T_ASSERT_INT(aws_fake_count(f), 3);
	T_ASSERT_STR(aws_fake_request_at(f, 0)->method, "PUT");
	T_ASSERT_STR(aws_fake_request_at(f, 0)->url, "http://127.0.0.1:9/latest/api/token");
	T_ASSERT(aws_fake_request_header(f, 0, "X-aws-ec2-metadata-token-ttl-seconds", ttl, sizeof ttl));
	T_ASSERT_STR(ttl, "21600");
	T_ASSERT_STR(aws_fake_request_at(f, 2)->url,
		     "http://127.0.0.1:9/latest/meta-data/iam/security-credentials/my-instance-role");
	T_ASSERT(aws_fake_request_header(f, 2, "X-aws-ec2-metadata-token", tok, sizeof tok));
	T_ASSERT_STR(tok, "IMDSTOKEN");
	T_ASSERT_STR(cr.access_key, "ASIAIMDS");
	T_ASSERT_INT(cr.expiration, t.now + 21600);

	/* unreachable IMDS as the last resort: the error lists everything tried */
	memset(&down, 0, sizeof down);
	down.failure = AWS_HTTP_ECONNECT_TIMEOUT;
	aws_fake_push(f, &down);
	T_ASSERT_INT(get_once(&cfg, &t, f, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.code, "NoCredentialProviders");
	T_ASSERT(strstr(err.message, "environment") != NULL);
	T_ASSERT(strstr(err.message, "EC2 instance metadata") != NULL);
	aws_fake_free(f);
	creds_end(&cr);
}

void test_aws_creds__iso8601(void)
{
	int64_t t;
	T_ASSERT(aws__parse_iso8601("2015-08-30T12:36:00Z", &t));
	T_ASSERT_INT(t, 1440938160);
	T_ASSERT(aws__parse_iso8601("2015-08-30T12:36:00.123456Z", &t));
	T_ASSERT_INT(t, 1440938160);
	T_ASSERT(aws__parse_iso8601("2015-08-30T14:36:00+02:00", &t));
	T_ASSERT_INT(t, 1440938160);
	T_ASSERT(aws__parse_iso8601("2015-08-30T12:36:00", &t));
	T_ASSERT(!aws__parse_iso8601("2015-08-30", &t));
	T_ASSERT(!aws__parse_iso8601("2015-13-30T12:36:00Z", &t));
	T_ASSERT(!aws__parse_iso8601("2015-08-30T12:36:00Zjunk", &t));
}

/* ---- end to end through the client and moto's STS ---- */

void test_aws_creds__moto_profile_role_and_process(void)
{
	const char *url, *home;
	aws_client_config cfg;
	aws_client *c = NULL;
	aws_error err;
	aws_response resp;
	aws_request req;
	const char *cf[1], *cc[1];
	char conf[512], text[1024], logpath[512];
	char *log;
	int i, logfd;

	home = aws_fake_clean_env();
	url = aws_moto_url();
	if (!url) {
		printf("SKIP test_aws_creds__moto_profile_role_and_process: moto_server not available\n");
		return;
	}
	/* capture a TRACE log of the whole run: it must hold no secret */
	snprintf(logpath, sizeof logpath, "%s/trace.log", home);
	logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	T_ASSERT(logfd >= 0);
	aws_test_log_begin(logfd);
	memset(&cfg, 0, sizeof cfg);
	cfg.region = "us-east-1";
	cfg.profile = "dev";
	cfg.max_retries = -1;
	cf[0] = abs_data("config");
	cc[0] = abs_data("credentials");
	cfg.shared_config_files = cf;
	cfg.n_shared_config_files = 1;
	cfg.shared_credentials_files = cc;
	cfg.n_shared_credentials_files = 1;
	for (i = 0; i < AWS_SVC_COUNT; i++)
		cfg.endpoints[i] = url;
	T_ASSERT_MSG(aws_client_new(&c, &cfg, &err) == BASE_OK, "%s: %s", err.code, err.message);

	req = aws_test_caller_identity_req();
	aws_response_init(&resp);
	T_OK(aws_client_send(c, &req, &resp, &err));
	T_ASSERT_MSG(strstr(base_buf_cstr(&resp.body), "assumed-role/dev-role/dev-session") != NULL, "%s",
		     base_buf_cstr(&resp.body));
	aws_client_free(c);

	/* credential_process through the client */
	snprintf(conf, sizeof conf, "%s/moto_proc_config", home);
	snprintf(text, sizeof text, "[profile proc]\ncredential_process = sh %s\n", abs_data("credential_process.sh"));
	T_ASSERT_INT(aws_fake_write_file(conf, text), 0);
	cf[0] = conf;
	cfg.n_shared_credentials_files = 0;
	cfg.profile = "proc";
	T_ASSERT_MSG(aws_client_new(&c, &cfg, &err) == BASE_OK, "%s: %s", err.code, err.message);
	T_OK(aws_client_send(c, &req, &resp, &err));
	T_ASSERT(strstr(base_buf_cstr(&resp.body), "GetCallerIdentityResult") != NULL);
	aws_client_free(c);

	/* provider-block assume_role on top of static keys */
	cfg.profile = NULL;
	cfg.shared_config_files = NULL;
	cfg.n_shared_config_files = 0;
	cfg.shared_credentials_files = NULL;
	cfg.n_shared_credentials_files = 0;
	cfg.access_key = "AKIDSTATIC";
	cfg.secret_key = "static-secret";
	cfg.assume_role_arn = "arn:aws:iam::123456789012:role/deployer";
	cfg.assume_role_session_name = "tf-run";
	T_ASSERT_MSG(aws_client_new(&c, &cfg, &err) == BASE_OK, "%s: %s", err.code, err.message);
	T_OK(aws_client_send(c, &req, &resp, &err));
	T_ASSERT_MSG(strstr(base_buf_cstr(&resp.body), "assumed-role/deployer/tf-run") != NULL, "%s",
		     base_buf_cstr(&resp.body));
	aws_client_free(c);
	aws_response_dispose(&resp);
	unlink(conf);
	log = aws_test_log_end(logfd, logpath, NULL);
	T_ASSERT(log != NULL);
	T_ASSERT(strstr(log, "aws request") != NULL);
	T_ASSERT(strstr(log, "aws credentials fetched") != NULL);
	T_ASSERT(strstr(log, "base-secret") == NULL);
	T_ASSERT(strstr(log, "static-secret") == NULL);
	T_ASSERT(strstr(log, "process-secret") == NULL);
	T_ASSERT(strstr(log, "SecretAccessKey") == NULL);
	T_ASSERT(strstr(log, "SessionToken") == NULL);
	T_ASSERT(strstr(log, "Signature=") == NULL);
	T_ASSERT(strstr(log, "Authorization") == NULL);
	base_free(log);
	aws_fake_clean_env();
}
