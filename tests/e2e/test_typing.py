"""The generated seed package under `mypy --strict`: the package itself and a file of
calls (tests/e2e/typing/client_calls.py) whose right calls pass and whose mistakes are
reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
