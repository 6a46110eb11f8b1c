/*
 * aws_ops_fake.h - a scripted in-process aws_transport for the typed
 * operation tests (aws_ec2/iam/sts/lambda_test.c): replies are queued in
 * order, requests are recorded so tests can compare them byte for byte.
 * Header-only (static inline) so each test file gets its own copy.
 */
#ifndef AWS_OPS_FAKE_H
#define AWS_OPS_FAKE_H

#include <stdio.h>
#include <string.h>

#include "t.h"
#include "aws/aws_client.h"
#include "aws/aws_http.h"
#include "base/base_alloc.h"

#define OPS_FAKE_MAX 8

typedef struct ops_fake_reply {
	int status;
	const char *file;                 /* body read from this fixture, or */
	const char *body;                 /* this literal body */
	const char *hdr_name, *hdr_value; /* one optional response header */
} ops_fake_reply;

typedef struct ops_fake {
	ops_fake_reply replies[OPS_FAKE_MAX];
	size_t n_replies, next;
	char *method[OPS_FAKE_MAX], *url[OPS_FAKE_MAX], *body[OPS_FAKE_MAX];
	size_t n_req;
	aws_client *client;
} ops_fake;

static inline int ops_fake_send(void *ctx, const aws_http_request *req, aws_http_response *resp)
{
	ops_fake *f = ctx;
	const ops_fake_reply *r;
	size_t i = f->n_req;
	int rc = BASE_OK;

	if (i < OPS_FAKE_MAX) {
		f->method[i] = base_xstrdup(req->method);
		f->url[i] = base_xstrdup(req->url);
		f->body[i] = base_xstrndup(req->body ? req->body : "", req->body_len);
		f->n_req++;
	}
	if (f->next >= f->n_replies) {
		resp->failure = AWS_HTTP_ECONNECT;
		return BASE_EIO;
	}
	r = &f->replies[f->next++];
	resp->status = r->status;
	if (r->file) {
		size_t len;
		char *b = t_read_file(r->file, &len);
		if (!b)
			return BASE_EIO;
		rc = base_buf_append(&resp->body, b, len);
		base_free(b);
	} else if (r->body) {
		rc = base_buf_puts(&resp->body, r->body);
	}
	if (rc == BASE_OK && r->hdr_name)
		rc = aws_http_response_add_header(resp, r->hdr_name, strlen(r->hdr_name), r->hdr_value,
		                                  strlen(r->hdr_value));
	return rc;
}

/* A test client (us-east-1, no retries, no credential check) whose
 * requests go to tr with ctx; returns 0 on success. */
static inline int ops_fake_client_new(const aws_transport *tr, void *ctx, aws_client **out)
{
	aws_client_config cfg;
	aws_error err;

	memset(&cfg, 0, sizeof cfg);
	cfg.region = "us-east-1";
	cfg.access_key = "AKIDTEST";
	cfg.secret_key = "secret";
	for (int i = 0; i < AWS_SVC_COUNT; i++)
		cfg.endpoints[i] = "http://127.0.0.1:9";
	cfg.max_retries = 0;
	cfg.skip_credentials_validation = true;
	cfg.transport = tr;
	cfg.transport_ctx = ctx;
	return aws_client_new(out, &cfg, &err);
}

/* Creates f->client talking to the fake; returns 0 on success. */
static inline int ops_fake_init(ops_fake *f)
{
	static const aws_transport tr = {ops_fake_send};
	return ops_fake_client_new(&tr, f, &f->client);
}

static inline void ops_fake_reply_add(ops_fake *f, int status, const char *file, const char *body)
{
	ops_fake_reply *r = &f->replies[f->n_replies++];
	memset(r, 0, sizeof *r);
	r->status = status;
	r->file = file;
	r->body = body;
}

static inline void ops_fake_dispose(ops_fake *f)
{
	for (size_t i = 0; i < f->n_req; i++) {
		base_free(f->method[i]);
		base_free(f->url[i]);
		base_free(f->body[i]);
	}
	aws_client_free(f->client);
	memset(f, 0, sizeof *f);
}

#endif
