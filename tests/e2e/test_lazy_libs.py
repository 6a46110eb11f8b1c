"""libcurl is loaded on the first AWS call, not at exec (issue 13).

The plugin runs from a copy of the installed package (through dev_overrides)
whose bundled lib/libcurl.so.4 is not a library at all (an empty file), so any attempt to load them fails: the package's $ORIGIN/lib
run path finds them before anything else. Schema and validate must not
notice (they make no AWS request, so nothing loads them); the first AWS call
must fail with a clear error naming the library, and nothing may crash.
"""
import glob
import os
import shutil
import tempfile

import e2e_lib as L
import test_provider as TP

BIN = "terraform-provider-lambdavpc"


class LazyLibsTest(TP.ProviderTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        installed = glob.glob(os.path.join(cls.wd.path, ".terraform", "providers", L.PROVIDER_ADDR,
                                           "*", "linux_amd64"))
        if len(installed) != 1:
            raise AssertionError("installed package not found: %r" % installed)
        cls.tmp = tempfile.mkdtemp(prefix="e2e-badlibs-")
        cls.pkg = os.path.join(cls.tmp, "pkg")
        shutil.copytree(installed[0], cls.pkg)
        for exe in glob.glob(os.path.join(cls.pkg, BIN + "_v*")):
            os.rename(exe, os.path.join(cls.pkg, BIN))
        cls.libdir = os.path.join(cls.pkg, "lib")
        os.makedirs(cls.libdir, exist_ok=True)
        for soname in ("libcurl.so.4",):
            path = os.path.join(cls.libdir, soname)
            if os.path.lexists(path):
                os.remove(path)
            open(path, "wb").close()
        rc = os.path.join(cls.tmp, "terraformrc")
        with open(rc, "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n    "lambdavpc/lambdavpc" = "%s"\n'
                    '  }\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n'
                    % (cls.pkg, os.path.join(L.MIRROR_DIR, "mirror")))
        cls.bad_env = {"TF_CLI_CONFIG_FILE": rc}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def test_schema_and_validate_need_no_http_stack(self):
        r = self.wd.tf("providers", "schema", "-json", env=self.bad_env)
        self.assertNoCrash(r)
        self.assertEqual(r.rc, 0, str(r))
        self.assertIn("lambdavpc_secure_function", r.stdout)
        r = self.wd.tf("validate", env=self.bad_env)
        self.assertNoCrash(r)
        self.assertEqual(r.rc, 0, str(r))
        self.assertIn("The configuration is valid", r.output)

    def test_first_aws_call_names_the_library(self):
        """The plan's first AWS request (credentials check or DescribeVpcs)."""
        self.wd.write("main.tf", TP.resource_config().replace(
            "skip_credentials_validation = true",
            "skip_credentials_validation = false\n  max_retries = 0"))
        try:
            r = self.wd.tf("plan", env=self.bad_env, timeout=120)
            self.assertNoCrash(r)
            self.assertNotEqual(r.rc, 0, str(r))
            # Terraform wraps long lines: compare with whitespace folded
            flat = " ".join(r.output.split())
            self.assertIn("TransportError", flat)
            self.assertIn("cannot load libcurl.so.4: " + self.libdir + "/libcurl.so.4", flat)
        finally:
            self.wd.write("main.tf", TP.resource_config())

    def test_without_the_bad_folder_the_call_gets_further(self):
        """Control: the same plan with the real libraries fails later, at the
        unreachable endpoint, so the message above came from loading."""
        self.wd.write("main.tf", TP.resource_config().replace(
            "skip_credentials_validation = true",
            "skip_credentials_validation = false\n  max_retries = 0"))
        try:
            r = self.wd.tf("plan", timeout=120)
            self.assertNoCrash(r)
            self.assertNotEqual(r.rc, 0, str(r))
            self.assertNotIn("cannot load", r.output)
            self.assertRegex(r.output, r"(?i)connect|127\.0\.0\.1:1")
        finally:
            self.wd.write("main.tf", TP.resource_config())

