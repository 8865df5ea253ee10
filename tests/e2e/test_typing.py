"""The generated seed package under `mypy --strict`: the package itself and a file of
calls (tests/e2e/typing/client_calls.py) whose right calls pass and whose mistakes are
reported; and under pyright's strict mode, the runtime modules (generator/runtime/, as
the package copies them) included.

The full-docs package gets the same checks in tests/e2e/test_full_docs.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.pipeline import load_specs
from generator.render import PACKAGE, plan
from generator.render.runtime import runtime_files

ROOT = Path(__file__).resolve().parents[2]
CALLS = Path(__file__).parent / "typing" / "client_calls.py"


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    """mypy in strict mode with no project configuration, run in generated/ so that
    `b24client` is the committed generated package."""
    command = [sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores",
               "--enable-error-code", "deprecated",
               "--config-file", "/dev/null", "--cache-dir", "/dev/null", *args]
    return subprocess.run(command, cwd=ROOT / "generated", capture_output=True, text=True)


def test_generated_package_passes_mypy_strict():
    result = mypy("-p", "b24client")
    assert result.returncode == 0, result.stdout + result.stderr


def test_calls_are_typed_and_mistakes_flagged():
    result = mypy(str(CALLS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_seed_package_passes_pyright_strict(tmp_path):
    """The seed package rendered from specs/ (its runtime modules are generator/runtime/
    as it is now, not the committed copy) with no pyright finding in strict mode."""
    binary = Path(sys.executable).parent / "pyright"
    if not binary.exists():
        pytest.skip("pyright is not installed (pip install -e '.[dev]')")
    loaded = load_specs(ROOT / "specs")
    assert not loaded.errors, [p.format() for p in loaded.errors]
    files = plan(loaded.methods, loaded.specs)
    assert {f"{PACKAGE}/{name}" for name in runtime_files()} <= set(files)
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(text.encode("utf-8"))
    config = {"typeCheckingMode": "strict", "pythonVersion": "3.11",
              "include": [PACKAGE], "reportUnnecessaryTypeIgnoreComment": "error"}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))
    result = subprocess.run([str(binary), "--pythonpath", sys.executable], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr
    assert "0 errors" in result.stdout
