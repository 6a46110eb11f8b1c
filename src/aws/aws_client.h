/*
 * aws_client.h - the AWS client handle: region, endpoints, credentials,
 * SigV4 signing, transport and retries behind one thread-safe send call.
 *
 * Lifecycle (C3): aws_client_new / aws_client_free. On failure *out is set
 * to NULL. The client is safe to share between threads: many RPCs may call
 * aws_client_send at once; credentials are cached and refreshed under a lock.
 *
 * The upper layers (aws_ec2/iam/sts/lambda) build an aws_request with their
 * wire protocol and call aws_client_send; they never see HTTP or SigV4.
 */
#ifndef AWS_CLIENT_H
#define AWS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include "base/base_buf.h"
#include "base/base_err.h"
#include "aws/aws_error.h"

/* The services this client can sign for and reach. */
typedef enum aws_service { AWS_SVC_EC2, AWS_SVC_IAM, AWS_SVC_STS, AWS_SVC_LAMBDA, AWS_SVC_COUNT } aws_service;

/* Opaque client handle (aws_client.c). */
typedef struct aws_client aws_client;

/*
 * Configuration for aws_client_new. Every pointer is borrowed for the
 * duration of aws_client_new only (the client copies what it keeps).
 * NULL / empty strings mean "not set": the value then comes from the
 * environment and shared files as the AWS SDKs do (see aws_creds.h).
 *   region                 provider block region (else AWS_REGION,
 *                          AWS_DEFAULT_REGION, the profile's region)
 *   profile                profile name (else AWS_PROFILE, else "default")
 *   access_key/secret_key/token   explicit static credentials
 *   shared_config_files / shared_credentials_files   override the default
 *                          ~/.aws/config and ~/.aws/credentials (and the
 *                          AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE env)
 *   assume_role_*          the provider's assume_role block: the resolved
 *                          credentials are used to call STS AssumeRole
 *   endpoints[svc]         base URL override ("http://127.0.0.1:5000"); else
 *                          AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, default
 *   max_retries            < 0: default (25 attempts in total, adaptive mode);
 *                          otherwise the number of retries after the first try
 *   skip_credentials_validation   false (default): _new resolves the
 *                          credentials and calls STS GetCallerIdentity once;
 *                          true: credentials are resolved on first send
 *   allowed_account_ids / forbidden_account_ids   account guards checked in
 *                          _new (GetCallerIdentity runs even when
 *                          skip_credentials_validation is true): "AWS account
 *                          ID not allowed: <id>" when the account is forbidden
 *                          or not in a non-empty allowed list
 *   credential_process_timeout_ms   bound on a credential_process (0 = 60 s)
 *   transport/transport_ctx       NULL = aws_http_transport (aws_http.h); tests pass a fake
 */
typedef struct aws_client_config {
	const char *region, *profile, *access_key, *secret_key, *token;
	const char *const *shared_config_files;
	size_t n_shared_config_files;
	const char *const *shared_credentials_files;
	size_t n_shared_credentials_files;
	const char *assume_role_arn, *assume_role_session_name, *assume_role_external_id;
	const char *endpoints[AWS_SVC_COUNT]; /* base URL overrides, NULL = default/env */
	int max_retries;                      /* < 0: default (25 attempts in total) */
	bool skip_credentials_validation;
	const char *const *allowed_account_ids;
	size_t n_allowed_account_ids;
	const char *const *forbidden_account_ids;
	size_t n_forbidden_account_ids;
	unsigned credential_process_timeout_ms;
	const struct aws_transport *transport;
	void *transport_ctx; /* NULL = aws_http_transport */
} aws_client_config;

/* One request as the protocol layer builds it. All pointers borrowed for the call. */
typedef struct aws_request {
	aws_service service;
	const char *op;     /* operation name for logs/retries, e.g. "DescribeSubnets" */
	const char *method; /* "GET" "POST" "PUT" "DELETE" */
	const char *path;   /* URI path with each segment already percent-encoded once */
	const char *query;  /* query string without '?', or NULL */
	const char *body;
	size_t body_len;
	const char *content_type; /* NULL when no body */
	bool not_idempotent;      /* true for creates: after a timeout once sent, do not retry; return
	                             BASE_ETIMEOUT with err->code "RequestOutcomeUnknown" */
} aws_request;

/*
 * The response of a successful (2xx) call. body is NUL-terminated
 * (base_buf) and read-only for the caller; request_id is the
 * x-amzn-RequestId / x-amz-request-id header or "" when absent.
 * Caller-allocated: aws_response_init / _dispose.
 *
 * shared is set when body is a view of one reply that identical concurrent
 * reads share (aws_memo.c) instead of each holding a copy: ten refreshes at
 * once each copied a VPC-wide Describe before (issue 13). The view stays
 * valid until aws_response_dispose or the next aws_client_send with r.
 */
typedef struct aws_response {
	int status;
	base_buf body;
	char request_id[128];
	struct aws__shared_body *shared;
} aws_response;

/* Prepares r for aws_client_send (empty body, status 0). */
void aws_response_init(aws_response *r);
/* Frees the body; r may be re-initialised afterwards. */
void aws_response_dispose(aws_response *r);

/*
 * One-time library initialisation (OpenSSL). Call once from main before any
 * thread starts (STYLE C12). Not thread-safe.
 */
void aws_global_init(void);

/*
 * Creates a client. Reads the profile (a missing profile named explicitly
 * or a missing file named in shared_*_files is an error), resolves the
 * region (required; IMDS is asked last) and endpoints, and unless
 * skip_credentials_validation resolves the credentials and checks them with
 * one STS GetCallerIdentity, so that a broken credential source fails early
 * with a message naming the source. The account ID is kept
 * (aws_client_account_id). Then the account guards.
 * Returns BASE_OK, BASE_EINVALID (no region, bad config, no credentials,
 * account not allowed (err->code "AccountNotAllowed"); err filled),
 * BASE_EAWS / BASE_EIO (STS, SSO or IMDS call failed; err filled).
 * On failure *out = NULL. Caller frees with aws_client_free.
 */
BASE_MUST_USE int aws_client_new(aws_client **out, const aws_client_config *cfg, aws_error *err);

/* Frees the client; NULL is fine. No send may be in flight. */
void aws_client_free(aws_client *c);

/*
 * Signs (SigV4) and sends with retries. 2xx → BASE_OK and *resp filled
 * (resp must have been aws_response_init'ed; its previous body is reset).
 * Otherwise the AWS error is parsed with aws_error_parse() into *err and
 * BASE_EAWS is returned (BASE_ETHROTTLED when throttling retries ran out,
 * BASE_ETIMEOUT, BASE_ECANCELLED, BASE_EIO for transport failures,
 * BASE_ETOOBIG when the response exceeded the size cap, with err filled).
 * Credential failures (first resolution when skip_credentials_validation,
 * or a refresh of expired credentials that fails) return the chain's code
 * (BASE_EINVALID with err->code "NoCredentialProviders", BASE_EAWS from
 * STS, ...) with err naming the source.
 * A not_idempotent request that timed out after being sent returns
 * BASE_ETIMEOUT with err->code "RequestOutcomeUnknown": the caller should
 * re-discover the object by name or tag rather than repeat the call.
 * On an error resp->status and resp->body hold the last response seen.
 * Thread-safe.
 */
BASE_MUST_USE int aws_client_send(aws_client *c, const aws_request *req, aws_response *resp, aws_error *err);

/*
 * For a process that refreshes resources: from now on, and only until the
 * client's first write, a VPC-wide listing (subnets, route tables, security
 * groups and their rules, endpoints, prefix lists) answers identical reads
 * for up to 5 seconds after it arrived, so the resources of one refresh share
 * one view of the VPC. Thread-safe.
 */
void aws_client_keep_listings(aws_client *c);

/* The resolved region. Borrowed; valid until aws_client_free. */
const char *aws_client_region(const aws_client *c);

/* The account ID of the credentials once GetCallerIdentity ran (at
 * configure, or the first aws_sts_get_caller_identity), else NULL.
 * Borrowed; valid until aws_client_free. Thread-safe. */
const char *aws_client_account_id(aws_client *c);

/*
 * Cancels in-flight calls and makes later sends and waits return
 * BASE_ECANCELLED (StopProvider). Irreversible. Thread-safe; async-safe
 * with respect to other client calls (it only sets an atomic flag).
 */
void aws_client_cancel(aws_client *c);
/* True once aws_client_cancel has been called. Thread-safe. */
bool aws_client_cancelled(const aws_client *c);

/*
 * Sleeps ms milliseconds, waking early on cancel. Returns BASE_OK after the
 * full sleep or BASE_ECANCELLED if the client is (or becomes) cancelled.
 * For waits/polls in upper layers. Thread-safe.
 */
BASE_MUST_USE int aws_client_sleep_ms(aws_client *c, unsigned ms);

#endif
