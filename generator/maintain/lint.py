"""`b24gen lint`: findings about spec and docs pages, each a Diagnostic with a stable
code.

The readers already report what they meet while reading (front-matter schema
SPEC001-007, fences YFM001/YFM002, unclosed notes and tables, missing includes YFM006,
ragged rows); lint keeps those and adds checks over what the readers produced: the IR of
each page (as the generator sees it and as the body alone says it), the blocks of
`yfm.scan` and the set of all methods read. Nothing here parses markdown again.

Every check is a pure function `(page) -> [Diagnostic]` or `(pages) -> [Diagnostic]`.
Each code's severity, summary, hint and fixing command are registered in
`generator.diagnostics`; `--statistics` and `[fix: ...]` read them from there.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import Diagnostic, Position, diagnostic, rule
from generator.ir import Method, Param, ReturnField
from generator.maintain.compare import compare_methods, pair_methods
from generator.maintain.derive import derived, differences
from generator.maintain.links import LINK, local_target
from generator.maintain.page import SpecPage, read_page
from generator.output import json_document
from generator.read import Each, duplicate_methods, every, expand, read_paths
from generator.read import text as T
from generator.read.yfm import Block
from generator.render.types import is_known

FRONT_MATTER_CODES = {
    "method": "LINT110",
    "scope": "LINT111",
    "api": "LINT112",
    "deprecated": "LINT113",
    "replacement": "LINT114",
    "params": "LINT115",
    "pagination": "LINT116",
    "returns": "LINT117",
    "errors": "LINT118",
}


def is_fixable(d: Diagnostic) -> bool:
    return bool(rule(d.code).fix)


@dataclass
class LintReport:
    findings: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def by_code(self) -> Counter[str]:
        return Counter(f.code for f in self.findings)

    def failed(self, strict: bool = False) -> bool:
        return bool(self.count("error") or (strict and self.count("warning")))


# ---------------------------------------------------------------- running


def lint_paths(
    paths: list[Path], compare: list[Path] | None = None, each: Each = every
) -> LintReport:
    pages: list[SpecPage] = []
    found: list[Diagnostic] = []
    for path in each(expand(paths)):
        try:
            sp = read_page(path)
            found.extend(sp.problems + page_findings(sp))
            pages.append(sp)
        except Exception as exc:  # a bug on one page must not end the run
            found.append(crashed(path, exc))
    found.extend(tree_findings(pages))
    if compare:
        other, _ = read_paths(compare)
        found.extend(language_findings(methods_of(pages), other))
    return LintReport(
        unique_sorted(found), len(pages) + sum(f.code == "LINT000" for f in found)
    )


def crashed(path: Path, exc: Exception) -> Diagnostic:
    return diagnostic(
        "LINT000",
        Position(str(path), 1, 1),
        f"reading the page raised {type(exc).__name__}: {exc}",
        "a bug in b24gen: please report it with this page",
    )


def unique_sorted(found: list[Diagnostic]) -> list[Diagnostic]:
    """One finding per place and code (an include is seen from every page including
    it)."""
    seen: dict[tuple[str, int, int, str, str], Diagnostic] = {}
    for d in found:
        seen.setdefault(
            (d.position.path, d.position.line, d.position.col, d.code, d.message), d
        )
    return sorted(
        seen.values(),
        key=lambda d: (
            d.position.path,
            d.position.line,
            d.position.col,
            d.code,
            d.message,
        ),
    )


PageCheck = Callable[[SpecPage], list[Diagnostic]]
PAGE_CHECKS: list[PageCheck] = []


def page_check(fn: PageCheck) -> PageCheck:
    """Register a check that `page_findings` runs on every page."""
    PAGE_CHECKS.append(fn)
    return fn


def page_findings(sp: SpecPage) -> list[Diagnostic]:
    return [d for check in PAGE_CHECKS for d in check(sp)]


def methods_of(pages: list[SpecPage]) -> list[Method]:
    return [sp.method for sp in pages if sp.method is not None]


def tree_findings(pages: list[SpecPage]) -> list[Diagnostic]:
    methods = methods_of(pages)
    unique, found = duplicate_methods(methods)
    return found + missing_replacements(unique, pages)


# ---------------------------------------------------------------- front matter


@page_check
def missing_scope(sp: SpecPage) -> list[Diagnostic]:
    data = sp.fm.data
    if (
        not sp.fm.present
        or not sp.fm.parsed
        or "method" not in data
        or data.get("scope")
    ):
        return []
    return [
        diagnostic(
            "LINT101",
            Position(sp.display, 1, 1),
            "front matter has no 'scope'",
            "add 'scope: <scope>' (`b24gen sync` takes it from the Scope line)",
        )
    ]


@page_check
def front_matter_contradictions(sp: SpecPage) -> list[Diagnostic]:
    fm = sp.fm
    if not fm.present or not fm.parsed:
        return []
    flagged = {
        (p.position.line, p.position.col)
        for p in sp.problems
        if p.code in ("SPEC005", "SPEC006")
    }
    out = []
    for diff in differences(fm.data, derived(sp)):
        pos = fm.positions.get(diff.key)
        if diff.missing or pos is None or (pos.line, pos.col) in flagged:
            continue
        for detail in diff.details:
            out.append(
                diagnostic(
                    FRONT_MATTER_CODES[diff.key],
                    pos,
                    detail,
                    "the body is the ground truth: run `b24gen sync` to take "
                    "its value",
                )
            )
    return out


# ---------------------------------------------------------------- methods and examples


@page_check
def example_keys(sp: SpecPage) -> list[Diagnostic]:
    """Keys an example's request payload sends that the parameter table lacks."""
    m = sp.method
    if m is None or not (m.params or (sp.draft and sp.draft.no_params)):
        return []
    names = {p.name: p.name for p in m.params}
    lowered = {p.name.lower(): p.name for p in m.params}
    body, draft = sp.body, sp.draft
    tabled = (
        body is not None and draft is not None and bool(body.params or draft.no_params)
    )
    in_table = (
        {p.name for p in body.params} if body is not None and tabled else set(names)
    )
    out, seen = [], set()
    for ex in m.examples:
        if not isinstance(ex.payload, dict):
            continue
        for key in ex.payload:
            if key in seen:
                continue
            seen.add(key)
            pos = ex.position or m.position or Position(sp.display, 1, 1)
            if key in names:
                if key not in in_table and sp.fm.present:
                    out.append(
                        diagnostic(
                            "LINT211",
                            sp.fm.positions.get("params", pos),
                            f"parameter '{key}' of {m.method} is documented only in "
                            "the front matter; the examples send it",
                        )
                    )
                continue
            if key.lower() in lowered:
                out.append(
                    diagnostic(
                        "LINT202",
                        pos,
                        f"example sends '{key}', the parameter "
                        f"table spells it '{lowered[key.lower()]}'",
                        "use one spelling in the table and the examples",
                    )
                )
            else:
                out.append(
                    diagnostic(
                        "LINT201",
                        pos,
                        f"example sends '{key}', which is not a "
                        f"documented parameter of {m.method}",
                        "document the parameter or fix the example",
                    )
                )
    return out


@page_check
def title_against_examples(sp: SpecPage) -> list[Diagnostic]:
    m = sp.method or sp.body
    if m is None or not m.title:
        return []
    named = T.title_method(m.title)
    calls = [e.calls for e in m.examples if e.calls]
    if not named or "." not in named or not calls:
        return []
    if named.lower() in {c.lower() for c in calls}:
        return []
    called = Counter(calls).most_common(1)[0][0]
    return [
        diagnostic(
            "LINT203",
            m.position or Position(sp.display, 1, 1),
            f"the title names {named}, the examples call {called}",
            "make the title and the examples name the same method",
        )
    ]


@page_check
def invalid_response_json(sp: SpecPage) -> list[Diagnostic]:
    m = sp.method
    if (
        m is None
        or m.returns.example_valid
        or not m.returns.example_text
        or sp.page is None
    ):
        return []
    block = next(
        (
            b
            for b in sp.page.blocks
            if b.kind == "code" and b.text == m.returns.example_text
        ),
        None,
    )
    if block is None or block.lang.lower() not in ("json", ""):
        return []
    try:
        json.loads(block.text)
        return []
    except ValueError as exc:
        line = block.line + getattr(exc, "lineno", 0)
        col = block.col + getattr(exc, "colno", 1) - 1
        reason = getattr(exc, "msg", str(exc))
    return [
        diagnostic(
            "LINT205",
            Position(block.path or sp.display, line, col),
            f"response example is not valid JSON: {reason}",
            "write the example as JSON (no comments, no '...')",
        )
    ]


def walk(
    params: tuple[Param, ...] | tuple[ReturnField, ...],
) -> Iterator[Param | ReturnField]:
    for p in params:
        yield p
        yield from walk(p.fields)


@page_check
def unknown_types(sp: SpecPage) -> list[Diagnostic]:
    m = sp.method
    if m is None:
        return []
    out = []
    for what, items in (("parameter", m.params), ("returned field", m.returns.fields)):
        for p in walk(items):
            for t in (p.type, getattr(p, "item_type", None)):
                if t and not is_known(t):
                    out.append(
                        diagnostic(
                            "LINT206",
                            p.position or m.position or Position(sp.display, 1, 1),
                            f"type '{t}' of {what} '{p.name}' is unknown to the "
                            "generator (typed Any)",
                            "use a documented type or add it to render/types.py",
                        )
                    )
    return out


# ---------------------------------------------------------------- tables and links


@page_check
def ragged_rows(sp: SpecPage) -> list[Diagnostic]:
    out = []
    for block in sp.page.blocks if sp.page else ():
        if block.kind != "table" or not block.rows:
            continue
        width = len(block.rows[0])
        for row in block.rows[1:]:
            if len(row) != width:
                anchor = row[0] if row else None
                out.append(
                    diagnostic(
                        "YFM007",
                        Position(
                            block.path or sp.display,
                            anchor.line if anchor else block.line,
                            anchor.col if anchor else 1,
                        ),
                        f"table row has {len(row)} cells, the header has {width}",
                        "check for a stray or missing |",
                    )
                )
    return out


EXISTS: dict[Path, bool] = {}


@page_check
def dead_links(sp: SpecPage) -> list[Diagnostic]:
    out = []
    for block in sp.page.blocks if sp.page else ():
        base = (
            sp.path.parent
            if block.path in ("", sp.display)
            else Path(block.path).parent
        )
        for text, line, col in block_texts(block):
            for m in LINK.finditer(text):
                target = local_target(base, m.group(3))
                if target is None or exists(target):
                    continue
                before = text[: m.start()]
                at_line = line + before.count("\n")
                at_col = (
                    (col + m.start())
                    if "\n" not in before
                    else m.start() - before.rfind("\n")
                )
                out.append(
                    diagnostic(
                        "LINT204",
                        Position(block.path or sp.display, at_line, at_col),
                        f"link to '{m.group(3)}': no such file",
                        "fix the link (it is relative to this file)",
                    )
                )
    return out


def block_texts(block: Block) -> list[tuple[str, int, int]]:
    if block.kind == "table":
        return [(c.text, c.line, c.col) for row in block.rows for c in row]
    if block.kind in ("para", "quote", "heading", "tab"):
        return [(block.text, block.line, block.col)]
    return []


def exists(path: Path) -> bool:
    if path not in EXISTS:
        EXISTS[path] = path.exists()
    return EXISTS[path]


# ---------------------------------------------------------------- the set of methods


def missing_replacements(
    methods: list[Method], pages: list[SpecPage]
) -> list[Diagnostic]:
    names = {m.method.lower() for m in methods}
    where = {id(sp.method): sp for sp in pages if sp.method is not None}
    out = []
    for m in methods:
        if (
            not m.deprecated
            or not m.replacement
            or replacement_exists(m.replacement, names)
        ):
            continue
        sp = where.get(id(m))
        pos = (
            (sp.fm.positions.get("replacement") if sp else None)
            or m.position
            or Position(m.source.path if m.source else "?", 1, 1)
        )
        out.append(
            diagnostic(
                "LINT301",
                pos,
                f"{m.method} is replaced by {m.replacement}, which "
                "is not among the methods read",
                "name an existing method, or lint the whole tree",
            )
        )
    return out


def replacement_exists(name: str, names: set[str]) -> bool:
    name = name.lower()
    if "*" in name:
        prefix = name.split("*")[0].rstrip(".") + "."
        return any(n.startswith(prefix) for n in names)
    return name in names


# ---------------------------------------------------------------- two languages


LANGUAGE_CODES = {"param": "LINT401", "required": "LINT402", "error": "LINT403"}


def language_findings(methods: list[Method], other: list[Method]) -> list[Diagnostic]:
    out = []
    for left, right in pair_methods(methods, other):
        there = right.source.path if right.source else "the other tree"
        for d in compare_methods(left, right):
            pos = (
                (d.param.position if d.param else None)
                or left.position
                or Position(left.source.path if left.source else "?", 1, 1)
            )
            what = {
                "param": f"parameter '{d.subject}'",
                "required": f"parameter '{d.subject}'",
                "error": f"error code '{d.subject}'",
            }[d.kind]
            out.append(
                diagnostic(
                    LANGUAGE_CODES[d.kind],
                    pos,
                    f"{left.method}: {what} is {d.left} here, {d.right} in {there}",
                    "make both languages document the same",
                )
            )
    return out


# ---------------------------------------------------------------- output


def as_json(report: LintReport) -> str:
    """The shared JSON document (`generator.output`) with the number of files read."""
    return json_document(report.findings, {"files": report.files})


def as_text(report: LintReport) -> str:
    return "".join(line_of(d) + "\n" for d in report.findings)


def line_of(d: Diagnostic) -> str:
    hint = f" ({d.hint})" if d.hint else ""
    fix = f" [fix: b24gen {rule(d.code).fix}]" if is_fixable(d) else ""
    return f"{d.position}: {d.code} {d.severity}: {d.message}{hint}{fix}"


def statistics(report: LintReport) -> str:
    """Findings per code, the most frequent first, with the registry's severity and
    summary of each code."""
    rows = []
    for code, n in sorted(report.by_code().items(), key=lambda kv: (-kv[1], kv[0])):
        r = rule(code)
        rows.append(f"{n:7d}  {code:8s} {r.severity:8s} {r.summary}".rstrip())
    return "\n".join(rows) + ("\n" if rows else "")


def summary(report: LintReport) -> str:
    return (
        f"b24gen lint: {report.count('error')} error(s), {report.count('warning')} "
        f"warning(s) in {report.files} file(s)"
    )
