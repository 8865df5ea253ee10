"""`b24gen diff`: two trees that differ, each change classified for users of the client."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from goldens import Ran, assert_golden
from generator.cli import main
from generator.ir import Method, Param
from generator.read import read_paths
from generator.maintain.diff import as_json, as_markdown, breaking, diff_methods, widens

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "diff"


@pytest.fixture
def trees(tmp_path):
    """old/ and new/ built from the fixture pages that differ."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURES / "old", old)
    shutil.copytree(FIXTURES / "new", new)
    return old, new


def changes_of(old: Path, new: Path):
    return diff_methods(read_paths([old])[0], read_paths([new])[0])


def test_changelog_golden(trees, update_goldens):
    changes = changes_of(*trees)
    assert_golden("diff/changelog.md", as_markdown(changes, "old", "new"), update_goldens)
    assert_golden("diff/changes.json", as_json(changes), update_goldens)


def test_classification(trees):
    found = {(c.method, c.kind, c.subject): c.breaking for c in changes_of(*trees)}
    assert found == {
        ("demo.widget.legacy", "method-removed", ""): True,
        ("demo.widget.move", "method-added", ""): False,
        ("demo.widget.find", "method-deprecated", ""): False,
        ("demo.widget.find", "param-optional", "query"): False,
        ("demo.widget.find", "param-type", "query"): True,
        ("demo.widget.get", "param-removed", "select"): True,
        ("demo.widget.get", "param-added", "shelfId"): True,
        ("demo.widget.get", "error-removed", "WIDGET_NOT_FOUND"): True,
        ("demo.widget.get", "error-added", "WIDGET_GONE"): False,
        ("demo.widget.list", "param-required", "filter"): True,
        ("demo.widget.list", "param-added", "order"): False,
        ("demo.widget.list", "param-type", "start"): False,
    }


def test_same_tree_has_no_changes(trees):
    old, _ = trees
    assert changes_of(old, old) == []
    assert "No changes" in as_markdown([], "a", "b")


def test_widening():
    p = lambda t, item=None: Param("x", type=t, item_type=item)
    assert widens(p("integer"), p("integer | string"))
    assert widens(p("integer"), p("any"))
    assert not widens(p("integer | string"), p("integer"))
    assert not widens(p("array", "integer"), p("array", "string"))


def test_v2_and_v3_are_different_methods():
    v2, v3 = Method("demo.a.get", "demo"), Method("demo.a.get", "demo", api="v3")
    kinds = sorted(c.kind for c in diff_methods([v2], [v3]))
    assert kinds == ["method-added", "method-removed"]
    assert len(breaking(diff_methods([v2], [v3]))) == 1


def b24gen(capsys, *args: str) -> Ran:
    """The CLI in-process (the way `b24gen` runs it, without a new interpreter)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return Ran(code, out, err)


def test_cli_exit_codes(capsys, trees):
    old, new = map(str, trees)
    result = b24gen(capsys, "diff", old, new)
    assert result.returncode == 1 and "## Breaking" in result.stdout
    assert b24gen(capsys, "diff", old, new, "--fail-on", "never").returncode == 0
    assert b24gen(capsys, "diff", old, old).returncode == 0
    assert b24gen(capsys, "diff", old, old, "--fail-on", "any").returncode == 0
    data = json.loads(b24gen(capsys, "diff", old, new, "--format", "json").stdout)
    assert data["breaking"] == 6 and len(data["changes"]) == 12
