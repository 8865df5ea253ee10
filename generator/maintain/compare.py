"""Where two records of the same method disagree (the English and the Russian page).

Pure functions over IR Methods: no reading, no printing. `b24gen lint --compare` turns
the disagreements into diagnostics; the corpus conformance report can use the same
functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.ir import Error, Method, Param

KINDS = ("param", "required", "error")


@dataclass(frozen=True)
class Disagreement:
    kind: str  # param | required | error
    subject: str  # the parameter name or error code
    left: str  # what the first record says
    right: str  # what the second record says
    param: Param | None = None  # the first record's parameter, when it has one


def pair_methods(
    left: list[Method], right: list[Method]
) -> list[tuple[Method, Method]]:
    """Records of one method (name and api) in both lists, in the order of `left`."""
    by_key = {m.key: m for m in right}
    return [(m, by_key[m.key]) for m in left if m.key in by_key]


def compare_methods(left: Method, right: Method) -> list[Disagreement]:
    return compare_params(left, right) + compare_errors(left, right)


def required_mark(p: Param) -> str:
    if p.required:
        return "required"
    return "conditionally required" if p.conditionally_required else "optional"


def param_paths(
    params: tuple[Param, ...], prefix: str = ""
) -> dict[str, tuple[str, Param]]:
    """Every parameter, nested fields too: lower-cased dotted path -> (path, param)."""
    out: dict[str, tuple[str, Param]] = {}
    for p in params:
        path = prefix + p.name
        out[path.lower()] = (path, p)
        out.update(param_paths(p.fields, path + "."))
    return out


def compare_params(left: Method, right: Method) -> list[Disagreement]:
    """Parameters by dotted path (case-insensitive), nested fields included, and their
    required marks."""
    a, b = param_paths(left.params), param_paths(right.params)
    out = [
        Disagreement("param", path, "documented", "missing", p)
        for k, (path, p) in a.items()
        if k not in b
    ]
    out += [
        Disagreement("param", path, "missing", "documented")
        for k, (path, _) in b.items()
        if k not in a
    ]
    out += [
        Disagreement("required", path, required_mark(p), required_mark(b[k][1]), p)
        for k, (path, p) in a.items()
        if k in b and required_mark(p) != required_mark(b[k][1])
    ]
    return out


CODE_SHAPE = re.compile(r"[\w.:-]+")


def method_errors(errors: tuple[Error, ...]) -> list[Error]:
    """The method's own errors (not the system ones), the first row of each code; a code
    cell holding words ("Empty string") is a description, not a code."""
    out: dict[str, Error] = {}
    for e in errors:
        if not e.system and not e.odd and CODE_SHAPE.fullmatch(e.code):
            out.setdefault(e.code, e)
    return list(out.values())


def method_error_codes(m: Method) -> list[str]:
    return [e.code for e in method_errors(m.errors)]


def compare_errors(left: Method, right: Method) -> list[Disagreement]:
    """Method-specific error codes (system errors come from a shared include)."""
    a, b = method_error_codes(left), method_error_codes(right)
    return [Disagreement("error", c, "listed", "missing") for c in a if c not in b] + [
        Disagreement("error", c, "missing", "listed") for c in b if c not in a
    ]
