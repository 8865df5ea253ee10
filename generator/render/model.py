"""IR -> the view the templates render: namespaces, functions, TypedDicts, error
classes.

All decisions about names, types and grouping are made here, in Python, so templates
only print what they are given. Every identifier in the view is a `naming.PyName`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from generator.inputs import digest
from generator.ir import Error, Method
from generator.render import naming, paging, types
from generator.render.naming import PyName, Rename
from generator.runtime import _errors as runtime_errors
from generator.runtime._runtime import METHOD_NAME


def _check_names(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if not naming.is_name(value):
            raise TypeError(
                f"{type(obj).__name__}.{name} must be a naming.PyName, not {value!r}"
            )


@dataclass(frozen=True)
class Arg:
    wire: str
    name: PyName
    annotation: str
    required: bool  # required in the signature (conditionally required ones are not)
    description: str
    doc_required: bool = False  # what the docs mark
    alternatives: tuple[PyName, ...] = ()
    plain: str = ""  # the annotation without `| None` (an overload that requires it)

    def __post_init__(self) -> None:
        _check_names(self, "name")


@dataclass(frozen=True)
class Function:
    name: PyName  # Python attribute name
    wire: str  # the REST method name sent
    api: str
    args: tuple[Arg, ...]
    returns: str
    summary: str
    doc: str
    deprecated: bool
    replacement: str | None
    spec: str
    errors: tuple[PyName, ...]  # raisable error classes documented for the method
    const: PyName
    idempotent: bool = False
    batch: bool = True
    rate_limit: float | None = None
    pagination: str = "none"
    result_shape: str = ""  # where a list's items sit in `result` (render/paging.py)
    url: str = ""  # the page on the docs website
    returns_doc: str = ""  # what `result` holds, for the docstring
    # Alternative parameter sets: per group, the sets of (python name, wire name) of
    # which one must be given whole; checked before anything is sent.
    one_of: tuple[tuple[tuple[tuple[PyName, str], ...], ...], ...] = ()
    unraisable: tuple[str, ...] = ()  # documented codes no class stands for

    def __post_init__(self) -> None:
        _check_names(self, "name", "const")
        for e in self.errors:
            if not naming.is_name(e):
                raise TypeError(f"error class {e!r} is not a naming.PyName")

    @property
    def overloads(self) -> list[tuple[Arg, ...]]:
        """The stub's overloads: one per alternative set when the method has one
        group of them (each overload requires its set)."""
        if len(self.one_of) != 1 or len(self.one_of[0]) > 4:
            return []
        out = []
        for s in self.one_of[0]:
            needed = {py for py, _ in s}
            args = tuple(
                replace(a, required=a.required or a.name in needed) for a in self.args
            )
            out.append(tuple(sorted(args, key=lambda a: not a.required)))
        return out

    @cached_property
    def identity(self) -> str:
        """A digest of the record, which what is rendered from it is kept by."""
        return digest(repr(self).encode())


@dataclass
class Namespace:
    path: tuple[str, ...]  # wire segments, e.g. ("tasks", "task")
    attr: PyName  # Python attribute on the parent
    class_name: PyName
    children: dict[str, Namespace] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    call: Function | None = None  # a method whose name is also a namespace: ns(...)
    segment: str = ""  # the wire segment the attribute is made from
    leaf_segments: dict[str, str] = field(default_factory=dict)  # key -> spelling
    shadowed: frozenset[str] = frozenset()  # builtins its members shadow

    @property
    def label(self) -> str:
        return ".".join(self.path)

    def identity(self) -> str:
        """A digest of what its class is rendered from: its names, its children's
        and its methods' (`Function.identity`)."""
        children = [(c.attr, c.class_name) for c in self.children_sorted]
        call = self.call.identity if self.call else ""
        methods = [f.identity for f in self.functions_sorted]
        text = repr((self.path, self.class_name, children, sorted(self.shadowed), call))
        return digest(f"{text}{methods}".encode())

    @property
    def children_sorted(self) -> list[Namespace]:
        return [self.children[k] for k in sorted(self.children)]

    @property
    def functions_sorted(self) -> list[Function]:
        return [self.functions[k] for k in sorted(self.functions)]

    @property
    def member_names(self) -> set[str]:
        return {c.attr for c in self.children.values()} | {
            f.name for f in self.functions.values()
        }

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
    name: PyName
    code: str
    base: str
    status: int | None
    doc: str
    # False: the code is named like one of the runtime's own classes (`ACCESS_ERROR`,
    # `NOT_FOUND`) and that class stands for it; nothing is defined for it.
    defined: bool = True

    def __post_init__(self) -> None:
        _check_names(self, "name")


@dataclass
class Skipped:
    """A page the generator leaves out of the package, and why."""

    method: str
    api: str
    path: str
    reason: str


@dataclass
class Built:
    """Everything `plan` renders, and what the report counts."""

    trees: dict[str, dict[str, Namespace]]
    classes: list[ErrorClass]
    modules: dict[tuple[str, str], PyName]  # (api, root key) -> module name
    module_types: dict[tuple[str, str], types.ModuleTypes]
    renames: list[Rename]
    skipped: list[Skipped]
    unraisable: dict[str, list[str]]  # documented code -> why no class is made
    methods: list[Method]


CLIENT_SOURCE = Path(__file__).resolve().parents[1] / "runtime" / "_client.py"


def class_attributes(source: str, classes: tuple[str, ...]) -> frozenset[str]:
    """The public attributes the named classes of a module define, with those of
    their bases in the same module, read from its source: importing the runtime's
    client would load httpx, which costs a run more than the module it renders
    (a test holds this to `dir()` of the imported classes)."""
    tree = ast.parse(source)
    defined = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    names: set[str] = set()
    todo = list(classes)
    while todo:
        node = defined.get(todo.pop())
        if node is None:
            continue
        todo += [_base_name(b) for b in node.bases]
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(item.name)
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                names.add(item.target.id)
            elif isinstance(item, ast.Assign):
                names.update(t.id for t in item.targets if isinstance(t, ast.Name))
    return frozenset(n for n in names if not n.startswith("_"))


def _base_name(base: ast.expr) -> str:
    """`Base` of `class C(Base)` or `class C(Base[T])`; "" for other bases."""
    if isinstance(base, ast.Subscript):
        base = base.value
    return base.id if isinstance(base, ast.Name) else ""


@lru_cache(maxsize=1)  # read when an outline is made, not when one is kept
def client_attrs() -> frozenset[str]:
    """Attributes the client classes define themselves (read from the runtime that
    defines them, plus the `v3` view the client template adds and the instance
    attribute `timeout`); no namespace or root method may take them."""
    source = CLIENT_SOURCE.read_text(encoding="utf-8")
    return class_attributes(source, ("SyncClient", "AsyncClient")) | {"v3", "timeout"}


# Module names of the package itself (rendered ones and the runtime's); a root
# namespace never takes one.
RESERVED_MODULES = frozenset(
    {
        "client",
        "errors",
        "testing",
        "v3",
        "py",
        "_client",
        "_errors",
        "_flows",
        "_runtime",
        "_specs",
        "_version",
        "_root",
        "__init__",
        "__main__",
        "mockdata",
    }
)

# The runtime's exception classes, re-exported by the errors module.
RUNTIME_CLASSES = tuple(
    sorted(
        name
        for name, value in vars(runtime_errors).items()
        if isinstance(value, type) and issubclass(value, Exception)
    )
)
# Names the errors module defines itself: the runtime's classes and its own names.
BASE_NAMES = frozenset(RUNTIME_CLASSES) | {
    "ERRORS",
    "register_errors",
    "error_class",
}


def error_base(code: str, status: int | None) -> str:
    """The category class a documented code's class derives from: the runtime's own
    rule for codes it does not know (one rule for both), `MethodError` when the code
    names no category."""
    category = runtime_errors.category_class(code, status)
    return (
        "MethodError" if category is runtime_errors.Bitrix24Error else category.__name__
    )


_CODE_SHAPE = re.compile(r"[A-Za-z0-9_.:\-]+")
_HTTP_STATUS = re.compile(r"[1-5]\d\d")


@lru_cache(maxsize=65536)  # every method's system errors ask again
def unraisable_reason(code: str, status: int | None) -> str | None:
    """Why no class can stand for a documented code: the portal sends codes in
    `error`, so a code cell that holds a message or an HTTP status is never what
    the portal sends there."""
    if not _CODE_SHAPE.fullmatch(code):
        return "the code cell holds a message, not a code the portal sends"
    if _HTTP_STATUS.fullmatch(code) and (status is None or int(code) >= 400):
        return "the code cell holds an HTTP status, not a code the portal sends"
    return None


def skip_reason(method: Method) -> str | None:
    """Why a documented record is no method of the REST client."""
    if method.method.lower().startswith("bx24."):
        return "a JS SDK function (BX24.*), not a REST method"
    if not METHOD_NAME.fullmatch(method.method):
        return "not a REST method name (dotted words of letters, digits and _)"
    return None


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return (m.group(1) if m else text)[:200]


def error_classes(
    methods: list[Method], renames: list[Rename] | None = None
) -> tuple[list[ErrorClass], dict[str, list[str]]]:
    """One class per documented code the portal can send (method codes shared across
    methods share a class); codes that are messages or HTTP statuses get none."""
    by_code: dict[str, list[tuple[Method, Error]]] = {}
    unraisable: dict[str, list[str]] = {}
    listed: set[Error] = set()  # system errors: every method lists them, once says all
    for m in methods:
        for e in m.errors:
            if not e.code or e.odd:
                continue
            why = unraisable_reason(e.code, e.status)
            if why:
                unraisable.setdefault(e.code, [why])
                unraisable[e.code].append(m.method)
                continue
            if e.system:
                if e in listed:
                    continue
                listed.add(e)
            by_code.setdefault(e.code, []).append((m, e))
    existing = {
        code: naming.error_class_name(code)
        for code in by_code
        if naming.error_class_name(code) in RUNTIME_CLASSES
    }
    names = naming.unique_names(
        sorted(set(by_code) - set(existing)),
        BASE_NAMES,
        naming.error_class_name,
        sep="",
        renames=renames,
        where="error classes",
    )
    names.update(existing)
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
                base=error_base(code, status),
                status=status,
                doc="\n".join(lines[:20]) or code,
                defined=code not in existing,
            )
        )
    return out, unraisable


def build_args(
    method: Method, mt: types.ModuleTypes, parts: list[str]
) -> tuple[Arg, ...]:
    named = naming.unique_names(
        [p.name for p in method.params], renames=None, where=method.method
    )
    args = []
    for p in method.params:
        typed = mt.param(p, parts)
        required = p.required and not p.conditionally_required
        args.append(
            Arg(
                wire=p.name,
                name=named[p.name],
                annotation=(
                    typed.annotation if required else types.optional(typed.annotation)
                ),
                required=required,
                description=p.description,
                doc_required=p.required,
                plain=typed.annotation,
                alternatives=tuple(named[a] for a in p.alternatives if a in named),
            )
        )
    # Required first (Python needs no order for keyword-only args, but readers do).
    return tuple(sorted(args, key=lambda a: not a.required))


def method_doc(method: Method) -> str:
    parts = [method.title or method.method]
    if method.description:
        parts.append(method.description)
    if method.who_can_execute:
        parts.append(f"Who can call it: {method.who_can_execute}")
    return "\n\n".join(p.strip() for p in parts if p.strip())


def returns_doc(method: Method) -> str:
    for f in method.returns.fields:
        if f.name == "result" and f.description.strip():
            return " ".join(f.description.split())
    return ""


def build_function(
    method: Method,
    attr: PyName,
    const: PyName,
    spec: str,
    error_names: dict[str, PyName],
    mt: types.ModuleTypes,
) -> Function:
    parts = method.method.split(".")
    codes = sorted(
        {
            error_names[e.code]
            for e in method.errors
            if not e.system and e.code in error_names
        }
    )
    unraisable = sorted(
        {
            e.code
            for e in method.errors
            if not e.system
            and e.code
            and not e.odd
            and unraisable_reason(e.code, e.status)
        }
    )
    args = build_args(method, mt, parts)
    by_wire = {a.wire: a for a in args}
    one_of = tuple(
        tuple(tuple((by_wire[n].name, n) for n in s if n in by_wire) for s in group)
        for group in method.alternatives
    )
    returned = mt.result(method, parts)
    if returned.cause:
        mt.causes["returns: " + returned.cause] += 1
    return Function(
        const=const,
        idempotent=is_idempotent(method),
        batch=method.batch,
        rate_limit=method.rate_limit_per_sec,
        pagination=method.pagination,
        result_shape=paging.result_shape(method),
        name=attr,
        wire=method.method,
        api=method.api,
        args=args,
        returns=returned.annotation,
        summary=first_sentence(method.title or method.method),
        doc=method_doc(method),
        deprecated=method.deprecated,
        replacement=method.replacement,
        spec=spec,
        errors=tuple(codes),
        url=(method.source.url or "") if method.source else "",
        returns_doc=returns_doc(method),
        one_of=tuple(g for g in one_of if len(g) > 1 and all(g)),
        unraisable=tuple(unraisable),
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


def spec_constants(
    methods: list[Method], renames: list[Rename]
) -> dict[tuple[str, str], PyName]:
    """The MethodSpec constant of each method in `_specs.py`, unique across apis."""
    keyed = {f"{m.api}:{m.method}": m for m in methods}
    names = naming.unique_names(
        sorted(keyed, key=lambda k: (keyed[k].api, keyed[k].method.lower(), k)),
        naming.MODULE_NAMES | {"SPECS"},
        lambda k: naming.constant(
            "v3" if keyed[k].api == "v3" else "", keyed[k].method
        ),
        renames=renames,
        where="_specs constants",
    )
    return {keyed[k].key: names[k] for k in keyed}


def _best_segment(variants: list[str]) -> str:
    """Of the spellings of one segment (case aside), the one that tells the most words
    (`AttachedVote` over `attachedvote`); ties go to the first in sorted order."""
    return sorted(variants, key=lambda v: (-naming.snake(v).count("_"), v))[0]


class MethodRef(NamedTuple):
    """A method as the outline names it: its page, its name, and which record of
    that name on that page it is (a page read as it is may hold one twice)."""

    path: str
    method: str
    api: str
    nth: int = 0


def refs(methods: list[Method]) -> list[MethodRef]:
    """Each method's reference, in the order given."""
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for m in methods:
        name = (_path(m), m.method, m.api)
        out.append(MethodRef(*name, seen.get(name, 0)))
        seen[name] = seen.get(name, 0) + 1
    return out


def outline_facts(methods: list[Method]) -> list[tuple[object, ...]]:
    """What `outline` reads of each method: equal facts, equal outline."""
    return [(m.method, m.api, _path(m), m.errors) for m in methods]


@dataclass
class ModulePart:
    """One root namespace's module before its methods are built: the names the whole
    package gave it, and its methods with what each needs from the rest of the
    package. Building it (`build_module`) needs nothing else."""

    api: str
    key: str  # the root's lower-cased segment; "" for dot-less methods
    module: PyName
    root: Namespace  # named down to its leaves, no functions yet
    # (namespace, leaf key, method, its `_specs` constant, its spec path)
    items: list[tuple[Namespace, str, MethodRef, PyName, str]]
    errors: dict[str, PyName]  # class of each code its methods document
    own: frozenset[str]  # names its root's members may not take


@dataclass
class Outline:
    """The decisions that need every method: what is left out, error classes,
    `_specs` constants, namespace trees, module and class names."""

    trees: dict[str, dict[str, Namespace]]
    classes: list[ErrorClass]
    modules: dict[tuple[str, str], PyName]  # (api, root key) -> module name
    parts: list[ModulePart]
    renames: list[Rename]  # of error classes, constants, modules and classes
    client_renames: dict[str, list[Rename]]  # per api: of the client's attributes
    skipped: list[Skipped]
    unraisable: dict[str, list[str]]  # documented code -> why no class is made
    kept: list[MethodRef]  # the methods it outlines (not skipped), in reading order


def outline(methods: list[Method], specs: dict[tuple[str, str], str]) -> Outline:
    """Everything about the package that depends on more than one module."""
    renames: list[Rename] = []
    skipped: list[Skipped] = []
    kept: list[Method] = []
    for m in methods:
        why = skip_reason(m)
        if why:
            skipped.append(Skipped(m.method, m.api, _path(m), why))
        else:
            kept.append(m)
    classes, unraisable = error_classes(kept, renames)
    error_names = {c.code: c.name for c in classes}
    consts = spec_constants(kept, renames)
    trees, leaves = _trees(kept, skipped)
    modules = _module_names(trees, renames)
    _class_names(trees, renames)
    own: dict[tuple[str, str], frozenset[str]] = {}
    client_renames: dict[str, list[Rename]] = {}
    for api, roots in trees.items():
        attrs = naming.unique_names(
            [roots[k].segment for k in sorted(roots) if k],
            client_attrs() if api == "v2" else naming.MODULE_NAMES,
            renames=client_renames.setdefault(api, []),
            where="client" if api == "v2" else "client.v3",
        )
        for key, root in roots.items():
            if key:
                root.attr = attrs[root.segment]
                own[(api, key)] = frozenset()
            else:  # dot-less methods are the client's own
                own[(api, key)] = frozenset({*client_attrs(), *attrs.values(), "call"})
    ref_of = {id(m): r for m, r in zip(kept, refs(kept), strict=True)}
    parts = [
        ModulePart(
            api=api,
            key=root_key,
            module=modules[(api, root_key)],
            root=trees[api][root_key],
            items=[
                (node, leaf, ref_of[id(m)], consts[m.key], specs.get(m.key, ""))
                for node, leaf, m in items
            ],
            errors={
                e.code: error_names[e.code]
                for _, _, m in items
                for e in m.errors
                if e.code in error_names
            },
            own=own[(api, root_key)],
        )
        for (api, root_key), items in sorted(leaves.items())
    ]
    return Outline(
        trees=trees,
        classes=classes,
        modules=modules,
        parts=parts,
        renames=renames,
        client_renames=client_renames,
        skipped=skipped,
        unraisable=unraisable,
        kept=[ref_of[id(m)] for m in kept],
    )


MethodOf = Callable[[MethodRef], Method]


def identity(value: object) -> str:
    """What a piece rendered from `value` is kept by (`Planner.piece`)."""
    if isinstance(value, Function | types.DictType):
        return value.identity
    if isinstance(value, Namespace):
        return value.identity()
    if isinstance(value, list):
        return digest(" ".join(map(identity, value)).encode())
    return repr(value)


class Memo(Protocol):
    """Where built methods are kept between runs (planning gives a module's shelf)."""

    def get(self, key: str | None) -> Any: ...

    def put(self, key: str | None, value: Any) -> None: ...


@dataclass
class Kept:
    """Methods built by an earlier run, taken again when their page's input
    (`page_of`), their names and the module's TypedDict names defined before them
    are as they were then."""

    memo: Memo
    page_of: Callable[[str], str | None]


def build_module(
    part: ModulePart, method_of: MethodOf, kept: Kept | None = None
) -> tuple[types.ModuleTypes, list[Rename]]:
    """Fill the part's namespaces with its functions, named and annotated as they are
    written in their classes; returns its TypedDicts and what was renamed."""
    taken = set(naming.MODULE_NAMES) | {"_one_of"}
    for ns in part.root.walk():
        taken |= {ns.class_name, "Async" + ns.class_name}
    mt = _module_types(taken)
    names = repr((sorted(taken), sorted(part.errors.items()))) if kept else ""
    context = digest(names.encode())
    for node, leaf_key, at, const, spec in part.items:
        page = kept.page_of(at.path) if kept else None
        key = None
        if kept and page:
            given = repr((context, page, at, const, spec, mt.trail))
            key = f"fn:{digest(given.encode())}"
        built = kept.memo.get(key) if kept else None
        if isinstance(built, tuple) and len(built) == 2:
            fn, added = built
            mt.replay(added)
        else:
            mark = mt.mark() if kept else None
            fn = build_function(
                method_of(at), naming.CALL, const, spec, part.errors, mt
            )
            if kept and mark:
                kept.memo.put(key, (fn, mt.since(mark)))
        node.functions[leaf_key] = fn
    renames: list[Rename] = []
    resolve_members(part.root, part.own, renames)
    for ns in part.root.walk():
        qualify_annotations(ns)
    return mt, renames


def build(methods: list[Method], specs: dict[tuple[str, str], str]) -> Built:
    """The whole view: namespaces per api, error classes, TypedDicts per module, what
    was renamed and what was left out."""
    whole = outline(methods, specs)
    by_ref = dict(zip(refs(methods), methods, strict=True))
    module_types: dict[tuple[str, str], types.ModuleTypes] = {}
    built: dict[str, list[Rename]] = {}
    for part in whole.parts:
        mt, renamed = build_module(part, by_ref.__getitem__)
        module_types[(part.api, part.key)] = mt
        built.setdefault(part.api, []).extend(renamed)
    renames = in_report_order(whole, built)
    return Built(
        trees=whole.trees,
        classes=whole.classes,
        modules=whole.modules,
        module_types=module_types,
        renames=renames,
        skipped=whole.skipped,
        unraisable=whole.unraisable,
        methods=[by_ref[r] for r in whole.kept],
    )


def in_report_order(whole: Outline, members: dict[str, list[Rename]]) -> list[Rename]:
    """The renames of the package-wide names, then per api those of the client's
    attributes and of its namespaces' members (`members`: per api, in module
    order)."""
    out = list(whole.renames)
    for api in sorted(set(whole.client_renames) | set(members)):
        out += whole.client_renames.get(api, [])
        out += members.get(api, [])
    return out


def _path(m: Method) -> str:
    return m.source.path if m.source else ""


Leaves = dict[tuple[str, str], list[tuple[Namespace, str, Method]]]


def _trees(
    kept: list[Method], skipped: list[Skipped]
) -> tuple[dict[str, dict[str, Namespace]], Leaves]:
    """The namespace trees keyed by lower-cased segments (the portal ignores case),
    each node named after the spelling of its segment that tells the most words."""
    spellings: dict[tuple[str, ...], list[str]] = {}
    placed: dict[tuple[str, tuple[str, ...]], Method] = {}
    for m in sorted(kept, key=lambda m: (m.api, m.method.lower(), m.method)):
        segments = m.method.split(".")
        lowered = tuple(s.lower() for s in segments)
        if len(lowered) == 1 and m.api == "v3":
            skipped.append(
                Skipped(
                    m.method, m.api, _path(m), "a REST v3 method without a namespace"
                )
            )
            continue
        if (m.api, lowered) in placed:
            first = placed[(m.api, lowered)].method
            skipped.append(
                Skipped(
                    m.method,
                    m.api,
                    _path(m),
                    f"the same method as {first}: the names differ only in case",
                )
            )
            continue
        placed[(m.api, lowered)] = m
        for depth in range(1, len(segments) + 1):
            spellings.setdefault((m.api, *lowered[:depth]), []).append(
                segments[depth - 1]
            )
    trees: dict[str, dict[str, Namespace]] = {}
    leaves: Leaves = {}
    for (api, lowered), m in placed.items():
        roots = trees.setdefault(api, {})
        segments = m.method.split(".")
        root_key = lowered[0] if len(lowered) > 1 else ""
        if root_key not in roots:
            roots[root_key] = Namespace(
                path=(segments[0],) if root_key else (),
                attr=naming.CALL,  # named when the tree is complete
                class_name=naming.CALL,
                segment=_best_segment(spellings[(api, root_key)]) if root_key else "",
            )
        node = roots[root_key]
        for depth in range(1, len(lowered) - 1):
            key = lowered[depth]
            if key not in node.children:
                node.children[key] = Namespace(
                    path=tuple(segments[: depth + 1]),
                    attr=naming.CALL,
                    class_name=naming.CALL,
                    segment=_best_segment(spellings[(api, *lowered[: depth + 1])]),
                )
            node = node.children[key]
        node.leaf_segments[lowered[-1]] = _best_segment(spellings[(api, *lowered)])
        leaves.setdefault((api, root_key), []).append((node, lowered[-1], m))
    return trees, leaves


def _module_names(
    trees: dict[str, dict[str, Namespace]], renames: list[Rename]
) -> dict[tuple[str, str], PyName]:
    """The module of each root namespace, per api; never one of the package's own
    module names."""
    modules: dict[tuple[str, str], PyName] = {}
    for api, roots in sorted(trees.items()):
        keys = sorted(k for k in roots if k)
        by_segment = {roots[k].segment: k for k in keys}
        names = naming.unique_names(
            list(by_segment),
            RESERVED_MODULES | naming.MODULE_NAMES,
            naming.module,
            renames=renames,
            where=f"{api} modules",
        )
        for seg, key in by_segment.items():
            modules[(api, key)] = names[seg]
        if "" in roots:
            modules[(api, "")] = naming.ROOT_MODULE
    return modules


def _class_names(trees: dict[str, dict[str, Namespace]], renames: list[Rename]) -> None:
    """Class names of every namespace, unique across both apis with their Async twins
    (client.py imports them side by side)."""
    nodes = [
        (api, ns)
        for api, roots in sorted(trees.items())
        for key in sorted(roots)
        for ns in roots[key].walk()
    ]
    used = set(naming.MODULE_NAMES) | {"Bitrix24", "AsyncBitrix24", "ENTERPRISE"}
    for api, ns in sorted(nodes, key=lambda n: (n[0], n[1].label.lower(), n[1].label)):
        prefix = "V3" if api == "v3" else ""
        base = naming.class_name(*(ns.path or ("root",)), prefix=prefix, suffix="Api")
        name, n = base, 2
        while name in used or "Async" + name in used:
            name = naming.class_name(
                *(ns.path or ("root",)), prefix=prefix, suffix=f"Api{n}"
            )
            n += 1
        if name != base:
            renames.append(Rename(f"{api} classes", ns.label, str(base), str(name)))
        used |= {name, "Async" + name}
        ns.class_name = name


def _module_types(taken: set[str]) -> types.ModuleTypes:
    used = set(taken)

    def unique(name: PyName) -> PyName:
        result, n = name, 2
        while result in used:
            result = naming.class_name(name, suffix=str(n))
            n += 1
        used.add(result)
        return result

    return types.ModuleTypes(
        taken=used,
        name_of=lambda parts: naming.class_name(*parts),
        unique=unique,
    )


def resolve_members(
    ns: Namespace, taken: frozenset[str], renames: list[Rename]
) -> None:
    """A method named like a child namespace becomes that namespace's __call__; the
    other members get their names, collisions renamed and recorded."""
    for key in list(ns.functions):
        if key in ns.children:
            ns.children[key].call = replace(ns.functions.pop(key), name=naming.CALL)
    for child in ns.children.values():
        resolve_members(child, frozenset(), renames)
    wires = {child.segment: key for key, child in ns.children.items()}
    wires |= {ns.leaf_segments[key]: key for key in ns.functions}
    names = naming.unique_names(
        sorted(wires, key=lambda w: (wires[w], w)),
        naming.MODULE_NAMES | taken,
        renames=renames,
        where=ns.label or "methods without a namespace",
    )
    for wire, key in wires.items():
        if key in ns.children and ns.children[key].segment == wire:
            ns.children[key].attr = names[wire]
        else:
            ns.functions[key] = replace(ns.functions[key], name=names[wire])


def qualify_annotations(ns: Namespace) -> None:
    """Annotations as written inside the namespace's class: builtins its members
    shadow (a method named `list`) are written `builtins.list`."""
    shadowed = set(ns.member_names & types.BUILTIN_TYPE_NAMES)
    ns.shadowed = frozenset(shadowed)
    if not shadowed:
        return

    def fix(fn: Function) -> Function:
        args = tuple(
            replace(
                a,
                annotation=types.qualify(a.annotation, shadowed),
                plain=types.qualify(a.plain, shadowed),
            )
            for a in fn.args
        )
        return replace(fn, args=args, returns=types.qualify(fn.returns, shadowed))

    ns.functions = {k: fix(f) for k, f in ns.functions.items()}
    if ns.call is not None:
        ns.call = fix(ns.call)


def class_for(api: str, segments: list[str]) -> PyName:
    return naming.class_name(
        *(segments or ["root"]), prefix="V3" if api == "v3" else "", suffix="Api"
    )


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
    return {"methods": [mock_entry(m) for m in sorted(methods, key=mock_order)]}


def mock_order(m: Method | MethodRef) -> tuple[str, str]:
    return (m.method.lower(), m.api)


def mock_entry(m: Method) -> dict[str, Any]:
    """One method's entry in the mock portal's data."""
    return {
        "name": m.method,
        "api": m.api,
        "batch": m.batch,
        "pagination": m.pagination,
        "deprecated": m.deprecated,
        "idempotent": is_idempotent(m),
        "params": [
            {"name": p.name, "type": p.type, "required": p.required} for p in m.params
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
