"""The front matter a page's body implies, and where a front matter differs from it.

`b24gen sync` writes `derived()`; `b24gen lint` reports `differences()`. Both use these
two functions, so what lint calls a contradiction is exactly what sync would change.

The front-matter forms (read back by `param_from_front_matter` in the markdown reader):

    params:  [{name, type, required, item_type?}, ...]
             (extra keys such as a maintainer's `description` are kept as they are)
    errors:  [{code, status?}, ...]
             (method-specific codes; the system errors live in _includes/)
    returns: {type}
             (the JSON type of `result`)

A key is only derived when the body says something about it (a parameter table or a "no
parameters" line, a response example, an errors table, ...): what the body does not know
is left to the front matter.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.ir import Error, Method, Param
from generator.maintain.compare import method_errors
from generator.maintain.page import SpecPage
from generator.read.frontmatter import SCHEMA
from generator.read.markdown import example_keys, param_from_front_matter

ORDER = list(SCHEMA)  # canonical key order for keys sync adds
MISSING = object()


@dataclass(frozen=True)
class Difference:
    key: str
    old: Any  # MISSING when the front matter lacks the key
    new: Any
    details: tuple[str, ...]  # one line per disagreement, for humans

    @property
    def missing(self) -> bool:
        return self.old is MISSING


def derived(sp: SpecPage) -> dict[str, Any]:
    """Front-matter values the body states, in canonical order."""
    m, d = sp.body, sp.draft
    if m is None or d is None:
        return {}
    out: dict[str, Any] = {}
    if sp.body_named:
        out["method"] = m.method
    if m.scopes:
        out["scope"] = m.scopes[0] if len(m.scopes) == 1 else list(m.scopes)
    if m.examples or m.api == "v3":
        out["api"] = m.api
    out["deprecated"] = m.deprecated
    if not m.deprecated or m.replacement:
        out["replacement"] = m.replacement if m.deprecated else None
    if m.params or d.no_params:  # a parameter table, or a "no parameters" line
        out["pagination"] = m.pagination
        out["params"] = [param_item(p) for p in m.params] + example_only_items(sp)
    rtype = returns_type(m)
    if rtype:
        out["returns"] = {"type": rtype}
    errors = error_items(m.errors)
    if errors:
        out["errors"] = errors
    return {k: out[k] for k in ORDER if k in out}


def example_only_items(sp: SpecPage) -> list[Any]:
    """Front-matter parameters the table lacks but the examples send, kept as they
    are (the maintainer's or `b24gen import`'s record of what the examples show)."""
    m, d = sp.body, sp.draft
    items = sp.fm.data.get("params")
    if m is None or d is None or not isinstance(items, list):
        return []
    names = {p.name.lower() for p in m.params}
    sent = {k for k in example_keys(d) if k.lower() not in names}
    return [
        item
        for item in items
        if isinstance(item, dict)
        and isinstance(item.get("name"), str)
        and item["name"] in sent
    ]


def param_item(p: Param) -> dict[str, Any]:
    item: dict[str, Any] = {"name": p.name, "type": p.type, "required": p.required}
    if p.item_type:
        item["item_type"] = p.item_type
    return item


def error_items(errors: tuple[Error, ...]) -> list[dict[str, Any]]:
    """Method-specific error codes, once each, in page order."""
    return [
        {"code": e.code, "status": e.status} if e.status else {"code": e.code}
        for e in method_errors(errors)
    ]


JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "double"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def returns_type(m: Method) -> str | None:
    """The type of `result`: from the response example, else the returned-data table."""
    example = m.returns.example
    if isinstance(example, dict) and example.get("result") is not None:
        value = example["result"]
        return next(name for kind, name in JSON_TYPES if isinstance(value, kind))
    for f in m.returns.fields:
        if f.name == "result" and f.type != "any":
            return f.type
    return None


# ---------------------------------------------------------------- comparing


def differences(data: dict[str, Any], want: dict[str, Any]) -> list[Difference]:
    """Keys whose front-matter value says something else than the body, or is
    missing."""
    out = []
    for key, new in want.items():
        if key not in data:
            out.append(Difference(key, MISSING, new, (f"'{key}' is missing",)))
            continue
        details = COMPARE.get(key, same_scalar)(key, data[key], new)
        if details:
            out.append(Difference(key, data[key], new, tuple(details)))
    return out


def same_scalar(key: str, old: Any, new: Any) -> list[str]:
    if old == new and type(old) is type(new):
        return []
    return [f"front matter says {key}: {show(old)}, the body says {show(new)}"]


def same_method(key: str, old: Any, new: Any) -> list[str]:
    if isinstance(old, str) and old.lower() == str(new).lower():
        return []
    return same_scalar(key, old, new)


def same_scope(key: str, old: Any, new: Any) -> list[str]:
    if scope_list(old) == scope_list(new):
        return []
    return same_scalar(key, old, new)


def scope_list(value: object) -> object:
    """`crm` and `[crm]` say the same; values of other types compare as they are."""
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list) else value


def same_params(key: str, old: Any, new: list[dict[str, Any]]) -> list[str]:
    want = {p["name"]: param_from_front_matter(p, None) for p in new}
    if not isinstance(old, list) or not all(
        isinstance(p, dict) and p.get("name") for p in old
    ):
        names = ", ".join(want) or "none"
        return [
            f"front-matter params {stub_summary(old)} are not the parameter table "
            f"({names})"
        ]
    have = {str(p["name"]): param_from_front_matter(p, None) for p in old}
    out = [
        f"param '{n}' is in the front matter, not in the parameter table"
        for n in have
        if n not in want
    ]
    out += [
        f"param '{n}' of the parameter table is missing from the front matter"
        for n in want
        if n not in have
    ]
    for name in (n for n in want if n in have):
        a, b = have[name], want[name]
        if (a.type, a.item_type) != (b.type, b.item_type):
            out.append(
                f"param '{name}' has type {type_text(a)}, the table says {type_text(b)}"
            )
        if a.required != b.required:
            out.append(
                f"param '{name}' is {'required' if a.required else 'optional'}, "
                f"the table marks it {'required' if b.required else 'optional'}"
            )
    return out


def same_returns(key: str, old: Any, new: dict[str, Any]) -> list[str]:
    have = old.get("type") if isinstance(old, dict) else None
    if have == new["type"]:
        return []
    return [
        f"front matter says returns type {show(have)}, "
        f"the body's result is {new['type']}"
    ]


def same_errors(key: str, old: Any, new: list[dict[str, Any]]) -> list[str]:
    want = {e["code"]: e.get("status") for e in new}
    if not isinstance(old, list) or not all(
        isinstance(e, dict) and "code" in e for e in old
    ):
        return [
            f"front-matter errors {stub_summary(old)} "
            "are not a list of {code, status}"
        ]
    have = {str(e["code"]): e.get("status") for e in old}
    out = [
        f"error '{c}' is in the front matter, not in the body"
        for c in have
        if c not in want
    ]
    out += [
        f"error '{c}' of the body is missing from the front matter"
        for c in want
        if c not in have
    ]
    out += [
        f"error '{c}' has status {show(have[c])}, the body says {show(want[c])}"
        for c in want
        if c in have and want[c] is not None and have[c] != want[c]
    ]
    return out


# How to compare one key: (key, front-matter value, derived value) -> details.
Comparer = Callable[[str, Any, Any], list[str]]
COMPARE: dict[str, Comparer] = {
    "method": same_method,
    "scope": same_scope,
    "params": same_params,
    "returns": same_returns,
    "errors": same_errors,
}


def type_text(p: Param) -> str:
    return f"{p.type} of {p.item_type}" if p.item_type else p.type


def stub_summary(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
