/* sf_import_test.c - ImportResourceState guards that need no AWS (the rest runs end to end). */
#include <string.h>

#include "base/base_arena.h"
#include "prov/prov.h"
#include "secure_function/sf_ops_int.h"
#include "t.h"

void test_secure_function_sf_import__needs_id_and_client(void)
{
	base_arena *a = base_arena_new();
	prov *p = NULL;
	const prov_resource_def defs[] = { { SF_TYPE_NAME, sf_resource_ops() } };
	T_OK(prov_new(&p, defs, 1));
	tf6_call call = { a, base_diags_new(a), SF_TYPE_NAME };
	tf6_import_req req = { "" };
	tf6_import_resp resp;
	T_ASSERT_INT(sf__import(p, &call, &req, &resp), BASE_EINVALID);
	T_ASSERT_STR(base_diags_first(call.diags)->summary, "Missing import ID");
	T_ASSERT(resp.state == NULL);

	call.diags = base_diags_new(a);
	req.id = "app";
	T_ASSERT_INT(sf__import(p, &call, &req, &resp), BASE_EINVALID);
	T_ASSERT_STR(base_diags_first(call.diags)->summary, "Provider not configured");
	prov_free(p);
	base_arena_free(a);
}

/* The import ID: a name as is, or the name inside a function ARN (issue 8 item 4). */
void test_secure_function_sf_import__name_or_arn(void)
{
	base_arena *a = base_arena_new();
	T_ASSERT_STR(sf__import_name(a, "app-7"), "app-7");
	T_ASSERT_STR(sf__import_name(a, "arn:aws:lambda:us-east-2:123456789012:function:app-7"), "app-7");
	T_ASSERT_STR(sf__import_name(a, "arn:aws:lambda:us-east-2:123456789012:function:app-7:$LATEST"), "app-7");
	T_ASSERT_STR(sf__import_name(a, "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:x:3"), "x");
	T_ASSERT(sf__import_name(a, "arn:aws:iam::123456789012:role/app-7") == NULL);
	T_ASSERT(sf__import_name(a, "arn:aws:lambda:us-east-2:123456789012:layer:l:1") == NULL);
	T_ASSERT(sf__import_name(a, "arn:aws:lambda:us-east-2:123456789012:function:") == NULL);
	T_ASSERT(sf__import_name(a, "arn:aws:lambda:us-east-2:123456789012:function:a:1:2") == NULL);
	T_ASSERT(sf__import_name(a, "arn:aws:lambda") == NULL);
	base_arena_free(a);
}
