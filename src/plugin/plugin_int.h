/*
 * plugin_int.h - declarations shared only between the files of src/plugin
 * (and its unit tests). Never include this from another folder.
 * No gRPC or OpenSSL types here: each file includes what it uses.
 */
#ifndef PLUGIN_INT_H
#define PLUGIN_INT_H

#include <stddef.h>
#include <stdint.h>
#include "base/base_buf.h"
#include "plugin/plugin_server.h"

/* Full paths of the built-in go-plugin methods. */
#define PLUGIN__PATH_SHUTDOWN "/plugin.GRPCController/Shutdown"
#define PLUGIN__PATH_HEALTH_CHECK "/grpc.health.v1.Health/Check"

/* How long the Shutdown handler lets the gRPC server drain before it ends
 * the process with _exit (milliseconds). */
#define PLUGIN__EXIT_GRACE_MS 50

/* plugin_controller.c: GRPCController.Shutdown request handler (ctx unused):
 * accepts an (empty) plugin.Empty, answers an empty message. */
int plugin__controller_shutdown(void *ctx, const uint8_t *req, size_t req_len, base_buf *resp);

/* plugin_controller.c: runs after the Shutdown reply has been sent: the
 * on_shutdown hook, then server shutdown + cancel of every call, then
 * _exit(0) at the latest PLUGIN__EXIT_GRACE_MS later. Does not return. */
void plugin__controller_after_reply(plugin_server *s) __attribute__((noreturn));

/* plugin_health.c: grpc.health.v1.Health/Check (ctx unused): SERVING for ""
 * and "plugin", status NOT_FOUND for other names, INVALID_ARGUMENT for an
 * undecodable request. */
int plugin__health_check(void *ctx, const uint8_t *req, size_t req_len, base_buf *resp);

/* plugin_server.c: runs the registered on_shutdown hook (if any). */
void plugin__server_run_shutdown_hook(plugin_server *s);

/* plugin_server.c: sets the shutdown flag, starts grpc server shutdown and
 * cancels all calls. Idempotent; thread-safe. */
void plugin__server_begin_shutdown(plugin_server *s);

/* plugin_server.c: flushes stderr and ends the process with status 0
 * without running atexit handlers (see the comment at its definition). */
void plugin__server_exit_now(void) __attribute__((noreturn));

#endif
