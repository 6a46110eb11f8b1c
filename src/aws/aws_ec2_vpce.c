/*
 * aws_ec2_vpce.c - EC2 VPC endpoints (interface and gateway).
 */
#include "aws/aws_ec2.h"

#include <string.h>

#include "aws/aws_proto_int.h"
#include "aws/aws_query.h"
#include "aws/aws_xml.h"

#define V AWS_EC2_API_VERSION

static void add_opt_bool(aws_query *q, const char *key, aws_opt_bool b)
{
	if (b != AWS_BOOL_UNSET)
		aws_query_add_bool(q, key, b == AWS_BOOL_TRUE);
}

static void parse_vpce(base_arena *a, const aws_xml_node *it, void *elem)
{
	aws_ec2_vpce *e = elem;

	e->vpc_endpoint_id = aws_xml_path_text(it, "vpcEndpointId");
	e->type = aws_xml_path_text(it, "vpcEndpointType");
	e->vpc_id = aws_xml_path_text(it, "vpcId");
	e->service_name = aws_xml_path_text(it, "serviceName");
	e->state = aws_xml_path_text(it, "state");
	e->policy_document = aws_xml_path_text(it, "policyDocument");
	e->owner_id = aws_xml_path_text(it, "ownerId");
	e->creation_timestamp = aws_xml_path_text(it, "creationTimestamp");
	e->last_error_code = aws_xml_path_text(it, "lastError/code");
	e->last_error_message = aws_xml_path_text(it, "lastError/message");
	(void)aws_xml_path_bool(it, "privateDnsEnabled", false, &e->private_dns_enabled);
	(void)aws_xml_path_bool(it, "requesterManaged", false, &e->requester_managed);
	e->route_table_ids = aws__xml_strs(a, aws_xml_child(it, "routeTableIdSet"), "item", NULL);
	e->subnet_ids = aws__xml_strs(a, aws_xml_child(it, "subnetIdSet"), "item", NULL);
	e->security_group_ids = aws__xml_strs(a, aws_xml_child(it, "groupSet"), "item", "groupId");
	e->network_interface_ids = aws__xml_strs(a, aws_xml_child(it, "networkInterfaceIdSet"), "item", NULL);
	e->dns_names = aws__xml_strs(a, aws_xml_child(it, "dnsEntrySet"), "item", "dnsName");
	e->tags = aws__xml_tags(a, aws_xml_child(it, "tagSet"), "item", "key", "value");
}

int aws_ec2_create_vpc_endpoint(aws_client *c, base_arena *a, const aws_ec2_vpce_spec *spec,
                                aws_ec2_vpce *out, aws_error *err)
{
	aws_query q;
	const aws_xml_node *root = NULL, *ep;
	int rc;

	memset(out, 0, sizeof *out);
	aws_query_init(&q, "CreateVpcEndpoint", V);
	aws_query_add(&q, "VpcId", spec->vpc_id);
	aws_query_add(&q, "ServiceName", spec->service_name);
	aws_query_add(&q, "VpcEndpointType", spec->type);
	aws_query_add_list(&q, "SubnetId", spec->subnet_ids);
	aws_query_add_list(&q, "SecurityGroupId", spec->security_group_ids);
	aws_query_add_list(&q, "RouteTableId", spec->route_table_ids);
	add_opt_bool(&q, "PrivateDnsEnabled", spec->private_dns_enabled);
	aws_query_add(&q, "PolicyDocument", spec->policy_document);
	aws_query_add(&q, "ClientToken", spec->client_token);
	aws_query_add_tag_spec(&q, 1, "vpc-endpoint", spec->tags);
	/* with a ClientToken a blind retry is safe: AWS returns the same endpoint */
	rc = aws__ec2_call(c, a, "CreateVpcEndpoint", &q, spec->client_token == NULL, &root, err);
	if (rc != BASE_OK)
		return rc;
	ep = aws_xml_child(root, "vpcEndpoint");
	if (!aws_xml_path_text(ep, "vpcEndpointId"))
		return aws__invalid_response(err, "CreateVpcEndpoint", "vpcEndpoint/vpcEndpointId missing");
	parse_vpce(a, ep, out);
	return BASE_OK;
}

int aws_ec2_describe_vpc_endpoints(aws_client *c, base_arena *a, aws_strs vpc_endpoint_ids,
                                   aws_filters filters, aws_ec2_vpces *out, aws_error *err)
{
	void *v;
	int rc = aws__ec2_describe(c, a, "DescribeVpcEndpoints", "VpcEndpointId", vpc_endpoint_ids, filters,
	                           "vpcEndpointSet", sizeof *out->v, parse_vpce, &v, &out->n, err);
	out->v = v;
	return rc;
}

int aws_ec2_modify_vpc_endpoint(aws_client *c, base_arena *a, const aws_ec2_vpce_mod *mod, aws_error *err)
{
	aws_query q;

	aws_query_init(&q, "ModifyVpcEndpoint", V);
	aws_query_add(&q, "VpcEndpointId", mod->vpc_endpoint_id);
	aws_query_add_list(&q, "AddSubnetId", mod->add_subnet_ids);
	aws_query_add_list(&q, "RemoveSubnetId", mod->remove_subnet_ids);
	aws_query_add_list(&q, "AddSecurityGroupId", mod->add_security_group_ids);
	aws_query_add_list(&q, "RemoveSecurityGroupId", mod->remove_security_group_ids);
	aws_query_add_list(&q, "AddRouteTableId", mod->add_route_table_ids);
	aws_query_add_list(&q, "RemoveRouteTableId", mod->remove_route_table_ids);
	add_opt_bool(&q, "PrivateDnsEnabled", mod->private_dns_enabled);
	aws_query_add(&q, "PolicyDocument", mod->policy_document);
	if (mod->reset_policy)
		aws_query_add_bool(&q, "ResetPolicy", true);
	return aws__ec2_call(c, a, "ModifyVpcEndpoint", &q, false, NULL, err);
}

int aws_ec2_delete_vpc_endpoints(aws_client *c, base_arena *a, aws_strs vpc_endpoint_ids,
                                 aws_ec2_failed_items *failed, aws_error *err)
{
	aws_query q;
	const aws_xml_node *root = NULL, *set;
	int rc;

	if (failed)
		memset(failed, 0, sizeof *failed);
	aws_error_clear(err);
	if (vpc_endpoint_ids.n == 0)
		return BASE_OK;
	aws_query_init(&q, "DeleteVpcEndpoints", V);
	aws_query_add_list(&q, "VpcEndpointId", vpc_endpoint_ids);
	rc = aws__ec2_call(c, a, "DeleteVpcEndpoints", &q, false, &root, err);
	if (rc != BASE_OK || !failed)
		return rc;
	set = aws_xml_child(root, "unsuccessful");
	size_t n = aws_xml_count(set, "item"), k = 0;
	failed->v = base_arena_calloc(a, n ? n : 1, sizeof *failed->v);
	for (const aws_xml_node *it = aws_xml_child(set, "item"); it; it = aws_xml_next(it, "item"), k++) {
		failed->v[k].resource_id = aws_xml_path_text(it, "resourceId");
		failed->v[k].code = aws_xml_path_text(it, "error/code");
		failed->v[k].message = aws_xml_path_text(it, "error/message");
	}
	failed->n = n;
	return BASE_OK;
}

int aws_ec2_describe_vpc_endpoint_service_names(aws_client *c, base_arena *a, aws_strs *out, aws_error *err)
{
	const aws_xml_node **items = NULL;
	size_t n = 0, cap = 0;
	const char *token = NULL;
	memset(out, 0, sizeof *out);
	for (int page = 0; page < 100; page++) {
		aws_query q;
		const aws_xml_node *root = NULL;
		aws_query_init(&q, "DescribeVpcEndpointServices", V);
		aws_query_add(&q, "NextToken", token);
		int rc = aws__ec2_call(c, a, "DescribeVpcEndpointServices", &q, false, &root, err);
		if (rc != BASE_OK)
			return rc;
		aws__xml_collect(a, aws_xml_child(root, "serviceNameSet"), "item", &items, &n, &cap);
		token = aws_xml_path_text(root, "nextToken");
		if (!token || !*token)
			break;
	}
	const char **v = base_arena_calloc(a, n ? n : 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = aws_xml_text(items[i]);
		if (s && *s)
			v[k++] = s;
	}
	out->v = v;
	out->n = k;
	return BASE_OK;
}
