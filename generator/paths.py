"""Where and how a verb writes: inside its target folder (links and `..` resolved), one
file at a time by rename, with named steps that kill tests can stop a run at."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from functools import lru_cache
from pathlib import Path

KILL_AT = "B24GEN_TEST_KILL_AT"  # kill tests stop the process at a named step


@lru_cache(maxsize=65536)
def resolved(path: Path) -> Path:
    """`path.resolve()`, once per path in a run that asks for the same paths often
    (the links of every imported page)."""
    return path.resolve()


def files_below(
    root: Path, suffixes: tuple[str, ...], skip: tuple[str, ...]
) -> list[str]:
    """The files below `root` with one of `suffixes`, outside folders and files whose
    name starts with one of `skip`, as relative POSIX paths in `sorted(rglob())`
    order (part by part). Like `rglob`, it does not follow links to folders; a link
    to a file counts as the file."""
    return [rel for rel, _ in entries_below(root, suffixes, skip)]


def entries_below(
    root: Path, suffixes: tuple[str, ...], skip: tuple[str, ...]
) -> list[tuple[str, os.DirEntry[str]]]:
    """`files_below`, each with its directory entry (its `stat()` costs one call)."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    folders = [""]
    while folders:
        rel = folders.pop()
        try:
            with os.scandir(root / rel if rel else root) as listing:
                entries = list(listing)
        except OSError:  # unreadable, or gone meanwhile: as rglob, skipped
            continue
        for entry in entries:
            if entry.name.startswith(skip):
                continue
            path = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(path)
                elif entry.name.endswith(suffixes) and entry.is_file():
                    found.append((path, entry))
            except OSError:
                continue
    return sorted(found, key=lambda item: item[0].split("/"))


def is_inside(folder: Path, path: Path) -> bool:
    """Whether `path`, links and `..` resolved, lies below `folder` (not `folder`
    itself)."""
    real_folder, real_path = folder.resolve(), path.resolve()
    return real_path != real_folder and real_path.is_relative_to(real_folder)


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file next to `path`, then rename it over `path`: a reader
    (or a killed run) sees the old content or the new, never a part. Temporary files
    left by a killed run are removed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.name}."
    with os.scandir(path.parent) as listing:  # a glob compiled its pattern each time
        stale = [
            e.path
            for e in listing
            if e.name.startswith(prefix) and e.name[len(prefix) :].endswith(".tmp")
        ]
    for leftover in stale:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(leftover)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        checkpoint("file-written")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def checkpoint(step: str) -> None:
    if os.environ.get(KILL_AT) == step:
        os.kill(os.getpid(), signal.SIGKILL)
