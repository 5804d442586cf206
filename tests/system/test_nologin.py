"""Services that need no login do not ask for one (issue 10): a visitor
applies to the Central Election Commission's online appeal (level none in
the real catalogue, data/forms/msk-online-appeal.json) without an account,
gives a contact, gets the reference and an access code shown once, and
follows the case with them later (throttled like the login, the same
answer for a wrong code and an unknown reference); the officer sees the
case in the inbox like any other.  Services that need a login still refuse
a visitor, and the guest's session opens nothing else."""
import json
import os
import re

import pytest

import syslib
from test_applications import PNG, multipart
from test_identity import Browser

SERVICE = "msk-online-appeal"          # level none, with a form
LOGIN_SERVICE = "emdk-real-estate-extract"  # code-password, with a form
CODE_RE = re.compile(r'<strong class="code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>')


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("nologin"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    s = syslib.Server(os.path.join(work, "portal"), catalog=syslib.REAL_CATALOG, db=db)
    s.start()
    s.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    yield s
    s.close()


def login(srv, role, agency=None):
    a = [x for x in srv.accounts if x["role"] == role and (agency is None or x["agency"] == agency)][0]
    b = Browser(srv)
    b.login(a["login"], a["password"])
    return b


def page_post(b, url, fields):
    page = b.get(url)
    m = re.search(r'name="_version" value="(\d+)"', page.text)
    assert m, (url, page.status, page.text[:300])
    return b.post(url, dict(fields, _version=m.group(1)), from_page=url)


def file_post(b, url, files):
    """A page with a file question: multipart, its token in the address."""
    page = b.get(url)
    version = re.search(r'name="_version" value="(\d+)"', page.text).group(1)
    action = re.search(r'action="(%s\?csrf=[0-9a-f]+)"' % re.escape(url), page.text).group(1)
    body, ct = multipart({"_version": version}, files)
    return b._keep(syslib.request(b.server.port, "POST", action, body=body,
                                  headers=b._headers({"Content-Type": ct})))


def start_as_guest(srv):
    b = Browser(srv)
    start = b.get("/services/%s/start" % SERVICE)
    assert start.status == 200 and 'href="/services/%s/apply"' % SERVICE in start.text
    r = b.post("/services/%s/apply" % SERVICE, {}, from_page="/services/%s/apply" % SERVICE)
    assert r.status == 303, (r.status, r.text[:300])
    assert "pc_guest" in b.cookies and "pc_session" not in b.cookies
    m = re.match(r"/applications/([0-9a-f]{32})/page/topic$", r.header("Location"))
    assert m, r.header("Location")
    return b, "/applications/" + m.group(1)


def fill(b, base):
    assert page_post(b, base + "/page/topic", {"topic": "other"}).header("Location") == base + "/page/your-name"
    assert page_post(b, base + "/page/your-name", {"full_name": "Quliyev Anar Vaqif oğlu"}).status == 303
    r = page_post(b, base + "/page/appeal-text", {"appeal_text": "Seçki məntəqəsinin ünvanı saytda səhv yazılıb."})
    assert r.header("Location") == base + "/page/evidence"
    # files: a guest's go through the same checks and limits as anyone's
    r = file_post(b, base + "/page/evidence", {"evidence": ("a.png", b"MZ\x90\x00 not a picture" * 10, "image/png")})
    assert r.status == 400, r.status
    r = file_post(b, base + "/page/evidence", {"evidence": ("leaflet.png", PNG, "image/png")})
    assert r.status == 303 and r.header("Location") == base + "/page/reply-channel"
    assert page_post(b, base + "/page/reply-channel", {"reply_channel": "email"}).status == 303
    r = page_post(b, base + "/page/reply-email", {"reply_email": "anar@example.az"})
    assert r.status == 303 and r.header("Location") == base + "/check"


def submit(b, base, contact):
    return b.post(base + "/submit", {"contact": contact}, from_page=base + "/check")


def follow(srv, ref, code, b=None):
    b = b or Browser(srv)
    return b, b.post("/follow", {"reference": ref, "code": code}, from_page="/follow")


def test_a_service_of_level_none_asks_for_no_login(srv):
    b = Browser(srv)
    page = b.get("/services/%s/start" % SERVICE)
    assert 'href="/login?next=' not in page.text and 'href="/follow"' in page.text
    intro = b.get("/services/%s/apply" % SERVICE)
    assert intro.status == 200 and 'action="/services/%s/apply"' % SERVICE in intro.text
    assert 'name="csrf"' in intro.text
    # without the form's token: refused as any form post is
    r = b.post("/services/%s/apply" % SERVICE, {}, csrf=False)
    assert r.status == 403 and "pc_guest" not in b.cookies


def test_services_that_need_a_login_still_refuse_a_visitor(srv):
    b = Browser(srv)
    # (the start page of such a service has no form for a visitor: the token of another page)
    r = b.post("/services/%s/apply" % LOGIN_SERVICE, {}, from_page="/follow")
    assert r.status == 303 and r.header("Location").startswith("/login?next=")
    assert "pc_guest" not in b.cookies
    assert b.get("/services/%s/apply" % LOGIN_SERVICE).header("Location") == "/services/%s/start" % LOGIN_SERVICE
    # nor does a guest's session help: it has no level
    g, _ = start_as_guest(srv)
    r = g.post("/services/%s/apply" % LOGIN_SERVICE, {}, from_page="/services/%s/apply" % SERVICE)
    assert r.status == 303 and r.header("Location").startswith("/login?next=")
    # a guest's token is no page's session and no API token
    token = g.cookies["pc_guest"]
    as_session = syslib.request(srv.port, "GET", "/account", headers={"Cookie": "pc_session=" + token})
    assert as_session.status == 303 and as_session.header("Location").startswith("/login")
    api = syslib.request(srv.port, "GET", "/api/v1/applications", headers={"Authorization": "Bearer " + token})
    assert api.status == 401
    assert g.get("/applications").status == 303   # "my applications" is for accounts


def test_apply_without_login_then_follow_with_the_code(srv):
    b, base = start_as_guest(srv)
    fill(b, base)
    check = b.get(base + "/check")
    assert check.status == 200 and 'name="contact"' in check.text and "leaflet.png" in check.text
    # another visitor (or a guest of their own) does not see the draft
    assert Browser(srv).get(base + "/check").status == 303
    other, other_base = start_as_guest(srv)
    assert other.get(base + "/check").status == 404

    # a contact is needed and checked
    r = submit(b, base, "not an address")
    assert r.status == 400 and 'href="#contact"' in r.text and 'value="not an address"' in r.text
    r = submit(b, base, " 050 123-45-67 ")
    assert r.status == 200, (r.status, r.text[:300])
    ref = re.search(r'<strong class="code">(AZ-\d{4}-\d{8})</strong>', r.text).group(1)
    code = CODE_RE.search(r.text).group(1)
    assert "no-store" in r.header("Cache-Control")
    # the guest's session ends with the application: the code opens it from now on
    assert "pc_guest" not in b.cookies
    assert b.get("/applications/" + ref).status == 303

    # a wrong code and an unknown reference: the same answer
    _, wrong = follow(srv, ref, "AAAA-BBBB-CCCC-DDDD")
    _, unknown = follow(srv, "AZ-2000-99999999", code)
    assert wrong.status == unknown.status == 400
    said = lambda resp: re.search(r'<p class="error-message" id="reference-error">(.*?)</p>', resp.text).group(1)
    assert said(wrong) == said(unknown)
    _, empty = follow(srv, ref, "")
    assert empty.status == 400

    # the right code, as people type it: lower case, no dashes
    f, ok = follow(srv, " " + ref.lower() + " ", code.replace("-", "").lower())
    assert ok.status == 303 and ok.header("Location") == "/applications/" + ref
    seen = f.get("/applications/" + ref)
    assert seen.status == 200 and ref in seen.text and "Seçki məntəqəsinin" in seen.text
    # what the guest may not do: sign, or see anyone else's case
    assert f.get("/applications/%s/to-sign" % ref).status == 303

    # the officer's inbox shows it like any case, with the contact and no account
    officer = login(srv, "officer", "msk")
    assert ref in officer.get("/office").text
    case = officer.get("/office/cases/" + ref)
    assert case.status == 200 and "+994501234567" in case.text and "FİN" not in case.text
    for action, note in (("register", None), ("start_review", None), ("approve", "Ünvan düzəldildi.")):
        case = officer.get("/office/cases/" + ref)
        version = re.search(r'name="version" value="(\d+)"', case.text).group(1)
        fields = {"action": action, "version": version}
        if note:
            fields["note"] = note
        r = officer.post("/office/cases/%s/act" % ref, fields, from_page="/office/cases/" + ref)
        assert r.status == 303, (action, r.status)

    # the guest follows the decision and its document
    seen = f.get("/applications/" + ref)
    assert "Ünvan düzəldildi." in seen.text
    doc = f.get("/applications/%s/result" % ref)
    assert doc.status == 200 and "Ünvan düzəldildi." in doc.text
    # the code opens only its own case
    assert f.get(other_base + "/check").status == 404


def test_following_is_throttled_like_the_login(srv):
    b, base = start_as_guest(srv)
    fill(b, base)
    r = submit(b, base, "anar@example.az")
    ref = re.search(r'<strong class="code">(AZ-\d{4}-\d{8})</strong>', r.text).group(1)
    code = CODE_RE.search(r.text).group(1)
    statuses = []
    for _ in range(8):
        _, r = follow(srv, ref, "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
        statuses.append(r.status)
        if r.status == 429:
            assert int(r.header("Retry-After")) > 0
            break
    assert statuses[:5] == [400] * 5 and statuses[-1] == 429, statuses
    # the right code waits too: guessing from this address is slowed down
    _, r = follow(srv, ref, code)
    assert r.status == 429
