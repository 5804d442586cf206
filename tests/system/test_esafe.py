"""The e-safe (issue 14 item 4) over HTTP: a decided application's
decision and the owner's uploads in one place, search and kinds, every
refusal (another citizen's document, staff, a wrong or oversized upload,
deleting what an agency put there), sharing with a bank by a code (the
limit of openings, revoked and expired shares, wrong codes throttled) and
every opening shown to the owner and in their data tracker; the company's
e-safe for its representative; the pages without JavaScript.  Uses the
seeded server of test_applications (its fixture form din-id-card)."""
import json
import re

import syslib
from test_applications import GOOD, call, multipart, submit, token
from test_applications import srv  # noqa: F401  (the fixture: a seeded server of this module's own)
from test_identity import Browser
from test_payments import env  # noqa: F401  (payments' server with the provider's emulator)
from test_uploads import sql

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def put(srv, tok, title, data=PDF, name="diploma.pdf", ctype="application/pdf"):
    fields = {"title": title} if title is not None else {}
    body, ct = multipart(fields, {"file": (name, data, ctype)})
    r = syslib.request(srv.port, "POST", "/api/v1/esafe/documents", body=body,
                       headers={"Content-Type": ct, "Authorization": "Bearer " + tok})
    return r.status, (r.json() if r.body else {})


def get(srv, path, tok=None):
    h = {"Authorization": "Bearer " + tok} if tok else {}
    return syslib.request(srv.port, "GET", path, headers=h)


def decided(srv, tok):
    """A din-id-card application of tok's, approved: its reference."""
    st, body, _ = submit(srv, GOOD, tok)
    assert st == 201, body
    ref, v, off = body["reference"], body["version"], token(srv, "officer", "din")
    for action, note in (("register", None), ("start_review", None), ("approve", "Sənədlər qaydasındadır.")):
        st, a, _ = call(srv, "POST", "/api/v1/applications/%s/actions" % ref,
                        dict({"action": action, "version": v}, **({"note": note} if note else {})), off)
        assert st == 200, a
        v = a["version"]
    return ref


def docs(srv, tok, query=""):
    r = get(srv, "/api/v1/esafe/documents" + query, tok)
    assert r.status == 200, r.text
    return r.json()["items"]


def person(srv, role="citizen", index=0):
    a = [x for x in srv.accounts if x["role"] == role][index]
    b = Browser(srv)
    b.login(a["login"], a["password"])
    return b


def test_decision_and_upload_in_one_place(srv, schemas):
    tok = token(srv, "citizen")
    ref = decided(srv, tok)
    items = docs(srv, tok)
    decision = [d for d in items if d["kind"] == "decision" and d["source_ref"] == ref]
    assert len(decision) == 1 and ref in decision[0]["title"], items
    for d in items:
        schemas.validate_ref(d, "EsafeDocument")
    # gathered once: a second look adds nothing
    assert len(docs(srv, tok)) == len(items)
    r = get(srv, "/api/v1/esafe/documents/%s/content" % decision[0]["id"], tok)
    assert r.status == 200 and ref.encode() in r.body and "attachment" in r.header("Content-Disposition")
    st, up = put(srv, tok, "Bakalavr diplomu")
    assert st == 201 and up["kind"] == "upload" and up["content_type"] == "application/pdf", up
    schemas.validate_ref(up, "EsafeDocument")
    r = get(srv, "/api/v1/esafe/documents/%s/content" % up["id"], tok)
    assert r.status == 200 and r.body == PDF
    # search folds letters; kinds filter
    assert [d["id"] for d in docs(srv, tok, "?q=DIPLOM")] == [up["id"]]
    assert {d["kind"] for d in docs(srv, tok, "?kind=decision")} == {"decision"}
    assert get(srv, "/api/v1/esafe/documents?kind=diploma", tok).status == 400


def test_uploads_refused(srv):
    tok = token(srv, "citizen")
    st, body = put(srv, tok, "Not a PDF", b"MZ\x90\x00 an executable", "cv.pdf")
    assert st == 415 and body["type"].endswith("/file-type"), body
    st, body = put(srv, tok, "Too big", PDF + b"\0" * (20 * 1024 * 1024), "big.pdf")
    assert st == 413, body
    st, body = put(srv, tok, None)
    assert st == 400, body


def test_nobody_else_reaches_a_document(srv):
    mine = token(srv, "citizen")
    st, up = put(srv, mine, "Attestat")
    assert st == 201
    other = token(srv, "citizen", index=1)
    for path in ("/api/v1/esafe/documents/%s", "/api/v1/esafe/documents/%s/content"):
        assert get(srv, path % up["id"], other).status == 404
    assert call(srv, "POST", "/api/v1/esafe/documents/%s/delete" % up["id"], token=other)[0] == 404
    assert call(srv, "POST", "/api/v1/esafe/documents/%s/shares" % up["id"],
                {"recipient": "Bank", "purpose": "x"}, other)[0] == 404
    assert up["id"] not in [d["id"] for d in docs(srv, other)]
    assert person(srv, index=1).get("/esafe/documents/" + up["id"]).status == 404
    # staff have no e-safe at all; nobody without logging in
    officer = token(srv, "officer", "din")
    assert get(srv, "/api/v1/esafe/documents", officer).status == 403
    assert get(srv, "/api/v1/esafe/documents").status == 401
    assert Browser(srv).get("/esafe").status == 303


def test_only_own_uploads_are_deleted(srv):
    tok = token(srv, "citizen")
    ref = decided(srv, tok)
    decision = [d for d in docs(srv, tok, "?kind=decision") if d["source_ref"] == ref][0]
    delete = lambda doc: call(srv, "POST", "/api/v1/esafe/documents/%s/delete" % doc, token=tok)
    st, body, _ = delete(decision["id"])
    assert st == 403, body
    st, up = put(srv, tok, "Köhnə sənəd")
    st, body, _ = delete(up["id"])
    assert st == 200 and body == {"id": up["id"], "deleted": True}
    assert get(srv, "/api/v1/esafe/documents/" + up["id"], tok).status == 404
    assert delete(up["id"])[0] == 404


def share(srv, tok, doc, **kw):
    st, body, _ = call(srv, "POST", "/api/v1/esafe/documents/%s/shares" % doc,
                       dict({"recipient": "Kapital Bank", "purpose": "kredit"}, **kw), tok)
    assert st == 201, body
    return body


def open_share(srv, code, org="Kapital Bank"):
    r = syslib.request(srv.port, "POST", "/api/v1/esafe/open", headers={"Content-Type": "application/json"},
                       body=json.dumps({"code": code, "organisation": org}).encode())
    return r.status, (r.json() if "json" in (r.content_type or "") else {}), r


def test_a_bank_opens_a_shared_document_by_code(srv, schemas):
    tok = token(srv, "citizen")
    st, up = put(srv, tok, "Arayış: iş yeri")
    sh = share(srv, tok, up["id"], max_opens=1, days=3)
    schemas.validate_ref(sh, "EsafeShareCreated")
    assert len(sh["code"]) == 16 and sh["state"] == "open" and sh["code"] in sh["url"]
    # the code as a person types it: groups, small letters
    typed = "-".join(sh["code"][i:i + 4] for i in range(0, 16, 4)).lower()
    st, _, r = open_share(srv, typed)
    assert st == 200 and r.body == PDF
    # the limit of openings
    st, body, _ = open_share(srv, sh["code"])
    assert st == 410 and body["type"].endswith("/share-used_up"), body
    # revoked, expired: closed, nothing of the document in the answer
    sh2 = share(srv, tok, up["id"])
    assert call(srv, "POST", "/api/v1/esafe/shares/%s/revoke" % sh2["id"], token=tok)[:2] == (
        200, {"id": sh2["id"], "state": "revoked"})
    st, body, r = open_share(srv, sh2["code"])
    assert st == 410 and body["type"].endswith("/share-revoked") and b"PDF" not in r.body
    sh3 = share(srv, tok, up["id"])
    sql(srv, "UPDATE esafe_shares SET expires_at = 1 WHERE id = '%s'" % sh3["id"])
    st, body, _ = open_share(srv, sh3["code"])
    assert st == 410 and body["type"].endswith("/share-expired")
    # bad requests: no organisation, a wrong code
    assert open_share(srv, sh2["code"], org="")[0] == 400
    # the owner sees every opening; another citizen cannot revoke
    st, d, _ = call(srv, "GET", "/api/v1/esafe/documents/" + up["id"], token=tok)
    schemas.validate_ref(d, "EsafeDocumentDetail")
    assert [o["organisation"] for o in d["openings"]] == ["Kapital Bank"]
    assert d["openings"][0]["network"].endswith(".x")
    assert {s["state"] for s in d["shares"]} == {"used_up", "revoked", "expired"}
    assert call(srv, "POST", "/api/v1/esafe/shares/%s/revoke" % sh3["id"], token=token(srv, "citizen", index=1))[0] == 404
    # … and in the data tracker of "My data"
    page = person(srv).get("/account").text
    assert "Kapital Bank" in page and "kredit: Arayış: iş yeri" in page


def test_share_pages_without_javascript(srv):
    me = person(srv)
    tok = token(srv, "citizen")
    st, up = put(srv, tok, "Diplom (səhifə)")
    page = me.get("/esafe")
    assert page.status == 200 and "Diplom (səhifə)" in page.text
    r = me.post("/esafe/documents/%s/shares" % up["id"], {"recipient": "ABB", "purpose": "ipoteka", "days": "2",
                                                           "opens": "2"}, from_page="/esafe/documents/" + up["id"])
    assert r.status == 201, r.text[:500]
    m = re.search(r"/esafe/open\?code=([A-Z0-9]{16})", r.text)
    assert m, r.text[r.text.find("<main"):][:1500]
    code = m.group(1)
    bank = Browser(srv)
    form = bank.get("/esafe/open?code=" + code)
    assert form.status == 200 and code in form.text
    r = bank.post("/esafe/open", {"code": code, "organisation": "ABB"})
    assert r.status == 200 and r.body == PDF
    r = bank.post("/esafe/open", {"code": "AAAABBBBCCCCDDDD", "organisation": "ABB"})
    assert r.status == 404 and "AAAABBBBCCCCDDDD" in r.text
    # revoked from the document's page: the bank gets a clear page
    doc = me.get("/esafe/documents/" + up["id"]).text
    share_id = re.search(r'action="/esafe/shares/([0-9a-f]{32})/revoke"', doc).group(1)
    assert me.post("/esafe/shares/%s/revoke" % share_id, {"doc": up["id"]},
                   from_page="/esafe/documents/" + up["id"]).status == 303
    r = bank.post("/esafe/open", {"code": code, "organisation": "ABB"})
    assert r.status == 410 and b"PDF" not in r.body
    # one's own upload is deleted from its page; a decision has no delete button, and posting one is refused
    assert me.post("/esafe/documents/%s/delete" % up["id"], {},
                   from_page="/esafe/documents/" + up["id"]).status == 303
    assert me.get("/esafe/documents/" + up["id"]).status == 404
    ref = decided(srv, tok)
    dec = [d for d in docs(srv, tok, "?kind=decision") if d["source_ref"] == ref][0]
    page = me.get("/esafe/documents/" + dec["id"]).text
    assert "/delete" not in page
    r = me.post("/esafe/documents/%s/delete" % dec["id"], {}, from_page="/esafe/documents/" + dec["id"])
    assert r.status == 403 and dec["id"] in [d["id"] for d in docs(srv, tok)]


def test_a_company_has_its_own_esafe(srv):
    rep = person(srv, "representative")
    voen = re.findall(r'name="voen" value="(\d{10})"', rep.get("/account").text)[0]  # the demo's company
    assert rep.post("/account/act-for", {"voen": voen}, from_page="/account").status == 303
    page = rep.get("/esafe")
    assert page.status == 200 and voen in page.text
    r = rep.post("/esafe/folders", {"name": "Müqavilələr"}, from_page="/esafe")
    assert r.status == 303 and "folder=" in r.header("Location")
    assert "Müqavilələr" in rep.get("/esafe").text
    # the representative's own person's e-safe is not the company's
    assert rep.post("/account/act-for", {"voen": ""}, from_page="/account").status == 303
    assert "Müqavilələr" not in rep.get("/esafe").text


def test_wrong_codes_are_throttled(srv):
    sql(srv, "DELETE FROM esafe_attempts")  # the wrong codes of the tests before
    try:
        for i in range(10):
            assert open_share(srv, "WRONGCODE%07d" % i)[0] == 404
        st, body, _ = open_share(srv, "AAAABBBBCCCCDDDD")
        assert st == 429, body
    finally:
        sql(srv, "DELETE FROM esafe_attempts")


def test_a_paid_fee_leaves_its_receipt_in_the_esafe(env):
    """The receipt of a payment arrives as decisions do (test_payments' server and emulator)."""
    import test_payments as tp
    p = tp.start_payment(env, tp.application(env))
    st, body, _ = tp.callback(env, tp.event(p, "success"))
    assert st == 200 and body["outcome"] == "applied", body
    tok = tp.token(env, "citizen")
    receipts = [d for d in docs(env, tok, "?kind=receipt") if d["source_ref"] == p["id"]]
    assert len(receipts) == 1 and receipts[0]["content_type"] == "application/pdf", receipts
    r = get(env, "/api/v1/esafe/documents/%s/content" % receipts[0]["id"], tok)
    assert r.status == 200 and r.body.startswith(b"%PDF-")
    # gathered once, and never for another citizen
    assert len([d for d in docs(env, tok, "?kind=receipt") if d["source_ref"] == p["id"]]) == 1
    assert not [d for d in docs(env, tp.token(env, "citizen", index=1)) if d["source_ref"] == p["id"]]


def test_retention_and_folders_from_the_document_page(srv):
    me = person(srv, index=1)
    tok = token(srv, "citizen", index=1)
    st, up = put(srv, tok, "Sürücülük kursu sertifikatı")
    page = "/esafe/documents/" + up["id"]
    assert me.post(page + "/retention", {"until": "2001-01-01"}, from_page=page).status == 400
    assert me.post(page + "/retention", {"until": "tomorrow"}, from_page=page).status == 400
    assert me.post(page + "/retention", {"until": "2099-12-31"}, from_page=page).status == 303
    st, d, _ = call(srv, "GET", "/api/v1/esafe/documents/" + up["id"], token=tok)
    assert d["retain_until"] == "2099-12-31T23:59:59Z", d
    assert me.post(page + "/retention", {"until": ""}, from_page=page).status == 303
    assert call(srv, "GET", "/api/v1/esafe/documents/" + up["id"], token=tok)[1]["retain_until"] is None
    r = me.post("/esafe/folders", {"name": "Kurslar"}, from_page="/esafe")
    folder = r.header("Location").split("folder=")[1]
    assert me.post(page + "/move", {"folder": folder}, from_page=page).status == 303
    assert [d["id"] for d in docs(srv, tok, "?folder=" + folder)] == [up["id"]]
    # another citizen's folder is not a place for it
    other = person(srv)
    r = other.post("/esafe/folders", {"name": "Başqasının"}, from_page="/esafe")
    theirs = r.header("Location").split("folder=")[1]
    assert me.post(page + "/move", {"folder": theirs}, from_page=page).status == 404
    assert [d["id"] for d in docs(srv, tok, "?folder=" + folder)] == [up["id"]]
