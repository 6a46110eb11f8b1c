/*
 * aws_creds.h - AWS credentials and the credential chain.
 *
 * Resolution order (the AWS SDK order):
 *   1. explicit access_key/secret_key(/token) from the provider block
 *   2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN)
 *   3. the shared files (credentials file wins over config file) for the
 *      profile from the config, AWS_PROFILE, AWS_DEFAULT_PROFILE or
 *      "default": role_arn with source_profile / credential_source /
 *      web_identity_token_file (STS AssumeRole[WithWebIdentity]), static
 *      keys, IAM Identity Center (sso_session or the legacy sso_* keys:
 *      the cached token of `aws sso login`, refreshed through SSO OIDC
 *      CreateToken, then the portal's GetRoleCredentials), credential_process
 *   4. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *      (+ AWS_ROLE_SESSION_NAME) via STS AssumeRoleWithWebIdentity
 *   5. ECS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
 *      _FULL_URI (+ AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE])
 *   6. EC2 IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT, default
 *      http://169.254.169.254; off when AWS_EC2_METADATA_DISABLED=true)
 * A credential_process is bounded (process_timeout_ms, default 60 s) and
 * stopped on cancellation.
 * then, if the provider block has assume_role, STS AssumeRole with the
 * resolved credentials. The chain is resolved on the first
 * aws_creds_provider_get; expiring credentials are refreshed 5 minutes
 * before they expire. When nothing works the error names every source
 * tried (code "NoCredentialProviders").
 *
 * Secrets are never logged; aws_creds.source says where credentials came
 * from and is safe to log.
 */
#ifndef AWS_CREDS_H
#define AWS_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "aws/aws_error.h"
#include "aws/aws_http.h"
#include "base/base_buf.h"
#include "base/base_err.h"

/* Seconds before expiry at which credentials are refreshed. */
#define AWS_CREDS_REFRESH_WINDOW_S 300

/* One set of credentials. Heap strings owned by the struct. */
typedef struct aws_creds {
	char *access_key;
	char *secret_key;
	char *token;        /* NULL when not a session */
	int64_t expiration; /* unix seconds; 0 = does not expire */
	char source[160];   /* where they came from; safe to log */
} aws_creds;

/* Zeroes c (no credentials). */
void aws_creds_init(aws_creds *c);
/* Frees and wipes the secrets. NULL is fine. */
void aws_creds_dispose(aws_creds *c);
/* dst = deep copy of src (dst's old contents are disposed). */
void aws_creds_copy(aws_creds *dst, const aws_creds *src);

/*
 * What the chain needs from its owner (the client) for network calls.
 *   sts       one STS query call (form body) to the client's STS endpoint
 *             in `region`, signed with creds (NULL = unsigned, for
 *             AssumeRoleWithWebIdentity). On 2xx returns BASE_OK and the
 *             XML in resp_body; otherwise a BASE_E* code with err filled.
 *   transport plain HTTP for IMDS and ECS (NULL = those sources fail)
 *   now       unix seconds (NULL = time())
 *   is_cancelled   polled by HTTP calls (NULL = never)
 */
typedef struct aws_creds_hooks {
	int (*sts)(void *ctx, const aws_creds *creds, const char *op, const char *body, size_t len,
	           base_buf *resp_body, aws_error *err);
	const aws_transport *transport;
	void *transport_ctx;
	int64_t (*now)(void *ctx);
	bool (*is_cancelled)(void *ctx);
	void *ctx;
} aws_creds_hooks;

/* Chain configuration; strings borrowed for aws_creds_provider_new only. */
typedef struct aws_creds_config {
	const char *profile;
	const char *access_key, *secret_key, *token;
	const char *const *config_files;
	size_t n_config_files;
	const char *const *credentials_files;
	size_t n_credentials_files;
	const char *assume_role_arn, *assume_role_session_name, *assume_role_external_id;
	const char *ca_bundle;       /* for IMDS/ECS https URLs; NULL = system */
	unsigned process_timeout_ms; /* bound on credential_process; 0 = 60 s */
} aws_creds_config;

/* The chain with its caches (opaque). Thread-safe. */
typedef struct aws_creds_provider aws_creds_provider;

/*
 * Creates a provider (copies cfg; does no I/O). Returns BASE_OK or
 * BASE_EINVALID (only one of access_key/secret_key given; err filled).
 * *out = NULL on failure. Free with aws_creds_provider_free.
 */
BASE_MUST_USE int aws_creds_provider_new(aws_creds_provider **out, const aws_creds_config *cfg,
                                         const aws_creds_hooks *hooks, aws_error *err);
/* Frees the provider and wipes cached secrets; NULL is fine. */
void aws_creds_provider_free(aws_creds_provider *p);

/*
 * Current credentials into *out (a copy the caller disposes). Resolves the
 * chain on first use, refreshes within the refresh window. When a refresh
 * fails but the cached credentials have not expired yet they are returned.
 * Returns BASE_OK, BASE_EINVALID (no source / broken file / bad process
 * output), BASE_EAWS (STS refused), BASE_EIO / BASE_ETIMEOUT (IMDS, ECS),
 * BASE_ECANCELLED; err names the source(s). Thread-safe: one caller
 * refreshes at a time; callers whose cached credentials are still valid get
 * them at once instead of waiting for that refresh (a slow SSO call or a
 * credential_process that runs into its timeout); only callers without valid
 * credentials wait.
 */
BASE_MUST_USE int aws_creds_provider_get(aws_creds_provider *p, aws_creds *out, aws_error *err);

/* Marks cached credentials stale (after ExpiredToken); next get refreshes
 * refreshable sources. Thread-safe. */
void aws_creds_provider_invalidate(aws_creds_provider *p);

/* Most entries of a profile's `services` section that are kept. */
#define AWS_PROFILE_MAX_SERVICES 16

/*
 * What the selected profile says besides credentials (heap strings, NULL =
 * not set). service_key[i] is a `services` section key ("ec2", "sso_oidc")
 * whose nested endpoint_url is service_url[i].
 */
typedef struct aws_profile_settings {
	char *name;
	char *region;
	char *endpoint_url;
	char *services; /* name of the [services x] section */
	char *service_key[AWS_PROFILE_MAX_SERVICES];
	char *service_url[AWS_PROFILE_MAX_SERVICES];
	size_t n_services;
	int ignore_configured_endpoint_urls; /* -1 not set, 0 false, 1 true */
} aws_profile_settings;

/*
 * The settings of the profile (profile from cfg / AWS_PROFILE /
 * AWS_DEFAULT_PROFILE / "default") in the shared files. Returns BASE_OK,
 * or BASE_EINVALID with err filled when a file named in cfg's
 * config_files/credentials_files does not exist, or when the profile was
 * named explicitly (cfg or AWS_PROFILE) and no file has it. Dispose *out
 * with aws_profile_settings_dispose (also after a failure).
 */
BASE_MUST_USE int aws_creds_profile_settings(const aws_creds_config *cfg, aws_profile_settings *out,
                                             aws_error *err);
void aws_profile_settings_dispose(aws_profile_settings *s);

/*
 * The region of the EC2 instance from IMDSv2 (placement/region) through
 * hooks->transport, for when nothing else sets one. BASE_OK with *out (heap;
 * base_free), BASE_ENOTFOUND when IMDS is disabled (AWS_EC2_METADATA_DISABLED)
 * or there is no transport, else the transport's error with err filled.
 * Bounded: about 2 s per request when no IMDS answers.
 */
BASE_MUST_USE int aws_creds_imds_region(const aws_creds_hooks *hooks, const char *ca_bundle, char **out,
                                        aws_error *err);

#endif
