/* cty_msgpack_scan_test.c - declared sizes checked against the bytes left
 * (issue 12): the fuzz corpus regression inputs replayed through the
 * decoder, with a clear error and bounded memory. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "base/base_alloc.h"
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "cty/cty_int.h"
#include "cty/cty_json.h"
#include "cty/cty_msgpack.h"
#include "cty_testutil.h"
#include "t.h"

/* Peak resident size of this process so far, in MiB. */
static long peak_mib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

/* Decodes corpus file `name` against type JSON tj; expects BASE_EINVALID
 * with a diagnostic containing want, the arena and the process peak
 * growing by less than 64 MiB. */
static void replay_reject(const char *name, const char *tj, const char *want)
{
	char path[256];
	snprintf(path, sizeof path, "tests/fuzz/cty_msgpack/%s", name);
	size_t len;
	char *in = t_read_file(path, &len);
	T_ASSERT_MSG(in, "cannot read %s", path);
	base_arena *a = base_arena_new();
	const cty_type *t = NULL;
	T_OK(cty_json_type_decode(a, tj, strlen(tj), &t, NULL));
	base_diags *d = base_diags_new(a);
	const cty_value *v = NULL;
	long before = peak_mib();
	T_ASSERT_INT(cty_msgpack_decode(a, t, in, len, &v, d), BASE_EINVALID);
	T_ASSERT(v == NULL);
	T_ASSERT_MSG(base_diags_first(d) && strstr(base_diags_first(d)->detail, want), "%s: got \"%s\"", name,
	             base_diags_first(d) ? base_diags_first(d)->detail : "(none)");
	T_ASSERT_MSG(peak_mib() - before < 64, "%s: peak grew by %ld MiB", name, peak_mib() - before);
	T_ASSERT(base_arena_used(a) < ((size_t)1 << 20));
	base_arena_free(a);
	base_free(in);
}

void test_cty_msgpack_scan__huge_declared_containers_rejected(void)
{
	replay_reject("regress-array32-4g", "\"dynamic\"", "declares more entries");
	replay_reject("regress-array32-4g", "[\"list\",\"string\"]", "declares more entries");
	replay_reject("regress-map32-4g", "[\"map\",\"string\"]", "declares more entries");
	replay_reject("regress-dynamic-array32", "\"dynamic\"", "declares more entries");
	replay_reject("regress-str32-4g", "\"string\"", "declares more bytes");
}

void test_cty_msgpack_scan__huge_number_rejected(void)
{
	replay_reject("regress-number-1e99999", "\"dynamic\"", "number too large");
}

/* A refinement payload (ext 12) with a bogus map32 is dropped, not unpacked. */
void test_cty_msgpack_scan__refinement_payload_scanned(void)
{
	size_t len;
	char *in = t_read_file("tests/fuzz/cty_msgpack/regress-ext12-map32", &len);
	T_ASSERT(in);
	base_arena *a = base_arena_new();
	const cty_value *v = NULL;
	long before = peak_mib();
	T_OK(cty_msgpack_decode(a, cty_type_string(), in, len, &v, NULL));
	T_ASSERT(!cty_value_is_known(v));
	T_ASSERT(peak_mib() - before < 64);
	base_arena_free(a);
	base_free(in);
}

/* The scanner alone: exact object lengths; every truncation refused. */
void test_cty_msgpack_scan__lengths(void)
{
	static const struct {
		const char *hex;
		int rc;
		size_t end;
	} rows[] = {
	        {"c0", BASE_OK, 1},
	        {"93 01 a1 61 c3", BASE_OK, 5},
	        {"82 a1 61 01 a1 62 cb 3f f0 00 00 00 00 00 00", BASE_OK, 15},
	        {"d4 00 00 ff", BASE_OK, 3},
	        {"c7 01 0c 80", BASE_OK, 4},
	        {"dc 00 02 01 02", BASE_OK, 5},
	        {"da 00 03 61 62 63", BASE_OK, 6},
	        {"93 01 02", BASE_EINVALID, 0},
	        {"dc 00 03 01 02", BASE_EINVALID, 0},
	        {"dd 00 00 00", BASE_EINVALID, 0},
	        {"c5 00 05 61", BASE_EINVALID, 0},
	        {"cb 00 00", BASE_EINVALID, 0},
	        {"c1", BASE_EINVALID, 0},
	        {"91 91 91 de ff ff", BASE_EINVALID, 0},
	};
	base_arena *a = base_arena_new();
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t n, end = 0;
		unsigned char *b = ctyt_unhex(a, rows[i].hex, &n);
		const char *why = NULL;
		int rc = cty__msgpack_scan(b, n, &end, &why);
		T_ASSERT_MSG(rc == rows[i].rc, "row %zu (%s): rc %d", i, rows[i].hex, rc);
		if (rc == BASE_OK)
			T_ASSERT_MSG(end == rows[i].end, "row %zu: end %zu", i, end);
		else
			T_ASSERT(why && *why);
	}
	base_arena_free(a);
}
