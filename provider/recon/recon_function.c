/*
 * recon_function.c - the Lambda function part: observe, diff, and the steps
 * (create with IAM-propagation retries and the Active wait, config / code
 * updates, concurrency, publish, delete).
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"
#include "recon/recon_function.h"
#include "recon/recon_int.h"

/* ---- the Lambda field table (recon_function.h) ---- */

#define FLD(n, t, c, m, r, o, u)                                                                             \
	{                                                                                                    \
		n, t, c, offsetof(recon_function_spec, m), offsetof(aws_lambda_function_spec, r),            \
		        offsetof(aws_lambda_function, o), u                                                  \
	}

const recon_fn_field recon_fn_fields[] = {
        FLD("runtime", RECON_FN_STR, RECON_FN_CMP_SET, runtime, runtime, runtime, NULL),
        FLD("handler", RECON_FN_STR, RECON_FN_CMP_SET, handler, handler, handler, NULL),
        FLD("description", RECON_FN_STR, RECON_FN_CMP_ALWAYS, description, description, description, NULL),
        FLD("package_type", RECON_FN_STR, RECON_FN_CMP_NONE, package_type, package_type, package_type, NULL),
        FLD("image_uri", RECON_FN_STR, RECON_FN_CMP_CODE, image_uri, code.image_uri, code_image_uri, NULL),
        FLD("architectures", RECON_FN_STRS, RECON_FN_CMP_CODE, architectures, architectures, architectures,
            "x86_64"),
        FLD("memory_size", RECON_FN_INT, RECON_FN_CMP_SET, memory_size, memory_size, memory_size, NULL),
        FLD("timeout", RECON_FN_INT, RECON_FN_CMP_SET, timeout, timeout, timeout, NULL),
        FLD("environment", RECON_FN_TAGS, RECON_FN_CMP_ALWAYS, environment, environment, environment, NULL),
        FLD("layers", RECON_FN_STRS, RECON_FN_CMP_ALWAYS, layers, layers, layers, NULL),
        FLD("kms_key_arn", RECON_FN_STR, RECON_FN_CMP_ALWAYS, kms_key_arn, kms_key_arn, kms_key_arn, NULL),
        FLD("tracing_mode", RECON_FN_STR, RECON_FN_CMP_SET, tracing_mode, tracing_mode, tracing_mode,
            "PassThrough"),
        FLD("dead_letter_target_arn", RECON_FN_STR, RECON_FN_CMP_ALWAYS, dead_letter_target_arn,
            dead_letter_target_arn, dead_letter_target_arn, NULL),
        FLD("ephemeral_storage_size", RECON_FN_INT, RECON_FN_CMP_SET, ephemeral_storage,
            ephemeral_storage_size, ephemeral_storage_size, NULL),
        FLD("logging.log_format", RECON_FN_STR, RECON_FN_CMP_SET, logging.log_format, logging.log_format,
            logging.log_format, NULL),
        FLD("logging.log_group", RECON_FN_STR, RECON_FN_CMP_SET, logging.log_group, logging.log_group,
            logging.log_group, NULL),
        FLD("logging.application_log_level", RECON_FN_STR, RECON_FN_CMP_SET, logging.application_log_level,
            logging.application_log_level, logging.application_log_level, NULL),
        FLD("logging.system_log_level", RECON_FN_STR, RECON_FN_CMP_SET, logging.system_log_level,
            logging.system_log_level, logging.system_log_level, NULL),
};
#undef FLD

const size_t recon_fn_n_fields = sizeof recon_fn_fields / sizeof recon_fn_fields[0];

#define AT(base, off, type) ((type *)(void *)((char *)(base) + (off)))
#define CAT(base, off, type) ((const type *)(const void *)((const char *)(base) + (off)))
/* A string slot's type, named so that CAT's added const does not repeat one. */
typedef const char *fn_str;

void recon_fn_to_request(const recon_function_spec *m, aws_lambda_function_spec *req)
{
	size_t i;
	for (i = 0; i < recon_fn_n_fields; i++) {
		const recon_fn_field *f = &recon_fn_fields[i];
		switch (f->type) {
		case RECON_FN_STR:
			*AT(req, f->request, const char *) = *CAT(m, f->model, fn_str);
			break;
		case RECON_FN_INT:
			*AT(req, f->request, int64_t) = *CAT(m, f->model, int);
			break;
		case RECON_FN_STRS:
			*AT(req, f->request, aws_strs) = *CAT(m, f->model, aws_strs);
			break;
		case RECON_FN_TAGS:
			*AT(req, f->request, aws_tags) = *CAT(m, f->model, aws_tags);
			break;
		}
	}
}

void recon_fn_from_observed(base_arena *a, const aws_lambda_function *o, recon_function_spec *m)
{
	size_t i;
	for (i = 0; i < recon_fn_n_fields; i++) {
		const recon_fn_field *f = &recon_fn_fields[i];
		switch (f->type) {
		case RECON_FN_STR:
			*AT(m, f->model, const char *) = recon__cp(a, *CAT(o, f->observed, fn_str));
			break;
		case RECON_FN_INT:
			*AT(m, f->model, int) = (int)*CAT(o, f->observed, int64_t);
			break;
		case RECON_FN_STRS:
			*AT(m, f->model, aws_strs) = recon__cp_strs(a, *CAT(o, f->observed, aws_strs));
			break;
		case RECON_FN_TAGS:
			*AT(m, f->model, aws_tags) = recon__cp_tags(a, *CAT(o, f->observed, aws_tags));
			break;
		}
	}
}

/* One field of two models differs (f->cmp: SET compares only what d set). */
static bool field_differs(const recon_fn_field *f, const recon_function_spec *d, const recon_function_spec *o)
{
	const char *ds, *os;
	switch (f->type) {
	case RECON_FN_STR:
		ds = *CAT(d, f->model, fn_str);
		os = *CAT(o, f->model, fn_str);
		if (f->cmp == RECON_FN_CMP_SET && !ds)
			return false;
		return !recon__str_same(ds, os ? os : f->observed_unset);
	case RECON_FN_INT:
		if (f->cmp == RECON_FN_CMP_SET && *CAT(d, f->model, int) <= 0)
			return false;
		return *CAT(d, f->model, int) != *CAT(o, f->model, int);
	case RECON_FN_STRS:
		return !recon__strs_same_list(*CAT(d, f->model, aws_strs), *CAT(o, f->model, aws_strs));
	case RECON_FN_TAGS:
		return !recon__tags_same(*CAT(d, f->model, aws_tags), *CAT(o, f->model, aws_tags));
	}
	return false;
}

bool recon_fn_config_differs(const recon_function_spec *d, const recon_function_spec *o)
{
	size_t i;
	for (i = 0; i < recon_fn_n_fields; i++) {
		const recon_fn_field *f = &recon_fn_fields[i];
		if ((f->cmp == RECON_FN_CMP_SET || f->cmp == RECON_FN_CMP_ALWAYS) && field_differs(f, d, o))
			return true;
	}
	return false;
}

/* ======================================================================== */
/* function                                                                 */

static void fn_spec(struct ex *x, base_arena *t, aws_lambda_function_spec *sp)
{
	const recon_function_spec *f = &x->d->fn;
	const char **subs = base_arena_calloc(t, x->d->subnet_cidrs.n + 1, sizeof *subs);
	const char **sgs = base_arena_calloc(t, 2, sizeof *sgs);
	size_t i, n = 0;
	memset(sp, 0, sizeof *sp);
	sp->function_name = x->fn;
	sp->role = recon__st_role_arn(x);
	recon_fn_to_request(f, sp);
	sp->code.zip = f->zip;
	sp->code.zip_len = f->zip_len;
	sp->code.s3_bucket = f->s3_bucket;
	sp->code.s3_key = f->s3_key;
	sp->code.s3_object_version = f->s3_object_version;
	sp->publish = AWS_BOOL_UNSET; /* versions come from function.publish only */
	for (i = 0; i < x->d->subnet_cidrs.n; i++) {
		const char *id = recon__st_subnet_id(x, x->d->subnet_cidrs.v[i], NULL);
		if (id)
			subs[n++] = id;
	}
	sp->subnet_ids = (aws_strs){subs, n};
	/* Its own SG, and the VPC's shared clients SG when it uses interface endpoints. */
	sgs[0] = recon__st_sg_id(x, RECON_SG_LAMBDA);
	sgs[1] = recon_wants_shared(x->d) ? recon__st_clients_sg(x) : NULL;
	sp->security_group_ids = (aws_strs){sgs, sgs[0] ? (sgs[1] ? 2u : 1u) : 0u};
	sp->tags = x->tags;
}

/* Errors Lambda returns while IAM / EC2 catch up (AWS.md 3.1): retry. */
static bool lambda_retryable(const aws_error *e)
{
	if (aws_error_is(e, "InvalidParameterValueException"))
		return recon__err_msg_has(e, "cannot be assumed by Lambda") ||
		       recon__err_msg_has(e, "execution role does not have permissions") ||
		       recon__err_msg_has(e, "throttled by EC2") ||
		       recon__err_msg_has(e, "KMS key is invalid for CreateGrant");
	if (aws_error_is(e, "ResourceConflictException"))
		return !recon__err_msg_has(e, "already exist");
	return false;
}

/* State says the function is done being set up (not Pending, not Failed). */
static bool function_settled(const aws_lambda_function *f)
{
	return base_str_eq(f->state, "Active") || base_str_eq(f->state, "ActiveNonInvocable") ||
	       base_str_eq(f->state, "Inactive");
}

struct fn_poll {
	struct ex *x;
	base_arena *t;
	bool update;  /* wait LastUpdateStatus, else State */
	bool refresh; /* poll with GetFunction and record the settled function */
	aws_error *e;
};

static int poll_function(void *ctx, bool *done)
{
	struct fn_poll *p = ctx;
	aws_lambda_function f;
	int rc = p->refresh ? aws_lambda_get_function(p->x->c, p->t, p->x->fn, &f, p->e)
	                    : aws_lambda_get_function_configuration(p->x->c, p->t, p->x->fn, &f, p->e);
	if (rc != BASE_OK)
		return rc;
	if (base_str_eq(f.state, "Failed") || (p->update && base_str_eq(f.last_update_status, "Failed"))) {
		const char *code = p->update && base_str_eq(f.last_update_status, "Failed")
		                           ? f.last_update_status_reason_code
		                           : f.state_reason_code;
		const char *why = p->update && base_str_eq(f.last_update_status, "Failed")
		                          ? f.last_update_status_reason
		                          : f.state_reason;
		aws_error_setf(p->e, 0, code ? code : "FunctionFailed", "%s: %s", code ? code : "Failed",
		               why ? why : "no reason given");
		return BASE_EAWS;
	}
	if (p->update)
		*done = f.last_update_status && strcmp(f.last_update_status, "InProgress") != 0;
	else
		*done = !f.state || function_settled(&f);
	if (*done && p->refresh)
		recon__st_fn_refreshed(p->x, &f);
	return BASE_OK;
}

/* Waits until the function settled (State, or LastUpdateStatus when
 * update). refresh: the polls are GetFunction calls and the last one, the
 * settled function with its tags, goes into the state (owned); one request
 * less than a wait followed by a read. */
static int wait_function(struct ex *x, base_arena *t, bool update, bool refresh, aws_error *e)
{
	struct fn_poll p = {x, t, update, refresh, e};
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	return recon_wait_until(&x->clk, &w, poll_function, &p, NULL);
}

enum fn_op { FN_OP_CREATE, FN_OP_CONFIG, FN_OP_CODE, FN_OP_PUBLISH };

/* One Lambda mutation, retried while IAM / EC2 catch up; *out = the reply.
 * A create refused because the function exists adopts it when it is ours:
 * *out = GetFunction's answer and *adopted = true (adopted may be NULL). */
static int fn_call(struct ex *x, base_arena *t, enum fn_op op, const recon_step *st, aws_lambda_function *out,
                   bool *adopted, aws_error *e)
{
	aws_lambda_function_spec sp;
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	recon_backoff b;
	int rc;
	if (adopted)
		*adopted = false;
	fn_spec(x, t, &sp);
	recon_backoff_init(&b, &x->clk, &w);
	for (;;) {
		if (op == FN_OP_CREATE)
			rc = aws_lambda_create_function(x->c, t, &sp, out, e);
		else if (op == FN_OP_CONFIG)
			rc = aws_lambda_update_function_configuration(x->c, t, &sp, out, e);
		else if (op == FN_OP_CODE)
			rc = aws_lambda_update_function_code(x->c, t, &sp, out, e);
		else
			rc = aws_lambda_publish_version(x->c, t, x->fn, out, e);
		if (rc == BASE_EAWS && lambda_retryable(e)) {
			int brc = recon_backoff_sleep(&b);
			if (brc == BASE_OK)
				continue;
			if (brc == BASE_ETIMEOUT)
				recon__ex_fail(
				        x, st, BASE_ETIMEOUT, e,
				        "Lambda kept refusing the change until the timeout (%s). If the role "
				        "was just "
				        "created, IAM propagation can take minutes.",
				        e->message);
			return brc;
		}
		break;
	}
	if (rc == BASE_EAWS && op == FN_OP_CREATE && aws_error_is(e, "ResourceConflictException")) {
		/* It exists: ours from an interrupted apply, or someone else's. */
		aws_lambda_function f;
		rc = aws_lambda_get_function(x->c, t, x->fn, &f, e);
		if (rc != BASE_OK)
			return rc;
		if (!recon__owned_by(f.tags, x->fn)) {
			recon__ex_fail(
			        x, st, BASE_ECONFLICT, e,
			        "Lambda function %s already exists and is not managed by lambdavpc (no tag "
			        "%s). "
			        "Import it or choose another function_name.",
			        x->fn, RECON_OWNER_TAG);
			return BASE_ECONFLICT;
		}
		*out = f; /* ours, left by an interrupted apply: adopted as it is */
		if (adopted)
			*adopted = true;
	} else if (rc != BASE_OK) {
		return rc;
	}
	return BASE_OK;
}

int recon__step_fn_create(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_lambda_function out;
	bool adopted;
	int rc = fn_call(x, t, FN_OP_CREATE, st, &out, &adopted, e);
	if (rc != BASE_OK)
		return rc;
	/*
	 * Record what the reply says at once (name, ARN, code hash, settings), so
	 * a failed or cancelled wait still leaves the function in the state. The
	 * reply carries no tags: the ones we sent (ownership included) are
	 * recorded; a published version already known is kept.
	 */
	recon__st_fn_created(x, &out);
	/* Settled already (moto; AWS answers Pending for a function in a VPC):
	 * the reply is what a GetFunction would say, tags aside, and the tags
	 * are the ones just sent. An adopted function is read as it is. */
	if (!adopted && function_settled(&out))
		return BASE_OK;
	return wait_function(x, t, false, true, e);
}

static int fn_update(struct ex *x, base_arena *t, const recon_step *st, bool code, aws_error *e)
{
	aws_lambda_function out;
	int rc = wait_function(x, t, true, false, e);
	if (rc == BASE_OK)
		rc = fn_call(x, t, code ? FN_OP_CODE : FN_OP_CONFIG, st, &out, NULL, e);
	if (rc == BASE_OK)
		rc = wait_function(x, t, true, true, e);
	return rc;
}

int recon__step_fn_config(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	return fn_update(x, t, st, false, e);
}

int recon__step_fn_code(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	return fn_update(x, t, st, true, e);
}

/* PublishVersion once the last update settled; the state keeps the number
 * (GetFunction only ever reports $LATEST). */
int recon__step_fn_publish(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	aws_lambda_function out;
	int rc = wait_function(x, t, true, false, e);
	if (rc == BASE_OK)
		rc = fn_call(x, t, FN_OP_PUBLISH, st, &out, NULL, e);
	if (rc != BASE_OK)
		return rc;
	if (!recon_version_published(out.version)) {
		aws_error_setf(e, 0, "InvalidResponse", "PublishVersion returned version %s",
		               out.version ? out.version : "(none)");
		return BASE_EAWS;
	}
	recon__st_fn_version(x, out.version);
	return BASE_OK;
}

int recon__step_fn_concurrency(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	int n = x->d->fn.reserved_concurrency, rc;
	(void)st;
	if (n >= 0)
		rc = aws_lambda_put_function_concurrency(x->c, t, x->fn, n, e);
	else {
		rc = aws_lambda_delete_function_concurrency(x->c, t, x->fn, e);
		if (recon__gone(rc, e))
			rc = BASE_OK;
	}
	if (rc != BASE_OK)
		return rc;
	recon__st_fn_concurrency(x, n);
	return BASE_OK;
}

int recon__step_fn_delete(struct ex *x, base_arena *t, const recon_step *st, aws_error *e)
{
	recon_wait_cfg w = recon__ex_wait_cfg(x, 1);
	recon_backoff b;
	int rc;
	recon_backoff_init(&b, &x->clk, &w);
	(void)st;
	for (;;) {
		rc = aws_lambda_delete_function(x->c, t, x->fn, e);
		if (rc == BASE_EAWS && aws_error_is(e, "ResourceConflictException") &&
		    recon_backoff_sleep(&b) == BASE_OK)
			continue;
		break;
	}
	/* No wait for GetFunction to answer 404: DeleteFunction's 2xx means the
	 * function is gone; what outlives it (its hyperplane ENIs) is eni.wait's. */
	if (rc != BASE_OK && !recon__gone(rc, e))
		return rc;
	recon__st_forget(x, RECON_PART_FN);
	return BASE_OK;
}

/* ---- diff ---- */

/* A code field (image, architectures) d set differs from o; architectures
 * are a set, AWS reporting none means its default (observed_unset). */
static bool code_field_differs(const recon_fn_field *f, const recon_function_spec *d,
                               const recon_function_spec *o)
{
	if (f->type == RECON_FN_STR) {
		const char *ds = *CAT(d, f->model, fn_str);
		return ds && !recon__str_same(ds, *CAT(o, f->model, fn_str));
	}
	if (f->type == RECON_FN_STRS) {
		aws_strs dv = *CAT(d, f->model, aws_strs), ov = *CAT(o, f->model, aws_strs);
		if (dv.n == 0)
			return false;
		if (ov.n == 0 && f->observed_unset)
			ov = (aws_strs){&f->observed_unset, 1};
		return !recon__strs_same_set(dv, ov);
	}
	return false;
}

static bool fn_code_differs(const recon_function_spec *d, const recon_function *o)
{
	size_t i;
	if (d->source_code_hash && !recon__str_same(d->source_code_hash, o->code_sha256))
		return true;
	for (i = 0; i < recon_fn_n_fields; i++)
		if (recon_fn_fields[i].cmp == RECON_FN_CMP_CODE &&
		    code_field_differs(&recon_fn_fields[i], d, &o->cfg))
			return true;
	return false;
}

/* The function: create (+ publish, concurrency) after role, subnets,
 * associations and the lambda SG; or config -> code -> publish ->
 * concurrency chained; tags. */
/* The SGs the function's VpcConfig should have: its own, plus the shared
 * clients SG when it uses interface endpoints. */
static aws_strs want_sgs(base_arena *a, const recon_desired *d, const recon_state *s)
{
	const char **v = base_arena_calloc(a, 2, sizeof *v);
	size_t n = 0;
	if (s->sgs[RECON_SG_LAMBDA].id)
		v[n++] = s->sgs[RECON_SG_LAMBDA].id;
	if (recon_wants_shared(d) && s->clients_sg_id)
		v[n++] = s->clients_sg_id;
	return (aws_strs){v, n};
}

void recon__diff_function(struct recon__dctx *c)
{
	const recon_desired *d = c->d;
	const recon_state *s = c->s;
	base_arena *a = c->a;
	struct recon__pb *b = &c->b;
	size_t last_fn = RECON_NONE, fn_c = RECON_NONE;
	size_t i;

	{
		struct recon__idxv fdeps = {a, 0, 0, 0};
		for (i = 0; i < c->role_ready.n; i++)
			recon__idxv_push(&fdeps, c->role_ready.v[i]);
		for (i = 0; i < c->subnet_creates.n; i++)
			recon__idxv_push(&fdeps, c->subnet_creates.v[i]);
		for (i = 0; i < c->assocs.n; i++)
			recon__idxv_push(&fdeps, c->assocs.v[i]);
		recon__idxv_push(&fdeps, c->sg_c[RECON_SG_LAMBDA]);
		recon__idxv_push(&fdeps, c->sg_c[RECON_SG_ENDPOINT]);
		if (!s->fn.name || !s->fn.owned) {
			fn_c = recon__pb_add_v(b, RECON_STEP_FN_CREATE, d->function_name, &fdeps, RECON_NONE,
			                       RECON_NONE, RECON_NONE);
			last_fn = fn_c;
			if (d->fn.publish)
				recon__pb_add3(b, RECON_STEP_FN_PUBLISH, d->function_name, fn_c, RECON_NONE,
				               RECON_NONE);
			if (d->fn.reserved_concurrency >= 0)
				last_fn = recon__pb_add3(b, RECON_STEP_FN_CONCURRENCY, d->function_name, fn_c,
				                         RECON_NONE, RECON_NONE);
			recon__idxv_push(&c->net_users, fn_c);
		} else {
			bool vpc_change = c->sg_c[RECON_SG_LAMBDA] != RECON_NONE ||
			                  c->sg_c[RECON_SG_ENDPOINT] != RECON_NONE || c->subnet_creates.n > 0;
			bool cfg_change, code_change;
			struct recon__idxv want_ids = {a, 0, 0, 0};
			for (i = 0; i < d->subnet_cidrs.n; i++) {
				const recon_subnet *sn = recon_state_subnet(s, d->subnet_cidrs.v[i]);
				if (!sn)
					vpc_change = true;
				else
					recon__idxv_push(&want_ids, i);
			}
			if (!vpc_change) {
				const char **ids = base_arena_calloc(a, want_ids.n + 1, sizeof *ids);
				for (i = 0; i < want_ids.n; i++)
					ids[i] = recon_state_subnet(s, d->subnet_cidrs.v[want_ids.v[i]])->id;
				if (!recon__strs_same_set((aws_strs){ids, want_ids.n}, s->fn.subnet_ids))
					vpc_change = true;
				if (!recon__strs_same_set(s->fn.sg_ids, want_sgs(a, d, s)))
					vpc_change = true;
			}
			cfg_change = vpc_change || c->role_c != RECON_NONE ||
			             recon_fn_config_differs(&d->fn, &s->fn.cfg) ||
			             (s->role.arn && !recon__str_same(s->role.arn, s->fn.role_arn));
			code_change = fn_code_differs(&d->fn, &s->fn);
			if (cfg_change) {
				last_fn = recon__pb_add_v(b, RECON_STEP_FN_CONFIG, d->function_name, &fdeps,
				                          RECON_NONE, RECON_NONE, RECON_NONE);
				recon__idxv_push(&c->net_users, last_fn);
			}
			if (code_change)
				last_fn = recon__pb_add_v(b, RECON_STEP_FN_CODE, d->function_name,
				                          &c->role_ready, last_fn, RECON_NONE, RECON_NONE);
			if (d->fn.publish &&
			    (cfg_change || code_change || !recon_version_published(s->fn.version)))
				recon__pb_add3(b, RECON_STEP_FN_PUBLISH, d->function_name, last_fn,
				               RECON_NONE, RECON_NONE);
			if (d->fn.reserved_concurrency != s->fn.cfg.reserved_concurrency)
				last_fn = recon__pb_add3(b, RECON_STEP_FN_CONCURRENCY, d->function_name,
				                         last_fn, RECON_NONE, RECON_NONE);
			if (recon_tags_differ(c->want_tags, s->fn.tags))
				recon__pb_add3(b, RECON_STEP_TAGS, "function", RECON_NONE, RECON_NONE,
				               RECON_NONE);
		}
	}
}

/* ---- observe ---- */

void recon_observe_function_from_aws(base_arena *a, const aws_lambda_function *f, recon_function *o)
{
	memset(o, 0, sizeof *o);
	o->name = recon__cp(a, f->function_name);
	o->arn = recon__cp(a, f->function_arn);
	o->version = recon__cp(a, f->version);
	o->last_modified = recon__cp(a, f->last_modified);
	o->code_sha256 = recon__cp(a, f->code_sha256);
	o->role_arn = recon__cp(a, f->role);
	o->state = recon__cp(a, f->state);
	o->last_update_status = recon__cp(a, f->last_update_status);
	recon_fn_from_observed(a, f, &o->cfg);
	o->cfg.reserved_concurrency = f->has_reserved_concurrency ? (int)f->reserved_concurrency : -1;
	o->subnet_ids = recon__cp_strs(a, f->subnet_ids);
	o->sg_ids = recon__cp_strs(a, f->security_group_ids);
	o->tags = recon__cp_tags(a, f->tags);
	o->owned = f->tags.n ? recon__owned_by(f->tags, f->function_name) : false;
}

int recon__observe_function(struct recon__obs *o)
{
	base_arena *t = base_arena_new();
	aws_lambda_function f;
	aws_error e;
	int rc = aws_lambda_get_function(o->c, t, o->in->function_name, &f, &e);
	if (recon__gone(rc, &e)) {
		rc = BASE_OK;
		goto done;
	}
	if (rc != BASE_OK)
		goto done;
	pthread_mutex_lock(&o->mu);
	recon_observe_function_from_aws(o->a, &f, &o->out->fn);
	/* GetFunction reports $LATEST: keep the version the prior state published */
	if (o->in->prior && recon_version_published(o->in->prior->fn.version))
		o->out->fn.version = recon__cp(o->a, o->in->prior->fn.version);
	pthread_mutex_unlock(&o->mu);
done:
	return recon__obs_end(o, t, rc, &e);
}
