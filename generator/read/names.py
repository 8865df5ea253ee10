"""The shape of a Bitrix24 name, checked once for every record any reader makes.

Names reach file paths (`import` places specs by scope and method) and generated source
(through the naming function); a name that is not shaped like one is refused here, with
its position, before it can reach either.
"""

from __future__ import annotations

import re
from dataclasses import replace

from generator.diagnostics import Diagnostic, Position, diagnostic
from generator.ir import Method, Param

METHOD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")
# A replacement may name a family of methods: `tasks.task.*`.
REPLACEMENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.(?:[A-Za-z0-9_]+|\*))*")
SCOPE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_]+)*")
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
MAX_NAME = 200
HINT = (
    "method names are dotted words of letters, digits and _; scopes likewise; a "
    "parameter name holds no control character"
)


def checked(method: Method, display: str) -> tuple[Method | None, list[Diagnostic]]:
    """The record with its names checked: None (and why) when its method, scope,
    replacement or an alias is not shaped like a name; parameters whose name is
    empty or holds control characters are left out, each with a finding."""
    where = method.position or Position(display, 1, 1)
    wrong = misnamed(method)
    if wrong:
        what, value = wrong
        message = f"{what} {value[:80]!r} is not shaped like a Bitrix24 name"
        return None, [diagnostic("SPEC010", where, message, HINT)]
    problems: list[Diagnostic] = []
    params = kept_params(method.params, where, problems)
    return replace(method, params=params), problems


def misnamed(method: Method) -> tuple[str, str] | None:
    checks = [("method", method.method, METHOD)]
    checks += [("scope", s, SCOPE) for s in (method.scopes or (method.scope,)) if s]
    checks += [("alias", a, METHOD) for a in method.aliases]
    if method.replacement:
        checks.append(("replacement", method.replacement, REPLACEMENT))
    for what, value, shape in checks:
        if not isinstance(value, str) or len(value) > MAX_NAME:
            return what, str(value)
        if not shape.fullmatch(value):
            return what, value
    return None


def kept_params(
    params: tuple[Param, ...], where: Position, problems: list[Diagnostic]
) -> tuple[Param, ...]:
    kept = []
    for p in params:
        if not p.name.strip() or CONTROL.search(p.name) or len(p.name) > MAX_NAME:
            message = f"parameter name {p.name[:80]!r} is empty or not text on one line"
            problems.append(diagnostic("SPEC010", p.position or where, message, HINT))
            continue
        kept.append(replace(p, fields=kept_params(p.fields, where, problems)))
    return tuple(kept)
