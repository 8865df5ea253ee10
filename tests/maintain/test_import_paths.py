"""`import` writes nothing outside `--to`: hostile scopes and method names are refused
by the reader's name check, and a linked folder below `--to` is not followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.maintain.importer import import_sources

PAGE = """---
method: {method}
scope: {scope}
---
# Demo {method}

Does a demo thing.

## Parameters

#|
|| **Name**
`type` | **Description** ||
|| **id***
[`integer`](#) | Identifier ||
|#
"""


def page(tmp_path: Path, method: str, scope: str) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    path = docs / "page.md"
    path.write_text(PAGE.format(method=method, scope=scope), encoding="utf-8")
    return docs


def written_outside(tmp_path: Path, to: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*.md")
            if p.is_file() and not p.resolve().is_relative_to(to.resolve())
            and p.parent.name != "docs"]


@pytest.mark.parametrize("method, scope", [
    ("demo.item.get", "/tmp/evil"),
    ("demo.item.get", "../../evil"),
    ("../../evil.get", "demo"),
    ('"demo.get\\nimport os"', "demo"),
    ("demo.get", '"demo\\nx"'),
])
def test_hostile_names_write_nothing_outside(tmp_path, method, scope):
    to = tmp_path / "specs"
    run = import_sources([page(tmp_path, method, scope)], to)
    assert written_outside(tmp_path, to) == []
    assert not run.results
    assert {p.code for p in run.problems} & {"SPEC010", "SPEC002"}


def test_a_linked_folder_below_to_is_not_followed(tmp_path):
    to = tmp_path / "specs"
    to.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, to / "demo")
    run = import_sources([page(tmp_path, "demo.item.get", "demo")], to)
    assert list(elsewhere.iterdir()) == []
    assert [p.code for p in run.problems] == ["OUT005"]


def test_a_file_as_to_is_refused(tmp_path):
    to = tmp_path / "README.md"
    to.write_text("mine\n")
    run = import_sources([page(tmp_path, "demo.item.get", "demo")], to)
    assert [p.code for p in run.problems] == ["OUT001"] and to.read_text() == "mine\n"
