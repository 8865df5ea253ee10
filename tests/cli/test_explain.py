"""`b24gen explain [CODE]`: the registry as users read it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.cli import main
from generator.diagnostics import RULES

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["explain", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_explain_a_known_code(capsys):
    code, out, err = run(capsys, "YFM001")
    r = RULES["YFM001"]
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "YFM001 (warning): code fence 'closed' with 4+ spaces of indent"
    assert " ".join(out.split()).count(" ".join(r.hint[1:].split())) == 1
    assert "Fix: b24gen sync --fix" in lines
    example = lines[lines.index("Example:") + 1 :]
    assert example == [f"    {ln}".rstrip() for ln in r.example.splitlines()]


def test_explain_without_a_fix_command_and_in_lower_case(capsys):
    code, out, _ = run(capsys, "lint204")
    assert code == 0 and out.startswith("LINT204 (warning): link to a page that")
    assert "Fix:" not in out and "Example:" in out


def test_explain_lists_every_code(capsys):
    code, out, _ = run(capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(RULES)
    assert [ln.split()[0] for ln in lines] == sorted(RULES)
    assert "SCR005   info     scraped error rows lost their codes" in lines
    assert all(ln.split()[1] == RULES[ln.split()[0]].severity for ln in lines)


def test_explain_an_unknown_code_exits_2_naming_the_closest(capsys):
    code, out, err = run(capsys, "LINT207")
    assert code == 2 and out == ""
    assert "unknown diagnostic code 'LINT207'" in err
    assert "closest: LINT206, LINT205, LINT204" in err


def test_explain_as_installed():
    ran = subprocess.run([sys.executable, "-m", "generator.cli", "explain", "SPEC0"],
                         cwd=ROOT, capture_output=True, text=True)
    assert ran.returncode == 2 and ran.stdout == ""
    assert "closest: SPEC001, SPEC002, SPEC003" in ran.stderr
