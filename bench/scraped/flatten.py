"""HTML of a rendered docs page -> the two text forms scraped from the docs website.

The docs website shows pages rendered by `@diplodoc/transform`; what scrapers keep of
them comes in two forms (see the seeds in shared/seeds and the reader's docstring in
generator/read/scraped.py):

"pipe": one line per block. A heading, a paragraph, a list item ("- " before it) is a
line; a code block is its lines without indentation and without empty lines; tab labels
are listed once before the tab panels; a blockquote's paragraphs run together, the
"Scope:" label on a line of its own. A table opens with a lone `|` line, then every
header cell as `text |`, then each row: a lone `|` line and one `text |` line per cell
(an empty cell is a lone `|`). Table cells lose their inline code, and a cell's text
stops where its first inline code stood (descriptions end mid-sentence).

"blank": blocks separated by empty lines. A heading, a paragraph, a list item is a block
(a line break inside it stays a line break); inline code is kept everywhere; every table
cell's paragraphs are blocks of their own, an empty cell leaves nothing; a code block
keeps its first line as it is and indents every later line by eight spaces, ending with
a line of eight spaces; tab labels are not kept.

Only the standard library: the test-data generator runs wherever Python and node do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "path"}
SKIP_CLASSES = ("yfm-anchor", "yfm-code-floating", "visually-hidden")
SKIP_TAGS = {"svg", "button", "script", "style", "animate"}
BLOCK_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "pre",
    "blockquote",
    "div",
    "details",
    "summary",
    "hr",
    "dl",
    "dt",
    "dd",
    "tbody",
    "thead",
    "tr",
    "td",
    "th",
}
INDENT = " " * 8


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> str:
        return self.attrs.get("class", "")

    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for k in range(len(self.stack) - 1, 0, -1):
            if self.stack[k].tag == tag:
                del self.stack[k:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def skipped(node: Node) -> bool:
    return node.tag in SKIP_TAGS or any(c in SKIP_CLASSES for c in node.classes.split())


# ---------------------------------------------------------------- inline text


class Stop(Exception):
    """Raised inside a pipe-form table cell at its first inline code."""


def inline(node: Node, stop_at_code: bool = False) -> str:
    """The text of an inline run: whitespace collapsed, `<br>` a line break."""
    parts: list[str] = []

    def walk(n: Node | str) -> None:
        if isinstance(n, str):
            parts.append(re.sub(r"\s+", " ", n))
            return
        if skipped(n):
            return
        if n.tag == "br":
            parts.append("\n")
            return
        if n.tag == "img":
            return
        if n.tag == "code" and stop_at_code:
            raise Stop
        for c in n.children:
            walk(c)

    try:
        for c in node.children:
            walk(c)
    except Stop:
        pass
    text = "".join(parts)
    return "\n".join(" ".join(ln.split()) for ln in text.split("\n")).strip()


def has_blocks(node: Node) -> bool:
    return any(c.tag in BLOCK_TAGS for c in node.elements() if not skipped(c))


def inline_runs(node: Node) -> list[Node]:
    """The children of a mixed node grouped into inline runs and block elements."""
    out: list[Node] = []
    run = Node("span")
    for c in node.children:
        if isinstance(c, Node) and c.tag in BLOCK_TAGS and not skipped(c):
            if run.children:
                out.append(run)
                run = Node("span")
            out.append(c)
        else:
            run.children.append(c)
    if run.children:
        out.append(run)
    return out


def code_text(pre: Node) -> str:
    parts: list[str] = []

    def walk(n: Node | str) -> None:
        if isinstance(n, str):
            parts.append(n)
        elif not skipped(n):
            for c in n.children:
                walk(c)

    walk(pre)
    return "".join(parts).rstrip("\n")


# ---------------------------------------------------------------- the pipe form


def pipe(html: str) -> str:
    lines: list[str] = []
    pipe_blocks(parse(html), lines)
    return "\n".join(ln for ln in lines if ln is not None) + "\n"


def pipe_blocks(node: Node, out: list[str]) -> None:
    for part in inline_runs(node):
        pipe_block(part, out)


def pipe_block(node: Node, out: list[str]) -> None:
    tag = node.tag
    if skipped(node) or tag in ("hr", "img"):
        return
    if tag == "span" or tag in (
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "summary",
        "dt",
    ):
        if tag in ("span", "p") and has_blocks(node):
            pipe_blocks(node, out)
            return
        text = inline(node)
        out.extend(ln for ln in text.split("\n") if ln.strip())
    elif tag == "blockquote":
        out.extend(pipe_quote(node))
    elif tag in ("ul", "ol"):
        for li in node.elements():
            if li.tag == "li":
                pipe_item(li, out)
    elif tag == "pre":
        out.extend(ln.strip() for ln in code_text(node).split("\n") if ln.strip())
    elif tag == "table":
        pipe_table(node, out)
    elif tag == "div" and "yfm-tab-list" in node.classes:
        out.extend(inline(t) for t in node.elements() if "yfm-tab" in t.classes)
    else:
        pipe_blocks(node, out)


def pipe_item(li: Node, out: list[str]) -> None:
    runs = inline_runs(li)
    first = True
    for part in runs:
        if first and (part.tag in ("span", "p")) and not has_blocks(part):
            text = inline(part)
            lines = [ln for ln in text.split("\n") if ln.strip()]
            if lines:
                out.append("- " + lines[0])
                out.extend(lines[1:])
            first = False
            continue
        first = False
        pipe_block(part, out)


def pipe_quote(node: Node) -> list[str]:
    """A blockquote's paragraphs run together; a leading "Label:" before a link stays
    on a line of its own ("Scope:" / "taskWho can execute the method: ...")."""
    texts = [inline(p) if p.tag != "span" else inline(p) for p in inline_runs(node)]
    joined = "".join(t.replace("\n", " ") for t in texts if t)
    m = re.match(r"^([^:\n]{1,40}:)\s*(.*)$", joined, re.S)
    if m and m.group(2):
        return [m.group(1), m.group(2)]
    return [joined] if joined else []


def rows_of(table: Node) -> list[list[Node]]:
    rows: list[list[Node]] = []

    def walk(n: Node) -> None:
        for c in n.elements():
            if c.tag == "tr":
                rows.append([td for td in c.elements() if td.tag in ("td", "th")])
            elif c.tag in ("tbody", "thead", "tfoot"):
                walk(c)

    walk(table)
    return rows


def pipe_cell(td: Node) -> str:
    """A cell's text up to its first inline code, on one line."""
    texts: list[str] = []
    try:
        for part in inline_runs(td):
            text = pipe_cell_part(part)
            if text:
                texts.append(text)
    except StopWith as stop:
        texts.append(stop.text)
    except Stop:
        pass
    return " ".join(" ".join(texts).split())


def pipe_cell_part(node: Node) -> str:
    if skipped(node):
        return ""
    if node.tag in ("span", "p", "summary") and not has_blocks(node):
        text = inline(node, stop_at_code=True)
        if has_code(node):
            if text:
                # the text before the code is kept, then the cell ends
                raise StopWith(text)
            raise Stop
        return text
    if node.tag == "pre":
        raise Stop
    texts = []
    for part in inline_runs(node) if node.tag not in ("ul", "ol") else node.elements():
        try:
            text = pipe_cell_part(part)
        except StopWith as stop:
            texts.append(stop.text)
            raise StopWith(" ".join(texts)) from None
        if text:
            texts.append(text)
    return " ".join(texts)


class StopWith(Stop):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def has_code(node: Node) -> bool:
    for c in node.elements():
        if skipped(c):
            continue
        if c.tag == "code" or has_code(c):
            return True
    return False


def pipe_table(table: Node, out: list[str]) -> None:
    rows = rows_of(table)
    if not rows:
        return
    out.append("|")
    for td in rows[0]:
        out.append(cell_line(td))
    for row in rows[1:]:
        out.append("|")
        for td in row:
            out.append(cell_line(td))


def cell_line(td: Node) -> str:
    try:
        text = pipe_cell(td)
    except StopWith as stop:
        text = stop.text
    return f"{text} |" if text else "|"


# ---------------------------------------------------------------- the blank form


def blank(html: str) -> str:
    blocks: list[str] = []
    blank_blocks(parse(html), blocks)
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"


def blank_blocks(node: Node, out: list[str]) -> None:
    for part in inline_runs(node):
        blank_block(part, out)


def blank_block(node: Node, out: list[str]) -> None:
    tag = node.tag
    if skipped(node) or tag in ("hr", "img"):
        return
    if tag == "span" or tag in (
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "summary",
        "dt",
    ):
        if tag in ("span", "p") and has_blocks(node):
            blank_blocks(node, out)
            return
        text = inline(node)
        if text:
            out.append(text)
    elif tag in ("ul", "ol"):
        for li in node.elements():
            if li.tag == "li":
                blank_blocks(li, out)
    elif tag == "pre":
        lines = code_text(node).split("\n")
        body = [lines[0]] + [INDENT + ln for ln in lines[1:]] + [INDENT]
        out.append("\n".join(body))
    elif tag == "table":
        for row in rows_of(node):
            for td in row:
                blank_blocks(td, out)
    elif tag == "div" and "yfm-tab-list" in node.classes:
        return
    else:
        blank_blocks(node, out)
