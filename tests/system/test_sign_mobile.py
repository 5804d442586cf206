"""Signing an application with the mobile signature (src/web/sign_mobile.c):
on the check page of a form that asks for a signature, the citizen gives
the phone number (the FİN is the session's); the portal builds the CMS the
application's bytes will carry, the phone signs its digest with PIN2 after
showing the same verification code as the waiting page, and the signature
is stored as a pasted one is (the officer's page shows it, `pencere
verify` accepts the bundle).  Each refusal comes back to the check page,
named in ?sign= and explained.  `pencere phone` is the citizen's phone."""
import os
import re

import pytest

import syslib
from test_cert_login import din_draft, signing_portal
from test_identity import Browser
from test_mobile import PIN1, PIN2, PUK, mid, phone, sim_call, b64
from test_pki_support import CA, openssl, serial_of, wait_for, write

PHONE = "+994553334455"
OTHER_PHONE = "+994553334466"
ANSWER_SECS = 2


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("sign-mobile"))
    ca = CA(os.path.join(work, "ca"))
    ca.serve_args = ("--mobile-answer-secs", str(ANSWER_SECS))
    ca.start()
    srv = signing_portal(work, ca, ["--mid-url", ca.url(""), "--mid-client-key", ca.path("clients", "portal.key"),
                                    "--mid-trust", ca.chain_file()])
    accounts = srv.accounts
    citizens = [a for a in accounts if a["role"] == "citizen"]
    sims = {}
    for number, who in ((PHONE, citizens[0]), (OTHER_PHONE, citizens[1])):
        sim = os.path.join(work, "sim-" + number.strip("+"))
        text = phone(ca, sim, "init", "--phone", number, "--pin1", PIN1, "--pin2", PIN2, "--puk", PUK).stdout
        r = mid(ca, "POST", "/enrolments", {"phoneNumber": number, "nationalIdentityNumber": who["fin"],
                                            "name": who["login"], "sim": text},
                actor={"id": "desk", "role": "registrar"})
        assert r.status == 201, r.text
        sims[number] = sim
    yield {"ca": ca, "srv": srv, "sims": sims, "work": work, "accounts": accounts, "citizen": citizens[0]}
    srv.close()
    ca.close()


def draft(w):
    """A logged-in browser and the address of a filled, unsigned draft."""
    b = Browser(w["srv"])
    b.login(w["citizen"]["login"], w["citizen"]["password"])
    base = din_draft(b)
    return b, base


def start(b, base, number=PHONE):
    """Start signing; the waiting page's address, or the refusal's name."""
    r = b.post(base + "/sign/mobile", {"mid-phone": number}, from_page=base + "/check")
    assert r.status == 303, (r.status, re.sub(r"(?s).*<main[^>]*>", "", r.text)[:600])
    loc = r.header("Location")
    m = re.search(r"\?sign=([a-z-]+)#sign$", loc)
    return m.group(1) if m else loc


def outcome(b, wait):
    r = b.get(wait)
    assert r.status == 303, (r.status, r.text[:300])
    return re.search(r"\?sign=([a-z-]+)#sign$", r.header("Location")).group(1)


def requests(w, number=PHONE):
    out = phone(w["ca"], w["sims"][number], "requests").stdout
    return [line.split("\t") for line in out.splitlines() if line]


def test_signed_on_the_phone_then_sent_and_the_bundle_verifies(world):
    b, base = draft(world)
    check = b.get(base + "/check?lang=en")
    assert 'action="%s/sign/mobile"' % base in check.text and "Sign with the mobile signature" in check.text
    # the number on the person's record is there to start with
    assert re.search(r'<input[^>]*id="mid-phone"[^>]*value="\+994\d{9}"', check.text)
    wait = start(b, base)
    assert wait == base + "/sign/mobile"
    page = b.get(wait)
    assert page.status == 200 and page.header("Refresh") == "2"
    assert 'action="%s/sign/mobile"' % base in page.text  # the Continue button, without script
    code = re.search(r'id="verification-code">(\d{4})<', page.text).group(1)
    reqs = requests(world)
    assert len(reqs) == 1 and reqs[0][1] == "signature" and reqs[0][2] == code
    assert phone(world["ca"], world["sims"][PHONE], "approve", "--pin", PIN2, reqs[0][0]).stdout.strip() == "OK"
    assert outcome(b, wait) == "ok"
    assert "pc_mids" not in b.cookies
    assert "The application is signed" in b.get(base + "/check?lang=en").text
    # the signed bytes are the application's, and the CMS verifies on its own
    data = b.get(base + "/to-sign").body
    r = b.post(base + "/submit", {}, from_page=base + "/check")
    assert r.status == 303 and "?sent=1" in r.header("Location"), r.header("Location")
    ref = re.search(r"(AZ-\d{4}-\d{8})", r.header("Location")).group(1)
    officer = Browser(world["srv"])
    off = [a for a in world["accounts"] if a["role"] == "officer" and a["agency"] == "din"][0]
    officer.login(off["login"], off["password"])
    case = officer.get("/office/cases/%s?lang=en" % ref)
    cert = mid(world["ca"], "POST", "/certificate", {"relyingPartyName": "test", "phoneNumber": PHONE,
                                                      "nationalIdentityNumber": world["citizen"]["fin"]}).json()["cert"]
    pem = write(os.path.join(world["work"], "sim-sign.pem"), cert)
    assert case.status == 200 and "Verified by the portal" in case.text and serial_of(pem) in case.text.upper()
    doc = officer.get("/office/cases/%s/signed/application.json" % ref)
    p7s = officer.get("/office/cases/%s/signed/application.json.p7s" % ref)
    assert doc.status == 200 and p7s.status == 200 and doc.body == data
    path = os.path.join(world["work"], "mobile-bundle.json")
    open(path, "wb").write(doc.body)
    open(path + ".p7s", "wb").write(p7s.body)
    r = syslib.run_cli("verify", "--trust", world["ca"].chain_file(), path, path + ".p7s")
    assert r.returncode == 0, r.stdout + r.stderr
    openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", path + ".p7s", "-content", path,
            "-CAfile", world["ca"].chain_file(), "-purpose", "any", "-out", os.devnull)


def test_every_refusal_comes_back_named_and_explained(world):
    b, base = draft(world)
    # refused on the phone
    wait = start(b, base)
    sid = requests(world)[0][0]
    phone(world["ca"], world["sims"][PHONE], "refuse", sid)
    assert outcome(b, wait) == "mobile-cancelled"
    assert "The request was refused on the phone." in b.get(base + "/check?sign=mobile-cancelled&lang=en").text
    # a number without a mobile signature of this person: another person's phone, or a stranger's
    assert start(b, base, OTHER_PHONE) == "mobile-not-client"
    assert start(b, base, "+994559999999") == "mobile-not-client"
    assert "no active mobile signature" in b.get(base + "/check?sign=mobile-not-client&lang=en").text
    assert start(b, base, "12") == "mobile-phone"
    # a post without the session's CSRF token starts nothing; a stranger's session finds no application
    assert b.post(base + "/sign/mobile", {"mid-phone": PHONE}, csrf=False).status == 403
    stranger = Browser(world["srv"])
    other = [a for a in world["accounts"] if a["role"] == "citizen"][1]
    stranger.login(other["login"], other["password"])
    assert stranger.post(base + "/sign/mobile", {"mid-phone": OTHER_PHONE}, from_page="/account").status == 404
    assert stranger.get(base + "/sign/mobile").status == 404
    assert requests(world) == [] and requests(world, OTHER_PHONE) == []
    # the phone signs another hash: the service calls it a mismatch
    wait = start(b, base)
    sid = requests(world)[0][0]
    other = os.path.join(world["work"], "other-hash")
    open(other, "wb").write(os.urandom(32))
    sig = openssl("pkeyutl", "-sign", "-inkey", os.path.join(world["sims"][PHONE], "sign.pem"), "-in", other).stdout
    r = sim_call(world["ca"], world["sims"][PHONE], "POST", "/mid/sim/v1/requests/" + sid,
                 {"answer": "signature", "signature": b64(sig)})
    assert r.status == 200 and r.json()["result"] == "SIGNATURE_HASH_MISMATCH"
    assert outcome(b, wait) == "mobile-mismatch"
    assert "does not match this application" in b.get(base + "/check?sign=mobile-mismatch&lang=en").text
    # the phone had it and nobody answered
    wait = start(b, base)
    requests(world)
    ends = []
    wait_for(lambda: ends.append(b.get(wait)) or ends[-1].status == 303, timeout=ANSWER_SECS + 10)
    assert ends[-1].header("Location").endswith("?sign=mobile-timeout#sign")
    assert "not answered on the phone in time" in b.get(base + "/check?sign=mobile-timeout&lang=en").text
    # a waiting page without its cookie, or with a forged one, signs nothing
    assert outcome(b, wait) == "mobile-expired"
    b.cookies["pc_mids"] = "%s.%d.%s" % ("0" * 32, 1700000000, "A" * 43)
    assert outcome(b, wait) == "mobile-expired"
    assert "no longer valid" in b.get(base + "/check?sign=mobile-expired&lang=en").text
    assert "The application is signed" not in b.get(base + "/check?lang=en").text


def test_answers_changed_while_the_phone_signed_are_not_signed(world):
    b, base = draft(world)
    wait = start(b, base)
    url = base + "/page/reason"
    version = re.search(r'name="_version" value="(\d+)"', b.get(url).text).group(1)
    assert b.post(url, {"reason": "lost", "_version": version}, from_page=url).status == 303
    sid = requests(world)[0][0]
    assert phone(world["ca"], world["sims"][PHONE], "approve", "--pin", PIN2, sid).stdout.strip() == "OK"
    assert outcome(b, wait) == "bad-signature"
    assert "The application is signed" not in b.get(base + "/check?lang=en").text
