/*
 * plugin_testserver.c - a go-plugin server built on src/plugin for
 * tests/plugin/run.sh. Methods:
 *   /test.Svc/Slow  sleeps 3 s, answers "slow"
 *   /test.Svc/Fast  answers "fast" at once
 *   /test.Svc/Echo  answers the request bytes (big-message check)
 * The on_shutdown hook prints "testserver: on_shutdown hook ran" on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base_log.h"
#include "plugin/plugin_server.h"

static int slow_fn(void *ctx, const uint8_t *req, size_t req_len, base_buf *resp)
{
	(void)ctx;
	(void)req;
	(void)req_len;
	struct timespec ts = {3, 0};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return base_buf_puts(resp, "slow") == BASE_OK ? PLUGIN_STATUS_OK : PLUGIN_STATUS_INTERNAL;
}

static int fast_fn(void *ctx, const uint8_t *req, size_t req_len, base_buf *resp)
{
	(void)ctx;
	(void)req;
	(void)req_len;
	return base_buf_puts(resp, "fast") == BASE_OK ? PLUGIN_STATUS_OK : PLUGIN_STATUS_INTERNAL;
}

static int echo_fn(void *ctx, const uint8_t *req, size_t req_len, base_buf *resp)
{
	(void)ctx;
	return base_buf_append(resp, req, req_len) == BASE_OK ? PLUGIN_STATUS_OK : PLUGIN_STATUS_INTERNAL;
}

static void on_shutdown(void *ctx)
{
	static const char msg[] = "testserver: on_shutdown hook ran\n";
	(void)ctx;
	(void)!write(2, msg, sizeof msg - 1);
}

int main(void)
{
	plugin_server *s = NULL;
	base_log_init();
	plugin_global_init();
	if (plugin_server_new(&s) != BASE_OK)
		return 1;
	if (plugin_server_register(s, "/test.Svc/Slow", slow_fn, NULL) != BASE_OK ||
	    plugin_server_register(s, "/test.Svc/Fast", fast_fn, NULL) != BASE_OK ||
	    plugin_server_register(s, "/test.Svc/Echo", echo_fn, NULL) != BASE_OK) {
		plugin_server_free(s);
		return 1;
	}
	plugin_server_on_shutdown(s, on_shutdown, NULL);
	int rc = plugin_serve(s);
	plugin_server_free(s);
	return rc;
}
