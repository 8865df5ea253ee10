"""Reader for YFM markdown pages: the official docs, and specs with a YAML front
matter."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, Position, diagnostic
from generator.ir import Error, Example, Method, Param, ReturnField, Returns, Source
from generator.read import alternatives, frontmatter
from generator.read import text as T
from generator.read.deps import collecting_includes, depends_on, display_path
from generator.read.frontmatter import YamlMapping
from generator.read.nesting import ParamTable, anchors_of, nest, row_links
from generator.read.yfm import Block, Cell, scan


@dataclass
class Page:
    """A page's blocks with includes spliced in and each block's section role known."""

    path: Path
    display: str
    blocks: list[Block]
    roles: list[str | None]  # role of the H2/H3 section each block sits in
    subsections: list[str]  # text of the nearest heading above each block
    problems: list[Diagnostic] = field(default_factory=list)
    headings: list[Block | None] = field(default_factory=list)  # nearest above each


MAX_PAGE_BYTES = 8 * 1024 * 1024


def read_file_text(
    path: Path, display: str, raw: bool = False
) -> tuple[str | None, list[Diagnostic]]:
    """A page's text: UTF-8 without a byte-order mark, line ends made `\n` (CRLF and
    lone CR alike), or the diagnostic saying why it cannot be read. `raw` keeps the
    text as the file has it, for verbs that write it back byte for byte."""
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            limit = MAX_PAGE_BYTES // (1024 * 1024)
            message = f"file is {size:,} bytes; pages are read up to {limit} MiB"
            return None, [diagnostic("READ005", Position(display, 1, 1), message)]
        data = path.read_bytes()
    except OSError as exc:
        return None, [
            diagnostic(
                "READ001",
                Position(display, 1, 1),
                f"cannot read file: {exc.strerror or exc}",
                "check that the path exists and is readable",
            )
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            diagnostic(
                "READ002",
                Position(display, line, col),
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                "save the file as UTF-8",
            )
        ]
    return (text if raw else normalized(text)), []


def normalized(text: str) -> str:
    """Text as the readers expect it: no byte-order mark, `\n` line ends."""
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def expand_includes(
    blocks: list[Block], path: Path, display: str, depth: int = 0
) -> tuple[list[Block], list[Diagnostic]]:
    out: list[Block] = []
    problems: list[Diagnostic] = []
    for block in blocks:
        if block.kind != "include":
            out.append(block)
            continue
        target = (path.parent / block.text.split("#")[0]).resolve()
        target_display = display_path(target)
        depends_on(target)  # a missing include counts too: creating it changes the page
        if depth > 5 or not target.is_file():
            problems.append(
                diagnostic(
                    "YFM006",
                    Position(display, block.line, block.col),
                    f"include target '{block.text}' does not exist",
                    "fix the include path (it is relative to this file)",
                )
            )
            continue
        inner, inner_problems = included_blocks(target, target_display, depth)
        out.extend(replace(b, tab=b.tab or block.tab) for b in inner)
        problems.extend(inner_problems)
    return out, problems


# An included file as scanned: (path, depth, display, mtime, size).
IncludeKey = tuple[Path, int, str, int, int]
# Its blocks, problems and every file it pulled in (itself and nested includes).
INCLUDE_CACHE: dict[IncludeKey, tuple[list[Block], list[Diagnostic], set[Path]]] = {}


def included_blocks(
    target: Path, display: str, depth: int
) -> tuple[list[Block], list[Diagnostic]]:
    """The blocks of an included file, scanned once while the file is unchanged (pages
    share a few includes); callers get copies, so what they change stays theirs."""
    stat = target.stat()
    key: IncludeKey = (target, depth, display, stat.st_mtime_ns, stat.st_size)
    if key not in INCLUDE_CACHE:
        with collecting_includes() as nested:
            text, problems = read_file_text(target, display)
            blocks: list[Block] = []
            if text is not None:
                blocks, inner_problems = scan(text, display)
                blocks, more = expand_includes(blocks, target, display, depth + 1)
                problems = problems + inner_problems + more
        INCLUDE_CACHE[key] = (blocks, problems, {target, *nested})
    blocks, problems, files = INCLUDE_CACHE[key]
    depends_on(*files)
    return [replace(b) for b in blocks], list(problems)


def build_page(path: Path, display: str, body: str, body_line: int) -> Page:
    blocks, problems = scan(body, display, body_line)
    blocks, more = expand_includes(blocks, path, display)
    roles: list[str | None] = []
    subsections: list[str] = []
    headings: list[Block | None] = []
    role: str | None = None
    sub = ""
    nearest: Block | None = None
    for block in blocks:
        if block.kind == "heading":
            nearest = block
            found = T.section_role(block.text) or (
                "params" if block.level <= 2 and T.params_heading(block.text) else None
            )
            if block.level <= 2 or found:
                role = found  # an H3+ without a role of its own stays in its section
            sub = T.heading_text(block.text)
        roles.append(role)
        subsections.append(sub)
        headings.append(nearest)
    return Page(path, display, blocks, roles, subsections, problems + more, headings)


# ---------------------------------------------------------------- tables


def header_roles(row: list[Cell]) -> list[str | None]:
    return [T.column_role(c.text) for c in row]


def column(roles: list[str | None], *wanted: str) -> int | None:
    for w in wanted:
        if w in roles:
            return roles.index(w)
    return None


def cell_text(row: list[Cell], idx: int | None) -> str:
    if idx is None or idx >= len(row):
        return ""
    return row[idx].text


def params_from_table(
    block: Block, display: str, problems: list[Diagnostic]
) -> list[Param]:
    table = param_table(block, display, problems)
    return table.params if table else []


def param_table(
    block: Block, display: str, problems: list[Diagnostic]
) -> ParamTable | None:
    """The parameters of a table whose first column names them; a table without a header
    row (it starts straight with a parameter) is read as name | description."""
    rows = block.rows
    if not rows or not rows[0]:
        return None
    layout = param_layout(rows[0])
    if layout is None:
        return None
    name_col, type_col, desc_col, headed = layout
    table = ParamTable()
    for row in rows[1:] if headed else rows:
        if headed:
            check_width(row, rows[0], block, display, problems)
        param = param_from_row(row, name_col, type_col, desc_col, display)
        if param is not None:
            table.params.append(param)
            table.links.append(row_links(*(c.text for c in row)))
    return table


def param_layout(header: list[Cell]) -> tuple[int, int | None, int | None, bool] | None:
    """(name column, type column, description column, has a header row) or None when the
    table does not list parameters."""
    roles = header_roles(header)
    name, required, types = T.parse_name_cell(header[0].text)
    type_hint = bool(types) and all(t.lower() in ("type", "тип") for t in types)
    if roles[0] in ("name", "field", "key") or (type_hint and not required):
        return 0, column(roles, "type"), column(roles, "description"), True
    if roles[0] is None and name and (types or required or "](" in header[0].text):
        return 0, None, 1 if len(header) > 1 else None, False
    return None


def check_width(
    row: list[Cell],
    header: list[Cell],
    block: Block,
    display: str,
    problems: list[Diagnostic],
) -> None:
    if len(row) != len(header):
        problems.append(
            diagnostic(
                "YFM007",
                Position(
                    display,
                    row[0].line if row else block.line,
                    row[0].col if row else 1,
                ),
                f"table row has {len(row)} cells, the header has {len(header)}",
                "check for a stray or missing |",
            )
        )


def param_from_row(
    row: list[Cell],
    name_col: int,
    type_col: int | None,
    desc_col: int | None,
    display: str,
) -> Param | None:
    if name_col >= len(row):
        return None
    cell = row[name_col]
    name, required, types = T.parse_name_cell(cell.text)
    if not name:
        return None
    if type_col is not None:
        types = T.type_tokens(cell_text(row, type_col)) or [
            T.plain(cell_text(row, type_col))
        ]
    ptype, item = normalize_type(types)
    return Param(
        name=name,
        type=ptype,
        item_type=item,
        required=required == 1,
        conditionally_required=required == 2,
        description=T.plain(cell_text(row, desc_col)),
        position=Position(display, cell.line, cell.col),
    )


def normalize_type(tokens: list[str]) -> tuple[str, str | None]:
    """Docs type tokens to (type, item_type): `integer[]` -> array of integer."""
    tokens = [t for t in tokens if t]
    if not tokens:
        return "any", None
    if len(tokens) == 1:
        t = tokens[0]
        if t.endswith("[]"):
            return "array", t[:-2]
        return t, None
    if len(tokens) == 2 and tokens[0] == "array":
        return "array", tokens[1]
    return " | ".join(tokens), None


def return_fields(block: Block, display: str) -> list[ReturnField]:
    rows = block.rows
    if not rows:
        return []
    roles = header_roles(rows[0])
    name_col = column(roles, "name", "field")
    if name_col is None:
        return []
    desc_col = column(roles, "description")
    type_col = column(roles, "type")
    out = []
    for row in rows[1:]:
        if name_col >= len(row):
            continue
        name, _, types = T.parse_name_cell(row[name_col].text)
        if type_col is not None:
            types = T.type_tokens(cell_text(row, type_col))
        if not name:
            continue
        rtype, _ = normalize_type(types)
        out.append(
            ReturnField(
                name=name,
                type=rtype,
                description=T.plain(cell_text(row, desc_col)),
                position=Position(display, row[name_col].line, row[name_col].col),
            )
        )
    return out


def status_from(text: str) -> int | None:
    m = re.search(r"\b([1-5]\d\d)\b", T.plain(text))
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class ErrorColumns:
    code: int | None
    field: int | None
    status: int | None
    message: int | None
    description: int | None
    value: int | None


def error_columns(header: list[Cell]) -> ErrorColumns | None:
    """Where an error table keeps what; None for tables that are not error lists (the
    error response's own fields: Name | Description)."""
    roles = header_roles(header)
    if not roles or roles[0] == "name":
        return None
    message = column(roles, "message")
    description = column(roles, "description")
    if message is None:  # Code | Description | Value: the description is the message
        message, description = description, None
    return ErrorColumns(
        column(roles, "code"),
        column(roles, "field"),
        column(roles, "status"),
        message,
        description,
        column(roles, "value", "fix"),
    )


def is_odd(code: str) -> bool:
    return code.strip().strip("\"'").strip().lower() in T.ODD_CODES


def errors_from_table(
    block: Block, display: str, system: bool, status: int | None, v3_code: str | None
) -> list[Error]:
    """Every row of an error table becomes an Error; a row whose code cell is not a code
    (`-`, `0`, "Empty value", no code column at all) keeps its text and is marked odd.
    """
    rows = block.rows
    cols = error_columns(rows[0]) if rows else None
    if cols is None:
        return []
    return [
        error_from_row(row, cols, block, display, system, status, v3_code)
        for row in rows[1:]
    ]


def error_from_row(
    row: list[Cell],
    cols: ErrorColumns,
    block: Block,
    display: str,
    system: bool,
    status: int | None,
    v3_code: str | None,
) -> Error:
    anchor = row[0] if row else Cell("", block.line, 1)
    message = T.plain(cell_text(row, cols.message))
    description = T.plain(
        cell_text(row, cols.description if cols.description is not None else cols.value)
    )
    row_status = (
        status_from(cell_text(row, cols.status)) if cols.status is not None else status
    )
    position = Position(display, anchor.line, anchor.col)
    if cols.code is None:
        fields = T.CODE.findall(cell_text(row, cols.field)) or [
            T.plain(cell_text(row, cols.field))
        ]
        code = v3_code or ""
        return Error(
            code=code,
            status=row_status,
            message=message,
            description=description,
            system=system,
            field=", ".join(f for f in fields if f) or None,
            odd=is_odd(code),
            position=position,
        )
    lines = [ln for ln in cell_text(row, cols.code).split("\n") if ln.strip()]
    codes = T.CODE.findall(lines[0]) if lines else []
    code = codes[0].strip() if codes else T.plain(lines[0] if lines else "")
    if (
        len(lines) > 1 and cols.status is not None
    ):  # `500` | `CODE`\nMessage | Description
        description = message
        message = T.plain("\n".join(lines[1:]))
    return Error(
        code=code,
        status=row_status,
        message=message,
        description=description,
        system=system,
        odd=is_odd(code),
        position=position,
    )


# ---------------------------------------------------------------- page -> method


@dataclass
class Draft:
    title: str = ""
    title_pos: Position | None = None
    scopes: list[str] = field(default_factory=list)
    who: str = ""
    description: list[str] = field(default_factory=list)
    deprecated: bool = False
    replacement: str | None = None
    v3: bool = False
    params: list[Param] = field(default_factory=list)
    sub_params: list[tuple[str, list[Param]]] = field(default_factory=list)
    returns: list[ReturnField] = field(default_factory=list)
    example_text: str | None = None
    errors: list[Error] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    no_params: bool = False
    param_tables: list[ParamTable] = field(default_factory=list)
    # The page documents an event ("Who can subscribe"), not a method.
    event: bool = False


def read_markdown_text(
    text: str, path: Path, display: str, fmt: str = "markdown"
) -> tuple[list[Method], list[Diagnostic]]:
    fm, problems = frontmatter.split(text, display)
    page = build_page(path, display, fm.body, fm.body_line)
    problems += page.problems
    draft = extract(page)
    method = assemble(draft, fm, page, fmt, problems)
    return ([method] if method else []), problems


V3_ERROR_CODE = re.compile(r"(?:error code|код ошибки)\s*:?\s*`([A-Za-z0-9_.]+)`", re.I)
HTTP_STATUS = ("http status", "http-статус", "статус http", "http-status")


def extract(page: Page) -> Draft:
    d = Draft()
    status: int | None = None
    v3_code: str | None = None
    seen_h2 = False
    sections = 0  # H2 headings passed
    section: Block | None = None  # the heading that opened the parameters section
    previous: str | None = None
    headings = page.headings or [None] * len(page.blocks)
    for block, role, heading in zip(page.blocks, page.roles, headings, strict=True):
        kind = block.kind
        if (
            kind == "heading"
            and role == "params"
            and previous != "params"
            and not (d.param_tables and T.params_heading(block.text) == "sub")
        ):  # "## Parameter fields" after a table above the first H2 details it
            section = block
        previous = role
        if kind == "heading":
            if block.level == 1 and not d.title:
                d.title = T.heading_text(block.text)
                d.title_pos = Position(page.display, block.line, block.col)
            elif block.level >= 2:
                seen_h2 = True
                sections += block.level == 2
            v3_code = None
            continue
        if kind == "quote" and d.title and not seen_h2:
            read_quote(block.text, d)
            continue
        if kind == "para" and role in ("errors", "system_errors", "response", None):
            if block.text.lstrip().lower().startswith(HTTP_STATUS):
                status = status_from(block.text)
            m = V3_ERROR_CODE.search(block.text)
            if m:
                v3_code = m.group(1)
        if kind in ("para", "note") and d.title and not seen_h2:
            read_intro(block, d, page)
            if kind == "para" and T.NO_PARAMS_TEXT.search(T.plain(block.text)):
                d.no_params = True
            continue
        if kind == "table":
            if role is None and d.title and not sections:
                read_intro_table(
                    block, heading if heading and heading.level > 1 else None, d, page
                )
            else:
                read_table(
                    block,
                    role,
                    None if heading is section else heading,
                    d,
                    page,
                    status,
                    v3_code,
                )
            continue
        if (
            kind == "para"
            and role == "params"
            and T.NO_PARAMS_TEXT.search(T.plain(block.text))
        ):
            d.no_params = True
        if kind == "code":
            read_code(block, role, d, page)
    return d


def read_intro_table(block: Block, heading: Block | None, d: Draft, page: Page) -> None:
    """A parameters table above the first section heading (pages without "Parameters"),
    or one of its sub-tables under a smaller heading."""
    if block.rows and block.rows[0] and header_roles(block.rows[0])[0] is not None:
        read_param_table(block, heading, d, page)


def read_quote(text: str, d: Draft) -> None:
    plain = T.plain(text)
    low = plain.lower()
    if low.startswith(("scope", "область")):
        raw = text.split(":", 1)[1] if ":" in text else text
        for scope in scope_names(raw):
            if scope not in d.scopes:
                d.scopes.append(scope)
    elif low.startswith(("who can subscribe", "кто может подписаться")):
        d.event = True
    elif low.startswith(("who can", "кто может")) and ":" in plain:
        d.who = plain.split(":", 1)[1].strip()


def scope_names(raw: str) -> list[str]:
    """The scopes of a Scope line: the code spans of its links (`[`crm`](...)`,
    `[`placement, crm`](...)`), else its code spans, else its comma-separated words;
    `базовый` is `basic`; words that cannot be a scope ("depending on ...") are dropped.
    """
    spans = [c for label, _ in T.LINK.findall(raw) for c in T.CODE.findall(label)]
    spans = spans or T.CODE.findall(raw) or [T.plain(raw)]
    words = [
        w.strip(" .") for span in spans for w in re.split(r",|\s+and\s+|\s+и\s+", span)
    ]
    words = [T.SCOPE_WORDS.get(w.lower(), w) for w in words]
    return [w for w in words if re.fullmatch(r"[A-Za-z][\w.]*", w)]


def read_intro(block: Block, d: Draft, page: Page) -> None:
    text = block.text
    if block.kind == "note":
        if T.DEPRECATION.search(text):
            d.deprecated = True
        return
    if block.note == "tip" or (
        block.note and block.note_title.strip() == "" and "MCP" in text
    ):
        return
    if re.search(r"REST 3\.0", text) and block.note:
        d.v3 = True
        return
    if (
        block.note == "warning" and T.DEPRECATION.search(block.note_title + " " + text)
    ) or (
        not block.note
        and T.DEPRECATION.search(text)
        and re.search("method|метод", text, re.I)
    ):
        d.deprecated = True
        if d.replacement is None:
            d.replacement = find_replacement(text, page)
        return
    if block.note:
        return
    d.description.append(T.plain(text))


# A file as it is now: its path, mtime and size (a long-lived process sees edits).
FileKey = tuple[Path, int, int]


def file_key(target: Path) -> FileKey:
    try:
        st = target.stat()
    except OSError:
        return (target, -1, -1)
    return (target, st.st_mtime_ns, st.st_size)


TITLE_CACHE: dict[FileKey, str | None] = {}
# Pages `b24gen import` is about to write, with the method each will document.
REMEMBERED: dict[Path, str] = {}


def page_method_name(target: Path) -> str | None:
    """The method a linked page documents, read from its title (cached while the
    file is unchanged)."""
    depends_on(target)
    if target in REMEMBERED:
        return REMEMBERED[target]
    key = file_key(target)
    if key not in TITLE_CACHE:
        name = None
        try:
            with target.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("# "):
                        name = T.title_method(line[2:])
                        name = name if name and T.METHOD_NAME.match(name) else None
                        break
        except OSError:
            pass
        TITLE_CACHE[key] = name
    return TITLE_CACHE[key]


def remember_page_method(target: Path, name: str) -> None:
    """Say which method the page at `target` documents before it exists (`b24gen
    import` writes pages that link to each other: a link must resolve to the same
    method whichever page is written first)."""
    REMEMBERED[target.resolve()] = name


def find_replacement(text: str, page: Page) -> str | None:
    """The method a deprecation note points to: the link's target page decides (its
    title's method); a link to an overview page names a family (`crm.item.*`)."""
    for label, href in T.LINK.findall(text):
        label = T.plain(label).strip("` ")
        if not href or href.startswith(("http", "#")):
            continue
        target = (page.path.parent / href.split("#")[0]).resolve()
        name = page_method_name(target) if target.name != "index.md" else None
        if name:
            return name
        if T.METHOD_NAME.match(label.rstrip(".*").rstrip(".")) or "*" in label:
            return label
        name = page_family(target)
        if name:
            return name
    tokens: list[str] = T.CODE.findall(text)
    for token in tokens:
        if T.METHOD_NAME.match(token) or T.METHOD_NAME.match(token.rstrip(".*")):
            return token
    return None


FAMILY_CACHE: dict[FileKey, str | None] = {}


def page_family(target: Path) -> str | None:
    """The family of methods an overview page is about: the `x.y.*` it names most, or
    the common prefix of the methods it links to (cached while the file is
    unchanged)."""
    depends_on(target)
    key = file_key(target)
    if key not in FAMILY_CACHE:
        FAMILY_CACHE[key] = family_of(target)
    return FAMILY_CACHE[key]


def family_of(target: Path) -> str | None:
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    families: Counter[str] = Counter(
        re.findall(r"\b([a-z][\w]*(?:\.[\w]+)+)\.\*", text)
    )
    if families:
        return families.most_common(1)[0][0] + ".*"
    names = [T.plain(label).strip("` ") for label, _ in T.LINK.findall(text)]
    groups = [n.split(".")[:-1] for n in names if T.METHOD_NAME.match(n)]
    prefix = common_prefix(groups) if groups else []
    return ".".join(prefix) + ".*" if len(prefix) >= 2 else None


def common_prefix(names: list[list[str]]) -> list[str]:
    prefix = names[0]
    for parts in names[1:]:
        n = 0
        while n < min(len(prefix), len(parts)) and prefix[n] == parts[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


def read_table(
    block: Block,
    role: str | None,
    heading: Block | None,
    d: Draft,
    page: Page,
    status: int | None,
    v3_code: str | None,
) -> None:
    """A table of a section; `heading` is the sub-heading above it in the section."""
    display = page.display
    is_system = role == "system_errors" or "system-errors" in block.path
    if role in ("errors", "system_errors") or is_system:
        d.errors.extend(
            errors_from_table(block, block.path or display, is_system, status, v3_code)
        )
        return
    if role == "params":
        read_param_table(block, heading, d, page)
        return
    if role == "returns" and not d.returns:
        d.returns = return_fields(block, block.path or display)


def read_param_table(block: Block, heading: Block | None, d: Draft, page: Page) -> None:
    """A table of the parameters section: the top table when it sits right under the
    section heading, otherwise a sub-table of the parameter its heading names."""
    display = block.path or page.display
    table = param_table(block, display, page.problems)
    if table is None:
        return
    table.position = Position(display, block.line, block.col)
    table.top = heads_section(heading)
    if heading is not None and not table.top:
        table.heading = T.heading_text(heading.text)
        if T.VALUE_LIST_HEADING.match(table.heading):
            return  # the values a parameter takes, not fields
        table.anchors = anchors_of(heading.text, table.heading)
    d.param_tables.append(table)


def heads_section(heading: Block | None) -> bool:
    """Whether a table under `heading` lists the section's own parameters: it sits right
    under the section heading, or under one such as "Additional Parameters" or a
    second heading over the method's own parameters ("Method Parameters for IFRAME
    Application" after "... for JS Command")."""
    return (
        heading is None
        or heading.level <= 1
        or bool(T.MORE_PARAMS_HEADING.match(T.heading_text(heading.text)))
        or (heading.level == 2 and T.params_heading(heading.text) == "top")
    )


def read_code(block: Block, role: str | None, d: Draft, page: Page) -> None:
    if role == "examples" or (role is None and block.tab):
        lang = T.language_of(block.tab, block.lang)
        calls = T.example_calls(block.text)
        if calls and "/rest/api/" in block.text:
            d.v3 = True
        d.examples.append(
            Example(
                language=lang,
                code=block.text.strip("\n"),
                payload=T.parse_payload(block.text),
                calls=calls,
                position=Position(page.display, block.line, block.col),
            )
        )
    elif role in ("response", "returns") and d.example_text is None:
        d.example_text = block.text


def legacy_tables(d: Draft) -> list[ParamTable]:
    """Readers that fill `params`/`sub_params` directly (the scraped forms) get the same
    nesting as markdown pages."""
    tables = [ParamTable(params=list(d.params))] if d.params else []
    tables += [
        ParamTable(params=list(fields), heading=parent, top=False)
        for parent, fields in d.sub_params
        if parent
    ]
    return tables


def method_name(d: Draft) -> str | None:
    """The wire name: the title's method name when the examples call it (or there are no
    examples); otherwise what the examples call, when it is the title's name corrected
    (`im.recent` -> `im.recent.pin`, `department.department.delete` ->
    `department.delete`) or the title names no method at all."""
    calls = Counter(e.calls for e in d.examples if e.calls)
    candidates = T.title_candidates(d.title) if d.title else []
    called = {c.lower(): c for c in calls}
    for cand in candidates:
        if cand.lower() in called and re.match(r"^[A-Za-z][\w.]*$", cand):
            return cand if "." in cand else called[cand.lower()]
    dotted = next((c for c in candidates if T.METHOD_NAME.match(c)), None)
    documented = bool(d.param_tables or d.params or d.no_params) and bool(
        d.scopes or d.who
    )
    if not calls or (dotted is None and not documented):
        return dotted  # a guide page that merely shows calls is not a method page
    top = calls.most_common(1)[0][0]
    if dotted is None or T.corrects(dotted, top):
        return top
    return dotted


def parse_example(text: str | None) -> tuple[Any, bool]:
    if text is None:
        return None, True
    try:
        return json.loads(text), True
    except ValueError:
        return None, False


def assemble(
    d: Draft,
    fm: frontmatter.FrontMatter,
    page: Page,
    fmt: str,
    problems: list[Diagnostic],
) -> Method | None:
    name = record_name(d, fm, page.display, problems)
    if not name:
        return None
    params = nest(d.param_tables or legacy_tables(d), problems)
    if not (fm.present or documents_method(d, params)):
        return None
    if not params and not d.no_params:
        params = front_matter_params(fm)
    else:
        params = params + example_only_params(fm, d, params)
    method = build_method(name, d, fm.data, params, Source(page.display, fmt))
    return alternatives.annotate(method, page.blocks, page.roles)


def record_name(
    d: Draft, fm: frontmatter.FrontMatter, display: str, problems: list[Diagnostic]
) -> str | None:
    """The wire name: the front matter's, else the body's; None when the page makes no
    record (a front matter that did not load, or one without a method: reported)."""
    if fm.present and not fm.parsed:
        return None
    fm_name = front_matter_str(fm.data, "method")
    if fm_name:
        return fm_name
    if fm.present:
        problems.append(
            diagnostic(
                "SPEC007",
                Position(display, 1, 1),
                "front matter has no 'method'",
                "add 'method: <wire name>' to the front matter",
            )
        )
        return None
    return method_name(d)


def documents_method(d: Draft, params: list[Param]) -> bool:
    """Whether a page without a front matter documents a method: a guide page that only
    names one in its title, or an event page, does not."""
    calls = any(e.calls for e in d.examples)
    return not d.event and (bool(d.scopes) or bool(params) or calls or d.no_params)


def build_method(
    name: str, d: Draft, data: YamlMapping, params: list[Param], source: Source
) -> Method:
    """The record: the body's facts, overridden by the front matter's valid values."""
    example, valid = parse_example(d.example_text)
    scopes = front_matter_scopes(data) or d.scopes
    api = front_matter_choice(data, "api", frontmatter.APIS) or body_api(d)
    deprecated = d.deprecated or data.get("deprecated") is True
    replacement = front_matter_str(data, "replacement") or (
        d.replacement if deprecated else None
    )
    pagination = front_matter_choice(
        data, "pagination", frontmatter.PAGINATION
    ) or infer_pagination(params, api)
    return Method(
        method=name,
        scope=scopes[0] if scopes else "",
        scopes=tuple(scopes),
        api=api,
        title=d.title,
        description="\n\n".join(x for x in d.description if x),
        who_can_execute=d.who,
        deprecated=deprecated,
        replacement=replacement,
        params=tuple(params),
        returns=Returns(
            fields=tuple(d.returns),
            example=example,
            example_text=None if valid else d.example_text,
            example_valid=valid,
        ),
        errors=tuple(d.errors),
        examples=tuple(d.examples),
        pagination=pagination,
        rate_limit_per_sec=front_matter_rate(data),
        aliases=front_matter_aliases(data),
        language=page_language(d),
        batch=data.get("batch") is not False,
        idempotent=front_matter_bool(data, "idempotent"),
        source=source,
        position=d.title_pos,
    )


def body_api(d: Draft) -> str:
    return "v3" if d.v3 or (d.title and T.V3_MARKERS.search(d.title)) else "v2"


def page_language(d: Draft) -> str:
    return (
        "ru"
        if re.search(r"[А-Яа-яЁё]", d.title + " ".join(d.description[:1]))
        else "en"
    )


# ---------------------------------------------------------------- front-matter values
# The front matter is YAML as written: a value of the wrong type was reported by the
# schema check (SPEC005) and counts as absent here.


def front_matter_str(data: YamlMapping, key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def front_matter_bool(data: YamlMapping, key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None


def front_matter_choice(
    data: YamlMapping, key: str, allowed: tuple[str, ...]
) -> str | None:
    value = front_matter_str(data, key)
    return value if value in allowed else None


def front_matter_scopes(data: YamlMapping) -> list[str]:
    value = data.get("scope")
    if isinstance(value, str):
        return [value]
    return [str(s) for s in value] if isinstance(value, list) else []


def front_matter_aliases(data: YamlMapping) -> tuple[str, ...]:
    value = data.get("aliases")
    return tuple(str(a) for a in value) if isinstance(value, list) else ()


def front_matter_rate(data: YamlMapping) -> float | None:
    value = data.get("rate_limit_per_sec")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None  # YAML's true is an int to Python
    return value if math.isfinite(value) and value > 0 else None  # SPEC005 says why


def front_matter_params(fm: frontmatter.FrontMatter) -> list[Param]:
    items = fm.data.get("params")
    if not isinstance(items, list):
        return []
    return [
        param_from_front_matter(p, fm.positions.get("params"))
        for p in items
        if isinstance(p, dict) and p.get("name")
    ]


def example_keys(d: Draft) -> list[str]:
    """The top-level keys the page's examples send, in order."""
    keys: list[str] = []
    for e in d.examples:
        if isinstance(e.payload, dict):
            keys.extend(str(k) for k in e.payload if str(k) not in keys)
    return keys


def example_only_params(
    fm: frontmatter.FrontMatter, d: Draft, params: list[Param]
) -> list[Param]:
    """Front-matter parameters the body's table lacks but its examples send: the
    docs' examples show the method takes them (`b24gen import` records them so)."""
    names = {p.name.lower() for p in params}
    sent = {k for k in example_keys(d) if k.lower() not in names}
    return [
        p
        for p in front_matter_params(fm)
        if p.name in sent and p.name.lower() not in names
    ]


def item_type_of(item: YamlMapping) -> str | None:
    value = item.get("item_type")
    return value if isinstance(value, str) and value else None


def param_from_front_matter(item: YamlMapping, pos: Position | None) -> Param:
    ptype, item_type = normalize_type([str(item.get("type", "any"))])
    return Param(
        name=str(item["name"]),
        type=ptype,
        item_type=item_type_of(item) or item_type,
        required=bool(item.get("required")),
        description=str(item.get("description", "")),
        position=pos,
    )


def infer_pagination(params: list[Param], api: str) -> str:
    names = {p.name.lower() for p in params}
    if api == "v3" and names & {"pagination", "page", "limit"}:
        return "page-limit"
    if api == "v2" and "start" in names:
        return "start-next"
    return "none"
