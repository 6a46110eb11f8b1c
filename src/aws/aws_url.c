/*
 * aws_url.c - strict absolute-URL parsing and the container-endpoint rule.
 *
 * A prefix test ("starts with http://127.") is not a host test: it lets
 * http://127.0.0.1@evil.example/ (userinfo) and http://127.evil.example/
 * (a DNS name) through. Here the authority is split exactly and the host
 * is compared as an address (inet_pton), never as text.
 */
#include "aws/aws_url.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Letters, digits, '-' and '.' only, no empty label. */
static bool dns_name_ok(const char *h)
{
	size_t label = 0;
	if (!*h)
		return false;
	for (; *h; h++) {
		if (*h == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (is_alnum(*h) || *h == '-') {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

static bool no_ctl_or_space(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* ":port" at p (or nothing); sets *port. */
static bool port_ok(const char *p, size_t n, int *port)
{
	*port = 0;
	if (n == 0)
		return true;
	if (p[0] != ':' || n < 2 || n > 6)
		return false;
	int v = 0;
	for (size_t i = 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*port = v;
	return v >= 1 && v <= 65535;
}

static int bad(const char **why, const char *text)
{
	*why = text;
	return BASE_EINVALID;
}

/* Splits the authority auth[0..n) into host and port. */
static int parse_authority(const char *auth, size_t n, aws_url *out, const char **why)
{
	const char *hend;
	if (memchr(auth, '@', n))
		return bad(why, "user information (\"user@\") is not allowed in the URL");
	if (n > 0 && auth[0] == '[') {
		hend = memchr(auth, ']', n);
		if (!hend || (size_t)(hend - auth - 1) >= sizeof out->host)
			return bad(why, "unterminated IPv6 address");
		memcpy(out->host, auth + 1, (size_t)(hend - auth - 1));
		out->host[hend - auth - 1] = '\0';
		unsigned char a6[16];
		if (inet_pton(AF_INET6, out->host, a6) != 1)
			return bad(why, "invalid IPv6 address");
		out->host_is_ip6 = true;
		hend++;
	} else {
		hend = memchr(auth, ':', n);
		if (!hend)
			hend = auth + n;
		if ((size_t)(hend - auth) >= sizeof out->host)
			return bad(why, "host name too long");
		memcpy(out->host, auth, (size_t)(hend - auth));
		out->host[hend - auth] = '\0';
		if (!dns_name_ok(out->host))
			return bad(why, "invalid host name");
	}
	if (!port_ok(hend, n - (size_t)(hend - auth), &out->port))
		return bad(why, "invalid port");
	return BASE_OK;
}

int aws_url_parse(const char *url, aws_url *out, const char **why)
{
	memset(out, 0, sizeof *out);
	*why = NULL;
	if (!url || !no_ctl_or_space(url))
		return bad(why, "the URL is empty or contains whitespace or control characters");
	const char *auth;
	if (strncasecmp(url, "https://", 8) == 0) {
		out->https = true;
		auth = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		auth = url + 7;
	} else {
		return bad(why, "the scheme must be http or https");
	}
	size_t n = strcspn(auth, "/?#");
	if (auth[n] == '#')
		return bad(why, "a fragment is not allowed in the URL");
	if (n == 0)
		return bad(why, "the URL has no host");
	out->rest = auth + n;
	return parse_authority(auth, n, out, why);
}

static bool ip4_allowed(const char *host)
{
	unsigned char a[4];
	if (inet_pton(AF_INET, host, a) != 1)
		return false;
	if (a[0] == 127)
		return true;
	return a[0] == 169 && a[1] == 254 && a[2] == 170 && (a[3] == 2 || a[3] == 23);
}

static bool ip6_allowed(const char *host)
{
	unsigned char a[16], lo[16], eks[16];
	if (inet_pton(AF_INET6, host, a) != 1 || inet_pton(AF_INET6, "::1", lo) != 1 ||
	    inet_pton(AF_INET6, "fd00:ec2::23", eks) != 1)
		return false;
	return memcmp(a, lo, 16) == 0 || memcmp(a, eks, 16) == 0;
}

int aws_url_check_container_endpoint(const char *url, const char **why)
{
	aws_url u;
	if (aws_url_parse(url, &u, why) != BASE_OK)
		return BASE_EINVALID;
	if (u.https)
		return BASE_OK;
	bool ok = u.host_is_ip6 ? ip6_allowed(u.host)
	                        : strcasecmp(u.host, "localhost") == 0 || ip4_allowed(u.host);
	if (!ok)
		return bad(why, "plain http is allowed only to a loopback address or the ECS/EKS agent "
		                "(169.254.170.2, 169.254.170.23, [fd00:ec2::23])");
	return BASE_OK;
}
