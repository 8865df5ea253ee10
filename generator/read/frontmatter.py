"""YAML front matter: split it from the body and load it with the line of every key."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.diagnostics import Diagnostic, Position, diagnostic

# The spec schema: key -> accepted Python types. One place for it; lint and sync read
# it too.
SCHEMA: dict[str, tuple[type, ...]] = {
    "method": (str,),
    "scope": (str, list),
    "api": (str,),
    "title": (str,),
    "deprecated": (bool,),
    "replacement": (str, type(None)),
    "aliases": (list,),
    "rate_limit_per_sec": (int, float, type(None)),
    "pagination": (str,),
    "params": (list, dict),
    "returns": (dict, list),
    "errors": (list,),
    "batch": (bool,),
    "idempotent": (bool,),
}
# A mapping as YAML loaded it: values are whatever the author wrote, so every use
# checks their type (SCHEMA says which ones are valid).
YamlMapping = Mapping[str, Any]
PAGINATION = ("none", "start-next", "page-limit")
APIS = ("v2", "v3")


@dataclass
class FrontMatter:
    data: dict[str, Any] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    present: bool = False
    parsed: bool = True  # False when the YAML did not load (already reported)
    body: str = ""
    body_line: int = 1  # the file line the body starts on


def split(text: str, path: str) -> tuple[FrontMatter, list[Diagnostic]]:
    """Separate `---` front matter from the body; a file without one is all body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter(body=text, body_line=1), []
    end = next(
        (i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None
    )
    if end is None:
        return FrontMatter(body=text, body_line=1), [
            diagnostic(
                "SPEC001",
                Position(path, 1, 1),
                "front matter opened with --- never closes",
                "close it with a line holding only ---",
            )
        ]
    from generator.read.yamlload import YamlProblem, key_marks, load_yaml

    yaml_text = "\n".join(lines[1:end])
    fm = FrontMatter(present=True, body="\n".join(lines[end + 1 :]), body_line=end + 2)
    problems: list[Diagnostic] = []
    try:
        node, data = load_yaml(yaml_text)
    except YamlProblem as problem:
        fm.parsed = False
        return fm, [
            diagnostic(
                "SPEC002",
                Position(path, problem.line + 1, problem.col),
                f"front matter is not valid YAML: {problem.message}",
                problem.hint,
            )
        ]
    if data is None:
        return fm, []
    keys = key_marks(node)
    if not isinstance(data, dict) or keys is None:
        fm.parsed = False
        return fm, [
            diagnostic(
                "SPEC003",
                Position(path, 2, 1),
                "front matter must be a mapping",
                "write one 'key: value' per line",
            )
        ]
    fm.data = data
    for key, line, col in keys:
        fm.positions[key] = Position(path, line + 2, col + 1)
    problems.extend(check_schema(fm, path))
    return fm, problems


# The keys of one `params` entry and the types each accepts.
PARAM_SCHEMA: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "type": (str,),
    "item_type": (str, type(None)),
    "required": (bool,),
    "description": (str,),
}


def check_params(fm: FrontMatter, path: str) -> list[Diagnostic]:
    """Each `params` entry: a mapping with a name and values of the right types."""
    items = fm.data.get("params")
    if not isinstance(items, list):
        return []
    pos = fm.positions.get("params", Position(path, 1, 1))
    problems = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            problems.append(
                diagnostic(
                    "SPEC005",
                    pos,
                    f"params entry {number} must be a mapping with a 'name'",
                    "write `- name: ...` with type, required, description",
                )
            )
            continue
        for key, types in PARAM_SCHEMA.items():
            if key in item and not isinstance(item[key], types):
                names = " or ".join(t.__name__ for t in types)
                message = (
                    f"params entry {number} ('{item['name']}'): '{key}' must be {names}"
                )
                problems.append(diagnostic("SPEC005", pos, message))
    return problems


def check_schema(fm: FrontMatter, path: str) -> list[Diagnostic]:
    problems = []
    for key, value in fm.data.items():
        pos = fm.positions.get(str(key), Position(path, 1, 1))
        if key not in SCHEMA:
            close = _did_you_mean(str(key))
            problems.append(
                diagnostic(
                    "SPEC004",
                    pos,
                    f"unknown front-matter key '{key}'",
                    (
                        f"did you mean '{close}'?"
                        if close
                        else "allowed: " + ", ".join(SCHEMA)
                    ),
                )
            )
        elif not isinstance(value, SCHEMA[key]) or (
            key != "deprecated" and isinstance(value, bool) and bool not in SCHEMA[key]
        ):
            names = " or ".join(t.__name__ for t in SCHEMA[key])
            problems.append(
                diagnostic(
                    "SPEC005",
                    pos,
                    f"front-matter key '{key}' must be {names}, "
                    f"got {type(value).__name__}",
                    "see the spec format in DESIGN.md",
                )
            )
    problems.extend(check_params(fm, path))
    rate = fm.data.get("rate_limit_per_sec")
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        if not (math.isfinite(rate) and rate > 0):
            problems.append(
                diagnostic(
                    "SPEC005",
                    fm.positions["rate_limit_per_sec"],
                    f"rate_limit_per_sec must be a positive number, got {rate}",
                    "calls per second, as the method's page documents it",
                )
            )
    for key, allowed in (("pagination", PAGINATION), ("api", APIS)):
        value = fm.data.get(key)
        if isinstance(value, str) and value not in allowed:
            problems.append(
                diagnostic(
                    "SPEC006",
                    fm.positions[key],
                    f"{key} '{value}' is not one of {', '.join(allowed)}",
                    f"use one of {', '.join(allowed)}",
                )
            )
    return problems


def _did_you_mean(key: str) -> str | None:
    import difflib

    match = difflib.get_close_matches(key, list(SCHEMA), n=1, cutoff=0.6)
    return match[0] if match else None
