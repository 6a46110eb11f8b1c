/*
 * aws_http_proxy.h - which HTTP proxy, if any, a request goes through, read
 * from the environment the way libcurl reads it (libcurl honoured these
 * variables; our own HTTP/1.1 client must keep doing so).
 *
 * Pure apart from the injected variable reader: no sockets, no clock.
 *
 * THREAD SAFETY: reentrant (as reentrant as the getenv_fn given).
 */
#ifndef AWS_HTTP_PROXY_H
#define AWS_HTTP_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include "base/base_err.h"

typedef struct aws_http_proxy {
	char host[256]; /* proxy host; IPv6 without brackets */
	bool host_is_ip6;
	/* 1080 when the proxy URL gives none: what libcurl documents for -x / CURLOPT_PROXY
	 * ("443 for https proxies and 1080 for all others") and what the libcurl we replace
	 * (7.88) does. curl 8.21+ connects to 80 instead, a change its own docs do not
	 * follow; we keep the documented port so a working setup keeps working. */
	int port;
	char auth[512]; /* "Basic <base64(user:password)>" for Proxy-Authorization, "" when no userinfo */
} aws_http_proxy;

/* Reads a variable; NULL when unset. Tests pass their own; NULL = getenv. */
typedef const char *(*aws_http_getenv_fn)(const char *name);

/*
 * Whether a request to a host (as in the URL, IPv6 without brackets) on port,
 * over https or http, goes through a proxy, read from the environment the way
 * curl reads it:
 *   https requests: https_proxy, then HTTPS_PROXY; http requests: http_proxy only
 *   (never HTTP_PROXY: a CGI-style server may set it from a request header,
 *   "httpoxy"); then all_proxy, then ALL_PROXY. An empty value counts as unset.
 *   no_proxy, then NO_PROXY (an empty no_proxy counts as unset too):
 *   comma-separated entries (spaces around entries ignored); "*" alone (the whole
 *   value) matches every host; an entry matches the host exactly or as a domain
 *   suffix on a label boundary ("example.com" and ".example.com" both match
 *   "example.com" and "a.example.com", not "badexample.com"); case-insensitive;
 *   an entry may carry ":port", then it matches only that port; an IPv4/IPv6 entry
 *   with "/bits" is a CIDR and matches an IP host literal inside it (IPv6 entries
 *   may be written with or without brackets; ":port" on an IPv6 entry needs the
 *   brackets). An IP entry without bits matches the same address (compared as an
 *   address: "::1" matches "0:0::1"). When the host is an IP literal, entries match
 *   it only as addresses, never as domain suffixes. Malformed entries match nothing.
 *   As in curl, no_proxy is applied before the proxy URL is looked at: a request it
 *   exempts goes direct even when the proxy variable is unusable.
 * Proxy URL forms: "http://[user[:password]@]host[:port][/]" or the same without a
 * scheme (taken as http); the scheme is case-insensitive. host is a name (letters,
 * digits, '-', '_', '.'; no empty label), a dotted-quad IPv4 address or an IPv6
 * address in brackets; port is 1-65535. userinfo (up to the last '@') is
 * percent-decoded before base64; a decoded user name may not contain ':' and
 * neither part may contain control characters. Any other scheme (https://,
 * socks4://, socks5://, ...) is unsupported.
 * Returns 1 with *out filled when a proxy applies, 0 when the request goes direct,
 * BASE_EINVALID when the chosen variable holds a URL we cannot use; then err
 * (errcap bytes) names the variable and what is wrong, WITHOUT echoing any part of
 * the value (so never a password), e.g. "https_proxy: only http:// proxies are
 * supported" or "HTTPS_PROXY: port out of range". *out is zeroed unless 1 is
 * returned; err is "" unless BASE_EINVALID is (err may be NULL when errcap is 0).
 */
BASE_MUST_USE int aws_http_proxy_for(bool https, const char *host, int port, aws_http_getenv_fn getenv_fn,
                                     aws_http_proxy *out, char *err, size_t errcap);

#endif
