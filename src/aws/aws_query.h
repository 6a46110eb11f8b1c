/*
 * aws_query.h - form-body encoding for the EC2 and AWS query protocols.
 *
 * An aws_query is a caller-allocated builder around a base_buf. Parameters
 * are appended in call order as `key=value` joined by '&'; keys and values
 * are percent-encoded with RFC 3986 rules (unreserved A-Z a-z 0-9 - _ . ~
 * verbatim, everything else %XX uppercase; space is %20, never '+'), which
 * is what AWS and SigV4 expect. The body starts with Action=<op>&Version=<v>.
 *
 * List conventions (AWS.md 1.2):
 *  - EC2 protocol:   <Name>.<n>            (1-based), nested ".Field"
 *  - query protocol: <Name>.member.<n>     (pass "Name.member" as prefix)
 *
 * Pure: no I/O. THREAD SAFETY: one builder per thread.
 */
#ifndef AWS_QUERY_H
#define AWS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_buf.h"
#include "base/base_err.h"
#include "aws/aws_types.h"

/* Hard cap of a form body (bytes); appends past it fail with BASE_ETOOBIG. */
#define AWS_QUERY_MAX_BODY (4u * 1024u * 1024u)

typedef struct aws_query {
	base_buf buf; /* the form body so far; data is NUL-terminated */
	int err;      /* first append error (sticky), BASE_OK otherwise */
} aws_query;

/* Initialises q and appends "Action=<action>&Version=<version>".
 * Always succeeds; later appends report failures through aws_query_done. */
void aws_query_init(aws_query *q, const char *action, const char *version);
/* Frees the body. NULL-safe. */
void aws_query_dispose(aws_query *q);
/* Returns q->err: BASE_OK or BASE_ETOOBIG (body over AWS_QUERY_MAX_BODY). */
BASE_MUST_USE int aws_query_done(const aws_query *q);
/* The body (borrowed, NUL-terminated, valid until the next append/dispose). */
const char *aws_query_body(const aws_query *q, size_t *len_out);

/* key=value. A NULL value appends nothing (optional parameter absent);
 * "" appends "key=". */
void aws_query_add(aws_query *q, const char *key, const char *value);
/* Same with a printf-formatted key, e.g. ("IpPermissions.%zu.FromPort"). */
void aws_query_addf(aws_query *q, const char *value, const char *key_fmt, ...)
        __attribute__((format(printf, 3, 4)));
void aws_query_add_int(aws_query *q, const char *key, int64_t v);
void aws_query_add_bool(aws_query *q, const char *key, bool v); /* true/false */

/* prefix.1=v[0]&prefix.2=v[1]... (prefix "SubnetId" or "TagKeys.member"). */
void aws_query_add_list(aws_query *q, const char *prefix, aws_strs vals);
/* prefix.N.Key / prefix.N.Value for each tag (Value omitted when NULL).
 * EC2 CreateTags: prefix "Tag"; IAM: prefix "Tags.member". */
void aws_query_add_tags(aws_query *q, const char *prefix, aws_tags tags);
/* Filter.N.Name / Filter.N.Value.M, N from 1 in array order. */
void aws_query_add_filters(aws_query *q, aws_filters filters);
/* TagSpecification.<idx>.ResourceType=<type>&TagSpecification.<idx>.Tag.N.Key/Value.
 * Nothing is appended when tags.n == 0. */
void aws_query_add_tag_spec(aws_query *q, int idx, const char *resource_type, aws_tags tags);

/* Appends the RFC 3986 percent-encoding of s[0..n) to out. */
BASE_MUST_USE int aws_query_encode(base_buf *out, const char *s, size_t n);
/* Decodes %XX escapes (and '+' as space when plus_is_space) of s[0..n)
 * into out. BASE_EINVALID on a malformed escape. */
BASE_MUST_USE int aws_query_decode(base_buf *out, const char *s, size_t n, bool plus_is_space);

#endif
