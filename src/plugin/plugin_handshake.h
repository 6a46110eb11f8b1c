/*
 * plugin_handshake.h - the go-plugin start-up contract, without I/O policy:
 * magic-cookie check, app-protocol-version choice and the stdout handshake
 * line (PROTOCOL.md 1.2 and 1.4).
 *
 * Pure functions (no getenv inside) so they can be unit-tested; plugin_serve
 * passes the environment values in. Thread-safe: no shared state.
 */
#ifndef PLUGIN_HANDSHAKE_H
#define PLUGIN_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_buf.h"
#include "base/base_err.h"

/* Environment variable and value Terraform (and OpenTofu) set. */
#define PLUGIN_MAGIC_COOKIE_KEY "TF_PLUGIN_MAGIC_COOKIE"
#define PLUGIN_MAGIC_COOKIE_VALUE "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

/* go-plugin core protocol version (field 1 of the handshake line). */
#define PLUGIN_CORE_PROTOCOL_VERSION 1
/* The one app protocol version this server speaks (tfplugin6). */
#define PLUGIN_APP_PROTOCOL_VERSION 6

/* The text go-plugin's reference server prints when run by hand (ends in '\n'). */
#define PLUGIN_NOT_A_PROGRAM_MESSAGE                                                                         \
	"This binary is a plugin. These are not meant to be executed directly.\n"                            \
	"Please execute the program that consumes these plugins, which will\n"                               \
	"load any plugins automatically\n"

/* True when value (the cookie's environment value, NULL if unset) is exactly
 * PLUGIN_MAGIC_COOKIE_VALUE. */
bool plugin_handshake_cookie_ok(const char *value);

/*
 * Chooses the app protocol version: the highest of supported[0..n) that
 * appears in the comma-separated list `offered` (PLUGIN_PROTOCOL_VERSIONS,
 * e.g. "5,6"; NULL/empty/garbage entries ignored). Without overlap it
 * returns the highest supported version, like go-plugin, so the client
 * reports the mismatch. n must be >= 1.
 */
int plugin_handshake_choose_version(const char *offered, const int *supported, size_t n);

/*
 * Appends the handshake line
 *   "1|<app>|<network>|<address>|grpc|<base64 DER>\n"
 * to out: always exactly 6 fields; the certificate is standard-alphabet
 * base64 WITHOUT padding (Go RawStdEncoding); cert_der NULL/0 gives an empty
 * 6th field (plaintext). network is "tcp" or "unix"; neither it nor address
 * may contain '|' or '\n' (BASE_EINVALID). Errors: BASE_EINVALID,
 * BASE_ETOOBIG (out's cap).
 */
BASE_MUST_USE int plugin_handshake_format(base_buf *out, int app_version, const char *network,
                                          const char *address, const uint8_t *cert_der, size_t cert_der_len);

/*
 * Writes all of line[0..len) to fd with write(2) (unbuffered, so nothing can
 * stay in a stdio buffer; retries EINTR and short writes).
 * Errors: BASE_EIO.
 */
BASE_MUST_USE int plugin_handshake_write(int fd, const char *line, size_t len);

#endif
