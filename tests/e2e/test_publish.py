"""publish = true end to end: every apply that changes the function publishes
one version; `version` is that number and `qualified_arn` = arn:version in
the state (as hashicorp/aws does), checked against Lambda with boto3.

On by default; E2E_RESOURCE=0 skips it (with the reason)."""

import base64
import hashlib
import io
import json
import os
import zipfile

import e2e_lib as L
from test_resource import SEED_CIDRS, ResourceTestCase


def _zip_bytes(body):
    """A lambda.zip holding handler.py = body (fixed timestamp: reproducible)."""
    buf = io.BytesIO()
    info = zipfile.ZipInfo("handler.py", date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o100644 << 16
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(info, body)
    return buf.getvalue()


class PublishTest(ResourceTestCase):
    def state_values(self, wd):
        """The resource's attributes as Terraform saved them."""
        r = self.ok(wd.tf("show", "-json"))
        res = json.loads(r.stdout)["values"]["root_module"]["resources"]
        self.assertEqual(len(res), 1, res)
        return res[0]["values"]

    def published(self, name):
        vs = self.lam.list_versions_by_function(FunctionName=name)["Versions"]
        return sorted(v["Version"] for v in vs if v["Version"] != "$LATEST")

    def assertVersion(self, wd, name, version):
        st = self.state_values(wd)
        self.assertEqual(st["version"], version)
        self.assertEqual(st["qualified_arn"], "%s:%s" % (st["arn"], version))
        out = wd.outputs()
        self.assertEqual(out["version"], version)
        self.assertEqual(out["qualified_arn"], st["qualified_arn"])
        fn = self.lam.get_function_configuration(FunctionName=name, Qualifier=version)
        self.assertEqual(fn["Version"], version)
        self.assertEqual(fn["FunctionArn"], st["qualified_arn"])
        return st

    def test_versions_follow_changes(self):
        name = L.unique("e2e-pub")
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.workdir("basic", vpc_id=vpc_id, function_name=name)
        with open(os.path.join(wd.path, "main.tf")) as f:
            tf = f.read()
        tf = tf.replace('  tags             = { Team = "payments" }',
                        '  tags             = { Team = "payments" }\n  publish          = true', 1)
        self.assertIn("publish          = true", tf)
        wd.write("main.tf", tf)

        # create: version 1
        self.apply(wd)
        self.assertEqual(self.published(name), ["1"])
        st = self.assertVersion(wd, name, "1")
        self.assertNoChanges(wd)

        # new code: version 2 carries it
        code = _zip_bytes(b"def lambda_handler(event, context):\n    return {'v': 2}\n")
        with open(os.path.join(wd.path, "lambda.zip"), "wb") as f:
            f.write(code)
        sha = base64.b64encode(hashlib.sha256(code).digest()).decode()
        r = self.assertChanges(wd, "code update")
        self.assertIn("Plan: 0 to add, 1 to change, 0 to destroy.", r.output)
        self.apply(wd)
        self.assertEqual(self.published(name), ["1", "2"])
        st2 = self.assertVersion(wd, name, "2")
        self.assertEqual(st2["arn"], st["arn"])
        self.assertEqual(st2["code_sha256"], sha)
        self.assertEqual(self.lam.get_function_configuration(FunctionName=name, Qualifier="2")["CodeSha256"], sha)
        self.assertNoChanges(wd, "plan after the code update")

        # settings only: version 3
        wd.set_vars(aws_endpoint=L.moto_url(), vpc_id=vpc_id, function_name=name, memory_size=512)
        self.assertChanges(wd, "memory update")
        self.apply(wd)
        self.assertEqual(self.published(name), ["1", "2", "3"])
        self.assertVersion(wd, name, "3")
        self.assertEqual(self.lam.get_function_configuration(FunctionName=name, Qualifier="3")["MemorySize"], 512)
        self.assertNoChanges(wd, "plan after the memory update")

        # a refresh keeps the published version (GetFunction reports $LATEST)
        self.ok(wd.tf("apply", "-refresh-only", "-auto-approve"))
        self.assertVersion(wd, name, "3")

        out = wd.outputs()
        self.assertEqual(out["subnet_ids"] and len(out["subnet_ids"]), len(SEED_CIDRS))
        self.destroy_and_check_clean(wd, name, out)
        self.assertNothingLeft(name, out, vpc_id)


if __name__ == "__main__":
    import unittest

    unittest.main()
