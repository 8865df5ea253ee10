"""Block structure of a YFM (Yandex Flavored Markdown) page, with source positions.

The docs' dialect is mostly CommonMark plus `#| ... |#` tables, `{% note %}`,
`{% list tabs %}`, `{% cut %}`, `{% include %}` and `{% if %}`. This module turns a page
into a flat list of blocks (heading, paragraph, code, table, include, note markers, tab
labels) each with the line and column it starts at. It knows nothing about methods;
`markdown.py` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypedDict

from generator.diagnostics import Diagnostic, Position, diagnostic
from generator.spans import DEV_BLOCK, HTML_COMMENT, hide_spans

# A fence opener; a backtick fence's info string holds no backtick ("```x```" is inline
# code).
FENCE = re.compile(r"^(\s*)(`{3,}(?!.*`)|~{3,})\s*([^`\s]*)?.*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# Closes a fence in a cell; `||` may follow.
CELL_FENCE_END = re.compile(r"^\s*`{3,}(?=[^`]*$)")
LIQUID = re.compile(r"^\s*\{%-?\s*(\w+)(.*?)-?%\}\s*$")
INCLUDE = re.compile(r"\{%\s*include\s+(?:notitle\s+)?\[([^\]]*)\]\(([^)]+)\)\s*%\}")
LIST_ITEM = re.compile(r"^(\s*)[-*+]\s+(.*)$")
RULE = re.compile(r"(-{3,}|\*{3,}|_{3,})")  # a thematic break
RULE_START = ("-", "*", "_")


@dataclass
class Cell:
    text: str
    line: int
    col: int


@dataclass
class Block:
    # heading | para | code | table | include | note | endnote | tab | quote | hr
    kind: str
    text: str
    line: int
    col: int = 1
    path: str = ""
    level: int = 0  # heading level
    lang: str = ""  # code fence info string, note kind
    rows: list[list[Cell]] = field(default_factory=list)
    tab: str = ""  # the `{% list tabs %}` label a code block sits under
    note: str = ""  # the kind of `{% note %}` a block sits inside ("" outside notes)
    note_title: str = ""


class BlockContext(TypedDict):
    """Where a block sits: the Block fields that come from the blocks around it."""

    path: str
    tab: str
    note: str
    note_title: str


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def scan(
    text: str, path: str, first_line: int = 1
) -> tuple[list[Block], list[Diagnostic]]:
    """Split page text into blocks. `first_line` is the file line the text starts on."""
    text = hide_spans(hide_spans(text, HTML_COMMENT), DEV_BLOCK)
    lines = text.split("\n")
    blocks: list[Block] = []
    problems: list[Diagnostic] = []
    para: list[str] = []
    para_start = 0
    tab = ""
    note_stack: list[tuple[str, str]] = []
    i = 0

    def lineno(idx: int) -> int:
        return idx + first_line

    def context() -> BlockContext:
        kind, title = note_stack[-1] if note_stack else ("", "")
        return {"path": path, "tab": tab, "note": kind, "note_title": title}

    def flush() -> None:
        nonlocal para
        if para:
            blocks.append(
                Block("para", "\n".join(para).strip(), lineno(para_start), **context())
            )
            para = []

    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        fence = FENCE.match(raw)
        if fence:
            flush()
            i = _read_fence(
                lines, i, fence, path, first_line, blocks, problems, context()
            )
            continue
        if stripped.startswith("#|"):
            flush()
            i = _read_table(lines, i, path, first_line, blocks, problems, context())
            continue
        liquid = LIQUID.match(raw)
        if liquid:
            flush()
            tag, rest = liquid.group(1), liquid.group(2).strip()
            if tag == "include":
                inc = INCLUDE.search(raw)
                if inc:
                    blocks.append(
                        Block(
                            "include",
                            inc.group(2).strip(),
                            lineno(i),
                            raw.find("{%") + 1,
                            lang=inc.group(1),
                            **context(),
                        )
                    )
            elif tag == "note":
                kind, _, title = rest.partition(" ")
                note_stack.append((kind or "info", title.strip().strip("\"'")))
                blocks.append(
                    Block(
                        "note",
                        title.strip().strip("\"'"),
                        lineno(i),
                        lang=kind,
                        **context(),
                    )
                )
            elif tag == "endnote":
                if note_stack:
                    note_stack.pop()
            elif tag == "list" and rest.startswith("tabs"):
                tab = "?"
            elif tag == "endlist":
                tab = ""
            # cut/endcut/if/endif/else markers carry no content of their own
            i += 1
            continue
        heading = HEADING.match(raw) if not raw.startswith((" ", "\t")) else None
        if heading and not stripped.startswith("#|"):
            flush()
            tab = "?" if tab else ""
            blocks.append(
                Block(
                    "heading",
                    heading.group(2),
                    lineno(i),
                    level=len(heading.group(1)),
                    **context(),
                )
            )
            i += 1
            continue
        item = LIST_ITEM.match(raw)
        if item and indent_of(raw) == 0 and (tab or _fence_follows(lines, i)):
            flush()
            tab = item.group(2).strip()
            blocks.append(Block("tab", tab, lineno(i), **context()))
            i += 1
            continue
        if stripped.startswith(">"):
            flush()
            blocks.append(
                Block("quote", stripped.lstrip(">").strip(), lineno(i), **context())
            )
            i += 1
            continue
        if stripped[:1] in RULE_START and RULE.fullmatch(stripped):
            flush()
            blocks.append(Block("hr", stripped, lineno(i), **context()))
            i += 1
            continue
        if not stripped:
            flush()
        else:
            if not para:
                para_start = i
            para.append(raw)
        i += 1
    flush()
    if note_stack:
        problems.append(
            diagnostic(
                "YFM003",
                Position(path, lineno(len(lines) - 1), 1),
                "a {% note %} is never closed",
                "add {% endnote %}",
            )
        )
    return blocks, problems


def _fence_follows(lines: list[str], i: int) -> bool:
    """A list item whose next non-blank line is an indented fence labels that code block
    (the docs' tab lists, also when the `{% list tabs %}` marker is missing)."""
    for j in range(i + 1, len(lines)):  # no slice: a copy per item is quadratic
        line = lines[j]
        if line.strip():
            return indent_of(line) > 0 and FENCE.match(line) is not None
    return False


def _read_fence(
    lines: list[str],
    i: int,
    match: re.Match[str],
    path: str,
    first_line: int,
    blocks: list[Block],
    problems: list[Diagnostic],
    ctx: BlockContext,
) -> int:
    """Read a fenced code block the way CommonMark does.

    A closing fence indented 4+ columns more than its opener is not a closing fence, so
    the block runs on; that defect is reported instead of silently "fixed".
    """
    opener_indent = len(match.group(1).expandtabs(4))
    marker = match.group(2)
    lang = (match.group(3) or "").strip()
    body: list[str] = []
    j = i + 1
    closed = False
    while j < len(lines):
        line = lines[j]
        stripped = line.strip()
        if (
            stripped.startswith(marker[0] * len(marker))
            and stripped.strip(marker[0]) == ""
        ):
            delta = indent_of(line) - opener_indent
            if abs(delta) < 4:
                closed = True
                break
            problems.append(
                diagnostic(
                    "YFM001",
                    Position(path, j + first_line, indent_of(line) + 1),
                    f"code fence 'closed' with {indent_of(line)} spaces of indent "
                    f"does not close the fence opened at line {i + first_line}",
                    "indent the closing ``` like the opening one",
                )
            )
        body.append(
            line[opener_indent:]
            if line[:opener_indent].strip() == ""
            else line.lstrip()
        )
        j += 1
    if not closed:
        problems.append(
            diagnostic(
                "YFM002",
                Position(path, i + first_line, opener_indent + 1),
                "code fence never closes",
                "add a closing ```",
            )
        )
    blocks.append(
        Block(
            "code", "\n".join(body), i + first_line, opener_indent + 1, lang=lang, **ctx
        )
    )
    return j + 1


def _read_table(
    lines: list[str],
    i: int,
    path: str,
    first_line: int,
    blocks: list[Block],
    problems: list[Diagnostic],
    ctx: BlockContext,
) -> int:
    """Read a `#| ... |#` table; returns the index of the line after it."""
    start = i
    depth = 0
    j = i
    while j < len(lines):
        s = lines[j].strip()
        if s.startswith("#|"):
            depth += 1
        if s.endswith("|#") or s.startswith("|#"):
            depth -= 1
            if depth == 0:
                break
        j += 1
    if j >= len(lines):
        problems.append(
            diagnostic(
                "YFM004",
                Position(path, start + first_line, 1),
                "table opened with #| never closes",
                "add |# after the last row",
            )
        )
        j = len(lines) - 1
    segment = lines[start : j + 1]
    rows, row_problems = split_table(segment, path, start + first_line)
    problems.extend(row_problems)
    blocks.append(Block("table", "", start + first_line, rows=rows, **ctx))
    return j + 1


# An escaped pipe, a row mark `||`, a cell border `|`.
CELL_MARK = re.compile(r"\\\||\|\||\|")


def _add_text(
    cell: list[str], text: str, start: int, lno: int, pos: tuple[int, int]
) -> tuple[int, int]:
    """Add text to a cell; a cell's leading blanks are dropped and its position moves
    past them. Returns the cell's position."""
    if not cell:
        kept = text.lstrip()
        if not kept:
            return (lno, start + len(text) + 1)
        pos = (lno, start + len(text) - len(kept) + 1)
        text = kept
    cell.append(text)
    return pos


def split_table(
    segment: list[str], path: str, first_line: int
) -> tuple[list[list[Cell]], list[Diagnostic]]:
    """Split table source into rows of cells as the docs' renderer does.

    `||` opens and closes a row, an unescaped `|` splits cells, lines inside a ``` fence
    (within a cell) are taken as they are, and a nested `#| |#` table stays in its cell.
    """
    rows: list[list[Cell]] = []
    problems: list[Diagnostic] = []
    row: list[Cell] | None = None
    cell: list[str] = []
    cell_pos = (0, 0)
    in_fence = False
    nested = 0

    def close_cell() -> None:
        nonlocal cell
        if row is not None:
            row.append(Cell("".join(cell).strip(), *cell_pos))
        cell = []

    for offset, line in enumerate(segment):
        lno = first_line + offset
        text = line
        if offset == 0:
            text = line[line.find("#|") + 2 :]
        stripped = text.strip()
        if offset == len(segment) - 1 and stripped.endswith("|#") and not in_fence:
            text = text[: text.rfind("|#")]
            stripped = text.strip()
        if in_fence:
            end = CELL_FENCE_END.match(text)
            if end is None:
                cell.append(text + "\n")
                continue
            in_fence = False  # what follows the closing fence ("``` ||") still counts
            cell.append(text[: end.end()])
            text = " " * end.end() + text[end.end() :]
            stripped = text.strip()
            if not stripped:
                cell.append("\n")
                continue
        elif row is not None and FENCE.match(text):
            in_fence = True
            cell.append(text + "\n")
            continue
        if row is not None and offset and stripped.startswith("#|"):
            nested += 1
        if nested:
            cell.append(text + "\n")
            if stripped.endswith("|#") or stripped.startswith("|#"):
                nested -= 1
            continue
        pos = 0
        for m in CELL_MARK.finditer(text):
            if row is not None and m.start() > pos:
                cell_pos = _add_text(cell, text[pos : m.start()], pos, lno, cell_pos)
            pos = m.end()
            mark = m.group()
            if mark == "\\|":
                if row is not None:
                    cell.append("|")
            elif mark == "||":
                if row is None:
                    row, cell, cell_pos = [], [], (lno, m.start() + 3)
                else:
                    close_cell()
                    rows.append(row)
                    row = None
            elif row is not None:
                close_cell()
                cell_pos = (lno, m.start() + 2)
        if row is not None and pos < len(text):
            cell_pos = _add_text(cell, text[pos:], pos, lno, cell_pos)
        if row is not None:
            cell.append("\n")
            if not "".join(cell).strip():
                cell_pos = (lno + 1, 1)
    if row is not None:
        problems.append(
            diagnostic(
                "YFM005",
                Position(path, cell_pos[0], cell_pos[1]),
                "table row opened with || never closes",
                "end the row with ||",
            )
        )
        close_cell()
        rows.append(row)
    return rows, problems
