"""Linear-time removal of hidden spans (HTML comments, dev-only blocks) from page text.

A lazy regex such as `<!--.*?-->` rescans the rest of the page from every unclosed
opener: quadratic time on a page of unclosed openers. Here each opener is searched once
and, once a closer is missing, no later opener is tried (none can close either).
Readers and the independent conformance scanner both hide these spans; this module
knows nothing of the docs' structure.
"""

from __future__ import annotations

import re

HTML_COMMENT = (re.compile(re.escape("<!--")), re.compile(re.escape("-->")))
DEV_BLOCK = (
    re.compile(r"\{%\s*if\s+build\s*==\s*['\"]dev['\"]\s*%\}"),
    re.compile(r"\{%\s*endif\s*%\}"),
)
Span = tuple[re.Pattern[str], re.Pattern[str]]


def hide_spans(text: str, span: Span, keep_newlines: bool = True) -> str:
    """`text` without the closed spans opened by `span[0]` and closed by the first
    `span[1]` after; with `keep_newlines` each span leaves its line breaks, so line
    numbers stay true. An opener with no closer stays as it is."""
    opener, closer = span
    parts: list[str] = []
    position = 0
    while (start := opener.search(text, position)) is not None:
        end = closer.search(text, start.end())
        if end is None:
            break
        parts.append(text[position : start.start()])
        if keep_newlines:
            parts.append("\n" * text.count("\n", start.start(), end.end()))
        position = end.end()
    parts.append(text[position:])
    return "".join(parts)
