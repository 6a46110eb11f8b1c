"""Provider-level end-to-end tests: install, lock hash, validate, schema, logs,
process lifecycle. They need the built plugin but no working resource and no
AWS (validate and schema make no AWS call)."""

import json
import os
import re
import unittest

import e2e_lib as L

PROVIDER_BLOCK = """
terraform {
  required_providers {
    lambdavpc = {
      source  = "lambdavpc/lambdavpc"
      version = "0.1.0"
    }
  }
}

provider "lambdavpc" {
  region                      = "us-east-2"
  skip_credentials_validation = true
  endpoints {
    ec2    = "http://127.0.0.1:1"
    iam    = "http://127.0.0.1:1"
    lambda = "http://127.0.0.1:1"
    sts    = "http://127.0.0.1:1"
  }
}
"""

# A valid resource with literal values only (validate sees variables as unknown).
GOOD_ATTRS = {
    "function_name": '"e2e-validate"',
    "vpc_id": '"vpc-0123456789abcdef0"',
    "subnet_cidr_blocks": '["12.25.15.0/27", "12.25.15.32/27", "12.25.15.64/27"]',
    "endpoint_services": '["logs", "ssm"]',
    "runtime": '"python3.12"',
    "handler": '"handler.lambda_handler"',
    "filename": '"lambda.zip"',
    "memory_size": "256",
    "timeout": "10",
    "environment": '{ STAGE = "prod" }',
    "tags": '{ Team = "payments" }',
}


def resource_config(**override):
    """The resource block with attributes replaced (value None removes one)."""
    attrs = dict(GOOD_ATTRS)
    attrs.update(override)
    lines = ['resource "lambdavpc_secure_function" "app" {']
    for k, v in attrs.items():
        if v is not None:
            lines.append("  %s = %s" % (k, v))
    lines.append("}")
    return PROVIDER_BLOCK + "\n".join(lines) + "\n"


# name -> (attribute overrides, attribute names of which one must be named)
BAD_CONFIGS = {
    "bad_cidr": ({"subnet_cidr_blocks": '["12.25.15.0/27", "12.25.300.0/27"]'},
                 ["subnet_cidr_blocks"]),
    "cidr_prefix_29": ({"subnet_cidr_blocks": '["12.25.15.0/29"]'}, ["subnet_cidr_blocks"]),
    "overlapping_cidrs": ({"subnet_cidr_blocks": '["12.25.15.0/27", "12.25.15.16/28"]'},
                          ["subnet_cidr_blocks"]),
    "memory_64": ({"memory_size": "64"}, ["memory_size"]),
    "timeout_0": ({"timeout": "0"}, ["timeout"]),
    "bad_function_name": ({"function_name": '"bad name!"'}, ["function_name"]),
    "zip_without_handler": ({"handler": None}, ["handler"]),
    "two_code_sources": ({"image_uri": '"123456789012.dkr.ecr.us-east-2.amazonaws.com/app:1"'},
                         ["image_uri", "filename"]),
    "unknown_endpoint_service": ({"endpoint_services": '["logs", "no-such-service"]'},
                                 ["endpoint_services"]),
    "bad_env_key": ({"environment": '{ "BAD-KEY" = "x" }'}, ["environment"]),
    "six_layers": ({"layers": "[%s]" % ", ".join(
        '"arn:aws:lambda:us-east-2:123456789012:layer:l%d:1"' % i for i in range(6))},
        ["layers"]),
}

# DESIGN.md "User-facing contract": every attribute of the resource.
RESOURCE_ATTRS = [
    "function_name", "vpc_id", "subnet_cidr_blocks", "endpoint_services",
    "runtime", "handler", "filename", "source_code_hash", "memory_size", "timeout",
    "environment", "tags",
    "availability_zones", "private_dns_enabled", "reuse_existing_endpoints",
    "egress_rules", "s3_bucket", "s3_key", "s3_object_version", "image_uri",
    "package_type", "architectures", "description", "layers", "publish",
    "kms_key_arn", "reserved_concurrent_executions", "ephemeral_storage_size",
    "tracing_mode", "dead_letter_target_arn", "policy_arns", "inline_policy",
    "permissions_boundary",
    "id", "arn", "invoke_arn", "qualified_arn", "version", "last_modified",
    "code_sha256", "role_arn", "role_name", "subnet_ids", "route_table_id",
    "lambda_security_group_id", "endpoint_security_group_id", "vpc_endpoint_ids",
    "tags_all",
]
RESOURCE_BLOCKS = {
    "logging": ["log_format", "log_group", "application_log_level", "system_log_level"],
    "timeouts": ["create", "update", "delete"],
}
RESOURCE_REQUIRED = ["function_name", "vpc_id", "subnet_cidr_blocks"]
RESOURCE_COMPUTED = [
    "id", "arn", "invoke_arn", "qualified_arn", "version", "last_modified",
    "code_sha256", "role_arn", "role_name", "subnet_ids", "route_table_id",
    "lambda_security_group_id", "endpoint_security_group_id", "vpc_endpoint_ids",
    "tags_all", "availability_zones",
]
EGRESS_RULE_FIELDS = ["description", "protocol", "from_port", "to_port", "cidr_blocks",
                      "security_group_ids", "prefix_list_ids"]
PROVIDER_ATTRS = [
    "region", "profile", "shared_config_files", "shared_credentials_files",
    "access_key", "secret_key", "token", "max_retries", "skip_credentials_validation",
]
PROVIDER_BLOCKS = {
    "assume_role": ["role_arn", "session_name", "external_id"],
    "endpoints": ["ec2", "iam", "lambda", "sts"],
    "default_tags": ["tags"],
}


class ProviderTestCase(unittest.TestCase):
    """One initialised working directory shared by the tests of a class."""

    wd = None

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(os.path.join(L.MIRROR_PKG, L.BIN_NAME)):
            if os.environ.get("E2E_REQUIRE_PLUGIN") == "1":
                raise AssertionError("no plugin in the mirror %s" % L.MIRROR_PKG)
            raise unittest.SkipTest("no plugin in the mirror: run `make mirror` first")
        cls.wd = L.Workdir(cls.__name__.lower())
        L.make_zip(cls.wd.path)
        cls.wd.write("main.tf", resource_config())
        r = cls.wd.tf("init")
        if r.rc != 0:
            raise AssertionError("terraform init failed:\n%s" % r)

    @classmethod
    def tearDownClass(cls):
        if cls.wd:
            cls.wd.cleanup()

    def assertNoCrash(self, r):
        marker = r.crashed()
        self.assertIsNone(marker, "provider crash/hang marker %r in output:\n%s" % (marker, r))


class InitTest(ProviderTestCase):
    def test_lock_file_h1_matches_package(self):
        with open(os.path.join(self.wd.path, ".terraform.lock.hcl")) as f:
            lock = f.read()
        entry = L.lock_entry(lock, L.PROVIDER_ADDR)
        self.assertIsNotNone(entry, "no lock entry for %s:\n%s" % (L.PROVIDER_ADDR, lock))
        version, constraints, hashes = entry
        self.assertEqual(version, L.VERSION)
        self.assertEqual(constraints, L.VERSION)
        want = L.h1_hash(L.MIRROR_PKG)
        self.assertEqual(hashes, [want], "lock hashes %s, package h1 %s" % (hashes, want))

    def test_installed_package_is_the_mirror_binary(self):
        inst = os.path.join(self.wd.path, ".terraform", "providers", L.PROVIDER_ADDR,
                            L.VERSION, "linux_amd64")
        exe = os.path.join(inst, L.BIN_NAME)
        self.assertTrue(os.access(exe, os.X_OK), "%s not executable" % exe)
        self.assertEqual(L.h1_hash(inst), L.h1_hash(L.MIRROR_PKG))

    def test_h1_of_known_tree(self):
        """Our h1 implementation against a hand-checked value (sha256sum | sha256sum)."""
        d = L.Workdir("h1")
        try:
            d.write("b.txt", "b\n")
            d.write("a/x", "x")
            # lines: sha256("x")  a/x \n sha256("b\n")  b.txt \n
            import hashlib, base64
            lines = "%s  a/x\n%s  b.txt\n" % (hashlib.sha256(b"x").hexdigest(),
                                              hashlib.sha256(b"b\n").hexdigest())
            want = "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()
            self.assertEqual(L.h1_hash(d.path), want)
        finally:
            d.cleanup()


class ValidateTest(ProviderTestCase):
    def test_good_config_validates(self):
        self.wd.write("main.tf", resource_config())
        r = self.wd.tf("validate")
        self.assertNoCrash(r)
        self.assertEqual(r.rc, 0, str(r))
        self.assertIn("The configuration is valid", r.output)

    def test_examples_validate(self):
        for example in ("basic", "module", "s3-code", "container-image", "with-aws-vpc"):
            with self.subTest(example=example):
                wd = L.Workdir("validate-" + example)
                try:
                    wd.copy_example(example)
                    r = wd.tf("init")
                    self.assertEqual(r.rc, 0, str(r))
                    r = wd.tf("validate")
                    self.assertNoCrash(r)
                    self.assertEqual(r.rc, 0, str(r))
                finally:
                    wd.cleanup()

    def test_bad_configs_fail_naming_the_attribute(self):
        for name, (override, attrs) in BAD_CONFIGS.items():
            with self.subTest(case=name):
                self.wd.write("main.tf", resource_config(**override))
                r = self.wd.tf("validate", "-json")
                self.assertNoCrash(r)
                self.assertNotEqual(r.rc, 0, "%s validated:\n%s" % (name, r))
                try:
                    doc = json.loads(r.stdout)
                except ValueError:
                    self.fail("validate -json printed no JSON:\n%s" % r)
                self.assertFalse(doc.get("valid"), r.stdout)
                errors = [d for d in doc.get("diagnostics", []) if d.get("severity") == "error"]
                self.assertTrue(errors, "no error diagnostic:\n%s" % r.stdout)
                # The attribute must be named: either Terraform pointed at its line
                # (diagnostic with an attribute path -> snippet of that line) or the
                # summary/detail name it.
                texts = []
                for d in errors:
                    texts.append(d.get("summary", "") + "\n" + d.get("detail", ""))
                    texts.append((d.get("snippet") or {}).get("code", ""))
                blob = "\n".join(texts)
                self.assertTrue(any(a in blob for a in attrs),
                                "%s: none of %s named in diagnostics:\n%s" % (name, attrs, r.stdout))
        self.wd.write("main.tf", resource_config())

    def test_bad_config_human_output(self):
        """The plain-text output shows the offending line too."""
        self.wd.write("main.tf", resource_config(memory_size="64"))
        r = self.wd.tf("validate")
        self.assertNoCrash(r)
        self.assertNotEqual(r.rc, 0)
        self.assertRegex(r.output, r"memory_size\s*=\s*64")
        self.wd.write("main.tf", resource_config())


# name -> ((text in PROVIDER_BLOCK, replacement), attribute names of which one must be named)
BAD_PROVIDER_CONFIGS = {
    "bad_region": (('region                      = "us-east-2"', 'region = "moon"'), ["region"]),
    "endpoint_not_url": (('ec2    = "http://127.0.0.1:1"', 'ec2    = "not a url"'), ["ec2"]),
    "max_retries_negative": (("skip_credentials_validation = true",
                              "skip_credentials_validation = true\n  max_retries = -1"),
                             ["max_retries"]),
    "access_key_without_secret": (("skip_credentials_validation = true",
                                   'skip_credentials_validation = true\n  access_key = "AKIAEXAMPLE"'),
                                  ["secret_key"]),
}


class ProviderConfigTest(ProviderTestCase):
    def errors_naming(self, r, attrs):
        doc = json.loads(r.stdout)
        errors = [d for d in doc.get("diagnostics", []) if d.get("severity") == "error"]
        self.assertTrue(errors, r.stdout)
        blob = "\n".join(d.get("summary", "") + "\n" + d.get("detail", "") + "\n" +
                         (d.get("snippet") or {}).get("code", "") for d in errors)
        self.assertTrue(any(a in blob for a in attrs), "none of %s named:\n%s" % (attrs, r.stdout))

    def test_bad_provider_configs_fail_naming_the_attribute(self):
        for name, (repl, attrs) in BAD_PROVIDER_CONFIGS.items():
            with self.subTest(case=name):
                self.wd.write("main.tf", resource_config().replace(*repl))
                r = self.wd.tf("validate", "-json")
                self.assertNoCrash(r)
                self.assertNotEqual(r.rc, 0, "%s validated:\n%s" % (name, r))
                self.errors_naming(r, attrs)
        self.wd.write("main.tf", resource_config())

    def test_secret_key_never_logged(self):
        secret = "SuperSecretValue123xyz"
        cfg = resource_config().replace(
            "skip_credentials_validation = true",
            'skip_credentials_validation = true\n  access_key = "AKIAEXAMPLEKEY"\n'
            '  secret_key = "%s"\n  max_retries = 0' % secret)
        self.wd.write("main.tf", cfg)
        try:
            r = self.wd.tf("plan", env={"TF_LOG": "TRACE"})
            self.assertNoCrash(r)
            ours = [ln for ln in r.stderr.splitlines() if "provider." + L.BIN_NAME in ln]
            self.assertTrue(any("ConfigureProvider" in ln for ln in ours) or r.rc != 0, str(r))
            self.assertEqual([ln for ln in ours if secret in ln], [], "secret in provider log")
        finally:
            self.wd.write("main.tf", resource_config())

    def test_credentials_checked_at_configure(self):
        """skip_credentials_validation = false: configure calls STS, so an
        unreachable endpoint fails the plan with a clear error, not later."""
        cfg = resource_config().replace(
            "skip_credentials_validation = true",
            "skip_credentials_validation = false\n  max_retries = 0")
        self.wd.write("main.tf", cfg)
        try:
            r = self.wd.tf("plan", timeout=120)
            self.assertNoCrash(r)
            self.assertNotEqual(r.rc, 0, str(r))
            self.assertRegex(r.output, r"(?i)sts|credential|connect|127\.0\.0\.1:1",
                             "the error should be about reaching STS / checking credentials")
        finally:
            self.wd.write("main.tf", resource_config())


class SchemaTest(ProviderTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.wd.tf("providers", "schema", "-json")
        if r.rc != 0 or r.crashed():
            raise AssertionError("providers schema -json failed:\n%s" % r)
        cls.schema = json.loads(r.stdout)["provider_schemas"][L.PROVIDER_ADDR]

    def test_resource_attributes(self):
        block = self.schema["resource_schemas"]["lambdavpc_secure_function"]["block"]
        attrs = block.get("attributes", {})
        missing = [a for a in RESOURCE_ATTRS if a not in attrs]
        self.assertEqual(missing, [], "resource attributes missing from the schema")
        for a in RESOURCE_REQUIRED:
            self.assertTrue(attrs[a].get("required"), "%s should be required" % a)
        for a in RESOURCE_COMPUTED:
            self.assertTrue(attrs[a].get("computed"), "%s should be computed" % a)
        for a in ["environment", "tags", "tags_all", "vpc_endpoint_ids"]:
            t = attrs[a].get("type")
            self.assertTrue(isinstance(t, list) and t[0] == "map", "%s should be a map: %r" % (a, t))

    def test_egress_rules_is_list_of_objects(self):
        attrs = self.schema["resource_schemas"]["lambdavpc_secure_function"]["block"]["attributes"]
        eg = attrs["egress_rules"]
        fields = None
        if "type" in eg:            # list(object({...}))
            t = eg["type"]
            self.assertEqual(t[0], "list", t)
            self.assertEqual(t[1][0], "object", t)
            fields = t[1][1].keys()
        else:                       # nested attribute type, nesting list
            nt = eg["nested_type"]
            self.assertEqual(nt.get("nesting_mode"), "list", nt)
            fields = nt["attributes"].keys()
        self.assertEqual(sorted(set(EGRESS_RULE_FIELDS) - set(fields)), [])

    def test_resource_nested_blocks(self):
        bt = self.schema["resource_schemas"]["lambdavpc_secure_function"]["block"].get("block_types", {})
        for name, fields in RESOURCE_BLOCKS.items():
            with self.subTest(block=name):
                self.assertIn(name, bt)
                got = bt[name]["block"].get("attributes", {})
                self.assertEqual([f for f in fields if f not in got], [])

    def test_provider_attributes(self):
        block = self.schema["provider"]["block"]
        attrs = block.get("attributes", {})
        self.assertEqual([a for a in PROVIDER_ATTRS if a not in attrs], [])
        bt = block.get("block_types", {})
        for name, fields in PROVIDER_BLOCKS.items():
            with self.subTest(block=name):
                self.assertIn(name, bt)
                got = bt[name]["block"].get("attributes", {})
                self.assertEqual([f for f in fields if f not in got], [])
        for secret in ("secret_key", "token"):
            self.assertTrue(attrs[secret].get("sensitive"), "%s should be sensitive" % secret)

    def test_descriptions_present(self):
        attrs = self.schema["resource_schemas"]["lambdavpc_secure_function"]["block"]["attributes"]
        missing = [a for a in RESOURCE_ATTRS if not attrs.get(a, {}).get("description")]
        self.assertEqual(missing, [], "attributes without a description")


class LoggingAndLifecycleTest(ProviderTestCase):
    PLUGIN_LOGGER = "provider." + L.BIN_NAME

    def test_trace_log_relogs_our_json_lines(self):
        r = self.wd.tf("validate", env={"TF_LOG": "TRACE"})
        self.assertNoCrash(r)
        self.assertEqual(r.rc, 0, str(r))
        # A JSON line from the plugin is parsed by go-plugin and re-logged through
        # the provider logger with key/values and a `timestamp=` field; a line
        # that failed to parse would be re-logged raw (starting with `{`).
        ours = [ln for ln in r.stderr.splitlines() if self.PLUGIN_LOGGER + ":" in ln]
        self.assertTrue(ours, "no line from logger %s in TF_LOG=TRACE output" % self.PLUGIN_LOGGER)
        parsed = [ln for ln in ours if re.search(r"timestamp=\d{4}-\d\d-\d\dT", ln)]
        self.assertTrue(parsed, "no re-logged JSON line (with timestamp=):\n%s" % "\n".join(ours[:20]))
        raw = [ln for ln in ours if re.search(re.escape(self.PLUGIN_LOGGER) + r': \{"@', ln)]
        self.assertEqual(raw, [], "JSON lines Terraform could not parse")

    def test_no_log_lines_without_tf_log(self):
        r = self.wd.tf("validate")
        self.assertEqual(r.rc, 0, str(r))
        self.assertNotIn('"@level"', r.output)

    def test_plugin_exits_on_shutdown(self):
        before = set(L.provider_pids(self.wd.path))
        r = self.wd.tf("providers", "schema", "-json", env={"TF_LOG": "TRACE"})
        self.assertNoCrash(r)
        self.assertEqual(r.rc, 0, str(r))
        started = len(re.findall(r"provider: starting plugin:", r.stderr))
        exited = len(re.findall(r"provider: plugin exited", r.stderr))
        self.assertGreaterEqual(started, 1, "no plugin start in the trace log")
        self.assertNotIn("plugin failed to exit gracefully", r.stderr,
                         "Terraform had to SIGKILL the plugin after its 2 s wait")
        self.assertNotIn("signal: killed", r.stderr)
        self.assertEqual(exited, started, "every started plugin must exit on Shutdown")
        left = set(L.provider_pids(self.wd.path)) - before
        self.assertEqual(left, set(), "provider processes still running after terraform exited")

    def test_validate_leaves_no_process(self):
        before = set(L.provider_pids(self.wd.path))
        r = self.wd.tf("validate", env={"TF_LOG": "DEBUG"})
        self.assertEqual(r.rc, 0, str(r))
        self.assertNotIn("plugin failed to exit gracefully", r.stderr)
        self.assertEqual(set(L.provider_pids(self.wd.path)) - before, set())

    def test_no_stdout_noise_before_handshake(self):
        """The binary run by hand (no magic cookie) explains itself and exits non-zero."""
        import subprocess
        p = subprocess.run([os.path.join(L.MIRROR_PKG, L.BIN_NAME)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10,
                           env={"PATH": os.environ.get("PATH", "")})
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(p.stdout, b"", "nothing may go to stdout without a handshake")
        self.assertTrue(p.stderr.strip(), "a human message on stderr is expected")


if __name__ == "__main__":
    unittest.main()
