"""The tally of a closed poll signed by a certificate of the
certification centre with a time-stamp of its TSA (CAdES-T), checked by
`pencere verify` and `openssl cms -verify`; without a working TSA the
tally waits, unpublished, and is signed once the TSA is back.  Runs once
(SQLite): the database plays no part in the signature."""
import base64
import json
import os
import re
import signal
import subprocess
import time
import types

import pytest

import syslib
from test_pki import issue_cli
from test_pki_support import CA, openssl, write
from test_notify import sql
from test_participation import call, login, wait_for

pytestmark = pytest.mark.once


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    c = CA(str(tmp_path_factory.mktemp("tally-ca")))
    c.start()
    yield c
    c.close()


def portal(tmp, ca, key, pem, tsa):
    os.makedirs(tmp, exist_ok=True)
    db = syslib.Database(tmp)
    assert syslib.run_cli("admin", "import-catalog", "--db", db.url, "--dir", syslib.FIXTURE).returncode == 0
    assert syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", tmp, timeout=120).returncode == 0
    s = syslib.Server(tmp, db=db, extra=["--jobs-interval", "0.2", "--tally-key", key, "--tally-cert", pem,
                                         "--tsa-url", tsa])
    s.start()
    s.accounts = json.load(open(os.path.join(tmp, "demo-accounts.json")))
    return s


def vote_and_close(s):
    now = int(time.time())
    op = login(s, "operator")
    st, p, _ = call(s, "POST", "/api/v1/polls", {"question": "Q?", "options": ["a", "b"], "opens_at": now,
                                                  "closes_at": now + 600}, op)
    assert st == 201, p
    assert call(s, "POST", "/api/v1/polls/%s/votes" % p["id"], {"option": "2"}, login(s, "citizen"))[0] == 201
    assert call(s, "POST", "/api/v1/polls/%s/close" % p["id"], {}, op)[0] == 200
    return p["id"]


def signed_tally(s, poll, timeout=15.0):
    def get():
        st, res, _ = call(s, "GET", "/api/v1/polls/%s/results" % poll)
        t = res.get("tally") if st == 200 else None
        return t if t and t["signature"] else None
    return wait_for(get, timeout)


def verified(tmp_path, t, chain):
    """The published tally t and its signature as files, checked by
    `pencere verify` against chain: (document, signature, its report)."""
    doc = write(str(tmp_path / "tally.json"), t["document"])
    sig = str(tmp_path / "tally.p7s")
    with open(sig, "wb") as f:
        f.write(base64.urlsafe_b64decode(t["signature"] + "=" * (-len(t["signature"]) % 4)))
    r = syslib.run_cli("verify", doc, sig, "--trust", chain)
    assert r.returncode == 0 and "VALID" in r.stdout and "time-stamp:" in r.stdout, r.stdout + r.stderr
    return doc, sig, r.stdout


def test_the_tally_is_signed_and_time_stamped(ca, tmp_path):
    key, pem = issue_cli(ca, str(tmp_path), "Tally-Signer", "5TAL001")
    s = portal(str(tmp_path / "portal"), ca, key, pem, ca.url("/ca/tsa"))
    try:
        t = signed_tally(s, vote_and_close(s))
    finally:
        s.close()
    doc, sig, _ = verified(tmp_path, t, ca.chain_file())
    openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", doc, "-CAfile", ca.chain_file(),
            "-purpose", "any", "-out", os.devnull)
    assert json.loads(t["document"])["total"] == 1 and t["signed_at"]
    # another document under the same signature does not verify
    other = write(str(tmp_path / "other.json"), t["document"].replace('"votes":1', '"votes":2'))
    assert syslib.run_cli("verify", other, sig, "--trust", ca.chain_file()).returncode == 1


def test_without_the_tsa_the_tally_waits(ca, tmp_path):
    key, pem = issue_cli(ca, str(tmp_path), "Tally-Signer-2", "5TAL002")
    s = portal(str(tmp_path / "portal"), ca, key, pem, "http://127.0.0.1:%d/ca/tsa" % syslib.free_port())
    try:
        poll = vote_and_close(s)
        # counted, and the signature tried (and failed) in a few rounds of the job
        wait_for(lambda: int((sql(s.db, "SELECT attempts FROM poll_tallies WHERE poll_id = '%s'" % poll)
                              or [["0"]])[0][0]) >= 2)
        res = call(s, "GET", "/api/v1/polls/%s/results" % poll)[1]
        assert res["final"] and res["total"] == 1 and "tally" not in res   # counted, not published unsigned
    finally:
        s.close()


def test_the_demo_signs_its_tallies_with_its_own_centre(tmp_path):
    """`pencere demo` issues the election operator a signing certificate
    from its own centre at first start (kept in DATA_DIR/ca) and signs
    each closed poll's tally with it, time-stamped by that centre's TSA."""
    data = tmp_path / "demo"
    out_path, err_path = tmp_path / "demo.out", tmp_path / "demo.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        p = subprocess.Popen([syslib.BIN, "demo", "--listen", "127.0.0.1:0", "--data-dir", str(data),
                              "--catalog", syslib.FIXTURE, "--example-rp", "off", "--jobs-interval", "0.2"],
                             stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    try:
        text = wait_for(lambda: "Press Ctrl+C" in out_path.read_text() and out_path.read_text(),
                        timeout=syslib.START_TIMEOUT)
        ca_port = int(re.search(r"Chain:\s+http://127\.0\.0\.1:(\d+)/ca/chain\.pem", text).group(1))
        s = types.SimpleNamespace(port=int(re.search(r"http://127\.0\.0\.1:(\d+)/healthz", text).group(1)),
                                  accounts=json.load(open(str(data / "demo-accounts.json"))))
        assert (data / "ca" / "tally.key").exists() and (data / "ca" / "tally.pem").exists()
        t = signed_tally(s, vote_and_close(s))
        chain = write(str(tmp_path / "chain.pem"), syslib.request(ca_port, "GET", "/ca/chain.pem").text)
        assert "Election operator" in verified(tmp_path, t, chain)[2]
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        rc = p.wait(30)
    err = err_path.read_text(errors="replace")
    assert rc == 0, err[-2000:]
    assert not syslib.sanitizer_findings(err), err[-4000:]
