"""`b24gen mock`: serve the runtime's mock portal over the facts of the specs.

The portal is the runtime's `testing` module, run from source with the mock data the
generator would render (`mockdata.json`), so what `b24gen mock` serves is what users of
the generated package get in their tests, without rendering a package first.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from generator.pipeline import Loaded, load_docs, load_specs
from generator.render.model import mock_data
from generator.runtime.testing import MockPortal


def prepare(specs: Path | None = None, docs: Path | None = None) -> Loaded:
    """The methods of a specs folder (as regenerate reads them) or of a docs tree; the
    caller reports the problems."""
    return load_docs(docs) if docs is not None else load_specs(specs or Path("specs"))


def describe(portal: MockPortal) -> str:
    ca = getattr(portal, "ca_path", None)
    return (
        f"b24gen: mock portal on {portal.url} ({len(portal.methods)} methods)\n"
        f"b24gen: webhook {portal.webhook_url}\n"
        + (f"b24gen: certificate authority {ca}\n" if ca else "")
        + "b24gen: press Ctrl+C to stop"
    )


def interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Let `kill` end the server as Ctrl+C does (signals only reach the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    loaded: Loaded,
    *,
    port: int,
    options: dict[str, Any],
    announce: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Serve until interrupted (Ctrl+C, SIGTERM) or until `stop` is set."""
    stop = stop or threading.Event()
    with MockPortal(mock_data(loaded.methods), port=port, **options) as portal:
        with sigterm_as_interrupt():
            announce(describe(portal))
            try:
                while not stop.wait(0.2):
                    pass
            except KeyboardInterrupt:
                pass
