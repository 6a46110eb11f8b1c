/*
 * aws_http.h - the HTTP transport interface (STYLE C9) and its
 * implementation: HTTP/1.1 of our own, TLS on OpenSSL (aws_tls.c).
 *
 * aws_transport is a const table with one op, `send`: one HTTP exchange,
 * no retries, no signing. The client (aws_client.c) signs, retries and
 * classifies; unit tests plug a scripted fake (tests/fake/) in its place.
 *
 * THREAD SAFETY: the transport may be used by many threads at once (each
 * send owns its connection; idle connections are pooled under a mutex and
 * reused).
 */
#ifndef AWS_HTTP_H
#define AWS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include "base/base_buf.h"
#include "base/base_err.h"

/* One request header (name and value borrowed). */
typedef struct aws_http_header {
	const char *name;
	const char *value;
} aws_http_header;

/*
 * One HTTP exchange. Every pointer is borrowed for the duration of send.
 *   url            absolute http(s) URL including path and query
 *   headers        sent as given; the transport adds nothing that needs
 *                  signing: only Host when they have none, Content-Length
 *                  for a body (or an empty POST/PUT) and, through a plain
 *                  http proxy, Proxy-Authorization
 *   connect_timeout_ms  TCP+TLS connect deadline (0 = 10 s)
 *   idle_timeout_ms     fail when no byte arrives for this long (0 = 60 s)
 *   timeout_ms     deadline for the whole exchange (0 = 300 s)
 *   max_response   response body cap in bytes (0 = 64 MiB); above it the
 *                  exchange fails with BASE_ETOOBIG
 *   ca_bundle      PEM file of trusted CAs, NULL = the system store
 *   is_cancelled   polled while waiting (about every 50 ms); returning
 *                  true aborts the exchange with BASE_ECANCELLED. May be NULL.
 */
/* The limits used when a request leaves them 0. */
#define AWS_HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000u
#define AWS_HTTP_DEFAULT_IDLE_TIMEOUT_MS 60000u
#define AWS_HTTP_DEFAULT_TIMEOUT_MS 300000u

typedef struct aws_http_request {
	const char *method;
	const char *url;
	const aws_http_header *headers;
	size_t n_headers;
	const char *body;
	size_t body_len;
	unsigned connect_timeout_ms;
	unsigned idle_timeout_ms;
	unsigned timeout_ms;
	size_t max_response;
	const char *ca_bundle;
	bool (*is_cancelled)(void *cancel_ctx);
	void *cancel_ctx;
	/* Use a new connection, never a pooled one. Set for non-idempotent
	 * requests: the transport resends a request whose reused keep-alive
	 * connection died before any reply, which would repeat a create. */
	bool fresh_connection;
} aws_http_request;

/* Why an exchange produced no HTTP response. */
typedef enum aws_http_failure {
	AWS_HTTP_OK = 0,           /* a response was received (any status) */
	AWS_HTTP_ECONNECT,         /* resolve/connect failed: nothing was sent */
	AWS_HTTP_ECONNECT_TIMEOUT, /* connect timed out: nothing was sent */
	AWS_HTTP_ETIMEOUT,         /* timed out after the request may have been sent */
	AWS_HTTP_ESEND,            /* write error while sending */
	AWS_HTTP_ERECV,            /* connection dropped / empty or partial reply */
	AWS_HTTP_ETLS,             /* TLS handshake or certificate failure */
	AWS_HTTP_ETOOBIG,          /* response larger than max_response */
	AWS_HTTP_ECANCELLED,       /* is_cancelled returned true */
	AWS_HTTP_EOTHER            /* anything else (bad URL, out of handles) */
} aws_http_failure;

/*
 * The outcome of send. Caller-allocated: aws_http_response_init/_dispose.
 * headers holds the response headers of the final response as
 * "name\0value\0" pairs with lowercase names; read them with
 * aws_http_response_header.
 */
typedef struct aws_http_response {
	int status; /* 0 when failure != AWS_HTTP_OK */
	base_buf body;
	base_buf headers;
	aws_http_failure failure;
	bool sent;        /* the request (or part of it) reached the peer */
	char errmsg[256]; /* transport error text, "" when none; no secrets */
} aws_http_response;

/* Prepares an empty response (no allocation until data arrives). */
void aws_http_response_init(aws_http_response *r);
/* Frees body and headers; r may be re-initialised afterwards. */
void aws_http_response_dispose(aws_http_response *r);
/* Clears status, body, headers and failure for another attempt. */
void aws_http_response_reset(aws_http_response *r);
/* Appends one response header (name lowercased). For transports. */
BASE_MUST_USE int aws_http_response_add_header(aws_http_response *r, const char *name, size_t nlen,
                                               const char *value, size_t vlen);
/* Value of the first response header called name (case-insensitive), or
 * NULL. Borrowed; valid until the response is reset or disposed. */
const char *aws_http_response_header(const aws_http_response *r, const char *name);

/* The transport vtable: one op (STYLE C9). */
typedef struct aws_transport {
	/*
	 * Performs one exchange. Returns BASE_OK when an HTTP response of any
	 * status was received (resp->status, body, headers set). Otherwise
	 * resp->failure, resp->sent and resp->errmsg are set and the return is
	 * BASE_ECANCELLED (AWS_HTTP_ECANCELLED), BASE_ETOOBIG (AWS_HTTP_ETOOBIG),
	 * BASE_ETIMEOUT (the two timeout kinds) or BASE_EIO (the rest).
	 */
	int (*send)(void *ctx, const aws_http_request *req, aws_http_response *resp);
} aws_transport;

/* ---- the implementation ---- */

/* Per-client state: idle connections and TLS trust contexts. Opaque. */
typedef struct aws_http_pool aws_http_pool;

/* The transport; its ctx is an aws_http_pool. Requests go through the
 * proxy the environment names (https_proxy / HTTPS_PROXY, http_proxy,
 * all_proxy / ALL_PROXY, less no_proxy / NO_PROXY; aws_http_proxy.h). */
extern const aws_transport aws_http_transport;

/* Creates the state (never fails; the return is for symmetry). The first
 * call makes the process ignore SIGPIPE. Free with aws_http_pool_free. */
BASE_MUST_USE int aws_http_pool_new(aws_http_pool **out);
/* Frees the state and closes pooled connections; NULL is fine. No send may
 * be in flight. */
void aws_http_pool_free(aws_http_pool *h);

#endif
