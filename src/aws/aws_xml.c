/*
 * aws_xml.c - the only file that includes libxml2 (STYLE C8).
 *
 * libxml2 parses the body into its own DOM, which we immediately copy into a
 * minimal arena tree (local name, direct text, children) and free. Callers
 * then never deal with libxml2 ownership or namespaces. libxml2 is loaded
 * with dlopen on the first parse or AWS call, never at exec (aws_dl.h).
 */
#include "aws/aws_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aws/aws_dl.h"
#include "aws/aws_int.h"
#include "base/base_buf.h"
#include "base/base_log.h"
#include "base/base_str.h"

/* Deeper documents are rejected: AWS responses nest < 10 levels. */
#define XML_MAX_DEPTH 128

struct aws_xml_node {
	const char *name;
	const char *text;
	aws_xml_node *first_child;
	aws_xml_node *next;
};

/* The libxml2 functions we call, filled by aws_dl_open on first use (the
 * library is not linked: aws_dl.h). */
struct xml_api {
	void (*init_parser)(void);
	xmlDocPtr (*read_memory)(const char *buf, int size, const char *url, const char *enc, int opts);
	xmlNodePtr (*root_element)(const xmlDoc *doc);
	void (*free_doc)(xmlDocPtr doc);
	void (*set_structured_error)(void *ctx, xmlStructuredErrorFunc f);
	void (*set_generic_error)(void *ctx, xmlGenericErrorFunc f);
};

#define XML_SYM(field, name)                                                                                 \
	{                                                                                                    \
		name, offsetof(struct xml_api, field)                                                        \
	}
static const aws_dl_sym xml_syms[] = {
        XML_SYM(init_parser, "xmlInitParser"),
        XML_SYM(read_memory, "xmlReadMemory"),
        XML_SYM(root_element, "xmlDocGetRootElement"),
        XML_SYM(free_doc, "xmlFreeDoc"),
        XML_SYM(set_structured_error, "xmlSetStructuredErrorFunc"),
        XML_SYM(set_generic_error, "xmlSetGenericErrorFunc"),
};

/* libxml2's lazy initialisation is not thread-safe (2.9.x): load and
 * initialise it exactly once (STYLE C12(a)); read-only afterwards. */
static struct xml_api X;
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static char xml_err[200]; /* "" once loaded */

static void xml_init_once(void)
{
	if (aws_dl_open(AWS_DL_SONAME_XML, xml_syms, sizeof xml_syms / sizeof xml_syms[0], &X, xml_err,
	                sizeof xml_err) == BASE_OK)
		X.init_parser();
}

void aws_xml_global_init(void)
{
	(void)pthread_once(&xml_once, xml_init_once);
}

const char *aws__xml_load(void)
{
	aws_xml_global_init();
	return xml_err[0] ? xml_err : NULL;
}

/* libxml2 reports some errors (encoding conversion, I/O) straight to
 * stderr even with XML_PARSE_NOERROR; stderr is Terraform's hclog pipe, so
 * raw lines there are noise at best. Both handlers are per-thread in
 * libxml2 and are installed before every parse; messages go to our log as
 * DEBUG lines (the parse failure itself is reported by the caller). */
static void xml_structured_error(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	if (!e || !base_log_enabled(BASE_LOG_DEBUG))
		return;
	size_t n = e->message ? strlen(e->message) : 0;
	while (n > 0 && (e->message[n - 1] == '\n' || e->message[n - 1] == '\r'))
		n--;
	base_log(BASE_LOG_DEBUG, "aws", "XML parser: %.*s (domain %d, code %d, line %d)", (int)n,
	         e->message ? e->message : "", e->domain, e->code, e->line);
}

static void xml_generic_error(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void xml_generic_error(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	if (!base_log_enabled(BASE_LOG_DEBUG))
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n >= sizeof line ? sizeof line - 1 : (size_t)n;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > 0)
		base_log(BASE_LOG_DEBUG, "aws", "XML parser: %.*s", (int)len, line);
}

static void capture_errors(void)
{
	X.set_structured_error(NULL, xml_structured_error);
	X.set_generic_error(NULL, xml_generic_error);
}

/* Copies element `src` (and its element subtree) into the arena. */
static int copy_element(base_arena *a, const xmlNode *src, int depth, aws_xml_node **out)
{
	int rc = BASE_OK;
	base_buf text;
	aws_xml_node *n = base_arena_calloc(a, 1, sizeof *n);
	aws_xml_node **tail = &n->first_child;

	base_buf_init(&text, 0);
	if (depth > XML_MAX_DEPTH) {
		rc = BASE_EINVALID;
		goto done;
	}
	n->name = base_arena_strdup(a, (const char *)src->name);
	for (const xmlNode *ch = src->children; ch; ch = ch->next) {
		if (ch->type == XML_ELEMENT_NODE) {
			aws_xml_node *child = NULL;
			if ((rc = copy_element(a, ch, depth + 1, &child)) != BASE_OK)
				goto done;
			*tail = child;
			tail = &child->next;
		} else if ((ch->type == XML_TEXT_NODE || ch->type == XML_CDATA_SECTION_NODE) && ch->content) {
			if ((rc = base_buf_puts(&text, (const char *)ch->content)) != BASE_OK)
				goto done;
		}
	}
	n->text = base_arena_strndup(a, base_buf_cstr(&text), text.len);
	*out = n;
done:
	base_buf_dispose(&text);
	return rc;
}

int aws_xml_parse(base_arena *a, const char *body, size_t len, const aws_xml_node **root_out)
{
	int rc = BASE_EINVALID;
	xmlDoc *doc = NULL;
	aws_xml_node *root = NULL;

	*root_out = NULL;
	if (aws__xml_load() != NULL)
		return BASE_EIO;
	capture_errors();
	if (!body || len == 0 || len > (size_t)0x7fffffff)
		goto done;
	/* NONET: never fetch anything; no NOENT/DTDLOAD: no entity expansion
	 * from external sources. Errors are reported by return value only (and
	 * logged by the handlers above, never written to stderr). */
	doc = X.read_memory(body, (int)len, NULL, NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!doc)
		goto done;
	const xmlNode *el = X.root_element(doc);
	if (!el)
		goto done;
	if ((rc = copy_element(a, el, 0, &root)) != BASE_OK)
		goto done;
	*root_out = root;
	rc = BASE_OK;
done:
	if (doc)
		X.free_doc(doc);
	return rc;
}

const char *aws_xml_name(const aws_xml_node *n)
{
	return n ? n->name : NULL;
}

bool aws_xml_is(const aws_xml_node *n, const char *name)
{
	return n && name && strcmp(n->name, name) == 0;
}

const char *aws_xml_text(const aws_xml_node *n)
{
	return n ? n->text : NULL;
}

static const aws_xml_node *first_from(const aws_xml_node *n, const char *name)
{
	for (; n; n = n->next)
		if (!name || strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

const aws_xml_node *aws_xml_child(const aws_xml_node *n, const char *name)
{
	return n ? first_from(n->first_child, name) : NULL;
}

const aws_xml_node *aws_xml_next(const aws_xml_node *n, const char *name)
{
	return n ? first_from(n->next, name) : NULL;
}

const aws_xml_node *aws_xml_find(const aws_xml_node *n, const char *name)
{
	if (!n)
		return NULL;
	if (!name || strcmp(n->name, name) == 0)
		return n;
	for (const aws_xml_node *ch = n->first_child; ch; ch = ch->next) {
		const aws_xml_node *hit = aws_xml_find(ch, name);
		if (hit)
			return hit;
	}
	return NULL;
}

const aws_xml_node *aws_xml_path(const aws_xml_node *n, const char *path)
{
	char step[128];
	const char *p = path;

	while (n && p && *p) {
		if (!aws__path_next(&p, step, sizeof step))
			return NULL;
		n = aws_xml_child(n, step);
	}
	return n;
}

const char *aws_xml_path_text(const aws_xml_node *n, const char *path)
{
	return aws_xml_text(aws_xml_path(n, path));
}

size_t aws_xml_count(const aws_xml_node *n, const char *name)
{
	size_t k = 0;
	for (const aws_xml_node *it = aws_xml_child(n, name); it; it = aws_xml_next(it, name))
		k++;
	return k;
}

bool aws_xml_path_bool(const aws_xml_node *n, const char *path, bool dflt, bool *out)
{
	const char *t = aws_xml_path_text(n, path);
	*out = dflt;
	if (!t)
		return false;
	if (strcmp(t, "true") == 0) {
		*out = true;
		return true;
	}
	if (strcmp(t, "false") == 0) {
		*out = false;
		return true;
	}
	return false;
}

bool aws_xml_path_int(const aws_xml_node *n, const char *path, int64_t dflt, int64_t *out)
{
	const char *t = aws_xml_path_text(n, path);
	int64_t v;
	*out = dflt;
	if (!t || base_str_to_i64(t, &v) != BASE_OK)
		return false;
	*out = v;
	return true;
}
