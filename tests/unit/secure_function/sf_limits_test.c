/* sf_limits_test.c - issue 12 regression inputs of the tf6_server fuzz
 * target replayed through the real provider: a clear error diagnostic,
 * bounded memory (the 200 kB state of 1e99999 ports once took 975 MiB). */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "base/base_alloc.h"
#include "base/base_buf.h"
#include "plugin/plugin_server.h"
#include "prov/prov.h"
#include "secure_function/sf.h"
#include "t.h"
#include "tf6/tf6_server.h"

static const char *const methods[] = {
        "GetMetadata",          "GetProviderSchema", "ValidateProviderConfig", "ValidateResourceConfig",
        "UpgradeResourceState", "ReadResource",      "PlanResourceChange",     "ApplyResourceChange",
        "ImportResourceState",  "StopProvider",
};

/* Replays corpus file name (first byte: method index, as the fuzz target
 * reads it); the response must carry `want` and the process peak must grow
 * by less than 64 MiB. */
static void replay(const char *name, const char *want)
{
	char path[256];
	snprintf(path, sizeof path, "tests/fuzz/tf6_server/%s", name);
	size_t len;
	char *in = t_read_file(path, &len);
	T_ASSERT_MSG(in && len > 1, "cannot read %s", path);
	prov *p = NULL;
	tf6_server *t = NULL;
	const prov_resource_def defs[] = {{SF_TYPE_NAME, sf_resource_ops()}};
	T_OK(prov_new(&p, defs, 1));
	T_OK(tf6_server_new(&t, prov_ops(), p));
	base_buf resp;
	base_buf_init(&resp, 0);
	struct rusage r0, r1;
	getrusage(RUSAGE_SELF, &r0);
	int st = tf6_server_handle(t, methods[(unsigned char)in[0] % 10], (const uint8_t *)in + 1, len - 1,
	                           &resp);
	getrusage(RUSAGE_SELF, &r1);
	T_ASSERT_INT(st, PLUGIN_STATUS_OK);
	T_ASSERT_MSG(resp.len > 0 && memmem(resp.data, resp.len, want, strlen(want)),
	             "%s: no \"%s\" in the reply", name, want);
	T_ASSERT_MSG(r1.ru_maxrss - r0.ru_maxrss < 64 * 1024, "%s: peak grew by %ld KiB", name,
	             r1.ru_maxrss - r0.ru_maxrss);
	base_buf_dispose(&resp);
	tf6_server_free(t);
	prov_free(p);
	base_free(in);
}

void test_secure_function_sf_limits__huge_numbers_in_state(void)
{
	replay("regress-upgrade-1e99999", "number too large");
}

void test_secure_function_sf_limits__huge_msgpack_array_in_config(void)
{
	replay("regress-validate-array32", "declares more entries");
}
