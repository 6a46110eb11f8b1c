"""Real AWS rules that moto lacks, enforced by the fault proxy (proxy.py).

Each rule is switched on by a key of the proxy's `aws_rules` mode (POST
/__fault__ {"aws_rules": {...}}, `--aws-rules` on the command line, or
FaultProxy(aws_rules=...)); `{"real": true}` (or the CLI's `--aws-rules real`)
turns every rule on with the defaults below.

  dns_conflict: true
      CreateVpcEndpoint of an Interface endpoint with private DNS (the default
      for Interface) in a VPC that already has a live private-DNS interface
      endpoint for the same service -- and ModifyVpcEndpoint turning private
      DNS on in that case -- is refused as real AWS does (AWS.md section 4):
      HTTP 400 `InvalidParameter`, "private-dns-enabled cannot be set because
      there is already a conflicting DNS domain for <svc>.<region>.amazonaws.com
      in the VPC <vpc>". The check asks moto and is atomic with the create
      (creates are serialised while the rule is on), so concurrent creators
      race exactly as on AWS: one wins, the others get the error.
  endpoint_delay: SECONDS (real: 2)
      a new endpoint (created through the proxy) is left out of
      DescribeVpcEndpoints replies for that long after its create was
      answered (eventual consistency); asked for by id, it is
      `InvalidVpcEndpointId.NotFound`. The conflict check above still sees it.
  sg_dependency: true
      DeleteSecurityGroup fails with HTTP 400 `DependencyViolation`
      ("resource sg-... has a dependent object") while a live VPC endpoint
      lists the group, a network interface is in it, or a Lambda function's
      VpcConfig uses it (its hyperplane ENIs, which moto never creates).
  subnet_dependency: true
      DeleteSubnet fails with HTTP 400 `DependencyViolation` ("The subnet
      'subnet-...' has dependencies and cannot be deleted.") while a live VPC
      endpoint lists the subnet or a network interface is in it (moto's
      DeleteSubnet never fails).

  subnet_associations: true
      a subnet deleted through the proxy takes its route-table association
      with it, as on AWS (moto keeps the association of a deleted subnet and
      then refuses DeleteRouteTable with DependencyViolation): after moto
      answers DeleteSubnet, the proxy disassociates that subnet in moto.

Every refusal is logged with fault "aws:<code>".
"""
import http.client
import json
import re
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

REAL = {"dns_conflict": True, "endpoint_delay": 2.0, "sg_dependency": True, "subnet_dependency": True,
        "subnet_associations": True}
KEYS = set(REAL)
DEAD_STATES = ("deleted", "deleting", "failed", "rejected")


def normalise(spec):
    """Validates an aws_rules object; {"real": true} expands to REAL."""
    if spec in (None, {}, False):
        return {}
    if spec == "real" or spec is True:
        spec = {"real": True}
    if not isinstance(spec, dict):
        raise ValueError("\"aws_rules\" must be an object")
    out = dict(REAL) if spec.get("real") else {}
    for k, v in spec.items():
        if k == "real":
            continue
        if k not in KEYS:
            raise ValueError("aws_rules: unknown key %r (known: %s)" % (k, sorted(KEYS)))
        out[k] = float(v) if k == "endpoint_delay" else bool(v)
    return {k: v for k, v in out.items() if v}


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _child_text(el, name):
    for c in el:
        if _local(c.tag) == name:
            return (c.text or "").strip()
    return ""


def _items(root, set_name):
    """The <item>s directly under the first <set_name> element."""
    for el in root.iter():
        if _local(el.tag) == set_name:
            return [c for c in el if _local(c.tag) == "item"]
    return []


def top_level_items(xml_text, set_name):
    """(start, end) spans of the <item>...</item> blocks directly inside
    <set_name>, found textually so the rest of the reply is left byte-exact."""
    m = re.search(r"<%s>" % set_name, xml_text)
    if not m:
        return []
    spans, depth, pos, start = [], 0, m.end(), None
    tok = re.compile(r"<(/?)(item|%s)\b[^>]*?(/?)>" % set_name)
    while True:
        t = tok.search(xml_text, pos)
        if not t:
            return spans
        pos = t.end()
        closing, name, selfclose = t.group(1), t.group(2), t.group(3)
        if name == set_name and closing and depth == 0:
            return spans
        if name != "item" or selfclose:
            continue
        if not closing:
            if depth == 0:
                start = t.start()
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                spans.append((start, t.end()))


def form_params(body, query=""):
    out = {}
    for src in (query, body.decode("utf-8", "replace") if body else ""):
        for k, v in urllib.parse.parse_qsl(src, keep_blank_values=True):
            out[k] = v
    return out


def region_of(headers):
    m = re.search(r"Credential=[^/,\s]+/\d{8}/([^/]+)/", headers.get("Authorization", "") or "")
    return m.group(1) if m else "us-east-1"


class AwsRules:
    """The state behind the rules: endpoint creation times, a create lock."""

    def __init__(self, proxy):
        self.proxy = proxy
        self.lock = threading.Lock()
        self.create_lock = threading.Lock()
        self.created = {}       # endpoint id -> monotonic time its create was answered

    # -- asking moto directly (never through the rules) --
    def _moto(self, method, path, region, service, body=None):
        auth = ("AWS4-HMAC-SHA256 Credential=testing/20260101/%s/%s/aws4_request, "
                "SignedHeaders=host, Signature=0" % (region, service))
        headers = {"Authorization": auth, "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        conn = http.client.HTTPConnection(self.proxy.target_host, self.proxy.target_port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def _ec2(self, region, params):
        params = dict(params, Version="2016-11-15")
        status, data = self._moto("POST", "/", region, "ec2", urllib.parse.urlencode(params).encode())
        if status != 200:
            raise OSError("moto %s: HTTP %d" % (params.get("Action"), status))
        return ET.fromstring(data)

    def live_endpoints(self, region):
        """[{id, vpc, service, type, private_dns, groups}] of moto's live endpoints."""
        out, token = [], None
        while True:
            p = {"Action": "DescribeVpcEndpoints"}
            if token:
                p["NextToken"] = token
            root = self._ec2(region, p)
            for it in _items(root, "vpcEndpointSet"):
                state = _child_text(it, "state").lower()
                if state in DEAD_STATES:
                    continue
                groups = [_child_text(g, "groupId") for g in _items(it, "groupSet")]
                subnets = [(s.text or "").strip() for s in _items(it, "subnetIdSet")]
                enis = [(s.text or "").strip() for s in _items(it, "networkInterfaceIdSet")]
                out.append({"id": _child_text(it, "vpcEndpointId"), "vpc": _child_text(it, "vpcId"),
                            "service": _child_text(it, "serviceName"),
                            "type": _child_text(it, "vpcEndpointType").lower(),
                            "private_dns": _child_text(it, "privateDnsEnabled").lower() == "true",
                            "groups": groups, "subnets": subnets, "enis": enis})
            token = next((_child_text(root, n) for n in ("nextToken",) if _child_text(root, n)), None)
            if not token:
                return out

    def _sg_users(self, region, sg):
        """What still uses security group sg (a short text), or None."""
        for ep in self.live_endpoints(region):
            if sg in ep["groups"]:
                return "VPC endpoint %s" % ep["id"]
        root = self._ec2(region, {"Action": "DescribeNetworkInterfaces", "Filter.1.Name": "group-id",
                                  "Filter.1.Value.1": sg})
        enis = [_child_text(i, "networkInterfaceId") for i in _items(root, "networkInterfaceSet")]
        if enis:
            return "network interface %s" % enis[0]
        marker = ""
        while True:
            path = "/2015-03-31/functions/" + ("?Marker=" + urllib.parse.quote(marker) if marker else "")
            status, data = self._moto("GET", path, region, "lambda")
            if status != 200:
                raise OSError("moto ListFunctions: HTTP %d" % status)
            doc = json.loads(data.decode() or "{}")
            for fn in doc.get("Functions", []):
                if sg in ((fn.get("VpcConfig") or {}).get("SecurityGroupIds") or []):
                    return "Lambda function %s" % fn.get("FunctionName")
            marker = doc.get("NextMarker")
            if not marker:
                return None

    def _subnet_users(self, region, subnet):
        """What still sits in subnet (a short text), or None. An endpoint's own
        interfaces count through its subnet list only: moto leaves them in a
        subnet the endpoint was moved off (AWS deletes them)."""
        endpoint_enis = set()
        for ep in self.live_endpoints(region):
            if subnet in ep["subnets"]:
                return "VPC endpoint %s" % ep["id"]
            endpoint_enis.update(ep["enis"])
        root = self._ec2(region, {"Action": "DescribeNetworkInterfaces", "Filter.1.Name": "subnet-id",
                                  "Filter.1.Value.1": subnet})
        enis = [_child_text(i, "networkInterfaceId") for i in _items(root, "networkInterfaceSet")]
        enis = [i for i in enis if i not in endpoint_enis]
        return "network interface %s" % enis[0] if enis else None

    # -- the hooks the proxy calls --
    def needs_create_lock(self, rules, req):
        return rules.get("dns_conflict") and req["action"] in ("CreateVpcEndpoint", "ModifyVpcEndpoint")

    def before(self, rules, req, headers):
        """An error fault dict when a rule refuses the request, else None."""
        act = req["action"]
        if rules.get("dns_conflict") and act in ("CreateVpcEndpoint", "ModifyVpcEndpoint"):
            return self._dns_conflict(req, headers)
        if rules.get("sg_dependency") and act == "DeleteSecurityGroup":
            p = form_params(req["body"], req.get("query", ""))
            sg = p.get("GroupId")
            user = sg and self._sg_users(region_of(headers), sg)
            if user:
                return {"status": 400, "code": "DependencyViolation",
                        "message": "resource %s has a dependent object" % sg, "why": user}
        if rules.get("subnet_dependency") and act == "DeleteSubnet":
            subnet = form_params(req["body"], req.get("query", "")).get("SubnetId")
            user = subnet and self._subnet_users(region_of(headers), subnet)
            if user:
                return {"status": 400, "code": "DependencyViolation",
                        "message": "The subnet '%s' has dependencies and cannot be deleted." % subnet,
                        "why": user}
        if rules.get("endpoint_delay") and act == "DescribeVpcEndpoints":
            p = form_params(req["body"], req.get("query", ""))
            asked = [v for k, v in p.items() if re.match(r"^VpcEndpointId\.\d+$", k)]
            hidden = [i for i in asked if i in self.hidden(rules)]
            if hidden:
                return {"status": 400, "code": "InvalidVpcEndpointId.NotFound",
                        "message": "The Vpc Endpoint Id '%s' does not exist" % hidden[0]}
        return None

    def _dns_conflict(self, req, headers):
        p = form_params(req["body"], req.get("query", ""))
        region = region_of(headers)
        if req["action"] == "CreateVpcEndpoint":
            if p.get("VpcEndpointType", "Gateway").lower() != "interface":
                return None
            if p.get("PrivateDnsEnabled", "true").lower() != "true":
                return None
            vpc, service, self_id = p.get("VpcId", ""), p.get("ServiceName", ""), None
        else:
            if p.get("PrivateDnsEnabled", "").lower() != "true":
                return None
            self_id = p.get("VpcEndpointId", "")
            mine = [e for e in self.live_endpoints(region) if e["id"] == self_id]
            if not mine:
                return None
            vpc, service = mine[0]["vpc"], mine[0]["service"]
        for e in self.live_endpoints(region):
            if (e["id"] != self_id and e["vpc"] == vpc and e["service"] == service and
                    e["type"] == "interface" and e["private_dns"]):
                parts = service.split(".")
                domain = "%s.%s.amazonaws.com" % (".".join(parts[3:]), parts[2]) if len(parts) > 3 else service
                return {"status": 400, "code": "InvalidParameter",
                        "message": "private-dns-enabled cannot be set because there is already a conflicting "
                                   "DNS domain for %s in the VPC %s" % (domain, vpc), "why": e["id"]}
        return None

    def hidden(self, rules):
        delay = rules.get("endpoint_delay") or 0
        now = time.monotonic()
        with self.lock:
            return {i for i, t in self.created.items() if now - t < delay}

    def _drop_associations(self, region, subnet):
        """Disassociates subnet from every route table in moto (AWS does it
        when the subnet is deleted)."""
        root = self._ec2(region, {"Action": "DescribeRouteTables", "Filter.1.Name": "association.subnet-id",
                                  "Filter.1.Value.1": subnet})
        for rt in _items(root, "routeTableSet"):
            for a in _items(rt, "associationSet"):
                if _child_text(a, "subnetId") == subnet and _child_text(a, "routeTableAssociationId"):
                    self._ec2(region, {"Action": "DisassociateRouteTable",
                                       "AssociationId": _child_text(a, "routeTableAssociationId")})

    def after(self, rules, req, status, data, headers=None):
        """Notes a created endpoint; filters hidden ones out of a describe
        reply; drops a deleted subnet's route-table associations."""
        if rules.get("subnet_associations") and status == 200 and req["action"] == "DeleteSubnet":
            subnet = form_params(req["body"], req.get("query", "")).get("SubnetId")
            if subnet:
                self._drop_associations(region_of(headers or {}), subnet)
            return data
        if not rules.get("endpoint_delay") or status != 200:
            return data
        if req["action"] == "CreateVpcEndpoint":
            m = re.search(rb"<vpcEndpointId>([^<]+)</vpcEndpointId>", data)
            if m:
                with self.lock:
                    self.created[m.group(1).decode()] = time.monotonic()
            return data
        if req["action"] == "DescribeVpcEndpoints":
            hidden = self.hidden(rules)
            if not hidden:
                return data
            text = data.decode("utf-8")
            for s, e in reversed(top_level_items(text, "vpcEndpointSet")):
                m = re.search(r"<vpcEndpointId>([^<]+)</vpcEndpointId>", text[s:e])
                if m and m.group(1) in hidden:
                    text = text[:s] + text[e:]
            return text.encode("utf-8")
        return data
