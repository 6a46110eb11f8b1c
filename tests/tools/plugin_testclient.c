/*
 * plugin_testclient.c - a gRPC C core client that plays Terraform's part
 * against build/tools/plugin_testserver (driven by tests/plugin/run.sh).
 *
 *   plugin_testclient HANDSHAKE_LINE CLIENT_CERT_PEM|- CLIENT_KEY_PEM|- MODE
 *
 * HANDSHAKE_LINE is the server's stdout line; "-" for cert/key means a
 * plaintext channel. MODE is one of:
 *   concurrent     3 x Slow (3 s each) + 10 x Fast at once: every Fast must end
 *                  within 1 s while the Slows are in flight, and the Slows must
 *                  overlap (all done in < 5 s, not 9 s)
 *   unimplemented  unknown unary method, Health/Watch, StreamStdio and an open
 *                  StartStream that never sends: all UNIMPLEMENTED within 1 s
 *   health         Health/Check "" and "plugin" SERVING, "nope" NOT_FOUND
 *   echo           a 5 MiB request echoed back (server receive limit raised)
 *   pool           40 x Slow at once: all OK; the server runs at most 32 at a
 *                  time, so at least 8 end only after a first Slow finished
 *                  (>= 5.9 s), all within 15 s
 *   oversize       a 17 MiB request: RESOURCE_EXHAUSTED (receive limit
 *                  16 MiB), then a Fast call on the same channel still OK
 *   shutdown       a Slow call in flight, then GRPCController/Shutdown: OK with
 *                  an empty message within 1 s
 * Prints what it saw on stdout; exit status 0 = pass, 1 = fail, 2 = usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>

#include "base/base_alloc.h"
#include "base/base_buf.h"
#include "base/base_str.h"

struct acall {
	const char *name;
	grpc_call *call;
	grpc_metadata_array init_md, trail_md;
	grpc_byte_buffer *send, *recv;
	grpc_status_code status;
	grpc_slice details;
	double t_done;
	bool done;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double t0;

/* Starts a call. send_msg: send payload; half_close: client half-close. */
static void start(grpc_channel *ch, grpc_completion_queue *cq, struct acall *c, const char *method,
                  const void *payload, size_t len, bool send_msg, bool half_close)
{
	grpc_slice m = grpc_slice_from_static_string(method);
	grpc_op ops[6];
	size_t n = 0;
	memset(c, 0, sizeof *c);
	c->name = method;
	c->call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, m, NULL,
	                                   gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
	grpc_metadata_array_init(&c->init_md);
	grpc_metadata_array_init(&c->trail_md);
	memset(ops, 0, sizeof ops);
	ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
	if (send_msg) {
		grpc_slice s = grpc_slice_from_copied_buffer(payload, len);
		c->send = grpc_raw_byte_buffer_create(&s, 1);
		grpc_slice_unref(s);
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n++].data.send_message.send_message = c->send;
	}
	if (half_close)
		ops[n++].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[n++].data.recv_initial_metadata.recv_initial_metadata = &c->init_md;
	ops[n].op = GRPC_OP_RECV_MESSAGE;
	ops[n++].data.recv_message.recv_message = &c->recv;
	ops[n].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[n].data.recv_status_on_client.trailing_metadata = &c->trail_md;
	ops[n].data.recv_status_on_client.status = &c->status;
	ops[n++].data.recv_status_on_client.status_details = &c->details;
	if (grpc_call_start_batch(c->call, ops, n, c, NULL) != GRPC_CALL_OK) {
		fprintf(stdout, "start_batch failed for %s\n", method);
		exit(1);
	}
}

/* Waits until every call in cs[0..n) is done or `timeout` seconds pass.
 * Returns the number of calls still open. */
static int wait_calls(grpc_completion_queue *cq, struct acall *cs, int n, double timeout)
{
	double end = now_s() + timeout;
	for (;;) {
		int open = 0;
		for (int i = 0; i < n; i++)
			open += !cs[i].done;
		if (open == 0)
			return 0;
		double left = end - now_s();
		if (left <= 0)
			return open;
		grpc_event ev = grpc_completion_queue_next(
		        cq,
		        gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
		                     gpr_time_from_millis((int64_t)(left * 1000) + 1, GPR_TIMESPAN)),
		        NULL);
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		struct acall *c = ev.tag;
		c->done = true;
		c->t_done = now_s() - t0;
	}
}

static size_t reply(const struct acall *c, base_buf *out)
{
	if (c->recv == NULL)
		return 0;
	grpc_byte_buffer_reader r;
	grpc_byte_buffer_reader_init(&r, c->recv);
	grpc_slice s = grpc_byte_buffer_reader_readall(&r);
	grpc_byte_buffer_reader_destroy(&r);
	if (base_buf_append(out, GRPC_SLICE_START_PTR(s), GRPC_SLICE_LENGTH(s)) != BASE_OK)
		exit(1);
	grpc_slice_unref(s);
	return out->len;
}

static void release(struct acall *c)
{
	if (c->call == NULL)
		return;
	grpc_call_unref(c->call);
	grpc_metadata_array_destroy(&c->init_md);
	grpc_metadata_array_destroy(&c->trail_md);
	if (c->send)
		grpc_byte_buffer_destroy(c->send);
	if (c->recv)
		grpc_byte_buffer_destroy(c->recv);
	grpc_slice_unref(c->details);
	c->call = NULL;
}

static void say(const struct acall *c)
{
	printf("  %-34s status %d at %.3f s%s\n", c->name, (int)c->status, c->t_done,
	       c->done ? "" : " (still open)");
}

/* ---- modes ---- */

static int mode_concurrent(grpc_channel *ch, grpc_completion_queue *cq)
{
	struct acall cs[13];
	int fail = 0;
	t0 = now_s();
	for (int i = 0; i < 3; i++)
		start(ch, cq, &cs[i], "/test.Svc/Slow", "", 0, true, true);
	for (int i = 3; i < 13; i++)
		start(ch, cq, &cs[i], "/test.Svc/Fast", "", 0, true, true);
	/* phase 1: every Fast done within 1 s, no Slow done yet */
	(void)wait_calls(cq, cs + 3, 10, 1.0);
	for (int i = 3; i < 13; i++) {
		base_buf b;
		base_buf_init(&b, 0);
		reply(&cs[i], &b);
		if (!cs[i].done || cs[i].status != GRPC_STATUS_OK ||
		    !base_str_eq(base_buf_cstr(&b), "fast")) {
			printf("FAIL fast call %d: done=%d status=%d reply=%s\n", i, cs[i].done,
			       (int)cs[i].status, base_buf_cstr(&b));
			fail = 1;
		}
		base_buf_dispose(&b);
	}
	double fast_max = 0;
	for (int i = 3; i < 13; i++)
		if (cs[i].t_done > fast_max)
			fast_max = cs[i].t_done;
	int slow_done_early = 0;
	for (int i = 0; i < 3; i++)
		slow_done_early += cs[i].done;
	printf("  10 Fast calls done by %.3f s while %d of 3 Slow calls were still in flight\n", fast_max,
	       3 - slow_done_early);
	if (slow_done_early)
		fail = 1;
	/* phase 2: the Slows overlap */
	int open = wait_calls(cq, cs, 3, 6.0);
	for (int i = 0; i < 3; i++) {
		say(&cs[i]);
		if (!cs[i].done || cs[i].status != GRPC_STATUS_OK || cs[i].t_done > 5.0 || cs[i].t_done < 2.9)
			fail = 1;
	}
	if (open)
		fail = 1;
	for (int i = 0; i < 13; i++)
		release(&cs[i]);
	return fail;
}

static int mode_unimplemented(grpc_channel *ch, grpc_completion_queue *cq)
{
	struct acall cs[4];
	int fail = 0;
	t0 = now_s();
	start(ch, cq, &cs[0], "/test.Svc/Nope", "", 0, true, true);
	start(ch, cq, &cs[1], "/grpc.health.v1.Health/Watch", "", 0, true, true);
	/* server stream: request sent and half-closed, like go-plugin */
	start(ch, cq, &cs[2], "/plugin.GRPCStdio/StreamStdio", "", 0, true, true);
	/* bidi stream: opened, nothing sent, never half-closed, like Terraform */
	start(ch, cq, &cs[3], "/plugin.GRPCBroker/StartStream", NULL, 0, false, false);
	(void)wait_calls(cq, cs, 4, 1.0);
	for (int i = 0; i < 4; i++) {
		say(&cs[i]);
		if (!cs[i].done || cs[i].status != GRPC_STATUS_UNIMPLEMENTED)
			fail = 1;
	}
	for (int i = 0; i < 4; i++) {
		if (!cs[i].done)
			grpc_call_cancel(cs[i].call, NULL);
	}
	(void)wait_calls(cq, cs, 4, 2.0);
	for (int i = 0; i < 4; i++)
		release(&cs[i]);
	return fail;
}

static int mode_health(grpc_channel *ch, grpc_completion_queue *cq)
{
	struct acall cs[3];
	int fail = 0;
	/* HealthCheckRequest{service} = field 1, length-delimited */
	static const uint8_t req_plugin[] = {0x0a, 6, 'p', 'l', 'u', 'g', 'i', 'n'};
	static const uint8_t req_nope[] = {0x0a, 4, 'n', 'o', 'p', 'e'};
	static const uint8_t serving[] = {0x08, 0x01};
	t0 = now_s();
	start(ch, cq, &cs[0], "/grpc.health.v1.Health/Check", "", 0, true, true);
	start(ch, cq, &cs[1], "/grpc.health.v1.Health/Check", req_plugin, sizeof req_plugin, true, true);
	start(ch, cq, &cs[2], "/grpc.health.v1.Health/Check", req_nope, sizeof req_nope, true, true);
	(void)wait_calls(cq, cs, 3, 2.0);
	for (int i = 0; i < 3; i++) {
		base_buf b;
		base_buf_init(&b, 0);
		size_t n = reply(&cs[i], &b);
		say(&cs[i]);
		if (i < 2 && (!cs[i].done || cs[i].status != GRPC_STATUS_OK || n != 2 ||
		              memcmp(b.data, serving, 2) != 0))
			fail = 1;
		if (i == 2 && (!cs[i].done || cs[i].status != GRPC_STATUS_NOT_FOUND))
			fail = 1;
		base_buf_dispose(&b);
	}
	for (int i = 0; i < 3; i++)
		release(&cs[i]);
	return fail;
}

static int mode_echo(grpc_channel *ch, grpc_completion_queue *cq)
{
	struct acall c;
	int fail = 0;
	size_t len = 5u << 20;
	uint8_t *big = base_xmalloc(len);
	for (size_t i = 0; i < len; i++)
		big[i] = (uint8_t)(i * 7 + 3);
	t0 = now_s();
	start(ch, cq, &c, "/test.Svc/Echo", big, len, true, true);
	(void)wait_calls(cq, &c, 1, 10.0);
	base_buf b;
	base_buf_init(&b, 0);
	size_t n = reply(&c, &b);
	say(&c);
	printf("  sent %zu bytes, got %zu bytes back\n", len, n);
	if (!c.done || c.status != GRPC_STATUS_OK || n != len || memcmp(b.data, big, len) != 0)
		fail = 1;
	base_buf_dispose(&b);
	base_free(big);
	release(&c);
	return fail;
}

static int mode_pool(grpc_channel *ch, grpc_completion_queue *cq)
{
	enum { N = 40 };
	struct acall cs[N];
	int fail = 0, late = 0;
	t0 = now_s();
	for (int i = 0; i < N; i++)
		start(ch, cq, &cs[i], "/test.Svc/Slow", "", 0, true, true);
	int open = wait_calls(cq, cs, N, 15.0);
	for (int i = 0; i < N; i++) {
		if (!cs[i].done || cs[i].status != GRPC_STATUS_OK) {
			say(&cs[i]);
			fail = 1;
		}
		late += cs[i].done && cs[i].t_done >= 5.9;
	}
	printf("  %d of %d Slow calls ended after waiting for a worker (>= 5.9 s), %d still open\n", late, N,
	       open);
	if (late < N - 32 || open)
		fail = 1;
	for (int i = 0; i < N; i++)
		release(&cs[i]);
	return fail;
}

static int mode_oversize(grpc_channel *ch, grpc_completion_queue *cq)
{
	struct acall c[2];
	int fail = 0;
	size_t len = 17u << 20;
	uint8_t *big = base_xcalloc(1, len);
	t0 = now_s();
	start(ch, cq, &c[0], "/test.Svc/Echo", big, len, true, true);
	(void)wait_calls(cq, c, 1, 10.0);
	say(&c[0]);
	if (!c[0].done || c[0].status != GRPC_STATUS_RESOURCE_EXHAUSTED)
		fail = 1;
	start(ch, cq, &c[1], "/test.Svc/Fast", "", 0, true, true);
	(void)wait_calls(cq, c + 1, 1, 5.0);
	say(&c[1]);
	if (!c[1].done || c[1].status != GRPC_STATUS_OK)
		fail = 1;
	base_free(big);
	release(&c[0]);
	release(&c[1]);
	return fail;
}

static int mode_shutdown(grpc_channel *ch, grpc_completion_queue *cq)
{
	struct acall cs[2];
	int fail = 0;
	t0 = now_s();
	start(ch, cq, &cs[0], "/test.Svc/Slow", "", 0, true, true);
	/* let the Slow call reach its handler */
	struct timespec ts = {0, 200 * 1000000L};
	nanosleep(&ts, NULL);
	start(ch, cq, &cs[1], "/plugin.GRPCController/Shutdown", "", 0, true, true);
	(void)wait_calls(cq, cs + 1, 1, 1.0);
	base_buf b;
	base_buf_init(&b, 0);
	size_t n = reply(&cs[1], &b);
	say(&cs[1]);
	if (!cs[1].done || cs[1].status != GRPC_STATUS_OK || n != 0 || cs[1].recv == NULL)
		fail = 1;
	base_buf_dispose(&b);
	/* the in-flight Slow call ends (cancelled / unavailable) with the process */
	(void)wait_calls(cq, cs, 1, 2.0);
	say(&cs[0]);
	if (!cs[0].done || cs[0].status == GRPC_STATUS_OK || cs[0].t_done > 2.0)
		fail = 1;
	for (int i = 0; i < 2; i++)
		release(&cs[i]);
	return fail;
}

/* ---- set-up ---- */

/* Whole file as a heap string (base_free), NULL if unreadable. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	base_buf b;
	char chunk[4096];
	size_t n;
	if (f == NULL)
		return NULL;
	base_buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (base_buf_append(&b, chunk, n) != BASE_OK)
			exit(1);
	fclose(f);
	return base_buf_detach(&b, NULL);
}

/* Splits the handshake line into addr and the base64 cert (may be empty). */
static int parse_handshake(const char *line, char *addr, size_t addr_sz, base_buf *cert_b64)
{
	char *copy = base_xstrdup(line);
	char *f[8] = {0};
	int n = 0;
	size_t l = strlen(copy);
	while (l > 0 && (copy[l - 1] == '\n' || copy[l - 1] == '\r'))
		copy[--l] = '\0';
	/* strtok_r would merge empty fields; split by hand */
	char *p = copy;
	while (n < 8) {
		f[n++] = p;
		char *bar = strchr(p, '|');
		if (bar == NULL)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	int rc = 1;
	if (n == 6 && strcmp(f[0], "1") == 0 && strcmp(f[1], "6") == 0 && strcmp(f[2], "tcp") == 0 &&
	    strcmp(f[4], "grpc") == 0 && strlen(f[3]) < addr_sz) {
		memcpy(addr, f[3], strlen(f[3]) + 1);
		if (base_buf_puts(cert_b64, f[5]) == BASE_OK)
			rc = 0;
	}
	base_free(copy);
	return rc;
}

static char *der_b64_to_pem(const char *b64)
{
	base_buf der, pem, b;
	base_buf_init(&der, 0);
	base_buf_init(&pem, 0);
	base_buf_init(&b, 0);
	if (base_str_base64_decode(&der, b64, strlen(b64)) != BASE_OK ||
	    base_str_base64_encode(&b, der.data, der.len, true) != BASE_OK ||
	    base_buf_puts(&pem, "-----BEGIN CERTIFICATE-----\n") != BASE_OK)
		exit(1);
	for (size_t i = 0; i < b.len; i += 64) {
		size_t k = b.len - i < 64 ? b.len - i : 64;
		if (base_buf_append(&pem, b.data + i, k) != BASE_OK || base_buf_putc(&pem, '\n') != BASE_OK)
			exit(1);
	}
	if (base_buf_puts(&pem, "-----END CERTIFICATE-----\n") != BASE_OK)
		exit(1);
	base_buf_dispose(&der);
	base_buf_dispose(&b);
	return base_buf_detach(&pem, NULL);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s HANDSHAKE_LINE CERT|- KEY|- MODE\n", argv[0]);
		return 2;
	}
	char addr[64];
	base_buf b64;
	base_buf_init(&b64, 0);
	if (parse_handshake(argv[1], addr, sizeof addr, &b64) != 0) {
		printf("bad handshake line: %s\n", argv[1]);
		return 1;
	}
	grpc_init();
	grpc_channel_credentials *creds;
	char *root = NULL, *cert = NULL, *key = NULL;
	if (strcmp(argv[2], "-") == 0) {
		creds = grpc_insecure_credentials_create();
	} else {
		if (b64.len == 0) {
			printf("server sent no certificate\n");
			return 1;
		}
		root = der_b64_to_pem(base_buf_cstr(&b64));
		cert = read_file(argv[2]);
		key = read_file(argv[3]);
		if (cert == NULL || key == NULL) {
			printf("cannot read %s / %s\n", argv[2], argv[3]);
			return 2;
		}
		grpc_ssl_pem_key_cert_pair pair = {key, cert};
		creds = grpc_ssl_credentials_create(root, &pair, NULL, NULL);
	}
	/* go-plugin dials with ServerName "localhost": check the SAN the same way */
	grpc_arg args[] = {
	        {GRPC_ARG_STRING, GRPC_SSL_TARGET_NAME_OVERRIDE_ARG, {.string = "localhost"}},
	        {GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, {.integer = -1}},
	};
	grpc_channel_args chargs = {2, args};
	grpc_channel *ch = grpc_channel_create(addr, creds, &chargs);
	grpc_channel_credentials_release(creds);
	grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);

	const char *mode = argv[4];
	int fail;
	if (strcmp(mode, "concurrent") == 0)
		fail = mode_concurrent(ch, cq);
	else if (strcmp(mode, "unimplemented") == 0)
		fail = mode_unimplemented(ch, cq);
	else if (strcmp(mode, "health") == 0)
		fail = mode_health(ch, cq);
	else if (strcmp(mode, "echo") == 0)
		fail = mode_echo(ch, cq);
	else if (strcmp(mode, "shutdown") == 0)
		fail = mode_shutdown(ch, cq);
	else if (strcmp(mode, "pool") == 0)
		fail = mode_pool(ch, cq);
	else if (strcmp(mode, "oversize") == 0)
		fail = mode_oversize(ch, cq);
	else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	printf("%s %s\n", mode, fail ? "FAILED" : "passed");
	/* The process ends here; channel/queue teardown is not what we test and
	 * can block on a dead server, so skip it. */
	fflush(stdout);
	base_free(root);
	base_free(cert);
	base_free(key);
	base_buf_dispose(&b64);
	_Exit(fail);
}
