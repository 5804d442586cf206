"""Payments of fees (issue 14, items 1 and 2), end to end with the real
emulator (`pencere payprovider`) in its own process: the fee shown before
starting, paying through the card page (success, decline, 3-D Secure, a
bank that never answers, duplicate and out-of-order callbacks), a fee paid
before submission in the HTML flow, forged, replayed and mismatched
callbacks, a success after the payer gave up, refunds by the agency (never
above what was paid), and the reconciliation finding the mismatch planted
in the settlement file.  Fixture catalogue: din-id-card (5 AZN, paid
later) and a copy din-id-card-paid whose fee is paid before submission."""
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import time

import pytest

import syslib
from test_identity import Browser

SECRET = "test-secret-0123456789abcdef"
KEY = "test-key-abc"
GOOD = {"reason": "expired", "phone": "+994501234567", "birth_date": "1990-05-17", "children": 0}


def call(port, method, path, body=None, token=None, headers=None):
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    r = syslib.request(port, method, path, headers=h, body=data)
    return r.status, (r.json() if r.body and "json" in (r.header("Content-Type") or "") else {}), r


class Emulator:
    def __init__(self, work):
        self.port = syslib.free_port()
        for name, value in (("key", KEY), ("secret", SECRET)):
            with open(os.path.join(work, name), "w") as f:
                f.write(value + "\n")
        self.err = open(os.path.join(work, "payprovider.log"), "wb")
        self.proc = subprocess.Popen([syslib.BIN, "payprovider", "--listen", "127.0.0.1:%d" % self.port,
                                      "--key-file", os.path.join(work, "key"), "--secret-file",
                                      os.path.join(work, "secret"), "--plant-mismatch"],
                                     stdout=subprocess.DEVNULL, stderr=self.err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                syslib.request(self.port, "GET", "/pay/none", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the emulator did not start")

    def card(self, pid, number, **extra):
        """Pay on the card page; returns the answer of the bank's "done"
        page, whose Location is where its link leads back (the portal's
        return page), or the 3-D Secure page."""
        body = "&".join("%s=%s" % kv for kv in dict(card=number, **extra).items()).encode()
        r = syslib.request(self.port, "POST", "/pay/" + pid, body=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        return self.done(r)

    def done(self, r):
        if r.status != 303:
            return r
        assert r.header("Location") == "/pay/%s/done" % r.header("Location").split("/")[2], r.header("Location")
        page = syslib.request(self.port, "GET", r.header("Location"))
        assert page.status == 200
        back = re.search(r'<a href="([^"]+)">Return to the service</a>', page.text).group(1)
        return syslib.Response(303, "See Other", [("Location", back)], b"")

    def stop(self):
        self.proc.terminate()
        assert self.proc.wait(10) == 0
        self.err.close()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("payments"))
    root = os.path.join(work, "data")
    shutil.copytree(syslib.FIXTURE, os.path.join(root, "catalog"))
    os.makedirs(os.path.join(root, "forms"))
    form = json.load(open(os.path.join(os.path.dirname(syslib.FIXTURE), "forms", "din-id-card.json")))
    shutil.copy(os.path.join(os.path.dirname(syslib.FIXTURE), "forms", "din-id-card.json"), os.path.join(root, "forms"))
    # a copy whose fee is paid before submission: one page only
    paid = dict(form, service="din-id-card-paid", pages=form["pages"][:1], workflow={"fee": "before_submission"})
    with open(os.path.join(root, "forms", "din-id-card-paid.json"), "w") as f:
        json.dump(paid, f, ensure_ascii=False)
    services = syslib.read_jsonl(os.path.join(root, "catalog", "services.jsonl"))
    copy = dict([s for s in services if s["id"] == "din-id-card"][0], id="din-id-card-paid")
    copy["name"] = {k: v + " (paid first)" for k, v in copy["name"].items()}
    syslib.write_jsonl_lines(os.path.join(root, "catalog", "services.jsonl"),
                             [json.dumps(s, ensure_ascii=False) for s in services + [copy]])
    emu = Emulator(work)
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = syslib.Server(work, catalog=os.path.join(root, "catalog"), db=db,
                        extra=["--pay-url", "http://127.0.0.1:%d" % emu.port, "--pay-key-file",
                               os.path.join(work, "key"), "--pay-secret-file", os.path.join(work, "secret")])
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.tokens = {}
    srv.emu = emu
    yield srv
    srv.close()
    emu.stop()


def token(srv, role, agency=None, index=0):
    key = (role, agency, index)
    if key not in srv.tokens:
        a = [x for x in srv.accounts if x["role"] == role and (agency is None or x["agency"] == agency)][index]
        st, body, _ = call(srv.port, "POST", "/api/v1/auth/password", {"login": a["login"], "password": a["password"]})
        assert st == 200, body
        srv.tokens[key] = body["token"]
    return srv.tokens[key]


_n = iter(range(10 ** 6))


def application(srv, who=0):
    st, body, _ = call(srv.port, "POST", "/api/v1/applications", {"service": "din-id-card", "answers": GOOD},
                       token(srv, "citizen", index=who), {"Idempotency-Key": "pay-%08d-%d" % (next(_n), os.getpid())})
    assert st == 201, body
    return body["reference"]


def start_payment(srv, ref, who=0):
    st, p, _ = call(srv.port, "POST", "/api/v1/applications/%s/payments" % ref, {}, token(srv, "citizen", index=who))
    assert st == 201, p
    return p


def payment(srv, pid, who=0):
    st, p, _ = call(srv.port, "GET", "/api/v1/payments/" + pid, token=token(srv, "citizen", index=who))
    assert st == 200, p
    return p


def provider_id(p):
    return p["next_url"].rsplit("/", 1)[1]


def signed(body, t=None, secret=SECRET):
    raw = json.dumps(body).encode()
    t = int(time.time()) if t is None else t
    mac = hmac.new(secret.encode(), str(t).encode() + b"." + raw, hashlib.sha256).hexdigest()
    return raw, {"Pay-Signature": "t=%d,v1=%s" % (t, mac)}


def callback(srv, body, **kw):
    raw, h = signed(body, **kw)
    return call(srv.port, "POST", "/api/v1/payments/callback", raw, headers=h)


def event(p, status, amount=500, eid=None):
    return {"event_id": eid or "test-%d" % next(_n), "payment_id": provider_id(p), "reference": p["id"],
            "status": status, "amount": amount, "currency": "AZN"}


def test_the_fee_is_shown_before_starting(env):
    later = Browser(env).get("/services/din-id-card/start?lang=en").text
    assert "5.00 manat" in later and "once the application is sent" in later
    first = Browser(env).get("/services/din-id-card-paid/start?lang=en").text
    assert "5.00 manat" in first and "before the application is sent" in first
    assert "5.00" not in Browser(env).get("/services/din-fine-check/start?lang=en").text


def test_a_card_payment_succeeds_once_and_gets_a_receipt(env):
    ref = application(env)
    p = start_payment(env, ref)
    assert p["status"] == "created" and p["amount"] == 500 and p["currency"] == "AZN"
    assert p["next_url"].startswith("http://127.0.0.1:%d/pay/" % env.emu.port)
    # asking again while it is under way: the same payment, no second charge
    assert start_payment(env, ref)["id"] == p["id"]
    r = env.emu.card(provider_id(p), "4242424242424242")
    assert r.status == 303 and r.header("Location").endswith("/payments/%s/return" % p["id"])
    done = payment(env, p["id"])
    assert done["status"] == "success" and done["paid_at"] and not done["late"]
    # paid: a new payment is refused
    st, body, _ = call(env.port, "POST", "/api/v1/applications/%s/payments" % ref, {}, token(env, "citizen"))
    assert st == 409, body
    # someone else cannot see it
    st, _, _ = call(env.port, "GET", "/api/v1/payments/" + p["id"], token=token(env, "citizen", index=1))
    assert st == 404
    # the return page and the receipt (HTML and PDF) for the payer
    a = [x for x in env.accounts if x["role"] == "citizen"][0]
    b = Browser(env)
    b.login(a["login"], a["password"])
    back = b.get("/payments/%s/return?lang=en" % p["id"])
    assert back.status == 200 and "the payment was received" in back.text
    receipt = b.get("/payments/%s/receipt" % p["id"])
    assert receipt.status == 200 and p["id"] in receipt.text and "5.00" in receipt.text
    pdf = b.get("/payments/%s/receipt.pdf" % p["id"])
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF-") and pdf.header("Content-Type") == "application/pdf"
    assert "attachment" in pdf.header("Content-Disposition")
    app = b.get("/applications/" + ref)
    assert p["id"] in app.text and "/pay\"" not in app.text


def test_declined_then_paid_with_3d_secure(env):
    ref = application(env)
    p = start_payment(env, ref)
    assert env.emu.card(provider_id(p), "4000000000000002").status == 303
    assert payment(env, p["id"])["status"] == "failed"
    # a new attempt is a new payment; the 3-D Secure code wrong, then right
    p2 = start_payment(env, ref)
    assert p2["id"] != p["id"]
    page = env.emu.card(provider_id(p2), "4000000000003220")
    assert page.status == 200 and b'action="/pay/%s/3ds"' % provider_id(p2).encode() in page.body
    assert payment(env, p2["id"])["status"] == "started"
    r = env.emu.done(syslib.request(env.emu.port, "POST", "/pay/%s/3ds" % provider_id(p2), body=b"code=000000",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"}))
    assert r.status == 303 and payment(env, p2["id"])["status"] == "failed"
    p3 = start_payment(env, ref)
    env.emu.card(provider_id(p3), "4000000000003220")
    syslib.request(env.emu.port, "POST", "/pay/%s/3ds" % provider_id(p3), body=b"code=123456",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert payment(env, p3["id"])["status"] == "success"


def test_duplicate_and_out_of_order_callbacks_count_once(env):
    for card in ("4000000000000259", "4000000000000267"):
        ref = application(env)
        p = start_payment(env, ref)
        env.emu.card(provider_id(p), card)
        done = payment(env, p["id"])
        assert done["status"] == "success" and done["amount"] == 500, card
    # a replay of a callback already taken changes nothing
    st, body, _ = callback(env, event(p, "success", eid="%s-e3" % provider_id(p)))
    assert st == 200 and body["outcome"] == "duplicate"
    # older news after the final status is stale
    st, body, _ = callback(env, event(p, "started"))
    assert st == 200 and body["outcome"] == "stale" and payment(env, p["id"])["status"] == "success"


def test_a_bank_that_never_answers_leaves_the_payment_waiting(env):
    ref = application(env)
    p = start_payment(env, ref)
    env.emu.card(provider_id(p), "4000000000000119")
    assert payment(env, p["id"])["status"] == "submitted"
    a = [x for x in env.accounts if x["role"] == "citizen"][0]
    b = Browser(env)
    b.login(a["login"], a["password"])
    assert "has not confirmed the payment yet" in b.get("/payments/%s/return?lang=en" % p["id"]).text


def test_forged_replayed_and_mismatched_callbacks(env):
    ref = application(env)
    p = start_payment(env, ref)
    body = event(p, "success")
    raw, h = signed(body)
    # unsigned, wrong key, a changed body, an old time: refused, nothing moves
    assert call(env.port, "POST", "/api/v1/payments/callback", raw)[0] == 403
    assert callback(env, body, secret="another-secret-0123456789")[0] == 403
    assert call(env.port, "POST", "/api/v1/payments/callback", raw.replace(b"500", b"5"), headers=h)[0] == 403
    assert callback(env, body, t=int(time.time()) - 3600)[0] == 403
    assert payment(env, p["id"])["status"] == "created"
    # a payment we do not have, or another payment's provider id
    assert callback(env, dict(body, reference="PAY-000000000000000000000000"))[0] == 404
    assert callback(env, dict(body, payment_id="pp_someoneelse"))[0] == 404
    # not a callback at all
    raw, h = signed({"hello": 1})
    assert call(env.port, "POST", "/api/v1/payments/callback", raw, headers=h)[0] == 400
    # the right signature but another amount: never a success
    st, out, _ = callback(env, event(p, "success", amount=50))
    assert st == 200 and out["outcome"] == "amount_mismatch"
    bad = payment(env, p["id"])
    assert bad["status"] == "error" and "50" in bad["problem"]


def test_a_success_after_the_payer_gave_up_is_taken_and_flagged(env):
    ref = application(env)
    p = start_payment(env, ref)
    r = env.emu.card(provider_id(p), "", cancel="1")
    assert r.status == 303 and payment(env, p["id"])["status"] == "cancelled"
    st, out, _ = callback(env, event(p, "success"))
    assert st == 200 and out["outcome"] == "late_success"
    late = payment(env, p["id"])
    assert late["status"] == "success" and late["late"]


def test_refunds_by_the_agency_never_above_what_was_paid(env):
    ref = application(env)
    p = start_payment(env, ref)
    env.emu.card(provider_id(p), "4242424242424242")
    off = token(env, "officer", "din")
    url = "/api/v1/payments/%s/refunds" % p["id"]
    st, r1, _ = call(env.port, "POST", url, {"amount": 200, "reason": "partly"}, off)
    assert st == 201 and r1["status"] == "done" and r1["amount"] == 200
    st, body, _ = call(env.port, "POST", url, {"amount": 301, "reason": "too much"}, off)
    assert st == 400, body
    st, _, _ = call(env.port, "POST", url, {"amount": 300, "reason": "the rest"}, off)
    assert st == 201
    st, _, _ = call(env.port, "POST", url, {"amount": 1, "reason": "more"}, off)
    assert st == 400
    assert call(env.port, "POST", url, {"amount": 0, "reason": "zero"}, off)[0] == 400
    assert call(env.port, "POST", url, {"amount": 1}, off)[0] in (400, 404)
    # the citizen and another agency's officer: not found
    assert call(env.port, "POST", url, {"amount": 1, "reason": "x"}, token(env, "citizen"))[0] == 404
    assert call(env.port, "POST", url, {"amount": 1, "reason": "x"}, token(env, "officer", "emdk"))[0] == 404
    done = payment(env, p["id"])
    assert done["refunded"] == 500 and sorted(r["amount"] for r in done["refunds"]) == [200, 300]


def test_refund_form_in_the_back_office(env):
    ref = application(env)
    p = start_payment(env, ref)
    env.emu.card(provider_id(p), "4242424242424242")
    a = [x for x in env.accounts if x["role"] == "officer" and x["agency"] == "din"][0]
    b = Browser(env)
    b.login(a["login"], a["password"])
    assert "/office/payments/" + p["id"] in b.get("/office/cases/" + ref).text
    page = "/office/payments/" + p["id"]
    r = b.post(page + "/refund", {"amount": "9", "reason": "x"}, from_page=page)
    assert r.status == 400 and 'href="#amount"' in r.text
    r = b.post(page + "/refund", {"amount": "1,50", "reason": "partly"}, from_page=page)
    assert r.status == 303
    assert payment(env, p["id"])["refunded"] == 150


def test_a_fee_paid_before_submission(env):
    a = [x for x in env.accounts if x["role"] == "citizen"][1]
    b = Browser(env)
    b.login(a["login"], a["password"])
    r = b.post("/services/din-id-card-paid/apply", {}, from_page="/services/din-id-card-paid/start")
    draft = re.match(r"/applications/([0-9a-f]{32})/page/reason", r.header("Location")).group(1)
    page = b.get("/applications/%s/page/reason" % draft)
    version = re.search(r'name="_version" value="(\d+)"', page.text).group(1)
    r = b.post("/applications/%s/page/reason" % draft, {"reason": "expired", "_version": version},
               from_page="/applications/%s/page/reason" % draft)
    assert r.header("Location") == "/applications/%s/check" % draft
    check = b.get("/applications/%s/check" % draft)
    assert 'action="/applications/%s/pay"' % draft in check.text and "/submit" not in check.text
    # sending without paying goes back to the check page; the API cannot skip it either
    r = b.post("/applications/%s/submit" % draft, {}, from_page="/applications/%s/check" % draft)
    assert r.status == 303 and r.header("Location").endswith("/check")
    st, _, _ = call(env.port, "POST", "/api/v1/applications", {"service": "din-id-card-paid", "answers": {"reason": "expired"}},
                    token(env, "citizen", index=1), {"Idempotency-Key": "paid-first-%d" % os.getpid()})
    assert st == 403
    r = b.post("/applications/%s/pay" % draft, {}, from_page="/applications/%s/check" % draft)
    # a form leads only to this site (CSP form-action 'self'): our page links to the bank's
    assert r.status == 303 and re.match(r"^/payments/PAY-[0-9a-f]+/go$", r.header("Location")), r.header("Location")
    go = b.get(r.header("Location"))
    pid = re.search(r'href="http://127\.0\.0\.1:%d/pay/(pp_[0-9a-f]+)"' % env.emu.port, go.text).group(1)
    back = env.emu.card(pid, "4242424242424242").header("Location")
    # the callback submitted the draft: the return page links to the case
    page = b.get(back[back.index("/payments/"):] + "?lang=en")
    ref = re.search(r'href="/applications/(AZ-\d{4}-\d{8})"', page.text).group(1)
    st, app, _ = call(env.port, "GET", "/api/v1/applications/" + ref, token=token(env, "citizen", index=1))
    assert st == 200 and app["status"] == "submitted"


def test_reconciliation_finds_the_planted_mismatch(env):
    ref = application(env)
    p = start_payment(env, ref)
    env.emu.card(provider_id(p), "4242424242424242")
    day = time.strftime("%Y-%m-%d", time.gmtime())
    op = token(env, "operator")
    st, rec, _ = call(env.port, "POST", "/api/v1/payments/reconciliation", {"day": day}, op)
    assert st == 200, rec
    kinds = {(i["kind"], i["payment"]) for i in rec["items"]}
    assert rec["lines"] >= 1 and rec["mismatches"] == len(rec["items"])
    # the planted one: the provider says 1 AZN more for its first success
    assert any(k == "amount" for k, _ in kinds), rec
    planted = [i for i in rec["items"] if i["kind"] == "amount"][0]
    assert planted["theirs"] == planted["ours"] + 100
    # a payment in error at our side that the bank never settled is no mismatch; one
    # we refused (amount mismatch) the bank still calls created: a status mismatch
    assert all(i["kind"] in ("amount", "status", "missing", "extra") for i in rec["items"])
    assert call(env.port, "POST", "/api/v1/payments/reconciliation", {"day": "yesterday"}, op)[0] == 400
    assert call(env.port, "POST", "/api/v1/payments/reconciliation", {"day": day}, token(env, "citizen"))[0] == 403
    a = [x for x in env.accounts if x["role"] == "operator"][0]
    b = Browser(env)
    b.login(a["login"], a["password"])
    page = b.get("/operator/payments?lang=en")
    assert page.status == 200 and 'data-kind="amount"' in page.text and planted["payment"] in page.text


def test_responses_match_the_openapi_description(env, schemas):
    ref = application(env)
    p = start_payment(env, ref)
    schemas.validate_ref(p, "Payment")
    env.emu.card(provider_id(p), "4242424242424242")
    schemas.validate_ref(payment(env, p["id"]), "Payment")
    st, r, _ = call(env.port, "POST", "/api/v1/payments/%s/refunds" % p["id"], {"amount": 100, "reason": "x"},
                    token(env, "officer", "din"))
    assert st == 201
    schemas.validate_ref(r, "Refund")
    schemas.validate_ref(payment(env, p["id"]), "Payment")
    st, rec, _ = call(env.port, "POST", "/api/v1/payments/reconciliation",
                      {"day": time.strftime("%Y-%m-%d", time.gmtime())}, token(env, "operator"))
    schemas.validate_ref(rec, "Reconciliation")
    st, out, _ = callback(env, event(p, "started"))
    schemas.validate(out, schemas.response_schema("/api/v1/payments/callback", "post", "200"))


def test_nightly_reconciliation_from_the_command_line(env, tmp_path):
    day = time.strftime("%Y-%m-%d", time.gmtime())
    r = syslib.run_cli("admin", "pay-reconcile", "--db", env.db.url, "--day", day, "--pay-url",
                       "http://127.0.0.1:%d" % env.emu.port, "--pay-key-file", os.path.join(env.workdir, "key"),
                       "--pay-secret-file", os.path.join(env.workdir, "secret"))
    # the planted mismatch is there: exit 1, every mismatch printed
    assert r.returncode == 1, r.stderr
    assert "mismatches" in r.stdout and re.search(r"^  amount +PAY-", r.stdout, re.M)
    clean = tmp_path / "settlement.csv"
    clean.write_text("reference,provider_id,status,amount_qepik,refunded_qepik\n")
    r = syslib.run_cli("admin", "pay-reconcile", "--db", env.db.url, "--day", "2001-01-01", "--file", str(clean))
    assert r.returncode == 0 and "0 mismatches" in r.stdout, r.stdout + r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("reference,provider_id,status,amount_qepik,refunded_qepik\nPAY-1,pp,success,x,0\n")
    r = syslib.run_cli("admin", "pay-reconcile", "--db", env.db.url, "--file", str(bad))
    assert r.returncode == 1 and "line 2" in r.stderr
    assert syslib.run_cli("admin", "pay-reconcile", "--db", env.db.url, "--day", "yesterday").returncode == 2


def test_a_provider_that_does_not_answer(env, make_server):
    """The provider takes the connection and never answers when a payment
    is made: after the 5 s bound, 503 with Retry-After, the payment kept in
    error, nothing charged; a new attempt works once the provider is back
    (here: the same database, served by a portal whose provider answers)."""
    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    dead = make_server(catalog=None, start=False)
    own, dead.db = dead.db, env.db
    dead.extra = ["--pay-url", "http://127.0.0.1:%d" % silent.getsockname()[1], "--pay-key-file",
                  os.path.join(env.workdir, "key"), "--pay-secret-file", os.path.join(env.workdir, "secret")]
    try:
        dead.start()
        ref = application(env)
        t0 = time.monotonic()
        st, body, r = call(dead.port, "POST", "/api/v1/applications/%s/payments" % ref, {}, token(env, "citizen"))
        assert st == 503 and r.header("Retry-After"), body
        assert 4 <= time.monotonic() - t0 < 12
        p = start_payment(env, ref)
        assert p["status"] == "created"
        env.emu.card(provider_id(p), "4242424242424242")
        assert payment(env, p["id"])["status"] == "success"
        dead.stop()
    finally:
        silent.close()
        dead.db = own  # the factory drops its own database, not the module's


def test_refunds_at_the_same_time_never_pass_what_was_paid(env):
    import threading
    ref = application(env)
    p = start_payment(env, ref)
    env.emu.card(provider_id(p), "4242424242424242")
    off = token(env, "officer", "din")
    codes = []

    def one():
        codes.append(call(env.port, "POST", "/api/v1/payments/%s/refunds" % p["id"],
                          {"amount": 150, "reason": "at once"}, off)[0])
    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 500 qəpik paid: three refunds of 150 fit, the other five do not
    assert sorted(codes) == [201] * 3 + [400] * 5, codes
    assert payment(env, p["id"])["refunded"] == 450


def test_an_unfinished_draft_is_not_paid_for(env):
    a = [x for x in env.accounts if x["role"] == "citizen"][1]
    b = Browser(env)
    b.login(a["login"], a["password"])
    r = b.post("/services/din-id-card-paid/apply", {}, from_page="/services/din-id-card-paid/start")
    draft = re.match(r"/applications/([0-9a-f]{32})/page/reason", r.header("Location")).group(1)
    st, body, _ = call(env.port, "POST", "/api/v1/applications/%s/payments" % draft, {}, token(env, "citizen", index=1))
    assert st == 400, body
