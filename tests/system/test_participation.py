"""Polls and the online queue over the JSON API, on the backend chosen by
PENCERE_TEST_DB: the demo contract (demo-participation.json), one vote
per person (also from two sessions at once), votes after closing, ballot
stuffing, changeable and secret polls, the published tally; bookings
racing for slots (200 clients, 20 slots: exactly 20 bookings), hoarding
limits, move and cancel (and cancelling too late), a centre closed on a
day with bookings (people are told), the desk (check-in, call, no-show)
and the hall's display page in az/en/ru."""
import datetime
import json
import os
import re
import threading
import time

import pytest

import syslib
from test_notify import sql     # the outbox, read straight from the database

FINE = "din-fine-check"      # the fixture's service that needs no login
ID_CARD = "din-id-card"      # … and one that does


def call(srv, method, path, body=None, token=None):
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    r = syslib.request(srv.port, method, path, headers=h, body=data, timeout=60)
    ct = r.content_type or ""
    return r.status, (r.json() if r.body and "json" in ct else {}), r


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("participation"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "import-catalog", "--db", db.url, "--dir", syslib.FIXTURE, timeout=120)
    assert r.returncode == 0, r.stderr
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    s = syslib.Server(work, db=db, extra=["--jobs-interval", "0.2", "--per-ip-connections", "0",
                                          "--max-connections", "1000"])
    s.start()
    s.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    s.demo = json.load(open(os.path.join(work, "demo-participation.json")))
    s.tokens = {}
    yield s
    s.close()


def login(srv, role, agency=None, index=0):
    a = [x for x in srv.accounts if x["role"] == role and (agency is None or x["agency"] == agency)][index]
    st, body, _ = call(srv, "POST", "/api/v1/auth/password", {"login": a["login"], "password": a["password"]})
    assert st == 200, body
    return body["token"]


def token(srv, role, agency=None, index=0):
    key = (role, agency, index)
    if key not in srv.tokens:
        srv.tokens[key] = login(srv, role, agency, index)
    return srv.tokens[key]


def wait_for(pred, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("condition not met in %.0f s" % timeout)


def new_poll(srv, **kw):
    now = int(time.time())
    body = {"question": {"az": "Sual?", "en": "Question?", "ru": "Вопрос?"},
            "options": [{"az": "A", "en": "A", "ru": "А"}, {"az": "B", "en": "B", "ru": "Б"}],
            "opens_at": now, "closes_at": now + 3600}
    body.update(kw)
    st, p, _ = call(srv, "POST", "/api/v1/polls", body, token(srv, "operator"))
    assert st == 201, p
    return p


def close_and_count(srv, poll):
    assert call(srv, "POST", "/api/v1/polls/%s/close" % poll, {}, token(srv, "operator"))[0] == 200
    return wait_for(lambda: (lambda r: r[1] if r[0] == 200 and r[1].get("tally") else None)(
        call(srv, "GET", "/api/v1/polls/%s/results" % poll)))


# ---- polls -----------------------------------------------------------------------

def test_demo_contract(srv, schemas):
    d = srv.demo
    assert set(d) >= {"poll", "options", "centre", "service", "date"}
    st, p, _ = call(srv, "GET", "/api/v1/polls/" + d["poll"])
    assert st == 200 and p["state"] == "open" and [o["id"] for o in p["options"]] == d["options"]
    st, body, _ = call(srv, "GET", "/api/v1/queue/slots?centre=%s&service=%s&date=%s"
                       % (d["centre"], d["service"], d["date"]))
    assert st == 200 and any(i["free"] for i in body["items"])
    schemas.validate(body, schemas.response_schema("/api/v1/queue/slots", "get", 200))
    schemas.validate(p, schemas.response_schema("/api/v1/polls/{id}", "get", 200))


def test_one_vote_per_person_and_a_receipt(srv, schemas):
    p = new_poll(srv)
    tok = token(srv, "citizen")
    st, rec, _ = call(srv, "POST", "/api/v1/polls/%s/votes" % p["id"], {"option": "1"}, tok)
    assert st == 201 and len(rec["receipt"]) == 32 and not rec["replaced"]
    schemas.validate(rec, schemas.response_schema("/api/v1/polls/{id}/votes", "post", 201))
    st, prob, r = call(srv, "POST", "/api/v1/polls/%s/votes" % p["id"], {"option": "2"}, tok)
    assert st == 409 and r.content_type.startswith("application/problem+json")
    assert call(srv, "GET", "/api/v1/polls/%s/ballots/%s" % (p["id"], rec["receipt"]))[0] == 200
    assert call(srv, "GET", "/api/v1/polls/%s/ballots/%s" % (p["id"], "0" * 32))[0] == 404
    st, res, _ = call(srv, "GET", "/api/v1/polls/%s/results" % p["id"])
    assert st == 200 and res["total"] == 1 and res["voters"] == 1 and not res["final"]
    schemas.validate(res, schemas.response_schema("/api/v1/polls/{id}/results", "get", 200))


def test_double_votes_from_two_sessions_at_once(srv):
    p = new_poll(srv)
    tokens = [login(srv, "citizen", index=1) for _ in range(2)]
    codes, barrier = [], threading.Barrier(16)

    def go(i):
        barrier.wait()
        codes.append(call(srv, "POST", "/api/v1/polls/%s/votes" % p["id"], {"option": "2"}, tokens[i % 2])[0])

    ts = [threading.Thread(target=go, args=(i,)) for i in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(codes) == [201] + [409] * 15
    res = call(srv, "GET", "/api/v1/polls/%s/results" % p["id"])[1]
    assert res["total"] == 1 and res["voters"] == 1


def test_ballot_stuffing_through_the_api_is_refused(srv):
    p = new_poll(srv)
    path = "/api/v1/polls/%s/votes" % p["id"]
    assert call(srv, "POST", path, {"option": "1"})[0] == 401
    assert call(srv, "POST", path, {"option": "1"}, token(srv, "officer", "din"))[0] == 403
    assert call(srv, "POST", path, {"option": "9"}, token(srv, "citizen"))[0] == 400
    assert call(srv, "POST", path, {"option": "1' OR 1=1"}, token(srv, "citizen"))[0] == 400
    assert call(srv, "POST", path, {"nothing": 1}, token(srv, "citizen"))[0] == 400
    assert call(srv, "POST", "/api/v1/polls/nosuchpoll/votes", {"option": "1"}, token(srv, "citizen"))[0] == 404
    # none of these left a ballot
    assert call(srv, "GET", "/api/v1/polls/%s/results" % p["id"])[1]["total"] == 0
    # a citizen may not make polls
    now = int(time.time())
    st, _, _ = call(srv, "POST", "/api/v1/polls", {"question": "Q?", "options": ["a", "b"], "opens_at": now,
                                                    "closes_at": now + 60}, token(srv, "citizen"))
    assert st == 403


def test_votes_after_closing_and_the_published_tally(srv, schemas):
    p = new_poll(srv)
    assert call(srv, "POST", "/api/v1/polls/%s/votes" % p["id"], {"option": "2"}, token(srv, "citizen"))[0] == 201
    res = close_and_count(srv, p["id"])
    schemas.validate(res, schemas.response_schema("/api/v1/polls/{id}/results", "get", 200))
    assert res["final"] and res["state"] == "counted" and res["total"] == 1
    st, prob, _ = call(srv, "POST", "/api/v1/polls/%s/votes" % p["id"], {"option": "1"},
                       token(srv, "citizen", index=1))
    assert st == 409 and "closed" in prob["detail"]
    t = res["tally"]
    doc = json.loads(t["document"])
    assert doc["poll"] == p["id"] and doc["total"] == 1 and doc["voters"] == 1
    assert [o["votes"] for o in doc["options"]] == [0, 1]
    import hashlib
    assert hashlib.sha256(t["document"].encode()).hexdigest() == t["sha256"]
    # closing twice is a conflict, the numbers stay
    assert call(srv, "POST", "/api/v1/polls/%s/close" % p["id"], {}, token(srv, "operator"))[0] == 409
    assert call(srv, "GET", "/api/v1/polls/%s/results" % p["id"])[1]["total"] == 1


def test_a_changeable_poll_replaces_the_vote(srv):
    p = new_poll(srv, changeable=True)
    tok = token(srv, "citizen")
    st, first, _ = call(srv, "POST", "/api/v1/polls/%s/votes" % p["id"], {"option": "1"}, tok)
    st2, second, _ = call(srv, "POST", "/api/v1/polls/%s/votes" % p["id"], {"option": "2"}, tok)
    assert (st, st2) == (201, 200) and second["replaced"] and second["receipt"] == first["receipt"]
    res = call(srv, "GET", "/api/v1/polls/%s/results" % p["id"])[1]
    assert [o["votes"] for o in res["options"]] == [0, 1] and res["voters"] == 1


def test_secret_results_only_once_counted(srv):
    p = new_poll(srv, secret=True)
    assert call(srv, "POST", "/api/v1/polls/%s/votes" % p["id"], {"option": "1"}, token(srv, "citizen"))[0] == 201
    assert call(srv, "GET", "/api/v1/polls/%s/results" % p["id"])[0] == 403
    res = close_and_count(srv, p["id"])
    assert res["total"] == 1


def test_bad_polls_are_refused(srv):
    now = int(time.time())
    op = token(srv, "operator")
    for body in ({"question": "Q?", "options": ["only one"], "opens_at": now, "closes_at": now + 60},
                 {"question": "Q?", "options": ["a", "b"], "opens_at": now, "closes_at": now - 60},
                 {"question": "", "options": ["a", "b"], "opens_at": now, "closes_at": now + 60},
                 {"question": "Q?", "options": ["a", "b"], "opens_at": "yesterday", "closes_at": now + 60},
                 {"question": "Q?", "options": ["a", "b"], "opens_at": now, "closes_at": now + 60,
                  "group": {"min_age": 200}}):
        st, prob, _ = call(srv, "POST", "/api/v1/polls", body, op)
        assert st == 400, (body, prob)


# ---- the queue ---------------------------------------------------------------------

def put_centre(srv, cid, counters, opens=8 * 60, closes=18 * 60, slot=30):
    body = {"agency": "din", "name": {"az": "Mərkəz " + cid, "en": "Centre " + cid, "ru": "Центр " + cid},
            "address": {"az": "Bakı", "en": "Baku", "ru": "Баку"}, "slot_minutes": slot, "utc_offset": 240,
            "counters": counters, "hours": [[opens, closes]] * 7}
    st, body, _ = call(srv, "POST", "/api/v1/queue/centres/" + cid, body, token(srv, "operator"))
    assert st == 200, body
    return body


def local_day(days=0):
    return (datetime.datetime.utcnow() + datetime.timedelta(hours=4, days=days)).strftime("%Y-%m-%d")


def slots(srv, centre, service, day):
    st, body, _ = call(srv, "GET", "/api/v1/queue/slots?centre=%s&service=%s&date=%s" % (centre, service, day))
    assert st == 200, body
    return body["items"]


def test_200_clients_race_for_20_slots(srv):
    put_centre(srv, "race", [FINE])                     # 08:00–18:00 by 30 min: 20 slots a day
    day = local_day(2)
    free = slots(srv, "race", FINE, day)
    assert len(free) == 20 and all(s["free"] for s in free)
    codes, barrier = [], threading.Barrier(200)
    lock = threading.Lock()

    def go(i):
        body = {"slot": free[i % 20]["id"], "name": "Client %d" % i, "phone": "+99450%07d" % i}
        barrier.wait()
        st = call(srv, "POST", "/api/v1/queue/bookings", body)[0]
        with lock:
            codes.append(st)

    ts = [threading.Thread(target=go, args=(i,)) for i in range(200)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert codes.count(201) == 20 and codes.count(409) == 180, sorted(set(codes))
    assert not any(s["free"] for s in slots(srv, "race", FINE, day))
    st, lst, _ = call(srv, "GET", "/api/v1/queue/centres/race/day?date=" + day, token=token(srv, "officer", "din"))
    assert st == 200 and len(lst["items"]) == 20 and len({b["slot"] for b in lst["items"]}) == 20


def test_bookings_racing_for_the_last_slot(srv):
    put_centre(srv, "last", [FINE], opens=9 * 60, closes=9 * 60 + 30)   # one slot a day
    day = local_day(3)
    (slot,) = slots(srv, "last", FINE, day)
    codes, barrier = [], threading.Barrier(20)

    def go(i):
        barrier.wait()
        codes.append(call(srv, "POST", "/api/v1/queue/bookings",
                          {"slot": slot["id"], "name": "N", "phone": "+99455%07d" % i})[0])

    ts = [threading.Thread(target=go, args=(i,)) for i in range(20)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(codes) == [201] + [409] * 19


def test_hoarding_limits_per_phone_and_per_person(srv):
    put_centre(srv, "hoard", [FINE, ID_CARD])
    day = local_day(4)
    fine, card = slots(srv, "hoard", FINE, day), slots(srv, "hoard", ID_CARD, day)
    got = [call(srv, "POST", "/api/v1/queue/bookings", {"slot": fine[i]["id"], "name": "H", "phone": "+994509999999"})[0]
           for i in range(3)]
    assert got == [201, 201, 429]
    tok = token(srv, "representative")
    got = [call(srv, "POST", "/api/v1/queue/bookings", {"slot": card[i]["id"]}, tok)[0] for i in range(3)]
    assert got == [201, 201, 429]
    # a service that needs a login is not booked with a phone alone
    st, _, _ = call(srv, "POST", "/api/v1/queue/bookings", {"slot": card[5]["id"], "name": "X", "phone": "+994501111111"})
    assert st == 403
    for body in ({"slot": fine[6]["id"], "name": "X", "phone": "12"}, {"slot": fine[6]["id"], "phone": "+994501111112"},
                 {"slot": fine[6]["id"], "name": "\u0001", "phone": "+994501111113"}, {}):
        assert call(srv, "POST", "/api/v1/queue/bookings", body)[0] == 400, body
    assert call(srv, "POST", "/api/v1/queue/bookings", {"slot": "nope"}, token(srv, "citizen"))[0] == 404


def test_book_move_cancel_and_cancel_too_late(srv, schemas):
    put_centre(srv, "allday", [ID_CARD], opens=0, closes=1440, slot=30)
    tok = token(srv, "citizen", index=1)
    items = slots(srv, "allday", ID_CARD, local_day(5))
    st, bk, r = call(srv, "POST", "/api/v1/queue/bookings", {"slot": items[0]["id"]}, tok)
    assert st == 201 and len(bk["code"]) == 8 and bk["slot"] == items[0]["id"]
    schemas.validate(bk, schemas.response_schema("/api/v1/queue/bookings", "post", 201))
    st, taken, r = call(srv, "POST", "/api/v1/queue/bookings", {"slot": items[0]["id"]}, token(srv, "citizen"))
    assert st == 409 and r.content_type.startswith("application/problem+json")
    assert call(srv, "GET", "/api/v1/queue/bookings/" + bk["code"], token=token(srv, "citizen"))[0] == 404
    st, moved, _ = call(srv, "POST", "/api/v1/queue/bookings/%s/move" % bk["code"], {"slot": items[3]["id"]}, tok)
    assert st == 200 and moved["slot"] == items[3]["id"]
    after = {s["id"]: s["free"] for s in slots(srv, "allday", ID_CARD, local_day(5))}
    assert after[items[0]["id"]] and not after[items[3]["id"]]
    assert call(srv, "DELETE", "/api/v1/queue/bookings/" + bk["code"], token=token(srv, "citizen"))[0] == 404
    assert call(srv, "DELETE", "/api/v1/queue/bookings/" + bk["code"], token=tok)[0] == 204
    assert call(srv, "DELETE", "/api/v1/queue/bookings/" + bk["code"], token=tok)[0] == 409
    assert call(srv, "POST", "/api/v1/queue/bookings/%s/cancel" % bk["code"], {}, tok)[0] == 409
    # a slot within the hour: booked, but no longer cancelled
    now = time.time()
    soon = [s for s in slots(srv, "allday", ID_CARD, local_day(0)) if s["free"] and
            now < datetime.datetime.strptime(s["start"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc).timestamp() < now + 3000]
    if not soon:                                         # just before midnight: the first slot of tomorrow
        soon = slots(srv, "allday", ID_CARD, local_day(1))[:1]
    st, late, _ = call(srv, "POST", "/api/v1/queue/bookings", {"slot": soon[0]["id"]}, tok)
    assert st == 201, late
    st, prob, _ = call(srv, "DELETE", "/api/v1/queue/bookings/" + late["code"], token=tok)
    assert st == 409 and "before" in prob["detail"]


def test_a_centre_closed_on_a_day_with_bookings_tells_people(srv):
    put_centre(srv, "holiday", [FINE])
    day = local_day(6)
    items = slots(srv, "holiday", FINE, day)
    codes = []
    for i in range(3):
        st, bk, _ = call(srv, "POST", "/api/v1/queue/bookings",
                         {"slot": items[i]["id"], "name": "P%d" % i, "phone": "+99451000000%d" % i})
        assert st == 201
        codes.append((bk["code"], "+99451000000%d" % i))
    assert call(srv, "POST", "/api/v1/queue/centres/holiday/holidays", {"date": day, "reason": "x"},
                token(srv, "citizen"))[0] == 403
    st, body, _ = call(srv, "POST", "/api/v1/queue/centres/holiday/holidays", {"date": day, "reason": "Bayram"},
                       token(srv, "operator"))
    assert st == 200 and body["cancelled"] == 3
    for code, phone in codes:
        st, bk, _ = call(srv, "GET", "/api/v1/queue/bookings/%s?phone=%s" % (code, phone.replace("+", "%2B")))
        assert st == 200 and bk["state"] == "cancelled"
    assert slots(srv, "holiday", FINE, day) == []   # (and the job does not make them again: unit test)
    told = sql(srv.db, "SELECT recipient FROM outbox WHERE template = 'queue-closed'")
    assert sorted(r[0] for r in told) == sorted(phone for _, phone in codes)


def test_the_desk_and_the_hall_display(srv):
    put_centre(srv, "desk", [ID_CARD, ID_CARD], opens=0, closes=1440, slot=10)
    today = local_day(0)
    now = time.time()
    free = [s for s in slots(srv, "desk", ID_CARD, today) if s["free"] and
            datetime.datetime.strptime(s["start"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc).timestamp() > now + 60]
    if len(free) < 2:
        pytest.skip("too close to the centre's midnight for two slots today")
    tok = token(srv, "citizen")
    b1 = call(srv, "POST", "/api/v1/queue/bookings", {"slot": free[0]["id"]}, tok)[1]
    b2 = call(srv, "POST", "/api/v1/queue/bookings", {"slot": free[1]["id"]}, tok)[1]
    off = token(srv, "officer", "din")
    assert call(srv, "POST", "/api/v1/queue/centres/desk/check-in", {"code": b1["code"]},
                token(srv, "officer", "eesmn"))[0] == 403
    st, t1, _ = call(srv, "POST", "/api/v1/queue/centres/desk/check-in", {"code": b1["code"]}, off)
    assert st == 200 and t1["ticket"] >= 1
    assert call(srv, "POST", "/api/v1/queue/centres/desk/check-in", {"code": b1["code"]}, off)[0] == 409
    st, called, _ = call(srv, "POST", "/api/v1/queue/centres/desk/call", {"counter": 2}, off)
    assert st == 200 and called["code"] == b1["code"] and called["ticket"] == t1["ticket"] and called["counter"] == 2
    assert call(srv, "POST", "/api/v1/queue/centres/desk/call", {"counter": 2}, off)[0] == 404
    assert call(srv, "POST", "/api/v1/queue/centres/desk/call", {"counter": 9}, off)[0] == 400
    # not come yet: no no-show before its time
    assert call(srv, "POST", "/api/v1/queue/centres/desk/no-show", {"code": b2["code"]}, off)[0] == 409
    for lang, word in (("az", "Növbə"), ("en", "Queue"), ("ru", "Очередь")):
        r = syslib.request(srv.port, "GET", "/queue/centres/desk/display?lang=" + lang)
        assert r.status == 200 and r.header("Refresh") and syslib.html_lang(r.text) == lang and word in r.text
        assert ">%d</td><td>2<" % t1["ticket"] in r.text
        assert b1["code"] not in r.text
    assert syslib.request(srv.port, "GET", "/queue/centres/nosuch/display").status == 404


def test_bad_queue_requests(srv):
    d = srv.demo
    for q in ("centre=%s&service=%s&date=2026-13-01" % (d["centre"], d["service"]),
              "centre=%s&service=%s" % (d["centre"], d["service"])):
        assert call(srv, "GET", "/api/v1/queue/slots?" + q)[0] == 400, q
    assert call(srv, "GET", "/api/v1/queue/slots?centre=nosuch&service=x&date=2026-12-01")[0] == 404
    assert call(srv, "GET", "/api/v1/queue/bookings/NOSUCH00")[0] == 404
    assert call(srv, "POST", "/api/v1/queue/centres/x", {"counters": []}, token(srv, "citizen"))[0] == 400
    body = {"agency": "din", "name": {"az": "a", "en": "a", "ru": "a"}, "address": {"az": "", "en": "", "ru": ""},
            "slot_minutes": 30, "utc_offset": 240, "counters": ["no-such-service"], "hours": [[0, 60]] * 7}
    assert call(srv, "POST", "/api/v1/queue/centres/bad", body, token(srv, "operator"))[0] == 400
    body["counters"] = [FINE]
    assert call(srv, "POST", "/api/v1/queue/centres/bad", body, token(srv, "citizen"))[0] == 403


# ---- ratings, comments and complaints -------------------------------------------------

def test_rating_a_service_and_moderating_its_comment(srv, schemas):
    tok = token(srv, "citizen", index=1)
    path = "/api/v1/services/%s/feedback" % FINE
    assert call(srv, "POST", path, {"rating": 4}, tok)[0] == 201
    assert call(srv, "POST", path, {"rating": 2, "comment": "Növbə uzun idi"}, tok)[0] == 201   # replaces it
    st, fb, _ = call(srv, "GET", path)
    schemas.validate(fb, schemas.response_schema("/api/v1/services/{id}/feedback", "get", 200))
    assert st == 200 and fb["ratings"] == 1 and fb["counts"] == [0, 1, 0, 0, 0] and fb["comments"] == []
    st, pending, _ = call(srv, "GET", "/api/v1/feedback/pending", token=token(srv, "operator"))
    mine = [p for p in pending["items"] if p["service"] == FINE and p["comment"] == "Növbə uzun idi"]
    assert st == 200 and len(mine) == 1
    moderation = "/api/v1/feedback/%s/moderation" % mine[0]["id"]
    assert call(srv, "POST", moderation, {"publish": True}, tok)[0] == 403
    assert call(srv, "GET", "/api/v1/feedback/pending", token=tok)[0] == 403
    assert call(srv, "POST", moderation, {"publish": True}, token(srv, "operator"))[0] == 200
    assert [c["comment"] for c in call(srv, "GET", path)[1]["comments"]] == ["Növbə uzun idi"]
    for body in ({"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": 3, "comment": "x" * 2001},
                 {"rating": 3, "comment": "bad\u0000byte"}):
        assert call(srv, "POST", path, body, tok)[0] == 400, body
    assert call(srv, "POST", "/api/v1/services/no-such/feedback", {"rating": 3}, tok)[0] == 404
    assert call(srv, "POST", path, {"rating": 3, "application": "AZ-2026-99999999"}, tok)[0] == 404
    assert call(srv, "POST", path, {"rating": 3})[0] == 401
    assert call(srv, "POST", path, {"rating": 3}, token(srv, "officer", "din"))[0] == 403


def test_the_service_page_shows_its_ratings_and_a_decided_application_offers_rating(srv):
    """The catalogue's service page: average, count by stars, published
    comments, a link to rate; a decided application links to rating its
    service with its reference (the rating then counts for that service)."""
    from test_identity import Browser
    tok = token(srv, "citizen", index=1)
    path = "/api/v1/services/%s/feedback" % ID_CARD
    assert call(srv, "POST", path, {"rating": 5, "comment": "Tez və rahat oldu"}, tok)[0] == 201
    st, pending, _ = call(srv, "GET", "/api/v1/feedback/pending", token=token(srv, "operator"))
    mine = [p for p in pending["items"] if p["comment"] == "Tez və rahat oldu"]
    assert call(srv, "POST", "/api/v1/feedback/%s/moderation" % mine[0]["id"], {"publish": True},
                token(srv, "operator"))[0] == 200
    counts = call(srv, "GET", path)[1]["counts"]
    page = wait_for(lambda: (lambda p: "Tez və rahat oldu" in p.text and p)(
        syslib.request(srv.port, "GET", "/services/%s?lang=en" % ID_CARD)), 5)
    assert page.status == 200 and 'href="/services/%s/feedback"' % ID_CARD in page.text
    assert "Rate this service" in page.text and "Ratings and comments" in page.text
    rows = re.findall(r"<tr><td>(\d)</td><td>(\d+)</td></tr>", page.text)
    assert [int(n) for _, n in sorted(rows)] == counts
    # a decided application of the same person
    _, form, _ = call(srv, "GET", "/api/v1/services/%s/form" % ID_CARD)
    answers = {q["id"]: q["example"] for p in form["pages"] for q in p["questions"] if q["type"] != "file"}
    r = syslib.request(srv.port, "POST", "/api/v1/applications", body=json.dumps(
        {"service": ID_CARD, "answers": answers}).encode(), headers={
        "Content-Type": "application/json", "Authorization": "Bearer " + tok, "Idempotency-Key": "rate-%d" % os.getpid()})
    assert r.status == 201, r.text
    a = r.json()
    ref, off = a["reference"], token(srv, "officer", "din")
    acc = [x for x in srv.accounts if x["role"] == "citizen"][1]
    b = Browser(srv)
    b.login(acc["login"], acc["password"])
    link = 'href="/services/%s/feedback?application=%s"' % (ID_CARD, ref)
    assert link not in b.get("/applications/" + ref).text               # not before the decision
    for action in ("register", "start_review", "approve"):
        st, a, _ = call(srv, "POST", "/api/v1/applications/%s/actions" % ref,
                        {"action": action, "version": a["version"], "note": "Hazırdır."}, off)
        assert st == 200, a
    assert link in b.get("/applications/" + ref).text
    fb = b.get("/services/%s/feedback?application=%s" % (ID_CARD, ref))
    assert fb.status == 200 and 'name="application" value="%s"' % ref in fb.text
    r = b.post("/services/%s/feedback" % ID_CARD, {"rating": "4", "application": ref, "comment": ""},
               from_page="/services/%s/feedback?application=%s" % (ID_CARD, ref))
    assert r.status == 303, r.text
    assert call(srv, "GET", path)[1]["ratings"] == sum(counts) + 1


def test_a_complaint_is_answered_by_the_agency(srv, schemas):
    tok = token(srv, "citizen")
    st, c, _ = call(srv, "POST", "/api/v1/complaints", {"service": ID_CARD, "kind": "delay",
                                                         "text": "Cavab gecikir."}, tok)
    assert st == 201 and c["agency"] == "din" and c["state"] == "open" and c["reference"].startswith("SK-")
    schemas.validate(c, schemas.response_schema("/api/v1/complaints", "post", 201))
    ref = c["reference"]
    assert call(srv, "GET", "/api/v1/complaints/" + ref, token=token(srv, "citizen", index=1))[0] == 404
    assert call(srv, "GET", "/api/v1/complaints/" + ref, token=token(srv, "officer", "eesmn"))[0] == 404
    off = token(srv, "officer", "din")
    st, lst, _ = call(srv, "GET", "/api/v1/complaints?open=1", token=off)
    assert st == 200 and ref in [x["reference"] for x in lst["items"]]
    body = {"answer": "Müraciətiniz 3 gün ərzində baxılacaq.", "version": c["version"]}
    assert call(srv, "POST", "/api/v1/complaints/%s/answer" % ref, body, tok)[0] == 403   # the author may read, not answer
    assert call(srv, "POST", "/api/v1/complaints/%s/answer" % ref, body, token(srv, "officer", "eesmn"))[0] == 404
    st, done, _ = call(srv, "POST", "/api/v1/complaints/%s/answer" % ref, body, off)
    assert st == 200 and done["state"] == "answered" and done["answer"] == body["answer"]
    assert call(srv, "POST", "/api/v1/complaints/%s/answer" % ref, body, off)[0] == 409
    st, mine, _ = call(srv, "GET", "/api/v1/complaints/" + ref, token=tok)
    assert st == 200 and mine["answer"] == body["answer"]
    templates = [r[0] for r in sql(srv.db, "SELECT template FROM outbox WHERE payload LIKE '%%%s%%'" % ref)]
    assert "complaint-filed" in templates and "complaint-answered" in templates
    for bad in ({"service": ID_CARD, "kind": "rude", "text": "x"}, {"service": ID_CARD, "kind": "delay", "text": ""},
                {"service": ID_CARD, "kind": "delay", "text": "x" * 4001}):
        assert call(srv, "POST", "/api/v1/complaints", bad, tok)[0] == 400, bad
    assert call(srv, "POST", "/api/v1/complaints", {"service": "nope", "kind": "other", "text": "x"}, tok)[0] == 404


# ---- surveys ---------------------------------------------------------------------------

SURVEY_PAGES = [
    {"id": "visit", "title": {"az": "Ziyarət", "en": "The visit", "ru": "Визит"}, "questions": [
        {"id": "satisfied", "type": "choice", "required": True, "example": "yes",
         "label": {"az": "Razı qaldınız?", "en": "Were you satisfied?", "ru": "Вы довольны?"},
         "options": [{"value": "yes", "label": {"az": "Bəli", "en": "Yes", "ru": "Да"}},
                     {"value": "no", "label": {"az": "Xeyr", "en": "No", "ru": "Нет"}}]},
        {"id": "minutes", "type": "number", "required": False, "example": 10, "min": 0, "max": 600,
         "label": {"az": "Neçə dəqiqə gözlədiniz?", "en": "How many minutes did you wait?", "ru": "Сколько минут ждали?"}},
        {"id": "remark", "type": "text", "required": False, "example": "Yaxşı",
         "label": {"az": "Qeyd", "en": "Remark", "ru": "Замечание"}}]}]


def test_a_survey_from_form_pages_answered_once_with_results_and_csv(srv):
    now = int(time.time())
    op = token(srv, "operator")
    body = {"service": ID_CARD, "title": {"az": "Məmnunluq", "en": "Satisfaction", "ru": "Удовлетворённость"},
            "anonymous": True, "opens_at": now, "closes_at": now + 3600, "pages": SURVEY_PAGES}
    assert call(srv, "POST", "/api/v1/surveys", body, token(srv, "citizen"))[0] == 403
    bad = dict(body, pages=[{"id": "p", "title": {"az": "a", "en": "a", "ru": "a"}, "questions": [
        {"id": "f", "type": "file", "label": {"az": "a", "en": "a", "ru": "a"}}]}])
    assert call(srv, "POST", "/api/v1/surveys", bad, op)[0] == 400
    assert call(srv, "POST", "/api/v1/surveys", dict(body, pages=[{"id": 1}]), op)[0] == 400
    st, made, _ = call(srv, "POST", "/api/v1/surveys", body, op)
    assert st == 201, made
    sid = made["id"]
    st, s, _ = call(srv, "GET", "/api/v1/surveys/" + sid)
    assert st == 200 and s["form"]["pages"][0]["questions"][0]["id"] == "satisfied"
    path = "/api/v1/surveys/%s/responses" % sid
    assert call(srv, "POST", path, {"answers": {"minutes": 5}}, token(srv, "citizen"))[0] == 400   # required missing
    assert call(srv, "POST", path, {"answers": {"satisfied": "maybe"}}, token(srv, "citizen"))[0] == 400
    assert call(srv, "POST", path, {"answers": {"satisfied": "yes", "minutes": 12, "remark": "=1+1"}},
                token(srv, "citizen"))[0] == 201
    assert call(srv, "POST", path, {"answers": {"satisfied": "no"}}, token(srv, "citizen"))[0] == 409
    assert call(srv, "POST", path, {"answers": {"satisfied": "no", "minutes": 40}},
                token(srv, "citizen", index=1))[0] == 201
    assert call(srv, "GET", "/api/v1/surveys/%s/results" % sid, token=token(srv, "citizen"))[0] == 403
    st, res, _ = call(srv, "GET", "/api/v1/surveys/%s/results" % sid, token=op)
    assert st == 200 and res["responses"] == 2
    q = {x["id"]: x for x in res["questions"]}
    assert {o["value"]: o["count"] for o in q["satisfied"]["options"]} == {"yes": 1, "no": 1}
    assert q["minutes"]["number"] == {"min": 12, "max": 40, "mean": 26}
    r = syslib.request(srv.port, "GET", "/api/v1/surveys/%s/responses.csv" % sid,
                       headers={"Authorization": "Bearer " + op})
    assert r.status == 200 and r.content_type.startswith("text/csv")
    lines = r.text.strip().split("\r\n")
    assert lines[0] == '"satisfied","minutes","remark"' and len(lines) == 3
    assert '"\'=1+1"' in r.text                   # a formula is written as text
    # anonymous: no person stored with the answers
    assert sql(srv.db, "SELECT COUNT(*) FROM survey_responses WHERE survey_id = '%s' AND fin IS NOT NULL" % sid)[0][0] == "0"
    # the results page is for a logged-in manager's browser (tests/browser): no session, the login page
    assert syslib.request(srv.port, "GET", "/surveys/%s/results" % sid).status == 303


def test_a_survey_answered_through_its_page_without_javascript(srv):
    """GET /surveys/{id}: the questions of every page, rendered as an
    application's; a post with errors comes back as the form (400) with
    the error summary, each field's message and what was typed kept; a
    page whose condition the answers do not meet is not taken; once
    answered, a second time is refused (409)."""
    from test_identity import Browser
    now = int(time.time())
    t = lambda s: {"az": s, "en": s, "ru": "Опрос " + s}
    pages = SURVEY_PAGES + [{"id": "why", "title": t("Why not"), "show_if": {"question": "satisfied", "equals": "no"},
                             "questions": [{"id": "reason", "type": "text", "required": True, "example": "x",
                                            "label": t("What went wrong?")}]}]
    st, made, _ = call(srv, "POST", "/api/v1/surveys", {
        "service": ID_CARD, "title": t("Page survey"), "anonymous": False, "opens_at": now, "closes_at": now + 3600,
        "pages": pages}, token(srv, "operator"))
    assert st == 201, made
    url = "/surveys/" + made["id"]
    assert syslib.request(srv.port, "GET", url).status == 303                  # log in first
    acc = [x for x in srv.accounts if x["role"] == "citizen"][0]
    b = Browser(srv)
    b.login(acc["login"], acc["password"])
    page = b.get(url + "?lang=en")
    assert page.status == 200 and "<h1>Page survey</h1>" in page.text and "<script" not in page.text
    for q in ("satisfied", "minutes", "remark", "reason"):
        assert 'name="%s"' % q in page.text, q
    # required missing, a number out of range: the form again, what was typed kept
    bad = b.post(url, {"minutes": "9999", "remark": "Uzun növbə"}, from_page=url)
    assert bad.status == 400 and 'class="error-summary"' in bad.text
    assert 'href="#satisfied-0"' in bad.text and 'href="#minutes"' in bad.text
    assert 'value="Uzun növbə"' in bad.text and 'aria-invalid="true"' in bad.text
    # "yes": the page asking why is not shown, so its answer is not taken
    ok = b.post(url, {"satisfied": "yes", "minutes": "7", "reason": "ignored"}, from_page=url)
    assert ok.status == 200, ok.text
    page = b.get(url + "?lang=en")
    assert "answered this survey already" in page.text and 'action="%s"' % url not in page.text
    again = b.post(url, {"satisfied": "no", "reason": "x"}, from_page=url + "?lang=en")
    assert again.status == 409
    st, res, _ = call(srv, "GET", "/api/v1/surveys/%s/results" % made["id"], token=token(srv, "operator"))
    q = {x["id"]: x for x in res["questions"]}
    assert res["responses"] == 1 and q["reason"]["answered"] == 0 and q["minutes"]["number"]["mean"] == 7
    # "no" asks why: without it, the form again with that field marked
    other = Browser(srv)
    acc = [x for x in srv.accounts if x["role"] == "citizen"][1]
    other.login(acc["login"], acc["password"])
    r = other.post(url, {"satisfied": "no"}, from_page=url)
    assert r.status == 400 and 'href="#reason"' in r.text
    assert other.post(url, {"satisfied": "no", "reason": "Gözləmə"}, from_page=url).status == 200
    assert Browser(srv).get(url).status == 303
    assert login_page_for_staff(srv, url) == 403


def login_page_for_staff(srv, url):
    from test_identity import Browser
    acc = [x for x in srv.accounts if x["role"] == "officer"][0]
    b = Browser(srv)
    b.login(acc["login"], acc["password"])
    return b.get(url).status
