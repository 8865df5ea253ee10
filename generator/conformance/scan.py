"""The independent page scanner: what a raw docs page holds, found without the reader.

A deliberately simple line scanner over the page's text: it counts the `||` row
openers of `#| |#` tables and finds the title, the method names the code blocks call
and the rows of an `{% include %}`-ed `system-errors.md`. It shares no code with
generator/read on purpose: the conformance report measures the reader against it, and
a bug the two shared would hide itself.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator.spans import DEV_BLOCK, HTML_COMMENT, hide_spans

# an info string holds no backtick
FENCE_OPEN = re.compile(r"^\s*(?:`{3,}[^`]*|~{3,}.*)$")
FENCE_CLOSE = re.compile(r"^\s*(?:`{3,}|~{3,})\s*$")
HEADING_LINE = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
ANCHOR_TAIL = re.compile(r"\s*\{#[^}]*\}\s*$")
MD_LINK = re.compile(r"\[([^\[\]]*)\]\([^()]*\)")  # linear: no label spans a `[`
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
# An H1/H2 over the method's own parameters: "Parameters", "Method Parameters",
# "Stage Parameters", "Method Parameters for JS Command", "Параметры запроса".
PARAM_SECTION = re.compile(
    r"^(?:(?:method|request|input|query|call|stage|command) )?parameters"
    r"(?: of the method| for .+)?$|"
    r"^параметры(?: метода| запроса| вызова)?(?: для .+)?$",
    re.I,
)
# An H2 over the fields of one parameter, inside the parameters part of a page:
# "Parameter fields", "OPTIONS Parameter", "Parameters of the BodyDto Object".
ONE_PARAM_H2 = re.compile(
    r"^(?:parameters?|параметры?) \S+$|^\S+ (?:parameters?|параметры?)$|"
    r"^parameters of the \S+ object$|^параметры объекта \S+$",
    re.I,
)
NOT_INPUT_H2 = re.compile(r"response|result|return|event|ответ|результат|событи", re.I)
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
    r"\{%\s*note\s+warning\s+\"(?:deprecated[^\"]*|"
    r"[^\"]*(?:halted|discontinued|остановлено)[^\"]*)"
    r"\"\s*%\}(.*?)\{%\s*endnote\s*%\}",
    re.I | re.S,
)
PAGE_LINK = re.compile(r"\]\((?!https?:|#)[^)#]+\.md")
SYSTEM_INCLUDE = re.compile(r"\{%\s*include[^%]*\(([^)]*system-errors\.md)\)\s*%\}")

# ---------------------------------------------------------------- tables and rows


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
    # the code of an "Error code: `X`" line above, under the same heading
    code_line: str = ""

    @property
    def has_header(self) -> bool:
        return bool(self.rows) and looks_like_header(self.rows[0])

    @property
    def body(self) -> tuple[RawRow, ...]:
        return self.rows[1:] if self.has_header else self.rows


def looks_like_header(row: RawRow) -> bool:
    """A first row whose first cell holds a column title, not a parameter: no type
    link, no required mark (a table without a header starts with a parameter row)."""
    cell = row.first
    if not bare(cell) or "](" in cell or re.search(r"\*\*\*|\^\*\^|\\\*", cell):
        return False
    hints = re.findall(r"`([^`]*)`", cell)
    return (
        not hints
        or NAME_HEADER.match(bare(cell)) is not None
        or all(h.strip().lower() in ("type", "тип") for h in hints)
    )


def unlinked(text: str) -> str:
    """Markdown links replaced by their text."""
    return MD_LINK.sub(r"\1", text)


def bare(cell: str) -> str:
    """A cell's first line without markup: the words a reader would see."""
    line = unlinked(cell.strip().split("\n")[0])
    return re.sub(r"[*`\\^]", "", line).strip()


def fence_toggles(line: str, fenced: bool) -> bool:
    return (FENCE_CLOSE if fenced else FENCE_OPEN).match(line) is not None


def hide(text: str) -> str:
    """Comments and dev-only blocks blanked out, keeping every line number."""
    return hide_spans(hide_spans(text, HTML_COMMENT), DEV_BLOCK)


def section_name(heading: str) -> str:
    text = unlinked(ANCHOR_TAIL.sub("", heading))
    return re.sub(r"[*`]", "", text).strip().rstrip(":").strip().lower()


def scan_tables(text: str) -> tuple[list[RawTable], list[tuple[int, int, str]]]:
    """Every top-level `#| |#` table with its section, and every heading as
    (line, level, text)."""
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
            if level == 2 and details_one_param(title, section, tables):
                sub = title  # still the parameters part of the page
            elif level <= 2:
                section, sub = (title if level == 2 else ""), ""
            else:
                sub = title
        i += 1
    return tables, headings


def details_one_param(title: str, section: str, tables: list[RawTable]) -> bool:
    """An H2 such as "Parameter fields" right in the parameters part of a page: after
    a parameters section, or after tables above the first H2."""
    in_params = PARAM_SECTION.match(section) is not None or (
        section == "" and bool(tables)
    )
    return (
        in_params
        and ONE_PARAM_H2.match(title) is not None
        and not NOT_INPUT_H2.search(title)
        and not PARAM_SECTION.match(title)
    )


def read_rows(lines: list[str], start: int) -> tuple[int, list[RawRow]]:
    """Rows of the table opened at `start`: `||` opens and closes a row; code fences
    and nested tables inside cells are skipped. Returns the index of the closing
    line."""
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
        if depth == 1 and opened is None and ends_unclosed_table(line):
            return i - 1, rows
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


def ends_unclosed_table(line: str) -> bool:
    """A heading outside any row: the docs forgot the table's `|#`."""
    return HEADING_LINE.match(line) is not None and "#|" not in line


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
    """Add the rows one table line closes; returns where the row this line leaves
    open began (line, column), or None."""
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


# Bold text: `**...**`, where an escaped character (`\*`) does not close it.
BOLD = r"\*\*((?:\\.|[^\\])+?)\*\*(?!\*\*)"


def row_name(row: RawRow) -> str:
    """The parameter a row describes: the bold text (or first line) of its first
    cell."""
    line = row.first.strip().split("\n")[0]
    m = re.search(BOLD, line)
    name = unlinked(m.group(1) if m else line)
    name = re.sub(r"(?:\^\*\^|(?<!\\)\*)+$", "", name)  # the marks at its end
    name = name.replace("\\*", "\x00")  # an escaped star is the name's own
    return re.sub(r"\^\*\^|\*|`", "", name).replace("\x00", "*").strip()


def row_mark(row: RawRow) -> int:
    """Required level from the star marks next to the name: 0, 1 or 2
    (conditionally)."""
    line = row.first.strip().split("\n")[0]
    m = re.match("^" + BOLD + r"((?:\\?\*|\^\*\^)*)", line)
    if not m:
        return 0
    inside = re.search(r"((?:(?<!\\)\*|\^\*\^)*)$", m.group(1))
    inner = inside.group(1) if inside else ""
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
    has_params = lists_parameters(text, headings)
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


def lists_parameters(text: str, headings: list[tuple[int, int, str]]) -> bool:
    """A parameters section (H1 or H2), or a sentence saying there are none."""
    return any(
        PARAM_SECTION.match(h) for _, level, h in headings if level <= 2
    ) or bool(NO_PARAMS.search(text))


def documents_a_method(text: str, path: Path, title: str, evidence: bool) -> bool:
    """A method page: not an overview (index.md) nor an event; it says who may call it
    or which scope it needs; its title names a method, or it lists parameters, or its
    title's last word is what its examples call."""
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
    """Names a title may end with; a family (`user.option.*`) names no single
    method."""
    plain = unlinked(title).replace("`", "")
    plain = re.sub(r"\S+\.\*", " ", plain)
    words = [w.strip(".,:()\"'«»") for w in plain.split()]
    dotted = DOTTED.findall(plain)
    return list(reversed(dotted)) + ([words[-1]] if words and words[-1] else [])


def title_calls(title: str, calls: Counter[str]) -> bool:
    lowered = {c.lower() for c in calls}
    return any(c.lower() in lowered for c in title_candidates(title))


def expected_name(title: str, calls: Counter[str]) -> str | None:
    """The title's method name when the examples call it; a dotted title name when
    there are no examples or the examples call some other method; what the examples
    call most when the title names no method or a misspelt one (same last part, or a
    longer name).
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
    """Rows of the parameter tables: top-level tables of the parameters section (or,
    with no such section, name tables before the first H2) and their named
    sub-tables."""
    top: list[RawRow] = []
    subs: list[SubTable] = []
    for table in tables:
        if not is_param_table(table) or not in_param_section(table):
            continue
        if not table.heading or MORE_PARAMS_HEADING.match(table.heading):
            top.extend(r for r in table.body if row_name(r))
        elif not lists_values_or_results(table.heading):
            subs.append(sub_table(table))
    return top, subs


def in_param_section(table: RawTable) -> bool:
    return bool(
        PARAM_SECTION.match(table.section) or (table.section == "" and table.has_header)
    )


def lists_values_or_results(heading: str) -> bool:
    """Headings like "Possible values of the TYPE key" or "Response": their tables
    hold values or results, not parameters."""
    return bool(VALUE_LIST.match(heading) or NOT_PARAMS_HEADING.match(heading))


def sub_table(table: RawTable) -> SubTable:
    rows = [r for r in table.body if row_name(r)]
    return SubTable(
        table.heading,
        table.line,
        tuple(row_name(r) for r in rows),
        tuple(row_mark(r) for r in rows),
    )


def is_param_table(table: RawTable) -> bool:
    if not table.rows:
        return False
    if not table.has_header:
        return True
    first = table.rows[0].first
    typed = re.search(r"`(?:type|тип)`", first, re.I) is not None
    named = NAME_HEADER.match(bare(first)) is not None
    return (named or typed) and "|" in table.rows[0].text


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
    """The error code of each row: the first code span (or line) of the code column;
    rows of a table without one carry the `Error code:` line above it, or nothing."""
    header = [bare(c).lower() for c in cells(table.rows[0])]
    col = next((i for i, h in enumerate(header) if CODE_HEADER.match(h)), None)
    if col is None:
        return [table.code_line] * len(table.body)
    return [row_code(row, col) for row in table.body]


def row_code(row: RawRow, col: int) -> str:
    row_cells = cells(row)
    cell = row_cells[col].split("\n")[0] if col < len(row_cells) else ""
    spans = re.findall(r"`([^`]+)`", cell)
    return spans[0].strip() if spans else bare(cell)


# many pages include the same system-errors.md: scan each file once per process
INCLUDE_ROWS: dict[Path, int] = {}


def system_error_rows(text: str, path: Path) -> int:
    m = SYSTEM_INCLUDE.search(text)
    if not m:
        return 0
    target = (path.parent / m.group(1).split("#")[0]).resolve()
    if target not in INCLUDE_ROWS:
        INCLUDE_ROWS[target] = included_rows(target)
    return INCLUDE_ROWS[target]


def included_rows(target: Path) -> int:
    try:
        tables, _ = scan_tables(hide(target.read_text(encoding="utf-8")))
    except OSError:
        tables = []
    return sum(len(t.body) for t in tables)
