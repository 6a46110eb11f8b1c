/*
 * aws_endpoint_test.c - the endpoint order: endpoints block,
 * AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's services
 * section, its endpoint_url, nothing; and both ways of ignoring the
 * configured ones.
 */
#include "t.h"

#include <stdlib.h>

#include "../../fake/aws_fake_env.h"
#include "aws/aws_endpoint.h"

static aws_profile_settings profile(void)
{
	static char name[] = "dev", svc[] = "local", ek[] = "ec2", eu[] = "http://127.0.0.1:7001",
	            ok[] = "sso_oidc", ou[] = "http://127.0.0.1:7002", all[] = "http://127.0.0.1:7000";
	aws_profile_settings ps;
	memset(&ps, 0, sizeof ps);
	ps.name = name;
	ps.services = svc;
	ps.service_key[0] = ek;
	ps.service_url[0] = eu;
	ps.service_key[1] = ok;
	ps.service_url[1] = ou;
	ps.n_services = 2;
	ps.endpoint_url = all;
	ps.ignore_configured_endpoint_urls = -1;
	return ps;
}

static const char *resolve(const char *key, const char *block, const aws_profile_settings *ps, char origin[128])
{
	aws_endpoint_query q = {key, block, ps};
	return aws_endpoint_configured(&q, origin);
}

void test_aws_endpoint__order(void)
{
	aws_profile_settings ps = profile();
	char o[128];
	aws_fake_clean_env();
	/* 6: nothing configured */
	T_ASSERT(resolve("ec2", NULL, NULL, o) == NULL);
	T_ASSERT_STR(o, "");
	/* 5: the profile's endpoint_url for services without an entry */
	T_ASSERT_STR(resolve("lambda", NULL, &ps, o), "http://127.0.0.1:7000");
	T_ASSERT_STR(o, "endpoint_url of profile \"dev\"");
	/* 4: the services section */
	T_ASSERT_STR(resolve("ec2", NULL, &ps, o), "http://127.0.0.1:7001");
	T_ASSERT_STR(o, "services \"local\" of profile \"dev\"");
	T_ASSERT_STR(resolve("sso_oidc", NULL, &ps, o), "http://127.0.0.1:7002");
	/* 3: AWS_ENDPOINT_URL beats the profile */
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:8000", 1);
	T_ASSERT_STR(resolve("ec2", NULL, &ps, o), "http://127.0.0.1:8000");
	T_ASSERT_STR(o, "AWS_ENDPOINT_URL");
	/* 2: the service's own variable (key upper-cased) */
	setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:8001", 1);
	setenv("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:8002", 1);
	T_ASSERT_STR(resolve("ec2", NULL, &ps, o), "http://127.0.0.1:8001");
	T_ASSERT_STR(o, "AWS_ENDPOINT_URL_EC2");
	T_ASSERT_STR(resolve("sso_oidc", NULL, &ps, o), "http://127.0.0.1:8002");
	T_ASSERT_STR(resolve("lambda", NULL, &ps, o), "http://127.0.0.1:8000");
	/* 1: the endpoints block wins over everything */
	T_ASSERT_STR(resolve("ec2", "http://127.0.0.1:9000", &ps, o), "http://127.0.0.1:9000");
	T_ASSERT_STR(o, "endpoints block");
	/* empty values do not count */
	setenv("AWS_ENDPOINT_URL_EC2", "", 1);
	T_ASSERT_STR(resolve("ec2", "", &ps, o), "http://127.0.0.1:8000");
	aws_fake_clean_env();
}

void test_aws_endpoint__ignore_configured(void)
{
	aws_profile_settings ps = profile();
	char o[128];
	aws_fake_clean_env();
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:8000", 1);
	/* from the environment */
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	T_ASSERT(resolve("ec2", NULL, &ps, o) == NULL);
	T_ASSERT_STR(resolve("ec2", "http://127.0.0.1:9000", &ps, o), "http://127.0.0.1:9000");
	/* from the profile */
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	ps.ignore_configured_endpoint_urls = 1;
	T_ASSERT(resolve("ec2", NULL, &ps, o) == NULL);
	/* the variable set to false overrides the profile */
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false", 1);
	T_ASSERT_STR(resolve("ec2", NULL, &ps, o), "http://127.0.0.1:8000");
	aws_fake_clean_env();
}

void test_aws_endpoint__url_ok(void)
{
	T_ASSERT(aws_endpoint_url_ok("http://127.0.0.1:5000"));
	T_ASSERT(aws_endpoint_url_ok("https://example.com/prefix/"));
	T_ASSERT(!aws_endpoint_url_ok("ftp://example.com"));
	T_ASSERT(!aws_endpoint_url_ok("http://"));
	T_ASSERT(!aws_endpoint_url_ok("http:///x"));
	T_ASSERT(!aws_endpoint_url_ok("http://a b"));
	T_ASSERT(!aws_endpoint_url_ok("http://a?x=1"));
	T_ASSERT(!aws_endpoint_url_ok(NULL));
}
