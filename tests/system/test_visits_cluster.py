"""Users told apart across nodes (issue 12; monitor's visits.c): two
`pencere portal` nodes on one PostgreSQL database serve the same people
on the same day.  A user both nodes see is one user of the day and of the
month, new or returning once; the database holds only the period's salt
and salted hashes, never an account id.  PostgreSQL only (that is what
several nodes run on), like test_cluster.py."""
import csv
import io
import json
import os
import subprocess
import time

import pytest

import syslib
from test_identity import Browser

pytestmark = pytest.mark.skipif(syslib.DB_KIND != "postgres", reason="several nodes run on PostgreSQL")


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("visits-cluster"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    a = syslib.Server(os.path.join(work, "a"), db=db).start()
    b = syslib.Server(os.path.join(work, "b"), db=db).start()
    accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    yield a, b, accounts, db
    a.close()
    b.close()


def signed_in(node, account):
    br = Browser(node)
    br.login(account["login"], account["password"])
    return br


def on(node, br):
    """The same browser (its session cookie) talking to another node."""
    other = Browser(node)
    other.cookies = dict(br.cookies)
    return other


def month_row(node):
    month = time.strftime("%Y-%m", time.gmtime())
    r = node.get("/statistics/visits.csv?from=" + month)   # the answering node flushes its counts first
    assert r.status == 200, r.text[:300]
    zero = {"users": "0", "new_users": "0", "returning_users": "0"}
    return next((x for x in csv.DictReader(io.StringIO(r.text)) if x["month"] == month), zero)


def test_a_user_of_two_nodes_counts_once(nodes):
    a, b, accounts, db = nodes
    if time.gmtime().tm_hour == 23 and time.gmtime().tm_min >= 58:
        pytest.skip("the day ends during the test")
    before = month_row(a)
    citizens = [x for x in accounts if x["role"] == "citizen"]
    first = signed_in(a, citizens[0])                      # seen by both nodes
    for _ in range(3):
        assert first.get("/account").status == 200
        assert on(b, first).get("/account").status == 200
    second = signed_in(b, citizens[1])                     # seen by one node
    assert second.get("/account").status == 200
    month_row(b)
    after = month_row(a)
    grew = {k: int(after[k]) - int(before[k]) for k in ("users", "new_users", "returning_users")}
    # two people, both new (the demo's accounts were made today); without the shared claim it would be three
    assert grew == {"users": 2, "new_users": 2, "returning_users": 0}, (before, after)
    # the database holds the periods' salts and salted hashes only: 64-bit hashes, no login, no FİN
    rows = [l.split("|") for l in subprocess.run(
        ["psql", db.url, "-At", "-c", "SELECT period, hash FROM mon_visit_seen"],
        capture_output=True, text=True, timeout=60, check=True).stdout.split()]
    assert len(rows) >= 4     # two users, in the day and in the month
    assert all(len(h) == 16 and int(h, 16) >= 0 for _, h in rows)
    assert {len(p) for p, _ in rows} == {7, 10}
