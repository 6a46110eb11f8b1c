"""Shared helpers for the end-to-end tests (stdlib + boto3 only).

The tests drive the real `terraform` binary, which runs the provider installed
from build/mirror through build/terraformrc (tools/mirror.sh), exactly as a
user would. AWS is moto's server on 127.0.0.1; boto3 checks what exists there,
independently of Terraform's state.

Environment:
  E2E_MOTO_URL   moto to use (tests/e2e/run.sh starts one); when unset the
                 first test that needs moto starts one via tools/moto.sh and
                 stops it at exit.
  E2E_AWS_URL    where the provider's calls go when a test uses aws_url()
                 (tests/fault/behind_proxy.sh sets it to the fault proxy);
                 default moto_url().
  E2E_RESOURCE   "0" skips the tests that need the working resource (on by default).
  E2E_KEEP       "1" keeps the temporary working directories.
  E2E_MIRROR_DIR directory holding the mirror/ and terraformrc that
                 tools/mirror.sh wrote (MIRROR_OUT); default build. The
                 sanitizer suite (run_asan.sh) points it at build/san-e2e.
  E2E_SAN_LOG_DIR  when set, the plugin runs with ASAN_OPTIONS/UBSAN_OPTIONS
                 logging to files in this directory, and every terraform
                 command (Workdir.tf) fails the test if a report appeared
                 (see Workdir.tf for how UBSan reports are caught).
"""

import atexit
import base64
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, "build")
# Where tools/mirror.sh put the mirror and the CLI config (its MIRROR_OUT).
MIRROR_DIR = os.path.abspath(os.path.join(ROOT, os.environ.get("E2E_MIRROR_DIR") or "build"))
TERRAFORMRC = os.path.join(MIRROR_DIR, "terraformrc")
with open(os.path.join(ROOT, "VERSION")) as _f:
    VERSION = _f.read().strip()
PROVIDER_ADDR = "registry.terraform.io/lambdavpc/lambdavpc"
# The release zip's contents, unpacked (tools/package.sh writes package/ next
# to the zip); the mirror holds the zip itself (packed layout).
MIRROR_PKG = os.path.join(MIRROR_DIR, "package")
MIRROR_ZIP = os.path.join(MIRROR_DIR, "mirror", PROVIDER_ADDR,
                          "terraform-provider-lambdavpc_%s_linux_amd64.zip" % VERSION)
BIN_NAME = "terraform-provider-lambdavpc_v" + VERSION
EXAMPLES = os.path.join(ROOT, "examples")
REGION = "us-east-2"
OWNER_TAG = "lambdavpc:function"
SHARED_TAG = "lambdavpc:shared"


def role_name(function_name):
    """The role name the docs promise (docs/resources/secure_function.md,
    Names): lambdavpc-<name>, or a cut name plus a hash when that is over 64."""
    if len("lambdavpc-" + function_name) <= 64:
        return "lambdavpc-" + function_name
    return "lambdavpc-" + function_name[:43] + "-" + hashlib.sha256(function_name.encode()).hexdigest()[:10]

# What a crashed or hung provider looks like in Terraform's output.
CRASH_MARKERS = (
    "Plugin did not respond",
    "panic:",
    "The plugin encountered an error, and failed to respond",
    "plugin exited before we could connect",
    "Unrecognized remote plugin message",
    "timeout while waiting for plugin to start",
    "Failed to load plugin schemas",
    "AddressSanitizer",
    "runtime error:",
)

RESOURCE_ENABLED = os.environ.get("E2E_RESOURCE", "1") != "0"
RESOURCE_SKIP_REASON = "resource scenarios switched off with E2E_RESOURCE=0"

_moto = {"url": os.environ.get("E2E_MOTO_URL"), "pid": None}

# Sanitizer build of the plugin (tests/e2e/run_asan.sh): reports go to files,
# because Terraform re-logs the plugin's stderr only at some TF_LOG levels.
SAN_LOG_DIR = (os.path.abspath(os.environ["E2E_SAN_LOG_DIR"])
               if os.environ.get("E2E_SAN_LOG_DIR") else None)
# What a sanitizer report line looks like in the plugin's stderr.
SAN_MARKERS = ("runtime error:", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
               "SUMMARY: AddressSanitizer", "SUMMARY: UndefinedBehaviorSanitizer")
# Terraform's logger name for what the plugin writes to stderr.
PLUGIN_LOGGER = "provider." + "terraform-provider-lambdavpc_v" + VERSION


def unique(prefix):
    """A name no other test (or earlier run against the same moto) uses."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


# ---------------------------------------------------------------- moto / boto3


def moto_url():
    """URL of the moto server, starting a private one on first use."""
    if _moto["url"]:
        return _moto["url"]
    out = subprocess.run(
        ["bash", os.path.join(ROOT, "tools", "moto.sh"), "start"],
        check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    vals = dict(line.split("=", 1) for line in out.split() if "=" in line)
    _moto["url"], _moto["pid"] = vals["MOTO_URL"], vals["MOTO_PID"]
    atexit.register(_stop_moto)
    return _moto["url"]


def aws_url():
    """The URL the provider under test sends its AWS calls to: E2E_AWS_URL
    when set (tests/fault/behind_proxy.sh: the fault proxy in real-AWS mode
    in front of moto), else moto itself. boto3 checks keep using moto_url()."""
    return os.environ.get("E2E_AWS_URL") or moto_url()


def _stop_moto():
    if _moto["pid"]:
        subprocess.run(["bash", os.path.join(ROOT, "tools", "moto.sh"), "stop", _moto["pid"]])


def client(service):
    """A boto3 client for moto with dummy credentials in us-east-2."""
    import boto3  # imported late: the validate-only tests need no boto3

    return boto3.client(
        service,
        endpoint_url=moto_url(),
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def create_vpc(cidr="12.25.15.0/25", dns=True):
    """Creates a VPC (the user's pre-existing one) and returns its id."""
    ec2 = client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    if dns:
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    return vpc_id


# ---------------------------------------------------------------- terraform


def terraform_env(extra=None):
    """Terraform's environment: our CLI config, no network, dummy AWS creds."""
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("TF_LOG") or k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                                           "TF_REATTACH_PROVIDERS", "TF_PLUGIN_CACHE_DIR"):
            del env[k]
    env.update({
        "TF_CLI_CONFIG_FILE": TERRAFORMRC,
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    })
    if SAN_LOG_DIR:
        # The plugin inherits these from terraform. Leak detection is off: the
        # plugin ends with _exit after Shutdown, so LeakSanitizer would either
        # not run or report what the OS reclaims anyway. UBSan errors are
        # fatal (-fno-sanitize-recover=all + halt_on_error).
        env["ASAN_OPTIONS"] = "log_path=%s:abort_on_error=0:detect_leaks=0" % (
            os.path.join(SAN_LOG_DIR, "asan"))
        env["UBSAN_OPTIONS"] = "log_path=%s:print_stacktrace=1:halt_on_error=1" % (
            os.path.join(SAN_LOG_DIR, "ubsan"))
    if extra:
        env.update(extra)
    return env


def sanitizer_reports():
    """Paths of sanitizer reports not yet claimed by a test (sorted)."""
    if not SAN_LOG_DIR:
        return []
    return sorted(glob.glob(os.path.join(SAN_LOG_DIR, "asan.*")) +
                  glob.glob(os.path.join(SAN_LOG_DIR, "ubsan.*")))


def claim_sanitizer_reports():
    """Moves every new report into SAN_LOG_DIR/reported/ (kept for the run's
    summary) and returns their text, or "" when there is none."""
    texts = []
    for p in sanitizer_reports():
        try:
            with open(p, errors="replace") as f:
                body = f.read()
        except OSError as ex:
            body = "(unreadable: %s)" % ex
        dest_dir = os.path.join(SAN_LOG_DIR, "reported")
        os.makedirs(dest_dir, exist_ok=True)
        try:
            os.replace(p, os.path.join(dest_dir, os.path.basename(p)))
        except OSError:
            pass
        texts.append("---- %s ----\n%s" % (os.path.basename(p), body))
    return "\n".join(texts)


class SanitizerError(AssertionError):
    """The sanitizer build of the plugin reported an error."""


class Result:
    """Outcome of one terraform command."""

    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.stdout, self.stderr = args, rc, out, err
        self.output = out + err

    def crashed(self):
        """The first crash marker found in the output, or None."""
        for m in CRASH_MARKERS:
            if m in self.output:
                return m
        return None

    def __str__(self):
        tail = self.output[-6000:]
        return "terraform %s -> rc %d\n%s" % (" ".join(self.args), self.rc, tail)


class Workdir:
    """A temporary Terraform working directory."""

    def __init__(self, prefix="e2e"):
        self.path = tempfile.mkdtemp(prefix="lambdavpc-%s-" % prefix)
        self.env_extra = {}

    def cleanup(self):
        if os.environ.get("E2E_KEEP") != "1":
            shutil.rmtree(self.path, ignore_errors=True)

    def write(self, name, text):
        p = os.path.join(self.path, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        return p

    def copy_example(self, name):
        """Copies examples/<name> here and builds lambda.zip next to it."""
        src = os.path.join(EXAMPLES, name)
        shutil.copytree(src, self.path, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "lambda.zip"))
        make_zip(self.path)

    def set_vars(self, **values):
        self.write("terraform.auto.tfvars.json", json.dumps(values, indent=2))

    def tf(self, *args, env=None, timeout=600):
        """Runs terraform ARGS here; never raises on a non-zero exit."""
        full = list(args)
        cmd = full[0] if full else ""
        if cmd in ("init", "validate", "plan", "apply", "destroy", "import", "refresh", "output"):
            full.insert(1, "-no-color")
        if cmd in ("init", "plan", "apply", "destroy", "import", "refresh"):
            full.insert(1, "-input=false")
        e = terraform_env(self.env_extra)
        if env:
            e.update(env)
        tf_log_path = None
        if SAN_LOG_DIR and not any(k.startswith("TF_LOG") for k in e):
            # UBSan linked next to ASan (gcc) ignores UBSAN_OPTIONS' log_path
            # and always writes to stderr, which Terraform re-logs at DEBUG
            # through its provider logger. So, when the test asked for no log,
            # that logger alone goes at DEBUG into a private file (stderr and
            # stdout unchanged), while the plugin itself still logs nothing
            # (TF_LOG_PROVIDER_LAMBDAVPC=OFF wins in base_log), exactly as in
            # a run without TF_LOG. Tests that set TF_LOG get their stderr
            # scanned instead.
            fd, tf_log_path = tempfile.mkstemp(prefix="tf-", suffix=".log", dir=SAN_LOG_DIR)
            os.close(fd)
            e.update({"TF_LOG_PROVIDER": "DEBUG", "TF_LOG_PROVIDER_LAMBDAVPC": "OFF",
                      "TF_LOG_PATH": tf_log_path})
        try:
            p = subprocess.run(["terraform"] + full, cwd=self.path, env=e,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as ex:
            out = ex.stdout.decode() if isinstance(ex.stdout, bytes) else (ex.stdout or "")
            err = ex.stderr.decode() if isinstance(ex.stderr, bytes) else (ex.stderr or "")
            self.check_sanitizer(full, err, tf_log_path)
            return Result(full, 124, out, err + "\n[e2e] TIMEOUT after %ss" % timeout)
        self.check_sanitizer(full, p.stderr, tf_log_path)
        return Result(full, p.returncode, p.stdout, p.stderr)

    def check_sanitizer(self, args, stderr, tf_log_path):
        """With E2E_SAN_LOG_DIR: fails (SanitizerError) when the plugin wrote a
        sanitizer report during the command just run: an asan.*/ubsan.* file,
        or report lines in the provider log file / terraform's stderr."""
        if not SAN_LOG_DIR:
            return
        log = stderr or ""
        if tf_log_path:
            try:
                with open(tf_log_path, errors="replace") as f:
                    log = f.read()
            except OSError:
                log = ""
            try:
                os.remove(tf_log_path)
            except OSError:
                pass
        reports = claim_sanitizer_reports()
        lines = log.splitlines()
        hit = [i for i, ln in enumerate(lines) if any(m in ln for m in SAN_MARKERS)]
        if hit:
            # The report as re-logged: our logger's lines from the first hit on.
            ours = [ln for ln in lines[hit[0]:] if PLUGIN_LOGGER in ln][:200]
            reports += "\n---- plugin stderr as logged by terraform ----\n" + "\n".join(ours)
        if reports:
            raise SanitizerError("sanitizer report(s) after `terraform %s` in %s:\n%s"
                                 % (" ".join(args), self.path, reports))

    def outputs(self):
        r = self.tf("output", "-json")
        if r.rc != 0:
            raise AssertionError(str(r))
        return {k: v["value"] for k, v in json.loads(r.stdout).items()}


def make_zip(out_dir):
    subprocess.run(["python3", os.path.join(EXAMPLES, "basic", "make_zip.py"), out_dir],
                   check=True, stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------- lock hash


def h1_hash(pkg_dir):
    """Terraform's h1 (Go dirhash Hash1) of an unpacked package directory.

    Every regular file below pkg_dir (symlinks followed), relative name with
    '/', sorted byte-wise; one line "<sha256 hex>  <name>\\n" per file;
    SHA-256 of all lines; "h1:" + padded standard base64.
    """
    names = []
    for dirpath, _dirs, files in os.walk(pkg_dir, followlinks=True):
        for fn in files:
            full = os.path.join(dirpath, fn)
            if os.path.isfile(full):
                names.append(os.path.relpath(full, pkg_dir).replace(os.sep, "/"))
    names.sort(key=lambda s: s.encode())
    summary = hashlib.sha256()
    for n in names:
        if "\n" in n:
            raise ValueError("file name with newline: %r" % n)
        with open(os.path.join(pkg_dir, n), "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        summary.update(("%s  %s\n" % (digest, n)).encode())
    return "h1:" + base64.b64encode(summary.digest()).decode()


def lock_entry(lock_text, addr):
    """(version, constraints, [hashes]) of one provider block of a lock file."""
    m = re.search(r'provider\s+"%s"\s*\{(.*?)\n\}' % re.escape(addr), lock_text, re.S)
    if not m:
        return None
    body = m.group(1)
    version = re.search(r'version\s*=\s*"([^"]*)"', body)
    constraints = re.search(r'constraints\s*=\s*"([^"]*)"', body)
    hashes = re.findall(r'"((?:h1|zh):[^"]+)"', body)
    return (version.group(1) if version else None,
            constraints.group(1) if constraints else None, hashes)


# ---------------------------------------------------------------- processes


def provider_pids(cwd=None):
    """PIDs of running lambdavpc provider processes; with cwd, only those
    working in that directory (Terraform starts plugins in its working
    directory), so other test runs on the machine do not interfere."""
    pids = []
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(os.path.join(d, "cmdline"), "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode(errors="replace")
            if not os.path.basename(argv0).startswith("terraform-provider-lambdavpc"):
                continue
            if cwd and os.path.realpath(os.readlink(os.path.join(d, "cwd"))) != os.path.realpath(cwd):
                continue
        except OSError:
            continue
        pids.append(int(os.path.basename(d)))
    return pids


def tags_of(tag_list):
    """EC2 [{"Key":..,"Value":..}] -> dict."""
    return {t["Key"]: t["Value"] for t in (tag_list or [])}
