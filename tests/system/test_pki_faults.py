"""Faults of the certification centre: the key process killed (requests
fail cleanly with 503, nothing is half-issued, pre-signed OCSP answers go
on, the process comes back), the CA key in an HSM (SoftHSM2 through
libengine-pkcs11-openssl) and that HSM unavailable, and several CA nodes
on one database giving the same answers."""
import os
import shutil
import signal
import subprocess
import time

import pytest

from syslib import request, run_cli
from test_pki_support import CA, PASSPHRASE, make_csr, openssl, serial_of, wait_for, write

REGISTRAR = {"id": "reg-1", "role": "registrar"}


def count(ca, fin):
    r = ca.api("GET", "/certificates?fin=" + fin, actor=REGISTRAR)
    assert r.status == 200, r.text
    return len(r.json()["certificates"])


def test_key_process_down_fails_cleanly_and_comes_back(tmp_path):
    ca = CA(str(tmp_path))
    ca.start()
    try:
        key, csr = make_csr(str(tmp_path), "a", "/CN=Kamal")
        r = ca.issue(csr, "1KPD001", "Kamal", actor=REGISTRAR)
        assert r.status == 201
        pem = write(str(tmp_path / "a.pem"), r.json()["pem"])
        pid = ca.health()["key_process"]
        assert pid > 0
        # the key process is a separate, non-dumpable process
        assert open("/proc/%d/status" % pid).read().count("\n") > 0
        assert pid != ca.proc.pid
        os.kill(pid, signal.SIGKILL)
        r = ca.issue(csr, "1KPD001", "Kamal", actor=REGISTRAR)
        assert r.status == 503, r.text
        assert "key process" in r.json()["detail"] and r.header("Retry-After")
        assert count(ca, "1KPD001") == 1                       # nothing half-issued
        # pre-signed OCSP answers do not need the key process
        assert ca.ocsp(pem, "-no_nonce")[0] == "good"
        # a TSA request fails with 503 and a systemFailure answer
        doc = write(str(tmp_path / "d.txt"), "x")
        q = str(tmp_path / "q.tsq")
        openssl("ts", "-query", "-data", doc, "-sha256", "-out", q)
        t = request(ca.port, "POST", "/ca/tsa", body=open(q, "rb").read())
        if t.status == 503:
            text = openssl("ts", "-reply", "-in", write(str(tmp_path / "t.tsr"), t.body), "-text").stdout.decode()
            assert "Rejected" in text
        # a second later the CA starts it again
        def back():
            return ca.issue(csr, "1KPD001", "Kamal", actor=REGISTRAR).status == 201
        assert wait_for(back, timeout=10, step=0.3)
        assert ca.health()["keys"] and ca.health()["key_process"] not in (0, pid)
        assert count(ca, "1KPD001") == 2
        assert "pki.keyd_spawned" in ca.stderr()
    finally:
        ca.close()


def memory_holds(pid, *needles):
    """Whether any readable, writable mapping of process pid contains one
    of the byte strings (needs the right to read /proc/PID/mem: the same
    user for a dumpable process, root for any)."""
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            addr, perms = line.split()[:2]
            if "rw" not in perms:
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            if hi - lo > 512 << 20:
                continue
            try:
                mem.seek(lo)
                chunk = mem.read(hi - lo)
                if any(n in chunk for n in needles):
                    return True
            except OSError:
                pass
    return False


def test_network_process_holds_no_private_key(tmp_path):
    """The serving process never has a CA private key (nor the key files'
    passphrase) in its memory; the key process does."""
    ca = CA(str(tmp_path))
    ca.start()
    try:
        passfile = ca.path("passphrase")
        text = openssl("pkey", "-in", ca.path("keys", "ca.key"), "-passin", "file:" + passfile, "-noout",
                       "-text").stdout.decode()
        hexpriv = text.split("priv:")[1].split("pub:")[0]
        scalar = bytes.fromhex("".join(hexpriv.split()).replace(":", ""))[-32:]
        assert len(scalar) == 32
        forms = (scalar, scalar[::-1])        # big-endian bytes, and a BIGNUM's little-endian words
        # make the CA sign a few things first
        key, csr = make_csr(str(tmp_path), "m", "/CN=Memory")
        assert ca.issue(csr, "4MEM004", "Memory", actor=REGISTRAR).status == 201
        pid = ca.health()["key_process"]
        try:
            in_keyd = memory_holds(pid, *forms)
        except PermissionError:
            in_keyd = None            # not root: the key process is not dumpable, so even its user cannot look
        if in_keyd is not None:
            assert in_keyd, "the scan does not find the key where it is"
        assert not memory_holds(ca.proc.pid, *forms), "a CA private key is in the serving process"
        assert not memory_holds(ca.proc.pid, open(passfile).read().strip().encode())
    finally:
        ca.close()


# ---- HSM ----------------------------------------------------------------------

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def softhsm(tmp):
    if not shutil.which("softhsm2-util") or not os.path.exists(SOFTHSM_MODULE) or not shutil.which("pkcs11-tool"):
        pytest.skip("softhsm2 and opensc are not installed (scripts/install-deps.sh --test)")
    tokens = os.path.join(tmp, "tokens")
    os.makedirs(tokens)
    conf = write(os.path.join(tmp, "softhsm2.conf"),
                 "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n" % tokens)
    env = dict(os.environ, SOFTHSM2_CONF=conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "pencere-ca", "--pin", "4321",
                    "--so-pin", "87654321"], env=env, check=True, capture_output=True)
    subprocess.run(["pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", "pencere-ca", "--login", "--pin",
                    "4321", "--keypairgen", "--key-type", "EC:prime256v1", "--label", "ca", "--id", "01"],
                   env=env, check=True, capture_output=True)
    return conf, write(os.path.join(tmp, "pin"), "4321\n")


def test_ca_key_in_an_hsm_and_the_hsm_unavailable(tmp_path):
    conf, pin = softhsm(str(tmp_path))
    env = {"SOFTHSM2_CONF": conf, "PENCERE_CA_PASSPHRASE": PASSPHRASE}
    ca = CA(str(tmp_path), init=False, env=env)
    root = str(tmp_path / "root")
    assert run_cli("ca", "init-root", "--data-dir", root, "--name", "HSM Root", env=env).returncode == 0
    r = run_cli("ca", "init-issuing", "--data-dir", ca.dir, "--name", "HSM Issuing", "--public-url", ca.url(""),
                "--pkcs11-uri", "pkcs11:token=pencere-ca;object=ca;type=private", "--pkcs11-module",
                SOFTHSM_MODULE, "--pin-file", pin, env=env)
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(ca.path("keys", "ca.key"))            # the key stays in the token
    signed = str(tmp_path / "issuing.pem")
    assert run_cli("ca", "sign-ca", "--data-dir", root, "--csr", ca.path("ca.csr"), "--out", signed,
                   env=env).returncode == 0
    r = run_cli("ca", "install", "--data-dir", ca.dir, "--cert", signed, "--root",
                os.path.join(root, "certs", "root.pem"), env=env)
    assert r.returncode == 0, r.stderr
    ca.secret = ca.add_client("portal")
    ca.start()
    try:
        key, csr = make_csr(str(tmp_path), "h", "/CN=Hsm Holder")
        r = ca.issue(csr, "2HSM002", "Hsm Holder", actor=REGISTRAR)
        assert r.status == 201, r.text
        pem = write(str(tmp_path / "h.pem"), r.json()["pem"])
        openssl("verify", "-CAfile", ca.root, "-untrusted", ca.issuer, pem)
        assert ca.ocsp(pem)[0] == "good"
        ca.stop()
        # the HSM goes away: a wrong PIN (the token refuses), then serve again
        write(pin, "0000\n")
        ca.start()
        h = ca.health()
        assert not h["keys"] and "HSM" in h["detail"], h
        r = ca.issue(csr, "2HSM002", "Hsm Holder", actor=REGISTRAR)
        assert r.status == 503 and "HSM" in r.json()["detail"], r.text
        assert ca.ocsp(pem, "-no_nonce")[0] == "good"               # the responder's key is not in the HSM
        assert request(ca.port, "GET", "/ca/chain.pem").status == 200
        # back without a restart: the key process tries again
        write(pin, "4321\n")
        assert wait_for(lambda: ca.issue(csr, "2HSM002", "Hsm Holder", actor=REGISTRAR).status == 201, timeout=10,
                        step=0.5)
        assert ca.health()["keys"]
    finally:
        ca.close()


# ---- several nodes ---------------------------------------------------------------

def test_two_nodes_on_one_database_give_the_same_answers(tmp_path):
    a = CA(str(tmp_path))
    b = CA(str(tmp_path / "b"), db=a.db, init=False)
    b.dir, b.secret = a.dir, a.secret
    a.start()
    b.start()
    try:
        key, csr = make_csr(str(tmp_path), "n", "/CN=Two Nodes")
        r = a.issue(csr, "3TWO003", "Two Nodes", actor=REGISTRAR)
        assert r.status == 201
        pem = write(str(tmp_path / "n.pem"), r.json()["pem"])
        assert a.ocsp(pem, "-no_nonce")[0] == "good" and b.ocsp(pem, "-no_nonce")[0] == "good"
        assert b.api("POST", "/certificates/%s/revoke" % serial_of(pem), {"reason": "keyCompromise"},
                     actor=REGISTRAR).status == 200
        # node a had it cached as good; within its epoch check it says revoked
        assert wait_for(lambda: a.ocsp(pem, "-no_nonce")[0] == "revoked", timeout=2, step=0.05)
        assert a.ocsp(pem)[0] == "revoked" and b.ocsp(pem)[0] == "revoked"
        # one CRL, published by whichever node holds the job, served by both
        def both_list_it():
            bodies = [request(n.port, "GET", "/ca/crl").body for n in (a, b)]
            return bodies[0] == bodies[1] and serial_of(pem).encode() in openssl(
                "crl", "-inform", "DER", "-noout", "-text", input=bodies[0]).stdout
        assert wait_for(both_list_it, timeout=5)
        # time-stamp serials never repeat across nodes
        doc = write(str(tmp_path / "d.txt"), "x")
        q = str(tmp_path / "q.tsq")
        openssl("ts", "-query", "-data", doc, "-sha256", "-out", q)
        serials = set()
        for i in range(6):
            n = (a, b)[i % 2]
            r = request(n.port, "POST", "/ca/tsa", body=open(q, "rb").read())
            text = openssl("ts", "-reply", "-text", "-in", write(str(tmp_path / "r.tsr"), r.body)).stdout.decode()
            serials.add([l for l in text.splitlines() if l.startswith("Serial number")][0])
        assert len(serials) == 6
    finally:
        b.stop()
        a.close()
