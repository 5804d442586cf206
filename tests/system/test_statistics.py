"""Usage statistics: what the portal answers is counted (service pages,
cached answers too, and searches), kept as aggregates, and shown on
/statistics with its tables and charts and as CSV and JSON for any
period; a period with no data and a bad period are clear errors."""
import csv
import io
import re

import pytest

from syslib import LANGS, html_h1, html_lang


@pytest.fixture(scope="module")
def used(tmp_path_factory):
    """A portal of its own with a known amount of use."""
    from syslib import Server
    srv = Server(str(tmp_path_factory.mktemp("stats-server")))
    srv.start()
    try:
        for _ in range(3):
            assert srv.get("/services/din-id-card").status == 200
        assert srv.get("/services/vn-e-declaration?lang=en").status == 200
        assert srv.get("/services/no-such-service").status == 404       # not counted
        for q in ("vesiqe", "b%C9%99yannam%C9%99"):
            assert srv.get("/search?q=" + q).status == 200
        assert srv.get("/search").status == 200                        # no query: not a search
        assert srv.get("/search?q=").status == 200
        yield srv
    finally:
        srv.close()


@pytest.mark.parametrize("lang", LANGS)
def test_page_in_every_language(used, lang):
    r = used.get("/statistics?lang=" + lang)
    assert r.status == 200
    assert html_lang(r.text) == lang
    assert html_h1(r.text)


def test_counts_tables_and_charts(used):
    page = used.get("/statistics?lang=en").text
    totals = re.search(r"<dt>Page views</dt><dd>(\d+)</dd>\s*<dt>Applications begun</dt><dd>(\d+)</dd>\s*"
                       r"<dt>Searches</dt><dd>(\d+)</dd>", page)
    assert totals and totals.groups() == ("4", "0", "2"), page[:3000]
    # the most used first, with its body
    top = re.findall(r'<tr><td>(\d+)</td><td><a href="/services/([^"]+)">', page)
    assert top[:2] == [("1", "din-id-card"), ("2", "vn-e-declaration")]
    assert re.search(r'<a href="/agencies/din">[^<]+</a></td><td>1</td><td>3</td><td>0</td>', page)
    for chart in ("chart-agencies", "chart-top", "chart-trend"):
        assert re.search(r'<svg [^>]*role="img"[^>]*aria-labelledby="%s-t %s-d"' % (chart, chart), page), chart


def test_downloads_any_period(used):
    page = used.get("/statistics?lang=en").text
    link = re.search(r'href="/statistics/usage\.csv\?from=([0-9-]+)&amp;to=([0-9-]+)"', page)
    frm, to = link.groups()
    r = used.get("/statistics/usage.csv?from=%s&to=%s" % (frm, to))
    assert r.status == 200 and r.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    svc = {x["id"]: x for x in rows if x["level"] == "service"}
    assert svc["din-id-card"]["views"] == "3" and svc["din-id-card"]["agency"] == "din"
    assert sum(int(x["searches"]) for x in rows if x["level"] == "month") == 2
    j = used.get("/statistics/usage.json?from=%s" % frm[:7]).json()  # one month: the month table
    assert j["totals"] == {"views": 4, "starts": 0, "searches": 2}
    assert j["services"][0] == {"id": "din-id-card", "agency": "din", "views": 3, "starts": 0}
    day = used.get("/statistics/usage.json?from=%s&to=%s" % (to[:8] + "01", to)).json()  # days: the day table
    assert day["totals"] == j["totals"]


def test_a_period_with_no_data(used):
    page = used.get("/statistics?from=2001-01&to=2001-12&lang=en")
    assert page.status == 200
    assert "No usage was recorded in this period." in page.text
    r = used.get("/statistics/usage.json?from=2001-01&to=2001-12")
    assert r.status == 404  # the not-found page (its words come from the problem type, not the message)


@pytest.mark.parametrize("query", ["from=2024-13", "from=2025-05&to=2025-01", "from=abc", "from=2025-02-30",
                                   "from=1999-01", "to=2025"])
def test_bad_periods(used, query):
    assert used.get("/statistics?" + query).status == 400
    assert used.get("/statistics/usage.csv?" + query).status == 400


def test_applications_begun_are_counted(tmp_path_factory):
    """An application begun by a citizen counts; the same post by someone
    not logged in (sent to the login) does not."""
    import json
    import os

    import syslib
    from test_identity import Browser
    work = str(tmp_path_factory.mktemp("stats-apply"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = syslib.Server(work, db=db)
    srv.start()
    try:
        accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
        start = "/services/din-id-card/start"
        r = Browser(srv).post("/services/din-id-card/apply", {}, csrf=False)  # not logged in: refused
        assert r.status >= 300 and not (r.header("Location") or "").startswith("/applications/")
        citizen = Browser(srv)
        a = next(x for x in accounts if x["role"] == "citizen")
        citizen.login(a["login"], a["password"])
        r = citizen.post("/services/din-id-card/apply", {}, from_page=start)
        assert r.status == 303 and r.header("Location").startswith("/applications/")
        j = srv.get("/statistics/usage.json").json()
        assert j["totals"]["starts"] == 1
        assert j["services"][0]["id"] == "din-id-card" and j["services"][0]["starts"] == 1
        # the citizen was a user today, a new one (the demo's accounts were made today); a holder of a code-password
        assert j["visits"]["users"] == 1 and j["visits"]["new_users"] == 1 and j["visits"]["returning_users"] == 0
        assert j["now"]["code_password_holders"] >= 1
    finally:
        srv.close()


def test_visits_and_users_without_keeping_who(used):
    """Every page answered is part of a visit (one visitor here: the same
    address and browser); nobody signed in, so no users; the period's
    visits as CSV and in the JSON; figures of now with no centre."""
    j = used.get("/statistics/usage.json").json()
    v = j["visits"]
    assert v["visits"] >= 1 and v["users"] == 0 and v["new_users"] == 0
    assert v["average_seconds"] >= 0 and v["months"] and v["months"][-1]["visits"] == v["visits"]
    assert j["now"] == {"code_password_holders": 0, "certificates": None}
    r = used.get("/statistics/visits.csv?from=%s&to=%s" % (j["from"], j["to"]))
    assert r.status == 200 and r.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows[-1]["month"] == "total" and int(rows[-1]["visits"]) >= v["visits"]
    page = used.get("/statistics?lang=en").text
    assert "Visits and users" in page and 'id="chart-visits-t"' in page
    assert re.search(r"<dt>Citizens holding a code-password \(now\)</dt><dd>0</dd>", page)
    assert 'id="certs-not-available"' in page
    # a period with nothing: zeros, and the page still shows the figures of now
    r = used.get("/statistics/visits.csv?from=2001-01&to=2001-12")
    assert r.status == 200 and r.text.splitlines()[-1] == "total,0,0,0,0,0,0"
    assert 'id="certs-not-available"' in used.get("/statistics?from=2001-01&to=2001-12&lang=en").text
    assert used.get("/statistics/visits.csv?from=2024-13").status == 400
