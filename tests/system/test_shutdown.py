"""Graceful shutdown: on SIGTERM (or SIGINT) the portal stops accepting,
lets requests in flight finish, and exits 0 within the grace period."""
import signal
import socket
import threading
import time

import pytest

from syslib import parse_raw


def read_all(s):
    data = b""
    while True:
        try:
            d = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not d:
            break
        data += d
    return data


def complete_response(data):
    """True when data is one whole HTTP response (body = Content-Length)."""
    status, hdrs, body = parse_raw(data)
    return status is not None and "content-length" in hdrs and len(body) == int(hdrs["content-length"])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_request_in_flight_completes(make_server, sig):
    srv = make_server()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=15)
    try:
        # request line and some headers: the request has begun
        s.sendall(b"GET /services?lang=en HTTP/1.1\r\nHost: t\r\n")
        time.sleep(0.3)
        srv.send_signal(sig)
        time.sleep(0.5)
        assert srv.alive(), "the server exited with a request in flight"
        # new connections are refused once stopping
        with pytest.raises(OSError):
            c = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            if not c.recv(1):
                raise ConnectionResetError("closed without answer")
        # the one in flight is answered in full
        s.sendall(b"Accept: text/html\r\nConnection: close\r\n\r\n")
        data = read_all(s)
    finally:
        s.close()
    assert data.startswith(b"HTTP/1.1 200"), data[:200]
    assert complete_response(data)
    assert data.rstrip().endswith(b"</html>")
    rc = srv.wait(15)
    assert rc == 0
    srv.check_exit()


def test_concurrent_requests_during_shutdown(make_server):
    srv = make_server()
    stop = threading.Event()
    outcomes = []
    lock = threading.Lock()

    def worker():
        while not stop.is_set():
            try:
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=15)
            except OSError:
                with lock:
                    outcomes.append("refused")
                time.sleep(0.01)
                continue
            try:
                try:
                    s.sendall(b"GET /services?lang=ru HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass
                data = read_all(s)
            finally:
                s.close()
            with lock:
                if not data:
                    outcomes.append("closed-before-answer")   # accepted by the kernel, never by the server
                elif complete_response(data) and data.startswith(b"HTTP/1.1 200"):
                    outcomes.append("ok")
                else:
                    outcomes.append(("bad", data[:120], len(data)))

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    t0 = time.monotonic()
    srv.send_signal(signal.SIGTERM)
    try:
        rc = srv.wait(15)
    finally:
        stop.set()
        for t in threads:
            t.join(20)
    took = time.monotonic() - t0
    assert rc == 0, srv.stderr_tail()
    srv.check_exit()
    assert took < 15
    bad = [o for o in outcomes if isinstance(o, tuple)]
    assert not bad, "truncated or failed responses during shutdown: %s" % bad[:3]
    assert outcomes.count("ok") > 20


def test_idle_keep_alive_connection_does_not_delay_exit(make_server):
    srv = make_server()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        assert s.recv(65536).startswith(b"HTTP/1.1 200")
        t0 = time.monotonic()
        srv.send_signal(signal.SIGTERM)
        assert srv.wait(15) == 0
        assert time.monotonic() - t0 < 5, "an idle keep-alive connection held the shutdown"
        srv.check_exit()
    finally:
        s.close()


def test_half_sent_request_line_does_not_hold_exit(make_server):
    srv = make_server()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    try:
        s.sendall(b"GET /serv")
        time.sleep(0.2)
        t0 = time.monotonic()
        srv.send_signal(signal.SIGTERM)
        assert srv.wait(15) == 0
        assert time.monotonic() - t0 < 14
        srv.check_exit()
    finally:
        s.close()


def test_abandoned_request_does_not_hold_exit_past_grace(make_server):
    """A client that began a request and went silent: the portal waits for
    it at most its grace period (10 s), then exits 0 anyway."""
    srv = make_server()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
    try:
        s.sendall(b"GET /services HTTP/1.1\r\nHost: t\r\nX-Slow: yes\r\n")
        time.sleep(0.2)
        t0 = time.monotonic()
        srv.send_signal(signal.SIGTERM)
        assert srv.wait(15) == 0
        assert time.monotonic() - t0 < 15
        srv.check_exit()
    finally:
        s.close()
