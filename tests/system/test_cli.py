"""The command line: help, exit codes (0 ok, 1 failure, 2 usage error),
and `pencere demo`."""
import os
import re
import signal
import socket
import subprocess
import time

import pytest

import syslib
from syslib import BIN, FIXTURE, request, run_cli


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["help"]])
def test_help_lists_commands(args):
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    for cmd in ("portal", "demo", "admin"):
        assert re.search(r"^\s+%s\s" % cmd, r.stdout, re.M), (cmd, r.stdout)


def test_version():
    r = run_cli("--version")
    assert r.returncode == 0
    assert re.match(r"pencere \d+\.\d+", r.stdout)


@pytest.mark.parametrize("args", [["portal", "--help"], ["demo", "--help"], ["admin", "--help"],
                                  ["admin", "import-catalog", "--help"], ["admin", "migrate", "--help"]])
def test_subcommand_help(args):
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    assert "usage: pencere" in r.stdout


def test_portal_help_lists_options():
    out = run_cli("portal", "--help").stdout
    for opt in ("--listen", "--db", "--import-catalog"):
        assert opt in out


USAGE_ERRORS = [
    [],
    ["frobnicate"],
    ["--frobnicate"],
    ["portal", "--bogus"],
    ["portal", "--db"],                                    # option without its value
    ["portal", "stray-argument", "--db", "x.db"],
    ["portal", "--db", "x.db", "--threads", "many"],
    ["portal", "--db", "x.db", "--timeout", "0"],
    ["portal", "--db", "x.db", "--log-level", "loud"],
    ["demo", "--bogus"],
    ["admin"],
    ["admin", "frobnicate"],
    ["admin", "import-catalog", "--bogus"],
    ["admin", "migrate", "--bogus"],
]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=lambda a: " ".join(a) or "(none)")
def test_usage_errors_exit_2(args, tmp_path):
    r = run_cli(*args, cwd=str(tmp_path))
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.strip(), "a usage error says what is wrong"
    assert not os.path.exists(tmp_path / "x.db"), "a usage error must not create the database"


def test_portal_without_db_is_usage_error():
    env = dict(os.environ)
    env.pop("PENCERE_DB", None)
    r = subprocess.run([BIN, "portal", "--listen", "127.0.0.1:1"], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 2
    assert "--db" in r.stderr


@pytest.mark.parametrize("listen", ["nonsense", "127.0.0.1:99999"])
def test_malformed_listen_is_usage_error(tmp_path, listen):
    """A malformed --listen value is a usage error like a malformed
    --threads (exit 2), and is refused before the database is touched."""
    db = str(tmp_path / "never.db")
    r = run_cli("portal", "--listen", listen, "--db", db)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert not os.path.exists(db)


def test_port_in_use_is_failure(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        r = run_cli("portal", "--listen", "127.0.0.1:%d" % port, "--db", str(tmp_path / "p.db"), timeout=60)
    finally:
        s.close()
    assert r.returncode == 1
    assert "listen" in r.stderr


def test_bad_database_url_is_failure(tmp_path):
    r = run_cli("portal", "--listen", "127.0.0.1:%d" % syslib.free_port(),
                "--db", "postgresql://nobody@127.0.0.1:1/none", "--files-dir", str(tmp_path / "files"), timeout=60)
    assert r.returncode == 1
    # PostgreSQL means several nodes: the shared files folder must be named
    r = run_cli("portal", "--listen", "127.0.0.1:%d" % syslib.free_port(),
                "--db", "postgresql://nobody@127.0.0.1:1/none", timeout=60)
    assert r.returncode == 2 and "--files-dir" in r.stderr
    r = run_cli("portal", "--listen", "127.0.0.1:%d" % syslib.free_port(),
                "--db", str(tmp_path / "no-such-dir" / "x.db"), timeout=60)
    assert r.returncode == 1


def test_import_without_dir_or_db(tmp_path):
    env = dict(os.environ)
    env.pop("PENCERE_DB", None)
    r = subprocess.run([BIN, "admin", "import-catalog", "--dir", FIXTURE], capture_output=True, text=True, env=env,
                       timeout=30, cwd=str(tmp_path))
    assert r.returncode in (1, 2)
    assert "--db" in r.stderr


# ---- demo -----------------------------------------------------------------

def test_demo_prints_urls_and_serves(tmp_path):
    data = tmp_path / "demo-data"
    out_path, err_path = tmp_path / "demo.out", tmp_path / "demo.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        p = subprocess.Popen([BIN, "demo", "--listen", "127.0.0.1:0", "--data-dir", str(data), "--catalog", FIXTURE],
                             stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    try:
        port = None
        deadline = time.monotonic() + syslib.START_TIMEOUT
        while time.monotonic() < deadline and p.poll() is None:
            text = out_path.read_text(encoding="utf-8")
            m = re.search(r"http://127\.0\.0\.1:(\d+)/healthz", text)
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        assert port, "no URLs printed; stdout:\n%s\nstderr:\n%s" % (out_path.read_text(), err_path.read_text()[-2000:])
        text = out_path.read_text(encoding="utf-8")
        for path in ("/", "/?lang=en", "/?lang=ru", "/api/v1/services", "/api/v1/openapi.yaml", "/healthz", "/metrics"):
            assert "http://127.0.0.1:%d%s\n" % (port, path) in text, path
        assert port != 0
        r = request(port, "GET", "/healthz")
        assert r.status == 200
        assert r.json()["services"] == 3
        assert request(port, "GET", "/?lang=en").status == 200
        assert (data / "pencere.db").exists()
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        rc = p.wait(15)
    err = err_path.read_text(encoding="utf-8", errors="replace")
    assert rc == 0, err[-2000:]
    assert not syslib.sanitizer_findings(err), err[-4000:]


def test_demo_without_catalogue_fails(tmp_path):
    r = run_cli("demo", "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path / "d"), "--catalog",
                str(tmp_path / "no-such-catalog"), timeout=60)
    assert r.returncode == 1
