/*
 * aws_ec2_sg.c - EC2 security groups and their rules.
 */
#include "aws/aws_ec2.h"

#include <stdio.h>
#include <string.h>

#include "aws/aws_proto_int.h"
#include "aws/aws_query.h"
#include "aws/aws_xml.h"

#define V AWS_EC2_API_VERSION

int aws_ec2_create_security_group(aws_client *c, base_arena *a, const aws_ec2_sg_spec *spec,
                                  const char **group_id_out, aws_error *err)
{
	aws_query q;

	aws_query_init(&q, "CreateSecurityGroup", V);
	aws_query_add(&q, "GroupName", spec->group_name);
	aws_query_add(&q, "GroupDescription", spec->description);
	aws_query_add(&q, "VpcId", spec->vpc_id);
	aws_query_add_tag_spec(&q, 1, "security-group", spec->tags);
	return aws__ec2_call_text(c, a, "CreateSecurityGroup", &q, true, "groupId", group_id_out, err);
}

int aws_ec2_delete_security_group(aws_client *c, base_arena *a, const char *group_id, aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "DeleteSecurityGroup", V);
	aws_query_add(&q, "GroupId", group_id);
	return aws__ec2_call(c, a, "DeleteSecurityGroup", &q, false, NULL, err);
}

/* ---- IpPermissions ---------------------------------------------------- */

/* Appends IpPermissions.N.* for each permission (AWS.md 1.3: Groups, not
 * UserIdGroupPairs). */
static void add_ip_perms(aws_query *q, const aws_ec2_ip_perm *perms, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const aws_ec2_ip_perm *p = &perms[i];
		char pre[48];
		snprintf(pre, sizeof pre, "IpPermissions.%zu", i + 1);
		aws_query_addf(q, p->ip_protocol, "%s.IpProtocol", pre);
		if (!p->omit_ports) {
			char num[16];
			snprintf(num, sizeof num, "%d", p->from_port);
			aws_query_addf(q, num, "%s.FromPort", pre);
			snprintf(num, sizeof num, "%d", p->to_port);
			aws_query_addf(q, num, "%s.ToPort", pre);
		}
		for (size_t j = 0; j < p->cidr_ipv4.n; j++) {
			aws_query_addf(q, p->cidr_ipv4.v[j], "%s.IpRanges.%zu.CidrIp", pre, j + 1);
			aws_query_addf(q, p->description, "%s.IpRanges.%zu.Description", pre, j + 1);
		}
		for (size_t j = 0; j < p->cidr_ipv6.n; j++) {
			aws_query_addf(q, p->cidr_ipv6.v[j], "%s.Ipv6Ranges.%zu.CidrIpv6", pre, j + 1);
			aws_query_addf(q, p->description, "%s.Ipv6Ranges.%zu.Description", pre, j + 1);
		}
		for (size_t j = 0; j < p->prefix_list_ids.n; j++) {
			aws_query_addf(q, p->prefix_list_ids.v[j], "%s.PrefixListIds.%zu.PrefixListId", pre,
			               j + 1);
			aws_query_addf(q, p->description, "%s.PrefixListIds.%zu.Description", pre, j + 1);
		}
		for (size_t j = 0; j < p->group_ids.n; j++) {
			aws_query_addf(q, p->group_ids.v[j], "%s.Groups.%zu.GroupId", pre, j + 1);
			aws_query_addf(q, p->description, "%s.Groups.%zu.Description", pre, j + 1);
		}
	}
}

static const char *first_description(const aws_xml_node *set)
{
	for (const aws_xml_node *it = aws_xml_child(set, "item"); it; it = aws_xml_next(it, "item")) {
		const char *d = aws_xml_path_text(it, "description");
		if (d)
			return d;
	}
	return NULL;
}

static void parse_ip_perms(base_arena *a, const aws_xml_node *set, aws_ec2_ip_perm **out, size_t *n_out)
{
	size_t n = aws_xml_count(set, "item"), k = 0;
	aws_ec2_ip_perm *v = base_arena_calloc(a, n ? n : 1, sizeof *v);

	for (const aws_xml_node *it = aws_xml_child(set, "item"); it; it = aws_xml_next(it, "item"), k++) {
		aws_ec2_ip_perm *p = &v[k];
		int64_t port;
		const aws_xml_node *ranges = aws_xml_child(it, "ipRanges"),
		                   *r6 = aws_xml_child(it, "ipv6Ranges");
		const aws_xml_node *groups = aws_xml_child(it, "groups"),
		                   *pls = aws_xml_child(it, "prefixListIds");
		p->ip_protocol = aws_xml_path_text(it, "ipProtocol");
		p->omit_ports = !aws_xml_path_text(it, "fromPort");
		(void)aws_xml_path_int(it, "fromPort", -1, &port);
		p->from_port = (int)port;
		(void)aws_xml_path_int(it, "toPort", -1, &port);
		p->to_port = (int)port;
		p->cidr_ipv4 = aws__xml_strs(a, ranges, "item", "cidrIp");
		p->cidr_ipv6 = aws__xml_strs(a, r6, "item", "cidrIpv6");
		p->group_ids = aws__xml_strs(a, groups, "item", "groupId");
		p->prefix_list_ids = aws__xml_strs(a, pls, "item", "prefixListId");
		p->description = first_description(ranges);
		if (!p->description)
			p->description = first_description(r6);
		if (!p->description)
			p->description = first_description(groups);
		if (!p->description)
			p->description = first_description(pls);
	}
	*out = v;
	*n_out = n;
}

static void parse_sg(base_arena *a, const aws_xml_node *it, void *elem)
{
	aws_ec2_sg *g = elem;

	g->group_id = aws_xml_path_text(it, "groupId");
	g->group_name = aws_xml_path_text(it, "groupName");
	g->description = aws_xml_path_text(it, "groupDescription");
	g->vpc_id = aws_xml_path_text(it, "vpcId");
	g->owner_id = aws_xml_path_text(it, "ownerId");
	g->arn = aws_xml_path_text(it, "securityGroupArn");
	parse_ip_perms(a, aws_xml_child(it, "ipPermissions"), &g->ingress, &g->n_ingress);
	parse_ip_perms(a, aws_xml_child(it, "ipPermissionsEgress"), &g->egress, &g->n_egress);
	g->tags = aws__xml_tags(a, aws_xml_child(it, "tagSet"), "item", "key", "value");
}

int aws_ec2_describe_security_groups(aws_client *c, base_arena *a, aws_strs group_ids, aws_filters filters,
                                     aws_ec2_sgs *out, aws_error *err)
{
	void *v;
	int rc = aws__ec2_describe(c, a, "DescribeSecurityGroups", "GroupId", group_ids, filters,
	                           "securityGroupInfo", sizeof *out->v, parse_sg, &v, &out->n, err);
	out->v = v;
	return rc;
}

/* ---- rules ------------------------------------------------------------ */

static void parse_rule(base_arena *a, const aws_xml_node *it, void *elem)
{
	aws_ec2_sg_rule *r = elem;
	int64_t port;
	r->rule_id = aws_xml_path_text(it, "securityGroupRuleId");
	r->group_id = aws_xml_path_text(it, "groupId");
	r->group_owner_id = aws_xml_path_text(it, "groupOwnerId");
	(void)aws_xml_path_bool(it, "isEgress", false, &r->is_egress);
	r->ip_protocol = aws_xml_path_text(it, "ipProtocol");
	(void)aws_xml_path_int(it, "fromPort", -1, &port);
	r->from_port = (int)port;
	(void)aws_xml_path_int(it, "toPort", -1, &port);
	r->to_port = (int)port;
	r->cidr_ipv4 = aws_xml_path_text(it, "cidrIpv4");
	r->cidr_ipv6 = aws_xml_path_text(it, "cidrIpv6");
	r->prefix_list_id = aws_xml_path_text(it, "prefixListId");
	r->referenced_group_id = aws_xml_path_text(it, "referencedGroupInfo/groupId");
	r->description = aws_xml_path_text(it, "description");
	r->tags = aws__xml_tags(a, aws_xml_child(it, "tagSet"), "item", "key", "value");
}

int aws_ec2_describe_security_group_rules(aws_client *c, base_arena *a, aws_strs rule_ids,
                                          aws_filters filters, aws_ec2_sg_rules *out, aws_error *err)
{
	void *v;
	int rc = aws__ec2_describe(c, a, "DescribeSecurityGroupRules", "SecurityGroupRuleId", rule_ids,
	                           filters, "securityGroupRuleSet", sizeof *out->v, parse_rule, &v, &out->n,
	                           err);
	out->v = v;
	return rc;
}

int aws_ec2_authorize_security_group(aws_client *c, base_arena *a, const char *group_id, bool egress,
                                     const aws_ec2_ip_perm *perms, size_t n_perms, aws_tags rule_tags,
                                     aws_ec2_sg_rules *out, aws_error *err)
{
	const char *op = egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress";
	aws_query q;
	const aws_xml_node *root = NULL, *set;
	int rc;

	if (out)
		memset(out, 0, sizeof *out);
	aws_query_init(&q, op, V);
	aws_query_add(&q, "GroupId", group_id);
	add_ip_perms(&q, perms, n_perms);
	aws_query_add_tag_spec(&q, 1, "security-group-rule", rule_tags);
	rc = aws__ec2_call(c, a, op, &q, false, &root, err);
	if (rc != BASE_OK || !out)
		return rc;
	set = aws_xml_child(root, "securityGroupRuleSet");
	size_t n = aws_xml_count(set, "item"), k = 0;
	out->v = base_arena_calloc(a, n ? n : 1, sizeof *out->v);
	for (const aws_xml_node *it = aws_xml_child(set, "item"); it; it = aws_xml_next(it, "item"))
		parse_rule(a, it, &out->v[k++]);
	out->n = n;
	return BASE_OK;
}

int aws_ec2_revoke_security_group(aws_client *c, base_arena *a, const char *group_id, bool egress,
                                  const aws_ec2_ip_perm *perms, size_t n_perms, aws_error *err)
{
	const char *op = egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress";
	aws_query q;

	aws_query_init(&q, op, V);
	aws_query_add(&q, "GroupId", group_id);
	add_ip_perms(&q, perms, n_perms);
	return aws__ec2_call(c, a, op, &q, false, NULL, err);
}

int aws_ec2_revoke_security_group_rules(aws_client *c, base_arena *a, const char *group_id, bool egress,
                                        aws_strs rule_ids, aws_error *err)
{
	const char *op = egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress";
	aws_query q;

	aws_error_clear(err);
	if (rule_ids.n == 0)
		return BASE_OK;
	aws_query_init(&q, op, V);
	aws_query_add(&q, "GroupId", group_id);
	aws_query_add_list(&q, "SecurityGroupRuleId", rule_ids);
	return aws__ec2_call(c, a, op, &q, false, NULL, err);
}
