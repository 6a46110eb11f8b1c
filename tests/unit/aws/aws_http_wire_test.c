/*
 * aws_http_wire_test.c - the HTTP/1.1 client (aws_http.c) pinned byte for
 * byte against scripted local servers on the loopback interface: the
 * request head it writes, how it frames replies (chunks, lengths, the end
 * of the connection, bodiless replies, interim 1xx heads), the keep-alive
 * pool and its one silent resend, the idle timeout, the proxies named by
 * the environment, the reply head cap and the TLS peer name check.
 *
 * The server (w_srv) is one thread polling its listener and connections.
 * Each accepted connection follows its own script: one step per request
 * read (reply and keep the connection, reply and close, or close without a
 * reply); requests past the script are dropped by closing. Every request
 * is recorded with the ordinal of the connection it came on. Tests read
 * the records after w_stop has joined the thread, and never leave a test
 * function between w_setup and w_teardown, so no thread outlives its
 * stack. A server gives up after W_LIFE_MS and every request carries
 * bounded timeouts, so a hang fails fast instead of blocking the suite.
 * While a server runs, the proxy variables are unset (w_stop puts them
 * back): the proxy tests set theirs in that window, since aws_http.c reads
 * the real environment.
 */
#include "t.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws_http.h"
#include "base/base_alloc.h"

#define W_MAX_CONNS 8
#define W_MAX_REQS 12
#define W_IN_CAP 4096
#define W_LIFE_MS 15000u

/* Replies used by many tests. */
#define W_OK0 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
#define W_OK_ONE "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
#define W_OK_TWO "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"
#define W_OK_THREE "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree"
#define W_OK_RESENT "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nresent"

/* ------------------------------------------------------------------ */
/* the scripted server                                                  */

enum w_act {
	W_END = 0,     /* end of a connection's script: close without a reply */
	W_REPLY,       /* write the reply, keep the connection */
	W_REPLY_CLOSE, /* write the reply, then close */
	W_CLOSE        /* close without writing anything */
};

struct w_step {
	enum w_act act;
	const char *reply;   /* bytes written (NULL: none) */
	size_t len;          /* their count; 0 = strlen(reply) */
	bool drip;           /* write one byte per send() */
	unsigned delay_ms;   /* wait this long before acting */
	bool close_listener; /* also stop listening: later connects are refused */
};

#define W_STEP(a, text)                                                                                      \
	{                                                                                                    \
		.act = (a), .reply = (text)                                                                  \
	}
#define W_DONE                                                                                               \
	{                                                                                                    \
		.act = W_END                                                                                 \
	}

struct w_req {
	char data[W_IN_CAP + 1]; /* the request as received, NUL-terminated */
	size_t len;
	int conn; /* ordinal of the connection it came on (0 = first accepted) */
};

struct w_conn {
	int fd; /* -1 = free slot */
	int ord;
	size_t served; /* requests read on it so far */
	size_t len;
	char in[W_IN_CAP + 1];
};

#define W_N_PROXY_VARS 8
static const char *const w_proxy_vars[W_N_PROXY_VARS] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                                         "HTTPS_PROXY", "all_proxy",  "ALL_PROXY",
                                                         "no_proxy",    "NO_PROXY"};

/* The proxy variables as they were, to put back. */
struct w_env {
	char *val[W_N_PROXY_VARS];
};

/* Saves and unsets every proxy variable: a proxy set where the tests run
 * must not reroute requests meant for the local servers. */
static void w_env_clear(struct w_env *e)
{
	size_t i;
	for (i = 0; i < W_N_PROXY_VARS; i++) {
		const char *v = getenv(w_proxy_vars[i]);
		e->val[i] = v ? base_xstrdup(v) : NULL;
		unsetenv(w_proxy_vars[i]);
	}
}

static void w_env_restore(struct w_env *e)
{
	size_t i;
	for (i = 0; i < W_N_PROXY_VARS; i++) {
		if (e->val[i])
			setenv(w_proxy_vars[i], e->val[i], 1);
		else
			unsetenv(w_proxy_vars[i]);
		base_free(e->val[i]);
	}
}

struct w_srv {
	int lfd, port, stop[2];
	pthread_t th;
	const struct w_step *const *script; /* script[k]: steps of connection k */
	size_t n_script;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int accepts;      /* connections accepted */
	int closed;       /* connections the script closed */
	size_t n_reqs;    /* requests read (records kept for the first W_MAX_REQS) */
	struct w_env env; /* the proxy variables, cleared while the server runs */
	struct w_req reqs[W_MAX_REQS];
	struct w_conn conns[W_MAX_CONNS];
};

static uint64_t w_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void w_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A listening socket on the loopback address of family (any free port). */
static int listen_local(int family, int *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t l = family == AF_INET6 ? sizeof *a6 : sizeof *a4;
	int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&ss, 0, sizeof ss);
	if (family == AF_INET6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_loopback;
	} else {
		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	if (s < 0 || bind(s, (struct sockaddr *)&ss, l) != 0 || listen(s, 8) != 0 ||
	    getsockname(s, (struct sockaddr *)&ss, &l) != 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	*port = ntohs(family == AF_INET6 ? a6->sin6_port : a4->sin_port);
	return s;
}

/* The step for the next request on c. */
static const struct w_step *w_step_for(const struct w_srv *s, const struct w_conn *c)
{
	static const struct w_step end = W_DONE;
	const struct w_step *steps = (size_t)c->ord < s->n_script ? s->script[c->ord] : NULL;
	size_t i;
	if (!steps)
		return &end;
	for (i = 0; i < c->served && steps[i].act != W_END; i++)
		;
	return &steps[i];
}

/* Length of the complete request at the start of p[0..n), 0 while it is
 * incomplete (p is NUL-terminated at n). */
static size_t w_request_len(const char *p, size_t n)
{
	const char *end = memmem(p, n, "\r\n\r\n", 4), *cl;
	size_t head, body = 0;
	if (!end)
		return 0;
	head = (size_t)(end - p) + 4;
	cl = strcasestr(p, "\r\nContent-Length:");
	if (cl && cl < end)
		body = strtoul(cl + 17, NULL, 10);
	return n >= head + body ? head + body : 0;
}

static void w_write(int fd, const char *p, size_t n, bool drip)
{
	while (n > 0) {
		ssize_t r = send(fd, p, drip ? 1 : n, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return; /* the client went away: the test checks what it got */
		p += r;
		n -= (size_t)r;
	}
}

static void w_close_conn(struct w_srv *s, struct w_conn *c, bool by_script)
{
	close(c->fd);
	c->fd = -1;
	if (!by_script)
		return;
	pthread_mutex_lock(&s->mu);
	s->closed++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Records the n-byte request at the start of c's input and acts on it. */
static void w_serve(struct w_srv *s, struct w_conn *c, size_t n)
{
	const struct w_step *st = w_step_for(s, c);
	pthread_mutex_lock(&s->mu);
	if (s->n_reqs < W_MAX_REQS) {
		struct w_req *q = &s->reqs[s->n_reqs];
		memcpy(q->data, c->in, n);
		q->data[n] = '\0';
		q->len = n;
		q->conn = c->ord;
	}
	s->n_reqs++;
	pthread_mutex_unlock(&s->mu);
	c->served++;
	memmove(c->in, c->in + n, c->len - n);
	c->len -= n;
	c->in[c->len] = '\0';
	if (st->delay_ms)
		w_sleep_ms(st->delay_ms);
	if (st->close_listener) {
		close(s->lfd);
		s->lfd = -1;
	}
	if (st->reply)
		w_write(c->fd, st->reply, st->len ? st->len : strlen(st->reply), st->drip);
	if (st->act != W_REPLY)
		w_close_conn(s, c, true);
}

static void w_accept(struct w_srv *s)
{
	struct timeval tv = {.tv_sec = 3};
	int one = 1, fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC), ord;
	size_t i;
	if (fd < 0)
		return;
	/* a client that stops reading cannot block the server for long */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	pthread_mutex_lock(&s->mu);
	ord = s->accepts++;
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < W_MAX_CONNS && s->conns[i].fd >= 0; i++)
		;
	if (i == W_MAX_CONNS) {
		close(fd);
		return;
	}
	s->conns[i].fd = fd;
	s->conns[i].ord = ord;
	s->conns[i].served = 0;
	s->conns[i].len = 0;
}

static void w_input(struct w_srv *s, struct w_conn *c)
{
	ssize_t n = recv(c->fd, c->in + c->len, W_IN_CAP - c->len, 0);
	size_t need;
	if (n <= 0) { /* the client closed (or the request is too big) */
		w_close_conn(s, c, false);
		return;
	}
	c->len += (size_t)n;
	c->in[c->len] = '\0';
	while (c->fd >= 0 && (need = w_request_len(c->in, c->len)) > 0)
		w_serve(s, c, need);
}

static void *w_main(void *arg)
{
	struct w_srv *s = arg;
	struct pollfd p[2 + W_MAX_CONNS];
	uint64_t give_up = w_now_ms() + W_LIFE_MS;
	bool stopping = false;
	size_t i;
	while (w_now_ms() < give_up) {
		int r;
		p[0].fd = s->stop[0];
		p[0].events = stopping ? 0 : POLLIN;
		p[1].fd = s->lfd;
		p[1].events = POLLIN;
		for (i = 0; i < W_MAX_CONNS; i++) {
			p[2 + i].fd = s->conns[i].fd;
			p[2 + i].events = POLLIN;
		}
		/* once asked to stop, serve what is already there, then end:
		 * the client's send has returned, so nothing more will come */
		r = poll(p, 2 + W_MAX_CONNS, stopping ? 0 : 100);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0) {
			if (stopping)
				break;
			continue;
		}
		stopping |= (p[0].revents & POLLIN) != 0;
		if (p[1].fd >= 0 && (p[1].revents & POLLIN))
			w_accept(s);
		for (i = 0; i < W_MAX_CONNS; i++)
			if (p[2 + i].fd >= 0 && p[2 + i].revents && s->conns[i].fd == p[2 + i].fd)
				w_input(s, &s->conns[i]);
	}
	for (i = 0; i < W_MAX_CONNS; i++)
		if (s->conns[i].fd >= 0)
			w_close_conn(s, &s->conns[i], false);
	return NULL;
}

/* Starts a server on the loopback address of family; script is a
 * NULL-terminated list of per-connection step lists. */
static bool w_start_on(struct w_srv *s, int family, const struct w_step *const *script)
{
	size_t i;
	memset(s, 0, sizeof *s);
	for (i = 0; i < W_MAX_CONNS; i++)
		s->conns[i].fd = -1;
	s->script = script;
	while (script && script[s->n_script])
		s->n_script++;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->stop[0] = s->stop[1] = -1;
	s->lfd = listen_local(family, &s->port);
	if (s->lfd >= 0 && pipe2(s->stop, O_CLOEXEC) == 0 && pthread_create(&s->th, NULL, w_main, s) == 0) {
		w_env_clear(&s->env);
		return true;
	}
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->stop[0] >= 0) {
		close(s->stop[0]);
		close(s->stop[1]);
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	return false;
}

/* Stops and joins the server and restores the proxy variables; its
 * records stay readable. */
static void w_stop(struct w_srv *s)
{
	ssize_t n = write(s->stop[1], "x", 1);
	(void)n;
	pthread_join(s->th, NULL);
	if (s->lfd >= 0)
		close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	w_env_restore(&s->env);
}

/* Waits (at most 5 s) until the script has closed n connections. */
static bool w_wait_closed(struct w_srv *s, int n)
{
	struct timespec until;
	bool ok;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&s->mu);
	while (s->closed < n && pthread_cond_timedwait(&s->cv, &s->mu, &until) == 0)
		;
	ok = s->closed >= n;
	pthread_mutex_unlock(&s->mu);
	return ok;
}

/* A server on 127.0.0.1 and a transport; false (nothing left running) on
 * failure. */
static bool w_setup(struct w_srv *s, const struct w_step *const *script, aws_http_pool **h)
{
	*h = NULL;
	if (!w_start_on(s, AF_INET, script))
		return false;
	if (aws_http_pool_new(h) != BASE_OK) {
		w_stop(s);
		return false;
	}
	return true;
}

/* Closes the pool first (the server sees its connections end), then the
 * server. */
static void w_teardown(struct w_srv *s, aws_http_pool *h)
{
	aws_http_pool_free(h);
	w_stop(s);
}

/* ------------------------------------------------------------------ */
/* client helpers                                                       */

/* A request with timeouts short enough that a hang fails the test fast. */
static void w_req(aws_http_request *r, const char *method, const char *url)
{
	memset(r, 0, sizeof *r);
	r->method = method;
	r->url = url;
	r->connect_timeout_ms = 3000;
	r->idle_timeout_ms = 3000;
	r->timeout_ms = 6000;
}

static const char *w_url(char *buf, size_t cap, const struct w_srv *s, const char *rest)
{
	snprintf(buf, cap, "http://127.0.0.1:%d%s", s->port, rest);
	return buf;
}

/* What one exchange produced, copied out so that the response is disposed
 * before any check (a failing check then leaks nothing). */
struct w_out {
	int rc, status;
	aws_http_failure failure;
	bool sent;
	char body[512];
	char headers[512]; /* "name: value\n" per response header, in order */
	char errmsg[256];
};

static void w_send(aws_http_pool *h, const aws_http_request *r, struct w_out *o)
{
	aws_http_response resp;
	size_t off = 0, n = 0;
	aws_http_response_init(&resp);
	o->rc = aws_http_transport.send(h, r, &resp);
	o->status = resp.status;
	o->failure = resp.failure;
	o->sent = resp.sent;
	snprintf(o->body, sizeof o->body, "%s", base_buf_cstr(&resp.body));
	snprintf(o->errmsg, sizeof o->errmsg, "%s", resp.errmsg);
	o->headers[0] = '\0';
	while (off < resp.headers.len) {
		const char *name = resp.headers.data + off, *value = name + strlen(name) + 1;
		if (n < sizeof o->headers)
			n += (size_t)snprintf(o->headers + n, sizeof o->headers - n, "%s: %s\n", name, value);
		off = (size_t)(value + strlen(value) + 1 - resp.headers.data);
	}
	aws_http_response_dispose(&resp);
}

/* One GET of url. */
static void w_get(aws_http_pool *h, const char *url, bool fresh, struct w_out *o)
{
	aws_http_request r;
	w_req(&r, "GET", url);
	r.fresh_connection = fresh;
	w_send(h, &r, o);
}

/* n GETs of url in a row. */
static void w_gets(aws_http_pool *h, const char *url, size_t n, struct w_out *o)
{
	size_t i;
	for (i = 0; i < n; i++)
		w_get(h, url, false, &o[i]);
}

#define W_ASSERT_OK(o)                                                                                       \
	T_ASSERT_MSG((o).rc == BASE_OK, "%s: rc %d failure %d: %s", #o, (o).rc, (int)(o).failure, (o).errmsg)

/* ------------------------------------------------------------------ */
/* 1. request bytes                                                     */

/* A GET and a bodyless DELETE: the exact request line, the caller's
 * headers in their order, then Host with the URL's port, and no
 * Content-Length since there is no body. */
void test_aws_http_wire__bodyless_request_bytes(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY, W_OK0), W_STEP(W_REPLY, W_OK0), W_DONE};
	static const struct w_step *const script[] = {c0, NULL};
	const aws_http_header hs[] = {
	        {"X-Amz-Date", "20260101T000000Z"}, {"x-amz-target", "Svc.Op"}, {"Accept", "*/*"}};
	struct w_srv s;
	aws_http_pool *h;
	aws_http_request r;
	struct w_out o[2];
	char url[128], want[512];

	T_ASSERT(w_setup(&s, script, &h));
	w_req(&r, "GET", w_url(url, sizeof url, &s, "/p/q?a=1&b=%2F"));
	r.headers = hs;
	r.n_headers = 3;
	w_send(h, &r, &o[0]);
	w_req(&r, "DELETE", w_url(url, sizeof url, &s, "/fn/x"));
	w_send(h, &r, &o[1]);
	w_teardown(&s, h);
	W_ASSERT_OK(o[0]);
	W_ASSERT_OK(o[1]);
	T_ASSERT_INT(s.n_reqs, 2);
	snprintf(want, sizeof want,
	         "GET /p/q?a=1&b=%%2F HTTP/1.1\r\nX-Amz-Date: 20260101T000000Z\r\nx-amz-target: Svc.Op\r\n"
	         "Accept: */*\r\nHost: 127.0.0.1:%d\r\n\r\n",
	         s.port);
	T_ASSERT_STR(s.reqs[0].data, want);
	snprintf(want, sizeof want, "DELETE /fn/x HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", s.port);
	T_ASSERT_STR(s.reqs[1].data, want);
}

/* Sends method with body (NULL = none) and headers to path. */
static void w_send_body(aws_http_pool *h, const struct w_srv *s, const char *method, const char *path,
                        const aws_http_header *hs, size_t n, const char *body, struct w_out *o)
{
	aws_http_request r;
	char url[128];
	w_req(&r, method, w_url(url, sizeof url, s, path));
	r.headers = hs;
	r.n_headers = n;
	r.body = body;
	r.body_len = body ? strlen(body) : 0;
	w_send(h, &r, o);
}

/* Bodies: Content-Length after the caller's headers and Host, the body
 * right after the head; an empty POST says "Content-Length: 0"; a caller's
 * Host (any case) is kept where it was and no second one is added. */
void test_aws_http_wire__body_request_bytes(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY, W_OK0), W_STEP(W_REPLY, W_OK0),
	                                   W_STEP(W_REPLY, W_OK0), W_DONE};
	static const struct w_step *const script[] = {c0, NULL};
	const aws_http_header form[] = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
	const aws_http_header own_host[] = {{"X-A", "1"}, {"host", "example.test"}, {"X-B", "2"}};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o[3];
	char want[512];

	T_ASSERT(w_setup(&s, script, &h));
	w_send_body(h, &s, "POST", "/", form, 1, "Action=DescribeVpcs&Version=2016-11-15", &o[0]);
	w_send_body(h, &s, "POST", "/empty", NULL, 0, NULL, &o[1]);
	w_send_body(h, &s, "PUT", "/u", own_host, 3, "{}", &o[2]);
	w_teardown(&s, h);
	W_ASSERT_OK(o[0]);
	W_ASSERT_OK(o[1]);
	W_ASSERT_OK(o[2]);
	T_ASSERT_INT(s.n_reqs, 3);
	snprintf(want, sizeof want,
	         "POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
	         "Host: 127.0.0.1:%d\r\nContent-Length: 38\r\n\r\nAction=DescribeVpcs&Version=2016-11-15",
	         s.port);
	T_ASSERT_STR(s.reqs[0].data, want);
	snprintf(want, sizeof want, "POST /empty HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 0\r\n\r\n",
	         s.port);
	T_ASSERT_STR(s.reqs[1].data, want);
	T_ASSERT_STR(s.reqs[2].data, "PUT /u HTTP/1.1\r\nX-A: 1\r\nhost: example.test\r\nX-B: 2\r\n"
	                             "Content-Length: 2\r\n\r\n{}");
	T_ASSERT_INT(s.accepts, 1);
}

/* A header value holding CR, LF or CRLF (header injection) is refused
 * before any connection is made: AWS_HTTP_EOTHER, nothing sent, and the
 * server never sees a connection, let alone a request. */
void test_aws_http_wire__header_injection_refused(void)
{
	static const struct w_step *const script[] = {NULL};
	static const char *const values[] = {"v\r\nX-Injected: 1", "v\nX-Injected: 1", "v\rX", "v\r\n"};
	struct w_srv s;
	aws_http_pool *h;
	aws_http_request r;
	struct w_out o[4];
	char url[128];
	size_t i;

	T_ASSERT(w_setup(&s, script, &h));
	for (i = 0; i < 4; i++) {
		aws_http_header hs[] = {{"X-Ok", "1"}, {"X-Evil", values[i]}};
		w_req(&r, "GET", w_url(url, sizeof url, &s, "/"));
		r.headers = hs;
		r.n_headers = 2;
		w_send(h, &r, &o[i]);
	}
	w_teardown(&s, h);
	for (i = 0; i < 4; i++) {
		T_ASSERT_INT(o[i].rc, BASE_EIO);
		T_ASSERT_INT(o[i].failure, AWS_HTTP_EOTHER);
		T_ASSERT(!o[i].sent);
	}
	T_ASSERT_INT(s.accepts, 0);
	T_ASSERT_INT(s.n_reqs, 0);
}

/* An URL whose query follows the authority directly ("http://h:p?q", which
 * aws_url_parse accepts) must still be sent in origin form, which starts
 * with "/" (RFC 9112 3.2.1; curl sends "GET /?q"). */
void test_aws_http_wire__query_without_path(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY_CLOSE, W_OK0), W_DONE};
	static const struct w_step *const script[] = {c0, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o;
	char url[128], want[256];

	T_ASSERT(w_setup(&s, script, &h));
	w_get(h, w_url(url, sizeof url, &s, "?Action=DescribeVpcs"), false, &o);
	w_teardown(&s, h);
	W_ASSERT_OK(o);
	T_ASSERT_INT(s.n_reqs, 1);
	snprintf(want, sizeof want, "GET /?Action=DescribeVpcs HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n",
	         s.port);
	T_ASSERT_STR(s.reqs[0].data, want);
}

/* An IPv6 literal host goes out in brackets in Host, with the port. */
void test_aws_http_wire__ipv6_host_header(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY_CLOSE, W_OK0), W_DONE};
	static const struct w_step *const script[] = {c0, NULL};
	struct w_srv s;
	aws_http_pool *h = NULL;
	struct w_out o;
	char url[128], want[256];

	if (!w_start_on(&s, AF_INET6, script)) {
		printf("SKIP test_aws_http_wire__ipv6_host_header: no IPv6 loopback\n");
		return;
	}
	if (aws_http_pool_new(&h) != BASE_OK) {
		w_stop(&s);
		T_ASSERT_MSG(false, "aws_http_pool_new failed");
	}
	snprintf(url, sizeof url, "http://[::1]:%d/v6", s.port);
	w_get(h, url, false, &o);
	w_teardown(&s, h);
	W_ASSERT_OK(o);
	snprintf(want, sizeof want, "GET /v6 HTTP/1.1\r\nHost: [::1]:%d\r\n\r\n", s.port);
	T_ASSERT_STR(s.reqs[0].data, want);
}

/* ------------------------------------------------------------------ */
/* 2-4. reply framing                                                   */

#define W_CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Before: 1\r\n\r\n"
/* chunk extensions, upper- and lower-case hex with a leading zero, a
 * last chunk with an extension, then two trailer fields */
#define W_CHUNKED_REPLY                                                                                      \
	W_CHUNKED_HEAD "5;x=y\r\nhello\r\nA\r\n, chunked \r\n0b\r\nworld-00000\r\n1a;a=1;b=\"q\"\r\n"        \
	               "abcdefghijklmnopqrstuvwxyz\r\n0;last=1\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n"
#define W_CHUNKED_BODY "hello, chunked world-00000abcdefghijklmnopqrstuvwxyz"
#define W_OK_NEXT "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext"

/* Two GETs on a server following script; *accepts = its accept count. */
static void w_two_gets(const struct w_step *const *script, struct w_out o[2], int *accepts)
{
	struct w_srv s;
	aws_http_pool *h;
	char url[128];
	o[0].rc = o[1].rc = -100;
	*accepts = -1;
	if (!w_setup(&s, script, &h))
		return;
	w_gets(h, w_url(url, sizeof url, &s, "/"), 2, o);
	w_teardown(&s, h);
	*accepts = s.accepts;
}

/* A chunked reply decodes to exactly its data, whole or dripped one byte
 * per segment; the trailers and the final CRLF are consumed exactly, so
 * the connection carries the next request (one accept). */
void test_aws_http_wire__chunked_body(void)
{
	static const struct w_step whole[] = {W_STEP(W_REPLY, W_CHUNKED_REPLY), W_STEP(W_REPLY, W_OK_NEXT),
	                                      W_DONE};
	static const struct w_step drip[] = {
	        {.act = W_REPLY, .reply = W_CHUNKED_REPLY, .drip = true}, W_STEP(W_REPLY, W_OK_NEXT), W_DONE};
	static const struct w_step *const script_whole[] = {whole, NULL};
	static const struct w_step *const script_drip[] = {drip, NULL};
	const struct w_step *const *scripts[] = {script_whole, script_drip};
	struct w_out o[2];
	int accepts, k;

	for (k = 0; k < 2; k++) {
		w_two_gets(scripts[k], o, &accepts);
		W_ASSERT_OK(o[0]);
		W_ASSERT_OK(o[1]);
		T_ASSERT_INT(o[0].status, 200);
		T_ASSERT_STR(o[0].body, W_CHUNKED_BODY);
		T_ASSERT_STR(o[1].body, "next");
		T_ASSERT_INT(accepts, 1);
	}
}

/* A malformed chunk size ("zz", "5x"), chunk data not followed by CRLF and
 * a connection closed inside a chunk each fail as AWS_HTTP_ERECV (BASE_EIO)
 * after sending, with no status and no body. */
void test_aws_http_wire__chunked_malformed(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY_CLOSE, W_CHUNKED_HEAD "zz\r\nhello\r\n0\r\n\r\n"),
	                                   W_DONE};
	static const struct w_step c1[] = {W_STEP(W_REPLY_CLOSE, W_CHUNKED_HEAD "5x\r\nhello\r\n0\r\n\r\n"),
	                                   W_DONE};
	static const struct w_step c2[] = {W_STEP(W_REPLY_CLOSE, W_CHUNKED_HEAD "5\r\nhelloXX\r\n0\r\n\r\n"),
	                                   W_DONE};
	static const struct w_step c3[] = {
	        W_STEP(W_REPLY_CLOSE, W_CHUNKED_HEAD "5\r\nhello\r\n10\r\nonly-part"), W_DONE};
	static const struct w_step *const script[] = {c0, c1, c2, c3, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o[4];
	char url[128];
	size_t i;

	T_ASSERT(w_setup(&s, script, &h));
	w_gets(h, w_url(url, sizeof url, &s, "/"), 4, o);
	w_teardown(&s, h);
	for (i = 0; i < 4; i++) {
		T_ASSERT_MSG(o[i].rc == BASE_EIO && o[i].failure == AWS_HTTP_ERECV && o[i].status == 0 &&
		                     o[i].sent && !o[i].body[0],
		             "reply %zu: rc %d failure %d status %d body \"%s\" (%s)", i, o[i].rc,
		             (int)o[i].failure, o[i].status, o[i].body, o[i].errmsg);
	}
	T_ASSERT_STR(o[0].errmsg, "malformed chunked reply");
	T_ASSERT_STR(o[3].errmsg, "connection closed inside a chunked reply");
	T_ASSERT_INT(s.accepts, 4);
}

#define W_INTERIM_REPLY                                                                                      \
	"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"    \
	"HTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 4\r\n\r\ndone"

/* Interim 1xx heads (100 Continue, then 103) before the final 200 are
 * skipped: status 200, the final body, and exactly the final head's
 * headers; the same when the reply arrives one byte at a time. */
void test_aws_http_wire__interim_1xx_skipped(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY, W_INTERIM_REPLY),
	                                   {.act = W_REPLY, .reply = W_INTERIM_REPLY, .drip = true},
	                                   W_DONE};
	static const struct w_step *const script[] = {c0, NULL};
	struct w_out o[2];
	int accepts, i;

	w_two_gets(script, o, &accepts);
	for (i = 0; i < 2; i++) {
		W_ASSERT_OK(o[i]);
		T_ASSERT_INT(o[i].status, 200);
		T_ASSERT_STR(o[i].body, "done");
		T_ASSERT_STR(o[i].headers, "x-final: yes\ncontent-length: 4\n");
	}
	T_ASSERT_INT(accepts, 1);
}

/* A Content-Length reply cut short by the server closing fails as
 * AWS_HTTP_ERECV after sending; a reply with neither Content-Length nor
 * chunks is read to the end of the connection (status 200, every byte),
 * and that connection is not reused. */
void test_aws_http_wire__length_cut_short_and_body_to_close(void)
{
	static const struct w_step c0[] = {
	        W_STEP(W_REPLY_CLOSE, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), W_DONE};
	static const struct w_step c1[] = {
	        W_STEP(W_REPLY_CLOSE,
	               "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil\r\n\r\nthe end"),
	        W_DONE};
	static const struct w_step c2[] = {W_STEP(W_REPLY, W_OK_ONE), W_DONE};
	static const struct w_step *const script[] = {c0, c1, c2, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o[3];
	char url[128];

	T_ASSERT(w_setup(&s, script, &h));
	w_gets(h, w_url(url, sizeof url, &s, "/"), 3, o);
	w_teardown(&s, h);
	T_ASSERT_INT(o[0].rc, BASE_EIO);
	T_ASSERT_INT(o[0].failure, AWS_HTTP_ERECV);
	T_ASSERT(o[0].sent);
	T_ASSERT_INT(o[0].status, 0);
	T_ASSERT_STR(o[0].body, "");
	T_ASSERT_STR(o[0].errmsg, "connection closed 3 bytes into a 10-byte reply");
	W_ASSERT_OK(o[1]);
	T_ASSERT_INT(o[1].status, 200);
	T_ASSERT_STR(o[1].body, "until\r\n\r\nthe end");
	W_ASSERT_OK(o[2]);
	T_ASSERT_STR(o[2].body, "one");
	T_ASSERT_INT(s.accepts, 3);
}

/* Replies that have no body by definition: the reply to HEAD (despite its
 * Content-Length), 204 and 304 (despite having neither length nor chunks).
 * Nothing is waited for, and the connection carries the next request. */
void test_aws_http_wire__head_204_304_have_no_body(void)
{
	static const struct w_step c0[] = {
	        W_STEP(W_REPLY, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nETag: \"e\"\r\n\r\n"),
	        W_STEP(W_REPLY, "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"),
	        W_STEP(W_REPLY, "HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\n\r\n"),
	        W_STEP(W_REPLY, W_OK_NEXT), W_DONE};
	static const struct w_step *const script[] = {c0, NULL};
	static const char *const methods[] = {"HEAD", "DELETE", "GET", "GET"};
	static const int want_status[] = {200, 204, 304, 200};
	static const char *const want_body[] = {"", "", "", "next"};
	struct w_srv s;
	aws_http_pool *h;
	aws_http_request r;
	struct w_out o[4];
	char url[128], want[128];
	int i;

	T_ASSERT(w_setup(&s, script, &h));
	for (i = 0; i < 4; i++) {
		w_req(&r, methods[i], w_url(url, sizeof url, &s, "/"));
		w_send(h, &r, &o[i]);
	}
	w_teardown(&s, h);
	for (i = 0; i < 4; i++) {
		W_ASSERT_OK(o[i]);
		T_ASSERT_INT(o[i].status, want_status[i]);
		T_ASSERT_STR(o[i].body, want_body[i]);
	}
	T_ASSERT_INT(s.accepts, 1);
	snprintf(want, sizeof want, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", s.port);
	T_ASSERT_STR(s.reqs[0].data, want);
}

/* ------------------------------------------------------------------ */
/* 5. keep-alive                                                        */

/* Two requests in a row use one connection: one accept. */
void test_aws_http_wire__keep_alive_one_connection(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY, W_OK_ONE), W_STEP(W_REPLY, W_OK_TWO), W_DONE};
	static const struct w_step *const script[] = {c0, NULL};
	struct w_out o[2];
	int accepts;

	w_two_gets(script, o, &accepts);
	W_ASSERT_OK(o[0]);
	W_ASSERT_OK(o[1]);
	T_ASSERT_STR(o[0].body, "one");
	T_ASSERT_STR(o[1].body, "two");
	T_ASSERT_INT(accepts, 1);
}

/* A reply saying "Connection: close", or an HTTP/1.0 reply, ends its
 * connection's use even when the server keeps it open: each next request
 * makes a new accept. */
void test_aws_http_wire__connection_close_not_reused(void)
{
	static const struct w_step c0[] = {
	        W_STEP(W_REPLY, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\none"),
	        W_DONE};
	static const struct w_step c1[] = {W_STEP(W_REPLY, "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\ntwo"),
	                                   W_DONE};
	static const struct w_step c2[] = {W_STEP(W_REPLY, W_OK_THREE), W_DONE};
	static const struct w_step *const script[] = {c0, c1, c2, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o[3];
	char url[128];

	T_ASSERT(w_setup(&s, script, &h));
	w_gets(h, w_url(url, sizeof url, &s, "/"), 3, o);
	w_teardown(&s, h);
	W_ASSERT_OK(o[0]);
	W_ASSERT_OK(o[1]);
	W_ASSERT_OK(o[2]);
	T_ASSERT_STR(o[2].body, "three");
	T_ASSERT_INT(s.accepts, 3);
	T_ASSERT_INT(s.n_reqs, 3);
	T_ASSERT_INT(s.reqs[1].conn, 1);
	T_ASSERT_INT(s.reqs[2].conn, 2);
}

/* The server closes a kept-alive connection while it is idle in the pool
 * (its reply had no "Connection: close"): the next request still succeeds,
 * on a new connection, and the server reads it exactly once. The test
 * waits for the server's close before sending, so the pool holds a
 * connection already closed by its peer. */
void test_aws_http_wire__idle_close_detected(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY_CLOSE, W_OK_ONE), W_DONE};
	static const struct w_step c1[] = {W_STEP(W_REPLY, W_OK_TWO), W_DONE};
	static const struct w_step *const script[] = {c0, c1, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o[2];
	char url[128];
	bool closed;

	T_ASSERT(w_setup(&s, script, &h));
	w_get(h, w_url(url, sizeof url, &s, "/"), false, &o[0]);
	closed = w_wait_closed(&s, 1);
	w_get(h, url, false, &o[1]);
	w_teardown(&s, h);
	T_ASSERT(closed);
	W_ASSERT_OK(o[0]);
	W_ASSERT_OK(o[1]);
	T_ASSERT_STR(o[1].body, "two");
	T_ASSERT_INT(s.accepts, 2);
	T_ASSERT_INT(s.n_reqs, 2);
	T_ASSERT_INT(s.reqs[1].conn, 1);
}

/* The one silent resend: the server reads request #2 on the pooled
 * connection and closes it without a byte of reply. The transport sends
 * it once more, on a new connection, and returns that reply; the server
 * saw request #2 twice, byte for byte the same. */
void test_aws_http_wire__silent_resend_once(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY, W_OK_ONE), W_STEP(W_CLOSE, NULL), W_DONE};
	static const struct w_step c1[] = {W_STEP(W_REPLY, W_OK_RESENT), W_DONE};
	static const struct w_step *const script[] = {c0, c1, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o[2];
	char url[128];

	T_ASSERT(w_setup(&s, script, &h));
	w_get(h, w_url(url, sizeof url, &s, "/one"), false, &o[0]);
	w_get(h, w_url(url, sizeof url, &s, "/two"), false, &o[1]);
	w_teardown(&s, h);
	W_ASSERT_OK(o[0]);
	W_ASSERT_OK(o[1]);
	T_ASSERT_INT(o[1].status, 200);
	T_ASSERT(o[1].sent);
	T_ASSERT_STR(o[1].body, "resent");
	T_ASSERT_INT(s.accepts, 2);
	T_ASSERT_INT(s.n_reqs, 3);
	T_ASSERT_INT(s.reqs[1].conn, 0);
	T_ASSERT_INT(s.reqs[2].conn, 1);
	T_ASSERT(strncmp(s.reqs[1].data, "GET /two ", 9) == 0);
	T_ASSERT_STR(s.reqs[2].data, s.reqs[1].data);
}

/* No resend once a byte of the reply came: the server answers request #2
 * on the pooled connection with part of a head and closes. That is
 * AWS_HTTP_ERECV, and the server saw request #2 once (a resend would have
 * been answered on a second connection). */
void test_aws_http_wire__no_resend_after_reply_bytes(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY, W_OK_ONE),
	                                   W_STEP(W_REPLY_CLOSE, "HTTP/1.1 200 OK\r\nContent-Le"), W_DONE};
	static const struct w_step c1[] = {W_STEP(W_REPLY, W_OK_RESENT), W_DONE};
	static const struct w_step *const script[] = {c0, c1, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o[2];
	char url[128];

	T_ASSERT(w_setup(&s, script, &h));
	w_gets(h, w_url(url, sizeof url, &s, "/"), 2, o);
	w_teardown(&s, h);
	W_ASSERT_OK(o[0]);
	T_ASSERT_INT(o[1].rc, BASE_EIO);
	T_ASSERT_INT(o[1].failure, AWS_HTTP_ERECV);
	T_ASSERT_STR(o[1].errmsg, "connection closed inside the reply headers");
	T_ASSERT_INT(s.accepts, 1);
	T_ASSERT_INT(s.n_reqs, 2);
}

/* fresh_connection: request #2 goes on a new connection (accept 2), never
 * the pooled one, and when the server reads it and closes without a reply
 * it fails with AWS_HTTP_ERECV after sending, without a resend: a third
 * connection would have answered "resent", and the server saw request #2
 * once. The pooled connection stays usable: request #3 (not fresh) runs on
 * it, still with two accepts. */
void test_aws_http_wire__fresh_connection_never_resent(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY, W_OK_ONE), W_STEP(W_REPLY, W_OK_THREE), W_DONE};
	static const struct w_step c1[] = {W_STEP(W_CLOSE, NULL), W_DONE};
	static const struct w_step c2[] = {W_STEP(W_REPLY, W_OK_RESENT), W_DONE};
	static const struct w_step *const script[] = {c0, c1, c2, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o[3];
	char url[128];

	T_ASSERT(w_setup(&s, script, &h));
	w_get(h, w_url(url, sizeof url, &s, "/"), false, &o[0]);
	w_get(h, url, true, &o[1]);
	w_get(h, url, false, &o[2]);
	w_teardown(&s, h);
	W_ASSERT_OK(o[0]);
	T_ASSERT_INT(o[1].rc, BASE_EIO);
	T_ASSERT_INT(o[1].failure, AWS_HTTP_ERECV);
	T_ASSERT(o[1].sent);
	W_ASSERT_OK(o[2]);
	T_ASSERT_STR(o[2].body, "three");
	T_ASSERT_INT(s.accepts, 2);
	T_ASSERT_INT(s.n_reqs, 3);
	T_ASSERT_INT(s.reqs[1].conn, 1);
	T_ASSERT_INT(s.reqs[2].conn, 0);
}

/* Requests A (pooled), B (fresh; the pool keeps its connection too), then
 * C on a server that drops C without a reply on either pooled connection
 * and answers "resent" on any new one. */
static void w_two_pooled_then_c(const struct w_step *const *script, struct w_srv *s, struct w_out o[3])
{
	aws_http_pool *h;
	char url[128];
	o[0].rc = o[1].rc = o[2].rc = -100;
	if (!w_setup(s, script, &h))
		return;
	w_get(h, w_url(url, sizeof url, s, "/a"), false, &o[0]);
	w_get(h, w_url(url, sizeof url, s, "/b"), true, &o[1]);
	w_get(h, w_url(url, sizeof url, s, "/c"), false, &o[2]);
	w_teardown(s, h);
}

/* The resend goes on a NEW connection (aws_http.c: "sent once more on a
 * new connection"), not on another pooled one: with two connections
 * pooled and both dropped by the server (as a server that timed both out
 * would), request C must come back from a third connection. */
void test_aws_http_wire__resend_uses_new_connection(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY, W_OK_ONE), W_STEP(W_CLOSE, NULL), W_DONE};
	static const struct w_step c1[] = {W_STEP(W_REPLY, W_OK_TWO), W_STEP(W_CLOSE, NULL), W_DONE};
	static const struct w_step c2[] = {W_STEP(W_REPLY, W_OK_RESENT), W_DONE};
	static const struct w_step *const script[] = {c0, c1, c2, NULL};
	struct w_srv s;
	struct w_out o[3];

	w_two_pooled_then_c(script, &s, o);
	W_ASSERT_OK(o[0]);
	W_ASSERT_OK(o[1]);
	T_ASSERT_MSG(o[2].rc == BASE_OK && o[2].status == 200 && strcmp(o[2].body, "resent") == 0,
	             "request C: rc %d status %d body \"%s\" (%s); the server saw %zu requests on %d "
	             "connections, C's resend on connection %d",
	             o[2].rc, o[2].status, o[2].body, o[2].errmsg, s.n_reqs, s.accepts,
	             s.n_reqs >= 4 ? s.reqs[3].conn : -1);
	T_ASSERT_INT(s.n_reqs, 4);
	T_ASSERT_INT(s.reqs[3].conn, 2);
}

/* Both attempts of one request die before a reply byte (two pooled
 * connections, both dropped, and so is any new one): the exchange failed,
 * so send must not return BASE_OK; it is AWS_HTTP_ERECV after sending. */
void test_aws_http_wire__two_dead_attempts_fail(void)
{
	static const struct w_step c0[] = {W_STEP(W_REPLY, W_OK_ONE), W_STEP(W_CLOSE, NULL), W_DONE};
	static const struct w_step c1[] = {W_STEP(W_REPLY, W_OK_TWO), W_STEP(W_CLOSE, NULL), W_DONE};
	static const struct w_step c2[] = {W_STEP(W_CLOSE, NULL), W_DONE};
	static const struct w_step *const script[] = {c0, c1, c2, NULL};
	struct w_srv s;
	struct w_out o[3];

	w_two_pooled_then_c(script, &s, o);
	W_ASSERT_OK(o[0]);
	W_ASSERT_OK(o[1]);
	T_ASSERT_MSG(o[2].rc == BASE_EIO && o[2].failure == AWS_HTTP_ERECV && o[2].sent,
	             "request C was dropped on every connection, yet rc %d failure %d status %d sent %d "
	             "errmsg \"%s\"",
	             o[2].rc, (int)o[2].failure, o[2].status, o[2].sent, o[2].errmsg);
}

/* The resend's connect has its own connect_timeout_ms. Request #2 uses
 * connect_timeout_ms 200 and goes on the pooled connection, where the
 * server holds it 400 ms, then closes without a reply. The new connection
 * for the resend is made at once on loopback, so the request succeeds;
 * measuring its connect deadline from the start of the exchange would
 * fail it as a connect timeout without trying. */
void test_aws_http_wire__resend_connect_has_own_deadline(void)
{
	static const struct w_step c0[] = {
	        W_STEP(W_REPLY, W_OK_ONE), {.act = W_CLOSE, .delay_ms = 400}, W_DONE};
	static const struct w_step c1[] = {W_STEP(W_REPLY, W_OK_RESENT), W_DONE};
	static const struct w_step *const script[] = {c0, c1, NULL};
	struct w_srv s;
	aws_http_pool *h;
	aws_http_request r;
	struct w_out o[2];
	char url[128];

	T_ASSERT(w_setup(&s, script, &h));
	w_req(&r, "GET", w_url(url, sizeof url, &s, "/"));
	r.connect_timeout_ms = 200;
	w_send(h, &r, &o[0]);
	w_send(h, &r, &o[1]);
	w_teardown(&s, h);
	W_ASSERT_OK(o[0]);
	T_ASSERT_MSG(o[1].rc == BASE_OK, "rc %d failure %d sent %d: %s; the server saw %zu requests", o[1].rc,
	             (int)o[1].failure, o[1].sent, o[1].errmsg, s.n_reqs);
	T_ASSERT_STR(o[1].body, "resent");
}

/* When the resend cannot connect, the outcome still says the request was
 * sent: the server read request #2 on the pooled connection before
 * closing it and its listener. "sent" false (or a failure kind meaning
 * "nothing was sent", ECONNECT / ECONNECT_TIMEOUT) would let a caller
 * believe the server never saw it. */
void test_aws_http_wire__failed_resend_still_sent(void)
{
	static const struct w_step c0[] = {
	        W_STEP(W_REPLY, W_OK_ONE), {.act = W_CLOSE, .close_listener = true}, W_DONE};
	static const struct w_step *const script[] = {c0, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o[2];
	char url[128];

	T_ASSERT(w_setup(&s, script, &h));
	w_gets(h, w_url(url, sizeof url, &s, "/"), 2, o);
	w_teardown(&s, h);
	W_ASSERT_OK(o[0]);
	T_ASSERT_INT(s.n_reqs, 2); /* the server did read request #2 */
	T_ASSERT_INT(o[1].rc, BASE_EIO);
	T_ASSERT_MSG(o[1].sent && o[1].failure != AWS_HTTP_ECONNECT &&
	                     o[1].failure != AWS_HTTP_ECONNECT_TIMEOUT,
	             "request #2 reached the server, yet sent=%d failure=%d (%s)", o[1].sent,
	             (int)o[1].failure, o[1].errmsg);
}

/* ------------------------------------------------------------------ */
/* 6. timeouts                                                          */

/* The server sends a head promising 100 bytes, 7 of them, then stalls:
 * idle_timeout_ms 300 ends the exchange with BASE_ETIMEOUT /
 * AWS_HTTP_ETIMEOUT after sending, long before timeout_ms. */
void test_aws_http_wire__idle_timeout_after_head(void)
{
	static const struct w_step c0[] = {
	        W_STEP(W_REPLY, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"), W_DONE};
	static const struct w_step *const script[] = {c0, NULL};
	struct w_srv s;
	aws_http_pool *h;
	aws_http_request r;
	struct w_out o;
	char url[128];
	uint64_t t0, took;

	T_ASSERT(w_setup(&s, script, &h));
	w_req(&r, "GET", w_url(url, sizeof url, &s, "/"));
	r.idle_timeout_ms = 300;
	r.timeout_ms = 5000;
	t0 = w_now_ms();
	w_send(h, &r, &o);
	took = w_now_ms() - t0;
	w_teardown(&s, h);
	T_ASSERT_INT(o.rc, BASE_ETIMEOUT);
	T_ASSERT_INT(o.failure, AWS_HTTP_ETIMEOUT);
	T_ASSERT(o.sent);
	T_ASSERT_INT(o.status, 0);
	T_ASSERT_STR(o.body, "");
	T_ASSERT_MSG(took >= 250 && took < 2000, "took %llu ms", (unsigned long long)took);
}

/* ------------------------------------------------------------------ */
/* 7. proxies from the environment                                      */

/* GETs url with header X-Amz-Date. */
static void w_env_get(aws_http_pool *h, const char *url, struct w_out *o)
{
	const aws_http_header hs[] = {{"X-Amz-Date", "20260101T000000Z"}};
	aws_http_request r;
	w_req(&r, "GET", url);
	r.headers = hs;
	r.n_headers = 1;
	w_send(h, &r, o);
}

/* The proxy URL of a fake proxy s, with percent-encoded credentials. */
static const char *w_proxy_url(char *buf, size_t cap, const struct w_srv *s)
{
	snprintf(buf, cap, "http://user:p%%40ss@127.0.0.1:%d", s->port);
	return buf;
}

/* http_proxy with percent-encoded credentials: the fake proxy receives the
 * request in absolute form, Host from the URL (with its port when given)
 * and Proxy-Authorization "Basic base64(user:p@ss)" after the caller's
 * headers; an URL without path is sent as ".../". */
void test_aws_http_wire__http_proxy_absolute_form(void)
{
	static const struct w_step c[] = {W_STEP(W_REPLY, W_OK0), W_DONE};
	static const struct w_step *const script[] = {c, c, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o[2];
	char proxy[128];

	T_ASSERT(w_setup(&s, script, &h));
	setenv("http_proxy", w_proxy_url(proxy, sizeof proxy, &s), 1);
	w_env_get(h, "http://example.invalid:8080/x?y=1", &o[0]);
	w_env_get(h, "http://example.invalid", &o[1]);
	w_teardown(&s, h);
	W_ASSERT_OK(o[0]);
	W_ASSERT_OK(o[1]);
	T_ASSERT_INT(s.n_reqs, 2);
	T_ASSERT_STR(s.reqs[0].data, "GET http://example.invalid:8080/x?y=1 HTTP/1.1\r\n"
	                             "X-Amz-Date: 20260101T000000Z\r\nHost: example.invalid:8080\r\n"
	                             "Proxy-Authorization: Basic dXNlcjpwQHNz\r\n\r\n");
	T_ASSERT_STR(s.reqs[1].data, "GET http://example.invalid/ HTTP/1.1\r\n"
	                             "X-Amz-Date: 20260101T000000Z\r\nHost: example.invalid\r\n"
	                             "Proxy-Authorization: Basic dXNlcjpwQHNz\r\n\r\n");
}

/* no_proxy naming the host makes the request go direct despite
 * http_proxy: the proxy sees no connection, and the direct attempt fails
 * to resolve example.invalid (AWS_HTTP_ECONNECT, nothing sent). */
void test_aws_http_wire__no_proxy_goes_direct(void)
{
	static const struct w_step *const script[] = {NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o;
	char proxy[128];

	T_ASSERT(w_setup(&s, script, &h));
	setenv("http_proxy", w_proxy_url(proxy, sizeof proxy, &s), 1);
	setenv("no_proxy", "example.invalid", 1);
	w_env_get(h, "http://example.invalid:8080/x?y=1", &o);
	w_teardown(&s, h);
	T_ASSERT_INT(o.rc, BASE_EIO);
	T_ASSERT_MSG(o.failure == AWS_HTTP_ECONNECT, "failure %d: %s", (int)o.failure, o.errmsg);
	T_ASSERT(!o.sent);
	T_ASSERT_MSG(strstr(o.errmsg, "example.invalid") != NULL, "%s", o.errmsg);
	T_ASSERT_INT(s.accepts, 0);
}

/* https through a proxy: the CONNECT head is exactly the request line,
 * Host and Proxy-Authorization; a 403 to it is AWS_HTTP_ECONNECT naming
 * the proxy and the status, with nothing of the request sent. */
void test_aws_http_wire__https_proxy_connect_refused(void)
{
	static const struct w_step c0[] = {
	        W_STEP(W_REPLY_CLOSE, "HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nForbidden"),
	        W_DONE};
	static const struct w_step *const script[] = {c0, NULL};
	struct w_srv s;
	aws_http_pool *h;
	struct w_out o;
	char proxy[128], want[64];

	T_ASSERT(w_setup(&s, script, &h));
	setenv("https_proxy", w_proxy_url(proxy, sizeof proxy, &s), 1);
	w_env_get(h, "https://example.invalid/x?y=1", &o);
	w_teardown(&s, h);
	T_ASSERT_INT(o.rc, BASE_EIO);
	T_ASSERT_MSG(o.failure == AWS_HTTP_ECONNECT, "failure %d: %s", (int)o.failure, o.errmsg);
	T_ASSERT(!o.sent);
	snprintf(want, sizeof want, "127.0.0.1:%d", s.port);
	T_ASSERT_MSG(strstr(o.errmsg, want) && strstr(o.errmsg, "403"), "%s", o.errmsg);
	T_ASSERT_INT(s.n_reqs, 1);
	T_ASSERT_STR(s.reqs[0].data, "CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\n"
	                             "Proxy-Authorization: Basic dXNlcjpwQHNz\r\n\r\n");
}

/* ------------------------------------------------------------------ */
/* 8. reply head cap                                                    */

/* A reply head of about min_bytes: a status line and 100-byte headers,
 * ended by a blank line and a 2-byte body when terminated. Heap. */
static char *w_big_head(size_t min_bytes, bool terminated, size_t *len)
{
	static const char status[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
	size_t n = sizeof status - 1, cap = min_bytes + 256, i = 0;
	char *p = base_xmalloc(cap);
	memcpy(p, status, n);
	while (n < min_bytes) /* "X-Pad-NNNNN: " (13) + 85 '0' + CRLF = 100 bytes */
		n += (size_t)snprintf(p + n, cap - n, "X-Pad-%05zu: %085d\r\n", i++, 0);
	if (terminated) {
		memcpy(p + n, "\r\nok", 4);
		n += 4;
	}
	*len = n;
	return p;
}

/* A reply head over 256 KiB (400 KiB that never ends) fails with
 * BASE_ETOOBIG / AWS_HTTP_ETOOBIG; a 200 KiB head is read whole. */
void test_aws_http_wire__reply_head_cap(void)
{
	size_t big_len, ok_len;
	char *big = w_big_head(400u * 1024u, false, &big_len), *ok = w_big_head(200u * 1024u, true, &ok_len);
	const struct w_step c0[] = {{.act = W_REPLY_CLOSE, .reply = big, .len = big_len}, W_DONE};
	const struct w_step c1[] = {{.act = W_REPLY_CLOSE, .reply = ok, .len = ok_len}, W_DONE};
	const struct w_step *const script[] = {c0, c1, NULL};
	struct w_srv s;
	aws_http_pool *h = NULL;
	struct w_out o[2];
	char url[128];
	bool started = w_setup(&s, script, &h);

	if (started) {
		w_gets(h, w_url(url, sizeof url, &s, "/"), 2, o);
		w_teardown(&s, h);
	}
	base_free(big);
	base_free(ok);
	T_ASSERT(started);
	T_ASSERT_MSG(o[0].rc == BASE_ETOOBIG, "rc %d: %s", o[0].rc, o[0].errmsg);
	T_ASSERT_INT(o[0].failure, AWS_HTTP_ETOOBIG);
	W_ASSERT_OK(o[1]);
	T_ASSERT_INT(o[1].status, 200);
	T_ASSERT_STR(o[1].body, "ok");
}

/* ------------------------------------------------------------------ */
/* 9. TLS peer name                                                     */

struct w_tls {
	char dir[32], cert[64], key[64];
	pid_t pid;
	int out; /* s_server's stdout */
	int port;
};

/* Reads s_server's stdout until its "ACCEPT host:port" line (at most 10 s). */
static int w_tls_port(int fd)
{
	char buf[512];
	size_t len = 0;
	uint64_t until = w_now_ms() + 10000;
	while (len < sizeof buf - 1 && w_now_ms() < until) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		const char *a, *eol;
		ssize_t n;
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		a = strstr(buf, "ACCEPT ");
		eol = a ? strchr(a, '\n') : NULL;
		if (eol) {
			const char *colon = memrchr(a, ':', (size_t)(eol - a));
			return colon ? (int)strtol(colon + 1, NULL, 10) : -1;
		}
	}
	return -1;
}

static void w_tls_stop(struct w_tls *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGTERM);
		waitpid(t->pid, NULL, 0);
	}
	if (t->out >= 0)
		close(t->out);
	unlink(t->cert);
	unlink(t->key);
	rmdir(t->dir);
}

/* Runs `openssl s_server -www` on 127.0.0.1 (a free port it picks and
 * prints: the readiness handshake) with a new self-signed certificate for
 * DNS name localhost only. false when it cannot (nothing left running). */
static bool w_tls_start(struct w_tls *t)
{
	char cmd[512];
	int fds[2];
	memset(t, 0, sizeof *t);
	t->out = -1;
	snprintf(t->dir, sizeof t->dir, "/tmp/aws_http_wire.XXXXXX");
	if (!mkdtemp(t->dir))
		return false;
	snprintf(t->cert, sizeof t->cert, "%s/cert.pem", t->dir);
	snprintf(t->key, sizeof t->key, "%s/key.pem", t->dir);
	snprintf(cmd, sizeof cmd,
	         "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 1 -subj /CN=localhost "
	         "-addext subjectAltName=DNS:localhost >/dev/null 2>&1",
	         t->key, t->cert);
	if (system(cmd) != 0 || pipe2(fds, O_CLOEXEC) != 0) {
		w_tls_stop(t);
		return false;
	}
	fflush(NULL);
	t->pid = fork();
	if (t->pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(fds[1], 1);
		dup2(null, 2);
		execlp("openssl", "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", t->cert, "-key",
		       t->key, "-www", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	t->out = fds[0];
	if (t->pid < 0 || (t->port = w_tls_port(t->out)) <= 0) {
		w_tls_stop(t);
		return false;
	}
	return true;
}

/* The certificate names DNS:localhost only and is trusted through
 * ca_bundle: https://127.0.0.1 fails the name check (AWS_HTTP_ETLS, the
 * message is about the certificate, nothing sent); https://localhost on
 * the same server succeeds. */
void test_aws_http_wire__tls_peer_name_checked(void)
{
	struct w_tls t;
	struct w_env env;
	aws_http_pool *h = NULL;
	aws_http_request r;
	struct w_out o[2];
	char url[2][128];
	int i;

	if (system("command -v openssl >/dev/null 2>&1") != 0) {
		printf("SKIP test_aws_http_wire__tls_peer_name_checked: no openssl tool\n");
		return;
	}
	T_ASSERT_MSG(w_tls_start(&t), "cannot run openssl s_server");
	snprintf(url[0], sizeof url[0], "https://127.0.0.1:%d/", t.port);
	snprintf(url[1], sizeof url[1], "https://localhost:%d/", t.port);
	if (aws_http_pool_new(&h) != BASE_OK)
		h = NULL;
	w_env_clear(&env);
	for (i = 0; i < 2 && h; i++) {
		w_req(&r, "GET", url[i]);
		r.ca_bundle = t.cert;
		w_send(h, &r, &o[i]);
	}
	w_env_restore(&env);
	aws_http_pool_free(h);
	w_tls_stop(&t);
	T_ASSERT(h != NULL);
	T_ASSERT_INT(o[0].rc, BASE_EIO);
	T_ASSERT_INT(o[0].failure, AWS_HTTP_ETLS);
	T_ASSERT(!o[0].sent);
	T_ASSERT_MSG(strstr(o[0].errmsg, "certificate") != NULL, "%s", o[0].errmsg);
	W_ASSERT_OK(o[1]);
	T_ASSERT_INT(o[1].status, 200);
}
