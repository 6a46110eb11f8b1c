/*
 * aws_creds_sso_test.c - IAM Identity Center profiles: cache file naming
 * (SHA-1 vectors computed with Python's hashlib), the expiry decision, and
 * the whole source against the scripted transport with a temp HOME: the
 * portal request, legacy keys, endpoint overrides, OIDC refresh (request
 * body and the rewritten cache), and every "aws sso login" error.
 */
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../fake/aws_fake_env.h"
#include "../../fake/aws_fake_transport.h"
#include "aws/aws_creds.h"
#include "aws/aws_creds_int.h"
#include "base/base_alloc.h"

#define NOW 1800000000LL /* 2027-01-15T08:00:00Z */
#define SESSION_CACHE "0ad374308c5a4e22f723adf10145eafad7c4031c.json" /* sha1("my-sso") */
#define START_URL "https://my-sso-portal.awsapps.com/start"
#define LEGACY_CACHE "c7aaaf71fcc8777ae2475525ed049d39fe16c484.json" /* sha1(START_URL) */
#define DESC "profile \"dev\" (SSO session my-sso, account 111122223333, role Admin)"
#define ROLE_REPLY                                                                                           \
	"{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO\",\"secretAccessKey\":\"sso-secret\","              \
	"\"sessionToken\":\"sso-session-token\",\"expiration\":1800003600000}}"

static int64_t fixed_now(void *ctx)
{
	(void)ctx;
	return NOW;
}

static const char *home_path(const char *rel)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", getenv("HOME"), rel);
	return buf[i];
}

/* Clean env, ~/.aws/config with the session and legacy profiles, empty cache dir. */
static void setup(void)
{
	aws_fake_clean_env();
	mkdir(home_path(".aws"), 0700);
	mkdir(home_path(".aws/sso"), 0700);
	mkdir(home_path(".aws/sso/cache"), 0700);
	unlink(home_path(".aws/sso/cache/" SESSION_CACHE));
	unlink(home_path(".aws/sso/cache/" LEGACY_CACHE));
	T_ASSERT_INT(aws_fake_write_file(home_path(".aws/config"),
	                                 "[profile dev]\nsso_session = my-sso\nsso_account_id = 111122223333\n"
	                                 "sso_role_name = Admin\nregion = us-east-2\n\n"
	                                 "[sso-session my-sso]\nsso_start_url = " START_URL "\n"
	                                 "sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n"
	                                 "[profile legacy]\nsso_start_url = " START_URL "\nsso_region = eu-west-1\n"
	                                 "sso_account_id = 444455556666\nsso_role_name = ReadOnly\n\n"
	                                 "[profile nosession]\nsso_session = gone\nsso_account_id = 1\n"
	                                 "sso_role_name = r\n\n"
	                                 "[profile norole]\nsso_session = my-sso\nsso_account_id = 1\n"),
	             0);
}

/* Writes the session's cache file: token expiring at exp, with a refresh
 * token and client registration when refresh is set. */
static void write_cache(const char *file, int64_t exp, bool refresh)
{
	char text[1024], when[32];
	time_t t = (time_t)exp;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(text, sizeof text,
	         "{\"startUrl\":\"" START_URL "\",\"region\":\"us-east-1\",\"accessToken\":\"tok-1\","
	         "\"expiresAt\":\"%s\"%s}",
	         when,
	         refresh ? ",\"clientId\":\"cid\",\"clientSecret\":\"csec\",\"registrationExpiresAt\":"
	                   "\"2027-06-01T00:00:00Z\",\"refreshToken\":\"ref-1\""
	                 : "");
	T_ASSERT_INT(aws_fake_write_file(home_path(file), text), 0);
}

static int get(const char *profile, aws_fake *f, aws_creds *cr, aws_error *err)
{
	aws_creds_provider *p = NULL;
	aws_creds_config cfg;
	aws_creds_hooks h;
	int rc;
	memset(&cfg, 0, sizeof cfg);
	cfg.profile = profile;
	memset(&h, 0, sizeof h);
	h.transport = &aws_fake_transport;
	h.transport_ctx = f;
	h.now = fixed_now;
	aws_creds_init(cr);
	aws_error_clear(err);
	rc = aws_creds_provider_new(&p, &cfg, &h, err);
	if (rc == BASE_OK)
		rc = aws_creds_provider_get(p, cr, err);
	aws_creds_provider_free(p);
	return rc;
}

void test_aws_creds_sso__cache_name_and_decision(void)
{
	char name[46];
	aws__sso_cache_name("my-sso", name);
	T_ASSERT_STR(name, SESSION_CACHE);
	aws__sso_cache_name(START_URL, name);
	T_ASSERT_STR(name, LEGACY_CACHE);
	aws__sso_cache_name("dev", name);
	T_ASSERT_STR(name, "34c6fceca75e456f25e7e99531e2425c6c1de443.json");

	/* well before expiry: use; inside the 5-minute window: refresh when possible */
	T_ASSERT_INT(aws__sso_decide(NOW, NOW + 301, true), AWS__SSO_USE);
	T_ASSERT_INT(aws__sso_decide(NOW, NOW + 300, true), AWS__SSO_REFRESH);
	T_ASSERT_INT(aws__sso_decide(NOW, NOW - 10, true), AWS__SSO_REFRESH);
	/* no refresh token: use it while it lasts, then log in again */
	T_ASSERT_INT(aws__sso_decide(NOW, NOW + 10, false), AWS__SSO_USE);
	T_ASSERT_INT(aws__sso_decide(NOW, NOW, false), AWS__SSO_LOGIN);
	T_ASSERT_INT(aws__sso_decide(NOW, NOW - 1, false), AWS__SSO_LOGIN);
}

void test_aws_creds_sso__session_profile_gets_role_credentials(void)
{
	aws_fake *f = aws_fake_new();
	aws_creds cr;
	aws_error err;
	char tok[64];
	setup();
	write_cache(".aws/sso/cache/" SESSION_CACHE, NOW + 3600, false);
	aws_fake_push_status(f, 200, "Content-Type: application/json\n", ROLE_REPLY);
	T_ASSERT_MSG(get("dev", f, &cr, &err) == BASE_OK, "%s", err.message);
	T_ASSERT_INT(aws_fake_count(f), 1);
	T_ASSERT_STR(aws_fake_request_at(f, 0)->method, "GET");
	T_ASSERT_STR(aws_fake_request_at(f, 0)->url, "https://portal.sso.us-east-1.amazonaws.com/federation/"
	                                              "credentials?account_id=111122223333&role_name=Admin");
	T_ASSERT(aws_fake_request_header(f, 0, "x-amz-sso_bearer_token", tok, sizeof tok));
	T_ASSERT_STR(tok, "tok-1");
	T_ASSERT(!aws_fake_request_header(f, 0, "Authorization", tok, sizeof tok)); /* not SigV4 */
	T_ASSERT_STR(cr.access_key, "ASIASSO");
	T_ASSERT_STR(cr.secret_key, "sso-secret");
	T_ASSERT_STR(cr.token, "sso-session-token");
	T_ASSERT_INT(cr.expiration, 1800003600);
	T_ASSERT_STR(cr.source, DESC);
	aws_creds_dispose(&cr);
	aws_fake_free(f);
}

void test_aws_creds_sso__legacy_keys_and_endpoint_override(void)
{
	aws_fake *f = aws_fake_new();
	aws_creds cr;
	aws_error err;
	setup();
	write_cache(".aws/sso/cache/" LEGACY_CACHE, NOW + 3600, false);
	setenv("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9/portal/", 1);
	aws_fake_push_status(f, 200, NULL, ROLE_REPLY);
	T_ASSERT_MSG(get("legacy", f, &cr, &err) == BASE_OK, "%s", err.message);
	T_ASSERT_STR(aws_fake_request_at(f, 0)->url,
	             "http://127.0.0.1:9/portal/federation/credentials?account_id=444455556666&role_name=ReadOnly");
	aws_creds_dispose(&cr);
	aws_fake_free(f);
}

void test_aws_creds_sso__expired_or_missing_token_says_sso_login(void)
{
	aws_fake *f = aws_fake_new();
	aws_creds cr;
	aws_error err;
	char want[1024];
	setup();
	/* no cache file */
	T_ASSERT_INT(get("dev", f, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.code, "SSOTokenError");
	snprintf(want, sizeof want,
	         DESC ": no usable cached SSO token (%s does not exist); run `aws sso login --profile dev` and "
	              "try again",
	         home_path(".aws/sso/cache/" SESSION_CACHE));
	T_ASSERT_STR(err.message, want);
	/* not JSON */
	T_ASSERT_INT(aws_fake_write_file(home_path(".aws/sso/cache/" SESSION_CACHE), "{oops"), 0);
	T_ASSERT_INT(get("dev", f, &cr, &err), BASE_EINVALID);
	T_ASSERT(strstr(err.message, "is not valid JSON); run `aws sso login --profile dev`") != NULL);
	/* expired, no refresh token */
	write_cache(".aws/sso/cache/" SESSION_CACHE, NOW - 60, false);
	T_ASSERT_INT(get("dev", f, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, DESC ": the cached SSO token expired at 2027-01-15T07:59:00Z; run `aws sso "
	                          "login --profile dev` and try again");
	T_ASSERT_INT(aws_fake_count(f), 0); /* nothing was sent */
	/* the portal refuses the token */
	write_cache(".aws/sso/cache/" SESSION_CACHE, NOW + 3600, false);
	aws_fake_push_status(f, 401, NULL, "{\"message\":\"Session token not found or invalid\"}");
	T_ASSERT_INT(get("dev", f, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, DESC ": the SSO portal refused the cached token (HTTP 401); run `aws sso login "
	                          "--profile dev` and try again");
	aws_fake_free(f);
}

void test_aws_creds_sso__refresh_through_oidc(void)
{
	aws_fake *f = aws_fake_new();
	aws_creds cr;
	aws_error err;
	char tok[64], ct[64];
	base_buf cache;
	setup();
	write_cache(".aws/sso/cache/" SESSION_CACHE, NOW + 60, true);
	aws_fake_push_status(f, 200, NULL,
	                     "{\"accessToken\":\"tok-2\",\"expiresIn\":28800,\"refreshToken\":\"ref-2\","
	                     "\"tokenType\":\"Bearer\"}");
	aws_fake_push_status(f, 200, NULL, ROLE_REPLY);
	T_ASSERT_MSG(get("dev", f, &cr, &err) == BASE_OK, "%s", err.message);
	T_ASSERT_INT(aws_fake_count(f), 2);
	T_ASSERT_STR(aws_fake_request_at(f, 0)->method, "POST");
	T_ASSERT_STR(aws_fake_request_at(f, 0)->url, "https://oidc.us-east-1.amazonaws.com/token");
	T_ASSERT_STR(aws_fake_request_at(f, 0)->body, "{\"clientId\":\"cid\",\"clientSecret\":\"csec\","
	                                               "\"grantType\":\"refresh_token\",\"refreshToken\":\"ref-1\"}");
	T_ASSERT(aws_fake_request_header(f, 0, "Content-Type", ct, sizeof ct));
	T_ASSERT_STR(ct, "application/json");
	T_ASSERT(aws_fake_request_header(f, 1, "x-amz-sso_bearer_token", tok, sizeof tok));
	T_ASSERT_STR(tok, "tok-2");
	T_ASSERT_STR(cr.access_key, "ASIASSO");
	aws_creds_dispose(&cr);
	/* the cache now holds the new token (other fields kept) */
	base_buf_init(&cache, 0);
	T_OK(aws__read_file(home_path(".aws/sso/cache/" SESSION_CACHE), 65536, &cache));
	T_ASSERT_STR(base_buf_cstr(&cache),
	             "{\"startUrl\":\"" START_URL "\",\"region\":\"us-east-1\",\"clientId\":\"cid\","
	             "\"clientSecret\":\"csec\",\"registrationExpiresAt\":\"2027-06-01T00:00:00Z\","
	             "\"accessToken\":\"tok-2\",\"expiresAt\":\"2027-01-15T16:00:00Z\",\"refreshToken\":\"ref-2\"}");
	base_buf_dispose(&cache);

	/* an endpoint for SSO OIDC from the environment */
	write_cache(".aws/sso/cache/" SESSION_CACHE, NOW + 60, true);
	setenv("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9", 1);
	aws_fake_push_status(f, 200, NULL, "{\"accessToken\":\"tok-3\",\"expiresIn\":3600}");
	aws_fake_push_status(f, 200, NULL, ROLE_REPLY);
	T_ASSERT_MSG(get("dev", f, &cr, &err) == BASE_OK, "%s", err.message);
	T_ASSERT_STR(aws_fake_request_at(f, 2)->url, "http://127.0.0.1:9/token");
	aws_creds_dispose(&cr);
	aws_fake_free(f);
}

void test_aws_creds_sso__failed_refresh(void)
{
	aws_fake *f = aws_fake_new();
	aws_creds cr;
	aws_error err;
	char tok[64];
	setup();
	/* still valid for a minute: a failed refresh is not fatal */
	write_cache(".aws/sso/cache/" SESSION_CACHE, NOW + 60, true);
	aws_fake_push_status(f, 400, NULL, "{\"error\":\"invalid_grant\"}");
	aws_fake_push_status(f, 200, NULL, ROLE_REPLY);
	T_ASSERT_MSG(get("dev", f, &cr, &err) == BASE_OK, "%s", err.message);
	T_ASSERT(aws_fake_request_header(f, 1, "x-amz-sso_bearer_token", tok, sizeof tok));
	T_ASSERT_STR(tok, "tok-1");
	aws_creds_dispose(&cr);
	/* expired: the user has to log in again */
	write_cache(".aws/sso/cache/" SESSION_CACHE, NOW - 1, true);
	aws_fake_push_status(f, 400, NULL, "{\"error\":\"invalid_grant\"}");
	T_ASSERT_INT(get("dev", f, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, DESC ": the SSO token expired and refreshing it failed (SSO OIDC CreateToken: POST "
	                          "https://oidc.us-east-1.amazonaws.com/token: HTTP 400); run `aws sso login "
	                          "--profile dev` and try again");
	T_ASSERT_INT(aws_fake_count(f), 3);
	aws_fake_free(f);
}

void test_aws_creds_sso__configuration_errors(void)
{
	aws_fake *f = aws_fake_new();
	aws_creds cr;
	aws_error err;
	setup();
	T_ASSERT_INT(get("nosession", f, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, "profile \"nosession\": sso_session \"gone\" has no [sso-session gone] section");
	T_ASSERT_INT(get("norole", f, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, "profile \"norole\": an SSO profile needs sso_account_id and sso_role_name");
	setenv("AWS_ENDPOINT_URL_SSO", "ftp://x", 1);
	T_ASSERT_INT(get("dev", f, &cr, &err), BASE_EINVALID);
	T_ASSERT_STR(err.message, "AWS_ENDPOINT_URL_SSO: endpoint URL for sso must be "
	                          "http(s)://host[:port][/path], got \"ftp://x\"");
	T_ASSERT_INT(aws_fake_count(f), 0);
	aws_fake_free(f);
}
