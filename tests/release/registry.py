"""A provider registry on 127.0.0.1 serving the release package, so that the
registry install path (`terraform init` from a registry, `terraform providers
mirror`) runs without leaving the machine.

It speaks the provider registry protocol (versions, download metadata, the
zip, SHA256SUMS and its detached signature). The SHA256SUMS file is the one
`make package` wrote; it is signed here with a throwaway GnuPG key, as a
publisher signs it before uploading. A CLI configuration `host` block points
the registry.terraform.io name at this server (see host_block), so no request
leaves 127.0.0.1.
"""

import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading

import release_lib as R


def sign(sums_path, workdir):
    """(key id, ASCII-armoured public key, signature bytes) of a new key."""
    home = os.path.join(workdir, "gnupg")
    os.makedirs(home, mode=0o700)
    gpg = ["gpg", "--homedir", home, "--batch", "--quiet", "--pinentry-mode", "loopback",
           "--passphrase", ""]
    subprocess.run(gpg + ["--quick-gen-key", "lambdavpc release test <test@127.0.0.1>",
                          "rsa2048", "sign", "never"], check=True, stderr=subprocess.DEVNULL)
    sig = os.path.join(workdir, "sums.sig")
    subprocess.run(gpg + ["--output", sig, "--detach-sign", sums_path], check=True)
    armor = subprocess.run(gpg + ["--armor", "--export"], check=True,
                           stdout=subprocess.PIPE, text=True).stdout
    keyid = subprocess.run(gpg + ["--list-keys", "--with-colons"], check=True,
                           stdout=subprocess.PIPE, text=True).stdout
    keyid = [ln.split(":")[4] for ln in keyid.splitlines() if ln.startswith("pub:")][0]
    with open(sig, "rb") as f:
        return keyid, armor, f.read()


class Registry:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="lambdavpc-registry-")
        keyid, armor, sig = sign(R.SUMS, self.tmp)
        with open(R.SUMS, "rb") as f:
            sums = f.read()
        with open(R.ZIP, "rb") as f:
            zipdata = f.read()
        base = "/v1/providers/lambdavpc/lambdavpc"
        files = "/files/"
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def reply(self, body, ctype="application/json"):
                if isinstance(body, (dict, list)):
                    body = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = "http://127.0.0.1:%d" % registry.port
                sums_name = os.path.basename(R.SUMS)
                if self.path == base + "/versions":
                    return self.reply({"versions": [{
                        "version": R.VERSION, "protocols": ["6.0"],
                        "platforms": [{"os": "linux", "arch": "amd64"}]}]})
                if self.path == base + "/%s/download/linux/amd64" % R.VERSION:
                    return self.reply({
                        "protocols": ["6.0"], "os": "linux", "arch": "amd64",
                        "filename": R.ZIP_NAME,
                        "download_url": url + files + R.ZIP_NAME,
                        "shasums_url": url + files + sums_name,
                        "shasums_signature_url": url + files + sums_name + ".sig",
                        "shasum": R.sha256_file(R.ZIP),
                        "signing_keys": {"gpg_public_keys": [{"key_id": keyid, "ascii_armor": armor}]},
                    })
                if self.path == files + R.ZIP_NAME:
                    return self.reply(zipdata, "application/zip")
                if self.path == files + sums_name:
                    return self.reply(sums, "text/plain")
                if self.path == files + sums_name + ".sig":
                    return self.reply(sig, "application/octet-stream")
                self.send_error(404)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def host_block(self):
        """CLI configuration that sends registry.terraform.io here."""
        return ('host "registry.terraform.io" {\n  services = {\n'
                '    "providers.v1" = "http://127.0.0.1:%d/v1/providers/"\n  }\n}\n' % self.port)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.tmp, ignore_errors=True)
