"""Loading a front matter's YAML within bounds, with the line of every key: apart
from `frontmatter`, so a run over pages without front matter never imports YAML."""

from __future__ import annotations

from typing import Any

import yaml

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


def key_marks(node: yaml.Node | None) -> list[tuple[str, int, int]] | None:
    """The keys of a mapping node with their 0-based lines and columns; None for
    a node that is no mapping."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return [
        (str(key.value), key.start_mark.line, key.start_mark.column)
        for key, _ in node.value
    ]


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
