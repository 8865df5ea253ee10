"""Work spread over the machine's cores: one function mapped over many items in
worker processes, results in the order of the items, so the output never depends on
how many workers there were (`B24GEN_WORKERS=1` runs everything in this process).

Workers are spawned, and a spawned worker imports the program's main module again:
harmless for the `b24gen` command, which turns workers on (`allow`), but a script
calling the pipeline without a `__main__` guard would run itself once per worker. So
a program using b24gen as a library reads in one process unless it sets
`B24GEN_WORKERS` or calls `allow()`."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS_ENV = "B24GEN_WORKERS"
ITEMS_PER_WORKER = 150  # below this, starting a worker costs more than it saves


def cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_spawn() -> bool:
    """Whether a spawned worker can start: it imports the main module again, which a
    program read from standard input (`python - < script`) does not allow."""
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None):
        return True
    path = getattr(main, "__file__", None)
    return path is None or os.path.isfile(path)


_allowed = False


def allow() -> None:
    """Use one worker per core where it pays (the `b24gen` command does)."""
    global _allowed
    _allowed = True


# Generation-0 collections every 100,000 allocations instead of 700: a run builds
# hundreds of thousands of objects and keeps nearly all of them, so the collector's
# passes over them found nothing and took a quarter of a run's time (a cached run's
# pickle loading half of it). Cycles are still collected, only less often.
BATCH_GC = (100_000, 50, 1000)


def batch_gc() -> None:
    """Tune this process's garbage collector for a batch run (the command and its
    workers; a library program keeps its own setting)."""
    gc.set_threshold(*BATCH_GC)


def count_for(items: int) -> int:
    """Workers for `items` items: what `B24GEN_WORKERS` says, else (once allowed)
    one per core with enough items each; one where no worker could start."""
    if not can_spawn():
        return 1
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if setting.isdigit() and int(setting) > 0:
        return max(1, min(int(setting), items))
    if not _allowed:
        return 1
    return max(1, min(cores(), items // ITEMS_PER_WORKER))


def ordered_map(
    fn: Callable[[T], R],
    items: list[T],
    setup: Callable[..., None] | None = None,
    setup_args: tuple[Any, ...] = (),
) -> Iterator[R]:
    """`map(fn, items)`, over worker processes when there are enough items. `fn`
    (and `setup`, run first in each worker and here, with `setup_args`) must be
    module-level functions; the results come in the items' order as they are ready
    (a caller can show progress while it waits)."""
    workers = count_for(len(items))
    if setup is not None:
        setup(*setup_args)
    if workers == 1:
        yield from map(fn, items)
        return
    import multiprocessing  # a run in one process never loads it
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # spawn: workers start clean (no copy of a progress bar's thread or locks)
    context = multiprocessing.get_context("spawn")
    chunk = max(1, len(items) // (workers * 8))
    done = 0
    try:
        with ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=start_worker,
            initargs=(gc.get_threshold(), setup, setup_args),
        ) as pool:
            for result in pool.map(fn, items, chunksize=chunk):
                done += 1
                yield result
    except BrokenProcessPool:
        # A worker could not start (a script without a `__main__` guard re-runs
        # itself) or was killed: the rest is done here, the same way.
        yield from map(fn, items[done:])


def start_worker(
    threshold: tuple[int, int, int],
    setup: Callable[..., None] | None,
    setup_args: tuple[Any, ...],
) -> None:
    """A worker collects garbage as its parent does, then runs the caller's setup."""
    gc.set_threshold(*threshold)
    if setup is not None:
        setup(*setup_args)


def paced(results: Iterator[R], walk: Iterable[object]) -> Iterator[R]:
    """The results, advancing `walk` (a progress walker over the same items) by one
    for each."""
    for result, _ in zip(results, walk, strict=True):
        yield result
