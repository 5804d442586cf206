"""The application flow in HTML (no JavaScript), end to end: a citizen
starts from the service page, answers one page at a time with errors
shown and kept, adds family members, checks the answers, sends, gets a
reference; an officer of the right agency finds the case in the inbox and
decides; the citizen sees the decision.  Fixture form din-id-card."""
import json
import os
import re

import pytest

import syslib
from test_identity import Browser


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("apply-html"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    s = syslib.Server(work, db=db)
    s.start()
    s.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    yield s
    s.close()


def login(srv, role, agency=None, index=0):
    a = [x for x in srv.accounts if x["role"] == role and (agency is None or x["agency"] == agency)][index]
    b = Browser(srv)
    b.login(a["login"], a["password"])
    return b


def h1(resp):
    return re.search(r"<h1>(.*?)</h1>", resp.text, re.S).group(1)


def page_post(b, url, fields):
    """Post a page of the flow with the draft version the page shows."""
    page = b.get(url)
    m = re.search(r'name="_version" value="(\d+)"', page.text)
    assert m, (url, page.status)
    return b.post(url, dict(fields, _version=m.group(1)), from_page=url)


def errors(resp):
    return re.findall(r'<li><a href="#([^"]+)">', resp.text)


def test_anonymous_start_page_asks_to_log_in(srv):
    page = Browser(srv).get("/services/din-id-card/start")
    assert page.status == 200
    assert 'href="/login?next=/services/din-id-card/start"' in page.text
    # a service without an electronic form says so
    assert "/apply" not in Browser(srv).get("/services/din-fine-check/start").text


def test_whole_flow_citizen_then_officer(srv):
    b = login(srv, "citizen")
    start = b.get("/services/din-id-card/start")
    assert 'action="/services/din-id-card/apply"' in start.text
    r = b.post("/services/din-id-card/apply", {}, from_page="/services/din-id-card/start")
    assert r.status == 303
    page_url = r.header("Location")
    m = re.match(r"/applications/([0-9a-f]{32})/page/reason", page_url)
    assert m, page_url
    draft = m.group(1)
    base = "/applications/" + draft

    # nothing chosen: an error summary linking to the field, status 400
    p = b.get(page_url)
    assert p.status == 200 and "Step 1" not in p.text  # Azerbaijani by default
    r = page_post(b, page_url, {})
    assert r.status == 400 and errors(r) == ["reason-0"]
    assert "Problem var" in r.text

    r = page_post(b, page_url, {"reason": "lost"})
    assert r.status == 303 and r.header("Location") == base + "/page/police"
    # a too-short report number is refused and what was typed is kept
    r = page_post(b, base + "/page/police", {"police_report": "ab"})
    assert r.status == 400 and errors(r) == ["police_report"] and 'value="ab"' in r.text
    r = page_post(b, base + "/page/police", {"police_report": "PR-77"})
    assert r.header("Location") == base + "/page/contact"

    # the phone is filled in from the person's record
    contact = b.get(base + "/page/contact")
    assert re.search(r'name="phone" type="tel" value="\+994\d{9}"', contact.text)
    r = page_post(b, base + "/page/contact", {"phone": "+994501112233", "birth_date": "31.12.1990",
                                        "children": "two"})
    assert r.status == 400 and set(errors(r)) == {"birth_date", "children"}
    r = page_post(b, base + "/page/contact", {"phone": "+994501112233", "birth_date": "1990-12-31",
                                        "children": "2"})
    assert r.header("Location") == base + "/page/family"

    # family members: add, fill, add, remove
    r = page_post(b, base + "/page/family", {"_add": "members"})
    assert r.status == 200 and 'name="members[0].fin"' in r.text
    r = page_post(b, base + "/page/family", {"members[0].fin": "5abc12d", "members[0].name": "Əli Məmmədov",
                                       "_add": "members"})
    assert 'name="members[1].fin"' in r.text and 'value="5ABC12D"' in r.text
    r = page_post(b, base + "/page/family", {"members[0].fin": "5ABC12D", "members[0].name": "Əli Məmmədov",
                                       "members[1].fin": "", "members[1].name": "", "_remove": "members:1"},)
    assert 'name="members[1].fin"' not in r.text
    r = page_post(b, base + "/page/family", {"members[0].fin": "5ABC12D", "members[0].name": "Əli Məmmədov"},)
    assert r.status == 303 and r.header("Location") == base + "/check"

    # the draft is saved: another device (a new login) continues where it was
    other = login(srv, "citizen")
    check = other.get(base + "/check")
    assert check.status == 200 and "PR-77" in check.text and "Əli Məmmədov" in check.text
    assert 'href="%s/page/police"' % base in check.text  # change links
    # someone else's draft is not found
    assert login(srv, "citizen", index=1).get(base + "/check").status == 404

    r = other.post(base + "/submit", {}, from_page=base + "/check")
    assert r.status == 303
    conf_url = r.header("Location")
    ref = re.match(r"/applications/(AZ-\d{4}-\d{8})\?sent=1", conf_url).group(1)
    conf = other.get(conf_url)
    assert ref in conf.text and "15" in conf.text  # what happens next
    # a second click on "send" does not make a second application
    again = other.post(base + "/submit", {}, from_page=conf_url)
    assert again.status == 303 and ref in again.header("Location")
    mine = other.get("/applications")
    assert mine.text.count(ref) >= 1

    # the officer of the agency finds it and acts
    officer = login(srv, "officer", "din")
    inbox = officer.get("/office")
    assert inbox.status == 200 and ref in inbox.text
    case = officer.get("/office/cases/" + ref)
    assert case.status == 200 and "PR-77" in case.text
    version = re.search(r'name="version" value="(\d+)"', case.text).group(1)
    r = officer.post("/office/cases/%s/act" % ref, {"action": "register", "version": version},
                     from_page="/office/cases/" + ref)
    assert r.status == 303
    # the same (stale) form sent again: a clear conflict, nothing changes
    stale = officer.post("/office/cases/%s/act" % ref, {"action": "start_review", "version": version},
                         from_page="/office/cases/" + ref)
    assert stale.status == 409
    case = officer.get("/office/cases/" + ref)
    version = re.search(r'name="version" value="(\d+)"', case.text).group(1)
    officer.post("/office/cases/%s/act" % ref, {"action": "start_review", "version": version}, from_page="/office/cases/" + ref)
    case = officer.get("/office/cases/" + ref)
    version = re.search(r'name="version" value="(\d+)"', case.text).group(1)
    r = officer.post("/office/cases/%s/act" % ref, {"action": "refuse", "version": version, "note": ""},
                     from_page="/office/cases/" + ref)
    assert r.status == 400   # a refusal needs its reason
    r = officer.post("/office/cases/%s/act" % ref, {"action": "approve", "version": version,
                                                    "note": "Sənədlər qaydasındadır."}, from_page="/office/cases/" + ref)
    assert r.status == 303

    seen = other.get("/applications/" + ref)
    assert "Sənədlər qaydasındadır." in seen.text and "Təsdiq edilib" in seen.text
    doc = other.get("/applications/%s/result" % ref)
    assert doc.status == 200 and "Sənədlər qaydasındadır." in doc.text
    fp = re.search(r'<code class="key">([0-9a-f]{64})</code>', doc.text).group(1)
    assert fp in other.get("/applications/%s/result" % ref).text  # the same document, the same fingerprint
    assert login(srv, "citizen", index=1).get("/applications/%s/result" % ref).status == 404

    # officers of another agency, and citizens, see nothing of it
    assert login(srv, "officer", "eesmn").get("/office/cases/" + ref).status == 404
    assert login(srv, "citizen", index=1).get("/applications/" + ref).status == 404
    assert login(srv, "citizen").get("/office").status == 403
    assert login(srv, "registrar").get("/office").status == 403


def test_request_for_information_and_answer(srv):
    b = login(srv, "citizen", index=1)
    r = b.post("/services/din-id-card/apply", {}, from_page="/services/din-id-card/start")
    base = r.header("Location").rsplit("/page/", 1)[0]
    steps = [("reason", {"reason": "expired"}),
             ("contact", {"phone": "+994551234567", "birth_date": "1985-01-02"}),
             ("family", {})]
    version = 1
    for page, fields in steps:
        r = page_post(b, base + "/page/" + page, fields)
        assert r.status == 303, (page, r.status, errors(r))
        version += 1
    r = b.post(base + "/submit", {}, from_page=base + "/check")
    ref = re.search(r"(AZ-\d{4}-\d{8})", r.header("Location")).group(1)
    officer = login(srv, "officer", "din")
    for action, note in (("register", None), ("request_info", "Şəklinizi göndərin.")):
        case = officer.get("/office/cases/" + ref)
        v = re.search(r'name="version" value="(\d+)"', case.text).group(1)
        fields = {"action": action, "version": v}
        if note:
            fields["note"] = note
        assert officer.post("/office/cases/%s/act" % ref, fields, from_page="/office/cases/" + ref).status == 303
    page = b.get("/applications/" + ref)
    assert "Şəklinizi göndərin." in page.text and 'action="/applications/%s/respond"' % ref in page.text
    v = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    r = b.post("/applications/%s/respond" % ref, {"version": v, "note": "Şəkli mərkəzə gətirəcəyəm."},
               from_page="/applications/" + ref)
    assert r.status == 303
    assert "Cavab verilib" in b.get("/applications/" + ref).text
    assert b.get("/applications/%s/result" % ref).status == 404  # no decision yet


def test_pages_of_a_hidden_branch_are_not_served(srv):
    b = login(srv, "citizen")
    r = b.post("/services/din-id-card/apply", {}, from_page="/services/din-id-card/start")
    base = r.header("Location").rsplit("/page/", 1)[0]
    page_post(b, base + "/page/reason", {"reason": "expired"})
    assert b.get(base + "/page/police").status == 404
    assert b.get(base + "/page/nonsense").status == 404
    # a forged field for another page is ignored by this page's form, and the
    # whole-form check refuses answers that do not belong
    r = page_post(b, base + "/page/contact", {"phone": "+994551234567", "birth_date": "1985-01-02",
                                        "police_report": "forged"})
    assert r.status == 303
    assert "forged" not in b.get(base + "/check").text


def test_file_question_uploads_in_the_page(srv):
    from test_applications import PNG, multipart
    b = login(srv, "citizen", index=1)
    r = b.post("/services/din-id-card/apply", {}, from_page="/services/din-id-card/start")
    base = r.header("Location").rsplit("/page/", 1)[0]
    page_post(b, base + "/page/reason", {"reason": "expired"})
    contact = b.get(base + "/page/contact")
    assert 'enctype="multipart/form-data"' in contact.text and 'type="file"' in contact.text
    # the form's token travels in its address: it is checked before the files are read
    action = re.search(r'action="(%s/page/contact\?csrf=[0-9a-f]+)"' % base, contact.text).group(1)
    version = re.search(r'name="_version" value="(\d+)"', contact.text).group(1)
    fields = {"_version": version, "phone": "+994551234567", "birth_date": "1985-01-02"}
    # a program dressed up as a photo is refused by its content
    body, ct = multipart(fields, {"photo": ("photo.png", b"MZ\x90\x00 not a picture at all" * 20, "image/png")})
    r = syslib.request(srv.port, "POST", action, body=body, headers=dict(b._headers(), **{"Content-Type": ct}))
    assert r.status == 400 and 'href="#photo"' in r.text
    body, ct = multipart(fields, {"photo": ("photo.png", PNG, "image/png")})
    r = syslib.request(srv.port, "POST", action, body=body, headers=dict(b._headers(), **{"Content-Type": ct}))
    assert r.status == 303, r.text[:300]
    again = b.get(base + "/page/contact")
    assert "photo.png" in again.text   # the uploaded file is shown, and kept if none is chosen
    page_post(b, base + "/page/family", {})
    check = b.get(base + "/check")
    link = re.search(r'href="(%s/files/[0-9a-f]{64})"' % base, check.text).group(1)
    f = b.get(link)
    assert f.status == 200 and f.body == PNG
