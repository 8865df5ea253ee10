"""What the CLI shows a person at a terminal: colour for severities and diff sections,
and a progress bar for runs that take a while. Piped output, `CI=true` and `NO_COLOR`
get plain text and no bar, so logs and tools read exactly the lines they always did.

Progress is counted through one interface, `Progress`: `progress(total, label)` is a
context manager yielding `advance(n=1)`. Code that does the work (the pipeline, a tree
walk) takes a `Progress` argument defaulting to `no_progress` and never imports rich
itself; the CLI passes `progress` (or `no_progress` under `--quiet`)."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Protocol, TextIO, TypeVar

if TYPE_CHECKING:  # rich is imported when a person is to see colour or a bar
    from rich.console import Console
    from rich.progress import Progress as Bar

T = TypeVar("T")
STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
# Seconds before a bar appears: shorter runs finish before it would help (tests set 0).
PROGRESS_AFTER = float(os.environ.get("B24GEN_PROGRESS_AFTER", "1.0"))


def is_interactive(stream: TextIO) -> bool:
    """A person is watching: a terminal, not CI, colour not turned off."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        return False
    if "NO_COLOR" in os.environ:
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def console(stream: TextIO) -> Console:
    from rich.console import Console

    interactive = is_interactive(stream)
    return Console(
        file=stream,
        force_terminal=interactive,
        no_color=not interactive,
        highlight=False,
        soft_wrap=True,
    )


def finding_line(line: str, severity: str, stream: TextIO | None = None) -> None:
    """One `path:line:col: CODE message (hint)` line, coloured by severity when a
    person reads it (on standard error unless `stream` is given)."""
    stream = stream or sys.stderr
    if not is_interactive(stream):
        print(line, file=stream)
        return
    from rich.text import Text

    head, sep, rest = line.partition(": ")
    text = Text()
    text.append(head + sep, style="bold")
    code, space, message = rest.partition(" ")
    text.append(code, style=STYLES.get(severity, ""))
    text.append(space + message)
    console(stream).print(text)


def verdict(line: str, ok: bool, stream: TextIO | None = None) -> None:
    """A line that says whether a run passed: green when it did, red when not, for a
    person (on standard output unless `stream` is given)."""
    stream = stream or sys.stdout
    if not is_interactive(stream):
        print(line, file=stream)
        return
    from rich.text import Text

    console(stream).print(Text(line, style="green" if ok else "bold red"))


# ---------------------------------------------------------------- the changelog

CHANGE_STYLES = {
    "title": "bold",
    "breaking": "bold red",
    "not breaking": "bold yellow",
    "docs only": "bold cyan",
    "scope": "bold",
    "added": "green",
    "removed": "red",
    "changed": "yellow",
}
SECTION = re.compile(r"## (Breaking|Not breaking|Docs only) \(\d+\)$")


def change_style(line: str) -> str:
    """The style of one line of `b24gen diff`'s Markdown changelog: headings by
    section (breaking, not breaking, docs only, scope), items by what happened
    (added, removed, otherwise changed); '' for the rest."""
    if section := SECTION.match(line):
        return CHANGE_STYLES[section[1].lower()]
    if line.startswith("### "):
        return CHANGE_STYLES["scope"]
    if line.startswith("# "):
        return CHANGE_STYLES["title"]
    if not line.startswith("- "):
        return ""
    # what happened, after the method's name, without the names it quotes
    what = re.sub(r"`[^`]*`", "", line.partition(": ")[2])
    for kind in ("removed", "added"):
        if re.search(rf"\b{kind}\b", what):
            return CHANGE_STYLES[kind]
    return CHANGE_STYLES["changed"]


def changelog(text: str, stream: TextIO | None = None) -> None:
    """The diff's changelog as written, its sections and items coloured for a
    person; exactly `text` when piped."""
    stream = stream or sys.stdout
    if not is_interactive(stream):
        stream.write(text)
        return
    from rich.text import Text

    out = console(stream)
    for line in text.splitlines():
        out.print(Text(line, style=change_style(line)))


# ---------------------------------------------------------------- progress


class Advance(Protocol):
    """Count `n` more items done."""

    def __call__(self, n: int = 1) -> None: ...


class Progress(Protocol):
    """`with progress(total, label) as advance: ... advance()`: how work that takes
    a while reports itself."""

    def __call__(self, total: int, label: str) -> AbstractContextManager[Advance]: ...


@contextmanager
def no_progress(total: int, label: str) -> Iterator[Advance]:
    """A `Progress` that shows nothing (the default of the code that does the work,
    and what `--quiet` passes)."""

    yield ignore


def ignore(n: int = 1) -> None:
    """An `Advance` that counts nothing."""


@contextmanager
def progress(total: int, label: str, stream: TextIO | None = None) -> Iterator[Advance]:
    """A `Progress` with a bar (`label`, bar, done/total) on a terminal once the run
    has taken `PROGRESS_AFTER` seconds; nothing when piped, in CI or with NO_COLOR.
    While the bar shows, lines printed go above it (standard output only when it is
    the terminal too, so a redirected output keeps all of its lines)."""
    stream = stream or sys.stderr
    if not is_interactive(stream):
        yield ignore
        return
    started = time.monotonic()
    done = 0
    bar: Bar | None = None

    def shown() -> Bar | None:
        nonlocal bar
        if bar is None and time.monotonic() - started >= PROGRESS_AFTER:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
            )

            bar = Progress(
                TextColumn(label),
                BarColumn(),
                MofNCompleteColumn(),
                console=console(stream),
                transient=True,
                redirect_stdout=is_interactive(sys.stdout),
            )
            bar.add_task(label, total=total, completed=done)
            bar.start()
        return bar

    def advance(n: int = 1) -> None:
        nonlocal done
        done += n
        if (b := shown()) is not None:
            b.update(b.task_ids[0], completed=done)

    try:
        shown()
        yield advance
    finally:
        if bar is not None:
            bar.stop()


def walk(
    items: Iterable[T],
    total: int,
    label: str,
    counter: Progress = progress,
) -> Iterator[T]:
    """The items, counted by `counter` (a bar on a terminal) as each is done."""
    with counter(total, label) as advance:
        for item in items:
            yield item
            advance()
