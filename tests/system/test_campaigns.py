"""Evaluation campaigns made in the portal (issue 12, item 4), over the
HTML pages as a browser without JavaScript uses them: an evaluator
creates a campaign, picks services and their models, answers every
question group (an infrastructure component, or a service's
questionnaire) with evidence in one form post each, asks for review; the
same evaluator cannot review it, a second one sends it back and then
agrees; the closed campaign's results are the engine's (the same as
`pencere eval campaign` on the same answers) and shown like the
published campaigns.  Roles: agency staff see their own agency's rows
only, a citizen nothing.  Bad input: unknown questions, answers out of
range, bad links and models, an incomplete campaign, a closed one
edited."""
import csv
import io
import json
import os
import re

import pytest

import syslib
from test_identity import Browser

CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]+)"')
PAID, FREE = "din-id-card", "vn-e-declaration"   # the fixture: a paid service of din, a free one of vn


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("campaigns"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "import-catalog", "--db", db.url, "--dir", syslib.FIXTURE, timeout=120)
    assert r.returncode == 0, r.stderr
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    s = syslib.Server(work, db=db)
    s.start()
    s.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    s.work = work
    yield s
    s.close()


def as_role(srv, role, index=0, agency=None):
    a = [x for x in srv.accounts if x["role"] == role and (agency is None or x.get("agency") == agency)][index]
    b = Browser(srv)
    b.login(a["login"], a["password"])
    return b


def post(b, path, fields, page):
    """A form post with the CSRF token of the page the form is on."""
    return b.post(path, fields, from_page=page)


def questions(b, url):
    """The question ids of a group's form, in order."""
    page = b.get(url)
    assert page.status == 200, page.text[:500]
    ids = []
    for q in re.findall(r'name="a-([0-9.]+)"', page.text):
        if q not in ids:
            ids.append(q)
    return ids


def new_campaign(b, name="Test"):
    r = post(b, "/campaigns", {"name": name, "from": "2026-01", "to": "2026-06"}, "/campaigns")
    assert r.status == 303, r.text[:500]
    cid = r.header("Location").rsplit("/", 1)[1]
    return cid


def add(b, cid, service, model):
    return post(b, "/campaigns/%s/services" % cid, {"service": service, "model": str(model)}, "/campaigns/" + cid)


# The answers of the whole campaign: infrastructure all yes but component
# 2 (all no); the paid service: development 10 yes then no, NA on the
# last; participation 7 of 10; transparency 6 of 10.  The free one:
# development all yes, participation 2, transparency 1-8 alternately.
def answer_for(subject, criterion, i, q, n):
    if criterion == "infrastructure":
        return "no" if q.startswith("2.") else "yes"
    if subject == PAID:
        if criterion == "development":
            return "na" if i == n - 1 else "yes" if i < 10 else "no"
        return "yes" if i < (7 if criterion == "participation" else 6) else "no"
    if criterion == "development":
        return "yes"
    if criterion == "participation":
        return "yes" if i < 2 else "no"
    return "" if q in ("9", "10") else ("yes" if i % 2 == 0 else "no")


def groups(cid):
    for k in range(1, 8):
        yield None, "infrastructure", "/campaigns/%s/infrastructure/%d" % (cid, k)
    for svc in (PAID, FREE):
        for crit in ("development", "participation", "transparency"):
            yield svc, crit, "/campaigns/%s/services/%s/%s" % (cid, svc, crit)


def answer_all(b, cid):
    answers = {}          # (subject, criterion) -> {question: answer}
    for svc, crit, url in groups(cid):
        ids = questions(b, url)
        fields, mine = {}, answers.setdefault((svc, crit), {})
        for i, q in enumerate(ids):
            a = answer_for(svc, crit, i, q, len(ids))
            fields["a-" + q] = a
            fields["note-" + q] = "checked on the site"
            fields["link-" + q] = "https://example.az/evidence/%s" % q
            if a:
                mine[q] = a
        r = post(b, url, fields, url)
        assert r.status == 303, (url, r.status, r.text[:800])
    return answers


@pytest.fixture(scope="module")
def closed(srv, tmp_path_factory):
    """A campaign answered, sent back once, then agreed."""
    ev, ev2 = as_role(srv, "evaluator", 0), as_role(srv, "evaluator", 1)
    cid = new_campaign(ev, "E-services 2026")
    assert add(ev, cid, PAID, 4).status == 303
    assert add(ev, cid, FREE, 3).status == 303
    answers = answer_all(ev, cid)
    page = "/campaigns/" + cid
    assert post(ev, page + "/submit", {}, page).status == 303
    assert "Waiting for review" in ev.get(page + "?lang=en").text
    # the four-eyes rule: the evaluator who made it cannot review it
    assert "You made this campaign" in ev.get(page + "?lang=en").text
    r = post(ev, page + "/review", {"decision": "agree"}, page)
    assert r.status == 403
    # sent back: a comment is required, and it is shown; answers can change again
    assert post(ev2, page + "/review", {"decision": "return", "comment": ""}, page).status == 400
    assert post(ev2, page + "/review", {"decision": "return", "comment": "Check 7.2 again"}, page).status == 303
    text = ev.get(page + "?lang=en").text
    assert "Being answered" in text and "Check 7.2 again" in text
    assert post(ev, page + "/submit", {}, page).status == 303
    assert post(ev2, page + "/review", {"decision": "agree"}, page).status == 303
    assert "Closed" in ev.get(page + "?lang=en").text
    return {"id": cid, "answers": answers, "ev": ev, "ev2": ev2}


def campaign_file(answers, path):
    """The same answers as a campaign file for `pencere eval campaign`."""
    def sheet(d):
        return {q: (1 if a == "yes" else 0 if a == "no" else None) for q, a in d.items()}
    lines = [{"infrastructure": sheet(answers[(None, "infrastructure")])}]
    for svc, agency, model, paid in ((PAID, "din", 4, True), (FREE, "vn", 3, False)):
        row = {"service": svc, "agency": agency, "model": model, "paid": paid}
        for crit in ("development", "participation", "transparency"):
            row[crit] = sheet(answers[(svc, crit)])
        lines.append(row)
    with open(path, "w") as f:
        for l in lines:
            f.write(json.dumps(l) + "\n")


def test_results_are_the_engines(srv, closed, tmp_path):
    cid = closed["id"]
    r = closed["ev2"].get("/campaigns/%s/results.json" % cid)
    assert r.status == 200 and r.content_type.startswith("application/json")
    got = r.json()
    path = str(tmp_path / "campaign.jsonl")
    campaign_file(closed["answers"], path)
    cli = syslib.run_cli("eval", "campaign", path)
    assert cli.returncode == 0, cli.stderr
    assert got == json.loads(cli.stdout)
    # and by hand: component 2 scores 0, the rest 1; 10 of 14 applicable is 71.42 % → level 2 of 4
    assert got["infrastructure"]["index"] == 6
    paid = [s for s in got["services"] if s["service"] == PAID][0]
    assert paid["development"]["level"] == 2 and paid["participation"]["score"] == 7
    assert paid["transparency"]["max"] == 10
    free = [s for s in got["services"] if s["service"] == FREE][0]
    assert free["development"]["printed"] == "3/3" and free["transparency"]["max"] == 8
    assert {a["agency"] for a in got["agencies"]} == {"din", "vn"}
    rows = list(csv.reader(io.StringIO(closed["ev2"].get("/campaigns/%s/results.csv" % cid).text)))
    assert rows[0][0] == "subject" and any(x[0] == PAID and x[2] == "development" for x in rows)


@pytest.mark.parametrize("lang", syslib.LANGS)
def test_report_like_the_published(closed, lang):
    cid = closed["id"]
    page = closed["ev"].get("/campaigns/%s/report?lang=%s" % (cid, lang))
    assert page.status == 200, page.text[:500]
    assert syslib.html_lang(page.text) == lang and syslib.html_h1(page.text) == "E-services 2026"
    for chart in ("chart-infra", "chart-levels-3", "chart-levels-4", "chart-bands-0", "chart-bands-10",
                  "chart-bands-8"):
        assert 'aria-labelledby="%s-t %s-d"' % (chart, chart) in page.text, chart
    assert 'href="/campaigns/%s/results.csv"' % cid in page.text
    assert 'href="/services/%s"' % PAID in page.text and 'href="/services/%s"' % FREE in page.text


def test_agency_staff_see_their_own_only(srv, closed):
    cid = closed["id"]
    officer = as_role(srv, "officer", agency="din")
    page = officer.get("/campaigns/%s/report?lang=en" % cid)
    assert page.status == 200, page.text[:500]
    assert 'href="/services/%s"' % PAID in page.text
    assert 'href="/services/%s"' % FREE not in page.text       # another agency's
    assert "chart-infra" not in page.text and "results.csv" not in page.text
    assert "Recommendations" in page.text or "recommend" in page.text.lower()
    # not even by asking for the other agency, nor the downloads of everyone's figures
    assert FREE not in officer.get("/campaigns/%s/report?agency=vn" % cid).text
    assert officer.get("/campaigns/%s/results.json" % cid).status == 403
    # the list shows closed campaigns only, linking to the results
    lst = officer.get("/campaigns").text
    assert 'href="/campaigns/%s/report"' % cid in lst
    # an agency the campaign did not evaluate sees nothing of it, not even in the list
    eesmn = as_role(srv, "officer", agency="eesmn")
    assert eesmn.get("/campaigns/%s/report" % cid).status == 404
    assert cid not in eesmn.get("/campaigns").text
    # the working pages are evaluators' only
    assert officer.get("/campaigns/" + cid).status == 403
    # an auditor reads the whole campaign
    assert as_role(srv, "auditor").get("/campaigns/%s/results.json" % cid).status == 200


def test_a_citizen_sees_nothing(srv, closed):
    cid = closed["id"]
    citizen = as_role(srv, "citizen")
    for path in ("/campaigns", "/campaigns/" + cid, "/campaigns/%s/report" % cid,
                 "/campaigns/%s/results.json" % cid, "/campaigns/%s/infrastructure/1" % cid):
        assert citizen.get(path).status == 403, path
    anonymous = Browser(srv)
    r = anonymous.get("/campaigns/%s/report" % cid)
    assert r.status in (302, 303) and "/login" in r.header("Location")


def test_a_closed_campaign_cannot_change(srv, closed):
    cid, ev = closed["id"], closed["ev"]
    url = "/campaigns/%s/services/%s/participation" % (cid, PAID)
    page = ev.get(url)
    assert page.status == 200 and 'action="%s"' % url not in page.text      # no form
    m = CSRF_RE.search(ev.get("/campaigns").text)
    r = ev.post(url + "?csrf=" + m.group(1), {"a-1": "no"}, csrf=False)   # a form with files: the token in the address
    assert r.status == 409
    assert ev.post("/campaigns/%s/services" % cid, {"csrf": m.group(1), "service": FREE, "model": "3"},
                   csrf=False).status == 409
    assert ev.post("/campaigns/%s/submit" % cid, {"csrf": m.group(1)}, csrf=False).status == 409


@pytest.fixture(scope="module")
def draft(srv):
    ev = as_role(srv, "evaluator", 0)
    cid = new_campaign(ev, "Draft")
    assert add(ev, cid, PAID, 4).status == 303
    return ev, cid


@pytest.mark.parametrize("fields, status", [
    ({"a-99": "yes"}, 400),                                   # an unknown question
    ({"a-1": "maybe"}, 400),                                  # an answer out of range
    ({"a-1": "yes", "link-1": "javascript:alert(1)"}, 400),   # a link that is not http(s)
    ({"a-1": "yes", "note-1": "x" * 3000}, 413),              # evidence too long
])
def test_bad_answers_are_refused_and_nothing_saved(draft, fields, status):
    ev, cid = draft
    url = "/campaigns/%s/services/%s/development" % (cid, PAID)
    fields = dict(fields, **{"a-2": "yes"})
    r = post(ev, url, fields, url)
    assert r.status == status, r.text[:500]
    assert 'role="alert"' in r.text and 'value="yes" checked' in r.text     # the form again, as typed
    assert "0 of 15 answered" in ev.get("/campaigns/%s?lang=en" % cid).text


def test_bad_campaigns_services_and_submissions(srv, draft):
    ev, cid = draft
    assert post(ev, "/campaigns", {"name": "", "from": "2026-01"}, "/campaigns").status == 400
    r = post(ev, "/campaigns", {"name": "Kept", "from": "2026-13"}, "/campaigns")
    assert r.status == 400 and 'href="#from"' in r.text and 'value="Kept"' in r.text   # sent back as typed
    r = post(ev, "/campaigns", {"name": "X", "from": "2026-05", "to": "2026-01"}, "/campaigns")
    assert r.status == 400 and 'href="#to"' in r.text
    assert add(ev, cid, FREE, 7).status == 400                # no such model
    assert add(ev, cid, "no-such-service", 3).status == 400
    assert add(ev, cid, PAID, 4).status == 409                # picked already
    assert ev.get("/campaigns/%s/infrastructure/8" % cid).status == 404
    assert ev.get("/campaigns/%s/services/%s/infrastructure" % (cid, PAID)).status == 404
    assert ev.get("/campaigns/%s/services/%s/development" % (cid, FREE)).status == 404   # not in the campaign
    page = "/campaigns/" + cid
    assert post(ev, page + "/submit", {}, page).status == 400  # nothing answered yet
    assert ev.get(page + "/report").status == 404              # no results before the review
    assert ev.get("/campaigns/nosuch").status == 404
    # a second evaluator cannot review what was not submitted
    ev2 = as_role(srv, "evaluator", 1)
    assert post(ev2, page + "/review", {"decision": "agree"}, page).status == 409


def test_answers_are_kept_with_their_evidence(draft):
    ev, cid = draft
    url = "/campaigns/%s/services/%s/participation" % (cid, PAID)
    r = post(ev, url, {"a-1": "yes", "note-1": "seen on 3 May", "link-1": "https://example.az/x"}, url)
    assert r.status == 303 and "saved=1" in r.header("Location")
    page = ev.get(url).text
    assert 'value="yes" checked' in page and "seen on 3 May" in page and 'value="https://example.az/x"' in page
    # answered again as "" (left out): unanswered, nothing kept
    assert post(ev, url, {"a-1": "", "note-1": "", "link-1": ""}, url).status == 303
    assert "checked" not in ev.get(url).text


# ---- the registry of approved e-services, kept by the operator (issue 12, item 2) ----

def test_the_operator_keeps_the_registry(srv):
    op = as_role(srv, "operator")
    page = "/operator/approved"
    before = srv.get("/evaluations/approved?lang=en").text
    assert before.count("<h2>As of ") == 2        # the seed: the bulletins' two tables
    assert post(op, page + "/decisions", {"number": "412", "date": "2026-02-10"}, page).status == 303
    text = op.get(page + "?lang=en").text
    dec = re.search(r'<option value="([0-9a-f]+)">Decision No\. 412 of 2026-02-10</option>', text).group(1)
    for name, svc in (("Identity card", PAID), ("Fine check", "din-fine-check")):
        r = post(op, page + "/entries", {"decision": dec, "agency": "din", "name": name, "service": svc}, page)
        assert r.status == 303, r.text[:500]
    # a service of a body on no approved list, on the portal all the same
    assert post(op, page + "/entries", {"decision": "", "agency": "vn", "name": "E-declaration",
                                        "service": FREE}, page).status == 303
    text = op.get(page + "?lang=en").text
    ids = dict((n, i) for i, n in re.findall(r'action="/operator/approved/entries/([0-9a-f]+)"[^<]*\s*<input[^>]*>'
                                             r'\s*<label for="p-[0-9a-f]+">On the portal since<span '
                                             r'class="visually-hidden"> — ([^<]+)</span>', text))
    assert set(ids) == {"Identity card", "Fine check", "E-declaration"}, text[:3000]
    mark = lambda n, p, o: post(op, page + "/entries/" + ids[n], {"on_portal": p, "on_own_site": o}, page)
    assert mark("Identity card", "2026-03-01", "2026-02-15").status == 303
    assert mark("E-declaration", "2026-03-01", "").status == 303
    after = srv.get("/evaluations/approved?lang=en").text
    # the seed's tables stay; the kept rows add a table on each date: 02-10, 02-15, 03-01
    assert after.count("<h2>As of ") == 5
    t = after[after.index("<h2>As of 2026-03-01</h2>"):]
    t = t[:t.index("</table>")]
    # din: 2 approved, 1 of them on the portal, 1 on its own site; vn: not listed, 1 on the portal
    assert re.search(r'href="/agencies/din">[^<]*</a></td><td>2</td><td>1</td><td>1</td><td>1</td><td>1</td>', t), t
    assert re.search(r'href="/agencies/vn">[^<]*</a> \(not on the approved list\)</td><td>0</td><td>0</td>'
                     r'<td>1</td><td>0</td><td>0</td>', t), t
    assert re.search(r"<td>2</td><td>1</td><td>2</td><td>1</td><td>1</td></tr>\s*</tbody>", t), t
    # progress over time: the share of approved services on the portal, 0 % on 02-10, then 50 %
    desc = re.search(r'<desc id="chart-approved-portal-d">([^<]*)</desc>', after).group(1)
    assert "As of 2026-02-10: 0" in desc and "As of 2026-03-01: 50" in desc, desc


def test_registry_rights_and_bad_input(srv):
    op = as_role(srv, "operator")
    page = "/operator/approved"
    for role in ("evaluator", "citizen"):
        b = as_role(srv, role)
        assert b.get(page).status == 403
    assert as_role(srv, "officer", agency="din").get(page).status == 403
    assert post(op, page + "/decisions", {"number": "", "date": "2026-02-10"}, page).status == 400
    assert post(op, page + "/decisions", {"number": "5", "date": "2026-02-30"}, page).status == 400
    assert post(op, page + "/entries", {"decision": "", "agency": "nosuch", "name": "X"}, page).status == 400
    assert post(op, page + "/entries", {"decision": "nosuch", "agency": "din", "name": "X"}, page).status == 400
    assert post(op, page + "/entries", {"decision": "", "agency": "vn", "name": "X", "service": PAID},
                page).status == 400                              # another body's service
    assert post(op, page + "/entries/nosuch", {"on_portal": "2026-01-01"}, page).status == 404


def multipart(fields, files):
    """A multipart/form-data body: fields {name: value}, files {name: (filename, type, bytes)}."""
    boundary = "----pencere-test-boundary"
    out = []
    for k, v in fields.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode())
    for k, (name, ctype, data) in files.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: %s\r\n\r\n" % (boundary, k, name, ctype)).encode() + data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_a_file_of_evidence(srv, draft):
    ev, cid = draft
    url = "/campaigns/%s/services/%s/transparency" % (cid, PAID)
    page = ev.get(url).text
    token = re.search(r'action="%s\?(csrf=[0-9a-f]+)" enctype="multipart/form-data"' % re.escape(url), page).group(1)
    send = lambda files, fields: syslib.request(srv.port, "POST", url + "?" + token, body=multipart(fields, files)[0],
                                                headers=dict(ev._headers(), **{"Content-Type": multipart(fields, files)[1]}))
    r = send({"file-3": ("decree.pdf", "application/pdf", PDF), "file-4": ("", "application/octet-stream", b"")},
             {"a-3": "yes", "note-3": "the decree", "a-4": ""})
    assert r.status == 303, r.text[:500]
    page = ev.get(url).text
    link = re.search(r'<a href="(/campaigns/%s/files/[0-9a-f]{64})">decree\.pdf</a>' % cid, page)
    assert link and 'value="yes" checked' in page
    got = ev.get(link.group(1))
    assert got.status == 200 and got.body == PDF and "attachment" in got.header("Content-Disposition")
    # the answer saved again without a file keeps it
    assert send({}, {"a-3": "no"}).status == 303
    assert link.group(1) in ev.get(url).text
    # not a PDF, JPEG or PNG: refused, nothing saved
    r = send({"file-5": ("x.exe", "application/octet-stream", b"MZ\x90\x00" * 20)}, {"a-5": "yes"})
    assert r.status == 400, r.text[:300]
    assert "file-5" in ev.get(url).text and 'id="a-5-yes" name="a-5" value="yes" checked' not in ev.get(url).text
    # readers of the whole campaign only; an unknown file is not found
    assert as_role(srv, "officer", agency="din").get(link.group(1)).status == 403
    assert ev.get("/campaigns/%s/files/%s" % (cid, "0" * 64)).status == 404
