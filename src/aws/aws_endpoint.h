/*
 * aws_endpoint.h - which base URL a service is called at, in the AWS SDKs'
 * order:
 *   1. the provider's endpoints block
 *   2. AWS_ENDPOINT_URL_<SERVICE> (service key upper-cased: EC2, SSO_OIDC)
 *   3. AWS_ENDPOINT_URL
 *   4. the profile's `services` section: "<key> =\n  endpoint_url = URL"
 *   5. the profile's endpoint_url
 *   6. the default (the caller's)
 * Steps 2-5 are skipped when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true",
 * or when it is unset and the profile has ignore_configured_endpoint_urls
 * = true. Reads the environment; otherwise pure. Thread-safe as long as
 * nobody changes the environment meanwhile.
 */
#ifndef AWS_ENDPOINT_H
#define AWS_ENDPOINT_H

#include <stdbool.h>
#include "aws/aws_creds.h"

typedef struct aws_endpoint_query {
	const char *service_key;             /* "ec2" "iam" "sts" "lambda" "sso" "sso_oidc" */
	const char *block_url;               /* endpoints block value; NULL = not set */
	const aws_profile_settings *profile; /* NULL = none */
} aws_endpoint_query;

/*
 * The configured base URL (borrowed from q or the environment) or NULL
 * when none is configured. origin (cap 128) names where it came from, for
 * messages: "endpoints block", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL",
 * "services \"x\" of profile \"p\"", "endpoint_url of profile \"p\"".
 */
const char *aws_endpoint_configured(const aws_endpoint_query *q, char origin[128]);

/* True for "http(s)://host[:port][/path]" without spaces, '?' or '#'. */
bool aws_endpoint_url_ok(const char *u);

#endif
