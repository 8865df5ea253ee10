"""Black's layout, written out by the generator itself.

Running black over the generated package was most of a large run's time (the whole
English docs make 13 MB of source). The templates therefore write code that black
leaves as it is: a construct that fits in the line is written on one line, one that
does not is split the way black splits it. Only the constructs the templates use are
laid out here (calls, subscripts, displays and `|` unions, in statements and in
brackets); where the result would still hold a line black would split otherwise (a
long annotation of a parameter, an atom longer than the line), the statement is
handed to the pinned black itself (`black_statement`, cached), so the output is
black's in every case. Tests hold every generated file to `black --check`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from generator.render.format import format_source

WIDTH = 88  # black's line length
_OPENING = re.compile(r"[(\[{]")  # text with brackets that was not taken apart


@dataclass(frozen=True)
class Br:
    """A bracketed, comma-separated group: a call's or subscript's arguments, or a
    display (tuple, list, dict). A display, once split, puts each item on its own line
    (black's rule for atoms); `magic` is a trailing comma, which keeps it split."""

    open: str
    items: tuple[Part, ...]
    close: str
    display: bool = False
    magic: bool = False
    one_tuple: bool = False

    text: str = field(init=False, repr=False, compare=False)
    forced: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        inner = ", ".join(flat(i) for i in self.items)
        if self.one_tuple or (self.magic and self.items):
            inner += ","
        object.__setattr__(self, "text", f"{self.open}{inner}{self.close}")
        magic = (self.magic and bool(self.items)) or any(map(has_magic, self.items))
        object.__setattr__(self, "forced", magic)


@dataclass(frozen=True)
class Union:
    """`a | b | c`: black splits it before each `|`."""

    operands: tuple[Part, ...]

    text: str = field(init=False, repr=False, compare=False)
    forced: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", " | ".join(flat(p) for p in self.operands))
        object.__setattr__(self, "forced", any(map(has_magic, self.operands)))


@dataclass(frozen=True)
class Seq:
    """Parts written one after the other (`"key": ` + an annotation)."""

    parts: tuple[Part, ...] = field(default_factory=tuple)

    text: str = field(init=False, repr=False, compare=False)
    forced: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", "".join(flat(p) for p in self.parts))
        object.__setattr__(self, "forced", any(map(has_magic, self.parts)))


Part = str | Br | Union | Seq


class Unsure(Exception):
    """A layout this module does not promise to match black's: the caller hands the
    statement to black."""


def flat(part: Part) -> str:
    """The part written on one line (computed once, when the part is made)."""
    return part if isinstance(part, str) else part.text


def has_magic(part: Part) -> bool:
    """Whether the part holds a trailing comma black keeps split."""
    return False if isinstance(part, str) else part.forced


def str_width(text: str) -> int:
    """The width black measures (East Asian wide characters count two)."""
    if text.isascii():
        return len(text)
    from black.strings import str_width as width

    return int(width(text))


def fits(depth: int, text: str) -> bool:
    return 4 * depth + str_width(text) <= WIDTH


def pad(depth: int) -> str:
    return "    " * depth


def parts_of(line: Part) -> list[Part]:
    """The top-level parts of a line, nested sequences opened."""
    if isinstance(line, Seq):
        out: list[Part] = []
        for p in line.parts:
            out.extend(parts_of(p))
        return out
    return [line]


def lay(line: Part, depth: int, inside: bool) -> list[str]:
    """The lines black makes of one logical line at `depth` (`inside`: the line is the
    content of brackets split before, where black first splits at delimiters)."""
    text = flat(line)
    if not has_magic(line) and fits(depth, text):
        return [pad(depth) + text]
    parts = parts_of(line)
    unions = [i for i, p in enumerate(parts) if isinstance(p, Union)]
    if inside and unions:
        return split_union(parts, unions, depth)
    brackets = [i for i, p in enumerate(parts) if isinstance(p, Br)]
    if not brackets and inside and not _OPENING.search(text):
        return [pad(depth) + text]  # nothing to split at: black leaves it long
    if not brackets:
        raise Unsure(text)
    return split_right(parts, brackets[-1], depth, inside)


def split_union(parts: list[Part], unions: list[int], depth: int) -> list[str]:
    """Black's delimiter split at `|`: before each operand after the first."""
    if len(unions) != 1:
        raise Unsure("several unions on one line")
    at = unions[0]
    union = parts[at]
    assert isinstance(union, Union)
    if any(isinstance(p, Br) for p in parts[:at] + parts[at + 1 :]):
        raise Unsure("brackets beside a union")
    head, tail = parts[:at], parts[at + 1 :]
    ops = list(union.operands)
    pieces: list[Part] = [Seq((*head, ops[0]))]
    pieces += [Seq(("| ", op)) for op in ops[1:-1]]
    pieces.append(Seq(("| ", ops[-1], *tail)) if len(ops) > 1 else Seq(tuple(tail)))
    out: list[str] = []
    for piece in pieces:
        out += lay(piece, depth, inside=True)
    return out


def split_right(parts: list[Part], at: int, depth: int, inside: bool) -> list[str]:
    """Black's right-hand split at the last bracket: head and opening bracket, the
    content one level deeper, the closing bracket and the rest."""
    br = parts[at]
    assert isinstance(br, Br)
    if not br.items:
        raise Unsure("empty brackets")
    if any(isinstance(p, (Br, Union)) for p in parts[at + 1 :]):
        raise Unsure("brackets after the last bracket")
    head = "".join(flat(p) for p in parts[:at]) + br.open
    tail = br.close + "".join(flat(p) for p in parts[at + 1 :])
    before = parts[:at]
    if not fits(depth, tail) or (
        not fits(depth, head) and any(not isinstance(p, str) for p in before)
    ):
        raise Unsure(head)  # black would try splitting at an earlier bracket
    return [pad(depth) + head, *lay_items(br, depth + 1), pad(depth) + tail]


def lay_items(br: Br, depth: int) -> list[str]:
    """The content of split brackets: on one line where it fits (not for a display or
    a magic trailing comma), else one item a line, each with its comma."""
    if len(br.items) == 1 and not br.magic and not br.one_tuple:
        return lay(br.items[0], depth, inside=True)
    together = ", ".join(flat(i) for i in br.items)
    explode = br.magic or br.one_tuple or br.display
    if (
        not explode
        and not any(has_magic(i) for i in br.items)
        and fits(depth, together)
    ):
        return [pad(depth) + together]
    out: list[str] = []
    for item in br.items:
        out += lay(Seq((item, ",")), depth, inside=True)
    return out


def statement(line: Part, depth: int = 0) -> str:
    """One statement (no newline at the end), laid out as black would; `Unsure`
    when this module cannot promise that."""
    return "\n".join(lay(line, depth, inside=False))


# --- annotations: the type mapping's strings, as parts ------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<name>[A-Za-z_][\w.]*|\.\.\.|-?\d+(?:\.\d+)?)'
    r"|(?P<punct>[\[\],|]))"
)


@lru_cache(maxsize=65536)
def annotation(text: str) -> Part:
    """An annotation string (`dict[str, A | B]`) as parts; text the small grammar of
    the type mapping does not cover stays one atom (never split)."""
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            return text
        tokens.append(m[0].strip())
        pos = m.end()
    try:
        part, end = _union(tokens, 0)
    except IndexError:
        return text
    return part if end == len(tokens) and flat(part) == text else text


def _union(tokens: list[str], i: int) -> tuple[Part, int]:
    ops = []
    part, i = _primary(tokens, i)
    ops.append(part)
    while i < len(tokens) and tokens[i] == "|":
        part, i = _primary(tokens, i + 1)
        ops.append(part)
    return (ops[0] if len(ops) == 1 else Union(tuple(ops))), i


def _primary(tokens: list[str], i: int) -> tuple[Part, int]:
    name = tokens[i]
    if name in "[],|":
        raise IndexError(name)
    i += 1
    if i < len(tokens) and tokens[i] == "[":
        items: list[Part] = []
        i += 1
        while tokens[i] != "]":
            item, i = _union(tokens, i)
            items.append(item)
            if tokens[i] == ",":
                i += 1
        return Seq((name, Br("[", tuple(items), "]"))), i + 1
    return name, i


# --- the constructs of the templates -------------------------------------------------


def call(func: str, args: Sequence[Part], magic: bool = False) -> Seq:
    return Seq((func, Br("(", tuple(args), ")", magic=magic)))


def tuple_display(items: Sequence[Part]) -> Br:
    return Br("(", tuple(items), ")", display=True, one_tuple=len(items) == 1)


def dict_display(pairs: Sequence[tuple[str, Part]], magic: bool = False) -> Br:
    items = tuple(Seq((k, ": ", v)) for k, v in pairs)
    return Br("{", items, "}", display=True, magic=magic)


def assignment(target: str, value: Part, depth: int = 0) -> Seq | Br:
    """`target = value` as a line to lay out. Where the value's own first line would
    not fit after the target, black wraps the value in parentheses, if every line
    then fits."""
    parts = parts_of(value)
    if isinstance(parts[-1], Br) and has_magic(parts[-1]):
        head = f"{target} = " + "".join(flat(p) for p in parts[:-1]) + parts[-1].open
        wrapped = Seq((f"{target} = ", Br("(", (value,), ")")))
        if not fits(depth, head) and all_fit(wrapped, depth):
            return wrapped
    return Seq((f"{target} = ", value))


def all_fit(line: Part, depth: int) -> bool:
    """Whether every line black would make of `line` fits (black keeps the value's
    parentheses only then); `Unsure` when that cannot be told here."""
    return all(str_width(x) <= WIDTH for x in lay(line, depth, inside=False))


def laid_assignment(
    target: str, value: Part, depth: int = 0, stub: bool = False
) -> str:
    """`target = value` as black writes it (black itself where this module cannot
    tell whether black wraps the value in parentheses)."""
    try:
        return statement(assignment(target, value, depth), depth)
    except Unsure:
        text = f"{pad(depth)}{target} = {flat(value)}"
        return black_statement(text, depth, stub)


def black_statement(text: str, depth: int, stub: bool = False) -> str:
    """`text` (one statement at `depth`, indented) as the pinned black writes it."""
    name = "fallback.pyi" if stub else "fallback.py"
    if depth == 0:
        return format_source(text + "\n", name).rstrip("\n")
    wrapper = "".join(f"{pad(d)}class _{d}:\n" for d in range(depth))
    done = format_source(wrapper + text + "\n", name).rstrip("\n")
    return "\n".join(done.split("\n")[depth:])


def def_signature(
    head: str, params: Sequence[str], returns: str, depth: int, stub: bool
) -> str:
    """`def name(params) -> returns:` (with ` ...` in a stub): one line where it fits,
    else one parameter a line with a trailing comma (kept split by black)."""
    end = f") -> {returns}:" + (" ..." if stub else "")
    one_line = f"{head}({', '.join(params)}{end}"
    if fits(depth, one_line):
        return pad(depth) + one_line
    lines = [pad(depth) + head + "("]
    try:
        for p in params:
            lines += parameter(p, depth + 1)
    except Unsure:
        lines = []
    lines.append(pad(depth) + end)
    if lines[0].endswith("(") and str_width(lines[-1]) <= WIDTH:
        return "\n".join(lines)
    # A parameter or the return annotation too long for its line: black's own split.
    body = "" if stub else "\n" + pad(depth + 1) + "pass"
    done = black_statement(pad(depth) + one_line + body, depth, stub)
    return done if stub else done.rsplit("\n", 1)[0]


_PARAM = re.compile(r"(\w+): (.+?)( = None)?")


def parameter(text: str, depth: int) -> list[str]:
    """One parameter of a split signature, with its comma. A long union annotation
    goes in parentheses, one operand a line where it must (black's rule for type
    hints); other long annotations split at their last bracket."""
    if fits(depth, text + ","):
        return [pad(depth) + text + ","]
    m = _PARAM.fullmatch(text)
    if not m:
        raise Unsure(text)
    ann = annotation(m[2])
    default = m[3] or ""
    if isinstance(ann, Union):
        inner = lay(ann, depth + 1, inside=True)
        return [f"{pad(depth)}{m[1]}: (", *inner, f"{pad(depth)}){default},"]
    return lay(Seq((f"{m[1]}: ", ann, default, ",")), depth, inside=True)


def laid(line: Part, depth: int, stub: bool = False, then: str = "") -> str:
    """A statement at `depth` as black writes it: laid out here where this module is
    sure, else by black. `then` completes a statement that cannot stand alone (the
    function below a decorator) for black and is not returned."""
    try:
        return statement(line, depth)
    except Unsure:
        text = pad(depth) + flat(line)
        if not then:
            return black_statement(text, depth, stub)
        done = black_statement(f"{text}\n{pad(depth)}{then}", depth, stub)
        return done.rsplit("\n", then.count("\n") + 1)[0]


def import_from(module: str, names: Sequence[str], depth: int = 0) -> str:
    """`from module import a, b`; black puts the names of a long one in parentheses,
    one a line."""
    line = f"from {module} import {', '.join(names)}"
    if fits(depth, line):
        return pad(depth) + line
    inner = "".join(f"{pad(depth + 1)}{n},\n" for n in names)
    return f"{pad(depth)}from {module} import (\n{inner}{pad(depth)})"
