/*
 * aws_imds.c - the EC2 instance metadata service (IMDSv2): a session token
 * from PUT /latest/api/token, then GETs with it. Used for the instance
 * role's credentials (last source of the chain) and for the region when
 * nothing else sets one. AWS_EC2_METADATA_SERVICE_ENDPOINT moves it (tests
 * use a fake on 127.0.0.1); AWS_EC2_METADATA_DISABLED=true turns it off.
 */
#include "aws/aws_creds_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base_alloc.h"

/* IMDS answers within a few ms on an instance; off an instance the
 * connection attempt must not hold up the provider for long. */
#define IMDS_CONNECT_MS 1000u
#define IMDS_TOTAL_MS 2000u

static char *imds_base(void)
{
	const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	char *url = base_xstrdup(aws__set(ep) ? ep : AWS__IMDS_DEFAULT);
	size_t l = strlen(url);
	while (l > 0 && url[l - 1] == '/')
		url[--l] = '\0';
	return url;
}

aws__node *aws__imds_node(aws__chain *ch)
{
	char *base = imds_base();
	aws__node *n = aws__node_new(ch, N_IMDS, "EC2 instance metadata (IMDSv2 %s)", base);
	n->url = base;
	return n;
}

/* PUT the session token; *token = heap copy. */
static int imds_token(const aws__chain *ch, const char *who, const char *base, char **token, aws_error *err)
{
	aws_http_response resp;
	aws_http_header h = {"X-aws-ec2-metadata-token-ttl-seconds", "21600"};
	char *url = base_xasprintf("%s/latest/api/token", base);
	int rc;
	aws_http_response_init(&resp);
	rc = aws__plain_http(ch, who, "PUT", url, &h, 1, NULL, IMDS_CONNECT_MS, IMDS_TOTAL_MS, &resp, err);
	if (rc == BASE_OK)
		*token = base_xstrdup(base_buf_cstr(&resp.body));
	aws_http_response_dispose(&resp);
	base_free(url);
	return rc;
}

/* GET base+path with the token; the body into out. */
static int imds_get(const aws__chain *ch, const char *who, const char *base, const char *token,
                    const char *path, base_buf *out, aws_error *err)
{
	aws_http_response resp;
	aws_http_header h = {"X-aws-ec2-metadata-token", token};
	char *url = base_xasprintf("%s%s", base, path);
	int rc;
	aws_http_response_init(&resp);
	rc = aws__plain_http(ch, who, "GET", url, &h, 1, NULL, IMDS_CONNECT_MS, IMDS_TOTAL_MS, &resp, err);
	if (rc == BASE_OK) {
		base_buf_reset(out);
		rc = base_buf_append(out, resp.body.data ? resp.body.data : "", resp.body.len);
	}
	if (resp.body.data)
		memset(resp.body.data, 0, resp.body.len);
	aws_http_response_dispose(&resp);
	base_free(url);
	return rc;
}

int aws__fetch_imds(aws__chain *ch, aws__node *n, aws_creds *out, aws_error *err)
{
	base_buf b;
	char *token = NULL, *path = NULL;
	size_t l;
	int rc;
	base_buf_init(&b, 64 * 1024);
	rc = imds_token(ch, n->desc, n->url, &token, err);
	if (rc == BASE_OK)
		rc = imds_get(ch, n->desc, n->url, token, "/latest/meta-data/iam/security-credentials/", &b,
		              err);
	if (rc != BASE_OK)
		goto done;
	l = strcspn(base_buf_cstr(&b), "\r\n");
	if (l == 0) {
		aws_error_setf(err, 0, "CredentialsEndpointError", "%s: no IAM role attached to the instance",
		               n->desc);
		rc = BASE_EINVALID;
		goto done;
	}
	path = base_xasprintf("/latest/meta-data/iam/security-credentials/%.*s", (int)l, base_buf_cstr(&b));
	rc = imds_get(ch, n->desc, n->url, token, path, &b, err);
	if (rc == BASE_OK)
		rc = aws__creds_from_json(base_buf_cstr(&b), b.len, n->desc, false, out, err);
done:
	if (b.data)
		memset(b.data, 0, b.len);
	base_buf_dispose(&b);
	aws__wipe_free(token);
	base_free(path);
	return rc;
}

int aws_creds_imds_region(const aws_creds_hooks *hooks, const char *ca_bundle, char **out, aws_error *err)
{
	const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
	aws__chain ch;
	base_buf b;
	char *base, *token = NULL, *who;
	int rc;
	*out = NULL;
	if ((dis && strcasecmp(dis, "true") == 0) || !hooks->transport)
		return BASE_ENOTFOUND;
	memset(&ch, 0, sizeof ch);
	ch.hooks = *hooks;
	ch.ca_bundle = (char *)ca_bundle;
	base = imds_base();
	who = base_xasprintf("EC2 instance metadata (IMDSv2 %s) region", base);
	base_buf_init(&b, 256);
	rc = imds_token(&ch, who, base, &token, err);
	if (rc == BASE_OK)
		rc = imds_get(&ch, who, base, token, "/latest/meta-data/placement/region", &b, err);
	if (rc == BASE_OK && b.len)
		*out = base_xstrndup(base_buf_cstr(&b), strcspn(base_buf_cstr(&b), "\r\n \t"));
	else if (rc == BASE_OK)
		rc = BASE_ENOTFOUND;
	base_buf_dispose(&b);
	aws__wipe_free(token);
	base_free(base);
	base_free(who);
	return rc;
}
