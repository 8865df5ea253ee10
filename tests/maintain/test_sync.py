"""`b24gen sync`: the front matter follows the body, untouched bytes stay untouched, a second
run changes nothing, `--check` and `--fix` behave, files are replaced atomically."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldens import Ran, assert_golden
from generator.cli import main
from generator.read.frontmatter import split
from generator.read.markdown import param_from_front_matter, read_markdown_text
from generator.maintain.lint import lint_paths
from generator.maintain.sync import sync_text, unified
from generator.paths import write_atomic

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").rglob("*.md"))
SPEC_PAGES = [p for p in SPECS if "_includes" not in p.parts]
FIXTURES = ROOT / "tests" / "fixtures"
COMMENTED = FIXTURES / "sync" / "commented.md"
BAD = sorted((FIXTURES / "lint" / "bad").rglob("*.md"))
BAD_PAGES = [p for p in BAD if "_includes" not in p.parts]


def synced(path: Path, text: str | None = None, fix: bool = False) -> str:
    text = path.read_text(encoding="utf-8") if text is None else text
    return sync_text(text, path, path.name, fix).new


def body_of(text: str) -> str:
    return split(text, "x")[0].body


def front_of(text: str) -> str:
    return text[: len(text) - len(body_of(text))]


@pytest.mark.parametrize("spec", SPEC_PAGES, ids=lambda p: p.name)
def test_specs_are_in_sync_byte_for_byte(spec):
    text = spec.read_text(encoding="utf-8")
    assert synced(spec, text) == text


@pytest.mark.parametrize("spec", SPEC_PAGES, ids=lambda p: p.name)
def test_a_stale_value_is_restored_exactly(spec):
    text = spec.read_text(encoding="utf-8")
    flipped = re.sub(r"^deprecated: (true|false)$",
                     lambda m: "deprecated: " + ("false" if m.group(1) == "true" else "true"),
                     text, count=1, flags=re.M)
    no_api = re.sub(r"^api: v[23]\n", "", text, count=1, flags=re.M)
    assert flipped != text and no_api != text
    assert synced(spec, flipped) == text
    assert synced(spec, no_api) == text


def test_front_matter_with_comments(update_goldens):
    text = COMMENTED.read_text(encoding="utf-8")
    new = synced(COMMENTED, text)
    assert_golden("sync/commented.md", new, update_goldens)
    assert body_of(new) == body_of(text)
    kept = [ln for ln in front_of(text).split("\n")
            if not ln.startswith(("deprecated:", "    type: string             #"))]
    assert all(ln in new.split("\n") for ln in kept), "an untouched line changed"
    assert "deprecated: true             # stale: the body says otherwise" in new
    assert 'returns: {"type":"object"}   # flow style, untouched' in new


@pytest.mark.parametrize("path", [COMMENTED, *BAD_PAGES, *SPEC_PAGES], ids=lambda p: p.name)
def test_second_run_changes_nothing(path):
    once = synced(path)
    assert synced(path, once) == once
    assert synced(path, synced(path, fix=True), fix=True) == synced(path, fix=True)


@pytest.mark.parametrize("path", BAD_PAGES, ids=lambda p: p.name)
def test_body_never_changes_without_fix(path):
    text = path.read_text(encoding="utf-8")
    assert body_of(synced(path, text)) == body_of(text)


@pytest.mark.parametrize("case", ["deprecated_stub", "params_stub", "method_mismatch",
                                  "scope_mismatch", "api_mismatch", "replacement_mismatch",
                                  "pagination_mismatch", "returns_mismatch", "errors_mismatch",
                                  "missing_scope"])
def test_sync_resolves_what_lint_reports(tmp_path, case):
    page = tmp_path / "page.md"
    source = FIXTURES / "lint" / "bad" / f"{case}.md"
    page.write_text(synced(source), encoding="utf-8")
    (tmp_path / "_includes").mkdir()
    shutil.copy(FIXTURES / "lint" / "bad" / "_includes" / "system-errors.md", tmp_path / "_includes")
    assert not {f.code for f in lint_paths([page]).findings} - {"LINT301"}


def test_params_form_is_what_the_reader_reads():
    text = COMMENTED.read_text(encoding="utf-8")
    fm, _ = split(synced(COMMENTED, text), "x")
    methods, _ = read_markdown_text(text, COMMENTED, "x")
    from_table = [(p.name, p.type, p.item_type, p.required) for p in methods[0].params]
    from_front = [param_from_front_matter(item, None) for item in fm.data["params"]]
    assert [(p.name, p.type, p.item_type, p.required) for p in from_front] == from_table


def test_page_without_front_matter_gets_one(tmp_path):
    text = (FIXTURES / "import" / "docs" / "api-reference" / "widgets" / "widget-get.md"
            ).read_text(encoding="utf-8")
    page = FIXTURES / "import" / "docs" / "api-reference" / "widgets" / "widget-get.md"
    new = synced(page, text)
    assert new.startswith("---\nmethod: demo.widget.get\nscope: demo\napi: v2\n")
    assert new.endswith(text) and body_of(new) == text
    fm, problems = split(new, "x")
    assert not problems
    assert fm.data["params"][1] == {"name": "select", "type": "array", "required": False,
                                    "item_type": "string"}
    assert fm.data["errors"] == [{"code": "WIDGET_NOT_FOUND", "status": 400}]


def test_crlf_line_endings_are_kept():
    text = (FIXTURES / "lint" / "bad" / "deprecated_stub.md").read_text(encoding="utf-8")
    crlf = text.replace("\n", "\r\n")
    new = synced(FIXTURES / "lint" / "bad" / "deprecated_stub.md", crlf)
    assert "deprecated: true\r\n" in new and "\n" not in new.replace("\r\n", "")
    assert new.endswith(crlf[crlf.index("\r\n---\r\n") + 7:])


def test_fix_repairs_fences_and_nothing_else():
    path = FIXTURES / "lint" / "bad" / "fence_indented.md"
    text = path.read_text(encoding="utf-8")
    result = sync_text(text, path, "fence_indented.md", fix=True)
    assert [(d.code, d.position.line) for d in result.fixed] == [("YFM001", 60), ("YFM001", 66)]
    changed = [ln for ln in unified("x", body_of(text), body_of(result.new)).splitlines()
               if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert changed == ["-    ```", "+```", "-```", "+    ```"]
    assert not {f.code for f in lint_paths([path]).findings} - {"YFM001"}


def test_fix_on_seed_000(seeds, tmp_path):
    seed = sorted(seeds.glob("000_*.txt"))[0]
    page = tmp_path / "seed.md"
    text = seed.read_text(encoding="utf-8")
    page.write_text(synced(seed, text, fix=True), encoding="utf-8")
    fm, _ = split(page.read_text(encoding="utf-8"), "x")
    assert fm.data["deprecated"] is True and fm.data["pagination"] == "none"
    assert [p["name"] for p in fm.data["params"]] == ["TASKID"]
    assert fm.data["rate_limit_per_sec"] == 2 and fm.data["aliases"] == []
    left = {f.code for f in lint_paths([page]).findings}
    assert not left & {"YFM001", "YFM002", "LINT113", "LINT115", "SPEC006"}


def test_write_atomic_replaces_and_keeps_mode(tmp_path):
    target = tmp_path / "spec.md"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    write_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert (target.stat().st_mode & 0o777) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["spec.md"]


def b24gen(capsys, *args: str) -> Ran:
    """The CLI in-process (the way `b24gen` runs it, without a new interpreter)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return Ran(code, out, err)


def test_cli_check_then_write_then_check(capsys, tmp_path):
    page = tmp_path / "page.md"
    shutil.copy(FIXTURES / "lint" / "bad" / "deprecated_stub.md", page)
    before = page.read_bytes()
    check = b24gen(capsys, "sync", "--check", str(page))
    assert check.returncode == 1 and "+deprecated: true" in check.stdout
    assert page.read_bytes() == before
    assert b24gen(capsys, "sync", str(page)).returncode == 0
    assert b"deprecated: true" in page.read_bytes()
    assert b24gen(capsys, "sync", "--check", str(page)).returncode == 0
    assert b24gen(capsys, "sync", "--check", str(ROOT / "specs")).returncode == 0


def test_cli_refuses_broken_front_matter(capsys, tmp_path):
    page = tmp_path / "page.md"
    page.write_text("---\nmethod: demo.a.get\nscope: [demo\n---\n# T demo.a.get\n", encoding="utf-8")
    result = b24gen(capsys, "sync", str(page))
    assert result.returncode == 2 and "SPEC002" in result.stderr


def test_front_matter_ruamel_cannot_edit_is_reported(tmp_path):
    text = (FIXTURES / "lint" / "bad" / "deprecated_stub.md").read_text(encoding="utf-8")
    twice = text.replace("scope: demo\n", "scope: demo\nscope: demo\n", 1)
    result = sync_text(twice, tmp_path / "page.md", "page.md")
    assert [p.code for p in result.problems] == ["SYNC002"] and result.new == twice


# ---------------------------------------------------------------- fresh front matter

_WORDS = st.text(alphabet=st.sampled_from(list("abzAZ09_.-/(),;:'# \"\\ж\n")), max_size=12)
_SCALARS = st.none() | st.booleans() | st.integers(-5, 10**6) | _WORDS | st.sampled_from(
    ["string", "ACCESS_DENIED", "crm.deal.add", "true", "No", "null", "1.5", "a: b", "x #y",
     "- a", "sent by the page's code examples; the page's table", "UF_*", "y", "e1"])
_KEYS = st.sampled_from(["method", "scope", "name", "type", "required", "fields", "errors",
                         "code", "status", "description", "params", "returns"])


def _documents(depth: int = 2):
    values = _SCALARS
    if depth:
        inner = st.deferred(lambda: _documents(depth - 1))
        values = values | st.lists(inner, max_size=3) | inner | st.lists(_SCALARS, max_size=2)
    return st.dictionaries(_KEYS, values, max_size=4)


@settings(max_examples=500, deadline=None)
@given(doc=_documents())
def test_a_fresh_front_matter_is_written_as_ruamel_writes_it(doc):
    """`yamlrt.fresh` writes simple front matters itself; whatever it writes is
    byte for byte ruamel's dump (the rest it hands to ruamel)."""
    from generator.maintain import yamlrt

    if not doc:
        return
    expected = yamlrt.dump(yamlrt.make_yaml(), yamlrt.to_node(doc))
    assert yamlrt.fresh(doc) == expected


def test_a_front_matter_of_names_and_flags_is_written_without_ruamel(monkeypatch):
    from generator.maintain import yamlrt

    doc = {"method": "crm.deal.add", "api": "v2", "deprecated": False, "replacement": None,
           "params": [{"name": "fields", "type": "object", "required": True,
                       "fields": [{"name": "TITLE", "type": "string"}]}],
           "errors": [{"code": "ACCESS_DENIED", "status": 400}], "scopes": []}
    expected = yamlrt.dump(yamlrt.make_yaml(), yamlrt.to_node(doc))
    monkeypatch.setattr(yamlrt, "dump", lambda *a: pytest.fail("ruamel was used"))
    assert yamlrt.fresh(doc) == expected
