"""Connection exhaustion (issue 8.5): one client must not hold every
connection.  A request's head and body have deadlines that a header line
every few seconds does not reset, each client address gets a limited share
of the connections (on by default), behind a trusted proxy the share is
counted per forwarded client, and everyone else keeps being served.

The servers here use short deadlines and a small connection limit so that
each test takes a few seconds; the defaults are the same code with longer
numbers.  "Other" clients connect from 127.0.0.1, the greedy one from
another loopback address (127.0.0.5), which Linux routes to the same
server."""
import http.client
import re
import socket
import threading
import time

import pytest

import syslib

# HTTP framing and parsing: the database cannot change these (conftest.py)
pytestmark = pytest.mark.once

GREEDY = "127.0.0.5"


def connect(port, source=None, timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_by_server(s, wait):
    """True if the server closed s (EOF or reset) within `wait` seconds; any
    bytes the server sent first (an answer) are read and dropped."""
    s.settimeout(wait)
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            if not s.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False


def trickle_until_closed(s, piece, limit=8):
    """Send piece every half second until the server closes s; returns the
    seconds it took, or None if it was still open after `limit`."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        try:
            s.sendall(piece)
        except OSError:
            return time.monotonic() - t0
        if closed_by_server(s, 0.5):
            return time.monotonic() - t0
    return None


def get(port, path, source=None, headers=None, timeout=5):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                   source_address=(source, 0) if source else None)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def per_ip_default():
    out = syslib.run_cli("portal", "--help").stdout
    return int(re.search(r"--per-ip-connections N.*\(default: (\d+)\)", out).group(1))


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """A portal with the default per-address limit and short deadlines."""
    server = syslib.Server(str(tmp_path_factory.mktemp("guarded")),
                           extra=["--max-connections", "200", "--header-timeout", "2", "--body-timeout", "2"])
    server.start()
    yield server
    server.close()


def test_per_address_limit_is_on_by_default():
    assert per_ip_default() > 0


def test_300_slow_connections_from_one_address_do_not_starve_others(srv):
    """300 connections from one address, each holding a half-sent head: the
    address gets its share and no more, the rest are closed at once, and
    other clients are answered all along.  (Before: the first 200 took every
    connection the server has and nobody else got in.)"""
    limit = per_ip_default()
    slow = []
    try:
        for _ in range(300):
            s = connect(srv.port, GREEDY)
            try:
                s.sendall(b"GET /services HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            except OSError:
                pass   # already closed by the server: that is the point
            slow.append(s)
        t0 = time.monotonic()
        for _ in range(20):
            assert get(srv.port, "/api/v1/services?limit=1") == 200
        assert time.monotonic() - t0 < 10
        # beyond the share, connections were closed without waiting
        open_ones = [s for s in slow if not closed_by_server(s, 0.01)]
        assert len(open_ones) <= limit, "%d of 300 slow connections still open (limit %d)" % (len(open_ones), limit)
        # the rest keep trickling header lines; the head deadline (2 s) ends them
        end = time.monotonic() + 6
        while open_ones and time.monotonic() < end:
            for s in list(open_ones):
                try:
                    s.sendall(b"a")
                except OSError:
                    open_ones.remove(s)
                    continue
                if closed_by_server(s, 0.001):
                    open_ones.remove(s)
            time.sleep(0.3)
        assert not open_ones, "%d slow connections outlived the head deadline" % len(open_ones)
        # and once they are gone the address is served again
        assert get(srv.port, "/healthz", source=GREEDY) == 200
        srv.assert_alive("300 slow connections")
    finally:
        for s in slow:
            s.close()


def test_a_header_line_every_half_second_does_not_reset_the_deadline(srv):
    """An idle timeout (30 s here) never fires for a client that sends a
    header line now and then; the head deadline (2 s) does."""
    s = connect(srv.port)
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")
        took = trickle_until_closed(s, b"X-Trickle: 1\r\n")
        assert took is not None, "the trickling client was never closed"
        assert took < 5, took
    finally:
        s.close()
    assert get(srv.port, "/healthz") == 200


def test_a_body_trickle_is_closed_at_the_body_deadline(srv):
    """A declared body that arrives a few bytes at a time: the body deadline
    (2 s, plus a second per KiB received) closes it."""
    s = connect(srv.port)
    try:
        s.sendall(b"POST /login HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: 8000\r\n\r\n")
        took = trickle_until_closed(s, b"a=b&")
        assert took is not None, "the trickling body was never closed"
        assert took < 5, took
    finally:
        s.close()


def test_a_quick_keep_alive_client_is_not_cut(srv):
    """The deadlines are per request: a keep-alive connection that sends
    whole requests is served for longer than one deadline."""
    s = connect(srv.port)
    f = s.makefile("rb")
    try:
        t0 = time.monotonic()
        n = 0
        while time.monotonic() - t0 < 3:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            assert f.readline().startswith(b"HTTP/1.1 200")
            length = 0
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            f.read(length)
            n += 1
            time.sleep(0.5)
        assert n >= 5
    finally:
        f.close()
        s.close()


def test_metrics_count_refusals_and_deadlines(srv):
    text = syslib.request(srv.port, "GET", "/metrics").text
    assert re.search(r'^pencere_http_connections_closed_total\{reason="per_address"\} \d+', text, re.M)
    assert re.search(r'^pencere_http_connections_closed_total\{reason="deadline"\} \d+', text, re.M)
    assert re.search(r"^pencere_http_connections_open \d+", text, re.M)


# ---- behind a trusted proxy ------------------------------------------------------

@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """127.0.0.1 plays the trusted proxy; the share per client is 4."""
    srv = syslib.Server(str(tmp_path_factory.mktemp("proxied")),
                        extra=["--trusted-proxy", "127.0.0.1", "--per-ip-connections", "4",
                               "--header-timeout", "3", "--body-timeout", "3"])
    srv.start()
    yield srv
    srv.close()


def slow_post(port, forwarded, source=None):
    """A request whose head is complete and whose body never comes."""
    s = connect(port, source)
    s.sendall(("POST /login HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: %s\r\n"
               "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n" % forwarded).encode())
    return s


def answer_status(s, wait=2):
    s.settimeout(wait)
    data = b""
    try:
        while b"\r\n" not in data:
            d = s.recv(4096)
            if not d:
                break
            data += d
    except (socket.timeout, ConnectionResetError):
        pass
    m = re.match(rb"HTTP/1\.1 (\d{3})", data)
    return int(m.group(1)) if m else None


def test_behind_a_proxy_the_share_is_per_forwarded_client(proxied):
    """The proxy itself is not limited (it carries everyone); the client it
    names is: a fifth request of 198.51.100.7 in progress gets 429 at once,
    while 198.51.100.8 through the same proxy is served."""
    held = []
    try:
        for _ in range(4):
            held.append(slow_post(proxied.port, "198.51.100.7"))
        time.sleep(0.3)
        extra = slow_post(proxied.port, "198.51.100.7")
        held.append(extra)
        assert answer_status(extra) == 429
        assert closed_by_server(extra, 2)
        assert get(proxied.port, "/healthz", headers={"X-Forwarded-For": "198.51.100.8"}) == 200
        assert get(proxied.port, "/healthz") == 200   # the proxy's own checks
    finally:
        for s in held:
            s.close()
    time.sleep(0.3)
    assert get(proxied.port, "/healthz", headers={"X-Forwarded-For": "198.51.100.7"}) == 200


def test_a_forged_forwarded_address_from_an_untrusted_peer_buys_nothing(proxied):
    """127.0.0.5 is not the proxy: its X-Forwarded-For is ignored, so new
    forged addresses do not give it new shares; its own address's share
    (4) is all it gets."""
    conns = []
    try:
        for i in range(10):
            try:
                conns.append(slow_post(proxied.port, "192.0.2.%d" % (i + 1), source=GREEDY))
            except OSError:
                pass
        time.sleep(0.3)
        still_open = [s for s in conns if not closed_by_server(s, 0.05)]
        assert len(still_open) <= 4, len(still_open)
        assert get(proxied.port, "/healthz") == 200
    finally:
        for s in conns:
            s.close()


def test_many_clients_through_the_proxy_are_served_while_one_is_greedy(proxied):
    held = [slow_post(proxied.port, "203.0.113.66") for _ in range(4)]
    errors = []

    def worker(i):
        try:
            for _ in range(5):
                st = get(proxied.port, "/healthz", headers={"X-Forwarded-For": "203.0.113.%d" % (i + 1)})
                if st != 200:
                    errors.append(st)
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    try:
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors, errors[:5]
    finally:
        for s in held:
            s.close()
