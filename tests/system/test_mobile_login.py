"""Logging in to the portal with the phone (src/web/login_mobile.c): the
mobile signature (number and FİN typed, the verification code on the page
and on the phone, approved with PIN1) and QR login (the page shows a QR
code, decoded here with zbarimg as a phone's camera would; the emulator
scans its text).  The portal runs with --mid-url against a CA role that
hosts the service; `pencere phone` is the person's phone.  Refusals end
on a page that says why; the waiting page continues by itself (Refresh
header) and has a Continue button for browsers without it."""
import base64
import json
import os
import re
import subprocess

import pytest

import syslib
from test_identity import Browser
from test_mobile import PIN1, PIN2, PUK, mid, phone
from test_pki_support import CA

PHONE = "+994552223344"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("mobile-login"))
    ca = CA(os.path.join(work, "ca-work"))
    ca.start()
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    citizen = [a for a in accounts if a["role"] == "citizen"][0]
    srv = syslib.Server(work, db=db, extra=["--mid-url", ca.url(""), "--mid-client-key",
                                            ca.path("clients", "portal.key"), "--mid-trust", ca.chain_file()])
    srv.start()
    sim = os.path.join(work, "sim")
    text = phone(ca, sim, "init", "--phone", PHONE, "--pin1", PIN1, "--pin2", PIN2, "--puk", PUK).stdout
    r = mid(ca, "POST", "/enrolments", {"phoneNumber": PHONE, "nationalIdentityNumber": citizen["fin"],
                                        "name": "Demo Vətəndaş", "sim": text}, actor={"id": "desk", "role": "registrar"})
    assert r.status == 201, r.text
    registrar = [a for a in accounts if a["role"] == "registrar"][0]
    persons = json.load(open(os.path.join(work, "demo-persons.json")))
    yield {"ca": ca, "srv": srv, "sim": sim, "fin": citizen["fin"], "work": work, "registrar": registrar,
           "persons": persons}
    srv.close()
    ca.close()


def start_mobile(w, fin=None, number=PHONE):
    b = Browser(w["srv"])
    r = b.post("/login/mobile", {"phone": number.replace("+994", "+994 "), "fin": (fin or w["fin"]).lower(),
                                 "next": "/account"}, from_page="/login/mobile")
    assert r.status == 303 and r.header("Location").startswith("/login/mobile/wait"), (r.status, r.text[:300])
    return b, r.header("Location")


def pending_ids(w):
    out = phone(w["ca"], w["sim"], "requests").stdout
    return [line.split("\t") for line in out.splitlines() if line]


def test_the_login_page_offers_the_phone(world):
    page = Browser(world["srv"]).get("/login").text
    assert 'href="/login/mobile"' in page and 'action="/login/qr"' in page


def test_mobile_signature_login_same_code_then_logged_in(world):
    b, wait = start_mobile(world)
    page = b.get(wait)
    assert page.status == 200 and page.header("Refresh") == "2"
    code = re.search(r'id="verification-code">(\d{4})<', page.text).group(1)
    assert 'action="/login/mobile/wait"' in page.text  # the Continue button, without script
    reqs = pending_ids(world)
    assert len(reqs) == 1 and reqs[0][2] == code and reqs[0][1] == "authentication"
    assert phone(world["ca"], world["sim"], "approve", "--pin", PIN1, reqs[0][0]).stdout.strip() == "OK"
    r = b.get(wait)
    assert r.status == 303 and r.header("Location") == "/account", r.text[:500]
    assert "pc_mid" not in b.cookies
    acc = b.get("/account")
    assert acc.status == 200 and world["fin"] in acc.text
    # the cookie of the finished login is spent: waiting again starts nothing
    assert b.get(wait).status == 400


def test_refused_on_the_phone_says_so(world):
    b, wait = start_mobile(world)
    sid = pending_ids(world)[0][0]
    phone(world["ca"], world["sim"], "refuse", sid)
    r = b.get(wait)
    assert r.status == 401 and ("rədd edildi" in r.text or "refused" in r.text)
    assert b.get("/account").status in (302, 303)


def test_no_mobile_signature_for_this_fin(world):
    b, wait = start_mobile(world, fin="7ZZZZZZ")
    r = b.get(wait)
    assert r.status == 401 and "/login/mobile" in r.text


def test_bad_number_and_fin_are_named(world):
    b = Browser(world["srv"])
    r = b.post("/login/mobile", {"phone": "050 222 33 44", "fin": "12"}, from_page="/login/mobile")
    assert r.status == 400 and 'href="#phone"' in r.text and 'href="#fin"' in r.text


def test_a_forged_waiting_cookie_logs_nobody_in(world):
    b = Browser(world["srv"])
    b.cookies["pc_mid"] = "m.%s.%s.%s" % ("0" * 32, "A" * 43, world["fin"])
    assert b.get("/login/mobile/wait").status == 400
    b.cookies["pc_mid"] = "garbage"
    assert b.get("/login/mobile/wait").status == 400


def zbar(png_bytes, path):
    with open(path, "wb") as f:
        f.write(png_bytes)
    r = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_qr_login_scanned_from_the_page(world, tmp_path):
    b = Browser(world["srv"])
    r = b.post("/login/qr", {"next": "/account"}, from_page="/login")
    assert r.status == 303
    page = b.get(r.header("Location"))
    assert page.status == 200 and page.header("Refresh") == "2"
    uri = re.search(r'<img class="qr" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page.text).group(1)
    text = zbar(base64.b64decode(uri), str(tmp_path / "qr.png"))
    typed = re.search(r'id="qr-code">([A-Z2-7-]+)<', page.text).group(1)
    assert text.startswith("PCQR1:") and text[6:] == typed.replace("-", "")
    line = phone(world["ca"], world["sim"], "scan", text).stdout.strip().split("\t")
    assert line[1] == "qr" and line[-1] == "from 127.0.0.1"
    assert b.get(r.header("Location")).status == 200  # scanned, not yet approved
    phone(world["ca"], world["sim"], "approve", "--pin", PIN1, line[0])
    done = b.get(r.header("Location"))
    assert done.status == 303 and done.header("Location") == "/account"
    assert world["fin"] in b.get("/account").text
    # the same code again: a replay, refused by the service
    again = phone(world["ca"], world["sim"], "scan", text, check=False)
    assert again.returncode == 1 and "used" in again.stderr


def test_without_the_service_the_pages_say_unavailable(make_server):
    srv = make_server()
    b = Browser(srv)
    assert 'action="/login/qr"' not in b.get("/login").text
    r = b.post("/login/mobile", {"phone": PHONE, "fin": "5XK2M7P"}, from_page="/login/mobile")
    assert r.status == 503


def test_desk_registers_a_mobile_signature_and_the_person_logs_in(world):
    person = world["persons"][0]  # no portal account yet
    desk = Browser(world["srv"])
    desk.login(world["registrar"]["login"], world["registrar"]["password"])
    page = desk.get("/registrar/persons/%s" % person["fin"])
    assert 'href="/registrar/persons/%s/mobile"' % person["fin"] in page.text
    form = "/registrar/persons/%s/mobile" % person["fin"]
    number = "+994553334455"
    sim = os.path.join(world["work"], "sim-desk")
    text = phone(world["ca"], sim, "init", "--phone", number, "--pin1", PIN1, "--pin2", PIN2, "--puk", PUK).stdout
    bad = desk.post(form, {"phone": number, "sim": text[:200]})
    assert bad.status == 400 and 'href="#sim"' in bad.text
    r = desk.post(form, {"phone": number, "sim": text})
    assert r.status == 200, r.text[:500]
    assert number in r.text and person["fin"] in r.text
    # a citizen may not use the desk
    citizen = Browser(world["srv"])
    b, wait = start_mobile(world, fin=person["fin"], number=number)
    sid = [line.split("\t") for line in phone(world["ca"], sim, "requests").stdout.splitlines()][0][0]
    phone(world["ca"], sim, "approve", "--pin", PIN1, sid)
    done = b.get(wait)
    assert done.status == 303, done.text[:500]
    assert person["fin"] in b.get("/account").text
    assert citizen.get(form).status in (302, 303, 403)
