"""`pencere eval`: the command contract of the evaluation methodology
(issue 12), on the 2014 campaign of data/evaluations and on files written
here: exact JSON answers, "max/score" printing, the edge cases and every
kind of bad input with its exit code (0 ok, 1 bad file, 2 usage).  No
database is involved: the SQLite passes only."""
import json
import os

import pytest

from syslib import ROOT, run_cli, sanitizer_findings

pytestmark = pytest.mark.once

DATA = os.path.join(ROOT, "data", "evaluations", "2014")


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def ok(*args):
    r = run_cli("eval", *args)
    assert r.returncode == 0, r.stderr
    assert not sanitizer_findings(r.stderr), r.stderr
    return r.stdout


def bad(code, *args):
    r = run_cli("eval", *args)
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""
    assert not sanitizer_findings(r.stderr), r.stderr
    return r.stderr


def test_2014_infrastructure_index():
    out = ok("infrastructure", os.path.join(DATA, "infrastructure.json"))
    assert out == '{"components": {"1": 0.33, "2": 1, "3": 0.66, "4": 1, "5": 1, "6": 0, "7": 1}, "index": 4.99}\n'
    assert json.loads(out)["index"] == 4.99
    assert ok("infrastructure", "--printed", os.path.join(DATA, "infrastructure.json")) == "7/4.99\n"


def test_infrastructure_shares_and_csv(tmp_path):
    rows = ["question,answer"]
    for q, n in (("1", 9), ("2", 7), ("3", 3), ("4", 1), ("5", 2), ("6", 1), ("7", 2)):
        for i in range(1, n + 1):
            rows.append("%s.%d,%s" % (q, i, "1" if q != "3" else "0"))
    rows[rows.index("2.5,1")] = "2.5,50%"      # 0–50 % scores 0
    rows[rows.index("3.2,0")] = "3.2,51%"      # 51–100 % scores 1
    out = json.loads(ok("infrastructure", write(tmp_path, "i.csv", "\n".join(rows) + "\n")))
    assert out == {"components": {"1": 1, "2": 0.85, "3": 0.33, "4": 1, "5": 1, "6": 1, "7": 1}, "index": 6.18}


def test_service_levels(tmp_path):
    # 8 yes of 12 applicable (3 not applicable): 66.66 %, level 2 on the 3- and 4-level models
    answers = {str(i): 1 for i in range(1, 9)}
    answers.update({"9": 0, "10": 0, "11": 0, "12": 0, "13": None, "14": None, "15": None})
    f = write(tmp_path, "s.json", json.dumps(answers))
    assert ok("service", "--model", "3", f) == '{"percent": 66.66, "level": 2}\n'
    assert json.loads(ok("service", "--model", "4", f)) == {"percent": 66.66, "level": 2}
    assert json.loads(ok("service", "--model", "5", f)) == {"percent": 66.66, "level": 3}
    assert ok("service", "--model", "4", "--printed", f) == "4/2\n"
    zero = write(tmp_path, "z.json", json.dumps({str(i): 0 for i in range(1, 16)}))
    assert json.loads(ok("service", "--model", "3", zero)) == {"percent": 0, "level": 0}
    full = write(tmp_path, "f.json", json.dumps({str(i): 1 for i in range(1, 16)}))
    assert json.loads(ok("service", "--model", "5", full)) == {"percent": 100, "level": 5}


def test_participation_and_transparency(tmp_path):
    seven = write(tmp_path, "p.json", json.dumps({str(i): int(i <= 7) for i in range(1, 11)}))
    assert ok("participation", seven) == '{"score": 7, "band": "good"}\n'
    assert ok("participation", "--printed", seven) == "10/7\n"
    none = write(tmp_path, "n.json", json.dumps({str(i): 0 for i in range(1, 11)}))
    assert json.loads(ok("participation", none)) == {"score": 0, "band": "none"}
    assert json.loads(ok("transparency", "--paid", seven)) == {"score": 7, "band": "relatively transparent"}
    free = write(tmp_path, "t.json", json.dumps({str(i): int(i <= 6) for i in range(1, 9)}))
    assert json.loads(ok("transparency", "--free", free)) == {"score": 6, "band": "sufficiently transparent"}
    assert ok("transparency", "--free", "--printed", free) == "8/6\n"


def test_bad_questionnaires(tmp_path):
    # a free service answering the payment questions
    paid_answers = write(tmp_path, "t.json", json.dumps({str(i): 1 for i in range(1, 11)}))
    err = bad(1, "transparency", "--free", paid_answers)
    assert "question 9: a free service is scored out of 8" in err
    # missing, unknown, twice, not an answer — every one reported with its line
    f = write(tmp_path, "p.csv", "question,answer\n1,1\n1,0\n11,1\n2,maybe\n")
    err = bad(1, "participation", f)
    assert "line 3: question 1 is answered twice (first on line 2)" in err
    assert "line 4: unknown participation question \"11\"" in err
    assert "line 5: question 2: \"maybe\" is not an answer" in err
    err = bad(1, "participation", write(tmp_path, "m.json", '{"1": 1}'))
    assert "question 2: not answered" in err
    err = bad(1, "infrastructure", write(tmp_path, "na.json", '{"1.1": null}'))
    assert "every sub-indicator of the infrastructure applies" in err
    allna = write(tmp_path, "a.json", json.dumps({str(i): None for i in range(1, 16)}))
    assert "no question applies" in bad(1, "service", "--model", "3", allna)
    assert "not valid JSON" in bad(1, "participation", write(tmp_path, "j.json", '{"1": 1,'))
    assert "empty" in bad(1, "participation", write(tmp_path, "e.json", ""))
    assert "cannot open" in bad(1, "participation", str(tmp_path / "absent.json"))


@pytest.mark.parametrize("args", [[], ["infrastructure"], ["development", "f"], ["colour", "f"],
                                  ["service", "f"], ["service", "--model", "6", "f"],
                                  ["transparency", "f"], ["transparency", "--paid", "--free", "f"],
                                  ["participation", "--bogus", "f"]])
def test_usage_errors(args):
    bad(2, *args)


def test_help():
    out = ok("--help")
    for word in ("infrastructure", "service --model", "participation", "transparency --paid|--free", "campaign"):
        assert word in out


CAMPAIGN = [
    {"infrastructure": json.load(open(os.path.join(DATA, "infrastructure.json"), encoding="utf-8"))},
    {"service": "din-passport-replacement", "agency": "din", "model": 3, "paid": True,
     "development": dict({str(i): int(i in (1, 2, 3, 4, 7, 9, 11)) for i in range(1, 14)}, **{"14": None, "15": None}),
     "participation": {str(i): int(i <= 3) for i in range(1, 11)},
     "transparency": {str(i): int(i == 1) for i in range(1, 11)}},
    {"service": "vn-e-declaration", "agency": "vn", "model": 4, "paid": True,
     "development": {str(i): 1 for i in range(1, 16)},
     "participation": {str(i): int(i <= 9) for i in range(1, 11)},
     "transparency": {str(i): 1 for i in range(1, 11)}},
]


def test_campaign_json_and_csv(tmp_path):
    f = write(tmp_path, "c.jsonl", "\n".join(json.dumps(x) for x in CAMPAIGN) + "\n")
    out = json.loads(ok("campaign", f))
    assert out["infrastructure"]["index"] == 4.99
    din, vn = out["services"]
    assert din["development"] == {"model": 3, "percent": 53.84, "level": 1, "printed": "3/1"}
    assert din["participation"]["band"] == "weak" and din["transparency"]["printed"] == "10/1"
    assert vn["development"]["printed"] == "4/4" and vn["participation"]["band"] == "excellent"
    assert [a["agency"] for a in out["agencies"]] == ["din", "vn"]
    assert out["overall"]["services"] == 2 and out["overall"]["below_level_3"] == 1
    csv = ok("campaign", "--csv", f)
    lines = csv.splitlines()
    assert lines[0] == "subject,agency,criterion,max,score,percent,level_or_band,printed"
    assert "infrastructure,,index,7,4.99,,,7/4.99" in lines
    assert "vn-e-declaration,vn,transparency,10,10,,sufficiently transparent,10/10" in lines


def test_campaign_bad_rows_by_line(tmp_path):
    text = (json.dumps(CAMPAIGN[1]) + "\n"
            + '{"service": "din-passport-replacement", "agency": "din", "participation": {}}\n'
            + "{oops\n"
            + '{"service": "Bad Id", "agency": "din"}\n')
    err = bad(1, "campaign", write(tmp_path, "c.jsonl", text))
    assert "line 2: service din-passport-replacement is given twice (first on line 1)" in err
    assert "line 3: not valid JSON" in err
    assert "line 4: \"service\" must be a service id" in err
    assert "nothing was scored" in err
    csv = "subject,agency,model,paid,criterion,question,answer\nvn-x,vn,4,1,development,1,2\n"
    assert "line 2: vn-x, development: question 1:" in bad(1, "campaign", write(tmp_path, "c.csv", csv))
