"""One contract for every verb: bad input is one `path:line:col: CODE message (hint)`
line per problem and exit 2, never a traceback."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^\S.*:\d+:\d+: [A-Z]+\d{3} .+$")


def b24gen(*args: str, timeout: int = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


CASES = {
    "ir, missing path": (["ir", "/nope/x.md"], "ARG001"),
    "lint, missing path": (["lint", "nope"], "ARG001"),
    "lint, missing compare tree": (["lint", "specs", "--compare", "nope"], "ARG001"),
    "sync, missing path": (["sync", "nope"], "ARG001"),
    "import, missing source": (["import", "nope", "--to", "/tmp/b24gen-never"], "ARG001"),
    "import, a file as --to": (["import", "specs", "--to", "README.md"], "OUT001"),
    "regenerate, missing specs": (["regenerate", "nope", "--out", "/tmp/b24gen-x"], "READ003"),
    "regenerate, a file as --out": (["regenerate", "specs", "--out", "README.md"], "OUT001"),
    "regenerate, specs as --out": (["regenerate", "specs", "--out", "specs"], "OUT004"),
    "conformance, a file": (["conformance", "README.md"], "ARG001"),
    "conformance, missing": (["conformance", "nope"], "ARG001"),
    "mock, bad port": (["mock", "--port", "99999"], "ARG002"),
    "mock, negative dataset": (["mock", "--dataset", "-5", "--port", "0"], "ARG002"),
    "mock, missing specs": (["mock", "--specs", "nope", "--port", "0"], "ARG001"),
    "mock, a file as docs": (["mock", "--docs", "README.md", "--port", "0"], "ARG001"),
    "regenerate, specs and --docs": (["regenerate", "specs", "--docs", "specs"], "ARG005"),
    "diff, trees and --git": (["diff", "a", "b", "--git", ".", "HEAD..HEAD"], "ARG005"),
    "diff, one tree": (["diff", "specs"], "ARG006"),
    "diff, missing tree": (["diff", "specs", "nope"], "ARG001"),
    "diff, unknown revision": (["diff", "--git", ".", "nosuchrev..HEAD"], "ARG007"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_and_exit_2(case):
    args, code = CASES[case]
    result = b24gen(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if LINE.match(ln)]
    assert lines and all(code in ln for ln in lines[:1]), result.stderr
    assert "(" in lines[0] and lines[0].endswith(")"), "every finding carries a hint"


def test_paths_are_shown_as_given():
    result = b24gen("ir", "/nope/x.md")
    assert result.stderr.startswith("/nope/x.md:1:1: ARG001"), result.stderr


def test_a_busy_port_is_a_finding_not_a_traceback():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = b24gen("mock", "--port", str(port))
    assert result.returncode == 2 and "ARG003" in result.stderr
    assert "Traceback" not in result.stderr


def test_tls_mock_prints_its_certificate_authority():
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "mock", "--tls",
                             "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        assert lines[0].startswith("b24gen: mock portal on https://"), lines
        ca = next(ln.split()[-1] for ln in lines if "certificate authority" in ln)
        assert Path(ca).is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        time.sleep(0.1)


@pytest.mark.parametrize("verb", ["ir", "regenerate", "mock", "lint", "sync", "import",
                                  "diff", "conformance", "explain"])
def test_every_verb_has_a_description_an_example_and_argument_help(verb):
    result = b24gen(verb, "--help")
    assert result.returncode == 0
    assert "example:\n  b24gen " + verb in result.stdout
    assert "usage: b24gen " + verb in result.stdout


def test_import_with_an_unknown_scope_names_the_scopes_there():
    result = b24gen("import", "tests/fixtures/import", "--to", "/tmp/b24gen-never",
                    "--scope", "nosuchscope")
    assert result.returncode == 2 and "ARG004" in result.stderr
    assert "scopes there: demo" in result.stderr
    assert not Path("/tmp/b24gen-never").exists()


def test_lint_output_format_github_annotates_each_finding(tmp_path):
    page = tmp_path / "bad.md"
    page.write_text("---\nmethod: demo.x.get\nscope: [unclosed\n---\n# T\n", encoding="utf-8")
    result = b24gen("lint", str(page), "--output-format", "github")
    assert result.returncode == 1
    assert re.match(r"^::error file=.*bad\.md,line=\d+,col=\d+,title=SPEC002::", result.stdout)


@pytest.mark.parametrize("verb", [["ir", "specs"], ["conformance", "tests/fixtures/conformance/en"]])
def test_output_format_json_is_json(verb):
    import json

    result = b24gen(*verb, "--output-format", "json")
    first = result.stdout.splitlines()[0] if verb[0] == "ir" else result.stdout
    assert isinstance(json.loads(first), dict)


def test_reader_findings_show_the_path_as_given(tmp_path):
    page = tmp_path / "bad.md"
    page.write_text("---\nmethod: demo.x.get\nscope: [unclosed\n---\n# T\n", encoding="utf-8")
    result = b24gen("lint", str(page))
    assert result.stdout.startswith(f"{page}:3:"), result.stdout


def test_specs_and_docs_together_is_a_registered_finding_explain_knows():
    result = b24gen("regenerate", "specs", "--docs", "../docs", "--out", "/tmp/b24gen-never")
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("--docs:1:1: ARG005 give a specs folder (specs) or --docs")
    assert not Path("/tmp/b24gen-never").exists()
    explained = b24gen("explain", "ARG005")
    assert explained.returncode == 0
    assert explained.stdout.startswith("ARG005 (error): two inputs given")
