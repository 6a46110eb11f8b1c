/*
 * sigv4 fuzz target: the SigV4 canonicaliser. The fuzzer's bytes are split
 * at '\n' into method, path, query, secret key and then "name:value"
 * header lines; canonical URI (all four normalise/double-encode modes) and
 * query are built directly, then a full signature.
 */
#include <stdint.h>
#include <string.h>

#include "aws/aws_sigv4.h"
#include "base/base_alloc.h"
#include "base/base_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXH 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = base_xstrndup((const char *)data, size);
	char *field[4] = {"", "", "", ""};
	aws_sigv4_header hs[MAXH];
	size_t nf = 0, nh = 0;
	char *p = s;
	while (p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (nf < 4) {
			field[nf++] = p;
		} else if (nh < MAXH) {
			char *colon = strchr(p, ':');
			if (colon) {
				*colon = '\0';
				hs[nh].name = p;
				hs[nh++].value = colon + 1;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	base_buf b;
	base_buf_init(&b, 0);
	for (int mode = 0; mode < 4; mode++) {
		base_buf_reset(&b);
		(void)aws_sigv4_canonical_uri(&b, field[1], mode & 1, mode & 2);
	}
	base_buf_reset(&b);
	(void)aws_sigv4_canonical_query(&b, field[2]);
	base_buf_dispose(&b);

	aws_sigv4_params sp;
	memset(&sp, 0, sizeof sp);
	sp.method = field[0];
	sp.path = field[1];
	sp.query = field[2];
	sp.secret_key = field[3];
	sp.headers = hs;
	sp.n_headers = nh;
	sp.region = "us-east-1";
	sp.service = "ec2";
	sp.access_key = "AKIDFUZZ";
	sp.amz_date = "20260102T030405Z";
	sp.body = data;
	sp.body_len = size;
	sp.normalize_path = size & 1;
	aws_sigv4_result r;
	aws_sigv4_result_init(&r);
	(void)aws_sigv4_sign(&sp, &r);
	aws_sigv4_result_dispose(&r);
	base_free(s);
	return 0;
}
