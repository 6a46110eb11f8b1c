/*
 * aws_http.c - aws_transport on libcurl (the only file including libcurl,
 * STYLE C8).
 *
 * Each send uses a fresh easy handle driven by a multi handle taken from a
 * small per-client pool: the multi handle owns the connection cache, so
 * keep-alive connections are reused across calls and threads, while an
 * easy handle is never shared (libcurl-thread.md). Driving the transfer
 * with curl_multi_poll in 50 ms slices lets us notice cancellation quickly.
 */
#include "aws/aws_http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/base_alloc.h"

#define POLL_SLICE_MS 50
#define DEFAULT_CONNECT_TIMEOUT_MS 10000u
#define DEFAULT_IDLE_TIMEOUT_MS 60000u
#define DEFAULT_TIMEOUT_MS 300000u
#define DEFAULT_MAX_RESPONSE (64u * 1024u * 1024u)
#define POOL_MAX 8

/* ------------------------------------------------------------------ */
/* response helpers (transport-independent)                             */

void aws_http_response_init(aws_http_response *r)
{
	memset(r, 0, sizeof *r);
	base_buf_init(&r->body, 0);
	base_buf_init(&r->headers, 0);
}

void aws_http_response_dispose(aws_http_response *r)
{
	if (!r)
		return;
	base_buf_dispose(&r->body);
	base_buf_dispose(&r->headers);
}

void aws_http_response_reset(aws_http_response *r)
{
	r->status = 0;
	r->failure = AWS_HTTP_OK;
	r->sent = false;
	r->errmsg[0] = '\0';
	base_buf_reset(&r->body);
	base_buf_reset(&r->headers);
}

int aws_http_response_add_header(aws_http_response *r, const char *name, size_t nlen, const char *value,
                                 size_t vlen)
{
	size_t i, start = r->headers.len;
	int rc = base_buf_append(&r->headers, name, nlen);
	if (rc == BASE_OK)
		rc = base_buf_putc(&r->headers, '\0');
	if (rc == BASE_OK)
		rc = base_buf_append(&r->headers, value, vlen);
	if (rc == BASE_OK)
		rc = base_buf_putc(&r->headers, '\0');
	if (rc != BASE_OK) {
		r->headers.len = start;
		if (r->headers.data)
			r->headers.data[start] = '\0';
		return rc;
	}
	for (i = 0; i < nlen; i++) {
		char *c = &r->headers.data[start + i];
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	}
	return BASE_OK;
}

const char *aws_http_response_header(const aws_http_response *r, const char *name)
{
	size_t off = 0;
	while (off < r->headers.len) {
		const char *n = r->headers.data + off;
		const char *v = n + strlen(n) + 1;
		if (strcasecmp(n, name) == 0)
			return v;
		off = (size_t)(v + strlen(v) + 1 - r->headers.data);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* libcurl state                                                        */

struct aws_http_curl {
	pthread_mutex_t mu;
	CURLM *idle[POOL_MAX]; /* multi handles with warm connection caches */
	size_t n_idle;
};

void aws_http_global_init(void)
{
	curl_global_init(CURL_GLOBAL_ALL);
}

int aws_http_curl_new(aws_http_curl **out)
{
	aws_http_curl *h = base_xcalloc(1, sizeof *h);
	pthread_mutex_init(&h->mu, NULL);
	*out = h;
	return BASE_OK;
}

void aws_http_curl_free(aws_http_curl *h)
{
	size_t i;
	if (!h)
		return;
	for (i = 0; i < h->n_idle; i++)
		curl_multi_cleanup(h->idle[i]);
	pthread_mutex_destroy(&h->mu);
	base_free(h);
}

static CURLM *pool_take(aws_http_curl *h)
{
	CURLM *m = NULL;
	pthread_mutex_lock(&h->mu);
	if (h->n_idle)
		m = h->idle[--h->n_idle];
	pthread_mutex_unlock(&h->mu);
	if (!m) {
		m = curl_multi_init();
		if (m)
			curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 4L);
	}
	return m;
}

static void pool_give(aws_http_curl *h, CURLM *m)
{
	pthread_mutex_lock(&h->mu);
	if (h->n_idle < POOL_MAX) {
		h->idle[h->n_idle++] = m;
		m = NULL;
	}
	pthread_mutex_unlock(&h->mu);
	if (m)
		curl_multi_cleanup(m);
}

/* ------------------------------------------------------------------ */
/* callbacks                                                            */

struct xfer {
	aws_http_response *resp;
	size_t max;
	bool toobig;
	bool hdr_oom;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	if (x->resp->body.len + len > x->max || base_buf_append(&x->resp->body, p, len) != BASE_OK) {
		x->toobig = true;
		return 0; /* makes libcurl fail with CURLE_WRITE_ERROR */
	}
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n, nlen, vstart, vend;
	const char *colon;
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* a new response (after 100-continue): forget earlier headers */
		base_buf_reset(&x->resp->headers);
		return len;
	}
	colon = memchr(p, ':', len);
	if (!colon)
		return len;
	nlen = (size_t)(colon - p);
	vstart = nlen + 1;
	vend = len;
	while (vstart < vend && (p[vstart] == ' ' || p[vstart] == '\t'))
		vstart++;
	while (vend > vstart && (p[vend - 1] == '\r' || p[vend - 1] == '\n' || p[vend - 1] == ' '))
		vend--;
	if (x->resp->headers.len + len > 256 * 1024 ||
	    aws_http_response_add_header(x->resp, p, nlen, p + vstart, vend - vstart) != BASE_OK)
		x->hdr_oom = true;
	return len;
}

/* ------------------------------------------------------------------ */
/* send                                                                 */

static aws_http_failure map_curl(CURLcode cc, bool sent)
{
	switch (cc) {
	case CURLE_OK:
		return AWS_HTTP_OK;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return AWS_HTTP_ECONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return sent ? AWS_HTTP_ETIMEOUT : AWS_HTTP_ECONNECT_TIMEOUT;
	case CURLE_SEND_ERROR:
		return AWS_HTTP_ESEND;
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return AWS_HTTP_ERECV;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return AWS_HTTP_ETLS;
	case CURLE_ABORTED_BY_CALLBACK:
		return AWS_HTTP_ECANCELLED;
	default:
		return AWS_HTTP_EOTHER;
	}
}

static int failure_rc(aws_http_failure f)
{
	switch (f) {
	case AWS_HTTP_OK:
		return BASE_OK;
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

static int curl_send(void *ctx, const aws_http_request *req, aws_http_response *resp)
{
	aws_http_curl *h = ctx;
	CURLM *m = NULL;
	CURL *e = NULL;
	struct curl_slist *hl = NULL, *tmp;
	struct xfer x;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode cc = CURLE_OK;
	bool done = false, cancelled = false, added = false;
	long status = 0, reqsize = 0;
	curl_off_t pretransfer = 0;
	size_t i;
	unsigned cto = req->connect_timeout_ms ? req->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
	unsigned ito = req->idle_timeout_ms ? req->idle_timeout_ms : DEFAULT_IDLE_TIMEOUT_MS;
	unsigned tto = req->timeout_ms ? req->timeout_ms : DEFAULT_TIMEOUT_MS;
	int rc;

	aws_http_response_reset(resp);
	memset(&x, 0, sizeof x);
	x.resp = resp;
	x.max = req->max_response ? req->max_response : DEFAULT_MAX_RESPONSE;
	errbuf[0] = '\0';

	m = pool_take(h);
	e = curl_easy_init();
	if (!m || !e) {
		resp->failure = AWS_HTTP_EOTHER;
		snprintf(resp->errmsg, sizeof resp->errmsg, "libcurl: cannot create a handle");
		goto finish;
	}

	for (i = 0; i < req->n_headers; i++) {
		char *line = base_xasprintf("%s: %s", req->headers[i].name, req->headers[i].value);
		tmp = curl_slist_append(hl, line);
		base_free(line);
		if (!tmp)
			goto oom;
		hl = tmp;
	}
	/* never let libcurl add headers we did not sign and cannot predict */
	if (!(tmp = curl_slist_append(hl, "Expect:")))
		goto oom;
	hl = tmp;
	if (!req->body) {
		if (!(tmp = curl_slist_append(hl, "Content-Type:")))
			goto oom;
		hl = tmp;
	}

	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, req->fresh_connection ? 1L : 0L);
	/* HTTP/1.1 only: the Host header we sign is sent exactly as given */
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cto);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)tto);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)((ito + 999) / 1000));
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->ca_bundle && *req->ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_bundle);
	if (req->max_response)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_response);

	if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
		if (req->body || strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0) {
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		}
	}

	if (curl_multi_add_handle(m, e) != CURLM_OK) {
		resp->failure = AWS_HTTP_EOTHER;
		snprintf(resp->errmsg, sizeof resp->errmsg, "libcurl: cannot start the transfer");
		goto finish;
	}
	added = true;
	while (!done) {
		int running = 0, left = 0;
		CURLMsg *msg;
		if (req->is_cancelled && req->is_cancelled(req->cancel_ctx)) {
			cancelled = true;
			break;
		}
		if (curl_multi_perform(m, &running) != CURLM_OK) {
			cc = CURLE_OUT_OF_MEMORY;
			break;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == e) {
				cc = msg->data.result;
				done = true;
			}
		}
		if (!done && curl_multi_poll(m, NULL, 0, POLL_SLICE_MS, NULL) != CURLM_OK) {
			cc = CURLE_OUT_OF_MEMORY;
			break;
		}
	}

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &reqsize);
	curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
	/* "maybe sent": the connection was ready to carry the request */
	resp->sent = reqsize > 0 || pretransfer > 0;
	if (cancelled) {
		resp->failure = AWS_HTTP_ECANCELLED;
		snprintf(resp->errmsg, sizeof resp->errmsg, "cancelled");
	} else if (x.toobig) {
		resp->failure = AWS_HTTP_ETOOBIG;
		snprintf(resp->errmsg, sizeof resp->errmsg, "response body larger than %zu bytes", x.max);
	} else if (cc == CURLE_FILESIZE_EXCEEDED) {
		resp->failure = AWS_HTTP_ETOOBIG;
		snprintf(resp->errmsg, sizeof resp->errmsg, "response body larger than %zu bytes", x.max);
	} else if (!done || cc != CURLE_OK) {
		resp->failure = map_curl(done ? cc : CURLE_OUT_OF_MEMORY, resp->sent);
		if (resp->failure == AWS_HTTP_OK)
			resp->failure = AWS_HTTP_EOTHER;
		snprintf(resp->errmsg, sizeof resp->errmsg, "%s",
		         errbuf[0] ? errbuf : curl_easy_strerror(cc));
	} else if (x.hdr_oom) {
		resp->failure = AWS_HTTP_ETOOBIG;
		snprintf(resp->errmsg, sizeof resp->errmsg, "response headers too large");
	} else {
		resp->status = (int)status;
	}
	goto finish;

oom:
	resp->failure = AWS_HTTP_EOTHER;
	snprintf(resp->errmsg, sizeof resp->errmsg, "libcurl: out of memory");
finish:
	if (added)
		curl_multi_remove_handle(m, e);
	if (e)
		curl_easy_cleanup(e);
	curl_slist_free_all(hl);
	if (m) {
		if (resp->failure == AWS_HTTP_OK || resp->failure == AWS_HTTP_ETOOBIG)
			pool_give(h, m);
		else
			curl_multi_cleanup(m); /* do not keep a possibly broken connection */
	}
	if (resp->failure != AWS_HTTP_OK) {
		resp->status = 0;
		base_buf_reset(&resp->body);
	}
	rc = failure_rc(resp->failure);
	return rc;
}

const aws_transport aws_http_curl_transport = {curl_send};
