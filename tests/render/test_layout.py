"""The templates write black's layout themselves (generator/render/layout.py): every
construct they lay out, with names and annotations of any length and shape, must be
left unchanged by the pinned black."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.render import env, layout
from generator.render.format import format_source

NAME = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_", min_size=1).map(
    lambda s: "N" + s
)
LONG_NAME = st.integers(1, 110).flatmap(
    lambda n: st.text("abcdefgXYZ", min_size=n, max_size=n).map(lambda s: "T" + s)
)
STRING = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60
).map(env.pystr)


def annotations() -> st.SearchStrategy[str]:
    atom = st.one_of(LONG_NAME, st.sampled_from(["int", "str", "Any", "None"]))
    return st.recursive(
        atom,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["list", "dict", "Mapping"]), st.lists(inner, min_size=1, max_size=3)).map(
                lambda t: f"{t[0]}[{', '.join(t[1])}]"
            ),
            st.lists(inner, min_size=2, max_size=4, unique=True).map(" | ".join),
            st.lists(STRING, min_size=1, max_size=5).map(lambda s: f"Literal[{', '.join(s)}]"),
        ),
        max_leaves=8,
    ).filter(lambda a: not a.startswith(("None |",)) and "| None |" not in a)


@dataclass
class Arg:
    name: str
    annotation: str
    required: bool
    wire: str


@dataclass
class Key:
    wire: str
    annotation: str
    required: bool


@dataclass
class TD:
    name: str
    keys: list[Key]


@dataclass
class Fn:
    name: str
    args: list[Arg]
    returns: str
    const: str
    wire: str
    deprecated: bool = True
    replacement: str | None = None


def black_keeps(text: str, stub: bool = False) -> None:
    name = "t.pyi" if stub else "t.py"
    assert format_source(text, name) == text


ARGS = st.lists(
    st.builds(Arg, NAME, annotations(), st.booleans(), st.text(min_size=1, max_size=40)),
    max_size=6,
    unique_by=lambda a: a.name,
)


@settings(max_examples=150, deadline=None)
@given(name=LONG_NAME, args=ARGS, returns=annotations(), is_async=st.booleans(),
       replacement=st.none() | st.text(max_size=100))
def test_methods_are_laid_out_as_black_writes_them(name, args, returns, is_async, replacement):
    fn = Fn(name.lower(), args, returns, name.upper(), "x." + name, True, replacement)
    for stub in (False, True):
        lines = ["class C:", env.deprecated_decorator(fn, stub), env.signature(fn, is_async, stub)]
        if not stub:
            if args:
                lines.append(env.one_of(fn, [[(a.name, a.wire)] for a in args]))
            lines.append(env.call_method(fn, is_async))
        black_keeps("\n".join(lines) + "\n", stub)


@settings(max_examples=150, deadline=None)
@given(name=LONG_NAME, keys=st.lists(st.builds(Key, st.text(max_size=80), annotations(), st.booleans()), min_size=1, max_size=5, unique_by=lambda k: k.wire))
def test_typed_dicts_are_laid_out_as_black_writes_them(name, keys):
    td = TD(name, keys)
    black_keeps(env.typed_dict(td, False) + "\n")
    black_keeps(env.typed_dict(td, True) + "\n", stub=True)


@settings(max_examples=100, deadline=None)
@given(items=st.lists(st.tuples(STRING, LONG_NAME), min_size=1, max_size=5))
def test_displays_and_classes_are_laid_out_as_black_writes_them(items):
    entries = [layout.Seq((layout.tuple_display([s, '"v2"']), f": {n}")) for s, n in items]
    black_keeps(env.display_statement("SPECS: dict[tuple[str, str], int] = ", entries, "{") + "\n")
    name, base = items[0][1], items[-1][1]
    black_keeps(env.class_line(name, base) + "\n    pass\n")
    black_keeps(layout.import_from("." + name.lower(), [n for _, n in items], 1).join(["if X:\n", "\n"]))


@settings(max_examples=100, deadline=None)
@given(name=LONG_NAME, arg=st.sampled_from(["self", "self._client"]), text=st.text(max_size=300))
def test_returns_and_docstrings_are_written_as_black_writes_them(name, arg, text):
    black_keeps("class C:\n    def f(self) -> None:\n" + env.returned_call(name, arg) + "\n")
    for depth in (0, 1, 2):
        head = ["", "class C:\n", "class C:\n    def f(self) -> None:\n"][depth]
        tail = ["", "\n\n    x = 1", "\n        return None"][depth]
        black_keeps(f"{head}{'    ' * depth}{env.docstring(text, 4 * depth)}{tail}\n")


def test_a_long_typed_dict_name_with_an_entry_that_needs_splitting():
    """Black wraps the value in parentheses here, which moves the entries a level in:
    an entry that fitted before must then be split (found by review)."""
    td = TD("T" * 77, [Key("k", "dict[str, list[dict[str, int | float | str | bool | None]]] | list[int]", False)])
    black_keeps(env.typed_dict(td, False) + "\n")
    black_keeps(env.typed_dict(td, True) + "\n", stub=True)


@settings(max_examples=400)
@given(text=st.text(alphabet=st.sampled_from(list("ab \"'\\\n\u0436")) | st.characters(), max_size=60))
def test_quotes_are_chosen_as_black_chooses_them(text):
    """`pystr` picks single quotes with black's rule, without loading black."""
    import json

    from black.strings import normalize_string_quotes

    literal = json.dumps(text, ensure_ascii=False)
    assert env.black_quotes(literal) == normalize_string_quotes(literal)


@settings(max_examples=400)
@given(text=st.text(alphabet=st.sampled_from(list("ab \n\"\\")), min_size=1, max_size=80),
       indent=st.sampled_from(["", "    ", "        "]))
def test_docstrings_are_trimmed_as_black_trims_them(text, indent):
    from black.strings import fix_multiline_docstring

    body = env.docstring_body(text) or "x"
    assert env.fix_multiline_docstring(body, indent) == fix_multiline_docstring(body, indent)
