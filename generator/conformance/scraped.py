"""Scraped forms against markdown: does the record read from a page's scraped text
(the "pipe" or the "blank" form) say what the record of the same page's markdown says?

For every method page of a docs tree (decided by the independent scanner, `scan`) the
markdown record and the record of each scraped form are compared on:

* the method name and api;
* every parameter, nested fields included, by its path (`filter.from`), names compared
  as written (a case variant is another parameter), with its required mark;
* in the forms that carry them, the method's own error codes (a multiset) and the
  system error codes (a set).

What a form cannot carry is listed in the scraped record's `lossy` (IR field paths);
those aspects are not compared for that record, and the report counts such records
apart, so nothing is guessed. A page without a scraped file, or whose scraped text
gives no record, disagrees.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator import read
from generator.conformance.scan import page_facts
from generator.conformance.tree import pages_of
from generator.ir import Method, Param

STYLES = ("pipe", "blank")


@dataclass(frozen=True)
class Mismatch:
    page: str
    aspect: str  # missing | name | api | params | required | errors | system_errors
    only_markdown: tuple[str, ...] = ()
    only_scraped: tuple[str, ...] = ()


@dataclass
class StyleReport:
    style: str
    pages: int = 0  # method pages compared
    agreeing: int = 0
    lossy: Counter[str] = field(default_factory=Counter)  # aspect -> pages not compared
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.agreeing / self.pages if self.pages else 1.0

    def by_aspect(self) -> Counter[str]:
        return Counter(m.aspect for m in self.mismatches)

    def disagreeing_pages(self) -> list[str]:
        return sorted({m.page for m in self.mismatches})


def mark(p: Param) -> str:
    """The mark the page prints: `*` required, `**` conditionally required. A
    parameter made conditionally required by alternatives the page describes in words
    (`alternatives`) has no mark of its own."""
    if p.required:
        return "required"
    if p.conditionally_required and not p.alternatives:
        return "conditionally"
    return "optional"


def param_marks(params: tuple[Param, ...], prefix: str = "") -> dict[str, str]:
    """Every parameter, nested fields too: path -> required mark."""
    out: dict[str, str] = {}
    for p in params:
        path = prefix + p.name
        out.setdefault(path, mark(p))
        out.update(
            {k: v for k, v in param_marks(p.fields, path + ".").items() if k not in out}
        )
    return out


def own_codes(m: Method) -> Counter[str]:
    return Counter(e.code for e in m.errors if not e.system)


def system_codes(m: Method) -> set[str]:
    return {e.code for e in m.errors if e.system}


def compare_records(
    page: str, markdown: Method, scraped: Method
) -> tuple[list[Mismatch], set[str]]:
    """Where the scraped record differs from the markdown one, and the aspects its
    `lossy` kept out of the comparison."""
    lossy = set(scraped.lossy)
    skipped: set[str] = set()
    out: list[Mismatch] = []
    if scraped.method.lower() != markdown.method.lower():
        out.append(Mismatch(page, "name", (markdown.method,), (scraped.method,)))
    if scraped.api != markdown.api:
        out.append(Mismatch(page, "api", (markdown.api,), (scraped.api,)))
    if "params.name" in lossy:
        skipped.add("params")
    else:
        a, b = param_marks(markdown.params), param_marks(scraped.params)
        if "params.fields" in lossy:
            skipped.add("params.fields")
            a = {k: v for k, v in a.items() if "." not in k}
            b = {k: v for k, v in b.items() if "." not in k}
        if set(a) != set(b):
            out.append(
                Mismatch(
                    page,
                    "params",
                    tuple(sorted(set(a) - set(b))),
                    tuple(sorted(set(b) - set(a))),
                )
            )
        if "params.required" in lossy:
            skipped.add("params.required")
        else:
            differ = sorted(k for k in set(a) & set(b) if a[k] != b[k])
            if differ:
                out.append(
                    Mismatch(
                        page,
                        "required",
                        tuple(f"{k} ({a[k]})" for k in differ),
                        tuple(f"{k} ({b[k]})" for k in differ),
                    )
                )
    if "errors.code" in lossy:
        skipped.add("errors")
    else:
        x, y = own_codes(markdown), own_codes(scraped)
        if x != y:
            out.append(
                Mismatch(
                    page,
                    "errors",
                    tuple(sorted((x - y).elements())),
                    tuple(sorted((y - x).elements())),
                )
            )
        s, t = system_codes(markdown), system_codes(scraped)
        if s != t:
            out.append(
                Mismatch(
                    page, "system_errors", tuple(sorted(s - t)), tuple(sorted(t - s))
                )
            )
    return out, skipped


def scraped_path(scraped_root: Path, style: str, rel: str) -> Path:
    return scraped_root / style / Path(rel).with_suffix(".txt")


def compare_tree(
    corpus: Path, scraped_root: Path, styles: tuple[str, ...] = STYLES
) -> dict[str, StyleReport]:
    """Every method page of `corpus` (a docs language folder) against its scraped
    forms below `scraped_root/<style>/` (same relative paths, `.txt`)."""
    reports = {s: StyleReport(s) for s in styles}
    base = corpus / "api-reference" if (corpus / "api-reference").is_dir() else corpus
    for path in pages_of(base):
        text = path.read_text(encoding="utf-8")
        if not page_facts(text, path).method_page:
            continue
        rel = path.relative_to(corpus).as_posix()
        found, _ = read.read_file(path, "markdown", rel)
        if not found:
            continue  # no markdown record: the markdown conformance reports it
        markdown = found[0]
        for style in styles:
            judge_style(
                reports[style], rel, markdown, scraped_path(scraped_root, style, rel)
            )
    return reports


def judge_style(report: StyleReport, rel: str, markdown: Method, path: Path) -> None:
    report.pages += 1
    if not path.is_file():
        report.mismatches.append(Mismatch(rel, "missing", ("no scraped file",)))
        return
    records, _ = read.read_file(path, report.style, rel)
    if not records:
        report.mismatches.append(Mismatch(rel, "missing", (markdown.method,)))
        return
    mismatches, skipped = compare_records(rel, markdown, records[0])
    for aspect in skipped:
        report.lossy[aspect] += 1
    report.mismatches.extend(mismatches)
    report.agreeing += not mismatches


def format_reports(reports: dict[str, StyleReport], limit: int = 0) -> list[str]:
    lines = []
    for r in reports.values():
        lossy = ", ".join(f"{k} on {v} pages" for k, v in sorted(r.lossy.items()))
        lines.append(
            f"{r.style}: {r.agreeing} of {r.pages} method pages agree with the "
            f"markdown record ({r.ratio * 100:.2f}%)"
            + (f"; not compared (lossy): {lossy}" if lossy else "")
        )
        counts = ", ".join(f"{k} {v}" for k, v in sorted(r.by_aspect().items()))
        if counts:
            lines.append(f"  mismatches by aspect: {counts}")
        for m in r.mismatches[: limit or None]:
            lines.append(
                f"  {m.page} {m.aspect}: markdown only {list(m.only_markdown)}, "
                f"{r.style} only {list(m.only_scraped)}"
            )
    return lines
