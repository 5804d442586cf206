"""Who the client is and how it reached us (issue 8.6's address part, 8.7,
8.13): X-Forwarded-For and X-Forwarded-Proto count only from a trusted
proxy; --https and a trusted proxy's "https" mark every cookie Secure and
send HSTS; a request that carries a session is answered "private,
no-store" and never shares the micro-cache.

The client address the portal settled on is read from its request log
("remote"), which is what throttling, the audit log and the per-address
limit use."""
import http.client
import json
import os
import re
import secrets
import time
import urllib.parse

import pytest

import syslib

# HTTP framing and parsing: the database cannot change these (conftest.py)
pytestmark = pytest.mark.once

UNTRUSTED = "127.0.0.5"
CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def fetch(port, method, path, headers=None, body=None, source=None):
    """One request; headers a dict or a list of pairs (to repeat a name)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0) if source else None)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers.items() if isinstance(headers, dict) else headers or []):
            c.putheader(k, v)
        if body is not None:
            body = body.encode() if isinstance(body, str) else body
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        return syslib.Response(r.status, r.reason, r.getheaders(), r.read())
    finally:
        c.close()


def logged_remote(srv, path):
    """The "remote" of the request log line for path (unique per test)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in srv.stderr().splitlines():
            if '"http.request"' in line and '"path":"%s"' % path in line:
                return json.loads(line)["remote"]
        time.sleep(0.05)
    raise AssertionError("no request log line for %s" % path)


def unique(prefix="/nope-"):
    return prefix + secrets.token_hex(6)


def secure_cookies(resp):
    cookies = resp.header_all("Set-Cookie")
    assert cookies, "expected a cookie"
    return all(re.search(r";\s*Secure(;|$)", c) for c in cookies)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """No trusted proxy, no --https: the defaults."""
    srv = syslib.Server(str(tmp_path_factory.mktemp("plain")))
    srv.start()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    srv = syslib.Server(str(tmp_path_factory.mktemp("proxied")),
                        extra=["--trusted-proxy", "127.0.0.1, 10.0.0.0/8,::1"])
    srv.start()
    yield srv
    srv.close()


# ---- the client address ------------------------------------------------------------

def test_forwarded_headers_from_an_untrusted_peer_are_ignored(plain):
    path = unique()
    r = fetch(plain.port, "GET", path, {"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9",
                                        "X-Forwarded-Proto": "https", "Forwarded": "for=203.0.113.9;proto=https"})
    assert r.status == 404
    assert logged_remote(plain, path) == "127.0.0.1"
    assert r.header("Strict-Transport-Security") is None


def test_a_trusted_proxy_names_the_client(proxied):
    path = unique()
    fetch(proxied.port, "GET", path, {"X-Forwarded-For": "198.51.100.1"})
    assert logged_remote(proxied, path) == "198.51.100.1"


def test_the_rightmost_untrusted_address_is_the_client(proxied):
    """What the client wrote itself is on the left; each proxy appends the
    address it saw.  Addresses of trusted proxies (10.0.0.0/8 here) are
    skipped from the right, the first other one is the client."""
    path = unique()
    fetch(proxied.port, "GET", path, {"X-Forwarded-For": "6.6.6.6, 198.51.100.2, 10.1.2.3"})
    assert logged_remote(proxied, path) == "198.51.100.2"
    path = unique()
    fetch(proxied.port, "GET", path, [("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "198.51.100.3")])
    assert logged_remote(proxied, path) == "198.51.100.3"


def test_ipv6_clients_through_the_proxy(proxied):
    path = unique()
    fetch(proxied.port, "GET", path, {"X-Forwarded-For": "2001:db8::7"})
    assert logged_remote(proxied, path) == "2001:db8::7"


@pytest.mark.parametrize("value", ["not-an-address", "", "198.51.100.4, garbage", "1.2.3.4.5", "[2001:db8::1]:80x"])
def test_garbage_in_x_forwarded_for_falls_back_to_the_proxy(proxied, value):
    path = unique()
    r = fetch(proxied.port, "GET", path, {"X-Forwarded-For": value})
    assert r.status == 404
    assert logged_remote(proxied, path) == "127.0.0.1"


def test_an_untrusted_peer_cannot_borrow_the_proxy_trust(proxied):
    path = unique()
    fetch(proxied.port, "GET", path, {"X-Forwarded-For": "198.51.100.5", "X-Forwarded-Proto": "https"},
          source=UNTRUSTED)
    assert logged_remote(proxied, path) == UNTRUSTED


# ---- Secure cookies and HSTS ------------------------------------------------------------

def test_plain_http_cookies_are_not_secure_and_no_hsts(plain):
    r = fetch(plain.port, "GET", "/login")
    assert r.status == 200
    assert not secure_cookies(r)
    assert r.header("Strict-Transport-Security") is None


def test_a_trusted_proxy_saying_https_makes_cookies_secure(proxied):
    r = fetch(proxied.port, "GET", "/login", {"X-Forwarded-Proto": "https"})
    assert secure_cookies(r)
    assert "max-age=" in r.header("Strict-Transport-Security", "")
    # the language cookie too: every cookie
    r = fetch(proxied.port, "GET", "/?lang=en", {"X-Forwarded-Proto": "https"})
    assert secure_cookies(r)
    # the same proxy forwarding plain http
    r = fetch(proxied.port, "GET", "/login", {"X-Forwarded-Proto": "http"})
    assert not secure_cookies(r)
    assert r.header("Strict-Transport-Security") is None


def test_an_untrusted_peer_saying_https_changes_nothing(proxied):
    r = fetch(proxied.port, "GET", "/login", {"X-Forwarded-Proto": "https"}, source=UNTRUSTED)
    assert not secure_cookies(r)
    assert r.header("Strict-Transport-Security") is None


@pytest.fixture(scope="module")
def https_seeded(tmp_path_factory):
    """--https, with the demo's accounts to log in with."""
    work = str(tmp_path_factory.mktemp("https"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = syslib.Server(work, db=db, extra=["--https"])
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    yield srv
    srv.close()


def login(srv, role="citizen"):
    """Log in through the form; returns the Cookie header of the session."""
    a = next(a for a in srv.accounts if a["role"] == role)
    page = fetch(srv.port, "GET", "/login")
    csrf_cookie = page.header("Set-Cookie").split(";", 1)[0]
    token = CSRF_RE.search(page.text).group(1)
    body = urllib.parse.urlencode({"login": a["login"], "password": a["password"], "csrf": token})
    r = fetch(srv.port, "POST", "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                           "Cookie": csrf_cookie}, body=body)
    assert r.status == 303, r.text[:300]
    return r, a


def test_https_option_marks_every_cookie_secure_and_sends_hsts(https_seeded):
    for path in ("/login", "/?lang=ru", "/services"):
        r = fetch(https_seeded.port, "GET", path)
        assert "max-age=" in r.header("Strict-Transport-Security", ""), path
    assert secure_cookies(fetch(https_seeded.port, "GET", "/login"))
    assert secure_cookies(fetch(https_seeded.port, "GET", "/?lang=ru"))
    r, _ = login(https_seeded)
    assert secure_cookies(r)   # the session cookie
    session = [c for c in r.header_all("Set-Cookie") if c.startswith("pc_session=")]
    assert len(session) == 1 and len(re.findall(r"Secure", session[0])) == 1, session
    # the API and error answers carry HSTS too
    assert fetch(https_seeded.port, "GET", "/api/v1/services").header("Strict-Transport-Security")
    assert fetch(https_seeded.port, "GET", "/nope").header("Strict-Transport-Security")


# ---- a session present: private, never shared -------------------------------------------

@pytest.mark.parametrize("path", ["/", "/services", "/services/din-id-card", "/search?q=vesiqe", "/agencies"])
def test_logged_in_pages_are_private_and_not_shared(https_seeded, path):
    r, account = login(https_seeded)
    session = next(c for c in r.header_all("Set-Cookie") if c.startswith("pc_session=")).split(";", 1)[0]
    mine = fetch(https_seeded.port, "GET", path, {"Cookie": session})
    assert mine.status == 200
    assert mine.header("Cache-Control") == "private, no-store"
    name = re.search(r'<a href="/account">([^<]+)</a>', mine.text).group(1)
    # an anonymous visitor of the same page right after never gets that page
    anon = fetch(https_seeded.port, "GET", path)
    assert name not in anon.text
    assert 'href="/account"' not in anon.text
    assert anon.header("Cache-Control") != "private, no-store"


def test_bearer_answers_are_private(https_seeded):
    a = next(a for a in https_seeded.accounts if a["role"] == "citizen")
    body = json.dumps({"login": a["login"], "password": a["password"]}).encode()
    r = fetch(https_seeded.port, "POST", "/api/v1/auth/password", {"Content-Type": "application/json"}, body=body)
    token = r.json()["token"]
    for path in ("/api/v1/services", "/api/v1/agencies", "/api/v1/services/din-id-card"):
        got = fetch(https_seeded.port, "GET", path, {"Authorization": "Bearer " + token})
        assert got.header("Cache-Control") == "private, no-store", path
    assert fetch(https_seeded.port, "GET", "/api/v1/me", {"Authorization": "Bearer " + token}).header(
        "Cache-Control") == "no-store"


def test_a_client_cannot_push_the_proxy_entry_out_of_reach(proxied):
    """Many X-Forwarded-For fields of its own before the proxy's: the
    portal never reads a list it cannot read whole, so the proxy's peer
    address stands."""
    path = unique()
    forged = [("X-Forwarded-For", "198.51.100.%d" % i) for i in range(40)] + [("X-Forwarded-For", "203.0.113.20")]
    fetch(proxied.port, "GET", path, forged)
    assert logged_remote(proxied, path) in ("127.0.0.1", "203.0.113.20")
    assert not logged_remote(proxied, path).startswith("198.51.100.")


@pytest.mark.parametrize("value", ["nonsense", "10.0.0.0/33", "", "10.0.0.1,,host.example"])
def test_a_bad_trusted_proxy_list_is_a_usage_error(tmp_path, value):
    r = syslib.run_cli("portal", "--db", str(tmp_path / "x.db"), "--trusted-proxy", value)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "--trusted-proxy" in r.stderr
    assert not os.path.exists(tmp_path / "x.db")


def test_help_lists_the_edge_options():
    out = syslib.run_cli("portal", "--help").stdout
    for opt in ("--trusted-proxy", "--https", "--header-timeout", "--body-timeout", "--per-ip-connections"):
        assert opt in out, opt
