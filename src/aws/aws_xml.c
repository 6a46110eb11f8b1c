/*
 * aws_xml.c - the XML reader for AWS query/EC2 replies (EC2, IAM, STS).
 *
 * A small non-validating parser of our own, building the arena tree
 * directly (local name, direct text, children). It replaced libxml2, whose
 * DOM of a 150-subnet DescribeSubnets reply took ~3 MB while a reply was
 * copied out of it, and which (with ICU and libstdc++) mapped ~2.6 MiB of
 * file pages into every process that made an AWS call (issue 13).
 *
 * What it accepts is XML 1.0 as AWS and moto write it: UTF-8 only (an
 * optional BOM; an XML declaration naming another encoding is refused),
 * elements with attributes (read for syntax, then dropped: names are
 * compared by local name, so namespaces do not matter), character data with
 * the five predefined entities and character references, CDATA sections,
 * comments and processing instructions. A DOCTYPE is refused outright, so
 * no entity is ever defined, expanded or fetched. Everything else that is
 * not well-formed (mismatched or unclosed tags, bytes that are not UTF-8,
 * characters XML forbids, text outside the root) is BASE_EINVALID, and the
 * reason, with its byte offset, goes to the log at DEBUG, never to stderr.
 *
 * Pure: no globals, no I/O besides that log line; thread-safe on distinct
 * arenas.
 */
#include "aws/aws_xml.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

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

/* An element whose end tag is still to come. */
struct open_el {
	aws_xml_node *node;
	aws_xml_node **tail; /* where its next child goes */
	const char *qname;   /* the start tag's name, prefix included */
	size_t qlen;
	size_t text_start; /* its text so far is text[text_start..] */
};

struct parser {
	base_arena *a;     /* elements and names */
	base_arena *texts; /* element texts */
	const char *s, *p, *end;
	const char *why; /* the first error, static text */
	/* The text of every open element, innermost last: a closing element
	 * takes its segment off the end, so its parent's text stays contiguous. */
	base_buf text;
	struct open_el open[XML_MAX_DEPTH];
	int depth;
};

static bool fail(struct parser *x, const char *why)
{
	if (!x->why)
		x->why = why;
	return false;
}

/* ------------------------------------------------------------------ */
/* characters                                                           */

/* True for a code point XML 1.0 allows in a document (production Char). */
static bool xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Decodes one UTF-8 sequence at s[0..n) (n >= 1): its code point in *c and
 * its length, or 0 when the bytes are not shortest-form UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *c)
{
	size_t len, i;
	uint32_t v, min;
	if (s[0] < 0x80) {
		*c = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2, v = s[0] & 0x1F, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3, v = s[0] & 0x0F, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4, v = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*c = v;
	return len;
}

/* Checks the whole body once: UTF-8, and only characters XML allows. The
 * parser below then only looks at ASCII bytes for structure and treats
 * every byte >= 0x80 as part of a name or of text. */
static bool check_chars(struct parser *x)
{
	const unsigned char *s = (const unsigned char *)x->s, *e = (const unsigned char *)x->end;
	while (s < e) {
		uint32_t c;
		size_t n;
		if (*s >= 0x20 && *s < 0x80) { /* the common case */
			s++;
			continue;
		}
		n = utf8_decode(s, (size_t)(e - s), &c);
		if (n == 0) {
			x->p = (const char *)s;
			return fail(x, "bytes that are not UTF-8");
		}
		if (!xml_char(c)) {
			x->p = (const char *)s;
			return fail(x, "a character XML does not allow");
		}
		s += n;
	}
	return true;
}

static void utf8_encode(uint32_t c, char *out, size_t *n)
{
	if (c < 0x80) {
		out[0] = (char)c, *n = 1;
	} else if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6)), out[1] = (char)(0x80 | (c & 0x3F)), *n = 2;
	} else if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12)), out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F)), *n = 3;
	} else {
		out[0] = (char)(0xF0 | (c >> 18)), out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((c >> 6) & 0x3F)), out[3] = (char)(0x80 | (c & 0x3F)), *n = 4;
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (unsigned char)c >= 0x80;
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static void skip_space(struct parser *x)
{
	while (x->p < x->end && is_space(*x->p))
		x->p++;
}

/* True (and moves past it) when the input continues with lit. */
static bool take(struct parser *x, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(x->end - x->p) < n || memcmp(x->p, lit, n) != 0)
		return false;
	x->p += n;
	return true;
}

/* Moves past the next occurrence of lit; false (and an error) without one. */
static bool skip_past(struct parser *x, const char *lit, const char *why)
{
	size_t n = strlen(lit);
	const char *hit = x->p < x->end ? memmem(x->p, (size_t)(x->end - x->p), lit, n) : NULL;
	if (!hit) {
		x->p = x->end;
		return fail(x, why);
	}
	x->p = hit + n;
	return true;
}

/* A name at x->p: its start and length; false when there is none. */
static bool read_name(struct parser *x, const char **name, size_t *len)
{
	const char *s = x->p;
	if (x->p >= x->end || !name_start(*x->p))
		return fail(x, "a name was expected");
	while (x->p < x->end && name_char(*x->p))
		x->p++;
	*name = s;
	*len = (size_t)(x->p - s);
	return true;
}

/* ------------------------------------------------------------------ */
/* text                                                                 */

/* Appends raw character data, with XML's end-of-line handling: CR LF and a
 * lone CR both become LF. */
static bool put_raw(struct parser *x, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *cr = memchr(s + i, '\r', n - i);
		size_t run = cr ? (size_t)(cr - (s + i)) : n - i;
		if (base_buf_append(&x->text, s + i, run) != BASE_OK)
			return fail(x, "out of memory");
		i += run;
		if (cr) {
			if (base_buf_putc(&x->text, '\n') != BASE_OK)
				return fail(x, "out of memory");
			i++;
			if (i < n && s[i] == '\n')
				i++;
		}
	}
	return true;
}

/* Decodes the reference at x->p (just past '&') into out: a predefined
 * entity or a character reference. */
static bool read_reference(struct parser *x, char out[4], size_t *n)
{
	static const struct {
		const char *name;
		char c;
	} predefined[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
	uint32_t c = 0;
	size_t i, digits = 0;

	for (i = 0; i < sizeof predefined / sizeof predefined[0]; i++) {
		if (take(x, predefined[i].name)) {
			out[0] = predefined[i].c;
			*n = 1;
			return true;
		}
	}
	if (!take(x, "#"))
		return fail(x, "an entity that is not one of XML's five");
	bool hex = take(x, "x");
	for (; x->p < x->end && *x->p != ';'; x->p++, digits++) {
		char d = *x->p;
		uint32_t v;
		if (d >= '0' && d <= '9')
			v = (uint32_t)(d - '0');
		else if (hex && d >= 'a' && d <= 'f')
			v = (uint32_t)(d - 'a' + 10);
		else if (hex && d >= 'A' && d <= 'F')
			v = (uint32_t)(d - 'A' + 10);
		else
			return fail(x, "a malformed character reference");
		c = c * (hex ? 16 : 10) + v;
		if (c > 0x10FFFF)
			return fail(x, "a character reference out of range");
	}
	if (digits == 0 || !take(x, ";") || !xml_char(c))
		return fail(x, "a malformed character reference");
	utf8_encode(c, out, n);
	return true;
}

/* Character data up to the next '<' (or the end), into the text buffer. */
static bool read_chars(struct parser *x)
{
	while (x->p < x->end && *x->p != '<') {
		const char *s = x->p;
		while (x->p < x->end && *x->p != '<' && *x->p != '&')
			x->p++;
		if (x->p - s >= 3 && memmem(s, (size_t)(x->p - s), "]]>", 3))
			return fail(x, "']]>' in character data");
		if (!put_raw(x, s, (size_t)(x->p - s)))
			return false;
		if (x->p < x->end && *x->p == '&') {
			char ref[4];
			size_t n;
			x->p++;
			if (!read_reference(x, ref, &n))
				return false;
			if (base_buf_append(&x->text, ref, n) != BASE_OK)
				return fail(x, "out of memory");
		}
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* markup                                                               */

/* One attribute value, quoted; references are checked, the value dropped. */
static bool read_attr_value(struct parser *x)
{
	char q;
	if (x->p >= x->end || (*x->p != '"' && *x->p != '\''))
		return fail(x, "an attribute value must be quoted");
	q = *x->p++;
	while (x->p < x->end && *x->p != q) {
		if (*x->p == '<')
			return fail(x, "'<' in an attribute value");
		if (*x->p == '&') {
			char ref[4];
			size_t n;
			x->p++;
			if (!read_reference(x, ref, &n))
				return false;
			continue;
		}
		x->p++;
	}
	if (x->p >= x->end)
		return fail(x, "an unterminated attribute value");
	x->p++;
	return true;
}

/* The rest of a start tag after its name: attributes, then '>' or '/>'. */
static bool read_tag_rest(struct parser *x, bool *empty)
{
	for (;;) {
		const char *before = x->p, *name;
		size_t len;
		skip_space(x);
		if (take(x, "/>")) {
			*empty = true;
			return true;
		}
		if (take(x, ">")) {
			*empty = false;
			return true;
		}
		if (x->p == before)
			return fail(x, "a malformed start tag");
		if (!read_name(x, &name, &len))
			return false;
		skip_space(x);
		if (!take(x, "="))
			return fail(x, "an attribute without a value");
		skip_space(x);
		if (!read_attr_value(x))
			return false;
	}
}

/* Comments, processing instructions (the XML declaration included) and
 * white space, as allowed before and after the root element. Stops at the
 * first '<' that starts anything else. */
static bool read_misc(struct parser *x)
{
	for (;;) {
		skip_space(x);
		if (take(x, "<!--")) {
			if (!skip_past(x, "-->", "an unterminated comment"))
				return false;
		} else if (take(x, "<?")) {
			const char *s = x->p;
			if (!skip_past(x, "?>", "an unterminated processing instruction"))
				return false;
			/* <?xml ... encoding="..."?>: only UTF-8 (or its ASCII subset) */
			if (x->p - s > 4 && memcmp(s, "xml", 3) == 0 && is_space(s[3])) {
				const char *enc = memmem(s, (size_t)(x->p - s), "encoding", 8);
				if (enc) {
					enc += 8;
					while (enc < x->p &&
					       (is_space(*enc) || *enc == '=' || *enc == '"' || *enc == '\''))
						enc++;
					if (strncasecmp(enc, "utf-8", 5) != 0 &&
					    strncasecmp(enc, "us-ascii", 8) != 0)
						return fail(x, "an encoding other than UTF-8");
				}
			}
		} else if (take(x, "<!")) {
			return fail(x, "a DOCTYPE or other declaration (refused)");
		} else {
			return true;
		}
	}
}

/* A start tag at x->p (just past '<'): the new element, opened unless it is
 * empty. */
static bool open_element(struct parser *x)
{
	const char *qname, *local;
	size_t qlen, i;
	bool empty = false;
	aws_xml_node *n;

	if (!read_name(x, &qname, &qlen) || !read_tag_rest(x, &empty))
		return false;
	local = qname;
	for (i = 0; i < qlen; i++)
		if (qname[i] == ':')
			local = qname + i + 1;
	n = base_arena_calloc(x->a, 1, sizeof *n);
	n->name = base_arena_strndup(x->a, local, (size_t)(qname + qlen - local));
	n->text = "";
	if (x->depth > 0) {
		struct open_el *parent = &x->open[x->depth - 1];
		*parent->tail = n;
		parent->tail = &n->next;
	}
	if (empty) {
		if (x->depth == 0)
			x->open[0].node = n; /* an empty root: the document is done */
		return true;
	}
	if (x->depth >= XML_MAX_DEPTH)
		return fail(x, "elements nested too deep");
	x->open[x->depth++] = (struct open_el){n, &n->first_child, qname, qlen, x->text.len};
	return true;
}

/* An end tag at x->p (just past '</'): closes the innermost element. */
static bool close_element(struct parser *x)
{
	struct open_el *o = &x->open[x->depth - 1];
	const char *name;
	size_t len;
	if (!read_name(x, &name, &len))
		return false;
	if (len != o->qlen || memcmp(name, o->qname, len) != 0)
		return fail(x, "an end tag that does not match its start tag");
	skip_space(x);
	if (!take(x, ">"))
		return fail(x, "a malformed end tag");
	if (x->text.len > o->text_start) {
		o->node->text = base_arena_strndup(x->texts, x->text.data + o->text_start,
		                                   x->text.len - o->text_start);
		x->text.len = o->text_start;
	}
	x->depth--;
	return true;
}

/* The root element and everything inside it. */
static bool read_element_tree(struct parser *x)
{
	x->open[0].node = NULL;
	if (!open_element(x))
		return false;
	while (x->depth > 0) {
		if (x->p >= x->end)
			return fail(x, "the document ends inside an element");
		if (*x->p != '<') {
			if (!read_chars(x))
				return false;
		} else if (take(x, "</")) {
			if (!close_element(x)) /* the root's entry stays in open[0] */
				return false;
		} else if (take(x, "<!--")) {
			if (!skip_past(x, "-->", "an unterminated comment"))
				return false;
		} else if (take(x, "<![CDATA[")) {
			const char *s = x->p;
			if (!skip_past(x, "]]>", "an unterminated CDATA section") ||
			    !put_raw(x, s, (size_t)(x->p - 3 - s)))
				return false;
		} else if (take(x, "<?")) {
			if (!skip_past(x, "?>", "an unterminated processing instruction"))
				return false;
		} else if (take(x, "<!")) {
			return fail(x, "a declaration inside an element");
		} else {
			x->p++; /* '<' */
			if (!open_element(x))
				return false;
		}
	}
	return true;
}

int aws_xml_parse(base_arena *a, const char *body, size_t len, const aws_xml_node **root_out)
{
	return aws_xml_parse_split(a, a, body, len, root_out);
}

int aws_xml_parse_split(base_arena *nodes, base_arena *texts, const char *body, size_t len,
                        const aws_xml_node **root_out)
{
	struct parser x;

	*root_out = NULL;
	memset(&x, 0, sizeof x);
	x.a = nodes;
	x.texts = texts;
	x.s = x.p = body;
	x.end = body ? body + len : body;
	base_buf_init(&x.text, 0);
	if (!body || len == 0) {
		fail(&x, "an empty document");
	} else if (len >= 2 &&
	           ((body[0] == '\xFE' && body[1] == '\xFF') || (body[0] == '\xFF' && body[1] == '\xFE'))) {
		fail(&x, "UTF-16 (only UTF-8 is read)");
	} else if (check_chars(&x)) {
		take(&x, "\xEF\xBB\xBF"); /* a UTF-8 byte order mark */
		if (read_misc(&x)) {
			if (!take(&x, "<"))
				fail(&x, "no root element");
			else if (read_element_tree(&x) && read_misc(&x) && x.p < x.end)
				fail(&x, "content after the root element");
		}
	}
	base_buf_dispose(&x.text);
	if (x.why) {
		BASE_DEBUG("aws", "XML parser: %s at byte %zu of %zu", x.why, (size_t)(x.p - x.s), len);
		return BASE_EINVALID;
	}
	*root_out = x.open[0].node;
	return BASE_OK;
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
