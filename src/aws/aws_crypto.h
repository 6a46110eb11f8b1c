/*
 * aws_crypto.h - the hashes SigV4 needs, and random bytes (OpenSSL inside
 * aws_crypto.c only, STYLE C8).
 *
 * All functions are pure apart from aws_crypto_random and are thread-safe.
 */
#ifndef AWS_CRYPTO_H
#define AWS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include "base/base_err.h"

#define AWS_SHA256_LEN 32

/* out = SHA-256(p[0..n)). p may be NULL when n is 0. */
void aws_crypto_sha256(const void *p, size_t n, uint8_t out[AWS_SHA256_LEN]);

/* out = HMAC-SHA256(key[0..klen), p[0..n)). */
void aws_crypto_hmac_sha256(const void *key, size_t klen, const void *p, size_t n,
                            uint8_t out[AWS_SHA256_LEN]);

/* Overwrites p[0..n) with zeros in a way the compiler cannot drop
 * (OPENSSL_cleanse): for secrets about to be freed or go out of scope. */
void aws_crypto_cleanse(void *p, size_t n);

/* Lowercase hex of SHA-256(p[0..n)) into hex (65 bytes incl. NUL). */
/* Lowercase hex SHA-1 (the SSO token cache file name; not for security). */
#define AWS_SHA1_LEN 20
void aws_crypto_sha1_hex(const void *p, size_t n, char hex[2 * AWS_SHA1_LEN + 1]);
void aws_crypto_sha256_hex(const void *p, size_t n, char hex[2 * AWS_SHA256_LEN + 1]);

/*
 * Fills p[0..n) with cryptographically secure random bytes (seeds the
 * retry jitter; not used for signing). Returns BASE_OK or BASE_ERR when the
 * system RNG fails.
 */
BASE_MUST_USE int aws_crypto_random(void *p, size_t n);

/* One-time OpenSSL initialisation (called by aws_global_init). */
void aws_crypto_global_init(void);

#endif
