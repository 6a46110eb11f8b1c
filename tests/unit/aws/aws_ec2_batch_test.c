/* aws_ec2_batch_test.c - aws_ec2_untag_batched: one caller sends at once;
 * callers arriving while that call is on the wire share the next call if
 * they take off the same keys, which names each of their resources once;
 * a failed call of several is sent again by each member alone, and a
 * failure is only its own resource's caller's. A blocking scripted
 * transport, no network. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "t.h"
#include "aws_ops_fake.h"

#include "aws/aws_client.h"
#include "aws/aws_ec2.h"
#include "aws/aws_http.h"
#include "aws/aws_int.h"
#include "base/base_alloc.h"

#define MAX_SENDS 8

struct wire {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int sends;
	bool hold_first;   /* the first send waits until released */
	bool fail_batches; /* a DeleteTags naming two resources or more fails */
	const char *gone;  /* a DeleteTags naming this resource fails */
	char *body[MAX_SENDS];
	aws_client *client;
};

/* body names resource id. */
static bool names(const char *body, const char *id)
{
	char v[64];
	snprintf(v, sizeof v, "=%s&", id);
	return strstr(body, v) != NULL;
}

static int wire_send(void *ctx, const aws_http_request *req, aws_http_response *resp)
{
	struct wire *w = ctx;
	const char *body;
	int n;
	pthread_mutex_lock(&w->mu);
	n = w->sends++;
	if (n < MAX_SENDS)
		w->body[n] = base_xstrndup(req->body ? req->body : "", req->body_len);
	body = n < MAX_SENDS ? w->body[n] : "";
	pthread_cond_broadcast(&w->cv);
	while (n == 0 && w->hold_first)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	if ((w->fail_batches && strstr(body, "ResourceId.2=")) || (w->gone && names(body, w->gone))) {
		resp->status = 400;
		return base_buf_puts(&resp->body,
		                     "<Response><Errors><Error><Code>InvalidGroup.NotFound</Code>"
		                     "<Message>gone</Message></Error></Errors></Response>");
	}
	resp->status = 200;
	return base_buf_puts(&resp->body, "<DeleteTagsResponse><return>true</return></DeleteTagsResponse>");
}

static void wire_init(struct wire *w)
{
	static const aws_transport tr = {wire_send};
	memset(w, 0, sizeof *w);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	T_OK(ops_fake_client_new(&tr, w, &w->client));
}

static void wire_dispose(struct wire *w)
{
	for (int i = 0; i < MAX_SENDS; i++)
		base_free(w->body[i]);
	aws_client_free(w->client);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

struct caller {
	struct wire *w;
	const char *id; /* the resource to untag, with keys */
	aws_tags keys;
	base_arena *a;
	aws_error err;
	int rc;
	pthread_t th;
};

static void *call(void *arg)
{
	struct caller *c = arg;
	c->rc = aws_ec2_untag_batched(c->w->client, c->a, c->id, c->keys, &c->err);
	return NULL;
}

static void start(struct caller *c, struct wire *w, const char *id)
{
	c->w = w;
	c->id = id;
	c->a = base_arena_new();
	T_ASSERT(pthread_create(&c->th, NULL, call, c) == 0);
}

static void pause_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

/* Starts c[0] with id[0], its call held on the wire, then c[1..n-1] with
 * id[1..], each joining the next batch (in this order) before the next
 * starts. */
static void start_held(struct wire *w, struct caller *c, const char *const *id, int n)
{
	int i;
	w->hold_first = true;
	start(&c[0], w, id[0]);
	pthread_mutex_lock(&w->mu);
	while (w->sends == 0)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	for (i = 1; i < n; i++) {
		start(&c[i], w, id[i]);
		while (aws__ec2_batch_waiting() < (size_t)i)
			pause_ms(1);
	}
}

/* Answers the held call once `sends` calls were made. */
static void release_first(struct wire *w, int sends)
{
	pthread_mutex_lock(&w->mu);
	while (w->sends < sends)
		pthread_cond_wait(&w->cv, &w->mu);
	w->hold_first = false;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void join_all(struct caller *c, int n)
{
	for (int i = 0; i < n; i++)
		pthread_join(c[i].th, NULL);
}

static void free_all(struct caller *c, int n)
{
	for (int i = 0; i < n; i++)
		base_arena_free(c[i].a);
}

static const aws_tag uses_logs[] = {{"lambdavpc:uses:logs", NULL}};
static const aws_tag uses_ssm[] = {{"lambdavpc:uses:ssm", NULL}};

/* n callers untagging the same keys; c[0]'s call is held on the wire while
 * the others arrive (start_held), then answered. */
static void same_keys_round(struct wire *w, struct caller *c, const char *const *id, int n)
{
	int i;
	for (i = 0; i < n; i++)
		c[i].keys = (aws_tags){uses_logs, 1};
	start_held(w, c, id, n);
	release_first(w, 1);
	join_all(c, n);
}

void test_aws_ec2_batch__arrivals_share_one_call_naming_each_once(void)
{
	static const char *const id[] = {"sg-a", "sg-b", "sg-c", "sg-b"};
	struct caller c[4];
	struct wire w;
	int i;
	memset(c, 0, sizeof c);
	wire_init(&w);
	same_keys_round(&w, c, id, 4);
	for (i = 0; i < 4; i++)
		T_OK(c[i].rc);
	T_ASSERT_INT(w.sends, 2);
	/* one id per resource, the repeated one once */
	T_ASSERT_STR(w.body[1], "Action=DeleteTags&Version=2016-11-15&ResourceId.1=sg-b&ResourceId.2=sg-c"
	                        "&Tag.1.Key=lambdavpc%3Auses%3Alogs");
	T_ASSERT_INT(aws__ec2_batch_waiting(), 0);
	free_all(c, 4);
	wire_dispose(&w);
}

void test_aws_ec2_batch__failure_is_only_the_failing_resources(void)
{
	static const char *const id[] = {"sg-gone", "sg-b", "sg-gone"};
	struct caller c[3];
	struct wire w;
	memset(c, 0, sizeof c);
	wire_init(&w);
	w.gone = "sg-gone";
	same_keys_round(&w, c, id, 3);
	/* sg-gone alone (refused, not sent again), {sg-b, sg-gone} refused,
	 * then sg-b and sg-gone alone */
	T_ASSERT_INT(w.sends, 4);
	T_ASSERT(c[0].rc != BASE_OK);
	T_ASSERT_STR(c[0].err.code, "InvalidGroup.NotFound");
	T_OK(c[1].rc);
	T_ASSERT(c[2].rc != BASE_OK);
	T_ASSERT_STR(c[2].err.code, "InvalidGroup.NotFound");
	T_ASSERT_INT(aws__ec2_batch_waiting(), 0);
	free_all(c, 3);
	wire_dispose(&w);
}

/* Untags: the first goes alone; sg-b and sg-c (same keys) share the next
 * call; sg-d (other keys) waits for no one. */
static void untag_round(struct wire *w, struct caller *c)
{
	static const char *const id[] = {"sg-a", "sg-b", "sg-c"};
	int i;
	for (i = 0; i < 3; i++)
		c[i].keys = (aws_tags){uses_logs, 1};
	c[3].keys = (aws_tags){uses_ssm, 1};
	start_held(w, c, id, 3);
	start(&c[3], w, "sg-d"); /* other keys: on the wire at once */
	release_first(w, 2);
	join_all(c, 4);
}

void test_aws_ec2_batch__untags_with_the_same_keys_share_a_call(void)
{
	struct caller c[4];
	struct wire w;
	int i;
	memset(c, 0, sizeof c);
	wire_init(&w);
	untag_round(&w, c);
	for (i = 0; i < 4; i++)
		T_OK(c[i].rc);
	T_ASSERT_INT(w.sends, 3);
	T_ASSERT_STR(
	        w.body[0],
	        "Action=DeleteTags&Version=2016-11-15&ResourceId.1=sg-a&Tag.1.Key=lambdavpc%3Auses%3Alogs");
	T_ASSERT_STR(
	        w.body[1],
	        "Action=DeleteTags&Version=2016-11-15&ResourceId.1=sg-d&Tag.1.Key=lambdavpc%3Auses%3Assm");
	T_ASSERT_STR(w.body[2], "Action=DeleteTags&Version=2016-11-15&ResourceId.1=sg-b&ResourceId.2=sg-c"
	                        "&Tag.1.Key=lambdavpc%3Auses%3Alogs");
	free_all(c, 4);
	wire_dispose(&w);
}

void test_aws_ec2_batch__failed_untag_batch_is_sent_again_alone(void)
{
	struct caller c[4];
	struct wire w;
	int i;
	memset(c, 0, sizeof c);
	wire_init(&w);
	w.fail_batches = true;
	untag_round(&w, c);
	for (i = 0; i < 4; i++)
		T_OK(c[i].rc);
	T_ASSERT_INT(w.sends, 5); /* sg-a, sg-d, {sg-b, sg-c} refused, then sg-b and sg-c alone */
	free_all(c, 4);
	wire_dispose(&w);
}
