/* recon_testutil.c - see recon_testutil.h. */
#include "recon_testutil.h"

#include "t.h"

#include <stdio.h>
#include <string.h>

#include "aws/aws_http.h"
#include "recon/recon_diff.h"

static int fake_send(void *ctx, const aws_http_request *req, aws_http_response *resp)
{
	struct script *s = ctx;
	size_t i;
	int rc = BASE_OK;
	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->n; i++) {
		struct rule *r = &s->rules[i];
		bool in_url = strstr(req->url, r->match) != NULL;
		bool in_body = req->body && req->body_len && strstr(req->body, r->match) != NULL;
		if (strcmp(req->method, r->method) != 0 || !(in_url || in_body))
			continue;
		if (r->times >= 0 && r->hits >= r->times)
			continue;
		r->hits++;
		resp->status = r->status;
		resp->failure = AWS_HTTP_OK;
		if (r->body && base_buf_puts(&resp->body, r->body) != 0)
			rc = BASE_EIO;
		if (rc == BASE_OK && r->error_type)
			rc = aws_http_response_add_header(resp, "x-amzn-ErrorType", 16, r->error_type,
							  strlen(r->error_type));
		if (rc == BASE_OK && strstr(req->url, "lambda") == NULL && r->body && r->body[0] == '{')
			rc = aws_http_response_add_header(resp, "Content-Type", 12, "application/json", 16);
		pthread_mutex_unlock(&s->mu);
		return rc;
	}
	s->unmatched++;
	resp->status = 599;
	pthread_mutex_unlock(&s->mu);
	return BASE_OK;
}

static const aws_transport fake_transport = { fake_send };

int hits(const struct script *s, const char *match)
{
	size_t i;
	int n = 0;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->rules[i].match, match) == 0)
			n += s->rules[i].hits;
	return n;
}

/* ---- fake clock ---- */

static uint64_t fnow(void *ctx) { return ((struct fclock *)ctx)->now; }
static int fsleep(void *ctx, unsigned ms)
{
	struct fclock *c = ctx;
	c->now += ms;
	c->sleeps++;
	return BASE_OK;
}

static aws_client *new_client(struct script *s)
{
	aws_client_config cc;
	aws_client *c = NULL;
	aws_error e;
	int k;
	memset(&cc, 0, sizeof cc);
	cc.region = "us-east-1";
	cc.access_key = "AKIDEXAMPLE";
	cc.secret_key = "secret";
	cc.max_retries = 0;
	cc.skip_credentials_validation = true;
	cc.transport = &fake_transport;
	cc.transport_ctx = s;
	for (k = 0; k < AWS_SVC_COUNT; k++)
		cc.endpoints[k] = "http://127.0.0.1:9";
	if (aws_client_new(&c, &cc, &e) != 0)
		return NULL;
	return c;
}

static const aws_tag owner_tag[] = { { RECON_OWNER_TAG, "app" } };

static void net_state(recon_state *s, recon_subnet *sub)
{
	memset(s, 0, sizeof *s);
	memset(sub, 0, sizeof *sub);
	s->function_name = "app";
	s->vpc_id = "vpc-1";
	sub->id = "subnet-a";
	sub->cidr = "10.0.1.0/27";
	sub->az = "us-east-1a";
	sub->owned = true;
	sub->tags = (aws_tags){ owner_tag, 1 };
	s->subnets = sub;
	s->n_subnets = 1;
	s->sgs[RECON_SG_LAMBDA].id = "sg-l";
	s->sgs[RECON_SG_LAMBDA].owned = true;
	s->sgs[RECON_SG_LAMBDA].tags = (aws_tags){ owner_tag, 1 };
	s->sgs[RECON_SG_ENDPOINT].tags = (aws_tags){ owner_tag, 1 };
	s->role.tags = (aws_tags){ owner_tag, 1 };
	s->rt.tags = (aws_tags){ owner_tag, 1 };
}

/* False when the client cannot be made (the test stops: T_ASSERT it). */
bool run_env_init(struct run_env *x, struct rule *rules, size_t n)
{
	memset(x, 0, sizeof *x);
	pthread_mutex_init(&x->sc.mu, NULL);
	x->sc.rules = rules;
	x->sc.n = n;
	x->clk = (recon_clock){ fnow, fsleep, &x->fc };
	x->opts = (recon_options){ 2, &x->clk, 0, 0, false };
	x->a = base_arena_new();
	x->c = new_client(&x->sc);
	net_state(&x->s, &x->sub);
	return x->c != NULL;
}

void run_env_dispose(struct run_env *x)
{
	aws_client_free(x->c);
	base_arena_free(x->a);
	pthread_mutex_destroy(&x->sc.mu);
}

static const char *const cidr1[] = { "10.0.1.0/27" };
static const char *const policies1[] = { RECON_VPC_POLICY_ARN };
static const char *const fn_sg[] = { "sg-l" };

void ready_for_function(recon_desired *d, recon_state *s, recon_subnet *sub)
{
	memset(d, 0, sizeof *d);
	d->function_name = "app";
	d->vpc_id = "vpc-1";
	d->subnet_cidrs = (aws_strs){ cidr1, 1 };
	d->fn.runtime = "python3.12";
	d->fn.handler = "h.h";
	d->fn.reserved_concurrency = -1;
	net_state(s, sub);
	s->role.name = "lambdavpc-app";
	s->role.arn = "arn:aws:iam::1:role/r";
	s->role.owned = true;
	s->role.policy_arns = (aws_strs){ policies1, 1 };
	s->rt.id = "rtb-1";
	s->rt.owned = true;
	s->rt.assoc_subnet_ids = (aws_strs){ &sub->id, 1 };
	s->sgs[RECON_SG_ENDPOINT].id = "sg-e";
	s->sgs[RECON_SG_ENDPOINT].owned = true;
	{
		static recon_rule in = { false, "tcp", 443, 443, RECON_PEER_SG, "sg-l", NULL, "sgr-1", NULL };
		s->sgs[RECON_SG_ENDPOINT].rules = &in;
		s->sgs[RECON_SG_ENDPOINT].n_rules = 1;
	}
	(void)fn_sg;
}

/* The plan of x must be exactly these step kinds (printed when not). */
void expect_kinds(struct run_env *x, const recon_step_kind *kinds, size_t n)
{
	size_t i;
	T_OK(recon_diff_apply(x->a, &x->d, &x->s, &x->p));
	if (x->p.n != n) {
		base_buf b;
		base_buf_init(&b, 0);
		if (recon_plan_format(&x->p, &b) == 0)
			printf("%s", base_buf_cstr(&b));
		base_buf_dispose(&b);
	}
	T_ASSERT_INT(x->p.n, n);
	for (i = 0; i < n; i++)
		T_ASSERT_INT(x->p.v[i].kind, kinds[i]);
}

