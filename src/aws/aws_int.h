/*
 * aws_int.h - declarations shared only between files of src/aws (STYLE C2).
 * Never included from another folder; tests of src/aws may include it.
 */
#ifndef AWS_INT_H
#define AWS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "aws/aws_client.h"
#include "aws/aws_creds.h"
#include "base/base_arena.h"
#include "aws/aws_retry.h"

/* Log module name of everything in src/aws. */
#define AWS_LOG_MODULE "aws"

/* User-Agent sent with every request. No "region/" token in it: moto would
 * take the region from there (AWS.md 5). LAMBDAVPC_VERSION comes from the
 * generated version.h (VERSION), included where this is used. */
#define AWS_USER_AGENT "terraform-provider-lambdavpc/" LAMBDAVPC_VERSION

/* Content-Type of a query-protocol (form) request body. */
#define AWS__FORM_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* Zeroes *req and fills it as a query-protocol call: POST of the form body
 * (len bytes, borrowed) to "/" of service svc; op names the call. */
void aws__form_request(aws_request *req, aws_service svc, const char *op, const char *body, size_t len);

/*
 * aws_memo.c: single-flight for identical concurrent reads and the account
 * facts kept per client (the file's header says which, and when they are
 * dropped). aws__memo_send sends req through send(ctx, ...) unless an
 * identical read may share a call in flight or a kept fact; its contract is
 * aws_client_send's. aws__memo_wrote records a write (req is not a read),
 * whatever its outcome. Both thread-safe.
 */
typedef struct aws_memo aws_memo;
typedef int (*aws__memo_send_fn)(void *ctx, const aws_request *req, aws_response *resp, aws_error *err);
aws_memo *aws__memo_new(void);
void aws__memo_free(aws_memo *m);
bool aws__memo_is_read(const aws_request *req);
BASE_MUST_USE int aws__memo_send(aws_memo *m, const aws_request *req, aws_response *resp, aws_error *err,
                                 aws__memo_send_fn send, void *ctx);
void aws__memo_wrote(aws_memo *m, const aws_request *req);
/* From now on, while no write was made, a VPC-wide listing answers
 * identical reads for max_age_ms after it arrived (aws_memo.c). Thread-safe. */
void aws__memo_keep_listings(aws_memo *m, unsigned max_age_ms);

/* aws_memo.c: a reply body shared by reference (aws_response.shared).
 * _take moves b's bytes into a new one held once (b is left empty); _release
 * lets go of one hold and frees it with the last. aws__response_view makes
 * r's body a read-only view of sb (one more hold); aws__response_unshare
 * lets go of r's view, if any, and leaves r with an empty owned body.
 * Holds are counted atomically: any thread may release. */
typedef struct aws__shared_body aws__shared_body;
aws__shared_body *aws__shared_body_take(base_buf *b);
void aws__shared_body_release(aws__shared_body *sb);
void aws__response_view(aws_response *r, aws__shared_body *sb);
void aws__response_unshare(aws_response *r);

/* aws_ec2_subnet_az.c: notes the AZ of a subnet a reply named (kept for
 * the life of the process); _reset forgets them all (tests). */
struct aws_ec2_subnet;
void aws__ec2_subnet_seen(const struct aws_ec2_subnet *s);
void aws__ec2_subnet_seen_reset(void);

/* aws_ec2_batch.c, for tests: callers waiting in batches not sent yet. */
size_t aws__ec2_batch_waiting(void);

/* The client's current credentials (aws_creds_provider_get). */
BASE_MUST_USE int aws__client_credentials(aws_client *c, aws_creds *out, aws_error *err);

/* Remembers the caller identity (first call wins) / copies it into a.
 * aws__client_identity returns false when none is known yet. */
void aws__client_set_identity(aws_client *c, const char *account, const char *arn, const char *user_id);
bool aws__client_identity(aws_client *c, base_arena *a, const char **account, const char **arn,
                          const char **user_id);

/* aws_sts.c: GetCallerIdentity with the resolved credentials (failure names
 * their source), then the account guards of cfg. */
BASE_MUST_USE int aws__client_check_identity(aws_client *c, const aws_client_config *cfg, aws_error *err);

/* Test hook: replaces the client's retry policy (e.g. 1 ms backoff). */
void aws_client__set_retry_policy(aws_client *c, const aws_retry_policy *p);

/* Test hook: the client's current retry quota tokens. */
int aws_client__quota_available(aws_client *c);

/* Test hook: the attempts per operation in force. */
int aws_client__max_attempts(const aws_client *c);

/* Test hook: a copy of the adaptive rate limiter's state. */
void aws_client__rate_state(aws_client *c, aws_retry_rate *out);

/* The resolved base URL of a service ("https://ec2.us-east-1.amazonaws.com").
 * Borrowed; valid until aws_client_free. */
const char *aws_client__endpoint(const aws_client *c, aws_service svc);

/*
 * Parses an ISO 8601 UTC timestamp as AWS sends them
 * ("2026-11-26T20:00:00Z", with optional fraction, "+00:00" or "Z").
 * Returns true and unix seconds in *out.
 */
bool aws__parse_iso8601(const char *s, int64_t *out);

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m 1..12, d 1..31). */
int64_t aws__days_from_civil(int64_t y, unsigned m, unsigned d);

/*
 * One step of a '/'-separated path (aws_json_path, aws_xml_path): copies the
 * segment at *p into step (cap bytes, NUL-terminated) and moves *p past it
 * and its '/', or to NULL after the last one. Returns false, *p untouched,
 * for an empty segment or one that does not fit.
 */
bool aws__path_next(const char **p, char *step, size_t cap);

#endif
