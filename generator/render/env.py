"""The Jinja environment and the only filters through which spec text reaches Python
source."""

from __future__ import annotations

import json
import math
import re
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2

from generator.render import layout

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def pystr(value: Any) -> str:
    """A Python literal for a str/None/bool/number (JSON string syntax is valid
    Python)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'  # `inf` and `nan` are no Python literals
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    literal = json.dumps(str(value), ensure_ascii=False)
    return black_quotes(literal) if '\\"' in literal else literal


_ESCAPED_DOUBLE = re.compile(r'([^\\]|^)\\((?:\\\\)*)"')
_UNESCAPED_SINGLE = re.compile(r"(([^\\]|^)(\\\\)*)'")


def black_quotes(literal: str) -> str:
    """A double-quoted literal (as `json.dumps` writes it) quoted as black writes it:
    in single quotes when that needs fewer backslashes (black's
    `normalize_string_quotes` for this one case; loading black for it would cost a
    run more than all its docstrings, and tests hold the two to the same result)."""
    body = literal[1:-1]
    # each substitution runs twice: its matches may overlap
    single = _ESCAPED_DOUBLE.sub(r'\1\2"', _ESCAPED_DOUBLE.sub(r'\1\2"', body))
    single = _UNESCAPED_SINGLE.sub(r"\1\\'", _UNESCAPED_SINGLE.sub(r"\1\\'", single))
    if single.count("\\") < body.count("\\"):
        return f"'{single}'"
    return literal


def tomlstr(value: Any) -> str:
    return json.dumps(str(value), ensure_ascii=True)


def docstring_body(text: str) -> str:
    """Make text safe inside triple double quotes: no backslash escapes, no closing
    quotes, no control characters; the result cannot end the literal early."""
    text = _CONTROL.sub(" ", str(text)).replace("\t", "    ")
    text = text.replace("\\", "\\\\")
    text = re.sub(r'"(?=")', '\\\\"', text)  # no two unescaped quotes in a row
    text = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    return text


WIDTH = 88  # black's line length
LITERAL = "\ue000"  # marks a line of a literal block while wrapping (never wrapped)


def wrap_lines(body: str, indent: int) -> list[str]:
    """Wrap long lines at spaces to fit the line length; a continued indented line (an
    `Args:` entry) gets four more spaces so it reads as part of its entry. Lines of
    literal (code) blocks are kept as they are."""
    width = max(40, WIDTH - indent)
    out: list[str] = []
    for line in body.split("\n"):
        if LITERAL in line:
            out.append(line.replace(LITERAL, ""))
            continue
        lead = line[: len(line) - len(line.lstrip(" "))]
        if len(line) <= width:
            out.append(line)
            continue
        out.extend(
            textwrap.wrap(
                line,
                width,
                initial_indent="",
                subsequent_indent=lead + "    " if lead else "",
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [line]
        )
    return out


def docstring(text: str, indent: int = 0) -> str:
    body = docstring_body(text)
    pad = " " * indent
    lines = wrap_lines(body, indent + 3)
    if len(lines) == 1:
        return black_docstring(lines[0], pad)
    inner = "\n".join((pad + line) if line.strip() else "" for line in lines[1:])
    return black_docstring(f"{lines[0]}\n{inner}\n{pad}", pad)


def black_docstring(content: str, indent: str) -> str:
    """The docstring literal of `content` as black writes it (its steps for a
    docstring: indentation fixed, a space beside a quote at either end, the closing
    quotes on their own line where the last line would be too long)."""
    multiline = "\n" in content
    doc = fix_multiline_docstring(content, indent) if multiline else content.strip()
    trailing_backslash = False
    if doc:
        if doc[0] == '"':
            doc = " " + doc
        if doc[-1] == '"':
            doc += " "
        if doc[-1] == "\\" and (len(doc) - len(doc.rstrip("\\"))) % 2:
            doc += " "
            trailing_backslash = True
    else:
        doc = " "
    lines = doc.splitlines()
    last = len(lines[-1]) if doc and not doc.endswith("\n") else 0
    if (
        len(lines) > 1
        and last + 3 > WIDTH
        and len(indent) + 3 <= WIDTH
        and not trailing_backslash
        and not content.endswith("\n")
    ):
        return f'"""{doc}\n{indent}"""'
    return f'"""{doc}"""'


def fix_multiline_docstring(text: str, indent: str) -> str:
    """PEP 257's trim as black does it: the first line stripped, the others
    dedented by their common indentation and put at `indent`, trailing spaces
    dropped, blank lines emptied (the last kept, it places the closing quotes).
    `docstring_body` leaves no tabs and no line breaks but `\\n`."""
    lines = text.split("\n")
    depths = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    trimmed = [lines[0].strip()]
    if depths:
        common = min(depths)
        last = len(lines) - 2
        for i, line in enumerate(lines[1:]):
            rest = line[common:].rstrip()
            trimmed.append(indent + rest if rest or i == last else "")
    return "\n".join(trimmed)


def comment(value: Any) -> str:
    """Text safe on one comment line: line breaks and control characters become
    spaces (a path with a newline cannot start a line of code)."""
    return " ".join(_CONTROL.sub(" ", str(value).replace("\n", " ")).split())


# YFM markup the readers leave in descriptions.
_NOTE = re.compile(r"^\s*\{%\s*note\s+\w+\s*(?:\"([^\"]*)\")?\s*%\}\s*$")
_CUT = re.compile(r"^\s*\{%\s*cut\s+\"([^\"]*)\"\s*%\}\s*$")
_YFM_LINE = re.compile(
    r"^\s*(?:\{%\s*(?:end\w*|list\s+tabs|include\b[^%]*|\w+)\s*%\}|#\||\|#)\s*$"
)
_YFM_INLINE = re.compile(r"\{%[^%]*%\}|\{#[\w-]+\}")
_FENCE = re.compile(r"^\s*`{1,3}\s*([\w+-]*)\s*$")


def clean_text(text: str) -> list[str]:
    """Description text as docstring lines: YFM markup removed, code blocks (even the
    fences the readers left half-stripped) as literal blocks marked `LITERAL`."""
    out: list[str] = []
    code: list[str] | None = None
    for raw in text.replace("\r", "").split("\n"):
        line = raw.rstrip()
        if code is not None:
            fence = _FENCE.match(line)
            if fence and not fence[1]:
                out.extend(_literal(code, out))
                code = None
            else:
                code.append(line)
            continue
        if _FENCE.match(line):
            code = []
            continue
        note = _NOTE.match(line) or _CUT.match(line)
        if note:
            if note[1]:
                out.append(note[1].strip().rstrip(":") + ":")
            continue
        if _YFM_LINE.match(line):
            continue
        line = _YFM_INLINE.sub("", line).replace("||", " ")
        out.append(line)
    if code is not None:
        out.extend(_literal(code, out))
    while out and not out[-1].strip():
        out.pop()
    return out


def _literal(code: list[str], before: list[str]) -> list[str]:
    """A literal block: `::` ends the paragraph above, the code is indented by four."""
    lines = [c for c in code]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return []
    while before and not before[-1].strip():
        before.pop()
    if before and before[-1].endswith(":") and not before[-1].endswith("::"):
        before[-1] += ":"
    else:
        before.append("::")
    return [""] + [LITERAL + "    " + c if c.strip() else "" for c in lines] + [""]


def _entry(head: str, text: str) -> list[str]:
    """An `Args:`/`Returns:` entry: the first line after the head, the rest indented
    under it."""
    lines = clean_text(text)
    first = lines[0].strip() if lines and not lines[0].startswith(LITERAL) else ""
    rest = lines[1:] if first else lines
    out = [f"    {head}{(' ' + first) if first else ''}".rstrip()]
    for line in rest:
        if not line.strip():
            out.append("")
        elif line.startswith(LITERAL):
            out.append(LITERAL + "        " + line[len(LITERAL) :])
        else:
            out.append("        " + line)
    while out and not out[-1].strip():
        out.pop()
    return out


def function_doc(fn: Any, indent: int) -> str:
    parts = ["\n".join(clean_text(fn.doc))]
    if fn.deprecated:
        parts.append(
            "Deprecated:\n    "
            + (
                f"use {fn.replacement} instead."
                if fn.replacement
                else "the docs mark it deprecated."
            )
        )
    lines = ["Args:"]
    alternatives = {a.name for a in fn.args if a.alternatives}
    for a in fn.args:
        wire = f" (sent as {a.wire})" if a.wire != a.name else ""
        if a.name in alternatives:
            need = "required unless " + " or ".join(a.alternatives) + " is given"
        else:
            need = "required" if a.required else "optional"
        lines.extend(_entry(f"{a.name}: {need}{wire}.", a.description))
    lines.append("    extra: further parameters, sent as given (undocumented ones).")
    lines.append("    timeout: seconds the whole call may take (the client's default).")
    parts.append("\n".join(lines))
    returns = fn.returns.replace("builtins.", "")
    parts.append(
        "Returns:\n" + "\n".join(_entry(f"{returns}:", fn.returns_doc or "the result."))
    )
    if fn.errors:
        parts.append(
            "Raises:\n"
            + "\n".join(
                f"    {e}: a documented error of the method." for e in fn.errors
            )
        )
    if fn.url:
        parts.append(f"Docs:\n    {fn.url}")
    return docstring("\n\n".join(p for p in parts if p.strip()), indent)


def rename(fn: Any, name: str) -> Any:
    return replace(fn, name=name)


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates in b24gen's cache folder: like any of its caches, one that
    cannot be read or written only costs time."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged file: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def environment() -> jinja2.Environment:
    from generator.inputs import cache_dir

    folder = cache_dir()
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        # compiled templates kept between runs (Jinja checks each one's source)
        bytecode_cache=TemplateCache(folder / "jinja") if folder is not None else None,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(
        pystr=pystr,
        tomlstr=tomlstr,
        docstring=docstring,
        comment=comment,
        function_doc=function_doc,
        rename=rename,
    )
    env.globals.update(
        signature=signature,
        accessor=accessor,
        call_method=call_method,
        one_of=one_of,
        deprecated_decorator=deprecated_decorator,
        class_line=class_line,
        returned_call=returned_call,
        display_statement=display_statement,
        import_from=layout.import_from,
        spec_keys=spec_keys,
        error_keys=error_keys,
    )
    return env


# --- statements laid out as black writes them (see layout.py) ------------------------

_EXTRA = ("extra: Mapping[str, Any] | None = None", "timeout: float | None = None")


def signature(fn: Any, is_async: bool, stub: bool, args: Any = None) -> str:
    """A method's `def` line(s) at class depth."""
    given = fn.args if args is None else args
    params = [
        "self",
        "*",
        *(f"{a.name}: {a.annotation}{'' if a.required else ' = None'}" for a in given),
        *_EXTRA,
    ]
    head = f"{'async ' if is_async else ''}def {fn.name}"
    return layout.def_signature(head, params, fn.returns, 1, stub)


def accessor(name: str, returns: str, stub: bool) -> str:
    """`def name(self) -> Class:` of a namespace property, at class depth."""
    return layout.def_signature(f"def {name}", ["self"], returns, 1, stub)


def call_method(fn: Any, is_async: bool) -> str:
    """The body's `return self._client._call_method(...)`."""
    wires = layout.dict_display([(pystr(a.wire), a.name) for a in fn.args])
    call = layout.call(
        f"return {'await ' if is_async else ''}self._client._call_method",
        [fn.const, wires, "extra", "timeout"],
        magic=True,
    )
    return layout.laid(call, 2)


def one_of(fn: Any, group: Any) -> str:
    """The check that a call gives one of the method's alternative parameter sets."""
    sets = layout.tuple_display(
        [
            layout.tuple_display(
                [layout.tuple_display([pystr(py), pystr(wire), py]) for py, wire in s]
            )
            for s in group
        ]
    )
    return layout.laid(layout.call("_one_of", [pystr(fn.wire), sets, "extra"], True), 2)


def deprecated_decorator(fn: Any, stub: bool) -> str:
    text = (
        f"Deprecated: use {fn.replacement} instead" if fn.replacement else "Deprecated"
    )
    line = layout.call("@typing_extensions.deprecated", [pystr(text)])
    return layout.laid(line, 1, stub, then="def f(self): ...")


def method_spec(fn: Any) -> str:
    args = [
        pystr(fn.wire),
        pystr(fn.api),
        f"deprecated={fn.deprecated}",
        f"replacement={pystr(fn.replacement)}",
        f"idempotent={fn.idempotent}",
        f"batch={fn.batch}",
        f"rate_limit={pystr(fn.rate_limit)}",
        f"pagination={pystr(fn.pagination)}",
        f"result_shape={pystr(fn.result_shape)}",
    ]
    return layout.laid_assignment(fn.const, layout.call("MethodSpec", args, True))


def typed_dict(td: Any, stub: bool) -> str:
    """`Name = TypedDict("Name", {...})`: keys are wire names, which need not be
    identifiers."""
    total = any(k.required for k in td.keys)
    pairs: list[tuple[str, layout.Part]] = []
    for k in td.keys:
        key = pystr(k.wire)
        value = (
            f"NotRequired[{k.annotation}]" if total and not k.required else k.annotation
        )
        # An entry that fits stays text; only a long one is taken apart to be split.
        fits = layout.fits(2, f"{key}: {value},")
        pairs.append((key, value if fits else layout.annotation(value)))
    args: list[layout.Part] = [pystr(td.name), layout.dict_display(pairs, magic=True)]
    if not total:
        args.append("total=False")
    return layout.laid_assignment(
        td.name, layout.call("TypedDict", args, True), 0, stub
    )


def returned_call(func: str, arg: str, depth: int = 2) -> str:
    """`return func(arg)` in a method body."""
    return layout.laid(layout.call(f"return {func}", [arg]), depth)


def class_line(name: str, base: str) -> str:
    line = layout.Seq(("class ", name, layout.Br("(", (base,), ")"), ":"))
    return layout.laid(line, 0, then="    pass")


def display_statement(head: str, items: list[layout.Part], kind: str = "[") -> str:
    """`head = [items]` (or a dict with `kind="{"`, items as `key: value`)."""
    close = "]" if kind == "[" else "}"
    br = layout.Br(kind, tuple(items), close, display=True, magic=True)
    return layout.laid(layout.Seq((head, br)), 0)


def spec_keys(rows: Any) -> list[layout.Part]:
    """The `SPECS` entries: (lower-cased name, api) -> constant."""
    return [
        layout.Seq(
            (
                layout.tuple_display([pystr(fn.wire.lower()), pystr(fn.api)]),
                f": {fn.const}",
            )
        )
        for fn in rows
    ]


def error_keys(classes: Any) -> list[layout.Part]:
    return [f"{pystr(c.code)}: {c.name}" for c in classes]
