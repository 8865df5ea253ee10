"""The report: what the CLI prints, as JSON-ready data or as text lines."""

from __future__ import annotations

from typing import Any

from generator import output
from generator.conformance.languages import Agreement, Disagreement
from generator.conformance.tree import CategoryStats, TreeReport
from generator.diagnostics import Diagnostic

CATEGORY_HEAD = (
    f"{'category':<22}{'pages':>7}{'methods':>9}"
    f"{'complete':>10}{'params':>8}{'errors':>8}"
)


def tree_data(report: TreeReport) -> dict[str, Any]:
    return {
        "root": report.root,
        "pages": len(report.pages),
        "method_pages": report.method_pages,
        "complete": report.complete,
        "ratio": round(report.ratio, 4),
        "crashes": report.crashes,
        "categories": [category_data(c) for c in report.categories()],
        "incomplete": [
            {
                "path": p.path,
                "category": p.category,
                "findings": [finding_data(f) for f in p.findings],
            }
            for p in report.pages
            if p.method_page and not p.complete
        ],
    }


def category_data(c: CategoryStats) -> dict[str, Any]:
    return {
        "category": c.category,
        "pages": c.pages,
        "method_pages": c.method_pages,
        "complete": c.complete,
        "param_rows": c.param_rows,
        "error_rows": c.error_rows,
    }


def finding_data(f: Diagnostic) -> dict[str, Any]:
    """The shared finding fields (`generator.output`) and `position` as one string."""
    return {"position": str(f.position), **output.finding_data(f)}


def agreement_data(agreement: Agreement) -> dict[str, Any]:
    return {
        "pairs": agreement.pairs,
        "agreeing": agreement.agreeing,
        "ratio": round(agreement.ratio, 4),
        "disagreements": [disagreement_data(d) for d in agreement.disagreements],
    }


def disagreement_data(d: Disagreement) -> dict[str, Any]:
    return {
        "method": d.method,
        "api": d.api,
        "aspect": d.aspect,
        "only_first": list(d.only_first),
        "only_second": list(d.only_second),
        "first": d.first,
        "second": d.second,
    }


def percent(ratio: float) -> str:
    return f"{ratio * 100:.2f}%"


def format_tree(report: TreeReport) -> list[str]:
    """A table by category, the totals, then every finding of the incomplete pages."""
    return [
        *format_table(report),
        format_totals(report),
        *(f.format() for f in report.findings()),
    ]


def format_table(report: TreeReport) -> list[str]:
    """A table by category, ending with the row of totals."""
    rows = report.categories()
    lines = [f"conformance of {report.root}", CATEGORY_HEAD]
    lines.extend(category_line(c) for c in rows)
    lines.append(
        f"{'total':<22}{len(report.pages):>7}{report.method_pages:>9}"
        f"{report.complete:>10}{sum(c.param_rows for c in rows):>8}"
        f"{sum(c.error_rows for c in rows):>8}"
    )
    return lines


def format_totals(report: TreeReport) -> str:
    """The share of complete method records and the crashes: the tree's verdict."""
    return (
        f"complete method records: {report.complete} of {report.method_pages} "
        f"({percent(report.ratio)}); crashes: {report.crashes}"
    )


def category_line(c: CategoryStats) -> str:
    return (
        f"{c.category:<22}{c.pages:>7}{c.method_pages:>9}{c.complete:>10}"
        f"{c.param_rows:>8}{c.error_rows:>8}"
    )


def format_agreement(agreement: Agreement, first: str, second: str) -> list[str]:
    """How many methods agree, then each disagreement."""
    return [
        agreement_headline(agreement, first, second),
        *disagreement_lines(agreement, first, second),
    ]


def agreement_headline(agreement: Agreement, first: str, second: str) -> str:
    return (
        f"{first} against {second}: {agreement.agreeing} of {agreement.pairs} methods "
        f"in both agree on parameter names, required marks and error codes "
        f"({percent(agreement.ratio)})"
    )


def disagreement_lines(agreement: Agreement, first: str, second: str) -> list[str]:
    return [
        f"  {d.method} ({d.api}) {d.aspect}: only in {first} "
        f"{list(d.only_first)}, only in {second} {list(d.only_second)}  "
        f"[{d.first} | {d.second}]"
        for d in agreement.disagreements
    ]
