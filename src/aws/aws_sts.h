/*
 * aws_sts.h - typed STS operations (query protocol, Version 2011-06-15).
 *
 * Two layers: the client calls (conventions as in aws_ec2.h) and pure
 * encode/parse functions that the credential code (aws_creds.c) can use
 * with its own signing credentials, without an aws_client.
 * Thread-safe.
 */
#ifndef AWS_STS_H
#define AWS_STS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_err.h"
#include "aws/aws_client.h"
#include "aws/aws_error.h"
#include "aws/aws_query.h"
#include "aws/aws_types.h"

#define AWS_STS_API_VERSION "2011-06-15"

typedef struct aws_sts_identity {
	const char *account, *arn, *user_id;
} aws_sts_identity;

typedef struct aws_sts_credentials {
	const char *access_key_id, *secret_access_key, *session_token;
	const char *expiration;       /* ISO 8601 UTC, e.g. 2026-11-26T20:41:00Z */
	const char *assumed_role_arn; /* AssumedRoleUser/Arn */
	const char *assumed_role_id;  /* AssumedRoleUser/AssumedRoleId */
} aws_sts_credentials;

typedef struct aws_sts_assume_role_in {
	const char *role_arn;     /* required */
	const char *session_name; /* required (RoleSessionName) */
	const char *external_id;  /* NULL = none */
	const char *policy;       /* session policy JSON, NULL = none */
	int64_t duration_seconds; /* 0 = default (3600) */
	aws_tags tags;            /* session tags: Tags.member.N.Key/Value */
} aws_sts_assume_role_in;

typedef struct aws_sts_web_identity_in {
	const char *role_arn;           /* required */
	const char *session_name;       /* required */
	const char *web_identity_token; /* required (file contents) */
	int64_t duration_seconds;       /* 0 = default */
} aws_sts_web_identity_in;

/* GetCallerIdentity. */
BASE_MUST_USE int aws_sts_get_caller_identity(aws_client *c, base_arena *a, aws_sts_identity *out,
                                              aws_error *err);
/* AssumeRole through the client's own credentials. */
BASE_MUST_USE int aws_sts_assume_role(aws_client *c, base_arena *a, const aws_sts_assume_role_in *in,
                                      aws_sts_credentials *out, aws_error *err);
/* AssumeRoleWithWebIdentity (unsigned on AWS; sent signed here, harmless). */
BASE_MUST_USE int aws_sts_assume_role_with_web_identity(aws_client *c, base_arena *a,
                                                        const aws_sts_web_identity_in *in,
                                                        aws_sts_credentials *out, aws_error *err);

/* ---- pure parts (no client) ---- */

/* Initialises q with the AssumeRole / AssumeRoleWithWebIdentity form body.
 * The caller disposes q (aws_query_dispose) and checks aws_query_done. */
void aws_sts_encode_assume_role(aws_query *q, const aws_sts_assume_role_in *in);
void aws_sts_encode_assume_role_with_web_identity(aws_query *q, const aws_sts_web_identity_in *in);
/* Parses an AssumeRole*Response body (<Credentials> anywhere in it).
 * BASE_EINVALID when not XML or the credentials are missing. */
BASE_MUST_USE int aws_sts_parse_credentials(base_arena *a, const char *body, size_t len,
                                            aws_sts_credentials *out);
/* Parses a GetCallerIdentityResponse body. BASE_EINVALID when malformed. */
BASE_MUST_USE int aws_sts_parse_identity(base_arena *a, const char *body, size_t len, aws_sts_identity *out);

#endif
