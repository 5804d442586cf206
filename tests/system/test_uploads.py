"""Files attached to applications, as an attacker and an auditor see them:
nothing of a refused request stays on disk, a file is what its content
says (never what a client states), names carry no invisible characters,
every read of a citizen's case or file by staff is in the citizen's
access log with the role it was allowed by, and a body of files is
admitted before it is read and leaves nothing it did not keep; files
move into the database and are served from there.  Uses the fixture form
tests/fixtures/forms/din-id-card.json on the backend of PENCERE_TEST_DB."""
import os
import re

import syslib
from test_applications import GOOD, PNG, call, multipart, submit, token, upload
from test_applications import srv  # noqa: F401  (the fixture: a seeded server of this module's own)
from test_apply_html import login as browser
from test_identity import Browser

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(tag):
    """A PNG of its own (libmagic reads the head; the tail makes the hash new)."""
    return PNG + tag.encode()


def issues(body):
    return {(e["field"], e["code"]) for e in body.get("errors", [])}


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


# ---- who looked at my data (issue 8.3) ---------------------------------------------

def sql(srv, query):
    """Rows of a query on the server's database, as lists of text."""
    if srv.db.kind == "sqlite":
        import sqlite3
        with sqlite3.connect(srv.db.url) as c:
            return [[str(v) for v in row] for row in c.execute(query)]
    import subprocess
    r = subprocess.run(["psql", srv.db.url, "-v", "ON_ERROR_STOP=1", "-q", "-At", "-c", query],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [line.split("|") for line in r.stdout.splitlines() if line]


def looks(srv, ref):
    """(role, kind) of each staff read of the case, in no particular order."""
    return sorted(sql(srv, "SELECT accessor_role, data_kind FROM data_access_log WHERE ground = '%s'" % ref))


def test_every_staff_read_of_a_case_is_logged_with_the_real_role(srv, schemas):
    tok = token(srv, "citizen")
    st, f = upload(srv, tok, "photo.png", png("looks"), "image/png")
    st, body, _ = submit(srv, dict(GOOD, photo=f), tok)
    assert st == 201, body
    ref, v = body["reference"], body["version"]
    # the applicant's own reads are nobody else's
    call(srv, "GET", "/api/v1/applications/" + ref, token=tok)
    assert looks(srv, ref) == []
    # the agency's administrator reads it through the API: recorded as such
    st, app, _ = call(srv, "GET", "/api/v1/applications/" + ref, token=token(srv, "agency_admin", "din"))
    assert st == 200 and "answers" in app
    assert looks(srv, ref) == [["agency_admin", "case"]]
    # an officer downloads the citizen's file
    officer = browser(srv, "officer", "din")
    r = officer.get("/office/cases/%s/files/%s" % (ref, f["sha256"]))
    assert r.status == 200 and r.body == png("looks")
    assert looks(srv, ref) == [["agency_admin", "case"], ["officer", "file"]]
    # a step's answer: the state, version and history the next step needs, not the answers
    st, a, _ = call(srv, "POST", "/api/v1/applications/%s/actions" % ref, {"action": "register", "version": v},
                    token(srv, "officer", "din"))
    assert st == 200 and a["status"] == "registered" and "answers" not in a and a["history"]
    schemas.validate_ref(a, "ApplicationStep")
    assert looks(srv, ref) == [["agency_admin", "case"], ["officer", "case"], ["officer", "file"]]
    # the office page
    assert officer.get("/office/cases/" + ref).status == 200
    assert looks(srv, ref) == [["agency_admin", "case"], ["officer", "case"], ["officer", "case"], ["officer", "file"]]
    # the citizen sees each, in words
    a = [x for x in srv.accounts if x["role"] == "citizen"][0]
    me = Browser(srv)
    me.login(a["login"], a["password"])
    page = me.get("/account").text
    assert "Müraciətə əlavə etdiyiniz fayl" in page and "Qurumun administratoru" in page


# ---- nothing of a body that is not accepted stays (issue 8.2) ---------------------------

def stored(srv):
    """Every file under the files folder: stored files and parts being received."""
    root = os.path.join(srv.workdir, "files")
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def parts(n, tag):
    """A multipart body of n different pictures."""
    return multipart({}, {"file%d" % i: ("p%d.png" % i, png("%s-%d" % (tag, i)), "image/png") for i in range(n)})


def send(srv, path, body, ct, headers=()):
    """POST over a raw socket (the server may answer before the body is
    sent, and close); the status of the answer."""
    head = "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n" % (
        path, ct, len(body))
    head += "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
    answer = syslib.raw_exchange(srv.port, head.encode() + body)
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", answer)
    assert m, answer[:200]
    return int(m.group(1))


def test_an_anonymous_body_of_files_is_never_stored(srv):
    before = stored(srv)
    body, ct = parts(2000, "anon")
    assert send(srv, "/api/v1/uploads", body, ct) == 401
    assert stored(srv) == before
    # a form of the portal without a session (nor a token): refused, nothing kept
    assert send(srv, "/applications/%s/page/contact" % ("0" * 32), body, ct) == 403
    assert stored(srv) == before


def test_a_forged_form_with_files_is_refused_before_its_body(srv):
    b = browser(srv, "citizen", index=1)
    r = b.post("/services/din-id-card/apply", {}, from_page="/services/din-id-card/start")
    page = r.header("Location").rsplit("/page/", 1)[0] + "/page/contact"
    cookie = ("Cookie", b._headers()["Cookie"])
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', b.get(page).text).group(1)
    before = stored(srv)
    # the token in the body, where it is read only after the files: not taken
    body, ct = multipart({"csrf": csrf, "_version": "1"}, {"photo": ("a.png", png("forged"), "image/png")})
    assert send(srv, page, body, ct, [cookie]) == 403
    assert send(srv, page + "?csrf=" + "0" * len(csrf), body, ct, [cookie]) == 403
    assert stored(srv) == before
    # in the address, or in a header (for scripts), it is
    assert send(srv, page, body, ct, [cookie, ("X-CSRF-Token", csrf)]) in (303, 400)
    assert len(stored(srv)) == len(before) + 1


def test_only_the_files_a_handler_keeps_stay(srv):
    tok = ("Authorization", "Bearer " + token(srv, "citizen"))
    before = stored(srv)
    # too many parts: refused, none kept
    body, ct = parts(33, "many")
    assert send(srv, "/api/v1/uploads", body, ct, [tok]) == 400
    # two files where one is taken: refused, and neither stays
    body, ct = parts(2, "two")
    assert send(srv, "/api/v1/uploads", body, ct, [tok]) == 400
    # a type not taken
    body, ct = multipart({}, {"file": ("x.png", b"MZ\x90\x00 a program" * 10, "image/png")})
    assert send(srv, "/api/v1/uploads", body, ct, [tok]) == 415
    assert stored(srv) == before
    # one good file: stored under its SHA-256, nothing else
    st, f = upload(srv, tok[1][7:], "one.png", png("one"), "image/png")
    assert st == 201
    assert stored(srv) == sorted(before + [os.path.join(f["sha256"][:2], f["sha256"])])


def test_a_client_gone_midway_leaves_nothing(srv):
    import socket
    import time
    before = stored(srv)
    body, ct = parts(3, "gone")
    head = ("POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            "Authorization: Bearer %s\r\n\r\n" % (ct, len(body), token(srv, "citizen"))).encode()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    s.sendall(head + body[:len(body) * 2 // 3])   # two files whole, the third begun
    deadline = time.monotonic() + 10
    while len(stored(srv)) < len(before) + 2 and time.monotonic() < deadline:
        time.sleep(0.02)                           # the parts are being received
    assert len(stored(srv)) >= len(before) + 2
    s.close()
    while stored(srv) != before and time.monotonic() < deadline:
        time.sleep(0.02)                           # the server notices the client is gone
    assert stored(srv) == before


# ---- files in the database (issue 13.7) ----------------------------------------------

def test_files_move_into_the_database_and_are_served_from_there(srv, tmp_path):
    tok = token(srv, "citizen")
    st, f = upload(srv, tok, "moved.png", png("moved"), "image/png")
    st, body, _ = submit(srv, dict(GOOD, photo=f), tok)
    assert st == 201, body
    r = syslib.run_cli("admin", "move-files", "--db", srv.db.url, "--files-dir", os.path.join(srv.workdir, "files"),
                       "--to", "db")
    assert r.returncode == 0 and ", 0 damaged" in r.stdout, r.stdout + r.stderr
    # a node with the database store and a folder of its own serves it
    other = syslib.Server(str(tmp_path / "db-store"), db=srv.db, catalog=None, extra=["--files-store", "db"])
    other.start()
    try:
        a = [x for x in srv.accounts if x["role"] == "citizen"][0]
        me = Browser(other)
        me.login(a["login"], a["password"])
        r = me.get("/applications/%s/files/%s" % (body["reference"], f["sha256"]))
        assert r.status == 200 and r.body == png("moved")
        assert r.header("Content-Type") == "image/png"
    finally:
        other.stop()
