"""Form definitions as an operator handles them: `pencere admin check-forms`
(the one checker the import uses), forms imported with the catalogue and
stored with versions, two portal nodes on one database that both use a
new version from their next request (a draft started on one node goes on
on the other), a service's own workflow deciding which buttons the pages
show, and answer messages in the request's language."""
import json
import os
import re
import shutil
import time

import pytest

import syslib
from test_identity import Browser

FORMS = os.path.join(os.path.dirname(syslib.FIXTURE), "forms")


def fixture_form():
    return json.load(open(os.path.join(FORMS, "din-id-card.json"), encoding="utf-8"))


def data_root(path, form=None):
    """A data folder like the project's: catalog/ and forms/ beside it."""
    root = path / "data"
    if not (root / "catalog").exists():
        shutil.copytree(syslib.FIXTURE, str(root / "catalog"))
        (root / "forms").mkdir()
    (root / "forms" / "din-id-card.json").write_text(json.dumps(form or fixture_form(), ensure_ascii=False, indent=1),
                                                     encoding="utf-8")
    return root


def accounts_of(work):
    return json.load(open(os.path.join(work, "demo-accounts.json")))


def seed(db, work):
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    return accounts_of(work)


def account(accs, role, agency=None):
    return [a for a in accs if a["role"] == role and (agency is None or a["agency"] == agency)][0]


def browser(srv, accs, role, agency=None):
    a = account(accs, role, agency)
    b = Browser(srv)
    b.login(a["login"], a["password"])
    return b


def api_token(srv, accs, role, agency=None):
    a = account(accs, role, agency)
    r = syslib.request(srv.port, "POST", "/api/v1/auth/password", headers={"Content-Type": "application/json"},
                       body=json.dumps({"login": a["login"], "password": a["password"]}).encode())
    assert r.status == 200, r.text
    return r.json()["token"]


def api(srv, method, path, body=None, token=None, headers=None):
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    return syslib.request(srv.port, method, path, headers=h, body=json.dumps(body).encode() if body is not None else None)


def page_post(b, url, fields):
    page = b.get(url)
    m = re.search(r'name="_version" value="(\d+)"', page.text)
    assert m, (url, page.status, page.text[:300])
    return b.post(url, dict(fields, _version=m.group(1)), from_page=url)


# ---- the checker on the command line -------------------------------------------

def test_check_forms_reports_every_problem_with_its_path(tmp_path):
    r = syslib.run_cli("admin", "check-forms", os.path.join(syslib.ROOT, "data", "forms"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == "8 forms OK"
    form = fixture_form()
    form["title"]["ru"] = "Zayavlenie"                                 # no Cyrillic in the Russian text
    form["pages"][1]["id"] = "reason"                                  # a page id twice
    form["pages"][2]["questions"][2]["example"] = 2.5                  # not a whole number
    form["pages"][0]["questions"][0]["options"][0]["label"]["en"] = ""
    root = data_root(tmp_path, form)
    r = syslib.run_cli("admin", "check-forms", str(root / "forms"))
    assert r.returncode == 1
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 4, r.stdout
    assert all(line.startswith("din-id-card.json: $") for line in lines), lines
    assert "din-id-card.json: $.title.ru: " in r.stdout
    assert "din-id-card.json: $.pages[1].id: " in r.stdout
    assert "din-id-card.json: $.pages[2].questions[2].example: " in r.stdout
    assert "din-id-card.json: $.pages[0].questions[0].options[0].label.en: " in r.stdout
    assert "4 problems in 1 file" in r.stderr
    # the catalogue decides too: a fee the form does not state
    form = fixture_form()
    for lang in ("az", "en", "ru"):
        form["what_next"][lang] = form["what_next"][lang].split(".")[0] + "."
    data_root(tmp_path, form)
    r = syslib.run_cli("admin", "check-forms", str(root / "forms"))
    assert r.returncode == 1 and "a fee of 5 AZN" in r.stdout
    r = syslib.run_cli("admin", "check-forms", str(root / "forms"), "--catalog", str(tmp_path / "nowhere"))
    assert r.returncode == 1 and "services.jsonl" in r.stderr
    assert syslib.run_cli("admin", "check-forms").returncode == 2


# ---- the import stores the forms with the catalogue ------------------------------

def test_import_catalog_loads_the_forms_and_nothing_on_any_error(tmp_path):
    work = str(tmp_path)
    db = syslib.Database(work)
    try:
        root = data_root(tmp_path)
        r = syslib.run_cli("admin", "import-catalog", "--db", db.url, "--dir", str(root / "catalog"))
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "imported 2 agencies, 3 services, 2 life situations; 0 services withdrawn"
        assert "forms: 1 files, 1 new versions stored" in r.stderr
        srv = syslib.Server(str(tmp_path / "node"), catalog=None, db=db)
        srv.start()
        try:
            r = syslib.request(srv.port, "GET", "/api/v1/services/din-id-card/form")
            assert r.status == 200 and r.json()["version"] == 1
            # a bad form stops the whole import: neither the catalogue nor the forms change
            lines = open(str(root / "catalog" / "services.jsonl"), encoding="utf-8").read().splitlines()
            row = json.loads(lines[0])
            row["name"]["en"] = "A name that must not be imported"
            lines[0] = json.dumps(row, ensure_ascii=False)
            open(str(root / "catalog" / "services.jsonl"), "w", encoding="utf-8").write("\n".join(lines) + "\n")
            form = fixture_form()
            form["version"] = 2
            form["pages"][0]["questions"][0]["type"] = "slider"
            data_root(tmp_path, form)
            r = syslib.run_cli("admin", "import-catalog", "--db", db.url, "--dir", str(root / "catalog"))
            assert r.returncode == 1
            assert "din-id-card.json: $.pages[0].questions[0].type: " in r.stderr
            assert "nothing was imported" in r.stderr
            svc = syslib.request(srv.port, "GET", "/api/v1/services/%s?lang=en" % row["id"]).json()
            assert "must not be imported" not in json.dumps(svc)
            time.sleep(0.05)
            assert syslib.request(srv.port, "GET", "/api/v1/services/din-id-card/form").json()["version"] == 1
            # forms from another folder
            other = tmp_path / "elsewhere"
            other.mkdir()
            form = fixture_form()
            form["version"] = 3
            (other / "din-id-card.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
            shutil.rmtree(str(root / "forms"))
            lines[0] = json.dumps(json.loads(open(os.path.join(syslib.FIXTURE, "services.jsonl"), encoding="utf-8")
                                             .readline()), ensure_ascii=False)
            open(str(root / "catalog" / "services.jsonl"), "w", encoding="utf-8").write("\n".join(lines) + "\n")
            r = syslib.run_cli("admin", "import-catalog", "--db", db.url, "--dir", str(root / "catalog"),
                               "--forms", str(other))
            assert r.returncode == 0, r.stderr
            time.sleep(0.05)
            assert syslib.request(srv.port, "GET", "/api/v1/services/din-id-card/form").json()["version"] == 3
        finally:
            srv.stop()
    finally:
        db.drop()


# ---- several nodes, one database ----------------------------------------------------

def test_two_nodes_use_a_new_form_version_on_their_next_request(tmp_path):
    work = str(tmp_path)
    db = syslib.Database(work)
    accs = seed(db, work)
    root = data_root(tmp_path)
    a = syslib.Server(str(tmp_path / "a"), catalog=str(root / "catalog"), db=db)
    b = syslib.Server(str(tmp_path / "b"), catalog=None, db=db)
    try:
        a.start()
        b.start()
        # a draft started on node a goes on on node b (the same session)
        citizen = browser(a, accs, "citizen")
        r = citizen.post("/services/din-id-card/apply", {}, from_page="/services/din-id-card/start")
        assert r.status == 303
        base = r.header("Location").rsplit("/page/", 1)[0]
        assert page_post(citizen, base + "/page/reason", {"reason": "lost"}).status == 303
        citizen.server = b
        r = page_post(citizen, base + "/page/police", {"police_report": "PR-42"})
        assert r.status == 303 and r.header("Location") == base + "/page/contact"
        # a new version imported while both run
        form = fixture_form()
        form["version"] = 2
        for lang, title in (("az", "Yeni ərizə"), ("en", "New application form"), ("ru", "Новое заявление")):
            form["title"][lang] = title
        data_root(tmp_path, form)
        r = syslib.run_cli("admin", "import-catalog", "--db", db.url, "--dir", str(root / "catalog"))
        assert r.returncode == 0, r.stderr
        time.sleep(0.05)
        for node in (a, b):
            f = syslib.request(node.port, "GET", "/api/v1/services/din-id-card/form").json()
            assert f["version"] == 2 and f["title"]["en"] == "New application form", node.port
        # the draft keeps its version on either node; a new one takes the new form
        assert page_post(citizen, base + "/page/contact", {"phone": "+994501112233", "birth_date": "1990-12-31"}).status == 303
        citizen.server = a
        assert page_post(citizen, base + "/page/family", {}).status == 303
        check = citizen.get(base + "/check")
        assert check.status == 200 and "PR-42" in check.text
        assert fixture_form()["title"]["az"] in check.text and "Yeni ərizə" not in check.text
        r = citizen.post(base + "/submit", {}, from_page=base + "/check")
        assert r.status == 303 and "?sent=1" in r.header("Location")
        citizen.server = b
        r = citizen.post("/services/din-id-card/apply", {}, from_page="/services/din-id-card/start")
        page = citizen.get(r.header("Location") + "?lang=en")
        assert page.status == 200 and "New application form" in page.text
    finally:
        for node in (a, b):
            if node.proc is not None and node.proc.poll() is None:
                node.stop()
        db.drop()


# ---- the service's own workflow decides the buttons ----------------------------------

def test_a_workflow_without_cancel_and_respond_shows_neither_button(tmp_path):
    form = fixture_form()
    form["workflow"] = {"steps": ["assign_to_me", "register", "start_review", "request_info", "approve", "refuse",
                                  "deliver"],
                        "roles": {"approve": ["agency_admin"]}}
    root = data_root(tmp_path, form)
    work = str(tmp_path)
    db = syslib.Database(work)
    accs = seed(db, work)
    srv = syslib.Server(str(tmp_path / "node"), catalog=str(root / "catalog"), db=db)
    try:
        srv.start()
        tok = api_token(srv, accs, "citizen")
        r = api(srv, "POST", "/api/v1/applications", {"service": "din-id-card", "answers": {
            "reason": "expired", "phone": "+994501234567", "birth_date": "1990-05-17"}}, tok,
            {"Idempotency-Key": "no-cancel-0001"})
        assert r.status == 201, r.text
        ref, version = r.json()["reference"], r.json()["version"]
        citizen = browser(srv, accs, "citizen")
        page = citizen.get("/applications/" + ref)
        assert page.status == 200 and ref in page.text
        assert "/cancel\"" not in page.text and "/respond\"" not in page.text
        r = citizen.post("/applications/%s/cancel" % ref, {"version": version}, from_page="/applications/" + ref)
        assert r.status == 400
        off = api_token(srv, accs, "officer", "din")
        for action, note in (("register", None), ("start_review", None), ("request_info", "Şəkil lazımdır")):
            body = {"action": action, "version": version}
            if note:
                body["note"] = note
            r = api(srv, "POST", "/api/v1/applications/%s/actions" % ref, body, off)
            assert r.status == 200, r.text
            version = r.json()["version"]
        page = citizen.get("/applications/" + ref)
        assert "Şəkil lazımdır" in page.text and "/respond\"" not in page.text and "/cancel\"" not in page.text
        # the officer's page offers what the officer may do: no approval (the administrator's)
        officer = browser(srv, accs, "officer", "din")
        case = officer.get("/office/cases/" + ref)
        buttons = re.findall(r'name="action" value="([a-z_]+)"', case.text)
        assert buttons == ["assign_to_me"], buttons          # waiting for the applicant
        r = api(srv, "POST", "/api/v1/applications", {"service": "din-id-card", "answers": {
            "reason": "expired", "phone": "+994501234567", "birth_date": "1990-05-17"}}, tok,
            {"Idempotency-Key": "no-cancel-0002"})
        ref2, v2 = r.json()["reference"], r.json()["version"]
        for action in ("register", "start_review"):
            v2 = api(srv, "POST", "/api/v1/applications/%s/actions" % ref2, {"action": action, "version": v2}, off).json()["version"]
        buttons = re.findall(r'name="action" value="([a-z_]+)"', officer.get("/office/cases/" + ref2).text)
        assert buttons == ["assign_to_me", "request_info", "refuse"], buttons
        admin = browser(srv, accs, "agency_admin", "din")
        buttons = re.findall(r'name="action" value="([a-z_]+)"', admin.get("/office/cases/" + ref2).text)
        assert buttons == ["assign_to_me", "request_info", "approve", "refuse"], buttons
    finally:
        if srv.proc is not None and srv.proc.poll() is None:
            srv.stop()
        db.drop()


# ---- answer messages in the request's language ------------------------------------------

def test_api_answer_issues_carry_a_message_in_the_requests_language(tmp_path):
    work = str(tmp_path)
    db = syslib.Database(work)
    accs = seed(db, work)
    srv = syslib.Server(str(tmp_path / "node"), db=db)
    try:
        srv.start()
        tok = api_token(srv, accs, "citizen")
        bad = {"service": "din-id-card", "answers": {"reason": "stolen", "colour": "red", "phone": 5}}
        seen = {}
        for lang in ("az", "en", "ru"):
            r = api(srv, "POST", "/api/v1/applications?lang=" + lang, bad, tok, {"Idempotency-Key": "lang-key-" + lang})
            assert r.status == 422, r.text
            errors = {(e["field"], e["code"]): e["message"] for e in r.json()["errors"]}
            assert {("reason", "bad_choice"), ("colour", "unknown_question"), ("phone", "not_text")} <= set(errors)
            assert all(errors.values())
            seen[lang] = errors
        assert seen["en"][("reason", "bad_choice")] == "Choose one of the options"
        assert re.search("[а-яА-Я]", seen["ru"][("colour", "unknown_question")])
        assert seen["az"][("phone", "not_text")] != seen["en"][("phone", "not_text")]
    finally:
        if srv.proc is not None and srv.proc.poll() is None:
            srv.stop()
        db.drop()
