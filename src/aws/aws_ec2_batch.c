/*
 * aws_ec2_batch.c - DeleteTags that concurrent callers share: taking the
 * same keys off many resources (aws_ec2_untag_batched).
 *
 * Every destroy takes its registrations off its own lambda SG. Sent one by
 * one, N destroys cost N calls; DeleteTags takes many resources, so the
 * callers of one client taking off the same keys are combined: the first
 * caller sends at once with its own resource; callers arriving while a call
 * with the same keys is on the wire join one open batch, sent by its first
 * member as soon as that call is answered. A failed batch of several (one
 * of its resources gone, say) is sent again by each member alone, so each
 * gets the outcome of its own resource; a failed call of one is its
 * caller's failure.
 *
 * Thread safety: one process-wide mutex and condition variable; no AWS call
 * is made while the mutex is held. A batch lives until its last member has
 * read its outcome.
 */
#include <pthread.h>
#include <string.h>

#include "aws/aws_ec2.h"
#include "aws/aws_int.h"
#include "base/base_alloc.h"
#include "base/base_str.h"

/* Resources per call; a batch that is full leaves arrivals to the next. */
#define BATCH_MAX_IDS 100

struct batch {
	struct batch *next;
	aws_client *c;
	char *keys_sig; /* the keys, joined (members take off the same) */
	aws_tags keys;  /* in a */
	base_arena *a;  /* ids, keys */
	const char *ids[BATCH_MAX_IDS];
	size_t n;
	bool sent, done;
	unsigned members; /* still to read the outcome */
	int rc;
	aws_error err;
};

static pthread_mutex_t batch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t batch_cv = PTHREAD_COND_INITIALIZER;
static struct batch *batches; /* guarded by batch_mu */

static bool same_keys(const struct batch *b, const aws_client *c, const char *keys_sig)
{
	return b->c == c && base_str_eq(b->keys_sig, keys_sig);
}

/* A batch with those keys sent and not answered yet. batch_mu held. */
static bool on_the_wire(const struct batch *of)
{
	const struct batch *b;
	for (b = batches; b; b = b->next)
		if (same_keys(b, of->c, of->keys_sig) && b->sent && !b->done)
			return true;
	return false;
}

/* The open batch with those keys and room, or NULL. batch_mu held. */
static struct batch *open_batch(const aws_client *c, const char *keys_sig)
{
	struct batch *b;
	for (b = batches; b; b = b->next)
		if (same_keys(b, c, keys_sig) && !b->sent && b->n < BATCH_MAX_IDS)
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

/* Joins (or opens, *leader) the open batch with those keys with id (named
 * once however many members ask for it). batch_mu held. */
static struct batch *join(aws_client *c, aws_tags keys, const char *keys_sig, const char *id, bool *leader)
{
	struct batch *b = open_batch(c, keys_sig);
	size_t i;
	*leader = !b;
	if (!b) {
		b = base_xcalloc(1, sizeof *b);
		b->c = c;
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
	aws_error err;
	int rc;
	while (on_the_wire(b))
		pthread_cond_wait(&batch_cv, &batch_mu);
	b->sent = true;
	pthread_mutex_unlock(&batch_mu);
	aws_error_clear(&err);
	rc = aws_ec2_delete_tags(b->c, b->a, (aws_strs){b->ids, b->n}, b->keys, &err);
	pthread_mutex_lock(&batch_mu);
	b->rc = rc;
	b->err = err;
	b->done = true;
	pthread_cond_broadcast(&batch_cv);
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

int aws_ec2_untag_batched(aws_client *c, base_arena *a, const char *resource_id, aws_tags keys,
                          aws_error *err)
{
	const char *sig = "";
	struct batch *b;
	bool leader;
	size_t i, n;
	int rc;
	if (keys.n == 0)
		return BASE_OK;
	for (i = 0; i < keys.n; i++)
		sig = base_arena_sprintf(a, "%s%s=%s;", sig, keys.v[i].key ? keys.v[i].key : "",
		                         keys.v[i].value ? keys.v[i].value : "\x01");
	pthread_mutex_lock(&batch_mu);
	b = join(c, keys, sig, resource_id, &leader);
	if (leader)
		send_batch(b);
	while (!b->done)
		pthread_cond_wait(&batch_cv, &batch_mu);
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
