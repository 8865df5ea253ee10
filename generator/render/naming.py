"""The one naming function: wire names (camelCase, UPPER_CASE, dotted, bracketed) become
Python identifiers here and nowhere else, so no template can emit an invalid name."""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import replace

from generator.ir import Param

_CAMEL_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_NOT_IDENT = re.compile(r"[^0-9a-zA-Z_]+")
# Names a keyword argument or attribute must not take: Python keywords and soft
# keywords, and the attributes every generated namespace already has.
_RESERVED = set(keyword.kwlist) | set(keyword.softkwlist) | {"self", "extra", "timeout"}


def snake(wire: str) -> str:
    """`taskId` -> `task_id`, `TASKID` -> `taskid`, `UF_CRM_TASK` -> `uf_crm_task`,
    `filter[ID]` -> `filter_id`, `class` -> `class_`, `1c` -> `_1c`."""
    text = _CAMEL_1.sub(r"\1_\2", wire)
    text = _CAMEL_2.sub(r"\1_\2", text)
    text = _NOT_IDENT.sub("_", text).strip("_").lower()
    text = re.sub(r"_+", "_", text) or "_"
    if text[0].isdigit():
        text = "_" + text
    if text in _RESERVED:
        text += "_"
    return text


def camel(wire: str) -> str:
    """`QUERY_LIMIT_EXCEEDED` -> `QueryLimitExceeded`, `tasks.task` -> `TasksTask`."""
    words = [w for w in re.split(r"[^0-9a-zA-Z]+", _CAMEL_2.sub(r"\1_\2", wire)) if w]
    text = "".join(w[:1].upper() + w[1:].lower() for w in words) or "X"
    return "_" + text if text[0].isdigit() else text


def unique_names(
    wires: list[str],
    taken: AbstractSet[str] = frozenset(),
    name_of: Callable[[str], str] | None = None,
    sep: str = "_",
) -> dict[str, str]:
    """Python names for wire names, collisions resolved deterministically: in the order
    given (the docs' order), the first keeps the plain name, later ones get _2, _3.
    `name_of` (default: `snake`) makes the plain name; `sep` goes before the number."""
    name_of = name_of or snake
    used = set(taken)
    out: dict[str, str] = {}
    for wire in dict.fromkeys(wires):
        base = name_of(wire)
        name, n = base, 2
        while name in used:
            name, n = f"{base}{sep}{n}", n + 1
        used.add(name)
        out[wire] = name
    return out


def error_class_name(code: str) -> str:
    """Exception class for an error code: `expired_token` -> `ExpiredTokenError`,
    `1048582` -> `Error1048582`."""
    if re.fullmatch(r"-?\d+", code):
        return "Error" + code.replace("-", "Minus")
    return camel(code) + "Error"


def with_python_names(
    params: tuple[Param, ...], taken: AbstractSet[str] = frozenset()
) -> tuple[Param, ...]:
    """Fill `python_name` on IR params (and their nested fields) with this module's
    names."""
    names = unique_names([p.name for p in params], taken)
    return tuple(
        replace(p, python_name=names[p.name], fields=with_python_names(p.fields))
        for p in params
    )
