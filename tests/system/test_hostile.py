"""Bad input: every malformed or oversized request gets a clean 4xx (or a
closed connection where HTTP allows nothing better) and the server keeps
serving.  These tests have a server of their own that is restarted if a
test kills it, so one crash fails one test and not the rest."""
import base64
import re
import socket
import threading
import time
import urllib.parse

import pytest

import syslib
from syslib import html_lang, parse_raw, raw_exchange

# HTTP framing and parsing: the database cannot change these (conftest.py)
pytestmark = pytest.mark.once


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    srv = syslib.Server(str(tmp_path_factory.mktemp("hostile")))
    srv.start()
    yield srv
    srv.close()


@pytest.fixture
def srv(hostile):
    hostile.ensure_running()
    yield hostile
    hostile.assert_alive("this request")


def send(srv, target, method="GET", headers=(), body=b""):
    req = ("%s %s HTTP/1.1\r\nHost: t\r\n" % (method, target)).encode("latin-1")
    for h in headers:
        req += h.encode("latin-1") + b"\r\n"
    req += b"Connection: close\r\n\r\n" + body
    data = raw_exchange(srv.port, req)
    srv.check_not_crashed("%s %r" % (method, target), wait=not data)
    return parse_raw(data)


def assert_html_error(status, hdrs, body, expected):
    assert status == expected, (status, body[:300])
    assert hdrs.get("content-type") == "text/html; charset=utf-8"
    assert b"<!DOCTYPE html>" in body
    assert hdrs.get("x-content-type-options") == "nosniff"


def assert_problem(status, hdrs, body, expected, slug=None):
    import json
    assert status == expected, (status, body[:300])
    assert hdrs.get("content-type") == "application/problem+json"
    p = json.loads(body)
    assert p["status"] == expected
    if slug:
        assert p["type"] == "https://pencere.az/problems/" + slug


# ---- malformed targets ----------------------------------------------------

BAD_PATHS = ["/%zz", "/%", "/%f", "/%ff", "/%00", "/services/%00", "/%c0%af", "/%ed%a0%80", "/services/%fe%ff",
             "/agencies/din%"]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_malformed_path_is_400_html(srv, path):
    assert_html_error(*send(srv, path), 400)


@pytest.mark.parametrize("path", ["/api/v1/services/%zz", "/api/v1/%ff", "/api/v1/services/%00", "/api/%"])
def test_malformed_api_path_is_400_problem(srv, path):
    assert_problem(*send(srv, path), 400, "bad-request")


@pytest.mark.parametrize("query", ["q=%zz", "q=%", "q=%f", "q=%ff", "q=%00", "%zz=1", "q=%c3%28", "q=a%00b"])
def test_malformed_query_is_400(srv, query):
    assert_html_error(*send(srv, "/search?" + query), 400)
    assert_problem(*send(srv, "/api/v1/services?" + query), 400, "bad-request")


@pytest.mark.parametrize("target", ["http://t/", "http://t/api/v1/services", "*", "services", "//", ""])
def test_odd_request_targets(srv, target):
    """Absolute-form, asterisk-form and relative targets: a clean 4xx or a
    closed connection, never a crash."""
    status, hdrs, body = send(srv, target)
    assert status is None or 400 <= status < 500, (status, body[:200])


def test_options_asterisk(srv):
    status, _, _ = send(srv, "*", method="OPTIONS")
    assert status is None or 400 <= status < 500


def test_garbage_request_line(srv):
    for data in (b"GARBAGE\r\n\r\n", b"\x00\x01\x02\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /\r\n\r\n",
                 b"GET / HTTP/1.1\r\nHost: t\r\nBad Header Without Colon\r\n\r\n"):
        status, _, _ = parse_raw(raw_exchange(srv.port, data, timeout=2))
        srv.check_not_crashed(repr(data), wait=False)
        assert status is None or status in (200, 400, 404, 405, 413, 414, 431, 505), (data, status)


def test_crlf_in_parameters_does_not_split_headers(srv):
    status, hdrs, _ = send(srv, "/search?q=a%0d%0aX-Injected:%201")
    assert status == 200
    assert "x-injected" not in hdrs
    status, hdrs, _ = send(srv, "/?lang=en%0d%0aSet-Cookie:%20x=1")
    assert status == 400
    assert "x=1" not in hdrs.get("set-cookie", "")


# ---- oversized requests ---------------------------------------------------

def clean_refusal(status):
    return status is None or status in (400, 413, 414, 431)


def test_huge_header(srv):
    status, _, _ = send(srv, "/", headers=["X-Big: " + "a" * 65536])
    assert clean_refusal(status), status


def test_many_headers(srv):
    status, _, _ = send(srv, "/", headers=["X-H%d: %s" % (i, "v" * 20) for i in range(3000)])
    assert clean_refusal(status), status


def test_huge_cookie(srv):
    status, _, _ = send(srv, "/", headers=["Cookie: a=" + "b" * 60000])
    assert clean_refusal(status), status


def test_too_many_cookies(srv):
    status, _, _ = send(srv, "/", headers=["Cookie: " + "; ".join("c%d=1" % i for i in range(40))])
    assert status in (200, 400, 431)


def test_long_url(srv):
    status, _, _ = send(srv, "/search?q=" + "a" * 70000)
    assert clean_refusal(status), status


@pytest.mark.parametrize("path", ["/", "/api/v1/services", "/assets/site.css"])
def test_large_content_length_on_get(srv, path):
    status, hdrs, body = send(srv, path, headers=["Content-Length: 10000000"])
    assert status == 413
    if path.startswith("/api/"):
        assert hdrs.get("content-type") == "application/problem+json"
    else:
        assert hdrs.get("content-type") == "text/html; charset=utf-8"


def test_large_content_length_with_expect_continue(srv):
    status, _, _ = send(srv, "/", headers=["Content-Length: 10000000", "Expect: 100-continue"])
    assert status == 413


def test_chunked_body_on_get(srv):
    chunk = b"4000\r\n" + b"a" * 0x4000 + b"\r\n"
    status, _, _ = send(srv, "/", headers=["Transfer-Encoding: chunked"], body=chunk * 64 + b"0\r\n\r\n")
    assert status in (400, 413) or status is None


def test_small_body_on_get(srv):
    status, _, _ = send(srv, "/", headers=["Content-Length: 5"], body=b"hello")
    assert status in (400, 413)


def test_bad_content_length(srv):
    for v in ("abc", "-1", "1 2", "99999999999999999999999"):
        status, _, _ = send(srv, "/", headers=["Content-Length: " + v])
        assert status is None or 400 <= status < 500, (v, status)


def test_too_many_query_parameters(srv):
    many = "&".join("p%d=1" % i for i in range(65))
    status, _, _ = send(srv, "/?" + many)
    assert status is not None and 400 <= status < 500
    status, hdrs, _ = send(srv, "/api/v1/services?" + many)
    assert status is not None and 400 <= status < 500
    assert hdrs.get("content-type") == "application/problem+json"
    # 64 are allowed (and ignored by the home page)
    status, _, _ = send(srv, "/?" + "&".join("p%d=1" % i for i in range(64)))
    assert status == 200


# ---- slow clients -----------------------------------------------------------

def test_slow_client_does_not_block_others(srv):
    slow = []
    try:
        for i in range(12):   # more than the worker threads
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            s.sendall(b"GET /ser" if i % 2 else b"GET /services HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            slow.append(s)
        t0 = time.monotonic()
        for _ in range(20):
            r = srv.get("/api/v1/services?limit=1", timeout=5)
            assert r.status == 200
        took = time.monotonic() - t0
        assert took < 5, "20 requests took %.1fs while slow clients were connected" % took
        # the slow ones can still finish their request
        slow[0].sendall(b"\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            d = slow[0].recv(65536)
            if not d:
                break
            data += d
        assert data.startswith(b"HTTP/1.1 200"), data[:100]
    finally:
        for s in slow:
            s.close()


def test_concurrent_clients(srv):
    errors = []

    def worker():
        try:
            for _ in range(15):
                r = srv.get("/services?lang=en", timeout=10)
                if r.status != 200 or not r.text.rstrip().endswith("</html>"):
                    errors.append(r.status)
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:5]


# ---- assets -----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/assets/..", "/assets/%2e%2e", "/assets/%2E%2E", "/assets/.%2e", "/assets/..%5csite.css",
                                  "/assets/site.css..", "/assets/..site.css"])
def test_asset_dot_dot_is_400(srv, path):
    status, hdrs, body = send(srv, path)
    assert_html_error(status, hdrs, body, 400)


@pytest.mark.parametrize("path", ["/assets/..%2f..%2fetc%2fpasswd", "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                                  "/assets/../../etc/passwd", "/assets/%2fetc%2fpasswd", "/assets/..%2fsite.css",
                                  "/assets//etc/passwd", "/assets/site.css%00.txt"])
def test_asset_traversal_never_reaches_files(srv, path):
    status, hdrs, body = send(srv, path)
    assert status in (400, 404), status
    assert b"root:" not in body
    assert hdrs.get("content-type", "").startswith("text/html")


# ---- language, methods, parameters ------------------------------------------

@pytest.mark.parametrize("value", ["xx", "EN", "", "az-AZ", "de", "en%00", "%3Cscript%3E"])
def test_unknown_language(srv, value):
    status, hdrs, body = send(srv, "/services?lang=" + value)
    if value == "en%00":
        assert status == 400
        return
    assert_html_error(status, hdrs, body, 400)
    page = body.decode()
    assert html_lang(page) == "az"
    # the page names the languages there are
    assert "Azərbaycan, ingilis və rus dillərindən birini seçin" in page
    for name in ("Azərbaycanca", "English", "Русский"):
        assert name in page
    assert "set-cookie" not in hdrs
    assert "<script>" not in page


def test_unknown_language_page_in_cookie_language(srv):
    status, hdrs, body = send(srv, "/?lang=xx", headers=["Cookie: lang=en"])
    assert_html_error(status, hdrs, body, 400)
    page = body.decode()
    assert html_lang(page) == "en"
    assert "There is no such language. Choose Azerbaijani, English or Russian." in page


def test_unknown_language_on_api(srv):
    assert_problem(*send(srv, "/api/v1/services?lang=xx"), 400)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
@pytest.mark.parametrize("path", ["/", "/services", "/assets/site.css", "/healthz"])
def test_wrong_method_html(srv, method, path):
    status, hdrs, body = send(srv, path, method=method, headers=["Content-Length: 0"])
    assert_html_error(status, hdrs, body, 405)


def test_post_form_to_page(srv):
    body = b"q=x&lang=en"
    status, hdrs, resp = send(srv, "/search", method="POST",
                              headers=["Content-Type: application/x-www-form-urlencoded", "Content-Length: %d" % len(body)],
                              body=body)
    assert_html_error(status, hdrs, resp, 405)


def test_unknown_paths(srv):
    for path in ("/nope", "/services/din-id-card/nope", "/agencies/din/services", "/API/v1/services", "/index.html",
                 "/.env", "/.git/config", "/wp-login.php", "/services/"):
        assert_html_error(*send(srv, path), 404)
    for path in ("/api/v1/nope", "/api/v1/services/", "/api/v1/agencies/din/x", "/api/", "/api/v1"):
        assert_problem(*send(srv, path), 404, "not-found")


def b64(s):
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


BAD_CURSORS = ["garbage", "!!!!", "%20", b64("nocolon"), b64("-1:din-id-card"), b64("abc:din-id-card"),
               b64("5:Bad Id"), b64("5:../x"), b64("5:" + "a" * 70), b64("100001:a"), b64(":"), b64("5:"),
               "A" * 500, base64.urlsafe_b64encode(b"0:din-id-card").decode() + "==="]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_bad_cursor(srv, cursor):
    assert_problem(*send(srv, "/api/v1/services?cursor=" + urllib.parse.quote(cursor, safe="%")), 400)
    assert_html_error(*send(srv, "/services?cursor=" + urllib.parse.quote(cursor, safe="%")), 400)


def test_forged_but_well_formed_cursor_is_harmless(srv):
    # a cursor in the server's format that it did not give out: a page, not an error
    status, _, body = send(srv, "/api/v1/services?limit=1&cursor=" + b64("0:a"))
    assert status == 200


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=abc", "limit=-5", "limit=%2B5", "limit=5x",
                                   "audience=aliens", "login=x", "free=maybe", "agency=A_B", "life_event=%C9%99"])
def test_bad_filters_html(srv, query):
    assert_html_error(*send(srv, "/services?" + query), 400)


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=abc", "limit=", "free=1", "free=0", "audience=",
                                   "unknown=1", "q=a&q2=b", "LIMIT=5"])
def test_bad_api_parameters(srv, query):
    status, hdrs, body = send(srv, "/api/v1/services?" + query)
    assert_problem(status, hdrs, body, 400)


# ---- paths that would leave the site (issue 8.10) -----------------------------

def lang_links(page):
    return re.findall(r'<a href="([^"]*)" lang="[a-z]{2}"', page) + \
        re.findall(r'<link rel="alternate" hreflang="[a-z]{2}" href="([^"]*)"', page)


@pytest.mark.parametrize("path", ["//evil.example/x", "//evil.example", "///evil.example/a", "//evil.example/%2e%2e/",
                                  "/\\evil.example/", "/%5C%5Cevil.example/", "/a/../..//evil.example/",
                                  "/.//evil.example/", "//evil.example/?lang=en"])
def test_language_links_stay_on_this_site(srv, path):
    """The 404 page links to itself in the other languages; a path starting
    with // must not make those links protocol-relative (another host)."""
    status, hdrs, body = send(srv, path)
    assert status in (400, 404), status
    links = lang_links(body.decode())
    assert len(links) == 6, links
    for link in links:
        assert link.startswith("/") and not link.startswith("//") and "\\" not in link, link


def test_language_links_keep_a_normal_path(srv):
    status, _, body = send(srv, "/services//din-id-card/./")
    links = lang_links(body.decode())
    assert all(link.startswith("/services/din-id-card/?lang=") for link in links), links


@pytest.mark.parametrize("path", ["/a%0ab", "/%0d%0aSet-Cookie:%20x=1", "/services/%09", "/%1b[31m", "/x%7f",
                                  "/services/din-id-card%0a"])
def test_control_characters_in_a_path_are_400(srv, path):
    status, hdrs, body = send(srv, path)
    assert_html_error(status, hdrs, body, 400)
    assert "x=1" not in hdrs.get("set-cookie", "")


def test_control_characters_in_an_api_path_are_400(srv):
    assert_problem(*send(srv, "/api/v1/services/din%0aid"), 400, "bad-request")


# ---- request smuggling (issue 8.11) ------------------------------------------------

def exchange_timed(srv, data, timeout=8):
    t0 = time.monotonic()
    out = raw_exchange(srv.port, data, timeout=timeout)
    srv.check_not_crashed(repr(data[:60]), wait=not out)
    return out, time.monotonic() - t0


SMUGGLING = [
    b"POST /login HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
    b"POST /login HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n",
    b"POST /login HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /login HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /login HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
    b"POST /login HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
]


@pytest.mark.parametrize("head", SMUGGLING, ids=range(len(SMUGGLING)))
def test_ambiguous_framing_is_400_and_the_connection_closed(srv, head):
    """A second request hidden behind an ambiguous body must never be
    answered: the first gets 400 and the connection is closed at once (not
    after an idle timeout)."""
    out, took = exchange_timed(srv, head + b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    status, hdrs, body = parse_raw(out)
    assert status == 400, out[:300]
    assert hdrs.get("connection", "").lower() == "close"
    assert hdrs.get("content-type", "").startswith("text/html")
    assert out.count(b"HTTP/1.1 ") == 1, out[:600]
    assert took < 5, "the connection was kept open (%.1f s)" % took


def test_two_equal_content_lengths_are_one(srv):
    body = b"q=x"
    out, _ = exchange_timed(srv, b"POST /login HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                 b"Content-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\n" + body)
    status, _, _ = parse_raw(out)
    assert status == 403   # read as one body: the form then lacks its CSRF token


def test_ambiguous_framing_on_the_api_is_a_problem_and_closed(srv):
    out, took = exchange_timed(srv, b"POST /api/v1/applications HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
                                    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    status, hdrs, body = parse_raw(out)
    assert_problem(status, hdrs, body[:body.index(b"}") + 1], 400, "bad-request")
    assert out.count(b"HTTP/1.1 ") == 1 and took < 5
