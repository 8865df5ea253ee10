"""Conformance: how completely the readers turn a real docs tree into Method records.

For every page of a docs tree this module decides, from the raw text alone, whether the page
documents a method and what its tables hold (a deliberately simple line scanner that counts
`||` row openers; it shares no code with the reader's table parser), then reads the page with
the real reader and compares. A page is *complete* when its record has the method name the
title and the examples agree on, a scope, the right api (v2/v3), every parameter row (nested
sub-table rows included, with their required marks, and no parameter the tables lack), every
error row with its code (the system errors of an `{% include %}`-ed `system-errors.md`
included) and, under a deprecation note that links somewhere, a replacement.

Findings: CONF000 reading raised; CONF001 no record; CONF002 name; CONF003 scope; CONF004 api;
CONF005 parameter row missing; CONF006 required mark; CONF007 sub-table not nested;
CONF008 error rows; CONF009 system error rows; CONF010 not deprecated; CONF011 no
replacement; CONF012 parameter no row lists; CONF013 error codes. `compare_languages` then
matches the records of two trees (English and Russian) and lists where they disagree.

Everything here is a pure function returning values; nothing prints and nothing raises: a page
whose reading throws becomes a CONF000 finding with the page's position.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator.ir import Diagnostic, Method, Param, Position
from generator.maintain.compare import compare_methods

# ---------------------------------------------------------------- the independent page scan

FENCE_OPEN = re.compile(
    r"^\s*(?:`{3,}[^`]*|~{3,}.*)$"
)  # an info string holds no backtick
FENCE_CLOSE = re.compile(r"^\s*(?:`{3,}|~{3,})\s*$")
HEADING_LINE = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
ANCHOR_TAIL = re.compile(r"\s*\{#[^}]*\}\s*$")
HIDDEN = (
    re.compile(r"<!--.*?-->", re.S),
    re.compile(
        r"\{%\s*if\s+build\s*==\s*['\"]dev['\"]\s*%\}.*?\{%\s*endif\s*%\}", re.S
    ),
)
SCOPE_LINE = re.compile(r"^>\s*(?:\*\*)?(?:scope|область)", re.I | re.M)
WHO_LINE = re.compile(
    r"^>\s*(?:\*\*)?(?:who can (?:execute|perform)|кто может выполнять)", re.I | re.M
)
EVENT_PAGE = re.compile(
    r"^>\s*(?:who can subscribe|кто может подписаться)|^#\s+(?:event|событие)\b",
    re.I | re.M,
)
DOTTED = re.compile(r"[A-Za-z][\w]*(?:\.[A-Za-z_][\w]*)+")
CALLED = re.compile(  # REST calls in examples: URLs, SDK calls, `method: '...'`
    r"/rest/(?:api/)?(?:\*\*[^*/]+\*\*/)*([A-Za-z][\w.]*)"
    r"|(?:callMethod|callListMethod|->call|CRest::call|Call)\(\s*(?:ctx,\s*)?"
    r"['\"]([A-Za-z][\w.]*)['\"]"
    r"|\bmethod\s*:\s*['\"]([A-Za-z][\w.]*)['\"]"
)
PARAM_SECTION = re.compile(
    r"^(?:method |request )?parameters(?: of the method)?$|"
    r"^параметры(?: метода| запроса)?$",
    re.I,
)
ERROR_SECTION = re.compile(
    r"^(?:error handling|errors|possible error codes|обработка ошибок|"
    r"ошибки|возможные коды ошибок)$",
    re.I,
)
NAME_HEADER = re.compile(
    r"^(?:name|parameter|field|key|название|параметр|поле|ключ)\b", re.I
)
MORE_PARAMS_HEADING = re.compile(
    r"^(?:additional|other|optional|more|дополнительные|прочие)\s+"
    r"(?:parameters|параметры)$",
    re.I,
)
NOT_PARAMS_HEADING = re.compile(
    r"^(?:returned data|response|returned values|result|"
    r"возвращаемые данные|ответ|результат)\b",
    re.I,
)
VALUE_LIST = re.compile(
    r"^(?:possible|allowed|available|acceptable|возможные|допустимые|доступные)\b"
    r"(?!.*\bfields?\b)(?!.*\bпол)",
    re.I,
)
NO_PARAMS = re.compile(
    r"^(?:no parameters|without parameters|без параметров|the method does not "
    r"(?:accept|take|require|have) (?:any )?parameters|"
    r"метод не принимает(?: никаких)? параметр|параметры отсутствуют|"
    r"this method has no parameters|у метода нет параметров)",
    re.I | re.M,
)
CODE_LINE = re.compile(r"^\s*(?:error code|код ошибки)\s*:?\s*`([^`]+)`", re.I)
CODE_HEADER = re.compile(r"^(?:code|код|error code|код ошибки|error|ошибка)$", re.I)
DEPRECATION_NOTE = re.compile(
    r"\{%\s*note\s+warning\s+\"(?:deprecated[^\"]*|[^\"]*(?:halted|discontinued|остановлено)[^\"]*)"
    r"\"\s*%\}(.*?)\{%\s*endnote\s*%\}",
    re.I | re.S,
)
PAGE_LINK = re.compile(r"\]\((?!https?:|#)[^)#]+\.md")
SYSTEM_INCLUDE = re.compile(r"\{%\s*include[^%]*\(([^)]*system-errors\.md)\)\s*%\}")


@dataclass(frozen=True)
class RawRow:
    line: int
    col: int
    first: str  # the raw text of the row's first cell
    text: str  # the whole row, raw


@dataclass(frozen=True)
class RawTable:
    line: int
    section: str  # the H2 above, plain and lower-case ("" before the first H2)
    heading: str  # the nearest H3+ heading above inside that section ("" if none)
    rows: tuple[RawRow, ...]
    code_line: str = (
        ""  # the code of an "Error code: `X`" line above, under the same heading
    )

    @property
    def has_header(self) -> bool:
        return bool(self.rows) and looks_like_header(self.rows[0])

    @property
    def body(self) -> tuple[RawRow, ...]:
        return self.rows[1:] if self.has_header else self.rows


def looks_like_header(row: RawRow) -> bool:
    """A first row whose first cell holds a column title, not a parameter: no type link,
    no required mark (a table without a header starts straight with a parameter row)."""
    cell = row.first
    if not bare(cell) or "](" in cell or re.search(r"\*\*\*|\^\*\^|\\\*", cell):
        return False
    hints = re.findall(r"`([^`]*)`", cell)
    return (
        not hints
        or NAME_HEADER.match(bare(cell)) is not None
        or all(h.strip().lower() in ("type", "тип") for h in hints)
    )


def bare(cell: str) -> str:
    """A cell's first line without markup: the words a reader would see."""
    line = cell.strip().split("\n")[0]
    line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
    return re.sub(r"[*`\\^]", "", line).strip()


def fence_toggles(line: str, fenced: bool) -> bool:
    return (FENCE_CLOSE if fenced else FENCE_OPEN).match(line) is not None


def hide(text: str) -> str:
    for pattern in HIDDEN:
        text = pattern.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return text


def section_name(heading: str) -> str:
    text = ANCHOR_TAIL.sub("", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*`]", "", text).strip().rstrip(":").strip().lower()


def scan_tables(text: str) -> tuple[list[RawTable], list[tuple[int, int, str]]]:
    """Every top-level `#| |#` table with its section, and every heading (line, level, text)."""
    lines = text.split("\n")
    tables: list[RawTable] = []
    headings: list[tuple[int, int, str]] = []
    section, sub, fenced, i, code = "", "", False, 0, ""
    while i < len(lines):
        line = lines[i]
        if fence_toggles(line, fenced):
            fenced = not fenced
        elif not fenced and line.lstrip().startswith("#|"):
            end, rows = read_rows(lines, i)
            tables.append(RawTable(i + 1, section, sub, tuple(rows), code))
            i = end + 1
            continue
        elif not fenced and (m := CODE_LINE.match(line)):
            code = m.group(1)
        elif not fenced and (m := HEADING_LINE.match(line)):
            level, title = len(m.group(1)), section_name(m.group(2))
            headings.append((i + 1, level, title))
            code = ""
            if level <= 2:
                section, sub = (title if level == 2 else ""), ""
            else:
                sub = title
        i += 1
    return tables, headings


def read_rows(lines: list[str], start: int) -> tuple[int, list[RawRow]]:
    """Rows of the table opened at `start`: `||` opens and closes a row; code fences and
    nested tables inside cells are skipped. Returns the index of the closing line."""
    rows: list[RawRow] = []
    depth, fenced, opened = 0, False, None
    buf: list[str] = []
    for i in range(start, len(lines)):
        line = lines[i]
        if fenced:
            end = re.match(r"^\s*`{3,}(?=[^`]*$)", line)
            buf.append(line[: end.end()] if end else line + "\n")
            if end is None:
                continue
            fenced, line = False, " " * end.end() + line[end.end() :]
        elif opened is not None and FENCE_OPEN.match(line):
            fenced = True
            buf.append(line + "\n")
            continue
        stripped = line.strip()
        if (
            depth == 1
            and opened is None
            and HEADING_LINE.match(line)
            and "#|" not in line
        ):
            return i - 1, rows  # an unclosed table ends at the next heading
        if stripped.startswith("#|"):
            depth += 1
            if depth == 1:
                line = line[line.find("#|") + 2 :]
        if depth > 1:
            buf.append(line + "\n")
            if stripped.endswith("|#") or stripped.startswith("|#"):
                depth -= 1
            continue
        closing = stripped.endswith("|#")
        if closing:
            line = line[: line.rfind("|#")]
        opened = scan_line(line, i, opened, buf, rows)
        if closing:
            return i, keep_open_row(rows, opened, buf)
    return len(lines) - 1, keep_open_row(rows, opened, buf)


def keep_open_row(
    rows: list[RawRow], opened: tuple[int, int] | None, buf: list[str]
) -> list[RawRow]:
    """A last row the table closes without its `||` still holds a row."""
    if opened is not None and "".join(buf).strip():
        text = "".join(buf)
        rows.append(RawRow(opened[0], opened[1], first_cell(text), text))
    return rows


ROW_MARK = re.compile(r"\\\||\|\|")  # an escaped pipe, or a row's opening/closing `||`


def scan_line(
    line: str,
    idx: int,
    opened: tuple[int, int] | None,
    buf: list[str],
    rows: list[RawRow],
) -> tuple[int, int] | None:
    pos = 0
    for m in ROW_MARK.finditer(line):
        if m.group() != "||":
            continue
        if opened is None:
            opened, buf[:] = (idx + 1, m.start() + 1), []
        else:
            buf.append(line[pos : m.start()])
            text = "".join(buf)
            rows.append(RawRow(opened[0], opened[1], first_cell(text), text))
            opened = None
        pos = m.end()
    if opened is not None:
        buf.append(line[pos:] + "\n")
    return opened


def first_cell(text: str) -> str:
    m = re.search(r"(?<![\\|])\|(?!\|)", text)
    return (text[: m.start()] if m else text).strip()


def row_name(row: RawRow) -> str:
    """The parameter a row describes: the bold text (or first line) of its first cell."""
    line = row.first.strip().split("\n")[0]
    m = re.search(r"\*\*(.+?)\*\*", line)
    name = m.group(1) if m else line
    name = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", name)
    return re.sub(r"\^\*\^|\\\*|\*|`", "", name).strip()


def row_mark(row: RawRow) -> int:
    """Required level from the star marks next to the name: 0, 1 or 2 (conditionally)."""
    line = row.first.strip().split("\n")[0]
    m = re.match(r"^\*\*(.+?)\*\*((?:\\?\*|\^\*\^)*)", line)
    if not m:
        return 0
    inner = re.search(r"((?:\\?\*|\^\*\^)*)$", m.group(1)).group(1)
    stars = (inner + m.group(2)).replace("^*^", "*").replace("\\", "").count("*")
    return min(stars, 2)


# ---------------------------------------------------------------- facts of one page


@dataclass(frozen=True)
class SubTable:
    heading: str
    line: int
    names: tuple[str, ...]
    marks: tuple[int, ...] = ()


@dataclass(frozen=True)
class PageFacts:
    """What a raw page holds, found without the reader."""

    title: str = ""
    title_line: int = 0
    method_page: bool = False
    name: str | None = None  # the method name title and examples agree on
    scopes: bool = False
    v3: bool = False
    params: tuple[RawRow, ...] = ()
    sub_tables: tuple[SubTable, ...] = ()
    error_rows: int = 0
    error_codes: tuple[str, ...] = ()
    error_line: int = 0
    system_rows: int = 0
    deprecated: bool = False  # a "DEPRECATED" (or "development halted") warning note
    replaced: bool = False  # ...that links to another page

    @property
    def param_rows(self) -> int:
        return len(self.params) + sum(len(t.names) for t in self.sub_tables)


def page_facts(text: str, path: Path) -> PageFacts:
    text = hide(text)
    title, title_line = find_title(text)
    tables, headings = scan_tables(text)
    calls = called_names(text)
    params, subs = param_rows(tables)
    has_params = any(
        PARAM_SECTION.match(h) for _, lvl, h in headings if lvl <= 2
    ) or bool(NO_PARAMS.search(text))
    titled = title_calls(title, calls)
    name = expected_name(title, calls if has_params or titled else Counter())
    errors = [t for t in tables if ERROR_SECTION.match(t.section) and is_error_table(t)]
    note = DEPRECATION_NOTE.search(text)
    return PageFacts(
        title=title,
        title_line=title_line,
        name=name,
        method_page=bool(name)
        and documents_a_method(text, path, title, titled or has_params),
        scopes=bool(SCOPE_LINE.search(text)),
        v3="/rest/api/" in text,
        params=tuple(params),
        sub_tables=tuple(subs),
        error_rows=sum(len(t.body) for t in errors),
        error_codes=tuple(c for t in errors for c in table_codes(t)),
        error_line=errors[0].line if errors else 0,
        system_rows=system_error_rows(text, path),
        deprecated=note is not None,
        replaced=bool(note and PAGE_LINK.search(note.group(1))),
    )


def documents_a_method(text: str, path: Path, title: str, evidence: bool) -> bool:
    """A method page: not an overview (index.md) nor an event; it says who may call it or
    which scope it needs; its title names a method, or it lists parameters, or its title's
    last word is what its examples call."""
    if path.name == "index.md" or EVENT_PAGE.search(text):
        return False
    if not (SCOPE_LINE.search(text) or WHO_LINE.search(text)):
        return False
    return evidence or any("." in c for c in title_candidates(title))


def find_title(text: str) -> tuple[str, int]:
    fenced = False
    for i, line in enumerate(text.split("\n")):
        if fence_toggles(line, fenced):
            fenced = not fenced
        elif not fenced and line.startswith("# "):
            return line[2:].strip(), i + 1
    return "", 0


def called_names(text: str) -> Counter[str]:
    """Method names the page's code blocks call, by how often."""
    found: Counter[str] = Counter()
    for block in code_blocks(text):
        for m in CALLED.finditer(block):
            name = next(g for g in m.groups() if g).rstrip(".")
            found[name] += 1
    return found


def code_blocks(text: str) -> list[str]:
    blocks: list[str] = []
    current: list[str] | None = None
    for line in text.split("\n"):
        if fence_toggles(line, current is not None):
            if current is None:
                current = []
            else:
                blocks.append("\n".join(current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def title_candidates(title: str) -> list[str]:
    """Names a title may end with; a family (`user.option.*`) names no single method."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title).replace("`", "")
    plain = re.sub(r"\S+\.\*", " ", plain)
    words = [w.strip(".,:()\"'«»") for w in plain.split()]
    dotted = DOTTED.findall(plain)
    return list(reversed(dotted)) + ([words[-1]] if words and words[-1] else [])


def title_calls(title: str, calls: Counter[str]) -> bool:
    lowered = {c.lower() for c in calls}
    return any(c.lower() in lowered for c in title_candidates(title))


def expected_name(title: str, calls: Counter[str]) -> str | None:
    """The title's method name when the examples call it; a dotted title name when there
    are no examples or the examples call some other method; what the examples call most
    when the title names no method or a misspelt one (same last part, or a longer name).
    """
    by_lower = {c.lower(): c for c in calls}
    candidates = title_candidates(title)
    for cand in candidates:
        if cand.lower() in by_lower:
            return cand if "." in cand else by_lower[cand.lower()]
    dotted = next((c for c in candidates if "." in c), None)
    if not calls:
        return dotted
    most = calls.most_common(1)[0][0]
    if dotted is None:
        return most
    same_action = most.lower().rsplit(".", 1)[-1] == dotted.lower().rsplit(".", 1)[-1]
    longer = most.lower().startswith(dotted.lower() + ".")
    return most if (same_action and "." in most) or longer else dotted


def param_rows(tables: list[RawTable]) -> tuple[list[RawRow], list[SubTable]]:
    """Rows of the parameter tables: top-level tables of the parameters section (or, with no
    such section, name tables before the first H2) and their named sub-tables."""
    top: list[RawRow] = []
    subs: list[SubTable] = []
    for table in tables:
        if not is_param_table(table):
            continue
        in_section = PARAM_SECTION.match(table.section) or (
            table.section == "" and table.has_header
        )
        if (
            in_section
            and table.heading
            and not MORE_PARAMS_HEADING.match(table.heading)
        ):
            if VALUE_LIST.match(table.heading) or NOT_PARAMS_HEADING.match(
                table.heading
            ):
                continue  # "Possible values of the TYPE key": values, not parameters
            rows = [r for r in table.body if row_name(r)]
            subs.append(
                SubTable(
                    table.heading,
                    table.line,
                    tuple(row_name(r) for r in rows),
                    tuple(row_mark(r) for r in rows),
                )
            )
        elif in_section:
            top.extend(r for r in table.body if row_name(r))
    return top, subs


def is_param_table(table: RawTable) -> bool:
    if not table.rows:
        return False
    if not table.has_header:
        return True
    first = table.rows[0].first
    typed = re.search(r"`(?:type|тип)`", first, re.I) is not None
    return (NAME_HEADER.match(bare(first)) is not None or typed) and "|" in table.rows[
        0
    ].text


def is_error_table(table: RawTable) -> bool:
    """Tables of an errors section, except the ones describing response fields."""
    if not table.rows:
        return False
    head = bare(table.rows[0].first).lower()
    return not re.match(r"^(?:name|название|parameter|параметр)\b", head)


def cells(row: RawRow) -> list[str]:
    """A row's cells: split at every `|` that is not escaped."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.text)]


def table_codes(table: RawTable) -> list[str]:
    """The error code of each row: the first code span (or line) of the code column; rows
    of a table without one carry the `Error code:` line above it, or nothing."""
    header = [bare(c).lower() for c in cells(table.rows[0])]
    col = next((i for i, h in enumerate(header) if CODE_HEADER.match(h)), None)
    if col is None:
        return [table.code_line] * len(table.body)
    out = []
    for row in table.body:
        row_cells = cells(row)
        cell = row_cells[col].split("\n")[0] if col < len(row_cells) else ""
        spans = re.findall(r"`([^`]+)`", cell)
        out.append(spans[0].strip() if spans else bare(cell))
    return out


INCLUDE_ROWS: dict[Path, int] = {}


def system_error_rows(text: str, path: Path) -> int:
    m = SYSTEM_INCLUDE.search(text)
    if not m:
        return 0
    target = (path.parent / m.group(1).split("#")[0]).resolve()
    if target not in INCLUDE_ROWS:
        try:
            tables, _ = scan_tables(hide(target.read_text(encoding="utf-8")))
        except OSError:
            tables = []
        INCLUDE_ROWS[target] = sum(len(t.body) for t in tables)
    return INCLUDE_ROWS[target]


# ---------------------------------------------------------------- reading and comparing


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
            s = stats.get(p.category) or CategoryStats(p.category)
            stats[p.category] = CategoryStats(
                p.category,
                s.pages + 1,
                s.method_pages + p.method_page,
                s.complete + (p.method_page and p.complete),
                s.param_rows + p.param_rows,
                s.error_rows + p.error_rows,
            )
        return [stats[k] for k in sorted(stats)]

    def findings(self) -> list[Diagnostic]:
        return [f for p in self.pages for f in p.findings]


def pages_of(root: Path) -> list[Path]:
    """Every .md page below `root`, skipping folders (and files) whose name starts with _."""
    if root.is_file():
        return [root]
    return sorted(
        p
        for p in root.rglob("*.md")
        if p.is_file()
        and not any(part.startswith(("_", ".")) for part in p.relative_to(root).parts)
    )


def category_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts if root.is_dir() else path.parts
    if "api-reference" in parts:
        idx = parts.index("api-reference")
        rest = parts[idx + 1 :]
        return rest[0] if len(rest) > 1 else "(api-reference)"
    return parts[0] if len(parts) > 1 else "(top)"


def check_tree(root: Path) -> TreeReport:
    pages = tuple(
        check_page(path, category_of(path, root), str(path)) for path in pages_of(root)
    )
    return TreeReport(str(root), pages)


def check_page(path: Path, category: str, display: str) -> PageResult:
    """Read one page twice (raw scan and the reader) and compare; never raises."""
    try:
        return compare_page(path, category, display)
    except (
        Exception
    ) as exc:  # noqa: BLE001 (the one place a page may fail; reported, not raised)
        return PageResult(
            display, category, True, False, findings=(crash_finding(exc, display),)
        )


def crash_finding(exc: Exception, display: str) -> Diagnostic:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = (
        f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
        if tb
        else "?"
    )
    return Diagnostic(
        Position(display, 1, 1),
        "CONF000",
        f"reading the page raised {type(exc).__name__}: {exc}",
        f"reader bug at {where}",
    )


def compare_page(path: Path, category: str, display: str) -> PageResult:
    from generator.read import read_file

    text = path.read_text(encoding="utf-8")
    facts = page_facts(text, path)
    methods, _ = read_file(path, "markdown", display)
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
        return [
            Diagnostic(
                at,
                "CONF001",
                f"method page '{facts.name}' gave no method record",
                "the reader found no method name or no method evidence",
            )
        ]
    out = []
    if facts.name and method.method.lower() != facts.name.lower():
        out.append(
            Diagnostic(
                at,
                "CONF002",
                f"method name {method.method!r}, the page's title "
                f"and examples say {facts.name!r}",
            )
        )
    if facts.scopes and not method.scope:
        out.append(
            Diagnostic(at, "CONF003", "no scope read from the page's Scope line")
        )
    if (method.api == "v3") != facts.v3:
        out.append(
            Diagnostic(
                at,
                "CONF004",
                f"api {method.api}, the examples call "
                f"{'/rest/api/' if facts.v3 else '/rest/'}",
            )
        )
    if facts.deprecated and not method.deprecated:
        out.append(
            Diagnostic(
                at,
                "CONF010",
                "the page has a deprecation note, the record is " "not deprecated",
            )
        )
    elif facts.replaced and not method.replacement:
        out.append(
            Diagnostic(
                at,
                "CONF011",
                "the deprecation note links to a replacement, " "the record has none",
            )
        )
    out.extend(judge_params(facts, method, display))
    out.extend(judge_errors(facts, method, display, at))
    return out


def flat(params: tuple[Param, ...]) -> list[Param]:
    out: list[Param] = []
    for p in params:
        out.append(p)
        out.extend(flat(p.fields))
    return out


def mark_of(p: Param) -> int:
    return 2 if p.conditionally_required else int(p.required)


def judge_params(facts: PageFacts, method: Method, display: str) -> list[Diagnostic]:
    out = []
    top = {p.name.lower(): p for p in method.params}
    for row in facts.params:
        name = row_name(row)
        p = top.get(name.lower())
        pos = Position(display, row.line, row.col)
        if p is None:
            out.append(
                Diagnostic(
                    pos,
                    "CONF005",
                    f"parameter row {name!r} is not a parameter " "of the record",
                )
            )
        elif mark_of(p) != row_mark(row):
            out.append(
                Diagnostic(
                    pos,
                    "CONF006",
                    f"parameter {name!r}: required mark "
                    f"{row_mark(row)} on the page, {mark_of(p)} "
                    "in the record (0 no, 1 yes, 2 conditionally)",
                )
            )
    groups = [
        {f.name.lower(): f for f in p.fields} for p in flat(method.params) if p.fields
    ]
    groups.append(top)
    for sub in facts.sub_tables:
        out.extend(judge_sub_table(sub, groups, display))
    listed = {row_name(r).lower() for r in facts.params} | {
        n.lower() for sub in facts.sub_tables for n in sub.names
    }
    for p in flat(method.params):
        if p.name.lower() not in listed:
            out.append(
                Diagnostic(
                    p.position or Position(display, 1, 1),
                    "CONF012",
                    f"the record has parameter {p.name!r} that no table row lists",
                )
            )
    return out


def judge_sub_table(
    sub: SubTable, groups: list[dict[str, Param]], display: str
) -> list[Diagnostic]:
    """A sub-table is held when some parameter's fields hold all its rows (marks included)."""
    names = [n.lower() for n in sub.names]
    holding = [g for g in groups if all(n in g for n in names)]
    pos = Position(display, sub.line, 1)
    if names and not holding:
        return [
            Diagnostic(
                pos,
                "CONF007",
                f"sub-table '{sub.heading}' ({len(names)} rows) is "
                "not the fields of any parameter",
            )
        ]
    if names and not any(
        all(mark_of(g[n]) == m for n, m in zip(names, sub.marks)) for g in holding
    ):
        return [
            Diagnostic(
                pos,
                "CONF006",
                f"sub-table '{sub.heading}': required marks differ "
                "from the record's",
            )
        ]
    return []


def judge_errors(
    facts: PageFacts, method: Method, display: str, at: Position
) -> list[Diagnostic]:
    own = sum(1 for e in method.errors if not e.system)
    system = sum(1 for e in method.errors if e.system)
    out = []
    if own != facts.error_rows:
        out.append(
            Diagnostic(
                Position(display, facts.error_line or at.line, 1),
                "CONF008",
                f"{facts.error_rows} error rows on the page, {own} in the record",
            )
        )
    else:
        out.extend(judge_codes(facts, method, display))
    if system != facts.system_rows:
        out.append(
            Diagnostic(
                at,
                "CONF009",
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
        Diagnostic(
            Position(display, facts.error_line or 1, 1),
            "CONF013",
            f"error codes differ: the page has {missing}, the record {extra}",
        )
    ]


# ---------------------------------------------------------------- English against Russian


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
    """For methods documented in both trees: do the parameter names, required marks and
    error codes agree? A method is matched by its page's path below the tree (the two
    trees share their layout), else by name and api when that is unique in both."""
    pairs = agreeing = 0
    found: list[Disagreement] = []
    for m, other in paired(first, second):
        pairs += 1
        diffs = differences(m, other)
        agreeing += not diffs
        found.extend(diffs)
    return Agreement(pairs, agreeing, tuple(found))


def method_pages(report: TreeReport) -> dict[str, Method]:
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


def unique_by_key(methods) -> dict[tuple[str, str], Method]:
    seen: dict[tuple[str, str], list[Method]] = {}
    for m in methods:
        seen.setdefault(m.key, []).append(m)
    return {k: v[0] for k, v in seen.items() if len(v) == 1}


ASPECTS = {"param": "params", "required": "required", "error": "errors"}


def differences(a: Method, b: Method) -> list[Disagreement]:
    """The lint comparison (`spec.compare`), grouped by aspect: one definition of when the
    two languages' records of a method disagree."""
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for d in compare_methods(a, b):
        left, right = grouped.setdefault(ASPECTS[d.kind], ([], []))
        if d.kind == "required":
            left.append(f"{d.subject} ({d.left})")
            right.append(f"{d.subject} ({d.right})")
        else:
            (left if d.left in ("documented", "listed") else right).append(d.subject)
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
        for aspect, (left, right) in sorted(grouped.items())
    ]


# ---------------------------------------------------------------- what the CLI prints


def tree_data(report: TreeReport) -> dict:
    return {
        "root": report.root,
        "pages": len(report.pages),
        "method_pages": report.method_pages,
        "complete": report.complete,
        "ratio": round(report.ratio, 4),
        "crashes": report.crashes,
        "categories": [
            {
                "category": c.category,
                "pages": c.pages,
                "method_pages": c.method_pages,
                "complete": c.complete,
                "param_rows": c.param_rows,
                "error_rows": c.error_rows,
            }
            for c in report.categories()
        ],
        "incomplete": [
            {
                "path": p.path,
                "category": p.category,
                "findings": [
                    {
                        "position": str(f.position),
                        "code": f.code,
                        "message": f.message,
                        "hint": f.hint,
                    }
                    for f in p.findings
                ],
            }
            for p in report.pages
            if p.method_page and not p.complete
        ],
    }


def agreement_data(agreement: Agreement) -> dict:
    return {
        "pairs": agreement.pairs,
        "agreeing": agreement.agreeing,
        "ratio": round(agreement.ratio, 4),
        "disagreements": [
            {
                "method": d.method,
                "api": d.api,
                "aspect": d.aspect,
                "only_first": list(d.only_first),
                "only_second": list(d.only_second),
                "first": d.first,
                "second": d.second,
            }
            for d in agreement.disagreements
        ],
    }


def percent(ratio: float) -> str:
    return f"{ratio * 100:.2f}%"


def format_tree(report: TreeReport) -> list[str]:
    """A table by category, the totals, then every finding of the incomplete pages."""
    head = f"{'category':<22}{'pages':>7}{'methods':>9}{'complete':>10}{'params':>8}{'errors':>8}"
    lines = [f"conformance of {report.root}", head]
    for c in report.categories():
        lines.append(
            f"{c.category:<22}{c.pages:>7}{c.method_pages:>9}{c.complete:>10}"
            f"{c.param_rows:>8}{c.error_rows:>8}"
        )
    rows = report.categories()
    lines.append(
        f"{'total':<22}{len(report.pages):>7}{report.method_pages:>9}"
        f"{report.complete:>10}{sum(c.param_rows for c in rows):>8}"
        f"{sum(c.error_rows for c in rows):>8}"
    )
    lines.append(
        f"complete method records: {report.complete} of {report.method_pages} "
        f"({percent(report.ratio)}); crashes: {report.crashes}"
    )
    lines.extend(f.format() for f in report.findings())
    return lines


def format_agreement(agreement: Agreement, first: str, second: str) -> list[str]:
    lines = [
        f"{first} against {second}: {agreement.agreeing} of {agreement.pairs} methods "
        f"in both agree on parameter names, required marks and error codes "
        f"({percent(agreement.ratio)})"
    ]
    for d in agreement.disagreements:
        lines.append(
            f"  {d.method} ({d.api}) {d.aspect}: only in {first} "
            f"{list(d.only_first)}, only in {second} {list(d.only_second)}  "
            f"[{d.first} | {d.second}]"
        )
    return lines
