"""Where a method's list items sit in `result`: a per-method fact for the runtime.

The runtime (`_flows.page_items`) reads pages by one rule per shape; this module
decides the shape from what the docs show of the response, the JSON example first and
the response table when the example is missing or broken:

    "list"        result is the list                   crm.deal.list, user.get
    "items:KEY"   result is an object, the list at KEY tasks.task.list: "items:tasks"
    "keyed"       result is an object keyed by ID
    "keyed:KEY"   such an object inside KEY            "keyed:templates" of
                                                       crm.documentgenerator.template.list
    "lists:A,B"   several lists
    "value"       a documented result that is no list (an object, a number, ...)
    ""            nothing documented
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.ir import Method

LIST_TYPES = frozenset({"array", "list"})


def result_shape(method: Method) -> str:
    """The shape of the method's documented `result`, "" when the docs do not show
    it."""
    example = method.returns.example
    if isinstance(example, Mapping) and "result" in example:
        shape = shape_of(example["result"])
        if shape:
            return shape
    return shape_from_table(method)


def shape_of(result: Any) -> str:
    if isinstance(result, list):
        return "list"
    if not isinstance(result, Mapping):
        return "" if result is None else "value"
    if not result:
        return ""
    lists = [str(k) for k, v in result.items() if isinstance(v, list)]
    if len(lists) == 1:
        return f"items:{lists[0]}"
    if len(lists) > 1:
        return "lists:" + ",".join(lists)
    if keyed_by_id(result):
        return "keyed"
    keyed = [str(k) for k, v in result.items() if keyed_by_id(v)]
    if len(keyed) == 1:
        return f"keyed:{keyed[0]}"
    return "value"


def keyed_by_id(value: Any) -> bool:
    """An object whose keys are IDs and whose values are the items."""
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(str(k).isdigit() and isinstance(v, Mapping) for k, v in value.items())
    )


def shape_from_table(method: Method) -> str:
    """The response table: `result` typed array, or `result` an object with one
    array-typed field (the docs list it right under `result`)."""
    fields = method.returns.fields
    top = next((f for f in fields if f.name == "result"), None)
    if top is None or not top.type:
        return ""
    kind = top.type.lower()
    if kind in LIST_TYPES or kind.endswith("[]"):
        return "list"
    nested = list(top.fields) or [
        f for f in fields if f.name not in ("result", "total", "next", "time")
    ]
    arrays = [
        f.name
        for f in nested
        if f.type
        and (f.type.lower() in LIST_TYPES or f.type.lower().endswith("[]"))
        and "[" not in f.name
        and "." not in f.name
    ]
    if len(arrays) == 1:
        return f"items:{arrays[0]}"
    return ""
