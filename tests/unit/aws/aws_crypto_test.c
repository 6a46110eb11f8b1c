/* aws_crypto_test.c - SHA-256 / HMAC-SHA256 known answers (FIPS 180-2, RFC 4231). */
#include "t.h"

#include "aws/aws_crypto.h"

void test_aws_crypto__sha256_empty_and_abc(void)
{
	char hex[65];
	aws_crypto_sha256_hex(NULL, 0, hex);
	T_ASSERT_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	aws_crypto_sha256_hex("abc", 3, hex);
	T_ASSERT_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

void test_aws_crypto__hmac_rfc4231_case2(void)
{
	static const uint8_t want[32] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
		0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43 };
	uint8_t out[32];
	aws_crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, out);
	T_ASSERT_MEM(out, 32, want, 32);
}

void test_aws_crypto__random_fills(void)
{
	uint8_t a[32] = { 0 }, b[32] = { 0 };
	T_OK(aws_crypto_random(a, sizeof a));
	T_OK(aws_crypto_random(b, sizeof b));
	T_ASSERT(memcmp(a, b, sizeof a) != 0);
	T_OK(aws_crypto_random(NULL, 0));
}
