/* aws_ec2_batch_test.c - aws_ec2_sg_rules_of: one caller sends at once;
 * callers arriving while that call is on the wire share the next call,
 * whose group-id filter names all their groups; each gets its own group's
 * rules; a failure is every member's. A blocking scripted transport, no
 * network. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "t.h"
#include "aws_ops_fake.h"

#include "aws/aws_client.h"
#include "aws/aws_ec2.h"
#include "aws/aws_http.h"
#include "aws/aws_int.h"
#include "base/base_alloc.h"

#define D "tests/data/aws/ec2/"
#define MAX_SENDS 8

struct wire {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int sends;
	bool hold_first; /* the first send waits until released */
	int status;      /* of every reply */
	bool fail_batches; /* a DeleteTags naming two resources or more fails */
	char *body[MAX_SENDS];
	aws_client *client;
};

static int wire_send(void *ctx, const aws_http_request *req, aws_http_response *resp)
{
	struct wire *w = ctx;
	size_t len;
	char *b;
	int n, rc;
	pthread_mutex_lock(&w->mu);
	n = w->sends++;
	if (n < MAX_SENDS)
		w->body[n] = base_xstrndup(req->body ? req->body : "", req->body_len);
	pthread_cond_broadcast(&w->cv);
	while (n == 0 && w->hold_first)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	resp->status = w->status;
	if (w->fail_batches && strstr(req->body ? req->body : "", "ResourceId.2=")) {
		resp->status = 400;
		return base_buf_puts(&resp->body,
		                     "<Response><Errors><Error><Code>InvalidGroup.NotFound</Code>"
		                     "<Message>gone</Message></Error></Errors></Response>");
	}
	if (strstr(req->body ? req->body : "", "Action=DeleteTags"))
		return base_buf_puts(&resp->body,
		                     "<DeleteTagsResponse><return>true</return></DeleteTagsResponse>");
	if (w->status != 200)
		return base_buf_puts(&resp->body, "<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
		                                  "<Message>slow down</Message></Error></Errors></Response>");
	b = t_read_file(D "DescribeSecurityGroupRules.xml", &len);
	if (!b)
		return BASE_EIO;
	rc = base_buf_append(&resp->body, b, len);
	base_free(b);
	return rc;
}

static void wire_init(struct wire *w, int status)
{
	static const aws_transport tr = {wire_send};
	memset(w, 0, sizeof *w);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->status = status;
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
	const char *group; /* or resource to untag, with keys */
	aws_tags keys;
	base_arena *a;
	aws_ec2_sg_rules rules;
	aws_error err;
	int rc;
	pthread_t th;
};

static void *call(void *arg)
{
	struct caller *c = arg;
	if (c->keys.n)
		c->rc = aws_ec2_untag_batched(c->w->client, c->a, c->group, c->keys, &c->err);
	else
		c->rc = aws_ec2_sg_rules_of(c->w->client, c->a, c->group, &c->rules, &c->err);
	return NULL;
}

static void start(struct caller *c, struct wire *w, const char *group)
{
	c->w = w;
	c->group = group;
	c->a = base_arena_new();
	T_ASSERT(pthread_create(&c->th, NULL, call, c) == 0);
}

static void pause_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

/* *n = the rules of group in the fixture, counted by the plain call. */
static void fixture_rules_of(const char *group, size_t *n)
{
	struct wire w;
	base_arena *a = base_arena_new();
	aws_ec2_sg_rules all;
	aws_error err;
	size_t i;
	*n = 0;
	wire_init(&w, 200);
	T_OK(aws_ec2_describe_security_group_rules(w.client, a, (aws_strs){NULL, 0}, (aws_filters){NULL, 0},
	                                           &all, &err));
	for (i = 0; i < all.n; i++)
		*n += strcmp(all.v[i].group_id, group) == 0;
	wire_dispose(&w);
	base_arena_free(a);
}

void test_aws_ec2_batch__arrivals_share_the_next_call(void)
{
	static const char *const g[] = {"sg-16bb14110d5aa25fa", "sg-2eef00e2528a5cbc2", "sg-none",
	                                "sg-2eef00e2528a5cbc2"};
	struct caller c[4];
	struct wire w;
	size_t want[4];
	int i;
	memset(c, 0, sizeof c);
	for (i = 0; i < 4; i++)
		fixture_rules_of(g[i], &want[i]);
	T_ASSERT(want[0] > 0 && want[1] > 0 && want[2] == 0);
	wire_init(&w, 200);
	w.hold_first = true;
	start(&c[0], &w, g[0]);
	pthread_mutex_lock(&w.mu); /* the first call is on the wire */
	while (w.sends == 0)
		pthread_cond_wait(&w.cv, &w.mu);
	pthread_mutex_unlock(&w.mu);
	for (i = 1; i < 4; i++) { /* each joins the next batch, in this order */
		start(&c[i], &w, g[i]);
		while (aws__ec2_batch_waiting() < (size_t)i)
			pause_ms(1);
	}
	pthread_mutex_lock(&w.mu);
	w.hold_first = false;
	pthread_cond_broadcast(&w.cv);
	pthread_mutex_unlock(&w.mu);
	for (i = 0; i < 4; i++) {
		pthread_join(c[i].th, NULL);
		T_OK(c[i].rc);
		T_ASSERT_INT(c[i].rules.n, want[i]);
		for (size_t k = 0; k < c[i].rules.n; k++)
			T_ASSERT_STR(c[i].rules.v[k].group_id, g[i]);
	}
	T_ASSERT_INT(w.sends, 2);
	T_ASSERT_STR(w.body[0], "Action=DescribeSecurityGroupRules&Version=2016-11-15"
	                        "&Filter.1.Name=group-id&Filter.1.Value.1=sg-16bb14110d5aa25fa");
	/* one value per group, the repeated one once */
	T_ASSERT_STR(w.body[1], "Action=DescribeSecurityGroupRules&Version=2016-11-15"
	                        "&Filter.1.Name=group-id&Filter.1.Value.1=sg-2eef00e2528a5cbc2"
	                        "&Filter.1.Value.2=sg-none");
	T_ASSERT_INT(aws__ec2_batch_waiting(), 0);
	for (i = 0; i < 4; i++)
		base_arena_free(c[i].a);
	wire_dispose(&w);
}

void test_aws_ec2_batch__failure_is_every_members(void)
{
	struct caller c;
	struct wire w;
	memset(&c, 0, sizeof c);
	wire_init(&w, 400);
	start(&c, &w, "sg-1");
	pthread_join(c.th, NULL);
	T_ASSERT(c.rc != BASE_OK);
	T_ASSERT_STR(c.err.code, "RequestLimitExceeded");
	T_ASSERT_INT(c.rules.n, 0);
	base_arena_free(c.a);
	wire_dispose(&w);
}

static const aws_tag uses_logs[] = {{"lambdavpc:uses:logs", NULL}};
static const aws_tag uses_ssm[] = {{"lambdavpc:uses:ssm", NULL}};

/* Untags: the first goes alone; sg-b and sg-c (same keys) share the next
 * call; sg-d (other keys) waits for no one. */
static void untag_round(struct wire *w, struct caller *c)
{
	static const char *const id[] = {"sg-a", "sg-b", "sg-c", "sg-d"};
	int i;
	for (i = 0; i < 4; i++)
		c[i].keys = i == 3 ? (aws_tags){uses_ssm, 1} : (aws_tags){uses_logs, 1};
	w->hold_first = true;
	start(&c[0], w, id[0]);
	pthread_mutex_lock(&w->mu);
	while (w->sends == 0)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	for (i = 1; i < 3; i++) {
		start(&c[i], w, id[i]);
		while (aws__ec2_batch_waiting() < (size_t)i)
			pause_ms(1);
	}
	start(&c[3], w, id[3]); /* another kind: on the wire at once */
	pthread_mutex_lock(&w->mu);
	while (w->sends < 2)
		pthread_cond_wait(&w->cv, &w->mu);
	w->hold_first = false;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < 4; i++)
		pthread_join(c[i].th, NULL);
}

void test_aws_ec2_batch__untags_with_the_same_keys_share_a_call(void)
{
	struct caller c[4];
	struct wire w;
	int i;
	memset(c, 0, sizeof c);
	wire_init(&w, 200);
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
	for (i = 0; i < 4; i++)
		base_arena_free(c[i].a);
	wire_dispose(&w);
}

void test_aws_ec2_batch__failed_untag_batch_is_sent_again_alone(void)
{
	struct caller c[4];
	struct wire w;
	int i;
	memset(c, 0, sizeof c);
	wire_init(&w, 200);
	w.fail_batches = true;
	untag_round(&w, c);
	for (i = 0; i < 4; i++)
		T_OK(c[i].rc);
	T_ASSERT_INT(w.sends, 5); /* sg-a, sg-d, {sg-b, sg-c} refused, then sg-b and sg-c alone */
	for (i = 0; i < 4; i++)
		base_arena_free(c[i].a);
	wire_dispose(&w);
}
