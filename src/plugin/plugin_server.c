/*
 * plugin_server.c - the gRPC C core server behind the go-plugin protocol.
 *
 * Threading model
 *   The main thread (inside plugin_serve) owns one "next" completion queue
 *   that only carries new-call notifications and the server-shutdown tag.
 *   PLUGIN_SLOTS requests for new calls are kept outstanding; each one is
 *   bound to its own "pluck" completion queue. When a call arrives, the main
 *   thread hands the slot to a worker and requests the next call. The worker
 *   runs the whole call (read request, handler, send reply) on the slot's
 *   private queue: a slow handler only occupies its own worker.
 *   Workers are detached threads started on demand, at most
 *   PLUGIN_MAX_WORKERS at once; a call arriving while all are busy waits in
 *   a FIFO queue and is taken by the next worker that finishes (the main
 *   thread never blocks on it). A peer therefore cannot make us start
 *   threads without bound, and gRPC caps the streams it may open
 *   (PLUGIN_MAX_STREAMS) and the size of each request
 *   (PLUGIN_MAX_RECV_BYTES).
 *
 * Unregistered methods (Terraform opens /plugin.GRPCStdio/StreamStdio and
 * /plugin.GRPCBroker/StartStream and never writes to them) are answered with
 * UNIMPLEMENTED without receiving a message: waiting for a message there
 * would hold the call open and, with it, the whole Shutdown sequence.
 */
#include "plugin/plugin_server.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>
#include <linux/close_range.h>

#include "base/base_alloc.h"
#include "base/base_log.h"
#include "base/base_pages.h"
#include "plugin/plugin_handshake.h"
#include "plugin/plugin_int.h"
#include "plugin/plugin_tls.h"

/* Call requests kept outstanding, so a burst of calls does not queue
 * behind the main thread re-arming one request at a time. */
#define PLUGIN_SLOTS 8

/* Calls running at once. Terraform runs 10 operations in parallel by
 * default (-parallelism), plus a few control calls: 32 leaves room for
 * both. */
#define PLUGIN_MAX_WORKERS 32
/* HTTP/2 streams one connection may keep open (calls running + queued). */
#define PLUGIN_MAX_STREAMS 256
/* Largest request message accepted. Terraform sends a whole config or state
 * in one message; for this provider's resource that is kilobytes. */
#define PLUGIN_MAX_RECV_BYTES (16 << 20)

/* Grace for sending a reply (its batch also waits for the client's
 * half-close). Only bounds a misbehaving client; normal calls take µs. */
#define PLUGIN_REPLY_TIMEOUT_MS 10000

enum method_kind { METHOD_UNARY, METHOD_SHUTDOWN };

struct method {
	char *path;
	size_t path_len;
	plugin_unary_fn fn;
	void *ctx;
	enum method_kind kind;
};

struct plugin_server {
	struct method *methods;
	size_t n_methods, cap_methods;
	void (*on_shutdown)(void *ctx);
	void *on_shutdown_ctx;
	grpc_server *server;
	grpc_completion_queue *cq; /* new-call notifications + shutdown tag */
	atomic_bool shutting_down;
	int shutdown_tag; /* its address is the server-shutdown tag */

	/* the worker pool: running threads and the calls waiting for one */
	pthread_mutex_t pool_mu;
	int workers;
	struct slot *queue_head, *queue_tail;

	/* start-up work done by prepare(), possibly on prep_thread */
	bool prep_started, prep_joined;
	pthread_t prep_thread;
	int prep_rc;
	int port;
	plugin_tls_cert *cert; /* NULL for plaintext */
};

static void *prepare_main(void *arg);
static int join_prepare(plugin_server *s);
struct slot;
static void slot_free(struct slot *sl);

/* One outstanding / running call. */
struct slot {
	plugin_server *s;
	grpc_completion_queue *cq; /* pluck queue bound to the call */
	grpc_call *call;
	grpc_call_details details;
	grpc_metadata_array md;
	int64_t start_ns;
	struct slot *next; /* in the server's wait queue */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static gpr_timespec deadline_ms(int ms)
{
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

/* ---------------------------------------------------------------------
 * registration
 * ------------------------------------------------------------------- */

static const struct method *find_method(const plugin_server *s, const char *p, size_t n)
{
	for (size_t i = 0; i < s->n_methods; i++)
		if (s->methods[i].path_len == n && memcmp(s->methods[i].path, p, n) == 0)
			return &s->methods[i];
	return NULL;
}

static int add_method(plugin_server *s, const char *path, plugin_unary_fn fn, void *ctx,
                      enum method_kind kind)
{
	if (path == NULL || path[0] != '/' || fn == NULL)
		return BASE_EINVALID;
	if (find_method(s, path, strlen(path)) != NULL)
		return BASE_ECONFLICT;
	if (s->n_methods == s->cap_methods) {
		s->cap_methods = s->cap_methods ? s->cap_methods * 2 : 16;
		s->methods = base_xrealloc(s->methods, s->cap_methods * sizeof *s->methods);
	}
	struct method *m = &s->methods[s->n_methods++];
	m->path = base_xstrdup(path);
	m->path_len = strlen(path);
	m->fn = fn;
	m->ctx = ctx;
	m->kind = kind;
	return BASE_OK;
}

/* gRPC's own log lines (e.g. "Handshake failed ..." when something that is
 * not Terraform connects) would reach Terraform as plain text; send them
 * through base_log as hclog JSON instead. gRPC filters by GRPC_VERBOSITY
 * (default ERROR) before calling this. Its errors are about peers, not about
 * us, so they are logged one level lower. */
static void grpc_log_to_base(gpr_log_func_args *a)
{
	base_log_level lvl = a->severity == GPR_LOG_SEVERITY_ERROR  ? BASE_LOG_WARN
	                     : a->severity == GPR_LOG_SEVERITY_INFO ? BASE_LOG_DEBUG
	                                                            : BASE_LOG_TRACE;
	if (!base_log_enabled(lvl))
		return;
	const char *file = a->file ? strrchr(a->file, '/') : NULL;
	file = file ? file + 1 : (a->file ? a->file : "?");
	base_log(lvl, "plugin", "grpc: %s (%s:%d)", a->message ? a->message : "", file, a->line);
}

/* ---------------------------------------------------------------------
 * the early certificate
 *
 * Generating the TLS key and certificate is OpenSSL's first use in the
 * process (provider load, EC tables, DRBG seeding: ~5 ms) and needs nothing
 * from gRPC, so plugin_global_init starts it on its own thread before
 * grpc_init and the two overlap (exec -> handshake time). The first
 * prepare() takes the result; a later one (tests) generates its own.
 * early_mu guards `early`; the thread writes only early.cert and early.rc,
 * which are read after it is joined.
 * ------------------------------------------------------------------- */

static pthread_mutex_t early_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool started, taken;
	pthread_t thread;
	plugin_tls_cert *cert;
	int rc;
} early;

static void *early_cert_main(void *arg)
{
	(void)arg;
	early.rc = plugin_tls_cert_new(&early.cert);
	return NULL;
}

static void start_early_cert(void)
{
	const char *client_pem = getenv("PLUGIN_CLIENT_CERT");
	if (!plugin_handshake_cookie_ok(getenv(PLUGIN_MAGIC_COOKIE_KEY)) || client_pem == NULL ||
	    client_pem[0] == '\0')
		return;
	pthread_mutex_lock(&early_mu);
	if (!early.started && pthread_create(&early.thread, NULL, early_cert_main, NULL) == 0)
		early.started = true;
	pthread_mutex_unlock(&early_mu);
}

/* The server certificate: the early one while it is untaken (waits for its
 * thread), else a fresh one. Errors: BASE_ERR (logged by plugin_tls). */
static int take_cert(plugin_tls_cert **out)
{
	bool took = false;
	int rc = BASE_ERR;
	pthread_mutex_lock(&early_mu);
	if (early.started && !early.taken) {
		(void)pthread_join(early.thread, NULL);
		early.taken = took = true;
		*out = early.cert;
		early.cert = NULL;
		rc = early.rc;
	}
	pthread_mutex_unlock(&early_mu);
	return took ? rc : plugin_tls_cert_new(out);
}

void plugin_global_init(void)
{
	start_early_cert();
	gpr_set_log_function(grpc_log_to_base);
	grpc_init();
}

int plugin_server_new(plugin_server **out)
{
	int rc;
	plugin_server *s = base_xcalloc(1, sizeof *s);
	*out = NULL;
	atomic_init(&s->shutting_down, false);
	pthread_mutex_init(&s->pool_mu, NULL);
	rc = add_method(s, PLUGIN__PATH_SHUTDOWN, plugin__controller_shutdown, s, METHOD_SHUTDOWN);
	if (rc != BASE_OK)
		goto done;
	rc = add_method(s, PLUGIN__PATH_HEALTH_CHECK, plugin__health_check, s, METHOD_UNARY);
	if (rc != BASE_OK)
		goto done;
	/* When Terraform launched us, start the expensive part of start-up
	 * (OpenSSL key + certificate, TLS context, listener) now, so it overlaps
	 * whatever main does before plugin_serve. If no thread can be made,
	 * plugin_serve simply does the work itself. */
	if (plugin_handshake_cookie_ok(getenv(PLUGIN_MAGIC_COOKIE_KEY)) &&
	    pthread_create(&s->prep_thread, NULL, prepare_main, s) == 0)
		s->prep_started = true;
	*out = s;
	s = NULL;
done:
	plugin_server_free(s);
	return rc;
}

void plugin_server_free(plugin_server *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_methods; i++)
		base_free(s->methods[i].path);
	base_free(s->methods);
	(void)join_prepare(s);
	if (s->server != NULL) {
		/* prepared but never served (tests): a server with listeners must
		 * be shut down before it is destroyed */
		grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
		grpc_server_cancel_all_calls(s->server);
		for (;;) {
			grpc_event ev =
			        grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
			if (ev.type != GRPC_OP_COMPLETE || ev.tag == &s->shutdown_tag)
				break;
			slot_free(ev.tag); /* a call request that shutdown failed */
		}
		grpc_server_destroy(s->server);
	}
	if (s->cq != NULL) {
		grpc_completion_queue_shutdown(s->cq);
		grpc_completion_queue_destroy(s->cq);
	}
	pthread_mutex_destroy(&s->pool_mu);
	plugin_tls_cert_free(s->cert);
	base_free(s);
}

int plugin_server_register(plugin_server *s, const char *path, plugin_unary_fn fn, void *ctx)
{
	return add_method(s, path, fn, ctx, METHOD_UNARY);
}

void plugin_server_on_shutdown(plugin_server *s, void (*fn)(void *ctx), void *ctx)
{
	s->on_shutdown = fn;
	s->on_shutdown_ctx = ctx;
}

/* ---------------------------------------------------------------------
 * shutdown
 * ------------------------------------------------------------------- */

void plugin__server_run_shutdown_hook(plugin_server *s)
{
	if (s->on_shutdown != NULL)
		s->on_shutdown(s->on_shutdown_ctx);
}

void plugin__server_begin_shutdown(plugin_server *s)
{
	if (atomic_exchange(&s->shutting_down, true))
		return;
	grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
	grpc_server_cancel_all_calls(s->server);
}

/*
 * Why _exit and not return/exit(): when Shutdown arrives, other worker
 * threads may still be inside handlers (an AWS request, a sleep) holding
 * their grpc_call. grpc_server_destroy / grpc_shutdown would block until
 * they finish (or trip assertions), and exit() would run atexit handlers and
 * library destructors while those threads still use the libraries. The
 * process has nothing left to persist (Terraform holds all state), stdout
 * carries nothing after the handshake, and base_log writes stderr with one
 * write(2) per line, so flushing stdio and calling _exit(0) is both safe and
 * immediate.
 */
void plugin__server_exit_now(void)
{
	fflush(stderr);
	_exit(0);
}

/* ---------------------------------------------------------------------
 * per-call work (worker threads)
 * ------------------------------------------------------------------- */

/* Runs one batch on the slot's private queue and waits for it.
 * Returns the batch's success flag (false also on timeout). */
static bool run_batch(struct slot *sl, const grpc_op *ops, size_t n, int timeout_ms)
{
	void *tag = sl; /* one batch in flight per slot, so the slot is the tag */
	grpc_call_error ce = grpc_call_start_batch(sl->call, ops, n, tag, NULL);
	if (ce != GRPC_CALL_OK) {
		BASE_DEBUG("plugin", "grpc_call_start_batch: error %d", (int)ce);
		return false;
	}
	gpr_timespec dl = timeout_ms < 0 ? gpr_inf_future(GPR_CLOCK_MONOTONIC) : deadline_ms(timeout_ms);
	grpc_event ev = grpc_completion_queue_pluck(sl->cq, tag, dl, NULL);
	if (ev.type == GRPC_QUEUE_TIMEOUT) {
		/* Cancel so the batch completes, then collect it: the queue must be
		 * drained before it is destroyed. */
		grpc_call_cancel(sl->call, NULL);
		ev = grpc_completion_queue_pluck(sl->cq, tag, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
		return false;
	}
	return ev.type == GRPC_OP_COMPLETE && ev.success;
}

/* Sends the reply (message only when status is OK and msg != NULL) and the
 * status, and collects the close. Takes ownership of msg. */
static bool send_reply(struct slot *sl, grpc_byte_buffer *msg, int status, const char *details)
{
	grpc_op ops[4];
	int cancelled = 0;
	size_t n = 0;
	grpc_slice det = grpc_slice_from_static_string(details ? details : "");
	memset(ops, 0, sizeof ops);
	ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[n].data.send_initial_metadata.count = 0;
	n++;
	if (msg != NULL) {
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n].data.send_message.send_message = msg;
		n++;
	}
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.trailing_metadata_count = 0;
	ops[n].data.send_status_from_server.status = (grpc_status_code)status;
	ops[n].data.send_status_from_server.status_details = details ? &det : NULL;
	n++;
	ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[n].data.recv_close_on_server.cancelled = &cancelled;
	n++;
	bool ok = run_batch(sl, ops, n, PLUGIN_REPLY_TIMEOUT_MS);
	if (msg != NULL)
		grpc_byte_buffer_destroy(msg);
	return ok && !cancelled;
}

/* Wraps the handler's output into a byte buffer without copying it. */
static grpc_byte_buffer *buf_to_bb(base_buf *resp)
{
	grpc_slice slice;
	if (resp->len == 0) {
		slice = grpc_empty_slice();
	} else {
		size_t len = 0;
		char *p = base_buf_detach(resp, &len);
		slice = grpc_slice_new(p, len, base_free);
	}
	grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&slice, 1);
	grpc_slice_unref(slice);
	return bb;
}

static void serve_unary(struct slot *sl, const struct method *m, const char *path)
{
	grpc_op op;
	grpc_byte_buffer *req_bb = NULL;
	grpc_slice req = grpc_empty_slice();
	base_buf resp;
	int status;
	bool req_ok;

	base_buf_init(&resp, 0);
	memset(&op, 0, sizeof op);
	op.op = GRPC_OP_RECV_MESSAGE;
	op.data.recv_message.recv_message = &req_bb;
	req_ok = run_batch(sl, &op, 1, -1);
	if (!req_ok) {
		/* cancelled by the client or by shutdown: nobody to answer */
		BASE_DEBUG("plugin", "%s: call cancelled before its request arrived", path);
		goto done;
	}
	if (req_bb == NULL) {
		(void)send_reply(sl, NULL, PLUGIN_STATUS_INTERNAL, "request message missing");
		goto done;
	}
	grpc_byte_buffer_reader reader;
	if (!grpc_byte_buffer_reader_init(&reader, req_bb)) {
		(void)send_reply(sl, NULL, PLUGIN_STATUS_INTERNAL, "request message unreadable");
		goto done;
	}
	req = grpc_byte_buffer_reader_readall(&reader);
	grpc_byte_buffer_reader_destroy(&reader);

	status = m->fn(m->ctx, GRPC_SLICE_START_PTR(req), GRPC_SLICE_LENGTH(req), &resp);
	if (status == PLUGIN_STATUS_OK) {
		bool sent = send_reply(sl, buf_to_bb(&resp), PLUGIN_STATUS_OK, NULL);
		if (m->kind == METHOD_SHUTDOWN) {
			/* Answered (or the client is gone): either way we are done. */
			(void)sent;
			grpc_slice_unref(req);
			grpc_byte_buffer_destroy(req_bb);
			base_buf_dispose(&resp);
			plugin__controller_after_reply(sl->s);
		}
	} else {
		(void)send_reply(sl, NULL, status, NULL);
	}
	if (base_log_enabled(BASE_LOG_TRACE))
		base_log(BASE_LOG_TRACE, "plugin", "%s: status %d in %.3f ms", path, status,
		         (double)(now_ns() - sl->start_ns) / 1e6);
done:
	grpc_slice_unref(req);
	if (req_bb != NULL)
		grpc_byte_buffer_destroy(req_bb);
	base_buf_dispose(&resp);
}

static void slot_free(struct slot *sl)
{
	if (sl == NULL)
		return;
	if (sl->call != NULL)
		grpc_call_unref(sl->call);
	grpc_call_details_destroy(&sl->details);
	grpc_metadata_array_destroy(&sl->md);
	grpc_completion_queue_shutdown(sl->cq);
	grpc_completion_queue_destroy(sl->cq);
	base_free(sl);
}

/* Handles one call from arrival to completion, on the calling thread. */
static void handle_call(struct slot *sl)
{
	char path[256];
	size_t n = GRPC_SLICE_LENGTH(sl->details.method);
	const char *p = (const char *)GRPC_SLICE_START_PTR(sl->details.method);
	const struct method *m = find_method(sl->s, p, n);
	/* a printable copy for logs */
	if (n >= sizeof path)
		n = sizeof path - 1;
	memcpy(path, p, n);
	path[n] = '\0';

	if (m == NULL) {
		BASE_TRACE("plugin", "%s: not implemented", path);
		(void)send_reply(sl, NULL, PLUGIN_STATUS_UNIMPLEMENTED, "unknown method");
		return;
	}
	serve_unary(sl, m, path);
}

/* Runs its first call, then the queued ones until the queue is empty. */
static void *worker_main(void *arg)
{
	struct slot *sl = arg;
	plugin_server *s = sl->s;
	while (sl != NULL) {
		handle_call(sl);
		slot_free(sl);
		pthread_mutex_lock(&s->pool_mu);
		sl = s->queue_head;
		if (sl != NULL) {
			s->queue_head = sl->next;
			if (s->queue_head == NULL)
				s->queue_tail = NULL;
		} else {
			s->workers--;
		}
		pthread_mutex_unlock(&s->pool_mu);
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * main loop
 * ------------------------------------------------------------------- */

static int request_slot(plugin_server *s)
{
	struct slot *sl = base_xcalloc(1, sizeof *sl);
	sl->s = s;
	sl->cq = grpc_completion_queue_create_for_pluck(NULL);
	grpc_call_details_init(&sl->details);
	grpc_metadata_array_init(&sl->md);
	grpc_call_error ce =
	        grpc_server_request_call(s->server, &sl->call, &sl->details, &sl->md, sl->cq, s->cq, sl);
	if (ce != GRPC_CALL_OK) {
		BASE_ERROR("plugin", "grpc_server_request_call: error %d", (int)ce);
		slot_free(sl);
		return BASE_ERR;
	}
	return BASE_OK;
}

/* Hands a new call to a new worker while fewer than PLUGIN_MAX_WORKERS
 * run, else queues it. If no thread can be made, refuses the call here
 * (without reading it) so the loop keeps going. */
static void dispatch(struct slot *sl)
{
	plugin_server *s = sl->s;
	pthread_t th;
	pthread_attr_t attr;
	int err;
	sl->start_ns = now_ns();
	sl->next = NULL;
	pthread_mutex_lock(&s->pool_mu);
	if (s->workers >= PLUGIN_MAX_WORKERS) {
		if (s->queue_tail)
			s->queue_tail->next = sl;
		else
			s->queue_head = sl;
		s->queue_tail = sl;
		pthread_mutex_unlock(&s->pool_mu);
		BASE_TRACE("plugin", "all %d workers busy: call queued", PLUGIN_MAX_WORKERS);
		return;
	}
	s->workers++;
	pthread_mutex_unlock(&s->pool_mu);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, worker_main, sl);
	pthread_attr_destroy(&attr);
	if (err != 0) {
		pthread_mutex_lock(&s->pool_mu);
		s->workers--;
		pthread_mutex_unlock(&s->pool_mu);
		BASE_ERROR("plugin", "cannot start a worker thread: %s", strerror(err));
		(void)send_reply(sl, NULL, PLUGIN_STATUS_RESOURCE_EXHAUSTED, "no worker thread");
		slot_free(sl);
	}
}

static void serve_loop(plugin_server *s)
{
	for (;;) {
		grpc_event ev = grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			return;
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		if (ev.tag == &s->shutdown_tag) {
			/* every call has finished: nothing can still be in flight */
			plugin__server_exit_now();
		}
		struct slot *sl = ev.tag;
		if (!ev.success || atomic_load(&s->shutting_down)) {
			/* request failed (server shutting down) */
			slot_free(sl);
			continue;
		}
		dispatch(sl);
		if (!atomic_load(&s->shutting_down))
			(void)request_slot(s);
	}
}

/* ---------------------------------------------------------------------
 * start-up
 * ------------------------------------------------------------------- */

static void setup_process(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	/* Ctrl-C reaches the whole process group; Terraform answers it with
	 * StopProvider, so the plugin must survive it. */
	(void)sigaction(SIGINT, &sa, NULL);
	/* a closed stderr pipe or socket must not kill us */
	(void)sigaction(SIGPIPE, &sa, NULL);
	/* If Terraform dies without Shutdown (double Ctrl-C, crash), die too. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Nothing we inherited or opened should reach a child process (a child
	 * holding Terraform's pipes delays its exit detection, PROTOCOL.md 1.8).
	 * gRPC opens its own fds with CLOEXEC; this covers inherited ones.
	 * One syscall; ignored on kernels without close_range (< 5.11). */
	(void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
}

/* After the handshake nothing may reach stdout (Terraform discards it and a
 * long line can block us); point fd 1 at /dev/null so stray output from any
 * library cannot disturb the protocol. */
static void silence_stdout(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)dup2(fd, STDOUT_FILENO);
	close(fd);
}

static grpc_server_credentials *make_creds(const char *client_pem, plugin_tls_cert **cert_out)
{
	grpc_server_credentials *creds = NULL;
	plugin_tls_cert *cert = NULL;
	*cert_out = NULL;
	if (client_pem == NULL || client_pem[0] == '\0')
		return grpc_insecure_server_credentials_create();
	if (take_cert(&cert) != BASE_OK) {
		BASE_ERROR("plugin", "cannot generate the server TLS certificate");
		return NULL;
	}
	grpc_ssl_pem_key_cert_pair pair = {plugin_tls_key_pem(cert), plugin_tls_cert_pem(cert)};
	creds = grpc_ssl_server_credentials_create_ex(
	        client_pem, &pair, 1, GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY, NULL);
	if (creds == NULL) {
		BASE_ERROR("plugin", "cannot create the TLS server credentials");
		plugin_tls_cert_free(cert);
		return NULL;
	}
	*cert_out = cert;
	return creds;
}

/*
 * Everything before grpc_server_start: the gRPC server and its queue first
 * (they need no certificate, so they overlap the early certificate's
 * thread), then the credentials (TLS key + certificate when
 * PLUGIN_CLIENT_CERT is set) and the listener on 127.0.0.1:<free port>.
 * Sets s->server, s->cq, s->port, s->cert. Errors: BASE_ERR (logged).
 */
static int prepare(plugin_server *s)
{
	int rc = BASE_ERR;
	const char *client_pem = getenv("PLUGIN_CLIENT_CERT");
	grpc_arg args[] = {
	        /* Terraform sends whole states and configs in one message;
	         * bounded so a peer cannot make us buffer without limit. */
	        {GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, {.integer = PLUGIN_MAX_RECV_BYTES}},
	        {GRPC_ARG_INTEGER, GRPC_ARG_MAX_CONCURRENT_STREAMS, {.integer = PLUGIN_MAX_STREAMS}},
	        {GRPC_ARG_INTEGER, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, {.integer = -1}},
	        /* go-plugin configures no keepalive; never punish pings. */
	        {GRPC_ARG_INTEGER, GRPC_ARG_HTTP2_MAX_PING_STRIKES, {.integer = 0}},
	        {GRPC_ARG_INTEGER, GRPC_ARG_ALLOW_REUSEPORT, {.integer = 0}},
	};
	grpc_channel_args chargs = {sizeof args / sizeof args[0], args};
	s->server = grpc_server_create(&chargs, NULL);
	s->cq = grpc_completion_queue_create_for_next(NULL);
	grpc_server_register_completion_queue(s->server, s->cq, NULL);
	grpc_server_credentials *creds = make_creds(client_pem, &s->cert);
	if (creds == NULL)
		goto done;
	s->port = grpc_server_add_http2_port(s->server, "127.0.0.1:0", creds);
	if (s->port <= 0) {
		/* gRPC parses PLUGIN_CLIENT_CERT only here. A value that is not a
		 * certificate is the likely cause, so name it; checked only on
		 * failure because parsing it twice costs start-up time. */
		if (client_pem != NULL && client_pem[0] != '\0' &&
		    plugin_tls_check_pem_cert(client_pem) != BASE_OK)
			BASE_ERROR("plugin", "PLUGIN_CLIENT_CERT does not hold a PEM certificate");
		else
			BASE_ERROR("plugin", "cannot listen on 127.0.0.1");
		goto done;
	}
	rc = BASE_OK;
done:
	if (creds != NULL)
		grpc_server_credentials_release(creds);
	return rc;
}

static void *prepare_main(void *arg)
{
	plugin_server *s = arg;
	s->prep_rc = prepare(s);
	return NULL;
}

/* Waits for the start-up thread if there is one; returns its result. */
static int join_prepare(plugin_server *s)
{
	if (s->prep_started && !s->prep_joined) {
		(void)pthread_join(s->prep_thread, NULL);
		s->prep_joined = true;
	}
	return s->prep_rc;
}

int plugin_serve(plugin_server *s)
{
	int exit_code = 1;
	base_buf line;
	base_buf_init(&line, 0);

	if (!plugin_handshake_cookie_ok(getenv(PLUGIN_MAGIC_COOKIE_KEY))) {
		fputs(PLUGIN_NOT_A_PROGRAM_MESSAGE, stderr);
		fflush(stderr);
		goto done;
	}
	setup_process();
	static const int supported[] = {PLUGIN_APP_PROTOCOL_VERSION};
	int version = plugin_handshake_choose_version(getenv("PLUGIN_PROTOCOL_VERSIONS"), supported, 1);

	if (s->prep_started) {
		if (join_prepare(s) != BASE_OK)
			goto done;
	} else if (prepare(s) != BASE_OK) {
		goto done;
	}
	grpc_server_start(s->server);
	for (int i = 0; i < PLUGIN_SLOTS; i++)
		if (request_slot(s) != BASE_OK)
			goto done;

	char addr[32];
	snprintf(addr, sizeof addr, "127.0.0.1:%d", s->port);
	size_t der_len = 0;
	const uint8_t *der = s->cert ? plugin_tls_cert_der(s->cert, &der_len) : NULL;
	if (plugin_handshake_format(&line, version, "tcp", addr, der, der_len) != BASE_OK ||
	    plugin_handshake_write(STDOUT_FILENO, line.data, line.len) != BASE_OK) {
		BASE_ERROR("plugin", "cannot write the handshake line");
		goto done;
	}
	silence_stdout();
	BASE_DEBUG("plugin", "plugin server listening on %s (%s, protocol %d)", addr,
	           der ? "mTLS" : "plaintext", version);
	/* The key lives inside the gRPC credentials now; drop our copy. */
	plugin_tls_cert_free(s->cert);
	s->cert = NULL;
	/* Start-up is over: what it alone read need not stay resident. */
	size_t released = base_pages_release_startup();
	BASE_DEBUG("plugin", "released %zu KiB of start-up file pages", released / 1024);

	serve_loop(s);
	exit_code = 0;
done:
	base_buf_dispose(&line);
	return exit_code;
}
