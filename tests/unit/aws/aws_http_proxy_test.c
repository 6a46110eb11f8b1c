/* aws_http_proxy_test.c - proxy selection from the environment: which variable,
 * no_proxy, the proxy URL forms, and errors that never echo a password. */
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "aws/aws_http_proxy.h"

/* The fake environment: name/value pairs, NULL-terminated (tests run one at a time). */
static const char *const *g_env;

static const char *fake_getenv(const char *name)
{
	for (const char *const *e = g_env; e && e[0]; e += 2)
		if (strcmp(e[0], name) == 0)
			return e[1];
	return NULL;
}

static char g_err[256];

/* aws_http_proxy_for on the environment env. */
static int proxy_for(const char *const *env, bool https, const char *host, int port, aws_http_proxy *p)
{
	g_env = env;
	return aws_http_proxy_for(https, host, port, fake_getenv, p, g_err, sizeof g_err);
}

/* Whether a request to host:port goes direct under no_proxy np with a proxy set. */
static bool direct(const char *np, const char *host, int port)
{
	const char *env[] = {"https_proxy", "proxy.corp:3128", "no_proxy", np, NULL};
	aws_http_proxy p;
	return proxy_for(env, true, host, port, &p) == 0;
}

void test_aws_http_proxy__scheme_selection(void)
{
	const char *all[] = {"https_proxy", "a.example:1", "HTTPS_PROXY", "b.example:2", "http_proxy",
	                     "c.example:3", "HTTP_PROXY",  "d.example:4", "all_proxy",   "e.example:5",
	                     "ALL_PROXY",   "f.example:6", NULL};
	aws_http_proxy p;
	T_ASSERT_INT(proxy_for(all, true, "ec2.amazonaws.com", 443, &p), 1);
	T_ASSERT_STR(p.host, "a.example");
	T_ASSERT_INT(p.port, 1);
	T_ASSERT(!p.host_is_ip6);
	T_ASSERT_STR(p.auth, "");
	T_ASSERT_STR(g_err, "");
	T_ASSERT_INT(proxy_for(all, false, "127.0.0.1", 5000, &p), 1);
	T_ASSERT_STR(p.host, "c.example");
	T_ASSERT_INT(p.port, 3);

	const char *upper[] = {"HTTPS_PROXY", "b.example:2", "all_proxy", "e.example:5", NULL};
	T_ASSERT_INT(proxy_for(upper, true, "h", 443, &p), 1);
	T_ASSERT_STR(p.host, "b.example");

	/* HTTP_PROXY is never read (httpoxy); http requests fall back to all_proxy */
	const char *httpoxy[] = {"HTTP_PROXY", "d.example:4", "all_proxy", "e.example:5",
	                         "ALL_PROXY",  "f.example:6", NULL};
	T_ASSERT_INT(proxy_for(httpoxy, false, "h", 80, &p), 1);
	T_ASSERT_STR(p.host, "e.example");
	const char *only_upper_http[] = {"HTTP_PROXY", "d.example:4", NULL};
	T_ASSERT_INT(proxy_for(only_upper_http, false, "h", 80, &p), 0);
	T_ASSERT_STR(p.host, "");
	/* ... and https requests never read http_proxy */
	const char *only_http[] = {"http_proxy", "c.example:3", NULL};
	T_ASSERT_INT(proxy_for(only_http, true, "h", 443, &p), 0);

	const char *all_upper[] = {"ALL_PROXY", "f.example:6", NULL};
	T_ASSERT_INT(proxy_for(all_upper, true, "h", 443, &p), 1);
	T_ASSERT_STR(p.host, "f.example");
	T_ASSERT_INT(proxy_for(all_upper, false, "h", 80, &p), 1);
	T_ASSERT_STR(p.host, "f.example");

	/* empty values count as unset */
	const char *empty[] = {
	        "https_proxy", "",  "HTTPS_PROXY", "", "http_proxy", "", "all_proxy", "", "ALL_PROXY",
	        "f.example:6", NULL};
	T_ASSERT_INT(proxy_for(empty, true, "h", 443, &p), 1);
	T_ASSERT_STR(p.host, "f.example");
	T_ASSERT_INT(proxy_for(empty, false, "h", 80, &p), 1);
	T_ASSERT_STR(p.host, "f.example");
	const char *all_empty[] = {"https_proxy", "", "HTTPS_PROXY", "", "all_proxy", "",
	                           "ALL_PROXY",   "", NULL};
	T_ASSERT_INT(proxy_for(all_empty, true, "h", 443, &p), 0);
	const char *none[] = {NULL};
	T_ASSERT_INT(proxy_for(none, true, "h", 443, &p), 0);
	T_ASSERT_STR(g_err, "");
}

void test_aws_http_proxy__no_proxy_names(void)
{
	T_ASSERT(direct("*", "anything.example", 443));
	T_ASSERT(direct(" * ", "10.0.0.1", 443));
	/* as in curl, "*" is special only as the whole value */
	T_ASSERT(!direct("a.example,*", "b.example", 443));

	for (int i = 0; i < 2; i++) {
		const char *np = i == 0 ? "example.com" : ".example.com";
		T_ASSERT_MSG(direct(np, "example.com", 443), "%s", np);
		T_ASSERT_MSG(direct(np, "a.example.com", 443), "%s", np);
		T_ASSERT_MSG(direct(np, "x.y.example.com", 443), "%s", np);
		T_ASSERT_MSG(direct(np, "A.Example.COM", 443), "%s", np);
		T_ASSERT_MSG(direct(np, "a.example.com.", 443), "%s", np);
		T_ASSERT_MSG(!direct(np, "badexample.com", 443), "%s", np);
		T_ASSERT_MSG(!direct(np, "example.com.evil", 443), "%s", np);
		T_ASSERT_MSG(!direct(np, "com", 443), "%s", np);
	}
	T_ASSERT(direct("EXAMPLE.com", "api.example.COM", 443));
	T_ASSERT(direct("localhost", "localhost", 5000));

	/* lists, spaces around entries, empty entries */
	T_ASSERT(direct(" foo.test ,  ,example.com  ", "s3.example.com", 443));
	T_ASSERT(direct("foo.test,\texample.com\t", "example.com", 443));
	T_ASSERT(!direct(" foo.test , bar.test ", "example.com", 443));

	/* port-qualified */
	T_ASSERT(direct("example.com:8443", "a.example.com", 8443));
	T_ASSERT(!direct("example.com:8443", "a.example.com", 443));
	T_ASSERT(direct("other.test,example.com:443", "example.com", 443));

	/* malformed entries match nothing, the rest of the list still counts */
	T_ASSERT(!direct("example.com:0", "example.com", 443));
	T_ASSERT(!direct("example.com:x", "example.com", 443));
	T_ASSERT(direct("example.com:0,example.com", "example.com", 443));
	/* a name entry never matches an IP host as a suffix */
	T_ASSERT(!direct("0.1", "127.0.0.1", 443));
}

void test_aws_http_proxy__no_proxy_addresses(void)
{
	T_ASSERT(direct("127.0.0.1", "127.0.0.1", 5000));
	T_ASSERT(!direct("127.0.0.1", "127.0.0.2", 5000));
	T_ASSERT(direct("127.0.0.1:5000", "127.0.0.1", 5000));
	T_ASSERT(!direct("127.0.0.1:5000", "127.0.0.1", 5001));

	/* CIDR v4 */
	T_ASSERT(direct("10.0.0.0/8", "10.1.2.3", 443));
	T_ASSERT(!direct("10.0.0.0/8", "11.0.0.1", 443));
	T_ASSERT(direct("192.168.1.0/24", "192.168.1.255", 443));
	T_ASSERT(!direct("192.168.1.0/24", "192.168.2.1", 443));
	T_ASSERT(direct("172.16.0.0/12", "172.31.255.1", 443));
	T_ASSERT(!direct("172.16.0.0/12", "172.32.0.1", 443));
	T_ASSERT(direct("0.0.0.0/0", "8.8.8.8", 443));
	T_ASSERT(direct("10.0.0.0/8:443", "10.9.9.9", 443));
	T_ASSERT(!direct("10.0.0.0/8:443", "10.9.9.9", 80));
	T_ASSERT(!direct("10.0.0.0/8", "ten.example", 443));
	T_ASSERT(!direct("10.0.0.0/8", "::ffff:10.0.0.1", 443));
	T_ASSERT(!direct("10.0.0.0/33", "10.0.0.1", 443));
	T_ASSERT(!direct("10.0.0.0/", "10.0.0.1", 443));
	T_ASSERT(!direct("10.0.0.0/08", "10.0.0.1", 443));

	/* IPv6, with or without brackets */
	T_ASSERT(direct("::1", "::1", 443));
	T_ASSERT(direct("::1", "0:0:0::1", 443));
	T_ASSERT(direct("[::1]", "::1", 443));
	T_ASSERT(direct("[::1]:8080", "::1", 8080));
	T_ASSERT(!direct("[::1]:8080", "::1", 8081));
	T_ASSERT(direct("fd00::/8", "fd12:3456::1", 443));
	T_ASSERT(!direct("fd00::/8", "fe80::1", 443));
	T_ASSERT(direct("[fd00:ec2::]/32", "fd00:ec2::23", 443));
	T_ASSERT(direct("[fd00:ec2::/32]", "fd00:ec2:0:1::5", 443));
	T_ASSERT(!direct("[fd00:ec2::]/32", "fd00:ec3::23", 443));
	T_ASSERT(direct("[2001:db8::]/48:443", "2001:db8:0:1::1", 443));
	T_ASSERT(!direct("[2001:db8::]/48:443", "2001:db8:0:1::1", 80));
	T_ASSERT(direct("2001:db8::/127", "2001:db8::1", 443));
	T_ASSERT(!direct("2001:db8::/128", "2001:db8::1", 443));
	T_ASSERT(!direct("fd00::/8", "10.0.0.1", 443));
	T_ASSERT(!direct("fd00::/129", "fd00::1", 443));
	T_ASSERT(!direct("[::1", "::1", 443));
	T_ASSERT(direct("example.com, fd00::/8 ,10.0.0.0/8", "fd00::1", 443));
}

void test_aws_http_proxy__no_proxy_variables(void)
{
	aws_http_proxy p;
	const char *upper[] = {"https_proxy", "proxy.corp", "NO_PROXY", "example.com", NULL};
	T_ASSERT_INT(proxy_for(upper, true, "example.com", 443, &p), 0);
	const char *lower_wins[] = {"https_proxy", "proxy.corp",  "no_proxy", "other.test",
	                            "NO_PROXY",    "example.com", NULL};
	T_ASSERT_INT(proxy_for(lower_wins, true, "example.com", 443, &p), 1);
	T_ASSERT_INT(proxy_for(lower_wins, true, "other.test", 443, &p), 0);
	const char *empty_lower[] = {"https_proxy", "proxy.corp",  "no_proxy", "",
	                             "NO_PROXY",    "example.com", NULL};
	T_ASSERT_INT(proxy_for(empty_lower, true, "example.com", 443, &p), 0);
	/* as in curl, no_proxy is applied first: an exempt request ignores an unusable proxy */
	const char *bad[] = {"https_proxy", "socks5://proxy.corp", "no_proxy", "localhost,127.0.0.0/8", NULL};
	T_ASSERT_INT(proxy_for(bad, true, "127.0.0.1", 5000, &p), 0);
	T_ASSERT_STR(g_err, "");
	T_ASSERT_INT(proxy_for(bad, true, "ec2.amazonaws.com", 443, &p), BASE_EINVALID);
}

void test_aws_http_proxy__userinfo(void)
{
	static const struct {
		const char *url, *host, *auth;
		int port;
	} rows[] = {
	        /* "user:p@ss w" */
	        {"http://user:p%40ss%20w@proxy.example:3128/", "proxy.example",
	         "Basic dXNlcjpwQHNzIHc=", 3128},
	        /* "alice:" (a user without a password, as curl sends it) */
	        {"alice@proxy.example", "proxy.example", "Basic YWxpY2U6", 1080},
	        /* "bob:s3cr3t/:%", lowercase and uppercase hex */
	        {"http://bob:s3cr3t%2f%3A%25@10.0.0.1:8080", "10.0.0.1", "Basic Ym9iOnMzY3IzdC86JQ==", 8080},
	        /* "Aladdin:open sesame" (RFC 7617's example) */
	        {"HTTP://Aladdin:open%20sesame@proxy", "proxy", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", 1080},
	        /* userinfo runs to the last '@': "u:p@ss" */
	        {"http://u:p@ss@proxy:3128", "proxy", "Basic dTpwQHNz", 3128},
	        /* ":x", an empty user name */
	        {"http://:x@proxy:3128", "proxy", "Basic Ong=", 3128},
	        /* a bare '@' carries no credentials */
	        {"http://@proxy:3128", "proxy", "", 3128},
	        {"http://proxy:3128", "proxy", "", 3128},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *env[] = {"https_proxy", rows[i].url, NULL};
		aws_http_proxy p;
		int rc = proxy_for(env, true, "sts.amazonaws.com", 443, &p);
		T_ASSERT_MSG(rc == 1, "%s: rc %d (%s)", rows[i].url, rc, g_err);
		T_ASSERT_STR(p.host, rows[i].host);
		T_ASSERT_INT(p.port, rows[i].port);
		T_ASSERT_STR(p.auth, rows[i].auth);
	}
}

void test_aws_http_proxy__host_forms_and_default_port(void)
{
	static const struct {
		const char *url, *host;
		bool ip6;
		int port;
	} rows[] = {
	        {"proxy.corp", "proxy.corp", false, 1080},
	        {"proxy.corp/", "proxy.corp", false, 1080},
	        {"http://proxy.corp", "proxy.corp", false, 1080},
	        {"http://proxy.corp/", "proxy.corp", false, 1080},
	        {"Http://Proxy_1.corp-x.example:8080", "Proxy_1.corp-x.example", false, 8080},
	        {"proxy:3128", "proxy", false, 3128},
	        {"10.0.0.1:3128", "10.0.0.1", false, 3128},
	        {"http://127.0.0.1:65535", "127.0.0.1", false, 65535},
	        {"http://proxy:1", "proxy", false, 1},
	        {"http://[fd00::5]:3128", "fd00::5", true, 3128},
	        {"[::1]", "::1", true, 1080},
	        {"http://u:pw@[2001:db8::1]:8080/", "2001:db8::1", true, 8080},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *env[] = {"http_proxy", rows[i].url, NULL};
		aws_http_proxy p;
		int rc = proxy_for(env, false, "example.com", 80, &p);
		T_ASSERT_MSG(rc == 1, "%s: rc %d (%s)", rows[i].url, rc, g_err);
		T_ASSERT_STR(p.host, rows[i].host);
		T_ASSERT_INT(p.host_is_ip6, rows[i].ip6);
		T_ASSERT_INT(p.port, rows[i].port);
	}
}

void test_aws_http_proxy__rejected(void)
{
	static const struct {
		const char *url, *why;
	} rows[] = {
	        {"https://u:hunter2@proxy:443", "only http:// proxies are supported"},
	        {"socks5://u:hunter2@proxy:1080", "only http:// proxies are supported"},
	        {"socks5h://u:hunter2@proxy", "only http:// proxies are supported"},
	        {"socks4://proxy", "only http:// proxies are supported"},
	        {"httpx://u:hunter2@proxy", "only http:// proxies are supported"},
	        {"http://u:hunter2@proxy:0", "port out of range"},
	        {"http://u:hunter2@proxy:65536", "port out of range"},
	        {"http://u:hunter2@proxy:99999999999", "port out of range"},
	        {"http://u:hunter2@proxy:80x", "invalid port"},
	        {"http://u:hunter2@proxy:", "invalid port"},
	        {"http://u:hunter2@proxy:-1", "invalid port"},
	        {"http://u:hunter2@proxy:3128/path", "path"},
	        {"http://u:hunter2@proxy:3128//", "path"},
	        {"http://u:hunter2@proxy:3128?x=1", "query"},
	        {"http://u:hunter2@proxy:3128#f", "fragment"},
	        {"u:hunter2@proxy:3128/x", "path"},
	        {"http://u:hunter2@proxy :3128", "whitespace"},
	        {" http://u:hunter2@proxy:3128", "whitespace"},
	        {"http://u:hunter2@proxy:3128\r\nX: y", "whitespace or control character"},
	        {"http://u:hunter2@pro\txy", "whitespace"},
	        {"http://u:hunter2@pro!xy", "invalid proxy host name"},
	        {"http://u:hunter2@a..b", "invalid proxy host name"},
	        {"http://u:hunter2@proxy.", "invalid proxy host name"},
	        {"http://u:hunter2@1.2.3", "invalid proxy IPv4 address"},
	        {"http://u:hunter2@[fd00::zz]:3128", "invalid proxy IPv6 address"},
	        {"http://u:hunter2@[::1:3128", "unterminated IPv6 address"},
	        {"http://u:hunter2@[::1]x", "invalid proxy host"},
	        {"http://u:hunter2@", "no host"},
	        {"http://u:hunter2@:3128", "no host"},
	        {"http://u:hunter2%zz@proxy", "invalid percent-encoding"},
	        {"http://u:hunter2%4@proxy", "invalid percent-encoding"},
	        {"http://u%3Ax:hunter2@proxy", "':' in the proxy user name"},
	        {"http://u:hunter2%0A@proxy", "control character in the proxy user name or password"},
	        {"http://u:hunter2%00@proxy", "control character"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *env[] = {"https_proxy", rows[i].url, NULL};
		aws_http_proxy p;
		int rc = proxy_for(env, true, "ec2.amazonaws.com", 443, &p);
		T_ASSERT_MSG(rc == BASE_EINVALID, "%s: rc %d", rows[i].url, rc);
		T_ASSERT_MSG(strncmp(g_err, "https_proxy: ", 13) == 0 && strstr(g_err, rows[i].why),
		             "%s: \"%s\"", rows[i].url, g_err);
		T_ASSERT_MSG(!strstr(g_err, "hunter2") && !strchr(g_err, '@'),
		             "%s: error echoes the value: \"%s\"", rows[i].url, g_err);
		T_ASSERT_STR(p.host, "");
		T_ASSERT_STR(p.auth, "");
		T_ASSERT_INT(p.port, 0);
	}
}

void test_aws_http_proxy__error_text(void)
{
	aws_http_proxy p;
	const char *scheme[] = {"https_proxy", "https://user:hunter2@proxy.corp", NULL};
	T_ASSERT_INT(proxy_for(scheme, true, "h", 443, &p), BASE_EINVALID);
	T_ASSERT_STR(g_err, "https_proxy: only http:// proxies are supported");
	const char *port[] = {"HTTPS_PROXY", "http://user:hunter2@proxy.corp:70000", NULL};
	T_ASSERT_INT(proxy_for(port, true, "h", 443, &p), BASE_EINVALID);
	T_ASSERT_STR(g_err, "HTTPS_PROXY: port out of range");
	const char *all[] = {"ALL_PROXY", "socks5://proxy.corp", NULL};
	T_ASSERT_INT(proxy_for(all, false, "h", 80, &p), BASE_EINVALID);
	T_ASSERT_STR(g_err, "ALL_PROXY: only http:// proxies are supported");

	/* credentials longer than auth[] holds: refused, not truncated */
	char url[600];
	int n = snprintf(url, sizeof url, "http://u:");
	memset(url + n, 'a', 400);
	snprintf(url + n + 400, sizeof url - (size_t)n - 400, "@proxy.corp");
	const char *long_creds[] = {"http_proxy", url, NULL};
	T_ASSERT_INT(proxy_for(long_creds, false, "h", 80, &p), BASE_EINVALID);
	T_ASSERT_STR(g_err, "http_proxy: proxy user name and password too long");
	/* the longest that fits: 378 decoded bytes -> 504 base64 characters */
	n = snprintf(url, sizeof url, "http://u:");
	memset(url + n, 'a', 376);
	snprintf(url + n + 376, sizeof url - (size_t)n - 376, "@proxy.corp");
	T_ASSERT_INT(proxy_for(long_creds, false, "h", 80, &p), 1);
	T_ASSERT_INT(strlen(p.auth), 6 + 504);

	/* a small or absent error buffer is never overrun */
	char small[8];
	g_env = scheme;
	T_ASSERT_INT(aws_http_proxy_for(true, "h", 443, fake_getenv, &p, small, sizeof small), BASE_EINVALID);
	T_ASSERT_STR(small, "https_p");
	T_ASSERT_INT(aws_http_proxy_for(true, "h", 443, fake_getenv, &p, NULL, 0), BASE_EINVALID);
}
