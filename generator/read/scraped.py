"""Reader for text scraped from the docs website, in its two forms.

"pipe": one line per block. A table opens with a lone `|` line, every cell ends with
` |` (an empty cell is a lone `|`) and each row opens with a lone `|` again. Inline code
inside cells is gone (error codes, types, field names; descriptions may stop
mid-sentence), code examples are flattened lines with their tab labels listed once
before them, and "Scope:" runs into the next line ("taskWho can execute the method:
...").

"blank": blocks separated by empty lines. Every table cell is its own block (a name cell
carries its type on a second line, a code cell its message), inline code is kept, code
examples keep their indentation (all lines but the first are indented).

A front end per form turns the text into Chunks (heading, text, table, code); one back
end walks them into the markdown reader's Draft and hands it to the markdown reader's
`assemble`, so every reader builds its Method the same way.

Neither form keeps links, heading levels or bold type. What a page's text therefore
cannot tell is listed in the record's `lossy` instead of guessed: a sub-table whose
heading names no parameter, or names one by a common word alone (`params.fields`); a
name whose star may be its own (`UF_*`) or that the pipe form dropped as inline code
(`params.name`, or `params.fields` within a sub-table). A table the docs' renderer left
as its markup (`#|` ... `|#` shown as text) is read as the table it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from generator.diagnostics import Diagnostic, Position, diagnostic
from generator.ir import Error, Example, Method, Param, ReturnField
from generator.read import text as T
from generator.read.frontmatter import FrontMatter
from generator.read.markdown import (
    Draft,
    Page,
    assemble,
    normalize_type,
    parse_example,
    status_from,
)
from generator.read.nesting import WEAK_NAMES, ParamTable, heading_paths
from generator.read.yfm import Cell, scan

# What each form cannot carry (IR field paths). The values there are best effort.
LOSSY = {
    "pipe": (
        "errors.code",
        "errors.description",
        "errors.field",
        "errors.message",
        "errors.status",
        "examples.language",
        "params.description",
        "params.type",
        "returns.fields.description",
        "returns.fields.type",
    ),
    "blank": ("examples.language",),
}

SCOPE_LINE = re.compile(
    r"^(?:scope|область действия|область)\s*:?\s*(.*)$", re.I | re.S
)
WHO = re.compile(r"(?:who can|кто может)[^:\n]*:\s*(.*)$", re.I | re.S)
SKIP_INTRO = re.compile(
    r"\bMCP\b|^(?:quick navigation|быстрый переход|user documentation|"
    r"пользовательская документация)\s*:",
    re.I,
)
EXAMPLES_NOTE = re.compile(r"^(?:how to use examples|как использовать примеры)", re.I)
TAB_LABEL = re.compile(r"^[\w.+#-]+(?: [\w.()+#-]+){0,3}$")
PROSE = re.compile(r"^[A-ZА-ЯЁ][^\n]*\s\S+\s\S+\s[^\n]*[.:]$")
URL_LINE = re.compile(r"^https?://\S+$")
# A line that opens a code example once the previous example is complete.
STARTER = re.compile(
    r"^(?:curl\b|try\s*(?:\{|$)|BX24\.|require_once\b|<!--|<\?php|//|"
    r"import\b|from\s+\S+\s+import\b|package\b|fetch\(|\$b24\s*=)"
)
CLOSERS = ("}", ")", ";", "]", "</script>", "?>")
COMMENT = re.compile(r"^\s*(?://|#|/\*|\*|<!--)")
QUOTED = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`(?:\\.|[^`\\])*`")
TOKEN = re.compile(r"^\S{1,80}$")
STATUS_CELL = re.compile(r"^[2-5](?:\d\d|\dx|xx)$")
# The line over the system errors ("HTTP Status: 20x, 40x, 50x", all three classes):
# the include's own heading is left out when a page includes it without its title. A
# page's own errors may come under "HTTP Status: 40x, 50x".
STATUS_CLASS = re.compile(r"\b[2-5]0x\b")
MARKED = re.compile(r"marked with|отмечены", re.I)
HEADING_WORD = re.compile(
    r"\b(?:parameters?|object|fields|structure|параметры?|объект|поля|структура)\b",
    re.I,
)
TYPE_LINE = re.compile(r"^[\w\[\].]+(?:\s*\|\s*[\w\[\].]+)*$")


@dataclass
class Chunk:
    kind: str  # heading | text | table | code
    text: str
    line: int
    header: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Block:
    """One blank-line-separated block of the blank form."""

    lines: list[str]
    line: int

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()

    @property
    def is_code(self) -> bool:
        rest = self.lines[1:]
        return any(ln.strip() for ln in rest) and all(
            not ln.strip() or ln[:1] in " \t" for ln in rest
        )


def read_scraped_text(
    text: str, path: Path, display: str, fmt: str
) -> tuple[list[Method], list[Diagnostic]]:
    """Read one scraped page ("pipe" or "blank" form) into Methods plus Diagnostics."""
    problems: list[Diagnostic] = []
    if fmt not in LOSSY:
        return [], [
            diagnostic(
                "SCR001",
                Position(display, 1, 1),
                f"unknown scraped form '{fmt}'",
                "use 'pipe' or 'blank'",
            )
        ]
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    chunks = (
        pipe_chunks(text, display, problems)
        if fmt == "pipe"
        else blank_chunks(text, display, problems)
    )
    draft = extract(chunks, display, problems)
    page = Page(path, display, [], [], [])
    before = len(problems)
    method = assemble(draft, FrontMatter(), page, fmt, problems)
    # A sub-table no parameter claims: the form lost what nests it (a link, an
    # anchor); its rows are left out and the record says its nesting is incomplete.
    unnested = any(p.code in ("MD010", "MD011") for p in problems[before:])
    if method is None:
        problems.append(
            diagnostic(
                "SCR002",
                Position(display, 1, 1),
                "no method found",
                "a method page starts with a title ending in the method "
                "name and has a scope, parameters or examples",
            )
        )
        return [], problems
    if not method.scope:
        problems.append(
            diagnostic(
                "SCR006",
                method.position or Position(display, 1, 1),
                f"{method.method}: no scope found",
                "expected a 'Scope:' line after the title",
            )
        )
    lossy = set(LOSSY[fmt]) | draft.lost | ({"params.fields"} if unnested else set())
    return [replace(method, lossy=tuple(sorted(lossy)))], problems


def is_heading(text: str) -> bool:
    """A section heading line. A line ending in `|` is a pipe-form table cell, whatever
    its words ("Parameters for the next run |" is a description, not a section)."""
    return (
        "\n" not in text
        and len(text) < 60
        and not text.endswith("|")
        and heading_role(text) is not None
    )


# ---------------------------------------------------------------- pipe form


def pipe_chunks(text: str, display: str, problems: list[Diagnostic]) -> list[Chunk]:
    lines = [ln.rstrip() for ln in text.split("\n")]
    closes = next_index(lines, lambda ln: ln.strip() == RAW_CLOSE)
    chunks: list[Chunk] = []
    role: str | None = None
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if not s:
            i += 1
        elif s == RAW_OPEN and closes[i] < len(lines) and role != "examples":
            chunks.extend(raw_tables(lines[i : closes[i] + 1], display, i + 1))
            i = closes[i] + 1
        elif is_heading(s):
            role = T.section_role(s)
            chunks.append(Chunk("heading", s, i + 1))
            i += 1
        elif role == "examples":
            end = next_heading(lines, i)
            chunks.extend(
                split_examples(
                    [(k + 1, lines[k]) for k in range(i, end) if lines[k].strip()]
                )
            )
            i = end
        elif (
            s == "|"
            and i + 1 < len(lines)
            and lines[i + 1].strip().endswith("|")
            and lines[i + 1].strip() != "|"
        ):
            table, i = pipe_table(lines, i, display, problems)
            chunks.append(table)
        elif s[0] in "{[" and role is not None:
            code, i = pipe_json(lines, i, display, problems)
            chunks.append(code)
        else:
            chunks.append(Chunk("text", s, i + 1))
            i += 1
    return chunks


def next_heading(lines: list[str], i: int) -> int:
    return next(
        (k for k in range(i, len(lines)) if is_heading(lines[k].strip())), len(lines)
    )


def pipe_cell(lines: list[str], j: int) -> tuple[Cell | None, int]:
    """One cell from line j: lines up to the one ending in `|`; None when the text ends
    or a section heading comes first (the row was cut short)."""
    start, parts = j, []
    while j < len(lines):
        s = lines[j].strip()
        if is_heading(s):
            return None, j
        if s.endswith("|"):
            parts.append(s[:-1].rstrip())
            return Cell("\n".join(p for p in parts if p), start + 1, 1), j + 1
        parts.append(s)
        j += 1
    return None, j


# Empty cells at the end of a header row: each is a lone `|`, like the line that opens
# a row, so the header's width is not written down; tried up to this many.
MAX_EMPTY_HEADER_CELLS = 3


def pipe_table(
    lines: list[str], i: int, display: str, problems: list[Diagnostic]
) -> tuple[Chunk, int]:
    """A table: its header cells, then its rows. An empty header cell is a lone `|`
    just as a row's opening line is, so a header of one written cell may be wider:
    the width whose rows line up (no empty first cell before written ones) and that
    reads the most lines into rows is taken, the narrowest of equals."""
    table = Chunk("table", "", i + 1)
    j = i + 1
    while j < len(lines) and lines[j].strip().endswith("|") and lines[j].strip() != "|":
        table.header.append(Cell(lines[j].strip()[:-1].rstrip(), j + 1, 1))
        j += 1
    lone = 0
    while j + lone < len(lines) and lines[j + lone].strip() == "|":
        lone += 1
    width = len(table.header)
    # A header of one written cell may have lost empty cells after it (each a lone
    # `|` like a row's opener): a table of names alone is rare, a table with an
    # empty column less so. Wider headers are taken as written.
    most = MAX_EMPTY_HEADER_CELLS if width == 1 else 0
    tries = [
        (pipe_rows(lines, j + extra, width + extra), extra)
        for extra in range(min(max(lone - 1, 0), most) + 1)
    ]
    (rows, end, short), extra = min(
        tries, key=lambda t: (misaligned(t[0][0]), -t[0][1], t[1])
    )
    table.header += [Cell("", j + k + 1, 1) for k in range(extra)]
    table.rows = rows
    for row_line, cells in short:
        problems.append(
            diagnostic(
                "SCR003",
                Position(display, row_line, 1),
                f"table row has {cells} cells, the header has {len(table.header)}",
                "the row is cut short; check the scraped text",
            )
        )
    return table, end


def misaligned(rows: list[list[Cell]]) -> int:
    """Rows read at the wrong width: an empty first cell before written ones."""
    return sum(1 for row in rows if not row[0].text and any(c.text for c in row[1:]))


def pipe_rows(
    lines: list[str], j: int, width: int
) -> tuple[list[list[Cell]], int, list[tuple[int, int]]]:
    """Rows of `width` cells from line j (each opened by a lone `|`): the rows, the
    line after them and the (line, cell count) of rows cut short."""
    rows: list[list[Cell]] = []
    short: list[tuple[int, int]] = []
    while j < len(lines) and lines[j].strip() == "|":
        if header_follows(lines, j + 1, width):
            break  # the next table starts right after this one
        row_line, j = j + 1, j + 1
        row: list[Cell] = []
        while len(row) < width:
            cell, j = pipe_cell(lines, j)
            if cell is None:
                break
            row.append(cell)
        if len(row) < width:
            short.append((row_line, len(row)))
        if row:
            rows.append(row)
    return rows, j, short


def header_follows(lines: list[str], j: int, width: int) -> bool:
    """Whether the lines from j are a table header: `width` cells of column words, the
    last ones possibly empty (lone `|`)."""
    cells = [ln.strip()[:-1].rstrip() for ln in lines[j : j + width]]
    written = [c for c in cells if c]
    return (
        len(cells) == width
        and all(ln.strip().endswith("|") for ln in lines[j : j + width])
        and bool(written)
        and cells[: len(written)] == written  # only trailing cells may be empty
        and all(T.column_role(c) for c in written)
        and all(c[0].isupper() and not c.isupper() for c in written)
        and not written[0].endswith("*")
    )


def json_depth(line: str) -> int:
    bare = re.sub(r"\"(?:\\.|[^\"\\])*\"", "", line)
    return bare.count("{") + bare.count("[") - bare.count("}") - bare.count("]")


def pipe_json(
    lines: list[str], i: int, display: str, problems: list[Diagnostic]
) -> tuple[Chunk, int]:
    """A JSON example: lines from i until its brackets balance."""
    depth, j = 0, i
    while j < len(lines):
        if j > i and is_heading(lines[j].strip()):
            break
        depth += json_depth(lines[j])
        j += 1
        if depth <= 0:
            return Chunk("code", "\n".join(lines[i:j]).strip(), i + 1), j
    problems.append(
        diagnostic(
            "SCR007",
            Position(display, i + 1, 1),
            "JSON example never closes its brackets",
            "the example runs to the next section; check the scraped text",
        )
    )
    return Chunk("code", "\n".join(lines[i:j]).strip(), i + 1), j


# ------------------------------------------------- pipe form: flattened code examples


def code_depth(line: str) -> int:
    if COMMENT.match(line):
        return 0
    bare = QUOTED.sub("", line)
    return sum(bare.count(c) for c in "([{") - sum(bare.count(c) for c in ")]}")


def example_complete(lines: list[str], depth: int) -> bool:
    """Whether an example could end after its last line: brackets balanced and the line
    closes a statement (a curl command ends with its first line without a `\\`)."""
    last = lines[-1].rstrip()
    if depth > 0 or COMMENT.match(last):
        return False
    if lines[0].lstrip().startswith("curl"):
        return not last.endswith("\\")
    return last.endswith(CLOSERS)


def is_tab_label(text: str) -> bool:
    """A tab label ("cURL (Webhook)", "BX24.js", "PHP CRest"), not one word of code."""
    return bool(TAB_LABEL.match(text)) and not re.match(
        r"^(?:try|curl|return|end)\b", text
    )


def split_examples(region: list[tuple[int, str]]) -> list[Chunk]:
    """Flattened code lines into one code chunk per example. Lines before the first
    example that look like tab labels become text chunks (the back end pairs them);
    prose between examples (notes inside tabs) is dropped."""
    out: list[Chunk] = []
    current: list[str] = []
    start, depth = 0, 0
    for lineno, raw in region:
        s = raw.strip()
        if EXAMPLES_NOTE.match(s):
            continue
        if not current and is_tab_label(s):  # before the first example
            out.append(Chunk("text", s, lineno))
            continue
        boundary = not current or example_complete(current, depth)
        if boundary and not STARTER.match(s) and (PROSE.match(s) or URL_LINE.match(s)):
            continue
        if boundary and (not current or STARTER.match(s)):
            if current:
                out.append(Chunk("code", "\n".join(current), start))
            current, start, depth = [], lineno, 0
        current.append(s)
        depth += code_depth(s)
    if current:
        out.append(Chunk("code", "\n".join(current), start))
    return out


# ---------------------------------------------------------------- blank form


def blank_blocks(text: str) -> list[Block]:
    """Blocks between empty lines. A code block ends with an indented blank line (what
    is left of its closing fence), which may run straight into the next block; a block
    whose first line is indented continues the code block before it."""
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    for idx, raw in enumerate(text.split("\n") + [""]):
        if raw.strip() == "" and (raw == "" or not current):
            if current:
                blocks.append(Block(current, start + 1))
            current = []
            continue
        if current and raw[:1] not in " \t" and not current[-1].strip():
            blocks.append(Block(current, start + 1))
            current = []
        if not current:
            start = idx
        current.append(raw.rstrip())
    merged: list[Block] = []
    for block in blocks:
        if merged and block.lines[0][:1] in " \t" and merged[-1].is_code:
            merged[-1].lines.extend([""] + block.lines)
        else:
            merged.append(block)
    return merged


def dedent_code(lines: list[str]) -> str:
    """The first line lost its indent; the rest share an extra one the scrape added."""
    rest = [ln for ln in lines[1:] if ln.strip()]
    cut = min((len(ln) - len(ln.lstrip(" \t")) for ln in rest), default=0)
    body = [lines[0].strip()] + [ln[cut:] if ln.strip() else "" for ln in lines[1:]]
    while body and not body[-1].strip():
        body.pop()
    return "\n".join(body)


def blank_chunks(text: str, display: str, problems: list[Diagnostic]) -> list[Chunk]:
    blocks = blank_blocks(text)
    closes = next_index(
        blocks, lambda b: any(ln.strip() == RAW_CLOSE for ln in b.lines)
    )
    chunks: list[Chunk] = []
    k = 0
    while k < len(blocks):
        block = blocks[k]
        opened = [n for n, ln in enumerate(block.lines) if ln.strip() == RAW_OPEN]
        if opened and closes[k] < len(blocks):
            chunks.extend(blank_raw_table(blocks, k, opened[0], closes[k], display))
            k = closes[k] + 1
        elif block_heading(blocks, k):
            chunks.append(Chunk("heading", block.text, block.line))
            k += 1
        elif block.is_code:
            chunks.append(Chunk("code", dedent_code(block.lines), block.line))
            k += 1
        elif table_starts(blocks, k):
            table, k = blank_table(blocks, k, display, problems)
            chunks.append(table)
        elif is_strong_key(block, NAMED_HEADER[0]):
            # a table without a header row starts straight with a name and its type
            table, k = blank_table(blocks, k, display, problems, NAMED_HEADER)
            chunks.append(table)
        else:
            chunks.append(Chunk("text", block.text, block.line))
            k += 1
    return chunks


# A table the docs' renderer left as text (its `#|` right under a paragraph line):
# the page shows its markup, which reads as a table.
RAW_OPEN, RAW_CLOSE = "#|", "|#"
Item = TypeVar("Item")


def next_index(items: list[Item], hit: Callable[[Item], bool]) -> list[int]:
    """For every position, the first position at or after it where `hit` holds
    (len(items) when none): one pass, so no search starts over."""
    out = [len(items)] * (len(items) + 1)
    for n in range(len(items) - 1, -1, -1):
        out[n] = n if hit(items[n]) else out[n + 1]
    return out


def raw_tables(lines: list[str], display: str, first_line: int) -> list[Chunk]:
    """The tables in a table's markup shown as text (from `#|` to `|#`)."""
    blocks, _ = scan("\n".join(lines), display, first_line)
    return [
        Chunk("table", "", b.line, header=b.rows[0], rows=b.rows[1:])
        for b in blocks
        if b.kind == "table" and b.rows
    ]


def blank_raw_table(
    blocks: list[Block], k: int, at: int, close: int, display: str
) -> list[Chunk]:
    """A table's markup from line `at` of block k to the block holding its `|#`
    (list items inside a cell are blocks of their own); the text before it is a
    text chunk."""
    before = "\n".join(blocks[k].lines[:at]).strip()
    lines = blocks[k].lines[at:]
    for block in blocks[k + 1 : close + 1]:
        lines += [""] + block.lines
    end = max(n for n, ln in enumerate(lines) if ln.strip() == RAW_CLOSE)
    chunks = [Chunk("text", before, blocks[k].line)] if before else []
    return chunks + raw_tables(lines[: end + 1], display, blocks[k].line + at)


def block_heading(blocks: list[Block], k: int) -> bool:
    """A section heading block of the blank form. Right after a parameter's name and
    type it is that parameter's description ("Parameters for the template"): a name
    is never left without its cells."""
    return is_heading(blocks[k].text) and not (
        k > 0 and is_strong_key(blocks[k - 1], NAMED_HEADER[0])
    )


def is_header_cell(block: Block) -> bool:
    """A table header cell: every line is a column word ("Name" + "type"), the first
    capitalised (a lone lower-case "type" is a name cell's text)."""
    lines = [ln.strip() for ln in block.lines if ln.strip()]
    return (
        not block.is_code
        and 0 < len(lines) <= 2
        and lines[0][:1].isupper()
        and all(T.column_role(ln) for ln in lines)
    )


def table_starts(blocks: list[Block], k: int) -> bool:
    return header_row(blocks, k) > 0


KEY_COLUMNS = ("name", "field", "key", "code", "status")
MAX_HEADER_CELLS = 6


def header_row(blocks: list[Block], k: int) -> int:
    """How many blocks from k are a table's header row (0: none). Column words ("Name"
    + "type", "Description"), or a key column's word with labels outside the
    vocabulary ("Restrictions", "Displayed Text") among them, right over a sure
    first key; an error table may lack a code column (Description | Value)."""
    n = len(blocks)
    if k + 2 < n and labelled_key_column(blocks, k):
        return 2
    if k + 1 >= n or not is_header_cell(blocks[k]):
        return 0
    first = Cell(blocks[k].text, blocks[k].line, 1)
    seen = {header_role(first.text)}
    j, labelled = k + 1, False
    while j < n and j - k < MAX_HEADER_CELLS:
        if is_header_cell(blocks[j]) and T.column_role(blocks[j].text) not in seen:
            seen.add(T.column_role(blocks[j].text))
            j += 1
            continue
        run = label_run(blocks, j)
        after = j + run
        if (
            run
            and after < n
            and (
                sure_key(blocks[after], first)
                or (
                    is_header_cell(blocks[after])
                    and T.column_role(blocks[after].text) not in seen
                )
            )
        ):
            j, labelled = after, True
            continue
        break
    # a first column with the type under its word names parameters, whatever the
    # word ("Value" + "type"), as the markdown reader reads it
    keyed = header_role(first.text) in KEY_COLUMNS or "type" in sub_roles(first)
    if labelled:
        return j - k if keyed and j < n and sure_key(blocks[j], first) else 0
    second = T.column_role(blocks[k + 1].text) if j > k + 1 else None
    codeless = (  # an error table without a code column: Description | Value,
        # Error Message | Description
        header_role(first.text) in ("description", "message")
        and second in ("value", "fix", "message", "description")
    )
    return j - k if j > k + 1 and (keyed or codeless) else 0


def labelled_key_column(blocks: list[Block], k: int) -> bool:
    """A header whose first cell is a word outside the vocabulary ("Identifier"),
    then a column word, over a first row opening with a name or a code."""
    second = blocks[k + 1]
    return (
        bool(HEADER_LABEL.fullmatch(blocks[k].text))
        and T.column_role(blocks[k].text) is None
        and is_header_cell(second)
        and T.column_role(second.text) == "description"
        and bool(CODE_TOKEN.match(blocks[k + 2].text))
        and not PLAIN_WORD.fullmatch(blocks[k + 2].text)
    )


def sub_roles(cell: Cell) -> tuple[str | None, ...]:
    """Roles of a header cell's extra lines: "Name\\ntype" -> ["type"]; a header
    naming the type on its own line ("Parameter / Type") has the type role too."""
    return header_sub_roles(cell.text)


# (a table's header cells are asked for their roles once per block of the table)
@lru_cache(maxsize=256)
def header_role(text: str) -> str | None:
    return T.column_role(text)


@lru_cache(maxsize=256)
def header_sub_roles(text: str) -> tuple[str | None, ...]:
    lines = text.split("\n")
    roles = tuple(T.column_role(ln) for ln in lines[1:])
    return roles + (("type",) if TYPE_IN_HEADER.search(lines[0]) else ())


# "Parameter / Type": the header names the type under each name in the same cell.
TYPE_IN_HEADER = re.compile(r"\S\s*/\s*(?:type|тип)\s*$", re.I)
# "TITLE string": a name and its type the page wrote on one line.
# (only the basic types: "SPA settings" is a name and a word of text)
BASIC_TYPE = (
    r"(?:string|integer|int|boolean|bool|double|float|number|object|array|date|"
    r"datetime|time|file|char|text|any)(?:\[\])?"
)
NAME_AND_TYPE = re.compile(rf"(\S+) ({BASIC_TYPE}(?: ?\| ?{BASIC_TYPE})*)")


def key_lines(block: Block, first: Cell) -> list[str]:
    """A row key's lines; under a typed header a one-line "name type" is split in
    two, as if the page had broken the line."""
    lines = [ln.strip() for ln in block.lines if ln.strip()]
    if len(lines) == 1 and "type" in sub_roles(first):
        m = NAME_AND_TYPE.fullmatch(lines[0])
        if m and coded_name(m.group(1)):
            return [m.group(1), m.group(2)]
    return lines


def coded_name(name: str) -> bool:
    """A name, not a word of text ("module identifier"): shaped as names are, with
    capitals, digits or underscores."""
    return (
        bool(NAME_SHAPE.fullmatch(name))
        and bool(re.search(r"[A-Z_\d]", name))
        and not PLAIN_WORD.fullmatch(name)
    )


def is_row_key(block: Block, first: Cell) -> bool:
    """Whether a block can be the first cell of a row under header cell `first`."""
    lines = key_lines(block, first)
    role = header_role(first.text)
    if block.is_code or not lines:
        return False
    if role == "code":  # codes may be words: "Empty value", "Access denied"
        return len(lines) == 1 or (len(lines) == 2 and "type" not in sub_roles(first))
    if not TOKEN.match(lines[0]):
        return False
    if role == "status":
        return len(lines) == 1 and bool(STATUS_CELL.match(lines[0]))
    if role == "field":
        return all(TOKEN.match(ln) for ln in lines)
    if "type" in sub_roles(first):
        return len(lines) == 1 or (len(lines) == 2 and bool(TYPE_LINE.match(lines[1])))
    return role != "name" or len(lines) == 1


def is_strong_key(block: Block, first: Cell) -> bool:
    """A row key no cell text is mistaken for: a name with its type (or types, one a
    line: "object" + "string"), or a status."""
    lines = key_lines(block, first)
    if header_role(first.text) == "status":
        return is_row_key(block, first)
    return (
        "type" in sub_roles(first)
        and 2 <= len(lines) <= 4
        and bool(TOKEN.match(lines[0]))
        and all(TYPE_LINE.match(ln) for ln in lines[1:])
    )


def hard_stop(blocks: list[Block], k: int) -> bool:
    """A block no table cell can be: a section heading, code, a status or error-code
    line, the next table's header."""
    b = blocks[k]
    return (
        block_heading(blocks, k)
        or b.is_code
        or bool(T.HTTP_STATUS_LINE.match(b.text))
        or bool(T.ERROR_CODE_LINE.match(b.text))
        or table_starts(blocks, k)
        or heads_headerless_table(blocks, k)
    )


def heads_headerless_table(blocks: list[Block], k: int) -> bool:
    """A parameter's sub-heading ("Parameter createdWithin") right over a table that
    starts without a header row, with a name and its type."""
    return (
        T.params_heading(blocks[k].text) == "sub"
        and k + 1 < len(blocks)
        and is_strong_key(blocks[k + 1], NAMED_HEADER[0])
    )


MAX_NOTES = 3  # sentences between a sub-heading and what it heads


def is_subheading(blocks: list[Block], k: int) -> bool:
    """A short title line ("Access Error", "Parameter fields") right before a hard
    stop (a note such as "Required parameters are marked with *" may stand between)."""
    text = blocks[k].text
    nxt, prose = k + 1, 0
    while nxt < len(blocks) and (
        MARKED.search(blocks[nxt].text)
        or (
            prose < MAX_NOTES
            # "FIELDS Parameter", "Error Handling Features", "section_element" (a
            # heading that is a name), not a cell's text
            and (
                HEADING_WORD.search(text)
                or title_case(text)
                or (bool(NAME_SHAPE.fullmatch(text)) and not PLAIN_WORD.fullmatch(text))
            )
            and (is_prose(blocks[nxt]) or bool(LABELLED_VALUE.search(blocks[nxt].text)))
            and not hard_stop(blocks, nxt)
        )
    ):
        prose += not MARKED.search(blocks[nxt].text)
        nxt += 1
    return (
        "\n" not in text
        and heading_length(text)
        and not text.endswith((".", ",", ":", ";"))
        and nxt < len(blocks)
        and hard_stop(blocks, nxt)
        # a title heads something: right before the next section it would head
        # nothing, so it is the last cell's text
        and not block_heading(blocks, nxt)
    )


def heading_length(text: str) -> bool:
    """Short enough for a heading: eight words, or twelve written as headings are
    ("Description of the Requisite Link Fields with the CRM Object")."""
    words = len(text.split())
    return 0 < words <= 8 or (words <= 12 and title_case(text))


def title_case(text: str) -> bool:
    """Words capitalised as English headings are ("Error Handling Features"); short
    words ("of", "the", "with") may stay small."""
    words = text.split()
    return len(words) >= 2 and all(
        w[:1].isupper()
        for n, w in enumerate(words)
        if n == 0 or (len(w) > 3 and w not in SMALL_WORDS)
    )


SMALL_WORDS = {"with", "from", "into", "onto", "over", "upon", "that", "than"}


def is_prose(block: Block) -> bool:
    """A sentence (a note between a sub-heading and its table); notes often go
    without their full stop."""
    text = block.text
    return (
        not block.is_code
        and len(text.split()) > 3
        and (text.rstrip().endswith((".", ":")) or text[:1].isupper())
    )


HEADER_LABEL = re.compile(r"[A-ZА-ЯЁ][a-zа-яё]+(?: [A-Za-zА-Яа-яЁё]+){0,5}")


def label_run(blocks: list[Block], k: int) -> int:
    """How many header labels (short capitalised words outside the column
    vocabulary) stand from k, at most three."""
    count = 0
    while k + count < len(blocks) and count < 3:
        block = blocks[k + count]
        if block.is_code or not HEADER_LABEL.fullmatch(block.text):
            break
        count += 1
    return count


def sure_key(block: Block, first: Cell) -> bool:
    """A block that opens a row under header cell `first` beyond doubt: a name with
    its type, a status, an error code of capitals and underscores."""
    return is_strong_key(block, first) or (
        header_role(first.text) == "code" and bool(WORD_CODE.fullmatch(block.text))
    )


# The header a table without one is read under: a name with its type, a description.
NAMED_HEADER = (Cell("Name\ntype", 0, 1), Cell("Description", 0, 1))


def heading_in_cell(blocks: list[Block], k: int, start: int, first: Cell) -> bool:
    """A section heading word right after a parameter's name ("ORDER", then
    "Parameters") is that name's description: a name is never left without its
    cells."""
    return (
        k > start
        and is_heading(blocks[k].text)
        and header_role(first.text) in ("name", "field", "key")
        and key_cost(blocks[k - 1], first) < 1.0
    )


def blank_table(
    blocks: list[Block],
    k: int,
    display: str,
    problems: list[Diagnostic],
    header: tuple[Cell, ...] = (),
) -> tuple[Chunk, int]:
    """Header cells, then rows. The blank form keeps no row boundaries: a row is a key
    block (a name, a code, a status) and one or more blocks per further column, an
    empty cell leaves nothing. Of all ways to cut the blocks up to the next hard stop
    into rows, the likeliest is taken (`segment`); the table may end early at a short
    title line before the stop."""
    table = Chunk("table", "", blocks[k].line)
    table.header = [Cell(c.text, blocks[k].line, 1) for c in header]
    count = 0 if header else header_row(blocks, k)
    table.header += [Cell(b.text, b.line, 1) for b in blocks[k : k + count]]
    k += count
    stop = k
    while stop < len(blocks) and (
        blocks[stop].is_code  # a code block may sit in a cell; `segment` decides
        or not hard_stop(blocks, stop)
        or heading_in_cell(blocks, stop, k, table.header[0])
    ):
        stop += 1
    titles = [is_subheading(blocks, i) for i in range(k, stop)]
    rows, end = segment(blocks[k:stop], table.header, titles)
    width = len(table.header)
    for row in rows:
        cells = [Cell(b.text, b.line, 1) for b in row[:width]]
        if len(row) > width:
            cells[-1].text += "".join("\n\n" + b.text for b in row[width:])
        if len(cells) < width:
            short_row(cells, width, display, problems)
        table.rows.append(cells)
    return table, k + end


MAX_ROW_BLOCKS = 60
EXTRA_BLOCK = 0.35  # a cell of several blocks (paragraphs, list items)
ERROR_EXTRA_BLOCK = 0.8
MISSING_CELL = 1.2  # an empty cell left nothing in the text
MISSING_LAST_CELL = 0.6  # a last cell that is often empty left nothing
KEY_INSIDE = 0.8  # a block that looks like a row key taken as cell text
TITLE_INSIDE = 0.65  # a short title line taken as cell text
TITLE_END = 0.3  # the table ends at a short title line before the next hard stop
UNUSED = 0.5  # a block after a table's end (before a code block) left out of it
TYPELESS_NAME = re.compile(r"(?:\.\.\.|\*)$")
KEY_LEFT_OUT = 3.0  # a sure row key after the table's end
SURE_KEY_INSIDE = 2.0  # a name with its type, an ERROR_CODE taken as cell text
WORD_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
SURE_CODE = re.compile(rf"{WORD_CODE.pattern}|\d{{3,}}")


def roles_of_cells(header: list[Cell]) -> list[str | None]:
    return [T.column_role(c.text) for c in header]


# A cell's text ending in a colon ("returned when:") goes on with a list: a row key
# right after it is unlikely, and the blocks after it are items of that cell.
KEY_AFTER_COLON = 1.0
LIST_ITEM = 0.1


def introduces(block: Block) -> bool:
    """A block ending in a colon: a list of the same cell follows."""
    return not block.is_code and block.text.endswith(":")


def segment(
    region: list[Block], header: list[Cell], titles: list[bool]
) -> tuple[list[list[Block]], int]:
    """The likeliest rows of a table body: a least-cost cut of `region` into rows
    (each a key block and the blocks of the other cells), ending at its end, at a
    short title line (`titles`) or before a code block that follows the table;
    returns the rows and how many blocks they use."""
    n, width, first = len(region), len(header), header[0]
    untyped = bool(n) and untyped_rows(region[0], first)
    keys = [key_cost(b, first, untyped) for b in region]
    # error tables rarely hold several paragraphs in a cell, parameter tables often
    errors = header_role(first.text) in ("code", "status", "description")
    extra = ERROR_EXTRA_BLOCK if errors else EXTRA_BLOCK
    # the last column of an error table (its "Value", "How to fix") is often empty,
    # so is a parameter table's column after the description ("Restrictions")
    last_role = roles_of_cells(header)[-1]
    optional_last = (
        last_role in ("value", "fix", "description")
        if errors
        else last_role != "description"
    )
    missing_last = MISSING_CELL - MISSING_LAST_CELL if optional_last else 0.0
    # an error code of capitals and underscores (or digits, unless a status column
    # holds them) is no cell's text
    codes = SURE_CODE if "status" not in roles_of_cells(header) else WORD_CODE
    sure_code = [
        header_role(first.text) == "code" and bool(codes.fullmatch(b.text))
        for b in region
    ]
    # What ends a list a cell's "...:" opened: a sure key, or in a parameter table a
    # name-shaped block (list items there are text; in an error table they may be
    # codes themselves: "N", "DN")
    strong = [is_strong_key(b, first) for b in region]

    def name_ends_list(k: int) -> bool:
        # under a header promising types a typeless name ends a list only when it
        # reads as one ("UF_...", "id*"), not as a listed value ("IN_PROCESS")
        named = untyped or bool(TYPELESS_NAME.search(region[k].text))
        return not errors and keys[k] < 1.0 and named

    ends_list = [strong[k] or sure_code[k] or name_ends_list(k) for k in range(n)]
    # (per block once: the loop below visits every block up to MAX_ROW_BLOCKS times)
    is_code = [b.is_code for b in region]
    colons = [introduces(b) for b in region]
    best: list[float] = [0.0] + [float("inf")] * n
    back = [0] * (n + 1)
    for i in range(n):
        if best[i] == float("inf") or keys[i] == float("inf"):
            continue
        inside, listed, colon = 0.0, 0, False
        opens = keys[i] + (KEY_AFTER_COLON if i and colons[i - 1] else 0)
        for j in range(i + 1, min(n, i + MAX_ROW_BLOCKS) + 1):
            if j - 1 > i:  # block j-1 is cell text
                colon = colon and not ends_list[j - 1]
                if colon:  # an item of the list a cell's "...:" opened
                    listed += 1
                elif keys[j - 1] == 0:
                    sure = sure_code[j - 1] or strong[j - 1]
                    inside += SURE_KEY_INSIDE if sure else KEY_INSIDE
                if titles[j - 1] and j - 1 - i >= width:  # one more block of a cell
                    inside += TITLE_INSIDE
                if is_code[j - 1]:
                    inside += EXTRA_BLOCK
                # a list opens in the last column (a colon in an earlier one is
                # followed by the next cell); what a colon opens may be a code
                # example instead, and the cell's text after it is no list
                last = j - 1 - i >= width - 1
                colon = not is_code[j - 1] and (colon or (last and colons[j - 1]))
            rest = j - i - 1
            more = rest - (width - 1)  # blocks beyond one a cell
            shape = (
                extra * max(more - listed, 0) + LIST_ITEM * min(more, listed)
                if more >= 0
                else MISSING_CELL * -more - (missing_last if width > 2 else 0.0)
            )
            cost = best[i] + opens + shape + inside
            if cost < best[j]:
                best[j], back[j] = cost, i
    # a name with its type is a row of this table wherever it stands: ending the
    # table before one leaves a row out
    sure_after = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        sure_after[k] = sure_after[k + 1] + is_strong_key(region[k], first)
    ends = {
        e: best[e] + TITLE_END + KEY_LEFT_OUT * sure_after[e]
        for e in range(1, n)
        if titles[e]
    }
    ends.update(
        {
            e: best[e] + UNUSED * (n - e) + KEY_LEFT_OUT * sure_after[e]
            for e in range(1, n)
            if is_code[e]
        }
    )
    ends[n] = best[n]
    end = min(ends, key=lambda e: (ends[e], -e))
    if best[end] == float("inf"):
        end = 0
    rows: list[list[Block]] = []
    j = end
    while j > 0:
        i = back[j]
        rows.append(region[i:j])
        j = i
    return rows[::-1], end


CODE_TOKEN = re.compile(r"^[\w.:#\-]{1,80}$")
FIELD_LIST = re.compile(r"[\w.:#\-]{1,80}(?:, [\w.:#\-]{1,80}){0,9}")
# A parameter name as the name cell shows it: `id*`, `fields.TITLE`, `UF_...`,
# `filter[ID]`, `LANGUAGE_ID (LANG)`.
NAME_SHAPE = re.compile(
    r"[A-Za-z_<](?:[\w.\[\]<>\-]*[\w\]>])?(?:\.\.\.)?(?: \(\w+\))?\**"
)


def untyped_rows(block: Block, first: Cell) -> bool:
    """Whether a table whose header promises a type under each name ("Name" + "type")
    shows none: its first row's name stands alone. Its names are then keys without
    their type line."""
    lines = key_lines(block, first)
    return (
        "type" in sub_roles(first)
        and len(lines) == 1
        and bool(NAME_SHAPE.fullmatch(lines[0]))
        and not PLAIN_WORD.fullmatch(lines[0])
    )


def key_cost(block: Block, first: Cell, untyped: bool = False) -> float:
    """How unlikely a block is to open a row under header cell `first`: 0 for a sure
    key (a name with its type, a status, a code), more for text. `untyped`: the
    table's names mostly stand without the type its header promises."""
    lines = key_lines(block, first)
    if block.is_code or not lines:
        return float("inf")
    role = header_role(first.text)
    words = lines[0].split()
    sentence = lines[0].endswith((".", ",", ":", ";")) or len(words) > 6
    if role == "status":
        return 0.0 if len(lines) == 1 and STATUS_CELL.match(lines[0]) else 6.0
    if role == "code":
        if len(lines) > 2:
            return 5.0
        if CODE_TOKEN.match(lines[0]) or T.plain(lines[0]).lower() in T.ODD_CODES:
            return 0.0
        if lines[0].endswith(".") and len(words) > 6:
            return 5.0  # a sentence of a description
        return 1.2 if lines[0][:1].islower() or sentence else 0.6
    if role == "field":  # "messageId", several ("dateFrom, dateTo") or none ("—")
        named = all(
            FIELD_LIST.fullmatch(ln) or ln.lower() in T.ODD_CODES for ln in lines
        )
        if named:
            return 0.0
        if not typed_name(lines):  # a parameter table's "Field": "code*" + type
            return 5.0
    if role in ("description", "message"):  # an error table without codes
        return 0.5 if len(lines) == 1 else 2.0
    if not TOKEN.match(lines[0]) and not re.fullmatch(r"\S+ \(\S+\)\**", lines[0]):
        return 6.0
    name = lines[0]
    shaped = bool(NAME_SHAPE.fullmatch(name))
    if "type" in sub_roles(first):
        if len(lines) >= 2 and all(TYPE_LINE.match(ln) for ln in lines[1:4]):
            return 0.0 if len(lines) <= 4 else 6.0  # a name and its types
        if len(lines) > 1 or not shaped:
            return 6.0
        if untyped:
            return untyped_name_cost(name)
        # a name whose type the page left out ("UF_..."), or one word of text
        return 0.5 if re.search(r"_|\.\.\.$|\*$", name) else 2.0
    if typed_name(lines):  # a name with its type, though the header names none
        return 0.0
    if len(lines) > 1 or not shaped:
        return 6.0 if len(lines) > 1 else 3.0
    return untyped_name_cost(name)


def typed_name(lines: list[str]) -> bool:
    """A name cell's lines: a name, then one to three type lines."""
    return (
        2 <= len(lines) <= 4
        and bool(NAME_SHAPE.fullmatch(lines[0]))
        and all(TYPE_LINE.match(ln) for ln in lines[1:])
    )


def untyped_name_cost(name: str) -> float:
    """A name cell without a type line: sure with a required mark, unlikely when it
    is a word of text ("Identifier")."""
    if name.endswith("*"):
        return 0.0
    if PLAIN_WORD.fullmatch(name):
        return 1.5
    return 0.4


def short_row(
    row: list[Cell], width: int, display: str, problems: list[Diagnostic]
) -> None:
    problems.append(
        diagnostic(
            "SCR008",
            Position(display, row[0].line, 1),
            f"table row has {len(row)} cells, the header has {width}",
            "a cell is empty or missing in the scraped text",
        )
    )


# ---------------------------------------------------------------- chunks -> draft


@dataclass
class State:
    role: str | None = None
    status: int | None = None
    v3_code: str | None = None
    labels: list[str] = field(default_factory=list)
    # Parameters section: the sub-heading its tables sit under (None: the section's
    # own) and the lines since the last table (a short one may head the next table).
    # A table whose heading names no parameter is left out and the record says its
    # nesting is incomplete (`lossy`): the form lost the link that nests it.
    heading: str | None = None
    lines: list[tuple[str, bool]] = field(default_factory=list)  # since the last table

    def note(self, text: str) -> None:
        self.lines.append((text, looks_like_subheading(text)))

    def candidates(self) -> list[str]:
        """Short lines since the last table that may head the next one, the nearest
        first; a run of short lines is a list (tab labels, list items), not a
        heading."""
        out = []
        for k, (text, short) in enumerate(self.lines):
            before = k > 0 and self.lines[k - 1][1]
            after = k + 1 < len(self.lines) and self.lines[k + 1][1]
            # a line naming a parameter's fields ("Parameter fields") heads tables
            # even beside a list (the tab labels of one table per tab)
            named = T.params_heading(text) == "sub" or (
                title_case(text) and len(text.split()) >= 3
            )
            if short and (named or (not before and not after)):
                out.append(text)
        return out[::-1]


@dataclass
class ScrapedDraft(Draft):
    """The markdown reader's Draft plus what this page's text could not carry (IR
    field paths for the record's `lossy`)."""

    lost: set[str] = field(default_factory=set)
    # names and types of the parameters read so far (`known_names`)
    known: set[str] = field(default_factory=set)


def extract(
    chunks: list[Chunk], display: str, problems: list[Diagnostic]
) -> ScrapedDraft:
    d = ScrapedDraft()
    if not chunks or chunks[0].kind != "text":
        return d
    d.title = chunks[0].text
    d.title_pos = Position(display, chunks[0].line, 1)
    body = chunks[1:]
    first_heading = next(
        (n for n, c in enumerate(body) if c.kind == "heading"), len(body)
    )
    read_intro([c for c in body[:first_heading] if c.kind == "text"], d)
    read_intro_tables(body[:first_heading], d, display)
    state = State()
    for chunk in body[first_heading:]:
        if chunk.kind == "heading":
            state.role, state.v3_code = heading_role(chunk.text), None
            state.heading, state.lines = None, []
        elif chunk.kind == "text":
            read_text(chunk, state, d)
        elif chunk.kind == "table":
            read_table(chunk, state, d, display, problems)
        else:
            read_code(chunk, state, d, display, problems)
    pair_labels(state.labels, d)
    return d


def read_intro(items: list[Chunk], d: Draft) -> None:
    own = T.title_method(d.title)
    k = 0
    while k < len(items):
        text = items[k].text
        scope = SCOPE_LINE.match(text)
        if scope:
            rest = scope.group(1)
            if not rest.strip() and k + 1 < len(items):
                k += 1
                rest = items[k].text
            read_scope(rest, d)
        elif who := WHO.match(text):
            d.who = who.group(1).strip()
        elif SKIP_INTRO.search(text):
            pass
        elif re.search(r"REST 3\.0", text):
            d.v3 = True
        elif len(text.split()) <= 3 and T.DEPRECATION.search(text):
            d.deprecated = True  # a note's title; its text follows
            if k + 1 < len(items) and (
                T.DEPRECATION.search(items[k + 1].text)
                or replacement_in(items[k + 1].text, own)
            ):
                k += 1
                d.replacement = d.replacement or replacement_in(items[k].text, own)
        elif T.DEPRECATION.search(text) and re.search("method|метод", text, re.I):
            d.deprecated = True
            d.replacement = d.replacement or replacement_in(text, own)
        else:
            if T.NO_PARAMS_TEXT.search(text):
                d.no_params = True
            d.description.append(T.plain(text))
        k += 1


def read_intro_tables(items: list[Chunk], d: ScrapedDraft, display: str) -> None:
    """A parameters table above the first section heading (pages without a
    "Parameters" heading), and tables under short lines that head them."""
    state = State(role="params")
    for chunk in items:
        if chunk.kind == "text" and not T.DEPRECATION.search(chunk.text):
            state.note(chunk.text)  # a note's title ("Deprecated") heads no table
        elif chunk.kind == "table" and chunk.header:
            if T.column_role(chunk.header[0].text) in ("name", "field", "key"):
                read_param_table(chunk, state, d, display)


def read_scope(rest: str, d: Draft) -> None:
    """Scope words, and the who-can text the pipe form glues onto them."""
    who = WHO.search(rest)
    if who:
        d.who = who.group(1).strip()
        rest = rest[: who.start()]
    for word in rest.split(","):
        word = word.strip(" .`")
        word = T.SCOPE_WORDS.get(word.lower(), word)
        # words that cannot be a scope ("module scope from moduleId") are left out
        if re.fullmatch(r"[A-Za-z][\w.]*", word) and word not in d.scopes:
            d.scopes.append(word)


def replacement_in(text: str, own: str | None) -> str | None:
    return next((n for n in T.method_names(text) if n != own), None)


def read_text(chunk: Chunk, state: State, d: Draft) -> None:
    text = chunk.text
    if state.role in ("errors", "system_errors", "response", "returns"):
        if T.HTTP_STATUS_LINE.match(text):
            state.status = status_from(text)
            if len(STATUS_CLASS.findall(text)) >= 3:
                state.role = "system_errors"
        code = T.ERROR_CODE_LINE.match(text)
        if code:
            state.v3_code = code.group(1)
    elif state.role == "params":
        if T.NO_PARAMS.search(text):
            d.no_params = True
        elif not re.search(r"marked with|отмечены", text, re.I):
            state.note(text)
    elif (
        state.role == "examples"
        and not d.examples
        and is_tab_label(text)
        and not EXAMPLES_NOTE.match(text)
    ):
        state.labels.append(text)


def read_table(
    chunk: Chunk,
    state: State,
    d: ScrapedDraft,
    display: str,
    problems: list[Diagnostic],
) -> None:
    if state.role in ("errors", "system_errors"):
        errors = errors_from(chunk, display, state)
        d.errors.extend(errors)
        report_empty_codes(errors, chunk, display, problems)
    elif state.role == "params":
        read_param_table(chunk, state, d, display)
    elif state.role == "returns" and not d.returns:
        d.returns = returns_from(chunk, display)


def heading_role(text: str) -> str | None:
    return T.section_role(text) or (
        "params" if T.params_heading(text) == "top" else None
    )


# "Object identifier entityTypeId: 1": a label and its value, a line of text.
LABELLED_VALUE = re.compile(r"\S:\s+\S")


def looks_like_subheading(text: str) -> bool:
    """A line that may head the table after it: short, one line, not a sentence."""
    return (
        "\n" not in text
        and heading_length(text)
        and not text.startswith("- ")
        and not text.rstrip().endswith((".", ",", ":", ";", "*", "!", "?"))
        and not LABELLED_VALUE.search(text)
        and " — " not in text  # "tag_n — new tag name": a list item's definition
    )


def read_param_table(chunk: Chunk, state: State, d: ScrapedDraft, display: str) -> None:
    """A table of the parameters section: the section's own parameters, or the fields
    of the parameter its sub-heading names (nested by `nest`, as for markdown)."""
    found = state.candidates()
    if found:
        state.heading = found[0]
    state.lines = []
    heading = state.heading
    if heading is not None and T.VALUE_LIST_HEADING.match(heading):
        return  # the values a parameter takes, not fields
    params = params_from(chunk, display)
    top = heading is None or bool(T.MORE_PARAMS_HEADING.match(heading))
    top = top or T.params_heading(heading or "") == "top"
    if names_lost(chunk) or any(wildcard_or_mark(p) for p in params):
        d.lost.add("params.name" if top else "params.fields")
    if not params:
        return
    # (pages with no top table list ways of calling, one table each: `nest` reads
    # them as alternatives)
    has_top = any(t.top for t in d.param_tables)
    if not top and has_top and placed_by_guess(heading or "", d.known):
        d.lost.add("params.fields")
        return
    table = ParamTable(
        params=params,
        heading="" if top else (heading or ""),
        top=top,
        position=Position(display, chunk.line, 1),
    )
    d.param_tables.append(table)
    d.known |= known_names(params)


def known_names(params: list[Param]) -> set[str]:
    """The names and types of parameters, lower-cased: what a sub-heading may name."""
    return {
        word.lower().rstrip("[]")
        for p in params
        for word in (p.name, p.type, p.item_type or "")
        if word
    }


def placed_by_guess(heading: str, known: set[str]) -> bool:
    """Whether only a guess could place a sub-table under a parameter: its heading
    names none ("Parameters applicable to order properties", so only a description
    mentioning one of its words could), or names one by a common word alone
    ("Reminder settings object" under a parameter `settings`: its other words name
    nothing, the word may as well be part of an object's name). The page's link
    decides, and the markdown nests by it; the scraped forms keep no links."""
    paths = heading_paths(heading)
    whole = heading.strip().lower()
    if whole in known:  # a heading that is just a name ("fields", "type")
        return False
    weak = [p for p in paths if len(p) == 1 and p[0].lower() in WEAK_NAMES]
    others = [p for p in paths if p not in weak]
    if not any(p[-1].lower() in known for p in paths):
        return True  # names no parameter: only a description's mention could place it
    return bool(weak and others) and not any(p[-1].lower() in known for p in others)


def read_code(
    chunk: Chunk, state: State, d: Draft, display: str, problems: list[Diagnostic]
) -> None:
    code = chunk.text
    if state.role == "examples":
        calls = T.example_calls(code)
        if calls and "/rest/api/" in code:
            d.v3 = True
        d.examples.append(
            Example(
                language=T.language_of("", ""),
                code=code,
                payload=T.parse_payload(code),
                calls=calls,
                position=Position(display, chunk.line, 1),
            )
        )
    elif state.role in ("response", "returns") and d.example_text is None:
        d.example_text = code
        if not parse_example(code)[1]:
            problems.append(
                diagnostic(
                    "SCR004",
                    Position(display, chunk.line, 1),
                    "response example is not valid JSON",
                    "kept as text (example_valid is false)",
                )
            )


def pair_labels(labels: list[str], d: Draft) -> None:
    """Tab labels listed before the examples name them in order, if the counts agree."""
    if labels and len(labels) == len(d.examples):
        d.examples = [
            replace(e, language=T.language_of(label, ""))
            for e, label in zip(d.examples, labels, strict=True)
        ]


# ---------------------------------------------------------------- tables -> IR


def roles_of(table: Chunk) -> list[str | None]:
    return roles_of_cells(table.header)


def column(roles: list[str | None], *wanted: str) -> int | None:
    return next((roles.index(w) for w in wanted if w in roles), None)


def cell_text(row: list[Cell], idx: int | None) -> str:
    return row[idx].text if idx is not None and idx < len(row) else ""


# The head of a name cell's first line: the name (an `<placeholder>`, a `[key]` or
# `(x)` part, or any character that cannot follow a name) and the star marks after it.
NAME_HEAD = re.compile(
    r"((?:<[^<>\n]*>|\[[^\[\]\s]*\]|\([^()\s]*\)|[^\s*|\[(<])+)(\**)(.*)"
)
LANG_SUFFIX = re.compile(r"\s*(\(\w+\))(\**)\s*")
PLAIN_WORD = re.compile(r"[A-Z][a-z]+")


def split_name_line(line: str) -> tuple[str, int, str]:
    """Name, required level and the rest of a name cell's first line. Both forms join a
    name cell's lines when the page wrote them on one line (`**id*** [`integer`]`, a
    description run on after the name), and the pipe form joins every line: what
    follows the name and its marks is its type or text, not the name. A phrase
    starting with a capitalised word ("Additional settings for OFD") is one name."""
    m = NAME_HEAD.fullmatch(line.strip())
    if m is None:
        name, required, _ = T.parse_name_cell(line)
        return name, required, ""
    name, marks, rest = m.group(1), m.group(2), m.group(3)
    lang = LANG_SUFFIX.fullmatch(rest)
    if lang:  # "LANGUAGE_ID (LANG)": the bracketed word is part of the name
        name, marks, rest = f"{name} {lang.group(1)}", marks or lang.group(2), ""
    runs_on = bool(marks) or not rest[:1].isspace() or rest.lstrip()[:1] in "[|("
    if rest.strip() and not runs_on and PLAIN_WORD.fullmatch(name):
        name, rest = f"{name}{rest}".strip(), ""
    required = {0: 0, 1: 1}.get(len(marks), 2)
    return name, required, rest.strip()


def name_and_types(
    row: list[Cell], name_col: int, type_col: int | None
) -> tuple[str, int, list[str]]:
    """Name, required level and types of a row: the type is the name cell's second line
    or what follows the name on its line (blank form) or the type column; the pipe form
    keeps neither."""
    lines = row[name_col].text.split("\n")
    name, required, rest = split_name_line(lines[0])
    types = [t for ln in [rest, *lines[1:4]] for t in T.bare_type_tokens(ln)]
    if type_col is not None:
        types = T.bare_type_tokens(cell_text(row, type_col)) or types
    return name, required, types


def wildcard_or_mark(param: Param) -> bool:
    """A star right after an underscore (`UF_*`): the name's wildcard or the required
    mark after `UF_`; the page told them apart by bold type alone, which no scraped
    form keeps."""
    return param.name.endswith("_") and (param.required or param.conditionally_required)


def names_lost(table: Chunk) -> bool:
    """Rows whose name cell is empty while the row has text: the name was inline code,
    which the pipe form drops from table cells."""
    name_col = column(roles_of(table), "name", "field", "key")
    if name_col is None:
        return False
    return any(
        name_col < len(row)
        and not row[name_col].text.strip()
        and any(c.text.strip() for c in row)
        for row in table.rows
    )


def params_from(table: Chunk, display: str) -> list[Param]:
    roles = roles_of(table)
    name_col = column(roles, "name", "field", "key")
    if name_col is None and table.header and "type" in sub_roles(table.header[0]):
        name_col = 0  # "Value" + "type": the type hint makes it a names column
    if name_col is None:
        return headerless_params(table, display)
    type_col, desc_col = column(roles, "type"), column(roles, "description")
    params = []
    for row in table.rows:
        if name_col >= len(row):
            continue
        name, required, types = name_and_types(row, name_col, type_col)
        if not name:
            continue
        ptype, item = normalize_type(types)
        params.append(
            Param(
                name=name,
                type=ptype,
                item_type=item,
                required=required == 1,
                conditionally_required=required == 2,
                description=T.plain(cell_text(row, desc_col)),
                position=Position(display, row[name_col].line, row[name_col].col),
            )
        )
    return params


def headerless_params(table: Chunk, display: str) -> list[Param]:
    """A table without a header row starts straight with a parameter (name |
    description): its first line is a row, not a header."""
    if not table.header or any(roles_of(table)) or labels_only(table.header):
        return []
    name, _, _ = T.parse_name_cell(table.header[0].text.split("\n")[0])
    if not re.fullmatch(r"[A-Za-z_][\w.\[\]]*", name):
        return []
    rows = [table.header, *table.rows]
    fake = Chunk(
        "table", "", table.line, [Cell("Name", 0, 1), Cell("Description", 0, 1)]
    )
    fake.rows = rows
    return params_from(fake, display)


LABEL = re.compile(r"[^.:;!?\n]+")


def labels_only(first: list[Cell]) -> bool:
    """Whether a first row is a header of unknown column words ("Change | Behavior",
    "fields.TYPE | scope in request | When to use"), not a parameter's row: no
    required mark on its name and only short labels after it. A parameter's row
    describes it in a sentence."""
    name, required, types = split_name_line(first[0].text.split("\n")[0])
    typed = len(first[0].text.split("\n")) > 1 or types
    rest = [c.text for c in first[1:]]
    return (
        not required
        and not typed
        and bool(rest)
        and all(LABEL.fullmatch(t) and len(t.split()) <= 4 for t in rest)
    )


def returns_from(table: Chunk, display: str) -> list[ReturnField]:
    roles = roles_of(table)
    name_col = column(roles, "name", "field")
    if name_col is None:
        return []
    type_col, desc_col = column(roles, "type"), column(roles, "description")
    out = []
    for row in table.rows:
        if name_col >= len(row):
            continue
        name, _, types = name_and_types(row, name_col, type_col)
        if name:
            out.append(
                ReturnField(
                    name=name,
                    type=normalize_type(types)[0],
                    description=T.plain(cell_text(row, desc_col)),
                    position=Position(display, row[name_col].line, row[name_col].col),
                )
            )
    return out


def errors_from(table: Chunk, display: str, state: State) -> list[Error]:
    """Method errors (Code | Description | Value), system errors (Status | Code +
    message | Description) and v3 errors (Field | Error Description | How to Fix after
    an "Error Code:" line). An empty code cell stays an empty, odd code."""
    roles = roles_of(table)
    code_col, field_col = column(roles, "code"), column(roles, "field")
    status_col, desc_col = column(roles, "status"), column(roles, "description")
    value_col = column(roles, "value", "fix")
    system = state.role == "system_errors"
    if (
        code_col is None
        and field_col is None
        and roles[:1] in (["description"], ["message"])
    ):
        return [  # Description | Value: no code at all (odd rows, as markdown reads)
            Error(
                code=state.v3_code or "",
                status=state.status,
                message=T.plain(cell_text(row, 0)),
                description=T.plain(cell_text(row, value_col)),
                system=system,
                odd=True,
                position=Position(display, row[0].line, row[0].col),
            )
            for row in table.rows
        ]
    if code_col is None and (field_col is None or state.v3_code is None):
        return []
    out = []
    for row in table.rows:
        pos = Position(display, row[0].line, row[0].col)
        message = T.plain(cell_text(row, desc_col))
        description = T.plain(cell_text(row, value_col))
        if code_col is None:
            fields = [
                f.strip() for f in cell_text(row, field_col).split("\n") if f.strip()
            ]
            out.append(
                Error(
                    code=state.v3_code or "",
                    status=state.status,
                    message=message,
                    description=description,
                    system=system,
                    field=", ".join(fields) or None,
                    odd=not state.v3_code,
                    position=pos,
                )
            )
            continue
        lines = [
            ln.strip() for ln in cell_text(row, code_col).split("\n") if ln.strip()
        ]
        code = first_code(lines[0]) if lines else ""
        if status_col is not None and (len(lines) != 1):
            message, description = T.plain("\n".join(lines[1:])), message
        status = (
            status_from(cell_text(row, status_col))
            if status_col is not None
            else state.status
        )
        out.append(
            Error(
                code=code,
                status=status,
                message=message,
                description=description,
                system=system,
                odd=code.lower() in T.ODD_CODES,
                position=pos,
            )
        )
    return out


def first_code(text: str) -> str:
    """A code cell naming several codes ("200240400001, 200240400002") gives the first,
    as the markdown reader takes a cell's first code span."""
    return text.split(", ")[0] if FIELD_LIST.fullmatch(text) else text


def report_empty_codes(
    errors: list[Error], table: Chunk, display: str, problems: list[Diagnostic]
) -> None:
    empty = sum(1 for e in errors if not e.code)
    if empty:
        problems.append(
            diagnostic(
                "SCR005",
                Position(display, table.line, 1),
                f"{empty} of {len(errors)} error rows have no code",
                "the scraped form dropped the inline code; the markdown page has it",
            )
        )
