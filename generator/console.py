"""What the CLI shows a person at a terminal: colour for severities and diff sections,
and a progress bar for runs that take a while. Piped output, `CI=true` and `NO_COLOR`
get plain text and no bar, so logs and tools read exactly the lines they always did."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

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
    head, sep, rest = line.partition(": ")
    text = Text(head + sep, style="bold")
    code, space, message = rest.partition(" ")
    text.append(code, style=STYLES.get(severity, ""))
    text.append(space + message)
    console(stream).print(text)


def progress(
    items: Iterable[T], total: int, label: str, stream: TextIO | None = None
) -> Iterator[T]:
    """The items, with a bar on a terminal once the run has taken a second."""
    stream = stream or sys.stderr
    if not is_interactive(stream):
        yield from items
        return
    started = time.monotonic()
    bar: Progress | None = None
    task = None
    try:
        for done, item in enumerate(items):
            if bar is None and time.monotonic() - started > PROGRESS_AFTER:
                bar = Progress(
                    TextColumn(label),
                    BarColumn(),
                    MofNCompleteColumn(),
                    console=console(stream),
                    transient=True,
                )
                bar.start()
                task = bar.add_task(label, total=total, completed=done)
            yield item
            if bar is not None and task is not None:
                bar.advance(task)
    finally:
        if bar is not None:
            bar.stop()
