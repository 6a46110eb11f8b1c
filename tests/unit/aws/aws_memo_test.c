/* aws_memo_test.c - single-flight reads and kept account facts, through a
 * counting send function (no network). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

#include "aws/aws_int.h"

struct fake {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int sends;
	bool hold; /* sends block until released */
	int fail;  /* the next n sends fail */
};

static int fake_send(void *ctx, const aws_request *req, aws_response *resp, aws_error *err)
{
	struct fake *f = ctx;
	int n;
	pthread_mutex_lock(&f->mu);
	n = ++f->sends;
	while (f->hold)
		pthread_cond_wait(&f->cv, &f->mu);
	if (f->fail > 0) {
		f->fail--;
		pthread_mutex_unlock(&f->mu);
		aws_error_setf(err, 503, "Unavailable", "down");
		return BASE_EAWS;
	}
	pthread_mutex_unlock(&f->mu);
	resp->status = 200;
	base_buf_reset(&resp->body);
	return base_buf_printf(&resp->body, "%s#%d", req->body ? req->body : "", n);
}

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof *f);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
}

static void fake_dispose(struct fake *f)
{
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
}

static aws_request form(const char *op, const char *body)
{
	aws_request r;
	aws__form_request(&r, AWS_SVC_EC2, op, body, strlen(body));
	return r;
}

/* Sends req through m; returns the reply body (static buffer per call). */
static int call(aws_memo *m, struct fake *f, aws_request r, char *out, size_t cap)
{
	aws_response resp;
	aws_error e;
	int rc;
	aws_response_init(&resp);
	rc = aws__memo_send(m, &r, &resp, &e, fake_send, f);
	snprintf(out, cap, "%s", base_buf_cstr(&resp.body));
	aws_response_dispose(&resp);
	return rc;
}

/* One read through m: it must succeed with the reply body want. */
static void expect_reply(aws_memo *m, struct fake *f, const char *op, const char *body, const char *want)
{
	char got[64];
	T_OK(call(m, f, form(op, body), got, sizeof got));
	T_ASSERT_STR(got, want);
}

void test_aws_memo__facts_are_kept_until_a_write_changes_them(void)
{
	struct fake f;
	aws_memo *m = aws__memo_new();
	aws_request w = form("ModifyVpcAttribute", "a=1");
	fake_init(&f);
	expect_reply(m, &f, "DescribeVpcs", "v=1", "v=1#1");
	expect_reply(m, &f, "DescribeVpcs", "v=1", "v=1#1");
	expect_reply(m, &f, "DescribeVpcs", "v=2", "v=2#2"); /* another key */
	aws__memo_wrote(m, &w);
	expect_reply(m, &f, "DescribeVpcs", "v=1", "v=1#3");
	T_ASSERT_INT(f.sends, 3);
	aws__memo_free(m);
	fake_dispose(&f);
}

void test_aws_memo__other_reads_and_writes_are_always_sent(void)
{
	struct fake f;
	aws_memo *m = aws__memo_new();
	char got[64];
	aws_request w = form("CreateSubnet", "s=1");
	fake_init(&f);
	T_OK(call(m, &f, form("DescribeSubnets", "x"), got, sizeof got));
	T_OK(call(m, &f, form("DescribeSubnets", "x"), got, sizeof got));
	T_ASSERT_STR(got, "x#2");
	T_OK(call(m, &f, w, got, sizeof got));
	T_OK(call(m, &f, w, got, sizeof got));
	T_ASSERT_INT(f.sends, 4);
	T_ASSERT(aws__memo_is_read(&(aws_request){.op = "ListRolePolicies"}));
	T_ASSERT(!aws__memo_is_read(&(aws_request){.op = "GetThing", .not_idempotent = true}));
	T_ASSERT(!aws__memo_is_read(&w));
	aws__memo_free(m);
	fake_dispose(&f);
}

void test_aws_memo__a_failed_fact_is_not_kept(void)
{
	struct fake f;
	aws_memo *m = aws__memo_new();
	char got[64];
	fake_init(&f);
	f.fail = 1;
	T_ASSERT_INT(call(m, &f, form("DescribeAvailabilityZones", "z"), got, sizeof got), BASE_EAWS);
	T_OK(call(m, &f, form("DescribeAvailabilityZones", "z"), got, sizeof got));
	T_ASSERT_STR(got, "z#2");
	T_OK(call(m, &f, form("DescribeAvailabilityZones", "z"), got, sizeof got));
	T_ASSERT_INT(f.sends, 2);
	aws__memo_free(m);
	fake_dispose(&f);
}

struct reader {
	aws_memo *m;
	struct fake *f;
	const char *op;
	char got[64];
	int rc;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	r->rc = call(r->m, r->f, form(r->op, "q"), r->got, sizeof r->got);
	return NULL;
}

/* n identical reads while the first is held on the wire: one send. */
static int concurrent(const char *op, bool write_between, struct reader *rs, int n)
{
	struct fake f;
	aws_memo *m = aws__memo_new();
	pthread_t th[8];
	aws_request w = form("CreateSubnet", "s");
	int i, sends;
	fake_init(&f);
	f.hold = true;
	for (i = 0; i < n; i++) {
		rs[i] = (struct reader){.m = m, .f = &f, .op = op};
		pthread_create(&th[i], NULL, reader_main, &rs[i]);
		if (i == 0) {
			for (;;) { /* the first read is on the wire */
				pthread_mutex_lock(&f.mu);
				sends = f.sends;
				pthread_mutex_unlock(&f.mu);
				if (sends)
					break;
				usleep(1000);
			}
			if (write_between)
				aws__memo_wrote(m, &w);
		}
	}
	usleep(100 * 1000); /* the others are waiting (or sending, when they may not join) */
	pthread_mutex_lock(&f.mu);
	f.hold = false;
	pthread_cond_broadcast(&f.cv);
	pthread_mutex_unlock(&f.mu);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	sends = f.sends;
	aws__memo_free(m);
	fake_dispose(&f);
	return sends;
}

void test_aws_memo__concurrent_identical_reads_share_one_call(void)
{
	struct reader rs[4];
	int i;
	T_ASSERT_INT(concurrent("DescribeNetworkInterfaces", false, rs, 4), 1);
	for (i = 0; i < 4; i++) {
		T_OK(rs[i].rc);
		T_ASSERT_STR(rs[i].got, "q#1");
	}
}

void test_aws_memo__reads_after_a_write_do_not_join_an_older_call(void)
{
	struct reader rs[3];
	T_ASSERT_INT(concurrent("DescribeNetworkInterfaces", true, rs, 3), 2);
	T_ASSERT_STR(rs[0].got, "q#1");
	T_ASSERT_STR(rs[1].got, rs[2].got);
	T_ASSERT(strcmp(rs[1].got, "q#1") != 0);
}

void test_aws_memo__a_fact_in_flight_is_shared_across_other_writes(void)
{
	struct reader rs[3];
	T_ASSERT_INT(concurrent("DescribeAvailabilityZones", true, rs, 3), 1);
	T_ASSERT_STR(rs[2].got, "q#1");
}

/* A kept fact answers later reads with a view of one reply, not a copy;
 * the view outlives the entry (a write drops it) and a response that holds
 * a view can be sent again without touching the shared bytes. */
void test_aws_memo__replies_are_shared_views_that_outlive_the_entry(void)
{
	struct fake f;
	aws_memo *m = aws__memo_new();
	aws_request fact = form("DescribeAvailabilityZones", "z"), other = form("DescribeSubnets", "s");
	aws_request w = form("ModifyVpcAttribute", "m");
	aws_response r1, r2;
	aws_error e;
	const char *p1, *p2;
	char after_resend[64], first_after[64];
	bool views;
	fake_init(&f);
	aws_response_init(&r1);
	aws_response_init(&r2);
	T_OK(aws__memo_send(m, &fact, &r1, &e, fake_send, &f));
	T_OK(aws__memo_send(m, &fact, &r2, &e, fake_send, &f));
	p1 = r1.body.data;
	p2 = r2.body.data;
	views = r1.shared && r1.shared == r2.shared;
	aws__memo_wrote(m, &w);                                  /* frees the kept entry */
	T_OK(aws__memo_send(m, &other, &r2, &e, fake_send, &f)); /* r2 reused */
	snprintf(after_resend, sizeof after_resend, "%s", base_buf_cstr(&r2.body));
	snprintf(first_after, sizeof first_after, "%s", base_buf_cstr(&r1.body));
	aws_response_dispose(&r1);
	aws_response_dispose(&r2);
	aws__memo_free(m);
	fake_dispose(&f);
	T_ASSERT(views);
	T_ASSERT(p1 == p2);
	T_ASSERT_INT(f.sends, 2);
	T_ASSERT_STR(first_after, "z#1");
	T_ASSERT_STR(after_resend, "s#2");
}

/* A refreshing process shares the VPC-wide listings among its resources:
 * a kept listing answers identical reads (never the ENI polls of waits)
 * until the client's first write, after which nothing is kept again. */
void test_aws_memo__a_refresh_keeps_vpc_listings_until_the_first_write(void)
{
	struct fake f;
	aws_memo *m = aws__memo_new();
	char got[64];
	fake_init(&f);
	aws__memo_keep_listings(m, 60 * 1000);
	expect_reply(m, &f, "DescribeSubnets", "s", "s#1");
	expect_reply(m, &f, "DescribeSubnets", "s", "s#1");
	expect_reply(m, &f, "DescribeSecurityGroupRules", "r", "r#2");
	expect_reply(m, &f, "DescribeSecurityGroupRules", "r", "r#2");
	expect_reply(m, &f, "DescribeNetworkInterfaces", "n", "n#3");
	expect_reply(m, &f, "DescribeNetworkInterfaces", "n", "n#4");
	T_OK(call(m, &f, form("DeleteSubnet", "d"), got, sizeof got));
	aws__memo_wrote(m, &(aws_request){.op = "DeleteSubnet"});
	expect_reply(m, &f, "DescribeSubnets", "s", "s#6");
	expect_reply(m, &f, "DescribeSubnets", "s", "s#7");
	T_ASSERT_INT(f.sends, 7);
	aws__memo_free(m);
	fake_dispose(&f);
}

/* Kept only once asked for, and only for max_age_ms after the reply. */
void test_aws_memo__listings_are_kept_only_when_asked_and_for_a_while(void)
{
	struct fake f;
	aws_memo *m = aws__memo_new();
	fake_init(&f);
	expect_reply(m, &f, "DescribeRouteTables", "t", "t#1");
	expect_reply(m, &f, "DescribeRouteTables", "t", "t#2");
	aws__memo_keep_listings(m, 40);
	expect_reply(m, &f, "DescribeRouteTables", "t", "t#3");
	expect_reply(m, &f, "DescribeRouteTables", "t", "t#3");
	usleep(80 * 1000);
	expect_reply(m, &f, "DescribeRouteTables", "t", "t#4");
	expect_reply(m, &f, "DescribeRouteTables", "t", "t#4");
	T_ASSERT_INT(f.sends, 4);
	aws__memo_free(m);
	fake_dispose(&f);
}
