"""The HTTP edge: security headers on every kind of response, gzip, asset
caching (ETag, 304, versioned URLs), HEAD, keep-alive, /metrics."""
import gzip
import re
import socket

import pytest

import syslib
from syslib import parse_raw, raw_exchange, request

# HTTP framing and parsing: the database cannot change these (conftest.py)
pytestmark = pytest.mark.once

# (method, path, extra headers, expected status)
RESPONSES = [
    ("GET", "/", {}, 200),
    ("GET", "/services/din-id-card?lang=ru", {}, 200),
    ("GET", "/search?q=vesiqe", {}, 200),
    ("GET", "/api/v1/services", {}, 200),
    ("GET", "/api/v1/agencies/din", {}, 200),
    ("GET", "/assets/site.css", {}, 200),
    ("GET", "/assets/favicon.svg", {}, 200),
    ("GET", "/api/v1/openapi.yaml", {}, 200),
    ("GET", "/healthz", {}, 200),
    ("GET", "/metrics", {}, 200),
    ("HEAD", "/", {}, 200),
    ("GET", "/nope", {}, 404),
    ("GET", "/api/v1/nope", {}, 404),
    ("GET", "/services/nope", {}, 404),
    ("GET", "/?lang=xx", {}, 400),
    ("GET", "/api/v1/services?limit=0", {}, 400),
    ("GET", "/assets/%2e%2e", {}, 400),
    ("POST", "/", {}, 405),
    ("POST", "/api/v1/services", {}, 405),
    ("GET", "/", {"Content-Length": "10000000"}, 413),
    ("GET", "/", {"Accept-Encoding": "gzip"}, 200),
]


def check_security_headers(h):
    """h: a function name -> value or None."""
    csp = h("Content-Security-Policy")
    assert csp, "no Content-Security-Policy"
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert "default-src" in directives
    script = directives.get("script-src", directives["default-src"])
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "'unsafe-inline'" not in directives.get("style-src", "")
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'"
    assert h("X-Content-Type-Options") == "nosniff"
    assert h("X-Frame-Options") == "DENY"
    assert h("Referrer-Policy") in ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")


@pytest.mark.parametrize("method,path,headers,status", RESPONSES)
def test_security_headers(server, method, path, headers, status):
    if "Content-Length" in headers:
        # http.client would send no body; the header alone must be refused
        data = raw_exchange(server.port, ("%s %s HTTP/1.1\r\nHost: t\r\nContent-Length: %s\r\nConnection: close\r\n\r\n"
                                          % (method, path, headers["Content-Length"])).encode())
        st, hdrs, _ = parse_raw(data)
        assert st == status
        check_security_headers(lambda n: hdrs.get(n.lower()))
        assert hdrs.get("cache-control") == "no-store"
        return
    r = request(server.port, method, path, headers=headers)
    assert r.status == status, r
    check_security_headers(r.header)
    if status >= 400:
        assert r.header("Cache-Control") == "no-store"


def test_security_headers_on_304(server):
    etag = server.get("/assets/site.css").header("ETag")
    r = server.get("/assets/site.css", headers={"If-None-Match": etag})
    assert r.status == 304
    check_security_headers(r.header)


def test_error_pages_have_right_types(server):
    assert server.get("/nope").content_type == "text/html; charset=utf-8"
    assert server.get("/api/v1/nope").content_type == "application/problem+json"
    assert server.get("/api/").content_type == "application/problem+json"


# ---- gzip -----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/services?lang=en", "/api/v1/services", "/assets/site.css", "/nope",
                                  "/metrics"])
def test_gzip(server, path):
    plain = server.get(path)
    assert plain.header("Content-Encoding") is None
    z = server.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert z.status == plain.status
    assert z.header("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in (z.header("Vary") or "")
    assert int(z.header("Content-Length")) == len(z.body)
    assert z.body[:2] == b"\x1f\x8b"
    unzipped = gzip.decompress(z.body)
    if path == "/metrics":   # counters move between the two requests
        assert unzipped.startswith(b"# HELP pencere_http_requests_total")
    else:
        assert unzipped == plain.body
    assert len(z.body) < len(plain.body)


def test_openapi_yaml_is_compressed(server):
    """The API description (~20 KiB of YAML) is text and should be gzipped
    like JSON; server.c is_text() does not count application/yaml as text."""
    plain = server.get("/api/v1/openapi.yaml")
    z = server.get("/api/v1/openapi.yaml", headers={"Accept-Encoding": "gzip"})
    assert z.header("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in (z.header("Vary") or "")
    assert gzip.decompress(z.body) == plain.body


def test_no_gzip_without_accept_encoding_or_for_small_bodies(server):
    assert server.get("/").header("Content-Encoding") is None
    assert server.get("/", headers={"Accept-Encoding": "identity"}).header("Content-Encoding") is None
    small = server.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert small.header("Content-Encoding") is None
    assert small.json()["status"] == "ok"


def test_gzip_refused_with_q_zero(server):
    """RFC 9110 §12.5.3: "gzip;q=0" means gzip is not acceptable."""
    r = server.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert r.header("Content-Encoding") is None


def test_svg_is_not_compressed_as_text_mislabelled(server):
    r = server.get("/assets/favicon.svg", headers={"Accept-Encoding": "gzip"})
    body = gzip.decompress(r.body) if r.header("Content-Encoding") == "gzip" else r.body
    assert b"<svg" in body


# ---- assets ------------------------------------------------------------------

ASSETS = {"site.css": "text/css", "favicon.svg": "image/svg+xml", "robots.txt": "text/plain",
          "openapi.yaml": "application/yaml"}


@pytest.mark.parametrize("name", list(ASSETS))
def test_asset_etag_and_304(server, name):
    r = server.get("/assets/" + name)
    assert r.status == 200
    assert r.content_type.startswith(ASSETS[name])
    etag = r.header("ETag")
    assert etag and re.fullmatch(r'"[^"]+"', etag)
    assert r.header("Cache-Control") == "public, max-age=3600"
    nm = server.get("/assets/" + name, headers={"If-None-Match": etag})
    assert nm.status == 304
    assert nm.body == b""
    assert nm.header("ETag") == etag
    other = server.get("/assets/" + name, headers={"If-None-Match": '"something-else"'})
    assert other.status == 200 and other.body == r.body
    listed = server.get("/assets/" + name, headers={"If-None-Match": '"x", %s' % etag})
    assert listed.status == 304


def test_versioned_asset_urls_are_immutable(server):
    page = server.get("/").text
    css = re.search(r'<link rel="stylesheet" href="(/assets/site\.css\?v=[^"]+)">', page).group(1)
    icon = re.search(r'<link rel="icon" href="(/assets/favicon\.svg\?v=[^"]+)"', page).group(1)
    for url in (css, icon):
        r = server.get(url)
        assert r.status == 200
        cc = r.header("Cache-Control")
        assert "immutable" in cc and "max-age=31536000" in cc
        assert r.header("ETag").strip('"') == url.split("v=")[1]
    wrong = server.get("/assets/site.css?v=0000")
    assert wrong.status == 200
    assert "immutable" not in wrong.header("Cache-Control")


def test_unknown_asset_is_404(server):
    r = server.get("/assets/nope.css")
    assert r.status == 404 and r.content_type.startswith("text/html")


def test_openapi_same_under_assets_and_api(server):
    assert server.get("/assets/openapi.yaml").body == server.get("/api/v1/openapi.yaml").body


# ---- HEAD and keep-alive ------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/services/din-id-card", "/api/v1/services", "/assets/site.css", "/healthz",
                                  "/nope", "/api/v1/nope"])
def test_head(server, path):
    g = server.get(path)
    data = raw_exchange(server.port, ("HEAD %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" % path).encode())
    status, hdrs, body = parse_raw(data)
    assert status == g.status
    assert body == b""
    assert hdrs.get("content-type") == g.content_type
    assert int(hdrs.get("content-length")) == len(g.body)


def test_keep_alive_serves_several_requests(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    f = s.makefile("rb")
    try:
        for path in ("/healthz", "/api/v1/life-events", "/?lang=en", "/assets/site.css", "/healthz"):
            s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path).encode())
            status = f.readline()
            assert status.startswith(b"HTTP/1.1 200"), (path, status)
            length, close = None, False
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                k, _, v = line.decode().partition(":")
                if k.lower() == "content-length":
                    length = int(v)
                if k.lower() == "connection" and "close" in v.lower():
                    close = True
            body = f.read(length)
            assert len(body) == length
            assert not close, "the server closed a keep-alive connection after %s" % path
    finally:
        f.close()
        s.close()


# ---- /metrics ------------------------------------------------------------------

def parse_metrics(text):
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)', line)
        assert m, "not Prometheus text: %r" % line
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples


def test_metrics(server):
    r = server.get("/metrics")
    assert r.status == 200
    assert r.content_type.startswith("text/plain")
    assert "version=0.0.4" in r.content_type
    text = r.text
    assert "# TYPE pencere_http_requests_total counter" in text
    assert "# TYPE pencere_http_request_duration_seconds histogram" in text
    s = parse_metrics(text)
    for c in ("1xx", "2xx", "3xx", "4xx", "5xx"):
        assert 'pencere_http_requests_total{class="%s"}' % c in s
    buckets = [(k, v) for k, v in s.items() if k.startswith("pencere_http_request_duration_seconds_bucket")]
    assert len(buckets) >= 5
    values = [v for _, v in buckets]
    assert values == sorted(values), "histogram buckets must be cumulative"
    assert buckets[-1][0].endswith('{le="+Inf"}')
    assert s["pencere_http_request_duration_seconds_count"] == buckets[-1][1]
    assert s["pencere_http_request_duration_seconds_sum"] >= 0


def test_metrics_count_requests(server):
    before = parse_metrics(server.get("/metrics").text)
    for _ in range(3):
        server.get("/api/v1/services")
    for _ in range(2):
        server.get("/definitely-not-here")
    after = parse_metrics(server.get("/metrics").text)
    k2, k4 = 'pencere_http_requests_total{class="2xx"}', 'pencere_http_requests_total{class="4xx"}'
    assert after[k2] >= before[k2] + 4        # 3 API calls and the first /metrics
    assert after[k4] >= before[k4] + 2
    route = 'pencere_http_route_requests_total{route="api_services",method="GET"}'
    assert after[route] >= before[route] + 3
    assert after["pencere_http_request_duration_seconds_count"] >= before["pencere_http_request_duration_seconds_count"] + 6


# ---- libmicrohttpd's own answers (issue 8.11) --------------------------------------

MHD_OWN = {
    "version": b"GET / HTTP/9.9\r\nHost: t\r\n\r\n",
    "header-line": b"GET / HTTP/1.1\r\nHost: t\r\nBad Header Without Colon\r\n\r\n",
    "content-length": b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
    "head-too-big": b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n",
    "uri-too-long": b"GET /" + b"a" * 40000 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
    "chunk": b"POST /login HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
}


@pytest.mark.parametrize("name", list(MHD_OWN))
def test_error_answers_of_the_http_library_carry_the_headers(server, name):
    """Requests the HTTP library refuses before the portal sees them get the
    same security headers and a Content-Type as every other answer."""
    st, hdrs, body = parse_raw(raw_exchange(server.port, MHD_OWN[name]))
    assert st is not None and 400 <= st < 600, (st, body[:200])
    check_security_headers(lambda n: hdrs.get(n.lower()))
    assert hdrs.get("content-type") == "text/html; charset=utf-8"
    assert hdrs.get("cache-control") == "no-store"


# ---- a session present: private, never shared (issue 8.13) ---------------------------
# Public pages (shared with anyone otherwise) become "private, no-store";
# personal pages and errors are "no-store" with or without a session.

@pytest.mark.parametrize("path", ["/", "/services", "/services/din-id-card", "/search?q=vesiqe", "/agencies",
                                  "/services/no-registration"])
def test_a_session_cookie_makes_public_pages_private(server, path):
    r = server.get(path, headers={"Cookie": "pc_session=anything"})
    assert r.status == 200
    assert r.header("Cache-Control") == "private, no-store", (path, r.header("Cache-Control"))


@pytest.mark.parametrize("path", ["/api/v1/services", "/api/v1/services/din-id-card", "/api/v1/life-events",
                                  "/api/v1/agencies"])
def test_a_bearer_token_makes_public_answers_private(server, path):
    r = server.get(path, headers={"Authorization": "Bearer whatever"})
    assert r.status == 200
    assert r.header("Cache-Control") == "private, no-store", (path, r.header("Cache-Control"))


@pytest.mark.parametrize("path,headers", [("/nope", {"Cookie": "pc_session=x"}), ("/login", {"Cookie": "pc_session=x"}),
                                          ("/api/v1/nope", {"Authorization": "Bearer x"}),
                                          ("/api/v1/me", {"Authorization": "Bearer x"})])
def test_personal_and_error_answers_stay_no_store_with_a_session(server, path, headers):
    assert server.get(path, headers=headers).header("Cache-Control") == "no-store"


def test_without_a_session_public_pages_stay_shareable(server):
    assert server.get("/services").header("Cache-Control") == "no-cache"
    assert server.get("/assets/site.css", headers={"Cookie": "pc_session=x"}).header("Cache-Control") \
        == "public, max-age=3600"
