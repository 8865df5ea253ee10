"""The one type mapping: documentation types -> Python annotations.

`resolve` gives an annotation and, when it falls back to `Any` (or a container of
`Any`), the cause, so the report can count the fallbacks by why they happened.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from generator.inputs import digest
from generator.ir import Method, Param, ReturnField

SCALARS = {
    "integer": "int",
    "int": "int",
    "long": "int",
    "string": "str",
    "text": "str",
    "char": "str",
    "boolean": "bool",
    "bool": "bool",
    "y/n": "str",
    "double": "float",
    "float": "float",
    "number": "float",
    "decimal": "float",
    "object": "dict[str, Any]",
    "array": "list[Any]",
    "map": "dict[str, Any]",
    "date": "str",
    "datetime": "str",
    "time": "dict[str, Any]",
    "null": "None",
    "file": "Any",
    "any": "Any",
}

# The docs' own data types (api-reference/data-types.md and crm/data-types.md): ids of
# users and CRM objects are integers, directory and currency ids are strings, a
# `lang_map` maps language ids to text.
NAMED = {
    "user": "int",
    "crm_company": "int",
    "crm_contact": "int",
    "crm_lead": "int",
    "crm_deal": "int",
    "crm_quote": "int",
    "crm_category": "int",
    "crm_entity": "int",
    "location": "int",
    "crm_status": "str",
    "crm_currency": "str",
    "lang_map": "dict[str, str]",
    "enum": "str",
}
# `<entity>.id` is an integer id; `<entity>.code` / `.currency` / `.lid` a string id.
_REFERENCE = re.compile(r"[a-z][a-z0-9_]*\.(id|code|currency|lid|xml_id)")

# Why an annotation fell back to Any (the keys of the report's table).
CAUSE_NO_TYPE = "no type given"
CAUSE_ANY = "documented as any"
CAUSE_FILE = "file upload"
CAUSE_UNKNOWN = "type unknown to the generator"
CAUSE_OBJECT = "object without documented keys"
CAUSE_ARRAY = "array without item type"
CAUSE_MIXED = "one of several types, one of them unknown"


@dataclass(frozen=True)
class Typed:
    annotation: str
    cause: str | None = None  # why it is (or holds) Any; None for a real type


def _one(part: str, item_type: str | None) -> Typed:
    if part == "array" and item_type:
        inner = resolve(item_type)
        return Typed(f"list[{inner.annotation}]", inner.cause)
    if part.endswith("[]"):
        inner = resolve(part[:-2])
        return Typed(f"list[{inner.annotation}]", inner.cause)
    if part in SCALARS:
        mapped = SCALARS[part]
        cause = {
            "any": CAUSE_ANY,
            "file": CAUSE_FILE,
            "object": CAUSE_OBJECT,
            "map": CAUSE_OBJECT,
            "time": CAUSE_OBJECT,
            "array": CAUSE_ARRAY,
        }.get(part)
        return Typed(mapped, cause)
    if part in NAMED:
        return Typed(NAMED[part])
    m = _REFERENCE.fullmatch(part)
    if m:
        return Typed("int" if m[1] == "id" else "str")
    return Typed("Any", CAUSE_UNKNOWN)


def resolve(doc_type: str | None, item_type: str | None = None) -> Typed:
    """`integer` -> `int`; `string | null` -> `str | None`; array of `integer` ->
    `list[int]`; `user` -> `int`; anything the docs name that we do not know -> `Any`
    (with the cause)."""
    if not doc_type or not doc_type.strip():
        return Typed("Any", CAUSE_NO_TYPE)
    parts = [p.strip().lower() for p in doc_type.split("|") if p.strip()]
    out: list[str] = []
    causes: list[str] = []
    for part in parts:
        typed = _one(part, item_type)
        if typed.cause:
            causes.append(typed.cause)
        if typed.annotation not in out:
            out.append(typed.annotation)
    if "Any" in out:
        cause = causes[0] if len(parts) == 1 else CAUSE_MIXED
        return Typed("Any", cause)
    if not out:
        return Typed("Any", CAUSE_NO_TYPE)
    return Typed(" | ".join(out), causes[0] if causes else None)


def annotation(doc_type: str | None, item_type: str | None = None) -> str:
    return resolve(doc_type, item_type).annotation


def is_known(doc_type: str) -> bool:
    return all(
        resolve(p.strip()).cause != CAUSE_UNKNOWN
        for p in doc_type.split("|")
        if p.strip()
    )


def optional(annotation_text: str) -> str:
    """The annotation of an argument that may be left out (None is not sent)."""
    if annotation_text == "Any" or "None" in annotation_text.split(" | "):
        return annotation_text
    return f"{annotation_text} | None"


_BUILTINS = re.compile(r"\b(list|dict|str|int|float|bool|object|bytes)\b")


def qualify(annotation_text: str, shadowed: set[str] | frozenset[str]) -> str:
    """The annotation as written inside a class whose members shadow some builtins:
    those become `builtins.<name>` (a method named `list` must not turn `list[int]`
    into a reference to itself)."""
    if not shadowed:
        return annotation_text
    return _BUILTINS.sub(
        lambda m: f"builtins.{m[1]}" if m[1] in shadowed else m[1], annotation_text
    )


BUILTIN_TYPE_NAMES = frozenset(
    {"list", "dict", "str", "int", "float", "bool", "object", "property"}
)


# ---------------------------------------------------------------- TypedDicts

ENVELOPE = frozenset({"result", "time", "total", "next"})
# Keys of an object the docs describe as open: user fields, templates and pattern keys.
_PATTERN_KEY = re.compile(r"[*{}\s]|^(?:field_n|value_n|\.\.\.)$|^UF_$", re.I)
_OPEN_HINT = re.compile(
    r"\bUF_|user fields?|custom fields?|\bfield_n\b|any (?:other )?fields?", re.I
)
OPEN_PARAMS = frozenset({"filter", "order", "sort", "select"})
MAX_DEPTH = 4


@dataclass(frozen=True)
class DictKey:
    wire: str  # the key as sent or received; printed through `pystr`
    annotation: str
    required: bool
    description: str = ""


@dataclass(frozen=True)
class DictType:
    name: str  # a PyName (made by naming.class_name / unique_names)
    keys: tuple[DictKey, ...]
    open: bool  # the docs allow further keys (user fields, patterns)
    doc: str = ""

    @cached_property
    def identity(self) -> str:
        """A digest of the record, which what is rendered from it is kept by; made
        once, and pickled with the record (render/cache.py keeps both)."""
        return digest(repr(self).encode())


@dataclass
class Finding:
    kind: str  # "returns-disagree", "key-type-disagree", ...
    method: str
    text: str


class TypesMark(NamedTuple):
    dicts: int
    findings: int
    typed_params: int
    any_params: int
    causes: Counter[str]


class TypesAdded(NamedTuple):
    """What building one method added to its module's types."""

    dicts: tuple[DictType, ...]
    findings: tuple[Finding, ...]
    typed_params: int
    any_params: int
    causes: tuple[tuple[str, int], ...]


@dataclass
class ModuleTypes:
    """The TypedDicts of one module, named uniquely within it, and the counts and
    findings of the type mapping for the report."""

    taken: set[str]
    name_of: Any  # (parts) -> PyName, from naming (kept out of this module's imports)
    unique: Any  # (name) -> PyName unique in the module
    dicts: list[DictType] = field(default_factory=list)
    causes: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    typed_params: int = 0
    any_params: int = 0
    trail: str = ""  # the names defined so far, as a chain of digests

    def define(self, name: str, keys: tuple[DictKey, ...], open_: bool) -> None:
        self.dicts.append(DictType(name, keys, open_))
        self.trail = digest(f"{self.trail}\0{name}".encode())

    # -- what building one method added (a method taken as built earlier adds it)

    def mark(self) -> TypesMark:
        return TypesMark(
            len(self.dicts),
            len(self.findings),
            self.typed_params,
            self.any_params,
            Counter(self.causes),
        )

    def since(self, mark: TypesMark) -> TypesAdded:
        return TypesAdded(
            tuple(self.dicts[mark.dicts :]),
            tuple(self.findings[mark.findings :]),
            self.typed_params - mark.typed_params,
            self.any_params - mark.any_params,
            tuple(sorted((self.causes - mark.causes).items())),
        )

    def replay(self, added: TypesAdded) -> None:
        for td in added.dicts:
            self.taken.add(td.name)
            self.define(td.name, td.keys, td.open)
        self.findings.extend(added.findings)
        self.typed_params += added.typed_params
        self.any_params += added.any_params
        self.causes.update(dict(added.causes))

    # -- parameters

    def param(self, p: Param, parts: list[str]) -> Typed:
        typed = self._param(p, parts, 0)
        if typed.cause:
            self.any_params += 1
            self.causes[typed.cause] += 1
        else:
            self.typed_params += 1
        return typed

    def _param(self, p: Param, parts: list[str], depth: int) -> Typed:
        kinds = {k.strip().lower() for k in (p.type or "").split("|") if k.strip()}
        if (
            p.fields
            and depth < MAX_DEPTH
            and (not kinds or kinds & {"object", "array", "map", "any"})
        ):
            td = self._object(p, [*parts, p.name], depth)
            if td is None:
                return Typed("dict[str, Any]", CAUSE_OBJECT)
            options: list[str] = []
            if not kinds or kinds & {"object", "map", "any"}:
                options.append(td)
            if "array" in kinds:  # a PHP array: an object with these keys, or a list
                options += [td, f"list[{td}]"] if not options else [f"list[{td}]"]
            return Typed(" | ".join(options))
        return resolve(p.type, p.item_type)

    def _object(self, p: Param, parts: list[str], depth: int) -> str | None:
        keys: list[DictKey] = []
        seen: set[str] = set()
        open_ = p.name.lower() in OPEN_PARAMS or bool(_OPEN_HINT.search(p.description))
        for f in p.fields:
            if _PATTERN_KEY.search(f.name) or not f.name:
                open_ = True
                continue
            if f.name in seen:
                continue
            seen.add(f.name)
            if _OPEN_HINT.search(f.name):
                open_ = True
            typed = self._param(f, parts, depth + 1)
            keys.append(
                DictKey(
                    f.name,
                    typed.annotation,
                    f.required and not f.conditionally_required,
                    " ".join(f.description.split())[:300],
                )
            )
        if not keys:
            return None
        name = self.unique(self.name_of(parts))
        self.define(name, tuple(keys), open_)
        # An open object takes any mapping too: mypy knows no extra-items TypedDict.
        return f"{name} | Mapping[str, Any]" if open_ else name

    # -- returned data

    def result(self, method: Method, parts: list[str]) -> Typed:
        """The type of `result`: from the JSON example, with the types of the response
        table where it names a key; the table alone when there is no example."""
        table = {f.name: f for f in method.returns.fields}
        doc = table.get("result")
        doc_typed = resolve(doc.type) if doc is not None else None
        example = method.returns.example
        if isinstance(example, dict) and "result" in example:
            value = example["result"]
            typed = self._value(value, [*parts, "result"], table, 0, True)
            if doc_typed is not None and not _agrees(doc_typed.annotation, value):
                self.findings.append(
                    Finding(
                        "returns-disagree",
                        method.method,
                        f"{method.method}: the response table types result as "
                        f"{doc.type if doc else '?'}, the example shows "
                        f"{_json_kind(value)}; typed as the example shows",
                    )
                )
            return typed
        if doc_typed is not None:
            return doc_typed
        return Typed("Any", CAUSE_NO_EXAMPLE)

    def _value(
        self,
        value: Any,
        parts: list[str],
        table: dict[str, ReturnField],
        depth: int,
        whole: bool,
    ) -> Typed:
        if value is None:
            return Typed("Any", CAUSE_NULL)
        if isinstance(value, bool):
            return Typed("bool")
        if isinstance(value, int):
            return Typed("int")
        if isinstance(value, float):
            return Typed("float")
        if isinstance(value, str):
            return Typed("str")
        if isinstance(value, list):
            if not value:
                return Typed("list[Any]", CAUSE_EMPTY)
            if all(isinstance(v, dict) for v in value):
                inner = self._dicts(value, parts, table, depth, whole=False)
            else:
                inner = _union(
                    [self._value(v, parts, table, depth, whole) for v in value]
                )
            return Typed(f"list[{inner.annotation}]", inner.cause)
        if isinstance(value, dict):
            return self._dicts([value], parts, table, depth, whole)
        return Typed("Any", CAUSE_UNKNOWN)

    def _dicts(
        self,
        values: list[Any],
        parts: list[str],
        table: dict[str, ReturnField],
        depth: int,
        whole: bool,
    ) -> Typed:
        """One type for objects seen in an example (the items of a list: a key is
        required only when every item has it)."""
        keys: dict[str, list[Any]] = {}
        for v in values:
            for k, item in v.items():
                keys.setdefault(str(k), []).append(item)
        if not keys:
            return Typed("dict[str, Any]", CAUSE_EMPTY)
        if depth >= MAX_DEPTH:
            return Typed("dict[str, Any]", CAUSE_DEEP)
        if all(_ID_KEY.fullmatch(k) for k in keys):  # keyed by IDs: a mapping
            inner = _union(
                [
                    self._value(item, [*parts, "item"], table, depth + 1, whole)
                    for items in keys.values()
                    for item in items
                ]
            )
            return Typed(f"dict[str, {inner.annotation}]", inner.cause)
        out: list[DictKey] = []
        for k in sorted(keys):
            seen = keys[k]
            typed = _union(
                [self._value(v, [*parts, k], table, depth + 1, whole) for v in seen]
            )
            documented = table.get(k)
            if documented is not None and not isinstance(seen[0], (dict, list)):
                doc = resolve(documented.type)
                if doc.cause is None and doc.annotation != typed.annotation:
                    if typed.cause:  # null in the example: the table's type, or None
                        typed = Typed(optional(doc.annotation))
                    else:
                        typed = _union([doc, typed])
            elif typed.cause == CAUSE_NULL:
                typed = Typed("Any", CAUSE_NULL)
            required = len(seen) == len(values) and whole
            desc = " ".join(documented.description.split())[:300] if documented else ""
            out.append(DictKey(k, typed.annotation, required, desc))
        name = self.unique(self.name_of(parts))
        self.define(name, tuple(out), False)
        return Typed(name)


CAUSE_NO_EXAMPLE = "no response example or table"
CAUSE_NULL = "null in the example"
CAUSE_EMPTY = "empty object or list in the example"
CAUSE_DEEP = "nested deeper than the generator types"
_ID_KEY = re.compile(r"-?\d+|[A-Za-z]{1,3}_?\d+")


def _union(types: list[Typed]) -> Typed:
    seen: list[str] = []
    cause = None
    for t in types:
        for part in (
            t.annotation.split(" | ") if "[" not in t.annotation else [t.annotation]
        ):
            if part not in seen:
                seen.append(part)
        cause = cause or t.cause
    if "Any" in seen:
        return Typed("Any", cause or CAUSE_NULL)
    return Typed(" | ".join(seen), cause)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


def _agrees(annotation_text: str, value: Any) -> bool:
    if annotation_text == "Any" or value is None:
        return True
    top = annotation_text.split(" | ")
    if isinstance(value, list):
        return any(t.startswith("list[") for t in top)
    if isinstance(value, dict):
        return any(t.startswith("dict[") for t in top)
    if isinstance(value, bool):
        return "bool" in top
    if isinstance(value, (int, float)):
        return bool({"int", "float"} & set(top))
    if isinstance(value, str):
        return "str" in top
    return True
