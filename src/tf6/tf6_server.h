/*
 * tf6_server.h - serves a tf6_provider_ops over tfplugin6: registers every
 * supported /tfplugin6.Provider/ method with the plugin host
 * (plugin_server.h) and, per call, decodes the protobuf request, converts
 * DynamicValues to cty values with the schema's implied types, calls the
 * provider through tf6_dispatch's contract rules and encodes the response
 * (diagnostics with attribute paths). Each call works in its own arena,
 * freed when the response bytes are ready.
 *
 * Served: GetMetadata, GetProviderSchema (capabilities plan_destroy and
 * get_provider_schema_optional; the response bytes are built once, on first
 * use, and reused), ValidateProviderConfig, ValidateResourceConfig,
 * UpgradeResourceState, ConfigureProvider, ReadResource,
 * PlanResourceChange, ApplyResourceChange, ImportResourceState,
 * StopProvider. Everything else (data sources, identities, functions,
 * ephemeral resources, moves, ...) is left unregistered, so the host answers
 * UNIMPLEMENTED.
 *
 * THREAD SAFETY: handlers run concurrently on the host's worker threads;
 * the server's only shared mutable state (the schema cache) is built once
 * under a mutex.
 */
#ifndef TF6_SERVER_H
#define TF6_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include "base/base_buf.h"
#include "base/base_err.h"
#include "plugin/plugin_server.h"
#include "tf6/tf6_provider.h"

typedef struct tf6_server tf6_server;

/*
 * Creates a server for the provider (ops static, ctx borrowed; both must
 * outlive the server). Does not call the provider (the schema is loaded on
 * first use). *out = NULL on failure (none today besides BASE_ERR).
 * Caller frees with tf6_server_free.
 */
BASE_MUST_USE int tf6_server_new(tf6_server **out, const tf6_provider_ops *ops, void *ctx);

/* Frees the server; NULL is fine. No call may be running. */
void tf6_server_free(tf6_server *t);

/*
 * Registers every served method ("/tfplugin6.Provider/<Name>") with s,
 * with t as the handler context. Errors: those of plugin_server_register.
 */
BASE_MUST_USE int tf6_server_register(tf6_server *t, plugin_server *s);

/*
 * Runs one call directly, without gRPC (unit tests and tools): method is
 * the short RPC name ("GetProviderSchema"), req/len the serialized request.
 * Appends the serialized response to resp and returns the gRPC status
 * (PLUGIN_STATUS_OK, PLUGIN_STATUS_UNIMPLEMENTED for a method not served,
 * PLUGIN_STATUS_INVALID_ARGUMENT for undecodable request bytes).
 * Thread-safe.
 */
int tf6_server_handle(tf6_server *t, const char *method, const uint8_t *req, size_t len, base_buf *resp);

#endif
