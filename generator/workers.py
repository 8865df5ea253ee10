"""Work spread over the machine's cores: one function mapped over many items in
worker processes, results in the order of the items, so the output never depends on
how many workers there were (`B24GEN_WORKERS=1` runs everything in this process)."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
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


def count_for(items: int) -> int:
    """Workers for `items` items: what `B24GEN_WORKERS` says, else one per core
    with enough items each; one where no worker could start."""
    if not can_spawn():
        return 1
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if setting.isdigit() and int(setting) > 0:
        return max(1, min(int(setting), items))
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
    # spawn: workers start clean (no copy of a progress bar's thread or locks)
    context = multiprocessing.get_context("spawn")
    chunk = max(1, len(items) // (workers * 8))
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=setup, initargs=setup_args
    ) as pool:
        yield from pool.map(fn, items, chunksize=chunk)


def paced(results: Iterator[R], walk: Iterable[object]) -> Iterator[R]:
    """The results, advancing `walk` (a progress walker over the same items) by one
    for each."""
    for result, _ in zip(results, walk, strict=True):
        yield result
