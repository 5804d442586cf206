"""Several portal nodes behind a load balancer, as an operator runs them.

Three `pencere portal` nodes share one PostgreSQL server (a throw-away
cluster of this test's own, so that it can be restarted) behind haproxy or
nginx, each started with the configuration file shipped in deploy/ (only
addresses, ports and a throw-away certificate are put in).  Clients talk
HTTPS to the load balancer, as browsers and integrators would:

  - a node killed (SIGKILL) under read and write load costs no read error,
    and every application a client was told about exists exactly once;
  - PostgreSQL restarted under load costs a bounded number of errors, and
    every node answers again by itself (no restart of the nodes);
  - the notification sender's lease moves to a live node when its holder
    is killed;
  - a 5 MiB upload passes the load balancer;
  - with the files in the database (--files-store db) and no folder
    shared, a file uploaded through one node is downloaded byte for byte
    through another.

PostgreSQL only (that is what several nodes run on); the SQLite passes of
the suite skip it."""
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest

import syslib

pytestmark = pytest.mark.skipif(syslib.DB_KIND != "postgres", reason="several nodes run on PostgreSQL")

ROOT = syslib.ROOT
GOOD = {"reason": "lost", "police_report": "PR-2026-1", "phone": "+994501234567", "birth_date": "1990-05-17",
        "children": 2, "members": [{"fin": "5ABC12D", "name": "Əli Məmmədov"}]}
LEASE = 6


# ---- the pieces -------------------------------------------------------------------

class Postgres:
    """A PostgreSQL server of this test's own (scripts/pg-test.sh)."""

    def __init__(self, tmp):
        # outside pytest's folders: the server runs as the postgres user,
        # who may not enter root's 0700 temporary folders
        parent = tempfile.mkdtemp(prefix="pencere-cluster-")
        os.chmod(parent, 0o755)
        self.parent = parent
        self.dir = os.path.join(parent, "pg")
        r = subprocess.run([os.path.join(ROOT, "scripts", "pg-test.sh"), "start", self.dir],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        admin = open(os.path.join(self.dir, "url")).read().strip()
        u = urllib.parse.urlsplit(admin)
        subprocess.run(["psql", admin, "-q", "-c", "CREATE DATABASE cluster"], check=True, capture_output=True)
        self.url = urllib.parse.urlunsplit((u.scheme, u.netloc, "/cluster", u.query, u.fragment))
        self.kind = "postgres"

    def sql(self, query):
        r = subprocess.run(["psql", self.url, "-v", "ON_ERROR_STOP=1", "-q", "-At", "-c", query],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return [line.split("|") for line in r.stdout.splitlines() if line]

    def restart(self):
        subprocess.run([os.path.join(ROOT, "scripts", "pg-test.sh"), "restart", self.dir], check=True,
                       capture_output=True, timeout=120)

    def drop(self):
        pass  # the whole server goes in close()

    def close(self):
        subprocess.run([os.path.join(ROOT, "scripts", "pg-test.sh"), "stop", self.dir], capture_output=True,
                       timeout=120)
        shutil.rmtree(self.parent, ignore_errors=True)


def certificate(tmp):
    key, crt = os.path.join(tmp, "privkey.pem"), os.path.join(tmp, "fullchain.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", crt, "-subj", "/CN=localhost", "-days", "1"],
                   check=True, capture_output=True)
    both = os.path.join(tmp, "haproxy.pem")
    with open(both, "w") as f:
        f.write(open(crt).read() + open(key).read())
    return crt, key, both


class Haproxy:
    """haproxy with deploy/haproxy/haproxy.cfg."""

    def __init__(self, tmp, nodes):
        crt, key, both = certificate(tmp)
        self.port, plain = syslib.free_port(), syslib.free_port()
        conf = open(os.path.join(ROOT, "deploy", "haproxy", "haproxy.cfg")).read()
        conf = conf.replace("bind :443 ssl crt /etc/pencere/tls/haproxy.pem",
                            "bind 127.0.0.1:%d ssl crt %s" % (self.port, both))
        conf = conf.replace("bind :80", "bind 127.0.0.1:%d" % plain)
        conf = conf.replace("/run/haproxy/admin.sock", os.path.join(tmp, "admin.sock"))
        for i, n in enumerate(nodes, 1):
            conf = conf.replace("10.0.0.1%d:8080" % i, "127.0.0.1:%d" % n.port)
        assert "10.0.0." not in conf
        self.conf = os.path.join(tmp, "haproxy.cfg")
        open(self.conf, "w").write(conf)
        r = subprocess.run(["haproxy", "-c", "-f", self.conf], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        self.log = open(os.path.join(tmp, "haproxy.log"), "wb")
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", self.conf], stdout=self.log, stderr=self.log)
        wait_port(self.port)

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


class Nginx:
    """nginx with deploy/nginx/pencere.conf inside a minimal nginx.conf."""

    def __init__(self, tmp, nodes):
        crt, key, _ = certificate(tmp)
        self.port, plain = syslib.free_port(), syslib.free_port()
        site = open(os.path.join(ROOT, "deploy", "nginx", "pencere.conf")).read()
        site = site.replace("listen 443 ssl", "listen 127.0.0.1:%d ssl" % self.port)
        site = site.replace("listen 80;", "listen 127.0.0.1:%d;" % plain)
        site = site.replace("/etc/pencere/tls/fullchain.pem", crt).replace("/etc/pencere/tls/privkey.pem", key)
        for i, n in enumerate(nodes, 1):
            site = site.replace("10.0.0.1%d:8080" % i, "127.0.0.1:%d" % n.port)
        assert "10.0.0." not in site
        prefix = os.path.join(tmp, "nginx")
        for d in ("logs", "tmp"):
            os.makedirs(os.path.join(prefix, d), exist_ok=True)
        open(os.path.join(prefix, "pencere.conf"), "w").write(site)
        main = ("user root root;\nworker_processes 2;\npid %s/nginx.pid;\nerror_log %s/logs/error.log;\n"
                "events { worker_connections 1024; }\n"
                "http {\n access_log off;\n client_body_temp_path %s/tmp;\n proxy_temp_path %s/tmp;\n"
                " include %s/pencere.conf;\n}\n" % (prefix, prefix, prefix, prefix, prefix))
        self.conf = os.path.join(prefix, "nginx.conf")
        open(self.conf, "w").write(main)
        r = subprocess.run(["nginx", "-t", "-p", prefix, "-c", self.conf], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        self.proc = subprocess.Popen(["nginx", "-p", prefix, "-c", self.conf, "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def close(self):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wait_port(port, timeout=20):
    import socket
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nothing listens on %d" % port)


_tls = ssl.create_default_context()
_tls.check_hostname = False
_tls.verify_mode = ssl.CERT_NONE


def https(port, method, path, body=None, headers=None, timeout=15):
    """(status, parsed JSON or raw bytes); raises OSError on a broken exchange."""
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=_tls)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if (r.getheader("Content-Type") or "").startswith(("application/json", "application/problem+json")):
            return r.status, json.loads(data or b"{}")
        return r.status, data
    finally:
        c.close()


class Cluster:
    def __init__(self, tmp, gateway_url=None, files_store="dir"):
        self.tmp = tmp
        self.pg = Postgres(tmp)
        r = syslib.run_cli("admin", "seed-demo", "--db", self.pg.url, "--out-dir", tmp, timeout=120)
        assert r.returncode == 0, r.stderr
        self.accounts = json.load(open(os.path.join(tmp, "demo-accounts.json")))
        if files_store == "dir":
            files = os.path.join(tmp, "files")     # one folder every node shares
            extra = ["--files-dir", files, "--trusted-proxy", "127.0.0.1"]
        else:                                      # each node its own folder (syslib.Server's)
            extra = ["--files-store", files_store, "--trusted-proxy", "127.0.0.1"]
        if gateway_url:
            extra += ["--sms-url", gateway_url, "--notify-interval", "0.2", "--notify-lease", str(LEASE)]
        self.nodes = []
        for i in range(3):
            srv = syslib.Server(os.path.join(tmp, "node%d" % i), db=self.pg,
                                catalog=syslib.FIXTURE if i == 0 else None, extra=extra)
            srv.start()
            self.nodes.append(srv)
        self.killed = set()
        self.lb = None

    def kill(self, i):
        self.nodes[i].proc.send_signal(signal.SIGKILL)
        self.nodes[i].proc.wait(10)
        self.killed.add(i)

    def alive(self):
        return [n for i, n in enumerate(self.nodes) if i not in self.killed]

    def token(self, role="citizen", index=0):
        a = [x for x in self.accounts if x["role"] == role][index]
        st, body = https(self.lb.port, "POST", "/api/v1/auth/password",
                         json.dumps({"login": a["login"], "password": a["password"]}),
                         {"Content-Type": "application/json"})
        assert st == 200, body
        return body["token"]

    def close(self):
        errors = []
        if self.lb:
            self.lb.close()
        for i, n in enumerate(self.nodes):
            if i in self.killed:
                continue
            try:
                n.stop()
            except AssertionError as e:
                errors.append(str(e))
        self.pg.close()
        if errors:
            pytest.fail("\n\n".join(errors))


class Load:
    """Readers and writers through the load balancer until stopped.

    Writers behave as a careful integrator: each application has its own
    Idempotency-Key, and a failed or unanswered attempt is repeated with the
    same key (up to 10 times, 0.3 s apart)."""

    def __init__(self, cluster, readers=4, writers=2):
        self.c = cluster
        self.stop_ev = threading.Event()
        self.lock = threading.Lock()
        self.reads = self.read_errors = 0
        self.read_failures = []
        self.write_errors = 0
        self.acknowledged = {}     # key -> reference
        self.keys = []
        self.phase = "steady"
        self.errors_by_phase = {}
        self.last_error_at = 0.0
        tokens = [cluster.token("citizen", i) for i in range(writers)]
        self.threads = [threading.Thread(target=self.reader, daemon=True) for _ in range(readers)]
        self.threads += [threading.Thread(target=self.writer, args=(tokens[i], i), daemon=True)
                         for i in range(writers)]
        for t in self.threads:
            t.start()

    def note_error(self, kind, what):
        with self.lock:
            key = (self.phase, kind)
            self.errors_by_phase[key] = self.errors_by_phase.get(key, 0) + 1
            self.last_error_at = time.monotonic()
            if kind == "read":
                self.read_errors += 1
                if len(self.read_failures) < 10:
                    self.read_failures.append(what)
            else:
                self.write_errors += 1

    def reader(self):
        paths = ["/api/v1/services?limit=5", "/", "/api/v1/services/din-id-card", "/agencies"]
        i = 0
        while not self.stop_ev.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                st, _ = https(self.c.lb.port, "GET", path)
                ok = st == 200
            except OSError as e:
                st, ok = repr(e), False
            with self.lock:
                self.reads += 1
            if not ok:
                self.note_error("read", (path, st))

    def writer(self, token, n):
        seq = 0
        while not self.stop_ev.is_set():
            seq += 1
            key = "cluster-%d-%06d-%d" % (n, seq, os.getpid())
            with self.lock:
                self.keys.append(key)
            for _attempt in range(10):
                try:
                    st, body = https(self.c.lb.port, "POST", "/api/v1/applications",
                                     json.dumps({"service": "din-id-card", "answers": GOOD}),
                                     {"Content-Type": "application/json", "Authorization": "Bearer " + token,
                                      "Idempotency-Key": key})
                except OSError as e:
                    st, body = repr(e), None
                if st in (200, 201):
                    with self.lock:
                        self.acknowledged[key] = body["reference"]
                    break
                self.note_error("write", st)
                time.sleep(0.3)

    def set_phase(self, name):
        with self.lock:
            self.phase = name

    def finish(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(60)


def applications_per_key(pg):
    return {k: int(n) for k, n in pg.sql("SELECT idempotency_key, COUNT(*) FROM applications"
                                         " WHERE idempotency_key LIKE 'cluster-%' GROUP BY idempotency_key")}


def check_exactly_once(load, pg):
    per_key = applications_per_key(pg)
    twice = {k: n for k, n in per_key.items() if n != 1}
    assert not twice, "applications filed more than once: %r" % twice
    missing = [k for k in load.acknowledged if per_key.get(k) != 1]
    assert not missing, "acknowledged but not stored: %r" % missing[:5]
    refs = {r for r, in pg.sql("SELECT reference FROM applications WHERE idempotency_key LIKE 'cluster-%'")}
    assert set(load.acknowledged.values()) <= refs
    assert len(load.acknowledged) >= 10, "too little was written to prove anything"


def direct_ok(node, n=12):
    """n requests straight to a node (every worker thread gets some)."""
    return all(node.get("/api/v1/services?limit=1").status == 200 for _ in range(n))


# ---- the tests -------------------------------------------------------------------------

@pytest.fixture
def gateway():
    from test_notify import SmsGateway
    gw = SmsGateway().start()
    yield gw
    gw.stop()


def test_haproxy_node_killed_and_database_restarted_under_load(tmp_path, gateway):
    cluster = Cluster(str(tmp_path), gateway.url)
    try:
        cluster.lb = Haproxy(str(tmp_path), cluster.nodes)
        load = Load(cluster)
        time.sleep(3)
        # 1. a node dies under load: haproxy retries elsewhere
        load.set_phase("node killed")
        cluster.kill(1)
        time.sleep(6)
        load.set_phase("steady again")
        time.sleep(2)
        # 2. the database restarts under load
        load.set_phase("database restart")
        cluster.pg.restart()
        restarted = time.monotonic()
        # every node answers again by itself
        for node in cluster.alive():
            syslib_wait(lambda: node.get("/healthz").status == 200, 20, "a node's /healthz after the restart")
        recovered = time.monotonic() - restarted
        load.set_phase("after restart")
        time.sleep(3)
        load.finish()
        assert load.reads > 200
        by_phase = load.errors_by_phase
        assert by_phase.get(("node killed", "read"), 0) == 0, load.read_failures
        assert by_phase.get(("steady", "read"), 0) == 0 and by_phase.get(("steady again", "read"), 0) == 0
        assert by_phase.get(("after restart", "read"), 0) == 0, load.read_failures
        assert by_phase.get(("after restart", "write"), 0) == 0
        # bounded: errors only while the database is down and a moment after
        # (pg_ctl restart returns once it accepts connections again)
        assert load.last_error_at - restarted < 3, (load.last_error_at - restarted, by_phase)
        assert recovered < 15
        for node in cluster.alive():
            assert direct_ok(node), "a node still fails after the database came back"
        check_exactly_once(load, cluster.pg)
        # 2b. restarted while the nodes sit idle: not a single request may
        # fail afterwards, on any thread of any node (a node must not find
        # its dead connections by failing its next requests)
        # (/healthz: a route no cache stands in front of, so its first query
        # is the one that would meet a dead connection)
        cluster.pg.restart()
        for node in cluster.alive():
            statuses = [node.get("/healthz").status for _ in range(12)]
            assert statuses == [200] * 12, statuses
        # 3. the notification sender's lease moves off a killed holder
        holder = cluster.pg.sql("SELECT holder FROM leases WHERE name = 'notify'")[0][0]
        pids = {n.proc.pid: i for i, n in enumerate(cluster.nodes) if i not in cluster.killed}
        owner = [i for pid, i in pids.items() if "/%d/" % pid in holder]
        assert owner, "no live node holds the notification lease: %r" % holder
        cluster.kill(owner[0])
        killed_at = time.monotonic()

        def moved():
            h = cluster.pg.sql("SELECT holder FROM leases WHERE name = 'notify'")[0][0]
            return any("/%d/" % n.proc.pid in h for n in cluster.alive())
        syslib_wait(moved, LEASE + 15, "the lease to move to a live node")
        assert time.monotonic() - killed_at < LEASE + 15
    finally:
        cluster.close()


def test_nginx_node_killed_under_load_and_a_big_upload(tmp_path):
    cluster = Cluster(str(tmp_path))
    try:
        cluster.lb = Nginx(str(tmp_path), cluster.nodes)
        load = Load(cluster)
        time.sleep(3)
        load.set_phase("node killed")
        cluster.kill(2)
        time.sleep(6)
        load.finish()
        assert load.reads > 200
        assert load.read_errors == 0, load.read_failures
        check_exactly_once(load, cluster.pg)
        # a 5 MiB file passes nginx (its default limit is 1 MiB)
        tok = cluster.token("citizen", 0)
        boundary = "----pencere%d" % os.getpid()
        pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF\n"
        body = (("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n"
                 "Content-Type: application/pdf\r\n\r\n" % boundary).encode() + pdf +
                ("\r\n--%s--\r\n" % boundary).encode())
        st, answer = https(cluster.lb.port, "POST", "/api/v1/uploads", body,
                           {"Content-Type": "multipart/form-data; boundary=" + boundary,
                            "Authorization": "Bearer " + tok}, timeout=60)
        assert st in (200, 201), (st, answer)
        assert answer.get("size") == len(pdf)
    finally:
        cluster.close()


def test_files_without_a_shared_folder(tmp_path):
    from test_applications import PNG, call, multipart
    from test_identity import Browser
    cluster = Cluster(str(tmp_path), files_store="db")
    try:
        n0, n1, n2 = cluster.nodes
        citizen = [x for x in cluster.accounts if x["role"] == "citizen"][0]
        st, body, _ = call(n0, "POST", "/api/v1/auth/password", {"login": citizen["login"],
                                                                 "password": citizen["password"]})
        tok = body["token"]

        def upload(node, name, data):
            body, ct = multipart({}, {"file": (name, data, "application/octet-stream")})
            r = syslib.request(node.port, "POST", "/api/v1/uploads", body=body,
                               headers={"Content-Type": ct, "Authorization": "Bearer " + tok}, timeout=60)
            assert r.status == 201, (r.status, r.body[:300])
            return r.json()
        photo = PNG + os.urandom(90000)
        f = upload(n0, "photo.png", photo)
        # a file of several chunks: in rows of 256 KiB, none whole
        pdf = b"%PDF-1.4\n" + os.urandom(3 * 256 * 1024 + 1000)
        big = upload(n1, "scan.pdf", pdf)
        assert cluster.pg.sql("SELECT COUNT(*), SUM(LENGTH(data)) < %d FROM stored_file_chunks WHERE sha256 = '%s'"
                              % (len(pdf) * 2, big["sha256"])) == [["4", "t"]]
        st, app, _ = call(n1, "POST", "/api/v1/applications", {"service": "din-id-card",
                                                               "answers": dict(GOOD, photo=f)}, tok,
                          {"Idempotency-Key": "files-%d" % os.getpid()})
        assert st == 201, app
        ref = app["reference"]
        me = Browser(n2)
        me.login(citizen["login"], citizen["password"])
        r = me.get("/applications/%s/files/%s" % (ref, f["sha256"]))
        assert r.status == 200 and r.body == photo
        officer = [x for x in cluster.accounts if x["role"] == "officer" and x["agency"] == "din"][0]
        staff = Browser(n0)
        staff.login(officer["login"], officer["password"])
        r = staff.get("/office/cases/%s/files/%s" % (ref, f["sha256"]))
        assert r.status == 200 and r.body == photo
        # nothing in any node's folder: no stored file, no part left
        for n in cluster.nodes:
            root = os.path.join(n.workdir, "files")
            assert [x for _, _, fs in os.walk(root) for x in fs] == []
    finally:
        cluster.close()


def syslib_wait(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
