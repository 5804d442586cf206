"""The real catalogue (data/catalog): it imports, every agency and service
page renders in az/en/ru, every API answer matches the OpenAPI schemas,
paging covers everything, and the flagship searches work.  Skipped only
while data/catalog/services.jsonl does not exist yet."""
import os
import urllib.parse

import pytest

import syslib
from syslib import LANGS, REAL_CATALOG, az_lower, html_lang, read_jsonl

SERVICES_FILE = os.path.join(REAL_CATALOG, "services.jsonl")

pytestmark = pytest.mark.skipif(not os.path.exists(SERVICES_FILE),
                                reason="data/catalog/services.jsonl does not exist yet")


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    srv = syslib.Server(str(tmp_path_factory.mktemp("real")), catalog=REAL_CATALOG)
    srv.start()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def files():
    return {name: read_jsonl(os.path.join(REAL_CATALOG, name + ".jsonl"))
            for name in ("agencies", "life_events", "services")}


def all_services(srv, query="", limit=100):
    items, cursor = [], None
    total = None
    while True:
        path = "/api/v1/services?limit=%d%s%s" % (limit, "&" + query if query else "",
                                                   "&cursor=" + urllib.parse.quote(cursor) if cursor else "")
        r = srv.get(path)
        assert r.status == 200, (path, r)
        page = r.json()
        total = page["total"] if total is None else total
        assert page["total"] == total
        items += page["items"]
        cursor = page.get("next")
        if not cursor:
            return items, total
        assert len(items) < 5000


def test_counts(real, files):
    agencies = real.get("/api/v1/agencies").json()["items"]
    assert len(agencies) >= 40
    assert len(agencies) == len(files["agencies"])
    events = real.get("/api/v1/life-events").json()["items"]
    assert len(events) == len(files["life_events"])
    items, total = all_services(real)
    assert total == len(files["services"]) == len(items)
    assert sum(a["service_count"] for a in agencies) == total
    assert real.get("/healthz").json()["services"] == total


def test_api_answers_match_schemas(real, schemas):
    schemas.validate(real.get("/api/v1/agencies").json(), schemas.response_schema("/api/v1/agencies", "get", 200))
    schemas.validate(real.get("/api/v1/life-events").json(), schemas.response_schema("/api/v1/life-events", "get", 200))
    page = real.get("/api/v1/services?limit=100").json()
    schemas.validate(page, schemas.response_schema("/api/v1/services", "get", 200))
    for a in real.get("/api/v1/agencies").json()["items"]:
        schemas.validate_ref(real.get("/api/v1/agencies/" + a["id"]).json(), "Agency")
    items, _ = all_services(real)
    for s in items:
        r = real.get("/api/v1/services/" + s["id"])
        assert r.status == 200
        schemas.validate(r.json(), schemas.response_schema("/api/v1/services/{id}", "get", 200))


def test_paging_covers_everything_once(real):
    full, total = all_services(real, limit=100)
    small, total7 = all_services(real, limit=7)
    assert total7 == total
    ids = [s["id"] for s in small]
    assert len(ids) == len(set(ids)) == total
    assert ids == [s["id"] for s in full]
    searched, stotal = all_services(real, "q=arayis", limit=3)
    sids = [s["id"] for s in searched]
    assert len(sids) == len(set(sids)) == stotal


def test_every_agency_page_renders(real):
    for a in real.get("/api/v1/agencies").json()["items"]:
        for lang in LANGS:
            r = real.get("/agencies/%s?lang=%s" % (a["id"], lang))
            assert r.status == 200, (a["id"], lang, r)
            assert html_lang(r.text) == lang


def test_every_service_page_renders(real):
    items, _ = all_services(real)
    for s in items:
        for lang in LANGS:
            for suffix in ("", "/start"):
                r = real.get("/services/%s%s?lang=%s" % (s["id"], suffix, lang))
                assert r.status == 200, (s["id"], suffix, lang, r)
                assert html_lang(r.text) == lang
                assert r.text.rstrip().endswith("</html>")


def test_every_life_event_list_renders(real):
    for e in real.get("/api/v1/life-events").json()["items"]:
        assert real.get("/api/v1/services?life_event=" + e["id"]).json()["total"] == e["service_count"]
        for lang in LANGS:
            r = real.get("/services?life_event=%s&lang=%s" % (e["id"], lang))
            assert r.status == 200


@pytest.mark.parametrize("q", ["sexsiyyet vesiqesi", "ŞƏXSİYYƏT", "şəxsiyyət vəsiqəsi", "SEXSIYYET VESIQESI"])
def test_identity_card_search(real, q):
    items, total = all_services(real, "q=" + urllib.parse.quote(q))
    assert total >= 1
    names = [az_lower(s["name"]["az"]) for s in items]
    assert any("şəxsiyyət vəsiqəsi" in n for n in names), names[:10]
    # the best match has the word in its name
    assert "şəxsiyyət" in names[0], names[:5]
    # and the HTML search page shows it too
    page = real.get("/search?q=" + urllib.parse.quote(q)).text
    assert "/services/%s" % items[0]["id"] in page


def test_home_figures_match(real):
    agencies = real.get("/api/v1/agencies").json()["items"]
    total = sum(a["service_count"] for a in agencies)
    page = real.get("/?lang=en").text
    assert "The portal has %d government bodies offering %d e-services." % (len(agencies), total) in page


def test_real_catalogue_passes_the_checker(files):
    """data/catalog passes `pencere admin check-catalog` (the one checker;
    data/catalog/check.py is gone)."""
    r = syslib.run_cli("admin", "check-catalog", REAL_CATALOG)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("%d agencies, %d life situations, %d services: OK" % (
        len(files["agencies"]), len(files["life_events"]), len(files["services"])))
