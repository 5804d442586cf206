"""The register of information systems over HTTP: a body's officer drafts
a card, the operator returns it with remarks and registers it, a declared
change becomes version 2 while the public keeps seeing version 1, and a
de-registration is warned about exchange services; the public list,
search, CSV and statistics show only what was registered and never the
confidential fields; every role is refused what is not theirs; bad cards
get a 422 naming the member at fault.  The HTML pages: the public list in
three languages, a card and the operator's return with remarks without
JavaScript.  Answers are checked against docs/api/openapi.yaml."""
import csv
import io
import json
import os
import re

import pytest

import syslib
from test_applications import call
from test_apply_html import login

CARD = {
    "kind": "personal_data",
    "name": {"az": "Sürücülük vəsiqələri reyestri", "en": "Driving licence register", "ru": "Реестр водительских удостоверений"},
    "purpose": "Sürücülük vəsiqələrinin uçotu",
    "legal_basis": "«Yol hərəkəti haqqında» Qanun",
    "categories": ["identity", "biometric"],
    "uses_fin": True,
    "sources": "İmtahan mərkəzləri",
    "recipients": "Yol polisi",
    "services_offered": ["AZ/GOV/1500000002/iamas/licence"],
    "services_used": ["AZ/GOV/1400000001/population/person"],
    "portal_services": ["din-id-card"],
    "hosting": "Server room 3, rack B",
    "security": "Role-based access; encrypted backups",
    "responsible": "K. Hüseynov, +994 12 590 00 00",
    "started_on": "2014-03-01",
}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("isreg"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    s = syslib.Server(work, db=db)
    s.start()
    s.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    s.tokens = {}
    yield s
    s.close()


def token(srv, role, agency=None):
    key = (role, agency)
    if key not in srv.tokens:
        a = [x for x in srv.accounts if x["role"] == role and (agency is None or x["agency"] == agency)][0]
        st, body, _ = call(srv, "POST", "/api/v1/auth/password", {"login": a["login"], "password": a["password"]})
        assert st == 200, body
        srv.tokens[key] = body["token"]
    return srv.tokens[key]


def create(srv, ident, card=None, role=("officer", "din"), owner="din"):
    return call(srv, "POST", "/api/v1/information-systems", {"id": ident, "owner": owner, "card": card or CARD},
                token(srv, *role))


def public_ids(srv, query=""):
    st, body, _ = call(srv, "GET", "/api/v1/information-systems" + query)
    assert st == 200, body
    return [i["id"] for i in body["items"]]


def test_whole_life_of_a_card(srv, schemas):
    off, op = token(srv, "officer", "din"), token(srv, "operator")
    st, body, r = create(srv, "din-licences")
    assert st == 201, body
    assert r.header("Location") == "/api/v1/information-systems/din-licences"
    schemas.validate(body, schemas.response_schema("/api/v1/information-systems", "post", "201"))
    assert body["status"] == "draft" and body["card"]["hosting"] == CARD["hosting"]

    # a draft is nobody's business but its body's and the operator's
    assert "din-licences" not in public_ids(srv)
    assert call(srv, "GET", "/api/v1/information-systems/din-licences")[0] == 404
    assert call(srv, "GET", "/api/v1/information-systems/din-licences", token=token(srv, "officer", "eesmn"))[0] == 404
    assert call(srv, "GET", "/api/v1/information-systems/din-licences", token=op)[0] == 200

    assert call(srv, "POST", "/api/v1/information-systems/din-licences/submit", {}, off)[0] == 200
    # the operator returns it; remarks are required
    st, body, _ = call(srv, "POST", "/api/v1/information-systems/din-licences/return", {}, op)
    assert st == 400 and "remarks" in body["detail"]
    st, body, _ = call(srv, "POST", "/api/v1/information-systems/din-licences/return", {"remarks": "Name the legal act's article"}, op)
    assert st == 200 and body["status"] == "returned"
    # corrected and submitted again; the officer cannot register it
    card = dict(CARD, legal_basis="«Yol hərəkəti haqqında» Qanun, maddə 48")
    st, body, _ = call(srv, "POST", "/api/v1/information-systems/din-licences/card", card, off)
    assert st == 200 and body["card"]["version"] == 1
    assert call(srv, "POST", "/api/v1/information-systems/din-licences/submit", {}, off)[0] == 200
    assert call(srv, "POST", "/api/v1/information-systems/din-licences/register", {}, off)[0] == 403
    st, body, _ = call(srv, "POST", "/api/v1/information-systems/din-licences/register", {}, op)
    assert st == 200 and body["status"] == "registered"

    # public now, without the confidential fields
    st, body, _ = call(srv, "GET", "/api/v1/information-systems/din-licences")
    assert st == 200
    schemas.validate(body, schemas.response_schema("/api/v1/information-systems/{id}", "get", "200"))
    assert body["status"] == "registered" and body["card"]["legal_basis"].endswith("maddə 48")
    text = json.dumps(body, ensure_ascii=False)
    for secret in (CARD["hosting"], CARD["security"], CARD["responsible"]):
        assert secret not in text
    assert "decisions" not in body and "findings" not in body
    assert body["checks"]["portal"] == "pass" and body["checks"]["exchange"] == "unknown"
    assert "din-licences" in public_ids(srv)

    # a change declared now is version 2; the public keeps version 1 until it is registered
    card2 = dict(card, change_on=body["card"]["started_on"], change_note="Biometric photos added")
    card2["change_on"] = "2026-01-05"
    st, body, _ = call(srv, "POST", "/api/v1/information-systems/din-licences/card", card2, off)
    assert st == 200 and body["card"]["version"] == 2 and body["status"] == "draft"
    st, body, _ = call(srv, "GET", "/api/v1/information-systems/din-licences")
    assert body["card"]["version"] == 1 and body["status"] == "registered" and len(body["versions"]) == 1
    assert call(srv, "POST", "/api/v1/information-systems/din-licences/submit", {}, off)[0] == 200
    assert call(srv, "POST", "/api/v1/information-systems/din-licences/register", {}, op)[0] == 200
    st, body, _ = call(srv, "GET", "/api/v1/information-systems/din-licences")
    assert body["card"]["version"] == 2 and body["card"]["late_days"] > 0   # declared long after January
    assert body["checks"]["on_time"] == "fail" and body["compliance"] == "not_compliant"
    assert [v["status"] for v in body["versions"]] == ["registered", "superseded"]

    # staff see every decision, in order
    st, body, _ = call(srv, "GET", "/api/v1/information-systems/din-licences", token=op)
    assert [d["decision"] for d in body["decisions"]][::-1] == [
        "submitted", "returned", "submitted", "registered", "submitted", "registered"]

    # de-registration: warned about the exchange service it still offers
    st, body, _ = call(srv, "POST", "/api/v1/information-systems/din-licences/deregister",
                       {"stopped_on": "2026-11-30", "reason": "Merged into İAMAS"}, off)
    assert st == 409 and "AZ/GOV/1500000002/iamas/licence" in body["detail"]
    st, body, _ = call(srv, "POST", "/api/v1/information-systems/din-licences/deregister",
                       {"stopped_on": "2099-01-01", "reason": "x", "confirm": True}, off)
    assert st == 400
    st, body, _ = call(srv, "POST", "/api/v1/information-systems/din-licences/deregister",
                       {"stopped_on": "2026-11-30", "reason": "Merged into İAMAS", "confirm": True}, off)
    assert st == 200 and body["status"] == "deregistered"
    assert "din-licences" in public_ids(srv, "?status=deregistered")
    assert "din-licences" not in public_ids(srv, "?status=registered")
    assert call(srv, "POST", "/api/v1/information-systems/din-licences/card", card, off)[0] == 409


def test_roles_are_refused_what_is_not_theirs(srv):
    assert create(srv, "din-roles")[0] == 201
    # anonymous, a citizen, another body's officer: never
    st, body, r = call(srv, "POST", "/api/v1/information-systems", {"id": "x1", "owner": "din", "card": CARD})
    assert st == 401
    assert create(srv, "x2", role=("citizen",))[0] == 403
    assert create(srv, "x3", role=("officer", "eesmn"))[0] == 403
    other = token(srv, "officer", "eesmn")
    for path in ("/card", "/submit", "/deregister"):
        st, _, _ = call(srv, "POST", "/api/v1/information-systems/din-roles" + path, CARD if path == "/card" else {}, other)
        assert st in (400, 403), path
    assert call(srv, "POST", "/api/v1/information-systems/din-roles/submit", {}, other)[0] == 403
    # only the operator records known systems and findings
    off = token(srv, "officer", "din")
    assert call(srv, "POST", "/api/v1/information-systems/known",
                {"owner": "din", "name": "Old archive", "source": "inspection", "noted_on": "2026-01-10"}, off)[0] == 403
    st, body, _ = call(srv, "POST", "/api/v1/information-systems/known",
                       {"owner": "din", "name": "Old archive", "source": "inspection", "noted_on": "2026-01-10"},
                       token(srv, "operator"))
    assert st == 201 and len(body["id"]) == 32
    assert call(srv, "POST", "/api/v1/information-systems/din-roles/findings",
                {"text": "x", "follow_up_on": "2026-12-31"}, off)[0] == 403
    # the overdue list: staff and the operator only
    assert call(srv, "GET", "/api/v1/information-systems/overdue")[0] == 401
    assert call(srv, "GET", "/api/v1/information-systems/overdue", token=token(srv, "citizen"))[0] == 403
    assert call(srv, "GET", "/api/v1/information-systems/overdue", token=off)[0] == 200


@pytest.mark.parametrize("change,field", [
    ({"purpose": ""}, "purpose"),
    ({"change_on": "2099-01-01"}, "change_on"),
    ({"started_on": "2014-02-30"}, "started_on"),
    ({"kind": "resource"}, "kind"),
    ({"categories": ["identity", "dreams"]}, "data_categories"),
    ({"services_used": ["AZ/GOV/population"]}, "services_used"),
    ({"portal_services": ["x"] * 51}, "portal_services"),
    ({"surprise": 1}, "surprise"),
    ({"uses_fin": "yes"}, "uses_fin"),
    ({"name": {"az": ""}}, "name_az"),
])
def test_bad_cards_name_the_member_at_fault(srv, change, field):
    st, body, r = create(srv, "din-bad", dict(CARD, **change))
    assert st == 422, body
    assert r.header("Content-Type").startswith("application/problem+json")
    assert body["field"] == field, body


def test_bad_requests(srv):
    off = token(srv, "officer", "din")
    st, body, _ = call(srv, "POST", "/api/v1/information-systems", {"id": "Bad Id!", "owner": "din", "card": CARD}, off)
    assert st == 422
    assert call(srv, "POST", "/api/v1/information-systems", {"owner": "din"}, off)[0] == 400
    r = syslib.request(srv.port, "POST", "/api/v1/information-systems", body=b"{not json",
                       headers={"Content-Type": "application/json", "Authorization": "Bearer " + off})
    assert r.status == 400
    r = syslib.request(srv.port, "POST", "/api/v1/information-systems", body=b"x" * 70000,
                       headers={"Content-Type": "application/json", "Authorization": "Bearer " + off})
    assert r.status == 413
    assert create(srv, "din-twice")[0] == 201
    assert create(srv, "din-twice")[0] == 409
    assert call(srv, "POST", "/api/v1/information-systems/din-twice/frobnicate", {}, off)[0] == 404
    assert call(srv, "GET", "/api/v1/information-systems?status=sleeping")[0] == 400
    assert call(srv, "GET", "/api/v1/information-systems?limit=0")[0] == 400
    assert call(srv, "GET", "/api/v1/information-systems?cursor=x'%20OR%201=1")[0] == 400
    assert call(srv, "GET", "/api/v1/information-systems?q=" + "a" * 300)[0] == 400


def test_public_list_search_csv_and_statistics(srv, schemas):
    off, op = token(srv, "officer", "din"), token(srv, "operator")
    for ident, name in (("din-plates", "Nömrə nişanları sistemi"), ("din-weapons", "Silah icazələri")):
        card = dict(CARD, name={"az": name, "en": name, "ru": name}, services_offered=[])
        assert create(srv, ident, card)[0] == 201
        assert call(srv, "POST", "/api/v1/information-systems/%s/submit" % ident, {}, off)[0] == 200
        assert call(srv, "POST", "/api/v1/information-systems/%s/register" % ident, {}, op)[0] == 200
    st, body, _ = call(srv, "GET", "/api/v1/information-systems?q=NOMRE%20nisanlari")
    assert st == 200 and [i["id"] for i in body["items"]] == ["din-plates"]
    schemas.validate(body, schemas.response_schema("/api/v1/information-systems", "get", "200"))
    # paging: one at a time reaches every system once
    seen, cursor = [], None
    while True:
        st, body, _ = call(srv, "GET", "/api/v1/information-systems?limit=1" + ("&cursor=" + cursor if cursor else ""))
        seen += [i["id"] for i in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) and {"din-plates", "din-weapons"} <= set(seen)
    r = syslib.request(srv.port, "GET", "/api/v1/information-systems/export.csv")
    assert r.status == 200 and r.header("Content-Type").startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.body.decode())))
    assert {"din-plates", "din-weapons"} <= {row["id"] for row in rows}
    assert all(row["status"] in ("registered", "deregistered") for row in rows)
    st, body, _ = call(srv, "GET", "/api/v1/information-systems/stats")
    assert st == 200
    schemas.validate(body, schemas.response_schema("/api/v1/information-systems/stats", "get", "200"))
    din = [a for a in body["agencies"] if a["owner"] == "din"][0]
    assert din["registered"] >= 2 and din["known"] > din["registered"]
    t = body["totals"]
    assert t["unregistered"] == t["known"] - t["registered"]
    assert t["fine_min_azn"] == 300 * t["unregistered"] and t["fine_max_azn"] == 500 * t["unregistered"]


def test_pages_in_three_languages(srv):
    for lang, words in (("az", "İnformasiya sistemlərinin dövlət reyestri"), ("en", "State register of information systems"),
                        ("ru", "Государственный реестр информационных систем")):
        r = syslib.request(srv.port, "GET", "/information-systems?lang=" + lang)
        assert r.status == 200 and words in r.text and syslib.html_lang(r.text) == lang
        r = syslib.request(srv.port, "GET", "/information-systems/stats?lang=" + lang)
        assert r.status == 200 and "<svg" in r.text and "<table" in r.text
    assert syslib.request(srv.port, "GET", "/information-systems/no-such").status == 404
    assert syslib.request(srv.port, "GET", "/information-systems?status=nope").status == 400


def test_operator_returns_a_card_in_html(srv):
    off = token(srv, "officer", "din")
    assert create(srv, "din-html")[0] == 201
    assert call(srv, "POST", "/api/v1/information-systems/din-html/submit", {}, off)[0] == 200
    b = login(srv, "operator")
    page = b.get("/information-systems/din-html")
    assert page.status == 200 and 'value="return"' in page.text and CARD["hosting"] in page.text
    # no remarks: the page again, the field marked
    r = b.post("/information-systems/din-html/act", {"action": "return"}, from_page="/information-systems/din-html")
    assert r.status == 400 and 'id="remarks-error"' in r.text and 'aria-invalid="true"' in r.text
    r = b.post("/information-systems/din-html/act", {"action": "return", "remarks": "Add the hosting's address"},
               from_page="/information-systems/din-html")
    assert r.status == 303 and r.header("Location") == "/information-systems/din-html?done=1"
    st, body, _ = call(srv, "GET", "/api/v1/information-systems/din-html", token=off)
    assert body["status"] == "returned" and body["decisions"][0]["remarks"] == "Add the hosting's address"


def test_officer_drafts_a_card_in_html(srv):
    b = login(srv, "officer", "din")
    form = b.get("/information-systems/new")
    assert form.status == 200 and 'name="name_az"' in form.text
    fields = {"id": "din-html-new", "kind": "personal_data", "name_az": "Sınaq sistemi", "purpose": "Sınaq",
              "legal_basis": "Qanun", "hosting": "Otaq 1", "security": "Parol", "responsible": "A. Əliyev",
              "started_on": "2015-01-10", "cat_identity": "1", "uses_fin": "1",
              "services_used": "AZ/GOV/1400000001/population/person\n\n  AZ/GOV/1300000003/avis/taxpayer  \n"}
    bad = dict(fields, started_on="2015-13-40")
    r = b.post("/information-systems/new", bad, from_page="/information-systems/new")
    assert r.status == 400 and 'href="#started_on"' in r.text and 'value="Sınaq sistemi"' in r.text
    r = b.post("/information-systems/new", fields, from_page="/information-systems/new")
    assert r.status == 303, r.text[:500]
    st, body, _ = call(srv, "GET", "/api/v1/information-systems/din-html-new", token=token(srv, "officer", "din"))
    assert st == 200 and body["card"]["services_used"] == ["AZ/GOV/1400000001/population/person",
                                                           "AZ/GOV/1300000003/avis/taxpayer"]
    # another body's officer may not open the form for it
    other = login(srv, "officer", "eesmn")
    assert other.get("/information-systems/din-html-new/edit").status in (403, 404)


def test_reminders_from_the_command_line_once_per_card(srv):
    import datetime
    late = (datetime.date.today() - datetime.timedelta(days=25)).isoformat()
    assert create(srv, "din-late", dict(CARD, started_on="2014-03-01", change_on=late))[0] == 201
    st, body, _ = call(srv, "GET", "/api/v1/information-systems/overdue", token=token(srv, "operator"))
    mine = [i for i in body["items"] if i["id"] == "din-late"]
    assert mine and mine[0]["days_late"] == 5
    first = syslib.run_cli("admin", "isreg-remind", "--db", srv.db.url)
    assert first.returncode == 0, first.stderr
    n = int(re.search(r"reminders queued for (\d+) cards", first.stdout).group(1))
    assert n >= 1
    again = syslib.run_cli("admin", "isreg-remind", "--db", srv.db.url)
    assert again.returncode == 0 and "reminders queued for 0 cards" in again.stdout


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_documents_on_a_card_are_for_staff_only(srv):
    from test_pki_portal import multipart
    off = token(srv, "officer", "din")
    assert create(srv, "din-docs")[0] == 201
    b = login(srv, "officer", "din")
    page = b.get("/information-systems/din-docs")
    action = re.search(r'action="(/information-systems/din-docs/files\?csrf=[^"]+)"', page.text).group(1)
    body, ctype = multipart({}, {"document": ("order.pdf", PDF)})
    r = b._keep(syslib.request(srv.port, "POST", action, body=body, headers=b._headers({"Content-Type": ctype})))
    assert r.status == 303, r.text[:400]
    st, sysj, _ = call(srv, "GET", "/api/v1/information-systems/din-docs", token=off)
    assert [f["name"] for f in sysj["files"]] == ["order.pdf"] and sysj["files"][0]["type"] == "application/pdf"
    sha = sysj["files"][0]["sha256"]
    # the body's staff and the operator read it byte for byte; nobody else does
    got = b.get("/information-systems/din-docs/files/" + sha)
    assert got.status == 200 and got.body == PDF and got.header("Content-Disposition") == "attachment"
    assert login(srv, "operator").get("/information-systems/din-docs/files/" + sha).body == PDF
    assert login(srv, "officer", "eesmn").get("/information-systems/din-docs/files/" + sha).status == 404
    assert syslib.request(srv.port, "GET", "/information-systems/din-docs/files/" + sha).status in (303, 404)
    # a file of another type is refused; without the token in the address, nothing is read
    body, ctype = multipart({}, {"document": ("x.exe", b"MZ\x90\x00 not a document")})
    r = b._keep(syslib.request(srv.port, "POST", action, body=body, headers=b._headers({"Content-Type": ctype})))
    assert r.status == 400
    r = b._keep(syslib.request(srv.port, "POST", "/information-systems/din-docs/files", body=body,
                               headers=b._headers({"Content-Type": ctype})))
    assert r.status == 403
    # once submitted, its documents do not change
    assert call(srv, "POST", "/api/v1/information-systems/din-docs/submit", {}, off)[0] == 200
    body, ctype = multipart({}, {"document": ("late.pdf", PDF + b" ")})
    r = b._keep(syslib.request(srv.port, "POST", action, body=body, headers=b._headers({"Content-Type": ctype})))
    assert r.status == 409
