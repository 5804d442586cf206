"""Delivery of the outbox, black-box: the real `pencere portal` with its
delivery worker, a real SMTP server (aiosmtpd) and a local SMS gateway
(http.server in a thread) on loopback ports, messages made by the real
password-reset flow (POST /reset with a FİN and identity card), and the
database read directly to see what happened to every message.

Covers: SMS and e-mail content, the gateway or SMTP server down and back,
500 then 200, 400 (failed, not retried), two nodes on one database (the
lease: every message once), a node killed with SIGKILL while sending (the
other takes over after the lease, nothing is lost), SIGTERM mid-batch, no
delivery configured (messages stay queued), options and secrets.

Runs on the backend chosen by PENCERE_TEST_DB, like every system test."""
import asyncio
import email
import email.policy
import email.utils
import http.client
import http.server
import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.parse

import pytest

import syslib

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]+)"')
CODE_RE = re.compile(r"\b([A-HJ-NP-Z2-9]{10})\b")
MAIL_FROM = "Pəncərə <noreply@portal.example.az>"
TOKEN = "gateway-token-7f3a9c"
FAST = ["--notify-interval", "0.2", "--notify-retry-base", "1"]


# ---- the outside world: an SMS gateway and an SMTP server ------------------

class SmsGateway:
    """A JSON SMS gateway on a fixed loopback port.  `answers` is a list of
    HTTP statuses to give, one per request, then `default`; `hold` makes
    every request wait (after it is recorded) until released or the time
    runs out.  Can be stopped (connections refused) and started again."""

    def __init__(self, port=None):
        self.port = port or syslib.free_port()
        self.requests = []            # (headers dict, body dict, status answered)
        self.answers = []
        self.default = 200
        self.hold = 0.0
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.httpd = None
        self.thread = None

    def start(self):
        gw = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                with gw.lock:
                    status = gw.answers.pop(0) if gw.answers else gw.default
                    gw.requests.append(({k.lower(): v for k, v in self.headers.items()}, body, status,
                                        self.path))
                gw.arrived.set()
                if gw.hold:
                    gw.release.wait(gw.hold)
                out = json.dumps({"accepted": status < 300}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:
                    pass  # the client went away (killed)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.httpd:
            self.release.set()
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    @property
    def url(self):
        return "http://127.0.0.1:%d/send" % self.port

    def delivered(self):
        """Bodies the gateway accepted (2xx)."""
        with self.lock:
            return [b for _, b, st, _ in self.requests if 200 <= st < 300]

    def all(self):
        with self.lock:
            return list(self.requests)


class SmtpServer:
    """aiosmtpd on a fixed loopback port, recording every message."""

    def __init__(self, port=None, auth=None):
        self.port = port or syslib.free_port()
        self.messages = []            # (mail_from, rcpt_tos, raw bytes)
        self.logins = []
        self.auth = auth              # (user, password) to require, or None
        self.controller = None

    def start(self):
        srv = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                srv.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                     or envelope.content))
                return "250 OK queued"

        kw = {}
        if self.auth:
            from aiosmtpd.smtp import AuthResult

            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = (auth_data.login.decode(), auth_data.password.decode()) == self.auth
                srv.logins.append((mechanism, auth_data.login.decode(), ok))
                return AuthResult(success=ok)
            kw = dict(authenticator=authenticator, auth_require_tls=False, auth_required=True)
        self.controller = aiosmtpd_controller.Controller(Handler(), hostname="127.0.0.1", port=self.port, **kw)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port


# ---- the database -------------------------------------------------------------

def sql(db, query):
    """Rows of a query as lists of strings (None for NULL)."""
    if db.kind == "sqlite":
        con = sqlite3.connect(db.url, timeout=30)
        try:
            cur = con.execute(query)
            rows = [[None if v is None else str(v) for v in r] for r in cur.fetchall()]
            con.commit()
            return rows
        finally:
            con.close()
    select = query.lstrip().upper().startswith("SELECT")
    if select:   # as JSON, so that NULL and '' stay apart
        query = "SELECT COALESCE(json_agg(row_to_json(t)), '[]') FROM (%s) t" % query
    r = subprocess.run(["psql", db.url, "-v", "ON_ERROR_STOP=1", "-q", "-At", "-c", query],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("psql %r: %s" % (query, r.stderr))
    if not select:
        return []
    return [[None if v is None else str(v) for v in row.values()] for row in json.loads(r.stdout)]


def outbox(db):
    rows = sql(db, "SELECT id, channel, recipient, template, status, attempts, last_error, delivered_at, payload,"
                   " lang FROM outbox ORDER BY created_at, id")
    keys = ("id", "channel", "recipient", "template", "status", "attempts", "last_error", "delivered_at", "payload",
            "lang")
    out = []
    for r in rows:
        d = dict(zip(keys, r))
        d["attempts"] = int(d["attempts"])
        out.append(d)
    return out


def wait_for(what, cond, timeout=30.0, step=0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = cond()
        if last:
            return last
        time.sleep(step)
    raise AssertionError("timed out after %ss waiting for %s (last: %r)" % (timeout, what, last))


def persons(db, n, offset=0):
    """n persons of the synthetic population: (fin, id_card, phone, email)."""
    return sql(db, "SELECT fin, id_card, phone, email FROM persons ORDER BY fin LIMIT %d OFFSET %d" % (n, offset))


def email_only(db, fin, address):
    sql(db, "UPDATE persons SET phone = NULL, email = '%s' WHERE fin = '%s'" % (address, fin))


def bulk_messages(db, n, prefix="bulk"):
    """n SMS rows straight into the outbox (as other modules would queue them)."""
    now = int(time.time())
    values = ", ".join("('%s%04d', %d, 'sms', '+99450%07d', 'result-ready', 'az', '{\"reference\":\"AZ-2026-%08d\"}',"
                       " 'created', 0, %d)" % (prefix, i, now, i, i, now) for i in range(n))
    sql(db, "INSERT INTO outbox(id, created_at, channel, recipient, template, lang, payload, status, attempts,"
            " next_attempt_at) VALUES " + values)


# ---- the real flow: POST /reset -----------------------------------------------

class Client:
    """A browser without JS from a chosen loopback address (127.0.0.x), so
    that the per-address limit on code requests does not get in the way."""

    def __init__(self, server, source="127.0.0.1"):
        self.server = server
        self.source = source
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30,
                                       source_address=(self.source, 0))
        try:
            h = dict(headers or {})
            if self.cookies:
                h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            for k, v in r.getheaders():
                if k.lower() == "set-cookie":
                    name, _, value = v.split(";", 1)[0].partition("=")
                    self.cookies[name] = value
            return r.status, data.decode("utf-8", "replace")
        finally:
            c.close()

    def post_form(self, path, fields, page=None):
        status, text = self.request("GET", page or path)
        m = CSRF_RE.search(text)
        assert m, "no CSRF field on %s (%s)" % (page or path, status)
        fields = dict(fields, csrf=m.group(1))
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})


def ask_reset(server, person, lang=None, source="127.0.0.1"):
    fin, card = person[0], person[1]
    path = "/reset" + ("?lang=%s" % lang if lang else "")
    status, text = Client(server, source).post_form(path, {"fin": fin, "id_card": card})
    assert status == 200, (status, text[:300])


# ---- servers ---------------------------------------------------------------------

class Nodes:
    """Portals of one test, all on one database; stopped (SIGTERM, clean exit
    asserted) before the database is dropped.  Killed ones are left alone."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.servers = []
        self.killed = set()
        self.db = None
        self.work = str(tmp_path_factory.mktemp("notify"))

    def database(self, population=40):
        self.db = syslib.Database(self.work)
        # the schema first, then a small synthetic population
        r = syslib.run_cli("admin", "seed-population", "--db", self.db.url, "--count", str(population),
                           "--seed", "7", timeout=120)
        assert r.returncode == 0, r.stderr
        return self.db

    def start(self, *extra):
        if self.db is None:
            self.database()
        srv = syslib.Server(str(self.tmp.mktemp("node")), db=self.db, extra=list(extra))
        self.servers.append(srv)
        srv.start()
        return srv

    def kill(self, srv):
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(10)
        self.killed.add(id(srv))

    def close(self):
        errors = []
        for srv in self.servers:
            if id(srv) in self.killed or srv.proc is None:
                continue
            try:
                srv.stop()
            except AssertionError as e:
                errors.append(str(e))
        if self.db:
            self.db.drop()
        if errors:
            pytest.fail("\n\n".join(errors))


@pytest.fixture
def nodes(tmp_path_factory):
    n = Nodes(tmp_path_factory)
    yield n
    n.close()


@pytest.fixture
def gateway():
    gw = SmsGateway().start()
    yield gw
    gw.stop()


@pytest.fixture
def smtp():
    s = SmtpServer().start()
    yield s
    s.stop()


@pytest.fixture
def token_file(tmp_path):
    p = tmp_path / "sms-token"
    p.write_text(TOKEN + "\n")
    p.chmod(0o600)
    return str(p)


def delivery_args(gateway=None, smtp=None, token_file=None, lease=6, extra=()):
    a = list(FAST) + ["--notify-lease", str(lease)]
    if gateway:
        a += ["--sms-url", gateway.url]
    if token_file:
        a += ["--sms-token-file", token_file]
    if smtp:
        a += ["--smtp-url", smtp.url, "--mail-from", MAIL_FROM]
    return a + list(extra)


def log_events(srv, name):
    out = []
    for line in srv.stderr().splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("event") == name:
            out.append(e)
    return out


# ---- content --------------------------------------------------------------------

def test_sms_is_delivered_with_the_right_json_and_the_code_works(nodes, gateway, token_file):
    srv = nodes.start(*delivery_args(gateway, token_file=token_file))
    p = persons(nodes.db, 1)[0]
    assert p[2].startswith("+994")
    ask_reset(srv, p)
    wait_for("the SMS", lambda: gateway.delivered())
    row = wait_for("delivered", lambda: [m for m in outbox(nodes.db) if m["status"] == "delivered"])[0]
    headers, body, status, path = gateway.all()[0]
    assert path == "/send"
    assert set(body) == {"to", "text", "id"}
    assert body["to"] == p[2]
    assert body["id"] == row["id"]
    assert headers["content-type"].startswith("application/json")
    assert headers["authorization"] == "Bearer " + TOKEN
    assert headers["idempotency-key"] == row["id"]
    code = CODE_RE.search(body["text"]).group(1)
    assert body["text"].startswith("Pəncərə kodu: %s." % code)
    assert len(body["text"]) <= 70               # one UCS-2 SMS part
    assert row["attempts"] == 1 and row["channel"] == "sms" and row["delivered_at"]
    assert row["last_error"] is None
    assert code not in row["payload"]            # a sent code does not stay readable
    # the code in the SMS is the one the portal accepts
    c = Client(srv)
    status, text = c.post_form("/activate", {"login": p[0], "code": code, "password": "Yeni-parol-2026",
                                             "confirm": "Yeni-parol-2026"}, page="/activate?login=" + p[0])
    assert status == 303, text[:500]
    time.sleep(0.5)
    assert len(gateway.all()) == 1               # once
    assert code not in srv.stderr() and TOKEN not in srv.stderr()
    ev = log_events(srv, "notify.delivered")
    assert len(ev) == 1 and ev[0]["channel"] == "sms" and ev[0]["attempts"] == "1"
    assert p[2] not in srv.stderr()              # recipients are masked in logs


def test_email_is_delivered_with_proper_headers_charset_and_the_code(nodes, gateway, smtp):
    srv = nodes.start(*delivery_args(gateway, smtp))
    p = persons(nodes.db, 2)[1]
    email_only(nodes.db, p[0], "leyla.mammadova@example.az")
    ask_reset(srv, p, lang="ru")
    wait_for("the e-mail", lambda: smtp.messages)
    row = wait_for("delivered", lambda: [m for m in outbox(nodes.db) if m["status"] == "delivered"])[0]
    assert row["channel"] == "email" and row["lang"] == "ru"
    mail_from, rcpts, raw = smtp.messages[0]
    assert mail_from == "noreply@portal.example.az"
    assert rcpts == ["leyla.mammadova@example.az"]
    # the raw message: CRLF, short lines, 7-bit
    head, _, _ = raw.partition(b"\r\n\r\n")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 78 and b"\n" not in line and b"\r" not in line
        assert all(b < 128 for b in line)
    assert b"Content-Transfer-Encoding: quoted-printable" in head
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["MIME-Version"] == "1.0"
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg["Content-Language"] == "ru"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["To"] == "leyla.mammadova@example.az"
    assert msg["From"].addresses[0].display_name == "Pəncərə"
    assert msg["From"].addresses[0].addr_spec == "noreply@portal.example.az"
    assert msg["Subject"] == "Pəncərə: код для восстановления пароля"
    assert msg["Message-ID"] == "<%s@portal.example.az>" % row["id"]
    sent = email.utils.parsedate_to_datetime(msg["Date"]).timestamp()
    assert abs(sent - time.time()) < 120
    text = msg.get_content().replace("\r\n", "\n")
    code = CODE_RE.search(text).group(1)
    assert "Ваш одноразовый код для восстановления пароля" in text
    assert "\n    %s\n" % code in text
    assert text.rstrip().endswith("отвечать на него не нужно.")
    assert code not in row["payload"]
    time.sleep(0.5)
    assert len(smtp.messages) == 1 and gateway.all() == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_without_tls_only_to_this_machine(nodes, tmp_path):
    server = SmtpServer(auth=("portal", "pa55-w0rd-x")).start()
    try:
        pw = tmp_path / "smtp-password"
        pw.write_text("pa55-w0rd-x\n")
        pw.chmod(0o600)
        srv = nodes.start(*delivery_args(smtp=server, extra=["--smtp-user", "portal", "--smtp-password-file",
                                                              str(pw)]))
        p = persons(nodes.db, 3)[2]
        email_only(nodes.db, p[0], "user3@example.az")
        ask_reset(srv, p, lang="en")
        wait_for("the e-mail", lambda: server.messages)
        assert any(ok and user == "portal" for _, user, ok in server.logins)
        assert "pa55-w0rd-x" not in srv.stderr()
        msg = email.message_from_bytes(server.messages[0][2], policy=email.policy.default)
        assert msg["Subject"] == "Pəncərə: your password reset code"
    finally:
        server.stop()


# ---- failures and retries ----------------------------------------------------------

def test_gateway_down_then_back_delivers_once_with_attempts_counted(nodes):
    gw = SmsGateway()                           # not started: connection refused
    srv = nodes.start(*delivery_args(gw))
    ask_reset(srv, persons(nodes.db, 1)[0])
    row = wait_for("two failed attempts",
                   lambda: [m for m in outbox(nodes.db) if m["status"] == "retry" and m["attempts"] >= 2])[0]
    assert "sms gateway" in row["last_error"] and "onnect" in row["last_error"]
    tried = row["attempts"]
    gw.start()
    try:
        row = wait_for("delivered", lambda: [m for m in outbox(nodes.db) if m["status"] == "delivered"], 40)[0]
        time.sleep(1.5)
        assert len(gw.all()) == 1                # exactly once
        assert gw.all()[0][1]["id"] == row["id"]
        assert row["attempts"] >= tried + 1 and row["last_error"] is None
        assert len(log_events(srv, "notify.retry")) == row["attempts"] - 1
    finally:
        gw.stop()


def test_gateway_500_then_200_is_delivered_once(nodes, gateway):
    gateway.answers = [500, 503]
    srv = nodes.start(*delivery_args(gateway))
    ask_reset(srv, persons(nodes.db, 1)[0])
    row = wait_for("delivered", lambda: [m for m in outbox(nodes.db) if m["status"] == "delivered"], 40)[0]
    time.sleep(1.5)
    reqs = gateway.all()
    assert [st for _, _, st, _ in reqs] == [500, 503, 200]
    assert {b["id"] for _, b, _, _ in reqs} == {row["id"]}
    assert len(gateway.delivered()) == 1
    assert row["attempts"] == 3


def test_gateway_400_fails_at_once_and_is_not_retried(nodes, gateway):
    gateway.default = 400
    srv = nodes.start(*delivery_args(gateway))
    ask_reset(srv, persons(nodes.db, 1)[0])
    row = wait_for("failed", lambda: [m for m in outbox(nodes.db) if m["status"] == "failed"])[0]
    assert row["attempts"] == 1 and "HTTP 400" in row["last_error"]
    time.sleep(3)                                # retries would be due after 1 s, 2 s
    assert len(gateway.all()) == 1
    assert outbox(nodes.db)[0]["status"] == "failed"
    assert len(log_events(srv, "notify.failed")) == 1


def test_too_many_temporary_failures_end_as_failed(nodes, gateway):
    gateway.default = 502
    srv = nodes.start(*delivery_args(gateway, extra=["--notify-max-attempts", "3"]))
    ask_reset(srv, persons(nodes.db, 1)[0])
    row = wait_for("failed", lambda: [m for m in outbox(nodes.db) if m["status"] == "failed"], 30)[0]
    assert row["attempts"] == 3 and "gave up after 3 attempts" in row["last_error"]
    assert len(gateway.all()) == 3


def test_smtp_down_then_up_delivers_once(nodes):
    server = SmtpServer()                       # not listening yet
    srv = nodes.start(*delivery_args(smtp=server))
    p = persons(nodes.db, 1)[0]
    email_only(nodes.db, p[0], "down.then.up@example.az")
    ask_reset(srv, p)
    row = wait_for("a failed attempt",
                   lambda: [m for m in outbox(nodes.db) if m["status"] == "retry" and m["attempts"] >= 2])[0]
    assert row["last_error"].startswith("smtp:")
    server.start()
    try:
        wait_for("delivered", lambda: [m for m in outbox(nodes.db) if m["status"] == "delivered"], 40)
        time.sleep(1.5)
        assert len(server.messages) == 1
        assert server.messages[0][1] == ["down.then.up@example.az"]
    finally:
        server.stop()


# ---- several nodes: the lease ------------------------------------------------------

def test_two_nodes_on_one_database_deliver_every_message_once(nodes, gateway):
    nodes.database(population=40)
    bulk_messages(nodes.db, 150)                  # waiting before any node starts
    a = nodes.start(*delivery_args(gateway))
    b = nodes.start(*delivery_args(gateway))
    # and more through the real flow, on both nodes, from several addresses
    people = persons(nodes.db, 10)
    for i, p in enumerate(people):
        for k in range(2):
            ask_reset(a if (i + k) % 2 else b, p, source="127.0.0.%d" % (2 + (2 * i + k) % 4))
    total = 150 + 20
    wait_for("all delivered", lambda: len([m for m in outbox(nodes.db) if m["status"] == "delivered"]) == total, 60)
    # the node that held the lease stops; the other takes over at once
    holder = sql(nodes.db, "SELECT holder FROM leases WHERE name = 'notify'")[0][0]
    first = a if "/%d/" % a.proc.pid in holder else b
    other = b if first is a else a
    first.stop()                                  # releases the lease on its way out
    holder = sql(nodes.db, "SELECT holder FROM leases WHERE name = 'notify'")[0][0]
    assert holder in ("", ) or "/%d/" % other.proc.pid in holder
    for i, p in enumerate(persons(nodes.db, 5, offset=20)):
        ask_reset(other, p, source="127.0.0.9")
    total += 5
    wait_for("all delivered", lambda: len([m for m in outbox(nodes.db) if m["status"] == "delivered"]) == total, 30)
    time.sleep(1)
    ids = [b_["id"] for b_ in gateway.delivered()]
    assert len(ids) == total and len(set(ids)) == total   # every message once
    assert {m["id"] for m in outbox(nodes.db)} == set(ids)
    assert all(m["attempts"] == 1 for m in outbox(nodes.db))
    sent_by = {id(s): len(log_events(s, "notify.delivered")) for s in (a, b)}
    assert sum(sent_by.values()) == total
    assert sent_by[id(other)] >= 5
    assert log_events(other, "notify.lease_taken")


def test_a_killed_sender_is_replaced_after_its_lease_and_nothing_is_lost(nodes, gateway):
    lease = 6
    a = nodes.start(*delivery_args(gateway, lease=lease))
    wait_for("a lease holder", lambda: sql(nodes.db, "SELECT holder FROM leases")[0][0])
    b = nodes.start(*delivery_args(gateway, lease=lease))
    holder = sql(nodes.db, "SELECT holder FROM leases")[0][0]
    first, other = (a, b) if "/%d/" % a.proc.pid in holder else (b, a)
    # the gateway holds the next request until we have killed the sender
    gateway.hold = 5
    people = persons(nodes.db, 4)
    ask_reset(other, people[0])
    assert gateway.arrived.wait(20), "the message never reached the gateway"
    in_flight = gateway.all()[0][1]["id"]
    killed_at = time.monotonic()
    nodes.kill(first)
    gateway.hold = 0
    gateway.release.set()
    assert outbox(nodes.db)[0]["status"] == "sending"
    # more messages while nobody is sending
    for p in people[1:]:
        ask_reset(other, p, source="127.0.0.3")
    rows = wait_for("all delivered",
                    lambda: (lambda ms: ms if ms and all(m["status"] == "delivered" for m in ms) else None)(
                        outbox(nodes.db)), lease + 30)
    took = time.monotonic() - killed_at
    assert took >= lease - 2, "the lease was taken over before it expired (%.1f s)" % took
    assert len(rows) == 4
    time.sleep(1)
    ids = [body["id"] for _, body, _, _ in gateway.all()]
    # the message in flight when the sender died went out again (the
    # documented window), with the same id for the gateway to drop it
    assert ids.count(in_flight) == 2
    assert sorted(set(ids)) == sorted(m["id"] for m in rows)
    assert all(ids.count(m["id"]) == 1 for m in rows if m["id"] != in_flight)
    assert [m["attempts"] for m in rows if m["id"] == in_flight] == [2]
    ev = log_events(other, "notify.lease_taken")
    assert ev and ev[-1]["recovered"] == "1"


def test_sigterm_mid_batch_exits_cleanly_and_loses_nothing(nodes, gateway):
    nodes.database()
    bulk_messages(nodes.db, 30)
    gateway.hold = 0.3                         # every request takes a while
    a = nodes.start(*delivery_args(gateway))
    wait_for("some sent", lambda: len(gateway.all()) >= 3)
    took = a.stop()                            # exit 0, clean stderr
    assert took < 5
    rows = outbox(nodes.db)
    assert not [m for m in rows if m["status"] == "sending"]
    delivered = {m["id"] for m in rows if m["status"] == "delivered"}
    assert delivered == {b["id"] for b in gateway.delivered()}
    assert len(delivered) < 30
    assert sql(nodes.db, "SELECT holder FROM leases")[0][0] == ""   # released
    gateway.hold = 0
    nodes.start(*delivery_args(gateway))
    wait_for("the rest", lambda: all(m["status"] == "delivered" for m in outbox(nodes.db)), 30)
    ids = [b["id"] for b in gateway.delivered()]
    assert len(ids) == 30 and len(set(ids)) == 30


@pytest.mark.skipif(syslib.DB_KIND != "postgres", reason="cuts the sender's database connection (PostgreSQL)")
def test_a_database_blip_mid_batch_leaves_nothing_waiting(nodes, gateway):
    """The sender claims a batch; while it sends the first message its
    database connection dies, so it can neither record that result nor give
    the rest back.  It keeps its lease, so nobody else would ever take those
    messages: once the database answers again it must re-read its own
    claims.  Every message arrives, once, long before the lease (30 s) could
    have moved."""
    nodes.database()
    bulk_messages(nodes.db, 5, prefix="blip")
    gateway.hold = 1.5                         # the first send takes a while
    a = nodes.start(*delivery_args(gateway, lease=30))
    assert gateway.arrived.wait(20), "the first message never reached the gateway"
    cut_at = time.monotonic()
    sql(nodes.db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                  " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    gateway.hold = 0
    rows = wait_for("all delivered", lambda: (lambda ms: ms if all(m["status"] == "delivered" for m in ms)
                                              else None)(outbox(nodes.db)), 25)
    assert time.monotonic() - cut_at < 15, "messages waited for the lease"
    ids = [b["id"] for b in gateway.delivered()]
    assert sorted(ids) == sorted(m["id"] for m in rows) and len(ids) == 5
    assert log_events(a, "notify.claims_recovered"), "the sender never re-read its claims"


def test_metrics_show_the_outbox_and_the_database_connections(nodes):
    nodes.database()
    bulk_messages(nodes.db, 3, prefix="metric")
    srv = nodes.start()                       # no delivery: they stay queued
    r = srv.get("/metrics")
    text = r.body.decode()
    assert r.status == 200
    assert 'pencere_outbox_messages{channel="sms",status="created"} 3' in text
    m = re.search(r'^pencere_db_connections\{backend="(\w+)"\} (\d+)$', text, re.M)
    assert m and m.group(1) == nodes.db.kind and int(m.group(2)) >= 1
    assert re.search(r'^pencere_db_connections_lost_total\{backend="\w+"\} 0$', text, re.M)
    assert re.search(r'^pencere_notify_sent_total\{outcome="delivered"\} 0$', text, re.M)


# ---- without delivery, and options ---------------------------------------------------

def test_without_delivery_messages_stay_in_the_outbox(nodes):
    srv = nodes.start()
    ask_reset(srv, persons(nodes.db, 1)[0])
    time.sleep(2.5)
    rows = outbox(nodes.db)
    assert [m["status"] for m in rows] == ["created"] and rows[0]["attempts"] == 0
    assert log_events(srv, "notify.disabled")
    assert not log_events(srv, "notify.started")


def test_a_channel_without_configuration_stays_queued(nodes, gateway):
    srv = nodes.start(*delivery_args(gateway))        # SMS only
    p1, p2 = persons(nodes.db, 2)
    email_only(nodes.db, p2[0], "no.smtp@example.az")
    ask_reset(srv, p1)
    ask_reset(srv, p2)
    wait_for("the SMS", lambda: gateway.delivered())
    time.sleep(1)
    status = {m["channel"]: m["status"] for m in outbox(nodes.db)}
    assert status == {"sms": "delivered", "email": "created"}


@pytest.mark.parametrize("args, message", [
    (["--smtp-url", "smtp://user:secret@127.0.0.1:25", "--mail-from", "a@b.az"], "--smtp-url"),
    (["--smtp-url", "smtp://127.0.0.1:25"], "--mail-from"),
    (["--smtp-url", "smtp://127.0.0.1:25", "--mail-from", "not an address"], "--mail-from"),
    (["--sms-url", "ftp://127.0.0.1/"], "--sms-url"),
    (["--smtp-password-file", "/nonexistent"], "--smtp-url"),
    (["--sms-url", "http://127.0.0.1:9/", "--notify-interval", "0"], "--notify-interval"),
    (["--sms-url", "http://127.0.0.1:9/", "--notify-interval", "abc"], "--notify-interval"),
    (["--sms-url", "http://127.0.0.1:9/", "--notify-lease", "1"], "--notify-lease"),
    (["--sms-url", "http://127.0.0.1:9/", "--notify-max-attempts", "0"], "--notify-max-attempts"),
])
def test_bad_delivery_options_are_usage_errors(tmp_path, args, message):
    r = syslib.run_cli("portal", "--db", str(tmp_path / "x.db"), *args)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert message in r.stderr
    assert "secret" not in r.stderr


def test_unreadable_secret_files_stop_the_start(tmp_path):
    r = syslib.run_cli("portal", "--db", str(tmp_path / "x.db"), "--listen", "127.0.0.1:%d" % syslib.free_port(),
                       "--sms-url", "http://127.0.0.1:9/", "--sms-token-file", str(tmp_path / "missing"))
    assert r.returncode == 1
    assert "SMS token" in r.stderr and "missing" in r.stderr
    empty = tmp_path / "empty"
    empty.write_text("\n")
    r = syslib.run_cli("portal", "--db", str(tmp_path / "x.db"), "--listen", "127.0.0.1:%d" % syslib.free_port(),
                       "--sms-url", "http://127.0.0.1:9/", "--sms-token-file", str(empty))
    assert r.returncode == 1 and "empty" in r.stderr
    assert not syslib.sanitizer_findings(r.stderr)


def test_help_lists_the_delivery_options():
    for cmd in ("portal", "demo"):
        r = syslib.run_cli(cmd, "--help")
        assert r.returncode == 0
        for opt in ("--smtp-url", "--smtp-user", "--smtp-password-file", "--mail-from", "--sms-url",
                    "--sms-token-file", "--notify-interval", "--notify-retry-base"):
            assert opt in r.stdout, (cmd, opt)
        assert "--smtp-password " not in r.stdout   # never a password on the command line


# ---- applications tell the applicant ---------------------------------------------

def test_officers_get_new_cases_and_answers_by_email(nodes, gateway, smtp, tmp_path):
    """The other side: the agency's staff hear of a new case, and the officer
    who asked hears of the applicant's answer, by e-mail through a real SMTP
    server; officers of other agencies hear nothing."""
    nodes.database()
    work = str(tmp_path)
    r = syslib.run_cli("admin", "seed-demo", "--db", nodes.db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = nodes.start(*delivery_args(gateway=gateway, smtp=smtp))
    acc = json.load(open(os.path.join(work, "demo-accounts.json")))
    def login(role, agency=None):
        a = [x for x in acc if x["role"] == role and (agency is None or x["agency"] == agency)][0]
        resp = syslib.request(srv.port, "POST", "/api/v1/auth/password",
                              body=json.dumps({"login": a["login"], "password": a["password"]}).encode(),
                              headers={"Content-Type": "application/json"})
        return resp.json()["token"]
    def call(path, body, tok, headers=None):
        h = {"Content-Type": "application/json", "Authorization": "Bearer " + tok}
        h.update(headers or {})
        return syslib.request(srv.port, "POST", path, body=json.dumps(body).encode(), headers=h)
    # this citizen has only an e-mail address on record: they hear by e-mail too
    fin = [x for x in acc if x["role"] == "citizen"][0]["fin"]
    email_only(nodes.db, fin, "vetendas@example.az")
    citizen, officer = login("citizen"), login("officer", "din")
    app = call("/api/v1/applications", {"service": "din-id-card", "answers": {
        "reason": "expired", "phone": "+994501234567", "birth_date": "1990-05-17"}}, citizen,
        {"Idempotency-Key": "staff-mail-0001"}).json()
    ref = app["reference"]
    to = lambda: sorted(r for m in smtp.messages for r in m[1] if ref.encode() in m[2])
    wait_for("the e-mails", lambda: len(to()) >= 3)
    time.sleep(1.0)
    # din's staff once each, and the applicant; nobody of another agency
    assert to() == ["admin.din@example.az", "officer.din@example.az", "vetendas@example.az"]
    v = app["version"]
    for action, note in (("register", None), ("start_review", None), ("request_info", "Şəkil lazımdır")):
        body = {"action": action, "version": v}
        if note:
            body["note"] = note
        v = call("/api/v1/applications/%s/actions" % ref, body, officer).json()["version"]
    assert call("/api/v1/applications/%s/actions" % ref, {"action": "respond", "version": v, "note": "Gətirəcəyəm"},
                citizen).status == 200
    wait_for("the answer e-mail", lambda: to().count("officer.din@example.az") >= 2)
    time.sleep(1.0)
    assert to().count("officer.din@example.az") == 2 and to().count("admin.din@example.az") == 1
    # the applicant heard of each step: sent, registered, in review, information requested
    assert to().count("vetendas@example.az") == 4


def test_application_steps_reach_the_applicant(nodes, gateway, tmp_path):
    """Filing, a request for information and the decision each send the
    applicant an SMS with the reference, through the real gateway."""
    nodes.database()
    work = str(tmp_path)
    r = syslib.run_cli("admin", "seed-demo", "--db", nodes.db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = nodes.start(*delivery_args(gateway=gateway))
    acc = json.load(open(os.path.join(work, "demo-accounts.json")))
    def login(role, agency=None):
        a = [x for x in acc if x["role"] == role and (agency is None or x["agency"] == agency)][0]
        resp = syslib.request(srv.port, "POST", "/api/v1/auth/password",
                              body=json.dumps({"login": a["login"], "password": a["password"]}).encode(),
                              headers={"Content-Type": "application/json"})
        return resp.json()["token"]
    def call(method, path, body, tok, headers=None):
        h = {"Content-Type": "application/json", "Authorization": "Bearer " + tok}
        h.update(headers or {})
        return syslib.request(srv.port, method, path, body=json.dumps(body).encode(), headers=h)
    citizen, officer = login("citizen"), login("officer", "din")
    answers = {"reason": "expired", "phone": "+994501234567", "birth_date": "1990-05-17"}
    app = call("POST", "/api/v1/applications", {"service": "din-id-card", "answers": answers}, citizen,
               {"Idempotency-Key": "notify-test-0001"}).json()
    ref = app["reference"]
    wait_for("the submission SMS", lambda: any(ref in rq[1].get("text", "") for rq in gateway.requests))
    v = app["version"]
    for action, note in (("register", None), ("start_review", None), ("request_info", "Şəkil lazımdır"),):
        body = {"action": action, "version": v}
        if note:
            body["note"] = note
        resp = call("POST", "/api/v1/applications/%s/actions" % ref, body, officer)
        assert resp.status == 200, resp.text
        v = resp.json()["version"]
    wait_for("the request SMS", lambda: sum(ref in rq[1].get("text", "") for rq in gateway.requests) >= 4)
    time.sleep(1.5)  # a duplicate would have arrived by now
    texts = [rq[1]["text"] for rq in gateway.requests if ref in rq[1].get("text", "")]
    assert len(texts) == 4, texts            # submitted, registered, in review, information requested: once each
