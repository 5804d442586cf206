"""Helpers for the black-box system tests: starting the real `pencere`
binary on a free loopback port with a fresh database (SQLite file or a new
PostgreSQL database), talking HTTP to it over real sockets, and checking
that it stops cleanly.

Environment:
  PENCERE_BIN          the binary (default /work/main/build/pencere)
  PENCERE_TEST_DB      sqlite (default) or postgres
  PENCERE_TEST_PG_URL  admin URL of a PostgreSQL server, e.g.
                       postgresql://postgres@127.0.0.1:5432/postgres
"""
import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "catalog")
REAL_CATALOG = os.path.join(ROOT, "data", "catalog")
OPENAPI = os.path.join(ROOT, "docs", "api", "openapi.yaml")

BIN = os.environ.get("PENCERE_BIN") or os.path.join(ROOT, "build", "pencere")
DB_KIND = (os.environ.get("PENCERE_TEST_DB") or "sqlite").strip().lower()
PG_URL = (os.environ.get("PENCERE_TEST_PG_URL") or "").strip()

LANGS = ("az", "en", "ru")
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error", "UndefinedBehaviorSanitizer")
START_TIMEOUT = 60.0      # sanitizer builds start slowly
STOP_TIMEOUT = 15.0


# ---- databases ----------------------------------------------------------

def _pg_with_db(url, name):
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


def _psql(sql):
    r = subprocess.run(["psql", PG_URL, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("psql %r failed: %s" % (sql, r.stderr.strip()))


class Database:
    """A fresh, empty database of the kind chosen by PENCERE_TEST_DB."""

    def __init__(self, workdir):
        self.kind = DB_KIND
        if self.kind == "sqlite":
            self.url = os.path.join(workdir, "pencere-%s.db" % secrets.token_hex(4))
            self.name = None
        elif self.kind in ("postgres", "postgresql", "pg"):
            self.kind = "postgres"
            if not PG_URL:
                raise RuntimeError("PENCERE_TEST_DB=postgres needs PENCERE_TEST_PG_URL")
            self.name = "t_" + secrets.token_hex(6)
            _psql("CREATE DATABASE %s" % self.name)
            self.url = _pg_with_db(PG_URL, self.name)
        else:
            raise RuntimeError("PENCERE_TEST_DB must be sqlite or postgres, not %r" % DB_KIND)

    def drop(self):
        if self.kind == "postgres" and self.name:
            try:
                _psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)
            except Exception:
                pass  # the cluster is thrown away anyway


# ---- processes ----------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_cli(*args, timeout=60, env=None, cwd=None):
    """Run the binary to completion; returns CompletedProcess (text)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([BIN] + [str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout, env=e, stdin=subprocess.DEVNULL, cwd=cwd)


def sanitizer_findings(text):
    return [m for m in SANITIZER_MARKERS if m in text]


class Server:
    """One `pencere portal` process on a free loopback port.

    Output goes to files (never pipes: a full pipe would block the server's
    request log).  `stop()` sends SIGTERM and asserts a clean exit."""

    def __init__(self, workdir, catalog=FIXTURE, db=None, extra=()):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.catalog = catalog
        self.db = db or Database(workdir)
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.generation = 0
        self.crashes = []          # (exit code, stderr tail) of processes that died

    # paths of the current process's output
    @property
    def stderr_path(self):
        return os.path.join(self.workdir, "stderr-%d.log" % self.generation)

    @property
    def stdout_path(self):
        return os.path.join(self.workdir, "stdout-%d.log" % self.generation)

    def stderr(self):
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stderr_tail(self, n=3000):
        return self.stderr()[-n:]

    def args(self, port):
        a = [BIN, "portal", "--listen", "127.0.0.1:%d" % port, "--db", self.db.url,
             "--files-dir", os.path.join(self.workdir, "files")]
        if self.catalog:
            a += ["--import-catalog", self.catalog]
        return a + self.extra

    def start(self):
        last = ""
        for _attempt in range(5):
            self.generation += 1
            self.port = free_port()
            with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
                self.proc = subprocess.Popen(self.args(self.port), stdout=out, stderr=err,
                                             stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    r = request(self.port, "GET", "/healthz", timeout=2)
                    if r.status == 200:
                        return self
                except OSError:
                    pass
                time.sleep(0.05)
            last = self.stderr_tail()
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("pencere did not become ready in %ss:\n%s" % (START_TIMEOUT, last))
            if "cannot listen" not in last:
                break  # not a port race: a real failure
        raise RuntimeError("pencere portal exited with %s before it was ready:\n%s"
                           % (self.proc.returncode, last))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def describe_exit(self):
        rc = self.proc.returncode
        how = "exit code %s" % rc
        if rc is not None and rc < 0:
            try:
                how = "killed by %s" % signal.Signals(-rc).name
            except ValueError:
                how = "killed by signal %d" % -rc
        return how

    def check_not_crashed(self, what="this request", wait=True):
        """Raise if the process has died (e.g. after `what`); `wait` gives
        a crash that may still be on its way a moment to show."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            if not wait:
                return
            try:
                self.proc.wait(0.3)
            except subprocess.TimeoutExpired:
                return
        self.crash_reported = self.generation
        raise AssertionError("pencere died after %s (%s); stderr:\n%s"
                             % (what, self.describe_exit(), self.stderr_tail()))

    def assert_alive(self, what="the server"):
        """The process runs and /healthz answers 200."""
        if not self.alive():
            if getattr(self, "crash_reported", None) == self.generation:
                return    # the test already failed for it
            self.check_not_crashed(what)
        try:
            r = request(self.port, "GET", "/healthz", timeout=10)
        except OSError as e:
            self.check_not_crashed(what)
            raise AssertionError("/healthz failed after %s: %r" % (what, e))
        assert r.status == 200, "/healthz answered %s after %s" % (r.status, what)

    def ensure_running(self):
        """Restart a process that died (its crash is kept in self.crashes)."""
        if self.alive():
            return
        if self.proc is not None:
            self.crashes.append((self.proc.returncode, self.stderr_tail()))
        self.start()

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT):
        return self.proc.wait(timeout)

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Stop with `sig`; assert exit 0 within `timeout` and a clean stderr."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            t0 = time.monotonic()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("pencere did not exit within %ss of %s; stderr:\n%s"
                                     % (timeout, signal.Signals(sig).name, self.stderr_tail()))
            took = time.monotonic() - t0
        else:
            took = 0
            if getattr(self, "crash_reported", None) == self.generation:
                return took   # its death already failed a test
        self.check_exit()
        return took

    def check_exit(self):
        err = self.stderr()
        found = sanitizer_findings(err)
        assert not found, "sanitizer findings %s in stderr:\n%s" % (found, err[-6000:])
        assert self.proc.returncode == 0, \
            "pencere exited with %s; stderr:\n%s" % (self.proc.returncode, err[-3000:])

    def close(self):
        """Teardown: stop (asserting), then drop the database."""
        try:
            self.stop()
        finally:
            self.db.drop()

    # convenience
    def get(self, path, **kw):
        return request(self.port, "GET", path, **kw)

    def head(self, path, **kw):
        return request(self.port, "HEAD", path, **kw)

    def api(self, path, **kw):
        r = request(self.port, "GET", path, **kw)
        return r

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)


# ---- HTTP ---------------------------------------------------------------

class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers           # list of (name, value) as received
        self.body = body

    def header(self, name, default=None):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def content_type(self):
        return self.header("Content-Type", "")

    @property
    def text(self):
        body = self.body
        if self.header("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode("utf-8")

    def json(self):
        return json.loads(self.text)

    def __repr__(self):
        return "<Response %s %s %s %r>" % (self.status, self.reason, self.content_type, self.body[:200])


def request(port, method, path, headers=None, body=None, timeout=15):
    """One request on a new connection (http.client: the target is sent as
    given, so malformed escapes reach the server unchanged)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        hdrs = dict(headers or {})
        for k, v in hdrs.items():
            c.putheader(k, v)
        if body is not None:
            if not any(k.lower() == "content-length" for k in hdrs):
                c.putheader("Content-Length", str(len(body)))
            c.endheaders(body)
        else:
            c.endheaders()
        r = c.getresponse()
        data = r.read()
        return Response(r.status, r.reason, r.getheaders(), data)
    finally:
        c.close()


def raw_exchange(port, data, timeout=10, shutdown_write=False):
    """Send raw bytes, read until the server closes (or timeout).  Returns
    the bytes received; b'' if the server closed without answering."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        try:
            s.sendall(data)
            if shutdown_write:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        while True:
            try:
                d = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not d:
                break
            out += d
    finally:
        s.close()
    return out


def parse_raw(data):
    """(status, headers dict lower-case, body) of a raw HTTP/1.1 response;
    status None when nothing came back."""
    if not data:
        return None, {}, b""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    status = int(m.group(1)) if m else None
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs.setdefault(k.strip().lower(), v.strip())
    return status, hdrs, body


def html_lang(html):
    m = re.search(r'<html[^>]*\blang="([a-z]{2})"', html)
    return m.group(1) if m else None


def html_title(html):
    m = re.search(r"<title>(.*?)</title>", html, re.S)
    return m.group(1) if m else None


def html_h1(html):
    m = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return m.group(1) if m else None


def service_links(html):
    """Ids of the services listed on a page, in order (links in list items)."""
    return re.findall(r'<li class="service-item">\s*<h\d class="service-title"><a href="/services/([a-z0-9-]+)">', html)


def next_link(html):
    m = re.search(r'<a href="([^"]*)" rel="next">', html)
    return m.group(1).replace("&amp;", "&") if m else None


def copy_catalog(src, dst):
    os.makedirs(dst, exist_ok=True)
    for name in ("agencies.jsonl", "life_events.jsonl", "services.jsonl"):
        shutil.copy(os.path.join(src, name), os.path.join(dst, name))
    return dst


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl_lines(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False))
            f.write("\n")


def az_lower(s):
    """Lower-case Azerbaijani text the Azerbaijani way (I→ı, İ→i)."""
    return s.replace("I", "ı").replace("İ", "i").lower()


# ---- OpenAPI → JSON Schema -----------------------------------------------

_DROP = ("example", "examples", "nullable", "description", "format", "readOnly", "writeOnly",
         "xml", "externalDocs", "deprecated", "default")


def _convert(node):
    """OpenAPI 3.0 schema object → JSON Schema (draft 4) with `nullable`
    turned into a null alternative and every object closed
    (additionalProperties false) so that undocumented fields fail."""
    if not isinstance(node, dict):
        return node
    n = {}
    for k, v in node.items():
        if k in _DROP:
            continue
        if k == "properties":
            n[k] = {name: _convert(sub) for name, sub in v.items()}
        elif k in ("items", "not") or (k == "additionalProperties" and isinstance(v, dict)):
            n[k] = _convert(v)
        elif k in ("allOf", "anyOf", "oneOf"):
            n[k] = [_convert(x) for x in v]
        else:
            n[k] = v
    if n.get("type") == "object" and "properties" in n and "additionalProperties" not in n:
        n["additionalProperties"] = False
    if node.get("nullable"):
        if "type" in n and "$ref" not in n:
            n["type"] = [n["type"], "null"]
            if "enum" in n:
                n["enum"] = list(n["enum"]) + [None]
        else:
            n = {"anyOf": [n, {"type": "null"}]}
    return n


def load_openapi():
    import yaml
    with open(OPENAPI, encoding="utf-8") as f:
        return yaml.safe_load(f)


class SchemaSet:
    """Validators for components/schemas of docs/api/openapi.yaml."""

    def __init__(self, spec):
        import jsonschema
        self.spec = spec
        self.components = {"schemas": {k: _convert(v) for k, v in spec["components"]["schemas"].items()}}
        self._jsonschema = jsonschema

    def schema_for(self, schema):
        """A standalone JSON Schema for an OpenAPI schema (e.g. a $ref)."""
        s = _convert(schema)
        return {"allOf": [s], "components": self.components}

    def validate(self, instance, schema):
        js = self._jsonschema
        root = self.schema_for(schema)
        v = js.Draft4Validator(root, resolver=js.RefResolver.from_schema(root))
        errors = sorted(v.iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            raise AssertionError("response does not match the OpenAPI schema:\n" + "\n".join(
                "  at %s: %s" % ("/".join(str(p) for p in e.path) or "(root)", e.message) for e in errors[:10]))

    def validate_ref(self, instance, name):
        self.validate(instance, {"$ref": "#/components/schemas/%s" % name})

    def response_schema(self, path, method, status, media=None):
        op = self.spec["paths"][path][method]
        resp = op["responses"][str(status)]
        if "$ref" in resp:
            resp = self.spec["components"]["responses"][resp["$ref"].rsplit("/", 1)[1]]
        content = resp["content"]
        media = media or next(iter(content))
        return content[media]["schema"]
