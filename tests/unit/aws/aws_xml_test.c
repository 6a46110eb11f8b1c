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
#include "base/base_buf.h"

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

/* Issue 12: a parse error (the fuzz corpus regression input: UTF-16 with a
 * lone surrogate) reaches our hclog output as a DEBUG line naming the
 * reason, never raw stderr. */
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
	T_ASSERT_MSG(log && strstr(log, "\"@message\":\"XML parser: UTF-16 (only UTF-8 is read) at byte 0"),
	             "log: %s", log ? log : "(none)");
	base_free(log);
	base_free(err);
	base_free(in);
	base_arena_free(a);
}

/* Parses doc (NUL-terminated) and returns the root's text, or NULL when the
 * document is refused; a refusal must be BASE_EINVALID with no root. */
static const char *root_text(base_arena *a, const char *doc)
{
	const aws_xml_node *root = (const aws_xml_node *)1;
	int rc = aws_xml_parse(a, doc, strlen(doc), &root);
	if (rc != BASE_OK)
		return rc == BASE_EINVALID && root == NULL ? NULL : "(refused wrongly)";
	return aws_xml_text(root);
}

void test_aws_xml__references_and_line_ends(void)
{
	base_arena *a = base_arena_new();
	T_ASSERT_STR(root_text(a, "<r>&lt;&gt;&amp;&quot;&apos;</r>"), "<>&\"'");
	T_ASSERT_STR(root_text(a, "<r>&#65;&#x42;&#x10FFFF;&#xe9;</r>"), "AB\xF4\x8F\xBF\xBF\xC3\xA9");
	T_ASSERT_STR(root_text(a, "<r>a\r\nb\rc\n&#13;</r>"), "a\nb\nc\n\r");
	T_ASSERT_STR(root_text(a, "<r><![CDATA[x\r\n<&]]]]><![CDATA[>]]></r>"), "x\n<&]]>");
	T_ASSERT_STR(root_text(a, "<r>caf\xC3\xA9 \xF0\x9F\x99\x82</r>"), "caf\xC3\xA9 \xF0\x9F\x99\x82");
	/* text around children is the parent's, in order; children keep theirs */
	const aws_xml_node *root = NULL;
	static const char mixed[] = "<r>a<b>1</b>b<!-- c --><?pi x?>c<e/><d>2<f>3</f>4</d>d</r>";
	T_OK(aws_xml_parse(a, mixed, sizeof mixed - 1, &root));
	T_ASSERT_STR(aws_xml_text(root), "abcd");
	T_ASSERT_STR(aws_xml_path_text(root, "b"), "1");
	T_ASSERT_STR(aws_xml_path_text(root, "e"), "");
	T_ASSERT_STR(aws_xml_path_text(root, "d"), "24");
	T_ASSERT_STR(aws_xml_path_text(root, "d/f"), "3");
	T_ASSERT_STR(aws_xml_name(aws_xml_next(aws_xml_child(root, NULL), NULL)), "e");
	base_arena_free(a);
}

void test_aws_xml__prolog_epilog_and_attributes(void)
{
	base_arena *a = base_arena_new();
	const aws_xml_node *root = NULL;
	static const char doc[] = "\xEF\xBB\xBF<?xml version='1.0' encoding='UTF-8'?>\r\n<!-- hi -->\n"
	                          "<p:R xmlns:p=\"urn:a>b\" a = '1' b=\"&amp;&#60;\" >"
	                          "<p:x\tk=\"v\"/><y></y ></p:R >\n<!-- bye --><?done?>\n";
	T_OK(aws_xml_parse(a, doc, sizeof doc - 1, &root));
	T_ASSERT_STR(aws_xml_name(root), "R");
	T_ASSERT(aws_xml_child(root, "x") && aws_xml_child(root, "y"));
	T_ASSERT_STR(root_text(a, "<?xml version=\"1.0\" encoding=\"us-ascii\"?><e/>"), "");
	base_arena_free(a);
}

void test_aws_xml__refused(void)
{
	static const char *const bad[] = {
	        "<a><b></a>",                                      /* mismatched end tag */
	        "<a><b></b>",                                      /* unclosed */
	        "<a></a><b/>",                                     /* two roots */
	        "<a></a>x",                                        /* text after the root */
	        "x<a></a>",                                        /* text before it */
	        "<a>&foo;</a>",                                    /* undefined entity */
	        "<a>&amp</a>",                                     /* unterminated reference */
	        "<a>& b</a>",                                      /* bare ampersand */
	        "<a>&#0;</a>",                                     /* NUL by reference */
	        "<a>&#xD800;</a>",                                 /* a surrogate */
	        "<a>&#x110000;</a>",                               /* beyond Unicode */
	        "<a>&#;</a>",                                      /* no digits */
	        "<a>&#x1g;</a>",                                   /* not hex */
	        "<a>x]]>y</a>",                                    /* ']]>' in text */
	        "<a b=1/>",                                        /* unquoted value */
	        "<a b/>",                                          /* no value */
	        "<a b='<'/>",                                      /* '<' in a value */
	        "<a b='1'c='2'/>",                                 /* no space between */
	        "<1a/>",                                           /* bad name */
	        "< a/>",                                           /* space before name */
	        "<a></ a>",                                        /* space in end tag */
	        "<a><!-- x </a>",                                  /* unterminated comment */
	        "<a><![CDATA[x</a>",                               /* unterminated CDATA */
	        "<a><!ELEMENT a ANY></a>",                         /* declaration inside */
	        "<!DOCTYPE a><a/>",                                /* any DOCTYPE */
	        "<?xml version='1.0' encoding='ISO-8859-1'?><a/>", /* not UTF-8 */
	        "<a>\x01</a>",                                     /* control character */
	        "<a>\xC3</a>",                                     /* truncated UTF-8 */
	        "<a>\xC0\xAF</a>",                                 /* overlong UTF-8 */
	        "<a>\xED\xA0\x80</a>",                             /* UTF-8 surrogate */
	        "<a>\xEF\xBF\xBF</a>",                             /* U+FFFF */
	        "\xFF\xFE<\0a\0/\0>\0",                            /* UTF-16 */
	        "<a",                                              /* truncated tag */
	        "   ",                                             /* no root */
	        "{\"x\":1}",                                       /* JSON */
	};
	base_arena *a = base_arena_new();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		T_ASSERT_MSG(root_text(a, bad[i]) == NULL, "accepted #%zu: %s", i, bad[i]);
	/* a NUL byte in the body is not XML either */
	const aws_xml_node *root = NULL;
	T_ASSERT_INT(aws_xml_parse(a, "<a>\0</a>", 8, &root), BASE_EINVALID);
	base_arena_free(a);
}

void test_aws_xml__depth_limit(void)
{
	base_arena *a = base_arena_new();
	base_buf b;
	const aws_xml_node *root = NULL;
	base_buf_init(&b, 0);
	for (int i = 0; i < 128; i++)
		T_OK(base_buf_puts(&b, "<e>"));
	for (int i = 0; i < 128; i++)
		T_OK(base_buf_puts(&b, "</e>"));
	T_OK(aws_xml_parse(a, b.data, b.len, &root)); /* 128 levels: read */
	base_buf_reset(&b);
	for (int i = 0; i < 129; i++)
		T_OK(base_buf_puts(&b, "<e>"));
	for (int i = 0; i < 129; i++)
		T_OK(base_buf_puts(&b, "</e>"));
	T_ASSERT_INT(aws_xml_parse(a, b.data, b.len, &root), BASE_EINVALID); /* 129: refused */
	base_buf_dispose(&b);
	base_arena_free(a);
}

/* aws_xml_parse_split: the texts outlive the elements' arena (under ASan and
 * valgrind a text left in the freed arena is a read after free). */
void test_aws_xml__split_texts_outlive_the_elements(void)
{
	static const char doc[] = "<R><subnetSet><item><subnetId>subnet-1</subnetId><cidrBlock>10.0.0.0/24"
	                          "</cidrBlock></item><item><subnetId>subnet-2</subnetId></item></subnetSet>"
	                          "<empty/></R>";
	base_arena *texts = base_arena_new(), *nodes = base_arena_new();
	const aws_xml_node *root = NULL, *it;
	const char *id1, *cidr, *id2, *empty;

	T_OK(aws_xml_parse_split(nodes, texts, doc, sizeof doc - 1, &root));
	it = aws_xml_path(root, "subnetSet/item");
	id1 = aws_xml_path_text(it, "subnetId");
	cidr = aws_xml_path_text(it, "cidrBlock");
	id2 = aws_xml_path_text(aws_xml_next(it, "item"), "subnetId");
	empty = aws_xml_path_text(root, "empty");
	base_arena_free(nodes);
	T_ASSERT_STR(id1, "subnet-1");
	T_ASSERT_STR(cidr, "10.0.0.0/24");
	T_ASSERT_STR(id2, "subnet-2");
	T_ASSERT_STR(empty, "");
	base_arena_free(texts);
}
