"""`b24gen mock`: render the package from the specs and serve its mock portal.

The portal itself is generated code (`b24client/testing.py`), so what `b24gen mock` serves
is exactly what users of the package get in their tests.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

from generator.pipeline import Loaded, load_specs
from generator.render import plan
from generator.render.write import write_tree

MODULE_NAME = "_b24gen_mock_testing"


def prepare(specs: Path) -> Loaded:
    """The specs as regenerate reads them; the caller reports the problems."""
    return load_specs(specs)


def render_package(loaded: Loaded, folder: Path) -> Path:
    """Write the generated package into `folder`; returns the path of its testing module."""
    write_tree(folder, plan(loaded.methods, loaded.specs))
    return folder / "b24client" / "testing.py"


def import_testing(path: Path) -> ModuleType:
    """Load the rendered testing module on its own: it needs only the standard library and
    the mockdata.json next to it, not the rest of the package."""
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def describe(portal: Any) -> str:
    return (
        f"b24gen: mock portal on {portal.url} ({len(portal.methods)} methods)\n"
        f"b24gen: webhook {portal.webhook_url}\n"
        "b24gen: press Ctrl+C to stop"
    )


def interrupt(signum: int, frame: Any) -> None:
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
    with tempfile.TemporaryDirectory(prefix="b24gen-mock-") as tmp:
        testing = import_testing(render_package(loaded, Path(tmp) / "generated"))
        with testing.MockPortal(port=port, **options) as portal:
            with sigterm_as_interrupt():
                announce(describe(portal))
                try:
                    while not stop.wait(0.2):
                        pass
                except KeyboardInterrupt:
                    pass
