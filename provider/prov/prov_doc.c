/*
 * prov_doc.c - schema -> Markdown reference (see prov_doc.h).
 */
#include "prov/prov_doc.h"

#include <string.h>

#include "prov/prov_schema.h"

static const char *type_words(const char *tj)
{
	if (!tj)
		return "List of Object";
	if (strcmp(tj, "\"string\"") == 0)
		return "String";
	if (strcmp(tj, "\"number\"") == 0)
		return "Number";
	if (strcmp(tj, "\"bool\"") == 0)
		return "Bool";
	if (strcmp(tj, "[\"list\",\"string\"]") == 0)
		return "List of String";
	if (strcmp(tj, "[\"set\",\"string\"]") == 0)
		return "Set of String";
	if (strcmp(tj, "[\"map\",\"string\"]") == 0)
		return "Map of String";
	return tj;
}

static const char *nested_words(const tf6_attribute *at)
{
	switch (at->nested->nesting) {
	case TF6_NEST_SINGLE:
		return "Object";
	case TF6_NEST_SET:
		return "Set of Object";
	case TF6_NEST_MAP:
		return "Map of Object";
	default:
		return "List of Object";
	}
}

static int attr_line(const tf6_attribute *at, base_buf *out, const char *indent)
{
	const prov_attr_info *info = prov_attr_info_of(at);
	const char *kind = at->required ? "Required" : at->optional ? "Optional" : "Computed";
	return base_buf_printf(
	        out, "%s- `%s` (%s, %s%s%s%s) %s\n", indent, at->name,
	        at->nested ? nested_words(at) : type_words(at->type_json), kind,
	        at->optional && at->computed ? ", Computed" : "", at->sensitive ? ", Sensitive" : "",
	        info->force_new ? ", Forces replacement" : "", at->description ? at->description : "");
}

static int attrs(const tf6_attribute *list, size_t n, bool computed_only, base_buf *out, const char *indent)
{
	int rc = BASE_OK;
	for (size_t i = 0; i < n && rc == BASE_OK; i++) {
		const tf6_attribute *at = &list[i];
		bool conly = at->computed && !at->optional && !at->required;
		if (conly != computed_only)
			continue;
		rc = attr_line(at, out, indent);
		if (rc == BASE_OK && at->nested) {
			char deeper[32];
			size_t l = strlen(indent);
			if (l + 2 >= sizeof(deeper))
				l = sizeof(deeper) - 3;
			memcpy(deeper, indent, l);
			memcpy(deeper + l, "  ", 3);
			rc = attrs(at->nested->attrs, at->nested->n_attrs, false, out, deeper);
		}
	}
	return rc;
}

int prov_doc_render(const tf6_schema *s, base_buf *out)
{
	const tf6_block *b = &s->block;
	int rc = base_buf_puts(out, "## Argument Reference\n\n");
	if (rc == BASE_OK)
		rc = attrs(b->attrs, b->n_attrs, false, out, "");
	for (size_t i = 0; i < b->n_blocks && rc == BASE_OK; i++) {
		const tf6_nested_block *nb = &b->blocks[i];
		const char *lim = nb->nesting == TF6_NEST_SINGLE ? (nb->min_items ? "required, exactly one"
		                                                                  : "optional, at most one")
		                                                 : "optional, repeatable";
		rc = base_buf_printf(out, "\n### `%s` block (%s)\n\n%s\n\n", nb->type_name, lim,
		                     nb->block.description ? nb->block.description : "");
		if (rc == BASE_OK)
			rc = attrs(nb->block.attrs, nb->block.n_attrs, false, out, "");
	}
	bool any = false;
	for (size_t i = 0; i < b->n_attrs; i++)
		any = any || (b->attrs[i].computed && !b->attrs[i].optional);
	if (any && rc == BASE_OK) {
		rc = base_buf_puts(out,
		                   "\n## Attribute Reference\n\nIn addition to the arguments above:\n\n");
		if (rc == BASE_OK)
			rc = attrs(b->attrs, b->n_attrs, true, out, "");
	}
	return rc;
}
