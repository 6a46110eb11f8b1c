/*
 * t.h - the project's tiny unit-test harness.
 *
 * A test is `void test_<m>_<file>__<case>(void)` in tests/unit/<m>/<file>_test.c.
 * The Makefile greps `^void test_` to generate the list, so no registration
 * is needed. Checks record a failure and return from the test function.
 * The runner prints one line per failure and ends with `N passed, N failed`.
 * Run a subset with: build/test_<m> <substring>.
 * Fixture paths are relative to the repository root (tests run from there);
 * T_SHARED is the path of ../shared (set by the Makefile) for SigV4 vectors.
 */
#ifndef T_H
#define T_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

void t__fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool t__failed(void);
/* Read a whole file into a heap buffer (base_free); NULL if missing. */
char *t_read_file(const char *path, size_t *len_out);
/* Hex dump of n bytes, for messages (static buffer, per thread). */
const char *t_hex(const void *p, size_t n);

#define T_ASSERT(cond)                                                                                       \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			t__fail(__FILE__, __LINE__, "assertion failed: %s", #cond);                          \
			return;                                                                              \
		}                                                                                            \
	} while (0)
#define T_ASSERT_MSG(cond, ...)                                                                              \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			t__fail(__FILE__, __LINE__, __VA_ARGS__);                                            \
			return;                                                                              \
		}                                                                                            \
	} while (0)
#define T_ASSERT_INT(a, b)                                                                                   \
	do {                                                                                                 \
		long long t__a = (long long)(a), t__b = (long long)(b);                                      \
		if (t__a != t__b) {                                                                          \
			t__fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, t__a, t__b);           \
			return;                                                                              \
		}                                                                                            \
	} while (0)
#define T_ASSERT_STR(a, b)                                                                                   \
	do {                                                                                                 \
		const char *t__a = (a), *t__b = (b);                                                         \
		if (!t__a || !t__b || strcmp(t__a, t__b) != 0) {                                             \
			t__fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,                    \
			        t__a ? t__a : "(null)", t__b ? t__b : "(null)");                             \
			return;                                                                              \
		}                                                                                            \
	} while (0)
#define T_ASSERT_MEM(a, alen, b, blen)                                                                       \
	do {                                                                                                 \
		size_t t__al = (alen), t__bl = (blen);                                                       \
		if (t__al != t__bl || memcmp((a), (b), t__al) != 0) {                                        \
			t__fail(__FILE__, __LINE__, "%s != %s\n  got:  %s", #a, #b, t__hex((a), t__al));     \
			t__fail(__FILE__, __LINE__, "  want: %s", t__hex((b), t__bl));                       \
			return;                                                                              \
		}                                                                                            \
	} while (0)
#define T_OK(expr)                                                                                           \
	do {                                                                                                 \
		int t__rc = (expr);                                                                          \
		if (t__rc != 0) {                                                                            \
			t__fail(__FILE__, __LINE__, "%s returned %d", #expr, t__rc);                         \
			return;                                                                              \
		}                                                                                            \
	} while (0)

const char *t__hex(const void *p, size_t n);

#endif
