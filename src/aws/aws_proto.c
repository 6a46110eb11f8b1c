/*
 * aws_proto.c - the request/response plumbing shared by the typed
 * operations: query-protocol calls, EC2 pagination, REST-JSON calls, and
 * small XML/JSON list readers.
 */
#include "aws/aws_proto_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws_ec2.h"
#include "aws/aws_int.h"
#include "base/base_buf.h"

int aws__invalid_response(aws_error *err, const char *op, const char *what)
{
	aws_error_setf(err, 0, "InvalidResponse", "%s: unexpected response: %s", op, what);
	return BASE_EINVALID;
}

static int map_rc(int rc, const aws_error *err)
{
	if (rc == BASE_EAWS && aws_error_is_not_found(err))
		return BASE_ENOTFOUND;
	return rc;
}

/* Sends the form body of q and leaves the 2xx reply in *resp (the caller
 * disposes it). Errors as aws__query_call. */
static int query_send(aws_client *c, aws_service svc, const char *op, const aws_query *q, bool not_idempotent,
                      aws_response *resp, aws_error *err)
{
	int rc;
	size_t len = 0;
	aws_request req;
	const char *body;

	aws_error_clear(err);
	if ((rc = aws_query_done(q)) != BASE_OK) {
		aws_error_setf(err, 0, "RequestTooLarge", "%s: request body exceeds %u bytes", op,
		               AWS_QUERY_MAX_BODY);
		return rc;
	}
	body = aws_query_body(q, &len);
	aws__form_request(&req, svc, op, body, len);
	req.not_idempotent = not_idempotent;
	rc = aws_client_send(c, &req, resp, err);
	if (rc != BASE_OK)
		return map_rc(rc, err);
	aws_error_clear(err);
	return BASE_OK;
}

/* resp's body as XML: elements in nodes, texts in texts. */
static int parse_reply(const aws_response *resp, base_arena *nodes, base_arena *texts, const char *op,
                       const aws_xml_node **root_out, aws_error *err)
{
	if (aws_xml_parse_split(nodes, texts, resp->body.data, resp->body.len, root_out) != BASE_OK)
		return aws__invalid_response(err, op, "body is not XML");
	return BASE_OK;
}

int aws__query_call(aws_client *c, base_arena *a, aws_service svc, const char *op, const aws_query *q,
                    bool not_idempotent, const aws_xml_node **root_out, aws_error *err)
{
	aws_response resp;
	int rc;
	if (root_out)
		*root_out = NULL;
	aws_response_init(&resp);
	rc = query_send(c, svc, op, q, not_idempotent, &resp, err);
	if (rc == BASE_OK && root_out)
		rc = parse_reply(&resp, a, a, op, root_out, err);
	aws_response_dispose(&resp);
	return rc;
}

int aws__ec2_call(aws_client *c, base_arena *a, const char *op, aws_query *q, bool not_idempotent,
                  const aws_xml_node **root_out, aws_error *err)
{
	int rc = aws__query_call(c, a, AWS_SVC_EC2, op, q, not_idempotent, root_out, err);
	aws_query_dispose(q);
	return rc;
}

int aws__ec2_call_text(aws_client *c, base_arena *a, const char *op, aws_query *q, bool not_idempotent,
                       const char *field, const char **text_out, aws_error *err)
{
	const aws_xml_node *root = NULL;
	char what[96];
	int rc;

	*text_out = NULL;
	rc = aws__ec2_call(c, a, op, q, not_idempotent, &root, err);
	if (rc != BASE_OK)
		return rc;
	*text_out = aws_xml_path_text(root, field);
	if (*text_out)
		return BASE_OK;
	snprintf(what, sizeof what, "%s missing", field);
	return aws__invalid_response(err, op, what);
}

void aws__xml_collect(base_arena *a, const aws_xml_node *set, const char *item_name,
                      const aws_xml_node ***items, size_t *n, size_t *cap)
{
	for (const aws_xml_node *it = aws_xml_child(set, item_name); it; it = aws_xml_next(it, item_name)) {
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			*items = base_arena_realloc(a, *items, *cap * sizeof **items, ncap * sizeof **items);
			*cap = ncap;
		}
		(*items)[(*n)++] = it;
	}
}

/* ---- reply trees built at once ----
 * Ten refreshes at once read the same VPC-wide Describe (one call, one
 * shared reply: aws_memo.c) and each built its whole tree at the same time,
 * most of a provider's heap at the peak (issue 13). Building a tree is
 * CPU work only, so more trees at once than there are CPUs gain nothing:
 * the slots bound them to the CPU count (at least 2, at most 8). */
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_cv = PTHREAD_COND_INITIALIZER;
static int slots_used, slots_max;

static void slot_take(void)
{
	pthread_mutex_lock(&slots_mu);
	if (slots_max == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		slots_max = cpus < 2 ? 2 : cpus > 8 ? 8 : (int)cpus;
	}
	while (slots_used >= slots_max)
		pthread_cond_wait(&slots_cv, &slots_mu);
	slots_used++;
	pthread_mutex_unlock(&slots_mu);
}

static void slot_give(void)
{
	pthread_mutex_lock(&slots_mu);
	slots_used--;
	pthread_cond_signal(&slots_cv);
	pthread_mutex_unlock(&slots_mu);
}

/* One page of a Describe*: its items parsed into *v (grown in a) and the
 * next page's token (in a, NULL on the last page). The tree lives in a
 * scratch arena while a slot is held; the texts the items keep are in a. */
static int read_page(const aws_response *resp, base_arena *a, const char *op, const char *set_name,
                     size_t elem_size, aws__ec2_item_parser parse, char **v, size_t *n, const char **token,
                     aws_error *err)
{
	const aws_xml_node *root = NULL, **items = NULL;
	size_t k = 0, cap = 0;
	base_arena *nodes;
	int rc;

	slot_take();
	nodes = base_arena_new();
	rc = parse_reply(resp, nodes, a, op, &root, err);
	if (rc == BASE_OK) {
		aws__xml_collect(nodes, aws_xml_child(root, set_name), "item", &items, &k, &cap);
		if (k) {
			*v = base_arena_realloc(a, *v, *n * elem_size, (*n + k) * elem_size);
			memset(*v + *n * elem_size, 0, k * elem_size);
			for (size_t i = 0; i < k; i++)
				parse(a, items[i], *v + (*n + i) * elem_size);
			*n += k;
		}
		*token = aws_xml_path_text(root, "nextToken");
		if (*token && !**token)
			*token = NULL;
	}
	base_arena_free(nodes);
	slot_give();
	return rc;
}

int aws__ec2_describe(aws_client *c, base_arena *a, const char *op, const char *id_param, aws_strs ids,
                      aws_filters filters, const char *set_name, size_t elem_size, aws__ec2_item_parser parse,
                      void **v_out, size_t *n_out, aws_error *err)
{
	aws_query q, page;
	char *v = NULL;
	size_t n = 0;
	const char *token = NULL;
	int rc, pages = 0;

	*v_out = NULL;
	*n_out = 0;
	aws_query_init(&q, op, AWS_EC2_API_VERSION);
	aws_query_add_list(&q, id_param, ids);
	aws_query_add_filters(&q, filters);
	base_buf_init(&page.buf, AWS_QUERY_MAX_BODY);
	do {
		aws_response resp;
		size_t qlen;
		const char *qbody = aws_query_body(&q, &qlen);

		/* page = the caller's parameters + this page's token */
		base_buf_reset(&page.buf);
		page.err = aws_query_done(&q);
		if (page.err == BASE_OK)
			page.err = base_buf_append(&page.buf, qbody, qlen);
		aws_query_add(&page, "NextToken", token);
		aws_response_init(&resp);
		rc = query_send(c, AWS_SVC_EC2, op, &page, false, &resp, err);
		if (rc == BASE_OK)
			rc = read_page(&resp, a, op, set_name, elem_size, parse, &v, &n, &token, err);
		aws_response_dispose(&resp);
		/* a server that repeats pages forever must not hang us */
		if (rc == BASE_OK && token && ++pages >= 10000)
			rc = aws__invalid_response(err, op, "too many pages");
	} while (rc == BASE_OK && token);
	base_buf_dispose(&page.buf);
	aws_query_dispose(&q);
	if (rc != BASE_OK)
		return rc;
	*v_out = v ? v : base_arena_calloc(a, 1, elem_size);
	*n_out = n;
	return BASE_OK;
}

char *aws__path_escape(base_arena *a, const char *s)
{
	base_buf b;
	char *out;
	base_buf_init(&b, 0);
	if (aws_query_encode(&b, s, strlen(s)) != BASE_OK) {
		base_buf_dispose(&b);
		return base_arena_strdup(a, "");
	}
	out = base_arena_strndup(a, base_buf_cstr(&b), b.len);
	base_buf_dispose(&b);
	return out;
}

int aws__rest_call(aws_client *c, base_arena *a, const char *op, const char *method, const char *path,
                   const char *query, const aws_json *body, bool not_idempotent, const aws_json **root_out,
                   aws_error *err)
{
	int rc = BASE_OK;
	base_buf enc;
	aws_response resp;
	aws_request req;
	const aws_json *root = NULL;

	base_buf_init(&enc, 0);
	aws_response_init(&resp);
	aws_error_clear(err);
	if (root_out)
		*root_out = NULL;
	memset(&req, 0, sizeof req);
	if (body) {
		if ((rc = aws_json_encode(body, &enc)) != BASE_OK) {
			aws_error_setf(err, 0, "InvalidRequest", "%s: cannot encode the request body as JSON",
			               op);
			goto done;
		}
		req.body = enc.data;
		req.body_len = enc.len;
		req.content_type = AWS__JSON_CONTENT_TYPE;
	}
	req.service = AWS_SVC_LAMBDA;
	req.op = op;
	req.method = method;
	req.path = path;
	req.query = query;
	req.not_idempotent = not_idempotent;
	rc = aws_client_send(c, &req, &resp, err);
	if (rc != BASE_OK) {
		rc = map_rc(rc, err);
		goto done;
	}
	if (root_out && resp.body.len > 0) {
		if (aws_json_parse(a, resp.body.data, resp.body.len, &root) != BASE_OK) {
			rc = aws__invalid_response(err, op, "body is not JSON");
			goto done;
		}
		*root_out = root;
	}
	aws_error_clear(err);
done:
	aws_response_dispose(&resp);
	base_buf_dispose(&enc);
	return rc;
}

aws_strs aws__xml_strs(base_arena *a, const aws_xml_node *set, const char *item_name, const char *field)
{
	size_t n = aws_xml_count(set, item_name), k = 0;
	const char **v;
	if (n == 0)
		return (aws_strs){NULL, 0};
	v = base_arena_calloc(a, n, sizeof *v);
	for (const aws_xml_node *it = aws_xml_child(set, item_name); it; it = aws_xml_next(it, item_name)) {
		const char *t = field ? aws_xml_path_text(it, field) : aws_xml_text(it);
		if (t)
			v[k++] = t;
	}
	return (aws_strs){v, k};
}

aws_tags aws__xml_tags(base_arena *a, const aws_xml_node *set, const char *item_name, const char *key_name,
                       const char *value_name)
{
	size_t n = aws_xml_count(set, item_name), k = 0;
	aws_tag *v;
	if (n == 0)
		return (aws_tags){NULL, 0};
	v = base_arena_calloc(a, n, sizeof *v);
	for (const aws_xml_node *it = aws_xml_child(set, item_name); it; it = aws_xml_next(it, item_name)) {
		const char *key = aws_xml_path_text(it, key_name);
		if (!key)
			continue;
		const char *val = aws_xml_path_text(it, value_name);
		v[k].key = key;
		v[k].value = val ? val : "";
		k++;
	}
	return (aws_tags){v, k};
}

aws_strs aws__json_strs(base_arena *a, const aws_json *arr)
{
	size_t n = aws_json_kind_of(arr) == AWS_JSON_ARRAY ? aws_json_len(arr) : 0, k = 0;
	const char **v;
	if (n == 0)
		return (aws_strs){NULL, 0};
	v = base_arena_calloc(a, n, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const char *s = aws_json_str(aws_json_at(arr, i));
		if (s)
			v[k++] = s;
	}
	return (aws_strs){v, k};
}

aws_tags aws__json_tags(base_arena *a, const aws_json *obj)
{
	size_t n = aws_json_kind_of(obj) == AWS_JSON_OBJECT ? aws_json_len(obj) : 0, k = 0;
	aws_tag *v;
	if (n == 0)
		return (aws_tags){NULL, 0};
	v = base_arena_calloc(a, n, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const char *s = aws_json_str(aws_json_at(obj, i));
		if (!s)
			continue;
		v[k].key = aws_json_key_at(obj, i);
		v[k].value = s;
		k++;
	}
	return (aws_tags){v, k};
}
