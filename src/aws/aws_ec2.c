/*
 * aws_ec2.c - EC2 VPCs, AZs, subnets, route tables, prefix lists, network
 * interfaces and tags. Security groups live in aws_ec2_sg.c, VPC endpoints
 * in aws_ec2_vpce.c.
 */
#include "aws/aws_ec2.h"

#include <stdio.h>
#include <string.h>

#include "aws/aws_int.h"
#include "aws/aws_proto_int.h"
#include "aws/aws_query.h"
#include "aws/aws_xml.h"

#define V AWS_EC2_API_VERSION

/* ===================================================================== */
/* VPCs, attributes, AZs                                                 */
/* ===================================================================== */

static void parse_vpc(base_arena *a, const aws_xml_node *it, void *elem)
{
	aws_ec2_vpc *v = elem;

	v->vpc_id = aws_xml_path_text(it, "vpcId");
	v->cidr_block = aws_xml_path_text(it, "cidrBlock");
	v->state = aws_xml_path_text(it, "state");
	v->owner_id = aws_xml_path_text(it, "ownerId");
	(void)aws_xml_path_bool(it, "isDefault", false, &v->is_default);
	v->cidr_blocks = aws__xml_strs(a, aws_xml_child(it, "cidrBlockAssociationSet"), "item", "cidrBlock");
	v->ipv6_cidr_blocks =
	        aws__xml_strs(a, aws_xml_child(it, "ipv6CidrBlockAssociationSet"), "item", "ipv6CidrBlock");
	v->tags = aws__xml_tags(a, aws_xml_child(it, "tagSet"), "item", "key", "value");
}

int aws_ec2_describe_vpcs(aws_client *c, base_arena *a, aws_strs vpc_ids, aws_filters filters,
                          aws_ec2_vpcs *out, aws_error *err)
{
	void *v;
	int rc = aws__ec2_describe(c, a, "DescribeVpcs", "VpcId", vpc_ids, filters, "vpcSet", sizeof *out->v,
	                           parse_vpc, &v, &out->n, err);
	out->v = v;
	return rc;
}

int aws_ec2_describe_vpc_attribute(aws_client *c, base_arena *a, const char *vpc_id, const char *attribute,
                                   bool *value_out, aws_error *err)
{
	aws_query q;
	const aws_xml_node *root = NULL;
	char path[96];
	int rc;

	*value_out = false;
	aws_query_init(&q, "DescribeVpcAttribute", V);
	aws_query_add(&q, "VpcId", vpc_id);
	aws_query_add(&q, "Attribute", attribute);
	rc = aws__ec2_call(c, a, "DescribeVpcAttribute", &q, false, &root, err);
	if (rc != BASE_OK)
		return rc;
	snprintf(path, sizeof path, "%s/value", attribute);
	if (!aws_xml_path_bool(root, path, false, value_out))
		return aws__invalid_response(err, "DescribeVpcAttribute", "attribute value missing");
	return BASE_OK;
}

static void parse_az(base_arena *a, const aws_xml_node *it, void *elem)
{
	aws_ec2_az *z = elem;

	(void)a;
	z->zone_name = aws_xml_path_text(it, "zoneName");
	z->zone_id = aws_xml_path_text(it, "zoneId");
	z->state = aws_xml_path_text(it, "zoneState");
	z->region_name = aws_xml_path_text(it, "regionName");
	z->zone_type = aws_xml_path_text(it, "zoneType");
	z->opt_in_status = aws_xml_path_text(it, "optInStatus");
}

int aws_ec2_describe_availability_zones(aws_client *c, base_arena *a, aws_strs zone_names,
                                        aws_filters filters, aws_ec2_azs *out, aws_error *err)
{
	void *v;
	int rc = aws__ec2_describe(c, a, "DescribeAvailabilityZones", "ZoneName", zone_names, filters,
	                           "availabilityZoneInfo", sizeof *out->v, parse_az, &v, &out->n, err);
	out->v = v;
	return rc;
}

/* ===================================================================== */
/* Subnets                                                               */
/* ===================================================================== */

static void parse_subnet(base_arena *a, const aws_xml_node *it, void *elem)
{
	aws_ec2_subnet *s = elem;

	s->subnet_id = aws_xml_path_text(it, "subnetId");
	s->vpc_id = aws_xml_path_text(it, "vpcId");
	s->cidr_block = aws_xml_path_text(it, "cidrBlock");
	s->availability_zone = aws_xml_path_text(it, "availabilityZone");
	s->availability_zone_id = aws_xml_path_text(it, "availabilityZoneId");
	s->state = aws_xml_path_text(it, "state");
	s->owner_id = aws_xml_path_text(it, "ownerId");
	(void)aws_xml_path_int(it, "availableIpAddressCount", 0, &s->available_ip_count);
	(void)aws_xml_path_bool(it, "mapPublicIpOnLaunch", false, &s->map_public_ip_on_launch);
	(void)aws_xml_path_bool(it, "defaultForAz", false, &s->default_for_az);
	s->tags = aws__xml_tags(a, aws_xml_child(it, "tagSet"), "item", "key", "value");
}

int aws_ec2_create_subnet(aws_client *c, base_arena *a, const aws_ec2_subnet_spec *spec, aws_ec2_subnet *out,
                          aws_error *err)
{
	aws_query q;
	const aws_xml_node *root = NULL, *sn;
	int rc;

	memset(out, 0, sizeof *out);
	aws_query_init(&q, "CreateSubnet", V);
	aws_query_add(&q, "VpcId", spec->vpc_id);
	aws_query_add(&q, "CidrBlock", spec->cidr_block);
	aws_query_add(&q, "AvailabilityZone", spec->availability_zone);
	aws_query_add(&q, "AvailabilityZoneId", spec->availability_zone_id);
	aws_query_add_tag_spec(&q, 1, "subnet", spec->tags);
	rc = aws__ec2_call(c, a, "CreateSubnet", &q, true, &root, err);
	if (rc != BASE_OK)
		return rc;
	sn = aws_xml_child(root, "subnet");
	if (!aws_xml_path_text(sn, "subnetId"))
		return aws__invalid_response(err, "CreateSubnet", "subnet/subnetId missing");
	parse_subnet(a, sn, out);
	aws__ec2_subnet_seen(out);
	return BASE_OK;
}

int aws_ec2_describe_subnets(aws_client *c, base_arena *a, aws_strs subnet_ids, aws_filters filters,
                             aws_ec2_subnets *out, aws_error *err)
{
	void *v;
	size_t i;
	int rc = aws__ec2_describe(c, a, "DescribeSubnets", "SubnetId", subnet_ids, filters, "subnetSet",
	                           sizeof *out->v, parse_subnet, &v, &out->n, err);
	out->v = v;
	for (i = 0; rc == BASE_OK && i < out->n; i++)
		aws__ec2_subnet_seen(&out->v[i]); /* aws_ec2_subnet_az.c */
	return rc;
}

int aws_ec2_delete_subnet(aws_client *c, base_arena *a, const char *subnet_id, aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "DeleteSubnet", V);
	aws_query_add(&q, "SubnetId", subnet_id);
	return aws__ec2_call(c, a, "DeleteSubnet", &q, false, NULL, err);
}

/* ===================================================================== */
/* Route tables                                                          */
/* ===================================================================== */

static void parse_route_table(base_arena *a, const aws_xml_node *it, void *elem)
{
	aws_ec2_route_table *t = elem;
	const aws_xml_node *set, *x;
	size_t k;

	t->route_table_id = aws_xml_path_text(it, "routeTableId");
	t->vpc_id = aws_xml_path_text(it, "vpcId");
	t->owner_id = aws_xml_path_text(it, "ownerId");
	t->tags = aws__xml_tags(a, aws_xml_child(it, "tagSet"), "item", "key", "value");

	set = aws_xml_child(it, "associationSet");
	t->n_assocs = aws_xml_count(set, "item");
	t->assocs = base_arena_calloc(a, t->n_assocs ? t->n_assocs : 1, sizeof *t->assocs);
	for (k = 0, x = aws_xml_child(set, "item"); x; x = aws_xml_next(x, "item"), k++) {
		aws_ec2_rt_assoc *as = &t->assocs[k];
		as->association_id = aws_xml_path_text(x, "routeTableAssociationId");
		as->subnet_id = aws_xml_path_text(x, "subnetId");
		as->gateway_id = aws_xml_path_text(x, "gatewayId");
		as->state = aws_xml_path_text(x, "associationState/state");
		(void)aws_xml_path_bool(x, "main", false, &as->main);
	}

	set = aws_xml_child(it, "routeSet");
	t->n_routes = aws_xml_count(set, "item");
	t->routes = base_arena_calloc(a, t->n_routes ? t->n_routes : 1, sizeof *t->routes);
	for (k = 0, x = aws_xml_child(set, "item"); x; x = aws_xml_next(x, "item"), k++) {
		aws_ec2_route *r = &t->routes[k];
		r->destination_cidr_block = aws_xml_path_text(x, "destinationCidrBlock");
		r->destination_prefix_list_id = aws_xml_path_text(x, "destinationPrefixListId");
		r->gateway_id = aws_xml_path_text(x, "gatewayId");
		r->nat_gateway_id = aws_xml_path_text(x, "natGatewayId");
		r->network_interface_id = aws_xml_path_text(x, "networkInterfaceId");
		r->vpc_peering_connection_id = aws_xml_path_text(x, "vpcPeeringConnectionId");
		r->transit_gateway_id = aws_xml_path_text(x, "transitGatewayId");
		r->state = aws_xml_path_text(x, "state");
		r->origin = aws_xml_path_text(x, "origin");
	}
}

int aws_ec2_create_route_table(aws_client *c, base_arena *a, const char *vpc_id, aws_tags tags,
                               const char *client_token, aws_ec2_route_table *out, aws_error *err)
{
	aws_query q;
	const aws_xml_node *root = NULL, *rt;
	int rc;

	memset(out, 0, sizeof *out);
	aws_query_init(&q, "CreateRouteTable", V);
	aws_query_add(&q, "VpcId", vpc_id);
	aws_query_add_tag_spec(&q, 1, "route-table", tags);
	aws_query_add(&q, "ClientToken", client_token);
	rc = aws__ec2_call(c, a, "CreateRouteTable", &q, client_token == NULL, &root, err);
	if (rc != BASE_OK)
		return rc;
	rt = aws_xml_child(root, "routeTable");
	if (!aws_xml_path_text(rt, "routeTableId"))
		return aws__invalid_response(err, "CreateRouteTable", "routeTable/routeTableId missing");
	parse_route_table(a, rt, out);
	return BASE_OK;
}

int aws_ec2_describe_route_tables(aws_client *c, base_arena *a, aws_strs route_table_ids, aws_filters filters,
                                  aws_ec2_route_tables *out, aws_error *err)
{
	void *v;
	int rc = aws__ec2_describe(c, a, "DescribeRouteTables", "RouteTableId", route_table_ids, filters,
	                           "routeTableSet", sizeof *out->v, parse_route_table, &v, &out->n, err);
	out->v = v;
	return rc;
}

int aws_ec2_associate_route_table(aws_client *c, base_arena *a, const char *route_table_id,
                                  const char *subnet_id, const char **association_id_out, aws_error *err)
{
	aws_query q;

	aws_query_init(&q, "AssociateRouteTable", V);
	aws_query_add(&q, "RouteTableId", route_table_id);
	aws_query_add(&q, "SubnetId", subnet_id);
	return aws__ec2_call_text(c, a, "AssociateRouteTable", &q, false, "associationId", association_id_out,
	                          err);
}

int aws_ec2_disassociate_route_table(aws_client *c, base_arena *a, const char *association_id, aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "DisassociateRouteTable", V);
	aws_query_add(&q, "AssociationId", association_id);
	return aws__ec2_call(c, a, "DisassociateRouteTable", &q, false, NULL, err);
}

int aws_ec2_replace_route_table_association(aws_client *c, base_arena *a, const char *association_id,
                                            const char *route_table_id, const char **new_association_id_out,
                                            aws_error *err)
{
	aws_query q;

	aws_query_init(&q, "ReplaceRouteTableAssociation", V);
	aws_query_add(&q, "AssociationId", association_id);
	aws_query_add(&q, "RouteTableId", route_table_id);
	return aws__ec2_call_text(c, a, "ReplaceRouteTableAssociation", &q, false, "newAssociationId",
	                          new_association_id_out, err);
}

int aws_ec2_delete_route_table(aws_client *c, base_arena *a, const char *route_table_id, aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "DeleteRouteTable", V);
	aws_query_add(&q, "RouteTableId", route_table_id);
	return aws__ec2_call(c, a, "DeleteRouteTable", &q, false, NULL, err);
}

/* ===================================================================== */
/* Prefix lists                                                          */
/* ===================================================================== */

static void parse_prefix_list(base_arena *a, const aws_xml_node *it, void *elem)
{
	aws_ec2_prefix_list *p = elem;

	p->prefix_list_id = aws_xml_path_text(it, "prefixListId");
	p->prefix_list_name = aws_xml_path_text(it, "prefixListName");
	p->state = aws_xml_path_text(it, "state");
	p->owner_id = aws_xml_path_text(it, "ownerId");
	p->address_family = aws_xml_path_text(it, "addressFamily");
	p->cidrs = aws__xml_strs(a, aws_xml_child(it, "cidrSet"), "item", NULL);
}

static int describe_prefix_lists(aws_client *c, base_arena *a, const char *op, const char *set, aws_strs ids,
                                 aws_filters filters, aws_ec2_prefix_lists *out, aws_error *err)
{
	void *v;
	int rc = aws__ec2_describe(c, a, op, "PrefixListId", ids, filters, set, sizeof *out->v,
	                           parse_prefix_list, &v, &out->n, err);
	out->v = v;
	return rc;
}

int aws_ec2_describe_prefix_lists(aws_client *c, base_arena *a, aws_strs prefix_list_ids, aws_filters filters,
                                  aws_ec2_prefix_lists *out, aws_error *err)
{
	return describe_prefix_lists(c, a, "DescribePrefixLists", "prefixListSet", prefix_list_ids, filters,
	                             out, err);
}

int aws_ec2_describe_managed_prefix_lists(aws_client *c, base_arena *a, aws_strs prefix_list_ids,
                                          aws_filters filters, aws_ec2_prefix_lists *out, aws_error *err)
{
	return describe_prefix_lists(c, a, "DescribeManagedPrefixLists", "prefixListSet", prefix_list_ids,
	                             filters, out, err);
}

/* ===================================================================== */
/* Network interfaces                                                    */
/* ===================================================================== */

static void parse_eni(base_arena *a, const aws_xml_node *it, void *elem)
{
	aws_ec2_eni *e = elem;

	e->network_interface_id = aws_xml_path_text(it, "networkInterfaceId");
	e->subnet_id = aws_xml_path_text(it, "subnetId");
	e->vpc_id = aws_xml_path_text(it, "vpcId");
	e->availability_zone = aws_xml_path_text(it, "availabilityZone");
	e->description = aws_xml_path_text(it, "description");
	e->status = aws_xml_path_text(it, "status");
	e->interface_type = aws_xml_path_text(it, "interfaceType");
	e->requester_id = aws_xml_path_text(it, "requesterId");
	e->private_ip_address = aws_xml_path_text(it, "privateIpAddress");
	e->owner_id = aws_xml_path_text(it, "ownerId");
	(void)aws_xml_path_bool(it, "requesterManaged", false, &e->requester_managed);
	e->attachment_id = aws_xml_path_text(it, "attachment/attachmentId");
	e->attachment_status = aws_xml_path_text(it, "attachment/status");
	e->instance_id = aws_xml_path_text(it, "attachment/instanceId");
	e->instance_owner_id = aws_xml_path_text(it, "attachment/instanceOwnerId");
	e->security_group_ids = aws__xml_strs(a, aws_xml_child(it, "groupSet"), "item", "groupId");
	e->tags = aws__xml_tags(a, aws_xml_child(it, "tagSet"), "item", "key", "value");
}

int aws_ec2_describe_network_interfaces(aws_client *c, base_arena *a, aws_strs eni_ids, aws_filters filters,
                                        aws_ec2_enis *out, aws_error *err)
{
	void *v;
	int rc = aws__ec2_describe(c, a, "DescribeNetworkInterfaces", "NetworkInterfaceId", eni_ids, filters,
	                           "networkInterfaceSet", sizeof *out->v, parse_eni, &v, &out->n, err);
	out->v = v;
	return rc;
}

int aws_ec2_detach_network_interface(aws_client *c, base_arena *a, const char *attachment_id, bool force,
                                     aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "DetachNetworkInterface", V);
	aws_query_add(&q, "AttachmentId", attachment_id);
	if (force)
		aws_query_add_bool(&q, "Force", true);
	return aws__ec2_call(c, a, "DetachNetworkInterface", &q, false, NULL, err);
}

int aws_ec2_delete_network_interface(aws_client *c, base_arena *a, const char *eni_id, aws_error *err)
{
	aws_query q;
	aws_query_init(&q, "DeleteNetworkInterface", V);
	aws_query_add(&q, "NetworkInterfaceId", eni_id);
	return aws__ec2_call(c, a, "DeleteNetworkInterface", &q, false, NULL, err);
}

/* ===================================================================== */
/* Tags                                                                  */
/* ===================================================================== */

int aws_ec2_create_tags(aws_client *c, base_arena *a, aws_strs resource_ids, aws_tags tags, aws_error *err)
{
	aws_query q;
	aws_error_clear(err);
	if (resource_ids.n == 0 || tags.n == 0)
		return BASE_OK;
	aws_query_init(&q, "CreateTags", V);
	aws_query_add_list(&q, "ResourceId", resource_ids);
	for (size_t i = 0; i < tags.n; i++) {
		aws_query_addf(&q, tags.v[i].key, "Tag.%zu.Key", i + 1);
		/* CreateTags needs a value; NULL means "" here */
		aws_query_addf(&q, tags.v[i].value ? tags.v[i].value : "", "Tag.%zu.Value", i + 1);
	}
	return aws__ec2_call(c, a, "CreateTags", &q, false, NULL, err);
}

int aws_ec2_delete_tags(aws_client *c, base_arena *a, aws_strs resource_ids, aws_tags tags, aws_error *err)
{
	aws_query q;
	/* DeleteTags without any Tag.N would delete every tag: never send that */
	aws_error_clear(err);
	if (resource_ids.n == 0 || tags.n == 0)
		return BASE_OK;
	aws_query_init(&q, "DeleteTags", V);
	aws_query_add_list(&q, "ResourceId", resource_ids);
	aws_query_add_tags(&q, "Tag", tags);
	return aws__ec2_call(c, a, "DeleteTags", &q, false, NULL, err);
}
