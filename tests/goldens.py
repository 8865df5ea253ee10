"""Golden files for the spec verbs: compare, or rewrite with `pytest --update-goldens`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(rel: str, text: str, update: bool) -> None:
    path = GOLDEN / rel
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.is_file(), f"{path} missing: run pytest --update-goldens"
    expected = path.read_bytes().decode("utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                        f"golden/{rel}", "actual"))
    assert not diff, f"output differs from golden/{rel} (pytest --update-goldens if intended):\n{diff}"


@dataclass
class Ran:
    """What a CLI run gave: exit code and output."""

    returncode: int
    stdout: str
    stderr: str
