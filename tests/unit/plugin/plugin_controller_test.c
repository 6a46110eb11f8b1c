/* Tests of src/plugin/plugin_controller.c: the Shutdown request handler
 * (the exit path itself is covered by tests/plugin/run.sh). */
#include "base/base_buf.h"
#include "plugin/plugin_int.h"
#include "t.h"

void test_plugin_controller__shutdown_answers_empty(void)
{
	static const uint8_t unknown_field[] = {0x08, 0x01};
	base_buf r;
	base_buf_init(&r, 0);
	T_ASSERT_INT(plugin__controller_shutdown(NULL, NULL, 0, &r), PLUGIN_STATUS_OK);
	T_ASSERT_INT(r.len, 0);
	/* unknown fields are tolerated; a shutdown is never refused */
	T_ASSERT_INT(plugin__controller_shutdown(NULL, unknown_field, sizeof unknown_field, &r),
	             PLUGIN_STATUS_OK);
	T_ASSERT_INT(r.len, 0);
	base_buf_dispose(&r);
}
