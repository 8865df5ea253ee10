"""`[tool.b24gen]` in pyproject.toml: defaults for the verbs, lint selection, and a clear
finding for a broken table."""

from __future__ import annotations

from pathlib import Path

from generator.config import LintRules, load


def project(tmp_path: Path, text: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    nested = tmp_path / "sub" / "dir"
    nested.mkdir(parents=True)
    return nested


def test_the_table_is_found_from_a_subfolder(tmp_path):
    start = project(tmp_path, '[tool.b24gen]\nspecs = "s"\nout = "o"\n'
                    '[tool.b24gen.lint]\nselect = ["lint"]\nignore = ["LINT204"]\n'
                    'per-file-ignores = { "legacy/*" = ["LINT113"] }\n')
    config, problems = load(start)
    assert problems == [] and (config.specs, config.out) == ("s", "o")
    rules = config.lint
    assert rules.keeps("LINT201", "a.md") and not rules.keeps("SPEC002", "a.md")
    assert not rules.keeps("LINT204", "a.md")
    assert not rules.keeps("LINT113", "legacy/x.md") and rules.keeps("LINT113", "new/x.md")


def test_command_line_selection_replaces_and_ignores_add_up():
    rules = LintRules(select=("LINT",), ignore=("LINT204",))
    chosen = rules.with_options("spec010", "LINT202")
    assert chosen.select == ("SPEC010",) and chosen.ignore == ("LINT204", "LINT202")


def test_a_broken_table_is_a_finding(tmp_path):
    start = project(tmp_path, '[tool.b24gen]\nspecs = 5\nsurprise = true\n')
    config, problems = load(start)
    assert [p.code for p in problems] == ["CFG001", "CFG001"]
    assert config.specs == "specs"
    bad = project(tmp_path / "x", "[tool.b24gen\n")
    assert [p.code for p in load(bad)[1]] == ["CFG001"]


def test_no_pyproject_means_defaults(tmp_path):
    config, problems = load(tmp_path)
    assert problems == [] and config.out == "generated"
