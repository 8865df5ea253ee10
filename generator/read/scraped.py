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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

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
from generator.read.nesting import ParamTable
from generator.read.yfm import Cell

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
# The line over the system errors ("HTTP Status: 20x, 40x, 50x"): the include's own
# heading is left out when a page includes it without its title.
SYSTEM_STATUS_LINE = re.compile(r"\b[2-5]0x\b.*\b[2-5]0x\b")
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
    lossy = set(LOSSY[fmt]) | ({"params.fields"} if unnested else set())
    return [replace(method, lossy=tuple(sorted(lossy)))], problems


def is_heading(text: str) -> bool:
    return "\n" not in text and len(text) < 60 and heading_role(text) is not None


# ---------------------------------------------------------------- pipe form


def pipe_chunks(text: str, display: str, problems: list[Diagnostic]) -> list[Chunk]:
    lines = [ln.rstrip() for ln in text.split("\n")]
    chunks: list[Chunk] = []
    role: str | None = None
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if not s:
            i += 1
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


def pipe_table(
    lines: list[str], i: int, display: str, problems: list[Diagnostic]
) -> tuple[Chunk, int]:
    table = Chunk("table", "", i + 1)
    j = i + 1
    while j < len(lines) and lines[j].strip().endswith("|") and lines[j].strip() != "|":
        table.header.append(Cell(lines[j].strip()[:-1].rstrip(), j + 1, 1))
        j += 1
    while j < len(lines) and lines[j].strip() == "|":
        if header_follows(lines, j + 1, len(table.header)):
            break  # the next table starts right after this one
        row_line, j = j + 1, j + 1
        row: list[Cell] = []
        while len(row) < len(table.header):
            cell, j = pipe_cell(lines, j)
            if cell is None:
                break
            row.append(cell)
        if len(row) < len(table.header):
            problems.append(
                diagnostic(
                    "SCR003",
                    Position(display, row_line, 1),
                    f"table row has {len(row)} cells, the header has "
                    f"{len(table.header)}",
                    "the row is cut short; check the scraped text",
                )
            )
        if row:
            table.rows.append(row)
    return table, j


def header_follows(lines: list[str], j: int, width: int) -> bool:
    """Whether the lines from j are a table header: `width` cells of column words."""
    cells = [ln.strip() for ln in lines[j : j + width]]
    return (
        len(cells) == width
        and all(c.endswith("|") and c != "|" for c in cells)
        and all(T.column_role(c[:-1]) for c in cells)
        and all(c[0].isupper() and not c[:-1].strip().isupper() for c in cells)
        and not cells[0][:-1].rstrip().endswith("*")
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
    chunks: list[Chunk] = []
    k = 0
    while k < len(blocks):
        block = blocks[k]
        if is_heading(block.text):
            chunks.append(Chunk("heading", block.text, block.line))
            k += 1
        elif block.is_code:
            chunks.append(Chunk("code", dedent_code(block.lines), block.line))
            k += 1
        elif table_starts(blocks, k):
            table, k = blank_table(blocks, k, display, problems)
            chunks.append(table)
        else:
            chunks.append(Chunk("text", block.text, block.line))
            k += 1
    return chunks


def is_header_cell(block: Block) -> bool:
    """A table header cell: every line is a column word ("Name" + "type")."""
    lines = [ln.strip() for ln in block.lines if ln.strip()]
    return (
        not block.is_code
        and 0 < len(lines) <= 2
        and all(T.column_role(ln) for ln in lines)
    )


def table_starts(blocks: list[Block], k: int) -> bool:
    return (
        k + 1 < len(blocks)
        and is_header_cell(blocks[k])
        and is_header_cell(blocks[k + 1])
        and (
            T.column_role(blocks[k].text) in ("name", "field", "code", "status")
            or (  # an error table without a code column: Description | Value
                T.column_role(blocks[k].text) in ("description", "message")
                and T.column_role(blocks[k + 1].text) in ("value", "fix", "message")
            )
        )
    )


def sub_roles(cell: Cell) -> list[str | None]:
    """Roles of a header cell's extra lines: "Name\\ntype" -> ["type"]."""
    return [T.column_role(ln) for ln in cell.text.split("\n")[1:]]


def is_row_key(block: Block, first: Cell) -> bool:
    """Whether a block can be the first cell of a row under header cell `first`."""
    lines = [ln.strip() for ln in block.lines if ln.strip()]
    role = T.column_role(first.text)
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
    """A row key no cell text is mistaken for: a name with its type, or a status."""
    lines = [ln.strip() for ln in block.lines if ln.strip()]
    if T.column_role(first.text) == "status":
        return is_row_key(block, first)
    return "type" in sub_roles(first) and len(lines) == 2 and is_row_key(block, first)


def hard_stop(blocks: list[Block], k: int) -> bool:
    """A block no table cell can be: a section heading, code, a status or error-code
    line, the next table's header."""
    b = blocks[k]
    return (
        is_heading(b.text)
        or b.is_code
        or bool(T.HTTP_STATUS_LINE.match(b.text))
        or bool(T.ERROR_CODE_LINE.match(b.text))
        or table_starts(blocks, k)
    )


def is_subheading(blocks: list[Block], k: int) -> bool:
    """A short title line ("Access Error", "Parameter fields") right before a hard
    stop (a note such as "Required parameters are marked with *" may stand between)."""
    text = blocks[k].text
    nxt, prose = k + 1, 0
    while nxt < len(blocks) and (
        MARKED.search(blocks[nxt].text)
        or (
            prose < 2
            and HEADING_WORD.search(text)  # "FIELDS Parameter", not a cell's text
            and is_prose(blocks[nxt])
            and not hard_stop(blocks, nxt)
        )
    ):
        prose += not MARKED.search(blocks[nxt].text)
        nxt += 1
    return (
        "\n" not in text
        and len(text.split()) <= 8
        and not text.endswith((".", ",", ":", ";"))
        and nxt < len(blocks)
        and hard_stop(blocks, nxt)
    )


def is_prose(block: Block) -> bool:
    """A sentence (a note between a sub-heading and its table)."""
    text = block.text
    return (
        not block.is_code
        and len(text.split()) > 3
        and text.rstrip().endswith((".", ":"))
    )


def blank_table(
    blocks: list[Block], k: int, display: str, problems: list[Diagnostic]
) -> tuple[Chunk, int]:
    """Header cells, then rows. The blank form keeps no row boundaries: a row is a key
    block (a name, a code, a status) and one or more blocks per further column, an
    empty cell leaves nothing. Of all ways to cut the blocks up to the next hard stop
    into rows, the likeliest is taken (`segment`); the table may end early at a short
    title line before the stop."""
    table = Chunk("table", "", blocks[k].line)
    seen: set[str | None] = set()
    while (
        k < len(blocks)
        and is_header_cell(blocks[k])
        and T.column_role(blocks[k].text) not in seen
    ):
        seen.add(T.column_role(blocks[k].text))
        table.header.append(Cell(blocks[k].text, blocks[k].line, 1))
        k += 1
    stop = k
    while stop < len(blocks) and (blocks[stop].is_code or not hard_stop(blocks, stop)):
        stop += 1  # a code block may sit in a cell; `segment` decides
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
KEY_INSIDE = 0.8  # a block that looks like a row key taken as cell text
TITLE_INSIDE = 0.65  # a short title line taken as cell text
TITLE_END = 0.3  # the table ends at a short title line before the next hard stop
UNUSED = 0.5  # a block after a table's end (before a code block) left out of it


def segment(
    region: list[Block], header: list[Cell], titles: list[bool]
) -> tuple[list[list[Block]], int]:
    """The likeliest rows of a table body: a least-cost cut of `region` into rows
    (each a key block and the blocks of the other cells), ending at its end, at a
    short title line (`titles`) or before a code block that follows the table;
    returns the rows and how many blocks they use."""
    n, width, first = len(region), len(header), header[0]
    keys = [key_cost(b, first) for b in region]
    # error tables rarely hold several paragraphs in a cell, parameter tables often
    errors = T.column_role(first.text) in ("code", "status", "description")
    extra = ERROR_EXTRA_BLOCK if errors else EXTRA_BLOCK
    best: list[float] = [0.0] + [float("inf")] * n
    back = [0] * (n + 1)
    for i in range(n):
        if best[i] == float("inf") or keys[i] == float("inf"):
            continue
        inside = 0.0
        for j in range(i + 1, min(n, i + MAX_ROW_BLOCKS) + 1):
            if j - 1 > i:  # block j-1 is cell text
                inside += KEY_INSIDE if keys[j - 1] == 0 else 0.0
                if titles[j - 1] and j - 1 - i >= width:  # one more block of a cell
                    inside += TITLE_INSIDE
                if region[j - 1].is_code:
                    inside += EXTRA_BLOCK
            rest = j - i - 1
            shape = (
                extra * (rest - (width - 1))
                if rest >= width - 1
                else MISSING_CELL * (width - 1 - rest)
            )
            cost = best[i] + keys[i] + shape + inside
            if cost < best[j]:
                best[j], back[j] = cost, i
    ends = {e: best[e] + TITLE_END for e in range(1, n) if titles[e]}
    ends.update(
        {e: best[e] + UNUSED * (n - e) for e in range(1, n) if region[e].is_code}
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
# A parameter name as the name cell shows it: `id*`, `fields.TITLE`, `UF_...`,
# `filter[ID]`, `LANGUAGE_ID (LANG)`.
NAME_SHAPE = re.compile(
    r"[A-Za-z_<](?:[\w.\[\]<>\-]*[\w\]>])?(?:\.\.\.)?(?: \(\w+\))?\**"
)


def key_cost(block: Block, first: Cell) -> float:
    """How unlikely a block is to open a row under header cell `first`: 0 for a sure
    key (a name with its type, a status, a code), more for text."""
    lines = [ln.strip() for ln in block.lines if ln.strip()]
    if block.is_code or not lines:
        return float("inf")
    role = T.column_role(first.text)
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
    if role == "field":
        return 0.0 if all(CODE_TOKEN.match(ln) for ln in lines) else 5.0
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
        # a name whose type the page left out ("UF_..."), or one word of text
        return 0.5 if re.search(r"_|\.\.\.$|\*$", name) else 2.0
    if len(lines) > 1 or not shaped:
        return 6.0 if len(lines) > 1 else 3.0
    if name.endswith("*"):
        return 0.0
    if re.fullmatch(r"[A-Z][a-z]+", name):  # a word of text ("Identifier")
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
            if short and not before and not after:
                out.append(text)
        return out[::-1]


def extract(chunks: list[Chunk], display: str, problems: list[Diagnostic]) -> Draft:
    d = Draft()
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


def read_intro_tables(items: list[Chunk], d: Draft, display: str) -> None:
    """A parameters table above the first section heading (pages without a
    "Parameters" heading), and tables under short lines that head them."""
    state = State(role="params")
    for chunk in items:
        if chunk.kind == "text":
            state.note(chunk.text)
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
            if SYSTEM_STATUS_LINE.search(text):
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
    chunk: Chunk, state: State, d: Draft, display: str, problems: list[Diagnostic]
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


def looks_like_subheading(text: str) -> bool:
    """A line that may head the table after it: short, one line, not a sentence."""
    return (
        "\n" not in text
        and 0 < len(text.split()) <= 8
        and not text.startswith("- ")
        and not text.rstrip().endswith((".", ",", ":", ";", "*", "!", "?"))
    )


def read_param_table(chunk: Chunk, state: State, d: Draft, display: str) -> None:
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
    if not params:
        return
    top = heading is None or bool(T.MORE_PARAMS_HEADING.match(heading))
    top = top or T.params_heading(heading or "") == "top"
    table = ParamTable(
        params=params,
        heading="" if top else (heading or ""),
        top=top,
        position=Position(display, chunk.line, 1),
    )
    d.param_tables.append(table)


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
    return [T.column_role(c.text) for c in table.header]


def column(roles: list[str | None], *wanted: str) -> int | None:
    return next((roles.index(w) for w in wanted if w in roles), None)


def cell_text(row: list[Cell], idx: int | None) -> str:
    return row[idx].text if idx is not None and idx < len(row) else ""


def name_and_types(
    row: list[Cell], name_col: int, type_col: int | None
) -> tuple[str, int, list[str]]:
    """Name, required level and types of a row: the type is the name cell's second line
    (blank form) or the type column; the pipe form keeps neither."""
    lines = row[name_col].text.split("\n")
    name, required, _ = T.parse_name_cell(lines[0])
    types = [t for ln in lines[1:4] for t in T.bare_type_tokens(ln)]
    if type_col is not None:
        types = T.bare_type_tokens(cell_text(row, type_col)) or types
    return name, required, types


def params_from(table: Chunk, display: str) -> list[Param]:
    roles = roles_of(table)
    name_col = column(roles, "name", "field")
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
    if not table.header or any(roles_of(table)):
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
        code = lines[0] if lines else ""
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
