/* tf6_dispatch_test.c - create/update/delete choice and contract rules. */
#include <string.h>

#include "base/base_arena.h"
#include "base/base_diag.h"
#include "cty/cty_json.h"
#include "tf6/tf6_int.h"
#include "t.h"

/* The fake resource: records which slot ran and returns what it is told. */
struct fake {
	const char *last;
	int rc;
	bool add_error;
	const cty_value *result; /* returned state/plan */
	tf6_bytes priv;          /* private bytes the delete handler returns */
};

static int f_common(struct fake *f, tf6_call *call, const char *name)
{
	f->last = name;
	if (f->add_error)
		base_diags_add(call->diags, BASE_SEV_ERROR, NULL, "boom", "");
	return f->rc;
}

static int f_plan(void *ctx, tf6_call *call, const tf6_plan_req *req, tf6_plan_resp *resp)
{
	(void)req;
	resp->planned = ((struct fake *)ctx)->result;
	return f_common(ctx, call, "plan");
}

static int f_create(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp)
{
	(void)req;
	resp->new_state = ((struct fake *)ctx)->result;
	return f_common(ctx, call, "create");
}

static int f_update(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp)
{
	(void)req;
	resp->new_state = ((struct fake *)ctx)->result;
	return f_common(ctx, call, "update");
}

static int f_delete(void *ctx, tf6_call *call, const tf6_apply_req *req, tf6_apply_resp *resp)
{
	(void)req;
	resp->new_state = ((struct fake *)ctx)->result;
	resp->private_data = ((struct fake *)ctx)->priv;
	return f_common(ctx, call, "delete");
}

static int f_validate(void *ctx, tf6_call *call, const tf6_validate_req *req)
{
	(void)req;
	return f_common(ctx, call, "validate");
}

static const tf6_resource_ops FULL = {
        .validate = f_validate,
        .plan = f_plan,
        .apply_create = f_create,
        .apply_update = f_update,
        .apply_delete = f_delete,
};
static const tf6_resource_ops NONE = {0};

struct env {
	base_arena *a;
	tf6_schema s;
	tf6_attribute attrs[2];
	tf6_resource r;
	struct fake f;
	tf6_call call;
	const cty_value *obj, *obj2, *null;
};

static bool setup(struct env *e, const tf6_resource_ops *ops)
{
	memset(e, 0, sizeof(*e));
	e->a = base_arena_new();
	e->attrs[0] = (tf6_attribute){.name = "id", .type_json = "\"string\"", .computed = true};
	e->attrs[1] = (tf6_attribute){.name = "name", .type_json = "\"string\"", .required = true};
	e->s = (tf6_schema){.version = 1, .block = {.attrs = e->attrs, .n_attrs = 2}};
	if (tf6_schema_finish(e->a, &e->s, base_diags_new(e->a)) != BASE_OK)
		return false;
	e->r = (tf6_resource){"x_thing", &e->s, ops, &e->f};
	e->call = (tf6_call){e->a, base_diags_new(e->a), "x_thing"};
	const cty_type *t = tf6_schema_type(&e->s);
	if (cty_json_decode(e->a, t, "{\"id\":\"1\",\"name\":\"a\"}", 21, 0, &e->obj, NULL) != BASE_OK ||
	    cty_json_decode(e->a, t, "{\"id\":\"2\",\"name\":\"b\"}", 21, 0, &e->obj2, NULL) != BASE_OK)
		return false;
	e->null = cty_value_null(t);
	return true;
}

static const char *first_summary(struct env *e)
{
	const base_diag *d = base_diags_first(e->call.diags);
	return d ? d->summary : "";
}

void test_tf6_tf6_dispatch__apply_chooses_verb(void)
{
	struct env e;
	T_ASSERT(setup(&e, &FULL));
	tf6_apply_resp rs;
	e.f.result = e.obj2;
	T_OK(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.null, e.obj, e.obj, {0}}, &rs));
	T_ASSERT_STR(e.f.last, "create");
	T_ASSERT(rs.new_state == e.obj2);
	T_OK(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.obj, e.obj2, e.obj2, {0}}, &rs));
	T_ASSERT_STR(e.f.last, "update");
	/* delete: the handler's (wrong) non-null result is replaced by null */
	T_OK(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.obj, e.null, e.null, {0}}, &rs));
	T_ASSERT_STR(e.f.last, "delete");
	T_ASSERT(rs.new_state && cty_value_is_null(rs.new_state));
	T_ASSERT(NULL == base_diags_first(e.call.diags));
	base_arena_free(e.a);
}

void test_tf6_tf6_dispatch__apply_partial_state(void)
{
	struct env e;
	T_ASSERT(setup(&e, &FULL));
	tf6_apply_resp rs;
	/* create failed half-way: the partial state is kept with the error */
	e.f.result = e.obj2;
	e.f.add_error = true;
	e.f.rc = BASE_EAWS;
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.null, e.obj, e.obj, {0}}, &rs),
	             BASE_EAWS);
	T_ASSERT(rs.new_state == e.obj2);
	/* create failed with nothing to keep */
	e.f.result = NULL;
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.null, e.obj, e.obj, {0}}, &rs),
	             BASE_EAWS);
	T_ASSERT(rs.new_state == NULL);
	/* update failed with nothing: the prior state stays */
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.obj, e.obj2, e.obj2, {0}}, &rs),
	             BASE_EAWS);
	T_ASSERT(rs.new_state == e.obj);
	/* delete failed with a partial state: kept */
	e.f.result = e.obj2;
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.obj, e.null, e.null, {0}}, &rs),
	             BASE_EAWS);
	T_ASSERT(rs.new_state == e.obj2);
	base_arena_free(e.a);
}

void test_tf6_tf6_dispatch__failed_delete_partial_state(void)
{
	struct env e;
	T_ASSERT(setup(&e, &FULL));
	tf6_apply_resp rs;
	static const uint8_t mark[] = "destroying";
	e.f.priv = (tf6_bytes){mark, sizeof mark - 1};
	/* failed delete with what still exists: state and private bytes kept */
	e.f.result = e.obj2;
	e.f.add_error = true;
	e.f.rc = BASE_ETIMEOUT;
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.obj, e.null, e.null, {0}}, &rs),
	             BASE_ETIMEOUT);
	T_ASSERT(rs.new_state == e.obj2);
	T_ASSERT_MEM(rs.private_data.data, rs.private_data.len, mark, sizeof mark - 1);
	/* a partial state with an unknown left in cannot be stored: null (Terraform
	 * keeps the prior state and its private bytes) */
	e.f.result = cty_value_with_attr(e.a, e.obj2, "id", cty_value_unknown(cty_type_string()));
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.obj, e.null, e.null, {0}}, &rs),
	             BASE_ETIMEOUT);
	T_ASSERT(rs.new_state && cty_value_is_null(rs.new_state));
	T_ASSERT(rs.private_data.data == NULL && rs.private_data.len == 0);
	/* a failed delete without a partial state: null */
	e.f.result = NULL;
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.obj, e.null, e.null, {0}}, &rs),
	             BASE_ETIMEOUT);
	T_ASSERT(rs.new_state && cty_value_is_null(rs.new_state));
	T_ASSERT(rs.private_data.len == 0);
	/* a completed delete: null, no private bytes, whatever the handler said */
	e.call.diags = base_diags_new(e.a);
	e.f.result = e.obj2;
	e.f.add_error = false;
	e.f.rc = BASE_OK;
	T_OK(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.obj, e.null, e.null, {0}}, &rs));
	T_ASSERT(rs.new_state && cty_value_is_null(rs.new_state));
	T_ASSERT(rs.private_data.data == NULL && rs.private_data.len == 0);
	base_arena_free(e.a);
}

void test_tf6_tf6_dispatch__apply_result_checks(void)
{
	struct env e;
	T_ASSERT(setup(&e, &FULL));
	tf6_apply_resp rs;
	/* success with no state: error */
	e.f.result = NULL;
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.null, e.obj, e.obj, {0}}, &rs),
	             BASE_EINVALID);
	T_ASSERT_STR(first_summary(&e), "Provider returned no state after apply");
	/* success with an unknown left in: error */
	e.call.diags = base_diags_new(e.a);
	e.f.result = cty_value_with_attr(e.a, e.obj, "id", cty_value_unknown(cty_type_string()));
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.null, e.obj, e.obj, {0}}, &rs),
	             BASE_EINVALID);
	T_ASSERT_STR(first_summary(&e), "Provider returned an invalid state after apply");
	T_ASSERT(rs.new_state == NULL);
	/* failure without a diagnostic gets a generic one */
	e.call.diags = base_diags_new(e.a);
	e.f.result = e.obj;
	e.f.rc = BASE_ERR;
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.obj, e.obj2, e.obj2, {0}}, &rs),
	             BASE_ERR);
	T_ASSERT_STR(first_summary(&e), "Provider error");
	base_arena_free(e.a);
}

void test_tf6_tf6_dispatch__plan_rules(void)
{
	struct env e;
	T_ASSERT(setup(&e, &FULL));
	tf6_plan_resp rs;
	/* destroy plan: null, handler not called */
	T_OK(tf6__dispatch_plan(&e.r, &e.call, &(tf6_plan_req){e.obj, e.null, e.null, {0}}, &rs));
	T_ASSERT(e.f.last == NULL);
	T_ASSERT(rs.planned && cty_value_is_null(rs.planned));
	/* normal plan */
	e.f.result = e.obj2;
	T_OK(tf6__dispatch_plan(&e.r, &e.call, &(tf6_plan_req){e.obj, e.obj2, e.obj2, {0}}, &rs));
	T_ASSERT_STR(e.f.last, "plan");
	T_ASSERT(rs.planned == e.obj2);
	/* a plan with errors is dropped */
	e.f.add_error = true;
	T_ASSERT_INT(tf6__dispatch_plan(&e.r, &e.call, &(tf6_plan_req){e.obj, e.obj2, e.obj2, {0}}, &rs),
	             BASE_EINVALID);
	T_ASSERT(rs.planned == NULL);
	/* planned null for a live config */
	e.call.diags = base_diags_new(e.a);
	e.f.add_error = false;
	e.f.result = e.null;
	T_ASSERT_INT(tf6__dispatch_plan(&e.r, &e.call, &(tf6_plan_req){e.obj, e.obj2, e.obj2, {0}}, &rs),
	             BASE_EINVALID);
	T_ASSERT_STR(first_summary(&e), "Provider produced no plan");
	base_arena_free(e.a);
}

void test_tf6_tf6_dispatch__not_implemented(void)
{
	struct env e;
	T_ASSERT(setup(&e, &NONE));
	tf6_plan_resp ps;
	T_ASSERT_INT(tf6__dispatch_plan(&e.r, &e.call, &(tf6_plan_req){e.null, e.obj, e.obj, {0}}, &ps),
	             BASE_EINVALID);
	T_ASSERT_STR(first_summary(&e), "Not implemented yet");
	T_ASSERT(strstr(base_diags_first(e.call.diags)->detail, "x_thing"));
	tf6_apply_resp as;
	T_ASSERT_INT(tf6__dispatch_apply(&e.r, &e.call, &(tf6_apply_req){e.null, e.obj, e.obj, {0}}, &as),
	             BASE_EINVALID);
	tf6_read_resp rr;
	T_ASSERT_INT(tf6__dispatch_read(&e.r, &e.call, &(tf6_read_req){e.obj, {0}}, &rr), BASE_EINVALID);
	T_ASSERT(rr.new_state == e.obj); /* state left as it was */
	tf6_import_resp ir;
	T_ASSERT_INT(tf6__dispatch_import(&e.r, &e.call, &(tf6_import_req){"x"}, &ir), BASE_EINVALID);
	T_ASSERT(ir.state == NULL);
	T_ASSERT_INT(base_diags_count(e.call.diags), 4);
	/* validate with no slot: accepted */
	e.call.diags = base_diags_new(e.a);
	T_OK(tf6__dispatch_validate(&e.r, &e.call, &(tf6_validate_req){e.obj}));
	T_ASSERT_INT(base_diags_count(e.call.diags), 0);
	base_arena_free(e.a);
}

void test_tf6_tf6_dispatch__upgrade_default(void)
{
	struct env e;
	T_ASSERT(setup(&e, &NONE));
	tf6_upgrade_resp rs;
	const char *json = "{\"id\":\"i-1\",\"gone\":42}"; /* name missing, gone dropped */
	T_OK(tf6__dispatch_upgrade(&e.r, &e.call, &(tf6_upgrade_req){1, json, strlen(json)}, &rs));
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(cty_json_encode(rs.upgraded, &b));
	T_ASSERT_STR(base_buf_cstr(&b), "{\"id\":\"i-1\",\"name\":null}");
	base_buf_dispose(&b);
	T_ASSERT_INT(tf6__dispatch_upgrade(&e.r, &e.call, &(tf6_upgrade_req){2, json, strlen(json)}, &rs),
	             BASE_EINVALID);
	T_ASSERT_STR(first_summary(&e), "Resource state written by a newer provider");
	e.call.diags = base_diags_new(e.a);
	T_ASSERT_INT(tf6__dispatch_upgrade(&e.r, &e.call, &(tf6_upgrade_req){1, "{\"id\":5", 7}, &rs),
	             BASE_EINVALID);
	T_ASSERT_STR(first_summary(&e), "Invalid resource state");
	e.call.diags = base_diags_new(e.a);
	T_ASSERT_INT(tf6__dispatch_upgrade(&e.r, &e.call, &(tf6_upgrade_req){1, "", 0}, &rs), BASE_EINVALID);
	base_arena_free(e.a);
}

void test_tf6_tf6_dispatch__write_only(void)
{
	base_arena *a = base_arena_new();
	tf6_attribute attrs[2] = {
	        {.name = "name", .type_json = "\"string\"", .required = true},
	        {.name = "pw", .type_json = "\"string\"", .optional = true, .write_only = true},
	};
	tf6_schema s = {.block = {.attrs = attrs, .n_attrs = 2}};
	T_OK(tf6_schema_finish(a, &s, base_diags_new(a)));
	struct fake f = {0};
	tf6_resource r = {"x_thing", &s, &FULL, &f};
	tf6_call call = {a, base_diags_new(a), "x_thing"};
	const cty_value *v;
	T_OK(cty_json_decode(a, tf6_schema_type(&s), "{\"name\":\"n\",\"pw\":\"secret\"}", 26, 0, &v, NULL));
	/* allowed: fine; not allowed (Terraform < 1.11): error at the attribute */
	T_OK(tf6__check_write_only(&r, &call, v, true));
	T_ASSERT_INT(tf6__check_write_only(&r, &call, v, false), BASE_EINVALID);
	T_ASSERT_STR(base_path_str(a, base_diags_first(call.diags)->path), "pw");
	/* never in a plan or a state */
	call.diags = base_diags_new(a);
	f.result = v;
	tf6_plan_resp ps;
	T_OK(tf6__dispatch_plan(&r, &call, &(tf6_plan_req){cty_value_null(tf6_schema_type(&s)), v, v, {0}},
	                        &ps));
	T_ASSERT(cty_value_is_null(cty_value_get_attr(ps.planned, "pw")));
	T_ASSERT_STR(cty_value_as_string(cty_value_get_attr(ps.planned, "name")), "n");
	tf6_apply_resp as;
	T_OK(tf6__dispatch_apply(&r, &call, &(tf6_apply_req){cty_value_null(tf6_schema_type(&s)), v, v, {0}},
	                         &as));
	T_ASSERT(cty_value_is_null(cty_value_get_attr(as.new_state, "pw")));
	base_arena_free(a);
}
