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


# ---------------------------------------------------------------- -q, -v, --output-format

def run(capsys, *args: str) -> tuple[int, str, str]:
    from generator.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


IMPORT_DOCS = ROOT / "tests" / "fixtures" / "import" / "docs"
DRIFTING = "---\nmethod: demo.x.get\nscope: demo\n---\n# Get demo.x.get\n\n> Scope: [`demo`](#)\n"


@pytest.mark.parametrize("verb", ["ir", "regenerate", "mock", "lint", "sync", "import",
                                  "diff", "conformance", "explain"])
def test_every_verb_takes_quiet_and_verbose_but_not_both(verb):
    from generator.cli import parser

    needs = {"ir": ["x"], "lint": ["x"], "sync": ["x"], "import": ["x"],
             "conformance": ["x"]}.get(verb, [])
    for flag in ("-q", "--quiet", "-v", "--verbose"):
        args = parser().parse_args([verb, *needs, flag])
        assert args.quiet == flag.startswith(("-q", "--q"))
        assert args.verbose == flag.startswith(("-v", "--v"))
    with pytest.raises(SystemExit) as exited:
        parser().parse_args([verb, *needs, "-q", "-v"])
    assert exited.value.code == 2


def test_quiet_prints_only_findings(capsys, tmp_path, specs):
    out = tmp_path / "generated"
    assert run(capsys, "regenerate", str(specs), "--out", str(out), "-q") == (0, "", "")
    assert run(capsys, "regenerate", str(specs), "--out", str(out), "--check", "-q") == (
        0, "", "")
    target = tmp_path / "imported"
    assert run(capsys, "import", str(IMPORT_DOCS), "--to", str(target), "-q") == (0, "", "")
    (target / "demo" / "x.md").write_text(DRIFTING, encoding="utf-8")
    code, stdout, stderr = run(capsys, "sync", "--check", str(target), "-q")
    assert code == 1 and "+++ b/" in stdout and stderr == ""  # the diff is the finding
    code, stdout, stderr = run(capsys, "sync", str(target), "-q")
    assert (code, stdout, stderr) == (0, "", "")
    code, stdout, stderr = run(capsys, "lint", str(FIXTURE_SPECS), "-q")
    assert code == 1 and " LINT113 error: " in stdout and stderr == ""  # no summary


def test_verbose_lists_each_file(capsys, tmp_path, specs):
    out = tmp_path / "generated"
    code, _, stderr = run(capsys, "regenerate", str(specs), "--out", str(out), "-v")
    assert code == 0 and f"wrote {out}/b24client/demo.py" in stderr.splitlines()
    target = tmp_path / "imported"
    code, stdout, _ = run(capsys, "import", str(IMPORT_DOCS), "--to", str(target))
    assert code == 0 and stdout.count("created ") == 2
    code, stdout, _ = run(capsys, "import", str(IMPORT_DOCS), "--to", str(target))
    assert code == 0 and stdout == ""  # nothing changed, nothing listed
    code, stdout, _ = run(capsys, "import", str(IMPORT_DOCS), "--to", str(target), "-v")
    assert stdout.count("unchanged ") == 2 and "    lost: " in stdout
    code, _, stderr = run(capsys, "sync", str(target), "-v")
    assert code == 0 and stderr.count("unchanged ") == 2


FINDING_KEYS = {"path", "line", "col", "code", "severity", "message", "hint", "fixable"}
DOCUMENT_KEYS = {"errors", "warnings", "counts", "findings"}


def test_sync_import_regenerate_json_documents(capsys, tmp_path, specs):
    import json

    target = tmp_path / "imported"
    code, stdout, _ = run(capsys, "import", str(IMPORT_DOCS), "--to", str(target),
                          "--dry-run", "--output-format", "json")
    data = json.loads(stdout)
    assert code == 0 and DOCUMENT_KEYS | {"to", "dry_run", "methods", "created", "updated",
                                          "unchanged", "skipped", "lost"} <= set(data)
    assert data["created"] == 2 and data["dry_run"] is True and not target.exists()
    assert {"method", "api", "source", "target", "action", "lost"} <= set(data["methods"][0])

    run(capsys, "import", str(IMPORT_DOCS), "--to", str(target))
    (target / "demo" / "x.md").write_text(DRIFTING, encoding="utf-8")
    code, stdout, _ = run(capsys, "sync", "--check", str(target), "--output-format", "json")
    data = json.loads(stdout)
    assert code == 1 and DOCUMENT_KEYS | {"files", "changed", "written", "fixed"} <= set(data)
    assert data["files"] == 3 and data["changed"] == [str(target / "demo" / "x.md")]
    assert data["written"] == []

    out = tmp_path / "generated"
    code, stdout, _ = run(capsys, "regenerate", str(specs), "--out", str(out), "--report",
                          "--output-format", "json")
    data = json.loads(stdout)
    assert code == 0 and DOCUMENT_KEYS | {"out", "check", "changed", "written",
                                          "report"} <= set(data)
    assert "b24client/demo.py" in data["written"] and data["report"]["methods"] > 0

    (specs / "demo" / "zz_bad.md").write_text(BAD["unknown_key"][0], encoding="utf-8")
    code, stdout, stderr = run(capsys, "regenerate", str(specs), "--out", str(out),
                               "--output-format", "json")
    data = json.loads(stdout)
    assert code == 2 and data["errors"] == 1 and data["written"] == []
    [finding] = data["findings"]
    assert set(finding) == FINDING_KEYS and finding["code"] == "SPEC004"
    assert (finding["line"], finding["severity"]) == (4, "error")
    assert not LINE.match(stderr.splitlines()[0] if stderr else "")  # said once, in the JSON


def test_github_annotations_for_regenerate_and_import(capsys, tmp_path, specs):
    (specs / "demo" / "zz_bad.md").write_text(BAD["unknown_key"][0], encoding="utf-8")
    code, stdout, _ = run(capsys, "regenerate", str(specs), "--out", str(tmp_path / "g"),
                          "--output-format", "github")
    assert code == 2
    assert re.match(r"^::error file=.*zz_bad\.md,line=4,col=\d+,title=SPEC004::", stdout)
    awkward = ROOT / "tests" / "fixtures" / "import" / "awkward"
    code, stdout, _ = run(capsys, "import", str(awkward), "--to", str(tmp_path / "s"),
                          "--dry-run", "--output-format", "github")
    assert code == 2 and "title=SPEC008::" in stdout


def test_github_annotation_escapes_property_separators():
    from generator.diagnostics import diagnostic
    from generator.output import github_annotation

    line = github_annotation(diagnostic("ARG001", "C:/a,b.md", "50% done\nnext"))
    assert line.startswith("::error file=C%3A/a%2Cb.md,line=1,col=1,title=ARG001::")
    assert "50%25 done%0Anext" in line
