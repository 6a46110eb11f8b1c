/*
 * recon_endpoint_share.c - the objects every lambdavpc function of a VPC
 * shares, and the ownership rule that keeps exactly one of each.
 *
 * Shared per VPC (tag lambdavpc:shared = <vpc-id>, never lambdavpc:function):
 *   endpoint SG  lambdavpc-endpoints-<vpc>: ingress tcp/443 from the clients
 *                SG only (one rule), no egress;
 *   clients SG   lambdavpc-clients-<vpc>: egress tcp/443 to the endpoint SG
 *                only (one rule), no ingress; every function that uses an
 *                interface endpoint has [its lambda SG, clients SG] in its
 *                VpcConfig, so no shared object carries a per-function rule;
 *   one interface endpoint per service, behind the endpoint SG.
 * Users registry: a function uses service S while its own lambda SG carries
 * tag lambdavpc:uses:<S> = 1. Users of S = DescribeSecurityGroups (vpc-id,
 * tag-key); users of the shared SGs = every lambda SG (tag-key
 * lambdavpc:function) in the VPC.
 * Rule: register before looking; unregister before deciding; look + create
 * and decide + delete run under a process-wide lock per VPC (share_lock), so
 * within one provider process exactly one create wins and the last user out
 * deletes. Across processes: a create AWS refuses for a conflicting private
 * DNS domain polls until the other endpoint is listed and adopts it;
 * duplicates (moto accepts them) fold to the lowest id; a leaving user
 * moves the endpoint off its subnets onto a remaining user's (smallest name
 * first), and re-checks every shared endpoint right before its subnets go.
 * A foreign endpoint (no shared tag) is reused when allowed, never touched.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "base/base_alloc.h"
#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_int.h"

/* ---- the per-VPC lock (striped: two VPCs may share a stripe) ---- */

#define SHARE_STRIPES 16
static pthread_mutex_t stripes[SHARE_STRIPES] = {
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
        PTHREAD_MUTEX_INITIALIZER};

static pthread_mutex_t *share_mu(const char *vpc)
{
	unsigned h = 5381;
	for (; vpc && *vpc; vpc++)
		h = h * 33u + (unsigned char)*vpc;
	return &stripes[h % SHARE_STRIPES];
}

static unsigned stripe_of(const char *vpc)
{
	return (unsigned)(share_mu(vpc) - stripes);
}

/* A ring of the last RING_SLOTS strings noted, per stripe: each slot owns
 * its copy and frees it when reused (the last ones live until exit).
 * Guarded by the stripe's lock. */
#define RING_SLOTS 32
struct ring {
	char *v[RING_SLOTS];
	unsigned next;
};

/* Lock of vpc held. */
static void ring_note(struct ring *per_stripe, const char *vpc, const char *s)
{
	struct ring *r = &per_stripe[stripe_of(vpc)];
	unsigned slot = r->next++ % RING_SLOTS;
	base_free(r->v[slot]);
	r->v[slot] = base_xstrdup(s);
}

/* Lock of vpc held. */
static bool ring_has(const struct ring *per_stripe, const char *vpc, const char *s)
{
	const struct ring *r = &per_stripe[stripe_of(vpc)];
	unsigned i;
	for (i = 0; i < RING_SLOTS; i++)
		if (base_str_eq(r->v[i], s))
			return true;
	return false;
}

/* Endpoints this process deleted: resources leaving together all look at
 * the endpoint before the first of them deletes it; the others must not
 * check its users and delete it again. */
static struct ring deleted_eps[SHARE_STRIPES];

/* Functions this process moved a shared endpoint onto (evacuate): their
 * refresh's view no longer tells where the endpoints sit. */
static struct ring handed_fns[SHARE_STRIPES];

/* Lock of vpc held (the four below). */
static bool deleted_here(const char *vpc, const char *endpoint_id)
{
	return ring_has(deleted_eps, vpc, endpoint_id);
}

static void note_deleted(const char *vpc, const char *endpoint_id)
{
	ring_note(deleted_eps, vpc, endpoint_id);
}

static void note_handed(const char *vpc, const char *fn)
{
	ring_note(handed_fns, vpc, fn);
}

static bool handed_here(const char *vpc, const char *fn)
{
	return ring_has(handed_fns, vpc, fn);
}

/* ---- the last finding of the shared SGs, for the next functions ----
 *
 * The functions of one apply ensure the VPC's shared SGs one after the
 * other under the VPC lock, and each finding would be the same as the one
 * before. A function may use the last finding (both SGs holding exactly
 * their one rule) instead of its own when it was sent after the function
 * began ensuring (share_seq) and this process wrote no shared SG since it
 * was sent (sg_writes of the stripe, counted before and after every write):
 * it is then what its own finding would have been as far as this process
 * can tell. Guarded by the stripe's lock (the counters are atomic). */
static atomic_uint_fast64_t share_seq;
static atomic_uint_fast64_t sg_writes[SHARE_STRIPES];

static uint64_t seq_next(void)
{
	return (uint64_t)atomic_fetch_add(&share_seq, 1) + 1;
}

static uint64_t sg_writes_now(const char *vpc)
{
	return (uint64_t)atomic_load(&sg_writes[stripe_of(vpc)]);
}

static void sg_wrote(const char *vpc)
{
	atomic_fetch_add(&sg_writes[stripe_of(vpc)], 1);
}

uint64_t recon__shared_sg_writes(const char *vpc)
{
	return sg_writes_now(vpc);
}

struct locked {
	struct ex *x;
	recon_poll_fn try_fn;
	void *ctx;
};

static int locked_poll(void *ctx, bool *done)
{
	struct locked *l = ctx;
	pthread_mutex_t *mu = share_mu(l->x->vpc);
	int rc;
	pthread_mutex_lock(mu);
	rc = l->try_fn(l->ctx, done);
	pthread_mutex_unlock(mu);
	return rc;
}

/* Polls try_fn, each try under the VPC lock (the lock is not held while
 * sleeping), with backoff until done or the deadline. */
static int wait_locked(struct ex *x, recon_poll_fn try_fn, void *ctx)
{
	struct locked l = {x, try_fn, ctx};
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	return recon_wait_until(&x->clk, &w, locked_poll, &l, NULL);
}

/* RECON_SHARED_TAG = vpc, then the provider's default_tags (d->shared_tags;
 * a default tag with the shared key is dropped: ownership wins). */
aws_tags recon__shared_tags(const struct ex *x, base_arena *t)
{
	aws_tags dt = x->d ? x->d->shared_tags : (aws_tags){NULL, 0};
	aws_tag *v = base_arena_calloc(t, dt.n + 1, sizeof *v);
	size_t i, n = 1;
	v[0].key = RECON_SHARED_TAG;
	v[0].value = x->vpc;
	for (i = 0; i < dt.n; i++)
		if (!base_str_eq(dt.v[i].key, RECON_SHARED_TAG))
			v[n++] = dt.v[i];
	return (aws_tags){v, n};
}

static const char *use_key(base_arena *t, const char *service)
{
	return base_arena_sprintf(t, "%s%s", RECON_USER_TAG_PREFIX, service);
}

/* x->tags plus the users-registry tag of every interface service the
 * desired bundle uses: a new lambda SG is created with them, so joining
 * needs no CreateTags (recon__ep_join skips a registration the SG holds). */
aws_tags recon__lambda_sg_tags(const struct ex *x, base_arena *t)
{
	size_t i, n = x->tags.n, cap = x->tags.n + (x->d ? x->d->n_endpoints : 0);
	aws_tag *v = base_arena_calloc(t, cap + 1, sizeof *v);
	if (x->tags.n)
		memcpy(v, x->tags.v, x->tags.n * sizeof *v);
	for (i = 0; x->d && i < x->d->n_endpoints; i++)
		if (!x->d->endpoints[i].gateway) {
			v[n].key = use_key(t, x->d->endpoints[i].service);
			v[n++].value = "1";
		}
	return (aws_tags){v, n};
}

/* Our lambda SG already carries key (as the state knows it). */
static bool registered_as(struct ex *x, const char *key)
{
	const char *id;
	aws_tags have;
	return recon__st_tag_target(x, "sg:lambda", &id, &have) && recon__tag(have, key) != NULL;
}

/* Lambda SGs in the VPC carrying any of the tag keys, except self. */
static int users_of(struct ex *x, base_arena *t, aws_strs keys, const char *self, aws_ec2_sgs *out,
                    aws_error *e)
{
	const char *vpc[] = {x->vpc};
	aws_filter f[2];
	size_t i, n = 0;
	int rc;
	f[0] = recon__flt("vpc-id", vpc, 1);
	f[1] = recon__flt("tag-key", keys.v, keys.n);
	rc = aws_ec2_describe_security_groups(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, out, e);
	if (rc != BASE_OK)
		return rc;
	for (i = 0; i < out->n; i++)
		if (!base_str_eq(out->v[i].group_id, self) && recon__tag(out->v[i].tags, RECON_OWNER_TAG))
			out->v[n++] = out->v[i];
	out->n = n;
	return BASE_OK;
}

/* Lambda SGs in the VPC carrying tag_key, except self. */
static int users(struct ex *x, base_arena *t, const char *tag_key, const char *self, aws_ec2_sgs *out,
                 aws_error *e)
{
	const char *key[] = {tag_key};
	return users_of(x, t, (aws_strs){key, 1}, self, out, e);
}

/* The users of service (SGs of u) that stay: a function this process is
 * destroying or moving off the service (registered to leave it,
 * recon_leavers.c) does not count. */
static aws_ec2_sgs staying(struct ex *x, base_arena *t, const aws_ec2_sgs *u, const char *service)
{
	aws_ec2_sg *v = base_arena_calloc(t, u->n + 1, sizeof *v);
	const char *key = base_arena_sprintf(t, "uses:%s", service);
	size_t i, n = 0;
	for (i = 0; i < u->n; i++) {
		const char *fn = recon__tag(u->v[i].tags, RECON_OWNER_TAG);
		if (!fn || !recon__leavers_has(x, key, fn))
			v[n++] = u->v[i];
	}
	return (aws_ec2_sgs){v, n};
}

/* The SGs of all that carry tag_key (borrowed from all, copied into t). */
static aws_ec2_sgs with_tag(base_arena *t, const aws_ec2_sgs *all, const char *tag_key)
{
	aws_ec2_sg *v = base_arena_calloc(t, all->n + 1, sizeof *v);
	size_t i, n = 0;
	for (i = 0; i < all->n; i++)
		if (recon__tag(all->v[i].tags, tag_key))
			v[n++] = all->v[i];
	return (aws_ec2_sgs){v, n};
}

/* ---- shared SGs ---- */

#define EP_RULE_DESC "lambdavpc: HTTPS from the VPC's lambdavpc functions"
#define CLIENTS_RULE_DESC "lambdavpc: HTTPS to the VPC's shared endpoints"

/* p is exactly "tcp/443 with group as its only peer". */
static bool exact_https(const aws_ec2_ip_perm *p, const char *group)
{
	return base_str_eq(p->ip_protocol, "tcp") && p->from_port == 443 && p->to_port == 443 &&
	       p->group_ids.n == 1 && base_str_eq(p->group_ids.v[0], group) && p->cidr_ipv4.n == 0 &&
	       p->cidr_ipv6.n == 0 && p->prefix_list_ids.n == 0;
}

static bool has_exact(const aws_ec2_ip_perm *p, size_t n, const char *group)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (exact_https(&p[i], group))
			return true;
	return false;
}

/* One side of a shared SG holds exactly its one rule (group != NULL: tcp/443
 * with that peer) or nothing (group == NULL). */
static bool side_exact(const aws_ec2_ip_perm *p, size_t n, const char *group)
{
	return group ? n == 1 && exact_https(&p[0], group) : n == 0;
}

bool recon__shared_sgs_exact(const aws_ec2_sg *ep, const aws_ec2_sg *cl)
{
	return side_exact(ep->ingress, ep->n_ingress, cl->group_id) &&
	       side_exact(ep->egress, ep->n_egress, NULL) &&
	       side_exact(cl->egress, cl->n_egress, ep->group_id) &&
	       side_exact(cl->ingress, cl->n_ingress, NULL);
}

/* Revokes every rule of one side of an existing shared SG but the one it
 * should hold (keep; NULL = none): rules added outside Terraform, or an
 * entry that mixes the expected peer with others (re-added exact below). */
static int revoke_extras(struct ex *x, base_arena *t, const aws_ec2_sg *g, bool egress, const char *keep,
                         aws_error *e)
{
	const aws_ec2_ip_perm *p = egress ? g->egress : g->ingress;
	size_t i, n = egress ? g->n_egress : g->n_ingress;
	int rc = BASE_OK;
	for (i = 0; rc == BASE_OK && i < n; i++) {
		aws_ec2_ip_perm r = p[i];
		if (keep && exact_https(&r, keep))
			continue;
		r.omit_ports = base_str_eq(r.ip_protocol, "-1");
		rc = recon__ok_if_gone(aws_ec2_revoke_security_group(x->c, t, g->group_id, egress, &r, 1, e), e);
	}
	return rc;
}

static void https_perm(aws_ec2_ip_perm *p, const char **group, const char *desc)
{
	memset(p, 0, sizeof *p);
	p->ip_protocol = "tcp";
	p->from_port = p->to_port = 443;
	p->group_ids = (aws_strs){group, 1};
	p->description = desc;
}

/* The two shared SGs by name (ids[0] endpoint, ids[1] clients; NULL = none). */
static int find_sgs(struct ex *x, base_arena *t, const aws_ec2_sg *g[2], aws_error *e)
{
	const char *vpc[] = {x->vpc}, *nm[2];
	aws_ec2_sgs found;
	aws_filter f[2];
	size_t i;
	int w, rc;
	nm[0] = recon_shared_sg_name(t, x->vpc, false);
	nm[1] = recon_shared_sg_name(t, x->vpc, true);
	f[0] = recon__flt("vpc-id", vpc, 1);
	f[1] = recon__flt("group-name", nm, 2);
	g[0] = g[1] = NULL;
	rc = aws_ec2_describe_security_groups(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &found, e);
	for (i = 0; rc == BASE_OK && i < found.n; i++)
		for (w = 0; w < 2; w++)
			if (base_str_eq(found.v[i].group_name, nm[w]))
				g[w] = &found.v[i]; /* cppcheck-suppress autoVariables ; found.v is in arena t
				                     */
	return rc;
}

/* One read of the VPC's SGs for the last-user check: *u = the lambda SGs
 * (RECON_OWNER_TAG) but self, g = the two shared SGs as find_sgs names them. */
static int users_and_sgs(struct ex *x, base_arena *t, const char *self, aws_ec2_sgs *u,
                         const aws_ec2_sg *g[2], aws_error *e)
{
	const char *vpc[] = {x->vpc}, *nm[2];
	aws_filter f = recon__flt("vpc-id", vpc, 1);
	aws_ec2_sgs all;
	aws_ec2_sg *v;
	size_t i, n = 0;
	int w, rc = aws_ec2_describe_security_groups(x->c, t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &all,
	                                             e);
	g[0] = g[1] = NULL;
	u->v = NULL;
	u->n = 0;
	if (rc != BASE_OK)
		return rc;
	nm[0] = recon_shared_sg_name(t, x->vpc, false);
	nm[1] = recon_shared_sg_name(t, x->vpc, true);
	v = base_arena_calloc(t, all.n + 1, sizeof *v);
	for (i = 0; i < all.n; i++) {
		for (w = 0; w < 2; w++)
			if (base_str_eq(all.v[i].group_name, nm[w]))
				g[w] = &all.v[i]; /* cppcheck-suppress autoVariables ; all.v is in arena t */
		if (!base_str_eq(all.v[i].group_id, self) && recon__tag(all.v[i].tags, RECON_OWNER_TAG))
			v[n++] = all.v[i];
	}
	*u = (aws_ec2_sgs){v, n};
	return BASE_OK;
}

/* Creates shared SG w (Duplicate: another creator won; found again) and
 * removes AWS's default allow-all egress. */
static int create_sg(struct ex *x, base_arena *t, int w, const char **id, aws_error *e)
{
	aws_ec2_sg_spec spec;
	int rc;
	memset(&spec, 0, sizeof spec);
	spec.group_name = recon_shared_sg_name(t, x->vpc, w == 1);
	spec.description = w ? "lambdavpc functions of this VPC: HTTPS to its endpoints only"
	                     : "VPC endpoints shared by lambdavpc functions: HTTPS from them only";
	spec.vpc_id = x->vpc;
	spec.tags = recon__shared_tags(x, t);
	rc = aws_ec2_create_security_group(x->c, t, &spec, id, e);
	if (rc != BASE_OK)
		return rc;
	return recon__revoke_default_egress(x, t, *id, e);
}

/* The last time this process found the two shared SGs of a VPC as they
 * should be (one per stripe; see share_seq above). Lock of the VPC held. */
struct sgs_ok {
	char *vpc, *ids[2];
	uint64_t sent, writes;
};
static struct sgs_ok sgs_ok[SHARE_STRIPES];

static void sgs_ok_keep(const char *vpc, uint64_t sent, uint64_t writes, const char *const ids[2])
{
	struct sgs_ok *k = &sgs_ok[stripe_of(vpc)];
	if (base_str_eq(k->vpc, vpc) && k->sent > sent)
		return;
	base_free(k->vpc);
	base_free(k->ids[0]);
	base_free(k->ids[1]);
	k->vpc = base_xstrdup(vpc);
	k->ids[0] = base_xstrdup(ids[0]);
	k->ids[1] = base_xstrdup(ids[1]);
	k->sent = sent;
	k->writes = writes;
}

static bool sgs_ok_reuse(const char *vpc, uint64_t began, base_arena *t, const char *ids[2])
{
	const struct sgs_ok *k = &sgs_ok[stripe_of(vpc)];
	if (!began || !base_str_eq(k->vpc, vpc) || k->sent <= began || k->writes != sg_writes_now(vpc))
		return false;
	ids[0] = base_arena_strdup(t, k->ids[0]);
	ids[1] = base_arena_strdup(t, k->ids[1]);
	return true;
}

static int ensure_writes(struct ex *x, base_arena *t, const aws_ec2_sg *g[2], const char *ids[2],
                         aws_error *e);

/* The two shared SGs with exactly their one rule each; began: share_seq
 * when the caller began (0: it may not use a kept finding). */
static int ensure_locked(struct ex *x, base_arena *t, uint64_t began, const char *ids[2], aws_error *e)
{
	const aws_ec2_sg *g[2];
	uint64_t sent, writes;
	int rc;
	if (sgs_ok_reuse(x->vpc, began, t, ids))
		return BASE_OK;
	writes = sg_writes_now(x->vpc);
	g[0] = g[1] = NULL;
	/* When this function's observe (sent after it began) found no shared SG
	 * in the VPC and this process wrote none since, a look now would find
	 * none either, as far as this process can tell: both are created
	 * without one. Another process creating them meanwhile makes our create
	 * answer InvalidGroup.Duplicate (side_create looks then). */
	if (!began || !recon__st_no_shared_sgs_seen(x, writes)) {
		sent = seq_next();
		rc = find_sgs(x, t, g, e);
		if (rc != BASE_OK)
			return rc;
		if (g[0] && g[1] && recon__shared_sgs_exact(g[0], g[1])) {
			ids[0] = g[0]->group_id; /* nothing to write */
			ids[1] = g[1]->group_id;
			sgs_ok_keep(x->vpc, sent, writes, ids);
			return BASE_OK;
		}
	}
	sg_wrote(x->vpc);
	rc = ensure_writes(x, t, g, ids, e);
	sg_wrote(x->vpc);
	return rc;
}

/* One side of the shared pair (w: 0 endpoint SG, 1 clients SG), worked on
 * by its own thread with its own arena: the two sides' calls do not depend
 * on each other until the rules, which name the other side's id. */
struct sg_side {
	struct ex *x;
	int w;
	const aws_ec2_sg *g; /* as found, or NULL */
	const char *id, *peer_id;
	base_arena *t;
	aws_error e;
	int rc;
};

/* Runs f on a and b at once (b on a new thread; both here when none starts). */
static void both_sides(void *(*f)(void *), struct sg_side *a, struct sg_side *b)
{
	pthread_t th;
	bool started = pthread_create(&th, NULL, f, b) == 0;
	(void)f(a);
	if (started)
		pthread_join(th, NULL);
	else
		(void)f(b);
}

/* Creates side w when it was not found (Duplicate: another creator won;
 * found again). */
static void *side_create(void *arg)
{
	struct sg_side *d = arg;
	d->id = d->g ? d->g->group_id : NULL;
	if (d->g)
		return NULL;
	d->rc = create_sg(d->x, d->t, d->w, &d->id, &d->e);
	if (d->rc == BASE_EAWS && aws_error_is(&d->e, "InvalidGroup.Duplicate")) {
		const aws_ec2_sg *again[2];
		d->rc = find_sgs(d->x, d->t, again, &d->e);
		if (d->rc == BASE_OK && again[d->w])
			d->id = again[d->w]->group_id;
	}
	return NULL;
}

/* Side w holds exactly its one rule: the endpoint SG ingress 443 from the
 * clients SG, the clients SG egress 443 to the endpoint SG. A found SG may
 * hold other rules (AWS's default allow-all egress of one an interrupted
 * apply created, or rules added by hand): only rules that differ are
 * revoked, and the one rule is added only when missing. */
static void *side_rules(void *arg)
{
	struct sg_side *d = arg;
	bool egress = d->w == 1;
	const aws_ec2_sg *g = d->g;
	aws_ec2_ip_perm p;
	aws_ec2_sg_rules made;
	if (g) {
		d->rc = revoke_extras(d->x, d->t, g, egress, d->peer_id, &d->e);
		if (d->rc == BASE_OK)
			d->rc = revoke_extras(d->x, d->t, g, !egress, NULL, &d->e);
		if (d->rc != BASE_OK)
			return NULL;
		if (egress ? has_exact(g->egress, g->n_egress, d->peer_id)
		           : has_exact(g->ingress, g->n_ingress, d->peer_id))
			return NULL;
	}
	https_perm(&p, &d->peer_id, egress ? CLIENTS_RULE_DESC : EP_RULE_DESC);
	d->rc = aws_ec2_authorize_security_group(d->x->c, d->t, d->id, egress, &p, 1,
	                                         recon__shared_tags(d->x, d->t), &made, &d->e);
	if (d->rc == BASE_EAWS && aws_error_is(&d->e, "InvalidPermission.Duplicate"))
		d->rc = BASE_OK;
	return NULL;
}

/* The first failure of the two sides into e (side 0 first), or BASE_OK. */
static int sides_rc(const struct sg_side d[2], aws_error *e)
{
	int w;
	for (w = 0; w < 2; w++)
		if (d[w].rc != BASE_OK) {
			*e = d[w].e;
			return d[w].rc;
		}
	return BASE_OK;
}

/* Creates what find_sgs did not find (g), makes each SG's rules exactly its
 * one; ids (in t) = the two groups. */
static int ensure_writes(struct ex *x, base_arena *t, const aws_ec2_sg *g[2], const char *ids[2],
                         aws_error *e)
{
	struct sg_side d[2];
	int w, rc;
	memset(d, 0, sizeof d);
	for (w = 0; w < 2; w++) {
		d[w].x = x;
		d[w].w = w;
		d[w].g = g[w];
		d[w].t = base_arena_new();
	}
	both_sides(side_create, &d[0], &d[1]);
	rc = sides_rc(d, e);
	if (rc == BASE_OK && (!d[0].id || !d[1].id))
		rc = BASE_ENOTFOUND;
	if (rc == BASE_OK) {
		d[0].peer_id = d[1].id;
		d[1].peer_id = d[0].id;
		both_sides(side_rules, &d[0], &d[1]);
		rc = sides_rc(d, e);
	}
	for (w = 0; w < 2; w++) {
		ids[w] = d[w].id ? base_arena_strdup(t, d[w].id) : NULL;
		base_arena_free(d[w].t);
	}
	return rc;
}

int recon__shared_sgs_ensure(struct ex *x, base_arena *t, aws_error *e)
{
	const char *ids[2] = {NULL, NULL};
	pthread_mutex_t *mu = share_mu(x->vpc);
	uint64_t began = seq_next(); /* a finding sent from now on is fresh enough */
	int rc;
	pthread_mutex_lock(mu);
	rc = ensure_locked(x, t, began, ids, e);
	pthread_mutex_unlock(mu);
	if (rc == BASE_OK)
		recon__st_set_shared_sgs(x, ids[0], ids[1]);
	return rc;
}

struct sg_del {
	struct ex *x;
	base_arena *t;
	aws_error *e;
	bool revoked; /* an earlier try revoked the endpoint SG's rule */
};

static int delete_sgs(struct ex *x, struct sg_del *d, const aws_ec2_sg *g[2], bool *done);

/* One try: no lambda SG left in the VPC -> drop the two rules and delete
 * both SGs; DependencyViolation (an endpoint or ENI still on them) -> not
 * done yet; a user appeared -> done, they stay. Under the VPC lock. */
static int try_delete_sgs(void *ctx, bool *done)
{
	struct sg_del *d = ctx;
	struct ex *x = d->x;
	aws_ec2_sgs u;
	const aws_ec2_sg *g[2];
	int rc;
	*done = true;
	/* Another destroy of this process deletes its lambda SG later: a lambda
	 * SG is left, and that destroy decides (recon_leavers.c). */
	if (!d->revoked && recon__leavers_decide(x, RECON_LEAVE_SHARED_SGS))
		return BASE_OK;
	rc = users_and_sgs(x, d->t, recon__st_sg_id(x, RECON_SG_LAMBDA), &u, g, d->e);
	if (rc == BASE_OK && u.n > 0 && d->revoked) {
		/* a user joined (another process) while an earlier try was
		 * deleting: the SGs stay, with their rules back */
		const char *ids[2] = {NULL, NULL};
		return ensure_locked(x, d->t, 0, ids, d->e);
	}
	if (rc != BASE_OK || u.n > 0 || (!g[0] && !g[1]))
		return rc;
	sg_wrote(x->vpc); /* counted again when done: a finding made meanwhile is not kept for use */
	rc = delete_sgs(x, d, g, done);
	sg_wrote(x->vpc);
	return rc;
}

/* Deletes the shared SGs g (their one rule first); DependencyViolation:
 * !*done, tried again. */
static int delete_sgs(struct ex *x, struct sg_del *d, const aws_ec2_sg *g[2], bool *done)
{
	aws_ec2_ip_perm p;
	int w, rc;
	if (g[0] && g[1]) {
		/* The endpoint SG's one rule names the clients SG: AWS refuses to
		 * delete a group another group's rule names, so that rule goes
		 * first, then the clients SG (its own rule goes with it), then the
		 * endpoint SG. A rule already gone is fine. The description is sent
		 * as authorized (moto matches it; AWS ignores it). */
		const char *c1[] = {g[1]->group_id};
		aws_error ig;
		https_perm(&p, c1, EP_RULE_DESC);
		(void)recon__ok_if_gone(
		        aws_ec2_revoke_security_group(x->c, d->t, g[0]->group_id, false, &p, 1, &ig), &ig);
		d->revoked = true;
	}
	for (w = 1; w >= 0; w--) {
		if (!g[w])
			continue;
		rc = recon__ok_if_gone(aws_ec2_delete_security_group(x->c, d->t, g[w]->group_id, d->e), d->e);
		if (rc == BASE_EAWS &&
		    (aws_error_is(d->e, "DependencyViolation") || aws_error_is(d->e, "InvalidGroup.InUse"))) {
			*done = false;
			return BASE_OK;
		}
		if (rc != BASE_OK)
			return rc;
	}
	return BASE_OK;
}

int recon__shared_sgs_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	struct sg_del d = {x, t, e, false};
	int rc;
	/* Left to a later destroy of this process (recon_leavers.c): decided
	 * without waiting for the VPC lock. */
	if (recon__leavers_decide(x, RECON_LEAVE_SHARED_SGS))
		rc = BASE_OK;
	else
		rc = wait_locked(x, try_delete_sgs, &d);
	if (rc == BASE_ETIMEOUT)
		recon__ex_fail(x, st, rc, e,
		               "The VPC's shared security groups are still in use when the "
		               "delete timeout expired.");
	if (rc == BASE_OK)
		recon__st_forget(x, RECON_PART_SG_ENDPOINT);
	return rc;
}

/* ---- endpoints ---- */

/* ---- the last listing of the VPC's shared endpoints, for the next joins ----
 *
 * Joining lists the services' endpoints under the VPC lock after the
 * function registered as a user (register before looking). When the
 * functions of one apply join one after the other, each listing is the same
 * as the one before: nothing was written in between. A join may use the
 * last listing instead of its own when the listing names all its services,
 * was sent after the join began (share_seq, taken after registering), and
 * this process wrote no interface endpoint since it was sent (ep_writes of
 * the stripe, counted before and after every create, modify and delete:
 * ep_create, ep_modify, ep_delete; a create AWS refused counts too, so a
 * join that must wait for another process's endpoint lists again). It is
 * then what its own listing would have been as far as this process can
 * tell. Another process's create meanwhile shows up as a refused create (a
 * private DNS domain) or as a duplicate the fold deletes. Guarded by the
 * stripe's lock (the counters are atomic: writes are counted outside it). */
static atomic_uint_fast64_t ep_writes[SHARE_STRIPES];

struct listed {
	char *vpc;
	uint64_t sent, writes; /* share_seq when it was sent; ep_writes then */
	base_arena *a;         /* owns services and found */
	aws_strs services;     /* what it was filtered by; none when whole_vpc */
	bool whole_vpc;        /* an observe's listing of every endpoint of the VPC */
	aws_ec2_vpces found;
};
static struct listed listings[SHARE_STRIPES];

static uint64_t ep_writes_now(const char *vpc)
{
	return (uint64_t)atomic_load(&ep_writes[stripe_of(vpc)]);
}

static void ep_wrote(const char *vpc)
{
	atomic_fetch_add(&ep_writes[stripe_of(vpc)], 1);
}

static int ep_create(struct ex *x, base_arena *t, const aws_ec2_vpce_spec *spec, aws_ec2_vpce *made,
                     aws_error *e)
{
	int rc;
	ep_wrote(x->vpc);
	rc = aws_ec2_create_vpc_endpoint(x->c, t, spec, made, e);
	ep_wrote(x->vpc);
	return rc;
}

static int ep_modify(struct ex *x, base_arena *t, const aws_ec2_vpce_mod *mod, aws_error *e)
{
	int rc;
	ep_wrote(x->vpc);
	rc = aws_ec2_modify_vpc_endpoint(x->c, t, mod, e);
	ep_wrote(x->vpc);
	return rc;
}

static int ep_delete(struct ex *x, base_arena *t, aws_strs ids, aws_ec2_failed_items *failed, aws_error *e)
{
	int rc;
	ep_wrote(x->vpc);
	rc = aws_ec2_delete_vpc_endpoints(x->c, t, ids, failed, e);
	ep_wrote(x->vpc);
	return rc;
}

/* A deep copy of *s into *d (strings in a). */
static void vpce_copy_to(base_arena *a, aws_ec2_vpce *d, const aws_ec2_vpce *s)
{
	*d = *s;
	d->vpc_endpoint_id = recon__cp(a, s->vpc_endpoint_id);
	d->type = recon__cp(a, s->type);
	d->vpc_id = recon__cp(a, s->vpc_id);
	d->service_name = recon__cp(a, s->service_name);
	d->state = recon__cp(a, s->state);
	d->policy_document = recon__cp(a, s->policy_document);
	d->owner_id = recon__cp(a, s->owner_id);
	d->creation_timestamp = recon__cp(a, s->creation_timestamp);
	d->last_error_code = recon__cp(a, s->last_error_code);
	d->last_error_message = recon__cp(a, s->last_error_message);
	d->route_table_ids = recon__cp_strs(a, s->route_table_ids);
	d->subnet_ids = recon__cp_strs(a, s->subnet_ids);
	d->security_group_ids = recon__cp_strs(a, s->security_group_ids);
	d->network_interface_ids = recon__cp_strs(a, s->network_interface_ids);
	d->dns_names = recon__cp_strs(a, s->dns_names);
	d->tags = recon__cp_tags(a, s->tags);
}

/* A deep copy of v in a (NULL for NULL). */
static const aws_ec2_vpce *vpce_copy(base_arena *a, const aws_ec2_vpce *v)
{
	aws_ec2_vpce *c;
	if (!v)
		return NULL;
	c = base_arena_calloc(a, 1, sizeof *c);
	vpce_copy_to(a, c, v);
	return c;
}

/* Keeps found (a listing of services, or of the whole VPC when
 * services.v is NULL, sent at seq `sent`, ep_writes then `writes`) unless
 * a newer one is kept. Lock of vpc held. */
static void listed_keep(const char *vpc, aws_strs services, uint64_t sent, uint64_t writes,
                        const aws_ec2_vpces *found)
{
	struct listed *l = &listings[stripe_of(vpc)];
	aws_ec2_vpce *v;
	size_t i;
	if (base_str_eq(l->vpc, vpc) && l->sent > sent)
		return;
	base_arena_free(l->a);
	base_free(l->vpc);
	l->a = base_arena_new();
	l->vpc = base_xstrdup(vpc);
	l->sent = sent;
	l->writes = writes;
	l->whole_vpc = services.v == NULL;
	l->services = recon__cp_strs(l->a, services);
	v = base_arena_calloc(l->a, found->n + 1, sizeof *v);
	for (i = 0; i < found->n; i++)
		vpce_copy_to(l->a, &v[i], &found->v[i]);
	l->found = (aws_ec2_vpces){v, found->n};
}

/* The kept listing (shared, read-only until the lock is released) when a
 * join of services that began at seq `began` may use it: one sent after
 * the join began (its user was registered) that covers the services; or an
 * observe's listing of the whole VPC sent before that shows no endpoint of
 * any of them (nothing for a leaving user to delete from under the join,
 * and one another process creates meanwhile is refused for its private
 * DNS or folded as a duplicate, as when it comes right after a listing).
 * Either way with no endpoint write of this process since. Lock of vpc held. */
static bool listed_reuse(const char *vpc, aws_strs services, uint64_t began, aws_ec2_vpces *out)
{
	const struct listed *l = &listings[stripe_of(vpc)];
	size_t i;
	if (!began || !base_str_eq(l->vpc, vpc) || l->writes != ep_writes_now(vpc))
		return false;
	if (l->whole_vpc && l->sent <= began) {
		for (i = 0; i < l->found.n; i++)
			if (recon__strs_has(services, l->found.v[i].service_name))
				return false;
	} else {
		if (l->sent <= began)
			return false;
		for (i = 0; !l->whole_vpc && i < services.n; i++)
			if (!recon__strs_has(l->services, services.v[i]))
				return false;
	}
	*out = l->found;
	return true;
}

void recon__ep_listing_begin(const char *vpc, uint64_t *sent, uint64_t *writes)
{
	*writes = ep_writes_now(vpc);
	*sent = seq_next();
}

void recon__ep_listing_offer(const char *vpc, uint64_t sent, uint64_t writes, const aws_ec2_vpces *all)
{
	pthread_mutex_t *mu = share_mu(vpc);
	pthread_mutex_lock(mu);
	listed_keep(vpc, (aws_strs){NULL, 0}, sent, writes, all);
	pthread_mutex_unlock(mu);
}

/* The VPC's endpoints of services: the kept listing when began allows it
 * (listed_reuse), else one call, then kept. Lock of the VPC held. *found
 * may be the kept listing's: valid until the next list_endpoints (which may
 * keep a newer one) or the lock is released. */
static int list_endpoints(struct ex *x, base_arena *t, aws_strs services, uint64_t began,
                          aws_ec2_vpces *found, aws_error *e);

static bool shared_interface(const aws_ec2_vpce *v)
{
	return !recon__endpoint_state_gone(v->state) && recon__tag(v->tags, RECON_SHARED_TAG) &&
	       !(v->type && strcasecmp(v->type, "Gateway") == 0);
}

static int list_endpoints(struct ex *x, base_arena *t, aws_strs services, uint64_t began,
                          aws_ec2_vpces *found, aws_error *e)
{
	const char *vpc[] = {x->vpc};
	aws_filter f[2];
	uint64_t writes, sent;
	int rc;
	if (listed_reuse(x->vpc, services, began, found))
		return BASE_OK;
	f[0] = recon__flt("vpc-id", vpc, 1);
	f[1] = recon__flt("service-name", services.v, services.n);
	writes = ep_writes_now(x->vpc);
	sent = seq_next();
	rc = aws_ec2_describe_vpc_endpoints(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, found, e);
	if (rc == BASE_OK)
		listed_keep(x->vpc, services, sent, writes, found);
	return rc;
}

/* Of found, service's: *keep = the shared one with the lowest id, *foreign =
 * a live interface endpoint that is not shared (NULL = none). */
static void pick_endpoints(const aws_ec2_vpces *found, const char *service, const aws_ec2_vpce **keep,
                           const aws_ec2_vpce **foreign)
{
	size_t i;
	*keep = *foreign = NULL;
	for (i = 0; i < found->n; i++) {
		const aws_ec2_vpce *v = &found->v[i];
		if (!base_str_eq(v->service_name, service))
			continue;
		if (shared_interface(v)) {
			if (!*keep || strcmp(v->vpc_endpoint_id, (*keep)->vpc_endpoint_id) < 0)
				*keep = v;
		} else if (!recon__endpoint_state_gone(v->state) &&
		           !(v->type && strcasecmp(v->type, "Gateway") == 0))
			*foreign = v;
	}
}

/* Of found, the live shared endpoints of service other than keep, appended
 * to *ids (room for found->n more). */
static void others_of(const aws_ec2_vpces *found, const char *service, const aws_ec2_vpce *keep,
                      const char **ids, size_t *n)
{
	size_t i;
	for (i = 0; keep && i < found->n; i++)
		if (base_str_eq(found->v[i].service_name, service) && shared_interface(&found->v[i]) &&
		    !base_str_eq(found->v[i].vpc_endpoint_id, keep->vpc_endpoint_id))
			ids[(*n)++] = found->v[i].vpc_endpoint_id;
}

/* Deletes duplicates of shared endpoints (one call; gone ones count as
 * deleted). Whoever lists a service last sees every endpoint made before,
 * so keeping the lowest id and deleting the others, ours or another
 * process's, leaves exactly one (a cloud that accepts duplicates: moto, or
 * AWS without private DNS; AWS refuses a second private DNS domain). A
 * process that recorded a deleted one finds the kept one by service at
 * its next read, and a join waiting on it joins again. */
static int drop_duplicates(struct ex *x, base_arena *t, const char **ids, size_t n, aws_error *e)
{
	aws_ec2_failed_items failed;
	if (n == 0)
		return BASE_OK;
	return recon__ok_if_gone(ep_delete(x, t, (aws_strs){ids, n}, &failed, e), e);
}

/* Adds one of our subnets for each of our AZs the endpoint lacks. */
static int cover_our_azs(struct ex *x, base_arena *t, const aws_ec2_vpce *v, bool *modified, aws_error *e)
{
	aws_strs azs, ours = recon__ep_own_subnets(x, t, &azs);
	aws_ec2_subnets have = {0};
	aws_ec2_vpce_mod mod;
	const char **add = base_arena_calloc(t, ours.n + 1, sizeof *add);
	size_t i, j, n = 0;
	int rc = BASE_OK;
	if (v->subnet_ids.n) /* their AZs: mostly another function's subnets this process saw */
		rc = aws_ec2_subnet_azs(x->c, t, v->subnet_ids, &have, e);
	if (rc != BASE_OK)
		return recon__ok_if_gone(rc, e);
	for (i = 0; i < ours.n; i++) {
		bool covered = false;
		for (j = 0; j < have.n; j++)
			if (base_str_eq(have.v[j].availability_zone, azs.v[i]))
				covered = true;
		if (!covered)
			add[n++] = ours.v[i];
	}
	if (n == 0)
		return BASE_OK;
	memset(&mod, 0, sizeof mod);
	mod.vpc_endpoint_id = v->vpc_endpoint_id;
	mod.add_subnet_ids = (aws_strs){add, n};
	if (modified)
		*modified = true;
	return ep_modify(x, t, &mod, e);
}

int recon__ep_shared_sync(struct ex *x, base_arena *t, const aws_ec2_vpce *v, aws_error *e)
{
	aws_strs sgs, owned, azs, want = recon__ep_own_subnets(x, t, &azs);
	aws_ec2_vpce_mod mod;
	aws_ec2_vpce rest = *v;
	pthread_mutex_t *mu = share_mu(x->vpc);
	int rc;
	if (!shared_interface(v))
		return BASE_OK;
	recon__st_eni_scope(x, t, &sgs, &owned);
	memset(&mod, 0, sizeof mod);
	mod.vpc_endpoint_id = v->vpc_endpoint_id;
	/* ours in the endpoint and not desired: they are going */
	mod.remove_subnet_ids = recon__strs_minus(
	        t, recon__strs_minus(t, v->subnet_ids, recon__strs_minus(t, v->subnet_ids, owned)), want);
	if (mod.remove_subnet_ids.n == 0)
		return BASE_OK;
	rest.subnet_ids = recon__strs_minus(t, v->subnet_ids, mod.remove_subnet_ids);
	pthread_mutex_lock(mu);
	rc = ep_modify(x, t, &mod, e);
	if (rc == BASE_OK) /* then one of ours per AZ it lacks */
		rc = cover_our_azs(x, t, &rest, NULL, e);
	pthread_mutex_unlock(mu);
	return rc;
}

/* Uses a foreign endpoint (never modified): our lambda SG may send 443 to its SGs. */
static int reuse_foreign(struct ex *x, base_arena *t, const aws_ec2_vpce *v, aws_error *e)
{
	const char *lambda_sg = recon__st_sg_id(x, RECON_SG_LAMBDA);
	size_t i;
	int rc;
	for (i = 0; lambda_sg && i < v->security_group_ids.n; i++) {
		recon_rule out = {true,
		                  "tcp",
		                  443,
		                  443,
		                  RECON_PEER_SG,
		                  v->security_group_ids.v[i],
		                  "lambdavpc: HTTPS to reused endpoint",
		                  NULL,
		                  NULL};
		rc = recon__authorize_rule(x, t, RECON_SG_LAMBDA, lambda_sg, &out, e);
		if (rc != BASE_OK)
			return rc;
	}
	recon__st_set_endpoint(x, v, false);
	return BASE_OK;
}

/* ---- joining: the interface endpoints of one function, together ----
 *
 * Every join step of a run has the same dependencies (our subnets and the
 * SGs), so the first one to hold the VPC lock works for all of them: one
 * listing of every service still to join, the creates of the missing ones at
 * once, and one listing to fold duplicates. Each step then finishes its own
 * service (reuse or refuse a foreign endpoint, record, wait). Only what went
 * well is kept for the other steps: a service that failed, or must wait for
 * another process's endpoint to be listed, is tried again by its own step.
 * A service is worked on here only once its user is registered (register
 * before looking). The group lives in x->ep_group, guarded by the VPC lock,
 * freed with the run (recon__ep_group_free). */

/* How many times one join follows its endpoint being folded away. */
#define MAX_REJOINS 3

struct ep_slot {
	const char *service;                /* in the group's arena */
	const recon_endpoint_spec *es;      /* x->d's */
	bool settled;                       /* keep/foreign below are the answer */
	const aws_ec2_vpce *keep, *foreign; /* in the group's arena */
	bool modified;                      /* we added subnets to keep: it is pending again */
	bool created;                       /* keep is the one we just created: not listed yet, maybe */
};

struct recon__ep_group {
	base_arena *a;
	struct ep_slot *v;
	size_t n;
};

/* x's group, made on first use from the plan's interface join steps. VPC lock held. */
static struct recon__ep_group *ep_group(struct ex *x)
{
	struct recon__ep_group *g = x->ep_group;
	size_t i, j;
	if (g)
		return g;
	g = base_xcalloc(1, sizeof *g);
	g->a = base_arena_new();
	g->v = base_arena_calloc(g->a, x->d->n_endpoints + 1, sizeof *g->v);
	for (i = 0; i < x->d->n_endpoints; i++) {
		const recon_endpoint_spec *es = &x->d->endpoints[i];
		bool step = false;
		for (j = 0; j < x->p->n && !step && !es->gateway; j++)
			step = x->p->v[j].kind == RECON_STEP_EP_CREATE &&
			       base_str_eq(x->p->v[j].key, es->service);
		if (step) {
			g->v[g->n].service = recon__cp(g->a, es->service);
			g->v[g->n++].es = es;
		}
	}
	x->ep_group = g;
	return g;
}

void recon__ep_group_free(struct ex *x)
{
	if (!x->ep_group)
		return;
	base_arena_free(x->ep_group->a);
	base_free(x->ep_group);
	x->ep_group = NULL;
}

static struct ep_slot *slot_of(struct recon__ep_group *g, const char *service)
{
	size_t i;
	for (i = 0; i < g->n; i++)
		if (base_str_eq(g->v[i].service, service))
			return &g->v[i];
	return NULL;
}

/* One create of a pass (a thread each, own arena and error). */
struct ep_make {
	struct ex *x;
	struct ep_slot *slot;
	aws_ec2_vpce made;
	base_arena *t;
	aws_error e;
	int rc;
	bool conflict; /* refused: another endpoint's private DNS, not listed yet */
};

static void *make_one(void *arg)
{
	struct ep_make *m = arg;
	aws_ec2_vpce_spec spec;
	recon__ep_spec(m->x, m->t, m->slot->es, m->slot->service, &spec);
	m->rc = ep_create(m->x, m->t, &spec, &m->made, &m->e);
	if (m->rc == BASE_EAWS && aws_error_is(&m->e, "InvalidParameter") &&
	    recon__err_msg_has(&m->e, "conflicting DNS")) {
		m->conflict = true;
		m->rc = BASE_OK;
		return NULL;
	}
	if (m->rc == BASE_OK && !m->made.service_name)
		m->made.service_name = m->slot->service;
	if (m->rc == BASE_OK && !m->made.type)
		m->made.type = spec.type;
	return NULL;
}

/* The step running the pass: its own service's outcome comes back to it. */
struct join {
	struct ex *x;
	base_arena *t;
	const char *service;
	aws_error *e;
	uint64_t began; /* share_seq after registering (list_endpoints) */
	bool mine_done; /* its service settled (else: not done, try again) */
};

/* Settles s (copies into the group's arena). */
static void slot_settle(struct recon__ep_group *g, struct ep_slot *s, const aws_ec2_vpce *keep,
                        const aws_ec2_vpce *foreign, bool modified, bool created)
{
	s->keep = vpce_copy(g->a, keep);
	s->foreign = vpce_copy(g->a, foreign);
	s->modified = modified;
	s->created = created;
	s->settled = true;
}

/* A failure of service s during the pass: the running step's own service
 * returns it; another's stays unsettled (its step tries again). */
static int slot_failed(struct join *j, const struct ep_slot *s, int rc, const aws_error *e)
{
	if (!base_str_eq(s->service, j->service))
		return BASE_OK;
	if (e != j->e)
		*j->e = *e;
	return rc;
}

/* After our creates: one listing; for each service, the lowest id stays and
 * the other shared ones go (drop_duplicates), ours too when a lower one is
 * listed. Ours may not be listed yet (AWS lists a new endpoint after a
 * delay): then it is recorded and polled until listed. When this read
 * already lists it, that read is the poll (keep = the listed copy, not
 * created). A failed listing fails the running step only when its own
 * service was made; every made one is recorded and polled. */
static int fold_made(struct join *j, struct recon__ep_group *g, struct ep_make *m, size_t n)
{
	const char **svc = base_arena_calloc(j->t, n + 1, sizeof *svc);
	aws_ec2_vpces found;
	const char **drop;
	size_t i, k = 0, n_drop = 0;
	bool mine = false;
	int rc;
	for (i = 0; i < n; i++)
		if (m[i].rc == BASE_OK && !m[i].conflict) {
			svc[k++] = m[i].slot->service;
			mine = mine || base_str_eq(m[i].slot->service, j->service);
		}
	if (k == 0)
		return BASE_OK;
	rc = list_endpoints(j->x, j->t, (aws_strs){svc, k}, j->began, &found, j->e);
	drop = base_arena_calloc(j->t, (rc == BASE_OK ? found.n : 0) + n + 1, sizeof *drop);
	for (i = 0; i < n; i++) {
		const aws_ec2_vpce *keep, *foreign, *made = &m[i].made;
		if (m[i].rc != BASE_OK || m[i].conflict)
			continue;
		if (rc != BASE_OK) { /* ours exists: recorded, polled until listed */
			slot_settle(g, m[i].slot, made, NULL, false, true);
			continue;
		}
		pick_endpoints(&found, m[i].slot->service, &keep, &foreign);
		if (!keep || strcmp(keep->vpc_endpoint_id, made->vpc_endpoint_id) > 0) {
			/* not listed yet: recorded, polled until listed */
			others_of(&found, m[i].slot->service, made, drop, &n_drop);
			slot_settle(g, m[i].slot, made, NULL, false, true);
			continue;
		}
		others_of(&found, m[i].slot->service, keep, drop, &n_drop);
		if (strcmp(keep->vpc_endpoint_id, made->vpc_endpoint_id) != 0 &&
		    !recon__strs_has((aws_strs){drop, n_drop}, made->vpc_endpoint_id))
			drop[n_drop++] = made->vpc_endpoint_id; /* not listed yet */
		slot_settle(g, m[i].slot, keep, NULL, false, false);
	}
	if (rc != BASE_OK)
		return mine ? rc : BASE_OK;
	return drop_duplicates(j->x, j->t, drop, n_drop, j->e);
}

/* Creates the services of m (a thread each but the first), then folds. */
static int make_all(struct join *j, struct recon__ep_group *g, struct ep_make *m, size_t n)
{
	pthread_t *th = base_arena_calloc(j->t, n + 1, sizeof *th);
	bool *started = base_arena_calloc(j->t, n + 1, sizeof *started);
	size_t i;
	int rc = BASE_OK;
	for (i = 1; i < n; i++)
		started[i] = pthread_create(&th[i], NULL, make_one, &m[i]) == 0;
	if (n)
		(void)make_one(&m[0]);
	for (i = 1; i < n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			(void)make_one(&m[i]);
	}
	for (i = 0; i < n; i++) {
		if (m[i].rc != BASE_OK) {
			int r = slot_failed(j, m[i].slot, m[i].rc, &m[i].e);
			if (r != BASE_OK)
				rc = r;
		} else if (m[i].conflict && base_str_eq(m[i].slot->service, j->service)) {
			j->mine_done = false;
		}
	}
	{
		int r = fold_made(j, g, m, n);
		if (rc == BASE_OK)
			rc = r;
	}
	return rc;
}

/* One try under the VPC lock, for every unsettled service of the group
 * whose user is registered: adopt the shared one, note a foreign one, or
 * create; a conflicting-DNS refusal = another one exists but is not listed
 * yet: not done, look again after a backoff. */
static int join_try(void *ctx, bool *done)
{
	struct join *j = ctx;
	struct ex *x = j->x;
	struct recon__ep_group *g = ep_group(x);
	struct ep_slot *mine = slot_of(g, j->service);
	const char **svc = base_arena_calloc(j->t, g->n + 1, sizeof *svc);
	struct ep_slot **todo = base_arena_calloc(j->t, g->n + 1, sizeof *todo);
	struct ep_make *m = base_arena_calloc(j->t, g->n + 1, sizeof *m);
	aws_ec2_vpces found;
	const char **drop;
	size_t i, n = 0, k = 0, n_drop = 0;
	int rc, out = BASE_OK;

	*done = true;
	if (!mine || mine->settled)
		return BASE_OK;
	for (i = 0; i < g->n; i++)
		if (!g->v[i].settled &&
		    (&g->v[i] == mine || registered_as(x, use_key(j->t, g->v[i].service)))) {
			todo[n] = &g->v[i];
			svc[n++] = g->v[i].service;
		}
	j->mine_done = true;
	rc = list_endpoints(x, j->t, (aws_strs){svc, n}, j->began, &found, j->e);
	if (rc != BASE_OK)
		return rc;
	drop = base_arena_calloc(j->t, found.n + 1, sizeof *drop);
	for (i = 0; i < n; i++) {
		struct ep_slot *s = todo[i];
		const aws_ec2_vpce *keep, *foreign;
		bool modified = false;
		pick_endpoints(&found, s->service, &keep, &foreign);
		others_of(&found, s->service, keep, drop, &n_drop);
		if (keep) {
			int r = cover_our_azs(x, j->t, keep, &modified, j->e);
			if (r != BASE_OK) {
				r = slot_failed(j, s, r, j->e);
				if (r != BASE_OK)
					out = r;
				continue;
			}
			slot_settle(g, s, keep, NULL, modified, false);
		} else if (foreign && (x->d->private_dns_enabled || x->d->reuse_existing_endpoints)) {
			slot_settle(g, s, NULL, foreign, false, false);
		} else {
			m[k].x = x;
			m[k].slot = s;
			m[k++].t = j->t; /* replaced below for the threads */
		}
	}
	rc = drop_duplicates(x, j->t, drop, n_drop, j->e);
	if (rc != BASE_OK)
		return rc;
	/* found is not used below: the fold's listing may replace it */
	for (i = 1; i < k; i++)
		m[i].t = base_arena_new();
	rc = make_all(j, g, m, k);
	for (i = 1; i < k; i++) /* what settled was copied into the group */
		base_arena_free(m[i].t);
	if (out == BASE_OK)
		out = rc;
	if (out == BASE_OK && !mine->settled && j->mine_done)
		out = BASE_ENOTFOUND;
	*done = j->mine_done || out != BASE_OK;
	return out;
}

int recon__ep_join(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	struct join j = {x, t, st->key, e, 0, false};
	const char *lambda_sg = recon__st_sg_id(x, RECON_SG_LAMBDA), *ids[] = {lambda_sg};
	aws_tag reg = {use_key(t, st->key), "1"};
	const aws_ec2_vpce *keep, *foreign;
	struct ep_slot *s;
	bool modified, created, vanished;
	int rc, rejoins = 0;
	if (lambda_sg && !registered_as(x, reg.key)) { /* register before looking */
		rc = aws_ec2_create_tags(x->c, t, (aws_strs){ids, 1}, (aws_tags){&reg, 1}, e);
		if (rc != BASE_OK)
			return rc;
	}
	j.began = seq_next(); /* a listing sent from now on may serve */
again:
	rc = wait_locked(x, join_try, &j);
	if (rc != BASE_OK)
		return rc;
	pthread_mutex_lock(share_mu(x->vpc));
	s = slot_of(ep_group(x), st->key);
	keep = s ? vpce_copy(t, s->keep) : NULL;
	foreign = s ? vpce_copy(t, s->foreign) : NULL;
	modified = s && s->modified;
	created = s && s->created;
	pthread_mutex_unlock(share_mu(x->vpc));
	if (!keep && foreign) {
		if (x->d->reuse_existing_endpoints)
			return reuse_foreign(x, t, foreign, e);
		recon__ex_fail(x, st, BASE_ECONFLICT, e,
		               "VPC %s already has an interface endpoint for %s (%s) that lambdavpc did not "
		               "create; a second one with private DNS would conflict. Set "
		               "reuse_existing_endpoints = true to use it.",
		               x->vpc, st->key, foreign->vpc_endpoint_id);
		return BASE_ECONFLICT;
	}
	if (!keep)
		return BASE_ENOTFOUND;
	recon__st_set_endpoint(x, keep, true);
	/* Listed "available" and not modified since: no poll. One we created
	 * is polled until a read lists it (AWS lists a new endpoint after a
	 * delay: the next plan must see it), even if its reply said available. */
	if (!modified && !created && keep->state && strcasecmp(keep->state, "available") == 0)
		return BASE_OK;
	rc = recon__ep_wait_joined(x, t, keep->vpc_endpoint_id, &vanished, e);
	if (rc == BASE_OK && vanished && ++rejoins <= MAX_REJOINS) {
		/* folded away as a duplicate by another process: join the one kept */
		pthread_mutex_lock(share_mu(x->vpc));
		s->settled = false;
		pthread_mutex_unlock(share_mu(x->vpc));
		goto again;
	}
	if (rc == BASE_OK && vanished) {
		recon__ex_fail(x, st, BASE_ENOTFOUND, e,
		               "The shared VPC endpoint for %s in %s was deleted %d times while "
		               "this function joined it.",
		               st->key, x->vpc, MAX_REJOINS + 1);
		return BASE_ENOTFOUND;
	}
	return rc;
}

/* ---- leaving ---- */

/* Deletes the endpoints no user is left on, in one DeleteVpcEndpoints, and
 * notes them deleted. AWS answers 200 with per-item failures: one already
 * gone counts as deleted; any other failure is the call's error (e), the
 * ones that went are still noted. Under the VPC lock. */
static int delete_unused(struct ex *x, base_arena *t, aws_strs ids, aws_error *e)
{
	aws_ec2_failed_items failed;
	size_t i, j;
	int rc = ep_delete(x, t, ids, &failed, e), bad = BASE_OK;
	if (rc != BASE_OK)
		return recon__ok_if_gone(rc, e);
	for (i = 0; i < ids.n; i++) {
		aws_error fe;
		aws_error_clear(&fe);
		for (j = 0; j < failed.n; j++)
			if (base_str_eq(failed.v[j].resource_id, ids.v[i]))
				aws_error_setf(&fe, 0, failed.v[j].code ? failed.v[j].code : "DeleteFailed",
				               "DeleteVpcEndpoints %s: %s", ids.v[i],
				               failed.v[j].message ? failed.v[j].message : "failed");
		if (fe.code[0] && !aws_error_is_not_found(&fe)) {
			if (bad == BASE_OK)
				*e = fe;
			bad = BASE_EAWS;
			continue;
		}
		note_deleted(x->vpc, ids.v[i]);
	}
	return bad;
}

/* The best user subnet per AZ in left_az (n_az of them; add, n_add: the
 * result) among cand: a user's (u), not already in v, smallest function
 * name first, then smallest id. Returns how many AZs got one. */
static size_t pick_user_subnets(const aws_ec2_subnets *cand, const aws_ec2_sgs *u, const aws_ec2_vpce *v,
                                const char **left_az, size_t n_az, const char **add, const char **add_fn,
                                size_t *n_add)
{
	size_t i, j, k, covered = 0;
	for (i = 0; i < n_az; i++) {
		const aws_ec2_subnet *best = NULL;
		const char *best_fn = NULL;
		for (j = 0; j < cand->n; j++) {
			const char *fn = recon__tag(cand->v[j].tags, RECON_OWNER_TAG);
			bool user = false;
			for (k = 0; k < u->n; k++)
				user = user || base_str_eq(recon__tag(u->v[k].tags, RECON_OWNER_TAG), fn);
			if (!user || !base_str_eq(cand->v[j].availability_zone, left_az[i]) ||
			    recon__strs_has(v->subnet_ids, cand->v[j].subnet_id))
				continue;
			if (!best || strcmp(fn, best_fn) < 0 ||
			    (strcmp(fn, best_fn) == 0 && strcmp(cand->v[j].subnet_id, best->subnet_id) < 0)) {
				best = &cand->v[j];
				best_fn = fn;
			}
		}
		if (best)
			covered++;
		if (best && !recon__strs_has((aws_strs){add, *n_add}, best->subnet_id)) {
			add_fn[*n_add] = best_fn;
			add[(*n_add)++] = best->subnet_id;
		}
	}
	return covered;
}

/* The smallest function name among the users u (NULL when none is named). */
static const char *first_user(const aws_ec2_sgs *u)
{
	const char *best = NULL;
	size_t k;
	for (k = 0; k < u->n; k++) {
		const char *fn = recon__tag(u->v[k].tags, RECON_OWNER_TAG);
		if (fn && (!best || strcmp(fn, best) < 0))
			best = fn;
	}
	return best;
}

/* Moves endpoint v off our subnets onto the users' (smallest function
 * name first, one per AZ we leave), or deletes it when no user has a
 * subnet to offer. The AZs we leave come from our state; the subnets of
 * the first user are read first (a few), and the VPC's tagged subnets only
 * when that user lacks one of those AZs. Under the VPC lock. */
static int evacuate(struct ex *x, base_arena *t, const aws_ec2_vpce *v, const aws_ec2_sgs *u, aws_error *e)
{
	aws_strs sgs, ours;
	aws_ec2_subnets cand;
	aws_ec2_vpce_mod mod;
	const char *vpc[] = {x->vpc}, *key[] = {RECON_OWNER_TAG}, *who[1], **add, **add_fn, **left_az;
	aws_filter f[2];
	size_t i, n_add = 0, n_az = 0, n_keep;
	bool az_known = true;
	int rc;
	memset(&mod, 0, sizeof mod);
	recon__st_eni_scope(x, t, &sgs, &ours);
	mod.remove_subnet_ids =
	        recon__strs_minus(t, v->subnet_ids, recon__strs_minus(t, v->subnet_ids, ours));
	if (mod.remove_subnet_ids.n == 0)
		return BASE_OK;
	left_az = base_arena_calloc(t, mod.remove_subnet_ids.n + 1, sizeof *left_az);
	for (i = 0; i < mod.remove_subnet_ids.n; i++) {
		left_az[n_az] = recon__st_subnet_az(x, t, mod.remove_subnet_ids.v[i]);
		az_known = az_known && left_az[n_az];
		n_az++;
	}
	f[0] = recon__flt("vpc-id", vpc, 1);
	who[0] = first_user(u);
	rc = BASE_ENOTFOUND;
	if (az_known && who[0]) {
		f[1] = recon__flt(base_arena_sprintf(t, "tag:%s", RECON_OWNER_TAG), who, 1);
		rc = aws_ec2_describe_subnets(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &cand, e);
		if (rc != BASE_OK)
			return rc;
		add = base_arena_calloc(t, cand.n + 1, sizeof *add);
		add_fn = base_arena_calloc(t, cand.n + 1, sizeof *add_fn);
		if (pick_user_subnets(&cand, u, v, left_az, n_az, add, add_fn, &n_add) < n_az)
			rc = BASE_ENOTFOUND; /* that user lacks an AZ: look at all users */
	}
	if (rc != BASE_OK) {
		f[1] = recon__flt("tag-key", key, 1);
		rc = aws_ec2_describe_subnets(x->c, t, (aws_strs){NULL, 0}, (aws_filters){f, 2}, &cand, e);
		if (rc != BASE_OK)
			return rc;
		if (!az_known) /* the AZs we leave, from the listing */
			for (i = n_az = 0; i < cand.n; i++)
				if (recon__strs_has(mod.remove_subnet_ids, cand.v[i].subnet_id))
					left_az[n_az++] = cand.v[i].availability_zone;
		add = base_arena_calloc(t, cand.n + 1, sizeof *add);
		add_fn = base_arena_calloc(t, cand.n + 1, sizeof *add_fn);
		n_add = 0;
		pick_user_subnets(&cand, u, v, left_az, n_az, add, add_fn, &n_add);
	}
	n_keep = v->subnet_ids.n - mod.remove_subnet_ids.n;
	if (n_keep + n_add == 0) {
		const char *ids[] = {v->vpc_endpoint_id};
		return delete_unused(x, t, (aws_strs){ids, 1}, e);
	}
	mod.vpc_endpoint_id = v->vpc_endpoint_id;
	mod.add_subnet_ids = (aws_strs){add, n_add};
	rc = recon__ok_if_gone(ep_modify(x, t, &mod, e), e);
	for (i = 0; rc == BASE_OK && i < n_add; i++)
		note_handed(x->vpc, add_fn[i]);
	return rc;
}

/* Endpoint v after we left it, u = the users of its service (without us):
 * deleted when none is left (*deleted), else moved off our subnets. One
 * that a resource leaving with us deleted counts as deleted. Under the VPC
 * lock. */
static int settle_with(struct ex *x, base_arena *t, const aws_ec2_vpce *v, const aws_ec2_sgs *u,
                       bool *deleted, aws_error *e)
{
	const char *ids[] = {v->vpc_endpoint_id};
	int rc;
	*deleted = deleted_here(x->vpc, v->vpc_endpoint_id);
	if (*deleted)
		return BASE_OK;
	if (u->n > 0)
		return evacuate(x, t, v, u, e);
	rc = delete_unused(x, t, (aws_strs){ids, 1}, e);
	*deleted = deleted_here(x->vpc, v->vpc_endpoint_id);
	return rc;
}

/* settle_with, reading the users of v's service first. Under the VPC lock. */
static int settle(struct ex *x, base_arena *t, const aws_ec2_vpce *v, bool *deleted, aws_error *e)
{
	aws_ec2_sgs u = {NULL, 0};
	int rc = BASE_OK;
	if (!deleted_here(x->vpc, v->vpc_endpoint_id)) {
		rc = users(x, t, use_key(t, v->service_name), recon__st_sg_id(x, RECON_SG_LAMBDA), &u, e);
		if (rc == BASE_OK)
			u = staying(x, t, &u, v->service_name);
	}
	return rc == BASE_OK ? settle_with(x, t, v, &u, deleted, e) : rc;
}

/* Takes our lambda SG out of the users registry of every service this
 * plan's endpoint.delete steps leave, in one DeleteTags made by the first of
 * them to run (shared with other destroys leaving the same services at the
 * same time: aws_ec2_untag_batched); the others wait on leave_mu until it
 * is done, so none settles a service before we left its registry. A key
 * the SG lacks is a no-op for AWS (a gateway service's, say). */
static int leave_registry(struct ex *x, base_arena *t, const char *lambda_sg, aws_error *e)
{
	aws_tag *keys;
	size_t i, n = 0;
	int rc = BASE_OK;
	pthread_mutex_lock(&x->leave_mu);
	if (!x->registry_left) {
		keys = base_arena_calloc(t, x->p->n + 1, sizeof *keys);
		for (i = 0; i < x->p->n; i++)
			if (x->p->v[i].kind == RECON_STEP_EP_DELETE)
				keys[n++].key = use_key(t, x->p->v[i].key);
		rc = aws_ec2_untag_batched(x->c, t, lambda_sg, (aws_tags){keys, n}, e); /* n = 0: nothing */
		if (recon__gone(rc, e))
			rc = BASE_OK;
		x->registry_left = rc == BASE_OK;
	}
	pthread_mutex_unlock(&x->leave_mu);
	return rc;
}

struct gone_poll {
	struct ex *x;
	base_arena *t;
	aws_strs ids;
	aws_error *e;
};

/* Done when the VPC's endpoint list shows none of p->ids but as deleted. */
static int poll_all_gone(void *ctx, bool *done)
{
	struct gone_poll *p = ctx;
	const char *vpc[] = {p->x->vpc};
	aws_filter f = recon__flt("vpc-id", vpc, 1);
	aws_ec2_vpces all;
	size_t i, j;
	int rc = aws_ec2_describe_vpc_endpoints(p->x->c, p->t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &all,
	                                        p->e);
	if (rc != BASE_OK)
		return rc;
	*done = true;
	for (i = 0; i < all.n; i++)
		for (j = 0; j < p->ids.n; j++)
			if (base_str_eq(all.v[i].vpc_endpoint_id, p->ids.v[j]) &&
			    !(all.v[i].state && strcasecmp(all.v[i].state, "deleted") == 0))
				*done = false;
	return BASE_OK;
}

/* Waits until every endpoint of ids (deleted by settle_leaving) is gone,
 * with one listing per poll for all of them. */
static int wait_all_gone(struct ex *x, base_arena *t, aws_strs ids, aws_error *e)
{
	struct gone_poll p = {x, t, ids, e};
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	return recon_wait_until(&x->clk, &w, poll_all_gone, &p, NULL);
}

/* Records ids in x->eps_done: their endpoint.delete steps neither take the
 * VPC lock nor wait. leave_mu held. */
static void note_done(struct ex *x, aws_strs ids)
{
	const char **v;
	size_t i;
	pthread_mutex_lock(&x->mu);
	v = base_arena_calloc(x->a, ids.n + 1, sizeof *v);
	for (i = 0; i < ids.n; i++)
		v[i] = recon__cp(x->a, ids.v[i]);
	pthread_mutex_unlock(&x->mu);
	x->eps_done = (aws_strs){v, ids.n};
}

/* The endpoints of this plan's endpoint.delete steps a settle pass looks
 * at (ids, their services svcs and users-registry keys; *n of them), after
 * taking our decisions (recon_leavers.c): one another destroy of this
 * process leaves later and the refresh's view saw in none of our subnets
 * (and no endpoint was handed to us since) goes to done. */
struct leave_set {
	const char **keys, **svcs, **ids, **done;
	size_t n, n_done;
};

static void leaving_endpoints(struct ex *x, base_arena *t, struct leave_set *ls)
{
	pthread_mutex_t *mu = share_mu(x->vpc);
	size_t i, cap = x->p->n + 1;
	bool handed;
	pthread_mutex_lock(mu);
	handed = handed_here(x->vpc, x->fn);
	pthread_mutex_unlock(mu);
	memset(ls, 0, sizeof *ls);
	ls->keys = base_arena_calloc(t, cap, sizeof *ls->keys);
	ls->svcs = base_arena_calloc(t, cap, sizeof *ls->svcs);
	ls->ids = base_arena_calloc(t, cap, sizeof *ls->ids);
	ls->done = base_arena_calloc(t, cap, sizeof *ls->done);
	for (i = 0; i < x->p->n; i++) {
		recon_endpoint cur;
		bool later;
		if (x->p->v[i].kind != RECON_STEP_EP_DELETE)
			continue;
		later = recon__leavers_decide(x, base_arena_sprintf(t, "uses:%s", x->p->v[i].key));
		if (!recon__st_endpoint(x, x->p->v[i].key, &cur) || !cur.id || cur.gateway)
			continue;
		if (later && cur.off_ours && !handed) {
			ls->done[ls->n_done++] = cur.id;
			continue;
		}
		ls->keys[ls->n] = use_key(t, x->p->v[i].key);
		ls->svcs[ls->n] = x->p->v[i].key;
		ls->ids[ls->n++] = cur.id;
	}
}

/* Settles every shared endpoint this plan's endpoint.delete steps leave,
 * in one pass made by the first of them to run (after leave_registry; the
 * others wait on leave_mu). First our decisions (recon_leavers.c): another
 * destroy of this process that leaves a service later decides about its
 * endpoint, and then only one sitting in our subnets is ours to move off;
 * one the refresh's view saw in none of them is skipped. Then, under the
 * VPC lock, one read of the users of all the remaining services: the
 * endpoints no user is left on are deleted by id in one call (no listing);
 * only when users are left is the VPC's endpoint list read, to move each
 * such endpoint off our subnets onto a user's. A step's endpoint was
 * deleted (here or by a resource leaving with us) when deleted_here names
 * it afterwards. An endpoint moved onto our subnets that this pass did not
 * see is caught by recon__shared_evacuate when AWS refuses our subnet's
 * delete. */
static int settle_leaving(struct ex *x, base_arena *t, aws_error *e)
{
	const char *vpc[] = {x->vpc}, **unused;
	struct leave_set ls;
	aws_ec2_sgs *of;
	bool *used, any_used = false;
	aws_filter f = recon__flt("vpc-id", vpc, 1);
	aws_ec2_vpces all;
	aws_ec2_sgs u;
	pthread_mutex_t *mu = share_mu(x->vpc);
	size_t i, j, n, n_unused = 0;
	int rc = BASE_OK;
	pthread_mutex_lock(&x->leave_mu);
	if (x->leave_settled)
		goto out;
	leaving_endpoints(x, t, &ls);
	n = ls.n;
	if (n == 0)
		goto settled;
	unused = base_arena_calloc(t, n + 1, sizeof *unused);
	used = base_arena_calloc(t, n + 1, sizeof *used);
	of = base_arena_calloc(t, n + 1, sizeof *of);
	pthread_mutex_lock(mu);
	rc = users_of(x, t, (aws_strs){ls.keys, n}, recon__st_sg_id(x, RECON_SG_LAMBDA), &u, e);
	for (i = 0; rc == BASE_OK && i < n; i++) {
		if (deleted_here(x->vpc, ls.ids[i]))
			continue;
		of[i] = with_tag(t, &u, ls.keys[i]);
		of[i] = staying(x, t, &of[i], ls.svcs[i]);
		if (of[i].n == 0)
			unused[n_unused++] = ls.ids[i];
		else
			any_used = used[i] = true;
	}
	if (rc == BASE_OK && any_used)
		rc = aws_ec2_describe_vpc_endpoints(x->c, t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &all, e);
	for (i = 0; rc == BASE_OK && any_used && i < n; i++)
		for (j = 0; used[i] && rc == BASE_OK && j < all.n; j++)
			if (base_str_eq(all.v[j].vpc_endpoint_id, ls.ids[i]) && shared_interface(&all.v[j]))
				rc = evacuate(x, t, &all.v[j], &of[i], e);
	if (rc == BASE_OK)
		rc = delete_unused(x, t, (aws_strs){unused, n_unused}, e);
	for (i = 0; i < n; i++) /* kept: nothing to wait for */
		if (!deleted_here(x->vpc, ls.ids[i]))
			ls.done[ls.n_done++] = ls.ids[i];
	for (i = j = 0; i < n_unused; i++)
		if (deleted_here(x->vpc, unused[i]))
			unused[j++] = unused[i];
	pthread_mutex_unlock(mu);
	if (rc == BASE_OK && j > 0)
		rc = wait_all_gone(x, t, (aws_strs){unused, j}, e);
	for (i = 0; rc == BASE_OK && i < j; i++)
		ls.done[ls.n_done++] = unused[i];
settled:
	if (rc == BASE_OK)
		note_done(x, (aws_strs){ls.done, ls.n_done});
	x->leave_settled = rc == BASE_OK;
out:
	pthread_mutex_unlock(&x->leave_mu);
	return rc;
}

/* endpoint.delete: a gateway endpoint of ours is deleted; a shared one is
 * left (unregister first, then settle_leaving), and deleted by its last
 * user; the step waits until a deleted one is gone. */
int recon__step_ep_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_endpoint cur;
	const char *lambda_sg = recon__st_sg_id(x, RECON_SG_LAMBDA), *ids[1];
	bool wait = false;
	int rc;
	if (lambda_sg) {
		rc = leave_registry(x, t, lambda_sg, e);
		if (rc != BASE_OK)
			return rc;
	}
	if (!recon__st_endpoint(x, st->key, &cur) || !cur.id)
		return BASE_OK;
	if (cur.gateway) {
		aws_ec2_failed_items failed;
		ids[0] = cur.id;
		rc = recon__ok_if_gone(aws_ec2_delete_vpc_endpoints(x->c, t, (aws_strs){ids, 1}, &failed, e),
		                       e);
		wait = true;
	} else {
		pthread_mutex_t *mu = share_mu(x->vpc);
		bool done;
		rc = settle_leaving(x, t, e);
		pthread_mutex_lock(&x->leave_mu);
		done = recon__strs_has(x->eps_done, cur.id);
		pthread_mutex_unlock(&x->leave_mu);
		if (!done) { /* deleted by a resource leaving with us: wait for it */
			pthread_mutex_lock(mu);
			wait = deleted_here(x->vpc, cur.id);
			pthread_mutex_unlock(mu);
		}
	}
	if (rc == BASE_OK && wait)
		rc = recon__ep_wait(x, t, cur.id, true, e);
	if (rc != BASE_OK)
		return rc;
	recon__st_remove_endpoint(x, st->key);
	return BASE_OK;
}

/* endpoint.release: forget a reused foreign endpoint (never touched). */
int recon__step_ep_release(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	(void)t;
	(void)e;
	recon__st_remove_endpoint(x, st->key);
	return BASE_OK;
}

int recon__shared_evacuate(struct ex *x, base_arena *t, aws_error *e)
{
	aws_strs sgs, ours;
	aws_ec2_vpces all;
	const char *vpc[] = {x->vpc};
	aws_filter f = recon__flt("vpc-id", vpc, 1);
	pthread_mutex_t *mu = share_mu(x->vpc);
	size_t i;
	int rc;
	recon__st_eni_scope(x, t, &sgs, &ours);
	if (ours.n == 0 || !x->vpc)
		return BASE_OK;
	pthread_mutex_lock(mu);
	rc = aws_ec2_describe_vpc_endpoints(x->c, t, (aws_strs){NULL, 0}, (aws_filters){&f, 1}, &all, e);
	for (i = 0; rc == BASE_OK && i < all.n; i++) {
		bool deleted;
		if (shared_interface(&all.v[i]) &&
		    recon__strs_minus(t, all.v[i].subnet_ids, ours).n < all.v[i].subnet_ids.n)
			rc = settle(x, t, &all.v[i], &deleted, e);
	}
	pthread_mutex_unlock(mu);
	return rc;
}
