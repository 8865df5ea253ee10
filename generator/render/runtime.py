"""The runtime of the generated package: `generator/runtime/`, copied byte for byte."""

from __future__ import annotations

from importlib.resources import files

# Source-only modules: the generated package has them rendered from the specs instead.
RENDERED = frozenset({"__init__.py", "_version.py"})


def runtime_files() -> dict[str, str]:
    """{file name: text} of every runtime module the generated package copies."""
    folder = files("generator.runtime")
    return {
        entry.name: entry.read_bytes().decode("utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".py") and entry.name not in RENDERED
    }
