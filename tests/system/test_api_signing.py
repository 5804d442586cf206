"""Signing an application through the JSON API (issue 10): a citizen's API
client gets its draft's document to sign (GET …/signing: the bytes, their
SHA-256, a challenge), signs it with the certificate's key (`pencere
login-sign --application`) and posts certificate and signature (POST
…/signature); the draft records it as the web flow does (the check page
says it is signed, it is sent, and the bundle verifies with `pencere
verify`).  Each refusal is a problem+json: another key, a revoked
certificate, another person's certificate, signed already, a changed
draft, a service that takes no signature, someone else's draft."""
import base64
import json
import os
import re

import pytest

import syslib
from test_cert_login import din_draft, issue, signing_portal
from test_identity import Browser, api_login
from test_pki_support import CA, serial_of


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """din-id-card asks for the applicant's signature; din-fine-check (level
    none) takes the same form without one."""
    work = str(tmp_path_factory.mktemp("apisign"))
    ca = CA(os.path.join(work, "ca"))
    ca.start()
    srv = signing_portal(work, ca, unsigned=("din-fine-check",))
    yield srv
    srv.close()
    ca.close()


def citizen(env, index=0):
    return [a for a in env.accounts if a["role"] == "citizen"][index]


def session(env, index=0):
    """A browser (to fill the draft) and an API token of the same citizen."""
    who = citizen(env, index)
    b = Browser(env)
    b.login(who["login"], who["password"])
    return who, b, api_login(env, who["login"], who["password"]).json()["token"]


def call(env, method, path, tok, body=None):
    return syslib.request(env.port, method, path, body=json.dumps(body).encode() if body is not None else None,
                          headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json"})


def signed_body(env, signing, key, pem, name):
    """What `pencere login-sign --application` prints for the answer of …/signing."""
    path = os.path.join(env.work, name + ".signing.json")
    open(path, "w").write(json.dumps(signing))
    r = syslib.run_cli("login-sign", "--key", key, "--cert", pem, "--application", path)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def problem(r, status, kind, schemas=None):
    assert r.status == status, (r.status, r.text[:400])
    assert r.header("Content-Type").startswith("application/problem+json")
    assert r.json()["type"] == "https://pencere.az/problems/" + kind, r.text
    return r.json()


def test_a_draft_is_signed_through_the_api_and_sent(env, schemas):
    who, b, tok = session(env)
    base = din_draft(b)
    draft = base.rsplit("/", 1)[1]
    r = call(env, "GET", "/api/v1/applications/%s/signing" % draft, tok)
    assert r.status == 200, r.text
    s = r.json()
    schemas.validate(s, schemas.response_schema("/api/v1/applications/{ref}/signing", "get", "200"))
    assert s["signature"] == "required" and not s["signed"]
    doc = base64.urlsafe_b64decode(s["document"] + "=" * (-len(s["document"]) % 4))
    assert doc == b.get(base + "/to-sign").body   # the pages' bytes to sign
    key, pem = issue(env, "api-signer", who["login"], profile="citizen")

    # refusals first: each one a problem, nothing kept
    other_key, _ = issue(env, "api-other-key", who["login"], profile="citizen")
    wrong = dict(signed_body(env, s, other_key, pem, "wrong-key"))  # another key under this certificate
    refused = problem(call(env, "POST", "/api/v1/applications/%s/signature" % draft, tok, wrong), 422,
                      "signature-refused")
    schemas.validate(refused, schemas.response_schema("/api/v1/applications/{ref}/signature", "post", "422"))
    assert refused["reason"] == "bad-signature"
    okey, opem = issue(env, "api-someone-else", citizen(env, 1)["login"], profile="citizen")
    r = call(env, "POST", "/api/v1/applications/%s/signature" % draft, tok, signed_body(env, s, okey, opem, "other"))
    assert problem(r, 422, "signature-refused")["reason"] == "not-the-applicant"
    rkey, rpem = issue(env, "api-revoked", who["login"], profile="citizen")
    assert env.ca.cli("revoke", "--serial", serial_of(rpem), "--reason", "keyCompromise").returncode == 0
    r = call(env, "POST", "/api/v1/applications/%s/signature" % draft, tok, signed_body(env, s, rkey, rpem, "revoked"))
    assert problem(r, 422, "signature-refused")["reason"] == "revoked"
    lkey, lpem = issue(env, "api-login-only", who["login"])   # a login certificate does not sign
    r = call(env, "POST", "/api/v1/applications/%s/signature" % draft, tok, signed_body(env, s, lkey, lpem, "login"))
    assert problem(r, 422, "signature-refused")["reason"] == "wrong-profile"
    good = signed_body(env, s, key, pem, "good")
    problem(call(env, "POST", "/api/v1/applications/%s/signature" % draft, tok, dict(good, certificate="nope")), 400,
            "bad-certificate")
    problem(call(env, "POST", "/api/v1/applications/%s/signature" % draft, tok, {"challenge": s["challenge"]}), 400,
            "bad-body")
    problem(call(env, "POST", "/api/v1/applications/%s/signature" % draft, tok, dict(good, challenge="1:00")), 409,
            "document-changed")
    # someone else's draft: not found, for the document and the signature alike
    _, _, other_tok = session(env, 1)
    problem(call(env, "GET", "/api/v1/applications/%s/signing" % draft, other_tok), 404, "not-found")
    problem(call(env, "POST", "/api/v1/applications/%s/signature" % draft, other_tok, good), 404, "not-found")
    assert call(env, "GET", "/api/v1/applications/%s/signing" % draft, "x" * 43).status == 401

    # the certificate as base64 DER works as PEM does
    der = base64.b64encode(base64.b64decode("".join(l for l in good["certificate"].splitlines()
                                                    if not l.startswith("-----")))).decode()
    r = call(env, "POST", "/api/v1/applications/%s/signature" % draft, tok, dict(good, certificate=der))
    assert r.status == 201, r.text
    schemas.validate(r.json(), schemas.response_schema("/api/v1/applications/{ref}/signature", "post", "201"))
    assert r.json()["signer"]["serial"].upper() == serial_of(pem).upper() and r.json()["sha256"] == s["sha256"]
    problem(call(env, "POST", "/api/v1/applications/%s/signature" % draft, tok, good), 409, "already-signed")
    assert call(env, "GET", "/api/v1/applications/%s/signing" % draft, tok).json()["signed"] is True

    # the draft records it as the pages do: signed, sent, and the bundle verifies
    assert "The application is signed" in b.get(base + "/check?lang=en").text
    r = b.post(base + "/submit", {}, from_page=base + "/check")
    assert r.status == 303 and "?sent=1" in r.header("Location"), r.header("Location")
    ref = re.search(r"(AZ-\d{4}-\d{8})", r.header("Location")).group(1)
    bundle = os.path.join(env.work, "api-bundle.json")
    open(bundle, "wb").write(b.get("/applications/%s/signed/application.json" % ref).body)
    open(bundle + ".p7s", "wb").write(b.get("/applications/%s/signed/application.json.p7s" % ref).body)
    r = syslib.run_cli("verify", "--trust", env.ca.chain_file(), bundle, bundle + ".p7s")
    assert r.returncode == 0, r.stdout + r.stderr
    problem(call(env, "GET", "/api/v1/applications/%s/signing" % draft, tok), 409, "already-submitted")


def test_a_service_that_takes_no_signature_says_so(env):
    _, b, tok = session(env)
    r = b.post("/services/din-fine-check/apply", {}, from_page="/services/din-id-card/start")
    assert r.status == 303, r.status
    draft = r.header("Location").split("/")[2]
    problem(call(env, "GET", "/api/v1/applications/%s/signing" % draft, tok), 409, "signature-not-needed")
    problem(call(env, "POST", "/api/v1/applications/%s/signature" % draft, tok,
                 {"challenge": "1:x", "certificate": "x", "signature": "x"}), 409, "signature-not-needed")


def test_login_sign_refuses_a_file_that_is_not_a_signing_answer(env, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"document": "YWJj", "sha256": "0" * 64, "challenge": "1:0"}))
    key, pem = issue(env, "cli-check", citizen(env)["login"], profile="citizen")
    r = syslib.run_cli("login-sign", "--key", key, "--cert", pem, "--application", str(bad))
    assert r.returncode != 0 and "does not match" in r.stderr
