/*
 * aws_url.h - a strict parser for the absolute http(s) URLs the credential
 * chain is given (AWS_CONTAINER_CREDENTIALS_FULL_URI), and the rule of
 * which hosts may receive the container authorization token over plain
 * http.
 *
 * Accepted form: scheme "http" or "https" (any case) "://", a host (a DNS
 * name of letters, digits, '-' and '.', a dotted-quad IPv4 address, or an
 * IPv6 address in brackets), an optional ":port" (1-65535), then nothing or
 * a path/query starting with '/' or '?'. No userinfo ('@' anywhere in the
 * authority), no whitespace or control characters anywhere.
 *
 * THREAD SAFETY: reentrant.
 */
#ifndef AWS_URL_H
#define AWS_URL_H

#include <stdbool.h>
#include <stddef.h>
#include "base/base_err.h"

typedef struct aws_url {
	bool https;
	char host[256]; /* without brackets for IPv6, as written otherwise */
	bool host_is_ip6;
	int port;         /* 0 when not given */
	const char *rest; /* borrowed: the path/query part ("" when none) */
} aws_url;

/*
 * Parses url into *out. BASE_OK, or BASE_EINVALID with *why (static text)
 * saying what is wrong.
 */
BASE_MUST_USE int aws_url_parse(const char *url, aws_url *out, const char **why);

/*
 * The ECS/EKS container-credentials rule: https to any host, or http to a
 * loopback host only (127.0.0.0/8, "localhost", [::1]) or to the ECS
 * (169.254.170.2) or EKS (169.254.170.23, [fd00:ec2::23]) agent. BASE_OK,
 * or BASE_EINVALID with *why.
 */
BASE_MUST_USE int aws_url_check_container_endpoint(const char *url, const char **why);

#endif
