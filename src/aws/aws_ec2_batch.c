/*
 * aws_ec2_batch.c - reads by id that concurrent callers share: the rules of
 * one security group (aws_ec2_sg_rules_of).
 *
 * Every resource refresh asks for the rules of its own lambda SG. Asked one
 * by one, N resources cost N DescribeSecurityGroupRules; a group-id filter
 * takes many groups (a group that does not exist is simply absent), so the
 * callers of one client are combined: the first caller sends at once with
 * its own group; callers arriving while that call is on the wire join one
 * open batch, sent by its first member as soon as the call on the wire is
 * answered. Each caller gets a copy of its own group's rules.
 *
 * A member joins a batch before it is sent, so the reply it gets was asked
 * for after its call began (never older than a write the caller made
 * before). A failure is every member's failure (the call was retried by
 * the client already).
 *
 * Thread safety: one process-wide mutex and condition variable; no AWS call
 * is made while the mutex is held. A batch lives until its last member has
 * copied its share.
 */
#include <pthread.h>
#include <string.h>

#include "aws/aws_ec2.h"
#include "aws/aws_int.h"
#include "base/base_alloc.h"
#include "base/base_str.h"

/* AWS takes up to 200 values per filter; stay well below. */
#define BATCH_MAX_GROUPS 100

struct batch {
	struct batch *next;
	aws_client *c;
	base_arena *a; /* ids, reply */
	const char *ids[BATCH_MAX_GROUPS];
	size_t n;
	bool sent, done;
	unsigned members; /* still to copy their share */
	int rc;
	aws_error err;
	aws_ec2_sg_rules rules;
};

static pthread_mutex_t batch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t batch_cv = PTHREAD_COND_INITIALIZER;
static struct batch *batches; /* guarded by batch_mu */

/* A batch of c sent and not answered yet. batch_mu held. */
static bool on_the_wire(const aws_client *c)
{
	const struct batch *b;
	for (b = batches; b; b = b->next)
		if (b->c == c && b->sent && !b->done)
			return true;
	return false;
}

/* The open batch of c with room, or NULL. batch_mu held. */
static struct batch *open_batch(const aws_client *c)
{
	struct batch *b;
	for (b = batches; b; b = b->next)
		if (b->c == c && !b->sent && b->n < BATCH_MAX_GROUPS)
			return b;
	return NULL;
}

/* Joins (or opens, *leader) the open batch of c with group_id. batch_mu held. */
static struct batch *join(aws_client *c, const char *group_id, bool *leader)
{
	struct batch *b = open_batch(c);
	size_t i;
	*leader = !b;
	if (!b) {
		b = base_xcalloc(1, sizeof *b);
		b->c = c;
		b->a = base_arena_new();
		b->next = batches;
		batches = b;
	}
	for (i = 0; i < b->n && !base_str_eq(b->ids[i], group_id); i++)
		;
	if (i == b->n)
		b->ids[b->n++] = base_arena_strdup(b->a, group_id);
	b->members++;
	return b;
}

/* Sends b (its leader; batch_mu held on entry and exit, released while
 * the call is on the wire). */
static void send_batch(struct batch *b)
{
	aws_filter f;
	aws_ec2_sg_rules rules;
	aws_error err;
	int rc;
	while (on_the_wire(b->c))
		pthread_cond_wait(&batch_cv, &batch_mu);
	b->sent = true;
	pthread_mutex_unlock(&batch_mu);
	f.name = "group-id";
	f.values = (aws_strs){b->ids, b->n};
	memset(&rules, 0, sizeof rules);
	rc = aws_ec2_describe_security_group_rules(b->c, b->a, (aws_strs){NULL, 0}, (aws_filters){&f, 1},
	                                           &rules, &err);
	pthread_mutex_lock(&batch_mu);
	b->rc = rc;
	b->err = err;
	b->rules = rules;
	b->done = true;
	pthread_cond_broadcast(&batch_cv);
}

static aws_tags copy_tags(base_arena *a, aws_tags t)
{
	aws_tag *v = base_arena_calloc(a, t.n + 1, sizeof *v);
	size_t i;
	for (i = 0; i < t.n; i++) {
		v[i].key = base_arena_strdup(a, t.v[i].key);
		v[i].value = base_arena_strdup(a, t.v[i].value);
	}
	return (aws_tags){v, t.n};
}

static void copy_rule(base_arena *a, const aws_ec2_sg_rule *r, aws_ec2_sg_rule *o)
{
	*o = *r;
	o->rule_id = base_arena_strdup(a, r->rule_id);
	o->group_id = base_arena_strdup(a, r->group_id);
	o->group_owner_id = base_arena_strdup(a, r->group_owner_id);
	o->ip_protocol = base_arena_strdup(a, r->ip_protocol);
	o->cidr_ipv4 = base_arena_strdup(a, r->cidr_ipv4);
	o->cidr_ipv6 = base_arena_strdup(a, r->cidr_ipv6);
	o->prefix_list_id = base_arena_strdup(a, r->prefix_list_id);
	o->referenced_group_id = base_arena_strdup(a, r->referenced_group_id);
	o->description = base_arena_strdup(a, r->description);
	o->tags = copy_tags(a, r->tags);
}

/* Copies group_id's share of b into a and leaves b (the last member frees
 * it). batch_mu held. */
static int take_share(struct batch *b, base_arena *a, const char *group_id, aws_ec2_sg_rules *out,
                      aws_error *err)
{
	int rc = b->rc;
	size_t i;
	memset(out, 0, sizeof *out);
	if (rc == BASE_OK) {
		out->v = base_arena_calloc(a, b->rules.n + 1, sizeof *out->v);
		for (i = 0; i < b->rules.n; i++)
			if (base_str_eq(b->rules.v[i].group_id, group_id))
				copy_rule(a, &b->rules.v[i], &out->v[out->n++]);
	} else if (err) {
		*err = b->err;
	}
	if (--b->members == 0) {
		struct batch **pp = &batches;
		while (*pp != b)
			pp = &(*pp)->next;
		*pp = b->next;
		base_arena_free(b->a);
		base_free(b);
	}
	return rc;
}

size_t aws__ec2_batch_waiting(void)
{
	const struct batch *b;
	size_t n = 0;
	pthread_mutex_lock(&batch_mu);
	for (b = batches; b; b = b->next)
		if (!b->sent)
			n += b->members;
	pthread_mutex_unlock(&batch_mu);
	return n;
}

int aws_ec2_sg_rules_of(aws_client *c, base_arena *a, const char *group_id, aws_ec2_sg_rules *out,
                        aws_error *err)
{
	struct batch *b;
	bool leader;
	int rc;
	if (err)
		aws_error_clear(err);
	pthread_mutex_lock(&batch_mu);
	b = join(c, group_id, &leader);
	if (leader)
		send_batch(b);
	while (!b->done)
		pthread_cond_wait(&batch_cv, &batch_mu);
	rc = take_share(b, a, group_id, out, err);
	pthread_mutex_unlock(&batch_mu);
	return rc;
}
