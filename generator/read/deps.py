"""What a page depends on besides its own bytes, and how a page is named in
messages; kept apart from the readers so that a run with nothing to read does not
load them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path


def display_path(path: Path) -> str:
    """A path as the user wrote it (a file found below a named folder: that folder as
    written, then the rest), never rewritten relative to the working folder."""
    return str(path)


# The files besides the page that shaped what was read of it (includes, present or
# not, and linked pages whose titles were read), while a caller collects them
# (`collecting_includes`): a run's inputs are its pages and these, wherever they lie.
INCLUDES_READ: ContextVar[set[Path] | None] = ContextVar("INCLUDES_READ", default=None)


def depends_on(*paths: Path) -> None:
    collector = INCLUDES_READ.get()
    if collector is not None:
        collector.update(paths)


@contextmanager
def collecting_includes() -> Iterator[set[Path]]:
    seen: set[Path] = set()
    token = INCLUDES_READ.set(seen)
    try:
        yield seen
    finally:
        INCLUDES_READ.reset(token)
