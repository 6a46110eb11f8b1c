/*
 * aws_error.c - one aws_error value from every AWS error shape (AWS.md 2.1).
 */
#include "aws/aws_error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/base_arena.h"
#include "aws/aws_json.h"
#include "aws/aws_xml.h"

/* Copies at most n bytes of s into dst[cap], trimming surrounding space. */
static void copy_trim(char *dst, size_t cap, const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void copy_str(char *dst, size_t cap, const char *s)
{
	if (s)
		copy_trim(dst, cap, s, strlen(s));
}

void aws_error_clear(aws_error *e)
{
	memset(e, 0, sizeof *e);
}

void aws_error_setf(aws_error *e, int http_status, const char *code, const char *fmt, ...)
{
	va_list ap;
	aws_error_clear(e);
	e->http_status = http_status;
	if (code)
		snprintf(e->code, sizeof e->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

bool aws_error_is(const aws_error *e, const char *code)
{
	return e && code && strcmp(e->code, code) == 0;
}

bool aws_error_is_not_found(const aws_error *e)
{
	static const char *const exact[] = {"NoSuchEntity", "ResourceNotFoundException", "ResourceNotFound"};
	size_t n;

	if (!e || !e->code[0])
		return false;
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (strcmp(e->code, exact[i]) == 0)
			return true;
	n = strlen(e->code);
	if (n > 9 && strcmp(e->code + n - 9, ".NotFound") == 0)
		return true;
	if (n > 17 && strcmp(e->code + n - 17, "NotFoundException") == 0)
		return true;
	return false;
}

/* Lambda's X-Amzn-ErrorType may be "Code:http://internal..." or carry a
 * "prefix#Code" shape (like __type): keep the text after the last '#' and
 * before the first ':'. */
static void set_code_clean(aws_error *e, const char *s)
{
	const char *hash, *colon;
	size_t n;

	if (!s || !*s)
		return;
	colon = strchr(s, ':');
	n = colon ? (size_t)(colon - s) : strlen(s);
	hash = memrchr(s, '#', n);
	if (hash) {
		n -= (size_t)(hash + 1 - s);
		s = hash + 1;
	}
	copy_trim(e->code, sizeof e->code, s, n);
}

static bool starts_with_ci(const char *s, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix);
	return len >= pl && strncasecmp(s, prefix, pl) == 0;
}

/* Finds the text between <tag ...> and </tag> (case-insensitive) in an HTML
 * page, tags stripped, into dst. Returns true if found and non-empty. */
static bool html_element_text(const char *body, size_t len, const char *tag, char *dst, size_t cap)
{
	char open[32], close[32];
	const char *p = NULL, *end;
	size_t ol, cl, k = 0;
	bool in_tag = false;

	ol = (size_t)snprintf(open, sizeof open, "<%s", tag);
	cl = (size_t)snprintf(close, sizeof close, "</%s", tag);
	for (size_t i = 0; i + ol <= len; i++) {
		if (strncasecmp(body + i, open, ol) == 0 &&
		    (i + ol == len || body[i + ol] == '>' || isspace((unsigned char)body[i + ol]))) {
			p = memchr(body + i, '>', len - i);
			break;
		}
	}
	if (!p)
		return false;
	p++;
	end = NULL;
	for (const char *q = p; q + cl <= body + len; q++) {
		if (strncasecmp(q, close, cl) == 0) {
			end = q;
			break;
		}
	}
	if (!end)
		end = body + len;
	/* strip nested tags and collapse whitespace */
	char tmp[1024];
	for (const char *q = p; q < end && k + 1 < sizeof tmp; q++) {
		if (*q == '<')
			in_tag = true;
		else if (*q == '>')
			in_tag = false;
		else if (!in_tag) {
			char ch = isspace((unsigned char)*q) ? ' ' : *q;
			if (ch == ' ' && (k == 0 || tmp[k - 1] == ' '))
				continue;
			tmp[k++] = ch;
		}
	}
	tmp[k] = '\0';
	copy_trim(dst, cap, tmp, k);
	return dst[0] != '\0';
}

static void parse_html(aws_error *e, const char *body, size_t len)
{
	char title[256] = "", para[700] = "";

	html_element_text(body, len, "title", title, sizeof title);
	if (!html_element_text(body, len, "p", para, sizeof para))
		html_element_text(body, len, "h1", para, sizeof para);
	if (title[0] && para[0])
		snprintf(e->message, sizeof e->message, "%s: %s", title, para);
	else
		snprintf(e->message, sizeof e->message, "%s", title[0] ? title : para);
	if (!e->code[0])
		copy_str(e->code, sizeof e->code, e->http_status >= 500 ? "InternalError" : "");
}

/* EC2 <Response><Errors><Error>, IAM/STS <ErrorResponse><Error>, moto's
 * auth failures <ErrorResponse><Errors><Error>: the first <Error> element
 * anywhere holds Code and Message; RequestID/RequestId anywhere. */
static bool parse_xml(aws_error *e, base_arena *a, const char *body, size_t len)
{
	const aws_xml_node *root = NULL, *err;
	const char *t;

	if (aws_xml_parse(a, body, len, &root) != BASE_OK)
		return false;
	if (aws_xml_is(root, "html") || aws_xml_is(root, "HTML"))
		return false;
	err = aws_xml_find(root, "Error");
	if (err) {
		if (!e->code[0])
			copy_str(e->code, sizeof e->code, aws_xml_text(aws_xml_child(err, "Code")));
		t = aws_xml_text(aws_xml_child(err, "Message"));
		if (!t)
			t = aws_xml_text(aws_xml_child(err, "message"));
		copy_str(e->message, sizeof e->message, t);
	}
	if (!e->request_id[0]) {
		t = aws_xml_text(aws_xml_find(root, "RequestID"));
		if (!t)
			t = aws_xml_text(aws_xml_find(root, "RequestId"));
		copy_str(e->request_id, sizeof e->request_id, t);
	}
	return err != NULL;
}

static bool parse_json(aws_error *e, base_arena *a, const char *body, size_t len)
{
	const aws_json *root = NULL;
	const char *t;

	if (aws_json_parse(a, body, len, &root) != BASE_OK || aws_json_kind_of(root) != AWS_JSON_OBJECT)
		return false;
	if (!e->code[0]) {
		t = aws_json_str(aws_json_get(root, "__type"));
		if (!t)
			t = aws_json_str(aws_json_get(root, "code"));
		if (!t)
			t = aws_json_str(aws_json_get(root, "Code"));
		set_code_clean(e, t);
	}
	t = aws_json_str(aws_json_get(root, "message"));
	if (!t)
		t = aws_json_str(aws_json_get(root, "Message"));
	if (!t)
		t = aws_json_str(aws_json_get(root, "errorMessage"));
	copy_str(e->message, sizeof e->message, t);
	if (!e->message[0]) {
		t = aws_json_str(aws_json_get(root, "Reason"));
		copy_str(e->message, sizeof e->message, t);
	}
	return true;
}

void aws_error_parse(aws_error *e, int http_status, const char *content_type, const char *amzn_error_type,
                     const char *request_id_hdr, const char *body, size_t len)
{
	base_arena *a = NULL;
	const char *p = body;
	size_t n = body ? len : 0;
	bool parsed = false;

	aws_error_clear(e);
	e->http_status = http_status;
	copy_str(e->request_id, sizeof e->request_id, request_id_hdr);
	set_code_clean(e, amzn_error_type);

	while (n > 0 && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	/* skip a UTF-8 BOM */
	if (n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
	    (unsigned char)p[2] == 0xBF) {
		p += 3;
		n -= 3;
	}
	if (n == 0)
		goto fallback;

	a = base_arena_new();
	bool html = starts_with_ci(p, n, "<!doctype html") || starts_with_ci(p, n, "<html") ||
	            (content_type && strncasecmp(content_type, "text/html", 9) == 0);
	if (html) {
		parse_html(e, p, n);
		parsed = true;
	} else if (p[0] == '<') {
		parsed = parse_xml(e, a, p, n);
	} else if (p[0] == '{') {
		parsed = parse_json(e, a, p, n);
	}
	if (!parsed && !e->message[0]) {
		/* unknown shape: keep the start of the body as the message */
		copy_trim(e->message, sizeof e->message > 256 ? 256 : sizeof e->message, p, n);
	}
fallback:
	if (!e->code[0])
		snprintf(e->code, sizeof e->code, "HTTP%d", http_status);
	if (!e->message[0])
		snprintf(e->message, sizeof e->message, "HTTP status %d", http_status);
	base_arena_free(a);
}
