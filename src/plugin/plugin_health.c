/*
 * plugin_health.c - grpc.health.v1.Health/Check, as go-plugin's reference
 * server registers it: the service names "" (whole server) and "plugin" are
 * SERVING. Terraform never calls it; other go-plugin hosts may (Ping).
 */
#include "plugin/plugin_int.h"

#include <string.h>

#include "health.pb-c.h"

int plugin__health_check(void *ctx, const uint8_t *req, size_t req_len, base_buf *resp)
{
	(void)ctx;
	int status = PLUGIN_STATUS_OK;
	Grpc__Health__V1__HealthCheckRequest *in =
	        grpc__health__v1__health_check_request__unpack(NULL, req_len, req);
	if (in == NULL)
		return PLUGIN_STATUS_INVALID_ARGUMENT;
	const char *name = in->service ? in->service : "";
	if (strcmp(name, "") != 0 && strcmp(name, "plugin") != 0) {
		status = PLUGIN_STATUS_NOT_FOUND;
		goto done;
	}
	Grpc__Health__V1__HealthCheckResponse out = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
	out.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
	uint8_t buf[16];
	size_t n = grpc__health__v1__health_check_response__get_packed_size(&out);
	if (n > sizeof buf) {
		status = PLUGIN_STATUS_INTERNAL;
		goto done;
	}
	grpc__health__v1__health_check_response__pack(&out, buf);
	if (base_buf_append(resp, buf, n) != BASE_OK)
		status = PLUGIN_STATUS_INTERNAL;
done:
	grpc__health__v1__health_check_request__free_unpacked(in, NULL);
	return status;
}
