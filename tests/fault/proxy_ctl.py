"""Client for the fault proxy's control endpoint (/__fault__), shared by the
fault test modules. `base` is the proxy URL (http://127.0.0.1:PORT)."""
import json
import urllib.request


def control(base, method, path, doc=None):
    """Sends one control request and returns the decoded JSON answer."""
    data = json.dumps(doc).encode() if doc is not None else None
    req = urllib.request.Request(base + "/__fault__" + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode())


def set_rules(base, *rules):
    """Clears the proxy (rules, log, state) and installs `rules`."""
    control(base, "POST", "/reset", {})
    control(base, "POST", "", {"rules": list(rules)})
