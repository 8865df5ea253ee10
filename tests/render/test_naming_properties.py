"""The naming function under any input: every name it gives is a Python identifier that
no keyword takes, names it makes unique are unique, and the result does not depend on
anything but the input."""

from __future__ import annotations

import keyword

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is a dev dependency")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from generator.read.names import METHOD  # noqa: E402
from generator.render import naming  # noqa: E402

wire = st.text(max_size=40) | st.from_regex(r"[A-Za-z_.\-\[\]0-9 ]{0,30}", fullmatch=True)
method_name = st.from_regex(METHOD, fullmatch=True).filter(lambda s: len(s) < 80)


def is_identifier(name: str) -> bool:
    return (
        name.isidentifier()
        and name.isascii()
        and not keyword.iskeyword(name)
        and naming.is_name(name)
    )


@given(wire)
def test_every_name_is_an_identifier(text):
    for make in (naming.snake, naming.camel, naming.module, naming.error_class_name):
        name = make(text)
        assert is_identifier(name), (make.__name__, text, name)
    assert not keyword.issoftkeyword(naming.snake(text))


def test_words_that_are_keywords_in_another_case_still_give_names():
    assert naming.camel("NONE") == "None_" and naming.class_name("true") == "True_"


@given(st.lists(wire, max_size=12))
def test_unique_names_are_unique_identifiers_in_a_stable_order(wires):
    renames: list[naming.Rename] = []
    names = naming.unique_names(wires, renames=renames)
    assert set(names) == set(wires)
    assert len(set(names.values())) == len(names)
    assert all(is_identifier(n) for n in names.values())
    assert naming.unique_names(wires) == names  # deterministic
    assert all(r.given != r.wanted for r in renames)


@given(st.lists(method_name, min_size=1, max_size=8), st.sampled_from(["v2", "v3"]))
def test_constants_and_class_names_of_method_names(methods, api):
    for method in methods:
        assert is_identifier(naming.constant(api, method))
        assert is_identifier(naming.class_name(*method.split("."), suffix="Api"))


def test_collisions_are_resolved_and_reported():
    renames: list[naming.Rename] = []
    names = naming.unique_names(["crm-x", "crm_x"], renames=renames)
    assert names == {"crm-x": "crm_x_2", "crm_x": "crm_x"}  # the docs' own spelling wins
    assert [(r.wire, r.given) for r in renames] == [("crm-x", "crm_x_2")]
    names = naming.unique_names(["getAll", "get_all"])
    assert sorted(names.values()) == ["get_all", "get_all_2"]
    assert names["get_all"] == "get_all"


def test_a_pyname_is_made_only_by_the_naming_function():
    with pytest.raises(TypeError):
        naming.PyName("anything")


def test_a_pickled_pyname_comes_back_through_the_naming_function():
    """The render cache keeps outlines pickled: their names come back as PyNames,
    and a pickle cannot make a PyName of what is no identifier."""
    import pickle

    name = naming.snake("crm.item-list")
    back = pickle.loads(pickle.dumps(name))
    assert back == name and naming.is_name(back)
    forged = pickle.dumps(name).replace(name.encode(), b"x" * (len(name) - 1) + b"-")
    with pytest.raises(ValueError):
        pickle.loads(forged)
