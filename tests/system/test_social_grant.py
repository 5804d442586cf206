"""Social assistance, branch vemtas2 (issue 17, items 2 and 5): vehicles and
individual entrepreneurs in the evidence of every member (a vehicle over
the limit: the "vehicles" line, not eligible; an entrepreneur's income
counted; an undeclared entrepreneur flagged), the vehicle register down
(the case waits and is retried), a suspended grant resumed by the officer
with the skipped months paid in arrears, and the re-assessment before the
period ends (listed by `pencere social reassess --due`, extended by the
officer).  One portal for the module, the stand-in registries of
test_social with the two new kinds, and a certification centre (seal2):
the extension, the resumption and the ending are sealed with the agency's key, offered
with their signatures, verifiable by `openssl cms -verify`, in the e-safe
once; with the centre down the act fails and nothing changes."""
import hashlib
import json
import os
import re
import subprocess
import time

import pytest

import syslib
from test_identity import Browser
from test_pki_support import CA, openssl, write
from test_social import (CRITERION, PATHS, Registries, account, applicant_fin, apply, member, officer_view, query,
                         start_world, step, to_review)

KINDS = dict(PATHS, vehicles="/vehicles/v1/owners/", entrepreneurs="/taxpayers/v1/entrepreneurs/")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    reg = Registries(KINDS)
    ca = CA(str(tmp_path_factory.mktemp("centre")))
    r = syslib.run_cli("ca", "add-seal", "--data-dir", ca.dir, "--db", ca.db.url, "--agency", "eesmn",
                       "--name", "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi", timeout=120)
    assert r.returncode == 0, r.stderr
    ca.start()
    s = start_world(tmp_path_factory, reg, params_update={
        "max_vehicles": 1, "arrears": True, "reassess_days": 0,
        "count": {"wages": True, "pensions": True, "benefits": False, "business": True}},
        extra=["--ca-url", ca.url(""), "--ca-key-file", ca.path("clients", "portal.key")])
    s.ca = ca
    yield s
    s.close()
    reg.close()
    ca.close()


def sealed_pair(w, b, base, kind, tmp_path):
    """The sealed document of kind under base and its signature, checked by OpenSSL with the centre's chain."""
    doc, sig = b.get("%s/%s-document" % (base, kind)), b.get("%s/%s-signature" % (base, kind))
    assert doc.status == 200 and sig.status == 200, (doc.status, sig.status)
    assert sig.header("Content-Type") == "application/pkcs7-signature"
    d, p = write(str(tmp_path / (kind + ".txt")), doc.body), write(str(tmp_path / (kind + ".p7s")), sig.body)
    openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", p, "-content", d, "-CAfile", w.ca.chain_file(),
            "-purpose", "any", "-out", os.devnull)
    return doc.body


def in_esafe_once(w, ref, act, sealed):
    """The applicant's e-safe holds the act's document once, the sealed bytes."""
    rows = [h for (r, h) in query(w, "SELECT source_ref, sha256 FROM esafe_docs WHERE source = 'social'")
            if r == ref + "-" + act]
    assert rows == [hashlib.sha256(sealed).hexdigest()], rows


def person(w, fin, born, vehicles=0, business=None, **kw):
    """A person of the stand-in registries with vehicles and, when business (AZN a year), an active entrepreneur."""
    w.reg.person(fin, born, **kw)
    w.reg.people[fin]["vehicles"] = {"fin": fin, "vehicles": [
        {"plate": "10-AB-%03d" % (k + 1), "make": "LADA", "model": "Niva", "year": 2010,
         "registered_at": "2015-01-01", "pledged": False, "arrested": False} for k in range(vehicles)]}
    w.reg.people[fin]["entrepreneurs"] = {"fin": fin, "entrepreneurs": [] if business is None else [
        {"voen": "1400000099", "kind": "individual_entrepreneur", "status": "active",
         "income_last_year_azn": business, "owner_fin": fin}]}


def browser(w):
    b = Browser(w)
    a = account(w, "officer", "eesmn")
    b.login(a["login"], a["password"])
    return b


def test_vehicles_and_an_entrepreneur_in_the_evidence(world, schemas):
    me = applicant_fin(world)
    person(world, me, "1985-02-01", vehicles=1, spouse="2VHC7EN")
    person(world, "2VHC7EN", "1987-05-05", vehicles=1, business=1200, spouse=me)
    ref = apply(world, [member("2VHC7EN", "spouse", "1987-05-05", 100)])
    body = officer_view(world, ref)
    assert body["evidence_status"]["state"] == "complete", body["evidence_status"]
    schemas.validate_ref(body, "Application")
    for fin in (me, "2VHC7EN"):
        assert {e["kind"] for e in body["evidence"] if e["person"] == fin} == set(KINDS)
    # declared unemployed, the tax register knows an active entrepreneur
    assert {"flag": "entrepreneur", "person": "2VHC7EN", "declared": "unemployed",
            "registry": "1400000099"} in body["differences"]
    mt = body["means_test"]
    lines = {(l["kind"], l["person"]): l["value"] for l in mt["lines"]}
    assert lines[("business", "2VHC7EN")] == 100.0  # 1,200 AZN a year
    # two vehicles in the household, the rule allows one: not eligible, the line says why
    assert lines[("vehicles", None)] == 2 and mt["eligible"] is False and mt["amount"] == 0
    page = browser(world).get("/office/cases/%s?lang=en" % ref).text
    assert "Income as an individual entrepreneur" in page
    assert "Registered as an active individual entrepreneur in the tax register" in page


def test_the_vehicle_register_down_the_case_waits_and_is_retried(world):
    me = applicant_fin(world)
    person(world, me, "1985-02-01")
    world.reg.down.add("vehicles")
    try:
        ref = apply(world, [])
        st = officer_view(world, ref, until=("waiting",))["evidence_status"]
        assert st["state"] == "waiting" and st["waiting_for"] == "vehicles" and st["next_try_at"]
    finally:
        world.reg.down.discard("vehicles")
    body = officer_view(world, ref)
    assert body["evidence_status"]["state"] == "complete"
    assert {e["kind"] for e in body["evidence"] if e["person"] == me} == set(KINDS)


def granted(w, members=(), **kw):
    """A case granted for an applicant on their own (or with members); its reference."""
    me = applicant_fin(w)
    person(w, me, "1985-02-01", **kw)
    ref = apply(w, list(members))
    assert officer_view(w, ref)["means_test"]["eligible"] is True
    st, a = step(w, ref, "approve", to_review(w, ref), note="Təyin edilsin.")
    assert st == 200, a
    return ref


def test_suspended_then_resumed_with_the_skipped_months_in_arrears(world, tmp_path, schemas):
    person(world, "3SUS4PD", "1950-06-06")
    ref = granted(world, [member("3SUS4PD", "parent", "1950-06-06")])
    world.reg.person("3SUS4PD", "1950-06-06", died="2026-12-01")
    deadline = time.monotonic() + 20
    body = officer_view(world, ref)
    while body["suspension"] is None:
        assert time.monotonic() < deadline, "not suspended"
        time.sleep(0.3)
        body = officer_view(world, ref)
    assert {p["status"] for p in body["payments"]} == {"suspended"}
    # two months went by while suspended (the schedule's first two months moved into the past)
    pays = body["payments"]
    set_months(world, ref, [(pays[0]["order_id"], "2026-10"), (pays[1]["order_id"], "2026-11")])
    b = browser(world)
    page = b.get("/office/cases/%s?lang=en" % ref).text
    assert "Lift the suspension with a reason, or end the assistance." in page
    url = "/office/cases/%s/social/grant" % ref
    r = b.post(url, {"do": "resume", "reason": ""}, from_page="/office/cases/" + ref)
    assert r.status == 400 and "Write the reason" in r.text
    r = b.post(url, {"do": "resume", "reason": "Reyestr səhvi: şəxs sağdır"}, from_page="/office/cases/" + ref)
    assert r.status == 303, r.text[:300]
    body = officer_view(world, ref)
    assert body["suspension"] is None and body["grant"]["resumed_at"]
    # seal2: the resumption's decision sealed with the agency's key, in the e-safe once
    resumed = sealed_pair(world, b, "/office/cases/" + ref + "/decision", "grant-resumed-1", tmp_path)
    assert "Reyestr səhvi: şəxs sağdır".encode() in resumed
    in_esafe_once(world, ref, "resume-1-0", resumed)
    now = time.gmtime()
    first = "%04d-%02d" % (now.tm_year + now.tm_mon // 12, now.tm_mon % 12 + 1)  # the next month: the arrears' month
    arrears = [p for p in body["payments"] if p["paid_in"]]
    assert [p["month"] for p in arrears] == ["2026-10", "2026-11"] and {p["paid_in"] for p in arrears} == {first}
    assert {p["status"] for p in body["payments"]} == {"scheduled"}
    # the bank gets them with the month's own order
    out = str(tmp_path / "orders.txt")
    r = syslib.run_cli("admin", "social-payments", "--db", world.db.url, "--month", first, "--out", out)
    assert r.returncode == 0, r.stderr
    text = open(out).read()
    assert all(p["order_id"] in text for p in arrears)
    page = b.get("/office/cases/%s?lang=en" % ref).text
    assert "Paid in arrears in %s" % first in page
    # asked again after the resumption (the recheck replaces the evidence): the death before it suspends no more
    deadline = time.monotonic() + 20
    while True:
        body = officer_view(world, ref)
        asked = [e["fetched_at"] for e in body["evidence"] if e["person"] == "3SUS4PD" and e["kind"] == "population"]
        if asked and asked[0] > body["grant"]["resumed_at"]:
            break
        assert time.monotonic() < deadline, "not asked again"
        time.sleep(0.3)
    assert body["suspension"] is None
    # audited with its reason
    rows = query(world, "SELECT detail FROM audit_log WHERE action = 'social.resume' AND object_id = ?", ref)
    assert rows and "Reyestr səhvi" in rows[0][0] and "2 month(s) in arrears" in rows[0][0], rows
    # ended later: what went to the bank stays, the rest is cancelled; the applicant is told
    r = b.post(url, {"do": "end", "reason": "Ailə başqa rayona köçüb"}, from_page="/office/cases/" + ref)
    assert r.status == 303, r.text[:300]
    body = officer_view(world, ref)
    schemas.validate_ref(body, "Application")
    assert body["grant"]["ended_at"]
    assert {p["status"] for p in body["payments"] if p["paid_in"]} == {"ordered"}
    assert {p["status"] for p in body["payments"] if not p["paid_in"]} == {"cancelled"}
    sent = [json.loads(p) for (p,) in query(world, "SELECT payload FROM outbox WHERE template = 'social-grant'")]
    assert {"kind": "ended", "reference": ref} in sent, sent
    page = b.get("/office/cases/%s?lang=en" % ref).text
    assert "The assistance has been ended." in page
    # seal2: sealed by the agency, offered with its signature to the officer and the applicant
    assert "Later decisions on the assistance" in page and "/decision/grant-ended-signature" in page
    assert "Resumption 1" in page and "/decision/grant-resumed-1-document" in page
    sealed = sealed_pair(world, b, "/office/cases/" + ref + "/decision", "grant-ended", tmp_path)
    assert ref.encode() in sealed and "Ailə başqa rayona köçüb".encode() in sealed
    in_esafe_once(world, ref, "end-0", sealed)
    citizen = Browser(world)
    a = account(world, "citizen")
    citizen.login(a["login"], a["password"])
    page = citizen.get("/applications/%s?lang=en" % ref).text
    assert "/applications/%s/sealed/grant-ended-document" % ref in page
    assert sealed_pair(world, citizen, "/applications/%s/sealed" % ref, "grant-ended", tmp_path) == sealed
    assert citizen.get("/applications/%s/sealed/grant-ended@1-document" % ref).status == 404


def set_months(w, ref, changes):
    """Move orders' months (the test's stand-in for time passing), on either database."""
    for order, month in changes:
        assert re.match(r"^[A-Z0-9-]+$", order) and re.match(r"^\d{4}-\d\d$", month)
        sql = "UPDATE social_payments SET month = '%s' WHERE order_id = '%s'" % (month, order)
        if w.db.kind == "sqlite":
            import sqlite3
            con = sqlite3.connect(w.db.url)
            con.execute(sql)
            con.commit()
            con.close()
        else:
            r = subprocess.run(["psql", w.db.url, "-c", sql], capture_output=True, text=True, timeout=30)
            assert r.returncode == 0, r.stderr


def test_reassessment_due_listed_and_extended(world, tmp_path, schemas):
    """Last in the module: its parameters re-assess every running grant."""
    ref = granted(world, wages=[40])
    body = officer_view(world, ref)
    months, amount = body["grant"]["months"], body["grant"]["amount"]
    assert body["grant"]["reassessment"] is None and len(body["payments"]) == months
    # wages rose meanwhile; the ministry's new version re-assesses a year before the last month
    person(world, applicant_fin(world), "1985-02-01", wages=[100])
    params = json.load(open(os.path.join(syslib.ROOT, "data", "social", "params.json")))
    v = params["versions"][0]
    v.update(version=7, valid_from="2020-01-01", valid_to="2099-12-31", criterion_qepik=int(CRITERION * 100),
             max_vehicles=1, arrears=True, reassess_days=365)
    pfile = str(tmp_path / "params.json")
    json.dump({"versions": [v]}, open(pfile, "w"))
    r = syslib.run_cli("admin", "social-params", "--db", world.db.url, "--import", pfile)
    assert r.returncode == 0, r.stderr
    r = syslib.run_cli("social", "reassess", "--due", "--db", world.db.url)
    assert r.returncode == 0 and "grant(s) due" in r.stdout, r.stdout + r.stderr
    assert syslib.run_cli("social", "reassess", "--db", world.db.url).returncode == 2  # --due is required
    deadline = time.monotonic() + 30
    while True:
        body = officer_view(world, ref)
        if body["grant"]["reassessment"] and body.get("means_test"):
            break
        assert time.monotonic() < deadline, body.get("evidence_status")
        time.sleep(0.3)
    assert body["means_test"]["amount"] == CRITERION - 100  # the new proposal beside the running grant
    assert body["grant"]["amount"] == amount
    b = browser(world)
    page = b.get("/office/cases/%s?lang=en" % ref).text
    assert "Re-assessment before the period ends" in page and "Extend with the new proposal" in page
    # seal2: the centre down, the extension is not taken (503) and nothing changes
    world.ca.stop()
    try:
        r = b.post("/office/cases/%s/social/grant" % ref, {"do": "extend", "reason": "Yenidən qiymətləndirildi"},
                   from_page="/office/cases/" + ref)
        assert r.status == 503, r.text[:300]
    finally:
        world.ca.start()
    same = officer_view(world, ref)
    assert same["grant"] == body["grant"] and same["payments"] == body["payments"]
    assert (ref + "-extend-0",) not in query(world, "SELECT source_ref FROM esafe_docs WHERE source = 'social'")
    r = b.post("/office/cases/%s/social/grant" % ref, {"do": "extend", "reason": "Yenidən qiymətləndirildi"},
               from_page="/office/cases/" + ref)
    assert r.status == 303, r.text[:300]
    body = officer_view(world, ref)
    schemas.validate_ref(body, "Application")
    g = body["grant"]
    assert g["extensions"] == 1 and g["reassessment"] is None and g["amount"] == CRITERION - 100
    assert g["months"] == 2 * months and len(body["payments"]) == 2 * months
    assert [p["amount"] for p in body["payments"][months:]] == [CRITERION - 100] * months
    assert body["payments"][months]["month"] > body["payments"][months - 1]["month"]
    # the applicant finds the extension in the e-safe
    docs = query(world, "SELECT kind, source_ref, owner_id FROM esafe_docs WHERE source = 'social'")
    assert ("decision", ref + "-extend-0", applicant_fin(world)) in docs, docs
    # seal2: sealed with the agency's key; OpenSSL accepts it with the centre's chain; in the e-safe once
    sealed = sealed_pair(world, b, "/office/cases/" + ref + "/decision", "grant-extended-1", tmp_path)
    assert ("%.2f AZN" % (CRITERION - 100)).encode() in sealed
    in_esafe_once(world, ref, "extend-0", sealed)
    assert "/decision/grant-extended-1-document" in b.get("/office/cases/%s?lang=en" % ref).text
    # and is told by SMS or e-mail
    sent = [json.loads(p) for (p,) in query(world, "SELECT payload FROM outbox WHERE template = 'social-grant'")]
    assert {"kind": "extended", "reference": ref, "amount": "%.2f" % (CRITERION - 100),
            "until": body["payments"][-1]["month"]} in sent, sent
    # extending again is not possible: no re-assessment runs
    r = b.post("/office/cases/%s/social/grant" % ref, {"do": "extend", "reason": "again"},
               from_page="/office/cases/" + ref)
    assert r.status == 409
