"""The central registry's operator pages (`pencere central serve
--admin-listen`): operators of the central's own database (`pencere
central operator add|list|remove`), login with a wrong password refused and
throttled, CSRF on every POST, each form adding (and the access form
removing) through the same domain calls as the CLI with clear refusals,
"publish now", the trusted CA, the audit trail, and the change reaching what a gateway
downloads next.  No operator pages unless asked for; nothing but the login
page for someone who is not an operator.  One registry for the module."""
import json
import re
import subprocess
import urllib.parse

import pytest

import syslib
from syslib import request
from test_exchange import Central, member_cert

POP = "AZ/GOV/1400000001"
PASSWORD = "Operator123pw"


class Browser:
    """Cookies and the forms' CSRF token, as a browser keeps them."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.csrf = None

    def _send(self, method, path, body=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(body).encode()
        r = request(self.port, method, path, headers=headers, body=body)
        for c in r.header_all("Set-Cookie"):
            name, value = c.split(";")[0].split("=", 1)
            if "Max-Age=0" in c:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if r.status < 300 and "text/html" in r.content_type:
            m = re.search(r'name="csrf" value="([0-9a-f]+)"', r.text)
            if m:
                self.csrf = m.group(1)
        return r

    def get(self, path):
        return self._send("GET", path)

    def post(self, path, form, csrf=True):
        form = dict(form)
        if csrf:
            form["csrf"] = self.csrf
        return self._send("POST", path, form)

    def login(self, login, password):
        self.get("/login")
        return self.post("/login", {"login": login, "password": password})


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("central-ui"))
    c = Central(tmp)
    c.tmp = tmp
    r = subprocess.run([syslib.BIN, "central", "operator", "add", "--login", "alice", "--password-stdin",
                        "--data-dir", c.dir, "--db", c.db.url], input=PASSWORD + "\n", capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    c.admin_port = syslib.free_port()
    c.start("--admin-listen", "127.0.0.1:%d" % c.admin_port)
    yield c
    c.close()


def operator(central):
    b = Browser(central.admin_port)
    r = b.login("alice", PASSWORD)
    assert r.status == 303 and r.header("Location") == "/", r
    assert "pc_central" in b.cookies
    return b


@pytest.mark.once
def test_the_operator_listener_is_off_by_default(tmp_path):
    c = Central(str(tmp_path))
    try:
        c.start()
        r = syslib.run_cli("central", "serve", "--help")
        assert "--admin-listen" in r.stdout
        # the public listener has no operator pages
        assert request(c.port, "GET", "/login").status == 404
        assert request(c.port, "GET", "/members").status == 404
    finally:
        c.close()


@pytest.mark.once
def test_behind_tls_the_cookies_are_secure(tmp_path):
    c = Central(str(tmp_path))
    port = syslib.free_port()
    try:
        c.start("--admin-listen", "127.0.0.1:%d" % port, "--admin-https")
        r = request(port, "GET", "/login")
        assert r.status == 200
        cookie = [v for v in r.header_all("Set-Cookie") if v.startswith("pc_central_csrf=")][0]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert r.header("Strict-Transport-Security")
    finally:
        c.close()


def test_operators_from_the_cli(central):
    r = syslib.run_cli("central", "operator", "add", "--login", "bob", "--data-dir", central.dir, "--db",
                       central.db.url)
    assert r.returncode == 0, r.stderr
    pw = r.stdout.strip().rsplit(" ", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}", pw)
    listing = central.ok("operator", "list").stdout
    assert "alice\t" in listing and "bob\t" in listing
    # a duplicate and a bad login are refused (exit 1)
    assert syslib.run_cli("central", "operator", "add", "--login", "bob", "--data-dir", central.dir, "--db",
                          central.db.url).returncode == 1
    assert syslib.run_cli("central", "operator", "add", "--login", "bad login", "--data-dir", central.dir, "--db",
                          central.db.url).returncode == 1
    b = Browser(central.admin_port)
    assert b.login("bob", pw).status == 303
    assert b.get("/").status == 200
    # removal ends the sessions
    central.ok("operator", "remove", "--login", "bob")
    assert b.get("/").status == 303
    assert "bob\t" not in central.ok("operator", "list").stdout
    assert central.cli("operator", "remove", "--login", "bob").returncode == 1


def test_a_non_operator_gets_nothing(central):
    b = Browser(central.admin_port)
    for path in ("/", "/members", "/gateways", "/services", "/access", "/audit"):
        r = b.get(path)
        assert r.status == 303 and r.header("Location") == "/login", (path, r)
        assert POP not in r.text
    b.get("/login")
    r = b.post("/members", {"id": POP, "name": "x"})
    assert r.status == 403
    r = b.post("/publish", {})
    assert r.status == 403


def test_login_wrong_password_and_logout(central):
    b = Browser(central.admin_port)
    r = b.login("alice", "Wrong123pw")
    assert r.status == 401 and "pc_central" not in b.cookies
    assert syslib.html_lang(r.text) == "az"
    r = b.login("nobody", "Wrong123pw")
    assert r.status == 401
    b = operator(central)
    r = b.get("/?lang=en")
    assert r.status == 200 and "Overview" in r.text and "Operator: alice" in r.text
    for c in b_set_cookies(central):
        assert "HttpOnly" in c and "SameSite=Strict" in c
    r = b.post("/logout", {})
    assert r.status == 303 and "pc_central" not in b.cookies
    assert b.get("/").status == 303


def b_set_cookies(central):
    """The cookies of a login as sent (flags included)."""
    b = Browser(central.admin_port)
    r = b.get("/login")
    out = [c for c in r.header_all("Set-Cookie") if c.startswith("pc_central_csrf=")]
    r = b.post("/login", {"login": "alice", "password": PASSWORD})
    out += [c for c in r.header_all("Set-Cookie") if c.startswith("pc_central=")]
    assert len(out) == 2
    return out


def test_a_post_without_the_csrf_token_is_refused(central):
    b = operator(central)
    r = b.post("/members", {"id": "AZ/GOV/1400000077", "name": "x"}, csrf=False)
    assert r.status == 403
    r = b.post("/members", {"id": "AZ/GOV/1400000077", "name": "x", "csrf": "0" * 32}, csrf=False)
    assert r.status == 403
    assert "AZ/GOV/1400000077" not in central.ok("show").stdout
    # the login form too
    b = Browser(central.admin_port)
    b.get("/login")
    assert b.post("/login", {"login": "alice", "password": PASSWORD}, csrf=False).status == 403


def shared_params(central):
    """What a gateway downloads next: the signed directory's file."""
    g = central.gconf()
    d = json.loads(g["directory"])
    r = request(central.port, "GET", "/gconf/files/" + d["files"][0]["sha256"])
    assert r.status == 200
    return d, r.json()


def test_each_form_and_the_gateway_sees_it(central):
    b = operator(central)
    v0 = shared_params(central)[0]["version"]
    steps = [
        ("/members", {"id": POP, "name": "Əhali reyestri"}, "/members"),
        ("/subsystems", {"id": POP + "/population"}, "/members"),
        ("/gateways", {"id": POP + "/gw2", "address": "https://gw2.example:8443",
                       "cert": open(member_cert(central.tmp, "gw2", "1400000001")).read()}, "/gateways"),
        ("/gateway-clients", {"gateway": POP + "/gw2", "client": POP + "/population"}, "/gateways"),
        ("/services", {"id": POP + "/population/person", "version": "v1", "title": "Şəxs FİN ilə",
                       "kind": "query", "max_request": "", "timeout_ms": "",
                       "openapi": "openapi: 3.0.3\ninfo: {title: person, version: v1}\n"}, "/services"),
        ("/groups", {"id": "AZ/portals", "description": "portals"}, "/access"),
        ("/group-members", {"group": "AZ/portals", "client": POP + "/population"}, "/access"),
        ("/grants", {"service": POP + "/population/person", "subject": "AZ/portals"}, "/access"),
        ("/ca", {"name": "Pəncərə CA", "chain": open(member_cert(central.tmp, "ca", "0000000000")).read(),
                 "ocsp": "http://127.0.0.1:2/ca/ocsp", "tsa": "http://127.0.0.1:2/ca/tsa"}, "/"),
    ]
    for path, form, page in steps:
        b.get(page)
        r = b.post(path, form)
        assert r.status == 303 and r.header("Location") == page + "?done=1", (path, r, r.text[-2000:])
    r = b.get("/gateways?lang=en")
    assert "CN = gw2" in r.text or "CN=gw2" in r.text
    assert re.search(r'class="fingerprint">[0-9a-f]{64}<', r.text)
    r = b.get("/services")
    assert "Şəxs FİN ilə" in r.text
    r = b.get("/openapi?id=" + urllib.parse.quote(POP + "/population/person", safe=""))
    assert r.status == 200 and r.text.startswith("openapi: 3.0.3") and r.content_type.startswith("text/plain")
    d, p = shared_params(central)
    assert d["version"] > v0
    assert [m["id"] for m in p["members"]] == [POP]
    assert p["gateways"][0]["clients"] == [POP + "/population"]
    assert {"service": POP + "/population/person", "subject": "AZ/portals"} in p["access"]
    assert p["ca"]["ocsp_url"] == "http://127.0.0.1:2/ca/ocsp" and "BEGIN CERTIFICATE" in p["ca"]["ca_chain"]
    # removing: the right is revoked, and the next configuration says so
    b.get("/access")
    r = b.post("/revoke", {"service": POP + "/population/person", "subject": "AZ/portals"})
    assert r.status == 303
    d2, p = shared_params(central)
    assert d2["version"] > d["version"] and p["access"] == []
    # publish now: a new version even without a change
    b.get("/")
    r = b.post("/publish", {})
    assert r.status == 303 and r.header("Location") == "/?done=publish"
    assert shared_params(central)[0]["version"] > d2["version"]
    # the audit trail names who did what
    r = b.get("/audit?lang=en")
    for action in ("xr.member.add", "xr.gateway.put", "xr.access.grant", "xr.access.revoke", "xr.gconf.publish",
                   "xr.operator.login"):
        assert action in r.text, action
    assert "op:alice" in r.text


@pytest.mark.parametrize("path,form,status", [
    ("/members", {"id": "AZ/GOV", "name": "x"}, 400),                       # malformed identifier
    ("/members", {"id": "AZ/XXX/1", "name": "x"}, 400),                     # no such member class
    ("/members", {"id": "AZ/GOV/1400000009", "name": ""}, 400),             # empty name
    ("/members", {"id": "AZ/GOV/1400000009", "name": "n" * 201}, 400),      # too long
    ("/subsystems", {"id": "AZ/GOV/1999999999/x"}, 404),                    # unknown member
    ("/gateways", {"id": "AZ/GOV/1400000001/gw9", "address": "https://x", "cert": "not a certificate"}, 400),
    ("/gateways", {"id": "AZ/GOV/1400000001/gw9", "address": "ftp://x", "cert": "x"}, 400),
    ("/services", {"id": "AZ/GOV/1400000001/population/p2", "version": "v1", "title": "t", "kind": "odd"}, 400),
    ("/services", {"id": "AZ/GOV/1400000001/population/p2", "version": "v1", "title": "t", "kind": "query",
                   "timeout_ms": "-5"}, 400),
    ("/grants", {"service": "AZ/GOV/1400000001/population/none", "subject": "AZ/portals"}, 404),
    ("/grants", {"service": "AZ/GOV/1400000001/population/person", "subject": "not/an id/../"}, 400),
    ("/revoke", {"service": "AZ/GOV/1400000001/population/person", "subject": "AZ/nogroup"}, 404),
    ("/ca", {"name": "CA", "chain": "not PEM", "ocsp": "http://x/ocsp", "tsa": "http://x/tsa"}, 400),
    ("/ca", {"name": "CA", "chain": "x", "ocsp": "http://x/" + "o" * 600, "tsa": "http://x/tsa"}, 400),
])
def test_bad_input_is_a_clear_page(central, path, form, status):
    b = operator(central)
    b.get("/")
    r = b.post(path, form)
    assert r.status == status, (r, r.text[-1500:])
    assert "text/html" in r.content_type
    assert 'class="error-summary"' in r.text and "Dəyişiklik edilmədi" in r.text


def test_a_duplicate_is_409(central):
    b = operator(central)
    b.get("/")
    b.post("/members", {"id": "AZ/GOV/1400000055", "name": "Once"})
    r = b.post("/members", {"id": "AZ/GOV/1400000055", "name": "Twice"})
    assert r.status == 409 and "artıq qeydiyyatdadır" in r.text


def test_the_login_is_throttled(central):
    central.ok("operator", "add", "--login", "carol")
    b = Browser(central.admin_port)
    statuses = [b.login("carol", "Wrong123pw").status for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429, statuses


# ---- centralui2: taking things away, and the operators on the page ----

M2 = "AZ/GOV/1400000002"


def registry_with_m2(central, tag):
    """A member with a subsystem, a gateway serving it, a service, a group
    holding the subsystem, and rights for the group and the subsystem."""
    sub, gw, svc, grp = M2 + "/app" + tag, M2 + "/gw" + tag, M2 + "/app" + tag + "/svc", "AZ/g" + tag
    if M2 not in central.ok("show").stdout:
        central.ok("member", "--id", M2, "--name", "Second")
    central.ok("subsystem", "--id", sub)
    central.ok("gateway", "--id", gw, "--address", "https://gw.example:8443",
               "--cert", member_cert(central.tmp, "gw" + tag, "1400000002"))
    central.ok("gateway-client", "--gateway", gw, "--client", sub)
    central.ok("service", "--id", svc, "--title", "svc")
    central.ok("group", "--id", grp, "--description", "g")
    central.ok("group-member", "--group", grp, "--client", sub)
    central.ok("grant", "--service", svc, "--subject", grp)
    central.ok("grant", "--service", svc, "--subject", sub)
    return sub, gw, svc, grp


def test_removing_on_the_page_reaches_the_configuration(central):
    sub, gw, svc, grp = registry_with_m2(central, "p")
    b = operator(central)
    # every list has its links to the confirmation
    r = b.get("/members?lang=en")
    assert "/remove?what=member&amp;id=" + urllib.parse.quote(M2, safe="") in r.text
    assert "/remove?what=subsystem&amp;id=" in r.text
    # the confirmation page changes nothing; a POST without its field only asks
    r = b.get("/remove?what=member&id=" + urllib.parse.quote(M2, safe="") + "&lang=en")
    assert r.status == 200 and 'name="confirm" value="yes"' in r.text and "Confirm the removal" in r.text
    r = b.post("/remove", {"what": "member", "id": M2})
    assert r.status == 200 and 'name="confirm" value="yes"' in r.text
    assert M2 in central.ok("show").stdout
    # not without the CSRF token
    assert b.post("/remove", {"what": "service", "id": svc, "confirm": "yes"}, csrf=False).status == 403
    # a member with subsystems and gateways left: refused, saying which
    r = b.post("/remove", {"what": "member", "id": M2, "confirm": "yes"})
    assert r.status == 409 and sub in r.text and gw in r.text and "cannot be removed yet" in r.text, r.text[-1500:]
    # … a subsystem that still provides a service too
    r = b.post("/remove", {"what": "subsystem", "id": sub, "confirm": "yes"})
    assert r.status == 409 and svc in r.text
    v0 = shared_params(central)[0]["version"]
    # the rights table links to the same confirmation
    assert "/remove?what=right&amp;id=" + urllib.parse.quote(svc, safe="") in b.get("/access").text
    steps = [
        ({"what": "right", "id": svc, "of": sub}, "/access"),
        ({"what": "group-member", "id": grp, "of": sub}, "/access"),
        ({"what": "service", "id": svc}, "/services"),
        ({"what": "gateway-client", "id": gw, "of": sub}, "/gateways"),
        ({"what": "gateway", "id": gw}, "/gateways"),
        ({"what": "group", "id": grp}, "/access"),
        ({"what": "subsystem", "id": sub}, "/members"),
    ]
    for form, page in steps:
        b.get("/remove?" + urllib.parse.urlencode(form))
        r = b.post("/remove", dict(form, confirm="yes"))
        assert r.status == 303 and r.header("Location") == page + "?done=removed", (form, r, r.text[-1500:])
    d, p = shared_params(central)
    assert d["version"] > v0
    assert all(g["id"] != gw for g in p["gateways"])
    assert all(s["id"] != svc for s in p["services"])
    assert all(a["service"] != svc and a["subject"] != sub for a in p["access"])
    assert "xr.access.revoke" in b.get("/audit").text
    assert all(g["id"] != grp for g in p["groups"])
    assert [m["subsystems"] for m in p["members"] if m["id"] == M2] == [[]]
    # now the member goes; once gone, it is not found
    r = b.post("/remove", {"what": "member", "id": M2, "confirm": "yes"})
    assert r.status == 303
    assert all(m["id"] != M2 for m in shared_params(central)[1]["members"])
    r = b.post("/remove", {"what": "member", "id": M2, "confirm": "yes"})
    assert r.status == 404
    # a bad request names nothing
    assert b.get("/remove?what=planet&id=x").status == 400
    assert b.get("/remove?what=member&id=AZ/GOV").status == 400
    r = b.get("/audit")
    for action in ("xr.member.remove", "xr.subsystem.remove", "xr.gateway.remove", "xr.gateway.unclient",
                   "xr.service.remove", "xr.group.remove", "xr.group.unmember"):
        assert action in r.text, action


def test_removing_from_the_cli(central):
    sub, gw, svc, grp = registry_with_m2(central, "c")
    r = central.cli("remove", "--what", "member", "--id", M2)
    assert r.returncode == 1 and sub in r.stderr and gw in r.stderr
    assert central.cli("remove", "--what", "planet", "--id", M2).returncode == 2
    central.ok("remove", "--what", "group-member", "--group", grp, "--client", sub)
    assert central.cli("remove", "--what", "group-member", "--group", grp, "--client", sub).returncode == 1
    central.ok("remove", "--what", "group", "--id", grp)
    central.ok("remove", "--what", "gateway", "--id", gw)   # its client link goes with it
    central.ok("remove", "--what", "service", "--id", svc)  # and the rights on it
    central.ok("remove", "--what", "subsystem", "--id", sub)
    central.ok("remove", "--what", "member", "--id", M2)
    p = json.loads(central.ok("show").stdout)
    assert M2 not in json.dumps(p) and "AZ/gc" not in json.dumps(p)


def test_operators_on_the_page(central):
    # nothing of it for someone who is not an operator
    n = Browser(central.admin_port)
    for path in ("/operators", "/remove?what=operator&id=alice"):
        r = n.get(path)
        assert r.status == 303 and r.header("Location") == "/login", (path, r)
    n.get("/login")
    assert n.post("/operators", {"login": "mallory"}).status == 403
    assert n.post("/remove", {"what": "operator", "id": "alice", "confirm": "yes"}).status == 403
    b = operator(central)
    r = b.get("/operators?lang=en")
    assert r.status == 200 and "alice" in r.text
    assert "what=operator&amp;id=alice" not in r.text  # not oneself
    r = b.post("/operators", {"login": "dave"})
    assert r.status == 200 and "no-store" in (r.header("Cache-Control") or "")
    pw = re.search(r'class="password">([0-9a-f]{32})<', r.text).group(1)
    assert b.post("/operators", {"login": "dave"}).status == 409
    assert b.post("/operators", {"login": "bad login"}).status == 400
    d = Browser(central.admin_port)
    assert d.login("dave", pw).status == 303
    assert "what=operator&amp;id=alice" in d.get("/operators").text
    # nobody removes itself
    r = d.post("/remove", {"what": "operator", "id": "dave", "confirm": "yes"})
    assert r.status == 409
    b.get("/operators")
    r = b.post("/remove", {"what": "operator", "id": "dave", "confirm": "yes"})
    assert r.status == 303 and r.header("Location") == "/operators?done=removed"
    assert "<p>Removed.</p>" in b.get("/operators?done=removed&lang=en").text
    assert d.get("/").status == 303  # its session ended
    r = b.get("/audit")
    assert "xr.operator.add" in r.text and "xr.operator.remove" in r.text


def test_the_last_operator_stays(central):
    for line in central.ok("operator", "list").stdout.splitlines():
        login = line.split("\t")[0]
        if login != "alice":
            central.ok("operator", "remove", "--login", login)
    r = central.cli("operator", "remove", "--login", "alice")
    assert r.returncode == 1 and "last operator" in r.stderr
    assert operator(central).get("/").status == 200
