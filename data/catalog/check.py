#!/usr/bin/env python3
"""Check the e-service catalogue files (agencies.jsonl, services.jsonl,
life_events.jsonl) against the schema the C importer expects.

Usage: python3 check.py [DIR]     (DIR defaults to this script's folder)

Exit status 0 when every rule holds; otherwise every problem is printed as
FILE:LINE: message and the status is 1.  Python 3 standard library only.
"""
import json
import os
import re
import sys
from collections import Counter

ID_RE = re.compile(r"^[a-z0-9-]+$")
CYRILLIC = re.compile(r"[\u0400-\u04FF\u0500-\u052F]")
LANGS = ("az", "en", "ru")

KINDS = {"ministry", "committee", "agency", "service", "fund", "company",
         "commission", "court", "other"}
AUDIENCES = {"citizens", "entrepreneurs", "officials"}
RELATIONS = {"G2C", "G2B", "G2E", "G2G"}
LOGINS = {"none", "code_password", "e_signature"}
CHANNELS = {"portal", "agency_site", "service_centre"}

AGENCY_KEYS = ["id", "name", "short", "kind", "website", "approved_services", "source"]
AGENCY_REQUIRED = set(AGENCY_KEYS) - {"short"}
SERVICE_KEYS = ["id", "agency", "name", "description", "audience", "relation",
                "login", "fee_azn", "free", "deadline_days", "documents",
                "channels", "approved_list", "maturity", "life_events", "source"]
LIFE_KEYS = ["id", "name", "order"]
MATURITY_KEYS = {"model", "level", "participation", "transparency", "note"}

problems = []


def bad(fname, line, msg):
    problems.append("%s:%d: %s" % (fname, line, msg))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def nonempty_str(v):
    return isinstance(v, str) and v.strip() != "" and v == v.strip()


def check_text(fname, line, obj, field):
    """A {"az","en","ru"} object with three non-empty strings; az Latin only."""
    if not isinstance(obj, dict):
        bad(fname, line, "%s: must be an object with az/en/ru" % field)
        return
    keys = set(obj)
    if keys != set(LANGS):
        bad(fname, line, "%s: keys must be exactly az, en, ru (got %s)" % (field, sorted(keys)))
    for lang in LANGS:
        v = obj.get(lang)
        if not nonempty_str(v):
            bad(fname, line, "%s.%s: must be a non-empty string without outer spaces" % (field, lang))
            continue
        if "\n" in v or "\t" in v:
            bad(fname, line, "%s.%s: contains a control character" % (field, lang))
    az = obj.get("az")
    if isinstance(az, str) and CYRILLIC.search(az):
        bad(fname, line, "%s.az: contains Cyrillic letters (%s)" % (field, "".join(sorted(set(CYRILLIC.findall(az))))))
    en = obj.get("en")
    if isinstance(en, str) and CYRILLIC.search(en):
        bad(fname, line, "%s.en: contains Cyrillic letters" % field)


def check_id(fname, line, v, lo, hi):
    if not isinstance(v, str) or not ID_RE.match(v) or not (lo <= len(v) <= hi):
        bad(fname, line, "id %r: must be %d-%d chars of [a-z0-9-]" % (v, lo, hi))
        return False
    if v.startswith("-") or v.endswith("-") or "--" in v:
        bad(fname, line, "id %r: no leading, trailing or doubled hyphen" % v)
    return True


def check_keys(fname, line, row, allowed, required):
    keys = set(row)
    extra = keys - set(allowed)
    missing = set(required) - keys
    if extra:
        bad(fname, line, "unknown keys: %s" % ", ".join(sorted(extra)))
    if missing:
        bad(fname, line, "missing keys: %s" % ", ".join(sorted(missing)))


def read_jsonl(path):
    fname = os.path.basename(path)
    rows = []
    try:
        raw = open(path, "rb").read()
    except OSError as e:
        bad(fname, 0, "cannot read: %s" % e)
        return rows
    if raw.startswith(b"\xef\xbb\xbf"):
        bad(fname, 1, "file starts with a UTF-8 BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        bad(fname, 0, "not valid UTF-8: %s" % e)
        return rows
    if "\r" in text:
        bad(fname, 0, "contains carriage returns; use LF line ends")
    if text and not text.endswith("\n"):
        bad(fname, 0, "last line must end with a newline")
    for n, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
        if line.strip() == "":
            bad(fname, n, "blank line")
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            bad(fname, n, "invalid JSON: %s" % e)
            continue
        if not isinstance(obj, dict):
            bad(fname, n, "line is not a JSON object")
            continue
        rows.append((n, obj))
    return rows


def check_life_events(path):
    fname = os.path.basename(path)
    rows = read_jsonl(path)
    ids, orders = set(), []
    for n, r in rows:
        check_keys(fname, n, r, LIFE_KEYS, LIFE_KEYS)
        if check_id(fname, n, r.get("id"), 2, 40):
            if r["id"] in ids:
                bad(fname, n, "duplicate id %r" % r["id"])
            ids.add(r["id"])
        check_text(fname, n, r.get("name"), "name")
        o = r.get("order")
        if not is_int(o):
            bad(fname, n, "order must be an integer")
        else:
            orders.append(o)
    if not 10 <= len(rows) <= 14:
        bad(fname, 0, "expected 10-14 life events, found %d" % len(rows))
    if sorted(orders) != list(range(1, len(orders) + 1)):
        bad(fname, 0, "order values must be 1..N without gaps or repeats")
    return ids


def check_agencies(path):
    fname = os.path.basename(path)
    rows = read_jsonl(path)
    ids = {}
    names = Counter()
    for n, r in rows:
        check_keys(fname, n, r, AGENCY_KEYS, AGENCY_REQUIRED)
        if check_id(fname, n, r.get("id"), 2, 40):
            if r["id"] in ids:
                bad(fname, n, "duplicate id %r" % r["id"])
            ids[r["id"]] = r
        check_text(fname, n, r.get("name"), "name")
        if isinstance(r.get("name"), dict):
            names[r["name"].get("az")] += 1
        if "short" in r:
            check_text(fname, n, r["short"], "short")
        if r.get("kind") not in KINDS:
            bad(fname, n, "kind %r not one of %s" % (r.get("kind"), sorted(KINDS)))
        w = r.get("website")
        if w is not None and (not isinstance(w, str) or not re.match(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$", w)):
            bad(fname, n, "website must be null or an https URL (got %r)" % w)
        a = r.get("approved_services")
        if a is not None and (not is_int(a) or a < 0):
            bad(fname, n, "approved_services must be null or a non-negative integer")
        if not nonempty_str(r.get("source")):
            bad(fname, n, "source must be a non-empty string")
    for name, c in names.items():
        if c > 1:
            bad(fname, 0, "agency name %r appears %d times" % (name, c))
    return ids


def check_maturity(fname, n, m):
    if m is None:
        return
    if not isinstance(m, dict):
        bad(fname, n, "maturity must be null or an object")
        return
    extra = set(m) - MATURITY_KEYS
    if extra:
        bad(fname, n, "maturity: unknown keys %s" % sorted(extra))
    model, level = m.get("model"), m.get("level")
    if model not in (3, 4) or isinstance(model, bool):
        bad(fname, n, "maturity.model must be 3 or 4")
    if not is_int(level) or not (0 <= level <= (model if model in (3, 4) else 4)):
        bad(fname, n, "maturity.level must be an integer 0..model")
    if "participation" in m:
        p = m["participation"]
        if not is_int(p) or not 0 <= p <= 10:
            bad(fname, n, "maturity.participation must be an integer 0..10")
    if "transparency" in m:
        t = m["transparency"]
        if not isinstance(t, dict) or set(t) != {"max", "score"}:
            bad(fname, n, "maturity.transparency must be {max, score}")
        else:
            if t["max"] not in (8, 10) or isinstance(t["max"], bool):
                bad(fname, n, "maturity.transparency.max must be 8 or 10")
            if not is_int(t["score"]) or not 0 <= t["score"] <= (t["max"] if is_int(t["max"]) else 10):
                bad(fname, n, "maturity.transparency.score must be an integer 0..max")
    if "note" in m and not nonempty_str(m["note"]):
        bad(fname, n, "maturity.note must be a non-empty string")


def check_subset(fname, n, row, field, allowed):
    v = row.get(field)
    if not isinstance(v, list) or not v:
        bad(fname, n, "%s must be a non-empty list" % field)
        return
    for x in v:
        if x not in allowed:
            bad(fname, n, "%s: %r is not allowed" % (field, x))
    if len(set(map(str, v))) != len(v):
        bad(fname, n, "%s has repeated values" % field)


def check_services(path, agencies, life_ids):
    fname = os.path.basename(path)
    rows = read_jsonl(path)
    ids = set()
    names = Counter()
    for n, r in rows:
        check_keys(fname, n, r, SERVICE_KEYS, SERVICE_KEYS)
        sid = r.get("id")
        ok = check_id(fname, n, sid, 3, 60)
        if ok:
            if sid in ids:
                bad(fname, n, "duplicate id %r" % sid)
            ids.add(sid)
        ag = r.get("agency")
        if ag not in agencies:
            bad(fname, n, "agency %r not in agencies.jsonl" % ag)
        elif ok and not sid.startswith(ag + "-"):
            bad(fname, n, "id %r must start with the agency id %r and a hyphen" % (sid, ag))
        check_text(fname, n, r.get("name"), "name")
        check_text(fname, n, r.get("description"), "description")
        if isinstance(r.get("name"), dict):
            names[(ag, r["name"].get("az"))] += 1
        check_subset(fname, n, r, "audience", AUDIENCES)
        check_subset(fname, n, r, "relation", RELATIONS)
        check_subset(fname, n, r, "channels", CHANNELS)
        check_subset(fname, n, r, "life_events", life_ids)
        if r.get("login") not in LOGINS:
            bad(fname, n, "login %r not one of %s" % (r.get("login"), sorted(LOGINS)))
        fee = r.get("fee_azn")
        if fee is not None and (not is_num(fee) or fee < 0):
            bad(fname, n, "fee_azn must be null or a non-negative number")
        free = r.get("free")
        if not isinstance(free, bool):
            bad(fname, n, "free must be true or false")
        elif free and is_num(fee) and fee > 0:
            bad(fname, n, "free is true but fee_azn is %r" % fee)
        dl = r.get("deadline_days")
        if dl is not None and (not is_int(dl) or dl <= 0):
            bad(fname, n, "deadline_days must be null or a positive integer")
        docs = r.get("documents")
        if not isinstance(docs, list):
            bad(fname, n, "documents must be a list")
        else:
            for i, d in enumerate(docs):
                check_text(fname, n, d, "documents[%d]" % i)
        al = r.get("approved_list")
        if al is not None and not nonempty_str(al):
            bad(fname, n, "approved_list must be null or a non-empty string")
        check_maturity(fname, n, r.get("maturity"))
        m = r.get("maturity")
        if isinstance(m, dict) and isinstance(m.get("transparency"), dict) and isinstance(free, bool):
            # The evaluation used the 10-point scale for paid services only.
            if m["transparency"].get("max") == 8 and not free:
                bad(fname, n, "transparency scored out of 8 (free-service scale) but free is false")
        if not nonempty_str(r.get("source")):
            bad(fname, n, "source must be a non-empty string")
    for (ag, name), c in names.items():
        if c > 1:
            bad(fname, 0, "service name %r appears %d times for agency %s" % (name, c, ag))
    return [r for _, r in rows]


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    life_ids = check_life_events(os.path.join(d, "life_events.jsonl"))
    agencies = check_agencies(os.path.join(d, "agencies.jsonl"))
    services = check_services(os.path.join(d, "services.jsonl"), agencies, life_ids)

    if problems:
        for p in problems:
            print(p)
        print("FAILED: %d problem(s)" % len(problems))
        return 1

    per_agency = Counter(s["agency"] for s in services)
    per_life = Counter(e for s in services for e in s["life_events"])
    login = Counter(s["login"] for s in services)
    mat = [s for s in services if s["maturity"] is not None]
    models = Counter(s["maturity"]["model"] for s in mat)
    print("life events : %d" % len(life_ids))
    print("agencies    : %d (%d with services, %d with approved_services)" % (
        len(agencies), len(per_agency),
        sum(1 for a in agencies.values() if a["approved_services"] is not None)))
    print("services    : %d" % len(services))
    print("  maturity  : %d (3-level model %d, 4-level model %d, with note %d)" % (
        len(mat), models.get(3, 0), models.get(4, 0),
        sum(1 for s in mat if "note" in s["maturity"])))
    print("  login     : " + ", ".join("%s=%d" % (k, login[k]) for k in sorted(login)))
    print("  free      : %d free, %d paid, %d with fee_azn" % (
        sum(1 for s in services if s["free"]), sum(1 for s in services if not s["free"]),
        sum(1 for s in services if s["fee_azn"] is not None)))
    print("  approved  : %d with approved_list" % sum(1 for s in services if s["approved_list"]))
    print("  by audience: " + ", ".join("%s=%d" % (a, sum(1 for s in services if a in s["audience"]))
                                        for a in sorted(AUDIENCES)))
    print("  by life event: " + ", ".join("%s=%d" % (k, per_life[k]) for k in sorted(per_life)))
    print("  by agency: " + ", ".join("%s=%d" % (k, v) for k, v in per_agency.most_common()))
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
