"""Electronic applications through the JSON API: the form, filing with an
Idempotency-Key, answer checks, who may see a case, the officers' steps
with optimistic locking, the case history and the audit chain.  Uses the
fixture form tests/fixtures/forms/din-id-card.json (imported beside the
fixture catalogue) on the backend chosen by PENCERE_TEST_DB."""
import json
import os
import threading

import pytest

import syslib

GOOD = {"reason": "lost", "police_report": "PR-2026-1", "phone": "+994501234567", "birth_date": "1990-05-17",
        "children": 2, "members": [{"fin": "5ABC12D", "name": "Əli Məmmədov"}]}


def call(srv, method, path, body=None, token=None, headers=None):
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    r = syslib.request(srv.port, method, path, headers=h, body=data)
    return r.status, (r.json() if r.body else {}), r


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("applications"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    s = syslib.Server(work, db=db)
    s.start()
    s.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    s.tokens = {}
    yield s
    s.close()


def token(srv, role, agency=None, index=0):
    key = (role, agency, index)
    if key not in srv.tokens:
        a = [x for x in srv.accounts if x["role"] == role and (agency is None or x["agency"] == agency)][index]
        st, body, _ = call(srv, "POST", "/api/v1/auth/password", {"login": a["login"], "password": a["password"]})
        assert st == 200, body
        srv.tokens[key] = body["token"]
    return srv.tokens[key]


_keys = iter(range(10 ** 6))


def submit(srv, answers, tok, key=None):
    key = key or "key-%08d-%s" % (next(_keys), os.getpid())
    return call(srv, "POST", "/api/v1/applications", {"service": "din-id-card", "answers": answers}, tok,
                {"Idempotency-Key": key})


def test_form_describes_every_question_with_an_example(srv):
    st, form, _ = call(srv, "GET", "/api/v1/services/din-id-card/form")
    assert st == 200 and form["version"] == 1
    for page in form["pages"]:
        for q in page["questions"]:
            assert {"id", "type", "label", "example"} <= set(q)
            assert set(q["label"]) == {"az", "en", "ru"}
    st, body, r = call(srv, "GET", "/api/v1/services/din-fine-check/form")
    assert st == 404 and r.header("Content-Type").startswith("application/problem+json")


def test_examples_make_a_valid_application(srv):
    _, form, _ = call(srv, "GET", "/api/v1/services/din-id-card/form")
    # file questions are answered by uploading first (see the upload tests)
    answers = {q["id"]: q["example"] for p in form["pages"] for q in p["questions"] if q["type"] != "file"}
    st, body, r = submit(srv, answers, token(srv, "citizen"))
    assert st == 201, body
    assert body["reference"].startswith("AZ-") and body["status"] == "submitted"
    assert r.header("Location") == "/api/v1/applications/" + body["reference"]


def test_every_invalid_answer_is_listed(srv):
    bad = {"reason": "stolen", "phone": "12345", "birth_date": "1990-02-30", "children": 2.5,
           "members": [{"fin": "abc"}, "not an object"], "unknown": "x"}
    st, body, r = submit(srv, bad, token(srv, "citizen"))
    assert st == 422 and r.header("Content-Type").startswith("application/problem+json")
    assert body["type"].endswith("/invalid-answers")
    got = {(e["field"], e["code"]) for e in body["errors"]}
    assert got >= {("unknown", "unknown_question"), ("reason", "bad_choice"), ("phone", "bad_phone"),
                   ("birth_date", "bad_date"), ("children", "not_an_integer"), ("members[0].fin", "bad_fin"),
                   ("members[0].name", "required"), ("members[1]", "not_an_object")}
    assert all(e["message"] for e in body["errors"])


def test_missing_answers_and_hidden_pages(srv):
    st, body, _ = submit(srv, {}, token(srv, "citizen"))
    assert st == 422
    assert {e["field"] for e in body["errors"] if e["code"] == "required"} >= {"reason", "phone", "birth_date"}
    # a police report for a card that merely expired answers a page that is not shown
    answers = dict(GOOD, reason="expired")
    st, body, _ = submit(srv, answers, token(srv, "citizen"))
    assert st == 422 and ("police_report", "not_applicable") in {(e["field"], e["code"]) for e in body["errors"]}
    answers.pop("police_report")
    assert submit(srv, answers, token(srv, "citizen"))[0] == 201


def test_limits_on_text_numbers_dates_and_groups(srv):
    cases = [({"police_report": "x" * 31}, "too_long"), ({"police_report": "ab"}, "too_short"),
             ({"children": 21}, "above_max"), ({"children": -1}, "below_min"),
             ({"birth_date": "2100-01-01"}, "date_too_late"), ({"birth_date": "1800-01-01"}, "bad_date"),
             ({"members": [{"fin": "5ABC12D", "name": "a"}] * 6}, "too_many_items"),
             ({"phone": 994501234567}, "not_text"), ({"police_report": "a\u0001bc"}, "bad_text")]
    for change, code in cases:
        st, body, _ = submit(srv, dict(GOOD, **change), token(srv, "citizen"))
        assert st == 422, change
        assert code in {e["code"] for e in body["errors"]}, (change, body["errors"])


def test_bad_bodies_and_keys(srv):
    tok = token(srv, "citizen")
    st, body, _ = call(srv, "POST", "/api/v1/applications", {"service": "din-id-card", "answers": GOOD}, tok)
    assert st == 400 and body["type"].endswith("/idempotency-key-required")
    r = syslib.request(srv.port, "POST", "/api/v1/applications", body=b"{oops",
                       headers={"Authorization": "Bearer " + tok, "Idempotency-Key": "abcdefgh1"})
    assert r.status == 400
    st, body, _ = call(srv, "POST", "/api/v1/applications", {"service": "din-id-card", "answers": GOOD, "x": 1},
                       tok, {"Idempotency-Key": "abcdefgh2"})
    assert st == 400
    st, body, _ = submit(srv, GOOD, tok, key="short")
    assert st == 400
    st, body, _ = call(srv, "POST", "/api/v1/applications", {"service": "nope", "answers": {}}, tok,
                       {"Idempotency-Key": "abcdefgh3"})
    assert st == 422 and body["type"].endswith("/no-such-form")
    assert submit(srv, GOOD, None)[0] == 401
    # a NUL inside a JSON string is refused with the body, before any check
    st, body, _ = submit(srv, dict(GOOD, police_report="a\u0000b"), tok)
    assert st == 400 and body["type"].endswith("/bad-body")
    big = dict(GOOD, police_report="x" * 300000)
    assert submit(srv, big, tok)[0] == 413


def test_a_retry_with_the_same_key_files_one_application(srv):
    tok = token(srv, "citizen", index=1)
    first = submit(srv, GOOD, tok, key="retry-key-0001")
    again = submit(srv, GOOD, tok, key="retry-key-0001")
    assert first[0] == 201 and again[0] == 200
    assert first[1]["reference"] == again[1]["reference"]
    # the same key of another person is their own application
    other = submit(srv, GOOD, token(srv, "citizen"), key="retry-key-0001")
    assert other[0] == 201 and other[1]["reference"] != first[1]["reference"]


def test_concurrent_double_submission_makes_one_case(srv):
    tok = token(srv, "representative")
    results = []
    def go():
        results.append(submit(srv, GOOD, tok, key="double-click-0001"))
    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refs = {r[1]["reference"] for r in results}
    assert len(refs) == 1, results
    assert sorted(r[0] for r in results).count(201) == 1


def test_who_may_see_a_case(srv):
    st, body, _ = submit(srv, GOOD, token(srv, "citizen"))
    ref = body["reference"]
    assert call(srv, "GET", "/api/v1/applications/" + ref, token=token(srv, "citizen"))[0] == 200
    assert call(srv, "GET", "/api/v1/applications/" + ref, token=token(srv, "citizen", index=1))[0] == 404
    assert call(srv, "GET", "/api/v1/applications/" + ref, token=token(srv, "officer", "eesmn"))[0] == 404
    assert call(srv, "GET", "/api/v1/applications/" + ref, token=token(srv, "registrar"))[0] == 404
    assert call(srv, "GET", "/api/v1/applications/" + ref, token=token(srv, "auditor"))[0] == 404
    assert call(srv, "GET", "/api/v1/applications/" + ref)[0] == 401
    assert call(srv, "GET", "/api/v1/applications/AZ-2026-99999999", token=token(srv, "citizen"))[0] == 404
    st, app, _ = call(srv, "GET", "/api/v1/applications/" + ref, token=token(srv, "officer", "din"))
    assert st == 200 and app["answers"]["police_report"] == "PR-2026-1"
    # an officer of another agency never sees it in a list either
    st, lst, _ = call(srv, "GET", "/api/v1/applications?limit=100", token=token(srv, "officer", "eesmn"))
    assert st == 200 and ref not in [i["reference"] for i in lst["items"]]
    st, mine, _ = call(srv, "GET", "/api/v1/applications?limit=100", token=token(srv, "citizen", index=1))
    assert ref not in [i["reference"] for i in mine["items"]]


def test_officer_reading_a_case_is_in_the_applicants_access_log(srv):
    st, body, _ = submit(srv, GOOD, token(srv, "citizen"))
    ref = body["reference"]
    call(srv, "GET", "/api/v1/applications/" + ref, token=token(srv, "officer", "din"))
    from test_identity import Browser
    b = Browser(srv)
    a = [x for x in srv.accounts if x["role"] == "citizen"][0]
    b.login(a["login"], a["password"])
    page = b.get("/account").text
    # the role and the agency, never the officer's login (issue 8.6)
    assert ref in page and "Qurum əməkdaşı, Daxili İşlər Nazirliyi" in page and "officer.din" not in page


def test_workflow_steps_and_conflicts(srv):
    st, body, _ = submit(srv, GOOD, token(srv, "citizen"))
    ref = body["reference"]
    off = token(srv, "officer", "din")
    step = lambda action, version, who=off, note=None: call(
        srv, "POST", "/api/v1/applications/%s/actions" % ref,
        dict({"action": action, "version": version}, **({"note": note} if note else {})), who)
    v = body["version"]
    st, a, _ = step("register", v)
    assert st == 200 and a["status"] == "registered" and a["version"] == v + 1
    # a second officer acting on the version they saw earlier loses, clearly
    st, body, _ = step("start_review", v)
    assert st == 409 and body["type"].endswith("/conflict")
    st, a, _ = step("start_review", a["version"])
    assert st == 200 and a["status"] == "in_review"
    assert step("refuse", a["version"])[0] == 422                       # a refusal needs a reason
    assert step("approve", a["version"], who=token(srv, "citizen"), note="x")[0] == 403
    assert step("approve", a["version"], who=token(srv, "officer", "eesmn"), note="x")[0] == 404
    assert step("fly", a["version"])[0] == 422
    st, a, _ = step("request_info", a["version"], note="Send a copy of the police report.")
    assert st == 200 and a["status"] == "info_requested"
    st, a, _ = step("respond", a["version"], who=token(srv, "citizen"), note="Attached at the centre.")
    assert st == 200 and a["status"] == "citizen_responded"
    st, a, _ = step("start_review", a["version"])
    st, a, _ = step("approve", a["version"], note="All documents are in order.")
    assert st == 200 and a["status"] == "approved" and a["decision"] == "All documents are in order."
    assert step("approve", a["version"], note="again")[0] == 403        # already decided
    assert step("cancel", a["version"], who=token(srv, "citizen"))[0] == 403
    st, a, _ = step("deliver", a["version"])
    assert st == 200 and a["status"] == "delivered"
    actions = [h["action"] for h in a["history"]]
    assert actions == ["submit", "register", "start_review", "request_info", "respond", "start_review",
                       "approve", "deliver"]
    assert [h["seq"] for h in a["history"]] == list(range(1, 9))


def test_concurrent_decisions_one_wins(srv):
    st, body, _ = submit(srv, GOOD, token(srv, "citizen"))
    ref = body["reference"]
    off, admin = token(srv, "officer", "din"), token(srv, "agency_admin", "din")
    v = body["version"]
    st, a, _ = call(srv, "POST", "/api/v1/applications/%s/actions" % ref, {"action": "register", "version": v}, off)
    st, a, _ = call(srv, "POST", "/api/v1/applications/%s/actions" % ref, {"action": "start_review", "version": a["version"]}, off)
    results = []
    def decide(tok, action):
        results.append(call(srv, "POST", "/api/v1/applications/%s/actions" % ref,
                            {"action": action, "version": a["version"], "note": "decided by " + action}, tok)[0])
    ts = [threading.Thread(target=decide, args=(off, "approve")), threading.Thread(target=decide, args=(admin, "refuse"))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(results) == [200, 409] or sorted(results) == [200, 403], results
    st, final, _ = call(srv, "GET", "/api/v1/applications/" + ref, token=off)
    assert final["status"] in ("approved", "refused")
    assert len([h for h in final["history"] if h["action"] in ("approve", "refuse")]) == 1


def test_citizen_cancels_before_review(srv):
    st, body, _ = submit(srv, GOOD, token(srv, "citizen"))
    st, a, _ = call(srv, "POST", "/api/v1/applications/%s/actions" % body["reference"],
                    {"action": "cancel", "version": body["version"]}, token(srv, "citizen"))
    assert st == 200 and a["status"] == "cancelled"


def test_inbox_filters_and_paging(srv):
    off = token(srv, "officer", "din")
    seen, cursor = [], None
    while True:
        st, page, _ = call(srv, "GET", "/api/v1/applications?limit=2" + ("&cursor=" + cursor if cursor else ""), token=off)
        assert st == 200
        seen += [i["reference"] for i in page["items"]]
        cursor = page.get("next")
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 5
    st, sub, _ = call(srv, "GET", "/api/v1/applications?status=submitted&limit=100", token=off)
    assert all(i["status"] == "submitted" for i in sub["items"])
    assert call(srv, "GET", "/api/v1/applications?status=nonsense", token=off)[0] == 400
    assert call(srv, "GET", "/api/v1/applications?cursor=garbage", token=off)[0] == 400
    assert call(srv, "GET", "/api/v1/applications?limit=0", token=off)[0] == 400
    assert call(srv, "GET", "/api/v1/applications?colour=red", token=off)[0] == 400
    st, mine, _ = call(srv, "GET", "/api/v1/applications?assigned=me&limit=100", token=off)
    assert st == 200 and all(i["status"] != "submitted" for i in mine["items"])


def test_audit_chain_holds_after_all_this(srv):
    r = syslib.run_cli("admin", "audit-verify", "--db", srv.db.url)
    assert r.returncode == 0, r.stdout + r.stderr


# ---- files ----------------------------------------------------------------------

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
       b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00"
       b"\x00IEND\xaeB`\x82")


def multipart(fields, files):
    boundary = "----pencere-test-boundary"
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode()
    for k, (name, data, ctype) in files.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                % (boundary, k, name, ctype)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=" + boundary


def upload(srv, tok, name, data, ctype="application/octet-stream"):
    body, ct = multipart({}, {"file": (name, data, ctype)})
    r = syslib.request(srv.port, "POST", "/api/v1/uploads", body=body,
                       headers={"Content-Type": ct, "Authorization": "Bearer " + tok})
    return r.status, (r.json() if r.body else {})


def test_upload_checks_the_content_not_the_name(srv):
    tok = token(srv, "citizen")
    st, f = upload(srv, tok, "photo.png", PNG, "image/png")
    assert st == 201 and f["type"] == "image/png" and len(f["sha256"]) == 64 and f["size"] == len(PNG)
    st, body = upload(srv, tok, "photo.png", b"MZ\x90\x00 this is a program, not a picture" * 10, "image/png")
    assert st == 415 and body["type"].endswith("/file-type")
    # a body over the limit is refused from its Content-Length, before it is sent
    head = ("POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n" % (tok, 30 * 1024 * 1024))
    assert syslib.raw_exchange(srv.port, head.encode()).startswith(b"HTTP/1.1 413")
    # a file over 20 MiB inside a body the route accepts is refused while it streams
    st, body = upload(srv, tok, "big.png", PNG + b"\x00" * (20 * 1024 * 1024 + 10), "image/png")
    assert st == 413
    assert upload(srv, None or "bad-token", "photo.png", PNG)[0] == 401
    # the same content twice is stored once and answers the same
    st2, f2 = upload(srv, tok, "again.png", PNG, "image/png")
    assert st2 == 201 and f2["sha256"] == f["sha256"]


def test_files_in_answers_belong_to_the_applicant(srv):
    mine = token(srv, "citizen")
    st, f = upload(srv, mine, "photo.png", PNG, "image/png")
    answers = dict(GOOD, photo=f)
    st, body, _ = submit(srv, answers, mine)
    assert st == 201, body
    ref = body["reference"]
    # somebody else naming the same hash is refused: they never uploaded it
    st, body, _ = submit(srv, answers, token(srv, "citizen", index=1))
    assert st == 422 and ("photo", "unknown_file") in {(e["field"], e["code"]) for e in body["errors"]}
    # a file over the question's limit or of a type it does not accept
    big = dict(f, size=200000)
    st, body, _ = submit(srv, dict(GOOD, photo=big), mine)
    assert st == 422 and "file_too_big" in {e["code"] for e in body["errors"]}
    st, body, _ = submit(srv, dict(GOOD, photo=dict(f, type="application/pdf")), mine)
    assert st == 422 and "file_type" in {e["code"] for e in body["errors"]}
    st, body, _ = submit(srv, dict(GOOD, photo="photo.png"), mine)
    assert st == 422 and "bad_file" in {e["code"] for e in body["errors"]}



def test_case_files_download_only_for_those_who_see_the_case(srv):
    from test_identity import Browser
    mine = token(srv, "citizen")
    st, f = upload(srv, mine, "photo.png", PNG, "image/png")
    st, body, _ = submit(srv, dict(GOOD, photo=f), mine)
    ref = body["reference"]
    def browser(role, agency=None, index=0):
        a = [x for x in srv.accounts if x["role"] == role and (agency is None or x["agency"] == agency)][index]
        b = Browser(srv)
        b.login(a["login"], a["password"])
        return b
    r = browser("citizen").get("/applications/%s/files/%s" % (ref, f["sha256"]))
    assert r.status == 200 and r.body == PNG and r.header("Content-Type") == "image/png"
    assert r.header("Content-Disposition") == "attachment"
    assert browser("officer", "din").get("/office/cases/%s/files/%s" % (ref, f["sha256"])).status == 200
    assert browser("officer", "eesmn").get("/office/cases/%s/files/%s" % (ref, f["sha256"])).status == 404
    assert browser("citizen", index=1).get("/applications/%s/files/%s" % (ref, f["sha256"])).status == 404
    assert browser("citizen").get("/applications/%s/files/%s" % (ref, "0" * 64)).status == 404
    assert browser("citizen").get("/applications/%s/files/..%%2f..%%2fetc%%2fpasswd" % ref).status in (400, 404)


def test_responses_match_the_openapi_description(srv, schemas):
    tok = token(srv, "citizen")
    st, body, _ = call(srv, "POST", "/api/v1/auth/password",
                       {"login": srv.accounts[0]["login"], "password": srv.accounts[0]["password"]})
    schemas.validate_ref(body, "Token")
    st, body, _ = call(srv, "GET", "/api/v1/me", token=tok)
    schemas.validate_ref(body, "Me")
    st, body, _ = call(srv, "GET", "/api/v1/services/din-id-card/form")
    schemas.validate_ref(body, "Form")
    st, f = upload(srv, tok, "photo.png", PNG, "image/png")
    schemas.validate_ref(f, "FileAnswer")
    st, body, _ = submit(srv, dict(GOOD, photo=f), tok)
    assert st == 201
    schemas.validate_ref(body, "ApplicationSummary")
    st, app, _ = call(srv, "GET", "/api/v1/applications/" + body["reference"], token=tok)
    schemas.validate_ref(app, "Application")
    st, page, _ = call(srv, "GET", "/api/v1/applications?limit=3", token=tok)
    schemas.validate_ref(page, "ApplicationPage")
    st, bad, _ = submit(srv, {"reason": "x"}, tok)
    assert st == 422
    schemas.validate_ref(bad, "AnswerProblem")


def test_a_service_can_have_its_own_workflow(make_server, tmp_path):
    """The form's "workflow": here only the agency administrator may decide,
    there is no request for information, and registration is due in 1 day."""
    import shutil
    root = tmp_path / "data"
    shutil.copytree(syslib.FIXTURE, str(root / "catalog"))
    (root / "forms").mkdir()
    form = json.load(open(os.path.join(os.path.dirname(syslib.FIXTURE), "forms", "din-id-card.json")))
    form["workflow"] = {"steps": ["assign_to_me", "register", "start_review", "approve", "refuse", "deliver", "cancel"],
                        "roles": {"approve": ["agency_admin"], "refuse": ["agency_admin"]},
                        "deadlines": {"in_review": 5}}
    (root / "forms" / "din-id-card.json").write_text(json.dumps(form, ensure_ascii=False))
    srv = make_server(catalog=str(root / "catalog"), start=False)
    work = str(tmp_path / "w")
    os.makedirs(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", srv.db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.tokens = {}
    answers = {k: v for k, v in dict(GOOD, reason="expired").items() if k != "police_report"}
    st, body, _ = submit(srv, answers, token(srv, "citizen"))
    assert st == 201, body
    ref, v = body["reference"], body["version"]
    off, admin = token(srv, "officer", "din"), token(srv, "agency_admin", "din")
    step = lambda action, version, who, note=None: call(
        srv, "POST", "/api/v1/applications/%s/actions" % ref,
        dict({"action": action, "version": version}, **({"note": note} if note else {})), who)
    st, a, _ = step("register", v, off)
    st, a, _ = step("start_review", a["version"], off)
    assert st == 200 and a["status"] == "in_review"
    st, body, _ = step("request_info", a["version"], off, "Why?")
    assert st == 403 and "no such step" in body["detail"]
    st, body, _ = step("approve", a["version"], off, "ok")
    assert st == 403 and "role" in body["detail"]
    st, a, _ = step("approve", a["version"], admin, "Approved by the administrator.")
    assert st == 200 and a["status"] == "approved"
    # a form with a workflow the portal does not know is refused at import
    form["workflow"] = {"steps": ["teleport"]}
    (root / "forms" / "din-id-card.json").write_text(json.dumps(form, ensure_ascii=False))
    r = syslib.run_cli("portal", "--listen", "127.0.0.1:%d" % syslib.free_port(), "--db", str(tmp_path / "x.db"),
                       "--import-catalog", str(root / "catalog"), timeout=60)
    assert r.returncode == 1 and "workflow" in r.stderr
