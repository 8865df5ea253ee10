"""The language comparison: the records of two trees (English and Russian) matched
method by method, and where they disagree.

When two records disagree is defined once, by the lint comparison
(generator/maintain/compare.py); this module only pairs the records and groups that
comparison's findings by aspect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.conformance.tree import TreeReport
from generator.ir import Method
from generator.maintain.compare import compare_methods

ASPECTS = {"param": "params", "required": "required", "error": "errors"}


@dataclass(frozen=True)
class Disagreement:
    method: str
    api: str
    aspect: str  # "params" | "required" | "errors"
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]
    first: str = ""  # the pages the two records come from
    second: str = ""


@dataclass(frozen=True)
class Agreement:
    pairs: int = 0
    agreeing: int = 0
    disagreements: tuple[Disagreement, ...] = ()

    @property
    def ratio(self) -> float:
        return self.agreeing / self.pairs if self.pairs else 1.0


def compare_languages(first: TreeReport, second: TreeReport) -> Agreement:
    """For methods documented in both trees: do the parameter names, required marks
    and error codes agree? A method is matched by its page's path below the tree (the
    two trees share their layout), else by name and api when that is unique in
    both."""
    pairs = agreeing = 0
    found: list[Disagreement] = []
    for m, other in paired(first, second):
        pairs += 1
        diffs = differences(m, other)
        agreeing += not diffs
        found.extend(diffs)
    return Agreement(pairs, agreeing, tuple(found))


def method_pages(report: TreeReport) -> dict[str, Method]:
    """The record of each method page, by the page's path below the tree."""
    root = Path(report.root)
    return {
        relative(p.path, root): p.method
        for p in report.pages
        if p.method_page and p.method is not None
    }


def relative(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def paired(first: TreeReport, second: TreeReport) -> list[tuple[Method, Method]]:
    left, right = method_pages(first), method_pages(second)
    pairs = [
        (m, right[rel])
        for rel, m in left.items()
        if rel in right and right[rel].key == m.key
    ]
    done = {id(m) for pair in pairs for m in pair}
    unique_left = unique_by_key(m for m in left.values() if id(m) not in done)
    unique_right = unique_by_key(m for m in right.values() if id(m) not in done)
    pairs += [(m, unique_right[k]) for k, m in unique_left.items() if k in unique_right]
    return pairs


def unique_by_key(methods: Iterable[Method]) -> dict[tuple[str, str], Method]:
    """Methods whose (name, api) occurs once: only those can be paired by name."""
    seen: dict[tuple[str, str], list[Method]] = {}
    for m in methods:
        seen.setdefault(m.key, []).append(m)
    return {k: v[0] for k, v in seen.items() if len(v) == 1}


def differences(a: Method, b: Method) -> list[Disagreement]:
    """The lint comparison (`maintain.compare`), grouped by aspect: one definition of
    when the two languages' records of a method disagree."""
    return [
        Disagreement(
            a.method,
            a.api,
            aspect,
            tuple(sorted(left)),
            tuple(sorted(right)),
            a.source.path if a.source else "",
            b.source.path if b.source else "",
        )
        for aspect, (left, right) in sorted(by_aspect(a, b).items())
    ]


def by_aspect(a: Method, b: Method) -> dict[str, tuple[list[str], list[str]]]:
    """What only `a` and what only `b` says, per aspect."""
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for d in compare_methods(a, b):
        left, right = grouped.setdefault(ASPECTS[d.kind], ([], []))
        if d.kind == "required":
            left.append(f"{d.subject} ({d.left})")
            right.append(f"{d.subject} ({d.right})")
        else:
            (left if d.left in ("documented", "listed") else right).append(d.subject)
    return grouped
