"""Specs written to inject code: whatever their names, paths and texts hold, the
generated modules define only what the IR asks for. Each module's AST is walked: at
module level only imports, the docstring, class definitions and the assignments and
registrations the templates make; in a class only methods, properties and the
documented constants; and importing the package runs nothing else."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.pipeline import load_specs
from generator.render import plan
from generator.render.runtime import runtime_files

ROOT = Path(__file__).resolve().parents[2]
MARKER = "PWNED_MARKER_FILE"
PAYLOAD = f'\nimport pathlib; pathlib.Path("{MARKER}").write_text("x")\n'

SPEC = """---
method: {method}
scope: demo
---

# Title {method}

A description that tries to leave its docstring: \"\"\" {payload} \"\"\" and '''{payload}'''
and a backslash at the end \\

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **itemId***
[`integer`](#) | Closes quotes \"\"\"; {payload} ||
|| **x\"):{payload}#**
[`string`](#) | A name built to break out ||
|#

## Error Handling

#|
|| **Code** | **Description** ||
|| `BAD\"CODE` | A code with a quote {payload} ||
|#
"""

# Module-level statements the templates may emit, by node type.
ALLOWED_TOP = (ast.Import, ast.ImportFrom, ast.ClassDef, ast.Assign, ast.AnnAssign)


@pytest.fixture
def hostile_specs(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "tests" / "fixtures" / "specs" / "_includes", specs / "_includes")
    folder = specs / f"demo{PAYLOAD}"
    folder.mkdir(parents=True)
    for i, name in enumerate(["demo.evil.get", "demo.evil.list"]):
        text = SPEC.format(method=name, payload=PAYLOAD.strip())
        (folder / f"{name}{PAYLOAD if i == 0 else ''}.md").write_text(text, encoding="utf-8")
    return specs


def planned(specs: Path) -> dict[str, str]:
    loaded = load_specs(specs)
    assert not loaded.errors, [p.format() for p in loaded.errors]
    return plan(loaded.methods, loaded.specs)


def test_generated_modules_hold_only_definitions(hostile_specs):
    files = planned(hostile_specs)
    assert "demo.evil.get" in files["b24client/_specs.py"]
    copied = {f"b24client/{name}" for name in runtime_files()}  # not from the specs
    for rel, text in files.items():
        if not rel.endswith((".py", ".pyi")) or rel in copied:
            continue
        tree = ast.parse(text, filename=rel)
        for node in tree.body:
            if isinstance(node, ast.Expr):
                assert isinstance(node.value, ast.Constant | ast.Call), (rel, ast.dump(node))
                if isinstance(node.value, ast.Call):  # register_errors(...), register_specs(...)
                    assert ast.unparse(node.value.func).startswith("register_"), (rel, ast.unparse(node))
                continue
            if isinstance(node, ast.If):  # `if TYPE_CHECKING:` imports for the stubs
                assert ast.unparse(node.test) == "TYPE_CHECKING" and not node.orelse, rel
                assert all(isinstance(n, ast.Import | ast.ImportFrom) for n in node.body), rel
                continue
            assert isinstance(node, ALLOWED_TOP), (rel, ast.unparse(node)[:200])
        assert MARKER not in ast.unparse(without_text(tree)), rel  # only inside strings


def without_text(tree: ast.Module) -> ast.Module:
    """The module with every string constant emptied: what is left is code."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return tree


def test_importing_the_package_runs_nothing_else(hostile_specs, tmp_path):
    out = tmp_path / "out"
    for rel, text in planned(hostile_specs).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    probe = ("import pkgutil, importlib, b24client\n"
             "for m in pkgutil.walk_packages(b24client.__path__, 'b24client.'):\n"
             "    importlib.import_module(m.name)\n"
             "b = b24client.Bitrix24.from_webhook('https://p.example/rest/1/s/')\n"
             "print(sorted(n for n in dir(b.demo.evil) if not n.startswith('_')))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=out, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert not (out / MARKER).exists() and not (ROOT / MARKER).exists()
    assert result.stdout.strip() == "['get', 'list']"
