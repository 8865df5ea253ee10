"""Parameter sub-tables linked to the parameter whose fields they list.

A method page lists its parameters in one table and the fields of object parameters in
sub-tables under their own headings ("### Parameter fields {#fields}", "### FIELDS
Parameter", "### Type uf_enum_element", "### job.fields Parameter"). A sub-table finds
its parent by, in order: a link from the parent's row to the heading's anchor
(`[below](#fields)`); a name in the heading that is a parameter's name (a dotted or
bracketed path narrows it down); a name in the heading that is a parameter's type; a
name in the heading that exactly one parameter's description mentions ("### NAV_PARAMS
Parameter" for a row "PARAMS: an object NAV_PARAMS"). Several tables under one heading
(one per tab) give the union of their rows. Pages with no top table but one table per
way of calling ("1. By ID", "2. By code") list alternatives: their rows are all
top-level parameters. A sub-table nothing claims is reported (MD010).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from generator.diagnostics import Diagnostic, Position, diagnostic
from generator.ir import Param

ANCHOR_LINK = re.compile(r"\]\(#([^()\[\]\s]+)\)")
HEADING_ANCHOR = re.compile(r"\{#([^}]+)\}")
PATH_TOKEN = re.compile(r"[A-Za-z_][\w-]*(?:\[[^\]]*\]|\.[A-Za-z_][\w]*)*(?:\[\])?")
# Heading words that never name a parameter, and names so common they are tried last.
NOT_NAMES = {
    "parameter",
    "parameters",
    "param",
    "object",
    "objects",
    "type",
    "types",
    "array",
    "element",
    "elements",
    "of",
    "the",
    "a",
    "an",
    "in",
    "for",
    "structure",
    "description",
    "available",
    "possible",
    "by",
    "with",
    "and",
    "or",
    "to",
    "from",
    "is",
    "one",
    "its",
    "each",
    "format",
    "formats",
    "custom",
    "additional",
    "binding",
    "link",
    "main",
    "general",
    "new",
}
WEAK_NAMES = {
    "fields",
    "field",
    "settings",
    "items",
    "item",
    "value",
    "values",
    "list",
    "key",
    "keys",
    "data",
    "params",
}


@dataclass
class ParamTable:
    """One table of parameters: a top table of the parameters section, or a sub-table
    under a heading (`heading`, `anchors`) that names the parameter it details."""

    params: list[Param] = field(default_factory=list)
    # The #anchors each row links to.
    links: list[set[str]] = field(default_factory=list)
    heading: str = ""
    anchors: set[str] = field(default_factory=set)
    top: bool = True
    position: Position | None = None


@dataclass
class Node:
    param: Param
    links: set[str]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)


def anchors_of(heading_source: str, heading_text: str) -> set[str]:
    """The explicit `{#anchor}` of a heading plus the slug the docs' renderer makes."""
    found = {a.lower() for a in HEADING_ANCHOR.findall(heading_source)}
    slug = re.sub(r"[^\w\s-]", "", heading_text.lower()).strip()
    found.add(re.sub(r"\s+", "-", slug))
    return found


def row_links(*cells: str) -> set[str]:
    return {a.lower() for cell in cells for a in ANCHOR_LINK.findall(cell)}


def nest(tables: list[ParamTable], problems: list[Diagnostic]) -> list[Param]:
    """The page's parameter tree: top tables merged, sub-tables under their parents."""
    roots: list[Node] = []
    for table in tables:
        if table.top:
            merge(roots, nodes_of(table, None))
    pending = [t for t in tables if not t.top]
    alternatives = not any(t.top for t in tables)
    while pending:
        pending, attached = attach_all(roots, pending)
        if attached:
            continue
        if not alternatives:
            break
        # One way of calling: its rows are top-level parameters.
        merge(roots, nodes_of(pending.pop(0), None))
    nodes = list(walk(roots))
    for table in pending:
        first = table.params[0].position if table.params else None
        if find_parent(table, nodes) is not None:  # it has a parent, too deep down
            problems.append(too_deep(table, first))
            continue
        problems.append(
            diagnostic(
                "MD010",
                table.position or first or Position("", 0, 0),
                f"sub-table '{table.heading}' is not linked to any parameter",
                "name the parameter in the heading or link its row to the "
                "heading's anchor",
            )
        )
    return [to_param(n) for n in roots]


# Nested fields deeper than this are not followed: the docs go five levels deep at
# most, and every later step (walks, the IR, TypedDicts) recurses along the chain.
MAX_FIELD_DEPTH = 12


def too_deep(table: ParamTable, first: Position | None) -> Diagnostic:
    return diagnostic(
        "MD011",
        table.position or first or Position("", 1, 1),
        f"sub-table '{table.heading[:80]}' nests fields deeper than "
        f"{MAX_FIELD_DEPTH} levels; it is left out",
    )


def attach_all(
    roots: list[Node], pending: list[ParamTable]
) -> tuple[list[ParamTable], bool]:
    left: list[ParamTable] = []
    attached = False
    for table in pending:
        parent = find_parent(table, list(walk(roots)))
        if parent is None or depth(parent) >= MAX_FIELD_DEPTH:
            left.append(table)
            continue
        merge(parent.children, nodes_of(table, parent))
        attached = True
    return left, attached


def nodes_of(table: ParamTable, parent: Node | None) -> list[Node]:
    # Tables built without links (the scraped forms) get none for every row.
    no_links: list[set[str]] = [set()] * (len(table.params) - len(table.links))
    return [
        Node(param, set(anchors), parent)
        for param, anchors in zip(table.params, table.links + no_links, strict=True)
    ]


def merge(into: list[Node], new: list[Node]) -> None:
    """Add nodes by name; a name already there keeps its first row, gains the fields.
    Names are compared as written: `SORT` beside `sort` is another parameter."""
    index = {n.param.name: n for n in into}
    for node in new:
        old = index.get(node.param.name)
        if old is None:
            index[node.param.name] = node
            into.append(node)
            continue
        old.links |= node.links
        for child in node.children:
            child.parent = old
        merge(old.children, node.children)


def walk(nodes: list[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        yield from walk(node.children)


def depth(node: Node) -> int:
    steps = 0
    while node.parent is not None:
        node, steps = node.parent, steps + 1
    return steps


def find_parent(table: ParamTable, nodes: list[Node]) -> Node | None:
    if table.anchors:
        for node in nodes:
            if node.links & table.anchors:
                return node
    paths = heading_paths(table.heading)
    whole = table.heading.strip()
    if PATH_TOKEN.fullmatch(whole):  # a heading that is just a name ("fields", "type")
        paths.insert(0, split_path(whole))
    for path in paths:
        found = best_match(path, nodes, by_type=False) or best_match(
            path, nodes, by_type=True
        )
        if found is not None:
            return found
    return mentioned_by(paths, nodes)


def mentioned_by(paths: list[list[str]], nodes: list[Node]) -> Node | None:
    """The one parameter whose description names the heading's (distinctive) word:
    "### NAV_PARAMS Parameter" under a row "PARAMS: an object `NAV_PARAMS` ..."."""
    for path in paths:
        word = path[-1]
        if len(word) < 4 or word.lower() in WEAK_NAMES:
            continue
        pattern = re.compile(rf"(?<![\w.]){re.escape(word)}(?![\w])")
        found = [n for n in nodes if pattern.search(n.param.description)]
        if len(found) == 1:
            return found[0]
    return None


def heading_paths(heading: str) -> list[list[str]]:
    """Candidate parameter paths a heading names, most specific first:
    "job.fields Parameter" -> [["job", "fields"]]; "Parameter Data[]" -> [["Data"]]."""
    text = HEADING_ANCHOR.sub("", heading).replace("`", " ")
    paths = [split_path(t) for t in PATH_TOKEN.findall(text)]
    paths = [p for p in paths if p and not (len(p) == 1 and p[0].lower() in NOT_NAMES)]
    rank = {id(p): (-len(p), len(p) == 1 and p[0].lower() in WEAK_NAMES) for p in paths}
    out: list[list[str]] = []
    for p in sorted(paths, key=lambda p: rank[id(p)]):
        if p not in out:
            out.append(p)
    return out


def split_path(token: str) -> list[str]:
    token = token[:-2] if token.endswith("[]") else token
    parts = re.split(r"\.|\[|\]", token)
    return [p for p in parts if p and p != "]"]


def best_match(path: list[str], nodes: list[Node], by_type: bool) -> Node | None:
    def key(node: Node) -> str:
        p = node.param
        return (p.item_type or p.type) if by_type else p.name

    last = path[-1].lower()
    found = [n for n in nodes if key(n).lower().rstrip("[]") == last]
    if not found:
        return None
    return max(found, key=lambda n: (ancestry_score(n, path[:-1]), -depth(n)))


def ancestry_score(node: Node, ancestors: list[str]) -> int:
    score, parent = 0, node.parent
    for name in reversed(ancestors):
        if parent is None or parent.param.name.lower() != name.lower():
            break
        score += 1
        parent = parent.parent
    return score


def to_param(node: Node) -> Param:
    if not node.children:
        return node.param
    return replace(node.param, fields=tuple(to_param(c) for c in node.children))
