/*
 * aws_http.c - aws_transport: HTTP/1.1 over TCP, with TLS (aws_tls.c) for
 * https and an http proxy when the environment names one (aws_http_proxy.c).
 *
 * Our own client replaced libcurl (issue 13): Debian's libcurl mapped ~26
 * libraries (gnutls, krb5, ldap, ssh2, ...) into every process that made an
 * AWS call, about 4.9 MiB of RSS, and kept ~2 MB of handles and buffers at
 * the peak of a 50-function apply. The AWS APIs need little of HTTP:
 * one request, one reply framed by Content-Length or chunks, keep-alive.
 *
 * Every wait (connect, TLS handshake, each read and write) is a poll() of
 * at most POLL_SLICE_MS, so cancellation is noticed quickly and the
 * exchange's deadlines hold:
 *   connect_timeout_ms  resolve + TCP connect + proxy CONNECT + TLS handshake
 *                       (the name lookup runs on a helper thread,
 *                       aws_resolve.c, so a hung resolver is left behind)
 *   idle_timeout_ms     the longest wait for the next byte, either way
 *   timeout_ms          the whole exchange
 *
 * Idle keep-alive connections are pooled per client (POOL_MAX, closed after
 * POOL_IDLE_MS) and checked before reuse. A request that fails on a reused
 * connection before any reply byte is sent once more on a new connection
 * (the server may have closed it in the meantime); requests that must never
 * be repeated ask for a fresh connection (aws_http.h), so they never take
 * this path.
 *
 * THREAD SAFETY: one aws_http_pool serves any number of threads; each send
 * owns its connection while it runs. SIGPIPE is ignored process-wide on
 * first use (a write to a socket the peer has closed must fail, not kill).
 */
#include "aws/aws_http.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aws/aws_deadline.h"
#include "aws/aws_resolve.h"
#include "aws/aws_http_proxy.h"
#include "aws/aws_int.h"
#include "aws/aws_tls.h"
#include "aws/aws_url.h"
#include "base/base_alloc.h"
#include "base/base_log.h"

#define POLL_SLICE_MS 50
#define DEFAULT_CONNECT_TIMEOUT_MS AWS_HTTP_DEFAULT_CONNECT_TIMEOUT_MS
#define DEFAULT_IDLE_TIMEOUT_MS AWS_HTTP_DEFAULT_IDLE_TIMEOUT_MS
#define DEFAULT_TIMEOUT_MS AWS_HTTP_DEFAULT_TIMEOUT_MS
#define DEFAULT_MAX_RESPONSE (64u * 1024u * 1024u)
/* Idle connections kept, and for how long: AWS endpoints close idle
 * connections after about a minute; a pooled one older than this is
 * closed rather than risked. */
#define POOL_MAX 16
#define POOL_IDLE_MS 20000u
#define HEAD_MAX (256u * 1024u) /* one reply's status line and headers */
#define READ_CHUNK 16384
#define CA_BUNDLES_MAX 4

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
/* the pool                                                             */

struct conn {
	int fd;
	aws_tls *tls; /* NULL for plain http */
	char *key;    /* conn_key of the requests it fits */
	uint64_t idle_since;
};

struct aws_http_pool {
	pthread_mutex_t mu;
	struct conn *idle[POOL_MAX]; /* oldest first */
	size_t n_idle;
	/* trust configurations, made on first use ("" = the system store) */
	struct {
		char *ca_bundle;
		aws_tls_ctx *ctx;
	} tls[CA_BUNDLES_MAX];
	size_t n_tls;
};

static pthread_once_t sigpipe_once = PTHREAD_ONCE_INIT;

static void ignore_sigpipe(void)
{
	struct sigaction old;
	if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_IGN;
		(void)sigaction(SIGPIPE, &sa, NULL);
	}
}

int aws_http_pool_new(aws_http_pool **out)
{
	aws_http_pool *h = base_xcalloc(1, sizeof *h);
	(void)pthread_once(&sigpipe_once, ignore_sigpipe);
	pthread_mutex_init(&h->mu, NULL);
	*out = h;
	return BASE_OK;
}

static void conn_close(struct conn *c)
{
	if (!c)
		return;
	aws_tls_free(c->tls);
	if (c->fd >= 0)
		close(c->fd);
	base_free(c->key);
	base_free(c);
}

void aws_http_pool_free(aws_http_pool *h)
{
	size_t i;
	if (!h)
		return;
	for (i = 0; i < h->n_idle; i++)
		conn_close(h->idle[i]);
	for (i = 0; i < h->n_tls; i++) {
		aws_tls_ctx_free(h->tls[i].ctx);
		base_free(h->tls[i].ca_bundle);
	}
	pthread_mutex_destroy(&h->mu);
	base_free(h);
}

/* True when an idle connection has nothing to read: a readable idle
 * connection was closed by the peer (or holds bytes nobody asked for). */
static bool still_quiet(const struct conn *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	return poll(&p, 1, 0) == 0;
}

/* An idle connection for key (the most recent), or NULL. */
static struct conn *pool_take(aws_http_pool *h, const char *key)
{
	struct conn *c = NULL, *stale[POOL_MAX];
	size_t n_stale = 0, i;
	uint64_t now = aws_deadline_now_ms();
	pthread_mutex_lock(&h->mu);
	for (i = h->n_idle; i-- > 0;) {
		struct conn *k = h->idle[i];
		bool expired = now - k->idle_since > POOL_IDLE_MS;
		if (!expired && strcmp(k->key, key) != 0)
			continue;
		memmove(&h->idle[i], &h->idle[i + 1], (h->n_idle - i - 1) * sizeof h->idle[0]);
		h->n_idle--;
		if (!expired && still_quiet(k)) {
			c = k;
			break;
		}
		stale[n_stale++] = k;
	}
	pthread_mutex_unlock(&h->mu);
	for (i = 0; i < n_stale; i++)
		conn_close(stale[i]);
	return c;
}

static void pool_give(aws_http_pool *h, struct conn *c)
{
	struct conn *old = NULL;
	c->idle_since = aws_deadline_now_ms();
	pthread_mutex_lock(&h->mu);
	if (h->n_idle == POOL_MAX) {
		old = h->idle[0];
		memmove(&h->idle[0], &h->idle[1], (POOL_MAX - 1) * sizeof h->idle[0]);
		h->n_idle--;
	}
	h->idle[h->n_idle++] = c;
	pthread_mutex_unlock(&h->mu);
	conn_close(old);
}

/* The trust configuration for ca_bundle (NULL/"" = the system store), made
 * on first use. NULL with err set when it cannot be loaded. */
static aws_tls_ctx *tls_ctx_for(aws_http_pool *h, const char *ca_bundle, char *err, size_t cap)
{
	aws_tls_ctx *ctx = NULL;
	const char *want = ca_bundle ? ca_bundle : "";
	size_t i;
	pthread_mutex_lock(&h->mu);
	for (i = 0; i < h->n_tls && !ctx; i++)
		if (strcmp(h->tls[i].ca_bundle, want) == 0)
			ctx = h->tls[i].ctx;
	if (!ctx && h->n_tls < CA_BUNDLES_MAX && aws_tls_ctx_new(want, &ctx, err, cap) == BASE_OK) {
		h->tls[h->n_tls].ca_bundle = base_xstrdup(want);
		h->tls[h->n_tls++].ctx = ctx;
	} else if (!ctx && h->n_tls == CA_BUNDLES_MAX) {
		snprintf(err, cap, "too many CA bundles in one client");
	}
	pthread_mutex_unlock(&h->mu);
	return ctx;
}

/* ------------------------------------------------------------------ */
/* one exchange                                                         */

struct xchg {
	aws_http_pool *h;
	const aws_http_request *req;
	aws_http_response *resp;
	aws_url url;
	int port; /* url.port, or the scheme's default */
	aws_http_proxy proxy;
	bool via_proxy;
	uint64_t deadline;   /* the whole exchange */
	uint64_t connect_by; /* connect_timeout_ms from the start */
	unsigned idle_ms;    /* longest wait for progress */
	uint64_t last_progress;
	size_t max;
	size_t reply_bytes; /* bytes of reply read on the current connection */
};

/* Records why the exchange failed (the first reason wins). Returns -1. */
static int fail(struct xchg *x, aws_http_failure f, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(struct xchg *x, aws_http_failure f, const char *fmt, ...)
{
	va_list ap;
	if (x->resp->failure != AWS_HTTP_OK)
		return -1;
	x->resp->failure = f;
	va_start(ap, fmt);
	vsnprintf(x->resp->errmsg, sizeof x->resp->errmsg, fmt, ap);
	va_end(ap);
	return -1;
}

/* Waits until fd is ready for ev, or until `until` (then fails with
 * on_timeout), or until the request is cancelled. 0 when ready. */
static int wait_fd(struct xchg *x, int fd, short ev, uint64_t until, aws_http_failure on_timeout)
{
	for (;;) {
		uint64_t now;
		struct pollfd p = {.fd = fd, .events = ev};
		int r;
		if (x->req->is_cancelled && x->req->is_cancelled(x->req->cancel_ctx))
			return fail(x, AWS_HTTP_ECANCELLED, "cancelled");
		now = aws_deadline_now_ms();
		if (until > x->deadline)
			until = x->deadline;
		if (now >= until)
			return fail(x, on_timeout, "%s",
			            on_timeout == AWS_HTTP_ECONNECT_TIMEOUT ? "connection timed out"
			                                                    : "timed out");
		r = poll(&p, 1, (int)(until - now < POLL_SLICE_MS ? until - now : POLL_SLICE_MS));
		if (r > 0)
			return 0; /* ready, or an error the next call reports */
		if (r < 0 && errno != EINTR)
			return fail(x, AWS_HTTP_EOTHER, "poll: %s", strerror(errno));
	}
}

/* The wait limit while the request is under way: the next byte either way
 * must come within idle_ms. */
static uint64_t progress_by(const struct xchg *x)
{
	return x->last_progress + x->idle_ms;
}

/* Reads what is there (waiting for at least one byte, until until(x)): a
 * count (progress noted), 0 when the peer closed, -1 with failure set. */
static ssize_t conn_read(struct xchg *x, struct conn *c, char *buf, size_t n,
                         uint64_t (*until)(const struct xchg *), aws_http_failure on_timeout)
{
	for (;;) {
		short ev = POLLIN;
		ssize_t r;
		if (c->tls) {
			r = aws_tls_read(c->tls, buf, n);
			if (r > 0)
				x->last_progress = aws_deadline_now_ms();
			if (r >= 0)
				return r;
			if (r == AWS_TLS_WANT_WRITE)
				ev = POLLOUT;
			else if (r != AWS_TLS_WANT_READ)
				return fail(x, AWS_HTTP_ERECV, "TLS read failed");
		} else {
			r = recv(c->fd, buf, n, 0);
			if (r > 0)
				x->last_progress = aws_deadline_now_ms();
			if (r >= 0)
				return r;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return fail(x, AWS_HTTP_ERECV, "receive failed: %s", strerror(errno));
		}
		if (wait_fd(x, c->fd, ev, until(x), on_timeout) != 0)
			return -1;
	}
}

/* Writes all n bytes. 0, or -1 with failure set. */
static int conn_write(struct xchg *x, struct conn *c, const char *p, size_t n,
                      uint64_t (*until)(const struct xchg *), aws_http_failure on_timeout)
{
	while (n > 0) {
		short ev = POLLOUT;
		ssize_t r;
		if (c->tls) {
			r = aws_tls_write(c->tls, p, n);
			if (r == AWS_TLS_WANT_READ)
				ev = POLLIN;
			else if (r < 0 && r != AWS_TLS_WANT_WRITE)
				return fail(x, AWS_HTTP_ESEND, "TLS write failed");
		} else {
			r = send(c->fd, p, n, MSG_NOSIGNAL);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				return fail(x, AWS_HTTP_ESEND, "send failed: %s", strerror(errno));
		}
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			x->last_progress = aws_deadline_now_ms();
			continue;
		}
		if (wait_fd(x, c->fd, ev, until(x), on_timeout) != 0)
			return -1;
	}
	return 0;
}

static uint64_t connect_limit(const struct xchg *x)
{
	return x->connect_by;
}

/* TCP connection to host:port, trying each address in turn. */
static int dial(struct xchg *x, const char *host, int port)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[8];
	int fd = -1, last_err = 0, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(portstr, sizeof portstr, "%d", port);
	switch (aws_resolve(host, portstr, &hints, x->connect_by < x->deadline ? x->connect_by : x->deadline,
	                    x->req->is_cancelled, x->req->cancel_ctx, &res, &rc)) {
	case AWS_RESOLVE_OK:
		break;
	case AWS_RESOLVE_EFAILED:
		return fail(x, AWS_HTTP_ECONNECT, "cannot resolve %s: %s", host, gai_strerror(rc));
	case AWS_RESOLVE_ETIMEOUT:
		return fail(x, AWS_HTTP_ECONNECT_TIMEOUT, "looking up %s timed out", host);
	case AWS_RESOLVE_ECANCELLED:
	default:
		return fail(x, AWS_HTTP_ECANCELLED, "cancelled");
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int one = 1, soerr = 0;
		socklen_t len = sizeof soerr;
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			last_err = errno;
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			if (wait_fd(x, fd, POLLOUT, x->connect_by, AWS_HTTP_ECONNECT_TIMEOUT) != 0) {
				close(fd);
				freeaddrinfo(res);
				return -1;
			}
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
				break;
			last_err = soerr;
		} else {
			last_err = errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return fail(x, AWS_HTTP_ECONNECT, "cannot connect to %s port %d: %s", host, port,
		            strerror(last_err ? last_err : ECONNREFUSED));
	return fd;
}

/* Reads one reply head (status line and headers, up to the blank line)
 * into head; bytes after it stay in head past *head_len. 0 or -1. */
static int read_head(struct xchg *x, struct conn *c, base_buf *head, size_t *head_len,
                     uint64_t (*until)(const struct xchg *), aws_http_failure on_timeout)
{
	char buf[READ_CHUNK];
	for (;;) {
		const char *end = head->len ? memmem(head->data, head->len, "\r\n\r\n", 4) : NULL;
		ssize_t n;
		if (end) {
			*head_len = (size_t)(end - head->data) + 4;
			return 0;
		}
		if (head->len > HEAD_MAX)
			return fail(x, AWS_HTTP_ETOOBIG, "response headers too large");
		n = conn_read(x, c, buf, sizeof buf, until, on_timeout);
		if (n < 0)
			return -1;
		if (n == 0)
			return fail(x, AWS_HTTP_ERECV,
			            head->len ? "connection closed inside the reply headers"
			                      : "connection closed before any reply");
		x->reply_bytes += (size_t)n;
		if (base_buf_append(head, buf, (size_t)n) != BASE_OK)
			return fail(x, AWS_HTTP_ETOOBIG, "response headers too large");
	}
}

/* "HTTP/1.x NNN ..." -> NNN (and the minor version), or -1. */
static int parse_status(const char *line, size_t len, int *minor)
{
	if (len < 12 || memcmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
	    line[8] != ' ' || line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' ||
	    line[11] < '0' || line[11] > '9' || (len > 12 && line[12] != ' '))
		return -1;
	*minor = line[7] - '0';
	return (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
}

/* "host[:port]" of the request's URL (IPv6 in brackets); port 0 leaves
 * the port out. */
static void authority(const struct xchg *x, int port, char *out, size_t cap)
{
	if (port)
		snprintf(out, cap, x->url.host_is_ip6 ? "[%s]:%d" : "%s:%d", x->url.host, port);
	else
		snprintf(out, cap, x->url.host_is_ip6 ? "[%s]" : "%s", x->url.host);
}

/* CONNECT through the proxy to the request's host (https only). */
static int tunnel(struct xchg *x, struct conn *c)
{
	base_buf b;
	size_t head_len = 0;
	int minor, status, rc;
	char hostport[300];
	authority(x, x->port, hostport, sizeof hostport);
	base_buf_init(&b, 0);
	rc = base_buf_printf(&b, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s%s%s\r\n", hostport, hostport,
	                     x->proxy.auth[0] ? "Proxy-Authorization: " : "", x->proxy.auth,
	                     x->proxy.auth[0] ? "\r\n" : "") == BASE_OK
	             ? conn_write(x, c, b.data, b.len, connect_limit, AWS_HTTP_ECONNECT_TIMEOUT)
	             : fail(x, AWS_HTTP_EOTHER, "out of memory");
	base_buf_reset(&b);
	if (rc == 0)
		rc = read_head(x, c, &b, &head_len, connect_limit, AWS_HTTP_ECONNECT_TIMEOUT);
	if (rc == 0) {
		const char *eol = memchr(b.data, '\r', head_len);
		status = parse_status(b.data, (size_t)(eol - b.data), &minor);
		if (status < 200 || status > 299)
			rc = fail(x, AWS_HTTP_ECONNECT,
			          "the proxy %s:%d refused the tunnel to %s (status %d)", x->proxy.host,
			          x->proxy.port, hostport, status);
		else if (b.len != head_len)
			rc = fail(x, AWS_HTTP_ECONNECT, "the proxy sent bytes after accepting the tunnel");
	}
	base_buf_dispose(&b);
	x->reply_bytes = 0;
	return rc;
}

/* A new connection for the exchange: TCP (to the proxy when one applies),
 * the CONNECT tunnel, then TLS for https. */
static struct conn *conn_open(struct xchg *x, const char *key)
{
	struct conn *c = base_xcalloc(1, sizeof *c);
	char err[256] = "";
	c->key = base_xstrdup(key);
	c->fd = x->via_proxy ? dial(x, x->proxy.host, x->proxy.port) : dial(x, x->url.host, x->port);
	if (c->fd < 0)
		goto fail;
	x->last_progress = aws_deadline_now_ms();
	if (x->via_proxy && x->url.https && tunnel(x, c) != 0)
		goto fail;
	if (x->url.https) {
		aws_tls_ctx *ctx = tls_ctx_for(x->h, x->req->ca_bundle, err, sizeof err);
		int r = 0;
		if (!ctx || aws_tls_new(ctx, c->fd, x->url.host, &c->tls, err, sizeof err) != BASE_OK) {
			fail(x, AWS_HTTP_ETLS, "%s", err);
			goto fail;
		}
		while ((r = aws_tls_handshake(c->tls, err, sizeof err)) != 1) {
			if (r == AWS_TLS_ERROR) {
				fail(x, AWS_HTTP_ETLS, "%s", err);
				goto fail;
			}
			if (wait_fd(x, c->fd, r == AWS_TLS_WANT_READ ? POLLIN : POLLOUT, x->connect_by,
			            AWS_HTTP_ECONNECT_TIMEOUT) != 0)
				goto fail;
		}
	}
	return c;
fail:
	conn_close(c);
	return NULL;
}

/* True when s holds a CR or LF (header injection). */
static bool has_line_break(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* The request head: request line, the caller's headers, Host when they
 * have none, Content-Length for a body (or an empty POST/PUT) and, through
 * a plain-http proxy, Proxy-Authorization. */
static int build_head(struct xchg *x, base_buf *b)
{
	const aws_http_request *req = x->req;
	const char *slash = x->url.rest[0] == '/' ? "" : "/";
	char host[300];
	bool has_host = false, has_length = false;
	int rc;
	size_t i;

	authority(x, x->url.port, host, sizeof host);
	/* origin form "/path?query" (a URL "http://h?q" gets its "/"), or
	 * through a plain-http proxy the absolute form "http://authority/path" */
	if (x->via_proxy && !x->url.https)
		rc = base_buf_printf(b, "%s http://%s%s%s HTTP/1.1\r\n", req->method, host, slash,
		                     x->url.rest);
	else
		rc = base_buf_printf(b, "%s %s%s HTTP/1.1\r\n", req->method, slash, x->url.rest);
	for (i = 0; i < req->n_headers && rc == BASE_OK; i++) {
		const aws_http_header *hd = &req->headers[i];
		if (has_line_break(hd->name) || has_line_break(hd->value) || !*hd->name ||
		    strchr(hd->name, ':'))
			return fail(x, AWS_HTTP_EOTHER, "request header %s is malformed", hd->name);
		has_host |= strcasecmp(hd->name, "host") == 0;
		has_length |= strcasecmp(hd->name, "content-length") == 0;
		rc = base_buf_printf(b, "%s: %s\r\n", hd->name, hd->value);
	}
	if (rc == BASE_OK && !has_host)
		rc = base_buf_printf(b, "Host: %s\r\n", host);
	if (rc == BASE_OK && !has_length &&
	    (req->body || strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0))
		rc = base_buf_printf(b, "Content-Length: %zu\r\n", req->body ? req->body_len : 0);
	if (rc == BASE_OK && x->via_proxy && !x->url.https && x->proxy.auth[0])
		rc = base_buf_printf(b, "Proxy-Authorization: %s\r\n", x->proxy.auth);
	if (rc == BASE_OK)
		rc = base_buf_puts(b, "\r\n");
	return rc == BASE_OK ? 0 : fail(x, AWS_HTTP_EOTHER, "out of memory");
}

/* How the reply's body ends. */
enum framing { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_TO_CLOSE };

struct reply {
	int minor;
	enum framing framing;
	size_t length;
	bool close; /* "Connection: close" (an HTTP/1.0 reply is never reused either) */
};

/* True when the comma-separated list v[0..n) names token (any case). */
static bool lists_token(const char *v, size_t n, const char *token)
{
	size_t len = strlen(token), i = 0;
	while (i < n) {
		size_t s, e;
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == len && strncasecmp(v + s, token, len) == 0)
			return true;
	}
	return false;
}

/* True when the header name p[0..n) is name (any case). */
static bool name_is(const char *p, size_t n, const char *name)
{
	return n == strlen(name) && strncasecmp(p, name, n) == 0;
}

/* Parses the head's header lines into resp's headers and r. */
static int parse_headers(struct xchg *x, const char *p, const char *end, struct reply *r)
{
	bool chunked = false, have_length = false;
	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2), *colon, *v, *ve;
		if (!eol)
			eol = end;
		if (eol == p)
			break;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon || colon == p || *p == ' ' || *p == '\t')
			return fail(x, AWS_HTTP_ERECV, "malformed reply header");
		v = colon + 1;
		ve = eol;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (aws_http_response_add_header(x->resp, p, (size_t)(colon - p), v, (size_t)(ve - v)) !=
		    BASE_OK)
			return fail(x, AWS_HTTP_ETOOBIG, "response headers too large");
		if (name_is(p, (size_t)(colon - p), "content-length")) {
			char num[24];
			char *stop;
			unsigned long long n;
			if ((size_t)(ve - v) == 0 || (size_t)(ve - v) >= sizeof num)
				return fail(x, AWS_HTTP_ERECV, "malformed Content-Length");
			memcpy(num, v, (size_t)(ve - v));
			num[ve - v] = '\0';
			errno = 0;
			n = strtoull(num, &stop, 10);
			if (*stop || errno || num[0] < '0' || num[0] > '9' || (have_length && n != r->length))
				return fail(x, AWS_HTTP_ERECV, "malformed Content-Length");
			r->length = (size_t)n;
			have_length = true;
		} else if (name_is(p, (size_t)(colon - p), "transfer-encoding")) {
			/* only "chunked" (last) is a framing we read */
			if ((size_t)(ve - v) < 7 || strncasecmp(ve - 7, "chunked", 7) != 0)
				return fail(x, AWS_HTTP_ERECV, "unsupported Transfer-Encoding");
			chunked = true;
		} else if (name_is(p, (size_t)(colon - p), "connection")) {
			r->close |= lists_token(v, (size_t)(ve - v), "close");
		}
		p = eol + 2;
	}
	r->framing = chunked ? BODY_CHUNKED : have_length ? BODY_LENGTH : BODY_TO_CLOSE;
	return 0;
}

static int add_body(struct xchg *x, const char *p, size_t n)
{
	if (x->resp->body.len + n > x->max)
		return fail(x, AWS_HTTP_ETOOBIG, "response body larger than %zu bytes", x->max);
	if (base_buf_append(&x->resp->body, p, n) != BASE_OK)
		return fail(x, AWS_HTTP_ETOOBIG, "response body larger than %zu bytes", x->max);
	return 0;
}

/* Incremental chunked-body decoder. */
struct chunks {
	enum { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE } st;
	size_t left;      /* data bytes left in the chunk */
	char line[64];    /* the size line so far (extensions cut off) */
	size_t line_len;  /* its length, counted past the cut */
};

/* Feeds n bytes; *used = how many belonged to the body. 0 (more needed or
 * done: ch->st == CH_DONE) or -1. */
static int chunks_feed(struct xchg *x, struct chunks *ch, const char *p, size_t n, size_t *used)
{
	size_t i = 0;
	while (i < n && ch->st != CH_DONE) {
		char c = p[i];
		if (ch->st == CH_DATA) {
			size_t take = n - i < ch->left ? n - i : ch->left;
			if (add_body(x, p + i, take) != 0)
				return -1;
			i += take;
			ch->left -= take;
			if (ch->left == 0)
				ch->st = CH_DATA_END, ch->line_len = 0;
			continue;
		}
		i++;
		if (c != '\n') {
			if (ch->line_len < sizeof ch->line)
				ch->line[ch->line_len] = c;
			if (++ch->line_len > 4096)
				return fail(x, AWS_HTTP_ERECV, "malformed chunked reply");
			continue;
		}
		/* a line ended: ch->line[0..line_len) without the LF */
		size_t len = ch->line_len < sizeof ch->line ? ch->line_len : sizeof ch->line;
		if (len > 0 && ch->line[len - 1] == '\r')
			len--;
		ch->line_len = 0;
		if (ch->st == CH_DATA_END) {
			if (len != 0)
				return fail(x, AWS_HTTP_ERECV, "malformed chunked reply");
			ch->st = CH_SIZE;
		} else if (ch->st == CH_TRAILER) {
			if (len == 0)
				ch->st = CH_DONE;
		} else { /* CH_SIZE */
			size_t size = 0, k, digits = 0;
			for (k = 0; k < len; k++) {
				char d = ch->line[k];
				int v = d >= '0' && d <= '9'   ? d - '0'
				        : d >= 'a' && d <= 'f' ? d - 'a' + 10
				        : d >= 'A' && d <= 'F' ? d - 'A' + 10
				                               : -1;
				if (v < 0)
					break;
				if (size > (SIZE_MAX >> 4))
					return fail(x, AWS_HTTP_ERECV, "malformed chunked reply");
				size = size * 16 + (size_t)v;
				digits++;
			}
			if (digits == 0 ||
			    (k < len && ch->line[k] != ';' && ch->line[k] != ' ' && ch->line[k] != '\t'))
				return fail(x, AWS_HTTP_ERECV, "malformed chunked reply");
			ch->left = size;
			ch->st = size ? CH_DATA : CH_TRAILER;
		}
	}
	*used = i;
	return 0;
}

/* Reads a body framed by length (or, for BODY_TO_CLOSE, by the end of the
 * connection) whose first `have` bytes are at p. *extra when bytes came
 * after its end. 0 or -1. */
static int read_sized_body(struct xchg *x, struct conn *c, const struct reply *r, const char *p, size_t have,
                           bool *extra)
{
	char buf[READ_CHUNK];
	size_t want = r->framing == BODY_LENGTH ? r->length : SIZE_MAX;
	size_t take = have < want ? have : want;
	*extra = have > take;
	if (add_body(x, p, take) != 0)
		return -1;
	while (x->resp->body.len < want) {
		ssize_t n = conn_read(x, c, buf, sizeof buf, progress_by, AWS_HTTP_ETIMEOUT);
		if (n < 0)
			return -1;
		if (n == 0) {
			if (r->framing == BODY_LENGTH)
				return fail(x, AWS_HTTP_ERECV,
				            "connection closed %zu bytes into a %zu-byte reply",
				            x->resp->body.len, r->length);
			return 0;
		}
		take = (size_t)n < want - x->resp->body.len ? (size_t)n : want - x->resp->body.len;
		*extra |= take < (size_t)n;
		if (add_body(x, buf, take) != 0)
			return -1;
	}
	return 0;
}

/* Reads a chunked body whose first `have` bytes are at p. 0 or -1. */
static int read_chunked_body(struct xchg *x, struct conn *c, const char *p, size_t have, bool *extra)
{
	char buf[READ_CHUNK];
	struct chunks ch;
	size_t used = 0;
	memset(&ch, 0, sizeof ch);
	if (chunks_feed(x, &ch, p, have, &used) != 0)
		return -1;
	*extra = used < have;
	while (ch.st != CH_DONE) {
		ssize_t n = conn_read(x, c, buf, sizeof buf, progress_by, AWS_HTTP_ETIMEOUT);
		if (n < 0)
			return -1;
		if (n == 0)
			return fail(x, AWS_HTTP_ERECV, "connection closed inside a chunked reply");
		if (chunks_feed(x, &ch, buf, (size_t)n, &used) != 0)
			return -1;
		*extra |= used < (size_t)n;
	}
	return 0;
}

/* Reads reply heads into in until the final (non-1xx) one: its status, its
 * headers into resp and r, its length in *head_len. 0 or -1. */
static int read_final_head(struct xchg *x, struct conn *c, base_buf *in, size_t *head_len, struct reply *r,
                           int *status)
{
	for (;;) {
		const char *eol;
		memset(r, 0, sizeof *r);
		if (read_head(x, c, in, head_len, progress_by, AWS_HTTP_ETIMEOUT) != 0)
			return -1;
		eol = memmem(in->data, *head_len, "\r\n", 2);
		*status = parse_status(in->data, (size_t)(eol - in->data), &r->minor);
		if (*status < 0)
			return fail(x, AWS_HTTP_ERECV, "malformed reply status line");
		base_buf_reset(&x->resp->headers);
		if (parse_headers(x, eol + 2, in->data + *head_len, r) != 0)
			return -1;
		if (*status == 101)
			return fail(x, AWS_HTTP_ERECV, "unexpected protocol switch");
		if (*status >= 200)
			return 0;
		/* an interim 1xx reply: drop it and read the next head */
		memmove(in->data, in->data + *head_len, in->len - *head_len);
		in->len -= *head_len;
	}
}

/* Reads the reply (after any 1xx) into resp. *reusable when the connection
 * ended exactly at the reply's end and may carry another request. */
static int read_reply(struct xchg *x, struct conn *c, bool *reusable)
{
	base_buf in;
	size_t head_len = 0, have;
	struct reply r;
	int status = 0, rc = -1;
	bool extra = false;

	*reusable = false;
	base_buf_init(&in, 0);
	if (read_final_head(x, c, &in, &head_len, &r, &status) != 0)
		goto done;
	if (strcmp(x->req->method, "HEAD") == 0 || status == 204 || status == 304)
		r.framing = BODY_NONE;
	if (r.framing == BODY_LENGTH && r.length > x->max) {
		fail(x, AWS_HTTP_ETOOBIG, "response body larger than %zu bytes", x->max);
		goto done;
	}
	have = in.len - head_len;
	if (r.framing == BODY_LENGTH || r.framing == BODY_TO_CLOSE)
		rc = read_sized_body(x, c, &r, in.data + head_len, have, &extra);
	else if (r.framing == BODY_CHUNKED)
		rc = read_chunked_body(x, c, in.data + head_len, have, &extra);
	else
		rc = 0, extra = have > 0;
	if (rc != 0)
		goto done;
	x->resp->status = status;
	*reusable = r.minor == 1 && !r.close && r.framing != BODY_TO_CLOSE && !extra;
done:
	base_buf_dispose(&in);
	return rc;
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

/* One attempt on connection c: request out, reply in. */
static int exchange(struct xchg *x, struct conn *c, const base_buf *head, bool *reusable)
{
	x->reply_bytes = 0;
	x->last_progress = aws_deadline_now_ms();
	x->resp->sent = true;
	if (conn_write(x, c, head->data, head->len, progress_by, AWS_HTTP_ETIMEOUT) != 0)
		return -1;
	if (x->req->body && x->req->body_len &&
	    conn_write(x, c, x->req->body, x->req->body_len, progress_by, AWS_HTTP_ETIMEOUT) != 0)
		return -1;
	return read_reply(x, c, reusable);
}

/* The pool key: everything that makes a connection fit a request (heap;
 * the caller frees it). */
static char *conn_key(const struct xchg *x)
{
	return base_xasprintf("%s|%s|%d|%s|%s|%d|%s", x->url.https ? "https" : "http", x->url.host,
	                      x->url.port, x->req->ca_bundle ? x->req->ca_bundle : "",
	                      x->via_proxy ? x->proxy.host : "", x->via_proxy ? x->proxy.port : 0,
	                      x->via_proxy ? x->proxy.auth : "");
}

/* Sends on a pooled connection (unless the request wants a fresh one) or a
 * new one; a pooled connection that turns out closed before any reply byte
 * gets the request once more, on a new connection with its own connect
 * time. When that new connection cannot be made, the first failure stands
 * (the request may have reached the server). */
static void send_with_resend(struct xchg *x, const char *key, const base_buf *head, unsigned cto)
{
	aws_http_response *resp = x->resp;
	aws_http_failure first = AWS_HTTP_OK;
	char first_msg[sizeof resp->errmsg];
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		struct conn *c = x->req->fresh_connection || attempt > 0 ? NULL : pool_take(x->h, key);
		bool reused = c != NULL, reusable = false;
		if (!c && (c = conn_open(x, key)) == NULL) {
			if (first != AWS_HTTP_OK) {
				resp->failure = first;
				memcpy(resp->errmsg, first_msg, sizeof first_msg);
				resp->sent = true;
			}
			return;
		}
		if (exchange(x, c, head, &reusable) == 0) {
			if (reusable)
				pool_give(x->h, c);
			else
				conn_close(c);
			return;
		}
		conn_close(c);
		if (!reused || x->reply_bytes > 0 ||
		    (resp->failure != AWS_HTTP_ESEND && resp->failure != AWS_HTTP_ERECV))
			return;
		first = resp->failure;
		memcpy(first_msg, resp->errmsg, sizeof first_msg);
		base_log_kv(BASE_LOG_DEBUG, AWS_LOG_MODULE, "aws http resending on a new connection", "host",
		            x->url.host, "reason", first_msg, NULL);
		aws_http_response_reset(resp);
		x->connect_by = aws_deadline_now_ms() + cto;
	}
}

static int pool_send(void *ctx, const aws_http_request *req, aws_http_response *resp)
{
	struct xchg x;
	base_buf head;
	char *key = NULL, perr[256] = "";
	const char *why = NULL;
	uint64_t start = aws_deadline_now_ms();
	unsigned cto = req->connect_timeout_ms ? req->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
	unsigned tto = req->timeout_ms ? req->timeout_ms : DEFAULT_TIMEOUT_MS;
	int pr;

	aws_http_response_reset(resp);
	memset(&x, 0, sizeof x);
	x.h = ctx;
	x.req = req;
	x.resp = resp;
	x.deadline = start + tto;
	x.connect_by = start + cto;
	x.idle_ms = req->idle_timeout_ms ? req->idle_timeout_ms : DEFAULT_IDLE_TIMEOUT_MS;
	x.max = req->max_response ? req->max_response : DEFAULT_MAX_RESPONSE;
	base_buf_init(&head, 0);
	if (aws_url_parse(req->url, &x.url, &why) != BASE_OK) {
		fail(&x, AWS_HTTP_EOTHER, "bad URL: %s", why);
		goto done;
	}
	x.port = x.url.port ? x.url.port : (x.url.https ? 443 : 80);
	pr = aws_http_proxy_for(x.url.https, x.url.host, x.port, NULL, &x.proxy, perr, sizeof perr);
	if (pr < 0) {
		fail(&x, AWS_HTTP_EOTHER, "%s", perr);
		goto done;
	}
	x.via_proxy = pr == 1;
	if (build_head(&x, &head) != 0)
		goto done;
	key = conn_key(&x);
	send_with_resend(&x, key, &head, cto);
done:
	base_buf_dispose(&head);
	base_free(key);
	if (resp->failure != AWS_HTTP_OK) {
		resp->status = 0;
		base_buf_reset(&resp->body);
	}
	return failure_rc(resp->failure);
}

const aws_transport aws_http_transport = {pool_send};
