"""The back office's page for paper applications (issue 17, item 1;
branch vemtas3): an officer of the service's agency or a post-office
operator registers a paper application on the applicant's behalf — the
applicant found by FİN and identity card, the service's own questions,
the scanned paper attached — through the call the API makes
(case_submit_paper), and hands over the printed receipt.  Every other
role is refused; bad input is shown on the page with what was typed
kept.  One portal (the kiosk tests' fixture) for the module.

With an exchange (branch idcheck; test_once's portal and demo, one for
the module's last tests): the applicant is checked in the population
register — known with that card: accepted, the call carrying the FİN and
the matter; another card, or a person the register does not know (though
the portal does): refused at the field; the register down: 503, nothing
stored, the scan kept — on the page and in the API."""
import re

import syslib
from test_identity import Browser
from test_applications import PNG, call, multipart, token
from test_kiosk import SERVICE, env, login  # noqa: F401 (env: the module's portal)
from test_once import env as exchange  # noqa: F401 (a portal with an exchange: the demo's registers)

FORM = "/office/paper/" + SERVICE
ANSWERS = {"reason": "expired", "phone": "+994501112233", "birth_date": "1990-12-31", "children": "1"}


def action_of(b, form=FORM):
    page = b.get(form + "?lang=en")
    assert page.status == 200, (page.status, page.text[:300])
    # the page takes files: its token travels in its address
    return re.search(r'action="(%s\?csrf=[0-9a-f]+)"' % re.escape(form), page.text).group(1)


def send(env, b, person, scan=("paper.png", PNG, "image/png"), action=None, form=FORM, answers=ANSWERS, **change):
    fields = dict(answers, **{"paper-fin": person["fin"], "paper-card": person["id_card"],
                              "paper-district": "Binəqədi"})
    fields.update(change)
    fields = {k: v for k, v in fields.items() if v is not None}
    body, ct = multipart(fields, {"_scan": scan} if scan else {})
    return syslib.request(env.port, "POST", (action or action_of(b, form)) + "&lang=en", body=body,
                          headers=dict(b._headers(), **{"Content-Type": ct}))


def test_only_those_who_may_register_paper_see_the_page(env):
    r = Browser(env).get(FORM)
    assert r.status == 303 and r.header("Location").startswith("/login"), r.status
    for role, agency in [("citizen", None), ("representative", None), ("officer", "eesmn"), ("inspector", None),
                         ("operator", None), ("registrar", None), ("auditor", None), ("evaluator", None)]:
        b = login(env, role, agency)
        assert b.get(FORM).status == 403, role
        # an officer of another agency registers paper for their own agency's services
        assert ("/office/paper" in b.get("/account").text) == (role == "officer"), role
    postal = login(env, "postal_operator")
    start = postal.get("/office/paper?lang=en")
    assert start.status == 200 and 'href="%s"' % FORM in start.text, start.text[:2000]
    assert 'href="/office/paper"' in start.text   # in the menu
    assert postal.get("/office/paper?service=" + SERVICE).header("Location") == FORM
    r = postal.get("/office/paper?service=no-such-service&lang=en")
    assert r.status == 200 and "No service with this code" in r.text
    assert postal.get("/office/paper/no-such-service").status == 404
    officer = login(env, "officer", "din")
    page = officer.get(FORM + "?lang=en")
    assert page.status == 200 and 'name="paper-fin"' in page.text and 'name="_scan"' in page.text
    # the service's own questions, rendered as on the applicant's pages
    assert 'name="reason"' in page.text and 'name="_add" value="members"' in page.text


def test_a_citizen_cannot_post_the_page(env):
    b = login(env, "citizen")
    r = send(env, b, env.persons[3], action=FORM + "?csrf=" + "0" * 64)
    assert r.status == 403


def test_the_token_is_checked_before_the_scan_is_read(env):
    b = login(env, "postal_operator")
    body, ct = multipart({"paper-fin": env.persons[0]["fin"]}, {"_scan": ("paper.png", PNG, "image/png")})
    r = syslib.request(env.port, "POST", FORM, body=body, headers=dict(b._headers(), **{"Content-Type": ct}))
    assert r.status == 403
    r = syslib.request(env.port, "POST", FORM + "?csrf=" + "a" * 64, body=body,
                       headers=dict(b._headers(), **{"Content-Type": ct}))
    assert r.status == 403


def test_bad_input_is_shown_on_the_page(env):
    b = login(env, "postal_operator")
    person = env.persons[0]
    r = send(env, b, dict(person, fin="0000000"))
    assert r.status == 400 and 'href="#paper-fin"' in r.text and "no person on record" in r.text, r.text[:3000]
    assert 'value="Binəqədi"' in r.text   # what was typed is kept
    # the scan sent with it is kept: the next post needs none
    kept = re.search(r'name="_scan_sha" value="([0-9a-f]{64})"', r.text)
    assert kept and "paper.png" in r.text
    r = send(env, b, dict(person, fin="12"))
    assert r.status == 400 and "7 characters" in r.text
    r = send(env, b, dict(person, id_card="AZE99999999"))
    assert r.status == 400 and 'href="#paper-card"' in r.text
    r = send(env, b, person, scan=None)
    assert r.status == 400 and 'href="#paper-scan"' in r.text and "Attach the scanned" in r.text
    r = send(env, b, person, scan=("paper.png", b"MZ\x90\x00 not a picture" * 20, "image/png"))
    assert r.status == 400 and 'href="#paper-scan"' in r.text
    r = send(env, b, person, scan=("big.pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024 + 10), "application/pdf"))
    assert r.status in (400, 413) and ("too large" in r.text or "too big" in r.text.lower()), r.status
    r = send(env, b, person, reason=None)
    assert r.status == 400 and 'href="#reason-0"' in r.text
    r = send(env, b, person, **{"paper-district": ""})
    assert r.status == 400 and 'href="#paper-district"' in r.text
    # a family member added without JavaScript: the page again, nothing registered
    r = send(env, b, person, _add="members")
    assert r.status == 200 and 'name="members[0].fin"' in r.text
    st, mine, _ = call(env, "GET", "/api/v1/applications", token=token(env, "officer", "din"))
    assert st == 200


def test_a_post_office_operator_registers_and_prints_the_receipt(env):
    b = login(env, "postal_operator")
    person = env.persons[1]
    first = send(env, b, dict(person, fin="0000000"))
    sha = re.search(r'name="_scan_sha" value="([0-9a-f]{64})"', first.text).group(1)
    r = send(env, b, person, scan=None, _scan_sha=sha)
    assert r.status == 303, r.text[:3000]
    receipt_url = r.header("Location")
    ref = re.fullmatch(r"/office/paper/receipt/(AZ-\d{4}-\d{8})", receipt_url).group(1)
    for lang, word in [("az", "qəbzi"), ("en", "Receipt"), ("ru", "Расписка")]:
        page = b.get(receipt_url + "?lang=" + lang)
        assert page.status == 200 and ref in page.text and word in page.text, lang
    assert "Binəqədi" in page.text
    # the receipt is the operator's to hand over, no one else's
    assert login(env, "citizen").get(receipt_url).status == 404
    assert login(env, "officer", "din").get(receipt_url).status == 404
    # the case: the applicant's, channel paper, the scan kept, the operator in its history
    st, case, _ = call(env, "GET", "/api/v1/applications/" + ref, token=token(env, "officer", "din"))
    assert st == 200 and case["channel"] == "paper" and case["district"] == "Binəqədi"
    assert case["history"][0]["action"] == "submit_paper"
    page = login(env, "officer", "din").get("/office/cases/%s?lang=en" % ref).text
    link = re.search(r'href="(/office/cases/%s/files/([0-9a-f]{64}))" download>Scan' % ref, page)
    assert link and link.group(2) == sha


def test_an_officer_of_the_agency_registers_in_every_language(env):
    b = login(env, "officer", "din")
    for lang, title in [("az", "Kağız müraciəti"), ("en", "Register a paper application"),
                        ("ru", "Зарегистрировать бумажное заявление")]:
        page = b.get(FORM + "?lang=" + lang)
        assert page.status == 200 and title in page.text, lang
    r = send(env, b, env.persons[2])
    assert r.status == 303, r.text[:3000]


def test_the_api_names_a_bad_fin_and_district(env):
    from test_kiosk import paper
    tok = token(env, "postal_operator")
    st, body, _ = paper(env, tok, dict(env.persons[0], fin="12"))
    assert st == 400 and body["type"].endswith("/bad-fin"), body
    st, body, _ = paper(env, tok, env.persons[0], district="")
    assert st == 400 and body["type"].endswith("/bad-district"), body


# ---- with an exchange: the population register checks the applicant (idcheck) --

VEMTAS = "/office/paper/eesmn-vemtas"
VEMTAS_ANSWERS = {"phone": "+994502223344", "address": "Bakı, Sabunçu rayonu, Zabrat qəsəbəsi, 2-ci küçə 7",
                  "applicant_employment": "unemployed", "applicant_income": "150", "housing_tenure": "owned",
                  "housing_condition": "good", "land_plot": "no", "bank_account_iban": "AZ21NABZ00000000137010001944",
                  "consent_fetch_certificates": "yes"}


def eesmn_officer(srv):
    a = next(x for x in srv.accounts if x["role"] == "officer" and x["agency"] == "eesmn")
    b = Browser(srv)
    b.login(a["login"], a["password"])
    return b


def send_vemtas(srv, b, person, **change):
    return send(srv, b, person, form=VEMTAS, answers=VEMTAS_ANSWERS, **change)


def paper_cases(srv):
    from test_notify import sql
    return int(sql(srv.db, "SELECT COUNT(*) FROM applications WHERE channel = 'paper'")[0][0])


def test_the_register_knows_the_applicant(exchange):
    from test_once import gateway_log
    from test_notify import sql
    person = exchange.persons[0]
    r = send_vemtas(exchange, eesmn_officer(exchange), person)
    assert r.status == 303 and "/office/paper/receipt/AZ-" in r.header("Location"), (r.status, r.text[:3000])
    # asked with the person and the matter, and the person is told who asked for what
    assert (exchange.contract["services"]["population"], "paper-application") in gateway_log(exchange, person["fin"])
    assert sql(exchange.db, "SELECT accessor_role, data_kind FROM data_access_log WHERE subject_fin = '%s'"
                            " AND ground = 'paper-application'" % person["fin"]) == [["exchange", "population"]]
    # in their words on "who looked at my data", once they log in (an account made at the desk)
    from test_identity_security import citizen_with_account
    mine = citizen_with_account(exchange, person).get("/account?lang=en").text
    assert re.search(r"<td>Population register</td><td>Your record in the register</td>"
                     r"<td>Registration of a paper application</td>", mine), mine[mine.find("who-looked"):][:2000]


def test_the_register_refuses_another_card_or_a_stranger(exchange):
    from test_once import gateway_log
    from test_notify import sql
    b = eesmn_officer(exchange)
    before = paper_cases(exchange)
    # answers to correct first: the register is asked for a complete application only
    r = send_vemtas(exchange, b, exchange.persons[1], phone=None)
    assert r.status == 400 and 'href="#phone' in r.text, (r.status, r.text[:3000])
    assert not gateway_log(exchange, exchange.persons[1]["fin"])
    r = send_vemtas(exchange, b, dict(exchange.persons[1], id_card=exchange.persons[2]["id_card"]))
    assert r.status == 400 and 'href="#paper-card"' in r.text, (r.status, r.text[:3000])
    # a person of another slice: on the portal's own record, not in the register
    known = {row[0] for row in sql(exchange.db, "SELECT fin FROM persons")}
    r = syslib.run_cli("admin", "seed-population", "--db", exchange.db.url, "--seed", "8", "--count", "1")
    assert r.returncode == 0, r.stderr
    ((fin, card),) = [row for row in sql(exchange.db, "SELECT fin, id_card FROM persons") if row[0] not in known]
    r = send_vemtas(exchange, b, {"fin": fin, "id_card": card})
    assert r.status == 400 and 'href="#paper-fin"' in r.text, (r.status, r.text[:3000])
    assert paper_cases(exchange) == before


def test_the_register_down_is_503_and_nothing_is_stored(exchange):
    """Runs last in this module: it stops the demo's population register."""
    from test_applications import call, token, upload
    from test_once import stop_registry
    stop_registry(exchange, "population")
    before = paper_cases(exchange)
    r = send_vemtas(exchange, eesmn_officer(exchange), exchange.persons[3])
    assert r.status == 503 and r.header("Retry-After"), (r.status, r.text[:3000])
    assert "population register cannot be asked now" in r.text and 'href="#paper-fin"' in r.text
    # the page again with everything kept: the scan too, to send once the register answers
    assert re.search(r'name="_scan_sha" value="[0-9a-f]{64}"', r.text) and 'value="Binəqədi"' in r.text
    # the API: the same call, a 503 like any dependency down
    exchange.tokens = getattr(exchange, "tokens", {})
    tok = token(exchange, "officer", "eesmn")
    st, scan = upload(exchange, tok, "paper.png", PNG, "image/png")
    assert st == 201, scan
    person = exchange.persons[3]
    st, body, headers = call(exchange, "POST", "/api/v1/paper-applications",
                             {"service": "eesmn-vemtas", "fin": person["fin"], "id_card": person["id_card"],
                              "district": "Sabunçu", "scan": scan["sha256"],
                              "answers": dict(VEMTAS_ANSWERS, applicant_income=150)}, tok)
    assert st == 503 and body["type"].endswith("/unavailable"), (st, body)
    assert paper_cases(exchange) == before
