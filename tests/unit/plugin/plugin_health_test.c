/* Tests of src/plugin/plugin_health.c (called directly, no gRPC). */
#include "base/base_buf.h"
#include "plugin/plugin_int.h"
#include "t.h"

static const uint8_t serving[] = {0x08, 0x01}; /* status = SERVING */

void test_plugin_health__serving_for_server_and_plugin(void)
{
	static const uint8_t req_plugin[] = {0x0a, 6, 'p', 'l', 'u', 'g', 'i', 'n'};
	base_buf r;
	base_buf_init(&r, 0);
	T_ASSERT_INT(plugin__health_check(NULL, NULL, 0, &r), PLUGIN_STATUS_OK);
	T_ASSERT_MEM(r.data, r.len, serving, sizeof serving);
	base_buf_reset(&r);
	T_ASSERT_INT(plugin__health_check(NULL, req_plugin, sizeof req_plugin, &r), PLUGIN_STATUS_OK);
	T_ASSERT_MEM(r.data, r.len, serving, sizeof serving);
	base_buf_dispose(&r);
}

void test_plugin_health__unknown_service_not_found(void)
{
	static const uint8_t req[] = {0x0a, 3, 'f', 'o', 'o'};
	base_buf r;
	base_buf_init(&r, 0);
	T_ASSERT_INT(plugin__health_check(NULL, req, sizeof req, &r), PLUGIN_STATUS_NOT_FOUND);
	T_ASSERT_INT(r.len, 0);
	base_buf_dispose(&r);
}

void test_plugin_health__garbage_invalid_argument(void)
{
	static const uint8_t req[] = {0x0a, 9, 'x'};
	base_buf r;
	base_buf_init(&r, 0);
	T_ASSERT_INT(plugin__health_check(NULL, req, sizeof req, &r), PLUGIN_STATUS_INVALID_ARGUMENT);
	base_buf_dispose(&r);
}
