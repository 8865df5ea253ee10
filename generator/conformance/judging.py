"""The judge: does the reader's record of a page hold what the raw scan found?

A page is *complete* when its record has the method name the title and the examples
agree on, a scope, the right api (v2/v3), every parameter row (nested sub-table rows
included, with their required marks, and no parameter the tables lack), every error row
with its code (the system errors of an `{% include %}`-ed `system-errors.md` included)
and, under a deprecation note that links somewhere, a replacement.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator import read
from generator.conformance.scan import (
    PageFacts,
    RawRow,
    SubTable,
    page_facts,
    row_mark,
    row_name,
)
from generator.diagnostics import Diagnostic, Position, diagnostic
from generator.ir import Method, Param


@dataclass(frozen=True)
class PageResult:
    path: str
    category: str
    method_page: bool
    complete: bool
    method: Method | None = None
    findings: tuple[Diagnostic, ...] = ()
    param_rows: int = 0
    error_rows: int = 0


def compare_page(path: Path, category: str, display: str) -> PageResult:
    """Scan the page raw, read it with the reader, and judge the record."""
    text = path.read_text(encoding="utf-8")
    facts = page_facts(text, path)
    # through the module, so a test can swap in a reader that raises
    methods, _ = read.read_file(path, "markdown", display)
    method = methods[0] if methods else None
    if not facts.method_page:
        return PageResult(display, category, False, True, method)
    findings = tuple(judge(facts, method, display))
    return PageResult(
        display,
        category,
        True,
        not findings,
        method,
        findings,
        facts.param_rows,
        facts.error_rows + facts.system_rows,
    )


def judge(facts: PageFacts, method: Method | None, display: str) -> list[Diagnostic]:
    at = Position(display, facts.title_line or 1, 1)
    if method is None:
        return [no_record(facts, at)]
    return [
        *judge_identity(facts, method, at),
        *judge_deprecation(facts, method, at),
        *judge_params(facts, method, display),
        *judge_errors(facts, method, display, at),
    ]


def no_record(facts: PageFacts, at: Position) -> Diagnostic:
    return diagnostic(
        "CONF001",
        at,
        f"method page '{facts.name}' gave no method record",
        "the reader found no method name or no method evidence",
    )


def judge_identity(facts: PageFacts, method: Method, at: Position) -> list[Diagnostic]:
    """The method's name, scope and api against the page's title, Scope line and
    example URLs."""
    out = []
    if facts.name and method.method.lower() != facts.name.lower():
        out.append(
            diagnostic(
                "CONF002",
                at,
                f"method name {method.method!r}, the page's title "
                f"and examples say {facts.name!r}",
            )
        )
    if facts.scopes and not method.scope:
        out.append(
            diagnostic("CONF003", at, "no scope read from the page's Scope line")
        )
    if (method.api == "v3") != facts.v3:
        called = "/rest/api/" if facts.v3 else "/rest/"
        out.append(
            diagnostic("CONF004", at, f"api {method.api}, the examples call {called}")
        )
    return out


def judge_deprecation(
    facts: PageFacts, method: Method, at: Position
) -> list[Diagnostic]:
    if facts.deprecated and not method.deprecated:
        return [
            diagnostic(
                "CONF010",
                at,
                "the page has a deprecation note, the record is not deprecated",
            )
        ]
    if facts.replaced and not method.replacement:
        return [
            diagnostic(
                "CONF011",
                at,
                "the deprecation note links to a replacement, the record has none",
            )
        ]
    return []


def flat(params: tuple[Param, ...]) -> list[Param]:
    """Every parameter with its nested fields, depth first."""
    out: list[Param] = []
    for p in params:
        out.append(p)
        out.extend(flat(p.fields))
    return out


def mark_of(p: Param) -> int:
    return 2 if p.conditionally_required else int(p.required)


def agrees(p: Param, mark: int) -> bool:
    """Whether a record's parameter carries the page's mark (0 none, 1 `*`, 2 `**`).
    A parameter the page marks required stays required when it has alternatives; one
    without a mark may be conditionally required through alternatives the page
    describes in words or by ways of calling (`alternatives` then names them)."""
    if mark == 1:
        return p.required
    if mark == 2:
        return p.conditionally_required and not p.required
    return not p.required and (not p.conditionally_required or bool(p.alternatives))


def judge_params(facts: PageFacts, method: Method, display: str) -> list[Diagnostic]:
    top = {p.name: p for p in method.params}
    out = [
        finding
        for row in facts.params
        if (finding := judge_param_row(row, top, display)) is not None
    ]
    groups = [{f.name: f for f in p.fields} for p in flat(method.params) if p.fields]
    groups.append(top)
    for sub in facts.sub_tables:
        out.extend(judge_sub_table(sub, groups, display))
    out.extend(unlisted_params(facts, method, display))
    return out


def judge_param_row(
    row: RawRow, top: dict[str, Param], display: str
) -> Diagnostic | None:
    name = row_name(row)
    p = top.get(name)  # names as written: `SORT` beside `sort` is another one
    pos = Position(display, row.line, row.col)
    if p is None:
        return diagnostic(
            "CONF005", pos, f"parameter row {name!r} is not a parameter of the record"
        )
    if not agrees(p, row_mark(row)):
        return diagnostic(
            "CONF006",
            pos,
            f"parameter {name!r}: required mark "
            f"{row_mark(row)} on the page, {mark_of(p)} "
            "in the record (0 no, 1 yes, 2 conditionally)",
        )
    return None


def judge_sub_table(
    sub: SubTable, groups: list[dict[str, Param]], display: str
) -> list[Diagnostic]:
    """A sub-table is held when some parameter's fields hold all its rows (marks
    included)."""
    names = list(sub.names)
    holding = [g for g in groups if all(n in g for n in names)]
    pos = Position(display, sub.line, 1)
    if names and not holding:
        return [
            diagnostic(
                "CONF007",
                pos,
                f"sub-table '{sub.heading}' ({len(names)} rows) is "
                "not the fields of any parameter",
            )
        ]
    if names and not any(same_marks(g, names, sub.marks) for g in holding):
        return [
            diagnostic(
                "CONF006",
                pos,
                f"sub-table '{sub.heading}': required marks differ "
                "from the record's",
            )
        ]
    return []


def same_marks(
    fields: dict[str, Param], names: list[str], marks: tuple[int, ...]
) -> bool:
    # a SubTable built without marks compares none of them: not strict
    return all(agrees(fields[n], m) for n, m in zip(names, marks, strict=False))


def unlisted_params(facts: PageFacts, method: Method, display: str) -> list[Diagnostic]:
    """Parameters of the record that no table row of the page lists."""
    listed = {row_name(r) for r in facts.params} | {
        n for sub in facts.sub_tables for n in sub.names
    }
    return [
        diagnostic(
            "CONF012",
            p.position or Position(display, 1, 1),
            f"the record has parameter {p.name!r} that no table row lists",
        )
        for p in flat(method.params)
        if p.name not in listed
    ]


def judge_errors(
    facts: PageFacts, method: Method, display: str, at: Position
) -> list[Diagnostic]:
    own = sum(1 for e in method.errors if not e.system)
    system = sum(1 for e in method.errors if e.system)
    out = []
    if own != facts.error_rows:
        out.append(
            diagnostic(
                "CONF008",
                Position(display, facts.error_line or at.line, 1),
                f"{facts.error_rows} error rows on the page, {own} in the record",
            )
        )
    else:
        out.extend(judge_codes(facts, method, display))
    if system != facts.system_rows:
        out.append(
            diagnostic(
                "CONF009",
                at,
                f"{facts.system_rows} system error rows included, "
                f"{system} in the record",
            )
        )
    return out


def judge_codes(facts: PageFacts, method: Method, display: str) -> list[Diagnostic]:
    expected = Counter(facts.error_codes)
    found = Counter(e.code for e in method.errors if not e.system)
    if expected == found:
        return []
    missing = sorted((expected - found).elements())
    extra = sorted((found - expected).elements())
    return [
        diagnostic(
            "CONF013",
            Position(display, facts.error_line or 1, 1),
            f"error codes differ: the page has {missing}, the record {extra}",
        )
    ]
