#!/usr/bin/env python3
"""Check the form definitions (data/forms/*.json) against docs/forms.md.

Usage: python3 check.py [--today YYYY-MM-DD] [--catalog services.jsonl] [PATH ...]

PATH is a form file or a folder of them (default: this script's folder).
Every problem is printed as "FILE: JSON-PATH: problem" and the exit status
is 1; otherwise the counts are printed followed by OK.  Python 3 standard
library only.

What is checked (docs/forms.md, plus a few consistency rules marked *):
  - UTF-8 JSON object without BOM, no duplicate keys, no unknown keys;
  - top level: service (= file name, * present in the catalogue), version
    (integer >= 1), title, what_next, pages (1-30);
  - text: an object with exactly az, en, ru, all non-empty strings without
    outer spaces or control characters; * az and en contain no Cyrillic,
    ru contains some;
  - pages: id [a-z0-9-]{1,40} unique, title, optional hint, optional
    show_if, 1-10 questions;
  - questions: id [a-z0-9_]{1,40} unique in the form (inside a group:
    unique in the group), a known type and only that type's extra keys,
    label, optional hint, required (boolean), prefill (a known source,
    * of a type that fits the question), example;
  - per-type limits: text min_length <= max_length; number min <= max;
    date bounds "today", "YYYY-MM-DD" or an offset [+-]N d|y, not_before
    <= not_after; choice 2-50 options with unique string values; file
    max_bytes <= 20 MiB and accept from pdf/jpeg/png; group 1-10 questions
    (no group inside), 0 <= min_items <= max_items <= 20;
  - example: a valid, non-empty answer for its question (dates checked
    against today, or --today), file examples are file names whose
    extension matches accept, group examples are lists of objects whose
    members are valid for the group's questions;
  - show_if: {"question", and exactly one of "equals" / "in" / "answered":
    true}; the question is a top-level question on an earlier page; the
    value(s) are valid answers of that question (option values for choice);
  - * when the catalogue gives deadline_days, what_next states that
    number in all three languages; when it gives fee_azn, the form states
    the amount in all three languages.
"""
import datetime
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CATALOG = os.path.join(HERE, "..", "catalog", "services.jsonl")

LANGS = ("az", "en", "ru")
CYRILLIC = re.compile(r"[\u0400-\u052F]")
CONTROL = re.compile(r"[\u0000-\u001F\u007F]")
PAGE_ID = re.compile(r"^[a-z0-9-]{1,40}$")
QUESTION_ID = re.compile(r"^[a-z0-9_]{1,40}$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
OFFSET_RE = re.compile(r"^([+-])(\d{1,4})([dy])$")
FIN_RE = re.compile(r"^[0-9A-Z]{7}$")
VOEN_RE = re.compile(r"^[0-9]{10}$")
PHONE_RE = re.compile(r"^\+994[0-9]{9}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")

TOP_KEYS = ["service", "version", "title", "what_next", "pages"]
OPTIONAL_TOP_KEYS = ["workflow"]  # checked by the portal at import (docs/forms.md)
PAGE_KEYS = {"id", "title", "hint", "show_if", "questions"}
PAGE_REQUIRED = {"id", "title", "questions"}
COMMON_KEYS = {"id", "type", "label", "hint", "required", "example", "prefill"}
COMMON_REQUIRED = {"id", "type", "label", "example"}
TYPE_KEYS = {
    "text": {"min_length", "max_length", "multiline"},
    "number": {"min", "max", "integer"},
    "date": {"not_before", "not_after"},
    "choice": {"options", "multiple"},
    "fin": set(),
    "voen": set(),
    "phone": set(),
    "email": set(),
    "address": {"max_length"},
    "file": {"max_bytes", "accept"},
    "group": {"questions", "min_items", "max_items", "item_label"},
}
TYPE_REQUIRED = {"choice": {"options"}, "group": {"questions"}}
MIME_EXT = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}
MAX_FILE_BYTES = 20 * 1024 * 1024
DEFAULT_FILE_BYTES = 5 * 1024 * 1024
PREFILL_TYPES = {
    "profile.fin": {"fin"},
    "profile.full_name": {"text"},
    "profile.birth_date": {"date"},
    "profile.phone": {"phone"},
    "profile.email": {"email"},
    "profile.address": {"address", "text"},
    "profile.id_card": {"text"},
}


class Problems:
    def __init__(self):
        self.items = []

    def add(self, fname, path, msg):
        self.items.append("%s: %s: %s" % (fname, path or "(file)", msg))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and not (isinstance(v, float) and not math.isfinite(v)))


def parse_date(s):
    m = DATE_RE.match(s) if isinstance(s, str) else None
    if not m:
        return None
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def add_years(d, n):
    try:
        return d.replace(year=d.year + n)
    except ValueError:          # 29 February in a year without it
        return d.replace(year=d.year + n, day=28)


def resolve_bound(v, today):
    """A date bound as a date, or None when the syntax is wrong."""
    if v == "today":
        return today
    if not isinstance(v, str):
        return None
    d = parse_date(v)
    if d:
        return d
    m = OFFSET_RE.match(v)
    if not m:
        return None
    n = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
    try:
        if m.group(3) == "d":
            return today + datetime.timedelta(days=n)
        return add_years(today, n)
    except OverflowError:
        return None


def ctx_text(P, fname, path, v, required=True):
    if v is None and not required:
        return
    if not isinstance(v, dict):
        P.add(fname, path, "must be a text object {az, en, ru}")
        return
    keys = set(v)
    if keys != set(LANGS):
        P.add(fname, path, "text keys must be exactly az, en, ru (got %s)" % ", ".join(sorted(keys)))
    for lang in LANGS:
        s = v.get(lang)
        if not isinstance(s, str) or not s.strip():
            P.add(fname, "%s.%s" % (path, lang), "must be a non-empty string")
            continue
        if s != s.strip():
            P.add(fname, "%s.%s" % (path, lang), "has leading or trailing spaces")
        if CONTROL.search(s):
            P.add(fname, "%s.%s" % (path, lang), "contains a control character (new line, tab, ...)")
    for lang in ("az", "en"):
        s = v.get(lang)
        if isinstance(s, str) and CYRILLIC.search(s):
            P.add(fname, "%s.%s" % (path, lang), "contains Cyrillic letters (%s)"
                  % "".join(sorted(set(CYRILLIC.findall(s)))))
    s = v.get("ru")
    if isinstance(s, str) and s.strip() and not CYRILLIC.search(s):
        P.add(fname, path + ".ru", "contains no Cyrillic letters: is it Russian?")


def empty_answer(v):
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, (list, dict)) and not v)


def answer_problems(q, v, today):
    """Problems with v as an answer to question q (assumed well-formed enough)."""
    t = q.get("type")
    if empty_answer(v):
        return ["is empty"]
    if t in ("text", "address"):
        if not isinstance(v, str):
            return ["must be a string"]
        out = []
        default_max = 500 if t == "text" else 300
        lo = q.get("min_length", 0) if t == "text" else 0
        hi = q.get("max_length", default_max)
        if is_int(lo) and len(v) < lo:
            out.append("is %d characters, min_length is %d" % (len(v), lo))
        if is_int(hi) and len(v) > hi:
            out.append("is %d characters, max_length is %d" % (len(v), hi))
        if ("\n" in v or "\r" in v) and not (t == "text" and q.get("multiline") is True):
            out.append("contains a line break but the question is one line")
        if v != v.strip():
            out.append("has leading or trailing spaces")
        return out
    if t == "number":
        if not is_num(v):
            return ["must be a number"]
        out = []
        if q.get("integer") is True and not is_int(v):
            out.append("must be a whole number")
        if is_num(q.get("min")) and v < q["min"]:
            out.append("%s is below min %s" % (v, q["min"]))
        if is_num(q.get("max")) and v > q["max"]:
            out.append("%s is above max %s" % (v, q["max"]))
        return out
    if t == "date":
        d = parse_date(v)
        if d is None:
            return ["must be a real date YYYY-MM-DD"]
        out = []
        lo = resolve_bound(q.get("not_before"), today) if "not_before" in q else None
        hi = resolve_bound(q.get("not_after"), today) if "not_after" in q else None
        if lo and d < lo:
            out.append("%s is before not_before %s (= %s on %s)" % (v, q["not_before"], lo, today))
        if hi and d > hi:
            out.append("%s is after not_after %s (= %s on %s)" % (v, q["not_after"], hi, today))
        return out
    if t == "choice":
        values = [o.get("value") for o in q.get("options", []) if isinstance(o, dict)]
        if q.get("multiple") is True:
            if not isinstance(v, list):
                return ["must be a list of option values (multiple choice)"]
            out = ["%r is not an option value" % x for x in v if x not in values]
            if len(set(map(json.dumps, v))) != len(v):
                out.append("repeats a value")
            return out
        if isinstance(v, list):
            return ["must be one option value, not a list"]
        return [] if v in values else ["%r is not an option value" % (v,)]
    if t == "fin":
        return [] if isinstance(v, str) and FIN_RE.match(v) else ["must be 7 characters [0-9A-Z]"]
    if t == "voen":
        return [] if isinstance(v, str) and VOEN_RE.match(v) else ["must be 10 digits"]
    if t == "phone":
        return [] if isinstance(v, str) and PHONE_RE.match(v) else ["must be +994 and 9 digits"]
    if t == "email":
        return [] if isinstance(v, str) and EMAIL_RE.match(v) else ["must be an e-mail address"]
    if t == "file":
        if not isinstance(v, str):
            return ["must be a file name"]
        if "/" in v or "\\" in v or v.startswith("."):
            return ["must be a plain file name without folders"]
        accept = q.get("accept") if isinstance(q.get("accept"), list) else list(MIME_EXT)
        exts = tuple(e for m in accept for e in MIME_EXT.get(m, ()))
        if not v.lower().endswith(exts):
            return ["file name must end with one of %s (accept)" % ", ".join(exts)]
        return []
    if t == "group":
        if not isinstance(v, list):
            return ["must be a list of objects, one per item"]
        out = []
        lo = q.get("min_items", 0)
        lo = max(lo if is_int(lo) else 0, 1 if q.get("required") is True else 0)
        hi = q.get("max_items", 20)
        hi = hi if is_int(hi) else 20
        if len(v) < lo:
            out.append("has %d items, at least %d needed" % (len(v), lo))
        if len(v) > hi:
            out.append("has %d items, max_items is %d" % (len(v), hi))
        inner = {iq.get("id"): iq for iq in q.get("questions", []) if isinstance(iq, dict)}
        for i, item in enumerate(v):
            if not isinstance(item, dict):
                out.append("[%d]: must be an object" % i)
                continue
            for k in item:
                if k not in inner:
                    out.append("[%d].%s: the group has no such question" % (i, k))
            for iid, iq in inner.items():
                if iid not in item or empty_answer(item[iid]):
                    if iq.get("required") is True:
                        out.append("[%d].%s: required answer missing" % (i, iid))
                    continue
                out.extend("[%d].%s: %s" % (i, iid, p) for p in answer_problems(iq, item[iid], today))
        return out
    return ["unknown question type"]


def check_question(P, fname, path, q, today, in_group):
    if not isinstance(q, dict):
        P.add(fname, path, "question must be an object")
        return False
    t = q.get("type")
    if t not in TYPE_KEYS:
        P.add(fname, path + ".type", "unknown type %r (one of %s)" % (t, ", ".join(TYPE_KEYS)))
        return False
    if in_group and t == "group":
        P.add(fname, path + ".type", "a group cannot contain a group")
    allowed = COMMON_KEYS | TYPE_KEYS[t]
    for k in sorted(set(q) - allowed):
        P.add(fname, "%s.%s" % (path, k), "unknown key for a %s question" % t)
    for k in sorted((COMMON_REQUIRED | TYPE_REQUIRED.get(t, set())) - set(q)):
        P.add(fname, path, "missing key %r" % k)
    qid = q.get("id")
    if not isinstance(qid, str) or not QUESTION_ID.match(qid):
        P.add(fname, path + ".id", "must be 1-40 characters of [a-z0-9_] (got %r)" % (qid,))
    ctx_text(P, fname, path + ".label", q.get("label"))
    if "hint" in q:
        ctx_text(P, fname, path + ".hint", q["hint"])
    if "required" in q and not isinstance(q["required"], bool):
        P.add(fname, path + ".required", "must be true or false")
    if "prefill" in q:
        pf = q["prefill"]
        if pf not in PREFILL_TYPES:
            P.add(fname, path + ".prefill", "unknown source %r (one of %s)" % (pf, ", ".join(PREFILL_TYPES)))
        elif t not in PREFILL_TYPES[pf]:
            P.add(fname, path + ".prefill", "%s does not fit a %s question" % (pf, t))
    ok = True       # are the limits sound enough to check the example?
    if t == "text":
        for k in ("min_length", "max_length"):
            if k in q and not (is_int(q[k]) and q[k] >= (1 if k == "max_length" else 0)):
                P.add(fname, "%s.%s" % (path, k), "must be an integer >= %d" % (1 if k == "max_length" else 0))
                ok = False
        if ok and q.get("min_length", 0) > q.get("max_length", 500):
            P.add(fname, path, "min_length is greater than max_length")
        if "multiline" in q and not isinstance(q["multiline"], bool):
            P.add(fname, path + ".multiline", "must be true or false")
    elif t == "address":
        if "max_length" in q and not (is_int(q["max_length"]) and q["max_length"] >= 1):
            P.add(fname, path + ".max_length", "must be an integer >= 1")
            ok = False
    elif t == "number":
        for k in ("min", "max"):
            if k in q and not is_num(q[k]):
                P.add(fname, "%s.%s" % (path, k), "must be a number")
                ok = False
        if ok and "min" in q and "max" in q and q["min"] > q["max"]:
            P.add(fname, path, "min is greater than max")
        if "integer" in q and not isinstance(q["integer"], bool):
            P.add(fname, path + ".integer", "must be true or false")
    elif t == "date":
        bounds = {}
        for k in ("not_before", "not_after"):
            if k in q:
                d = resolve_bound(q[k], today)
                if d is None:
                    P.add(fname, "%s.%s" % (path, k), "must be \"today\", \"YYYY-MM-DD\" or an offset like "
                          "\"-120y\" / \"+30d\" (got %r)" % (q[k],))
                    ok = False
                bounds[k] = d
        if bounds.get("not_before") and bounds.get("not_after") and bounds["not_before"] > bounds["not_after"]:
            P.add(fname, path, "not_before is later than not_after")
    elif t == "choice":
        opts = q.get("options")
        if not isinstance(opts, list) or not 2 <= len(opts) <= 50:
            P.add(fname, path + ".options", "must be a list of 2-50 options")
            ok = isinstance(opts, list)
        seen = set()
        for i, o in enumerate(opts if isinstance(opts, list) else []):
            op = "%s.options[%d]" % (path, i)
            if not isinstance(o, dict):
                P.add(fname, op, "option must be an object {value, label}")
                continue
            if set(o) != {"value", "label"}:
                P.add(fname, op, "option keys must be exactly value, label (got %s)" % ", ".join(sorted(o)))
            val = o.get("value")
            if not isinstance(val, str) or not val.strip() or val != val.strip() or CONTROL.search(val):
                P.add(fname, op + ".value", "must be a non-empty string without outer spaces")
            elif val in seen:
                P.add(fname, op + ".value", "duplicate option value %r" % val)
            seen.add(val)
            ctx_text(P, fname, op + ".label", o.get("label"))
        if "multiple" in q and not isinstance(q["multiple"], bool):
            P.add(fname, path + ".multiple", "must be true or false")
    elif t == "file":
        mb = q.get("max_bytes", DEFAULT_FILE_BYTES)
        if not (is_int(mb) and 1 <= mb <= MAX_FILE_BYTES):
            P.add(fname, path + ".max_bytes", "must be an integer 1..%d (20 MiB)" % MAX_FILE_BYTES)
        if "accept" in q:
            acc = q["accept"]
            if not isinstance(acc, list) or not acc:
                P.add(fname, path + ".accept", "must be a non-empty list")
                ok = False
            else:
                for i, m in enumerate(acc):
                    if m not in MIME_EXT:
                        P.add(fname, "%s.accept[%d]" % (path, i), "unknown type %r (one of %s)"
                              % (m, ", ".join(MIME_EXT)))
                        ok = False
                if len(set(map(str, acc))) != len(acc):
                    P.add(fname, path + ".accept", "repeats a type")
    elif t == "group":
        inner = q.get("questions")
        if not isinstance(inner, list) or not 1 <= len(inner) <= 10:
            P.add(fname, path + ".questions", "must be a list of 1-10 questions")
            ok = False
        ids = set()
        for i, iq in enumerate(inner if isinstance(inner, list) else []):
            ip = "%s.questions[%d]" % (path, i)
            if not check_question(P, fname, ip, iq, today, True):
                ok = False
                continue
            iid = iq.get("id")
            if iid in ids:
                P.add(fname, ip + ".id", "duplicate question id %r in the group" % iid)
            ids.add(iid)
        for k in ("min_items", "max_items"):
            if k in q and not (is_int(q[k]) and 0 <= q[k] <= 20 and (k == "min_items" or q[k] >= 1)):
                P.add(fname, "%s.%s" % (path, k), "must be an integer %s..20" % ("0" if k == "min_items" else "1"))
                ok = False
        if ok and q.get("min_items", 0) > q.get("max_items", 20):
            P.add(fname, path, "min_items is greater than max_items")
        if ok and q.get("required") is True and q.get("max_items", 20) < 1:
            P.add(fname, path, "a required group needs max_items >= 1")
        if "item_label" in q:
            ctx_text(P, fname, path + ".item_label", q["item_label"])
    if "example" in q and ok:
        for p in answer_problems(q, q["example"], today):
            P.add(fname, path + ".example", p)
    return ok


def check_condition(P, fname, path, cond, earlier, today):
    """earlier: id -> question, for top-level questions on earlier pages."""
    if not isinstance(cond, dict):
        P.add(fname, path, "must be an object {question, equals|in|answered}")
        return
    ops = [k for k in ("equals", "in", "answered") if k in cond]
    for k in sorted(set(cond) - {"question", "equals", "in", "answered"}):
        P.add(fname, "%s.%s" % (path, k), "unknown key in a condition")
    if "question" not in cond:
        P.add(fname, path, "missing key 'question'")
    if len(ops) != 1:
        P.add(fname, path, "needs exactly one of equals, in, answered")
    qid = cond.get("question")
    target = earlier.get(qid) if isinstance(qid, str) else None
    if "question" in cond and target is None:
        P.add(fname, path + ".question", "%r is not a question on an earlier page (outside groups)" % (qid,))
    if "answered" in cond and cond["answered"] is not True:
        P.add(fname, path + ".answered", "must be true")
    values = []
    if "equals" in cond:
        values.append(("equals", cond["equals"]))
    if "in" in cond:
        if not isinstance(cond["in"], list) or not cond["in"]:
            P.add(fname, path + ".in", "must be a non-empty list of values")
        else:
            if len(set(map(json.dumps, cond["in"]))) != len(cond["in"]):
                P.add(fname, path + ".in", "repeats a value")
            values.extend(("in[%d]" % i, v) for i, v in enumerate(cond["in"]))
    if target is None:
        return
    if values and target.get("type") in ("group", "file"):
        P.add(fname, path, "a %s question can only be tested with answered" % target.get("type"))
        return
    for where, v in values:
        probe = dict(target)
        if target.get("type") == "choice":
            probe["multiple"] = False       # the value is one option even for multiple choice
        for p in answer_problems(probe, v, today):
            P.add(fname, "%s.%s" % (path, where), "not a possible answer of %r: %s" % (qid, p))


def condition_holds(cond, answers):
    if not isinstance(cond, dict):
        return False
    a = answers.get(cond.get("question"))
    if "answered" in cond:
        return not empty_answer(a)
    if "equals" in cond:
        want = [cond["equals"]]
    elif isinstance(cond.get("in"), list):
        want = cond["in"]
    else:
        return False
    if isinstance(a, list):
        return any(x in want for x in a)
    return a in want


def load_catalog(path):
    services = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                services[row.get("id")] = row
    return services


def number_in(n, text):
    """Is the number n written in text (as a whole number, not part of another)?"""
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    return re.search(r"(?<![0-9.,])%s(?![0-9])" % re.escape(str(n)), text) is not None


def all_texts(obj, lang):
    if isinstance(obj, dict):
        if set(obj) == set(LANGS) and isinstance(obj.get(lang), str):
            yield obj[lang]
        else:
            for v in obj.values():
                yield from all_texts(v, lang)
    elif isinstance(obj, list):
        for v in obj:
            yield from all_texts(v, lang)


def no_duplicate_keys(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise ValueError("duplicate key %r" % k)
        seen[k] = v
    return seen


def check_file(P, path, fname, services, today, stats):
    try:
        raw = open(path, "rb").read()
    except OSError as e:
        P.add(fname, "", "cannot read: %s" % e)
        return
    if raw.startswith(b"\xef\xbb\xbf"):
        P.add(fname, "", "starts with a UTF-8 BOM")
        raw = raw[3:]
    try:
        form = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicate_keys,
                          parse_constant=lambda c: (_ for _ in ()).throw(ValueError("%s is not JSON" % c)))
    except (UnicodeDecodeError, ValueError) as e:
        P.add(fname, "", "not valid UTF-8 JSON: %s" % e)
        return
    if not isinstance(form, dict):
        P.add(fname, "", "the file must hold one JSON object")
        return
    for k in sorted(set(form) - set(TOP_KEYS) - set(OPTIONAL_TOP_KEYS)):
        P.add(fname, k, "unknown key")
    for k in TOP_KEYS:
        if k not in form:
            P.add(fname, "", "missing key %r" % k)
    stem = os.path.basename(path)[:-len(".json")]
    sid = form.get("service")
    if not isinstance(sid, str):
        P.add(fname, "service", "must be a string")
    else:
        if sid != stem:
            P.add(fname, "service", "%r does not match the file name %r" % (sid, stem + ".json"))
        if services is not None and sid not in services:
            P.add(fname, "service", "%r is not a service id in the catalogue" % sid)
    v = form.get("version")
    if "version" in form and not (is_int(v) and v >= 1):
        P.add(fname, "version", "must be an integer >= 1")
    ctx_text(P, fname, "title", form.get("title"))
    ctx_text(P, fname, "what_next", form.get("what_next"))

    pages = form.get("pages")
    if not isinstance(pages, list) or not 1 <= len(pages) <= 30:
        P.add(fname, "pages", "must be a list of 1-30 pages")
        pages = pages if isinstance(pages, list) else []
    page_ids, earlier, all_ids = set(), {}, set()
    n_questions = n_group_inner = n_conditional = 0
    for pi, pg in enumerate(pages):
        pp = "pages[%d]" % pi
        if not isinstance(pg, dict):
            P.add(fname, pp, "page must be an object")
            continue
        for k in sorted(set(pg) - PAGE_KEYS):
            P.add(fname, "%s.%s" % (pp, k), "unknown key for a page")
        for k in sorted(PAGE_REQUIRED - set(pg)):
            P.add(fname, pp, "missing key %r" % k)
        pid = pg.get("id")
        if not isinstance(pid, str) or not PAGE_ID.match(pid):
            P.add(fname, pp + ".id", "must be 1-40 characters of [a-z0-9-] (got %r)" % (pid,))
        elif pid in page_ids:
            P.add(fname, pp + ".id", "duplicate page id %r" % pid)
        page_ids.add(pid)
        ctx_text(P, fname, pp + ".title", pg.get("title"))
        if "hint" in pg:
            ctx_text(P, fname, pp + ".hint", pg["hint"])
        if "show_if" in pg:
            n_conditional += 1
            check_condition(P, fname, pp + ".show_if", pg["show_if"], earlier, today)
        qs = pg.get("questions")
        if not isinstance(qs, list) or not 1 <= len(qs) <= 10:
            P.add(fname, pp + ".questions", "must be a list of 1-10 questions")
            qs = qs if isinstance(qs, list) else []
        this_page = {}
        for qi, q in enumerate(qs):
            qp = "%s.questions[%d]" % (pp, qi)
            check_question(P, fname, qp, q, today, False)
            if not isinstance(q, dict):
                continue
            n_questions += 1
            if q.get("type") == "group" and isinstance(q.get("questions"), list):
                n_group_inner += len(q["questions"])
            qid = q.get("id")
            if isinstance(qid, str):
                if qid in all_ids:
                    P.add(fname, qp + ".id", "duplicate question id %r in the form" % qid)
                all_ids.add(qid)
                this_page[qid] = q
        earlier.update(this_page)   # a condition may only name questions on earlier pages

    # Walk the form with the examples as answers: which pages are shown?
    answers, shown = {}, []
    for pg in pages:
        if not isinstance(pg, dict):
            continue
        if "show_if" in pg and not condition_holds(pg["show_if"], answers):
            continue
        shown.append(pg.get("id"))
        for q in pg.get("questions") or []:
            if isinstance(q, dict) and "example" in q:
                answers[q.get("id")] = q["example"]

    # Consistency with the catalogue.
    svc = services.get(sid) if services and isinstance(sid, str) else None
    if svc:
        dl = svc.get("deadline_days")
        wn = form.get("what_next")
        if is_int(dl) and isinstance(wn, dict):
            for lang in LANGS:
                if isinstance(wn.get(lang), str) and not number_in(dl, wn[lang]):
                    P.add(fname, "what_next." + lang, "the catalogue gives a deadline of %d days; say so here" % dl)
        fee = svc.get("fee_azn")
        if is_num(fee):
            for lang in LANGS:
                if not any(number_in(fee, s) for s in all_texts(form, lang)):
                    P.add(fname, "", "the catalogue gives a fee of %s AZN; no %s text of the form states it" % (fee, lang))

    stats.append((os.path.basename(path), len(pages), n_questions, n_group_inner, n_conditional, len(shown)))


def main(argv):
    today = datetime.date.today()
    catalog = DEFAULT_CATALOG
    paths = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            print(__doc__)
            return 0
        if a == "--today" and args:
            today = parse_date(args.pop(0))
            if today is None:
                print("--today needs YYYY-MM-DD", file=sys.stderr)
                return 2
        elif a == "--catalog" and args:
            catalog = args.pop(0)
        else:
            paths.append(a)
    if not paths:
        paths = [HERE]
    files = []
    for p in paths:
        if os.path.isdir(p):
            files.extend(sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".json")))
        else:
            files.append(p)

    P = Problems()
    try:
        services = load_catalog(catalog)
    except (OSError, ValueError) as e:
        P.add(os.path.relpath(catalog), "", "cannot read the catalogue: %s" % e)
        services = None
    stats = []
    if not files:
        P.add(os.path.relpath(paths[0]), "", "no form files (*.json) found")
    for f in files:
        if not f.endswith(".json"):
            P.add(os.path.relpath(f), "", "a form file must be named SERVICE-ID.json")
            continue
        check_file(P, f, os.path.relpath(f), services, today, stats)

    for line in P.items:
        print(line)
    if P.items:
        print("%d problem(s) in %d file(s)" % (len(P.items), len(files)), file=sys.stderr)
        return 1
    for name, np, nq, ng, nc, ns in stats:
        print("%-45s %2d pages (%d conditional, %d shown with the examples), %2d questions%s"
              % (name, np, nc, ns, nq, " + %d in groups" % ng if ng else ""))
    print("%d forms, %d pages, %d questions (+%d inside groups); dates checked against %s"
          % (len(stats), sum(s[1] for s in stats), sum(s[2] for s in stats), sum(s[3] for s in stats), today))
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
