/*
 * aws_fake_transport.h - a scripted aws_transport for unit tests of src/aws
 * (STYLE C9, C13): replies are queued in order, every request is recorded.
 *
 * Thread-safe (one mutex): concurrent sends take replies in arrival order;
 * when the queue is empty the default reply is used (or a 599 "no scripted
 * reply" failure when none is set).
 */
#ifndef AWS_FAKE_TRANSPORT_H
#define AWS_FAKE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include "aws/aws_http.h"

/* One scripted outcome. Strings are copied by aws_fake_push. */
typedef struct aws_fake_reply {
	int status;               /* HTTP status when failure == AWS_HTTP_OK */
	const char *headers;      /* "Name: value\n" lines, may be NULL */
	const char *body;         /* may be NULL */
	aws_http_failure failure; /* != AWS_HTTP_OK: fail the exchange this way */
	bool sent;                /* for failures: did the request reach the peer */
	unsigned delay_ms;        /* wait before answering (polls is_cancelled) */
} aws_fake_reply;

/* A recorded request (heap copies owned by the fake). */
typedef struct aws_fake_request {
	char *method;
	char *url;
	char *headers; /* "Name: value\n" lines in the order sent */
	char *body;
	size_t body_len;
	char *ca_bundle;                         /* the request's ca_bundle, NULL when none */
	unsigned connect_timeout_ms, timeout_ms; /* the request's limits (0 = default) */
} aws_fake_request;

typedef struct aws_fake aws_fake;

aws_fake *aws_fake_new(void);
void aws_fake_free(aws_fake *f);
void aws_fake_push(aws_fake *f, const aws_fake_reply *r);
/* Shorthand: a response with status, headers and body. */
void aws_fake_push_status(aws_fake *f, int status, const char *headers, const char *body);
/* Reply used when the queue is empty (NULL clears it). */
void aws_fake_set_default(aws_fake *f, const aws_fake_reply *r);
size_t aws_fake_count(aws_fake *f);
/* The i-th request (borrowed, valid until aws_fake_free). */
const aws_fake_request *aws_fake_request_at(aws_fake *f, size_t i);
/* Value of header name (case-insensitive) in recorded request i, copied
 * into out; false when absent. */
bool aws_fake_request_header(aws_fake *f, size_t i, const char *name, char *out, size_t cap);

/* The transport; its ctx is the aws_fake. */
extern const aws_transport aws_fake_transport;

#endif
