/*
 * aws_probe - runs one typed AWS operation (src/aws/aws_{ec2,iam,sts,lambda}.h)
 * and prints its result as one JSON object on stdout, for the integration
 * tests in tests/integration/aws/ (which check the effect with boto3).
 *
 *   build/tools/aws_probe <op> [key=value ...]
 *
 * Endpoint, region and credentials come from the environment
 * (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, ...). A key may repeat
 * to form a list (subnet=a subnet=b). Tags are tag=K=V, filters
 * filter=NAME=V1,V2, environment variables env=K=V.
 * Output: {"ok":true,"result":...} and exit 0, or
 * {"ok":false,"rc":N,"rc_name":"...","error":{status,code,message,request_id}}
 * and exit 2 for not-found, 1 otherwise. Usage errors exit 64.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_client.h"
#include "aws/aws_ec2.h"
#include "aws/aws_error.h"
#include "aws/aws_iam.h"
#include "aws/aws_json.h"
#include "aws/aws_lambda.h"
#include "aws/aws_sts.h"
#include "aws/aws_xml.h"
#include "base/base_log.h"
#include "base/base_alloc.h"
#include "base/base_arena.h"
#include "base/base_buf.h"

#define MAX_ARGS 256

struct args {
	int n;
	const char *key[MAX_ARGS];
	const char *val[MAX_ARGS];
};

struct ctx {
	aws_client *c;
	base_arena *a;
	struct args args;
	aws_error err;
	aws_json *result;
};

/* ---- argument helpers ---- */

static const char *arg(struct ctx *x, const char *k)
{
	for (int i = 0; i < x->args.n; i++)
		if (strcmp(x->args.key[i], k) == 0)
			return x->args.val[i];
	return NULL;
}

static const char *req(struct ctx *x, const char *k)
{
	const char *v = arg(x, k);
	if (!v) {
		fprintf(stderr, "aws_probe: missing argument %s=\n", k);
		exit(64);
	}
	return v;
}

static int64_t arg_int(struct ctx *x, const char *k, int64_t dflt)
{
	const char *v = arg(x, k);
	return v ? strtoll(v, NULL, 10) : dflt;
}

static bool arg_bool(struct ctx *x, const char *k)
{
	const char *v = arg(x, k);
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

static aws_opt_bool arg_opt_bool(struct ctx *x, const char *k)
{
	const char *v = arg(x, k);
	if (!v)
		return AWS_BOOL_UNSET;
	return strcmp(v, "true") == 0 ? AWS_BOOL_TRUE : AWS_BOOL_FALSE;
}

static aws_strs args_all(struct ctx *x, const char *k)
{
	const char **v = base_arena_calloc(x->a, MAX_ARGS, sizeof *v);
	size_t n = 0;
	for (int i = 0; i < x->args.n; i++)
		if (strcmp(x->args.key[i], k) == 0)
			v[n++] = x->args.val[i];
	return (aws_strs){v, n};
}

/* key=K=V pairs (value after the second '='; "K" alone = NULL value). */
static aws_tags args_kv(struct ctx *x, const char *k)
{
	aws_strs raw = args_all(x, k);
	aws_tag *t = base_arena_calloc(x->a, raw.n ? raw.n : 1, sizeof *t);
	for (size_t i = 0; i < raw.n; i++) {
		const char *eq = strchr(raw.v[i], '=');
		t[i].key = eq ? base_arena_strndup(x->a, raw.v[i], (size_t)(eq - raw.v[i])) : raw.v[i];
		t[i].value = eq ? eq + 1 : NULL;
	}
	return (aws_tags){t, raw.n};
}

/* filter=NAME=V1,V2 */
static aws_filters args_filters(struct ctx *x)
{
	aws_tags kv = args_kv(x, "filter");
	aws_filter *f = base_arena_calloc(x->a, kv.n ? kv.n : 1, sizeof *f);
	for (size_t i = 0; i < kv.n; i++) {
		const char **vals = base_arena_calloc(x->a, 64, sizeof *vals);
		size_t n = 0;
		char *copy = base_arena_strdup(x->a, kv.v[i].value ? kv.v[i].value : "");
		for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && n < 64;
		     tok = strtok_r(NULL, ",", &save))
			vals[n++] = tok;
		f[i].name = kv.v[i].key;
		f[i].values = (aws_strs){vals, n};
	}
	return (aws_filters){f, kv.n};
}

/* ---- argument tables: key=value arguments -> fields of an op's spec ---- */

enum field_kind {
	F_REQ,      /* const char *, the argument must be given */
	F_STR,      /* const char *, NULL when absent */
	F_INT,      /* int64_t, 0 when absent */
	F_BOOL,     /* bool: "true" or "1" */
	F_OPT_BOOL, /* aws_opt_bool */
	F_STRS,     /* aws_strs: every occurrence of the key */
	F_KV        /* aws_tags: key=K=V occurrences */
};

struct field {
	const char *key;
	enum field_kind kind;
	size_t off; /* offsetof the field in the spec */
};

#define FIELD(type, key, kind, member)                                                                       \
	{                                                                                                    \
		key, kind, offsetof(type, member)                                                            \
	}

/* Sets each table field of *spec from the arguments. */
static void fill_fields(struct ctx *x, void *spec, const struct field *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *at = (char *)spec + t[i].off;
		switch (t[i].kind) {
		case F_REQ:
			*(const char **)at = req(x, t[i].key);
			break;
		case F_STR:
			*(const char **)at = arg(x, t[i].key);
			break;
		case F_INT:
			*(int64_t *)at = arg_int(x, t[i].key, 0);
			break;
		case F_BOOL:
			*(bool *)at = arg_bool(x, t[i].key);
			break;
		case F_OPT_BOOL:
			*(aws_opt_bool *)at = arg_opt_bool(x, t[i].key);
			break;
		case F_STRS:
			*(aws_strs *)at = args_all(x, t[i].key);
			break;
		case F_KV:
			*(aws_tags *)at = args_kv(x, t[i].key);
			break;
		}
	}
}

#define FILL(x, spec, table) fill_fields(x, spec, table, sizeof table / sizeof table[0])

/* ---- output helpers ---- */

static aws_json *jstrs(struct ctx *x, aws_strs s)
{
	aws_json *arr = aws_json_new_array(x->a);
	for (size_t i = 0; i < s.n; i++)
		aws_json_push_str(arr, s.v[i]);
	return arr;
}

static aws_json *jtags(struct ctx *x, aws_tags t)
{
	aws_json *o = aws_json_new_object(x->a);
	for (size_t i = 0; i < t.n; i++)
		aws_json_set_str(o, t.v[i].key, t.v[i].value ? t.v[i].value : "");
	return o;
}

#define S(o, k, v) aws_json_set_str((o), (k), (v))
#define I(o, k, v) aws_json_set_int((o), (k), (v))
#define B(o, k, v) aws_json_set_bool((o), (k), (v))

static aws_json *obj(struct ctx *x)
{
	return aws_json_new_object(x->a);
}

static aws_json *list_result(struct ctx *x)
{
	x->result = aws_json_new_array(x->a);
	return x->result;
}

/* ---- printers ---- */

static aws_json *j_subnet(struct ctx *x, const aws_ec2_subnet *s)
{
	aws_json *o = obj(x);
	S(o, "subnet_id", s->subnet_id);
	S(o, "vpc_id", s->vpc_id);
	S(o, "cidr_block", s->cidr_block);
	S(o, "availability_zone", s->availability_zone);
	S(o, "availability_zone_id", s->availability_zone_id);
	S(o, "state", s->state);
	I(o, "available_ip_count", s->available_ip_count);
	aws_json_set(o, "tags", jtags(x, s->tags));
	return o;
}

static aws_json *j_route_table(struct ctx *x, const aws_ec2_route_table *t)
{
	aws_json *o = obj(x), *as = aws_json_set_array(o, "associations"),
	         *rs = aws_json_set_array(o, "routes");
	S(o, "route_table_id", t->route_table_id);
	S(o, "vpc_id", t->vpc_id);
	for (size_t i = 0; i < t->n_assocs; i++) {
		aws_json *e = obj(x);
		S(e, "association_id", t->assocs[i].association_id);
		S(e, "subnet_id", t->assocs[i].subnet_id);
		S(e, "state", t->assocs[i].state);
		B(e, "main", t->assocs[i].main);
		aws_json_push(as, e);
	}
	for (size_t i = 0; i < t->n_routes; i++) {
		aws_json *e = obj(x);
		S(e, "destination_cidr_block", t->routes[i].destination_cidr_block);
		S(e, "destination_prefix_list_id", t->routes[i].destination_prefix_list_id);
		S(e, "gateway_id", t->routes[i].gateway_id);
		S(e, "state", t->routes[i].state);
		S(e, "origin", t->routes[i].origin);
		aws_json_push(rs, e);
	}
	aws_json_set(o, "tags", jtags(x, t->tags));
	return o;
}

static aws_json *j_perm(struct ctx *x, const aws_ec2_ip_perm *p)
{
	aws_json *o = obj(x);
	S(o, "ip_protocol", p->ip_protocol);
	I(o, "from_port", p->from_port);
	I(o, "to_port", p->to_port);
	aws_json_set(o, "cidr_ipv4", jstrs(x, p->cidr_ipv4));
	aws_json_set(o, "cidr_ipv6", jstrs(x, p->cidr_ipv6));
	aws_json_set(o, "group_ids", jstrs(x, p->group_ids));
	aws_json_set(o, "prefix_list_ids", jstrs(x, p->prefix_list_ids));
	S(o, "description", p->description);
	return o;
}

static aws_json *j_rule(struct ctx *x, const aws_ec2_sg_rule *r)
{
	aws_json *o = obj(x);
	S(o, "rule_id", r->rule_id);
	S(o, "group_id", r->group_id);
	B(o, "is_egress", r->is_egress);
	S(o, "ip_protocol", r->ip_protocol);
	I(o, "from_port", r->from_port);
	I(o, "to_port", r->to_port);
	S(o, "cidr_ipv4", r->cidr_ipv4);
	S(o, "cidr_ipv6", r->cidr_ipv6);
	S(o, "prefix_list_id", r->prefix_list_id);
	S(o, "referenced_group_id", r->referenced_group_id);
	S(o, "description", r->description);
	aws_json_set(o, "tags", jtags(x, r->tags));
	return o;
}

static aws_json *j_vpce(struct ctx *x, const aws_ec2_vpce *e)
{
	aws_json *o = obj(x);
	S(o, "vpc_endpoint_id", e->vpc_endpoint_id);
	S(o, "type", e->type);
	S(o, "vpc_id", e->vpc_id);
	S(o, "service_name", e->service_name);
	S(o, "state", e->state);
	S(o, "policy_document", e->policy_document);
	B(o, "private_dns_enabled", e->private_dns_enabled);
	aws_json_set(o, "route_table_ids", jstrs(x, e->route_table_ids));
	aws_json_set(o, "subnet_ids", jstrs(x, e->subnet_ids));
	aws_json_set(o, "security_group_ids", jstrs(x, e->security_group_ids));
	aws_json_set(o, "network_interface_ids", jstrs(x, e->network_interface_ids));
	aws_json_set(o, "dns_names", jstrs(x, e->dns_names));
	aws_json_set(o, "tags", jtags(x, e->tags));
	return o;
}

static aws_json *j_role(struct ctx *x, const aws_iam_role *r)
{
	aws_json *o = obj(x);
	S(o, "role_name", r->role_name);
	S(o, "role_id", r->role_id);
	S(o, "arn", r->arn);
	S(o, "path", r->path);
	S(o, "create_date", r->create_date);
	S(o, "assume_role_policy", r->assume_role_policy);
	S(o, "description", r->description);
	S(o, "permissions_boundary_arn", r->permissions_boundary_arn);
	I(o, "max_session_duration", r->max_session_duration);
	aws_json_set(o, "tags", jtags(x, r->tags));
	return o;
}

static aws_json *j_creds(struct ctx *x, const aws_sts_credentials *cr)
{
	aws_json *o = obj(x);
	S(o, "access_key_id", cr->access_key_id);
	B(o, "has_secret", cr->secret_access_key != NULL);
	B(o, "has_session_token", cr->session_token != NULL);
	S(o, "expiration", cr->expiration);
	S(o, "assumed_role_arn", cr->assumed_role_arn);
	S(o, "assumed_role_id", cr->assumed_role_id);
	return o;
}

static aws_json *j_function(struct ctx *x, const aws_lambda_function *f)
{
	aws_json *o = obj(x);
	S(o, "function_name", f->function_name);
	S(o, "function_arn", f->function_arn);
	S(o, "runtime", f->runtime);
	S(o, "role", f->role);
	S(o, "handler", f->handler);
	S(o, "description", f->description);
	S(o, "code_sha256", f->code_sha256);
	S(o, "last_modified", f->last_modified);
	S(o, "version", f->version);
	S(o, "package_type", f->package_type);
	I(o, "code_size", f->code_size);
	I(o, "memory_size", f->memory_size);
	I(o, "timeout", f->timeout);
	I(o, "ephemeral_storage_size", f->ephemeral_storage_size);
	S(o, "state", f->state);
	S(o, "last_update_status", f->last_update_status);
	S(o, "kms_key_arn", f->kms_key_arn);
	S(o, "tracing_mode", f->tracing_mode);
	S(o, "dead_letter_target_arn", f->dead_letter_target_arn);
	aws_json_set(o, "architectures", jstrs(x, f->architectures));
	aws_json_set(o, "layers", jstrs(x, f->layers));
	aws_json_set(o, "environment", jtags(x, f->environment));
	aws_json_set(o, "subnet_ids", jstrs(x, f->subnet_ids));
	aws_json_set(o, "security_group_ids", jstrs(x, f->security_group_ids));
	S(o, "vpc_id", f->vpc_id);
	S(o, "log_format", f->logging.log_format);
	S(o, "log_group", f->logging.log_group);
	aws_json_set(o, "tags", jtags(x, f->tags));
	B(o, "has_reserved_concurrency", f->has_reserved_concurrency);
	I(o, "reserved_concurrency", f->reserved_concurrency);
	return o;
}

/* ---- operations ---- */

typedef int (*op_fn)(struct ctx *x);

/* An op whose call takes (id=..., filter=...) and lists objects that one
 * printer renders: the ops of this shape differ only in these four names. */
#define PROBE_DESCRIBE_OP(name, list_type, call, printer)                                                    \
	static int name(struct ctx *x)                                                                       \
	{                                                                                                    \
		list_type out;                                                                               \
		int rc = call(x->c, x->a, args_all(x, "id"), args_filters(x), &out, &x->err);                \
		aws_json *l = list_result(x);                                                                \
		for (size_t i = 0; rc == BASE_OK && i < out.n; i++)                                          \
			aws_json_push(l, printer(x, &out.v[i]));                                             \
		return rc;                                                                                   \
	}

static int op_describe_vpcs(struct ctx *x)
{
	aws_ec2_vpcs out;
	int rc = aws_ec2_describe_vpcs(x->c, x->a, args_all(x, "id"), args_filters(x), &out, &x->err);
	aws_json *l = list_result(x);
	for (size_t i = 0; rc == BASE_OK && i < out.n; i++) {
		aws_json *o = obj(x);
		S(o, "vpc_id", out.v[i].vpc_id);
		S(o, "cidr_block", out.v[i].cidr_block);
		S(o, "state", out.v[i].state);
		B(o, "is_default", out.v[i].is_default);
		aws_json_set(o, "cidr_blocks", jstrs(x, out.v[i].cidr_blocks));
		aws_json_set(o, "tags", jtags(x, out.v[i].tags));
		aws_json_push(l, o);
	}
	return rc;
}

static int op_describe_vpc_attribute(struct ctx *x)
{
	bool v = false;
	int rc = aws_ec2_describe_vpc_attribute(x->c, x->a, req(x, "vpc"), req(x, "attribute"), &v, &x->err);
	x->result = aws_json_new_bool(x->a, v);
	return rc;
}

static int op_describe_azs(struct ctx *x)
{
	aws_ec2_azs out;
	int rc = aws_ec2_describe_availability_zones(x->c, x->a, args_all(x, "name"), args_filters(x), &out,
	                                             &x->err);
	aws_json *l = list_result(x);
	for (size_t i = 0; rc == BASE_OK && i < out.n; i++) {
		aws_json *o = obj(x);
		S(o, "zone_name", out.v[i].zone_name);
		S(o, "zone_id", out.v[i].zone_id);
		S(o, "state", out.v[i].state);
		S(o, "region_name", out.v[i].region_name);
		aws_json_push(l, o);
	}
	return rc;
}

static int op_create_subnet(struct ctx *x)
{
	aws_ec2_subnet_spec s = {req(x, "vpc"), req(x, "cidr"), arg(x, "az"), arg(x, "az_id"),
	                         args_kv(x, "tag")};
	aws_ec2_subnet out;
	int rc = aws_ec2_create_subnet(x->c, x->a, &s, &out, &x->err);
	if (rc == BASE_OK)
		x->result = j_subnet(x, &out);
	return rc;
}

PROBE_DESCRIBE_OP(op_describe_subnets, aws_ec2_subnets, aws_ec2_describe_subnets, j_subnet)

static int op_create_route_table(struct ctx *x)
{
	aws_ec2_route_table out;
	int rc = aws_ec2_create_route_table(x->c, x->a, req(x, "vpc"), args_kv(x, "tag"), arg(x, "token"),
	                                    &out, &x->err);
	if (rc == BASE_OK)
		x->result = j_route_table(x, &out);
	return rc;
}

PROBE_DESCRIBE_OP(op_describe_route_tables, aws_ec2_route_tables, aws_ec2_describe_route_tables,
                  j_route_table)

static int op_associate_route_table(struct ctx *x)
{
	const char *id = NULL;
	int rc = aws_ec2_associate_route_table(x->c, x->a, req(x, "rtb"), req(x, "subnet"), &id, &x->err);
	x->result = aws_json_new_string(x->a, id);
	return rc;
}

static int op_replace_route_table_association(struct ctx *x)
{
	const char *id = NULL;
	int rc = aws_ec2_replace_route_table_association(x->c, x->a, req(x, "assoc"), req(x, "rtb"), &id,
	                                                 &x->err);
	x->result = aws_json_new_string(x->a, id);
	return rc;
}

static int op_create_sg(struct ctx *x)
{
	aws_ec2_sg_spec s = {req(x, "name"), req(x, "desc"), req(x, "vpc"), args_kv(x, "tag")};
	const char *id = NULL;
	int rc = aws_ec2_create_security_group(x->c, x->a, &s, &id, &x->err);
	x->result = aws_json_new_string(x->a, id);
	return rc;
}

static int op_describe_sgs(struct ctx *x)
{
	aws_ec2_sgs out;
	int rc = aws_ec2_describe_security_groups(x->c, x->a, args_all(x, "id"), args_filters(x), &out,
	                                          &x->err);
	aws_json *l = list_result(x);
	for (size_t i = 0; rc == BASE_OK && i < out.n; i++) {
		aws_json *o = obj(x), *in, *eg;
		S(o, "group_id", out.v[i].group_id);
		S(o, "group_name", out.v[i].group_name);
		S(o, "description", out.v[i].description);
		S(o, "vpc_id", out.v[i].vpc_id);
		in = aws_json_set_array(o, "ingress");
		eg = aws_json_set_array(o, "egress");
		for (size_t k = 0; k < out.v[i].n_ingress; k++)
			aws_json_push(in, j_perm(x, &out.v[i].ingress[k]));
		for (size_t k = 0; k < out.v[i].n_egress; k++)
			aws_json_push(eg, j_perm(x, &out.v[i].egress[k]));
		aws_json_set(o, "tags", jtags(x, out.v[i].tags));
		aws_json_push(l, o);
	}
	return rc;
}

PROBE_DESCRIBE_OP(op_describe_sg_rules, aws_ec2_sg_rules, aws_ec2_describe_security_group_rules, j_rule)

static aws_ec2_ip_perm perm_from_args(struct ctx *x)
{
	aws_ec2_ip_perm p;
	memset(&p, 0, sizeof p);
	p.ip_protocol = req(x, "proto");
	p.omit_ports = arg(x, "from") == NULL;
	p.from_port = (int)arg_int(x, "from", -1);
	p.to_port = (int)arg_int(x, "to", p.from_port);
	p.cidr_ipv4 = args_all(x, "cidr");
	p.cidr_ipv6 = args_all(x, "cidr6");
	p.group_ids = args_all(x, "group");
	p.prefix_list_ids = args_all(x, "pl");
	p.description = arg(x, "desc");
	return p;
}

static int op_authorize(struct ctx *x)
{
	aws_ec2_ip_perm p = perm_from_args(x);
	aws_ec2_sg_rules out;
	int rc = aws_ec2_authorize_security_group(x->c, x->a, req(x, "id"), arg_bool(x, "egress"), &p, 1,
	                                          args_kv(x, "tag"), &out, &x->err);
	aws_json *l = list_result(x);
	for (size_t i = 0; rc == BASE_OK && i < out.n; i++)
		aws_json_push(l, j_rule(x, &out.v[i]));
	return rc;
}

static int op_revoke(struct ctx *x)
{
	aws_ec2_ip_perm p = perm_from_args(x);
	return aws_ec2_revoke_security_group(x->c, x->a, req(x, "id"), arg_bool(x, "egress"), &p, 1, &x->err);
}

static int op_revoke_rules(struct ctx *x)
{
	return aws_ec2_revoke_security_group_rules(x->c, x->a, req(x, "id"), arg_bool(x, "egress"),
	                                           args_all(x, "rule"), &x->err);
}

#define VF(key, kind, member) FIELD(aws_ec2_vpce_spec, key, kind, member)
static const struct field vpce_fields[] = {
        VF("vpc", F_REQ, vpc_id),
        VF("service", F_REQ, service_name),
        VF("type", F_STR, type),
        VF("subnet", F_STRS, subnet_ids),
        VF("sg", F_STRS, security_group_ids),
        VF("rtb", F_STRS, route_table_ids),
        VF("private_dns", F_OPT_BOOL, private_dns_enabled),
        VF("policy", F_STR, policy_document),
        VF("token", F_STR, client_token),
        VF("tag", F_KV, tags),
};

static int op_create_vpce(struct ctx *x)
{
	aws_ec2_vpce_spec s;
	aws_ec2_vpce out;
	int rc;
	memset(&s, 0, sizeof s);
	FILL(x, &s, vpce_fields);
	rc = aws_ec2_create_vpc_endpoint(x->c, x->a, &s, &out, &x->err);
	if (rc == BASE_OK)
		x->result = j_vpce(x, &out);
	return rc;
}

PROBE_DESCRIBE_OP(op_describe_vpces, aws_ec2_vpces, aws_ec2_describe_vpc_endpoints, j_vpce)

#define MF(key, kind, member) FIELD(aws_ec2_vpce_mod, key, kind, member)
static const struct field vpce_mod_fields[] = {
        MF("id", F_REQ, vpc_endpoint_id),
        MF("add_subnet", F_STRS, add_subnet_ids),
        MF("remove_subnet", F_STRS, remove_subnet_ids),
        MF("add_sg", F_STRS, add_security_group_ids),
        MF("remove_sg", F_STRS, remove_security_group_ids),
        MF("add_rtb", F_STRS, add_route_table_ids),
        MF("remove_rtb", F_STRS, remove_route_table_ids),
        MF("private_dns", F_OPT_BOOL, private_dns_enabled),
        MF("policy", F_STR, policy_document),
        MF("reset_policy", F_BOOL, reset_policy),
};

static int op_modify_vpce(struct ctx *x)
{
	aws_ec2_vpce_mod m;
	memset(&m, 0, sizeof m);
	FILL(x, &m, vpce_mod_fields);
	return aws_ec2_modify_vpc_endpoint(x->c, x->a, &m, &x->err);
}

static int op_delete_vpces(struct ctx *x)
{
	aws_ec2_failed_items failed;
	int rc = aws_ec2_delete_vpc_endpoints(x->c, x->a, args_all(x, "id"), &failed, &x->err);
	aws_json *l = list_result(x);
	for (size_t i = 0; rc == BASE_OK && i < failed.n; i++) {
		aws_json *o = obj(x);
		S(o, "resource_id", failed.v[i].resource_id);
		S(o, "code", failed.v[i].code);
		S(o, "message", failed.v[i].message);
		aws_json_push(l, o);
	}
	return rc;
}

static int prefix_lists(struct ctx *x, bool managed)
{
	aws_ec2_prefix_lists out;
	int rc = managed ? aws_ec2_describe_managed_prefix_lists(x->c, x->a, args_all(x, "id"),
	                                                         args_filters(x), &out, &x->err)
	                 : aws_ec2_describe_prefix_lists(x->c, x->a, args_all(x, "id"), args_filters(x), &out,
	                                                 &x->err);
	aws_json *l = list_result(x);
	for (size_t i = 0; rc == BASE_OK && i < out.n; i++) {
		aws_json *o = obj(x);
		S(o, "prefix_list_id", out.v[i].prefix_list_id);
		S(o, "prefix_list_name", out.v[i].prefix_list_name);
		S(o, "state", out.v[i].state);
		aws_json_set(o, "cidrs", jstrs(x, out.v[i].cidrs));
		aws_json_push(l, o);
	}
	return rc;
}

static int op_describe_prefix_lists(struct ctx *x)
{
	return prefix_lists(x, false);
}

static int op_describe_managed_prefix_lists(struct ctx *x)
{
	return prefix_lists(x, true);
}

static int op_describe_enis(struct ctx *x)
{
	aws_ec2_enis out;
	int rc = aws_ec2_describe_network_interfaces(x->c, x->a, args_all(x, "id"), args_filters(x), &out,
	                                             &x->err);
	aws_json *l = list_result(x);
	for (size_t i = 0; rc == BASE_OK && i < out.n; i++) {
		aws_json *o = obj(x);
		S(o, "network_interface_id", out.v[i].network_interface_id);
		S(o, "subnet_id", out.v[i].subnet_id);
		S(o, "vpc_id", out.v[i].vpc_id);
		S(o, "description", out.v[i].description);
		S(o, "status", out.v[i].status);
		S(o, "interface_type", out.v[i].interface_type);
		S(o, "attachment_id", out.v[i].attachment_id);
		B(o, "requester_managed", out.v[i].requester_managed);
		aws_json_set(o, "security_group_ids", jstrs(x, out.v[i].security_group_ids));
		aws_json_push(l, o);
	}
	return rc;
}

static int op_detach_eni(struct ctx *x)
{
	return aws_ec2_detach_network_interface(x->c, x->a, req(x, "attachment"), arg_bool(x, "force"),
	                                        &x->err);
}

/* IAM */

static int op_create_role(struct ctx *x)
{
	aws_iam_role_spec s = {
	        req(x, "name"),     arg(x, "policy") ? arg(x, "policy") : AWS_IAM_LAMBDA_TRUST_POLICY,
	        arg(x, "path"),     arg(x, "desc"),
	        arg(x, "boundary"), arg_int(x, "max_session", 0),
	        args_kv(x, "tag")};
	aws_iam_role out;
	int rc = aws_iam_create_role(x->c, x->a, &s, &out, &x->err);
	if (rc == BASE_OK)
		x->result = j_role(x, &out);
	return rc;
}

static int op_get_role(struct ctx *x)
{
	aws_iam_role out;
	int rc = aws_iam_get_role(x->c, x->a, req(x, "name"), &out, &x->err);
	if (rc == BASE_OK)
		x->result = j_role(x, &out);
	return rc;
}

static int op_update_role(struct ctx *x)
{
	return aws_iam_update_role(x->c, x->a, req(x, "name"), arg(x, "desc"), arg_int(x, "max_session", 0),
	                           &x->err);
}

static int op_list_attached(struct ctx *x)
{
	aws_iam_attached_policies out;
	int rc = aws_iam_list_attached_role_policies(x->c, x->a, req(x, "name"), &out, &x->err);
	aws_json *l = list_result(x);
	for (size_t i = 0; rc == BASE_OK && i < out.n; i++) {
		aws_json *o = obj(x);
		S(o, "policy_name", out.v[i].policy_name);
		S(o, "policy_arn", out.v[i].policy_arn);
		aws_json_push(l, o);
	}
	return rc;
}

static int op_put_role_policy(struct ctx *x)
{
	return aws_iam_put_role_policy(x->c, x->a, req(x, "name"), req(x, "policy_name"), req(x, "policy"),
	                               &x->err);
}

static int op_get_role_policy(struct ctx *x)
{
	const char *doc = NULL;
	int rc = aws_iam_get_role_policy(x->c, x->a, req(x, "name"), req(x, "policy_name"), &doc, &x->err);
	x->result = aws_json_new_string(x->a, doc);
	return rc;
}

static int op_list_role_policies(struct ctx *x)
{
	aws_strs names;
	int rc = aws_iam_list_role_policies(x->c, x->a, req(x, "name"), &names, &x->err);
	x->result = rc == BASE_OK ? jstrs(x, names) : NULL;
	return rc;
}

/* STS */

static int op_get_caller_identity(struct ctx *x)
{
	aws_sts_identity id;
	int rc = aws_sts_get_caller_identity(x->c, x->a, &id, &x->err);
	if (rc == BASE_OK) {
		x->result = obj(x);
		S(x->result, "account", id.account);
		S(x->result, "arn", id.arn);
		S(x->result, "user_id", id.user_id);
	}
	return rc;
}

static int op_assume_role(struct ctx *x)
{
	aws_sts_assume_role_in in = {req(x, "arn"),    req(x, "session"),         arg(x, "external_id"),
	                             arg(x, "policy"), arg_int(x, "duration", 0), args_kv(x, "tag")};
	aws_sts_credentials cr;
	int rc = aws_sts_assume_role(x->c, x->a, &in, &cr, &x->err);
	if (rc == BASE_OK)
		x->result = j_creds(x, &cr);
	return rc;
}

static int op_assume_role_web_identity(struct ctx *x)
{
	aws_sts_web_identity_in in = {req(x, "arn"), req(x, "session"), req(x, "token"),
	                              arg_int(x, "duration", 0)};
	aws_sts_credentials cr;
	int rc = aws_sts_assume_role_with_web_identity(x->c, x->a, &in, &cr, &x->err);
	if (rc == BASE_OK)
		x->result = j_creds(x, &cr);
	return rc;
}

/* Lambda */

#define LF(key, kind, member) FIELD(aws_lambda_function_spec, key, kind, member)
static const struct field fn_fields[] = {
        LF("name", F_REQ, function_name),
        LF("role", F_STR, role),
        LF("runtime", F_STR, runtime),
        LF("handler", F_STR, handler),
        LF("s3_bucket", F_STR, code.s3_bucket),
        LF("s3_key", F_STR, code.s3_key),
        LF("s3_version", F_STR, code.s3_object_version),
        LF("image", F_STR, code.image_uri),
        LF("package_type", F_STR, package_type),
        LF("arch", F_STRS, architectures),
        LF("memory", F_INT, memory_size),
        LF("timeout", F_INT, timeout),
        LF("env", F_KV, environment),
        LF("desc", F_STR, description),
        LF("layer", F_STRS, layers),
        LF("publish", F_OPT_BOOL, publish),
        LF("kms", F_STR, kms_key_arn),
        LF("tracing", F_STR, tracing_mode),
        LF("dlq", F_STR, dead_letter_target_arn),
        LF("ephemeral", F_INT, ephemeral_storage_size),
        LF("log_format", F_STR, logging.log_format),
        LF("log_group", F_STR, logging.log_group),
        LF("app_log_level", F_STR, logging.application_log_level),
        LF("sys_log_level", F_STR, logging.system_log_level),
        LF("subnet", F_STRS, subnet_ids),
        LF("sg", F_STRS, security_group_ids),
        LF("tag", F_KV, tags),
};

static int spec_from_args(struct ctx *x, aws_lambda_function_spec *s)
{
	const char *zip = arg(x, "zip");
	memset(s, 0, sizeof *s);
	FILL(x, s, fn_fields);
	if (zip) {
		size_t len = 0;
		FILE *fp = fopen(zip, "rb");
		base_buf b;
		char chunk[4096];
		size_t n;
		if (!fp) {
			fprintf(stderr, "aws_probe: cannot open %s\n", zip);
			return 64;
		}
		base_buf_init(&b, 0);
		while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
			if (base_buf_append(&b, chunk, n) != BASE_OK)
				break;
		fclose(fp);
		len = b.len;
		s->code.zip = base_arena_memdup(x->a, b.data ? b.data : "", len);
		s->code.zip_len = len;
		base_buf_dispose(&b);
	}
	return 0;
}

typedef int (*call_fn_spec)(aws_client *, base_arena *, const aws_lambda_function_spec *,
                            aws_lambda_function *, aws_error *);
typedef int (*call_fn_name)(aws_client *, base_arena *, const char *, aws_lambda_function *, aws_error *);

/* One Lambda function call: by spec (by_spec) or by the spec's name (by_name). */
static int fn_op(struct ctx *x, call_fn_spec by_spec, call_fn_name by_name)
{
	aws_lambda_function_spec s;
	aws_lambda_function out;
	int rc;
	if (spec_from_args(x, &s) != 0)
		exit(64);
	if (by_spec)
		rc = by_spec(x->c, x->a, &s, &out, &x->err);
	else
		rc = by_name(x->c, x->a, s.function_name, &out, &x->err);
	if (rc == BASE_OK)
		x->result = j_function(x, &out);
	return rc;
}

static int op_put_concurrency(struct ctx *x)
{
	return aws_lambda_put_function_concurrency(x->c, x->a, req(x, "name"), arg_int(x, "n", 0), &x->err);
}

static int op_get_concurrency(struct ctx *x)
{
	bool has = false;
	int64_t n = 0;
	int rc = aws_lambda_get_function_concurrency(x->c, x->a, req(x, "name"), &has, &n, &x->err);
	x->result = obj(x);
	B(x->result, "has", has);
	I(x->result, "reserved", n);
	return rc;
}

/* Ops that differ only in data: which client call, and which key=value
 * arguments feed it. The first non-NULL call field of an entry is used. */
typedef int (*call_s)(aws_client *, base_arena *, const char *, aws_error *);
typedef int (*call_ss)(aws_client *, base_arena *, const char *, const char *, aws_error *);
typedef int (*call_tag)(aws_client *, base_arena *, const char *, aws_tags, aws_error *);
typedef int (*call_untag)(aws_client *, base_arena *, const char *, aws_strs, aws_error *);
typedef int (*call_list_tags)(aws_client *, base_arena *, const char *, aws_tags *, aws_error *);
typedef int (*call_ids_tags)(aws_client *, base_arena *, aws_strs, aws_tags, aws_error *);

struct op {
	const char *name;
	op_fn fn;                 /* a hand-written op */
	call_s s;                 /* (k1) */
	call_ss ss;               /* (k1, k2); k2 may be absent when k2_optional */
	call_tag tag;             /* (k1, tag=K=V...) */
	call_untag untag;         /* (k1, key=K...) */
	call_list_tags list_tags; /* (k1) -> {K: V} */
	call_ids_tags ids_tags;   /* (id=..., tag=K=V...) */
	call_fn_spec fn_spec;     /* Lambda spec from the arguments -> function */
	call_fn_name fn_name;     /* name= -> function */
	const char *k1, *k2;
	bool k2_optional;
};

static int run_op(struct ctx *x, const struct op *o)
{
	aws_tags t;
	int rc;
	if (o->fn)
		return o->fn(x);
	if (o->s)
		return o->s(x->c, x->a, req(x, o->k1), &x->err);
	if (o->ss) {
		const char *k1 = req(x, o->k1);
		return o->ss(x->c, x->a, k1, o->k2_optional ? arg(x, o->k2) : req(x, o->k2), &x->err);
	}
	if (o->tag)
		return o->tag(x->c, x->a, req(x, o->k1), args_kv(x, "tag"), &x->err);
	if (o->untag)
		return o->untag(x->c, x->a, req(x, o->k1), args_all(x, "key"), &x->err);
	if (o->ids_tags)
		return o->ids_tags(x->c, x->a, args_all(x, "id"), args_kv(x, "tag"), &x->err);
	if (o->fn_spec || o->fn_name)
		return fn_op(x, o->fn_spec, o->fn_name);
	rc = o->list_tags(x->c, x->a, req(x, o->k1), &t, &x->err);
	x->result = rc == BASE_OK ? jtags(x, t) : NULL;
	return rc;
}

static const struct op ops[] = {
        {"describe-vpcs", .fn = op_describe_vpcs},
        {"describe-vpc-attribute", .fn = op_describe_vpc_attribute},
        {"describe-azs", .fn = op_describe_azs},
        {"create-subnet", .fn = op_create_subnet},
        {"describe-subnets", .fn = op_describe_subnets},
        {"delete-subnet", .s = aws_ec2_delete_subnet, .k1 = "id"},
        {"create-route-table", .fn = op_create_route_table},
        {"describe-route-tables", .fn = op_describe_route_tables},
        {"associate-route-table", .fn = op_associate_route_table},
        {"disassociate-route-table", .s = aws_ec2_disassociate_route_table, .k1 = "assoc"},
        {"replace-route-table-association", .fn = op_replace_route_table_association},
        {"delete-route-table", .s = aws_ec2_delete_route_table, .k1 = "id"},
        {"create-sg", .fn = op_create_sg},
        {"describe-sgs", .fn = op_describe_sgs},
        {"delete-sg", .s = aws_ec2_delete_security_group, .k1 = "id"},
        {"describe-sg-rules", .fn = op_describe_sg_rules},
        {"authorize", .fn = op_authorize},
        {"revoke", .fn = op_revoke},
        {"revoke-rules", .fn = op_revoke_rules},
        {"create-vpce", .fn = op_create_vpce},
        {"describe-vpces", .fn = op_describe_vpces},
        {"modify-vpce", .fn = op_modify_vpce},
        {"delete-vpces", .fn = op_delete_vpces},
        {"describe-prefix-lists", .fn = op_describe_prefix_lists},
        {"describe-managed-prefix-lists", .fn = op_describe_managed_prefix_lists},
        {"describe-enis", .fn = op_describe_enis},
        {"detach-eni", .fn = op_detach_eni},
        {"delete-eni", .s = aws_ec2_delete_network_interface, .k1 = "id"},
        {"create-tags", .ids_tags = aws_ec2_create_tags},
        {"delete-tags", .ids_tags = aws_ec2_delete_tags},
        {"create-role", .fn = op_create_role},
        {"get-role", .fn = op_get_role},
        {"delete-role", .s = aws_iam_delete_role, .k1 = "name"},
        {"update-role", .fn = op_update_role},
        {"update-assume-role-policy", .ss = aws_iam_update_assume_role_policy, .k1 = "name", .k2 = "policy"},
        {"set-permissions-boundary", .ss = aws_iam_set_role_permissions_boundary, .k1 = "name",
         .k2 = "boundary", .k2_optional = true},
        {"attach-role-policy", .ss = aws_iam_attach_role_policy, .k1 = "name", .k2 = "arn"},
        {"detach-role-policy", .ss = aws_iam_detach_role_policy, .k1 = "name", .k2 = "arn"},
        {"list-attached-role-policies", .fn = op_list_attached},
        {"put-role-policy", .fn = op_put_role_policy},
        {"get-role-policy", .fn = op_get_role_policy},
        {"delete-role-policy", .ss = aws_iam_delete_role_policy, .k1 = "name", .k2 = "policy_name"},
        {"list-role-policies", .fn = op_list_role_policies},
        {"tag-role", .tag = aws_iam_tag_role, .k1 = "name"},
        {"untag-role", .untag = aws_iam_untag_role, .k1 = "name"},
        {"list-role-tags", .list_tags = aws_iam_list_role_tags, .k1 = "name"},
        {"get-caller-identity", .fn = op_get_caller_identity},
        {"assume-role", .fn = op_assume_role},
        {"assume-role-web-identity", .fn = op_assume_role_web_identity},
        {"create-function", .fn_spec = aws_lambda_create_function},
        {"get-function", .fn_name = aws_lambda_get_function},
        {"get-function-config", .fn_name = aws_lambda_get_function_configuration},
        {"update-function-config", .fn_spec = aws_lambda_update_function_configuration},
        {"update-function-code", .fn_spec = aws_lambda_update_function_code},
        {"publish-version", .fn_name = aws_lambda_publish_version},
        {"delete-function", .s = aws_lambda_delete_function, .k1 = "name"},
        {"tag-function", .tag = aws_lambda_tag_resource, .k1 = "arn"},
        {"untag-function", .untag = aws_lambda_untag_resource, .k1 = "arn"},
        {"list-function-tags", .list_tags = aws_lambda_list_tags, .k1 = "arn"},
        {"put-concurrency", .fn = op_put_concurrency},
        {"delete-concurrency", .s = aws_lambda_delete_function_concurrency, .k1 = "name"},
        {"get-concurrency", .fn = op_get_concurrency},
};

int main(int argc, char **argv)
{
	struct ctx x;
	aws_client_config cfg;
	const struct op *op = NULL;
	aws_json *out;
	base_buf buf;
	int rc;

	base_log_init(); /* TF_LOG: the fault tests check the debug log for secrets */

	if (argc < 2) {
		fprintf(stderr, "usage: aws_probe <op> [key=value ...]\nops:");
		for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
			fprintf(stderr, " %s", ops[i].name);
		fprintf(stderr, "\n");
		return 64;
	}
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(ops[i].name, argv[1]) == 0)
			op = &ops[i];
	if (!op) {
		fprintf(stderr, "aws_probe: unknown op %s\n", argv[1]);
		return 64;
	}
	memset(&x, 0, sizeof x);
	for (int i = 2; i < argc && x.args.n < MAX_ARGS; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq) {
			fprintf(stderr, "aws_probe: argument %s is not key=value\n", argv[i]);
			return 64;
		}
		*eq = '\0';
		x.args.key[x.args.n] = argv[i];
		x.args.val[x.args.n++] = eq + 1;
	}

	aws_global_init();
	memset(&cfg, 0, sizeof cfg);
	cfg.max_retries = -1;
	cfg.skip_credentials_validation = true;
	if (aws_client_new(&x.c, &cfg, &x.err) != BASE_OK) {
		fprintf(stderr, "aws_probe: client: %s: %s\n", x.err.code, x.err.message);
		return 1;
	}
	x.a = base_arena_new();
	rc = run_op(&x, op);

	out = aws_json_new_object(x.a);
	aws_json_set_bool(out, "ok", rc == BASE_OK);
	if (rc == BASE_OK) {
		aws_json_set(out, "result", x.result ? x.result : aws_json_new_object(x.a));
	} else {
		aws_json *e = aws_json_set_object(out, "error");
		aws_json_set_int(out, "rc", rc);
		aws_json_set_str(out, "rc_name", base_err_str(rc));
		aws_json_set_int(e, "status", x.err.http_status);
		aws_json_set_str(e, "code", x.err.code);
		aws_json_set_str(e, "message", x.err.message);
		aws_json_set_str(e, "request_id", x.err.request_id);
	}
	base_buf_init(&buf, 0);
	if (aws_json_encode(out, &buf) == BASE_OK)
		printf("%s\n", base_buf_cstr(&buf));
	base_buf_dispose(&buf);
	base_arena_free(x.a);
	aws_client_free(x.c);
	return rc == BASE_OK ? 0 : rc == BASE_ENOTFOUND ? 2 : 1;
}
