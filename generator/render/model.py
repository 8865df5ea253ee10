"""IR -> the view the templates render: namespaces, functions, error classes.

All decisions about names, types and grouping are made here, in Python, so templates
only print what they are given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.ir import Error, Method, Param
from generator.render import naming, types
from generator.runtime._client import AsyncClient, SyncClient


@dataclass(frozen=True)
class Arg:
    wire: str
    name: str
    annotation: str
    required: bool
    description: str


@dataclass(frozen=True)
class Function:
    name: str  # Python attribute name
    wire: str  # the REST method name sent
    api: str
    args: tuple[Arg, ...]
    returns: str
    summary: str
    doc: str
    deprecated: bool
    replacement: str | None
    spec: str
    errors: tuple[str, ...]  # error class names documented for the method
    const: str = ""  # the MethodSpec constant in _specs.py
    idempotent: bool = False
    batch: bool = True
    rate_limit: float | None = None
    pagination: str = "none"


@dataclass
class Namespace:
    path: tuple[str, ...]  # wire segments, e.g. ("tasks", "task")
    attr: str  # Python attribute on the parent
    class_name: str
    children: dict[str, Namespace] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    call: Function | None = (
        None  # a method whose name is also a namespace: ns(...) calls it
    )

    @property
    def label(self) -> str:
        return ".".join(self.path)

    @property
    def children_sorted(self) -> list[Namespace]:
        return [self.children[k] for k in sorted(self.children)]

    @property
    def functions_sorted(self) -> list[Function]:
        return [self.functions[k] for k in sorted(self.functions)]

    def all_functions(self) -> list[Function]:
        out = [self.call] if self.call else []
        out += self.functions_sorted
        for child in self.children_sorted:
            out += child.all_functions()
        return out

    def walk(self) -> list[Namespace]:
        """Children before parents, each level ordered by name: classes defined before
        use."""
        out: list[Namespace] = []
        for key in sorted(self.children):
            out.extend(self.children[key].walk())
        out.append(self)
        return out


@dataclass(frozen=True)
class ErrorClass:
    name: str
    code: str
    base: str
    status: int | None
    doc: str


# Attributes the client classes define themselves (read from the runtime that defines
# them, plus the `v3` view the client template adds and the instance attribute
# `timeout`); no namespace or root method may take them.
CLIENT_ATTRS = frozenset(
    name
    for cls in (SyncClient, AsyncClient)
    for name in dir(cls)
    if not name.startswith("_")
) | {"v3", "timeout"}

CATEGORY_BASES = {
    "auth": "AuthError",
    "rate_limit": "RateLimitError",
    "access": "AccessError",
    "validation": "ValidationError",
    "server": "ServerError",
    "batch": "BatchError",
    "method": "MethodError",
}
AUTH_CODES = {
    "NO_AUTH_FOUND",
    "expired_token",
    "invalid_token",
    "INVALID_CREDENTIALS",
    "WRONG_AUTH_TYPE",
    "invalid_grant",
    "invalid_client",
}
RATE_CODES = {"QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT", "OVERLOAD_LIMIT"}


def error_category(code: str, status: int | None) -> str:
    """Which branch of the exception hierarchy a documented code belongs to."""
    if code in RATE_CODES or status == 429:
        return "rate_limit"
    if code in AUTH_CODES or status == 401:
        return "auth"
    if "BATCH" in code.upper():
        return "batch"
    if "VALIDATION" in code.upper() or code.upper() in {
        "INVALID_ARG_VALUE",
        "ERROR_ARGUMENT",
    }:
        return "validation"
    if status == 403 or "ACCESS" in code.upper() or code == "insufficient_scope":
        return "access"
    if status is not None and status >= 500:
        return "server"
    return "method"


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return (m.group(1) if m else text)[:200]


def build_args(params: tuple[Param, ...]) -> tuple[Arg, ...]:
    named = naming.with_python_names(params)
    args = [
        Arg(
            wire=p.name,
            name=p.python_name,
            annotation=(types.annotation if p.required else optional_annotation)(
                p.type, p.item_type
            ),
            required=p.required,
            description=" ".join(p.description.split()),
        )
        for p in named
    ]
    # Required first (Python needs no order for keyword-only args, but readers do).
    return tuple(sorted(args, key=lambda a: not a.required))


def optional_annotation(doc_type: str | None, item_type: str | None) -> str:
    return types.optional(types.annotation(doc_type, item_type))


def return_annotation(method: Method) -> str:
    for f in method.returns.fields:
        if f.name == "result":
            return types.annotation(f.type)
    example = method.returns.example
    if isinstance(example, dict) and "result" in example:
        value = example["result"]
        for py_type, name in (
            (bool, "bool"),
            (int, "int"),
            (float, "float"),
            (str, "str"),
            (dict, "dict[str, Any]"),
            (list, "list[Any]"),
        ):
            if isinstance(value, py_type):
                return name
    return "Any"


def method_doc(method: Method) -> str:
    parts = [method.title or method.method]
    if method.description:
        parts.append(method.description)
    if method.who_can_execute:
        parts.append(f"Who can call it: {method.who_can_execute}")
    if method.deprecated:
        parts.append(
            "Deprecated"
            + (f": use {method.replacement} instead." if method.replacement else ".")
        )
    return "\n\n".join(p.strip() for p in parts if p.strip())


def build_function(
    method: Method, attr: str, spec: str, error_names: dict[str, str]
) -> Function:
    codes = sorted(
        {
            error_names[e.code]
            for e in method.errors
            if not e.system and e.code in error_names
        }
    )
    return Function(
        const=spec_constant(method),
        idempotent=is_idempotent(method),
        batch=method.batch,
        rate_limit=method.rate_limit_per_sec,
        pagination=method.pagination,
        name=attr,
        wire=method.method,
        api=method.api,
        args=build_args(method.params),
        returns=return_annotation(method),
        summary=first_sentence(method.title or method.method),
        doc=method_doc(method),
        deprecated=method.deprecated,
        replacement=method.replacement,
        spec=spec,
        errors=tuple(codes),
    )


READ_VERBS = (
    "get",
    "list",
    "fields",
    "count",
    "search",
    "current",
    "info",
    "status",
    "version",
)


def is_idempotent(method: Method) -> bool:
    """Safe to resend when the outcome of a call is unknown: said by the spec, or a read
    by the look of its name (`*.get`, `*.list`, `*.getFields`, ...)."""
    if method.idempotent is not None:
        return method.idempotent
    verb = method.method.rsplit(".", 1)[-1].lower()
    return verb.startswith(READ_VERBS)


def spec_constant(method: Method) -> str:
    prefix = "V3_" if method.api == "v3" else ""
    return prefix + naming.snake(method.method).upper()


def error_classes(methods: list[Method]) -> list[ErrorClass]:
    """One class per documented code (method codes shared across methods share a
    class)."""
    by_code: dict[str, list[tuple[Method, Error]]] = {}
    for m in methods:
        for e in m.errors:
            if e.code and not e.odd:
                by_code.setdefault(e.code, []).append((m, e))
    names = unique_class_names(sorted(by_code))
    out = []
    for code in sorted(by_code, key=lambda c: names[c]):
        uses = by_code[code]
        statuses = sorted({e.status for _, e in uses if e.status is not None})
        status = statuses[0] if len(statuses) == 1 else None
        system = any(e.system for _, e in uses)
        lines = []
        if system:
            e = next(e for _, e in uses if e.system)
            lines.append(" - ".join(x for x in (e.message, e.description) if x))
        else:
            for m, e in sorted(
                uses, key=lambda u: (u[0].method, u[0].api, u[1].message)
            ):
                what = e.message or e.description
                where = f"{m.method}" + (f" (field {e.field})" if e.field else "")
                line = f"{where}: {what}".strip()
                if line not in lines:
                    lines.append(line)
        out.append(
            ErrorClass(
                name=names[code],
                code=code,
                base=CATEGORY_BASES[error_category(code, status)],
                status=status,
                doc="\n".join(lines[:20]) or code,
            )
        )
    return out


def unique_class_names(codes: list[str]) -> dict[str, str]:
    taken = set(CATEGORY_BASES.values()) | {"Bitrix24Error", "TransportError"}
    return naming.unique_names(codes, taken, naming.error_class_name, sep="")


def build_namespaces(
    methods: list[Method],
    specs: dict[tuple[str, str], str],
    error_names: dict[str, str],
) -> dict[str, dict[str, Namespace]]:
    """api -> root segment -> namespace tree. Dot-less methods live under root ''."""
    trees: dict[str, dict[str, Namespace]] = {}
    for m in sorted(methods, key=lambda m: (m.api, m.method.lower(), m.method)):
        segments = m.method.split(".")
        roots = trees.setdefault(m.api, {})
        root_key = segments[0].lower() if len(segments) > 1 else ""
        if root_key not in roots:
            roots[root_key] = Namespace(
                path=(segments[0],) if root_key else (),
                attr=naming.snake(root_key) if root_key else "",
                class_name=class_for(m.api, segments[:1] if root_key else ["root"]),
            )
        node = roots[root_key]
        for depth in range(1, len(segments) - 1):
            key = segments[depth].lower()
            if key not in node.children:
                node.children[key] = Namespace(
                    path=tuple(segments[: depth + 1]),
                    attr=naming.snake(segments[depth]),
                    class_name=class_for(m.api, segments[: depth + 1]),
                )
            node = node.children[key]
        leaf = segments[-1]
        spec = specs.get(m.key, "")
        fn = build_function(m, naming.snake(leaf), spec, error_names)
        if leaf.lower() in node.functions:
            continue  # casing variant of a method already placed
        node.functions[leaf.lower()] = fn
    for roots in trees.values():
        for key, root in roots.items():
            resolve_collisions(root, CLIENT_ATTRS if key == "" else frozenset())
    return trees


def resolve_collisions(ns: Namespace, taken: frozenset[str] = frozenset()) -> None:
    """A method named like a child namespace becomes that namespace's __call__."""
    for key in list(ns.functions):
        if key in ns.children:
            ns.children[key].call = ns.functions.pop(key)
    for child in ns.children.values():
        resolve_collisions(child)
    attrs = naming.unique_names(
        sorted(set(ns.children) | set(ns.functions)), {"call"} | taken
    )
    for key, child in ns.children.items():
        child.attr = attrs[key]
    for key, fn in list(ns.functions.items()):
        ns.functions[key] = Function(**{**fn.__dict__, "name": attrs[key]})


def class_for(api: str, segments: list[str]) -> str:
    prefix = "V3" if api == "v3" else ""
    return prefix + "".join(naming.camel(s) for s in segments) + "Api"


def module_name(root: str) -> str:
    return naming.snake(root) if root else "_root"


def example_result(method: Method) -> Any:
    example = method.returns.example
    if isinstance(example, dict) and "result" in example:
        return example["result"]
    return None


# What a documented method error is for, read from its message and description, so the
# mock portal can answer a bad call with the code the method's page documents for it.
ERROR_ROLES = {
    "missing": re.compile(
        r"\bnot (sent|passed|given|specified)\b|\bmissing\b|\bis required\b"
    ),
    "wrong_type": re.compile(r"\b(wrong|invalid|incorrect) (data )?type\b"),
    "not_found": re.compile(r"\bnot found\b|\bdoes not exist\b|\bwrong \w+ id\b"),
}


def error_roles(method: Method) -> dict[str, dict[str, Any]]:
    """role -> the first documented method error that plays it: {code, status,
    message}."""
    roles: dict[str, dict[str, Any]] = {}
    for e in method.errors:
        if e.system or e.odd or not e.code:
            continue
        text = f"{e.message} {e.description}".lower()
        for role, pattern in ERROR_ROLES.items():
            if role not in roles and pattern.search(text):
                roles[role] = {
                    "code": e.code,
                    "status": e.status or 400,
                    "message": e.message or e.description,
                }
    return roles


def mock_data(methods: list[Method]) -> dict[str, Any]:
    """What the mock portal needs to answer like the docs say, as plain JSON data."""
    return {
        "methods": [
            {
                "name": m.method,
                "api": m.api,
                "batch": m.batch,
                "pagination": m.pagination,
                "deprecated": m.deprecated,
                "idempotent": is_idempotent(m),
                "params": [
                    {"name": p.name, "type": p.type, "required": p.required}
                    for p in m.params
                ],
                "result": example_result(m),
                "errors": sorted(
                    {
                        (e.code, e.status or 400)
                        for e in m.errors
                        if not e.system and not e.odd and e.code
                    }
                ),
                "error_roles": error_roles(m),
            }
            for m in sorted(methods, key=lambda m: (m.method.lower(), m.api))
        ]
    }
