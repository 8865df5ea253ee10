"""The tree walk: every page of a docs tree judged, counted by category.

Nothing here raises: a page whose reading throws becomes a CONF000 finding with the
page's position, so one reader bug costs one page, not the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.conformance.judging import PageResult, compare_page
from generator.diagnostics import Diagnostic, Position, diagnostic
from generator.ir import Method
from generator.read import Each, every


@dataclass(frozen=True)
class CategoryStats:
    category: str
    pages: int = 0
    method_pages: int = 0
    complete: int = 0
    param_rows: int = 0
    error_rows: int = 0

    @property
    def incomplete(self) -> int:
        return self.method_pages - self.complete


@dataclass(frozen=True)
class TreeReport:
    root: str
    pages: tuple[PageResult, ...] = ()

    @property
    def method_pages(self) -> int:
        return sum(1 for p in self.pages if p.method_page)

    @property
    def complete(self) -> int:
        return sum(1 for p in self.pages if p.method_page and p.complete)

    @property
    def crashes(self) -> int:
        return sum(1 for p in self.pages for f in p.findings if f.code == "CONF000")

    @property
    def ratio(self) -> float:
        return self.complete / self.method_pages if self.method_pages else 1.0

    @property
    def methods(self) -> list[Method]:
        return [p.method for p in self.pages if p.method is not None]

    def categories(self) -> list[CategoryStats]:
        stats: dict[str, CategoryStats] = {}
        for p in self.pages:
            stats[p.category] = counted(stats.get(p.category), p)
        return [stats[k] for k in sorted(stats)]

    def findings(self) -> list[Diagnostic]:
        return [f for p in self.pages for f in p.findings]


def counted(stats: CategoryStats | None, page: PageResult) -> CategoryStats:
    """The category's counts with one more page."""
    s = stats or CategoryStats(page.category)
    return CategoryStats(
        page.category,
        s.pages + 1,
        s.method_pages + page.method_page,
        s.complete + (page.method_page and page.complete),
        s.param_rows + page.param_rows,
        s.error_rows + page.error_rows,
    )


def pages_of(root: Path) -> list[Path]:
    """Every .md page below `root`, skipping folders (and files) whose name starts
    with _ or ."""
    if root.is_file():
        return [root]
    return sorted(
        p
        for p in root.rglob("*.md")
        if p.is_file()
        and not any(part.startswith(("_", ".")) for part in p.relative_to(root).parts)
    )


def category_of(path: Path, root: Path) -> str:
    """The folder right below `api-reference` (or the tree's top folder)."""
    parts = path.relative_to(root).parts if root.is_dir() else path.parts
    if "api-reference" in parts:
        idx = parts.index("api-reference")
        rest = parts[idx + 1 :]
        return rest[0] if len(rest) > 1 else "(api-reference)"
    return parts[0] if len(parts) > 1 else "(top)"


def check_tree(root: Path, each: Each = every) -> TreeReport:
    """Every page below `root` judged; `each` walks the pages (the CLI's bar)."""
    pages = tuple(
        check_page(path, category_of(path, root), str(path))
        for path in each(pages_of(root))
    )
    return TreeReport(str(root), pages)


def check_page(path: Path, category: str, display: str) -> PageResult:
    """Read one page twice (raw scan and the reader) and compare; never raises."""
    try:
        return compare_page(path, category, display)
    except Exception as exc:
        # the one place a page may fail: reported as CONF000, not raised
        return PageResult(
            display, category, True, False, findings=(crash_finding(exc, display),)
        )


def crash_finding(exc: Exception, display: str) -> Diagnostic:
    return diagnostic(
        "CONF000",
        Position(display, 1, 1),
        f"reading the page raised {type(exc).__name__}: {exc}",
        f"reader bug at {raised_at(exc)}",
    )


def raised_at(exc: Exception) -> str:
    """`file.py:line` of the innermost frame: where the reader failed."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    return f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
