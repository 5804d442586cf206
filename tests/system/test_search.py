"""Search on the fixture catalogue: folding of case and Azerbaijani letters,
stems, ranking (name above description), Russian, the HTML search page and
escaping of what the user typed."""
import html as htmlmod
import re
import urllib.parse

import pytest

from syslib import service_links


def api_search(server, q, extra=""):
    r = server.get("/api/v1/services?q=" + urllib.parse.quote(q) + extra)
    assert r.status == 200, (q, r)
    body = r.json()
    return [s["id"] for s in body["items"]], body["total"]


# query -> expected ids in rank order (exactly)
EXACT = {
    "sexsiyyet vesiqesi": ["din-id-card"],
    "şəxsiyyət vəsiqəsi": ["din-id-card"],
    "ŞƏXSİYYƏT": ["din-id-card"],
    "ŞƏXSİYYƏT VƏSİQƏSİ": ["din-id-card"],
    "Sexsiyyet": ["din-id-card"],
    # stem: "vəsiqəsi" → "vesiq": name of din-id-card, description of din-fine-check
    "vəsiqəsi": ["din-id-card", "din-fine-check"],
    "vesiqesi": ["din-id-card", "din-fine-check"],
    "vəsiqə": ["din-id-card", "din-fine-check"],
    "удостоверение": ["din-id-card", "din-fine-check"],
    "УДОСТОВЕРЕНИЕ": ["din-id-card", "din-fine-check"],
    "удостоверения личности": ["din-id-card"],
    "cərimə": ["din-fine-check"],
    "cerime": ["din-fine-check"],
    "CƏRİMƏLƏRİN": ["din-fine-check"],
    "sürücülük": ["din-fine-check"],
    "surucuLUK": ["din-fine-check"],
    "İDENTİTY": ["din-id-card"],
    "identity card": ["din-id-card"],
    "штрафов": ["din-fine-check"],
    "bəyannamə": ["vn-e-declaration"],
    "beyanname": ["vn-e-declaration"],
    "VERGİLƏR": ["vn-e-declaration"],
    "declaration": [],          # the English name says "tax return"
    "identity fines": [],       # every word must match
    "xyz": [],
    "qwertyuiop": [],
}


@pytest.mark.parametrize("q", list(EXACT))
def test_api_search(server, q):
    got, total = api_search(server, q)
    assert got == EXACT[q], q
    assert total == len(EXACT[q])


def test_folded_spellings_agree(server):
    variants = ["şəxsiyyət vəsiqəsi", "sexsiyyet vesiqesi", "ŞƏXSİYYƏT VƏSİQƏSİ", "SEXSIYYET VESIQESI",
                "Şəxsiyyət, vəsiqəsi!", "  sexsiyyet   vesiqesi  "]
    results = {v: api_search(server, v)[0] for v in variants}
    assert len({tuple(r) for r in results.values()}) == 1, results
    assert results[variants[0]] == ["din-id-card"]


def test_name_match_ranks_above_description_match(server):
    # "vəsiqə" is in din-id-card's name and only in din-fine-check's description
    got, _ = api_search(server, "vəsiqə")
    assert got.index("din-id-card") < got.index("din-fine-check")
    # and the other way round: "sürücülük" is only in a description; "cərimə" in a name
    got, _ = api_search(server, "удостоверение")
    assert got[0] == "din-id-card"


def test_agency_name_matches(server):
    got, total = api_search(server, "Daxili")
    assert sorted(got) == ["din-fine-check", "din-id-card"] and total == 2
    got, total = api_search(server, "ministry")
    assert sorted(got) == ["din-fine-check", "din-id-card", "vn-e-declaration"]


def test_search_combines_with_filters(server):
    assert api_search(server, "vesiqe", "&login=none")[0] == ["din-fine-check"]
    assert api_search(server, "vesiqe", "&free=false")[0] == ["din-id-card"]
    assert api_search(server, "vesiqe", "&agency=vn")[0] == []
    assert api_search(server, "ministry", "&audience=entrepreneurs")[0] == ["din-fine-check", "vn-e-declaration"]


def test_query_length_limit(server):
    assert server.get("/api/v1/services?q=" + "a" * 200).status == 200
    assert server.get("/api/v1/services?q=" + "a" * 201).status == 400
    # 100 two-byte letters are 200 bytes
    assert server.get("/api/v1/services?q=" + urllib.parse.quote("ə" * 100)).status == 200
    assert server.get("/search?q=" + "a" * 201).status == 400


def test_like_wildcards_are_not_special(server):
    for q in ("%", "_", "%%", "a%", "_a", "\\", "'", "' OR 1=1 --"):
        got, total = api_search(server, q)
        assert total in (0, 3), (q, got)   # either nothing or "no query": never an error or a partial LIKE


# ---- the HTML search page --------------------------------------------------

@pytest.mark.parametrize("q,expected", [("sexsiyyet vesiqesi", ["din-id-card"]), ("ŞƏXSİYYƏT", ["din-id-card"]),
                                        ("vəsiqəsi", ["din-id-card", "din-fine-check"]),
                                        ("удостоверение", ["din-id-card", "din-fine-check"])])
def test_search_page_results(server, q, expected):
    r = server.get("/search?lang=en&q=" + urllib.parse.quote(q))
    assert r.status == 200
    page = r.text
    assert service_links(page) == expected
    assert "%d services found" % len(expected) in page
    assert "Results for “%s”" % htmlmod.escape(q, quote=True) in page or \
           "Results for “%s”" % q in page
    value = re.search(r'<input id="q" name="q" type="search" value="([^"]*)"', page).group(1)
    assert htmlmod.unescape(value) == q


def test_search_page_nothing_found(server):
    page = server.get("/search?lang=en&q=xyz").text
    assert service_links(page) == []
    assert "Nothing was found." in page


def test_search_page_plus_is_space(server):
    page = server.get("/search?q=sexsiyyet+vesiqesi").text
    assert service_links(page) == ["din-id-card"]


def test_empty_search_page(server):
    for path in ("/search", "/search?q=", "/search?q=+++"):
        r = server.get(path + ("&" if "?" in path else "?") + "lang=en")
        assert r.status == 200
        assert "Results for" not in r.text


HOSTILE_QUERIES = [
    '<script>alert(1)</script>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '</title><script>alert(1)</script>',
    '&lt;already&gt; & "quotes"',
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
@pytest.mark.parametrize("path", ["/search", "/services"])
def test_query_is_escaped(server, q, path):
    r = server.get(path + "?lang=en&q=" + urllib.parse.quote(q))
    assert r.status == 200
    page = r.text
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "onerror=alert(1)>" not in page or "&gt;" in page.split("onerror=alert(1)")[1][:5]
    # every place the query is shown gives it back exactly after unescaping
    values = re.findall(r'name="q" type="search" value="([^"]*)"', page)
    assert values and all(htmlmod.unescape(v) == q for v in values), values
    if path == "/search":
        shown = re.search(r"<h2>Results for “(.*?)”</h2>", page, re.S).group(1)
        assert htmlmod.unescape(shown) == q
        assert "<" not in shown and ">" not in shown and '"' not in shown


def test_query_in_language_links_is_encoded(server):
    q = '"><script>alert(1)</script>'
    page = server.get("/search?q=" + urllib.parse.quote(q)).text
    for href in re.findall(r'<link rel="alternate" hreflang="[a-z]+" href="([^"]*)"', page):
        qs = urllib.parse.parse_qs(urllib.parse.urlsplit(htmlmod.unescape(href)).query)
        assert qs["q"] == [q]
