/*
 * aws_error.h - one error value for every AWS error shape.
 *
 * An AWS failure is first a plain aws_error (HTTP status, AWS error code such
 * as "InvalidGroup.NotFound", message, request id); it becomes a user-facing
 * diagnostic only in provider/, where the attribute path is known (STYLE C5).
 *
 * aws_error is a caller-allocated value struct with fixed-size, always
 * NUL-terminated fields (over-long input is truncated), so it can be copied
 * by assignment and needs no dispose. All functions are pure and thread-safe
 * on distinct values.
 */
#ifndef AWS_ERROR_H
#define AWS_ERROR_H

#include <stdbool.h>
#include <stddef.h>

typedef struct aws_error {
	int http_status;      /* 0 = no HTTP response (transport failure) */
	char code[128];       /* AWS error code, "" when none */
	char message[1024];   /* human text, "" when none */
	char request_id[128]; /* x-amzn-RequestId / <RequestId>, "" when none */
} aws_error;

/* Resets every field to zero / "". e may not be NULL. */
void aws_error_clear(aws_error *e);

/* Sets status, code (NULL = "") and a printf-formatted message; request_id
 * is cleared. Truncates silently. */
void aws_error_setf(aws_error *e, int http_status, const char *code, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * Fills e from an error response of any shape:
 *  - EC2 XML      <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
 *  - IAM/STS XML  <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
 *  - Lambda JSON  {"Type":..,"message"|"Message":..} plus the x-amzn-ErrorType
 *                 header (its ":..." suffix is stripped; the header wins over
 *                 the body's "__type"/"Type"/"code")
 *  - moto's auth-failure XML (same element names, any root)
 *  - a moto/werkzeug HTML 500 page -> code "InternalError", message = the
 *    page title / first text line
 *  - anything else -> code "HTTP<status>" (e.g. "HTTP503"), message = start
 *    of the body.
 * content_type, amzn_error_type and request_id_hdr may be NULL; body may be
 * NULL when len is 0. The request id comes from request_id_hdr if non-empty,
 * else from the body. Never fails: e is always filled.
 */
void aws_error_parse(aws_error *e, int http_status, const char *content_type, const char *amzn_error_type,
                     const char *request_id_hdr, const char *body, size_t len);

/* True when e->code equals code exactly. NULL-safe (NULL e -> false). */
bool aws_error_is(const aws_error *e, const char *code);

/* True for the "does not exist" codes of EC2/IAM/Lambda (e.g.
 * InvalidVpcID.NotFound, NoSuchEntity, ResourceNotFoundException,
 * any code ending in ".NotFound" or "NotFoundException"). */
bool aws_error_is_not_found(const aws_error *e);

#endif
