/*
 * recon_probe - drive provider/recon against an AWS endpoint (moto) from
 * the command line, for tests/integration/recon.
 *
 *   recon_probe --endpoint URL --region R <plan|apply|observe|destroy> [options]
 *
 * Options (repeatable ones marked *):
 *   --name F --vpc VPC --cidr C* --az AZ* --service S* (short name; s3 and
 *   dynamodb become gateway endpoints) --runtime R --handler H --zip FILE
 *   --hash B64 --memory N --timeout N --reserved N --policy ARN* --inline JSON
 *   --egress proto:from:to:cidr* --tag k=v* --env k=v* --no-private-dns
 *   --no-reuse --workers N --timeout-ms N --prior-endpoint VPCE-ID* (ids of the
 *   saved state, e.g. a reused endpoint)
 *
 * Every command observes first (by tag + name). plan prints the plan text;
 * apply/destroy run it and print the resulting state as JSON on stdout
 * ({"ok":true|false,"error":{...},"state":{...}}). Exit 0 when ok.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_client.h"
#include "base/base_alloc.h"
#include "base/base_arena.h"
#include "base/base_buf.h"
#include "base/base_log.h"
#include "base/base_str.h"
#include "recon/recon_diff.h"
#include "recon/recon_exec.h"
#include "recon/recon_observe.h"

#define MAXV 32

struct list { const char *v[MAXV]; size_t n; };

static void push(struct list *l, const char *s)
{
	if (l->n < MAXV)
		l->v[l->n++] = s;
}

static void js(base_buf *b, const char *s)
{
	int rc = base_buf_putc(b, '"');
	for (; s && *s && rc == 0; s++) {
		if (*s == '"' || *s == '\\')
			rc = base_buf_printf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			rc = base_buf_printf(b, "\\u%04x", *s);
		else
			rc = base_buf_putc(b, *s);
	}
	if (rc == 0)
		rc = base_buf_putc(b, '"');
	(void)rc;
}

static void jstrs(base_buf *b, aws_strs s)
{
	size_t i;
	int rc = base_buf_putc(b, '[');
	for (i = 0; i < s.n; i++) {
		if (i)
			rc = base_buf_putc(b, ',');
		js(b, s.v[i]);
	}
	rc = base_buf_putc(b, ']');
	(void)rc;
}

static void jkey(base_buf *b, const char *k, bool comma)
{
	int rc = comma ? base_buf_putc(b, ',') : 0;
	js(b, k);
	rc = base_buf_putc(b, ':');
	(void)rc;
}

static void print_state(base_buf *b, const recon_state *s)
{
	size_t i, j;
	int rc = base_buf_puts(b, "{");
	int w;
	jkey(b, "function", false);
	if (s->fn.name) {
		rc = base_buf_puts(b, "{");
		jkey(b, "name", false); js(b, s->fn.name);
		jkey(b, "arn", true); js(b, s->fn.arn);
		jkey(b, "role", true); js(b, s->fn.role_arn);
		jkey(b, "owned", true); rc = base_buf_puts(b, s->fn.owned ? "true" : "false");
		jkey(b, "subnet_ids", true); jstrs(b, s->fn.subnet_ids);
		jkey(b, "sg_ids", true); jstrs(b, s->fn.sg_ids);
		jkey(b, "memory", true); rc = base_buf_printf(b, "%d", s->fn.cfg.memory_size);
		jkey(b, "reserved", true); rc = base_buf_printf(b, "%d", s->fn.cfg.reserved_concurrency);
		jkey(b, "code_sha256", true); js(b, s->fn.code_sha256);
		rc = base_buf_puts(b, "}");
	} else {
		rc = base_buf_puts(b, "null");
	}
	jkey(b, "role", true);
	if (s->role.name) {
		rc = base_buf_puts(b, "{");
		jkey(b, "name", false); js(b, s->role.name);
		jkey(b, "arn", true); js(b, s->role.arn);
		jkey(b, "owned", true); rc = base_buf_puts(b, s->role.owned ? "true" : "false");
		jkey(b, "policies", true); jstrs(b, s->role.policy_arns);
		jkey(b, "inline", true); js(b, s->role.inline_policy);
		rc = base_buf_puts(b, "}");
	} else {
		rc = base_buf_puts(b, "null");
	}
	jkey(b, "subnets", true);
	rc = base_buf_puts(b, "[");
	for (i = 0; i < s->n_subnets; i++) {
		rc = base_buf_puts(b, i ? ",{" : "{");
		jkey(b, "id", false); js(b, s->subnets[i].id);
		jkey(b, "cidr", true); js(b, s->subnets[i].cidr);
		jkey(b, "az", true); js(b, s->subnets[i].az);
		jkey(b, "owned", true); rc = base_buf_puts(b, s->subnets[i].owned ? "true" : "false");
		rc = base_buf_puts(b, "}");
	}
	rc = base_buf_puts(b, "]");
	jkey(b, "route_table", true);
	rc = base_buf_puts(b, "{");
	jkey(b, "id", false); js(b, s->rt.id);
	jkey(b, "subnets", true); jstrs(b, s->rt.assoc_subnet_ids);
	rc = base_buf_puts(b, "}");
	for (w = 0; w < 2; w++) {
		jkey(b, w ? "endpoint_sg" : "lambda_sg", true);
		rc = base_buf_puts(b, "{");
		jkey(b, "id", false); js(b, s->sgs[w].id);
		jkey(b, "rules", true);
		rc = base_buf_puts(b, "[");
		for (j = 0; j < s->sgs[w].n_rules; j++) {
			const recon_rule *r = &s->sgs[w].rules[j];
			rc = base_buf_printf(b, "%s{\"egress\":%s,\"protocol\":", j ? "," : "", r->egress ? "true" : "false");
			js(b, r->protocol);
			rc = base_buf_printf(b, ",\"from\":%d,\"to\":%d,\"peer\":", r->from_port, r->to_port);
			js(b, r->peer);
			rc = base_buf_puts(b, "}");
		}
		rc = base_buf_puts(b, "]}");
	}
	jkey(b, "endpoints", true);
	rc = base_buf_puts(b, "[");
	for (i = 0; i < s->n_endpoints; i++) {
		const recon_endpoint *e = &s->endpoints[i];
		rc = base_buf_puts(b, i ? ",{" : "{");
		jkey(b, "id", false); js(b, e->id);
		jkey(b, "service", true); js(b, e->service);
		jkey(b, "gateway", true); rc = base_buf_puts(b, e->gateway ? "true" : "false");
		jkey(b, "owned", true); rc = base_buf_puts(b, e->owned ? "true" : "false");
		jkey(b, "subnet_ids", true); jstrs(b, e->subnet_ids);
		jkey(b, "sg_ids", true); jstrs(b, e->sg_ids);
		rc = base_buf_puts(b, "}");
	}
	rc = base_buf_puts(b, "]}");
	(void)rc;
}

static int split_kv(base_arena *a, const char *s, aws_tag *out)
{
	const char *eq = strchr(s, '=');
	if (!eq)
		return -1;
	out->key = base_arena_strndup(a, s, (size_t)(eq - s));
	out->value = base_arena_strdup(a, eq + 1);
	return 0;
}

static long num(const char *s)
{
	int64_t v = 0;
	if (base_str_to_i64(s, &v) != 0) {
		fprintf(stderr, "not a number: %s\n", s);
		exit(2);
	}
	return (long)v;
}

/* Everything the command line sets. */
struct probe {
	recon_desired d;
	recon_options opts;
	struct list cidrs, azs, svcs, pols;
	recon_endpoint_spec eps[MAXV];
	recon_egress_rule egress[MAXV];
	aws_tag tags[MAXV], env[MAXV];
	const char *gw[MAXV];
	size_t n_egress, n_tags, n_env, n_gw, n_prior;
	recon_endpoint prior_eps[MAXV];
	recon_state prior;
	const char *endpoint, *region, *cmd, *zip_path;
	bool destroy_plan; /* plan: the last argument is --destroy */
	char *zip;
	size_t zip_len;
};

/* --egress proto:from:to:cidr; 2 when malformed. */
static int parse_egress(base_arena *a, const char *v, recon_egress_rule *r)
{
	char *p = base_arena_strdup(a, v), *f1 = strchr(p, ':'), *f2, *f3;
	const char **cv = base_arena_calloc(a, 1, sizeof *cv);
	if (!f1 || !(f2 = strchr(f1 + 1, ':')) || !(f3 = strchr(f2 + 1, ':')))
		return 2;
	*f1 = *f2 = *f3 = '\0';
	memset(r, 0, sizeof *r);
	r->protocol = p;
	r->from_port = (int)num(f1 + 1);
	r->to_port = (int)num(f2 + 1);
	cv[0] = f3 + 1;
	r->cidr_blocks = (aws_strs){ cv, 1 };
	return 0;
}

/* The option at argv[*k] with its value v; 0, or 2 for a bad argument. */
static int parse_opt(base_arena *a, struct probe *p, int *k, const char *o, const char *v)
{
	recon_desired *d = &p->d;
#define ARG(name) (strcmp(o, name) == 0 && v && ((*k)++, 1))
	if (ARG("--endpoint")) p->endpoint = v;
	else if (ARG("--region")) p->region = v;
	else if (ARG("--name")) d->function_name = v;
	else if (ARG("--vpc")) d->vpc_id = v;
	else if (ARG("--cidr")) push(&p->cidrs, v);
	else if (ARG("--az")) push(&p->azs, v);
	else if (ARG("--service")) push(&p->svcs, v);
	else if (ARG("--runtime")) d->fn.runtime = v;
	else if (ARG("--handler")) d->fn.handler = v;
	else if (ARG("--zip")) p->zip_path = v;
	else if (ARG("--hash")) d->fn.source_code_hash = v;
	else if (ARG("--memory")) d->fn.memory_size = (int)num(v);
	else if (ARG("--timeout")) d->fn.timeout = (int)num(v);
	else if (ARG("--reserved")) d->fn.reserved_concurrency = (int)num(v);
	else if (ARG("--policy")) push(&p->pols, v);
	else if (ARG("--inline")) d->inline_policy = v;
	else if (ARG("--workers")) p->opts.workers = (unsigned)num(v);
	else if (ARG("--timeout-ms")) p->opts.timeout_ms = (uint64_t)num(v);
	else if (ARG("--tag") && p->n_tags < MAXV) return split_kv(a, v, &p->tags[p->n_tags++]) ? 2 : 0;
	else if (ARG("--env") && p->n_env < MAXV) return split_kv(a, v, &p->env[p->n_env++]) ? 2 : 0;
	else if (ARG("--egress") && p->n_egress < MAXV) return parse_egress(a, v, &p->egress[p->n_egress++]);
	else if (strcmp(o, "--no-private-dns") == 0) d->private_dns_enabled = false;
	else if (strcmp(o, "--no-reuse") == 0) d->reuse_existing_endpoints = false;
	else if (ARG("--prior-endpoint") && p->n_prior < MAXV) {
		memset(&p->prior_eps[p->n_prior], 0, sizeof p->prior_eps[p->n_prior]);
		p->prior_eps[p->n_prior++].id = v;
	}
	else if (strcmp(o, "--destroy") == 0) { /* plan: show the destroy plan */ }
	else if (o[0] != '-' && !p->cmd) p->cmd = o;
	else { fprintf(stderr, "bad argument: %s\n", o); return 2; }
#undef ARG
	return 0;
}

static int parse_args(base_arena *a, int argc, char **argv, struct probe *p)
{
	int k;
	memset(p, 0, sizeof *p);
	recon_desired_init(&p->d);
	p->region = "us-east-1";
	p->d.fn.runtime = "python3.12";
	p->d.fn.handler = "handler.lambda_handler";
	for (k = 1; k < argc; k++)
		if (parse_opt(a, p, &k, argv[k], k + 1 < argc ? argv[k + 1] : NULL))
			return 2;
	p->destroy_plan = strcmp(argv[argc - 1], "--destroy") == 0;
	if (!p->cmd || !p->d.function_name) {
		fprintf(stderr, "usage: recon_probe --endpoint URL --region R <plan|apply|observe|destroy> --name F ...\n");
		return 2;
	}
	return 0;
}

static int read_zip(struct probe *p)
{
	FILE *f = fopen(p->zip_path, "rb");
	base_buf zb;
	char chunk[4096];
	size_t got;
	if (!f) {
		perror(p->zip_path);
		return 2;
	}
	base_buf_init(&zb, 0);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (base_buf_append(&zb, chunk, got) != 0)
			return 2;
	fclose(f);
	p->zip = base_buf_detach(&zb, &p->zip_len);
	p->d.fn.zip = (const unsigned char *)p->zip;
	p->d.fn.zip_len = p->zip_len;
	return 0;
}

/* The lists of the command line into the desired bundle. */
static void fill_desired(base_arena *a, struct probe *p)
{
	recon_desired *d = &p->d;
	size_t i;
	for (i = 0; i < p->svcs.n; i++) {
		const char *s = p->svcs.v[i];
		p->eps[i].service = base_str_has_prefix(s, "com.amazonaws.") ? s
					: base_arena_sprintf(a, "com.amazonaws.%s.%s", p->region, s);
		p->eps[i].gateway = strcmp(s, "s3") == 0 || strcmp(s, "dynamodb") == 0;
		if (p->eps[i].gateway)
			p->gw[p->n_gw++] = p->eps[i].service;
	}
	d->endpoints = p->eps;
	d->n_endpoints = p->svcs.n;
	d->subnet_cidrs = (aws_strs){ p->cidrs.v, p->cidrs.n };
	d->subnet_azs = (aws_strs){ p->azs.v, p->azs.n };
	d->policy_arns = (aws_strs){ p->pols.v, p->pols.n };
	d->egress_rules = p->egress;
	d->n_egress_rules = p->n_egress;
	d->tags = (aws_tags){ p->tags, p->n_tags };
	d->fn.environment = (aws_tags){ p->env, p->n_env };
}

static int make_client(const struct probe *p, aws_client **c)
{
	aws_client_config cc;
	aws_error err;
	int k;
	memset(&cc, 0, sizeof cc);
	cc.region = p->region;
	cc.access_key = "testing";
	cc.secret_key = "testing";
	cc.max_retries = -1;
	cc.skip_credentials_validation = true;
	for (k = 0; k < AWS_SVC_COUNT; k++)
		cc.endpoints[k] = p->endpoint;
	if (aws_client_new(c, &cc, &err) != 0) {
		fprintf(stderr, "client: %s %s\n", err.code, err.message);
		return 1;
	}
	return 0;
}

/* Observes by tag + name (+ the prior endpoint ids, as a resource passes
 * them from its saved state: reused endpoints are found again only so). */
static int observe(aws_client *c, base_arena *a, struct probe *p, recon_state *st, aws_error *err)
{
	recon_observe_in oin;
	memset(&oin, 0, sizeof oin);
	oin.function_name = p->d.function_name;
	oin.vpc_id = p->d.vpc_id;
	oin.gateway_services = (aws_strs){ p->gw, p->n_gw };
	if (p->n_prior) {
		memset(&p->prior, 0, sizeof p->prior);
		p->prior.endpoints = p->prior_eps;
		p->prior.n_endpoints = p->n_prior;
		oin.prior = &p->prior;
	}
	return recon_observe(c, a, &oin, st, err);
}

static int print_plan(base_arena *a, const struct probe *p, const recon_state *st)
{
	recon_plan pl;
	base_buf pb;
	int rc;
	base_buf_init(&pb, 0);
	rc = p->destroy_plan ? recon_diff_destroy(a, st, &pl) : recon_diff_apply(a, &p->d, st, &pl);
	if (rc == 0)
		rc = recon_plan_format(&pl, &pb);
	fputs(base_buf_cstr(&pb), stdout);
	base_buf_dispose(&pb);
	return rc;
}

/* {"ok":..,"error":{..},"state":{..}} on stdout; 1 when out of memory. */
static int print_result(int rc, const recon_failure *fail, const recon_state *st)
{
	base_buf out;
	base_buf_init(&out, 0);
	if (base_buf_printf(&out, "{\"ok\":%s,\"error\":{\"code\":%d,\"step\":", rc == 0 ? "true" : "false", rc) != 0)
		return 1;
	js(&out, recon_step_kind_name(fail->kind));
	jkey(&out, "key", true); js(&out, fail->key);
	jkey(&out, "aws_code", true); js(&out, fail->err.code);
	jkey(&out, "aws_message", true); js(&out, fail->err.message);
	jkey(&out, "detail", true); js(&out, fail->detail);
	if (base_buf_puts(&out, "},\"state\":") != 0)
		return 1;
	print_state(&out, st);
	if (base_buf_puts(&out, "}\n") != 0)
		return 1;
	fputs(base_buf_cstr(&out), stdout);
	base_buf_dispose(&out);
	return 0;
}

/* Observes, then runs cmd; 2 for an unknown command. */
static int run(aws_client *c, base_arena *a, struct probe *p)
{
	recon_state st;
	recon_failure fail;
	aws_error err;
	int rc = observe(c, a, p, &st, &err);
	memset(&fail, 0, sizeof fail);
	if (rc != 0) {
		fail.code = rc;
		fail.err = err;
		snprintf(fail.detail, sizeof fail.detail, "observe failed");
	} else if (strcmp(p->cmd, "plan") == 0) {
		return print_plan(a, p, &st);
	} else if (strcmp(p->cmd, "apply") == 0) {
		rc = recon_apply(c, a, &p->d, &st, &p->opts, &fail);
	} else if (strcmp(p->cmd, "destroy") == 0) {
		rc = recon_destroy(c, a, &st, &p->opts, &fail);
	} else if (strcmp(p->cmd, "observe") != 0) {
		fprintf(stderr, "unknown command %s\n", p->cmd);
		return 2;
	}
	if (print_result(rc, &fail, &st) != 0)
		return 1;
	return rc;
}

int main(int argc, char **argv)
{
	static struct probe p; /* large: off the stack */
	base_arena *a;
	aws_client *c = NULL;
	int rc;

	base_log_init();
	aws_global_init();
	a = base_arena_new();
	rc = parse_args(a, argc, argv, &p);
	if (rc == 0 && p.zip_path)
		rc = read_zip(&p);
	if (rc != 0)
		return rc;
	fill_desired(a, &p);
	if (make_client(&p, &c) != 0)
		return 1;
	rc = run(c, a, &p);
	aws_client_free(c);
	base_free(p.zip);
	base_arena_free(a);
	return rc == 0 ? 0 : 1;
}
