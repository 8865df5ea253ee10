"""The pinned black, the reference style of the generated package.

The templates write black's layout themselves (render/layout.py), so a run does not
format its output; black is called here only for a statement the layout module does
not promise to lay out as black would, and by the tests, which hold every generated
file to it.
"""

from __future__ import annotations

from typing import Any


class RenderError(Exception):
    """A template produced source that does not parse: a generator bug, never user
    input."""


def mode(stub: bool) -> Any:
    """black's mode for the output (imported here: a run seldom needs black)."""
    import black
    from black.mode import TargetVersion

    return black.Mode(target_versions={TargetVersion.PY311}, is_pyi=stub)


def format_source(text: str, name: str) -> str:
    if not name.endswith((".py", ".pyi")):
        return text
    import black
    from black.parsing import InvalidInput

    try:
        return black.format_str(text, mode=mode(name.endswith(".pyi")))
    except InvalidInput as exc:
        raise RenderError(f"{name}: generated source does not parse: {exc}") from None
