/* prov_doc_test.c - Markdown rendering of a small schema (byte-exact). */
#include <string.h>

#include "base/base_arena.h"
#include "base/base_buf.h"
#include "prov/prov_doc.h"
#include "prov/prov_schema.h"
#include "t.h"

void test_prov_prov_doc__render(void)
{
	base_arena *a = base_arena_new();
	const char *json =
	        "{\"description\":\"A thing.\",\"attributes\":{"
	        "\"name\":{\"type\":\"string\",\"required\":true,\"force_new\":true,\"description\":\"The "
	        "name.\"},"
	        "\"pw\":{\"type\":\"string\",\"optional\":true,\"sensitive\":true,\"description\":\"A "
	        "secret.\"},"
	        "\"size\":{\"type\":\"number\",\"optional\":true,\"computed\":true,\"default\":1,"
	        "\"description\":\"Size.\"},"
	        "\"arn\":{\"type\":\"string\",\"computed\":true,\"description\":\"The ARN.\"}},"
	        "\"blocks\":{\"timeouts\":{\"nesting\":\"single\",\"description\":\"Timeouts.\","
	        "\"attributes\":{"
	        "\"create\":{\"type\":\"string\",\"optional\":true,\"description\":\"Create.\"}}}}}";
	tf6_schema *s;
	T_OK(prov_schema_parse(a, "t", json, strlen(json), &s, base_diags_new(a)));
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(prov_doc_render(s, &b));
	T_ASSERT_STR(base_buf_cstr(&b), "## Argument Reference\n\n"
	                                "- `name` (String, Required, Forces replacement) The name.\n"
	                                "- `pw` (String, Optional, Sensitive) A secret.\n"
	                                "- `size` (Number, Optional, Computed) Size.\n"
	                                "\n### `timeouts` block (optional, at most one)\n\nTimeouts.\n\n"
	                                "- `create` (String, Optional) Create.\n"
	                                "\n## Attribute Reference\n\nIn addition to the arguments above:\n\n"
	                                "- `arn` (String, Computed) The ARN.\n");
	base_buf_dispose(&b);
	base_arena_free(a);
}
