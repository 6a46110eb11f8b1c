/* prov_test.c - the provider ops, the schema response through tf6, and the
 * docs/ check against the schema JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_alloc.h"
#include "base/base_arena.h"
#include "base/base_diag.h"
#include "cty/cty_json.h"
#include "prov/prov.h"
#include "prov/prov_doc.h"
#include "tf6/tf6_server.h"
#include "t.h"

static const tf6_resource_ops EMPTY_OPS = {0};

static prov *new_prov(void)
{
	prov *p = NULL;
	const prov_resource_def defs[] = {{"lambdavpc_secure_function", &EMPTY_OPS}};
	if (prov_new(&p, defs, 1) != BASE_OK)
		return NULL;
	return p;
}

void test_prov_prov__new_rejects_unknown_type(void)
{
	prov *p = (prov *)1;
	const prov_resource_def defs[] = {{"lambdavpc_nope", &EMPTY_OPS}};
	T_ASSERT_INT(prov_new(&p, defs, 1), BASE_EINVALID);
	T_ASSERT(p == NULL);
	prov_free(NULL);
}

void test_prov_prov__schemas(void)
{
	prov *p = new_prov();
	T_ASSERT(p);
	base_arena *a = base_arena_new();
	tf6_provider_schema s;
	T_OK(prov_ops()->schema(p, &s, base_diags_new(a)));
	T_ASSERT(s.provider);
	T_ASSERT_INT(s.n_resources, 1);
	T_ASSERT_STR(s.resources[0].type_name, "lambdavpc_secure_function");
	T_ASSERT(s.resources[0].ctx == p);
	T_ASSERT(prov_schema_of(p, "lambdavpc_secure_function") == s.resources[0].schema);
	T_ASSERT(prov_schema_of(p, "provider") == s.provider);
	T_ASSERT(prov_schema_of(p, "nope") == NULL);
	base_arena_free(a);
	prov_free(p);
}

static const cty_value *pcfg(base_arena *a, prov *p, const char *json)
{
	const cty_value *v = NULL;
	const tf6_schema *s = prov_schema_of(p, "provider");
	if (!s || cty_json_decode(a, tf6_schema_type(s), json, strlen(json), 0, &v, NULL) != BASE_OK)
		return NULL;
	return v;
}

void test_prov_prov__validate_config(void)
{
	prov *p = new_prov();
	T_ASSERT(p);
	base_arena *a = base_arena_new();
	tf6_call call = {a, base_diags_new(a), ""};
	tf6_validate_req rq = {pcfg(a, p, "{\"region\":\"us-east-2\",\"max_retries\":3}")};
	T_ASSERT(rq.config);
	T_OK(prov_ops()->validate(p, &call, &rq));
	T_ASSERT_INT(base_diags_count(call.diags), 0);
	rq.config =
	        pcfg(a, p, "{\"region\":\"Ohio\",\"max_retries\":-1,\"endpoints\":{\"ec2\":\"ftp://x\"}}");
	T_ASSERT_INT(prov_ops()->validate(p, &call, &rq), BASE_EINVALID);
	T_ASSERT_INT(base_diags_count(call.diags), 3);
	const base_diag *g = base_diags_first(call.diags);
	T_ASSERT_STR(base_path_str(a, g->path), "max_retries");
	T_ASSERT_STR(base_path_str(a, g->next->path), "region");
	T_ASSERT_STR(base_path_str(a, g->next->next->path), "endpoints.ec2");
	base_arena_free(a);
	prov_free(p);
}

void test_prov_prov__configure(void)
{
	prov *p = new_prov();
	T_ASSERT(p);
	base_arena *a = base_arena_new();
	tf6_call call = {a, base_diags_new(a), ""};
	aws_client *c = (aws_client *)1;
	T_ASSERT_INT(prov_require_client(p, call.diags, &c), BASE_EINVALID);
	T_ASSERT(c == NULL);
	T_ASSERT_STR(base_diags_first(call.diags)->summary, "Provider not configured");
	call.diags = base_diags_new(a);
	tf6_configure_req rq = {"1.11.4", pcfg(a, p,
	                                       "{\"region\":\"us-east-2\",\"access_key\":\"AKIDEXAMPLE\","
	                                       "\"secret_key\":\"x\",\"skip_credentials_validation\":true,"
	                                       "\"endpoints\":{\"sts\":\"http://127.0.0.1:9\"},"
	                                       "\"default_tags\":{\"tags\":{\"Team\":\"payments\"}},"
	                                       "\"ignore_tags\":{\"keys\":[\"CreatedBy\"],"
	                                       "\"key_prefixes\":[\"org:\"]}}")};
	T_ASSERT(rq.config);
	T_OK(prov_ops()->configure(p, &call, &rq));
	T_ASSERT_INT(base_diags_count(call.diags), 0);
	T_ASSERT(prov_client(p) != NULL);
	T_ASSERT_STR(aws_client_region(prov_client(p)), "us-east-2");
	prov_tags t = prov_default_tags(p);
	T_ASSERT_INT(t.n, 1);
	T_ASSERT_STR(t.keys[0], "Team");
	T_ASSERT_STR(t.values[0], "payments");
	/* ignore_tags: exact keys and prefixes, hashicorp/aws's meaning */
	prov_ignore_tags ig = prov_ignored_tags(p);
	T_ASSERT_INT(ig.n_keys, 1);
	T_ASSERT_INT(ig.n_prefixes, 1);
	T_ASSERT(prov_tag_ignored(&ig, "CreatedBy"));
	T_ASSERT(prov_tag_ignored(&ig, "org:cost-center"));
	T_ASSERT(!prov_tag_ignored(&ig, "createdby"));
	T_ASSERT(!prov_tag_ignored(&ig, "Team"));
	T_ASSERT(!prov_tag_ignored(&ig, "org"));
	/* StopProvider cancels the client */
	T_ASSERT(prov_ops()->stop(p, &call) == NULL);
	T_ASSERT(aws_client_cancelled(prov_client(p)));
	/* a second configure is refused */
	T_ASSERT_INT(prov_ops()->configure(p, &call, &rq), BASE_EINVALID);
	base_arena_free(a);
	prov_free(p);
}

void test_prov_prov__configure_unknown_defers(void)
{
	prov *p = new_prov();
	T_ASSERT(p);
	base_arena *a = base_arena_new();
	tf6_call call = {a, base_diags_new(a), ""};
	const cty_value *v = pcfg(a, p, "{}");
	T_ASSERT(v);
	v = cty_value_with_attr(a, v, "region", cty_value_unknown(cty_type_string()));
	tf6_configure_req rq = {"1.11.4", v};
	T_OK(prov_ops()->configure(p, &call, &rq));
	T_ASSERT(prov_client(p) == NULL);
	T_ASSERT(prov_config_deferred(p));
	aws_client *c;
	T_ASSERT_INT(prov_require_client(p, call.diags, &c), BASE_EINVALID);
	T_ASSERT_STR(base_diags_first(call.diags)->summary, "Provider configuration not known yet");
	base_arena_free(a);
	prov_free(p);
}

static bool has(const base_buf *b, const char *needle)
{
	return memmem(b->data, b->len, needle, strlen(needle)) != NULL;
}

/* The real schemas through the real tf6 server (decoded in the tf6 tests). */
void test_prov_prov__schema_response(void)
{
	prov *p = new_prov();
	T_ASSERT(p);
	tf6_server *t = NULL;
	T_OK(tf6_server_new(&t, prov_ops(), p));
	base_buf b;
	base_buf_init(&b, 0);
	T_ASSERT_INT(tf6_server_handle(t, "GetProviderSchema", NULL, 0, &b), PLUGIN_STATUS_OK);
	T_ASSERT(b.len > 5000 && b.len < (64u << 20));
	T_ASSERT(has(&b, "lambdavpc_secure_function"));
	T_ASSERT(has(&b, "[\"list\",\"string\"]"));
	T_ASSERT(has(&b, "subnet_cidr_blocks"));
	T_ASSERT(has(&b, "assume_role"));
	/* same bytes on the second call (cached) */
	base_buf b2;
	base_buf_init(&b2, 0);
	T_ASSERT_INT(tf6_server_handle(t, "GetProviderSchema", NULL, 0, &b2), PLUGIN_STATUS_OK);
	T_ASSERT_MEM(b.data, b.len, b2.data, b2.len);
	base_buf_dispose(&b);
	base_buf_dispose(&b2);
	tf6_server_free(t);
	prov_free(p);
}

/* docs/ must hold exactly what the schema says (UPDATE_DOCS=1 rewrites). */
static void check_doc(const char *path, const tf6_schema *s)
{
	size_t len;
	char *doc = t_read_file(path, &len);
	T_ASSERT_MSG(doc, "cannot read %s", path);
	char *b = strstr(doc, PROV_DOC_BEGIN);
	char *e = b ? strstr(b, PROV_DOC_END) : NULL;
	T_ASSERT_MSG(b && e, "%s: markers missing", path);
	b += strlen(PROV_DOC_BEGIN);
	base_buf want;
	base_buf_init(&want, 0);
	T_OK(prov_doc_render(s, &want));
	bool same = (size_t)(e - b) == want.len && memcmp(b, want.data, want.len) == 0;
	const char *upd = getenv("UPDATE_DOCS");
	if (!same && upd && *upd) {
		FILE *f = fopen(path, "wb");
		T_ASSERT(f);
		fwrite(doc, 1, (size_t)(b - doc), f);
		fwrite(want.data, 1, want.len, f);
		fwrite(e, 1, len - (size_t)(e - doc), f);
		fclose(f);
		same = true;
	}
	base_buf_dispose(&want);
	base_free(doc);
	T_ASSERT_MSG(same, "%s disagrees with the schema JSON; run UPDATE_DOCS=1 build/test_prov docs", path);
}

void test_prov_prov__docs_match_schema(void)
{
	prov *p = new_prov();
	T_ASSERT(p);
	const tf6_schema *ps = prov_schema_of(p, "provider");
	const tf6_schema *rs = prov_schema_of(p, "lambdavpc_secure_function");
	T_ASSERT(ps && rs);
	check_doc("docs/index.md", ps);
	check_doc("docs/resources/secure_function.md", rs);
	prov_free(p);
}
