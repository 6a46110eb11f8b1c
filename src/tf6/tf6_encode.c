/*
 * tf6_encode.c - cty values, paths, diagnostics and schemas -> protobuf
 * messages, all allocated in the call's arena.
 */
#include "tf6/tf6_int.h"

#include <string.h>

#include "base/base_buf.h"
#include "cty/cty_msgpack.h"

int tf6__encode_dv(base_arena *a, const cty_type *t, const cty_value *v, Tfplugin6__DynamicValue **out,
                   base_diags *diags)
{
	*out = NULL;
	if (!v)
		return BASE_OK;
	base_buf b;
	base_buf_init(&b, 0);
	int rc = cty_msgpack_encode_as(t, v, &b);
	if (rc != BASE_OK) {
		base_diags_addf(diags, BASE_SEV_ERROR, NULL, "Provider produced an invalid value",
		                "The value could not be encoded (%s). This is a bug in the provider.",
		                base_err_str(rc));
		goto done;
	}
	Tfplugin6__DynamicValue *dv = base_arena_calloc(a, 1, sizeof(*dv));
	tfplugin6__dynamic_value__init(dv);
	dv->msgpack.data = base_arena_memdup(a, b.data ? b.data : "", b.len);
	dv->msgpack.len = b.len;
	*out = dv;
done:
	base_buf_dispose(&b);
	return rc;
}

Tfplugin6__AttributePath *tf6__encode_path(base_arena *a, const base_path *p)
{
	Tfplugin6__AttributePath *ap = base_arena_calloc(a, 1, sizeof(*ap));
	tfplugin6__attribute_path__init(ap);
	ap->n_steps = p->len;
	ap->steps = base_arena_calloc(a, p->len + 1, sizeof(*ap->steps));
	for (size_t i = 0; i < p->len; i++) {
		Tfplugin6__AttributePath__Step *s = base_arena_calloc(a, 1, sizeof(*s));
		tfplugin6__attribute_path__step__init(s);
		const base_path_step *st = &p->steps[i];
		switch (st->kind) {
		case BASE_PATH_ATTR:
			s->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME;
			s->attribute_name = (char *)st->name;
			break;
		case BASE_PATH_KEY:
			s->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING;
			s->element_key_string = (char *)st->name;
			break;
		default:
			s->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT;
			s->element_key_int = st->index;
			break;
		}
		ap->steps[i] = s;
	}
	return ap;
}

Tfplugin6__Diagnostic **tf6__encode_diags(base_arena *a, const base_diags *d, size_t *n_out)
{
	size_t n = d ? base_diags_count(d) : 0;
	Tfplugin6__Diagnostic **arr = base_arena_calloc(a, n + 1, sizeof(*arr));
	size_t i = 0;
	for (const base_diag *g = d ? base_diags_first(d) : NULL; g && i < n; g = g->next) {
		Tfplugin6__Diagnostic *m = base_arena_calloc(a, 1, sizeof(*m));
		tfplugin6__diagnostic__init(m);
		m->severity = g->severity == BASE_SEV_WARNING ? TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING
		                                              : TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR;
		m->summary = (char *)(g->summary ? g->summary : "");
		m->detail = (char *)(g->detail ? g->detail : "");
		if (g->has_path && g->path.len > 0)
			m->attribute = tf6__encode_path(a, &g->path);
		arr[i++] = m;
	}
	*n_out = i;
	return arr;
}

/* ---- schema ------------------------------------------------------------ */

static Tfplugin6__Schema__Block *enc_block(base_arena *a, const tf6_block *b);

static char *str(const char *s)
{
	return (char *)(s ? s : "");
}

static Tfplugin6__Schema__Attribute *enc_attr(base_arena *a, const tf6_attribute *at)
{
	Tfplugin6__Schema__Attribute *m = base_arena_calloc(a, 1, sizeof(*m));
	tfplugin6__schema__attribute__init(m);
	m->name = str(at->name);
	if (at->nested) {
		Tfplugin6__Schema__Object *o = base_arena_calloc(a, 1, sizeof(*o));
		tfplugin6__schema__object__init(o);
		o->nesting = (Tfplugin6__Schema__Object__NestingMode)at->nested->nesting;
		o->n_attributes = at->nested->n_attrs;
		o->attributes = base_arena_calloc(a, o->n_attributes + 1, sizeof(*o->attributes));
		for (size_t i = 0; i < o->n_attributes; i++)
			o->attributes[i] = enc_attr(a, &at->nested->attrs[i]);
		m->nested_type = o;
	} else {
		m->type.data = (uint8_t *)at->type_json;
		m->type.len = strlen(at->type_json);
	}
	m->description = str(at->description);
	m->description_kind = TFPLUGIN6__STRING_KIND__MARKDOWN;
	m->required = at->required;
	m->optional = at->optional;
	m->computed = at->computed;
	m->sensitive = at->sensitive;
	m->deprecated = at->deprecated;
	m->write_only = at->write_only;
	return m;
}

static Tfplugin6__Schema__NestedBlock *enc_nested(base_arena *a, const tf6_nested_block *nb)
{
	Tfplugin6__Schema__NestedBlock *m = base_arena_calloc(a, 1, sizeof(*m));
	tfplugin6__schema__nested_block__init(m);
	m->type_name = str(nb->type_name);
	m->block = enc_block(a, &nb->block);
	m->nesting = (Tfplugin6__Schema__NestedBlock__NestingMode)nb->nesting;
	m->min_items = nb->min_items;
	m->max_items = nb->max_items;
	return m;
}

static Tfplugin6__Schema__Block *enc_block(base_arena *a, const tf6_block *b)
{
	Tfplugin6__Schema__Block *m = base_arena_calloc(a, 1, sizeof(*m));
	tfplugin6__schema__block__init(m);
	m->n_attributes = b->n_attrs;
	m->attributes = base_arena_calloc(a, b->n_attrs + 1, sizeof(*m->attributes));
	for (size_t i = 0; i < b->n_attrs; i++)
		m->attributes[i] = enc_attr(a, &b->attrs[i]);
	m->n_block_types = b->n_blocks;
	m->block_types = base_arena_calloc(a, b->n_blocks + 1, sizeof(*m->block_types));
	for (size_t i = 0; i < b->n_blocks; i++)
		m->block_types[i] = enc_nested(a, &b->blocks[i]);
	m->description = str(b->description);
	m->description_kind = TFPLUGIN6__STRING_KIND__MARKDOWN;
	m->deprecated = b->deprecated;
	return m;
}

Tfplugin6__Schema *tf6__encode_schema(base_arena *a, const tf6_schema *s)
{
	Tfplugin6__Schema *m = base_arena_calloc(a, 1, sizeof(*m));
	tfplugin6__schema__init(m);
	m->version = s ? s->version : 0;
	if (s) {
		m->block = enc_block(a, &s->block);
	} else {
		m->block = base_arena_calloc(a, 1, sizeof(*m->block));
		tfplugin6__schema__block__init(m->block);
	}
	return m;
}
