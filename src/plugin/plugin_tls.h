/*
 * plugin_tls.h - AutoMTLS material for the go-plugin server (PROTOCOL.md 1.5).
 *
 * plugin_tls.c is the only OpenSSL user in src/plugin; nothing here exposes
 * an OpenSSL type. The server certificate is generated fresh per process:
 * ECDSA P-256 key (cheap to generate, accepted by Go), self-signed, SHA-256,
 * subject/issuer CN=localhost, SAN DNS:localhost, CA:TRUE (critical),
 * KeyUsage digitalSignature+keyEncipherment+keyCertSign (critical),
 * ExtKeyUsage serverAuth+clientAuth, random positive 127-bit serial,
 * NotBefore = now - 30 s, NotAfter = now + 30 years.
 *
 * THREAD SAFETY: all functions are reentrant; a plugin_tls_cert is
 * read-only after plugin_tls_cert_new and may be shared.
 */
#ifndef PLUGIN_TLS_H
#define PLUGIN_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_err.h"

/* A generated key + certificate (opaque). */
typedef struct plugin_tls_cert plugin_tls_cert;

/*
 * Generates a fresh key and self-signed certificate (see above).
 * *out = NULL on failure. Errors: BASE_ERR (OpenSSL failure; details logged
 * at debug level). Caller frees with plugin_tls_cert_free.
 */
BASE_MUST_USE int plugin_tls_cert_new(plugin_tls_cert **out);

/* Frees the certificate; the private key memory is wiped. NULL is fine. */
void plugin_tls_cert_free(plugin_tls_cert *c);

/* PEM text of the certificate (NUL-terminated). Borrowed; valid until
 * plugin_tls_cert_free. */
const char *plugin_tls_cert_pem(const plugin_tls_cert *c);

/* PEM text (PKCS#8) of the private key. Borrowed; SECRET: never log it. */
const char *plugin_tls_key_pem(const plugin_tls_cert *c);

/* DER bytes of the certificate (for the handshake line); *len_out gets the
 * length. Borrowed; valid until plugin_tls_cert_free. */
const uint8_t *plugin_tls_cert_der(const plugin_tls_cert *c, size_t *len_out);

/*
 * Checks that pem (PLUGIN_CLIENT_CERT) holds at least one parseable X.509
 * certificate, so a broken value fails at start-up instead of on every
 * connection. Errors: BASE_EINVALID.
 */
BASE_MUST_USE int plugin_tls_check_pem_cert(const char *pem);

/* What plugin_tls_cert_inspect found in a DER certificate. */
typedef struct plugin_tls_cert_info {
	bool san_localhost; /* SAN extension holds DNS:localhost */
	bool is_ca;         /* basicConstraints CA:TRUE */
	bool ku_digital_signature;
	bool ku_key_encipherment;
	bool ku_cert_sign;
	bool eku_server_auth;
	bool eku_client_auth;
	bool serial_positive;   /* > 0 */
	int serial_bits;        /* bit length of the serial */
	bool self_signature_ok; /* signature verifies with its own public key */
	bool key_matches;       /* key_pem given and it is this cert's key */
	char key_group[32];     /* e.g. "prime256v1"; "" if not EC */
	char subject_cn[64];    /* "" if none */
	int64_t not_before;     /* Unix seconds */
	int64_t not_after;
} plugin_tls_cert_info;

/*
 * Parses a DER certificate and reports the properties above (used by the
 * unit tests and for debugging). key_pem may be NULL. Errors: BASE_EINVALID
 * (not a certificate).
 */
BASE_MUST_USE int plugin_tls_cert_inspect(const uint8_t *der, size_t len, const char *key_pem,
                                          plugin_tls_cert_info *info);

#endif
