/*
 * aws_tls.h - TLS client connections for the HTTP transport, on OpenSSL
 * (included by aws_tls.c only, STYLE C8). Internal to src/aws.
 *
 * aws_tls_ctx is the trust configuration: the system store (OpenSSL's
 * default paths, which honour SSL_CERT_FILE / SSL_CERT_DIR) or one PEM
 * bundle. TLS 1.2 or newer; the peer's chain is always verified and its
 * name checked against the host we dialled (DNS name or IP literal).
 *
 * aws_tls drives one connection over a caller-owned non-blocking socket.
 * Every call is non-blocking: it returns a positive count, or one of the
 * AWS_TLS_* codes below; on WANT_READ / WANT_WRITE the caller polls the
 * socket for that and calls again.
 *
 * THREAD SAFETY: an aws_tls_ctx may be shared by any number of threads
 * (OpenSSL 3 contexts are); an aws_tls is used by one thread at a time.
 * Writes on a socket whose peer has gone may raise SIGPIPE: the transport
 * ignores SIGPIPE (aws_http.c).
 */
#ifndef AWS_TLS_H
#define AWS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/base_err.h"

typedef struct aws_tls_ctx aws_tls_ctx;
typedef struct aws_tls aws_tls;

/* Results besides a byte count (all negative, 0 is a clean close). */
#define AWS_TLS_WANT_READ (-1)
#define AWS_TLS_WANT_WRITE (-2)
#define AWS_TLS_ERROR (-3)

/* A client context trusting ca_bundle (a PEM file) or, when NULL or "",
 * the system store. BASE_OK, or BASE_EIO with a reason in err (cap bytes). */
BASE_MUST_USE int aws_tls_ctx_new(const char *ca_bundle, aws_tls_ctx **out, char *err, size_t cap);
void aws_tls_ctx_free(aws_tls_ctx *c);

/* Starts a connection on fd (non-blocking, connected) to host (a DNS name or
 * an IP literal without brackets). BASE_OK or BASE_EIO with err. The
 * handshake runs in aws_tls_handshake. */
BASE_MUST_USE int aws_tls_new(aws_tls_ctx *c, int fd, const char *host, aws_tls **out, char *err, size_t cap);
/* One handshake step: 1 when done, WANT_READ / WANT_WRITE, or ERROR with
 * the reason (a failed certificate check names what failed) in err. */
int aws_tls_handshake(aws_tls *t, char *err, size_t cap);
/* Reads up to n bytes: a count, 0 when the peer closed, WANT_*, or ERROR. */
ssize_t aws_tls_read(aws_tls *t, void *buf, size_t n);
/* Writes up to n bytes (n > 0): a count, WANT_*, or ERROR. After WANT_*,
 * call again with the same bytes. */
ssize_t aws_tls_write(aws_tls *t, const void *buf, size_t n);
/* Frees the connection state (no close_notify: the socket is about to be
 * closed by the caller, who owns it). NULL is fine. */
void aws_tls_free(aws_tls *t);

#endif
