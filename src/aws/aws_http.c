/*
 * aws_http.c - aws_transport on libcurl (the only file including libcurl,
 * STYLE C8).
 *
 * libcurl is not linked: the first send dlopen()s it through aws_dl_open,
 * so the start-up of a provider process that never calls AWS does not load
 * it (aws_dl.h). A library that
 * cannot be loaded makes every send fail with a TransportError naming it.
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
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aws/aws_dl.h"
#include "aws/aws_int.h"
#include "base/base_alloc.h"

#define POLL_SLICE_MS 50
#define DEFAULT_CONNECT_TIMEOUT_MS AWS_HTTP_DEFAULT_CONNECT_TIMEOUT_MS
#define DEFAULT_IDLE_TIMEOUT_MS AWS_HTTP_DEFAULT_IDLE_TIMEOUT_MS
#define DEFAULT_TIMEOUT_MS AWS_HTTP_DEFAULT_TIMEOUT_MS
#define DEFAULT_MAX_RESPONSE (64u * 1024u * 1024u)
#define POOL_MAX 8
/* CURLOPT_PROTOCOLS_STR and curl_multi_poll need libcurl 7.85 or newer. */
#define CURL_MIN_VERSION 0x075500

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
/* libcurl, loaded on the first send                                    */

/* The libcurl functions we call, filled by aws_dl_open. */
struct curl_api {
	CURLcode (*global_init)(long flags);
	curl_version_info_data *(*version_info)(CURLversion v);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode cc);
	void (*easy_cleanup)(CURL *e);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd *fds, unsigned n, int ms, int *ret);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
};

#define CURL_SYM(field, name)                                                                                \
	{                                                                                                    \
		name, offsetof(struct curl_api, field)                                                       \
	}
static const aws_dl_sym curl_syms[] = {
        CURL_SYM(global_init, "curl_global_init"),
        CURL_SYM(version_info, "curl_version_info"),
        CURL_SYM(easy_init, "curl_easy_init"),
        CURL_SYM(easy_setopt, "curl_easy_setopt"),
        CURL_SYM(easy_getinfo, "curl_easy_getinfo"),
        CURL_SYM(easy_strerror, "curl_easy_strerror"),
        CURL_SYM(easy_cleanup, "curl_easy_cleanup"),
        CURL_SYM(multi_init, "curl_multi_init"),
        CURL_SYM(multi_setopt, "curl_multi_setopt"),
        CURL_SYM(multi_add_handle, "curl_multi_add_handle"),
        CURL_SYM(multi_remove_handle, "curl_multi_remove_handle"),
        CURL_SYM(multi_perform, "curl_multi_perform"),
        CURL_SYM(multi_poll, "curl_multi_poll"),
        CURL_SYM(multi_info_read, "curl_multi_info_read"),
        CURL_SYM(multi_cleanup, "curl_multi_cleanup"),
        CURL_SYM(slist_append, "curl_slist_append"),
        CURL_SYM(slist_free_all, "curl_slist_free_all"),
};

/* One-time library initialisation (STYLE C12(a)), moved from main to the
 * first send: written once under load_once, read-only afterwards. */
static struct curl_api C;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_err[200]; /* "" when libcurl is usable */

static void load_stack(void)
{
	if (aws_dl_open(AWS_DL_SONAME_CURL, curl_syms, sizeof curl_syms / sizeof curl_syms[0], &C, load_err,
	                sizeof load_err) != BASE_OK)
		return;
	if (C.version_info(CURLVERSION_NOW)->version_num < CURL_MIN_VERSION) {
		snprintf(load_err, sizeof load_err, "%s is libcurl %s; 7.85.0 or newer is needed",
		         AWS_DL_SONAME_CURL, C.version_info(CURLVERSION_NOW)->version);
		return;
	}
	if (C.global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		snprintf(load_err, sizeof load_err, "curl_global_init failed");
}

/* NULL once libcurl is loaded, else why it is not. */
static const char *stack_error(void)
{
	(void)pthread_once(&load_once, load_stack);
	return load_err[0] ? load_err : NULL;
}

struct aws_http_curl {
	pthread_mutex_t mu;
	CURLM *idle[POOL_MAX]; /* multi handles with warm connection caches */
	size_t n_idle;
};

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
	for (i = 0; i < h->n_idle; i++) /* only ever filled once libcurl is loaded */
		C.multi_cleanup(h->idle[i]);
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
		m = C.multi_init();
		if (m)
			C.multi_setopt(m, CURLMOPT_MAXCONNECTS, 4L);
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
		C.multi_cleanup(m);
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

/* Sets a failure and its message on resp. */
static void fail(aws_http_response *resp, aws_http_failure f, const char *msg)
{
	resp->failure = f;
	snprintf(resp->errmsg, sizeof resp->errmsg, "%s", msg);
}

/* The request headers as a curl list (plus the blanks that stop libcurl
 * adding headers we did not sign). Returns BASE_ERR when out of memory;
 * *out is set either way (free with slist_free_all). */
static int header_list(const aws_http_request *req, struct curl_slist **out)
{
	struct curl_slist *hl = NULL, *tmp;
	size_t i;
	int rc = BASE_OK;
	for (i = 0; i <= req->n_headers + 1 && rc == BASE_OK; i++) {
		char *line = NULL;
		const char *s = "Expect:";
		if (i < req->n_headers)
			s = line = base_xasprintf("%s: %s", req->headers[i].name, req->headers[i].value);
		else if (i == req->n_headers + 1)
			s = req->body ? NULL : "Content-Type:";
		if (s && (tmp = C.slist_append(hl, s)) != NULL)
			hl = tmp;
		else if (s)
			rc = BASE_ERR;
		base_free(line);
	}
	*out = hl;
	return rc;
}

/* Every option of one transfer except the method. */
static void set_options(CURL *e, const aws_http_request *req, struct curl_slist *hl, struct xfer *x,
                        char *errbuf)
{
	unsigned cto = req->connect_timeout_ms ? req->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
	unsigned ito = req->idle_timeout_ms ? req->idle_timeout_ms : DEFAULT_IDLE_TIMEOUT_MS;
	unsigned tto = req->timeout_ms ? req->timeout_ms : DEFAULT_TIMEOUT_MS;

	C.easy_setopt(e, CURLOPT_URL, req->url);
	C.easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	C.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	C.easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	C.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	C.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	C.easy_setopt(e, CURLOPT_FRESH_CONNECT, req->fresh_connection ? 1L : 0L);
	/* HTTP/1.1 only: the Host header we sign is sent exactly as given */
	C.easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	C.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cto);
	C.easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)tto);
	C.easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	C.easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)((ito + 999) / 1000));
	C.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	C.easy_setopt(e, CURLOPT_WRITEDATA, x);
	C.easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	C.easy_setopt(e, CURLOPT_HEADERDATA, x);
	C.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	C.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->ca_bundle && *req->ca_bundle)
		C.easy_setopt(e, CURLOPT_CAINFO, req->ca_bundle);
	if (req->max_response)
		C.easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_response);

	if (strcmp(req->method, "GET") == 0) {
		C.easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "HEAD") == 0) {
		C.easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else {
		C.easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
		if (req->body || strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0) {
			C.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
			C.easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		}
	}
}

/* Runs the transfer of e on m in POLL_SLICE_MS slices, checking for
 * cancellation between them. Returns true when it completed (result in
 * *cc); false when cancelled (*cancelled) or libcurl failed (*cc set). */
static bool drive(CURLM *m, CURL *e, const aws_http_request *req, CURLcode *cc, bool *cancelled)
{
	for (;;) {
		int running = 0, left = 0;
		CURLMsg *msg;
		if (req->is_cancelled && req->is_cancelled(req->cancel_ctx)) {
			*cancelled = true;
			return false;
		}
		if (C.multi_perform(m, &running) != CURLM_OK)
			break;
		while ((msg = C.multi_info_read(m, &left)) != NULL) {
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == e) {
				*cc = msg->data.result;
				return true;
			}
		}
		if (C.multi_poll(m, NULL, 0, POLL_SLICE_MS, NULL) != CURLM_OK)
			break;
	}
	*cc = CURLE_OUT_OF_MEMORY;
	return false;
}

/* Fills resp from the finished (or abandoned) transfer e. */
static void report(aws_http_response *resp, CURL *e, const struct xfer *x, CURLcode cc, bool done,
                   bool cancelled, const char *errbuf)
{
	long status = 0, reqsize = 0;
	curl_off_t pretransfer = 0;
	char msg[128];

	C.easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	C.easy_getinfo(e, CURLINFO_REQUEST_SIZE, &reqsize);
	C.easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
	/* "maybe sent": the connection was ready to carry the request */
	resp->sent = reqsize > 0 || pretransfer > 0;
	snprintf(msg, sizeof msg, "response body larger than %zu bytes", x->max);
	if (cancelled) {
		fail(resp, AWS_HTTP_ECANCELLED, "cancelled");
	} else if (x->toobig || cc == CURLE_FILESIZE_EXCEEDED) {
		fail(resp, AWS_HTTP_ETOOBIG, msg);
	} else if (!done || cc != CURLE_OK) {
		aws_http_failure f = map_curl(done ? cc : CURLE_OUT_OF_MEMORY, resp->sent);
		fail(resp, f == AWS_HTTP_OK ? AWS_HTTP_EOTHER : f, errbuf[0] ? errbuf : C.easy_strerror(cc));
	} else if (x->hdr_oom) {
		fail(resp, AWS_HTTP_ETOOBIG, "response headers too large");
	} else {
		resp->status = (int)status;
	}
}

static int curl_send(void *ctx, const aws_http_request *req, aws_http_response *resp)
{
	aws_http_curl *h = ctx;
	CURLM *m = NULL;
	CURL *e = NULL;
	struct curl_slist *hl = NULL;
	struct xfer x = {.resp = resp, .max = req->max_response ? req->max_response : DEFAULT_MAX_RESPONSE};
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode cc = CURLE_OK;
	bool done = false, cancelled = false, added = false;
	const char *why;

	aws_http_response_reset(resp);
	if ((why = stack_error()) != NULL) {
		fail(resp, AWS_HTTP_EOTHER, why);
		return failure_rc(resp->failure);
	}
	m = pool_take(h);
	e = C.easy_init();
	if (!m || !e) {
		fail(resp, AWS_HTTP_EOTHER, "libcurl: cannot create a handle");
	} else if (header_list(req, &hl) != BASE_OK) {
		fail(resp, AWS_HTTP_EOTHER, "libcurl: out of memory");
	} else {
		set_options(e, req, hl, &x, errbuf);
		if (C.multi_add_handle(m, e) != CURLM_OK) {
			fail(resp, AWS_HTTP_EOTHER, "libcurl: cannot start the transfer");
		} else {
			added = true;
			done = drive(m, e, req, &cc, &cancelled);
			report(resp, e, &x, cc, done, cancelled, errbuf);
		}
	}
	if (added)
		C.multi_remove_handle(m, e);
	if (e)
		C.easy_cleanup(e);
	C.slist_free_all(hl);
	if (m && (resp->failure == AWS_HTTP_OK || resp->failure == AWS_HTTP_ETOOBIG))
		pool_give(h, m);
	else if (m)
		C.multi_cleanup(m); /* do not keep a possibly broken connection */
	if (resp->failure != AWS_HTTP_OK) {
		resp->status = 0;
		base_buf_reset(&resp->body);
	}
	return failure_rc(resp->failure);
}

const aws_transport aws_http_curl_transport = {curl_send};
