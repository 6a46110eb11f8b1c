/*
 * plugin_controller.c - go-plugin's GRPCController.Shutdown.
 *
 * Terraform calls Shutdown when it is done with the process and then waits
 * up to 2 s for the process to exit before it sends SIGKILL (PROTOCOL.md
 * 1.8). We answer at once with an empty message, run the owner's hook,
 * cancel every call (long-lived streams would otherwise keep the gRPC server
 * from shutting down) and end the process well within 100 ms.
 */
#include "plugin/plugin_int.h"

#include <errno.h>
#include <time.h>

#include "base/base_log.h"
#include "grpc_controller.pb-c.h"

int plugin__controller_shutdown(void *ctx, const uint8_t *req, size_t req_len, base_buf *resp)
{
	(void)ctx;
	(void)resp; /* plugin.Empty packs to zero bytes */
	/* The request is a plugin.Empty; unknown fields are tolerated, garbage is
	 * not worth refusing a shutdown over, so only log it. */
	Plugin__Empty *in = plugin__empty__unpack(NULL, req_len, req);
	if (in == NULL)
		BASE_DEBUG("plugin",
		           "Shutdown: request is not a plugin.Empty (%zu bytes); shutting down anyway",
		           req_len);
	plugin__empty__free_unpacked(in, NULL);
	return PLUGIN_STATUS_OK;
}

void plugin__controller_after_reply(plugin_server *s)
{
	BASE_DEBUG("plugin", "Shutdown received; exiting");
	plugin__server_run_shutdown_hook(s);
	plugin__server_begin_shutdown(s);
	/* The main thread exits as soon as the gRPC server reports that it has
	 * shut down. Handlers still busy (an AWS call, say) keep their calls
	 * alive and delay that report, so this thread ends the process after a
	 * short grace period whatever happens. */
	struct timespec ts = {0, PLUGIN__EXIT_GRACE_MS * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	plugin__server_exit_now();
}
