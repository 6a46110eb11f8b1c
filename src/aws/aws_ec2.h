/*
 * aws_ec2.h - typed EC2 operations (query protocol, Version 2016-11-15).
 *
 * Conventions shared by every function here (and by aws_iam.h, aws_sts.h,
 * aws_lambda.h):
 *  - `c` is the shared client (thread-safe); `a` is the caller's arena: every
 *    string, array and struct in a result is allocated in it and lives until
 *    the arena is freed. Input pointers are borrowed for the call only.
 *  - Result structs are fully overwritten (zeroed first), also on failure.
 *    Absent string fields are NULL; absent lists have n == 0.
 *  - Return: BASE_OK; BASE_ENOTFOUND when AWS answers with a not-found code
 *    (aws_error_is_not_found(err), e.g. InvalidSubnetID.NotFound); BASE_EAWS
 *    for any other AWS error (err has status, code, message, request id);
 *    BASE_EINVALID when a 2xx body cannot be parsed (err->code
 *    "InvalidResponse"); otherwise the code of aws_client_send
 *    (BASE_ETHROTTLED, BASE_ETIMEOUT, BASE_ECANCELLED, BASE_EIO,
 *    BASE_ETOOBIG). err is cleared on success.
 *  - Describe* take ids and/or filters, send them in ONE request and follow
 *    nextToken until the last page, so a refresh is one call per kind.
 *    Describing by id fails with BASE_ENOTFOUND if ANY id does not exist; to
 *    get "those that still exist", pass the ids as a filter instead
 *    ("subnet-id", "group-id", "vpc-endpoint-id", "route-table-id",
 *    "network-interface-id", "vpc-id"), which never fails for missing ids.
 *  - Creates take TagSpecifications (aws_tags: ownership tag
 *    lambdavpc:function=<name> + default + user tags, merged by the caller).
 *  - Wire spelling follows AWS.md 1.3 (GroupDescription, Groups.M.GroupId,
 *    TagSpecification.N.Tag.M.Key, Filter.N.Value.M).
 * Thread-safe (no state beyond the arguments).
 */
#ifndef AWS_EC2_H
#define AWS_EC2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base_arena.h"
#include "base/base_err.h"
#include "aws/aws_client.h"
#include "aws/aws_error.h"
#include "aws/aws_types.h"

#define AWS_EC2_API_VERSION "2016-11-15"

/* ===================================================================== */
/* VPCs and availability zones                                           */
/* ===================================================================== */

typedef struct aws_ec2_vpc {
	const char *vpc_id, *cidr_block, *state, *owner_id;
	bool is_default;
	aws_strs cidr_blocks;      /* cidrBlockAssociationSet/item/cidrBlock */
	aws_strs ipv6_cidr_blocks; /* ipv6CidrBlockAssociationSet/item/ipv6CidrBlock */
	aws_tags tags;
} aws_ec2_vpc;
typedef struct aws_ec2_vpcs {
	aws_ec2_vpc *v;
	size_t n;
} aws_ec2_vpcs;

/* DescribeVpcs with VpcId.N and Filter.N (vpc-id, is-default, tag:K, ...). */
BASE_MUST_USE int aws_ec2_describe_vpcs(aws_client *c, base_arena *a, aws_strs vpc_ids, aws_filters filters,
                                        aws_ec2_vpcs *out, aws_error *err);

/* DescribeVpcAttribute; attribute is "enableDnsSupport" or
 * "enableDnsHostnames"; *value_out = its boolean value. */
BASE_MUST_USE int aws_ec2_describe_vpc_attribute(aws_client *c, base_arena *a, const char *vpc_id,
                                                 const char *attribute, bool *value_out, aws_error *err);

typedef struct aws_ec2_az {
	const char *zone_name, *zone_id, *state, *region_name, *zone_type, *opt_in_status;
} aws_ec2_az;
typedef struct aws_ec2_azs {
	aws_ec2_az *v;
	size_t n;
} aws_ec2_azs;

/* DescribeAvailabilityZones with ZoneName.N and Filter.N (state, zone-type). */
BASE_MUST_USE int aws_ec2_describe_availability_zones(aws_client *c, base_arena *a, aws_strs zone_names,
                                                      aws_filters filters, aws_ec2_azs *out, aws_error *err);

/* ===================================================================== */
/* Subnets                                                               */
/* ===================================================================== */

typedef struct aws_ec2_subnet {
	const char *subnet_id, *vpc_id, *cidr_block, *availability_zone, *availability_zone_id;
	const char *state; /* "pending" | "available" */
	const char *owner_id;
	int64_t available_ip_count;
	bool map_public_ip_on_launch, default_for_az;
	aws_tags tags;
} aws_ec2_subnet;
typedef struct aws_ec2_subnets {
	aws_ec2_subnet *v;
	size_t n;
} aws_ec2_subnets;

typedef struct aws_ec2_subnet_spec {
	const char *vpc_id;               /* required */
	const char *cidr_block;           /* required */
	const char *availability_zone;    /* always pass one (moto quirk, AWS.md 5) */
	const char *availability_zone_id; /* alternative to availability_zone */
	aws_tags tags;                    /* TagSpecification ResourceType=subnet */
} aws_ec2_subnet_spec;

/* The subnets of ids with subnet_id and availability_zone set (nothing
 * else): those any reply in this process named (a subnet's AZ never
 * changes) without a call, the rest by one DescribeSubnets of their ids
 * (all fields; an id that does not exist -> InvalidSubnetID.NotFound).
 * Thread-safe. */
BASE_MUST_USE int aws_ec2_subnet_azs(aws_client *c, base_arena *a, aws_strs ids, aws_ec2_subnets *out,
                                     aws_error *err);

/* CreateSubnet; *out = the new subnet (state usually "pending" on AWS). */
BASE_MUST_USE int aws_ec2_create_subnet(aws_client *c, base_arena *a, const aws_ec2_subnet_spec *spec,
                                        aws_ec2_subnet *out, aws_error *err);
/* DescribeSubnets with SubnetId.N and Filter.N (subnet-id, vpc-id, tag:K, availability-zone). */
BASE_MUST_USE int aws_ec2_describe_subnets(aws_client *c, base_arena *a, aws_strs subnet_ids,
                                           aws_filters filters, aws_ec2_subnets *out, aws_error *err);
/* DeleteSubnet. Not-found -> BASE_ENOTFOUND (callers treat it as done). */
BASE_MUST_USE int aws_ec2_delete_subnet(aws_client *c, base_arena *a, const char *subnet_id, aws_error *err);

/* ===================================================================== */
/* Route tables                                                          */
/* ===================================================================== */

typedef struct aws_ec2_rt_assoc {
	const char *association_id, *subnet_id, *gateway_id;
	const char *state; /* associationState/state: associated, ... */
	bool main;
} aws_ec2_rt_assoc;

typedef struct aws_ec2_route {
	const char *destination_cidr_block, *destination_prefix_list_id;
	const char *gateway_id, *nat_gateway_id, *network_interface_id, *vpc_peering_connection_id,
	        *transit_gateway_id;
	const char *state, *origin; /* "active"/"blackhole"; "CreateRouteTable"/"CreateRoute"/... */
} aws_ec2_route;

typedef struct aws_ec2_route_table {
	const char *route_table_id, *vpc_id, *owner_id;
	aws_ec2_rt_assoc *assocs;
	size_t n_assocs;
	aws_ec2_route *routes;
	size_t n_routes;
	aws_tags tags;
} aws_ec2_route_table;
typedef struct aws_ec2_route_tables {
	aws_ec2_route_table *v;
	size_t n;
} aws_ec2_route_tables;

/* CreateRouteTable (VpcId, TagSpecification route-table, ClientToken when
 * non-NULL). */
BASE_MUST_USE int aws_ec2_create_route_table(aws_client *c, base_arena *a, const char *vpc_id, aws_tags tags,
                                             const char *client_token, aws_ec2_route_table *out,
                                             aws_error *err);
/* DescribeRouteTables with RouteTableId.N and Filter.N (route-table-id,
 * vpc-id, association.subnet-id, association.main, tag:K). */
BASE_MUST_USE int aws_ec2_describe_route_tables(aws_client *c, base_arena *a, aws_strs route_table_ids,
                                                aws_filters filters, aws_ec2_route_tables *out,
                                                aws_error *err);
/* AssociateRouteTable(RouteTableId, SubnetId); *association_id_out (arena). */
BASE_MUST_USE int aws_ec2_associate_route_table(aws_client *c, base_arena *a, const char *route_table_id,
                                                const char *subnet_id, const char **association_id_out,
                                                aws_error *err);
/* DisassociateRouteTable(AssociationId). */
BASE_MUST_USE int aws_ec2_disassociate_route_table(aws_client *c, base_arena *a, const char *association_id,
                                                   aws_error *err);
/* ReplaceRouteTableAssociation(AssociationId, RouteTableId): moves a subnet
 * to another table; *new_association_id_out (arena). */
BASE_MUST_USE int aws_ec2_replace_route_table_association(aws_client *c, base_arena *a,
                                                          const char *association_id,
                                                          const char *route_table_id,
                                                          const char **new_association_id_out,
                                                          aws_error *err);
/* DeleteRouteTable(RouteTableId). */
BASE_MUST_USE int aws_ec2_delete_route_table(aws_client *c, base_arena *a, const char *route_table_id,
                                             aws_error *err);

/* ===================================================================== */
/* Security groups and rules                                             */
/* ===================================================================== */

/*
 * One IpPermissions entry. Input (authorize/revoke): every listed CIDR,
 * group and prefix list becomes one rule with the same protocol/ports; the
 * description (NULL = none) is sent on each of them. Output (describe SG):
 * the lists as AWS reports them, description = the first one seen.
 */
typedef struct aws_ec2_ip_perm {
	const char *ip_protocol;  /* "tcp" "udp" "icmp" "-1" */
	int from_port, to_port;   /* -1 for all (protocol -1, or icmp any) */
	bool omit_ports;          /* input: send no FromPort/ToPort (protocol -1) */
	aws_strs cidr_ipv4;       /* IpRanges.M.CidrIp */
	aws_strs cidr_ipv6;       /* Ipv6Ranges.M.CidrIpv6 */
	aws_strs group_ids;       /* Groups.M.GroupId */
	aws_strs prefix_list_ids; /* PrefixListIds.M.PrefixListId */
	const char *description;
} aws_ec2_ip_perm;

typedef struct aws_ec2_sg {
	const char *group_id, *group_name, *description, *vpc_id, *owner_id, *arn;
	aws_ec2_ip_perm *ingress;
	size_t n_ingress;
	aws_ec2_ip_perm *egress;
	size_t n_egress;
	aws_tags tags;
} aws_ec2_sg;
typedef struct aws_ec2_sgs {
	aws_ec2_sg *v;
	size_t n;
} aws_ec2_sgs;

typedef struct aws_ec2_sg_spec {
	const char *group_name;  /* required */
	const char *description; /* required (wire GroupDescription) */
	const char *vpc_id;      /* required for our use */
	aws_tags tags;           /* TagSpecification ResourceType=security-group */
} aws_ec2_sg_spec;

/* CreateSecurityGroup; *group_id_out (arena). Duplicate name in the VPC ->
 * BASE_EAWS with code InvalidGroup.Duplicate. Note: AWS adds a default
 * allow-all egress rule (-1, 0.0.0.0/0) that callers usually revoke. */
BASE_MUST_USE int aws_ec2_create_security_group(aws_client *c, base_arena *a, const aws_ec2_sg_spec *spec,
                                                const char **group_id_out, aws_error *err);
/* DescribeSecurityGroups with GroupId.N and Filter.N (group-id, group-name,
 * vpc-id, tag:K); includes ipPermissions / ipPermissionsEgress. */
BASE_MUST_USE int aws_ec2_describe_security_groups(aws_client *c, base_arena *a, aws_strs group_ids,
                                                   aws_filters filters, aws_ec2_sgs *out, aws_error *err);
/* DeleteSecurityGroup(GroupId). */
BASE_MUST_USE int aws_ec2_delete_security_group(aws_client *c, base_arena *a, const char *group_id,
                                                aws_error *err);

/* One rule as DescribeSecurityGroupRules reports it (exactly one target). */
typedef struct aws_ec2_sg_rule {
	const char *rule_id, *group_id, *group_owner_id;
	bool is_egress;
	const char *ip_protocol; /* "-1" for all */
	int from_port, to_port;  /* -1 when not applicable */
	const char *cidr_ipv4, *cidr_ipv6, *prefix_list_id, *referenced_group_id;
	const char *description;
	aws_tags tags;
} aws_ec2_sg_rule;
typedef struct aws_ec2_sg_rules {
	aws_ec2_sg_rule *v;
	size_t n;
} aws_ec2_sg_rules;

/* DescribeSecurityGroupRules with SecurityGroupRuleId.N and Filter.N
 * (only group-id, security-group-rule-id, tag:K are supported by AWS). */
BASE_MUST_USE int aws_ec2_describe_security_group_rules(aws_client *c, base_arena *a, aws_strs rule_ids,
                                                        aws_filters filters, aws_ec2_sg_rules *out,
                                                        aws_error *err);

/* AuthorizeSecurityGroupIngress (egress=false) / ...Egress (egress=true)
 * with IpPermissions.N...; rule_tags (may be empty) go in a TagSpecification
 * of type security-group-rule. *out (may be NULL) = the created rules
 * (securityGroupRuleSet). An existing rule -> BASE_EAWS with code
 * InvalidPermission.Duplicate (callers treat it as converged). */
BASE_MUST_USE int aws_ec2_authorize_security_group(aws_client *c, base_arena *a, const char *group_id,
                                                   bool egress, const aws_ec2_ip_perm *perms, size_t n_perms,
                                                   aws_tags rule_tags, aws_ec2_sg_rules *out, aws_error *err);
/* RevokeSecurityGroupIngress/Egress by IpPermissions. A rule that does not
 * exist -> BASE_ENOTFOUND (InvalidPermission.NotFound), or BASE_OK on a
 * default VPC (AWS then lists it in unknownIpPermissionSet, ignored). */
BASE_MUST_USE int aws_ec2_revoke_security_group(aws_client *c, base_arena *a, const char *group_id,
                                                bool egress, const aws_ec2_ip_perm *perms, size_t n_perms,
                                                aws_error *err);
/* RevokeSecurityGroupIngress/Egress by SecurityGroupRuleId.N. Unknown id ->
 * BASE_ENOTFOUND (InvalidSecurityGroupRuleId.NotFound). Empty list: BASE_OK,
 * nothing sent. */
BASE_MUST_USE int aws_ec2_revoke_security_group_rules(aws_client *c, base_arena *a, const char *group_id,
                                                      bool egress, aws_strs rule_ids, aws_error *err);

/* ===================================================================== */
/* VPC endpoints                                                         */
/* ===================================================================== */

typedef struct aws_ec2_vpce {
	const char *vpc_endpoint_id;
	const char *type; /* "Interface" | "Gateway" | ... */
	const char *vpc_id, *service_name;
	const char *state; /* lowerCamel on the wire: pending, available, deleting,
	                      deleted, failed, ...; compare case-insensitively */
	const char *policy_document, *owner_id, *creation_timestamp;
	const char *last_error_code, *last_error_message;
	bool private_dns_enabled, requester_managed;
	aws_strs route_table_ids, subnet_ids, security_group_ids, network_interface_ids;
	aws_strs dns_names; /* dnsEntrySet/item/dnsName */
	aws_tags tags;
} aws_ec2_vpce;
typedef struct aws_ec2_vpces {
	aws_ec2_vpce *v;
	size_t n;
} aws_ec2_vpces;

typedef struct aws_ec2_vpce_spec {
	const char *vpc_id;               /* required */
	const char *service_name;         /* required, "com.amazonaws.<region>.logs" */
	const char *type;                 /* "Interface" | "Gateway" (NULL = AWS default Gateway) */
	aws_strs subnet_ids;              /* Interface: SubnetId.N */
	aws_strs security_group_ids;      /* Interface: SecurityGroupId.N */
	aws_strs route_table_ids;         /* Gateway: RouteTableId.N */
	aws_opt_bool private_dns_enabled; /* Interface only */
	const char *policy_document;      /* NULL = default full-access policy */
	const char *client_token;         /* <= 64 ASCII chars; NULL = none */
	aws_tags tags;                    /* TagSpecification ResourceType=vpc-endpoint */
} aws_ec2_vpce_spec;

/* CreateVpcEndpoint; *out = the endpoint as returned. */
BASE_MUST_USE int aws_ec2_create_vpc_endpoint(aws_client *c, base_arena *a, const aws_ec2_vpce_spec *spec,
                                              aws_ec2_vpce *out, aws_error *err);
/* DescribeVpcEndpoints with VpcEndpointId.N and Filter.N (vpc-id,
 * service-name, vpc-endpoint-state, vpc-endpoint-type, vpc-endpoint-id,
 * tag:K). Deleted endpoints may still be listed with state "deleted". */
BASE_MUST_USE int aws_ec2_describe_vpc_endpoints(aws_client *c, base_arena *a, aws_strs vpc_endpoint_ids,
                                                 aws_filters filters, aws_ec2_vpces *out, aws_error *err);

/*
 * DescribeVpcEndpointServices, every page: the names of the endpoint
 * services of the client's region (AWS's "com.amazonaws.<region>.<svc>" and
 * partner/vendor services) as *out (in a).
 */
BASE_MUST_USE int aws_ec2_describe_vpc_endpoint_service_names(aws_client *c, base_arena *a, aws_strs *out,
                                                              aws_error *err);

typedef struct aws_ec2_vpce_mod {
	const char *vpc_endpoint_id; /* required */
	aws_strs add_subnet_ids, remove_subnet_ids;
	aws_strs add_security_group_ids, remove_security_group_ids;
	aws_strs add_route_table_ids, remove_route_table_ids;
	aws_opt_bool private_dns_enabled;
	const char *policy_document; /* NULL = unchanged */
	bool reset_policy;
} aws_ec2_vpce_mod;

/* ModifyVpcEndpoint (Add/Remove lists as set differences computed by caller). */
BASE_MUST_USE int aws_ec2_modify_vpc_endpoint(aws_client *c, base_arena *a, const aws_ec2_vpce_mod *mod,
                                              aws_error *err);

/* One entry of an `unsuccessful` set (HTTP 200 with per-item failures). */
typedef struct aws_ec2_failed_item {
	const char *resource_id, *code, *message;
} aws_ec2_failed_item;
typedef struct aws_ec2_failed_items {
	aws_ec2_failed_item *v;
	size_t n;
} aws_ec2_failed_items;

/* DeleteVpcEndpoints(VpcEndpointId.N). BASE_OK even when some items failed:
 * check *failed (may be NULL to ignore); code InvalidVpcEndpoint.NotFound
 * means already gone. Empty list: BASE_OK, nothing sent. */
BASE_MUST_USE int aws_ec2_delete_vpc_endpoints(aws_client *c, base_arena *a, aws_strs vpc_endpoint_ids,
                                               aws_ec2_failed_items *failed, aws_error *err);

/* ===================================================================== */
/* Prefix lists                                                          */
/* ===================================================================== */

typedef struct aws_ec2_prefix_list {
	const char *prefix_list_id, *prefix_list_name;
	const char *state, *owner_id, *address_family; /* managed prefix lists only */
	aws_strs cidrs;                                /* DescribePrefixLists only */
} aws_ec2_prefix_list;
typedef struct aws_ec2_prefix_lists {
	aws_ec2_prefix_list *v;
	size_t n;
} aws_ec2_prefix_lists;

/* DescribePrefixLists with PrefixListId.N and Filter.N (prefix-list-name =
 * com.amazonaws.<region>.s3, prefix-list-id). */
BASE_MUST_USE int aws_ec2_describe_prefix_lists(aws_client *c, base_arena *a, aws_strs prefix_list_ids,
                                                aws_filters filters, aws_ec2_prefix_lists *out,
                                                aws_error *err);
/* DescribeManagedPrefixLists with PrefixListId.N and Filter.N
 * (prefix-list-name, prefix-list-id, owner-id). */
BASE_MUST_USE int aws_ec2_describe_managed_prefix_lists(aws_client *c, base_arena *a,
                                                        aws_strs prefix_list_ids, aws_filters filters,
                                                        aws_ec2_prefix_lists *out, aws_error *err);

/* ===================================================================== */
/* Network interfaces                                                    */
/* ===================================================================== */

typedef struct aws_ec2_eni {
	const char *network_interface_id, *subnet_id, *vpc_id, *availability_zone;
	const char *description;
	const char *status;         /* available | in-use | attaching | detaching */
	const char *interface_type; /* "lambda", "interface", "vpc_endpoint", ... */
	const char *requester_id, *private_ip_address, *owner_id;
	bool requester_managed;
	const char *attachment_id, *attachment_status, *instance_id, *instance_owner_id;
	aws_strs security_group_ids; /* groupSet/item/groupId */
	aws_tags tags;
} aws_ec2_eni;
typedef struct aws_ec2_enis {
	aws_ec2_eni *v;
	size_t n;
} aws_ec2_enis;

/* DescribeNetworkInterfaces with NetworkInterfaceId.N and Filter.N
 * (group-id, subnet-id, vpc-id, description (wildcards), interface-type,
 * requester-managed, status, ...). */
BASE_MUST_USE int aws_ec2_describe_network_interfaces(aws_client *c, base_arena *a, aws_strs eni_ids,
                                                      aws_filters filters, aws_ec2_enis *out, aws_error *err);
/* DetachNetworkInterface(AttachmentId, Force). */
BASE_MUST_USE int aws_ec2_detach_network_interface(aws_client *c, base_arena *a, const char *attachment_id,
                                                   bool force, aws_error *err);
/* DeleteNetworkInterface(NetworkInterfaceId). */
BASE_MUST_USE int aws_ec2_delete_network_interface(aws_client *c, base_arena *a, const char *eni_id,
                                                   aws_error *err);

/* ===================================================================== */
/* Tags                                                                  */
/* ===================================================================== */

/* CreateTags(ResourceId.N, Tag.N.Key/Value): adds or overwrites (a NULL
 * value is sent as ""). No resources or no tags: BASE_OK, nothing sent. */
BASE_MUST_USE int aws_ec2_create_tags(aws_client *c, base_arena *a, aws_strs resource_ids, aws_tags tags,
                                      aws_error *err);
/* DeleteTags(ResourceId.N, Tag.N.Key[/Value]); a NULL value deletes the key
 * whatever its value. No resources or no tags: BASE_OK and nothing is sent
 * (AWS would delete EVERY tag of the resources). */
BASE_MUST_USE int aws_ec2_delete_tags(aws_client *c, base_arena *a, aws_strs resource_ids, aws_tags tags,
                                      aws_error *err);
/* DeleteTags of keys on one resource; concurrent callers of one client
 * with the same keys share one call naming all their resources
 * (aws_ec2_batch.c); when that call fails, each sends its own. No keys:
 * BASE_OK, nothing sent. Thread-safe. */
BASE_MUST_USE int aws_ec2_untag_batched(aws_client *c, base_arena *a, const char *resource_id, aws_tags keys,
                                        aws_error *err);

#endif
