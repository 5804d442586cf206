"""Field visits (src/inspect, issue 17 item 4): an officer gives an
application's visit to an inspector of the agency; the inspector records
it (the plain form, and the JSON answer the offline script asks for) with
photos; a record synced twice is taken once, a second different record is
kept beside the result, one after the decision is kept and marked late;
the officer sees it all on the case page.  Every refusal: another agency's
officer or inspector, a login that is not an inspector, a bad record, a
file that is not a photo, a citizen on the inspector's pages.  Fixture
form din-id-card; the demo seed has inspector.din and inspector.eesmn."""
import re
import time

import syslib
from test_applications import GOOD, PNG, call, submit, token
from test_applications import srv  # noqa: F401  (the fixture: a seeded server of this module's own)
from test_apply_html import login as browser
from test_uploads import sql

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_data(fields, photos):
    """multipart/form-data with text fields and any number of "photo" parts."""
    boundary = "----inspect-test"
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode()
    for i, (data, ctype) in enumerate(photos):
        out += ("--%s\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p%d\"\r\nContent-Type: %s\r\n\r\n"
                % (boundary, i, ctype)).encode() + data + b"\r\n"
    return out + ("--%s--\r\n" % boundary).encode(), "multipart/form-data; boundary=" + boundary


def new_case(srv):
    st, body, _ = submit(srv, GOOD, token(srv, "citizen"))
    assert st == 201, body
    return body["reference"], body["version"]


def give(srv, ref, inspector="inspector.din", officer=("officer", "din")):
    return browser(srv, *officer).post("/office/cases/%s/inspection" % ref, {"inspector": inspector},
                                       from_page="/office/cases/" + ref)


def visit_of(b, ref):
    page = b.get("/inspect/visits")
    assert page.status == 200, page.status
    m = re.search(r'href="/inspect/visits/([0-9a-f]{32})">[^<]*%s' % re.escape(ref), page.text)
    return m.group(1) if m else None


def record(b, visit, client_id, photos=(), json_answer=True, **fields):
    page = b.get("/inspect/visits/" + visit)
    assert page.status == 200, page.status
    action = re.search(r'action="(/inspect/visits/[0-9a-f]+\?csrf=[0-9a-f]+)"', page.text).group(1)
    members = re.findall(r'name="(present_[0-9A-Z]{7})"', page.text)
    f = {"client_id": client_id, "visited_at": str(int(time.time()) - 60), "housing": "rented",
         "condition": "poor", "rooms": "2", "water": "1", "electricity": "1", "notes": "Damp walls"}
    f.update({m: "1" for m in members[:1]})
    f.update(fields)
    body, ct = form_data(f, photos)
    h = b._headers({"Content-Type": ct})
    if json_answer:
        h["Accept"] = "application/json"
    return syslib.request(b.server.port, "POST", action, body=body, headers=h)


def test_a_visit_given_recorded_and_seen_by_the_officer(srv):
    ref, _ = new_case(srv)
    page = browser(srv, "officer", "din").get("/office/cases/" + ref)
    assert 'id="inspection"' in page.text and '<option value="inspector.din"' in page.text
    assert give(srv, ref).status == 303
    insp = browser(srv, "inspector", "din")
    visit = visit_of(insp, ref)
    assert visit
    photo = PNG + b"visit-one"
    r = record(insp, visit, "phone-record-0001", photos=[(photo, "image/png")])
    assert r.status == 200 and r.json() == {"outcome": "taken", "photos": 1, "refused": 0}, r.text
    # the same record again (the phone did not hear the answer): taken once
    r = record(insp, visit, "phone-record-0001", photos=[(photo, "image/png")])
    assert r.json()["outcome"] == "repeated"
    assert sql(srv, "SELECT COUNT(*) FROM inspection_records r JOIN inspections i ON i.id = r.inspection_id"
                    " WHERE i.case_ref = '%s'" % ref) == [["1"]]
    # a different record of the same visit: kept beside the result
    r = record(insp, visit, "phone-record-0002", notes="Second look")
    assert r.json()["outcome"] == "revision"
    # done visits leave the inspector's list
    assert visit_of(insp, ref) is None
    office = browser(srv, "officer", "din").get("/office/cases/" + ref).text
    assert "Damp walls" in office and "Second look" in office
    link = re.search(r'href="(/inspect/visits/%s/photos/[0-9a-f]{64})"' % visit, office).group(1)
    got = browser(srv, "officer", "din").get(link)
    assert got.status == 200 and got.body == photo
    # the household's reads are in its access log with the inspector's role
    assert ["inspector", "inspection"] in sql(srv, "SELECT accessor_role, data_kind FROM data_access_log"
                                                   " WHERE ground = '%s'" % ref)


def test_the_plain_form_works_without_javascript(srv):
    ref, _ = new_case(srv)
    give(srv, ref)
    insp = browser(srv, "inspector", "din")
    visit = visit_of(insp, ref)
    r = record(insp, visit, "plain-form-0001", json_answer=False)
    assert r.status == 303 and r.header("Location") == "/inspect/visits?synced=taken"
    # a bad record: the form again with the error, status 400, nothing stored
    ref2, _ = new_case(srv)
    give(srv, ref2)
    visit2 = visit_of(insp, ref2)
    r = record(insp, visit2, "plain-form-0002", json_answer=False, rooms="99", housing="castle")
    assert r.status == 400 and 'class="error-summary"' in r.text
    r = record(insp, visit2, "plain-form-0003", rooms="x")
    assert r.status == 422 and r.json()["type"].endswith("bad-record")
    r = record(insp, visit2, "short")  # a record id too short
    assert r.status == 422
    assert visit_of(insp, ref2) == visit2  # still waiting


def test_a_record_after_the_decision_is_kept_and_marked_late(srv):
    ref, version = new_case(srv)
    give(srv, ref)
    insp = browser(srv, "inspector", "din")
    visit = visit_of(insp, ref)
    tok = token(srv, "officer", "din")
    for action in ("register", "start_review", "approve"):
        st, a, _ = call(srv, "POST", "/api/v1/applications/%s/actions" % ref,
                        {"action": action, "version": version, "note": "Decided"}, tok)
        assert st == 200, a
        version = a["version"]
    r = record(insp, visit, "late-record-0001")
    assert r.status == 200 and r.json()["outcome"] == "late"
    office = browser(srv, "officer", "din").get("/office/cases/" + ref).text
    assert "Qərardan sonra gəlib" in office  # "arrived after the decision", Azerbaijani first
    # and a decided case takes no new visit
    assert give(srv, ref).status == 409


def test_photos_that_are_not_photos_are_refused_and_the_record_kept(srv):
    ref, _ = new_case(srv)
    give(srv, ref)
    insp = browser(srv, "inspector", "din")
    visit = visit_of(insp, ref)
    r = record(insp, visit, "photo-check-0001", photos=[(PDF, "image/png"), (PNG + b"ok", "image/png")])
    assert r.status == 200 and r.json() == {"outcome": "taken", "photos": 1, "refused": 1}, r.text


def test_who_may_do_what(srv):
    ref, _ = new_case(srv)
    # another agency's officer cannot give it; an officer is not an inspector
    assert give(srv, ref, officer=("officer", "emdk")).status == 404
    assert give(srv, ref, inspector="officer.din").status == 400
    assert give(srv, ref, inspector="inspector.eesmn").status == 400
    assert give(srv, ref).status == 303
    insp = browser(srv, "inspector", "din")
    visit = visit_of(insp, ref)
    # another agency's inspector neither sees nor records it
    other = browser(srv, "inspector", "eesmn")
    assert visit_of(other, ref) is None
    assert other.get("/inspect/visits/" + visit).status == 404
    assert other.get("/inspect/visits/%s/photos/%s" % (visit, "0" * 64)).status == 404
    # a citizen, and nobody at all
    assert browser(srv, "citizen").get("/inspect/visits").status == 403
    anon = syslib.request(srv.port, "GET", "/inspect/visits")
    assert anon.status == 303 and anon.header("Location").startswith("/login")
    # the officer of another agency does not get the photo either
    r = record(insp, visit, "who-may-0001", photos=[(PNG + b"who", "image/png")])
    assert r.json()["photos"] == 1
    sha = sql(srv, "SELECT p.sha256 FROM inspection_photos p JOIN inspections i ON i.id = p.inspection_id"
                   " WHERE i.case_ref = '%s'" % ref)[0][0]
    assert browser(srv, "officer", "emdk").get("/inspect/visits/%s/photos/%s" % (visit, sha)).status == 404
    assert browser(srv, "officer", "din").get("/inspect/visits/%s/photos/%s" % (visit, sha)).status == 200


def test_the_service_worker_and_script_are_served(srv):
    r = syslib.request(srv.port, "GET", "/inspect/sw.js")
    assert r.status == 200 and r.header("Content-Type").startswith("text/javascript")
    assert "caches.open" in r.text
    page = browser(srv, "inspector", "din").get("/inspect/visits").text
    assert re.search(r'<script src="/assets/inspect\.js\?v=[^"]+" defer></script>', page)
