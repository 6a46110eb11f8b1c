/*
 * aws_ec2_batch.c - calls by id that concurrent callers share: the rules of
 * one security group (aws_ec2_sg_rules_of) and taking tags off one resource
 * (aws_ec2_untag_batched).
 *
 * Every resource refresh asks for the rules of its own lambda SG, and every
 * destroy takes its registrations off its own lambda SG. Asked one by one,
 * N resources cost N calls; a group-id filter takes many groups (a group
 * that does not exist is simply absent) and DeleteTags many resources, so
 * the callers of one client asking the same kind of thing (for DeleteTags:
 * the same keys) are combined: the first caller sends at once with its own
 * id; callers arriving while a call of that kind is on the wire join one
 * open batch, sent by its first member as soon as that call is answered.
 * Each caller gets a copy of its own group's rules.
 *
 * A member joins a batch before it is sent, so the reply it gets was asked
 * for after its call began (never older than a write the caller made
 * before). A failed read is every member's failure (the call was retried by
 * the client already); a failed DeleteTags of several resources (one of
 * them gone, say) is sent again by each member alone.
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

typedef enum { BATCH_RULES, BATCH_UNTAG } batch_kind;

struct batch {
	struct batch *next;
	aws_client *c;
	batch_kind kind;
	char *keys_sig; /* BATCH_UNTAG: the keys, joined (members ask for the same) */
	aws_tags keys;  /* BATCH_UNTAG, in a */
	base_arena *a;  /* ids, keys, reply */
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

static bool same_kind(const struct batch *b, const aws_client *c, batch_kind kind, const char *keys_sig)
{
	return b->c == c && b->kind == kind && base_str_eq(b->keys_sig, keys_sig);
}

/* A batch of that kind sent and not answered yet. batch_mu held. */
static bool on_the_wire(const struct batch *of)
{
	const struct batch *b;
	for (b = batches; b; b = b->next)
		if (same_kind(b, of->c, of->kind, of->keys_sig) && b->sent && !b->done)
			return true;
	return false;
}

/* The open batch of that kind with room, or NULL. batch_mu held. */
static struct batch *open_batch(const aws_client *c, batch_kind kind, const char *keys_sig)
{
	struct batch *b;
	for (b = batches; b; b = b->next)
		if (same_kind(b, c, kind, keys_sig) && !b->sent && b->n < BATCH_MAX_GROUPS)
			return b;
	return NULL;
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

/* Joins (or opens, *leader) the open batch of that kind with id. batch_mu held. */
static struct batch *join(aws_client *c, batch_kind kind, aws_tags keys, const char *keys_sig, const char *id,
                          bool *leader)
{
	struct batch *b = open_batch(c, kind, keys_sig);
	size_t i;
	*leader = !b;
	if (!b) {
		b = base_xcalloc(1, sizeof *b);
		b->c = c;
		b->kind = kind;
		b->a = base_arena_new();
		b->keys_sig = base_arena_strdup(b->a, keys_sig);
		b->keys = copy_tags(b->a, keys);
		b->next = batches;
		batches = b;
	}
	for (i = 0; i < b->n && !base_str_eq(b->ids[i], id); i++)
		;
	if (i == b->n)
		b->ids[b->n++] = base_arena_strdup(b->a, id);
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
	while (on_the_wire(b))
		pthread_cond_wait(&batch_cv, &batch_mu);
	b->sent = true;
	pthread_mutex_unlock(&batch_mu);
	memset(&rules, 0, sizeof rules);
	aws_error_clear(&err);
	if (b->kind == BATCH_RULES) {
		f.name = "group-id";
		f.values = (aws_strs){b->ids, b->n};
		rc = aws_ec2_describe_security_group_rules(b->c, b->a, (aws_strs){NULL, 0},
		                                           (aws_filters){&f, 1}, &rules, &err);
	} else {
		rc = aws_ec2_delete_tags(b->c, b->a, (aws_strs){b->ids, b->n}, b->keys, &err);
	}
	pthread_mutex_lock(&batch_mu);
	b->rc = rc;
	b->err = err;
	b->rules = rules;
	b->done = true;
	pthread_cond_broadcast(&batch_cv);
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

/* Leaves b (the last member frees it). batch_mu held. */
static void leave(struct batch *b)
{
	if (--b->members == 0) {
		struct batch **pp = &batches;
		while (*pp != b)
			pp = &(*pp)->next;
		*pp = b->next;
		base_arena_free(b->a);
		base_free(b);
	}
}

/* Joins a batch of that kind with id, has it sent, waits for its answer.
 * batch_mu held on entry and exit. */
static struct batch *run(aws_client *c, batch_kind kind, aws_tags keys, const char *keys_sig, const char *id)
{
	bool leader;
	struct batch *b = join(c, kind, keys, keys_sig, id, &leader);
	if (leader)
		send_batch(b);
	while (!b->done)
		pthread_cond_wait(&batch_cv, &batch_mu);
	return b;
}

/* Copies group_id's share of b into a and leaves b. batch_mu held. */
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
	leave(b);
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
	int rc;
	if (err)
		aws_error_clear(err);
	pthread_mutex_lock(&batch_mu);
	b = run(c, BATCH_RULES, (aws_tags){NULL, 0}, "", group_id);
	rc = take_share(b, a, group_id, out, err);
	pthread_mutex_unlock(&batch_mu);
	return rc;
}

int aws_ec2_untag_batched(aws_client *c, base_arena *a, const char *resource_id, aws_tags keys,
                          aws_error *err)
{
	const char *sig = "";
	struct batch *b;
	size_t i, n;
	int rc;
	if (keys.n == 0)
		return BASE_OK;
	for (i = 0; i < keys.n; i++)
		sig = base_arena_sprintf(a, "%s%s=%s;", sig, keys.v[i].key ? keys.v[i].key : "",
		                         keys.v[i].value ? keys.v[i].value : "\x01");
	pthread_mutex_lock(&batch_mu);
	b = run(c, BATCH_UNTAG, keys, sig, resource_id);
	rc = b->rc;
	n = b->n;
	if (rc != BASE_OK && err)
		*err = b->err;
	leave(b);
	pthread_mutex_unlock(&batch_mu);
	if (rc != BASE_OK && n > 1) { /* one of the others may have failed it: alone */
		const char *one[] = {resource_id};
		rc = aws_ec2_delete_tags(c, a, (aws_strs){one, 1}, keys, err);
	}
	return rc;
}
