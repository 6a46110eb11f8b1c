/*
 * aws_memo.c - one call for identical concurrent reads, and the account
 * facts kept for the life of the client (aws_int.h: aws__memo_*).
 *
 * A read (an operation named Describe*, Get* or List*) is keyed by
 * service, method, path, query and body. While one is on the wire, an
 * identical read joins it and gets a view of its reply instead of sending
 * its own (single-flight), but only (facts aside) when no write of this
 * client was made after the first one was sent: a caller that has just changed something
 * never sees a reply older than its own write. Replies of the account-fact
 * operations (FACT_OPS: things this provider never changes during a run)
 * stay after the call and answer every later identical read; a write of one of the INVALIDATING operations
 * drops them. Errors are never shared or kept: a joiner whose leader failed sends its own call.
 *
 * Kept listings (aws__memo_keep_listings): in a process that refreshes,
 * Terraform reads the resources ten at a time, and every one of them asks
 * the same VPC-wide listings (LISTING_OPS). Once a refresh has asked for
 * it, and only while this client has made no write at all, a listing's
 * reply also answers identical reads for max_age_ms after it arrived: the
 * resources of one refresh see one view of the VPC instead of one per
 * batch of ten. The first write of the client ends it for good, so a wait
 * that polls after a delete never sees a reply from before it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws/aws_int.h"
#include "base/base_alloc.h"
#include "base/base_buf.h"
#include "base/base_str.h"

/* Reads whose replies are kept (VPC, its attributes and CIDRs, AZs,
 * endpoint services, managed policies). */
static const char *const FACT_OPS[] = {"DescribeVpcs", "DescribeVpcAttribute", "DescribeAvailabilityZones",
                                       "DescribeVpcEndpointServices", "GetPolicy"};
/* VPC-wide listings a refresh may share (never DescribeNetworkInterfaces:
 * it is what waits poll). */
static const char *const LISTING_OPS[] = {"DescribeSubnets",        "DescribeRouteTables",
                                          "DescribeSecurityGroups", "DescribeSecurityGroupRules",
                                          "DescribeVpcEndpoints",   "DescribePrefixLists"};

/* Writes that change a fact. */
static const char *const INVALIDATING[] = {"CreateVpc",
                                           "DeleteVpc",
                                           "ModifyVpcAttribute",
                                           "AssociateVpcCidrBlock",
                                           "DisassociateVpcCidrBlock",
                                           "CreatePolicyVersion",
                                           "DeletePolicyVersion",
                                           "SetDefaultPolicyVersion"};

struct memo_entry {
	struct memo_entry *next;
	char *key;
	bool done, ok, fact;
	bool listing;     /* kept after done while the client has not written (LISTING_OPS) */
	uint64_t done_ms; /* CLOCK_MONOTONIC ms when the reply arrived */
	uint64_t gen;   /* write generation when the leader sent it */
	unsigned users; /* leader + joiners still reading it */
	aws__shared_body *body; /* the reply (one hold), once ok */
	int status;
	char request_id[128];
};

/* ---- reply bodies shared by reference ---- */

struct aws__shared_body {
	atomic_uint holds;
	base_buf buf;
};

aws__shared_body *aws__shared_body_take(base_buf *b)
{
	aws__shared_body *sb = base_xcalloc(1, sizeof *sb);
	atomic_init(&sb->holds, 1);
	sb->buf = *b;
	base_buf_init(b, b->max);
	return sb;
}

void aws__shared_body_release(aws__shared_body *sb)
{
	if (!sb || atomic_fetch_sub(&sb->holds, 1) != 1)
		return;
	base_buf_dispose(&sb->buf);
	base_free(sb);
}

void aws__response_unshare(aws_response *r)
{
	if (!r->shared)
		return;
	aws__shared_body_release(r->shared);
	r->shared = NULL;
	base_buf_init(&r->body, 0);
}

void aws__response_view(aws_response *r, aws__shared_body *sb)
{
	aws__response_unshare(r);
	base_buf_dispose(&r->body);
	atomic_fetch_add(&sb->holds, 1);
	r->shared = sb;
	/* A view: never grown or freed through r->body (cap 0 marks it for
	 * readers of a debugger; aws__response_unshare is the way out). */
	r->body.data = sb->buf.data;
	r->body.len = sb->buf.len;
	r->body.cap = 0;
	r->body.max = 0;
}

struct aws_memo {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t gen; /* writes sent so far */
	unsigned listing_max_age_ms; /* 0 until aws__memo_keep_listings */
	struct memo_entry *head;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

static bool in_list(const char *op, const char *const *list, size_t n)
{
	size_t i;
	for (i = 0; op && i < n; i++)
		if (strcmp(op, list[i]) == 0)
			return true;
	return false;
}

bool aws__memo_is_read(const aws_request *req)
{
	const char *op = req->op;
	if (!op || req->not_idempotent)
		return false;
	return base_str_has_prefix(op, "Describe") || base_str_has_prefix(op, "Get") ||
	       base_str_has_prefix(op, "List");
}

aws_memo *aws__memo_new(void)
{
	aws_memo *m = base_xcalloc(1, sizeof *m);
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	return m;
}

static void entry_free(struct memo_entry *e)
{
	base_free(e->key);
	aws__shared_body_release(e->body);
	base_free(e);
}

void aws__memo_free(aws_memo *m)
{
	struct memo_entry *e, *n;
	if (!m)
		return;
	for (e = m->head; e; e = n) {
		n = e->next;
		entry_free(e);
	}
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	base_free(m);
}

static char *key_of(const aws_request *req)
{
	base_buf b;
	base_buf_init(&b, 0);
	if (base_buf_printf(&b, "%d\n%s\n%s\n%s\n%s\n", (int)req->service, req->op,
	                    req->method ? req->method : "", req->path ? req->path : "",
	                    req->query ? req->query : "") != BASE_OK ||
	    (req->body_len && base_buf_append(&b, req->body, req->body_len) != BASE_OK)) {
		base_buf_dispose(&b);
		return NULL;
	}
	return base_buf_detach(&b, NULL);
}

/* A kept listing that may still answer, under mu. */
static bool listing_fresh(const aws_memo *m, const struct memo_entry *e, uint64_t now)
{
	return e->listing && e->done && e->ok && m->gen == 0 && now - e->done_ms <= m->listing_max_age_ms;
}

/* The entry for key that a new reader may use, under mu. */
static struct memo_entry *find(aws_memo *m, const char *key)
{
	struct memo_entry *e;
	uint64_t now = now_ms();
	for (e = m->head; e; e = e->next) {
		if (strcmp(e->key, key) != 0)
			continue;
		if ((e->done && e->ok && e->fact) || listing_fresh(m, e, now))
			return e;
		if (!e->done && (e->fact || e->gen == m->gen))
			return e; /* a fact is not changed by ordinary writes */
	}
	return NULL;
}

static void unlink_entry(aws_memo *m, struct memo_entry *x)
{
	struct memo_entry **p;
	for (p = &m->head; *p; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			return;
		}
}

/* Drops one user of e (under mu); frees it when it is no longer needed. */
static void release(aws_memo *m, struct memo_entry *e)
{
	if (--e->users > 0 || (e->done && e->ok && (e->fact || e->listing)))
		return;
	unlink_entry(m, e);
	entry_free(e);
}

/* resp = a view of e's reply, its status and request id. */
static void share_reply(const struct memo_entry *e, aws_response *resp)
{
	aws__response_view(resp, e->body);
	resp->status = e->status;
	snprintf(resp->request_id, sizeof resp->request_id, "%s", e->request_id);
}

/* Waits for e (a joiner, under mu): BASE_OK with a view of its reply, or
 * BASE_ENOTFOUND when the leader failed (the caller sends its own call). */
static int join(aws_memo *m, struct memo_entry *e, aws_response *resp)
{
	int rc = BASE_ENOTFOUND;
	e->users++;
	while (!e->done)
		pthread_cond_wait(&m->cv, &m->mu);
	if (e->ok) {
		share_reply(e, resp);
		rc = BASE_OK;
	}
	release(m, e);
	return rc;
}

/* The leader sends and publishes its reply to the joiners. Called and
 * returns with mu held; key is taken over. */
static int lead(aws_memo *m, char *key, const aws_request *req, aws_response *resp, aws_error *err,
                aws__memo_send_fn send, void *ctx)
{
	struct memo_entry *e = base_xcalloc(1, sizeof *e), **p;
	int rc;
	for (p = &m->head; *p;) { /* a kept listing of this key that aged: gone */
		struct memo_entry *old = *p;
		if (old->listing && old->done && old->users == 0 && strcmp(old->key, key) == 0) {
			*p = old->next;
			entry_free(old);
		} else {
			p = &old->next;
		}
	}
	e->key = key;
	e->gen = m->gen;
	e->users = 1;
	e->fact = in_list(req->op, FACT_OPS, COUNT(FACT_OPS));
	e->listing =
	        m->listing_max_age_ms > 0 && m->gen == 0 && in_list(req->op, LISTING_OPS, COUNT(LISTING_OPS));
	e->next = m->head;
	m->head = e;
	pthread_mutex_unlock(&m->mu);
	rc = send(ctx, req, resp, err);
	pthread_mutex_lock(&m->mu);
	e->done = true;
	e->done_ms = now_ms();
	e->ok = rc == BASE_OK;
	e->status = resp->status;
	snprintf(e->request_id, sizeof e->request_id, "%s", resp->request_id);
	if (e->ok) {
		/* The reply moves into the entry; the leader reads it as the
		 * joiners do, through a view (no copy for anyone). */
		e->body = aws__shared_body_take(&resp->body);
		aws__response_view(resp, e->body);
	}
	pthread_cond_broadcast(&m->cv);
	release(m, e);
	return rc;
}

int aws__memo_send(aws_memo *m, const aws_request *req, aws_response *resp, aws_error *err,
                   aws__memo_send_fn send, void *ctx)
{
	char *key = aws__memo_is_read(req) ? key_of(req) : NULL;
	struct memo_entry *e;
	int rc;
	aws__response_unshare(resp); /* the send below writes resp->body */
	if (!key)
		return send(ctx, req, resp, err);
	pthread_mutex_lock(&m->mu);
	e = find(m, key);
	if (e && join(m, e, resp) == BASE_OK) {
		pthread_mutex_unlock(&m->mu);
		base_free(key);
		aws_error_clear(err);
		return BASE_OK;
	}
	rc = lead(m, key, req, resp, err, send, ctx);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

void aws__memo_wrote(aws_memo *m, const aws_request *req)
{
	struct memo_entry **p;
	bool facts;
	if (aws__memo_is_read(req))
		return;
	facts = in_list(req->op, INVALIDATING, COUNT(INVALIDATING));
	pthread_mutex_lock(&m->mu);
	/* Listings are kept only before the first write: after it, only a
	 * fact-changing write has entries to drop. */
	if (++m->gen > 1 && !facts) {
		pthread_mutex_unlock(&m->mu);
		return;
	}
	for (p = &m->head; *p;) {
		struct memo_entry *e = *p;
		if (!e->listing && !(facts && e->fact)) {
			p = &e->next;
		} else if (e->done && e->users == 0) {
			*p = e->next;
			entry_free(e);
		} else {
			e->fact = e->fact && !facts; /* in flight or in use: not kept */
			e->listing = false;
			p = &e->next;
		}
	}
	pthread_mutex_unlock(&m->mu);
}

void aws__memo_keep_listings(aws_memo *m, unsigned max_age_ms)
{
	pthread_mutex_lock(&m->mu);
	m->listing_max_age_ms = max_age_ms;
	pthread_mutex_unlock(&m->mu);
}
