/*
 * aws_sigv4.h - AWS Signature Version 4 as a pure function (STYLE C11).
 *
 * Inputs (method, wire path and query, headers, body or its hash, scope,
 * credentials, timestamp) go in; the canonical request, string to sign,
 * signature and Authorization value come out. No clock, no environment, no
 * I/O. Rules follow AWS.md section 6 and pass the AWS SigV4 test suite
 * byte for byte (tests/unit/aws/aws_sigv4_test.c).
 *
 * THREAD SAFETY: reentrant; results are per call.
 */
#ifndef AWS_SIGV4_H
#define AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_buf.h"
#include "base/base_err.h"

/* One header as sent on the wire (name in any case, value untrimmed). */
typedef struct aws_sigv4_header {
	const char *name;
	const char *value;
} aws_sigv4_header;

/*
 * What to sign. Every pointer is borrowed for the call.
 *   method          "GET", "POST", ...
 *   path            the path exactly as sent (may contain %XX escapes and raw
 *                   bytes); NULL or "" means "/"
 *   query           the query string without '?', NULL = none
 *   headers         every header to sign, as sent; must include Host (with
 *                   ":port" when not default). Do NOT include X-Amz-Date,
 *                   X-Amz-Security-Token or x-amz-content-sha256: the signer
 *                   adds those itself (see aws_sigv4_result).
 *   body/body_len   the exact body bytes (hashed unless payload_hash is set)
 *   payload_hash    lowercase hex SHA-256 of the body, or NULL to compute it
 *   region/service  credential scope ("us-east-1", "ec2")
 *   access_key/secret_key/session_token   credentials (token may be NULL)
 *   amz_date        "YYYYMMDDTHHMMSSZ" (see aws_sigv4_amz_date)
 *   normalize_path  remove "." / ".." segments and duplicate slashes (all
 *                   services but S3)
 *   double_encode   percent-encode the wire path again, so "%3A" signs as
 *                   "%253A" (all services but S3); false keeps existing
 *                   escapes and encodes only other reserved bytes
 *   omit_token      sign without x-amz-security-token (legacy "token after"
 *                   flow); the caller still sends the header
 *   add_content_sha256  sign an x-amz-content-sha256 header carrying the
 *                   payload hash (S3 needs it; optional elsewhere)
 */
typedef struct aws_sigv4_params {
	const char *method;
	const char *path;
	const char *query;
	const aws_sigv4_header *headers;
	size_t n_headers;
	const void *body;
	size_t body_len;
	const char *payload_hash;
	const char *region, *service;
	const char *access_key, *secret_key, *session_token;
	const char *amz_date;
	bool normalize_path;
	bool double_encode;
	bool omit_token;
	bool add_content_sha256;
} aws_sigv4_params;

/*
 * The result. The caller must send, besides its own headers:
 *   X-Amz-Date: <amz_date>
 *   X-Amz-Security-Token: <token>        when a session token was given
 *   x-amz-content-sha256: <payload_hash> when add_content_sha256
 *   Authorization: <authorization>
 * canonical_request / string_to_sign are exposed for tests and debugging;
 * they contain no secret but the signature and Authorization value are
 * secrets-adjacent and must never be logged.
 */
typedef struct aws_sigv4_result {
	base_buf canonical_request;
	base_buf string_to_sign;
	base_buf authorization;
	char signature[65];
	char payload_hash[65];
} aws_sigv4_result;

/* Initialises a result (caller-allocated). */
void aws_sigv4_result_init(aws_sigv4_result *r);
/* Frees a result and wipes the signature. NULL is fine. */
void aws_sigv4_result_dispose(aws_sigv4_result *r);

/*
 * Signs. Fills r (previous contents are replaced). Returns BASE_OK, or
 * BASE_EINVALID when a required field is missing or amz_date is malformed,
 * or a header name/value contains a byte that cannot be signed (NUL-free
 * C strings are assumed; CR/LF inside a value is folded to a space).
 */
BASE_MUST_USE int aws_sigv4_sign(const aws_sigv4_params *p, aws_sigv4_result *r);

/* Formats unix time t (UTC) as "YYYYMMDDTHHMMSSZ" into out (17 bytes). */
void aws_sigv4_amz_date(int64_t t, char out[17]);

/*
 * The canonical URI of a path (exposed for tests and for the client's
 * logs). Appends to out. Same rules as in aws_sigv4_sign.
 */
BASE_MUST_USE int aws_sigv4_canonical_uri(base_buf *out, const char *path, bool normalize,
                                          bool double_encode);
/* The canonical query string of query (NULL = ""). Appends to out. */
BASE_MUST_USE int aws_sigv4_canonical_query(base_buf *out, const char *query);

#endif
