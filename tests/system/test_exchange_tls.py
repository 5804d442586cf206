"""Gateways over mutual TLS (`pencere gateway serve --peer-listen`): each
gateway serves other gateways on a listener of its own where both sides
show their authentication certificates; the consumer side pins the
provider gateway's key from the global configuration and the provider
side takes messages only from a gateway of the configuration, and only
from the one the message's proof names.  The member's own systems keep
the plain listener, which no longer takes messages from gateways.
The database cannot change any of this: SQLite only."""
import http.client
import os
import ssl
import time

import pytest

from syslib import request, run_cli
from exchange_support import PERSONS, Exchange

pytestmark = pytest.mark.once

FIRST = "0034LZB"  # person 0 of the synthetic population


@pytest.fixture(scope="module")
def xr(tmp_path_factory):
    x = Exchange(str(tmp_path_factory.mktemp("xr-tls")), peer_tls=True)
    yield x
    x.close()


def peer_port(g):
    return int(g.address.rsplit(":", 1)[1])


def post_to_peer(g, cert=None, key=None):
    """POST an empty message to g's peers' listener as a TLS client with
    the given certificate (or none): (status, X-Road-Error, body)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the server's side is checked by the gateways themselves
    if cert:
        ctx.load_cert_chain(cert, key)
    c = http.client.HTTPSConnection("127.0.0.1", peer_port(g), context=ctx, timeout=10)
    try:
        c.request("POST", "/xr/v1/message", body=b"{}", headers={"Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, r.getheader("X-Road-Error") or "", r.read()
    finally:
        c.close()


def wait_until(pred, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return False


def test_a_query_crosses_both_gateways_over_mutual_tls(xr):
    assert xr.gw2.address.startswith("https://")
    r = xr.call("/r1/" + PERSONS + "/" + FIRST, headers={"X-Road-UserId": FIRST})
    assert r.status == 200, r
    assert r.json()["fin"] == FIRST
    # and again on the kept connection
    assert xr.call("/r1/" + PERSONS + "/" + FIRST).status == 200


def test_the_systems_listener_takes_no_messages_from_gateways(xr):
    r = request(xr.gw2.port, "POST", "/xr/v1/message", body=b"{}", headers={"Content-Type": "application/json"})
    assert r.status in (404, 405), r
    # its systems' side and health are still there
    assert request(xr.gw2.port, "GET", "/healthz").status == 200


def test_a_peer_that_is_not_a_gateway_of_the_configuration_is_refused(xr):
    # no client certificate at all
    status, fault, body = post_to_peer(xr.gw2)
    assert status == 502 and fault.endswith("SslAuthenticationFailed"), (status, fault, body)
    # a certificate of our CA that is not a gateway's authentication certificate (gw1's member signing one)
    code = xr.gw1.id.split("/")[2]
    status, fault, body = post_to_peer(xr.gw2, xr.gw1.sign_pem, os.path.join(xr.gw1.dir, "keys", code + ".key"))
    assert status == 502 and fault.endswith("SslAuthenticationFailed"), (status, fault, body)
    # gw1's own authentication certificate passes the TLS check; the empty message then fails as a message
    status, fault, body = post_to_peer(xr.gw2, xr.gw1.auth_pem, os.path.join(xr.gw1.dir, "keys", "auth.key"))
    assert fault.endswith("InvalidMessage"), (status, fault, body)


def test_the_consumer_pins_the_provider_gateways_key(xr):
    """gw2's address moved to gw1's peer listener: a TLS server of our CA,
    but not with gw2's key — gw1 refuses to send it anything."""
    def register(address):
        assert run_cli("central", "gateway", "--id", xr.gw2.id, "--address", address, "--cert", xr.gw2.auth_pem,
                       "--data-dir", xr.central_dir, "--db", xr.central_db).returncode == 0

    def refused():
        r = xr.call("/r1/" + PERSONS + "/" + FIRST)
        return r.status == 502 and "not the gateway the configuration names" in r.json()["message"]

    register(xr.gw1.address)
    try:
        assert wait_until(refused)
        r = xr.call("/r1/" + PERSONS + "/" + FIRST).json()
        assert r["type"].endswith("SslAuthenticationFailed") and "pinned public key" in r["message"], r
    finally:
        register(xr.gw2.address)
    assert wait_until(lambda: xr.call("/r1/" + PERSONS + "/" + FIRST).status == 200)
