"""The JSON API /api/v1 on the fixture catalogue: exact answers, shapes
validated against docs/api/openapi.yaml, filters, cursor paging (also in
the HTML lists), problem+json errors, and the spec's own consistency."""
import json
import re
import urllib.parse

import pytest

import syslib
from syslib import next_link, service_links

ALL = ["din-fine-check", "din-id-card", "vn-e-declaration"]

# API filter -> ids in order (no q: ordered by id)
FILTERS = {
    "": ALL,
    "audience=citizens": ["din-fine-check", "din-id-card"],
    "audience=entrepreneurs": ["din-fine-check", "vn-e-declaration"],
    "audience=officials": [],
    "agency=din": ["din-fine-check", "din-id-card"],
    "agency=vn": ["vn-e-declaration"],
    "agency=nope": [],
    "login=none": ["din-fine-check"],
    "login=code_password": ["din-id-card"],
    "login=e_signature": ["vn-e-declaration"],
    "free=true": ["din-fine-check", "vn-e-declaration"],
    "free=false": ["din-id-card"],
    "life_event=identity-documents": ["din-fine-check", "din-id-card"],
    "life_event=taxes": ["vn-e-declaration"],
    "life_event=nope": [],
    "audience=citizens&free=true": ["din-fine-check"],
    "audience=entrepreneurs&agency=din&login=none": ["din-fine-check"],
    "agency=vn&free=false": [],
    "life_event=identity-documents&login=code_password&free=false&audience=citizens": ["din-id-card"],
}

DIN = {
    "id": "din",
    "name": {"az": "Daxili İşlər Nazirliyi", "en": "Ministry of Internal Affairs", "ru": "Министерство внутренних дел"},
    "short": {"az": "DİN", "en": "MIA", "ru": "МВД"},
    "kind": "ministry",
    "website": "https://www.mia.gov.az",
    "service_count": 2,
    "approved_services": 12,
}
VN = {
    "id": "vn",
    "name": {"az": "Vergilər Nazirliyi", "en": "Ministry of Taxes", "ru": "Министерство налогов"},
    "kind": "ministry",
    "website": None,
    "service_count": 1,
    "approved_services": None,
}
ID_CARD = {
    "id": "din-id-card",
    "agency": {"id": "din", "name": DIN["name"]},
    "name": {"az": "Şəxsiyyət vəsiqəsinin dəyişdirilməsi", "en": "Replacement of the identity card",
             "ru": "Замена удостоверения личности"},
    "description": {"az": "Köhnə və ya itmiş şəxsiyyət vəsiqəsinin yenisi ilə əvəz edilməsi.",
                    "en": "Replace an old or lost identity card with a new one.",
                    "ru": "Замена старого или утерянного удостоверения личности."},
    "audience": ["citizens"],
    "relations": ["G2C"],
    "login": "code_password",
    "fee": {"free": False, "azn": 5},
    "deadline_days": 15,
    "channels": ["portal", "service_centre"],
    "evaluation": {"model": 4, "level": 2, "participation": 5, "transparency": {"max": 10, "score": 6}},
    "approved_list": "191",
    "links": {"html": "/services/din-id-card"},
}
ID_CARD_FULL = dict(ID_CARD, documents=[{"az": "Şəxsiyyət vəsiqəsi", "en": "Identity card", "ru": "Удостоверение личности"}],
                    life_events=["identity-documents"], source="fixture")
FINE_CHECK_FULL = {
    "id": "din-fine-check",
    "agency": {"id": "din", "name": DIN["name"]},
    "name": {"az": "Cərimələrin yoxlanılması", "en": "Checking traffic fines", "ru": "Проверка штрафов"},
    "description": {"az": "Sürücülük vəsiqəsi üzrə yol cərimələrinə baxış.", "en": "Look up road fines by driving licence.",
                    "ru": "Просмотр дорожных штрафов по водительскому удостоверению."},
    "audience": ["citizens", "entrepreneurs"],
    "relations": ["G2C", "G2B"],
    "login": "none",
    "fee": {"free": True, "azn": None},
    "deadline_days": None,
    "channels": ["portal"],
    "evaluation": None,
    "approved_list": None,
    "links": {"html": "/services/din-fine-check"},
    "documents": [],
    "life_events": ["identity-documents"],
    "source": "fixture",
}


def get_json(server, path, status=200):
    r = server.get(path)
    assert r.status == status, (path, r)
    ctype = "application/json" if status < 400 else "application/problem+json"
    assert r.content_type == ctype, (path, r.content_type)
    return r.json()


def ids(page):
    return [s["id"] for s in page["items"]]


def walk(server, query, limit):
    """Follow `next` from the first page; returns (ids, totals, pages)."""
    sep = "&" if query else ""
    path = "/api/v1/services?%s%slimit=%d" % (query, sep, limit)
    seen, totals, pages = [], set(), 0
    cursor = None
    while True:
        p = get_json(server, path + ("&cursor=" + urllib.parse.quote(cursor) if cursor else ""))
        pages += 1
        assert len(p["items"]) <= limit
        seen += ids(p)
        totals.add(p["total"])
        cursor = p.get("next")
        if not cursor:
            break
        assert len(p["items"]) == limit, "a page before the last one is short"
        assert pages < 500
    return seen, totals, pages


# ---- shapes and exact answers --------------------------------------------

def test_agencies(server, schemas):
    body = get_json(server, "/api/v1/agencies")
    schemas.validate(body, schemas.response_schema("/api/v1/agencies", "get", 200))
    assert body == {"items": [DIN, VN]}


def test_one_agency(server, schemas):
    body = get_json(server, "/api/v1/agencies/din")
    schemas.validate(body, schemas.response_schema("/api/v1/agencies/{id}", "get", 200))
    assert body == dict(DIN, services_href="/api/v1/services?agency=din")
    body = get_json(server, "/api/v1/agencies/vn")
    schemas.validate_ref(body, "Agency")
    assert body == dict(VN, services_href="/api/v1/services?agency=vn")


def test_services_href_lists_the_agency_services(server):
    for a in ("din", "vn"):
        g = get_json(server, "/api/v1/agencies/" + a)
        page = get_json(server, g["services_href"])
        assert page["total"] == g["service_count"]
        assert all(s["agency"]["id"] == a for s in page["items"])


def test_life_events(server, schemas):
    body = get_json(server, "/api/v1/life-events")
    schemas.validate(body, schemas.response_schema("/api/v1/life-events", "get", 200))
    assert body == {"items": [
        {"id": "identity-documents", "name": {"az": "Şəxsiyyət sənədləri", "en": "Identity documents",
                                              "ru": "Документы, удостоверяющие личность"}, "service_count": 2},
        {"id": "taxes", "name": {"az": "Vergilər", "en": "Taxes", "ru": "Налоги"}, "service_count": 1},
    ]}


def test_services_list(server, schemas):
    body = get_json(server, "/api/v1/services")
    schemas.validate(body, schemas.response_schema("/api/v1/services", "get", 200))
    assert ids(body) == ALL
    assert body["total"] == 3
    assert "next" not in body
    assert body["items"][1] == ID_CARD


@pytest.mark.parametrize("sid,expected", [("din-id-card", ID_CARD_FULL), ("din-fine-check", FINE_CHECK_FULL)])
def test_one_service(server, schemas, sid, expected):
    body = get_json(server, "/api/v1/services/" + sid)
    schemas.validate(body, schemas.response_schema("/api/v1/services/{id}", "get", 200))
    assert body == expected


def test_every_service_matches_schema_and_links_work(server, schemas):
    for sid in ALL:
        body = get_json(server, "/api/v1/services/" + sid)
        schemas.validate_ref(body, "Service")
        r = server.get(body["links"]["html"])
        assert r.status == 200 and r.content_type.startswith("text/html")


def test_healthz(server, schemas):
    body = get_json(server, "/healthz")
    schemas.validate(body, schemas.response_schema("/healthz", "get", 200))
    assert body == {"status": "ok", "db": server.db.kind, "services": 3}


def test_counts_agree(server):
    agencies = get_json(server, "/api/v1/agencies")["items"]
    for g in agencies:
        assert get_json(server, "/api/v1/services?agency=" + g["id"])["total"] == g["service_count"]
    assert sum(g["service_count"] for g in agencies) == get_json(server, "/api/v1/services")["total"]
    for e in get_json(server, "/api/v1/life-events")["items"]:
        assert get_json(server, "/api/v1/services?life_event=" + e["id"])["total"] == e["service_count"]


# ---- filters and paging ---------------------------------------------------

@pytest.mark.parametrize("query", list(FILTERS))
def test_api_filters(server, schemas, query):
    body = get_json(server, "/api/v1/services?" + query)
    schemas.validate_ref(body, "ServicePage")
    assert ids(body) == FILTERS[query]
    assert body["total"] == len(FILTERS[query])


@pytest.mark.parametrize("query", [q for q in FILTERS if len(FILTERS[q]) >= 2] + ["q=vesiqe", "q=ministry", "q=%D1%83%D0%B4%D0%BE%D1%81%D1%82%D0%BE%D0%B2%D0%B5%D1%80%D0%B5%D0%BD%D0%B8%D0%B5"])
@pytest.mark.parametrize("limit", [1, 2])
def test_api_cursor_walk(server, query, limit):
    full = get_json(server, "/api/v1/services?limit=100" + ("&" + query if query else ""))
    seen, totals, pages = walk(server, query, limit)
    assert len(seen) == len(set(seen)), "duplicates across pages: %s" % seen
    assert seen == ids(full), "paging changed the order or lost items"
    assert totals == {full["total"]}
    assert full["total"] == len(seen)
    assert pages == max(1, -(-len(seen) // limit))


def test_api_limit_bounds(server):
    assert len(get_json(server, "/api/v1/services?limit=1")["items"]) == 1
    assert len(get_json(server, "/api/v1/services?limit=100")["items"]) == 3
    assert len(get_json(server, "/api/v1/services?limit=3")["items"]) == 3
    assert "next" not in get_json(server, "/api/v1/services?limit=3")
    assert "next" in get_json(server, "/api/v1/services?limit=2")


def test_empty_q_means_no_search(server):
    assert ids(get_json(server, "/api/v1/services?q=")) == ALL
    assert ids(get_json(server, "/api/v1/services?q=+++")) == ALL


HTML_FILTERS = {
    "": ALL,
    "audience=citizens": ["din-fine-check", "din-id-card"],
    "audience=officials": [],
    "agency=vn": ["vn-e-declaration"],
    "login=e_signature": ["vn-e-declaration"],
    "free=1": ["din-fine-check", "vn-e-declaration"],
    "free=0": ["din-id-card"],
    "life_event=taxes": ["vn-e-declaration"],
    "audience=citizens&free=1": ["din-fine-check"],
    "audience=&login=&free=&life_event=&q=": ALL,   # the form's "any" choices
}


@pytest.mark.parametrize("query", list(HTML_FILTERS))
def test_html_filters(server, query):
    r = server.get("/services?lang=en&" + query)
    assert r.status == 200, r
    page = r.text
    assert service_links(page) == HTML_FILTERS[query]
    assert "%d services found" % len(HTML_FILTERS[query]) in page
    if not HTML_FILTERS[query]:
        assert "No services match these choices." in page
    for pair in query.split("&"):
        k, _, v = pair.partition("=")
        if k in ("audience", "login", "free", "life_event") and v:
            assert re.search(r'<select id="f-%s" name="%s">.*?<option value="%s" selected>' % (k, k, v), page, re.S)


def test_html_and_api_agree(server):
    pairs = [("audience=entrepreneurs", "audience=entrepreneurs"), ("free=1", "free=true"), ("free=0", "free=false"),
             ("login=none", "login=none"), ("agency=din", "agency=din"), ("life_event=identity-documents", "life_event=identity-documents")]
    for h, a in pairs:
        assert service_links(server.get("/services?" + h).text) == ids(get_json(server, "/api/v1/services?" + a))


@pytest.mark.parametrize("start", ["/services?limit=1", "/services?limit=2&lang=ru", "/services?audience=citizens&limit=1",
                                   "/search?q=vesiqe&limit=1", "/services?q=ministry&limit=1&agency=din"])
def test_html_pagination_walk(server, start):
    base = start.replace("limit=1", "limit=100").replace("limit=2", "limit=100")
    everything = service_links(server.get(base).text)
    url, seen, pages = start, [], 0
    while url:
        r = server.get(url)
        assert r.status == 200, (url, r)
        page = r.text
        seen += service_links(page)
        count = re.search(r'<p class="result-count" role="status">([^<]*)</p>', page).group(1)
        assert str(len(everything)) in count
        if pages:
            assert re.search(r'<a href="[^"]*">(First page|Birinci səhifə|Первая страница)</a>', page), "no first-page link"
        url = next_link(page)
        if url:
            assert "cursor=" in url
            for part in start.split("?", 1)[1].split("&"):
                if not part.startswith("lang="):
                    assert part in url, (part, url)
        pages += 1
        assert pages < 50
    assert len(seen) == len(set(seen)), seen
    assert seen == everything


# ---- errors ----------------------------------------------------------------

PROBLEMS = [
    ("/api/v1/services?x=1", 400, "unknown-parameter"),
    ("/api/v1/services?Limit=1", 400, "unknown-parameter"),
    ("/api/v1/agencies?limit=1", 400, "unknown-parameter"),
    ("/api/v1/agencies/din?x=1", 400, "unknown-parameter"),
    ("/api/v1/life-events?q=a", 400, "unknown-parameter"),
    ("/api/v1/services/din-id-card?full=1", 400, "unknown-parameter"),
    ("/api/v1/services?cursor=abc", 400, "bad-parameter"),
    ("/api/v1/services?cursor=", 400, "bad-parameter"),
    ("/api/v1/services?cursor=!!!!", 400, "bad-parameter"),
    ("/api/v1/services?limit=0", 400, "bad-parameter"),
    ("/api/v1/services?limit=101", 400, "bad-parameter"),
    ("/api/v1/services?limit=abc", 400, "bad-parameter"),
    ("/api/v1/services?limit=-1", 400, "bad-parameter"),
    ("/api/v1/services?limit=1.5", 400, "bad-parameter"),
    ("/api/v1/services?limit=", 400, "bad-parameter"),
    ("/api/v1/services?limit=99999999999999999999999", 400, "bad-parameter"),
    ("/api/v1/services?free=1", 400, "bad-parameter"),
    ("/api/v1/services?free=yes", 400, "bad-parameter"),
    ("/api/v1/services?audience=aliens", 400, "bad-parameter"),
    ("/api/v1/services?login=password", 400, "bad-parameter"),
    ("/api/v1/services?agency=NOT_A_SLUG", 400, "bad-parameter"),
    ("/api/v1/services?life_event=a%20b", 400, "bad-parameter"),
    ("/api/v1/services?q=" + "a" * 201, 400, "bad-parameter"),
    ("/api/v1/services/nope", 404, "not-found"),
    ("/api/v1/agencies/nope", 404, "not-found"),
    ("/api/v1/nope", 404, "not-found"),
    ("/api/v2/services", 404, "not-found"),
    ("/api/v1/services/din-id-card/extra", 404, "not-found"),
    ("/api/v1/services?q=%ff", 400, "bad-request"),
    ("/api/v1/services?q=%00", 400, "bad-request"),
    ("/api/v1/services?q=%zz", 400, "bad-request"),
]


@pytest.mark.parametrize("path,status,slug", PROBLEMS)
def test_problem_json(server, schemas, path, status, slug):
    r = server.get(path)
    assert r.status == status, (path, r)
    assert r.content_type == "application/problem+json"
    body = r.json()
    schemas.validate_ref(body, "Problem")
    assert body["type"] == "https://pencere.az/problems/" + slug
    assert body["status"] == status
    assert body["instance"] == urllib.parse.unquote(path.split("?")[0])
    assert body["title"]


def test_unknown_parameter_is_named(server):
    body = get_json(server, "/api/v1/services?limmit=5", 400)
    assert "limmit" in body["detail"]


def test_error_responses_are_documented(server, spec):
    """Each status an endpoint answers in PROBLEMS is in the spec."""
    paths = spec["paths"]
    for path, status, _ in PROBLEMS:
        p = path.split("?")[0]
        for tmpl in paths:
            if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", tmpl), p):
                assert str(status) in paths[tmpl]["get"]["responses"], (tmpl, status)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_api_wrong_method(server, schemas, method):
    r = syslib.request(server.port, method, "/api/v1/services", body=b"")
    assert r.status == 405
    assert r.content_type == "application/problem+json"
    body = r.json()
    schemas.validate_ref(body, "Problem")
    assert body["type"].endswith("/method-not-allowed")


# ---- the spec itself --------------------------------------------------------

def test_openapi_served_and_identical(server):
    r = server.get("/api/v1/openapi.yaml")
    assert r.status == 200
    assert r.content_type.startswith("application/yaml")
    with open(syslib.OPENAPI, "rb") as f:
        assert r.body == f.read(), "the binary serves a stale openapi.yaml (rebuild)"
    assert r.header("ETag")
    r2 = server.get("/api/v1/openapi.yaml", headers={"If-None-Match": r.header("ETag")})
    assert r2.status == 304


def test_openapi_document_structure(spec):
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] and spec["info"]["version"]
    expected = {"/api/v1/agencies", "/api/v1/agencies/{id}", "/api/v1/services", "/api/v1/services/{id}",
                "/api/v1/life-events", "/healthz", "/metrics"}
    assert expected <= set(spec["paths"])
    for name in ("Text", "Agency", "AgencyList", "Service", "ServiceSummary", "ServicePage", "LifeEvent", "Problem"):
        assert name in spec["components"]["schemas"], name
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert method in ("get", "head", "post"), (path, method)
            assert op.get("operationId") and op.get("summary")
            assert "200" in op["responses"] or "201" in op["responses"]
            if path.startswith("/api/v1/") and path != "/api/v1/openapi.yaml":
                assert "503" in op["responses"], path
                if op.get("parameters") or op.get("requestBody") or method == "get" and "{" not in path and path != "/api/v1/me":
                    assert "400" in op["responses"], (path, method)
            if "{id}" in path:
                assert "404" in op["responses"], path


def _refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.append(v)
            else:
                _refs(v, out)
    elif isinstance(node, list):
        for x in node:
            _refs(x, out)
    return out


def test_openapi_refs_resolve(spec):
    for ref in _refs(spec, []):
        assert ref.startswith("#/"), ref
        node = spec
        for part in ref[2:].split("/"):
            assert part in node, "unresolved $ref %s" % ref
            node = node[part]


def test_openapi_examples_match_schemas(spec, schemas):
    n = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, resp in op["responses"].items():
                if "$ref" in resp:
                    resp = spec["components"]["responses"][resp["$ref"].rsplit("/", 1)[1]]
                for media, c in resp.get("content", {}).items():
                    if "example" in c and "json" in media:
                        schemas.validate(c["example"], c["schema"])
                        n += 1
    for name, s in spec["components"]["schemas"].items():
        if "example" in s and s.get("type") == "object":
            schemas.validate(s["example"], {"$ref": "#/components/schemas/" + name})
    assert n >= 8


def _services_params(spec):
    return {p["name"]: p for p in spec["paths"]["/api/v1/services"]["get"]["parameters"]}


def test_openapi_parameters_match_the_server(server, spec):
    params = _services_params(spec)
    assert set(params) == {"q", "audience", "agency", "login", "free", "life_event", "cursor", "limit"}
    for name, p in params.items():
        assert p["in"] == "query" and not p.get("required", False)
        for value in p["schema"].get("enum", []):
            r = server.get("/api/v1/services?%s=%s" % (name, json.dumps(value) if isinstance(value, bool) else value))
            assert r.status == 200, (name, value, r)
        if "enum" in p["schema"]:
            assert server.get("/api/v1/services?%s=not-in-enum" % name).status == 400
    assert set(params["audience"]["schema"]["enum"]) == {"citizens", "entrepreneurs", "officials"}
    assert set(params["login"]["schema"]["enum"]) == {"none", "code_password", "e_signature"}
    assert params["free"]["schema"]["type"] == "boolean"
    for v in ("true", "false"):
        assert server.get("/api/v1/services?free=" + v).status == 200
    lim = params["limit"]["schema"]
    assert (lim["type"], lim["minimum"], lim["maximum"]) == ("integer", 1, 100)
    assert server.get("/api/v1/services?limit=%d" % lim["minimum"]).status == 200
    assert server.get("/api/v1/services?limit=%d" % lim["maximum"]).status == 200
    assert server.get("/api/v1/services?limit=%d" % (lim["minimum"] - 1)).status == 400
    assert server.get("/api/v1/services?limit=%d" % (lim["maximum"] + 1)).status == 400
    assert params["q"]["schema"]["maxLength"] == 200
    assert server.get("/api/v1/services?q=" + "a" * 200).status == 200
    assert server.get("/api/v1/services?q=" + "a" * 201).status == 400


# examples in the spec that describe the fixture catalogue: (path, method, status) -> live request
LIVE_EXAMPLES = {
    ("/api/v1/agencies", 200): "/api/v1/agencies",
    ("/api/v1/agencies/{id}", 200): "/api/v1/agencies/din",
    ("/api/v1/services", 200): "/api/v1/services?q=vesiqe&limit=1",
    ("/api/v1/services/{id}", 200): "/api/v1/services/din-fine-check",
    ("/api/v1/life-events", 200): "/api/v1/life-events",
}


@pytest.mark.parametrize("key", list(LIVE_EXAMPLES), ids=lambda k: k[0])
def test_openapi_examples_are_real_answers(server, spec, key):
    path, status = key
    example = spec["paths"][path]["get"]["responses"][str(status)]["content"]["application/json"]["example"]
    assert get_json(server, LIVE_EXAMPLES[key]) == example
