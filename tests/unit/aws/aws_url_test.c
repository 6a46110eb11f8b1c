/* aws_url_test.c - the strict URL parser and the container-endpoint rule
 * (issue 12: http://127.0.0.1@host.example/ and http://127.host.example/
 * were accepted by a prefix test). */
#include <string.h>

#include "t.h"
#include "aws/aws_url.h"

void test_aws_url__parse_parts(void)
{
	aws_url u;
	const char *why;
	T_OK(aws_url_parse("http://127.0.0.1:8080/creds?x=1", &u, &why));
	T_ASSERT(!u.https);
	T_ASSERT_STR(u.host, "127.0.0.1");
	T_ASSERT_INT(u.port, 8080);
	T_ASSERT_STR(u.rest, "/creds?x=1");
	T_OK(aws_url_parse("HTTPS://Example.COM", &u, &why));
	T_ASSERT(u.https);
	T_ASSERT_STR(u.host, "Example.COM");
	T_ASSERT_INT(u.port, 0);
	T_ASSERT_STR(u.rest, "");
	T_OK(aws_url_parse("http://[fd00:ec2::23]:80/v1", &u, &why));
	T_ASSERT(u.host_is_ip6);
	T_ASSERT_STR(u.host, "fd00:ec2::23");
	T_ASSERT_INT(u.port, 80);
}

void test_aws_url__container_endpoint_rule(void)
{
	static const struct {
		const char *url;
		int rc;
		const char *why; /* part of the reason when refused */
	} rows[] = {
	        {"http://127.0.0.1/creds", BASE_OK, NULL},
	        {"http://127.0.0.1:51679/creds", BASE_OK, NULL},
	        {"http://127.1.2.3/", BASE_OK, NULL},
	        {"http://localhost:8080/", BASE_OK, NULL},
	        {"http://[::1]/", BASE_OK, NULL},
	        {"http://169.254.170.2/v2/credentials/x", BASE_OK, NULL},
	        {"http://169.254.170.23/v1/credentials", BASE_OK, NULL},
	        {"http://[fd00:ec2::23]/v1/credentials", BASE_OK, NULL},
	        {"https://creds.example.com/x", BASE_OK, NULL},
	        /* the two bypasses of the old prefix test */
	        {"http://127.0.0.1@host.example/", BASE_EINVALID, "user information"},
	        {"http://127.host.example/", BASE_EINVALID, "plain http"},
	        {"https://user@creds.example.com/", BASE_EINVALID, "user information"},
	        {"http://127.0.0.1:80@host.example/", BASE_EINVALID, "user information"},
	        {"http://169.254.170.22/", BASE_EINVALID, "plain http"},
	        {"http://169.254.170.2.host.example/", BASE_EINVALID, "plain http"},
	        {"http://localhost.host.example/", BASE_EINVALID, "plain http"},
	        {"http://[::2]/", BASE_EINVALID, "plain http"},
	        {"http://0x7f000001/", BASE_EINVALID, "plain http"},
	        {"http://2130706433/", BASE_EINVALID, "plain http"},
	        {"http://127.0.0.1:0/", BASE_EINVALID, "port"},
	        {"http://127.0.0.1:65536/", BASE_EINVALID, "port"},
	        {"http://127.0.0.1:80x/", BASE_EINVALID, "port"},
	        {"http://127.0.0.1 /", BASE_EINVALID, "whitespace"},
	        {"http://127.0.0.1/\r\nX: y", BASE_EINVALID, "control"},
	        {"http:///creds", BASE_EINVALID, "no host"},
	        {"http://[::1/", BASE_EINVALID, "IPv6"},
	        {"http://[zz::1]/", BASE_EINVALID, "IPv6"},
	        {"http://a..b/", BASE_EINVALID, "host name"},
	        {"http://127.0.0.1#x", BASE_EINVALID, "fragment"},
	        {"ftp://127.0.0.1/", BASE_EINVALID, "scheme"},
	        {"127.0.0.1/creds", BASE_EINVALID, "scheme"},
	        {"", BASE_EINVALID, "scheme"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *why = NULL;
		int rc = aws_url_check_container_endpoint(rows[i].url, &why);
		T_ASSERT_MSG(rc == rows[i].rc, "%s: rc %d (%s)", rows[i].url, rc, why ? why : "");
		if (rows[i].why)
			T_ASSERT_MSG(why && strstr(why, rows[i].why), "%s: reason \"%s\"", rows[i].url,
			             why ? why : "(none)");
	}
}
