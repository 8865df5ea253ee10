"""Formatting of generated source with the pinned black."""

from __future__ import annotations

import black
from black.mode import TargetVersion
from black.parsing import InvalidInput

MODE = black.Mode(target_versions={TargetVersion.PY311})
STUB_MODE = black.Mode(target_versions={TargetVersion.PY311}, is_pyi=True)


class RenderError(Exception):
    """A template produced source that does not parse: a generator bug, never user
    input."""


def format_source(text: str, name: str) -> str:
    if not name.endswith((".py", ".pyi")):
        return text
    try:
        return black.format_str(text, mode=STUB_MODE if name.endswith(".pyi") else MODE)
    except InvalidInput as exc:
        raise RenderError(f"{name}: generated source does not parse: {exc}") from None
