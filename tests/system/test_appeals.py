"""Appeal of a refusal (issue 17 item 6): the applicant appeals online
with reasons within the term (30 days from the refusal unless the service
says otherwise); the appeal is reviewed by a staff member other than the
officer who refused (the same officer is refused, in the API and on the
office page); the outcome — the refusal upheld, or the case back to
review — is in the history and notified; a refusal is appealed once; an
appeal after the term is refused with its own problem type and words.
Fixture form din-id-card; officer.din refuses, admin.din reviews."""
import json
import os
import re
import subprocess

from test_applications import GOOD, call, srv, token  # noqa: F401  (srv: the seeded portal of the module)
from test_identity import Browser


def account(srv, role, agency=None):
    return [a for a in srv.accounts if a["role"] == role and (agency is None or a["agency"] == agency)][0]


def sql(srv, query):
    """Read or change the database behind the server's back (the clock of a
    refusal, the messages queued): the rows, each a list of text."""
    if srv.db.kind == "sqlite":
        import sqlite3
        with sqlite3.connect(srv.db.url) as c:
            return [[str(v) for v in row] for row in c.execute(query).fetchall()]
    out = subprocess.run(["psql", srv.db.url, "-q", "-At", "-F", "\t", "-c", query], check=True, capture_output=True,
                         text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


_n = iter(range(10 ** 6))


def act(srv, ref, tok, action, note=None):
    st, app, _ = call(srv, "GET", "/api/v1/applications/" + ref, token=tok)
    assert st == 200, app
    body = {"action": action, "version": app["version"]}
    if note is not None:
        body["note"] = note
    return call(srv, "POST", "/api/v1/applications/%s/actions" % ref, body, tok)


def refused_case(srv):
    st, body, _ = call(srv, "POST", "/api/v1/applications", {"service": "din-id-card", "answers": GOOD},
                       token(srv, "citizen"), {"Idempotency-Key": "appeal-%06d-%d" % (next(_n), os.getpid())})
    assert st == 201, body
    ref = body["reference"]
    officer = token(srv, "officer", "din")
    for step in ("register", "start_review"):
        assert act(srv, ref, officer, step)[0] == 200
    st, body, _ = act(srv, ref, officer, "refuse", "Sənədlər natamamdır.")
    assert st == 200 and body["status"] == "refused", body
    return ref


def test_appeal_in_term_reviewed_by_another_officer(srv, schemas):
    ref = refused_case(srv)
    me = token(srv, "citizen")
    st, body, _ = act(srv, ref, me, "appeal")
    assert st == 422  # the reasons are required
    st, body, r = act(srv, ref, me, "appeal", "Bütün sənədləri təqdim etmişəm.")
    assert st == 200 and body["status"] == "appealed", body
    schemas.validate_ref(body, "ApplicationStep")
    # the officer who refused may not review it; the API says why
    st, body, _ = act(srv, ref, token(srv, "officer", "din"), "uphold_refusal", "Qərar qüvvədədir.")
    assert st == 403 and body["type"].endswith("/appeal-same-officer"), body
    # the officer's page says so and offers no review buttons
    off = Browser(srv)
    off.login(account(srv, "officer", "din")["login"], account(srv, "officer", "din")["password"])
    page = off.get("/office/cases/%s?lang=en" % ref).text
    assert "cannot review the appeal" in page and 'value="uphold_refusal"' not in page
    # another staff member of the agency grants it: back to review
    admin = token(srv, "agency_admin", "din")
    st, body, _ = act(srv, ref, admin, "grant_appeal", "Sənədlər tamdır, yenidən baxılsın.")
    assert st == 200 and body["status"] == "in_review", body
    assert [h["action"] for h in body["history"]][-2:] == ["appeal", "grant_appeal"]
    # refused again: a new refusal may be appealed; the review upholds it this time
    assert act(srv, ref, token(srv, "officer", "din"), "refuse", "İkinci baxış: imtina.")[0] == 200
    assert act(srv, ref, me, "appeal", "Yenə razı deyiləm.")[0] == 200
    st, body, _ = act(srv, ref, admin, "uphold_refusal", "İmtina qüvvədə qalır.")
    assert st == 200 and body["status"] == "refused"
    assert body["history"][-1]["note"] == "İmtina qüvvədə qalır."
    # the applicant was told each time: the appeal received, granted, the refusal upheld with its reason
    payloads = [json.loads(p) for (p,) in sql(srv, "SELECT payload FROM outbox WHERE payload LIKE '%%%s%%'"
                                                   " ORDER BY created_at, id" % ref)]
    assert any(p.get("reason") == "İmtina qüvvədə qalır." for p in payloads), payloads
    assert sum(1 for p in payloads if p.get("status") in ("şikayətinizə baxılır", "your appeal is being reviewed",
                                                           "ваша жалоба рассматривается")) == 2, payloads
    # an upheld refusal is not appealed twice
    st, body, _ = act(srv, ref, me, "appeal", "Üçüncü dəfə.")
    assert st == 403 and body["type"].endswith("/step-not-allowed"), body


def test_appeal_on_the_citizens_page(srv):
    ref = refused_case(srv)
    me = Browser(srv)
    me.login(account(srv, "citizen")["login"], account(srv, "citizen")["password"])
    page = me.get("/applications/%s?lang=en" % ref)
    assert 'action="/applications/%s/appeal"' % ref in page.text and "You can appeal against the refusal until" in page.text
    version = re.search(r'action="/applications/%s/appeal">.*?name="version" value="(\d+)"' % ref, page.text, re.S).group(1)
    r = me.post("/applications/%s/appeal" % ref, {"version": version, "note": "Səhv qərardır."},
                from_page="/applications/" + ref)
    assert r.status == 303
    page = me.get("/applications/%s?lang=en" % ref).text
    assert "Appeal under review" in page and "/appeal\"" not in page


def test_an_appeal_after_the_term_is_refused_with_a_clear_message(srv):
    ref = refused_case(srv)
    me = token(srv, "citizen")
    # the refusal was 31 days ago
    sql(srv, "UPDATE applications SET decided_at = decided_at - %d WHERE reference = '%s'" % (31 * 86400, ref))
    st, body, _ = act(srv, ref, me, "appeal", "Gec də olsa.")
    assert st == 403 and body["type"].endswith("/appeal-term-over"), body
    b = Browser(srv)
    b.login(account(srv, "citizen")["login"], account(srv, "citizen")["password"])
    page = b.get("/applications/%s?lang=en" % ref).text
    assert "The term to appeal against this refusal is over" in page and "/appeal\"" not in page
    st, app, _ = call(srv, "GET", "/api/v1/applications/" + ref, token=me)
    r = b.post("/applications/%s/appeal" % ref, {"version": str(app["version"]), "note": "Gec."},
               from_page="/applications/" + ref)
    assert r.status == 403 and "The term to appeal against this refusal is over" in b.get(
        "/applications/%s?lang=en" % ref).text
    r = b.post("/applications/%s/appeal?lang=en" % ref, {"version": str(app["version"]), "note": "Gec."},
               from_page="/applications/" + ref)
    assert r.status == 403 and "term to appeal" in r.text
    # the day before the term ends it is still possible
    sql(srv, "UPDATE applications SET decided_at = decided_at + %d WHERE reference = '%s'" % (2 * 86400, ref))
    assert act(srv, ref, me, "appeal", "Vaxtında.")[0] == 200


def test_the_applicant_attaches_files_to_the_appeal(srv):
    """vemtas3: while the appeal is under review the applicant attaches
    documents (the upload limits and content checks, at most 5); the
    reviewer and the applicant download them; no one else does."""
    from test_applications import PNG, multipart
    ref = refused_case(srv)
    me = token(srv, "citizen")
    citizen = Browser(srv)
    citizen.login(account(srv, "citizen")["login"], account(srv, "citizen")["password"])
    # no form before the appeal
    assert "/appeal/files" not in citizen.get("/applications/%s?lang=en" % ref).text
    assert act(srv, ref, me, "appeal", "Sənədlər əlavədədir.")[0] == 200
    page = citizen.get("/applications/%s?lang=en" % ref).text
    action = re.search(r'action="(/applications/%s/appeal/files\?csrf=[0-9a-f]+)"' % ref, page).group(1)
    assert "Add documents that support your appeal" in page

    def send(files, path=action, b=citizen):
        body, ct = multipart({}, {"files%d" % i if i else "files": f for i, f in enumerate(files)})
        return syslib_request(srv, "POST", path + ("&" if "?" in path else "?") + "lang=en", body,
                              dict(b._headers(), **{"Content-Type": ct}))

    assert send([("a.png", PNG, "image/png")], path="/applications/%s/appeal/files" % ref).status == 403  # no token
    r = send([("x.png", b"MZ\x90\x00 not a picture" * 20, "image/png")])
    assert r.status == 415 and "The documents were not attached" in r.text
    r = send([("f%d.png" % i, PNG, "image/png") for i in range(6)])
    assert r.status == 413 and "at most 5 files" in r.text
    doc = PNG + b"appeal"   # a PNG with bytes after its end: another file
    r = send([("arayış.png", doc, "image/png")])
    assert r.status == 303 and r.header("Location") == "/applications/%s#appeal-files" % ref, r.text[:500]
    page = citizen.get("/applications/%s?lang=en" % ref).text
    link = re.search(r'href="(/applications/%s/appeal-files/([0-9a-f]{64}))" download>arayış.png<' % ref, page)
    assert link, page
    assert citizen.get(link.group(1)).body == doc
    # the reviewer sees and downloads it; someone else's citizen does not
    admin = Browser(srv)
    admin.login(account(srv, "agency_admin", "din")["login"], account(srv, "agency_admin", "din")["password"])
    office = admin.get("/office/cases/%s?lang=en" % ref).text
    assert "/office/cases/%s/appeal-files/%s" % (ref, link.group(2)) in office and "Documents for the appeal" in office
    assert admin.get("/office/cases/%s/appeal-files/%s" % (ref, link.group(2))).body == doc
    assert admin.get("/office/cases/%s/appeal-files/%s" % (ref, "0" * 64)).status == 404
    other = Browser(srv)
    other.login([a for a in srv.accounts if a["role"] == "citizen"][1]["login"],
                [a for a in srv.accounts if a["role"] == "citizen"][1]["password"])
    assert other.get(link.group(1)).status == 404
    # the limit counts what is attached already
    assert send([("f%d.png" % i, PNG, "image/png") for i in range(5)]).status == 413
    # decided: no more files
    assert act(srv, ref, token(srv, "agency_admin", "din"), "uphold_refusal", "Qüvvədədir.")[0] == 200
    page = citizen.get("/applications/%s?lang=en" % ref).text
    assert "/appeal/files" not in page and link.group(1) in page
    assert send([("late.png", PNG, "image/png")]).status == 409


def syslib_request(srv, method, path, body, headers):
    import syslib
    return syslib.request(srv.port, method, path, body=body, headers=headers)
