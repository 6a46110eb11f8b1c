/*
 * aws_crypto.c - SHA-256 / HMAC-SHA256 / RNG on OpenSSL (the only file of
 * src/aws that includes OpenSSL, STYLE C8).
 */
#include "aws/aws_crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>

void aws_crypto_sha256(const void *p, size_t n, uint8_t out[AWS_SHA256_LEN])
{
	static const unsigned char empty[1] = {0};
	SHA256(n ? p : empty, n, out);
}

void aws_crypto_hmac_sha256(const void *key, size_t klen, const void *p, size_t n,
                            uint8_t out[AWS_SHA256_LEN])
{
	static const unsigned char empty[1] = {0};
	unsigned int olen = AWS_SHA256_LEN;
	/* HMAC() only fails on allocation failure inside OpenSSL; abort like
	 * base_xmalloc does rather than produce a wrong signature. */
	if (!HMAC(EVP_sha256(), key, (int)klen, n ? p : empty, n, out, &olen)) {
		fputs("aws_crypto: HMAC-SHA256 failed\n", stderr);
		abort();
	}
}

void aws_crypto_sha1_hex(const void *p, size_t n, char hex[2 * AWS_SHA1_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[AWS_SHA1_LEN];
	SHA1(p, n, d);
	for (size_t i = 0; i < AWS_SHA1_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * AWS_SHA1_LEN] = '\0';
}

void aws_crypto_sha256_hex(const void *p, size_t n, char hex[2 * AWS_SHA256_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[AWS_SHA256_LEN];
	size_t i;
	aws_crypto_sha256(p, n, d);
	for (i = 0; i < AWS_SHA256_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * AWS_SHA256_LEN] = '\0';
}

int aws_crypto_random(void *p, size_t n)
{
	if (n == 0)
		return BASE_OK;
	return RAND_bytes(p, (int)n) == 1 ? BASE_OK : BASE_ERR;
}

void aws_crypto_global_init(void)
{
	OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
}

void aws_crypto_cleanse(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}
