/*
 * tf6_server fuzz target: the fuzzer's bytes as a tfplugin6 request to the
 * real provider (prov + lambdavpc_secure_function) through
 * tf6_server_handle. First byte picks the method, the rest is the request
 * protobuf. ConfigureProvider is never called: without a configured AWS
 * client, no handler can reach the network (they answer "not configured").
 */
#include <stdint.h>
#include <stdlib.h>

#include "base/base_buf.h"
#include "prov/prov.h"
#include "secure_function/sf.h"
#include "tf6/tf6_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {
        "GetMetadata",          "GetProviderSchema", "ValidateProviderConfig", "ValidateResourceConfig",
        "UpgradeResourceState", "ReadResource",      "PlanResourceChange",     "ApplyResourceChange",
        "ImportResourceState",  "StopProvider",
};

static tf6_server *server(void)
{
	static tf6_server *t;
	static prov *p;
	if (t)
		return t;
	/* nothing may find credentials or an instance-metadata endpoint */
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_PROFILE");
	const prov_resource_def defs[] = {{SF_TYPE_NAME, sf_resource_ops()}};
	if (prov_new(&p, defs, 1) != BASE_OK || tf6_server_new(&t, prov_ops(), p) != BASE_OK)
		__builtin_trap();
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *m = methods[data[0] % (sizeof methods / sizeof methods[0])];
	if (data[0] % (sizeof methods / sizeof methods[0]) == 9 && data[0] >= 128)
		return 0; /* StopProvider only sometimes: it cancels what follows */
	base_buf resp;
	base_buf_init(&resp, 0);
	(void)tf6_server_handle(server(), m, data + 1, size - 1, &resp);
	base_buf_dispose(&resp);
	return 0;
}
