/*
 * aws_query.c - form-body encoding for the EC2 and AWS query protocols.
 *
 * Errors are sticky in q->err so that request builders can append a long
 * list of parameters and check once with aws_query_done().
 */
#include "aws/aws_query.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/base_alloc.h"
#include "base/base_str.h"

/* ---------------------------------------------------------------------- */
/* percent-encoding                                                        */
/* ---------------------------------------------------------------------- */

static bool is_unreserved(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_' || ch == '.' || ch == '~';
}

int aws_query_encode(base_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = BASE_OK;
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (is_unreserved(ch))
			continue;
		/* flush the verbatim run, then the escape */
		if (i > start && (rc = base_buf_append(out, s + start, i - start)) != BASE_OK)
			goto done;
		char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};
		if ((rc = base_buf_append(out, esc, 3)) != BASE_OK)
			goto done;
		start = i + 1;
	}
	if (n > start)
		rc = base_buf_append(out, s + start, n - start);
done:
	return rc;
}

int aws_query_decode(base_buf *out, const char *s, size_t n, bool plus_is_space)
{
	int rc = BASE_OK;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '%') {
			if (n - i < 3 || base_hexval(s[i + 1]) < 0 || base_hexval(s[i + 2]) < 0) {
				rc = BASE_EINVALID;
				goto done;
			}
			ch = (char)(base_hexval(s[i + 1]) * 16 + base_hexval(s[i + 2]));
			i += 2;
		} else if (ch == '+' && plus_is_space) {
			ch = ' ';
		}
		if ((rc = base_buf_putc(out, ch)) != BASE_OK)
			goto done;
	}
done:
	return rc;
}

/* ---------------------------------------------------------------------- */
/* builder                                                                 */
/* ---------------------------------------------------------------------- */

void aws_query_init(aws_query *q, const char *action, const char *version)
{
	base_buf_init(&q->buf, AWS_QUERY_MAX_BODY);
	q->err = BASE_OK;
	aws_query_add(q, "Action", action);
	aws_query_add(q, "Version", version);
}

void aws_query_dispose(aws_query *q)
{
	if (q)
		base_buf_dispose(&q->buf);
}

int aws_query_done(const aws_query *q)
{
	return q->err;
}

const char *aws_query_body(const aws_query *q, size_t *len_out)
{
	if (len_out)
		*len_out = q->buf.len;
	return base_buf_cstr(&q->buf);
}

void aws_query_add(aws_query *q, const char *key, const char *value)
{
	if (!value || q->err != BASE_OK)
		return;
	/* on failure the body is cut back to `mark`, so it stays well-formed */
	size_t mark = q->buf.len;
	int rc = BASE_OK;
	if (mark > 0 && (rc = base_buf_putc(&q->buf, '&')) != BASE_OK)
		goto done;
	if ((rc = aws_query_encode(&q->buf, key, strlen(key))) != BASE_OK)
		goto done;
	if ((rc = base_buf_putc(&q->buf, '=')) != BASE_OK)
		goto done;
	rc = aws_query_encode(&q->buf, value, strlen(value));
done:
	if (rc != BASE_OK) {
		q->buf.len = mark;
		if (q->buf.data)
			q->buf.data[mark] = '\0';
		q->err = rc;
	}
}

void aws_query_addf(aws_query *q, const char *value, const char *key_fmt, ...)
{
	char key[256];
	va_list ap;
	if (!value)
		return;
	va_start(ap, key_fmt);
	int n = vsnprintf(key, sizeof key, key_fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof key) {
		q->err = BASE_EINVALID;
		return;
	}
	aws_query_add(q, key, value);
}

void aws_query_add_int(aws_query *q, const char *key, int64_t v)
{
	char num[32];
	snprintf(num, sizeof num, "%" PRId64, v);
	aws_query_add(q, key, num);
}

void aws_query_add_bool(aws_query *q, const char *key, bool v)
{
	aws_query_add(q, key, v ? "true" : "false");
}

void aws_query_add_list(aws_query *q, const char *prefix, aws_strs vals)
{
	for (size_t i = 0; i < vals.n; i++)
		aws_query_addf(q, vals.v[i], "%s.%zu", prefix, i + 1);
}

void aws_query_add_tags(aws_query *q, const char *prefix, aws_tags tags)
{
	for (size_t i = 0; i < tags.n; i++) {
		aws_query_addf(q, tags.v[i].key, "%s.%zu.Key", prefix, i + 1);
		aws_query_addf(q, tags.v[i].value, "%s.%zu.Value", prefix, i + 1);
	}
}

void aws_query_add_filters(aws_query *q, aws_filters filters)
{
	for (size_t i = 0; i < filters.n; i++) {
		aws_query_addf(q, filters.v[i].name, "Filter.%zu.Name", i + 1);
		for (size_t j = 0; j < filters.v[i].values.n; j++)
			aws_query_addf(q, filters.v[i].values.v[j], "Filter.%zu.Value.%zu", i + 1, j + 1);
	}
}

void aws_query_add_tag_spec(aws_query *q, int idx, const char *resource_type, aws_tags tags)
{
	char prefix[64];
	if (tags.n == 0)
		return;
	snprintf(prefix, sizeof prefix, "TagSpecification.%d", idx);
	aws_query_addf(q, resource_type, "%s.ResourceType", prefix);
	for (size_t i = 0; i < tags.n; i++) {
		aws_query_addf(q, tags.v[i].key, "%s.Tag.%zu.Key", prefix, i + 1);
		aws_query_addf(q, tags.v[i].value ? tags.v[i].value : "", "%s.Tag.%zu.Value", prefix, i + 1);
	}
}
