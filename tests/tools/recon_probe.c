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

int main(int argc, char **argv)
{
	base_arena *a;
	aws_client_config cc;
	aws_client *c = NULL;
	aws_error err;
	recon_desired d;
	recon_state st;
	recon_observe_in oin;
	recon_failure fail;
	recon_options opts;
	struct list cidrs = { { 0 }, 0 }, azs = { { 0 }, 0 }, svcs = { { 0 }, 0 }, pols = { { 0 }, 0 };
	recon_endpoint_spec eps[MAXV];
	recon_egress_rule egress[MAXV];
	aws_tag tags[MAXV], env[MAXV];
	const char *gw[MAXV];
	size_t n_egress = 0, n_tags = 0, n_env = 0, n_gw = 0, n_prior = 0, i;
	recon_endpoint prior_eps[MAXV];
	recon_state prior;
	const char *endpoint = NULL, *region = "us-east-1", *cmd = NULL, *zip_path = NULL;
	char *zip = NULL;
	size_t zip_len = 0;
	base_buf out;
	int rc, k;

	base_log_init();
	aws_global_init();
	a = base_arena_new();
	recon_desired_init(&d);
	memset(&opts, 0, sizeof opts);
	d.fn.runtime = "python3.12";
	d.fn.handler = "handler.lambda_handler";
	for (k = 1; k < argc; k++) {
		const char *o = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
#define ARG(name) (strcmp(o, name) == 0 && v && (k++, 1))
		if (ARG("--endpoint")) endpoint = v;
		else if (ARG("--region")) region = v;
		else if (ARG("--name")) d.function_name = v;
		else if (ARG("--vpc")) d.vpc_id = v;
		else if (ARG("--cidr")) push(&cidrs, v);
		else if (ARG("--az")) push(&azs, v);
		else if (ARG("--service")) push(&svcs, v);
		else if (ARG("--runtime")) d.fn.runtime = v;
		else if (ARG("--handler")) d.fn.handler = v;
		else if (ARG("--zip")) zip_path = v;
		else if (ARG("--hash")) d.fn.source_code_hash = v;
		else if (ARG("--memory")) d.fn.memory_size = (int)num(v);
		else if (ARG("--timeout")) d.fn.timeout = (int)num(v);
		else if (ARG("--reserved")) d.fn.reserved_concurrency = (int)num(v);
		else if (ARG("--policy")) push(&pols, v);
		else if (ARG("--inline")) d.inline_policy = v;
		else if (ARG("--workers")) opts.workers = (unsigned)num(v);
		else if (ARG("--timeout-ms")) opts.timeout_ms = (uint64_t)num(v);
		else if (ARG("--tag") && n_tags < MAXV) { if (split_kv(a, v, &tags[n_tags++])) return 2; }
		else if (ARG("--env") && n_env < MAXV) { if (split_kv(a, v, &env[n_env++])) return 2; }
		else if (ARG("--egress") && n_egress < MAXV) {
			/* proto:from:to:cidr */
			char *p = base_arena_strdup(a, v), *f1 = strchr(p, ':'), *f2, *f3;
			const char **cv = base_arena_calloc(a, 1, sizeof *cv);
			if (!f1 || !(f2 = strchr(f1 + 1, ':')) || !(f3 = strchr(f2 + 1, ':')))
				return 2;
			*f1 = *f2 = *f3 = '\0';
			memset(&egress[n_egress], 0, sizeof egress[n_egress]);
			egress[n_egress].protocol = p;
			egress[n_egress].from_port = (int)num(f1 + 1);
			egress[n_egress].to_port = (int)num(f2 + 1);
			cv[0] = f3 + 1;
			egress[n_egress].cidr_blocks = (aws_strs){ cv, 1 };
			n_egress++;
		}
		else if (strcmp(o, "--no-private-dns") == 0) d.private_dns_enabled = false;
		else if (strcmp(o, "--no-reuse") == 0) d.reuse_existing_endpoints = false;
		else if (ARG("--prior-endpoint") && n_prior < MAXV) {
			memset(&prior_eps[n_prior], 0, sizeof prior_eps[n_prior]);
			prior_eps[n_prior++].id = v;
		}
		else if (strcmp(o, "--destroy") == 0) { /* plan: show the destroy plan */ }
		else if (o[0] != '-' && !cmd) cmd = o;
		else { fprintf(stderr, "bad argument: %s\n", o); return 2; }
#undef ARG
	}
	if (!cmd || !d.function_name) {
		fprintf(stderr, "usage: recon_probe --endpoint URL --region R <plan|apply|observe|destroy> --name F ...\n");
		return 2;
	}
	if (zip_path) {
		FILE *f = fopen(zip_path, "rb");
		base_buf zb;
		char chunk[4096];
		size_t got;
		if (!f) {
			perror(zip_path);
			return 2;
		}
		base_buf_init(&zb, 0);
		while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
			if (base_buf_append(&zb, chunk, got) != 0)
				return 2;
		fclose(f);
		zip = base_buf_detach(&zb, &zip_len);
		d.fn.zip = (const unsigned char *)zip;
		d.fn.zip_len = zip_len;
	}
	for (i = 0; i < svcs.n; i++) {
		const char *s = svcs.v[i];
		eps[i].service = base_str_has_prefix(s, "com.amazonaws.") ? s
					: base_arena_sprintf(a, "com.amazonaws.%s.%s", region, s);
		eps[i].gateway = strcmp(s, "s3") == 0 || strcmp(s, "dynamodb") == 0;
		if (eps[i].gateway)
			gw[n_gw++] = eps[i].service;
	}
	d.endpoints = eps;
	d.n_endpoints = svcs.n;
	d.subnet_cidrs = (aws_strs){ cidrs.v, cidrs.n };
	d.subnet_azs = (aws_strs){ azs.v, azs.n };
	d.policy_arns = (aws_strs){ pols.v, pols.n };
	d.egress_rules = egress;
	d.n_egress_rules = n_egress;
	d.tags = (aws_tags){ tags, n_tags };
	d.fn.environment = (aws_tags){ env, n_env };

	memset(&cc, 0, sizeof cc);
	cc.region = region;
	cc.access_key = "testing";
	cc.secret_key = "testing";
	cc.max_retries = -1;
	cc.skip_credentials_validation = true;
	for (k = 0; k < AWS_SVC_COUNT; k++)
		cc.endpoints[k] = endpoint;
	rc = aws_client_new(&c, &cc, &err);
	if (rc != 0) {
		fprintf(stderr, "client: %s %s\n", err.code, err.message);
		return 1;
	}

	memset(&oin, 0, sizeof oin);
	oin.function_name = d.function_name;
	oin.vpc_id = d.vpc_id;
	oin.gateway_services = (aws_strs){ gw, n_gw };
	if (n_prior) {
		/* What a resource passes from its saved state: reused endpoints are
		 * found again only through their ids. */
		memset(&prior, 0, sizeof prior);
		prior.endpoints = prior_eps;
		prior.n_endpoints = n_prior;
		oin.prior = &prior;
	}
	rc = recon_observe(c, a, &oin, &st, &err);
	memset(&fail, 0, sizeof fail);
	if (rc != 0) {
		fail.code = rc;
		fail.err = err;
		snprintf(fail.detail, sizeof fail.detail, "observe failed");
	} else if (strcmp(cmd, "plan") == 0) {
		recon_plan p;
		base_buf pb;
		base_buf_init(&pb, 0);
		rc = strcmp(argv[argc - 1], "--destroy") == 0 ? recon_diff_destroy(a, &st, &p)
							      : recon_diff_apply(a, &d, &st, &p);
		if (rc == 0)
			rc = recon_plan_format(&p, &pb);
		fputs(base_buf_cstr(&pb), stdout);
		base_buf_dispose(&pb);
		goto done;
	} else if (strcmp(cmd, "apply") == 0) {
		rc = recon_apply(c, a, &d, &st, &opts, &fail);
	} else if (strcmp(cmd, "destroy") == 0) {
		rc = recon_destroy(c, a, &st, &opts, &fail);
	} else if (strcmp(cmd, "observe") != 0) {
		fprintf(stderr, "unknown command %s\n", cmd);
		rc = 2;
		goto done;
	}
	base_buf_init(&out, 0);
	rc = rc ? rc : 0;
	if (base_buf_printf(&out, "{\"ok\":%s,\"error\":{\"code\":%d,\"step\":", rc == 0 ? "true" : "false", rc) != 0)
		return 1;
	js(&out, recon_step_kind_name(fail.kind));
	jkey(&out, "key", true); js(&out, fail.key);
	jkey(&out, "aws_code", true); js(&out, fail.err.code);
	jkey(&out, "aws_message", true); js(&out, fail.err.message);
	jkey(&out, "detail", true); js(&out, fail.detail);
	if (base_buf_puts(&out, "},\"state\":") != 0)
		return 1;
	print_state(&out, &st);
	if (base_buf_puts(&out, "}\n") != 0)
		return 1;
	fputs(base_buf_cstr(&out), stdout);
	base_buf_dispose(&out);
done:
	aws_client_free(c);
	base_free(zip);
	base_arena_free(a);
	return rc == 0 ? 0 : 1;
}
