/* The shared plumbing of the typed operations (aws_proto_int.h). */
#include <string.h>

#include "t.h"
#include "aws/aws_proto_int.h"
#include "base/base_arena.h"

void test_aws_proto__path_escape(void)
{
	base_arena *a = base_arena_new();
	T_ASSERT_STR(aws__path_escape(a, "arn:aws:lambda:us-east-1:1:function:f"),
	             "arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af");
	T_ASSERT_STR(aws__path_escape(a, "a/b c$"), "a%2Fb%20c%24");
	T_ASSERT_STR(aws__path_escape(a, ""), "");
	base_arena_free(a);
}

void test_aws_proto__xml_lists(void)
{
	static const char doc[] =
	        "<r><s><item>a</item><item>b</item></s><g><item><groupId>sg-1</groupId></item>"
	        "<item><x/></item></g><t><member><Key>k</Key><Value>v</Value></member>"
	        "<member><Key>e</Key></member><member><Value>orphan</Value></member></t></r>";
	base_arena *a = base_arena_new();
	const aws_xml_node *root = NULL;
	aws_strs s;
	aws_tags t;

	T_OK(aws_xml_parse(a, doc, sizeof doc - 1, &root));
	s = aws__xml_strs(a, aws_xml_child(root, "s"), "item", NULL);
	T_ASSERT_INT(s.n, 2);
	T_ASSERT_STR(s.v[1], "b");
	s = aws__xml_strs(a, aws_xml_child(root, "g"), "item", "groupId");
	T_ASSERT_INT(s.n, 1);
	T_ASSERT_STR(s.v[0], "sg-1");
	s = aws__xml_strs(a, aws_xml_child(root, "missing"), "item", NULL);
	T_ASSERT(s.n == 0 && s.v == NULL);
	t = aws__xml_tags(a, aws_xml_child(root, "t"), "member", "Key", "Value");
	T_ASSERT_INT(t.n, 2);
	T_ASSERT_STR(t.v[0].value, "v");
	T_ASSERT_STR(t.v[1].key, "e");
	T_ASSERT_STR(t.v[1].value, "");
	base_arena_free(a);
}

void test_aws_proto__json_lists(void)
{
	static const char doc[] = "{\"a\":[\"x\",1,\"y\"],\"m\":{\"k\":\"v\",\"n\":null,\"z\":\"w\"}}";
	base_arena *a = base_arena_new();
	const aws_json *root = NULL;
	aws_strs s;
	aws_tags t;

	T_OK(aws_json_parse(a, doc, sizeof doc - 1, &root));
	s = aws__json_strs(a, aws_json_get(root, "a"));
	T_ASSERT_INT(s.n, 2);
	T_ASSERT_STR(s.v[1], "y");
	t = aws__json_tags(a, aws_json_get(root, "m"));
	T_ASSERT_INT(t.n, 2);
	T_ASSERT_STR(t.v[1].key, "z");
	T_ASSERT_INT(aws__json_strs(a, aws_json_get(root, "m")).n, 0);
	base_arena_free(a);
}

void test_aws_proto__invalid_response(void)
{
	aws_error err;
	T_ASSERT_INT(aws__invalid_response(&err, "GetRole", "Role/Arn missing"), BASE_EINVALID);
	T_ASSERT_STR(err.code, "InvalidResponse");
	T_ASSERT_STR(err.message, "GetRole: unexpected response: Role/Arn missing");
}
