/*
 * fuzz_aws.h - an aws_client whose transport answers every request with the
 * fuzzer's bytes (no network at all), for the reply-parser targets.
 * Header-only: each target includes it once.
 */
#ifndef FUZZ_AWS_H
#define FUZZ_AWS_H

#include <stdint.h>
#include <string.h>

#include "aws/aws_client.h"
#include "aws/aws_http.h"

struct fuzz_reply {
	int status;
	const char *content_type;
	const uint8_t *body;
	size_t len;
};

static int fuzz_send(void *ctx, const aws_http_request *req, aws_http_response *resp)
{
	const struct fuzz_reply *r = ctx;
	(void)req;
	resp->status = r->status;
	if (r->content_type && aws_http_response_add_header(resp, "Content-Type", 12, r->content_type,
	                                                    strlen(r->content_type)) != BASE_OK)
		return BASE_EIO;
	return base_buf_append(&resp->body, r->body, r->len);
}

/* A client (created once) whose every exchange is answered from *r. */
static aws_client *fuzz_client(struct fuzz_reply *r)
{
	static const aws_transport tr = {fuzz_send};
	static aws_client *c;
	if (c)
		return c;
	aws_client_config cfg;
	aws_error err;
	memset(&cfg, 0, sizeof cfg);
	cfg.region = "us-east-1";
	cfg.access_key = "AKIDFUZZ";
	cfg.secret_key = "fuzz-secret";
	for (int i = 0; i < AWS_SVC_COUNT; i++)
		cfg.endpoints[i] = "http://127.0.0.1:9";
	cfg.max_retries = 0;
	cfg.skip_credentials_validation = true;
	cfg.transport = &tr;
	cfg.transport_ctx = r;
	if (aws_client_new(&c, &cfg, &err) != BASE_OK)
		__builtin_trap();
	return c;
}

/* The client, answering from now on with status and the input after its
 * first byte as the body (data/size must outlive the call). */
static aws_client *fuzz_reply_with(int status, const char *content_type, const uint8_t *data, size_t size)
{
	static struct fuzz_reply r;
	r.status = status;
	r.content_type = content_type;
	r.body = data + 1;
	r.len = size - 1;
	return fuzz_client(&r);
}

#endif
