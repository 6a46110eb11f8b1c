/*
 * aws_tls.c - TLS client connections on OpenSSL (the only file of src/aws
 * besides aws_crypto.c that includes OpenSSL, STYLE C8). Contract in
 * aws_tls.h.
 */
#include "aws/aws_tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base_alloc.h"

struct aws_tls_ctx {
	SSL_CTX *ctx;
};

struct aws_tls {
	SSL *ssl;
};

/* The first queued OpenSSL error as text ("" when none), then clears the
 * thread's queue so the next call starts clean. */
static void openssl_reason(const char *what, char *err, size_t cap)
{
	unsigned long e = ERR_get_error();
	char buf[200] = "";
	if (e)
		ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	snprintf(err, cap, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

/* The system store: OpenSSL's default locations (the bundled libcrypto is
 * Debian's: /usr/lib/ssl/{cert.pem,certs}, which SSL_CERT_FILE and
 * SSL_CERT_DIR override). Unless those variables are set, the first
 * bundle found where common distributions keep theirs is added too, so the
 * packaged provider also trusts the system's CAs where /usr/lib/ssl does
 * not exist (Fedora, RHEL, SUSE, Arch). 1 on success. */
static int load_system_store(SSL_CTX *ctx)
{
	static const char *const bundles[] = {
	        "/etc/ssl/certs/ca-certificates.crt",                /* Debian, Ubuntu, Arch */
	        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* Fedora, RHEL */
	        "/etc/pki/tls/certs/ca-bundle.crt",                  /* older Fedora, RHEL */
	        "/etc/ssl/ca-bundle.pem",                            /* SUSE */
	        "/etc/ssl/cert.pem",                                 /* Alpine, macOS-like */
	};
	size_t i;
	if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		return 0;
	if (getenv("SSL_CERT_FILE") || getenv("SSL_CERT_DIR"))
		return 1;
	for (i = 0; i < sizeof bundles / sizeof bundles[0]; i++)
		if (access(bundles[i], R_OK) == 0)
			return SSL_CTX_load_verify_locations(ctx, bundles[i], NULL) == 1 ? 1 : 0;
	return 1;
}

int aws_tls_ctx_new(const char *ca_bundle, aws_tls_ctx **out, char *err, size_t cap)
{
	SSL_CTX *ctx;
	*out = NULL;
	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		openssl_reason("cannot create a TLS context", err, cap);
		return BASE_EIO;
	}
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* A peer closing without close_notify reads as a close: replies are
	 * framed by Content-Length or chunks, whose truncation the transport
	 * detects itself. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* idle pooled connections give their 2 x 16 KiB record buffers back */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (ca_bundle && *ca_bundle) {
		if (SSL_CTX_load_verify_locations(ctx, ca_bundle, NULL) != 1) {
			char what[300];
			snprintf(what, sizeof what, "cannot read the CA bundle %s", ca_bundle);
			openssl_reason(what, err, cap);
			SSL_CTX_free(ctx);
			return BASE_EIO;
		}
	} else if (load_system_store(ctx) != 1) {
		openssl_reason("cannot load the system CA store", err, cap);
		SSL_CTX_free(ctx);
		return BASE_EIO;
	}
	*out = base_xcalloc(1, sizeof **out);
	(*out)->ctx = ctx;
	return BASE_OK;
}

void aws_tls_ctx_free(aws_tls_ctx *c)
{
	if (!c)
		return;
	SSL_CTX_free(c->ctx);
	base_free(c);
}

static bool is_ip_literal(const char *host)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

int aws_tls_new(aws_tls_ctx *c, int fd, const char *host, aws_tls **out, char *err, size_t cap)
{
	SSL *ssl;
	bool ip = is_ip_literal(host);
	*out = NULL;
	ERR_clear_error();
	ssl = SSL_new(c->ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1) {
		openssl_reason("cannot start TLS", err, cap);
		SSL_free(ssl);
		return BASE_EIO;
	}
	/* SNI for names only (RFC 6066 forbids IP literals there); the
	 * certificate must name exactly what we dialled */
	if ((!ip && SSL_set_tlsext_host_name(ssl, host) != 1) || (!ip && SSL_set1_host(ssl, host) != 1) ||
	    (ip && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) != 1)) {
		openssl_reason("cannot set the TLS peer name", err, cap);
		SSL_free(ssl);
		return BASE_EIO;
	}
	SSL_set_connect_state(ssl);
	*out = base_xcalloc(1, sizeof **out);
	(*out)->ssl = ssl;
	return BASE_OK;
}

/* Maps the outcome r of an SSL_* call to WANT_* / ERROR (or 0 on a clean
 * close). */
static int step_result(aws_tls *t, int r)
{
	switch (SSL_get_error(t->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return AWS_TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return AWS_TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		return AWS_TLS_ERROR;
	}
}

int aws_tls_handshake(aws_tls *t, char *err, size_t cap)
{
	int r, s;
	ERR_clear_error();
	r = SSL_do_handshake(t->ssl);
	if (r == 1)
		return 1;
	s = step_result(t, r);
	if (s == AWS_TLS_WANT_READ || s == AWS_TLS_WANT_WRITE)
		return s;
	long v = SSL_get_verify_result(t->ssl);
	if (v != X509_V_OK) {
		snprintf(err, cap, "TLS certificate check failed: %s", X509_verify_cert_error_string(v));
		ERR_clear_error();
	} else {
		openssl_reason("TLS handshake failed", err, cap);
	}
	return AWS_TLS_ERROR;
}

ssize_t aws_tls_read(aws_tls *t, void *buf, size_t n)
{
	size_t got = 0;
	int r;
	ERR_clear_error();
	r = SSL_read_ex(t->ssl, buf, n, &got);
	if (r == 1)
		return (ssize_t)got;
	r = step_result(t, r);
	ERR_clear_error();
	return r;
}

ssize_t aws_tls_write(aws_tls *t, const void *buf, size_t n)
{
	size_t put = 0;
	int r;
	ERR_clear_error();
	r = SSL_write_ex(t->ssl, buf, n, &put);
	if (r == 1)
		return (ssize_t)put;
	r = step_result(t, r);
	ERR_clear_error();
	return r == 0 ? AWS_TLS_ERROR : r;
}

void aws_tls_free(aws_tls *t)
{
	if (!t)
		return;
	SSL_free(t->ssl);
	base_free(t);
}
