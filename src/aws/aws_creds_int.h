/*
 * aws_creds_int.h - declarations shared by the credential-chain files of
 * src/aws (aws_creds*.c, aws_imds.c). Never included from another folder;
 * tests of src/aws may include it.
 *
 *   aws_creds.c          aws_creds values, the provider (locking, resolve, refresh)
 *   aws_creds_profile.c  shared config/credentials files and profile -> source
 *   aws_creds_fetch.c    STS, ECS and JSON/XML credential shapes
 *   aws_creds_process.c  credential_process (bounded, cancellable)
 *   aws_creds_sso.c      IAM Identity Center (SSO) token cache and portal
 *   aws_imds.c           EC2 instance metadata (IMDSv2): credentials, region
 */
#ifndef AWS_CREDS_INT_H
#define AWS_CREDS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "aws/aws_creds.h"

#define AWS__MAX_FILE_BYTES (1024u * 1024u)
#define AWS__IMDS_DEFAULT "http://169.254.169.254"
/* Default bound on a credential_process run. */
#define AWS__PROCESS_TIMEOUT_MS 60000u

/* Appends to unbounded buffers cannot fail (allocation aborts). */
#define AWS__IGNORE_RC(expr)                                                                                 \
	do {                                                                                                 \
		if ((expr) != BASE_OK) { /* cannot happen */                                                 \
		}                                                                                            \
	} while (0)

/* ---- small helpers (aws_creds.c) ---- */

/* Wipes and frees a secret string; NULL is fine. */
void aws__wipe_free(char *s);
/* True for a non-NULL, non-empty string. */
bool aws__set(const char *s);
/* Replaces c with copies of the given values. */
void aws__creds_set(aws_creds *c, const char *ak, const char *sk, const char *tok, int64_t exp,
                    const char *source);
/* "~/x" -> "$HOME/x" (heap). */
char *aws__expand_home(const char *path);
/* Prepends "prefix: " to err->message. */
void aws__err_prefix(aws_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads a whole file (at most max bytes) into out. BASE_OK, BASE_ENOTFOUND
 * (cannot open) or BASE_ETOOBIG. */
BASE_MUST_USE int aws__read_file(const char *path, size_t max, base_buf *out);

/* ---- shared files (aws_creds_profile.c) ---- */

typedef enum aws__ini_kind { AWS__INI_PROFILE, AWS__INI_SSO_SESSION, AWS__INI_SERVICES } aws__ini_kind;

typedef struct aws__ini_ent {
	aws__ini_kind kind;
	char *section; /* profile / sso-session / services name */
	char *key;     /* lowercase; "ec2.endpoint_url" for a nested sub-property */
	char *val;
} aws__ini_ent;

typedef struct aws__ini {
	aws__ini_ent *e;
	size_t n, cap;
	base_buf files;           /* "path1, path2 (missing)" for messages */
	char *missing_named;      /* first file named in the provider block that is missing */
	const char *missing_attr; /* "shared_config_files" / "shared_credentials_files" */
} aws__ini;

/* Parses one file's text into ini. is_config: "[profile x]", "[default]",
 * "[sso-session x]", "[services x]"; else every section is a profile. */
void aws__ini_parse(aws__ini *ini, const char *txt, size_t len, bool is_config);
/* Loads the config files, then the credentials files (later entries win). */
void aws__ini_load(aws__ini *ini, const aws_creds_config *cfg);
void aws__ini_dispose(aws__ini *ini);
/* The last non-empty value of key in section (kind, name), or NULL. */
const char *aws__ini_get(const aws__ini *ini, aws__ini_kind kind, const char *section, const char *key);
bool aws__ini_has(const aws__ini *ini, aws__ini_kind kind, const char *section);
/* Profile from cfg, AWS_PROFILE, AWS_DEFAULT_PROFILE, else "default". */
const char *aws__profile_name(const aws_creds_config *cfg, bool *explicit_out);
/* Fills s (heap copies) from the loaded ini for profile name. */
void aws__profile_settings_from_ini(const aws__ini *ini, const char *name, aws_profile_settings *s);

/* ---- chain nodes ---- */

typedef enum aws__node_kind { N_STATIC, N_PROCESS, N_ASSUME, N_WEBID, N_ECS, N_IMDS, N_SSO } aws__node_kind;

typedef struct aws__sso_cfg {
	char *profile; /* for the "aws sso login --profile" hint */
	char *session; /* sso_session name, NULL = legacy keys */
	char *start_url, *region, *account_id, *role_name;
	char *portal_url; /* resolved base URL of the SSO portal */
	char *oidc_url;   /* resolved base URL of SSO OIDC */
	char *cache_dir;  /* ~/.aws/sso/cache */
} aws__sso_cfg;

typedef struct aws__node {
	aws__node_kind kind;
	char *desc; /* safe to log: names the source */
	aws_creds cached;
	bool have, stale;
	char *cmd;                                   /* N_PROCESS */
	char *role_arn, *session_name, *external_id; /* N_ASSUME, N_WEBID */
	int duration;                                /* N_ASSUME: DurationSeconds, 0 = default */
	char *token_file;                            /* N_WEBID */
	char *url;                                   /* N_ECS full URL, N_IMDS endpoint */
	char *auth_token, *auth_token_file;          /* N_ECS */
	aws__sso_cfg sso;                            /* N_SSO */
	struct aws__node *parent;                    /* N_ASSUME */
	struct aws__node *next_alloc;
} aws__node;

/* What node builders and fetchers need of the provider. */
typedef struct aws__chain {
	aws_creds_hooks hooks;
	char *ca_bundle;
	unsigned process_timeout_ms;
	aws__node *nodes; /* every allocated node */
} aws__chain;

aws__node *aws__node_new(aws__chain *ch, aws__node_kind k, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
aws__node *aws__static_node(aws__chain *ch, const char *ak, const char *sk, const char *tok,
                            const char *desc);
aws__node *aws__imds_node(aws__chain *ch);
/* ECS source from the environment: NULL when not configured (*rc BASE_OK)
 * or when the URL is refused (*rc BASE_EINVALID, err filled). */
aws__node *aws__ecs_node_from_env(aws__chain *ch, aws_error *err, int *rc);
int64_t aws__now(const aws__chain *ch);

/*
 * The source of profile `name` (depth: source_profile nesting). BASE_OK
 * with *out, BASE_ENOTFOUND when the profile holds no credential settings
 * (*exists: the section exists at all), or an error with err filled.
 */
BASE_MUST_USE int aws__profile_node(aws__chain *ch, const aws__ini *ini, const char *name, int depth,
                                    aws__node **out, bool *exists, aws_error *err);
/* The SSO source of profile `name` (sso_session or legacy sso_* keys). */
BASE_MUST_USE int aws__sso_node(aws__chain *ch, const aws__ini *ini, const char *name, aws__node **out,
                                aws_error *err);

/* ---- fetchers: fresh credentials of one node into out ---- */

/* Current credentials of n (cached or refreshed); see aws_creds.c. */
BASE_MUST_USE int aws__node_get(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err);
BASE_MUST_USE int aws__fetch_sts(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err);
BASE_MUST_USE int aws__fetch_ecs(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err);
BASE_MUST_USE int aws__fetch_imds(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err);
BASE_MUST_USE int aws__fetch_process(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err);
BASE_MUST_USE int aws__fetch_sso(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err);

/* Reads the JSON credential shape of credential_process (process=true:
 * Version 1, SessionToken) or ECS/IMDS (Token, Code). */
BASE_MUST_USE int aws__creds_from_json(const char *body, size_t len, const char *who, bool process,
                                       aws_creds *out, aws_error *err);

/* One plain (unsigned) HTTP exchange; 2xx -> BASE_OK with the body in resp.
 * Other statuses -> BASE_EIO with err->http_status set; transport failures
 * -> the transport's code. */
BASE_MUST_USE int aws__plain_http(const aws__chain *ch, const char *who, const char *method, const char *url,
                                  const aws_http_header *h, size_t nh, const char *body, unsigned connect_ms,
                                  unsigned total_ms, aws_http_response *resp, aws_error *err);

/* ---- SSO pure parts (aws_creds_sso.c), exposed for unit tests ---- */

/* The cache file name of a session name or start URL: lowercase hex SHA-1
 * + ".json". */
void aws__sso_cache_name(const char *key, char out[46]);

/* What the refresh logic should do with a cached token expiring at
 * expires_at (unix s) given a refresh token or not. */
typedef enum aws__sso_action { AWS__SSO_USE, AWS__SSO_REFRESH, AWS__SSO_LOGIN } aws__sso_action;
aws__sso_action aws__sso_decide(int64_t now, int64_t expires_at, bool can_refresh);

#endif
