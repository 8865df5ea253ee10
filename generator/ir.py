"""The intermediate model: what every reader produces and every renderer consumes.

Frozen dataclasses, JSON in and out, nothing else. The JSON form is a public contract
(`b24gen ir --json`): keys are only ever added, never renamed or removed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

# Findings live in `diagnostics`; `Position` is also the IR's, and both stay importable
# from here.
from generator.diagnostics import SEVERITIES as SEVERITIES
from generator.diagnostics import Diagnostic as Diagnostic
from generator.diagnostics import Position as Position

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_D = TypeVar("_D", bound="DataclassInstance")


@dataclass(frozen=True)
class Param:
    name: str
    python_name: str = ""
    type: str = "any"
    item_type: str | None = None
    required: bool = False
    conditionally_required: bool = False
    description: str = ""
    fields: tuple[Param, ...] = ()
    position: Position | None = None
    # With `conditionally_required`: the parameters that can stand in for this one
    # (the other members of its alternative sets, `Method.alternatives`).
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReturnField:
    name: str
    type: str = "any"
    description: str = ""
    fields: tuple[ReturnField, ...] = ()
    position: Position | None = None


@dataclass(frozen=True)
class Returns:
    fields: tuple[ReturnField, ...] = ()
    example: Any = None
    example_text: str | None = None
    example_valid: bool = True


@dataclass(frozen=True)
class Error:
    code: str
    status: int | None = None
    message: str = ""
    description: str = ""
    system: bool = False
    field: str | None = None
    odd: bool = False  # the code cell is not a real code ("-", "Empty value", missing)
    position: Position | None = None


@dataclass(frozen=True)
class Example:
    language: str
    code: str
    payload: Any = None
    calls: str | None = None  # the method name the example calls, when it names one
    position: Position | None = None


@dataclass(frozen=True)
class Source:
    path: str
    format: str
    url: str | None = None  # the page's address on the docs website, when known


@dataclass(frozen=True)
class Method:
    method: str
    scope: str
    api: str = "v2"
    title: str = ""
    description: str = ""
    who_can_execute: str = ""
    deprecated: bool = False
    replacement: str | None = None
    params: tuple[Param, ...] = ()
    returns: Returns = field(default_factory=Returns)
    errors: tuple[Error, ...] = ()
    examples: tuple[Example, ...] = ()
    pagination: str = "none"
    rate_limit_per_sec: float | None = None
    aliases: tuple[str, ...] = ()
    language: str = "en"
    source: Source | None = None
    lossy: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    position: Position | None = None
    batch: bool = True  # may be called inside `batch`
    idempotent: bool | None = None  # None: decided from the method name when rendering
    # Alternative parameter sets: each entry lists sets of parameter names of which
    # one set must be given whole (the page documents several ways to call the
    # method, or a parameter "required unless another is given").
    alternatives: tuple[tuple[tuple[str, ...], ...], ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """Identity of a method: the same name in REST v2 and v3 is two records."""
        return (self.method.lower(), self.api)


def to_data(value: Any) -> Any:
    """Turn IR objects into plain JSON-ready data (tuples become lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, (list, tuple)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def to_json(methods: list[Method]) -> str:
    """One JSON object per line, keys sorted: stable for diffing and for tools."""
    return "".join(
        json.dumps(to_data(m), sort_keys=True, ensure_ascii=False) + "\n"
        for m in methods
    )


def _build(cls: type[_D], data: Mapping[str, Any]) -> _D:
    # `from __future__ import annotations` leaves every field's type a string.
    kwargs = {
        f.name: _convert(str(f.type), data[f.name])
        for f in dataclasses.fields(cls)
        if f.name in data
    }
    return cls(**kwargs)


def _build_or_none(cls: type[_D], data: Mapping[str, Any] | None) -> _D | None:
    return None if data is None else _build(cls, data)


_NESTED: dict[str, type[DataclassInstance]] = {
    "Position": Position,
    "Param": Param,
    "ReturnField": ReturnField,
    "Returns": Returns,
    "Error": Error,
    "Example": Example,
    "Source": Source,
}


def _convert(annotation: str, value: Any) -> Any:
    """JSON data of one field (its annotation names its type) back to IR objects."""
    for name, cls in _NESTED.items():
        if annotation.startswith(f"tuple[{name},"):
            return tuple(_build_or_none(cls, v) for v in value)
        if annotation.split(" ")[0] == name:
            return _build_or_none(cls, value)
    if annotation.startswith("tuple[tuple[tuple[") and isinstance(value, list):
        return tuple(tuple(tuple(s) for s in group) for group in value)
    if annotation.startswith("tuple[") and isinstance(value, list):
        return tuple(value)
    return value


def method_from_data(data: dict[str, Any]) -> Method:
    """Inverse of `to_data` for a Method; unknown keys (added later) are ignored."""
    return _build(Method, data)
