"""HTML pages on the fixture catalogue: every page type in az/en/ru, the
language cookie, page content and markup rules (no inline script/style)."""
import html as htmlmod
import re

import pytest

from syslib import LANGS, html_h1, html_lang, html_title

SITE_NAME = {"az": "Elektron Hökumət Portalı", "en": "E-Government Portal", "ru": "Портал электронного правительства"}

# path -> expected <h1> per language
PAGES = {
    "/": {"az": "Dövlət xidmətlərini bir yerdən alın", "en": "Get state services in one place",
          "ru": "Получайте государственные услуги в одном месте"},
    "/agencies": {"az": "Dövlət qurumları", "en": "Government bodies", "ru": "Государственные органы"},
    "/agencies/din": {"az": "Daxili İşlər Nazirliyi", "en": "Ministry of Internal Affairs",
                      "ru": "Министерство внутренних дел"},
    "/agencies/vn": {"az": "Vergilər Nazirliyi", "en": "Ministry of Taxes", "ru": "Министерство налогов"},
    "/services": {"az": "Elektron xidmətlər", "en": "E-services", "ru": "Электронные услуги"},
    "/services?audience=citizens": {"az": "Vətəndaşlar", "en": "Citizens", "ru": "Граждане"},
    "/services?audience=entrepreneurs": {"az": "Sahibkarlar", "en": "Entrepreneurs", "ru": "Предприниматели"},
    "/services?life_event=taxes": {"az": "Elektron xidmətlər", "en": "E-services", "ru": "Электронные услуги"},
    "/services/no-registration": {"az": "Qeydiyyatsız xidmətlər", "en": "Services without registration",
                                  "ru": "Услуги без регистрации"},
    "/services/din-id-card": {"az": "Şəxsiyyət vəsiqəsinin dəyişdirilməsi", "en": "Replacement of the identity card",
                              "ru": "Замена удостоверения личности"},
    "/services/din-fine-check": {"az": "Cərimələrin yoxlanılması", "en": "Checking traffic fines",
                                 "ru": "Проверка штрафов"},
    "/services/vn-e-declaration": {"az": "Elektron bəyannamənin təqdim edilməsi", "en": "Filing an electronic tax return",
                                   "ru": "Подача электронной декларации"},
    "/services/din-id-card/start": {"az": "Başlamazdan əvvəl", "en": "Before you start", "ru": "Прежде чем начать"},
    "/services/din-fine-check/start": {"az": "Başlamazdan əvvəl", "en": "Before you start", "ru": "Прежде чем начать"},
    "/search": {"az": "Axtarış", "en": "Search", "ru": "Поиск"},
    "/search?q=vesiqe": {"az": "Axtarış", "en": "Search", "ru": "Поиск"},
}


def with_lang(path, lang):
    return path + ("&" if "?" in path else "?") + "lang=" + lang


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("lang", LANGS)
def test_page_renders_in_language(server, path, lang):
    r = server.get(with_lang(path, lang))
    assert r.status == 200, r
    assert r.content_type == "text/html; charset=utf-8"
    page = r.text
    assert page.startswith("<!DOCTYPE html>")
    assert html_lang(page) == lang
    h1 = htmlmod.unescape(html_h1(page))
    assert h1 == PAGES[path][lang]
    title = htmlmod.unescape(html_title(page))
    assert SITE_NAME[lang] in title
    # one link per language in the switcher, the current one marked
    for code in LANGS:
        assert re.search(r'<a href="[^"]*lang=%s"[^>]*hreflang="%s"' % (code, code), page), code
        assert '<link rel="alternate" hreflang="%s"' % code in page
    assert re.search(r'hreflang="%s" aria-current="true"' % lang, page)
    assert page.rstrip().endswith("</html>")


@pytest.mark.parametrize("path", list(PAGES))
def test_translations_differ_by_language(server, path):
    titles, navs = {}, {}
    for lang in LANGS:
        page = server.get(with_lang(path, lang)).text
        titles[lang] = html_title(page)
        navs[lang] = re.search(r'<nav class="main-nav".*?</nav>', page, re.S).group(0)
    assert len(set(titles.values())) == 3, titles
    assert len(set(navs.values())) == 3, navs


@pytest.mark.parametrize("path", list(PAGES))
def test_no_inline_script_or_style(server, path):
    """The CSP forbids inline script and style, so the markup has none
    (scripts, if any, come from files: <script src=...></script>)."""
    page = server.get(path).text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page, re.I)
    assert not re.search(r"<script[^>]*>[^<]+</script>", page, re.I)
    assert "<style" not in page.lower()
    assert not re.search(r'\sstyle="', page)
    assert not re.search(r"\son[a-z]+=", page)
    assert "javascript:" not in page.lower()


def test_default_language_is_azerbaijani(server):
    r = server.get("/")
    assert html_lang(r.text) == "az"
    assert not r.header_all("Set-Cookie")


@pytest.mark.parametrize("lang", LANGS)
def test_lang_query_sets_cookie(server, lang):
    r = server.get("/agencies?lang=" + lang)
    cookies = r.header_all("Set-Cookie")
    assert len(cookies) == 1, cookies
    c = cookies[0]
    assert c.startswith("lang=%s;" % lang)
    assert "Path=/" in c
    assert "SameSite=Lax" in c
    assert re.search(r"Max-Age=\d+", c)


@pytest.mark.parametrize("lang", ("en", "ru"))
def test_lang_cookie_chooses_language(server, lang):
    r = server.get("/services/din-id-card", headers={"Cookie": "lang=" + lang})
    assert r.status == 200
    assert html_lang(r.text) == lang
    assert htmlmod.unescape(html_h1(r.text)) == PAGES["/services/din-id-card"][lang]
    # the cookie already says so: not set again
    r = server.get("/?lang=" + lang, headers={"Cookie": "lang=" + lang})
    assert not r.header_all("Set-Cookie")


def test_query_lang_wins_over_cookie(server):
    r = server.get("/?lang=ru", headers={"Cookie": "lang=en"})
    assert html_lang(r.text) == "ru"
    assert r.header("Set-Cookie", "").startswith("lang=ru;")


def test_unknown_cookie_language_falls_back_to_az(server):
    r = server.get("/", headers={"Cookie": "lang=xx"})
    assert r.status == 200
    assert html_lang(r.text) == "az"


def test_switcher_keeps_other_parameters(server):
    page = server.get("/services?audience=citizens&lang=en").text
    links = re.findall(r'<a href="([^"]*)" lang="(az|en|ru)"', page)
    assert {l for _, l in links} == set(LANGS)
    for href, code in links:
        href = htmlmod.unescape(href)
        assert href.startswith("/services?")
        assert "audience=citizens" in href
        assert href.endswith("lang=" + code)
        assert href.count("lang=") == 1


# ---- content ------------------------------------------------------------

def test_home_figures_and_life_events(server):
    page = server.get("/?lang=en").text
    assert "The portal has 2 government bodies offering 3 e-services." in page
    assert re.search(r'<a href="/services\?life_event=identity-documents">Identity documents</a> '
                     r'<span class="count">\(2\)</span>', page)
    assert re.search(r'<a href="/services\?life_event=taxes">Taxes</a> <span class="count">\(1\)</span>', page)
    for aud in ("citizens", "entrepreneurs", "officials"):
        assert '<a href="/services?audience=%s">' % aud in page
    assert 'action="/search"' in page


def test_agencies_list(server):
    page = server.get("/agencies?lang=ru").text
    assert re.search(r'<a href="/agencies/din">Министерство внутренних дел</a> <span class="count">2</span>', page)
    assert re.search(r'<a href="/agencies/vn">Министерство налогов</a> <span class="count">1</span>', page)


def test_agency_page_with_website_and_approved_count(server):
    page = server.get("/agencies/din?lang=en").text
    assert '<a href="https://www.mia.gov.az" rel="noopener">https://www.mia.gov.az</a>' in page
    assert "<dt>Number of approved e-services</dt><dd>12</dd>" in page
    assert "<h2>E-services (2)</h2>" in page
    assert set(re.findall(r'href="/services/([a-z0-9-]+)"', page)) >= {"din-id-card", "din-fine-check"}
    assert "vn-e-declaration" not in page


def test_agency_page_without_optional_facts(server):
    page = server.get("/agencies/vn?lang=en").text
    assert "Official website" not in page
    assert "Number of approved e-services" not in page
    assert "<h2>E-services (1)</h2>" in page
    assert 'href="/services/vn-e-declaration"' in page


def test_paid_service_page(server):
    page = server.get("/services/din-id-card?lang=en").text
    assert '<a href="/agencies/din">Ministry of Internal Affairs</a>' in page
    assert "<dd>Citizens</dd>" in page
    assert "<dd>Simplified code-password or e-signature</dd>" in page
    assert "<dd>5.00 manat (AZN)</dd>" in page
    assert "<dd>15 days</dd>" in page
    assert "<li>Identity card</li>" in page
    assert "<li>E-Government Portal</li>" in page
    assert "<li>Service centre</li>" in page
    assert "The body&#39;s website" not in page and "The body's website" not in page
    assert "№ 191" in page
    assert "Independent evaluation (2014)" in page
    assert 'href="/services/din-id-card/start"' in page


def test_free_service_page(server):
    page = server.get("/services/din-fine-check?lang=en").text
    assert "<dd>Free</dd>" in page
    assert "<dd>No login needed</dd>" in page
    assert "<dd>Immediate (answered online)</dd>" in page
    assert "No documents are needed." in page
    assert "<dd>Citizens, Entrepreneurs</dd>" in page
    assert "Independent evaluation" not in page
    assert "Approved by decision" not in page


def test_service_page_in_russian(server):
    page = server.get("/services/din-id-card?lang=ru").text
    assert "<dd>5.00 маната</dd>" in page
    assert "<dd>15 дн.</dd>" in page
    assert "<li>Удостоверение личности</li>" in page


def test_start_page_login_texts(server):
    page = server.get("/services/din-id-card/start?lang=en").text
    assert "You need to log in to the portal for this service: Simplified code-password or e-signature." in page
    assert '<a href="/services/din-id-card">Back to the service details</a>' in page
    page = server.get("/services/din-fine-check/start?lang=en").text
    assert "This service needs no login." in page
    page = server.get("/services/vn-e-declaration/start?lang=en").text
    assert "E-signature or mobile signature" in page


def test_no_registration_lists_only_services_without_login(server):
    page = server.get("/services/no-registration?lang=en").text
    assert "1 services found" in page
    assert re.findall(r'class="service-title"><a href="/services/([a-z0-9-]+)"', page) == ["din-fine-check"]


@pytest.mark.parametrize("path", ["/services/nope", "/agencies/nope", "/services/nope/start", "/nope"])
@pytest.mark.parametrize("lang,title", [("az", "Səhifə tapılmadı"), ("en", "Page not found"), ("ru", "Страница не найдена")])
def test_not_found_page_in_language(server, path, lang, title):
    r = server.get(path, headers={"Cookie": "lang=" + lang})
    assert r.status == 404
    assert r.content_type == "text/html; charset=utf-8"
    assert html_lang(r.text) == lang
    assert htmlmod.unescape(html_h1(r.text)) == title
    assert '<a href="/">' in r.text


def test_robots_and_favicon(server):
    r = server.get("/robots.txt")
    assert r.status == 200
    assert r.content_type.startswith("text/plain")
    assert "User-agent" in r.text
    r = server.get("/favicon.ico")
    assert r.status == 200
    assert r.content_type.startswith("image/svg+xml")
    assert b"<svg" in r.body
