"""The release package, installed the ways users install it, on a machine
that has only glibc and terraform (a chroot; see release_lib.py).

run.sh builds the package (`make package`), starts moto outside the root and
runs this module. Every terraform command runs inside the root, so each test
also shows that the provider finds all its libraries in its own package.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import registry  # noqa: E402
import release_lib as R  # noqa: E402

PROVIDER_TF = """terraform {
  required_providers {
    lambdavpc = {
      source  = "lambdavpc/lambdavpc"
      version = "%s"
    }
  }
}
""" % R.VERSION


def moto_vpc():
    """A VPC in moto (the user's existing VPC), via boto3 on the host."""
    ec2 = boto("ec2")
    vpc = ec2.create_vpc(CidrBlock="12.25.15.0/25")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    return vpc


def boto(service):
    import boto3

    return boto3.client(service, endpoint_url=R.MOTO_URL, region_name="us-east-2",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def check_objects(t, vpc, fn):
    """The names, descriptions and tags docs/resources/secure_function.md
    ("Objects created", "Tags") promises, read from moto with boto3."""
    owner = {"Key": "lambdavpc:function", "Value": fn}
    team = {"Key": "Team", "Value": "payments"}  # examples/basic's tags
    ec2, iam = boto("ec2"), boto("iam")
    role = iam.get_role(RoleName="lambdavpc-" + fn)["Role"]
    t.assertEqual(role["Description"], "Execution role of Lambda %s (lambdavpc)" % fn)
    rtags = iam.list_role_tags(RoleName=role["RoleName"])["Tags"]
    t.assertIn(owner, rtags)
    t.assertIn(team, rtags)
    vf = [{"Name": "vpc-id", "Values": [vpc]}]
    sgs = {g["GroupName"]: g for g in ec2.describe_security_groups(Filters=vf)["SecurityGroups"]}
    # the function's own SG, and the VPC's two shared ones (one rule each)
    shared = {"Key": "lambdavpc:shared", "Value": vpc}
    lam = sgs["lambdavpc-%s-lambda" % fn]
    ep, cl = sgs["lambdavpc-endpoints-%s" % vpc], sgs["lambdavpc-clients-%s" % vpc]
    t.assertEqual(lam["Description"], "Lambda %s: egress only to its VPC endpoints" % fn)
    t.assertEqual(ep["Description"], "VPC endpoints shared by lambdavpc functions: HTTPS from them only")
    t.assertEqual(cl["Description"], "lambdavpc functions of this VPC: HTTPS to its endpoints only")
    t.assertIn(owner, lam["Tags"])
    t.assertIn(team, lam["Tags"])
    for g in (ep, cl):
        t.assertIn(shared, g["Tags"])
        t.assertNotIn(owner, g["Tags"])
    t.assertEqual(lam["IpPermissions"], [])
    t.assertEqual(lam["IpPermissionsEgress"], [])  # interface endpoints only: nothing of its own
    t.assertEqual(ep["IpPermissionsEgress"], [])
    t.assertEqual(cl["IpPermissions"], [])
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [ep["GroupId"], cl["GroupId"]]}])["SecurityGroupRules"]
    t.assertEqual(len(rules), 2, rules)
    for rule in rules:
        t.assertIn(shared, rule.get("Tags", []), rule)
        t.assertEqual((rule["IpProtocol"], rule["FromPort"], rule["ToPort"]), ("tcp", 443, 443), rule)
    pairs = [(perm, p) for perm in cl["IpPermissionsEgress"] + ep["IpPermissions"]
             for p in perm["UserIdGroupPairs"]]
    t.assertEqual(sorted(p["GroupId"] for _, p in pairs), sorted([ep["GroupId"], cl["GroupId"]]), pairs)
    for _, p in pairs:
        t.assertTrue(p.get("Description", "").startswith("lambdavpc:"), p)
    subnets = ec2.describe_subnets(Filters=vf)["Subnets"]
    t.assertEqual(sorted(sn["CidrBlock"] for sn in subnets),
                  ["12.25.15.0/27", "12.25.15.32/27", "12.25.15.64/27"])
    tables = [rt for rt in ec2.describe_route_tables(Filters=vf)["RouteTables"]
              if owner in rt.get("Tags", [])]
    t.assertEqual(len(tables), 1)
    t.assertFalse([x for x in tables[0]["Routes"] if x.get("DestinationCidrBlock") == "0.0.0.0/0"])
    endpoints = ec2.describe_vpc_endpoints(Filters=vf)["VpcEndpoints"]
    t.assertEqual(sorted(e["ServiceName"].rsplit(".", 1)[1] for e in endpoints), ["logs", "ssm"])
    for obj in subnets + tables:
        t.assertIn(owner, obj["Tags"])
        t.assertIn(team, obj["Tags"])
    for e in endpoints:  # interface endpoints are the VPC's, shared
        t.assertIn(shared, e["Tags"])
        t.assertEqual([g["GroupId"] for g in e["Groups"]], [ep["GroupId"]])


class PackageFilesTest(unittest.TestCase):
    """The files `make package` writes, read on the host."""

    def test_sha256sums_line_matches_zip(self):
        with open(R.SUMS) as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 1, lines)
        digest, name = lines[0].split("  ")
        self.assertEqual(name, R.ZIP_NAME)
        self.assertEqual(digest, R.sha256_file(R.ZIP))

    def test_zip_layout(self):
        with zipfile.ZipFile(R.ZIP) as z:
            infos = z.infolist()
        names = [i.filename for i in infos]
        self.assertFalse([n for n in names if n.endswith("/")], "no directory entries")
        self.assertIn(R.EXE, names)
        exe = [i for i in infos if i.filename == R.EXE][0]
        self.assertEqual(exe.create_system, 3, "Unix attributes")
        self.assertEqual(exe.external_attr >> 16, stat.S_IFREG | 0o755)
        self.assertEqual(names, [R.EXE], "the binary alone: it needs glibc only")

    def test_package_refuses_a_binary_that_needs_other_libraries(self):
        """A binary that needs a library the target may not have (here
        Debian's openssl command, which needs libssl) is not packaged."""
        out = os.path.join(R.BUILD, "release-refused")
        shutil.rmtree(out, ignore_errors=True)
        r = subprocess.run(["bash", os.path.join(R.ROOT, "tools", "package.sh"), "/usr/bin/openssl",
                            R.VERSION, out], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("needs libraries that are not glibc's: libssl.so.3", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "package")))

    def test_package_is_reproducible(self):
        """Packaging the same binary again gives the same zip bytes (zh hash)."""
        out = os.path.join(R.BUILD, "release-repro")
        shutil.rmtree(out, ignore_errors=True)
        with zipfile.ZipFile(R.ZIP) as z:
            os.makedirs(out)
            z.extract(R.EXE, out)
        binary = os.path.join(out, "bin")
        os.rename(os.path.join(out, R.EXE), binary)
        os.chmod(binary, 0o755)
        subprocess.run(["bash", os.path.join(R.ROOT, "tools", "package.sh"), binary, R.VERSION, out],
                       check=True, stdout=subprocess.DEVNULL)
        self.assertEqual(R.sha256_file(os.path.join(out, R.ZIP_NAME)), R.sha256_file(R.ZIP))
        shutil.rmtree(out)


class GlibcOnlyRootTest(unittest.TestCase):
    """terraform init/validate/schema/plan in the glibc-only root, provider
    from the zip in a filesystem mirror (packed layout)."""

    @classmethod
    def setUpClass(cls):
        R.build_root()
        mirror = R.CHROOT + "/mirror/" + R.ADDR
        os.makedirs(mirror)
        shutil.copy2(R.ZIP, mirror + "/" + R.ZIP_NAME)
        R.cli_config("/terraformrc", R.FS_MIRROR % "/mirror")
        shutil.copy2(os.path.join(R.ROOT, "examples", "basic", "main.tf"), R.write("/work/main.tf", ""))
        subprocess.run(["python3", os.path.join(R.ROOT, "examples", "basic", "make_zip.py"),
                        R.CHROOT + "/work"], check=True, stdout=subprocess.DEVNULL)
        cls.init = R.tf("/work", "init", "-input=false", "-no-color")

    def test_a_root_holds_only_glibc_and_terraform(self):
        glibc = R.glibc_files()
        allowed = set(glibc) | {os.path.realpath(p) for p in glibc}
        allowed |= {os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p))
                    for p in glibc}  # merged /usr: /lib64/x is /usr/lib64/x
        allowed |= {"/usr/local/bin/terraform", "/terraformrc"}
        extra = []
        for d, dirs, files in os.walk(R.CHROOT):
            if d == R.CHROOT:
                dirs.remove("proc")
            for f in files:
                p = os.path.join(d, f)[len(R.CHROOT):]
                if p in allowed or p.startswith(("/mirror/", "/work/", "/dev/", "/tmp/", "/proc/")):
                    continue
                extra.append(p)
        self.assertEqual(extra, [])
        self.assertFalse(os.path.exists(R.CHROOT + "/usr/lib/x86_64-linux-gnu/libssl.so.3"))

    def test_init_installs_the_zip_and_writes_the_lock(self):
        self.assertEqual(self.init.rc, 0, str(self.init))
        with open(R.CHROOT + "/work/.terraform.lock.hcl") as f:
            hashes = R.lock_hashes(f.read())
        self.assertEqual(hashes, [R.h1_of_zip(R.ZIP)])
        inst = R.CHROOT + R.INSTALLED % "work"
        with zipfile.ZipFile(R.ZIP) as z:
            for i in z.infolist():
                p = os.path.join(inst, i.filename)
                self.assertTrue(os.path.isfile(p), "%s not extracted" % i.filename)
                self.assertEqual(stat.S_IMODE(os.stat(p).st_mode), (i.external_attr >> 16) & 0o777,
                                 i.filename)

    def test_binary_needs_only_glibc(self):
        """The loader inside the root (glibc, no OpenSSL) resolves every
        library the installed binary needs: glibc's, nothing else."""
        inst = R.INSTALLED % "work"
        self.assertEqual(sorted(os.listdir(R.CHROOT + inst)), [R.EXE])
        r = R.run(["/lib64/ld-linux-x86-64.so.2", "--list", inst + "/" + R.EXE])
        self.assertEqual(r.rc, 0, str(r))
        libs = [ln.split()[0] for ln in r.stdout.splitlines() if "=>" in ln]
        self.assertTrue(libs, r.stdout)
        self.assertNotIn("not found", r.stdout)
        for name in libs:
            self.assertRegex(name, r"^(libc|libm|libresolv|libpthread|libdl)\.so", r.stdout)

    def test_validate_logs_the_version(self):
        r = R.tf("/work", "validate", "-no-color", env={"TF_LOG": "INFO"})
        self.assertEqual(r.rc, 0, str(r))
        self.assertIn("terraform-provider-lambdavpc %s starting" % R.VERSION, r.stderr)

    def test_providers_schema_json(self):
        r = R.tf("/work", "providers", "schema", "-json")
        self.assertEqual(r.rc, 0, str(r))
        schema = json.loads(r.stdout)["provider_schemas"]["registry.terraform.io/lambdavpc/lambdavpc"]
        self.assertIn("lambdavpc_secure_function", schema["resource_schemas"])

    def test_plan_against_moto(self):
        r = R.tf("/work", "plan", "-input=false", "-no-color", "-detailed-exitcode",
                 "-var", "aws_endpoint=" + R.MOTO_URL, "-var", "vpc_id=" + moto_vpc())
        self.assertEqual(r.rc, 2, str(r))
        self.assertIn("1 to add, 0 to change, 0 to destroy", r.stdout)


    def test_apply_then_import_block_then_destroy(self):
        """The packaged provider creates (objects named and tagged as documented),
        imports (an `import` block, as docs/resources/secure_function.md
        shows) and destroys, all in the root."""
        vpc = moto_vpc()
        args = ["-input=false", "-no-color", "-var", "aws_endpoint=" + R.MOTO_URL,
                "-var", "vpc_id=" + vpc, "-var", "function_name=release-imp"]
        for wd in ("/imp1", "/imp2"):
            shutil.copytree(R.CHROOT + "/work", R.CHROOT + wd,
                            ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
            r = R.tf(wd, "init", "-input=false", "-no-color")
            self.assertEqual(r.rc, 0, str(r))
        r = R.tf("/imp1", "apply", "-auto-approve", *args)
        self.assertEqual(r.rc, 0, str(r))
        check_objects(self, vpc, "release-imp")
        R.write("/imp2/import.tf", 'import {\n  to = lambdavpc_secure_function.app\n  id = "release-imp"\n}\n')
        r = R.tf("/imp2", "plan", *args)
        self.assertEqual(r.rc, 0, str(r))
        self.assertIn("1 to import, 0 to add, 0 to change, 0 to destroy", r.stdout)
        r = R.tf("/imp1", "destroy", "-auto-approve", *args)
        self.assertEqual(r.rc, 0, str(r))
        self.assertIn("Destroy complete!", r.stdout)


class LockHashesTest(unittest.TestCase):
    """h1: (zip entries) and zh: (zip bytes, the SHA256SUMS line) in the lock
    verify on a second init; a wrong hash is refused."""

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(R.CHROOT + "/terraformrc"):
            GlibcOnlyRootTest.setUpClass()
        with open(R.SUMS) as f:
            cls.zh = "zh:" + f.read().split()[0]
        cls.h1 = R.h1_of_zip(R.ZIP)

    def init_with_lock(self, hashes):
        wd = "/lock-%d" % len(os.listdir(R.CHROOT))
        R.write(wd + "/main.tf", PROVIDER_TF)
        R.write(wd + "/.terraform.lock.hcl", R.lock_file(hashes))
        return R.tf(wd, "init", "-input=false", "-no-color", "-lockfile=readonly")

    def test_h1_and_zh_verify(self):
        r = self.init_with_lock([self.h1, self.zh])
        self.assertEqual(r.rc, 0, str(r))

    def test_zh_alone_verifies(self):
        r = self.init_with_lock([self.zh])
        self.assertEqual(r.rc, 0, str(r))

    def test_h1_alone_verifies(self):
        r = self.init_with_lock([self.h1])
        self.assertEqual(r.rc, 0, str(r))

    def test_wrong_hash_is_refused(self):
        r = self.init_with_lock(["zh:" + "0" * 64])
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("checksum", r.stdout + r.stderr)


class InstallPathsTest(unittest.TestCase):
    """A registry (on 127.0.0.1), `providers mirror`, `providers lock
    -fs-mirror` and dev_overrides, inside the glibc-only root
    (docs/installation.md)."""

    registry = None

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(R.CHROOT + "/terraformrc"):
            GlibcOnlyRootTest.setUpClass()
        cls.registry = registry.Registry()
        cls.registry_cli = "/registry.tfrc"
        R.write(cls.registry_cli, cls.registry.host_block() + "provider_installation {\n  direct {}\n}\n")

    @classmethod
    def tearDownClass(cls):
        if cls.registry:
            cls.registry.close()

    def test_registry_install_records_h1_and_zh_which_verify_again(self):
        R.write("/reg/main.tf", PROVIDER_TF)
        r = R.tf("/reg", "init", "-input=false", "-no-color", cli=self.registry_cli)
        self.assertEqual(r.rc, 0, str(r))
        with open(R.CHROOT + "/reg/.terraform.lock.hcl") as f:
            hashes = R.lock_hashes(f.read())
        with open(R.SUMS) as f:
            zh = "zh:" + f.read().split()[0]
        self.assertEqual(sorted(hashes), sorted([R.h1_of_zip(R.ZIP), zh]))
        shutil.rmtree(R.CHROOT + "/reg/.terraform")
        r = R.tf("/reg", "init", "-input=false", "-no-color", "-lockfile=readonly",
                 cli=self.registry_cli)
        self.assertEqual(r.rc, 0, str(r))
        r = R.tf("/reg", "validate", "-no-color", cli=self.registry_cli)
        self.assertEqual(r.rc, 0, str(r))

    def test_providers_lock_fs_mirror(self):
        R.write("/plock/main.tf", PROVIDER_TF)
        r = R.tf("/plock", "providers", "lock", "-fs-mirror=/mirror", "-platform=linux_amd64",
                 cli="/nonexistent.tfrc")
        self.assertEqual(r.rc, 0, str(r))
        with open(R.CHROOT + "/plock/.terraform.lock.hcl") as f:
            self.assertEqual(R.lock_hashes(f.read()), [R.h1_of_zip(R.ZIP)])

    def test_providers_mirror_then_install_from_it(self):
        R.write("/pmirror/main.tf", PROVIDER_TF)
        r = R.tf("/pmirror", "providers", "mirror", "-platform=linux_amd64", "/netmirror",
                 cli=self.registry_cli)
        self.assertEqual(r.rc, 0, str(r))
        d = R.CHROOT + "/netmirror/" + R.ADDR
        self.assertEqual(R.sha256_file(d + "/" + R.ZIP_NAME), R.sha256_file(R.ZIP))
        with open(d + "/index.json") as f:
            self.assertIn(R.VERSION, json.load(f)["versions"])
        with open(d + "/%s.json" % R.VERSION) as f:
            arch = json.load(f)["archives"]["linux_amd64"]
        self.assertEqual(arch["url"], R.ZIP_NAME)
        self.assertIn(R.h1_of_zip(R.ZIP), arch["hashes"])
        # The written directory is itself a filesystem mirror (packed layout).
        R.cli_config("/netmirror.tfrc", R.FS_MIRROR % "/netmirror")
        R.write("/fromnet/main.tf", PROVIDER_TF)
        r = R.tf("/fromnet", "init", "-input=false", "-no-color", cli="/netmirror.tfrc")
        self.assertEqual(r.rc, 0, str(r))
        r = R.tf("/fromnet", "validate", "-no-color", cli="/netmirror.tfrc")
        self.assertEqual(r.rc, 0, str(r))

    def test_dev_overrides_without_init(self):
        with zipfile.ZipFile(R.ZIP) as z:
            for i in z.infolist():
                z.extract(i, R.CHROOT + "/devprovider")
                os.chmod(R.CHROOT + "/devprovider/" + i.filename, (i.external_attr >> 16) & 0o777)
        R.cli_config("/dev.tfrc", '  dev_overrides {\n    "lambdavpc/lambdavpc" = "/devprovider"\n  }\n'
                     '  direct {}\n')
        R.write("/devwork/main.tf", PROVIDER_TF.replace('      version = "%s"\n' % R.VERSION, "")
                + 'provider "lambdavpc" {\n  region = "us-east-2"\n}\n')
        r = R.tf("/devwork", "validate", "-no-color", cli="/dev.tfrc")
        self.assertEqual(r.rc, 0, str(r))
        self.assertIn("Provider development overrides are in effect", r.stdout + r.stderr)
        r = R.tf("/devwork", "providers", "schema", "-json", cli="/dev.tfrc")
        self.assertEqual(r.rc, 0, str(r))
        self.assertIn("lambdavpc_secure_function", r.stdout)


if __name__ == "__main__":
    unittest.main()
