"""A counting (and optionally slowing) HTTP reverse proxy in front of moto.

usage: python3 count_proxy.py UPSTREAM_URL PORT_FILE
Listens on a free 127.0.0.1 port (written to PORT_FILE), forwards every
request to UPSTREAM_URL (moto) unchanged and counts it by AWS action: the
query-protocol Action= of the form body (EC2, IAM, STS) or, for the REST
Lambda API, the method and the path with names replaced by {}. Used only by
tools/bench/scale.py; the provider under test points all its endpoints here,
while the bench's own boto3 set-up and clean-up talk to moto directly.

One AWS behaviour moto lacks is added, uncounted: a subnet deleted through
the proxy takes its route-table association with it (moto keeps it and then
refuses DeleteRouteTable), so both providers are counted as on AWS.

Control (answered here, never forwarded):
  GET  /__bench__/stats         {"total": N, "errors": N, "actions": {...},
                                  "error_actions": {...}}
  POST /__bench__/reset         zero the counters
  POST /__bench__/delay?ms=M    sleep M ms before forwarding each request
"""
import http.client
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections import Counter

# BENCH_TRACE=FILE: one line per request (start, seconds upstream, action,
# status), to see where a phase's wall time goes. Off by default.
TRACE = open(os.environ["BENCH_TRACE"], "a") if os.environ.get("BENCH_TRACE") else None

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}


class State:
    def __init__(self, upstream):
        u = urllib.parse.urlsplit(upstream)
        self.host, self.port = u.hostname, u.port or 80
        self.lock = threading.Lock()
        self.delay_s = 0.0
        self.reset()

    def reset(self):
        with self.lock:
            self.actions, self.errors = Counter(), Counter()
            if TRACE:
                TRACE.write("%.4f reset\n" % time.monotonic())

    def count(self, action, status):
        with self.lock:
            self.actions[action] += 1
            if status >= 400:
                self.errors[action] += 1

    def stats(self):
        with self.lock:
            return {"total": sum(self.actions.values()), "errors": sum(self.errors.values()),
                    "actions": dict(self.actions), "error_actions": dict(self.errors)}


def action_of(method, path, body):
    m = re.search(rb"(?:^|&)Action=([A-Za-z0-9]+)", body or b"")
    if m:
        return m.group(1).decode()
    p = urllib.parse.urlsplit(path).path
    p = re.sub(r"/functions/[^/]+", "/functions/{}", p)
    return "%s %s" % (method, p)


def moto_ec2(state, region, params):
    """One EC2 query call straight to moto (not counted); the reply body."""
    body = urllib.parse.urlencode(dict(params, Version="2016-11-15")).encode()
    auth = ("AWS4-HMAC-SHA256 Credential=testing/20260101/%s/ec2/aws4_request, "
            "SignedHeaders=host, Signature=0" % region)
    c = http.client.HTTPConnection(state.host, state.port, timeout=60)
    try:
        c.request("POST", "/", body=body, headers={
            "Authorization": auth, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        return c.getresponse().read()
    finally:
        c.close()


def drop_associations(state, headers, body):
    """After DeleteSubnet: disassociate that subnet in moto, as AWS does."""
    m = re.search(rb"(?:^|&)SubnetId=([A-Za-z0-9-]+)", body or b"")
    r = re.search(r"Credential=[^/,\s]+/\d{8}/([^/]+)/", headers.get("Authorization", "") or "")
    if not m:
        return
    region, subnet = (r.group(1) if r else "us-east-1"), m.group(1).decode()
    root = ET.fromstring(moto_ec2(state, region, {
        "Action": "DescribeRouteTables", "Filter.1.Name": "association.subnet-id", "Filter.1.Value.1": subnet}))
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] != "item":
            continue
        kids = {k.tag.rsplit("}", 1)[-1]: (k.text or "").strip() for k in el}
        if kids.get("subnetId") == subnet and kids.get("routeTableAssociationId"):
            moto_ec2(state, region, {"Action": "DisassociateRouteTable",
                                     "AssociationId": kids["routeTableAssociationId"]})


def make_handler(state):
    local = threading.local()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY: the reply goes out as headers then body; with Nagle on,
        # the body waits for the client's delayed ACK of the headers (~40 ms on
        # every reused connection), a cost no AWS endpoint adds.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def reply(self, status, body, ctype="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def control(self, body):
            u = urllib.parse.urlsplit(self.path)
            if u.path == "/__bench__/stats":
                return self.reply(200, json.dumps(state.stats()).encode())
            if u.path == "/__bench__/reset":
                state.reset()
                return self.reply(200, b"{}")
            if u.path == "/__bench__/delay":
                q = urllib.parse.parse_qs(u.query)
                state.delay_s = float(q.get("ms", ["0"])[0]) / 1000.0
                return self.reply(200, b"{}")
            return self.reply(404, b"{}")

        def upstream(self):
            c = getattr(local, "conn", None)
            if c is None:
                c = local.conn = http.client.HTTPConnection(state.host, state.port, timeout=300)
            return c

        def forward(self, body):
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            for attempt in (0, 1):
                c = self.upstream()
                try:
                    c.request(self.command, self.path, body=body, headers=headers)
                    r = c.getresponse()
                    return r.status, r.getheaders(), r.read()
                except (http.client.HTTPException, OSError):
                    c.close()
                    local.conn = None
                    if attempt:
                        raise
            raise AssertionError("unreachable")

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            if self.path.startswith("/__bench__/"):
                return self.control(body)
            if state.delay_s:
                time.sleep(state.delay_s)
            t0 = time.monotonic()
            status, headers, data = self.forward(body)
            action = action_of(self.command, self.path, body)
            state.count(action, status)
            if TRACE:
                with state.lock:
                    TRACE.write("%.4f %.4f %s %d\n" % (t0, time.monotonic() - t0, action, status))
                    TRACE.flush()
            if action == "DeleteSubnet" and status == 200:
                drop_associations(state, self.headers, body)
            self.send_response(status)
            for k, v in headers:
                if k.lower() not in HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any

    return Handler


class QuietServer(http.server.ThreadingHTTPServer):
    """A client closing its keep-alive connection (hashicorp/aws does) is
    not an error worth a traceback; anything else still prints one."""

    # socketserver's default backlog is 5: ten providers' threads connecting
    # at once overflow it, and a dropped SYN is retried after 1 s.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def serve(upstream):
    """Starts the proxy in a daemon thread; returns (url, state, server)."""
    state = State(upstream)
    srv = QuietServer(("127.0.0.1", 0), make_handler(state))
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return "http://127.0.0.1:%d" % srv.server_address[1], state, srv


def main():
    url, _, srv = serve(sys.argv[1])
    with open(sys.argv[2], "w") as f:
        f.write(url.rsplit(":", 1)[1])
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.shutdown()


if __name__ == "__main__":
    main()
