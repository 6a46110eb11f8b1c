/*
 * aws_http_proxy.c - proxy selection from the environment (curl's rules).
 *
 * Three steps: pick the variable (scheme-specific, then all_proxy), let
 * no_proxy exempt the request, then parse the proxy URL strictly. Error text
 * is static and never contains any part of the variable's value: a proxy URL
 * may carry a password, and errors end up in diagnostics and logs.
 */
#include "aws/aws_http_proxy.h"

#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base_buf.h"
#include "base/base_str.h"

/* curl's default for a proxy URL without a port (see the header). */
#define DEFAULT_PROXY_PORT 1080

static int bad(const char **why, const char *text)
{
	*why = text;
	return BASE_EINVALID;
}

/* The value of a variable, NULL when unset or empty. */
static const char *env_get(aws_http_getenv_fn getenv_fn, const char *name)
{
	const char *v = getenv_fn ? getenv_fn(name) : getenv(name);
	return v && *v ? v : NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* s as a CIDR prefix length 0-128 (no sign, no leading zero); -1 when it is not one. */
static int bits_parse(const char *s)
{
	int v = 0;
	size_t n = strlen(s);
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (; *s; s++) {
		if (!is_digit(*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= 128 ? v : -1;
}

/* s[0..n) as a port: 0 ok, -1 not a decimal number, -2 outside 1-65535. */
static int port_parse(const char *s, size_t n, int *port)
{
	int v = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return -1;
	if (n > 5)
		return -2;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	if (v < 1 || v > 65535)
		return -2;
	*port = v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* no_proxy                                                            */
/* ------------------------------------------------------------------ */

struct ipaddr {
	unsigned char a[16];
	unsigned len; /* 4 or 16 */
};

/* s as an IPv4 (dotted-quad) or IPv6 literal, without brackets. */
static bool ip_parse(const char *s, struct ipaddr *ip)
{
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->len = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, ip->a) == 1) {
		ip->len = 16;
		return true;
	}
	return false;
}

/* Whether the first bits bits of a and b are equal. */
static bool prefix_eq(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	size_t full = bits / 8;
	unsigned rem = bits % 8;
	if (memcmp(a, b, full) != 0)
		return false;
	if (rem == 0)
		return true;
	unsigned char mask = (unsigned char)(0xffu << (8 - rem));
	return (a[full] & mask) == (b[full] & mask);
}

/* The request, as the matcher sees it. */
struct target {
	const char *host;
	size_t hlen; /* without a trailing '.' */
	bool is_ip;
	struct ipaddr ip;
	int port;
};

/* One no_proxy entry with brackets and ":port" taken off. */
struct entry {
	char host[300]; /* name or address, without "/bits" */
	int bits;       /* -1 when the entry has no "/bits" */
	int port;       /* 0 when the entry names none */
};

/*
 * Splits the entry e[0..n) (trimmed, non-empty): "[addr]", "[addr]/bits",
 * "[addr/bits]", each optionally followed by ":port"; unbracketed, a single
 * ':' introduces a port and two or more make an IPv6 address. false when
 * malformed (such an entry matches nothing).
 */
static bool entry_parse(const char *e, size_t n, struct entry *out)
{
	const char *end = e + n, *port = NULL;
	size_t len;
	if (n >= sizeof out->host)
		return false;
	if (e[0] == '[') {
		const char *rb = memchr(e, ']', n);
		if (!rb)
			return false;
		len = (size_t)(rb - e - 1);
		memcpy(out->host, e + 1, len);
		const char *p = rb + 1;
		const char *bits_end = p < end && *p == '/' ? p + 1 + strspn(p + 1, "0123456789") : p;
		if (bits_end > end)
			bits_end = end;
		memcpy(out->host + len, p, (size_t)(bits_end - p));
		len += (size_t)(bits_end - p);
		if (bits_end < end && *bits_end != ':')
			return false;
		port = bits_end < end ? bits_end + 1 : NULL;
	} else {
		const char *colon = memchr(e, ':', n);
		if (colon && !memchr(colon + 1, ':', (size_t)(end - colon - 1)))
			port = colon + 1;
		len = port ? (size_t)(port - 1 - e) : n;
		memcpy(out->host, e, len);
	}
	out->host[len] = '\0';
	out->port = 0;
	if (port && port_parse(port, (size_t)(end - port), &out->port) != 0)
		return false;
	out->bits = -1;
	char *slash = strchr(out->host, '/');
	if (slash) {
		*slash = '\0';
		out->bits = bits_parse(slash + 1);
		if (out->bits < 0)
			return false;
	}
	return out->host[0] != '\0';
}

/* A name entry: the host equals it or ends with "." + it; case-insensitive. */
static bool name_matches(const char *name, const struct target *t)
{
	size_t n;
	if (*name == '.')
		name++;
	n = strlen(name);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > t->hlen)
		return false;
	if (strncasecmp(t->host + t->hlen - n, name, n) != 0)
		return false;
	return n == t->hlen || t->host[t->hlen - n - 1] == '.';
}

static bool entry_matches(const struct entry *en, const struct target *t)
{
	struct ipaddr ip;
	bool is_ip = ip_parse(en->host, &ip);
	if (en->port && en->port != t->port)
		return false;
	if (en->bits >= 0) {
		if (!is_ip || !t->is_ip || ip.len != t->ip.len || (unsigned)en->bits > ip.len * 8)
			return false;
		return prefix_eq(ip.a, t->ip.a, (unsigned)en->bits);
	}
	if (t->is_ip || is_ip)
		return is_ip && t->is_ip && ip.len == t->ip.len && memcmp(ip.a, t->ip.a, ip.len) == 0;
	return name_matches(en->host, t);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Whether the no_proxy list exempts host:port. */
static bool no_proxy_matches(const char *list, const char *host, int port)
{
	struct target t = {.host = host, .hlen = strlen(host), .port = port};
	const char *p = list + strspn(list, " \t");
	size_t n = strlen(p);
	while (n > 0 && is_blank(p[n - 1]))
		n--;
	if (n == 1 && p[0] == '*')
		return true;
	t.is_ip = ip_parse(host, &t.ip);
	if (!t.is_ip && t.hlen > 0 && host[t.hlen - 1] == '.')
		t.hlen--;
	for (p = list;; p++) {
		const char *e = p + strspn(p, " \t");
		p = e + strcspn(e, ",");
		size_t en = (size_t)(p - e);
		while (en > 0 && is_blank(e[en - 1]))
			en--;
		struct entry ent;
		if (en > 0 && entry_parse(e, en, &ent) && entry_matches(&ent, &t))
			return true;
		if (*p == '\0')
			return false;
	}
}

/* ------------------------------------------------------------------ */
/* The proxy URL                                                       */
/* ------------------------------------------------------------------ */

/*
 * Percent-decodes s[0..n) and appends it to b. A decoded control character
 * is refused, and in a user name a ':' (it would end the name in Basic).
 */
static int pct_decode(base_buf *b, const char *s, size_t n, bool is_user, const char **why)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int hi = n - i >= 3 ? base_hexval(s[i + 1]) : -1;
			int lo = n - i >= 3 ? base_hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return bad(why,
				           "invalid percent-encoding in the proxy user name or password");
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if ((unsigned char)c < 0x20 || c == 0x7f)
			return bad(why, "control character in the proxy user name or password");
		if (is_user && c == ':')
			return bad(why, "':' in the proxy user name");
		if (base_buf_putc(b, c) != BASE_OK)
			return bad(why, "proxy user name and password too long");
	}
	return BASE_OK;
}

/* userinfo ui[0..n) ("user[:password]") -> out->auth; nothing when n is 0. */
static int set_auth(const char *ui, size_t n, aws_http_proxy *out, const char **why)
{
	const char *colon = memchr(ui, ':', n);
	size_t un = colon ? (size_t)(colon - ui) : n;
	base_buf creds, b64;
	int rc;
	if (n == 0)
		return BASE_OK;
	/* the most decoded bytes whose padded base64 fits auth after "Basic " */
	base_buf_init(&creds, (sizeof out->auth - sizeof "Basic ") / 4 * 3);
	base_buf_init(&b64, 0);
	rc = pct_decode(&creds, ui, un, true, why);
	if (rc == BASE_OK && base_buf_putc(&creds, ':') != BASE_OK)
		rc = bad(why, "proxy user name and password too long");
	if (rc == BASE_OK && colon)
		rc = pct_decode(&creds, colon + 1, n - un - 1, false, why);
	if (rc == BASE_OK)
		rc = base_str_base64_encode(&b64, base_buf_cstr(&creds), creds.len, true);
	if (rc == BASE_OK && (size_t)snprintf(out->auth, sizeof out->auth, "Basic %s", base_buf_cstr(&b64)) >=
	                             sizeof out->auth)
		rc = bad(why, "proxy user name and password too long");
	base_buf_dispose(&creds);
	base_buf_dispose(&b64);
	return rc;
}

/* Letters, digits, '-', '_' and '.' with no empty label; all-numeric must be a dotted quad. */
static int host_name_check(const char *h, const char **why)
{
	size_t label = 0;
	bool numeric = true;
	for (const char *p = h; *p; p++) {
		if (*p == '.') {
			if (label == 0)
				return bad(why, "invalid proxy host name");
			label = 0;
		} else if (is_digit(*p) || is_alpha(*p) || *p == '-' || *p == '_') {
			numeric = numeric && is_digit(*p);
			label++;
		} else {
			return bad(why, "invalid proxy host name");
		}
	}
	if (label == 0)
		return bad(why, "invalid proxy host name");
	unsigned char a4[4];
	if (numeric && inet_pton(AF_INET, h, a4) != 1)
		return bad(why, "invalid proxy IPv4 address");
	return BASE_OK;
}

/* The authority after userinfo, h[0..n): host[:port] or [ipv6][:port]. */
static int parse_hostport(const char *h, size_t n, aws_http_proxy *out, const char **why)
{
	const char *end = h + n, *hend;
	if (n > 0 && h[0] == '[') {
		const char *rb = memchr(h, ']', n);
		unsigned char a6[16];
		if (!rb)
			return bad(why, "unterminated IPv6 address in the proxy URL");
		size_t hl = (size_t)(rb - h - 1);
		if (hl >= sizeof out->host)
			return bad(why, "invalid proxy IPv6 address");
		memcpy(out->host, h + 1, hl);
		out->host[hl] = '\0';
		if (inet_pton(AF_INET6, out->host, a6) != 1)
			return bad(why, "invalid proxy IPv6 address");
		out->host_is_ip6 = true;
		hend = rb + 1;
	} else {
		hend = memchr(h, ':', n);
		if (!hend)
			hend = end;
		size_t hl = (size_t)(hend - h);
		if (hl == 0)
			return bad(why, "the proxy URL has no host");
		if (hl >= sizeof out->host)
			return bad(why, "proxy host name too long");
		memcpy(out->host, h, hl);
		out->host[hl] = '\0';
		if (host_name_check(out->host, why) != BASE_OK)
			return BASE_EINVALID;
	}
	out->port = DEFAULT_PROXY_PORT;
	if (hend == end)
		return BASE_OK;
	if (*hend != ':')
		return bad(why, "invalid proxy host");
	switch (port_parse(hend + 1, (size_t)(end - hend - 1), &out->port)) {
	case 0:
		return BASE_OK;
	case -2:
		return bad(why, "port out of range");
	default:
		return bad(why, "invalid port");
	}
}

/* The length of a "scheme://" prefix of url, 0 when there is none. */
static size_t scheme_len(const char *url)
{
	size_t n;
	if (!is_alpha(url[0]))
		return 0;
	n = 1 + strspn(url + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	return strncmp(url + n, "://", 3) == 0 ? n + 3 : 0;
}

static int parse_url(const char *url, aws_http_proxy *out, const char **why)
{
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return bad(why, "whitespace or control character in the proxy URL");
	size_t sl = scheme_len(url);
	if (sl > 0 && !(sl == 7 && strncasecmp(url, "http", 4) == 0))
		return bad(why, "only http:// proxies are supported");
	const char *auth = url + sl;
	size_t n = strcspn(auth, "/?#");
	if (auth[n] != '\0' && strcmp(auth + n, "/") != 0)
		return bad(why, "a path, query or fragment is not allowed in the proxy URL");
	/* userinfo runs to the last '@': a host never contains one */
	size_t at = n;
	while (at > 0 && auth[at - 1] != '@')
		at--;
	if (at > 0) {
		if (set_auth(auth, at - 1, out, why) != BASE_OK)
			return BASE_EINVALID;
	}
	return parse_hostport(auth + at, n - at, out, why);
}

/* ------------------------------------------------------------------ */

int aws_http_proxy_for(bool https, const char *host, int port, aws_http_getenv_fn getenv_fn,
                       aws_http_proxy *out, char *err, size_t errcap)
{
	static const char *const https_vars[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
	                                         NULL};
	/* never HTTP_PROXY (httpoxy: CGI turns a "Proxy:" request header into it) */
	static const char *const http_vars[] = {"http_proxy", "all_proxy", "ALL_PROXY", NULL};
	const char *const *vars = https ? https_vars : http_vars;
	const char *var = NULL, *url = NULL, *why = NULL;

	assert(host && out && (err || errcap == 0));
	memset(out, 0, sizeof *out);
	if (errcap)
		err[0] = '\0';
	for (; *vars && !url; vars++) {
		var = *vars;
		url = env_get(getenv_fn, var);
	}
	if (!url)
		return 0;
	const char *np = env_get(getenv_fn, "no_proxy");
	if (!np)
		np = env_get(getenv_fn, "NO_PROXY");
	if (np && no_proxy_matches(np, host, port))
		return 0;
	if (parse_url(url, out, &why) != BASE_OK) {
		memset(out, 0, sizeof *out);
		if (errcap)
			snprintf(err, errcap, "%s: %s", var, why);
		return BASE_EINVALID;
	}
	return 1;
}
