"""The exchange layer's processes for the system tests: a certification
centre (`pencere ca serve`, for certificates, OCSP and time-stamps), a
central registry (`pencere central serve`), the portal's gateway (gw1),
the registries' gateway (gw2), the population register (`pencere
registry`, 1,000 synthetic people) and a provider that misbehaves on
request (slow, down, echoing; a small HTTP server in the test process).
Started once per test module."""
import json
import os
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import syslib
from syslib import BIN, request, run_cli
from test_pki_support import CA, PASSPHRASE, write

PORTAL = "AZ/GOV/1500000002"
POP = "AZ/GOV/1400000001"
CLIENT = PORTAL + "/portal"
OTHER = PORTAL + "/other"
SERVICE = POP + "/population/person"
SLOW = POP + "/population/slow"
DOWN = POP + "/population/down"
BIG = POP + "/population/upload"
SOAP = POP + "/population/personSoap"
PERSONS = POP + "/population/persons"
TAX = "AZ/GOV/1400057421"
TAXPAYERS = TAX + "/avis/taxpayers"
TAXSOAP = TAX + "/avis/taxpayerSoap"
PEOPLE = 1000
ENV = {"PENCERE_CA_PASSPHRASE": PASSPHRASE}


class Provider(ThreadingHTTPServer):
    """The provider's information system: answers what it was asked, with
    the X-Road-* headers it received, and remembers the requests."""
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ProviderHandler)
        self.seen = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]


class ProviderHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # the head and the body are two writes: without this a kept connection
    # waits for the client's delayed ACK (40 ms) between them
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def answer(self, status, ctype, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        self.server.seen.append((self.command, self.path, dict(self.headers), body))
        if self.path.startswith("/slow"):
            time.sleep(3)
        if self.path.startswith("/person/"):
            fin = self.path.split("/")[2].split("?")[0]
            if fin == "0000000":
                return self.answer(404, "application/json", b'{"error":"no such person"}')
            doc = {"fin": fin, "name": "Aysel Məmmədova", "client": self.headers.get("X-Road-Client"),
                   "user": self.headers.get("X-Road-UserId"), "issue": self.headers.get("X-Road-Issue"),
                   "accept": self.headers.get("Accept")}
            return self.answer(200, "application/json; charset=utf-8", json.dumps(doc).encode(),
                               [("ETag", '"v1"'), ("Connection", "keep-alive, X-Secret"), ("X-Secret", "no"),
                                ("Set-Cookie", "s=1")])
        return self.answer(200, "application/octet-stream", body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


class Tamper(ThreadingHTTPServer):
    """Between the two gateways (gw2's address in the registry): passes
    messages on, or changes one in a chosen way, or sends it twice."""
    daemon_threads = True

    def __init__(self, to_port):
        super().__init__(("127.0.0.1", 0), TamperHandler)
        self.to_port = to_port
        self.mode = "pass"
        self.connections = 0  # accepted from the consumer's gateway
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()


class TamperHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as the provider's (kept connections)

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def log_message(self, *a):
        pass

    def do_POST(self):
        mode = self.server.mode
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        if mode == "request-body":
            body = body + b" "
        elif mode == "request-header":
            hdrs["X-Road-UserId"] = "9ZZZZZZ"
        elif mode == "other-gateway":
            hdrs["X-Road-Gateway"] = hdrs["X-Road-Gateway"].replace("gw1", "gw9")
        r = request(self.server.to_port, "POST", self.path, headers=hdrs, body=body)
        if mode == "replay":
            r = request(self.server.to_port, "POST", self.path, headers=hdrs, body=body)
        out = r.body + (b" " if mode == "response-body" else b"")
        self.send_response(r.status)
        for k, v in r.headers:
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


class Proc:
    """A long-running `pencere …` process with its stderr in a file."""

    def __init__(self, workdir, name, args, port):
        self.workdir, self.name, self.args, self.port = workdir, name, args, port
        self.proc = None
        self.generation = 0

    @property
    def err_path(self):
        return os.path.join(self.workdir, "%s-%d.log" % (self.name, self.generation))

    def stderr(self):
        try:
            return open(self.err_path, encoding="utf-8", errors="replace").read()
        except FileNotFoundError:
            return ""

    def start(self, ready=lambda r: r.status == 200):
        self.generation += 1
        env = dict(os.environ)
        env.update(ENV)
        with open(self.err_path, "wb") as err, open(os.devnull, "wb") as out:
            self.proc = subprocess.Popen([BIN] + self.args, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         env=env)
        deadline = time.monotonic() + syslib.START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited:\n%s" % (self.name, self.stderr()[-3000:]))
            try:
                if ready(request(self.port, "GET", "/healthz", timeout=2)):
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("%s did not become ready:\n%s" % (self.name, self.stderr()[-3000:]))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(syslib.STOP_TIMEOUT)
        if self.proc:
            err = self.stderr()
            assert not syslib.sanitizer_findings(err), err[-6000:]
            assert self.proc.returncode == 0, "%s exited with %s:\n%s" % (self.name, self.proc.returncode,
                                                                          err[-3000:])
        self.proc = None


def ok(r):
    assert r.returncode == 0, r.stderr
    return r


class Exchange:
    """The whole exchange on loopback ports."""

    def __init__(self, tmp, gw1_tsa_interval="0", gateway_args=(), peer_tls=False, tamper=True,
                 gw2_tsa_interval="1"):
        """peer_tls: the gateways talk over mutual TLS on listeners of
        their own (no tampering proxy between them then); tamper=False:
        plain HTTP straight from gateway to gateway (the benchmark)."""
        self.tmp = tmp
        self.peer_tls = peer_tls
        self.tamper = None
        self.gateway_args = list(gateway_args)
        self.ca = CA(os.path.join(tmp, "ca-work"), env=ENV)
        self.ca.start()
        self.dbs = []
        self.provider = Provider()
        self.central_dir = os.path.join(tmp, "central")
        cdb = self.db()
        ok(run_cli("central", "init", "--data-dir", self.central_dir, "--db", cdb))
        self.central = Proc(tmp, "central", ["central", "serve", "--data-dir", self.central_dir, "--db", cdb,
                                             "--listen", "127.0.0.1:%d" % syslib.free_port()], 0)
        self.central.port = int(self.central.args[-1].split(":")[1])
        self.central.args += ["--validity", "10"]
        self.central_db = cdb
        self.c("member", "--id", PORTAL, "--name", "Portal")
        self.c("member", "--id", POP, "--name", "Əhali reyestri")
        self.c("member", "--id", TAX, "--name", "Vergilər Nazirliyi")
        for s in (CLIENT, OTHER, POP + "/population", TAX + "/avis"):
            self.c("subsystem", "--id", s)
        self.c("ca", "--chain", self.ca.chain_file(), "--ocsp", self.ca.url("/ca/ocsp"), "--tsa",
               self.ca.url("/ca/tsa"))
        self.central.start()
        anchor = write(os.path.join(tmp, "anchor.json"),
                       request(self.central.port, "GET", "/anchor.json").body)
        rdb = self.db()
        ok(run_cli("registry", "generate", "--kind", "population", "--db", rdb, "--count", str(PEOPLE)))
        rport = syslib.free_port()
        self.registry = Proc(tmp, "registry", ["registry", "--kind", "population", "--db", rdb, "--listen",
                                               "127.0.0.1:%d" % rport, "--log-level", "warn"], rport)
        self.registry.start()
        self.registry.url = "http://127.0.0.1:%d" % rport
        tdb = self.db()
        ok(run_cli("registry", "generate", "--kind", "taxpayers", "--db", tdb, "--count", "400", "--people",
                   str(PEOPLE)))
        tport = syslib.free_port()
        self.taxpayers = Proc(tmp, "taxpayers", ["registry", "--kind", "taxpayers", "--db", tdb, "--listen",
                                                 "127.0.0.1:%d" % tport, "--log-level", "warn"], tport)
        self.taxpayers.start()
        self.taxpayers.url = "http://127.0.0.1:%d" % tport
        self.gw1 = self.gateway("gw1", PORTAL, "Portal", anchor, [CLIENT, OTHER], tsa_interval=gw1_tsa_interval)
        self.gw2 = self.gateway("gw2", POP, "Əhali reyestri", anchor, [POP + "/population", TAX + "/avis"],
                                tsa_interval=gw2_tsa_interval, tamper=tamper)
        # gw2 signs for the tax ministry too
        ok(run_cli("gateway", "add-member", "--data-dir", self.gw2.dir, "--member", TAX))
        tax_sign = self.issue(os.path.join(self.gw2.dir, "1400057421.csr"), "member-sign", "1400057421",
                              "Vergilər Nazirliyi", "Vergilər Nazirliyi")
        ok(run_cli("gateway", "install-cert", "--data-dir", self.gw2.dir, "--which", "1400057421", "--cert",
                   tax_sign))
        p = self.provider.url
        for sid, path, kind, extra in ((SERVICE, "/person", "query", ()),
                                       (SLOW, "/slow", "query", ("--timeout-ms", "1000")),
                                       (DOWN, None, "query", ()),
                                       (BIG, "/upload", "document", ("--max-request", "2000000")),
                                       (SOAP, None, "query", ()),
                                       (PERSONS, None, "query", ()),
                                       (TAXPAYERS, None, "query", ()),
                                       (TAXSOAP, None, "query", ())):
            self.c("service", "--id", sid, "--title", sid.rsplit("/", 1)[1], "--kind", kind, *extra)
            url = p + path if path else "http://127.0.0.1:%d/nothing" % syslib.free_port()
            url = {SOAP: self.registry.url + "/population/soap",
                   PERSONS: self.registry.url + "/population/v1/persons",
                   TAXPAYERS: self.taxpayers.url + "/taxpayers/v1/taxpayers",
                   TAXSOAP: self.taxpayers.url + "/taxpayers/soap"}.get(sid, url)
            ok(run_cli("gateway", "service", "--data-dir", self.gw2.dir, "--service", sid, "--url", url,
                       *(["--soap"] if sid in (SOAP, TAXSOAP) else [])))
            self.c("grant", "--service", sid, "--subject", CLIENT)
        for g in (self.gw1, self.gw2):
            g.start(ready=lambda r: r.status == 200)

    def db(self):
        d = syslib.Database(self.tmp)
        self.dbs.append(d)
        return d.url

    def c(self, *args):
        return ok(run_cli("central", *args, "--data-dir", self.central_dir, "--db", self.central_db))

    def issue(self, csr, profile, code, org, name):
        r = ok(self.ca.cli("issue", "--profile", profile, "--voen", code, "--org", org, "--name", name, "--csr",
                           csr))
        return write(os.path.join(self.tmp, "%s-%s.pem" % (name, profile)), r.stdout)

    def gateway(self, name, member, org, anchor, clients, tsa_interval="1", tamper=False):
        d = os.path.join(self.tmp, name)
        gid = "%s/%s" % (member, name)
        code = member.rsplit("/", 1)[1]
        ok(run_cli("gateway", "init", "--data-dir", d, "--id", gid, "--anchor", anchor))
        auth = self.issue(os.path.join(d, "auth.csr"), "gateway-auth", code, org, name)
        sign = self.issue(os.path.join(d, code + ".csr"), "member-sign", code, org, org)
        ok(run_cli("gateway", "install-cert", "--data-dir", d, "--which", "auth", "--cert", auth))
        ok(run_cli("gateway", "install-cert", "--data-dir", d, "--which", code, "--cert", sign))
        port = syslib.free_port()
        address, peer = "http://127.0.0.1:%d" % port, []
        if self.peer_tls:
            peer_port = syslib.free_port()
            address, peer = "https://127.0.0.1:%d" % peer_port, ["--peer-listen", "127.0.0.1:%d" % peer_port]
        elif tamper:
            self.tamper = Tamper(port)
            address = "http://127.0.0.1:%d" % self.tamper.server_address[1]
        self.c("gateway", "--id", gid, "--address", address, "--cert", auth)
        for cl in clients:
            self.c("gateway-client", "--gateway", gid, "--client", cl)
        db = self.db()
        g = Proc(self.tmp, name, ["gateway", "serve", "--data-dir", d, "--db", db, "--listen",
                                  "127.0.0.1:%d" % port, "--gconf-interval-ms", "200", "--ocsp-refresh", "1",
                                  "--tsa-interval", tsa_interval, "--log-level", "warn", *peer, *self.gateway_args], port)
        g.dir, g.db, g.sign_pem, g.id, g.auth_pem, g.address = d, db, sign, gid, auth, address
        return g

    def call(self, path, client=CLIENT, method="GET", body=None, headers=None, gw=None):
        h = {"X-Road-Client": client} if client else {}
        h.update(headers or {})
        return request((gw or self.gw1).port, method, path, headers=h, body=body, timeout=20)

    def close(self):
        for p in (self.gw1, self.gw2, self.central, self.registry, self.taxpayers):
            try:
                p.stop()
            except Exception:
                pass
        self.provider.shutdown()
        if self.tamper:
            self.tamper.shutdown()
        self.ca.close()
        for d in self.dbs:
            d.drop()
