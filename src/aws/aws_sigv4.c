/*
 * aws_sigv4.c - SigV4 canonical request, string to sign and signature.
 *
 * Pure (STYLE C11): no clock, no environment, no I/O. The order of the
 * sections follows the algorithm: canonical URI, canonical query,
 * canonical headers, then the HMAC chain.
 */
#include "aws/aws_sigv4.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws_crypto.h"
#include "base/base_alloc.h"
#include "base/base_str.h"

#define TRY(expr)                                                                                            \
	do {                                                                                                 \
		rc = (expr);                                                                                 \
		if (rc != BASE_OK)                                                                           \
			goto done;                                                                           \
	} while (0)

static const char hexdig[] = "0123456789ABCDEF";

/* ------------------------------------------------------------------ */
/* encoding helpers                                                     */

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_' || c == '.' || c == '~';
}

/* RFC 3986 encoding of s[0..n): unreserved verbatim, everything else %XX
 * uppercase. keep_slash / keep_pct leave '/' and '%' as they are. */
static int uri_encode(base_buf *out, const char *s, size_t n, bool keep_slash, bool keep_pct)
{
	size_t i;
	int rc = BASE_OK;
	for (i = 0; i < n && rc == BASE_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c) || (keep_slash && c == '/') || (keep_pct && c == '%')) {
			rc = base_buf_putc(out, (char)c);
		} else {
			char esc[3] = {'%', hexdig[c >> 4], hexdig[c & 15]};
			rc = base_buf_append(out, esc, 3);
		}
	}
	return rc;
}

/* Decodes %XX escapes of s[0..n) into out; a malformed escape is kept
 * literally (it will then be encoded as %25..), which is what the AWS
 * signers do with such input. */
static int pct_decode(base_buf *out, const char *s, size_t n)
{
	size_t i;
	int rc = BASE_OK;
	for (i = 0; i < n && rc == BASE_OK; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < n && (h = base_hexval(s[i + 1])) >= 0 &&
		    (l = base_hexval(s[i + 2])) >= 0) {
			rc = base_buf_putc(out, (char)(h * 16 + l));
			i += 2;
		} else {
			rc = base_buf_putc(out, s[i]);
		}
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* canonical URI                                                        */

struct seg {
	const char *p;
	size_t n;
};

int aws_sigv4_canonical_uri(base_buf *out, const char *path, bool normalize, bool double_encode)
{
	int rc = BASE_OK;
	struct seg *segs = NULL;
	size_t nseg = 0, len, i;
	const char *p;
	base_buf tmp;

	base_buf_init(&tmp, 0);
	if (!path || !*path)
		path = "/";
	len = strlen(path);
	if (!normalize) {
		if (path[0] != '/')
			TRY(base_buf_putc(out, '/'));
		TRY(uri_encode(out, path, len, true, !double_encode));
		goto done;
	}

	/* Normalise like a POSIX normpath on segments: drop empty and "."
	 * segments, ".." pops; a trailing slash survives unless the result is
	 * the root. */
	segs = base_xcalloc(len + 1, sizeof *segs);
	p = path;
	while (*p) {
		const char *q;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		q = p;
		while (*q && *q != '/')
			q++;
		if (q - p == 1 && p[0] == '.') {
			/* skip */
		} else if (q - p == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg)
				nseg--;
		} else {
			segs[nseg].p = p;
			segs[nseg].n = (size_t)(q - p);
			nseg++;
		}
		p = q;
	}
	for (i = 0; i < nseg; i++) {
		TRY(base_buf_putc(&tmp, '/'));
		TRY(base_buf_append(&tmp, segs[i].p, segs[i].n));
	}
	if (nseg == 0 || path[len - 1] == '/')
		TRY(base_buf_putc(&tmp, '/'));
	TRY(uri_encode(out, tmp.data, tmp.len, true, !double_encode));
done:
	base_free(segs);
	base_buf_dispose(&tmp);
	return rc;
}

/* ------------------------------------------------------------------ */
/* canonical query                                                      */

struct qparam {
	char *k;
	char *v;
};

static int cmp_qparam(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->k, y->k);
	return c ? c : strcmp(x->v, y->v);
}

int aws_sigv4_canonical_query(base_buf *out, const char *query)
{
	int rc = BASE_OK;
	struct qparam *ps = NULL;
	size_t np = 0, cap = 0, i;
	const char *p = query;
	base_buf dec, enc;

	base_buf_init(&dec, 0);
	base_buf_init(&enc, 0);
	while (p && *p) {
		const char *amp = strchr(p, '&');
		const char *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *kend = eq ? eq : end;
		if (end > p) {
			if (np == cap) {
				cap = cap ? 2 * cap : 8;
				ps = base_xrealloc(ps, cap * sizeof *ps);
			}
			base_buf_reset(&dec);
			TRY(pct_decode(&dec, p, (size_t)(kend - p)));
			TRY(uri_encode(&enc, dec.data ? dec.data : "", dec.len, false, false));
			ps[np].k = base_buf_detach(&enc, NULL);
			base_buf_reset(&dec);
			if (eq)
				TRY(pct_decode(&dec, eq + 1, (size_t)(end - eq - 1)));
			TRY(uri_encode(&enc, dec.data ? dec.data : "", dec.len, false, false));
			ps[np].v = base_buf_detach(&enc, NULL);
			np++;
		}
		p = amp ? amp + 1 : NULL;
	}
	if (np)
		qsort(ps, np, sizeof *ps, cmp_qparam);
	for (i = 0; i < np; i++) {
		if (i)
			TRY(base_buf_putc(out, '&'));
		TRY(base_buf_printf(out, "%s=%s", ps[i].k, ps[i].v));
	}
done:
	for (i = 0; i < np; i++) {
		base_free(ps[i].k);
		base_free(ps[i].v);
	}
	base_free(ps);
	base_buf_dispose(&dec);
	base_buf_dispose(&enc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* canonical headers                                                    */

struct chdr {
	char *name;  /* lowercase */
	char *value; /* trimmed, whitespace runs collapsed */
	size_t idx;  /* original order, for stable sort of duplicates */
};

static int cmp_chdr(const void *a, const void *b)
{
	const struct chdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static char *lower_dup(const char *s)
{
	char *d = base_xstrdup(s);
	char *q;
	for (q = d; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return d;
}

/* Trim and collapse every whitespace run (including obsolete line folding)
 * to one space. */
static char *norm_value(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *d = base_xmalloc(n + 1);
	bool pending = false;
	while (*s && is_ws(*s))
		s++;
	for (; *s; s++) {
		if (is_ws(*s)) {
			pending = true;
			continue;
		}
		if (pending && o)
			d[o++] = ' ';
		pending = false;
		d[o++] = *s;
	}
	d[o] = '\0';
	return d;
}

static bool valid_amz_date(const char *d)
{
	size_t i;
	if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return false;
	for (i = 0; i < 15; i++)
		if (i != 8 && (d[i] < '0' || d[i] > '9'))
			return false;
	return true;
}

static void hex_lower(const uint8_t *d, size_t n, char *out)
{
	static const char lo[] = "0123456789abcdef";
	size_t i;
	for (i = 0; i < n; i++) {
		out[2 * i] = lo[d[i] >> 4];
		out[2 * i + 1] = lo[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ------------------------------------------------------------------ */
/* signing                                                              */

/* Wipes a buffer's whole allocation (not just len: a reset keeps old bytes). */
static void wipe_buf(base_buf *b)
{
	if (b->data)
		aws_crypto_cleanse(b->data, b->cap);
}

void aws_sigv4_result_init(aws_sigv4_result *r)
{
	memset(r, 0, sizeof *r);
	base_buf_init(&r->canonical_request, 0);
	base_buf_init(&r->string_to_sign, 0);
	base_buf_init(&r->authorization, 0);
}

void aws_sigv4_result_dispose(aws_sigv4_result *r)
{
	if (!r)
		return;
	base_buf_dispose(&r->canonical_request);
	base_buf_dispose(&r->string_to_sign);
	/* The signature is not a secret by itself, but it is a bearer proof for
	 * a few minutes: wipe it (and the header carrying it) with the rest.
	 * aws_crypto_cleanse, because a memset before free is a dead store the
	 * compiler may remove. */
	wipe_buf(&r->authorization);
	base_buf_dispose(&r->authorization);
	aws_crypto_cleanse(r->signature, sizeof r->signature);
}

void aws_sigv4_amz_date(int64_t t, char out[17])
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static void add_hdr(struct chdr *hs, size_t *nh, char *name, char *value)
{
	hs[*nh].name = name;
	hs[*nh].value = value;
	hs[*nh].idx = *nh;
	(*nh)++;
}

/* The caller's headers (lowercased names, normalised values) plus
 * x-amz-date, the token and the content hash when signed, sorted by name
 * (stable). *hs_out (heap) holds *nh_out entries, even on failure. */
static int sorted_headers(const aws_sigv4_params *p, const aws_sigv4_result *r, struct chdr **hs_out,
                          size_t *nh_out)
{
	struct chdr *hs = base_xcalloc(p->n_headers + 3, sizeof *hs);
	size_t nh = 0;
	*hs_out = hs;
	for (size_t i = 0; i < p->n_headers; i++) {
		if (!p->headers[i].name || !p->headers[i].value) {
			*nh_out = nh;
			return BASE_EINVALID;
		}
		add_hdr(hs, &nh, lower_dup(p->headers[i].name), norm_value(p->headers[i].value));
	}
	add_hdr(hs, &nh, base_xstrdup("x-amz-date"), base_xstrdup(p->amz_date));
	if (p->session_token && *p->session_token && !p->omit_token)
		add_hdr(hs, &nh, base_xstrdup("x-amz-security-token"), norm_value(p->session_token));
	if (p->add_content_sha256)
		add_hdr(hs, &nh, base_xstrdup("x-amz-content-sha256"), base_xstrdup(r->payload_hash));
	qsort(hs, nh, sizeof *hs, cmp_chdr);
	*nh_out = nh;
	return BASE_OK;
}

/* The canonical request into r->canonical_request; the signed header names
 * (';'-joined) into names. */
static int canonical_request(const aws_sigv4_params *p, aws_sigv4_result *r, const struct chdr *hs, size_t nh,
                             base_buf *names)
{
	int rc = BASE_OK;
	base_buf *cr = &r->canonical_request;
	TRY(base_buf_printf(cr, "%s\n", p->method));
	TRY(aws_sigv4_canonical_uri(cr, p->path, p->normalize_path, p->double_encode));
	TRY(base_buf_putc(cr, '\n'));
	TRY(aws_sigv4_canonical_query(cr, p->query));
	TRY(base_buf_putc(cr, '\n'));
	for (size_t i = 0; i < nh; i++) {
		if (i == 0 || strcmp(hs[i].name, hs[i - 1].name) != 0) {
			if (i)
				TRY(base_buf_putc(cr, '\n'));
			TRY(base_buf_printf(cr, "%s:%s", hs[i].name, hs[i].value));
			if (names->len)
				TRY(base_buf_putc(names, ';'));
			TRY(base_buf_puts(names, hs[i].name));
		} else {
			/* duplicate header: values joined with ',' in order */
			TRY(base_buf_printf(cr, ",%s", hs[i].value));
		}
	}
	TRY(base_buf_puts(cr, "\n\n"));
	TRY(base_buf_printf(cr, "%s\n%s", base_buf_cstr(names), r->payload_hash));
done:
	return rc;
}

/* r->signature = hex HMAC of the string to sign under the derived key:
 * HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request".
 * Every intermediate key is wiped; the "AWS4"+secret copy is one exact
 * allocation, so no buffer growth leaves a copy behind in freed memory. */
static void sign_string(const aws_sigv4_params *p, const char *date8, aws_sigv4_result *r)
{
	uint8_t k[AWS_SHA256_LEN], k2[AWS_SHA256_LEN], sig[AWS_SHA256_LEN];
	size_t key_len = 4 + strlen(p->secret_key);
	char *key = base_xmalloc(key_len + 1);
	memcpy(key, "AWS4", 4);
	memcpy(key + 4, p->secret_key, key_len - 4);
	aws_crypto_hmac_sha256(key, key_len, date8, 8, k);
	aws_crypto_hmac_sha256(k, sizeof k, p->region, strlen(p->region), k2);
	aws_crypto_hmac_sha256(k2, sizeof k2, p->service, strlen(p->service), k);
	aws_crypto_hmac_sha256(k, sizeof k, "aws4_request", 12, k2);
	aws_crypto_hmac_sha256(k2, sizeof k2, r->string_to_sign.data, r->string_to_sign.len, sig);
	hex_lower(sig, sizeof sig, r->signature);
	aws_crypto_cleanse(key, key_len);
	base_free(key);
	aws_crypto_cleanse(k, sizeof k);
	aws_crypto_cleanse(k2, sizeof k2);
	aws_crypto_cleanse(sig, sizeof sig);
}

static bool params_ok(const aws_sigv4_params *p)
{
	return p->method && p->region && p->service && p->access_key && p->secret_key &&
	       valid_amz_date(p->amz_date) && (!p->n_headers || p->headers) &&
	       (!p->payload_hash || strlen(p->payload_hash) == 64);
}

int aws_sigv4_sign(const aws_sigv4_params *p, aws_sigv4_result *r)
{
	int rc = BASE_OK;
	struct chdr *hs = NULL;
	size_t nh = 0;
	base_buf signed_names;
	char date8[9];
	char crhash[65];

	base_buf_init(&signed_names, 0);
	base_buf_reset(&r->canonical_request);
	base_buf_reset(&r->string_to_sign);
	wipe_buf(&r->authorization);
	base_buf_reset(&r->authorization);
	r->signature[0] = '\0';
	if (!params_ok(p)) {
		rc = BASE_EINVALID;
		goto done;
	}
	memcpy(date8, p->amz_date, 8);
	date8[8] = '\0';
	if (p->payload_hash)
		memcpy(r->payload_hash, p->payload_hash, 65);
	else
		aws_crypto_sha256_hex(p->body, p->body_len, r->payload_hash);

	TRY(sorted_headers(p, r, &hs, &nh));
	TRY(canonical_request(p, r, hs, nh, &signed_names));
	aws_crypto_sha256_hex(r->canonical_request.data, r->canonical_request.len, crhash);
	TRY(base_buf_printf(&r->string_to_sign, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
	                    p->amz_date, date8, p->region, p->service, crhash));
	sign_string(p, date8, r);
	TRY(base_buf_printf(
	        &r->authorization,
	        "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
	        p->access_key, date8, p->region, p->service, base_buf_cstr(&signed_names), r->signature));
done:
	for (size_t i = 0; i < nh; i++) {
		base_free(hs[i].name);
		base_free(hs[i].value);
	}
	base_free(hs);
	base_buf_dispose(&signed_names);
	return rc;
}
