"""Formatting of generated source with the pinned black.

Formatting is most of a large run's time (the whole English docs make 14 MB of
source), so files are formatted in parallel, and each result is kept in a cache
keyed by a hash of black's version, its mode and the text: an unchanged file of a
later run is not formatted again. The cache only ever saves time; a missing or
damaged entry is formatted anew.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import black
from black.mode import TargetVersion
from black.parsing import InvalidInput

MODE = black.Mode(target_versions={TargetVersion.PY311})
STUB_MODE = black.Mode(target_versions={TargetVersion.PY311}, is_pyi=True)
PARALLEL_ABOVE = 1_000_000  # characters; below this a pool costs more than it saves
BLACK_VERSION = importlib.metadata.version("black")
CACHE_ENV = "B24GEN_CACHE"  # a folder, or "off"


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


def cache_dir() -> Path | None:
    setting = os.environ.get(CACHE_ENV, "")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return Path(base) / "b24gen" / "black"


def _key(text: str, name: str) -> str:
    stub = name.endswith(".pyi")
    head = f"{BLACK_VERSION}\0{stub}\0{sorted(v.name for v in MODE.target_versions)}"
    return hashlib.sha256((head + "\0" + text).encode("utf-8")).hexdigest()


def _cached(folder: Path | None, key: str) -> str | None:
    if folder is None:
        return None
    try:
        return (folder / key[:2] / key).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _store(folder: Path | None, key: str, text: str) -> None:
    if folder is None:
        return
    try:
        target = folder / key[:2] / key
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _format_item(item: tuple[str, str]) -> str:
    name, text = item
    return format_source(text, name)


def format_all(files: dict[str, str]) -> dict[str, str]:
    """Every file of a plan formatted (the same result as `format_source` on each),
    from the cache where it can, the rest in parallel when there is much of it."""
    folder = cache_dir()
    out: dict[str, str] = {}
    todo: list[tuple[str, str, str]] = []
    for name, text in files.items():
        if not name.endswith((".py", ".pyi")):
            out[name] = text
            continue
        key = _key(text, name)
        hit = _cached(folder, key)
        if hit is not None:
            out[name] = hit
        else:
            todo.append((name, text, key))
    size = sum(len(t) for _, t, _ in todo)
    workers = min(os.cpu_count() or 1, len(todo))
    items = sorted(((n, t) for n, t, _ in todo), key=lambda i: -len(i[1]))
    if size > PARALLEL_ABOVE and workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_format_item, items))
    else:
        results = [_format_item(i) for i in items]
    keys = {n: k for n, _, k in todo}
    for (name, _), result in zip(items, results, strict=True):
        out[name] = result
        _store(folder, keys[name], result)
    return {name: out[name] for name in files}
