/*
 * aws_sigv4_test.c - the AWS SigV4 test suite, byte for byte.
 *
 * The vectors are read from $SIGV4_VECTORS, else ../shared/testdata/sigv4,
 * else /work/shared/testdata/sigv4 (they are data we may not copy into the
 * project). Each case's canonical request, string to sign and signature
 * must equal the header-*.txt files exactly. When no folder is found the
 * test prints a visible SKIP line.
 */
#include "t.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "aws/aws_sigv4.h"
#include "base/base_alloc.h"
#include "base/base_buf.h"

/* ---- a minimal reader for the flat context.json files ---- */

/* Returns a heap copy of the string value of "key", or NULL. */
static char *ctx_str(const char *json, const char *key)
{
	char pat[64];
	const char *p, *q;
	snprintf(pat, sizeof pat, "\"%s\"", key);
	p = strstr(json, pat);
	if (!p)
		return NULL;
	p = strchr(p + strlen(pat), ':');
	if (!p)
		return NULL;
	p++;
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	if (*p != '"')
		return NULL;
	p++;
	q = strchr(p, '"');
	return q ? base_xstrndup(p, (size_t)(q - p)) : NULL;
}

static bool ctx_bool(const char *json, const char *key, bool dflt)
{
	char pat[64];
	const char *p;
	snprintf(pat, sizeof pat, "\"%s\"", key);
	p = strstr(json, pat);
	if (!p)
		return dflt;
	p = strchr(p + strlen(pat), ':');
	if (!p)
		return dflt;
	p++;
	while (*p == ' ')
		p++;
	return strncmp(p, "true", 4) == 0;
}

/* ---- a minimal parser for request.txt ---- */

struct parsed_req {
	char *method, *path, *query;
	aws_sigv4_header hdrs[16];
	char *names[16], *values[16];
	size_t nh;
	const char *body;
	size_t body_len;
};

static void parsed_free(struct parsed_req *r)
{
	size_t i;
	base_free(r->method);
	base_free(r->path);
	base_free(r->query);
	for (i = 0; i < r->nh; i++) {
		base_free(r->names[i]);
		base_free(r->values[i]);
	}
}

/* Request line "METHOD target HTTP/1.1" (target may contain spaces), then
 * "Name:value" lines; a line starting with whitespace continues the previous
 * value (kept with its newline so the signer's folding rule is exercised);
 * an empty line starts the body. */
static bool parse_request(const char *txt, size_t len, struct parsed_req *r)
{
	const char *end = txt + len, *eol, *sp, *http, *qm, *line;
	memset(r, 0, sizeof *r);
	eol = memchr(txt, '\n', len);
	if (!eol)
		eol = end;
	sp = memchr(txt, ' ', (size_t)(eol - txt));
	if (!sp)
		return false;
	r->method = base_xstrndup(txt, (size_t)(sp - txt));
	http = eol;
	while (http > sp && memcmp(http, " HTTP/", 6) != 0)
		http--;
	if (http <= sp)
		return false;
	qm = memchr(sp + 1, '?', (size_t)(http - sp - 1));
	if (qm) {
		r->path = base_xstrndup(sp + 1, (size_t)(qm - sp - 1));
		r->query = base_xstrndup(qm + 1, (size_t)(http - qm - 1));
	} else {
		r->path = base_xstrndup(sp + 1, (size_t)(http - sp - 1));
	}
	line = eol < end ? eol + 1 : end;
	while (line < end) {
		const char *le = memchr(line, '\n', (size_t)(end - line));
		const char *colon;
		if (!le)
			le = end;
		if (le == line) {
			r->body = le + 1 <= end ? le + 1 : end;
			r->body_len = (size_t)(end - r->body);
			break;
		}
		if ((*line == ' ' || *line == '\t') && r->nh) {
			char *old = r->values[r->nh - 1];
			char *cont = base_xstrndup(line, (size_t)(le - line));
			r->values[r->nh - 1] = base_xasprintf("%s\n%s", old, cont);
			base_free(old);
			base_free(cont);
		} else {
			colon = memchr(line, ':', (size_t)(le - line));
			if (!colon || r->nh == 16)
				return false;
			r->names[r->nh] = base_xstrndup(line, (size_t)(colon - line));
			r->values[r->nh] = base_xstrndup(colon + 1, (size_t)(le - colon - 1));
			r->nh++;
		}
		line = le < end ? le + 1 : end;
	}
	for (size_t i = 0; i < r->nh; i++) {
		r->hdrs[i].name = r->names[i];
		r->hdrs[i].value = r->values[i];
	}
	return true;
}

static const char *vectors_dir(void)
{
	static const char *cands[] = { "../shared/testdata/sigv4", "/work/shared/testdata/sigv4" };
	const char *env = getenv("SIGV4_VECTORS");
	struct stat st;
	size_t i;
	if (env && *env && stat(env, &st) == 0)
		return env;
	for (i = 0; i < sizeof cands / sizeof cands[0]; i++)
		if (stat(cands[i], &st) == 0 && S_ISDIR(st.st_mode))
			return cands[i];
	return NULL;
}

static char *read_case_file(const char *dir, const char *name, const char *file, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s/%s", dir, name, file);
	return t_read_file(path, len);
}

/* Runs one case; returns 0 on pass, prints details and returns 1 on failure. */
static int run_case(const char *dir, const char *name)
{
	size_t rlen = 0, len;
	char *ctx = read_case_file(dir, name, "context.json", NULL);
	char *req = read_case_file(dir, name, "request.txt", &rlen);
	char *want_cr = read_case_file(dir, name, "header-canonical-request.txt", &len);
	char *want_sts = read_case_file(dir, name, "header-string-to-sign.txt", &len);
	char *want_sig = read_case_file(dir, name, "header-signature.txt", &len);
	char *ak = NULL, *sk = NULL, *tok = NULL, *region = NULL, *svc = NULL, *ts = NULL;
	struct parsed_req pr;
	aws_sigv4_params p;
	aws_sigv4_result r;
	char amz[17];
	int bad = 0;

	memset(&pr, 0, sizeof pr);
	aws_sigv4_result_init(&r);
	if (!ctx || !req || !want_cr || !want_sts || !want_sig) {
		printf("  %s: missing files\n", name);
		bad = 1;
		goto done;
	}
	ak = ctx_str(ctx, "access_key_id");
	sk = ctx_str(ctx, "secret_access_key");
	tok = ctx_str(ctx, "token");
	region = ctx_str(ctx, "region");
	svc = ctx_str(ctx, "service");
	ts = ctx_str(ctx, "timestamp");
	if (!ak || !sk || !region || !svc || !ts || strlen(ts) != 20 || !parse_request(req, rlen, &pr)) {
		printf("  %s: unreadable case\n", name);
		bad = 1;
		goto done;
	}
	/* 2015-08-30T12:36:00Z -> 20150830T123600Z */
	snprintf(amz, sizeof amz, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", ts, ts + 5, ts + 8, ts + 11, ts + 14, ts + 17);

	memset(&p, 0, sizeof p);
	p.method = pr.method;
	p.path = pr.path;
	p.query = pr.query;
	p.headers = pr.hdrs;
	p.n_headers = pr.nh;
	p.body = pr.body;
	p.body_len = pr.body_len;
	p.region = region;
	p.service = svc;
	p.access_key = ak;
	p.secret_key = sk;
	p.session_token = tok;
	p.amz_date = amz;
	p.normalize_path = ctx_bool(ctx, "normalize", true);
	p.double_encode = true; /* the suite's service is not S3 */
	p.omit_token = ctx_bool(ctx, "omit_session_token", false);
	p.add_content_sha256 = ctx_bool(ctx, "sign_body", false);
	if (aws_sigv4_sign(&p, &r) != BASE_OK) {
		printf("  %s: sign failed\n", name);
		bad = 1;
		goto done;
	}
	if (strcmp(base_buf_cstr(&r.canonical_request), want_cr) != 0) {
		printf("  %s: canonical request differs\n--- got\n%s\n--- want\n%s\n", name,
		       base_buf_cstr(&r.canonical_request), want_cr);
		bad = 1;
	}
	if (strcmp(base_buf_cstr(&r.string_to_sign), want_sts) != 0) {
		printf("  %s: string to sign differs\n--- got\n%s\n--- want\n%s\n", name,
		       base_buf_cstr(&r.string_to_sign), want_sts);
		bad = 1;
	}
	if (strcmp(r.signature, want_sig) != 0) {
		printf("  %s: signature differs: got %s want %s\n", name, r.signature, want_sig);
		bad = 1;
	}
done:
	aws_sigv4_result_dispose(&r);
	parsed_free(&pr);
	base_free(ctx);
	base_free(req);
	base_free(want_cr);
	base_free(want_sts);
	base_free(want_sig);
	base_free(ak);
	base_free(sk);
	base_free(tok);
	base_free(region);
	base_free(svc);
	base_free(ts);
	return bad;
}

void test_aws_sigv4__suite_vectors(void)
{
	const char *dir = vectors_dir();
	DIR *d;
	struct dirent *e;
	int cases = 0, failed = 0;
	if (!dir) {
		printf("SKIP test_aws_sigv4__suite_vectors: no SigV4 vectors (set SIGV4_VECTORS)\n");
		return;
	}
	d = opendir(dir);
	T_ASSERT(d != NULL);
	while ((e = readdir(d)) != NULL) {
		char p[1024];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s/context.json", dir, e->d_name);
		if (stat(p, &st) != 0)
			continue;
		cases++;
		failed += run_case(dir, e->d_name);
	}
	closedir(d);
	T_ASSERT_MSG(cases >= 38, "only %d SigV4 cases found in %s", cases, dir);
	T_ASSERT_MSG(failed == 0, "%d of %d SigV4 cases failed", failed, cases);
}

/* AWS.md 6.2 rule 2: the wire path is encoded again for non-S3 services. */
void test_aws_sigv4__double_encodes_lambda_arn_path(void)
{
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(aws_sigv4_canonical_uri(&b, "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af",
				      true, true));
	T_ASSERT_STR(base_buf_cstr(&b), "/2017-03-31/tags/arn%253Aaws%253Alambda%253Aus-east-1%253A1%253Afunction%253Af");
	base_buf_reset(&b);
	T_OK(aws_sigv4_canonical_uri(&b, "/a%20b/c", false, false));
	T_ASSERT_STR(base_buf_cstr(&b), "/a%20b/c");
	base_buf_reset(&b);
	T_OK(aws_sigv4_canonical_uri(&b, "", true, true));
	T_ASSERT_STR(base_buf_cstr(&b), "/");
	base_buf_dispose(&b);
}

void test_aws_sigv4__query_sorted_and_repeated_keys_kept(void)
{
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(aws_sigv4_canonical_query(&b, "tagKeys=b&tagKeys=a&Z=&A=x%2Fy&sp=a%20b&flag"));
	T_ASSERT_STR(base_buf_cstr(&b), "A=x%2Fy&Z=&flag=&sp=a%20b&tagKeys=a&tagKeys=b");
	base_buf_dispose(&b);
}

/* A session token is signed (header listed in SignedHeaders) and the
 * Authorization value has the exact separators of rule 8. */
void test_aws_sigv4__token_and_authorization_shape(void)
{
	aws_sigv4_header h[] = { { "Host", "127.0.0.1:5000" },
				 { "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" } };
	aws_sigv4_params p;
	aws_sigv4_result r;
	const char *auth;
	memset(&p, 0, sizeof p);
	p.method = "POST";
	p.path = "/";
	p.headers = h;
	p.n_headers = 2;
	p.body = "Action=GetCallerIdentity&Version=2011-06-15";
	p.body_len = strlen(p.body);
	p.region = "us-east-1";
	p.service = "sts";
	p.access_key = "AKID";
	p.secret_key = "SECRET";
	p.session_token = "TOKEN";
	p.amz_date = "20260101T000000Z";
	p.normalize_path = p.double_encode = true;
	aws_sigv4_result_init(&r);
	T_OK(aws_sigv4_sign(&p, &r));
	auth = base_buf_cstr(&r.authorization);
	T_ASSERT(strncmp(auth, "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, "
			       "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=", 125) == 0);
	T_ASSERT_INT(strlen(r.signature), 64);
	T_ASSERT(strstr(base_buf_cstr(&r.canonical_request), "host:127.0.0.1:5000\n") != NULL);
	aws_sigv4_result_dispose(&r);
	p.amz_date = "2026-01-01";
	aws_sigv4_result_init(&r);
	T_ASSERT_INT(aws_sigv4_sign(&p, &r), BASE_EINVALID);
	aws_sigv4_result_dispose(&r);
}

void test_aws_sigv4__amz_date(void)
{
	char d[17];
	aws_sigv4_amz_date(1440938160, d);
	T_ASSERT_STR(d, "20150830T123600Z");
}

/* Issue 12: dispose wipes the signature with a store the compiler keeps
 * (aws_crypto_cleanse); the Authorization buffer is wiped before re-signing
 * reuses it, so no old signature survives beyond the new text. */
void test_aws_sigv4__dispose_wipes_signature(void)
{
	aws_sigv4_params p;
	aws_sigv4_result r;
	memset(&p, 0, sizeof p);
	p.method = "GET";
	p.path = "/";
	p.region = "us-east-1";
	p.service = "ec2";
	p.access_key = "AKID";
	p.secret_key = "SECRET";
	p.amz_date = "20260101T000000Z";
	aws_sigv4_result_init(&r);
	T_OK(aws_sigv4_sign(&p, &r));
	size_t cap = r.authorization.cap, len = r.authorization.len;
	p.access_key = "A"; /* a shorter Authorization into the same buffer */
	T_OK(aws_sigv4_sign(&p, &r));
	T_ASSERT(r.authorization.cap == cap && r.authorization.len < len);
	for (size_t i = r.authorization.len + 1; i < cap; i++)
		T_ASSERT_MSG(r.authorization.data[i] == 0, "byte %zu of the old Authorization survived", i);
	aws_sigv4_result_dispose(&r);
	for (size_t i = 0; i < sizeof r.signature; i++)
		T_ASSERT(r.signature[i] == 0);
}
