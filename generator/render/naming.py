"""The one naming function: wire names (camelCase, UPPER_CASE, dotted, bracketed,
dashed) become Python identifiers here and nowhere else.

Every identifier is a `PyName`, a `str` subclass only this module can make; the render
model takes names only of that type, so no template can emit an invalid or unchecked
name. Collisions are resolved deterministically (the docs' order, exact spellings
first) and each rename is recorded as a `Rename` for the report.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import lru_cache

from generator.ir import Param

_TOKEN = object()
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class PyName(str):
    """A valid Python identifier made by `generator.render.naming` (never a keyword).

    Made only here: `PyName("x")` elsewhere raises, so a name in the render model
    has been through the naming function."""

    __slots__ = ()

    def __new__(cls, value: str, _token: object = None) -> PyName:
        if _token is not _TOKEN:
            raise TypeError("a PyName is made only by generator.render.naming")
        if not _IDENTIFIER.fullmatch(value) or keyword.iskeyword(value):
            raise ValueError(f"{value!r} is not a Python identifier")
        return super().__new__(cls, value)

    def __reduce__(self) -> tuple[Callable[[str], PyName], tuple[str]]:
        # The render cache keeps outlines pickled: a name comes back through naming.
        return (_make, (str(self),))


def _make(value: str) -> PyName:
    return PyName(value, _TOKEN)


def is_name(value: object) -> bool:
    return isinstance(value, PyName)


CALL = _make("__call__")  # a method whose name is also a namespace: ns(...) calls it
ROOT_MODULE = _make("_root")  # the module of methods without a namespace

_CAMEL_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_NOT_IDENT = re.compile(r"[^0-9a-zA-Z_]+")
# Names a keyword argument or attribute must not take: Python keywords and soft
# keywords, and the attributes every generated namespace already has.
_RESERVED = set(keyword.kwlist) | set(keyword.softkwlist) | {"self", "extra", "timeout"}
# Names a generated module uses itself at module level or in class bodies (imports
# qualified by them); no member or class may take them.
MODULE_NAMES = frozenset(
    {
        "builtins",
        "functools",
        "cached_property",
        "typing",
        "typing_extensions",
        "annotations",
        "Any",
        "Mapping",
        "TypedDict",
        "Required",
        "NotRequired",
        "TYPE_CHECKING",
        "SyncClient",
        "AsyncClient",
        "MethodSpec",
        "require_one_of",
    }
)


@lru_cache(maxsize=65536)  # the same segments and parameter names recur by thousands
def _snake_text(wire: str) -> str:
    text = _CAMEL_1.sub(r"\1_\2", wire)
    text = _CAMEL_2.sub(r"\1_\2", text)
    text = _NOT_IDENT.sub("_", text).strip("_").lower()
    text = re.sub(r"_+", "_", text) or "_"
    if text[0].isdigit():
        text = "_" + text
    return text


def snake(wire: str) -> PyName:
    """`taskId` -> `task_id`, `getTranscript` -> `get_transcript`, `TASKID` ->
    `taskid`, `UF_CRM_TASK` -> `uf_crm_task`, `filter[ID]` -> `filter_id`, `crm-x` ->
    `crm_x`, `class` -> `class_`, `1c` -> `_1c`."""
    text = _snake_text(wire)
    if text in _RESERVED:
        text += "_"
    return _make(text)


@lru_cache(maxsize=65536)
def _camel_text(wire: str) -> str:
    words = [w for w in re.split(r"[^0-9a-zA-Z]+", _CAMEL_2.sub(r"\1_\2", wire)) if w]
    text = "".join(w[:1].upper() + w[1:].lower() for w in words) or "X"
    return "_" + text if text[0].isdigit() else text


def camel(wire: str) -> PyName:
    """`QUERY_LIMIT_EXCEEDED` -> `QueryLimitExceeded`, `tasks.task` -> `TasksTask`,
    `NONE` -> `None_` (never a keyword)."""
    return _make(_not_keyword(_camel_text(wire)))


def _not_keyword(text: str) -> str:
    return text + "_" if keyword.iskeyword(text) else text


def class_name(*parts: str, prefix: str = "", suffix: str = "") -> PyName:
    """A class name from wire parts: ("crm", "deal", "add", "fields") ->
    `CrmDealAddFields`; `prefix`/`suffix` are added as given (`V3`, `Api`)."""
    text = prefix + "".join(_camel_text(p).lstrip("_") for p in parts) + suffix
    return _make(_not_keyword(text))


def constant(*parts: str) -> PyName:
    """A module constant: ("v3", "tasks.task.list") -> `V3_TASKS_TASK_LIST`."""
    return _make("_".join(_snake_text(p) for p in parts if p).upper().lstrip("_"))


def module(wire: str) -> PyName:
    """The module of a root namespace: `crm` -> `crm`, `crm-x` -> `crm_x`."""
    text = _snake_text(wire)
    if keyword.iskeyword(text):
        text += "_"
    return _make(text)


_ERROR_SUFFIX = re.compile(r"(?:Error|Exception|Err)+$")


@lru_cache(maxsize=65536)  # asked for each use of a code, and codes recur
def error_class_name(code: str) -> PyName:
    """Exception class for an error code: `expired_token` -> `ExpiredTokenError`,
    `USER_ACCESS_ERROR` -> `UserAccessError` (never `...ErrorError`),
    `1048582` -> `Error1048582`."""
    if re.fullmatch(r"-?\d+", code):
        return _make("Error" + code.replace("-", "Minus"))
    base = _ERROR_SUFFIX.sub("", _camel_text(code))
    return _make((base or "Unnamed") + "Error")


@dataclass(frozen=True)
class Rename:
    """A name that had to change because another took it first."""

    where: str  # the scope the names live in ("crm.deal", "module names", ...)
    wire: str  # what the docs call it
    wanted: str  # the plain name
    given: str  # the name it got

    def describe(self) -> str:
        return (
            f"{self.where}: {self.wire!r} is {self.given} "
            f"({self.wanted} is taken by another name)"
        )


def unique_names(
    wires: Iterable[str],
    taken: AbstractSet[str] = frozenset(),
    name_of: Callable[[str], PyName] | None = None,
    sep: str = "_",
    renames: list[Rename] | None = None,
    where: str = "",
) -> dict[str, PyName]:
    """Python names for wire names, collisions resolved deterministically: a wire name
    that already is its Python name comes first, then the given order (the docs'
    order); the first keeps the plain name, later ones get _2, _3. `name_of`
    (default: `snake`) makes the plain name; `sep` goes before the number. Each
    rename is appended to `renames`."""
    name_of = name_of or snake
    order = list(dict.fromkeys(wires))
    plain = {wire: name_of(wire) for wire in order}
    order.sort(key=lambda w: 0 if plain[w] == w else 1)  # stable: docs' order kept
    used = set(taken)
    out: dict[str, PyName] = {}
    for wire in order:
        base = plain[wire]
        name, n = base, 2
        while name in used:
            name, n = _make(f"{base}{sep}{n}"), n + 1
        used.add(name)
        out[wire] = name
        if name != base and renames is not None:
            renames.append(Rename(where, wire, str(base), str(name)))
    return {wire: out[wire] for wire in dict.fromkeys(wires)}


def with_python_names(
    params: tuple[Param, ...], taken: AbstractSet[str] = frozenset()
) -> tuple[Param, ...]:
    """Fill `python_name` on IR params (and their nested fields) with this module's
    names."""
    names = unique_names([p.name for p in params], taken)
    return tuple(
        replace(p, python_name=names[p.name], fields=with_python_names(p.fields))
        for p in params
    )
