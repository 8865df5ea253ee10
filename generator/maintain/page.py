"""One page (spec or docs) read once, with everything the spec verbs look at.

The readers' own steps are reused as they are: `frontmatter.split`, `build_page` (blocks
with includes spliced in), `extract` (the page's facts) and `assemble` (facts + front
matter -> Method). Assembling twice from the same facts gives the two views the spec
verbs compare:

* `method`: the record the generator uses (front matter and body together);
* `body`:   what the body alone says (the front matter ignored, except that its `method`
            names the record when the body does not).

Scraped pages (pipe/blank text) have no blocks or front matter; only `method` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.diagnostics import Diagnostic, diagnostic
from generator.ir import Method
from generator.read import names, sniff, with_checked_names
from generator.read.deps import display_path
from generator.read.frontmatter import FrontMatter, split
from generator.read.markdown import (
    Draft,
    Page,
    assemble,
    build_page,
    extract,
    read_file_text,
)


@dataclass
class SpecPage:
    path: Path
    display: str
    text: str | None
    fmt: str = "markdown"
    fm: FrontMatter = field(default_factory=FrontMatter)
    page: Page | None = None
    draft: Draft | None = None
    method: Method | None = None
    body: Method | None = None
    body_named: bool = False  # the body alone names the method (title / examples)
    problems: list[Diagnostic] = field(default_factory=list)
    markdown: bool = False  # read as markdown (kept when `page` is dropped: `slim`)

    @property
    def is_markdown(self) -> bool:
        return self.page is not None or self.markdown

    def slim(self) -> SpecPage:
        """The page without its parsed blocks and drafts (what `import` still needs
        after reading; a quarter of the size to hand between processes)."""
        return replace(
            self, page=None, draft=None, body=None, markdown=self.is_markdown
        )


def read_page(
    path: Path, display: str | None = None, fmt: str | None = None
) -> SpecPage:
    display = display or display_path(path)
    text, problems = read_file_text(path, display)
    if text is None:
        return SpecPage(path, display, None, problems=problems)
    return read_page_text(text, path, display, fmt)


def read_page_text(
    text: str, path: Path, display: str, fmt: str | None = None
) -> SpecPage:
    """`path` locates includes and links; `display` is what diagnostics show."""
    fmt = fmt or sniff(text)
    if fmt != "markdown":
        return read_scraped(text, path, display, fmt)
    fm, problems = split(text, display)
    page = build_page(path, display, fm.body, fm.body_line)
    draft = extract(page)
    problems = problems + page.problems  # after extract: its table findings included
    method = assemble(draft, fm, page, "markdown", problems)
    if method is not None:
        method, misnamed = names.checked(method, display)
        problems = problems + misnamed
    body, named = body_view(draft, fm, page)
    return SpecPage(
        path, display, text, "markdown", fm, page, draft, method, body, named, problems
    )


def body_view(draft: Draft, fm: FrontMatter, page: Page) -> tuple[Method | None, bool]:
    bare = FrontMatter(body=fm.body, body_line=fm.body_line)
    method = assemble(draft, bare, page, "markdown", [])
    if method is not None:
        return method, True
    name = fm.data.get("method") if fm.parsed else None
    if not isinstance(name, str) or not name:
        return None, False
    named = FrontMatter(
        data={"method": name}, present=True, body=fm.body, body_line=fm.body_line
    )
    return assemble(draft, named, page, "markdown", []), False


def read_scraped(text: str, path: Path, display: str, fmt: str) -> SpecPage:
    try:
        from generator.read.scraped import read_scraped_text
    except ImportError:
        return SpecPage(
            path,
            display,
            text,
            fmt,
            problems=[
                diagnostic(
                    "READ004",
                    display,
                    f"no reader for the '{fmt}' form in this build",
                    "convert the page to markdown",
                )
            ],
        )
    methods, problems = with_checked_names(
        *read_scraped_text(text, path, display, fmt), display
    )
    method = methods[0] if methods else None
    return SpecPage(
        path,
        display,
        text,
        fmt,
        method=method,
        body=method,
        body_named=method is not None,
        problems=problems,
    )
