/*
 * main.c - composition root of terraform-provider-lambdavpc.
 *
 * Initialises the libraries (logging from TF_LOG*, gRPC, OpenSSL), logs
 * the version (VERSION, via the generated version.h),
 * builds the provider with its one resource type, registers the tfplugin6
 * service and hands the process to the go-plugin host, which exits on
 * GRPCController.Shutdown. Nothing here parses schemas or contacts AWS:
 * start-up stays cheap because Terraform launches several provider
 * processes per command.
 */
#include <malloc.h>

#include "aws/aws_client.h"
#include "base/base_log.h"
#include "plugin/plugin_server.h"
#include "prov/prov.h"
#include "secure_function/sf.h"
#include "tf6/tf6_server.h"
#include "version.h" /* generated from VERSION */

int main(void)
{
	int code = 1;
	prov *p = NULL;
	tf6_server *t = NULL;
	plugin_server *s = NULL;

	/* Every RPC runs on its own short-lived thread (plugin_server.c), and
	 * glibc gives each new thread its own malloc arena, up to 8 per core:
	 * with Terraform's ten operations at once that is 16 arenas of 0.6-0.9
	 * MiB each left mostly free. Two arenas keep the peak RSS at 20
	 * functions about 6 MiB lower, at no measurable cost in wall time. */
	(void)mallopt(M_ARENA_MAX, 2);
	base_log_init();
	plugin_global_init();
	aws_global_init();
	BASE_INFO("main", "terraform-provider-lambdavpc %s starting", LAMBDAVPC_VERSION);

	const prov_resource_def resources[] = {
	        {SF_TYPE_NAME, sf_resource_ops()},
	};
	if (prov_new(&p, resources, sizeof(resources) / sizeof(resources[0])) != BASE_OK) {
		BASE_ERROR("main", "cannot create the provider");
		goto done;
	}
	if (tf6_server_new(&t, prov_ops(), p) != BASE_OK || plugin_server_new(&s) != BASE_OK) {
		BASE_ERROR("main", "cannot create the server");
		goto done;
	}
	if (tf6_server_register(t, s) != BASE_OK) {
		BASE_ERROR("main", "cannot register the tfplugin6 service");
		goto done;
	}
	code = plugin_serve(s);
	s = NULL; /* served: plugin_server_free is only for unserved servers */
done:
	plugin_server_free(s);
	tf6_server_free(t);
	prov_free(p);
	return code;
}
