/*
 * recon_int.h - helpers shared by the files of provider/recon only
 * (never included from another folder; tests of recon may).
 */
#ifndef RECON_INT_H
#define RECON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "base/base_arena.h"
#include "aws/aws_ec2.h"
#include "recon/recon_model.h"

/* Deep copies into arena a (NULL-safe: NULL / empty in -> NULL / empty out). */
const char *recon__cp(base_arena *a, const char *s);
aws_strs recon__cp_strs(base_arena *a, aws_strs s);
aws_tags recon__cp_tags(base_arena *a, aws_tags t);

/* Value of key in tags, NULL when absent. */
const char *recon__tag(aws_tags t, const char *key);

/* True when the tags carry RECON_OWNER_TAG = function_name. */
bool recon__owned_by(aws_tags t, const char *function_name);

/* An observed DescribeSecurityGroupRules entry as a model rule (copied into a). */
recon_rule recon__rule_from_aws(base_arena *a, const aws_ec2_sg_rule *r);

/* True for endpoint states that mean "gone" (deleted, deleting, failed,
 * rejected, expired); case-insensitive. */
bool recon__endpoint_state_gone(const char *state);

/* True for a Lambda hyperplane ENI (interface type "lambda" or description
 * starting with "AWS Lambda VPC ENI"). */
bool recon__is_lambda_eni(const aws_ec2_eni *e);

/* New lists in arena a: s plus id; s without id (dropping the entries of
 * parallel at the same positions when given); a without the members of b. */
aws_strs recon__strs_with(base_arena *a, aws_strs s, const char *id);
aws_strs recon__strs_without(base_arena *a, aws_strs s, const char *id, aws_strs *parallel);
aws_strs recon__strs_minus(base_arena *a, aws_strs x, aws_strs y);

#endif
