/*
 * aws_xml fuzz target: EC2's XML replies through typed operations
 * (DescribeVpcs, DescribeSubnets) and the error parser, with the fuzzer's
 * bytes as the reply body. First byte: bit 0 picks the operation, bit 7 a
 * 4xx/5xx status instead of 200.
 */
#include <stdint.h>

#include "aws/aws_ec2.h"
#include "base/base_arena.h"
#include "fuzz_aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	aws_client *c = fuzz_reply_with(data[0] & 0x80 ? 400 + (data[0] & 0x7f) : 200,
	                                "text/xml;charset=UTF-8", data, size);
	base_arena *a = base_arena_new();
	aws_error err;
	memset(&err, 0, sizeof err);
	aws_filters none;
	memset(&none, 0, sizeof none);
	if (data[0] & 1) {
		aws_ec2_subnets s;
		(void)aws_ec2_describe_subnets(c, a, (aws_strs){0}, none, &s, &err);
	} else {
		aws_ec2_vpcs v;
		(void)aws_ec2_describe_vpcs(c, a, (aws_strs){0}, none, &v, &err);
	}
	aws_error_clear(&err);
	base_arena_free(a);
	return 0;
}
