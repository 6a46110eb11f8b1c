/*
 * aws_creds_profile_test.c - INI parsing of the shared files: profile,
 * [sso-session x] and [services x] sections, nested sub-properties,
 * comments, case of keys, last value wins; and a profile's settings.
 */
#include "t.h"

#include "aws/aws_creds_int.h"
#include "base/base_alloc.h"

static const char CONFIG[] =
        "# comment\n"
        "[default]\n"
        "region = us-west-1\n"
        "[profile dev]\n"
        "Region = eu-west-2 \r\n"
        "services = local\n"
        "endpoint_url = http://127.0.0.1:7000\n"
        "ignore_configured_endpoint_urls = TRUE\n"
        "s3 =\n"
        "  max_concurrent_requests = 20\n"
        "; another comment\n"
        "[sso-session my-sso]\n"
        "sso_start_url = https://x.awsapps.com/start\n"
        "sso_region = us-east-1\n"
        "[services local]\n"
        "ec2 =\n"
        "  endpoint_url = http://127.0.0.1:7001\n"
        "lambda =\n"
        "\tendpoint_url = http://127.0.0.1:7002\n"
        "  other = x\n"
        "sts = not-nested\n"
        "[plugins]\n"
        "cli_legacy_plugin_path = /x\n"
        "[profile dev]\n"
        "region = ap-south-1\n";

void test_aws_creds_profile__ini_sections(void)
{
	aws__ini ini;
	memset(&ini, 0, sizeof ini);
	base_buf_init(&ini.files, 0);
	aws__ini_parse(&ini, CONFIG, sizeof CONFIG - 1, true);
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_PROFILE, "default", "region"), "us-west-1");
	/* keys are case-insensitive, values trimmed, the last value wins */
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_PROFILE, "dev", "region"), "ap-south-1");
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_PROFILE, "dev", "s3.max_concurrent_requests"), "20");
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_SSO_SESSION, "my-sso", "sso_region"), "us-east-1");
	T_ASSERT(aws__ini_get(&ini, AWS__INI_PROFILE, "my-sso", "sso_region") == NULL);
	T_ASSERT(aws__ini_has(&ini, AWS__INI_SSO_SESSION, "my-sso"));
	T_ASSERT(!aws__ini_has(&ini, AWS__INI_PROFILE, "my-sso"));
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_SERVICES, "local", "ec2.endpoint_url"), "http://127.0.0.1:7001");
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_SERVICES, "local", "lambda.endpoint_url"), "http://127.0.0.1:7002");
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_SERVICES, "local", "lambda.other"), "x");
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_SERVICES, "local", "sts"), "not-nested");
	/* unknown section kinds are skipped */
	T_ASSERT(!aws__ini_has(&ini, AWS__INI_PROFILE, "plugins"));

	aws_profile_settings ps;
	aws__profile_settings_from_ini(&ini, "dev", &ps);
	T_ASSERT_STR(ps.name, "dev");
	T_ASSERT_STR(ps.region, "ap-south-1");
	T_ASSERT_STR(ps.endpoint_url, "http://127.0.0.1:7000");
	T_ASSERT_STR(ps.services, "local");
	T_ASSERT_INT(ps.ignore_configured_endpoint_urls, 1);
	T_ASSERT_INT(ps.n_services, 2);
	T_ASSERT_STR(ps.service_key[0], "ec2");
	T_ASSERT_STR(ps.service_url[0], "http://127.0.0.1:7001");
	T_ASSERT_STR(ps.service_key[1], "lambda");
	aws_profile_settings_dispose(&ps);
	aws__profile_settings_from_ini(&ini, "default", &ps);
	T_ASSERT_INT(ps.n_services, 0);
	T_ASSERT_INT(ps.ignore_configured_endpoint_urls, -1);
	T_ASSERT(ps.endpoint_url == NULL);
	aws_profile_settings_dispose(&ps);
	aws__ini_dispose(&ini);
}

void test_aws_creds_profile__credentials_file_sections(void)
{
	static const char CREDS[] = "[default]\naws_access_key_id = A\n[profile x]\nk = v\n[sso-session y]\nk = w\n";
	aws__ini ini;
	memset(&ini, 0, sizeof ini);
	base_buf_init(&ini.files, 0);
	/* in the credentials file every section is a profile, named as written */
	aws__ini_parse(&ini, CREDS, sizeof CREDS - 1, false);
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_PROFILE, "default", "aws_access_key_id"), "A");
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_PROFILE, "profile x", "k"), "v");
	T_ASSERT_STR(aws__ini_get(&ini, AWS__INI_PROFILE, "sso-session y", "k"), "w");
	T_ASSERT(!aws__ini_has(&ini, AWS__INI_SSO_SESSION, "y"));
	aws__ini_dispose(&ini);
}
