/*
 * sf_validate_egress.c - each `egress_rules` element checked as a whole:
 * a destination, the ports its protocol needs (tcp/udp: both, 0..65535,
 * from <= to), ICMP type/code (-1..255), no ports for `-1`/all and other
 * protocols (0 or -1 mean "all" and are accepted, as AWS does), protocol
 * numbers up to 255, and no duplicate rule. One diagnostic per problem, at
 * `egress_rules[i].field`; ranges the schema's int_range already refuses are
 * not reported again.
 */
#include "secure_function/sf_int.h"

#include <stdlib.h>
#include <string.h>

#include "prov/prov_validate.h"

enum proto { P_TCP, P_UDP, P_ICMP, P_ALL, P_OTHER, P_BAD };

static enum proto proto_of(const char *p)
{
	if (strcmp(p, "tcp") == 0 || strcmp(p, "6") == 0)
		return P_TCP;
	if (strcmp(p, "udp") == 0 || strcmp(p, "17") == 0)
		return P_UDP;
	if (strcmp(p, "icmp") == 0 || strcmp(p, "1") == 0 || strcmp(p, "icmpv6") == 0 || strcmp(p, "58") == 0)
		return P_ICMP;
	if (strcmp(p, "-1") == 0 || strcmp(p, "all") == 0)
		return P_ALL;
	char *end = NULL;
	long n = strtol(p, &end, 10);
	if (end && *end == '\0' && n >= 0 && n <= 255)
		return P_OTHER;
	return P_BAD;
}

static bool has(const sf_egress_rule *r, sf_egress_field f)
{
	return (r->present & SF_BIT(f)) != 0;
}

static bool null_(const sf_egress_rule *r, sf_egress_field f)
{
	return !(r->present & SF_BIT(f)) && !(r->unknown & SF_BIT(f));
}

static int64_t port(const sf_egress_rule *r, sf_egress_field f)
{
	return f == SF_EG_FROM_PORT ? r->from_port : r->to_port;
}

static void rule_err(prov_vctx *v, size_t i, sf_egress_field f, const char *summary, const char *detail)
{
	base_path p = sf_path_egress(v->a, i, f);
	prov_vctx_error(v, &p, summary, base_arena_sprintf(v->a, "%s: %s", base_path_str(v->a, p), detail));
}

static void check_ports(prov_vctx *v, size_t i, const sf_egress_rule *r)
{
	const char *fp = sf_egress_field_name(SF_EG_FROM_PORT), *tp = sf_egress_field_name(SF_EG_TO_PORT);
	if (null_(r, SF_EG_FROM_PORT) || null_(r, SF_EG_TO_PORT)) {
		sf_egress_field miss = null_(r, SF_EG_FROM_PORT) ? SF_EG_FROM_PORT : SF_EG_TO_PORT;
		rule_err(v, i, miss, "Missing port",
		         base_arena_sprintf(v->a, "Protocol \"%s\" needs %s and %s (0 to 65535).",
		                            r->protocol, fp, tp));
		return;
	}
	static const sf_egress_field f2[2] = {SF_EG_FROM_PORT, SF_EG_TO_PORT};
	for (int k = 0; k < 2; k++)
		if (has(r, f2[k]) && port(r, f2[k]) < 0)
			rule_err(v, i, f2[k], "Invalid port",
			         base_arena_sprintf(v->a,
			                            "Ports for protocol \"%s\" are 0 to 65535, got %lld.",
			                            r->protocol, (long long)port(r, f2[k])));
	if (has(r, SF_EG_FROM_PORT) && has(r, SF_EG_TO_PORT) && r->from_port >= 0 &&
	    r->from_port > r->to_port)
		rule_err(v, i, SF_EG_FROM_PORT, "Invalid port range",
		         base_arena_sprintf(v->a, "%s (%lld) is greater than %s (%lld).", fp,
		                            (long long)r->from_port, tp, (long long)r->to_port));
}

static void check_icmp(prov_vctx *v, size_t i, const sf_egress_rule *r)
{
	static const sf_egress_field f2[2] = {SF_EG_FROM_PORT, SF_EG_TO_PORT};
	static const char *const what[2] = {"type", "code"};
	for (int k = 0; k < 2; k++)
		if (has(r, f2[k]) && port(r, f2[k]) > 255)
			rule_err(
			        v, i, f2[k], base_arena_sprintf(v->a, "Invalid ICMP %s", what[k]),
			        base_arena_sprintf(v->a,
			                           "For protocol \"%s\", %s is the ICMP %s: -1 (all) or 0 to "
			                           "255, got %lld.",
			                           r->protocol, sf_egress_field_name(f2[k]), what[k],
			                           (long long)port(r, f2[k])));
}

static void check_no_ports(prov_vctx *v, size_t i, const sf_egress_rule *r)
{
	static const sf_egress_field f2[2] = {SF_EG_FROM_PORT, SF_EG_TO_PORT};
	for (int k = 0; k < 2; k++)
		if (has(r, f2[k]) && port(r, f2[k]) != 0 && port(r, f2[k]) != -1) {
			rule_err(v, i, f2[k], "Ports with a protocol that has none",
			         base_arena_sprintf(
			                 v->a,
			                 "Protocol \"%s\" allows all traffic of the protocol; remove "
			                 "%s and %s (or set them to -1).",
			                 r->protocol, sf_egress_field_name(SF_EG_FROM_PORT),
			                 sf_egress_field_name(SF_EG_TO_PORT)));
			return; /* once per rule */
		}
}

/* The rule's identity for the duplicate check: protocol class, ports, sorted destinations. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *dests_key(base_arena *a, const sf_strlist *l)
{
	const char **s = base_arena_calloc(a, l->n + 1, sizeof *s);
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i])
			s[n++] = l->v[i];
	qsort(s, n, sizeof *s, cmp_str);
	const char *out = "";
	for (size_t i = 0; i < n; i++)
		out = base_arena_sprintf(a, "%s%s,", out, s[i]);
	return out;
}

static const char *rule_key(base_arena *a, const sf_egress_rule *r, enum proto pc)
{
	if (r->unknown || !has(r, SF_EG_PROTOCOL))
		return NULL; /* not comparable while anything is unknown */
	bool ported = pc == P_TCP || pc == P_UDP || pc == P_ICMP;
	long long from = ported && has(r, SF_EG_FROM_PORT) ? (long long)r->from_port : -1;
	long long to = ported && has(r, SF_EG_TO_PORT) ? (long long)r->to_port : -1;
	const char *proto = pc == P_ALL ? "-1" : pc == P_OTHER ? r->protocol : NULL;
	if (!proto)
		proto = pc == P_TCP ? "tcp" : pc == P_UDP ? "udp" : r->protocol;
	return base_arena_sprintf(a, "%s|%lld|%lld|%s|%s|%s", proto, from, to, dests_key(a, &r->cidr_blocks),
	                          dests_key(a, &r->security_group_ids), dests_key(a, &r->prefix_list_ids));
}

static void check_rule(prov_vctx *v, size_t i, const sf_egress_rule *r, enum proto pc)
{
	if (null_(r, SF_EG_CIDR_BLOCKS) && null_(r, SF_EG_SECURITY_GROUP_IDS) &&
	    null_(r, SF_EG_PREFIX_LIST_IDS)) {
		base_path p = sf_path_index(v->a, SF_A_EGRESS_RULES, (int64_t)i);
		prov_vctx_error(v, &p, "Egress rule without destination",
		                base_arena_sprintf(v->a,
		                                   "egress_rules[%zu]: set at least one of %s, %s or %s.", i,
		                                   sf_egress_field_name(SF_EG_CIDR_BLOCKS),
		                                   sf_egress_field_name(SF_EG_SECURITY_GROUP_IDS),
		                                   sf_egress_field_name(SF_EG_PREFIX_LIST_IDS)));
	}
	if (!has(r, SF_EG_PROTOCOL))
		return;
	switch (pc) {
	case P_TCP:
	case P_UDP:
		check_ports(v, i, r);
		break;
	case P_ICMP:
		check_icmp(v, i, r);
		break;
	case P_ALL:
	case P_OTHER:
		check_no_ports(v, i, r);
		break;
	case P_BAD:
		if (strspn(r->protocol, "0123456789") == strlen(r->protocol)) /* else: the schema regex */
			rule_err(v, i, SF_EG_PROTOCOL, "Invalid protocol",
			         base_arena_sprintf(v->a, "IP protocol numbers are 0 to 255, got %s.",
			                            r->protocol));
		break;
	}
}

void sf__check_egress(prov_vctx *v, const sf_config *c)
{
	const char **keys = base_arena_calloc(v->a, c->n_egress_rules + 1, sizeof *keys);
	for (size_t i = 0; i < c->n_egress_rules; i++) {
		const sf_egress_rule *r = &c->egress_rules[i];
		if (r->present == 0 && r->unknown != 0)
			continue; /* the whole rule is unknown */
		enum proto pc = has(r, SF_EG_PROTOCOL) ? proto_of(r->protocol) : P_BAD;
		check_rule(v, i, r, pc);
		keys[i] = pc == P_BAD ? NULL : rule_key(v->a, r, pc);
		for (size_t j = 0; keys[i] && j < i; j++)
			if (keys[j] && strcmp(keys[i], keys[j]) == 0) {
				base_path p = sf_path_index(v->a, SF_A_EGRESS_RULES, (int64_t)i);
				prov_vctx_error(
				        v, &p, "Duplicate egress rule",
				        base_arena_sprintf(v->a,
				                           "egress_rules[%zu] allows the same traffic as "
				                           "egress_rules[%zu]; remove one of them.",
				                           i, j));
				break;
			}
	}
}
