/*
 * aws_http_test.c - the HTTP transport against tiny local servers on
 * 127.0.0.1: request bytes on the wire, response headers and body, the
 * response cap, connect failure, timeout after sending, cancellation.
 */
#include "t.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws_http.h"
#include "base/base_alloc.h"

struct srv {
	int lfd;
	int port;
	const char *reply;      /* raw HTTP response, NULL = never answer */
	char got[8192];         /* request bytes received */
	size_t got_len;
	pthread_t th;
};

static int listen_local(int *port)
{
	struct sockaddr_in a;
	socklen_t l = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &l) != 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return s;
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	int c = accept(s->lfd, NULL, NULL);
	size_t need = 0;
	if (c < 0)
		return NULL;
	for (;;) {
		ssize_t n = read(c, s->got + s->got_len, sizeof s->got - 1 - s->got_len);
		char *hdr_end;
		if (n <= 0)
			break;
		s->got_len += (size_t)n;
		s->got[s->got_len] = '\0';
		hdr_end = strstr(s->got, "\r\n\r\n");
		if (hdr_end) {
			const char *cl = strcasestr(s->got, "\r\nContent-Length:");
			need = (size_t)(hdr_end + 4 - s->got) + (cl ? (size_t)strtoul(cl + 17, NULL, 10) : 0);
			if (s->got_len >= need)
				break;
		}
	}
	if (s->reply) {
		if (write(c, s->reply, strlen(s->reply)) < 0) {
			/* the test will notice */
		}
	} else {
		char sink[256];
		while (read(c, sink, sizeof sink) > 0)
			;
	}
	close(c);
	return NULL;
}

static bool srv_start(struct srv *s, const char *reply)
{
	memset(s, 0, sizeof *s);
	s->reply = reply;
	s->lfd = listen_local(&s->port);
	return s->lfd >= 0 && pthread_create(&s->th, NULL, srv_main, s) == 0;
}

static void srv_stop(struct srv *s)
{
	shutdown(s->lfd, SHUT_RDWR);
	close(s->lfd);
	pthread_join(s->th, NULL);
}

void test_aws_http__request_and_response(void)
{
	struct srv s;
	aws_http_pool *h = NULL;
	aws_http_request r;
	aws_http_response resp;
	aws_http_header hs[] = { { "Host", "example.test:1" }, { "Content-Type", "application/json" },
				 { "X-Amz-Date", "20260101T000000Z" } };
	char url[64];

	T_ASSERT(srv_start(&s, "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
			       "x-amzn-RequestId: abc-123\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
			       "{\"ok\":true}"));
	T_OK(aws_http_pool_new(&h));
	snprintf(url, sizeof url, "http://127.0.0.1:%d/2015-03-31/functions?x=1", s.port);
	memset(&r, 0, sizeof r);
	r.method = "PUT";
	r.url = url;
	r.headers = hs;
	r.n_headers = 3;
	r.body = "{\"a\":1}";
	r.body_len = 7;
	aws_http_response_init(&resp);
	T_OK(aws_http_transport.send(h, &r, &resp));
	srv_stop(&s);
	T_ASSERT_INT(resp.status, 201);
	T_ASSERT_INT(resp.failure, AWS_HTTP_OK);
	T_ASSERT_STR(base_buf_cstr(&resp.body), "{\"ok\":true}");
	T_ASSERT_STR(aws_http_response_header(&resp, "X-AMZN-REQUESTID"), "abc-123");
	T_ASSERT_STR(aws_http_response_header(&resp, "content-type"), "application/json");
	T_ASSERT(aws_http_response_header(&resp, "nope") == NULL);
	/* what went on the wire */
	T_ASSERT_MSG(strncmp(s.got, "PUT /2015-03-31/functions?x=1 HTTP/1.1\r\n", 40) == 0, "%s", s.got);
	T_ASSERT(strstr(s.got, "\r\nHost: example.test:1\r\n") != NULL);
	T_ASSERT(strstr(s.got, "\r\nContent-Type: application/json\r\n") != NULL);
	T_ASSERT(strstr(s.got, "\r\nContent-Length: 7\r\n") != NULL);
	T_ASSERT(strstr(s.got, "Expect:") == NULL);
	T_ASSERT(strstr(s.got, "Transfer-Encoding") == NULL);
	T_ASSERT(strstr(s.got, "\r\n\r\n{\"a\":1}") != NULL);
	aws_http_response_dispose(&resp);
	aws_http_pool_free(h);
}

void test_aws_http__bodyless_delete_has_no_content_type(void)
{
	struct srv s;
	aws_http_pool *h = NULL;
	aws_http_request r;
	aws_http_response resp;
	char url[64];

	T_ASSERT(srv_start(&s, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"));
	T_OK(aws_http_pool_new(&h));
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", s.port);
	memset(&r, 0, sizeof r);
	r.method = "DELETE";
	r.url = url;
	aws_http_response_init(&resp);
	T_OK(aws_http_transport.send(h, &r, &resp));
	srv_stop(&s);
	T_ASSERT_INT(resp.status, 204);
	T_ASSERT(strncmp(s.got, "DELETE /x HTTP/1.1\r\n", 20) == 0);
	T_ASSERT(strstr(s.got, "Content-Type") == NULL);
	aws_http_response_dispose(&resp);
	aws_http_pool_free(h);
}

void test_aws_http__response_cap(void)
{
	struct srv s;
	aws_http_pool *h = NULL;
	aws_http_request r;
	aws_http_response resp;
	char url[64];

	T_ASSERT(srv_start(&s, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
			       "0123456789012345678901234567890123456789"));
	T_OK(aws_http_pool_new(&h));
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", s.port);
	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.url = url;
	r.max_response = 16;
	aws_http_response_init(&resp);
	T_ASSERT_INT(aws_http_transport.send(h, &r, &resp), BASE_ETOOBIG);
	T_ASSERT_INT(resp.failure, AWS_HTTP_ETOOBIG);
	T_ASSERT_INT(resp.status, 0);
	srv_stop(&s);
	aws_http_response_dispose(&resp);
	aws_http_pool_free(h);
}

void test_aws_http__connect_refused_is_not_sent(void)
{
	aws_http_pool *h = NULL;
	aws_http_request r;
	aws_http_response resp;
	char url[64];
	int port = 0, fd = listen_local(&port);
	T_ASSERT(fd >= 0);
	close(fd); /* nothing listens there now */
	T_OK(aws_http_pool_new(&h));
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	memset(&r, 0, sizeof r);
	r.method = "POST";
	r.url = url;
	r.body = "x";
	r.body_len = 1;
	aws_http_response_init(&resp);
	T_ASSERT_INT(aws_http_transport.send(h, &r, &resp), BASE_EIO);
	T_ASSERT_INT(resp.failure, AWS_HTTP_ECONNECT);
	T_ASSERT(!resp.sent);
	T_ASSERT(resp.errmsg[0] != '\0');
	aws_http_response_dispose(&resp);
	aws_http_pool_free(h);
}

void test_aws_http__timeout_after_sending(void)
{
	struct srv s;
	aws_http_pool *h = NULL;
	aws_http_request r;
	aws_http_response resp;
	char url[64];

	T_ASSERT(srv_start(&s, NULL));
	T_OK(aws_http_pool_new(&h));
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", s.port);
	memset(&r, 0, sizeof r);
	r.method = "POST";
	r.url = url;
	r.body = "Action=CreateSecurityGroup";
	r.body_len = strlen(r.body);
	r.timeout_ms = 300;
	aws_http_response_init(&resp);
	T_ASSERT_INT(aws_http_transport.send(h, &r, &resp), BASE_ETIMEOUT);
	T_ASSERT_INT(resp.failure, AWS_HTTP_ETIMEOUT);
	T_ASSERT(resp.sent);
	aws_http_pool_free(h);
	srv_stop(&s);
	aws_http_response_dispose(&resp);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool cancel_after_100ms(void *ctx)
{
	return mono_ms() - *(uint64_t *)ctx >= 100;
}

void test_aws_http__cancel_in_flight(void)
{
	struct srv s;
	aws_http_pool *h = NULL;
	aws_http_request r;
	aws_http_response resp;
	char url[64];
	uint64_t t0;

	T_ASSERT(srv_start(&s, NULL));
	T_OK(aws_http_pool_new(&h));
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", s.port);
	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.url = url;
	t0 = mono_ms();
	r.is_cancelled = cancel_after_100ms;
	r.cancel_ctx = &t0;
	aws_http_response_init(&resp);
	T_ASSERT_INT(aws_http_transport.send(h, &r, &resp), BASE_ECANCELLED);
	T_ASSERT_INT(resp.failure, AWS_HTTP_ECANCELLED);
	T_ASSERT_MSG(mono_ms() - t0 < 1000, "cancel took %llu ms", (unsigned long long)(mono_ms() - t0));
	aws_http_pool_free(h);
	srv_stop(&s);
	aws_http_response_dispose(&resp);
}

void test_aws_http__response_header_helpers(void)
{
	aws_http_response r;
	aws_http_response_init(&r);
	T_OK(aws_http_response_add_header(&r, "X-Amzn-ErrorType", 16, "ThrottlingException", 19));
	T_OK(aws_http_response_add_header(&r, "Retry-After", 11, "2", 1));
	T_ASSERT_STR(aws_http_response_header(&r, "x-amzn-errortype"), "ThrottlingException");
	T_ASSERT_STR(aws_http_response_header(&r, "retry-after"), "2");
	aws_http_response_reset(&r);
	T_ASSERT(aws_http_response_header(&r, "retry-after") == NULL);
	aws_http_response_dispose(&r);
}

/* Two requests on one keep-alive connection: the server accepts only once,
 * so the second call succeeds only if the pooled connection is reused. */
struct ka_srv {
	int lfd, port;
	volatile int served;
	pthread_t th;
};

static bool read_request(int c)
{
	char buf[4096];
	size_t len = 0;
	while (len < sizeof buf - 1) {
		ssize_t n = read(c, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return true;
	}
	return false;
}

static void *ka_main(void *arg)
{
	struct ka_srv *s = arg;
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok";
	int c = accept(s->lfd, NULL, NULL);
	if (c < 0)
		return NULL;
	while (s->served < 2 && read_request(c)) {
		s->served++;
		if (write(c, reply, sizeof reply - 1) < 0)
			break;
	}
	close(c);
	return NULL;
}

void test_aws_http__connection_reuse(void)
{
	struct ka_srv s;
	aws_http_pool *h = NULL;
	aws_http_request r;
	aws_http_response resp;
	char url[64];

	memset(&s, 0, sizeof s);
	s.lfd = listen_local(&s.port);
	T_ASSERT(s.lfd >= 0);
	T_ASSERT(pthread_create(&s.th, NULL, ka_main, &s) == 0);
	T_OK(aws_http_pool_new(&h));
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", s.port);
	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.url = url;
	r.timeout_ms = 3000;
	aws_http_response_init(&resp);
	T_OK(aws_http_transport.send(h, &r, &resp));
	T_OK(aws_http_transport.send(h, &r, &resp));
	T_ASSERT_STR(base_buf_cstr(&resp.body), "ok");
	T_ASSERT_INT(s.served, 2);
	aws_http_pool_free(h);
	shutdown(s.lfd, SHUT_RDWR);
	close(s.lfd);
	pthread_join(s.th, NULL);
	aws_http_response_dispose(&resp);
}

/* HTTPS: a self-signed server is refused with the system CAs and accepted
 * with its certificate as ca_bundle (what AWS_CA_BUNDLE sets). Uses the
 * openssl command line tool; SKIP when it is missing. */
void test_aws_http__tls_ca_bundle(void)
{
	char dir[] = "/tmp/aws_http_tls.XXXXXX", cmd[1024], cert[128], key[128], url[64], port_s[16];
	aws_http_pool *h = NULL;
	aws_http_request r;
	aws_http_response resp;
	pid_t pid;
	int port = 0, fd, i, rc = -1;

	if (system("command -v openssl >/dev/null 2>&1") != 0 || !mkdtemp(dir)) {
		printf("SKIP test_aws_http__tls_ca_bundle: no openssl tool\n");
		return;
	}
	snprintf(cert, sizeof cert, "%s/cert.pem", dir);
	snprintf(key, sizeof key, "%s/key.pem", dir);
	snprintf(cmd, sizeof cmd,
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 1 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1", key, cert);
	T_ASSERT(system(cmd) == 0);
	fd = listen_local(&port);
	T_ASSERT(fd >= 0);
	close(fd);
	snprintf(port_s, sizeof port_s, "127.0.0.1:%d", port);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execlp("openssl", "openssl", "s_server", "-accept", port_s, "-cert", cert, "-key", key, "-www",
		       "-quiet", (char *)NULL);
		_exit(127);
	}
	T_ASSERT(pid > 0);
	for (i = 0; i < 100; i++) { /* wait until it listens */
		struct sockaddr_in a;
		int s = socket(AF_INET, SOCK_STREAM, 0);
		memset(&a, 0, sizeof a);
		a.sin_family = AF_INET;
		a.sin_port = htons((uint16_t)port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		rc = connect(s, (struct sockaddr *)&a, sizeof a);
		close(s);
		if (rc == 0)
			break;
		usleep(50000);
	}
	T_OK(aws_http_pool_new(&h));
	snprintf(url, sizeof url, "https://127.0.0.1:%d/", port);
	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.url = url;
	r.timeout_ms = 5000;
	r.ca_bundle = NULL;
	aws_http_response_init(&resp);
	rc = aws_http_transport.send(h, &r, &resp);
	T_ASSERT_INT(rc, BASE_EIO);
	T_ASSERT_INT(resp.failure, AWS_HTTP_ETLS);
	r.ca_bundle = cert;
	rc = aws_http_transport.send(h, &r, &resp);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(cert);
	unlink(key);
	rmdir(dir);
	T_ASSERT_MSG(rc == BASE_OK, "%s", resp.errmsg);
	T_ASSERT_INT(resp.status, 200);
	aws_http_pool_free(h);
	aws_http_response_dispose(&resp);
}
