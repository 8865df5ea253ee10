"""Readers: every input form becomes IR Methods plus Diagnostics (never exceptions)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from generator import workers
from generator.diagnostics import Diagnostic, Position, diagnostic
from generator.ir import Method
from generator.paths import files_below
from generator.read import names
from generator.read.cache import Head, PageCache
from generator.read.deps import INCLUDES_READ, collecting_includes, display_path

FORMATS = ("markdown", "pipe", "blank")
SUFFIXES = (".md", ".txt")
SKIP = ("_", ".")  # folders (and files) that hold includes or are hidden


def sniff(text: str) -> str:
    """Guess the input form: YFM markdown, pipe-scraped or blank-line-scraped text."""
    head = text.lstrip("\ufeff")
    if head.startswith("---\n") or "\n#| " in head or "\n#|\n" in head or "{% " in head:
        return "markdown"
    if any(line.startswith("# ") for line in head.split("\n", 40)[:40]):
        return "markdown"
    if "\n|\n" in head:
        return "pipe"
    return "blank"


def expand(paths: list[Path]) -> list[Path]:
    """Files named, and the .md/.txt files below folders named, in a stable order.
    Folders whose name starts with '_' hold includes, not pages."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(path / rel for rel in files_below(path, SUFFIXES, SKIP))
        else:
            out.append(path)
    return out


def pages_among(root: Path, found: Iterable[str]) -> dict[str, Path]:
    """`expand([root])` by relative path, from the relative paths of a scan of the
    folder `root` that holds every page (`inputs.signatures`): one walk, not two."""
    pages = [
        rel
        for rel in found
        if rel.endswith(SUFFIXES)
        and not any(p.startswith(SKIP) for p in rel.split("/"))
    ]
    return {rel: root / rel for rel in sorted(pages, key=lambda rel: rel.split("/"))}


def read_file(
    path: Path, fmt: str | None = None, display: str | None = None
) -> tuple[list[Method], list[Diagnostic]]:
    from generator.read.markdown import read_file_text, read_markdown_text

    display = display or display_path(path)
    text, problems = read_file_text(path, display)
    if text is None:
        return [], problems
    fmt = fmt or sniff(text)
    if fmt == "markdown":
        methods, problems = read_markdown_text(text, path, display)
    else:
        from generator.read import scraped

        methods, problems = scraped.read_scraped_text(text, path, display, fmt)
    return with_checked_names(methods, problems, display)


def with_checked_names(
    methods: list[Method], problems: list[Diagnostic], display: str
) -> tuple[list[Method], list[Diagnostic]]:
    kept: list[Method] = []
    for method in methods:
        good, found = names.checked(method, display)
        problems = problems + found
        if good is not None:
            kept.append(good)
    return kept, problems


Each = Callable[[list[Path]], Iterable[Path]]  # how a caller walks the files (a bar)


def every(files: list[Path]) -> Iterable[Path]:
    return files


def read_paths(
    paths: list[Path],
    fmt: str | None = None,
    each: Each = every,
    cache: PageCache | None = None,
) -> tuple[list[Method], list[Diagnostic]]:
    """The methods of the files named and of the pages below the folders named."""
    return read_pages(expand(paths), fmt, each, cache)


def read_pages(
    files: list[Path],
    fmt: str | None = None,
    each: Each = every,
    cache: PageCache | None = None,
) -> tuple[list[Method], list[Diagnostic]]:
    """The methods of `files` (each once, SPEC008 for a method documented again)."""
    methods: list[Method] = []
    problems: list[Diagnostic] = []
    jobs: list[Job] = [(path, fmt, None) for path in files]
    for found, diags in read_files(jobs, each, cache):
        problems.extend(diags)
        methods.extend(found)
    unique, duplicates = duplicate_methods(methods)
    return unique, problems + duplicates


Job = tuple[Path, str | None, str | None]  # a file, its form (None: sniffed), display
Read = tuple[list[Method], list[Diagnostic]]
# What a caller makes of each page's methods, where the page is read (a worker) and
# before the page cache keeps them; a module-level function (workers pickle it).
Finish = Callable[[list[Method]], list[Method]]
# A caller's digest of a page's methods, kept in the page's cache head.
Summarize = Callable[[list[Method]], str]


@dataclass
class Page:
    """One page of a run: its head, and its methods when they were read (None: as
    the page cache keeps them, not unpickled yet; `load_page`)."""

    display: str
    head: Head
    found: list[Method] | None


def read_files(
    jobs: list[Job], each: Each = every, cache: PageCache | None = None
) -> Iterator[Read]:
    """What each file holds, in the jobs' order (`read_each`, every page loaded)."""
    for page in read_each(jobs, each, cache):
        yield load_page(page, cache), page.head.problems


def read_each(
    jobs: list[Job],
    each: Each = every,
    cache: PageCache | None = None,
    finish: Finish | None = None,
    summarize: Summarize | None = None,
) -> Iterator[Page]:
    """Each file's page, in the jobs' order, read over the machine's cores when
    there are many (generator/workers.py), and from `cache` where a page is as it
    was (its methods left pickled); the files a page includes are reported to the
    collector of this process (`collecting_includes`). A cache holds pages as
    `finish` left them and summed up by `summarize`: one cache serves one way of
    finishing (`inputs.request_key` tells specs from docs)."""
    collector = INCLUDES_READ.get()
    known: dict[int, tuple[Head, set[Path]]] = {}
    shown = [display or display_path(path) for path, _, display in jobs]
    if cache is not None:
        for i, (path, _, _) in enumerate(jobs):
            hit = cache.head(path, shown[i])
            if hit is not None and (summarize is None or hit[0].summary):
                known[i] = hit
    todo = [job for i, job in enumerate(jobs) if i not in known]
    fresh = workers.ordered_map(partial(read_job, finish=finish), todo)
    walk = iter(each([path for path, _, _ in jobs]))
    for i, job in enumerate(jobs):
        next(walk, None)
        found: list[Method] | None = None
        if i in known:
            head, included = known[i]
        else:
            found, problems, included = next(fresh)
            keys = tuple(m.key for m in found)
            head = Head(keys, problems, summarize(found) if summarize else "")
            if cache is not None:
                cache.put(job[0], shown[i], included, found, head)
        if collector is not None:
            collector.update(included)
        yield Page(shown[i], head, found)
    next(walk, None)  # the walker's end (a bar closes)


class CacheDamaged(Exception):
    """A page the cache vouched for (`PageCache.head`) cannot be unpickled. Reading
    it now might find it changed since the run began, so the caller runs again
    without the cache instead."""


def load_page(page: Page, cache: PageCache | None) -> list[Method]:
    """The page's methods: as read, else from the cache."""
    if page.found is None:
        page.found = cache.methods(page.display) if cache is not None else None
        if page.found is None:
            raise CacheDamaged(page.display)
    return page.found


def read_job(
    job: Job, finish: Finish | None = None
) -> tuple[list[Method], list[Diagnostic], set[Path]]:
    path, fmt, display = job
    with collecting_includes() as included:
        found, problems = read_file(path, fmt, display)
    return (finish(found) if finish else found), problems, included


def duplicate_methods(methods: list[Method]) -> tuple[list[Method], list[Diagnostic]]:
    """The first record of each method (name and api), and a SPEC008 for every later
    one."""
    seen: dict[tuple[str, str], Method] = {}
    problems: list[Diagnostic] = []
    for m in methods:
        first = seen.get(m.key)
        if first is not None:
            problems.append(
                diagnostic(
                    "SPEC008",
                    m.position or Position(file_of(m), 1, 1),
                    f"duplicate method {m.method} ({m.api})",
                    f"already defined at {first.position or file_of(first)}",
                )
            )
            continue
        seen[m.key] = m
    return list(seen.values()), problems


def file_of(m: Method) -> str:
    """The file a record was read from; "?" for records made without a source."""
    return m.source.path if m.source else "?"
