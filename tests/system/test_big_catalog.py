"""A generated catalogue bigger than any page or fixed-size buffer: one
agency with 130 services, 40 life situations.  Nothing may be cut off
silently: every service is reachable from its agency's page and from the
lists, every life situation from the home page and the filter form."""
import os
import re

import pytest

import syslib
from syslib import next_link, service_links, write_jsonl_lines

N_SERVICES = 130
N_EVENTS = 40


def make_catalog(d):
    os.makedirs(d, exist_ok=True)
    write_jsonl_lines(os.path.join(d, "agencies.jsonl"), [
        {"id": "big", "name": {"az": "Böyük Qurum", "en": "Big Body", "ru": "Большой орган"}, "kind": "agency",
         "website": None, "approved_services": None, "source": "generated"},
        {"id": "small", "name": {"az": "Kiçik Qurum", "en": "Small Body", "ru": "Малый орган"}, "kind": "agency",
         "website": None, "approved_services": 1, "source": "generated"},
    ])
    write_jsonl_lines(os.path.join(d, "life_events.jsonl"), [
        {"id": "ev-%02d" % i, "name": {"az": "Hadisə %d" % i, "en": "Event %d" % i, "ru": "Событие %d" % i},
         "order": i + 1} for i in range(N_EVENTS)])
    rows = []
    for i in range(N_SERVICES + 1):
        rows.append({
            "id": "svc-%03d" % i, "agency": "big" if i < N_SERVICES else "small",
            "name": {"az": "Xidmət nömrə %d" % i, "en": "Service number %d" % i, "ru": "Услуга номер %d" % i},
            "description": {"az": "Təsvir", "en": "Description", "ru": "Описание"},
            "audience": ["citizens"], "relation": ["G2C"], "login": "none", "fee_azn": None, "free": True,
            "deadline_days": None, "documents": [], "channels": ["portal"], "approved_list": None,
            "maturity": None, "life_events": ["ev-%02d" % (i % N_EVENTS)], "source": "generated"})
    write_jsonl_lines(os.path.join(d, "services.jsonl"), rows)
    return d


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("big"))
    srv = syslib.Server(work, catalog=make_catalog(os.path.join(work, "catalog")))
    srv.start()
    yield srv
    srv.close()


def walk_html(srv, url):
    seen, pages = [], 0
    while url:
        r = srv.get(url)
        assert r.status == 200, (url, r)
        seen += service_links(r.text)
        url = next_link(r.text)
        pages += 1
        assert pages < 100
    return seen, pages


def test_api_lists_everything(big):
    assert len(big.get("/api/v1/life-events").json()["items"]) == N_EVENTS
    agencies = {a["id"]: a for a in big.get("/api/v1/agencies").json()["items"]}
    assert agencies["big"]["service_count"] == N_SERVICES
    seen, cursor = [], None
    while True:
        page = big.get("/api/v1/services?agency=big&limit=100" + ("&cursor=" + cursor if cursor else "")).json()
        assert page["total"] == N_SERVICES
        seen += [s["id"] for s in page["items"]]
        cursor = page.get("next")
        if not cursor:
            break
    assert seen == ["svc-%03d" % i for i in range(N_SERVICES)]


def test_html_lists_page_through_everything(big):
    seen, pages = walk_html(big, "/services?agency=big")
    assert seen == ["svc-%03d" % i for i in range(N_SERVICES)]
    assert pages == -(-N_SERVICES // 20)
    seen, _ = walk_html(big, "/search?q=xidmet+nomre&limit=50")
    assert len(seen) == len(set(seen)) == N_SERVICES + 1


def test_agency_page_reaches_every_service(big):
    """pages.c page_agency lists at most CAT_PAGE_MAX (100) services and
    offers no next page: services 101+ of a big agency cannot be reached
    from its page although the heading counts them."""
    first = big.get("/agencies/big?lang=en")
    assert first.status == 200
    assert "<h2>E-services (%d)</h2>" % N_SERVICES in first.text
    seen = service_links(first.text)
    url = next_link(first.text)
    while url:
        r = big.get(url)
        assert r.status == 200
        seen += service_links(r.text)
        url = next_link(r.text)
    assert sorted(set(seen)) == ["svc-%03d" % i for i in range(N_SERVICES)]


def test_home_lists_every_life_event(big):
    page = big.get("/").text
    assert len(re.findall(r'<a href="/services\?life_event=ev-\d\d">', page)) == N_EVENTS


def test_filter_form_offers_every_life_event(big):
    """pages.c filter_form copies at most 32 life situations into the
    select, so situations 33+ cannot be chosen in the form."""
    page = big.get("/services").text
    select = re.search(r'<select id="f-life_event" name="life_event">(.*?)</select>', page, re.S).group(1)
    assert len(re.findall(r'<option value="ev-\d\d"', select)) == N_EVENTS


def test_last_life_event_filter_works(big):
    page = big.get("/services?life_event=ev-39&lang=en").text
    assert "3 services found" in page
    assert service_links(page) == ["svc-039", "svc-079", "svc-119"]


NASTY = '<script>alert(1)</script> & "quotes" \'apos\''


@pytest.fixture(scope="module")
def odd(tmp_path_factory):
    """A catalogue whose texts are full of markup."""
    work = str(tmp_path_factory.mktemp("odd"))
    d = os.path.join(work, "catalog")
    os.makedirs(d)
    text = {"az": "Qurum " + NASTY, "en": "Body " + NASTY, "ru": "Орган " + NASTY}
    write_jsonl_lines(os.path.join(d, "agencies.jsonl"), [
        {"id": "odd", "name": text, "short": {"az": "<b>Q</b>&", "en": "<b>B</b>&", "ru": "<b>O</b>&"}, "kind": "other",
         "website": 'https://example.az/?a="><script>alert(1)</script>', "approved_services": 3, "source": NASTY}])
    write_jsonl_lines(os.path.join(d, "life_events.jsonl"), [{"id": "odd-event", "name": text, "order": 1}])
    write_jsonl_lines(os.path.join(d, "services.jsonl"), [{
        "id": "odd-service", "agency": "odd", "name": text, "description": text, "audience": ["officials"],
        "relation": ["G2G"], "login": "e_signature", "fee_azn": 1.5, "free": False, "deadline_days": 3650,
        "documents": [text], "channels": ["agency_site"], "approved_list": NASTY,
        "maturity": {"model": 5, "level": 5, "participation": None, "transparency": None, "note": NASTY},
        "life_events": ["odd-event"], "source": NASTY}])
    srv = syslib.Server(work, catalog=d)
    srv.start()
    yield srv
    srv.close()


@pytest.mark.parametrize("path", ["/", "/agencies", "/agencies/odd", "/services", "/services?audience=officials",
                                  "/services/odd-service", "/services/odd-service/start", "/search?q=script",
                                  "/search?q=quotes+apos"])
@pytest.mark.parametrize("lang", syslib.LANGS)
def test_catalogue_text_is_escaped(odd, path, lang):
    r = odd.get(path + ("&" if "?" in path else "?") + "lang=" + lang)
    assert r.status == 200, r
    page = r.text
    assert "<script>" not in page
    assert '"><script' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.rstrip().endswith("</html>")


def test_markup_in_catalogue_survives_the_api(odd, schemas):
    s = odd.get("/api/v1/services/odd-service").json()
    schemas.validate_ref(s, "Service")
    assert s["name"]["en"] == "Body " + NASTY
    assert s["approved_list"] == NASTY
    assert s["evaluation"]["note"] == NASTY
    assert s["deadline_days"] == 3650 and s["fee"] == {"free": False, "azn": 1.5}
    a = odd.get("/api/v1/agencies/odd").json()
    schemas.validate_ref(a, "Agency")
    assert a["website"] == 'https://example.az/?a="><script>alert(1)</script>'
    assert [x["id"] for x in odd.get("/api/v1/services?q=script+alert").json()["items"]] == ["odd-service"]
