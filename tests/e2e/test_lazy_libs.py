"""libcurl and libxml2 are loaded on the first AWS call, not at exec (issue 13).

The plugin is run with LD_LIBRARY_PATH pointing at a folder whose
libcurl.so.4 and libxml2.so.2 are not libraries at all (empty files), so any
attempt to load them fails. Schema and validate must not notice (they make no
AWS request, so nothing loads them); the first AWS call must fail with a
clear error naming the library, and nothing may crash.
"""
import os
import shutil
import tempfile

import test_provider as TP


class LazyLibsTest(TP.ProviderTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.libdir = tempfile.mkdtemp(prefix="e2e-badlibs-")
        for soname in ("libcurl.so.4", "libxml2.so.2"):
            open(os.path.join(cls.libdir, soname), "wb").close()
        cls.bad_env = {"LD_LIBRARY_PATH": cls.libdir}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.libdir, ignore_errors=True)
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

