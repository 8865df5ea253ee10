"""YAML front matter: split it from the body and load it with the line of every key."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

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
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
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
    for key_node, _ in node.value:
        fm.positions[str(key_node.value)] = Position(
            path, key_node.start_mark.line + 2, key_node.start_mark.column + 1
        )
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


MAX_YAML_CHARS = 256 * 1024
MAX_YAML_DEPTH = 40
SYNTAX_HINT = "fix the YAML syntax (quote values holding ': ' or '#')"


class YamlProblem(Exception):
    """Why a front matter did not load, at a 1-based line and column of the YAML."""

    def __init__(
        self, message: str, line: int = 1, col: int = 1, hint: str = ""
    ) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col
        self.hint = hint or SYNTAX_HINT


BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SpecLoader(BaseLoader):  # type: ignore[valid-type,misc]
    """YAML 1.1 as specs use it, minus timestamps: `replacement: 2024-02-30` is the
    text someone wrote, not a date that fails to construct."""

    yaml_implicit_resolvers = {
        first: [
            (tag, regexp) for tag, regexp in resolvers if not tag.endswith("timestamp")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def load_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree and the data of a front matter, within bounds: no aliases (an
    alias bomb grows without limit), nesting at most MAX_YAML_DEPTH, at most
    MAX_YAML_CHARS, text that is valid Unicode; every failure is a YamlProblem."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlProblem(f"it is {len(text):,} characters; at most {MAX_YAML_CHARS:,}")
    check_events(text)
    loader = SpecLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise problem_of(exc) from None
    except CONSTRUCTION_ERRORS as exc:
        # constructors of explicit tags (`!!int abc`, `!!bool maybe`, 5,000 digits)
        where = failing_scalar(node)
        raise YamlProblem(
            f"a value cannot be read: {exc}".split("\n")[0],
            *line_col(where.start_mark if where else None),
            "write plain values; drop explicit !!tags",
        ) from None
    finally:
        loader.dispose()
    if has_surrogate(data):
        raise YamlProblem("a value holds a lone surrogate (\\ud800-\\udfff)")
    return node, data


# What PyYAML's constructors of explicit tags raise on values they cannot build.
CONSTRUCTION_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    OverflowError,
    AttributeError,
    IndexError,
)


def failing_scalar(node: yaml.Node | None) -> yaml.Node | None:
    """The first scalar whose value cannot be constructed, to point at it."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            probe = SpecLoader("")  # a fresh one: a failed construction leaves state
            try:
                probe.construct_object(current, deep=True)
            except CONSTRUCTION_ERRORS:
                return current
            finally:
                probe.dispose()
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            stack.extend(n for pair in reversed(current.value) for n in reversed(pair))
    return node


def check_events(text: str) -> None:
    """Refuse aliases and deep nesting before anything is built from the events."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=BaseLoader):
            if isinstance(event, yaml.AliasEvent):
                raise YamlProblem(
                    f"alias *{event.anchor} is not allowed",
                    *line_col(event.start_mark),
                    "write the value out instead of an anchor and alias",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise YamlProblem(
                        f"nested deeper than {MAX_YAML_DEPTH} levels",
                        *line_col(event.start_mark),
                        "a spec's front matter needs a few levels at most",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise problem_of(python_parser_error(text) or exc) from None


def python_parser_error(text: str) -> yaml.YAMLError | None:
    """The pure-Python parser's account of a syntax error: it points at the line that
    opened what never closed, where libyaml points at the end of the input."""
    try:
        for _ in yaml.parse(text, Loader=yaml.SafeLoader):
            pass
    except yaml.YAMLError as exc:
        return exc
    return None


def line_col(mark: Any) -> tuple[int, int]:
    """1-based line and column of a mark (PyYAML's or libyaml's), or 1:1."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def problem_of(exc: yaml.YAMLError) -> YamlProblem:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    if mark is None:
        return YamlProblem(str(problem))
    return YamlProblem(str(problem), mark.line + 1, mark.column + 1)


def has_surrogate(value: Any) -> bool:
    """Whether any text in loaded data holds a lone surrogate (it cannot be written
    as UTF-8). Depth is bounded by check_events."""
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(has_surrogate(k) or has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_surrogate(v) for v in value)
    return False


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
