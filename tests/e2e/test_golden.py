"""The generated tree for tests/fixtures/specs, byte for byte (update: make goldens).

The runtime modules are not kept a third time: the test checks that each is the source
in generator/runtime/ byte for byte, and keeps only the rendered files as goldens."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

from generator.pipeline import load_specs
from generator.render import PACKAGE, plan
from generator.render.runtime import runtime_files

FIXTURE_SPECS = Path(__file__).parents[1] / "fixtures" / "specs"
GOLDEN = Path(__file__).parents[1] / "golden" / "specs"


RUNTIME = {f"{PACKAGE}/{name}" for name in runtime_files()}


def planned() -> dict[str, str]:
    loaded = load_specs(FIXTURE_SPECS)
    assert not loaded.errors, [p.format() for p in loaded.errors]
    return plan(loaded.methods, loaded.specs)


def test_runtime_is_copied_byte_for_byte():
    files = planned()
    runtime = Path(__file__).parents[2] / "generator" / "runtime"
    assert RUNTIME, "the runtime has modules"
    for rel in sorted(RUNTIME):
        assert files[rel] == (runtime / rel.split("/")[-1]).read_text(encoding="utf-8"), rel
    assert f"{PACKAGE}/__init__.py" in files and f"{PACKAGE}/_version.py" in files
    assert "0+source" not in files[f"{PACKAGE}/_version.py"]


def test_generated_tree_matches_golden(update_goldens):
    files = {rel: text for rel, text in planned().items() if rel not in RUNTIME}
    if update_goldens:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in files.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(text.encode("utf-8"))
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
              for p in sorted(GOLDEN.rglob("*")) if p.is_file()}
    assert sorted(golden) == sorted(files), "file sets differ (run `make goldens` if intended)"
    diffs = []
    for rel, text in files.items():
        if golden[rel] != text:
            diffs.extend(difflib.unified_diff(golden[rel].splitlines(True), text.splitlines(True),
                                              f"golden/{rel}", f"generated/{rel}"))
    assert not diffs, "generated output differs from golden:\n" + "".join(diffs)


def test_fixture_package_imports_and_exposes_every_method(tmp_path):
    """The fixture tree is not only text: it imports, and each method is reachable."""
    import subprocess
    import sys

    for rel, text in planned().items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    probe = (
        "import b24client\n"
        "b = b24client.Bitrix24.from_webhook('https://p.example/rest/1/s/')\n"
        "assert callable(b.profile) and callable(b.demo.item) and callable(b.demo.item.get)\n"
        "assert callable(b.v3.demo.item.update)\n"
        "a = b24client.AsyncBitrix24.from_webhook('https://p.example/rest/1/s/')\n"
        "assert callable(a.profile)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def test_black_leaves_every_generated_file_unchanged():
    """The templates write black's layout (render/layout.py); nothing formats the
    output at run time, so the pinned black must find nothing to change."""
    from generator.render.format import format_source

    changed = [rel for rel, text in planned().items() if format_source(text, rel) != text]
    assert not changed, f"black would reformat: {changed}"
