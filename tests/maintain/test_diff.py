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


# ---------------------------------------------------------------- what the client sees

from generator.ir import Error, Returns  # noqa: E402


def m(*params: Param, errors=(), scope="demo", example=None, name="demo.a.get"):
    return Method(name, scope, params=tuple(params), errors=tuple(errors),
                  returns=Returns(example=example))


def kinds(old: Method, new: Method):
    return {(c.kind, c.subject): c.breaking for c in diff_methods([old], [new])}


def test_type_spellings_leave_the_client_as_it_was():
    old = m(Param("id", type="int"), Param("ids", type="array<integer>"),
            Param("n", type="Integer"))
    new = m(Param("id", type="integer"), Param("ids", type="array", item_type="integer"),
            Param("n", type="integer"))
    changes = diff_methods([old], [new])
    assert {c.kind for c in changes} == {"param-type-spelling"}
    assert not breaking(changes) and not any(c.client for c in changes)
    assert "## Docs only (3)" in as_markdown(changes, "a", "b")


def test_a_type_change_breaks_only_when_the_client_type_narrows():
    assert kinds(m(Param("x", type="integer")), m(Param("x", type="string"))) == {
        ("param-type", "x"): True}
    assert kinds(m(Param("x", type="int")), m(Param("x", type="string | integer"))) == {
        ("param-type", "x"): False}
    assert kinds(m(Param("x", type="integer")), m(Param("x", type="any"))) == {
        ("param-type", "x"): False}


def test_renamed_parameters_are_paired():
    # the same letters: one parameter; breaking only when the Python name changes
    assert kinds(m(Param("taskId")), m(Param("TASKID"))) == {("param-renamed", "TASKID"): True}
    assert kinds(m(Param("task_id")), m(Param("taskId"))) == {("param-renamed", "taskId"): False}
    # a close spelling of the same client type
    assert kinds(m(Param("responsibleId", type="integer")),
                 m(Param("responsibleIds", type="integer"))) == {
        ("param-renamed", "responsibleIds"): True}
    # different names stay a removal and an addition
    assert kinds(m(Param("select")), m(Param("order"))) == {
        ("param-removed", "select"): True, ("param-added", "order"): False}


def test_required_parameter_added_and_result_type_changed_break():
    old = m(Param("id", required=True), example={"result": {"id": 1}})
    new = m(Param("id", required=True), Param("mode", required=True),
            example={"result": [{"id": 1}]})
    assert kinds(old, new) == {("param-added", "mode"): True, ("returns-type", "result"): True}
    widened = m(Param("id", required=True), example={"result": 1.5})
    assert kinds(m(Param("id", required=True), example={"result": 1}), widened) == {
        ("returns-type", "result"): False}


def test_statuses_in_the_code_column_and_status_changes_are_status_only():
    old = m(errors=[Error("400", status=400, message="Bad"),
                    Error("NOT_FOUND", status=400, message="No such widget")])
    new = m(errors=[Error("NOT_FOUND", status=404, message="No such widget")])
    changes = diff_methods([old], [new])
    assert {(c.kind, c.subject) for c in changes} == {
        ("status-as-code", "400"), ("error-status", "NOT_FOUND")}
    assert not breaking(changes)


def test_renamed_error_codes_are_paired():
    old = m(errors=[Error("WIDGET_NOT_FOUND", status=404, message="Widget not found")])
    new = m(errors=[Error("ERROR_WIDGET_NOT_FOUND", status=404, message="Widget not found")])
    assert kinds(old, new) == {("error-renamed", "ERROR_WIDGET_NOT_FOUND"): True}


def test_changes_are_grouped_by_scope_with_counts():
    old = [m(Param("a"), scope="crm", name="crm.a.get"), m(scope="task", name="task.b.get")]
    new = [m(scope="crm", name="crm.a.get")]
    data = json.loads(as_json(diff_methods(old, new)))
    assert data["by_scope"] == {"crm": {"breaking": 1, "other": 0, "docs_only": 0},
                                "task": {"breaking": 1, "other": 0, "docs_only": 0}}
    text = as_markdown(diff_methods(old, new), "a", "b")
    assert "| crm | 1 | 0 | 0 |" in text and "### task (1)" in text


def test_two_pages_claiming_one_method_keep_the_first(trees, capsys):
    old, new = trees
    twin = (new / "demo" / "get.md").read_text(encoding="utf-8")
    (new / "demo" / "zz-get-again.md").write_text(twin, encoding="utf-8")
    records, problems = read_paths([new])
    (twin_found,) = [p for p in problems if p.code == "SPEC008"]
    assert "zz-get-again.md" in str(twin_found.position) and "get.md" in twin_found.hint
    (kept,) = [m for m in records if m.method == "demo.widget.get"]
    assert kept.source.path.endswith("/demo/get.md")  # the first page, not the twin
    result = b24gen(capsys, "diff", str(old), str(new), "--format", "json")
    assert json.loads(result.stdout)["breaking"] == 6  # the twin changes nothing


def git(repo: Path, *args: str) -> str:
    import subprocess

    run = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                         check=True, env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x",
                                          "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x",
                                          "HOME": str(repo), "PATH": "/usr/bin:/bin"})
    return run.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_two_git_revisions_of_a_docs_checkout(tmp_path, capsys):
    repo = tmp_path / "docs"
    docs = repo / "api-reference"
    shutil.copytree(FIXTURES / "old", docs)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old")
    first = git(repo, "rev-parse", "HEAD")
    shutil.rmtree(docs)
    shutil.copytree(FIXTURES / "new", docs)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "new")
    (docs / "demo" / "get.md").write_text("not committed", encoding="utf-8")
    result = b24gen(capsys, "diff", "--git", str(repo), f"{first}..HEAD", "--format", "json")
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["breaking"] == 6  # the committed trees only
    assert (docs / "demo" / "get.md").read_text() == "not committed"  # untouched
    bad = b24gen(capsys, "diff", "--git", str(repo), "nosuchrev..HEAD")
    assert bad.returncode == 2 and "nosuchrev" in bad.stderr
    assert b24gen(capsys, "diff", "--git", str(repo), "HEAD").returncode == 2
