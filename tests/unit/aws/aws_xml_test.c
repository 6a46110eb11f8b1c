/* Namespace-agnostic XML reading, fed recorded moto bodies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "aws_testutil.h"
#include "aws/aws_xml.h"
#include "base/base_alloc.h"
#include "base/base_arena.h"

void test_aws_xml__namespaces_ignored(void)
{
	static const char doc[] =
	        "<?xml version=\"1.0\"?><a:R xmlns:a=\"urn:x\" "
	        "xmlns=\"urn:y\"><a:vpcSet><item><vpcId>vpc-1</vpcId>"
	        "<isDefault>true</isDefault><n>-7</n></item><item><vpcId>vpc-2</vpcId></item></a:vpcSet>"
	        "<t>a&amp;b &lt;c&gt;<![CDATA[<d>]]></t></a:R>";
	base_arena *a = base_arena_new();
	const aws_xml_node *root = NULL, *it;
	bool b;
	int64_t n;

	T_OK(aws_xml_parse(a, doc, sizeof doc - 1, &root));
	T_ASSERT_STR(aws_xml_name(root), "R");
	T_ASSERT_INT(aws_xml_count(aws_xml_child(root, "vpcSet"), "item"), 2);
	it = aws_xml_path(root, "vpcSet/item");
	T_ASSERT_STR(aws_xml_path_text(it, "vpcId"), "vpc-1");
	T_ASSERT(aws_xml_path_bool(it, "isDefault", false, &b) && b);
	T_ASSERT(aws_xml_path_int(it, "n", 0, &n) && n == -7);
	T_ASSERT(!aws_xml_path_int(it, "missing", 42, &n) && n == 42);
	it = aws_xml_next(it, "item");
	T_ASSERT_STR(aws_xml_path_text(it, "vpcId"), "vpc-2");
	T_ASSERT(aws_xml_next(it, "item") == NULL);
	T_ASSERT_STR(aws_xml_path_text(root, "t"), "a&b <c><d>");
	T_ASSERT_STR(aws_xml_text(aws_xml_find(root, "vpcId")), "vpc-1");
	T_ASSERT(aws_xml_path(root, "vpcSet/nope/x") == NULL);
	T_ASSERT(aws_xml_text(NULL) == NULL);
	base_arena_free(a);
}

void test_aws_xml__malformed(void)
{
	base_arena *a = base_arena_new();
	const aws_xml_node *root = (const aws_xml_node *)1;
	T_ASSERT_INT(aws_xml_parse(a, "<a><b></a>", 10, &root), BASE_EINVALID);
	T_ASSERT(root == NULL);
	T_ASSERT_INT(aws_xml_parse(a, "", 0, &root), BASE_EINVALID);
	T_ASSERT_INT(aws_xml_parse(a, "{\"x\":1}", 7, &root), BASE_EINVALID);
	base_arena_free(a);
}

void test_aws_xml__no_external_entities(void)
{
	static const char doc[] =
	        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
	        "<r>&e;</r>";
	base_arena *a = base_arena_new();
	const aws_xml_node *root = NULL;
	if (aws_xml_parse(a, doc, sizeof doc - 1, &root) == BASE_OK)
		T_ASSERT(strstr(aws_xml_text(root), "root:") == NULL);
	base_arena_free(a);
}

void test_aws_xml__recorded_describe_security_groups(void)
{
	size_t len;
	char *body = t_read_file("tests/data/aws/ec2/DescribeSecurityGroups.xml", &len);
	base_arena *a = base_arena_new();
	const aws_xml_node *root = NULL, *sg;
	T_ASSERT(body);
	T_OK(aws_xml_parse(a, body, len, &root));
	sg = aws_xml_path(root, "securityGroupInfo/item");
	T_ASSERT_STR(aws_xml_path_text(sg, "groupName"), "fx-lambda");
	T_ASSERT_STR(aws_xml_path_text(sg, "ipPermissionsEgress/item/groups/item/description"), "to vpce");
	T_ASSERT_STR(aws_xml_path_text(aws_xml_next(aws_xml_path(sg, "tagSet/item"), "item"), "value"),
	             "a&b <c>");
	base_arena_free(a);
	base_free(body);
}

/* Issue 12: libxml2's encoding errors (the fuzz corpus regression input: a
 * lone UTF-16 surrogate, decoded by libxml2's built-in converter, so no
 * iconv module is loaded) reach our hclog output as DEBUG lines, never raw
 * stderr. */
void test_aws_xml__encoding_errors_logged_not_printed(void)
{
	size_t len;
	char *in = t_read_file("tests/fuzz/aws_xml/regress-encoding-error-utf16", &len);
	T_ASSERT(in && len > 1);
	char errpath[] = "/tmp/lambdavpc-xml-stderr-XXXXXX", logpath[] = "/tmp/lambdavpc-xml-log-XXXXXX";
	int efd = mkstemp(errpath), lfd = mkstemp(logpath);
	T_ASSERT(efd >= 0 && lfd >= 0);
	fflush(stderr);
	int saved = dup(2);
	T_ASSERT(dup2(efd, 2) == 2);
	aws_test_log_begin(lfd);
	base_arena *a = base_arena_new();
	const aws_xml_node *root = NULL;
	int rc = aws_xml_parse(a, in + 1, len - 1, &root);
	size_t loglen;
	char *log = aws_test_log_end(lfd, logpath, &loglen);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(efd);
	size_t errlen;
	char *err = t_read_file(errpath, &errlen);
	unlink(errpath);
	T_ASSERT_INT(rc, BASE_EINVALID);
	T_ASSERT_MSG(errlen == 0, "stderr got: %s", err);
	T_ASSERT_MSG(log && strstr(log, "\"@message\":\"XML parser: ") && strstr(log, "conversion failed"),
	             "log: %s", log ? log : "(none)");
	base_free(log);
	base_free(err);
	base_free(in);
	base_arena_free(a);
}
