"""`b24gen diff`: what changed between two spec or docs trees, for users of the client.

Both trees are read into IR records and compared method by method (name and api). Each
change says whether it breaks code written against the client generated from the old
tree: a removed method, parameter or error class, a parameter that became required, a
type that no longer accepts what it did. The rest (additions, deprecations, relaxed
requirements, widened types) is not breaking.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from generator.ir import Method, Param
from generator.maintain.compare import method_error_codes, pair_methods


@dataclass(frozen=True)
class Change:
    method: str
    api: str
    kind: str
    subject: str = ""
    old: str | None = None
    new: str | None = None
    breaking: bool = False

    def describe(self) -> str:
        what = {
            "method-added": "method added",
            "method-removed": "method removed",
            "method-deprecated": "deprecated"
            + (f", use `{self.new}`" if self.new else ""),
            "method-undeprecated": "no longer deprecated",
            "replacement-changed": (
                f"replacement changed from `{self.old}` to `{self.new}`"
            ),
            "param-added": f"parameter `{self.subject}` added ({self.new})",
            "param-removed": f"parameter `{self.subject}` removed",
            "param-required": f"parameter `{self.subject}` is now required",
            "param-optional": f"parameter `{self.subject}` is now optional",
            "param-type": (
                f"parameter `{self.subject}` type changed "
                f"from `{self.old}` to `{self.new}`"
            ),
            "error-added": f"error `{self.subject}` added",
            "error-removed": f"error `{self.subject}` removed",
        }[self.kind]
        return f"`{self.method}`{' (REST 3.0)' if self.api == 'v3' else ''}: {what}"


def diff_methods(old: list[Method], new: list[Method]) -> list[Change]:
    old_keys = {m.key for m in old}
    new_keys = {m.key for m in new}
    changes = [
        Change(m.method, m.api, "method-removed", breaking=True)
        for m in old
        if m.key not in new_keys
    ]
    changes += [
        Change(m.method, m.api, "method-added") for m in new if m.key not in old_keys
    ]
    for before, after in pair_methods(old, new):
        changes += method_changes(before, after)
    return sorted(
        changes, key=lambda c: (c.method.lower(), c.api, KINDS.index(c.kind), c.subject)
    )


KINDS = [
    "method-removed",
    "method-added",
    "method-deprecated",
    "method-undeprecated",
    "replacement-changed",
    "param-removed",
    "param-added",
    "param-required",
    "param-optional",
    "param-type",
    "error-removed",
    "error-added",
]


def method_changes(a: Method, b: Method) -> list[Change]:
    out = []
    if a.deprecated != b.deprecated:
        out.append(
            Change(
                b.method,
                b.api,
                "method-deprecated" if b.deprecated else "method-undeprecated",
                new=b.replacement,
            )
        )
    elif b.deprecated and a.replacement != b.replacement:
        out.append(
            Change(
                b.method,
                b.api,
                "replacement-changed",
                old=a.replacement,
                new=b.replacement,
            )
        )
    out += param_changes(a, b)
    old_codes, new_codes = method_error_codes(a), method_error_codes(b)
    out += [
        Change(b.method, b.api, "error-removed", c, breaking=True)
        for c in old_codes
        if c not in new_codes
    ]
    out += [
        Change(b.method, b.api, "error-added", c)
        for c in new_codes
        if c not in old_codes
    ]
    return out


def param_changes(a: Method, b: Method) -> list[Change]:
    before = {p.name: p for p in a.params}
    after = {p.name: p for p in b.params}
    out = [
        Change(b.method, b.api, "param-removed", n, breaking=True)
        for n in before
        if n not in after
    ]
    for name, p in after.items():
        if name not in before:
            out.append(
                Change(
                    b.method,
                    b.api,
                    "param-added",
                    name,
                    new="required" if p.required else "optional",
                    breaking=p.required,
                )
            )
            continue
        q = before[name]
        if p.required != q.required:
            out.append(
                Change(
                    b.method,
                    b.api,
                    "param-required" if p.required else "param-optional",
                    name,
                    breaking=p.required,
                )
            )
        if type_text(p) != type_text(q):
            out.append(
                Change(
                    b.method,
                    b.api,
                    "param-type",
                    name,
                    type_text(q),
                    type_text(p),
                    breaking=not widens(q, p),
                )
            )
    return out


def type_text(p: Param) -> str:
    return f"{p.item_type}[]" if p.type == "array" and p.item_type else p.type


def type_parts(p: Param) -> set[str]:
    return {t.strip().lower() for t in type_text(p).split("|") if t.strip()}


def widens(old: Param, new: Param) -> bool:
    """The new type accepts everything the old one did (`integer` -> `integer | string`,
    anything -> `any`)."""
    parts = type_parts(new)
    return "any" in parts or type_parts(old) <= parts


# ---------------------------------------------------------------- output


def breaking(changes: list[Change]) -> list[Change]:
    return [c for c in changes if c.breaking]


def as_markdown(changes: list[Change], old_label: str, new_label: str) -> str:
    lines = [f"# Changes from {old_label} to {new_label}", ""]
    if not changes:
        return "\n".join(lines + ["No changes to the client.", ""])
    for title, group in (
        ("Breaking", [c for c in changes if c.breaking]),
        ("Not breaking", [c for c in changes if not c.breaking]),
    ):
        if group:
            lines += [f"## {title}", ""] + [f"- {c.describe()}" for c in group] + [""]
    return "\n".join(lines)


def as_json(changes: list[Change]) -> str:
    return (
        json.dumps(
            {
                "breaking": len(breaking(changes)),
                "changes": [asdict(c) for c in changes],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
