"""Provider configuration a real AWS user expects, through the real terraform:
IAM Identity Center (SSO) profiles against a local fake SSO portal + OIDC
server (reached through AWS_ENDPOINT_URL_SSO / _SSO_OIDC, with a temp HOME),
the credential check at configure (one STS call, counted through the fault
proxy), the account guards, a profile's services/endpoint_url pointing at
moto with no endpoints block, and the errors for a missing profile, a
missing shared file and a failing credential_process.

Only 127.0.0.1 is ever reached: IMDS is off (AWS_EC2_METADATA_DISABLED)."""

import datetime
import hashlib
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

import e2e_lib as L

sys.path.insert(0, os.path.join(L.ROOT, "tests", "fault"))
import proxy as fault_proxy  # noqa: E402

ACCOUNT = "111122223333"
ROLE = "Deployer"
SESSION = "corp"
START_URL = "https://corp.awsapps.com/start"
PROFILE = "sso-dev"


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeSSO:
    """The SSO portal (GetRoleCredentials) and SSO OIDC (CreateToken) on one
    127.0.0.1 port. Records every request; tokens it accepts are in `valid`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.valid = {"tok-1"}
        self.refresh_tokens = {"ref-1": ("tok-2", "ref-2")}
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, doc):
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                u = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(u.query))
                tok = self.headers.get("x-amz-sso_bearer_token", "")
                with fake.lock:
                    fake.requests.append(("GET", u.path, q, tok))
                    ok = tok in fake.valid
                if u.path != "/federation/credentials" or not ok:
                    return self._send(401, {"message": "Session token not found or invalid"})
                self._send(200, {"roleCredentials": {
                    "accessKeyId": "ASIASSOE2E", "secretAccessKey": "sso-secret-e2e",
                    "sessionToken": "sso-session-e2e",
                    "expiration": int((time.time() + 3600) * 1000)}})

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                doc = json.loads(self.rfile.read(n) or b"{}")
                with fake.lock:
                    fake.requests.append(("POST", self.path, doc, ""))
                    pair = fake.refresh_tokens.get(doc.get("refreshToken"))
                    if pair:
                        fake.valid.add(pair[0])
                if self.path != "/token" or doc.get("grantType") != "refresh_token" or not pair:
                    return self._send(400, {"error": "invalid_grant"})
                self._send(200, {"accessToken": pair[0], "expiresIn": 3600, "refreshToken": pair[1],
                                 "tokenType": "Bearer"})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def provider_block(extra="", endpoint=None):
    lines = ['provider "lambdavpc" {', '  region = "%s"' % L.REGION]
    lines += ["  " + ln for ln in extra.strip().splitlines() if ln.strip()]
    if endpoint:
        lines.append("  endpoints {")
        for svc in ("ec2", "iam", "lambda", "sts"):
            lines.append('    %s = "%s"' % (svc, endpoint))
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines)


def main_tf(provider, name, vpc_id):
    return """
terraform {
  required_providers {
    lambdavpc = {
      source  = "lambdavpc/lambdavpc"
      version = "0.1.0"
    }
  }
}

%s

resource "lambdavpc_secure_function" "app" {
  function_name      = "%s"
  vpc_id             = "%s"
  subnet_cidr_blocks = ["12.25.15.0/27", "12.25.15.32/27"]
  endpoint_services  = ["logs"]
  runtime            = "python3.12"
  handler            = "handler.lambda_handler"
  filename           = "lambda.zip"
  source_code_hash   = filebase64sha256("lambda.zip")
}

output "arn" { value = lambdavpc_secure_function.app.arn }
""" % (provider, name, vpc_id)


class ConfigTestCase(unittest.TestCase):
    """A workdir with lambda.zip, a VPC in moto and a temp HOME."""

    _shared = {}

    @classmethod
    def setUpClass(cls):
        # one VPC and one account lookup for the whole module
        if not cls._shared:
            cls._shared.update(moto=L.moto_url(), vpc_id=L.create_vpc(),
                               account=L.client("sts").get_caller_identity()["Account"])
        cls.moto, cls.vpc_id, cls.account = (cls._shared[k] for k in ("moto", "vpc_id", "account"))

    def setUp(self):
        # one working directory (and one `terraform init`) for the module;
        # every test writes its own main.tf and HOME
        if "wd" not in self._shared:
            self._shared["wd"] = L.Workdir("cfg")
            L.make_zip(self._shared["wd"].path)
            self._shared["inited"] = False
        self.wd = self._shared["wd"]
        self.home = tempfile.mkdtemp(prefix="lambdavpc-home-")
        os.makedirs(os.path.join(self.home, ".aws", "sso", "cache"))
        self.name = L.unique("cfg")
        self.applied = False

    def tearDown(self):
        if self.applied:
            self.wd.tf("destroy", "-auto-approve", env=self.env)
        for f in ("terraform.tfstate", "terraform.tfstate.backup"):
            if os.path.exists(os.path.join(self.wd.path, f)):
                os.remove(os.path.join(self.wd.path, f))
        shutil.rmtree(self.home, ignore_errors=True)

    def write_config(self, text):
        path = os.path.join(self.home, ".aws", "config")
        with open(path, "w") as f:
            f.write(text)
        return path

    def use(self, provider, env=None):
        """Writes main.tf, runs init; self.env is the env for later commands."""
        self.env = {"HOME": self.home, "AWS_CONFIG_FILE": os.path.join(self.home, ".aws", "config")}
        self.env.update(env or {})
        self.wd.write("main.tf", main_tf(provider, self.name, self.vpc_id))
        if not self._shared["inited"]:
            r = self.wd.tf("init", env=self.env)
            self.assertEqual(r.rc, 0, str(r))
            self._shared["inited"] = True

    def plan(self):
        r = self.wd.tf("plan", env=self.env, timeout=300)
        self.assertIsNone(r.crashed(), str(r))
        return r

    def assertConfigureFails(self, r, *texts):
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertNotIn("Plan:", r.output, "failed at configure, before planning")
        flat = " ".join(r.output.split())
        for t in texts:
            self.assertIn(t, flat, str(r))


class SSOTest(ConfigTestCase):
    """An SSO profile (sso_session) with the token `aws sso login` caches."""

    def setUp(self):
        super().setUp()
        self.sso = FakeSSO()
        self.write_config(
            "[profile %s]\nsso_session = %s\nsso_account_id = %s\nsso_role_name = %s\n\n"
            "[sso-session %s]\nsso_start_url = %s\nsso_region = us-east-1\n"
            "sso_registration_scopes = sso:account:access\n"
            % (PROFILE, SESSION, ACCOUNT, ROLE, SESSION, START_URL))
        self.cache = os.path.join(self.home, ".aws", "sso", "cache",
                                  hashlib.sha1(SESSION.encode()).hexdigest() + ".json")
        # no keys in the environment: the profile is the only credential source
        self.use(provider_block('profile = "%s"\nskip_credentials_validation = false' % PROFILE,
                                self.moto),
                 {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                  "AWS_ENDPOINT_URL_SSO": self.sso.url, "AWS_ENDPOINT_URL_SSO_OIDC": self.sso.url})

    def tearDown(self):
        self.sso.stop()
        super().tearDown()

    def write_cache(self, expires_in, refresh):
        doc = {"startUrl": START_URL, "region": "us-east-1", "accessToken": "tok-1",
               "expiresAt": iso(time.time() + expires_in)}
        if refresh:
            doc.update({"clientId": "cid", "clientSecret": "csec", "refreshToken": "ref-1",
                        "registrationExpiresAt": iso(time.time() + 86400 * 90)})
        with open(self.cache, "w") as f:
            json.dump(doc, f)

    def test_plan_with_sso_profile(self):
        self.write_cache(3600, refresh=False)
        r = self.plan()
        self.assertEqual(r.rc, 0, str(r))
        self.assertIn("1 to add", r.output)
        gets = [q for q in self.sso.requests if q[0] == "GET"]
        self.assertEqual(len(gets), 1, self.sso.requests)
        self.assertEqual(gets[0][1], "/federation/credentials")
        self.assertEqual(gets[0][2], {"account_id": ACCOUNT, "role_name": ROLE})
        self.assertEqual(gets[0][3], "tok-1")

    def test_expired_token_says_sso_login(self):
        self.write_cache(-60, refresh=False)
        r = self.plan()
        self.assertConfigureFails(r, "the cached SSO token expired at",
                                  "run `aws sso login --profile %s` and try again" % PROFILE)
        self.assertEqual(self.sso.requests, [], "nothing sent with an expired token")

    def test_missing_token_says_sso_login(self):
        r = self.plan()
        self.assertConfigureFails(r, "no usable cached SSO token",
                                  "run `aws sso login --profile %s`" % PROFILE)

    def test_refresh_through_oidc(self):
        self.write_cache(-60, refresh=True)
        r = self.plan()
        self.assertEqual(r.rc, 0, str(r))
        posts = [q for q in self.sso.requests if q[0] == "POST"]
        self.assertEqual(len(posts), 1, self.sso.requests)
        self.assertEqual(posts[0][1], "/token")
        self.assertEqual(posts[0][2], {"clientId": "cid", "clientSecret": "csec",
                                       "grantType": "refresh_token", "refreshToken": "ref-1"})
        gets = [q for q in self.sso.requests if q[0] == "GET"]
        self.assertEqual([g[3] for g in gets], ["tok-2"])
        with open(self.cache) as f:
            cached = json.load(f)
        self.assertEqual(cached["accessToken"], "tok-2")
        self.assertEqual(cached["refreshToken"], "ref-2")
        self.assertEqual(cached["clientId"], "cid")

    def test_refused_refresh_says_sso_login(self):
        self.write_cache(-60, refresh=True)
        self.sso.refresh_tokens = {}
        r = self.plan()
        self.assertConfigureFails(r, "the SSO token expired and refreshing it failed",
                                  "HTTP 400", "run `aws sso login --profile %s`" % PROFILE)


class CredentialCheckTest(ConfigTestCase):
    """skip_credentials_validation = false: one GetCallerIdentity at configure."""

    def setUp(self):
        super().setUp()
        self.proxy = fault_proxy.FaultProxy(self.moto).start()

    def tearDown(self):
        self.proxy.stop()
        super().tearDown()

    def test_wrong_keys_fail_at_configure_with_one_sts_call(self):
        # moto accepts any key; the proxy answers like real STS does for a bad one
        self.proxy.set_rules([{"match": {"service": "sts", "action": "GetCallerIdentity"}, "times": -1,
                               "fault": {"status": 403, "code": "InvalidClientTokenId",
                                         "message": "The security token included in the request is "
                                                    "invalid."}}])
        self.use(provider_block('access_key = "AKIAWRONGWRONGWRONG1"\nsecret_key = "wrong"\n'
                                'skip_credentials_validation = false', self.proxy.url))
        r = self.plan()
        self.assertConfigureFails(
            r, "the credentials from provider block (access_key/secret_key) were refused by STS "
               "GetCallerIdentity", "InvalidClientTokenId")
        log = self.proxy.get_log()
        self.assertEqual([e["action"] for e in log], ["GetCallerIdentity"], log)

    def test_good_keys_one_sts_call_then_plan(self):
        self.use(provider_block("skip_credentials_validation = false", self.proxy.url))
        r = self.plan()
        self.assertEqual(r.rc, 0, str(r))
        calls = [e["action"] for e in self.proxy.get_log()]
        self.assertEqual(calls.count("GetCallerIdentity"), 1, calls)

    def test_allowed_account_ids(self):
        self.use(provider_block('allowed_account_ids = ["111111111111"]', self.proxy.url))
        r = self.plan()
        self.assertConfigureFails(r, "AWS account ID not allowed: %s" % self.account)
        self.assertEqual([e["action"] for e in self.proxy.get_log()], ["GetCallerIdentity"])

    def test_forbidden_account_ids(self):
        self.use(provider_block('forbidden_account_ids = ["%s"]' % self.account, self.proxy.url))
        self.assertConfigureFails(self.plan(), "AWS account ID not allowed: %s" % self.account)
        self.use(provider_block('allowed_account_ids = ["%s"]' % self.account, self.proxy.url))
        self.assertEqual(self.plan().rc, 0)

    def test_account_id_validation_and_conflict(self):
        self.use(provider_block('allowed_account_ids = ["1234"]', self.proxy.url))
        r = self.wd.tf("validate", env=self.env)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("an AWS account ID is 12 digits", " ".join(r.output.split()))
        self.use(provider_block('allowed_account_ids = ["111111111111"]\n'
                                'forbidden_account_ids = ["222222222222"]', self.proxy.url))
        r = self.wd.tf("validate", env=self.env)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("allowed_account_ids and forbidden_account_ids cannot both be set",
                      " ".join(r.output.split()))
        self.assertEqual(self.proxy.get_log(), [])


class FakeIMDS:
    """IMDSv2 on 127.0.0.1: a session token, then the placement region."""

    def __init__(self, region):
        self.requests = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, text):
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self):
                fake.requests.append(("PUT", self.path,
                                      self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")))
                self._send(200 if self.path == "/latest/api/token" else 404, "imds-token")

            def do_GET(self):
                tok = self.headers.get("X-aws-ec2-metadata-token")
                fake.requests.append(("GET", self.path, tok))
                ok = tok == "imds-token" and self.path == "/latest/meta-data/placement/region"
                self._send(200 if ok else 401, region if ok else "")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class RegionFromIMDSTest(ConfigTestCase):
    def test_region_from_instance_metadata(self):
        imds = FakeIMDS(L.REGION)
        try:
            block = provider_block("", self.moto).replace('  region = "%s"\n' % L.REGION, "")
            self.assertNotIn("region", block)
            self.use(block, {"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_EC2_METADATA_DISABLED": "",
                             "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url})
            r = self.plan()
            self.assertEqual(r.rc, 0, str(r))
            self.assertIn("1 to add", r.output)
            self.assertIn(("PUT", "/latest/api/token", "21600"), imds.requests)
            self.assertIn(("GET", "/latest/meta-data/placement/region", "imds-token"), imds.requests)
            # disabled: no region at all
            self.env["AWS_EC2_METADATA_DISABLED"] = "true"
            seen = len(imds.requests)
            self.assertConfigureFails(self.plan(), "no AWS region")
            self.assertEqual(len(imds.requests), seen, "IMDS asked although disabled")
        finally:
            imds.stop()


class ProfileSettingsTest(ConfigTestCase):
    """A profile's endpoint settings, and the errors for what is missing."""

    def test_profile_endpoints_plan_and_apply_without_endpoints_block(self):
        self.write_config("[profile moto]\nregion = %s\nendpoint_url = %s\nservices = local\n\n"
                          "[services local]\nlambda =\n  endpoint_url = %s\n"
                          % (L.REGION, self.moto, self.moto))
        self.use(provider_block('profile = "moto"\nskip_credentials_validation = false'))
        r = self.plan()
        self.assertEqual(r.rc, 0, str(r))
        self.applied = True
        r = self.wd.tf("apply", "-auto-approve", env=self.env)
        self.assertEqual(r.rc, 0, str(r))
        fn = L.client("lambda").get_function(FunctionName=self.name)
        subnets = fn["Configuration"]["VpcConfig"]["SubnetIds"]
        self.assertEqual(len(subnets), 2, fn["Configuration"]["VpcConfig"])
        found = L.client("ec2").describe_subnets(SubnetIds=subnets)["Subnets"]
        self.assertEqual({sn["VpcId"] for sn in found}, {self.vpc_id})
        r = self.wd.tf("destroy", "-auto-approve", env=self.env)
        self.assertEqual(r.rc, 0, str(r))
        self.applied = False

    def test_services_section_wins_over_endpoint_url(self):
        # endpoint_url points at a closed port; every service used by plan has
        # its own entry pointing at moto, so the plan works only if they win
        self.write_config("[profile moto]\nregion = %s\nendpoint_url = http://127.0.0.1:1\n"
                          "services = local\n\n[services local]\n"
                          "ec2 =\n  endpoint_url = %s\niam =\n  endpoint_url = %s\n"
                          "sts =\n  endpoint_url = %s\nlambda =\n  endpoint_url = %s\n"
                          % ((L.REGION,) + (self.moto,) * 4))
        self.use(provider_block('profile = "moto"\nmax_retries = 0'))
        r = self.plan()
        self.assertEqual(r.rc, 0, str(r))
        # AWS_ENDPOINT_URL beats the profile: a closed port now fails the plan
        # (ignoring configured endpoints would mean the real AWS default, which
        # tests never reach; the unit tests cover it)
        self.env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1"
        r = self.plan()
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("127.0.0.1:1", r.output)

    def test_missing_profile_is_named(self):
        self.write_config("[profile other]\nregion = %s\n" % L.REGION)
        self.use(provider_block('profile = "nope"', self.moto))
        self.assertConfigureFails(self.plan(), 'profile "nope" not found in %s' % os.path.join(
            self.home, ".aws", "config"))

    def test_missing_shared_file(self):
        self.use(provider_block('shared_config_files = ["%s/absent"]' % self.home, self.moto))
        self.assertConfigureFails(self.plan(), "shared_config_files: the file %s/absent does not exist"
                                  % self.home)
        self.use(provider_block('shared_credentials_files = ["%s/absent"]' % self.home, self.moto))
        self.assertConfigureFails(self.plan(), "shared_credentials_files: the file %s/absent does not exist"
                                  % self.home)

    def test_failing_credential_process(self):
        self.write_config("[profile proc]\ncredential_process = sh -c 'exit 7'\n")
        self.use(provider_block('profile = "proc"\nskip_credentials_validation = false', self.moto),
                 {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
        self.assertConfigureFails(self.plan(), 'profile "proc" (credential_process): command failed '
                                               "(exit status 7)")


def tearDownModule():
    wd = ConfigTestCase._shared.get("wd")
    if wd:
        wd.cleanup()


if __name__ == "__main__":
    unittest.main()
