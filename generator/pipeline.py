"""The pipeline as the CLI and tests call it: read specs or a docs tree, plan, write or
check, and the report of what the run made."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeVar

from generator import inputs
from generator.diagnostics import Diagnostic, diagnostic
from generator.ir import Error, Method, Param, ReturnField, Source
from generator.read import (
    CacheDamaged,
    Each,
    Job,
    Page,
    duplicate_methods,
    every,
    expand,
    load_page,
    pages_among,
    read_each,
    read_paths,
)
from generator.read.cache import PageCache
from generator.read.deps import collecting_includes
from generator.render.write import (
    MANIFEST,
    as_recorded,
    foreign_files,
    tree_diff,
    with_manifest,
    write_tree,
)

if TYPE_CHECKING:
    from generator.render.naming import Rename
    from generator.render.planning import Planned


@dataclass
class Loaded:
    """What a run read: its problems and, page by page, its methods, each method
    once (the first page that documents it wins). A page's methods stay in the page
    cache until something asks for them: a run that renders from its pages' heads
    (`outline_key`) unpickles only the pages it renders again."""

    problems: list[Diagnostic] = field(default_factory=list)
    pages: int = 0  # pages read (docs) or specs that define a method
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    read: list[Page] = field(default_factory=list)  # every page, in reading order
    system: tuple[Error, ...] = ()  # errors every method may answer, added to each
    cache: PageCache | None = None
    _kept: dict[str, list[Method]] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> list[Diagnostic]:
        return [p for p in self.problems if p.severity == "error"]

    @cached_property
    def specs(self) -> dict[tuple[str, str], str]:
        """The page each method is taken from, by `Method.key`."""
        owners: dict[tuple[str, str], str] = {}
        for page in self.read:
            for key in page.head.keys:
                owners.setdefault(key, page.display)
        return owners

    @cached_property
    def methods(self) -> list[Method]:
        return [m for page in self.read for m in self.page_methods(page.display)]

    @cached_property
    def _pages(self) -> dict[str, Page]:
        return {page.display: page for page in self.read}

    def page_methods(self, display: str) -> list[Method]:
        """The methods taken from the page `display`, as the run renders them."""
        if display not in self._kept:
            taken: dict[tuple[str, str], Method] = {}
            page = self._pages.get(display)
            for m in load_page(page, self.cache) if page else []:
                if self.specs.get(m.key) == display and m.key not in taken:
                    taken[m.key] = replace(m, errors=m.errors + self.system)
            self._kept[display] = list(taken.values())
        return self._kept[display]

    def duplicates(self) -> list[Diagnostic]:
        """A SPEC008 for each method a later page (or the same page) documents
        again; only the pages that share a method are loaded."""
        counts = Counter(key for page in self.read for key in page.head.keys)
        twice = {key for key, n in counts.items() if n > 1}
        if not twice:
            return []
        involved = [
            m
            for page in self.read
            if twice.intersection(page.head.keys)
            for m in load_page(page, self.cache)
        ]
        return duplicate_methods(involved)[1]

    @property
    def outline_key(self) -> str | None:
        """What the package-wide decisions read of every method (the summaries of
        the pages, `page_summary`), or None when a page has none."""
        if any(not page.head.summary for page in self.read):
            return None
        text = repr(
            (self.system, [(page.display, page.head.summary) for page in self.read])
        )
        return inputs.digest(text.encode("utf-8", "surrogatepass"))


def page_summary(methods: list[Method]) -> str:
    """A digest of what the package-wide decisions read of a page's methods
    (`model.outline_facts`)."""
    from generator.render.model import outline_facts

    return inputs.digest(repr(outline_facts(methods)).encode("utf-8", "surrogatepass"))


def load_specs(
    root: Path,
    each: Each = every,
    cache: PageCache | None = None,
    pages: list[Path] | None = None,
) -> Loaded:
    """Read every spec below `root` (`pages`: those files, when a scan found them);
    paths are shown as `<root name>/<relative path>` so headers do not depend on
    where the checkout lives."""
    loaded = Loaded(cache=cache)
    if not root.is_dir():
        loaded.problems.append(
            diagnostic(
                "READ003",
                str(root),
                "specs folder does not exist",
                "pass the folder holding the spec files",
            )
        )
        return loaded
    jobs: list[Job] = [
        (path, "markdown", f"{root.name}/{path.relative_to(root).as_posix()}")
        for path in (expand([root]) if pages is None else pages)
    ]
    for page in read_each(jobs, each, cache, for_rendering, page_summary):
        problems = page.head.problems
        loaded.problems.extend(problems)
        if not page.head.keys and not any(p.severity == "error" for p in problems):
            loaded.problems.append(
                diagnostic(
                    "SPEC009",
                    page.display,
                    "no method found in spec",
                    "a spec needs a front matter with 'method'",
                )
            )
        loaded.read.append(page)
    loaded.problems.extend(loaded.duplicates())
    loaded.pages = len(set(loaded.specs.values()))
    return loaded


def load_docs(
    root: Path,
    each: Each = every,
    cache: PageCache | None = None,
    pages: list[Path] | None = None,
) -> Loaded:
    """Read a docs tree (its root or its `api-reference`, any form the readers know;
    `pages`: its pages, when a scan found them):
    the methods its pages document, with the pages' own paths and addresses on the
    docs website. The system errors the pages include from the docs' `_includes` are
    replaced by the project's (`specs/_includes/system-errors.md`, shipped with
    b24gen), as `b24gen import` does."""
    loaded = Loaded(cache=cache)
    if not root.exists():
        loaded.problems.append(
            diagnostic(
                "READ003",
                str(root),
                "docs folder does not exist",
                "pass a checkout of the docs or its api-reference folder",
            )
        )
        return loaded
    found = expand([root]) if pages is None else pages
    jobs: list[Job] = [(path, None, None) for path in found]
    loaded.pages = len(jobs)
    for page in read_each(jobs, each, cache, as_documented, page_summary):
        loaded.problems.extend(page.head.problems)
        loaded.read.append(page)
    loaded.system = system_errors()
    # A method the docs document twice is the docs' matter: the first page wins, the
    # others are reported as skipped, and the run goes on.
    for d in loaded.duplicates():
        loaded.skipped.append((d.position.path, f"{d.message} ({d.hint})"))
    for page in loaded.read:
        if not page.head.keys:
            loaded.skipped.append(
                (
                    page.display,
                    "documents no REST method (a guide, event or index page)",
                )
            )
    return loaded


def for_rendering(methods: list[Method]) -> list[Method]:
    """A page's methods as rendering and the mock portal read them (`render_view`)."""
    return [render_view(m, m.errors, m.source) for m in methods]


def as_documented(methods: list[Method]) -> list[Method]:
    """A docs page's methods for rendering, without the system errors the page
    includes (the project's take their place when the run has read every page: kept
    once, not once per page), with the page's address on the docs website."""
    return [
        render_view(m, tuple(e for e in m.errors if not e.system), with_url(m))
        for m in methods
    ]


def render_view(m: Method, errors: tuple[Error, ...], source: Source | None) -> Method:
    """`m` with `errors` and `source`, without the examples and the positions of its
    parameters, fields and errors, which neither rendering nor the mock reads (half
    of what the page cache would otherwise hold and load)."""
    return replace(
        m,
        params=_unplaced(m.params),
        errors=tuple(replace(e, position=None) for e in errors),
        returns=replace(m.returns, fields=_unplaced(m.returns.fields)),
        examples=(),
        source=source,
    )


_Part = TypeVar("_Part", Param, ReturnField)


def _unplaced(parts: tuple[_Part, ...]) -> tuple[_Part, ...]:
    return tuple(replace(p, position=None, fields=_unplaced(p.fields)) for p in parts)


@lru_cache(maxsize=1)
def system_errors() -> tuple[Error, ...]:
    """The project's system errors (what every method may answer), as the IR's
    errors."""
    from generator.read.markdown import read_markdown_text

    text = (
        resources.files("generator")
        .joinpath("templates/system-errors.md")
        .read_text(encoding="utf-8")
    )
    page = (  # a docs page's form: no front matter, so no YAML to load
        "# System errors system.errors\n\n> Scope: [`system`](#)\n\n"
        "## Error Handling\n\n" + text
    )
    methods, _ = read_markdown_text(page, Path("system-errors.md"), "system-errors.md")
    errors = methods[0].errors if methods else ()
    return tuple(replace(e, system=True, position=None) for e in errors)


SITES = {"en": "https://apidocs.bitrix24.com", "ru": "https://apidocs.bitrix24.ru"}
_DOCS_PATH = re.compile(r"(?:^|/)(api-reference/.+)\.md$")


def docs_url(path: str, language: str) -> str | None:
    """The page's address on the docs website: `.../api-reference/crm/deals/
    crm-deal-add.md` -> `https://apidocs.bitrix24.com/api-reference/crm/deals/
    crm-deal-add.html` (the Russian docs on apidocs.bitrix24.ru)."""
    m = _DOCS_PATH.search(PurePosixPath(path.replace("\\", "/")).as_posix())
    site = SITES.get(language)
    if not m or site is None or ".." in m[1].split("/"):
        return None
    return f"{site}/{m[1]}.html"


def with_url(m: Method) -> Source | None:
    if m.source is None or m.source.url:
        return m.source
    return replace(m.source, url=docs_url(m.source.path, m.language))


@dataclass
class Outcome:
    problems: list[Diagnostic]
    changed: list[str]
    written: bool = False
    report: Report | None = None


def regenerate(
    specs: Path | None,
    out: Path,
    check: bool = False,
    force: bool = False,
    docs: Path | None = None,
    report: bool = False,
    each: Each = every,
) -> Outcome:
    """Render the specs folder (or, with `docs`, a docs tree read as it is) into `out`;
    with `check` only list the files that would change. A run over the inputs the
    output was made from ends early (no report then, unless `report` asks for one).
    `each` walks the pages read (the CLI's progress bar)."""
    try:
        return run(specs, out, check, force, docs, report, each, inputs.cache_dir())
    except CacheDamaged:  # a cache only ever saves time: the run is made without one
        return run(specs, out, check, force, docs, report, each, None)


def run(
    specs: Path | None,
    out: Path,
    check: bool,
    force: bool,
    docs: Path | None,
    report: bool,
    each: Each,
    folder: Path | None,
) -> Outcome:
    """`regenerate` with b24gen's caches in `folder` (None: none)."""
    source = docs if docs is not None else (specs or Path("specs"))
    mode = "docs" if docs is not None else "specs"
    seen = inputs.signatures(source) if source.exists() else {}
    before = inputs.input_files(source, seen) if source.exists() else {}
    if not report:
        kept = unchanged_run(out, source, mode, before)
        if kept is not None:
            return Outcome(kept, [])
    cache = PageCache.open(folder, inputs.request_key(source, mode))
    pages = pages_among(source, seen) if source.is_dir() else {}
    cache.know(source, before, pages)
    load = load_docs if docs else load_specs
    with collecting_includes() as included:
        loaded = load(source, each, cache, list(pages.values()) or None)
    # A page saved while the run read it may not match its hash: then neither the
    # pages read nor the record of this run are kept. (A page taken from the cache
    # stands for the hash the run started with, whatever happens to it meanwhile.)
    settled = source.exists() and inputs.unchanged(source, seen, cache.read)
    if settled:
        cache.save()
    if loaded.errors:
        return Outcome(loaded.problems, [])
    refused = output_problems(out, source, check or force)
    if refused:
        return Outcome(loaded.problems + refused, [])
    from generator.render.cache import RenderCache  # only a run that renders loads it
    from generator.render.planning import plan_built

    rendered = RenderCache.open(folder, inputs.request_key(source, mode))
    files, planned = plan_built(
        loaded, loaded.specs, rendered, cache.fingerprint if settled else None
    )
    rendered.save()
    made = make_report(loaded, planned, files)
    encoded = with_manifest(files)
    changed = tree_diff(out, encoded)
    if check:
        return Outcome(loaded.problems, changed, report=made)
    record = inputs.record(source, mode, before, included, loaded.problems)
    if changed:
        write_tree(out, encoded, set(changed))
    if settled:
        inputs.save(out, out / MANIFEST, record)
    return Outcome(loaded.problems, changed, written=bool(changed), report=made)


def unchanged_run(
    out: Path, source: Path, mode: str, files: dict[str, str]
) -> list[Diagnostic] | None:
    """The warnings of the run that wrote `out`, when this run would read the same
    inputs with the same generator and `out` is as that run left it: nothing to
    read, render or write. None otherwise."""
    old = inputs.load(out, out / MANIFEST)
    if old is None:
        return None
    warnings = inputs.still_current(old, source, mode, files)
    return warnings if warnings is not None and as_recorded(out) else None


@dataclass
class Report:
    """What a run made: `b24gen regenerate --report`."""

    pages: int
    methods: int
    files: int
    params: int
    typed_params: int
    typed_dicts: int
    any_causes: Counter[str]
    returns_typed: int
    returns_any: int
    renames: list[str]
    skipped: list[tuple[str, str]]
    unraisable: dict[str, list[str]]
    error_classes: int
    findings: list[str]
    alternatives: int

    def format(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:.1f}%" if b else "-"

        lines = [
            f"pages read: {self.pages}",
            f"methods: {self.methods} in {self.files} files",
            f"parameters: {self.params}, typed {self.typed_params} "
            f"({pct(self.typed_params, self.params)}), "
            f"Any or containers of Any {self.params - self.typed_params}",
            f"return types: typed {self.returns_typed}, Any or containers of Any "
            f"{self.returns_any} ({pct(self.returns_any, self.methods)})",
            f"TypedDicts: {self.typed_dicts}",
            f"alternative parameter sets: {self.alternatives} methods",
            f"error classes: {self.error_classes}; documented codes without a class "
            f"(messages or HTTP statuses): {len(self.unraisable)}",
            "Any fallbacks by cause:",
            *(f"  {n:6d}  {cause}" for cause, n in self.any_causes.most_common()),
            f"renamed names: {len(self.renames)}",
            *(f"  {r}" for r in self.renames),
            f"skipped pages: {len(self.skipped)}",
            *(
                f"  {n:6d}  {why}"
                for why, n in Counter(w for _, w in self.skipped).most_common()
            ),
            *(
                f"  {path}: {why}"
                for path, why in self.skipped
                if not why.startswith("documents no REST method")
            ),
            "codes without a class:",
            *(
                f"  {code!r}: {uses[0]} ({', '.join(sorted(set(uses[1:]))[:3])})"
                for code, uses in sorted(self.unraisable.items())
            ),
            f"returned data where the response table and the example disagree: "
            f"{len(self.findings)}",
            *(f"  {f}" for f in self.findings),
        ]
        return "\n".join(lines) + "\n"


def make_report(loaded: Loaded, planned: Planned, files: dict[str, str]) -> Report:
    from generator.render import model

    whole = planned.outline
    stats = [m.stats for m in planned.made]
    causes: Counter[str] = Counter()
    for s in stats:
        causes.update(s.causes)
    functions = sum(s.functions for s in stats)
    returns_any = sum(s.returns_any for s in stats)
    typed = sum(s.typed_params for s in stats)
    skipped = list(loaded.skipped) + [
        (s.path or s.method, f"{s.method}: {s.reason}") for s in whole.skipped
    ]
    members: dict[str, list[Rename]] = {}
    for part, made in zip(whole.parts, planned.made, strict=True):
        members.setdefault(part.api, []).extend(made.renames)
    renames = [r.describe() for r in model.in_report_order(whole, members)]
    return Report(
        pages=loaded.pages,
        methods=functions,
        files=len(files),
        params=typed + sum(s.any_params for s in stats),
        typed_params=typed,
        typed_dicts=sum(s.typed_dicts for s in stats),
        any_causes=causes,
        returns_typed=functions - returns_any,
        returns_any=returns_any,
        renames=renames,
        skipped=skipped,
        unraisable=whole.unraisable,
        error_classes=len(whole.classes),
        findings=sorted(f for s in stats for f in s.findings),
        alternatives=sum(s.alternatives for s in stats),
    )


def output_problems(out: Path, source: Path, overwrite: bool) -> list[Diagnostic]:
    """Why `out` may not be written: not a folder, the input itself, or (unless
    `overwrite`) holding files b24gen did not write as they are."""
    shown = str(out)
    if out.exists() and not out.is_dir():
        return [diagnostic("OUT001", shown, f"{shown} is a file, not a folder")]
    real_out, real_source = out.resolve(), source.resolve()
    if real_source == real_out or real_source.is_relative_to(real_out):
        return [diagnostic("OUT004", shown, f"{shown} is or holds the input {source}")]
    if overwrite:
        return []
    return [
        diagnostic(
            "OUT002" if f.edited else "OUT003",
            f"{shown}/{f.path}",
            "edited since b24gen wrote it" if f.edited else "not written by b24gen",
        )
        for f in foreign_files(out)
    ]


def read_ir(
    paths: list[Path], fmt: str | None = None, each: Each = every
) -> tuple[list[Method], list[Diagnostic]]:
    """Methods as `b24gen ir` prints them: with the Python names the client will use
    and the pages' addresses on the docs website."""
    from generator.render.naming import with_python_names

    methods, problems = read_paths(paths, fmt, each)
    return [
        replace(m, params=with_python_names(m.params), source=with_url(m))
        for m in methods
    ], problems
