/* recon_role_test.c - role names: unchanged while they fit IAM's 64
 * characters, cut + a hash of the full name beyond (issue 8 item 5). */
#include "t.h"

#include <string.h>

#include "base/base_arena.h"
#include "recon/recon_diff.h"

void test_recon_role__name_fits(void)
{
	base_arena *a = base_arena_new();
	/* 54 characters: "lambdavpc-" + name is exactly 64, kept as is */
	const char *n54 = "012345678901234567890123456789012345678901234567890123";
	T_ASSERT_STR(recon_role_name(a, "app"), "lambdavpc-app");
	T_ASSERT_INT((long)strlen(n54), 54);
	T_ASSERT_STR(recon_role_name(a, n54), "lambdavpc-012345678901234567890123456789012345678901234567890123");
	base_arena_free(a);
}

void test_recon_role__long_names_are_distinct(void)
{
	base_arena *a = base_arena_new();
	/* Two 64-character names sharing their first 60 characters. */
	const char *x = "shared-prefix-of-sixty-characters-for-two-functions-abcdefghXXXX";
	const char *y = "shared-prefix-of-sixty-characters-for-two-functions-abcdefghYYYY";
	const char *n55 = "0123456789012345678901234567890123456789012345678901234";
	char *rx = recon_role_name(a, x), *ry = recon_role_name(a, y);
	T_ASSERT_INT((long)strlen(x), 64);
	T_ASSERT_INT((long)strlen(rx), 64);
	T_ASSERT_INT((long)strlen(ry), 64);
	/* prefix + the first 43 characters + "-" + 10 hex digits of SHA-256(name)
	 * (printf %s NAME | sha256sum | cut -c1-10) */
	T_ASSERT_STR(rx, "lambdavpc-shared-prefix-of-sixty-characters-for-two-f-810c8fd97e");
	T_ASSERT(strcmp(rx, ry) != 0);
	T_ASSERT(strncmp(rx, ry, 54) == 0);
	/* deterministic */
	T_ASSERT_STR(recon_role_name(a, x), rx);
	/* 55 characters: one too many, hashed */
	T_ASSERT_INT((long)strlen(recon_role_name(a, n55)), 64);
	T_ASSERT(strncmp(recon_role_name(a, n55), "lambdavpc-0123456789012345678901234567890123456789012-", 54) == 0);
	base_arena_free(a);
}
