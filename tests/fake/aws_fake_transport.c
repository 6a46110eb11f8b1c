/* aws_fake_transport.c - see aws_fake_transport.h. */
#include "aws_fake_transport.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/base_alloc.h"
#include "base/base_buf.h"

struct stored_reply {
	aws_fake_reply r;
	char *headers, *body;
};

struct aws_fake {
	pthread_mutex_t mu;
	struct stored_reply *q;
	size_t nq, capq, head;
	struct stored_reply dflt;
	bool have_dflt;
	aws_fake_request *reqs;
	size_t nreq, capreq;
};

aws_fake *aws_fake_new(void)
{
	aws_fake *f = base_xcalloc(1, sizeof *f);
	pthread_mutex_init(&f->mu, NULL);
	return f;
}

void aws_fake_free(aws_fake *f)
{
	size_t i;
	if (!f)
		return;
	for (i = 0; i < f->nq; i++) {
		base_free(f->q[i].headers);
		base_free(f->q[i].body);
	}
	base_free(f->q);
	base_free(f->dflt.headers);
	base_free(f->dflt.body);
	for (i = 0; i < f->nreq; i++) {
		base_free(f->reqs[i].method);
		base_free(f->reqs[i].url);
		base_free(f->reqs[i].headers);
		base_free(f->reqs[i].body);
		base_free(f->reqs[i].ca_bundle);
	}
	base_free(f->reqs);
	pthread_mutex_destroy(&f->mu);
	base_free(f);
}

static void store(struct stored_reply *s, const aws_fake_reply *r)
{
	s->r = *r;
	s->headers = base_xstrdup(r->headers);
	s->body = base_xstrdup(r->body);
	s->r.headers = s->headers;
	s->r.body = s->body;
}

void aws_fake_push(aws_fake *f, const aws_fake_reply *r)
{
	pthread_mutex_lock(&f->mu);
	if (f->nq == f->capq) {
		f->capq = f->capq ? 2 * f->capq : 8;
		f->q = base_xrealloc(f->q, f->capq * sizeof *f->q);
	}
	store(&f->q[f->nq++], r);
	pthread_mutex_unlock(&f->mu);
}

void aws_fake_push_status(aws_fake *f, int status, const char *headers, const char *body)
{
	aws_fake_reply r;
	memset(&r, 0, sizeof r);
	r.status = status;
	r.headers = headers;
	r.body = body;
	aws_fake_push(f, &r);
}

void aws_fake_set_default(aws_fake *f, const aws_fake_reply *r)
{
	pthread_mutex_lock(&f->mu);
	base_free(f->dflt.headers);
	base_free(f->dflt.body);
	memset(&f->dflt, 0, sizeof f->dflt);
	f->have_dflt = r != NULL;
	if (r)
		store(&f->dflt, r);
	pthread_mutex_unlock(&f->mu);
}

size_t aws_fake_count(aws_fake *f)
{
	size_t n;
	pthread_mutex_lock(&f->mu);
	n = f->nreq;
	pthread_mutex_unlock(&f->mu);
	return n;
}

const aws_fake_request *aws_fake_request_at(aws_fake *f, size_t i)
{
	const aws_fake_request *r;
	pthread_mutex_lock(&f->mu);
	r = i < f->nreq ? &f->reqs[i] : NULL;
	pthread_mutex_unlock(&f->mu);
	return r;
}

bool aws_fake_request_header(aws_fake *f, size_t i, const char *name, char *out, size_t cap)
{
	const aws_fake_request *r = aws_fake_request_at(f, i);
	const char *p;
	size_t nl = strlen(name);
	if (!r)
		return false;
	for (p = r->headers; p && *p;) {
		const char *eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > nl + 1 && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			snprintf(out, cap, "%.*s", (int)(eol - v), v);
			return true;
		}
		p = *eol ? eol + 1 : eol;
	}
	return false;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int fake_send(void *ctx, const aws_http_request *req, aws_http_response *resp)
{
	aws_fake *f = ctx;
	struct stored_reply rep;
	aws_fake_request *rec;
	base_buf hb;
	size_t i;
	unsigned waited = 0;
	bool have = true;
	char *rh = NULL, *rb = NULL;

	aws_http_response_reset(resp);
	base_buf_init(&hb, 0);
	for (i = 0; i < req->n_headers; i++)
		if (base_buf_printf(&hb, "%s: %s\n", req->headers[i].name, req->headers[i].value) != BASE_OK)
			break;

	pthread_mutex_lock(&f->mu);
	if (f->nreq == f->capreq) {
		f->capreq = f->capreq ? 2 * f->capreq : 8;
		f->reqs = base_xrealloc(f->reqs, f->capreq * sizeof *f->reqs);
	}
	rec = &f->reqs[f->nreq++];
	rec->method = base_xstrdup(req->method);
	rec->url = base_xstrdup(req->url);
	rec->headers = base_buf_detach(&hb, NULL);
	rec->body = base_xstrndup(req->body ? req->body : "", req->body_len);
	rec->body_len = req->body_len;
	rec->ca_bundle = base_xstrdup(req->ca_bundle);
	rec->connect_timeout_ms = req->connect_timeout_ms;
	rec->timeout_ms = req->timeout_ms;
	if (f->head < f->nq)
		rep = f->q[f->head++];
	else if (f->have_dflt)
		rep = f->dflt;
	else
		have = false;
	if (have) {
		rh = base_xstrdup(rep.r.headers);
		rb = base_xstrdup(rep.r.body);
	}
	pthread_mutex_unlock(&f->mu);

	if (!have) {
		resp->failure = AWS_HTTP_EOTHER;
		snprintf(resp->errmsg, sizeof resp->errmsg, "fake: no scripted reply for %s %s", req->method,
		         req->url);
		return BASE_EIO;
	}
	while (waited < rep.r.delay_ms) {
		if (req->is_cancelled && req->is_cancelled(req->cancel_ctx)) {
			resp->failure = AWS_HTTP_ECANCELLED;
			resp->sent = true;
			snprintf(resp->errmsg, sizeof resp->errmsg, "cancelled");
			base_free(rh);
			base_free(rb);
			return BASE_ECANCELLED;
		}
		sleep_ms(5);
		waited += 5;
	}
	if (rep.r.failure != AWS_HTTP_OK) {
		resp->failure = rep.r.failure;
		resp->sent = rep.r.sent;
		snprintf(resp->errmsg, sizeof resp->errmsg, "fake failure %d", (int)rep.r.failure);
		base_free(rh);
		base_free(rb);
		switch (rep.r.failure) {
		case AWS_HTTP_ECANCELLED:
			return BASE_ECANCELLED;
		case AWS_HTTP_ETOOBIG:
			return BASE_ETOOBIG;
		case AWS_HTTP_ETIMEOUT:
		case AWS_HTTP_ECONNECT_TIMEOUT:
			return BASE_ETIMEOUT;
		default:
			return BASE_EIO;
		}
	}
	resp->status = rep.r.status;
	resp->sent = true;
	if (rb && base_buf_puts(&resp->body, rb) != BASE_OK) {
		resp->failure = AWS_HTTP_ETOOBIG;
		resp->status = 0;
	}
	if (rh) {
		const char *p = rh;
		while (*p) {
			const char *eol = strchr(p, '\n');
			const char *colon;
			if (!eol)
				eol = p + strlen(p);
			colon = memchr(p, ':', (size_t)(eol - p));
			if (colon) {
				const char *v = colon + 1;
				while (*v == ' ')
					v++;
				if (aws_http_response_add_header(resp, p, (size_t)(colon - p), v,
				                                 (size_t)(eol - v)) != BASE_OK)
					break;
			}
			p = *eol ? eol + 1 : eol;
		}
	}
	base_free(rh);
	base_free(rb);
	return resp->failure == AWS_HTTP_OK ? BASE_OK : BASE_ETOOBIG;
}

const aws_transport aws_fake_transport = {fake_send};
