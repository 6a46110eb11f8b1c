#!/usr/bin/env python3
"""A small fault-injecting HTTP proxy between an AWS client and moto (STYLE.md C13).

moto cannot produce throttling, DependencyViolation, Lambda `Pending` states or
dropped connections (AWS.md section 5). This proxy forwards every request to a
moto URL and, for requests matching a rule, injects one of those failures
instead (or in addition). python3 stdlib only.

Run:  python3 tests/fault/proxy.py --target http://127.0.0.1:MOTO_PORT
          [--port 0] [--rules rules.json] [--url-file FILE]
It binds 127.0.0.1 (a free port unless --port), prints
`PROXY_URL=http://127.0.0.1:PORT` as its first stdout line and serves until
killed. Or in-process: `p = FaultProxy(target); p.start(); ...; p.stop()`.

Control endpoint (served by the proxy itself, never forwarded):
  GET    /__fault__          {"rules": [...], "keep_alive", "state"} with
                             per-rule "seen"/"injected"
  POST   /__fault__          body {"rules": [...]} replaces the rules
                             (add "append": true to append instead;
                             "keep_alive": true makes the proxy answer
                             HTTP/1.1 and keep connections open, so a drop
                             can hit a connection the client reuses;
                             "state": {"k": "v"} sets state variables, see
                             match "state" / fault "set_state")
  POST   /__fault__/reset    clears rules, state and the log
  GET    /__fault__/log      {"requests": [...]} (optional ?action=Op filter)
  DELETE /__fault__/log      clears the log

Rule (JSON):
  {"match":  {"service": "ec2|iam|sts|lambda",   all keys optional, AND-ed
              "action":  "DescribeVpcs",          exact; for Lambda the
                                                  inferred REST op name
              "action_regex": "^Delete(Subnet|SecurityGroup)$",
              "method":  "GET", "path": "regex on the path (no query)",
              "body_regex": "regex searched in the request body",
              "reused_connection": true    only requests that are not the
                                  first on their connection (keep_alive),
              "state": {"eni": "in-use"}   proxy state variables (unset =
                                  ""); a value or a list of accepted values.
                                  A rule whose state does not match does not
                                  see (count) the request at all},
   "skip":  0,      let the first K matches through untouched
   "times": 1,      then inject for the next N matches (-1 = for ever).
                    Every rule counts every request it matches; the first
                    rule in its window handles the request.
   "fault": {
     "status": 503, "code": "RequestLimitExceeded", "message": "...",
                    an AWS error reply in the service's shape: EC2
                    <Response><Errors>..., IAM/STS <ErrorResponse>, Lambda
                    JSON + x-amzn-ErrorType ("shape": "ec2|query|json"
                    overrides; "body"/"content_type" give a raw reply)
     "retry_after": "2",          Retry-After header on the injected reply
     "headers": {"K": "V"},       extra headers on the injected reply
     "delay": 1.5,                seconds to wait before doing anything
     "forward": true,             with status/drop: send the request to moto
                                  first (it takes effect), then fail
     "delay_after": 65,           seconds to wait after forwarding, before
                                  answering (a timeout after the effect)
     "drop": true,                close the connection without any reply
     "reset": true,               with drop: abortive close (TCP RST)
     "rewrite_json": {"Configuration.State": "Pending"}
                                  forward, and in a 2xx JSON reply replace the
                                  values at these dotted paths where the key
                                  exists -- e.g. Lambda State=Pending. A
                                  rewrite-only rule counts (skip/times) only
                                  the 2xx replies it rewrote
     "rewrite_json_add": {...}    same, but also adds missing keys (where the
                                  parent object exists)
     "reply": {"status": 200, "body": "<xml/>", "content_type": "text/xml",
               "headers": {...}}  answer the request with this reply, never
                                  forwarding it (a fake success, e.g. a
                                  DescribeNetworkInterfaces listing an ENI
                                  moto cannot make); logged "reply:<status>"
     "set_state": {"eni": "gone"} when this rule handles a request, set these
                                  state variables (before the reply); alone
                                  (no other fault key) the request is
                                  forwarded untouched
   }}

Modes beside the rules (they survive /__fault__/reset; POST to change them):
  "aws_rules": {...}     real AWS rules moto lacks, see aws_rules.py: a second
                         private-DNS interface endpoint for a service in a VPC
                         refused (InvalidParameter "conflicting DNS domain"),
                         new endpoints listed only after a delay,
                         DeleteSecurityGroup refused (DependencyViolation)
                         while an endpoint, ENI or function uses the group.
                         {"real": true} = all on. CLI: --aws-rules real|JSON
  "chaos": {"seed": 7, "rate": 0.1, "kinds": ["throttle", "5xx",
            "reset_before", "reset_after"], "action_regex": "..."}
                         seeded random faults on that share of the requests
                         no rule handled (optionally only matching actions):
                         the service's throttling error, a 500/503, a TCP
                         reset before forwarding, or one after moto answered.
                         null = off. GET shows "chaos_counts". CLI: --chaos JSON
  "rate_limit": {"rps": 15, "burst": 30}
                         AWS-style request-rate throttling: a token bucket of
                         `burst` tokens refilled at `rps`; a request finding
                         it empty gets the service's throttling error (logged
                         "ratelimit:throttle"), so a client that slows down
                         stops being throttled. null = off. GET shows
                         "rate_limited". CLI: --rate-limit JSON
In-process only: FaultProxy.on_answered = fn(entry, req) is called after moto
answered a forwarded request, before the reply goes back; if it returns True
the connection is reset instead (e.g. the test killed the client meanwhile).
FaultProxy.on_request = fn(req) -> True resets before forwarding.

Log entry: {"seq", "time" (epoch s), "mono" (monotonic s, for gaps), "service",
"action", "method", "path", "rule" (index or null), "fault" (what was done:
"error:<code>", "drop", "rewrite", "delay", "reply:<status>", "state" or null), "forwarded", "status",
"reused_connection" (not the first request on its connection)}.
Request/response headers and bodies are never logged (they carry signatures).
"""
import argparse
import http.client
import random
import http.server
import json
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid

import aws_rules as awsr
from xml.etree.ElementTree import ParseError as ET_ParseError

CONTROL = "/__fault__"
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
              "upgrade", "content-length"}

# Lambda REST operations we can name from method + path (AWS.md 1.6).
_LAMBDA_OPS = [
    ("POST", r"^/2015-03-31/functions/?$", "CreateFunction"),
    ("GET", r"^/2015-03-31/functions/?$", "ListFunctions"),
    ("GET", r"^/2015-03-31/functions/[^/]+/configuration/?$", "GetFunctionConfiguration"),
    ("PUT", r"^/2015-03-31/functions/[^/]+/configuration/?$", "UpdateFunctionConfiguration"),
    ("PUT", r"^/2015-03-31/functions/[^/]+/code/?$", "UpdateFunctionCode"),
    ("POST", r"^/2015-03-31/functions/[^/]+/versions/?$", "PublishVersion"),
    ("GET", r"^/2015-03-31/functions/[^/]+/versions/?$", "ListVersionsByFunction"),
    ("POST", r"^/2015-03-31/functions/[^/]+/invocations/?$", "Invoke"),
    ("GET", r"^/2015-03-31/functions/[^/]+/?$", "GetFunction"),
    ("DELETE", r"^/2015-03-31/functions/[^/]+/?$", "DeleteFunction"),
    ("POST", r"^/2017-03-31/tags/.+$", "TagResource"),
    ("DELETE", r"^/2017-03-31/tags/.+$", "UntagResource"),
    ("GET", r"^/2017-03-31/tags/.+$", "ListTags"),
    ("PUT", r"^/2017-10-31/functions/[^/]+/concurrency/?$", "PutFunctionConcurrency"),
    ("DELETE", r"^/2017-10-31/functions/[^/]+/concurrency/?$", "DeleteFunctionConcurrency"),
    ("GET", r"^/2019-09-30/functions/[^/]+/concurrency/?$", "GetFunctionConcurrency"),
]


def lambda_op(method, path):
    """Names a Lambda REST operation from method + path ("" when unknown)."""
    for m, rx, name in _LAMBDA_OPS:
        if m == method and re.match(rx, path):
            return name
    return ""


def service_of(headers):
    """The SigV4 credential-scope service (moto routes by it too), or ""."""
    auth = headers.get("Authorization", "") or ""
    m = re.search(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request", auth)
    return m.group(1) if m else ""


def action_of(method, path, query, body, content_type):
    """Action= from the form body or query string (EC2/IAM/STS)."""
    params = {}
    if query:
        params.update(urllib.parse.parse_qs(query, keep_blank_values=True))
    if body and "x-www-form-urlencoded" in (content_type or ""):
        try:
            params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
        except ValueError:
            pass
    act = params.get("Action")
    return act[0] if act else ""


def error_reply(service, fault):
    """(status, headers, body bytes) for an injected AWS error of the service's shape."""
    status = int(fault.get("status", 400))
    code = fault.get("code", "InternalError")
    msg = fault.get("message", "Injected fault: %s" % code)
    rid = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": rid}
    if "body" in fault:
        body = fault["body"]
        body = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers["Content-Type"] = fault.get("content_type", "text/xml")
        return status, headers, body
    shape = fault.get("shape") or {"ec2": "ec2", "iam": "query", "sts": "query", "lambda": "json"}.get(service, "ec2")
    esc = lambda s: (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    if shape == "json":
        headers["Content-Type"] = "application/json"
        headers["x-amzn-ErrorType"] = code
        doc = {"Type": "Service" if status >= 500 else "User", "message": msg}
        if code == "TooManyRequestsException":
            doc["Reason"] = fault.get("reason", "CallerRateLimitExceeded")
        body = json.dumps(doc).encode()
    elif shape == "query":
        headers["Content-Type"] = "text/xml"
        typ = "Receiver" if status >= 500 else "Sender"
        ns = "https://sts.amazonaws.com/doc/2011-06-15/" if service == "sts" else \
             "https://iam.amazonaws.com/doc/2010-05-08/"
        body = ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message>'
                '</Error><RequestId>%s</RequestId></ErrorResponse>' % (ns, typ, esc(code), esc(msg), rid)).encode()
    else:
        headers["Content-Type"] = "text/xml;charset=UTF-8"
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code>'
                '<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>'
                % (esc(code), esc(msg), rid)).encode()
    return status, headers, body


def set_dotted(doc, path, value, add=False):
    """Sets doc[a][b]... = value when the key exists (add: when the parent
    object exists); True if set."""
    parts = path.split(".")
    cur = doc
    for p in parts[:-1]:
        if not isinstance(cur, dict) or not isinstance(cur.get(p), dict):
            return False
        cur = cur[p]
    if not isinstance(cur, dict) or (not add and parts[-1] not in cur):
        return False
    cur[parts[-1]] = value
    return True


class Rule:
    def __init__(self, spec, index):
        if not isinstance(spec, dict) or not isinstance(spec.get("fault", {}), dict):
            raise ValueError("rule %d: expected an object with a \"fault\" object" % index)
        self.spec = spec
        self.index = index
        self.match = spec.get("match", {}) or {}
        self.skip = int(spec.get("skip", 0))
        self.times = int(spec.get("times", 1))
        self.fault = spec.get("fault", {}) or {}
        self.seen = 0
        self.injected = 0
        for k in ("action_regex", "path", "body_regex"):
            if k in self.match:
                re.compile(self.match[k])
        unknown = set(self.match) - {"service", "action", "action_regex", "method", "path", "body_regex", "state",
                                     "reused_connection"}
        if unknown:
            raise ValueError("rule %d: unknown match keys %s" % (index, sorted(unknown)))
        if not isinstance(self.match.get("state", {}), dict) or not isinstance(self.fault.get("set_state", {}), dict):
            raise ValueError("rule %d: \"state\" and \"set_state\" must be objects" % index)
        if "reply" in self.fault and not isinstance(self.fault["reply"], dict):
            raise ValueError("rule %d: \"reply\" must be an object" % index)

    def matches(self, req, state=None):
        m = self.match
        for k, want in (m.get("state") or {}).items():
            have = (state or {}).get(k, "")
            if have not in (want if isinstance(want, list) else [want]):
                return False
        if "service" in m and m["service"] != req["service"]:
            return False
        if "action" in m and m["action"] != req["action"]:
            return False
        if "action_regex" in m and not re.search(m["action_regex"], req["action"] or ""):
            return False
        if "method" in m and m["method"].upper() != req["method"]:
            return False
        if "path" in m and not re.search(m["path"], req["path"]):
            return False
        if "body_regex" in m and not re.search(m["body_regex"], req["body"].decode("utf-8", "replace")):
            return False
        if "reused_connection" in m and bool(m["reused_connection"]) != req.get("reused_connection", False):
            return False
        return True

    def describe(self):
        d = dict(self.spec)
        d["seen"] = self.seen
        d["injected"] = self.injected
        return d


class FaultProxy:
    """The proxy: rules + log + a ThreadingHTTPServer on 127.0.0.1. Thread-safe."""

    def __init__(self, target, port=0, rules=None):
        u = urllib.parse.urlsplit(target)
        if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError("target must be http://127.0.0.1:PORT (got %s)" % target)
        self.target_host = "127.0.0.1"
        self.target_port = u.port or 80
        self.lock = threading.Lock()
        self.rules = []
        self.log = []
        self.seq = 0
        self.keep_alive = False
        self.state = {}
        self.aws_rules = {}
        self.aws = awsr.AwsRules(self)
        self.chaos = None
        self.chaos_rng = None
        self.chaos_counts = {}
        self.rate_limit = None
        self.rate_tokens = 0.0
        self.rate_t = 0.0
        self.rate_limited = 0
        self.on_request = None
        self.on_answered = None
        if rules:
            self.set_rules(rules)
        handler = type("Handler", (_Handler,), {"proxy": self})
        self.server = _Server(("127.0.0.1", port), handler)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = None

    # -- rules and log (also used by the control endpoint) --
    def set_rules(self, specs, append=False):
        with self.lock:
            base = len(self.rules) if append else 0
            new = [Rule(s, base + i) for i, s in enumerate(specs)]
            self.rules = (self.rules + new) if append else new

    def set_aws_rules(self, spec):
        rules = awsr.normalise(spec)
        with self.lock:
            self.aws_rules = rules

    def set_chaos(self, spec):
        """Seeded random faults (see the module docstring); None = off."""
        if spec is not None:
            if not isinstance(spec, dict):
                raise ValueError("\"chaos\" must be an object or null")
            kinds = spec.get("kinds", list(CHAOS_KINDS))
            bad = [k for k in kinds if k not in CHAOS_KINDS]
            if bad or not kinds:
                raise ValueError("chaos: unknown kinds %s (known: %s)" % (bad, list(CHAOS_KINDS)))
            if "action_regex" in spec:
                re.compile(spec["action_regex"])
            spec = dict(spec, kinds=kinds, rate=float(spec.get("rate", 0.1)))
        with self.lock:
            self.chaos = spec
            self.chaos_rng = random.Random(spec.get("seed", 0)) if spec else None
            self.chaos_counts = {}

    def set_rate_limit(self, spec):
        """AWS-style rate throttling (see the module docstring); None = off."""
        if spec is not None:
            if not isinstance(spec, dict) or float(spec.get("rps", 0)) <= 0:
                raise ValueError("\"rate_limit\" must be {\"rps\": >0, \"burst\": n} or null")
            spec = {"rps": float(spec["rps"]), "burst": float(spec.get("burst", spec["rps"]))}
        with self.lock:
            self.rate_limit = spec
            self.rate_tokens = spec["burst"] if spec else 0.0
            self.rate_t = time.monotonic()
            self.rate_limited = 0

    def _rate_fault(self, req):
        """The throttling fault when the rate bucket is empty (under the lock)."""
        rl = self.rate_limit
        if not rl or not req["action"]:
            return None
        now = time.monotonic()
        self.rate_tokens = min(rl["burst"], self.rate_tokens + (now - self.rate_t) * rl["rps"])
        self.rate_t = now
        if self.rate_tokens >= 1:
            self.rate_tokens -= 1
            return None
        self.rate_limited += 1
        return dict(_throttle(req["service"]), chaos="ratelimit")

    def _chaos_fault(self, req):
        """A fault dict for this request by the chaos mode, or None (under the lock)."""
        c = self.chaos
        if not c or not req["action"]:
            return None
        if "action_regex" in c and not re.search(c["action_regex"], req["action"]):
            return None
        if self.chaos_rng.random() >= c["rate"]:
            return None
        kind = self.chaos_rng.choice(c["kinds"])
        self.chaos_counts[kind] = self.chaos_counts.get(kind, 0) + 1
        return dict(CHAOS_KINDS[kind](req["service"]), chaos=kind)

    def reset(self):
        with self.lock:
            self.rules = []
            self.log = []
            self.state = {}

    def set_state(self, values):
        with self.lock:
            self.state.update({str(k): str(v) for k, v in values.items()})

    def get_state(self):
        with self.lock:
            return dict(self.state)

    def get_log(self, action=None):
        with self.lock:
            return [dict(e) for e in self.log if action is None or e["action"] == action]

    def describe(self):
        """What GET /__fault__ answers."""
        with self.lock:
            extra = {"keep_alive": self.keep_alive, "state": dict(self.state), "aws_rules": dict(self.aws_rules),
                     "chaos": self.chaos, "chaos_counts": dict(self.chaos_counts),
                     "rate_limit": self.rate_limit, "rate_limited": self.rate_limited}
        return dict(extra, rules=self.describe_rules())

    def describe_rules(self):
        with self.lock:
            return [r.describe() for r in self.rules]

    def _choose(self, req):
        """Records the request and returns (log entry, rule or None)."""
        with self.lock:
            self.seq += 1
            entry = {"seq": self.seq, "time": time.time(), "mono": time.monotonic(), "service": req["service"],
                     "action": req["action"], "method": req["method"], "path": req["path"], "rule": None,
                     "fault": None, "forwarded": False, "status": None,
                     "reused_connection": req.get("reused_connection", False)}
            self.log.append(entry)
            chosen = None
            for r in self.rules:            # every matching rule counts the request
                if not r.matches(req, self.state):
                    continue
                r.seen += 1
                if chosen is None and r.seen > r.skip and (r.times < 0 or r.seen <= r.skip + r.times):
                    r.injected += 1
                    chosen = r
                    entry["rule"] = r.index
            if chosen is None:
                f = self._rate_fault(req) or self._chaos_fault(req)
                if f is not None:
                    entry["fault"] = ("ratelimit:throttle" if f["chaos"] == "ratelimit"
                                      else "chaos:%s" % f["chaos"])
                    return entry, _ChaosRule(f)
            if chosen is not None and chosen.fault.get("set_state"):
                # under the same lock: the next request already sees the new state
                self.state.update({str(k): str(v) for k, v in chosen.fault["set_state"].items()})
                entry["fault"] = "state"
            return entry, chosen

    def _refund(self, rule, entry):
        """Un-counts a match whose fault did not apply (rewrite of a non-2xx reply)."""
        with self.lock:
            rule.seen -= 1
            rule.injected -= 1
            entry["rule"] = None

    def _update(self, entry, **kw):
        with self.lock:
            entry.update(kw)

    # -- server lifecycle --
    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, name="fault-proxy", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self.thread:
            self.thread.join(5)


def _throttle(service):
    return {"ec2": {"status": 503, "code": "RequestLimitExceeded", "message": "Request limit exceeded."},
            "lambda": {"status": 429, "code": "TooManyRequestsException", "message": "Rate exceeded"}}.get(
        service, {"status": 400, "code": "Throttling", "message": "Rate exceeded"})


def _server_error(service):
    return {"ec2": {"status": 503, "code": "Unavailable", "message": "The service is unavailable."},
            "lambda": {"status": 500, "code": "ServiceException", "message": "Internal error"}}.get(
        service, {"status": 500, "code": "ServiceFailure", "message": "Internal failure"})


CHAOS_KINDS = {
    "throttle": _throttle,
    "5xx": _server_error,
    "reset_before": lambda service: {"drop": True, "reset": True},
    "reset_after": lambda service: {"forward": True, "drop": True, "reset": True},
}


class _ChaosRule:
    """Stands in for a Rule when the chaos mode picked the fault."""
    index = None

    def __init__(self, fault):
        self.fault = fault


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class _Handler(http.server.BaseHTTPRequestHandler):
    proxy = None                      # set by FaultProxy
    protocol_version = "HTTP/1.0"     # default: one request per connection (see keep_alive)
    disable_nagle_algorithm = True    # a kept-alive reply's body must not wait for a delayed ACK

    def setup(self):
        super().setup()
        # keep_alive: answer HTTP/1.1 and keep the connection open, so the
        # client reuses it and a drop can hit a reused connection
        self.protocol_version = "HTTP/1.1" if self.proxy.keep_alive else "HTTP/1.0"
        self.requests_on_connection = 0

    def log_message(self, fmt, *args):  # quiet: the log endpoint is the record
        pass

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = b""
            while True:
                line = self.rfile.readline()
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _reply(self, status, headers, body):
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in HOP_BY_HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if self.protocol_version != "HTTP/1.1" or self.close_connection:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _drop(self, reset):
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _forward(self, body):
        conn = http.client.HTTPConnection(self.proxy.target_host, self.proxy.target_port, timeout=300)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Connection"] = "close"
            if body or self.command in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(body))
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in headers.items():
                conn.putheader(k, v)
            conn.endheaders(body if body else None)
            r = conn.getresponse()
            data = r.read()
            return r.status, [(k, v) for k, v in r.getheaders()], data
        finally:
            conn.close()

    # -- control endpoint --
    def _control(self, body):
        p = self.proxy
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        try:
            if u.path == CONTROL and self.command == "GET":
                out = p.describe()
            elif u.path == CONTROL and self.command == "POST":
                doc = json.loads(body.decode() or "{}")
                if not isinstance(doc.get("state", {}), dict):
                    raise ValueError("\"state\" must be an object")
                p.set_rules(doc.get("rules", []), append=bool(doc.get("append")))
                if "keep_alive" in doc:
                    p.keep_alive = bool(doc["keep_alive"])
                p.set_state(doc.get("state", {}))
                if "aws_rules" in doc:
                    p.set_aws_rules(doc["aws_rules"])
                if "chaos" in doc:
                    p.set_chaos(doc["chaos"])
                if "rate_limit" in doc:
                    p.set_rate_limit(doc["rate_limit"])
                out = p.describe()
            elif u.path == CONTROL + "/reset" and self.command == "POST":
                p.reset()
                p.keep_alive = False
                out = {"status": "ok"}
            elif u.path == CONTROL + "/log" and self.command == "GET":
                out = {"requests": p.get_log(q.get("action", [None])[0])}
            elif u.path == CONTROL + "/log" and self.command == "DELETE":
                with p.lock:
                    p.log = []
                out = {"status": "ok"}
            else:
                self._reply(404, {"Content-Type": "application/json"}, b'{"error":"unknown control path"}')
                return
        except (ValueError, TypeError, re.error) as e:
            self._reply(400, {"Content-Type": "application/json"}, json.dumps({"error": str(e)}).encode())
            return
        self._reply(200, {"Content-Type": "application/json"}, json.dumps(out).encode())

    def _handle(self):
        body = self._read_body()
        u = urllib.parse.urlsplit(self.path)
        if u.path == CONTROL or u.path.startswith(CONTROL + "/"):
            self._control(body)
            return
        service = service_of(self.headers)
        action = action_of(self.command, u.path, u.query, body, self.headers.get("Content-Type"))
        if not action and (service == "lambda" or u.path.startswith("/20")):
            action = lambda_op(self.command, u.path)
        req = {"service": service, "action": action, "method": self.command, "path": u.path, "body": body,
               "query": u.query, "reused_connection": self.requests_on_connection > 0}
        self.requests_on_connection += 1
        entry, rule = self.proxy._choose(req)
        f = rule.fault if rule else {}
        upd = self.proxy._update
        hook = self.proxy.on_request
        if hook is not None and hook(req):
            upd(entry, fault="hook-drop")
            self._drop(True)
            return
        with self.proxy.lock:
            real = dict(self.proxy.aws_rules)
        if real and not f and self.proxy.aws.needs_create_lock(real, req):
            with self.proxy.aws.create_lock:    # check + create atomic, as AWS is
                self._serve(req, entry, rule, f, body, service, real)
            return
        self._serve(req, entry, rule, f, body, service, real)

    def _serve(self, req, entry, rule, f, body, service, real):
        upd = self.proxy._update
        if real and not f:
            try:
                refusal = self.proxy.aws.before(real, req, self.headers)
            except (OSError, ValueError, ET_ParseError) as e:
                refusal = None
                upd(entry, fault="aws-check-failed: %s" % e)
            if refusal:
                upd(entry, fault="aws:%s" % refusal["code"], why=refusal.pop("why", None))
                f = refusal

        if f.get("delay"):
            time.sleep(float(f["delay"]))
            if not any(k in f for k in ("status", "drop", "rewrite_json", "rewrite_json_add", "forward")):
                upd(entry, fault="delay")
        if "reply" in f:
            rp = f["reply"]
            status = int(rp.get("status", 200))
            data = rp.get("body", "")
            data = data.encode() if isinstance(data, str) else json.dumps(data).encode()
            headers = {"Content-Type": rp.get("content_type", "text/xml;charset=UTF-8"),
                       "x-amzn-RequestId": str(uuid.uuid4())}
            headers.update(rp.get("headers", {}))
            upd(entry, fault="reply:%d" % status, status=status)
            self._reply(status, headers, data)
            return
        forward_first = bool(f.get("forward")) or not any(k in f for k in ("status", "drop"))
        fwd = None
        if forward_first:
            try:
                fwd = self._forward(body)
            except OSError as e:
                upd(entry, fault="upstream-error: %s" % e)
                self._drop(False)
                return
            upd(entry, forwarded=True, status=fwd[0])
            hook = self.proxy.on_answered
            if hook is not None and hook(entry, req):
                upd(entry, fault="hook-drop")
                self._drop(True)
                return
            if f.get("delay_after"):
                time.sleep(float(f["delay_after"]))
                upd(entry, fault="delay_after")
        if f.get("drop"):
            if not (entry.get("fault") or "").startswith("chaos:"):
                upd(entry, fault="drop")
            self._drop(bool(f.get("reset")))
            return
        if "status" in f:
            status, headers, data = error_reply(service, f)
            if f.get("retry_after") is not None:
                headers["Retry-After"] = str(f["retry_after"])
            headers.update(f.get("headers", {}))
            if not (entry.get("fault") or "").startswith(("aws:", "chaos:", "ratelimit:")):
                upd(entry, fault="error:%s" % f.get("code", status))
            upd(entry, status=status)
            self._reply(status, headers, data)
            return
        status, hdrs, data = fwd
        if real:
            data = self.proxy.aws.after(real, req, status, data, self.headers)
        headers = {}
        for k, v in hdrs:
            headers[k] = v
        rewrite = "rewrite_json" in f or "rewrite_json_add" in f
        if rewrite and not 200 <= status < 300 and not any(k in f for k in ("status", "drop", "delay_after")):
            self.proxy._refund(rule, entry)   # a rewrite-only rule counts rewritten replies only
        elif rewrite:
            try:
                doc = json.loads(data.decode("utf-8"))
                changed = [k for k, v in f.get("rewrite_json", {}).items() if set_dotted(doc, k, v)]
                changed += [k for k, v in f.get("rewrite_json_add", {}).items() if set_dotted(doc, k, v, True)]
                data = json.dumps(doc).encode()
                upd(entry, fault="rewrite:%s" % ",".join(changed))
            except ValueError:
                upd(entry, fault="rewrite-skipped(not json)")
        self._reply(status, headers, data)

    def _safe(self):
        try:
            self._handle()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _safe


def main(argv=None):
    ap = argparse.ArgumentParser(description="fault-injecting proxy in front of moto (127.0.0.1 only)")
    ap.add_argument("--target", required=True, help="moto URL, http://127.0.0.1:PORT")
    ap.add_argument("--port", type=int, default=0, help="listen port (default: a free one)")
    ap.add_argument("--rules", help="JSON file: {\"rules\": [...]} or a list of rules")
    ap.add_argument("--url-file", help="also write the proxy URL to this file")
    ap.add_argument("--aws-rules", help="real AWS rules moto lacks: \"real\" (all) or a JSON object (aws_rules.py)")
    ap.add_argument("--chaos", help="seeded random faults, JSON: {\"seed\": 7, \"rate\": 0.1, ...}")
    ap.add_argument("--rate-limit", help="AWS-style throttling, JSON: {\"rps\": 15, \"burst\": 30}")
    a = ap.parse_args(argv)
    rules = None
    if a.rules:
        with open(a.rules) as fp:
            doc = json.load(fp)
        rules = doc["rules"] if isinstance(doc, dict) else doc
    p = FaultProxy(a.target, a.port, rules)
    if a.aws_rules:
        p.set_aws_rules("real" if a.aws_rules == "real" else json.loads(a.aws_rules))
    if a.chaos:
        p.set_chaos(json.loads(a.chaos))
    if a.rate_limit:
        p.set_rate_limit(json.loads(a.rate_limit))
    if a.url_file:
        with open(a.url_file, "w") as fp:
            fp.write(p.url + "\n")
    print("PROXY_URL=%s" % p.url, flush=True)
    try:
        p.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        p.server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
