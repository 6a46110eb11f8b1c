"""Helpers for the release suite: the package files, a glibc-only root
directory to chroot into, terraform run inside it, and Terraform's hashes.

The root holds exactly: the files of Debian's libc6 package (what "a machine
with only glibc" has), the terraform binary (a static Go program), device
nodes /dev/null, /dev/zero, /dev/urandom (Go's os/exec opens /dev/null for a
child's stdin), an empty /tmp, /proc (mounted while the tests run), and what each test writes (mirror, CLI config,
working directories). chroot keeps the network namespace, so moto on
127.0.0.1 (started outside by run.sh) is reachable from inside.
"""

import atexit
import base64
import hashlib
import os
import shutil
import stat
import subprocess
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, "build")
with open(os.path.join(ROOT, "VERSION")) as _f:
    VERSION = _f.read().strip()
NAME = "terraform-provider-lambdavpc"
ADDR = "registry.terraform.io/lambdavpc/lambdavpc"
ZIP_NAME = "%s_%s_linux_amd64.zip" % (NAME, VERSION)
ZIP = os.path.join(BUILD, ZIP_NAME)
SUMS = os.path.join(BUILD, "%s_%s_SHA256SUMS" % (NAME, VERSION))
EXE = "%s_v%s" % (NAME, VERSION)
TERRAFORM = shutil.which("terraform") or "/usr/local/bin/terraform"
CHROOT = os.path.join(BUILD, "release", "root")
MOTO_URL = os.environ.get("RELEASE_MOTO_URL", "")
INSTALLED = "/%s/.terraform/providers/" + ADDR + "/" + VERSION + "/linux_amd64"


def glibc_files():
    """Paths (files and symlinks, not directories) of Debian's libc6 package."""
    out = subprocess.run(["dpkg-query", "-L", "libc6"], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return [p for p in out.split("\n")
            if p.startswith("/") and (os.path.islink(p) or os.path.isfile(p))]


def build_root():
    """A fresh CHROOT: glibc's files, terraform, device nodes, /tmp."""
    unmount_proc()
    if os.path.exists(CHROOT):
        shutil.rmtree(CHROOT)
    os.makedirs(CHROOT)
    files = glibc_files()
    # Merged /usr: /lib and /lib64 are symlinks to directories; recreate them
    # (and their targets) first so the files below land where the host has them.
    for p in [p for p in files if os.path.islink(p) and os.path.isdir(p)]:
        target = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
        os.makedirs(CHROOT + target, exist_ok=True)
        os.makedirs(os.path.dirname(CHROOT + p), exist_ok=True)
        os.symlink(os.readlink(p), CHROOT + p)
    for p in files:
        dest = CHROOT + p
        if os.path.lexists(dest):
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.islink(p):
            os.symlink(os.readlink(p), dest)
        else:
            shutil.copy2(p, dest)
    os.makedirs(CHROOT + "/usr/local/bin", exist_ok=True)
    shutil.copy2(TERRAFORM, CHROOT + "/usr/local/bin/terraform")
    os.makedirs(CHROOT + "/dev")
    for name, minor in (("null", 3), ("zero", 5), ("urandom", 9)):
        os.mknod(CHROOT + "/dev/" + name, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    os.makedirs(CHROOT + "/tmp")
    os.chmod(CHROOT + "/tmp", 0o1777)
    # The provider reads /proc/self/pagemap after start-up (base_pages.c),
    # as it would on every Linux machine, which all have /proc.
    os.makedirs(CHROOT + "/proc")
    subprocess.run(["mount", "-t", "proc", "proc", CHROOT + "/proc"], check=True)
    atexit.register(unmount_proc)


def unmount_proc():
    if os.path.ismount(CHROOT + "/proc"):
        subprocess.run(["umount", CHROOT + "/proc"], check=True)


def write(path, text):
    """Writes text to CHROOT/path (path is absolute inside the root)."""
    full = CHROOT + path
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)
    return full


def cli_config(path, body):
    """A CLI configuration file at `path` inside the root."""
    return write(path, "provider_installation {\n%s}\n" % body)


FS_MIRROR = ('  filesystem_mirror {\n    path    = "%s"\n    include = ["registry.terraform.io/lambdavpc/*"]\n  }\n'
             '  direct {\n    exclude = ["registry.terraform.io/lambdavpc/*"]\n  }\n')


class Result:
    def __init__(self, p):
        self.rc, self.stdout, self.stderr = p.returncode, p.stdout, p.stderr

    def __str__(self):
        return "rc=%d\n--- stdout\n%s\n--- stderr\n%s" % (self.rc, self.stdout, self.stderr)


def _enter_root():
    os.chroot(CHROOT)
    os.chdir("/")


def run(argv, cli="/terraformrc", env=None, timeout=300):
    """Runs argv inside the root (chroot) with a clean environment."""
    e = {
        "PATH": "/usr/local/bin", "HOME": "/tmp", "TMPDIR": "/tmp",
        "TF_CLI_CONFIG_FILE": cli, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    e.update(env or {})
    p = subprocess.run(argv, env=e, stdin=subprocess.DEVNULL, preexec_fn=_enter_root,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    return Result(p)


def tf(workdir, *args, **kw):
    return run(["/usr/local/bin/terraform", "-chdir=" + workdir] + list(args), **kw)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def h1_of_zip(path):
    """Terraform's h1 hash computed from the zip's entries (Go dirhash Hash1):
    sorted entry names, "<sha256 hex>  <name>\\n" each, SHA-256 of the lines."""
    lines = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist(), key=lambda s: s.encode()):
            lines.append("%s  %s\n" % (hashlib.sha256(z.read(name)).hexdigest(), name))
    return "h1:" + base64.b64encode(hashlib.sha256("".join(lines).encode()).digest()).decode()


def lock_hashes(lock_text):
    """The hashes of our provider's entry in a .terraform.lock.hcl."""
    start = lock_text.find('provider "%s"' % ADDR)
    if start < 0:
        return None
    block = lock_text[start:lock_text.find("\n}", start)]
    return [t.split('"')[1] for t in block.split("\n") if t.strip().startswith('"')]


def lock_file(hashes):
    body = "".join('    "%s",\n' % h for h in hashes)
    return ('provider "%s" {\n  version     = "%s"\n  constraints = "%s"\n  hashes = [\n%s  ]\n}\n'
            % (ADDR, VERSION, VERSION, body))
