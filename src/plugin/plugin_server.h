/*
 * plugin_server.h - the go-plugin host: a gRPC server (gRPC C core) that
 * speaks the go-plugin handshake, AutoMTLS and the go-plugin side services
 * (GRPCController.Shutdown, grpc.health.v1.Health), and dispatches unary
 * calls to registered handlers, each on its own worker thread.
 *
 * Typical use (provider/main.c):
 *
 *     plugin_global_init();
 *     plugin_server *s;
 *     if (plugin_server_new(&s) != BASE_OK) return 1;
 *     rc = plugin_server_register(s, "/tfplugin6.Provider/GetProviderSchema", fn, ctx);
 *     ...
 *     return plugin_serve(s);   (normally does not return: exits on Shutdown)
 *
 * Only this header is public; gRPC and OpenSSL types never appear in it.
 * Every method that is not registered (including the go-plugin streams
 * /plugin.GRPCStdio/StreamStdio and /plugin.GRPCBroker/StartStream) is
 * answered at once with UNIMPLEMENTED without reading the request.
 */
#ifndef PLUGIN_SERVER_H
#define PLUGIN_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include "base/base_buf.h"
#include "base/base_err.h"

/* gRPC status codes a handler may return (same numbers as grpc_status_code). */
#define PLUGIN_STATUS_OK 0
#define PLUGIN_STATUS_CANCELLED 1
#define PLUGIN_STATUS_UNKNOWN 2
#define PLUGIN_STATUS_INVALID_ARGUMENT 3
#define PLUGIN_STATUS_NOT_FOUND 5
#define PLUGIN_STATUS_RESOURCE_EXHAUSTED 8
#define PLUGIN_STATUS_UNIMPLEMENTED 12
#define PLUGIN_STATUS_INTERNAL 13
#define PLUGIN_STATUS_UNAVAILABLE 14

/* The server: opaque; one per process. */
typedef struct plugin_server plugin_server;

/*
 * A unary handler. Runs on its own worker thread; many handlers (the same
 * one included) run at the same time, so fn must be thread-safe with respect
 * to ctx. req/req_len: the serialized request message (borrowed, valid only
 * during the call; req may be NULL when req_len is 0). The handler appends
 * the serialized response message to *resp (initialised empty, no cap; owned
 * and disposed by the server). Returns a gRPC status code: 0 OK (resp is sent),
 * anything else (12 UNIMPLEMENTED, 13 INTERNAL, ...) is sent as the call
 * status with no message.
 */
typedef int (*plugin_unary_fn)(void *ctx, const uint8_t *req, size_t req_len, base_buf *resp);

/*
 * One-time library initialisation (grpc_init). Call once from main before
 * any thread starts. Not thread-safe. Cheap (~1 ms).
 */
void plugin_global_init(void);

/*
 * Creates a server with no methods registered. *out = NULL on failure.
 * Errors: none today besides BASE_ERR (reserved). Caller frees with
 * plugin_server_free. Requires plugin_global_init first.
 *
 * Start-up speed: when TF_PLUGIN_MAGIC_COOKIE is right (i.e. Terraform
 * launched us), this already starts a background thread that generates the
 * TLS key + certificate (if PLUGIN_CLIENT_CERT is set), builds the gRPC
 * server and binds the listener; plugin_serve waits for it. So call it
 * early in main, before other start-up work (schema building, AWS set-up),
 * and do not modify the environment (setenv) while that thread may run.
 */
BASE_MUST_USE int plugin_server_new(plugin_server **out);

/* Frees a server that has not been served (plugin_serve exits the process
 * on Shutdown) or whose plugin_serve failed; waits for the start-up thread
 * and closes the listener if they exist. NULL is fine. */
void plugin_server_free(plugin_server *s);

/*
 * Registers a handler for a full method path, e.g.
 * "/tfplugin6.Provider/GetProviderSchema" (copied). Call before plugin_serve,
 * from one thread. ctx is borrowed and must outlive the server.
 * Errors: BASE_EINVALID (path not starting with '/', NULL fn),
 * BASE_ECONFLICT (path already registered, also the built-in
 * "/plugin.GRPCController/Shutdown" and "/grpc.health.v1.Health/Check").
 */
BASE_MUST_USE int plugin_server_register(plugin_server *s, const char *path, plugin_unary_fn fn, void *ctx);

/*
 * Optional hook run (on a worker thread) when GRPCController.Shutdown
 * arrives, after the reply has been sent and before the other calls are
 * cancelled and the process exits. Keep it short: the process exits right
 * after it returns. Call before plugin_serve.
 */
void plugin_server_on_shutdown(plugin_server *s, void (*fn)(void *ctx), void *ctx);

/*
 * Serves the go-plugin protocol:
 *  1. checks TF_PLUGIN_MAGIC_COOKIE; if wrong or missing prints a human
 *     message on stderr and returns 1 (nothing is written to stdout);
 *  2. ignores SIGINT/SIGPIPE, sets PR_SET_PDEATHSIG(SIGKILL), marks every
 *     inherited fd above 2 close-on-exec;
 *  3. with PLUGIN_CLIENT_CERT set: fresh P-256 key + self-signed cert and
 *     mTLS requiring a client cert signed by that PEM; without it plaintext;
 *  4. binds 127.0.0.1:<free port>, starts the server, writes the handshake
 *     line `1|6|tcp|127.0.0.1:PORT|grpc|<cert base64>` to stdout (one
 *     write(2), no stdio buffering), then points fd 1 at /dev/null so that
 *     nothing else can ever reach Terraform's stdout pipe;
 *  5. serves until GRPCController.Shutdown, then exits the process with 0
 *     (via _exit: atexit handlers do not run).
 * Returns the process exit code: 1 on any start-up failure (reported on
 * stderr via base_log, nothing on stdout); on Shutdown the process exits
 * from inside (the return is only reached if the server stops otherwise,
 * with 0). Call once, from the main thread.
 */
int plugin_serve(plugin_server *s);

#endif
