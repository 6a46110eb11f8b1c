/*
 * aws_json fuzz target: Lambda's JSON replies through the typed operation
 * (aws_lambda_get_function) and the error parser, with the fuzzer's bytes
 * as the reply body. First byte: 0-127 a 200 reply, else a 4xx/5xx one.
 */
#include <stdint.h>

#include "aws/aws_lambda.h"
#include "base/base_arena.h"
#include "fuzz_aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	aws_client *c =
	        fuzz_reply_with(data[0] < 128 ? 200 : 400 + (data[0] & 0x7f), "application/json", data, size);
	base_arena *a = base_arena_new();
	aws_lambda_function f;
	aws_error err;
	memset(&err, 0, sizeof err);
	(void)aws_lambda_get_function(c, a, "fn", &f, &err);
	aws_error_clear(&err);
	(void)aws_lambda_parse_function(a, (const char *)data + 1, size - 1, &f);
	base_arena_free(a);
	return 0;
}
