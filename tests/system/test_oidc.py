"""The portal as an OpenID Connect provider, driven by an independent
client (authlib) the way an agency's site would: discovery, the
authorization code flow with PKCE, id_token signatures and claims,
userinfo, consent remembered per site, pairwise subjects, RP-initiated
and back-channel logout, and every refusal of bad input with its defined
answer and its audit entry.

One portal (seeded with `pencere admin seed-demo`, so it has citizens and
an operator) is shared by the module; the operator registers the sites
through the operator's page, as in production."""
import base64
import hashlib
import html
import http.server
import json
import os
import re
import sqlite3
import subprocess
import threading
import time
import urllib.parse

import pytest

from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.common.security import generate_token

import syslib
from test_identity import Browser

RP = "http://127.0.0.1:9/tax"          # the sites' redirect URIs: never fetched, only compared


class PortalWithOidc(syslib.Server):
    def args(self, port):
        return super().args(port) + ["--oidc-issuer", "http://127.0.0.1:%d" % port,
                                     "--oidc-passphrase-file", self.passfile]


class Backchannel:
    """A site's back-channel logout endpoint: keeps every logout token."""

    def __init__(self):
        self.tokens = []
        self.cond = threading.Condition()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(n).decode())
                with outer.cond:
                    outer.tokens.append(form.get("logout_token", [""])[0])
                    outer.cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d/backchannel" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait(self, count, timeout=15):
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.tokens) >= count, timeout), self.tokens
            return self.tokens[count - 1]

    def wait_for(self, pred, timeout=15):
        with self.cond:
            assert self.cond.wait_for(lambda: pred(self.tokens), timeout), self.tokens

    def close(self):
        self.httpd.shutdown()


@pytest.fixture(scope="module")
def op(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("oidc"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = PortalWithOidc(work, db=db)
    srv.passfile = os.path.join(work, "oidc-pass")
    with open(srv.passfile, "w") as f:
        f.write("correct horse battery staple\n")
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.bc = Backchannel()
    srv.issuer = "http://127.0.0.1:%d" % srv.port
    operator = login_as(srv, "operator")[0]
    srv.public = register(srv, operator, "tax-public", agency="vn", confidential=False)
    srv.tax = register(srv, operator, "tax", agency="vn", backchannel=srv.bc.url)
    srv.pw1 = register(srv, operator, "pairwise-din", agency="din", pairwise=True)
    srv.pw2 = register(srv, operator, "pairwise-vn", agency="vn", pairwise=True)
    yield srv
    srv.bc.close()
    srv.close()
    db.drop()


def login_as(srv, role, index=0):
    a = [x for x in srv.accounts if x["role"] == role][index]
    b = Browser(srv)
    b.login(a["login"], a["password"])
    return b, a


def register(srv, operator, name, agency, confidential=True, pairwise=False, backchannel=""):
    fields = {"name_az": name + " az", "name_en": name + " en", "name_ru": name + " ru", "agency": agency,
              "redirect_uris": "%s/%s/cb\n%s/%s/cb2" % (RP, name, RP, name),
              "post_logout_uris": "%s/%s/bye" % (RP, name), "backchannel_logout_uri": backchannel}
    if confidential:
        fields["confidential"] = "1"
    if pairwise:
        fields["pairwise"] = "1"
    r = operator.post("/operator/oidc-clients", fields)
    assert r.status == 200, r.text[:800]
    cid = re.search(r'id="client-id">([^<]+)<', r.text).group(1)
    m = re.search(r'id="client-secret">([^<]+)<', r.text)
    assert (m is not None) == confidential
    return {"id": cid, "secret": m.group(1) if m else None, "redirect": "%s/%s/cb" % (RP, name),
            "bye": "%s/%s/bye" % (RP, name)}


def session_for(srv, client, **kw):
    return OAuth2Session(client["id"], client["secret"], scope="openid profile email phone",
                         redirect_uri=client["redirect"], code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_basic" if client["secret"] else "none", **kw)


def location(r):
    assert r.status in (302, 303), (r.status, r.text[:500])
    return r.header("Location")


def continue_url(page):
    m = re.search(r'<a href="([^"]+)" id="continue"', page.text)
    assert m, page.text[:1000]
    return html.unescape(m.group(1))


def path_of(url):
    u = urllib.parse.urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


def query_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def authorize(srv, browser, client, consent=True, **extra):
    """Start a flow at the site, go through the portal, come back: the
    site's session, its code_verifier and nonce, and the URL it got."""
    s = session_for(srv, client)
    verifier = generate_token(64)
    nonce = generate_token(20)
    url, state = s.create_authorization_url(srv.issuer + "/oidc/authorize", code_verifier=verifier, nonce=nonce,
                                            **extra)
    r = browser.get(path_of(url))
    if r.status == 200 and consent:
        assert 'name="decision"' in r.text, r.text[:800]
        form = re.search(r'action="(/oidc/continue/[^"]+)"', r.text).group(1)
        back = continue_url(browser.post(form, {"decision": "allow"}, from_page=path_of(url)))
    else:
        back = location(r)
    assert query_of(back).get("state") == state
    return s, verifier, nonce, back


def fetch_token(srv, s, back, verifier):
    return s.fetch_token(srv.issuer + "/api/v1/oidc/token", authorization_response=back, code_verifier=verifier)


def raw_token(srv, fields, auth=None):
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth:
        h["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
    return syslib.request(srv.port, "POST", "/api/v1/oidc/token", body=urllib.parse.urlencode(fields).encode(),
                          headers=h)


def jwks(srv):
    return JsonWebKey.import_key_set(srv.api("/api/v1/oidc/jwks").json())


def id_claims(srv, token, client, nonce):
    opts = {"iss": {"essential": True, "value": srv.issuer}, "aud": {"essential": True, "value": client["id"]},
            "nonce": {"essential": True, "value": nonce}}
    c = jwt.decode(token, jwks(srv), claims_options=opts)
    c.validate()
    return c


def audit_column(srv, sql):
    """The first column of an audit_log query, on either database."""
    if srv.db.kind == "sqlite":
        with sqlite3.connect(srv.db.url) as c:
            return [row[0] for row in c.execute(sql)]
    out = subprocess.run(["psql", srv.db.url, "-At", "-c", sql], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def audit_details(srv, action="oidc.refused"):
    return audit_column(srv, "SELECT detail FROM audit_log WHERE action = '%s' ORDER BY seq" % action)


def audited(srv, detail):
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any(detail in d for d in audit_details(srv)):
            return True
        time.sleep(0.05)
    return False


# ---- discovery and keys ----------------------------------------------------------------

def test_discovery_names_our_endpoints_and_policies(op):
    d = op.api("/.well-known/openid-configuration").json()
    assert d["issuer"] == op.issuer
    assert d["jwks_uri"] == op.issuer + "/api/v1/oidc/jwks"
    assert d["code_challenge_methods_supported"] == ["S256"]
    assert d["id_token_signing_alg_values_supported"] == ["ES256"]
    assert set(d["subject_types_supported"]) == {"public", "pairwise"}
    assert d["backchannel_logout_supported"] is True
    assert d["ui_locales_supported"] == ["az", "en", "ru"]
    assert "code_password" in d["acr_values_supported"]
    keys = op.api("/api/v1/oidc/jwks").json()["keys"]
    assert keys and all(k["kty"] == "EC" and k["crv"] == "P-256" and "d" not in k for k in keys)


# ---- the flow ---------------------------------------------------------------------------

def test_code_flow_with_pkce_signs_the_citizen_in(op):
    b, citizen = login_as(op, "citizen")
    s, verifier, nonce, back = authorize(op, b, op.tax)
    assert back.startswith(op.tax["redirect"] + "?")
    tok = fetch_token(op, s, back, verifier)
    assert tok["token_type"].lower() == "bearer"
    c = id_claims(op, tok["id_token"], op.tax, nonce)
    assert c["sub"] == citizen["fin"]
    assert c["acr"] == "code_password" and c["amr"] == ["pwd"]   # the login level and method
    assert c["sid"]
    assert c["exp"] > c["iat"]
    header = json.loads(base64.urlsafe_b64decode(tok["id_token"].split(".")[0] + "=="))
    assert header["alg"] == "ES256" and header["kid"]
    info = s.get(op.issuer + "/api/v1/oidc/userinfo").json()
    assert info["sub"] == citizen["fin"]
    assert info.get("name")
    # the read is in the person's own access log ("who looked at my data")
    mine = b.get("/account?lang=en").text
    assert "The body&#39;s site (sign-in)" in mine or "The body's site (sign-in)" in mine
    assert "Sign-in to the site with your consent" in mine


def test_consent_is_remembered_per_site(op):
    b, _ = login_as(op, "citizen", 1)
    authorize(op, b, op.tax)                                  # asked the first time
    s, verifier, nonce, back = authorize(op, b, op.tax, consent=False)   # then straight back
    assert "code" in query_of(back)
    tok = fetch_token(op, s, back, verifier)
    assert id_claims(op, tok["id_token"], op.tax, nonce)["sub"]
    r = b.get(path_of(session_for(op, op.public).create_authorization_url(
        op.issuer + "/oidc/authorize", code_verifier=generate_token(64))[0]))
    assert r.status == 200 and 'name="decision"' in r.text   # another site asks again


def test_the_person_sees_and_withdraws_a_consent(op):
    b, _ = login_as(op, "representative")
    s, verifier, nonce, back = authorize(op, b, op.pw1)
    access = fetch_token(op, s, back, verifier)["access_token"]
    assert 'href="/account/sites"' in b.get("/account?lang=en").text
    page = b.get("/account/sites?lang=en")
    assert page.status == 200 and "pairwise-din en" in page.text
    r = b.post("/account/sites/%s/withdraw" % op.pw1["id"], {}, from_page="/account/sites")
    assert location(r) == "/account/sites"
    assert "pairwise-din en" not in b.get("/account/sites?lang=en").text
    ui = syslib.request(op.port, "GET", "/api/v1/oidc/userinfo", headers={"Authorization": "Bearer " + access})
    assert ui.status == 401                                     # the site's token stopped at once
    url, _ = session_for(op, op.pw1).create_authorization_url(op.issuer + "/oidc/authorize",
                                                               code_verifier=generate_token(64))
    assert 'name="decision"' in b.get(path_of(url)).text        # and it asks again
    assert audit_details(op, "oidc.consent.withdraw")
    r = b.post("/account/sites/%s/withdraw" % op.pw1["id"], {}, from_page="/account/sites")
    assert r.status == 404                                       # nothing left to withdraw


def test_public_client_without_secret(op):
    b, citizen = login_as(op, "citizen")
    s, verifier, nonce, back = authorize(op, b, op.public)
    tok = fetch_token(op, s, back, verifier)
    assert id_claims(op, tok["id_token"], op.public, nonce)["sub"] == citizen["fin"]


def test_pairwise_subjects_differ_per_agency_and_hide_the_fin(op):
    b, citizen = login_as(op, "citizen")
    subs = []
    for client in (op.pw1, op.pw2, op.pw1):
        s, verifier, nonce, back = authorize(op, b, client)
        subs.append(id_claims(op, fetch_token(op, s, back, verifier)["id_token"], client, nonce)["sub"])
    assert subs[0] == subs[2], "stable for one agency"
    assert subs[0] != subs[1], "different for another agency"
    assert citizen["fin"] not in subs


def test_anonymous_person_is_sent_to_log_in_and_then_back(op):
    b = Browser(op)
    s = session_for(op, op.tax)
    verifier = generate_token(64)
    url, state = s.create_authorization_url(op.issuer + "/oidc/authorize", code_verifier=verifier,
                                            nonce="n-1")
    to_login = location(b.get(path_of(url)))
    assert to_login.startswith("/login?next=/oidc/continue/")
    citizen = [x for x in op.accounts if x["role"] == "citizen"][0]
    nxt = urllib.parse.parse_qs(urllib.parse.urlsplit(to_login).query)["next"][0]
    r = b.post("/login", {"login": citizen["login"], "password": citizen["password"], "next": nxt},
               from_page=to_login)
    assert location(r) == nxt
    page = b.get(nxt)
    if 'name="decision"' in page.text:
        form = re.search(r'action="(/oidc/continue/[^"]+)"', page.text).group(1)
        page = b.post(form, {"decision": "allow"}, from_page=nxt)
    back = continue_url(page)
    assert query_of(back)["state"] == state
    assert id_claims(op, fetch_token(op, s, back, verifier)["id_token"], op.tax, "n-1")["sub"] == citizen["fin"]


def test_prompt_none_without_a_session_answers_login_required(op):
    s = session_for(op, op.tax)
    url, state = s.create_authorization_url(op.issuer + "/oidc/authorize", code_verifier=generate_token(64),
                                            prompt="none")
    back = location(Browser(op).get(path_of(url)))
    assert query_of(back) == {"error": "login_required", "state": state}


def test_deny_goes_back_with_access_denied(op):
    b, _ = login_as(op, "representative")
    s = session_for(op, op.pw2)
    url, state = s.create_authorization_url(op.issuer + "/oidc/authorize", code_verifier=generate_token(64))
    page = b.get(path_of(url))
    form = re.search(r'action="(/oidc/continue/[^"]+)"', page.text).group(1)
    back = continue_url(b.post(form, {"decision": "deny"}, from_page=path_of(url)))
    assert query_of(back)["error"] == "access_denied" and query_of(back)["state"] == state


def test_staff_account_cannot_sign_in_to_a_site(op):
    b, _ = login_as(op, "officer")
    url, _ = session_for(op, op.tax).create_authorization_url(op.issuer + "/oidc/authorize",
                                                               code_verifier=generate_token(64))
    r = b.get(path_of(url))
    assert r.status == 403 and "Location" not in r.headers


# ---- bad input: each with its answer and an audit entry ---------------------------------------

def test_unknown_client_gets_a_page_never_a_redirect(op):
    q = urllib.parse.urlencode({"response_type": "code", "client_id": "no-such-site", "redirect_uri": RP + "/x",
                                "scope": "openid", "code_challenge": "a" * 43, "code_challenge_method": "S256"})
    r = Browser(op).get("/oidc/authorize?" + q)
    assert r.status == 400 and r.header("Location") is None
    assert audited(op, "unknown client")


def test_foreign_redirect_uri_gets_a_page_never_a_redirect(op):
    b, _ = login_as(op, "citizen")
    s = OAuth2Session(op.tax["id"], op.tax["secret"], scope="openid", redirect_uri="https://evil.example/cb",
                      code_challenge_method="S256")
    url, _ = s.create_authorization_url(op.issuer + "/oidc/authorize", code_verifier=generate_token(64))
    r = b.get(path_of(url))
    assert r.status == 400 and r.header("Location") is None
    assert "https://evil.example" not in r.text   # no link to it (the language links keep the query, escaped)
    assert audited(op, "foreign redirect_uri")
    # a prefix of a registered URI is not an exact match either
    s.redirect_uri = op.tax["redirect"] + "/more"
    url, _ = s.create_authorization_url(op.issuer + "/oidc/authorize", code_verifier=generate_token(64))
    assert b.get(path_of(url)).status == 400


@pytest.mark.parametrize("change, error, reason", [
    ({"code_challenge": None, "code_challenge_method": None}, "invalid_request", "PKCE is required"),
    ({"code_challenge_method": "plain"}, "invalid_request", "must be S256"),
    ({"scope": "profile"}, "invalid_scope", "scope has no openid"),
    ({"response_type": "token"}, "unsupported_response_type", "response_type is not code"),
])
def test_bad_requests_go_back_to_the_site_with_an_error(op, change, error, reason):
    q = {"response_type": "code", "client_id": op.tax["id"], "redirect_uri": op.tax["redirect"], "scope": "openid",
         "state": "st-1", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
         "code_challenge_method": "S256"}
    q.update(change)
    q = {k: v for k, v in q.items() if v is not None}
    back = location(Browser(op).get("/oidc/authorize?" + urllib.parse.urlencode(q)))
    assert back.startswith(op.tax["redirect"] + "?")
    assert query_of(back)["error"] == error and query_of(back)["state"] == "st-1"
    assert audited(op, reason)


def code_for(op, client=None):
    client = client or op.tax
    b, _ = login_as(op, "citizen")
    s, verifier, nonce, back = authorize(op, b, client)
    return query_of(back)["code"], verifier, client


def test_wrong_code_verifier_is_invalid_grant(op):
    code, verifier, c = code_for(op)
    r = raw_token(op, {"grant_type": "authorization_code", "code": code, "redirect_uri": c["redirect"],
                       "code_verifier": generate_token(64)}, auth=(c["id"], c["secret"]))
    assert r.status == 400 and r.json()["error"] == "invalid_grant"
    assert audited(op, "code_verifier")


def test_missing_code_is_invalid_request(op):
    c = op.tax
    r = raw_token(op, {"grant_type": "authorization_code", "redirect_uri": c["redirect"],
                       "code_verifier": generate_token(64)}, auth=(c["id"], c["secret"]))
    assert r.status == 400 and r.json()["error"] == "invalid_request"
    assert audited(op, "no code")


def test_reused_code_is_refused_and_revokes_its_tokens(op):
    code, verifier, c = code_for(op)
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": c["redirect"],
              "code_verifier": verifier}
    first = raw_token(op, fields, auth=(c["id"], c["secret"]))
    assert first.status == 200, first.text
    access = first.json()["access_token"]
    ui = syslib.request(op.port, "GET", "/api/v1/oidc/userinfo", headers={"Authorization": "Bearer " + access})
    assert ui.status == 200
    again = raw_token(op, fields, auth=(c["id"], c["secret"]))
    assert again.status == 400 and again.json()["error"] == "invalid_grant"
    ui = syslib.request(op.port, "GET", "/api/v1/oidc/userinfo", headers={"Authorization": "Bearer " + access})
    assert ui.status == 401 and "invalid_token" in ui.header("WWW-Authenticate")
    assert audited(op, "code used again")


def test_a_code_redeemed_twice_at_once_works_once(op):
    code, verifier, c = code_for(op)
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": c["redirect"],
              "code_verifier": verifier}
    start, answers = threading.Barrier(4), []

    def redeem():
        start.wait()
        answers.append(raw_token(op, fields, auth=(c["id"], c["secret"])).status)
    threads = [threading.Thread(target=redeem) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 400, 400, 400]


def test_code_of_another_client_or_redirect_uri_is_refused(op):
    code, verifier, c = code_for(op)
    other = op.pw2
    r = raw_token(op, {"grant_type": "authorization_code", "code": code, "redirect_uri": c["redirect"],
                       "code_verifier": verifier}, auth=(other["id"], other["secret"]))
    assert r.status == 400 and r.json()["error"] == "invalid_grant"
    code, verifier, c = code_for(op)
    r = raw_token(op, {"grant_type": "authorization_code", "code": code, "redirect_uri": c["redirect"] + "2",
                       "code_verifier": verifier}, auth=(c["id"], c["secret"]))
    assert r.status == 400 and r.json()["error"] == "invalid_grant"


def test_client_authentication(op):
    code, verifier, c = code_for(op)
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": c["redirect"],
              "code_verifier": verifier}
    r = raw_token(op, fields, auth=(c["id"], "wrong-secret"))
    assert r.status == 401 and r.json()["error"] == "invalid_client"
    assert r.header("WWW-Authenticate", "").startswith("Basic")
    r = raw_token(op, dict(fields, client_id="no-such-site"))
    assert r.status == 401 and r.json()["error"] == "invalid_client"
    assert audited(op, "wrong client secret") and audited(op, "unknown client")
    # the code is still good for its own, authenticated client (client_secret_post)
    r = raw_token(op, dict(fields, client_id=c["id"], client_secret=c["secret"]))
    assert r.status == 200, r.text


def test_unsupported_grant_type(op):
    r = raw_token(op, {"grant_type": "password", "username": "x", "password": "y"},
                  auth=(op.tax["id"], op.tax["secret"]))
    assert r.status == 400 and r.json()["error"] == "unsupported_grant_type"


def test_userinfo_without_a_valid_token(op):
    for h in ({}, {"Authorization": "Bearer not-a-token"}):
        r = syslib.request(op.port, "GET", "/api/v1/oidc/userinfo", headers=h)
        assert r.status == 401 and r.json()["error"] == "invalid_token"


def test_tampered_id_token_does_not_verify(op):
    b, _ = login_as(op, "citizen")
    s, verifier, nonce, back = authorize(op, b, op.tax)
    tok = fetch_token(op, s, back, verifier)["id_token"]
    h, p, sig = tok.split(".")
    claims = json.loads(base64.urlsafe_b64decode(p + "=="))
    claims["sub"] = "AAAAAAA"
    forged = h + "." + base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=") + "." + sig
    with pytest.raises(Exception):
        jwt.decode(forged, jwks(op))


# ---- logout -----------------------------------------------------------------------------------

def logged_out(browser):
    r = browser.get("/account")
    return r.status in (302, 303) and "/login" in r.header("Location", "")


def test_rp_initiated_logout_ends_the_portal_session_and_tells_the_sites(op):
    b, citizen = login_as(op, "citizen", 1)
    s, verifier, nonce, back = authorize(op, b, op.tax, consent=True)
    tok = fetch_token(op, s, back, verifier)
    sid = id_claims(op, tok["id_token"], op.tax, nonce)["sid"]
    before = len(op.bc.tokens)
    q = urllib.parse.urlencode({"id_token_hint": tok["id_token"], "post_logout_redirect_uri": op.tax["bye"],
                                "state": "bye-1"})
    r = b.get("/oidc/logout?" + q)
    assert location(r) == op.tax["bye"] + "?state=bye-1"
    assert logged_out(b)
    lt = op.bc.wait(before + 1)
    c = jwt.decode(lt, jwks(op))
    assert c["iss"] == op.issuer and c["aud"] == op.tax["id"]
    assert c["sid"] == sid and c["sub"] == citizen["fin"]
    assert "http://schemas.openid.net/event/backchannel-logout" in c["events"]
    assert "nonce" not in c
    assert json.loads(base64.urlsafe_b64decode(lt.split(".")[0] + "=="))["typ"] == "logout+jwt"


def test_portal_logout_tells_the_sites(op):
    b, citizen = login_as(op, "citizen", 1)
    s, verifier, nonce, back = authorize(op, b, op.tax)
    sid = id_claims(op, fetch_token(op, s, back, verifier)["id_token"], op.tax, nonce)["sid"]
    before = len(op.bc.tokens)
    r = b.post("/logout", {}, from_page="/account")
    assert r.status in (302, 303)
    assert jwt.decode(op.bc.wait(before + 1), jwks(op))["sid"] == sid


def test_logging_out_everywhere_tells_the_sites_of_every_session(op):
    a, citizen = login_as(op, "citizen", 1)
    s, verifier, nonce, back = authorize(op, a, op.tax)
    sid = id_claims(op, fetch_token(op, s, back, verifier)["id_token"], op.tax, nonce)["sid"]
    other, _ = login_as(op, "citizen", 1)                     # another device of the same person
    before = len(op.bc.tokens)
    r = other.post("/account/sessions/revoke-all", {}, from_page="/account/sessions")
    assert r.status == 303
    keys = jwks(op)
    op.bc.wait_for(lambda tokens: sid in [jwt.decode(t, keys)["sid"] for t in tokens[before:]])
    assert logged_out(a)


def test_logout_without_proof_asks_first_and_refuses_foreign_uris(op):
    b, _ = login_as(op, "citizen")
    r = b.get("/oidc/logout")
    assert r.status == 200 and 'action="/oidc/logout"' in r.text    # a link alone logs nobody out
    assert not logged_out(b)
    q = urllib.parse.urlencode({"client_id": op.tax["id"], "post_logout_redirect_uri": "https://evil.example/"})
    r = b.get("/oidc/logout?" + q)
    assert r.status == 400 and r.header("Location") is None
    assert audited(op, "foreign post_logout_redirect_uri")
    r = b.get("/oidc/logout?" + urllib.parse.urlencode({"id_token_hint": "e30.e30.AAAA"}))
    assert r.status == 400
    assert audited(op, "bad id_token_hint")


def test_logout_hint_for_another_audience_is_refused(op):
    b, _ = login_as(op, "citizen")
    s, verifier, nonce, back = authorize(op, b, op.tax)
    hint = fetch_token(op, s, back, verifier)["id_token"]
    q = urllib.parse.urlencode({"id_token_hint": hint, "client_id": op.pw2["id"],
                                "post_logout_redirect_uri": op.pw2["bye"]})
    r = b.get("/oidc/logout?" + q)
    assert r.status == 400 and r.header("Location") is None
    assert not logged_out(b)
    assert audited(op, "bad id_token_hint")


def test_no_secret_reaches_the_log(op):
    log = op.stderr()
    for c in (op.public, op.tax, op.pw1, op.pw2):
        assert c["secret"] is None or c["secret"] not in log
    assert "PRIVATE KEY" not in log and "correct horse" not in log


# ---- the operator's registry ------------------------------------------------------------------

def test_registration_checks_uris_and_roles(op):
    operator = login_as(op, "operator")[0]
    bad = {"name_az": "x", "name_en": "x", "name_ru": "x", "agency": "vn", "redirect_uris": "http://evil.example/cb",
           "post_logout_uris": "", "backchannel_logout_uri": ""}
    r = operator.post("/operator/oidc-clients", bad)
    assert r.status == 400 and re.findall(r'id="([a-z_]+)"[^>]*aria-invalid="true"', r.text) == ["redirect_uris"]
    assert 'href="#redirect_uris"' in r.text                  # the error summary points at the field
    r = operator.post("/operator/oidc-clients", dict(bad, redirect_uris="https://tax.example/cb#frag"))
    assert r.status == 400
    r = operator.post("/operator/oidc-clients", dict(bad, redirect_uris="https://tax.example/cb", name_ru=""))
    assert r.status == 400 and re.findall(r'id="([a-z_]+)"[^>]*aria-invalid="true"', r.text) == ["name_ru"]
    r = operator.post("/operator/oidc-clients", dict(bad, redirect_uris="https://tax.example/cb",
                                                     backchannel_logout_uri="ftp://tax.example/bc"))
    assert re.findall(r'id="([a-z_]+)"[^>]*aria-invalid="true"', r.text) == ["backchannel_logout_uri"]
    r = operator.post("/operator/oidc-clients", dict(bad, redirect_uris="https://tax.example/cb", agency="nope"))
    assert re.findall(r'id="([a-z_]+)"[^>]*aria-invalid="true"', r.text) == ["agency"]
    citizen = login_as(op, "citizen")[0]
    assert citizen.get("/operator/oidc-clients").status == 403


def test_disabled_client_stops_at_once(op):
    operator = login_as(op, "operator")[0]
    c = register(op, operator, "short-lived", agency="vn")
    code, verifier, _ = code_for(op, c)
    page = operator.get("/operator/oidc-clients")
    assert c["id"] in page.text
    r = operator.post("/operator/oidc-clients/%s/disable" % c["id"], {}, from_page="/operator/oidc-clients")
    assert r.status == 303
    r = raw_token(op, {"grant_type": "authorization_code", "code": code, "redirect_uri": c["redirect"],
                       "code_verifier": verifier}, auth=(c["id"], c["secret"]))
    assert r.status == 401 and r.json()["error"] == "invalid_client"


# ---- the answers match docs/api/openapi.yaml ---------------------------------------------------

def test_answers_match_the_openapi_document(op, schemas):
    schemas.validate(op.api("/.well-known/openid-configuration").json(),
                     schemas.response_schema("/.well-known/openid-configuration", "get", 200))
    schemas.validate(op.api("/api/v1/oidc/jwks").json(), schemas.response_schema("/api/v1/oidc/jwks", "get", 200))
    b, _ = login_as(op, "citizen")
    s, verifier, nonce, back = authorize(op, b, op.tax)
    code = query_of(back)["code"]
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": op.tax["redirect"],
              "code_verifier": verifier}
    r = raw_token(op, fields, auth=(op.tax["id"], op.tax["secret"]))
    schemas.validate(r.json(), schemas.response_schema("/api/v1/oidc/token", "post", 200))
    access = r.json()["access_token"]
    r = syslib.request(op.port, "GET", "/api/v1/oidc/userinfo", headers={"Authorization": "Bearer " + access})
    schemas.validate(r.json(), schemas.response_schema("/api/v1/oidc/userinfo", "get", 200))
    r = syslib.request(op.port, "POST", "/api/v1/oidc/userinfo", body=urllib.parse.urlencode(
        {"access_token": access}).encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    schemas.validate(r.json(), schemas.response_schema("/api/v1/oidc/userinfo", "post", 200))
    r = raw_token(op, fields, auth=(op.tax["id"], op.tax["secret"]))
    schemas.validate(r.json(), schemas.response_schema("/api/v1/oidc/token", "post", 400))
    r = raw_token(op, fields, auth=(op.tax["id"], "wrong"))
    schemas.validate(r.json(), schemas.response_schema("/api/v1/oidc/token", "post", 401))


@pytest.mark.once
def test_without_an_issuer_the_provider_is_absent(server):
    for path in ("/.well-known/openid-configuration", "/api/v1/oidc/jwks", "/oidc/authorize"):
        assert server.get(path).status == 404


# ---- the example agency site (`pencere example-rp`, written with our own code) ---------------

class _At:
    def __init__(self, port):
        self.port = port


@pytest.fixture(scope="module")
def site(op, tmp_path_factory):
    """The example agency site, registered by the operator, as its own process."""
    work = str(tmp_path_factory.mktemp("example-rp"))
    port = syslib.free_port()
    base = "http://127.0.0.1:%d" % port
    operator = login_as(op, "operator")[0]
    r = operator.post("/operator/oidc-clients", {
        "name_az": "Vergi kabineti", "name_en": "Tax cabinet", "name_ru": "Налоговый кабинет", "agency": "vn",
        "redirect_uris": base + "/callback", "post_logout_uris": base + "/",
        "backchannel_logout_uri": base + "/backchannel-logout", "confidential": "1", "pairwise": "1"})
    cid = re.search(r'id="client-id">([^<]+)<', r.text).group(1)
    secret_file = os.path.join(work, "secret")
    with open(secret_file, "w") as f:
        f.write(re.search(r'id="client-secret">([^<]+)<', r.text).group(1) + "\n")
    err = open(os.path.join(work, "stderr.log"), "wb")
    proc = subprocess.Popen([syslib.BIN, "example-rp", "--listen", "127.0.0.1:%d" % port, "--issuer", op.issuer,
                             "--client-id", cid, "--client-secret-file", secret_file],
                            stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + syslib.START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if syslib.request(port, "GET", "/", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.05)
    yield _At(port)
    proc.terminate()
    assert proc.wait(timeout=syslib.STOP_TIMEOUT) == 0
    err.close()
    log = open(os.path.join(work, "stderr.log"), errors="replace").read()
    assert not syslib.sanitizer_findings(log), log[-3000:]
    assert secret_file not in log and open(secret_file).read().strip() not in log   # never logged


def sign_in_at_site(op, site, portal, citizen_browser_consents=True):
    at = Browser(site)
    to_portal = location(at.get("/login"))
    assert to_portal.startswith(op.issuer + "/oidc/authorize?")
    r = portal.get(path_of(to_portal))
    if r.status == 200:
        form = re.search(r'action="(/oidc/continue/[^"]+)"', r.text).group(1)
        back = continue_url(portal.post(form, {"decision": "allow"}, from_page=path_of(to_portal)))
    else:
        back = location(r)
    home = location(at.get(path_of(back)))
    assert home == "/"
    return at


def test_example_site_signs_in_without_a_second_registration_and_out_with_the_portal(op, site):
    portal, citizen = login_as(op, "citizen")
    at = sign_in_at_site(op, site, portal)
    page = at.get("/")
    assert 'id="logout"' in page.text and 'id="acr">code_password<' in page.text
    sub = re.search(r'id="sub">([^<]+)<', page.text).group(1)
    assert sub != citizen["fin"]              # a pairwise subject for the tax ministry
    assert 'id="who">' in page.text
    # leaving the portal logs the person out of the site (back-channel)
    portal.post("/logout", {}, from_page="/account")
    deadline = time.monotonic() + 10
    while 'id="login"' not in at.get("/").text:
        assert time.monotonic() < deadline, "the site did not hear of the logout"
        time.sleep(0.05)


def test_example_site_logout_ends_the_portal_session(op, site):
    portal, _ = login_as(op, "citizen")
    at = sign_in_at_site(op, site, portal)
    to_portal = location(at.get("/logout"))
    assert to_portal.startswith(op.issuer + "/oidc/logout?id_token_hint=")
    back = location(portal.get(path_of(to_portal)))
    assert back == "http://127.0.0.1:%d/" % site.port
    assert logged_out(portal)
    assert 'id="login"' in at.get("/").text


def test_example_site_refuses_a_callback_it_did_not_start(op, site):
    at = Browser(site)
    r = at.get("/callback?code=abc&state=made-up")
    assert r.status == 400 and "state" in r.text
    r = syslib.request(site.port, "POST", "/backchannel-logout", body=b"logout_token=e30.e30.AAAA",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 400


# ---- the signing keys certified by our certification centre -----------------------------------

def test_signing_keys_are_certified_by_our_ca(tmp_path):
    from cryptography import x509
    from test_pki_support import CA, openssl
    ca = CA(str(tmp_path / "ca"))
    ca.start()
    srv = None
    try:
        secret = tmp_path / "ca-secret"
        secret.write_text(ca.secret + "\n")
        srv = PortalWithOidc(str(tmp_path / "portal"), extra=[
            "--oidc-ca-url", ca.url(""), "--oidc-ca-secret-file", str(secret), "--oidc-ca-voen", "1400057421",
            "--oidc-ca-org", "Rəqəmsal İnkişaf Agentliyi"])
        srv.passfile = str(tmp_path / "pass")
        open(srv.passfile, "w").write("another long passphrase\n")
        srv.start()
        key = srv.api("/api/v1/oidc/jwks").json()["keys"][0]
        chain = [base64.b64decode(c) for c in key["x5c"]]
        assert len(chain) >= 2                                   # the key's certificate, then the CA's
        cert = x509.load_der_x509_certificate(chain[0])
        pub = cert.public_key().public_numbers()
        b64 = lambda n: base64.urlsafe_b64encode(n.to_bytes(32, "big")).decode().rstrip("=")
        assert (b64(pub.x), b64(pub.y)) == (key["x"], key["y"])   # the certificate is the JWK's key's
        pem = tmp_path / "key.pem"
        pem.write_bytes(b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(chain[0]) + b"-----END CERTIFICATE-----\n")
        r = openssl("verify", "-CAfile", ca.root, "-untrusted", ca.issuer, str(pem), check=False)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "1400057421" in cert.subject.rfc4514_string()
        # the CA recorded it like any certificate: for the operator, by the portal's client
        assert ca.cli("list", "--voen", "1400057421").stdout.count("member-sign") == 1
        assert ca.secret not in srv.stderr()
    finally:
        if srv:
            srv.close()
        ca.close()


def test_without_the_ca_no_uncertified_key_is_made(tmp_path):
    secret = tmp_path / "ca-secret"
    secret.write_text("00" * 32 + "\n")
    srv = PortalWithOidc(str(tmp_path / "portal"), extra=[
        "--oidc-ca-url", "http://127.0.0.1:%d" % syslib.free_port(), "--oidc-ca-secret-file", str(secret),
        "--oidc-ca-voen", "1400057421", "--oidc-ca-org", "Rəqəmsal İnkişaf Agentliyi"])
    srv.passfile = str(tmp_path / "pass")
    open(srv.passfile, "w").write("another long passphrase\n")
    try:
        srv.start()                                            # the portal itself runs
        assert srv.get("/").status == 200
        r = srv.api("/api/v1/oidc/jwks")
        assert r.status == 503 and r.json()["type"].endswith("/unavailable")
        assert "oidc.keys_not_ready" in srv.stderr()
    finally:
        srv.close()


# ---- rotating the keys by hand -------------------------------------------------------------------

def test_rotating_keys_by_hand_with_overlap_and_after_a_compromise(tmp_path):
    srv = PortalWithOidc(str(tmp_path / "portal"))
    srv.passfile = str(tmp_path / "pass")
    open(srv.passfile, "w").write("the rotation passphrase\n")
    wrong = tmp_path / "wrong"
    wrong.write_text("not the rotation passphrase\n")

    def kids():
        return [k["kid"] for k in srv.api("/api/v1/oidc/jwks").json()["keys"]]

    def until(pred):
        deadline = time.monotonic() + 15
        while not pred(kids()):
            assert time.monotonic() < deadline, kids()
            time.sleep(0.2)
    try:
        srv.start()
        first = kids()
        assert len(first) == 1
        r = syslib.run_cli("admin", "oidc-rotate-keys", "--db", srv.db.url, "--passphrase-file", str(wrong))
        assert r.returncode == 1 and "does not open" in r.stderr
        r = syslib.run_cli("admin", "oidc-rotate-keys", "--db", srv.db.url, "--passphrase-file", srv.passfile)
        assert r.returncode == 0, r.stderr
        second = r.stdout.split()[3]
        until(lambda k: set(k) == {first[0], second})          # published beside the old one
        r = syslib.run_cli("admin", "oidc-rotate-keys", "--db", srv.db.url, "--passphrase-file", srv.passfile,
                           "--retire-old")
        assert r.returncode == 0, r.stderr
        third = r.stdout.split()[3]
        until(lambda k: k == [third])                           # the others withdrawn at once
        assert len(audit_details(srv, "oidc.key.create")) == 3
    finally:
        srv.close()
