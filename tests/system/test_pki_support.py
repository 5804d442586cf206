"""Helpers of the certification-centre tests (no tests here): a CA data
directory made with `pencere ca init`, a `pencere ca serve` process on a
free port, requests to its RA API signed the way the portal signs them
(PC-HMAC-SHA256), and OpenSSL's command-line tools as the independent
client (openssl req / verify / ocsp / ts / cms / crl / pkcs12)."""
import base64
import hashlib
import hmac
import json
import os
import re
import signal
import subprocess
import time

import syslib
from syslib import BIN, request, run_cli

OPENSSL = "openssl"
PASSPHRASE = "correct horse battery staple 42"


def openssl(*args, input=None, check=True, timeout=60):
    r = subprocess.run([OPENSSL] + [str(a) for a in args], capture_output=True, timeout=timeout,
                       input=input, stdin=None if input is not None else subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise AssertionError("openssl %s failed (%d): %s" % (" ".join(map(str, args)), r.returncode,
                                                             r.stderr.decode(errors="replace")))
    return r


def make_csr(workdir, name, subj="/CN=Applicant", key="ec", bits=None, curve="P-256"):
    """A key and a CSR made by OpenSSL; returns (key path, csr path)."""
    k = os.path.join(workdir, name + ".key")
    c = os.path.join(workdir, name + ".csr")
    if key == "ec":
        openssl("req", "-new", "-utf8", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:%s" % curve, "-nodes",
                "-keyout", k, "-subj", subj, "-out", c)
    elif key == "rsa":
        openssl("req", "-new", "-utf8", "-newkey", "rsa:%d" % bits, "-nodes", "-keyout", k, "-subj", subj, "-out", c)
    else:
        openssl("req", "-new", "-utf8", "-newkey", key, "-nodes", "-keyout", k, "-subj", subj, "-out", c)
    return k, c


class CA:
    """A CA data directory and, once started, `pencere ca serve` on it."""

    def __init__(self, workdir, db=None, key_type="p256", init=True, env=None):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.dir = os.path.join(workdir, "ca")
        self.db = db or syslib.Database(workdir)
        self.port = syslib.free_port()
        self.proc = None
        self.generation = 0
        self.env = dict(env or {})
        self.serve_args = ()
        if init:
            r = run_cli("ca", "init", "--data-dir", self.dir, "--public-url", self.url(""),
                        "--key-type", key_type, env=self.env)
            assert r.returncode == 0, r.stderr
            self.secret = self.add_client("portal")

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def path(self, *p):
        return os.path.join(self.dir, *p)

    @property
    def root(self):
        return self.path("certs", "root.pem")

    @property
    def issuer(self):
        return self.path("certs", "ca.pem")

    def chain_file(self):
        p = os.path.join(self.workdir, "chain.pem")
        with open(p, "w") as f:
            f.write(open(self.issuer).read() + open(self.root).read())
        return p

    def add_client(self, cid):
        r = run_cli("ca", "add-client", "--data-dir", self.dir, "--id", cid)
        assert r.returncode == 0, r.stderr
        return open(r.stdout.strip()).read().strip()

    def cli(self, *args, **kw):
        return run_cli("ca", *args, "--data-dir", self.dir, "--db", self.db.url, env=self.env, **kw)

    @property
    def stderr_path(self):
        return os.path.join(self.workdir, "ca-stderr-%d.log" % self.generation)

    def stderr(self):
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def start(self, port=None):
        self.generation += 1
        if port:
            self.port = port
        env = dict(os.environ)
        env.update(self.env)
        with open(self.stderr_path, "wb") as err, open(os.devnull, "wb") as out:
            self.proc = subprocess.Popen([BIN, "ca", "serve", "--listen", "127.0.0.1:%d" % self.port,
                                          "--data-dir", self.dir, "--db", self.db.url] + list(self.serve_args),
                                         stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + syslib.START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("pencere ca serve exited with %s:\n%s" % (self.proc.returncode,
                                                                             self.stderr()[-3000:]))
            try:
                if request(self.port, "GET", "/healthz", timeout=2).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.proc.kill()
        raise RuntimeError("pencere ca serve did not start:\n" + self.stderr()[-3000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(syslib.STOP_TIMEOUT)
        if self.proc:
            err = self.stderr()
            assert not syslib.sanitizer_findings(err), err[-6000:]
            assert self.proc.returncode == 0, "ca serve exited with %s:\n%s" % (self.proc.returncode, err[-3000:])
        self.proc = None

    def close(self):
        try:
            self.stop()
        finally:
            self.db.drop()

    def health(self):
        return request(self.port, "GET", "/healthz").json()

    # ---- the RA API, signed like the portal signs ----------------------

    def api(self, method, path, body=None, actor=None, secret=None, client="portal", ts=None, headers=None,
            prefix="/ca/api/v1"):
        target = prefix + path
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        hdrs = {"Content-Type": "application/json"} if body is not None else {}
        actor = actor or {}
        names = [("id", "X-Pencere-Actor"), ("role", "X-Pencere-Actor-Role"), ("fin", "X-Pencere-Actor-Fin"),
                 ("voen", "X-Pencere-Actor-Voen"), ("ip", "X-Pencere-Actor-Ip")]
        for key, h in names:
            if actor.get(key):
                hdrs[h] = actor[key]
        ts = int(time.time()) if ts is None else ts
        msg = "PC1\n%s\n%s\n%d\n%s\n%s" % (method, target, ts, "\n".join(actor.get(k, "") for k, _ in names),
                                           hashlib.sha256(data).hexdigest())
        key = bytes.fromhex(secret or self.secret)
        sig = base64.urlsafe_b64encode(hmac.new(key, msg.encode(), "sha256").digest()).rstrip(b"=").decode()
        hdrs["Authorization"] = "PC-HMAC-SHA256 client=%s, ts=%d, sig=%s" % (client, ts, sig)
        hdrs.update(headers or {})
        return request(self.port, method, target, headers=hdrs, body=data if body is not None else None, timeout=60)

    def issue(self, csr_path, fin, name, profile="citizen", actor=None, extra=None):
        holder = {"fin": fin, "name": name}
        holder.update(extra or {})
        return self.api("POST", "/certificates", {"profile": profile, "holder": holder,
                                                   "csr": open(csr_path).read()}, actor=actor)

    # ---- OpenSSL as the client -------------------------------------------

    def ocsp(self, cert, *extra, url=None):
        """`openssl ocsp` against our responder: (status word, full output)."""
        r = openssl("ocsp", "-issuer", self.issuer, "-cert", cert, "-url", url or self.url("/ca/ocsp"),
                    "-CAfile", self.root, *extra, check=False)
        out = (r.stdout + r.stderr).decode(errors="replace")
        m = re.search(r": (good|revoked|unknown)\s", out)
        return (m.group(1) if m else None), out


def serial_of(pem_path):
    out = openssl("x509", "-in", pem_path, "-noout", "-serial").stdout.decode()
    return out.strip().split("=", 1)[1]


def write(path, text):
    with open(path, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    return path


def wait_for(pred, timeout=5.0, step=0.1):
    """Poll pred() until it is truthy (returned) or the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)
