"""Fixtures of the system tests: the real binary on real sockets.

`server` is one portal on the fixture catalogue shared by the whole
session (tests using it must not change the catalogue).  Tests that change
the catalogue, attack the server or stop it get servers of their own
(`make_server`, or module fixtures built with `syslib.Server`)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import syslib  # noqa: E402


def pytest_report_header(config):
    return ["pencere binary: %s" % syslib.BIN,
            "database backend: %s%s" % (syslib.DB_KIND, " (%s)" % syslib.PG_URL if syslib.PG_URL and syslib.DB_KIND != "sqlite" else "")]


def pytest_configure(config):
    config.addinivalue_line("markers", "once: the backend cannot change the result (HTTP framing, parsers, "
                                       "protocol checks): run in the SQLite passes only, not again on PostgreSQL")
    if not (os.path.isfile(syslib.BIN) and os.access(syslib.BIN, os.X_OK)):
        raise pytest.UsageError("pencere binary not found at %s (build it, or set PENCERE_BIN)" % syslib.BIN)
    if syslib.DB_KIND not in ("sqlite", "postgres", "postgresql", "pg"):
        raise pytest.UsageError("PENCERE_TEST_DB must be sqlite or postgres")
    if syslib.DB_KIND != "sqlite" and not syslib.PG_URL:
        raise pytest.UsageError("PENCERE_TEST_DB=postgres needs PENCERE_TEST_PG_URL (an admin URL)")


def pytest_collection_modifyitems(config, items):
    """Tests marked `once` run where the database is SQLite (CI's sanitizer
    pass) and are skipped on PostgreSQL, where they would
    only repeat themselves: CI keeps its time for what a backend changes."""
    if syslib.DB_KIND == "sqlite":
        return
    skip = pytest.mark.skip(reason="backend-independent: runs in the SQLite passes")
    for item in items:
        if item.get_closest_marker("once"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def spec():
    return syslib.load_openapi()


@pytest.fixture(scope="session")
def schemas(spec):
    return syslib.SchemaSet(spec)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The shared portal on tests/fixtures/catalog (read-only use)."""
    srv = syslib.Server(str(tmp_path_factory.mktemp("shared-server")))
    srv.start()
    yield srv
    srv.close()


class _Factory:
    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.servers = []

    def __call__(self, catalog=syslib.FIXTURE, extra=(), start=True):
        srv = syslib.Server(str(self.tmp.mktemp("server")), catalog=catalog, extra=extra)
        self.servers.append(srv)
        if start:
            srv.start()
        return srv

    def close_all(self):
        errors = []
        for srv in self.servers:
            try:
                if srv.proc is not None and srv.proc.poll() is None:
                    srv.stop()
            except AssertionError as e:
                errors.append(str(e))
            finally:
                srv.db.drop()
        if errors:
            pytest.fail("\n\n".join(errors))


@pytest.fixture
def make_server(tmp_path_factory):
    """Start extra portals for one test; those still running at the end are
    stopped with SIGTERM (exit 0 and a clean stderr asserted)."""
    f = _Factory(tmp_path_factory)
    yield f
    f.close_all()
