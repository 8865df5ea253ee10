"""Alternative parameter sets: parameters the docs mark required that are required only
when another parameter is not given.

Two forms in the docs:

- several ways to call one method: the parameters section has numbered sub-headings
  ("### 1. By the attached poll ID", "### 2. By the poll element"), each over its own
  table; the required parameters of each table form one alternative set;
- a parameter's description says so: "Required if `DIALOG_ID` is not provided",
  "required if both `FROM_USER_ID` and `TO_USER_ID` are not provided", "Pass either
  `CHAT_ID` or `DIALOG_ID`".

The record keeps the docs' `required` marks and gets `conditionally_required` with
the `alternatives` of each such parameter, and `Method.alternatives`: the groups of
sets, one set of each group to be given whole.
"""

from __future__ import annotations

import re
from dataclasses import replace

from generator.ir import Method, Param
from generator.read.yfm import Block

# "### 1. By the ID", "### Option 2", "### Method 3: ...", "### Way 1"
_WAY_HEADING = re.compile(
    r"^\s*(?:\d+[.)]|(?:option|variant|way|method|вариант|способ)\s+\d+\b)", re.I
)
# The name cell of a parameter row: "**attachId***" (the star after: required).
_ROW_NAME = re.compile(r"\s*\*\*`?([^*`\s]+)`?\*\*(\\?\*)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REQUIRED_IF_NOT = re.compile(
    r"required\s+(?:only\s+)?if\s+(?P<what>[^.;|]*?)\s+(?:is|are)\s+not\s+"
    r"(?:provided|specified|passed|given|set|sent|filled)",
    re.I,
)
_EITHER = re.compile(
    r"\beither\s+(?P<what>(?:the\s+)?`[^.;|]*?`(?:\s+parameters?)?)", re.I
)


def annotate(method: Method, blocks: list[Block], roles: list[str | None]) -> Method:
    """The record with its alternative parameter sets filled in (unchanged when the
    page documents none)."""
    names = {p.name for p in method.params}
    groups = _merged(_ways(method, blocks, roles) + _described(method.params, names))
    if not groups:
        return method
    partners: dict[str, set[str]] = {}
    for group in groups:
        members = {n for s in group for n in s}
        for s in group:
            for n in s:
                partners.setdefault(n, set()).update(members - set(s))
    params = tuple(
        (
            replace(
                p,
                conditionally_required=True,
                alternatives=tuple(sorted(partners[p.name])),
            )
            if partners.get(p.name)
            else p
        )
        for p in method.params
    )
    return replace(method, params=params, alternatives=tuple(groups))


def _ways(
    method: Method, blocks: list[Block], roles: list[str | None]
) -> list[tuple[tuple[str, ...], ...]]:
    """Sets from numbered sub-headings of the parameters section, each over a table."""
    page_path = method.position.path if method.position else None
    starts = [
        b.line
        for b, role in zip(blocks, roles, strict=False)
        if role == "params"
        and b.kind == "heading"
        and b.level >= 3
        and _WAY_HEADING.match(b.text.lstrip("#").strip())
        and b.path in ("", page_path)
    ]
    if len(starts) < 2:
        return []
    bounds = starts + [10**9]
    top = {p.name for p in method.params}
    sets: list[list[str]] = [[] for _ in starts]
    for b, role in zip(blocks, roles, strict=False):
        if role != "params" or b.kind != "table" or b.path not in ("", page_path):
            continue
        for i in range(len(starts)):
            if bounds[i] < b.line < bounds[i + 1]:
                for row in b.rows[1:]:
                    m = _ROW_NAME.match(row[0].text if row else "")
                    if m and m[2] and m[1] in top and m[1] not in sets[i]:
                        sets[i].append(m[1])
    sets = [s for s in sets if s]
    if len(sets) < 2:
        return []
    in_all = set(sets[0]).intersection(*sets[1:])
    cleaned = [tuple(n for n in s if n not in in_all) for s in sets]
    if any(not s for s in cleaned):
        return []  # one way needs nothing more than the others: no real alternative
    return [tuple(dict.fromkeys(cleaned))]


def _mentioned(text: str, names: set[str], own: str) -> list[str]:
    lower = {n.lower(): n for n in names}
    out: list[str] = []
    for word in _WORD.findall(text):
        name = lower.get(word.strip().lower())
        if name and name != own and name not in out:
            out.append(name)
    return out


def _described(
    params: tuple[Param, ...], names: set[str]
) -> list[tuple[tuple[str, ...], ...]]:
    """Sets from descriptions: "Required if `X` is not provided", "either `X` or
    `Y`" (each parameter named is a set of its own)."""
    groups: list[tuple[tuple[str, ...], ...]] = []
    for p in params:
        text = p.description
        patterns = (_REQUIRED_IF_NOT, _EITHER) if p.required else (_REQUIRED_IF_NOT,)
        for pattern in patterns:
            for m in pattern.finditer(text):
                others = _mentioned(m["what"], names, p.name)
                if not others:
                    continue
                own = [p.name] if pattern is _REQUIRED_IF_NOT else []
                if pattern is _EITHER and p.name.lower() in m["what"].lower():
                    own = [p.name]
                members = own + others
                if len(members) >= 2:
                    groups.append(tuple((n,) for n in sorted(members)))
    return groups


def _merged(
    groups: list[tuple[tuple[str, ...], ...]],
) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Groups that share a parameter become one; sets kept in a stable order."""
    merged: list[set[tuple[str, ...]]] = []
    for group in groups:
        sets = set(group)
        names = {n for s in sets for n in s}
        overlapping = [m for m in merged if names & {n for s in m for n in s}]
        for m in overlapping:
            sets |= m
            merged.remove(m)
        merged.append(sets)
    return tuple(tuple(sorted(m)) for m in sorted(merged, key=lambda m: sorted(m)))
