"""The CLI as users run it: exit codes, one line per problem, nothing lost on failure."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_SPECS = ROOT / "tests" / "fixtures" / "specs"
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) .+ \(.+\)$")


def b24gen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd,
                          capture_output=True, text=True)


@pytest.fixture
def specs(tmp_path):
    target = tmp_path / "specs"
    shutil.copytree(FIXTURE_SPECS, target)
    return target


@pytest.fixture
def generated(tmp_path, specs):
    out = tmp_path / "generated"
    assert b24gen("regenerate", str(specs), "--out", str(out)).returncode == 0
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


BAD = {
    "malformed_yaml": ("---\nmethod: a.b.c\nscope: [unclosed\n---\n# T a.b.c\n", "SPEC002", 3),
    "missing_method": ("---\nscope: demo\n---\n# Title\n", "SPEC007", 1),
    "unknown_key": ("---\nmethod: a.b.c\nscope: demo\nmethd: x\n---\n# T a.b.c\n", "SPEC004", 4),
    "wrong_type": ("---\nmethod: a.b.c\nscope: demo\ndeprecated: maybe\n---\n# T\n", "SPEC005", 4),
    "duplicate": ("---\nmethod: demo.item.get\nscope: demo\n---\n# T demo.item.get\n", "SPEC008", 5),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_reports_and_leaves_generated_untouched(specs, generated, case):
    text, code, line = BAD[case]
    (specs / "demo" / f"zz_{case}.md").write_text(text, encoding="utf-8")
    before = snapshot(generated)
    result = b24gen("regenerate", str(specs), "--out", str(generated))
    assert result.returncode == 2
    problems = [ln for ln in result.stderr.splitlines() if LINE.match(ln)]
    assert problems, result.stderr
    match = LINE.match(problems[0])
    assert match["code"] == code and int(match["line"]) == line, problems
    assert match["path"].endswith(f"zz_{case}.md")
    assert snapshot(generated) == before


def test_several_problems_one_line_each(specs, generated):
    for case in ("malformed_yaml", "unknown_key"):
        (specs / "demo" / f"zz_{case}.md").write_text(BAD[case][0], encoding="utf-8")
    result = b24gen("regenerate", str(specs), "--out", str(generated))
    assert result.returncode == 2
    assert len([ln for ln in result.stderr.splitlines() if LINE.match(ln)]) == 2


def test_unreadable_file(specs, generated):
    bad = specs / "demo" / "zz_binary.md"
    bad.write_bytes(b"---\nmethod: \xff\xfe\n---\n")
    result = b24gen("regenerate", str(specs), "--out", str(generated))
    assert result.returncode == 2 and "READ002" in result.stderr


def test_check_reports_drift_and_exits_1(specs, generated):
    assert b24gen("regenerate", str(specs), "--out", str(generated), "--check").returncode == 0
    (generated / "b24client" / "demo.py").write_text("# edited by hand\n")
    (generated / "b24client" / "stray.py").write_text("x = 1\n")
    result = b24gen("regenerate", str(specs), "--out", str(generated), "--check")
    assert result.returncode == 1
    assert "drift: " in result.stdout
    assert "b24client/demo.py" in result.stdout and "b24client/stray.py" in result.stdout
    assert (generated / "b24client" / "demo.py").read_text() == "# edited by hand\n"


def test_ir_json_keys(specs):
    import json

    result = b24gen("ir", str(specs), "--json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["method"] for r in records} == {"demo.item.get", "demo.item", "profile",
                                             "demo.item.update"}
    keys = {"method", "scope", "api", "title", "description", "who_can_execute", "deprecated",
            "replacement", "params", "returns", "errors", "examples", "pagination",
            "rate_limit_per_sec", "aliases", "language", "source", "lossy"}
    for r in records:
        assert keys <= set(r)
        for p in r["params"]:
            assert {"name", "python_name", "type", "item_type", "required", "description",
                    "fields", "position"} <= set(p)
            assert p["position"]["line"] > 0
