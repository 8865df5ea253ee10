"""The Jinja environment and the only filters through which spec text reaches Python
source."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import replace
from typing import Any

import jinja2

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def pystr(value: Any) -> str:
    """A Python literal for a str/None/bool/number (JSON string syntax is valid
    Python)."""
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


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


def wrap_lines(body: str, indent: int) -> list[str]:
    """Wrap long lines at spaces to fit the line length; a continued indented line (an
    `Args:` entry) gets four more spaces so it reads as part of its entry."""
    width = max(40, WIDTH - indent)
    out: list[str] = []
    for line in body.split("\n"):
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
        return f'"""{lines[0]}"""'
    inner = "\n".join((pad + line) if line else "" for line in lines[1:])
    return f'"""{lines[0]}\n{inner}\n{pad}"""'


def function_doc(fn: Any, indent: int) -> str:
    parts = [fn.doc]
    if fn.args:
        lines = ["Args:"]
        for a in fn.args:
            wire = f" (sent as {a.wire})" if a.wire != a.name else ""
            need = "required" if a.required else "optional"
            desc = f" {a.description}" if a.description else ""
            lines.append(f"    {a.name}: {need}{wire}.{desc}")
        lines.append("    extra: further parameters, sent as given (undocumented ones).")
        lines.append("    timeout: seconds the whole call may take (the client's default).")
        parts.append("\n".join(lines))
    if fn.errors:
        parts.append("Raises:\n" + "\n".join(f"    {e}" for e in fn.errors))
    return docstring("\n\n".join(parts), indent)


def rename(fn: Any, name: str) -> Any:
    return replace(fn, name=name)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
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
        function_doc=function_doc,
        rename=rename,
    )
    return env
