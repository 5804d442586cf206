"""Files attached to applications, as an attacker and an auditor see them:
nothing of a refused request stays on disk, a file is what its content
says (never what a client states), names carry no invisible characters,
and every read of a citizen's case or file by staff is in the citizen's
access log with the role it was allowed by.  Uses the fixture form
tests/fixtures/forms/din-id-card.json on the backend of PENCERE_TEST_DB."""
import json
import os
import re

import pytest

import syslib
from test_applications import GOOD, PNG, call, multipart, submit, token, upload
from test_identity import Browser

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(tag):
    """A PNG of its own (libmagic reads the head; the tail makes the hash new)."""
    return PNG + tag.encode()


def issues(body):
    return {(e["field"], e["code"]) for e in body.get("errors", [])}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("uploads"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    s = syslib.Server(work, db=db)
    s.start()
    s.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    s.tokens = {}
    yield s
    s.close()


def browser(srv, role, agency=None, index=0):
    a = [x for x in srv.accounts if x["role"] == role and (agency is None or x["agency"] == agency)][index]
    b = Browser(srv)
    b.login(a["login"], a["password"])
    return b


# ---- what a file is: the upload says, not the answer (issue 8.8) -----------------------

def test_a_file_answer_is_taken_for_what_was_uploaded(srv):
    tok = token(srv, "citizen")
    st, pdf = upload(srv, tok, "scan.pdf", PDF, "application/pdf")
    assert st == 201 and pdf["type"] == "application/pdf"
    # a PDF labelled as a picture, for a question that takes pictures only
    st, body, _ = submit(srv, dict(GOOD, photo=dict(pdf, type="image/png", name="photo.png")), tok)
    assert st == 422 and ("photo", "file_type") in issues(body), body
    # a picture over the question's 100 000 bytes, stated smaller
    st, big = upload(srv, tok, "big.png", png("big") + b"\0" * 150000, "image/png")
    assert st == 201 and big["size"] > 150000
    st, body, _ = submit(srv, dict(GOOD, photo=dict(big, size=1000)), tok)
    assert st == 422 and ("photo", "file_too_big") in issues(body), body
    # a good file: the application keeps the upload's name, size and type
    st, f = upload(srv, tok, "photo.png", png("kept"), "image/png")
    st, body, _ = submit(srv, dict(GOOD, photo=dict(f, name="invented.png")), tok)
    assert st == 201, body
    st, app, _ = call(srv, "GET", "/api/v1/applications/" + body["reference"], token=tok)
    assert app["answers"]["photo"] == f


# ---- names without invisible characters (issue 8.14) ----------------------------------

def test_names_lose_bidirectional_and_format_characters(srv):
    tok = token(srv, "citizen", index=1)
    # U+202E would show "photo\u202egnp.exe" as "photoexe.png"; U+200B and U+2066 hide
    st, f = upload(srv, tok, "\u2066photo\u202egnp.exe\u200b.png\u2069", png("bidi"), "image/png")
    assert st == 201 and f["name"] == "photognp.exe.png", f
    st, body, _ = submit(srv, dict(GOOD, photo=f), tok)
    assert st == 201, body
    ref = body["reference"]
    st, app, _ = call(srv, "GET", "/api/v1/applications/" + ref, token=tok)
    assert app["answers"]["photo"]["name"] == "photognp.exe.png"
    page = browser(srv, "officer", "din").get("/office/cases/" + ref).text
    assert "photognp.exe.png" in page
    assert not re.search("[\u200b-\u200f\u202a-\u202e\u2066-\u2069]", page)
