"""Where a list's items sit in `result`: the per-method fact generator/render/paging.py
reads from the docs (JSON example first, the response table when the example is broken)
and hands to MethodSpec.result_shape."""

from __future__ import annotations

import pytest

from generator.ir import Method, ReturnField, Returns
from generator.render.paging import result_shape


def method(example=None, fields=()):
    return Method("demo.item.list", "demo", returns=Returns(fields=tuple(fields), example=example))


@pytest.mark.parametrize("result, shape", [
    ([{"ID": "1"}], "list"),
    ({"tasks": [{"id": "1"}]}, "items:tasks"),
    ({"items": [], "total": 0}, "items:items"),
    ({"37": {"id": "37"}, "41": {"id": "41"}}, "keyed"),
    ({"templates": {"37": {"id": "37"}}}, "keyed:templates"),
    ({"bots": [], "users": []}, "lists:bots,users"),
    ({"task": {"id": "1"}}, "value"),
    (True, "value"),
    (None, ""),
])
def test_shape_from_the_example(result, shape):
    assert result_shape(method({"result": result})) == shape


def test_shape_from_the_response_table_when_the_example_is_broken():
    assert result_shape(method(None, [ReturnField("result", "array")])) == "list"
    assert result_shape(method(None, [ReturnField("result", "object"),
                                      ReturnField("sections", "array"),
                                      ReturnField("total", "integer")])) == "items:sections"
    assert result_shape(method(None, [ReturnField("result", "object")])) == ""
    assert result_shape(method(None)) == ""
